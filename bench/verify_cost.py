"""What the default numeric self-check costs (issue 8): both ratios should be ≤ 1.10.

(i)  `symcalc derive neuron` wall time, with the self-check and with --no-verify (median of runs);
(ii) deriving every catalog entry (every part, numerator layout) in one process, verify on and off:
     each measurement in a fresh interpreter, timing only the deriving (imports excluded), so
     sympy's caches are equally cold for both.

Runs alternate between the two settings so machine noise hits both alike.
Run: python bench/verify_cost.py [runs]
"""
from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time

CATALOG = """
import time
from symcalc import catalog
specs = catalog.catalog()
start = time.perf_counter()
ds = [d for s in specs.values() for d in s.derivations(verify={verify})]
print(time.perf_counter() - start, len(ds))
"""


def _cli(flag):
    exe = shutil.which("symcalc")
    cmd = [exe] if exe else [sys.executable, "-m", "symcalc.cli"]
    return cmd + ["derive", "neuron", "--format", "text"] + flag


def _wall(cmd) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _catalog(verify: bool) -> float:
    out = subprocess.run([sys.executable, "-c", CATALOG.format(verify=verify)], check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0])


def medians(measure, runs):
    on, off = [], []
    for _ in range(runs):
        on.append(measure(True))
        off.append(measure(False))
    return statistics.median(on), statistics.median(off)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    on, off = medians(lambda v: _wall(_cli([] if v else ["--no-verify"])), runs)
    print(f"symcalc derive neuron --no-verify: {off * 1000:7.0f} ms (median of {runs})")
    print(f"symcalc derive neuron:             {on * 1000:7.0f} ms")
    print(f"ratio:                             {on / off:7.3f}  (target ≤ 1.10)")
    on, off = medians(_catalog, runs)
    print(f"every catalog entry, verify=False: {off * 1000:7.0f} ms (median of {runs}, one process each)")
    print(f"every catalog entry, verify=True:  {on * 1000:7.0f} ms")
    print(f"ratio:                             {on / off:7.3f}  (target ≤ 1.10)")


if __name__ == "__main__":
    main()
