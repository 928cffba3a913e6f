"""Issue 13's benchmark, the Hessian half: second derivatives of the mean log-loss of logistic regression
(the catalog's hessian-logistic: L(w) = mean(−(y ⊗ ln σ(Xw) + (1 − y) ⊗ ln(1 − σ(Xw)))), X N×n,
y in {0, 1}^N, w an n-vector; its Hessian is (1/N) Xᵀ diag(σ(Xw) ⊗ (1 − σ(Xw))) X), with N = 1000.

Table 1, the Hessian at n = 10, 100, 500. Every contender computes the value, the gradient and the
Hessian (n×n), in float64:

* symcalc: the numpy code symcalc generates from the derivation (catalog.entry("hessian-logistic")
  .derivations("numerator")[0].compile(), called as f(X=X, w=w, y=y) → (L, gradient, H));
* numpy by hand: s = σ(Xw); L, (1/N) Xᵀ(s − y) and H = (Xᵀ ⊗ (s ⊗ (1 − s))) X / N as one writes them
  (with `@`, no argument checks);
* torch: the loss and torch.autograd.grad for the value and gradient, then
  torch.autograd.functional.hessian of the loss, timed both with vectorize=False (the default: one
  backward pass per row of H) and vectorize=True (the rows by vmap); the column shows the faster of
  the two (tagged "loop" or "vmap"), and the ratio is against it;
* jax: jax.jit(jax.value_and_grad(loss)) then jax.jit(jax.hessian(loss)) (forward over reverse), both
  compiled before timing (compilation is not timed), results waited for with block_until_ready.

Table 2, Hessian-vector products H v at n = 500, 2000, 5000 (N = 1000; X is 40 MB at n = 5000, and
every contender takes O(N n) per product, so these sizes stay small): only H v is asked for, never H.

* symcalc: f.hvp(X=X, w=w, y=y, v=v) of the same generated code;
* numpy by hand: s = σ(Xw); Xᵀ((s ⊗ (1 − s)) ⊗ (X v)) / N;
* torch: torch.autograd.functional.hvp of the loss (which returns the value too) and the double
  backward (the gradient by torch.autograd.grad with create_graph=True, then the gradient of
  gradient·v), both timed; the column shows the faster (tagged "hvp" or "2×bwd");
* jax: jax.jit of the forward-over-reverse product jax.jvp(jax.grad(loss), (w,), (v,))[1], compiled
  before timing.

Everything runs on one thread (the machine is shared: several threads would measure the neighbours;
--threads changes it). For each size the contenders run in turn (each first in turn), --repeats
times, each run timing enough calls to take about --seconds; the tables show the median time per call
and the median of the per-run ratios (symcalc ÷ peer; < 1 means symcalc is faster), so a burst of load
on the machine affects both sides of a ratio alike. Before timing, all contenders' results are checked
to agree with numpy by hand. The timing and thread set-up are bench/codegen_mlp.py's.

Goal (issue 13): the Hessian at n = 100 at least 10× faster than torch (symcalc ÷ torch ≤ 0.1).
Reported beside it: symcalc ÷ numpy by hand (expected ≈ 1) and ÷ jax. Hessian-vector products: no
goal, the ratios are reported.

    python bench/hessian_logistic.py [--repeats 21] [--seconds 0.05] [--threads 1] [--quick]
"""
from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from codegen_mlp import measure, start  # noqa: E402

N = 1000
HESSIAN_SIZES = (10, 100, 500)
HVP_SIZES = (500, 2000, 5000)
GOAL_TORCH_N = 100  # the Hessian at this n ...
GOAL_TORCH = 0.1  # ... takes at most this fraction of torch's time (10× faster)
NOT_INSTALLED = "not installed"


# ---------------------------------------------------------------- the contenders


class Unavailable(Exception):
    """symcalc cannot generate the Hessian's code (yet)."""


def symcalc_contender():
    """(hessian, hvp) with positional arguments, calling the generated function by keyword."""
    from symcalc import catalog

    d = catalog.entry("hessian-logistic").derivations("numerator")[0]
    try:
        f = d.compile()
    except Exception as e:  # noqa: BLE001 - any failure means there is no Hessian code to time
        raise Unavailable(f"{type(e).__name__}: {e}") from e
    if not callable(getattr(f, "hvp", None)):
        raise Unavailable("the compiled function has no .hvp(X=, w=, y=, v=)")

    def hessian(X, w, y):
        return f(X=X, w=w, y=y)

    def hvp(X, w, y, v):
        return f.hvp(X=X, w=w, y=y, v=v)

    return hessian, hvp


def _sigmoid(a):
    import numpy as np

    return 1.0 / (1.0 + np.exp(-a))


def numpy_by_hand(X, w, y):
    """Value, gradient and Hessian as one writes them in numpy."""
    import numpy as np

    s = _sigmoid(X @ w)
    value = -(y * np.log(s) + (1 - y) * np.log(1 - s)).mean()
    grad = X.T @ (s - y) / X.shape[0]
    H = (X.T * (s * (1 - s))) @ X / X.shape[0]
    return float(value), grad, H


def numpy_hvp_by_hand(X, w, y, v):
    """H v without forming H."""
    s = _sigmoid(X @ w)
    return X.T @ (s * (1 - s) * (X @ v)) / X.shape[0]


def torch_contenders(threads: int) -> dict:
    """{"hessian": {tag: run}, "hvp": {tag: run}, "prepare": f}: two torch ways to each result."""
    import torch
    from torch.autograd.functional import hessian, hvp

    torch.set_num_threads(threads)

    def loss(w, X, y):
        s = torch.sigmoid(X @ w)
        return (-(y * torch.log(s) + (1 - y) * torch.log(1 - s))).mean()

    def hessian_run(vectorize: bool):
        def run(X, w, y):
            value = loss(w, X, y)
            (grad,) = torch.autograd.grad(value, w)
            H = hessian(lambda w: loss(w, X, y), w, vectorize=vectorize)
            return value.item(), grad, H

        return run

    def hvp_functional(X, w, y, v):
        return hvp(lambda w: loss(w, X, y), w, v)[1]

    def hvp_double_backward(X, w, y, v):
        (grad,) = torch.autograd.grad(loss(w, X, y), w, create_graph=True)
        return torch.autograd.grad(grad @ v, w)[0]

    def prepare(args):
        X, w, y, *v = (torch.tensor(a, dtype=torch.float64) for a in args)
        w.requires_grad_(True)
        return (X, w, y, *v)

    return {"hessian": {"loop": hessian_run(False), "vmap": hessian_run(True)},
            "hvp": {"hvp": hvp_functional, "2×bwd": hvp_double_backward}, "prepare": prepare}


def jax_contenders() -> dict:
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    def loss(w, X, y):
        s = jax.nn.sigmoid(X @ w)
        return (-(y * jnp.log(s) + (1 - y) * jnp.log(1 - s))).mean()

    value_and_grad = jax.jit(jax.value_and_grad(loss))
    hessian = jax.jit(jax.hessian(loss))
    hvp = jax.jit(lambda w, X, y, v: jax.jvp(lambda w: jax.grad(loss)(w, X, y), (w,), (v,))[1])

    def hessian_run(X, w, y):
        value, grad = value_and_grad(w, X, y)
        H = hessian(w, X, y)
        jax.block_until_ready((value, grad, H))
        return float(value), grad, H

    def hvp_run(X, w, y, v):
        return jax.block_until_ready(hvp(w, X, y, v))

    def prepare(args):
        return tuple(jnp.asarray(a) for a in args)

    return {"hessian": {"": hessian_run}, "hvp": {"": hvp_run}, "prepare": prepare}


# ---------------------------------------------------------------- checking and timing


def problem(n: int, with_v: bool = False, seed: int = 0):
    """(X, w, y[, v]): X's entries N(0, 1/n), so Xw is about N(0, 1) and σ is far from 0 and 1."""
    import numpy as np

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, n)) / n ** 0.5
    w = rng.normal(size=n)
    y = (rng.random(N) < 0.5).astype(float)
    return (X, w, y, rng.normal(size=n)) if with_v else (X, w, y)


def _close(got, want) -> bool:
    import numpy as np

    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.size != want.size:
        return False
    return np.allclose(got.reshape(want.shape), want, rtol=1e-7, atol=1e-10 * max(1.0, np.abs(want).max()))


def agree(results: dict, what: str) -> None:
    """Every contender's results match the hand-written numpy ones (or the run stops)."""
    ref = results["numpy by hand"]
    ref = ref if isinstance(ref, tuple) else (ref,)
    for name, got in results.items():
        got = got if isinstance(got, tuple) else (got,)
        if len(got) != len(ref) or not all(_close(g, r) for g, r in zip(got, ref)):
            sys.exit(f"{name} disagrees with numpy by hand on the {what}: "
                     "the benchmark would compare different computations")


def _time(seconds: float) -> str:
    return f"{seconds * 1e6:7.1f}µs" if seconds < 1e-3 else f"{seconds * 1e3:7.2f}ms"


def table(kind: str, sizes, ours, peers: dict, repeats: int, seconds: float) -> dict:
    """Print one table; {n: {peer: ratio}}. peers: {"torch": None (not installed) or {...}, ...}."""
    header = (f"{'n':>5} | {'symcalc':>9} {'by hand':>9} {'torch':>17} {'jax':>13} | "
              f"{'÷ by hand':>9} {'÷ torch':>8} {'÷ jax':>7}")
    print(header)
    print("-" * len(header))
    out = {}
    for n in sizes:
        raw = problem(n, with_v=kind == "hvp")
        contenders = {"symcalc": ours, "numpy by hand": numpy_by_hand if kind == "hessian" else numpy_hvp_by_hand}
        args_for = {"symcalc": raw, "numpy by hand": raw}
        for lib, p in peers.items():
            if p is not None:
                args = p["prepare"](raw)
                for tag, run in p[kind].items():
                    contenders[(lib, tag)], args_for[(lib, tag)] = run, args
        agree({name: f(*args_for[name]) for name, f in contenders.items()},
              "Hessian, value and gradient" if kind == "hessian" else "Hessian-vector product")
        times = measure(contenders, args_for, repeats, seconds)
        med = {name: statistics.median(ts) for name, ts in times.items()}
        ratio = {name: statistics.median(a / b for a, b in zip(times["symcalc"], ts)) for name, ts in times.items()}
        cells, ratios = [], {"by hand": ratio["numpy by hand"]}
        for lib, width in (("torch", 17), ("jax", 13)):
            if peers[lib] is None:
                cells.append(f"{NOT_INSTALLED:>{width}}")
                continue
            ways = [name for name in med if isinstance(name, tuple) and name[0] == lib]
            best = min(ways, key=med.get)  # torch's faster way (jax has one)
            tag = f" ({best[1]})" if best[1] else ""
            cells.append(f"{_time(med[best]) + tag:>{width}}")
            ratios[lib] = ratio[best]
        cell = lambda lib, w: f"{ratios[lib]:{w}.2f}" if lib in ratios else f"{'—':>{w}}"  # noqa: E731
        print(f"{n:>5} | {_time(med['symcalc'])} {_time(med['numpy by hand'])} {cells[0]} {cells[1]} | "
              f"{cell('by hand', 9)} {cell('torch', 8)} {cell('jax', 7)}", flush=True)
        out[n] = ratios
    return out


def main(argv=None) -> int:
    args, have_torch, have_jax = start(argv, __doc__.split("\n\n")[0], f"N = {N}; ")
    try:
        ours_hessian, ours_hvp = symcalc_contender()
    except Unavailable as e:
        print(f"symcalc cannot generate the Hessian's code here, nothing to time: {e}", file=sys.stderr)
        return 2
    peers = {"torch": torch_contenders(args.threads) if have_torch else None,
             "jax": jax_contenders() if have_jax else None}

    print("\nThe Hessian with the value and gradient (torch: the faster of autograd.functional.hessian's "
          'vectorize=False "loop" and vectorize=True "vmap")')
    hessian = table("hessian", HESSIAN_SIZES, ours_hessian, peers, args.repeats, args.seconds)
    print('\nHessian-vector products, H v only (torch: the faster of autograd.functional.hvp "hvp" '
          'and the double backward "2×bwd")')
    table("hvp", HVP_SIZES, ours_hvp, peers, args.repeats, args.seconds)

    at = hessian[GOAL_TORCH_N]
    print()
    if have_torch:
        print(f"goal: the Hessian at n = {GOAL_TORCH_N} ≥ {1 / GOAL_TORCH:.0f}× faster than torch "
              f"(symcalc ÷ torch ≤ {GOAL_TORCH}): {'met' if at['torch'] <= GOAL_TORCH else 'NOT met'} "
              f"({at['torch']:.3f}: {1 / at['torch']:.1f}× faster)")
    else:
        print(f"goal: the Hessian at n = {GOAL_TORCH_N} ≥ {1 / GOAL_TORCH:.0f}× faster than torch: "
              f"not measured (torch {NOT_INSTALLED})")
    by_hand = [r["by hand"] for r in hessian.values()]
    print(f"reported: the Hessian, symcalc ÷ numpy by hand {min(by_hand):.2f}–{max(by_hand):.2f} "
          f"over n = {', '.join(map(str, HESSIAN_SIZES))} (expected ≈ 1); symcalc ÷ jax at n = {GOAL_TORCH_N}: "
          + (f"{at['jax']:.2f}" if have_jax else NOT_INSTALLED))
    print("reported: Hessian-vector products have no goal; the ratios are in the second table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
