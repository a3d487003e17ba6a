//! Evaluation: ROC AUC, log loss and stratified k-fold assignment.

use crate::error::{LearnError, Result};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Area under the ROC curve of `scores` for labels `y` (ties count one half). Errors when the
/// lengths differ, a score is not finite, or one class is absent.
pub fn roc_auc(scores: &[f64], y: &[bool]) -> Result<f64> {
    if scores.len() != y.len() {
        return Err(LearnError::param(
            "scores",
            format!("{} scores for {} labels", scores.len(), y.len()),
        ));
    }
    if scores.iter().any(|s| !s.is_finite()) {
        return Err(LearnError::param("scores", "a score is not finite"));
    }
    let pos = y.iter().filter(|v| **v).count();
    let neg = y.len() - pos;
    if pos == 0 || neg == 0 {
        return Err(LearnError::param("y", "AUC needs both classes"));
    }
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Mann-Whitney U with average ranks for ties.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            if y[k] {
                rank_sum += avg;
            }
        }
        i = j + 1;
    }
    let (p, n) = (pos as f64, neg as f64);
    Ok((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// Mean log loss of probabilities `p` for labels `y` (probabilities clipped to [1e-15, 1 − 1e-15]).
pub fn log_loss(p: &[f64], y: &[bool]) -> f64 {
    let n = p.len().max(1) as f64;
    p.iter()
        .zip(y)
        .map(|(&p, &y)| {
            let p = p.clamp(1e-15, 1.0 - 1e-15);
            if y {
                -p.ln()
            } else {
                -(1.0 - p).ln()
            }
        })
        .sum::<f64>()
        / n
}

/// Stratified fold of each row (0..k): each class is shuffled (seeded) and dealt round-robin.
pub fn stratified_folds(y: &[bool], k: usize, seed: u64) -> Result<Vec<usize>> {
    if k < 2 {
        return Err(LearnError::param("folds", "must be ≥ 2"));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut fold = vec![0usize; y.len()];
    for (offset, class) in [true, false].into_iter().enumerate() {
        let mut idx: Vec<usize> = (0..y.len()).filter(|&i| y[i] == class).collect();
        if idx.len() < k {
            return Err(LearnError::param(
                "folds",
                format!("{k} folds but only {} rows of class {class}", idx.len()),
            ));
        }
        idx.shuffle(&mut rng);
        for (j, i) in idx.into_iter().enumerate() {
            fold[i] = (j + offset) % k;
        }
    }
    Ok(fold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_pairs_and_ties() {
        // 2 positives × 2 negatives: pairs (0.9>0.1) (0.9>0.5) (0.5=0.5 → ½) (0.5>0.1) → 3.5/4.
        let auc = roc_auc(&[0.9, 0.5, 0.5, 0.1], &[true, true, false, false]).unwrap();
        assert!((auc - 0.875).abs() < 1e-12);
        assert!(roc_auc(&[0.1, 0.2], &[true, true]).is_err());
    }

    #[test]
    fn folds_are_stratified() {
        let y: Vec<bool> = (0..103).map(|i| i % 4 == 0).collect();
        let f = stratified_folds(&y, 5, 1).unwrap();
        for k in 0..5 {
            let pos = (0..y.len()).filter(|&i| f[i] == k && y[i]).count();
            assert!((5..=6).contains(&pos), "fold {k}: {pos}");
        }
    }
}
