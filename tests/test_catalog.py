"""The catalog (issue 4) and the output formats (issue 5): every entry derives, checks, renders."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

import symcalc as sc
from symcalc import catalog as cat
from symcalc.cli import main
from symcalc.render.json import SCHEMA

SPECS = cat.catalog()
NAMES = list(SPECS)
EXPECTED_NAMES = {"neuron", "loss", "dot-product", "affine", "relu", "elementwise", "scalar-expansion", "sum",
                  "chain-sin-square", "chain-deep", "total-derivative", "vector-chain", "partials", "gradient",
                  "jacobian", "identity", "scalar-rules", "gradient-descent", "operator-view"}


def test_catalog_has_the_names_a_reader_would_guess():
    assert EXPECTED_NAMES <= set(NAMES)
    examples = {s.example for s in SPECS.values()}
    for n in range(1, 22):
        assert any(f"E{n}" == e or e.startswith(f"E{n}–") or e.endswith(f"–E{n}") or (e == "E12–E14" and 12 <= n <= 14)
                   for e in examples), f"E{n} has no catalog entry"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_every_entry_derives_and_passes_the_numeric_check(name, layout):
    for d in SPECS[name].derivations(layout):
        result = d.check(samples=3, seed=1)
        assert result.passed, f"{name} ({layout}): {result}"


# The paper's closed forms (paper-notes.md), as symcalc prints them.
CLOSED_FORMS = {
    "neuron": [{"w": "{0⃗ᵀ if w·x + b ≤ 0; xᵀ if w·x + b > 0}", "b": "{0 if w·x + b ≤ 0; 1 if w·x + b > 0}"}],
    "dot-product": [{"w": "xᵀ", "x": "wᵀ"}],
    "affine": [{"w": "xᵀ", "b": "1"}],
    "relu": [{"x": "diag([x > 0])"}],
    "identity": [{"x": "I"}],
    "elementwise": [{"w": "I", "x": "I"}, {"w": "I", "x": "−I"}, {"w": "diag(x)", "x": "diag(w)"},
                    {"w": "diag(1 ⊘ x)", "x": "diag(−w ⊘ x²)"}],
    "scalar-expansion": [{"x": "I", "z": "1⃗"}, {"x": "z I", "z": "x"}],
    "sum": [{"x": "1⃗ᵀ"}, {"x": "z 1⃗ᵀ", "z": "sum(x)"}],
    "scalar-rules": [{"x": "0"}, {"x": "3"}, {"x": "3x²"}, {"x": "3 + 2x"}, {"x": "2x − 3"}, {"x": "3x²"},
                     {"x": "2/x"}],
    "operator-view": [{"x": "9 + 18x"}],
    "partials": [{"x": "6x y"}, {"y": "3x²"}],
    "chain-sin-square": [{"x": "2x cos(x²)"}],
    "chain-deep": [{"x": "6x² cos(x³)/sin(x³)"}],
    "total-derivative": [{"x": "1 + 2x"}, {"x": "(1 + 2x) cos(x + x²)"}, {"x": "3x²"}],
    "vector-chain": [{"x": "[2/x, 3 cos(3x)]ᵀ"}, {"x": "[2/x, 3 cos(3x)]ᵀ"}],
    "loss": [{"w": "{0⃗ᵀ if w·xᵢ + b ≤ 0; 2 (w·xᵢ + b − yᵢ) xᵢᵀ if w·xᵢ + b > 0}"},
             {"w": "(2/N) ((Xw + b − y) ⊗ [Xw + b > 0])ᵀX", "b": "(2/N) ((Xw + b − y)·[Xw + b > 0])"}],
}


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_closed_forms_match_the_paper(name):
    for d, expected in zip(SPECS[name].derivations(), CLOSED_FORMS[name], strict=True):
        for var, text in expected.items():
            assert str(d.closed_form(var)) == text


def test_gradient_and_jacobian_entries_assemble_R3_R4():
    grad = SPECS["gradient"].derivations()[0].steps[-1]
    assert str(grad.sides[-1]) == "[6x y, 3x²]" and grad.rules[0].number == "R3"
    jac = SPECS["jacobian"].derivations()[0].steps[-1]
    assert str(jac.sides[-1]) == "[[6x y, 3x²], [2, 8y⁷]]" and jac.rules[0].number == "R4"


def test_chain_deep_uses_four_intermediates():
    d = SPECS["chain-deep"].derivations()[0]
    names = [str(s.sides[0]) for s in d.steps if s.phase == "define"]
    assert names == ["u₁", "u₂", "u₃", "u₄"]


def test_E12_shows_both_paths_and_explains_2x():
    d = SPECS["total-derivative"].derivations()[0]
    chain = [s for s in d.steps if s.phase == "chain"][0]
    assert str(chain.sides[1]) == "∂u₂/∂x + ∂u₂/∂u₁ du₁/dx" and chain.rules[0].number == "R11"
    assert "2x" in " ".join(d.notes)


def test_E15_matrix_form_has_diag_of_local_derivatives():
    d = SPECS["vector-chain"].derivations()[1]
    local = {str(s.sides[0]): str(s.sides[1]) for s in d.steps if s.phase == "local"}
    assert local["dy/dg"] == "diag(1/g₁, cos(g₂))"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_E20_batched_and_per_sample_forms_agree_with_finite_differences(seed):
    """N = 7 samples, n = 4 features, random data: both forms against finite differences of the loss."""
    per_sample, batched = SPECS["loss"].derivations()
    result = batched.check(samples=3, seed=seed, dims={"n": 4, "N": 7})
    assert result.passed, result
    rng = np.random.default_rng(seed)
    X, y, w, b = rng.normal(size=(7, 4)), rng.normal(size=7), rng.normal(size=4), 0.1
    grad_w = batched.evaluate({"X": X, "y": y, "w": w, "b": b, "N": 7}, "w")
    summed = sum(per_sample.evaluate({"x_i": X[i], "y_i": y[i], "w": w, "b": b}, "w") for i in range(7)) / 7
    np.testing.assert_allclose(grad_w, summed, rtol=1e-12)  # (2/N) Σᵢ [zᵢ > 0] eᵢ xᵢᵀ


def test_derive_by_spec_path_and_from_another_directory(tmp_path):
    spec = tmp_path / "mine.toml"
    spec.write_text('title = "Mine"\nexpression = "tanh(w @ x)"\nvectors = "w x"\nwrt = ["w"]\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "symcalc.cli", "derive", str(spec), "--check"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "check: PASS" in proc.stdout and "Mine" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "symcalc.cli", "derive", "loss"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "(2/N)" in proc.stdout


def test_bad_spec_is_reported_by_key(tmp_path, capsys):
    spec = tmp_path / "bad.toml"
    spec.write_text('title = "Bad"\nexpresion = "x"\nwrt = ["x"]\n', encoding="utf-8")
    assert main(["derive", str(spec)]) == 2
    assert "unknown keys expresion" in capsys.readouterr().err


def test_gallery_is_up_to_date():
    from symcalc.gallery import GALLERY, pages

    for name, text in pages().items():
        path = GALLERY / name
        assert path.exists() and path.read_text(encoding="utf-8") == text, (
            f"{path} is stale: run `python -m symcalc.gallery`")


def test_rules_command(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "vector chain rule" in out and "R12" in out and "diag(x)" in out


def test_gradient_descent_demo_loss_falls(capsys):
    assert main(["derive", "gradient-descent", "--demo"]) == 0
    out = capsys.readouterr().out
    first, last = out.split("loss fell from ")[1].split(" to ")
    assert float(last) < float(first) / 100


# ---------------------------------------------------------------- formats (issue 5)

def _validate(doc):
    """The documented JSON schema (README), checked key by key."""
    assert doc["schema"] == SCHEMA and isinstance(doc["derivations"], list)
    for d in doc["derivations"]:
        assert set(d) == {"title", "expression", "output", "variables", "wrt", "layout", "intermediates",
                          "results", "steps", "notes", "check", "verification"}
        assert set(d["expression"]) == {"text", "latex"}
        assert set(d["verification"]) == {"status", "worst_relative_error", "points", "reason", "message"}
        assert d["verification"]["status"] in ("passed", "failed", "inconclusive", "skipped")
        for v in d["variables"]:
            assert set(v) == {"name", "shape"} and len(v["shape"]) == 2
        for r in d["results"]:
            assert set(r) == {"wrt", "shape", "text", "latex", "srepr"}
        for s in d["steps"]:
            assert set(s) == {"phase", "sides", "equation", "shape", "factor_shapes", "rules", "wrt", "note"}
            assert s["phase"] in ("define", "local", "chain", "backward", "substitute", "second", "product", "result")
            for rule in s["rules"]:
                assert set(rule) == {"key", "name", "number"}


@pytest.mark.parametrize("name", NAMES)
def test_json_for_every_entry_matches_the_schema_and_srepr_round_trips(name, capsys):
    import sympy

    from symcalc.sympy_export import to_sympy

    assert main(["derive", name, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    _validate(doc)
    for d, derived in zip(doc["derivations"], SPECS[name].derivations(), strict=True):
        for r in d["results"]:
            original = to_sympy(derived.closed_form(r["wrt"]))
            back = read_srepr(r["srepr"])
            # sympy's element-wise function objects rebuild their Lambda with a new Dummy, which
            # compares unequal; for those the rebuilt tree must still print identically
            assert back == original or sympy.srepr(back) == sympy.srepr(original)


def read_srepr(text):
    """sympy's srepr read back with sympy's names in scope (our own output, never user input)."""
    import sympy
    from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction
    from sympy.matrices.expressions.diagonal import DiagMatrix
    from sympy.matrices.expressions.matexpr import MatrixElement
    from sympy.parsing.sympy_parser import parse_expr

    names = {**vars(sympy), "Str": sympy.core.symbol.Str, "MatrixElement": MatrixElement,
             "ElementwiseApplyFunction": ElementwiseApplyFunction, "DiagMatrix": DiagMatrix}
    return parse_expr(text, global_dict=names, transformations=())


def _pdflatex():
    exe = shutil.which("pdflatex")
    if exe is None:
        pytest.skip("pdflatex is not installed here (.ci/run installs texlive-latex-base where it can)")
    return exe


def test_standalone_latex_compiles_for_every_entry(tmp_path):
    exe = _pdflatex()
    failures = []
    for name in NAMES:
        path = tmp_path / f"{name}.tex"
        assert main(["derive", name, "--out", str(path)]) == 0
        proc = subprocess.run([exe, "-interaction=nonstopmode", "-halt-on-error", path.name], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)
        if proc.returncode != 0 or "! " in proc.stdout:
            failures.append((name, proc.stdout[-800:]))
        elif shutil.which("pdftotext"):
            failures += _unprintable(name, path, tmp_path)
    assert not failures, failures


def _unprintable(name, tex, folder) -> list:
    """Characters pdflatex could not set show as ? (a missing glyph) or ¿ (> in the OT1 encoding)."""
    text = subprocess.run(["pdftotext", tex.with_suffix(".pdf").name, "-"], cwd=folder, capture_output=True,
                          text=True, timeout=60).stdout
    source = "".join(s.title or "" for s in [SPECS[name]]) + "".join(SPECS[name].notes) + \
        "".join(n for p in SPECS[name].parts for n in p.notes)
    bad = [c for c in "?¿" if text.count(c) > source.count(c)]
    return [(name, f"{c!r} in the PDF: " + next(line for line in text.splitlines() if c in line)) for c in bad]


def test_out_picks_the_format_from_the_extension(tmp_path, capsys):
    for ext, marker in [(".md", "$$"), (".json", '"schema"'), (".txt", "Local derivatives"), (".tex", r"\documentclass")]:
        path = tmp_path / f"neuron{ext}"
        assert main(["derive", "neuron", "--out", str(path)]) == 0
        assert marker in path.read_text(encoding="utf-8")


def test_markdown_and_notebook_reprs():
    d = SPECS["neuron"].derivations()[0]
    assert d._repr_markdown_().count("$$") >= 20
    assert d._repr_latex_().startswith("$") and r"\begin{cases}" in d._repr_latex_()


def test_check_fails_with_exit_1_on_a_wrong_closed_form(monkeypatch, capsys):
    from symcalc.check import check_closed_forms
    from symcalc.derivation import Derivation

    w, x = sc.vector("w"), sc.vector("x")
    wrong = check_closed_forms(w @ x, {w: w.T})  # the right answer is xᵀ
    assert not wrong.passed and wrong.worst > 1e-3
    original = Derivation.closed_form

    def broken(self, var=None):
        form = original(self, var)
        return 2 * form  # a deliberately wrong closed form fed through the checker

    monkeypatch.setattr(Derivation, "closed_form", broken)
    monkeypatch.setattr("symcalc.check.check", lambda d, *a: check_closed_forms(
        d.expr, {v: broken(d, v) for v in d.wrt}, *a))
    assert main(["derive", "affine", "--check"]) == 1
    assert "check: FAIL" in capsys.readouterr().out


def test_dims_and_samples_options(capsys):
    assert main(["derive", "loss", "--check", "--dims", "n=4,N=7", "--samples", "2", "--seed", "5"]) == 0
    assert "over 2 point(s)" in capsys.readouterr().out
    assert main(["derive", "loss", "--check", "--dims", "n=zero"]) == 2


def test_at_with_matrix_syntax(capsys):
    code = main(["derive", "loss", "--wrt", "w", "--at", "X=[[1,2],[3,4],[5,6]]", "--at", "y=1,2,3",
                 "--at", "w=0.5,-0.25", "--at", "b=0.1", "--at", "N=3", "--at", "x_i=1,2", "--at", "y_i=1"])
    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    X, y, w, b = np.array([[1, 2], [3, 4], [5, 6]]), np.array([1, 2, 3]), np.array([0.5, -0.25]), 0.1
    z = X @ w + b
    want = 2 / 3 * ((z - y) * (z > 0)) @ X
    assert np.array2string(want.reshape(1, -1), precision=6, suppress_small=True) in out


def test_layout_flag_says_so(capsys):
    assert main(["derive", "neuron", "--layout", "denominator", "--wrt", "w"]) == 0
    out = capsys.readouterr().out
    assert "denominator layout" in out and "x   if w·x + b > 0" in out


def test_wrt_picks_the_parts_that_name_the_variable(capsys):
    assert main(["derive", "dense-layer", "--wrt", "W", "--check"]) == 0
    out = capsys.readouterr().out
    assert out.count("differentiated with respect to W") == 1 and "by the bias" not in out
    assert "check: PASS" in out
