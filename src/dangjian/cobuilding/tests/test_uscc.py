"""The GB 32100-2015 checksum: known real codes, and properties over random codes."""

from hypothesis import given
from hypothesis import strategies as st

from dangjian.cobuilding import uscc

REAL = ["91350100M000100Y43", "91110000600037341L"]
first17 = st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17).filter(lambda s: s[2:8].isdigit())


def test_known_codes_are_valid_and_a_changed_check_character_is_not():
    for code in REAL:
        assert uscc.problem(code) is None
        wrong = code[:17] + ("0" if code[17] != "0" else "1")
        assert uscc.problem(wrong) == "checksum"


def test_shape_problems_are_named():
    assert uscc.problem("9135010") == "length"
    assert uscc.problem("91350100M000100YI3") == "character"  # I is not in the alphabet
    assert uscc.problem("91A50100M000100Y43") == "division"
    assert uscc.normalise(" ９１３５０１００ｍ０００１００ｙ４３ ") == "91350100M000100Y43"


@given(first17)
def test_the_check_character_makes_a_valid_code(head):
    assert uscc.problem(head + uscc.check_character(head)) is None


@given(first17, st.integers(min_value=0, max_value=16), st.sampled_from(uscc.ALPHABET))
def test_any_single_character_change_is_caught(head, position, replacement):
    code = head + uscc.check_character(head)
    changed = code[:position] + replacement + code[position + 1:]
    if changed != code and changed[2:8].isdigit():
        assert uscc.problem(changed) == "checksum"
