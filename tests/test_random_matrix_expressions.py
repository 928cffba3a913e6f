"""Property test (issue 12): random SCALAR losses through MATRIX-valued intermediates, derived by
1–3 of their variables (matrices, vectors, scalars) in both layouts — the backward form of issue 12
wherever matrix intermediates need it — against an independent oracle: a numpy function built from
the same recipe, differentiated by central finite differences here, never by symcalc's own
evaluator or checker.

The recipes build (symcalc expression, numpy function, python source) triples in parallel, typed
by shape over four distinct sizes (N=4, n=3, m=2, k=5, so a transposed or mis-sized gradient
cannot pass by accident):

* products: XW, chains such as XWV, outer products u bᵀ, a matrix used twice (GᵀG, XXᵀ, H ⊗ H);
* broadcasts: an N×m matrix plus, times or over a 1×m row (XW + 1⃗bᵀ), an N×1 column or a scalar;
* element-wise functions and arithmetic of matrices, with guarded domains (log and sqrt of A⊗A+1,
  division by B⊗B+1, exp and tan of tanh(·)), powers with a scalar exponent;
* kinks (relu, abs, maximum(0, ·), maximum(x, −x/2), leaky_relu) inside products and reductions,
  evaluated at mixed-sign points;
* reductions along an axis (sum_ and mean with axis=0/1), softmax, log_softmax and logsumexp along
  axis 1 (and 0) and of vectors, inverses of square products;
* the final reduction to a scalar: sum_, mean, trace of a square product, a quadratic form aᵀMc,
  norm(·)**2 and norm(·), logsumexp of a vector, det of a square product.

Points where the two finite-difference step sizes (1e-5, 1e-6) disagree (by more than 1e-7
relative: a kink is near, a matrix is nearly singular, or round-off is too large) are resampled.
The closed form must have the variable's shape (its transpose in the numerator layout) and agree
with the oracle to a relative error of 1e-6. A refusal must be an UnsupportedError (or a
LimitError); any other exception from derive or evaluate is a bug.

The two bug classes it found in the forward engine (a variable through an outer product, a scalar
broadcast over a matrix) are regression tests in ``tests/test_matrix_regressions.py``.

300 examples by default; `pytest -m slow` runs SYMCALC_SLOW_EXAMPLES (default 5,000) random ones;
split it over processes with a different `--hypothesis-seed` each.
"""
from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import symcalc as sc
import symcalc.expr as sx
from symcalc.errors import LimitError
from tests.helpers import agreeing_differences

SIZES = {"N": 4, "n": 3, "m": 2, "k": 5}  # distinct, so shape mix-ups show
DIMS = tuple(SIZES)
ONE = "1"
SCALAR = (ONE, ONE)

# The variables, and the source that rebuilds them for a reproduction.
PREAMBLE = ('import symcalc as sc; a, t = sc.scalar("a"), sc.scalar("t"); u, v, b, q = sc.vector("u", "n"), '
            'sc.vector("v", "N"), sc.vector("b", "m"), sc.vector("q", "k"); X, W, V, Y, S = sc.matrix("X", "N", "n"), '
            'sc.matrix("W", "n", "m"), sc.matrix("V", "m", "k"), sc.matrix("Y", "N", "m"), sc.matrix("S", "n", "n")')
a, t = sc.scalar("a"), sc.scalar("t")
u, v, b, q = sc.vector("u", "n"), sc.vector("v", "N"), sc.vector("b", "m"), sc.vector("q", "k")
X, W, V, Y, S = (sc.matrix("X", "N", "n"), sc.matrix("W", "n", "m"), sc.matrix("V", "m", "k"),
                 sc.matrix("Y", "N", "m"), sc.matrix("S", "n", "n"))
VARIABLES = (a, t, u, v, b, q, X, W, V, Y, S)
COLUMNS = {"n": u, "N": v, "m": b, "k": q}  # a column vector of each size
LEAVES = {SCALAR: [a, t], ("N", "n"): [X], ("n", "m"): [W], ("m", "k"): [V], ("N", "m"): [Y], ("n", "n"): [S],
          **{(d, ONE): [c] for d, c in COLUMNS.items()}}


def _shape(var) -> tuple:
    return tuple(SIZES.get(str(s), 1) for s in var.shape)


# ---------------------------------------------------------------- numpy oracle pieces


def _np_logsumexp(x, axis):
    top = x.max(axis=axis, keepdims=True)
    return top + np.log(np.exp(x - top).sum(axis=axis, keepdims=True))


def _np_log_softmax(x, axis):
    return x - _np_logsumexp(x, axis)


def _np_softmax(x, axis):
    return np.exp(_np_log_softmax(x, axis))


def _well_conditioned(x):
    """x, or NaN (off the domain: the oracle resamples) where x is nearly singular."""
    return x if np.linalg.cond(x) < 1e4 else np.full(x.shape, np.nan)


def _np_det(x):
    return np.array([[np.linalg.det(_well_conditioned(x))]]) if np.all(np.isfinite(x)) else np.full((1, 1), np.nan)


def _np_inv(x):
    x = _well_conditioned(x) if np.all(np.isfinite(x)) else x
    return np.linalg.inv(x) if np.all(np.isfinite(x)) else np.full(x.shape, np.nan)


def _np_norm(x):
    """‖x‖, with its kink at 0 off the domain (an argument that is identically 0, such as
    max(0, log_softmax(X)), would otherwise pass the two-step test)."""
    value = np.sqrt((x ** 2).sum())
    return np.array([[value if value > 1e-6 else np.nan]])


# ---------------------------------------------------------------- recipes: (expression, numpy function, source)


def _leaf(var):
    return var, lambda env: env[var], var.name


def _T(p):
    e, f, src = p
    return e.T, lambda env: f(env).T, f"({src}).T"


def _square_plus_one(p):
    """p ⊗ p + 1: keeps log, sqrt, a denominator and a fractional power in their domains."""
    e, f, src = p
    return e * e + 1, lambda env: f(env) ** 2 + 1, f"({src} * {src} + 1)"


def _tanh_of(p):
    e, f, src = p
    return sc.tanh(e), lambda env: np.tanh(f(env)), f"sc.tanh({src})"


def _variable(draw, shape):
    """A variable of this shape or a transposed one, or None."""
    r, c = shape
    if shape in LEAVES:
        return _leaf(draw(st.sampled_from(LEAVES[shape])))
    if (c, r) in LEAVES:
        return _T(_leaf(draw(st.sampled_from(LEAVES[(c, r)]))))
    return None


def _route(r, c):
    """The shortest chain of sizes r → ... → c along the matrix variables (N–n–m–k, N–m, n–n)."""
    edges = {(x, y) for x, y in LEAVES if ONE not in (x, y)}
    edges |= {(y, x) for x, y in edges}
    paths = [[r]]
    while True:
        paths = [p + [y] for p in paths for x, y in sorted(edges) if x == p[-1]]
        for p in paths:
            if p[-1] == c:
                return p


@st.composite
def leaf(draw, shape):
    """A variable of this shape (or transposed), or a chain of matrix variables such as XWV for N×k."""
    if shape == SCALAR and draw(st.integers(0, 2)) == 0:
        k = draw(st.sampled_from([2, 3, -1, 0.5]))
        return sc.const(k), lambda env: np.full((1, 1), float(k)), f"sc.const({k})"
    found = _variable(draw, shape)
    if found is not None:
        return found
    route = _route(*shape)
    return _matmul(*(_variable(draw, (x, y)) for x, y in zip(route, route[1:])))


def _matmul(*pairs):
    exprs = [p[0] for p in pairs]
    fs = [p[1] for p in pairs]
    out = exprs[0]
    for e in exprs[1:]:
        out = out @ e

    def f(env):
        val = fs[0](env)
        for g in fs[1:]:
            val = val @ g(env)
        return val

    return out, f, "(" + " @ ".join(p[2] for p in pairs) + ")"


SAFE_UNARY = {  # symcalc function, numpy function, argument guard keeping it in the domain
    "exp": (sc.exp, np.exp, _tanh_of),
    "log": (sc.log, np.log, _square_plus_one),
    "sqrt": (sc.sqrt, np.sqrt, _square_plus_one),
    "sin": (sc.sin, np.sin, None),
    "cos": (sc.cos, np.cos, None),
    "tan": (sc.tan, np.tan, _tanh_of),
    "tanh": (sc.tanh, np.tanh, None),
    "sigmoid": (sc.sigmoid, lambda x: 1 / (1 + np.exp(-x)), None),
    "softplus": (sc.softplus, lambda x: np.logaddexp(0.0, x), None),
}

KINKS = {  # source template, symcalc function, numpy function
    "relu": ("sc.relu({})", sc.relu, lambda x: np.maximum(0, x)),
    "abs": ("sc.abs_({})", sc.abs_, np.abs),
    "max0": ("sc.maximum(0, {})", lambda x: sc.maximum(0, x), lambda x: np.maximum(0, x)),
    "maxhalf": ("sc.maximum({0}, -{0} / 2)", lambda x: sc.maximum(x, -x / 2), lambda x: np.maximum(x, -x / 2)),
    "leaky": ("sc.leaky_relu({})", sc.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x)),
}

ARITH = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}
SYMBOLIC = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y, "/": lambda x, y: x / y}


def _unary(draw, sub, shape):
    name = draw(st.sampled_from(sorted(SAFE_UNARY)))
    f, g, guard = SAFE_UNARY[name]
    inner = draw(sub(shape))
    if guard:
        inner = guard(inner)
    e, h, src = inner
    return f(e), lambda env: g(h(env)), f"sc.{name}({src})"


def _kink(draw, sub, shape):
    template, f, g = KINKS[draw(st.sampled_from(sorted(KINKS)))]
    e, h, src = draw(sub(shape))
    return f(e), lambda env: g(h(env)), template.format(src)


def _binary(draw, sub, shape):
    """shape op shape, or shape op a broadcast row, column or scalar (either side first)."""
    r, c = shape
    others = [shape, shape, SCALAR, SCALAR]
    if r != ONE and c != ONE:
        others += [(ONE, c), (r, ONE)]
    left = draw(sub(shape))
    other = draw(st.sampled_from(others))
    right = left if other == shape and draw(st.integers(0, 3)) == 0 else draw(sub(other))  # H op H: used twice
    if draw(st.booleans()):
        left, right = right, left
    op = draw(st.sampled_from("+-*/"))
    if op == "/":
        right = _square_plus_one(right)
    (le, lf, ls), (re, rf, rs) = left, right
    return SYMBOLIC[op](le, re), lambda env: ARITH[op](lf(env), rf(env)), f"({ls} {op} {rs})"


def _pow(draw, sub, shape):
    base = draw(sub(shape))
    k = draw(st.sampled_from([2, 3, 0.5, -1]))
    if k in (0.5, -1):
        base = _square_plus_one(base)
    e, f, src = base
    return e ** sc.const(k), lambda env: f(env) ** k, f"({src}) ** sc.const({k})"


def _reduce(draw, sub, shape):
    """A row (1×c) or a column (r×1) as sum_, mean or logsumexp of a matrix along an axis."""
    r, c = shape
    x = draw(st.sampled_from(DIMS))
    axis = 0 if r == ONE else 1
    inner_shape = (x, c) if axis == 0 else (r, x)
    e, f, src = draw(sub(inner_shape))
    how = draw(st.sampled_from(["sum_", "mean", "logsumexp"] + (["sum_", "logsumexp"] if axis == 1 else [])))
    if how == "sum_":
        return sc.sum_(e, axis=axis), lambda env: f(env).sum(axis=axis, keepdims=True), f"sc.sum_({src}, axis={axis})"
    if how == "mean":
        return sc.mean(e, axis=axis), lambda env: f(env).mean(axis=axis, keepdims=True), f"sc.mean({src}, axis={axis})"
    return (sc.logsumexp(e, axis=axis), lambda env: _np_logsumexp(f(env), axis),
            f"sc.logsumexp({src}, axis={axis})")


def _softmax(draw, sub, shape):
    """softmax or log_softmax along axis 1 (sometimes 0) of a matrix; of a vector with no axis."""
    r, c = shape
    e, f, src = draw(sub(shape))
    name = draw(st.sampled_from(["softmax", "log_softmax"]))
    g = {"softmax": _np_softmax, "log_softmax": _np_log_softmax}[name]
    if c == ONE or r == ONE:
        along = 0 if c == ONE else 1
        return getattr(sc, name)(e), lambda env: g(f(env), along), f"sc.{name}({src})"
    axis = draw(st.sampled_from([1, 1, 1, 0]))
    return getattr(sc, name)(e, axis=axis), lambda env: g(f(env), axis), f"sc.{name}({src}, axis={axis})"


@st.composite
def recipe(draw, shape, depth):
    """(expression, numpy function, source) of the given shape (sizes named as in SIZES, ONE for 1)."""
    if depth <= 0 or draw(st.integers(0, 4)) == 0:
        return draw(leaf(shape))
    sub = lambda s: recipe(s, depth - 1)  # noqa: E731
    if shape == SCALAR:
        return _loss(draw, sub)
    r, c = shape
    choices = ["matmul", "matmul", "unary", "kink", "kink", "binary", "binary", "pow", "transpose"]
    if r == ONE or c == ONE:
        choices += ["reduce", "reduce"]
    if not (r == ONE and c == ONE):
        choices += ["softmax"]
    if r == c:
        choices += ["gram", "inv"]
    choice = draw(st.sampled_from(choices))
    if choice == "matmul":  # a product, sometimes a chain of three (X W V); inner size 1: an outer product c rᵀ
        x = draw(st.sampled_from(DIMS + ((ONE,) if ONE not in shape else ())))  # (@ refuses a 1×1 factor)
        if draw(st.integers(0, 2)) == 0:
            y = draw(st.sampled_from(DIMS))
            return _matmul(draw(sub((r, x))), draw(sub((x, y))), draw(sub((y, c))))
        return _matmul(draw(sub((r, x))), draw(sub((x, c))))
    if choice == "gram":  # GᵀG: one matrix used twice in a product
        g = draw(sub((draw(st.sampled_from(DIMS)), r)))
        return _matmul(_T(g), g)
    if choice == "inv":
        e, f, src = draw(_square(sub, r))
        return sc.inv(e), lambda env: _np_inv(f(env)), f"sc.inv({src})"
    if choice == "transpose":
        return _T(draw(sub((c, r))))
    return {"unary": _unary, "kink": _kink, "binary": _binary, "pow": _pow, "reduce": _reduce,
            "softmax": _softmax}[choice](draw, sub, shape)


@st.composite
def _square(draw, sub, r):
    """An r×r argument for det and inv, often a product through a size ≥ r (so it can be regular)."""
    wide = [x for x in DIMS if SIZES[x] >= SIZES[r]]
    if draw(st.booleans()):
        return draw(sub((r, r)))
    x = draw(st.sampled_from(wide))
    return _matmul(draw(sub((r, x))), draw(sub((x, r))))


def _loss(draw, sub):
    """A scalar from matrix-valued subexpressions (or, sometimes, a function of scalars)."""
    choice = draw(st.sampled_from(["sum", "sum", "mean", "trace", "trace", "quad", "quad", "norm2", "norm",
                                   "lse", "det", "unary", "kink", "binary", "pow"]))
    rows = draw(st.sampled_from(DIMS))
    cols = draw(st.sampled_from(DIMS + (ONE,)))
    if choice in ("sum", "mean"):
        e, f, src = draw(sub((rows, cols)))
        if choice == "sum":
            return sc.sum_(e), lambda env: np.array([[f(env).sum()]]), f"sc.sum_({src})"
        return sc.mean(e), lambda env: np.array([[f(env).mean()]]), f"sc.mean({src})"
    if choice == "trace":  # of a square product (cols 1: of an outer product, via the backward form), or of any
        # square subexpression
        if draw(st.booleans()):
            e, f, src = _matmul(draw(sub((rows, cols))), draw(sub((cols, rows))))
        else:
            e, f, src = draw(sub((rows, rows)))
        return sc.trace(e), lambda env: np.array([[np.trace(f(env))]]), f"sc.trace({src})"
    if choice == "quad":  # aᵀ M c, often with the same vector (or kink of it) on both sides
        left = draw(sub((rows, ONE)))
        right = left if rows == cols and draw(st.booleans()) else draw(sub((cols, ONE)))
        if cols == ONE:  # aᵀ m: symcalc's @ refuses a 1×1 factor (use *)
            return _matmul(_T(left), draw(sub((rows, cols))))
        return _matmul(_T(left), draw(sub((rows, cols))), right)
    if choice in ("norm2", "norm"):
        e, f, src = draw(sub((rows, cols)))
        if choice == "norm":
            return sc.norm(e), lambda env: _np_norm(f(env)), f"sc.norm({src})"
        return sc.norm(e) ** 2, lambda env: _np_norm(f(env)) ** 2, f"sc.norm({src}) ** 2"
    if choice == "lse":
        e, f, src = draw(sub((rows, ONE)))
        return sc.logsumexp(e), lambda env: _np_logsumexp(f(env), 0), f"sc.logsumexp({src})"
    if choice == "det":
        e, f, src = draw(_square(sub, rows))
        return sc.det(e), lambda env: _np_det(f(env)), f"sc.det({src})"
    return {"unary": _unary, "kink": _kink, "binary": _binary, "pow": _pow}[choice](draw, sub, SCALAR)


# ---------------------------------------------------------------- the check


def _point(rng):
    """Every variable at magnitudes 0.3–1.5 with mixed signs."""
    return {var: rng.uniform(0.3, 1.5, _shape(var)) * rng.choice([-1.0, 1.0], _shape(var)) for var in VARIABLES}


def _fd(f, env, var, h):
    """∂f/∂var by central differences, in var's shape (the denominator layout)."""
    grad = np.empty(env[var].shape)
    for j in range(env[var].size):
        plus, minus = env[var].copy(), env[var].copy()
        plus.flat[j] += h
        minus.flat[j] -= h
        diff = (f({**env, var: plus}) - f({**env, var: minus})) / (2 * h)
        if np.shape(diff) != (1, 1):
            raise AssertionError(f"the oracle is not scalar: {np.shape(diff)}")
        grad.flat[j] = diff[0, 0]
    return grad


TOLERANCE = 1e-6  # relative error allowed between the closed form and the oracle
AGREEMENT = 1e-7  # the two step sizes must agree this closely: the oracle's own error stays well below
# TOLERANCE (at 1e-6, a loss with large values, such as a cube of sums of XXᵀ, had finite-difference
# round-off of up to 7e-7 pass the agreement test, a hair from a false failure)


def _oracle(f, env, var):
    """Central differences at two step sizes; None where they disagree (a kink is near, or round-off)."""
    return agreeing_differences(_fd, f, env, var, AGREEMENT)


def _relative(got, want):
    return np.max(np.abs(got - want)) / max(1.0, float(np.max(np.abs(want))))


LAYOUTS = ("numerator", "denominator")


def _repro(src, wrt, layout, extra=""):
    names = ", ".join(x.name for x in wrt)
    return (f"repro: {PREAMBLE}; L = {src}; d = sc.derive(L, [{names}], layout={layout!r}, verify=False)"
            + (f"; {extra}" if extra else ""))


REFUSALS = (sc.UnsupportedError, LimitError)


def _derive(expr, src, wrt, layout):
    """The derivation, or None where symcalc refuses it (no rule, or over a limit). Any other exception
    is a bug: a ShapeError too, since the expression was built, shapes checked, before derive saw it."""
    try:
        return sc.derive(expr, list(wrt), layout=layout, verify=False)
    except REFUSALS:
        return None
    except Exception as exc:  # noqa: BLE001 - any other exception is a bug in symcalc
        raise AssertionError(f"{_repro(src, wrt, layout)} raised {type(exc).__name__}: {exc}") from exc


def check(triple, wrt, seed, points=2, stats=None):
    """Derive by ``wrt`` in both layouts; compare each gradient with the oracle at ``points`` points."""
    expr, f, src = triple
    assert expr.is_scalar, src
    derivations = {layout: _derive(expr, src, wrt, layout) for layout in LAYOUTS}
    refused = [layout for layout, d in derivations.items() if d is None]
    if refused:
        assert len(refused) == 2, f"{_repro(src, wrt, refused[0])}: refused in one layout only"
        if stats is not None:
            stats["refused"] += 1
        return
    rng = np.random.default_rng(seed)
    in_expr = sx.variables(expr)
    checked = 0
    for _ in range(40):
        env = _point(rng)
        wants = {x: _oracle(f, env, x) for x in wrt}
        if any(w is None for w in wants.values()):
            continue  # near a kink or outside a domain: draw another point
        values = {x: env[x] for x in in_expr}  # what a user has: the expression's variables
        for layout, d in derivations.items():
            for x, want in wants.items():
                def fail(what):
                    where = f"evaluate(values, {x.name}) at {({k.name: val.tolist() for k, val in values.items()})}"
                    return f"{_repro(src, wrt, layout, where)}: {what}; closed form {d.closed_form(x)}"

                try:
                    got = np.asarray(d.evaluate(dict(values), x), dtype=float)
                except Exception as exc:  # noqa: BLE001 - a derivation that was returned must evaluate
                    raise AssertionError(fail(f"raised {type(exc).__name__}: {exc}")) from exc
                if want.shape == (1, 1) and got.shape == ():  # a 1×1 result evaluates to a float
                    got = got.reshape(1, 1)
                expected = want.shape if layout == "denominator" else want.T.shape  # numerator: transposed
                assert got.shape == expected, fail(f"shape {got.shape}, expected {expected}")
                got = got if layout == "denominator" else got.T
                err = _relative(got, want)
                assert err < TOLERANCE, fail(f"relative error {err:.2e}; got {got.tolist()}, "
                                             f"finite differences {want.tolist()}")
        checked += 1
        if checked == points:
            break
    if stats is not None:
        stats["checked" if checked else "no point"] += 1


@st.composite
def examples(draw, depth):
    """A scalar loss, 1–3 of its variables, and a seed for the points."""
    triple = draw(recipe(SCALAR, depth))
    present = sorted(sx.variables(triple[0]), key=lambda x: x.name)
    if not present:  # a constant: make it depend on something
        e, f, src = triple
        triple = (e * a, lambda env: f(env) * env[a], f"({src} * a)")
        present = [a]
    wrt = draw(st.lists(st.sampled_from(present), min_size=1, max_size=min(3, len(present)), unique=True))
    return triple, wrt, draw(st.integers(0, 2**16))


DEPTH = 4  # 300 examples take about 25 s on one core
EXAMPLES = 300
SETTINGS = dict(deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


@settings(max_examples=EXAMPLES, derandomize=True, **SETTINGS)
@given(examples(DEPTH))
def test_random_matrix_losses_match_an_independent_oracle(example):
    check(*example)


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("SYMCALC_SLOW_EXAMPLES", 5_000)), **SETTINGS)
@given(examples(DEPTH))
def test_random_matrix_losses_slow(example):
    check(*example)
