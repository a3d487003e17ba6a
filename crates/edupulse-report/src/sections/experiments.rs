//! Experiments: per experiment a forest plot of the lifts with their intervals, a table with
//! chance to win, risks, p-values, decision and reason, the SRM check, and the always-valid
//! p-value over the looks, with words saying what each number means.

use crate::charts::line_chart;
use crate::html::{close_table, empty, esc, h3, open_section, open_table, para, row, small};
use crate::lang::{fill, Lang};
use crate::read::ExperimentsSection;
use edupulse_core::experiments::{Decision, ExperimentResultRow};
use std::fmt::Write as _;

fn decision(lang: Lang, d: Decision) -> &'static str {
    match (lang, d) {
        (Lang::Es, Decision::Ship) => "lanzar",
        (Lang::Es, Decision::Stop) => "detener",
        (Lang::Es, _) => "seguir en marcha",
        (_, Decision::Ship) => "ship",
        (_, Decision::Stop) => "stop",
        (_, _) => "keep running",
    }
}

fn lift(lang: Lang, r: &ExperimentResultRow, x: Option<f64>) -> String {
    match x {
        Some(v) if r.difference == "relative" => lang.signed_pct(v, 1),
        Some(v) => lang.num(v, 4),
        None => lang.labels().none.to_string(),
    }
}

/// A forest plot: one line per variant from ci_low to ci_high with a dot at the lift, and the
/// zero line.
fn forest(rows: &[&ExperimentResultRow], lang: Lang) -> String {
    let (w, label_w, row_h, pad) = (720.0, 170.0, 26.0, 24.0);
    let h = rows.len() as f64 * row_h + 2.0 * pad;
    let vals: Vec<f64> = rows
        .iter()
        .flat_map(|r| [r.ci_low, r.ci_high, Some(0.0)])
        .flatten()
        .filter(|v| v.is_finite())
        .collect();
    let lo = vals.iter().copied().fold(0.0_f64, f64::min);
    let hi = vals.iter().copied().fold(0.0_f64, f64::max);
    let span = (hi - lo).max(1e-9) * 1.1;
    let (lo, plot_w) = (lo - 0.05 * span, w - label_w - 20.0);
    let x = |v: f64| label_w + (v - lo) / span * plot_w;
    let mut s = format!(
        "<svg viewBox=\"0 0 {w:.0} {h:.0}\" width=\"100%\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    let _ = write!(
        s,
        "<line x1=\"{x0:.1}\" x2=\"{x0:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#9aa5b1\" stroke-dasharray=\"4 3\"/>",
        pad / 2.0,
        h - pad / 2.0,
        x0 = x(0.0)
    );
    for (i, r) in rows.iter().enumerate() {
        let y = pad + (i as f64 + 0.5) * row_h;
        let colour = match r.decision {
            Decision::Ship => "#2f855a",
            Decision::Stop => "#c53030",
            _ => "#3e4c59",
        };
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            label_w - 8.0,
            y + 4.0,
            esc(&r.variant)
        );
        if let (Some(a), Some(b), Some(m)) = (r.ci_low, r.ci_high, r.lift) {
            let _ = write!(
                s,
                "<g><title>{} {} [{} ; {}]</title><line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"3\"/><circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"{colour}\"/></g>",
                esc(&r.variant),
                esc(&lift(lang, r, Some(m))),
                esc(&lift(lang, r, Some(a))),
                esc(&lift(lang, r, Some(b))),
                x(a),
                x(b),
                x(m)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Append the experiments section.
pub fn render(h: &mut String, s: &ExperimentsSection, lang: Lang) {
    let l = lang.labels();
    open_section(h, "experiments", l.exp_title);
    if s.rows.is_empty() {
        empty(h, l.exp_empty);
        h.push_str("</section>");
        return;
    }
    small(h, l.exp_explain);
    let mut ids: Vec<&str> = s.rows.iter().map(|r| r.experiment_id.as_str()).collect();
    ids.dedup();
    for id in ids {
        let rows: Vec<&ExperimentResultRow> =
            s.rows.iter().filter(|r| r.experiment_id == id).collect();
        let Some(first) = rows.first() else { continue };
        h3(
            h,
            &fill(
                l.exp_heading,
                &[id, &first.kind, &first.metric, &first.control_variant],
            ),
        );
        para(
            h,
            &fill(l.exp_decision, &[decision(lang, first.experiment_decision)]),
        );
        let srm = lang.num(first.srm_p_value, 4);
        if first.srm_p_value < 0.001 {
            let _ = write!(
                h,
                "<p class=\"warn\">{}</p>",
                esc(&fill(l.exp_srm_bad, &[&srm]))
            );
        } else {
            para(h, &fill(l.exp_srm_ok, &[&srm]));
        }
        if first.multi_variant_units > 0 {
            small(
                h,
                &fill(l.exp_multi, &[&lang.int(first.multi_variant_units)]),
            );
        }
        small(h, l.exp_forest);
        h.push_str(&forest(&rows, lang));
        open_table(
            h,
            &[
                l.col_variant,
                l.col_units,
                l.col_control_units,
                l.col_rate,
                l.col_lift,
                l.col_exp_interval,
                l.col_chance,
                l.col_risk,
                l.col_p_valid,
                l.col_p_ttest,
                l.col_decision,
                l.col_reason,
            ],
            1,
        );
        for r in &rows {
            let rate = |m: Option<f64>| {
                m.map_or_else(
                    || l.none.to_string(),
                    |v| {
                        if r.metric == "revenue" {
                            lang.num(v, 2)
                        } else {
                            lang.pct(v, 1)
                        }
                    },
                )
            };
            row(
                h,
                &[
                    r.variant.clone(),
                    lang.int(r.units),
                    lang.int(r.control_units),
                    format!("{} / {}", rate(r.mean), rate(r.control_mean)),
                    lift(lang, r, r.lift),
                    format!("{} … {}", lift(lang, r, r.ci_low), lift(lang, r, r.ci_high)),
                    r.chance_to_win
                        .map_or_else(|| l.none.to_string(), |c| lang.pct(c, 1)),
                    format!(
                        "{} / {}",
                        lift(lang, r, r.risk_control),
                        lift(lang, r, r.risk_treatment)
                    ),
                    lang.opt_num(r.p_value_adjusted, 4),
                    lang.opt_num(r.ttest_p_value, 4),
                    decision(lang, r.decision).to_string(),
                    match lang {
                        Lang::Es => r.reason_es.clone(),
                        _ => r.reason.clone(),
                    },
                ],
                1,
            );
        }
        close_table(h);
        let series: Vec<(String, Vec<f64>)> = rows
            .iter()
            .map(|r| {
                (
                    r.variant.clone(),
                    s.looks
                        .iter()
                        .filter(|k| k.experiment_id == id && k.variant == r.variant)
                        .map(|k| k.msprt_p_value)
                        .collect(),
                )
            })
            .filter(|(_, v): &(String, Vec<f64>)| !v.is_empty())
            .collect();
        if !series.is_empty() {
            small(h, l.exp_seq);
            h.push_str(&line_chart(&series, l.exp_day));
        }
    }
    h.push_str("</section>");
}
