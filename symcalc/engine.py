"""The derivation engine: the paper's four-step process (R10) generalised by the vector chain
rule (R12), recording a :class:`~symcalc.steps.Step` as each rule is applied.

1. introduce intermediate variables, innermost first (w·x becomes u = w ⊗ x, sum(u): R9);
2. differentiate each with respect to its own parameters (the local derivatives);
3. combine them by the chain rule, summing over paths (R11/R12);
4. substitute the intermediates back and simplify to a closed form.

>>> from symcalc.expr import vector, scalar, relu
>>> w, x, b = vector("w"), vector("x"), scalar("b")
>>> steps, results, _ = run(relu(w @ x + b), [w, b])
>>> print(results[w])
{0⃗ᵀ if w·x + b ≤ 0; xᵀ if w·x + b > 0}
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import expr as E
from .expr import matrixnodes as M
from .diff import jacobian, mm
from .errors import SymcalcError, UnsupportedError
from .rules import RULES
from .shapes import fmt_shape, is_scalar, is_vectorish
from .simplify import simplify
from .steps import Step, printed_order

OUTPUT_NAMES = ("y", "f", "g", "h", "F", "out")


def _is_op(e) -> bool:
    """Nonlinear operations get intermediates; linear glue (+, sum, ᵀ, A·v, c·v) does not."""
    if isinstance(e, (E.Func, E.Max, E.Pow, E.Step, E.Dot, *M.ALONG, M.Norm)):
        return True
    if isinstance(e, E.Mul):
        return sum(not E.is_const(f) for f in e.items) > 1
    if isinstance(e, E.Div):
        return not E.is_const(e.right)
    return False


def _is_atom(e) -> bool:
    return not e.args


def _monomial(e) -> bool:
    return isinstance(e, E.Pow) and _is_atom(e.left) and isinstance(e.right, E.Const)


class _Decomposer:
    """Names nested subexpressions (those that depend on a variable of differentiation)."""

    def __init__(self, wrt, names, taken):
        self.wrt = wrt
        self.names = list(names or [])
        self.taken = set(taken)
        self.intermediates: list = []  # (Var, definition)
        self.reasons: dict = {}  # Var → rule that introduced it (R9 for w·x = sum(w ⊗ x))
        self.rewrites: list = []  # steps for w·x → sum(w ⊗ x)

    def live(self, e) -> bool:
        return not _is_atom(e) and any(E.depends(e, v) for v in self.wrt)

    def visit(self, e, named=False):
        if not self.live(e):
            return e
        if isinstance(e, E.Dot):  # R9: w·x = sum(w ⊗ x), with u = w ⊗ x
            left, right = self.visit(e.left), self.visit(e.right)
            u = self.introduce(E.mul(left, right))
            self.reasons[u] = RULES["dot"]
            return E.Sum(u)
        new = []
        for child in e.args:
            wanted = self.wants(child, e, named)
            # glue (−, +, c·) inside a named argument stays part of that argument
            sub = self.visit(child, named=wanted or (named and not _is_op(e)))
            new.append(self.introduce(sub) if wanted else sub)
        return e.rebuild(tuple(new))

    def wants(self, child, parent, parent_named) -> bool:
        if not self.live(child) or not is_vectorish(child.shape):  # a matrix is differentiated in place
            return False
        if isinstance(parent, (E.Func, E.Max, E.Pow, E.Step, *M.ALONG, M.Norm)):
            return True
        if _is_op(parent):  # a product or quotient of non-constants
            return _is_op(child) and not _monomial(child)
        # w·x inside a sum stays sum(u) + ...: R9 already named its element-wise product
        return parent_named and _is_op(child) and not isinstance(child, E.Dot)

    def introduce(self, definition):
        for var, d in self.intermediates:
            if d == definition:
                return var
        var = E.Var(self.fresh(), definition.shape, "intermediate")
        self.intermediates.append((var, definition))
        return var

    def fresh(self) -> str:
        while self.names:
            name = self.names.pop(0)
            if name not in self.taken:
                self.taken.add(name)
                return name
        k = 1
        while f"u_{k}" in self.taken:
            k += 1
        self.taken.add(f"u_{k}")
        return f"u_{k}"


def _rename_single(dec):
    """With a single intermediate the paper writes plain u, not u₁."""
    if len(dec.intermediates) == 1 and dec.intermediates[0][0].name == "u_1" and "u" not in dec.taken:
        old, d = dec.intermediates[0]
        new = E.Var("u", old.shape, "intermediate")
        dec.intermediates[0] = (new, d)
        return {old: new}
    return {}


def output_name(taken) -> str:
    """The first of OUTPUT_NAMES not taken: --wrt y on an expression in x must not print dy/dy."""
    return next((n for n in OUTPUT_NAMES if n not in taken), None) or next(
        f"y_{k}" for k in range(1, len(taken) + 2) if f"y_{k}" not in taken)


def decompose(expr, wrt, names=None, output=None, taken=()):
    """(intermediates [(Var, definition)], output Var, root definition); no intermediate takes a name
    in ``taken`` (the variables an outer derivation abstracted away, such as the trace rule's)."""
    taken = {v.name for v in [*E.variables(expr), *wrt]} | set(taken)  # a variable of differentiation may be absent
    dec = _Decomposer(wrt, names, taken)
    root = dec.visit(expr)
    renames = _rename_single(dec)
    root = E.replace(root, renames)
    reasons = {renames.get(v, v): r for v, r in dec.reasons.items()}
    if output is None:
        output = output_name(dec.taken)
    out = E.Var(output, expr.shape, "intermediate")
    return dec.intermediates, out, root, reasons


def _partial(num, den, total=False):
    """∂num/∂den as a label; d/dx when everything is a single scalar variable's function."""
    return E.Partial(num, den, (_len(num), _len(den)), total)


def _len(v):
    return v.shape[0] if v.shape[1] == 1 else v.shape[1]


def _why(v, reasons):
    return (reasons[v],) if v in reasons else ()


def _shown(rules):
    """Drop ∂x/∂x = I from the cited rules unless it is all there was."""
    kept = tuple(r for r in rules if r.key != "identity")
    return kept or rules


def _chain_rule(terms):
    shapes = [s for t in terms for s in t]
    if all(is_scalar(s) for s in shapes):
        return RULES["total"] if len(terms) > 1 else RULES["chain"]
    return RULES["vector_chain"]


def substitute_back(e, intermediates):
    """Replace intermediates by their definitions, each resolved once (deep chains stay linear)."""
    resolved = {}
    for var, d in intermediates:
        resolved[var] = E.replace(d, resolved)
    return E.replace(e, resolved)


def given_graph(expr, intermediates, root, output=None, wrt=()):
    """A decomposition written out by hand (the paper's own u₁, u₂ for E12–E14), verified to
    substitute back to ``expr``."""
    full = substitute_back(root, intermediates)
    if simplify(full) != simplify(expr):
        raise SymcalcError(f"the intermediates do not rebuild the expression: {full} is not {expr}")
    taken = {v.name for v in [*E.variables(expr), *wrt]} | {v.name for v, _ in intermediates}
    out = E.Var(output or output_name(taken), expr.shape, "intermediate")
    return list(intermediates), out, root, {}


def _refuse_tensors(expr, wrt) -> None:
    """A matrix-valued expression has a matrix derivative by a scalar, but a tensor by a vector,
    even where it does not depend on the vector at all: no n×n zero stands in for it."""
    if is_vectorish(expr.shape):
        return
    for x in wrt:
        if not x.is_scalar:
            raise UnsupportedError(
                f"the derivative of the matrix-valued {expr} ({fmt_shape(expr.shape)}) by the vector {x.name} "
                f"({fmt_shape(x.shape)}) is a tensor; symcalc differentiates matrix-valued expressions by "
                "scalars only (reduce it to a scalar, e.g. sum(...), to differentiate by a vector)")


@dataclass
class _Context:
    """What the phases share: the graph, the variables, and the steps recorded so far."""

    intermediates: list  # [(Var, definition)], innermost first
    out: E.Var
    root: E.Expr
    wrt: list
    scalars: bool  # every variable a scalar: a local derivative by one of several is a partial (R2)
    single: bool  # one scalar variable: d/dx rather than ∂/∂x
    steps: list
    local: dict = field(default_factory=dict)  # (node, parameter) → local derivative

    @property
    def nodes(self) -> list:
        return self.intermediates + [(self.out, self.root)]

    def is_node(self, p) -> bool:
        return p in self.wrt or any(p == u for u, _ in self.intermediates)


def run(expr, wrt, names=None, output=None, given=None, taken=()):
    """(steps, closed forms {var: expr}, graph info) for ``expr`` differentiated by each of ``wrt``.

    ``given`` is an optional hand-made (intermediates, root) decomposition; ``taken`` names no
    intermediate may have.
    """
    _refuse_tensors(expr, wrt)
    if given is not None:
        intermediates, out, root, reasons = given_graph(expr, *given, output=output, wrt=wrt)
    else:
        intermediates, out, root, reasons = decompose(expr, wrt, names, output, taken)
    steps = [Step("define", (v, d), d.shape, _why(v, reasons)) for v, d in intermediates]
    if intermediates:
        steps.append(Step("define", (out, root), root.shape))
    scalars = all(v.is_scalar for v in [*wrt, *E.variables(expr)])
    ctx = _Context(intermediates, out, root, list(wrt), scalars, len(wrt) == 1 and scalars, steps)
    _local_derivatives(ctx)
    results = {}
    for x in wrt:
        closed = _total(ctx, x).get(out, E.zero(_partial(out, x).shape))
        note = "" if E.depends(expr, x) else f"{x.name} does not occur in the expression, so the derivative is zero"
        results[x] = _substitute(ctx, x, closed, note)
    steps += _assembled(expr, wrt, out, results)
    return steps, results, (intermediates, out, root)


def _local_derivatives(ctx: _Context) -> None:
    """Phase 2: each node differentiated by each of its own parameters, one rule step each."""
    for v, d in ctx.nodes:
        live = [p for p in E.variables(d) if ctx.is_node(p)]
        for p in live:
            raw, rules = jacobian(d, p)
            value = simplify(raw)
            ctx.local[v, p] = value
            # d/dx only where v has a single parameter; with several it is a partial (R11)
            label = _partial(v, p, ctx.single and len(live) == 1)
            several = len(live) > 1 or len(E.variables(d)) > 1  # others held constant (R2)
            rules = (RULES["partial"], *_shown(rules)) if ctx.scalars and several else _shown(rules)
            ctx.steps.append(Step("local", (label, value), value.shape, rules))


def _total(ctx: _Context, x) -> dict:
    """Phase 3: forward through the nodes, each total derivative by the chain rule over its paths."""
    totals = {x: None}  # None stands for the identity ∂x/∂x
    for v, d in ctx.nodes:
        parents = [p for p in E.variables(d) if p in totals]
        if not parents:
            continue
        if parents == [x]:  # the local derivative already is the total one
            totals[v] = ctx.local[v, x]
        else:
            totals[v] = _combine(ctx, v, x, parents, totals)
    return totals


def _assembled(expr, wrt, out, results):
    """With several scalar variables, the partials assemble into ∇f (R3) or the Jacobian (R4)."""
    if len(wrt) < 2 or not all(x.is_scalar for x in wrt):
        return []
    if expr.is_scalar:
        outputs = [(out, lambda r: r)]
    elif isinstance(expr, E.Block) and expr.shape[1] == 1:
        outputs = [(E.Index(out, i), lambda r, i=i: E.Index(r, i)) for i in range(len(expr.rows))]
    else:
        return []
    labels = E.block([[_partial(o, x) for x in wrt] for o, _ in outputs])
    values = simplify(E.block([[pick(unpresent(results[x])) for x in wrt] for _, pick in outputs]))
    if expr.is_scalar:
        return [Step("result", (E.Var("∇" + out.name, labels.shape), labels, values), values.shape, (RULES["gradient"],))]
    return [Step("result", (E.Var("J", labels.shape), labels, values), values.shape, (RULES["jacobian"],))]


def unpresent(e):
    """A closed form without the cases presentation, for further algebra."""
    if isinstance(e, E.Cases):
        return E.add(E.mul(E.Step(e.arg, e.arg.shape), e.above), E.mul(1 - E.Step(e.arg, e.arg.shape), e.below))
    return e


def _combine(ctx: _Context, v, x, parents, totals):
    formula, pieces, shapes = [], [], []
    local, single = ctx.local, ctx.single
    for p in parents:
        direct = single and len(parents) == 1
        if totals[p] is None:
            formula.append(_partial(v, x, direct))
            pieces.append(local[v, p])
            shapes.append((local[v, p].shape,))
        else:
            formula.append(mm(_partial(v, p, direct), _partial(p, x, single)))
            pieces.append(totals[p] if local[v, p] == E.one() else mm(local[v, p], totals[p]))
            shapes.append((local[v, p].shape, totals[p].shape))
    raw = E.add(*pieces)
    value = simplify(raw)
    sides = [_partial(v, x, single), E.add(*formula)]
    # the unsimplified product is worth showing only where it reads differently
    sides += [raw, value] if str(raw) != str(value) else [value]
    fshapes = printed_order(shapes[0]) if len(shapes) == 1 and len(shapes[0]) == 2 else ()
    ctx.steps.append(Step("chain", tuple(sides), value.shape, (_chain_rule(shapes),), factor_shapes=fshapes, wrt=x))
    return value


def _substitute(ctx: _Context, x, value, note):
    full = substitute_back(value, ctx.intermediates)
    simplified = simplify(full)
    closed = present(simplified)
    label = _partial(ctx.out, x, ctx.single)
    if full != value and ctx.intermediates:
        ctx.steps.append(Step("substitute", (label, value, simplified), value.shape, wrt=x))
    ctx.steps.append(Step("result", (label, closed), closed.shape, note=note, wrt=x))
    return closed


def present(e):
    """[s > 0]·M becomes the paper's cases notation: 0 if s ≤ 0, M if s > 0."""
    if isinstance(e, E.Step) and e.is_scalar:
        return E.Cases(e.arg, E.zero(), E.one(), e.shape)
    if isinstance(e, E.Mul):
        steps = [f for f in e.items if isinstance(f, E.Step) and f.is_scalar]
        if len(steps) == 1:
            rest = [f for f in e.items if f is not steps[0]]
            above = E.mul(*rest)
            if above.shape == e.shape:
                return E.Cases(steps[0].arg, E.zero(e.shape), above, e.shape)
    return e
