//! Buy-till-you-die models fitted by maximum likelihood: BG/NBD (Fader, Hardie & Lee 2005),
//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987) and Gamma-Gamma spend (Fader, Hardie & Lee
//! 2005b).
//!
//! Decides, from each customer's `(frequency, recency, T)` summary of repeat purchases (see
//! [`super::summary`]), how likely the customer still is "alive", how many purchases to expect in
//! the next `t` periods, and — with Gamma-Gamma on the average spend — the customer lifetime value.
//!
//! The fits minimise the mean negative log-likelihood over log-parameters with BFGS; gradients are
//! exact (forward-mode dual numbers through `ln Γ` and the hypergeometric series), standard errors
//! come from the Hessian of the total log-likelihood (forward differences of the exact gradient) in
//! the original parameters. Identical customers are collapsed into weights before fitting.
//! Conventions (formulas, penalizer, CLV) follow the `lifetimes` package, so the CDNOW reference
//! figures of `lifetimes` 0.11.3 are reproduced.

#![allow(clippy::needless_range_loop)] // small dense matrices read best indexed

use super::num::{
    invert_spd, ln_hyp2f1, ln_hyp2f1_c_a1_pair, log_add_exp, log_sub_exp, minimize, Dual,
    Hyp2f1A1Table, HypError, Real,
};
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Name of the pseudo-table used in validation errors about `(frequency, recency, T)` inputs.
pub const RFM_TABLE: &str = "rfm";

/// Parameters of a maximum-likelihood fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FitParams {
    /// Maximum BFGS iterations before the fit is reported as not converged.
    pub max_iter: usize,
    /// Convergence tolerance on the largest gradient component of the mean negative
    /// log-likelihood with respect to the log-parameters.
    pub tolerance: f64,
    /// L2 penalty on the parameters added to the mean negative log-likelihood (as `lifetimes`'
    /// `penalizer_coef`); 0 = plain maximum likelihood.
    pub penalizer: f64,
}

impl Default for FitParams {
    fn default() -> Self {
        FitParams {
            max_iter: 1000,
            tolerance: 1e-9,
            penalizer: 0.0,
        }
    }
}

impl FitParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        if self.max_iter == 0 {
            return Err(CoreError::param("max_iter", "must be ≥ 1"));
        }
        if !(self.tolerance > 0.0 && self.tolerance.is_finite()) {
            return Err(CoreError::param("tolerance", "must be a positive number"));
        }
        if !(self.penalizer >= 0.0 && self.penalizer.is_finite()) {
            return Err(CoreError::param("penalizer", "must be ≥ 0"));
        }
        Ok(())
    }
}

/// What a fit measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitInfo {
    /// Total log-likelihood at the estimate (without the penalty).
    pub log_likelihood: f64,
    /// Standard errors of the parameters, in the model's parameter order.
    pub standard_errors: Vec<f64>,
    /// BFGS iterations used.
    pub iterations: usize,
    /// Number of customers fitted.
    pub customers: usize,
}

/// The time unit of a summary; sets how many periods make a month for CLV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TimeUnit {
    /// Hours.
    Hour,
    /// Days.
    Day,
    /// Weeks (7 days).
    #[default]
    Week,
    /// Months (as `lifetimes`: 1 period per month for CLV; 30 days in summaries).
    Month,
}

impl TimeUnit {
    /// Periods per month used by [`customer_lifetime_value`] (the `lifetimes` factors).
    pub fn periods_per_month(self) -> f64 {
        match self {
            TimeUnit::Hour => 30.0 * 24.0,
            TimeUnit::Day => 30.0,
            TimeUnit::Week => 4.345,
            TimeUnit::Month => 1.0,
        }
    }

    /// Length of one unit in days.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Hour => 1.0 / 24.0,
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
            TimeUnit::Month => 30.0,
        }
    }

    /// Parse `"H"`, `"D"`, `"W"`, `"M"` (pandas-style codes) or the snake-case names.
    pub fn parse(s: &str) -> Option<TimeUnit> {
        match s {
            "H" | "h" | "hour" => Some(TimeUnit::Hour),
            "D" | "d" | "day" => Some(TimeUnit::Day),
            "W" | "w" | "week" => Some(TimeUnit::Week),
            "M" | "m" | "month" => Some(TimeUnit::Month),
            _ => None,
        }
    }
}

fn bad(row: usize, column: &str, message: impl Into<String>) -> CoreError {
    CoreError::validation(RFM_TABLE, Some(row + 1), Some(column), message)
}

/// Check one customer's `(frequency, recency, T)`.
pub fn check_customer(row: usize, x: f64, tx: f64, t: f64) -> Result<()> {
    if !(x.is_finite() && x >= 0.0 && x.fract() == 0.0) {
        return Err(bad(
            row,
            "frequency",
            format!("{x} is not a non-negative integer"),
        ));
    }
    if !(t.is_finite() && t > 0.0) {
        return Err(bad(
            row,
            "T",
            format!("{t}: the observation length must be > 0"),
        ));
    }
    if !(tx.is_finite() && tx >= 0.0) {
        return Err(bad(
            row,
            "recency",
            format!("{tx} is not a non-negative number"),
        ));
    }
    if tx > t * (1.0 + 1e-12) {
        return Err(bad(
            row,
            "recency",
            format!("recency {tx} is greater than T {t}"),
        ));
    }
    Ok(())
}

fn check_lengths(cols: &[(&str, usize)]) -> Result<usize> {
    let n = cols[0].1;
    for (name, len) in cols {
        if *len != n {
            return Err(CoreError::validation(
                RFM_TABLE,
                None,
                Some(name),
                format!("has {len} values, `{}` has {n}", cols[0].0),
            ));
        }
    }
    if n == 0 {
        return Err(CoreError::validation(RFM_TABLE, None, None, "no customers"));
    }
    Ok(n)
}

/// One distinct customer summary of a fit and how many customers share it.
#[derive(Debug, Clone, Copy)]
struct RfmRow {
    /// `[x, t_x, T]`.
    v: [f64; 3],
    /// Number of identical customers.
    w: f64,
    /// Indices of `t_x` and `T` in [`Rfm::grid`].
    k: [usize; 2],
}

/// Customers collapsed for a fit: distinct rows sorted by frequency, and the distinct time values
/// (`t_x` and `T`: weeks of whole days give a few hundred) so that `ln(α + t)` is computed once
/// per value and evaluation rather than once per customer.
#[derive(Debug, Clone)]
struct Rfm {
    rows: Vec<RfmRow>,
    grid: Vec<f64>,
    customers: usize,
}

impl Rfm {
    /// Index ranges of the groups of rows sharing one frequency.
    fn groups(&self) -> impl Iterator<Item = &[RfmRow]> {
        self.rows.chunk_by(|a, b| a.v[0] == b.v[0])
    }

    /// `ln(θ + g)` for every grid value `g`, into `out`.
    fn ln_shifted<const N: usize>(&self, theta: Dual<N>, out: &mut Vec<Dual<N>>) {
        out.clear();
        out.extend(self.grid.iter().map(|g| (theta + Dual::cst(*g)).ln()));
    }
}

/// Validate and collapse identical `(frequency, recency, T)` rows into weights.
fn collapse_rfm(x: &[f64], tx: &[f64], t: &[f64]) -> Result<Rfm> {
    let n = check_lengths(&[
        ("frequency", x.len()),
        ("recency", tx.len()),
        ("T", t.len()),
    ])?;
    let mut all: Vec<[f64; 3]> = Vec::with_capacity(n);
    for i in 0..n {
        check_customer(i, x[i], tx[i], t[i])?;
        // recency is irrelevant when frequency is 0: normalise so such rows collapse.
        let r = if x[i] == 0.0 { 0.0 } else { tx[i].min(t[i]) };
        all.push([x[i], r, t[i]]);
    }
    // Sorting groups identical rows (and orders them by frequency).
    all.sort_unstable_by(|a, b| {
        a[0].total_cmp(&b[0])
            .then(a[1].total_cmp(&b[1]))
            .then(a[2].total_cmp(&b[2]))
    });
    let mut rows: Vec<RfmRow> = Vec::new();
    for v in all {
        match rows.last_mut() {
            Some(last) if last.v == v => last.w += 1.0,
            _ => rows.push(RfmRow {
                v,
                w: 1.0,
                k: [0, 0],
            }),
        }
    }
    let mut grid: Vec<f64> = rows.iter().flat_map(|r| [r.v[1], r.v[2]]).collect();
    grid.sort_by(f64::total_cmp);
    grid.dedup();
    for r in &mut rows {
        for j in 0..2 {
            r.k[j] = grid.partition_point(|g| *g < r.v[j + 1]);
        }
    }
    Ok(Rfm {
        rows,
        grid,
        customers: n,
    })
}

/// Parameters, total log-likelihood and its gradient.
type Evaluation<const N: usize> = ([f64; N], f64, [f64; N]);

/// The shared maximum-likelihood driver: `ll(params)` is the total log-likelihood of the
/// `customers` customers (with its gradient as dual numbers).
fn fit_ml<const N: usize>(
    model: &str,
    customers: usize,
    x0: [f64; N],
    params: &FitParams,
    ll: impl Fn(&[Dual<N>; N]) -> Option<Dual<N>>,
) -> Result<([f64; N], FitInfo)> {
    params.validate()?;
    let wsum = customers as f64;
    // Total log-likelihood and its gradient with respect to the original parameters.
    let total = |p: &[f64; N]| -> Option<(f64, [f64; N])> {
        let duals: [Dual<N>; N] = std::array::from_fn(|i| Dual::var(p[i], i));
        let l = ll(&duals)?;
        let (v, g) = (l.v, l.d);
        (v.is_finite() && g.iter().all(|x| x.is_finite())).then_some((v, g))
    };
    // The last evaluation, reused at the estimate (the minimiser's last point is almost always
    // its last evaluation).
    let last = std::cell::Cell::new(None::<Evaluation<N>>);
    let objective = |theta: &[f64; N]| -> Option<(f64, [f64; N])> {
        let p = theta.map(f64::exp);
        if p.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return None;
        }
        let (v, g) = total(&p)?;
        last.set(Some((p, v, g)));
        let pen: f64 = params.penalizer * p.iter().map(|x| x * x).sum::<f64>();
        let f = -v / wsum + pen;
        let grad = std::array::from_fn(|i| (-g[i] / wsum + 2.0 * params.penalizer * p[i]) * p[i]);
        Some((f, grad))
    };
    let theta0 = x0.map(f64::ln);
    // Data that do not identify the model (typically no evidence of dropout: the likelihood keeps
    // rising towards a boundary) are the usual cause; a small L2 penalty, as in `lifetimes`, keeps
    // the parameters finite.
    let hint = if params.penalizer > 0.0 {
        String::new()
    } else {
        "; the data may not identify the model (e.g. too little evidence of dropout): a small \
         penalizer (penalizer_coef=0.01, as in lifetimes) keeps the parameters finite"
            .to_string()
    };
    let res = minimize(objective, theta0, params.max_iter, params.tolerance).ok_or_else(|| {
        CoreError::convergence(
            model,
            format!(
                "the log-likelihood is not finite at the starting point or along the search{hint}"
            ),
        )
    })?;
    if !res.converged {
        return Err(CoreError::convergence(
            model,
            format!(
                "gradient tolerance {} not met after {} iterations{hint}",
                params.tolerance, res.iterations
            ),
        ));
    }
    let p = res.x.map(f64::exp);
    let (ll_total, g0) = match last.get() {
        Some((lp, v, g)) if lp == p => (v, g),
        _ => total(&p).ok_or_else(|| {
            CoreError::convergence(model, "the log-likelihood is not finite at the estimate")
        })?,
    };
    // Hessian of the negative total log-likelihood by forward differences of the exact gradient
    // (N evaluations): with a relative step of 1e-7 both the truncation error and the rounding
    // error of the gradient stay near 1e-5 relative on CDNOW, below the 4 digits a standard error
    // is quoted to. On small or flat data (an estimate far out on a ridge) that step drowns in
    // rounding noise and the matrix is not positive definite: central differences with a larger
    // step (2N evaluations, as before) then decide whether the maximum is proper.
    let non_finite = || CoreError::convergence(model, "non-finite Hessian");
    let mut h = [[0.0; N]; N];
    for j in 0..N {
        let mut up = p;
        up[j] = p[j] * (1.0 + 1e-7);
        let step = up[j] - p[j];
        let (_, gu) = total(&up).ok_or_else(non_finite)?;
        for i in 0..N {
            h[i][j] = -(gu[i] - g0[i]) / step;
        }
    }
    let cov = match invert_spd(symmetrised(h)) {
        Some(cov) => cov,
        None => {
            for j in 0..N {
                let step = 1e-5 * p[j];
                let (mut up, mut dn) = (p, p);
                up[j] += step;
                dn[j] -= step;
                let (_, gu) = total(&up).ok_or_else(non_finite)?;
                let (_, gd) = total(&dn).ok_or_else(non_finite)?;
                for i in 0..N {
                    h[i][j] = -(gu[i] - gd[i]) / (2.0 * step);
                }
            }
            invert_spd(symmetrised(h)).ok_or_else(|| {
                CoreError::convergence(
                    model,
                    "the Hessian at the estimate is not positive definite (no proper maximum)",
                )
            })?
        }
    };
    let standard_errors = (0..N).map(|i| cov[i][i].sqrt()).collect();
    Ok((
        p,
        FitInfo {
            log_likelihood: ll_total,
            standard_errors,
            iterations: res.iterations,
            customers,
        },
    ))
}

/// `(h + hᵀ) / 2`.
fn symmetrised<const N: usize>(mut h: [[f64; N]; N]) -> [[f64; N]; N] {
    for i in 0..N {
        for j in 0..i {
            let m = 0.5 * (h[i][j] + h[j][i]);
            h[i][j] = m;
            h[j][i] = m;
        }
    }
    h
}

fn mean_of(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn hyp_err(model: &str, e: HypError) -> CoreError {
    match e {
        HypError::Domain => {
            CoreError::convergence(model, "hypergeometric function outside its domain")
        }
        HypError::NoConvergence => {
            CoreError::convergence(model, "hypergeometric series did not converge")
        }
    }
}

fn finite(model: &str, v: f64) -> Result<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(CoreError::convergence(
            model,
            format!("non-finite prediction ({v})"),
        ))
    }
}

fn check_positive(names: &[&str], values: &[f64]) -> Result<()> {
    for (n, v) in names.iter().zip(values) {
        if !(v.is_finite() && *v > 0.0) {
            return Err(CoreError::param(
                n,
                format!("{v} must be a positive number"),
            ));
        }
    }
    Ok(())
}

/// A model of the number of transactions: what [`customer_lifetime_value`] needs.
pub trait TransactionModel {
    /// Expected repeat purchases in `(T, T + t]` for a customer with `(x, t_x, T)`.
    fn expected_purchases(&self, t: f64, x: f64, tx: f64, big_t: f64) -> Result<f64>;
}

fn batch(
    x: &[f64],
    tx: &[f64],
    t: &[f64],
    f: impl Fn(f64, f64, f64) -> Result<f64>,
) -> Result<Vec<f64>> {
    let n = check_lengths(&[
        ("frequency", x.len()),
        ("recency", tx.len()),
        ("T", t.len()),
    ])?;
    (0..n)
        .map(|i| {
            check_customer(i, x[i], tx[i], t[i])?;
            f(x[i], tx[i], t[i])
        })
        .collect()
}

// ------------------------------------------------------------------------------------------------
// BG/NBD

/// A BG/NBD model: purchases follow a Poisson process with Gamma(r, α) rates; after each purchase
/// the customer drops out with a Beta(a, b) probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetaGeo {
    /// Shape of the purchase-rate Gamma.
    pub r: f64,
    /// Scale of the purchase-rate Gamma (in time units).
    pub alpha: f64,
    /// Beta parameter `a` of the dropout probability.
    pub a: f64,
    /// Beta parameter `b` of the dropout probability.
    pub b: f64,
    /// The fit, when the parameters were estimated.
    pub fit: Option<FitInfo>,
}

/// The frequency-only terms of the BG/NBD log-likelihood: `[A₁ + A₂, ln a − ln(b + x − 1)]`.
fn bg_x<T: Real>(p: &[T; 4], x: f64) -> [T; 2] {
    let [r, alpha, a, b] = *p;
    let xf = T::cst(x);
    let a1 = (r + xf).lgamma() - r.lgamma() + r * alpha.ln();
    let a2 = (a + b).lgamma() + (b + xf).lgamma() - b.lgamma() - (a + b + xf).lgamma();
    let c = if x > 0.0 {
        a.ln() - (b + T::cst(x - 1.0)).ln()
    } else {
        T::cst(0.0)
    };
    [a1 + a2, c]
}

/// One customer's log-likelihood from the frequency-only terms and `ln(α + t_x)`, `ln(α + T)`.
fn bg_row<T: Real>(p: &[T; 4], x: f64, xp: &[T; 2], ln_atx: T, ln_at: T) -> T {
    let rx = p[0] + T::cst(x);
    let a3 = -rx * ln_at;
    if x > 0.0 {
        let a4 = xp[1] - rx * ln_atx;
        xp[0] + log_add_exp(a3, a4)
    } else {
        xp[0] + a3
    }
}

fn bg_ll<T: Real>(p: &[T; 4], row: &[f64; 3]) -> T {
    let [x, tx, t] = *row;
    let alpha = p[1];
    bg_row(
        p,
        x,
        &bg_x(p, x),
        (alpha + T::cst(tx)).ln(),
        (alpha + T::cst(t)).ln(),
    )
}

/// The total BG/NBD log-likelihood of collapsed customers.
fn bg_total<const N: usize>(
    p: &[Dual<N>; 4],
    rfm: &Rfm,
    ln_a: &mut Vec<Dual<N>>,
) -> Option<Dual<N>> {
    rfm.ln_shifted(p[1], ln_a);
    let mut acc = Dual::cst(0.0);
    for grp in rfm.groups() {
        let x = grp.first()?.v[0];
        let xp = bg_x(p, x);
        for row in grp {
            let l = bg_row(p, x, &xp, *ln_a.get(row.k[0])?, *ln_a.get(row.k[1])?);
            acc = acc + l.scale(row.w);
        }
    }
    Some(acc)
}

impl BetaGeo {
    const NAME: &'static str = "BG/NBD";

    /// A model with known parameters.
    pub fn new(r: f64, alpha: f64, a: f64, b: f64) -> Result<BetaGeo> {
        check_positive(&["r", "alpha", "a", "b"], &[r, alpha, a, b])?;
        Ok(BetaGeo {
            r,
            alpha,
            a,
            b,
            fit: None,
        })
    }

    /// Fit by maximum likelihood to customers' `(frequency, recency, T)`.
    pub fn fit(
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
        params: &FitParams,
    ) -> Result<BetaGeo> {
        let rfm = collapse_rfm(frequency, recency, t)?;
        let alpha0 = mean_of(t).max(1e-3);
        let ln_a = std::cell::RefCell::new(Vec::new());
        let (p, info) = fit_ml(
            Self::NAME,
            rfm.customers,
            [1.0, alpha0, 1.0, 1.0],
            params,
            |p| bg_total(p, &rfm, &mut ln_a.borrow_mut()),
        )?;
        Ok(BetaGeo {
            r: p[0],
            alpha: p[1],
            a: p[2],
            b: p[3],
            fit: Some(info),
        })
    }

    /// Parameters in order `[r, alpha, a, b]`.
    pub fn params(&self) -> [f64; 4] {
        [self.r, self.alpha, self.a, self.b]
    }

    /// Log-likelihood of one customer.
    pub fn customer_log_likelihood(&self, x: f64, tx: f64, t: f64) -> f64 {
        bg_ll(&self.params(), &[x, tx, t])
    }

    /// P(alive) of a customer (1 when `x = 0`, as in the model).
    pub fn probability_alive(&self, x: f64, tx: f64, t: f64) -> f64 {
        if x == 0.0 {
            return 1.0;
        }
        let log_div = (self.r + x) * ((self.alpha + t) / (self.alpha + tx)).ln()
            + (self.a / (self.b + x - 1.0)).ln();
        1.0 / (1.0 + log_div.exp())
    }

    /// Expected repeat purchases in the next `t` periods for a customer with `(x, t_x, T)`.
    pub fn conditional_expected_purchases(
        &self,
        t: f64,
        x: f64,
        tx: f64,
        big_t: f64,
    ) -> Result<f64> {
        if !(t.is_finite() && t >= 0.0) {
            return Err(CoreError::param("t", format!("{t} must be ≥ 0")));
        }
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let z = t / (alpha + big_t + t);
        let ln_h =
            ln_hyp2f1(r + x, b + x, a + b + x - 1.0, z).map_err(|e| hyp_err(Self::NAME, e))?;
        let first = (a + b + x - 1.0) / (a - 1.0);
        let second = 1.0 - (ln_h + (r + x) * ((alpha + big_t) / (alpha + t + big_t)).ln()).exp();
        let den = if x > 0.0 {
            1.0 + a / (b + x - 1.0) * ((alpha + big_t) / (alpha + tx)).powf(r + x)
        } else {
            1.0
        };
        finite(Self::NAME, first * second / den)
    }

    /// Expected purchases in `(0, t]` of a new customer, E[X(t)].
    pub fn expected_purchases_new_customer(&self, t: f64) -> Result<f64> {
        let (r, alpha, a, b) = (self.r, self.alpha, self.a, self.b);
        let ln_h =
            ln_hyp2f1(r, b, a + b - 1.0, t / (alpha + t)).map_err(|e| hyp_err(Self::NAME, e))?;
        let v = (a + b - 1.0) / (a - 1.0) * (1.0 - ((alpha / (alpha + t)).ln() * r + ln_h).exp());
        finite(Self::NAME, v)
    }

    /// [`Self::probability_alive`] over slices (validated).
    pub fn probability_alive_many(&self, x: &[f64], tx: &[f64], t: &[f64]) -> Result<Vec<f64>> {
        batch(x, tx, t, |x, tx, t| Ok(self.probability_alive(x, tx, t)))
    }

    /// [`Self::conditional_expected_purchases`] over slices (validated).
    pub fn conditional_expected_purchases_many(
        &self,
        t: f64,
        x: &[f64],
        tx: &[f64],
        big_t: &[f64],
    ) -> Result<Vec<f64>> {
        batch(x, tx, big_t, |x, tx, bt| {
            self.conditional_expected_purchases(t, x, tx, bt)
        })
    }
}

impl TransactionModel for BetaGeo {
    fn expected_purchases(&self, t: f64, x: f64, tx: f64, big_t: f64) -> Result<f64> {
        self.conditional_expected_purchases(t, x, tx, big_t)
    }
}

// ------------------------------------------------------------------------------------------------
// Pareto/NBD

/// A Pareto/NBD model: Poisson purchases with Gamma(r, α) rates, exponential lifetimes with
/// Gamma(s, β) dropout rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParetoNbd {
    /// Shape of the purchase-rate Gamma.
    pub r: f64,
    /// Scale of the purchase-rate Gamma.
    pub alpha: f64,
    /// Shape of the dropout-rate Gamma.
    pub s: f64,
    /// Scale of the dropout-rate Gamma.
    pub beta: f64,
    /// The fit, when the parameters were estimated.
    pub fit: Option<FitInfo>,
}

/// Which side of the Pareto/NBD hypergeometric terms to take: `(min(α, β), max(α, β), b)` with
/// the series' `b` parameter, so that `|z| < 1` (Fader & Hardie's note, as in `lifetimes`).
fn pnbd_sides<T: Real>(p: &[T; 4], x: f64) -> (T, T, T) {
    let [r, alpha, s, beta] = *p;
    if alpha.val() < beta.val() {
        (alpha, beta, r + T::cst(x))
    } else {
        (beta, alpha, s + T::cst(1.0))
    }
}

/// `ln A₀` of the Pareto/NBD likelihood, with the pair of series at `(z₁, z₂)` from `pair`;
/// `ln_q2 = ln(max(α, β) + T)`.
fn pnbd_log_a0_with<T: Real>(
    p: &[T; 4],
    x: f64,
    tx: f64,
    t: f64,
    ln_q2: T,
    pair: impl FnOnce(T, T, T, T) -> std::result::Result<(T, T), HypError>,
) -> std::result::Result<T, HypError> {
    let [r, _, s, _] = *p;
    let (mn, mx, tt) = pnbd_sides(p, x);
    let diff = mx - mn;
    let rsf = r + s + T::cst(x);
    let q1 = mx + T::cst(tx);
    let q2 = mx + T::cst(t);
    if t - tx <= 0.0 {
        // A₀ is an integral over (t_x, T): empty.
        return Ok(T::cst(f64::NEG_INFINITY));
    }
    let ln_q1 = q1.ln();
    let (p1, p2) = pair(rsf, tt, diff / q1, diff / q2)?;
    // ln(e^(p1 + rsf ln q2) − e^(p2 + rsf ln q1)) − rsf (ln q1 + ln q2)
    Ok(log_sub_exp(p1 - rsf * ln_q1, p2 - rsf * ln_q2))
}

/// `ln A₀` of the Pareto/NBD likelihood (series summed for this customer alone).
fn pnbd_log_a0<T: Real>(p: &[T; 4], x: f64, tx: f64, t: f64) -> std::result::Result<T, HypError> {
    let (_, mx, _) = pnbd_sides(p, x);
    pnbd_log_a0_with(p, x, tx, t, (mx + T::cst(t)).ln(), ln_hyp2f1_c_a1_pair)
}

fn pnbd_x<T: Real>(p: &[T; 4], x: f64) -> T {
    let [r, alpha, s, beta] = *p;
    (r + T::cst(x)).lgamma() - r.lgamma() + r * alpha.ln() + s * beta.ln()
}

/// One customer's log-likelihood from the frequency-only term `xp`, `ln A₀`, `ln(α + T)`,
/// `ln(β + T)` and `ln s − ln(r + s + x)`.
fn pnbd_row<T: Real>(p: &[T; 4], x: f64, xp: T, log_a0: T, ln_at: T, ln_bt: T, ln_s_rsx: T) -> T {
    let [r, _, s, _] = *p;
    xp + log_add_exp(-(r + T::cst(x)) * ln_at - s * ln_bt, ln_s_rsx + log_a0)
}

/// Per-evaluation buffers of the Pareto/NBD fit.
#[derive(Debug, Default)]
struct PnbdScratch<const N: usize> {
    table: Hyp2f1A1Table,
    ln_a: Vec<Dual<N>>,
    ln_b: Vec<Dual<N>>,
    /// A series exceeded its term budget: the search has run off towards `s, β → ∞` (or
    /// `r, α → ∞`), where `z → 1`; the fit stops there with a named error.
    runaway: bool,
}

/// The total Pareto/NBD log-likelihood of collapsed customers. The hypergeometric series
/// coefficients depend on the frequency only, so they are computed once per frequency
/// ([`Hyp2f1A1Table`]) and each customer is a Horner evaluation.
fn pnbd_total<const N: usize>(
    p: &[Dual<N>; 4],
    rfm: &Rfm,
    sc: &mut PnbdScratch<N>,
) -> Option<Dual<N>> {
    let [r, alpha, s, beta] = *p;
    rfm.ln_shifted(alpha, &mut sc.ln_a);
    rfm.ln_shifted(beta, &mut sc.ln_b);
    let alpha_is_max = alpha.v >= beta.v;
    let mut acc = Dual::cst(0.0);
    for grp in rfm.groups() {
        let x = grp.first()?.v[0];
        let (mn, mx, tt) = pnbd_sides(p, x);
        let diff = mx - mn;
        let rsf = r + s + Dual::cst(x);
        let min_tx = grp
            .iter()
            .filter(|row| row.v[2] - row.v[1] > 0.0)
            .map(|row| row.v[1])
            .fold(f64::INFINITY, f64::min);
        let z_max = diff.v / (mx.v + min_tx);
        let tabled = min_tx.is_finite() && sc.table.fill(rsf.v, tt.v, z_max);
        let xp = pnbd_x(p, x);
        let ln_s_rsx = s.ln() - rsf.ln();
        for row in grp {
            let [_, tx, t] = row.v;
            let ln_at = *sc.ln_a.get(row.k[1])?;
            let ln_bt = *sc.ln_b.get(row.k[1])?;
            let (ln_q1, ln_q2) = if alpha_is_max {
                (*sc.ln_a.get(row.k[0])?, ln_at)
            } else {
                (*sc.ln_b.get(row.k[0])?, ln_bt)
            };
            let log_a0 = if t - tx <= 0.0 {
                // A₀ is an integral over (t_x, T): empty.
                Dual::cst(f64::NEG_INFINITY)
            } else {
                let (z1, z2) = (diff / (mx + Dual::cst(tx)), diff / (mx + Dual::cst(t)));
                let (p1, p2) = if tabled {
                    sc.table.eval_pair(rsf, tt, z1, z2)
                } else {
                    match ln_hyp2f1_c_a1_pair(rsf, tt, z1, z2) {
                        Ok(v) => v,
                        Err(e) => {
                            sc.runaway |= e == HypError::NoConvergence;
                            return None;
                        }
                    }
                };
                log_sub_exp(p1 - rsf * ln_q1, p2 - rsf * ln_q2)
            };
            acc = acc + pnbd_row(p, x, xp, log_a0, ln_at, ln_bt, ln_s_rsx).scale(row.w);
        }
    }
    Some(acc)
}

fn pnbd_ll<T: Real>(p: &[T; 4], row: &[f64; 3]) -> std::result::Result<T, HypError> {
    let [r, alpha, s, beta] = *p;
    let [x, tx, t] = *row;
    let log_a0 = pnbd_log_a0(p, x, tx, t)?;
    let ln_s_rsx = s.ln() - (r + s + T::cst(x)).ln();
    let (ln_at, ln_bt) = ((alpha + T::cst(t)).ln(), (beta + T::cst(t)).ln());
    Ok(pnbd_row(p, x, pnbd_x(p, x), log_a0, ln_at, ln_bt, ln_s_rsx))
}

impl ParetoNbd {
    const NAME: &'static str = "Pareto/NBD";

    /// A model with known parameters.
    pub fn new(r: f64, alpha: f64, s: f64, beta: f64) -> Result<ParetoNbd> {
        check_positive(&["r", "alpha", "s", "beta"], &[r, alpha, s, beta])?;
        Ok(ParetoNbd {
            r,
            alpha,
            s,
            beta,
            fit: None,
        })
    }

    /// Fit by maximum likelihood to customers' `(frequency, recency, T)`.
    pub fn fit(
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
        params: &FitParams,
    ) -> Result<ParetoNbd> {
        let rfm = collapse_rfm(frequency, recency, t)?;
        let m = mean_of(t).max(1e-3);
        let scratch = std::cell::RefCell::new(PnbdScratch::default());
        let fitted = fit_ml(Self::NAME, rfm.customers, [1.0, m, 1.0, m], params, |p| {
            let mut sc = scratch.borrow_mut();
            // Once the search has run off to a boundary every later probe is refused at once, so
            // the fit ends instead of summing ever longer series.
            if sc.runaway {
                return None;
            }
            pnbd_total(p, &rfm, &mut sc)
        });
        if scratch.borrow().runaway {
            return Err(CoreError::convergence(
                Self::NAME,
                "the estimate runs off to a boundary (s, β → ∞ or r, α → ∞: the data show too \
                 little evidence of dropout to identify the Pareto/NBD); a small penalizer \
                 (penalizer_coef=0.01, as in lifetimes) keeps the parameters finite, or use BG/NBD",
            ));
        }
        let (p, info) = fitted?;
        Ok(ParetoNbd {
            r: p[0],
            alpha: p[1],
            s: p[2],
            beta: p[3],
            fit: Some(info),
        })
    }

    /// Parameters in order `[r, alpha, s, beta]`.
    pub fn params(&self) -> [f64; 4] {
        [self.r, self.alpha, self.s, self.beta]
    }

    /// Log-likelihood of one customer.
    pub fn customer_log_likelihood(&self, x: f64, tx: f64, t: f64) -> Result<f64> {
        pnbd_ll(&self.params(), &[x, tx, t]).map_err(|e| hyp_err(Self::NAME, e))
    }

    /// P(alive) of a customer.
    pub fn probability_alive(&self, x: f64, tx: f64, t: f64) -> Result<f64> {
        let (r, alpha, s, beta) = (self.r, self.alpha, self.s, self.beta);
        let a0 = pnbd_log_a0(&self.params(), x, tx, t).map_err(|e| hyp_err(Self::NAME, e))?;
        let e = s.ln() - (r + s + x).ln() + (r + x) * (alpha + t).ln() + s * (beta + t).ln() + a0;
        finite(Self::NAME, 1.0 / (1.0 + e.exp()))
    }

    /// Expected repeat purchases in the next `t` periods for a customer with `(x, t_x, T)`.
    pub fn conditional_expected_purchases(
        &self,
        t: f64,
        x: f64,
        tx: f64,
        big_t: f64,
    ) -> Result<f64> {
        if !(t.is_finite() && t >= 0.0) {
            return Err(CoreError::param("t", format!("{t} must be ≥ 0")));
        }
        let (r, alpha, s, beta) = (self.r, self.alpha, self.s, self.beta);
        let ll = self.customer_log_likelihood(x, tx, big_t)?;
        let first = crate::churn::num::ln_gamma(r + x) - crate::churn::num::ln_gamma(r)
            + r * alpha.ln()
            + s * beta.ln()
            - (r + x) * (alpha + big_t).ln()
            - s * (beta + big_t).ln();
        let second = (r + x).ln() + (beta + big_t).ln() - (alpha + big_t).ln();
        let ratio = (beta + big_t) / (beta + big_t + t);
        // (1 − ratio^(s−1)) / (s−1), with its limit −ln(ratio) at s = 1.
        let third = if (s - 1.0).abs() < 1e-10 {
            -ratio.ln()
        } else {
            -(((s - 1.0) * ratio.ln()).exp_m1()) / (s - 1.0)
        };
        if t == 0.0 {
            return Ok(0.0);
        }
        finite(Self::NAME, (first + second + third.ln() - ll).exp())
    }

    /// Expected purchases in `(0, t]` of a new customer, E[X(t)].
    pub fn expected_purchases_new_customer(&self, t: f64) -> Result<f64> {
        let (r, alpha, s, beta) = (self.r, self.alpha, self.s, self.beta);
        let ratio = beta / (beta + t);
        let v = if (s - 1.0).abs() < 1e-10 {
            r * beta / alpha * -ratio.ln()
        } else {
            r * beta / (alpha * (s - 1.0)) * -(((s - 1.0) * ratio.ln()).exp_m1())
        };
        finite(Self::NAME, v)
    }

    /// [`Self::probability_alive`] over slices (validated).
    pub fn probability_alive_many(&self, x: &[f64], tx: &[f64], t: &[f64]) -> Result<Vec<f64>> {
        batch(x, tx, t, |x, tx, t| self.probability_alive(x, tx, t))
    }

    /// [`Self::conditional_expected_purchases`] over slices (validated).
    pub fn conditional_expected_purchases_many(
        &self,
        t: f64,
        x: &[f64],
        tx: &[f64],
        big_t: &[f64],
    ) -> Result<Vec<f64>> {
        batch(x, tx, big_t, |x, tx, bt| {
            self.conditional_expected_purchases(t, x, tx, bt)
        })
    }
}

impl TransactionModel for ParetoNbd {
    fn expected_purchases(&self, t: f64, x: f64, tx: f64, big_t: f64) -> Result<f64> {
        self.conditional_expected_purchases(t, x, tx, big_t)
    }
}

// ------------------------------------------------------------------------------------------------
// Gamma-Gamma

/// The Gamma-Gamma model of average spend per transaction: spend ~ Gamma(p, ν), ν ~ Gamma(q, γ).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GammaGamma {
    /// Shape of a customer's transaction values.
    pub p: f64,
    /// Shape of the Gamma over customers' scale.
    pub q: f64,
    /// Scale (γ, `v` in `lifetimes`) of the Gamma over customers' scale.
    pub gamma: f64,
    /// The fit, when the parameters were estimated.
    pub fit: Option<FitInfo>,
}

fn gg_x<T: Real>(p: &[T; 3], x: f64) -> [T; 2] {
    let [pp, q, v] = *p;
    let px = pp.scale(x);
    [
        (px + q).lgamma() - px.lgamma() - q.lgamma() + q * v.ln() + px.scale(x.ln()),
        px,
    ]
}

fn gg_row<T: Real>(p: &[T; 3], row: &[f64; 3], xp: &[T; 2]) -> T {
    let [_, q, v] = *p;
    let [x, m, _] = *row;
    let px = xp[1];
    xp[0] + (px - T::cst(1.0)).scale(m.ln()) - (px + q) * (v + T::cst(x * m)).ln()
}

/// The total Gamma-Gamma log-likelihood of collapsed `([x, m, _], weight)` rows sorted by `x`.
fn gg_total<const N: usize>(p: &[Dual<N>; 3], rows: &[([f64; 3], f64)]) -> Option<Dual<N>> {
    let mut acc = Dual::cst(0.0);
    for grp in rows.chunk_by(|a, b| a.0[0] == b.0[0]) {
        let xp = gg_x(p, grp.first()?.0[0]);
        for (row, w) in grp {
            acc = acc + gg_row(p, row, &xp).scale(*w);
        }
    }
    Some(acc)
}

fn collapse_spend(x: &[f64], m: &[f64]) -> Result<Vec<([f64; 3], f64)>> {
    let n = check_lengths(&[("frequency", x.len()), ("monetary_value", m.len())])?;
    let mut index: HashMap<[u64; 2], usize> = HashMap::with_capacity(n);
    let mut out: Vec<([f64; 3], f64)> = Vec::new();
    for i in 0..n {
        check_spend(i, x[i], m[i])?;
        let key = [x[i].to_bits(), m[i].to_bits()];
        match index.get(&key) {
            Some(&j) => out[j].1 += 1.0,
            None => {
                index.insert(key, out.len());
                out.push(([x[i], m[i], 0.0], 1.0));
            }
        }
    }
    out.sort_by(|a, b| a.0[0].total_cmp(&b.0[0]));
    Ok(out)
}

fn check_spend(row: usize, x: f64, m: f64) -> Result<()> {
    if !(x.is_finite() && x >= 1.0 && x.fract() == 0.0) {
        return Err(bad(
            row,
            "frequency",
            format!("{x}: Gamma-Gamma needs repeat customers (a positive integer frequency)"),
        ));
    }
    if !(m.is_finite() && m > 0.0) {
        return Err(bad(row, "monetary_value", format!("{m} must be > 0")));
    }
    Ok(())
}

/// Average spends above this are fitted in rescaled units (see [`GammaGamma::fit`]).
const LARGE_SPEND: f64 = 1e9;

impl GammaGamma {
    const NAME: &'static str = "Gamma-Gamma";

    /// A model with known parameters.
    pub fn new(p: f64, q: f64, gamma: f64) -> Result<GammaGamma> {
        check_positive(&["p", "q", "gamma"], &[p, q, gamma])?;
        Ok(GammaGamma {
            p,
            q,
            gamma,
            fit: None,
        })
    }

    /// Fit by maximum likelihood to repeat customers' frequency and average spend.
    pub fn fit(
        frequency: &[f64],
        monetary_value: &[f64],
        params: &FitParams,
    ) -> Result<GammaGamma> {
        // The model is scale-equivariant (spend × c ⇒ γ × c, p and q unchanged): very large
        // spends are fitted in units of `scale` so the likelihood stays finite, and γ is scaled
        // back (saturating at f64::MAX).
        let largest = monetary_value
            .iter()
            .copied()
            .filter(|m| m.is_finite())
            .fold(0.0f64, f64::max);
        let scale = if largest > LARGE_SPEND {
            largest / LARGE_SPEND
        } else {
            1.0
        };
        let scaled: Vec<f64>;
        let spend = if scale > 1.0 {
            scaled = monetary_value.iter().map(|m| m / scale).collect();
            &scaled[..]
        } else {
            monetary_value
        };
        let rows = collapse_spend(frequency, spend)?;
        let m0 = mean_of(spend).max(1e-6);
        let (p, info) = fit_ml(Self::NAME, frequency.len(), [1.0, 1.0, m0], params, |p| {
            gg_total(p, &rows)
        })?;
        Ok(GammaGamma {
            p: p[0],
            q: p[1],
            gamma: (p[2] * scale).min(f64::MAX),
            fit: Some(info),
        })
    }

    /// Parameters in order `[p, q, gamma]`.
    pub fn params(&self) -> [f64; 3] {
        [self.p, self.q, self.gamma]
    }

    /// Expected average spend per transaction of a customer with `x` repeat purchases of average
    /// value `m` (the population mean `pγ/(q−1)` when `x = 0`).
    pub fn conditional_expected_average_spend(&self, x: f64, m: f64) -> f64 {
        // Weights first: `γ + x·m` overflows for spends near f64::MAX; saturates at f64::MAX.
        let d = self.p * x + self.q - 1.0;
        let v = (self.p / d) * self.gamma + (self.p * x / d) * m;
        if v == f64::INFINITY {
            f64::MAX
        } else {
            v
        }
    }

    /// [`Self::conditional_expected_average_spend`] over slices (frequency ≥ 0 integer, spend ≥ 0).
    pub fn conditional_expected_average_spend_many(
        &self,
        x: &[f64],
        m: &[f64],
    ) -> Result<Vec<f64>> {
        let n = check_lengths(&[("frequency", x.len()), ("monetary_value", m.len())])?;
        (0..n)
            .map(|i| {
                if !(x[i].is_finite() && x[i] >= 0.0 && x[i].fract() == 0.0) {
                    return Err(bad(
                        i,
                        "frequency",
                        format!("{} is not a non-negative integer", x[i]),
                    ));
                }
                if !(m[i].is_finite() && m[i] >= 0.0) {
                    return Err(bad(i, "monetary_value", format!("{} must be ≥ 0", m[i])));
                }
                finite(
                    Self::NAME,
                    self.conditional_expected_average_spend(x[i], m[i]),
                )
            })
            .collect()
    }
}

/// Customer lifetime value over `months` months, discounted at `discount_rate` per month, as in
/// `lifetimes`' `customer_lifetime_value`: the sum over months of expected purchases in the month
/// (from `model`) × expected average spend (from `spend`) / (1 + rate)^month.
#[allow(clippy::too_many_arguments)]
pub fn customer_lifetime_value(
    model: &dyn TransactionModel,
    spend: &GammaGamma,
    unit: TimeUnit,
    x: &[f64],
    tx: &[f64],
    t: &[f64],
    monetary_value: &[f64],
    months: u32,
    discount_rate: f64,
) -> Result<Vec<f64>> {
    if !(discount_rate.is_finite() && discount_rate > -1.0) {
        return Err(CoreError::param(
            "discount_rate",
            format!("{discount_rate} must be > −1"),
        ));
    }
    let n = check_lengths(&[
        ("frequency", x.len()),
        ("recency", tx.len()),
        ("T", t.len()),
        ("monetary_value", monetary_value.len()),
    ])?;
    let spend_v = spend.conditional_expected_average_spend_many(x, monetary_value)?;
    let factor = unit.periods_per_month();
    (0..n)
        .map(|i| {
            check_customer(i, x[i], tx[i], t[i])?;
            let mut clv = 0.0;
            let mut prev = 0.0;
            for month in 1..=months {
                let e = model.expected_purchases(month as f64 * factor, x[i], tx[i], t[i])?;
                clv += spend_v[i] * (e - prev) / (1.0 + discount_rate).powi(month as i32);
                prev = e;
            }
            // Saturating: spends near f64::MAX make CLV as large as a float goes.
            finite("customer_lifetime_value", clv.min(f64::MAX))
        })
        .collect()
}
