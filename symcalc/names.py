"""One spelling per name, shared by every entry point: x₁ is x_1, xₐ is x_a, 𝐼 is I.

The parser, declarations, --wrt, --at, spec files and the API's wrt and value keys all pass names
through :func:`normalize_name`, so a name means the same variable wherever it is typed, and
through :func:`spelling_problem`, so a name that only looks like another is refused everywhere.

>>> normalize_name("x₁"), normalize_name("x_₁₂"), normalize_name("wₐ"), normalize_name("𝐼")
('x_1', 'x_12', 'w_a', 'I')
>>> spelling_problem("ν")
(0, "the letter 'ν' (GREEK SMALL LETTER NU) looks like the ASCII 'v'; type v, or choose another name")
>>> spelling_problem("x__1")
(1, "'x__1' has a doubled underscore; names take single underscores, as in x_1")
"""
from __future__ import annotations

import re
import unicodedata

from .confusables import LOOKS_LIKE

_SUB_DIGITS = "₀₁₂₃₄₅₆₇₈₉"
_SUB_LETTERS = "ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"
_PLAIN = str.maketrans(_SUB_DIGITS + _SUB_LETTERS, "0123456789" + "aehijklmnoprstuvx")
_SUBSCRIPT_RUN = re.compile(f"_*([{_SUB_DIGITS}]+|[{_SUB_LETTERS}]+)")
_SCRIPTS = ("LATIN", "GREEK")
# Unicode lists α, γ and σ as look-alikes of a, y and o, but in formulas they are read as themselves
# (a learning rate, a discount, a deviation) and no one types them by mistake for a Latin letter
MATH_GREEK = "αγσ"


def normalize_name(name):
    """The canonical spelling of a variable name (non-strings pass through for the caller to refuse)."""
    if not isinstance(name, str):
        return name
    name = _SUBSCRIPT_RUN.sub(lambda m: "_" + m.group(1).translate(_PLAIN), name)
    # NFKC folds mathematical italic/bold letters (how the printer marks a user's I) to plain ones
    return unicodedata.normalize("NFKC", name)


def describe(ch: str) -> str:
    """A character as an error names it: 'ν' (GREEK SMALL LETTER NU)."""
    return f"{ch!r} ({unicodedata.name(ch, 'unknown')})"


def digit_problem(ch: str) -> str | None:
    """Why a digit other than 0-9 is refused: ৪ (BENGALI DIGIT FOUR) looks like 8 but means 4."""
    if not unicodedata.category(ch).startswith("N") or ch in "0123456789" + _SUB_DIGITS:
        return None
    looks = LOOKS_LIKE.get(ch)
    seen = f"; it looks like {looks} but is worth {unicodedata.numeric(ch):g}" if looks else ""
    kind = "digit" if ch.isdecimal() else "numeral"
    return f"the {kind} {describe(ch)} is not one of 0-9{seen}; type ASCII digits"


def spelling_problem(raw: str) -> tuple[int, str] | None:
    """(column in ``raw``, message) when a typed name cannot be a name; None when it is fine."""
    for offset, ch in enumerate(raw):  # before NFKC, which would quietly read a fullwidth ３ as 3
        if problem := digit_problem(ch):
            return offset, problem
    name = normalize_name(raw)
    for ch in name:
        if problem := _letter_problem(ch):
            return max(raw.find(ch), 0), problem
    scripts = {_script(ch) for ch in name if ch.isalpha()}
    if len(scripts) > 1:
        return 0, f"the name {name!r} mixes Latin and Greek letters; retype it"
    return _shape_problem(raw, name)


def _letter_problem(ch: str) -> str | None:
    if ch in LOOKS_LIKE and ch not in MATH_GREEK:
        plain = LOOKS_LIKE[ch][0]
        kind = "digit" if ch.isdecimal() else "letter"
        return f"the {kind} {describe(ch)} looks like the ASCII {plain!r}; type {plain}, or choose another name"
    if ch.isalpha() and _script(ch) not in _SCRIPTS:
        return f"the letter {describe(ch)} is not Latin or Greek; retype it (it may be a look-alike)"
    if not (ch.isalpha() or ch in "0123456789_"):
        return f"{describe(ch)} cannot be part of a name (letters, digits 0-9 and _)"
    return None


def _shape_problem(raw: str, name: str) -> tuple[int, str] | None:
    """Single inner underscores only, so x__1, x_ and _x never pose as a second spelling of x_1 or x."""
    for text in (raw, name):  # x__₁ is x_1 once normalized, but was typed with two underscores
        if "__" in text:
            return max(raw.find("__"), 0), f"{raw!r} has a doubled underscore; names take single underscores, as in x_1"
    if name.endswith("_"):
        return len(raw) - 1, f"{raw!r} ends with an underscore; drop it, or add a subscript as in x_1"
    if not name[:1].isalpha():
        return 0, f"{raw!r} does not start with a letter; names start with a letter, as in x, x_1, beta"
    return None


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split()[0] if name else "UNKNOWN"
