"""A crawl of the site as every demo account, in all three languages, at 375 px (issue 9
item 6): from the home page, every same-origin link (GET only, a bounded number of
distinct pages per account) is opened; no page may scroll sideways, show a raw code such
as `report_progress` or `view_pii` instead of words, or answer with an error; the English
header fits in two rows. Screenshots of the English pages go to
DANGJIAN_CRAWL_SHOTS_DIR (default /tmp/crawl-shots/) for review."""

import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from dangjian.accounts.models import User
from dangjian.orgs.management.commands.seed import ACCOUNT_ORDER
from dangjian.testing import PASSWORD

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("DANGJIAN_CRAWL_SHOTS_DIR", "/tmp/crawl-shots"))
PHONE = {"width": 375, "height": 812}
PAGES_PER_ACCOUNT = 14
LANGUAGES = ("zh-hans", "zh-hant", "en")
# Links that are not pages to read: leaving, switching language, files, the API.
SKIP = re.compile(r"/(logout|i18n|admin|api|jsi18n|static|media)/|download|template|/(xlsx|csv)/?$"
                  r"|\.(csv|xlsx|json|png|jpg|pdf)$|format=|/evidence/|/problems")
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")

# In one round trip: the sideways overflow, the visible text, every same-origin link.
PAGE_JS = """() => ({
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  text: document.body.innerText,
  links: [...document.querySelectorAll('a[href]')]
    .filter(a => !a.closest('[hidden]') && a.origin === location.origin && !a.hasAttribute('download'))
    .map(a => a.pathname + a.search),
})"""
# Distinct rows the header's links and menus sit on.
HEADER_ROWS_JS = """() => {
  const tops = [...document.querySelectorAll('.site-header nav > ul > li')]
    .map(li => li.getBoundingClientRect().top).sort((a, b) => a - b);
  return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 20).length;
}"""


def pattern(path):
    """A page's kind: numbers replaced, query dropped, so one detail page stands for all."""
    return re.sub(r"\d+", "N", urlsplit(path).path)


@pytest.fixture
def demo(transactional_db, settings):
    settings.DANGJIAN_REQUIRE_2FA = False  # the crawl reads pages; the second factor has its own tests
    call_command("seed", preset="demo", password=PASSWORD, stdout=open(os.devnull, "w"))
    return [name for name in ACCOUNT_ORDER if User.objects.filter(username=name).exists()]


class Crawl:
    def __init__(self, page, base, usernames):
        self.page, self.base = page, base
        self.usernames = set(usernames)
        self.problems = []
        self.visited = 0
        self.kinds = set()  # kinds of page any account has opened

    def open(self, path, who, language):
        try:
            response = self.page.goto(f"{self.base}{path}", wait_until="domcontentloaded")
        except Exception as exc:  # a link to a file: the browser downloads it instead of showing a page
            if "Download is starting" in str(exc):
                return []
            raise
        self.visited += 1
        where = f"{who} {language} {path}"
        if response is None or response.status >= 400:
            # A link the page offers must lead somewhere (403 on a page the nav offers is a defect too).
            self.problems.append(f"{where}: status {response and response.status}")
            return []
        seen = self.page.evaluate(PAGE_JS)
        if seen["overflow"] > 0:
            self.problems.append(f"{where}: scrolls sideways by {seen['overflow']} px")
        codes = sorted({code for code in SNAKE.findall(seen["text"]) if code not in self.usernames})
        if codes:
            self.problems.append(f"{where}: raw codes {codes[:5]}")
        return seen["links"]

    def login(self, username):
        self.page.context.clear_cookies()
        self.page.goto(f"{self.base}/accounts/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        with self.page.expect_navigation():
            self.page.press("input[name=password]", "Enter")

    def set_language(self, language):
        self.page.context.add_cookies([{"name": "django_language", "value": language, "url": self.base}])

    def discover(self, username):
        """Breadth first from the home page: up to PAGES_PER_ACCOUNT distinct kinds of page,
        kinds no account has opened yet first, so the crawl reaches deep pages too."""
        queue, seen, pages = ["/"], set(), []
        while queue and len(pages) < PAGES_PER_ACCOUNT:
            path = queue.pop(0)
            if pattern(path) in seen or SKIP.search(path):
                continue
            seen.add(pattern(path))
            self.kinds.add(pattern(path))
            pages.append(path)
            queue.extend(self.open(path, username, "zh-hans"))
            queue.sort(key=lambda link: pattern(link) in self.kinds)  # stable: breadth first within each group
        return pages


def test_every_page_as_every_demo_account_in_three_languages_fits_a_phone(live_server, demo, browser):
    started = time.monotonic()
    assert len(demo) >= 8, demo
    context = browser.new_context(viewport=PHONE)
    crawl = Crawl(context.new_page(), live_server.url, demo)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for username in demo:
        crawl.login(username)
        assert "/accounts/login" not in crawl.page.url, f"{username} could not log in"
        crawl.set_language("zh-hans")
        pages = crawl.discover(username)
        assert len(pages) >= 3, (username, pages)  # the nav leads somewhere for everyone
        for language in LANGUAGES[1:]:
            crawl.set_language(language)
            for path in pages:
                crawl.open(path, username, language)
            if language == "en":
                rows = crawl.page.evaluate(HEADER_ROWS_JS)
                if rows > 2:
                    crawl.problems.append(f"{username} en: the header takes {rows} rows at 375 px")
                crawl.page.goto(f"{live_server.url}/", wait_until="domcontentloaded")
                crawl.page.screenshot(path=str(SHOTS / f"{username}-en-home.png"), full_page=True)
    context.close()
    kinds = crawl.kinds
    print(f"crawl: {len(demo)} accounts, {len(kinds)} kinds of page, {crawl.visited} pages opened "
          f"in {time.monotonic() - started:.0f} s: {sorted(kinds)}")
    assert not crawl.problems, "\n".join(crawl.problems)
    # The crawl did reach the administrators' pages and the business pages.
    assert {"/accounts/users/", "/accounts/audit/", "/members/", "/lists/"} <= kinds, sorted(kinds)
