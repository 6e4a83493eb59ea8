"""Refresh the translation catalogs.

Message ids are Simplified Chinese (the default language). The Traditional Chinese
catalog is generated from them with OpenCC (s2twp: Taiwan phrasing is not wanted, so
plain s2t); English translations are kept in locale/en and only new ids are added.
Needs GNU gettext (xgettext, msgfmt) on the developer's machine; the compiled .mo files
are committed so a fresh clone needs nothing.

    python scripts/messages.py [--english FILE.tsv]

FILE.tsv holds lines `msgid<TAB>English`, or `msgid<TAB>one<TAB>many` for a plural (helpers
list their new strings this way); it fills English entries that are empty or fuzzy (a fuzzy
guess by msgmerge is usually wrong), and the script ends by naming every English entry still empty or fuzzy, which
`core/tests/test_catalogs.py` refuses.
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "src" / "dangjian"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")


def run(*args):
    subprocess.run([sys.executable, "-m", "django", *args], cwd=APP, check=True)


def fill_traditional(po_path):
    import polib  # noqa: only needed here

    convert = opencc.OpenCC("s2t").convert
    catalog = polib.pofile(str(po_path))
    for entry in catalog:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: convert(entry.msgid), 1: convert(entry.msgid_plural)}
        else:
            entry.msgstr = convert(entry.msgid)
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save()


def _percent_escaped(text, like):
    # blocktranslate writes a literal % as %% in its msgid; the translation must do the same
    return re.sub(r"%(?![(%])", "%%", text) if "%%" in like else text


def fill_english(po_path, tsv_path):
    """Fill empty or fuzzy English entries from `msgid<TAB>English` lines; return what is left."""
    import polib  # noqa: only needed here

    known = {}
    for line in Path(tsv_path).read_text(encoding="utf-8").splitlines() if tsv_path else ():
        if "\t" in line:
            msgid, english = line.split("\t", 1)
            known[msgid.strip()] = english.rstrip("\r")  # a translation may end in a space (", ")
    catalog = polib.pofile(str(po_path))
    for entry in catalog:
        if entry.translated():
            continue
        english = known.get(entry.msgid) or known.get(entry.msgid.replace("%%", "%"))
        if english is None:
            continue
        singular, _tab, plural = english.partition("\t")
        singular = _percent_escaped(singular, entry.msgid)
        if entry.msgid_plural:
            plural = _percent_escaped(plural or singular, entry.msgid_plural)
            entry.msgstr_plural = {0: singular, 1: plural}
        else:
            entry.msgstr = singular
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalog.save()
    return [entry.msgid for entry in catalog if not entry.translated() and not entry.obsolete]


def add_column_texts(po_paths):
    """The import and export pages show each registered spreadsheet column's header and format in the
    reader's language ({% translate column.label %}); the texts are plain strings in the apps'
    spreadsheets modules (the files keep them in Simplified Chinese), so they are added to the
    catalogs here, after makemessages, as entries of their own."""
    import django
    import polib  # noqa: only needed here

    sys.path.insert(0, str(ROOT / "src"))
    django.setup()
    from django.utils.module_loading import autodiscover_modules

    from dangjian.core.spreadsheets.importer import IMPORTS

    autodiscover_modules("spreadsheets")
    texts = {}
    for spec in IMPORTS.values():
        for column in spec.columns:
            for text in (column.label, column.fmt):
                if text:
                    texts.setdefault(str(text), f"spreadsheet column ({spec.kind}.{column.key})")
    for po_path in po_paths:
        catalog = polib.pofile(str(po_path))
        present = {entry.msgid for entry in catalog if not entry.msgctxt}
        for text, where in texts.items():
            if text not in present:
                catalog.append(polib.POEntry(msgid=text, msgstr="", comment=where))
        catalog.save()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--english", help="msgid<TAB>English lines that fill empty or fuzzy English entries")
    args = parser.parse_args()
    run("makemessages", "-l", "zh_Hant", "-l", "en", "--no-obsolete", "-i", "tests/*")
    add_column_texts([APP / "locale" / language / "LC_MESSAGES" / "django.po" for language in ("zh_Hant", "en")])
    fill_traditional(APP / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po")
    missing = fill_english(APP / "locale" / "en" / "LC_MESSAGES" / "django.po", args.english)
    run("compilemessages", "-l", "zh_Hant", "-l", "en")
    for msgid in missing:
        print(f"English missing or fuzzy: {msgid}", file=sys.stderr)


if __name__ == "__main__":
    main()
