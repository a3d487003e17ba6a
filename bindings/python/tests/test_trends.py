"""edupulse.trends: change points, anomaly scores and the keyword detector from Python."""

import numpy as np
import pandas as pd
import pytest

import edupulse
from edupulse import trends


def _noise(n, seed=0):
    return np.random.default_rng(seed).normal(size=n)


def test_change_points_find_a_shift_and_match_core_defaults():
    x = _noise(300, 1)
    x[100:200] += 4.0
    cps = trends.change_points(x)
    assert len(cps) >= 1 and any(abs(c - 100) <= 3 for c in cps)
    assert all(isinstance(c, int) for c in cps)
    # Scale invariance, NaN handling, 2-D input.
    assert trends.change_points(37.0 * x + 5.0) == cps
    y = x.copy()
    y[10] = np.nan
    assert trends.change_points(y) == cps
    two = np.column_stack([x, _noise(300, 2)])
    assert any(abs(c - 100) <= 3 for c in trends.change_points(two))
    assert trends.change_points(np.full(50, 3.0)) == []


def test_change_points_parameter_errors_name_the_parameter():
    with pytest.raises(edupulse.ParameterError) as e:
        trends.change_points(_noise(50), penalty_scale=-1.0)
    assert e.value.parameter == "penalty_scale"
    with pytest.raises(edupulse.ParameterError) as e:
        trends.change_points(_noise(50), no_such_option=1)
    assert e.value.parameter == "no_such_option"


def test_anomaly_scores_causal_seasonal_and_fast():
    n = 20_000
    ts = pd.date_range("2024-01-01", periods=n, freq="h")
    rng = np.random.default_rng(3)
    x = 100 + 30 * (ts.hour.to_numpy() >= 9) + rng.normal(scale=2.0, size=n)
    x[15_000] += 40
    s = trends.anomaly_scores(x, ts)
    assert s.shape == (n,) and s.dtype == np.float64
    assert np.all((s >= 0) & (s <= 1))
    assert s[15_000] > 0.9973
    # Causal: the scores of a prefix are the prefix of the scores.
    np.testing.assert_array_equal(trends.anomaly_scores(x[:9_000], ts[:9_000]), s[:9_000])
    # numpy datetime64 timestamps work the same.
    np.testing.assert_array_equal(trends.anomaly_scores(x, ts.to_numpy()), s)
    assert np.all(trends.anomaly_scores(np.full(100, 7.0)) == 0.0)


def test_detect_on_simulated_keywords_flags_the_rising_ones():
    tables = edupulse.simulate(students=30, seed=42)
    ki = tables["keyword_interest"]
    out = trends.detect(ki[["keyword", "date", "volume"]])
    assert len(out) == ki["keyword"].nunique()
    rising = set(out.loc[out["decision"] == "rising", "keyword"])
    assert {"curso IA", "agentes IA"} <= rising
    assert set(out.columns) >= {"keyword", "decision", "growth", "p_value", "change_points", "alert"}
    # polars input gives the same result.
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(
        {
            "keyword": ki["keyword"].astype(str).tolist(),
            "date": pd.to_datetime(ki["date"]).dt.strftime("%Y-%m-%d").tolist(),
            "volume": ki["volume"].astype(float).tolist(),
        }
    )
    out2 = trends.detect(frame)
    assert list(out2["decision"]) == list(out["decision"])


def test_detect_bad_input():
    df = pd.DataFrame({"keyword": ["a", "a"], "date": ["2025-01-01", "2025-01-02"], "volume": [1.0, -2.0]})
    with pytest.raises(edupulse.ParameterError) as e:
        trends.detect(df)
    assert e.value.parameter == "volume"
    with pytest.raises(edupulse.ParameterError):
        trends.detect(df.drop(columns=["volume"]))
    short = pd.DataFrame({"keyword": ["a"] * 3, "date": ["2025-01-03", "2025-01-01", "2025-01-01"], "volume": [1.0, np.nan, 2.0]})
    out = trends.detect(short)
    assert out.loc[0, "decision"] == "insufficient_data"


def test_detect_accepts_categorical_and_numpy_dates_and_names_missing_keywords():
    tables = edupulse.simulate(students=30, seed=42)
    ki = tables["keyword_interest"][["keyword", "date", "volume"]]
    base = trends.detect(ki)
    cat = ki.assign(keyword=ki["keyword"].astype("category"), date=pd.to_datetime(ki["date"]))
    out = trends.detect(cat.sample(frac=1.0, random_state=1))  # any row order
    pd.testing.assert_frame_equal(out, base)
    assert list(out["keyword"]) == sorted(out["keyword"])
    assert "cusum_start" in out.columns
    bad = ki.copy()
    bad.loc[bad.index[3], "keyword"] = None
    with pytest.raises(edupulse.ParameterError) as e:
        trends.detect(bad)
    assert e.value.parameter == "keyword"


def test_related_classifies_rising_and_breakout_from_the_latest_report():
    data = {
        "keyword": ["curso IA"] * 6,
        "related": ["curso ia gratis", "agentes ia curso", "chatgpt curso", "curso ia online", "curso ia", "viejo"],
        "value": [250.0, None, 5200.0, 40.0, 100.0, 9000.0],
        "date": ["2026-03-02"] * 5 + ["2026-02-23"],
        "kind": ["rising", "rising", None, "rising", "top", "rising"],
    }
    df = pd.DataFrame(data)
    out = trends.related(df)
    assert list(out["related"]) == ["agentes ia curso", "chatgpt curso", "curso ia gratis"]
    assert list(out["class"]) == ["breakout", "breakout", "rising"]
    assert np.isnan(out["growth_pct"].iloc[0]) and out["growth_pct"].iloc[1] == 5200.0
    assert (out["date"] == pd.Timestamp("2026-03-02")).all()
    # Thresholds are parameters; bad ones and bad kinds are named.
    assert len(trends.related(df, rising_pct=300.0)) == 2
    with pytest.raises(edupulse.ParameterError) as e:
        trends.related(df, breakout_pct=10.0)
    assert e.value.parameter == "breakout_pct"
    with pytest.raises(edupulse.ParameterError) as e:
        trends.related(df.assign(kind="sideways"))
    assert e.value.parameter == "kind"
    # The simulated related_queries table has breakouts; polars input gives the same answer.
    rq = edupulse.simulate(students=30, seed=42)["related_queries"]
    sim = trends.related(rq)
    assert (sim["class"] == "rising").any()
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(data)
    pd.testing.assert_frame_equal(trends.related(frame), out)
