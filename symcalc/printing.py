r"""Print expressions in the paper's notation, as Unicode text or LaTeX.

One walker decides structure (precedence, signs, fractions); the two formats differ only in
the tokens they emit.

>>> from symcalc.expr import vector, scalar, diag, ones
>>> w, x, z = vector("w"), vector("x"), scalar("z")
>>> text(ones("n").T @ diag(x)), latex(ones("n").T @ diag(x))
('1⃗ᵀ diag(x)', '\\vec{1}^{T} \\operatorname{diag}(\\mathbf{x})')
>>> text(-(w / x ** 2))
'−w ⊘ x²'
"""
from __future__ import annotations

import sympy

from . import expr as E
from .functions import FUNCTIONS
from .print_matrix import MatrixPrinting
from .spelling import SUBSCRIPT, SUPERSCRIPT, latex_name, looks_like_function, text_name
from .visitor import Visitor, on

ADD, MUL, NEG, POW, ATOM = 10, 20, 15, 30, 100


def _split_fraction(items):
    """Scalar factors with negative constant exponents go below the line."""
    num, den = [], []
    for f in items:
        if (
            isinstance(f, E.Pow)
            and f.is_scalar
            and isinstance(f.right, E.Const)
            and f.right.value.is_negative is True
        ):
            k = -f.right.value
            den.append(f.left if k == 1 else E.Pow(f.left, E.Const(k), f.shape))
        elif isinstance(f, E.Const) and f.value.is_Rational and f.value.q != 1:
            num.append(E.Const(sympy.Integer(f.value.p)))
            den.insert(0, E.Const(sympy.Integer(f.value.q)))
        else:
            num.append(f)
    return [n for n in num if n != E.Const(sympy.Integer(1))] or [E.one()], den


class _Printer(MatrixPrinting, Visitor):
    """Structure shared by both formats; subclasses supply the tokens."""

    what = "printer"

    times_elementwise = " ⊗ "
    times = "·"  # between numbers: 3·2^x (the parser reads · of two scalars as their product)
    minus = "−"

    def __call__(self, e) -> str:
        return self.p(e)

    def p(self, e, outer: int = 0) -> str:
        s, prec = self.node(e)
        return self.paren(s) if prec < outer else s

    def node(self, e):
        return self.visit(e)

    @on(E.Const)
    def _Const(self, e):
        v = e.value
        if v.free_symbols:  # a count of sizes, as mean divides by: N, Nm, 2/(Nm)
            return self.sizes(v)
        if v.is_Rational and v.q != 1:
            frac = self.fraction((str(abs(v.p)), ATOM), (str(v.q), ATOM))
            return (frac, MUL) if v > 0 else (self.minus + frac, NEG)
        s = str(v) if not v.is_Float else f"{float(v):g}"
        return (self.minus + s[1:], NEG) if s.startswith("-") else (s, ATOM)

    def sizes(self, v):
        import sympy

        num, den = sympy.fraction(sympy.factor_terms(v))

        def product(x):
            coeff, factors = x.as_coeff_mul()
            parts = ([str(coeff)] if coeff != 1 or not factors else []) + [
                str(f.base) + (self.power("", E.Const(f.exp))) if f.is_Pow else str(f) for f in factors]
            return (" " if self.stacked else "").join(parts), (ATOM if len(parts) == 1 else MUL)

        if den == 1:
            return product(num)
        return self.fraction(product(num), product(den)), MUL

    @on(E.Add)
    def _Add(self, e):
        parts = []
        for i, t in enumerate(e.items):
            if E.is_negative(t):
                s = self.p(E.negate_leading(t), MUL)
                parts.append(f"{self.minus}{s}" if i == 0 else f" {self.minus} {s}")
            else:
                parts.append(("" if i == 0 else " + ") + self.p(t, ADD + 1))
        return "".join(parts), ADD

    @on(E.Mul)
    def _Mul(self, e):
        if E.is_negative(e):
            return self.minus + self.p(E.negate_leading(e), MUL), NEG
        num, den = _split_fraction(e.items)
        if not den:
            return self.product(num), MUL
        # (2/N) (u·m) rather than 2 (u·m)/N: reductions stay outside the fraction, as the paper writes
        big = (E.Dot, E.Sum)
        top = [f for f in num if f.is_scalar and not isinstance(f, big)] or [E.one()]
        rest = [f for f in num if not f.is_scalar or isinstance(f, big)]
        frac = self.fraction(self.factors(top), self.factors(den))
        if not rest:
            return frac, MUL
        return f"{self.coefficient(frac)} {self.product(rest)}", MUL

    def factors(self, items):
        """(text, precedence) of a product of factors."""
        if len(items) == 1:
            return self.node(items[0])
        return self.product(items), MUL

    def product(self, items):
        scalars = [f for f in items if f.is_scalar]
        others = [f for f in items if not f.is_scalar]
        out, prev = "", None
        for f in scalars:
            s = self.p(f, MUL + 1)
            out += self.glue(out, prev, f, s) + s
            prev = f
        if others:  # a lone matrix product needs no parentheses after its coefficient
            outer = MUL if len(others) == 1 and isinstance(others[0], E.MatMul) else MUL + 1
            hadamard = self.times_elementwise.join(self.p(f, outer) for f in others)
            sign = self.glue(out, prev, others[0], hadamard) if out else ""
            out += (sign if sign == self.times else " " if out else "") + hadamard
        return out

    def glue(self, out, prev, f, s) -> str:
        """What goes between two factors: nothing (2x), a space (x ln(2)) or a sign (3·2^x).

        A number must never touch the digits before it (3·2^x is not 32^x), and a variable
        spelled like a function (σ, diag) must not read as a call of its parenthesised neighbour.
        """
        if not out:
            return ""
        if (s[:1].isdigit() and s[1:2] != "\u20d7") or s.startswith(self.minus):  # 1⃗ is no number
            return self.times
        if isinstance(prev, E.Var) and looks_like_function(prev.name) and s.startswith(("(", r"\left(")):
            return self.times
        return "" if out[-1].isdigit() and isinstance(f, (E.Var, E.Pow)) else " "

    @on(E.Div)
    def _Div(self, e):
        if e.is_scalar:
            return self.fraction(self.node(e.left), self.node(e.right)), MUL
        return f"{self.p(e.left, MUL)}{self.divide_elementwise}{self.p(e.right, MUL + 1)}", MUL

    @on(E.Pow)
    def _Pow(self, e):
        if e.is_scalar and isinstance(e.right, E.Const) and e.right.value.is_negative is True:
            return self._Mul(E.Mul((E.one(), e), e.shape))
        return self.power(self.p(e.left, POW + 1), e.right), POW

    @on(E.MatMul)
    def _MatMul(self, e):
        out, prev = "", None
        for f in e.items:
            s = self.p(f, MUL + 1)
            tight = out and isinstance(f, E.Var) and len(s) == 1 and out[-1].isalpha() and not _label(prev)
            out += s if not out or tight else " " + s
            prev = f
        return out, MUL

    @on(E.Transpose)
    def _Transpose(self, e):
        if isinstance(e.arg, E.Partial):  # (∂∇f/∂x)ᵀ: the ᵀ belongs to the whole fraction
            return self.transposed(self.paren(self.p(e.arg))), POW
        return self.transposed(self.p(e.arg, POW + 1)), POW

    @on(E.Dot)
    def _Dot(self, e):
        return f"{self.p(e.left, POW)}{self.dot}{self.p(e.right, POW)}", MUL

    @on(E.Sum)
    def _Sum(self, e):
        return self.call("sum", self.p(e.arg)), ATOM

    @on(E.Diag)
    def _Diag(self, e):
        if isinstance(e.arg, E.Block):  # diag(1/g₁, cos(g₂)) as the paper writes it
            return self.call("diag", ", ".join(self.p(x) for x in e.arg.args)), ATOM
        return self.call("diag", self.p(e.arg)), ATOM

    @on(E.Max)
    def _Max(self, e):
        return f"{self.maxname}({self.p(e.left)}, {self.p(e.right)})", ATOM

    @on(E.Func)
    def _Func(self, e):
        return self.function(e.name, self.p(e.arg)), ATOM

    @on(E.Step)
    def _Step(self, e):
        return f"[{self.p(e.arg)} > 0]", ATOM

    @on(E.Index)
    def _Index(self, e):
        return self.subscript(self.p(e.arg, ATOM), e.i + 1), ATOM

    @on(E.Block)
    def _Block(self, e):
        if e.shape[1] == 1 and len(e.rows) > 1:  # a 1×1 block is no column: [3x²], not [3x²]ᵀ
            return self.column([self.p(r[0]) for r in e.rows]), POW
        return self.matrix([[self.p(x) for x in r] for r in e.rows]), ATOM

    @on(E.Cases)
    def _Cases(self, e):
        return self.cases(self.p(e.below), self.p(e.above), self.p(e.arg)), ATOM


def _label(f) -> bool:
    """A step's label (∇²L, ∂∇f/∂x) as a factor: what follows it is spaced, ∇²L v, never ∇²Lv."""
    f = f.arg if isinstance(f, E.Transpose) else f
    return isinstance(f, E.Partial) or (isinstance(f, E.Var) and f.name.startswith("∇"))


class TextPrinter(_Printer):
    """Unicode in the paper's notation: ⊗ ⊘ · ᵀ 1⃗, superscript powers."""

    what = "text printer"
    divide_elementwise = " ⊘ "
    dot = "·"
    maxname = "max"
    stacked = False

    def paren(self, s):
        return f"({s})"

    def fraction(self, top, bottom):
        (t, tp), (b, bp) = top, bottom
        t = t if tp > ADD else f"({t})"
        b = b if bp > MUL else f"({b})"  # 1/(2x): the parser would read 1/2x as x/2
        return f"{t}/{b}"

    def coefficient(self, frac):
        return f"({frac})"

    def power(self, base, exponent):
        if isinstance(exponent, E.Const) and exponent.value.is_Integer:
            return base + str(exponent.value).translate(SUPERSCRIPT)
        return f"{base}^{self.p(exponent, ATOM)}"

    def transposed(self, s):
        return s + "ᵀ"

    def call(self, name, arg):
        return f"{name}({arg})"

    def function(self, name, arg):
        f = FUNCTIONS[name]
        return f.text_form.format(arg=arg) if f.text_form else f"{f.text}({arg})"

    def cases(self, below, above, cond):
        return f"{{{below} if {cond} ≤ 0; {above} if {cond} > 0}}"

    def subscript(self, base, i):
        return base + str(i).translate(SUBSCRIPT)

    def column(self, items):
        return "[" + ", ".join(items) + "]ᵀ"

    def matrix(self, rows):
        inner = ", ".join("[" + ", ".join(r) + "]" for r in rows)
        return inner if len(rows) == 1 else f"[{inner}]"

    @on(E.Var)
    def _Var(self, e):
        return text_name(e.name), ATOM

    @on(E.Ones)
    def _Ones(self, e):
        return "1⃗", ATOM

    @on(E.Zero)
    def _Zero(self, e):
        if e.is_scalar:
            return "0", ATOM
        return ("0⃗", ATOM) if e.shape[1] == 1 else ("0⃗ᵀ", POW) if e.shape[0] == 1 else ("0", ATOM)

    @on(E.Identity)
    def _Identity(self, e):  # the paper's I; a user's own I prints 𝐼 (text_name)
        return "I", ATOM

    @on(E.Partial)
    def _Partial(self, e):
        d = "d" if e.total else "∂"
        return f"{d}{self.p(e.num, ATOM)}/{d}{self.p(e.den, ATOM)}", ATOM


class LatexPrinter(_Printer):
    """LaTeX with bold vectors and matrices, as the paper typesets them."""

    what = "LaTeX printer"
    times_elementwise = r" \otimes "
    times = r" \cdot "
    divide_elementwise = r" \oslash "
    dot = r" \cdot "
    minus = "-"
    maxname = r"\max"
    stacked = True

    def paren(self, s):
        return rf"\left({s}\right)"

    def fraction(self, top, bottom):
        return rf"\frac{{{top[0]}}}{{{bottom[0]}}}"

    def coefficient(self, frac):
        return frac

    def power(self, base, exponent):
        return f"{base}^{{{self.p(exponent)}}}"

    def transposed(self, s):
        return s + "^{T}"

    def call(self, name, arg):
        return rf"\operatorname{{{name}}}({arg})"

    def function(self, name, arg):
        f = FUNCTIONS[name]
        return f.latex_form.format(arg=arg) if f.latex_form else rf"{f.latex}\left({arg}\right)"

    def cases(self, below, above, cond):
        return rf"\begin{{cases}} {below} & {cond} \le 0 \\ {above} & {cond} > 0 \end{{cases}}"

    def subscript(self, base, i):
        return f"{base}_{{{i}}}"

    def column(self, items):
        return r"\begin{bmatrix} " + r" \\ ".join(items) + r" \end{bmatrix}"

    def matrix(self, rows):
        return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(r) for r in rows) + r" \end{bmatrix}"

    @on(E.Var)
    def _Var(self, e):
        return latex_name(e.name, bold=not e.is_scalar), ATOM

    @on(E.Index)
    def _Index(self, e):  # gᵢ is a scalar: not bold
        base = latex_name(e.arg.name) if isinstance(e.arg, E.Var) else self.p(e.arg, ATOM)
        return self.subscript(base, e.i + 1), ATOM

    @on(E.Ones)
    def _Ones(self, e):
        return r"\vec{1}", ATOM

    @on(E.Zero)
    def _Zero(self, e):
        if e.is_scalar:
            return "0", ATOM
        return (r"\vec{0}", ATOM) if e.shape[1] == 1 else (r"\vec{0}^{T}", POW) if e.shape[0] == 1 else (r"\mathbf{0}", ATOM)

    @on(E.Identity)
    def _Identity(self, e):  # upright: a user's scalar I is italic, a user's matrix I bold
        return r"\mathrm{I}", ATOM

    @on(E.Partial)
    def _Partial(self, e):
        d = "d" if e.total else r"\partial "
        return rf"\frac{{{d}{self.p(e.num, ATOM)}}}{{{d}{self.p(e.den, ATOM)}}}", ATOM


text = TextPrinter()
latex = LatexPrinter()
