"""The lists' main path in a real headless Chromium (Debian's, never a downloaded one),
in Chinese: a community secretary creates a task list, adds a measure, reports progress
with a photo and sees the roll-up change, and publishes the list; the street secretary
accepts the measure and opens the progress board; an anonymous visitor finds it on the
public page. Screenshots at 375 and 1280 px go to /tmp/lists-shots/ for review."""

import datetime
import os
from pathlib import Path

import pytest

from dangjian.testing import PASSWORD, City, browser_pick, make_user
from dangjian.lists.models import Evidence, Measure, MeasureStatus

from .conftest import PNG

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("DANGJIAN_LISTS_SHOTS_DIR", "/tmp/lists-shots"))
WIDTHS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def people(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    city = City()
    secretary = city.member(city.communities["a"], name="王红梅")
    from dangjian.orgs import services as org_services

    org_services.post_assign(actor=None, member=secretary, org=city.communities["a"], kind="secretary",
                             start_on=datetime.date(2021, 1, 1))
    make_user("community_secretary", "secretary", city.communities["a"])
    make_user("street_secretary", "secretary", city.streets["a"])
    return {"city": city, "secretary": secretary}


def _context(browser, width="desktop"):
    context = browser.new_context(viewport=WIDTHS[width], locale="zh-CN")
    context.set_default_timeout(10_000)
    return context


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def _shots(browser, base, username, path, name):
    """The same page at phone and desktop widths."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        context = _context(browser, width)
        page = context.new_page()
        if username:
            _login(page, base, username)
        page.goto(f"{base}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is wider than the {width} viewport by {overflow}px"
        page.screenshot(path=str(SHOTS / f"{name}-{WIDTHS[width]['width']}.png"), full_page=True)
        context.close()


def _watch_csp(page):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return errors


def test_list_measure_progress_acceptance_board_and_public_page(live_server, people, browser):
    base = live_server.url
    city = people["city"]
    today = datetime.date.today()

    # The community secretary: a task list, a measure, progress with a photo.
    context = _context(browser)
    page = context.new_page()
    csp_errors = _watch_csp(page)
    _login(page, base, "community_secretary")
    page.click(".nav-main a[href='/lists/']")
    page.wait_for_url(f"{base}/lists/")
    assert page.inner_text("h1") == "清单与项目"
    page.click("text=新建清单")
    browser_pick(page, "org", "xfsqdw", "甲区幸福社区党委")
    page.select_option("select[name=kind]", "task")
    page.fill("input[name=title]", "幸福社区建设任务清单")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=清单已创建")
    list_url = page.url
    assert page.inner_text("h1") == "幸福社区建设任务清单"

    page.click("a[role=button]:has-text('添加措施')")
    page.fill("input[name=title]", "建成党群服务驿站")
    page.fill("textarea[name=target]", "驿站挂牌并对外开放")
    browser_pick(page, "org", "xfsqdw", "甲区幸福社区党委")
    browser_pick(page, "responsible", "whm", "王红梅")
    page.fill("input[name=start_on]", (today - datetime.timedelta(days=10)).isoformat())
    page.fill("input[name=deadline]", (today - datetime.timedelta(days=11)).isoformat())
    page.click("main button[type=submit]")
    assert "截止日期不能早于开始日期" in page.inner_text("main")  # caught, nothing saved
    assert not Measure.objects.exists()
    page.fill("input[name=deadline]", (today + datetime.timedelta(days=30)).isoformat())
    page.fill("input[name=weight]", "2")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{list_url}#m*")
    completion = page.locator("[data-testid=list-completion]")
    assert completion.inner_text() == "—"  # not yet reported is not counted (the default rule)
    assert "尚未报告进度的事项不参与平均" in page.inner_text("main")

    page.click("table >> text=建成党群服务驿站")
    page.fill("input[name=percent]", "40")
    page.fill("textarea[name=note]", "已完成选址和装修设计")
    page.set_input_files("input[name=files]", files=[{"name": "驿站选址.png", "mimeType": "image/png",
                                                      "buffer": PNG}])
    page.click("button:has-text('提交进展')")
    page.wait_for_selector("text=进展已报告")
    assert page.inner_text("[data-testid=measure-progress]") == "40.0%"
    assert page.locator("[data-testid=evidence-open] img").count() == 1
    measure = Measure.objects.get()
    assert Evidence.objects.get().report.measure == measure
    page.goto(list_url)
    assert completion.inner_text() == "40.0%"  # the roll-up follows the report
    _shots(browser, base, "community_secretary", f"/lists/measures/{measure.pk}/", "measure-detail")

    page.goto(f"{base}/lists/measures/{measure.pk}/")
    page.fill("input[name=percent]", "100")
    page.fill("textarea[name=note]", "驿站已挂牌开放")
    page.click("button:has-text('提交进展')")
    page.wait_for_selector("text=已提交街道验收")
    assert "待验收" in page.inner_text("hgroup")
    assert page.locator("text=验收通过").count() == 0  # the community cannot accept its own work
    page.goto(list_url)
    assert completion.inner_text() == "100.0%"
    page.click("button:has-text('公示')")
    page.wait_for_selector("text=已公示")
    _shots(browser, base, "community_secretary", list_url.removeprefix(base), "list-detail")
    assert csp_errors == []
    context.close()

    # The street secretary accepts it and opens the progress board.
    context = _context(browser)
    page = context.new_page()
    csp_errors = _watch_csp(page)
    _login(page, base, "street_secretary")
    page.goto(f"{base}/lists/measures/?status=submitted")
    page.click("table >> text=建成党群服务驿站")
    page.check("input[name=decision][value=accept]")
    page.fill("textarea[name=reason]", "经实地查看，符合要求")
    page.click("article button:has-text('提交')")
    page.wait_for_selector("text=已验收。")
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.ACCEPTED
    assert "已验收" in page.inner_text("hgroup")
    page.click(".nav-main a[href='/lists/']")
    page.click("text=晒进度")
    page.wait_for_url(f"{base}/lists/board/")
    row = page.locator(".board-table tbody tr", has_text="甲区幸福社区党委")
    assert row.locator("td.rank").inner_text() == "1"
    assert "100.0%" in row.inner_text()
    assert "不对个人排名" in page.inner_text("main")
    _shots(browser, base, "street_secretary", "/lists/board/", "board")
    assert csp_errors == []
    context.close()

    # Anyone, without logging in, finds it on the public page.
    context = _context(browser)
    page = context.new_page()
    page.goto(f"{base}/public/")
    page.click("text=甲区幸福社区党委")
    page.click("text=幸福社区建设任务清单")
    main = page.inner_text("main")
    assert "建成党群服务驿站" in main and "已验收" in main and "100.0%" in main
    assert "王红梅" not in main and "书记" in main  # the post, never the person (burden rules)
    assert "community_secretary" not in page.content() and "13812345678" not in page.content()
    public_path = page.url.removeprefix(base)
    context.close()
    _shots(browser, base, None, public_path, "public-list")
    _shots(browser, base, None, "/public/", "public-index")
