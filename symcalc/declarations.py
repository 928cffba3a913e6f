"""Shape declarations as users write them: ``vectors="w x y:N"``, ``matrices="X:N,n"``, ``scalars="b"``.

>>> parse_declarations(vectors="w y:N", matrices="X:N,n")["X"]
('matrix', ('N', 'n'))
"""
from __future__ import annotations

import re

from . import expr as E
from .errors import ParseError
from .names import normalize_name
from .tokens import check_identifier

_EXAMPLES = {"scalar": "b", "vector": "w x y:N", "matrix": "X:N,n"}


def _items(text: str, kind: str) -> list[str]:
    if kind == "matrix":  # X:N,n holds a comma, so matrices are separated by spaces only
        return text.split()
    return [item for item in re.split(r"[\s,]+", text.strip()) if item]


def parse_declarations(scalars: str = "", vectors: str = "", matrices: str = "", size: str = "n") -> dict:
    """{name: (kind, sizes)} from declaration strings such as vectors="w x y:N"."""
    out: dict = {}
    for kind, text in (("scalar", scalars), ("vector", vectors), ("matrix", matrices)):
        if text is not None and not isinstance(text, str):  # derive(..., vectors=5) from Python
            raise ParseError(f"{kind} declarations must be a string such as {_EXAMPLES[kind]!r}, not {text!r}")
        for item in _items(text or "", kind):
            raw, _, sizes = item.partition(":")
            if not re.fullmatch(r"[^\W\d]\w*", normalize_name(raw)):
                raise ParseError(f"{normalize_name(raw)!r} is not a valid name in the {kind} declaration {item!r}")
            name = check_identifier(raw, item, 0)
            out_sizes = _sizes(kind, name, sizes, size, item)
            if name in out and out[name] != (kind, out_sizes):
                raise ParseError(f"{name} is declared twice, as a {out[name][0]} and as a {kind}")
            out[name] = (kind, out_sizes)
    return out


def _sizes(kind, name, sizes, default, item):
    parts = [p.strip() for p in sizes.split(",")] if sizes else []
    want = {"scalar": 0, "vector": 1, "matrix": 2}[kind]
    if kind == "vector" and not parts:
        parts = [default]
    if len(parts) != want:
        example = {"scalar": "b", "vector": f"{name}:N", "matrix": f"{name}:N,n"}[kind]
        raise ParseError(f"bad {kind} declaration {item!r}; write it like {example}")
    for p in parts:
        if not (p.isdigit() and int(p) > 0) and not re.fullmatch(r"[^\W\d]\w*", p):
            raise ParseError(f"bad size {p!r} in {item!r}: sizes are positive integers or names")
    return tuple(int(p) if p.isdigit() else p for p in parts)


def declare(scalars: str = "", vectors: str = "", matrices: str = "", size: str = "n") -> dict:
    """{name: variable} for declaration strings."""
    out = {}
    for name, (kind, sizes) in parse_declarations(scalars, vectors, matrices, size).items():
        out[name] = {"scalar": E.scalar, "vector": E.vector, "matrix": E.matrix}[kind](name, *sizes)
    return out


def mark_onehot(expr, onehot) -> E.Expr:
    """``expr`` with the variables named in ``onehot`` (a string "Y y" or a list) declared labels.

    >>> X, Y = E.matrix("X", "N", "m"), E.matrix("Y", "N", "m")
    >>> [v.kind for v in E.variables(mark_onehot(X - Y, "Y"))]
    ['symbol', 'onehot']
    """
    names = onehot.replace(",", " ").split() if isinstance(onehot, str) else list(onehot or ())
    if not names:
        return expr
    present = {v.name: v for v in E.variables(expr)}
    swap = {}
    for raw in names:
        name = normalize_name(raw) if isinstance(raw, str) else getattr(raw, "name", None)
        v = present.get(name)
        if v is None:
            known = ", ".join(present) or "none"
            raise ParseError(f"onehot names {name!r}, which is not a variable of the expression ({known})")
        if v.is_scalar:
            raise ParseError(f"onehot: {name} is a scalar; a one-hot label is a vector (its entries sum to 1) or "
                             f"a matrix (each row sums to 1): declare its shape, e.g. --matrix {name}:N,m")
        swap[v] = E.Var(v.name, v.shape, E.ONEHOT)
    return E.replace(expr, swap)
