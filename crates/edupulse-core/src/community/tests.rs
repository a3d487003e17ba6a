use super::*;

/// Two planted groups: s0..s15 attend w0..w3 (each all but one), s15..s30 attend w4..w7.
fn planted() -> (Vec<Interaction>, Vec<UserSegment>) {
    let mut xs = Vec::new();
    let mut segs = Vec::new();
    for u in 0..30 {
        let base = if u < 15 { 0 } else { 4 };
        for i in base..base + 4 {
            if i != base + u % 4 {
                xs.push(Interaction::new(&format!("s{u}"), &format!("w{i}"), 1.0));
            }
        }
        let (role, ind) = if u < 15 {
            ("developer", "salud")
        } else {
            ("director", "retail")
        };
        segs.push(UserSegment {
            user_id: format!("s{u}"),
            role: role.into(),
            industry: ind.into(),
        });
    }
    (xs, segs)
}

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn als_recommends_the_held_out_item_with_neighbour_reasons() {
    let (xs, segs) = planted();
    let params = RecommenderParams {
        factors: 4,
        ..RecommenderParams::default()
    };
    let rec = Recommender::fit(&xs, &segs, &params).unwrap();
    let out = rec.recommend(&ids(&["s1", "s20"]), 1, true, None).unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!((out[0].item_id.as_str(), out[0].rank), ("w1", 1));
    assert_eq!(out[1].item_id, "w4");
    let Reason::Similar { items } = &out[0].reason else {
        panic!("{:?}", out[0].reason)
    };
    assert!(items
        .iter()
        .all(|i| ["w0", "w2", "w3"].contains(&i.as_str())));
    assert!(out[0].reason.text_es().starts_with("parecido a: "));
    // Seen items never come back; k larger than the unseen set is topped up by nothing seen.
    let all = rec.recommend(&ids(&["s1"]), 8, true, None).unwrap();
    assert_eq!(all.len(), 5);
    assert!(all
        .iter()
        .all(|r| !["w0", "w2", "w3"].contains(&r.item_id.as_str())));
    // Pickle-like round trip.
    let back: Recommender = serde_json::from_str(&serde_json::to_string(&rec).unwrap()).unwrap();
    assert_eq!(
        back.recommend(&ids(&["s1"]), 3, true, None).unwrap(),
        rec.recommend(&ids(&["s1"]), 3, true, None).unwrap()
    );
}

#[test]
fn unknown_users_get_segment_popularity_flagged() {
    let (xs, mut segs) = planted();
    segs.push(UserSegment {
        user_id: "new".into(),
        role: "director".into(),
        industry: "retail".into(),
    });
    let rec = Recommender::fit(&xs, &segs, &RecommenderParams::default()).unwrap();
    let out = rec
        .recommend(&ids(&["new", "stranger"]), 2, true, None)
        .unwrap();
    assert_eq!(out.len(), 4);
    assert!(out.iter().all(|r| r.fallback));
    assert!(out[..2]
        .iter()
        .all(|r| ["w4", "w5", "w6", "w7"].contains(&r.item_id.as_str())));
    assert_eq!(out[0].reason.text_en(), "popular with director in retail");
    assert_eq!(out[2].reason, Reason::Popular);
}

#[test]
fn knn_tops_up_from_popularity_and_candidates_restrict() {
    let (xs, segs) = planted();
    let params = RecommenderParams {
        model: RecommenderModel::ItemKnn,
        ..RecommenderParams::default()
    };
    let rec = Recommender::fit(&xs, &segs, &params).unwrap();
    // s1's neighbourhood reaches only w1 (its block): the rest is popularity, flagged.
    let out = rec.recommend(&ids(&["s1"]), 3, true, None).unwrap();
    assert_eq!(out[0].item_id, "w1");
    assert!(!out[0].fallback);
    assert!(out[1..].iter().all(|r| r.fallback));
    let only = rec
        .recommend(&ids(&["s1"]), 3, true, Some(&ids(&["w6", "zzz"])))
        .unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0].item_id, "w6");
    let pop = Recommender::fit(
        &xs,
        &segs,
        &RecommenderParams {
            model: RecommenderModel::Popular,
            ..RecommenderParams::default()
        },
    )
    .unwrap();
    let p = pop.recommend(&ids(&["s20"]), 1, true, None).unwrap();
    assert!(!p[0].fallback);
    assert_eq!(p[0].reason.text_en(), "popular with director in retail");
}

#[test]
fn duplicates_are_summed_and_bad_input_is_named() {
    let xs = vec![
        Interaction::new("a", "x", 1.0),
        Interaction::new("a", "x", 2.0),
        Interaction::new("b", "y", 1.0),
    ];
    let p = RecommenderParams {
        model: RecommenderModel::ItemKnn,
        ..RecommenderParams::default()
    };
    let rec = Recommender::fit(&xs, &[], &p).unwrap();
    assert_eq!(rec.matrix().nnz(), 2);
    assert_eq!(rec.matrix().row(0).1, &[3.0]);
    let bad = vec![
        Interaction::new("a", "x", 1.0),
        Interaction::new("b", "y", -1.0),
    ];
    let e = Recommender::fit(&bad, &[], &p).unwrap_err();
    let loc = e.location().unwrap();
    assert_eq!(
        (loc.table.as_str(), loc.row, loc.column.as_deref()),
        ("interactions", Some(2), Some("weight"))
    );
    assert!(Recommender::fit(&[], &[], &p).is_err());
    assert!(rec.recommend(&ids(&["a"]), 0, true, None).is_err());
    let e: std::result::Result<RecommenderParams, _> = serde_json::from_str(r#"{"factor": 3}"#);
    assert!(e.is_err());
    assert!("nmf".parse::<RecommenderModel>().is_err());
}
