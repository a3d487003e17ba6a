//! Item-item nearest neighbours: cosine similarity between item columns (optionally BM25
//! weighted first, as `implicit`'s `BM25Recommender`), the `neighbours` most similar items kept
//! per item; a user's score for item `j` is `Σ_i w_ui · s(i, j)` over the user's items `i`.

use super::{top_k, top_k_for_row, Csr};
use crate::error::{LearnError, Result};
use serde::{Deserialize, Serialize};

/// How item columns are weighted before the similarity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum Weighting {
    /// Cosine of the raw weight columns.
    #[default]
    Cosine,
    /// Okapi BM25 weights (user = term, item = document), then cosine:
    /// `w·(k1 + 1) / (k1·((1 − b) + b·len_i/avg_len) + w) · idf_u`, `idf_u = ln N − ln(1 + n_u)`.
    Bm25 {
        /// Saturation (implicit's default 100).
        k1: f32,
        /// Length normalisation (implicit's default 0.8).
        b: f32,
    },
}

/// Parameters of [`ItemKnn::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ItemKnnParams {
    /// Neighbours kept per item (default 20, as `implicit`).
    pub neighbours: usize,
    /// Column weighting (default cosine).
    pub weighting: Weighting,
}

impl Default for ItemKnnParams {
    fn default() -> Self {
        ItemKnnParams {
            neighbours: 20,
            weighting: Weighting::Cosine,
        }
    }
}

impl ItemKnnParams {
    /// `neighbours ≥ 1`; BM25 `k1 > 0`, `b` in [0, 1].
    pub fn validate(&self) -> Result<()> {
        if self.neighbours == 0 {
            return Err(LearnError::param("neighbours", "must be ≥ 1"));
        }
        if let Weighting::Bm25 { k1, b } = self.weighting {
            if !(k1.is_finite() && k1 > 0.0) {
                return Err(LearnError::param("weighting.k1", "must be finite and > 0"));
            }
            if !(0.0..=1.0).contains(&b) {
                return Err(LearnError::param("weighting.b", "must be in [0, 1]"));
            }
        }
        Ok(())
    }
}

/// A fitted item-item model: the sparse items × items similarity (top neighbours per row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemKnn {
    similarity: Csr,
}

impl ItemKnn {
    /// Fit on a users × items matrix of non-negative weights.
    pub fn fit(user_items: &Csr, params: &ItemKnnParams) -> Result<ItemKnn> {
        params.validate()?;
        if user_items.nnz() == 0 {
            return Err(LearnError::validation(
                "interactions",
                None,
                None,
                "no interactions to fit",
            ));
        }
        let weighted = match params.weighting {
            Weighting::Cosine => user_items.clone(),
            Weighting::Bm25 { k1, b } => bm25(user_items, k1, b),
        };
        let mut iu = weighted.transpose();
        // Unit-length item columns: dot products are cosines.
        for i in 0..iu.n_rows() {
            let (a, z) = (iu.indptr[i], iu.indptr[i + 1]);
            let norm = iu.data[a..z].iter().map(|w| w * w).sum::<f32>().sqrt();
            if norm > 0.0 {
                iu.data[a..z].iter_mut().for_each(|w| *w /= norm);
            }
        }
        let ui = iu.transpose();
        let n_items = iu.n_rows();
        let kk = params.neighbours;
        let rows = crate::parallel::map_ranges(n_items, 256, |range| {
            let mut acc = vec![0.0f32; n_items];
            let mut touched: Vec<u32> = Vec::new();
            range
                .map(|i| {
                    let (users, wi) = iu.row(i);
                    for (&u, &a) in users.iter().zip(wi) {
                        let (items, wu) = ui.row(u as usize);
                        for (&j, &b) in items.iter().zip(wu) {
                            if j as usize != i {
                                if acc[j as usize] == 0.0 {
                                    touched.push(j);
                                }
                                acc[j as usize] += a * b;
                            }
                        }
                    }
                    let mut best: Vec<(u32, f32)> = Vec::with_capacity(kk + 1);
                    for &j in &touched {
                        let s = acc[j as usize];
                        if s > 0.0
                            && (best.len() < kk
                                || best
                                    .last()
                                    .is_some_and(|l| s > l.1 || (s == l.1 && j < l.0)))
                        {
                            let pos = best.partition_point(|b| b.1 > s || (b.1 == s && b.0 < j));
                            best.insert(pos, (j, s));
                            best.truncate(kk);
                        }
                    }
                    for &j in &touched {
                        acc[j as usize] = 0.0;
                    }
                    touched.clear();
                    best.sort_by_key(|p| p.0);
                    best
                })
                .collect::<Vec<_>>()
        });
        let mut indptr = vec![0usize];
        let mut indices = Vec::new();
        let mut data = Vec::new();
        for row in rows.into_iter().flatten() {
            for (j, s) in row {
                indices.push(j);
                data.push(s);
            }
            indptr.push(indices.len());
        }
        Ok(ItemKnn {
            similarity: Csr {
                n_rows: n_items,
                n_cols: n_items,
                indptr,
                indices,
                data,
            },
        })
    }

    /// The items × items similarity (row `i`: the neighbours of item `i`).
    pub fn similarity(&self) -> &Csr {
        &self.similarity
    }

    /// Scores `Σ_i w_ui · s(i, j)` of `user` (row of `user_items`) for every item; items no
    /// neighbour reaches get `-∞` (never recommended).
    pub fn scores(&self, user_items: &Csr, user: usize) -> Vec<f32> {
        let mut s = vec![f32::NEG_INFINITY; self.similarity.n_cols()];
        let (items, ws) = user_items.row(user);
        for (&i, &w) in items.iter().zip(ws) {
            let (nb, sim) = self.similarity.row(i as usize);
            for (&j, &v) in nb.iter().zip(sim) {
                let cell = &mut s[j as usize];
                *cell = if cell.is_finite() {
                    *cell + w * v
                } else {
                    w * v
                };
            }
        }
        s
    }

    /// The `k` best `(item, score)` pairs for `user` (fewer when the user's neighbourhood is
    /// smaller), as [`super::Als::recommend`].
    pub fn recommend(
        &self,
        user_items: &Csr,
        user: usize,
        k: usize,
        exclude_seen: bool,
        candidates: Option<&[u32]>,
    ) -> Vec<(u32, f32)> {
        let s = self.scores(user_items, user);
        top_k_for_row(&s, user_items, user, k, exclude_seen, candidates)
    }

    /// [`ItemKnn::recommend`] for many users, in parallel.
    pub fn recommend_many(
        &self,
        user_items: &Csr,
        users: &[u32],
        k: usize,
        exclude_seen: bool,
        candidates: Option<&[u32]>,
    ) -> Vec<Vec<(u32, f32)>> {
        crate::parallel::map_ranges(users.len(), 256, |r| {
            users[r]
                .iter()
                .map(|&u| self.recommend(user_items, u as usize, k, exclude_seen, candidates))
                .collect::<Vec<_>>()
        })
        .into_iter()
        .flatten()
        .collect()
    }

    /// The user's items that led to `item`: the `n` largest `w_ui · s(i, item)`, largest first.
    pub fn explain(&self, user_items: &Csr, user: usize, item: usize, n: usize) -> Vec<(u32, f32)> {
        let (items, ws) = user_items.row(user);
        let contrib: Vec<f32> = items
            .iter()
            .zip(ws)
            .map(|(&i, &w)| {
                let (nb, sim) = self.similarity.row(i as usize);
                match nb.binary_search(&(item as u32)) {
                    Ok(p) => w * sim[p],
                    Err(_) => f32::NEG_INFINITY,
                }
            })
            .collect();
        top_k(&contrib, n, |_| false)
            .into_iter()
            .filter(|p| p.1 > 0.0)
            .map(|(p, s)| (items[p as usize], s))
            .collect()
    }
}

/// BM25 weights of a users × items matrix, items as documents and users as terms (implicit's
/// `bm25_weight` on the items × users matrix).
fn bm25(user_items: &Csr, k1: f32, b: f32) -> Csr {
    let n_items = user_items.n_cols() as f32;
    let mut item_len = vec![0.0f32; user_items.n_cols()];
    for (&c, &w) in user_items.indices.iter().zip(&user_items.data) {
        item_len[c as usize] += w;
    }
    let avg = (item_len.iter().sum::<f32>() / n_items.max(1.0)).max(f32::MIN_POSITIVE);
    let mut out = user_items.clone();
    for u in 0..out.n_rows() {
        let (a, z) = (out.indptr[u], out.indptr[u + 1]);
        let idf = n_items.ln() - ((z - a) as f32).ln_1p();
        for p in a..z {
            let w = out.data[p];
            let norm = (1.0 - b) + b * item_len[out.indices[p] as usize] / avg;
            out.data[p] = w * (k1 + 1.0) / (k1 * norm + w) * idf;
        }
    }
    out
}
