"""The public view's reads: a fixed number of queries, and where a free-text address is."""

import pytest

from dangjian.open311 import selectors
from dangjian.orgs import services as org_services
from dangjian.orgs.models import Area, AreaKind

from .conftest import submit


def test_listing_takes_a_fixed_number_of_queries(client, city, categories, django_assert_max_num_queries):
    for n in range(12):
        submit(city, categories[n % 2], key="ab"[n % 2], description=f"第{n}件", area=city.grids["ab"[n % 2]][n % 2])
    with django_assert_max_num_queries(4):
        response = client.get("/open311/v2/requests.json")
    assert response.status_code == 200 and len(response.json()) == 12
    assert {r["address"].split("，")[0] for r in response.json()} == {"甲区幸福社区", "乙区幸福社区"}


def test_a_free_text_address_names_the_deepest_place(city):
    grid = city.grids["a"][1]
    building = Area.objects.get(path__startswith=grid.path, kind=AreaKind.BUILDING)
    assert selectors.area_by_address("甲区幸福社区") == city.communities["a"].area
    assert selectors.area_by_address("江苏省测试市甲区幸福社区 第2网格 2号楼 502室") == building
    assert selectors.area_by_address("乙区幸福社区第1网格") == city.grids["b"][0]
    assert selectors.area_by_address("幸福社区") is None  # no community is called that
    assert selectors.area_by_address("") is None


def test_two_communities_of_one_name_are_told_apart_by_the_street(city):
    for key in "ab":
        org_services.area_create(actor=None, parent=city.streets[key].area, name="新村社区", kind=AreaKind.COMMUNITY)
    in_a = Area.objects.get(name="新村社区", path__startswith=city.streets["a"].area.path)
    assert selectors.area_by_address("甲区一街道新村社区3号") == in_a
    assert selectors.area_by_address("甲区新村社区") == in_a
    assert selectors.area_by_address("新村社区") is None  # which one cannot be told


@pytest.mark.parametrize("text, masked", [
    ("电话13912345678请回电", "电话139****5678请回电"),
    ("身份证320602198005170011", "身份证"),
    ("门牌号123456", "门牌号123456"),
])
def test_scrub_masks_phone_and_id_numbers(text, masked):
    out = selectors.scrub(text)
    assert out.startswith(masked)
    assert "13912345678" not in out and "320602198005170011" not in out
