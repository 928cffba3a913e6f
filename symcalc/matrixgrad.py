"""Scalars differentiated by a matrix, by the trace rule: beyond the paper's vector rules.

Where the matrix W occurs only in products, each is cut at W into z = W b (or Wᵀ b, or, read from
the left, aᵀW = (Wᵀa)ᵀ) with b free of W, and f depends on W through those z: the engine derives
∂f/∂z with the paper's rules, and df = ∂f/∂z dW b = tr(b ∂f/∂z dW) gives ∂f/∂W = b ∂f/∂z in
numerator layout (n×m for an m×n matrix; denominator layout, the shape of W, is its transpose),
summed over the z. Anything else is refused.

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
from . import engine
from .engine import output_name, present, substitute_back, unpresent
from .errors import UnsupportedError
from .rules import RULES
from .shapes import ONE, fmt_shape, is_vectorish
from .simplify import simplify
from .steps import Step


def _is_w(f, W) -> bool:
    return f == W or f == E.Transpose(W, (W.shape[1], W.shape[0]))


class _Splitter:
    """Names each product through W as z = W b or z = Wᵀ b, with b free of W."""

    def __init__(self, expr, W):
        self.expr, self.W = expr, W
        self.found = []  # (z, definition, transposed, right factors)

    def name(self, w_factor, right):
        transposed = w_factor != self.W
        definition = E.MatMul((w_factor, *right), (w_factor.shape[0], right[-1].shape[1]))
        for z, d, *_ in self.found:
            if d == definition:
                return z
        z = E.Var(_fresh(self.expr, len(self.found)), definition.shape, "intermediate")
        self.found.append((z, definition, transposed, tuple(right)))
        return z

    def free(self, factors) -> bool:
        named = [z for z, *_ in self.found]
        return bool(factors) and not any(E.depends(f, v) for f in factors for v in (self.W, *named))

    def product(self, items):
        """Rewrite one product until W is gone from it, or give up (None)."""
        items = list(items)
        while any(_is_w(f, self.W) for f in items):
            for i in range(len(items) - 1, -1, -1):
                if not _is_w(items[i], self.W):
                    continue
                left, right = items[:i], items[i + 1 :]
                if self.free(right) and right[-1].shape[1] == ONE:  # W b, a column
                    items = left + [self.name(items[i], right)]
                    break
                if self.free(left) and left[0].shape[0] == ONE:  # aᵀ W = (Wᵀ a)ᵀ, a row
                    flipped = E.transpose(items[i])
                    column = [E.transpose(f) for f in reversed(left)]
                    items = [E.transpose(self.name(flipped, column))] + right
                    break
            else:
                return None
        return items

    def visit(self, e):
        if not e.args:
            return e
        e = e.rebuild(tuple(self.visit(a) for a in e.args))
        if isinstance(e, E.MatMul) and any(_is_w(f, self.W) for f in e.items):
            items = self.product(e.items)
            if items is not None:
                return items[0] if len(items) == 1 else E.MatMul(tuple(items), e.shape)
        return e


def split_products(expr, W):
    """expr with each product through W replaced by a fresh variable z, and what each z stands for."""
    splitter = _Splitter(expr, W)
    out = splitter.visit(expr)
    tangled = [n for n in E.walk(out) if isinstance(n, E.MatMul) and sum(_is_w(f, W) for f in n.items) > 1]
    if tangled:  # W is in a product, but more than once, with W on both sides of every cut
        raise UnsupportedError(
            f"{W.name} appears {sum(_is_w(f, W) for f in tangled[0].items)} times in the product {tangled[0]}, "
            f"and no cut leaves a column or row free of {W.name} on one side, so the trace rule cannot "
            f"split it into z = {W.name} b; symcalc cannot differentiate this by {W.name}")
    if E.depends(out, W) or not splitter.found:
        raise UnsupportedError(
            f"{W.name} ({fmt_shape(W.shape)}) must appear only in products such as {W.name} @ x or "
            f"a.T @ {W.name} @ x for symcalc to differentiate by it (the trace rule)")
    return out, splitter.found


def _fresh(expr, k):
    taken = {v.name for v in E.variables(expr)}
    name = "z" if k == 0 and "z" not in taken else f"z_{k + 1}"
    while name in taken:
        name += "_"
    return name


def _gradient_piece(g, transposed, right):
    """b ∂f/∂z for z = W b, or (∂f/∂z)ᵀ bᵀ for z = Wᵀ b: this product's share of ∂f/∂W."""
    b = mm(*right)
    return mm(E.transpose(g), E.transpose(b)) if transposed else mm(b, g)


def run_by_matrix(expr, W, *, names=None, output=None):
    """(steps, closed forms {W: ∂f/∂W}, graph) in numerator layout, as :func:`engine.run` gives them."""
    if not expr.is_scalar:
        raise UnsupportedError(f"only a scalar can be differentiated by the matrix {W.name}; "
                               f"{expr} is {fmt_shape(expr.shape)}")
    reduced, products = split_products(expr, W)
    if output is None:  # the inner derivation sees z, not W: keep W's name (and the z's) from the output
        output = output_name({v.name for v in [*E.variables(expr), *E.variables(reduced)]})
    inner_steps, inner, (intermediates, out, root) = engine.run(reduced, [z for z, *_ in products], names=names,
                                                         output=output, taken={v.name for v in E.variables(expr)})
    defined = [(z, p) for z, p, *_ in products]
    steps = [Step("define", (z, p), p.shape, (RULES["trace"],)) for z, p in defined]
    steps += [s if s.phase != "result" else replace(s, phase="chain") for s in inner_steps]
    label = E.Partial(out, W, (W.shape[1], W.shape[0]))
    pieces = [_gradient_piece(unpresent(inner[z]), t, right) for z, _, t, right in products]
    raw = E.add(*pieces)
    value = simplify(raw)
    steps.append(Step("chain", (label, raw, value), value.shape, (RULES["trace"],), wrt=W))
    closed = simplify(substitute_back(value, defined))
    if closed != value:
        steps.append(Step("substitute", (label, value, closed), closed.shape, wrt=W))
    closed = present(closed)
    steps.append(Step("result", (label, closed), closed.shape, wrt=W))
    return steps, {W: closed}, (intermediates + defined, out, root)


def is_matrix(v) -> bool:
    return not is_vectorish(v.shape)
