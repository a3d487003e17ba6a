//! The trends step of the daily job: runs the [`TrendDetector`] on `keyword_interest` as of the
//! run's day and writes one `trend_alerts` row per keyword, and one outbox notification per
//! alerting keyword whose dedupe key is `trend:<keyword>:<episode>` — the same rise gives the
//! same key on every later run, so it alerts once.
//!
//! From `related_queries` it writes one `emerging_queries` row per rising or breakout related
//! query of each keyword's latest report (at most `related_max_age_days` old) and one outbox alert
//! per breakout query (`related:breakout:<keyword>:<query>`, so its later reports do not alert
//! again).
//!
//! It also scores the business metrics up to the run's day with the streaming, day-of-week aware
//! [`super::anomaly`] detector: daily `registrations`, `signups` (`students.enrolled_at`),
//! `purchases` and `revenue`, and the `attendance_rate` of each webinar day (attendees over
//! registrants, an irregular series). One `metric_anomalies` row per metric ([`MetricAnomaly`]:
//! the last point's value, z, score and severity, and the recent history for charts). When the
//! last point's severity reaches `metric_alert` (and it is at most a week old), an outbox alert
//! whose key is `anomaly:<metric>:<episode>`, the episode being the first point of the trailing
//! run of flagged points (severity ≥ medium): the following days of the same anomaly, and reruns,
//! share the key.

use super::anomaly::{anomaly_z, score_of_z, severity_of_score, AnomalyParams};
use super::related::{emerging_queries, Emergence, EmergingQuery, RelatedParams};
use super::{detect_keywords, KeywordTrend, TrendDetector, TrendParams};
use crate::error::Result;
use crate::job::{Step, StepOutput};
use crate::model::Tables;
use crate::results::Severity;
use crate::results::{Notification, ResultSet, ResultTable};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The result table of the step.
pub const TABLE: &str = KeywordTrend::SPEC.name;

/// The result table of the metric anomaly scores.
pub const METRICS_TABLE: &str = MetricAnomaly::SPEC.name;

/// The result table of the emerging (rising / breakout) related queries.
pub const RELATED_TABLE: &str = EmergingQuery::SPEC.name;

/// Parameters of the trends step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrendsConfig {
    /// Keyword trend detector.
    pub keywords: TrendParams,
    /// Streaming anomaly detector for the daily business metrics.
    pub metrics: AnomalyParams,
    /// Lowest severity of a metric anomaly that goes to the outbox (default high: |z| > 2).
    pub metric_alert: Severity,
    /// Points of each metric kept in its `metric_anomalies` row for charts (default 120).
    pub metric_history: usize,
    /// Rising / breakout classification of related queries.
    pub related: RelatedParams,
    /// Related-queries reports older than this many days before the run are ignored (default 14).
    pub related_max_age_days: u32,
    /// Severity of the outbox alert for a breakout related query (default medium; rising
    /// queries are reported in `emerging_queries` without an alert).
    pub breakout_alert: Severity,
}

impl Default for TrendsConfig {
    fn default() -> Self {
        TrendsConfig {
            keywords: TrendParams::default(),
            metrics: AnomalyParams::default(),
            metric_alert: Severity::High,
            metric_history: 120,
            related: RelatedParams::default(),
            related_max_age_days: 14,
            breakout_alert: Severity::Medium,
        }
    }
}

impl TrendsConfig {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        self.keywords.validate()?;
        self.related.validate()?;
        self.metrics.validate()
    }
}

/// The trends step.
#[derive(Debug, Clone, Default)]
pub struct TrendsStep {
    /// Parameters.
    pub params: TrendsConfig,
    /// The local clock of the business metrics' days and of the run's day (`[job] timezone`).
    pub clock: crate::clock::LocalClock,
}

crate::result_table! {
    /// The anomaly result of one business metric (a `metric_anomalies` row).
    #[table = "metric_anomalies", step = "trends", key = [metric]]
    pub struct MetricAnomaly {
        /// Metric name (`registrations`, `attendance_rate`, `signups`, `purchases`, `revenue`).
        pub metric: String,
        /// The run's day.
        pub date: NaiveDate,
        /// The day of the last point (the run's day for daily counts; the last webinar day for
        /// `attendance_rate`).
        pub last_date: NaiveDate,
        /// Value of the last point.
        pub value: f64,
        /// Anomaly score of the last point in [0, 1].
        pub score: f64,
        /// Signed z of the last point (positive: above the forecast).
        pub z: f64,
        /// Severity of the last point (`None` below medium).
        pub severity: Option<Severity>,
        /// When the last point is flagged: the first point of the trailing run of flagged points
        /// (severity ≥ medium), the episode of the alert.
        pub episode: Option<NaiveDate>,
        /// Points in the series.
        pub days: usize,
        /// The last points (at most `metric_history`) for charts: dates, values and signed z.
        pub history_dates: Vec<NaiveDate>,
        /// Values of `history_dates`.
        pub history_values: Vec<f64>,
        /// Signed z of `history_dates`.
        pub history_z: Vec<f64>,
    }
}

/// Score the series `(dates, values)` (sorted, one point per date) and find the episode of the
/// last point; the notification when it is flagged at `alert` or above and not older than a week.
fn metric_anomaly(
    name: &str,
    dates: &[NaiveDate],
    values: &[f64],
    day: NaiveDate,
    cfg: &TrendsConfig,
    as_of: DateTime<Utc>,
) -> Result<Option<(MetricAnomaly, Option<Notification>)>> {
    let (Some(&last_date), Some(&value)) = (dates.last(), values.last()) else {
        return Ok(None);
    };
    let ts: Vec<i64> = dates
        .iter()
        .map(|d| {
            d.and_hms_opt(0, 0, 0)
                .map_or(0, |x| x.and_utc().timestamp())
        })
        .collect();
    let z = anomaly_z(values, Some(&ts), &cfg.metrics)?;
    let last_z = z.last().copied().unwrap_or(0.0);
    let score = score_of_z(last_z);
    let severity = severity_of_score(score);
    let flagged = |z: f64| severity_of_score(score_of_z(z)).is_some();
    let episode = if severity.is_some() {
        let run = z.iter().rev().take_while(|&&x| flagged(x)).count();
        dates.get(dates.len() - run).copied()
    } else {
        None
    };
    let keep = dates.len().saturating_sub(cfg.metric_history);
    let row = MetricAnomaly {
        metric: name.to_string(),
        date: day,
        last_date,
        value,
        score,
        z: last_z,
        severity,
        episode,
        days: dates.len(),
        history_dates: dates[keep..].to_vec(),
        history_values: values[keep..].to_vec(),
        history_z: z[keep..].to_vec(),
    };
    let fresh = (day - last_date).num_days() <= 7;
    let note = match (severity, episode) {
        (Some(sev), Some(ep)) if sev >= cfg.metric_alert && fresh => {
            let dir = if last_z > 0.0 { "high" } else { "low" };
            Some(Notification {
                // One alert per metric and episode: the next days of the same run of unusual
                // points share the key.
                dedupe_key: format!("anomaly:{name}:{ep}"),
                kind: "metric_anomaly".to_string(),
                severity: sev,
                title: format!("Unusually {dir} {name} on {last_date} ({})", sev.as_str()),
                body: format!(
                    "{name} on {last_date}: {value:.3}, z = {last_z:+.1} against the forecast from the previous points and the weekday pattern (unusual since {ep})."
                ),
                payload: serde_json::json!({
                    "metric": name, "date": last_date.to_string(), "value": value,
                    "score": score, "z": last_z, "episode": ep.to_string(),
                }),
                created_at: as_of,
            })
        }
        _ => None,
    };
    Ok(Some((row, note)))
}

/// A metric series: days and values.
type DailySeries = (Vec<NaiveDate>, Vec<f64>);

/// Daily totals of `(time, value)` events over every day from the first event's day to `last`.
fn daily(
    events: impl Iterator<Item = (DateTime<Utc>, f64)>,
    last: NaiveDate,
    clock: &crate::clock::LocalClock,
) -> DailySeries {
    let mut by_day: std::collections::BTreeMap<NaiveDate, f64> = Default::default();
    for (t, v) in events {
        let d = clock.date(t);
        if d <= last {
            *by_day.entry(d).or_default() += v;
        }
    }
    let Some((&first, _)) = by_day.iter().next() else {
        return (Vec::new(), Vec::new());
    };
    let (mut ds, mut vs) = (Vec::new(), Vec::new());
    let mut d = first;
    while d <= last {
        ds.push(d);
        vs.push(by_day.get(&d).copied().unwrap_or(0.0));
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    (ds, vs)
}

/// Attendance rate (attendees / registrants) of each day with webinars, up to `last`.
fn attendance_rate(
    tables: &Tables,
    last: NaiveDate,
    clock: &crate::clock::LocalClock,
) -> DailySeries {
    let starts: std::collections::HashMap<&str, NaiveDate> = tables
        .webinars
        .iter()
        .map(|w| (w.webinar_id.as_str(), clock.date(w.starts_at)))
        .collect();
    let mut by_day: std::collections::BTreeMap<NaiveDate, (f64, f64)> = Default::default();
    for r in &tables.registrations {
        if let Some(&d) = starts.get(r.webinar_id.as_str()) {
            if d <= last {
                let e = by_day.entry(d).or_default();
                e.0 += f64::from(u8::from(r.attended));
                e.1 += 1.0;
            }
        }
    }
    by_day
        .into_iter()
        .filter(|(_, (_, n))| *n > 0.0)
        .map(|(d, (a, n))| (d, a / n))
        .unzip()
}

impl Step for TrendsStep {
    fn name(&self) -> &str {
        "trends"
    }

    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput> {
        self.params.validate()?;
        let det = TrendDetector::new(self.params.keywords.clone())?;
        let clock = &self.clock;
        let trends = detect_keywords(&tables.keyword_interest, clock.date(as_of), &det)?;
        let mut out = StepOutput::default();
        let (mut rising, mut falling) = (0, 0);
        for t in &trends {
            match t.decision {
                super::Decision::Rising => rising += 1,
                super::Decision::Falling => falling += 1,
                _ => {}
            }
            if let (Some(sev), Some(ep)) = (t.alert, &t.episode) {
                let growth = t
                    .growth
                    .map_or("n/a".to_string(), |g| format!("{:+.0} %", 100.0 * g));
                out.notifications.push(Notification {
                    dedupe_key: format!("trend:{}:{ep}", t.keyword),
                    kind: "trend_alert".to_string(),
                    severity: sev,
                    title: format!("“{}” is rising ({})", t.keyword, sev.as_str()),
                    body: format!(
                        "“{}”: level {:+.0} % over the trend window, {:+.1} %/week (Mann-Kendall p = {:.3}), last week vs baseline {growth}, score {:.1}; rise since {ep}.",
                        t.keyword,
                        100.0 * t.level_change,
                        100.0 * t.slope_per_week,
                        t.p_value,
                        t.score
                    ),
                    payload: serde_json::json!({
                        "keyword": t.keyword,
                        "episode": ep,
                        "growth": t.growth,
                        "score": t.score,
                        "p_value": t.p_value,
                        "slope_per_week": t.slope_per_week,
                    }),
                    created_at: as_of,
                });
            }
        }
        out.results.push(ResultSet::of(as_of, &trends));
        let keyword_alerts = out.notifications.len();
        // Business metrics, up to the run's day.
        let day = clock.date(as_of);
        let metrics: [(&str, DailySeries); 5] = [
            (
                "registrations",
                daily(
                    tables.registrations.iter().map(|r| (r.registered_at, 1.0)),
                    day,
                    clock,
                ),
            ),
            ("attendance_rate", attendance_rate(tables, day, clock)),
            (
                "signups",
                daily(
                    tables.students.iter().map(|r| (r.enrolled_at, 1.0)),
                    day,
                    clock,
                ),
            ),
            (
                "purchases",
                daily(tables.purchases.iter().map(|r| (r.at, 1.0)), day, clock),
            ),
            (
                "revenue",
                daily(
                    tables.purchases.iter().map(|r| (r.at, r.amount)),
                    day,
                    clock,
                ),
            ),
        ];
        let mut metric_alerts = 0;
        let mut anomalies = Vec::new();
        for (name, (ds, vs)) in &metrics {
            let Some((row, note)) = metric_anomaly(name, ds, vs, day, &self.params, as_of)? else {
                continue;
            };
            anomalies.push(row);
            if let Some(n) = note {
                metric_alerts += 1;
                out.notifications.push(n);
            }
        }
        out.results.push(ResultSet::of(as_of, &anomalies));
        // Emerging related queries: each keyword's latest report within the age limit.
        let first_day = day
            .checked_sub_days(chrono::Days::new(u64::from(
                self.params.related_max_age_days,
            )))
            .unwrap_or(day);
        let recent: Vec<_> = tables
            .related_queries
            .iter()
            .filter(|r| r.date <= day && r.date >= first_day)
            .cloned()
            .collect();
        let emerging = emerging_queries(&recent, &self.params.related)?;
        let mut breakouts = 0;
        for q in &emerging {
            if q.class == Emergence::Breakout {
                breakouts += 1;
                let growth = q
                    .growth_pct
                    .map_or("> 5000 %".to_string(), |g| format!("+{g:.0} %"));
                out.notifications.push(Notification {
                    // One alert per query breaking out: its later reports share the key.
                    dedupe_key: format!("related:breakout:{}:{}", q.keyword, q.related),
                    kind: "related_breakout".to_string(),
                    severity: self.params.breakout_alert,
                    title: format!("Breakout query for “{}”: “{}”", q.keyword, q.related),
                    body: format!(
                        "“{}” is breaking out among the queries related to “{}” ({growth} in the report of {}).",
                        q.related, q.keyword, q.date
                    ),
                    payload: serde_json::json!({
                        "keyword": q.keyword,
                        "related": q.related,
                        "growth_pct": q.growth_pct,
                        "date": q.date.to_string(),
                    }),
                    created_at: as_of,
                });
            }
        }
        out.results.push(ResultSet::of(as_of, &emerging));
        out.summary = serde_json::json!({
            "emerging_queries": emerging.len(),
            "breakouts": breakouts,
            "keywords": trends.len(),
            "rising": rising,
            "falling": falling,
            "alerts": keyword_alerts,
            "metric_alerts": metric_alerts,
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_alert_keys_follow_the_episode() {
        // 120 days with a weekday pattern and small noise; days 100 and 101 are 60 % high.
        let d0 = NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
        let dates: Vec<NaiveDate> = (0..120).map(|i| d0 + chrono::Days::new(i)).collect();
        let mut s: u64 = 3;
        let mut values: Vec<f64> = (0..120)
            .map(|i| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                (if i % 7 >= 5 { 40.0 } else { 80.0 }) * (1.0 + 0.06 * u)
            })
            .collect();
        values[100] *= 1.6;
        values[101] *= 1.6;
        let cfg = TrendsConfig::default();
        let run = |upto: usize, values: &[f64]| {
            let day = dates[upto];
            let at = day.and_hms_opt(23, 0, 0).unwrap().and_utc();
            metric_anomaly(
                "registrations",
                &dates[..=upto],
                &values[..=upto],
                day,
                &cfg,
                at,
            )
            .unwrap()
            .unwrap()
        };
        let (quiet, none) = run(99, &values);
        assert!(none.is_none() && quiet.episode.is_none(), "{quiet:?}");
        let (a, na) = run(100, &values);
        let (b, nb) = run(101, &values);
        assert_eq!(a.severity, Some(Severity::Critical));
        assert!(a.z > 0.0);
        let (ka, kb) = (na.unwrap().dedupe_key, nb.unwrap().dedupe_key);
        assert_eq!(ka, format!("anomaly:registrations:{}", dates[100]));
        assert_eq!(ka, kb, "{b:?}");
        assert_eq!(b.history_dates.len(), 102.min(cfg.metric_history));
        // Scaling the metric changes nothing.
        let scaled: Vec<f64> = values.iter().map(|v| 7.0 * v).collect();
        let (c, nc) = run(101, &scaled);
        assert_eq!(
            (c.severity, nc.map(|n| n.dedupe_key)),
            (b.severity, Some(kb))
        );
        // A constant metric never alerts.
        let flat = vec![5.0; 120];
        for upto in [30, 80, 119] {
            let (r, n) = run(upto, &flat);
            assert!(n.is_none() && r.severity.is_none());
        }
    }
}
