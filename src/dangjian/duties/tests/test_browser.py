"""The duties' main path in headless Chromium at 375 px, in Chinese: the grid branch
secretary records a 主题党日 with attendance (one member marked absent) and a photo (kept
without its GPS location, shown as a thumbnail on the record), the duty turns
fulfilled and the compliance rate moves; city_admin opens the red organisations of a
district; the subscribe URL returns a calendar that icalendar parses. Screenshots go to
/tmp/shots-duties/."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone
from icalendar import Calendar

from dangjian.duties import services
from dangjian.duties.models import ActivityFile, Attendance, Occurrence
from dangjian.testing import PASSWORD, City, make_user

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("DANGJIAN_DUTIES_SHOTS_DIR", "/tmp/shots-duties"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def world(transactional_db):
    from django.apps import apps

    from dangjian.duties.defaults import install

    install(apps)
    city = City()
    branch = city.branches["a"]
    members = [city.member(branch, name=name) for name in ("赵一", "钱二", "孙三")]
    city.member(city.branches["b"], name="乙区党员")
    today = timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=40)).replace(day=1)
    services.roll_over(period_start=first, period_end=today, today=today)
    secretary = make_user("grid_secretary", "secretary", branch)
    make_user("city_admin", "org_admin", city.city)
    # The branch's theme-day plan as a list whose measure is bound to the platform metric:
    # its progress must follow the record, with no report typed (report once).
    from dangjian.lists import services as list_services
    from dangjian.lists.models import ListKind

    month_start = today.replace(day=1)
    month_end = (month_start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    plan = list_services.list_create(actor=secretary, org=branch, kind=ListKind.TASK, title="主题党日计划",
                                     period_start=month_start.replace(month=1), period_end=month_end)
    bound = list_services.measure_create(actor=secretary, lst=plan, org=branch, title="本月主题党日",
                                         target="按规定流程开展并记录", start_on=month_start, deadline=month_end,
                                         metric="duties.theme_day")
    return {"city": city, "branch": branch, "members": members, "today": today, "bound": bound}


def _context(browser, viewport=PHONE):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(10_000)
    return context


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _fits(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert overflow <= 0, f"{page.url} is wider than the viewport by {overflow}px"


def test_grid_secretary_records_theme_day_and_city_admin_sees_red(live_server, world, browser):
    base = live_server.url
    branch, city = world["branch"], world["city"]
    context = _context(browser)
    page = context.new_page()
    _login(page, base, "grid_secretary")

    page.goto(f"{base}/duties/?root={branch.pk}")
    before = page.get_by_test_id("compliance-rate").inner_text()
    _fits(page, "compliance-before-375")

    page.goto(f"{base}/duties/orgs/{branch.pk}/")
    assert page.locator("[data-testid=duties] li[data-kind=theme_day]").first.get_attribute("data-status") == "due"
    _fits(page, "org-duties-375")
    page.get_by_test_id("record").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=attendance] li").count() == 3
    _fits(page, "record-375")
    page.fill("input[name=topic]", "学习党章主题党日")
    absent = world["members"][1]
    page.select_option(f"select[name=att_{absent.pk}]", "absent")
    page.fill(f"input[name=reason_{absent.pk}]", "外出务工")
    from dangjian.core.tests.test_uploads import jpeg_with_location

    page.set_input_files("input[name=files]", files=[
        {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_location()}])
    _fits(page, "record-photo-375")
    page.click(".form-actions button[type=submit]")
    page.wait_for_load_state()
    assert "已登记" in page.content(), page.locator("main").inner_text()[:1500]
    status = page.locator("[data-testid=duties] li[data-kind=theme_day]").first.get_attribute("data-status")
    assert status == "fulfilled"
    duty = Occurrence.objects.get(org=branch, kind__code="theme_day", period_start=world["today"].replace(day=1))
    assert duty.status == "fulfilled"
    assert Attendance.objects.get(member=absent).reason == "外出务工"
    assert Attendance.objects.filter(status="present").count() == 2
    from PIL import Image

    photo = ActivityFile.objects.get()
    with photo.file.open("rb") as handle, Image.open(handle) as image:
        assert image.getexif().get_ifd(0x8825) == {}  # the location is gone
    page.goto(f"{base}/duties/activities/{photo.activity_id}/")
    thumbnail = page.locator("[data-testid=photos] img").first
    thumbnail.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth", thumbnail.element_handle()) == 8
    _fits(page, "activity-photo-375")

    page.goto(f"{base}/duties/?root={branch.pk}")
    after = page.get_by_test_id("compliance-rate").inner_text()
    assert after != before, (before, after)

    # The bound theme-day measure moved from the record alone, and its page says so.
    bound = world["bound"]
    bound.refresh_from_db()
    assert bound.progress == 100 and not bound.reports.exists()
    page.goto(f"{base}/lists/measures/{bound.pk}/")
    assert page.get_by_test_id("measure-progress").inner_text() == "100.0%"
    assert page.get_by_test_id("bound-metric").is_visible()
    assert page.locator("#h-report").count() == 0  # nothing to report by hand
    _fits(page, "bound-measure-375")

    # The calendar feed: subscribe, then fetch the secret URL without a session.
    page.goto(f"{base}/duties/orgs/{branch.pk}/")
    page.get_by_test_id("subscribe").click()
    page.wait_for_load_state()
    _fits(page, "subscribed-375")
    url = page.get_by_test_id("feed-url").inner_text().strip()
    context.close()
    anonymous = _context(browser)
    response = anonymous.request.get(url)
    assert response.status == 200
    cal = Calendar.from_ical(response.body())
    assert any("学习党章主题党日" in str(event.get("summary")) for event in cal.walk("VEVENT"))
    anonymous.close()

    # city_admin opens the red organisations of district B (nothing recorded there).
    context = _context(browser)
    page = context.new_page()
    _login(page, base, "city_admin")
    page.goto(f"{base}/duties/?root={city.districts['b'].pk}&period={world['today']:%Y}")
    _fits(page, "compliance-district-375")
    page.get_by_test_id("red-link").click()
    page.wait_for_load_state()
    table = page.get_by_test_id("red-table").inner_text()
    assert city.branches["b"].name in table and branch.name not in table
    _fits(page, "red-375")
    context.close()
    desktop = _context(browser, DESKTOP)
    page = desktop.new_page()
    _login(page, base, "city_admin")
    page.goto(f"{base}/duties/?root={city.city.pk}")
    _fits(page, "compliance-city-1280")
    desktop.close()
