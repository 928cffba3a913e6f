"""Issue 13: derivations as running code. Every catalog entry, in both layouts, compiled to numpy: the
value and the gradients match symcalc's own evaluate() and central differences of the generated
value itself; the source compiles, passes pyflakes, computes no subexpression twice, and reads like
the derivation. Names and prose that could break out of a comment, a string or a docstring cannot."""
from __future__ import annotations

import ast
import io
import py_compile
import subprocess
import sys

import numpy as np
import pytest

import symcalc as sc
from symcalc import catalog
from symcalc import expr as E
from symcalc.rules.backward import MAX_BACK
from symcalc.cli import main
from symcalc.codegen import BACKENDS, to_source
from symcalc.codegen.backends import NUMPY
from symcalc.codegen.emit import Emitter
from symcalc.errors import UnsupportedError
from symcalc.functions import FUNCTIONS

pyflakes_api = pytest.importorskip("pyflakes.api", reason="pyflakes is in the test extra: pip install '.[test]'")
from pyflakes.reporter import Reporter  # noqa: E402

from codegen_helpers import FUNCTION_LOSSES, flattened, function_loss, oracle, point, relative

LAYOUTS = ("numerator", "denominator")
FIRST_ORDER = [n for n in catalog.names() if all(p.order == 1 for p in catalog.entry(n).parts)]  # Hessians: test_codegen_hessian.py
ENTRIES = [(name, layout) for name in FIRST_ORDER for layout in LAYOUTS]




def _derivations(name, layout):
    return catalog.entry(name).derivations(layout, verify=False)


def check_compiled(d, values, f=None):
    """The compiled function at ``values`` against evaluate() and central differences of its own value."""
    f = f or d.compile()
    value, grads = f(**values)
    present = {v.name: values[v.name] for v in sc.expr.variables(d.expr)}
    want = sc.evaluate(d.expr, present)
    assert np.allclose(value, want, rtol=1e-9, atol=1e-12), (value, want)
    assert list(grads) == [x.name for x in d.wrt]
    for x in d.wrt:
        got = flattened(d, x, grads[x.name])
        reference = flattened(d, x, d.evaluate(present, x))
        assert np.allclose(got, reference, rtol=1e-8, atol=1e-10), (x, got, reference)
        fd = oracle(f, values, x.name)
        if fd is not None:
            assert relative(got, fd.ravel()) < 1e-6, (x, got, fd)


@pytest.mark.parametrize("name, layout", ENTRIES, ids=[f"{n}-{l}" for n, l in ENTRIES])
def test_every_catalog_entry_runs_and_matches_evaluate_and_finite_differences(name, layout):
    rng = np.random.default_rng(13)
    for d in _derivations(name, layout):
        values = point(d, rng)
        if values is None:  # ln det X: a point with det X > 0 turns up; nothing else should be here
            pytest.fail(f"no usable point for {d.title}")
        check_compiled(d, values)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("name", catalog.names())
def test_generated_source_compiles_and_passes_pyflakes(name, backend, tmp_path):
    """Every entry (Hessians too), both layouts, every backend: py_compile and pyflakes (in process)
    find nothing."""
    for layout in LAYOUTS:
        path = tmp_path / f"{name}_{layout}.py"
        path.write_text(to_source(_derivations(name, layout), backend), encoding="utf-8")
        py_compile.compile(str(path), cfile=str(tmp_path / "out.pyc"), doraise=True)
        out, err = io.StringIO(), io.StringIO()
        assert pyflakes_api.checkPath(str(path), Reporter(out, err)) == 0, out.getvalue() + err.getvalue()


def test_python_m_py_compile_and_pyflakes_accept_the_printed_module(tmp_path):
    """The commands themselves, on what `symcalc derive mlp-batch --format numpy` prints."""
    path = tmp_path / "mlp.py"
    path.write_text(to_source(_derivations("mlp-batch", "numerator"), "numpy"), encoding="utf-8")
    for tool in ("py_compile", "pyflakes"):
        run = subprocess.run([sys.executable, "-m", tool, str(path)], capture_output=True, text=True)
        assert run.returncode == 0 and not run.stdout and not run.stderr, (tool, run.stdout, run.stderr)


# ---------------------------------------------------------------- reads like the derivation, once each


def _function(source, name="value_and_grad"):
    tree = ast.parse(source)
    return next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)


def _computed(fn) -> list:
    """The assignments that compute (not the argument conversions, sizes, shape checks, or returned dict)."""
    out = []
    for stmt in fn.body:
        if not isinstance(stmt, ast.Assign) or isinstance(stmt.value, (ast.Dict, ast.Tuple)):
            continue
        text = ast.unparse(stmt.value)
        if text.startswith(("_matrix(", "_column(", "_scalar(", "np.shape(")) or ".shape[" in text:
            continue
        out.append(stmt)
    return out


def _work(node) -> list:
    """The operations under ``node`` that compute something (calls, arithmetic, comparisons)."""
    literal = lambda n: isinstance(n, ast.UnaryOp) and isinstance(n.operand, ast.Constant)  # noqa: E731 (-2)
    return [ast.dump(n) for n in ast.walk(node)
            if isinstance(n, (ast.Call, ast.BinOp, ast.UnaryOp, ast.Compare)) and not literal(n)]


@pytest.mark.parametrize("name", FIRST_ORDER)
def test_no_subexpression_is_computed_twice(name):
    for layout in LAYOUTS:
        for d in _derivations(name, layout):
            seen = {}
            for stmt in _computed(_function(to_source(d))):
                for op in _work(stmt.value):
                    assert op not in seen, f"{name}: {ast.unparse(stmt)} repeats work of {seen[op]}"
                    seen[op] = ast.unparse(stmt)


def test_mlp_batch_reads_like_its_derivation():
    """Each intermediate once under its name, each δ once, every gradient read off its layer's δ."""
    d = _derivations("mlp-batch", "denominator")[0]
    source = to_source(d)
    lines = [line.strip() for line in source.splitlines()]
    for start in ("Z_1 = X.dot(W_1) + b_1.T  # Z₁ = X W₁ + 1⃗ b₁ᵀ", "H_1 = np.maximum(Z_1, 0.0)  # H₁ = max(0, Z₁)",
                  "Z_2 = H_1.dot(W_2) + b_2.T - Y", "delta_2 = (2 / N) * Z_2  # δ₂ = G_Z₂ = (2/N) Z₂",
                  "delta_1 = np.where(Z_1 > 0, delta_2.dot(W_2.T), 0.0)",
                  "grad_W_1 = X.T.dot(delta_1)  # ∂L/∂W₁ = Xᵀ δ₁", "grad_W_2 = H_1.T.dot(delta_2)"):
        assert sum(line.startswith(start) for line in lines) == 1, start
    assert "# names in the code: δ_2 → delta_2, δ_1 → delta_1" in source
    assert "backward pass" in source and MAX_BACK.name in source


def test_forward_derivations_use_their_intermediates_and_one_test_per_kink():
    d = _derivations("neuron", "numerator")[0]
    source = to_source(d)
    assert "u = w * x  # u = w ⊗ x (dot product (R9))" in source
    assert "z_positive = z > 0  # [z > 0], needed 2 times" in source
    assert "grad_w = np.where(z_positive, x.T, 0.0)" in source


def test_common_subexpressions_become_temporaries():
    x = sc.vector("x")
    d = sc.derive(sc.sum_(sc.tanh(x) * sc.tanh(x)) + sc.sum_(sc.tanh(x)), x, layout="denominator")
    source = to_source(d)
    assert source.count("np.tanh(x)") == 1, source
    check_compiled(d, {"x": np.array([0.3, -0.7, 1.1])})


def test_diagonal_matrices_stay_their_diagonals_until_a_matrix_is_returned():
    """(diag(1 − [y − x > 0]) + diag(sign(x)))ᵀ w is a sum of columns: no n×n matrix is built.
    (With 1⃗ for w, as sum(max(x, y) + |x|) gives, the diagonals simplify away: matmul.ones_diag_sum.)"""
    x, y, w = sc.vector("x"), sc.vector("y"), sc.vector("w")
    d = sc.derive(w @ (sc.maximum(x, y) + sc.abs_(x)), [x, y], layout="denominator")
    assert "diag" in str(d.closed_form(x)) and "diagflat" not in d.to_source()
    check_compiled(d, {"x": np.array([0.5, -1.2, 2.0]), "y": np.array([1.0, -2.0, 0.7]),
                       "w": np.array([0.3, 1.5, -0.8])})
    jacobian = sc.derive(sc.exp(x) * 3 + x, x)  # diag(3 exp(x)) + I: the Jacobian itself, n×n
    assert "np.diagflat" in jacobian.to_source()
    check_compiled(jacobian, {"x": np.array([0.5, -1.2, 2.0])})


# ---------------------------------------------------------------- arguments, shapes, layouts


@pytest.fixture(scope="module")
def mlp():
    return {layout: _derivations("mlp-batch", layout)[0] for layout in LAYOUTS}


def _mlp_values(rng, N=5, n=3, m=4, k=2, vectors_1d=True):
    b1, b2 = rng.normal(size=m), rng.normal(size=k)
    return {"X": rng.normal(size=(N, n)), "W_1": rng.normal(size=(n, m)), "b_1": b1 if vectors_1d else b1[:, None],
            "W_2": rng.normal(size=(m, k)), "b_2": b2 if vectors_1d else b2[:, None], "Y": rng.normal(size=(N, k))}


def test_denominator_gradients_have_each_variables_shape_as_passed(mlp):
    f = mlp["denominator"].compile()
    rng = np.random.default_rng(0)
    for vectors_1d in (True, False):
        values = _mlp_values(rng, vectors_1d=vectors_1d)
        value, grads = f(**values)
        assert isinstance(value, float)
        assert {k: g.shape for k, g in grads.items()} == {k: values[k].shape for k in grads}


def test_numerator_layout_returns_the_transposes(mlp):
    rng = np.random.default_rng(1)
    values = _mlp_values(rng)
    _, den = mlp["denominator"].compile()(**values)
    _, num = mlp["numerator"].compile()(**values)
    for name in den:
        column = den[name].reshape(-1, 1) if den[name].ndim == 1 else den[name]
        assert num[name].shape == column.T.shape
        assert np.allclose(num[name], column.T)
    assert "Numerator layout: each gradient is its variable's shape transposed" in mlp["numerator"].to_source()


def test_sizes_are_read_from_the_arrays(mlp):
    f = mlp["denominator"].compile()
    rng = np.random.default_rng(2)
    for N in (1, 7):
        values = _mlp_values(rng, N=N, n=6, m=3, k=5)
        check_compiled(mlp["denominator"], values, f)


def test_wrong_shapes_are_a_clear_error(mlp):
    f = mlp["denominator"].compile()
    values = _mlp_values(np.random.default_rng(3))
    with pytest.raises(ValueError, match=r"Y has shape \(5, 3\), expected \(5, 2\)"):
        f(**{**values, "Y": np.zeros((5, 3))})
    with pytest.raises(ValueError, match="b_1 must be a vector"):
        f(**{**values, "b_1": np.zeros((4, 2))})
    with pytest.raises(ValueError, match="X must be a matrix"):
        f(**{**values, "X": np.zeros(3)})


def test_arguments_take_lists_and_numbers():
    d = sc.derive("max(0, w @ x + b)", ["w", "b"], vectors="w x", scalars="b", layout="denominator")
    value, grads = d.compile()(w=[1, 2], x=[3, -1], b=1)
    assert value == 2.0 and grads["w"].tolist() == [3.0, -1.0] and grads["b"] == 1.0
    value, grads = d.compile()(w=[1, 2], x=[3, -1], b=-5)
    assert value == 0.0 and grads["w"].tolist() == [0.0, 0.0] and grads["b"] == 0.0


def test_a_variable_absent_from_the_expression_is_an_argument_with_a_zero_gradient():
    d = sc.derive("x ** 2", ["x", "y"], scalars="x y")
    value, grads = d.compile()(x=3.0, y=1.0)
    assert (value, grads) == (9.0, {"x": 6.0, "y": 0.0})


def test_jacobians_of_vector_outputs_in_both_layouts():
    for layout in LAYOUTS:
        d = _derivations("softmax-jacobian", layout)[0]
        check_compiled(d, {"z": np.array([0.5, -1.0, 2.0])})
        value, grads = d.compile()(z=[0.5, -1.0, 2.0])
        assert value.shape == (3, 1) and grads["z"].shape == (3, 3)


# ---------------------------------------------------------------- names and prose cannot break out


HOSTILE = 'x"""\nimport os\nos.system("echo pwned")  # \\ \'\'\' \u2028 """ end'


def _only_defs_and_imports(source):
    """The module holds imports and functions only, and no statement calls os.system."""
    tree = ast.parse(source)
    assert {type(n) for n in tree.body} <= {ast.Import, ast.ImportFrom, ast.FunctionDef}
    calls = [ast.unparse(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert "os.system" not in calls
    return tree


def test_titles_and_notes_with_quotes_newlines_and_backslashes_stay_in_their_docstring_and_comments():
    d = sc.derive("w @ x", "w", vectors="w x", title=HOSTILE, notes=[HOSTILE])
    for backend in BACKENDS:
        source = to_source(d, backend)
        _only_defs_and_imports(source)
        doc = ast.get_docstring(_function(source))
        assert all(part.strip() in doc for part in HOSTILE.split("\n"))  # kept, escaped, not executed
    d.title = HOSTILE + "\r\x00\x1b[2J\ud800"  # past the checks of derive(): escaped all the same
    _only_defs_and_imports(to_source(d))
    assert d.compile()(w=[1, 2], x=[3, 4])[0] == 11.0


def test_names_that_are_keywords_builtins_or_not_identifiers_are_mapped_and_shown():
    lam, x1, np_ = E.Var("lambda", E.SCALAR), E.Var("x₁", E.SCALAR), E.Var("np", E.SCALAR)
    weird = E.Var('a"b\nc', E.SCALAR)  # not a name symcalc's builders accept; built by hand
    d = sc.derive(lam * x1 + np_ * weird, [lam, x1, np_, weird], verify=False)
    source = to_source(d)
    fn = _function(source)
    _only_defs_and_imports(source)
    params = [a.arg for a in fn.args.args]
    assert params[:3] == ["lambda_", "x_1", "np_"] and params[3].isidentifier()
    assert "# names in the code: lambda → lambda_, x₁ → x_1, np → np_" in source
    value, grads = d.compile()(2.0, 3.0, 4.0, 5.0)
    assert value == 26.0 and grads == {"lambda": 3.0, "x₁": 2.0, "np": 5.0, 'a"b\nc': 4.0}


def test_a_node_without_a_spelling_is_an_unsupported_error_naming_it():
    em = Emitter(NUMPY, {}, str)
    x = E.Var("x", E.SCALAR)
    with pytest.raises(UnsupportedError, match="has no case for a Partial node"):
        em.expr(E.Partial(x, x, E.SCALAR))
    table = {k: v for k, v in NUMPY.spellings.items() if k != "tanh"}
    crippled = type(NUMPY)("numpy", NUMPY.arrays, NUMPY.imports, table, NUMPY.helpers)
    with pytest.raises(UnsupportedError, match="the function tanh has no numpy spelling"):
        Emitter(crippled, {x: NUMPY and _code(x)}, str).expr(sc.tanh(x))
    with pytest.raises(UnsupportedError, match="no code generator for 'fortran'"):
        to_source(sc.derive("x ** 2", "x"), "fortran")


def _code(x):
    from symcalc.codegen.code import ATOM, Code

    return Code(x.name, ATOM, x.shape)


def test_every_template_keeps_its_arguments_grouped():
    """A placeholder stands where any expression may (a call's argument) or before . [ or >, never
    beside an operator that would regroup it."""
    import re

    for backend in BACKENDS.values():
        for key, template in backend.spellings.items():
            for m in re.finditer(r"\{\d\}", template):
                before, after = template[: m.start()], template[m.end():]
                assert re.search(r"(\(|\[|, |=|^)$", before), (backend.name, key, template)
                assert re.match(r"(\)|,|\.|\[| >|$)", after), (backend.name, key, template)


# ---------------------------------------------------------------- the command line


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_cli_format_prints_the_module(backend, capsys):
    assert main(["derive", "neuron", "--format", backend, "--check"]) == 0
    out, err = capsys.readouterr()
    tree = ast.parse(out)  # the whole of standard output is the module; the check line went to stderr
    assert any(isinstance(n, ast.FunctionDef) and n.name == "value_and_grad" for n in tree.body)
    assert "check: PASS" in err


def test_cli_out_py_writes_numpy_code_that_runs(tmp_path, capsys):
    path = tmp_path / "mlp.py"
    assert main(["derive", "mlp-batch", "--layout", "denominator", "--out", str(path)]) == 0
    namespace = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    value, grads = namespace["value_and_grad"](**_mlp_values(np.random.default_rng(4)))
    assert set(grads) == {"W_1", "b_1", "W_2", "b_2"} and grads["b_1"].shape == (4,)


def test_cli_several_parts_give_one_function_each(capsys):
    assert main(["derive", "dense-layer", "--format", "numpy"]) == 0
    tree = ast.parse(capsys.readouterr().out)
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]
    assert names == ["value_and_grad_1", "value_and_grad_2"]


# ---------------------------------------------------------------- every function the evaluator knows


def test_every_backend_spells_every_function():
    for backend in BACKENDS.values():
        missing = [name for name in FUNCTIONS if not backend.has(name)]
        assert not missing, (backend.name, missing)


@pytest.mark.parametrize("what", sorted(FUNCTION_LOSSES))
def test_every_function_runs(what):
    """Each element-wise function, the softmax family along each axis, trace, det, inv and norm."""
    for layout in LAYOUTS:
        d = function_loss(what, layout)
        check_compiled(d, point(d, np.random.default_rng(5)))


def test_an_intermediate_of_the_trace_rule_never_takes_a_variables_name():
    """Found by the random codegen test (400 examples): by the matrix M, ((Mu)ᵀMv)² named its inner
    product u, the name of a variable; the printed steps were ambiguous and the generated code
    overwrote the argument u (a wrong gradient, 4.2 off). The inner derivation now avoids the names."""
    M, u, v = sc.matrix("M", "N", "n"), sc.vector("u", "n"), sc.vector("v", "n")
    d = sc.derive((sc.expr.transpose(M @ u) @ M @ v) ** 2, M)
    assert not {x.name for x, _ in d.intermediates} & {"M", "u", "v"}
    rng = np.random.default_rng(2)
    values = {"M": rng.normal(size=(3, 4)), "u": rng.normal(size=4), "v": rng.normal(size=4)}
    Mu, Mv = values["M"] @ values["u"], values["M"] @ values["v"]
    want = 2 * (Mu @ Mv) * (np.outer(values["u"], Mv) + np.outer(values["v"], Mu))  # numerator layout: n×N
    assert relative(d.compile()(**values)[1]["M"], want) < 1e-10


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("text, wrt", [
    ("v.T @ (Y @ Y.T + 2) @ v", ["Y", "v"]),
    ("b.T @ (W.T + 2) @ u", ["W", "b", "u"]),
    ("abs(b.T @ (u.T @ S @ u - leaky_relu(Y.T @ Y)) @ b)", ["S", "u", "Y", "b"]),
    ("u.T @ (S + S.T - u @ u.T) @ S @ u", ["S", "u"]),
])
def test_a_product_ending_in_a_column_is_distributed_only_over_a_sum_of_whole_matrices(text, wrt, layout):
    """Found by the random codegen test (400 examples): a product ending in a column is computed from
    the right, and a sum of matrices in it distributed ((S + T)v = Sv + Tv); but W + 2 adds 2 to every
    entry (2·1⃗1⃗ᵀ, not 2I), so such a sum is kept whole. Checked against evaluate() and differences."""
    d = sc.derive(text, wrt, vectors="u:n v:N b:m", matrices="W:n,m Y:N,m S:n,n", layout=layout)
    values = point(d, np.random.default_rng(11))
    check_compiled(d, values)
