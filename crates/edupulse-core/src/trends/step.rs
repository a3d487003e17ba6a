//! The trends step of the daily job: runs the [`TrendDetector`] on `keyword_interest` as of the
//! run's day and writes one `trend_alerts` row per keyword, and one outbox notification per
//! alerting keyword whose dedupe key is `trend:<keyword>:<episode>` — the same rise gives the
//! same key on every later run, so it alerts once.

use super::{detect_keywords, TrendDetector, TrendParams};
use crate::error::Result;
use crate::job::{Step, StepOutput};
use crate::model::Tables;
use crate::results::{Notification, ResultRow};
use chrono::{DateTime, Utc};

/// The result table of the step.
pub const TABLE: &str = "trend_alerts";

/// The trends step.
#[derive(Debug, Clone, Default)]
pub struct TrendsStep {
    /// Parameters.
    pub params: TrendParams,
}

impl Step for TrendsStep {
    fn name(&self) -> &str {
        "trends"
    }

    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput> {
        let det = TrendDetector::new(self.params.clone())?;
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
        out.summary = serde_json::json!({
            "keywords": trends.len(),
            "rising": rising,
            "falling": falling,
            "alerts": out.notifications.len(),
        });
        Ok(out)
    }
}
