"""Issue 12's catalog entries reach their textbook closed forms, and those forms are right.

Each expected form is built here from symcalc's expression builders (an independent tree, not a
string) and compared with the engine's result in the denominator layout, where the textbooks write
these gradients; the numerator layout must be its transpose. Every closed form is also compared
with central finite differences of a numpy implementation of the loss written here.
"""
from __future__ import annotations

import numpy as np
import pytest

import symcalc as sc
from symcalc import catalog
from symcalc import expr as E
from symcalc import matrix_builders as MB
from symcalc.shapes import size

SIZES = {"N": 5, "n": 3, "m": 4, "k": 2}
N = E.Const(size("N"))


def _inv_n(c=1):
    return E.Const(c / size("N"))


def sig(e):
    return E.apply("sigmoid", e)


# ------------------------------------------------------------- numpy losses (the oracle)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _log_softmax(z, axis):
    top = z.max(axis=axis, keepdims=True)
    return z - top - np.log(np.exp(z - top).sum(axis=axis, keepdims=True))


def _logistic_batch(v):
    p = _sigmoid(v["X"] @ v["w"] + v["b"])
    return np.mean(-(v["y"] * np.log(p) + (1 - v["y"]) * np.log(1 - p)))


def _logistic_one(v):
    p = _sigmoid((v["w"].T @ v["x"]).item() + v["b"])
    return -(v["t"] * np.log(p) + (1 - v["t"]) * np.log(1 - p))


def _softmax_classifier(v):
    return -np.mean(np.sum(v["Y"] * _log_softmax(v["X"] @ v["W"] + v["b"].T, 1), axis=1))


def _deep_tanh(v):
    H = v["X"]
    for k in range(1, 5):
        H = np.tanh(H @ v[f"W_{k}"])
    return H.sum()


def _mlp(v):
    H = np.maximum(0, v["X"] @ v["W_1"] + v["b_1"].T)
    return np.mean(np.sum((H @ v["W_2"] + v["b_2"].T - v["Y"]) ** 2, axis=1))


ORACLES = {
    ("linear-regression-batch", 0): lambda v: np.mean(np.sum((v["X"] @ v["W"] - v["Y"]) ** 2, axis=1)),
    ("logistic-regression-batch", 0): _logistic_one,
    ("logistic-regression-batch", 1): _logistic_batch,
    ("softmax-classifier", 0): _softmax_classifier,
    ("mlp-batch", 0): _mlp,
    ("deep-tanh", 0): _deep_tanh,
    ("logsumexp", 0): lambda v: np.log(np.exp(v["x"]).sum()),
    ("logsumexp", 1): lambda v: -np.sum(v["y"] * _log_softmax(v["z"], 0)),
    ("cookbook", 0): lambda v: np.trace(v["A"] @ v["X"]),
    ("cookbook", 1): lambda v: (v["a"].T @ v["M"] @ v["b"]).item(),
    ("cookbook", 2): lambda v: (v["b"].T @ np.linalg.inv(v["X"]) @ v["x"]).item(),
    ("cookbook", 3): lambda v: np.sum((v["C"] - v["U"] @ v["V"]) ** 2),
    ("cookbook", 4): lambda v: np.log(np.linalg.det(v["X"])),
    ("cookbook", 5): lambda v: (v["x"].T @ v["A"] @ v["x"]).item(),
}


def _values(d, rng, labels):
    out = {}
    for v in E.variables(d.expr):
        shape = tuple(SIZES.get(str(s), 1) if not s.is_Integer else int(s) for s in v.shape)
        if v.name in labels:  # a one-hot label: its rows (or entries) sum to 1
            raw = rng.uniform(0.1, 1.0, shape)
            out[v.name] = raw / raw.sum(axis=0 if shape[1] == 1 else 1, keepdims=True)
        elif v.name == "X" and shape[0] == shape[1]:  # det and inv: well away from singular
            out[v.name] = np.eye(shape[0]) * 2 + rng.uniform(-0.3, 0.3, shape)
        else:
            out[v.name] = rng.uniform(-1, 1, shape)
        if v.is_scalar:
            out[v.name] = float(out[v.name].item())
    return out


def _finite_difference(f, values, name, h=1e-6):
    base = np.asarray(values[name], dtype=float)
    grad = np.zeros(np.shape(base))
    for idx in np.ndindex(*np.shape(base)):
        for sign in (1, -1):
            moved = dict(values)
            x = np.array(base, dtype=float)
            x[idx] += sign * h
            moved[name] = x if np.ndim(base) else float(x)
            grad[idx] += sign * f(moved) / (2 * h)
    return grad


@pytest.mark.parametrize("key", sorted(ORACLES))
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_entry_matches_the_numpy_oracle(key, layout):
    name, part = key
    spec = catalog.entry(name)
    d = spec.derivations(layout=layout)[part]
    rng = np.random.default_rng(part)
    labels = spec.onehot.split()
    for _ in range(2):
        values = _values(d, rng, labels)
        for v in d.wrt:
            want = _finite_difference(ORACLES[key], values, v.name)
            got = np.asarray(d.evaluate(dict(values), v),
                             dtype=float).reshape(want.shape if layout == "denominator" else want.T.shape)
            got = got if layout == "denominator" else got.T
            err = np.max(np.abs(got - want)) / max(1.0, np.max(np.abs(want)))
            assert err < 1e-6, f"{name} part {part}, ∂/∂{v.name} ({layout}): relative error {err:.1e}"


def test_every_new_entry_has_an_oracle():
    new = [n for n in catalog.names() if catalog.entry(n).section.startswith("Beyond the paper")]
    covered = {name for name, _ in ORACLES} | {"softmax-jacobian"}  # vector-valued: test_catalog checks it
    assert set(new) <= covered


# ------------------------------------------------------------- the textbook closed forms, built here


def _closed(name, part, var):
    d = catalog.entry(name).derivations(layout="denominator")[part]
    return d.closed_form(var)


X, Y, W = E.matrix("X", "N", "n"), E.matrix("Y", "N", "k"), E.matrix("W", "n", "k")
w, x, y, b = E.vector("w", "n"), E.vector("x", "n"), E.vector("y", "N"), E.scalar("b")


def test_linear_regression_batch():
    assert _closed("linear-regression-batch", 0, "W") == E.mul(_inv_n(2), X.T @ (X @ W - Y))


def test_logistic_regression_one_sample_and_batch():
    t = E.scalar("t")
    err = sig(E.dot(w, x) + b) - t
    assert _closed("logistic-regression-batch", 0, "w") == E.mul(err, x)
    assert _closed("logistic-regression-batch", 0, "b") == err
    err = sig(X @ w + b) - y
    assert _closed("logistic-regression-batch", 1, "w") == E.mul(_inv_n(), X.T @ err)
    assert _closed("logistic-regression-batch", 1, "b") == E.mul(_inv_n(), E.sum_(err))


def test_softmax_classifier_gives_p_minus_y():
    Xm, Wm, bm = E.matrix("X", "N", "n"), E.matrix("W", "n", "m"), E.vector("b", "m")
    Ym = E.matrix("Y", "N", "m", onehot=True)
    P = MB.softmax(Xm @ Wm + E.ones("N") @ bm.T, 1)
    assert _closed("softmax-classifier", 0, "W") == E.mul(_inv_n(), Xm.T @ (P - Ym))
    assert _closed("softmax-classifier", 0, "b") == E.mul(_inv_n(), (P - Ym).T @ E.ones("N"))


def test_softmax_cross_entropy_and_logsumexp_for_one_sample():
    z, yl, xv = E.vector("z"), E.vector("y", onehot=True), E.vector("x")
    assert _closed("logsumexp", 0, "x") == MB.softmax(xv)
    assert _closed("logsumexp", 1, "z") == MB.softmax(z) - yl


def test_cookbook():
    A, Xs, M = E.matrix("A", "n", "n"), E.matrix("X", "n", "n"), E.matrix("M", "m", "n")
    a, bv, xv = E.vector("a", "m"), E.vector("b"), E.vector("x")
    assert _closed("cookbook", 0, "X") == A.T
    assert _closed("cookbook", 1, "M") == a @ bv.T
    assert _closed("cookbook", 4, "X") == E.transpose(MB.inv(Xs))
    assert _closed("cookbook", 5, "x") == (A + A.T) @ xv
    C, U, V = E.matrix("C", "m", "n"), E.matrix("U", "m", "k"), E.matrix("V", "k", "n")
    assert _closed("cookbook", 3, "U") == E.mul(E.Const(2), (U @ V - C) @ V.T)


def test_backward_entries_show_the_shared_deltas():
    for name, deltas in (("mlp-batch", 2), ("deep-tanh", 3)):
        d = catalog.entry(name).derivations(layout="denominator")[0]
        named = [s for s in d.steps if s.phase == "backward" and str(s.sides[0]).startswith("δ")]
        assert len(named) >= deltas, f"{name}: {len(named)} δ's"
        results = [str(s.sides[-1]) for s in d.steps if s.phase == "result"]
        assert any("δ" in r for r in results), results
