"""`symcalc derive gradient-descent --demo`: fit a ReLU neuron with the derived gradient (E21).

The gradients come from the engine's closed forms, evaluated with numpy; nothing is
differentiated numerically. Deterministic for a given seed.
"""
from __future__ import annotations

import numpy as np

from . import expr as E
from .derivation import derive


def loss_and_gradients(n="n", N="N"):
    """The neuron's MSE loss (E20, batched) and its derivation with respect to w and b."""
    X, w, y, b, Ns = E.matrix("X", N, n), E.vector("w", n), E.vector("y", N), E.scalar("b"), E.scalar("N")
    loss = E.sum_((y - E.relu(X @ w + b)) ** 2) / Ns
    return loss, derive(loss, [w, b], names=["z", "u", "v"], output="C"), (X, w, y, b, Ns)


def fit(steps=200, rate=0.1, seed=0, samples=64, features=3):
    """Gradient descent on synthetic data; yields (step, loss) as it goes, then the weights."""
    rng = np.random.default_rng(seed)
    loss, d, (X, w, y, b, Ns) = loss_and_gradients()
    data_X = rng.normal(size=(samples, features))
    true_w, true_b = rng.normal(size=features), 0.5
    data_y = np.maximum(0, data_X @ true_w + true_b) + 0.01 * rng.normal(size=samples)
    from .numeric import evaluate

    cur_w, cur_b = rng.normal(scale=0.1, size=features), 0.1
    point = {X: data_X, y: data_y, Ns: samples}
    for step in range(steps + 1):
        values = {**point, w: cur_w, b: cur_b}
        value = evaluate(loss, values)
        yield step, value
        gw = np.asarray(d.evaluate(values, w)).ravel()
        gb = float(d.evaluate(values, b))
        cur_w, cur_b = cur_w - rate * gw, cur_b - rate * gb
    return cur_w, cur_b


def run_demo(spec=None, steps=200, seed=0) -> int:
    import sys

    print("Fitting max(0, Xw + b) to 64 synthetic samples with w ← w − η ∂C/∂w, b ← b − η ∂C/∂b (η = 0.1)")
    print("the gradients are the closed forms of `symcalc derive loss`", flush=True)
    losses = _fit_with_progress(steps, seed) if sys.stdout.isatty() else [v for _, v in fit(steps, seed=seed)]
    for k in range(0, steps + 1, steps // 10):
        print(f"  step {k:4d}   loss {losses[k]:.6f}")
    print(f"loss fell from {losses[0]:.4f} to {losses[-1]:.6f}")
    return 0 if losses[-1] < losses[0] else 1


def _fit_with_progress(steps, seed) -> list:
    """The losses, with a progress bar that goes away when done (transient), below the header."""
    from rich.progress import Progress

    losses = []
    with Progress(transient=True) as progress:
        task = progress.add_task("gradient descent", total=steps)
        for step, value in fit(steps, seed=seed):
            losses.append(value)
            progress.update(task, completed=step, description=f"loss {value:.5f}")
    return losses
