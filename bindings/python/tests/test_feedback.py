"""edupulse.feedback: Spanish sentiment and per-webinar outcomes, bad input by name."""

import numpy as np
import pandas as pd
import pytest

import edupulse
from edupulse import feedback
from edupulse.exceptions import ParameterError, ValidationError

TEXTS = ["¡Me encantó, muy útil!", "No me gustó, muy lento", "", "   ", "Hola desde Lima"]


def test_sentiment_one_row_per_text_in_order_from_any_sequence():
    df = feedback.sentiment(TEXTS)
    assert list(df.columns) == ["score", "label", "low_coverage", "truncated"]
    assert df["score"].dtype == "float64" and len(df) == len(TEXTS)
    assert df["label"].tolist()[:4] == ["positive", "negative", "neutral", "neutral"]
    assert df["label"].cat.categories.tolist() == ["negative", "neutral", "positive"]
    assert (df["label"] == "positive").tolist() == [True, False, False, False, False]
    assert df["score"].between(-1, 1).all()
    assert df["score"].iloc[2] == 0.0 and df["score"].iloc[3] == 0.0
    for other in (np.array(TEXTS), pd.Series(TEXTS), tuple(TEXTS)):
        pd.testing.assert_frame_equal(feedback.sentiment(other), df)
    pl = pytest.importorskip("polars")
    pd.testing.assert_frame_equal(feedback.sentiment(pl.Series(TEXTS)), df)
    assert feedback.sentiment([]).empty


def test_sentiment_band_flags_and_bad_input():
    s = feedback.sentiment(["Está bien"])["score"].iloc[0]
    assert s > 0
    assert feedback.sentiment(["Está bien"], neutral_band=min(0.99, s + 0.01))["label"][0] == "neutral"
    english = feedback.sentiment(["The weather in London is quite nice today"])
    assert bool(english["low_coverage"][0])
    long = feedback.sentiment(["muy bueno " * 1_100_000])  # 11 MB: scored on its first 100 kB
    assert bool(long["truncated"][0]) and long["label"][0] == "positive"
    for bad, where in (("una frase", "a str"), (["ok", None], "index 1"), (["ok", 3], "index 1")):
        with pytest.raises(ParameterError) as e:
            feedback.sentiment(bad)
        assert e.value.parameter == "texts" and where in str(e.value)
    with pytest.raises(ParameterError) as e:
        feedback.sentiment(["ok", "bien\ud800"])  # a lone surrogate is not text
    assert e.value.parameter == "texts" and "index 1" in str(e.value)
    with pytest.raises(ParameterError) as e:
        feedback.sentiment(["ok"], neutral_band=1.5)
    assert e.value.parameter == "neutral_band"


def _ended(sim, as_of):
    w = sim["webinars"]
    end = pd.to_datetime(w["starts_at"], utc=True) + pd.to_timedelta(w["duration_min"], unit="m")
    return set(w.loc[end <= as_of, "webinar_id"])


def test_webinar_outcomes_agree_with_the_tables(sim):
    as_of = pd.Timestamp(sim["feedback"]["at"].max()).tz_convert("UTC")
    df = feedback.webinar_outcomes(sim, as_of)
    spec = next(t for t in edupulse.result_tables() if t["table"] == "webinar_outcomes")
    assert list(df.columns) == ["as_of"] + [c["name"] for c in spec["columns"]]
    assert set(df["webinar_id"]) == _ended(sim, as_of)
    assert df["starts_at"].is_monotonic_increasing
    # Registrations and attendees per webinar, counted here with pandas.
    r = sim["registrations"]
    r = r[pd.to_datetime(r["registered_at"], utc=True) <= as_of]
    counts = r.groupby("webinar_id")["attended"].agg(["size", "sum"])
    got = df.set_index("webinar_id")
    for w, row in got.iterrows():
        n, a = counts.loc[w] if w in counts.index else (0, 0)
        assert (row["registrations"], row["attendees"]) == (n, a), w
        assert row["below_floor"] == (n > 0 and a / n < 0.3)
    f = sim["feedback"]
    f = f[pd.to_datetime(f["at"], utc=True) <= as_of]
    assert got["feedback"].sum() == len(f)
    rated = f.dropna(subset=["rating"]).groupby("webinar_id")["rating"].mean()
    for w, m in rated.items():
        assert got.loc[w, "mean_rating"] == pytest.approx(m)
    assert isinstance(df["top_terms"].iloc[0], list)
    pl = pytest.importorskip("polars")
    assert isinstance(feedback.webinar_outcomes(sim, as_of, output="polars"), pl.DataFrame)


def test_webinar_outcomes_config_and_bad_input(sim):
    as_of = pd.Timestamp(sim["feedback"]["at"].max()).tz_convert("UTC")
    short = feedback.webinar_outcomes(sim, as_of, config={"conversion_window_days": 1})
    full = feedback.webinar_outcomes(sim, as_of)
    assert (short["conversions"] <= full["conversions"]).all()
    with pytest.raises(ParameterError) as e:
        feedback.webinar_outcomes(sim, as_of, config={"attendance_flor": 0.3})
    assert "attendance_flor" in str(e.value)
    tables = dict(sim)
    bad = sim["feedback"].copy()
    bad.loc[0, "webinar_id"] = "no-such-webinar"
    tables["feedback"] = bad
    with pytest.raises(ValidationError) as e:
        feedback.webinar_outcomes(tables, as_of)
    assert e.value.table == "feedback" and e.value.column == "webinar_id"
    assert f"`{bad.loc[0, 'feedback_id']}`" in str(e.value)
    with pytest.raises(ParameterError):
        feedback.webinar_outcomes(sim, as_of, output="excel")


def test_live_timeline_per_minute_so_far():
    start = pd.Timestamp("2025-03-04T17:00:00Z")
    at = [start + pd.Timedelta(seconds=s) for s in (-90, 10, 50, 59, 200, 240, 30)]
    rows = pd.DataFrame({
        "webinar_id": ["w1"] * 6 + ["w2"],
        "at": at,
        "kind": ["chat", "chat", "chat", "question", "chat", "survey", "chat"],
        "text": ["Hola desde Lima", "¡Excelente!", "Muy aburrido", "¿Habrá grabación?", "Genial",
                 "Excelente", "Genial"],
    })
    now = start + pd.Timedelta(seconds=239)
    tl = feedback.live_timeline(rows, "w1", start, 60, now)
    assert tl["minute"].tolist() == [-2, 0, 1, 2, 3]
    assert tl["messages"].tolist() == [1, 3, 0, 0, 1]
    assert tl["questions"].tolist() == [0, 1, 0, 0, 0]
    want = feedback.sentiment(["¡Excelente!", "Muy aburrido", "¿Habrá grabación?"])["score"].mean()
    assert tl["mean_sentiment"].iloc[1] == pytest.approx(want)
    assert np.isnan(tl["mean_sentiment"].iloc[2])
    # Default now: the latest row of the webinar (the survey at 240 s is not live).
    assert feedback.live_timeline(rows, "w1", start, 60)["minute"].max() == 4
    assert feedback.live_timeline(rows, "w3", start, 60)["messages"].tolist() == [0]
    bad = rows.copy()
    bad.loc[2, "kind"] = "tweet"
    with pytest.raises(ValidationError) as e:
        feedback.live_timeline(bad, "w1", start, 60, now)
    assert (e.value.row, e.value.column) == (3, "kind")
    with pytest.raises(ParameterError):
        feedback.live_timeline(rows.drop(columns=["text"]), "w1", start, 60, now)


def test_sentiment_model_three_labels_types_and_errors():
    from edupulse.feedback import SentimentModel

    texts = [
        "me encantó la clase", "muy útil, gracias", "excelente explicación", "genial 👏",
        "no me gustó", "muy aburrido", "pésimo audio", "una pérdida de tiempo",
        "¿a qué hora empieza?", "¿dónde está el enlace?", "hola desde Lima", "¿se graba?",
    ]
    y = ["positive"] * 4 + ["negative"] * 4 + ["neutral"] * 4
    m = SentimentModel(calibration_folds=2).fit(pd.Series(texts), y)
    assert m.classes_.tolist() == ["negative", "neutral", "positive"]
    p = m.predict_proba(["me encantó, gracias", "no me gustó nada", "¿a qué hora es?"])
    assert p.shape == (3, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    assert m.predict(["me encantó, gracias", "no me gustó nada", "¿a qué hora es?"]).tolist() == [
        "positive", "negative", "neutral"
    ]
    # Integer labels keep their type and numeric order (10 after 2).
    codes = [10] * 4 + [2] * 4 + [7] * 4
    mi = SentimentModel(calibration_folds=0, lexicon=False).fit(texts, codes)
    assert mi.classes_.tolist() == [2, 7, 10] and mi.predict(texts).dtype.kind == "i"
    assert (mi.predict(texts) == np.asarray(codes)).mean() > 0.9
    with pytest.raises(edupulse.ParameterError) as err:
        SentimentModel().fit(texts, y[:5])
    assert err.value.parameter == "y"
    with pytest.raises(edupulse.ParameterError) as err:
        SentimentModel(hash_bits=30).fit(texts, y)
    assert err.value.parameter == "hash_bits"
    with pytest.raises(edupulse.ParameterError) as err:
        SentimentModel(l2=-1.0).fit(texts, y)
    assert err.value.parameter == "l2"
    with pytest.raises(edupulse.ParameterError) as err:
        SentimentModel(char_ngrams=(3, 2)).fit(texts, y)
    assert err.value.parameter == "char_ngrams"
    with pytest.raises(edupulse.ParameterError):
        SentimentModel().fit(texts[:11] + [None], y)
    with pytest.raises(edupulse.ParameterError):
        SentimentModel().fit(texts, ["a"] * 12)
