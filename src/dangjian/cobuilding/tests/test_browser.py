"""In headless Chromium at 375 px: a street secretary registers a unit in one of the
street's communities, sees the coverage figures change, and opens the uncovered units'
list; no page scrolls sideways. Screenshots go to /tmp/shots-cobuilding/."""

import os
from pathlib import Path

import pytest

from dangjian.cobuilding import services
from dangjian.cobuilding.models import Coverage, Unit, UnitKind
from dangjian.testing import PASSWORD, City, browser_pick, make_user

from .conftest import make_code

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("DANGJIAN_COBUILDING_SHOTS_DIR", "/tmp/shots-cobuilding"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def world(transactional_db):
    city = City()
    make_user("street_secretary", "secretary", city.streets["a"])
    services.unit_create(actor=None, name="甲区幸福科技有限公司", kind=UnitKind.PRIVATE, credit_code=make_code(),
                         area=city.communities["a"].area, coverage=Coverage.OWN, covering_org=city.branches["a"])
    services.unit_create(actor=None, name="乙区幸福医院", kind=UnitKind.HOSPITAL, area=city.communities["b"].area)
    return city


def _no_sideways_scroll(page, what):
    wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"{what} scrolls sideways by {wide}px"


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_street_secretary_registers_a_unit_and_sees_coverage_change(live_server, world, browser):
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    _login(page, base, "street_secretary")

    page.goto(f"{base}/cobuilding/")
    assert page.locator("#fig-total").inner_text() == "1"
    assert page.locator("#fig-uncovered").inner_text() == "0"
    assert page.locator("#fig-rate").inner_text() == "100.0%"
    assert "乙区" not in page.locator("main").inner_text()
    _no_sideways_scroll(page, "coverage page")
    page.screenshot(path=str(SHOTS / "coverage-before-375.png"), full_page=True)

    page.get_by_role("button", name="登记驻区单位").or_(page.get_by_role("link", name="登记驻区单位")).first.click()
    page.wait_for_url(f"{base}/cobuilding/units/new/")
    page.fill("input[name=name]", "甲区幸福社区卫生服务站")
    page.select_option("select[name=kind]", "hospital")
    browser_pick(page, "area", "jqxfsq", "甲区幸福社区")
    page.fill("input[name=staff_size]", "12")
    _no_sideways_scroll(page, "unit form")
    page.screenshot(path=str(SHOTS / "unit-form-375.png"), full_page=True)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/cobuilding/units/*/")
    assert "甲区幸福社区卫生服务站" in page.locator("h1").inner_text()
    unit = Unit.objects.get(name="甲区幸福社区卫生服务站")
    assert unit.org == world.communities["a"] and unit.coverage == Coverage.NONE
    _no_sideways_scroll(page, "unit page")

    page.goto(f"{base}/cobuilding/")
    assert page.locator("#fig-total").inner_text() == "2"
    assert page.locator("#fig-uncovered").inner_text() == "1"
    assert page.locator("#fig-rate").inner_text() == "50.0%"
    page.screenshot(path=str(SHOTS / "coverage-after-375.png"), full_page=True)
    page.click("#fig-uncovered")
    page.wait_for_url(f"{base}/cobuilding/units/?*coverage=none*")
    listed = page.locator("main table").inner_text()
    assert "甲区幸福社区卫生服务站" in listed and "甲区幸福科技有限公司" not in listed and "乙区" not in listed
    _no_sideways_scroll(page, "uncovered list")
    page.screenshot(path=str(SHOTS / "uncovered-375.png"), full_page=True)
    context.close()

    desktop = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = desktop.new_page()
    _login(page, base, "street_secretary")
    page.goto(f"{base}/cobuilding/")
    _no_sideways_scroll(page, "coverage page (desktop)")
    page.screenshot(path=str(SHOTS / "coverage-1280.png"), full_page=True)
    desktop.close()
