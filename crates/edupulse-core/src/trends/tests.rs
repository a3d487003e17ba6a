use super::*;
use crate::simulate::{simulate_with_truth, KeywordPattern, SimConfig};
use chrono::Days;

fn sim(
    days: u32,
    seed: u64,
) -> (
    crate::model::Tables,
    crate::simulate::GroundTruth,
    NaiveDate,
) {
    let cfg = SimConfig {
        students: 30,
        seed,
        days,
        ..SimConfig::default()
    };
    let (t, truth) = simulate_with_truth(&cfg).unwrap();
    let end = cfg
        .start
        .checked_add_days(Days::new(u64::from(days) - 1))
        .unwrap();
    (t, truth, end)
}

#[test]
fn simulator_truth_rising_flagged_seasonal_not_alerted() {
    for seed in [42, 7, 2024] {
        let (tables, truth, end) = sim(365, seed);
        let det = TrendDetector::default();
        let res = detect_keywords(&tables.keyword_interest, end, &det).unwrap();
        for r in &res {
            let kw = r.keyword.trim_end_matches(" [ES]");
            let t = truth.keyword(kw).unwrap();
            match t.pattern {
                KeywordPattern::Rising => {
                    assert_eq!(r.decision, Decision::Rising, "seed {seed}: {r:#?}")
                }
                _ => {
                    assert_ne!(r.decision, Decision::Rising, "seed {seed}: {r:#?}");
                    assert!(r.alert.is_none(), "seed {seed}: {r:#?}");
                }
            }
        }
    }
}

#[test]
fn seasonal_keywords_never_alert_over_the_year() {
    // Run the job day by day (every 10 days) through the second year of a two-year history.
    let (tables, truth, end) = sim(730, 11);
    let det = TrendDetector::default();
    for back in (0..300).step_by(10) {
        let as_of = end.checked_sub_days(Days::new(back)).unwrap();
        for r in detect_keywords(&tables.keyword_interest, as_of, &det).unwrap() {
            let kw = r.keyword.trim_end_matches(" [ES]");
            if truth.keyword(kw).unwrap().pattern == KeywordPattern::Seasonal {
                assert!(r.alert.is_none(), "{as_of}: {r:#?}");
            }
        }
    }
}

#[test]
fn rise_alerts_once_per_episode_with_a_stable_key() {
    // A keyword that doubles and stays: the daily runs after the rise share one episode key.
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let pts: Vec<(NaiveDate, f64)> = (0..300)
        .map(|d| {
            let wobble = ((d * 7919) % 17) as f64 / 17.0 - 0.5;
            let level = if d >= 240 { 60.0 } else { 25.0 };
            (start + Days::new(d), level * (1.0 + 0.1 * wobble))
        })
        .collect();
    let det = TrendDetector::default();
    let mut keys = std::collections::BTreeSet::new();
    let mut alerts = 0;
    let mut first_alert = None;
    for day in 236..300 {
        let as_of = start + Days::new(day);
        let r = det.detect("k", &pts, as_of).unwrap();
        if day >= 243 {
            assert_eq!(r.decision, Decision::Rising, "{as_of}");
        }
        if r.alert.is_some() {
            alerts += 1;
            first_alert.get_or_insert(day);
            keys.insert(r.episode.clone().unwrap());
        }
    }
    // Detected within 3 days of the rise, alerted under one key only.
    assert!(first_alert.is_some_and(|d| d <= 243), "{first_alert:?}");
    assert!(alerts >= 3, "{alerts}");
    assert_eq!(keys.len(), 1, "{keys:?}");
}

#[test]
fn scale_invariance_and_constant_series() {
    let (tables, _, end) = sim(365, 42);
    let det = TrendDetector::default();
    let a = detect_keywords(&tables.keyword_interest, end, &det).unwrap();
    let mut scaled = tables.keyword_interest.clone();
    for r in &mut scaled {
        r.volume *= 37.0;
    }
    let b = detect_keywords(&scaled, end, &det).unwrap();
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.decision, y.decision);
        assert_eq!(x.alert, y.alert);
        assert_eq!(x.episode, y.episode);
    }
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    for c in [0.0, 1.0, 55.0] {
        let pts: Vec<_> = (0..400).map(|d| (start + Days::new(d), c)).collect();
        let r = det.detect("c", &pts, start + Days::new(399)).unwrap();
        assert!(r.alert.is_none());
        assert_ne!(r.decision, Decision::Rising);
    }
}

#[test]
fn bad_input_is_defined() {
    let det = TrendDetector::default();
    let d0 = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    // Negative volume: a named error.
    match det.detect("k", &[(d0, -1.0)], d0) {
        Err(crate::CoreError::InvalidParameter { name, .. }) => assert_eq!(name, "volume"),
        other => panic!("{other:?}"),
    }
    // Empty, short, NaN-only, unsorted with duplicates: no panic, defined results.
    let r = det.detect("k", &[], d0).unwrap();
    assert_eq!(r.decision, Decision::InsufficientData);
    let r = det.detect("k", &[(d0, f64::NAN)], d0).unwrap();
    assert_eq!(r.n_points, 0);
    let mut pts: Vec<_> = (0..200)
        .map(|d| (d0 + Days::new(d), 10.0 + (d % 3) as f64))
        .collect();
    pts.reverse();
    pts.push((d0, 100.0));
    pts.push((d0 + Days::new(50), f64::NAN));
    let r = det.detect("k", &pts, d0 + Days::new(199)).unwrap();
    assert_eq!(r.n_points, 200);
    assert!(r.robust_z.is_finite() && r.p_value.is_finite());
    assert!(TrendDetector::new(TrendParams {
        z_high: 0.1,
        ..TrendParams::default()
    })
    .is_err());
}

#[test]
fn step_writes_rows_and_stable_alert_keys() {
    use crate::job::Step;
    let (tables, _, end) = sim(365, 42);
    let step = step::TrendsStep::default();
    let as_of = end.and_hms_opt(23, 59, 59).unwrap().and_utc();
    let a = step.run(&tables, as_of).unwrap();
    let b = step.run(&tables, as_of).unwrap();
    let n_kw = a.results.iter().filter(|r| r.table == step::TABLE).count();
    assert_eq!(n_kw, 14);
    assert_eq!(
        a.results
            .iter()
            .filter(|r| r.table == step::METRICS_TABLE)
            .count(),
        4
    );
    let keys = |o: &crate::job::StepOutput| {
        o.notifications
            .iter()
            .map(|n| n.dedupe_key.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&a), keys(&b));
    for r in a.results.iter().filter(|r| r.table == step::TABLE) {
        let t: KeywordTrend = serde_json::from_value(r.data.clone()).unwrap();
        assert_eq!(t.keyword, r.key);
    }
}
