"""Expression trees → code text for one backend, each shared subexpression computed once.

The emitter walks a symcalc expression and spells each node with the backend's table. It knows
what numpy-style arrays make free: a 1×1 factor of a product scales (``*``), 1⃗ bᵀ is b's row
broadcast down the rows (never built), 1⃗ᵀA and A1⃗ are sums along an axis, diag(v)A is v ⊗ A (never
an n×n matrix), and [z > 0] ⊗ A is ``where(z > 0, A, 0.0)``. Each value carries the shape numpy
will give it, with 1 along an axis it is still broadcast along; where a full array is needed (a
matrix product, a reduction, a returned gradient) it is broadcast out.

A subexpression that occurs more than once (``counts``) is assigned to a temporary the first time
it is computed (``pending`` collects those assignments, placed before the line that needs them) and
read from it after that.

>>> from symcalc import expr as E
>>> from symcalc.codegen.backends import NUMPY
>>> X, W, b = E.matrix("X", "N", "n"), E.matrix("W", "n", "m"), E.vector("b", "m")
>>> em = Emitter(NUMPY, {v: Code(v.name, ATOM, v.shape) for v in (X, W, b)}, str)
>>> em.expr(E.relu(X @ W + E.ones("N") @ b.T)).text
'np.maximum(X @ W + b.T, 0.0)'
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import sympy

from .. import expr as E
from ..expr import matrixnodes as M
from ..errors import SymcalcError, UnsupportedError
from ..shapes import ONE
from ..visitor import Visitor, on
from .names import comment

# Python's precedence, loosest first: a value is parenthesized where it is looser than its place needs.
COMPARE, SUM, MATPROD, PRODUCT, UNARY, POWER, ATOM = range(7)  # MATPROD: @, as * to Python, but
# parenthesized inside an element-wise product for the reader: (δ @ Wᵀ) * (1 - H ** 2)
_AXIS_KEYS = {M.Softmax: "softmax", M.LogSoftmax: "log_softmax", M.LogSumExp: "logsumexp"}


@dataclass(frozen=True)
class Code:
    """Code for a value: its text, how tightly it binds, and the shape numpy gives it: () for a 0-d
    scalar or a number, else (rows, cols) with 1 along each axis the value is still broadcast along."""

    text: str
    prec: int = ATOM
    shape: tuple = ()

    def at(self, prec: int) -> str:
        """The text, parenthesized unless it binds at least as tightly as ``prec``."""
        return self.text if self.prec >= prec else f"({self.text})"


def broadcast(*shapes) -> tuple:
    """numpy's shape of an element-wise result: along each axis, the operands' length other than 1."""
    shapes = [s for s in shapes if s != ()]
    if not shapes:
        return ()
    return tuple(next((s[i] for s in shapes if s[i] != ONE), ONE) for i in (0, 1))


def trivial(code: Code) -> bool:
    """A name, a number or a transposed name: nothing to compute, so never worth a temporary."""
    text = code.text[1:] if code.text.startswith("-") else code.text
    return text.removesuffix(".T").replace("_", "").replace(".", "").isalnum()


class Emitter(Visitor):
    """Code for expressions over ``names`` ({Var: Code} for the arguments and the lines so far)."""

    what = "code generator"

    def __init__(self, backend, names: dict, size, counts: dict | None = None, temp=None):
        self.b = backend
        self.memo: dict = dict(names)  # node → Code: arguments, lines and temporaries computed so far
        self.size = size  # a symbolic size (sympy Symbol) → its name in the code
        self.counts = counts or {}
        self.temp = temp or (lambda stem: stem or f"t_{len(self.pending) + 1}")  # a fresh name, from stem if given
        self.pending: list = []  # (name, code, comment) of temporaries the current line needs
        self.tests = Counter()  # z → how often a piece [z > 0] needs the test z > 0
        for node, count in self.counts.items():
            if isinstance(node, (E.Step, E.Cases)):
                self.tests[node.arg] += count

    # -- entry points

    def expr(self, e) -> Code:
        """Code for ``e`` as a whole (a line's right-hand side: never itself a temporary)."""
        if e in self.memo:
            return self.memo[e]
        return self._folded(e) or self.visit(e)

    def __call__(self, e) -> Code:
        """Code for a subexpression, computed into a temporary the first time if it occurs again."""
        if e in self.memo:
            return self.memo[e]
        code = self.expr(e)
        if self.counts.get(e, 0) > 1 and not trivial(code) and not isinstance(e, E.Step):  # [z > 0]: its test is
            name = self.temp(None)
            self.pending.append((name, code.text, comment(f"{e}, needed {self.counts[e]} times")))
            code = Code(name, ATOM, code.shape)
            self.memo[e] = code
        return code

    def bind(self, e, name: str, code: Code) -> Code:
        """``name`` now holds ``e``'s value: later lines read it."""
        self.memo[e] = Code(name, ATOM, code.shape)
        return self.memo[e]

    # -- shapes

    def shape_text(self, shape) -> str:
        return "(" + ", ".join(self.dim(s) for s in shape) + ")"

    def dim(self, s) -> str:
        return str(int(s)) if s.is_Integer else self.size(s)

    def full(self, e, code: Code | None = None, out=False) -> Code:
        """``e``'s value as an array of ``e``'s own shape (a broadcast value spread out; a scalar as it is)."""
        code = self(e) if code is None else code
        if e.is_scalar or code.shape == e.shape:
            return code
        if isinstance(e, (E.Zero, E.Ones)):
            key = "zeros" if isinstance(e, E.Zero) else "ones"
            return Code(self.b.spell(key, self.shape_text(e.shape)), ATOM, e.shape)
        return Code(self.b.spell("broadcast_out" if out else "broadcast", code.text, self.shape_text(e.shape)),
                    ATOM, e.shape)

    def call(self, key, *args, shape=()) -> Code:
        """A backend spelling applied to codes (or plain text), as an atom."""
        texts = [(a.at(ATOM) if self.b.tight(key, i) else a.text) if isinstance(a, Code) else a
                 for i, a in enumerate(args)]
        return Code(self.b.spell(key, *texts), ATOM, shape)

    # -- constants

    def _folded(self, e) -> Code | None:
        """A scalar built from numbers only (exp(2), 3 + 1/2) as one number, where no size enters it."""
        if isinstance(e, E.Const) or not e.is_scalar or not E.is_const(e) or _sized(e):
            return None
        from ..numeric import evaluate

        try:
            value = float(evaluate(e, {}))
        except (SymcalcError, ArithmeticError, ValueError, TypeError):  # a label, or no value: spelled as it is
            return None
        return _number(value) if math.isfinite(value) else None

    @on(E.Const)
    def _Const(self, e):
        v = e.value
        if v.free_symbols:
            text = _sympy_text(v, self.size)
            return Code(text if v.is_Atom else f"({text})", ATOM)
        if v.is_Integer:
            return Code(str(int(v)), UNARY if v < 0 else ATOM)
        if v.is_Rational:
            return Code(f"({v.p} / {v.q})", ATOM)
        return _number(float(v))

    @on(E.Ones)
    def _Ones(self, e):
        return Code("1.0", ATOM, ())  # broadcast: spread out (np.ones) only where a full array is needed

    @on(E.Zero)
    def _Zero(self, e):
        return Code("0.0", ATOM, ())

    @on(E.Identity)
    def _Identity(self, e):
        return self.call("eye", self.dim(e.shape[0]), shape=e.shape)

    @on(E.Var)
    def _Var(self, e):
        raise UnsupportedError(f"{e.name} is neither an argument nor a value computed before it")

    # -- element-wise arithmetic

    @on(E.Add)
    def _Add(self, e):
        parts, shapes = [], []
        first, start = self._shared_prefix(e)
        if first is not None:
            parts.append(first.at(SUM))
            shapes.append(first.shape)
        for i, t in enumerate(e.items[start:], start):
            negative = E.is_negative(t)
            code = self(E.negate_leading(t) if negative else t)
            shapes.append(code.shape)
            if i == 0:
                parts.append(("-" + code.at(UNARY)) if negative else code.at(SUM))
            else:
                parts.append((" - " if negative else " + ") + code.at(MATPROD))
        return Code("".join(parts), SUM, broadcast(*shapes))

    def _shared_prefix(self, e) -> tuple:
        """(code, count of items) for the longest leading part of ``e`` (a + b of a + b + c, AB of ABC)
        computed elsewhere too, evaluated once; (None, 0) where there is none."""
        shared = next((p for p in reversed(prefixes(e)) if p in self.memo or self.counts.get(p, 0) > 1), None)
        return (None, 0) if shared is None else (self(shared), len(shared.items))

    @on(E.Mul)
    def _Mul(self, e):
        steps = [f for f in e.items if isinstance(f, E.Step) and f not in self.memo]
        if steps:  # [z > 0] ⊗ A: A where z > 0, else 0 (the derivative of relu, max, abs)
            rest = self._product([f for f in e.items if f not in steps], whole=True)
            tests = [self.test(s.arg) for s in steps]
            test = " & ".join(t.at(ATOM) for t in tests) if len(tests) > 1 else tests[0].text
            return self.call("where", test, rest, "0.0", shape=broadcast(rest.shape, *(t.shape for t in tests)))
        return self._product(list(e.items))

    def test(self, z) -> Code:
        """The test z > 0 of a piecewise value, computed once into a temporary where several pieces need it."""
        key = ("test", z)
        if key in self.memo:
            return self.memo[key]
        arg = self(z)
        code = Code(f"{arg.at(SUM)} > 0", COMPARE, arg.shape)
        if self.tests[z] > 1:
            name = self.temp(f"{arg.text}_positive" if arg.text.isidentifier() else None)
            self.pending.append((name, code.text, comment(f"[{z} > 0], needed {self.tests[z]} times")))
            code = self.memo[key] = Code(name, ATOM, arg.shape)
        return code

    def _product(self, items, whole=False) -> Code:
        """The element-wise product of ``items``, from its longest leading part computed elsewhere too
        (the whole product counts with ``whole``: it is not itself the node being spelled)."""
        if not items:
            return Code("1.0", ATOM)
        if len(items) == 1:
            return self(items[0])
        parts = _leading(E.Mul, items, whole)
        shared = next((p for p in reversed(parts) if p in self.memo or self.counts.get(p, 0) > 1), None)
        if shared is not None:
            first, items = self(shared), items[len(shared.items):]
            codes = [first, *(self(f) for f in items)]
        elif items[0] == E.Const(sympy.Integer(-1)):
            rest = self._product(items[1:])
            return Code("-" + rest.at(UNARY), UNARY, rest.shape)
        else:
            codes = [self(f) for f in items]
        if len(codes) == 1:
            return codes[0]
        text = codes[0].at(PRODUCT) + "".join(" * " + c.at(UNARY) for c in codes[1:])
        return Code(text, PRODUCT, broadcast(*(c.shape for c in codes)))

    @on(E.Div)
    def _Div(self, e):
        left, right = self(e.left), self(e.right)
        return Code(f"{left.at(PRODUCT)} / {right.at(UNARY)}", PRODUCT, broadcast(left.shape, right.shape))

    @on(E.Pow)
    def _Pow(self, e):
        base, k = self(e.left), self(e.right)
        return Code(f"{base.at(ATOM)} ** {k.at(UNARY)}", POWER, broadcast(base.shape, k.shape))

    @on(E.Max)
    def _Max(self, e):
        if E.is_const(e.left) and e.left.is_scalar:  # max(0, z): relu, with 0.0 (an int costs a conversion)
            left, right = self(e.left), self(e.right)
            return self.call("clamp_min", _as_float(left), right, shape=right.shape)
        left, right = self(e.left), self(e.right)
        return self.call("maximum", left, right, shape=broadcast(left.shape, right.shape))

    @on(E.Step)
    def _Step(self, e):
        test = self.test(e.arg)
        return self.call("where", test, "1.0", "0.0", shape=test.shape)

    @on(E.Cases)
    def _Cases(self, e):
        test, below, above = self.test(e.arg), self(e.below), self(e.above)
        return self.call("where", test, above, below, shape=broadcast(test.shape, below.shape, above.shape))

    @on(E.Func)
    def _Func(self, e):
        arg = self(e.arg)
        if not self.b.has(e.name):
            raise UnsupportedError(f"the function {e.name} has no {self.b.name} spelling in the code generator")
        return self.call(e.name, arg, shape=arg.shape)

    # -- products, transposes, reductions

    @on(E.Transpose)
    def _Transpose(self, e):
        arg = self(e.arg)
        if e.is_scalar or arg.shape == ():  # a number (or a broadcast one) is its own transpose
            return arg
        return Code(f"{arg.at(ATOM)}.T", ATOM, (arg.shape[1], arg.shape[0]))

    @on(E.MatMul)
    def _MatMul(self, e):
        if any(isinstance(f, E.Zero) for f in e.items):
            return Code("0.0", ATOM, ())
        if all(f.is_scalar or isinstance(f, E.Identity) for f in e.items):
            scales = [f for f in e.items if f.is_scalar]
            return self._product(scales) if scales else self.call("eye", self.dim(e.shape[0]), shape=e.shape)
        acc, start = self._shared_prefix(e)  # (AB)C where AB is computed elsewhere too: AB once, on from there
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
        return Code(f"{scale.at(PRODUCT)} * {code.at(UNARY)}", PRODUCT, code.shape)

    def _times(self, acc, f, so_far):
        """The product so far (of shape ``so_far``) times ``f``. ``acc`` is None (nothing yet), ("ones",)
        for a leading 1⃗, ("ones_row",) for a leading 1⃗ᵀ, ("diag", column) while only diagonals, or a Code."""
        if acc is None:
            if _ones_column(f) or _ones_row(f):
                return ("ones",) if _ones_column(f) else ("ones_row",)
            return ("diag", self.full(f.arg)) if isinstance(f, E.Diag) else self(f)
        if isinstance(acc, tuple):
            return self._after_special(acc, f)
        if isinstance(f, E.Diag):  # A diag(v): v scales the columns of A
            v = self.full(f.arg)
            return Code(f"{acc.at(PRODUCT)} * {v.at(ATOM)}.T", PRODUCT, broadcast(acc.shape, (ONE, v.shape[0])))
        if _ones_column(f):  # A 1⃗: the sums along each row
            a = self._spread_columns(acc, so_far)
            return self.call("sum_rows", a, shape=(a.shape[0], ONE))
        if _ones_row(f):  # c 1⃗ᵀ: the column c broadcast across the columns, as it stands
            return acc
        left, right = self._spread_columns(acc, so_far), self.full(f)
        return Code(f"{left.at(MATPROD)} @ {right.at(UNARY)}", MATPROD, (left.shape[0], right.shape[1]))

    def _after_special(self, acc, f):
        """The factor after a leading 1⃗, 1⃗ᵀ or diagonal."""
        kind = acc[0]
        if kind == "ones":  # 1⃗ r: the row r broadcast down the rows, as it stands (1⃗1⃗ᵀ: all ones)
            return Code("1.0", ATOM, ()) if _ones_row(f) else self(f)
        if kind == "ones_row":
            if _ones_column(f):  # 1⃗ᵀ1⃗ = n
                return Code(self.dim(f.shape[0]), ATOM, ())
            if isinstance(f, E.Diag):  # 1⃗ᵀ diag(v) = vᵀ
                v = self.full(f.arg)
                return Code(f"{v.at(ATOM)}.T", ATOM, (v.shape[1], v.shape[0]))
            a = self.full(f)  # 1⃗ᵀ A: the sums down each column
            return self.call("sum_cols", a, shape=(ONE, a.shape[1]))
        v = acc[1]
        if isinstance(f, E.Diag):  # diag(u) diag(v) = diag(u ⊗ v)
            u = self.full(f.arg)
            return ("diag", Code(f"{v.at(PRODUCT)} * {u.at(UNARY)}", PRODUCT, v.shape))
        if _ones_column(f):  # diag(v) 1⃗ = v
            return v
        a = self(f)  # diag(v) A: v scales the rows of A
        return Code(f"{v.at(PRODUCT)} * {a.at(UNARY)}", PRODUCT, broadcast(v.shape, a.shape))

    def _settled(self, acc) -> Code:
        """The product so far as a value; a product of diagonals is built as a matrix only here."""
        if isinstance(acc, Code):
            return acc
        if acc[0] == "diag":
            return self.call("diag", acc[1], shape=(acc[1].shape[0], acc[1].shape[0]))
        raise UnsupportedError(f"a matrix product cannot end in a lone {acc[0]}")

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
        return self.call("sum", self.full(arg))

    @on(E.Diag)
    def _Diag(self, e):
        v = self.full(e.arg)
        return self.call("diag", v, shape=e.shape)

    @on(E.Index)
    def _Index(self, e):
        arg = self.full(e.arg)
        return Code(f"{arg.at(ATOM)}[{e.i}:{e.i + 1}, :]", ATOM, (ONE, ONE))

    @on(E.Block)
    def _Block(self, e):
        rows = ", ".join("[" + ", ".join(self(x).text for x in row) + "]" for row in e.rows)
        return self.call("block", f"[{rows}]", shape=e.shape)

    # -- the matrix world

    @on(M.Trace)
    def _Trace(self, e):
        return self.call("trace", self.full(e.arg))

    @on(M.Det)
    def _Det(self, e):
        return self.call("det", self.full(e.arg))

    @on(M.Inv)
    def _Inv(self, e):
        return self.call("inv", self.full(e.arg), shape=e.shape)

    @on(M.Norm)
    def _Norm(self, e):
        return self.call("norm", self.full(e.arg))

    @on(M.Softmax, M.LogSoftmax, M.LogSumExp)
    def _Along(self, e):
        return self.call(_AXIS_KEYS[type(e)], self.full(e.arg), str(e.axis), shape=e.shape)


def prefixes(e) -> list:
    """The leading parts a + b, a + b + c, ... of a sum, product or matrix product of more than two items,
    shortest first: each is a value Python computes on its way, left to right."""
    items = getattr(e, "items", ())
    if len(items) < 3 and not (isinstance(e, E.Mul) and len(items) == 2):
        return []
    if isinstance(e, E.MatMul) and not any(f.is_scalar or isinstance(f, E.Identity) for f in items):
        return [E.MatMul(items[:k], (items[0].shape[0], items[k - 1].shape[1])) for k in range(2, len(items))]
    if isinstance(e, E.Mul) and any(isinstance(f, E.Step) for f in items):  # [z > 0] ⊗ (the rest): the rest
        return _leading(E.Mul, [f for f in items if not isinstance(f, E.Step)], whole=True)
    if isinstance(e, (E.Add, E.Mul)):
        return _leading(type(e), items)
    return []


def _leading(kind, items, whole=False) -> list:
    """kind(a, b), kind(a, b, c), ...: the leading parts of an element-wise sum or product of ``items``
    (and all of them, with ``whole``)."""
    def shape(part):
        return next((f.shape for f in part if not f.is_scalar), E.SCALAR)

    return [kind(tuple(items[:k]), shape(items[:k])) for k in range(2, len(items) + (1 if whole else 0))]


def _ones_column(f) -> bool:
    return isinstance(f, E.Ones) and f.shape[1] == ONE and f.shape[0] != ONE


def _ones_row(f) -> bool:
    return isinstance(f, E.Transpose) and _ones_column(f.arg)


def _sized(e) -> bool:
    """Whether a symbolic size enters ``e`` (1⃗ of length n, 1/N)."""
    return any(any(not s.is_Integer for s in n.shape) or (isinstance(n, E.Const) and n.value.free_symbols)
               for n in E.walk(e))


def _as_float(code: Code) -> Code:
    """An integer literal as a float one (numpy converts 0 to 0.0 at each call otherwise)."""
    plain = code.text.removeprefix("-")
    return Code(code.text + ".0", code.prec, code.shape) if plain.isdigit() else code


def _number(value: float) -> Code:
    text = repr(float(value))
    return Code(text, UNARY if text.startswith("-") else ATOM)


def _sympy_text(v, size) -> str:
    """A constant in the sizes (2/N, 1/(N m)) as Python arithmetic over their names."""
    num, den = sympy.fraction(sympy.together(v))
    text = _poly(num, size)
    return text if den == 1 else f"{_wrapped(num, size)} / {_wrapped(den, size)}"


def _wrapped(v, size) -> str:
    text = _poly(v, size)
    return text if v.is_Atom else f"({text})"


def _poly(v, size) -> str:
    if v.is_Integer:
        return str(int(v))
    if v.is_Rational:
        return f"({v.p} / {v.q})"
    if v.is_Float:
        return repr(float(v))
    if v.is_Symbol:
        return size(v)
    if v.is_Add:
        return " + ".join(_wrapped(a, size) for a in v.args)
    if v.is_Mul:
        return " * ".join(_wrapped(a, size) for a in v.args)
    if v.is_Pow:
        return f"{_wrapped(v.base, size)} ** {_wrapped(v.exp, size)}"
    raise UnsupportedError(f"the constant {v} has no spelling in the code generator")
