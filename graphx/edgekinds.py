"""The edge kinds of a built graph (docs/graph-format.md), in a module light enough for any importer.

Exports and the web app need these names without loading the algorithm stages (scipy, scikit-learn).
"""

EDGE_KINDS = ("cites", "similar", "cocited", "coupled")
# Stored once per pair (u, v); GEXF writes them as undirected edges.
SYMMETRIC_KINDS = frozenset({"similar", "cocited", "coupled"})
