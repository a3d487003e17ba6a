"""edupulse.content: segmentation of sentences and transcripts, bad input by name."""

import json
import pathlib

import pandas as pd
import pytest

from edupulse import content
from edupulse.exceptions import ParameterError, ValidationError

ROOT = pathlib.Path(__file__).resolve().parents[3]
BENCH = ROOT / "crates/edupulse-core/testdata/content/choi_pydoc_test.jsonl"

CATS = [
    "The cat chased the mouse around the kitchen.",
    "A cat likes to chase every mouse it sees.",
    "The mouse hid from the cat under the kitchen table.",
    "Cats and mice have fought in kitchens for centuries.",
]
RATES = [
    "Interest rates rose at the central bank today.",
    "The bank raised rates to fight inflation.",
    "Higher interest rates slow inflation and lending.",
    "Central bank policy moves interest rates and markets.",
]
FUNCS = [
    "Las funciones de Python reciben argumentos.",
    "Una función devuelve un valor con return.",
    "Los argumentos de una función pueden tener valores por defecto.",
    "Definimos funciones con def y argumentos.",
]


def test_segment_text_finds_topics_in_english_and_spanish():
    assert content.segment_text(CATS + RATES + FUNCS) == [4, 8]
    assert content.segment_text(CATS + RATES + FUNCS, n_segments=2) in ([4], [8])
    assert content.segment_text(CATS + RATES + FUNCS, n_segments=1) == []
    assert content.segment_text(["only one"]) == []


def _pk(n, ref, hyp):
    k = max(1, round(n / (len(ref) + 1) / 2))

    def ids(b):
        out, s, bs = [], 0, set(b)
        for i in range(n):
            s += i in bs
            out.append(s)
        return out

    r, h = ids(ref), ids(hyp)
    return sum((r[i] == r[i + k]) != (h[i] == h[i + k]) for i in range(n - k)) / (n - k)


def test_benchmark_pk_matches_the_rust_measure():
    rows = [json.loads(line) for line in BENCH.read_text().splitlines()[:40]]
    pks = [_pk(len(r["sentences"]), r["boundaries"], content.segment_text(r["sentences"])) for r in rows]
    none = [_pk(len(r["sentences"]), r["boundaries"], []) for r in rows]
    assert sum(pks) / len(pks) < 0.2 < sum(none) / len(none)


def _transcript(cid):
    topics = [CATS, RATES, FUNCS]
    rows, t = [], 0.0
    for topic in topics:
        for k in range(84):
            rows.append({"content_id": cid, "start_s": t, "end_s": t + 5.0, "text": topic[k % 4]})
            t += 5.0
    return rows


def test_segment_transcript_lessons():
    df = pd.DataFrame(_transcript("b") + _transcript("a"))
    out = content.segment_transcript(df)
    assert list(out.columns) == ["content_id", "lesson", "start_s", "end_s", "title", "key_terms"]
    a = out[out.content_id == "a"]
    assert a.start_s.tolist() == [0.0, 420.0, 840.0]
    assert a.lesson.tolist() == [1, 2, 3]
    assert all(isinstance(k, list) and k for k in out.key_terms)
    assert ((out.end_s - out.start_s) <= 600).all()
    # Bounds in minutes move the lessons.
    short = content.segment_transcript(df, min_minutes=1.0, max_minutes=3.0)
    assert ((short.end_s - short.start_s) <= 180).all()


def test_bad_input_is_named():
    with pytest.raises(ParameterError) as e:
        content.segment_text("not a list")
    assert e.value.parameter == "sentences"
    with pytest.raises(ParameterError) as e:
        content.segment_text(CATS, n_segments=0)
    assert e.value.parameter == "n_segments"
    with pytest.raises(ParameterError) as e:
        content.segment_text(CATS, n_segments=3)
    assert e.value.parameter == "n_segments"
    with pytest.raises(ValidationError) as e:
        content.segment_transcript(pd.DataFrame(columns=["content_id", "start_s", "end_s", "text"]))
    assert e.value.table == "transcript_segments"
    rows = _transcript("a")
    rows[3]["end_s"] = rows[3]["start_s"] - 2
    with pytest.raises(ValidationError) as e:
        content.segment_transcript(pd.DataFrame(rows))
    assert (e.value.row, e.value.column) == (4, "end_s")
    with pytest.raises(ParameterError) as e:
        content.segment_transcript(pd.DataFrame({"content_id": ["a"]}))
    assert e.value.parameter == "segments_df"
    with pytest.raises(ParameterError) as e:
        content.segment_transcript(pd.DataFrame(_transcript("a")), max_minutes="10")
    assert e.value.parameter == "max_minutes"


def _learning_tables(prerequisites=("", "vars")):
    at = pd.to_datetime(
        ["2024-01-01T09:00Z", "2024-01-04T09:00Z", "2024-01-04T09:00Z",
         "2024-01-01T09:00Z", "2024-01-05T09:00Z"], utc=True)
    return {
        "concepts": pd.DataFrame({"concept_id": ["vars", "funcs"], "name": ["Variables", "Funciones"],
                                  "prerequisite_ids": list(prerequisites)}),
        "card_concepts": pd.DataFrame({"card_id": ["v1", "f1"], "concept_id": ["vars", "funcs"]}),
        "reviews": pd.DataFrame({"student_id": ["ana", "ana", "ana", "ben", "ben"],
                                 "card_id": ["v1", "v1", "f1", "v1", "v1"], "at": at,
                                 "rating": [3, 3, 1, 4, 4]}),
    }


def test_mastery_and_next_steps_from_tables():
    t = _learning_tables()
    m = content.mastery(t, as_of="2024-01-06")
    assert list(m.columns) == ["student_id", "concept_id", "mastery", "cards_studied",
                               "cards_due", "quizzes_taken", "difficult"]
    assert str(m["mastery"].dtype) == "float64" and str(m["cards_studied"].dtype) == "int64"
    ana = m.set_index(["student_id", "concept_id"])
    assert ana.loc[("ana", "funcs"), "difficult"] and not ana.loc[("ana", "vars"), "difficult"]
    assert 0.0 <= ana.loc[("ana", "funcs"), "mastery"] < ana.loc[("ana", "vars"), "mastery"] <= 1.0
    # ben never saw a funcs card: no row for it
    assert ("ben", "funcs") not in ana.index
    s = content.next_steps(t, as_of="2024-01-06").set_index("student_id")
    assert (s.loc["ana", "concept_id"], s.loc["ana", "reason"]) == ("funcs", "lowest_mastery")
    assert (s.loc["ben", "concept_id"], s.loc["ben", "reason"]) == ("funcs", "new_concept")
    assert s.loc["ben", "concept_name"] == "Funciones"
    # default as_of: the latest review; later as_of: lower retrievability
    later = content.mastery(t, as_of="2024-03-01").set_index(["student_id", "concept_id"])
    assert later.loc[("ana", "vars"), "mastery"] < ana.loc[("ana", "vars"), "mastery"]
    assert len(content.mastery(t)) == len(m)
    # without concepts: empty frames with the columns
    empty = content.next_steps({"reviews": t["reviews"]})
    assert empty.empty and "reason" in empty.columns


def test_mastery_bad_input_is_named():
    with pytest.raises(ValidationError, match=r"prerequisite cycle: funcs → vars → funcs"):
        content.mastery(_learning_tables(prerequisites=("funcs", "vars")))
    t = _learning_tables()
    t["card_concepts"] = pd.DataFrame({"card_id": ["v1"], "concept_id": ["nope"]})
    with pytest.raises(ValidationError, match="unknown concept nope"):
        content.next_steps(t)
    with pytest.raises(ParameterError, match="as_of"):
        content.mastery(_learning_tables(), as_of="not a date")
    t = _learning_tables()
    t["quiz_results"] = pd.DataFrame({"student_id": ["ana"], "quiz_id": ["q1"], "concept_id": ["zz"],
                                      "at": pd.to_datetime(["2024-01-05"], utc=True), "score": [1.0]})
    with pytest.raises(ValidationError, match="unknown concept zz") as e:
        content.mastery(t, as_of="2024-01-06")
    assert (e.value.table, e.value.row, e.value.column) == ("quiz_results", 1, "concept_id")


def test_quiz_results_count_in_mastery_latest_attempt_only():
    t = _learning_tables()
    before = content.mastery(t, as_of="2024-01-06").set_index(["student_id", "concept_id"])
    # ben takes the funcs quiz twice (0.2, then 1.0): only the latest counts; funcs is now studied.
    t["quiz_results"] = pd.DataFrame({
        "student_id": ["ben", "ben"], "quiz_id": ["q1", "q1"], "concept_id": ["funcs", "funcs"],
        "at": pd.to_datetime(["2024-01-02", "2024-01-05"], utc=True), "score": [0.2, 1.0]})
    m = content.mastery(t, as_of="2024-01-06").set_index(["student_id", "concept_id"])
    assert ("ben", "funcs") not in before.index
    row = m.loc[("ben", "funcs")]
    # one funcs card never reviewed (0) and one quiz at 1.0
    assert row["mastery"] == pytest.approx(0.5) and row["quizzes_taken"] == 1
    # as of before the second attempt: the first one (0.2)
    early = content.mastery(t, as_of="2024-01-03").set_index(["student_id", "concept_id"])
    assert early.loc[("ben", "funcs"), "mastery"] == pytest.approx(0.1)
