//! edupulse's experiment statistics against GrowthBook's `gbstats` 0.8.0.
//!
//! The fixture tests/data/gbstats_0.8.0.json was written by `scripts/gbstats_reference.py fixture`
//! (its header records the command and the versions of gbstats, numpy and scipy): 600 random
//! two-arm tables (binary and mean metrics) with random options, and 150 random multi-arm SRM
//! checks. `make bench-experiments` regenerates a fresh fixture with gbstats in the same run and
//! points this test at it through `EDUPULSE_GBSTATS_FIXTURE`.
//!
//! Tolerance: 1e-6 × max(1, |gbstats value|) on every number.

use edupulse_core::experiments::{
    bayes, sequential_test, srm_p_value, ttest, ArmStats, Difference, MeanStats, Proportion,
    TestParams,
};
use serde_json::Value;
use std::path::PathBuf;

fn fixture() -> Value {
    let path = std::env::var("EDUPULSE_GBSTATS_FIXTURE").map_or_else(
        |_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/gbstats_0.8.0.json"),
        PathBuf::from,
    );
    eprintln!("gbstats fixture: {}", path.display());
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn close(what: &str, got: f64, want: f64, worst: &mut f64) {
    let err = (got - want).abs() / want.abs().max(1.0);
    *worst = worst.max(err);
    assert!(err <= 1e-6, "{what}: edupulse {got} vs gbstats {want}");
}

fn arms(t: &Value) -> (ArmStats, ArmStats) {
    let f = |v: &Value, i: usize| v[i].as_f64().unwrap();
    let (c, tr) = (&t["control"], &t["treatment"]);
    if t["kind"] == "proportion" {
        let p = |v: &Value| Proportion {
            units: f(v, 0),
            conversions: f(v, 1),
        };
        (
            ArmStats::proportion("control", p(c)).unwrap(),
            ArmStats::proportion("treatment", p(tr)).unwrap(),
        )
    } else {
        let m = |v: &Value| MeanStats {
            n: f(v, 0),
            sum: f(v, 1),
            sum_squares: f(v, 2),
        };
        (
            ArmStats::mean("control", m(c)).unwrap(),
            ArmStats::mean("treatment", m(tr)).unwrap(),
        )
    }
}

#[test]
fn bayes_ttest_and_sequential_match_gbstats_to_1e6() {
    let doc = fixture();
    assert_eq!(doc["header"]["gbstats"], "0.8.0");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 500);
    let mut worst = 0.0_f64;
    for (i, case) in cases.iter().enumerate() {
        let o = &case["options"];
        let (a, b) = arms(&case["table"]);
        let p = TestParams {
            difference: Difference::parse(o["difference"].as_str().unwrap()).unwrap(),
            prior_mean: o["prior_mean"].as_f64().unwrap(),
            prior_sd: if o["proper"].as_bool().unwrap() {
                Some(o["prior_variance"].as_f64().unwrap().sqrt())
            } else {
                None
            },
            tau: o["tau"].as_f64().unwrap(),
            alpha: o["alpha"].as_f64().unwrap(),
            ..TestParams::default()
        };
        let g = &case["gbstats"];
        let x = |v: &Value| v.as_f64().unwrap();
        let by = bayes(&a, &b, &p).unwrap();
        let gb = &g["bayes"];
        close(
            &format!("case {i} bayes lift"),
            by.lift,
            x(&gb["lift"]),
            &mut worst,
        );
        close(
            &format!("case {i} bayes ci_low"),
            by.ci_low,
            x(&gb["ci"][0]),
            &mut worst,
        );
        close(
            &format!("case {i} bayes ci_high"),
            by.ci_high,
            x(&gb["ci"][1]),
            &mut worst,
        );
        close(
            &format!("case {i} bayes sd"),
            by.std_error,
            x(&gb["std"]),
            &mut worst,
        );
        close(
            &format!("case {i} chance_to_win"),
            by.chance_to_win.unwrap(),
            x(&gb["chance_to_win"]),
            &mut worst,
        );
        close(
            &format!("case {i} risk ctrl"),
            by.risk_control.unwrap(),
            x(&gb["risk"][0]),
            &mut worst,
        );
        close(
            &format!("case {i} risk trt"),
            by.risk_treatment.unwrap(),
            x(&gb["risk"][1]),
            &mut worst,
        );
        for (name, r) in [
            ("ttest", ttest(&a, &b, &p).unwrap()),
            ("sequential", sequential_test(&a, &b, &p).unwrap()),
        ] {
            let gt = &g[name];
            close(
                &format!("case {i} {name} lift"),
                r.lift,
                x(&gt["lift"]),
                &mut worst,
            );
            close(
                &format!("case {i} {name} ci_low"),
                r.ci_low,
                x(&gt["ci"][0]),
                &mut worst,
            );
            close(
                &format!("case {i} {name} ci_high"),
                r.ci_high,
                x(&gt["ci"][1]),
                &mut worst,
            );
            close(
                &format!("case {i} {name} p"),
                r.p_value.unwrap(),
                x(&gt["p_value"]),
                &mut worst,
            );
        }
    }
    eprintln!(
        "{} cases, worst relative difference {worst:.2e}",
        cases.len()
    );
}

#[test]
fn srm_matches_gbstats_check_srm() {
    let doc = fixture();
    let mut worst = 0.0_f64;
    for (i, s) in doc["srm"].as_array().unwrap().iter().enumerate() {
        let v = |k: &str| -> Vec<f64> {
            s[k].as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        };
        let p = srm_p_value(&v("units"), &v("weights")).unwrap();
        close(
            &format!("srm {i}"),
            p,
            s["p_value"].as_f64().unwrap(),
            &mut worst,
        );
    }
    eprintln!("SRM worst relative difference {worst:.2e}");
}
