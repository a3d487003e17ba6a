//! Recommendations with reasons over (student, item) interactions.
//!
//! Ids are mapped to matrix indices in sorted order (so a refit on the same rows in another order
//! gives the same model); duplicate (user, item) rows are summed; a
//! negative or non-finite weight is a validation error naming the row and the `weight` column.
//! A user unknown at fit time gets the popular items of their segment (or overall), flagged with
//! `fallback = true`; a known user whose neighbourhood is too small for `k` items is topped up the
//! same way (those rows are flagged too).

use crate::error::{CoreError, Result};
use crate::learn::implicit::{
    popularity, top_k, Als, AlsParams, Csr, ItemKnn, ItemKnnParams, Weighting,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

const TABLE: &str = "interactions";

/// One (user, item, weight) interaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    /// The student (or person) id.
    pub user_id: String,
    /// The item id (webinar, course, content).
    pub item_id: String,
    /// Non-negative strength (1 for attended; watch share; purchases). Duplicates are summed.
    pub weight: f64,
}

impl Interaction {
    /// An interaction.
    pub fn new(user_id: &str, item_id: &str, weight: f64) -> Self {
        Interaction {
            user_id: user_id.to_string(),
            item_id: item_id.to_string(),
            weight,
        }
    }
}

/// A user's segment, for popularity by segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSegment {
    /// The student id.
    pub user_id: String,
    /// Role (e.g. `developer`).
    pub role: String,
    /// Industry (e.g. `salud`).
    pub industry: String,
}

/// Which model scores the items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecommenderModel {
    /// Implicit-feedback ALS (conjugate-gradient solver).
    #[default]
    Als,
    /// Item-item cosine neighbours.
    ItemKnn,
    /// Item-item neighbours over BM25-weighted columns.
    ItemBm25,
    /// Popularity within the user's segment (overall when the segment is unknown or small).
    Popular,
}

impl std::str::FromStr for RecommenderModel {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "als" => Ok(RecommenderModel::Als),
            "item_knn" => Ok(RecommenderModel::ItemKnn),
            "item_bm25" => Ok(RecommenderModel::ItemBm25),
            "popular" => Ok(RecommenderModel::Popular),
            other => Err(CoreError::param(
                "model",
                format!("unknown model `{other}` (als, item_knn, item_bm25, popular)"),
            )),
        }
    }
}

/// Parameters of [`Recommender::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RecommenderParams {
    /// The scoring model (default ALS).
    pub model: RecommenderModel,
    /// ALS latent factors (default 64).
    pub factors: usize,
    /// ALS L2 penalty (default 0.05).
    pub regularization: f64,
    /// ALS confidence slope α in `c = 1 + α·w` (default 1).
    pub alpha: f64,
    /// ALS sweeps (default 15).
    pub iterations: usize,
    /// Conjugate-gradient steps per half-step (default 3).
    pub cg_steps: usize,
    /// ALS popularity exponent γ of the unobserved cells' weight (default 0: every unobserved
    /// cell weighs 1); see `edupulse_learn::AlsParams::negative_weight_exponent`. On OULAD
    /// (tuned on other students) γ = 0.5–1 adds ≈ 0.01 nDCG@10; on the planted set it loses.
    pub negative_weight_exponent: f64,
    /// Item-kNN neighbours per item (default 20).
    pub neighbours: usize,
    /// Seed of the ALS initial factors (default 0).
    pub random_state: u64,
    /// At most this many of the user's items named in a reason (default 2).
    pub reason_items: usize,
    /// A segment needs at least this many users for its own popularity list (default 5);
    /// smaller segments use overall popularity.
    pub min_segment_users: usize,
}

impl Default for RecommenderParams {
    fn default() -> Self {
        RecommenderParams {
            model: RecommenderModel::Als,
            factors: 64,
            regularization: 0.05,
            alpha: 1.0,
            iterations: 15,
            cg_steps: 3,
            negative_weight_exponent: 0.0,
            neighbours: 20,
            random_state: 0,
            reason_items: 2,
            min_segment_users: 5,
        }
    }
}

impl RecommenderParams {
    fn als(&self) -> AlsParams {
        AlsParams {
            factors: self.factors,
            regularization: self.regularization as f32,
            alpha: self.alpha as f32,
            iterations: self.iterations,
            cg_steps: self.cg_steps,
            random_state: self.random_state,
            negative_weight_exponent: self.negative_weight_exponent as f32,
            ..AlsParams::default()
        }
    }

    fn knn(&self) -> ItemKnnParams {
        ItemKnnParams {
            neighbours: self.neighbours,
            weighting: if self.model == RecommenderModel::ItemBm25 {
                Weighting::Bm25 { k1: 100.0, b: 0.8 }
            } else {
                Weighting::Cosine
            },
        }
    }

    /// Check every range (the ALS and kNN ones as in `edupulse-learn`; `reason_items ≥ 1`).
    pub fn validate(&self) -> Result<()> {
        self.als().validate()?;
        self.knn().validate()?;
        if self.reason_items == 0 {
            return Err(CoreError::param("reason_items", "must be ≥ 1"));
        }
        Ok(())
    }
}

/// Why an item was recommended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum Reason {
    /// The user's items that contributed most to the score.
    Similar {
        /// Item ids, largest contribution first.
        items: Vec<String>,
    },
    /// Popular with the user's segment.
    PopularInSegment {
        /// Role.
        role: String,
        /// Industry.
        industry: String,
    },
    /// Popular overall (no usable segment).
    Popular,
}

impl Reason {
    /// English text: `similar to: a, b`, `popular with <role> in <industry>`, `popular overall`.
    pub fn text_en(&self) -> String {
        match self {
            Reason::Similar { items } => format!("similar to: {}", items.join(", ")),
            Reason::PopularInSegment { role, industry } => {
                format!("popular with {role} in {industry}")
            }
            Reason::Popular => "popular overall".to_string(),
        }
    }

    /// Spanish text: `parecido a: a, b`, `popular entre <role> de <industry>`, `popular en general`.
    pub fn text_es(&self) -> String {
        match self {
            Reason::Similar { items } => format!("parecido a: {}", items.join(", ")),
            Reason::PopularInSegment { role, industry } => {
                format!("popular entre {role} de {industry}")
            }
            Reason::Popular => "popular en general".to_string(),
        }
    }
}

/// One recommended item for one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The user.
    pub user_id: String,
    /// The recommended item.
    pub item_id: String,
    /// 1-based rank.
    pub rank: usize,
    /// The model's score (ALS: `x_u·y_i`; kNN: summed similarity; popularity: users).
    pub score: f64,
    /// Why.
    pub reason: Reason,
    /// True when the item comes from the popularity fallback (unknown user, or a neighbourhood
    /// too small to fill `k`) rather than from the chosen model.
    pub fallback: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Fitted {
    Als(Als),
    Knn(ItemKnn),
    Popular,
}

/// A fitted recommender: the id maps, the interaction matrix, the model and the popularity
/// lists (overall and per segment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommender {
    params: RecommenderParams,
    users: Vec<String>,
    items: Vec<String>,
    user_index: HashMap<String, u32>,
    item_index: HashMap<String, u32>,
    matrix: Csr,
    fitted: Fitted,
    popular: Vec<f32>,
    segment_of: HashMap<String, (String, String)>,
    segment_popular: BTreeMap<String, Vec<f32>>,
}

fn segment_key(role: &str, industry: &str) -> String {
    format!("{role}\u{1f}{industry}")
}

impl Recommender {
    /// Fit on `interactions`, with optional user `segments` (for popularity by segment).
    pub fn fit(
        interactions: &[Interaction],
        segments: &[UserSegment],
        params: &RecommenderParams,
    ) -> Result<Recommender> {
        params.validate()?;
        if interactions.is_empty() {
            return Err(CoreError::validation(
                TABLE,
                None,
                None,
                "no interactions to fit",
            ));
        }
        for (r, x) in interactions.iter().enumerate() {
            if !x.weight.is_finite() || x.weight < 0.0 {
                return Err(CoreError::validation(
                    TABLE,
                    Some(r + 1),
                    Some("weight"),
                    format!("weight must be finite and non-negative, got {}", x.weight),
                ));
            }
            if x.user_id.is_empty() || x.item_id.is_empty() {
                let col = if x.user_id.is_empty() {
                    "user_id"
                } else {
                    "item_id"
                };
                return Err(CoreError::validation(
                    TABLE,
                    Some(r + 1),
                    Some(col),
                    "empty id",
                ));
            }
        }
        let index = |ids: Vec<&str>| -> (Vec<String>, HashMap<String, u32>) {
            let mut v: Vec<String> = ids.into_iter().map(str::to_string).collect();
            v.sort_unstable();
            v.dedup();
            let m = v
                .iter()
                .enumerate()
                .map(|(i, s)| (s.clone(), i as u32))
                .collect();
            (v, m)
        };
        let (users, user_index) = index(interactions.iter().map(|x| x.user_id.as_str()).collect());
        let (items, item_index) = index(interactions.iter().map(|x| x.item_id.as_str()).collect());
        let rows: Vec<u32> = interactions
            .iter()
            .map(|x| user_index[&x.user_id])
            .collect();
        let cols: Vec<u32> = interactions
            .iter()
            .map(|x| item_index[&x.item_id])
            .collect();
        let w: Vec<f32> = interactions.iter().map(|x| x.weight as f32).collect();
        let matrix = Csr::from_triplets(users.len(), items.len(), &rows, &cols, &w)?;
        let fitted = match params.model {
            RecommenderModel::Als => Fitted::Als(Als::fit(&matrix, &params.als())?),
            RecommenderModel::ItemKnn | RecommenderModel::ItemBm25 => {
                Fitted::Knn(ItemKnn::fit(&matrix, &params.knn())?)
            }
            RecommenderModel::Popular => Fitted::Popular,
        };
        let popular = popularity(&matrix);
        let mut segment_of = HashMap::new();
        for s in segments {
            segment_of.insert(s.user_id.clone(), (s.role.clone(), s.industry.clone()));
        }
        let mut members: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (u, id) in users.iter().enumerate() {
            if let Some((role, ind)) = segment_of.get(id) {
                members
                    .entry(segment_key(role, ind))
                    .or_default()
                    .push(u as u32);
            }
        }
        let mut segment_popular = BTreeMap::new();
        for (key, us) in members {
            if us.len() < params.min_segment_users {
                continue;
            }
            let mut pop = vec![0.0f32; items.len()];
            for u in us {
                let (its, ws) = matrix.row(u as usize);
                for (&i, &wt) in its.iter().zip(ws) {
                    if wt > 0.0 {
                        pop[i as usize] += 1.0;
                    }
                }
            }
            segment_popular.insert(key, pop);
        }
        Ok(Recommender {
            params: params.clone(),
            users,
            items,
            user_index,
            item_index,
            matrix,
            fitted,
            popular,
            segment_of,
            segment_popular,
        })
    }

    /// The parameters it was fitted with.
    pub fn params(&self) -> &RecommenderParams {
        &self.params
    }

    /// Users seen at fit time (sorted).
    pub fn users(&self) -> &[String] {
        &self.users
    }

    /// Items seen at fit time (sorted).
    pub fn items(&self) -> &[String] {
        &self.items
    }

    /// The users × items interaction matrix (duplicates summed), indexed as [`Self::users`] and
    /// [`Self::items`].
    pub fn matrix(&self) -> &Csr {
        &self.matrix
    }

    /// The top `k` items for each of `user_ids` (in that order; ranks 1..=k), excluding each
    /// user's consumed items when `exclude_seen`, restricted to `items` when given (ids unseen at
    /// fit time cannot be scored and are left out). Unknown users get the popularity fallback.
    pub fn recommend(
        &self,
        user_ids: &[String],
        k: usize,
        exclude_seen: bool,
        items: Option<&[String]>,
    ) -> Result<Vec<Recommendation>> {
        if k == 0 {
            return Err(CoreError::param("k", "must be ≥ 1"));
        }
        let candidates: Option<Vec<u32>> = items.map(|ids| {
            let mut c: Vec<u32> = ids
                .iter()
                .filter_map(|i| self.item_index.get(i).copied())
                .collect();
            c.sort_unstable();
            c.dedup();
            c
        });
        let cand = candidates.as_deref();
        let known: Vec<u32> = user_ids
            .iter()
            .filter_map(|u| self.user_index.get(u).copied())
            .collect();
        let mut model_lists: HashMap<u32, Vec<(u32, f32)>> = match &self.fitted {
            Fitted::Als(m) => known
                .iter()
                .copied()
                .zip(m.recommend_many(&self.matrix, &known, k, exclude_seen, cand))
                .collect(),
            Fitted::Knn(m) => known
                .iter()
                .copied()
                .zip(m.recommend_many(&self.matrix, &known, k, exclude_seen, cand))
                .collect(),
            Fitted::Popular => HashMap::new(),
        };
        let mut out = Vec::with_capacity(user_ids.len() * k);
        for uid in user_ids {
            let u = self.user_index.get(uid).copied();
            let list = u.and_then(|u| model_lists.remove(&u)).unwrap_or_default();
            let mut rank = 0;
            let mut taken: Vec<u32> = Vec::with_capacity(k);
            for (i, s) in list {
                rank += 1;
                taken.push(i);
                let u = u.unwrap_or_default() as usize;
                let why = match &self.fitted {
                    Fitted::Als(m) => {
                        m.explain(&self.matrix, u, i as usize, self.params.reason_items)
                    }
                    Fitted::Knn(m) => {
                        m.explain(&self.matrix, u, i as usize, self.params.reason_items)
                    }
                    Fitted::Popular => Vec::new(),
                };
                let named: Vec<String> = why
                    .iter()
                    .filter(|p| p.1 > 0.0)
                    .map(|p| self.items[p.0 as usize].clone())
                    .collect();
                let reason = if named.is_empty() {
                    self.popular_reason(uid).1
                } else {
                    Reason::Similar { items: named }
                };
                out.push(Recommendation {
                    user_id: uid.clone(),
                    item_id: self.items[i as usize].clone(),
                    rank,
                    score: f64::from(s),
                    reason,
                    fallback: false,
                });
            }
            if rank < k {
                let (pop, reason) = self.popular_reason(uid);
                let seen: &[u32] = match u {
                    Some(u) if exclude_seen => self.matrix.row(u as usize).0,
                    _ => &[],
                };
                let fill = top_k(pop, k - rank, |j| {
                    let j = j as u32;
                    taken.contains(&j)
                        || seen.binary_search(&j).is_ok()
                        || cand.is_some_and(|c| c.binary_search(&j).is_err())
                });
                let is_model = self.params.model == RecommenderModel::Popular && u.is_some();
                for (i, s) in fill {
                    rank += 1;
                    out.push(Recommendation {
                        user_id: uid.clone(),
                        item_id: self.items[i as usize].clone(),
                        rank,
                        score: f64::from(s),
                        reason: reason.clone(),
                        fallback: !is_model,
                    });
                }
            }
        }
        Ok(out)
    }

    /// The popularity list for a user and the reason that names it.
    fn popular_reason(&self, user_id: &str) -> (&[f32], Reason) {
        if let Some((role, ind)) = self.segment_of.get(user_id) {
            if let Some(pop) = self.segment_popular.get(&segment_key(role, ind)) {
                return (
                    pop,
                    Reason::PopularInSegment {
                        role: role.clone(),
                        industry: ind.clone(),
                    },
                );
            }
        }
        (&self.popular, Reason::Popular)
    }
}
