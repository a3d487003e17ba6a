//! Dense f32 kernels of the implicit-feedback learners: dot products, `y += a·x`, the symmetric
//! `k × k` matrix-vector product of the conjugate-gradient solver, and blocked scoring of many
//! users against many items.
//!
//! Reductions use 16 independent lanes (fixed summation order), so the compiler vectorises them
//! without reassociating and results are identical on every CPU: the AVX2/FMA-enabled copies
//! chosen at run time (x86-64) only change instruction selection, not the arithmetic (Rust never
//! contracts `a * b + c` into a fused multiply-add on its own).

const LANES: usize = 16;

#[inline(always)]
fn dot_generic(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; LANES];
    let mut ca = a.chunks_exact(LANES);
    let mut cb = b.chunks_exact(LANES);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    let mut tail = 0.0f32;
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        tail += x * y;
    }
    let mut s = 0.0f32;
    for v in acc {
        s += v;
    }
    s + tail
}

#[inline(always)]
fn axpy_generic(a: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// `out = m · p` for a row-major `k × k` matrix `m` (symmetric in use, so rows are columns).
#[inline(always)]
fn matvec_generic(m: &[f32], p: &[f32], out: &mut [f32]) {
    let k = p.len();
    out.iter_mut().for_each(|o| *o = 0.0);
    for (j, &pj) in p.iter().enumerate() {
        if let Some(row) = m.get(j * k..(j + 1) * k) {
            axpy_generic(pj, row, out);
        }
    }
}

/// Scores `out[u * n_items + j] = x_u · y_j` for the users of `x` (row-major, `k` columns) and
/// the items of `y`, in cache-sized item blocks.
#[inline(always)]
fn scores_generic(x: &[f32], y: &[f32], k: usize, out: &mut [f32]) {
    const ITEM_BLOCK: usize = 256;
    if k == 0 {
        out.iter_mut().for_each(|o| *o = 0.0);
        return;
    }
    let n_items = y.len() / k;
    let n_users = x.len() / k;
    let mut start = 0;
    while start < n_items {
        let end = (start + ITEM_BLOCK).min(n_items);
        for u in 0..n_users {
            let xu = &x[u * k..(u + 1) * k];
            let row = &mut out[u * n_items..(u + 1) * n_items];
            for j in start..end {
                row[j] = dot_generic(xu, &y[j * k..(j + 1) * k]);
            }
        }
        start = end;
    }
}

#[cfg(target_arch = "x86_64")]
mod avx {
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn dot(a: &[f32], b: &[f32]) -> f32 {
        super::dot_generic(a, b)
    }
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
        super::axpy_generic(a, x, y)
    }
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn matvec(m: &[f32], p: &[f32], out: &mut [f32]) {
        super::matvec_generic(m, p, out)
    }
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn scores(x: &[f32], y: &[f32], k: usize, out: &mut [f32]) {
        super::scores_generic(x, y, k, out)
    }
}

#[cfg(target_arch = "x86_64")]
fn has_avx2() -> bool {
    use std::sync::OnceLock;
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
}

/// `a · b` over the shorter length.
#[inline]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the CPU supports avx2 and fma (checked at run time above).
        return unsafe { avx::dot(a, b) };
    }
    dot_generic(a, b)
}

/// `y += a · x`.
#[inline]
pub(crate) fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the CPU supports avx2 and fma (checked at run time above).
        return unsafe { avx::axpy(a, x, y) };
    }
    axpy_generic(a, x, y)
}

/// `out = m · p` for a symmetric row-major `k × k` matrix.
#[inline]
pub(crate) fn matvec(m: &[f32], p: &[f32], out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the CPU supports avx2 and fma (checked at run time above).
        return unsafe { avx::matvec(m, p, out) };
    }
    matvec_generic(m, p, out)
}

/// `out[u · n_items + j] = x_u · y_j` (row-major factors with `k` columns).
pub(crate) fn scores(x: &[f32], y: &[f32], k: usize, out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the CPU supports avx2 and fma (checked at run time above).
        return unsafe { avx::scores(x, y, k, out) };
    }
    scores_generic(x, y, k, out)
}

/// `Yᵀ Y + λ I` for row-major `y` with `k` columns, in f64 then rounded (the Gram matrix sums
/// many terms).
pub(crate) fn gram(y: &[f32], k: usize, lambda: f32) -> Vec<f32> {
    let mut g = vec![0.0f64; k * k];
    if k > 0 {
        let rows: Vec<&[f32]> = y.chunks_exact(k).collect();
        let parts = crate::parallel::map_ranges(rows.len(), 2048, |r| {
            let mut g = vec![0.0f64; k * k];
            for row in &rows[r] {
                for (a, &ya) in row.iter().enumerate() {
                    let ya = f64::from(ya);
                    let gr = &mut g[a * k..(a + 1) * k];
                    for (gv, &yb) in gr.iter_mut().zip(row.iter()) {
                        *gv += ya * f64::from(yb);
                    }
                }
            }
            g
        });
        for p in parts {
            for (a, b) in g.iter_mut().zip(p) {
                *a += b;
            }
        }
    }
    let mut out: Vec<f32> = g.into_iter().map(|v| v as f32).collect();
    for d in 0..k {
        out[d * k + d] += lambda;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_match_plain_loops() {
        let a: Vec<f32> = (0..37).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..37).map(|i| (i as f32 * 0.11).cos()).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-5);
        assert_eq!(dot(&a, &b), dot_generic(&a, &b));
        let k = 5;
        let y: Vec<f32> = (0..k * 7).map(|i| (i as f32 * 0.3).sin()).collect();
        let g = gram(&y, k, 0.5);
        let p: Vec<f32> = (0..k).map(|i| i as f32 - 2.0).collect();
        let mut out = vec![0.0; k];
        matvec(&g, &p, &mut out);
        for a in 0..k {
            let mut want = 0.5 * p[a];
            for row in y.chunks(k) {
                want += row[a] * row.iter().zip(&p).map(|(r, q)| r * q).sum::<f32>();
            }
            assert!((out[a] - want).abs() < 1e-4, "{a}: {} vs {want}", out[a]);
        }
        let mut s = vec![0.0; 2 * 7];
        scores(&y[..2 * k], &y, k, &mut s);
        assert!((s[7 + 3] - dot(&y[k..2 * k], &y[3 * k..4 * k])).abs() < 1e-6);
    }
}
