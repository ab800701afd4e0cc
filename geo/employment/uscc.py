"""The 统一社会信用代码 (unified social credit code) of GB 32100-2015.

Eighteen characters from the 31 of :data:`ALPHABET` (the digits and the capital letters
without I, O, Z, S and V): a registering authority (1), an entity kind (1), the registering
office's area code (6), the organisation code of GB 11714 (9, its last character a check
character of its own) and a check character over the first seventeen.
"""

from __future__ import annotations

from geo.i18n import N_

__all__ = ["ALPHABET", "check_character", "uscc_problem"]

#: the characters a code may use, in the order of their values 0–30
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
# GB 32100-2015 § 5: weight of position i is 3^i mod 31
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714-1997: weights of the organisation code's eight body characters
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_LENGTH = 18


def check_character(body: str) -> str:
    """The 18th character that the first seventeen characters ``body`` call for."""
    total = sum(_VALUE[c] * w for c, w in zip(body, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def _org_check(body: str) -> str:
    """The check character of an organisation code's eight body characters (GB 11714)."""
    # in an organisation code a letter counts as its place in the alphabet plus 9 (A = 10)
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    rest = 11 - total % 11
    return {10: "X", 11: "0"}.get(rest, str(rest))


def uscc_problem(code: str, *, organisation_code: bool = True
                 ) -> tuple[str, dict[str, object]] | None:
    """What is wrong with ``code`` as a GB 32100-2015 code, or ``None`` when it is right.

    ``organisation_code=False`` leaves out the check character of characters 9–17 (for codes
    made up without it, as in test data); the 18th character is always checked.

    Returns
    -------
    tuple
        A message id (``uscc_length``, ``uscc_character``, ``uscc_check``, ``uscc_org_check``)
        and the values it names: the length found, the character and its position, or the
        check character expected and the one found.
    """
    if len(code) != _LENGTH:
        return N_("uscc_length"), {"length": len(code)}
    for position, char in enumerate(code, start=1):
        if char not in _VALUE:
            return N_("uscc_character"), {"char": char, "position": position}
    org = code[8:17]
    expected_org = _org_check(org[:8])
    if organisation_code and org[8] != expected_org:
        return N_("uscc_org_check"), {"expected": expected_org, "found": org[8]}
    expected = check_character(code[:17])
    if code[17] != expected:
        return N_("uscc_check"), {"expected": expected, "found": code[17]}
    return None
