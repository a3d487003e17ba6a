//! Behaviour of the shared learner on data with a known answer, and the Telco reference.

use super::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A synthetic problem: logit = 1.5·z − 1 + (plan = "basic" ? 1 : 0); noise column irrelevant.
fn synthetic(n: usize, seed: u64) -> (TabularData, Vec<bool>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut z = Vec::new();
    let mut noise = Vec::new();
    let mut plan = Vec::new();
    let mut y = Vec::new();
    let mut truth = Vec::new();
    for _ in 0..n {
        let a: f64 = rng.gen_range(-2.0..2.0);
        let basic = rng.gen_bool(0.4);
        let logit = 1.5 * a - 1.0 + if basic { 1.0 } else { 0.0 };
        let pr = 1.0 / (1.0 + (-logit).exp());
        z.push(a);
        noise.push(rng.gen_range(0.0..10.0));
        plan.push(if basic {
            "basic"
        } else if rng.gen_bool(0.5) {
            "pro"
        } else {
            "team"
        });
        y.push(rng.gen_bool(pr));
        truth.push(pr);
    }
    let data = TabularData::new()
        .with_numeric("z", &z)
        .unwrap()
        .with_numeric("noise", &noise)
        .unwrap()
        .with_categorical("plan", &plan)
        .unwrap();
    (data, y, truth)
}

#[test]
fn logistic_recovers_a_known_model_and_calibrates() {
    let (data, y, _) = synthetic(4000, 1);
    let params = ClassifierParams {
        l2: 1e-3,
        ..ClassifierParams::default()
    };
    let m = TabularClassifier::fit(&data, &y, &params).unwrap();
    let Scorer::Logistic(lr) = &m.scorer else {
        panic!("logistic expected")
    };
    // z is standardised: coefficient = 1.5 × std(z) (uniform(−2, 2): std = 4/√12).
    let zi = m
        .encoder
        .features
        .iter()
        .position(|f| f.name == "z")
        .unwrap();
    let want = 1.5 * 4.0 / 12f64.sqrt();
    assert!(
        (lr.coef[zi] - want).abs() < 0.15,
        "{} vs {want}",
        lr.coef[zi]
    );
    let (test, yt, truth) = synthetic(2000, 2);
    let p = m.predict_proba(&test).unwrap();
    let mae: f64 = p
        .iter()
        .zip(&truth)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / p.len() as f64;
    assert!(mae < 0.03, "mean |p − truth| = {mae}");
    let auc = roc_auc(&p, &yt).unwrap();
    let best = roc_auc(&truth, &yt).unwrap();
    assert!(auc > best - 0.01, "{auc} vs oracle {best}");
    // Explanations: the noise column never leads, and contributions add up to the log-odds.
    let ex = m.explain(&test, 3).unwrap();
    let lead_noise = ex.iter().filter(|f| f[0].column == "noise").count();
    assert!(lead_noise < test.n_rows() / 20, "{lead_noise}");
    let s = m.decision_function(&test).unwrap();
    let base = lr.intercept
        + m.encoder
            .features
            .iter()
            .zip(&lr.coef)
            .map(|(f, c)| f.mean * c)
            .sum::<f64>();
    for i in 0..10 {
        let tot: f64 = ex[i].iter().map(|f| f.contribution).sum();
        assert!((base + tot - s[i]).abs() < 1e-9);
    }
}

#[test]
fn trees_rank_well_and_explanations_add_up() {
    let (data, y, _) = synthetic(3000, 3);
    let params = ClassifierParams {
        model: ModelKind::Trees,
        ..ClassifierParams::default()
    };
    let m = TabularClassifier::fit(&data, &y, &params).unwrap();
    let (test, yt, truth) = synthetic(2000, 4);
    let p = m.predict_proba(&test).unwrap();
    let auc = roc_auc(&p, &yt).unwrap();
    let best = roc_auc(&truth, &yt).unwrap();
    assert!(auc > best - 0.02, "{auc} vs oracle {best}");
    let Scorer::Trees(b) = &m.scorer else {
        panic!("trees expected")
    };
    let x = m.encoder.transform(&test).unwrap();
    let pf = m.encoder.n_features();
    let mut c = vec![0.0; pf];
    let bias = b.contributions(&x[..pf], &mut c);
    assert!((bias + c.iter().sum::<f64>() - b.decision(&x[..pf])).abs() < 1e-9);
}

#[test]
fn unseen_categories_missing_values_and_bad_labels() {
    let (data, y, _) = synthetic(500, 5);
    let m = TabularClassifier::fit(&data, &y, &ClassifierParams::default()).unwrap();
    let new = TabularData::new()
        .with_numeric("z", &[0.5, f64::NAN])
        .unwrap()
        .with_numeric("noise", &[1.0, 2.0])
        .unwrap()
        .with_categorical("plan", &["enterprise", ""])
        .unwrap();
    let p = m.predict_proba(&new).unwrap();
    assert!(p.iter().all(|v| v.is_finite() && *v > 0.0 && *v < 1.0));
    let e =
        TabularClassifier::fit(&data, &vec![true; 500], &ClassifierParams::default()).unwrap_err();
    assert!(e.to_string().contains("one class"), "{e}");
    let wrong = TabularData::new().with_categorical("z", &["a"]).unwrap();
    assert!(m.predict_proba(&wrong).is_err());
    // Round trip through serde (what pickling uses) predicts the same.
    let json = serde_json::to_string(&m).unwrap();
    let back: TabularClassifier = serde_json::from_str(&json).unwrap();
    assert_eq!(
        back.predict_proba(&data).unwrap(),
        m.predict_proba(&data).unwrap()
    );
}

/// Read ../shared/data/telco into a table and labels: customerID dropped, Churn Yes/No the target,
/// TotalCharges blanks missing.
pub(crate) fn telco() -> Option<(TabularData, Vec<bool>)> {
    let p = crate::test_support::shared_data("telco/Telco-Customer-Churn.csv")?;
    let text = std::fs::read_to_string(p).ok()?;
    let mut t = TabularData::from_csv(&text).unwrap();
    t.remove("customerID");
    let Some(ColumnData::Categorical(c)) = t.remove("Churn") else {
        panic!("Churn column")
    };
    Some((t, c.iter().map(|v| v == "Yes").collect()))
}

#[test]
fn telco_logistic_auc_reaches_the_baseline() {
    let Some((t, y)) = telco() else {
        eprintln!("skipped: ../shared/data/telco not found");
        return;
    };
    assert_eq!(t.n_rows(), 7043);
    assert!(matches!(
        t.column("TotalCharges"),
        Some(ColumnData::Numeric(_))
    ));
    // Platt calibration is monotone: it cannot change AUC, so it is off here to keep the test fast.
    let params = ClassifierParams {
        calibration_folds: 0,
        ..ClassifierParams::default()
    };
    let r = cross_validate(&t, &y, &params, 5, 0).unwrap();
    eprintln!(
        "telco logistic 5-fold AUC {:.4} {:?}",
        r.mean_auc, r.fold_auc
    );
    assert!(r.mean_auc >= 0.845, "{}", r.mean_auc);
}

#[test]
fn numeric_bins_let_the_logistic_bend() {
    // P(y) is high at both ends of z and low in the middle: no straight line in z separates it,
    // quantile-bin indicators do.
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (mut z, mut y) = (Vec::new(), Vec::new());
    for _ in 0..4000 {
        let a: f64 = rng.gen_range(0.0..10.0);
        let p = if !(2.0..8.0).contains(&a) { 0.8 } else { 0.2 };
        z.push(a);
        y.push(rng.gen_bool(p));
    }
    let mut data = TabularData::new();
    data.push("z", ColumnData::Numeric(z.clone())).unwrap();
    let enc = Encoder::fit(
        &data,
        &EncoderParams {
            numeric_bins: 5,
            ..Default::default()
        },
    )
    .unwrap();
    // z itself, then 5 equal-frequency bins; each row is in exactly one.
    assert_eq!(enc.n_features(), 6);
    assert_eq!(enc.features[3].name, "z#bin2");
    let x = enc.transform(&data).unwrap();
    for i in 0..z.len() {
        assert_eq!(x[i * 6 + 1..i * 6 + 6].iter().sum::<f64>(), 1.0);
    }
    for f in &enc.features[1..] {
        assert!((f.mean - 0.2).abs() < 0.01, "{} {}", f.name, f.mean);
    }
    // Values outside the training range land in the end bins.
    let mut out = TabularData::new();
    out.push("z", ColumnData::Numeric(vec![-5.0, 50.0]))
        .unwrap();
    let xo = enc.transform(&out).unwrap();
    assert_eq!((xo[1], xo[6 + 5]), (1.0, 1.0));
    let auc = |bins: usize| {
        let params = ClassifierParams {
            numeric_bins: bins,
            calibration_folds: 0,
            ..ClassifierParams::default()
        };
        cross_validate(&data, &y, &params, 3, 1).unwrap().mean_auc
    };
    let (flat, bent) = (auc(0), auc(5));
    assert!(flat < 0.6 && bent > 0.75, "{flat} {bent}");
}

#[test]
fn spline_basis_is_a_partition_of_unity_and_bends_the_logistic() {
    let z: Vec<f64> = (0..200).map(|i| i as f64 / 10.0).collect();
    let mut data = TabularData::new();
    data.push("z", ColumnData::Numeric(z.clone())).unwrap();
    let enc = Encoder::fit(
        &data,
        &EncoderParams {
            spline_knots: 5,
            ..Default::default()
        },
    )
    .unwrap();
    // z, then knots + 2 = 7 cubic B-splines.
    assert_eq!(enc.n_features(), 8);
    assert_eq!(enc.features[7].name, "z#spline6");
    let x = enc.transform(&data).unwrap();
    for i in 0..z.len() {
        let b = &x[i * 8 + 1..i * 8 + 8];
        assert!((b.iter().sum::<f64>() - 1.0).abs() < 1e-12, "row {i}");
        assert!(b.iter().all(|v| *v >= 0.0));
    }
    // At an inner knot of a uniform cubic B-spline the three nonzero values are 1/6, 2/3, 1/6
    // (knots at 0, 4.975, 9.95, 14.925, 19.9: z = 9.95 is the middle one).
    let mut at = TabularData::new();
    at.push("z", ColumnData::Numeric(vec![9.95, -100.0, 0.0, 1e6, 19.9]))
        .unwrap();
    let xa = enc.transform(&at).unwrap();
    let b: Vec<f64> = xa[1..8].to_vec();
    let want = [0.0, 0.0, 1.0 / 6.0, 2.0 / 3.0, 1.0 / 6.0, 0.0, 0.0];
    for (a, w) in b.iter().zip(want) {
        assert!((a - w).abs() < 1e-12, "{b:?}");
    }
    // Constant beyond the training range.
    assert_eq!(xa[9..16], xa[17..24]);
    assert_eq!(xa[25..32], xa[33..40]);
    assert!(Encoder::fit(
        &data,
        &EncoderParams {
            spline_knots: 1,
            ..Default::default()
        }
    )
    .is_err());
    // A U-shaped risk: no straight line fits it, the spline basis does.
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let (mut u, mut y) = (Vec::new(), Vec::new());
    for _ in 0..3000 {
        let a: f64 = rng.gen_range(-3.0..3.0);
        u.push(a);
        y.push(rng.gen_bool(1.0 / (1.0 + (-(a * a - 2.0)).exp())));
    }
    let mut d = TabularData::new();
    d.push("u", ColumnData::Numeric(u)).unwrap();
    let auc = |knots: usize| {
        let params = ClassifierParams {
            spline_knots: knots,
            calibration_folds: 0,
            ..ClassifierParams::default()
        };
        cross_validate(&d, &y, &params, 3, 1).unwrap().mean_auc
    };
    let (flat, bent) = (auc(0), auc(5));
    assert!(flat < 0.6 && bent > 0.8, "{flat} {bent}");
}

#[test]
fn ensemble_averages_its_members_and_round_trips() {
    let (data, y, _) = synthetic(1500, 11);
    let params = ClassifierParams {
        model: ModelKind::Ensemble,
        ..ClassifierParams::default()
    };
    assert_eq!(ModelKind::parse("ensemble"), Some(ModelKind::Ensemble));
    let m = TabularClassifier::fit(&data, &y, &params).unwrap();
    let Scorer::Ensemble(members) = &m.scorer else {
        panic!("ensemble expected")
    };
    assert_eq!(members.len(), 2);
    assert!(matches!(members[0].scorer, Scorer::Logistic(_)));
    assert!(matches!(members[1].scorer, Scorer::Trees(_)));
    // The logistic member got the spline basis; the trees member did not.
    assert!(members[0].encoder.n_features() > members[1].encoder.n_features());
    let (test, yt, truth) = synthetic(1000, 12);
    let p = m.predict_proba(&test).unwrap();
    let p0 = members[0].predict_proba(&test).unwrap();
    let p1 = members[1].predict_proba(&test).unwrap();
    for i in 0..p.len() {
        assert!((p[i] - 0.5 * (p0[i] + p1[i])).abs() < 1e-12);
    }
    let auc = roc_auc(&p, &yt).unwrap();
    let best = roc_auc(&truth, &yt).unwrap();
    assert!(auc > best - 0.02, "{auc} vs oracle {best}");
    // Its decision function is the log-odds of its probability.
    let s = m.decision_function(&test).unwrap();
    assert!((1.0 / (1.0 + (-s[0]).exp()) - p[0]).abs() < 1e-12);
    // Explanations: the mean of the members' contributions, each on its calibrated scale.
    let all = |c: &TabularClassifier| c.explain(&test, usize::MAX).unwrap();
    let (e, e0, e1) = (all(&m), all(&members[0]), all(&members[1]));
    let slope = |c: &TabularClassifier| c.calibration.unwrap().a;
    let (a0, a1) = (slope(&members[0]), slope(&members[1]));
    for i in 0..20 {
        for f in &e[i] {
            let of = |ex: &Vec<Vec<Factor>>| {
                ex[i]
                    .iter()
                    .find(|g| g.column == f.column)
                    .unwrap()
                    .contribution
            };
            let want = 0.5 * (a0 * of(&e0) + a1 * of(&e1));
            assert!((f.contribution - want).abs() < 1e-12);
        }
        assert_eq!(e[i].len(), 3);
    }
    let ex = m.explain(&test, 1).unwrap();
    let lead_noise = ex.iter().filter(|f| f[0].column == "noise").count();
    assert!(lead_noise < test.n_rows() / 20, "{lead_noise}");
    // Serde round trip (what pickling uses) predicts the same.
    let json = serde_json::to_string(&m).unwrap();
    let back: TabularClassifier = serde_json::from_str(&json).unwrap();
    assert_eq!(back.predict_proba(&test).unwrap(), p);
    // Bad parameters are named.
    let bad = ClassifierParams {
        ensemble: EnsembleParams {
            spline_knots: 1,
            ..EnsembleParams::default()
        },
        ..params
    };
    let e = TabularClassifier::fit(&data, &y, &bad).unwrap_err();
    assert!(e.to_string().contains("ensemble.spline_knots"), "{e}");
}

#[test]
fn cross_validation_on_given_folds_matches_the_seeded_one() {
    let (data, y, _) = synthetic(600, 13);
    let params = ClassifierParams {
        calibration_folds: 0,
        ..ClassifierParams::default()
    };
    let folds = stratified_folds(&y, 4, 3).unwrap();
    let a = cross_validate(&data, &y, &params, 4, 3).unwrap();
    let b = cross_validate_folds(&data, &y, &params, &folds).unwrap();
    assert_eq!(a, b);
    assert!(cross_validate_folds(&data, &y, &params, &folds[1..]).is_err());
    assert!(cross_validate_folds(&data, &y, &params, &vec![0; y.len()]).is_err());
    let gap: Vec<usize> = folds.iter().map(|f| if *f == 1 { 2 } else { *f }).collect();
    assert!(cross_validate_folds(&data, &y, &params, &gap).is_err());
}

#[test]
fn telco_ensemble_beats_its_members_on_a_held_out_fold() {
    let Some((t, y)) = telco() else {
        eprintln!("skipped: ../shared/data/telco not found");
        return;
    };
    // One stratified 80/20 split (the full 5-fold × 3-shuffle check ≥ 0.85 is the `telco`
    // example: too slow for a debug test).
    let folds = stratified_folds(&y, 5, 0).unwrap();
    let train: Vec<usize> = (0..y.len()).filter(|&i| folds[i] != 0).collect();
    let test: Vec<usize> = (0..y.len()).filter(|&i| folds[i] == 0).collect();
    let ty: Vec<bool> = train.iter().map(|&i| y[i]).collect();
    let yt: Vec<bool> = test.iter().map(|&i| y[i]).collect();
    let params = ClassifierParams {
        model: ModelKind::Ensemble,
        ..ClassifierParams::default()
    };
    let m = TabularClassifier::fit(&t.take(&train), &ty, &params).unwrap();
    let tt = t.take(&test);
    let auc = roc_auc(&m.predict_proba(&tt).unwrap(), &yt).unwrap();
    let Scorer::Ensemble(members) = &m.scorer else {
        panic!("ensemble expected")
    };
    let member_auc: Vec<f64> = members
        .iter()
        .map(|c| roc_auc(&c.predict_proba(&tt).unwrap(), &yt).unwrap())
        .collect();
    eprintln!("telco fold 0: ensemble AUC {auc:.4}, members {member_auc:?}");
    // Averaging cancels part of the members' errors: better than their mean (on a single fold it
    // need not beat the best member; over 5 folds × 3 shuffles it does, see the example).
    let mean = member_auc.iter().sum::<f64>() / member_auc.len() as f64;
    assert!(auc > mean, "{auc} {member_auc:?}");
    assert!(auc >= 0.85, "{auc}");
}

/// Small data (143 rows: the root's Hessian sum is below twice the default `min_child_weight`)
/// must still give a model that ranks, not a silent constant (found from Python: a 143-row
/// `ChurnClassifier(model="trees")` scored every row the same).
#[test]
fn trees_on_small_data_are_not_a_constant() {
    let (data, y, truth) = synthetic(143, 11);
    let m = TabularClassifier::fit(
        &data,
        &y,
        &ClassifierParams {
            model: ModelKind::Trees,
            ..ClassifierParams::default()
        },
    )
    .unwrap();
    let p = m.predict_proba(&data).unwrap();
    let spread = p.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
        - p.iter().cloned().fold(f64::INFINITY, f64::min);
    assert!(spread > 0.1, "probabilities span only {spread}");
    let auc = roc_auc(&p, &y).unwrap();
    let oracle = roc_auc(&truth, &y).unwrap();
    assert!(auc > 0.75 && oracle > 0.75, "auc {auc}, oracle {oracle}");
}

/// `y` from a pure interaction (trees can rank it, a linear model cannot) or a linear score.
fn interaction(n: usize, seed: u64, linear: bool) -> (TabularData, Vec<bool>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut a, mut b, mut y) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..n {
        let (x1, x2): (f64, f64) = (rng.gen_range(-1.0..1.0), rng.gen_range(-1.0..1.0));
        let s = if linear { x1 + x2 } else { x1 * x2 * 4.0 };
        let noise: f64 = rng.gen_range(-0.5..0.5);
        a.push(x1);
        b.push(x2);
        y.push(s + noise > 0.0);
    }
    let d = TabularData::new()
        .with_numeric("a", &a)
        .unwrap()
        .with_numeric("b", &b)
        .unwrap();
    (d, y)
}

#[test]
fn auto_chooses_by_the_holdout_and_records_it() {
    let params = ClassifierParams {
        model: ModelKind::Auto,
        ..ClassifierParams::default()
    };
    let (d, y) = interaction(600, 7, false);
    let m = TabularClassifier::fit(&d, &y, &params).unwrap();
    let s = m.selection.clone().unwrap();
    // An interaction only deep trees see: trees beat logistic regression and the ensemble
    // (whose trees are stumps).
    assert_eq!(s.chosen, ModelKind::Trees, "{s:?}");
    assert_eq!(m.params.model, ModelKind::Trees);
    assert!(
        s.trees_auc.unwrap() > s.logistic_auc.unwrap() + 0.2,
        "{s:?}"
    );
    assert!(s.trees_auc.unwrap() > s.ensemble_auc.unwrap(), "{s:?}");
    assert!(s.difference_se.unwrap() > 0.0 && s.ensemble_se.unwrap() > 0.0);
    assert_eq!((s.fit_rows, s.holdout_rows), (450, 150));
    // Pickles (serde) keep the choice.
    let back: TabularClassifier =
        serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
    assert_eq!(back.selection, m.selection);
    let (d, y) = interaction(600, 8, true);
    let m = TabularClassifier::fit(&d, &y, &params).unwrap();
    let s = m.selection.unwrap();
    assert_eq!(s.chosen, ModelKind::Logistic, "{s:?}");
    // A holdout of one class: no comparison, logistic, said so.
    let all_neg: Vec<usize> = (0..600).filter(|&i| !y[i]).take(50).collect();
    let rest: Vec<usize> = (0..600).filter(|i| !all_neg.contains(i)).collect();
    let m = TabularClassifier::fit_auto(&d, &y, &rest, &all_neg, &params).unwrap();
    let s = m.selection.unwrap();
    assert_eq!((s.chosen, s.trees_auc), (ModelKind::Logistic, None));
    assert_eq!(s.ensemble_auc, None);
    // A holdout row beyond the table is a named error.
    let e = TabularClassifier::fit_auto(&d, &y, &rest, &[600], &params).unwrap_err();
    assert!(e.to_string().contains("holdout"), "{e}");
    assert_eq!(ModelKind::parse("auto"), Some(ModelKind::Auto));
}

/// The logistic regression is solved to the optimum of `Σ logloss + l2/2·‖β‖²` (the intercept
/// unpenalised), not stopped early: the penalised gradient vanishes even when two columns are
/// nearly collinear (an ill-conditioned problem on which scikit-learn's default lbfgs, tolerance
/// 1e-4, stops well short of it — the whole of its AUC difference to edupulse on OULAD).
#[test]
fn logistic_reaches_the_penalised_optimum_on_an_ill_conditioned_problem() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    let (n, p) = (2000, 3);
    let mut x = Vec::with_capacity(n * p);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let a: f64 = rng.gen_range(-1.0..1.0);
        let b = a + 1e-3 * rng.gen_range(-1.0..1.0);
        let c: f64 = rng.gen_range(-1.0..1.0);
        x.extend([a, b, c]);
        y.push(rng.gen_bool(1.0 / (1.0 + (-(2.0 * a - c)).exp())));
    }
    let params = LogisticParams::default();
    let m = Logistic::fit(&x, p, &y, &params).unwrap();
    let mut g = vec![0.0; p + 1];
    for (row, &yi) in x.chunks_exact(p).zip(&y) {
        let z = m.intercept + row.iter().zip(&m.coef).map(|(a, b)| a * b).sum::<f64>();
        let r = 1.0 / (1.0 + (-z).exp()) - f64::from(u8::from(yi));
        for (gj, xj) in g.iter_mut().zip(row) {
            *gj += r * xj;
        }
        g[p] += r;
    }
    for (gj, bj) in g.iter_mut().zip(&m.coef) {
        *gj += params.l2 * bj;
    }
    let worst = g.iter().fold(0.0f64, |w, v| w.max(v.abs()));
    assert!(worst < 1e-6, "penalised gradient {g:?}");
    // The collinear pair shares the effect of `a`.
    assert!((m.coef[0] + m.coef[1] - 2.0).abs() < 0.5, "{:?}", m.coef);
}

#[test]
fn auto_rule_keeps_logistic_without_evidence() {
    use crate::auto_rule;
    let (t, e) = (ModelKind::Trees, ModelKind::Ensemble);
    // No challenger beyond 1.645 SE: logistic.
    assert_eq!(
        auto_rule(&[(t, 0.016, 0.01), (e, -0.1, 0.01)]),
        ModelKind::Logistic
    );
    assert_eq!(auto_rule(&[]), ModelKind::Logistic);
    // One passes.
    assert_eq!(auto_rule(&[(t, 0.017, 0.01), (e, 0.01, 0.01)]), t);
    assert_eq!(auto_rule(&[(t, 0.05, 0.04), (e, 0.02, 0.01)]), e);
    // Both pass: the larger difference; a tie goes to the cheaper (earlier) one.
    assert_eq!(auto_rule(&[(t, 0.03, 0.01), (e, 0.04, 0.01)]), e);
    assert_eq!(auto_rule(&[(t, 0.04, 0.01), (e, 0.04, 0.01)]), t);
    // A zero standard error (identical rankings) needs a positive difference.
    assert_eq!(auto_rule(&[(t, 0.0, 0.0)]), ModelKind::Logistic);
}

#[test]
fn delong_difference_matches_the_pairwise_definition() {
    let (_, y) = interaction(120, 9, true);
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let a: Vec<f64> = y
        .iter()
        .map(|&v| f64::from(u8::from(v)) + rng.gen_range(-1.0..1.0))
        .collect();
    // Rounded scores: ties count ½.
    let b: Vec<f64> = y
        .iter()
        .map(|&v| (f64::from(u8::from(v)) * 0.7 + rng.gen_range(-1.0..1.0)).round())
        .collect();
    let (diff, se) = crate::auto::paired_auc_difference(&a, &b, &y);
    assert!((diff - (roc_auc(&b, &y).unwrap() - roc_auc(&a, &y).unwrap())).abs() < 1e-12);
    // The DeLong variance from its definition: ψ over all positive–negative pairs.
    let psi = |p: f64, n: f64| {
        if p > n {
            1.0
        } else if p == n {
            0.5
        } else {
            0.0
        }
    };
    let (pi, ni): (Vec<usize>, Vec<usize>) = (
        (0..y.len()).filter(|&i| y[i]).collect(),
        (0..y.len()).filter(|&i| !y[i]).collect(),
    );
    let comp = |s: &[f64]| -> (Vec<f64>, Vec<f64>) {
        (
            pi.iter()
                .map(|&i| ni.iter().map(|&j| psi(s[i], s[j])).sum::<f64>() / ni.len() as f64)
                .collect(),
            ni.iter()
                .map(|&j| pi.iter().map(|&i| psi(s[i], s[j])).sum::<f64>() / pi.len() as f64)
                .collect(),
        )
    };
    let var = |v: Vec<f64>| {
        let m = v.iter().sum::<f64>() / v.len() as f64;
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)
    };
    let ((a10, a01), (b10, b01)) = (comp(&a), comp(&b));
    let want = (var(b10.iter().zip(&a10).map(|(b, a)| b - a).collect()) / pi.len() as f64
        + var(b01.iter().zip(&a01).map(|(b, a)| b - a).collect()) / ni.len() as f64)
        .sqrt();
    assert!((se - want).abs() < 1e-12, "{se} vs {want}");
}
