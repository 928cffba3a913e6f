"""The rewrites of sums (Add): blocks added entry by entry, like terms collected."""
from __future__ import annotations

import sympy

from .. import expr as E
from ..shapes import is_vectorish
from .core import expand_to, rewrite


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


def _factors(t) -> tuple:
    return t.items if isinstance(t, E.Mul) else (t,)


def _common_scalar(terms):
    """A scalar factor, not a number, that every term multiplies: 1/N in −(1/N) Y + (1/N) P."""
    first = [f for f in _factors(terms[0]) if f.is_scalar and not (isinstance(f, E.Const) and f.value.is_Number)]
    return next((f for f in first if all(any(g == f for g in _factors(t)) for t in terms[1:])), None)


def _without(t, f):
    items = list(_factors(t))
    items.pop(next(i for i, g in enumerate(items) if g == f))
    return E.mul(*items) if items else E.one()


@rewrite(E.Add, "add.factor", "s A − s B = s (A − B) for a scalar s of a matrix sum; positive terms first")
def _add_factor(e):
    if len(e.items) < 2 or is_vectorish(e.shape):
        return None
    f = _common_scalar(e.items)
    if f is None:
        return _factor_size(e)
    rests = [_without(t, f) for t in e.items]
    rests.sort(key=lambda r: E.is_negative(r))  # P − Y rather than −Y + P; a stable sort keeps the rest
    return E.mul(f, E.add(*rests))


def _factor_size(e):
    """(−1/N) Y + (1/N) P = (1/N)(P − Y): a symbolic part common to numeric-and-size coefficients."""
    split = [_split_coeff(t) for t in e.items]
    if any(rest is None for _, rest in split):
        return None
    common = sympy.Integer(1) if not split else split[0][0].as_coeff_Mul()[1]
    if common == 1 or not all((c / common).is_Number for c, _ in split):
        return None
    rests = [rest if c == common else E.mul(E.Const(c / common), rest) for c, rest in split]
    rests.sort(key=E.is_negative)
    return E.mul(E.Const(common), E.add(*rests))
