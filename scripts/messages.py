"""Refresh the translation catalogs.

Message ids are Simplified Chinese (the default language). The Traditional Chinese
catalog is generated from them with OpenCC (s2twp: Taiwan phrasing is not wanted, so
plain s2t); English translations are kept in locale/en and only new ids are added.
Needs GNU gettext (xgettext, msgfmt) on the developer's machine; the compiled .mo files
are committed so a fresh clone needs nothing.
"""

import os
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


def main():
    run("makemessages", "-l", "zh_Hant", "-l", "en", "--no-obsolete", "-i", "tests/*")
    fill_traditional(APP / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po")
    run("compilemessages", "-l", "zh_Hant", "-l", "en")


if __name__ == "__main__":
    main()
