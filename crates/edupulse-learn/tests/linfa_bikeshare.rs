//! Our forest through linfa on real data: linfa's `Fit`, `Predict`, `cross_validate` and R² on
//! bikeshare (../shared/data/bikeshare), with the same R² as the slice API.
//!
//! Skipped with a printed reason when the data are absent; a failure when `CI=true`.

use edupulse_learn::{ForestParams, GbdtParams, RandomForest};
use linfa::prelude::*;
use ndarray::{Array1, Array2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;

mod common;
use common::bikeshare::{load_bikeshare, r2, FEATURES};

fn bikeshare_path() -> Option<PathBuf> {
    let name = "bikeshare/Bikeshare.csv";
    if let Ok(root) = std::env::var("EDUPULSE_SHARED_DATA") {
        let p = PathBuf::from(root).join(name);
        return p.exists().then_some(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|a| a.join("shared").join("data").join(name))
        .find(|p| p.exists())
}

/// Bikeshare as an ndarray matrix and target.
fn load(path: &std::path::Path) -> Result<(Array2<f64>, Array1<f64>), Box<dyn std::error::Error>> {
    let (x, y) = load_bikeshare(path)?;
    let n = y.len();
    Ok((
        Array2::from_shape_vec((n, FEATURES.len()), x)?,
        Array1::from(y),
    ))
}

#[test]
fn forest_through_linfa_matches_the_slice_api_on_bikeshare() {
    let Some(path) = bikeshare_path() else {
        let msg = "../shared/data/bikeshare/Bikeshare.csv not found";
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{msg} (CI=true)"
        );
        eprintln!("skipped: {msg}");
        return;
    };
    let (x, y) = load(&path).expect("bikeshare loads");
    assert_eq!(x.nrows(), 8645);
    // A seeded shuffle, then 80/20 (the rows are in time order: an unshuffled split would ask the
    // forest to extrapolate to the last two months).
    let data = Dataset::new(x, y).shuffle(&mut ChaCha8Rng::seed_from_u64(42));
    let (train, test) = data.split_with_ratio(0.8);
    let params = ForestParams {
        n_trees: 30,
        ..Default::default()
    };

    // linfa: Fit on a Dataset, Predict, linfa's R².
    let forest: RandomForest = params.fit(&train).expect("fit through linfa");
    let pred: Array1<f64> = Predict::predict(&forest, test.records());
    let r2_linfa = pred.r2(test.targets()).expect("r2");

    // The slice API on the same rows.
    let p = train.records().ncols();
    let slice_forest = RandomForest::fit(
        train.records().as_slice().expect("standard layout"),
        p,
        train.targets().as_slice().expect("contiguous"),
        &params,
    )
    .expect("slice fit");
    assert_eq!(slice_forest, forest);
    let slice_pred = slice_forest
        .predict(test.records().as_slice().expect("standard layout"), p)
        .expect("predict");
    let r2_slice = r2(test.targets().as_slice().expect("contiguous"), &slice_pred);
    eprintln!("bikeshare forest(30), seeded 80/20: R² linfa {r2_linfa:.5}, slice {r2_slice:.5}");
    assert!(
        (r2_linfa - r2_slice).abs() < 1e-9,
        "{r2_linfa} vs {r2_slice}"
    );
    assert!(r2_linfa > 0.8, "{r2_linfa}");

    // A non-standard layout (a transposed copy viewed back) is copied, with the same result.
    let t = test.records().t().to_owned();
    let pred_f: Array1<f64> = Predict::predict(&forest, &t.t());
    assert_eq!(pred_f, pred);

    // linfa's own cross-validation with our forest and GBDT (3 folds, R² per fold).
    let mut cv_data = train.clone();
    let cv = cv_data
        .cross_validate_single(
            3,
            &[ForestParams {
                n_trees: 10,
                ..Default::default()
            }],
            |pred, truth| pred.r2(truth),
        )
        .expect("forest cross-validation");
    eprintln!("linfa cross_validate_single forest(10) R² {cv}");
    assert!(cv[0] > 0.75, "{cv}");
    let cv = cv_data
        .cross_validate_single(3, &[GbdtParams::default()], |pred, truth| pred.r2(truth))
        .expect("gbdt cross-validation");
    eprintln!("linfa cross_validate_single gbdt R² {cv}");
    assert!(cv[0] > 0.75, "{cv}");

    // Invalid parameters are named through linfa's ParamGuard.
    let bad = ForestParams {
        n_trees: 0,
        ..Default::default()
    };
    let e = bad.fit(&train).unwrap_err();
    assert!(e.to_string().contains("n_trees"), "{e}");
}
