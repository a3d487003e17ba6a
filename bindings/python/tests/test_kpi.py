"""edupulse.kpi.scorecard: windows (dates in a time zone), targets, status, diagnosis, bad input."""

import pandas as pd
import pytest

from edupulse import kpi
from edupulse.exceptions import ParameterError


def _tables():
    """Window 2025-03-01..2025-03-30 (UTC days): 10 registrations, 2 attended; before: 5 of 10."""
    def reg(w, p, attended):
        return {"webinar_id": w, "person_id": p, "registered_at": "2025-01-15T10:00:00Z",
                "industry": "salud", "role": "analista", "company_size": "11-50",
                "attended": attended}

    webinars = pd.DataFrame({
        "webinar_id": ["w1", "w2"], "title": ["IA", "IA"], "topic": ["ia", "ia"],
        "starts_at": ["2025-02-10T17:00:00Z", "2025-03-10T17:00:00Z"], "duration_min": [60, 60],
    })
    regs = [reg("w2", f"p{i}", i < 2) for i in range(10)] + [reg("w1", f"p{i}", i < 5) for i in range(10)]
    students = pd.DataFrame({
        "student_id": ["a", "b"], "email": ["a@x.es", "b@x.es"], "name": ["A", "B"],
        "industry": ["salud"] * 2, "role": ["analista"] * 2, "company_size": ["11-50"] * 2,
        "enrolled_at": ["2025-01-01T00:00:00Z"] * 2,
    })
    activity = pd.DataFrame({
        "student_id": ["a", "b", "a"],
        "at": ["2025-02-20T09:00:00Z", "2025-02-20T09:00:00Z", "2025-03-05T09:00:00Z"],
        "kind": ["login", "login", "referral"],
    })
    return {"webinars": webinars, "registrations": pd.DataFrame(regs), "students": students,
            "activity": activity}


def test_scorecard_scores_a_window_against_the_targets():
    card = kpi.scorecard(_tables(), start="2025-03-01", end="2025-03-30")
    assert list(card.columns) == kpi.COLUMNS
    row = card.set_index("kpi")
    assert row.loc["attendance_rate", "value"] == pytest.approx(0.2)
    assert row.loc["attendance_rate", "previous"] == pytest.approx(0.5)
    assert row.loc["attendance_rate", "status"] == "missed"
    assert row.loc["attendance_rate", "trend"] == "worsening"
    assert "slot_heatmap" in row.loc["attendance_rate", "see"]
    # a and b active before; b silent in the window: churn 1/2 over 30 days.
    assert row.loc["monthly_churn_rate", "value"] == pytest.approx(0.5)
    assert row.loc["referral_rate", "value"] == pytest.approx(1.0)
    assert row.loc["referral_rate", "status"] == "on_track"
    assert card.window_start[0] == pd.Timestamp("2025-03-01", tz="UTC")
    assert card.window_end[0] == pd.Timestamp("2025-03-31", tz="UTC")


def test_targets_override_and_unknown_names_are_errors():
    card = kpi.scorecard(_tables(), start="2025-03-01", end="2025-03-30",
                         targets={"attendance_rate": 0.15, "ltv": None})
    row = card.set_index("kpi")
    assert row.loc["attendance_rate", "status"] == "on_track"
    assert row.loc["attendance_rate", "causes"] == ""
    assert pd.isna(row.loc["ltv", "target"]) and row.loc["ltv", "status"] == "no_target"
    with pytest.raises(ParameterError, match="attendance"):
        kpi.scorecard(_tables(), targets={"attendence_rate": 0.3})
    with pytest.raises(ParameterError, match="referral_rate"):
        kpi.scorecard(_tables(), targets={"referral_rate": 25})


def test_timezone_moves_the_day_bounds_and_bad_input_is_named():
    madrid = kpi.scorecard(_tables(), start="2025-03-01", end="2025-03-30", timezone="Europe/Madrid")
    # Local midnight in Madrid (UTC+1 in March before the 30th, UTC+2 after) in UTC.
    assert madrid.window_start[0] == pd.Timestamp("2025-02-28T23:00:00", tz="UTC")
    assert madrid.window_end[0] == pd.Timestamp("2025-03-30T22:00:00", tz="UTC")
    with pytest.raises(ParameterError, match="timezone"):
        kpi.scorecard(_tables(), timezone="Europe/Madird")
    # The zone is the Rust clock too: the default window is 30 local days before the end of
    # 15 April (CEST), so it starts at local midnight of 16 March (CET), 721 hours earlier.
    local = kpi.scorecard(_tables(), end="2025-04-15", timezone="Europe/Madrid")
    assert local.window_end[0] == pd.Timestamp("2025-04-15T22:00:00", tz="UTC")
    assert local.window_start[0] == pd.Timestamp("2025-03-16T23:00:00", tz="UTC")
    utc = kpi.scorecard(_tables(), end="2025-04-15")
    assert utc.window_start[0] == pd.Timestamp("2025-03-17", tz="UTC")
    with pytest.raises(ParameterError, match="start"):
        kpi.scorecard(_tables(), start="2025-04-01", end="2025-03-01")
    with pytest.raises(ParameterError, match="end"):
        kpi.scorecard(_tables(), end="not a date")
    with pytest.raises(ParameterError, match="tables"):
        kpi.scorecard([1, 2])


def test_default_window_is_the_last_30_days_of_the_data():
    card = kpi.scorecard(_tables())
    # Latest dated row: the activity of 2025-03-05 09:00 UTC.
    assert card.window_end[0] == pd.Timestamp("2025-03-05T09:00:00", tz="UTC")
    assert card.window_start[0] == pd.Timestamp("2025-02-03T09:00:00", tz="UTC")
