import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dangjian.core.tree import ALPHABET, minimal_paths, path_upper_bound

pytestmark = pytest.mark.scope

paths = st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=4), min_size=1, max_size=5).map("".join)
# Paths crowded with the alphabet's last letters, where the old bound (chr(ord + 1)) went wrong.
edgy_paths = st.text(alphabet="09AZ", min_size=1, max_size=12)


def in_range(value, prefix):
    upper = path_upper_bound(prefix)
    return prefix <= value and (upper is None or value < upper)


@settings(deadline=None)  # pure and fast; a loaded CI machine must not fail it on time
@given(prefix=st.one_of(paths, edgy_paths), suffix=st.text(alphabet=ALPHABET, max_size=12),
       other=st.one_of(paths, edgy_paths))
def test_range_matches_prefix(prefix, suffix, other):
    assert in_range(prefix + suffix, prefix)
    assert in_range(other, prefix) == other.startswith(prefix)


@settings(deadline=None)  # pure and fast; a loaded CI machine must not fail it on time
@given(st.one_of(paths, edgy_paths))
def test_upper_bound_stays_inside_the_alphabet(prefix):
    upper = path_upper_bound(prefix)
    if upper is None:
        assert set(prefix) == {ALPHABET[-1]}
    else:
        assert upper and set(upper) <= set(ALPHABET) and upper > prefix


@settings(deadline=None)  # pure and fast; a loaded CI machine must not fail it on time
@given(st.lists(st.one_of(paths, edgy_paths), min_size=1, max_size=20), st.one_of(paths, edgy_paths))
def test_a_subtree_is_one_contiguous_run_of_the_sorted_paths(values, prefix):
    # What an ORDER BY path over a bytewise column returns: the subtree is one slice of it.
    ordered = sorted(values)
    flags = [v.startswith(prefix) for v in ordered]
    if any(flags):
        first, last = flags.index(True), len(flags) - 1 - flags[::-1].index(True)
        assert all(flags[first : last + 1])


def test_known_bounds():
    assert path_upper_bound("0009") == "000A"
    assert path_upper_bound("000Z") == "001"
    assert path_upper_bound("00AZZZ") == "00B"
    assert path_upper_bound("ZZZZ") is None


@settings(deadline=None)  # pure and fast; a loaded CI machine must not fail it on time
@given(st.lists(paths, min_size=1, max_size=8))
def test_minimal_paths_cover_the_same_set(given_paths):
    roots = minimal_paths(given_paths)
    for path in given_paths:
        assert any(path.startswith(root) for root in roots)
    for a in roots:
        assert not any(b != a and a.startswith(b) for b in roots)
