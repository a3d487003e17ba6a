"""Store.report: the HTML/JSON report of a run from Python, in Spanish (default) or English."""

import errno
import json

import pytest

import edupulse

AS_OF = "2025-12-31"  # the simulator's history is 2025


@pytest.fixture(scope="module")
def store():
    s = edupulse.Store("memory://")
    s.ingest(edupulse.simulate(students=120, seed=5))
    s.run(AS_OF)
    return s


def test_report_writes_spanish_by_default_and_english_on_request(store, tmp_path):
    html = store.report(tmp_path / "es")
    assert html == str(tmp_path / "es" / "report.html")
    page = open(html, encoding="utf-8").read()
    assert page.startswith('<!doctype html>\n<html lang="es">')
    assert "Riesgo de abandono" in page and "<svg" in page
    report = json.loads((tmp_path / "es" / "report.json").read_text(encoding="utf-8"))
    assert report["as_of"].startswith("2025-12-31T23:59:59")
    assert report["churn"]["scores"]

    html = store.report(str(tmp_path / "en" / "daily.html"), lang="en", as_of=AS_OF)
    assert html.endswith("daily.html")
    assert '<html lang="en">' in open(html, encoding="utf-8").read()
    assert (tmp_path / "en" / "daily.json").exists()


def test_report_writes_a_page_per_recent_webinar_beside_the_html(store, tmp_path):
    for html, lang, title in [
        (store.report(tmp_path / "es"), "es", "Los comentarios más positivos"),
        (store.report(tmp_path / "en" / "daily.html", lang="en"), "en", "Most positive comments"),
    ]:
        folder = (tmp_path / lang) / "webinars"
        pages = sorted(folder.glob("*.html"))
        report = json.loads(open(html[: -len(".html")] + ".json", encoding="utf-8").read())
        assert len(pages) == min(50, len(report["feedback"]["outcomes"])) > 0
        main = open(html, encoding="utf-8").read()
        for p in pages:
            assert f'href="webinars/{p.name}"' in main
            text = p.read_text(encoding="utf-8")
            assert text.startswith(f'<!doctype html>\n<html lang="{lang}">') and title in text


def test_report_rejects_an_unknown_language_and_a_missing_run(store, tmp_path):
    with pytest.raises(edupulse.ParameterError, match="lang"):
        store.report(tmp_path, lang="fr")
    with pytest.raises(edupulse.EdupulseError, match="no run as of"):
        store.report(tmp_path, as_of="2024-01-01")
    with pytest.raises(edupulse.EdupulseError, match="no run yet"):
        edupulse.Store("memory://").report(tmp_path)


def test_a_report_that_cannot_be_written_is_an_os_error(store, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(OSError) as e:
        store.report(blocker / "sub" / "daily.html")
    err = e.value
    assert type(err) is edupulse.EdupulseIOError
    assert err.path == str(blocker / "sub") and err.errno == errno.ENOTDIR
