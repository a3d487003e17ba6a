import pickle

import numpy as np
import pandas as pd
import pytest

import edupulse
from edupulse.forecast import Forecaster


def _series(n=150, start="2025-01-06"):
    i = np.arange(n)
    week = np.array([5.0, 6.0, 7.0, 6.0, 4.0, 1.0, 0.5])[i % 7]
    noise = ((i * 7919) % 13) / 13.0 - 0.5
    return pd.Series(20 + 0.02 * i + week + noise, index=pd.date_range(start, periods=n, freq="D"))


def test_predict_columns_dates_and_bands():
    s = _series()
    f = Forecaster(horizon=14, calibration_origins=4).fit(s)
    p = f.predict()
    assert list(p.columns) == ["date", "mean", "lo_80", "hi_80", "lo_95", "hi_95"]
    assert len(p) == 14
    assert p["date"].iloc[0] == s.index[-1] + pd.Timedelta(days=1)
    assert (p["lo_95"] <= p["lo_80"]).all() and (p["lo_80"] <= p["mean"]).all()
    assert (p["mean"] <= p["hi_80"]).all() and (p["hi_80"] <= p["hi_95"]).all()
    assert f.chosen_ in {"seasonal_naive", "ets", "gbm", "ets_gbm"}
    assert f.info_["interval_kind"] == "conformal"


def test_dataframe_input_and_backtest_and_pickle():
    s = _series()
    df = pd.DataFrame({"date": s.index, "value": s.to_numpy()})
    f = Forecaster(horizon=7, levels=(90,), calibration_origins=3).fit(df)
    bt = f.backtest(windows=2)
    assert len(bt) == 14 and set(bt["window"]) == {1, 2}
    assert {"actual", "lo_90", "hi_90", "model", "cutoff"} <= set(bt.columns)
    assert np.allclose(bt["actual"].to_numpy(), s.to_numpy()[-14:])
    g = pickle.loads(pickle.dumps(f))
    pd.testing.assert_frame_equal(g.predict(), f.predict())
    assert g.get_params() == f.get_params()


def test_bad_input_is_named():
    s = _series(60)
    dup = pd.DataFrame({"date": list(s.index) + [s.index[3]], "value": list(s) + [1.0]})
    with pytest.raises(edupulse.ValidationError) as e:
        Forecaster().fit(dup)
    assert e.value.column == "date" and e.value.row == 61
    gappy = s.drop(s.index[10])
    f = Forecaster(horizon=7, calibration_origins=2).fit(gappy)
    assert f.info_["filled"] == 1 and any("filled" in n for n in f.notes_)
    with pytest.raises(edupulse.ValidationError):
        Forecaster(gaps="error").fit(gappy)
    with pytest.raises(edupulse.ParameterError):
        Forecaster(levels=(80, 100)).fit(s)
    with pytest.raises(edupulse.ParameterError):
        Forecaster(gaps="sometimes").fit(s)
    with pytest.raises(edupulse.ParameterError) as e:
        Forecaster(volatility_window=3).fit(s)
    assert e.value.parameter == "volatility_window"
    short = Forecaster(horizon=7).fit(s.iloc[:10])
    assert short.chosen_ == "naive" and any("two seasons" in n for n in short.notes_)
    with pytest.raises(edupulse.NotFittedError):
        Forecaster().predict()
