"""Declared columns: what a cell may hold and how it becomes a value.

A module declares its sheet as a tuple of `Column`s (key, the header written in files in
Simplified Chinese, other header names a file may use, the type, whether it is required,
the longest text). `Column.convert` turns a raw cell into a value or raises `CellError`
with the reason; every import reads cells the same way:

- dates: ONE grammar (`parse_date`): a date cell, YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD,
  YYYY年M月D日, YYYYMMDD, or an Excel serial number;
- choices: the code, or its label in any of the three languages (简体, 繁體, English), or a
  declared alias; spaces and full-width brackets do not matter;
- references to an organisation or a person are resolved by the module (see
  `importer.TreeResolver`), the column only declares them (`kind="ref"`).
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("zh-hans", "zh-hant", "en")
EXCERPT = 50


class Rendered:
    """An error whose message is a lazy msgid with %-parameters, so that it can be shown
    in Chinese and in English (`render`)."""

    def __init__(self, message, **params):
        super().__init__(message)
        self.message, self.params = message, params

    def render(self, language=None):
        if language:
            with translation.override(language):
                return self.render()
        text = str(self.message)
        return text % self.params if self.params else text

    def __str__(self):
        return self.render()


class CellError(Rendered, ValueError):
    """A cell that cannot be used; the message says why."""


def excerpt(value, limit=EXCERPT):
    """At most `limit` characters of a cell, for error messages and reports."""
    text = text_of(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def text_of(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def norm(text):
    """What header and choice matching compares: no spaces or asterisks, half-width brackets, lower case."""
    return re.sub(r"[\s*＊]", "", str(text)).replace("（", "(").replace("）", ")").lower()


def in_language(value, language):
    with translation.override(language):
        return str(value)


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")


def parse_date(value):
    """A date cell, or a text date in the forms people type; None when empty; ValueError otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number = int(value)
            if 19000101 <= number <= 29991231:
                return datetime.date(number // 10000, number // 100 % 100, number % 100)
            if 1 <= number < 100_000:
                return datetime.date(1899, 12, 30) + datetime.timedelta(days=number)
            raise ValueError
        text = str(value).strip()
        if re.fullmatch(r"\d{8}", text):
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        match = _DATE.fullmatch(text)
        if match:
            return datetime.date(*(int(g) for g in match.groups()))
    except (ValueError, OverflowError):
        pass
    raise ValueError(value)


@dataclass(frozen=True)
class Column:
    """One column of a sheet. `kind`: text, int, decimal, date, bool, choice, ref, id_number."""

    key: str
    label: str
    meaning: str = ""
    fmt: str = ""
    required: bool = False
    example: str = ""
    kind: str = "text"
    aliases: tuple = ()
    choices: type | None = None
    value_aliases: dict = field(default_factory=dict)
    max_length: int | None = None
    read_only: bool = False  # written by exports, ignored by imports

    def names(self):
        return (self.label, self.key, *self.aliases)

    def labels(self):
        """Chinese labels of a choice column, as written in files."""
        return [in_language(label, "zh-hans") for _code, label in self.choices.choices] if self.choices else []

    def allowed(self):
        """The allowed values of a choice column, as written in files (“、” separated)."""
        return "、".join(self.labels()) if self.kind == "choice" else ""

    def label_of(self, code):
        """The Chinese label of a choice code (what exports write)."""
        return _choice_labels(self.choices).get(code, code or "")

    def choice_map(self):
        if id(self) not in _COLUMN_MAPS:  # columns are module constants, so id() stays theirs
            _COLUMN_MAPS[id(self)] = _choice_map(self.choices, tuple(sorted(self.value_aliases.items())))
        return _COLUMN_MAPS[id(self)]

    def convert(self, raw):
        """The cell's value for this column, or CellError."""
        if self.kind == "text" and type(raw) is str:  # the common case, kept short: imports call this per cell
            if self.max_length and len(raw) > self.max_length:
                raise CellError(_("不能超过 %(n)s 个字。"), n=self.max_length)
            return raw.strip()
        if self.kind == "date":
            try:
                return parse_date(raw)
            except ValueError:
                raise CellError(_("日期“%(value)s”无法识别，请写成 YYYY-MM-DD。"), value=excerpt(raw)) from None
        if self.kind == "id_number" and isinstance(raw, (int, float)):
            raise CellError(_("身份证号须以文本格式填写（Excel 会把18位数字变成科学计数并丢失末几位）。"))
        if self.kind == "decimal":
            return _decimal(raw)
        if self.kind == "bool":
            return _boolean(raw)
        if self.kind == "choice" and type(raw) is str:
            # A registry repeats a handful of spellings half a million times: remember each
            # spelling's code instead of normalising it again.
            memo = _CHOICE_MEMO.setdefault(id(self), {})
            code = memo.get(raw)
            if code is not None:
                return code
        text = text_of(raw)
        if self.kind == "choice":
            if not text:
                return ""
            code = self.choice_map().get(norm(text))
            if code is not None and type(raw) is str and len(memo) < _CHOICE_MEMO_SIZE:
                memo[raw] = code
            if code is None:
                raise CellError(_("“%(value)s”不是有效的选项，可选：%(choices)s。"), value=excerpt(text),
                                choices="、".join(self.labels()))
            return code
        if self.kind == "int":
            if isinstance(raw, float) and raw.is_integer():
                text = str(int(raw))
            if text and not text.isdigit():
                raise CellError(_("应为整数。"))
            return text
        if self.max_length and len(text) > self.max_length:
            raise CellError(_("不能超过 %(n)s 个字。"), n=self.max_length)
        return text


_CHOICE_CACHE = {}
_COLUMN_MAPS = {}
_CHOICE_MEMO = {}  # id(column) -> {cell text as written: code}; columns are module constants
_CHOICE_MEMO_SIZE = 10_000


def _choice_map(choices, aliases):
    key = (choices, aliases)
    if key not in _CHOICE_CACHE:
        mapping = {}
        for code, label in choices.choices:
            mapping[norm(code)] = code
            for language in LANGUAGES:
                mapping.setdefault(norm(in_language(label, language)), code)
        for alias, code in aliases:
            mapping.setdefault(norm(alias), code)
        _CHOICE_CACHE[key] = mapping
    return _CHOICE_CACHE[key]


def _choice_labels(choices):
    return {code: in_language(label, "zh-hans") for code, label in choices.choices}


def _decimal(value):
    if value in ("", None):
        return None
    if isinstance(value, bool):
        raise CellError(_("应为数字。"))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise CellError(_("“%(value)s”不是数字。"), value=excerpt(value)) from None
    if not number.is_finite():
        raise CellError(_("“%(value)s”不是数字。"), value=excerpt(value))
    return number


_TRUE = {"是", "公示", "y", "yes", "true", "1", "√"}
_FALSE = {"否", "不公示", "n", "no", "false", "0", ""}


def _boolean(value):
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return None if text == "" else False
    raise CellError(_("请填写“是”或“否”。"))


def match_header(values, columns):
    """Map header cells to columns; return (positions, [(header text, CellError)])."""
    lookup = {}
    for column in columns:
        for name in column.names():
            lookup[norm(name)] = column
    positions, problems = {}, []
    for index, cell in enumerate(values):
        text = text_of(cell)
        if not text:
            continue
        column = lookup.get(norm(text))
        if column is None:
            problems.append((excerpt(text), CellError(_("无法识别的列。请使用模板中的列名。"))))
        elif column.read_only:
            continue
        elif column.key in positions:
            problems.append((column.label, CellError(_("该列重复出现。"))))
        else:
            positions[column.key] = index
    for column in columns:
        if column.required and column.key not in positions:
            problems.append((column.label, CellError(_("缺少必填列。"))))
    return positions, problems
