import pytest

from dangjian.resident_requests import services
from dangjian.resident_requests.models import Category, Channel, UnitKind
from dangjian.testing import make_user


@pytest.fixture
def category(db):
    return Category.objects.create(code="repair", name="物业维修", deadline_working_days=3,
                                   default_unit_kind=UnitKind.PROPERTY_COMPANY)


@pytest.fixture
def world(city, category):
    """A grid worker at district A's grid branch, the community and street secretaries above
    it, units at the community and the street, and a unit in district B (another subtree)."""
    class W:
        pass

    w = W()
    w.city, w.category = city, category
    w.grid_worker = make_user("grid_a", "grid_worker", city.branches["a"])
    w.community_sec = make_user("comm_a", "secretary", city.communities["a"])
    w.street_sec = make_user("street_a", "secretary", city.streets["a"])
    w.other = make_user("grid_b", "grid_worker", city.branches["b"])
    w.property = services.unit_create(actor=None, org=city.communities["a"], name="幸福物业", kind=UnitKind.PROPERTY_COMPANY)
    w.street_unit = services.unit_create(actor=None, org=city.streets["a"], name="城管科", kind=UnitKind.STREET_DEPARTMENT)
    w.unit_b = services.unit_create(actor=None, org=city.communities["b"], name="乙区物业", kind=UnitKind.PROPERTY_COMPANY)
    return w


def submit(world, key="a", **kwargs):
    args = dict(channel=Channel.WEB, category=world.category, description="楼道灯坏了", area=world.city.grids[key][0])
    args.update(kwargs)
    return services.request_submit(**args)
