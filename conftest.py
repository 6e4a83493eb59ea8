import pytest

from dangjian.testing import City, make_user


@pytest.fixture(autouse=True)
def _fast_hashing(settings, request):
    # Argon2 is the production hasher (asserted in accounts tests); tests that log in
    # many times use a fast one unless they ask for the real thing.
    if "real_hasher" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # A test client request in another language (a django_language cookie) leaves that
    # language active in the test's thread; the next test must start in the default one.
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Login attempts are counted per client address in the cache (accounts.ratelimit).
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def city(db):
    return City()


@pytest.fixture
def users(city):
    """One account per scope case: district A secretary, district B secretary (both also
    holding the export and import grant), no grant."""
    return {
        "a": make_user("sec_a", "secretary", city.districts["a"], also=("data_exchange",)),
        "b": make_user("sec_b", "secretary", city.districts["b"], also=("data_exchange",)),
        "none": make_user("nobody"),
        "city_admin": make_user("city_admin", "org_admin", city.city),
    }


# Scope tests that scripts/test.sh runs a second time on an ICU-collated PostgreSQL
# database: the core scope and tree tests, and every test of the apps' scope matrices.
SCOPE_FILES = ("core/tests/test_scope.py", "core/tests/test_tree.py")
SCOPE_WORDS = ("scope", "sibling", "within", "outside")


def pytest_collection_modifyitems(items):
    for item in items:
        path = str(item.path).replace("\\", "/")
        if path.endswith(SCOPE_FILES) or any(word in item.name.lower() for word in SCOPE_WORDS):
            item.add_marker(pytest.mark.scope)


CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser(monkeypatch):
    """Debian's headless Chromium through Playwright (never a downloaded browser); skipped,
    saying why, on a machine without it. Viewports: `dangjian.testing.VIEWPORTS`."""
    # Playwright's sync API keeps an event loop on this thread; the test's own database
    # checks between page actions are plain synchronous queries.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield launched
        launched.close()
