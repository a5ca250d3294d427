"""The explorer inline in Jupyter: :func:`show` puts the offline explorer page in an iframe.

The page is the one ``graphx export G page.html`` writes (:func:`graphx.view.render_html`): vis-network
and the explorer's scripts inlined, nothing fetched from a CDN or anywhere else, so it works offline and
in a notebook saved and reopened later. Like pyvis's notebook mode, it is an iframe whose ``srcdoc``
holds the page, which keeps the page's scripts and styles apart from the notebook's own.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Explorer", "show"]

DEFAULT_HEIGHT_PX = 640


class Explorer:
    """A built graph's explorer page that Jupyter shows inline (``_repr_html_``).

    Attributes
    ----------
    page : str
        The standalone explorer page (HTML).
    height_px : int
        Height of the iframe in the notebook.
    """

    def __init__(self, page: str, height_px: int = DEFAULT_HEIGHT_PX) -> None:
        self.page = page
        self.height_px = height_px

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.page, quote=True)}" width="100%" height="{self.height_px}" '
            'style="border: 1px solid #ddd" sandbox="allow-scripts allow-popups allow-downloads" '
            'title="graphx explorer"></iframe>'
        )

    def __repr__(self) -> str:
        return f"<graphx explorer: {len(self.page):,} characters of HTML; display it in Jupyter>"


def show(G: nx.MultiDiGraph, *, height_px: int = DEFAULT_HEIGHT_PX) -> Explorer:
    """The interactive explorer of ``G``, shown inline when it is the last value of a notebook cell.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A built graph (:func:`graphx.build`, :func:`graphx.load`).
    height_px : int
        Height of the view in the notebook.

    Returns
    -------
    Explorer
        Displays itself in Jupyter; ``.page`` is the HTML, to save or serve as you like.
    """
    from graphx.view import render_html

    return Explorer(render_html(G), height_px=height_px)
