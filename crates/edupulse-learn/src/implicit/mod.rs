//! Implicit-feedback recommenders over a user × item matrix of non-negative interaction weights
//! (attendance, watch share, purchases): what each user is likely to consume next, and which
//! consumed items led to it.
//!
//! It decides scores and top-k items per user from a sparse [`Csr`] matrix of weights; it knows
//! nothing about students or webinars (edupulse-core's `community` module maps ids, segments and
//! reasons onto it). Three models:
//! - [`Als`]: matrix factorisation for implicit feedback (Hu, Koren & Volinsky 2008: preference
//!   `p = [w > 0]`, confidence `c = 1 + α·w`), each half-step solved by a few conjugate-gradient
//!   steps warm-started from the previous factors (Takács, Pilászy & Tikk 2011, as the
//!   `implicit` package does);
//! - [`ItemKnn`]: item-item cosine similarity over (optionally BM25-weighted) columns, `k`
//!   nearest neighbours per item;
//! - [`popularity`]: the number of distinct users per item (the cold-start fallback).
//!
//! Loops over users and items run on the one thread budget ([`crate::parallel`]); a fit is
//! deterministic given `random_state`, whatever the thread count.
//!
//! ```
//! use edupulse_learn::implicit::{Als, AlsParams, Csr};
//! // 4 users × 3 items; users 0–1 like items 0–1, users 2–3 like item 2.
//! let m = Csr::from_triplets(4, 3, &[0, 0, 1, 2, 3], &[0, 1, 0, 2, 2], &[1.0, 1.0, 1.0, 1.0, 1.0]).unwrap();
//! let als = Als::fit(&m, &AlsParams { factors: 2, ..AlsParams::default() }).unwrap();
//! let top = als.recommend(&m, 1, 1, true, None);
//! assert_eq!(top[0].0, 1); // user 1 has item 0: item 1 comes next
//! ```

pub(crate) mod als;
pub(crate) mod kernels;
mod knn;

pub use als::{Als, AlsParams};
pub use knn::{ItemKnn, ItemKnnParams, Weighting};

use crate::error::{LearnError, Result};
use serde::{Deserialize, Serialize};

/// A compressed-sparse-row matrix of non-negative `f32` weights (users × items or the transpose).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Csr {
    n_rows: usize,
    n_cols: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<f32>,
}

impl Csr {
    /// Build from `(row, col, weight)` triplets: duplicates are summed; a negative or non-finite
    /// weight, or an index out of range, is a validation error naming the 1-based triplet.
    pub fn from_triplets(
        n_rows: usize,
        n_cols: usize,
        rows: &[u32],
        cols: &[u32],
        weights: &[f32],
    ) -> Result<Csr> {
        if rows.len() != cols.len() || rows.len() != weights.len() {
            return Err(LearnError::validation(
                "interactions",
                None,
                None,
                format!(
                    "rows, cols and weights differ in length ({}, {}, {})",
                    rows.len(),
                    cols.len(),
                    weights.len()
                ),
            ));
        }
        for (t, ((&r, &c), &w)) in rows.iter().zip(cols).zip(weights).enumerate() {
            if !w.is_finite() || w < 0.0 {
                return Err(LearnError::validation(
                    "interactions",
                    Some(t + 1),
                    Some("weight"),
                    format!("weight must be finite and non-negative, got {w}"),
                ));
            }
            if r as usize >= n_rows || c as usize >= n_cols {
                return Err(LearnError::validation(
                    "interactions",
                    Some(t + 1),
                    None,
                    format!("index ({r}, {c}) outside a {n_rows} × {n_cols} matrix"),
                ));
            }
        }
        let mut counts = vec![0usize; n_rows + 1];
        for &r in rows {
            counts[r as usize + 1] += 1;
        }
        for i in 0..n_rows {
            counts[i + 1] += counts[i];
        }
        let mut next = counts.clone();
        let mut cells: Vec<(u32, f32)> = vec![(0, 0.0); rows.len()];
        for ((&r, &c), &w) in rows.iter().zip(cols).zip(weights) {
            let slot = &mut next[r as usize];
            cells[*slot] = (c, w);
            *slot += 1;
        }
        let mut indptr = Vec::with_capacity(n_rows + 1);
        let mut indices = Vec::with_capacity(cells.len());
        let mut data = Vec::with_capacity(cells.len());
        indptr.push(0);
        for r in 0..n_rows {
            let row = &mut cells[counts[r]..counts[r + 1]];
            row.sort_by_key(|c| c.0);
            let mut last: Option<u32> = None;
            for &(c, w) in row.iter() {
                if last == Some(c) {
                    if let Some(d) = data.last_mut() {
                        *d += w;
                    }
                } else {
                    indices.push(c);
                    data.push(w);
                    last = Some(c);
                }
            }
            indptr.push(indices.len());
        }
        Ok(Csr {
            n_rows,
            n_cols,
            indptr,
            indices,
            data,
        })
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Number of stored (non-duplicate) entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// Column indices and weights of row `r` (empty when out of range).
    pub fn row(&self, r: usize) -> (&[u32], &[f32]) {
        match (self.indptr.get(r), self.indptr.get(r + 1)) {
            (Some(&a), Some(&b)) => (&self.indices[a..b], &self.data[a..b]),
            _ => (&[], &[]),
        }
    }

    /// The transpose (items × users from users × items).
    pub fn transpose(&self) -> Csr {
        let mut counts = vec![0usize; self.n_cols + 1];
        for &c in &self.indices {
            counts[c as usize + 1] += 1;
        }
        for i in 0..self.n_cols {
            counts[i + 1] += counts[i];
        }
        let mut next = counts.clone();
        let mut indices = vec![0u32; self.nnz()];
        let mut data = vec![0.0f32; self.nnz()];
        for r in 0..self.n_rows {
            let (cols, ws) = self.row(r);
            for (&c, &w) in cols.iter().zip(ws) {
                let slot = &mut next[c as usize];
                indices[*slot] = r as u32;
                data[*slot] = w;
                *slot += 1;
            }
        }
        Csr {
            n_rows: self.n_cols,
            n_cols: self.n_rows,
            indptr: counts,
            indices,
            data,
        }
    }

    /// The same pattern with every weight replaced by `f(weight)`.
    pub fn map_weights(&self, f: impl Fn(f32) -> f32) -> Csr {
        let mut out = self.clone();
        out.data.iter_mut().for_each(|w| *w = f(*w));
        out
    }
}

/// The number of distinct users per item of a users × items matrix (entries with weight > 0).
pub fn popularity(user_items: &Csr) -> Vec<f32> {
    let mut pop = vec![0.0f32; user_items.n_cols()];
    for (&c, &w) in user_items.indices.iter().zip(&user_items.data) {
        if w > 0.0 {
            pop[c as usize] += 1.0;
        }
    }
    pop
}

/// The `k` best `(index, score)` pairs of `scores`, best first, ties by lower index, skipping
/// non-finite scores and indices for which `skip` is true.
pub fn top_k(scores: &[f32], k: usize, skip: impl Fn(usize) -> bool) -> Vec<(u32, f32)> {
    let mut best: Vec<(u32, f32)> = Vec::with_capacity(k + 1);
    top_k_into(&mut best, k, scores, 0, skip);
    best
}

/// Merge `scores` (of indices `offset, offset + 1, …`) into the running top-`k` list `best`
/// (best first, ties by lower index): feeding consecutive chunks in index order gives exactly
/// [`top_k`] of the whole row. Partial selection: a score not above the current `k`-th is
/// rejected with one comparison, before `skip` is asked.
pub(crate) fn top_k_into(
    best: &mut Vec<(u32, f32)>,
    k: usize,
    scores: &[f32],
    offset: usize,
    skip: impl Fn(usize) -> bool,
) {
    if k == 0 {
        return;
    }
    let mut floor = if best.len() == k {
        best.last().map_or(f32::NEG_INFINITY, |l| l.1)
    } else {
        f32::NEG_INFINITY
    };
    for (j, &s) in scores.iter().enumerate() {
        // NaN and ±∞ pass this test and are rejected below.
        if best.len() == k && s <= floor {
            continue;
        }
        if !s.is_finite() || skip(offset + j) {
            continue;
        }
        let pos = best.partition_point(|b| b.1 >= s);
        best.insert(pos, ((offset + j) as u32, s));
        best.truncate(k);
        if best.len() == k {
            floor = best.last().map_or(f32::NEG_INFINITY, |l| l.1);
        }
    }
}

/// Whether item `j` is excluded for `row`: one of the row's own items when `exclude_seen`, or
/// outside `candidates` when given (a sorted list of item indices).
pub(crate) fn row_skip<'a>(
    user_items: &'a Csr,
    row: usize,
    exclude_seen: bool,
    candidates: Option<&'a [u32]>,
) -> impl Fn(usize) -> bool + 'a {
    let (seen, _) = user_items.row(row);
    move |j| {
        (exclude_seen && seen.binary_search(&(j as u32)).is_ok())
            || candidates.is_some_and(|c| c.binary_search(&(j as u32)).is_err())
    }
}

/// Top-k for a row of `user_items`: `scores` over all items, excluding the row's own items when
/// `exclude_seen`, and anything outside `candidates` when given (a sorted list of item indices).
pub(crate) fn top_k_for_row(
    scores: &[f32],
    user_items: &Csr,
    row: usize,
    k: usize,
    exclude_seen: bool,
    candidates: Option<&[u32]>,
) -> Vec<(u32, f32)> {
    top_k(
        scores,
        k,
        row_skip(user_items, row, exclude_seen, candidates),
    )
}

#[cfg(test)]
mod tests;
