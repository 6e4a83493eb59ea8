"""Serializers of the responsibilities API. They validate and represent; every write is
made by a service in `dangjian.responsibilities.services`."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dangjian.core.api.serializers import FastRowsMixin, VersionField
from dangjian.orgs.api.serializers import ScopedPrimaryKeyRelatedField
from dangjian.orgs.models import Member, Org

from ..models import (
    ContactPoint,
    ContactVisit,
    LeaderDutyItem,
    LeaderDutyRecord,
    Responsibility,
    ResponsibilityDocument,
)

LEADER_FIELDS = ["member", "person", "leader_name"]


class LeaderFields(serializers.Serializer):
    member = ScopedPrimaryKeyRelatedField(Member, "view_members", label=_("党员"),
                                          help_text=_("领导干部（党员）；非党员领导见 person"))
    person = serializers.IntegerField(source="person_id", read_only=True, allow_null=True,
                                      help_text=_("非党员领导（只读）"))
    leader_name = serializers.CharField(read_only=True)


class ResponsibilitySerializer(FastRowsMixin, LeaderFields, serializers.ModelSerializer):
    org = ScopedPrimaryKeyRelatedField(Org, "change", label=_("党组织"))
    org_name = serializers.CharField(source="org.name", read_only=True)
    version = VersionField()

    class Meta:
        model = Responsibility
        fields = ["id", "org", "org_name", "level", *LEADER_FIELDS, "portfolio", "start_on", "end_on", "version"]


class ResponsibilityUpdateSerializer(ResponsibilitySerializer):
    class Meta(ResponsibilitySerializer.Meta):
        read_only_fields = ["org"]


class DocumentSerializer(FastRowsMixin, LeaderFields, serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)
    has_file = serializers.SerializerMethodField()
    version = VersionField(read_only=True)

    class Meta:
        model = ResponsibilityDocument
        fields = ["id", "kind", "org", "org_name", "title", *LEADER_FIELDS, "counterparty", "signed_on", "summary",
                  "file_name", "has_file", "version"]
        read_only_fields = fields

    def get_has_file(self, doc) -> bool:
        return bool(doc.file)


class DutyItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeaderDutyItem
        fields = ["id", "name", "times_per_year", "description", "position", "active"]
        read_only_fields = fields


class DutyRecordSerializer(FastRowsMixin, LeaderFields, serializers.ModelSerializer):
    org = ScopedPrimaryKeyRelatedField(Org, "change", label=_("所在党组织"))
    item = serializers.PrimaryKeyRelatedField(queryset=LeaderDutyItem.objects.filter(active=True), label=_("事项"))
    summary = serializers.CharField(max_length=4000)

    class Meta:
        model = LeaderDutyRecord
        fields = ["id", "org", "item", *LEADER_FIELDS, "year", "done_on", "summary"]
        read_only_fields = ["year"]


class ContactPointSerializer(FastRowsMixin, LeaderFields, serializers.ModelSerializer):
    org = ScopedPrimaryKeyRelatedField(Org, "change", label=_("领导所在党组织"))
    point_org = ScopedPrimaryKeyRelatedField(Org, "view", label=_("联系点"))
    point_org_name = serializers.CharField(source="point_org.name", read_only=True)
    version = VersionField()

    class Meta:
        model = ContactPoint
        fields = ["id", "org", *LEADER_FIELDS, "point_org", "point_org_name", "since", "until", "note",
                  "last_visit_on", "version"]
        read_only_fields = ["last_visit_on"]


class ContactVisitSerializer(FastRowsMixin, serializers.ModelSerializer):
    point = ScopedPrimaryKeyRelatedField(ContactPoint, "change", label=_("联系点"))
    summary = serializers.CharField(max_length=4000)
    problems = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    follow_up = serializers.CharField(max_length=4000, required=False, allow_blank=True)

    class Meta:
        model = ContactVisit
        fields = ["id", "point", "visited_on", "summary", "problems", "follow_up", "created_at"]
        read_only_fields = ["created_at"]
