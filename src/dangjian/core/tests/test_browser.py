"""Pickers in a real headless Chromium (Debian's, never a downloaded one), in Chinese: a
district secretary registers a member, appoints a secretary, moves an organisation and
filters the member, organisation and list pages, choosing every organisation, area and
person by typing pinyin initials and using the keyboard, never a number. The walk runs at
375 and 1280 px and asserts that no page scrolls sideways. Screenshots (with the results
list open) go to /tmp/picker-shots/ for review."""

import datetime
import os
from pathlib import Path

import pytest

from dangjian.testing import PASSWORD, City, browser_pick, make_id_number, make_user
from dangjian.lists import services as list_services
from dangjian.orgs import services as org_services
from dangjian.orgs.models import Member, Org, OrgKind, Post, Sector

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("DANGJIAN_PICKER_SHOTS_DIR", "/tmp/picker-shots"))
WIDTHS = {375: {"width": 375, "height": 812}, 1280: {"width": 1280, "height": 900}}


@pytest.fixture
def district(transactional_db):
    city = City()
    city.member(city.communities["a"], name="张建国")
    city.member(city.branches["b"], name="张建华")  # district B: never offered
    temporary = org_services.org_create(actor=None, parent=city.streets["a"], name="甲区临时党支部",
                                        kind=OrgKind.BRANCH, sector=Sector.URBAN_COMMUNITY)
    for org, title in ((city.communities["a"], "幸福社区任务清单"), (city.streets["a"], "街道任务清单")):
        list_services.list_create(actor=None, org=org, kind="task", title=title,
                                  period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31))
    make_user("district_secretary", "secretary", city.districts["a"])
    return {"city": city, "temporary": temporary}


class Walk:
    """One browser page at one width; every page it opens is checked for sideways scroll."""

    def __init__(self, page, base, width):
        self.page, self.base, self.width = page, base, width

    def go(self, path):
        self.page.goto(f"{self.base}{path}")
        self.fits(path)

    def fits(self, where):
        overflow = self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{where} scrolls sideways at {self.width} px ({overflow} px)"

    def shot(self, name):
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}-{self.width}.png"), full_page=True)

    def pick(self, name, typed, label, downs=0, shot=None):
        def check():
            self.fits(f"the {name} results")
            if shot:
                self.shot(shot)
        browser_pick(self.page, name, typed, label, downs=downs, before_enter=check)


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_pickers_only_at_phone_and_desktop_width(live_server, district, browser, width):
    city = district["city"]
    context = browser.new_context(viewport=WIDTHS[width], locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    csp_errors = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    walk = Walk(page, live_server.url, width)

    walk.go("/accounts/login/")
    page.fill("input[name=username]", "district_secretary")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # The member form: no number box anywhere; the org and the residence are picked.
    walk.go("/members/new/")
    assert page.locator("main input[type=number]").count() == 0
    page.fill("input[name=name]", "刘晓燕")
    page.fill("input[name=id_number]", make_id_number(born=datetime.date(1990, 3, 8)))
    page.fill("input[name=joined_on]", "2015-07-01")
    # "xfsq": the community's committee first (upper level), its grid branch one down.
    walk.pick("org", "xfsq", "甲区幸福社区第1网格党支部", downs=1, shot="member-form")
    walk.pick("residence_area", "hl", "1号楼")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/members/*/")
    walk.fits("the member page")
    member = Member.objects.get(name="刘晓燕")
    assert member.org == city.branches["a"] and member.residence_area.name == "1号楼"

    # The post appointment: the person by pinyin initials (district B's namesake never shows).
    walk.go(f"/orgs/{city.communities['a'].pk}/posts/new/")
    box = page.locator("input[name=member_search]")
    box.press_sequentially("zj", delay=30)
    page.locator("#id_member_results [role=option]").first.wait_for()
    assert "张建华" not in page.inner_text("#id_member_results")
    box.press("Escape")
    assert page.locator("#id_member_results").is_hidden()
    walk.pick("member", "zjg", "张建国", shot="post-form")
    # A tap (click) chooses too.
    page.locator("input[name=area_search]").press_sequentially("1hl", delay=30)
    page.locator("#id_area_results [role=option]", has_text="1号楼").click()
    assert page.locator("input[name=area_search]").input_value() == "1号楼"
    assert page.locator("#id_area_results").is_hidden()
    page.select_option("select[name=kind]", "secretary")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/orgs/{city.communities['a'].pk}/")
    assert Post.objects.filter(org=city.communities["a"], member__name="张建国", kind="secretary",
                               area__name="1号楼").exists()

    # The org move: the new parent by initials.
    walk.go(f"/orgs/{district['temporary'].pk}/move/")
    walk.pick("new_parent", "xfsqdw", "甲区幸福社区党委", shot="move-form")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/orgs/*/")
    moved = Org.objects.get(pk=district["temporary"].pk)
    assert moved.path[:-Org.steplen] == city.communities["a"].path

    # The member list filter: within an org, chosen by initials; Enter then submits.
    walk.go("/members/")
    walk.pick("within", "wgdzb", "甲区幸福社区第1网格党支部", shot="member-filter")
    page.locator("input[name=within_search]").press("Enter")
    page.wait_for_url("**/members/?*within=*")
    walk.fits("the filtered member list")
    main = page.inner_text("main")
    assert "刘晓燕" in main and "张建国" not in main  # 张建国 is in the community, not the branch
    assert page.locator("input[name=within_search]").input_value() == "甲区幸福社区第1网格党支部"
    walk.shot("member-list-filtered")

    # The org list filter.
    walk.go("/orgs/list/")
    walk.pick("within", "yjd", "甲区一街道党工委")
    page.locator("input[name=within_search]").press("Enter")
    page.wait_for_url("**/orgs/list/?*within=*")
    walk.fits("the filtered org list")
    assert "甲区临时党支部" in page.inner_text("main") and "中共甲区委" not in page.inner_text("main")

    # The lists page filter.
    walk.go("/lists/")
    walk.pick("within", "xfsqdw", "甲区幸福社区党委", shot="lists-filter")
    page.locator("input[name=within_search]").press("Enter")
    page.wait_for_url("**/lists/?*within=*")
    walk.fits("the filtered lists page")
    assert page.locator("input[name=within_search]").input_value() == "甲区幸福社区党委"
    assert "幸福社区任务清单" in page.inner_text("main") and "街道任务清单" not in page.inner_text("main")
    walk.shot("lists-filtered")

    # The measures list filter.
    walk.go("/lists/measures/")
    walk.pick("within", "yjd", "甲区一街道党工委")
    page.locator("input[name=within_search]").press("Enter")
    page.wait_for_url("**/lists/measures/?*within=*")
    walk.fits("the filtered measures list")
    assert "甲区一街道党工委及下级组织" in page.inner_text("main")

    assert not csp_errors, csp_errors
    context.close()
