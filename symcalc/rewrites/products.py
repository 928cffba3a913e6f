"""The rewrites of element-wise products (Mul): flattening, zeros, the ReLU mask, coefficients, blocks, signs."""
from __future__ import annotations

import sympy

from .. import expr as E
from ..shapes import is_row
from .core import _is_zero, expand_to, negated, rewrite, unmask_relu


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
