"""Sizes and shapes: symbolic (``n``, ``N``) or concrete, always as sympy integers/symbols.

>>> fmt_shape((size("n"), size(1)))
'n×1'
>>> size("n") is size("n")
True
"""
from __future__ import annotations

import re
from functools import lru_cache

import sympy

from .errors import ShapeError

_NAME = re.compile(r"^[^\W\d]\w*$")
ONE = sympy.Integer(1)


@lru_cache(maxsize=None)
def _size_symbol(name: str) -> sympy.Symbol:
    # One symbol per name, so every vector declared with size "n" shares it.
    return sympy.Symbol(name, integer=True, positive=True)


def size(spec) -> sympy.Basic:
    """A size from an int, an integer-valued string, a name, or an existing size."""
    if isinstance(spec, sympy.Basic):
        return spec
    if isinstance(spec, bool):
        raise ShapeError(f"size must be a positive integer or a name, not {spec!r}")
    if isinstance(spec, int):
        if spec < 1:
            raise ShapeError(f"size must be positive, got {spec}")
        return sympy.Integer(spec)
    if isinstance(spec, str):
        spec = spec.strip()
        if spec.isdigit():
            return size(int(spec))
        if _NAME.match(spec):
            return _size_symbol(spec)
    raise ShapeError(f"size must be a positive integer or a name, not {spec!r}")


def fmt_size(s) -> str:
    return str(s)


def fmt_shape(shape) -> str:
    """``(n, 1)`` → ``'n×1'``."""
    return f"{fmt_size(shape[0])}×{fmt_size(shape[1])}"


def is_scalar(shape) -> bool:
    return shape[0] == ONE and shape[1] == ONE


def is_column(shape) -> bool:
    return shape[1] == ONE and shape[0] != ONE


def is_row(shape) -> bool:
    return shape[0] == ONE and shape[1] != ONE


def is_vectorish(shape) -> bool:
    """Scalar, column or row: something whose elements can be listed as one vector."""
    return shape[0] == ONE or shape[1] == ONE


def length(shape):
    """Number of elements of a scalar/vector shape (rows for a column, cols for a row)."""
    return shape[0] if shape[1] == ONE else shape[1]
