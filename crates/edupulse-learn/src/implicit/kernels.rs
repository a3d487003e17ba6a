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

/// Items per scoring panel (two 8-lane AVX registers).
pub(crate) const PANEL: usize = 16;
/// Users per scoring micro-kernel call.
const UROWS: usize = 4;

/// Item factors re-laid out for blocked scoring: panels of [`PANEL`] items, each stored factor
/// by factor (`k × PANEL`, item-contiguous), the last panel padded with zero items.
#[derive(Debug, Clone)]
pub(crate) struct ItemPanels {
    k: usize,
    n_items: usize,
    data: Vec<f32>,
}

impl ItemPanels {
    /// Panels of the row-major `n_items × k` factors `y`.
    pub(crate) fn new(y: &[f32], k: usize) -> ItemPanels {
        let n_items = y.len().checked_div(k).unwrap_or(0);
        let n_panels = n_items.div_ceil(PANEL);
        let mut data = vec![0.0f32; n_panels * k * PANEL];
        for (j, yj) in y.chunks_exact(k.max(1)).enumerate().take(n_items) {
            let base = (j / PANEL) * k * PANEL + j % PANEL;
            for (f, &v) in yj.iter().enumerate() {
                data[base + f * PANEL] = v;
            }
        }
        ItemPanels { k, n_items, data }
    }

    /// Number of items.
    pub(crate) fn n_items(&self) -> usize {
        self.n_items
    }

    /// Number of panels (`⌈n_items / PANEL⌉`).
    pub(crate) fn n_panels(&self) -> usize {
        self.n_items.div_ceil(PANEL)
    }
}

/// `out[r · stride + (p − first) · PANEL + l] = x_r · y_(p·PANEL + l)` for the users `x`
/// (row-major, `k` columns) and the panels `first..first + count`; each score is the plain
/// sequential sum over factors (`Σ_f x_f·y_f`, f = 0, 1, …), so it does not depend on the block
/// a user or item falls in. Padding items score 0.
#[inline(always)]
fn scores_generic(
    x: &[f32],
    panels: &ItemPanels,
    first: usize,
    count: usize,
    out: &mut [f32],
    stride: usize,
) {
    let k = panels.k;
    if k == 0 {
        out.iter_mut().for_each(|o| *o = 0.0);
        return;
    }
    let zero = vec![0.0f32; k];
    let rows: Vec<&[f32]> = x.chunks_exact(k).collect();
    for (g, group) in rows.chunks(UROWS).enumerate() {
        let xr: [&[f32]; UROWS] =
            std::array::from_fn(|r| group.get(r).map_or(&zero[..], |v| &v[..k]));
        for p in 0..count {
            let Some(panel) = panels
                .data
                .get((first + p) * k * PANEL..(first + p + 1) * k * PANEL)
            else {
                continue;
            };
            let mut acc = [[0.0f32; PANEL]; UROWS];
            for (f, yr) in panel.chunks_exact(PANEL).enumerate() {
                let Ok(yr) = <&[f32; PANEL]>::try_from(yr) else {
                    continue;
                };
                for r in 0..UROWS {
                    let a = xr[r][f];
                    for l in 0..PANEL {
                        acc[r][l] += a * yr[l];
                    }
                }
            }
            for (r, row) in acc.iter().enumerate().take(group.len()) {
                let at = (g * UROWS + r) * stride + p * PANEL;
                if let Some(o) = out.get_mut(at..at + PANEL) {
                    o.copy_from_slice(row);
                }
            }
        }
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
    pub(super) unsafe fn scores(
        x: &[f32],
        panels: &super::ItemPanels,
        first: usize,
        count: usize,
        out: &mut [f32],
        stride: usize,
    ) {
        super::scores_generic(x, panels, first, count, out, stride)
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

/// Scores of the users `x` (row-major, `k` columns) against the item panels
/// `first..first + count`: `out[r · stride + (p − first) · PANEL + l] = x_r · y_(p·PANEL + l)`,
/// each the sequential sum over factors (the same bits as [`dot_seq`]).
pub(crate) fn scores(
    x: &[f32],
    panels: &ItemPanels,
    first: usize,
    count: usize,
    out: &mut [f32],
    stride: usize,
) {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        // SAFETY: the CPU supports avx2 and fma (checked at run time above).
        return unsafe { avx::scores(x, panels, first, count, out, stride) };
    }
    scores_generic(x, panels, first, count, out, stride)
}

/// `a · b` summed in factor order (the arithmetic of [`scores`], for one pair).
pub(crate) fn dot_seq(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).fold(0.0f32, |s, (x, y)| s + x * y)
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
        // 37 items = 3 panels (the last padded); 6 users = one full micro-kernel group + 2.
        let (n, users) = (37, 6);
        let y: Vec<f32> = (0..k * n).map(|i| (i as f32 * 0.3).sin()).collect();
        let x: Vec<f32> = (0..k * users).map(|i| (i as f32 * 0.7).cos()).collect();
        let panels = ItemPanels::new(&y, k);
        assert_eq!((panels.n_items(), panels.n_panels()), (37, 3));
        let stride = 2 * PANEL;
        let mut s = vec![f32::NAN; users * stride];
        scores(&x, &panels, 1, 2, &mut s, stride);
        for u in 0..users {
            for j in PANEL..3 * PANEL {
                let got = s[u * stride + j - PANEL];
                if j < n {
                    let want = dot_seq(&x[u * k..(u + 1) * k], &y[j * k..(j + 1) * k]);
                    assert_eq!(got.to_bits(), want.to_bits(), "user {u} item {j}");
                } else {
                    assert_eq!(got, 0.0);
                }
            }
        }
    }
}
