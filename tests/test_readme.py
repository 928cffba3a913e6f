"""README's Python examples are doctests: they cannot drift from what symcalc prints."""
from __future__ import annotations

import doctest
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def python_blocks(text: str) -> list[str]:
    """The ```python blocks written as >>> sessions (a block without >>> would test nothing)."""
    return [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if ">>>" in b]


def test_readme_has_python_sessions():
    assert python_blocks(README.read_text(encoding="utf-8"))


def test_readme_python_examples_run():
    text = README.read_text(encoding="utf-8")
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=FLAGS)
    globs: dict = {}  # one namespace: later blocks use the earlier blocks' names, as a reader would
    for i, block in enumerate(python_blocks(text)):
        runner.run(parser.get_doctest(block, globs, f"README block {i + 1}", str(README), 0))
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} README example(s) failed; see the output above"
