//! Keyword trends (sparklines with change points), emerging related queries and anomalies of
//! the business metrics.

use crate::charts::sparkline;
use crate::html::{close_table, empty, esc, open_section, open_table, para, row};
use crate::lang::{fill, Lang};
use crate::read::TrendsSection;
use edupulse_core::trends::step::MetricAnomaly;
use edupulse_core::trends::{Decision, KeywordTrend};
use std::fmt::Write as _;

/// Append the trends, related-queries and metric-anomaly sections.
pub fn render(h: &mut String, s: &TrendsSection, lang: Lang) {
    keywords(h, s, lang);
    related(h, s, lang);
    metrics(h, s, lang);
}

fn keywords(h: &mut String, s: &TrendsSection, lang: Lang) {
    let l = lang.labels();
    open_section(h, "trends", l.trends_title);
    if s.keywords.is_empty() {
        empty(h, l.trends_empty);
        h.push_str("</section>");
        return;
    }
    para(h, l.trends_intro);
    open_table(
        h,
        &[
            l.col_keyword,
            l.col_weekly_interest,
            l.col_decision,
            l.col_alert,
            l.col_vs_baseline,
            l.col_level_change,
            l.col_slope,
            l.col_p_value,
            l.col_robust_z,
        ],
        4,
    );
    for t in &s.keywords {
        let growth = t
            .growth
            .map_or_else(|| l.none.to_string(), |g| lang.signed_pct(g, 0));
        let alert = match (t.alert, &t.episode) {
            (Some(sev), Some(e)) => format!("{} ({e})", lang.severity(sev)),
            (Some(sev), None) => lang.severity(sev).to_string(),
            _ => l.none.to_string(),
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            esc(&t.keyword),
            keyword_sparkline(t, lang),
            esc(lang.decision(t.decision)),
            esc(&alert)
        );
        for cell in [
            growth,
            lang.signed_pct(t.level_change, 0),
            lang.signed_pct(t.slope_per_week, 1),
            lang.num(t.p_value, 3),
            lang.num(t.robust_z, 1),
        ] {
            let _ = write!(h, "<td class=\"num\">{}</td>", esc(&cell));
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table></section>");
}

fn related(h: &mut String, s: &TrendsSection, lang: Lang) {
    let l = lang.labels();
    open_section(h, "related", l.related_title);
    para(h, l.related_intro);
    if s.emerging.is_empty() {
        empty(h, l.related_empty);
        h.push_str("</section>");
        return;
    }
    open_table(
        h,
        &[
            l.col_keyword,
            l.col_related,
            l.col_class,
            l.col_report_date,
            l.col_growth,
        ],
        4,
    );
    for q in &s.emerging {
        row(
            h,
            &[
                q.keyword.clone(),
                q.related.clone(),
                lang.emergence(q.class).to_string(),
                lang.date(q.date),
                q.growth_pct.map_or_else(
                    || l.growth_over.to_string(),
                    |g| format!("+{}", lang.percent(g, 0)),
                ),
            ],
            4,
        );
    }
    close_table(h);
    h.push_str("</section>");
}

fn metrics(h: &mut String, s: &TrendsSection, lang: Lang) {
    let l = lang.labels();
    open_section(h, "metrics", l.metrics_title);
    if s.metrics.is_empty() {
        empty(h, l.metrics_empty);
        h.push_str("</section>");
        return;
    }
    para(h, l.metrics_intro);
    open_table(
        h,
        &[
            l.col_metric,
            l.col_recent_points,
            l.col_last_point,
            l.col_severity,
            l.col_unusual_since,
            l.col_value,
            l.col_z,
        ],
        5,
    );
    for m in &s.metrics {
        let value = if m.value.fract() == 0.0 {
            lang.num(m.value, 0)
        } else {
            lang.num(m.value, 3)
        };
        let sev = m.severity.map_or(l.none, |v| lang.severity(v));
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"sev-{}\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&lang.metric(&m.metric)),
            metric_sparkline(m, lang),
            lang.date(m.last_date),
            m.severity.map_or("none", |v| v.as_str()),
            esc(sev),
            m.episode.map_or_else(|| l.none.to_string(), |d| lang.date(d)),
            esc(&value),
            esc(&format!("{}{}", if m.z > 0.0 { "+" } else { "" }, lang.num(m.z, 1))),
        );
    }
    h.push_str("</tbody></table></section>");
}

/// A keyword's weekly series with its change points as red dashed lines.
fn keyword_sparkline(t: &KeywordTrend, lang: Lang) -> String {
    let colour = match t.decision {
        Decision::Rising => "#1a7f37",
        Decision::Falling => "#b42318",
        _ => "#555",
    };
    let (n, hgt) = (t.weekly.len(), 36.0);
    sparkline(&t.weekly, 220.0, hgt, colour, |x, _| {
        let mut s = String::new();
        let Some(start) = t.weekly_start else {
            return s;
        };
        for cp in &t.change_points {
            let i = (*cp - start).num_days() / 7;
            if i >= 0 && (i as usize) < n {
                let xi = x(i as usize);
                let _ = write!(
                    s,
                    "<line x1=\"{xi:.1}\" x2=\"{xi:.1}\" y1=\"0\" y2=\"{hgt}\" stroke=\"#d92d20\" stroke-width=\"1\" stroke-dasharray=\"2,2\"><title>{}</title></line>",
                    esc(&fill(lang.labels().change_point, &[&lang.date(*cp)]))
                );
            }
        }
        s
    })
}

/// A metric's recent points, unusual ones (|z| > 1.5) as red dots.
fn metric_sparkline(m: &MetricAnomaly, lang: Lang) -> String {
    let v = &m.history_values;
    sparkline(v, 260.0, 40.0, "#555", |x, y| {
        let mut s = String::new();
        for (i, (val, z)) in v.iter().zip(&m.history_z).enumerate() {
            if z.is_finite() && val.is_finite() && z.abs() > 1.5 {
                let r = if z.abs() > 3.0 { 3.0 } else { 2.2 };
                let date = m
                    .history_dates
                    .get(i)
                    .map_or_else(String::new, |d| lang.date(*d));
                let _ = write!(
                    s,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{r}\" fill=\"#d92d20\"><title>{}: {} (z {})</title></circle>",
                    x(i),
                    y(*val),
                    esc(&date),
                    esc(&lang.num(*val, 3)),
                    esc(&lang.num(*z, 1))
                );
            }
        }
        s
    })
}
