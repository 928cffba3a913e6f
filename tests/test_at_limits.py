"""Issue 9: --at bounds the work. Values are bounded at entry, the evaluator builds no array over
100 MB (diag(v) @ u is v * u), and a repeated, non-finite or absurdly nested value is one clear line.
The resource cases run in a subprocess under a memory cap and must be refused or answered fast."""
from __future__ import annotations

import json
import resource
import subprocess
import sys

import numpy as np
import pytest

import symcalc as sc
from symcalc.cli import main
from symcalc.limits import MAX_AT_VALUES, MAX_DENSE, MAX_DIM
from symcalc.numeric import evaluate

from helpers import checked

MEMORY_CAP = 1536 * 1024 * 1024  # 1.5 GB of address space: a 3 GB diagonal cannot sneak through
RUNNER = """
import sys, time
from symcalc.cli import main
start = time.process_time()
code = main(sys.argv[1:])
print(f"WORK {time.process_time() - start:.3f}", file=sys.stderr)
sys.exit(code)
"""


def _cap():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_capped(*argv):
    """symcalc derive ARGV in a subprocess under the memory cap: (exit code, stdout, stderr, CPU seconds of work)."""
    proc = subprocess.run([sys.executable, "-c", RUNNER, "derive", *argv], capture_output=True, text=True,
                          timeout=20, preexec_fn=_cap)
    work = [float(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("WORK ")]
    assert "Traceback" not in proc.stderr and work, proc.stderr[-2000:]
    return proc.returncode, proc.stdout, proc.stderr, work[0]


def run(capsys, *argv):
    code = main(["derive", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def numbers(n, value="0.5"):
    return ",".join([value] * n)


SIGMOID = ("sigmoid(w)", "--wrt", "w", "--vector", "w")


# ---------------------------------------------------------------- bounded at entry, under a memory cap

@pytest.mark.parametrize("value, message", [
    (numbers(20_000), "20000 numbers, 20000 in one dimension"),  # once a 20,000² diagonal: 3 GB
    ("[" + numbers(20_000) + "]", "20000 numbers"),
    ("[" + ",".join(["[" + numbers(120, "1") + "]"] * 120) + "]", "14400 numbers"),  # 120×120 > 10,000 values
    ("[[" + numbers(MAX_DIM + 1) + "]]", f"{MAX_DIM + 1} in one dimension"),
    ("[" * 100_000, "at most 2 levels"),  # once a RecursionError traceback
])
def test_oversized_at_values_are_refused_fast_under_a_memory_cap(value, message):
    code, out, err, work = run_capped(*SIGMOID, "--at", f"w={value}")
    assert code == 2 and out == "" and message in err and err.count("\n") == 2, err  # the line, then WORK
    assert work < 2, f"{work:.2f} s of work"


def test_the_largest_allowed_jacobian_is_answered_fast_under_a_memory_cap():
    """1,000 values: the 1,000×1,000 Jacobian diag(σ′(w)) is 8 MB, evaluated and printed in well under 2 s."""
    code, out, err, work = run_capped(*SIGMOID, "--at", f"w={numbers(MAX_DIM)}", "--format", "text")
    assert code == 0 and "at the point: ∂y/∂w" in out and "0.235004" in out, err
    assert work < 2, f"{work:.2f} s of work"


def test_a_gradient_of_a_long_vector_uses_no_dense_diagonal_under_a_memory_cap():
    code, out, err, work = run_capped("sigmoid(w) @ sigmoid(w)", "--wrt", "w", "--vector", "w",
                                      "--at", f"w={numbers(MAX_DIM)}", "--format", "json")
    value = json.loads(out)["derivations"][0]["at"]["derivatives"][0]["value"]
    s = 1 / (1 + np.exp(-0.5))
    assert code == 0 and np.allclose(value, 2 * s * s * (1 - s)) and len(value[0]) == MAX_DIM, err
    assert work < 2, f"{work:.2f} s of work"


# ---------------------------------------------------------------- bounded in the evaluator (the Python API)

def test_a_dense_diagonal_over_the_limit_is_refused_by_name():
    d = checked(sc.derive("sigmoid(w)", "w", vectors="w"))
    with pytest.raises(sc.SymcalcError, match=f"20,000×20,000 array, over the limit of {MAX_DENSE:,}"):
        d.evaluate({"w": np.zeros(20_000)})


def test_diag_times_a_matrix_is_a_scaling_not_a_dense_product():
    """The gradient of σ(w)·σ(w) is 2σ(w)ᵀ diag(σ′(w)): 20,000 entries, evaluated without the 3 GB diagonal."""
    d = checked(sc.derive("sigmoid(w) @ sigmoid(w)", "w", vectors="w"))
    w = np.linspace(-3, 3, 20_000)
    s = 1 / (1 + np.exp(-w))
    assert np.allclose(d.evaluate({"w": w}), 2 * s * s * (1 - s))


def _diag_products():
    u, v, x = sc.vector("u"), sc.vector("v"), sc.vector("x")
    A, B = sc.matrix("A", "n", "n"), sc.matrix("B", "n", "n")
    Du, Dv = sc.diag(u), sc.diag(v)
    return [[Du, A], [A, Du], [Du, Dv, A], [A, Du, B, Dv], [Du, Dv], [x.T, Du, v], [Du, v], [x.T, A, Du]]


@pytest.mark.parametrize("factors", _diag_products(), ids=lambda fs: " @ ".join(map(str, fs)))
def test_diagonal_scaling_equals_the_dense_product(factors):
    rng = np.random.default_rng(0)
    e = factors[0]
    for f in factors[1:]:
        e = e @ f
    values = {var: rng.normal(size=(4, 1) if var.shape[1] == 1 else (4, 4)) for var in sc.expr.variables(e)}
    dense = [np.diag(values[f.arg][:, 0]) if isinstance(f, sc.expr.Diag) else
             values[f.arg].T if isinstance(f, sc.expr.Transpose) else values[f] for f in factors]
    assert np.allclose(evaluate(e, values), np.linalg.multi_dot(dense) if len(dense) > 2 else dense[0] @ dense[1])


# ---------------------------------------------------------------- one clear line for bad values

@pytest.mark.parametrize("value, message", [
    ("[NaN,1,1]", "NaN is not a finite number"),  # once accepted while w=nan was refused
    ("[1,Infinity,1]", "Infinity is not a finite number"),
    ("[-Infinity,1,1]", "-Infinity is not a finite number"),
    ("[1e999,1,1]", "too large for a float"),
    ("[1" + "0" * 400 + ",1,1]", "too large for a float"),
    ("[" + "1" * 5000 + ",1,1]", "too large for a float"),  # not Python's 4,300-digit int error
    ("nan,1,1", "is not a finite number"),
    ("[[[1]]]", "at most 2 levels"),
    ("[" * 100_000 + "]" * 100_000, "at most 2 levels"),
    ("1," * 250_000 + "1", "the limit is 400,000"),
])
def test_bad_at_values_are_one_line(capsys, value, message):
    code, out, err = run(capsys, "w @ w", "--wrt", "w", "--vector", "w", "--at", f"w={value}")
    assert code == 2 and out == "" and message in err and err.count("\n") == 1, err


def test_a_repeated_at_names_the_variable(capsys):
    code, out, err = run(capsys, "w @ w", "--wrt", "w", "--vector", "w", "--at", "w=1,2", "--at", "w=3,4")
    assert code == 2 and out == "" and "--at gives w more than once" in err
    code, _, err = run(capsys, "w @ w", "--wrt", "w", "--vector", "w", "--at", "w=1,2", "--at", " w =3,4")
    assert code == 2 and "w more than once" in err


def test_values_at_the_limits_are_accepted(capsys):
    checked(sc.derive("a.T @ W @ b", "W", vectors="a:m b:n", matrices="W:m,n"))
    square = "[" + ",".join(["[" + numbers(100, "1") + "]"] * 100) + "]"  # 10,000 values, exactly the limit
    code, out, err = run(capsys, "a.T @ W @ b", "--wrt", "W", "--vector", "a:m", "b:n", "--matrix", "W:m,n",
                         "--at", f"W={square}", "--at", f"a={numbers(100)}", "--at", f"b={numbers(100)}",
                         "--format", "json")
    value = json.loads(out)["derivations"][0]["at"]["derivatives"][0]["value"]
    assert code == 0 and np.array(value).shape == (100, 100) and MAX_AT_VALUES == 10_000, err
