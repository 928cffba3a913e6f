"""Median wall time of `symcalc derive neuron` over ≥ 5 runs, as a ratio to `python -c "import sympy"`.

Run: python bench/cli_latency.py [runs]. Target: ratio ≤ 1.5 (the work beyond importing sympy is small).
"""
from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time


def median_time(cmd, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    exe = shutil.which("symcalc")
    ours = [exe, "derive", "neuron"] if exe else [sys.executable, "-m", "symcalc.cli", "derive", "neuron"]
    base = median_time([sys.executable, "-c", "import sympy"], runs)
    cli = median_time(ours, runs)
    print(f"import sympy:           {base * 1000:7.0f} ms (median of {runs})")
    print(f"symcalc derive neuron:  {cli * 1000:7.0f} ms (median of {runs})")
    print(f"ratio:                  {cli / base:7.2f}  (target ≤ 1.5)")


if __name__ == "__main__":
    main()
