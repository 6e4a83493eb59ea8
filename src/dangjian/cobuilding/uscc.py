"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-character alphabet (digits and capital letters without I, O, Z,
S, V): registration authority (1), category (1), administrative division (6 digits),
organisation code (9), check character (1). The check character is
C18 = 31 - (sum(value(Ci) * Wi) mod 31), with 31 read as 0, over the first 17 characters
and the weights 3^(i-1) mod 31.
"""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


def normalise(code):
    """Upper case, without spaces (full-width characters folded to ASCII)."""
    if code is None:
        return ""
    text = str(code).strip().upper()
    text = text.translate({cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)})
    return "".join(text.split())


def check_character(first17):
    """The check character for the first 17 characters (ValueError on a bad character)."""
    if len(first17) != 17:
        raise ValueError("need 17 characters")
    try:
        total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS))
    except KeyError as exc:
        raise ValueError(f"bad character {exc.args[0]!r}") from None
    return ALPHABET[(31 - total % 31) % 31]


def problem(code):
    """None when `code` (normalised) is a valid code, else a short reason key:
    'length', 'character', 'division' or 'checksum'."""
    if len(code) != 18:
        return "length"
    if any(ch not in _VALUE for ch in code):
        return "character"
    if not code[2:8].isdigit():
        return "division"
    if check_character(code[:17]) != code[17]:
        return "checksum"
    return None


def is_valid(code):
    return problem(normalise(code)) is None
