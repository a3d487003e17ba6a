//! The analysis from tables on the simulated business (whose true effects are known) and the
//! counting rules on hand-made tables.

use super::*;
use crate::job::Step;
use crate::model::{Experiment, ExperimentKind, ExperimentMetric, Exposure, Purchase, Tables};
use crate::simulate::{simulate_with_truth, SimConfig};
use chrono::{DateTime, Utc};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

#[test]
fn simulated_experiments_get_the_known_answers() {
    let cfg = SimConfig {
        students: 600,
        leads: Some(4000),
        seed: 11,
        ..SimConfig::default()
    };
    let (tables, truth) = simulate_with_truth(&cfg).unwrap();
    assert_eq!(truth.experiments.len(), 3);
    let as_of = t("2025-12-31T00:00:00Z");
    let a = analyze(&tables, as_of, &AnalysisParams::default()).unwrap();
    let by = |id: &str| {
        a.experiments
            .iter()
            .find(|e| e.experiment.experiment_id == id)
            .unwrap()
    };
    let null = by("exp_landing_null");
    let lift = by("exp_nurture_lift");
    let srm = by("exp_slot_srm");
    for e in [null, lift, srm] {
        eprintln!(
            "{}: units {:?} srm {:.2e} decision {:?} lift {:.3} [{:.3}, {:.3}] p {:?} — {}",
            e.experiment.experiment_id,
            e.units,
            e.srm_p_value,
            e.decision,
            e.variants[0].lift,
            e.variants[0].ci_low,
            e.variants[0].ci_high,
            e.variants[0].p_value,
            e.variants[0].reason
        );
    }
    // The null: no decision to ship; its interval covers 0; the double exposures are reported.
    assert_ne!(null.decision, Decision::Ship);
    assert!(null.variants[0].ci_low < 0.0 && null.variants[0].ci_high > 0.0);
    assert!(null.multi_variant_units > 0);
    assert!(null.srm_p_value > 0.001);
    // The real lift: shipped, and the interval covers the true lift.
    let true_lift = truth.experiments[1].true_relative_lift;
    assert_eq!(lift.decision, Decision::Ship);
    assert_eq!(lift.winner.as_deref(), Some("new_sequence"));
    let v = &lift.variants[0];
    assert!(
        v.ci_low < true_lift && true_lift < v.ci_high,
        "{true_lift} outside [{}, {}]",
        v.ci_low,
        v.ci_high
    );
    // The looks' p-values never rise.
    assert!(v
        .looks
        .windows(2)
        .all(|w| w[1].msprt_p_value <= w[0].msprt_p_value));
    // SRM blocks the decision.
    assert!(srm.srm_p_value < 0.001);
    assert_eq!(srm.decision, Decision::KeepRunning);
    assert!(srm.variants[0].reason.contains("sample ratio mismatch"));
}

fn hand_tables() -> Tables {
    let e = Experiment {
        experiment_id: "e1".into(),
        kind: ExperimentKind::Other,
        metric: ExperimentMetric::Revenue,
        control_variant: "a".into(),
        start_at: t("2025-01-01T00:00:00Z"),
        end_at: Some(t("2025-01-10T00:00:00Z")),
        description: None,
        variants: Some("a;b".into()),
    };
    let x = |v: &str, u: &str, at: &str| Exposure {
        experiment_id: "e1".into(),
        variant: v.into(),
        unit_id: u.into(),
        at: t(at),
    };
    let p = |u: &str, at: &str, amount: f64| Purchase {
        customer_id: u.into(),
        at: t(at),
        amount,
        currency: None,
    };
    Tables {
        experiments: vec![e],
        exposures: vec![
            x("a", "u1", "2025-01-02T00:00:00Z"),
            x("b", "u1", "2025-01-03T00:00:00Z"), // second variant: stays in a
            x("a", "u2", "2025-01-02T00:00:00Z"),
            x("b", "u3", "2025-01-02T00:00:00Z"),
            x("b", "u4", "2025-01-02T00:00:00Z"),
            x("c", "u5", "2025-01-02T00:00:00Z"), // unknown variant
            x("a", "u6", "2025-02-02T00:00:00Z"), // outside the window
            Exposure {
                experiment_id: "nope".into(),
                ..x("a", "u7", "2025-01-02T00:00:00Z")
            },
        ],
        purchases: vec![
            p("u1", "2025-01-01T00:00:00Z", 500.0), // before exposure: not counted
            p("u1", "2025-01-04T00:00:00Z", 10.0),
            p("u1", "2025-01-05T00:00:00Z", 20.0),
            p("u2", "2025-01-04T00:00:00Z", 5.0),
            p("u3", "2025-01-04T00:00:00Z", 40.0),
            p("u4", "2025-01-04T00:00:00Z", 7.0),
            p("u4", "2025-01-11T00:00:00Z", 100.0), // after the window
        ],
        ..Tables::default()
    }
}

#[test]
fn counting_rules_first_exposure_window_and_reports() {
    let tables = hand_tables();
    let a = analyze(
        &tables,
        t("2025-03-01T00:00:00Z"),
        &AnalysisParams::default(),
    )
    .unwrap();
    assert_eq!(a.unknown_experiment_exposures, 1);
    let e = &a.experiments[0];
    assert_eq!(e.units, vec![("a".to_string(), 2), ("b".to_string(), 2)]);
    assert_eq!(e.multi_variant_units, 1);
    assert_eq!(e.unknown_variant_exposures, 1);
    assert_eq!(e.outside_window_exposures, 1);
    let v = &e.variants[0];
    // a: u1 = 30, u2 = 5; b: u3 = 40, u4 = 7.
    assert_eq!(v.control_mean, 17.5);
    assert_eq!(v.mean, 23.5);
    assert_eq!(v.total, 47.0);
    // The same numbers through mean_test.
    let direct = mean_test(
        MeanStats {
            n: 2.0,
            sum: 35.0,
            sum_squares: 925.0,
        },
        MeanStats {
            n: 2.0,
            sum: 47.0,
            sum_squares: 1649.0,
        },
        &TestParams::default(),
    )
    .unwrap();
    assert!((direct.lift - v.lift).abs() < 1e-12);
    // Too few units: keep running, with the reason in both languages.
    assert_eq!(v.decision, Decision::KeepRunning);
    assert!(v.reason.contains("too few units") && v.reason_es.contains("pocas unidades"));
}

#[test]
fn bad_input_is_a_named_error() {
    let p = TestParams::default();
    let pr = |units, conversions| Proportion { units, conversions };
    let e = proportion_test(pr(10.0, 11.0), pr(10.0, 1.0), &p)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("control.conversions") && e.contains("exceed"),
        "{e}"
    );
    let e = proportion_test(pr(10.0, 1.0), pr(0.0, 0.0), &p)
        .unwrap_err()
        .to_string();
    assert!(e.contains("treatment.units"), "{e}");
    let e = proportion_test(pr(10.0, -1.0), pr(10.0, 1.0), &p)
        .unwrap_err()
        .to_string();
    assert!(e.contains("must be ≥ 0"), "{e}");
    let e = proportion_test(pr(f64::NAN, 1.0), pr(10.0, 1.0), &p)
        .unwrap_err()
        .to_string();
    assert!(e.contains("NaN"), "{e}");
    let e = proportion_test(pr(10.0, 0.0), pr(10.0, 0.0), &p)
        .unwrap_err()
        .to_string();
    assert!(e.contains("zero variance"), "{e}");
    let bad = TestParams {
        alpha: 1.5,
        ..TestParams::default()
    };
    assert!(proportion_test(pr(10.0, 1.0), pr(10.0, 2.0), &bad).is_err());
    let beta_mean = TestParams {
        method: Method::Beta,
        ..TestParams::default()
    };
    let m = MeanStats {
        n: 3.0,
        sum: 3.0,
        sum_squares: 5.0,
    };
    assert!(mean_test(m, m, &beta_mean).is_err());
    // Unknown configuration keys are errors.
    assert!(serde_json::from_str::<AnalysisParams>(r#"{"nope": 1}"#).is_err());
    assert!(serde_json::from_str::<TestParams>(r#"{"method": "bayes", "x": 1}"#).is_err());
}

#[test]
fn the_step_alerts_once_per_decided_experiment() {
    let cfg = SimConfig {
        students: 300,
        leads: Some(4000),
        seed: 11,
        ..SimConfig::default()
    };
    let (tables, _) = simulate_with_truth(&cfg).unwrap();
    let step = ExperimentsStep::default();
    let as_of = t("2025-12-31T00:00:00Z");
    let out = step.run(&tables, as_of).unwrap();
    let rows: Vec<ExperimentResultRow> = out.rows().unwrap();
    assert_eq!(rows.len(), 3);
    let looks: Vec<ExperimentLookRow> = out.rows().unwrap();
    assert!(looks.len() > 100);
    let keys: Vec<&str> = out
        .notifications
        .iter()
        .map(|n| n.dedupe_key.as_str())
        .collect();
    assert!(
        keys.contains(&"experiments:decided:exp_nurture_lift"),
        "{keys:?}"
    );
    assert!(keys.contains(&"experiments:srm:exp_slot_srm"), "{keys:?}");
    // The same run again: the same keys (the outbox drops them), nothing new.
    let again = step.run(&tables, as_of).unwrap();
    let keys2: Vec<&str> = again
        .notifications
        .iter()
        .map(|n| n.dedupe_key.as_str())
        .collect();
    assert_eq!(keys, keys2);
    // A later day keeps the keys stable too.
    let later = step.run(&tables, t("2026-01-05T00:00:00Z")).unwrap();
    for n in &later.notifications {
        assert!(
            keys.contains(&n.dedupe_key.as_str()),
            "new key {}",
            n.dedupe_key
        );
    }
}
