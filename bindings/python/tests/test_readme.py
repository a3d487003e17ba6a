"""The README's "From Python" example runs as written.

`EXAMPLE` is the text proposed for README.md; when README.md has a ```python block in its
"From Python" section, that block is run too, so the README can never drift from working code.
"""

import contextlib
import io
import pathlib
import re

import pytest

EXAMPLE = '''\
import edupulse

tables = edupulse.simulate(students=200, seed=7)   # {table name: pandas DataFrame}
print({name: len(df) for name, df in tables.items()})

store = edupulse.Store.open("sqlite://edupulse.db")  # a file, created on first use
print(store.ingest(tables)["written"])   # rows new or changed, per table
print(store.ingest(tables)["written"])   # upserts: the second ingest writes nothing

reviews = store.table("reviews", start="2025-06-01", end="2025-07-01")
print(reviews.groupby("rating").size())  # times are datetime64[UTC] columns

bad = tables["reviews"].head(3).copy()
bad.loc[1, "rating"] = 7                 # ratings are 1 (Again) to 4 (Easy)
try:
    store.ingest({"reviews": bad})       # nothing of a failed ingest is written
except edupulse.ValidationError as e:
    print(e.table, e.row, e.column)      # reviews 2 rating
'''

README = pathlib.Path(__file__).resolve().parents[3] / "README.md"
PACKAGE_README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def run(code: str, cwd: pathlib.Path, monkeypatch) -> str:
    monkeypatch.chdir(cwd)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<README example>", "exec"), {"__name__": "__readme__"})
    return out.getvalue()


def test_proposed_readme_example_runs(tmp_path, monkeypatch):
    printed = run(EXAMPLE, tmp_path, monkeypatch).splitlines()
    assert (tmp_path / "edupulse.db").exists()
    assert printed[-1] == "reviews 2 rating"
    first, second = eval(printed[1]), eval(printed[2])
    assert sum(first.values()) > 0 and set(second.values()) == {0}
    assert "rating" in printed[3]  # the groupby output is not empty


def test_package_readme_shows_the_example():
    assert f"```python\n{EXAMPLE}```" in PACKAGE_README.read_text(encoding="utf-8")


def readme_python_block():
    if not README.exists():
        return None
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## From Python\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not section:
        return None
    blocks = re.findall(r"^```python\n(.*?)^```", section.group(1), re.S | re.M)
    return "\n".join(blocks) if blocks else None  # the blocks run in order, as one session


def test_readme_from_python_block_runs(tmp_path, monkeypatch):
    code = readme_python_block()
    if code is None:
        pytest.skip("README.md has no ```python block under '## From Python'")
    run(code, tmp_path, monkeypatch)
