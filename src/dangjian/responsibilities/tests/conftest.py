import datetime
import io

import pytest
from django.utils import timezone

from dangjian.responsibilities import services
from dangjian.responsibilities.models import Level

TODAY = timezone.localdate()
YEAR_AGO = TODAY - datetime.timedelta(days=365)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Upload(io.BytesIO):
    def __init__(self, data, name):
        super().__init__(data)
        self.name = name
        self.size = len(data)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def leaders(city):
    """The leaders of both districts: secretary, party-affairs cadre, another leader."""
    out = {}
    for key, prefix in (("a", "甲"), ("b", "乙")):
        district = city.districts[key]
        out[key] = {
            "secretary": city.member(district, name=f"{prefix}书记"),
            "affairs": city.member(district, name=f"{prefix}组织部长"),
            "other": city.member(district, name=f"{prefix}副区长"),
        }
    return out


def give_all_levels(org, people, start=YEAR_AGO):
    return [services.responsibility_create(actor=None, org=org, level=level, member=people[who], start_on=start,
                                           portfolio=portfolio)
            for level, who, portfolio in ((Level.PRIMARY, "secretary", ""), (Level.DIRECT, "affairs", "组织工作"),
                                          (Level.SPECIFIC, "other", "经济发展"))]


def make_point(city, key, leader, since=YEAR_AGO, **fields):
    return services.contact_point_create(actor=None, org=city.districts[key], point_org=city.communities[key],
                                         member=leader, since=since, **fields)
