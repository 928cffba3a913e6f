"""What :func:`~symcalc.derivation.derive` is asked: the variables of differentiation (given as
variables or names), the new names for the output and intermediates, and notes on what the asker
likely meant (a variable the expression lacks, a reading the parser flagged).
"""
from __future__ import annotations

from . import expr as E
from .errors import ArgumentError, SymcalcError


def resolve(v, expr, decl):
    """A variable given by name: the expression's own, else a declared one, else a scalar."""
    if isinstance(v, E.Var):  # the expression's own, which may be declared one-hot since
        return next((u for u in E.variables(expr) if u.name == v.name and u.shape == v.shape), v)
    if not isinstance(v, str):
        raise ArgumentError(f"can only differentiate with respect to a variable (or its name), not {v!r}")
    from .limits import check_name

    v = check_name(v, "wrt")  # the parser's name rule: wrt="x__1" is refused, not a second x_1
    present = {u.name: u for u in E.variables(expr)}
    if v in present:
        return present[v]
    from .parse import declare

    return declare(**decl).get(v) or E.scalar(v)


def check_names(expr, names, output, wrt=()):
    """Names for the output and intermediates must be new: ``output="x"`` on an expression in x would
    print dx/dx for a derivative by x."""
    from .limits import check_name

    if names is not None and not isinstance(names, (list, tuple)):
        raise SymcalcError(f"names must be a list of intermediate names, not {names!r}")
    given = [check_name(n, "names") for n in names or ()]
    given += [check_name(output, "output")] if output is not None else []
    taken = {v.name for v in [*E.variables(expr), *wrt]}
    for name in given:
        if name in taken:
            raise SymcalcError(f"{name} is a variable of the expression or of differentiation, so it cannot "
                               "also name the output or an intermediate; choose another name")
        taken.add(name)


def reading_notes(read, wrt) -> list[str]:
    """The parser's notes on what may be a misreading, except for the variables asked about: in
    x^n --wrt n, n is plainly meant as a variable."""
    asked = {v.name for v in wrt}
    return [note for name, note in read if name not in asked]


def absent_notes(expr, wrt) -> list[str]:
    """A variable asked about that the expression lacks is likely a typo: its zero stands, with the
    closest name the expression does have (or all of them). A constant has none to offer: d(99)/dx
    is the constant rule, asked on purpose."""
    import difflib

    names = sorted(v.name for v in E.variables(expr))
    notes = []
    for v in wrt if names else ():
        if v.name in names:
            continue
        close = difflib.get_close_matches(v.name, names, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]}?" if close else f"its variables are {', '.join(names)}"
        notes.append(f"{v.name} is not a variable of the expression, so its derivative is zero; {hint}")
    return notes


def as_list(wrt):
    if isinstance(wrt, (list, tuple)):
        return list(wrt)
    return [wrt]


def label_notes(expr, wrt) -> list[str]:
    """What a one-hot declaration means here; a label is data, never a variable of differentiation."""
    for v in wrt:
        if E.is_onehot(v):
            raise ArgumentError(f"{v.name} is declared one-hot, a label (its rows sum to 1): it is data, not a "
                                f"variable to differentiate by; leave it out of wrt or drop the onehot declaration")
    return [f"{v.name} is a one-hot label: {_sums_to_one(v)}, which the simplification uses."
            for v in E.variables(expr) if E.is_onehot(v)]


def _sums_to_one(v) -> str:
    if v.shape[1] == 1:
        return f"its entries sum to 1 (1⃗ᵀ{v.name} = 1)"
    return f"each row sums to 1 ({v.name}1⃗ = 1⃗)"
