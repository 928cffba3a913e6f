"""Issue 8's three reproductions of the ReLU-mask rewrite, each at its own point, in both layouts:
the printed value is the true one (central differences here), and the numeric check passes."""
from __future__ import annotations

import numpy as np
import pytest

import symcalc as sc
from helpers import checked

CASES = [  # expression, wrt, declarations, the point, the true derivative in numerator layout
    ("relu(z).T @ B @ relu(z)", "z", dict(vectors="z:2", matrices="B:2,2"),
     {"z": [1, -1], "B": [[0, 1], [1, 0]]}, [[0.0, 0.0]]),
    ("exp(sum(relu(x)))", "x", dict(vectors="x:3"), {"x": [1, -2, 0.5]}, [[np.exp(1.5), 0.0, np.exp(1.5)]]),
    ("relu(W @ x).T @ A @ relu(W @ x)", "W", dict(vectors="x:2", matrices="W:2,2 A:2,2"),
     {"x": [1, 0], "W": [[1, 0], [-1, 0]], "A": [[0, 1], [1, 0]]}, [[0.0, 0.0], [0.0, 0.0]]),
]


def _central(expr, name, point, h=1e-6):
    """∂expr/∂name at the point by central differences, laid out like the variable (numerator: transposed)."""
    base = np.asarray(point[name], dtype=float)
    out = np.zeros(base.shape)
    for idx in np.ndindex(base.shape):
        values = []
        for sign in (1, -1):
            moved = base.copy()
            moved[idx] += sign * h
            named = {**point, name: moved.tolist()}
            values.append(sc.evaluate(expr, {v: named[v.name] for v in sc.expr.variables(expr)}))
        out[idx] = (values[0] - values[1]) / (2 * h)
    return out


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
@pytest.mark.parametrize("text, wrt, decl, point, truth", CASES, ids=["quadratic-form", "exp-sum", "by-matrix"])
def test_reproduction_gives_the_true_value(text, wrt, decl, point, truth, layout):
    d = checked(sc.derive(text, wrt, layout=layout, **decl))
    got = np.asarray(d.evaluate(point), dtype=float).reshape(-1, 1 if np.ndim(point[wrt]) == 1 else len(point[wrt][0]))
    fd = _central(d.expr, wrt, point)
    fd = fd.reshape(got.shape) if np.ndim(point[wrt]) == 1 else (fd if layout == "denominator" else fd.T)
    truth = np.asarray(truth)
    truth = truth.reshape(got.shape) if np.ndim(point[wrt]) == 1 else (truth.T if layout == "denominator" else truth)
    assert np.allclose(got, fd, atol=1e-6) and np.allclose(got, truth, atol=1e-6)
