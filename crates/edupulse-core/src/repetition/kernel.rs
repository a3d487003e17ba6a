//! The batch kernel of FSRS-6: one review for each card of a struct of arrays, written without
//! branches so that the compiler turns it into SIMD code (4 cards per instruction with AVX2).
//!
//! `exp` and `ln` are the two costs of FSRS (a lapse needs 4 logarithms and 5 exponentials); the
//! platform's libm functions are opaque calls that stop vectorisation, so this module has its own
//! branch-free `exp` (Cody–Waite reduction, degree-12 Taylor polynomial: relative error < 3e-16)
//! and `ln` (fdlibm's `log` polynomial: < 1 ulp). Every card takes every path (same day, recall,
//! lapse, new card) and a select keeps the right one; the extra arithmetic costs less than the
//! branches it replaces. On x86-64 the kernel is compiled three times, for the baseline (SSE2,
//! 2 lanes), AVX2 (4 lanes) and AVX-512 (8 lanes), and the CPU picks at run time; all three give
//! bit-identical results (no fused multiply-adds: the same IEEE operations in the same order).

use super::fsrs::{Fsrs, STABILITY_MIN};

const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 · 2^52: adding it rounds to an integer
const LN2_HI: f64 = f64::from_bits(0x3FE6_2E42_FEE0_0000); // fdlibm's ln2_hi
const LN2_LO: f64 = f64::from_bits(0x3DEA_39EF_3579_3C76); // fdlibm's ln2_lo

/// `e^x`, branch-free (x clamped to [−708, 709], where the result stays a normal number).
#[inline(always)]
pub(crate) fn exp(x: f64) -> f64 {
    let x = x.clamp(-708.0, 709.0);
    let kf = x * std::f64::consts::LOG2_E + MAGIC;
    let n = kf - MAGIC;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    // e^r on |r| ≤ ln2/2: Taylor to r^12 (truncation < 2e-16).
    let p = 1.0 / 479_001_600.0;
    let p = p * r + 1.0 / 39_916_800.0;
    let p = p * r + 1.0 / 3_628_800.0;
    let p = p * r + 1.0 / 362_880.0;
    let p = p * r + 1.0 / 40_320.0;
    let p = p * r + 1.0 / 5_040.0;
    let p = p * r + 1.0 / 720.0;
    let p = p * r + 1.0 / 120.0;
    let p = p * r + 1.0 / 24.0;
    let p = p * r + 1.0 / 6.0;
    let p = p * r + 0.5;
    let p = p * r + 1.0;
    let p = p * r + 1.0;
    // 2^n from the integer in kf's low mantissa bits.
    let scale = f64::from_bits(
        kf.to_bits()
            .wrapping_sub(MAGIC.to_bits())
            .wrapping_add(1023)
            << 52,
    );
    p * scale
}

/// `ln x` for positive normal `x`, branch-free (fdlibm's reduction and polynomial).
#[inline(always)]
pub(crate) fn ln(x: f64) -> f64 {
    const LG1: f64 = f64::from_bits(0x3FE5_5555_5555_5593);
    const LG2: f64 = f64::from_bits(0x3FD9_9999_9997_FA04);
    const LG3: f64 = f64::from_bits(0x3FD2_4924_9422_9359);
    const LG4: f64 = f64::from_bits(0x3FCC_71C5_1D8E_78AF);
    const LG5: f64 = f64::from_bits(0x3FC7_4664_96CB_03DE);
    const LG6: f64 = f64::from_bits(0x3FC3_9A09_D078_C69F);
    const LG7: f64 = f64::from_bits(0x3FC2_F112_DF3E_5244);
    // Subnormal inputs are scaled by 2^54 first (their exponent field is 0).
    let sub = x < f64::MIN_POSITIVE;
    let x = if sub { x * 18_014_398_509_481_984.0 } else { x };
    let bits = x.to_bits();
    // Exponent as a float without an int→float conversion (exact: it is < 2^11).
    let e =
        f64::from_bits((bits >> 52) | 0x4330_0000_0000_0000) - (4_503_599_627_370_496.0 + 1023.0);
    let m = f64::from_bits((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000); // [1, 2)
    let big = m > std::f64::consts::SQRT_2;
    let m = if big { m * 0.5 } else { m };
    let e = if big { e + 1.0 } else { e };
    let e = if sub { e - 54.0 } else { e };
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    e * LN2_HI - ((hfsq - (s * (hfsq + r) + e * LN2_LO)) - f)
}

/// Constants of the kernel, from an [`Fsrs`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Kernel {
    w: [f64; 21],
    decay: f64,
    factor: f64,
    interval_factor: f64,
    max_interval: f64,
    exp_w8: f64,
    w7_d0_easy: f64,
    one_minus_w7: f64,
    short_inc: [f64; 4],
    inv_short_div: f64,
    init_s: [f64; 4],
    init_d: [f64; 4],
}

impl Kernel {
    pub(crate) fn new(f: &Fsrs) -> Kernel {
        let w = *f.parameters();
        let (decay, factor, interval_factor) = f.curve_constants();
        let init =
            |g: u8| f.initial_state(super::Rating::from_u8(g).unwrap_or(super::Rating::Good));
        let d0_easy = w[4] - (w[5] * 3.0).exp() + 1.0;
        Kernel {
            w,
            decay,
            factor,
            interval_factor,
            max_interval: f.params().maximum_interval as f64,
            exp_w8: w[8].exp(),
            w7_d0_easy: w[7] * d0_easy,
            one_minus_w7: 1.0 - w[7],
            short_inc: std::array::from_fn(|i| (w[17] * ((i as f64 + 1.0) - 3.0 + w[18])).exp()),
            inv_short_div: 1.0 / (w[17] * w[18]).exp(),
            init_s: std::array::from_fn(|i| init(i as u8 + 1).stability),
            init_d: std::array::from_fn(|i| init(i as u8 + 1).difficulty),
        }
    }

    /// One review of one card (`s` NaN: a new card), all paths computed, one kept.
    #[inline(always)]
    fn one(&self, s: f64, d: f64, t: f64, g: u8) -> (f64, f64, f64) {
        let w = &self.w;
        let pick = |c: &[f64; 4]| {
            if g == 1 {
                c[0]
            } else if g == 2 {
                c[1]
            } else if g == 3 {
                c[2]
            } else {
                c[3]
            }
        };
        let gf = g as f64;
        let new = s.is_nan();
        let s = if new { 1.0 } else { s };
        let d = if new { 5.0 } else { d };
        let t = if new { 1.0 } else { t };
        let ln_s = ln(s);
        // Same day.
        let inc = pick(&self.short_inc) * exp(-w[19] * ln_s);
        let inc = if g >= 2 && inc < 1.0 { 1.0 } else { inc };
        let s_short = (s * inc).max(STABILITY_MIN);
        // Retrievability.
        let omr = 1.0 - exp(self.decay * ln(1.0 + self.factor * t / s));
        // Lapse.
        let long = w[11] * exp(-w[12] * ln(d) + omr * w[14]) * (exp(w[13] * ln(s + 1.0)) - 1.0);
        let s_forget = long.min(s * self.inv_short_div).max(STABILITY_MIN);
        // Recall.
        let mult = if g == 2 {
            w[15]
        } else if g == 4 {
            w[16]
        } else {
            1.0
        };
        let base = self.exp_w8 * (11.0 - d) * exp(-w[9] * ln_s) * (exp(omr * w[10]) - 1.0);
        let s_recall = (s * (1.0 + base * mult)).max(STABILITY_MIN);
        let s_long = if g == 1 { s_forget } else { s_recall };
        let ns = if t < 1.0 { s_short } else { s_long };
        let ns = if new { pick(&self.init_s) } else { ns };
        // Difficulty.
        let delta9 = -(w[6] * (gf - 3.0)) / 9.0;
        let nd = (self.w7_d0_easy + self.one_minus_w7 * (d + (10.0 - d) * delta9)).clamp(1.0, 10.0);
        let nd = if new { pick(&self.init_d) } else { nd };
        (ns, nd, self.interval(ns))
    }

    /// Interval for stability `ns`: round half to even (the magic-number trick), clamped to
    /// `[1, maximum]` (NaN → 1, as [`Fsrs::next_interval`]).
    #[inline(always)]
    fn interval(&self, ns: f64) -> f64 {
        let x = ns * self.interval_factor;
        let x = if x.is_nan() { 0.0 } else { x.min(1e15) };
        let r = (x + MAGIC) - MAGIC;
        if r >= 1.0 { r } else { 1.0 }.min(self.max_interval)
    }

    /// All four ratings of one card, sharing the common work; each outcome is bit-identical to
    /// [`Kernel::one`] with that rating.
    #[inline(always)]
    #[allow(clippy::type_complexity)]
    fn four(&self, s: f64, d: f64, t: f64) -> ([f64; 4], [f64; 4], [f64; 4]) {
        let w = &self.w;
        let new = s.is_nan();
        let s = if new { 1.0 } else { s };
        let d = if new { 5.0 } else { d };
        let t = if new { 1.0 } else { t };
        let ln_s = ln(s);
        let pow_short = exp(-w[19] * ln_s);
        let omr = 1.0 - exp(self.decay * ln(1.0 + self.factor * t / s));
        let long = w[11] * exp(-w[12] * ln(d) + omr * w[14]) * (exp(w[13] * ln(s + 1.0)) - 1.0);
        let s_forget = long.min(s * self.inv_short_div).max(STABILITY_MIN);
        let base = self.exp_w8 * (11.0 - d) * exp(-w[9] * ln_s) * (exp(omr * w[10]) - 1.0);
        let mult = [1.0, w[15], 1.0, w[16]];
        let (mut ns, mut nd, mut ivl) = ([0.0; 4], [0.0; 4], [0.0; 4]);
        for gi in 0..4 {
            let inc = self.short_inc[gi] * pow_short;
            let inc = if gi >= 1 && inc < 1.0 { 1.0 } else { inc };
            let s_short = (s * inc).max(STABILITY_MIN);
            let s_recall = (s * (1.0 + base * mult[gi])).max(STABILITY_MIN);
            let s_long = if gi == 0 { s_forget } else { s_recall };
            let x = if t < 1.0 { s_short } else { s_long };
            ns[gi] = if new { self.init_s[gi] } else { x };
            let delta9 = -(w[6] * ((gi as f64 + 1.0) - 3.0)) / 9.0;
            let dv =
                (self.w7_d0_easy + self.one_minus_w7 * (d + (10.0 - d) * delta9)).clamp(1.0, 10.0);
            nd[gi] = if new { self.init_d[gi] } else { dv };
            ivl[gi] = self.interval(ns[gi]);
        }
        (ns, nd, ivl)
    }
}

/// The loop over a batch (all slices of one length, inputs already checked).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn body(
    k: &Kernel,
    s: &[f64],
    d: &[f64],
    t: &[f64],
    g: &[u8],
    os: &mut [f64],
    od: &mut [f64],
    oi: &mut [f64],
) {
    let it = s
        .iter()
        .zip(d)
        .zip(t)
        .zip(g)
        .zip(os.iter_mut().zip(od.iter_mut()).zip(oi.iter_mut()));
    for ((((&s, &d), &t), &g), ((os, od), oi)) in it {
        let (a, b, c) = k.one(s, d, t, g);
        *os = a;
        *od = b;
        *oi = c;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
fn body_avx2(
    k: &Kernel,
    s: &[f64],
    d: &[f64],
    t: &[f64],
    g: &[u8],
    os: &mut [f64],
    od: &mut [f64],
    oi: &mut [f64],
) {
    body(k, s, d, t, g, os, od, oi)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
#[allow(clippy::too_many_arguments)]
fn body_avx512(
    k: &Kernel,
    s: &[f64],
    d: &[f64],
    t: &[f64],
    g: &[u8],
    os: &mut [f64],
    od: &mut [f64],
    oi: &mut [f64],
) {
    body(k, s, d, t, g, os, od, oi)
}

/// Next stability, difficulty and interval of every card (inputs already checked), on the widest
/// SIMD the CPU has.
#[allow(clippy::too_many_arguments)]
pub(crate) fn next_states(
    k: &Kernel,
    s: &[f64],
    d: &[f64],
    t: &[f64],
    g: &[u8],
    os: &mut [f64],
    od: &mut [f64],
    oi: &mut [f64],
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512dq")
            && std::is_x86_feature_detected!("avx512vl")
        {
            // SAFETY: the CPU has these features (checked just above).
            unsafe { body_avx512(k, s, d, t, g, os, od, oi) };
            return;
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has AVX2 and FMA (checked just above), the only requirement of a
            // `target_feature` function; the body itself is safe code.
            unsafe { body_avx2(k, s, d, t, g, os, od, oi) };
            return;
        }
    }
    body(k, s, d, t, g, os, od, oi)
}

#[inline(always)]
fn body_all(
    k: &Kernel,
    s: &[f64],
    d: &[f64],
    t: &[f64],
    os: &mut [[f64; 4]],
    od: &mut [[f64; 4]],
    oi: &mut [[f64; 4]],
) {
    let it = s
        .iter()
        .zip(d)
        .zip(t)
        .zip(os.iter_mut().zip(od.iter_mut()).zip(oi.iter_mut()));
    for (((&s, &d), &t), ((os, od), oi)) in it {
        let (a, b, c) = k.four(s, d, t);
        *os = a;
        *od = b;
        *oi = c;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn body_all_avx2(
    k: &Kernel,
    s: &[f64],
    d: &[f64],
    t: &[f64],
    os: &mut [[f64; 4]],
    od: &mut [[f64; 4]],
    oi: &mut [[f64; 4]],
) {
    body_all(k, s, d, t, os, od, oi)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl,avx2,fma")]
fn body_all_avx512(
    k: &Kernel,
    s: &[f64],
    d: &[f64],
    t: &[f64],
    os: &mut [[f64; 4]],
    od: &mut [[f64; 4]],
    oi: &mut [[f64; 4]],
) {
    body_all(k, s, d, t, os, od, oi)
}

/// All four outcomes of every card (inputs already checked), on the widest SIMD the CPU has.
pub(crate) fn next_states_all(
    k: &Kernel,
    s: &[f64],
    d: &[f64],
    t: &[f64],
    os: &mut [[f64; 4]],
    od: &mut [[f64; 4]],
    oi: &mut [[f64; 4]],
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512dq")
            && std::is_x86_feature_detected!("avx512vl")
        {
            // SAFETY: the CPU has these features (checked just above).
            unsafe { body_all_avx512(k, s, d, t, os, od, oi) };
            return;
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: as above.
            unsafe { body_all_avx2(k, s, d, t, os, od, oi) };
            return;
        }
    }
    body_all(k, s, d, t, os, od, oi)
}

#[inline(always)]
fn retr_body(decay: f64, factor: f64, s: &[f64], t: &[f64], out: &mut [f64]) {
    for ((&s, &t), o) in s.iter().zip(t).zip(out.iter_mut()) {
        *o = exp(decay * ln(1.0 + factor * t / s));
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn retr_avx2(decay: f64, factor: f64, s: &[f64], t: &[f64], out: &mut [f64]) {
    retr_body(decay, factor, s, t, out)
}

/// Retrievability of every card (inputs already checked: `s > 0`, `t ≥ 0`).
pub(crate) fn retrievability(f: &Fsrs, s: &[f64], t: &[f64], out: &mut [f64]) {
    let (decay, factor, _) = f.curve_constants();
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: as in `next_states`.
            unsafe { retr_avx2(decay, factor, s, t, out) };
            return;
        }
    }
    retr_body(decay, factor, s, t, out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repetition::MemoryState;

    #[test]
    fn exp_and_ln_match_libm() {
        let mut x: u64 = 0x1234_5678_9ABC_DEF1;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..200_000 {
            let a = (next() - 0.5) * 1400.0;
            let (e, r) = (exp(a), a.exp());
            assert!((e - r).abs() <= 4e-16 * r, "exp({a}) = {e} vs {r}");
            let b = (next() * 60.0 - 30.0).exp2();
            let (l, r) = (ln(b), b.ln());
            assert!((l - r).abs() <= 4.5e-16 * r.abs(), "ln({b}) = {l} vs {r}");
        }
        for v in [
            1.0,
            2.0,
            0.5,
            std::f64::consts::SQRT_2,
            0.001,
            36_500.0,
            1e300,
        ] {
            assert!((ln(v) - v.ln()).abs() <= 4.5e-16 * v.ln().abs());
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(ln(1.0), 0.0);
    }

    #[test]
    fn kernel_equals_the_scalar_formulas() {
        let f = Fsrs::default();
        let k = Kernel::new(&f);
        let mut s = vec![f64::NAN; 4];
        let mut d = vec![0.0; 4];
        let mut t = vec![0.0; 4];
        let mut g: Vec<u8> = (1..=4).collect();
        for &st in &[0.001, 0.3, 1.0, 2.3065, 10.0, 123.4, 36_500.0] {
            for &dd in &[1.0, 3.3, 7.0, 10.0] {
                for &tt in &[0.0, 0.5, 1.0, 3.0, 40.0, 1000.0] {
                    for gg in 1..=4u8 {
                        s.push(st);
                        d.push(dd);
                        t.push(tt);
                        g.push(gg);
                    }
                }
            }
        }
        let n = s.len();
        let (mut os, mut od, mut oi) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        next_states(&k, &s, &d, &t, &g, &mut os, &mut od, &mut oi);
        // The baseline (non-AVX2) body too.
        let (mut bs, mut bd, mut bi) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        body(&k, &s, &d, &t, &g, &mut bs, &mut bd, &mut bi);
        for i in 0..n {
            let want = if s[i].is_nan() {
                f.initial_state(crate::repetition::Rating::from_u8(g[i]).unwrap())
            } else {
                f.next_state_reference(
                    MemoryState {
                        stability: s[i],
                        difficulty: d[i],
                    },
                    t[i],
                    g[i],
                )
            };
            for (a, b) in [(os[i], bs[i]), (od[i], bd[i]), (oi[i], bi[i])] {
                assert_eq!(a.to_bits(), b.to_bits(), "SIMD and baseline differ at {i}");
            }
            assert!(
                (os[i] - want.stability).abs() <= 1e-13 * want.stability,
                "{i}: {} vs {}",
                os[i],
                want.stability
            );
            assert!((od[i] - want.difficulty).abs() <= 1e-13 * want.difficulty);
            assert_eq!(oi[i], f.next_interval(os[i]) as f64, "{i}: interval");
        }
        let mut r = vec![0.0; n];
        let keep: Vec<usize> = (0..n).filter(|&i| !s[i].is_nan()).collect();
        let ks: Vec<f64> = keep.iter().map(|&i| s[i]).collect();
        let kt: Vec<f64> = keep.iter().map(|&i| t[i]).collect();
        retrievability(&f, &ks, &kt, &mut r[..ks.len()]);
        for (j, (&a, &b)) in ks.iter().zip(&kt).enumerate() {
            let want = f.retrievability(a, b).unwrap();
            assert!((r[j] - want).abs() <= 1e-14 * want);
        }
    }
}
