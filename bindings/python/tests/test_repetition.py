"""edupulse.repetition against py-fsrs 6.3.2's reference tables (copied from
../shared/data/fsrs/reference_vectors.txt) and the real Anki log when present."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import edupulse
from edupulse.repetition import FSRS, evaluate, optimize

# Table A of reference_vectors.txt: (ratings, elapsed days, S, D, interval) from py-fsrs 6.3.2.
TABLE_A = [
    ([3, 3, 3, 3], [0, 2, 11, 46], [2.30650, 10.96433, 46.28022, 162.86220],
     [2.11810, 2.11121, 2.10433, 2.09746], [2, 11, 46, 163]),
    ([1, 3, 3, 4], [0, 1, 2, 6], [0.21200, 1.88679, 6.26916, 27.07713],
     [6.41330, 6.40212, 6.39094, 5.17019], [1, 2, 6, 27]),
    ([4, 4, 4], [0, 8, 66], [8.29560, 65.62423, 396.77502], [1.0, 1.0, 1.0], [8, 66, 397]),
    ([2, 1, 3], [0, 1, 1], [1.29310, 0.37539, 1.53345], [5.11217, 8.37863, 8.36548], [1, 1, 2]),
]

_ROOT = Path(__file__).resolve().parents[3]
JOSH = next(
    (
        p
        for p in (
            _ROOT.parent / "shared" / "data" / "fsrs" / "review_logs_josh.csv",
            _ROOT.parent.parent / "shared" / "data" / "fsrs" / "review_logs_josh.csv",
        )
        if p.exists()
    ),
    _ROOT.parent / "shared" / "data" / "fsrs" / "review_logs_josh.csv",
)


@pytest.mark.parametrize("ratings,elapsed,s,d,ivl", TABLE_A)
def test_replay_matches_py_fsrs(ratings, elapsed, s, d, ivl):
    df = FSRS().replay(ratings, elapsed)
    assert list(df.columns) == ["stability", "difficulty", "retrievability", "interval"]
    np.testing.assert_allclose(df["stability"], s, rtol=1e-5, atol=5e-6)
    np.testing.assert_allclose(df["difficulty"], d, rtol=1e-5, atol=5e-6)
    assert df["interval"].tolist() == ivl
    assert np.isnan(df["retrievability"].iloc[0])
    assert (df["retrievability"].iloc[1:] > 0).all()


def test_next_states_batch_equals_replay():
    f = FSRS()
    rng = np.random.default_rng(1)
    n = 1000
    s = rng.uniform(0.1, 300, n)
    d = rng.uniform(1, 10, n)
    t = np.floor(rng.uniform(0, 2, n) * s)
    g = rng.integers(1, 5, n)
    ns, nd, ivl = f.next_states(s, d, t, g)
    assert ns.shape == nd.shape == ivl.shape == (n,)
    assert np.isfinite(ns).all() and (ns > 0).all() and ((nd >= 1) & (nd <= 10)).all()
    # Same as one card's history: first review Good, then the batch's rating.
    s0 = np.full(3, 2.3065)
    d0 = np.full(3, 2.1181)
    ns, nd, ivl = f.next_states(s0, d0, np.array([2.0, 2.0, 2.0]), np.array([3, 3, 3], dtype=np.uint8))
    np.testing.assert_allclose(ns, 10.96433, rtol=1e-5)
    assert ivl.tolist() == [11.0, 11.0, 11.0]
    r = f.retrievability(np.array([1.0, 10.0]), np.array([1.0, 30.0]))
    np.testing.assert_allclose(r, [0.9, 0.80939], rtol=1e-5)


def test_bad_input_raises_named_errors():
    f = FSRS()
    with pytest.raises(edupulse.ParameterError) as e:
        f.next_states(np.array([1.0]), np.array([5.0]), np.array([1.0]), np.array([5]))
    assert e.value.parameter == "rating"
    with pytest.raises(edupulse.ParameterError) as e:
        f.next_states(np.array([0.0]), np.array([5.0]), np.array([1.0]), np.array([3]))
    assert e.value.parameter == "stability"
    with pytest.raises(edupulse.ParameterError) as e:
        f.next_states(np.array([1.0]), np.array([5.0]), np.array([-1.0]), np.array([3]))
    assert e.value.parameter == "elapsed_days"
    with pytest.raises(edupulse.ParameterError) as e:
        FSRS(parameters=[0.5] * 20)
    assert e.value.parameter == "parameters"
    with pytest.raises(edupulse.ParameterError):
        FSRS(desired_retention=1.5)


def test_optimize_and_evaluate_on_a_small_log(small_review_log):
    log = small_review_log
    params = optimize(log)
    assert len(params) == 21 and all(np.isfinite(params))
    m = evaluate(log, params)
    assert set(m) >= {"log_loss", "rmse_bins", "auc"}
    # A log in any order (here reversed, and by card then time) is replayed sorted by time.
    assert optimize(log.iloc[::-1]) == params
    by_card = log.sort_values(["card_id", "review_time"], kind="stable")
    assert optimize(by_card) == params
    assert evaluate(by_card, params) == m


@pytest.mark.skipif(not JOSH.exists(), reason="review_logs_josh.csv not present")
def test_josh_default_figures():
    log = pd.read_csv(JOSH)
    m = evaluate(log)
    assert abs(m["log_loss"] - 0.4455) < 1e-3
    assert abs(m["rmse_bins"] - 0.0694) < 1e-3
    assert abs(m["auc"] - 0.678) < 1e-3


def test_rating_arrays_of_any_integer_width_and_lists():
    f = FSRS()
    s, d, t = np.array([2.3065, 2.3065]), np.array([2.1181, 2.1181]), np.array([2.0, 2.0])
    want, _, _ = f.next_states(s, d, t, np.array([3, 1], dtype=np.uint8))
    for g in (
        np.array([3, 1], dtype=np.int64),
        np.array([3, 1], dtype=np.int32),
        np.array([3, 1], dtype=np.int8),
        np.array([3, 1], dtype=np.uint16),
        [3, 1],
    ):
        got, _, _ = f.next_states(s, d, t, g)
        np.testing.assert_array_equal(got, want)
    np.testing.assert_allclose(want[0], 10.96433, rtol=1e-5)
    for bad in (np.array([3, 9], dtype=np.int64), np.array([3, -1], dtype=np.int16), [3, 0]):
        with pytest.raises(edupulse.ParameterError) as e:
            f.next_states(s, d, t, bad)
        assert e.value.parameter == "rating" and "index 1" in str(e.value)
    # A strided (non-contiguous) float64 view is made contiguous by the wrapper, not refused.
    wide = np.array([2.3065, 0.0, 2.3065, 0.0])
    got, _, _ = f.next_states(wide[::2], d, t, np.array([3, 1], dtype=np.uint8))
    np.testing.assert_array_equal(got, want)


def test_review_log_columns_are_checked():
    t0 = pd.Timestamp("2024-01-01T10:00:00Z")
    log = pd.DataFrame(
        {
            "card_id": [7, 7, 8, 8, 7],
            "review_time": [t0 + pd.Timedelta(days=k) for k in range(5)],
            "review_rating": [3, 3, 3, 1, 3],
        }
    )
    # Integer and string card ids give the same cards.
    as_str = log.assign(card_id=log["card_id"].map(lambda c: f"card-{c}"))
    with pytest.raises(edupulse.EdupulseError) as a:
        evaluate(log)
    with pytest.raises(edupulse.EdupulseError) as b:
        evaluate(as_str)
    assert str(a.value) == str(b.value)  # too few reviews for 5 folds, either way
    bad = log.assign(review_rating=[3, 3, "x", 1, 3])
    with pytest.raises(edupulse.ValidationError) as e:
        evaluate(bad)
    assert "row 3" in str(e.value) and "review_rating" in str(e.value)
    bad = log.assign(review_rating=[3, 3, 5, 1, 3])
    with pytest.raises(edupulse.ValidationError) as e:
        evaluate(bad)
    assert "review_rating" in str(e.value)


def test_fsrs_is_built_once_in_rust_and_pickles():
    import pickle

    from edupulse.repetition import FSRS

    f = FSRS(desired_retention=0.85, maximum_interval=365)
    assert f._native.params()["desired_retention"] == 0.85
    assert f._native.params()["maximum_interval"] == 365
    back = pickle.loads(pickle.dumps(f))
    assert repr(back) == repr(f)
    pd.testing.assert_frame_equal(back.replay([3, 1, 4], [0.0, 3.0, 10.0]), f.replay([3, 1, 4], [0.0, 3.0, 10.0]))
    with pytest.raises(edupulse.ParameterError):
        FSRS(desired_retention=1.5)
