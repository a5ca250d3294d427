"""Exports: node-link JSON, GEXF 1.3, GraphML, CSV, HTML dispatch, one-area subgraphs, atomic writes.

The GEXF 1.3 XSD cannot be downloaded here and no installed package ships it, so `gexf_problems`
encodes the schema rules (and Gephi's expectations) that matter; `test_gexf_checker_catches` proves it
fails on broken files.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
import re
import zipfile
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from lxml import etree

from graphx.errors import ConfigError
from graphx.export import (
    FORMATS,
    export_graph,
    subgraph_for_community,
    write_csv,
    write_gexf,
    write_graphml,
    write_json,
)
from graphx.view import node_size

GEXF = "http://gexf.net/1.3"
VIZ = "http://gexf.net/1.3/viz"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
GRAPHML = "http://graphml.graphdrawing.org/xmlns"

XSS_TITLE = 'Tokens & "Quotes": </script><img src=x onerror=alert(1)> in Q&A, revisited'
COLORS = {0: "#1f77b4", 1: "#d62728"}

PAPERS = {
    "a1f0": dict(
        title="Attention Is All You Need",
        year=2017,
        authors=["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"],
        venue="NeurIPS",
        arxiv="1706.03762",
        abstract="The dominant sequence transduction models are based on recurrent networks.",
        citation_count=120000,
        community=0,
        subcommunity=0,
        x=-310.5,
        y=120.25,
    ),
    "b2e1": dict(
        title="BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        year=2019,
        authors=["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"],
        venue="NAACL",
        doi="10.18653/v1/n19-1423",
        arxiv="1810.04805",
        abstract="We introduce a new language representation model, BERT.",
        citation_count=90000,
        community=0,
        subcommunity=0,
        x=-280.0,
        y=160.0,
    ),
    "c3d2": dict(
        title=XSS_TITLE,
        year=2021,
        authors=["Zoë Åström", "José Ñúñez", "李雷"],
        abstract='Quotes "inside", commas, and\na newline; <b>markup</b> & ampersands.',
        citation_count=3,
        community=0,
        subcommunity=1,
        x=-350.75,
        y=60.5,
    ),
    "d4c3": dict(  # no year, no abstract, no authors
        title="A Note on Subword Units",
        authors=[],
        citation_count=0,
        community=0,
        subcommunity=1,
        x=-400.0,
        y=0.0,
    ),
    "e5b4": dict(
        title="Sequence to Sequence Learning with Neural Networks",
        year=2014,
        authors=["Ilya Sutskever", "Oriol Vinyals", "Quoc V. Le"],
        venue="NeurIPS",
        arxiv="1409.3215",
        abstract="Deep neural networks are powerful models.",
        citation_count=25000,
        community=0,
        subcommunity=0,
        x=-200.0,
        y=200.0,
    ),
    "f6a5": dict(
        title="Semi-Supervised Classification with Graph Convolutional Networks",
        year=2017,
        authors=["Thomas N. Kipf", "Max Welling"],
        venue="ICLR",
        arxiv="1609.02907",
        abstract="We present a scalable approach for semi-supervised learning on graph-structured data.",
        citation_count=30000,
        community=1,
        subcommunity=2,
        x=300.0,
        y=-150.0,
    ),
    "g7f6": dict(
        title="Graph Attention Networks",
        year=2018,
        authors=["Petar Veličković", "Guillem Cucurull", "Yoshua Bengio"],
        venue="ICLR",
        arxiv="1710.10903",
        abstract="We present graph attention networks (GATs).",
        citation_count=15000,
        community=1,
        subcommunity=2,
        x=350.5,
        y=-100.0,
    ),
    "h8e7": dict(
        title="Inductive Representation Learning on Large Graphs",
        year=2017,
        authors=["William L. Hamilton", "Rex Ying", "Jure Leskovec"],
        venue="NeurIPS",
        doi="10.5555/3294771.3294869",
        abstract="Low-dimensional embeddings of nodes in large graphs have proved extremely useful.",
        citation_count=12000,
        community=1,
        subcommunity=2,
        x=420.0,
        y=-180.0,
    ),
}
CITES = [("b2e1", "a1f0"), ("c3d2", "a1f0"), ("c3d2", "b2e1"), ("a1f0", "e5b4"), ("g7f6", "f6a5")]
CITES += [("g7f6", "h8e7"), ("g7f6", "a1f0"), ("h8e7", "f6a5")]
SYMMETRIC = [
    ("b2e1", "a1f0", "similar", 0.62),  # parallel to the cites edge b2e1 -> a1f0
    ("f6a5", "g7f6", "similar", 0.55),
    ("c3d2", "d4c3", "similar", 0.31),
    ("a1f0", "e5b4", "cocited", 0.5),
    ("f6a5", "h8e7", "cocited", 0.7071),
    ("b2e1", "c3d2", "coupled", 0.4472),
]
LABELS = {0: "transformers, attention, language", 1: "graph, convolutional, node"}
SUB_LABELS = {0: "pre-training, sequence", 1: "subword, tokens", 2: "graph neural networks"}


@pytest.fixture
def small_graph() -> nx.MultiDiGraph:
    """Eight papers in two areas following docs/graph-format.md, every edge kind, a parallel pair."""
    G = nx.MultiDiGraph(name="nlp-and-graphs")
    for pid, attrs in PAPERS.items():
        G.add_node(pid, **copy.deepcopy(attrs))
    for u, v in CITES:
        G.add_edge(u, v, key="cites", kind="cites", weight=1.0)
    for u, v, kind, w in SYMMETRIC:
        G.add_edge(u, v, key=kind, kind=kind, weight=w)
    cites = nx.DiGraph([(u, v) for u, v, k in G.edges(keys=True) if k == "cites"])
    cites.add_nodes_from(G)
    pagerank = nx.pagerank(cites)
    for n, data in G.nodes(data=True):
        data["in_citations"] = cites.in_degree(n)
        data["degree"] = len(set(G.predecessors(n)) | set(G.successors(n)))
        data["pagerank"] = pagerank[n]
        data["community_label"] = LABELS[data["community"]]
        data["subcommunity_label"] = SUB_LABELS[data["subcommunity"]]
    members = {c: sorted(n for n, a in G.nodes(data="community") if a == c) for c in LABELS}
    G.graph["communities"] = [
        {
            "id": c,
            "label": LABELS[c],
            "terms": LABELS[c].split(", "),
            "size": len(members[c]),
            "years": [2014, 2021] if c == 0 else [2017, 2018],
            "top_papers": members[c][:2],
            "color": COLORS[c],
        }
        for c in LABELS
    ]
    G.graph["subcommunities"] = [
        {
            "id": s,
            "label": SUB_LABELS[s],
            "terms": SUB_LABELS[s].split(", "),
            "size": sum(1 for _, a in G.nodes(data="subcommunity") if a == s),
            "years": None,
            "top_papers": [],
            "color": COLORS[0 if s < 2 else 1],
            "parent": 0 if s < 2 else 1,
        }
        for s in SUB_LABELS
    ]
    G.graph["meta"] = {
        "inputs": ["papers.jsonl"],
        "parameters": {"top_k": 10},
        "seed": 42,
        "versions": {"graphx": "0.1.0"},
        "timings_s": {"fetch": 1.5},
        "built_at": "2025-03-04T05:06:07+00:00",
        "counts": {"papers": 8, "edges": dict(Counter(k for _, _, k in G.edges(keys=True)))},
    }
    return G


def edge_multiset(G) -> Counter:
    return Counter((u, v, d["kind"], round(float(d["weight"]), 6)) for u, v, d in G.edges(data=True))


# ------------------------------------------------------------------------------------ GEXF checker

GEXF_TAGS = {
    "gexf", "meta", "creator", "keywords", "description", "graph", "attributes", "attribute",
    "default", "options", "nodes", "node", "edges", "edge", "attvalues", "attvalue", "spells",
    "spell", "parents", "parent",
}  # fmt: skip
VIZ_TAGS = {"color", "position", "size", "shape", "thickness"}
ALLOWED_ATTRIBUTES = {
    "gexf": {"version", "variant", f"{{{XSI}}}schemaLocation"},
    "meta": {"lastmodifieddate"},
    "graph": {"defaultedgetype", "idtype", "mode", "timeformat", "start", "end", "timerepresentation"},
    "attributes": {"class", "mode", "start", "end"},
    "attribute": {"id", "title", "type"},
    "nodes": {"count"},
    "edges": {"count"},
    "node": {"id", "label", "pid", "start", "end"},
    "edge": {"id", "source", "target", "type", "label", "weight", "kind", "start", "end"},
    "attvalue": {"for", "value", "start", "end"},
}
ATTRIBUTE_TYPES = {
    "integer", "long", "double", "float", "boolean", "bigdecimal", "biginteger", "byte", "char",
    "short", "liststring", "listboolean", "listinteger", "listlong", "listfloat", "listdouble",
    "listbyte", "listshort", "listbigdecimal", "listbiginteger", "listchar", "string", "anyURI",
}  # fmt: skip
EDGE_TYPES = {"directed", "undirected", "mutual"}
INT_RE = re.compile(r"[+-]?\d+")
DOUBLE_RE = re.compile(r"([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF|-INF|NaN)")


def _value_ok(gexf_type: str, value: str) -> bool:
    if gexf_type == "integer":
        return bool(INT_RE.fullmatch(value)) and -(2**31) <= int(value) < 2**31
    if gexf_type == "long":
        return bool(INT_RE.fullmatch(value)) and -(2**63) <= int(value) < 2**63
    if gexf_type in {"double", "float"}:
        return bool(DOUBLE_RE.fullmatch(value))
    if gexf_type == "boolean":
        return value in {"true", "false", "1", "0"}
    return True


def gexf_problems(data: bytes) -> list[str]:
    """Every violation of the GEXF 1.3 rules (and Gephi's expectations) found in ``data``."""
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError as err:
        return [f"not well-formed XML: {err}"]
    problems = []
    if root.tag != f"{{{GEXF}}}gexf":
        problems.append(f"root is {root.tag}, not {{{GEXF}}}gexf")
    if root.get("version") != "1.3":
        problems.append(f"version is {root.get('version')!r}, not '1.3'")
    location = root.get(f"{{{XSI}}}schemaLocation")
    if location is None or location.split() != [GEXF, f"{GEXF}/gexf.xsd"]:
        problems.append(f"xsi:schemaLocation (in namespace {XSI}) is {location!r}")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        qname = etree.QName(element)
        ns, local = qname.namespace or "", qname.localname
        if not ((ns == GEXF and local in GEXF_TAGS) or (ns == VIZ and local in VIZ_TAGS)):
            problems.append(f"unknown element {element.tag}")
        allowed = ALLOWED_ATTRIBUTES.get(local) if ns == GEXF else None
        for name, value in element.attrib.items():
            if allowed is not None and name not in allowed:
                problems.append(f"<{local}> has attribute {name!r}, which GEXF 1.3 does not define")
            if value.strip() in {"None", "nan", "inf", "-inf"}:
                problems.append(f"<{local} {name}={value!r}>")
        if element.text and element.text.strip() == "None":
            problems.append(f"<{local}> text is 'None'")

    graph = root.find(f"{{{GEXF}}}graph")
    if graph is None:
        return [*problems, "no <graph>"]
    if graph.get("defaultedgetype", "undirected") not in EDGE_TYPES:
        problems.append(f"defaultedgetype {graph.get('defaultedgetype')!r}")
    declared: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    for attributes in graph.findall(f"{{{GEXF}}}attributes"):
        cls = attributes.get("class")
        if cls not in declared:
            problems.append(f"attributes class {cls!r}")
            continue
        for attribute in attributes.findall(f"{{{GEXF}}}attribute"):
            aid, atype = attribute.get("id"), attribute.get("type")
            if aid is None or attribute.get("title") is None:
                problems.append(f"{cls} attribute without id or title: {dict(attribute.attrib)}")
            if aid in declared[cls]:
                problems.append(f"{cls} attribute id {aid!r} declared twice")
            if atype not in ATTRIBUTE_TYPES:
                problems.append(f"{cls} attribute {aid!r} has type {atype!r}")
            declared[cls][aid] = atype

    def check_attvalues(element, cls: str, where: str) -> None:
        for attvalue in element.iterfind(f"{{{GEXF}}}attvalues/{{{GEXF}}}attvalue"):
            key, value = attvalue.get("for"), attvalue.get("value")
            if key not in declared[cls]:
                problems.append(f"{where}: attvalue for undeclared {cls} attribute {key!r}")
            elif value is None or not _value_ok(declared[cls][key], value):
                problems.append(f"{where}: {key}={value!r} is not a valid {declared[cls][key]}")

    node_ids: set[str] = set()
    for node in graph.iterfind(f"{{{GEXF}}}nodes/{{{GEXF}}}node"):
        nid = node.get("id")
        where = f"node {nid!r}"
        if nid is None or nid in node_ids:
            problems.append(f"{where}: missing or duplicate id")
        node_ids.add(nid)
        check_attvalues(node, "node", where)
        for color in node.findall(f"{{{VIZ}}}color"):
            for channel in "rgb":
                value = color.get(channel)
                if value is None or not INT_RE.fullmatch(value) or not 0 <= int(value) <= 255:
                    problems.append(f"{where}: viz:color {channel}={value!r}")
            alpha = color.get("a")
            if alpha is not None and not (DOUBLE_RE.fullmatch(alpha) and 0 <= float(alpha) <= 1):
                problems.append(f"{where}: viz:color a={alpha!r}")
        for position in node.findall(f"{{{VIZ}}}position"):
            for axis in "xyz":
                value = position.get(axis)
                if value is None or not DOUBLE_RE.fullmatch(value) or not math.isfinite(float(value)):
                    problems.append(f"{where}: viz:position {axis}={value!r}")
        for size in node.findall(f"{{{VIZ}}}size"):
            value = size.get("value")
            if value is None or not DOUBLE_RE.fullmatch(value) or float(value) < 0:
                problems.append(f"{where}: viz:size {value!r}")

    edge_ids: set[str] = set()
    for edge in graph.iterfind(f"{{{GEXF}}}edges/{{{GEXF}}}edge"):
        eid = edge.get("id")
        where = f"edge {eid!r}"
        if eid is None or eid in edge_ids:
            problems.append(f"{where}: missing or duplicate id")
        edge_ids.add(eid)
        for end in ("source", "target"):
            if edge.get(end) not in node_ids:
                problems.append(f"{where}: {end} {edge.get(end)!r} is not a node id")
        if edge.get("type") is not None and edge.get("type") not in EDGE_TYPES:
            problems.append(f"{where}: type {edge.get('type')!r}")
        weight = edge.get("weight")
        if weight is not None and not DOUBLE_RE.fullmatch(weight):
            problems.append(f"{where}: weight {weight!r}")
        check_attvalues(edge, "edge", where)
    return problems


def test_gexf_passes_the_gexf_rules(small_graph, tmp_path):
    path = tmp_path / "g.gexf"
    write_gexf(small_graph, path)
    data = path.read_bytes()
    assert gexf_problems(data) == []
    root = etree.fromstring(data)
    assert root.nsmap == {None: GEXF, "viz": VIZ, "xsi": XSI}
    assert root.findtext(f"{{{GEXF}}}meta/{{{GEXF}}}creator").startswith("graphx")
    assert "8 papers" in root.findtext(f"{{{GEXF}}}meta/{{{GEXF}}}description")
    assert root.find(f"{{{GEXF}}}meta").get("lastmodifieddate") == "2025-03-04"
    assert root.find(f"{{{GEXF}}}graph").get("defaultedgetype") == "directed"
    types = {
        a.get("title"): a.get("type") for a in root.iterfind(f".//{{{GEXF}}}attributes[@class='node']/*")
    }
    assert types == {
        "title": "string",
        "year": "integer",
        "authors": "string",
        "venue": "string",
        "doi": "string",
        "arxiv": "string",
        "community": "integer",
        "community_label": "string",
        "subcommunity": "integer",
        "subcommunity_label": "string",
        "pagerank": "double",
        "citation_count": "integer",
        "in_citations": "integer",
        "degree": "integer",
        "abstract": "string",
    }
    edges = root.findall(f".//{{{GEXF}}}edge")
    assert Counter((e.get("kind"), e.get("type")) for e in edges) == {
        ("cites", None): 8,
        ("similar", "undirected"): 3,
        ("cocited", "undirected"): 2,
        ("coupled", "undirected"): 1,
    }
    no_year = root.find(f".//{{{GEXF}}}node[@id='d4c3']")
    assert {a.get("for") for a in no_year.iter(f"{{{GEXF}}}attvalue")} >= {"title", "community"}
    assert not {"year", "abstract", "authors"} & {a.get("for") for a in no_year.iter(f"{{{GEXF}}}attvalue")}


def test_gexf_reads_back_with_networkx(small_graph, tmp_path):
    path = tmp_path / "g.gexf"
    write_gexf(small_graph, path)
    # networkx's reader refuses type="undirected" edges in a directed graph (Gephi accepts them), so
    # read a copy without the per-edge types; everything else is read as written.
    stripped = path.read_text("utf-8").replace(' type="undirected"', "")
    H = nx.read_gexf(io.BytesIO(stripped.encode("utf-8")))
    assert isinstance(H, nx.MultiDiGraph)
    assert H.number_of_nodes() == 8
    assert H.number_of_edges() == 14
    assert edge_multiset(H) == edge_multiset(small_graph)
    assert sorted(H["b2e1"]["a1f0"][k]["kind"] for k in H["b2e1"]["a1f0"]) == ["cites", "similar"]
    for n, expected in small_graph.nodes(data=True):
        got = H.nodes[n]
        assert got["label"] == expected["title"]
        assert got["title"] == expected["title"]
        assert got.get("year") == expected.get("year")
        assert got.get("authors") == ("; ".join(expected["authors"]) or None)
        assert got["pagerank"] == pytest.approx(expected["pagerank"], rel=1e-15)
        assert isinstance(got["citation_count"], int) and got["citation_count"] == expected["citation_count"]
        assert got["community"] == expected["community"]
        assert got["community_label"] == expected["community_label"]
        assert got["subcommunity"] == expected["subcommunity"]
        viz = got["viz"]
        assert viz["position"] == {"x": expected["x"], "y": expected["y"], "z": 0.0}
        r, g, b = (int(COLORS[expected["community"]][i : i + 2], 16) for i in (1, 3, 5))
        assert (viz["color"]["r"], viz["color"]["g"], viz["color"]["b"]) == (r, g, b)
        # One size for the explorer and Gephi: log of citations, capped (graphx.view.node_size).
        assert viz["size"] == pytest.approx(node_size(expected["citation_count"]), abs=1e-3)
    assert H.nodes["c3d2"]["label"] == XSS_TITLE
    assert H.nodes["c3d2"]["authors"] == "Zoë Åström; José Ñúñez; 李雷"
    assert "year" not in H.nodes["d4c3"] and "abstract" not in H.nodes["d4c3"]


def _set(xpath: str, attribute: str, value: str):
    def mutate(root):
        root.xpath(xpath, namespaces={"g": GEXF, "viz": VIZ})[0].set(attribute, value)

    return mutate


def _duplicate(xpath: str):
    def mutate(root):
        element = root.xpath(xpath, namespaces={"g": GEXF})[0]
        element.addnext(copy.deepcopy(element))

    return mutate


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_set("//viz:position", "z", "None"), "viz:position z='None'"),
        (_set("//viz:position", "x", "1,5"), "viz:position x='1,5'"),
        (_set("//viz:color", "r", "300"), "viz:color r='300'"),
        (_set("//g:attvalue[@for='year']", "value", "2019.5"), "not a valid integer"),
        (_set("//g:attvalue[@for='pagerank']", "value", "high"), "not a valid double"),
        (_set("//g:attvalue[@for='year']", "for", "published"), "undeclared node attribute"),
        (_set("//g:attribute[@id='year']", "type", "int"), "has type 'int'"),
        (_set("//g:edge", "target", "nowhere"), "is not a node id"),
        (_set("//g:edge", "weight", "None"), "weight 'None'"),
        (_set("//g:edge", "type", "mixed"), "type 'mixed'"),
        (_set("//g:graph", "name", "demo"), "does not define"),
        (_set("/g:gexf", "version", "1.2"), "version is '1.2'"),
        (_duplicate("//g:node"), "duplicate id"),
        (_duplicate("//g:edge"), "duplicate id"),
    ],
)
def test_gexf_checker_catches(small_graph, tmp_path, mutate, expected):
    path = tmp_path / "g.gexf"
    write_gexf(small_graph, path)
    root = etree.fromstring(path.read_bytes())
    mutate(root)
    problems = gexf_problems(etree.tostring(root))
    assert any(expected in p for p in problems), problems


def test_gexf_checker_flags_networkx_own_1_3_writer(tmp_path):
    """The traps the hand-written writer avoids, seen in networkx's own GEXF 1.3 output."""
    G = nx.DiGraph()
    G.add_node("a", viz={"position": {"x": 1.0, "y": 2.0}})
    G.add_node("b")
    G.add_edge("a", "b", weight=1.0)
    path = tmp_path / "nx.gexf"
    nx.write_gexf(G, path, version="1.3")
    problems = gexf_problems(path.read_bytes())
    assert any("schemaLocation" in p for p in problems)  # xsi namespace without "www."
    assert any("z='None'" in p for p in problems)
    for value in (["A. Author", "B. Author"], None):
        G.nodes["b"]["authors"] = value
        with pytest.raises((TypeError, ValueError)):
            nx.write_gexf(G, tmp_path / "crash.gexf", version="1.3")


def test_gexf_of_messy_values_is_still_valid(small_graph, tmp_path):
    """numpy scalars, None, NaN, dicts, odd lists and XML-forbidden characters never break the file."""
    G = small_graph
    G.nodes["a1f0"]["pagerank"] = np.float64(0.25)
    G.nodes["a1f0"]["citation_count"] = np.int64(3_000_000_000)  # past Gephi's 32-bit "integer"
    G.nodes["b2e1"]["venue"] = None
    G.nodes["b2e1"]["x"] = float("nan")
    G.nodes["c3d2"]["abstract"] = "bell\x07 and form feed\x0c gone"
    G.nodes["c3d2"]["fields_of_study"] = ["Computer Science", "Linguistics"]
    G.nodes["c3d2"]["external"] = {"MAG": 123}
    G.nodes["e5b4"]["open_access"] = True
    G.edges["b2e1", "a1f0", "cites"]["weight"] = np.float32(1.0)
    G.edges["b2e1", "a1f0", "similar"]["context"] = None
    path = tmp_path / "messy.gexf"
    write_gexf(G, path)
    data = path.read_bytes()
    assert gexf_problems(data) == []
    root = etree.fromstring(data)
    types = {a.get("title"): a.get("type") for a in root.iterfind(f".//{{{GEXF}}}attribute")}
    assert types["citation_count"] == "long"
    assert types["open_access"] == "boolean"
    assert types["fields_of_study"] == "string"
    assert root.find(f".//{{{GEXF}}}node[@id='b2e1']/{{{VIZ}}}position") is None
    H = nx.read_gexf(io.BytesIO(data.replace(b' type="undirected"', b"")))
    assert H.nodes["c3d2"]["abstract"] == "bell and form feed gone"
    assert H.nodes["c3d2"]["fields_of_study"] == "Computer Science; Linguistics"
    assert json.loads(H.nodes["c3d2"]["external"]) == {"MAG": 123}
    assert H.nodes["a1f0"]["citation_count"] == 3_000_000_000
    assert "venue" not in H.nodes["b2e1"]


# -------------------------------------------------------------------------------- JSON and GraphML


def test_json_round_trips(small_graph, tmp_path):
    path = tmp_path / "g.json"
    write_json(small_graph, path)
    text = path.read_text("utf-8")
    assert "</script>" not in text  # written "<\/script>", which JSON reads back as "</script>"
    data = json.loads(text)
    assert set(data) >= {"directed", "multigraph", "graph", "nodes", "edges"}
    node = next(n for n in data["nodes"] if n["id"] == "c3d2")
    assert node["title"] == XSS_TITLE and node["authors"] == ["Zoë Åström", "José Ñúñez", "李雷"]
    assert {"id", "title", "year", "authors", "community", "community_label", "subcommunity"} <= set(node)
    assert {"subcommunity_label", "pagerank", "citation_count", "x", "y"} <= set(node)
    assert {"source", "target", "key", "kind", "weight"} <= set(data["edges"][0])
    H = nx.node_link_graph(data, edges="edges")
    assert nx.utils.graphs_equal(H, small_graph)
    assert H.graph == small_graph.graph


def test_json_of_numpy_and_nan_is_strict_json(small_graph, tmp_path):
    small_graph.nodes["a1f0"]["pagerank"] = np.float64(0.5)
    small_graph.nodes["a1f0"]["x"] = float("nan")
    small_graph.graph["meta"]["timings_s"]["layout"] = np.float32(0.25)
    write_json(small_graph, tmp_path / "g.json")
    data = json.loads((tmp_path / "g.json").read_text("utf-8"), parse_constant=pytest.fail)
    node = next(n for n in data["nodes"] if n["id"] == "a1f0")
    assert node["pagerank"] == 0.5 and node["x"] is None
    assert data["graph"]["meta"]["timings_s"]["layout"] == 0.25


def test_graphml_round_trips_with_types(small_graph, tmp_path):
    path = tmp_path / "g.graphml"
    write_graphml(small_graph, path)
    root = etree.parse(str(path)).getroot()
    keys = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in root.iter(f"{{{GRAPHML}}}key")}
    assert len(keys) == len(list(root.iter(f"{{{GRAPHML}}}key")))  # one key per attribute
    assert keys["node", "year"] == "int"
    assert keys["node", "pagerank"] == "double"
    assert keys["node", "authors"] == "string"
    assert keys["node", "x"] == "double"
    assert keys["edge", "weight"] == "double"
    assert keys["edge", "kind"] == "string"
    edge_ids = [e.get("id") for e in root.iter(f"{{{GRAPHML}}}edge")]
    assert len(set(edge_ids)) == len(edge_ids) == 14
    assert b"None" not in path.read_bytes()

    H = nx.read_graphml(path)
    assert isinstance(H, nx.MultiDiGraph)
    assert H.graph["name"] == "nlp-and-graphs"
    assert H.number_of_nodes() == 8 and H.number_of_edges() == 14
    assert edge_multiset(H) == edge_multiset(small_graph)
    for n, expected in small_graph.nodes(data=True):
        got = H.nodes[n]
        assert got["title"] == got["label"] == expected["title"]
        assert got.get("year") == expected.get("year")
        assert got.get("authors") == ("; ".join(expected["authors"]) or None)
        assert got["pagerank"] == expected["pagerank"]
        assert got["citation_count"] == expected["citation_count"]
        assert (got["x"], got["y"]) == (expected["x"], expected["y"])
        assert isinstance(got["community"], int) and got["community"] == expected["community"]
        assert f"#{got['r']:02x}{got['g']:02x}{got['b']:02x}" == COLORS[expected["community"]]
    assert "year" not in H.nodes["d4c3"] and "authors" not in H.nodes["d4c3"]


# -------------------------------------------------------------------------------------------- CSV


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(value)
    return repr(value) if isinstance(value, float) else str(value)


def test_csv_parses_back_to_the_same_rows(small_graph, tmp_path):
    out = tmp_path / "csv"
    paths = write_csv(small_graph, out)
    assert paths == [out / "nodes.csv", out / "edges.csv"]
    assert not (out / "nodes.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # no BOM in Gephi's "Id"
    nodes = _read_csv(out / "nodes.csv")
    assert list(nodes[0]) == [
        "Id", "Label", "year", "authors", "venue", "doi", "arxiv", "community", "community_label",
        "subcommunity", "subcommunity_label", "pagerank", "citation_count", "in_citations", "degree",
        "x", "y",
    ]  # fmt: skip
    expected_nodes = [
        {"Id": n, "Label": d["title"]}
        | {c: _fmt(d.get(c)) for c in list(nodes[0])[2:]}
        | {"authors": "; ".join(d["authors"])}
        for n, d in small_graph.nodes(data=True)
    ]
    assert nodes == expected_nodes
    assert float(nodes[0]["pagerank"]) == small_graph.nodes[nodes[0]["Id"]]["pagerank"]
    edges = _read_csv(out / "edges.csv")
    assert list(edges[0]) == ["Source", "Target", "Type", "Kind", "Weight"]
    assert Counter(
        (e["Source"], e["Target"], e["Type"], e["Kind"], float(e["Weight"])) for e in edges
    ) == Counter(
        (u, v, "Directed" if k == "cites" else "Undirected", k, d["weight"])
        for u, v, k, d in small_graph.edges(keys=True, data=True)
    )


def test_csv_zip_holds_both_files(small_graph, tmp_path):
    path = tmp_path / "papers.zip"
    assert export_graph(small_graph, "csv", path) == [path]
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["edges.csv", "nodes.csv"]
        nodes = list(csv.DictReader(io.StringIO(archive.read("nodes.csv").decode("utf-8"))))
    assert {r["Id"]: r["Label"] for r in nodes}["c3d2"] == XSS_TITLE


# --------------------------------------------------------------------------- dispatch and contracts


@pytest.mark.parametrize("fmt", ["json", "gexf", "graphml", "csv", "GEXF"])
def test_export_graph_writes_and_never_mutates(small_graph, tmp_path, fmt):
    before = copy.deepcopy(small_graph)
    paths = export_graph(small_graph, fmt, tmp_path / f"out.{fmt.lower()}")
    assert paths and all(p.is_file() and p.stat().st_size > 0 for p in paths)
    assert nx.utils.graphs_equal(small_graph, before) and small_graph.graph == before.graph
    assert not list(tmp_path.rglob("*.tmp"))


def test_export_graph_html_writes_the_page_into_new_folders(small_graph, tmp_path):
    path = tmp_path / "new" / "dir" / "g.html"
    assert export_graph(small_graph, "html", path) == [path]
    page = path.read_text("utf-8")
    assert page.startswith("<!doctype html>") and 'id="graphx-data"' in page
    assert all(f'"{n}"' in page for n in small_graph.nodes)
    assert "</script><img" not in page  # paper text is escaped inside the data block
    assert [p.name for p in path.parent.iterdir()] == ["g.html"]  # no temp file left behind


def test_unknown_format_names_the_supported_ones(small_graph, tmp_path):
    with pytest.raises(ConfigError) as err:
        export_graph(small_graph, "dot", tmp_path / "g.dot")
    for fmt in FORMATS:
        assert fmt in str(err.value)
    assert not (tmp_path / "g.dot").exists()


@pytest.mark.parametrize("fmt", ["gexf", "graphml", "html"])
def test_failed_write_leaves_the_existing_file_untouched(small_graph, tmp_path, monkeypatch, fmt):
    path = tmp_path / f"g.{fmt}"
    path.write_text("previous export")

    def fail(fd):
        raise OSError("No space left on device")

    monkeypatch.setattr("graphx.atomic.os.fsync", fail)
    with pytest.raises(OSError, match="No space"):
        export_graph(small_graph, fmt, path)
    assert path.read_text() == "previous export"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temp file left behind


def test_failed_json_and_csv_writes_leave_files_untouched(small_graph, tmp_path, monkeypatch):
    (tmp_path / "g.json").write_text("old json")
    out = tmp_path / "csv"
    out.mkdir()
    (out / "nodes.csv").write_text("old nodes")
    monkeypatch.setattr("graphx.atomic.os.fsync", lambda fd: (_ for _ in ()).throw(OSError("I/O error")))
    with pytest.raises(OSError):
        write_json(small_graph, tmp_path / "g.json")
    with pytest.raises(OSError):
        write_csv(small_graph, out)
    assert (tmp_path / "g.json").read_text() == "old json"
    assert (out / "nodes.csv").read_text() == "old nodes"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["csv", "g.json", "nodes.csv"]


# ------------------------------------------------------------------------------------ one area only


def test_subgraph_for_community_keeps_only_that_area(small_graph):
    before = copy.deepcopy(small_graph)
    H = subgraph_for_community(small_graph, 1)
    assert sorted(H) == ["f6a5", "g7f6", "h8e7"]
    assert edge_multiset(H) == Counter(
        {
            ("g7f6", "f6a5", "cites", 1.0): 1,
            ("g7f6", "h8e7", "cites", 1.0): 1,
            ("h8e7", "f6a5", "cites", 1.0): 1,
            ("f6a5", "g7f6", "similar", 0.55): 1,
            ("f6a5", "h8e7", "cocited", 0.7071): 1,
        }
    )
    assert [c["id"] for c in H.graph["communities"]] == [1]
    assert [s["id"] for s in H.graph["subcommunities"]] == [2]
    assert H.graph["meta"]["counts"] == {"papers": 3, "edges": {"cites": 3, "similar": 1, "cocited": 1}}
    assert H.graph["meta"]["area"] == {"of_graph": "nlp-and-graphs", "community": 1, "label": LABELS[1]}
    assert H.nodes["g7f6"] == small_graph.nodes["g7f6"]
    # independent: changing the subgraph leaves the graph alone
    H.nodes["g7f6"]["authors"].append("Someone Else")
    H.graph["communities"][0]["terms"].append("extra")
    assert nx.utils.graphs_equal(small_graph, before) and small_graph.graph == before.graph

    A = subgraph_for_community(small_graph, 0)
    assert A.number_of_nodes() == 5
    assert sorted(k for _, _, k in A.edges("b2e1", keys=True)) == ["cites", "coupled", "similar"]
    path_problems = gexf_problems(_gexf_bytes(A))
    assert path_problems == []


def _gexf_bytes(G) -> bytes:
    from graphx.export.gexf import gexf_document

    return gexf_document(G).text().encode("utf-8")


def test_subgraph_for_unknown_community_says_which_exist(small_graph):
    with pytest.raises(ConfigError, match=r"No research area 7 .* areas are 0, 1"):
        subgraph_for_community(small_graph, 7)


def test_csv_cells_that_spreadsheets_would_run_are_neutralised(small_graph, tmp_path):
    G = small_graph.copy()
    first, second = list(G)[:2]
    G.nodes[first]["title"] = '=HYPERLINK("http://evil.example","click")'
    G.nodes[second]["title"] = "@SUM(1+1)"
    G.nodes[second]["venue"] = "-2+3"
    nodes = {r["Id"]: r for r in _read_csv(write_csv(G, tmp_path / "csv")[0])}
    assert nodes[first]["Label"] == "'" + G.nodes[first]["title"]
    assert nodes[second]["Label"] == "'@SUM(1+1)" and nodes[second]["venue"] == "'-2+3"
    assert all(not r["pagerank"].startswith("'") for r in nodes.values())  # numbers stay numbers
