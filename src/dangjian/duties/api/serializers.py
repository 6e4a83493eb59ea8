"""Serializers of the duties API: they validate and represent; services write."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dangjian.orgs.api.serializers import ScopedPrimaryKeyRelatedField
from dangjian.orgs.models import Member, Org

from ..models import (
    Activity,
    ActivityFile,
    ActivityKind,
    Attendance,
    AttendanceStatus,
    DutyRuleVersion,
    Fulfilment,
    FulfilmentFile,
    Occurrence,
)


class DutyActivityKindSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityKind
        fields = ["id", "code", "name"]
        read_only_fields = fields


class DutyAttendanceSerializer(serializers.ModelSerializer):
    member = ScopedPrimaryKeyRelatedField(Member, "view_members", label=_("党员"))
    member_name = serializers.CharField(source="member.name", read_only=True)
    status = serializers.ChoiceField(choices=AttendanceStatus.choices, default=AttendanceStatus.PRESENT)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    is_guest = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = Attendance
        fields = ["member", "member_name", "status", "reason", "is_guest"]


class DutyActivityFileSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=_("photo（照片）或 document（文件）"))
    url = serializers.SerializerMethodField(help_text=_("下载地址（须登录且有权查看该记录）"))

    class Meta:
        model = ActivityFile
        fields = ["id", "name", "kind", "content_type", "size", "sha256", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return reverse("duties:activity_file", args=[obj.pk])


class DutyFulfilmentFileSerializer(DutyActivityFileSerializer):
    class Meta(DutyActivityFileSerializer.Meta):
        model = FulfilmentFile

    def get_url(self, obj) -> str:
        return reverse("duties:fulfilment_file", args=[obj.pk])


class DutyFulfilmentSerializer(serializers.ModelSerializer):
    files = DutyFulfilmentFileSerializer(many=True, read_only=True)

    class Meta:
        model = Fulfilment
        fields = ["id", "done_on", "note", "recorded_by_name", "recorded_at", "files"]
        read_only_fields = fields


class DutyFulfilSerializer(serializers.Serializer):
    done_on = serializers.DateField(help_text=_("履职日期（不能晚于今天）"))
    note = serializers.CharField(max_length=2000, help_text=_("履职情况"))


class DutyActivitySerializer(serializers.ModelSerializer):
    org = ScopedPrimaryKeyRelatedField(Org, "change", label=_("党组织"))
    org_name = serializers.CharField(source="org.name", read_only=True)
    kinds = serializers.SlugRelatedField(slug_field="code", many=True, queryset=ActivityKind.objects.all(),
                                         allow_empty=False, help_text=_("活动类型代码，可多个"))
    chair = ScopedPrimaryKeyRelatedField(Member, "view_members", required=False, allow_null=True)
    recorder = ScopedPrimaryKeyRelatedField(Member, "view_members", required=False, allow_null=True)
    attendance = DutyAttendanceSerializer(many=True, required=False, allow_null=True,
                                      help_text=_("不填时本组织在册党员全部记为出席"))
    place = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    minutes = serializers.CharField(required=False, allow_blank=True, default="")
    files = DutyActivityFileSerializer(many=True, read_only=True, help_text=_("照片和文件（在登记页面上传）"))

    class Meta:
        model = Activity
        fields = ["id", "org", "org_name", "kinds", "starts_at", "held_on", "topic", "place", "chair", "recorder",
                  "minutes", "attendance", "files", "created_at"]
        read_only_fields = ["held_on", "files", "created_at"]


class DutyActivityUpdateSerializer(DutyActivitySerializer):
    class Meta(DutyActivitySerializer.Meta):
        read_only_fields = [*DutyActivitySerializer.Meta.read_only_fields, "org"]


class DutyOccurrenceSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    label = serializers.CharField(read_only=True)
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    activities = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    holder_name = serializers.SerializerMethodField(help_text=_("个人职责的任职人（组织的职责为空）"))
    fulfilment = serializers.SerializerMethodField(help_text=_("履职记录（无活动类型的职责）"))

    class Meta:
        model = Occurrence
        fields = ["id", "org", "org_name", "rule", "version", "label", "kind", "post", "holder_name", "period_start",
                  "period_end", "n", "due_date", "status", "fulfilled_on", "excused_reason", "excused_at",
                  "activities", "fulfilment"]
        read_only_fields = fields

    def get_holder_name(self, obj) -> str | None:
        return obj.post.holder.name if obj.post_id else None

    @extend_schema_field(DutyFulfilmentSerializer(allow_null=True))
    def get_fulfilment(self, obj):
        record = getattr(obj, "fulfilment", None) if not obj.kind_id else None
        return DutyFulfilmentSerializer(record).data if record is not None else None


class DutyExcuseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text=_("免除理由"))


class DutyRuleVersionSerializer(serializers.ModelSerializer):
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = DutyRuleVersion
        fields = ["number", "kind", "title", "frequency", "times", "org_kinds", "sectors", "levels", "post_kinds",
                  "root", "valid_from", "valid_to"]
        read_only_fields = fields


class DutyRuleSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    versions = DutyRuleVersionSerializer(many=True, read_only=True)


class DutyFiguresSerializer(serializers.Serializer):
    required = serializers.IntegerField()
    fulfilled = serializers.IntegerField()
    late_held = serializers.IntegerField()
    missed = serializers.IntegerField()
    excused = serializers.IntegerField()
    pending = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    colour = serializers.CharField()


class DutyOrgFiguresSerializer(serializers.Serializer):
    org = serializers.IntegerField()
    name = serializers.CharField()
    figures = DutyFiguresSerializer()


class DutyComplianceSerializer(serializers.Serializer):
    root = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    figures = DutyFiguresSerializer()
    children = DutyOrgFiguresSerializer(many=True)
    red = DutyOrgFiguresSerializer(many=True)
