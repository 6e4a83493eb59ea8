"""The module's main path in Debian's headless Chromium, in Chinese, at 375 px: a district
secretary opens their own page from a phone, records a visit to their contact point and
sees it on the leader's page; no page scrolls sideways. Screenshots (375 and 1280 px) go to
/tmp/shots-responsibilities/."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from dangjian.responsibilities import services
from dangjian.responsibilities.models import ContactVisit, Level
from dangjian.testing import PASSWORD, City, make_user

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("DANGJIAN_RESPONSIBILITIES_SHOTS_DIR", "/tmp/shots-responsibilities"))
WIDTHS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    city = City()
    today = timezone.localdate()
    start = today - datetime.timedelta(days=200)
    secretary = city.member(city.districts["a"], name="陈建国")
    affairs = city.member(city.districts["a"], name="李组织")
    services.responsibility_create(actor=None, org=city.districts["a"], level=Level.PRIMARY, member=secretary,
                                   start_on=start)
    services.responsibility_create(actor=None, org=city.districts["a"], level=Level.DIRECT, member=affairs,
                                   start_on=start, portfolio="组织工作")
    point = services.contact_point_create(actor=None, org=city.districts["a"], point_org=city.communities["a"],
                                          member=secretary, since=start)
    make_user("district_secretary", "secretary", city.districts["a"], member=secretary)
    return {"city": city, "point": point, "secretary": secretary}


def _context(browser, width):
    context = browser.new_context(viewport=WIDTHS[width], locale="zh-CN")
    context.set_default_timeout(10_000)
    return context


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def _no_sideways_scroll(page, what):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{what} scrolls sideways"


def test_district_secretary_records_a_visit_from_a_phone(live_server, world, browser):
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = _context(browser, "phone")
    page = context.new_page()
    csp = []
    page.on("console", lambda msg: csp.append(msg.text) if "Content Security Policy" in msg.text else None)
    _login(page, base, "district_secretary")

    page.goto(f"{base}/responsibilities/me/")
    page.wait_for_url(f"**/responsibilities/leaders/member/{world['secretary'].pk}/")
    assert page.locator("h1").inner_text() == "陈建国"
    point = page.locator("[data-testid=leader-point]")
    assert "甲区幸福社区党委" in point.inner_text() and "还没有走访记录" in point.inner_text()
    assert "3个月未走访" in point.inner_text()
    _no_sideways_scroll(page, "the leader's page")
    page.screenshot(path=str(SHOTS / "leader-before-375.png"), full_page=True)

    point.locator("[data-testid=record-visit]").click()
    page.wait_for_url(f"**/points/{world['point'].pk}/visit/")
    assert page.locator("input[name=visited_on]").input_value() == timezone.localdate().isoformat()
    page.fill("textarea[name=summary]", "到幸福社区调研网格党支部建设，参加主题党日")
    page.fill("textarea[name=problems]", "第2网格尚未建立党支部")
    page.fill("textarea[name=follow_up]", "街道党工委一个月内完成组建")
    _no_sideways_scroll(page, "the visit form")
    page.screenshot(path=str(SHOTS / "visit-form-375.png"), full_page=True)
    page.click("main button[type=submit]")

    page.wait_for_url(f"**/responsibilities/leaders/member/{world['secretary'].pk}/")
    assert "走访记录已保存" in page.locator("body").inner_text()
    visit = page.locator("[data-testid=leader-visit]").first
    assert "到幸福社区调研网格党支部建设" in visit.inner_text() and "第2网格尚未建立党支部" in visit.inner_text()
    assert "3个月未走访" not in page.locator("[data-testid=leader-point]").inner_text()
    _no_sideways_scroll(page, "the leader's page after the visit")
    page.screenshot(path=str(SHOTS / "leader-after-375.png"), full_page=True)
    assert ContactVisit.objects.filter(point=world["point"], problems="第2网格尚未建立党支部").count() == 1

    for path, name in (("/responsibilities/", "index"), (f"/responsibilities/org/{world['city'].districts['a'].pk}/",
                                                          "org"), ("/responsibilities/points/", "points"),
                       ("/responsibilities/visits/", "visits")):
        page.goto(f"{base}{path}")
        _no_sideways_scroll(page, path)
        page.screenshot(path=str(SHOTS / f"{name}-375.png"), full_page=True)
    assert "陈建国" in page.locator("main").inner_text()
    assert not csp, csp
    context.close()

    context = _context(browser, "desktop")
    page = context.new_page()
    _login(page, base, "district_secretary")
    page.goto(f"{base}/responsibilities/")
    _no_sideways_scroll(page, "the index at 1280 px")
    assert page.locator("[data-testid=resp-figures]").is_visible()
    page.screenshot(path=str(SHOTS / "index-1280.png"), full_page=True)
    context.close()
