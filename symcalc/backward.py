"""Scalar losses through matrix-valued intermediates, derived in the backward form (issue 12).

This is how a deep-learning course derives backpropagation by hand. The upstream gradient
G_Z = ∂L/∂Z of each intermediate has Z's shape, and dL = tr(G_Zᵀ dZ) (the trace rule) turns each
operation into a rule from G_Z to its inputs' gradients (:mod:`symcalc.rules.backward`):
Z = XW ⇒ G_W = XᵀG_Z. Walking the intermediates from the loss back to the variables:

1. introduce intermediates (the arguments and results of nonlinear operations);
2. from G_L = 1, each intermediate's gradient is the sum of what its consumers pass back, one
   step each, citing the rules that ran;
3. a gradient that several inputs read is named once (δ₁, δ₂, ...), as backpropagation does, so
   a deep network's gradients stay small;
4. each variable's gradient is its result: in the denominator layout as it stands (the shape of
   the variable), in the numerator layout transposed. Its closed form, every δ and intermediate
   substituted back, is built only when asked for: a deep network's grows quadratically with depth.

>>> import symcalc as sc
>>> X, W = sc.matrix("X", "N", "n"), sc.matrix("W", "n", "m")
>>> d = sc.derive(sc.sum_(sc.tanh(X @ W)), W, layout="denominator")
>>> print(d.closed_form())
Xᵀ (1 − tanh(XW)²)
"""
from __future__ import annotations

import re
from collections import defaultdict

from . import expr as E
from . import matrix_builders as MB
from .budget import spend
from .derivation import ClosedForms
from .expr import matrixnodes as M
from .engine import given_graph, output_name, present, substitute_back
from .errors import UnsupportedError
from .rules import BACKWARDS
from .shapes import ONE, fmt_shape, is_row, is_scalar, is_vectorish
from .simplify import simplify
from .steps import Step

_NONLINEAR = (E.Func, E.Max, E.Pow, E.Step, M.Softmax, M.LogSoftmax, M.LogSumExp, M.Trace, M.Det, M.Inv, M.Norm)
_PRODUCTS = (E.Mul, E.Div, E.MatMul, E.Dot)


class Pull:
    """The backward pass through one definition for one of its parameters ``p``: G_def ↦ G_p."""

    def __init__(self, p):
        self.p = p
        self.used: list = []

    def live(self, e) -> bool:
        return E.depends(e, self.p)

    def __call__(self, e, G):
        if e == self.p:
            return G
        rule = BACKWARDS.get(type(e))
        if rule is None:
            raise UnsupportedError(f"no rule passes a gradient back through {type(e).__name__} ({_shown(e)})")
        if rule not in self.used:
            self.used.append(rule)
        parts = [self(e.args[i], g) for i, g in rule.backward(self, e, G)]
        parts = [q for q in parts if q is not None]
        return E.add(*parts) if parts else None

    def reduce(self, G, shape):
        """G summed over the axes its operand was broadcast along (a scalar operand: every element)."""
        shape = tuple(shape)
        if G.shape == shape:
            return G
        if is_scalar(shape):
            return E.sum_(G)
        if shape[0] == ONE:
            return MB.sum_along(G, 0)
        if shape[1] == ONE:
            return MB.sum_along(G, 1)
        raise UnsupportedError(f"cannot pass a {fmt_shape(G.shape)} gradient back to a {fmt_shape(shape)} operand")

    def spread(self, reduced, like):
        """A reduction along ``like``'s axis, broadcast back to ``like``'s shape."""
        return MB.broadcast(reduced, like.shape)

    def all_ones(self, shape):
        rows, cols = shape
        if is_scalar(shape):
            return E.one()
        if cols == ONE:
            return E.ones(rows)
        if rows == ONE:
            return E.ones(cols).T
        return E.matmul(E.ones(rows), E.ones(cols).T)


def _shown(e) -> str:
    try:
        return f"{e}, {fmt_shape(e.shape)}"
    except UnsupportedError:
        return fmt_shape(e.shape)


# ---------------------------------------------------------------- step 1: intermediates


def _is_op(e) -> bool:
    if isinstance(e, _NONLINEAR + (E.Dot,)):
        return True
    if isinstance(e, E.MatMul):
        return not any(isinstance(f, E.Ones) for f in e.items)  # 1⃗bᵀ is a broadcast: glue
    if isinstance(e, E.Mul):
        return sum(not E.is_const(f) for f in e.items) > 1
    if isinstance(e, E.Div):
        return not E.is_const(e.right)
    return False


class _Namer:
    """Names the arguments of nonlinear operations, and products of what was computed (Z = XW + 1⃗bᵀ)."""

    def __init__(self, wrt, names, taken):
        self.wrt, self.names, self.taken = wrt, list(names or []), set(taken)
        self.intermediates: list = []
        self.counts: dict = defaultdict(int)

    def live(self, e) -> bool:
        return bool(e.args) and any(E.depends(e, v) for v in self.wrt)

    def visit(self, e, parent=None):
        if not self.live(e):
            return e
        new = []
        for child in e.args:
            sub = self.visit(child, e)
            new.append(self.introduce(sub, e) if self.wants(child, e) else sub)
        return e.rebuild(tuple(new))

    def wants(self, child, parent) -> bool:
        if not self.live(child):
            return False
        if isinstance(parent, _NONLINEAR):
            return True
        return isinstance(parent, _PRODUCTS) and _is_op(child) and not (
            isinstance(parent, E.Mul) and sum(not E.is_const(f) for f in parent.items) < 2)

    def introduce(self, definition, parent):
        for var, d in self.intermediates:
            if d == definition:
                return var
        var = E.Var(self.fresh(definition), definition.shape, "intermediate")
        self.intermediates.append((var, definition))
        return var

    def fresh(self, d) -> str:
        while self.names:
            name = self.names.pop(0)
            if name not in self.taken:
                self.taken.add(name)
                return name
        matrix = not is_vectorish(d.shape)
        stem = ("H" if matrix else "h") if isinstance(d, (E.Func, E.Max)) else ("Z" if matrix else "z")
        if d.is_scalar:
            stem = "s"
        while True:
            self.counts[stem] += 1
            name = f"{stem}_{self.counts[stem]}"
            if name not in self.taken:
                self.taken.add(name)
                return name


def decompose(expr, wrt, names=None, output=None):
    taken = {v.name for v in [*E.variables(expr), *wrt]}
    namer = _Namer(wrt, names, taken)
    root = namer.visit(expr)
    name = output or ("L" if "L" not in namer.taken else output_name(namer.taken))
    return namer.intermediates, E.Var(name, expr.shape, "intermediate"), root


# ---------------------------------------------------------------- steps 2–4: the backward pass


def _delta_name(v, taken) -> str:
    m = re.fullmatch(r"[A-Za-z]+_(\d+)", v.name)
    name = f"δ_{m.group(1)}" if m else f"δ_{v.name}"
    while name in taken:
        name += "_"
    taken.add(name)
    return name


class _Pass:
    def __init__(self, intermediates, out, root, wrt):
        self.nodes = intermediates + [(out, root)]
        self.out, self.wrt = out, list(wrt)
        self.steps: list = []
        self.contribs: dict = defaultdict(list)  # parameter → [(contribution in labels, rules)]
        self.value: dict = {out: E.one()}  # what G_v stands for in later formulas: δ_v or its value
        self.deltas: list = []  # (δ var, its definition)
        self.taken = {v.name for v, _ in self.nodes} | {v.name for v in self.wrt}

    def params(self, d):
        return [p for p in E.variables(d) if p in self.wrt or any(p == u for u, _ in self.nodes)]

    def run(self):
        for v, d in reversed(self.nodes):
            if v != self.out:
                self.gradient(v, shared=len(self.params(d)) > 1)
            for p in self.params(d):
                pull = Pull(p)
                c = pull(d, M.Grad(v, v.shape))
                if c is not None:
                    self.contribs[p].append((c, tuple(pull.used)))
        return {x: self.gradient(x, shared=False) for x in self.wrt}

    def gradient(self, v, shared):
        label = M.Grad(v, v.shape)
        parts = self.contribs.get(v, [])
        if not parts:
            value = E.zero(v.shape)
            self.value[v] = value
            return value
        seed = {M.Grad(self.out, self.out.shape): E.one()}  # G_L = 1
        formula = simplify(E.replace(E.add(*(c for c, _ in parts)), seed))
        mapping = {M.Grad(u, u.shape): g for u, g in self.value.items()}
        raw = E.replace(E.add(*(c for c, _ in parts)), mapping)
        value = simplify(raw)
        rules = tuple(dict.fromkeys(r for _, rs in parts for r in rs))
        sides = [label, formula] + ([value] if str(value) != str(formula) else [])
        if shared and not isinstance(value, (E.Var, E.Const, E.Zero)):
            delta = E.Var(_delta_name(v, self.taken), v.shape, "intermediate")
            self.deltas.append((delta, value))
            sides = [delta, *sides]
            self.value[v] = delta
        else:
            self.value[v] = value
        self.steps.append(Step("backward", tuple(sides), v.shape, rules, wrt=v if v in self.wrt else None))
        return value


PRINTED_FULL = 60  # a fully substituted result up to this many characters reads better than δ's
# Choosing what to print compares printed lengths, so it builds the substituted forms, as long as
# that is cheap: up to these many tree nodes, or this many times the compact form's own size. Past
# them the compact form is shown unbuilt. In 2,900 random losses (tests/test_random_matrix_expressions'
# recipes) and the catalog, every fully substituted form that was shown had under 750 nodes (those
# over 100 under 5× the compact form), and every partially substituted one under 2.5× the compact form.
# 150 rather than 400: an 8-layer network's forms were built only to be rejected, costing its doubling
# from 4 layers a factor 4.5 (the catalog's pages are the same at either).
BUILT_FULL = 150  # a fully substituted form (δ's and intermediates): often short where the δ's cancel
BUILT_PARTIAL = 60  # the intermediates substituted back: a deep network's grow with the layer's depth
BUILT_PER_COMPACT = 4


class _Sizes:
    """Tree sizes of forms with the intermediates (``partial``) or also the δ's (``full``) substituted
    back, counted without building them: a deep network's are quadratic in its depth."""

    def __init__(self, intermediates, deltas):
        self.partial = _expanded(intermediates, {})
        self.full = _expanded(deltas, self.partial)

    def small(self, compact, expanded: dict, nodes: int) -> bool:
        """Whether building ``compact`` substituted back costs little (up to ``nodes`` nodes, or a few
        times its own size): then it is built and the choice is exactly the printed lengths'."""
        size = _size_with(compact, expanded)
        return size <= nodes or size <= BUILT_PER_COMPACT * E.tree_size(compact)


def _expanded(definitions, sizes: dict) -> dict:
    """{variable: tree size of its definition with the earlier ones substituted}, on top of ``sizes``."""
    sizes = dict(sizes)
    for v, d in definitions:
        sizes[v] = _size_with(d, sizes)
    return sizes


def _size_with(e, sizes: dict) -> int:
    """tree_size(e) with each variable of ``sizes`` counted as that many nodes (shared subtrees once
    per place, as printed); bottom-up over the distinct nodes, without recursion."""
    memo, stack = {}, [e]
    while stack:
        node = stack[-1]
        pending = [a for a in node.args if id(a) not in memo]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        if isinstance(node, E.Var):
            memo[id(node)] = sizes.get(node, 1)
        elif id(node) not in memo:
            memo[id(node)] = 1 + sum(memo[id(a)] for a in node.args)
    spend(len(memo))
    return memo[id(e)]


class _Closed:
    """One variable's fully substituted closed form (numerator layout), built once, when first needed:
    to choose what to print (small forms) or when a user asks for it."""

    def __init__(self, compact, deltas, intermediates):
        self.compact, self.deltas, self.intermediates = compact, deltas, intermediates
        self._full = None

    def full(self):
        """The gradient with every δ and intermediate substituted back, simplified (x's shape)."""
        if self._full is None:
            self._full = simplify(substitute_back(substitute_back(self.compact, self.deltas), self.intermediates))
        return self._full

    def __call__(self):
        return present(simplify(E.transpose(self.full())))


def _result(compact, closed: _Closed, intermediates, sizes: _Sizes):
    """The displayed form in the numerator layout: the fully substituted form where it is short, else
    the compact one (with the intermediates substituted back where that is shorter still).

    The choice compares printed lengths, so it needs the forms built: they are where that is cheap
    (the gallery's, small cases), and where one would be large the compact form is shown unbuilt.
    """
    if not E.variables(compact):
        shown = closed.full()
    elif sizes.small(compact, sizes.full, BUILT_FULL):
        shown = compact if _prefer_compact(compact, closed.full()) else closed.full()
    else:
        shown = compact  # far longer than PRINTED_FULL and than the compact form: δ's read better
    if shown is compact and sizes.small(compact, sizes.partial, BUILT_PARTIAL):
        shown = simplify(substitute_back(compact, intermediates))
        shown = compact if len(str(shown)) > len(str(compact)) else shown
    return simplify(E.transpose(shown))


def _prefer_compact(compact, full) -> bool:
    n = len(str(full))
    return n > PRINTED_FULL and n > 2 * len(str(compact))


def run(expr, wrt, names=None, output=None, given=None):
    """(steps, closed forms {var: ∂L/∂var}, graph) as :func:`symcalc.engine.run` gives them; the closed
    forms are a :class:`~symcalc.derivation.ClosedForms`, built when asked for."""
    if not expr.is_scalar:
        raise UnsupportedError(f"the backward form needs a scalar loss; {expr} is {fmt_shape(expr.shape)}")
    for x in wrt:
        if is_row(x.shape):
            raise UnsupportedError(f"differentiate by a column vector or a matrix, not the row {x.name}")
    if given is not None:
        intermediates, out, root, _ = given_graph(expr, *given, output=output, wrt=wrt)
    else:
        intermediates, out, root = decompose(expr, wrt, names, output)
    steps = [Step("define", (v, d), d.shape) for v, d in intermediates]
    steps.append(Step("define", (out, root), root.shape))
    bw = _Pass(intermediates, out, root, wrt)
    gradients = bw.run()
    steps += bw.steps
    sizes, build = _Sizes(intermediates, bw.deltas), {}
    for x in wrt:
        build[x] = _Closed(gradients[x], bw.deltas, intermediates)
        shown = _result(gradients[x], build[x], intermediates, sizes)
        label = E.Partial(out, x, (x.shape[1], x.shape[0]))
        note = "" if E.depends(expr, x) else f"{x.name} does not occur in the expression, so the derivative is zero"
        steps.append(Step("result", (label, present(shown)), shown.shape, note=note, wrt=x))
    return steps, ClosedForms(build, gradients), (intermediates + bw.deltas, out, root)


def needs_backward(expr, wrt) -> bool:
    """A node only the backward rules know, or a path the forward Jacobians cannot take.

    The forward engine's Jacobians stop at vectors, and the trace rule takes one matrix variable
    through products and element-wise functions of matrices. Two paths would need a 4-tensor
    there, so they go backward: a variable inside a product through an outer product (v uᵀ u),
    and a scalar that depends on a variable broadcast over a matrix (Y − a, l Q)."""
    if not expr.is_scalar:
        return False
    if any(isinstance(n, (M.Trace, M.Det, M.Inv)) or (isinstance(n, M.ALONG) and not is_vectorish(n.arg.shape))
           or (isinstance(n, M.Norm) and not is_vectorish(n.arg.shape)) for n in E.walk(expr)):
        return True
    live = [v for v in wrt if E.depends(expr, v)]
    return bool(live) and _forward_cannot(expr, live, in_matrix=False)


def _forward_cannot(e, wrt, in_matrix) -> bool:
    if not any(E.depends(e, v) for v in wrt):
        return False
    if in_matrix and e.is_scalar:
        return True  # broadcast over a matrix: the forward engine would lose the count
    if isinstance(e, E.MatMul) and any(_outer(a, b) for a, b in zip(e.items, e.items[1:])):
        return True
    in_matrix = in_matrix or not is_vectorish(e.shape)
    return any(_forward_cannot(a, wrt, in_matrix) for a in e.args)


def _outer(a, b) -> bool:
    """A column times a row or a matrix: v uᵀ."""
    return a.shape[1] == ONE and a.shape[0] != ONE and b.shape[1] != ONE
