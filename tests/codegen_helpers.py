"""Shared pieces of the code-generation tests (issue 13): points away from kinks, central differences of a
generated function's value, and the comparison of a returned gradient with a reference in either layout."""
from __future__ import annotations

import numpy as np

import symcalc as sc
from symcalc.check import concrete_sizes, kink_arguments
from symcalc.functions import FUNCTIONS

KINK_MARGIN = 1e-3

FUNCTION_LOSSES = {  # a scalar loss per function the numeric evaluator knows (log and sqrt kept in their domain)
    **{name: f"sum({name}({'x * x + 1' if name in ('log', 'sqrt') else 'x'}) * x)" for name in sorted(FUNCTIONS)},
    "softmax, axis 1": "sum(softmax(X, axis=1) * Y)",
    "softmax, axis 0": "sum(softmax(X, axis=0) * Y)",
    "log_softmax": "sum(log_softmax(X, axis=1) * Y)",
    "logsumexp": "sum(logsumexp(X, axis=1))",
    "trace": "trace(S @ S)",
    "det": "det(S @ S.T + S.T @ S)",
    "inv": "sum(inv(S @ S.T + S.T @ S) * S)",
    "norm": "norm(X)",
}


def function_loss(what: str, layout: str):
    """The derivation of FUNCTION_LOSSES[what] by its first variable (x, X or S)."""
    text = FUNCTION_LOSSES[what]
    wrt = next(v for v in ("x", "X", "S") if v in text.replace("axis", ""))
    return sc.derive(text, wrt, vectors="x", matrices="X:N,n Y:N,n S:n,n", layout=layout)


def arguments(d) -> list:
    """The generated function's arguments: the expression's variables, then any other of ``wrt``."""
    return list(dict.fromkeys([*sc.expr.variables(d.expr), *d.wrt]))


def point(d, rng, tries=200) -> dict | None:
    """{name: 2-D array} for every argument, at distinct small sizes, away from every kink and inside every
    domain (the expression and each closed form finite there); None if no such point turns up."""
    variables = arguments(d)
    sizes = concrete_sizes(variables)
    kinks = list(kink_arguments(d.expr)) + [k for x in d.wrt for k in kink_arguments(d.closed_form(x))]
    for _ in range(tries):
        values = {}
        for v in variables:
            shape = tuple(int(s) if s.is_Integer else sizes[s] for s in v.shape)
            values[v.name] = rng.uniform(0.3, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
            if sc.expr.is_onehot(v):  # a label: its entries (a vector) or each row (a matrix) sum to 1
                raw = rng.uniform(0.1, 1.0, shape)
                values[v.name] = raw / raw.sum(axis=0 if shape[1] == 1 else 1, keepdims=True)
        if _usable(d, values, kinks, sizes):
            return values
    return None


def _usable(d, values, kinks, sizes) -> bool:
    def value(e):
        return sc.evaluate(e, {v.name: values[v.name] for v in sc.expr.variables(e)}, sizes)

    with np.errstate(all="ignore"):
        try:
            if any(np.any(np.abs(value(k)) < KINK_MARGIN) for k in kinks):
                return False
            if not all(np.all(np.isfinite(value(e))) for e in (d.expr, *(d.closed_form(x) for x in d.wrt))):
                return False
        except (sc.SymcalcError, ArithmeticError):
            return False
    return True


def finite_differences(f, values, name, h) -> np.ndarray:
    """∂value/∂name by central differences: a row per element of the value, a column per element of the
    argument (both row by row): the numerator-layout Jacobian, 1×size for a scalar value."""
    base = np.asarray(values[name], dtype=float)
    cols = []
    for j in range(base.size):
        step = h * max(1.0, abs(base.flat[j]))
        sides = []
        for s in (step, -step):
            moved = base.copy()
            moved.flat[j] += s
            sides.append(np.asarray(f(**{**values, name: moved})[0], dtype=float).ravel())
        cols.append((sides[0] - sides[1]) / (2 * step))
    return np.column_stack(cols)


def oracle(f, values, name) -> np.ndarray | None:
    """Central differences at two step sizes; None where they disagree (a kink or round-off is near)."""
    with np.errstate(all="ignore"):
        coarse, fine = finite_differences(f, values, name, 1e-5), finite_differences(f, values, name, 1e-6)
    if not (np.all(np.isfinite(coarse)) and np.all(np.isfinite(fine))):
        return None
    scale = max(1.0, float(np.max(np.abs(fine))))
    return fine if np.max(np.abs(coarse - fine)) / scale < 1e-6 else None


def flattened(d, x, got) -> np.ndarray:
    """A returned derivative by ``x`` as the entries of the numerator-layout Jacobian, row by row (the
    order of ``finite_differences(...).ravel()``), whatever the layout and the shape it came back in.

    Symcalc's numerator layout is that Jacobian for everything but a scalar by a matrix, where it is
    the matrix's transpose; the denominator layout is the transpose of the numerator layout."""
    got = np.atleast_2d(np.asarray(got, dtype=float))
    if got.shape[0] == 1 and x.shape[1] == 1 and not x.is_scalar and d.layout == "denominator":
        got = got.T  # a vector's gradient passed back as (n,): a column
    by_matrix = d.output.is_scalar and x.shape[0] != 1 and x.shape[1] != 1
    turned = (d.layout == "denominator") != by_matrix
    return (got.T if turned else got).reshape(-1)


def relative(got, want) -> float:
    return float(np.max(np.abs(got - want)) / max(1.0, float(np.max(np.abs(want)))))
