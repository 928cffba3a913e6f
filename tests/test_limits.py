"""Issue 9: every limit bounds the work. Tiny inputs that once hung, took gigabytes or ended in a
traceback are refused (or answered) fast, in-process here and under a memory cap in a subprocess."""
from __future__ import annotations

import time

import pytest

import symcalc as sc
from symcalc.parse import parse

ADVERSARIAL = [
    ("x" * 10_001, "limit is 10000"),
    ("(" * 250 + "x" + ")" * 250, "nesting deeper than 200"),
    ("(" * 9000, "nesting deeper than 200"),
    ("[" * 9000, "nesting deeper than 200"),
    ("-" * 9000 + "x", "nesting deeper than 200"),
    ("√" * 9000 + "x", "nesting deeper than 200"),
    ("sin(" * 1200 + "x" + ")" * 1200, "nesting deeper than 200"),
    ("x**" * 3000 + "x", "nesting deeper than 200"),
    ("/".join(["x"] * 5000), "more than 250 levels"),
    ("x" + "ᵀ²" * 4000, "more than 250 levels"),
    ("x**1234567", "more than 6 digits"),
    ("2**99999999", "more than 6 digits"),
    ("x**1e7", "more than 6 digits"),
    ("x¹²³⁴⁵⁶⁷", "more than 6 digits"),
    ("9**9**9", "more than 6 digits"),
    ("x**(10**7)", "more than 6 digits"),
    ("2**999999", "up to 999,999 digits"),
    ("2**999999 * x", "the limit is 1,000"),
    ("(2**99999)**99999", "the limit is 1,000"),
    ("(1e999)**999", "the limit is 1,000"),
    ("sqrt(4)**999999", "the limit is 1,000"),
    ("1e999 * 1e999", "the limit is 1,000"),
    ("1e9999999999", "too large"),
    ("1e999999", "too large"),
    ("1" * 5000, "too large"),
    ("1/0", "division by zero"),
    ("x / (2 - 2)", "division by zero"),
    ("0**-1", "division by zero"),
]


@pytest.mark.parametrize("text, message", ADVERSARIAL, ids=[f"{a[0][:16]}_{len(a[0])}" for a in ADVERSARIAL])
def test_limits_fail_fast_with_a_parse_error(text, message):
    start = time.perf_counter()
    with pytest.raises(sc.ParseError, match=message):
        parse(text)
    assert time.perf_counter() - start < 2


HARMLESS = ["+".join(["x"] * 5000), "-".join(["x"] * 5000), "*".join(["w"] * 5000), "+".join(["1"] * 5000),
            "w" + ".T" * 4000, "x" + "²" * 6, "0**99999", "sin(" * 199 + "x" + ")" * 199, "/".join(["x"] * 250)]


@pytest.mark.parametrize("text", HARMLESS, ids=[f"{h[:12]}_{len(h)}" for h in HARMLESS])
def test_long_but_harmless_input_parses_quickly_and_prints(text):
    start = time.perf_counter()
    e = parse(text, vectors="w")
    assert str(e) and time.perf_counter() - start < 2


@pytest.mark.parametrize("value", [None, 3, b"x", ["x"]])
def test_only_strings_are_parsed(value):
    with pytest.raises(sc.ParseError, match="string"):
        parse(value)


# ---------------------------------------------------------------- the CLI under a memory cap

def _many(sep, items):
    return sep.join(items)


HOSTILE_CLI = {  # issue 9's reproductions: each is refused or answered, never a hang or a traceback
    "power tower of 2s": ["derive", "x**2**2**2**2**2**2", "--wrt", "x"],
    "9**9**9 exponent": ["derive", "x**(9**9**9)", "--wrt", "x"],
    "huge literal": ["derive", "1e99999999*x", "--wrt", "x"],
    "tiny literal": ["derive", "x*1e-99999999", "--wrt", "x"],
    "exponent 10**6": ["derive", "x**(10**6)", "--wrt", "x"],
    "exponent 1e5000": ["derive", "x**1e5000", "--wrt", "x"],
    "literal 1e5000": ["derive", "1e5000*x", "--wrt", "x"],
    "999999**999999": ["derive", "x**(999999**999999)", "--wrt", "x"],
    "dims 10**9": ["derive", "w @ w", "--vector", "w", "--wrt", "w", "--check", "--dims", "n=1000000000"],
    "dims 10**5": ["derive", "w @ w", "--vector", "w", "--wrt", "w", "--check", "--dims", "n=100000"],
    "samples 10**6": ["derive", "w @ w", "--vector", "w", "--wrt", "w", "--check", "--samples", "1000000"],
    "samples 10**30": ["derive", "w @ w", "--vector", "w", "--wrt", "w", "--check", "--samples", "10**30"],
    "at 20,000 values": ["derive", "w * w", "--vector", "w", "--wrt", "w", "--at", "w=" + ",".join(["1"] * 20_000)],
    "x**x tower of 199": ["derive", _many("**", ["x"] * 199), "--wrt", "x"],
    "relu nested 199, checked": ["derive", "relu(" * 199 + "x" + ")" * 199, "--wrt", "x", "--check"],
    "product of 5,000 x": ["derive", _many("*", ["x"] * 5000), "--wrt", "x"],
    "product of 1,000 variables": ["derive", _many("*", [f"a{i}" for i in range(1000)]), "--wrt", "a1"],
    "1,200-entry Jacobian": ["derive", "[" + _many(", ", [f"x{i} * x{i + 1}" for i in range(40)]) + "]",
                             "--wrt", *[f"x{i}" for i in range(30)]],
    "exp nested 150, checked": ["derive", "exp(" * 150 + "x" + ")" * 150, "--wrt", "x", "--check"],
}
MEMORY_CAP = 2 * 1024**3  # bytes of address space; each case needs well under 500 MB of it


def run_capped(args, timeout=60):
    """``symcalc ARGS`` in a fresh interpreter with its address space capped; (code, stderr, seconds)."""
    import os
    import resource
    import subprocess
    import sys

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}  # threads reserve memory
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "symcalc.cli", *args, "--format", "text"], capture_output=True,
                          text=True, timeout=timeout, preexec_fn=cap, env=env)
    return proc.returncode, proc.stderr, time.perf_counter() - start


@pytest.mark.parametrize("name", sorted(HOSTILE_CLI))
def test_hostile_cli_inputs_end_cleanly_under_a_memory_cap(name):
    code, err, _ = run_capped(HOSTILE_CLI[name])
    assert code in (0, 1, 2) and "Traceback" not in err and "MemoryError" not in err, (name, code, err[-500:])
