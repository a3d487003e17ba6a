"""Issue 16: CSV as Spanish offices write it, and the importers of edupulse.io."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

import edupulse
from edupulse.exceptions import ValidationError


def _write(dir: Path, name: str, data: bytes) -> None:
    (dir / name).write_bytes(data)


def test_ingest_dir_reads_a_spanish_excel_csv(tmp_path: Path) -> None:
    # Excel "CSV UTF-8" in a Spanish locale: a byte-order mark, semicolons, decimal commas.
    _write(tmp_path, "purchases.csv", b"\xef\xbb\xbfcustomer_id;at;amount;currency\nc1;2025-03-01;1234,5;EUR\n")
    store = edupulse.Store("memory://")
    report = store.ingest_dir(tmp_path)
    assert report["written"]["purchases"] == 1
    assert store.table("purchases")["amount"].tolist() == [1234.5]


def test_day_first_dates_need_a_format(tmp_path: Path) -> None:
    _write(tmp_path, "purchases.csv", b"customer_id;at;amount\nc1;01/03/2025;5\n")
    store = edupulse.Store("memory://")
    with pytest.raises(ValidationError, match="date_format"):
        store.ingest_dir(tmp_path)
    store.ingest_dir(tmp_path, date_format="%d/%m/%Y")
    assert str(store.table("purchases")["at"][0].date()) == "2025-03-01"
    # A decimal point in a decimal-comma file is named, not misread as 125.
    _write(tmp_path, "purchases.csv", b"customer_id;at;amount\nc1;2025-03-01;12.5\n")
    with pytest.raises(ValidationError, match="amount"):
        store.ingest_dir(tmp_path)
    store.ingest_dir(tmp_path, decimal=".")


def test_implausible_dates_are_named(tmp_path: Path) -> None:
    _write(tmp_path, "purchases.csv", b"customer_id,at,amount\nc1,1899-12-30,5\n")
    with pytest.raises(ValidationError, match="implausible date"):
        edupulse.Store("memory://").ingest_dir(tmp_path)


# --- importers: the same fixtures as the Rust tests (each file's header names its source) ---

DATA = Path(__file__).resolve().parents[3] / "crates/edupulse-core/src/import/testdata"
_ROOT = Path(__file__).resolve().parents[3]
OULAD = next(
    (p for p in (Path(os.environ.get("EDUPULSE_OULAD_DIR", "/nonexistent")), _ROOT.parent / "shared/data/oulad",
                 _ROOT.parent.parent / "shared/data/oulad") if p.is_dir()),
    Path("/nonexistent"),
)


def _csv(name: str, **kw: object) -> pd.DataFrame:
    return pd.read_csv(DATA / name, comment="#", dtype=str, keep_default_na=False, **kw)


def test_from_pytrends_dict_and_frame() -> None:
    interest = pd.read_csv(DATA / "pytrends_interest.csv", comment="#", index_col="date", parse_dates=["date"])
    interest["isPartial"] = interest["isPartial"].astype(bool)
    flat = _csv("pytrends_related.csv")
    # The dict pytrends returns: {keyword: {"top": df, "rising": df}}.
    related = {
        "curso IA": {
            kind: flat[flat["kind"] == kind][["query", "value"]].reset_index(drop=True) for kind in ("top", "rising")
        }
    }
    out = edupulse.io.from_pytrends(interest, related)
    assert set(out) == {"keyword_interest", "related_queries"}
    assert len(out["keyword_interest"]) == 6
    assert len(out["related_queries"]) == 4
    store = edupulse.Store("memory://")
    assert store.ingest(out)["written"]["keyword_interest"] == 6
    assert store.ingest(out)["written"]["keyword_interest"] == 0  # idempotent


def test_from_zoom_minutes_and_bad_input() -> None:
    reg = pd.read_csv(DATA / "zoom_registrants.csv", skiprows=8, dtype=str)
    part = _csv("zoom_participants.csv")
    webinar = {"webinar_id": "81234567890", "title": "Curso IA", "starts_at": "2025-03-15T10:00:00Z", "duration_min": 60}
    out = edupulse.io.from_zoom(reg, part, webinar)
    regs = out["registrations"].set_index("person_id")
    assert regs.loc["ana@example.es", "minutes_watched"] == 50.0
    assert not regs.loc["marta@example.es", "attended"]
    bad = part.copy()
    bad.loc[0, "Leave Time"] = "03/15/2025 09:00:00 AM"
    with pytest.raises(ValidationError, match="Leave Time"):
        edupulse.io.from_zoom(reg, bad, webinar)
    with pytest.raises(edupulse.ParameterError, match="webinar"):
        edupulse.io.from_zoom(reg, part)
    with pytest.raises(ValidationError, match="Join Time"):
        edupulse.io.from_zoom(reg, part.rename(columns={"Join Time": "Entrada"}), webinar)


def test_from_stripe_and_from_crm() -> None:
    out = edupulse.io.from_stripe(_csv("stripe_payments.csv"), currency="EUR")
    assert out["purchases"]["amount"].tolist() == [199.0, 150.0, 0.0, 201.3]
    plain = _csv("stripe_payments.csv").drop(columns=["Converted Amount", "Converted Currency"])
    with pytest.raises(ValidationError, match="USD"):
        edupulse.io.from_stripe(plain, currency="EUR")
    crm = edupulse.io.from_crm(_csv("crm_contacts.csv"), _csv("crm_activities.csv"))
    assert len(crm["leads"]) == 2 and len(crm["lead_events"]) == 4
    with pytest.raises(edupulse.ParameterError, match="contact"):
        edupulse.io.from_crm(_csv("crm_contacts.csv"), mapping={"contact": {}})


def test_from_oulad_fixture_frames_and_real_folder() -> None:
    frames = {name: _csv(f"oulad/{name}.csv") for name in ("studentInfo", "studentRegistration", "assessments", "studentAssessment", "courses")}
    out = edupulse.io.from_oulad(frames)
    assert len(out["students"]) == 5
    scores = out["activity"][out["activity"]["kind"] == "assessment_submitted"]["value"]
    assert scores.isna().sum() == 1  # the "?" score
    subs = out["activity"][out["activity"]["kind"] == "assessment_submitted"]
    mine = subs[subs["student_id"] == "AAA-2013J-11391"]
    assert mine["ref_id"].tolist() == ["1752", "1753"]  # the assessment each submission answers
    attrs = out["student_attributes"]
    mine = dict(attrs[attrs["student_id"] == "AAA-2013J-11391"][["name", "value"]].values)
    assert mine["course"] == "AAA-2013J" and mine["age_band"] == "55<=" and mine["studied_credits"] == "240"
    sched = out["assessment_schedule"].set_index("assessment_id")
    assert sched.loc["1752", "course_id"] == "AAA-2013J" and sched.loc["1752", "weight"] == 10.0
    assert str(sched.loc["1752", "due_at"]).startswith("2013-10-20 23:59:59")
    if OULAD.is_dir():
        real = edupulse.io.from_oulad(OULAD)
        assert len(real["students"]) == 32593
