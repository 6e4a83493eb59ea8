import pytest

from dangjian.cobuilding import services
from dangjian.cobuilding.models import Coverage, UnitKind
from dangjian.cobuilding.uscc import check_character
from dangjian.testing import make_user

_serial = iter(range(1, 10**6))


def make_code(region="320602"):
    """A valid unified social credit code (enterprise, 91...), unique per call."""
    n = next(_serial)
    first17 = f"91{region}MA{n:07d}"
    return first17 + check_character(first17)


@pytest.fixture
def people(city):
    return {
        "community": make_user("community_sec", "secretary", city.communities["a"], also=("data_exchange",)),
        "street": make_user("street_sec", "secretary", city.streets["a"], also=("data_exchange",)),
        "other": make_user("other_sec", "secretary", city.communities["b"], also=("data_exchange",)),
    }


@pytest.fixture
def units(city):
    """Two units in community A (one covered by the community, one uncovered) and one in B."""
    a, b = city.communities["a"], city.communities["b"]
    return {
        "own": services.unit_create(actor=None, name="甲区幸福科技有限公司", kind=UnitKind.PRIVATE,
                                    area=a.area, credit_code=make_code(), coverage=Coverage.OWN,
                                    covering_org=city.branches["a"], staff_size=40),
        "bare": services.unit_create(actor=None, name="甲区幸福小学", kind=UnitKind.SCHOOL, area=city.grids["a"][1]),
        "sibling": services.unit_create(actor=None, name="乙区幸福医院", kind=UnitKind.HOSPITAL, area=b.area),
    }
