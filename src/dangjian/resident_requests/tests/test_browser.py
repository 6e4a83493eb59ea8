"""Issue 11's done-means in a real headless Chromium at 375 px: an anonymous resident submits
with a photo and gets a code; the 网格员 accepts and dispatches; the deadline passes (the clock
moved in-process through the escalation service's `now=`) and the request escalates into the
street's inbox; the unit resolves; the resident confirms and rates; the figures change.
Screenshots go to /tmp/shots-requests/."""

import datetime
import os
from pathlib import Path

import pytest

from dangjian.resident_requests import services
from dangjian.resident_requests.models import Category, Request, Status, UnitKind
from dangjian.testing import PASSWORD, City, make_user

from .test_submit import jpeg_with_gps

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("DANGJIAN_REQUESTS_SHOTS_DIR", "/tmp/shots-requests"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def people(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    city = City()
    Category.objects.create(code="repair", name="物业维修", deadline_working_days=3,
                            default_unit_kind=UnitKind.PROPERTY_COMPANY)
    unit = services.unit_create(actor=None, org=city.communities["a"], name="幸福物业", kind=UnitKind.PROPERTY_COMPANY)
    make_user("grid_worker", "grid_worker", city.branches["a"])
    make_user("community_secretary", "secretary", city.communities["a"])
    make_user("street_secretary", "secretary", city.streets["a"])
    return {"city": city, "unit": unit}


def _page(browser, viewport=PHONE):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.csp_errors = errors
    return context, page


def _fits(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert overflow <= 0, f"{name}: wider than the viewport by {overflow}px"
    assert not page.csp_errors, page.csp_errors


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/**")


def test_resident_to_grid_worker_to_street_and_back(live_server, people, browser, tmp_path):
    base = live_server.url
    city = people["city"]

    # 1. An anonymous resident on a phone: category, place by pinyin search, text, a photo.
    resident, page = _page(browser)
    page.goto(f"{base}/requests/new/")
    _fits(page, "1-new-375")
    page.select_option("select[name=category]", label="物业维修")
    page.fill("input[name=place_q]", "di1wangge")  # pinyin of 第1网格
    option = page.locator("#place-results label", has_text="甲区幸福社区 · 第1网格")
    option.wait_for()
    option.locator("input").check()
    page.fill("textarea[name=description]", "3号楼楼道灯坏了，晚上看不见")
    photo = tmp_path / "light.jpg"
    photo.write_bytes(jpeg_with_gps().read())
    page.set_input_files("input[name=photos]", str(photo))
    page.fill("input[name=phone]", "13912345678")
    page.click("[data-testid=submit-request]")
    code = page.locator("[data-testid=tracking-code]").inner_text().strip()
    assert len(code.replace("-", "")) == 16
    assert "已提交，等待受理" in page.locator("[data-testid=public-status]").inner_text()
    _fits(page, "2-track-375")
    track_url = page.url.split("?")[0]
    request = Request.objects.get()
    assert request.photos.count() == 1 and request.org == city.branches["a"]

    # 2. The grid worker accepts (first handler) and dispatches to the suggested unit.
    staff, spage = _page(browser)
    _login(spage, base, "grid_worker")
    spage.goto(f"{base}/requests/?queue=intake")
    _fits(spage, "3-intake-375")
    spage.click(f"text={request.number}")
    spage.click("[data-testid=accept]")
    assert spage.locator("[data-testid=first-handler]").inner_text() == "grid_worker"
    assert spage.locator("#dispatch_unit").input_value() == "幸福物业"
    _fits(spage, "4-detail-375")
    spage.click("[data-testid=dispatch]")
    assert spage.locator("[data-testid=unit]").inner_text() == "幸福物业"
    staff.close()
    request.refresh_from_db()
    assert request.status == Status.DISPATCHED

    # 3. The deadline passes: two days of escalation move it grid → community → street.
    moment = request.deadline_at + datetime.timedelta(minutes=1)
    assert services.request_escalate_due(now=moment) == (1, 0)
    assert services.request_escalate_due(now=moment + datetime.timedelta(hours=25)) == (1, 0)
    request.refresh_from_db()
    assert request.escalated_to == city.streets["a"]
    street, tpage = _page(browser)
    _login(tpage, base, "street_secretary")
    tpage.goto(f"{base}/requests/figures/")
    assert tpage.locator("[data-testid=fig-solved]").inner_text() == "0"
    assert tpage.locator("[data-testid=fig-received]").inner_text() == "1"
    tpage.goto(f"{base}/inbox/")
    assert "超时升级督办的诉求" in tpage.content() and request.number in tpage.content()
    _fits(tpage, "5-street-inbox-375")

    # 4. The unit (the community's property company, acted for by the community) accepts and resolves.
    unit, upage = _page(browser)
    _login(upage, base, "community_secretary")
    upage.goto(f"{base}/requests/{request.pk}/")
    upage.click("[data-testid=unit-accept]")
    upage.fill("textarea[name=resolution]", "已更换楼道灯")
    upage.click("[data-testid=resolve]")
    assert "已办结待确认" in upage.locator("[data-testid=request-status]").inner_text()
    unit.close()

    # 5. The resident confirms and rates 5.
    page.goto(track_url)
    assert "已更换楼道灯" in page.locator("[data-testid=resolution]").inner_text()
    _fits(page, "6-confirm-375")
    page.click("[data-testid=confirm]")
    page.locator("input[name=rating][value='5']").check()
    page.click("[data-testid=rate]")
    assert page.locator("[data-testid=rating]").inner_text() == "5"
    assert "已完成" in page.locator("[data-testid=public-status]").inner_text()
    assert "13912345678" not in page.content() and "grid_worker" not in page.content()
    resident.close()

    # 6. The figures moved: solved, satisfaction 100% (the real clock never passed the deadline).
    tpage.goto(f"{base}/requests/figures/")
    assert tpage.locator("[data-testid=fig-solved]").inner_text() == "1"
    assert tpage.locator("[data-testid=fig-on-time]").inner_text() == "1"
    assert tpage.locator("[data-testid=fig-satisfaction]").inner_text() == "100.0%"
    _fits(tpage, "7-figures-375")
    street.close()
    wide, wpage = _page(browser, DESKTOP)
    _login(wpage, base, "street_secretary")
    wpage.goto(f"{base}/requests/figures/")
    _fits(wpage, "8-figures-1280")
    wpage.goto(f"{base}/requests/{request.pk}/")
    _fits(wpage, "9-detail-1280")
    wide.close()
    request.refresh_from_db()
    assert request.status == Status.CLOSED and request.rating == 5 and request.first_handler.username == "grid_worker"
