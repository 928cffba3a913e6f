"""Second derivatives (issue 13): the Hessian as the Jacobian of the gradient, derived step by step.

The gradient ∇f = (∂f/∂x)ᵀ is derived first, in the denominator layout, so it is a column n×1: an
ordinary vector expression. Its Jacobian by x (or by a second vector y) is then derived by the same
forward engine, with the paper's vector rules. The result is a plain :class:`~symcalc.derivation.Derivation`
whose steps are the gradient's, then the Jacobian's under the phase "second derivative", with the
Hessian as its closed form; its numeric check compares the Hessian with central differences of the
gradient (the gradient itself having passed its own check against differences of f).

>>> import symcalc as sc
>>> x, A = sc.vector("x"), sc.matrix("A", "n", "n")
>>> H = sc.hessian(x.T @ A @ x, x)
>>> print(H.closed_form())
A + Aᵀ
>>> H.shape, H.verification.status
((n, n), 'passed')
"""
from __future__ import annotations

from dataclasses import replace

from . import expr as E
from .errors import SymcalcError, UnsupportedError
from .shapes import fmt_shape
from .steps import Step

ORDERS = (1, 2)


def _second_derivation():
    """The Derivation subclass (built on first use: importing derivation loads the engine)."""
    from .derivation import Derivation

    class SecondDerivation(Derivation):
        """A :class:`Derivation` of a second derivative: ``differentiated`` is the gradient, whose
        Jacobian the Hessian is (what the numeric checks difference); ``gradient`` its own derivation."""

        order = 2

        def _var(self, var):
            # the mixed block is keyed by its second variable; either name (or none) asks for it
            if var is None or getattr(var, "name", var) in {v.name for v in self.wrt}:
                return next(iter(self._closed))
            return super()._var(var)

    return SecondDerivation


def _refuse(expr, variables) -> None:
    """Only a scalar's Hessian by vectors (or scalars) is a matrix; anything else is a tensor."""
    if not expr.is_scalar:
        raise UnsupportedError(
            f"the Hessian is defined for a scalar function; {expr} is {fmt_shape(expr.shape)}, so its second "
            "derivative is a tensor (reduce it to a scalar, e.g. sum(...), first)")
    for v in variables:
        if v.shape[1] != 1:
            raise UnsupportedError(
                f"second derivatives by the matrix {v.name} ({fmt_shape(v.shape)}) are tensors; symcalc derives "
                "Hessians by column vectors and scalars only")


def _fresh_names(taken, count=200) -> list[str]:
    """Names for the Jacobian's intermediates that continue after the gradient's (u₄, u₅, … after u₃)."""
    return [f"u_{k}" for k in range(1, count) if f"u_{k}" not in taken]


def hessian(f, x, y=None, *, layout: str = "numerator", title: str | None = None, notes=(), names=None,
            output: str | None = None,
            scalars: str = "", vectors: str = "", matrices: str = "", onehot: str = "", verify: bool = True):
    """The Hessian of a scalar ``f`` by a column vector ``x`` (n×n), derived as the Jacobian of the gradient.

    Convention: the gradient ∇ₓf = (∂f/∂x)ᵀ is a column (denominator layout) and the Hessian is its
    Jacobian in the numerator layout, H[i, j] = ∂²f/∂xᵢ∂xⱼ. With a second variable ``y`` (m×1) the
    result is the mixed block ∂/∂y (∂f/∂x)ᵀ, n×m: H[i, j] = ∂²f/∂xᵢ∂yⱼ. ``layout="denominator"`` gives
    the second phase's derivatives transposed (the same matrix for a single variable: the Hessian is
    symmetric; the m×n transpose for a mixed block). ``f``, ``x`` and ``y`` may be
    text and names, with shapes declared as for :func:`~symcalc.derive` (``names`` and ``output`` name the
    gradient's intermediates and ``f``, as there). The steps are the gradient's,
    then the second derivative's; ``closed_form()`` is the Hessian. Both the gradient and the Hessian
    are checked against central finite differences (``verify=False`` skips both).

    >>> import symcalc as sc
    >>> H = sc.hessian("norm(A @ x - b) ** 2", "x", vectors="x b:m", matrices="A:m,n")
    >>> print(H.closed_form())
    2 AᵀA
    >>> [s.phase for s in H.steps][-2:]
    ['second', 'result']
    >>> mixed = sc.hessian("x @ (B @ y) + (x @ x) * (y @ y)", "x", "y", vectors="x y:m", matrices="B:n,m")
    >>> print(mixed.closed_form(), mixed.shape)
    B + 4 x yᵀ (n, m)
    >>> sc.hessian("x**3", "x").evaluate({"x": 2})
    12.0
    """
    from .budget import budget, check_printed
    from .limits import check_text

    title = None if title is None else check_text(title, "title")
    notes = tuple(check_text(n, "a note") for n in (notes if isinstance(notes, (list, tuple)) else [notes]))
    with budget():
        d = _hessian(f, x, y, layout=layout, title=title, notes=notes, names=names, output=output, decl={"scalars": scalars, "vectors": vectors,
                                                              "matrices": matrices}, onehot=onehot, verify=verify)
        check_printed(d.steps)
        return d


def _hessian(f, x, y, *, layout, title, notes, names, output, decl, onehot, verify):
    from .declarations import mark_onehot
    from .derivation import LAYOUTS, _run, derive, verify_derivation
    from .engine import unpresent
    from .wrt import resolve

    if isinstance(f, str):
        from .parse import parse

        f = parse(f, **decl)
    f = mark_onehot(E.as_expr(f), onehot)
    if layout not in LAYOUTS:
        raise SymcalcError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    xs = [resolve(v, f, decl) for v in ([x] if y is None else [x, y])]
    _refuse(f, xs)
    # the gradient: a column n×1, checked against differences of f like any derivation
    first = derive(f, xs[0], layout="denominator", names=names, output=output, title=title, notes=notes,
                   verify=verify, **decl)
    gradient = unpresent(first.closed_form())
    by = xs[-1]
    name = "∇" + first.output.name
    taken = {v.name for v, _ in first.intermediates} | {first.output.name}
    steps, closed, _ = _run(gradient, [by], _fresh_names(taken), name, None)
    if layout == "denominator":
        from .layout import to_denominator

        steps, closed = to_denominator(steps, closed)
    d = _assemble(first, gradient, xs, steps, closed, layout)
    return verify_derivation(d) if verify else d


def _assemble(first, gradient, xs, steps, closed, layout):
    """The gradient's steps, then the Jacobian's under the phase "second"; its result labelled ∇²f."""
    out, by = first.output, xs[-1]
    nabla = E.Var("∇" + out.name, gradient.shape, "intermediate")
    # the gradient's result is the column ∇f that the second phase differentiates: named so in both
    head = [replace(s, sides=(nabla, *s.sides[1:])) if s.phase == "result" else s for s in first.steps]
    second = [] if any(s.phase == "define" for s in steps) else [Step("second", (nabla, gradient), gradient.shape)]
    for s in steps:
        if s.phase != "result":
            second.append(replace(s, phase="second"))
        elif len(xs) == 1:  # ∂∇f/∂x is the Hessian ∇²f
            label = E.Var("∇²" + out.name, s.shape, "intermediate")
            second.append(Step("result", (label, *s.sides[1:]), s.shape, s.rules, s.note, wrt=by))
        else:
            second.append(s)
    d = _second_derivation()(first.expr, xs, [*head, *second], closed,
                             (first.intermediates, first.output, first.root), layout, first.title, first.notes)
    x = xs[0].name
    what = "Hessian" if len(xs) == 1 else "mixed second derivative"
    i, j = (x, by.name) if layout == "numerator" else (by.name, x)
    d.layout_text = (f"the gradient ∇{out.name} = (∂{out.name}/∂{x})ᵀ is a column (denominator layout); the {what} is "
                     f"its Jacobian by {by.name} ({layout} layout): entry i, j is ∂²{out.name}/∂{i}ᵢ∂{j}ⱼ")
    d.differentiated, d.gradient = gradient, first
    return d
