"""Issue 13: random expressions compiled to numpy, against the independent oracles of the property tests
(numpy functions built from the same recipes, differentiated by central differences) and against
symcalc's own evaluate(). The recipes are those of tests/test_random_expressions.py (vectors, kinks,
quadratic forms) and tests/test_random_matrix_expressions.py (scalar losses through matrices,
broadcasts, softmax, inverses, determinants), with fewer examples; every generated module must also
pass pyflakes' checks (run in process here: a subprocess per example would dominate the time)."""
from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symcalc as sc
from symcalc.codegen import to_source

import test_random_expressions as vec
import test_random_matrix_expressions as mat

pyflakes_api = pytest.importorskip("pyflakes.api", reason="pyflakes is in the test extra: pip install '.[test]'")
from pyflakes.reporter import Reporter  # noqa: E402

EXAMPLES = int(os.environ.get("SYMCALC_CODEGEN_EXAMPLES", "40"))
SETTINGS = dict(max_examples=EXAMPLES, derandomize=True, **vec.SETTINGS)


def _lint(source: str) -> None:
    import io

    out, err = io.StringIO(), io.StringIO()
    warnings = pyflakes_api.check(source, "generated.py", Reporter(out, err))
    assert warnings == 0, out.getvalue() + err.getvalue() + source


def _passed(env_value, as_1d: bool):
    """A vector passed as shape (n,) or (n, 1), the generated code takes both."""
    a = np.asarray(env_value, dtype=float)
    return a.ravel() if as_1d and a.ndim == 2 and a.shape[1] == 1 and a.shape[0] > 1 else a


def _compiled(d):
    source = to_source(d)
    _lint(source)
    return d.compile()


def _check_vector_expression(expr, f, seed, layout, matrix=None):
    """Like test_random_expressions._check: by every scalar and vector variable, or by one matrix."""
    variables = [matrix] if matrix is not None else [v for v in sc.expr.variables(expr) if v not in vec.MATRICES]
    if not variables:
        return
    try:
        d = sc.derive(expr, variables, layout=layout)
    except sc.UnsupportedError:
        return  # a matrix not only in products: refused, as the property test expects
    g = _compiled(d)
    rng = np.random.default_rng(seed)
    names = [v for v in sc.expr.variables(expr)] + [v for v in variables if v not in sc.expr.variables(expr)]
    for _ in range(40):
        env = vec._point(rng)
        wants = {v: vec._oracle(f, env, v) for v in variables}
        if any(w is None for w in wants.values()):
            continue
        value, grads = g(**{v.name: _passed(env[v], rng.integers(2)) for v in names})
        assert np.allclose(value, sc.evaluate(expr, {v: env[v] for v in sc.expr.variables(expr)}))
        for v, want in wants.items():
            mine = np.asarray(d.evaluate({u: env[u] for u in sc.expr.variables(expr)}, v), dtype=float)
            got = np.asarray(grads[v.name], dtype=float).reshape(mine.shape)  # a vector as passed, a float
            assert np.allclose(got, mine, rtol=1e-8, atol=1e-10), (str(expr), v.name, layout)
            turned = (layout == "denominator") != (v in vec.MATRICES)  # as the property test reads evaluate()
            got = (got.T if turned else got).reshape(want.shape)
            assert vec._relative(got, want) < 1e-6, (str(expr), v.name, layout)
        return


@settings(**SETTINGS)
@given(vec.EXPRESSIONS, st.integers(0, 2**16), vec.LAYOUTS)
def test_random_vector_expressions_compile_and_match_the_oracle(pair, seed, layout):
    expr, f = pair
    _check_vector_expression(expr, f, seed, layout)
    for m in vec.MATRICES:
        if expr.is_scalar and m in sc.expr.variables(expr):
            _check_vector_expression(expr, f, seed, layout, matrix=m)


@settings(**SETTINGS)
@given(mat.examples(mat.DEPTH))
def test_random_matrix_losses_compile_and_match_the_oracle(example):
    (expr, f, src), wrt, seed = example
    rng = np.random.default_rng(seed)
    present = sc.expr.variables(expr)
    for layout in mat.LAYOUTS:
        d = mat._derive(expr, src, wrt, layout)
        if d is None:
            return  # refused (no rule, or over a limit): nothing to compile
        g = _compiled(d)
        names = list(dict.fromkeys([*present, *wrt]))
        for _ in range(40):
            env = mat._point(rng)
            wants = {x: mat._oracle(f, env, x) for x in wrt}
            if any(w is None for w in wants.values()):
                continue
            with np.errstate(all="ignore"):
                value, grads = g(**{v.name: _passed(env[v], rng.integers(2)) for v in names})
            assert np.allclose(value, sc.evaluate(expr, {v: env[v] for v in present}), rtol=1e-8), mat._repro(
                src, wrt, layout)
            for x, want in wants.items():  # want: the denominator layout, x's shape
                got = np.asarray(grads[x.name], dtype=float)
                got = got.reshape(want.shape) if layout == "denominator" else got.T.reshape(want.shape)
                assert mat._relative(got, want) < mat.TOLERANCE, mat._repro(src, wrt, layout)
            break
