"""examples/notebooks/quickstart.ipynb runs top to bottom without errors (nbclient), and its cells
are the ones make_quickstart.py writes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

NOTEBOOKS = Path(__file__).resolve().parents[3] / "examples" / "notebooks"


def test_quickstart_executes(tmp_path, monkeypatch):
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel draws inline PNGs
    nb = nbformat.read(NOTEBOOKS / "quickstart.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) >= 4  # trends, churn, review and demand plots were drawn
    text = "".join(
        o.get("text", "") + json.dumps(o.get("data", {}).get("text/plain", ""))
        for c in code
        for o in c.outputs
    )
    assert "mean P(churn) churned" in text


def test_notebook_is_generated_from_its_script(tmp_path):
    """The committed notebook equals what make_quickstart.py writes (edit the script, not the
    .ipynb)."""
    script = (NOTEBOOKS / "make_quickstart.py").read_text()
    script = script.replace('Path(__file__).with_name("quickstart.ipynb")', repr(str(tmp_path / "q.ipynb")))
    subprocess.run([sys.executable, "-c", script + "\nmain()\n"], check=True, cwd=tmp_path,
                   env=dict(os.environ))
    fresh = nbformat.read(tmp_path / "q.ipynb", as_version=4)
    committed = nbformat.read(NOTEBOOKS / "quickstart.ipynb", as_version=4)
    assert [c.source for c in fresh.cells] == [c.source for c in committed.cells]
