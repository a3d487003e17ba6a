use super::*;
use crate::learn::ForestParams;
use crate::simulate::{expected_attendance_rate, simulate, SimConfig};
use crate::Tables;
use chrono::TimeZone;

fn tables(students: usize) -> Tables {
    simulate(&SimConfig {
        students,
        seed: 11,
        ..SimConfig::default()
    })
    .unwrap()
}

fn fast() -> DemandParams {
    DemandParams {
        forest: ForestParams {
            n_trees: 40,
            ..DemandParams::default().forest
        },
        ..DemandParams::default()
    }
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

/// The true mix-weighted rate of a slot (the simulator's attendance function).
fn true_rate(m: &FittedDemand, target: &Target, topic: &str, t: DateTime<Utc>) -> f64 {
    m.mix(target)
        .iter()
        .map(|(s, w)| {
            w * expected_attendance_rate(
                &s.industry,
                &s.role,
                &s.company_size,
                t.weekday(),
                t.hour(),
                topic,
            )
        })
        .sum()
}

/// Both learners with their default parameters, fitted on `t`.
fn default_models(t: &Tables) -> Vec<(DemandModelKind, FittedDemand)> {
    [DemandModelKind::Forest, DemandModelKind::Gbdt]
        .into_iter()
        .map(|kind| {
            let params = DemandParams {
                model: kind,
                ..DemandParams::default()
            };
            (
                kind,
                DemandModel::fit(&t.webinars, &t.registrations, &params).unwrap(),
            )
        })
        .collect()
}

#[test]
fn best_slots_are_truly_good_and_predictions_track_the_truth() {
    let t = tables(3000);
    println!(
        "{} webinars, {} registrations",
        t.webinars.len(),
        t.registrations.len()
    );
    // The default forest (100 trees): with 40, the forest's pick for `docente` is truly #14 on
    // this seed. Across seeds 11–16 the picks are in the true top 5 in 10 of 18 cases for each
    // learner (docs/benchmarks.md): this test guards seed 11, not a bound.
    for (kind, m) in default_models(&t) {
        let params = SlotParams::default();
        let monday = NaiveDate::from_ymd_opt(2025, 6, 2).unwrap();
        let grid = params.grid(monday);
        let mut corrs = Vec::new();
        for (target, topic) in [
            (Target::default(), "ia_generativa"),
            (
                Target {
                    role: Some("docente".into()),
                    ..Target::default()
                },
                "agentes_ia",
            ),
            (
                Target {
                    role: Some("director".into()),
                    ..Target::default()
                },
                "ia_para_negocio",
            ),
        ] {
            let f = m.heatmap(&target, topic, monday, &params).unwrap();
            let pred: Vec<f64> = f.iter().map(|s| s.rate).collect();
            let truth: Vec<f64> = grid
                .iter()
                .map(|g| true_rate(&m, &target, topic, *g))
                .collect();
            corrs.push(pearson(&pred, &truth));
            // The predicted best slot is among the 5 truly best of the 60.
            let best = f.iter().max_by(|a, b| a.rate.total_cmp(&b.rate)).unwrap();
            let best_truth = true_rate(&m, &target, topic, best.starts_at);
            let better = truth.iter().filter(|v| **v > best_truth + 1e-12).count();
            assert!(
                better < 5,
                "{kind:?} {}: predicted best {} is truly #{}",
                target.key(),
                best.starts_at,
                better + 1
            );
        }
        println!("{kind:?} correlations {corrs:?}");
        assert!(corrs.iter().all(|c| *c > 0.7), "{kind:?} {corrs:?}");
    }
}

#[test]
fn previous_attendance_uses_only_earlier_webinars() {
    let t = tables(300);
    let (a, _) =
        training_table(&t.webinars, &t.registrations, None, 20.0, &LocalClock::UTC).unwrap();
    // Flip every attendance of the last third of webinars: earlier rows must not change.
    let mut ws = t.webinars.clone();
    ws.sort_by_key(|w| w.starts_at);
    let cut = ws[ws.len() * 2 / 3].starts_at;
    let late: std::collections::HashSet<&str> = ws
        .iter()
        .filter(|w| w.starts_at >= cut)
        .map(|w| w.webinar_id.as_str())
        .collect();
    let mut regs = t.registrations.clone();
    for r in &mut regs {
        if late.contains(r.webinar_id.as_str()) {
            r.attended = !r.attended;
        }
    }
    let (b, _) = training_table(&t.webinars, &regs, None, 20.0, &LocalClock::UTC).unwrap();
    let (Some(ColumnData::Numeric(pa)), Some(ColumnData::Numeric(pb))) =
        (a.column("prev_attendance"), b.column("prev_attendance"))
    else {
        panic!("no prev_attendance");
    };
    let n_early = t
        .registrations
        .iter()
        .filter(|r| !late.contains(r.webinar_id.as_str()))
        .count();
    // Rows are in time order: the first n_early rows are the early webinars' registrations.
    assert!(n_early > 0 && n_early < pa.len());
    for i in 0..n_early {
        assert!(
            pa[i] == pb[i] || (pa[i].is_nan() && pb[i].is_nan()),
            "row {i}"
        );
    }
    // ... and later rows do see the flipped history.
    assert!(pa[n_early..]
        .iter()
        .zip(&pb[n_early..])
        .any(|(x, y)| x != y));
}

#[test]
fn unseen_categories_and_json_round_trip() {
    let t = tables(300);
    let m = DemandModel::fit(&t.webinars, &t.registrations, &fast()).unwrap();
    let q = RateQuery {
        segment: Segment {
            industry: "astronomía".into(),
            role: "piloto".into(),
            company_size: "?".into(),
        },
        topic: "tema_nuevo".into(),
        starts_at: Utc.with_ymd_and_hms(2026, 3, 4, 10, 0, 0).unwrap(),
    };
    let r = m.predict_rates(std::slice::from_ref(&q)).unwrap();
    assert!(r[0].rate.is_finite() && (0.0..=1.0).contains(&r[0].rate));
    assert!(r[0].lower <= r[0].rate && r[0].rate <= r[0].upper);
    let back: FittedDemand = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
    assert_eq!(back.predict_rates(&[q]).unwrap(), r);
}

#[test]
fn bad_input_is_named() {
    let t = tables(200);
    // Empty training set.
    let e = DemandModel::fit(&t.webinars, &[], &fast()).unwrap_err();
    assert!(e.to_string().contains("empty training set"), "{e}");
    // A registration of an unknown webinar names the row.
    let mut regs = t.registrations.clone();
    regs[3].webinar_id = "nope".into();
    let e = DemandModel::fit(&t.webinars, &regs, &fast()).unwrap_err();
    assert_eq!(e.location().unwrap().row, Some(4));
    // Bad parameters name themselves.
    let e = DemandModel::fit(
        &t.webinars,
        &t.registrations,
        &DemandParams {
            alpha: 2.0,
            ..fast()
        },
    )
    .unwrap_err();
    assert!(matches!(e, CoreError::InvalidParameter { ref name, .. } if name == "alpha"));
    // Constant target: predicts it.
    let mut regs = t.registrations.clone();
    regs.iter_mut().for_each(|r| r.attended = true);
    let m = DemandModel::fit(&t.webinars, &regs, &fast()).unwrap();
    let f = m.predict_webinar(&t.webinars[0]).unwrap();
    assert!((f.rate - 1.0).abs() < 1e-12);
    // A grid with no free slot.
    let m = DemandModel::fit(&t.webinars, &t.registrations, &fast()).unwrap();
    let all_blocked = SlotParams {
        blocked_weekly: SlotParams::default()
            .weekdays
            .iter()
            .flat_map(|d| (9..=20).map(move |h| (*d, h)))
            .collect(),
        ..SlotParams::default()
    };
    let e = m.best_slots(&t.webinars[0], &[], &all_blocked).unwrap_err();
    assert!(
        matches!(e, CoreError::InvalidParameter { ref name, .. } if name == "grid"),
        "{e}"
    );
    assert!(m
        .best_slots(
            &t.webinars[0],
            &[],
            &SlotParams {
                hours: vec![25],
                ..SlotParams::default()
            }
        )
        .is_err());
}

#[test]
fn constraints_calendar_and_rescheduling() {
    let t = tables(1000);
    let m = DemandModel::fit(&t.webinars, &t.registrations, &fast()).unwrap();
    let w = t
        .webinars
        .iter()
        .find(|w| w.role.is_some())
        .unwrap()
        .clone();
    // Blocking the best slot removes it; a same-segment webinar keeps its neighbourhood free.
    let free = m.best_slots(&w, &[], &SlotParams::default()).unwrap();
    let best = free.slots[0].starts_at;
    let blocked = m
        .best_slots(
            &w,
            &[],
            &SlotParams {
                blocked: vec![best],
                ..SlotParams::default()
            },
        )
        .unwrap();
    assert!(blocked.slots.iter().all(|s| s.starts_at != best));
    let mut other = w.clone();
    other.webinar_id = "other".into();
    other.starts_at = best;
    let gap = m.best_slots(&w, &[other], &SlotParams::default()).unwrap();
    assert!(gap
        .slots
        .iter()
        .all(|s| (s.starts_at - best).num_hours().abs() >= 24));
    // Improvement is relative to the planned slot.
    for s in &free.slots {
        assert!((s.improvement - (s.attendees - free.planned.attendees)).abs() < 1e-9);
    }
    // Calendar: n entries, no clashes, no repeated (topic, target), same target ≥ 24 h apart.
    let targets = vec![
        Target::default(),
        Target {
            role: Some("docente".into()),
            ..Target::default()
        },
        Target {
            role: Some("director".into()),
            ..Target::default()
        },
    ];
    let topics = vec![
        ("ia_generativa".to_string(), 2.0),
        ("etica_ia".to_string(), 0.5),
        ("agentes_ia".to_string(), 1.0),
    ];
    let req = CalendarRequest {
        year: 2026,
        month: 2,
        topics,
        targets,
        n: 6,
        industries: Default::default(),
    };
    let cal = m.plan_month(&req, &SlotParams::default(), &[]).unwrap();
    assert_eq!(cal.len(), 6);
    for (i, a) in cal.iter().enumerate() {
        assert_eq!(a.starts_at.month(), 2);
        for b in &cal[i + 1..] {
            assert_ne!(a.starts_at, b.starts_at);
            assert!(!(a.topic == b.topic && a.target == b.target));
            if a.target == b.target {
                assert!((a.starts_at - b.starts_at).num_hours().abs() >= 24);
            }
        }
    }
    assert!(cal.windows(2).all(|p| p[0].value >= p[1].value));
    // Rescheduling: a webinar planned at a truly bad slot (Friday 15:00) gets a suggestion.
    let mut bad = w.clone();
    bad.webinar_id = "bad".into();
    bad.starts_at = Utc.with_ymd_and_hms(2026, 1, 9, 15, 0, 0).unwrap();
    assert_eq!(bad.starts_at.weekday(), Weekday::Fri);
    let as_of = Utc.with_ymd_and_hms(2026, 1, 4, 0, 0, 0).unwrap();
    let sugg = m
        .rescheduling(&[bad.clone()], as_of, 0.10, &SlotParams::default())
        .unwrap();
    assert_eq!(sugg.len(), 1);
    assert!(sugg[0].improvement_pct > 0.10 && sugg[0].suggested_at > as_of);
    // ... and none above an unreachable threshold.
    assert!(m
        .rescheduling(&[bad], as_of, 10.0, &SlotParams::default())
        .unwrap()
        .is_empty());
}

#[test]
fn daily_step_writes_forecasts_and_deduplicated_reschedule_alerts() {
    use crate::job::Step;
    let mut t = tables(600);
    t.webinars.sort_by_key(|w| w.starts_at);
    // As of three weeks before the end: the last webinars are planned. Move one to Friday 15:00.
    let last = t.webinars.last().unwrap().starts_at;
    let as_of = last - Duration::days(21);
    let k = t
        .webinars
        .iter()
        .position(|w| w.starts_at > as_of + Duration::days(7))
        .unwrap();
    let d = t.webinars[k].starts_at.date_naive();
    let friday = d + Duration::days(4 - i64::from(d.weekday().num_days_from_monday()));
    t.webinars[k].starts_at = friday.and_hms_opt(15, 0, 0).unwrap().and_utc();
    let step = DemandStep {
        config: DemandConfig {
            params: fast(),
            ..DemandConfig::default()
        },
        ..DemandStep::default()
    };
    let a = step.run(&t, as_of).unwrap();
    let b = step.run(&t, as_of).unwrap();
    assert_eq!(a, b, "deterministic");
    let id = &t.webinars[k].webinar_id;
    let forecasts: Vec<super::WebinarForecastRow> = a.rows().unwrap();
    assert!(forecasts.iter().any(|r| &r.webinar_id == id));
    let heat: Vec<super::SlotHeatmapRow> = a.rows().unwrap();
    assert!(heat.iter().any(|r| r.target == "*/*/*"));
    let cal: Vec<super::PlannedWebinarRow> = a.rows().unwrap();
    assert_eq!(cal.first().map(|c| c.rank), Some(1));
    assert_eq!(a.results.len(), 6);
    assert!(a
        .results
        .iter()
        .all(|r| r.spec.step == "demand" && r.as_of == as_of));
    let n = a
        .notifications
        .iter()
        .find(|n| {
            n.dedupe_key
                .starts_with(&format!("demand:reschedule:{id}:"))
        })
        .expect("the Friday-afternoon webinar gets a suggestion");
    // The next day, the same planned start is the same episode: same key.
    let c = step.run(&t, as_of + Duration::days(1)).unwrap();
    assert!(c.notifications.iter().any(|m| m.dedupe_key == n.dedupe_key));
    // Every suggestion has a notification and vice versa.
    let sugg = a.rows::<super::Reschedule>().unwrap().len();
    assert_eq!(sugg, a.notifications.len());
}

#[test]
fn gbdt_intervals_come_from_bootstrap_replicates_and_cover_the_truth() {
    // The boosted model's interval is the spread of GBDTs refitted on resampled webinars: not zero
    // width, around the point, and covering the simulator's true rate about as often as the
    // forest's does.
    let t = tables(3000);
    let params = SlotParams::default();
    let monday = NaiveDate::from_ymd_opt(2025, 6, 2).unwrap();
    let target = Target {
        role: Some("docente".into()),
        ..Target::default()
    };
    for (kind, m) in default_models(&t) {
        let f = m.heatmap(&target, "agentes_ia", monday, &params).unwrap();
        let widths: Vec<f64> = f.iter().map(|s| s.upper - s.lower).collect();
        let hits = f
            .iter()
            .filter(|s| {
                // Attendee bounds back to rates: attendees = rate × registrants.
                let registrants = s.attendees / s.rate;
                let r = true_rate(&m, &target, "agentes_ia", s.starts_at);
                s.lower / registrants <= r && r <= s.upper / registrants
            })
            .count();
        let mean_width = widths.iter().sum::<f64>() / widths.len() as f64;
        println!("{kind:?}: mean attendee interval width {mean_width:.2}, true rate covered in {hits} of {}", f.len());
        assert!(f
            .iter()
            .all(|s| s.lower <= s.attendees && s.attendees <= s.upper));
        assert!(
            widths.iter().all(|w| *w > 0.0),
            "{kind:?}: a zero-width interval"
        );
        // 90 % intervals: at least three quarters of the 60 slots cover the true rate.
        assert!(hits >= 45, "{kind:?}: {hits} of 60");
    }
}
