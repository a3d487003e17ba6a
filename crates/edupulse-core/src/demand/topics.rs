//! Which topics next month's calendar should favour, and why: from the trends of the keywords
//! mapped to each topic (`keyword_topics`), or, without a mapping, from each topic's recent share
//! of webinars.
//!
//! The source builds its calendar from "the top keyword trends" and keeps the top 3 topics per
//! industry. With a `keyword_topics` mapping, a topic's score is the largest
//! [`keyword strength`](keyword_strength) of its keywords (per industry when the mapping names
//! one), and each industry keeps its `top_per_industry` best topics; a topic mapped only for some
//! industries is planned only for targets of those industries (an any-industry target can take
//! any topic). Without a mapping (or when no mapped keyword has interest data) the score is the
//! topic's share of the webinars of the last 90 days, normalised to mean 1, as before.

use crate::error::Result;
use crate::model::{KeywordInterest, KeywordTopic, Webinar};
use crate::trends::{detect_keywords, KeywordTrend, TrendDetector, TrendParams};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The window of "recent" webinars (days before `as_of`) for a topic's past share, and for the
/// demand step's most common recent topic.
pub const RECENT_TOPIC_DAYS: i64 = 90;

/// Where the calendar's topic scores came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TopicSource {
    /// The trends of the keywords mapped to each topic (`keyword_topics`).
    Trends,
    /// Each topic's share of recent webinars (no usable mapping).
    PastShare,
}

impl TopicSource {
    /// The text form (`trends` / `past_share`).
    pub fn as_str(self) -> &'static str {
        match self {
            TopicSource::Trends => "trends",
            TopicSource::PastShare => "past_share",
        }
    }
}

/// The calendar's candidate topics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicScores {
    /// Where the scores came from.
    pub source: TopicSource,
    /// Topic → score (≥ 0), best first (ties by name).
    pub topics: Vec<(String, f64)>,
    /// Topic → the industries it may be planned for; a topic absent here may go to any target.
    pub industries: BTreeMap<String, BTreeSet<String>>,
}

/// How strongly a keyword is trending: `1 + growth` (the source's current-over-baseline ratio),
/// floored at 0, and 1 when the growth is undefined (no baseline). A keyword growing 50 % scores
/// 1.5; a flat one 1; one that halved 0.5.
pub fn keyword_strength(trend: &KeywordTrend) -> f64 {
    trend.growth.map_or(1.0, |g| (1.0 + g).max(0.0))
}

/// The calendar's topics as of `as_of` (see the module doc). `top_per_industry` ≥ 1 topics are
/// kept per industry (the any-industry mapping counts as one industry). The keyword detector's
/// day is the local date of `as_of` on `clock` (as in the trends step); the past-share window is
/// local days.
///
/// Errors: invalid trend parameters.
pub fn topic_scores(
    interest: &[KeywordInterest],
    mapping: &[KeywordTopic],
    webinars: &[Webinar],
    as_of: DateTime<Utc>,
    trend_params: &TrendParams,
    top_per_industry: usize,
    clock: &crate::clock::LocalClock,
) -> Result<TopicScores> {
    let today = clock.date(as_of);
    let mapped: BTreeSet<&str> = mapping.iter().map(|m| m.keyword.as_str()).collect();
    let rows: Vec<KeywordInterest> = interest
        .iter()
        .filter(|r| {
            mapped.contains(r.keyword.as_str()) && r.geo.as_deref().is_none_or(str::is_empty)
        })
        .filter(|r| r.date <= today)
        .cloned()
        .collect();
    if !rows.is_empty() {
        let detector = TrendDetector::new(trend_params.clone())?;
        let trends = detect_keywords(&rows, today, &detector)?;
        let strength: BTreeMap<&str, f64> = trends
            .iter()
            .map(|t| (t.keyword.as_str(), keyword_strength(t)))
            .collect();
        // Per industry ("" = any): topic → best strength of its keywords.
        let mut per: BTreeMap<&str, BTreeMap<&str, f64>> = BTreeMap::new();
        for m in mapping {
            let Some(s) = strength.get(m.keyword.as_str()) else {
                continue;
            };
            let e = per
                .entry(m.industry.as_deref().unwrap_or(""))
                .or_default()
                .entry(m.topic.as_str())
                .or_insert(0.0);
            *e = e.max(*s);
        }
        let mut best: BTreeMap<String, f64> = BTreeMap::new();
        let mut industries: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut anywhere: BTreeSet<String> = BTreeSet::new();
        for (industry, topics) in &per {
            let mut ranked: Vec<(&str, f64)> = topics.iter().map(|(t, s)| (*t, *s)).collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            for (topic, s) in ranked.into_iter().take(top_per_industry.max(1)) {
                let e = best.entry(topic.to_string()).or_insert(0.0);
                *e = e.max(s);
                if industry.is_empty() {
                    anywhere.insert(topic.to_string());
                } else {
                    industries
                        .entry(topic.to_string())
                        .or_default()
                        .insert(industry.to_string());
                }
            }
        }
        for t in &anywhere {
            industries.remove(t);
        }
        return Ok(TopicScores {
            source: TopicSource::Trends,
            topics: ranked(best),
            industries,
        });
    }
    // Past share: each topic's webinars of the last 90 days, normalised to mean 1.
    let recent = clock.add_days(as_of, -RECENT_TOPIC_DAYS);
    let mut counts: BTreeMap<String, f64> = BTreeMap::new();
    for w in webinars
        .iter()
        .filter(|w| w.starts_at <= as_of && w.starts_at >= recent)
    {
        *counts.entry(w.topic.clone()).or_default() += 1.0;
    }
    let total: f64 = counts.values().sum();
    let n = counts.len() as f64;
    for v in counts.values_mut() {
        *v = *v / total * n;
    }
    Ok(TopicScores {
        source: TopicSource::PastShare,
        topics: ranked(counts),
        industries: BTreeMap::new(),
    })
}

fn ranked(scores: BTreeMap<String, f64>) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = scores.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use chrono::{NaiveDate, TimeZone};

    fn series(keyword: &str, days: i64, f: impl Fn(i64) -> f64) -> Vec<KeywordInterest> {
        let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        (0..days)
            .map(|d| KeywordInterest {
                keyword: keyword.into(),
                date: start + Duration::days(d),
                volume: f(d),
                geo: None,
            })
            .collect()
    }

    fn map(keyword: &str, topic: &str, industry: Option<&str>) -> KeywordTopic {
        KeywordTopic {
            keyword: keyword.into(),
            topic: topic.into(),
            industry: industry.map(Into::into),
        }
    }

    #[test]
    fn trends_rank_topics_and_restrict_industry_mappings() {
        let days = 200;
        let mut rows = series("curso agentes", days, |d| if d > 192 { 90.0 } else { 30.0 });
        rows.extend(series("curso excel", days, |_| 40.0));
        rows.extend(series("curso ética", days, |d| {
            if d > 192 {
                10.0
            } else {
                40.0
            }
        }));
        let mapping = vec![
            map("curso agentes", "agentes_ia", None),
            map("curso excel", "hojas_de_calculo", Some("finanzas")),
            map("curso ética", "etica_ia", None),
            map("sin datos", "otro", None),
        ];
        let as_of = Utc.with_ymd_and_hms(2025, 7, 19, 0, 0, 0).unwrap();
        let s = topic_scores(
            &rows,
            &mapping,
            &[],
            as_of,
            &TrendParams::default(),
            3,
            &crate::clock::LocalClock::UTC,
        )
        .unwrap();
        assert_eq!(s.source, TopicSource::Trends);
        let names: Vec<&str> = s.topics.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(names, ["agentes_ia", "hojas_de_calculo", "etica_ia"]);
        assert!((s.topics[0].1 - 3.0).abs() < 1e-9, "{:?}", s.topics);
        assert!((s.topics[1].1 - 1.0).abs() < 1e-9);
        assert!((s.topics[2].1 - 0.25).abs() < 1e-9);
        assert_eq!(
            s.industries.get("hojas_de_calculo").map(|v| v.len()),
            Some(1)
        );
        assert!(!s.industries.contains_key("agentes_ia"));
        // Top 1 per industry keeps only the best any-industry topic and the finance one.
        let s1 = topic_scores(
            &rows,
            &mapping,
            &[],
            as_of,
            &TrendParams::default(),
            1,
            &crate::clock::LocalClock::UTC,
        )
        .unwrap();
        let names: Vec<&str> = s1.topics.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(names, ["agentes_ia", "hojas_de_calculo"]);
    }

    #[test]
    fn without_a_usable_mapping_the_past_share_is_used() {
        let as_of = Utc.with_ymd_and_hms(2025, 7, 19, 0, 0, 0).unwrap();
        let w = |id: &str, topic: &str, days_ago: i64| Webinar {
            webinar_id: id.into(),
            title: id.into(),
            topic: topic.into(),
            starts_at: as_of - Duration::days(days_ago),
            duration_min: 60,
            industry: None,
            role: None,
            company_size: None,
            timezone: None,
        };
        let webinars = vec![
            w("a", "x", 1),
            w("b", "x", 2),
            w("c", "y", 3),
            w("d", "z", 200),
        ];
        let mapping = vec![map("sin datos", "otro", None)];
        let s = topic_scores(
            &[],
            &mapping,
            &webinars,
            as_of,
            &TrendParams::default(),
            3,
            &crate::clock::LocalClock::UTC,
        )
        .unwrap();
        assert_eq!(s.source, TopicSource::PastShare);
        assert_eq!(
            s.topics,
            vec![("x".to_string(), 4.0 / 3.0), ("y".to_string(), 2.0 / 3.0)]
        );
    }
}
