"""The kit's scope matrix over activity records and occurrences: pages, API, export."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.duties import services
from dangjian.duties.models import Activity, Occurrence
from dangjian.testing import ScopeCases, ScopeWorld, make_user

from .conftest import at

TODAY = timezone.localdate()


@pytest.fixture
def accounts(city, users):
    return {"no_grant": users["none"], "own_user": users["a"], "everyone": users["city_admin"],
            "read_only": make_user("grid_a", "grid_worker", city.districts["a"])}


class TestActivityScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, city, accounts, kinds):
        def record(org, topic):
            city.member(org, name=f"{topic}党员")
            return services.activity_create(actor=None, org=org, kinds=[kinds["theme_day"]], starts_at=at(TODAY, 0),
                                            topic=topic)

        return ScopeWorld(
            **accounts,
            own=record(city.branches["a"], "甲区主题党日"),
            sibling=record(city.branches["b"], "乙区主题党日"),
            name=lambda activity: Activity.objects.get(pk=activity.pk).topic,
            count=Activity.objects.count,
            list_url=reverse("duties:activity_list"),
            detail_url=lambda activity: reverse("duties:activity_detail", args=[activity.pk]),
            create_url=lambda activity: reverse("duties:activity_create", args=[activity.org_id]),
            create_data={"kinds": [kinds["theme_day"].pk], "day": TODAY.isoformat(), "time": "00:01",
                         "topic": "新登记的活动"},
            create_valid=True,
            delete_url=lambda activity: reverse("duties:activity_delete", args=[activity.pk]),
            api_list_url="/api/v1/duty-activities/",
            api_detail_url=lambda activity: f"/api/v1/duty-activities/{activity.pk}/",
            export=lambda client: client.get(reverse("duties:activity_export", args=["csv"])),
        )


class TestOccurrenceScope(ScopeCases):
    @pytest.fixture
    def scope_world(self, city, accounts, kinds):
        month = TODAY.replace(day=1)
        services.roll_over(period_start=month, period_end=month, today=TODAY)

        def duty(org):
            return Occurrence.objects.get(org=org, kind__code="theme_day", period_start=month)

        return ScopeWorld(
            **accounts,
            own=duty(city.branches["a"]), sibling=duty(city.branches["b"]),
            name=lambda occurrence: occurrence.org.name,
            count=Occurrence.objects.count,
            list_url=reverse("duties:occurrence_list") + "?kind=theme_day",
            api_list_url="/api/v1/duty-occurrences/?kind=theme_day",
            api_detail_url=lambda occurrence: f"/api/v1/duty-occurrences/{occurrence.pk}/",
        )
