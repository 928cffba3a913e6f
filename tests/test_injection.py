"""Issue 9: no injection through any output. LaTeX, Markdown/HTML and terminal payloads go through
every channel that reaches an output (CLI --wrt, spec fields, API keywords, variable names); each
is refused at entry or escaped for the output it reaches, and the LaTeX still compiles."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import symcalc as sc
from helpers import checked
from symcalc.cli import main

LATEX = [r"x\input{/etc/hostname}", r"\write18{touch pwned}", r"}\openout\f=pwned{", r"$\input{/etc/passwd}$",
         r"\catcode`\^^M=13 \def\x{}"]
HTML = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](javascript:alert(1))", "$$\\x$$"]
TERMINAL = ["\x1b]0;pwned\x07", "t\x1b[2Jitle", "\x9b31m"]
PAYLOADS = LATEX + HTML + TERMINAL


def _outputs(d) -> dict:
    return {"latex": d.latex(), "markdown": d.markdown(), "text": d.text()}


def _clean(outputs: dict, payload: str) -> None:
    """No output carries the payload as markup (or a control character to a terminal)."""
    for fmt, out in outputs.items():
        assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out, fmt
    assert "\\input" not in outputs["latex"] and "\\write" not in outputs["latex"] and "\\openout" not in outputs["latex"]
    assert "\\catcode" not in outputs["latex"]
    md = outputs["markdown"]
    assert "<script" not in md and "<img" not in md and not re.search(r"(?<!\\)\]\(javascript", md)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_names_with_payloads_are_refused_everywhere(payload, capsys):
    for make in (sc.scalar, sc.vector, lambda p: sc.matrix(p, 2, 2)):
        with pytest.raises(sc.SymcalcError):
            make(payload)
    with pytest.raises(sc.SymcalcError):
        sc.derive("x**2", "x", output=payload)
    with pytest.raises(sc.SymcalcError):
        sc.derive("x**2", "x", names=[payload])
    assert main(["derive", "x**2", "--wrt", payload, "--format", "latex"]) == 2
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err and "\\input{" not in out


@pytest.mark.parametrize("payload", LATEX + HTML)
def test_titles_and_notes_with_payloads_are_escaped(payload):
    d = checked(sc.derive("x**2", "x", title=f"T {payload}", notes=[f"note {payload}"]))
    _clean(_outputs(d), payload)


@pytest.mark.parametrize("payload", TERMINAL)
def test_titles_and_notes_with_control_characters_are_refused(payload):
    for kw in (dict(title=payload), dict(notes=[payload])):
        with pytest.raises(sc.SymcalcError, match="control character"):
            sc.derive("x**2", "x", **kw)


SPEC = """title = {title}
[[part]]
expression = "x**2"
wrt = [{wrt}]
{extra}
"""


def _toml(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\x1b", "\\u001b").replace("\x07", "\\u0007") \
        .replace("\x9b", "\\u009b") + '"'


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", ["wrt", "output", "intermediates", "title", "notes"])
def test_spec_fields_with_payloads_are_refused_or_escaped(payload, field, tmp_path, capsys):
    title, wrt, extra = _toml("Spec"), _toml("x"), ""
    if field == "title":
        title = _toml(payload)
    elif field == "wrt":
        wrt = _toml(payload)
    elif field == "output":
        extra = f"output = {_toml(payload)}"
    elif field == "intermediates":
        extra = f"intermediates = [{_toml(payload)}]"
    else:
        extra = f"notes = [{_toml(payload)}]"
    spec = tmp_path / "mine.toml"
    spec.write_text(SPEC.format(title=title, wrt=wrt, extra=extra), encoding="utf-8")
    outputs = {}
    for fmt in ("latex", "markdown", "text"):
        code = main(["derive", str(spec), "--format", fmt])
        out, err = capsys.readouterr()
        assert code in (0, 2) and "Traceback" not in err
        assert "\x1b" not in out + err and "\x9b" not in out + err
        outputs[fmt] = out
    if code == 0:
        _clean(outputs, payload)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed (CI installs it)")
def test_latex_with_payloads_compiles_and_reads_no_file(tmp_path):
    payload = r"\input{/etc/hostname} \immediate\write18{touch pwned}"
    d = checked(sc.derive("relu(w @ x + b)", "w", vectors="w x", title=f"Neuron {payload}", notes=[payload]))
    tex = tmp_path / "out.tex"
    tex.write_text(_standalone(d), encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", tex.name],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert not (tmp_path / "pwned").exists()
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "out.pdf", "-"], cwd=tmp_path, capture_output=True, text=True).stdout
        assert "/etc/hostname" in text  # shown as typed
        hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
        assert len(hostname) < 4 or hostname not in text  # not read into the document


def _standalone(d) -> str:
    from symcalc.render.latex import document, render

    return document(render(d))
