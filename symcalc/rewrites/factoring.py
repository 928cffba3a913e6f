"""Factoring: a factor common to the terms of a sum taken out, so a closed form reads as the textbook's.

xᵀA + xᵀAᵀ = xᵀ(A + Aᵀ) and c AᵀX + c BᵀX = (c Aᵀ + c Bᵀ)X hold by distributivity of the matrix
product for any values; aᵀ + bᵀ = (a + b)ᵀ by linearity of the transpose. The all-ones row is
taken through a sum of diag-led terms the other way, by the same distributivity: 1⃗ᵀ(diag(Ax) +
diag(x) A) = (Ax)ᵀ + xᵀA, which then factors as xᵀ(A + Aᵀ). The factored sum is
then simplified entry by entry where it is element-wise (σ ⊘ σ cancels), which is what brings the
logistic loss's gradient to (1/N) Xᵀ(σ(Xw + b) − y).
"""
from __future__ import annotations

from .. import expr as E
from .core import _product, rewrite
from .matmul import _pairwise


def _scaled(t):
    """(scalar coefficients, the one other factor) of a term c A, or (coefficients, None) where a term
    has no other factor or several."""
    factors = t.items if isinstance(t, E.Mul) else (t,)
    big = [f for f in factors if not f.is_scalar]
    return [f for f in factors if f.is_scalar], big[0] if len(big) == 1 else None


def _split(t):
    """(scalar coefficients, matrix-product factors) of a term: c AᵀX is ([c], [Aᵀ, X])."""
    scalars, body = _scaled(t)
    if isinstance(body, E.Transpose) and isinstance(body.arg, E.MatMul):  # (Ax)ᵀ = xᵀAᵀ, to match xᵀA
        return scalars, [E.transpose(f) for f in reversed(body.arg.items)]
    return (scalars, list(body.items)) if isinstance(body, E.MatMul) else None


def _chain(items):
    """The matrix product of ``items`` (or the single item)."""
    return _product(items, (items[0].shape[0], items[-1].shape[1]))


def _factor_side(e, side):
    """Terms sharing their first (side 0) or last (side −1) factor F, as F (Σ rest) or (Σ rest) F."""
    split = [_split(t) for t in e.items]
    groups: dict = {}
    for i, s in enumerate(split):
        if s is not None:
            groups.setdefault(s[1][side], []).append(i)
    for F, members in groups.items():
        if len(members) < 2:
            continue
        rests = [E.mul(*split[i][0], _chain(split[i][1][1:] if side == 0 else split[i][1][:-1]))
                 for i in members]
        rests.sort(key=lambda r: isinstance(r, E.Transpose))  # A + Aᵀ, as the Cookbook writes it
        inner = E.add(*rests)
        if inner.is_scalar:  # u (vᵀu) + u (wᵀu) = u (vᵀu + wᵀu): a scalar scales
            common = E.mul(inner, F)
        else:
            common = E.matmul(F, inner) if side == 0 else E.matmul(inner, F)
        others = [t for i, t in enumerate(e.items) if i not in members]
        return E.add(common, *others) if others else common
    return None


@rewrite(E.Add, "add.common_left", "A B + A C = A (B + C)")
def _add_common_left(e):
    return _factor_side(e, 0)


@rewrite(E.Add, "add.common_right", "B A + C A = (B + C) A")
def _add_common_right(e):
    return _factor_side(e, -1)


def _transposed(t):
    """(coefficients, a) of c aᵀ, else None."""
    scalars, body = _scaled(t)
    return (scalars, body.arg) if isinstance(body, E.Transpose) else None


@rewrite(E.Add, "add.transposes", "c aᵀ + d bᵀ = (c a + d b)ᵀ")
def _add_transposes(e):
    parts = [_transposed(t) for t in e.items]
    if len(parts) < 2 or any(p is None for p in parts):
        return None
    return E.transpose(E.add(*(E.mul(*c, a) for c, a in parts)))


def _dot_term(t):
    """(coefficients, the dot product) of c (a·b), else None."""
    factors = t.items if isinstance(t, E.Mul) else (t,)
    dots = [f for f in factors if isinstance(f, E.Dot)]
    if len(dots) != 1 or not t.is_scalar:  # (v·w) u is a vector: its dot does not merge with others
        return None
    return [f for f in factors if f is not dots[0]], dots[0]


@rewrite(E.Add, "add.dots", "c a·b + d e·f = sum(c a ⊗ b + d e ⊗ f), kept only where the entries cancel")
def _add_dots(e):
    from ..elementwise_simplify import mentions, simplify_elementwise  # it simplifies with these rewrites

    parts = [(i, _dot_term(t)) for i, t in enumerate(e.items)]
    parts = [(i, p) for i, p in parts if p is not None]
    shapes = {s for _, (_, d) in parts for s in (d.left.shape, d.right.shape)}
    if len(parts) < 2 or len(shapes) != 1:  # entries pair up only between operands of one shape
        return None
    entrywise = E.add(*(E.mul(*c, d.left, d.right) for _, (c, d) in parts))
    merged = simplify_elementwise(entrywise)
    if mentions(merged) >= mentions(entrywise):
        return None
    used = {i for i, _ in parts}
    return E.add(E.sum_(merged), *(t for i, t in enumerate(e.items) if i not in used))


def _identity(t) -> bool:
    """c I: a row through it is the row (yᵀI = yᵀ)."""
    return isinstance(_scaled(t)[1], E.Identity)


def _distribute(r, s):
    """A row r through a sum with c I in it, term by term (yᵀ1⃗ in the others then becomes sum(y))."""
    if r.shape[0] != E.ONE or not isinstance(s, E.Add) or not any(_identity(t) for t in s.items):
        return None
    return E.add(*(E.matmul(r, t) for t in s.items))


@rewrite(E.MatMul, "matmul.distribute_row", "yᵀ(1⃗pᵀ − I) = (yᵀ1⃗)pᵀ − yᵀ: a row through a sum with I")
def _matmul_distribute_row(e):
    items = e.items
    for i in range(len(items) - 1):
        spread = _distribute(items[i], items[i + 1])
        if spread is not None:
            return _chain([*items[:i], spread, *items[i + 2:]]) if len(items) > 2 else spread
    return None


def _diag_led(t):
    """(coefficients, v, the factors after diag(v)) of a term c diag(v) B…, else None."""
    scalars, body = _scaled(t)
    if isinstance(body, E.Diag):
        return scalars, body.arg, []
    if isinstance(body, E.MatMul) and isinstance(body.items[0], E.Diag):
        return scalars, body.items[0].arg, list(body.items[1:])
    return None


def _diag_led_terms(s):
    """The terms of a sum s, each read by _diag_led, or None unless every term is diag-led.

    A lone scalar in a matrix sum stands for a matrix of it, not a diag: such a sum is left alone."""
    if not isinstance(s, E.Add) or any(t.shape != s.shape for t in s.items):
        return None
    parts = [_diag_led(t) for t in s.items]
    return None if any(p is None for p in parts) else parts


def _as_row(c, v, rest):
    """c diag(v) B… read through 1⃗ᵀ: c vᵀB…"""
    return E.mul(*c, _chain([E.transpose(v), *rest]))


def _as_column(c, v, rest):
    """(c diag(v) B…)ᵀ read through 1⃗: c …ᵀBᵀv"""
    return E.mul(*c, _chain([*(E.transpose(f) for f in reversed(rest)), v]))


def _ones_through(a, b):
    """1⃗ᵀ Σ c diag(v) B = Σ c vᵀB, and its transpose (Σ c diag(v) B)ᵀ 1⃗ = Σ c Bᵀv.

    Only the all-ones row: 1⃗ᵀdiag(v) = vᵀ, while yᵀdiag(v) = (y ⊗ v)ᵀ would not read better."""
    if isinstance(a, E.Transpose) and isinstance(a.arg, E.Ones):
        parts, read = _diag_led_terms(b), _as_row
    elif isinstance(a, E.Transpose) and isinstance(b, E.Ones):
        parts, read = _diag_led_terms(a.arg), _as_column
    else:
        return None
    return None if parts is None else E.add(*(read(*p) for p in parts))


_pairwise("matmul.ones_diag_sum", "1⃗ᵀ(diag(u) + c diag(v)B) = uᵀ + c vᵀB, (diag(u) + c diag(v)B)ᵀ1⃗ = u + c Bᵀv",
          _ones_through)


def _transpose_term(t):
    """(c A)ᵀ = c Aᵀ, so a scaled term's transpose can cancel too."""
    scalars, body = _scaled(t)
    return E.transpose(t) if body is None else E.mul(*scalars, E.transpose(body))


def _transposes(e) -> int:
    return isinstance(e, E.Transpose) + sum(_transposes(a) for a in e.args)


@rewrite(E.Transpose, "transpose.sum", "(A + Aᵀ)ᵀ = A + Aᵀ: a symmetric sum is its own transpose")
def _transpose_sum(e):
    if not isinstance(e.arg, E.Add) or any(t.shape != e.arg.shape for t in e.arg.items):
        return None  # a lone scalar in a matrix sum stands for a matrix of it: left as it is
    terms = [_transpose_term(t) for t in e.arg.items]
    again = [_transpose_term(t) for t in terms]  # the terms as _transpose_term writes them: (aB)ᵀ as a Bᵀ
    if sorted(map(str, terms)) != sorted(map(str, again)):
        return None  # only where the terms' transposes are the terms again
    return E.add(*sorted(terms, key=lambda t: _transposes(t) > 0))
