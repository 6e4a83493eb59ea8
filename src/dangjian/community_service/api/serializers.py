"""Serializers of the community_service API. A report shows the member as the community
sees them: the name and the masked phone, never the ID number."""

from rest_framework import serializers

from ..models import Booking, Claim, MemberReport, ServiceItem, Whistle, WhistleCall


class ReportSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    member_phone = serializers.CharField(source="member.phone_masked", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = MemberReport
        fields = ["id", "member", "member_name", "member_phone", "community", "community_name", "offer", "status",
                  "registered_at", "decided_at", "note"]
        read_only_fields = ["status", "registered_at", "decided_at", "note"]


class ReportCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    community = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    offer = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ItemSerializer(serializers.ModelSerializer):
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = ServiceItem
        fields = ["id", "org", "org_name", "kind", "title", "description", "place", "starts_on", "time_text",
                  "capacity", "cancelled"]
        read_only_fields = fields


class BookingSerializer(serializers.ModelSerializer):
    who = serializers.CharField(read_only=True)
    item_title = serializers.CharField(source="item.title", read_only=True)
    starts_on = serializers.DateField(source="item.starts_on", read_only=True)

    class Meta:
        model = Booking
        fields = ["id", "item", "item_title", "starts_on", "member", "unit", "who", "cancelled", "attendance",
                  "attendance_by_self", "service"]
        read_only_fields = fields


class CallSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    on_time = serializers.BooleanField(read_only=True)

    class Meta:
        model = WhistleCall
        fields = ["id", "unit", "unit_name", "answered_at", "arrived_at", "on_time", "result"]
        read_only_fields = fields


class WhistleSerializer(serializers.ModelSerializer):
    calls = CallSerializer(many=True, read_only=True)

    class Meta:
        model = Whistle
        fields = ["id", "street", "title", "description", "place", "due_at", "created_at", "calls"]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Claim
        fields = ["id", "community", "demand", "resource", "title", "claimant_name", "unit", "project", "measure",
                  "deadline", "created_at", "done_at", "result"]
        read_only_fields = fields
