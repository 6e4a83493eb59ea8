"""The translation catalogs are complete: every English and Traditional Chinese entry is
translated and not fuzzy (Django ignores fuzzy entries, so the page falls back to
Simplified Chinese), and the committed .mo files hold what the .po files say."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale"
LANGUAGES = ("en", "zh_Hant")


def _catalog(language, suffix="po"):
    path = LOCALE / language / "LC_MESSAGES" / f"django.{suffix}"
    return polib.pofile(str(path)) if suffix == "po" else polib.mofile(str(path))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_not_fuzzy(language):
    catalog = _catalog(language)
    assert len(catalog) > 500
    empty = [entry.msgid for entry in catalog.untranslated_entries() if not entry.fuzzy]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert not empty, f"{language}: {len(empty)} untranslated, e.g. {empty[:5]}"
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_the_po_file(language):
    compiled = {(entry.msgctxt, entry.msgid): entry for entry in _catalog(language, "mo")}
    stale = []
    for entry in _catalog(language):
        if entry.obsolete or not entry.translated():  # the test above names these
            continue
        mo = compiled.get((entry.msgctxt, entry.msgid))
        if mo is None or (mo.msgstr_plural if entry.msgid_plural else mo.msgstr) != (
                {int(k): v for k, v in entry.msgstr_plural.items()} if entry.msgid_plural else entry.msgstr):
            stale.append(entry.msgid)
    assert not stale, f"{language}: .mo out of date for {len(stale)} entries (run make messages), e.g. {stale[:5]}"


def test_english_plurals_follow_the_count():
    with translation.override("en"):
        one = translation.ngettext("剩余 %(n)s 个恢复码。", "剩余 %(n)s 个恢复码。", 1) % {"n": 1}
        many = translation.ngettext("剩余 %(n)s 个恢复码。", "剩余 %(n)s 个恢复码。", 2) % {"n": 2}
    assert (one, many) == ("1 recovery code remaining.", "2 recovery codes remaining.")
