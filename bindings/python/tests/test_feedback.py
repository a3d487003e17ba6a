"""edupulse.feedback: Spanish sentiment and per-webinar outcomes, bad input by name."""

import json
import os
import pickle
import shutil
import subprocess
from pathlib import Path
from typing import Optional

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


_DATA = Path(__file__).parent / "data"
_TRAIN = [
    ("me encantó la clase", "pos"), ("muy útil, gracias", "pos"), ("excelente explicación", "pos"),
    ("genial, aprendí mucho", "pos"), ("no me gustó", "neg"), ("muy aburrido", "neg"),
    ("pésimo audio", "neg"), ("una pérdida de tiempo", "neg"),
]
_SCORE = ["me encantó, gracias", "fue aburrido", "hola", "pésimo, no me gustó nada"]


def test_sentiment_model_save_and_load_round_trip(tmp_path):
    from edupulse.feedback import SentimentModel

    texts, y = zip(*_TRAIN)
    m = SentimentModel(hash_bits=12, char_ngrams=(2, 4), l2=0.01).fit(list(texts), list(y))
    path = tmp_path / "model.json"
    m.save(path)
    # The CLI's format: the serde JSON of the Rust model, with the label names as classes.
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert set(doc) == {"params", "classes", "model"}
    assert doc["classes"] == ["neg", "pos"] and doc["params"]["hash_bits"] == 12
    back = SentimentModel.load(str(path))
    assert back.classes_.tolist() == ["neg", "pos"]
    np.testing.assert_array_equal(back.predict_proba(_SCORE), m.predict_proba(_SCORE))
    assert back.get_params() == m.get_params()
    # A loaded model pickles and refits like any other.
    again = pickle.loads(pickle.dumps(back))
    np.testing.assert_array_equal(again.predict_proba(_SCORE), m.predict_proba(_SCORE))
    # Integer labels are written as their text and come back as str.
    mi = SentimentModel(hash_bits=12, calibration_folds=0).fit(list(texts), [1, 1, 1, 1, 0, 0, 0, 0])
    mi.save(tmp_path / "int.json")
    assert SentimentModel.load(tmp_path / "int.json").predict(["me encantó"]).tolist() == ["1"]


def test_sentiment_model_files_that_are_not_models_are_named_errors(tmp_path):
    from edupulse.feedback import SentimentModel

    with pytest.raises(edupulse.EdupulseIOError) as err:
        SentimentModel.load(tmp_path / "missing.json")
    assert err.value.path == str(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"weights": 1}', encoding="utf-8")
    with pytest.raises(ValidationError) as verr:
        SentimentModel.load(bad)
    assert verr.value.file == str(bad) and verr.value.table == "sentiment_model"
    assert "not a sentiment model file" in str(verr.value)
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(ValidationError, match="not UTF-8"):
        SentimentModel.load(bad)
    # Weights that do not fit the classes: named, not a crash at predict time.
    texts, y = zip(*_TRAIN)
    SentimentModel(hash_bits=10).fit(list(texts), list(y)).save(bad)
    doc = json.loads(bad.read_text(encoding="utf-8"))
    doc["model"]["coef"] = doc["model"]["coef"][:3]
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValidationError) as verr:
        SentimentModel.load(bad)
    assert verr.value.column == "model.coef" and verr.value.file == str(bad)
    with pytest.raises(edupulse.EdupulseIOError):
        SentimentModel(hash_bits=10).fit(list(texts), list(y)).save(tmp_path / "no" / "dir.json")
    from edupulse.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SentimentModel().save(tmp_path / "unfitted.json")


def test_a_model_trained_by_the_cli_scores_the_same_in_python():
    """``data/cli_sentiment_model.json`` was written by ``edupulse sentiment train`` and
    ``data/cli_sentiment_scores.csv`` by ``edupulse sentiment --lines --model`` on it (see
    ``data/README.md``): Python reads the file and gives the CLI's probabilities."""
    from edupulse.feedback import SentimentModel

    m = SentimentModel.load(_DATA / "cli_sentiment_model.json")
    cli = pd.read_csv(_DATA / "cli_sentiment_scores.csv")
    texts = (_DATA / "sentiment_lines.txt").read_text(encoding="utf-8").splitlines()
    assert m.classes_.tolist() == ["neg", "pos"] and len(texts) == len(cli)
    p = m.predict_proba(texts)
    np.testing.assert_allclose(p, cli[["p_neg", "p_pos"]].to_numpy(), atol=1e-6)
    assert m.predict(texts).tolist() == cli["label"].tolist()


def _cli() -> Optional[str]:
    """The `edupulse` binary: $EDUPULSE_CLI, else on PATH."""
    env = os.environ.get("EDUPULSE_CLI")
    return env if env and os.path.isfile(env) else shutil.which("edupulse")


def test_python_and_cli_read_each_others_model_files_live(tmp_path):
    """With the CLI at hand ($EDUPULSE_CLI or PATH): a model saved here scores the same in the
    CLI, and one the CLI trains loads here."""
    from edupulse.feedback import SentimentModel

    cli = _cli()
    if cli is None:
        pytest.skip("no `edupulse` binary ($EDUPULSE_CLI or PATH); the fixtures test still ran")
    texts, y = zip(*_TRAIN)
    m = SentimentModel(hash_bits=12, l2=0.1, calibration_folds=0).fit(list(texts), list(y))
    m.save(tmp_path / "py.json")
    (tmp_path / "lines.txt").write_text("\n".join(_SCORE) + "\n", encoding="utf-8")
    out = subprocess.run(
        [cli, "sentiment", "--lines", str(tmp_path / "lines.txt"), "--model", str(tmp_path / "py.json"),
         "--out", str(tmp_path / "scores.csv")],
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    scores = pd.read_csv(tmp_path / "scores.csv")
    np.testing.assert_allclose(scores[["p_neg", "p_pos"]].to_numpy(), m.predict_proba(_SCORE), atol=1e-6)
    pd.DataFrame({"text": texts, "label": y}).to_csv(tmp_path / "train.csv", index=False)
    out = subprocess.run(
        [cli, "sentiment", "train", "--labels", str(tmp_path / "train.csv"), "--text-column", "text",
         "--label-column", "label", "--out", str(tmp_path / "cli.json")],
        capture_output=True, text=True, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert SentimentModel.load(tmp_path / "cli.json").predict(["me encantó"]).tolist() == ["pos"]
