"""Regression tests for wrong or misleading output (issue 8): printing, names, layout, JSON, refusals."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import symcalc as sc
from symcalc import expr as E
from symcalc.parse import FUNCTION_NAMES, parse
from symcalc.printing import latex, text
from symcalc.tokens import tokenize

from helpers import checked

# ---------------------------------------------------------------- numbers never glued together

_ENDS = {"num", "name", "sup", "T"}


def _explicit(printed: str) -> str:
    """The printed text with * written where the printer juxtaposes factors (2x, x ln(2))."""
    tokens = tokenize(printed)
    cuts = []
    for a, b in zip(tokens, tokens[1:]):
        left = a.kind in _ENDS or (a.kind == "op" and a.text in (")", "ᵀ"))
        call = a.kind == "name" and (a.text in FUNCTION_NAMES or a.text in "σ√")
        right = b.kind in ("num", "name") or (b.kind == "op" and b.text == "(")
        if left and right and not call:
            cuts.append(b.pos)
    for pos in reversed(cuts):
        printed = printed[:pos] + " * " + printed[pos:]
    return printed


def _same_values(a, b, names, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(5):
        point = {n: float(rng.uniform(0.3, 1.7)) for n in names}
        va = sc.evaluate(a, {E.scalar(n): point[n] for n in names if E.depends(a, E.scalar(n))})
        vb = sc.evaluate(b, {E.scalar(n): point[n] for n in names if E.depends(b, E.scalar(n))})
        assert np.allclose(float(va), float(vb), rtol=1e-9), (a, b, point)


_BASES = ["2", "3", "10", "0.5", "x", "(x + 1)"]
_POWERS = ["x", "x ** 2", "2", "-1", "y"]
_COEFFS = ["3", "0.5", "2", "y", "4 * x"]
_CASES = ["3 * 2 ** x", "2 ** x ** 2", "2*3**x*4", "0.5 * 10 ** x", "2 ** x * 3 ** x", "x * 2 * 3 ** x",
          "5 * 2 ** (3 * x) * 7", "2 ** 3 ** x"] + [
    f"{c} * {b} ** ({p})" for c, b, p in itertools.product(_COEFFS, _BASES, _POWERS)]


@pytest.mark.parametrize("source", _CASES)
def test_printed_products_of_numbers_parse_back(source):
    """Text printer output, with juxtaposition made explicit, parses to the same function (3·2^x, not 32^x)."""
    e = parse(source)
    names = sorted({v.name for v in E.variables(e)})
    forms = [e]
    if "x" in names:
        d = checked(sc.derive(e, "x"))
        forms.append(d.closed_form())
    for form in forms:
        printed = text(form)
        _same_values(form, parse(_explicit(printed)), names)


def test_negative_base_power_prints_with_parentheses():
    e = parse("(-2) ** x * 3")
    assert text(e) == "(−2)^x·3" or "(−2)^x" in text(e)
    assert "32" not in text(e) and "32" not in latex(e)


@pytest.mark.parametrize("source,bad", [("3 * 2 ** x", "32"), ("2 ** x ** 2", "22"), ("2*3**x*4", "83")])
def test_latex_keeps_a_sign_between_numbers(source, bad):
    d = checked(sc.derive(source, "x"))
    for form in (d.expr, d.closed_form()):
        assert bad not in latex(form).replace(" ", "").replace(r"\cdot", "·")
        assert bad not in text(form)
    assert r"\cdot" in latex(d.closed_form())


def test_rendered_derivations_keep_numbers_apart():
    d = checked(sc.derive("3 * 2 ** x", "x"))
    for out in (d.text(), d.latex(), d.markdown()):
        assert "32^" not in out


def test_dot_of_scalars_reads_as_product():
    assert str(parse("3·2^x")) == "3·2^x"
    _same_values(parse("3·2^x"), parse("3 * 2 ** x"), ["x"])


# ---------------------------------------------------------------- user names never print as constants


@pytest.mark.parametrize("name", ["I", "E", "e", "pi", "diag", "sigma", "l", "O"])
def test_user_symbol_never_prints_as_a_constant(name):
    """I * x by x is the user's I, not the identity: printed distinctly, and it parses back to itself."""
    for wrt, want in ((name, "x"), ("x", name)):
        d = checked(sc.derive(f"{name} * x", wrt))
        form = d.closed_form()
        assert isinstance(form, E.Var) and form.name == want
        if name not in ("pi", "sigma"):  # Greek names print as letters (π, σ), a spelling of their own
            assert parse(text(form)) == form
        assert float(d.evaluate({name: 2.5, "x": -1.5})) == pytest.approx(2.5 if want == name else -1.5)
    identity = E.identity("n")
    assert text(E.scalar(name)) != text(identity) and latex(E.scalar(name)) != latex(identity)
    assert latex(E.matrix(name, "n", "n")) != latex(identity)


def test_identity_and_user_I_differ_in_one_derivation():
    d = checked(sc.derive("I * x + x", "x", vectors="x"))
    printed = text(d.closed_form())
    assert "I" in printed and "𝐼" in printed  # the identity I, the user's scalar 𝐼
    assert r"\mathrm{I}" in latex(d.closed_form())


def test_variable_named_like_a_function_keeps_a_sign_before_parentheses():
    e = parse("sigma * (x + 1)")
    assert text(e) == "σ·(x + 1)"
    d = checked(sc.derive(e, "x"))
    assert text(d.closed_form()) == "σ"


# ---------------------------------------------------------------- one spelling per name


@pytest.mark.parametrize("wrt", ["x₁", "x_1"])
def test_unicode_subscript_names_mean_the_same_everywhere(wrt):
    d = checked(sc.derive("x₁**2 + x_1", wrt))
    assert str(d.closed_form()) == "1 + 2x₁"
    assert float(d.evaluate({"x₁": 3})) == pytest.approx(7.0)
    assert float(d.evaluate({"x_1": 3})) == pytest.approx(7.0)
    assert sc.scalar("x₁") == sc.scalar("x_1")


def test_subscript_names_in_declarations_and_cli(capsys):
    from symcalc.cli import main

    d = checked(sc.derive("w₁ @ x", "w_1", vectors="w₁ x"))
    assert str(d.closed_form()) == "xᵀ"
    assert main(["derive", "w_1 @ x", "--vector", "w₁", "x", "--wrt", "w₁", "--format", "text",
                 "--at", "w₁=1,2", "--at", "x=3,4"]) == 0
    out = capsys.readouterr().out
    assert "does not occur" not in out and "[[3. 4.]]" in out
    assert main(["derive", "x₁**2", "--wrt", "x₁", "--format", "text", "--check"]) == 0
    out = capsys.readouterr().out
    assert "2x₁" in out and "does not occur" not in out


def test_subscript_names_in_spec_files(tmp_path, capsys):
    from symcalc.cli import main

    spec = tmp_path / "sub.toml"
    spec.write_text('title = "subscripts"\nexpression = "x_1 ** 3"\nwrt = ["x₁"]\n', encoding="utf-8")
    assert main(["derive", str(spec), "--format", "text", "--check"]) == 0
    assert "3x₁²" in capsys.readouterr().out


# ---------------------------------------------------------------- --format json --at stays JSON


def test_json_with_at_is_one_document(capsys):
    import json

    from symcalc.cli import main

    assert main(["derive", "max(0, w @ x + b)", "--vector", "w", "x", "--wrt", "w", "b", "--format", "json",
                 "--at", "w=1,2", "--at", "x=3,4", "--at", "b=0.5", "--check"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (d,) = doc["derivations"]
    values = {item["wrt"]: item["value"] for item in d["at"]["derivatives"]}
    assert values == {"w": [[3.0, 4.0]], "b": [[1.0]]}
    assert d["check"]["passed"]


def test_json_with_at_for_a_catalog_entry_with_parts(capsys):
    import json

    from symcalc.cli import main

    assert main(["derive", "affine", "--format", "json", "--at", "w=1,2", "--at", "x=3,4", "--at", "b=0.5",
                 "--layout", "denominator"]) == 0
    doc = json.loads(capsys.readouterr().out)
    got = {item["wrt"]: item["value"] for d in doc["derivations"] for item in d["at"]["derivatives"]}
    assert got["w"] == [[3.0], [4.0]] and got["b"] == [[1.0]]
    assert main(["derive", "affine", "--format", "text", "--at", "w=1,2", "--at", "x=3,4", "--at", "b=0.5"]) == 0
    assert "at the point" in capsys.readouterr().out


# ---------------------------------------------------------------- chain factors and their shapes agree


def _printed_factor_shapes(step):
    """The shapes of the formula's factors (∂a/∂b labels) in the order they appear in print."""
    formula = step.sides[1]
    printed = text(formula)
    found, at = [], 0
    for item in formula.items:
        label = text(item)
        at_item = printed.find(label)
        assert at_item >= 0, (label, printed)
        found.append((at_item, item.shape))
        at = max(at, at_item)
    return tuple(shape for _, shape in sorted(found, key=lambda f: f[0]))


def _chain_derivations():
    from symcalc import catalog

    for layout in ("numerator", "denominator"):
        for name in ("neuron", "affine", "chain-deep", "dense-layer", "loss", "chain-sin-square"):
            if name in catalog.catalog():
                yield from catalog.catalog()[name].derivations(layout)
        yield sc.derive("max(0, w @ x + b)", ["w", "b"], vectors="w x", layout=layout)
        yield sc.derive("sin(b * w) @ x", ["b"], vectors="w x", layout=layout)
        yield sc.derive("sum(exp(b * x))", ["b", "x"], vectors="x", layout=layout)


def test_chain_factor_shapes_match_the_printed_factors():
    seen = 0
    for d in _chain_derivations():
        checked(d, samples=2)
        for step in d.steps:
            if step.phase != "chain" or not step.factor_shapes:
                continue
            seen += 1
            assert _printed_factor_shapes(step) == tuple(step.factor_shapes), (d.layout, str(step.sides[1]),
                                                                              step.shape_text)
    assert seen > 10


def test_denominator_relu_chain_reads_scalar_first():
    d = checked(sc.derive("max(0, w @ x + b)", "w", vectors="w x", layout="denominator"))
    lines = [s for s in d.steps if s.phase == "chain" and any("[" in text(x) for x in s.sides) and s.factor_shapes]
    assert lines and all(s.shape_text.startswith("(1×1)(n×1)") for s in lines)


# ---------------------------------------------------------------- refusals name the real reason; by a scalar, derive


@pytest.mark.parametrize("source,want", [
    ("x.T @ (l * Q) @ x", "xᵀQx"),
    ("(l * Q) @ (l * Q)", "2l QQ"),
    ("(l * Q).T @ x", "Qᵀx"),
    ("sin(l * Q) @ x", None),
    ("x.T @ (l * Q) @ (l * Q) @ x", None),
])
@pytest.mark.parametrize("layout", ["numerator", "denominator"])
def test_matrix_subexpressions_by_a_scalar_are_derived(source, want, layout):
    d = checked(sc.derive(source, "l", vectors="x", matrices="Q:n,n", layout=layout))
    assert d.closed_form().shape == sc.parse(source, vectors="x", matrices="Q:n,n").shape or layout == "denominator"
    if want and layout == "numerator":
        assert text(d.closed_form()) == want


def test_matrix_by_a_scalar_from_the_cli(capsys):
    from symcalc.cli import main

    assert main(["derive", "(l * Q) @ (l * Q)", "--matrix", "Q:n,n", "--wrt", "l", "--format", "text", "--check"]) == 0
    out = capsys.readouterr().out
    assert "2l QQ" in out and "n×n" in out and "tensor" not in out


def test_repeated_matrix_derives_in_the_backward_form():
    """Once refused (W three times in one product); issue 12's backward rules sum the three paths."""
    d = sc.derive("a.T @ W @ W @ W @ x", "W", vectors="a x", matrices="W:n,n")
    assert d.check().passed and any(s.phase == "backward" for s in d.steps)
