"""The `symcalc` command: the main job, formats, exit codes, and errors without tracebacks."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from symcalc.cli import main

GOLDEN = Path(__file__).parent / "golden"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_derive_neuron_shows_the_papers_derivation(capsys):
    code, out, err = run(capsys, "derive", "neuron")
    assert code == 0 and err == ""
    for text in [
        "u = w ⊗ x", "z = sum(u) + b", "activation = max(0, z)",  # intermediates, innermost first
        "element-wise diagonal (R5)", "vector sum reduction (R8)", "vector chain rule (R12)",
        "(1×n)(n×n) → 1×n", "1⃗ᵀ diag(x) = xᵀ",
        "∂activation/∂w = 0⃗ᵀ   if w·x + b ≤ 0", "xᵀ   if w·x + b > 0",
        "∂activation/∂b = 0   if w·x + b ≤ 0",
    ]:
        assert text in out, text
    assert "\x1b[" not in out  # not a terminal: plain text


def test_wrt_b_shows_only_b(capsys):
    code, out, _ = run(capsys, "derive", "neuron", "--wrt", "b")
    assert code == 0
    assert "∂activation/∂b" in out and "∂activation/∂w" not in out


def test_latex_format(capsys):
    code, out, _ = run(capsys, "derive", "neuron", "--format", "latex")
    assert code == 0 and r"\begin{align*}" in out and r"\begin{cases}" in out
    assert r"\documentclass" not in out


def test_unknown_name_lists_the_catalog_and_exits_2(capsys):
    code, out, err = run(capsys, "derive", "nosuch")
    assert code == 2 and out == ""
    assert "no derivation named 'nosuch'" in err and "neuron" in err and "Traceback" not in err


def test_usage_error_exits_2(capsys):
    assert main(["derive"]) == 2  # no target: a usage error that says how to write one
    assert "see symcalc derive --help" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["derive", "neuron", "--format", "nosuch"])
    assert exit_.value.code == 2


def test_list(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0 and "neuron" in out and "E19" in out


def test_rich_output_golden():
    """The terminal view at a fixed width with colour off, compared with the committed golden file."""
    from io import StringIO

    from rich.console import Console

    from symcalc.catalog import catalog
    from symcalc.render.rich import render

    buf = StringIO()
    render(catalog()["neuron"].derivations()[0], Console(file=buf, width=100, color_system=None, force_terminal=False))
    golden = GOLDEN / "neuron_rich.txt"
    if os.environ.get("SYMCALC_UPDATE_GOLDEN"):
        golden.write_text(buf.getvalue(), encoding="utf-8")
    assert buf.getvalue() == golden.read_text(encoding="utf-8")


def test_console_script_without_a_terminal_prints_no_ansi():
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    proc = subprocess.run([sys.executable, "-m", "symcalc.cli", "derive", "neuron"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 0 and "\x1b[" not in proc.stdout and "vector chain rule (R12)" in proc.stdout


def test_json_is_versioned_and_round_trips(capsys):

    code, out, _ = run(capsys, "derive", "neuron", "--format", "json", "--check")
    doc = json.loads(out)
    assert doc["schema"] == "symcalc.derivations/1"
    d = doc["derivations"][0]
    assert d["check"]["passed"] and d["wrt"] == ["w", "b"]
    from symcalc.sympy_export import to_sympy
    from symcalc.catalog import catalog

    closed = catalog()["neuron"].derivations()[0].closed_form("w")
    # our own output read back (sympy's srepr round trip), never user input
    text = d["results"][0]["srepr"]
    from test_catalog import read_srepr

    assert read_srepr(text) == to_sympy(closed)


def test_check_flag_passes_with_exit_0(capsys):
    code, out, _ = run(capsys, "derive", "neuron", "--check", "--samples", "3")
    assert code == 0 and "check: PASS" in out


def test_at_point(capsys):
    code, out, _ = run(capsys, "derive", "neuron", "--at", "w=1,2", "--at", "x=3,4", "--at", "b=0.5")
    assert code == 0
    assert "∂activation/∂w (numerator layout) =\n[[3. 4.]]" in out
    assert "∂activation/∂b (numerator layout) =\n1." in out


def test_expression_without_wrt_names_its_variables(capsys):
    code, out, err = run(capsys, "derive", "sin(x*y)")
    assert code == 2 and "--wrt x y" in err and out == ""


def test_expression_from_the_command_line_with_declarations(capsys):
    code, out, err = run(capsys, "derive", "sum((X @ w + b - y) ** 2) / N", "--wrt", "w", "--matrix", "X:N,n",
                         "--vector", "w", "y:N", "--scalar", "b", "--check")
    assert code == 0, err
    assert "(2/N) (Xw + b − y)ᵀX" in out and "check: PASS" in out
