use super::*;
use crate::error::LearnError;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Brute-force exact CART (least squares, midpoint thresholds between distinct values).
fn cart(
    x: &[f64],
    p: usize,
    y: &[f64],
    rows: &[usize],
    depth: usize,
    msl: usize,
    q: &[f64],
) -> f64 {
    let mean = rows.iter().map(|&i| y[i]).sum::<f64>() / rows.len() as f64;
    if depth == 0 || rows.len() < 2 * msl {
        return mean;
    }
    let sse = |r: &[usize]| {
        let m = r.iter().map(|&i| y[i]).sum::<f64>() / r.len() as f64;
        r.iter().map(|&i| (y[i] - m).powi(2)).sum::<f64>()
    };
    let total = sse(rows);
    let mut best: Option<(f64, usize, f64)> = None;
    for j in 0..p {
        let mut vals: Vec<f64> = rows.iter().map(|&i| x[i * p + j]).collect();
        vals.sort_by(f64::total_cmp);
        vals.dedup();
        for w in vals.windows(2) {
            let t = 0.5 * (w[0] + w[1]);
            let (l, r): (Vec<usize>, Vec<usize>) = rows.iter().partition(|&&i| x[i * p + j] <= t);
            if l.len() < msl || r.len() < msl {
                continue;
            }
            let gain = total - sse(&l) - sse(&r);
            if gain > 1e-9 && best.is_none_or(|b| gain > b.0 + 1e-9) {
                best = Some((gain, j, t));
            }
        }
    }
    match best {
        None => mean,
        Some((_, j, t)) => {
            let (l, r): (Vec<usize>, Vec<usize>) = rows.iter().partition(|&&i| x[i * p + j] <= t);
            if q[j] <= t {
                cart(x, p, y, &l, depth - 1, msl, q)
            } else {
                cart(x, p, y, &r, depth - 1, msl, q)
            }
        }
    }
}

fn noisy(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = Vec::new();
    let mut y = Vec::new();
    for _ in 0..n {
        let a: f64 = rng.gen_range(0.0..10.0);
        let b: f64 = rng.gen_range(0.0..1.0);
        let c: f64 = rng.gen_range(0.0..1.0); // irrelevant
        x.extend([a.round(), b, c]);
        y.push(3.0 * (a / 2.0).sin() + 4.0 * b + rng.gen_range(-1.0..1.0));
    }
    (x, y)
}

#[test]
fn forest_without_bootstrap_is_exact_cart() {
    let (x, y) = noisy(120, 1);
    let params = ForestParams {
        n_trees: 3,
        bootstrap: false,
        max_depth: Some(4),
        min_samples_leaf: 5,
        ..ForestParams::default()
    };
    let f = RandomForest::fit(&x, 3, &y, &params).unwrap();
    let rows: Vec<usize> = (0..120).collect();
    let (xq, _) = noisy(50, 2);
    let pred = f.predict(&xq, 3).unwrap();
    for (k, q) in xq.chunks(3).enumerate() {
        let want = cart(&x, 3, &y, &rows, 4, 5, q);
        assert!(
            (pred[k] - want).abs() < 1e-9,
            "row {k}: {} vs {want}",
            pred[k]
        );
    }
}

#[test]
fn gbdt_stump_is_the_best_stump_of_the_residuals() {
    let (x, y) = noisy(150, 3);
    let params = GbdtParams {
        max_iter: 1,
        learning_rate: 1.0,
        max_leaf_nodes: None,
        max_depth: Some(1),
        min_samples_leaf: 10,
        early_stopping: false,
        ..GbdtParams::default()
    };
    let m = GradientBoosting::fit(&x, 3, &y, &params).unwrap();
    let rows: Vec<usize> = (0..150).collect();
    let (xq, _) = noisy(40, 4);
    let pred = m.predict(&xq, 3).unwrap();
    for (k, q) in xq.chunks(3).enumerate() {
        let want = cart(&x, 3, &y, &rows, 1, 10, q);
        assert!((pred[k] - want).abs() < 1e-9);
    }
}

#[test]
fn best_first_growth_respects_max_leaf_nodes() {
    let (x, y) = noisy(400, 5);
    let params = GbdtParams {
        max_iter: 5,
        max_leaf_nodes: Some(7),
        min_samples_leaf: 5,
        ..GbdtParams::default()
    };
    let m = GradientBoosting::fit(&x, 3, &y, &params).unwrap();
    for t in &m.trees {
        let leaves = t.nodes.iter().filter(|n| n.feature == usize::MAX).count();
        assert_eq!(leaves, 7);
    }
}

#[test]
fn forest_is_accurate_deterministic_and_thread_independent() {
    let (x, y) = noisy(1500, 6);
    let (xt, yt) = noisy(500, 7);
    let p1 = ForestParams {
        n_trees: 40,
        n_jobs: 1,
        min_samples_leaf: 3,
        ..ForestParams::default()
    };
    let p2 = ForestParams {
        n_jobs: 2,
        ..p1.clone()
    };
    let a = RandomForest::fit(&x, 3, &y, &p1).unwrap();
    let b = RandomForest::fit(&x, 3, &y, &p2).unwrap();
    assert_eq!(a.trees, b.trees);
    let pred = a.predict(&xt, 3).unwrap();
    let mean = yt.iter().sum::<f64>() / yt.len() as f64;
    let ss: f64 = yt.iter().map(|v| (v - mean).powi(2)).sum();
    let sr: f64 = yt.iter().zip(&pred).map(|(a, b)| (a - b).powi(2)).sum();
    // Noise variance is 1/3; the signal variance about 9: R² near 0.96 at best.
    assert!(1.0 - sr / ss > 0.9, "R² {}", 1.0 - sr / ss);
    // The irrelevant feature gets the smallest importance.
    let imp = &a.feature_importances;
    assert!((imp.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert!(imp[2] < imp[0] && imp[2] < imp[1], "{imp:?}");
    // Different seeds give different forests.
    let c = RandomForest::fit(&x, 3, &y, &ForestParams { seed: 9, ..p1 }).unwrap();
    assert_ne!(a.trees, c.trees);
}

#[test]
fn intervals_cover_about_their_level() {
    let (x, y) = noisy(3000, 8);
    let (xt, yt) = noisy(1000, 9);
    let f = RandomForest::fit(
        &x,
        3,
        &y,
        &ForestParams {
            n_trees: 50,
            min_samples_leaf: 5,
            ..ForestParams::default()
        },
    )
    .unwrap();
    let g = GradientBoosting::fit(
        &x,
        3,
        &y,
        &GbdtParams {
            early_stopping: true,
            max_iter: 300,
            ..GbdtParams::default()
        },
    )
    .unwrap();
    assert_eq!(g.interval_source, IntervalSource::Validation);
    for iv in [
        f.predict_interval(&xt, 3, 0.1).unwrap(),
        g.predict_interval(&xt, 3, 0.1).unwrap(),
    ] {
        let cover = iv
            .iter()
            .zip(&yt)
            .filter(|(i, y)| i.lower <= **y && **y <= i.upper)
            .count() as f64
            / yt.len() as f64;
        assert!((0.84..=0.96).contains(&cover), "coverage {cover}");
        assert!(iv
            .iter()
            .all(|i| i.lower <= i.prediction && i.prediction <= i.upper));
    }
    // A wider level gives wider intervals.
    let w = |a: f64| {
        let iv = f.predict_interval(&xt, 3, a).unwrap();
        iv.iter().map(|i| i.upper - i.lower).sum::<f64>()
    };
    assert!(w(0.05) > w(0.5));
}

#[test]
fn early_stopping_stops_and_keeps_the_best_iteration() {
    let (x, y) = noisy(1000, 10);
    let m = GradientBoosting::fit(
        &x,
        3,
        &y,
        &GbdtParams {
            early_stopping: true,
            max_iter: 2000,
            ..GbdtParams::default()
        },
    )
    .unwrap();
    assert!(m.validation_loss.len() < 2000);
    let best = m
        .validation_loss
        .iter()
        .enumerate()
        .min_by(|a, b| a.1.total_cmp(b.1))
        .unwrap()
        .0;
    assert_eq!(m.trees.len(), best + 1);
}

#[test]
fn models_round_trip_through_json() {
    let (x, y) = noisy(300, 11);
    let f = RandomForest::fit(
        &x,
        3,
        &y,
        &ForestParams {
            n_trees: 5,
            ..Default::default()
        },
    )
    .unwrap();
    let g = GradientBoosting::fit(&x, 3, &y, &GbdtParams::default()).unwrap();
    let g0 = GradientBoosting::fit(
        &x,
        3,
        &y,
        &GbdtParams {
            early_stopping: false,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(g0.interval_source, IntervalSource::Training);
    let f2: RandomForest = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
    let g2: GradientBoosting = serde_json::from_str(&serde_json::to_string(&g).unwrap()).unwrap();
    assert_eq!(f.predict(&x, 3).unwrap(), f2.predict(&x, 3).unwrap());
    assert_eq!(g.predict(&x, 3).unwrap(), g2.predict(&x, 3).unwrap());
}

#[test]
fn bad_input_is_a_named_error() {
    let fp = ForestParams::default();
    let gp = GbdtParams::default();
    // Empty training set.
    let e = RandomForest::fit(&[], 2, &[], &fp).unwrap_err();
    assert!(e.to_string().contains("empty training set"), "{e}");
    assert!(GradientBoosting::fit(&[], 2, &[], &gp).is_err());
    // NaN and inf features name the row and feature.
    let x = [1.0, 2.0, f64::NAN, 4.0];
    let e = RandomForest::fit(&x, 2, &[1.0, 2.0], &fp).unwrap_err();
    let loc = e.location().unwrap();
    assert_eq!(
        (loc.row, loc.column.as_deref()),
        (Some(2), Some("feature 0"))
    );
    let x = [1.0, 2.0, 3.0, f64::INFINITY];
    let e = GradientBoosting::fit(&x, 2, &[1.0, 2.0], &gp).unwrap_err();
    assert!(e.to_string().contains("infinite"), "{e}");
    // NaN target, wrong lengths, wrong width at predict time.
    assert!(RandomForest::fit(&[1.0, 2.0], 1, &[1.0, f64::NAN], &fp).is_err());
    assert!(RandomForest::fit(&[1.0, 2.0, 3.0], 2, &[1.0], &fp).is_err());
    let f = RandomForest::fit(&[1.0, 2.0], 1, &[1.0, 2.0], &fp).unwrap();
    assert!(f.predict(&[1.0, 2.0], 2).is_err());
    assert!(f.predict(&[f64::NAN], 1).is_err());
    assert!(f.predict_interval(&[1.0], 1, 1.5).is_err());
    // Parameters name themselves.
    for (params, name) in [
        (
            ForestParams {
                n_trees: 0,
                ..fp.clone()
            },
            "n_trees",
        ),
        (
            ForestParams {
                min_samples_leaf: 0,
                ..fp.clone()
            },
            "min_samples_leaf",
        ),
        (
            ForestParams {
                max_features: MaxFeatures::Fraction(1.5),
                ..fp.clone()
            },
            "max_features",
        ),
        (
            ForestParams {
                max_bins: 300,
                ..fp.clone()
            },
            "max_bins",
        ),
    ] {
        match RandomForest::fit(&[1.0], 1, &[1.0], &params) {
            Err(LearnError::InvalidParameter { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{other:?}"),
        }
    }
    for (params, name) in [
        (
            GbdtParams {
                learning_rate: 0.0,
                ..gp.clone()
            },
            "learning_rate",
        ),
        (
            GbdtParams {
                max_leaf_nodes: Some(1),
                ..gp.clone()
            },
            "max_leaf_nodes",
        ),
        (
            GbdtParams {
                l2: -1.0,
                ..gp.clone()
            },
            "l2",
        ),
        (
            GbdtParams {
                validation_fraction: 1.0,
                ..gp.clone()
            },
            "validation_fraction",
        ),
    ] {
        match GradientBoosting::fit(&[1.0], 1, &[1.0], &params) {
            Err(LearnError::InvalidParameter { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn constant_target_predicts_the_constant_with_a_zero_width_interval() {
    let (x, _) = noisy(200, 12);
    let y = vec![7.5; 200];
    let f = RandomForest::fit(
        &x,
        3,
        &y,
        &ForestParams {
            n_trees: 5,
            ..Default::default()
        },
    )
    .unwrap();
    let g = GradientBoosting::fit(
        &x,
        3,
        &y,
        &GbdtParams {
            early_stopping: true,
            ..Default::default()
        },
    )
    .unwrap();
    for iv in [
        f.predict_interval(&x, 3, 0.1).unwrap(),
        g.predict_interval(&x, 3, 0.1).unwrap(),
    ] {
        assert!(iv
            .iter()
            .all(|i| (i.prediction - 7.5).abs() < 1e-12 && i.upper - i.lower < 1e-12));
    }
    assert!(f.feature_importances.iter().all(|v| *v == 0.0));
}
