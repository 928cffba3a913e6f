"""Issue 12's deep network: a scalar loss of a batch X (N×n) through L dense tanh layers,
H_k = tanh(H_{k-1} W_k), loss = sum(H_L), derived by every W_1..W_L at once (denominator layout),
for L = 4, 8, 16, 32.

For each L: the derive time (median of several runs in this process, after one warm-up; with the
default self-check and with verify=False), the bytes of the whole derivation's LaTeX (d.latex()) and
of its result section (d.result_latex_all()), the number of steps, and the work steps charged to the
budget (symcalc/budget.py; a plain derive() stops with a LimitError beyond MAX_WORK). Then the
growth ratio for each doubling of L (value at 2L / value at L), beside the issue's goals: L = 32 in
≤ 1 s, result LaTeX ≤ 10 kB, each doubling at most doubles time and size (linear growth in L).
For comparison, the LaTeX of W_1's fully substituted closed form (d.closed_form(W_1)), which grows
quadratically: the compact δ form of the result section is what avoids that. The backward form
builds a closed form only when it is asked for (symcalc.derivation.ClosedForms), so the derive times
do not include it; it is built afterwards for that column, under a work budget of its own.

The figures are measured with the work limit lifted (an outer budget, as nested derivations share
it), so every L has them; the column "plain" says what a plain derive() does at that L.

All layers share one width n by default (X is N×n, every W_k n×n). With --widths distinct, layer k
is n_{k-1}×n_k: the self-check then needs L + 2 distinct concrete sizes and reports
"inconclusive" from L = 5 on, so "verify on" no longer checks anything (see the "check" column).

    python bench/deep_tanh.py [--runs 5] [--loss sum|squared] [--widths one|distinct] [--layers 4 8 16 32]
"""
from __future__ import annotations

import argparse
import statistics
import time

import symcalc as sc
from symcalc import budget
from symcalc.errors import LimitError, SymcalcError
from symcalc.printing import latex

GOAL_SECONDS = 1.0  # L = 32
GOAL_RESULT_BYTES = 10_000
GOAL_RATIO = 2.0  # per doubling of L
CLOSED_CAP = 4_000_000  # bytes of LaTeX beyond which the closed form is not worth printing
LIFTED = 10**9  # work steps: no limit in practice


def network(depth: int, loss: str, widths: str):
    """(loss, [W_1..W_L]) for ``depth`` dense tanh layers."""
    size = (lambda k: "n") if widths == "one" else (lambda k: f"n{k}")
    H = sc.matrix("X", "N", size(0))
    Ws = []
    for k in range(1, depth + 1):
        W = sc.matrix(f"W_{k}", size(k - 1), size(k))
        Ws.append(W)
        H = sc.tanh(H @ W)
    if loss == "squared":
        return sc.sum_((H - sc.matrix("Y", "N", size(depth))) ** 2), Ws
    return sc.sum_(H), Ws


def derive(loss, Ws, verify: bool):
    """(derivation, seconds, work steps) with the work limit lifted."""
    with budget.budget(LIFTED):
        start = time.perf_counter()
        d = sc.derive(loss, Ws, layout="denominator", verify=verify)
        seconds = time.perf_counter() - start
        return d, seconds, budget.used()


def plain(loss, Ws) -> str:
    """What a plain derive() (default work limit, self-check on) does: "ok" or the error and when."""
    start = time.perf_counter()
    try:
        sc.derive(loss, Ws, layout="denominator")
    except LimitError:
        return f"LimitError {time.perf_counter() - start:.1f}s"
    except SymcalcError as exc:
        return f"{type(exc).__name__} {time.perf_counter() - start:.1f}s"
    return "ok"


def closed_size(d, W) -> str:
    try:
        n = len(latex(d.closed_form(W)).encode())
    except SymcalcError as exc:
        return type(exc).__name__
    return f"{n:,}" if n <= CLOSED_CAP else f"> {CLOSED_CAP // 1_000_000} MB"


def measure(depth: int, runs: int, loss: str, widths: str) -> dict:
    expr, Ws = network(depth, loss, widths)
    derive(expr, Ws, True)  # warm-up, both settings
    derive(expr, Ws, False)
    on, off = [], []
    for _ in range(runs):  # alternating, so machine noise hits both alike
        d_on, seconds, _ = derive(expr, Ws, True)
        on.append(seconds)
        d, seconds, work = derive(expr, Ws, False)
        off.append(seconds)
    check = d_on.verification.status
    return {"L": depth, "runs": runs, "on": statistics.median(on), "off": statistics.median(off), "work": work,
            "tex": len(d.latex().encode()), "result": len(d.result_latex_all().encode()), "steps": len(d.steps),
            "closed": closed_size(d, Ws[0]), "check": check, "plain": plain(expr, Ws)}


def _num(s: str) -> float | None:
    try:
        return float(s.replace(",", ""))
    except ValueError:
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="timed runs per setting (3 for L ≥ 32)")
    ap.add_argument("--loss", choices=("sum", "squared"), default="sum")
    ap.add_argument("--widths", choices=("one", "distinct"), default="one")
    ap.add_argument("--layers", type=int, nargs="+", default=[4, 8, 16, 32])
    args = ap.parse_args()
    loss_text = "sum(H_L)" if args.loss == "sum" else "sum((H_L - Y)²)"
    print(f"loss = {loss_text}, H_k = tanh(H_(k-1) W_k), widths: {args.widths}; derive(loss, [W_1..W_L], "
          f"layout='denominator'); times: median, after one warm-up; work limit lifted (MAX_WORK = "
          f"{budget.MAX_WORK:,})")
    total = time.perf_counter()
    rows = [measure(L, min(args.runs, 3) if L >= 32 else args.runs, args.loss, args.widths) for L in args.layers]
    head = (f"{'L':>3} {'runs':>4} {'verify on':>10} {'verify off':>10} {'check':>12} {'steps':>5} {'work':>8} "
            f"{'plain derive()':>16} {'latex() B':>10} {'result B':>9} {'W_1 closed B':>13}")
    print(head)
    for r in rows:
        print(f"{r['L']:>3} {r['runs']:>4} {r['on']:>9.3f}s {r['off']:>9.3f}s {r['check']:>12} {r['steps']:>5} "
              f"{r['work']:>8,} {r['plain']:>16} {r['tex']:>10,} {r['result']:>9,} {r['closed']:>13}")
    print(f"\ngrowth per doubling of L (value at 2L / value at L; goal ≤ {GOAL_RATIO:.2f}, linear in L)")
    print(f"{'L→2L':>8} {'verify on':>10} {'verify off':>10} {'work':>8} {'latex()':>8} {'result':>8} "
          f"{'W_1 closed':>10}")
    by_l = {r["L"]: r for r in rows}
    worst = 0.0
    for L in sorted(by_l):
        if 2 * L not in by_l:
            continue
        a, b = by_l[L], by_l[2 * L]
        ca, cb = _num(a["closed"]), _num(b["closed"])
        closed = f"{cb / ca:10.2f}" if ca and cb else f"{'-':>10}"
        worst = max(worst, b["on"] / a["on"], b["off"] / a["off"], b["tex"] / a["tex"], b["result"] / a["result"])
        print(f"{f'{L}→{2 * L}':>8} {b['on'] / a['on']:>10.2f} {b['off'] / a['off']:>10.2f} "
              f"{b['work'] / a['work']:>8.2f} {b['tex'] / a['tex']:>8.2f} {b['result'] / a['result']:>8.2f} "
              f"{closed}")
    last = by_l[max(by_l)]
    print(f"\ngoals at L = {last['L']} (issue 12):")
    for name, value, goal, unit in (("derive, verify on", last["on"], GOAL_SECONDS, "s"),
                                    ("derive, verify off", last["off"], GOAL_SECONDS, "s")):
        verdict = "met" if value <= goal else "MISSED"
        print(f"  {name + ':':<26} {value:8.3f} {unit:<2} (goal ≤ {goal:g} {unit}: {verdict})")
    print(f"  {'result LaTeX:':<26} {last['result']:8,} B  (goal ≤ {GOAL_RESULT_BYTES:,} B: "
          f"{'met' if last['result'] <= GOAL_RESULT_BYTES else 'MISSED'})")
    if worst:
        print(f"  {'worst doubling:':<26} {worst:8.2f} ×  (time or LaTeX; goal ≤ {GOAL_RATIO:g}: "
              f"{'met' if worst <= GOAL_RATIO else 'MISSED'})")
    print(f"  {'plain derive():':<26} {last['plain']:>8}    (goal: ok)")
    print(f"\ntotal bench time {time.perf_counter() - total:.0f} s")


if __name__ == "__main__":
    main()
