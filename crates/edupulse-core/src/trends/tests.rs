use super::*;
use crate::simulate::{simulate_with_truth, KeywordPattern, SimConfig};
use chrono::{Datelike, Days};

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
    let n_kw = a.rows::<KeywordTrend>().unwrap().len();
    assert_eq!(n_kw, 14);
    assert_eq!(a.rows::<step::MetricAnomaly>().unwrap().len(), 5);
    let keys = |o: &crate::job::StepOutput| {
        o.notifications
            .iter()
            .map(|n| n.dedupe_key.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&a), keys(&b));
    let set = a
        .results
        .iter()
        .find(|r| r.spec.name == step::TABLE)
        .unwrap();
    for (i, t) in set.decode::<KeywordTrend>().unwrap().iter().enumerate() {
        assert_eq!(t.keyword, set.key_of(i));
    }
}

/// A steady exponential rise of `weekly` per week over `days` days, with deterministic ±5 % noise
/// and a weekday pattern.
fn slow_rise(days: u64, flat_days: u64, weekly: f64) -> Vec<(NaiveDate, f64)> {
    let start = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
    let mut s: u64 = 99;
    (0..days)
        .map(|d| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            let t = d.saturating_sub(flat_days) as f64 / 7.0;
            let wd = if d % 7 >= 5 { 0.8 } else { 1.05 };
            (
                start + Days::new(d),
                30.0 * (1.0 + weekly).powf(t) * wd * (1.0 + 0.1 * u),
            )
        })
        .collect()
}

#[test]
fn slow_sustained_rise_missed_by_growth_rule_is_caught_by_cusum() {
    let det = TrendDetector::default();
    let no_cusum = TrendDetector::new(TrendParams {
        cusum_h: 1e9,
        ..TrendParams::default()
    })
    .unwrap();
    // A steady +1.5 %/week over the whole year: the week-over-baseline growth stays near +10 %.
    let pts = slow_rise(364, 0, 0.015);
    let as_of = pts.last().unwrap().0;
    let r = det.detect("slow", &pts, as_of).unwrap();
    assert!(!r.growth_rule && r.growth.unwrap() < 0.25, "{r:#?}");
    assert_eq!(r.decision, Decision::Rising, "{r:#?}");
    assert!(
        r.change_points.is_empty() && r.cusum_start.is_some(),
        "{r:#?}"
    );
    // The CUSUM is the deciding vote: without it (no alarm possible) the rise is missed.
    assert_eq!(
        no_cusum.detect("slow", &pts, as_of).unwrap().decision,
        Decision::Stable
    );
    // Its alarm is months old: reported, not alerted.
    assert!(r.alert.is_none(), "{r:#?}");
    // The mirror image is falling; scaling changes nothing.
    let down: Vec<_> = pts.iter().map(|(d, v)| (*d, 1000.0 / v)).collect();
    assert_eq!(
        det.detect("d", &down, as_of).unwrap().decision,
        Decision::Falling
    );
    let scaled: Vec<_> = pts.iter().map(|(d, v)| (*d, 0.37 * v)).collect();
    let rs = det.detect("slow", &scaled, as_of).unwrap();
    assert_eq!((rs.decision, rs.cusum_start), (r.decision, r.cusum_start));
}

#[test]
fn gradual_rise_after_a_flat_half_alerts_once() {
    // Flat for 26 weeks, then +2.5 %/week: the growth rule never fires; the daily runs through
    // the rise decide `rising` and alert under one episode key.
    let det = TrendDetector::default();
    let pts = slow_rise(364, 182, 0.025);
    let mut keys = std::collections::BTreeSet::new();
    let mut rising_from = None;
    for day in 182..364 {
        let as_of = pts[day].0;
        let r = det.detect("g", &pts, as_of).unwrap();
        assert!(!r.growth_rule, "{as_of}: {r:#?}");
        if r.decision == Decision::Rising {
            rising_from.get_or_insert(day);
        }
        if let Some(e) = &r.episode {
            if r.alert.is_some() {
                keys.insert(e.clone());
            }
        }
    }
    // `min_rise` (+50 % between the first and last 6 weeks' medians) is reached about 16.4 weeks
    // into the rise, and the last-6-week median lags 3 weeks behind.
    assert!(
        rising_from.is_some_and(|d| d <= 182 + 21 * 7),
        "{rising_from:?}"
    );
    // One alert key: the ISO week where the rise really began (Page's CUSUM estimate).
    let w = pts[182].0.iso_week();
    let want = format!("{}-W{:02}", w.year(), w.week());
    assert_eq!(keys.into_iter().collect::<Vec<_>>(), vec![want]);
}

#[test]
fn simulated_breakout_queries_alert_once_from_their_first_report() {
    use crate::job::Step;
    let (tables, truth, _) = sim(365, 42);
    let step = step::TrendsStep::default();
    let with_breakout: Vec<_> = truth
        .keywords
        .iter()
        .filter(|k| k.breakout_query.is_some())
        .collect();
    assert!(!with_breakout.is_empty());
    let at = |d: NaiveDate| d.and_hms_opt(23, 0, 0).unwrap().and_utc();
    for k in with_breakout {
        let (q, day) = (k.breakout_query.clone().unwrap(), k.breakout_date.unwrap());
        let key = format!("related:breakout:{}:{q}", k.keyword);
        let keys_on = |d: NaiveDate| {
            let o = step.run(&tables, at(d)).unwrap();
            let rows: Vec<related::EmergingQuery> = o.rows().unwrap();
            let keys: Vec<String> = o
                .notifications
                .iter()
                .map(|n| n.dedupe_key.clone())
                .collect();
            (rows, keys)
        };
        let (before_rows, before) = keys_on(day - Days::new(1));
        assert!(!before.contains(&key), "{key} before {day}");
        assert!(before_rows.iter().all(|r| r.related != q));
        for d in [day, day + Days::new(8), day + Days::new(15)] {
            let (rows, keys) = keys_on(d);
            assert!(keys.contains(&key), "{key} on {d}: {keys:?}");
            let row = rows.iter().find(|r| r.related == q).unwrap();
            assert_eq!(row.class, Emergence::Breakout);
        }
        // A month later it is only rising: reported, no alert.
        let (rows, keys) = keys_on(day + Days::new(35));
        assert!(!keys.contains(&key));
        assert_eq!(
            rows.iter().find(|r| r.related == q).map(|r| r.class),
            Some(Emergence::Rising)
        );
    }
}

#[test]
fn detect_grouped_matches_detect_keywords_on_any_thread_count() {
    let (tables, _, end) = sim(365, 7);
    let det = TrendDetector::default();
    let want = detect_keywords(&tables.keyword_interest, end, &det).unwrap();
    // Long columns in reverse order, keyword codes in order of appearance.
    let mut names: Vec<String> = Vec::new();
    let (mut codes, mut days, mut vols) = (Vec::new(), Vec::new(), Vec::new());
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    for r in tables.keyword_interest.iter().rev() {
        let name = series_name(r);
        let code = match names.iter().position(|n| *n == name) {
            Some(c) => c,
            None => {
                names.push(name);
                names.len() - 1
            }
        };
        codes.push(code as i64);
        days.push((r.date - epoch).num_days());
        vols.push(r.volume);
    }
    for threads in [1, 2, 5] {
        let got = detect_grouped(&names, &codes, &days, &vols, None, &det, threads).unwrap();
        assert_eq!(got, want, "threads {threads}");
    }
    // Bad codes and ragged columns are named errors.
    let mut bad = codes.clone();
    bad[3] = -1;
    match detect_grouped(&names, &bad, &days, &vols, None, &det, 2) {
        Err(crate::CoreError::InvalidParameter { name, .. }) => assert_eq!(name, "keyword"),
        other => panic!("{other:?}"),
    }
    assert!(detect_grouped(&names, &codes, &days[1..], &vols, None, &det, 2).is_err());
    assert!(detect_grouped(&names, &[], &[], &[], None, &det, 2)
        .unwrap()
        .iter()
        .all(|t| t.n_points == 0));
}

#[test]
fn cusum_vote_adds_no_false_rises_in_the_first_year() {
    // Weekly runs through the first year of simulated histories (no year-over-year
    // deseasonalising possible): the CUSUM vote leaves the seasonal and flat keywords' decisions
    // and alerts as they were without it, and finds at least as many of the true rises.
    let off = TrendDetector::new(TrendParams {
        cusum_h: 1e9,
        ..TrendParams::default()
    })
    .unwrap();
    let on = TrendDetector::default();
    let mut runs = 0;
    for seed in [1u64, 3] {
        let (tables, truth, end) = sim(365, seed);
        for back in (0..220).step_by(7) {
            let as_of = end.checked_sub_days(Days::new(back)).unwrap();
            let a = detect_keywords(&tables.keyword_interest, as_of, &off).unwrap();
            let b = detect_keywords(&tables.keyword_interest, as_of, &on).unwrap();
            for (x, y) in a.iter().zip(&b) {
                let kw = x.keyword.trim_end_matches(" [ES]");
                let rising = |t: &KeywordTrend| t.decision == Decision::Rising;
                if truth.keyword(kw).unwrap().pattern == KeywordPattern::Rising {
                    assert!(rising(y) || !rising(x), "{as_of}: {y:#?}");
                } else {
                    runs += 1;
                    assert_eq!(
                        (x.decision, x.alert),
                        (y.decision, y.alert),
                        "{as_of}: {y:#?}"
                    );
                }
            }
        }
    }
    assert!(runs > 400);
}

#[test]
fn a_run_dated_before_or_at_the_start_of_the_data_succeeds_without_alerts() {
    use crate::job::Step;
    let (tables, _, _) = sim(120, 42);
    let first = tables
        .keyword_interest
        .iter()
        .map(|r| r.date)
        .min()
        .unwrap();
    let step = step::TrendsStep::default();
    // Up to the anomaly detector's warm-up (14 days): too little history to alert on anything.
    for back in (-3i64..14).chain([-30]) {
        let day = first + chrono::Duration::days(back);
        let at = day.and_hms_opt(23, 0, 0).unwrap().and_utc();
        let out = step
            .run(&tables, at)
            .unwrap_or_else(|e| panic!("as_of {day}: {e}"));
        assert!(
            out.notifications.is_empty(),
            "as_of {day}: no history, yet alerts {:?}",
            out.notifications
                .iter()
                .map(|n| &n.dedupe_key)
                .collect::<Vec<_>>()
        );
    }
}
