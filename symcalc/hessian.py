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


def _product_derivation():
    """The Derivation subclass of a Hessian-vector product: its closed form needs the direction too."""
    class ProductDerivation(_second_derivation()):
        """A :class:`Derivation` of H v: ``differentiated`` is v·∇f, whose gradient H v is; ``direction`` is v."""

        def evaluate(self, values: dict, var=None):
            from .derivation import by_var
            from .numeric import bind, evaluate

            # keyed by name or variable: f's variables (those v·∇f lacks too, as the Hessian's evaluate takes), v
            named = {k: val for k, val in values.items() if k in (self.direction, self.direction.name)}
            values = {**by_var(self.expr, {k: val for k, val in values.items() if k not in named}),
                      **{self.direction: val for val in named.values()}}
            _, sizes = bind(list(values), values)
            return evaluate(self.closed_form(var), values, sizes)

    return ProductDerivation


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
    return _bounded(_hessian, f, x, y, layout=layout, title=title, notes=notes, names=names, output=output,
                    decl={"scalars": scalars, "vectors": vectors, "matrices": matrices}, onehot=onehot, verify=verify)


def _bounded(build, *args, title, notes, **kwargs):
    """``build``'s derivation with the title and notes checked, under the work budget, its printed
    size bounded (as :func:`~symcalc.derive` does)."""
    from .budget import budget, check_printed
    from .limits import check_text

    title = None if title is None else check_text(title, "title")
    notes = tuple(check_text(n, "a note") for n in (notes if isinstance(notes, (list, tuple)) else [notes]))
    with budget():
        d = build(*args, title=title, notes=notes, **kwargs)
        check_printed(d.steps)
        return d


def hvp(f, x, y=None, *, v: str = "v", title: str | None = None, notes=(), names=None, output: str | None = None,
        scalars: str = "", vectors: str = "", matrices: str = "", onehot: str = "", verify: bool = True):
    """The Hessian-vector product H v of a scalar ``f`` by a column vector ``x``, derived without H.

    H v is the gradient by x of the scalar v·∇f (∇f the gradient, v a direction of its own, named by
    ``v``), so the same rules derive it as a gradient: for large n it costs what the gradient costs,
    where H has n² entries. With a second variable ``y`` the product is the mixed block's,
    (∂²f/∂x∂y) v with v of y's length: the gradient by x of v·∇_y f. The steps are the gradient's,
    then the product's (phase "product"); the closed form is a column of x's shape, checked against
    differences of v·∇f. Other arguments as for :func:`hessian`.

    >>> import symcalc as sc
    >>> Hv = sc.hvp("sum(exp(A @ x))", "x", vectors="x", matrices="A:m,n")
    >>> print(Hv.closed_form())
    Aᵀ diag(exp(Ax)) Av
    >>> Hv.shape, Hv.direction.name, Hv.verification.status
    ((n, 1), 'v', 'passed')
    """
    return _bounded(_hvp, f, x, y, v, title=title, notes=notes, names=names, output=output,
                    decl={"scalars": scalars, "vectors": vectors, "matrices": matrices}, onehot=onehot, verify=verify)


def _hvp(f, x, y, v, *, title, notes, names, output, decl, onehot, verify):
    f, xs = _prepared(f, x, y, decl, onehot)
    direction = _direction(v, f, xs[-1])
    first, gradient = _gradient(f, xs[-1], names, output, title, notes, decl, verify)
    return _product(first, gradient, xs, direction, verify)


def product_of(d, verify: bool = True):
    """The Hessian-vector product of a Hessian's derivation ``d`` (from :func:`hessian`), reusing its
    gradient; the direction is v (or v_1, … where f has a v)."""
    return _bounded(_product_of, d, verify, title=d.title, notes=d.notes)


def _product_of(d, verify, title, notes):
    f, xs = d.expr, list(d.wrt)
    taken = {u.name for u in E.variables(f)}
    name = next(c for c in ("v", *(f"v_{k}" for k in range(1, len(taken) + 2))) if c not in taken)
    direction = _direction(name, f, xs[-1])
    if len(xs) == 1:
        return _product(d.gradient, d.differentiated, xs, direction, verify)
    first, gradient = _gradient(f, xs[-1], None, d.output.name, title, notes, {}, verify)
    return _product(first, gradient, xs, direction, verify)


def _product(first, gradient, xs, direction, verify):
    """H v as the gradient by x of v·∇f: derived, assembled after the gradient's steps, checked."""
    from .derivation import _run, verify_derivation
    from .layout import to_denominator

    along = direction * gradient if direction.is_scalar else E.dot(direction, gradient)
    name = f"{direction.name}·∇{first.output.name}"
    steps, closed, graph = _run(along, [xs[0]], _fresh_names(_taken(first)), name, None)
    steps, closed = to_denominator(steps, closed)
    # the backward form's compact forms (what the self-check evaluates) name this pass's intermediates and δ's
    more = graph[0] if getattr(closed, "gradients", None) is not None else []
    d = _assemble_product(first, along, xs, direction, steps, closed, more)
    return verify_derivation(d) if verify else d


def _direction(v, f, y):
    """The direction v: a new variable of y's shape, its name not one of f's."""
    from .limits import check_name

    name = check_name(v, "the direction v")
    if name in {u.name for u in E.variables(f)}:
        raise SymcalcError(f"the direction {name} is already a variable of {f}; name it differently (v=...)")
    return E.Var(name, y.shape)


def _assemble_product(first, along, xs, direction, steps, closed, more=()):
    """The gradient's steps, then those of v·∇f by x under the phase "product", the result labelled ∇²f v."""
    out, x, by = first.output, xs[0], xs[-1]
    head = [replace(s, sides=(E.Var("∇" + out.name, s.shape, "intermediate"), *s.sides[1:]))
            if s.phase == "result" else s for s in first.steps]
    nabla = E.Var("∇" + out.name, by.shape, "intermediate")
    block = E.Var("∇²" + out.name, (x.shape[0], x.shape[0]), "intermediate") if x == by else \
        E.Partial(nabla, x, (by.shape[0], x.shape[0]))
    label = E.MatMul((E.transpose(block) if x != by else block, direction), x.shape)
    named = E.Var(f"{direction.name}·∇{out.name}", E.SCALAR, "intermediate")
    second = [] if any(s.phase == "define" for s in steps) else [Step("product", (named, along), E.SCALAR)]
    second += [replace(s, phase="product") if s.phase != "result" else
               Step("result", (label, *s.sides[1:]), s.shape, s.rules, s.note, wrt=x) for s in steps]
    graph = ([*first.intermediates, *more], first.output, first.root)
    d = _product_derivation()(first.expr, [x], [*head, *second], closed, graph, "denominator", first.title,
                              first.notes)
    d.layout_text = (f"H {direction.name} is the gradient by {x.name} of {direction.name}·∇{out.name} (a column of "
                     f"{x.name}'s shape), H[i, j] = ∂²{out.name}/∂{x.name}ᵢ∂{by.name}ⱼ: no Hessian is formed")
    d.differentiated, d.gradient, d.direction = along, first, direction
    return d


def _hessian(f, x, y, *, layout, title, notes, names, output, decl, onehot, verify):
    from .derivation import LAYOUTS, _run, verify_derivation

    if layout not in LAYOUTS:
        raise SymcalcError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    f, xs = _prepared(f, x, y, decl, onehot)
    first, gradient = _gradient(f, xs[0], names, output, title, notes, decl, verify)
    by = xs[-1]
    steps, closed, graph = _run(gradient, [by], _fresh_names(_taken(first)), "∇" + first.output.name, None)
    if layout == "denominator":
        from .layout import to_denominator

        steps, closed = to_denominator(steps, closed)
    # a scalar gradient (x a scalar) may be differentiated in the backward form: keep its intermediates too
    more = graph[0] if getattr(closed, "gradients", None) is not None else []
    d = _assemble(first, gradient, xs, steps, closed, layout, more)
    return verify_derivation(d) if verify else d


def _prepared(f, x, y, decl, onehot):
    """(f as a tree with its labels marked, [x] or [x, y] resolved), the Hessian's shapes checked."""
    from .declarations import mark_onehot
    from .wrt import resolve

    if isinstance(f, str):
        from .parse import parse

        f = parse(f, **decl)
    f = mark_onehot(E.as_expr(f), onehot)
    xs = [resolve(v, f, decl) for v in ([x] if y is None else [x, y])]
    _refuse(f, xs)
    return f, xs


def _gradient(f, x, names, output, title, notes, decl, verify):
    """(the gradient's derivation, its closed form): the column ∇f, checked against differences of f."""
    from .derivation import derive
    from .engine import unpresent

    first = derive(f, x, layout="denominator", names=names, output=output, title=title, notes=notes,
                   verify=verify, **decl)
    return first, unpresent(first.closed_form())


def _taken(first) -> set:
    return {v.name for v, _ in first.intermediates} | {first.output.name}


def _assemble(first, gradient, xs, steps, closed, layout, more=()):
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
    graph = ([*first.intermediates, *more], first.output, first.root)
    d = _second_derivation()(first.expr, xs, [*head, *second], closed, graph, layout, first.title, first.notes)
    x = xs[0].name
    what = "Hessian" if len(xs) == 1 else "mixed second derivative"
    i, j = (x, by.name) if layout == "numerator" else (by.name, x)
    d.layout_text = (f"the gradient ∇{out.name} = (∂{out.name}/∂{x})ᵀ is a column (denominator layout); the {what} is "
                     f"its Jacobian by {by.name} ({layout} layout): entry i, j is ∂²{out.name}/∂{i}ᵢ∂{j}ⱼ")
    d.differentiated, d.gradient = gradient, first
    return d
