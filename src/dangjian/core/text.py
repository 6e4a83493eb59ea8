"""Search keys: a name or title is found by its characters in Simplified or Traditional
script, by full pinyin and by pinyin initials. The key is computed once, at write time."""

from functools import lru_cache

import opencc
from pypinyin import Style, lazy_pinyin

_t2s = opencc.OpenCC("t2s")


@lru_cache(maxsize=4096)
def to_simplified(text):
    return _t2s.convert(text or "")


@lru_cache(maxsize=65536)
def _char_pinyin(char):
    full = lazy_pinyin(char, errors="ignore")
    return (full[0] if full else "")


def search_key(*parts):
    """'张三丰' -> '张三丰 zhangsanfeng zsf' (lower-case, Simplified)."""
    text = to_simplified(" ".join(p for p in parts if p)).lower()
    syllables = [_char_pinyin(c) for c in text if "\u4e00" <= c <= "\u9fff"]
    syllables = [s for s in syllables if s]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables)
    return " ".join(x for x in (text, full, initials) if x)


def normalise_query(query):
    """What a user typed, reduced to the form search keys are stored in."""
    return to_simplified((query or "").strip()).lower().replace(" ", "")
