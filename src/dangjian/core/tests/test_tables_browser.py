"""Every list page through the kit's tables, in a real headless Chromium (Debian's): at
375 px rows become cards and no page scrolls sideways; at 1280 px a header sorts. A
district secretary walks the pages of orgs, members, areas, lists, measures and
approvals; the account and audit lists are walked by their administrators. Screenshots
go to /tmp/table-shots/ for review."""

import datetime
import os
from pathlib import Path

import pytest

from dangjian.core.text import search_key

from dangjian.lists import services as list_services
from dangjian.orgs import services as org_services
from dangjian.testing import PASSWORD, City, make_user

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("DANGJIAN_TABLE_SHOTS_DIR", "/tmp/table-shots"))
WIDTHS = {375: {"width": 375, "height": 812}, 1280: {"width": 1280, "height": 900}}
SECRETARY_PAGES = {
    "orgs": "/orgs/list/", "members": "/members/", "areas": "/areas/list/", "lists": "/lists/",
    "measures": "/lists/measures/", "notifications": "/lists/notifications/", "approvals": "/accounts/approvals/",
    "members-empty": "/members/?q=不存在的姓名",
}
ADMIN_PAGES = {"system_admin": {"users": "/accounts/users/"}, "audit_admin": {"audit": "/accounts/audit/"}}


@pytest.fixture
def district(transactional_db):
    city = City()
    secretary = make_user("district_secretary", "secretary", city.districts["a"], display_name="甲区组织部")
    long_name = "中共甲区幸福社区第二网格暨沿街商铺与新就业形态劳动者联合党支部委员会"  # long cells must wrap
    branch = org_services.org_update(actor=secretary, org=city.branches["a"], name=long_name)
    for i, name in enumerate(["张建国", "李秀英", "王伟", "欧阳明珠"]):
        city.member(city.communities["a"] if i % 2 else city.branches["a"], name=name)
    lst = list_services.list_create(actor=secretary, org=city.communities["a"], kind="task",
                                    title="2026年幸福社区党建引领基层治理重点任务清单",
                                    period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31))
    for title in ("建成党群服务站并实现全天候开放", "在职党员到社区报到全覆盖"):
        list_services.measure_create(actor=secretary, lst=lst, org=city.communities["a"], title=title,
                                     target="完成", start_on=datetime.date(2026, 1, 1),
                                     deadline=datetime.date(2026, 12, 31))
    make_user("system_admin", "system_admin", city.city)
    make_user("audit_admin", "audit_admin", city.city)
    return {"city": city, "branch": branch}


def _login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _walk(page, base, pages, label):
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        for name, path in pages.items():
            response = page.goto(f"{base}{path}")
            assert response.status == 200, path
            assert page.locator("table.list-table").count() >= 1, f"{path} renders no table"
            scroll = page.evaluate("document.scrollingElement.scrollWidth")
            inner = page.evaluate("window.innerWidth")
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{label}-{name}-{width}.png"), full_page=True)
            page.screenshot(path=str(SHOTS / f"{label}-{name}-{width}-top.png"))
            assert scroll <= inner, f"{path} scrolls sideways at {width} px ({scroll} > {inner})"
            if width == 375:  # rows are cards: no header row, every cell names its column
                assert page.locator("table.list-table thead").first.is_hidden(), path


def test_every_list_page_fits_a_phone_and_sorts(live_server, district, browser):
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    base = live_server.url
    _login(page, base, "district_secretary")
    _walk(page, base, SECRETARY_PAGES, "secretary")

    page.goto(f"{base}/members/?q=不存在的姓名")
    assert "没有符合条件的党员" in page.inner_text("table.list-table")
    page.set_viewport_size(WIDTHS[375])  # no header row on a phone: the sort links stand above the cards
    page.goto(f"{base}/members/")
    page.click(".table-sort >> text=姓名")
    page.wait_for_url("**sort=name**")
    assert page.get_attribute(".table-sort a[aria-current]", "href").endswith("sort=-name")
    page.set_viewport_size(WIDTHS[1280])
    assert page.locator(".table-sort").is_hidden()
    page.goto(f"{base}/members/")
    names = page.locator("table.list-table tbody tr td:first-child").all_inner_texts()
    assert "欧阳明珠" in names and len(names) == 4
    page.click("table.list-table th >> text=姓名")
    assert page.get_attribute("table.list-table th[aria-sort]", "aria-sort") == "ascending"
    page.click("table.list-table th >> text=姓名")
    assert page.get_attribute("table.list-table th[aria-sort]", "aria-sort") == "descending"
    assert page.locator("table.list-table tbody tr td:first-child").all_inner_texts() == sorted(
        names, key=search_key, reverse=True)  # names sort by pinyin

    for username, pages in ADMIN_PAGES.items():
        _login(page, base, username)
        _walk(page, base, pages, username)
    context.close()
