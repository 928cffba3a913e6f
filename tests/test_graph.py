"""The dataflow picture (issue 10): the graph model agrees with each derivation's own steps, and
its Mermaid, DOT and SVG renderings escape every name and title."""
from __future__ import annotations

import pytest

from symcalc import expr as E
from symcalc.catalog import catalog
from symcalc.graph import graph
from symcalc.printing import text

from helpers import checked


@pytest.fixture(scope="module")
def derivations():
    """Every part of every catalog entry, each checked numerically once."""
    return [(name, checked(d)) for name, spec in catalog().items() for d in spec.derivations()]


def _local_steps(d):
    return [s for s in d.steps if s.phase == "local"]


def test_one_node_per_variable_and_intermediate(derivations):
    for name, d in derivations:
        g = graph(d)
        expected = {v.name for v in [*E.variables(d.expr), *d.wrt]}
        expected |= {v.name for v, _ in d.intermediates} | {d.output.name}
        assert sorted(n.name for n in g.nodes) == sorted(expected), name
        kinds = {n.name: n.kind for n in g.nodes}
        assert kinds[d.output.name] == "output" and all(kinds[v.name] == "wrt" for v in d.wrt), name


def test_an_edge_for_every_local_step(derivations):
    for name, d in derivations:
        edges = {(e.target, e.source): e for e in graph(d).edges if e.differentiated}
        steps = _local_steps(d)
        assert len(edges) == len(steps), name
        for s in steps:
            e = edges[s.sides[0].num.name, s.sides[0].den.name]
            assert (e.partial, e.derivative, e.rule) == (text(s.sides[0]), text(s.sides[-1]), s.rule_text), name


def test_edges_follow_the_definitions(derivations):
    """Every edge is a parameter of the definition it points into, and each parameter has one."""
    for name, d in derivations:
        defs = {v.name: e for v, e in [*d.intermediates, (d.output, d.root)]}
        pairs = sorted((e.source, e.target) for e in graph(d).edges)
        assert pairs == sorted((p.name, v) for v, e in defs.items() for p in E.variables(e)), name


def test_denominator_layout_labels_edges_with_its_own_steps():
    d = checked(catalog()["neuron"].derivations("denominator")[0])
    by_pair = {(e.source, e.target): e for e in graph(d).edges}
    assert by_pair["u", "z"].derivative == "1⃗" and by_pair["w", "u"].rule == "element-wise diagonal (R5)"


def test_matrix_derivation_draws_the_trace_rule_edge():
    d = checked(catalog()["dense-layer"].derivations(wrt=["W"])[0])
    edge = next(e for e in graph(d).edges if e.source == "W")
    assert edge.target == "z" and not edge.differentiated and edge.carries and "trace" in edge.rule


# ---------------------------------------------------------------- renderings

import re  # noqa: E402
import shutil  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402
from pathlib import Path  # noqa: E402

import symcalc as sc  # noqa: E402
from symcalc.cli import main  # noqa: E402
from symcalc.errors import SymcalcError  # noqa: E402
from symcalc.render import dot, mermaid  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed (apt-get install graphviz)")
NAME = '"];evil[label="x<script>\\'  # ends a DOT or Mermaid string, opens HTML, escapes the closing quote
TITLE = '<script>alert(1)</script> "];evil[label="x \\ `` ```\n# heading *b* _i_ [l](http://e) #quot; end'


@pytest.fixture(scope="module")
def hostile():
    """A real derivation whose variable name (the Python API takes any Var) and title are payloads."""
    v, b = E.Var(NAME, sc.vector("w").shape), sc.scalar("b")
    return checked(sc.derive(sc.relu(v @ v + b), [v, b], title=TITLE))


def _svg_tree(text: str):
    root = ET.fromstring(text.encode("utf-8"))  # raises on anything but well-formed XML
    assert root.tag.endswith("svg")
    return root


def _classes(root, cls):
    return [g for g in root.iter() if g.get("class") == cls]


_QUOTED = r'"[^"]*"'
_MERMAID_LINE = re.compile(
    "|".join([r"flowchart LR", rf"  subgraph g\d+\[{_QUOTED}\]", r"    direction LR", r"  end",
              rf"    g\d+n\d+(\(\[{_QUOTED}\]\)|\({_QUOTED}\)|\[{_QUOTED}\]|\[\[{_QUOTED}\]\])",
              rf"    g\d+n\d+ (-->|-\.->)(\|{_QUOTED}\|)? g\d+n\d+", r"  class [g\dn,]+ (wrt|output)",
              r"  classDef (wrt|output) [\w:#,]+"]))


def _mermaid_ok(source: str, g) -> None:
    lines = source.splitlines()
    assert all(_MERMAID_LINE.fullmatch(line) for line in lines), [x for x in lines if not _MERMAID_LINE.fullmatch(x)]
    nodes = [x for x in lines if re.fullmatch(r"    g\d+n\d+[(\[].*", x)]
    assert len(nodes) == len(g.nodes)
    labels = "".join(re.findall(_QUOTED, source))
    assert "<script" not in labels and "`" not in labels and re.sub(r"<br/>", "", labels).count("<") == 0
    assert re.sub(r"#\d+;", "", labels).count("#") == 0  # every # is an entity code of ours


def test_mermaid_escapes_names_and_titles(hostile):
    _mermaid_ok(mermaid.render([hostile]), graph(hostile))
    assert "#60;script#62;" in mermaid.render([hostile])


def test_mermaid_of_every_catalog_entry_parses(derivations):
    for name, d in derivations:
        _mermaid_ok(mermaid.render([d]), graph(d))


def test_dot_quoted_strings_escape_backslash_and_quote():
    assert dot.quoted('a\\"b\nc') == '"a\\\\\\"b\\nc"'
    assert dot.html_text('<a href="x">&\n') == "&lt;a href=&quot;x&quot;&gt;&amp;<BR/>"


@needs_dot
def test_hostile_dot_parses_and_svg_is_well_formed(hostile):
    root = _svg_tree(dot.svg(dot.render([hostile])))
    assert len(_classes(root, "node")) == len(graph(hostile).nodes)
    assert len(_classes(root, "edge")) == len(graph(hostile).edges)
    assert not [e for e in root.iter() if e.tag.lower().endswith("script")]
    shown = "".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    assert "<script>alert(1)</script>" in shown and NAME in shown  # shown as typed, as text


@needs_dot
def test_svg_of_every_catalog_entry_is_well_formed():
    for name, spec in catalog().items():
        ds = [checked(d) for d in spec.derivations()]
        root = _svg_tree(dot.svg(dot.render(ds)))
        assert len(_classes(root, "cluster")) == len(ds), name
        assert len(_classes(root, "node")) == sum(len(graph(d).nodes) for d in ds), name


@needs_dot
def test_dot_failure_is_a_clear_error():
    with pytest.raises(SymcalcError, match="Graphviz's dot failed"):
        dot.svg("digraph { a -> }")


def test_svg_without_graphviz_raises_with_the_source(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    with pytest.raises(dot.GraphvizMissing) as info:
        dot.svg("digraph {}\n")
    assert info.value.source == "digraph {}\n" and "apt-get install graphviz" in str(info.value)


# ---------------------------------------------------------------- command line


def _run(capsys, *argv):
    code = main(["derive", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_mermaid_and_dot(capsys):
    ds = [checked(d) for d in catalog()["affine"].derivations()]
    code, out, err = _run(capsys, "affine", "--format", "mermaid", "--check")
    assert code == 0 and out == mermaid.render(ds) and "check: PASS" in err  # stdout is the picture alone
    code, out, _ = _run(capsys, "affine", "--format", "dot", "--check")
    assert code == 0 and out == dot.render(ds)


@needs_dot
def test_cli_svg_to_stdout_and_file(capsys, tmp_path):
    code, out, _ = _run(capsys, "neuron", "--format", "svg", "--check")
    assert code == 0 and len(_classes(_svg_tree(out), "node")) == 6
    target = tmp_path / "n.svg"
    code, out, err = _run(capsys, "neuron", "--out", str(target), "--check")
    assert code == 0 and "(svg)" in err and _svg_tree(target.read_text(encoding="utf-8")) is not None


def test_cli_svg_without_graphviz_prints_dot_and_exits_2(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    checked(catalog()["neuron"].derivations()[0])
    code, out, err = _run(capsys, "neuron", "--format", "svg")
    assert code == 2 and out.startswith("digraph symcalc {") and "Graphviz's dot is not installed" in err
    assert "Traceback" not in err
    code, out, err = _run(capsys, "neuron", "--out", str(tmp_path / "n.svg"))
    assert code == 2 and out.startswith("digraph") and not (tmp_path / "n.svg").exists()


def test_cli_graph_tree_in_text_and_rich(capsys):
    checked(catalog()["neuron"].derivations()[0])
    code, out, _ = _run(capsys, "neuron", "--graph", "--format", "text", "--check")
    assert code == 0 and "Dataflow" in out and "└── activation = max(0, z)" in out
    assert "∂u/∂w = diag(x)  element-wise diagonal (R5)" in out and "x  n×1   (held constant)" in out
    assert out.index("Dataflow") > out.index("Result")  # under the derivation
    code, out, _ = _run(capsys, "neuron", "--graph", "--format", "rich", "--check")
    assert code == 0 and "∂z/∂u = 1⃗ᵀ" in out and "Dataflow" in out


def test_cli_graph_tree_shows_every_node_once_expanded(capsys):
    d = checked(catalog()["total-derivative"].derivations()[0])
    code, out, _ = _run(capsys, "total-derivative", "--graph", "--format", "text", "--check")
    tree = out[out.index("Dataflow"):out.index("Dataflow") + 600]
    assert code == 0 and all(n.label in tree for n in graph(d).nodes)


def test_cli_graph_with_another_format_is_refused(capsys):
    checked(catalog()["neuron"].derivations()[0])
    code, _, err = _run(capsys, "neuron", "--graph", "--format", "json")
    assert code == 2 and "--graph" in err and "Traceback" not in err


# ---------------------------------------------------------------- README and gallery


def test_committed_svg_is_current():
    """derivations/gallery/neuron.svg was drawn from today's DOT source (its stamp), and is SVG."""
    from symcalc.gallery import GALLERY, PICTURE, picture_source, stamp

    for d in catalog()[PICTURE].derivations():
        checked(d)
    text = (GALLERY / f"{PICTURE}.svg").read_text(encoding="utf-8")
    assert stamp(picture_source()) in text, "neuron.svg is stale: run `python -m symcalc.gallery`"
    assert len(_classes(_svg_tree(text), "node")) == 6


def test_readme_shows_the_picture():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](derivations/gallery/neuron.svg)" in text
    blocks = re.findall(r"```mermaid\n(.*?)```", text, re.S)
    assert blocks == [mermaid.render([checked(d) for d in catalog()["neuron"].derivations()])]


def test_gallery_pages_end_with_their_mermaid_block():
    from symcalc.gallery import pages

    page = pages()["neuron.md"]
    assert page.rstrip().endswith("```") and "```mermaid\nflowchart LR\n" in page
