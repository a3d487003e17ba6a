"""edupulse.leads: the points rule against its definition, bad input, and the learned model on
simulated leads with known outcomes."""

import pickle

import numpy as np
import pandas as pd
import pytest

import edupulse
from edupulse.leads import DEFAULT_WEIGHTS, LeadModel, LeadScorer


def _events():
    t0 = pd.Timestamp("2025-03-01T12:00:00Z")
    return pd.DataFrame(
        {
            "lead_id": ["a", "a", "a", "a", "b"],
            "at": [t0, t0 + pd.Timedelta(minutes=1), t0 + pd.Timedelta(minutes=2), t0 + pd.Timedelta(minutes=3), t0],
            "kind": ["webinar_attended", "question_asked", "pricing_view", "demo_request", "email_open"],
        }
    )


def test_scores_follow_the_decay_formula_and_grades():
    ev = _events()
    as_of = pd.Timestamp("2025-03-15T12:00:00Z")  # 14 days later: one half-life
    df = LeadScorer().score(ev, as_of=as_of)
    assert list(df.columns) == ["lead_id", "engagement", "score", "grade", "top_factors"]
    assert list(df.lead_id) == ["a", "b"]
    # b: one email open, 14 days old -> 0.5 / 2 points.
    p = DEFAULT_WEIGHTS["email_open"] / 2
    want = 10 * (1 - np.exp(-p / 8.0))
    assert df.engagement[1] == pytest.approx(want, rel=1e-9)
    assert df.score[1] == pytest.approx(10 * want, rel=1e-9)
    assert df.grade[1] == "cold"
    # a, right after the events: hot, demo request the leading factor.
    now = LeadScorer().score(ev, as_of="2025-03-01T13:00:00Z")
    assert now.grade[0] == "hot"
    assert now.top_factors[0][0][0] == "demo_request"
    assert now.engagement.between(0, 10).all()
    # Thresholds are configurable.
    assert LeadScorer(hot=9.9, warm=9.0).score(ev, as_of="2025-03-01T13:00:00Z").grade[0] != "hot"
    # A shorter half-life decays faster.
    fast = LeadScorer(half_life_days=1.0).score(ev, as_of=as_of)
    assert (fast.engagement < df.engagement).all()
    # Polars in, same result.
    pl = pytest.importorskip("polars")
    pd.testing.assert_frame_equal(LeadScorer().score(pl.from_pandas(ev), as_of=as_of), df)


def test_bad_input_raises_named_errors():
    ev = _events()
    with pytest.raises(edupulse.ParameterError, match="weights.email_open"):
        LeadScorer(weights={"email_open": -1}).score(ev)
    with pytest.raises(edupulse.ParameterError, match="weights.tweet"):
        LeadScorer(weights={"tweet": 1.0}).score(ev)
    with pytest.raises(edupulse.ParameterError, match="half_life_days"):
        LeadScorer(half_life_days=-3).score(ev)
    with pytest.raises(edupulse.ParameterError, match="hot"):
        LeadScorer(hot=2.0, warm=5.0).fit()
    bad = ev.copy()
    bad.loc[2, "kind"] = "fax_sent"
    with pytest.raises(edupulse.ValidationError, match="fax_sent") as e:
        LeadScorer().score(bad)
    assert e.value.row == 3 and e.value.column == "kind"


def test_get_params_and_repr():
    s = LeadScorer(hot=8.0)
    assert s.get_params()["hot"] == 8.0
    assert "hot=8.0" in repr(s)
    assert s.set_params(warm=3.0).warm == 3.0


def _leads_table(n=4000, seed=3):
    tables = edupulse.simulate(students=50, leads=n, seed=seed)
    leads = tables["leads"].set_index("lead_id")
    ev = tables["lead_events"]
    as_of = pd.Timestamp("2025-09-01T00:00:00Z")
    at = pd.to_datetime(ev["at"], utc=True)
    before = ev[at <= as_of]
    converted_after = set(ev[(at > as_of) & (ev["kind"] == "purchase")]["lead_id"])
    converted_before = set(before[before["kind"] == "purchase"]["lead_id"])
    counts = before.pivot_table(index="lead_id", columns="kind", values="at", aggfunc="count").fillna(0)
    created = pd.to_datetime(leads["created_at"], utc=True)
    open_ids = [i for i in leads.index if created[i] <= as_of and i not in converted_before]
    X = pd.DataFrame(index=open_ids)
    for k in ["email_open", "email_click", "webinar_attended", "pricing_view", "question_asked"]:
        X[k] = counts[k].reindex(open_ids).fillna(0.0).values if k in counts else 0.0
    X["age_days"] = [(as_of - created[i]).days for i in open_ids]
    X["source"] = leads.loc[open_ids, "source"].values
    X["role"] = leads.loc[open_ids, "role"].values
    y = np.array([i in converted_after for i in open_ids])
    return X.reset_index(drop=True), y


def test_lead_model_fits_explains_and_pickles():
    # 12,000 leads (about 120 conversions): with a few dozen, the trees' out-of-fold Platt slope
    # can come out negative and invert the ranking (a limitation of the shared calibration).
    X, y = _leads_table(n=12000)
    assert 0 < y.sum() < len(y)
    for kind in ["logistic", "trees"]:
        m = LeadModel(model=kind).fit(X, y)
        p = m.predict_proba(X)[:, 1]
        assert p.shape == (len(X),) and np.all((p > 0) & (p < 1))
        # Ranking beats chance clearly on the simulated outcome.
        order = np.argsort(-p)
        top = y[order[: len(y) // 10]].mean()
        assert top > 2 * y.mean()
        ex = m.explain(X.head(5), top=2)
        assert list(ex.columns) == ["row", "rank", "column", "value", "contribution"]
        assert len(ex) == 10 and set(ex["column"]) <= set(X.columns)
        back = pickle.loads(pickle.dumps(m))
        np.testing.assert_array_equal(back.predict_proba(X), m.predict_proba(X))
    # numpy input works too (numeric columns only).
    LeadModel().fit(X[["email_open", "pricing_view", "age_days"]].to_numpy(), y)


def test_lead_model_errors():
    X, y = _leads_table(n=800, seed=4)
    with pytest.raises(edupulse.NotFittedError):
        LeadModel().predict_proba(X)
    with pytest.raises(edupulse.ValidationError, match="one class"):
        LeadModel().fit(X, np.zeros(len(X), dtype=bool))
    with pytest.raises(edupulse.ParameterError, match="model"):
        LeadModel(model="forest").fit(X, y)
