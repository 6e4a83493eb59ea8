"""Issue 9 "done means", at 375 px in Chinese: the community secretary reports a measure
complete; the street secretary sees the badge, opens the inbox, looks at the evidence in
the page and accepts it; the footer's 投诉建议 reaches the system administrator."""

import pytest

from dangjian.core.models import Feedback
from dangjian.lists.models import MeasureStatus
from dangjian.testing import PASSWORD, make_user

from .conftest import JPEG, REAL_TODAY, make_list, make_measure
from .test_browser import _context, _login, _watch_csp, people  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is wider than 375 px by {overflow}px"


def test_street_secretary_accepts_from_the_inbox_at_375px(live_server, people, browser):  # noqa: F811
    import datetime

    base, city = live_server.url, people["city"]
    community = make_user("community_owner", "secretary", city.communities["a"])
    lst = make_list(community, city.communities["a"], title="幸福社区建设任务清单")
    measure = make_measure(community, lst, city.communities["a"], title="建成党群服务驿站",
                           deadline=REAL_TODAY + datetime.timedelta(days=20))

    # The community secretary reports it complete on the phone.
    context = _context(browser, "phone")
    page = context.new_page()
    _login(page, base, "community_owner")
    page.goto(f"{base}/lists/measures/{measure.pk}/")
    assert page.locator("input[name=value]").count() == 0  # one way: a percent, this measure has no target value
    page.fill("input[name=percent]", "100")
    page.fill("textarea[name=note]", "驿站已挂牌开放")
    page.set_input_files("input[name=files]", files=[{"name": "挂牌.jpg", "mimeType": "image/jpeg", "buffer": JPEG}])
    page.click("button:has-text('提交进展')")
    page.wait_for_selector("text=已提交街道验收")
    assert page.url.endswith(f"/lists/measures/{measure.pk}/")
    assert page.locator("[data-testid=awaiting-review]").count() == 1 and page.locator("#h-report").count() == 0
    context.close()

    # The street secretary: the badge, the inbox, the evidence in the page, acceptance.
    context = _context(browser, "phone")
    page = context.new_page()
    csp_errors = _watch_csp(page)
    _login(page, base, "street_secretary")
    badge = page.locator("[data-testid=inbox-count]")
    badge.wait_for()
    assert int(badge.inner_text()) >= 1
    _no_sideways_scroll(page)
    page.click("[data-testid=inbox-badge]")
    page.wait_for_url(f"{base}/inbox/")
    section = page.locator("[data-section=to_accept]")
    assert "待验收的措施" in section.inner_text()
    _no_sideways_scroll(page)
    section.locator("a", has_text="建成党群服务驿站").click()
    page.wait_for_url(f"{base}/lists/measures/{measure.pk}/")
    evidence = page.locator("[data-testid=review-evidence]")
    assert "驿站已挂牌开放" in evidence.inner_text()
    evidence.locator("[data-testid=evidence-open]").click()
    viewer = page.locator(".evidence-viewer:target")
    viewer.wait_for()
    viewer.locator("[data-testid=evidence-back]").click()
    assert page.locator(".evidence-viewer:target").count() == 0
    _no_sideways_scroll(page)
    page.check("input[name=decision][value=accept]")
    page.click("article button:has-text('提交')")
    page.wait_for_selector("text=已验收。")
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.ACCEPTED
    page.goto(f"{base}/inbox/")
    assert page.locator("[data-section=to_accept]").count() == 0

    # A suggestion from the footer, at 375 px.
    page.click("[data-testid=feedback-link]")
    page.check("input[name=kind][value=suggestion]")
    page.fill("textarea[name=text]", "希望待办能按截止日期排序")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/inbox/")
    assert Feedback.objects.get().text == "希望待办能按截止日期排序"
    assert csp_errors == []
    context.close()


def test_grid_branch_secretary_reports_progress_on_the_branch_measure_at_375px(live_server, people, browser):  # noqa: F811
    """Issue 9 "done means": the grid (邻里) branch's own secretary acts on the branch's measure."""
    import datetime

    base, city = live_server.url, people["city"]
    community = make_user("community_owner", "secretary", city.communities["a"])
    make_user("grid_branch_secretary", "secretary", city.branches["a"])
    lst = make_list(community, city.communities["a"], title="网格党支部任务清单")
    measure = make_measure(community, lst, city.branches["a"], title="走访网格内困难党员",
                           deadline=REAL_TODAY + datetime.timedelta(days=20))

    context = _context(browser, "phone")
    page = context.new_page()
    csp_errors = _watch_csp(page)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "grid_branch_secretary")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/orgs/{city.branches['a'].pk}/")  # a branch's secretary lands on the branch
    page.goto(f"{base}/lists/measures/{measure.pk}/")
    _no_sideways_scroll(page)
    page.fill("input[name=percent]", "60")
    page.fill("textarea[name=note]", "已走访12户中的7户")
    page.click("button:has-text('提交进展')")
    page.wait_for_selector("text=进展已报告")
    assert page.url.endswith(f"/lists/measures/{measure.pk}/")
    measure.refresh_from_db()
    assert measure.progress == 60 and measure.has_progress and measure.status != MeasureStatus.ACCEPTED
    _no_sideways_scroll(page)
    assert csp_errors == []
    context.close()
