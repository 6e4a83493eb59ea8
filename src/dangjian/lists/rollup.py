"""Roll-up maths, kept in one pure function so that every figure on a page can be
explained by the rows it was computed from.

A parent's completion is the average of its children's completion:
- weighted: Σ(weight × value) / Σ(weight); plain: Σ(value) / n;
- children without progress are either left out (exclude) or counted as 0 % (zero).
The same rule is applied at every level (measure → project → programme → list) and, in
SQL, for organisation subtrees (selectors.subtree_rollup).
"""

from dataclasses import dataclass, field

WEIGHTED = "weighted"
PLAIN = "plain"
EXCLUDE = "exclude"
ZERO = "zero"


@dataclass
class Row:
    """One child in a roll-up. `value` is 0–100 (ignored when `has_progress` is False)."""

    value: float | None
    weight: float = 1.0
    has_progress: bool = True
    label: str = ""
    obj: object = None
    children: "Result | None" = None
    # Filled in by rollup():
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
    """Average `rows` by the rule; returns a Result whose rows say how each one counted.

    The value is None when no row counts (nothing reported and missing=exclude, or no
    rows at all)."""
    if averaging not in (WEIGHTED, PLAIN):
        raise ValueError(f"unknown averaging {averaging!r}")
    if missing not in (EXCLUDE, ZERO):
        raise ValueError(f"unknown missing rule {missing!r}")
    rows = list(rows)
    counted = []
    for row in rows:
        if row.has_progress and row.value is not None:
            row.counted, row.used_value = True, float(row.value)
        elif missing == ZERO:
            row.counted, row.used_value = True, 0.0
        else:
            row.counted, row.used_value = False, None
        row.share = row.contribution = None
        if row.counted:
            counted.append(row)
    result = Result(value=None, rows=rows, averaging=averaging, missing=missing,
                    counted=len(counted), excluded=len(rows) - len(counted))
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


def from_sums(*, n, n_with, sum_value, sum_weight, sum_weight_with, sum_weighted_value, averaging, missing):
    """The same rule from the sums one SQL GROUP BY gives (missing progress is stored as 0,
    so Σvalue over all rows equals Σvalue over rows with progress)."""
    if averaging == WEIGHTED:
        denominator = sum_weight if missing == ZERO else sum_weight_with
        numerator = sum_weighted_value
    else:
        denominator = n if missing == ZERO else n_with
        numerator = sum_value
    if not denominator:
        return None
    return float(numerator) / float(denominator)
