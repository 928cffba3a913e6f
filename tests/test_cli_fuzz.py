"""Issue 9: random option values and random spec files; every run ends in exit 0, 1 or 2, never a traceback.

Every run passes --check, so any derivative the CLI prints is also compared with finite differences;
exit 1 (a failed check) would be a wrong derivative and fails these tests too.
"""
from __future__ import annotations

import json

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from symcalc.catalog import PART_FIELDS, SPEC_FIELDS
from symcalc.cli import main

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# strings as hostile as argv can carry: control characters, surrogates (undecodable bytes), empty
hostile = st.text(st.one_of(st.characters(exclude_categories=()), st.sampled_from("\x00\x1b\udcff\n")), max_size=12)
small = st.integers(1, 4)  # valid counts stay small so a run stays quick (1000 × 1000 takes a minute)
numbers = st.one_of(small, st.integers(-2**70, 2**70).filter(lambda v: not 4 < v <= 1000)).map(str)
OPTION_VALUES = {
    "--wrt": st.one_of(st.sampled_from(["x", "w", "y"]), hostile),
    "--seed": st.one_of(numbers, hostile),
    "--samples": st.one_of(numbers, hostile),
    "--dims": st.one_of(st.builds("n={}".format, numbers), hostile),
    "--at": st.one_of(st.sampled_from(["x=1", "w=1,2", "x=[[1]]", "x=1e999", "w=[1,", "=3"]), hostile),
    "--layout": st.one_of(st.sampled_from(["numerator", "denominator"]), hostile),
    "--format": st.one_of(st.sampled_from(["text", "latex", "markdown", "json", "rich"]), hostile),
    "--out": st.one_of(st.sampled_from(["-", "d.txt", "d.tex", "d.json", "sub/d.md", "."]), hostile),
}


def assert_clean_exit(argv, capsys):
    """Exit 0 or 2 (a failed --check is exit 1: a wrong derivative), one clean line on error."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    out, err = capsys.readouterr()
    event(f"exit {code}")
    assert code in (0, 2), (argv, code, err)
    assert "Traceback" not in err and "\x1b" not in err, (argv, err)
    return code, err


@FUZZ
@given(target=st.sampled_from(["x**2", "w @ x", "sin(x)", "neuron"]),
       options=st.lists(st.sampled_from(sorted(OPTION_VALUES)), max_size=4, unique=True), data=st.data())
def test_random_option_values_end_in_a_clean_exit(tmp_path_factory, capsys, target, options, data):
    folder = tmp_path_factory.mktemp("out")
    argv = ["derive", target, "--vector", "w:2", "x:2", "--check"]
    if target != "neuron":
        argv += ["--wrt", "x"]
    for option in options:
        value = data.draw(OPTION_VALUES[option], label=option)
        if option == "--out" and value != "-":
            value = str(folder / value)
        argv.append(f"{option}={value}")  # the = form lets values that start with - reach the checks
    assert_clean_exit(argv, capsys)


# ---------------------------------------------------------------- random spec files

scalar_values = st.one_of(
    st.sampled_from(["x**2", "sin(x)", "w @ x", "x", "u", "w x", "w:2 x:2", "", "x +", "neuron", "u_1 = x**2"]),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=8), st.integers(-2**63, 2**63 - 1), st.booleans(),
    st.floats(allow_nan=True))
values = st.recursive(scalar_values, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(sorted(PART_FIELDS)), inner, max_size=3)),
    max_leaves=6)
PART_KEYS, SPEC_KEYS = [*sorted(PART_FIELDS), "bogus"], sorted({*SPEC_FIELDS, *PART_FIELDS, "bogus"})
good_part = st.fixed_dictionaries({"expression": st.sampled_from(["x**2", "sin(x)", "x*y", "w * x"]),
                                   "wrt": st.sampled_from(["x", ["x"], ["x", "y"], ["w"]])})


def mutated(base, keys, size):
    """A valid table with up to ``size`` keys overwritten at random: most runs get past the schema."""
    return st.tuples(base, st.dictionaries(st.sampled_from(keys), values, max_size=size)).map(lambda t: {**t[0], **t[1]})


part_tables = st.lists(st.one_of(mutated(good_part, PART_KEYS, 1), st.dictionaries(st.sampled_from(PART_KEYS), values,
                                                                                   max_size=5)), min_size=1, max_size=3)
good_spec = good_part.map(lambda part: {"title": "T", **part})
header = mutated(st.just({"title": "T"}), sorted(SPEC_FIELDS), 1)
specs = st.one_of(st.tuples(mutated(good_spec, SPEC_KEYS, 1), st.just([])),  # one part, at the top
                  st.tuples(st.dictionaries(st.sampled_from(SPEC_KEYS), values, max_size=7), st.just([])),
                  st.tuples(header, part_tables))  # [[part]] tables


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value > 1e308 else "-inf" if value < -1e308 else repr(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON's escapes are TOML's
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def toml_document(doc: dict, parts: list) -> str:
    lines = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in doc.items() if not (parts and k == "part")]
    for part in parts:
        lines += ["[[part]]", *(f"{json.dumps(k)} = {toml_value(v)}" for k, v in part.items())]
    return "\n".join(lines) + "\n"


@FUZZ
@given(spec=specs)
def test_random_spec_files_end_in_a_clean_exit(tmp_path_factory, capsys, spec):
    path = tmp_path_factory.mktemp("spec") / "mine.toml"
    path.write_text(toml_document(*spec), encoding="utf-8")
    code, err = assert_clean_exit(["derive", str(path), "--check", "--samples", "2"], capsys)
    if code == 2:
        assert err.startswith("symcalc: ") and err.count("\n") <= 4, err  # a parse error adds text, caret and hint


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=200))
def test_random_bytes_as_a_spec_file(tmp_path_factory, capsys, body):
    path = tmp_path_factory.mktemp("bytes") / "mine.toml"
    path.write_bytes(body)
    assert_clean_exit(["derive", str(path), "--check", "--samples", "2"], capsys)
