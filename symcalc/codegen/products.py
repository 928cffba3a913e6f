"""Matrix products, dot products and sums as generated code: what numpy-style arrays make free.

A 1×1 factor scales (``*``: numpy's ``@`` refuses a number), 1⃗ bᵀ is b's row broadcast down the rows
and c 1⃗ᵀ the column c across the columns (never built), 1⃗ᵀA and A1⃗ are sums along an axis, diag(v)A
is v ⊗ A and A diag(v) is A ⊗ vᵀ (never an n×n matrix), and a product ABC computed elsewhere in part
(AB) goes on from that part. The emitter (:mod:`.emit`) takes these methods as a mixin.

>>> prefixes(E.matrix("A", "n", "n") @ E.matrix("B", "n", "n") @ E.vector("x"))
[AB]
"""
from __future__ import annotations

from .. import expr as E
from ..errors import UnsupportedError
from ..shapes import ONE
from ..visitor import on
from .code import ATOM, MATPROD, PRODUCT, UNARY, Code, broadcast


class Products:
    """The emitter's handlers of products and reductions (a mixin: ``self`` is the :class:`Emitter`)."""

    @on(E.MatMul)
    def _MatMul(self, e):
        if any(isinstance(f, E.Zero) for f in e.items):
            return Code("0.0", ATOM, ())
        if all(f.is_scalar or isinstance(f, E.Identity) for f in e.items):
            scales = [f for f in e.items if f.is_scalar]
            return self._product(scales) if scales else Code("1.0", ATOM, (), diag=True)
        acc, start = self._shared_prefix(e)  # (AB)C where AB is computed elsewhere too: AB once, on from there
        if acc is None and _column_result(e):
            spread = _distributed(e)
            if spread is not None:
                return self.expr(spread)
            if _from_the_right(e):
                return self._MatMul(_nested(e))
        so_far = None if acc is None else (e.items[0].shape[0], e.items[start - 1].shape[1])
        scales = [f for f in e.items[start:] if f.is_scalar]  # a 1×1 factor scales (numpy's @ refuses a number)
        for f in e.items[start:]:
            if not (f.is_scalar or isinstance(f, E.Identity)):
                acc = self._times(acc, f, so_far)
                so_far = (f.shape[0] if so_far is None else so_far[0], f.shape[1])
        code = self._settled(acc)
        if not scales:
            return code
        scale = self._product(scales)
        return code.with_text(f"{scale.at(PRODUCT)} * {code.at(UNARY)}", PRODUCT, broadcast(scale.shape, code.shape))

    def _times(self, acc, f, so_far):
        """The product so far (of shape ``so_far``) times ``f``. ``acc`` is None (nothing yet), ("ones",)
        for a leading 1⃗, ("ones_row",) for a leading 1⃗ᵀ, or a Code (a diagonal one while only diagonals)."""
        if acc is None:
            if _ones_column(f) or _ones_row(f):
                return ("ones",) if _ones_column(f) else ("ones_row",)
            return self.lazy(f)
        if isinstance(acc, tuple):
            return self._after_ones(acc, f)
        if _ones_column(f):  # A 1⃗: the sums along each row (diag(v) 1⃗ = v)
            if acc.diag:
                return Code(acc.text, acc.prec, acc.shape)
            a = self._spread_columns(acc, so_far)
            return self.call("sum_rows", a, shape=(a.shape[0], ONE))
        if _ones_row(f):  # c 1⃗ᵀ: the column c broadcast across the columns, as it stands
            return self.built(E.Identity((so_far[0], so_far[0])), acc) if acc.diag else acc
        code = self.lazy(f)
        if acc.diag and code.diag:  # diag(u) diag(v) = diag(u ⊗ v)
            return code.with_text(f"{acc.at(PRODUCT)} * {code.at(UNARY)}", PRODUCT, broadcast(acc.shape, code.shape))
        if acc.diag:  # diag(v) A: v scales the rows of A
            a = self.built(f, code) if code.diag else code
            return Code(f"{acc.at(PRODUCT)} * {a.at(UNARY)}", PRODUCT, broadcast(acc.shape, a.shape))
        if code.diag:  # A diag(v): v scales the columns of A
            return Code(f"{acc.at(PRODUCT)} * {_row(code)}", PRODUCT, broadcast(acc.shape, _row_shape(code)))
        left, right = self._spread_columns(acc, so_far), self.full(f, code)
        shape = (left.shape[0], right.shape[1])
        if self.b.dot_method:  # numpy: a.dot(b) costs less than a @ b, a third for an outer product (N = 1)
            return Code(f"{left.at(ATOM)}.{self.b.dot_method}({right.text})", ATOM, shape)
        return Code(f"{left.at(MATPROD)} @ {right.at(UNARY)}", MATPROD, shape)

    def _after_ones(self, acc, f):
        """The factor after a leading 1⃗ or 1⃗ᵀ."""
        if acc[0] == "ones":  # 1⃗ r: the row r broadcast down the rows, as it stands (1⃗1⃗ᵀ: all ones)
            return Code("1.0", ATOM, ()) if _ones_row(f) else self(f)
        if _ones_column(f):  # 1⃗ᵀ1⃗ = n
            return Code(self.dim(f.shape[0]), ATOM, ())
        code = self.lazy(f)
        if code.diag:  # 1⃗ᵀ diag(v) = vᵀ
            return Code(_row(code), ATOM, _row_shape(code))
        a = self.full(f, code)  # 1⃗ᵀ A: the sums down each column
        return self.call("sum_cols", a, shape=(ONE, a.shape[1]))

    def _settled(self, acc) -> Code:
        """The product so far as a value (a diagonal one stays diagonal)."""
        if isinstance(acc, Code):
            return acc
        if acc is not None:  # 1⃗ s, the rest 1×1 scales: s along a column, a broadcast one until needed
            return Code("1.0", ATOM, ())
        raise UnsupportedError("a matrix product of scalars only reached the matrix-product code")

    def _spread_columns(self, code: Code, shape) -> Code:
        """``code`` with its columns spread out where they are broadcast, for a product from the right (a
        row broadcast down the rows multiplies as it stands: each row of the product is the same)."""
        if code.shape != () and code.shape[1] == shape[1]:
            return code
        return Code(self.b.spell("broadcast", code.text, self.shape_text(shape)), ATOM, shape)

    @on(E.Dot)
    def _Dot(self, e):
        if e.left.is_scalar or e.right.is_scalar:
            left, right = self(e.left), self(e.right)
            return Code(f"{left.at(PRODUCT)} * {right.at(UNARY)}", PRODUCT, broadcast(left.shape, right.shape))
        return self.call("vdot", self.full(e.left), self.full(e.right))

    @on(E.Sum)
    def _Sum(self, e):
        arg = e.arg
        if arg.is_scalar:
            return self(arg)
        if isinstance(arg, E.MatMul) and arg not in self.memo:  # sum(1⃗ᵀ A 1⃗) = sum(A): no sums along an axis first
            items = list(arg.items)
            while len(items) > 1 and (_ones_row(items[0]) or _ones_column(items[-1])):
                items = items[1:] if _ones_row(items[0]) else items[:-1]
            if len(items) < len(arg.items):
                inner = items[0] if len(items) == 1 else E.MatMul(tuple(items), (items[0].shape[0], items[-1].shape[1]))
                return self.call("sum", self.full(inner))
        code = self.lazy(arg)
        if code.diag and code.shape and code.shape[0] == arg.shape[0]:  # sum(diag(v)) = sum(v)
            return self.call("sum", code)
        return self.call("sum", self.full(arg, code))

    def _shared_prefix(self, e) -> tuple:
        """(code, count of items) for the longest leading part of ``e`` (a + b of a + b + c, AB of ABC)
        computed elsewhere too, evaluated once; (None, 0) where there is none."""
        shared = next((p for p in reversed(prefixes(e)) if p in self.memo or self.counts.get(p, 0) > 1), None)
        return (None, 0) if shared is None else (self(shared), len(shared.items))


def prefixes(e) -> list:
    """The leading parts a + b, a + b + c, ... of a sum, product or matrix product of more than two items,
    shortest first: each is a value Python computes on its way, left to right."""
    items = getattr(e, "items", ())
    if len(items) < 3 and not (isinstance(e, E.Mul) and len(items) == 2):
        return []
    if isinstance(e, E.MatMul) and not any(f.is_scalar or isinstance(f, E.Identity) for f in items):
        return [E.MatMul(items[:k], (items[0].shape[0], items[k - 1].shape[1])) for k in range(2, len(items))]
    if isinstance(e, E.Mul) and any(isinstance(f, E.Step) for f in items):  # [z > 0] ⊗ (the rest): the rest
        return leading(E.Mul, [f for f in items if not isinstance(f, E.Step)], whole=True)
    if isinstance(e, (E.Add, E.Mul)):
        return leading(type(e), items)
    return []


def leading(kind, items, whole=False) -> list:
    """kind(a, b), kind(a, b, c), ...: the leading parts of an element-wise sum or product of ``items``
    (and all of them, with ``whole``)."""
    def shape(part):
        return next((f.shape for f in part if not f.is_scalar), E.SCALAR)

    return [kind(tuple(items[:k]), shape(items[:k])) for k in range(2, len(items) + (1 if whole else 0))]


def _column_result(e) -> bool:
    return e.shape[1] == ONE and e.shape[0] != ONE


def _from_the_right(e) -> bool:
    """A chain ending in a column, A B … v, costs least from the right: every step is then a matrix
    times a vector (Xᵀdiag(d)Xv as Xᵀ(d ⊗ (Xv)), never the n×n Xᵀdiag(d)X)."""
    factors = [f for f in e.items if not (f.is_scalar or isinstance(f, E.Identity))]
    return len(factors) > 2


def _distributed(e):
    """A chain ending in a column with a sum of matrices in it, … (S + T) … v, as the sum of the chains
    … S … v + … T … v, each then computed from the right ((diag(p) − ppᵀ)v as p ⊗ v − p(pᵀv), never
    an n×n matrix); None where no factor is such a sum."""
    for k, f in enumerate(e.items):
        terms = _matrix_terms(f)
        if terms is not None:
            chains = [_chain((*e.items[:k], *term, *e.items[k + 1:]), e.shape) for term in terms]
            return E.Add(tuple(chains), e.shape)
    return None


def _matrix_terms(f):
    """The terms of a sum of matrices (of a transposed one, each transposed), each as the factors of a
    product: −2 ppᵀ as (−2, p, pᵀ); None for anything else."""
    transposed = isinstance(f, E.Transpose)
    s = f.arg if transposed else f
    if not isinstance(s, E.Add) or s.is_scalar or 1 in (s.shape[0], s.shape[1]):
        return None
    if any(t.shape != s.shape for t in s.items):  # W + 2 adds 2 to every entry (2·1⃗1⃗ᵀ, not 2I): kept whole
        return None
    return [_factors(t, transposed) for t in s.items]


def _factors(t, transposed=False) -> tuple:
    """A matrix term (transposed) as the factors of a product, its scalar coefficients first:
    (diag(v)Bᵀ)ᵀ as (B, diag(v))."""
    if isinstance(t, E.Mul) and sum(not f.is_scalar for f in t.items) == 1:
        scales = [f for f in t.items if f.is_scalar]
        return (*scales, *_factors(next(f for f in t.items if not f.is_scalar), transposed))
    items = tuple(t.items) if isinstance(t, E.MatMul) else (t,)
    return tuple(E.transpose(f) for f in reversed(items)) if transposed else items


def _chain(items, shape):
    """A product of ``items``; a negative coefficient leads, outside, so the sum writes a minus."""
    scales = [f for f in items if f.is_scalar]
    rest = [f for f in items if not f.is_scalar]
    if len(rest) == 1:
        return E.Mul((*scales, *rest), shape) if scales else rest[0]
    if scales and E.is_negative(scales[0]):
        return E.Mul((scales[0], E.MatMul((*scales[1:], *rest), shape)), shape)
    return E.MatMul((*scales, *rest), shape)


def _nested(e):
    """A B … v as A (B (… v)): a product of two factors, the second computed first."""
    items = [f for f in e.items if not isinstance(f, E.Identity)]
    scales, factors = [f for f in items if f.is_scalar], [f for f in items if not f.is_scalar]
    inner = factors[-1]
    for f in reversed(factors[1:-1]):
        inner = E.MatMul((f, inner), (f.shape[0], inner.shape[1]))
    return E.MatMul((*scales, factors[0], inner), e.shape)


def _row(code: Code) -> str:
    """A diagonal as a row, to scale columns by (a number as it is)."""
    return code.text if code.shape == () else f"{code.at(ATOM)}.T"


def _row_shape(code: Code) -> tuple:
    return () if code.shape == () else (code.shape[1], code.shape[0])


def _ones_column(f) -> bool:
    return isinstance(f, E.Ones) and f.shape[1] == ONE and f.shape[0] != ONE


def _ones_row(f) -> bool:
    return isinstance(f, E.Transpose) and _ones_column(f.arg)


