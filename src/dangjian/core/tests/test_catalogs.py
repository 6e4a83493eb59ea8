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


@pytest.mark.parametrize("msgid, one, two", [
    ("剩余 %(n)s 个恢复码。", "1 recovery code remaining.", "2 recovery codes remaining."),
    ("%(n)s 人", "1 member", "2 members"),  # organisation tree
    ("还剩%(n)d天", "1 day left", "2 days left"),  # inbox
    ("已逾期%(n)d天", "Overdue by 1 day", "Overdue by 2 days"),
    ("已逾期 %(days)s 天", "1 day overdue", "2 days overdue"),  # measure page
    ("导入成功：新建 %(n)s 条记录。", "Import successful: 1 record created.", "Import successful: 2 records created."),
])
def test_english_plurals_follow_the_count(msgid, one, two):
    # The catalog holds these as plural entries only while the code asks with ngettext /
    # blocktranslate count; a plain gettext call would leave the English "1 days".
    name = "days" if "%(days)" in msgid else "n"
    with translation.override("en"):
        got = [translation.ngettext(msgid, msgid, n) % {name: n} for n in (1, 2)]
    assert got == [one, two]


def test_every_choice_label_and_audit_action_has_english():
    from django.apps import apps

    from dangjian.core import audit

    labels = {str(label) for _code, label in audit.action_choices()}
    for model in apps.get_models():
        if model.__module__.startswith("dangjian."):
            labels.add(str(model._meta.verbose_name))
            for field in model._meta.get_fields():
                for _code, label in getattr(field, "flatchoices", None) or ():
                    labels.add(str(label))
    with translation.override("en"):
        missing = sorted(label for label in labels if any("\u4e00" <= c <= "\u9fff" for c in translation.gettext(label)))
    assert not missing, missing
