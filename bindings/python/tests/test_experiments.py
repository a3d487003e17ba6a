"""edupulse.experiments: the tests from counts, the analysis from tables, bad input."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import edupulse
from edupulse.exceptions import EdupulseError, ParameterError
from edupulse.experiments import analyze, mean_test, proportion_test


def test_keys_per_method() -> None:
    c, t = (2000, 200), (2000, 250)
    for m in ("bayes", "beta"):
        r = proportion_test(c, t, method=m)
        assert set(r) == {"lift", "ci_low", "ci_high", "chance_to_win", "risk_control", "risk_treatment"}
        assert 0.9 < r["chance_to_win"] < 1.0
        assert r["risk_treatment"] < r["risk_control"]
    for m in ("ttest", "sequential", "msprt"):
        r = proportion_test(c, t, method=m)
        assert set(r) == {"lift", "ci_low", "ci_high", "p_value"}
        assert 0.0 < r["p_value"] < 1.0
    # relative lift of 25 % is the point estimate of the fixed-horizon test
    assert math.isclose(proportion_test(c, t, method="ttest")["lift"], 0.25, rel_tol=1e-12)
    # always valid answers are more conservative than the fixed-horizon one
    assert proportion_test(c, t, method="sequential")["p_value"] > proportion_test(c, t, method="ttest")["p_value"]
    # on one look, the mSPRT with the default mixture is gbstats' sequential test
    assert math.isclose(
        proportion_test(c, t, method="msprt")["p_value"],
        proportion_test(c, t, method="sequential")["p_value"],
        rel_tol=1e-12,
    )


def test_prior_and_absolute_difference() -> None:
    c, t = (500, 50), (500, 65)
    flat = proportion_test(c, t, difference="absolute")
    assert math.isclose(flat["lift"], 0.03, rel_tol=1e-12)
    tight = proportion_test(c, t, difference="absolute", prior_mean=0.0, prior_sd=0.005)
    assert 0 < tight["lift"] < flat["lift"]  # shrunk toward the prior mean


def test_mean_test_matches_its_sufficient_statistics() -> None:
    import numpy as np

    rng = np.random.default_rng(1)
    a, b = rng.gamma(2.0, 50.0, 800), rng.gamma(2.0, 56.0, 800)
    stats = lambda x: (len(x), float(x.sum()), float((x**2).sum()))  # noqa: E731
    r = mean_test(stats(a), stats(b), method="ttest", difference="absolute")
    assert math.isclose(r["lift"], b.mean() - a.mean(), rel_tol=1e-9)
    with pytest.raises(ParameterError):
        mean_test(stats(a), stats(b), method="beta")


@pytest.mark.parametrize(
    "control, treatment, needle",
    [
        ((10, 11), (10, 1), "exceed"),
        ((10, -1), (10, 1), "≥ 0"),
        ((10, 1), (0, 0), "treatment.units"),
        ((float("nan"), 1), (10, 1), "finite"),
        ((10, 0), (10, 0), "zero variance"),
        ((10,), (10, 1), "units, conversions"),
    ],
)
def test_bad_counts_raise_named_errors(control, treatment, needle) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ParameterError, match=needle):
        proportion_test(control, treatment)


def test_bad_options() -> None:
    with pytest.raises(ParameterError, match="method"):
        proportion_test((10, 1), (10, 2), method="frequentist")
    with pytest.raises(ParameterError, match="alpha"):
        proportion_test((10, 1), (10, 2), alpha=2.0)


def test_analyze_on_the_simulated_business() -> None:
    sim = edupulse.simulate(students=300, seed=11, leads=4000)
    tables = {k: sim[k] for k in ("registrations", "webinars", "purchases", "lead_events")}
    df = analyze(sim["experiments"], sim["exposures"], tables, as_of="2025-12-31")
    assert list(df["experiment_id"]) == ["exp_landing_null", "exp_nurture_lift", "exp_slot_srm"]
    for col in ("lift", "ci_low", "ci_high", "chance_to_win", "risk_control", "risk_treatment",
                "p_value", "srm_p_value", "decision", "reason", "reason_es"):
        assert col in df.columns
    row = df.set_index("experiment_id")
    assert row.loc["exp_nurture_lift", "decision"] == "ship"
    assert row.loc["exp_slot_srm", "decision"] == "keep_running"
    assert row.loc["exp_slot_srm", "srm_p_value"] < 1e-3
    assert row.loc["exp_landing_null", "decision"] != "ship"
    assert row.loc["exp_landing_null", "multi_variant_units"] > 0
    pl = analyze(sim["experiments"], sim["exposures"], tables, as_of="2025-12-31", output="polars")
    assert pl.shape == df.shape


def test_analyze_rejects_bad_tables_and_options() -> None:
    sim = edupulse.simulate(students=50, seed=3, leads=200)
    with pytest.raises(ParameterError, match="correction"):
        analyze(sim["experiments"], sim["exposures"], {}, correction="bonferroni")
    bad = sim["experiments"].copy()
    bad["metric"] = "clicks"
    with pytest.raises(EdupulseError, match="metric"):
        analyze(bad, sim["exposures"], {})
