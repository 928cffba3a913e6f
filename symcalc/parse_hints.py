"""The hints a shape error in typed text carries: a name that was not declared, and the spelling
that would fit (``w @ x`` of two vectors, ``X @ w`` with the sizes swapped, a missing ``.T``)."""
from __future__ import annotations

from . import expr as E
from .errors import ShapeError


def _shape_hint(op, operands, text, declared) -> str:
    if len(operands) != 2:
        return ""
    (a, b) = (n.expr for n in operands)
    sa, sb = (text[n.start : n.end] for n in operands)
    if op not in ("+", "-", "*", "/", "@", "·"):
        return ""
    for name_node, other, on_right in ((operands[0], b, False), (operands[1], a, True)):
        e = name_node.expr
        if isinstance(e, E.Var) and e.is_scalar and e.name not in declared and not other.is_scalar:
            return f"{e.name} was not declared, so it is a scalar; " + _declare_hint(e.name, op, other.shape, on_right)
    if op == "@" and E.is_column(a.shape) and E.is_column(b.shape):
        return (f"{sa} @ {sb} is the dot product of two vectors, which needs equal lengths: "
                f"({E.fmt_shape(a.shape)}) and ({E.fmt_shape(b.shape)})")
    if op == "@":
        inner = f"({E.fmt_shape(a.shape)}) @ ({E.fmt_shape(b.shape)})"
        for candidate, text_ in ((lambda: b @ a, f"{sb} @ {sa}"), (lambda: a.T @ b, f"{sa}.T @ {sb}"),
                                 (lambda: a @ b.T, f"{sa} @ {sb}.T")):
            try:
                candidate()
                return f"{sa} @ {sb} needs inner sizes to agree: {inner}; did you mean {text_}?"
            except ShapeError:
                continue
        return f"{sa} @ {sb} needs inner sizes to agree: {inner}"
    if op in "+-*/" and a.shape == (b.shape[1], b.shape[0]):
        return f"the shapes are transposes of each other; did you mean {sa} {op} {sb}.T?"
    return ""


def _declare_hint(name: str, op: str, other: tuple, on_right: bool) -> str:
    """The declaration that makes ``name`` fit beside ``other`` (only @ and · refuse a scalar)."""
    rows, cols = other
    if op == "@" and not on_right:  # X @ w: X is as wide as w is long, with rows of any size
        free = next(s for s in ("m", "M", "k", "p", "q") if s not in map(str, other))
        vector = f", or --vector {name}:{rows} for a dot product" if cols == 1 else ""
        return (f"declare it with --matrix {name}:{free},{rows} ({free} rows of any size; Python: "
                f"matrices=\"{name}:{free},{rows}\"){vector}")
    # X @ v: v is as long as X is wide; w @ v with w a column is a dot product, so v is as long as w
    size = cols if op == "@" and cols != 1 else rows
    return f"declare it with --vector {name}:{size} (Python: vectors=\"{name}:{size}\")"
