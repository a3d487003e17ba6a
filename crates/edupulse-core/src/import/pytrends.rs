//! pytrends (the unofficial Google Trends client): `interest_over_time()` → `keyword_interest`,
//! `related_queries()` → `related_queries`.
//!
//! `interest_over_time()` returns a DataFrame indexed by `date` with one column per keyword
//! (a 0–100 index) and a boolean `isPartial` column; written with `to_csv()` the header is
//! `date,<keyword>...,isPartial`. Rows flagged `isPartial` (the current, unfinished period) are
//! left out: their value is a partial count that a later export completes, and the upsert then
//! files the full value under the same key.
//!
//! `related_queries()` returns `{keyword: {"top": DataFrame[query, value], "rising":
//! DataFrame[query, value]}}`; the flat form read here has the columns `keyword`, `kind` (`top` /
//! `rising`), `query`, `value` and optionally `date` (the report's date; default: the last date
//! of the interest series, the end of the period the lists cover). A rising `value` is the
//! growth in percent (Google's "Breakout" rows carry its large figure); a top `value` a 0–100
//! index.

use super::{finish, parse_number, Frame};
use crate::error::{CoreError, Result};
use crate::model::{parse_date, KeywordInterest, Limits, RelatedKind, RelatedQuery, Tables};
use chrono::NaiveDate;

/// Options of the pytrends importer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PytrendsOptions {
    /// The region the series was requested for (pytrends' `geo`, e.g. `"ES"`); `None`:
    /// worldwide.
    pub geo: Option<String>,
    /// Ceilings and accepted years.
    pub limits: Limits,
}

const NOT_KEYWORDS: [&str; 3] = ["date", "ispartial", "geo"];

/// `keyword_interest` (and `related_queries` when `related` is given) from pytrends' exports.
pub fn import(
    interest: &Frame,
    related: Option<&Frame>,
    options: &PytrendsOptions,
) -> Result<Tables> {
    let date_col = interest.require(&["date"])?;
    let partial = interest.find(&["isPartial"]);
    let keywords: Vec<(usize, &str)> = interest
        .headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !NOT_KEYWORDS.contains(&h.trim().to_ascii_lowercase().as_str()))
        .map(|(i, h)| (i, h.trim()))
        .collect();
    if keywords.is_empty() {
        return Err(CoreError::validation(
            &interest.source,
            None,
            None,
            "no keyword column (pytrends writes one column per keyword beside `date`)",
        )
        .in_file(&interest.source));
    }
    let mut tables = Tables::default();
    let mut last: Option<NaiveDate> = None;
    for r in 0..interest.rows.len() {
        let date =
            parse_date(interest.text(r, date_col)?).map_err(|m| interest.err(r, date_col, m))?;
        last = last.max(Some(date));
        if let Some(p) = partial {
            match interest.get(r, p).map(str::to_ascii_lowercase).as_deref() {
                Some("true") | Some("1") => continue,
                Some("false") | Some("0") | None => {}
                Some(other) => {
                    return Err(interest.err(r, p, format!("`{other}` is not true/false")))
                }
            }
        }
        for &(c, kw) in &keywords {
            let col = super::Col(c);
            let text = interest.text(r, col)?;
            // Google writes "<1" for interest below one point of the index.
            let volume = if text == "<1" {
                0.5
            } else {
                parse_number(text, '.')
                    .ok_or_else(|| interest.err(r, col, format!("`{text}` is not a number")))?
            };
            tables.keyword_interest.push(KeywordInterest {
                keyword: kw.to_string(),
                date,
                volume,
                geo: options.geo.clone(),
            });
        }
    }
    if let Some(rel) = related {
        let kw = rel.require(&["keyword"])?;
        let kind = rel.require(&["kind"])?;
        let query = rel.require(&["query"])?;
        let value = rel.require(&["value"])?;
        let date_col = rel.find(&["date"]);
        for r in 0..rel.rows.len() {
            let date = match date_col.and_then(|c| rel.get(r, c).map(|t| (c, t))) {
                Some((c, t)) => parse_date(t).map_err(|m| rel.err(r, c, m))?,
                None => last.ok_or_else(|| {
                    rel.err(
                        r,
                        kind,
                        "no `date` column and no interest series to date the lists by",
                    )
                })?,
            };
            let k: RelatedKind = rel
                .text(r, kind)?
                .to_ascii_lowercase()
                .parse()
                .map_err(|m: String| rel.err(r, kind, m))?;
            let v = match rel.get(r, value) {
                None => None,
                Some(t) if t.eq_ignore_ascii_case("breakout") => None,
                Some(t) => {
                    let t = t
                        .trim_start_matches('+')
                        .trim_end_matches('%')
                        .replace(',', "");
                    Some(
                        parse_number(&t, '.')
                            .ok_or_else(|| rel.err(r, value, format!("`{t}` is not a number")))?,
                    )
                }
            };
            tables.related_queries.push(RelatedQuery {
                keyword: rel.text(r, kw)?.to_string(),
                related: rel.text(r, query)?.to_string(),
                value: v,
                date,
                kind: Some(k),
            });
        }
    }
    finish(tables, &options.limits)
}
