"""Serializers of the organisation API. They validate and represent; they never save.
Every write is made by a service in `dangjian.orgs.services` (see views.py)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dangjian.core.api.serializers import FastRowsMixin, VersionField

from ..models import Area, Member, Org, Post


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key chosen among the rows the requesting user may see for `action`.

    A row outside the caller's scope answers like a row that does not exist, so an id
    alone never tells whether something is there."""

    def __init__(self, model, action="view", **kwargs):
        self.model = model
        self.action = action
        kwargs.setdefault("queryset", model.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return self.model.objects.visible_to(user, self.action)


class AreaSerializer(FastRowsMixin, serializers.ModelSerializer):
    parent = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("上级区域（顶级为空）"))
    version = VersionField(read_only=True)

    class Meta:
        model = Area
        fields = ["id", "name", "kind", "code", "depth", "parent", "version"]
        read_only_fields = fields


class ParentField(ScopedPrimaryKeyRelatedField):
    """Writable on create; read from the `parent` annotation the views add (one query per page)."""

    def get_attribute(self, instance):
        return getattr(instance, "parent", None)

    def to_representation(self, value):
        return value if isinstance(value, int) else value.pk


class OrgSerializer(FastRowsMixin, serializers.ModelSerializer):
    """An organisation. `parent` is set when creating; moving uses the `move` action."""

    parent = ParentField(Org, required=False, allow_null=True,
                         help_text=_("上级组织：创建时必填，顶级组织为空；之后请用 move 操作调整。"))
    area = ScopedPrimaryKeyRelatedField(Area, required=False, allow_null=True, label=_("覆盖区域"))
    children_count = serializers.IntegerField(source="numchild", read_only=True, label=_("下级组织数"))
    version = VersionField()

    class Meta:
        model = Org
        fields = ["id", "name", "short_name", "kind", "sector", "hanyang_level", "is_regional", "area", "code",
                  "unit_name", "founded_on", "phone", "closed_at", "depth", "children_count", "parent", "version"]
        read_only_fields = ["closed_at", "depth"]

    def validate(self, attrs):
        if self.instance is None and attrs.get("parent") is None:
            raise serializers.ValidationError({"parent": _("请选择上级组织。")})
        if self.instance is not None and "parent" in attrs:
            raise serializers.ValidationError({"parent": _("请使用“移动”操作调整上级组织。")})
        return attrs


class OrgMoveSerializer(serializers.Serializer):
    new_parent = ScopedPrimaryKeyRelatedField(Org, help_text=_("新的上级组织"))


class OrgCloseSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, help_text=_("撤销日期，默认今天"))


class MemberSerializer(FastRowsMixin, serializers.ModelSerializer):
    """A member as staff see it: ID number, phone and address only in masked form. The full
    values are written here but read back only through the audited `reveal` action."""

    id_number = serializers.CharField(write_only=True, max_length=32, label=_("身份证号"))
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=32,
                                  label=_("手机号"))
    address = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=200,
                                    label=_("住址"))
    org = ScopedPrimaryKeyRelatedField(Org, label=_("所在党组织"))
    # Where a member lives and works may lie outside the caller's subtree (双报到, 实绩送到).
    residence_area = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.all(), required=False, allow_null=True, label=_("居住社区")
    )
    employer_org = serializers.PrimaryKeyRelatedField(
        queryset=Org.objects.all(), required=False, allow_null=True, label=_("工作单位党组织")
    )
    version = VersionField()

    class Meta:
        model = Member
        fields = ["id", "name", "id_number", "phone", "address", "id_number_masked", "phone_masked",
                  "address_masked", "gender", "ethnicity", "birth_date", "education", "joined_on", "full_on",
                  "status", "category", "job", "org", "residence_area", "employer_org", "employer_name",
                  "left_on", "created_at", "updated_at", "version"]
        read_only_fields = ["id_number_masked", "phone_masked", "address_masked", "birth_date", "left_on",
                            "created_at", "updated_at"]
        extra_kwargs = {
            "gender": {"required": False, "allow_blank": True, "help_text": _("不填则按身份证号推定")},
            "ethnicity": {"required": False},
            "education": {"required": False, "allow_blank": True},
        }


class MemberRevealSerializer(serializers.Serializer):
    id_number = serializers.CharField(label=_("身份证号"))
    phone = serializers.CharField(label=_("手机号"), allow_blank=True)
    address = serializers.CharField(label=_("住址"), allow_blank=True)


class PostSerializer(FastRowsMixin, serializers.ModelSerializer):
    member = ScopedPrimaryKeyRelatedField(Member, "view_members", label=_("党员"))
    org = ScopedPrimaryKeyRelatedField(Org, label=_("党组织"))
    area = ScopedPrimaryKeyRelatedField(Area, required=False, allow_null=True, label=_("负责区域"))
    # The holder's name: the member's, or a non-member holder's (a 楼栋长 whose `member` is null).
    member_name = serializers.CharField(source="holder.name", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    version = VersionField(read_only=True)

    class Meta:
        model = Post
        fields = ["id", "member", "member_name", "org", "org_name", "kind", "area", "representing", "start_on",
                  "end_on", "version"]
        read_only_fields = ["end_on"]


class PostEndSerializer(serializers.Serializer):
    end_on = serializers.DateField(label=_("离任日期"))


# Overview ----------------------------------------------------------------------------

class LabelledCountSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class CoverageFigureSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    covered = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text=_("百分比；没有可统计的对象时为空"))


class CoverageSerializer(serializers.Serializer):
    grid = CoverageFigureSerializer(help_text=_("有网格党支部的网格"))
    building = CoverageFigureSerializer(help_text=_("有楼栋党小组的楼栋"))


class OverviewSerializer(serializers.Serializer):
    orgs_total = serializers.IntegerField()
    grassroots_total = serializers.IntegerField()
    orgs_by_kind = LabelledCountSerializer(many=True)
    orgs_by_sector = LabelledCountSerializer(many=True)
    members_total = serializers.IntegerField()
    members_by_status = LabelledCountSerializer(many=True)
    members_by_category = LabelledCountSerializer(many=True)
    coverage = CoverageSerializer()


@extend_schema_field({"anyOf": [{"type": "integer"}, {"type": "number"}, {"type": "string"}],
                      "nullable": True})
class FigureValueField(serializers.Field):
    """A panel figure: a count, a rate or a short text, as the panel gives it."""

    def to_representation(self, value):
        if value is None or isinstance(value, (bool, int, float)):
            return value
        return str(value)


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = FigureValueField()
    url = serializers.CharField(required=False, allow_blank=True, default="")


class PanelSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    figures = FigureSerializer(many=True)


class SummarySerializer(serializers.Serializer):
    overview = OverviewSerializer()
    panels = PanelSerializer(many=True, help_text=_("各模块登记的概览面板"))
