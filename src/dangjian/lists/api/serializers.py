"""Serializers of the lists API. They validate and represent; they never save. Every
write is made by a service in `dangjian.lists.services` (see views.py)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dangjian.core.api.serializers import FastRowsMixin, VersionField
from dangjian.orgs.api.serializers import ScopedPrimaryKeyRelatedField
from dangjian.orgs.models import Member, Org

from ..models import Evidence, List, Measure, Programme, ProgrammeDomain, ProgressReport, Project, Review, Revision


class ProgrammeDomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeDomain
        fields = ["id", "code", "name", "description"]
        read_only_fields = fields


class ListSerializer(FastRowsMixin, serializers.ModelSerializer):
    org = ScopedPrimaryKeyRelatedField(Org, "change", label=_("所属组织"))
    org_name = serializers.CharField(source="org.name", read_only=True)
    version = VersionField()

    class Meta:
        model = List
        fields = ["id", "org", "org_name", "kind", "title", "period_start", "period_end", "description", "averaging",
                  "missing_progress", "is_public", "published_at", "created_at", "updated_at", "version"]
        read_only_fields = ["is_public", "published_at", "created_at", "updated_at"]


class ListUpdateSerializer(ListSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, write_only=True,
                                   help_text=_("已公示的清单修改时必填，显示在公示页的变更记录中。"))

    class Meta(ListSerializer.Meta):
        fields = [*ListSerializer.Meta.fields, "reason"]
        read_only_fields = [*ListSerializer.Meta.read_only_fields, "org"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, help_text=_("原因"))


class RowSerializer(serializers.Serializer):
    """One row of a roll-up: how it counted towards its parent."""

    type = serializers.CharField()
    id = serializers.IntegerField(allow_null=True)
    title = serializers.CharField()
    weight = serializers.FloatField()
    value = serializers.FloatField(allow_null=True, help_text=_("完成率（0–100）；不计入时为空"))
    has_progress = serializers.BooleanField()
    counted = serializers.BooleanField()
    share = serializers.FloatField(allow_null=True, help_text=_("在上级中所占比重（0–1）"))
    contribution = serializers.FloatField(allow_null=True, help_text=_("对上级完成率的贡献（百分点）"))
    rows = serializers.ListField(child=serializers.DictField(), required=False)


def figure(value):
    """A completion as the API gives it: the displayed figure (rollup.figure) as a number."""
    return float(value) if value is not None else None


class RollupSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text=_("清单完成率（%，一位小数，与页面一致）"))
    averaging = serializers.CharField()
    missing = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    rows = RowSerializer(many=True)


def rollup_rows(result):
    out = []
    for row in result.rows:
        obj = row.obj
        data = {
            "type": type(obj).__name__.lower() if obj is not None else "",
            "id": getattr(obj, "pk", None), "title": row.label, "weight": row.weight, "value": row.value,
            "has_progress": row.has_progress, "counted": row.counted, "share": row.share,
            "contribution": row.contribution,
        }
        if row.children is not None:
            data["rows"] = rollup_rows(row.children)
        out.append(data)
    return out


class ProgrammeSerializer(FastRowsMixin, serializers.ModelSerializer):
    list = ScopedPrimaryKeyRelatedField(List, "change", label=_("清单"))
    org = ScopedPrimaryKeyRelatedField(Org, "change", required=False, allow_null=True, label=_("牵头组织"))
    domain = serializers.PrimaryKeyRelatedField(queryset=ProgrammeDomain.objects.all(), required=False,
                                                allow_null=True, label=_("工程领域"))
    reason = serializers.CharField(required=False, allow_blank=True, write_only=True)
    version = VersionField()

    class Meta:
        model = Programme
        fields = ["id", "list", "org", "domain", "title", "description", "weight", "position", "reason", "version"]
        extra_kwargs = {"weight": {"required": False}, "position": {"required": False}}


class ProjectSerializer(FastRowsMixin, serializers.ModelSerializer):
    list = ScopedPrimaryKeyRelatedField(List, "change", label=_("清单"))
    programme = ScopedPrimaryKeyRelatedField(Programme, "change", required=False, allow_null=True,
                                             label=_("所属工程"))
    org = ScopedPrimaryKeyRelatedField(Org, "change", required=False, allow_null=True, label=_("牵头组织"))
    leader = ScopedPrimaryKeyRelatedField(Member, "view_members", required=False, allow_null=True,
                                          label=_("牵头人"))
    leader_name = serializers.CharField(source="leader.name", read_only=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, write_only=True)
    version = VersionField()

    class Meta:
        model = Project
        fields = ["id", "list", "programme", "org", "title", "description", "is_secretary_project", "leader",
                  "leader_name", "weight", "is_public", "position", "reason", "version"]
        extra_kwargs = {"weight": {"required": False}, "position": {"required": False}}


class MeasureSerializer(FastRowsMixin, serializers.ModelSerializer):
    list = ScopedPrimaryKeyRelatedField(List, "change", label=_("清单"))
    project = ScopedPrimaryKeyRelatedField(Project, "change", required=False, allow_null=True, label=_("所属项目"))
    org = ScopedPrimaryKeyRelatedField(Org, "change", label=_("责任组织"))
    org_name = serializers.CharField(source="org.name", read_only=True)
    responsible = ScopedPrimaryKeyRelatedField(Member, "view_members", required=False, allow_null=True,
                                               label=_("责任人"))
    responsible_name = serializers.CharField(source="responsible.name", read_only=True, default="")
    is_overdue = serializers.BooleanField(read_only=True)
    weight = serializers.DecimalField(max_digits=8, decimal_places=2, required=False,
                                      help_text=_("大于0且不超过100"))
    target_value = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, write_only=True)
    version = VersionField()

    class Meta:
        model = Measure
        fields = ["id", "list", "project", "org", "org_name", "responsible", "responsible_name", "title", "target",
                  "target_value", "target_unit", "start_on", "deadline", "weight", "status", "progress",
                  "progress_value", "has_progress", "is_overdue", "last_reported_at", "submitted_at", "accepted_at",
                  "accepted_by", "is_public", "position", "metric", "created_at", "updated_at", "reason", "version"]
        read_only_fields = ["status", "progress", "progress_value", "has_progress", "last_reported_at",
                            "submitted_at", "accepted_at", "accepted_by", "created_at", "updated_at"]
        extra_kwargs = {"position": {"required": False}, "target_unit": {"required": False},
                        "metric": {"required": False,
                                   "help_text": _("平台指标（见 /api/v1/metrics/）：绑定后进度由平台记录计算，不能报告")}}


class MeasureUpdateSerializer(MeasureSerializer):
    class Meta(MeasureSerializer.Meta):
        read_only_fields = [*MeasureSerializer.Meta.read_only_fields, "list"]


class EvidenceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "name", "kind", "content_type", "size", "sha256", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("lists:evidence_file", args=[obj.pk])


class ProgressReportSerializer(serializers.ModelSerializer):
    measure = ScopedPrimaryKeyRelatedField(Measure, "change", label=_("措施"))
    evidence = EvidenceSerializer(many=True, read_only=True)
    files = serializers.ListField(child=serializers.FileField(), required=False, write_only=True,
                                  help_text=_("佐证材料（可选，multipart 上传，最多9个）"))
    percent = serializers.DecimalField(max_digits=8, decimal_places=2, required=False, allow_null=True,
                                       help_text=_("0–100；有目标值时可改填 value"))
    value = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)

    class Meta:
        model = ProgressReport
        fields = ["id", "measure", "percent", "value", "note", "reported_by_name", "reported_at", "evidence", "files"]
        read_only_fields = ["reported_by_name", "reported_at"]
        extra_kwargs = {"note": {"required": False}}


class MeasureReportSerializer(ProgressReportSerializer):
    class Meta(ProgressReportSerializer.Meta):
        fields = [f for f in ProgressReportSerializer.Meta.fields if f != "measure"]


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "measure", "decision", "reason", "reviewer_name", "reviewer_org", "reviewed_at"]
        read_only_fields = fields


class AcceptSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True)


class SendBackSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=_("退回原因"))


class RevisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Revision
        fields = ["id", "object_type", "object_id", "object_repr", "changes", "reason", "created_at"]
        read_only_fields = fields


class BoardRowSerializer(serializers.Serializer):
    org = serializers.IntegerField(source="org.pk")
    org_name = serializers.CharField(source="org.name")
    rank = serializers.IntegerField(allow_null=True)
    measures = serializers.IntegerField(source="n")
    completion = serializers.FloatField(source="value", allow_null=True,
                                        help_text=_("完成率（%，一位小数，与页面一致；见 docs/lists.md）"))
    overdue = serializers.IntegerField()
    accepted = serializers.IntegerField()


class BoardSerializer(serializers.Serializer):
    root = serializers.IntegerField(source="root.pk")
    rule = serializers.CharField()
    total_value = serializers.FloatField(allow_null=True)
    rows = BoardRowSerializer(many=True)


class MetricSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    kind = serializers.ChoiceField(choices=["count", "rate"])
    description = serializers.CharField()
