"""Issue 13: the generated torch and jax code against the libraries' own differentiation: for every catalog
entry in both layouts (and random matrix losses), the gradients the generated backward pass returns
match torch.autograd (jax.grad, under jax.jit too) applied to the generated forward pass, and the
numpy code's gradients. Skipped, saying why, where torch or jax is not installed (the optional extra
`bench`: pip install ".[bench]")."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import symcalc as sc
from symcalc import catalog
from symcalc.codegen import to_source

from codegen_helpers import FUNCTION_LOSSES, arguments, flattened, function_loss, point

import test_random_matrix_expressions as mat

LAYOUTS = ("numerator", "denominator")
DERIVATIONS = [(name, layout, i) for name in catalog.names() if all(p.order == 1 for p in catalog.entry(name).parts)
               for layout in LAYOUTS
               for i in range(len(catalog.entry(name).parts))]


def _load(source):
    namespace = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace["value_and_grad"]


def _derivation(name, layout, i):
    return catalog.entry(name).derivations(layout, verify=False)[i]


def _reference(d, values):
    """The numpy code's gradients, flattened as the Jacobian's entries (codegen_helpers.flattened)."""
    _, grads = d.compile()(**values)
    return {x.name: flattened(d, x, grads[x.name]) for x in d.wrt}


# ---------------------------------------------------------------- torch


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch", reason="torch is not installed: pip install '.[bench]' to test --format torch")


def _torch_autograd(torch, f, d, values):
    """{name: the Jacobian's entries} by torch.autograd, through the generated forward pass alone."""
    tensors = {k: torch.tensor(np.asarray(v, dtype=float), dtype=torch.float64, requires_grad=True)
               for k, v in values.items()}
    wrt = [tensors[x.name] for x in d.wrt]
    if d.output.is_scalar:
        value, _ = f(**tensors)
        grads = torch.autograd.grad(value, wrt, allow_unused=True) if value.requires_grad else [None] * len(wrt)
        return {x.name: (np.zeros(values[x.name].size) if g is None else g.detach().numpy().ravel())
                for x, g in zip(d.wrt, grads)}
    names = list(tensors)

    def value_of(*args):
        return f(**dict(zip(names, args)))[0]

    jac = torch.autograd.functional.jacobian(value_of, tuple(tensors.values()))
    out = {}
    for x in d.wrt:
        j = jac[names.index(x.name)].detach().numpy()
        out[x.name] = j.reshape(-1, values[x.name].size).ravel()  # rows: the value's entries; columns: x's
    return out


@pytest.mark.parametrize("name, layout, i", DERIVATIONS, ids=[f"{n}-{l}-{i}" for n, l, i in DERIVATIONS])
def test_torch_code_matches_autograd(torch, name, layout, i):
    _torch_case(torch, _derivation(name, layout, i), name)


@pytest.mark.parametrize("what", sorted(FUNCTION_LOSSES))
def test_torch_spells_every_function(torch, what):
    for layout in LAYOUTS:
        _torch_case(torch, function_loss(what, layout), what)


def _torch_case(torch, d, name):
    values = point(d, np.random.default_rng(7))
    f = _load(to_source(d, "torch"))
    tensors = {k: torch.tensor(v, dtype=torch.float64) for k, v in values.items()}
    _, grads = f(**tensors)
    auto = _torch_autograd(torch, f, d, values)
    numpy_grads = _reference(d, values)
    for x in d.wrt:
        got = flattened(d, x, grads[x.name].detach().numpy())
        assert np.allclose(got, auto[x.name], rtol=1e-8, atol=1e-10), (name, x.name, got, auto[x.name])
        assert np.allclose(got, numpy_grads[x.name], rtol=1e-8, atol=1e-10)


# ---------------------------------------------------------------- jax


@pytest.fixture(scope="module")
def jax():
    jax = pytest.importorskip("jax", reason="jax is not installed: pip install '.[bench]' to test --format jax")
    jax.config.update("jax_enable_x64", True)  # compared with float64 references
    return jax


def _jax_autodiff(jax, f, d, values):
    import jax.numpy as jnp

    names = list(values)
    args = [jnp.asarray(values[k], dtype=jnp.float64) for k in names]
    argnums = tuple(names.index(x.name) for x in d.wrt)

    def value_of(*a):
        return f(**dict(zip(names, a)))[0]

    derive = jax.grad if d.output.is_scalar else jax.jacrev
    parts = derive(value_of, argnums=argnums)(*args)
    return {x.name: np.asarray(p).reshape(-1, values[x.name].size).ravel() for x, p in zip(d.wrt, parts)}


@pytest.mark.parametrize("name, layout, i", DERIVATIONS, ids=[f"{n}-{l}-{i}" for n, l, i in DERIVATIONS])
def test_jax_code_matches_jax_grad_and_runs_under_jit(jax, name, layout, i):
    _jax_case(jax, _derivation(name, layout, i), name)


@pytest.mark.parametrize("what", sorted(FUNCTION_LOSSES))
def test_jax_spells_every_function(jax, what):
    for layout in LAYOUTS:
        _jax_case(jax, function_loss(what, layout), what)


def _jax_case(jax, d, name):
    values = point(d, np.random.default_rng(7))
    f = _load(to_source(d, "jax"))
    _, grads = jax.jit(f)(**values)
    auto = _jax_autodiff(jax, f, d, values)
    numpy_grads = _reference(d, values)
    for x in d.wrt:
        got = flattened(d, x, np.asarray(grads[x.name]))
        assert np.allclose(got, auto[x.name], rtol=1e-8, atol=1e-10), (name, x.name, got, auto[x.name])
        assert np.allclose(got, numpy_grads[x.name], rtol=1e-8, atol=1e-10)


# ---------------------------------------------------------------- random matrix losses


@settings(max_examples=10, derandomize=True, **mat.SETTINGS)
@given(mat.examples(mat.DEPTH))
def test_random_matrix_losses_in_torch_and_jax_match_autodiff(torch, jax, example):
    (expr, f, src), wrt, seed = example
    d = mat._derive(expr, src, wrt, "denominator")
    if d is None:
        return
    rng, names = np.random.default_rng(seed), list(dict.fromkeys([*sc.expr.variables(expr), *wrt]))
    for _ in range(40):  # a point the property test's oracle can judge: in the domain, well-conditioned, off kinks
        env = mat._point(rng)
        if all(mat._oracle(f, env, x) is not None for x in wrt):
            values = {v.name: env[v] for v in names}
            break
    else:
        return
    for load, autodiff, convert in (
            (lambda: _load(to_source(d, "torch")), lambda f: _torch_autograd(torch, f, d, values),
             lambda g: g.detach().numpy()),
            (lambda: _load(to_source(d, "jax")), lambda f: _jax_autodiff(jax, f, d, values), np.asarray)):
        f = load()
        inputs = values if convert is np.asarray else {k: torch.tensor(v, dtype=torch.float64) for k, v in values.items()}
        _, grads = f(**inputs)
        auto = autodiff(f)
        for x in wrt:
            got = flattened(d, x, convert(grads[x.name]))
            assert np.allclose(got, auto[x.name], rtol=1e-7, atol=1e-9), mat._repro(src, wrt, "denominator")


def test_arguments_helper_lists_the_expression_variables_first():
    d = sc.derive("x ** 2", ["y", "x"], scalars="x y")
    assert [v.name for v in arguments(d)] == ["x", "y"]


# ---------------------------------------------------------------- second derivatives

SECOND = [(name, layout, i) for name in catalog.names() if any(p.order == 2 for p in catalog.entry(name).parts)
          for layout in LAYOUTS for i in range(len(catalog.entry(name).parts))]


def _second(source):
    namespace = {}
    exec(compile(source, "<generated>", "exec"), namespace)
    return namespace["value_grad_hessian"], namespace["hessian_vector_product"]


def _block(d, H):
    """The block as ∂²f/∂xᵢ∂yⱼ whichever layout it came back in (cf. test_codegen_hessian._numerator)."""
    H = np.atleast_2d(np.asarray(H, dtype=float))
    return H.T if d.layout == "denominator" and len(d.wrt) == 2 else H


@pytest.mark.parametrize("name, layout, i", SECOND, ids=[f"{n}-{l}-{i}" for n, l, i in SECOND])
def test_torch_hessian_code_matches_autograd_functional_hessian(torch, name, layout, i):
    """The generated torch Hessian against torch.autograd.functional.hessian of the generated value, the
    generated product against torch.autograd.functional.hvp (a single variable's Hessian)."""
    d = _derivation(name, layout, i)
    values = point(d, np.random.default_rng(4))
    f, hvp = _second(to_source(d, "torch"))
    tensors = {k: torch.tensor(np.asarray(v, dtype=float), dtype=torch.float64) for k, v in values.items()}
    x, y = d.wrt[0].name, d.wrt[-1].name
    _, _, H = f(**tensors)

    if x == y:
        block = torch.autograd.functional.hessian(lambda a: f(**{**tensors, x: a})[0], tensors[x])
    else:
        block = torch.autograd.functional.hessian(lambda a, b: f(**{**tensors, x: a, y: b})[0],
                                                  (tensors[x], tensors[y]))[0][1]
    want = block.detach().numpy().reshape(values[x].size, values[y].size)
    assert np.allclose(_block(d, H.detach().numpy()), want, rtol=1e-8, atol=1e-10)
    v = torch.tensor(np.random.default_rng(5).normal(size=values[y].shape), dtype=torch.float64)
    got = hvp(**tensors, v=v).detach().numpy().ravel()
    assert np.allclose(got, want @ v.numpy().ravel(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name, layout, i", SECOND, ids=[f"{n}-{l}-{i}" for n, l, i in SECOND])
def test_jax_hessian_code_matches_jax_hessian(jax, name, layout, i):
    d = _derivation(name, layout, i)
    values = point(d, np.random.default_rng(4))
    f, hvp = _second(to_source(d, "jax"))
    x, y = d.wrt[0].name, d.wrt[-1].name
    _, _, H = f(**values)
    if x == y:
        want = jax.hessian(lambda a: f(**{**values, x: a})[0])(values[x])
    else:
        want = jax.jacfwd(jax.grad(lambda b, a: f(**{**values, x: a, y: b})[0], argnums=1), argnums=0)(
            values[y], values[x])
    want = np.asarray(want).reshape(values[x].size, values[y].size)
    assert np.allclose(_block(d, np.asarray(H)), want, rtol=1e-8, atol=1e-10)
    v = np.random.default_rng(5).normal(size=values[y].shape)
    got = np.asarray(hvp(**values, v=v)).ravel()
    assert np.allclose(got, want @ v.ravel(), rtol=1e-8, atol=1e-10)
