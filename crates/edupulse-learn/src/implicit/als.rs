//! Alternating least squares for implicit feedback with the conjugate-gradient solver.
//!
//! Hu, Koren & Volinsky (2008): minimise `Σ_ui c_ui (p_ui − x_u·y_i)² + λ(‖X‖² + ‖Y‖²)` with
//! preference `p_ui = [w_ui > 0]` and confidence `c_ui = 1 + α·w_ui` (unobserved cells: `p = 0`,
//! `c = 1`). Each half-step solves `(YᵀY + Yᵀ(Cᵤ − I)Y + λI) x_u = YᵀCᵤpᵤ` for every user (then
//! every item) with `cg_steps` conjugate-gradient steps warm-started from the current factors
//! (Takács, Pilászy & Tikk 2011), which costs `O(k² + nnz_u·k)` per step instead of a `k³`
//! solve — the scheme of the `implicit` package (its `least_squares_cg`).

use super::kernels::{axpy, dot, dot_seq, gram, matvec, scores, ItemPanels, PANEL};
use super::{row_skip, top_k_for_row, top_k_into, Csr};
use crate::error::{LearnError, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Parameters of [`Als::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlsParams {
    /// Latent factors per user and item (default 64).
    pub factors: usize,
    /// L2 penalty λ on every factor (default 0.05).
    pub regularization: f32,
    /// Confidence slope α in `c = 1 + α·w` (default 1.0). The `implicit` package uses
    /// `c = α·w`: for weight-1 data its `alpha` is this α + 1 (the same objective).
    pub alpha: f32,
    /// Alternating sweeps over users then items (default 15).
    pub iterations: usize,
    /// Conjugate-gradient steps per row and half-step (default 3, as `implicit`).
    pub cg_steps: usize,
    /// Seed of the initial factors (uniform on [0, 0.01)).
    pub random_state: u64,
    /// Frequency scaling ν of the penalty (default 0 = plain λ): row `u` with `n_u` observed
    /// cells is penalised by `λ·n_u^ν` (ν = 1 is the weighted-λ regularisation of Zhou et al.
    /// 2008; users and items alike; a row without observed cells counts as `n = 1`).
    pub regularization_exponent: f32,
    /// Popularity exponent γ of the weight of unobserved cells (default 0 = every unobserved
    /// cell weighs 1, Hu, Koren & Volinsky). With γ > 0 an unobserved cell of item `i` weighs
    /// `c₀ᵢ = nᵢ^γ / mean_j(n_j^γ)` (`nᵢ` the users with item `i`, at least 1): not having
    /// consumed a popular item says more than not having consumed a rare one (He et al. 2016,
    /// "Fast matrix factorization for online recommendation with implicit feedback", §3.2).
    /// The mean weight of an unobserved cell stays 1; observed cells keep `c = 1 + α·w`.
    pub negative_weight_exponent: f32,
}

impl Default for AlsParams {
    fn default() -> Self {
        AlsParams {
            factors: 64,
            regularization: 0.05,
            alpha: 1.0,
            iterations: 15,
            cg_steps: 3,
            random_state: 0,
            regularization_exponent: 0.0,
            negative_weight_exponent: 0.0,
        }
    }
}

impl AlsParams {
    /// Check ranges: `1 ≤ factors ≤ 1024`, `regularization ≥ 0`, `alpha > 0` (finite),
    /// `iterations ≥ 1`, `cg_steps ≥ 1`, `0 ≤ regularization_exponent ≤ 2`,
    /// `−2 ≤ negative_weight_exponent ≤ 2`.
    pub fn validate(&self) -> Result<()> {
        if !(1..=1024).contains(&self.factors) {
            return Err(LearnError::param("factors", "must be in 1..=1024"));
        }
        if !(self.regularization.is_finite() && self.regularization >= 0.0) {
            return Err(LearnError::param(
                "regularization",
                "must be finite and ≥ 0",
            ));
        }
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return Err(LearnError::param("alpha", "must be finite and > 0"));
        }
        if self.iterations == 0 {
            return Err(LearnError::param("iterations", "must be ≥ 1"));
        }
        if self.cg_steps == 0 {
            return Err(LearnError::param("cg_steps", "must be ≥ 1"));
        }
        if !(0.0..=2.0).contains(&self.regularization_exponent) {
            return Err(LearnError::param(
                "regularization_exponent",
                "must be in 0..=2",
            ));
        }
        if !(-2.0..=2.0).contains(&self.negative_weight_exponent) {
            return Err(LearnError::param(
                "negative_weight_exponent",
                "must be in -2..=2",
            ));
        }
        Ok(())
    }
}

/// A fitted implicit-feedback ALS model: row-major user and item factors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Als {
    factors: usize,
    alpha: f32,
    regularization: f32,
    #[serde(default)]
    regularization_exponent: f32,
    /// Weight `c₀ᵢ` of an unobserved cell per item; empty = 1 for every item.
    #[serde(default)]
    negative_weights: Vec<f32>,
    user_factors: Vec<f32>,
    item_factors: Vec<f32>,
}

/// Rows per unit of parallel work.
const ROWS_PER_UNIT: usize = 512;

impl Als {
    /// Fit on a users × items matrix of non-negative weights.
    pub fn fit(user_items: &Csr, params: &AlsParams) -> Result<Als> {
        params.validate()?;
        if user_items.nnz() == 0 {
            return Err(LearnError::validation(
                "interactions",
                None,
                None,
                "no interactions to fit",
            ));
        }
        let k = params.factors;
        let alpha = params.alpha;
        let cu = user_items.map_weights(|w| alpha * w);
        let ci = cu.transpose();
        let mut rng = ChaCha8Rng::seed_from_u64(params.random_state);
        let mut x: Vec<f32> = (0..cu.n_rows() * k)
            .map(|_| rng.gen::<f32>() * 0.01)
            .collect();
        let mut y: Vec<f32> = (0..ci.n_rows() * k)
            .map(|_| rng.gen::<f32>() * 0.01)
            .collect();
        let c0 = negative_weights(&ci, params.negative_weight_exponent);
        let step = Step {
            reg: params.regularization,
            nu: params.regularization_exponent,
            cg_steps: params.cg_steps,
        };
        for it in 0..params.iterations {
            crate::progress::tick(it, params.iterations)?;
            half_step(&cu, &mut x, &y, k, step, Negatives::of_columns(&c0));
            half_step(&ci, &mut y, &x, k, step, Negatives::of_rows(&c0));
        }
        crate::progress::tick(params.iterations, params.iterations)?;
        Ok(Als {
            factors: k,
            alpha,
            regularization: params.regularization,
            regularization_exponent: params.regularization_exponent,
            negative_weights: c0,
            user_factors: x,
            item_factors: y,
        })
    }

    /// Latent factors per row.
    pub fn factors(&self) -> usize {
        self.factors
    }

    /// Number of users.
    pub fn n_users(&self) -> usize {
        self.user_factors.len() / self.factors.max(1)
    }

    /// Number of items.
    pub fn n_items(&self) -> usize {
        self.item_factors.len() / self.factors.max(1)
    }

    /// Row-major `n_users × factors` user factors.
    pub fn user_factors(&self) -> &[f32] {
        &self.user_factors
    }

    /// Row-major `n_items × factors` item factors.
    pub fn item_factors(&self) -> &[f32] {
        &self.item_factors
    }

    /// Scores `x_u · y_j` of `user` for every item (empty for an unknown user), summed in
    /// factor order — the same bits as [`Als::recommend_many`]'s blocked kernel.
    pub fn scores(&self, user: usize) -> Vec<f32> {
        let k = self.factors;
        match self.user_factors.get(user * k..(user + 1) * k) {
            Some(xu) => self
                .item_factors
                .chunks_exact(k)
                .map(|yj| dot_seq(xu, yj))
                .collect(),
            None => Vec::new(),
        }
    }

    /// The `k` best `(item, score)` pairs for `user`, excluding the user's items of
    /// `user_items` when `exclude_seen`, restricted to `candidates` (sorted item indices) if
    /// given.
    pub fn recommend(
        &self,
        user_items: &Csr,
        user: usize,
        k: usize,
        exclude_seen: bool,
        candidates: Option<&[u32]>,
    ) -> Vec<(u32, f32)> {
        let s = self.scores(user);
        top_k_for_row(&s, user_items, user, k, exclude_seen, candidates)
    }

    /// [`Als::recommend`] for many users at once; users out of range get an empty list.
    ///
    /// Blocked: 64 users at a time (parallel over blocks) are scored against 1,024 items at a
    /// time with a register-blocked kernel (4 users × 16 items per step over item factors laid
    /// out in panels), and each chunk of scores is merged into the users' running top-`k` while
    /// it is still in cache (partial selection: most scores are rejected by one comparison with
    /// the current `k`-th). Same results as calling [`Als::recommend`] per user.
    pub fn recommend_many(
        &self,
        user_items: &Csr,
        users: &[u32],
        k: usize,
        exclude_seen: bool,
        candidates: Option<&[u32]>,
    ) -> Vec<Vec<(u32, f32)>> {
        const BLOCK: usize = 64;
        const CHUNK_PANELS: usize = 64;
        let f = self.factors;
        let n_users = self.n_users();
        let panels = ItemPanels::new(&self.item_factors, f);
        let n_items = panels.n_items();
        let n_panels = panels.n_panels();
        let blocks: Vec<&[u32]> = users.chunks(BLOCK).collect();
        let out = crate::parallel::map(blocks.len(), |b| {
            let block = blocks[b];
            let known: Vec<u32> = block
                .iter()
                .copied()
                .filter(|&u| (u as usize) < n_users)
                .collect();
            let mut xs = vec![0.0f32; known.len() * f];
            for (r, &u) in known.iter().enumerate() {
                let u = u as usize;
                xs[r * f..(r + 1) * f].copy_from_slice(&self.user_factors[u * f..(u + 1) * f]);
            }
            let stride = CHUNK_PANELS * PANEL;
            let mut buf = vec![0.0f32; known.len() * stride];
            let mut best: Vec<Vec<(u32, f32)>> = vec![Vec::with_capacity(k + 1); known.len()];
            let mut first = 0;
            while first < n_panels {
                let count = CHUNK_PANELS.min(n_panels - first);
                scores(&xs, &panels, first, count, &mut buf, stride);
                let start = first * PANEL;
                let width = (count * PANEL).min(n_items - start);
                for (r, &u) in known.iter().enumerate() {
                    let skip = row_skip(user_items, u as usize, exclude_seen, candidates);
                    let row = &buf[r * stride..r * stride + width];
                    top_k_into(&mut best[r], k, row, start, skip);
                }
                first += count;
            }
            let mut best = best.into_iter();
            block
                .iter()
                .map(|&u| {
                    if (u as usize) < n_users {
                        best.next().unwrap_or_default()
                    } else {
                        Vec::new()
                    }
                })
                .collect::<Vec<_>>()
        });
        out.into_iter().flatten().collect()
    }

    /// Why `user` scores `item`: the user's items ranked by their exact share of the score. The
    /// user's factor solves `W x = Σ_i c_i y_i` with `W = YᵀC₀Y + Yᵀ(C − C₀)Y + λI` (`C₀` the
    /// unobserved cells' weights, the identity by default), so
    /// `score = Σ_i c_i · (yᵀ_item W⁻¹ y_i)` (the decomposition of `implicit`'s `explain`).
    /// Returns the `n` largest `(item, contribution)` pairs, largest first.
    pub fn explain(&self, user_items: &Csr, user: usize, item: usize, n: usize) -> Vec<(u32, f32)> {
        let k = self.factors;
        let (cols, ws) = user_items.row(user);
        if cols.is_empty() || item >= self.n_items() {
            return Vec::new();
        }
        let y = &self.item_factors;
        let reg = row_penalty(self.regularization, self.regularization_exponent, ws);
        let c0 = |i: usize| f64::from(self.negative_weights.get(i).copied().unwrap_or(1.0));
        let mut w: Vec<f64> = if self.negative_weights.is_empty() {
            gram(y, k, reg)
        } else {
            weighted_gram(y, k, &self.negative_weights, reg)
        }
        .into_iter()
        .map(f64::from)
        .collect();
        for (&i, &wt) in cols.iter().zip(ws) {
            let c1 = 1.0 + f64::from(self.alpha * wt) - c0(i as usize);
            let yi = &y[i as usize * k..(i as usize + 1) * k];
            for a in 0..k {
                let ya = c1 * f64::from(yi[a]);
                for b in 0..k {
                    w[a * k + b] += ya * f64::from(yi[b]);
                }
            }
        }
        let Some(l) = cholesky(&mut w, k) else {
            return Vec::new();
        };
        let yj: Vec<f64> = y[item * k..(item + 1) * k]
            .iter()
            .map(|v| f64::from(*v))
            .collect();
        let z = cholesky_solve(l, k, &yj);
        let mut contrib: Vec<(u32, f32)> = cols
            .iter()
            .zip(ws)
            .map(|(&i, &wt)| {
                let c = 1.0 + f64::from(self.alpha * wt);
                let yi = &y[i as usize * k..(i as usize + 1) * k];
                let s: f64 = z.iter().zip(yi).map(|(a, b)| a * f64::from(*b)).sum();
                (i, (c * s) as f32)
            })
            .collect();
        contrib.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        contrib.truncate(n);
        contrib
    }
}

/// The penalty of a row with `c − 1` weights `c1s`: `λ·n^ν`, `n` its positive weights (≥ 1).
fn row_penalty(reg: f32, nu: f32, c1s: &[f32]) -> f32 {
    if nu == 0.0 {
        return reg;
    }
    let n = c1s.iter().filter(|c| **c > 0.0).count().max(1);
    reg * (n as f32).powf(nu)
}

/// The solver's fixed settings for one fit: penalty λ, its frequency exponent ν, CG steps.
#[derive(Debug, Clone, Copy)]
pub(super) struct Step {
    pub(super) reg: f32,
    pub(super) nu: f32,
    pub(super) cg_steps: usize,
}

/// The weights `c₀` of unobserved cells in one half-step: none (all 1), per column of the
/// solved rows (the user step: `c₀` of each item) or per solved row (the item step).
#[derive(Debug, Clone, Copy)]
pub(super) enum Negatives<'a> {
    /// Every unobserved cell weighs 1.
    Uniform,
    /// The weight of each column's unobserved cells.
    Columns(&'a [f32]),
    /// The weight of each solved row's unobserved cells.
    Rows(&'a [f32]),
}

impl<'a> Negatives<'a> {
    pub(super) fn of_columns(c0: &'a [f32]) -> Negatives<'a> {
        if c0.is_empty() {
            Negatives::Uniform
        } else {
            Negatives::Columns(c0)
        }
    }

    pub(super) fn of_rows(c0: &'a [f32]) -> Negatives<'a> {
        if c0.is_empty() {
            Negatives::Uniform
        } else {
            Negatives::Rows(c0)
        }
    }
}

/// The unobserved-cell weight per item, `nᵢ^γ / mean_j(n_j^γ)` with `nᵢ` the users with item
/// `i` (at least 1), from the items × users matrix `ci`; empty when `γ = 0` (all 1).
pub(super) fn negative_weights(ci: &Csr, gamma: f32) -> Vec<f32> {
    if gamma == 0.0 || ci.n_rows() == 0 {
        return Vec::new();
    }
    let raw: Vec<f64> = (0..ci.n_rows())
        .map(|i| {
            let n = ci.row(i).1.iter().filter(|w| **w > 0.0).count().max(1);
            (n as f64).powf(f64::from(gamma))
        })
        .collect();
    let mean = raw.iter().sum::<f64>() / raw.len() as f64;
    raw.iter().map(|v| (v / mean) as f32).collect()
}

/// `Σ_j w_j y_j y_jᵀ + λI` over the rows of `y` (the user step's Gram matrix with weighted
/// unobserved cells).
fn weighted_gram(y: &[f32], k: usize, w: &[f32], lambda: f32) -> Vec<f32> {
    let scaled: Vec<f32> = y
        .chunks_exact(k.max(1))
        .zip(w)
        .flat_map(|(row, &wj)| {
            let s = wj.sqrt();
            row.iter().map(move |v| v * s)
        })
        .collect();
    gram(&scaled, k, lambda)
}

/// One half-step: solve every row of `x` given the fixed factors `y` and the rows' `c − 1`
/// weights in `cu`; row penalty `λ·n^ν` ([`row_penalty`]); unobserved cells weighted by `neg`.
pub(super) fn half_step(
    cu: &Csr,
    x: &mut [f32],
    y: &[f32],
    k: usize,
    step: Step,
    neg: Negatives<'_>,
) {
    let Step { reg, nu, cg_steps } = step;
    // With ν = 0 the penalty sits on the Gram matrix's diagonal, unless the Gram matrix is
    // scaled per row (item step with weighted negatives); otherwise each row adds its own.
    let penalty_in_gram = nu == 0.0 && !matches!(neg, Negatives::Rows(_));
    let diag = if penalty_in_gram { reg } else { 0.0 };
    let yty = match neg {
        Negatives::Columns(c0) => weighted_gram(y, k, c0, diag),
        Negatives::Uniform | Negatives::Rows(_) => gram(y, k, diag),
    };
    let units: Vec<(usize, &mut [f32])> = x
        .chunks_mut(ROWS_PER_UNIT * k)
        .enumerate()
        .map(|(b, c)| (b * ROWS_PER_UNIT, c))
        .collect();
    crate::parallel::for_each(0, units, |(start, block)| {
        let mut r = vec![0.0f32; k];
        let mut p = vec![0.0f32; k];
        let mut ap = vec![0.0f32; k];
        for (off, xu) in block.chunks_exact_mut(k).enumerate() {
            let row = start + off;
            let (cols, c1s) = cu.row(row);
            let extra = if penalty_in_gram {
                0.0
            } else {
                row_penalty(reg, nu, c1s)
            };
            if let Negatives::Uniform = neg {
                cg_row(
                    xu, cols, c1s, y, &yty, extra, k, cg_steps, &mut r, &mut p, &mut ap,
                );
                continue;
            }
            let mut work = (&mut r[..], &mut p[..], &mut ap[..]);
            match neg {
                Negatives::Uniform => {}
                Negatives::Columns(c0) => cg_row_with(
                    xu,
                    Row {
                        cols,
                        c1s,
                        y,
                        yty: &yty,
                        scale: 1.0,
                        extra,
                    },
                    k,
                    cg_steps,
                    &mut work,
                    |i, c1| {
                        let base = c0.get(i as usize).copied().unwrap_or(1.0);
                        (1.0 + c1 - base, 1.0 + c1)
                    },
                ),
                Negatives::Rows(c0) => {
                    let base = c0.get(row).copied().unwrap_or(1.0);
                    cg_row_with(
                        xu,
                        Row {
                            cols,
                            c1s,
                            y,
                            yty: &yty,
                            scale: base,
                            extra,
                        },
                        k,
                        cg_steps,
                        &mut work,
                        |_, c1| (1.0 + c1 - base, 1.0 + c1),
                    )
                }
            }
        }
    });
}

/// One row's system for [`cg_row_with`]: `scale·yty + extra·I + Σ δ y yᵀ` over the observed
/// cells `cols` (their `c − 1` weights `c1s`) of the fixed factors `y`.
struct Row<'a> {
    cols: &'a [u32],
    c1s: &'a [f32],
    y: &'a [f32],
    yty: &'a [f32],
    scale: f32,
    extra: f32,
}

/// Conjugate-gradient steps on one row (`implicit`'s `least_squares_cg`, with `c = 1 + c1`);
/// the system matrix is `yty + extra·I + Σ c1 y yᵀ`.
#[allow(clippy::too_many_arguments)]
pub(super) fn cg_row(
    xu: &mut [f32],
    cols: &[u32],
    c1s: &[f32],
    y: &[f32],
    yty: &[f32],
    extra: f32,
    k: usize,
    steps: usize,
    r: &mut [f32],
    p: &mut [f32],
    ap: &mut [f32],
) {
    let row = Row {
        cols,
        c1s,
        y,
        yty,
        scale: 1.0,
        extra,
    };
    cg_row_with(xu, row, k, steps, &mut (r, p, ap), |_, c1| (c1, 1.0 + c1));
}

/// Conjugate-gradient steps on one row with per-cell weights: `cell(i, c1)` gives the observed
/// cell's `(δ, t)` — its weight above the unobserved one (in the matrix) and its full weight
/// (in the right-hand side `Σ t y`). Skips cells with `c1 ≤ 0` (stored zeros: unobserved).
#[inline(always)]
fn cg_row_with(
    xu: &mut [f32],
    row: Row<'_>,
    k: usize,
    steps: usize,
    work: &mut (&mut [f32], &mut [f32], &mut [f32]),
    cell: impl Fn(u32, f32) -> (f32, f32),
) {
    let Row {
        cols,
        c1s,
        y,
        yty,
        scale,
        extra,
    } = row;
    let (r, p, ap) = (&mut *work.0, &mut *work.1, &mut *work.2);
    matvec(yty, xu, r);
    if scale != 1.0 {
        r.iter_mut().for_each(|v| *v *= scale);
    }
    if extra != 0.0 {
        axpy(extra, xu, r);
    }
    r.iter_mut().for_each(|v| *v = -*v);
    for (&i, &c1) in cols.iter().zip(c1s) {
        if c1 <= 0.0 {
            continue;
        }
        let (delta, target) = cell(i, c1);
        let yi = &y[i as usize * k..(i as usize + 1) * k];
        axpy(target - delta * dot(yi, xu), yi, r);
    }
    p.copy_from_slice(r);
    let mut rs_old = dot(r, r);
    if rs_old < 1e-20 {
        return;
    }
    for _ in 0..steps {
        matvec(yty, p, ap);
        if scale != 1.0 {
            ap.iter_mut().for_each(|v| *v *= scale);
        }
        if extra != 0.0 {
            axpy(extra, p, ap);
        }
        for (&i, &c1) in cols.iter().zip(c1s) {
            if c1 <= 0.0 {
                continue;
            }
            let (delta, _) = cell(i, c1);
            let yi = &y[i as usize * k..(i as usize + 1) * k];
            axpy(delta * dot(yi, p), yi, ap);
        }
        let pap = dot(p, ap);
        if !pap.is_finite() || pap <= 0.0 {
            break;
        }
        let a = rs_old / pap;
        axpy(a, p, xu);
        axpy(-a, ap, r);
        let rs_new = dot(r, r);
        if rs_new < 1e-20 {
            break;
        }
        let beta = rs_new / rs_old;
        for (pv, rv) in p.iter_mut().zip(r.iter()) {
            *pv = rv + beta * *pv;
        }
        rs_old = rs_new;
    }
}

/// In-place lower Cholesky factor of a row-major `k × k` SPD matrix (`None` if not SPD).
pub(super) fn cholesky(a: &mut [f64], k: usize) -> Option<&[f64]> {
    for j in 0..k {
        let mut d = a[j * k + j];
        for m in 0..j {
            d -= a[j * k + m] * a[j * k + m];
        }
        if d.is_nan() || d <= 0.0 {
            return None;
        }
        let d = d.sqrt();
        a[j * k + j] = d;
        for i in j + 1..k {
            let mut s = a[i * k + j];
            for m in 0..j {
                s -= a[i * k + m] * a[j * k + m];
            }
            a[i * k + j] = s / d;
        }
    }
    Some(a)
}

/// Solve `L Lᵀ z = b` with the factor of [`cholesky`].
pub(super) fn cholesky_solve(l: &[f64], k: usize, b: &[f64]) -> Vec<f64> {
    let mut z = b.to_vec();
    for i in 0..k {
        let mut s = z[i];
        for m in 0..i {
            s -= l[i * k + m] * z[m];
        }
        z[i] = s / l[i * k + i];
    }
    for i in (0..k).rev() {
        let mut s = z[i];
        for m in i + 1..k {
            s -= l[m * k + i] * z[m];
        }
        z[i] = s / l[i * k + i];
    }
    z
}
