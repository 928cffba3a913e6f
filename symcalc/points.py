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
from .limits import MAX_DIM, check_name


def _number(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ParseError(f"{where}: {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ParseError(f"{where}: {text.strip()!r} is not a finite number")
    return value


def _nested(value, where):
    if isinstance(value, list):
        return [_nested(v, where) for v in value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParseError(f"{where}: only numbers may appear in a matrix, not {value!r}")
    return float(value)


def parse_value(text: str, where: str):
    text = text.strip()
    if text.startswith("["):
        try:
            return _nested(json.loads(text), where)
        except json.JSONDecodeError as exc:
            raise ParseError(f"{where}: bad matrix syntax ({exc.msg})", text=text, pos=exc.pos) from None
    parts = text.split(",")
    numbers = [_number(p, where) for p in parts]
    return numbers[0] if len(numbers) == 1 else numbers


def parse_points(items) -> dict:
    """{name: value} from NAME=VALUES items."""
    out = {}
    for item in items:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise ParseError(f"--at {item!r}: expected NAME=VALUES, e.g. w=1,2,3")
        out[normalize_name(name.strip())] = parse_value(value, f"--at {name.strip()}")
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
