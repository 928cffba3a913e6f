"""Issue 9's hostile inputs: wall time and outcome of each, in a fresh interpreter under the
test suite's memory cap. Target: each refused or answered in under 2 s (plus interpreter start).

    python bench/hostile.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_limits import HOSTILE_CLI, run_capped  # noqa: E402


def main() -> None:
    import subprocess

    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sympy, numpy"], check=True)
    base = time.perf_counter() - start
    print(f"python -c 'import sympy, numpy': {base:.2f} s")
    for name, args in HOSTILE_CLI.items():
        code, err, seconds = run_capped(args)
        said = err.strip().splitlines()[0][:70] if err.strip() else "answered"
        print(f"{seconds:6.2f} s  ({seconds / base:4.1f}× import)  exit {code}  {name}: {said}")


if __name__ == "__main__":
    main()
