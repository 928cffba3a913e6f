"""Property test (issue 13): second derivatives of random scalar expressions against an independent
oracle, second-order central differences of a numpy function built from the same recipe (never
symcalc's own gradient or checker).

The expressions are test_random_expressions' recipes of kind "s" (scalars a, c, vectors u, v of length
n = 3, w of length N = 4, matrices M (N×n) and B (n×n); kinks relu, abs and max at mixed-sign points).
Each example takes the Hessian by one vector variable of the expression, or (half the time) the mixed
block by it and a second variable of the expression (another vector, or a scalar), in either layout,
and compares with the oracle:

* ``sc.hessian(f, x[, y], layout=...).evaluate(...)``, the closed form;
* the compiled code's Hessian, ``value, gradient, H = d.compile()(...)`` (the value against f, too);
* the compiled product ``f.hvp(..., v=t)`` against oracle_H @ t;
* ``sc.hvp(f, x[, y], v="t").evaluate(...)`` against oracle_H @ t ("t", since the recipes have a v).

The oracle: H[i, j] = ∂²f/∂xᵢ∂yⱼ ≈
    (f(x+hᵢ, y+hⱼ) − f(x+hᵢ, y−hⱼ) − f(x−hᵢ, y+hⱼ) + f(x−hᵢ, y−hⱼ)) / (4h²)
(the steps in x and in y; for a single variable both in x). Its truncation error is about h²·|f⁗|/3 and
its round-off about ε·|f|/h² (ε = 2.2e-16): h ≈ ε^¼ ≈ 1e-4 balances them at about 1e-8 of the scale of f
and its fourth derivatives, so the steps are 1e-4 and 2e-4 (smaller steps lose to round-off, larger ones
to truncation; measured over 200 recipes, the error at 1e-4 stayed below 4e-7 of the Hessian's scale).
The oracle is the 1e-4 differences, usable only where the two agree to 5e-7 of the scale: where they do
not (a kink inside the stencil, or a function too large for its Hessian), another point is drawn, as
test_random_expressions does. Whichever error dominates, the two steps' difference bounds the error of
the finer one (a truncation error 4× smaller, a round-off 4× larger at the finer step), so the oracle
is within about 7e-7 of the truth and the 1e-6 tolerance (relative to max(1, |H|), the other property
tests' measure) is reachable with second differences in float64 — no gradient is needed. For H t the
scale is max(1, max over i of Σⱼ |Hᵢⱼ tⱼ|), which bounds how far the oracle's error can carry.

Expressions symcalc refuses (sc.UnsupportedError, from sc.hessian, or from sc.hvp and d.compile() where
only the product cannot be derived: the Hessian is still compared) are counted, and the run fails if more
than a third of its examples were refused, or if fewer than half were compared in full at a usable point
(so the test cannot pass by testing nothing); a sc.VerificationError (a self-check failing) is a failure,
not a skip.

80 examples of depth 3 by default, the same ones every run (about 30 s: the derivations' sympy
simplification dominates; SYMCALC_HESSIAN_EXAMPLES and SYMCALC_HESSIAN_DEPTH for more); `pytest -m slow`
runs 2,000 of depth 4 (SYMCALC_HESSIAN_SLOW_EXAMPLES), random ones each run.
"""
from __future__ import annotations

import inspect
import os
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcalc as sc

import test_random_expressions as vec

VECTORS = (vec.U, vec.V, vec.W)
SCALARS = (vec.A, vec.C)
STEPS = (1e-4, 2e-4)  # the oracle's step sizes: see the module's docstring
AGREEMENT = 5e-7  # the two steps' differences must agree to this (relative), or another point is drawn
TOLERANCE = 1e-6
DIRECTION = "t"  # sc.hvp's direction, named apart from the recipes' variables (v is one)
EXAMPLES = int(os.environ.get("SYMCALC_HESSIAN_EXAMPLES", "80"))
DEPTH = int(os.environ.get("SYMCALC_HESSIAN_DEPTH", "3"))  # the recipes' nesting; the slow run's is 4
SLOW_EXAMPLES = int(os.environ.get("SYMCALC_HESSIAN_SLOW_EXAMPLES", "2000"))


def _has_vector(pair) -> bool:
    return any(x in sc.expr.variables(pair[0]) for x in VECTORS)


@st.composite
def examples(draw, depth=None):
    """(expression, numpy function, x, y, layout, seed): y is x for a Hessian, another variable for a block."""
    expr, f = draw(vec.recipe("s", DEPTH if depth is None else depth).filter(_has_vector))
    present = sc.expr.variables(expr)
    x = draw(st.sampled_from([v for v in VECTORS if v in present]))
    others = [v for v in (*VECTORS, *SCALARS) if v in present and v != x]
    y = draw(st.sampled_from(others)) if others and draw(st.booleans()) else x
    return expr, f, x, y, draw(vec.LAYOUTS), draw(st.integers(0, 2**16))


def second_differences(f, env, x, y, h) -> np.ndarray:
    """∂²f/∂xᵢ∂yⱼ by central differences with step h in x and in y: an (size x)×(size y) array."""
    def value(i, si, j, sj):
        moved = dict(env)
        moved[x] = env[x].copy()
        moved[x].flat[i] += si * h
        moved[y] = moved[y].copy()  # x's array again when y is x: both steps in it
        moved[y].flat[j] += sj * h
        return float(np.asarray(f(moved)).ravel()[0])

    H = np.empty((env[x].size, env[y].size))
    for i in range(H.shape[0]):
        for j in range(H.shape[1]):
            if x == y and j < i:
                H[i, j] = H[j, i]  # the same four points
                continue
            H[i, j] = (value(i, 1, j, 1) - value(i, 1, j, -1) - value(i, -1, j, 1) + value(i, -1, j, -1)) / (4 * h * h)
    return H


def oracle(f, env, x, y) -> np.ndarray | None:
    """The numerator block ∂²f/∂xᵢ∂yⱼ at steps 1e-4 and 2e-4; None where they are not finite or disagree."""
    with np.errstate(all="ignore"):
        fine, coarse = (second_differences(f, env, x, y, h) for h in STEPS)
    if not (np.all(np.isfinite(fine)) and np.all(np.isfinite(coarse))):
        return None
    return fine if vec._relative(coarse, fine) < AGREEMENT else None


def _numerator(got, x, y, layout) -> np.ndarray:
    """A returned block as the numerator-layout (size x)×(size y) array, whatever shape it came in."""
    got = np.asarray(got, dtype=float)
    sizes = (1 if x.is_scalar else vec.SIZES[str(x.shape[0])], 1 if y.is_scalar else vec.SIZES[str(y.shape[0])])
    if layout == "denominator" and x != y:
        return got.reshape(sizes[::-1]).T
    return got.reshape(sizes)


def _passed(value, rng):
    """A vector passed as shape (n,) or (n, 1) at random, a scalar as a float: the generated code takes both."""
    a = np.asarray(value, dtype=float)
    if a.size == 1:
        return float(a.ravel()[0])
    return a.ravel() if a.shape[1] == 1 and rng.integers(2) else a


def _product_error(got, H, t) -> float:
    """H t's error against the oracle, relative to max(1, max over i of Σⱼ |Hᵢⱼ tⱼ|)."""
    want = H @ t
    scale = max(1.0, float(np.max(np.abs(H) @ np.abs(t))))
    return float(np.max(np.abs(np.asarray(got, dtype=float).reshape(want.shape) - want))) / scale


def repro(expr, x, y, layout, seed) -> str:
    wrt = x.name if x == y else f"{x.name}, {y.name}"
    return f"sc.hessian({expr}, {wrt}, layout={layout!r}) at seed {seed}"


def check(example) -> str:
    """Compare one example with the oracle: "checked"; "refused" (sc.hessian raised sc.UnsupportedError);
    "product refused" (the Hessian checked, but H t could not be derived: sc.hvp, and d.compile(), which
    derives it too, raised sc.UnsupportedError); or "no point" (no point of 40 where the oracle's two
    steps agree). A wrong value, or a sc.VerificationError, raises AssertionError."""
    expr, f, x, y, layout, seed = example
    wrt = (x,) if x == y else (x, y)
    where = repro(expr, x, y, layout, seed)
    try:
        d = sc.hessian(expr, *wrt, layout=layout)
    except sc.UnsupportedError:
        return "refused"
    except sc.VerificationError as exc:
        raise AssertionError(f"{where}: the self-check failed: {exc}") from exc
    present = sc.expr.variables(expr)
    rng = np.random.default_rng(seed)
    for _ in range(40):
        env = vec._point(rng)
        want = oracle(f, env, x, y)
        if want is not None:
            break
    else:
        return "no point"
    values = {v.name: env[v] for v in present}
    t = rng.uniform(-1, 1, want.shape[1])
    direction = t.reshape(env[y].shape)

    got = _numerator(d.evaluate(values), x, y, layout)
    err = vec._relative(got, want)
    assert err < TOLERANCE, f"{where}: evaluate() off by {err:.2e}\ngot\n{got}\nwant\n{want}"

    status = "checked"
    try:
        compiled = d.compile()
    except sc.UnsupportedError:
        compiled, status = None, "product refused"
    except sc.VerificationError as exc:
        raise AssertionError(f"{where}: d.compile(): the product's self-check failed: {exc}") from exc
    if compiled is not None:
        passed = {name: _passed(val, rng) for name, val in values.items()}
        value, _, H = compiled(**passed)
        assert abs(value - float(f(env).ravel()[0])) <= 1e-9 * max(1.0, abs(value)), f"{where}: compiled value"
        got = _numerator(H, x, y, layout)
        err = vec._relative(got, want)
        assert err < TOLERANCE, f"{where}: compiled Hessian off by {err:.2e}\ngot\n{got}\nwant\n{want}"
        (name,) = [p for p in inspect.signature(compiled.hvp).parameters if p not in passed]
        got = compiled.hvp(**passed, **{name: _passed(direction, rng)})
        err = _product_error(got, want, t)
        assert err < TOLERANCE, f"{where}: compiled hvp off by {err:.2e}\ngot {np.ravel(got)}\nwant {want @ t}"

    try:
        product = sc.hvp(expr, *wrt, v=DIRECTION)
    except sc.UnsupportedError:
        return "product refused"
    except sc.VerificationError as exc:
        raise AssertionError(f"{where}: sc.hvp(..., v={DIRECTION!r}): the self-check failed: {exc}") from exc
    got = product.evaluate({**values, DIRECTION: direction})
    err = _product_error(got, want, t)
    assert err < TOLERANCE, (f"{where}: sc.hvp(..., v={DIRECTION!r}).evaluate() off by {err:.2e}\n"
                             f"got {np.ravel(got)}\nwant {want @ t}")
    return status


SETTINGS = dict(deadline=None, database=None, suppress_health_check=vec.SETTINGS["suppress_health_check"])


def run(count: int, depth=None, **extra) -> Counter:
    """``count`` examples through :func:`check`; fails when too many were refused or unchecked."""
    tally = Counter()

    @settings(max_examples=count, **SETTINGS, **extra)
    @given(examples(depth))
    def one(example):
        tally[check(example)] += 1

    one()
    total = sum(tally.values())
    print(f"random Hessians: {dict(tally)}")
    refused = tally["refused"] + tally["product refused"]
    assert refused <= total / 3, f"symcalc refused {refused} of {total} examples: {dict(tally)}"
    assert tally["checked"] >= total / 2, f"only {tally['checked']} of {total} examples were compared: {dict(tally)}"
    return tally


def test_random_hessians_match_second_differences():
    run(EXAMPLES, derandomize=True)


@pytest.mark.slow
def test_random_hessians_slow():
    run(SLOW_EXAMPLES, depth=4)


# Failures the random examples found, kept as explicit regression tests (each with its oracle).

U, V, W, M, B, A = vec.U, vec.V, vec.W, vec.M, vec.B, vec.A


def _at(seed=0):
    rng = np.random.default_rng(seed)
    env = vec._point(rng)
    return env, rng.uniform(-1, 1, (3, 1))


def test_regression_compiled_hvp_of_a_linear_function_takes_the_direction():
    """wᵀMu is linear in u: H v = 0⃗ has no v in it, and the generated hessian_vector_product lost its
    argument v (f.hvp(..., v=...) raised TypeError)."""
    env, t = _at()
    f = sc.hessian(W.T @ M @ U, U).compile()
    assert list(inspect.signature(f.hvp).parameters) == ["w", "M", "u", "v"]
    got = f.hvp(w=env[W], M=env[M], u=env[U].ravel(), v=t.ravel())
    assert got.shape == (3,) and np.all(got == 0)


def test_regression_hvp_evaluate_takes_every_variable_of_f():
    """a + u·u: v·∇f = v·(2u) has no a, and sc.hvp(...).evaluate refused the value of a ("'a' is not a
    variable of t·(2 u)"), where the Hessian's evaluate takes every variable of f."""
    env, t = _at()
    d = sc.hvp(A + U.T @ U, U, v=DIRECTION)
    got = d.evaluate({"a": env[A], "u": env[U], DIRECTION: t})
    assert np.allclose(got, 2 * t, rtol=1e-12)


def test_regression_hvp_derived_in_the_backward_form_passes_its_self_check():
    """exp(vᵀB(u sum(v))): the product v·∇f is derived in the backward form, whose compact forms
    name that pass's intermediates and δ's (u₃, δ₄, ...); the derivation kept only the gradient's, so
    its self-check drew the rest at random and raised VerificationError on a correct H t (both
    sc.hvp and the compiled product, which derives it too)."""
    env, t = _at()
    expr = sc.exp(V.T @ B @ (U * sc.sum(V)))
    Bm, u, v = env[B], env[U], env[V]
    g = (v.T @ Bm @ u).item() * v.sum()
    grad = v.sum() * Bm @ u + (v.T @ Bm @ u).item()  # ∇g, so ∇f = exp(g) ∇g
    hessian = np.exp(g) * (grad @ grad.T + Bm @ u @ np.ones((1, 3)) + np.ones((3, 1)) @ (Bm @ u).T)
    want = oracle(lambda e: np.exp((e[V].T @ e[B] @ (e[U] * e[V].sum()))), env, V, V)
    assert vec._relative(hessian, want) < TOLERANCE  # the formula, against the oracle
    d = sc.hvp(expr, V, v=DIRECTION)
    assert _product_error(d.evaluate({"u": u, "v": v, "B": Bm, DIRECTION: t}), hessian, t.ravel()) < 1e-10
    f = sc.hessian(expr, V).compile()
    assert _product_error(f.hvp(u=u, v=v, B=Bm, v_1=t), hessian, t.ravel()) < 1e-10


DIAGONAL = {  # name: (f, its numpy function, the second variable of a mixed block)
    "wᵀM tanh(u)": (W.T @ M @ sc.tanh(U), lambda e: e[W].T @ e[M] @ np.tanh(e[U]), W),
    "wᵀM relu(u) + sum(u³)": (W.T @ M @ sc.relu(U) + sc.sum(U * U * U),
                              lambda e: e[W].T @ e[M] @ np.maximum(0, e[U]) + (e[U] ** 3).sum(), W),
    "vᵀB (u ⊗ u ⊗ u)": (V.T @ B @ (U * U * U), lambda e: e[V].T @ e[B] @ e[U] ** 3, V),
}


@pytest.mark.parametrize("name", DIAGONAL)
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_regression_gradients_with_a_diagonal_matrix_have_a_hessian(name, layout):
    """The gradient of wᵀM tanh(u) is diag(1 − tanh(u)²) Mᵀw: the second phase refused the product
    (UnsupportedError "depends on u through the matrix diag(...)"), about a quarter to a third of the
    random expressions; diag(a) r is the vector a ⊗ r, differentiated as such."""
    expr, numpy, y = DIAGONAL[name]
    for second in (U, y):
        assert check((expr, numpy, U, second, layout, 0)) == "checked", repro(expr, U, second, layout, 0)


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_regression_a_column_times_a_row_times_a_column(layout):
    """∇(uᵀB exp(w·w + u)) = 2 w 1⃗ᵀ (...): differentiating the column w in the product w 1⃗ᵀ c, the
    1×1 rest 1⃗ᵀc was multiplied on as matrices (I 1⃗ᵀ c, read as N×1), so the Hessian's (1⃗ᵀc) I
    became (1⃗ᵀc) 1⃗ 1⃗ᵀ and the self-check raised VerificationError (before any other change here)."""
    expr = U.T @ B @ sc.exp(W.T @ W + U)
    f = lambda e: e[U].T @ e[B] @ np.exp(e[W].T @ e[W] + e[U])  # noqa: E731
    assert check((expr, f, W, W, layout, 0)) == "checked"
    square = sc.exp(W.T @ W + U).T @ B @ sc.exp(W.T @ W + U)  # with a diagonal matrix in the gradient too
    g = lambda e: np.exp(e[W].T @ e[W] + e[U]).T @ e[B] @ np.exp(e[W].T @ e[W] + e[U])  # noqa: E731
    assert check((square, g, W, W, layout, 0)) == "checked"


def test_regression_hvp_through_a_diagonal_matrix():
    """exp(wᵀMu − u)ᵀB exp(wᵀMu − u): the Hessian by w was derived, but H t was refused ("no rule passes a
    gradient back through Diag (diag(exp(u₂)), n×n)": v·∇f goes to the backward form, which had no rule
    for diag(a)) by sc.hvp and by d.compile(), which then generated no value_grad_hessian either. 17 in
    1,000 random examples of depth 4."""
    expr = sc.exp(W.T @ M @ U - U).T @ B @ sc.exp(W.T @ M @ U - U)
    f = lambda e: np.exp(e[W].T @ e[M] @ e[U] - e[U]).T @ e[B] @ np.exp(e[W].T @ e[M] @ e[U] - e[U])  # noqa: E731
    for x, y in ((W, W), (W, U), (U, W)):
        assert check((expr, f, x, y, "numerator", 0)) == "checked", (x.name, y.name)
    env, t = _at()
    want = oracle(f, env, W, W)
    values = {"w": env[W], "M": env[M], "u": env[U], "B": env[B]}
    t = np.resize(t, (4, 1))
    product = sc.hvp(expr, W, v=DIRECTION).evaluate({**values, DIRECTION: t})
    assert _product_error(product, want, t.ravel()) < TOLERANCE
    compiled = sc.hessian(expr, W).compile()
    assert _product_error(compiled.hvp(**values, v=t), want, t.ravel()) < TOLERANCE


def test_the_backward_form_takes_a_diagonal_matrix():
    """The backward rule behind it, in a first derivative: tr(diag(x) A) = Σ xᵢAᵢᵢ, so ∇ = A's diagonal."""
    x, A_ = sc.vector("x"), sc.matrix("A", "n", "n")
    d = sc.derive(sc.trace(sc.diag(x) @ A_), x, layout="denominator")
    rng = np.random.default_rng(1)
    Am = rng.normal(size=(3, 3))
    assert np.allclose(np.ravel(d.evaluate({"x": rng.normal(size=3), "A": Am})), np.diag(Am), rtol=1e-12)


@pytest.mark.xfail(strict=True, raises=sc.VerificationError, reason="symcalc/check.py: the self-check differences "
                   "the gradient where 1 − tanh(3 w·w)² is round-off (3 w·w ≈ 18 at its point): a false alarm")
def test_regression_hessian_where_tanh_saturates_is_not_a_verification_error():
    """tanh(3 w·w) by w (of length N): the Hessian is right (here against the oracle), but sc.hessian raises
    VerificationError: at the self-check's point (entries of w in ±[0.2, 2], N = 5, so 3 w·w ≈ 18) the
    gradient 6 (1 − tanh²) w is quantized to a few ulps of 1 − tanh², its differences are 0 at both steps,
    and they 'agree' against a closed form of 1e-13. Random σ and tanh of large arguments meet it too
    (σ((Mu)ᵀMu), max(−1, tan(tanh((w + w)ᵀMu))): 2 in 1,000 random examples of depth 4)."""
    expr = sc.tanh(3 * (W.T @ W))
    d = sc.hessian(expr, W, verify=False)
    env, _ = _at()
    want = oracle(lambda e: np.tanh(3 * (e[W].T @ e[W])), env, W, W)
    assert vec._relative(np.asarray(d.evaluate({"w": env[W]}), dtype=float), want) < TOLERANCE
    sc.hessian(expr, W)


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_regression_second_phase_in_the_backward_form_passes_its_self_check(layout):
    """By a scalar a the gradient is a scalar, and its derivative may go to the backward form: as for H v,
    the derivation kept only the gradient's intermediates, so the self-check drew the second pass's at
    random and raised VerificationError on a right second derivative: sum(exp(a M)) by a all along, and
    exp(a − u)ᵀB exp(a − u), whose second pass was refused before the backward form took diag(a)."""
    d = sc.hessian(sc.sum(sc.exp(A * M)), A, layout=layout)
    env, _ = _at()
    want = float((env[M] ** 2 * np.exp(env[A] * env[M])).sum())
    assert d.evaluate({"a": env[A], "M": env[M]}) == pytest.approx(want, rel=1e-12)
    expr = sc.exp(A - U).T @ B @ sc.exp(A - U)
    d = sc.hessian(expr, A, layout=layout)
    f = lambda e: np.exp(e[A] - e[U]).T @ e[B] @ np.exp(e[A] - e[U])  # noqa: E731
    want = oracle(f, env, A, A)
    assert vec._relative(np.asarray(d.evaluate({"a": env[A], "u": env[U], "B": env[B]}), dtype=float), want) < 1e-6
    for x, y in ((A, U), (U, A), (U, U)):  # the mixed blocks (∇ₐf is a scalar too) and the Hessian by u
        assert check((expr, f, x, y, layout, 0)) == "checked", (x.name, y.name)


@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_regression_a_diagonal_matrix_by_a_scalar_intermediate(layout):
    """((w·w) w)·w = (w·w)²: the second pass names the scalar u₅ = w·w and differentiates diag(u₅ w) by it,
    which Differ.by_scalar refused ("no rule differentiates the matrix diag(u₅ w) (N×N) by the scalar
    u_5"); diag(a)' = diag(a'). 4 in 400 random examples of depth 4."""
    expr = ((W.T @ W) * W).T @ W
    assert check((expr, lambda e: (e[W].T @ e[W]) ** 2, W, W, layout, 0)) == "checked"
    expr = U.T @ ((U.T @ (A * U)) * U)
    assert check((expr, lambda e: e[A] * (e[U].T @ e[U]) ** 2, U, A, layout, 0)) == "checked"
