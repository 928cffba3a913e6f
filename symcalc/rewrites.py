"""The simplifier's rewrites, one named record each: what it does (``formula``) and the code.

Every rewrite must hold for every value of its operands, through whatever surrounds the node: a
rewrite that holds only element by element may only follow element-wise structure (see
``mul.mask_relu``). Each record has its own numeric soundness test (tests/test_rewrites.py), which
fails for a record that has none.

>>> [r.name for r in REWRITES if r.node is E.Sum]
['sum.zero', 'sum.ones', 'sum.dot', 'sum.scalars']
>>> from symcalc.expr import vector, ones
>>> print(rewrite_once(ones("n").T @ vector("x")))
sum(x)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy

from . import expr as E
from .shapes import ONE, is_column, is_row, is_scalar

_ONE = E.Const(sympy.Integer(1))


@dataclass(frozen=True)
class Rewrite:
    """One rewrite of one node type: ``apply(e)`` gives the rewritten node, or None."""

    name: str
    node: type
    formula: str
    apply: Callable

    def __call__(self, e):
        return self.apply(e)


REWRITES: list[Rewrite] = []
BY_NODE: dict[type, list[Rewrite]] = {}


def rewrite(node, name, formula):
    """Register the decorated function as the rewrite ``name`` of ``node`` (tried in order)."""

    def register(fn):
        r = Rewrite(name, node, formula, fn)
        REWRITES.append(r)
        BY_NODE.setdefault(node, []).append(r)
        return fn

    return register


def rewrite_once(e):
    """The first rewrite of ``e``'s node type that changes it, applied (or None); shape-checked."""
    for r in BY_NODE.get(type(e), ()):
        out = r.apply(e)
        if out is None or out == e:
            continue
        if out.shape != e.shape:
            raise AssertionError(f"rewrite {r.name} changed the shape of {e} {e.shape} into {out} {out.shape}")
        return out
    return None


# ---------------------------------------------------------------- helpers


def _is_zero(x):
    return isinstance(x, E.Zero) or x == E.Const(sympy.Integer(0))


def expand_to(item, shape):
    """A lone scalar left in a vector sum stands for item·1⃗ (R7)."""
    if item.shape == shape:
        return item
    if is_column(shape):
        return E.mul(item, E.Ones(shape))
    if is_row(shape):
        return E.transpose(E.mul(item, E.Ones((shape[1], ONE))))
    return E.Add((item,), shape)


def _product(items, shape):
    """A matrix product of ``items`` (or the single item), read as ``shape``."""
    out = items[0] if len(items) == 1 else E.MatMul(tuple(items), (items[0].shape[0], items[-1].shape[1]))
    return out if out.shape == shape else expand_to(out, shape)


def _split(items):
    """(numeric coefficient, scalar factors, the rest) of a Mul's items."""
    value, scalars, others = sympy.Integer(1), [], []
    for f in items:
        if isinstance(f, E.Const):
            value *= f.value
        elif f.is_scalar:
            scalars.append(f)
        else:
            others.append(f)
    return value, scalars, others


# ---------------------------------------------------------------- the ReLU mask


_ELEMENTWISE = (E.Add, E.Mul, E.Div, E.Pow, E.Func, E.Max, E.Step, E.Cases)


def _unmask(e, relus, shape):
    """max(0, a) → a wherever element i of ``e`` is a function of element i of that max.

    Only element-wise nodes of the mask's shape are followed: through a product, a sum or a
    transpose, element i of the mask no longer lines up with element i of the ReLU.
    """
    if e in relus:
        return relus[e]
    if not isinstance(e, _ELEMENTWISE) or e.shape != shape:
        return e
    new = tuple(_unmask(a, relus, shape) if a.shape == shape else a for a in e.args)
    return e if new == e.args else e.rebuild(new)


def unmask_relu(items):
    """[a > 0] ⊗ f(max(0, a)) = [a > 0] ⊗ f(a), element by element (items multiply element-wise).

    A scalar mask zeroes the whole product where a ≤ 0, so there max(0, a) = a everywhere in it.
    """
    out = list(items)
    for mask in (f for f in items if isinstance(f, E.Step)):
        a = mask.arg
        relus = {E.Max(E.Const(sympy.Integer(0)), a, a.shape): a}
        for i, f in enumerate(out):
            if f is mask or isinstance(f, E.Step):
                continue
            out[i] = E.replace(f, relus) if is_scalar(a.shape) else _unmask(f, relus, a.shape)
    return out


# ---------------------------------------------------------------- sums


@rewrite(E.Add, "add.blocks", "[a, b] + [c, d] = [a + c, b + d]")
def _add_blocks(e):
    if len(e.items) > 1 and all(isinstance(t, E.Block) and t.shape == e.shape for t in e.items):
        return e.items[0].rebuild(tuple(E.add(*xs) for xs in zip(*(t.args for t in e.items))))
    return None


def _split_coeff(t):
    """(numeric coefficient, rest) of a term, for collecting like terms."""
    if isinstance(t, E.Mul) and isinstance(t.items[0], E.Const):
        rest = t.items[1:]
        return t.items[0].value, rest[0] if len(rest) == 1 else E.Mul(rest, t.shape)
    if isinstance(t, E.Const):
        return t.value, None
    return sympy.Integer(1), t


@rewrite(E.Add, "add.collect", "0 + x = x, 2x + 3x = 5x, x − x = 0 (a lone scalar in a vector sum keeps its 1⃗)")
def _add_collect(e):
    coeffs: dict = {}
    for t in e.items:
        if isinstance(t, E.Zero):
            continue
        c, rest = _split_coeff(t)
        coeffs[rest] = coeffs.get(rest, 0) + c
    items = []
    for rest, c in coeffs.items():
        if c == 0:
            continue
        if rest is None:
            items.append(E.Const(c))
        else:
            items.append(rest if c == 1 else E.mul(E.Const(c), rest))
    if not items:
        return E.zero(e.shape)
    # w + 2 + a − w leaves the scalar 2 + a, which still stands for (2 + a)·1⃗
    return expand_to(items[0] if len(items) == 1 else E.add(*items), e.shape)


# ---------------------------------------------------------------- element-wise products


@rewrite(E.Mul, "mul.flatten", "a ⊗ (b ⊗ c) = a ⊗ b ⊗ c")
def _mul_flatten(e):
    if any(isinstance(f, E.Mul) for f in e.items):
        return E.Mul(tuple(g for f in e.items for g in (f.items if isinstance(f, E.Mul) else (f,))), e.shape)
    return None


@rewrite(E.Mul, "mul.zero", "0 ⊗ a = 0")
def _mul_zero(e):
    if any(_is_zero(f) for f in e.items):
        return E.zero(e.shape)
    return None


@rewrite(E.Mul, "mul.mask_relu", "[a > 0] ⊗ f(max(0, a)) = [a > 0] ⊗ f(a), along element-wise structure only")
def _mul_mask_relu(e):
    return E.Mul(tuple(unmask_relu(e.items)), e.shape)


@rewrite(E.Mul, "mul.constants", "2 ⊗ a ⊗ 3 ⊗ v = 6 a v: one leading coefficient, then scalars, then the rest")
def _mul_constants(e):
    value, scalars, others = _split(e.items)
    if value == 0:
        return E.zero(e.shape)
    lead = [] if value == 1 and (scalars or others) else [E.Const(value)]
    items = lead + scalars + others
    return expand_to(items[0] if len(items) == 1 else E.Mul(tuple(items), e.shape), e.shape)


@rewrite(E.Mul, "mul.ones", "1⃗ ⊗ v = v")
def _mul_ones(e):
    others = [f for f in e.items if not f.is_scalar]
    ones = [f for f in others if isinstance(f, E.Ones)]
    if len(others) < 2 or not ones:
        return None
    drop = ones if len(ones) < len(others) else ones[1:]  # 1⃗ ⊗ 1⃗ keeps one 1⃗
    kept = [f for f in e.items if not any(f is d for d in drop)]
    return kept[0] if len(kept) == 1 else E.Mul(tuple(kept), e.shape)


@rewrite(E.Mul, "mul.blocks", "[a, b] ⊗ [c, d] = [a c, b d]")
def _mul_blocks(e):
    others = [f for f in e.items if not f.is_scalar]
    if len(others) > 1 and all(isinstance(f, E.Block) for f in others):
        entries = zip(*(f.args for f in others))
        block = others[0].rebuild(tuple(E.mul(*xs) for xs in entries))
        return E.mul(*(f for f in e.items if f.is_scalar), block)
    return None


@rewrite(E.Mul, "mul.scale_block", "c [a, b] = [c a, c b]")
def _mul_scale_block(e):
    others = [f for f in e.items if not f.is_scalar]
    if len(others) == 1 and isinstance(others[0], E.Block) and len(e.items) > 1:
        coeff = [f for f in e.items if f.is_scalar]
        return others[0].rebuild(tuple(E.mul(*coeff, x) for x in others[0].args))
    return None


@rewrite(E.Mul, "mul.rows", "uᵀ ⊗ vᵀ = (u ⊗ v)ᵀ")
def _mul_rows(e):
    others = [f for f in e.items if not f.is_scalar]
    if len(others) > 1 and all(is_row(f.shape) for f in others):
        inner = E.transpose(E.mul(*(E.transpose(f) for f in others)))
        return E.mul(*(f for f in e.items if f.is_scalar), inner)
    return None


@rewrite(E.Mul, "mul.sign", "−(y − z) ⊗ m = (z − y) ⊗ m")
def _mul_sign(e):
    value, scalars, others = _split(e.items)
    if value.is_negative is not True:
        return None
    if others:
        new = negated(others[-1])
        others = None if new is None else others[:-1] + [new]
    else:
        for i, f in enumerate(scalars):
            new = negated(f) if isinstance(f, (E.Dot, E.Sum)) else None
            if new is not None:
                scalars = scalars[:i] + [new] + scalars[i + 1 :]
                break
        else:
            others = None
    if others is None:
        return None
    lead = [] if -value == 1 and (scalars or others) else [E.Const(-value)]
    items = lead + scalars + others
    return items[0] if len(items) == 1 else E.Mul(tuple(items), e.shape)


def negated(e):
    """−e written without a leading minus, by flipping one sum inside it; None if that reads worse."""
    if isinstance(e, E.Add):
        flipped = [E.negate(t) for t in e.items]
        if sum(E.is_negative(t) for t in flipped) > sum(E.is_negative(t) for t in e.items):
            return None
        return E.add(*sorted(flipped, key=E.is_negative))
    if isinstance(e, (E.Mul, E.MatMul)):
        for i, f in enumerate(e.items):
            new = negated(f)
            if new is not None:
                return e.rebuild(e.items[:i] + (new,) + e.items[i + 1 :])
    if isinstance(e, (E.Transpose, E.Sum)):
        new = negated(e.arg)
        return None if new is None else e.rebuild((new,))
    if isinstance(e, E.Dot):
        for i, side in enumerate(e.args):
            new = negated(side)
            if new is not None:
                return E.Dot(*(new if j == i else a for j, a in enumerate(e.args)))
    return None


# ---------------------------------------------------------------- quotients and powers


@rewrite(E.Div, "div.zero", "0 ⊘ b = 0")
def _div_zero(e):
    return E.zero(e.shape) if isinstance(e.left, E.Zero) else None


@rewrite(E.Div, "div.one", "a ⊘ 1 = a")
def _div_one(e):
    return expand_to(e.left, e.shape) if e.right == _ONE else None


@rewrite(E.Div, "div.constant", "a ⊘ c = (1/c) a")
def _div_constant(e):
    a, b = e.left, e.right
    if isinstance(b, E.Const) and b.value != 0 and a.shape == e.shape:
        return E.mul(E.Const(1 / b.value), a)
    return None


@rewrite(E.Pow, "pow.one", "a¹ = a")
def _pow_one(e):
    return e.left if e.right == _ONE else None


@rewrite(E.Pow, "pow.zero", "a⁰ = 1")
def _pow_zero(e):
    return expand_to(_ONE, e.shape) if e.right == E.Const(sympy.Integer(0)) else None


@rewrite(E.Pow, "pow.constants", "2³ = 8")
def _pow_constants(e):
    if isinstance(e.left, E.Const) and isinstance(e.right, E.Const):
        return E.Const(e.left.value**e.right.value)
    return None


# ---------------------------------------------------------------- matrix products


def _coefficients(factors):
    """Pull 1×1 factors and scalar coefficients out of a matrix product."""
    coeff, body = [], []
    for f in factors:
        if f.is_scalar:
            coeff.append(f)
        elif isinstance(f, E.Mul) and sum(not g.is_scalar for g in f.items) == 1:
            coeff.extend(g for g in f.items if g.is_scalar)
            body.extend(g for g in f.items if not g.is_scalar)
        else:
            body.append(f)
    return coeff, body


@rewrite(E.MatMul, "matmul.flatten", "A (B C) = A B C")
def _matmul_flatten(e):
    if any(isinstance(f, E.MatMul) for f in e.items):
        return E.MatMul(tuple(g for f in e.items for g in (f.items if isinstance(f, E.MatMul) else (f,))), e.shape)
    return None


@rewrite(E.MatMul, "matmul.zero", "A 0 = 0")
def _matmul_zero(e):
    return E.zero(e.shape) if any(isinstance(f, E.Zero) for f in e.items) else None


@rewrite(E.MatMul, "matmul.coefficients", "A (c B) (uᵀv) = c (uᵀv) A B: 1×1 factors and coefficients move out")
def _matmul_coefficients(e):
    coeff, body = _coefficients(e.items)
    if not coeff:
        return None
    return E.mul(*coeff, _product(body or [_ONE], (body[0].shape[0], body[-1].shape[1]) if body else (ONE, ONE)))


@rewrite(E.MatMul, "matmul.identity", "I A = A")
def _matmul_identity(e):
    body = [f for f in e.items if not isinstance(f, E.Identity)]
    return _product(body or [e.items[0]], e.shape) if len(body) < len(e.items) else None


def _pairwise(name, formula, match):
    """Register a rewrite of the first adjacent pair (a, b) of a product that ``match`` rewrites."""

    def apply(e):
        items = list(e.items)
        for i in range(len(items) - 1):
            new = match(items[i], items[i + 1])
            if new is not None:
                return _product(items[:i] + [new] + items[i + 2 :], e.shape)
        return None

    rewrite(E.MatMul, name, formula)(apply)


def _col_row(a):
    """a = uᵀ for a column u."""
    return isinstance(a, E.Transpose) and is_column(a.arg.shape)


_pairwise("matmul.row_diag", "uᵀ diag(v) = (u ⊗ v)ᵀ",
          lambda a, b: E.transpose(E.mul(a.arg, b.arg)) if isinstance(b, E.Diag) and _col_row(a) else None)
_pairwise("matmul.diag_diag", "diag(u) diag(v) = diag(u ⊗ v)",
          lambda a, b: E.diag(E.mul(a.arg, b.arg)) if isinstance(a, E.Diag) and isinstance(b, E.Diag) else None)
_pairwise("matmul.diag_column", "diag(v) u = v ⊗ u",
          lambda a, b: E.mul(a.arg, b) if isinstance(a, E.Diag) and is_column(b.shape) else None)
_pairwise("matmul.ones_column", "1⃗ᵀ b = sum(b)",
          lambda a, b: E.sum_(b) if _col_row(a) and isinstance(a.arg, E.Ones) and is_column(b.shape) else None)
_pairwise("matmul.row_ones", "aᵀ 1⃗ = sum(a)",
          lambda a, b: E.sum_(a.arg) if _col_row(a) and isinstance(b, E.Ones) else None)
_pairwise("matmul.dot", "aᵀ b = a·b",
          lambda a, b: E.dot(a.arg, b) if _col_row(a) and is_column(b.shape) and a.arg.shape == b.shape else None)


# ---------------------------------------------------------------- transposes, diagonals


@rewrite(E.Transpose, "transpose.product", "(Aᵀx)ᵀ = xᵀA, where that leaves fewer transposes")
def _transpose_product(e):
    a = e.arg
    if isinstance(a, E.MatMul):
        before = 1 + sum(isinstance(f, E.Transpose) for f in a.items)
        after = sum(not isinstance(f, E.Transpose) for f in a.items)
        if after < before:
            return E.MatMul(tuple(E.transpose(f) for f in reversed(a.items)), e.shape)
    return None


@rewrite(E.Transpose, "transpose.symmetric", "diag(v)ᵀ = diag(v), Iᵀ = I")
def _transpose_symmetric(e):
    return e.arg if isinstance(e.arg, (E.Diag, E.Identity)) else None


@rewrite(E.Transpose, "transpose.zero", "0ᵀ = 0")
def _transpose_zero(e):
    return E.zero(e.shape) if isinstance(e.arg, E.Zero) else None


@rewrite(E.Transpose, "transpose.scalars", "(c ⊗ v)ᵀ = c vᵀ")
def _transpose_scalars(e):
    a = e.arg
    if isinstance(a, E.Mul) and any(f.is_scalar for f in a.items):
        scalars = [f for f in a.items if f.is_scalar]
        rest = [f for f in a.items if not f.is_scalar]
        return E.mul(*scalars, E.transpose(E.mul(*rest)))
    return None


@rewrite(E.Diag, "diag.ones", "diag(1⃗) = I")
def _diag_ones(e):
    return E.Identity(e.shape) if isinstance(e.arg, E.Ones) else None


@rewrite(E.Diag, "diag.zero", "diag(0⃗) = 0")
def _diag_zero(e):
    return E.zero(e.shape) if isinstance(e.arg, E.Zero) else None


@rewrite(E.Diag, "diag.scaled_ones", "diag(c 1⃗) = c I")
def _diag_scaled_ones(e):
    a = e.arg
    if isinstance(a, E.Mul) and sum(not f.is_scalar for f in a.items) == 1 and any(isinstance(f, E.Ones) for f in a.items):
        return E.mul(*(f for f in a.items if f.is_scalar), E.Identity(e.shape))
    return None


# ---------------------------------------------------------------- reductions


@rewrite(E.Sum, "sum.zero", "sum(0⃗) = 0")
def _sum_zero(e):
    return E.zero() if isinstance(e.arg, E.Zero) else None


@rewrite(E.Sum, "sum.ones", "sum(1⃗) = n")
def _sum_ones(e):
    return E.Const(e.arg.shape[0] * e.arg.shape[1]) if isinstance(e.arg, E.Ones) else None


@rewrite(E.Sum, "sum.dot", "sum(c ⊗ u ⊗ v) = c u·v")
def _sum_dot(e):
    a = e.arg
    if isinstance(a, E.Mul):
        vecs = [f for f in a.items if not f.is_scalar]
        if len(vecs) == 2 and all(is_column(v.shape) for v in vecs):
            return E.mul(*(f for f in a.items if f.is_scalar), E.dot(*vecs))
    return None


@rewrite(E.Sum, "sum.scalars", "sum(c ⊗ v) = c sum(v)")
def _sum_scalars(e):
    a = e.arg
    if isinstance(a, E.Mul):
        scalars = [f for f in a.items if f.is_scalar]
        vecs = [f for f in a.items if not f.is_scalar]
        if scalars and len(vecs) == 1:
            return E.mul(*scalars, E.sum_(vecs[0]))
    return None


@rewrite(E.Dot, "dot.mask_relu", "[a > 0]·f(max(0, a)) = [a > 0]·f(a), along element-wise structure only")
def _dot_mask_relu(e):
    return E.Dot(*unmask_relu([e.left, e.right]))


@rewrite(E.Dot, "dot.zero", "0⃗·v = 0")
def _dot_zero(e):
    return E.zero() if isinstance(e.left, E.Zero) or isinstance(e.right, E.Zero) else None


@rewrite(E.Dot, "dot.ones", "1⃗·v = sum(v)")
def _dot_ones(e):
    if isinstance(e.left, E.Ones):
        return E.sum_(e.right)
    if isinstance(e.right, E.Ones):
        return E.sum_(e.left)
    return None


# ---------------------------------------------------------------- steps, entries, blocks


@rewrite(E.Step, "step.constant", "[c > 0] = 1 or 0 for a number c")
def _step_constant(e):
    if isinstance(e.arg, E.Const):
        positive = e.arg.value > 0
        if isinstance(positive, (bool, sympy.logic.boolalg.BooleanAtom)):  # a size such as n − 3 stays
            return E.Const(sympy.Integer(1 if positive else 0))
    return None


@rewrite(E.Index, "index.block", "[a, b]₁ = a")
def _index_block(e):
    return e.arg.rows[e.i][0] if isinstance(e.arg, E.Block) else None


@rewrite(E.Block, "block.zero", "[0, 0] = 0⃗")
def _block_zero(e):
    return E.zero(e.shape) if all(_is_zero(x) for x in e.args) else None


@rewrite(E.Block, "block.diag", "[[a, 0], [0, b]] = diag([a, b])")
def _block_diag(e):
    k = len(e.rows)
    if k > 1 and k == len(e.rows[0]) and all(_is_zero(e.rows[i][j]) for i in range(k) for j in range(k) if i != j):
        return E.diag(E.stack([e.rows[i][i] for i in range(k)]))
    return None
