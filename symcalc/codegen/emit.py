"""Expression trees → code text for one backend, each shared subexpression computed once.

The emitter walks a symcalc expression and spells each node with the backend's table. It knows
what numpy-style arrays make free: [z > 0] ⊗ A is ``where(z > 0, A, 0.0)``, 1⃗ and 0 stay numbers
until an array is needed, and products and sums take the shortcuts of :mod:`.products` (1⃗bᵀ as a
broadcast row, diag(v)A as v ⊗ A). Each value carries the shape numpy will give it (:class:`.Code`),
with 1 along an axis it is still broadcast along; where a full array is needed (a matrix product, a
reduction, a returned gradient) it is broadcast out.

A subexpression that occurs more than once (``counts``) is assigned to a temporary the first time
it is computed (``pending`` collects those assignments, placed before the line that needs them) and
read from it after that.

>>> from symcalc import expr as E
>>> from symcalc.codegen.backends import NUMPY
>>> X, W, b = E.matrix("X", "N", "n"), E.matrix("W", "n", "m"), E.vector("b", "m")
>>> em = Emitter(NUMPY, {v: Code(v.name, ATOM, v.shape) for v in (X, W, b)}, str)
>>> em.expr(E.relu(X @ W + E.ones("N") @ b.T)).text
'np.maximum(X.dot(W) + b.T, 0.0)'
"""
from __future__ import annotations

import math
from collections import Counter

import sympy

from .. import expr as E
from ..expr import matrixnodes as M
from ..errors import SymcalcError, UnsupportedError
from ..shapes import ONE
from ..visitor import Visitor, on
from .code import ATOM, COMPARE, MATPROD, POWER, PRODUCT, SUM, UNARY, Code, broadcast, trivial
from .constants import as_float, number, sized, sympy_text
from .names import comment
from .products import Products, leading

_AXIS_KEYS = {M.Softmax: "softmax", M.LogSoftmax: "log_softmax", M.LogSumExp: "logsumexp"}


class Emitter(Products, Visitor):
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
        """Code for a subexpression as an array (a diagonal matrix built: see :meth:`lazy`)."""
        code = self.lazy(e)
        return self.built(e, code) if code.diag else code

    def lazy(self, e) -> Code:
        """Code for a subexpression, computed into a temporary the first time if it occurs again; a
        diagonal matrix stays its diagonal (``Code.diag``), for the places that take it so (products,
        sums, transposes: diag(u) + diag(v) is diag(u + v), diag(v)A is v ⊗ A)."""
        if e in self.memo:
            return self.memo[e]
        code = self.expr(e)
        if self.counts.get(e, 0) > 1 and not trivial(code) and not isinstance(e, E.Step):  # [z > 0]: its test is
            name = self.temp(None)
            what = f"the diagonal of {e}" if code.diag else str(e)
            self.pending.append((name, code.text, comment(f"{what}, needed {self.counts[e]} times")))
            code = code.with_text(name, ATOM)
            self.memo[e] = code
        return code

    def built(self, e, code: Code) -> Code:
        """A diagonal matrix as an n×n array (where nothing could take it as its diagonal): from its
        diagonal, or, for a multiple of I (a diagonal still broadcast), from np.eye."""
        n = e.shape[0]
        if code.shape and code.shape[0] == n:
            return self.call("diag", code, shape=e.shape)
        eye = self.b.spell("eye", self.dim(n))
        if code.text == "1.0":
            return Code(eye, ATOM, e.shape)
        return Code(f"{code.at(PRODUCT)} * {eye}", PRODUCT, e.shape)

    def bind(self, e, name: str, code: Code) -> Code:
        """``name`` now holds ``e``'s value: later lines read it."""
        self.memo[e] = code.with_text(name, ATOM)
        return self.memo[e]

    # -- shapes

    def shape_text(self, shape) -> str:
        return "(" + ", ".join(self.dim(s) for s in shape) + ")"

    def dim(self, s) -> str:
        return str(int(s)) if s.is_Integer else self.size(s)

    def full(self, e, code: Code | None = None, out=False) -> Code:
        """``e``'s value as an array of ``e``'s own shape (a broadcast value spread out; a scalar as it is)."""
        code = self(e) if code is None else code
        if code.diag:
            return self.built(e, code)
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
        if isinstance(e, E.Const) or not e.is_scalar or not E.is_const(e) or sized(e):
            return None
        from ..numeric import evaluate

        try:
            value = float(evaluate(e, {}))
        except (SymcalcError, ArithmeticError, ValueError, TypeError):  # a label, or no value: spelled as it is
            return None
        return number(value) if math.isfinite(value) else None

    @on(E.Const)
    def _Const(self, e):
        v = e.value
        if v.free_symbols:
            text = sympy_text(v, self.size)
            return Code(text if v.is_Atom else f"({text})", ATOM)
        if v.is_Integer:
            return Code(str(int(v)), UNARY if v < 0 else ATOM)
        if v.is_Rational:
            return Code(f"({v.p} / {v.q})", ATOM)
        return number(float(v))

    @on(E.Ones)
    def _Ones(self, e):
        return Code("1.0", ATOM, ())  # broadcast: spread out (np.ones) only where a full array is needed

    @on(E.Zero)
    def _Zero(self, e):
        return Code("0.0", ATOM, ())

    @on(E.Identity)
    def _Identity(self, e):
        return Code("1.0", ATOM, (), diag=True)  # diag(1): np.eye only where a full matrix is needed

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
        terms = [(E.is_negative(t), E.negate_leading(t) if E.is_negative(t) else t) for t in e.items[start:]]
        codes = [self.lazy(t) for _, t in terms]
        diagonal = all(c.diag for c in codes) and (first is None or first.diag)  # diag(u) + diag(v) = diag(u + v)
        codes = codes if diagonal else [self.built(t, c) if c.diag else c for (_, t), c in zip(terms, codes)]
        for i, ((negative, t), code) in enumerate(zip(terms, codes), start):
            shapes.append(code.shape)
            if i == 0:
                parts.append(("-" + code.at(UNARY)) if negative else code.at(SUM))
            else:
                parts.append((" - " if negative else " + ") + code.at(MATPROD))
        return Code("".join(parts), SUM, broadcast(*shapes), diagonal)

    @on(E.Mul)
    def _Mul(self, e):
        steps = [f for f in e.items if isinstance(f, E.Step) and f not in self.memo]
        if steps:  # [z > 0] ⊗ A: A where z > 0, else 0 (the derivative of relu, max, abs)
            rest = self._product([f for f in e.items if f not in steps], whole=True)
            tests = [self.test(s.arg) for s in steps]
            test = " & ".join(t.at(ATOM) for t in tests) if len(tests) > 1 else tests[0].text
            return self.call("where", test, rest, "0.0", shape=broadcast(rest.shape, *(t.shape for t in tests)))
        others = [f for f in e.items if not f.is_scalar]
        if len(others) == 1 and len(e.items) > 1:
            matrix = self.lazy(others[0])
            if matrix.diag:  # c diag(v) = diag(c v)
                scale = self._product([f for f in e.items if f.is_scalar])
                return matrix.with_text(f"{scale.at(PRODUCT)} * {matrix.at(UNARY)}", PRODUCT,
                                        broadcast(scale.shape, matrix.shape))
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
        parts = leading(E.Mul, items, whole)
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
        left, right = self(e.left), self(e.right)
        if E.is_const(e.left) and left.shape == ():  # max(0, z): relu, with 0.0 (an int costs a conversion)
            return self.call("clamp_min", as_float(left), right, shape=broadcast(right.shape))
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
        arg = self.lazy(e.arg)
        if e.is_scalar or arg.shape == () or arg.diag:  # a number, a broadcast one, a diagonal: its own transpose
            return arg
        return Code(f"{arg.at(ATOM)}.T", ATOM, (arg.shape[1], arg.shape[0]))

    @on(E.Diag)
    def _Diag(self, e):
        v = self.full(e.arg)
        return Code(v.text, v.prec, v.shape, diag=True)  # built (np.diagflat) only where a matrix is needed

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


