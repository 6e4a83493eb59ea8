from hypothesis import given
from hypothesis import strategies as st

from dangjian.core.tree import ALPHABET, minimal_paths, path_upper_bound

paths = st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=4), min_size=1, max_size=5).map("".join)


@given(prefix=paths, suffix=st.text(alphabet=ALPHABET, max_size=12), other=paths)
def test_range_matches_prefix(prefix, suffix, other):
    upper = path_upper_bound(prefix)
    assert prefix <= prefix + suffix < upper
    assert (prefix <= other < upper) == other.startswith(prefix)


@given(st.lists(paths, min_size=1, max_size=8))
def test_minimal_paths_cover_the_same_set(given_paths):
    roots = minimal_paths(given_paths)
    for path in given_paths:
        assert any(path.startswith(root) for root in roots)
    for a in roots:
        assert not any(b != a and a.startswith(b) for b in roots)
