//! Spaced repetition: the summary, the workload forecast, retention by concept and the stuck
//! concepts.

use crate::charts::{bar_chart, column_chart};
use crate::html::{close_table, empty, h3, open_section, open_table, para, row};
use crate::lang::{fill, Lang};
use crate::read::RepetitionSection;

/// Bars of the "retention by concept" chart.
const LOWEST_RETENTION: usize = 15;

/// Append the spaced-repetition section.
pub fn render(h: &mut String, s: &RepetitionSection, lang: Lang) {
    let l = lang.labels();
    open_section(h, "repetition", l.rep_title);
    if s.summary.is_none() && s.forecast.is_empty() && s.concepts.is_empty() {
        empty(h, l.rep_empty);
        h.push_str("</section>");
        return;
    }
    let stuck: Vec<_> = s.concepts.iter().filter(|c| c.stuck).collect();
    if let Some(k) = &s.summary {
        para(
            h,
            &fill(
                l.rep_summary,
                &[
                    &lang.int(k.learners),
                    &lang.int(k.cards),
                    &lang.int(k.due_now),
                    &lang.pct(k.mean_retention, 1),
                    &lang.int(k.stuck_concepts),
                    &lang.int(k.stuck_learners),
                ],
            ),
        );
    }
    if !s.forecast.is_empty() {
        h3(h, l.rep_forecast);
        let cols: Vec<(String, f64)> = s
            .forecast
            .iter()
            .map(|f| (f.date.format("%m-%d").to_string(), f64::from(f.due)))
            .collect();
        h.push_str(&column_chart(&cols, lang));
    }
    if !s.concepts.is_empty() {
        h3(h, l.rep_retention);
        let bars: Vec<(String, f64)> = s
            .concepts
            .iter()
            .take(LOWEST_RETENTION)
            .map(|c| (c.card_id.clone(), c.mean_retention))
            .collect();
        h.push_str(&bar_chart(&bars, |x| lang.pct(x, 0)));
    }
    if !stuck.is_empty() {
        h3(h, l.rep_stuck);
        open_table(
            h,
            &[
                l.col_concept,
                l.col_learners,
                l.col_stuck_learners,
                l.col_lapse_rate,
                l.col_difficulty,
                l.col_retention,
            ],
            1,
        );
        for c in stuck {
            row(
                h,
                &[
                    c.card_id.clone(),
                    lang.int(c.learners as u64),
                    lang.int(c.stuck_learners as u64),
                    lang.pct(c.lapse_rate, 0),
                    lang.num(c.mean_difficulty, 2),
                    lang.pct(c.mean_retention, 0),
                ],
                1,
            );
        }
        close_table(h);
    }
    h.push_str("</section>");
}
