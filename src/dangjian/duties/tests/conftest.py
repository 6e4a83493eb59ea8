import datetime

import pytest

from dangjian.duties import services
from dangjian.duties.models import ActivityKind


@pytest.fixture
def kinds(db):
    from django.apps import apps

    from dangjian.duties.defaults import install

    install(apps)  # a flushed database (after a transactional test) has lost the migration's rows
    return {k.code: k for k in ActivityKind.objects.all()}


@pytest.fixture
def branch_world(city, kinds):
    """District A's grid branch with three members; the rules rolled over for this year so far."""
    branch = city.branches["a"]
    members = [city.member(branch, name=name) for name in ("赵一", "钱二", "孙三")]
    return {"branch": branch, "members": members}


def at(day, hour=19):
    """`day` at `hour` local time, but never in the future (a test running just after
    midnight records "today" a few seconds ago)."""
    from django.utils import timezone

    moment = timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, 0))
    return min(moment, timezone.now() - datetime.timedelta(seconds=1))


@pytest.fixture
def roll(kinds):
    def run(start, end, today):
        return services.roll_over(period_start=start, period_end=end, today=today)
    return run


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
