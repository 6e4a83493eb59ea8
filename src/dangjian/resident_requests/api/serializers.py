"""Serializers of the requests API: they validate and represent, never save (services do).
Personal data: the phone and name only masked; the tracking code never (it is the resident's)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..models import Category, Channel, DispatchUnit, Request, RequestEvent


class RequestCategorySerializer(serializers.ModelSerializer):
    default_unit_kind = serializers.CharField(read_only=True)
    class Meta:
        model = Category
        fields = ["id", "code", "name", "description", "active", "default_unit_kind", "deadline_hours",
                  "deadline_working_days"]
        read_only_fields = fields


class RequestUnitSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=_("community_office 社区办公室, street_department 街道部门, property_company 物业公司, owners_committee 业主委员会, cobuilding_unit 共建单位"))
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = DispatchUnit
        fields = ["id", "name", "kind", "org", "org_name", "active"]
        read_only_fields = fields


class ResidentRequestSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None, allow_null=True)
    public_status = serializers.SerializerMethodField()

    class Meta:
        model = Request
        fields = ["id", "number", "status", "public_status", "channel", "category", "category_name", "area",
                  "community", "grid", "address", "latitude", "longitude", "description", "name_masked",
                  "phone_masked", "org", "org_name", "first_handler", "accepted_at", "unit", "unit_name",
                  "dispatched_at", "deadline_at", "escalation_level", "escalated_to", "submitted_at", "resolved_at",
                  "resolution", "closed_at", "confirmed_at", "reopen_count", "rating", "linked_measure"]
        read_only_fields = fields

    def get_public_status(self, obj) -> str:
        from ..selectors import public_status

        return public_status(obj)


class ResidentRequestCreateSerializer(serializers.Serializer):
    """全程代办 through the API: staff enter a request on a resident's behalf."""

    channel = serializers.ChoiceField(choices=[Channel.STAFF, Channel.PHONE, Channel.IN_PERSON], default=Channel.STAFF)
    category = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text=_("类别id"))
    area = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text=_("地点（社区、网格、楼栋）id"))
    description = serializers.CharField(max_length=2000)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class RequestEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestEvent
        fields = ["id", "kind", "at", "actor", "unit", "org", "note", "public_note"]
        read_only_fields = fields


class RequestDispatchSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RequestReassignSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    reason = serializers.CharField(max_length=500, allow_blank=True)


class RequestNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, allow_blank=True)


class RequestReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class RequestQuestionSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=300, allow_blank=True)


class RequestResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=2000, allow_blank=True)


class RequestExtendSerializer(serializers.Serializer):
    deadline_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=500, allow_blank=True)


class RequestStepSerializer(serializers.Serializer):
    pass


class RequestFigureRowSerializer(serializers.Serializer):
    category = serializers.IntegerField(required=False, allow_null=True)
    grid = serializers.IntegerField(required=False, allow_null=True)
    label = serializers.CharField(required=False)
    received = serializers.IntegerField()
    solved = serializers.IntegerField(help_text=_("已办结且未被居民要求重新办理"))
    on_time = serializers.IntegerField()
    overdue = serializers.IntegerField()
    reopened = serializers.IntegerField()
    rated = serializers.IntegerField()
    satisfied = serializers.IntegerField(help_text=_("评4分或5分"))
    due = serializers.IntegerField(help_text=_("按时办结率的分母：已办结或已到期"))
    on_time_rate = serializers.FloatField(allow_null=True)
    solved_rate = serializers.FloatField(allow_null=True)
    reopen_rate = serializers.FloatField(allow_null=True)
    satisfaction = serializers.FloatField(allow_null=True)
    average_rating = serializers.FloatField(allow_null=True)


class RequestFiguresSerializer(serializers.Serializer):
    total = RequestFigureRowSerializer()
    by_category = RequestFigureRowSerializer(many=True)
    by_grid = RequestFigureRowSerializer(many=True)
