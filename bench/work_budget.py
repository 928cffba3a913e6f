"""How much of the work budget (symcalc/budget.py) the catalog uses: steps per entry and layout,
the largest of them as a fraction of MAX_WORK, and steps per second on this machine.

    python bench/work_budget.py
"""
from __future__ import annotations

import time

from symcalc import budget, catalog
from symcalc import derivation as D


def main() -> None:
    spent = []
    inner = D._derive

    def counted(*args, **kw):
        d = inner(*args, **kw)
        spent.append(budget.used())
        return d

    D._derive = counted
    worst, total_steps, start = ("", 0), 0, time.perf_counter()
    for name, spec in catalog.catalog().items():
        for layout in ("numerator", "denominator"):
            spent.clear()
            spec.derivations(layout)
            steps = max(spent)
            total_steps += sum(spent)
            worst = max(worst, (f"{name} ({layout})", steps), key=lambda w: w[1])
    seconds = time.perf_counter() - start
    print(f"largest catalog entry: {worst[0]}, {worst[1]:,} steps = {worst[1] / budget.MAX_WORK:.1%} of MAX_WORK "
          f"({budget.MAX_WORK:,})")
    print(f"whole catalog, both layouts: {total_steps:,} steps in {seconds:.2f} s "
          f"({total_steps / seconds:,.0f} steps/s, self-checks included)")


if __name__ == "__main__":
    main()
