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
