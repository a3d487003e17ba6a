"""edupulse.community.Recommender: planted blocks, reasons, fallback, bad input, pickling."""

import pickle

import pandas as pd
import pytest

import edupulse
from edupulse.community import Recommender


def _planted() -> pd.DataFrame:
    rows = []
    for u in range(30):
        base = 0 if u < 15 else 4
        for i in range(base, base + 4):
            if i != base + u % 4:
                rows.append((f"s{u}", f"w{i}", 1.0))
    return pd.DataFrame(rows, columns=["user_id", "item_id", "weight"])


def _segments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": [f"s{u}" for u in range(30)] + ["new"],
            "role": ["developer"] * 15 + ["director"] * 16,
            "industry": ["salud"] * 15 + ["retail"] * 16,
        }
    )


@pytest.mark.parametrize("model", ["als", "item_knn"])
def test_recommends_the_held_out_item_with_a_reason(model: str) -> None:
    rec = Recommender(model=model, factors=4).fit(_planted(), _segments())
    out = rec.recommend(["s1", "s20"], k=1)
    assert list(out.columns) == ["user_id", "item_id", "rank", "score", "reason", "reason_es", "fallback"]
    assert out["item_id"].tolist() == ["w1", "w4"]
    assert out["rank"].tolist() == [1, 1]
    assert out["reason"][0].startswith("similar to: w")
    assert not out["fallback"].any()
    seen = set(_planted().query("user_id == 's1'")["item_id"])
    assert not seen & set(rec.recommend("s1", k=8)["item_id"])
    assert rec.recommend("s1", k=3, exclude_seen=False, items=["w0"])["item_id"].tolist() == ["w0"]


def test_unknown_user_gets_flagged_segment_popularity_and_pickles() -> None:
    rec = Recommender().fit(_planted().drop(columns="weight"), _segments())
    out = rec.recommend(["new", "nobody"], k=2)
    assert out["fallback"].all()
    assert out["reason"][0] == "popular with director in retail"
    assert out["reason_es"][0] == "popular entre director de retail"
    assert out["reason"][2] == "popular overall"
    back = pickle.loads(pickle.dumps(rec))
    pd.testing.assert_frame_equal(back.recommend(["s3"], k=3), rec.recommend(["s3"], k=3))


def test_duplicates_summed_negative_weight_and_bad_params_are_named() -> None:
    df = pd.DataFrame({"user_id": ["a", "a", "b"], "item_id": ["x", "x", "y"], "weight": [1.0, 2.0, -1.0]})
    with pytest.raises(edupulse.ValidationError) as e:
        Recommender(model="popular").fit(df)
    assert e.value.row == 3 and e.value.column == "weight"
    with pytest.raises(edupulse.ParameterError):
        Recommender(model="nmf").fit(df.iloc[:2])
    with pytest.raises(edupulse.ParameterError):
        Recommender(factors=0).fit(df.iloc[:2])
    rec = Recommender(model="popular").fit(df.iloc[:2])
    assert rec.n_users_ == 1 and rec.n_items_ == 1
