"""A Derivation is a rich renderable: ``console.print(d)`` and ``rich.print(d)`` show the panels of
``symcalc derive`` at the console's width, and leave the console's theme as it was."""
from __future__ import annotations

import io

import pytest
import rich
from rich.console import Console
from rich.panel import Panel
from rich.theme import Theme, ThemeStackError

import symcalc as sc
from symcalc.catalog import catalog
from symcalc.cli import main
from symcalc.render.rich import THEME, render

EXAMPLES = ["neuron", "dense-layer", "total-derivative", "elementwise"]  # notes, cases, several variables


def _console(**kw) -> Console:
    return Console(width=80, record=True, file=io.StringIO(), **kw)


def _relu():
    return sc.derive("max(0, w @ x + b)", ["w", "b"], vectors="w x", scalars="b")


@pytest.mark.parametrize("name", EXAMPLES)
def test_console_print_is_what_symcalc_derive_shows_at_80_columns(name, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["derive", name, "--format", "rich"]) == 0
    shown = capsys.readouterr().out
    console = _console()
    for d in catalog()[name].derivations():
        console.print(d)
    assert console.file.getvalue() == shown


def test_console_print_matches_the_cli_renderer_style_for_style():
    d = _relu()
    mine, cli = _console(color_system="truecolor"), _console(color_system="truecolor")
    mine.print(d)
    render(d, cli)
    styled = mine.export_text(styles=True)
    assert styled == cli.export_text(styles=True)
    assert "\x1b[" in styled and "∂y/∂w" in styled  # colours, and the derivation itself


def test_rich_print_takes_the_width_from_the_console(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    d = _relu()
    out = io.StringIO()
    rich.print(d, file=out)
    cli = _console()
    render(d, cli)
    assert out.getvalue() == cli.file.getvalue()


def test_inside_a_panel_the_derivation_is_laid_out_for_the_room_left():
    d = _relu()
    outer = Console(width=200, record=True, file=io.StringIO())
    outer.print(Panel(d, width=84, box=rich.box.ASCII))  # border and padding take 4 columns: 80 left
    inner = [line[2:-2].rstrip() for line in outer.file.getvalue().splitlines()[1:-1]]
    cli = _console()
    render(d, cli)
    assert inner == [line.rstrip() for line in cli.file.getvalue().splitlines()]


@pytest.mark.parametrize("show", [lambda d, console: console.print(d), render], ids=["console.print", "render"])
def test_printing_leaves_the_theme_stack_as_it_was(show):
    console = _console(theme=Theme({"eq": "red"}))
    console.push_theme(Theme({"shape": "yellow"}))  # the user's own theme, pushed on top
    before = {name: console.get_style(name, default="none") for name in THEME.styles}
    show(_relu(), console)
    assert {name: console.get_style(name, default="none") for name in THEME.styles} == before
    console.pop_theme()  # the user's theme is still on top: nothing of symcalc's is left above it
    with pytest.raises(ThemeStackError):
        console.pop_theme()  # and below it only the console's base theme
    assert str(console.get_style("eq")) == "red"


def test_the_theme_is_popped_when_rendering_fails(monkeypatch):
    import symcalc.render.rich as rich_render

    def broken(*args, **kw):
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(rich_render, "renderable", broken)
    console = _console()
    with pytest.raises(RuntimeError, match="renderer broke"):
        console.print(_relu())
    with pytest.raises(ThemeStackError):
        console.pop_theme()
