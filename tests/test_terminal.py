"""Issue 10: output laid out for the terminal's width, measured in display cells, and the CLI's conventions."""
from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from symcalc.catalog import catalog
from symcalc.cli import main
from symcalc.render import rich as rich_render
from symcalc.render.common import break_equation, sections
from symcalc.render.text import render as text_render

GOLDEN = Path(__file__).parent / "golden"


def rich_lines(d, width, ascii=False) -> list[str]:
    buf = StringIO()
    rich_render.render(d, Console(file=buf, width=width, color_system=None, force_terminal=False), ascii)
    return buf.getvalue().splitlines()


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- the terminal view, for its width

@pytest.mark.parametrize("name", ["neuron", "loss"])
@pytest.mark.parametrize("width", [60, 80, 120])
def test_rich_golden_at_each_width(name, width):
    text = "\n".join(line for d in catalog()[name].derivations() for line in rich_lines(d, width)) + "\n"
    golden = GOLDEN / f"{name}_rich_{width}.txt"
    if os.environ.get("SYMCALC_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def _every_derivation():
    return [d for spec in catalog().values() for d in spec.derivations()]


@pytest.mark.parametrize("width", [60, 80])
def test_no_line_exceeds_the_width_and_equations_keep_their_room(width):
    for d in _every_derivation():
        assert max(cell_len(line) for line in rich_lines(d, width)) <= width, (d.title, width)
        for sec in sections(d):  # three columns only where the equation column is wide enough
            room = rich_render._columns(sec.steps, width - rich_render.FRAME)
            widest = max(cell_len(line) for s in sec.steps for line in rich_render._lines(s, 10_000))
            assert room is None or room >= min(20, widest), (d.title, sec.title, room)


def test_loss_at_60_columns_stays_near_its_120_column_length():
    count = {w: sum(len(rich_lines(d, w)) for d in catalog()["loss"].derivations()) for w in (60, 120)}
    assert count[60] <= 1.5 * count[120], count


def test_chain_rule_lines_hang_under_their_equals_sign_at_80_columns():
    lines = [line for d in catalog()["loss"].derivations() for line in rich_lines(d, 80) if line.startswith("│")]
    continued = [i for i, line in enumerate(lines) if line.lstrip("│ ").startswith("= ")]
    assert continued
    for i in continued:  # the '=' of a continuation stands under the first '=' of its equation
        first = next(lines[j] for j in range(i, 0, -1) if not lines[j].startswith("│  "))
        assert lines[i].index("= ") == first.index(" = ") + 1, (first, lines[i])


def test_long_equations_break_at_equals_then_at_top_level_signs():
    lines = break_equation(["∂C/∂w", "(2/N) (a ⊗ [Xw + b > 0])ᵀX + a₁ + bbbbbbbbbbbbbbbb − cccc"], 44)
    assert all(cell_len(line) <= 44 for line in lines) and len(lines) > 1
    assert lines[1].lstrip().startswith(("+", "−")) and lines[1].startswith("        ")  # a hanging indent
    assert "[Xw + b > 0]" in "".join(lines)  # never inside brackets
    assert break_equation(["a", "b", "c"], 80) == ["a = b = c"]
    assert break_equation(["lhs", "x" * 30, "y" * 30], 40) == ["lhs = " + "x" * 30, "    = " + "y" * 30]


def _if_columns(lines):
    return {cell_len(line[:line.index(" if ")]) for line in lines if " if " in line}


def test_the_ifs_of_a_result_case_line_up():
    d = catalog()["loss"].derivations()[0]
    text = text_render(d).split("Result")[1].splitlines()
    assert len(_if_columns(text[1:3])) == 1 and len(_if_columns(text[3:5])) == 1
    for width in (60, 80, 120):
        rows = [line for line in rich_lines(d, width) if " if " in line]
        assert len(_if_columns(rows[:2])) == 1 and len(_if_columns(rows[2:4])) == 1, width


def test_notes_have_a_hanging_indent():
    d = catalog()["loss"].derivations()[1]
    lines = rich_lines(d, 60)
    first = next(i for i, line in enumerate(lines) if line.startswith("• X = "))
    assert lines[first + 1].startswith("  ") and lines[first + 1].strip()
    text = text_render(d, width=80).splitlines()
    first = next(i for i, line in enumerate(text) if line.startswith("   • X = "))
    assert text[first + 1].startswith("     ") and text[first + 1].strip()
    assert all(cell_len(line) <= 80 for line in text)


def test_piped_text_measures_display_cells_so_rows_with_1_vector_line_up():
    text = text_render(catalog()["neuron"].derivations()[0])
    local = text.split("2. Local derivatives")[1].split("\n\n")[0].splitlines()[1:]
    assert any("1⃗" in line for line in local)
    assert len({cell_len(line[:line.index("×") - 1]) for line in local}) == 1, local


def test_ascii_option_writes_ones_without_the_combining_arrow(capsys, monkeypatch):
    code, out, _ = run(capsys, "derive", "neuron", "--ascii")
    assert code == 0 and "\u20d7" not in out and "𝟙ᵀ diag(x)" in out and "𝟘ᵀ" in out
    monkeypatch.setenv("SYMCALC_ASCII", "1")
    assert "\u20d7" not in run(capsys, "derive", "neuron")[1]
    d = catalog()["neuron"].derivations()[0]
    assert not any("\u20d7" in line for line in rich_lines(d, 80, ascii=True))
    assert any("1\u20d7" in line for line in rich_lines(d, 80))


def test_demo_prints_its_header_before_a_transient_progress_bar(capsys, monkeypatch):
    import rich.progress

    from symcalc import demo

    seen = {}

    class Recording(rich.progress.Progress):
        def __init__(self, *args, **kwargs):
            seen["transient"] = kwargs.get("transient")
            seen["before"] = capsys.readouterr().out
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(rich.progress, "Progress", Recording)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert demo.run_demo(steps=10) == 0
    assert seen["transient"] is True and seen["before"].startswith("Fitting max(0, Xw + b)")


# ---------------------------------------------------------------- list and rules: measured tables

def test_list_is_a_measured_table_without_trailing_blanks(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    code, out, _ = run(capsys, "list")
    lines = out.splitlines()
    assert code == 0 and "neuron" in out and "E19" in out
    assert all(cell_len(line) <= 60 and line == line.rstrip() for line in lines)
    starts = {line.index("E19") for line in lines if "E19" in line} | {line.index("E17") for line in lines if "E17" in line}
    assert len(starts) == 1  # one column for the example numbers
    wrapped = [line for line in lines if line.startswith(" ")]
    assert wrapped and all(line[:starts.pop() + 5].strip() == "" for line in wrapped[:1])  # titles wrap in place


@pytest.mark.parametrize("width", [60, 80])
def test_rules_table_fits_and_aligns_rows_with_1_vector(width):
    from symcalc.tables import render_tables

    lines = render_tables(width).splitlines()
    assert all(cell_len(line) <= width for line in lines)
    formula = [line for line in lines if line.startswith(("R7 ", "R8 "))]
    assert any("1⃗" in line for line in formula)
    column = {cell_len(line[:line.index("∂")]) for line in formula}
    assert len(column) == 1, formula


# ---------------------------------------------------------------- CLI conventions

def test_version_and_bare_symcalc(capsys):
    from symcalc import __version__

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out == f"symcalc {__version__}\n"
    code, out, _ = run(capsys)
    assert code == 2 and out.startswith("usage: symcalc") and "examples:" in out


@pytest.mark.parametrize("command", ["derive", "list", "rules", "completion"])
def test_every_subcommand_help_has_examples(capsys, command):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "\nexample" in out and f"symcalc {command}" in out.split("\nexample")[-1]


def test_usage_errors_name_the_right_help(capsys):
    with pytest.raises(SystemExit):
        main(["derive", "neuron", "--bogus"])
    assert "see symcalc --help" in capsys.readouterr().err  # argparse reports unknown options at the top
    with pytest.raises(SystemExit):
        main(["derive", "neuron", "--layout", "sideways"])
    assert "see symcalc derive --help" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--bogus"])
    assert "symcalc symcalc" not in capsys.readouterr().err


def test_python_dash_m_symcalc_and_help_without_sympy():
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    proc = subprocess.run([sys.executable, "-m", "symcalc", "--version"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert proc.returncode == 0 and proc.stdout.startswith("symcalc ")
    code = ("import sys\nfrom symcalc.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('sympy', 'numpy', 'rich') if m in sys.modules), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert "usage: symcalc" in proc.stdout and proc.stderr.strip() == "[]"


def test_no_color_option_and_environment(monkeypatch):
    from argparse import Namespace

    from symcalc.cli import _console

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert _console(Namespace(no_color=True)).no_color and not _console(Namespace(no_color=False)).no_color
    monkeypatch.setenv("NO_COLOR", "1")
    assert _console(Namespace(no_color=False)).no_color


def test_no_color_is_accepted_by_every_command(capsys):
    assert run(capsys, "list", "--no-color")[0] == 0
    assert run(capsys, "derive", "x**2", "--wrt", "x", "--no-color")[0] == 0


def test_status_messages_go_to_stderr(tmp_path, capsys):
    code, out, err = run(capsys, "derive", "neuron", "--out", str(tmp_path / "n.md"))
    assert code == 0 and out == "" and err == f"symcalc: wrote {tmp_path / 'n.md'} (markdown)\n"


def test_a_list_option_gives_back_an_expression_target(capsys):
    code, out, err = run(capsys, "derive", "--vector", "w", "x", "w @ x", "--wrt", "w")
    assert code == 0 and "∂y/∂w = xᵀ" in out, err
    code, out, _ = run(capsys, "derive", "--wrt", "w", "--vector", "w", "x", "w @ x")
    assert code == 0 and "∂y/∂w = xᵀ" in out


def test_a_swallowed_name_target_says_what_happened(capsys):
    code, out, err = run(capsys, "derive", "--wrt", "w", "neuron")
    assert code == 2 and out == ""
    assert "--wrt took every word after it" in err and "end the names with --" in err
    assert "see symcalc derive --help" in err
    code, out, _ = run(capsys, "derive", "--wrt", "b", "--", "neuron")
    assert code == 0 and "∂activation/∂b" in out


def test_shell_completion(capsys, monkeypatch):
    pytest.importorskip("shtab")
    code, out, _ = run(capsys, "completion", "bash")
    assert code == 0 and "symcalc" in out and "--wrt" in out
    monkeypatch.setitem(sys.modules, "shtab", None)  # as when the optional package is missing
    code, out, err = run(capsys, "completion", "zsh")
    assert code == 2 and 'pip install "symcalc[completion]"' in err
