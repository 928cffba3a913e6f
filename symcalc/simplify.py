"""Bring results to the paper's closed forms: 1⃗ᵀdiag(x) → xᵀ, I·A → A, 0 + x → x, ...

Rewrites run bottom-up to a fixpoint; every rewrite must keep the node's shape (checked, so a
wrong rewrite fails loudly instead of producing a wrong answer). Scalar pieces go to sympy.

>>> from symcalc.expr import vector, ones, diag, identity, scalar
>>> x, z = vector("x"), scalar("z")
>>> print(simplify(ones("n").T @ diag(x)))
xᵀ
>>> print(simplify(ones("n").T @ (z * identity("n"))))
z 1⃗ᵀ
"""
from __future__ import annotations

import sympy

from . import expr as E
from .scalars import simplify_scalars
from .shapes import ONE, is_column, is_row

_ONE = E.Const(sympy.Integer(1))


def simplify(e: E.Expr) -> E.Expr:
    """Structural clean-up, then sympy on the scalar pieces, then clean-up again."""
    e = _fixpoint(e)
    e = _fixpoint(simplify_scalars(e))
    return e


def _fixpoint(e):
    for _ in range(50):
        new = _bottom_up(e)
        if new == e:
            return e
        e = new
    return e


def _bottom_up(e):
    if e.args:
        new = tuple(_bottom_up(a) for a in e.args)
        if new != e.args:
            e = e.rebuild(new)
    rule = _RULES.get(type(e))
    while rule is not None:
        out = rule(e)
        if out is None or out == e:
            break
        if out.shape != e.shape:
            raise AssertionError(f"simplifier changed the shape of {e} {e.shape} into {out} {out.shape}")
        e = out
        rule = _RULES.get(type(e))
    return e


def _is_one(e):
    return e == _ONE


def _split_coeff(t):
    """(numeric coefficient, rest) of a term, for collecting like terms."""
    if isinstance(t, E.Mul) and isinstance(t.items[0], E.Const):
        rest = t.items[1:]
        return t.items[0].value, rest[0] if len(rest) == 1 else E.Mul(rest, t.shape)
    if isinstance(t, E.Const):
        return t.value, None
    return sympy.Integer(1), t


def _add(e):
    if len(e.items) > 1 and all(isinstance(t, E.Block) and t.shape == e.shape for t in e.items):
        return e.items[0].rebuild(tuple(E.add(*xs) for xs in zip(*(t.args for t in e.items))))
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
    return _expand_to(items[0] if len(items) == 1 else E.add(*items), e.shape)


def _expand_to(item, shape):
    """A lone scalar left in a vector sum stands for item·1⃗ (R7)."""
    if item.shape == shape:
        return item
    if is_column(shape):
        return E.mul(item, E.Ones(shape))
    if is_row(shape):
        return E.transpose(E.mul(item, E.Ones((shape[1], ONE))))
    return E.Add((item,), shape)


def _mul(e):
    items = _mask_relu([g for f in e.items for g in (f.items if isinstance(f, E.Mul) else (f,))])
    if any(isinstance(f, E.Zero) for f in items):
        return E.zero(e.shape)
    value = sympy.Integer(1)
    rest = []
    for f in items:
        if isinstance(f, E.Const):
            value *= f.value
        else:
            rest.append(f)
    if value == 0:
        return E.zero(e.shape)
    others = [f for f in rest if not f.is_scalar]
    if len(others) > 1:  # 1⃗ ⊗ v = v
        kept = [f for f in others if not isinstance(f, E.Ones)] or others[:1]
        others = kept
    others = _blocks_elementwise(others)
    if len(others) == 1 and isinstance(others[0], E.Block) and (value != 1 or any(f.is_scalar for f in rest)):
        coeff = [E.Const(value)] + [f for f in rest if f.is_scalar]  # c [a, b] = [c a, c b]
        return others[0].rebuild(tuple(E.mul(*coeff, x) for x in others[0].args))
    if len(others) > 1 and all(is_row(f.shape) for f in others):
        others = [E.transpose(E.mul(*(E.transpose(f) for f in others)))]
    scalars = [f for f in rest if f.is_scalar]
    if value.is_negative is True:  # −(y − z) ⊗ m reads better as (z − y) ⊗ m
        value, others, scalars = _absorb_sign(value, others, scalars)
    lead = [] if value == 1 and (scalars or others) else [E.Const(value)]
    items = lead + scalars + others
    out = items[0] if len(items) == 1 else E.Mul(tuple(items), e.shape)
    return _expand_to(out, e.shape) if out.shape != e.shape else out


def _mask_relu(items):
    """[a > 0] ⊗ max(0, a) = [a > 0] ⊗ a: where the mask is 0 the product is 0 anyway."""
    masks = [f.arg for f in items if isinstance(f, E.Step)]
    if not masks:
        return items
    relus = {E.Max(E.Const(sympy.Integer(0)), a, a.shape): a for a in masks}
    return [f if isinstance(f, E.Step) else E.replace(f, relus) for f in items]


def _negated(e):
    """−e written without a leading minus, by flipping one sum inside it; None if that reads worse."""
    if isinstance(e, E.Add):
        flipped = [E.negate(t) for t in e.items]
        before = sum(E.is_negative(t) for t in e.items)
        after = sum(E.is_negative(t) for t in flipped)
        if after > before:
            return None
        return E.add(*sorted(flipped, key=E.is_negative))
    if isinstance(e, (E.Mul, E.MatMul)):
        for i, f in enumerate(e.items):
            new = _negated(f)
            if new is not None:
                return e.rebuild(e.items[:i] + (new,) + e.items[i + 1 :])
    if isinstance(e, (E.Transpose, E.Sum)):
        new = _negated(e.arg)
        return None if new is None else e.rebuild((new,))
    if isinstance(e, E.Dot):
        for i, side in enumerate(e.args):
            new = _negated(side)
            if new is not None:
                return E.Dot(*(new if j == i else a for j, a in enumerate(e.args)))
    return None


def _absorb_sign(value, others, scalars):
    if others:
        new = _negated(others[-1])
        if new is not None:
            return -value, others[:-1] + [new], scalars
        return value, others, scalars
    for i, f in enumerate(scalars):
        if isinstance(f, (E.Dot, E.Sum)):
            new = _negated(f)
            if new is not None:
                return -value, others, scalars[:i] + [new] + scalars[i + 1 :]
    return value, others, scalars


def _div(e):
    a, b = e.left, e.right
    if isinstance(a, E.Zero):
        return E.zero(e.shape)
    if _is_one(b):
        return _expand_to(a, e.shape)
    if isinstance(b, E.Const) and b.value != 0:
        return E.mul(E.Const(1 / b.value), a) if a.shape == e.shape else None
    return None


def _pow(e):
    a, k = e.left, e.right
    if _is_one(k):
        return a
    if k == E.Const(sympy.Integer(0)):
        return _expand_to(_ONE, e.shape)
    if isinstance(a, E.Const) and isinstance(k, E.Const):
        return E.Const(a.value**k.value)
    return None


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


def _pair(a, b):
    """One adjacent pair of a product rewritten, or None."""
    if isinstance(b, E.Diag):
        if is_row(a.shape) and isinstance(a, E.Transpose):  # uᵀ diag(v) = (u ⊗ v)ᵀ
            return E.transpose(E.mul(a.arg, b.arg))
        if isinstance(a, E.Diag):
            return E.diag(E.mul(a.arg, b.arg))
    if isinstance(a, E.Diag) and is_column(b.shape):  # diag(v) u = v ⊗ u
        return E.mul(a.arg, b)
    if isinstance(a, E.Transpose) and is_column(a.arg.shape) and is_column(b.shape):
        if isinstance(a.arg, E.Ones):
            return E.sum_(b)
        if isinstance(b, E.Ones):
            return E.sum_(a.arg)
        return E.dot(a.arg, b)
    return None


def _matmul(e):
    flat = []
    for f in e.items:
        flat.extend(f.items if isinstance(f, E.MatMul) else (f,))
    if any(isinstance(f, E.Zero) for f in flat):
        return E.zero(e.shape)
    coeff, body = _coefficients(flat)
    if len(body) > 1:
        body = [f for f in body if not isinstance(f, E.Identity)] or body[:1]
    changed = True
    while changed and len(body) > 1:
        changed = False
        for i in range(len(body) - 1):
            new = _pair(body[i], body[i + 1])
            if new is not None:
                body[i : i + 2] = [new]
                changed = True
                break
    coeff, more = _coefficients(body)[0] + coeff, _coefficients(body)[1]
    body = more or [_ONE]
    prod = body[0] if len(body) == 1 else E.MatMul(tuple(body), (body[0].shape[0], body[-1].shape[1]))
    out = E.mul(*coeff, prod) if coeff else prod
    return out if out.shape == e.shape else _expand_to(out, e.shape)


def _transpose(e):
    a = e.arg
    if isinstance(a, E.MatMul):  # (Aᵀx)ᵀ = xᵀA when that leaves fewer transposes
        before = 1 + sum(isinstance(f, E.Transpose) for f in a.items)
        after = sum(not isinstance(f, E.Transpose) for f in a.items)
        if after < before:
            return E.MatMul(tuple(E.transpose(f) for f in reversed(a.items)), e.shape)
    if isinstance(a, (E.Diag, E.Identity)):
        return a
    if isinstance(a, E.Zero):
        return E.zero(e.shape)
    if isinstance(a, E.Mul) and any(f.is_scalar for f in a.items):
        scalars = [f for f in a.items if f.is_scalar]
        rest = [f for f in a.items if not f.is_scalar]
        return E.mul(*scalars, E.transpose(E.mul(*rest)))
    return None


def _diag(e):
    a = e.arg
    if isinstance(a, E.Ones):
        return E.Identity(e.shape)
    if isinstance(a, E.Zero):
        return E.zero(e.shape)
    if isinstance(a, E.Mul) and sum(not f.is_scalar for f in a.items) == 1 and any(isinstance(f, E.Ones) for f in a.items):
        return E.mul(*(f for f in a.items if f.is_scalar), E.Identity(e.shape))
    return None


def _sum(e):
    a = e.arg
    if isinstance(a, E.Zero):
        return E.zero()
    if isinstance(a, E.Ones):
        return E.Const(a.shape[0] * a.shape[1])
    if isinstance(a, E.Mul):
        scalars = [f for f in a.items if f.is_scalar]
        vecs = [f for f in a.items if not f.is_scalar]
        if len(vecs) == 2 and all(is_column(v.shape) for v in vecs):
            return E.mul(*scalars, E.dot(*vecs))
        if scalars and len(vecs) == 1:
            return E.mul(*scalars, E.sum_(vecs[0]))
    return None


def _dot(e):
    masked = _mask_relu([e.left, e.right])
    if masked != [e.left, e.right]:
        return E.Dot(*masked)
    if isinstance(e.left, E.Zero) or isinstance(e.right, E.Zero):
        return E.zero()
    if isinstance(e.left, E.Ones):
        return E.sum_(e.right)
    if isinstance(e.right, E.Ones):
        return E.sum_(e.left)
    return None


def _step(e):
    if isinstance(e.arg, E.Const):
        return E.Const(sympy.Integer(1 if e.arg.value > 0 else 0))
    return None


def _index(e):
    if isinstance(e.arg, E.Block):
        return e.arg.rows[e.i][0]
    return None


def _block(e):
    entries = e.args
    if all(isinstance(x, E.Zero) or x == E.Const(sympy.Integer(0)) for x in entries):
        return E.zero(e.shape)
    k = len(e.rows)
    square = k == len(e.rows[0]) and k > 1
    if square and all(_is_zero(e.rows[i][j]) for i in range(k) for j in range(k) if i != j):
        return E.diag(E.stack([e.rows[i][i] for i in range(k)]))
    return None


def _is_zero(x):
    return isinstance(x, E.Zero) or x == E.Const(sympy.Integer(0))


def _blocks_elementwise(others):
    """Element-wise products of written-out vectors multiply entry by entry."""
    if len(others) > 1 and all(isinstance(f, E.Block) for f in others):
        entries = zip(*(f.args for f in others))
        return [others[0].rebuild(tuple(E.mul(*xs) for xs in entries))]
    return others


_RULES = {
    E.Add: _add,
    E.Mul: _mul,
    E.Div: _div,
    E.Pow: _pow,
    E.MatMul: _matmul,
    E.Transpose: _transpose,
    E.Diag: _diag,
    E.Sum: _sum,
    E.Dot: _dot,
    E.Step: _step,
    E.Index: _index,
    E.Block: _block,
}
