"""What every import shares: the error shape, the header search, finding an organisation
or area named in a cell, the permission check, and the registry of importable kinds.

A module registers a kind (`register("members", ...)`) with its columns and a `run`
function `run(*, actor, sheet, dry_run, progress) -> ImportResult`. `run` reads every row,
collects every problem, and writes only when there is none, in one transaction through
the module's services; the job (`core.spreadsheets.jobs`) runs it in the background.

One error shape everywhere: `Problem(row, column, value, reason, reason_en)`, the row as
numbered in the spreadsheet (None for the file as a whole), the column's header, at most
50 characters of the cell, and the reason in Chinese and in English.
"""

import re
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dangjian.core.scope import scope_paths, user_can
from dangjian.core.services import require

from .columns import CellError, Rendered, excerpt, match_header, norm, text_of
from .reader import SpreadsheetError

# Imports create and change records, so they need the `change` capability on every
# organisation a row names, and the separate `import` grant there (checked here and nowhere else).
IMPORT_ACTION = "change"
IMPORT_GRANT = "import"
MAX_PROBLEMS = 1000
RESOLVE_LIMIT = 2_000
_ID_SUFFIX = re.compile(r"^(.*?)\s*\[#(\d+)\]$")


@dataclass
class Problem:
    row: int | None
    column: str
    value: str
    reason: str
    reason_en: str

    @property
    def message(self):
        """The reason in the active language (English when the page is English, else Chinese)."""
        return self.reason_en if (translation.get_language() or "").startswith("en") else self.reason

    def as_dict(self):
        return asdict(self)


def problem(row, column, error, value=None):
    """A Problem from a CellError or SpreadsheetError (rendered in both languages), a
    ValidationError or text."""
    if isinstance(error, Rendered):
        zh, en = error.render("zh-hans"), error.render("en")
    else:
        if isinstance(error, ValidationError):
            zh = " ".join(error.messages)
        else:
            zh = str(error)
        en = english(zh)
    return Problem(row=row, column=str(column or ""), value=excerpt(value) if value not in (None, "") else "",
                   reason=zh, reason_en=en)


def english(text):
    """The English catalog's text for a Chinese message (itself when it has none, e.g. a
    message with parameters filled in)."""
    with translation.override("en"):
        return gettext(text)


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    dry_run: bool = False
    problems: list = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self):
        return not self.problems

    def add(self, item):
        """Keep the first MAX_PROBLEMS problems; count them all."""
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(item)

    def file_problem(self, error):
        self.add(problem(None, "", error))
        return self

    def add_row(self, row, columns, errors, values=None):
        """Problems of one row: {column key: error}, in the order of the columns."""
        order = {column.key: i for i, column in enumerate(columns)}
        labels = {column.key: column.label for column in columns}
        for key in sorted(errors, key=lambda k: order.get(k, len(order))):
            self.add(problem(row, labels.get(key, ""), errors[key], (values or {}).get(key)))


NO_ROWS = _("文件中没有数据行（只有表头）。")


def rows_with_header(sheet, columns):
    """Find the header among the first rows (registry files may carry a title row above it).

    Returns (header row number, positions, header problems [(label, CellError)], iterator over data rows)."""
    rows = sheet.rows()
    lookup = {norm(name) for column in columns for name in column.names()}
    skipped = []
    for number, values in rows:
        hits = sum(1 for v in values if norm(text_of(v)) in lookup)
        if hits >= 2 or len(skipped) >= 4:
            chosen = (number, values) if hits >= 2 else skipped[0]
            break
        skipped.append((number, values))
    else:
        if not skipped:
            raise SpreadsheetError(_("文件是空的：没有找到表头。"))
        chosen = skipped[0]
    number, values = chosen
    positions, problems = match_header(values, columns)
    return number, positions, problems, rows


def cells(columns, positions, values):
    """{column key: raw cell} for the columns the header names."""
    return {column.key: values[positions[column.key]] if positions.get(column.key, len(values)) < len(values)
            else None for column in columns}


def read_row(columns, positions, values):
    """Convert one row's cells: returns (raw cells, parsed values, {key: CellError})."""
    plan = _row_plan(columns, positions)
    size = len(values)
    raw, parsed, errors = {}, {}, {}
    # Called once per row of files of half a million rows: the loop is kept flat, and a
    # short text cell (most cells) is taken as it is (the reader has stripped it).
    for key, index, column, short_text, limit, required, skip in plan:
        cell = values[index] if index < size else None
        raw[key] = cell
        if skip:
            continue
        if short_text and type(cell) is str and (limit is None or len(cell) <= limit):
            value = cell.strip()
        else:
            try:
                value = column.convert(cell)
            except CellError as exc:
                errors[key] = exc
                parsed[key] = None
                continue
        parsed[key] = value
        if required and (value is None or value == ""):
            errors[key] = CellError(_("必填，不能为空。"))
    return raw, parsed, errors


_ROW_PLANS = {}


def _row_plan(columns, positions):
    """Per column: (key, cell index, column, plain text?, longest text, required, read only)."""
    # One import keeps one positions dict; the cache holds it, so its id() stays its own.
    key = (id(columns), id(positions))
    cached = _ROW_PLANS.get(key)
    if cached is not None and cached[0] is positions and cached[1] is columns:
        return cached[2]
    missing = 1 << 30  # a column the header does not name: its cell is always None
    plan = tuple((c.key, positions.get(c.key, missing), c, c.kind == "text", c.max_length, c.required,
                  c.read_only) for c in columns)
    if len(_ROW_PLANS) > 100:
        _ROW_PLANS.clear()
    _ROW_PLANS[key] = (positions, columns, plan)
    return plan


# Permission --------------------------------------------------------------------------

def may_import(user):
    """Whether the user may open an import page at all (some subtree with `change` and some with `import`)."""
    return bool(scope_paths(user, IMPORT_ACTION)) and bool(scope_paths(user, IMPORT_GRANT))


def require_in_scope(actor, org, *, field):
    """The one check every import makes on an organisation a row names."""
    require(actor, IMPORT_GRANT, org, field=field)
    require(actor, IMPORT_ACTION, org, field=field)


def unreachable_org(text):
    """One message for an org that does not exist and one outside the importer's scope,
    so an import cannot be used to learn what exists elsewhere."""
    return CellError(_("党组织“%(text)s”不存在或不在您的管辖范围内。"), text=excerpt(text))


# Organisations and areas named in cells ----------------------------------------------

def segments(text):
    return [s for s in re.split(r"\s*[/／]\s*", text.strip()) if s]


class TreeResolver:
    """Finds a tree node (an Org or an Area) written in a cell: its code, its ID, its name
    with its ID (“名称 [#编号]”, what exports write where names repeat), or its name path
    (“上级/本级”, from the root or any unique tail of it), optionally only inside the
    subtree of `within`. Results are cached per text. For organisations, out-of-scope and
    missing answer alike.

    A tree of up to PRELOAD_LIMIT nodes is loaded once, in one query, so that a file
    naming thousands of organisations costs no query per name; a larger one is asked
    per name."""

    PRELOAD_LIMIT = 300_000

    def __init__(self, model, actor=None, *, is_org=False):
        self.model = model
        self.actor = actor
        self.is_org = is_org
        self.steplen = model.steplen
        self.cache = {}
        self.index = None

    def preload(self):
        """Load the tree now (not at the first cell); whether it is held in memory, so
        that resolving names runs no query (False: a tree above PRELOAD_LIMIT)."""
        if self.index is None:
            self.index = self._load()
        return bool(self.index)

    def __call__(self, text, within=None):
        key = (text, within.path if within is not None else None)
        if key not in self.cache:
            if self.index is None:
                self.index = self._load()
            found, error = self._resolve(text)
            if found is not None and within is not None and not found.path.startswith(within.path):
                found, error = None, self._missing(text)
            elif found is None and within is not None and error is not None:
                # Ambiguous across the tree may be unique inside `within`.
                inside = [n for n in self._candidates(text) if n.path.startswith(within.path)]
                if len(inside) == 1:
                    found, error = inside[0], None
            self.cache[key] = (found, error)
        found, error = self.cache[key]
        if error is not None:
            raise error
        return found

    def _load(self):
        if self.model.objects.count() > self.PRELOAD_LIMIT:
            return False
        fields = ["id", "path", "depth", "name", "code"] + (["closed_at"] if self.is_org else [])
        index = {"code": {}, "pk": {}, "name": {}}
        for node in self.model.objects.only(*fields).iterator(chunk_size=5000):
            index["pk"][node.pk] = node
            index["name"].setdefault(node.name, []).append(node)
            if node.code:
                index["code"].setdefault(node.code, []).append(node)
        return index

    def _with_code(self, text):
        if self.index:
            return self.index["code"].get(text, [])[:2]
        return list(self.model.objects.filter(code=text)[:2])

    def _with_pk(self, pk):
        if self.index:
            return self.index["pk"].get(pk)
        return self.model.objects.filter(pk=pk).first()

    def _named(self, name, parents=None):
        """Nodes called `name` (children of `parents` when given)."""
        from dangjian.core.tree import subtree_q

        if self.index:
            found = self.index["name"].get(name, [])
        elif parents is None:
            found = self.model.objects.filter(name=name)[:RESOLVE_LIMIT]
        else:
            found = self.model.objects.filter(subtree_q("path", parents), name=name)[:RESOLVE_LIMIT]
        if parents is None:
            return list(found)
        return [node for node in found if node.path[:-self.steplen] in parents]

    def _missing(self, text):
        if self.is_org and self.actor is not None:
            return unreachable_org(text)
        what = _("党组织") if self.is_org else _("区域")
        return CellError(_("找不到%(what)s“%(text)s”。"), what=what, text=excerpt(text))

    def _candidates(self, text):
        """Every node the text could mean (by code, or by the path's last name)."""
        parts = segments(text)
        return self._with_code(text) + (self._named(parts[-1]) if parts else [])

    def _resolve(self, text):
        what = _("党组织") if self.is_org else _("区域")
        with_id = _ID_SUFFIX.match(text)
        if with_id:
            node = self._with_pk(int(with_id.group(2)))
            if node is not None and node.name == with_id.group(1):
                return node, None
            return None, self._missing(text)
        by_code = self._with_code(text) if text else []
        if len(by_code) == 1:
            return by_code[0], None
        if text.isdigit() and not by_code:
            by_pk = self._with_pk(int(text))
            if by_pk is not None:
                return by_pk, None
        parts = segments(text)
        if not parts:
            return None, CellError(_("找不到该%(what)s。"), what=what)
        # Walk down the path: the first name may sit at any depth, each next one is a child.
        matches = self._named(parts[0])
        for part in parts[1:]:
            if not matches:
                break
            matches = self._named(part, {m.path for m in matches})
        if len(matches) > 1 and self.is_org:
            matches = [m for m in matches if not m.closed_at] or matches
            if len(matches) > 1 and self.actor is not None:
                matches = [m for m in matches if user_can(self.actor, IMPORT_ACTION, m)] or matches
        if len(matches) == 1:
            return matches[0], None
        if not matches:
            return None, self._missing(text)
        return None, CellError(_("有多个%(what)s叫“%(text)s”，请写出上级名称（如“上级/本级”）或代码。"),
                               what=what, text=excerpt(text))


def common_root(model, paths):
    """The node whose subtree holds every path (for placing one audit entry)."""
    paths = [p for p in paths if p]
    if not paths:
        return None
    steplen = model.steplen
    prefix = paths[0]
    for path in paths[1:]:
        while not path.startswith(prefix):
            prefix = prefix[:-steplen]
    prefix = prefix[: len(prefix) // steplen * steplen]
    return model.objects.filter(path=prefix).first() if prefix else None


# Registry ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Importable:
    kind: str
    title: object          # what the pages call it (lazy text)
    columns: tuple
    run: object            # run(*, actor, sheet, dry_run, progress) -> ImportResult
    template: object = None  # template() -> binary file of an empty import file
    back_url: str = ""     # URL name the pages link back to


IMPORTS = {}
_discovered = []


def register(importable):
    """Called by an app's `spreadsheets` module at import time (found by `importable`)."""
    IMPORTS[importable.kind] = importable
    return importable


def importable(kind):
    """The registered kind; every installed app's `spreadsheets` module is imported once
    first, as the admin finds `admin` modules, so core names no app."""
    if not _discovered:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("spreadsheets")
        _discovered.append(True)
    return IMPORTS[kind]


def run_import(kind, *, actor, sheet, dry_run=False, progress=None):
    """Run a registered import in Chinese (reasons carry their English twin), returning its
    ImportResult; a file that cannot be read becomes a file-level problem."""
    importable_ = importable(kind)
    with translation.override("zh-hans"):
        try:
            return importable_.run(actor=actor, sheet=sheet, dry_run=dry_run, progress=progress or (lambda n: None))
        except SpreadsheetError as exc:
            return ImportResult(kind=kind, dry_run=dry_run).file_problem(exc)
