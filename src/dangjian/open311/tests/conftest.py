import pytest

from dangjian.open311 import services as open311_services
from dangjian.orgs.models import Area
from dangjian.resident_requests import services as request_services
from dangjian.resident_requests.models import Category, Channel


@pytest.fixture
def categories(db):
    # Categories are configuration H3's services do not write yet; created directly.
    return [
        Category.objects.create(code="repair", name="物业维修", description="楼道灯、电梯、水管等维修",
                                deadline_working_days=3, position=1),
        Category.objects.create(code="sanitation", name="环境卫生", deadline_hours=24, position=2),
        Category.objects.create(code="retired", name="已停用类别", active=False, position=3),
    ]


@pytest.fixture
def client_key(db):
    return open311_services.client_create(actor=None, name="市民热线App")


@pytest.fixture
def key(client_key):
    return client_key[1]


def building(city, key="a", grid=0):
    return Area.objects.get(path__startswith=city.grids[key][grid].path, kind="building")


def submit(city, category, *, key="a", description="楼道灯坏了", **fields):
    fields.setdefault("area", building(city, key))
    return request_services.request_submit(channel=Channel.WEB, category=category, description=description,
                                           **fields)
