"""edupulse.churn against the CDNOW reference figures (lifetimes 0.11.3) and basic behaviour."""

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import edupulse
from edupulse.churn import (
    BetaGeoModel,
    ChurnClassifier,
    GammaGammaModel,
    ParetoNBDModel,
    summary_from_transactions,
)


def _shared(name: str):
    for parent in Path(__file__).resolve().parents:
        p = parent / "shared" / "data" / name
        if p.exists():
            return p
    return None


@pytest.fixture(scope="module")
def cdnow():
    p = _shared("cdnow/cdnow_customers_summary_with_transactions.csv")
    if p is None:
        pytest.skip("../shared/data/cdnow not found")
    return pd.read_csv(p)


def test_bgnbd_pnbd_gg_match_the_reference(cdnow):
    bg = BetaGeoModel().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    for k, v in dict(r=0.242593, alpha=4.413532, a=0.792886, b=2.425752).items():
        assert bg.params_[k] == pytest.approx(v, rel=5e-4)
    assert bg.log_likelihood_ == pytest.approx(-9582.4256, abs=0.01)
    assert bg.standard_errors_["r"] == pytest.approx(0.01256, rel=2e-3)
    pn = ParetoNBDModel().fit(cdnow["x"].to_numpy(), cdnow["t_x"].to_numpy(), cdnow["T"].to_numpy())
    for k, v in dict(r=0.553258, alpha=10.5775, s=0.606246, beta=11.669237).items():
        assert pn.params_[k] == pytest.approx(v, rel=5e-4)
    assert pn.log_likelihood_ == pytest.approx(-9594.9739, abs=0.01)
    rep = cdnow[cdnow["x"] > 0]
    gg = GammaGammaModel().fit(rep["x"], rep["zbar"])
    for k, v in dict(p=6.248802, q=3.744588, v=15.447748).items():
        assert gg.params_[k] == pytest.approx(v, rel=5e-4)
    one = cdnow[cdnow["ID"].isin([1, 157])].sort_values("ID")
    e = bg.conditional_expected_number_of_purchases_up_to_time(39, one["x"], one["t_x"], one["T"])
    assert list(e) == pytest.approx([1.22591, 20.0537], rel=1e-4)
    assert list(pn.conditional_probability_alive(one["x"], one["t_x"], one["T"])) == pytest.approx(
        [0.869116, 0.996124], rel=1e-4
    )
    spend = gg.conditional_expected_average_profit(one["x"], one["zbar"])
    assert list(spend) == pytest.approx([24.6586, 26.3929], rel=1e-4)
    # As in lifetimes, CLV takes the observed average spend and applies Gamma-Gamma itself.
    clv = gg.customer_lifetime_value(bg, one["x"], one["t_x"], one["T"], one["zbar"], time=12, discount_rate=0.01)
    assert list(clv) == pytest.approx([36.278496, 625.350034], rel=1e-4)
    assert isinstance(clv, pd.Series)


def test_summary_from_transactions_matches_cdnow():
    raw = _shared("cdnow/CDNOW_sample.txt")
    summ = _shared("cdnow/cdnow_customers_summary.csv")
    if raw is None or summ is None:
        pytest.skip("../shared/data/cdnow not found")
    tx = pd.read_csv(raw, sep=r"\s+", header=None, names=["old", "id", "date", "n", "amount"])
    tx["date"] = pd.to_datetime(tx["date"].astype(str), format="%Y%m%d")
    s = summary_from_transactions(tx, "id", "date", "amount", observation_period_end="1997-09-30", freq="W")
    ref = pd.read_csv(summ).set_index("ID")
    s.index = s.index.astype(int)
    s = s.loc[ref.index]
    assert (s["frequency"].to_numpy() == ref["frequency"].to_numpy()).all()
    assert np.abs(s["recency"].to_numpy() - ref["recency"].to_numpy()).max() <= 0.005 + 1e-9
    assert np.abs(s["T"].to_numpy() - ref["T"].to_numpy()).max() <= 0.005 + 1e-9


def test_bad_input_raises_named_errors():
    with pytest.raises(edupulse.ValidationError) as e:
        BetaGeoModel().fit([1, -1], [0, 0], [5, 5])
    assert e.value.column == "frequency"
    with pytest.raises(edupulse.ValidationError) as e:
        BetaGeoModel().fit([1], [6], [5])
    assert e.value.column == "recency"
    with pytest.raises(edupulse.EdupulseError):
        ParetoNBDModel(max_iter=1).fit([1, 2, 0, 3], [1, 2, 0, 4], [5, 5, 5, 5])


def test_classifier_fits_explains_and_pickles():
    rng = np.random.default_rng(0)
    n = 600
    z = rng.uniform(-2, 2, n)
    plan = rng.choice(["basic", "pro", "team"], n)
    y = rng.uniform(size=n) < 1 / (1 + np.exp(-(2 * z + (plan == "basic"))))
    X = pd.DataFrame({"z": z, "noise": rng.normal(size=n), "plan": plan})
    for kind in ["logistic", "trees"]:
        m = ChurnClassifier(model=kind).fit(X, y)
        p = m.predict_proba(X)
        assert p.shape == (n, 2)
        assert np.allclose(p.sum(axis=1), 1.0)
        auc = (pd.Series(p[:, 1]).rank()[y].sum() - y.sum() * (y.sum() + 1) / 2) / (y.sum() * (~y).sum())
        assert auc > 0.8
        ex = m.explain(X.head(5), top=2)
        assert list(ex.columns) == ["row", "rank", "column", "value", "contribution"]
        assert len(ex) == 10
        back = pickle.loads(pickle.dumps(m))
        assert np.array_equal(back.predict_proba(X), p)
    with pytest.raises(edupulse.ValidationError):
        ChurnClassifier().fit(X, np.ones(n, dtype=bool))


def test_arrays_in_place_any_dtype_and_layout_same_results():
    # Same customers as float64 (read in place), int64, a strided view and a list: one answer;
    # results are float64 arrays (Series when a Series went in).
    x = np.array([2.0, 0.0, 21.0, 29.0, 2.0, 0.0])
    tx = np.array([30.43, 0.0, 4.71, 37.71, 30.43, 0.0])
    T = np.array([38.86, 38.86, 29.29, 38.0, 38.86, 38.86])
    bg = edupulse.churn.BetaGeoModel()
    bg.params_ = dict(r=0.242593, alpha=4.413532, a=0.792886, b=2.425752)
    ref = bg.conditional_probability_alive(x, tx, T)
    assert isinstance(ref, np.ndarray) and ref.dtype == np.float64 and ref.shape == (6,)
    wide = np.zeros((6, 2))
    wide[:, 0] = x
    for xs in (x.astype(np.int64), wide[:, 0], x.tolist()):
        assert np.array_equal(bg.conditional_probability_alive(xs, tx, T), ref)
    s = bg.conditional_probability_alive(pd.Series(x, index=list("abcdef")), tx, T)
    assert isinstance(s, pd.Series) and list(s.index) == list("abcdef")
    assert np.array_equal(s.to_numpy(), ref)
    assert ref[0] == pytest.approx(0.726609, rel=1e-4)
    with pytest.raises(edupulse.EdupulseError):
        bg.conditional_probability_alive(x, tx[:3], T)


def test_pareto_nbd_without_dropout_evidence_is_a_convergence_error_not_a_hang():
    # Simulated purchases with little dropout push the Pareto/NBD to s, beta -> infinity: the fit
    # ends at once with a ConvergenceError that names the model and the remedy (a penalizer).
    s = summary_from_transactions(edupulse.simulate(300, seed=1)["purchases"], "customer_id", "at", "amount")
    with pytest.raises(edupulse.ConvergenceError) as e:
        ParetoNBDModel().fit(s["frequency"], s["recency"], s["T"])
    assert e.value.model == "Pareto/NBD"
    assert "penalizer" in e.value.message
    assert isinstance(e.value, edupulse.EdupulseError)
    m = ParetoNBDModel(penalizer_coef=0.01).fit(s["frequency"], s["recency"], s["T"])
    assert all(np.isfinite(v) and v > 0 for v in m.params_.values())


def test_fitted_transaction_models_live_in_rust_and_pickle_through_their_state():
    x = np.array([2.0, 0.0, 21.0, 29.0, 2.0, 0.0, 5.0, 1.0])
    tx = np.array([30.43, 0.0, 4.71, 37.71, 30.43, 0.0, 20.0, 3.0])
    T = np.array([38.86, 38.86, 29.29, 38.0, 38.86, 38.86, 38.0, 30.0])
    bg = edupulse.churn.BetaGeoModel().fit(x, tx, T)
    assert type(bg.model_).__name__ == "NativeTransactionModel"
    assert list(bg.model_.params()) == [bg.params_[n] for n in ("r", "alpha", "a", "b")]
    back = pickle.loads(pickle.dumps(bg))
    assert back.params_ == bg.params_ and back.log_likelihood_ == bg.log_likelihood_
    np.testing.assert_array_equal(back.conditional_probability_alive(x, tx, T), bg.conditional_probability_alive(x, tx, T))
    # Parameters set by hand (published ones) rebuild the Rust model, pickle, and are validated.
    hand = edupulse.churn.BetaGeoModel()
    hand.params_ = dict(r=0.242593, alpha=4.413532, a=0.792886, b=2.425752)
    again = pickle.loads(pickle.dumps(hand))
    assert again.params_ == hand.params_
    np.testing.assert_array_equal(again.conditional_probability_alive(x, tx, T), hand.conditional_probability_alive(x, tx, T))
    hand.params_ = dict(r=-1.0, alpha=4.4, a=0.8, b=2.4)
    with pytest.raises(edupulse.ParameterError):
        hand.conditional_probability_alive(x, tx, T)
