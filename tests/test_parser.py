"""The parser (issue 3): the paper's notation and ASCII agree, unsafe text never runs, errors teach."""
from __future__ import annotations

import os

import pytest

import symcalc as sc
from symcalc.parse import declare, parse, parse_declarations
from helpers import checked

w, x, y = sc.vector("w"), sc.vector("x"), sc.vector("y", "N")
b, z, N = sc.scalar("b"), sc.scalar("z"), sc.scalar("N")
X = sc.matrix("X", "N", "n")
s, t = sc.scalar("x"), sc.scalar("y")
V = dict(vectors="w x y:N", scalars="b z N", matrices="X:N,n")
g = sc.stack

# (example, ASCII, the paper's Unicode notation, declarations, API-built expression, variables)
EXAMPLES = [
    ("E1", "x**2 * x", "x²·x" if False else "x² × x", {}, s**2 * s, [s]),
    ("E1", "ln(x**2)", "ln(x²)", {}, sc.log(s**2), [s]),
    ("E2", "9*(x + x**2)", "9 × (x + x²)", {}, 9 * (s + s**2), [s]),
    ("E3", "3*x**2*y", "3 × x² × y", {}, 3 * s**2 * t, [s, t]),
    ("E5", "2*x + y**8", "2×x + y⁸", {}, 2 * s + t**8, [s, t]),
    ("E5", "[3*x**2*y, 2*x + y**8]", "[3×x²×y, 2×x + y⁸]", {}, g([3 * s**2 * t, 2 * s + t**8]), [s, t]),
    ("E6", "x", "x", dict(vectors="x"), x, [x]),
    ("E7", "w + x", "w + x", V, w + x, [w, x]),
    ("E7", "w - x", "w − x", V, w - x, [w, x]),
    ("E7", "w * x", "w ⊗ x", V, w * x, [w, x]),
    ("E7", "w / x", "w ⊘ x", V, w / x, [w, x]),
    ("E8", "x + z", "x + z", V, x + z, [x, z]),
    ("E8", "x * z", "x ⊗ z", V, x * z, [x, z]),
    ("E9", "sum(x)", "sum(x)", V, sc.sum(x), [x]),
    ("E9", "sum(x * z)", "sum(x ⊗ z)", V, sc.sum(x * z), [x, z]),
    ("E10", "sin(x**2)", "sin(x²)", {}, sc.sin(s**2), [s]),
    ("E11", "ln(sin(x**3)**2)", "ln(sin(x³)²)", {}, sc.log(sc.sin(s**3) ** 2), [s]),
    ("E12", "x + x**2", "x + x²", {}, s + s**2, [s]),
    ("E13", "sin(x + x**2)", "sin(x + x²)", {}, sc.sin(s + s**2), [s]),
    ("E14", "x * x**2", "x × x²", {}, s * s**2, [s]),
    ("E15", "[ln(x**2), sin(3*x)]", "[ln(x²), sin(3×x)]", {}, g([sc.log(s**2), sc.sin(3 * s)]), [s]),
    ("E16", "w @ x", "w · x", V, w @ x, [w, x]),
    ("E16", "w.T @ x", "wᵀ @ x", V, w @ x, [w, x]),
    ("E17", "w @ x + b", "w · x + b", V, w @ x + b, [w, b]),
    ("E18", "max(0, x)", "max(0, x)", V, sc.relu(x), [x]),
    ("E19", "max(0, w @ x + b)", "max(0, w · x + b)", V, sc.relu(w @ x + b), [w, b]),
    ("E20", "sum((y - max(0, X @ w + b)) ** 2) / N", "sum((y − max(0, X @ w + b))²) / N", V,
     sc.sum((y - sc.relu(X @ w + b)) ** 2) / N, [w, b]),
    ("E20", "(X @ w + b - y).T @ (X @ w + b - y) / N", "(X @ w + b − y)ᵀ @ (X @ w + b − y) / N", V,
     (X @ w + b - y).T @ (X @ w + b - y) / N, [w, b]),
]


@pytest.mark.parametrize("example, ascii, paper, decl, built, wrt", EXAMPLES, ids=[e[0] + " " + e[1] for e in EXAMPLES])
def test_ascii_and_paper_notation_parse_to_the_api_expression(example, ascii, paper, decl, built, wrt):
    assert parse(ascii, **decl) == built
    assert parse(paper, **decl) == built
    d = checked(sc.derive(ascii, [v.name for v in wrt], **decl), samples=3)
    direct = checked(sc.derive(built, wrt), samples=2)
    for v in wrt:
        assert d.closed_form(v.name) == direct.closed_form(v)


def test_derive_accepts_strings_and_names():
    d = checked(sc.derive("max(0, w @ x + b)", "w", vectors="w x", scalars="b"))
    assert str(d.closed_form()) == "{0⃗ᵀ if w·x + b ≤ 0; xᵀ if w·x + b > 0}"
    value = d.evaluate({"w": [1, 2], "x": [3, 4], "b": 0.5})
    assert value.tolist() == [[3.0, 4.0]]


def test_greek_and_builtin_looking_names_are_plain_symbols():
    e = parse("N + E + I + S + beta + γ + pi + lambda_1")
    assert {v.name for v in sc.expr.variables(e)} == {"N", "E", "I", "S", "beta", "γ", "pi", "lambda_1"}
    assert all(v.is_scalar for v in sc.expr.variables(e))
    d = checked(sc.derive("E * N**2", "N"))
    assert str(d.closed_form()) == "2E N"


CANARY = "CANARY_symcalc"


@pytest.mark.parametrize("text", [
    f"__import__('os').system('touch {CANARY}')", "().__class__.__bases__", "lambda: 0", "x.__class__",
    "x.real", "x[0]", "f(x=1)", "f'{x}'", "[i for i in x]", "sin(*x)", "(y := 3)", "x < 2", "x and y",
    "'abc'", "b'abc'", "{1: 2}", "{1, 2}", "exec('1')", "eval('1')", "open('f')", "x if y else z",
    "x; y", "import os", "x\ny", "sin(x, y=2)",
])
def test_unsafe_or_invalid_python_is_refused_and_nothing_runs(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(sc.ParseError):
        parse(text)
    assert not os.path.exists(CANARY)


def test_lookalike_letters_are_named():
    with pytest.raises(sc.ParseError, match="CYRILLIC SMALL LETTER HA"):
        parse("х + x")  # the first is Cyrillic
    with pytest.raises(sc.ParseError, match="mixes Latin and Greek"):
        parse("xα")


@pytest.mark.parametrize("text, message", [
    ("x" * 10_001, "limit is 10000"),
    ("(" * 250 + "x" + ")" * 250, "nesting deeper than 200"),
    ("-" * 300 + "x", "nesting deeper than 200"),
    ("x**1234567", "more than 6 digits"),
    ("2**99999999", "more than 6 digits"),
    ("sin(" * 250 + "x" + ")" * 250, "nesting deeper than 200"),
])
def test_limits(text, message):
    with pytest.raises(sc.ParseError, match=message):
        parse(text)


def test_long_flat_sums_are_fine():
    e = parse("+".join(["x"] * 3000))
    assert sc.evaluate(e, {sc.scalar("x"): 1.0}) == 3000.0


def test_syntax_error_shows_a_caret_under_the_column():
    with pytest.raises(sc.ParseError) as err:
        parse("w + (x * )")
    lines = str(err.value).splitlines()
    assert "expected an operand after '*'" in lines[0]
    assert lines[1] == "  w + (x * )" and lines[2].index("^") == 2 + 9


def test_unknown_function_suggests_the_closest_names():
    with pytest.raises(sc.ParseError, match="unknown function 'sine'; did you mean sin"):
        parse("sine(x)")
    with pytest.raises(sc.ParseError, match="did you mean sigmoid"):
        parse("sigmod(x)")


def test_shape_mismatch_names_the_subexpression_and_shapes():
    with pytest.raises(sc.ShapeError) as err:
        parse("sum(w @ X)", vectors="w", matrices="X:N,n")
    text = str(err.value)
    assert "'w @ X'" in text and "(n×1)" in text and "(N×n)" in text and "did you mean X @ w?" in text


def test_undeclared_name_used_as_vector_gets_a_declaration_hint():
    """X is N×n, so the y in X @ y is as long as X is wide: n (the hint said N before)."""
    with pytest.raises(sc.ShapeError, match=r"y was not declared, so it is a scalar; declare it with --vector y:n"):
        parse("X @ w - X @ y", vectors="w", matrices="X:N,n")


def test_declarations():
    decl = parse_declarations(scalars="b", vectors="w x y:N v:3", matrices="X:N,n W:n,4")
    assert decl["y"] == ("vector", ("N",)) and decl["v"] == ("vector", (3,)) and decl["W"] == ("matrix", ("n", 4))
    assert declare(vectors="v:3")["v"].shape[0] == 3
    for bad in [dict(matrices="X"), dict(vectors="w:0"), dict(vectors="1w"), dict(scalars="b", vectors="b")]:
        with pytest.raises(sc.ParseError):
            parse_declarations(**bad)


def test_wrt_symbol_not_in_expression_is_a_zero_with_a_note():
    d = checked(sc.derive("sum(x)", "w", vectors="w x"))
    assert str(d.closed_form()) == "0⃗ᵀ" and "does not occur" in d.text()


def test_deep_nesting_derives_without_a_traceback(capsys):
    """60 nested functions derive; 199 (just under the parser's limit) would print a chain rule of
    over 100,000 symbols, and the work budget refuses it at once, naming the limit (issue 9)."""
    from symcalc.cli import main

    text = "sin(" * 60 + "x" + ")" * 60
    assert main(["derive", text, "--wrt", "x", "--format", "text"]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "cos(x)" in out
    text = "sin(" * 199 + "x" + ")" * 199
    assert main(["derive", text, "--wrt", "x", "--format", "text"]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "steps of work (the limit)" in err
    d = sc.derive("sin(" * 30 + "x" + ")" * 30, "x")
    assert checked(d, samples=2)
