"""Scalars differentiated by a matrix, by the trace rule: beyond the paper's vector rules.

Where the matrix W occurs only inside products z = A W b (or A Wᵀ b) with a column or scalar
result, f depends on W through those z: the engine derives ∂f/∂z with the paper's rules, and
df = ∂f/∂z A dW b = tr(b ∂f/∂z A dW) gives ∂f/∂W = b ∂f/∂z A in numerator layout (n×m for an
m×n matrix; denominator layout, the shape of W, is its transpose). Anything else is refused.

>>> import symcalc as sc
>>> W, x, y = sc.matrix("W", "m", "n"), sc.vector("x", "n"), sc.vector("y", "m")
>>> d = sc.derive(y @ (W @ x), W)
>>> print(d.closed_form())
x yᵀ
"""
from __future__ import annotations

from dataclasses import replace

from . import expr as E
from .diff import mm
from .engine import present, substitute_back, unpresent
from .errors import UnsupportedError
from .rules import RULES
from .shapes import ONE, fmt_shape, is_vectorish
from .simplify import simplify
from .steps import Step


def _occurrence(node, W):
    """(left factors, transposed?, right factors) where W or Wᵀ is one factor of a product."""
    hits = [i for i, f in enumerate(node.items) if f == W or f == E.Transpose(W, (W.shape[1], W.shape[0]))]
    if len(hits) != 1:
        return None
    i = hits[0]
    return node.items[:i], node.items[i] != W, node.items[i + 1 :]


def split_products(expr, W):
    """expr with each product through W replaced by a fresh variable z, and what each z stands for."""
    found = []

    def visit(e):
        if not e.args:
            return e
        e = e.rebuild(tuple(visit(a) for a in e.args))
        if isinstance(e, E.MatMul) and E.depends(e, W) and e.shape[1] == ONE:
            hit = _occurrence(e, W)
            if hit is not None and hit[2]:
                z = E.Var(_fresh(expr, len(found)), e.shape, "intermediate")
                found.append((z, e, *hit))
                return z
        return e

    out = visit(expr)
    if E.depends(out, W) or not found:
        raise UnsupportedError(
            f"{W.name} ({fmt_shape(W.shape)}) must appear only in products such as {W.name} @ x or "
            f"a.T @ {W.name} @ x for symcalc to differentiate by it (the trace rule)")
    return out, found


def _fresh(expr, k):
    taken = {v.name for v in E.variables(expr)}
    name = "z" if k == 0 and "z" not in taken else f"z_{k + 1}"
    while name in taken:
        name += "_"
    return name


def _gradient_piece(g, left, transposed, right):
    """b ∂f/∂z A (or Aᵀ (∂f/∂z)ᵀ bᵀ for Wᵀ): this product's share of ∂f/∂W."""
    b = mm(*right)
    if transposed:
        return mm(*(E.transpose(f) for f in reversed(left)), E.transpose(g), E.transpose(b))
    return mm(b, g, *left)


def derive_by_matrix(expr, W, *, layout, names, output, title, notes):
    from .derivation import Derivation, derive

    if not expr.is_scalar:
        raise UnsupportedError(f"only a scalar can be differentiated by the matrix {W.name}; "
                               f"{expr} is {fmt_shape(expr.shape)}")
    reduced, products = split_products(expr, W)
    inner = derive(reduced, [z for z, *_ in products], names=names, output=output)
    defined = [(z, p) for z, p, *_ in products]
    steps = [Step("define", (z, p), p.shape, (RULES["trace"],)) for z, p in defined]
    steps += [s if s.phase != "result" else replace(s, phase="chain") for s in inner.steps]
    label = E.Partial(inner.output, W, (W.shape[1], W.shape[0]))
    pieces = [_gradient_piece(unpresent(inner.closed_form(z)), left, t, right)
              for z, _, left, t, right in products]
    raw = E.add(*pieces)
    value = simplify(raw)
    steps.append(Step("chain", (label, raw, value), value.shape, (RULES["trace"],), wrt=W))
    closed = simplify(substitute_back(value, defined))
    if closed != value:
        steps.append(Step("substitute", (label, value, closed), closed.shape, wrt=W))
    closed = present(closed)
    steps.append(Step("result", (label, closed), closed.shape, wrt=W))
    results = {W: closed}
    if layout == "denominator":
        from .layout import to_denominator

        steps, results = to_denominator(steps, results)
    graph = (inner.intermediates + defined, inner.output, inner.root)
    return Derivation(expr, [W], steps, results, graph, layout, title, notes)


def is_matrix(v) -> bool:
    return not is_vectorish(v.shape)
