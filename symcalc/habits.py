"""Hints for names typed from numpy, torch or LaTeX habit: ``np.exp(x)``, ``x.sum()``, ``transpose(x)``.

The parser refuses these (no attribute access, no unknown functions); this module only finds the
symcalc spelling to suggest, so the error says what to type instead of "did you mean tan?".

>>> hint("transpose", ["A @ B"])
'a transpose is written after its operand: (A @ B).T or (A @ B)ᵀ'
>>> attribute_hint("np.exp(x + 1)", 2)
'; write exp(x + 1) (symcalc has its own functions, without the np. prefix)'
>>> attribute_hint("x.dot(w)", 1)
'; write dot(x, w) (a function, not a method)'
>>> hint("prod", ["x"])
'prod is not supported yet'
"""
from __future__ import annotations

import re

# the prefixes a numpy, torch, jax or scipy user types before a function
MODULES = {"np", "numpy", "torch", "math", "F", "nn", "functional", "tf", "jnp", "jax", "sp", "scipy", "special",
           "sympy", "la", "linalg"}
# not in symcalc yet: what to write meanwhile, where an exact spelling exists ({0} is the argument)
UNSUPPORTED = {"min": "", "minimum": "", "prod": "", "std": "", "var": ""}
# other libraries' names for what symcalc writes with an operator or another function
SPELLINGS = {
    "transpose": "{T}", "t": "{T}", "matmul": "{0} @ {1}", "mm": "{0} @ {1}", "mv": "{0} @ {1}",
    "inner": "{0} @ {1}", "multiply": "{0} * {1}", "mul": "{0} * {1}", "divide": "{0} / {1}", "div": "{0} / {1}",
    "add": "{0} + {1}", "subtract": "{0} - {1}", "sub": "{0} - {1}", "power": "{0} ** {1}", "pow": "{0} ** {1}",
    "square": "{0}**2", "absolute": "abs({0})", "expit": "sigmoid({0})", "logistic": "sigmoid({0})",
}


def hint(name: str, args: list[str]) -> str | None:
    """What to write for the call ``name(*args)``, or None when nothing better than a guess is known."""
    from .parse import FUNCTION_NAMES

    if name in UNSUPPORTED:
        instead = _fill(UNSUPPORTED[name], args)
        return f"{name} is not supported yet" + (f"; {instead}" if instead else "")
    if name in SPELLINGS:
        written = _fill(SPELLINGS[name], args)
        if name in ("transpose", "t"):
            return f"a transpose is written after its operand: {written or _fill('{T}', ['x'])}"
        return f"write {written}" if written else None
    if name in FUNCTION_NAMES:
        return f"write {name}({', '.join(args)})"
    return None


def _fill(template: str, args: list[str]) -> str:
    needed = max((int(i) for i in re.findall(r"\{(\d)\}", template)), default=-1) + 1
    if len(args) < max(needed, 1 if "{T}" in template else 0):
        return ""
    first = args[0] if args else ""
    grouped = first if re.fullmatch(r"\w+", first) else f"({first})"
    return template.replace("{T}", f"{grouped}.T or {grouped}ᵀ").format(*(a if re.fullmatch(r"\w+", a) else
                                                                            f"({a})" for a in args))


def call_args(text: str, open_pos: int) -> list[str] | None:
    """The arguments of the call whose '(' is at ``open_pos``, as typed; None if it is not closed."""
    depth, start, args = 0, open_pos + 1, []
    for i in range(open_pos, len(text)):
        ch = text[i]
        depth += (ch in "([") - (ch in ")]")
        if depth == 1 and ch == ",":
            args.append(text[start:i].strip())
            start = i + 1
        if depth == 0:
            last = text[start:i].strip()
            return args + [last] if last or args else []
    return None


def attribute_hint(text: str, dot: int) -> str:
    """For the '.' at ``dot``: np.exp(x) → exp(x), x.sum() → sum(x), x.dot(w) → dot(x, w)."""
    owner = re.search(r"(\w+)$", text[:dot])
    chain = re.match(r"(?:\.\w+)*\.(\w+)\s*\(", text[dot:])  # torch.nn.functional.relu(: the last name
    if not owner or not chain:
        return ""
    args = call_args(text, dot + chain.end() - 1)
    if args is None:
        return ""
    module = owner.group(1) in MODULES
    said = hint(chain.group(1), args if module else [owner.group(1), *args])
    if not said:
        return ""
    why = f"symcalc has its own functions, without the {owner.group(1)}. prefix" if module else "a function, not a method"
    return f"; {said}" + (f" ({why})" if said.startswith("write") else "")
