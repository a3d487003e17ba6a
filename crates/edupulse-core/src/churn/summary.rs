//! From raw purchases to the per-customer `(frequency, recency, T, monetary_value)` summary the
//! buy-till-you-die models take.
//!
//! Conventions are those of `lifetimes.utils.summary_from_transactions(freq="D",
//! freq_multiplier=k)` (how the CDNOW summaries were built): purchases on the same calendar day
//! (the same hour for [`TimeUnit::Hour`]) are one purchase with their amounts summed; purchases after
//! the end of the observation period are ignored; `frequency` counts **repeat** purchase days,
//! `recency` is the time from the first to the last purchase, `T` the time from the first purchase
//! to the end of the observation period, both in the chosen unit (days / 7 for weeks, days / 30 for
//! months); `monetary_value` is the mean amount of the repeat purchases (0 without any).

use super::btyd::TimeUnit;
use crate::error::{CoreError, Result};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Parameters of [`summary_from_transactions`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SummaryParams {
    /// Unit of `recency` and `T`.
    pub unit: TimeUnit,
    /// End of the observation period (inclusive, by day); the last purchase when `None`.
    pub observation_period_end: Option<DateTime<Utc>>,
    /// The local clock of the purchase days (the job sets it from `[job] timezone`; not a
    /// configuration key; UTC by default).
    #[serde(skip)]
    pub clock: crate::clock::LocalClock,
}

impl SummaryParams {
    /// Check the parameters (nothing can be wrong today; kept for the house convention).
    pub fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// One customer's summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerSummary {
    /// Customer id.
    pub customer_id: String,
    /// Number of repeat purchase periods.
    pub frequency: f64,
    /// Time from the first to the last purchase.
    pub recency: f64,
    /// Time from the first purchase to the end of the observation period.
    #[serde(rename = "T")]
    pub t: f64,
    /// Mean amount of the repeat purchases (0 when `frequency` is 0).
    pub monetary_value: f64,
}

fn period_index(at: &DateTime<Utc>, unit: TimeUnit, clock: &crate::clock::LocalClock) -> i64 {
    match unit {
        TimeUnit::Hour => at.timestamp().div_euclid(3600),
        _ => clock.date(*at).num_days_from_ce() as i64,
    }
}

/// Summarise transactions `(customer_ids[i], at[i], amounts[i])`, customers in order of first
/// appearance. `amounts` may be `None` (monetary values are then 0).
pub fn summary_from_transactions<S: AsRef<str>>(
    customer_ids: &[S],
    at: &[DateTime<Utc>],
    amounts: Option<&[f64]>,
    params: &SummaryParams,
) -> Result<Vec<CustomerSummary>> {
    params.validate()?;
    let n = customer_ids.len();
    if at.len() != n {
        return Err(CoreError::validation(
            "purchases",
            None,
            Some("at"),
            format!("has {} values, customer ids have {n}", at.len()),
        ));
    }
    if let Some(a) = amounts {
        if a.len() != n {
            return Err(CoreError::validation(
                "purchases",
                None,
                Some("amount"),
                format!("has {} values, customer ids have {n}", a.len()),
            ));
        }
        if let Some(i) = a.iter().position(|v| !v.is_finite()) {
            return Err(CoreError::validation(
                "purchases",
                Some(i + 1),
                Some("amount"),
                "not a finite number",
            ));
        }
    }
    if n == 0 {
        return Err(CoreError::validation(
            "purchases",
            None,
            None,
            "no transactions",
        ));
    }
    let end = match params.observation_period_end {
        Some(e) => e,
        None => at.iter().copied().max().unwrap_or_default(),
    };
    let unit = params.unit;
    let end_p = period_index(&end, unit, &params.clock);
    // Periods per unit: days per unit, or hours per hour.
    let per_unit = match unit {
        TimeUnit::Hour => 1.0,
        u => u.days(),
    };
    let mut order: Vec<&str> = Vec::new();
    let mut by_customer: HashMap<&str, HashMap<i64, f64>> = HashMap::new();
    for i in 0..n {
        let p = period_index(&at[i], unit, &params.clock);
        if p > end_p {
            continue;
        }
        let id = customer_ids[i].as_ref();
        let entry = by_customer.entry(id).or_insert_with(|| {
            order.push(id);
            HashMap::new()
        });
        *entry.entry(p).or_insert(0.0) += amounts.map_or(0.0, |a| a[i]);
    }
    Ok(order
        .into_iter()
        .filter_map(|id| {
            let periods = by_customer.get(id)?;
            let mut ps: Vec<(i64, f64)> = periods.iter().map(|(k, v)| (*k, *v)).collect();
            ps.sort_by_key(|p| p.0);
            let first = ps.first()?.0;
            let last = ps.last()?.0;
            let frequency = (ps.len() - 1) as f64;
            let monetary_value = if ps.len() > 1 {
                ps[1..].iter().map(|p| p.1).sum::<f64>() / frequency
            } else {
                0.0
            };
            Some(CustomerSummary {
                customer_id: id.to_string(),
                frequency,
                recency: (last - first) as f64 / per_unit,
                t: (end_p - first) as f64 / per_unit,
                monetary_value,
            })
        })
        .collect())
}
