//! Related queries: the source's "emerging keywords".
//!
//! Decides which queries related to a tracked keyword are rising or breaking out, from the
//! `related_queries` table ([`RelatedQuery`]: keyword, related, value, date, kind) where, in the
//! `rising` list, `value` is the query's growth in percent over the previous period as Google
//! Trends reports it ("+250 %" → 250). Google marks growth over 5000 % as "Breakout" (an empty
//! value is a breakout without a figure). A query is `Breakout` above `breakout_pct`, `Rising` from
//! `rising_pct` up, and is dropped otherwise. Only each keyword's latest report counts (the rows of
//! its latest date), so a query that stopped rising stops being reported; `top` rows (a popularity
//! index, not a growth) are not classified.

use crate::error::{CoreError, Result};
pub use crate::model::{RelatedKind, RelatedQuery};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Parameters of the related-queries classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
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

crate::text_result_field!(Emergence);

crate::result_table! {
    /// An emerging related query.
    #[table = "emerging_queries", step = "trends", key = [keyword, related]]
    pub struct EmergingQuery {
        /// The tracked keyword.
        pub keyword: String,
        /// The related query.
        pub related: String,
        /// Growth in percent (`None` for a breakout without a figure).
        pub growth_pct: Option<f64>,
        /// Breakout or rising.
        pub class: Emergence,
        /// The date of the report it comes from.
        pub date: NaiveDate,
    }
}

impl Emergence {
    /// Text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Emergence::Breakout => "breakout",
            Emergence::Rising => "rising",
        }
    }
}

/// The rising and breakout queries of `rows`, from each keyword's latest report: breakouts first,
/// then by growth (descending), then by keyword and query. Repeated `(keyword, related)` rows of
/// one report keep the largest value (an empty value, a breakout, counts as the largest); `top`
/// rows are ignored.
///
/// ```
/// use edupulse_core::trends::related::{emerging_queries, Emergence, RelatedParams, RelatedQuery};
/// let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
/// let row = |q: &str, v: Option<f64>| RelatedQuery {
///     keyword: "curso IA".into(), related: q.into(), value: v, date: day, kind: None,
/// };
/// let e = emerging_queries(
///     &[row("curso ia gratis", Some(250.0)), row("agentes ia", None), row("ia", Some(10.0))],
///     &RelatedParams::default(),
/// ).unwrap();
/// assert_eq!(e.len(), 2);
/// assert_eq!((e[0].related.as_str(), e[0].class), ("agentes ia", Emergence::Breakout));
/// assert_eq!(e[1].class, Emergence::Rising);
/// ```
pub fn emerging_queries(
    rows: &[RelatedQuery],
    params: &RelatedParams,
) -> Result<Vec<EmergingQuery>> {
    params.validate()?;
    let is_rising = |r: &RelatedQuery| r.kind.is_none_or(|k| k == RelatedKind::Rising);
    let mut latest: std::collections::BTreeMap<&str, NaiveDate> = Default::default();
    for r in rows.iter().filter(|r| is_rising(r)) {
        let e = latest.entry(r.keyword.as_str()).or_insert(r.date);
        *e = (*e).max(r.date);
    }
    let mut best: std::collections::BTreeMap<(&str, &str), (f64, NaiveDate)> = Default::default();
    for r in rows.iter().filter(|r| is_rising(r)) {
        if latest.get(r.keyword.as_str()) != Some(&r.date) {
            continue;
        }
        let v = match r.value {
            Some(v) if v.is_nan() => continue,
            Some(v) => v,
            None => f64::INFINITY,
        };
        let e = best
            .entry((r.keyword.as_str(), r.related.as_str()))
            .or_insert((f64::NEG_INFINITY, r.date));
        e.0 = e.0.max(v);
    }
    let mut out: Vec<EmergingQuery> = best
        .into_iter()
        .filter_map(|((k, q), (v, date))| {
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
                date,
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
            value: if v.is_infinite() { None } else { Some(v) },
            date: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            kind: Some(RelatedKind::Rising),
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
        // Only the latest report of a keyword counts; `top` rows are not growth figures.
        let mut old = row("curso IA", "old query", 900.0);
        old.date = NaiveDate::from_ymd_opt(2026, 2, 23).unwrap();
        let mut top = row("curso IA", "curso ia", 100.0);
        top.kind = Some(RelatedKind::Top);
        let mut with_old = rows.clone();
        with_old.push(old.clone());
        with_old.push(top);
        assert_eq!(
            emerging_queries(&with_old, &RelatedParams::default()).unwrap(),
            e
        );
        let e2 = emerging_queries(&[old], &RelatedParams::default()).unwrap();
        assert_eq!(e2.len(), 1);
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
