"""Serializers of the duties API: they validate and represent; services write."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dangjian.orgs.api.serializers import ScopedPrimaryKeyRelatedField
from dangjian.orgs.models import Member, Org

from ..models import Activity, ActivityKind, Attendance, AttendanceStatus, DutyRuleVersion, Occurrence


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

    class Meta:
        model = Activity
        fields = ["id", "org", "org_name", "kinds", "starts_at", "held_on", "topic", "place", "chair", "recorder",
                  "minutes", "attendance", "created_at"]
        read_only_fields = ["held_on", "created_at"]


class DutyActivityUpdateSerializer(DutyActivitySerializer):
    class Meta(DutyActivitySerializer.Meta):
        read_only_fields = [*DutyActivitySerializer.Meta.read_only_fields, "org"]


class DutyOccurrenceSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    label = serializers.CharField(read_only=True)
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    activities = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Occurrence
        fields = ["id", "org", "org_name", "rule", "version", "label", "kind", "period_start", "period_end", "n",
                  "due_date", "status", "fulfilled_on", "excused_reason", "excused_at", "activities"]
        read_only_fields = fields


class DutyExcuseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text=_("免除理由"))


class DutyRuleVersionSerializer(serializers.ModelSerializer):
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = DutyRuleVersion
        fields = ["number", "kind", "title", "frequency", "times", "org_kinds", "sectors", "levels", "root",
                  "valid_from", "valid_to"]
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
