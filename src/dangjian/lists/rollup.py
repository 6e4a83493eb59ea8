"""Roll-up maths, kept in one pure module so that every figure on a page can be
explained by the rows it was computed from.

A parent's completion is the average of its children's completion:
- weighted: Σ(weight × value) / Σ(weight); plain: Σ(value) / n;
- children without progress are either left out (exclude) or counted as 0 % (zero);
- a programme or project with nothing to count (no measures, or none that counts) is
  left out under either rule: every point of a list's completion comes from a measure.
The same rule is applied at every level (measure → project → programme → list).

Multiplying the shares along a measure's path gives its *effective share* of the list
(`effective_shares`): a list's completion = Σ(share × progress) over its measures, and
the shares of the counted measures add up to 1. The services keep each measure's share
in `Measure.share`, so an organisation's completion is one GROUP BY:

    completion(org) = Σ(share × progress) / Σ(share)  over the measures in its subtree

— for a whole list that is the list's completion, for several whole lists the plain
mean of their completions, and for a part of a list (a programme, one organisation's
measures) the share-weighted mean of that part. `figure` rounds a completion to the
one decimal every surface shows, and ranks compare.
"""

from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

WEIGHTED = "weighted"
PLAIN = "plain"
EXCLUDE = "exclude"
ZERO = "zero"

ONE_DECIMAL = Decimal("0.1")


@dataclass
class Row:
    """One child in a roll-up. `value` is 0–100 (ignored when `has_progress` is False)."""

    value: float | None
    weight: float = 1.0
    has_progress: bool = True
    label: str = ""
    obj: object = None
    children: "Result | None" = None
    # Filled in (on the copies in Result.rows) by rollup():
    counted: bool = False
    used_value: float | None = None
    share: float | None = None  # fraction of the parent this row carries (0–1)
    contribution: float | None = None  # share × used_value, in percentage points


@dataclass
class Result:
    value: float | None
    rows: list = field(default_factory=list)
    averaging: str = WEIGHTED
    missing: str = ZERO
    total_weight: float = 0.0
    counted: int = 0
    excluded: int = 0

    @property
    def has_progress(self):
        return any(row.has_progress for row in self.rows)


def rollup(rows, *, averaging=WEIGHTED, missing=ZERO):
    """Average `rows` by the rule; returns a Result whose rows (copies: the input is left
    as it was) say how each one counted.

    The value is None when no row counts (nothing reported and missing=exclude, or no
    rows at all)."""
    if averaging not in (WEIGHTED, PLAIN):
        raise ValueError(f"unknown averaging {averaging!r}")
    if missing not in (EXCLUDE, ZERO):
        raise ValueError(f"unknown missing rule {missing!r}")
    out, counted = [], []
    for row in rows:
        empty = row.children is not None and row.children.value is None
        if empty:
            state = {"counted": False, "used_value": None}
        elif row.has_progress and row.value is not None:
            state = {"counted": True, "used_value": float(row.value)}
        elif missing == ZERO:
            state = {"counted": True, "used_value": 0.0}
        else:
            state = {"counted": False, "used_value": None}
        copy = replace(row, share=None, contribution=None, **state)
        out.append(copy)
        if copy.counted:
            counted.append(copy)
    result = Result(value=None, rows=out, averaging=averaging, missing=missing,
                    counted=len(counted), excluded=len(out) - len(counted))
    if not counted:
        return result
    weights = [float(row.weight) if averaging == WEIGHTED else 1.0 for row in counted]
    total = sum(weights)
    result.total_weight = total
    if total <= 0:
        return result
    value = 0.0
    for row, weight in zip(counted, weights):
        row.share = weight / total
        row.contribution = row.share * row.used_value
        value += row.contribution
    # Guard against float drift pushing the mean outside its inputs.
    low = min(row.used_value for row in counted)
    high = max(row.used_value for row in counted)
    result.value = min(max(value, low), high)
    return result


def effective_shares(result, *, scale=1.0):
    """[(obj, share of the top-level value)] for every leaf row (a row without children)
    of a rolled-up tree: the product of the shares along its path, 0 for a leaf that did
    not count. When `result.value` is not None the shares of the leaves add up to 1 and
    Σ(share × used value) is the value."""
    shares = []
    for row in result.rows:
        share = scale * row.share if row.counted and row.share is not None else 0.0
        if row.children is not None:
            shares.extend(effective_shares(row.children, scale=share))
        else:
            shares.append((row.obj, share))
    return shares


def share_completion(sum_share, sum_share_value):
    """An organisation's (or any set of measures') completion from the two sums one SQL
    GROUP BY gives: Σ(share × progress) / Σ(share); None when no measure counts."""
    if not sum_share:
        return None
    return float(sum_share_value) / float(sum_share)


def figure(value):
    """The completion as every surface shows it and ranks compare it: one decimal, half
    up, after dropping float noise (so 12.25 computed as 12.2499999999 shows 12.3)."""
    if value is None:
        return None
    return Decimal(repr(round(float(value), 9))).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def list_tree(programmes, projects, measures, *, averaging, missing):
    """Roll a list up measure → project → programme → list from its items (anything with
    the models' attributes: pk, weight, title, programme_id, project_id, progress,
    has_progress). Projects outside a programme and measures outside a project sit
    directly under the list. Returns the list's Result."""
    rule = {"averaging": averaging, "missing": missing}

    def measure_row(m):
        return Row(value=float(m.progress), weight=float(m.weight), has_progress=m.has_progress, label=m.title, obj=m)

    def parent_row(obj, children):
        result = rollup(children, **rule)
        return Row(value=result.value, weight=float(obj.weight), has_progress=result.has_progress, label=obj.title,
                   obj=obj, children=result)

    by_project, loose_measures = {}, []
    for m in measures:
        (by_project.setdefault(m.project_id, []) if m.project_id else loose_measures).append(m)
    by_programme, loose_projects = {}, []
    for p in projects:
        row = parent_row(p, [measure_row(m) for m in by_project.get(p.pk, [])])
        (by_programme.setdefault(p.programme_id, []) if p.programme_id else loose_projects).append(row)
    top = [parent_row(g, by_programme.get(g.pk, [])) for g in programmes]
    top.extend(loose_projects)
    top.extend(measure_row(m) for m in loose_measures)
    return rollup(top, **rule)
