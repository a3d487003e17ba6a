use super::*;
use crate::{Logistic, LogisticParams};
use rand::Rng;

/// A small random sparse problem: `n` rows over `p` columns, 3 classes driven by columns 0–2.
fn problem(n: usize, p: u32, seed: u64) -> (SparseRows, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = SparseRows::new(p);
    let mut y = Vec::new();
    for _ in 0..n {
        let mut row = Vec::new();
        let mut score = [0.0f64; 3];
        for _ in 0..4 {
            let j = rng.gen_range(0..p);
            let v: f32 = rng.gen_range(0.1..1.0);
            if j < 3 {
                score[j as usize] += f64::from(v) * 2.0;
            }
            row.push((j, v));
        }
        let noise: f64 = rng.gen_range(0.0..1.0);
        let c = if noise < 0.15 {
            rng.gen_range(0..3)
        } else {
            argmax(&score)
        };
        x.push_row(row).unwrap();
        y.push(c);
    }
    (x, y)
}

#[test]
fn gradient_matches_finite_differences() {
    let (x, y) = problem(40, 12, 1);
    let mut columns = x.indices.clone();
    columns.sort_unstable();
    columns.dedup();
    let data = Compact::new(&x, &columns);
    let k = 3;
    let n = data.d * k + k;
    let w: Vec<f64> = (0..n)
        .map(|i| ((i * 37 % 11) as f64 - 5.0) / 10.0)
        .collect();
    let mut g = vec![0.0; n];
    data.loss_grad(&w, &y, k, 0.05, &mut g);
    let mut scratch = vec![0.0; n];
    for i in 0..n {
        let h = 1e-6;
        let mut a = w.clone();
        a[i] += h;
        let mut b = w.clone();
        b[i] -= h;
        let fd = (data.loss_grad(&a, &y, k, 0.05, &mut scratch)
            - data.loss_grad(&b, &y, k, 0.05, &mut scratch))
            / (2.0 * h);
        assert!((fd - g[i]).abs() < 1e-6, "component {i}: {fd} vs {}", g[i]);
    }
}

/// With two classes the softmax model is the binary logistic regression with weights
/// `β = w₁ − w₀` and penalty `n·l2/2` on `Σ logloss` (the dense Newton solver's objective).
#[test]
fn two_classes_match_the_newton_logistic_regression() {
    let (x, y3) = problem(120, 8, 2);
    let y: Vec<usize> = y3.iter().map(|&c| usize::from(c == 0)).collect();
    let params = SparseLogisticParams {
        l2: 0.02,
        tolerance: 1e-10,
        calibration_folds: 0,
        ..SparseLogisticParams::default()
    };
    let m = SparseLogistic::fit(&x, &y, 2, &params).unwrap();
    assert!(m.converged);
    let p = 8usize;
    let mut dense = vec![0.0; x.n_rows() * p];
    for i in 0..x.n_rows() {
        let (c, v) = x.row(i);
        for (&j, &vj) in c.iter().zip(v) {
            dense[i * p + j as usize] += f64::from(vj);
        }
    }
    let yb: Vec<bool> = y.iter().map(|&c| c == 1).collect();
    let reference = Logistic::fit(
        &dense,
        p,
        &yb,
        &LogisticParams {
            l2: x.n_rows() as f64 * params.l2 / 2.0,
            ..LogisticParams::default()
        },
    )
    .unwrap();
    assert_eq!(m.columns.len(), p);
    for j in 0..p {
        let beta = m.coef[j * 2 + 1] - m.coef[j * 2];
        assert!(
            (beta - reference.coef[j]).abs() < 1e-5,
            "coef {j}: {beta} vs {}",
            reference.coef[j]
        );
    }
    let b = m.intercept[1] - m.intercept[0];
    assert!((b - reference.intercept).abs() < 1e-5);
}

#[test]
fn learns_classes_calibrates_and_is_deterministic() {
    let (x, y) = problem(300, 30, 3);
    let params = SparseLogisticParams::default();
    let m = SparseLogistic::fit(&x, &y, 3, &params).unwrap();
    let again = SparseLogistic::fit(&x, &y, 3, &params).unwrap();
    assert_eq!(m, again);
    assert!(m.temperature > 0.05 && m.temperature < 20.0);
    assert!(m.temperature != 1.0);
    let (xt, yt) = problem(300, 30, 4);
    let pred = m.predict(&xt).unwrap();
    let acc = pred.iter().zip(&yt).filter(|(a, b)| a == b).count() as f64 / yt.len() as f64;
    assert!(acc > 0.6, "held-out accuracy {acc}");
    let p = m.predict_proba(&xt).unwrap();
    for row in p.chunks(3) {
        assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }
    // Serde round trip keeps the model.
    let back: SparseLogistic = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
    assert_eq!(back.predict_proba(&xt).unwrap(), p);
}

/// A weakly penalised fit over many noise columns is over-confident: the out-of-fold
/// temperature is above 1 and lowers the held-out log-loss.
#[test]
fn temperature_tempers_an_overconfident_fit() {
    let (x, y) = problem(300, 400, 5);
    let (xt, yt) = problem(1000, 400, 6);
    let params = SparseLogisticParams {
        l2: 1e-4,
        ..SparseLogisticParams::default()
    };
    let m = SparseLogistic::fit(&x, &y, 3, &params).unwrap();
    assert!(m.temperature > 1.0, "T = {}", m.temperature);
    let raw = SparseLogistic {
        temperature: 1.0,
        ..m.clone()
    };
    let ll = |m: &SparseLogistic| {
        let p = m.predict_proba(&xt).unwrap();
        -p.chunks(3).zip(&yt).map(|(r, &c)| r[c].ln()).sum::<f64>() / yt.len() as f64
    };
    assert!(ll(&m) < ll(&raw), "{} vs {}", ll(&m), ll(&raw));
}

#[test]
fn bad_input_names_the_row_column_or_parameter() {
    let mut x = SparseRows::new(3);
    let e = x.push_row([(0, 1.0), (5, 1.0)]).unwrap_err();
    assert_eq!(e.location().unwrap().row, Some(1));
    assert_eq!(e.location().unwrap().column.as_deref(), Some("feature 5"));
    assert_eq!(x.n_rows(), 0);
    let e = x.push_row([(1, f32::NAN)]).unwrap_err();
    assert!(e.to_string().contains("not finite"), "{e}");
    x.push_row([(0, 1.0)]).unwrap();
    x.push_row([(1, 1.0)]).unwrap();
    let p = SparseLogisticParams {
        calibration_folds: 0,
        ..SparseLogisticParams::default()
    };
    let e = SparseLogistic::fit(&x, &[0, 3], 2, &p).unwrap_err();
    assert_eq!(e.location().unwrap().row, Some(2));
    let e = SparseLogistic::fit(&x, &[0, 0], 2, &p).unwrap_err();
    assert!(e.to_string().contains("class 1 has no rows"), "{e}");
    let e = SparseLogistic::fit(&x, &[0], 2, &p).unwrap_err();
    assert!(e.to_string().contains("1 labels for 2 rows"), "{e}");
    for (bad, name) in [
        (
            SparseLogisticParams {
                l2: -1.0,
                ..p.clone()
            },
            "l2",
        ),
        (
            SparseLogisticParams {
                calibration_folds: 1,
                ..p.clone()
            },
            "calibration_folds",
        ),
        (
            SparseLogisticParams {
                memory: 0,
                ..p.clone()
            },
            "memory",
        ),
    ] {
        let e = SparseLogistic::fit(&x, &[0, 1], 2, &bad).unwrap_err();
        assert!(e.to_string().contains(name), "{e}");
    }
    let m = SparseLogistic::fit(&x, &[0, 1], 2, &p).unwrap();
    let e = m.predict(&SparseRows::new(4)).unwrap_err();
    assert!(e.to_string().contains("4 columns"), "{e}");
}
