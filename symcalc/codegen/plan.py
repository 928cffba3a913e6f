"""What the generated function computes, line by line, read off a derivation.

The lines follow the derivation: the forward pass defines each intermediate once under its name
(u, z, Z₁, H₁, ...), in dependency order; the output is computed from them; the backward pass
defines the upstream gradients the derivation named (δ₁, δ₂, ...); each gradient is the compact
form the derivation reached before substituting back (∂L/∂W₁ = Xᵀδ₁), or its closed form where that
costs less. In every line, a subexpression equal to the definition of a line before it is replaced
by that line's name (folding), so nothing the derivation named is computed twice.

>>> import symcalc as sc
>>> d = sc.derive("sum(tanh(X @ W))", "W", matrices="X:N,n W:n,m", layout="denominator")
>>> [(line.kind, line.target.name, str(line.expr)) for line in build(d).lines]
[('forward', 'Z_1', 'XW'), ('value', 'L', 'sum(tanh(Z₁))'), ('gradient', 'W', 'Xᵀ (1 − tanh(Z₁)²)')]
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import expr as E
from ..expr import matrixnodes as M
from ..simplify import simplify


@dataclass(frozen=True)
class Line:
    """``target = expr``: one assignment of the generated function, with what its comment says."""

    kind: str  # "forward", "value", "backward" (a δ) or "gradient"
    target: E.Var  # the intermediate, δ or output it defines; for a gradient, the variable
    expr: E.Expr
    shown: str  # the math its comment shows
    rules: tuple = ()  # the labels of the rules it comes from


@dataclass(frozen=True)
class Plan:
    inputs: tuple  # the function's arguments: the expression's variables, then any other of wrt
    lines: tuple


def build(d, extra=(), returns=("value", "gradient")) -> Plan:
    """The lines computing ``d``'s output and the gradient by each of its variables; then ``extra``
    lines (kind, target, expression, label, rules) written in the same names; only the lines that
    what ``returns`` names (and ``extra``) need are kept."""
    defs = _ordered(d.intermediates)
    deltas = _delta_steps(d)
    forward = [(v, x) for v, x in defs if v not in deltas]
    backward = [(v, x) for v, x in defs if v in deltas]
    rank = {v: (i, x) for i, (v, x) in enumerate(forward + backward)}
    lines = [_definition("forward", v, x, rank, f"{v} = {x}", _define_rules(d, v)) for v, x in forward]
    value = Line("value", d.output, _fold(d.root, _table(forward)), f"{d.output} = {d.root}")
    gradients = _gradients(d, [*lines, value], forward + backward)
    table = _table(forward + backward)
    more = [_extra(kind, target, _fold(e, table), label, rules) for kind, target, e, label, rules in extra]
    kept = [*([value] if "value" in returns else []), *(gradients if "gradient" in returns else []), *more]
    needed = _needed(kept, forward + backward)
    lines = [line for line in lines if line.target in needed] + [line for line in kept if line.kind == "value"]
    lines += [_definition("backward", v, x, rank, f"{v} = {deltas[v].sides[1]} = {x}",
                          tuple(r.label for r in deltas[v].rules)) for v, x in backward if v in needed]
    lines += [line for line in kept if line.kind != "value"]
    inputs = [*E.variables(d.expr), *d.wrt, *(v for _, _, e, _, _ in extra for v in E.variables(e))]
    return Plan(tuple(dict.fromkeys(inputs)), tuple(lines))


def build_second(d) -> Plan:
    """The lines of a Hessian (``d`` from :func:`symcalc.hessian`): the gradient's, then the Hessian
    in the gradient's names (σ(Xw) is the forward pass's u₂, computed once)."""
    hessian = next(s for s in reversed(d.steps) if s.phase == "result")
    extra = [("hessian", d.wrt[-1], d.closed_form(), hessian.sides[0], _phase_rules(d, "second"))]
    return build(d.gradient, extra)


def build_product(p) -> Plan:
    """The lines of a Hessian-vector product (``p`` from :func:`symcalc.hvp`): only what H v needs of
    the gradient's forward and backward passes, then H v; no Hessian, no value."""
    product = next(s for s in reversed(p.steps) if s.phase == "result")
    extra = [("product", p.wrt[0], p.closed_form(), product.sides[0], _phase_rules(p, "product"))]
    plan = build(p.gradient, extra, returns=())
    # the direction is an argument even where H v does not read it (H v = 0⃗ for f linear in x)
    return Plan(tuple(dict.fromkeys([*plan.inputs, p.direction])), plan.lines)


def _extra(kind, target, e, label, rules) -> Line:
    return Line(kind, target, e, f"{label} = {e}", rules)


def _phase_rules(d, phase) -> tuple:
    """The rules the chain steps of a phase cite."""
    labels = [r.label for s in d.steps if s.phase == phase and s.factor_shapes for r in s.rules]
    return tuple(dict.fromkeys(labels))


# ---------------------------------------------------------------- definitions


def _ordered(definitions) -> list:
    """Definitions in dependency order, otherwise as listed (the trace rule lists z = Wb last)."""
    defined = dict(definitions)
    out, done = [], set()

    def visit(v, path=()):
        if v in done or v not in defined:
            return
        if v in path:
            raise ValueError(f"the definitions of {v} form a cycle")
        for u in E.variables(defined[v]):
            visit(u, (*path, v))
        done.add(v)
        out.append((v, defined[v]))

    for v, _ in definitions:
        visit(v)
    return out


def _delta_steps(d) -> dict:
    """δ → the backward step that named it (δ₂ = G_Z₂ = ...: the backward form puts δ in sides[0])."""
    return {s.sides[0]: s for s in d.steps
            if s.phase == "backward" and isinstance(s.sides[0], E.Var) and s.sides[0].kind == "intermediate"}


def _define_rules(d, v) -> tuple:
    return next((tuple(r.label for r in s.rules) for s in d.steps if s.phase == "define" and s.sides[0] == v), ())


def _definition(kind, v, x, rank: dict, shown, rules) -> Line:
    """A definition with its subexpressions folded into the names defined before it (``rank``: each
    name → (its place, its definition))."""
    earlier = _table([(u, y) for u, (i, y) in rank.items() if i < rank[v][0]])
    folded = x.rebuild(tuple(_fold(a, earlier) for a in x.args)) if x.args else x
    return Line(kind, v, folded, shown, rules)


def _table(defs) -> dict:
    return {x: v for v, x in defs if x.args}


def _fold(e, table: dict):
    """``e`` with each subexpression that some definition in ``table`` spells replaced by its name,
    innermost first, so a closed form written out in the variables folds back into Z₁, H₁, ..."""
    memo: dict = {}
    stack = [e]
    while stack:  # bottom-up without recursion: closed forms of deep networks are deep
        node = stack[-1]
        pending = [a for a in node.args if a not in memo]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        rebuilt = node.rebuild(tuple(memo[a] for a in node.args)) if node.args else node
        memo[node] = table.get(rebuilt, rebuilt)
    return memo[e]


# ---------------------------------------------------------------- gradients


def _gradients(d, lines, defs) -> list:
    """A line per variable: whichever of its compact and closed forms adds less to what is computed."""
    have = _subtrees([line.expr for line in lines]) | {line.target for line in lines}
    defined = dict(defs)
    table = _table(defs)
    out = []
    for x in d.wrt:
        candidates = [f for f in (_compact(d, x), d.closed_form(x)) if f is not None]
        folded = [_fold(f, table) for f in candidates]
        best = min(folded, key=lambda f: _cost(f, have, defined))
        have |= _subtrees([best, *(defined[v] for v in _needed_vars(best, defined))]) | _needed_vars(best, defined)
        label = next((s.sides[0] for s in d.steps if s.phase == "result" and s.wrt == x),
                     E.Partial(d.output, x, d.closed_form(x).shape))
        out.append(Line("gradient", x, best, f"{label} = {best}", _gradient_rules(d, x)))
    return out


def _compact(d, x):
    """The derivative by ``x`` as the derivation had it before substituting back, in its layout; None
    when there is no such step or it holds anything but values (a label, an unknown name)."""
    for s in reversed(d.steps):
        if s.wrt != x:
            continue
        if s.phase == "backward":  # gradients G_x have x's shape in either layout
            g = s.sides[-1]
            form = g if d.layout == "denominator" else simplify(E.transpose(g))
            break
        if s.phase == "substitute":
            form = s.sides[1]
            break
    else:
        return None
    known = {v for v, _ in d.intermediates} | set(E.variables(d.expr)) | set(d.wrt)
    labels = any(isinstance(n, (E.Partial, M.Grad)) for n in E.walk(form))
    return None if labels or not set(E.variables(form)) <= known or form.shape != d.closed_form(x).shape else form


def _gradient_rules(d, x) -> tuple:
    """The rules cited where the derivative by ``x`` was assembled (chain rule, backward pass, or the
    local derivative itself where the output is a function of ``x`` directly)."""
    rules = []
    for s in d.steps:
        direct = s.phase == "local" and isinstance(s.sides[0], E.Partial) and s.sides[0].den == x \
            and s.sides[0].num == d.output
        if (s.wrt == x and s.phase in ("chain", "backward")) or direct:
            rules += [r.label for r in s.rules]
    return tuple(dict.fromkeys(rules))


def _subtrees(exprs) -> set:
    return {n for e in exprs for n in E.walk(e)}


def _needed_vars(e, defined: dict) -> set:
    """The defined names ``e`` uses, directly or through their definitions."""
    out, todo = set(), [v for v in E.variables(e) if v in defined]
    while todo:
        v = todo.pop()
        if v not in out:
            out.add(v)
            todo += [u for u in E.variables(defined[v]) if u in defined]
    return out


def _needed(lines, defs) -> set:
    defined = dict(defs)
    return set().union(*(_needed_vars(line.expr, defined) for line in lines))


def _cost(e, have: set, defined: dict) -> int:
    """Operations computing ``e`` adds to ``have``: its nodes not computed yet, and the definitions of
    names it needs that are not computed yet."""
    seen, todo, count = set(), [e], 0
    while todo:
        node = todo.pop()
        if node in have or node in seen:
            continue
        seen.add(node)
        if isinstance(node, E.Var):
            todo += [defined[node]] if node in defined else []
        elif node.args:
            count += 1
            todo += list(node.args)
    return count
