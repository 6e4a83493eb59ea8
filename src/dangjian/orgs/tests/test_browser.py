"""A community secretary's main path through the organisation pages, in a real headless
Chromium (Debian's, never a downloaded one): log in, read the overview, open the tree
one level down (htmx), open a member, switch language, and meet a 404 outside the
subtree. Screenshots at phone and desktop widths go to /tmp/ui-shots/ for review."""

import datetime
import os
from pathlib import Path

import pytest

from dangjian.testing import PASSWORD, City, make_user
from dangjian.orgs import services
from dangjian.orgs.models import Area, OrgKind, Sector

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("DANGJIAN_SHOTS_DIR", "/tmp/ui-shots"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def community(transactional_db):
    """The demo's community secretary, a few members in community A, one member in district B."""
    city = City()
    building = Area.objects.get(name="1号楼", path__startswith=city.grids["a"][0].path)
    group = services.org_create(actor=None, parent=city.branches["a"], name="1号楼党小组", kind=OrgKind.GROUP,
                                sector=Sector.URBAN_COMMUNITY, area=building)
    names = ["张建国", "李秀英", "王伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽"]
    members = [
        city.member(city.branches["a"] if i % 2 else city.communities["a"], name=name,
                    category=("employed", "retired", "mobile")[i % 3],
                    status="probationary" if i == 3 else "full",
                    joined_on=datetime.date(2000 + i, 7, 1))
        for i, name in enumerate(names)
    ]
    services.post_assign(actor=None, member=members[0], org=city.communities["a"], kind="secretary",
                         start_on=datetime.date(2021, 1, 1))
    city.member(group, name="孙小组")
    outsider = city.member(city.branches["b"], name="乙区党员")
    make_user("community_secretary", "secretary", city.communities["a"])
    return {"city": city, "member": members[0], "outsider": outsider, "group": group}


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _signed_in(browser, live_server, viewport, csp_errors=None):
    """A new browser context with the community secretary signed in, on the home page."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    if csp_errors is not None:
        page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "community_secretary")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")
    return context, page


def test_community_secretary_walks_the_org_pages(live_server, community, browser):
    csp_errors = []
    context, page = _signed_in(browser, live_server, DESKTOP, csp_errors)
    base = live_server.url
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert page.inner_text("h1") == "工作台"
    assert "党组织" in page.inner_text("main")
    # Nine members in community A: 8 + the group's one; district B's is not counted.
    members_total = page.locator("a.stat[href='/members/'] .value")
    assert members_total.inner_text() == "9"
    _shot(page, "home-1280")

    # The tree opens at the community with its children; the branch loads its group on demand.
    page.click(".nav-main a[href='/orgs/']")
    page.wait_for_url(f"{base}/orgs/")
    branch = page.locator("summary", has_text="甲区幸福社区第1网格党支部")
    assert page.locator("text=1号楼党小组").count() == 0
    with page.expect_response(lambda r: "/children/" in r.url and r.status == 200):
        branch.click()
    page.wait_for_selector("text=1号楼党小组")
    _shot(page, "tree-1280")

    # The member list shows masked numbers only; a member's page links back to the org.
    page.goto(f"{base}/members/")
    assert "乙区党员" not in page.inner_text("main")
    _shot(page, "members-1280")
    page.click("table >> text=张建国")
    page.wait_for_url(f"{base}/members/{community['member'].pk}/")
    id_text = page.inner_text("#id-number")
    assert "*" in id_text and community["member"].id_number not in page.content()
    assert page.locator("text=查看完整信息").count() == 0  # a secretary has no view_full_id
    assert "书记" in page.inner_text("main")

    # Language menu: 繁體 then English, with the compiled catalogs.
    page.click("details.lang-switch > summary")
    page.click("button[value=zh-hant]")
    page.wait_for_function("document.documentElement.lang === 'zh-hant'")
    assert page.url == f"{base}/members/{community['member'].pk}/"
    assert "黨員" in page.inner_text("header") and "党员" not in page.inner_text("header")
    page.click("details.lang-switch > summary")
    page.click("button[value=en]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "Home" in page.inner_text("header") and "Orgs" in page.inner_text("header")
    page.click("details.lang-switch > summary")
    page.click("button[value=zh-hans]")
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")

    # District B lies outside the community's subtree.
    response = page.goto(f"{base}/members/{community['outsider'].pk}/")
    assert response.status == 404
    assert "页面不存在" in page.inner_text("main")

    # Phone width: the same pages, screenshotted for review.
    page.set_viewport_size(PHONE)
    for name, path in (("home", "/"), ("tree", "/orgs/"), ("members", "/members/"),
                       ("member", f"/members/{community['member'].pk}/"),
                       ("org", f"/orgs/{community['city'].communities['a'].pk}/"), ("areas", "/areas/"),
                       ("orglist", "/orgs/list/"), ("arealist", "/areas/list/"),
                       ("memberform", f"/members/new/?org={community['city'].branches['a'].pk}")):
        page.goto(f"{base}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways at 375 px ({width} px)"
        _shot(page, f"{name}-375")
    page.set_viewport_size(DESKTOP)
    for name, path in (("org", f"/orgs/{community['city'].communities['a'].pk}/"), ("areas", "/areas/"),
                       ("member", f"/members/{community['member'].pk}/")):
        page.goto(f"{base}{path}")
        _shot(page, f"{name}-1280")
    assert not csp_errors, csp_errors
    context.close()


def test_overview_panels_load_after_the_page(live_server, community, browser, monkeypatch):
    """Other modules' panels arrive after the page: a placeholder with the title first, then
    the figures (htmx, `load`); a panel with nothing to show leaves no trace."""
    import threading

    from dangjian.core import overview

    release = threading.Event()

    def slow(user, root):
        release.wait(10)  # the page must be shown before the panel has answered
        return {"key": "demo", "title": "演示面板", "figures": [{"label": "演示数字", "value": 7, "url": "/orgs/list/"}]}

    monkeypatch.setattr(overview, "_panels", [overview.Panel("demo", "演示面板", slow),
                                              overview.Panel("empty", "空面板", lambda user, root: None)])
    context, page = _signed_in(browser, live_server, PHONE)
    placeholder = page.locator(".panel-demo[data-testid=panel-placeholder]")
    assert "演示面板" in placeholder.inner_text() and "加载中…" in placeholder.inner_text()
    release.set()
    figure = page.locator(".panel-demo .figures a", has_text="演示数字")
    assert figure.inner_text().replace("\n", "") == "演示数字7"
    assert page.locator("[data-testid=panel-placeholder]").count() == 0
    assert page.locator(".panel-empty").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()
