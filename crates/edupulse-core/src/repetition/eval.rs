//! Evaluation of a memory model on a review log, the way srs-benchmark does it: replay each card's
//! history, predict the recall probability of every inter-day, non-first review before it happens,
//! and score the predictions (log loss, RMSE over srs-benchmark's bins, AUC) on the test folds of a
//! time-series split (each fold's model may only learn from earlier reviews).
//!
//! The log is `(card_id, review_time, rating)` in any order (replayed sorted by time, then
//! card); days are counted from a daily boundary (`day_start_hour` UTC; 0 = UTC midnight, which reproduces the reference figures on the josh log) and `delta_t` is the number of day
//! boundaries crossed since the card's previous review (0 = same day).

use super::fsrs::{
    decay_factor, init_state_g, next_state_g, retrievability_g, validate_parameters,
    DEFAULT_PARAMETERS,
};
use super::real::{Real, NP};
use super::sm2::{sm2_next, sm2_retrievability, Sm2State, Sm2Variant};
use crate::error::{CoreError, Result};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One review of a review log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogReview {
    /// Card id.
    pub card_id: String,
    /// When.
    pub review_time: DateTime<Utc>,
    /// 1 Again, 2 Hard, 3 Good, 4 Easy.
    pub rating: u8,
}

/// Read a review log in the josh format (`card_id, review_rating, review_time[, review_duration]`,
/// columns found by name) from a CSV file the caller names.
pub fn read_review_log(path: &std::path::Path) -> Result<Vec<LogReview>> {
    let io = |e: &dyn std::fmt::Display| CoreError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut rdr = csv::Reader::from_path(path).map_err(|e| io(&e))?;
    let headers = rdr.headers().map_err(|e| io(&e))?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| CoreError::validation("review_log", None, Some(name), "missing column"))
    };
    let (ci, ri, ti) = (col("card_id")?, col("review_rating")?, col("review_time")?);
    let mut out = Vec::new();
    for (row, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| io(&e))?;
        let bad =
            |c: &str, m: String| CoreError::validation("review_log", Some(row + 1), Some(c), m);
        let rating: u8 = rec[ri]
            .trim()
            .parse()
            .map_err(|_| bad("review_rating", format!("`{}` is not 1–4", &rec[ri])))?;
        let review_time =
            crate::model::parse_datetime(&rec[ti]).map_err(|m| bad("review_time", m))?;
        out.push(LogReview {
            card_id: rec[ci].to_string(),
            review_time,
            rating,
        });
    }
    Ok(out)
}

/// Parameters of the evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvalParams {
    /// Folds of the time-series split (≥ 2).
    pub n_splits: usize,
    /// Hour (UTC) at which a new day starts.
    pub day_start_hour: i64,
}

impl Default for EvalParams {
    fn default() -> Self {
        EvalParams {
            n_splits: 5,
            day_start_hour: 0,
        }
    }
}

impl EvalParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        if self.n_splits < 2 {
            return Err(CoreError::param("n_splits", "must be ≥ 2"));
        }
        if !(0..24).contains(&self.day_start_hour) {
            return Err(CoreError::param("day_start_hour", "must be in 0–23"));
        }
        Ok(())
    }
}

/// Scores of predictions against outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Mean binary cross-entropy.
    pub log_loss: f64,
    /// srs-benchmark's RMSE(bins).
    pub rmse_bins: f64,
    /// Area under the ROC curve.
    pub auc: f64,
    /// Number of predictions scored.
    pub n: usize,
}

/// A card's history.
#[derive(Debug, Clone, Default)]
pub(crate) struct CardSeq {
    pub ratings: Vec<u8>,
    /// Days since the previous review (0 for the first).
    pub delta: Vec<f64>,
}

/// A scored review: card, position in the card's history, global order, outcome and bins.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item {
    pub card: u32,
    pub pos: u32,
    /// srs-benchmark's review index (inter-day reviews so far, the first included).
    pub ipos: u32,
    pub delta_t: f64,
    pub y: bool,
    /// Inter-day lapses before this review.
    pub lapses: u32,
}

/// A review log made ready for replay.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub(crate) cards: Vec<CardSeq>,
    /// Items in time order.
    pub(crate) items: Vec<Item>,
}

impl Dataset {
    /// Group a log (in any order: it is replayed stably sorted by time, then card) by card and
    /// compute elapsed days.
    pub fn new(log: &[LogReview], params: &EvalParams) -> Result<Dataset> {
        params.validate()?;
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut cards: Vec<CardSeq> = Vec::new();
        let mut last_day: Vec<i64> = Vec::new();
        let mut lapses: Vec<u32> = Vec::new();
        let mut items = Vec::new();
        let off = params.day_start_hour * 3600;
        // A user's log comes in any order (often by card, then time): replay it sorted by time,
        // then card (so that the same reviews in any order give the same dataset), stable so
        // that a card's reviews at the same instant keep their order in the log.
        let mut order: Vec<usize> = (0..log.len()).collect();
        order.sort_by(|&a, &b| {
            (log[a].review_time, &log[a].card_id).cmp(&(log[b].review_time, &log[b].card_id))
        });
        for row in order {
            let r = &log[row];
            if !(1..=4).contains(&r.rating) {
                return Err(CoreError::validation(
                    "review_log",
                    Some(row + 1),
                    Some("review_rating"),
                    format!("{} is outside 1–4", r.rating),
                ));
            }
            let day = (r.review_time.timestamp() - off).div_euclid(86_400);
            let next = cards.len();
            let c = *index.entry(r.card_id.as_str()).or_insert(next);
            if c == next {
                cards.push(CardSeq::default());
                last_day.push(day);
                lapses.push(0);
            }
            let seq = &mut cards[c];
            let delta = if seq.ratings.is_empty() {
                0.0
            } else {
                (day - last_day[c]) as f64
            };
            if !seq.ratings.is_empty() && delta > 0.0 {
                // srs-benchmark's review index `i` counts inter-day reviews (the first included).
                let ipos = 1 + seq.delta.iter().skip(1).filter(|&&d| d > 0.0).count() as u32;
                items.push(Item {
                    card: c as u32,
                    pos: seq.ratings.len() as u32,
                    ipos,
                    delta_t: delta,
                    y: r.rating > 1,
                    lapses: lapses[c],
                });
                if r.rating == 1 {
                    lapses[c] += 1;
                }
            }
            seq.ratings.push(r.rating);
            seq.delta.push(delta);
            last_day[c] = day;
        }
        Ok(Dataset { cards, items })
    }

    /// Number of scored reviews (inter-day, non-first).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is nothing to score.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// sklearn's `TimeSeriesSplit(n_splits)` over the items: `(train_end, test_start, test_end)`
    /// item ranges (train = items `0..train_end`).
    pub fn splits(&self, n_splits: usize) -> Result<Vec<(usize, usize, usize)>> {
        let n = self.items.len();
        let test = n / (n_splits + 1);
        if test == 0 {
            return Err(CoreError::param(
                "review_log",
                format!("{n} scored reviews are too few for {n_splits} folds"),
            ));
        }
        Ok((0..n_splits)
            .map(|k| {
                let start = n - (n_splits - k) * test;
                (start, start, start + test)
            })
            .collect())
    }
}

/// FSRS predictions for every item (in item order) under parameters `w`, generic for fitting.
/// Only items whose index is in `range` are produced (with their item index).
pub(crate) fn fsrs_predictions<T: Real>(
    w: &[T; NP],
    ds: &Dataset,
    f: impl FnMut(usize, T),
    range: std::ops::Range<usize>,
) {
    fsrs_predictions_of_cards(w, ds, f, range, 0..ds.cards.len());
}

/// [`fsrs_predictions`] for the cards whose index is in `cards` only (the unit of parallel work:
/// cards are independent).
pub(crate) fn fsrs_predictions_of_cards<T: Real>(
    w: &[T; NP],
    ds: &Dataset,
    mut f: impl FnMut(usize, T),
    range: std::ops::Range<usize>,
    cards: std::ops::Range<usize>,
) {
    let (decay, factor) = decay_factor(w[20]);
    // Items per card, in order.
    let mut per_card: Vec<Vec<usize>> = vec![Vec::new(); ds.cards.len()];
    for (k, it) in ds
        .items
        .iter()
        .enumerate()
        .take(range.end)
        .skip(range.start)
    {
        if cards.contains(&(it.card as usize)) {
            per_card[it.card as usize].push(k);
        }
    }
    for (c, ks) in per_card.iter().enumerate() {
        let Some(&last) = ks.last() else { continue };
        let seq = &ds.cards[c];
        let last_pos = ds.items[last].pos as usize;
        let mut next_k = 0;
        let (mut s, mut d) = init_state_g(w, seq.ratings[0]);
        for pos in 1..=last_pos {
            let t = seq.delta[pos];
            if next_k < ks.len() && ds.items[ks[next_k]].pos as usize == pos {
                f(ks[next_k], retrievability_g(decay, factor, s, t));
                next_k += 1;
            }
            if pos < last_pos {
                let (ns, nd) = next_state_g(w, decay, factor, s, d, t, seq.ratings[pos]);
                s = ns;
                d = nd;
            }
        }
    }
}

/// SM-2 predictions for every item.
fn sm2_predictions(ds: &Dataset, variant: Sm2Variant) -> Result<Vec<f64>> {
    let mut out = vec![0.0; ds.items.len()];
    let mut per_card: Vec<Vec<usize>> = vec![Vec::new(); ds.cards.len()];
    for (k, it) in ds.items.iter().enumerate() {
        per_card[it.card as usize].push(k);
    }
    for (c, ks) in per_card.iter().enumerate() {
        let seq = &ds.cards[c];
        let mut st = Sm2State::default();
        let mut next_k = 0;
        for pos in 0..seq.ratings.len() {
            let t = seq.delta[pos];
            if next_k < ks.len() && ds.items[ks[next_k]].pos as usize == pos {
                out[ks[next_k]] = sm2_retrievability(st.interval, t);
                next_k += 1;
            }
            if pos > 0 && t == 0.0 {
                continue; // SM-2 is a day-based scheduler: same-day reviews do not move it
            }
            st = sm2_next(variant, st, seq.ratings[pos], t)?;
        }
    }
    Ok(out)
}

/// Score predictions `p` of items `items`.
pub(crate) fn metrics(items: &[Item], p: &[f64]) -> Metrics {
    let n = items.len();
    let eps = f64::EPSILON;
    let mut ll = 0.0;
    for (it, &q) in items.iter().zip(p) {
        let q = q.clamp(eps, 1.0 - eps);
        ll -= if it.y { q.ln() } else { (1.0 - q).ln() };
    }
    Metrics {
        log_loss: ll / n.max(1) as f64,
        rmse_bins: rmse_bins(items, p),
        auc: auc(items, p),
        n,
    }
}

fn bin(x: f64, base: f64, scale: f64, digits: i32) -> f64 {
    let v = scale * base.powf((x.ln() / base.ln()).floor());
    let m = 10f64.powi(digits);
    (v * m).round_ties_even() / m
}

/// srs-benchmark's RMSE(bins): group by binned (delta_t, review index, lapses), then the
/// count-weighted RMSE between mean outcome and mean prediction of the groups.
fn rmse_bins(items: &[Item], p: &[f64]) -> f64 {
    let mut groups: HashMap<(u64, u64, u64), (f64, f64, f64)> = HashMap::new();
    for (it, &q) in items.iter().zip(p) {
        let dt = bin(it.delta_t, 3.62, 2.48, 2);
        let i = bin(it.ipos as f64 + 1.0, 1.89, 1.99, 0);
        let l = if it.lapses == 0 {
            0.0
        } else {
            bin(it.lapses as f64, 1.73, 1.65, 0)
        };
        let g = groups
            .entry((dt.to_bits(), i.to_bits(), l.to_bits()))
            .or_insert((0.0, 0.0, 0.0));
        g.0 += it.y as u8 as f64;
        g.1 += q;
        g.2 += 1.0;
    }
    let (mut se, mut w) = (0.0, 0.0);
    for (y, q, n) in groups.values() {
        se += n * (y / n - q / n).powi(2);
        w += n;
    }
    (se / w.max(1.0)).sqrt()
}

/// Rank AUC (ties get the mean rank).
fn auc(items: &[Item], p: &[f64]) -> f64 {
    let mut idx: Vec<usize> = (0..p.len()).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && p[idx[j + 1]] == p[idx[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            if items[k].y {
                rank_sum_pos += r;
            }
        }
        i = j + 1;
    }
    let npos = items.iter().filter(|x| x.y).count() as f64;
    let nneg = items.len() as f64 - npos;
    if npos == 0.0 || nneg == 0.0 {
        return f64::NAN.max(0.5);
    }
    (rank_sum_pos - npos * (npos + 1.0) / 2.0) / (npos * nneg)
}

/// Scores of fixed FSRS-6 parameters (default if `None`) on the test folds of the split.
pub fn evaluate_fsrs(ds: &Dataset, parameters: Option<&[f64]>, n_splits: usize) -> Result<Metrics> {
    let w = validate_parameters(parameters.unwrap_or(&DEFAULT_PARAMETERS))?;
    let splits = ds.splits(n_splits)?;
    let (start, end) = (splits[0].1, splits[splits.len() - 1].2);
    let mut p = vec![0.0; ds.items.len()];
    fsrs_predictions(&w, ds, |k, r| p[k] = r, start..end);
    Ok(metrics(&ds.items[start..end], &p[start..end]))
}

/// Scores of SM-2 on the test folds of the split.
pub fn evaluate_sm2(ds: &Dataset, variant: Sm2Variant, n_splits: usize) -> Result<Metrics> {
    let splits = ds.splits(n_splits)?;
    let (start, end) = (splits[0].1, splits[splits.len() - 1].2);
    let p = sm2_predictions(ds, variant)?;
    Ok(metrics(&ds.items[start..end], &p[start..end]))
}
