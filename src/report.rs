//! The report a person reads: `report.json` (everything, machine-readable) and `report.html`
//! (KPI tiles and charts as inline SVG, readable without a network), built from what a run stored.

use crate::Error;
use chrono::{DateTime, Utc};
use edupulse_core::churn::{ChurnScore, CohortRow, RiskLevel};
use edupulse_core::kpi::{FunnelRow, MonthRevenue, SlotRow};
use edupulse_core::model::format_datetime;
use edupulse_core::results::{OutboxItem, ResultRow};
use edupulse_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod repetition;
pub use repetition::RepetitionSection;
mod leads;
pub use leads::LeadsSection;

/// Everything the report shows, as data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The run reported on.
    pub as_of: DateTime<Utc>,
    /// Row counts of every store table.
    pub counts: BTreeMap<String, u64>,
    /// The KPI summary row.
    pub summary: serde_json::Value,
    /// Funnel rows.
    pub funnel: Vec<FunnelRow>,
    /// Attendance by weekday × hour.
    pub slots: Vec<SlotRow>,
    /// Revenue by month.
    pub revenue_by_month: Vec<MonthRevenue>,
    /// The outbox (most recent last).
    pub notifications: Vec<OutboxItem>,
    /// Spaced repetition (the `review_schedule` result table), when the run has it.
    #[serde(default)]
    pub repetition: Option<RepetitionSection>,
    /// Keyword trends of the run (`trend_alerts`), alerting and rising first.
    #[serde(default)]
    pub trends: Vec<edupulse_core::trends::KeywordTrend>,
    /// Churn risk scores and cohorts.
    #[serde(default)]
    pub churn: ChurnReport,
    /// Anomaly scores of the business metrics (`metric_anomalies`), by metric name.
    #[serde(default)]
    pub metrics: Vec<edupulse_core::trends::step::MetricAnomaly>,
    /// Rising and breakout related queries (`emerging_queries`), breakouts first.
    #[serde(default)]
    pub emerging_queries: Vec<edupulse_core::trends::EmergingQuery>,
    /// Leads: grades, conversion by grade, the hot list (`lead_scores`), when the run has them.
    #[serde(default)]
    pub leads: Option<LeadsSection>,
    /// Demand forecasts: heatmaps, best slots, rescheduling, calendar.
    #[serde(default)]
    pub demand: DemandReport,
}

/// A `demand_forecasts` heatmap or slot row as the report reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandCell {
    /// The forecast.
    #[serde(flatten)]
    pub slot: edupulse_core::demand::SlotForecast,
    /// Target segment key (`industry/role/size`, `*` = any).
    pub target: String,
    /// Topic.
    pub topic: String,
}

/// The demand part of the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DemandReport {
    /// Predicted attendance per target, day × hour of next week.
    pub heatmaps: BTreeMap<String, Vec<DemandCell>>,
    /// Best slots of next week per target, best first.
    pub best: BTreeMap<String, Vec<DemandCell>>,
    /// Rescheduling suggestions, largest improvement first.
    pub reschedule: Vec<edupulse_core::demand::Reschedule>,
    /// Next month's suggested calendar.
    pub calendar: Vec<edupulse_core::demand::CalendarEntry>,
}

/// A `churn_scores` row as the report reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnRow {
    /// The score.
    #[serde(flatten)]
    pub score: ChurnScore,
    /// BG/NBD P(alive), when the student has purchases.
    #[serde(default)]
    pub p_alive: Option<f64>,
    /// 12-month CLV, when the student has purchases.
    #[serde(default)]
    pub clv: Option<f64>,
}

/// A `churn_cohorts` row as the report reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortView {
    /// The cohort.
    #[serde(flatten)]
    pub cohort: CohortRow,
    /// Predicted CLV per student of the cohort.
    #[serde(default)]
    pub clv_predicted_per_student: f64,
}

/// The churn part of the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChurnReport {
    /// Scores, highest probability first.
    pub scores: Vec<ChurnRow>,
    /// Signup cohorts, oldest first.
    pub cohorts: Vec<CohortView>,
}

fn decode<T: serde::de::DeserializeOwned>(r: &ResultRow) -> Result<T, StoreError> {
    serde_json::from_value(r.data.clone()).map_err(|e| StoreError::Corrupt {
        table: r.table.clone(),
        message: format!("row `{}`: {e}", r.key),
    })
}

impl Report {
    /// Build the report of the run at `as_of` (the latest run when `None`).
    pub async fn build(store: &dyn Store, as_of: Option<DateTime<Utc>>) -> Result<Report, Error> {
        let rows = store.results("kpis", as_of).await?;
        let Some(first) = rows.first() else {
            return Err(StoreError::Backend {
                backend: store.describe(),
                message: match as_of {
                    Some(t) => format!(
                        "no run as of {} (run `edupulse run` first)",
                        format_datetime(&t)
                    ),
                    None => "no run yet (run `edupulse run` first)".to_string(),
                },
            }
            .into());
        };
        let as_of = first.as_of;
        let mut report = Report {
            as_of,
            counts: store.counts().await?,
            summary: serde_json::Value::Null,
            funnel: Vec::new(),
            slots: Vec::new(),
            revenue_by_month: Vec::new(),
            notifications: store.outbox(false).await?,
            repetition: RepetitionSection::from_rows(
                &store.results("review_schedule", Some(as_of)).await?,
            )?,
            trends: Vec::new(),
            churn: ChurnReport::default(),
            metrics: Vec::new(),
            emerging_queries: Vec::new(),
            leads: LeadsSection::from_rows(
                &store.results("lead_scores", Some(as_of)).await?,
                &store.results("lead_model", Some(as_of)).await?,
            )?,
            demand: DemandReport::default(),
        };
        // Rows written by older versions (another shape) are left out rather than failing.
        for r in &store.results("metric_anomalies", Some(as_of)).await? {
            if let Ok(m) = decode(r) {
                report.metrics.push(m);
            }
        }
        report.metrics.sort_by(|a, b| a.metric.cmp(&b.metric));
        for r in &store.results("emerging_queries", Some(as_of)).await? {
            report.emerging_queries.push(decode(r)?);
        }
        report.emerging_queries.sort_by(|a, b| {
            (a.class, &a.keyword, &a.related).cmp(&(b.class, &b.keyword, &b.related))
        });
        for r in &store.results("demand_forecasts", Some(as_of)).await? {
            let d = &mut report.demand;
            match r.key.split('|').next() {
                Some("heatmap") => {
                    let c: DemandCell = decode(r)?;
                    d.heatmaps.entry(c.target.clone()).or_default().push(c);
                }
                Some("slot") => {
                    let c: DemandCell = decode(r)?;
                    d.best.entry(c.target.clone()).or_default().push(c);
                }
                Some("reschedule") => d.reschedule.push(decode(r)?),
                Some("calendar") => d.calendar.push(decode(r)?),
                _ => {}
            }
        }
        for v in report.demand.best.values_mut() {
            v.sort_by(|a, b| b.slot.attendees.total_cmp(&a.slot.attendees));
        }
        report.demand.reschedule.sort_by(|a, b| {
            b.improvement_pct
                .total_cmp(&a.improvement_pct)
                .then(a.webinar_id.cmp(&b.webinar_id))
        });
        report.demand.calendar.sort_by_key(|c| c.starts_at);
        for r in &store.results("trend_alerts", Some(as_of)).await? {
            report.trends.push(decode(r)?);
        }
        report.trends.sort_by(|a, b| {
            (
                a.alert.is_none(),
                a.decision.as_str() != "rising",
                &a.keyword,
            )
                .cmp(&(
                    b.alert.is_none(),
                    b.decision.as_str() != "rising",
                    &b.keyword,
                ))
        });
        for r in store.results("churn_scores", Some(as_of)).await? {
            report.churn.scores.push(decode(&r)?);
        }
        report
            .churn
            .scores
            .sort_by(|a, b| b.score.probability.total_cmp(&a.score.probability));
        for r in store.results("churn_cohorts", Some(as_of)).await? {
            report.churn.cohorts.push(decode(&r)?);
        }
        report
            .churn
            .cohorts
            .sort_by(|a, b| a.cohort.cohort.cmp(&b.cohort.cohort));
        for r in &rows {
            match r.key.split('|').next() {
                Some("summary") => report.summary = r.data.clone(),
                Some("funnel") => report.funnel.push(decode(r)?),
                Some("slot") => report.slots.push(decode(r)?),
                Some("revenue") => report.revenue_by_month.push(decode(r)?),
                _ => {}
            }
        }
        report.funnel.sort_by(|a, b| {
            (a.dimension != "all", &a.dimension, &a.segment).cmp(&(
                b.dimension != "all",
                &b.dimension,
                &b.segment,
            ))
        });
        report.slots.sort_by_key(|s| (s.weekday, s.hour));
        report
            .revenue_by_month
            .sort_by(|a, b| a.month.cmp(&b.month));
        Ok(report)
    }

    /// Write `report.json` and `report.html` into `dir` (created if needed); returns both paths.
    pub fn write(&self, dir: &Path) -> Result<(PathBuf, PathBuf), Error> {
        let io = |p: &Path, e: std::io::Error| edupulse_core::CoreError::Io {
            path: p.display().to_string(),
            message: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let json_path = dir.join("report.json");
        let json =
            serde_json::to_string_pretty(self).map_err(|e| edupulse_core::CoreError::Io {
                path: json_path.display().to_string(),
                message: e.to_string(),
            })?;
        std::fs::write(&json_path, json).map_err(|e| io(&json_path, e))?;
        let html_path = dir.join("report.html");
        std::fs::write(&html_path, self.to_html()).map_err(|e| io(&html_path, e))?;
        Ok((json_path, html_path))
    }

    /// The HTML page (self-contained: inline CSS and SVG, no script, no network).
    pub fn to_html(&self) -> String {
        let mut h = String::with_capacity(64 * 1024);
        let day = self.as_of.format("%Y-%m-%d");
        let _ = write!(
            h,
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
             <title>edupulse report {day}</title><style>{CSS}</style></head><body>\
             <header><h1>edupulse</h1><p>Report as of <b>{day}</b></p></header><main>"
        );
        self.tiles(&mut h);
        self.funnel_section(&mut h);
        self.slots_section(&mut h);
        self.revenue_section(&mut h);
        if let Some(r) = &self.repetition {
            r.html(&mut h);
        }
        self.trends_section(&mut h);
        self.related_section(&mut h);
        self.metrics_section(&mut h);
        self.churn_section(&mut h);
        if let Some(l) = &self.leads {
            l.html(&mut h);
        }
        self.demand_section(&mut h);
        self.outbox_section(&mut h);
        let _ = write!(
            h,
            "<section><h2>Store</h2><table><tr><th>table</th><th>rows</th></tr>"
        );
        for (t, n) in &self.counts {
            let _ = write!(h, "<tr><td>{}</td><td class=\"num\">{n}</td></tr>", esc(t));
        }
        h.push_str("</table></section></main></body></html>\n");
        h
    }

    fn tiles(&self, h: &mut String) {
        let num = |k: &str| self.summary.get(k).and_then(serde_json::Value::as_f64);
        let pct = |x: Option<f64>| x.map_or("–".to_string(), |x| format!("{:.1} %", x * 100.0));
        let int = |x: Option<f64>| x.map_or("–".to_string(), |x| format!("{x:.0}"));
        let revenue = self.revenue_by_month.last();
        let tiles = [
            ("Students", int(num("students"))),
            ("Active (7 days)", int(num("active_students_7d"))),
            ("Active (30 days)", int(num("active_students_30d"))),
            ("Completion rate", pct(num("completion_rate"))),
            ("Attendance (30 days)", pct(num("attendance_rate_last_30d"))),
            (
                "Revenue, last month",
                revenue.map_or("–".to_string(), |m| {
                    format!("{:.0} ({})", m.revenue, m.month)
                }),
            ),
        ];
        h.push_str("<section class=\"tiles\">");
        for (label, value) in tiles {
            let _ = write!(
                h,
                "<div class=\"tile\"><div class=\"v\">{}</div><div class=\"l\">{}</div></div>",
                esc(&value),
                esc(label)
            );
        }
        h.push_str("</section>");
    }

    fn trends_section(&self, h: &mut String) {
        if self.trends.is_empty() {
            return;
        }
        h.push_str("<section><h2>Keyword trends</h2><p>Weekly interest (complete weeks); red ticks mark change points. Rising = a significant, sustained rise (Mann-Kendall; a change point or a CUSUM alarm; level +50 %) or a breakout (+50 % on the 12-week baseline with robust z ≥ 3).</p>");
        h.push_str("<table><tr><th>keyword</th><th>weekly interest</th><th>decision</th><th>alert</th><th>last week vs baseline</th><th>level change</th><th>slope / week</th><th>p-value</th><th>robust z</th></tr>");
        for t in &self.trends {
            let growth = t
                .growth
                .map_or("–".to_string(), |g| format!("{:+.0} %", g * 100.0));
            let alert = match (t.alert, &t.episode) {
                (Some(s), Some(e)) => format!("{} ({})", s.as_str(), e),
                _ => "–".to_string(),
            };
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{:+.0} %</td><td class=\"num\">{:+.1} %</td><td class=\"num\">{:.3}</td><td class=\"num\">{:.1}</td></tr>",
                esc(&t.keyword),
                sparkline(t),
                esc(t.decision.as_str()),
                esc(&alert),
                esc(&growth),
                t.level_change * 100.0,
                t.slope_per_week * 100.0,
                t.p_value,
                t.robust_z
            );
        }
        h.push_str("</table></section>");
    }

    fn related_section(&self, h: &mut String) {
        if self.emerging_queries.is_empty() {
            return;
        }
        h.push_str("<section><h2>Emerging related queries</h2><p>From each keyword's latest related-queries report: breakout = growth above 5000 % (Google's rule; alerted once per query), rising = +50 % or more.</p><table><tr><th>keyword</th><th>related query</th><th>class</th><th>growth</th><th>report</th></tr>");
        for q in &self.emerging_queries {
            let growth = q
                .growth_pct
                .map_or("> 5000 %".to_string(), |g| format!("+{g:.0} %"));
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                esc(&q.keyword),
                esc(&q.related),
                esc(q.class.as_str()),
                esc(&growth),
                q.date
            );
        }
        h.push_str("</table></section>");
    }

    fn metrics_section(&self, h: &mut String) {
        if self.metrics.is_empty() {
            return;
        }
        h.push_str("<section><h2>Business metrics: anomalies</h2><p>Each point is scored against a forecast from the points before it only (level + weekday pattern); red dots mark unusual points (|z| &gt; 1.5: medium, &gt; 2 high, &gt; 3 critical). An alert is sent once per metric and episode (a run of unusual points).</p><table><tr><th>metric</th><th>recent points</th><th>last point</th><th>value</th><th>z</th><th>severity</th><th>unusual since</th></tr>");
        for m in &self.metrics {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{:+.1}</td><td>{}</td><td>{}</td></tr>",
                esc(&m.metric),
                metric_sparkline(m),
                m.last_date,
                if m.value.fract() == 0.0 { format!("{:.0}", m.value) } else { format!("{:.3}", m.value) },
                m.z,
                m.severity.map_or("–", |s| s.as_str()),
                m.episode.map_or("–".to_string(), |d| d.to_string()),
            );
        }
        h.push_str("</table></section>");
    }

    fn funnel_section(&self, h: &mut String) {
        h.push_str("<section><h2>Funnel: registration → attendance → conversion</h2>");
        if let Some(all) = self.funnel.iter().find(|f| f.dimension == "all") {
            let bars = [
                ("Registered".to_string(), all.registrations as f64),
                ("Attended".to_string(), all.attended as f64),
                ("Converted".to_string(), all.converted as f64),
            ];
            h.push_str(&bar_chart(&bars, |v| format!("{v:.0}")));
        }
        for dim in ["industry", "role", "company_size"] {
            let rows: Vec<(String, f64)> = self
                .funnel
                .iter()
                .filter(|f| f.dimension == dim)
                .map(|f| (f.segment.clone(), f.attendance_rate))
                .collect();
            if rows.is_empty() {
                continue;
            }
            let _ = write!(
                h,
                "<h3>Attendance rate by {}</h3>",
                esc(&dim.replace('_', " "))
            );
            h.push_str(&bar_chart(&rows, |v| format!("{:.1} %", v * 100.0)));
        }
        h.push_str("<table><tr><th>dimension</th><th>segment</th><th>registered</th><th>attended</th><th>converted</th><th>attendance</th><th>conversion</th></tr>");
        for f in &self.funnel {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1} %</td><td class=\"num\">{:.1} %</td></tr>",
                esc(&f.dimension),
                esc(&f.segment),
                f.registrations,
                f.attended,
                f.converted,
                f.attendance_rate * 100.0,
                f.conversion_rate * 100.0
            );
        }
        h.push_str("</table></section>");
    }

    fn slots_section(&self, h: &mut String) {
        if self.slots.is_empty() {
            return;
        }
        h.push_str("<section><h2>Attendance rate by day and hour (UTC)</h2>");
        h.push_str(&heatmap(&self.slots));
        h.push_str("</section>");
    }

    fn revenue_section(&self, h: &mut String) {
        if self.revenue_by_month.is_empty() {
            return;
        }
        h.push_str("<section><h2>Revenue by month</h2>");
        let bars: Vec<(String, f64)> = self
            .revenue_by_month
            .iter()
            .map(|m| (m.month.clone(), m.revenue))
            .collect();
        h.push_str(&column_chart(&bars));
        h.push_str("</section>");
    }

    fn churn_section(&self, h: &mut String) {
        let c = &self.churn;
        if c.scores.is_empty() && c.cohorts.is_empty() {
            return;
        }
        h.push_str("<section><h2>Churn risk and lifetime value</h2>");
        let count =
            |l: RiskLevel| c.scores.iter().filter(|s| s.score.risk_level == l).count() as f64;
        let _ = write!(
            h,
            "<h3>Risk distribution ({} current students)</h3>{}",
            c.scores.len(),
            bar_chart(
                &[
                    ("Alto (> 0.7)".to_string(), count(RiskLevel::Alto)),
                    ("Medio (> 0.4)".to_string(), count(RiskLevel::Medio)),
                    ("Bajo".to_string(), count(RiskLevel::Bajo)),
                ],
                |v| format!("{v:.0}")
            )
        );
        h.push_str(
            "<h3>At risk: who to contact</h3><table><tr><th>student</th><th>P(churn)</th><th>level</th>\
             <th>top factors</th><th>intervention</th><th>P(alive) purchases</th><th>CLV 12 m</th></tr>",
        );
        for s in c
            .scores
            .iter()
            .filter(|s| s.score.risk_level != RiskLevel::Bajo)
            .take(25)
        {
            let factors: Vec<String> = s
                .score
                .factors
                .iter()
                .map(|f| {
                    format!(
                        "{} = {} (+{:.2})",
                        f.factor.column, f.factor.value, f.factor.contribution
                    )
                })
                .collect();
            let opt = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or("—".to_string(), f);
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"num\">{:.0} %</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&s.score.student_id),
                s.score.probability * 100.0,
                s.score.risk_level.as_str(),
                esc(&factors.join("; ")),
                s.score.intervention.map_or("—", |i| i.label()),
                opt(s.p_alive, &|v| format!("{:.0} %", v * 100.0)),
                opt(s.clv, &|v| format!("{v:.0}")),
            );
        }
        h.push_str("</table>");
        if !c.cohorts.is_empty() {
            let _ = write!(
                h,
                "<h3>Retention curves (Kaplan-Meier, by signup cohort)</h3>{}",
                line_chart(
                    &c.cohorts
                        .iter()
                        .map(|k| (k.cohort.cohort.clone(), k.cohort.km_survival.clone()))
                        .collect::<Vec<_>>()
                )
            );
            h.push_str("<h3>Retention matrix (share active, months since signup)</h3><table><tr><th>cohort</th><th>students</th>");
            let width = c
                .cohorts
                .iter()
                .map(|k| k.cohort.retention.len())
                .max()
                .unwrap_or(0);
            for m in 0..width {
                let _ = write!(h, "<th>{m}</th>");
            }
            h.push_str("</tr>");
            for k in &c.cohorts {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td class=\"num\">{}</td>",
                    esc(&k.cohort.cohort),
                    k.cohort.students
                );
                for v in &k.cohort.retention {
                    let t = v.clamp(0.0, 1.0);
                    let (r, g, b) = (
                        (255.0 - 224.0 * t) as u8,
                        (237.0 - 150.0 * t) as u8,
                        (160.0 - 20.0 * t) as u8,
                    );
                    let fg = if t > 0.6 { "#fff" } else { "#1f2933" };
                    let _ = write!(
                        h,
                        "<td class=\"num\" style=\"background:rgb({r},{g},{b});color:{fg}\">{:.0}</td>",
                        v * 100.0
                    );
                }
                h.push_str("</tr>");
            }
            h.push_str("</table>");
            let ltv: Vec<(String, f64)> = c
                .cohorts
                .iter()
                .flat_map(|k| {
                    [
                        (
                            format!("{} observed", k.cohort.cohort),
                            k.cohort.ltv_observed,
                        ),
                        (
                            format!("{} +12 m predicted", k.cohort.cohort),
                            k.clv_predicted_per_student,
                        ),
                    ]
                })
                .collect();
            let _ = write!(
                h,
                "<h3>Lifetime value per student by cohort (revenue to date; BG/NBD × Gamma-Gamma CLV of the next 12 months)</h3>{}",
                bar_chart(&ltv, |v| format!("{v:.0}"))
            );
        }
        h.push_str("</section>");
    }

    fn demand_section(&self, h: &mut String) {
        let d = &self.demand;
        if d.heatmaps.is_empty() {
            return;
        }
        h.push_str("<section><h2>Demand: predicted attendance and the best slots</h2><p>Predicted attendees of a webinar next week by day and hour (UTC), per target segment (random forest over segment, topic, weekday, hour, month, lead time and previous attendance; hover a cell for the 90 % interval).</p>");
        for (target, cells) in &d.heatmaps {
            let topic = cells.first().map_or("", |c| c.topic.as_str());
            let _ = write!(
                h,
                "<h3>{} · {}</h3>",
                esc(&target.replace("*/*/*", "all registrants")),
                esc(topic)
            );
            h.push_str(&demand_heatmap(cells));
            if let Some(best) = d.best.get(target) {
                h.push_str("<p>Best slots: ");
                let items: Vec<String> = best
                    .iter()
                    .map(|c| {
                        format!(
                            "{} {:02}h — {:.1} ({:.1}–{:.1})",
                            c.slot.weekday,
                            c.slot.hour,
                            c.slot.attendees,
                            c.slot.lower,
                            c.slot.upper
                        )
                    })
                    .collect();
                h.push_str(&esc(&items.join(" · ")));
                h.push_str("</p>");
            }
        }
        h.push_str("<h3>Rescheduling suggestions</h3>");
        if d.reschedule.is_empty() {
            h.push_str("<p>No planned webinar would gain more than the threshold by moving.</p>");
        } else {
            h.push_str("<table><tr><th>webinar</th><th>planned</th><th>attendees</th><th>suggested</th><th>attendees</th><th>gain</th></tr>");
            for r in &d.reschedule {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{:.1}</td><td>{}</td><td>{:.1}</td><td>+{:.0} %</td></tr>",
                    esc(&r.title),
                    r.planned_at.format("%a %Y-%m-%d %H:%M"),
                    r.planned_attendees,
                    r.suggested_at.format("%a %Y-%m-%d %H:%M"),
                    r.suggested_attendees,
                    r.improvement_pct * 100.0
                );
            }
            h.push_str("</table>");
        }
        if !d.calendar.is_empty() {
            h.push_str("<h3>Suggested calendar for next month</h3><table><tr><th>start (UTC)</th><th>topic</th><th>target</th><th>predicted attendees</th><th>trend score</th></tr>");
            for c in &d.calendar {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td><td>{:.2}</td></tr>",
                    c.starts_at.format("%a %Y-%m-%d %H:%M"),
                    esc(&c.topic),
                    esc(&c.target.key().replace("*/*/*", "all")),
                    c.attendees,
                    c.trend_score
                );
            }
            h.push_str("</table>");
        }
        h.push_str("</section>");
    }

    fn outbox_section(&self, h: &mut String) {
        let _ = write!(
            h,
            "<section><h2>Notifications ({})</h2><table><tr><th>created</th><th>severity</th><th>title</th><th>status</th><th>delivered to</th></tr>",
            self.notifications.len()
        );
        for n in self.notifications.iter().rev().take(50) {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"sev-{sev}\">{sev}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                n.notification.created_at.format("%Y-%m-%d"),
                esc(&n.notification.title),
                n.status.as_str(),
                esc(&n.delivered_to.join(", ")),
                sev = n.notification.severity.as_str(),
            );
        }
        h.push_str("</table></section>");
    }
}

const CSS: &str = "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1f2933;background:#f7f8fa}\
header{background:#1f3a5f;color:#fff;padding:16px 32px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0}\
main{max-width:1100px;margin:0 auto;padding:16px 32px}section{background:#fff;border-radius:8px;padding:16px 20px;margin:16px 0;box-shadow:0 1px 3px rgba(0,0,0,.08)}\
h2{font-size:18px;margin:0 0 12px}h3{font-size:14px;margin:16px 0 6px;color:#52606d}\
.tiles{display:flex;flex-wrap:wrap;gap:12px;background:none;box-shadow:none;padding:0}.tile{flex:1 1 150px;background:#fff;border-radius:8px;padding:14px;box-shadow:0 1px 3px rgba(0,0,0,.08)}\
.tile .v{font-size:24px;font-weight:600;color:#1f3a5f}.tile .l{font-size:12px;color:#7b8794;text-transform:uppercase;letter-spacing:.04em}\
table{border-collapse:collapse;width:100%;font-size:13px;margin-top:12px}th,td{padding:4px 8px;border-bottom:1px solid #e4e7eb;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}\
.sev-critical{color:#b91c1c;font-weight:600}.sev-high{color:#c2410c}.sev-medium{color:#a16207}.sev-low{color:#52606d}svg text{font-size:11px;fill:#3e4c59}";

/// Escape text for HTML.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Horizontal bars with labels and values.
fn bar_chart(rows: &[(String, f64)], fmt: impl Fn(f64) -> String) -> String {
    let (w, label_w, bar_h, gap) = (720.0, 170.0, 18.0, 6.0);
    let max = rows
        .iter()
        .map(|r| r.1)
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let height = rows.len() as f64 * (bar_h + gap) + gap;
    let mut s = format!(
        "<svg viewBox=\"0 0 {w} {height}\" width=\"100%\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = gap + i as f64 * (bar_h + gap);
        let bw = (w - label_w - 90.0) * (v / max).max(0.0);
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{bw:.1}\" height=\"{bar_h}\" rx=\"3\" fill=\"#3e7cb1\"><title>{}: {}</title></rect><text x=\"{:.1}\" y=\"{}\">{}</text>",
            label_w - 8.0,
            y + bar_h * 0.75,
            esc(label),
            esc(label),
            esc(&fmt(*v)),
            label_w + bw + 6.0,
            y + bar_h * 0.75,
            esc(&fmt(*v))
        );
    }
    s.push_str("</svg>");
    s
}

/// Lines (one per series) over an index axis, y in [0, 1].
fn line_chart(series: &[(String, Vec<f64>)]) -> String {
    const COLORS: [&str; 6] = [
        "#3e7cb1", "#e07a5f", "#81b29a", "#f2cc8f", "#6d597a", "#3d405b",
    ];
    let (w, h, pad_l, pad_b, pad_t, pad_r) = (720.0, 260.0, 44.0, 28.0, 12.0, 110.0);
    let n = series.iter().map(|s| s.1.len()).max().unwrap_or(1).max(2) as f64;
    let plot_w = w - pad_l - pad_r;
    let plot_h = h - pad_b - pad_t;
    let mut s = format!(
        "<svg viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for k in 0..=4 {
        let y = pad_t + plot_h * (1.0 - f64::from(k) / 4.0);
        let _ = write!(
            s,
            "<line x1=\"{pad_l}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e4e7eb\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}%</text>",
            pad_l + plot_w,
            pad_l - 6.0,
            y + 4.0,
            k * 25
        );
    }
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">months since signup</text>",
        pad_l + plot_w / 2.0,
        h - 6.0
    );
    for (i, (name, v)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let pts: Vec<String> = std::iter::once(1.0)
            .chain(v.iter().copied())
            .enumerate()
            .map(|(j, y)| {
                format!(
                    "{:.1},{:.1}",
                    pad_l + plot_w * j as f64 / n,
                    pad_t + plot_h * (1.0 - y.clamp(0.0, 1.0))
                )
            })
            .collect();
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.6\" points=\"{}\"><title>{}</title></polyline>",
            pts.join(" "),
            esc(name)
        );
        if i < 16 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" style=\"fill:{color}\">{}</text>",
                w - pad_r + 8.0,
                pad_t + 14.0 * i as f64 + 10.0,
                esc(name)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Vertical columns (a time series by month).
fn column_chart(rows: &[(String, f64)]) -> String {
    let (w, h, pad_l, pad_b, pad_t) = (720.0, 240.0, 60.0, 40.0, 16.0);
    let max = rows
        .iter()
        .map(|r| r.1)
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let n = rows.len().max(1) as f64;
    let slot = (w - pad_l - 10.0) / n;
    let plot_h = h - pad_b - pad_t;
    let mut s = format!(
        "<svg viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for k in 0..=4 {
        let v = max * f64::from(k) / 4.0;
        let y = pad_t + plot_h * (1.0 - f64::from(k) / 4.0);
        let _ = write!(
            s,
            "<line x1=\"{pad_l}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e4e7eb\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{v:.0}</text>",
            w - 10.0,
            pad_l - 6.0,
            y + 4.0
        );
    }
    for (i, (label, v)) in rows.iter().enumerate() {
        let bh = plot_h * (v / max).max(0.0);
        let x = pad_l + i as f64 * slot + slot * 0.15;
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" rx=\"2\" fill=\"#3e7cb1\"><title>{}: {v:.2}</title></rect><text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            pad_t + plot_h - bh,
            slot * 0.7,
            esc(label),
            x + slot * 0.35,
            h - pad_b + 16.0,
            esc(label.get(2..).unwrap_or(label))
        );
    }
    s.push_str("</svg>");
    s
}

/// One cell of a weekday × hour heatmap: the value that colours it, its tooltip and its label.
struct HeatCell {
    value: f64,
    title: String,
    label: String,
}

/// A weekday × hour heatmap (inline SVG), light yellow (low) to deep blue (high); `cell(i, hour)`
/// gives the cell of row `i` (`rows[i]` is its label), `None` draws an empty grey cell.
fn weekday_hour_heatmap(
    rows: &[String],
    hours: &[u32],
    cell_h: f64,
    cell: impl Fn(usize, u32) -> Option<HeatCell>,
) -> String {
    let (cell_w, pad_l, pad_t) = (44.0, 48.0, 22.0);
    let grid: Vec<Vec<Option<HeatCell>>> = (0..rows.len())
        .map(|i| hours.iter().map(|&hr| cell(i, hr)).collect())
        .collect();
    let (lo, hi) = grid
        .iter()
        .flatten()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), c| {
            (lo.min(c.value), hi.max(c.value))
        });
    let span = (hi - lo).max(1e-9);
    let w = pad_l + cell_w * hours.len() as f64 + 4.0;
    let h = pad_t + cell_h * rows.len() as f64 + 4.0;
    let mut s = format!(
        "<svg viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for (j, hour) in hours.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"14\" text-anchor=\"middle\">{hour:02}h</text>",
            pad_l + cell_w * (j as f64 + 0.5)
        );
    }
    for (i, (label, cells)) in rows.iter().zip(&grid).enumerate() {
        let y = pad_t + cell_h * i as f64;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            pad_l - 6.0,
            y + cell_h * 0.65,
            esc(label)
        );
        for (j, c) in cells.iter().enumerate() {
            let x = pad_l + cell_w * j as f64;
            let Some(c) = c else {
                let _ = write!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#f0f2f5\"/>",
                    cell_w - 2.0,
                    cell_h - 2.0
                );
                continue;
            };
            let t = (c.value - lo) / span;
            let (r, g, b) = (
                (255.0 - 224.0 * t) as u8,
                (237.0 - 150.0 * t) as u8,
                (160.0 - 20.0 * t) as u8,
            );
            let _ = write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"rgb({r},{g},{b})\"><title>{}</title></rect><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" style=\"fill:{}\">{}</text>",
                cell_w - 2.0,
                cell_h - 2.0,
                esc(&c.title),
                x + cell_w * 0.5 - 1.0,
                y + cell_h * 0.62,
                if t > 0.6 { "#fff" } else { "#1f2933" },
                esc(&c.label)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Weekday × hour heatmap of predicted attendees (demand forecasts).
fn demand_heatmap(cells: &[DemandCell]) -> String {
    let mut hours: Vec<u32> = cells.iter().map(|c| c.slot.hour).collect();
    hours.sort_unstable();
    hours.dedup();
    let mut days: Vec<chrono::Weekday> = Vec::new();
    for c in cells {
        if !days.contains(&c.slot.weekday) {
            days.push(c.slot.weekday);
        }
    }
    days.sort_by_key(|d| d.num_days_from_monday());
    let rows: Vec<String> = days.iter().map(|d| d.to_string()).collect();
    weekday_hour_heatmap(&rows, &hours, 26.0, |i, hour| {
        let d = days.get(i)?;
        let c = cells
            .iter()
            .find(|c| c.slot.weekday == *d && c.slot.hour == hour)?;
        Some(HeatCell {
            value: c.slot.attendees,
            title: format!(
                "{d} {hour:02}h: {:.1} attendees (90 % {:.1}–{:.1}), rate {:.1} %",
                c.slot.attendees,
                c.slot.lower,
                c.slot.upper,
                c.slot.rate * 100.0
            ),
            label: format!("{:.1}", c.slot.attendees),
        })
    })
}

/// Weekday × hour heatmap of attendance rates.
fn heatmap(slots: &[SlotRow]) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let mut hours: Vec<u32> = slots.iter().map(|s| s.hour).collect();
    hours.sort_unstable();
    hours.dedup();
    let mut days: Vec<u32> = slots.iter().map(|s| s.weekday).collect();
    days.sort_unstable();
    days.dedup();
    let rows: Vec<String> = days
        .iter()
        .map(|d| DAYS.get(*d as usize).copied().unwrap_or("?").to_string())
        .collect();
    weekday_hour_heatmap(&rows, &hours, 28.0, |i, hour| {
        let d = days.get(i)?;
        let slot = slots.iter().find(|s| s.weekday == *d && s.hour == hour)?;
        Some(HeatCell {
            value: slot.attendance_rate,
            title: format!(
                "{} {hour:02}h: {:.1} % of {} registrations, {} webinars",
                rows.get(i).map_or("?", String::as_str),
                slot.attendance_rate * 100.0,
                slot.registrations,
                slot.webinars
            ),
            label: format!("{:.0}", slot.attendance_rate * 100.0),
        })
    })
}

/// An inline SVG sparkline of a keyword's weekly series with its change points marked.
fn sparkline(t: &edupulse_core::trends::KeywordTrend) -> String {
    let (w, hgt) = (220.0, 36.0);
    let v = &t.weekly;
    if v.len() < 2 {
        return String::new();
    }
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let x = |i: usize| 2.0 + (w - 4.0) * i as f64 / (v.len() - 1) as f64;
    let y = |val: f64| 2.0 + (hgt - 4.0) * (1.0 - (val - lo) / span);
    let mut pts = String::new();
    for (i, val) in v.iter().enumerate() {
        let _ = write!(pts, "{:.1},{:.1} ", x(i), y(*val));
    }
    let color = match t.decision.as_str() {
        "rising" => "#1a7f37",
        "falling" => "#b42318",
        _ => "#555",
    };
    let mut s = format!(
        "<svg width=\"{w}\" height=\"{hgt}\" viewBox=\"0 0 {w} {hgt}\" role=\"img\"><polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{}\"/>",
        pts.trim_end()
    );
    if let Some(start) = t.weekly_start {
        for cp in &t.change_points {
            let i = (*cp - start).num_days() / 7;
            if i >= 0 && (i as usize) < v.len() {
                let xi = x(i as usize);
                let _ = write!(
                    s,
                    "<line x1=\"{xi:.1}\" x2=\"{xi:.1}\" y1=\"0\" y2=\"{hgt}\" stroke=\"#d92d20\" stroke-width=\"1\" stroke-dasharray=\"2,2\"><title>change point {cp}</title></line>"
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}

/// An inline SVG sparkline of a metric's recent points, unusual points (|z| > 1.5) as red dots.
fn metric_sparkline(m: &edupulse_core::trends::step::MetricAnomaly) -> String {
    let (w, hgt) = (260.0, 40.0);
    let v = &m.history_values;
    if v.len() < 2 {
        return String::new();
    }
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let x = |i: usize| 3.0 + (w - 6.0) * i as f64 / (v.len() - 1) as f64;
    let y = |val: f64| 3.0 + (hgt - 6.0) * (1.0 - (val - lo) / span);
    let mut pts = String::new();
    for (i, val) in v.iter().enumerate() {
        let _ = write!(pts, "{:.1},{:.1} ", x(i), y(*val));
    }
    let mut s = format!(
        "<svg width=\"{w}\" height=\"{hgt}\" viewBox=\"0 0 {w} {hgt}\" role=\"img\"><polyline fill=\"none\" stroke=\"#555\" stroke-width=\"1.2\" points=\"{}\"/>",
        pts.trim_end()
    );
    for (i, (val, z)) in v.iter().zip(&m.history_z).enumerate() {
        if z.abs() > 1.5 {
            let r = if z.abs() > 3.0 { 3.0 } else { 2.2 };
            let date = m
                .history_dates
                .get(i)
                .map_or(String::new(), |d| d.to_string());
            let _ = write!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{r}\" fill=\"#d92d20\"><title>{date}: {} (z {z:+.1})</title></circle>",
                x(i),
                y(*val),
                esc(&format!("{val:.3}"))
            );
        }
    }
    s.push_str("</svg>");
    s
}
