"""Generic test helpers every app uses: the scope matrix over an app's pages and API
(`ScopeCases`) and a driver for the picker widget in browser tests. Core imports no app:
the builders of a test city and its accounts live in `dangjian.testing`, which
re-exports these."""

__all__ = ["ScopeCases", "ScopeWorld", "browser_pick"]


def browser_pick(page, name, typed, label, downs=0, before_enter=None):
    """In a Playwright page, choose `label` in picker `name` as a person does: type
    `typed` (pinyin initials, say), wait for the results, press ArrowDown `downs` times
    from the first match, then Enter. Checks the box shows the name and the list closed."""
    box = page.locator(f"input[name={name}_search]")
    box.click()
    box.fill("")
    box.press_sequentially(typed, delay=30)
    options = page.locator(f"#{box.get_attribute('id')}_results [role=option]")
    options.filter(has_text=label).first.wait_for()
    assert options.first.get_attribute("aria-selected") == "true"
    for _ in range(downs):
        box.press("ArrowDown")
    assert options.nth(downs).get_attribute("data-label") == label
    assert options.nth(downs).get_attribute("aria-selected") == "true"
    if before_enter:
        before_enter()
    box.press("Enter")
    assert page.locator(f"#{box.get_attribute('id')}_results").is_hidden()
    assert box.input_value() == label
    assert page.locator(f"input[type=hidden][name={name}]").input_value().isdigit()


# The scope matrix ----------------------------------------------------------------------

class ScopeWorld:
    """What the scope matrix needs to know about one kind of object (NetBox's ViewTestCases
    idea, with subtrees instead of object permissions).

    Accounts: `no_grant` (no role anywhere), `own_user` (may change in subtree A),
    `read_only` (may only view in subtree A), `everyone` (sees A and B: proves that the
    sibling's name would show if scope let it through). Objects: `own` in A, `sibling`
    in B. `name(obj)` is the text a page shows for an object (read again from the
    database, so an edit that got through is seen). URLs: `list_url`, `detail_url(obj)`,
    `create_url(obj)` (a create page under or for `obj`: its org or list), `create_data`
    (`create_valid` when it makes a row for `own`; refusals are checked with it either way),
    `edit_url(obj)`, `edit_data(obj)`, `delete_url(obj)`, `api_list_url`,
    `api_detail_url(obj)`, and `export(client)` returning a response. Leave out what a
    model does not have. `count()` counts the model's rows (creates and deletes that must
    not happen)."""

    list_url = detail_url = create_url = create_data = edit_url = edit_data = delete_url = None
    api_list_url = api_detail_url = export = None
    create_valid = False  # create_data makes a row (else it only probes the refusals)
    read_only_may_export = False
    # An account without a grant: pages that need a scope to exist answer 403 or 404.
    refused = (403, 404)

    def __init__(self, **attrs):
        for key, value in attrs.items():
            setattr(self, key, value)


def _login(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _text(response):
    if not hasattr(response, "_scope_text"):  # a streamed body can be read once
        body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
        response._scope_text = body.decode("utf-8-sig", "replace")
    return response._scope_text


class ScopeCases:
    """Mix into a pytest class with a `scope_world` fixture returning a ScopeWorld. Each
    test walks its row of the matrix and checks content, not only the status: the own
    object's name on the page, the sibling's absent, nothing written where refused."""

    def _check_guard(self, client, world, url):
        """The sibling's name shows to an account that sees both subtrees: so its absence
        elsewhere means scope, not an empty fixture."""
        text = _text(_login(client, world.everyone).get(url))
        own, sibling = world.name(world.own), world.name(world.sibling)
        assert own and sibling and own != sibling and own not in sibling and sibling not in own
        assert own in text and sibling in text, f"guard: {url} must show both objects to `everyone`"

    def _check_list(self, client, world, url, api=False):
        self._check_guard(client, world, url)
        own, sibling = world.name(world.own), world.name(world.sibling)
        anonymous = _login(client, None).get(url)
        assert anonymous.status_code in ((401, 403) if api else (302,)), url
        if not api:
            assert "login" in anonymous["Location"]
        response = _login(client, world.no_grant).get(url)
        assert response.status_code in (200, *world.refused), url
        assert own not in _text(response) and sibling not in _text(response), f"no grant sees rows on {url}"
        for who in ("own_user", "read_only"):
            response = _login(client, getattr(world, who)).get(url)
            text = _text(response)
            assert response.status_code == 200, (who, url)
            assert own in text, f"{who}: own object missing from {url}"
            assert sibling not in text, f"{who}: sibling's object shown on {url}"

    def test_scope_list(self, client, scope_world):
        if scope_world.list_url is None:
            return
        self._check_list(client, scope_world, scope_world.list_url)

    def test_scope_api_list(self, client, scope_world):
        if scope_world.api_list_url is None:
            return
        self._check_list(client, scope_world, scope_world.api_list_url, api=True)

    def _check_detail(self, client, world, url_of, api=False):
        own, sibling = world.name(world.own), world.name(world.sibling)
        anonymous = _login(client, None).get(url_of(world.own))
        assert anonymous.status_code in ((401, 403) if api else (302,))
        response = _login(client, world.everyone).get(url_of(world.sibling))
        assert response.status_code == 200 and sibling in _text(response), "guard: `everyone` sees the sibling"
        for obj in (world.own, world.sibling):
            response = _login(client, world.no_grant).get(url_of(obj))
            assert response.status_code == 404 and world.name(obj) not in _text(response)
        for who in ("own_user", "read_only"):
            client_ = _login(client, getattr(world, who))
            response = client_.get(url_of(world.own))
            assert response.status_code == 200 and own in _text(response), (who, url_of(world.own))
            response = client_.get(url_of(world.sibling))
            assert response.status_code == 404, (who, url_of(world.sibling))
            assert sibling not in _text(response)

    def test_scope_detail(self, client, scope_world):
        if scope_world.detail_url is None:
            return
        self._check_detail(client, scope_world, scope_world.detail_url)

    def test_scope_api_detail(self, client, scope_world):
        if scope_world.api_detail_url is None:
            return
        self._check_detail(client, scope_world, scope_world.api_detail_url, api=True)

    def test_scope_create(self, client, scope_world):
        world = scope_world
        if world.create_url is None:
            return
        before = world.count()
        own_url, sibling_url = world.create_url(world.own), world.create_url(world.sibling)
        assert _login(client, None).post(own_url, world.create_data or {}).status_code == 302
        for who, url, expected in (("no_grant", own_url, world.refused), ("read_only", own_url, (403,)),
                                   ("own_user", sibling_url, (404,))):
            client_ = _login(client, getattr(world, who))
            assert client_.get(url).status_code in expected, (who, url)
            assert client_.post(url, world.create_data or {}).status_code in expected, (who, url)
        assert world.count() == before, "a refused create wrote a row"
        response = _login(client, world.own_user).get(own_url)
        assert response.status_code == 200 and "<form" in _text(response)
        if world.create_valid:
            response = client.post(own_url, world.create_data)
            assert response.status_code == 302, _text(response)[:2000]
            assert world.count() == before + 1

    def test_scope_edit(self, client, scope_world):
        world = scope_world
        if world.edit_url is None:
            return
        own, sibling = world.name(world.own), world.name(world.sibling)
        assert _login(client, None).get(world.edit_url(world.own)).status_code == 302
        for who, obj, expected in (("no_grant", world.own, (404,)), ("read_only", world.own, (403,)),
                                   ("own_user", world.sibling, (404,))):
            client_ = _login(client, getattr(world, who))
            response = client_.get(world.edit_url(obj))
            assert response.status_code in expected, (who, world.edit_url(obj))
            assert world.name(obj) not in _text(response) or response.status_code == 403
            if world.edit_data is not None:
                response = client_.post(world.edit_url(obj), world.edit_data(obj))
                assert response.status_code in expected, (who, world.edit_url(obj))
        assert (world.name(world.own), world.name(world.sibling)) == (own, sibling), "a refused edit changed a row"
        response = _login(client, world.own_user).get(world.edit_url(world.own))
        assert response.status_code == 200 and own in _text(response), "the edit form shows the current values"

    def test_scope_delete(self, client, scope_world):
        world = scope_world
        if world.delete_url is None:
            return
        before = world.count()
        assert _login(client, None).post(world.delete_url(world.own)).status_code == 302
        for who, obj, expected in (("no_grant", world.own, (404,)), ("read_only", world.own, (403,)),
                                   ("own_user", world.sibling, (404,))):
            response = _login(client, getattr(world, who)).post(world.delete_url(obj))
            assert response.status_code in expected, (who, world.delete_url(obj))
        assert world.count() == before, "a refused delete removed a row"

    def test_scope_export(self, client, scope_world):
        world = scope_world
        if world.export is None:
            return
        own, sibling = world.name(world.own), world.name(world.sibling)
        response = world.export(_login(client, world.everyone))
        assert response.status_code == 200 and own in _text(response) and sibling in _text(response), "guard"
        response = world.export(_login(client, world.own_user))
        assert response.status_code == 200, _text(response)[:2000]
        assert own in _text(response) and sibling not in _text(response)
        response = world.export(_login(client, world.no_grant))
        assert response.status_code in world.refused and own not in _text(response)
        response = world.export(_login(client, world.read_only))
        if world.read_only_may_export:
            assert response.status_code == 200 and sibling not in _text(response)
        else:
            assert response.status_code == 403 and own not in _text(response)
