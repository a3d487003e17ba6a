//! Leads: grade distribution, conversion by grade, which scorer was used and why, and the hot
//! list with its factors.

use crate::charts::bar_chart;
use crate::html::{close_table, empty, esc, h3, open_section, open_table, row};
use crate::lang::{fill, Lang};
use crate::read::LeadsSection;

/// Append the leads section.
pub fn render(h: &mut String, s: &LeadsSection, lang: Lang) {
    let l = lang.labels();
    open_section(h, "leads", l.leads_title);
    if s.total == 0 {
        empty(h, l.leads_empty);
        h.push_str("</section>");
        return;
    }
    h3(h, &fill(l.leads_grades, &[&lang.int(s.total as u64)]));
    let grades: Vec<(String, f64)> = s
        .grades
        .iter()
        .map(|g| (lang.grade(g.grade).to_string(), g.leads as f64))
        .collect();
    h.push_str(&bar_chart(&grades, |v| lang.num(v, 0)));

    h3(h, l.leads_conversion);
    let conversion: Vec<(String, f64)> = s
        .grades
        .iter()
        .map(|g| (lang.grade(g.grade).to_string(), g.conversion()))
        .collect();
    h.push_str(&bar_chart(&conversion, |v| lang.pct(v, 1)));

    let (used, why) = match &s.model {
        Some(m) => (
            lang.scorer(&m.used),
            m.reason
                .clone()
                .unwrap_or_else(|| l.leads_scorer_no_reason.to_string()),
        ),
        None => (lang.scorer("rules"), l.leads_scorer_no_reason.to_string()),
    };
    // The template holds markup (<b>); only the filled-in values are escaped.
    h.push_str("<p>");
    h.push_str(&fill(l.leads_scorer, &[&esc(&used), &esc(&why)]));
    h.push_str("</p>");

    h3(h, l.leads_hot);
    if s.hot.is_empty() {
        empty(h, l.leads_no_hot);
        h.push_str("</section>");
        return;
    }
    open_table(
        h,
        &[
            l.col_lead,
            l.col_source,
            l.col_hot_since,
            l.col_track,
            l.col_top_factors,
            l.col_engagement,
            l.col_score,
        ],
        5,
    );
    for r in &s.hot {
        let factors: Vec<String> = r
            .factors
            .iter()
            .map(|f| format!("{} = {}", f.column, lang.factor_value(&f.value)))
            .collect();
        row(
            h,
            &[
                r.lead_id.clone(),
                r.source.clone(),
                r.hot_since
                    .map_or_else(|| l.none.to_string(), |t| lang.datetime(t)),
                lang.track(r.track).to_string(),
                factors.join("; "),
                lang.num(r.engagement, 1),
                lang.num(r.score, 0),
            ],
            5,
        );
    }
    close_table(h);
    h.push_str("</section>");
}
