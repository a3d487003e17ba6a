//! Segmentation error metrics: Pk (Beeferman, Berger & Lafferty 1999) and WindowDiff (Pevzner &
//! Hearst 2002), on segmentations given as the start index of each segment after the first.
//! `k` is half the mean reference segment length (rounded, at least 1), as both papers do.

use crate::error::{CoreError, Result};

fn ids(n: usize, starts: &[usize]) -> Result<Vec<usize>> {
    let mut out = vec![0usize; n];
    let mut prev = 0;
    for (k, &s) in starts.iter().enumerate() {
        if s == 0 || s >= n || s <= prev && k > 0 {
            return Err(CoreError::param(
                "boundaries",
                format!("segment start {s} is not increasing within 1..{n}"),
            ));
        }
        prev = s;
    }
    let mut seg = 0;
    let mut next = starts.iter().peekable();
    for (i, x) in out.iter_mut().enumerate() {
        while next.peek().is_some_and(|&&s| s <= i) {
            next.next();
            seg += 1;
        }
        *x = seg;
    }
    Ok(out)
}

/// `k`: half the mean reference segment length, rounded, at least 1.
pub fn default_k(n: usize, reference: &[usize]) -> usize {
    let mean = n as f64 / (reference.len() + 1) as f64;
    ((mean / 2.0).round() as usize).max(1)
}

/// Pk of `hypothesis` against `reference` over `n` units (probability that two units `k` apart
/// are wrongly said to be in the same or different segments). `k` `None`: [`default_k`].
pub fn pk(n: usize, reference: &[usize], hypothesis: &[usize], k: Option<usize>) -> Result<f64> {
    let k = k.unwrap_or_else(|| default_k(n, reference));
    let (r, h) = (ids(n, reference)?, ids(n, hypothesis)?);
    if n <= k {
        return Err(CoreError::param(
            "k",
            format!("{k} is not below the length {n}"),
        ));
    }
    let wrong = (0..n - k)
        .filter(|&i| (r[i] == r[i + k]) != (h[i] == h[i + k]))
        .count();
    Ok(wrong as f64 / (n - k) as f64)
}

/// WindowDiff: share of windows of `k + 1` units whose boundary counts differ.
pub fn window_diff(
    n: usize,
    reference: &[usize],
    hypothesis: &[usize],
    k: Option<usize>,
) -> Result<f64> {
    let k = k.unwrap_or_else(|| default_k(n, reference));
    let (r, h) = (ids(n, reference)?, ids(n, hypothesis)?);
    if n <= k {
        return Err(CoreError::param(
            "k",
            format!("{k} is not below the length {n}"),
        ));
    }
    let wrong = (0..n - k)
        .filter(|&i| r[i + k] - r[i] != h[i + k] - h[i])
        .count();
    Ok(wrong as f64 / (n - k) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pk_and_window_diff_on_known_cases() {
        // 12 units, reference boundaries at 4 and 8: k = round(4 / 2) = 2.
        let r = [4, 8];
        assert_eq!(default_k(12, &r), 2);
        assert_eq!(pk(12, &r, &r, None).unwrap(), 0.0);
        assert_eq!(window_diff(12, &r, &r, None).unwrap(), 0.0);
        // No boundary: the pairs (i, i+2) straddling a boundary are wrong: i = 2, 3, 6, 7.
        assert!((pk(12, &r, &[], None).unwrap() - 4.0 / 10.0).abs() < 1e-12);
        assert!((window_diff(12, &r, &[], None).unwrap() - 4.0 / 10.0).abs() < 1e-12);
        // A boundary one off (5 instead of 4): Pk pairs i=2 and 4 wrong; WindowDiff the same.
        assert!((pk(12, &r, &[5, 8], None).unwrap() - 2.0 / 10.0).abs() < 1e-12);
        assert!((window_diff(12, &r, &[5, 8], None).unwrap() - 2.0 / 10.0).abs() < 1e-12);
        // Two false boundaries at 5 and 6: pairs i = 3, 4, 5 are wrong for both measures.
        assert!((pk(12, &[], &[5, 6], Some(2)).unwrap() - 0.3).abs() < 1e-12);
        assert!((window_diff(12, &[], &[5, 6], Some(2)).unwrap() - 0.3).abs() < 1e-12);
        // An extra boundary next to a true one: WindowDiff counts it where Pk does not.
        // Reference [4], hypothesis [3, 4], k = 2: Pk wrong at i = 1; WindowDiff at i = 1, 2.
        assert!((pk(12, &[4], &[3, 4], Some(2)).unwrap() - 0.1).abs() < 1e-12);
        assert!((window_diff(12, &[4], &[3, 4], Some(2)).unwrap() - 0.2).abs() < 1e-12);
        assert!(pk(12, &r, &[8, 4], None).is_err());
    }
}
