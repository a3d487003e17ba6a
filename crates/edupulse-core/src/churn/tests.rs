//! Reference tests of the buy-till-you-die models against CDNOW (Fader, Hardie & Lee; `lifetimes`
//! 0.11.3 fitted values in ../shared/data/cdnow/reference.txt).

#![allow(clippy::type_complexity)]

use super::*;
use chrono::{NaiveDate, TimeZone, Utc};
use std::path::PathBuf;

/// `shared/data/<name>` found from the crate directory upwards (worktrees sit deeper than main),
/// or under `$EDUPULSE_SHARED_DATA`.
pub(crate) fn shared_data(name: &str) -> Option<PathBuf> {
    if let Ok(root) = std::env::var("EDUPULSE_SHARED_DATA") {
        let p = PathBuf::from(root).join(name);
        return p.exists().then_some(p);
    }
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .map(|a| a.join("shared").join("data").join(name))
        .find(|p| p.exists())
}

struct Cdnow {
    id: Vec<u32>,
    x: Vec<f64>,
    tx: Vec<f64>,
    t: Vec<f64>,
    m: Vec<f64>,
}

fn parse_summary(text: &str) -> Cdnow {
    let mut c = Cdnow {
        id: vec![],
        x: vec![],
        tx: vec![],
        t: vec![],
        m: vec![],
    };
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').collect();
        c.id.push(f[0].parse().unwrap());
        c.x.push(f[1].parse().unwrap());
        c.tx.push(f[2].parse().unwrap());
        c.t.push(f[3].parse().unwrap());
        c.m.push(f[4].parse().unwrap());
    }
    c
}

fn full_cdnow() -> Option<Cdnow> {
    let p = shared_data("cdnow/cdnow_customers_summary_with_transactions.csv")?;
    Some(parse_summary(&std::fs::read_to_string(p).unwrap()))
}

fn slice_cdnow() -> Cdnow {
    parse_summary(include_str!("testdata/cdnow_slice.csv"))
}

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-300)
}

/// `x` rounded to 4 significant digits equals `published` rounded the same way.
fn sig4(x: f64, published: f64) -> bool {
    let r = |v: f64| {
        let e = v.abs().log10().floor() as i32 - 3;
        (v / 10f64.powi(e)).round() * 10f64.powi(e)
    };
    r(x) == r(published)
}

// Per-customer reference vectors (reference.txt): id, x, t_x, T, m_x, BG_E39, BG_Palive,
// PNBD_E39, PNBD_Palive, GG_E_spend.
const VECTORS: [(u32, f64, f64, f64, f64, f64, f64, f64, f64, f64); 4] = [
    (
        1, 2.0, 30.43, 38.86, 22.35, 1.22591, 0.726609, 1.45509, 0.869116, 24.6586,
    ),
    (
        3, 0.0, 0.0, 38.86, 0.0, 0.194781, 1.0, 0.107058, 0.295103, 35.171,
    ),
    (
        1901,
        21.0,
        4.71,
        29.29,
        299.63,
        4.49907e-10,
        2.48944e-11,
        4.03987e-07,
        2.38388e-08,
        294.212,
    ),
    (
        157, 29.0, 37.71, 38.0, 26.26, 20.0537, 0.969134, 19.5947, 0.996124, 26.3929,
    ),
];

fn check_vectors(bg: &BetaGeo, pn: &ParetoNbd, gg: &GammaGamma, tol: f64) {
    for v in VECTORS {
        let (id, x, tx, t, m) = (v.0, v.1, v.2, v.3, v.4);
        let checks = [
            (
                "BG E39",
                bg.conditional_expected_purchases(39.0, x, tx, t).unwrap(),
                v.5,
            ),
            ("BG Palive", bg.probability_alive(x, tx, t), v.6),
            (
                "PNBD E39",
                pn.conditional_expected_purchases(39.0, x, tx, t).unwrap(),
                v.7,
            ),
            ("PNBD Palive", pn.probability_alive(x, tx, t).unwrap(), v.8),
            ("GG spend", gg.conditional_expected_average_spend(x, m), v.9),
        ];
        for (name, got, want) in checks {
            // The reference prints 6 significant digits: allow the print rounding on top of `tol`.
            assert!(
                rel(got, want) < tol + 5e-6,
                "customer {id} {name}: {got} vs {want}"
            );
        }
    }
}

/// The lifetimes-fitted parameters of reference.txt (published figures).
fn reference_models() -> (BetaGeo, ParetoNbd, GammaGamma) {
    (
        BetaGeo::new(0.242593, 4.413532, 0.792886, 2.425752).unwrap(),
        ParetoNbd::new(0.553258, 10.5775, 0.606246, 11.669237).unwrap(),
        GammaGamma::new(6.248802, 3.744588, 15.447748).unwrap(),
    )
}

#[test]
fn per_customer_vectors_at_reference_parameters() {
    let (bg, pn, gg) = reference_models();
    check_vectors(&bg, &pn, &gg, 1e-4);
    // Paper's worked example at the rounded published parameters.
    let paper = BetaGeo::new(0.243, 4.414, 0.793, 2.426).unwrap();
    let e = paper
        .conditional_expected_purchases(39.0, 2.0, 30.43, 38.86)
        .unwrap();
    assert!((e - 1.226).abs() < 5e-4, "{e}");
    assert!(rel(bg.expected_purchases_new_customer(39.0).unwrap(), 1.195016) < 1e-5);
    assert!(rel(pn.expected_purchases_new_customer(39.0).unwrap(), 1.213394) < 1e-5);
}

#[test]
fn log_likelihood_at_reference_parameters_on_the_slice_is_maximal_nearby() {
    // On the in-repo slice: the fit reaches a maximum (every perturbation lowers the LL).
    let c = slice_cdnow();
    let bg = BetaGeo::fit(&c.x, &c.tx, &c.t, &FitParams::default()).unwrap();
    let ll = |m: &BetaGeo| -> f64 {
        (0..c.x.len())
            .map(|i| m.customer_log_likelihood(c.x[i], c.tx[i], c.t[i]))
            .sum()
    };
    let best = ll(&bg);
    assert!((best - bg.fit.as_ref().unwrap().log_likelihood).abs() < 1e-8);
    for i in 0..4 {
        for f in [0.99, 1.01] {
            let mut p = bg.params();
            p[i] *= f;
            let m = BetaGeo::new(p[0], p[1], p[2], p[3]).unwrap();
            assert!(ll(&m) < best, "param {i} × {f}");
        }
    }
    let pn = ParetoNbd::fit(&c.x, &c.tx, &c.t, &FitParams::default()).unwrap();
    let lp = |m: &ParetoNbd| -> f64 {
        (0..c.x.len())
            .map(|i| m.customer_log_likelihood(c.x[i], c.tx[i], c.t[i]).unwrap())
            .sum()
    };
    let best = lp(&pn);
    for i in 0..4 {
        for f in [0.99, 1.01] {
            let mut p = pn.params();
            p[i] *= f;
            let m = ParetoNbd::new(p[0], p[1], p[2], p[3]).unwrap();
            assert!(lp(&m) < best, "param {i} × {f}");
        }
    }
    let rep: Vec<usize> = (0..c.x.len()).filter(|&i| c.x[i] > 0.0).collect();
    let gx: Vec<f64> = rep.iter().map(|&i| c.x[i]).collect();
    let gm: Vec<f64> = rep.iter().map(|&i| c.m[i]).collect();
    let gg = GammaGamma::fit(&gx, &gm, &FitParams::default()).unwrap();
    assert!(gg
        .fit
        .as_ref()
        .unwrap()
        .standard_errors
        .iter()
        .all(|s| s.is_finite() && *s > 0.0));
}

#[test]
fn cdnow_reference_fits() {
    let Some(c) = full_cdnow() else {
        eprintln!("skipped: ../shared/data/cdnow not found");
        return;
    };
    let fp = FitParams::default();
    let bg = BetaGeo::fit(&c.x, &c.tx, &c.t, &fp).unwrap();
    let pn = ParetoNbd::fit(&c.x, &c.tx, &c.t, &fp).unwrap();
    let rep: Vec<usize> = (0..c.x.len()).filter(|&i| c.x[i] > 0.0).collect();
    assert_eq!(rep.len(), 946);
    let gx: Vec<f64> = rep.iter().map(|&i| c.x[i]).collect();
    let gm: Vec<f64> = rep.iter().map(|&i| c.m[i]).collect();
    let gg = GammaGamma::fit(&gx, &gm, &fp).unwrap();
    let bgi = bg.fit.as_ref().unwrap();
    let pni = pn.fit.as_ref().unwrap();
    let ggi = gg.fit.as_ref().unwrap();
    eprintln!(
        "BG {:?} {:?}\nPNBD {:?} {:?}\nGG {:?} {:?}",
        bg.params(),
        bgi,
        pn.params(),
        pni,
        gg.params(),
        ggi
    );
    for (got, want) in bg
        .params()
        .iter()
        .zip([0.242593, 4.413532, 0.792886, 2.425752])
    {
        assert!(sig4(*got, want), "BG/NBD {got} vs {want}");
    }
    assert!(
        (bgi.log_likelihood - -9582.4256).abs() < 0.01,
        "{}",
        bgi.log_likelihood
    );
    for (got, want) in bgi
        .standard_errors
        .iter()
        .zip([0.01256, 0.37822, 0.18572, 0.70535])
    {
        assert!(rel(*got, want) < 2e-3, "BG/NBD se {got} vs {want}");
    }
    for (got, want) in pn
        .params()
        .iter()
        .zip([0.553258, 10.5775, 0.606246, 11.669237])
    {
        assert!(sig4(*got, want), "Pareto/NBD {got} vs {want}");
    }
    assert!(
        (pni.log_likelihood - -9594.9739).abs() < 0.01,
        "{}",
        pni.log_likelihood
    );
    for (got, want) in gg.params().iter().zip([6.248802, 3.744588, 15.447748]) {
        assert!(sig4(*got, want), "Gamma-Gamma {got} vs {want}");
    }
    assert!(
        (ggi.log_likelihood - -4055.9232).abs() < 0.01,
        "{}",
        ggi.log_likelihood
    );
    // Per-customer vectors at our own fitted parameters.
    check_vectors(&bg, &pn, &gg, 1e-4);
    // CLV, 12 months, 1 %/month, weeks: ID 1 36.278496, ID 157 625.350034.
    let idx: Vec<usize> = [1u32, 157]
        .iter()
        .map(|id| c.id.iter().position(|v| v == id).unwrap())
        .collect();
    let pick = |v: &Vec<f64>| idx.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let clv = customer_lifetime_value(
        &bg,
        &gg,
        TimeUnit::Week,
        &pick(&c.x),
        &pick(&c.tx),
        &pick(&c.t),
        &pick(&c.m),
        12,
        0.01,
    )
    .unwrap();
    assert!(rel(clv[0], 36.278496) < 1e-4, "{}", clv[0]);
    assert!(rel(clv[1], 625.350034) < 1e-4, "{}", clv[1]);
}

fn cdnow_transactions() -> Option<(Vec<String>, Vec<chrono::DateTime<Utc>>, Vec<f64>)> {
    let p = shared_data("cdnow/CDNOW_sample.txt")?;
    let text = std::fs::read_to_string(p).unwrap();
    let (mut ids, mut at, mut amt) = (vec![], vec![], vec![]);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        ids.push(f[1].trim_start_matches('0').to_string());
        let d = NaiveDate::parse_from_str(f[2], "%Y%m%d").unwrap();
        at.push(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap()));
        amt.push(f[4].parse().unwrap());
    }
    Some((ids, at, amt))
}

#[test]
fn summary_matches_the_cdnow_summary() {
    let (Some((ids, at, amt)), Some(c)) = (cdnow_transactions(), full_cdnow()) else {
        eprintln!("skipped: ../shared/data/cdnow not found");
        return;
    };
    let params = SummaryParams {
        unit: TimeUnit::Week,
        observation_period_end: Some(Utc.with_ymd_and_hms(1997, 9, 30, 0, 0, 0).unwrap()),
        ..SummaryParams::default()
    };
    let s = summary_from_transactions(&ids, &at, Some(&amt), &params).unwrap();
    assert_eq!(s.len(), 2357);
    for (i, row) in s.iter().enumerate() {
        assert_eq!(row.customer_id, c.id[i].to_string());
        assert_eq!(row.frequency, c.x[i], "customer {}", row.customer_id);
        assert!(
            (row.recency - c.tx[i]).abs() <= 0.005 + 1e-9,
            "customer {} recency",
            row.customer_id
        );
        assert!(
            (row.t - c.t[i]).abs() <= 0.005 + 1e-9,
            "customer {} T",
            row.customer_id
        );
        assert!(
            (row.monetary_value - c.m[i]).abs() <= 0.005 + 1e-9,
            "customer {} m",
            row.customer_id
        );
    }
}

#[test]
fn bad_input_is_named() {
    let fp = FitParams::default();
    let err = |r: crate::Result<BetaGeo>| r.unwrap_err().to_string();
    assert!(err(BetaGeo::fit(&[-1.0], &[0.0], &[1.0], &fp)).contains("frequency"));
    assert!(err(BetaGeo::fit(&[1.5], &[0.0], &[1.0], &fp)).contains("frequency"));
    assert!(err(BetaGeo::fit(&[1.0], &[2.0], &[1.0], &fp)).contains("recency"));
    assert!(err(BetaGeo::fit(&[1.0], &[0.0], &[0.0], &fp)).contains("`T`"));
    assert!(err(BetaGeo::fit(&[1.0, 2.0], &[0.0], &[1.0, 1.0], &fp)).contains("recency"));
    assert!(err(BetaGeo::fit(&[], &[], &[], &fp)).contains("no customers"));
    let e = GammaGamma::fit(&[0.0, 1.0], &[0.0, 3.0], &fp).unwrap_err();
    assert!(e.to_string().contains("frequency"), "{e}");
    // A fit stopped too early is reported, not returned.
    let c = slice_cdnow();
    let e = ParetoNbd::fit(
        &c.x,
        &c.tx,
        &c.t,
        &FitParams {
            max_iter: 2,
            ..fp.clone()
        },
    )
    .unwrap_err();
    assert!(matches!(e, crate::CoreError::Convergence { .. }), "{e}");
    assert!(BetaGeo::new(0.0, 1.0, 1.0, 1.0).is_err());
    assert!(FitParams {
        tolerance: -1.0,
        ..fp
    }
    .validate()
    .is_err());
}

/// Simulated purchases with little evidence of dropout push the Pareto/NBD towards s, β → ∞, where
/// the hypergeometric series needs millions of terms: the fit must end promptly (a fit or a named
/// convergence error), never spin. (Found from Python: `ParetoNBDModel().fit(...)` on
/// `simulate(300, seed=1)` did not return.)
#[test]
fn pareto_nbd_on_data_without_dropout_ends_promptly() {
    let t = crate::simulate::simulate(&crate::simulate::SimConfig {
        students: 300,
        seed: 1,
        ..crate::simulate::SimConfig::default()
    })
    .unwrap();
    let ids: Vec<&str> = t.purchases.iter().map(|p| p.customer_id.as_str()).collect();
    let at: Vec<_> = t.purchases.iter().map(|p| p.at).collect();
    let s = summary_from_transactions(&ids, &at, None, &SummaryParams::default()).unwrap();
    let x: Vec<f64> = s.iter().map(|r| r.frequency).collect();
    let tx: Vec<f64> = s.iter().map(|r| r.recency).collect();
    let tt: Vec<f64> = s.iter().map(|r| r.t).collect();
    let t0 = std::time::Instant::now();
    let r = ParetoNbd::fit(&x, &tx, &tt, &FitParams::default());
    eprintln!(
        "pareto/nbd on simulated purchases: {:?} in {:?}",
        r.as_ref().map(|m| m.params()),
        t0.elapsed()
    );
    match r {
        Ok(m) => assert!(m.params().iter().all(|v| v.is_finite() && *v > 0.0)),
        Err(e) => {
            let msg = e.to_string();
            assert!(msg.contains("Pareto/NBD"), "{msg}");
            assert!(
                msg.contains("penalizer"),
                "the error says what to do: {msg}"
            );
        }
    }
    // And with a penalizer (as in `lifetimes`) the parameters stay finite and the fit converges.
    let m = ParetoNbd::fit(
        &x,
        &tx,
        &tt,
        &FitParams {
            penalizer: 0.01,
            ..FitParams::default()
        },
    )
    .unwrap();
    assert!(m.params().iter().all(|v| v.is_finite() && *v > 0.0));
}
