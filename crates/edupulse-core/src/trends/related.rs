//! Related queries: the source's "emerging keywords".
//!
//! Decides which queries related to a tracked keyword are rising or breaking out, from a
//! related-queries table `(keyword, related, value)` where `value` is the query's growth in percent
//! over the previous period, as Google Trends reports it ("+250 %" → 250). Google marks growth over
//! 5000 % as "Breakout"; such rows may carry `value = +∞`. A query is `Breakout` above
//! `breakout_pct`, `Rising` from `rising_pct` up, and is dropped otherwise.

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// One row of a related-queries table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelatedQuery {
    /// The tracked keyword.
    pub keyword: String,
    /// The related query.
    pub related: String,
    /// Growth in percent (250 = +250 %); `+∞` for a breakout without a figure.
    pub value: f64,
}

/// Parameters of the related-queries classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RelatedParams {
    /// Minimum growth (percent) of a rising query (default 50).
    pub rising_pct: f64,
    /// Growth (percent) above which a query is a breakout (default 5000, Google's rule).
    pub breakout_pct: f64,
}

impl Default for RelatedParams {
    fn default() -> Self {
        RelatedParams {
            rising_pct: 50.0,
            breakout_pct: 5000.0,
        }
    }
}

impl RelatedParams {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        if !(self.rising_pct.is_finite() && self.rising_pct >= 0.0) {
            return Err(CoreError::param(
                "rising_pct",
                "must be a finite number ≥ 0",
            ));
        }
        if !(self.breakout_pct.is_finite() && self.breakout_pct > self.rising_pct) {
            return Err(CoreError::param(
                "breakout_pct",
                "must be finite and above rising_pct",
            ));
        }
        Ok(())
    }
}

/// Class of an emerging query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Emergence {
    /// Growth above `breakout_pct`.
    Breakout,
    /// Growth of at least `rising_pct`.
    Rising,
}

/// An emerging related query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmergingQuery {
    /// The tracked keyword.
    pub keyword: String,
    /// The related query.
    pub related: String,
    /// Growth in percent (`None` for a breakout without a figure).
    pub growth_pct: Option<f64>,
    /// Breakout or rising.
    pub class: Emergence,
}

/// The rising and breakout queries of `rows`: breakouts first, then by growth (descending), then
/// by keyword and query. Duplicate `(keyword, related)` rows keep the largest value; NaN or
/// negative growth is dropped (not emerging).
pub fn emerging_queries(
    rows: &[RelatedQuery],
    params: &RelatedParams,
) -> Result<Vec<EmergingQuery>> {
    params.validate()?;
    let mut best: std::collections::BTreeMap<(&str, &str), f64> = Default::default();
    for r in rows {
        if r.value.is_nan() {
            continue;
        }
        let e = best
            .entry((r.keyword.as_str(), r.related.as_str()))
            .or_insert(f64::NEG_INFINITY);
        *e = e.max(r.value);
    }
    let mut out: Vec<EmergingQuery> = best
        .into_iter()
        .filter_map(|((k, q), v)| {
            let class = if v > params.breakout_pct {
                Emergence::Breakout
            } else if v >= params.rising_pct {
                Emergence::Rising
            } else {
                return None;
            };
            Some(EmergingQuery {
                keyword: k.to_string(),
                related: q.to_string(),
                growth_pct: v.is_finite().then_some(v),
                class,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.class
            .cmp(&b.class)
            .then(
                b.growth_pct
                    .unwrap_or(f64::INFINITY)
                    .total_cmp(&a.growth_pct.unwrap_or(f64::INFINITY)),
            )
            .then(a.keyword.cmp(&b.keyword))
            .then(a.related.cmp(&b.related))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(k: &str, q: &str, v: f64) -> RelatedQuery {
        RelatedQuery {
            keyword: k.into(),
            related: q.into(),
            value: v,
        }
    }

    #[test]
    fn classifies_rising_and_breakout() {
        let rows = vec![
            row("curso IA", "curso ia gratis", 250.0),
            row("curso IA", "agentes ia curso", f64::INFINITY),
            row("curso IA", "chatgpt curso", 5200.0),
            row("curso IA", "curso ia online", 40.0),
            row("curso IA", "curso ia online", 60.0),
            row("curso IA", "x", f64::NAN),
            row("curso IA", "y", -20.0),
        ];
        let e = emerging_queries(&rows, &RelatedParams::default()).unwrap();
        let names: Vec<(&str, Emergence)> =
            e.iter().map(|q| (q.related.as_str(), q.class)).collect();
        assert_eq!(
            names,
            vec![
                ("agentes ia curso", Emergence::Breakout),
                ("chatgpt curso", Emergence::Breakout),
                ("curso ia gratis", Emergence::Rising),
                ("curso ia online", Emergence::Rising),
            ]
        );
        assert_eq!(e[0].growth_pct, None);
        assert!(emerging_queries(
            &rows,
            &RelatedParams {
                breakout_pct: 10.0,
                ..Default::default()
            }
        )
        .is_err());
    }
}
