"""README's command-line sessions (``$ symcalc ...`` lines in its code blocks) are run and their
output compared, with ``...`` standing for omitted lines, so README cannot show output that
symcalc no longer prints (issue 10)."""
from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import pytest

from symcalc.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"
CHECKER = doctest.OutputChecker()
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def blocks(text: str) -> list[str]:
    """The bodies of README's unlabelled fenced code blocks, read fence by fence."""
    out, body, inside = [], [], None
    for line in text.splitlines(keepends=True):
        if line.startswith("```"):
            if inside is None:
                inside, body = line.strip()[3:], []
            else:
                if inside == "":
                    out.append("".join(body))
                inside = None
        elif inside is not None:
            body.append(line)
    return out


def sessions(text: str) -> list[tuple[str, str]]:
    """(command, expected output) for each ``$ symcalc`` line of README's unlabelled code blocks."""
    out = []
    for block in blocks(text):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, expected = chunk.partition("\n")
            if command.startswith("symcalc "):
                out.append((command, expected))
    return out


SESSIONS = sessions(README.read_text(encoding="utf-8"))


def test_readme_has_cli_sessions():
    assert len(SESSIONS) >= 8


@pytest.mark.parametrize("command, expected", SESSIONS, ids=[c for c, _ in SESSIONS])
def test_readme_cli_session_prints_what_readme_shows(command, expected, capsys):
    main(shlex.split(command)[1:] + ["--no-color"])
    out, err = capsys.readouterr()
    got = (out + err).replace("\r", "")
    want = expected.rstrip("\n") + "\n"
    want = re.sub(r"^\.\.\.$", "...", want, flags=re.M)
    assert CHECKER.check_output(want, got, FLAGS), f"README shows:\n{want}\nsymcalc prints:\n{got}"
