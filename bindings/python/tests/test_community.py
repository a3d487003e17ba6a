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
    # Duplicates are summed: each weight split over two rows gives the same ALS model and
    # scores (keeping one of the halves would halve the weights and change the scores).
    base = _planted().assign(weight=lambda d: 1.0 + (d.index % 3))
    split = pd.concat([base.assign(weight=base["weight"] / 2)] * 2, ignore_index=True)
    a = Recommender(factors=4, alpha=5.0).fit(base).recommend(["s1", "s20"], k=3)
    b = Recommender(factors=4, alpha=5.0).fit(split).recommend(["s1", "s20"], k=3)
    pd.testing.assert_frame_equal(a, b)
    half = Recommender(factors=4, alpha=5.0).fit(split.iloc[: len(base)]).recommend(["s1", "s20"], k=3)
    assert not half["score"].equals(a["score"])


# --- gamification, matching and upcoming webinars (the community step's tables, one at a time)


@pytest.fixture(scope="module")
def biz():
    return edupulse.simulate(students=120, seed=7)


def _as_of(biz) -> pd.Timestamp:
    return biz["webinars"]["starts_at"].max() - pd.Timedelta(days=45)


def test_points_badges_and_leaderboards(biz) -> None:
    from edupulse.community import badges, community_kpi, leaderboard, participation, points

    as_of = _as_of(biz)
    ledger = points(biz, as_of=as_of)
    assert list(ledger.columns) == ["event_key", "student_id", "at", "kind", "points"]
    assert ledger["event_key"].is_unique and (ledger["at"] <= as_of).all()
    want = {"webinar_attended": 10, "certificate": 50, "referral": 25, "post": 5, "comment": 5, "share": 15}
    assert all(want[k] == p for k, p in zip(ledger["kind"], ledger["points"]))
    # configurable, and a duplicated activity row earns nothing more
    dup = dict(biz, activity=pd.concat([biz["activity"], biz["activity"].head(50)], ignore_index=True))
    again = points(dup, as_of=as_of, params={"gamification": {"share": 20}})
    assert len(again) == len(ledger)
    assert set(again.loc[again["kind"] == "share", "points"]) <= {20}
    b = badges(biz, as_of=as_of)
    assert {"first_webinar"} <= set(b["badge"]) and b["dedupe_key"].is_unique
    month = leaderboard(biz, as_of=as_of)
    total = leaderboard(biz, as_of=as_of, period="all_time")
    assert (month["period"] == as_of.strftime("%Y-%m")).all() and (total["period"] == "all_time").all()
    top = ledger.groupby("student_id")["points"].sum().sort_values(ascending=False)
    assert total["points"].iloc[0] == top.iloc[0] and len(total) <= 100
    with pytest.raises(edupulse.ParameterError) as err:
        leaderboard(biz, period="year")
    assert err.value.parameter == "period"
    seg = participation(biz, as_of=as_of)
    kpi = community_kpi(biz, as_of=as_of)
    assert kpi["active_share"].iloc[0] == pytest.approx((seg["segment"] == "active").mean())
    assert kpi["target"].iloc[0] == 0.4


def test_mentor_pairs_groups_and_upcoming_webinars(biz) -> None:
    from edupulse.community import match_mentors, recommend_webinars, study_groups

    as_of = _as_of(biz)
    pairs = match_mentors(biz, as_of=as_of, capacity=2)
    assert len(pairs) > 0 and pairs["mentee_id"].is_unique
    assert pairs.groupby("mentor_id").size().max() <= 2
    assert pairs["reason"].str.len().min() > 0
    assert match_mentors(biz, as_of=as_of, capacity=2).equals(pairs)  # stable under reruns
    with pytest.raises(edupulse.ParameterError) as err:
        match_mentors(biz, as_of=as_of, capacity=0)
    assert err.value.parameter == "capacity"
    # Per-mentor capacity (the optional `mentors` table): the busiest mentor takes 1, the next
    # is paused (capacity 0), the third inactive; the others keep the default 2.
    busiest = pairs["mentor_id"].value_counts().index[:3].tolist()
    mentors = pd.DataFrame({"student_id": busiest, "capacity": [1, 0, 4], "active": [True, True, False]})
    capped = match_mentors({**biz, "mentors": mentors}, as_of=as_of, capacity=2)
    load = capped["mentor_id"].value_counts()
    assert load.get(busiest[0], 0) <= 1 and busiest[1] not in load and busiest[2] not in load
    assert load.max() <= 2 and capped["mentee_id"].is_unique
    for bad in [-1, 1.5]:
        with pytest.raises(edupulse.ValidationError) as verr:
            match_mentors({**biz, "mentors": mentors.assign(capacity=[1, bad, 4])}, as_of=as_of)
        assert (verr.value.table, verr.value.row, verr.value.column) == ("mentors", 2, "capacity")
    groups = study_groups(biz, as_of=as_of)
    assert groups.groupby("group_id").size().between(4, 6).all()
    with pytest.raises(edupulse.ParameterError) as err:
        study_groups(biz, as_of=as_of, min_size=500, max_size=600)
    assert err.value.parameter == "min_size"
    recs = recommend_webinars(biz, as_of=as_of, k=2)
    assert len(recs) > 0 and recs["rank"].between(1, 2).all()
    assert ((recs["starts_at"] > as_of) & (recs["starts_at"] <= as_of + pd.Timedelta(days=30))).all()
    reg = biz["registrations"]
    seen = set(zip(reg.loc[reg["registered_at"] <= as_of, "person_id"], reg.loc[reg["registered_at"] <= as_of, "webinar_id"]))
    assert not any((s, w) in seen for s, w in zip(recs["student_id"], recs["webinar_id"]))
