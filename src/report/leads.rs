//! The leads section of the report, read from the `lead_scores` and `lead_model` result tables:
//! grade distribution, conversion by grade, which scorer was used and why, and the hot list with
//! its factors.

use super::{bar_chart, decode, esc};
use edupulse_core::leads::{Grade, LeadScoreRow};
use edupulse_core::results::ResultRow;
use edupulse_store::StoreError;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// What the report shows of the leads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadsSection {
    /// Leads per grade (hot, warm, cold).
    pub grades: Vec<(String, usize)>,
    /// Share of leads of each grade that have purchased.
    pub conversion_by_grade: Vec<(String, f64)>,
    /// The `lead_model` row: which scorer and why.
    pub model: serde_json::Value,
    /// Hot leads not yet converted, highest score first (at most 25).
    pub hot: Vec<LeadScoreRow>,
}

impl LeadsSection {
    /// From the `lead_scores` and `lead_model` rows of one run (`None` when there are none).
    pub fn from_rows(
        scores: &[ResultRow],
        model: &[ResultRow],
    ) -> Result<Option<LeadsSection>, StoreError> {
        if scores.is_empty() {
            return Ok(None);
        }
        let mut rows: Vec<LeadScoreRow> = Vec::with_capacity(scores.len());
        for r in scores {
            rows.push(decode(r)?);
        }
        let mut s = LeadsSection {
            model: model.first().map(|r| r.data.clone()).unwrap_or_default(),
            ..LeadsSection::default()
        };
        for g in [Grade::Hot, Grade::Warm, Grade::Cold] {
            let of: Vec<&LeadScoreRow> = rows.iter().filter(|r| r.grade == g).collect();
            let conv = of.iter().filter(|r| r.converted).count();
            s.grades.push((g.as_str().to_string(), of.len()));
            s.conversion_by_grade
                .push((g.as_str().to_string(), conv as f64 / of.len().max(1) as f64));
        }
        let mut hot: Vec<LeadScoreRow> = rows
            .into_iter()
            .filter(|r| r.grade == Grade::Hot && !r.converted)
            .collect();
        hot.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.lead_id.cmp(&b.lead_id))
        });
        hot.truncate(25);
        s.hot = hot;
        Ok(Some(s))
    }

    /// Append the HTML section.
    pub fn html(&self, h: &mut String) {
        h.push_str("<section><h2>Leads</h2>");
        let total: usize = self.grades.iter().map(|g| g.1).sum();
        let _ = write!(
            h,
            "<h3>Grade distribution ({total} leads)</h3>{}",
            bar_chart(
                &self
                    .grades
                    .iter()
                    .map(|(g, n)| (g.clone(), *n as f64))
                    .collect::<Vec<_>>(),
                |v| format!("{v:.0}")
            )
        );
        let _ = write!(
            h,
            "<h3>Conversion by grade (share that purchased)</h3>{}",
            bar_chart(
                &self
                    .conversion_by_grade
                    .iter()
                    .map(|(g, r)| (g.clone(), 100.0 * r))
                    .collect::<Vec<_>>(),
                |v| format!("{v:.1} %")
            )
        );
        let used = self.model["used"].as_str().unwrap_or("rules");
        let why = self.model["choice"]["reason"]
            .as_str()
            .unwrap_or("the learned model is off");
        let _ = write!(h, "<p>Scores from <b>{}</b>: {}.</p>", esc(used), esc(why));
        h.push_str(
            "<h3>Hot leads: who sales should call</h3><table><tr><th>lead</th><th>engagement</th>\
             <th>score</th><th>source</th><th>hot since</th><th>top factors</th></tr>",
        );
        for r in &self.hot {
            let factors: Vec<String> = r
                .factors
                .iter()
                .map(|f| format!("{} = {}", f.column, f.value))
                .collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"num\">{:.1}</td><td class=\"num\">{:.0}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&r.lead_id),
                r.engagement,
                r.score,
                esc(&r.source),
                r.hot_since.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
                esc(&factors.join("; "))
            );
        }
        h.push_str("</table></section>");
    }
}
