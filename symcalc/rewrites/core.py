"""The rewrite record, its registry (in the order rewrites are tried), and the helpers the rewrites share.

The records themselves are in the modules of this package, one per kind of node; importing
:mod:`symcalc.rewrites` registers them all, in the order they have always been tried.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sympy

from .. import expr as E
from ..shapes import ONE, is_column, is_row, is_scalar

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


# ---------------------------------------------------------------- signs


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
