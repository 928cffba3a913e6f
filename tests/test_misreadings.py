"""Issue 9: misreadings that look like answers, and error hints that mislead.

A user's slip must end in a message that says how to fix it, never in a quiet wrong answer.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import symcalc as sc
from symcalc.cli import main
from symcalc.parse import parse
from helpers import checked

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, *argv):
    code = main(["derive", *argv, "--format", "text"])
    out, err = capsys.readouterr()
    return code, out, err


# -- look-alike letters and digits (Unicode's confusables data, symcalc/confusables.py)

@pytest.mark.parametrize("text, name, plain", [
    ("ο**2", "GREEK SMALL LETTER OMICRON", "o"),
    ("ν**2", "GREEK SMALL LETTER NU", "v"),
    ("ρ + 1", "GREEK SMALL LETTER RHO", "p"),
    ("Κ * 2", "GREEK CAPITAL LETTER KAPPA", "K"),
    ("Α - 1", "GREEK CAPITAL LETTER ALPHA", "A"),
    ("ı**2", "LATIN SMALL LETTER DOTLESS I", "i"),
    ("ɡ**2", "LATIN SMALL LETTER SCRIPT G", "g"),
    ("ɑ**2", "LATIN SMALL LETTER ALPHA", "a"),
    ("ǀ**2", "LATIN LETTER DENTAL CLICK", "l"),
    ("а + b", "CYRILLIC SMALL LETTER A", "a"),
    ("2 * wο", "GREEK SMALL LETTER OMICRON", "o"),
])
def test_lookalike_letters_are_refused_naming_the_character_column_and_ascii_letter(text, name, plain):
    with pytest.raises(sc.ParseError) as err:
        parse(text)
    message = str(err.value)
    assert name in message and f"looks like the ASCII {plain!r}" in message
    column = next(i for i, ch in enumerate(text) if not ch.isascii())
    assert err.value.pos == column and message.splitlines()[-1] == "  " + " " * column + "^"


def test_lookalike_in_wrt_and_declarations_is_refused_too(capsys):
    code, _, err = run(capsys, "o**2", "--wrt", "ο")
    assert code == 2 and "GREEK SMALL LETTER OMICRON" in err and "looks like the ASCII 'o'" in err
    with pytest.raises(sc.ParseError, match="GREEK SMALL LETTER NU"):
        parse("v @ v", vectors="ν")
    with pytest.raises(sc.SymcalcError, match="GREEK SMALL LETTER OMICRON"):
        sc.derive("o**2", "ο")


def test_greek_math_letters_stay_allowed():
    """α and γ are on Unicode's list (as a and y) but are read as themselves in formulas (σ is sigmoid)."""
    e = parse("α * γ + β + δ + η + θ + λ + μ + π + φ + ω")
    assert {v.name for v in sc.expr.variables(e)} == set("αγβδηθλμπφω")
    d = checked(sc.derive("α * γ**2 + σ(γ)", ["γ", "α"]))
    assert "2α γ" in str(d.closed_form("γ"))


@pytest.mark.parametrize("text, char, column", [
    ("৪ * x", "BENGALI DIGIT FOUR", 0),
    ("x + ٣", "ARABIC-INDIC DIGIT THREE", 4),
    ("x + １", "FULLWIDTH DIGIT ONE", 4),
    ("x৪", "BENGALI DIGIT FOUR", 1),
    ("x_３", "FULLWIDTH DIGIT THREE", 2),
    ("2.৫", "BENGALI DIGIT FIVE", 2),
])
def test_only_ascii_digits_in_numbers_and_names(text, char, column):
    with pytest.raises(sc.ParseError) as err:
        parse(text)
    assert char in str(err.value) and "is not one of 0-9" in str(err.value) and err.value.pos == column


def test_bengali_four_says_it_looks_like_eight():
    with pytest.raises(sc.ParseError, match="looks like 8 but is worth 4"):
        parse("৪ * x")


@pytest.mark.parametrize("name", ["x__1", "x__₁", "x_", "x_1_"])
def test_doubled_or_trailing_underscores_are_refused_everywhere(name, capsys):
    with pytest.raises(sc.ParseError, match="underscore"):
        parse(f"{name} + x_1")
    with pytest.raises(sc.ParseError, match="underscore"):
        parse("x_1", vectors=name)
    with pytest.raises(sc.SymcalcError, match="underscore"):
        sc.derive("x_1**2", name)
    code, _, err = run(capsys, "x_1**2", "--wrt", name)
    assert code == 2 and "underscore" in err


def test_single_underscore_and_subscripts_are_one_name():
    d = checked(sc.derive("x_1**2 + x₁", "x₁"))
    assert {v.name for v in sc.expr.variables(d.expr)} == {"x_1"}


def test_confusables_table_matches_its_generator():
    """symcalc/confusables.py is generated from Unicode's data; regenerating it changes nothing."""
    pytest.importorskip("confusable_homoglyphs")
    made = subprocess.run([sys.executable, str(ROOT / "tools" / "gen_confusables.py")], capture_output=True,
                          text=True, check=True).stdout
    assert made == (ROOT / "symcalc" / "confusables.py").read_text(encoding="utf-8")


# -- x^T is a transpose, as in LaTeX

@pytest.mark.parametrize("text", ["x^T @ y", "x**T @ y", "x ^ T @ y"])
def test_caret_T_is_a_transpose_when_T_is_not_declared(text):
    x, y = sc.vector("x"), sc.vector("y")
    assert parse(text, vectors="x y") == parse("x.T @ y", vectors="x y") == x @ y
    d = checked(sc.derive(text, "x", vectors="x y"))
    assert str(d.closed_form()) == "yᵀ" and not d.notes


def test_caret_T_on_a_matrix_and_chained():
    X, w = sc.matrix("X", "N", "n"), sc.vector("w", "N")
    assert parse("X^T @ w", matrices="X:N,n", vectors="w:N") == X.T @ w
    assert parse("X^T^T", matrices="X:N,n") == X
    d = checked(sc.derive("sum(X^T @ w)", "w", matrices="X:N,n", vectors="w:N"))
    assert str(d.closed_form()) == "1⃗ᵀ Xᵀ"


@pytest.mark.parametrize("text", ["x^", "x**", "x^T^", "T^"])
def test_a_dangling_caret_is_a_parse_error(text):
    """Found by the parser fuzz test: x^ at the end read past the last token."""
    with pytest.raises(sc.ParseError, match="expected an operand"):
        parse(text)


def test_declared_T_makes_caret_T_a_power():
    d = checked(sc.derive("x^T", "x", scalars="T"))
    assert str(d.closed_form()) == "T x^(T − 1)"


@pytest.mark.parametrize("text, column", [("x^T @ y + T", 10), ("T * x^T @ y", 6)])
def test_T_as_both_a_variable_and_a_transpose_is_refused(text, column):
    with pytest.raises(sc.ParseError, match=r"declare T \(--scalar T\)") as err:
        parse(text, vectors="x y")
    assert err.value.pos == column


def test_single_letter_undeclared_exponent_gets_a_note_on_the_derivation(capsys):
    d = checked(sc.derive("x^n", "x"))
    assert any("n was not declared, so it is a scalar variable" in note for note in d.notes)
    code, out, _ = run(capsys, "x^t", "--wrt", "x", "--vector", "x")
    assert code == 0 and "t was not declared" in out and "x.T" in out
    for quiet in (sc.derive("x^n", "x", scalars="n"), sc.derive("x^n", ["x", "n"]), sc.derive("2^x", "x"),
                  sc.derive("x^2", "x")):
        assert not checked(quiet).notes


# -- --wrt naming something the expression lacks: the zero stands, with a did-you-mean note

def test_absent_wrt_variable_keeps_its_zero_and_names_the_closest_variable(capsys):
    d = checked(sc.derive("x_1**2 + y", "x1"))
    assert str(d.closed_form()) == "0"
    assert "x1 is not a variable of the expression, so its derivative is zero; did you mean x_1?" in d.notes
    code, out, _ = run(capsys, "w @ x", "--wrt", "o", "--vector", "w", "x")
    assert code == 0 and "0" in out and "o is not a variable of the expression" in out and "its variables are w, x" in out


def test_absent_wrt_note_reaches_every_renderer():
    d = checked(sc.derive("sin(beta)", "betta"))
    assert "did you mean beta?" in d.text() and "did you mean beta?" in d.markdown() and "did you mean beta?" in d.latex()


def test_present_wrt_variable_has_no_such_note():
    assert not checked(sc.derive("x**2", "x")).notes


def test_constant_rule_needs_no_such_note():
    """d(99)/dx is the constant rule, asked on purpose: there is no name to suggest."""
    d = checked(sc.derive("99", "x"))
    assert str(d.closed_form()) == "0" and not d.notes


# -- error hints that say what to type

def test_undeclared_matrix_gets_a_matrix_declaration_that_fits():
    with pytest.raises(sc.ShapeError) as err:
        parse("X @ w", vectors="w")
    hint = err.value.hint
    assert "--matrix X:m,n" in hint and 'matrices="X:m,n"' in hint and "--vector X:n for a dot product" in hint
    d = checked(sc.derive("sum(X @ w)", "w", vectors="w", matrices="X:m,n"))  # the suggestion works
    assert d.shape == (1, sc.vector("w").shape[0])


def test_undeclared_vector_right_of_a_vector_is_as_long_as_it():
    """w @ y with w a column is a dot product: y has w's length (the hint said --vector y:1)."""
    with pytest.raises(sc.ShapeError, match=r"--vector y:n "):
        parse("w @ y", vectors="w")
    with pytest.raises(sc.ShapeError, match=r"--vector y:3 "):
        parse("w @ y", vectors="w:3")
    checked(sc.derive("w @ y", "w", vectors="w y"))


@pytest.mark.parametrize("text", ["x'", "x' @ y", "x’"])
def test_prime_says_how_to_transpose(text):
    with pytest.raises(sc.ParseError, match=r"for a transpose write x\.T or xᵀ"):
        parse(text, vectors="x y")


def test_latex_braces_say_to_use_parentheses():
    with pytest.raises(sc.ParseError, match=r"use \( \) for grouping: x\^\(2\)"):
        parse("x^{2}")


@pytest.mark.parametrize("argv", [["-x**2", "--wrt", "x"], ["--wrt", "x", "-x**2"], ["-sin(x)", "--wrt", "x"]])
def test_expression_starting_with_a_dash_says_how_to_type_it(argv, capsys):
    code, out, err = run(capsys, *argv)
    assert code == 2 and not out and "required: target" not in err
    assert "starts with '-'" in err and '" -' in err and "--wrt ... -- \"-" in err


@pytest.mark.parametrize("argv", [[" -x**2", "--wrt", "x"], ["--wrt", "x", "--", "-x**2"]])
def test_the_two_spellings_the_dash_error_suggests_work(argv, capsys):
    code = main(["derive", "--format", "text", *argv])  # options before --: after it nothing is one
    assert code == 0 and "−2x" in capsys.readouterr().out
    checked(sc.derive(" -x**2", "x"))


@pytest.mark.parametrize("text, says", [
    ("transpose(x)", "a transpose is written after its operand: x.T or xᵀ"),
    ("transpose(X @ w)", "(X @ w).T or (X @ w)ᵀ"),
    ("x.transpose()", "x.T or xᵀ"),
    ("x.t()", "x.T or xᵀ"),
    ("np.exp(x)", "write exp(x) (symcalc has its own functions, without the np. prefix)"),
    ("torch.relu(x)", "write relu(x)"),
    ("torch.nn.functional.relu(x)", "write relu(x)"),
    ("np.maximum(0, x)", "write maximum(0, x)"),
    ("x.dot(w)", "write dot(x, w) (a function, not a method)"),
    ("x.sum()", "write sum(x)"),
    ("matmul(X, w)", "write X @ w"),
    ("np.matmul(X, w + x)", "write X @ (w + x)"),
])
def test_numpy_torch_and_latex_habits_get_the_symcalc_spelling(text, says):
    with pytest.raises(sc.ParseError) as err:
        parse(text, vectors="w x", matrices="X:n,n")
    assert says in str(err.value) and "did you mean" not in str(err.value)


@pytest.mark.parametrize("name", ["min", "prod", "std", "var"])
def test_unsupported_functions_say_so_rather_than_suggest_a_near_spelling(name):
    for text in (f"{name}(x)", f"x.{name}()", f"torch.{name}(x)"):
        with pytest.raises(sc.ParseError, match=f"{name} is not supported yet") as err:
            parse(text, vectors="x")
        assert "did you mean" not in str(err.value)


@pytest.mark.parametrize("name, spelled", [("mean", "sum(x) / 3"), ("norm", "sqrt(x @ x)"),
                                           ("softmax", "exp(x) / sum(exp(x))"), ("logsumexp", "log(sum(exp(x)))")])
def test_the_functions_once_missing_agree_with_their_old_spelling(name, spelled):
    """Issue 12 added them; the spellings issue 9's hints suggested meanwhile give the same derivative."""
    wrap = (lambda t: f"sum({t} * {t})") if name == "softmax" else (lambda t: t)
    new = checked(sc.derive(wrap(f"{name}(x)"), "x", vectors="x:3"), samples=3)
    old = checked(sc.derive(wrap(spelled), "x", vectors="x:3"), samples=3)
    point = {"x": [0.3, -1.2, 2.0]}
    assert np.allclose(new.evaluate(point), old.evaluate(point), rtol=1e-9)
