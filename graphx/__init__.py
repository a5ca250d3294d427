"""graphx: citation-and-similarity graph explorer for research papers.

One import is all a notebook needs::

    import graphx

    papers = graphx.read_papers("zotero.bib", "trending-page.txt")  # or graphx.fetch(query=...)
    G = graphx.build(papers, seed=1)        # a networkx.MultiDiGraph with labelled areas and a layout
    graphx.show(G)                          # the interactive explorer, inline, offline
    graphx.export(G, "map.gexf")            # for Gephi
    graphx.save(G, "my-map")                # for `graphx serve`, graphx.load("my-map"), graphx.add(...)

The functions are defined in :mod:`graphx.api` and :mod:`graphx.notebook`; they import the heavy
libraries (scipy, scikit-learn, igraph) only when called, so ``import graphx`` stays quick.

Examples
--------
>>> import graphx
>>> "build" in graphx.__all__ and callable(graphx.build)
True
"""

import sys
import types

from graphx.api import (
    add,
    build,
    demo_papers,
    explain,
    export,
    fetch,
    list_graphs,
    load,
    missing,
    read_papers,
    save,
    topic,
)
from graphx.notebook import show
from graphx.version import __version__

__all__ = [
    "Paper",
    "__version__",
    "add",
    "build",
    "demo_papers",
    "explain",
    "export",
    "fetch",
    "list_graphs",
    "load",
    "missing",
    "read_papers",
    "save",
    "show",
    "topic",
]


class _Package(types.ModuleType):
    """graphx itself: importing ``graphx.build`` (the package) leaves ``graphx.build`` the function.

    Python binds each imported submodule as an attribute of its parent, which would replace the API's
    ``build``, ``export``, ``topic``, ``missing`` and ``explain`` by the modules of the same names. Those
    modules stay importable by their full names (``from graphx.build import pipeline``).
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in __all__ and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str):
    # The paper record, for code that makes papers itself: imported on first use only.
    if name == "Paper":
        from graphx.paper import Paper

        return Paper
    raise AttributeError(f"module 'graphx' has no attribute {name!r}")
