"""Serializers of the co-building API. They validate and represent; every write is made
by a service in `dangjian.cobuilding.services`."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dangjian.core.api.serializers import FastRowsMixin, VersionField
from dangjian.orgs.api.serializers import ScopedPrimaryKeyRelatedField
from dangjian.orgs.models import Area, Member, Org

from ..models import (
    Agreement,
    AgreementParty,
    Alliance,
    AllianceMember,
    Commitment,
    InstructorAssignment,
    InstructorReview,
    PartyInstructor,
    PartyRole,
    Unit,
    UnitReport,
)


class UnitSerializer(FastRowsMixin, serializers.ModelSerializer):
    area = ScopedPrimaryKeyRelatedField(Area, "change", label=_("所在区域"))
    covering_org = ScopedPrimaryKeyRelatedField(Org, "view", label=_("覆盖党组织"), required=False, allow_null=True)
    org = serializers.PrimaryKeyRelatedField(read_only=True, help_text=_("属地党组织（由所在区域决定）"))
    org_name = serializers.CharField(source="org.name", read_only=True)
    credit_code = serializers.CharField(max_length=24, required=False, allow_blank=True, label=_("统一社会信用代码"))
    staff_size = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, allow_null=True)
    version = VersionField()

    class Meta:
        model = Unit
        fields = ["id", "name", "credit_code", "kind", "staff_size", "address", "area", "org", "org_name", "coverage",
                  "covering_org", "contact_name", "closed_on", "created_at", "updated_at", "version"]
        read_only_fields = ["org", "closed_on", "created_at", "updated_at"]


class UnitUpdateSerializer(UnitSerializer):
    area = ScopedPrimaryKeyRelatedField(Area, "change", label=_("所在区域"), required=False)


class CloseSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, help_text=_("迁出/注销日期，默认今天"))


class AssignmentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = InstructorAssignment
        fields = ["id", "instructor", "unit", "unit_name", "start_on", "end_on"]
        read_only_fields = fields


class InstructorSerializer(serializers.ModelSerializer):
    org = ScopedPrimaryKeyRelatedField(Org, "change", label=_("选派党组织"))
    member = ScopedPrimaryKeyRelatedField(Member, "view_members", label=_("党员"), required=False, allow_null=True)
    person_name = serializers.CharField(max_length=60, required=False, allow_blank=True, write_only=True)
    person_phone = serializers.CharField(max_length=15, required=False, allow_blank=True, write_only=True)
    name = serializers.CharField(read_only=True)
    assignments = AssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = PartyInstructor
        fields = ["id", "name", "org", "member", "person", "person_name", "person_phone", "former_post", "record",
                  "appointed_on", "ended_on", "assignments"]
        read_only_fields = ["person", "ended_on"]


class AssignSerializer(serializers.Serializer):
    unit = ScopedPrimaryKeyRelatedField(Unit, "change", label=_("派驻单位"))
    start_on = serializers.DateField()
    end_on = serializers.DateField(required=False, allow_null=True)


class InstructorReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = InstructorReview
        fields = ["id", "assignment", "period", "unit_rating", "unit_comment", "sender_rating", "sender_comment"]
        read_only_fields = ["id", "assignment"]


class PartySerializer(serializers.ModelSerializer):
    unit = ScopedPrimaryKeyRelatedField(Unit, "view", label=_("共建单位"))
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    role = serializers.ChoiceField(choices=PartyRole.choices, default=PartyRole.PARTNER)

    class Meta:
        model = AgreementParty
        fields = ["unit", "unit_name", "role"]


class CommitmentSerializer(serializers.ModelSerializer):
    unit = ScopedPrimaryKeyRelatedField(Unit, "view", label=_("承诺单位（空为党组织一方）"), required=False,
                                        allow_null=True)

    class Meta:
        model = Commitment
        fields = ["unit", "text"]


class AgreementSerializer(serializers.ModelSerializer):
    org = ScopedPrimaryKeyRelatedField(Org, "change", label=_("社区/街道党组织"))
    org_name = serializers.CharField(source="org.name", read_only=True)
    parties = PartySerializer(many=True)
    commitments = CommitmentSerializer(many=True, required=False)

    class Meta:
        model = Agreement
        fields = ["id", "org", "org_name", "kind", "title", "start_on", "end_on", "signed_on", "parties",
                  "commitments", "created_at"]
        read_only_fields = ["created_at"]


class AllianceMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = AllianceMember
        fields = ["org", "unit", "joined_on"]
        read_only_fields = fields


class AllianceSerializer(serializers.ModelSerializer):
    lead_org = ScopedPrimaryKeyRelatedField(Org, "change", label=_("牵头党组织"))
    member_orgs = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                        write_only=True, required=False, max_length=200)
    member_units = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                         write_only=True, required=False, max_length=200)
    members = AllianceMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Alliance
        fields = ["id", "lead_org", "kind", "name", "founded_on", "description", "member_orgs", "member_units",
                  "members", "created_at"]
        read_only_fields = ["created_at"]


class UnitReportSerializer(serializers.ModelSerializer):
    unit = ScopedPrimaryKeyRelatedField(Unit, "view", label=_("驻区单位"))
    community = ScopedPrimaryKeyRelatedField(Org, "view", label=_("报到社区党组织"))
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = UnitReport
        fields = ["id", "unit", "unit_name", "community", "community_name", "status", "offer", "registered_at",
                  "decided_at", "ended_on"]
        read_only_fields = ["status", "registered_at", "decided_at", "ended_on"]


class UnitCoverageCellSerializer(serializers.Serializer):
    coverage = serializers.CharField()
    label = serializers.CharField()
    value = serializers.IntegerField()
    url = serializers.CharField()


class UnitCoverageRowSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    cells = UnitCoverageCellSerializer(many=True)
    total = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    url = serializers.CharField()


class UnitCoverageSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    covered = serializers.IntegerField()
    uncovered = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True, help_text=_("有效覆盖率（%），无单位时为空"))
    rows = UnitCoverageRowSerializer(many=True)
    uncovered_url = serializers.CharField()
