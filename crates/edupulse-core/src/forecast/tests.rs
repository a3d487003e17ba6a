use super::model::local_volatility;
use super::*;
use crate::error::CoreError;
use chrono::{Duration, NaiveDate};

fn d0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 6).unwrap()
}

/// Weekly pattern + slow trend + deterministic noise.
fn weekly(n: usize) -> Vec<(NaiveDate, f64)> {
    (0..n)
        .map(|i| {
            let wk = [5.0, 6.0, 7.0, 6.0, 4.0, 1.0, 0.5][i % 7];
            let noise = ((i * 7919) % 13) as f64 / 13.0 - 0.5;
            (
                d0() + Duration::days(i as i64),
                20.0 + 0.02 * i as f64 + wk + noise,
            )
        })
        .collect()
}

fn small() -> ForecasterParams {
    ForecasterParams {
        horizon: 14,
        calibration_origins: 6,
        gbdt: crate::learn::GbdtParams {
            max_iter: 60,
            ..ForecasterParams::default().gbdt
        },
        ..ForecasterParams::default()
    }
}

#[test]
fn gaps_are_filled_or_named() {
    let mut pts = weekly(30);
    pts.remove(10);
    let s = daily_series(&pts, GapPolicy::Interpolate).unwrap();
    assert_eq!((s.values.len(), s.filled), (30, 1));
    let (a, b) = (pts[9].1, pts[10].1);
    assert!((s.values[10] - 0.5 * (a + b)).abs() < 1e-12);
    assert_eq!(daily_series(&pts, GapPolicy::Zero).unwrap().values[10], 0.0);
    let e = daily_series(&pts, GapPolicy::Error).unwrap_err();
    assert!(e.to_string().contains("missing date"), "{e}");
}

#[test]
fn duplicate_dates_are_named_errors() {
    let mut pts = weekly(20);
    pts.push((pts[3].0, 1.0));
    let e = daily_series(&pts, GapPolicy::Interpolate).unwrap_err();
    let loc = e.location().unwrap();
    assert_eq!((loc.row, loc.column.as_deref()), (Some(21), Some("date")));
    let mut nan = weekly(20);
    nan[2].1 = f64::NAN;
    assert!(matches!(
        daily_series(&nan, GapPolicy::Zero),
        Err(CoreError::Validation { .. })
    ));
}

#[test]
fn short_history_falls_back_and_says_so() {
    let f = Forecaster::fit(&weekly(10), &small()).unwrap();
    assert_eq!(f.chosen, Candidate::Naive);
    assert!(f.notes.iter().any(|n| n.contains("two seasons")));
    let p = f.predict();
    assert_eq!(p.len(), 14);
    assert!(p[13].bands[0].hi - p[13].bands[0].lo > p[0].bands[0].hi - p[0].bands[0].lo);
    // Two seasons but no room for an origin: seasonal naive.
    let f = Forecaster::fit(&weekly(20), &small()).unwrap();
    assert_eq!(f.chosen, Candidate::SeasonalNaive);
    assert_eq!(f.interval_kind, IntervalKind::Normal);
    assert_eq!(f.predict()[0].mean, weekly(20)[13].1);
}

#[test]
fn chooses_by_backtest_and_intervals_cover() {
    let f = Forecaster::fit(&weekly(200), &small()).unwrap();
    assert_eq!(f.interval_kind, IntervalKind::Conformal);
    assert_eq!(f.origins, 6);
    let best = f
        .scores
        .iter()
        .min_by(|a, b| a.mae.total_cmp(&b.mae))
        .unwrap();
    assert_eq!(best.candidate, f.chosen);
    let bt = f.backtest(2).unwrap();
    assert_eq!(bt.len(), 28);
    let inside95 = bt
        .iter()
        .filter(|b| b.forecast.bands[1].lo <= b.actual && b.actual <= b.forecast.bands[1].hi)
        .count();
    assert!(inside95 >= 24, "{inside95} of 28 inside the 95 % band");
    // The 95 % band is never narrower than the 80 % one.
    for p in f.predict() {
        assert!(p.bands[1].hi >= p.bands[0].hi && p.bands[1].lo <= p.bands[0].lo);
    }
}

#[test]
fn ets_recovers_a_pure_weekly_pattern() {
    let y: Vec<f64> = (0..140)
        .map(|i| 10.0 + [3.0, 1.0, 0.0, -1.0, -2.0, 0.0, -1.0][i % 7])
        .collect();
    let e = Ets::fit(&y, 7).unwrap();
    for (k, v) in e.forecast(14).iter().enumerate() {
        assert!((v - y[(140 + k) % 7]).abs() < 1e-6, "{k}: {v}");
    }
}

#[test]
fn metric_definitions() {
    // MASE scale: seasonal-2 naive on [1, 2, 2, 4] = (|2−1| + |4−2|)/2 = 1.5.
    let m = mase(&[3.0, 3.0], &[1.5, 4.5], &[1.0, 2.0, 2.0, 4.0], 2).unwrap();
    assert!((m - 1.0).abs() < 1e-12);
    assert!((smape(&[0.0, 2.0], &[0.0, 1.0]).unwrap() - 100.0 / 3.0).abs() < 1e-9);
    assert_eq!(
        coverage(&[1.0, 2.0, 3.0, 4.0], &[0.0; 4], &[2.0; 4]),
        Some(0.5)
    );
    assert_eq!(mase(&[1.0], &[1.0], &[1.0, 1.0, 1.0], 1), None);
}

#[test]
fn params_are_checked_and_serde_denies_unknown_keys() {
    let bad = ForecasterParams {
        levels: vec![80.0, 100.0],
        ..Default::default()
    };
    assert!(matches!(
        bad.validate(),
        Err(CoreError::InvalidParameter { .. })
    ));
    let e = serde_json::from_str::<ForecasterParams>(r#"{"horizon": 7, "seasn": 7}"#);
    assert!(e.is_err());
    let p: ForecasterParams = serde_json::from_str(r#"{"horizon": 7}"#).unwrap();
    assert_eq!(p.season, 7);
}

#[test]
fn regressors_and_holidays_reach_the_boosted_model() {
    let mut pts = weekly(200);
    let mut regs = Regressors::new(vec!["webinars".into()]);
    for (i, p) in pts.iter_mut().enumerate() {
        if i % 3 == 0 {
            p.1 += 8.0;
            regs.insert(p.0, vec![1.0]).unwrap();
        }
    }
    let params = ForecasterParams {
        candidates: vec![Candidate::Gbm],
        holidays: vec![d0() + Duration::days(50)],
        ..small()
    };
    let f = Forecaster::fit_with(&pts, &regs, &params).unwrap();
    let g = f.gbm.as_ref().unwrap();
    assert_eq!(g.features.last().map(String::as_str), Some("webinars"));
    let imp = g.model.feature_importances.last().copied().unwrap();
    assert!(imp > 0.2, "webinar importance {imp}");
    assert!(regs.insert(d0(), vec![f64::NAN]).is_err());
    // Serde round trip keeps the predictions.
    let back: Forecaster = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
    assert_eq!(back.predict(), f.predict());
}

#[test]
fn step_forecasts_revenue_and_alerts_once_per_month() {
    use crate::job::Step;
    use crate::simulate::{simulate, SimConfig};
    let t = simulate(&SimConfig {
        students: 150,
        seed: 5,
        ..SimConfig::default()
    })
    .unwrap();
    let as_of = chrono::DateTime::parse_from_rfc3339("2025-11-14T23:59:59Z")
        .unwrap()
        .to_utc();
    let history = step::daily_revenue(&t, as_of, 730);
    assert!(history.len() > 60, "{} days of revenue", history.len());
    assert_eq!(
        history.last().unwrap().0,
        NaiveDate::from_ymd_opt(2025, 11, 14).unwrap()
    );
    let total: f64 = t
        .purchases
        .iter()
        .filter(|p| p.at <= as_of)
        .map(|p| p.amount)
        .sum();
    let in_history: f64 = history.iter().map(|(_, v)| v).sum();
    assert!((total - in_history).abs() < 1e-6 * total.max(1.0));
    let mut config = ForecastConfig {
        monthly_target: Some(1e12),
        ..ForecastConfig::default()
    };
    config.params.calibration_origins = 4;
    config.params.gbdt.max_iter = 40;
    let s = ForecastStep {
        config,
        ..ForecastStep::default()
    };
    let out = s.run(&t, as_of).unwrap();
    let rows: Vec<RevenueForecastRow> = out.rows().unwrap();
    assert_eq!(rows.len(), 30);
    assert_eq!(rows[0].date, NaiveDate::from_ymd_opt(2025, 11, 15).unwrap());
    assert!(rows
        .iter()
        .all(|r| r.lo_95 <= r.lo_80 && r.hi_80 <= r.hi_95));
    assert_eq!(out.notifications.len(), 1);
    assert_eq!(
        out.notifications[0].dedupe_key,
        "forecast:revenue_below_target:2025-11"
    );
    assert_eq!(out.summary["regressors"], serde_json::json!([]));
    // With the webinar regressors the boosted candidates see webinars per day.
    let with = ForecastStep {
        config: ForecastConfig {
            webinar_regressors: true,
            ..s.config.clone()
        },
        ..ForecastStep::default()
    };
    let out_with = with.run(&t, as_of).unwrap();
    assert_eq!(
        out_with.summary["regressors"],
        serde_json::json!(["webinars", "webinars_7d"])
    );
    assert_eq!(out_with.rows::<RevenueForecastRow>().unwrap().len(), 30);
    // A later run in the same month raises the same key (the outbox keeps one).
    let later = s.run(&t, as_of + Duration::days(3)).unwrap();
    assert_eq!(
        later.notifications[0].dedupe_key,
        out.notifications[0].dedupe_key
    );
    // No target, no alert; bad levels are a named error.
    assert!(ForecastStep::default()
        .run(&t, as_of)
        .unwrap()
        .notifications
        .is_empty());
    let bad = ForecastConfig {
        params: ForecasterParams {
            levels: vec![90.0],
            ..ForecasterParams::default()
        },
        ..ForecastConfig::default()
    };
    assert!(matches!(
        bad.validate(),
        Err(CoreError::InvalidParameter { .. })
    ));
}

#[test]
fn local_volatility_is_the_mean_absolute_seasonal_difference_before_the_origin() {
    let y = [1.0, 2.0, 4.0, 7.0, 11.0, 16.0];
    // Seasonal lag 2, the 3 days before origin 5: |7−2|, |4−1|... = t in 2..5.
    assert_eq!(local_volatility(&y, 5, 3, 2), Some((3.0 + 5.0 + 7.0) / 3.0));
    // Fewer days than the window: from the first day with a lag.
    assert_eq!(local_volatility(&y, 4, 10, 2), Some((3.0 + 5.0) / 2.0));
    assert_eq!(local_volatility(&[3.0; 10], 10, 5, 2), None);
    assert_eq!(local_volatility(&y, 2, 5, 2), None);
}

#[test]
fn normalised_intervals_widen_when_the_series_turns_volatile() {
    // The same weekly series, its noise ×6 over the last 21 days.
    let n = 200;
    let mut pts = weekly(n);
    for (i, p) in pts.iter_mut().enumerate().skip(n - 21) {
        let noise = ((i * 7919) % 13) as f64 / 13.0 - 0.5;
        p.1 += 5.0 * noise;
    }
    let plain_params = ForecasterParams {
        volatility_window: 0,
        ..small()
    };
    let plain = Forecaster::fit(&pts, &plain_params).unwrap();
    let scaled_params = ForecasterParams {
        volatility_window: 21,
        ..small()
    };
    let scaled = Forecaster::fit(&pts, &scaled_params).unwrap();
    assert_eq!(plain.chosen, scaled.chosen);
    for (a, b) in plain.half_widths.iter().zip(&scaled.half_widths) {
        for (wa, wb) in a.iter().zip(b) {
            assert!(wb > wa, "scaled half-width {wb} ≤ plain {wa}");
        }
    }
    // A constant stretch as long as the window: the plain widths, and a note says so.
    let mut flat = pts.clone();
    for p in flat.iter_mut().skip(n - 30) {
        p.1 = 10.0;
    }
    let f = Forecaster::fit(&flat, &scaled_params).unwrap();
    let g = Forecaster::fit(&flat, &plain_params).unwrap();
    assert_eq!(f.half_widths, g.half_widths);
    assert!(
        f.notes.iter().any(|n| n.contains("constant")),
        "{:?}",
        f.notes
    );
    let e = ForecasterParams {
        volatility_window: 3,
        ..small()
    }
    .validate()
    .unwrap_err();
    assert!(e.to_string().contains("volatility_window"), "{e}");
}
