"""Issue 9.3 and 9.7 in Debian's headless Chromium at 375 px, in Chinese: the security
administrator lands on the accounts page, a grid branch's secretary on the branch, and the
second-factor setup page shows its QR code (a data: image the CSP lets through)."""

import os

import pytest

from dangjian.testing import PASSWORD, City, make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def _page(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return page, errors


def _login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def test_landing_pages_and_the_qr_code_at_375_px(live_server, transactional_db, browser):
    city = City()
    make_user("sec_admin", "security_admin", city.city)
    make_user("grid_secretary", "secretary", city.branches["a"])
    base = live_server.url

    page, errors = _page(browser)
    _login(page, base, "sec_admin")
    page.wait_for_url(f"{base}/accounts/users/")
    assert "sec_admin" in page.locator("main").inner_text() and _fits(page)

    page, errors = _page(browser)
    _login(page, base, "grid_secretary")
    page.wait_for_url(f"{base}/orgs/{city.branches['a'].pk}/")
    assert city.branches["a"].name in page.locator("main h1").inner_text() and _fits(page)

    page.goto(f"{base}/accounts/otp/setup/")
    qr = page.locator("figure.otp-qr img")
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert page.evaluate("document.querySelector('figure.otp-qr img').naturalWidth") > 0
    assert _fits(page) and not errors
