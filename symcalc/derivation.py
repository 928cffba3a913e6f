"""`derive` and the :class:`Derivation` it returns: steps, closed forms, and their uses.

>>> import symcalc as sc
>>> w, x, b = sc.vector("w"), sc.vector("x"), sc.scalar("b")
>>> d = sc.derive(sc.relu(w @ x + b), w)
>>> d.shape
(1, n)
>>> print(d.closed_form())
{0⃗ᵀ if w·x + b ≤ 0; xᵀ if w·x + b > 0}
>>> d.evaluate({w: [1, 2], x: [3, 4], b: 0.5}).tolist()
[[3.0, 4.0]]
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import engine
from . import expr as E
from .check import SKIPPED, self_check
from .errors import ArgumentError, SymcalcError, UnsupportedError, VerificationError
from .matrixgrad import is_matrix, run_by_matrix
from .names import normalize_name
from .declarations import mark_onehot
from .wrt import absent_notes, as_list, check_names, label_notes, reading_notes, resolve

LAYOUTS = ("numerator", "denominator")


class ClosedForms(Mapping):
    """{variable: closed form}, each built by its own function the first time it is asked for, then kept.

    The backward form's closed forms are its gradients with every δ and intermediate written out: a
    deep network's grow quadratically with its depth while its steps grow linearly, so they are built
    only when a user asks (``closed_form``, ``results``, JSON). ``gradients`` keeps each variable's
    gradient G_x (x's shape) in terms of the intermediates and δ's: what the self-check evaluates.
    Each form is built under the work budget (a fresh one outside ``derive``).

    >>> import symcalc as sc
    >>> w = sc.vector("w")
    >>> forms = ClosedForms({w: lambda: 2 * w})
    >>> w in forms, forms.built(w)
    (True, False)
    >>> print(forms[w])
    2 w
    >>> forms.built(w)
    True
    >>> print(forms.map(lambda c: c.T)[w])
    (2 w)ᵀ
    """

    def __init__(self, build: dict[E.Var, Callable[[], E.Expr]], gradients: dict | None = None):
        self._build, self._done, self.gradients = dict(build), {}, gradients

    def __getitem__(self, var) -> E.Expr:
        from .budget import budget

        if var not in self._done:
            build = self._build[var]  # a KeyError for a variable not derived, as a dict gives
            with budget():
                self._done[var] = build()
        return self._done[var]

    def __contains__(self, var) -> bool:  # without building (Mapping's would build)
        return var in self._build

    def __iter__(self):
        return iter(self._build)

    def __len__(self) -> int:
        return len(self._build)

    def built(self, var) -> bool:
        """Whether ``var``'s closed form has been built yet."""
        return var in self._done

    def map(self, f: Callable[[E.Expr], E.Expr]) -> "ClosedForms":
        """Every closed form passed through ``f``, as lazily (the layout's transpose); same gradients."""
        return ClosedForms({v: _Then(f, self, v) for v in self._build}, self.gradients)


class _Then:
    """``f`` of another lazy form (a class, not a lambda in a loop, so each keeps its own variable)."""

    def __init__(self, f, forms, var):
        self.f, self.forms, self.var = f, forms, var

    def __call__(self):
        return self.f(self.forms[self.var])


class Derivation:
    """A finished derivation: ``steps`` (plain records), closed forms per variable, and helpers."""

    def __init__(self, expr, wrt, steps, closed, graph, layout="numerator", title=None, notes=()):
        self.expr = expr
        self.wrt = tuple(wrt)
        self.steps = tuple(steps)
        self._closed = closed
        self.intermediates, self.output, self.root = graph
        self.layout = layout
        self.title = title
        self.notes = tuple(notes)
        self.verification = SKIPPED  # set by verify_derivation(): the self-check's outcome, shown by every renderer

    # -- closed forms
    def _var(self, var):
        if var is None:
            if len(self.wrt) != 1:
                names = ", ".join(v.name for v in self.wrt)
                raise SymcalcError(f"this derivation has several variables ({names}): name one, as in "
                                   f"closed_form({self.wrt[0].name!r})")
            return self.wrt[0]
        if isinstance(var, str):
            var = normalize_name(var)
            var = next((v for v in self.wrt if v.name == var), var)
        if var not in self._closed:
            names = ", ".join(v.name for v in self.wrt)
            raise SymcalcError(f"{var} is not a variable of this derivation; it was differentiated by {names}")
        return var

    @property
    def closed_forms(self) -> dict:
        """{variable: closed form} for every variable of differentiation (a copy)."""
        return dict(self._closed)

    def closed_form(self, var: E.Var | str | None = None) -> E.Expr:
        """The closed form as a symcalc expression (what the renderers print)."""
        return self._closed[self._var(var)]

    @property
    def result(self) -> Any:
        """The closed form as a plain sympy object (single-variable derivations), for sympy's tools.

        Variables are sympy Symbols and MatrixSymbols of the same names and sizes; ``w·x`` is
        ``(w.T*x)[0, 0]``; with concrete sizes a vector or matrix result is an explicit Matrix.
        ``lambdify`` with numpy takes it (pass the size symbols too where 1⃗ or 0 of symbolic size
        remain, or use concrete sizes for element-wise functions of vectors).

        >>> import sympy
        >>> d = derive("max(0, w @ x + b)", "w", vectors="w x", scalars="b")
        >>> d.result
        Heaviside(b + (w.T*x)[0, 0], 0)*x.T
        >>> w, x = sympy.MatrixSymbol("w", 2, 1), sympy.MatrixSymbol("x", 2, 1)
        >>> sympy.lambdify([*d.result.free_symbols], d.result)  # doctest: +SKIP
        """
        from .sympy_export import to_plain

        return to_plain(self.closed_form())

    @property
    def results(self) -> dict:
        """{variable: sympy closed form} for every variable of differentiation (as :attr:`result`)."""
        from .sympy_export import to_plain

        return {v: to_plain(c) for v, c in self._closed.items()}

    @property
    def compact_forms(self) -> dict | None:
        """{variable: result in terms of the intermediates and δ's} in this layout, for the backward form
        (None otherwise): what the self-check evaluates, with ``intermediates`` (the δ's among them)."""
        gradients = getattr(self._closed, "gradients", None)
        if gradients is None:
            return None
        if self.layout == "denominator":  # a gradient G_x has x's shape: the denominator layout
            return dict(gradients)
        return {v: E.transpose(g) for v, g in gradients.items()}

    @property
    def shape(self) -> tuple:
        return self.closed_form().shape

    # -- output
    def text(self) -> str:
        from .render.text import render

        return render(self)

    def latex(self) -> str:
        """The whole derivation as LaTeX (``align*`` blocks).

        >>> tex = derive("sin(x**2)", "x").latex()
        >>> tex.count("begin{align*}"), "2x" in tex and "cos" in tex
        (5, True)
        """
        from .render.latex import render

        return render(self)

    def result_latex(self, var=None) -> str:
        from .printing import latex

        return latex(self.closed_form(var))

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        names = ", ".join(v.name for v in self.wrt)
        return f"<Derivation of {self.expr} with respect to {names}>"

    def __rich_console__(self, console, options):
        """``rich.print(d)`` and ``console.print(d)`` show the panels of ``symcalc derive``, laid out for
        the width rich offers (the console's, or less inside a panel or table)."""
        from .render.rich import segments

        return segments(self, console, options)

    def _repr_latex_(self) -> str:
        """Jupyter shows the derivation as rendered math."""
        return "$\\displaystyle " + self.result_latex_all() + "$"

    def _repr_markdown_(self) -> str:
        from .render.markdown import render

        return render(self)

    def markdown(self) -> str:
        """The derivation as Markdown with $$…$$ math."""
        return self._repr_markdown_()

    def result_latex_all(self) -> str:
        from .printing import latex

        rows = [f"{latex(s.sides[0])} = {latex(s.sides[-1])}" for s in self.steps if s.phase == "result"]
        return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"

    # -- numbers
    def evaluate(self, values: dict, var: E.Var | str | None = None) -> Any:
        """The derivative at a point; values keyed by variable or by name, sizes bound from them.

        >>> d = derive("w @ w", "w", vectors="w")
        >>> d.evaluate({"w": [1, 2, 3]}).tolist()
        [[2.0, 4.0, 6.0]]
        """
        from .numeric import bind, evaluate

        values = by_var(self.expr, values)
        _, sizes = bind(list(values), values)
        return evaluate(self.closed_form(var), values, sizes)


    # -- code
    def to_source(self, backend: str = "numpy") -> str:
        """This derivation as a self-contained Python module for numpy, torch or jax: a function taking
        the variables and returning the value and the gradients by name (:mod:`symcalc.codegen`).

        >>> print(derive("sin(x) ** 2", "x").to_source("jax").splitlines()[-5])
            grad_x = 2 * u * jnp.cos(x)  # dy/dx = 2u cos(x) (single-variable chain rule (R10))
        """
        from .codegen import to_source

        return to_source(self, backend)

    def compile(self):
        """The numpy function of :meth:`to_source`, ready to call.

        >>> f = derive("w @ w", "w", vectors="w", layout="denominator").compile()
        >>> value, grads = f(w=[1.0, 2.0])
        >>> value, grads["w"].tolist()
        (5.0, [2.0, 4.0])
        """
        from .codegen import compile_numpy

        return compile_numpy(self)

    def check(self, samples: int = 5, seed: int = 0, dims: dict | None = None):
        """Compare every closed form with central finite differences at random points.

        >>> print(derive("tanh(w @ x)", "w", vectors="w x").check(samples=3))
        PASS: worst relative error ... over 3 point(s)
        """
        from .check import check

        return check(self, samples, seed, dims)


def variables_of(text: str, declarations: dict) -> list[str]:
    """The variable names of an expression typed as text (parse errors propagate)."""
    from .parse import parse

    return [v.name for v in E.variables(parse(text, **declarations))]


def by_var(expr, values: dict) -> dict:
    """Accept {"w": ...} as well as {w: ...}."""
    if not isinstance(values, dict):
        raise ArgumentError(f"values go in a dict keyed by variable or name, such as {{'w': [1, 2]}}, not {values!r}")
    named = {v.name: v for v in E.variables(expr)}
    out = {}
    for key, val in values.items():
        if isinstance(key, str):
            key = normalize_name(key)
            if key not in named:
                raise SymcalcError(f"{key!r} is not a variable of {expr}; its variables are {', '.join(named)}")
            key = named[key]
        out[key] = val
    return out


def verify_derivation(d: Derivation) -> Derivation:
    """Run the numeric self-check, record it as ``d.verification``; raise if it clearly failed.

    >>> d = verify_derivation(derive("x * x", "x", verify=False))
    >>> d.verification.status
    'passed'
    """
    d.verification, result = self_check(d)
    if d.verification.status == "failed":
        raise VerificationError(f"{d.verification}; this is a bug in symcalc, please report it "
                                f"({d!r})", d, result)
    return d


def derive(expr: E.Expr | str | float, wrt: E.Var | str | Sequence[E.Var | str] | None = None, *,
           layout: str = "numerator", names: Sequence[str] | None = None, output: str | None = None,
           title: str | None = None, notes: Sequence[str] = (), given: tuple | None = None,
           scalars: str = "", vectors: str = "", matrices: str = "", onehot: str | Sequence[str] = "",
           verify: bool = True) -> Derivation:
    """Differentiate ``expr`` with respect to ``wrt`` (a variable or a list of them), step by step.

    ``expr`` may be a string in the parser's syntax, with shapes declared as in
    ``vectors="w x y:N"``, ``matrices="X:N,n"``, ``scalars="b"``; variables may be given by name.
    ``onehot="Y"`` declares labels: a vector whose entries sum to 1, a matrix whose rows do.
    ``names`` fixes the intermediate names in order (the paper's u, z, ...); ``output`` names the
    expression itself (default y); ``given`` = (intermediates, root) imposes a decomposition.
    Raises :class:`UnsupportedError` where no rule applies. Every derivation is checked against
    central finite differences at a random point before it is returned (``verify=False`` skips
    it): a clear mismatch raises :class:`VerificationError`; where no usable point exists the
    derivation's ``verification`` says the check was inconclusive and why.
    """
    from .budget import budget, check_printed
    from .limits import check_text

    title = None if title is None else check_text(title, "title")
    notes = tuple(check_text(n, "a note") for n in (notes if isinstance(notes, (list, tuple)) else [notes]))
    with budget():
        d = _derive(expr, wrt, layout=layout, names=names, output=output, title=title, notes=notes, given=given,
                    scalars=scalars, vectors=vectors, matrices=matrices, onehot=onehot, verify=verify)
        check_printed(d.steps)
        return d


def _run(expr, wrt, names, output, given):
    """The engine's (steps, closed forms, graph): the paper's forward Jacobians where they reach (by a
    matrix, through the trace rule), the backward form for matrix-valued intermediates."""
    from . import backward

    if backward.needs_backward(expr, wrt) or (len(wrt) > 1 and any(is_matrix(v) for v in wrt)):
        return backward.run(expr, wrt, names=names, output=output, given=given)
    try:
        if not any(is_matrix(v) for v in wrt):
            return engine.run(expr, wrt, names=names, output=output, given=given)
        return run_by_matrix(expr, wrt[0], names=names, output=output)
    except UnsupportedError:
        if not expr.is_scalar:
            raise
    return backward.run(expr, wrt, names=names, output=output, given=given)


def _derive(expr, wrt, *, layout, names, output, title, notes, given, scalars, vectors, matrices, onehot, verify):
    if layout not in LAYOUTS:
        raise SymcalcError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    decl = {"scalars": scalars, "vectors": vectors, "matrices": matrices}
    read = []
    if isinstance(expr, str):
        from .parse import parse_with_notes

        expr, read = parse_with_notes(expr, **decl)
    expr = mark_onehot(E.as_expr(expr), onehot)
    if wrt is None:
        names_ = ", ".join(repr(v.name) for v in E.variables(expr)) or "none"
        raise ArgumentError(f"say which variable to differentiate by: derive(expr, wrt), wrt a variable, a name "
                            f"or a list of them (the expression's variables: {names_})")
    wrt = [resolve(v, expr, decl) for v in as_list(wrt)]
    check_names(expr, names, output, wrt)
    notes = (*notes, *reading_notes(read, wrt), *absent_notes(expr, wrt), *label_notes(expr, wrt))
    try:
        steps, closed, graph = _run(expr, wrt, names, output, given)
    except RecursionError:
        raise UnsupportedError(f"the expression is nested too deeply to derive (depth {E.depth(expr)})") from None
    if layout == "denominator":
        from .layout import to_denominator

        steps, closed = to_denominator(steps, closed)
    d = Derivation(expr, wrt, steps, closed, graph, layout, title, notes)
    return verify_derivation(d) if verify else d


def _backward_together(expr, wrt, kw) -> bool:
    """Whether the backward form derives these variables anyway: then in one pass."""
    from . import backward
    from .parse import parse

    decl = {k: kw.get(k, "") for k in ("scalars", "vectors", "matrices")}
    e = parse(expr, **decl) if isinstance(expr, str) else E.as_expr(expr)
    present = {v.name: v for v in E.variables(e)}
    return backward.needs_backward(e, [present[n] for n in wrt if n in present])


def derive_each(expr, wrt, **kw) -> list[Derivation]:
    """One derivation for the scalar and vector variables of ``wrt`` and one for each matrix among
    them (a matrix is derived by the trace rule on its own), or one for all where the backward form
    derives them; ``kw`` as for :func:`derive`.

    >>> [d.wrt for d in derive_each("y @ (W @ x) + b", ["W", "b"], vectors="x y:m", matrices="W:m,n")]
    [(b,), (W,)]
    """
    from .parse import declare

    declared = declare(**{k: kw.get(k, "") for k in ("scalars", "vectors", "matrices")})
    matrices = [n for n in wrt if n in declared and is_matrix(declared[n])]
    groups = [[n for n in wrt if n not in matrices]] + [[m] for m in matrices]
    if len(groups) > 1 and _backward_together(expr, wrt, kw):
        groups = [list(wrt)]  # one backward pass shares the intermediates and the δ's
    return [derive(expr, g, **kw) for g in groups if g]
