"""Generic test helpers every app uses: the scope matrix over an app's pages and API
(`ScopeCases`) and a driver for the picker widget in browser tests. Core imports no app:
the builders of a test city and its accounts live in `dangjian.testing`, which
re-exports these."""

__all__ = ["browser_pick"]


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
