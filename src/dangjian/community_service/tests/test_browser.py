"""Issue 12's done-means in a real headless Chromium at 375 px: a member of a city organ
reports to their home community; the community accepts; the street publishes a service
item, the member books it and the organiser records attendance; the member's branch opens
their 实绩; a whistle goes out and a unit answers; a resource and a demand are claimed into
a project. No page scrolls sideways. Screenshots go to /tmp/shots-community_service/."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from dangjian.testing import PASSWORD, browser_pick

from ..models import Booking, Claim, MemberReport, WhistleCall
from .world import World

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("DANGJIAN_CS_SHOTS_DIR", "/tmp/shots-community_service"))
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def w(transactional_db):
    return World()


class Session:
    def __init__(self, browser, base, username, viewport=PHONE):
        self.base = base
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        page = self.page
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_function("!location.pathname.startsWith('/accounts/login')")

    def go(self, path):
        self.page.goto(f"{self.base}{path}")
        return self.page

    def check(self, name):
        """No sideways scroll; a screenshot to look at."""
        page = self.page
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def close(self):
        self.context.close()


def test_double_report_supermarket_whistle_and_claims(browser, live_server, w):
    base = live_server.url
    today = timezone.localdate()

    # 1. The member of a city organ reports to the community where they live.
    s = Session(browser, base, "member_wang")
    page = s.go("/community/reports/new/")
    browser_pick(page, "community", "jqxfsq", "甲区幸福社区党委")
    page.fill("textarea[name=offer]", "义务理发、楼道志愿者")
    s.check("01-member-report-form")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=report-status]")
    assert "待接收" in page.inner_text("[data-testid=report-status]")
    report = MemberReport.objects.get(member=w.member)
    s.close()

    # 2. The community accepts; it sees the offer and a masked phone, not the record.
    s = Session(browser, base, "community_sec")
    page = s.go("/community/reports/")
    assert "王在职" in page.content() and w.member.phone_masked in page.content()
    assert w.member.id_number_masked not in page.content()
    s.check("02-community-reports")
    page = s.go(f"/community/reports/{report.pk}/")
    page.click("text=接收报到")
    page.wait_for_selector("text=已接收报到。")
    assert "已报到" in page.inner_text("[data-testid=report-status]")
    s.close()

    # 3. The street publishes a service item.
    s = Session(browser, base, "street_sec")
    page = s.go("/community/items/new/")
    browser_pick(page, "org", "yjd", "甲区一街道党工委")
    page.select_option("select[name=kind]", "post")
    page.fill("input[name=title]", "楼道志愿者")
    page.fill("input[name=place]", "幸福小区3号楼")
    page.fill("input[name=starts_on]", today.isoformat())
    page.fill("input[name=capacity]", "2")
    s.check("03-street-item-form")
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=slots]")
    item_url = page.url
    s.close()

    # 4. The member books it from their page.
    s = Session(browser, base, "member_wang")
    page = s.go("/community/")
    page.click("[data-testid^=book-]")
    page.wait_for_selector("text=已预约。")
    s.check("04-member-booked")
    booking = Booking.objects.get(member=w.member)
    s.close()

    # 5. The organiser records attendance and what the member did.
    s = Session(browser, base, "street_sec")
    page = s.go(item_url.replace(base, ""))
    row = page.locator(f"[data-testid=booking-{booking.pk}]")
    row.locator("select[name=attendance]").select_option("present")
    row.locator("input[name=service]").fill("清理楼道杂物，张贴消防提示")
    s.check("05-organiser-attendance")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("text=签到已记录。")
    booking.refresh_from_db()
    assert booking.attendance == "present"
    s.close()

    # 6. The member's branch opens their 实绩.
    s = Session(browser, base, "organ_secretary")
    page = s.go("/community/records/")
    assert "王在职" in page.content() and "清理楼道杂物，张贴消防提示" in page.content()
    s.check("06-branch-records")
    s.close()

    # 7. The street blows a whistle; the unit answers, arrives and reports the result.
    s = Session(browser, base, "street_sec")
    page = s.go("/community/whistles/new/")
    browser_pick(page, "street", "yjd", "甲区一街道党工委")
    page.fill("input[name=title]", "雨后积水")
    page.fill("input[name=place]", "幸福路口")
    due = timezone.localtime() + datetime.timedelta(hours=3)
    page.fill("input[name=due_at]", due.strftime("%Y-%m-%dT%H:%M"))
    browser_pick(page, "unit", "jqgd", "甲区供电公司")
    s.check("07-whistle-form")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=已吹哨，等待单位报到。")
    s.close()
    s = Session(browser, base, "unit_sec")
    page = s.go("/community/calls/")
    page.click("button[value=arrive]")
    page.wait_for_selector("input[name=result]")
    page.fill("input[name=result]", "抽排积水完毕")
    page.click("button[value=result]")
    page.wait_for_selector("text=抽排积水完毕")
    s.check("08-unit-answered")
    call = WhistleCall.objects.get()
    assert call.on_time and call.result == "抽排积水完毕"
    s.close()

    # 8. A demand and a resource are claimed into projects of the community's project list.
    s = Session(browser, base, "community_sec")
    page = s.go("/community/demands/new/")
    browser_pick(page, "community", "jqxfsq", "甲区幸福社区党委")
    page.fill("input[name=title]", "老旧小区路灯维修")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=老旧小区路灯维修")
    page = s.go("/community/resources/new/")
    browser_pick(page, "community", "jqxfsq", "甲区幸福社区党委")
    page.fill("input[name=title]", "每月一次免费义诊")
    page.fill("input[name=provider_name]", "市第一人民医院")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=每月一次免费义诊")
    s.check("09-entries")
    page.locator("li", has_text="老旧小区路灯维修").get_by_role("link", name="认领").click()
    browser_pick(page, "unit", "jqgd", "甲区供电公司")
    page.fill("input[name=deadline]", (today + datetime.timedelta(days=30)).isoformat())
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=claim-measure]")
    s.check("10-claim")
    page = s.go("/community/entries/")
    page.locator("li", has_text="每月一次免费义诊").get_by_role("link", name="认领").click()
    page.fill("input[name=deadline]", (today + datetime.timedelta(days=30)).isoformat())
    page.click("main form button[type=submit]")
    page.wait_for_selector("[data-testid=claim-measure]")
    page.click("[data-testid=claim-measure]")
    page.wait_for_selector("text=每月一次免费义诊")
    s.check("11-claim-measure")
    assert Claim.objects.count() == 2
    assert {c.project.list_id for c in Claim.objects.select_related("project")} == {
        Claim.objects.first().project.list_id}
    s.close()

    # The overview at desktop width too.
    s = Session(browser, base, "street_sec", viewport=DESKTOP)
    s.go("/community/")
    s.check("12-street-overview-desktop")
    s.close()
