"""Search keys: a name or title is found by its characters in Simplified or Traditional
script, by full pinyin and by pinyin initials. The key is computed once, at write time."""

from functools import lru_cache

import opencc
from django.db.models import CharField, F, Func
from pypinyin import lazy_pinyin

_t2s = opencc.OpenCC("t2s")


@lru_cache(maxsize=4096)
def to_simplified(text):
    return _t2s.convert(text or "")


@lru_cache(maxsize=65536)
def _char_pinyin(char):
    full = lazy_pinyin(char, errors="ignore")
    return (full[0] if full else "")


@lru_cache(maxsize=65536)  # names repeat: a registry import asks for the same ones many times
def search_key(*parts):
    """'张三丰' -> 'zhangsanfeng 张三丰 zsf' (lower-case); '1号楼' -> '1haolou 1号楼 1hl'.

    The text is kept as written and, where OpenCC changes it, in its Simplified form as
    well: t2s maps some characters that are already Simplified (the surname 沈 becomes
    沉), so a query, which is converted the same way, must find either form. Pinyin comes
    from the text as written; Latin letters and digits stand in it as themselves, so
    '1hl' finds 1号楼 and 'd1wg' finds 第1网格.
    """
    original = " ".join(p for p in parts if p).lower()
    simplified = to_simplified(original)
    syllables = [_char_pinyin(c) if "\u4e00" <= c <= "\u9fff" else c for c in original
                 if "\u4e00" <= c <= "\u9fff" or (c.isascii() and c.isalnum())]
    syllables = [s for s in syllables if s]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables)
    # The full pinyin comes first, so ordering by the key orders names by pinyin (PINYIN_ORDER).
    forms = (full, original, simplified if simplified != original else "", initials)
    return " ".join(x for x in forms if x)


class PinyinOrder(Func):
    """Order rows by the pinyin of their name: `order_by(PinyinOrder().asc(), "pk")`.

    The search key starts with the name's full pinyin (search_key), so the key is the sort
    key; it is compared bytewise (COLLATE "C" on PostgreSQL, SQLite's default), so a
    database collation that ignores spaces cannot mix one name's pinyin into the next
    form. Homophones fall back to the characters, then the caller's next field."""

    template = "%(expressions)s"
    output_field = CharField()

    def __init__(self, field="search_text", **extra):
        super().__init__(F(field), **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template='%(expressions)s COLLATE "C"', **extra)


def normalise_query(query):
    """What a user typed, reduced to the form search keys are stored in."""
    return to_simplified((query or "").strip()).lower().replace(" ", "")
