"""Issue 13's benchmark: the value and gradient of the 2-layer MLP with mean squared error (the catalog's
mlp-batch: L = mean over the N rows of sum((relu(X W₁ + 1⃗b₁ᵀ) W₂ + 1⃗b₂ᵀ − Y)²), by W₁, b₁, W₂, b₂), at
widths 64 and 256 (X is N×w, W₁ and W₂ w×w, Y N×w) and batches N = 1, 32, 256, computed by:

* symcalc: the numpy code symcalc generates from the derivation (`symcalc derive mlp-batch --format
  numpy --layout denominator`, compiled with Derivation.compile());
* numpy by hand: the backward pass as one writes it (no argument checks);
* torch: torch.autograd.grad of the same loss (CPU), when torch is installed;
* jax: jax.jit(jax.value_and_grad(loss)) (CPU), when jax is installed.

Every contender computes the loss and the four gradients, in float64, on one thread (the machine is
shared: several threads would measure the neighbours; --threads changes it). For each size the
contenders run in turn (each first in turn), --repeats times, each run timing enough calls to take
about --seconds; the table shows the median time per call and the median of the per-run ratios
(symcalc ÷ peer), so a burst of load on the machine affects both sides of a ratio alike. Before timing, all contenders'
gradients are checked to agree.

Goals (issue 13): symcalc ≤ 1.2× numpy by hand at every size; faster than torch autograd at N ≤ 32.

    python bench/codegen_mlp.py [--repeats 21] [--seconds 0.05] [--threads 1] [--quick]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

WIDTHS = (64, 256)
BATCHES = (1, 32, 256)
GOAL_NUMPY = 1.2  # symcalc ÷ numpy by hand, at every size
GOAL_TORCH_BATCH = 32  # symcalc faster than torch autograd at N ≤ this


def _threads(n: int) -> None:
    """One BLAS thread (or n) for every library: set before numpy, torch or jax is imported."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               f" --xla_cpu_multi_thread_eigen={'true' if n > 1 else 'false'}").strip()


# ---------------------------------------------------------------- the contenders


def symcalc_contender():
    from symcalc import catalog

    d = catalog.entry("mlp-batch").derivations("denominator")[0]
    return d.compile()  # takes (X, W_1, b_1, W_2, b_2, Y) in this order


def numpy_by_hand(X, W1, b1, W2, b2, Y):
    """Forward and backward as one writes them in numpy: biases as 1-D rows, the ReLU mask by comparison."""
    import numpy as np

    N = X.shape[0]
    Z1 = X @ W1 + b1
    H1 = np.maximum(Z1, 0.0)
    R = H1 @ W2 + b2 - Y
    loss = (R ** 2).sum() / N
    dZ2 = (2.0 / N) * R
    dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
    return float(loss), {"W_1": X.T @ dZ1, "b_1": dZ1.sum(axis=0), "W_2": H1.T @ dZ2, "b_2": dZ2.sum(axis=0)}


def torch_contender(threads: int):
    import torch

    torch.set_num_threads(threads)

    def loss(X, W1, b1, W2, b2, Y):
        return ((torch.relu(X @ W1 + b1) @ W2 + b2 - Y) ** 2).sum() / X.shape[0]

    def run(X, W1, b1, W2, b2, Y):
        value = loss(X, W1, b1, W2, b2, Y)
        grads = torch.autograd.grad(value, (W1, b1, W2, b2))
        return value.item(), dict(zip(("W_1", "b_1", "W_2", "b_2"), grads))

    def prepare(args):
        X, W1, b1, W2, b2, Y = (torch.tensor(a, dtype=torch.float64) for a in args)
        for p in (W1, b1, W2, b2):
            p.requires_grad_(True)
        return X, W1, b1, W2, b2, Y

    return run, prepare


def jax_contender():
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    def loss(W1, b1, W2, b2, X, Y):
        return ((jnp.maximum(X @ W1 + b1, 0.0) @ W2 + b2 - Y) ** 2).sum() / X.shape[0]

    grad = jax.jit(jax.value_and_grad(loss, argnums=(0, 1, 2, 3)))

    def run(X, W1, b1, W2, b2, Y):
        value, grads = grad(W1, b1, W2, b2, X, Y)
        grads = jax.block_until_ready(grads)
        return float(value), dict(zip(("W_1", "b_1", "W_2", "b_2"), grads))

    def prepare(args):
        return tuple(jnp.asarray(a) for a in args)

    return run, prepare


# ---------------------------------------------------------------- timing


def problem(width: int, batch: int, seed: int = 0):
    import numpy as np

    rng = np.random.default_rng(seed)
    return (rng.normal(size=(batch, width)), rng.normal(size=(width, width)) / width ** 0.5, rng.normal(size=width),
            rng.normal(size=(width, width)) / width ** 0.5, rng.normal(size=width), rng.normal(size=(batch, width)))


def agree(results) -> None:
    """Every contender's loss and gradients match the hand-written numpy ones (or the run stops)."""
    import numpy as np

    ref_value, ref = results["numpy by hand"]
    for name, (value, grads) in results.items():
        ok = np.isclose(value, ref_value) and all(
            np.allclose(np.asarray(grads[k], dtype=float).reshape(np.shape(ref[k])), ref[k]) for k in ref)
        if not ok:
            sys.exit(f"{name} disagrees with numpy by hand: the benchmark would compare different computations")


def per_call(f, args, seconds: float) -> tuple[float, int]:
    """(seconds per call, calls) timing enough calls of f(*args) to take about ``seconds``."""
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            f(*args)
        took = time.perf_counter() - start
        if took >= seconds or calls >= 1_000_000:
            return took / calls, calls
        calls = max(calls * 2, int(calls * seconds / max(took, 1e-9)))


def measure(contenders, args_for, repeats: int, seconds: float) -> dict:
    """{name: [seconds per call, one per repeat]}, the contenders in turn within each repeat."""
    calls = {name: per_call(f, args_for[name], seconds / 4)[1] for name, f in contenders.items()}  # warm up, size
    times = {name: [] for name in contenders}
    names = list(contenders)
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:  # each goes first in turn
            f, args = contenders[name], args_for[name]
            start = time.perf_counter()
            for _ in range(calls[name]):
                f(*args)
            times[name].append((time.perf_counter() - start) / calls[name])
    return times


def versions(have_torch: bool, have_jax: bool) -> str:
    import numpy

    import symcalc

    out = [f"python {platform.python_version()}", f"numpy {numpy.__version__}", f"symcalc {symcalc.__version__}"]
    if have_torch:
        import torch

        out.append(f"torch {torch.__version__}")
    if have_jax:
        import jax
        import jaxlib

        out.append(f"jax {jax.__version__} (jaxlib {jaxlib.__version__})")
    return ", ".join(out)


def _available(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def start(argv, description: str, problem_text: str = "") -> tuple:
    """The flags, the thread setting and the header every benchmark here prints: (args, have_torch,
    have_jax). ``problem_text`` goes in the header ("N = 1000; ")."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--repeats", type=int, default=21, help="runs per contender and size (default 21)")
    p.add_argument("--seconds", type=float, default=0.05, help="time per run (default 0.05 s)")
    p.add_argument("--threads", type=int, default=1, help="BLAS and library threads (default 1)")
    p.add_argument("--quick", action="store_true", help="3 repeats of 0.02 s: a smoke test")
    args = p.parse_args(argv)
    if args.quick:
        args.repeats, args.seconds = 3, 0.02
    _threads(args.threads)
    have_torch, have_jax = _available("torch"), _available("jax")
    print(f"versions: {versions(have_torch, have_jax)}")
    print(f"{platform.machine()}, {os.cpu_count()} cores, {args.threads} thread(s); float64; {problem_text}"
          f"median of {args.repeats} runs of ~{args.seconds} s each")
    missing = [m for m, ok in (("torch", have_torch), ("jax", have_jax)) if not ok]
    if missing:
        print(f"not installed, not compared: {', '.join(missing)} (pip install '.[bench]')")
    return args, have_torch, have_jax


def main(argv=None) -> int:
    args, have_torch, have_jax = start(argv, __doc__.split("\n\n")[0])
    ours = symcalc_contender()
    torch_run = torch_contender(args.threads) if have_torch else None
    jax_run = jax_contender() if have_jax else None
    header = (f"{'width':>5} {'N':>4} | {'symcalc':>9} {'by hand':>9} {'torch':>9} {'jax':>9} | "
              f"{'÷ by hand':>9} {'÷ torch':>8} {'÷ jax':>7}")
    print(header)
    print("-" * len(header))
    met = {"numpy": True, "torch": True}
    for width in WIDTHS:
        for batch in BATCHES:
            raw = problem(width, batch)
            contenders = {"symcalc": ours, "numpy by hand": numpy_by_hand}
            args_for = {"symcalc": raw, "numpy by hand": raw}
            for name, pair in (("torch", torch_run), ("jax", jax_run)):
                if pair is not None:
                    contenders[name], args_for[name] = pair[0], pair[1](raw)
            agree({name: f(*args_for[name]) for name, f in contenders.items()})
            times = measure(contenders, args_for, args.repeats, args.seconds)
            row = _row(width, batch, times)
            print(row["text"])
            met["numpy"] &= row["by hand"] <= GOAL_NUMPY
            if "torch" in row and batch <= GOAL_TORCH_BATCH:
                met["torch"] &= row["torch"] < 1.0
    print(f"goal: symcalc ≤ {GOAL_NUMPY}× numpy by hand at every size: {'met' if met['numpy'] else 'NOT met'}")
    if have_torch:
        print(f"goal: symcalc faster than torch autograd at N ≤ {GOAL_TORCH_BATCH}: {'met' if met['torch'] else 'NOT met'}")
    return 0


def _row(width, batch, times) -> dict:
    """One table line: median µs per call, and the median of the per-run ratios symcalc ÷ each peer."""
    med = {name: statistics.median(ts) for name, ts in times.items()}
    ratio = {name: statistics.median(a / b for a, b in zip(times["symcalc"], ts)) for name, ts in times.items()}
    cell = lambda name: f"{med[name] * 1e6:8.1f}µ" if name in med else f"{'—':>9}"  # noqa: E731
    ratio_cell = lambda name, w: f"{ratio[name]:{w}.2f}" if name in ratio else f"{'—':>{w}}"  # noqa: E731
    text = (f"{width:>5} {batch:>4} | {cell('symcalc')} {cell('numpy by hand')} {cell('torch')} {cell('jax')} | "
            f"{ratio_cell('numpy by hand', 9)} {ratio_cell('torch', 8)} {ratio_cell('jax', 7)}")
    out = {"text": text, "by hand": ratio["numpy by hand"]}
    out.update({k: ratio[k] for k in ("torch", "jax") if k in ratio})
    return out


if __name__ == "__main__":
    sys.exit(main())
