"""The limits on user input, in one place: names, free text, numbers, spec files (README: Limits).

Everything a user can type passes one of these checks at entry, so the rest of the code can
trust names (they reach LaTeX), text (it reaches terminals) and sizes (they reach numpy).

>>> check_name("x₁", "wrt")
'x_1'
>>> check_name(r"x\\input{/etc/hostname}", "wrt")
Traceback (most recent call last):
...
symcalc.errors.SymcalcError: wrt: 'x\\\\input{/etc/hostname}' is not a valid name (a letter, then letters, digits or _)
>>> printable("title\\x1b[2J")
'title�[2J'
"""
from __future__ import annotations

import numbers
import re
import unicodedata

from .errors import ParseError, SymcalcError

MAX_TEXT = 2_000  # characters in a title, section, example or note
MAX_SPEC_BYTES = 256 * 1024  # a spec file; the shipped ones are under 2 kB
MAX_SAMPLES = 1_000  # points for a numeric check
MAX_DIM = 1_000  # a concrete size: --dims, or rows or columns of an --at value (an n×n array is 8 MB)
SEED_RANGE = (0, 2**32 - 1)  # what numpy's generators accept as a plain integer seed
MAX_AT_VALUES = 10_000  # numbers in one --at value (a 100×100 matrix)
MAX_AT_CHARS = 400_000  # characters of one --at value, checked before it is parsed
MAX_DENSE = 12_500_000  # entries of one array the evaluator builds (100 MB of floats)
_ALLOWED_CONTROLS = "\n\t"


def check_name(name, where: str) -> str:
    """A variable name by the parser's own rule (one name token), in its normal form (x₁ is x_1)."""
    from .names import normalize_name, spelling_problem
    from .parse import FUNCTION_NAMES
    from .tokens import tokenize

    if not isinstance(name, str):
        raise SymcalcError(f"{where} must be a variable name (an identifier such as w or x_1), not {name!r}")
    # a word that only looks like a name (ν, x__1, x৪) is told why; as typed, since x__₁ would normalise to x_1
    problem = all(c.isalnum() or c == "_" for c in name) and spelling_problem(name)
    if problem:
        raise SymcalcError(f"{where}: {name!r} is not a valid name: {problem[1]}")
    name = normalize_name(name)
    try:
        tokens = tokenize(name)
    except ParseError:
        tokens = []
    if len(tokens) != 2 or tokens[0].kind != "name" or tokens[0].pos != 0 or not name.strip() == name:
        raise SymcalcError(f"{where}: {name!r} is not a valid name (a letter, then letters, digits or _)")
    if tokens[0].text in {*FUNCTION_NAMES, "σ", "√"}:
        raise SymcalcError(f"{where}: {name!r} is a function, so it cannot name a variable")
    return tokens[0].text


def check_text(text, where: str) -> str:
    """Free text (titles, notes): a string of bounded length without terminal control characters."""
    if not isinstance(text, str):
        raise SymcalcError(f"{where} must be a string, not {text!r}")
    if len(text) > MAX_TEXT:
        raise SymcalcError(f"{where} is {len(text)} characters long; the limit is {MAX_TEXT}")
    for i, ch in enumerate(text):
        if _unsafe(ch) and ch not in _ALLOWED_CONTROLS:
            raise SymcalcError(f"{where} contains the control character U+{ord(ch):04X} at position {i}; "
                               "remove it (only newlines and tabs are allowed)")
    return text


def check_int(value, low: int, high: int, where: str) -> int:
    """An integer in [low, high]; bools and floats are refused (True is not a sample count)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise SymcalcError(f"{where} must be an integer from {low} to {high}, not {value!r}")
    return int(value)


def parse_int(text: str, low: int, high: int, where: str) -> int:
    """An integer typed on the command line, checked before int() sees a huge digit string."""
    digits = text.strip()
    if not re.fullmatch(r"-?[0-9]{1,20}", digits):
        raise SymcalcError(f"{where} must be an integer from {low} to {high}, not {printable(text)!r}")
    return check_int(int(digits), low, high, where)


def printable(text: str, keep: str = "") -> str:
    """Control characters and undecodable bytes (surrogates) as �, so they never reach a terminal."""
    return "".join("�" if _unsafe(ch) and ch not in keep else ch for ch in text)


def _unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs")
