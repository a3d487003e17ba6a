//! The spaced-repetition section of the report, read from the `review_schedule` result table:
//! workload forecast, retention by concept and the stuck concepts.

use super::{bar_chart, column_chart, decode, esc};
use edupulse_core::repetition::schedule::ConceptStats;
use edupulse_core::results::ResultRow;
use edupulse_store::StoreError;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// What the report shows of the review schedule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RepetitionSection {
    /// The step's summary row.
    pub summary: serde_json::Value,
    /// Reviews due per day (`date`, count).
    pub forecast: Vec<(String, u32)>,
    /// Concepts with the lowest mean retention (at most 15).
    pub lowest_retention: Vec<ConceptStats>,
    /// Stuck concepts.
    pub stuck_concepts: Vec<ConceptStats>,
    /// Learners flagged as stuck.
    pub stuck_learners: usize,
}

#[derive(Deserialize)]
struct ForecastRow {
    date: String,
    due: u32,
}

#[derive(Deserialize)]
struct LearnerRow {
    stuck: bool,
}

impl RepetitionSection {
    /// From the `review_schedule` rows of one run (`None` when there are none).
    pub fn from_rows(rows: &[ResultRow]) -> Result<Option<RepetitionSection>, StoreError> {
        if rows.is_empty() {
            return Ok(None);
        }
        let mut s = RepetitionSection::default();
        let mut concepts: Vec<ConceptStats> = Vec::new();
        for r in rows {
            match r.key.split('|').next() {
                Some("summary") => s.summary = r.data.clone(),
                Some("forecast") => {
                    let f: ForecastRow = decode(r)?;
                    s.forecast.push((f.date, f.due));
                }
                Some("concept") => concepts.push(decode(r)?),
                Some("learner") => {
                    let l: LearnerRow = decode(r)?;
                    s.stuck_learners += usize::from(l.stuck);
                }
                _ => {}
            }
        }
        s.forecast.sort();
        s.stuck_concepts = concepts.iter().filter(|c| c.stuck).cloned().collect();
        concepts.sort_by(|a, b| {
            a.mean_retention
                .total_cmp(&b.mean_retention)
                .then(a.card_id.cmp(&b.card_id))
        });
        concepts.truncate(15);
        s.lowest_retention = concepts;
        Ok(Some(s))
    }

    /// The HTML section.
    pub fn html(&self, h: &mut String) {
        let num = |k: &str| self.summary.get(k).and_then(serde_json::Value::as_f64);
        let _ = write!(
            h,
            "<section><h2>Spaced repetition</h2><p>{} learners, {} cards, {} reviews due now, mean retention {:.1} %, {} stuck concepts, {} stuck learners.</p>",
            num("learners").unwrap_or(0.0),
            num("cards").unwrap_or(0.0),
            num("due_now").unwrap_or(0.0),
            100.0 * num("mean_retention").unwrap_or(0.0),
            self.stuck_concepts.len(),
            self.stuck_learners,
        );
        if !self.forecast.is_empty() {
            h.push_str(
                "<h3>Workload forecast (reviews due per day; overdue on the first day)</h3>",
            );
            let cols: Vec<(String, f64)> = self
                .forecast
                .iter()
                .map(|(d, n)| (d.get(5..).unwrap_or(d).to_string(), *n as f64))
                .collect();
            h.push_str(&column_chart(&cols));
        }
        if !self.lowest_retention.is_empty() {
            h.push_str("<h3>Retention by concept (lowest first)</h3>");
            let bars: Vec<(String, f64)> = self
                .lowest_retention
                .iter()
                .map(|c| (c.card_id.clone(), c.mean_retention))
                .collect();
            h.push_str(&bar_chart(&bars, |x| format!("{:.0} %", 100.0 * x)));
        }
        if !self.stuck_concepts.is_empty() {
            h.push_str("<h3>Stuck concepts</h3><table><tr><th>concept</th><th>learners</th><th>stuck learners</th><th>lapse rate</th><th>mean difficulty</th><th>mean retention</th></tr>");
            for c in &self.stuck_concepts {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.0} %</td><td class=\"num\">{:.2}</td><td class=\"num\">{:.0} %</td></tr>",
                    esc(&c.card_id),
                    c.learners,
                    c.stuck_learners,
                    100.0 * c.lapse_rate,
                    c.mean_difficulty,
                    100.0 * c.mean_retention
                );
            }
            h.push_str("</table>");
        }
        h.push_str("</section>");
    }
}
