"""Random text and mutated expressions through the parser and the CLI: a result or a SymcalcError,
never any other exception (issue 3)."""
from __future__ import annotations

import contextlib
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symcalc as sc
from symcalc.cli import main
from symcalc.parse import parse

VALID = [
    "max(0, w @ x + b)", "sum((X @ w + b - y) ** 2) / N", "sin(x**2)", "ln(sin(x³)²)", "w ⊗ x",
    "w · x + b", "[ln(x**2), sin(3*x)]", "sigmoid(w @ x) * tanh(b)", "(X @ w).T @ y", "sqrt(abs(x) + 1)",
]
DECL = dict(vectors="w x y:N", scalars="b", matrices="X:N,n")
ALPHABET = st.sampled_from(list("wxyXbNz0123456789 +-*/@().,[]^_Tᵀ²³⊗⊘·−×σ√abcdefghijklmnopqrstuvwxyz'\"=:{}<>!#;\\")
                           + ["max", "sum", "sin", "ln", "exp", "**", ".T", "dot", "relu", "х", "α"])


@st.composite
def mutated(draw):
    text = list(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        i = draw(st.integers(0, len(text)))
        if op == "insert":
            text.insert(i, draw(ALPHABET))
        elif text and i < len(text):
            if op == "delete":
                del text[i]
            else:
                text[i] = draw(ALPHABET)
    return "".join(text)


def _parse_or_error(text):
    try:
        return parse(text, **DECL)
    except sc.SymcalcError:
        return None


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_random_text_never_escapes_as_another_exception(text):
    _parse_or_error(text)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_expressions_parse_or_fail_cleanly(text):
    _parse_or_error(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_cli_entry_point_returns_an_exit_code(text):
    """Through `symcalc derive TEXT --wrt w ...`: exit 0 or 2 (an error message), never a traceback."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["derive", text, "--wrt", "w", "--format", "text", "--vector", "w", "x", "y:N",
                         "--scalar", "b", "--matrix", "X:N,n"])
        except SystemExit as exit_:  # argparse: text that looks like an option is a usage error
            code = exit_.code
    assert code in (0, 2)
    if code == 2:
        assert err.getvalue().startswith("symcalc: ")
