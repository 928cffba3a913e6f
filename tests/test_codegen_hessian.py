"""Issue 13: code generation for second derivatives. `--order 2 --format numpy` prints a module with
value_grad_hessian (the value, the gradient and the Hessian) and hessian_vector_product (H v without
forming H); sc.hvp derives H v on its own.

Every Hessian the generated code returns is compared with central differences of the *generated
gradient* (itself compared with differences of the generated value), and with symcalc's evaluate();
every product H v with the Hessian times v and with differences of the gradient along v. Relative
error < 1e-6 at random points, both layouts.
"""
from __future__ import annotations

import ast
import tracemalloc

import numpy as np
import pytest

import symcalc as sc
from symcalc import catalog
from symcalc.codegen import to_source
from symcalc.hessian import product_of

from codegen_helpers import oracle, point, relative


LAYOUTS = ("numerator", "denominator")
SECOND = [n for n in catalog.names() if any(p.order == 2 for p in catalog.entry(n).parts)]
ENTRIES = [(name, layout) for name in SECOND for layout in LAYOUTS]
EXTRA = [  # beyond the catalog: a mixed block, a scalar, a kink away from its corner, a product of sums
    ("x @ (B @ y) + (x @ x) * (y @ y)", ["x", "y"], dict(vectors="x y:m", matrices="B:n,m")),
    ("x ** 3 * z + sin(x * z)", ["x"], dict(scalars="x z")),
    ("sum(relu(A @ x) ** 2) + norm(x) ** 4", ["x"], dict(vectors="x", matrices="A:m,n")),
    ("sum(exp(A @ x)) * (c @ x)", ["x"], dict(vectors="x c", matrices="A:m,n")),
]


def _derivations(name, layout):
    return catalog.entry(name).derivations(layout, verify=False)


def _gradient(f):
    """The generated gradient as a function of its own, for central differences of it."""
    return lambda **values: (f(**values)[1],)


def _numerator(d, H) -> np.ndarray:
    """The block as ∂²f/∂xᵢ∂yⱼ, n×m, whichever layout it came back in."""
    H = np.atleast_2d(np.asarray(H, dtype=float))
    return H.T if d.layout == "denominator" and len(d.wrt) == 2 else H


def check_second(d, values, rng):
    """value_grad_hessian and hessian_vector_product at ``values`` against differences and evaluate()."""
    f = d.compile()
    x, y = d.wrt[0], d.wrt[-1]
    value, grad, H = f(**values)
    present = {v.name: values[v.name] for v in sc.expr.variables(d.expr)}
    assert np.allclose(value, sc.evaluate(d.expr, present), rtol=1e-9, atol=1e-12)
    assert np.shape(grad) == (() if x.is_scalar else np.shape(values[x.name]))  # a number, or as passed in
    fd = oracle(f, values, x.name)
    if fd is not None:
        assert relative(np.ravel(grad), fd.ravel()) < 1e-6, (grad, fd)
    H = _numerator(d, H)
    assert np.allclose(H, _numerator(d, d.evaluate(present)), rtol=1e-8, atol=1e-10)
    fd = oracle(_gradient(f), values, y.name)
    assert fd is not None, "the gradient's differences disagree at two step sizes"
    assert relative(H, fd) < 1e-6, (H, fd)
    v = rng.normal(size=np.shape(values[y.name]))
    product = f.hvp(**values, v=v)
    assert np.shape(product) == (() if x.is_scalar else np.shape(values[x.name]))
    assert relative(np.ravel(product), H @ np.ravel(v)) < 1e-8


@pytest.mark.parametrize("name, layout", ENTRIES, ids=[f"{n}-{l}" for n, l in ENTRIES])
def test_every_hessian_entry_runs_and_matches_differences_of_its_gradient(name, layout):
    rng = np.random.default_rng(13)
    for d in _derivations(name, layout):
        values = point(d, rng)
        assert values is not None, f"no usable point for {d.title}"
        check_second(d, values, rng)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("text, wrt, decl", EXTRA, ids=[t for t, _, _ in EXTRA])
def test_hessians_beyond_the_catalog(text, wrt, decl, layout):
    rng = np.random.default_rng(7)
    d = sc.hessian(text, *wrt, layout=layout, **decl)
    for _ in range(3):
        values = point(d, rng)
        check_second(d, values, rng)


def _functions(source) -> dict:
    return {n.name: n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}


def test_the_logistic_hessian_reads_like_its_derivation():
    """The Hessian is written in the forward pass's names: σ(Xw) is computed once, as u₂, and the
    Hessian Xᵀ diag(u₂ ⊗ u₄) X scales X's rows (no N×N diagonal matrix is built)."""
    source = to_source(_derivations("hessian-logistic", "numerator"))
    fns = _functions(source)
    assert set(fns) >= {"value_grad_hessian", "hessian_vector_product"}
    body = ast.unparse(fns["value_grad_hessian"])
    assert body.count("_sigmoid(") == 1 and "diagflat" not in body and "np.eye" not in body
    hess = next(line for line in body.splitlines() if line.strip().startswith("hess_w ="))
    assert "u_2 * u_4" in hess, hess


def test_the_product_never_forms_the_hessian():
    """H v for n = 3,000 (H would take 72 MB) in a few hundred kB: every step is a matrix times a vector."""
    d = _derivations("hessian-logistic", "numerator")[0]
    f = d.compile()
    rng = np.random.default_rng(0)
    N, n = 20, 3000
    X, w, y, v = rng.normal(size=(N, n)), rng.normal(size=n) / n, rng.uniform(size=N), rng.normal(size=n)
    tracemalloc.start()
    try:
        product = f.hvp(X=X, w=w, y=y, v=v)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * N * n * 4, peak  # a few copies of X at most; H alone is 8·n² bytes
    s = 1 / (1 + np.exp(-X @ w))
    assert relative(product, X.T @ (s * (1 - s) * (X @ v)) / N) < 1e-10


def test_the_softmax_product_is_p_times_v_minus_p_times_p_dot_v():
    """(diag(p) − ppᵀ)v is distributed over the sum: p ⊗ v − p (pᵀv), no n×n matrix."""
    source = to_source(_derivations("hessian-logsumexp", "numerator"))
    product = ast.unparse(_functions(source)["hessian_vector_product"])
    assert "diagflat" not in product and ".T.dot(v)" in product


# ---------------------------------------------------------------- sc.hvp


def test_hvp_is_derived_as_the_gradient_of_v_dot_the_gradient():
    """sc.hvp: the gradient's steps, then v·∇L differentiated (phase "product"); the closed form is a
    column, checked numerically, and equals the Hessian times v (both from numpy oracles here)."""
    d = sc.hvp("mean(-(y * log(sigmoid(X @ w)) + (1 - y) * log(1 - sigmoid(X @ w))))", "w",
               vectors="w:n y:N", matrices="X:N,n", output="L")
    assert d.verification.status == "passed" and d.shape[1] == 1 and d.direction.name == "v"
    phases = [s.phase for s in d.steps]
    assert "product" in phases and phases[-1] == "result" and "second" not in phases
    assert str(d.steps[-1].sides[0]) == "∇²L v" or str(d.steps[-1].sides[0]) == "∇²Lv"
    rng = np.random.default_rng(3)
    X, w, y, v = rng.normal(size=(7, 3)), rng.normal(size=3), rng.uniform(size=7), rng.normal(size=3)
    s = 1 / (1 + np.exp(-X @ w))
    H = X.T @ np.diag(s * (1 - s)) @ X / 7
    got = d.evaluate({"X": X, "w": w, "y": y, "v": v})
    assert relative(np.ravel(got), H @ v) < 1e-10


def test_hvp_of_a_mixed_block_and_of_a_scalar():
    rng = np.random.default_rng(5)
    d = sc.hvp("x @ (B @ y) + (x @ x) * (y @ y)", "x", "y", vectors="x y:m", matrices="B:n,m")
    x, y, B, v = rng.normal(size=3), rng.normal(size=2), rng.normal(size=(3, 2)), rng.normal(size=2)
    block = B + 4 * np.outer(x, y)  # ∂²f/∂x∂y
    got = d.evaluate({"x": x, "y": y, "B": B, "v": v})
    assert relative(np.ravel(got), block @ v) < 1e-10
    s = sc.hvp("x ** 3 * z", "x", v="t", scalars="x z")
    assert s.evaluate({"x": 2.0, "z": 1.5, "t": 0.5}) == pytest.approx(6 * 2.0 * 1.5 * 0.5)


@pytest.mark.parametrize("v, message", [("x", "already a variable"), ("2v", "not a valid name"),
                                        ("exp", "is a function")])
def test_hvp_refuses_a_direction_it_cannot_name(v, message):
    with pytest.raises(sc.SymcalcError, match=message):
        sc.hvp("x @ x", "x", v=v, vectors="x")


def test_product_of_names_the_direction_apart_from_the_variables():
    d = sc.hessian("v.T @ A @ v", "v", vectors="v", matrices="A:n,n")
    p = product_of(d)
    assert p.direction.name == "v_1" and p.verification.status == "passed"


def test_an_hvp_derivation_renders_in_every_format():
    """One data structure of steps: the product's phase and its label reach every renderer."""
    import json

    from symcalc.render import json as json_render
    from symcalc.render import latex, markdown
    from symcalc.render.text import PAGE, render
    from symcalc.steps import PHASES

    d = sc.hvp("x @ (B @ y) + (x @ x) * (y @ y)", "x", "y", vectors="x y:m", matrices="B:n,m")
    text = render(d, PAGE, False)
    assert PHASES["product"] in text and "(∂∇f/∂x)ᵀ" in text
    tex = latex.render(d)
    assert r"\left(\frac{\partial \nabla \mathbf{f}}{\partial \mathbf{x}}\right)^{T} \mathbf{v}" in tex
    assert PHASES["product"] in markdown.render(d)
    doc = json.loads(json_render.render([d]))
    assert "product" in {s["phase"] for s in doc["derivations"][0]["steps"]}
    assert d.check(samples=3).passed


# ---------------------------------------------------------------- the command line: --hvp


def _run(argv, capsys):
    from symcalc.cli import main

    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_hvp_prints_the_product_alone_and_its_module_runs(capsys):
    code, out, _ = _run(["derive", "hessian-logistic", "--hvp", "--format", "numpy"], capsys)
    assert code == 0 and "def hessian_vector_product(" in out and "def value_grad_hessian(" not in out
    namespace = {}
    exec(compile(out, "<cli>", "exec"), namespace)
    rng = np.random.default_rng(9)
    X, w, y, v = rng.normal(size=(6, 3)), rng.normal(size=3), rng.uniform(size=6), rng.normal(size=3)
    s = 1 / (1 + np.exp(-X @ w))
    want = X.T @ (s * (1 - s) * (X @ v)) / 6
    assert relative(namespace["hessian_vector_product"](X=X, w=w, y=y, v=v), want) < 1e-12


def test_cli_hvp_derives_checks_and_evaluates_at_a_point(capsys):
    argv = ["derive", "x.T @ A @ x", "--wrt", "x", "--hvp", "--vector", "x", "--matrix", "A:n,n", "--format", "text"]
    code, out, _ = _run([*argv, "--check", "--at", "x=1,2", "--at", "A=[[1,2],[3,4]]", "--at", "v=1,0"], capsys)
    assert code == 0 and "∇²y v = (A + Aᵀ) v" in out and "PASS" in out
    assert "[[2.]\n [5.]]" in out  # (A + Aᵀ) v at v = (1, 0): the first column of [[2, 5], [5, 8]]


def test_cli_hvp_refuses_order_1(capsys):
    code, _, err = _run(["derive", "x @ x", "--wrt", "x", "--hvp", "--order", "1", "--vector", "x"], capsys)
    assert code == 2 and "--hvp" in err


def test_a_result_that_is_an_argument_comes_back_as_a_copy():
    """∂²(xᵀBy)/∂x∂y = B and ∂(w·x)/∂w = x: the generated code returns copies, so damping the Hessian in
    place (H += λI, Levenberg–Marquardt) or updating a gradient leaves the caller's arrays alone."""
    B = np.arange(6.0).reshape(3, 2)
    f = sc.hessian("x @ (B @ y)", "x", "y", vectors="x y:m", matrices="B:n,m").compile()
    _, _, H = f(x=np.ones(3), B=B, y=np.ones(2))
    H += 1.0
    assert np.array_equal(B, np.arange(6.0).reshape(3, 2)) and np.array_equal(H, B + 1)
    x = np.array([1.0, 2.0])
    _, grads = sc.derive("w @ x", "w", vectors="w x", layout="denominator").compile()(w=np.zeros(2), x=x)
    grads["w"] *= 10
    assert x.tolist() == [1.0, 2.0]
