"""Names sort by pinyin on both databases (issue 9 item 6): the member list (by default
and by its name column), the organisation and area lists by their name column. Code
point order would give 安 张 李 王 陈; pinyin gives an, chen, li, wang, zhang."""

import re

import pytest

from dangjian.core.text import PinyinOrder
from dangjian.orgs.models import Member
from dangjian.testing import make_user

pytestmark = pytest.mark.django_db

NAMES = ["张三", "安娜", "李四", "王五", "陈六"]
PINYIN = ["安娜", "陈六", "李四", "王五", "张三"]


@pytest.fixture
def people(city):
    org = city.branches["a"]
    for name in NAMES:
        city.member(org, name=name)
    return org


def _order(page, names):
    found = [(page.index(f">{name}<"), name) for name in names]
    return [name for _at, name in sorted(found)]


def test_queryset_orders_names_by_pinyin(people):
    names = list(Member.objects.filter(org=people).order_by(PinyinOrder().asc(), "pk").values_list("name", flat=True))
    assert names == PINYIN
    names = list(Member.objects.filter(org=people).order_by(PinyinOrder().desc(), "pk").values_list("name", flat=True))
    assert names == PINYIN[::-1]


def test_member_list_sorts_by_pinyin_by_default_and_by_its_name_column(client, city, people):
    client.force_login(make_user("sec_pinyin", "secretary", city.districts["a"]))
    url = f"/members/?org={people.pk}"
    assert _order(client.get(url).content.decode(), NAMES) == PINYIN
    assert _order(client.get(url + "&sort=name").content.decode(), NAMES) == PINYIN
    assert _order(client.get(url + "&sort=-name").content.decode(), NAMES) == PINYIN[::-1]


def test_org_list_name_column_sorts_by_pinyin(client, city):
    from dangjian.orgs import services
    from dangjian.orgs.models import OrgKind, Sector

    for name in ["张庄党支部", "安居党支部", "陈村党支部"]:
        services.org_create(actor=None, parent=city.streets["a"], name=name, kind=OrgKind.BRANCH,
                            sector=Sector.RURAL)
    client.force_login(make_user("sec_pinyin", "secretary", city.districts["a"]))
    page = client.get(f"/orgs/list/?within={city.streets['a'].pk}&sort=name").content.decode()
    names = re.findall(r"(安居党支部|陈村党支部|张庄党支部)", page)
    assert names[:3] == ["安居党支部", "陈村党支部", "张庄党支部"]


def test_org_page_lists_its_members_by_pinyin(client, city, people):
    client.force_login(make_user("sec_pinyin", "secretary", city.districts["a"]))
    assert _order(client.get(f"/orgs/{people.pk}/").content.decode(), NAMES) == PINYIN


def test_an_index_serves_the_pinyin_order(people):
    # A district's first page walks this index instead of sorting every member of it.
    from django.db import connection

    queryset = Member.objects.order_by(PinyinOrder().asc(), "pk")[:50]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
        plan = queryset.explain()
    assert "member_pinyin_order_idx" in plan, plan
