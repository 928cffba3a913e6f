"""Numbers typed on the command line: ``--at w=1,2,3``, ``--at X=[[1,2],[3,4]]``, ``--dims n=4,N=7``.

Values are read with a whitelist (JSON arrays or comma-separated numbers), never evaluated.

>>> parse_points(["w=1,2,3", "b=-0.5", "X=[[1,2],[3,4]]"])
{'w': [1.0, 2.0, 3.0], 'b': -0.5, 'X': [[1.0, 2.0], [3.0, 4.0]]}
>>> parse_dims("n=4,N=7")
{'n': 4, 'N': 7}
"""
from __future__ import annotations

import json
import math
import re

from .errors import ParseError
from .names import normalize_name
from .limits import MAX_AT_CHARS, MAX_AT_VALUES, MAX_DIM, check_name


_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _number(text: str, where: str) -> float:
    """A number written with the digits 0-9: float() alone also reads ৪ (Bengali 4, which looks like
    8), fullwidth １ and 1_000, which the expression's grammar refuses."""
    shown = text.strip()
    odd = next((c for c in shown if not c.isascii()), None)
    if odd is not None:
        import unicodedata

        raise ParseError(f"{where}: {shown!r} is not a number: {odd!r} ({unicodedata.name(odd, 'unknown')}) is not "
                         "one of the digits 0-9")
    if shown.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise ParseError(f"{where}: {shown!r} is not a finite number")
    if not _NUMBER.fullmatch(shown):
        raise ParseError(f"{where}: {shown!r} is not a number")
    try:
        value = float(text)
    except ValueError:
        raise ParseError(f"{where}: {shown!r} is not a number") from None
    if not math.isfinite(value):
        raise ParseError(f"{where}: {text.strip()!r} is not a finite number")
    return value


def _nested(value, where):
    if isinstance(value, list):
        return [_nested(v, where) for v in value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParseError(f"{where}: only numbers may appear in a matrix, not {value!r}")
    if not math.isfinite(value):  # json reads 1e999 and a 400-digit integer as inf
        raise ParseError(f"{where}: a number in the matrix is too large for a float")
    return float(value)


def _refuse_constant(name):
    """json.loads reads NaN and Infinity, which --at w=nan is refused for: refuse them here too."""
    raise ParseError(f"{name} is not a finite number")


def _depth(text: str) -> int:
    """How deeply brackets nest, counted before json.loads recurses (100,000 deep is a RecursionError)."""
    depth = deepest = 0
    for ch in text:
        depth += (ch == "[") - (ch == "]")
        deepest = max(deepest, depth)
    return deepest


def _matrix(text: str, where: str):
    if _depth(text) > 2:
        raise ParseError(f"{where}: a value is a number, a list or a matrix (at most 2 levels of [ ])")
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_int=float)  # no 4,300-digit int limit error
    except json.JSONDecodeError as exc:
        raise ParseError(f"{where}: bad matrix syntax ({exc.msg})", text=text, pos=exc.pos) from None
    except ParseError as exc:
        raise ParseError(f"{where}: {exc}") from None
    return _nested(value, where)


def _bounded(value, where: str):
    """Each dimension at most MAX_DIM and at most MAX_AT_VALUES numbers (README: Limits)."""
    rows = value if isinstance(value, list) else [value]
    dims = [len(rows), *(len(r) for r in rows if isinstance(r, list))]
    count = sum(len(r) if isinstance(r, list) else 1 for r in rows)
    if max(dims) > MAX_DIM or count > MAX_AT_VALUES:
        raise ParseError(f"{where}: {count} numbers, {max(dims)} in one dimension; the limits are "
                         f"{MAX_DIM:,} per dimension and {MAX_AT_VALUES:,} in all")
    return value


def _rectangular(value, where: str):
    """A list of numbers or a matrix whose rows are lists of one length; never empty."""
    if not isinstance(value, list):
        return value
    if not value or any(isinstance(r, list) and not r for r in value):
        raise ParseError(f"{where}: a value needs at least one number, as in [[1, 2], [3, 4]]")
    kinds = {isinstance(r, list) for r in value}
    lengths = [len(r) for r in value if isinstance(r, list)]
    if len(kinds) > 1 or len(set(lengths)) > 1:
        shown = ", ".join(str(len(r)) if isinstance(r, list) else "a number" for r in value[:12])
        raise ParseError(f"{where}: rows of different lengths ({shown}{', ...' if len(value) > 12 else ''}); "
                         "a matrix needs the same number of entries in every row, as in [[1, 2], [3, 4]]")
    return value


def parse_value(text: str, where: str):
    text = text.strip()
    if len(text) > MAX_AT_CHARS:
        raise ParseError(f"{where}: the value is {len(text):,} characters long; the limit is {MAX_AT_CHARS:,}")
    if text.startswith("["):
        return _rectangular(_bounded(_matrix(text, where), where), where)
    parts = text.split(",")
    _bounded(parts, where)  # counted before any is converted
    numbers = [_number(p, where) for p in parts]
    return numbers[0] if len(numbers) == 1 else numbers


def parse_points(items) -> dict:
    """{name: value} from NAME=VALUES items; a name given twice is an error, not the last one wins."""
    out = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise ParseError(f"--at {item!r}: expected NAME=VALUES, e.g. w=1,2,3")
        key = normalize_name(name.strip())
        if key in out:
            raise ParseError(f"--at gives {key} more than once; give each variable one value")
        out[key] = parse_value(value, f"--at {name.strip()}")
    return out


def parse_dims(text: str) -> dict:
    """{name: size}, each size an integer from 1 to MAX_DIM."""
    out = {}
    for item in text.split(","):
        name, eq, value = item.partition("=")
        if not eq or not re.fullmatch(r"[0-9]{1,4}", value.strip()) or not 1 <= int(value) <= MAX_DIM:
            raise ParseError(f"--dims: {item!r} should be NAME=SIZE with a size from 1 to {MAX_DIM}, e.g. n=4")
        out[check_name(name.strip(), "--dims")] = int(value)
    return out
