"""One-hot labels (issue 12): declared from Python, the command line and spec files; used by the
simplifier (Y1⃗ = 1⃗), respected by the numeric check, refused as a variable of differentiation."""
from __future__ import annotations

import random

import numpy as np
import pytest

import symcalc as sc
from symcalc import expr as E
from symcalc.check import label_values
from symcalc.cli import main
from symcalc.errors import ArgumentError, ParseError
from tests.helpers import checked

CE = "-mean(sum(Y * log_softmax(X @ W, axis=1), axis=1))"
DECL = dict(matrices="X:N,n W:n,m Y:N,m")


def _ce_numpy(X, W, Y):
    Z = X @ W
    Z = Z - Z.max(axis=1, keepdims=True)
    return -np.mean(np.sum(Y * (Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))), axis=1))


def _fd(X, W, Y, h=1e-6):
    g = np.zeros_like(W)
    for idx in np.ndindex(*W.shape):
        up, down = W.copy(), W.copy()
        up[idx] += h
        down[idx] -= h
        g[idx] = (_ce_numpy(X, up, Y) - _ce_numpy(X, down, Y)) / (2 * h)
    return g


def test_a_declared_label_gives_p_minus_y_and_the_value_is_right():
    d = checked(sc.derive(CE, "W", onehot="Y", layout="denominator", **DECL))
    assert "Y 1⃗" not in str(d.closed_form()) and str(d.closed_form()).endswith("− Y)")
    rng = np.random.default_rng(3)
    X, W = rng.normal(size=(5, 3)), rng.normal(size=(3, 4))
    Y = np.eye(4)[rng.integers(0, 4, size=5)]  # true one-hot rows
    got = np.asarray(d.evaluate({"X": X, "W": W, "Y": Y}), dtype=float)
    assert np.allclose(got, _fd(X, W, Y), rtol=1e-6, atol=1e-8)


def test_without_the_declaration_the_general_form_stays_and_is_right_for_any_y():
    d = checked(sc.derive(CE, "W", layout="denominator", **DECL))
    assert "1⃗" in str(d.closed_form())  # Y1⃗ is kept: nothing says the rows sum to 1
    rng = np.random.default_rng(4)
    X, W, Y = rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=(5, 4))
    got = np.asarray(d.evaluate({"X": X, "W": W, "Y": Y}), dtype=float)
    assert np.allclose(got, _fd(X, W, Y), rtol=1e-6, atol=1e-8)


def test_the_python_builders_declare_labels_too():
    X, W = sc.matrix("X", "N", "n"), sc.matrix("W", "n", "m")
    Y = sc.matrix("Y", "N", "m", onehot=True)
    L = -sc.mean(sc.sum_(Y * sc.log_softmax(X @ W, axis=1), axis=1))
    same = sc.derive(CE, "W", onehot="Y", layout="denominator", **DECL)
    assert checked(sc.derive(L, W, layout="denominator")).closed_form() == same.closed_form()


def test_the_check_draws_rows_that_sum_to_one():
    rows = np.array(label_values(random.Random(0), 4, 3)).reshape(4, 3)
    assert np.allclose(rows.sum(axis=1), 1) and (rows > 0).all()
    column = np.array(label_values(random.Random(0), 5, 1))
    assert np.isclose(column.sum(), 1)


def test_a_label_is_not_a_variable_of_differentiation():
    with pytest.raises(ArgumentError, match="one-hot"):
        sc.derive(CE, "Y", onehot="Y", **DECL)


@pytest.mark.parametrize("onehot, message", [("Q", "not a variable of the expression"), ("b", "is a scalar")])
def test_bad_declarations_say_what_is_wrong(onehot, message):
    with pytest.raises(ParseError, match=message):
        sc.derive("sum(X @ W) * b", "W", onehot=onehot, **DECL)


def test_cli_onehot_option(capsys):
    code = main(["derive", " " + CE, "--wrt", "W", "--onehot", "Y", "--matrix", "X:N,n", "W:n,m", "Y:N,m",
                 "--format", "text", "--layout", "denominator", "--check"])
    out = capsys.readouterr().out
    assert code == 0 and "one-hot label" in out and "PASS" in out
    assert main(["derive", " " + CE, "--wrt", "Y", "--onehot", "Y", "--matrix", "X:N,n", "W:n,m", "Y:N,m"]) == 2
    assert "one-hot" in capsys.readouterr().err


def test_spec_key_declares_labels_for_the_parts_that_use_them(tmp_path, capsys):
    spec = tmp_path / "ce.toml"
    spec.write_text('title = "t"\nmatrices = "X:N,n W:n,m Y:N,m"\nonehot = "Y"\n'
                    '[[part]]\nexpression = "sum(X @ W)"\nwrt = ["W"]\n'
                    f'[[part]]\nexpression = "{CE}"\nwrt = ["W"]\n', encoding="utf-8")
    assert main(["derive", str(spec), "--format", "text", "--check"]) == 0
    assert capsys.readouterr().out.count("one-hot label") == 1


def test_vector_label_sums_to_one():
    y, z = sc.vector("y", onehot=True), sc.vector("z")
    d = checked(sc.derive(-sc.sum_(y * sc.log_softmax(z)), z))
    assert d.closed_form() == E.transpose(sc.softmax(z) - y)
