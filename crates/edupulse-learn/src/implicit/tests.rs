use super::als::{cg_row, cholesky, cholesky_solve, half_step, negative_weights, Negatives, Step};
use super::kernels::gram;
use super::*;

/// Two planted groups: users 0..20 consume items 0..6, users 20..40 items 6..12, each user all
/// but one item of its block (a different one per user).
fn blocks() -> (Csr, Vec<(u32, u32)>) {
    let (mut r, mut c, mut w, mut held) = (vec![], vec![], vec![], vec![]);
    for u in 0..40u32 {
        let base = if u < 20 { 0 } else { 6 };
        let skip = base + u % 6;
        for i in base..base + 6 {
            if i == skip {
                held.push((u, i));
            } else {
                r.push(u);
                c.push(i);
                w.push(1.0);
            }
        }
    }
    (Csr::from_triplets(40, 12, &r, &c, &w).unwrap(), held)
}

#[test]
fn triplets_sum_duplicates_and_name_bad_weights() {
    let m = Csr::from_triplets(2, 3, &[1, 0, 1], &[2, 1, 2], &[1.0, 2.0, 0.5]).unwrap();
    assert_eq!(m.nnz(), 2);
    assert_eq!(m.row(1), (&[2u32][..], &[1.5f32][..]));
    let t = m.transpose();
    assert_eq!(t.row(2), (&[1u32][..], &[1.5f32][..]));
    let e = Csr::from_triplets(2, 3, &[0, 1], &[0, 1], &[1.0, -1.0]).unwrap_err();
    let loc = e.location().unwrap();
    assert_eq!((loc.row, loc.column.as_deref()), (Some(2), Some("weight")));
    assert!(Csr::from_triplets(2, 3, &[2], &[0], &[1.0]).is_err());
}

#[test]
fn top_k_orders_breaks_ties_by_index_and_skips() {
    let s = [0.5, 0.9, f32::NAN, 0.9, 0.1, 0.7];
    assert_eq!(top_k(&s, 3, |_| false), vec![(1, 0.9), (3, 0.9), (5, 0.7)]);
    assert_eq!(top_k(&s, 2, |j| j == 1), vec![(3, 0.9), (5, 0.7)]);
    assert!(top_k(&s, 0, |_| false).is_empty());
}

#[test]
fn conjugate_gradient_reaches_the_exact_least_squares_solution() {
    // One user row against fixed item factors: k CG steps solve the k-dimensional system exactly.
    let k = 6;
    let y: Vec<f32> = (0..30 * k)
        .map(|i| ((i * 7919) % 97) as f32 / 97.0 - 0.5)
        .collect();
    let cols = [1u32, 4, 9, 17];
    let c1 = [2.0f32, 0.5, 3.0, 1.0];
    let lambda = 0.1;
    // A per-row penalty (frequency-scaled λ) on top of the Gram matrix's.
    let extra = 0.25;
    let yty = gram(&y, k, lambda);
    let mut x = vec![0.01f32; k];
    let (mut r, mut p, mut ap) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    cg_row(
        &mut x,
        &cols,
        &c1,
        &y,
        &yty,
        extra,
        k,
        3 * k,
        &mut r,
        &mut p,
        &mut ap,
    );
    // Direct: (YᵀY + (λ + extra)I + Σ c1 y yᵀ) x = Σ (1 + c1) y.
    let mut w: Vec<f64> = yty.iter().map(|v| f64::from(*v)).collect();
    for a in 0..k {
        w[a * k + a] += f64::from(extra);
    }
    let mut b = vec![0.0f64; k];
    for (&i, &c) in cols.iter().zip(&c1) {
        let yi = &y[i as usize * k..(i as usize + 1) * k];
        for a in 0..k {
            b[a] += f64::from((1.0 + c) * yi[a]);
            for bb in 0..k {
                w[a * k + bb] += f64::from(c * yi[a] * yi[bb]);
            }
        }
    }
    let l = cholesky(&mut w, k).unwrap().to_vec();
    let exact = cholesky_solve(&l, k, &b);
    for (a, e) in x.iter().zip(&exact) {
        assert!((f64::from(*a) - e).abs() < 1e-3, "{a} vs {e}");
    }
}

#[test]
fn als_recovers_planted_blocks_deterministically() {
    let (m, held) = blocks();
    let params = AlsParams {
        factors: 4,
        iterations: 10,
        ..AlsParams::default()
    };
    let als = Als::fit(&m, &params).unwrap();
    let users: Vec<u32> = (0..40).collect();
    let recs = als.recommend_many(&m, &users, 1, true, None);
    for (u, i) in &held {
        assert_eq!(recs[*u as usize][0].0, *i, "user {u}");
        assert_eq!(
            recs[*u as usize],
            als.recommend(&m, *u as usize, 1, true, None)
        );
    }
    // Same seed, one thread: identical factors.
    crate::parallel::set_num_threads(1);
    let one = Als::fit(&m, &params).unwrap();
    crate::parallel::set_num_threads(0);
    assert_eq!(one, als);
    let why = als.explain(&m, 0, held[0].1 as usize, 2);
    assert_eq!(why.len(), 2);
    assert!(why.iter().all(|(i, s)| *i < 6 && *s > 0.0));
    assert!(Als::fit(
        &m,
        &AlsParams {
            factors: 0,
            ..params
        }
    )
    .is_err());
}

#[test]
fn item_knn_cosine_matches_hand_computation_and_explains() {
    // Item columns: i0 = (1, 1, 0), i1 = (1, 0, 1), i2 = (0, 2, 0) over users 0..3.
    let m = Csr::from_triplets(
        3,
        3,
        &[0, 1, 0, 2, 1],
        &[0, 0, 1, 1, 2],
        &[1.0, 1.0, 1.0, 1.0, 2.0],
    )
    .unwrap();
    let knn = ItemKnn::fit(&m, &ItemKnnParams::default()).unwrap();
    let s = knn.similarity();
    let cos01 = 1.0 / 2.0; // (1·1) / (√2 · √2)
    let cos02 = 2.0 / (2f32.sqrt() * 2.0);
    assert_eq!(s.row(0).0, &[1, 2]);
    assert!((s.row(0).1[0] - cos01).abs() < 1e-6);
    assert!((s.row(0).1[1] - cos02).abs() < 1e-6);
    // User 2 has item 1 only: item 0 reachable (cos 0.5), item 2 not (cos 0).
    let rec = knn.recommend(&m, 2, 3, true, None);
    assert_eq!(rec.len(), 1);
    assert_eq!(rec[0].0, 0);
    let why = knn.explain(&m, 2, 0, 3);
    assert_eq!(why.len(), 1);
    assert_eq!(why[0].0, 1);
    assert!((why[0].1 - cos01).abs() < 1e-6);
    let bm = ItemKnn::fit(
        &m,
        &ItemKnnParams {
            weighting: Weighting::Bm25 { k1: 100.0, b: 0.8 },
            ..ItemKnnParams::default()
        },
    )
    .unwrap();
    assert_eq!(bm.similarity().n_rows(), 3);
    assert_eq!(popularity(&m), vec![2.0, 2.0, 1.0]);
}

#[test]
fn blocked_recommend_many_equals_per_user_recommend() {
    // 70 users (two blocks of the batch path) × 1,100 items (two score chunks, a partial last
    // panel), pseudo-random sparse rows.
    let (nu, ni) = (70u32, 1100u32);
    let (mut r, mut c, mut w) = (vec![], vec![], vec![]);
    for u in 0..nu {
        for t in 0..12u32 {
            r.push(u);
            c.push((u * 37 + t * t * 101 + t * 7) % ni);
            w.push(1.0 + (t % 3) as f32);
        }
    }
    let m = Csr::from_triplets(nu as usize, ni as usize, &r, &c, &w).unwrap();
    let als = Als::fit(
        &m,
        &AlsParams {
            factors: 8,
            iterations: 2,
            ..AlsParams::default()
        },
    )
    .unwrap();
    let mut users: Vec<u32> = (0..nu).collect();
    users.push(nu + 5); // unknown: empty list
    let cands: Vec<u32> = (0..ni).filter(|j| j % 3 != 1).collect();
    for (exclude, cand) in [(true, None), (false, Some(&cands[..]))] {
        let many = als.recommend_many(&m, &users, 7, exclude, cand);
        assert_eq!(many.len(), users.len());
        assert!(many[nu as usize].is_empty());
        for (u, got) in many.iter().enumerate().take(nu as usize) {
            assert_eq!(got.len(), 7);
            assert_eq!(*got, als.recommend(&m, u, 7, exclude, cand), "user {u}");
        }
    }
}

/// The weighted least-squares solution of every row by a dense solve over ALL cells: observed
/// cells weigh `1 + c1` with preference 1, unobserved ones `base(row, col)` with preference 0.
fn dense_rows(
    m: &Csr,
    y: &[f32],
    k: usize,
    lambda: f64,
    base: impl Fn(usize, usize) -> f64,
) -> Vec<f64> {
    let n_cols = y.len() / k;
    let mut out = Vec::new();
    for row in 0..m.n_rows() {
        let (cols, c1s) = m.row(row);
        let mut a = vec![0.0f64; k * k];
        let mut b = vec![0.0f64; k];
        for j in 0..n_cols {
            let (w, pref) = match cols.iter().position(|&c| c as usize == j) {
                Some(pos) => (1.0 + f64::from(c1s[pos]), 1.0),
                None => (base(row, j), 0.0),
            };
            let yj = &y[j * k..(j + 1) * k];
            for p in 0..k {
                b[p] += w * pref * f64::from(yj[p]);
                for q in 0..k {
                    a[p * k + q] += w * f64::from(yj[p]) * f64::from(yj[q]);
                }
            }
        }
        for d in 0..k {
            a[d * k + d] += lambda;
        }
        let l = cholesky(&mut a, k).expect("SPD").to_vec();
        out.extend(cholesky_solve(&l, k, &b));
    }
    out
}

#[test]
fn popularity_weighted_negatives_solve_the_weighted_least_squares_exactly() {
    // Both half-steps with enough CG steps equal a dense solve of the stated objective, where an
    // unobserved cell of item i weighs c0_i = n_i^γ / mean(n^γ).
    let (m, _) = blocks();
    // A popular item 0 (every user) and a rare one (item 11: two users) make c0 vary.
    let mut r: Vec<u32> = Vec::new();
    let (mut c, mut w) = (Vec::new(), Vec::new());
    for u in 0..m.n_rows() {
        let (cols, ws) = m.row(u);
        for (&i, &wt) in cols.iter().zip(ws) {
            if i != 11 || u < 22 {
                r.push(u as u32);
                c.push(i);
                w.push(2.0 * wt);
            }
        }
        if cols.first() != Some(&0) {
            r.push(u as u32);
            c.push(0);
            w.push(1.0);
        }
    }
    let m = Csr::from_triplets(40, 12, &r, &c, &w).unwrap();
    let (k, lambda) = (4usize, 0.3f32);
    let ci = m.transpose();
    let c0 = negative_weights(&ci, 0.5);
    let mean: f32 = c0.iter().sum::<f32>() / c0.len() as f32;
    assert!((mean - 1.0).abs() < 1e-5, "mean weight {mean}");
    assert!(c0[0] > c0[11], "popular item weighs more: {c0:?}");
    let step = Step {
        reg: lambda,
        nu: 0.0,
        cg_steps: 40,
    };
    let y: Vec<f32> = (0..12 * k)
        .map(|i| ((i * 7919) % 97) as f32 / 97.0 - 0.3)
        .collect();
    let x0: Vec<f32> = (0..40 * k)
        .map(|i| ((i * 104_729) % 89) as f32 / 89.0 - 0.5)
        .collect();
    // User step: unobserved weight of column (item) j.
    let mut x = x0.clone();
    half_step(&m, &mut x, &y, k, step, Negatives::of_columns(&c0));
    let want = dense_rows(&m, &y, k, f64::from(lambda), |_, j| f64::from(c0[j]));
    for (a, b) in x.iter().zip(&want) {
        assert!((f64::from(*a) - b).abs() < 1e-4, "user step {a} vs {b}");
    }
    // Item step: unobserved weight of the solved row (item) i.
    let mut yy = y.clone();
    half_step(&ci, &mut yy, &x0, k, step, Negatives::of_rows(&c0));
    let want = dense_rows(&ci, &x0, k, f64::from(lambda), |i, _| f64::from(c0[i]));
    for (a, b) in yy.iter().zip(&want) {
        assert!((f64::from(*a) - b).abs() < 1e-4, "item step {a} vs {b}");
    }
    // γ = 0 is the uniform model, bit for bit.
    assert!(negative_weights(&ci, 0.0).is_empty());
}
