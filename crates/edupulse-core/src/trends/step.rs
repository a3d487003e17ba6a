//! The trends step of the daily job: runs the [`TrendDetector`] on `keyword_interest` as of the
//! run's day and writes one `trend_alerts` row per keyword, and one outbox notification per
//! alerting keyword whose dedupe key is `trend:<keyword>:<episode>` — the same rise gives the
//! same key on every later run, so it alerts once.
//!
//! It also scores the business metrics of the day (`registrations`, `signups` from
//! `students.enrolled_at`, `purchases` and `revenue`) with the streaming, day-of-week aware
//! [`super::anomaly`] detector: one `metric_anomalies` row per metric, and an outbox alert
//! (`anomaly:<metric>:<date>`) when the day's severity reaches `metric_alert`.

use super::anomaly::{anomaly_scores, severity_of_score, AnomalyParams};
use super::{detect_keywords, TrendDetector, TrendParams};
use crate::error::Result;
use crate::job::{Step, StepOutput};
use crate::model::Tables;
use crate::results::Severity;
use crate::results::{Notification, ResultRow};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The result table of the step.
pub const TABLE: &str = "trend_alerts";

/// The result table of the metric anomaly scores.
pub const METRICS_TABLE: &str = "metric_anomalies";

/// Parameters of the trends step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrendsConfig {
    /// Keyword trend detector.
    pub keywords: TrendParams,
    /// Streaming anomaly detector for the daily business metrics.
    pub metrics: AnomalyParams,
    /// Lowest severity of a metric anomaly that goes to the outbox (default high: |z| > 2).
    pub metric_alert: Severity,
}

impl Default for TrendsConfig {
    fn default() -> Self {
        TrendsConfig {
            keywords: TrendParams::default(),
            metrics: AnomalyParams::default(),
            metric_alert: Severity::High,
        }
    }
}

impl TrendsConfig {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        self.keywords.validate()?;
        self.metrics.validate()
    }
}

/// The trends step.
#[derive(Debug, Clone, Default)]
pub struct TrendsStep {
    /// Parameters.
    pub params: TrendsConfig,
}

/// Day starts (epoch seconds) and daily totals.
type DailySeries = (Vec<i64>, Vec<f64>);

/// Daily totals of `(time, value)` events over the days up to `last` (inclusive), from the
/// first event's day: `(day starts as epoch seconds, totals)`.
fn daily(
    events: impl Iterator<Item = (DateTime<Utc>, f64)>,
    last: chrono::NaiveDate,
) -> (Vec<i64>, Vec<f64>) {
    let mut by_day: std::collections::BTreeMap<chrono::NaiveDate, f64> = Default::default();
    for (t, v) in events {
        let d = t.date_naive();
        if d <= last {
            *by_day.entry(d).or_default() += v;
        }
    }
    let Some((&first, _)) = by_day.iter().next() else {
        return (Vec::new(), Vec::new());
    };
    let (mut ts, mut vs) = (Vec::new(), Vec::new());
    let mut d = first;
    while d <= last {
        ts.push(
            d.and_hms_opt(0, 0, 0)
                .map_or(0, |x| x.and_utc().timestamp()),
        );
        vs.push(by_day.get(&d).copied().unwrap_or(0.0));
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    (ts, vs)
}

impl Step for TrendsStep {
    fn name(&self) -> &str {
        "trends"
    }

    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput> {
        self.params.validate()?;
        let det = TrendDetector::new(self.params.keywords.clone())?;
        let trends = detect_keywords(&tables.keyword_interest, as_of.date_naive(), &det)?;
        let mut out = StepOutput::default();
        let (mut rising, mut falling) = (0, 0);
        for t in &trends {
            match t.decision {
                super::Decision::Rising => rising += 1,
                super::Decision::Falling => falling += 1,
                _ => {}
            }
            let data = serde_json::to_value(t).map_err(|e| {
                crate::error::CoreError::param("trend_alerts", format!("serialise: {e}"))
            })?;
            out.results.push(ResultRow {
                table: TABLE.to_string(),
                as_of,
                key: t.keyword.clone(),
                data,
            });
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
        let keyword_alerts = out.notifications.len();
        // Business metrics of the day.
        let day = as_of.date_naive();
        let metrics: [(&str, DailySeries); 4] = [
            (
                "registrations",
                daily(
                    tables.registrations.iter().map(|r| (r.registered_at, 1.0)),
                    day,
                ),
            ),
            (
                "signups",
                daily(tables.students.iter().map(|r| (r.enrolled_at, 1.0)), day),
            ),
            (
                "purchases",
                daily(tables.purchases.iter().map(|r| (r.at, 1.0)), day),
            ),
            (
                "revenue",
                daily(tables.purchases.iter().map(|r| (r.at, r.amount)), day),
            ),
        ];
        let mut metric_alerts = 0;
        for (name, (ts, vs)) in &metrics {
            let Some(&value) = vs.last() else { continue };
            let scores = anomaly_scores(vs, Some(ts), &self.params.metrics)?;
            let score = scores.last().copied().unwrap_or(0.0);
            let severity = severity_of_score(score);
            out.results.push(ResultRow {
                table: METRICS_TABLE.to_string(),
                as_of,
                key: (*name).to_string(),
                data: serde_json::json!({
                    "metric": name,
                    "date": day.to_string(),
                    "value": value,
                    "score": score,
                    "severity": severity.map(|s| s.as_str()),
                    "days": vs.len(),
                }),
            });
            if let Some(sev) = severity.filter(|s| *s >= self.params.metric_alert) {
                metric_alerts += 1;
                out.notifications.push(Notification {
                    dedupe_key: format!("anomaly:{name}:{day}"),
                    kind: "metric_anomaly".to_string(),
                    severity: sev,
                    title: format!("Unusual {name} on {day} ({})", sev.as_str()),
                    body: format!(
                        "{name} on {day}: {value:.0}, anomaly score {score:.4} given the previous days and the weekday pattern."
                    ),
                    payload: serde_json::json!({"metric": name, "date": day.to_string(), "value": value, "score": score}),
                    created_at: as_of,
                });
            }
        }
        out.summary = serde_json::json!({
            "keywords": trends.len(),
            "rising": rising,
            "falling": falling,
            "alerts": keyword_alerts,
            "metric_alerts": metric_alerts,
        });
        Ok(out)
    }
}
