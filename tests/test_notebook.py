"""examples/graphx-tour.ipynb runs top to bottom in a real Jupyter kernel, headless (nbclient + ipykernel)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "graphx-tour.ipynb"
CELL_TIMEOUT_S = 300


def test_committed_notebook_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # jupyter_client's own, on some versions
def test_tour_runs_top_to_bottom(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # "python3" is ipykernel's kernel in this environment; jupyter_client runs it with sys.executable.
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    outputs = [c.outputs for c in nb.cells if c.cell_type == "code"]
    text = "\n".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for out in outputs for o in out
    )
    assert "errors" not in {o.output_type for out in outputs for o in out}
    assert "(6545, 273)" in text  # the demo corpus and June 2021
    assert "naming it\nlabel:" in text  # the topic lens answered
    assert "('june-2021.gexf', True)" in text
    html = outputs[-1][0]["data"]["text/html"]  # graphx.show: the offline explorer inline
    assert html.startswith("<iframe srcdoc=") and "vis-network" in html
    assert not re.search(r"(?:src|href)=&quot;(?:https?:)?//", html)  # nothing loaded from elsewhere
