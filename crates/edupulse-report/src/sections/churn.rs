//! Churn risk: the distribution of risk levels, who to contact, retention curves and matrix by
//! signup cohort, and lifetime value per cohort.

use crate::charts::{bar_chart, heat_colour, line_chart};
use crate::html::{close_table, empty, esc, h3, open_section, open_table, para};
use crate::lang::{fill, Lang};
use crate::read::ChurnSection;
use edupulse_core::churn::RiskLevel;
use std::fmt::Write as _;

/// Rows of the "who to contact" table.
const AT_RISK_ROWS: usize = 25;

/// Append the churn section.
pub fn render(h: &mut String, s: &ChurnSection, lang: Lang) {
    let l = lang.labels();
    open_section(h, "churn", l.churn_title);
    if let Some(m) = &s.model {
        for e in [&m.risk_error, &m.btyd_error].into_iter().flatten() {
            para(h, &fill(l.churn_model_error, &[e]));
        }
    }
    if s.scores.is_empty() && s.cohorts.is_empty() {
        empty(h, l.churn_empty);
        h.push_str("</section>");
        return;
    }
    if !s.scores.is_empty() {
        distribution(h, s, lang);
        at_risk(h, s, lang);
    }
    if !s.cohorts.is_empty() {
        cohorts(h, s, lang);
    }
    h.push_str("</section>");
}

fn distribution(h: &mut String, s: &ChurnSection, lang: Lang) {
    let l = lang.labels();
    let count = |level: RiskLevel| s.scores.iter().filter(|r| r.risk_level == level).count() as f64;
    h3(
        h,
        &fill(l.churn_distribution, &[&lang.int(s.scores.len() as u64)]),
    );
    let bars = [
        (
            format!("{} (> {})", lang.risk(RiskLevel::Alto), lang.num(0.7, 1)),
            count(RiskLevel::Alto),
        ),
        (
            format!("{} (> {})", lang.risk(RiskLevel::Medio), lang.num(0.4, 1)),
            count(RiskLevel::Medio),
        ),
        (
            lang.risk(RiskLevel::Bajo).to_string(),
            count(RiskLevel::Bajo),
        ),
    ];
    h.push_str(&bar_chart(&bars, |v| lang.num(v, 0)));
}

fn at_risk(h: &mut String, s: &ChurnSection, lang: Lang) {
    let l = lang.labels();
    h3(h, l.churn_at_risk);
    let at_risk: Vec<_> = s
        .scores
        .iter()
        .filter(|r| r.risk_level != RiskLevel::Bajo)
        .take(AT_RISK_ROWS)
        .collect();
    if at_risk.is_empty() {
        empty(h, l.churn_none_at_risk);
        return;
    }
    open_table(
        h,
        &[
            l.col_student,
            l.col_level,
            l.col_top_factors,
            l.col_intervention,
            l.col_p_churn,
            l.col_p_alive,
            l.col_clv,
        ],
        4,
    );
    for r in at_risk {
        let factors: Vec<String> = r
            .factors
            .iter()
            .map(|f| {
                format!(
                    "{} = {} (+{})",
                    f.factor.column,
                    lang.factor_value(&f.factor.value),
                    lang.num(f.factor.contribution, 2)
                )
            })
            .collect();
        crate::html::row(
            h,
            &[
                r.student_id.clone(),
                lang.risk(r.risk_level).to_string(),
                factors.join("; "),
                r.intervention
                    .map_or(l.none, |i| lang.intervention(i))
                    .to_string(),
                lang.pct(r.probability, 0),
                r.p_alive
                    .map_or_else(|| l.none.to_string(), |p| lang.pct(p, 0)),
                lang.opt_num(r.clv, 0),
            ],
            4,
        );
    }
    close_table(h);
}

fn cohorts(h: &mut String, s: &ChurnSection, lang: Lang) {
    let l = lang.labels();
    h3(h, l.churn_curves);
    let curves: Vec<(String, Vec<f64>)> = s
        .cohorts
        .iter()
        .map(|k| (k.cohort.clone(), k.km_survival.clone()))
        .collect();
    h.push_str(&line_chart(&curves, l.months_since_signup));

    h3(h, l.churn_matrix);
    let width = s
        .cohorts
        .iter()
        .map(|k| k.retention.len())
        .max()
        .unwrap_or(0);
    let months: Vec<String> = (0..width).map(|m| m.to_string()).collect();
    let mut headers: Vec<&str> = vec![l.col_cohort, l.col_students];
    headers.extend(months.iter().map(String::as_str));
    open_table(h, &headers, 1);
    for k in &s.cohorts {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td>",
            esc(&k.cohort),
            lang.int(k.students as u64)
        );
        for v in &k.retention {
            let (bg, fg) = heat_colour(*v);
            let _ = write!(
                h,
                "<td class=\"num\" style=\"background:{bg};color:{fg}\">{}</td>",
                lang.num(v * 100.0, 0)
            );
        }
        h.push_str("</tr>");
    }
    close_table(h);

    let ltv: Vec<(String, f64)> = s
        .cohorts
        .iter()
        .flat_map(|k| {
            let observed = (fill(l.ltv_observed, &[&k.cohort]), k.ltv_observed);
            let predicted = k
                .clv_predicted_per_student
                .map(|p| (fill(l.ltv_predicted, &[&k.cohort]), p));
            std::iter::once(observed).chain(predicted)
        })
        .collect();
    h3(h, l.churn_ltv);
    h.push_str(&bar_chart(&ltv, |v| lang.num(v, 0)));
}
