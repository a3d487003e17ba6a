//! Demand: predicted attendance by weekday × hour per target segment with its best slots, the
//! planned webinars' forecasts, rescheduling suggestions and next month's calendar.

use crate::charts::{weekday_hour_heatmap, HeatCell};
use crate::html::{close_table, empty, h3, open_section, open_table, para, row, small};
use crate::lang::{fill, Lang};
use crate::read::DemandSection;
use edupulse_core::demand::rows::SlotHeatmapRow;

/// Append the demand section.
pub fn render(h: &mut String, s: &DemandSection, lang: Lang) {
    let l = lang.labels();
    open_section(h, "demand", l.demand_title);
    if s.heatmap.is_empty() && s.forecasts.is_empty() && s.calendar.is_empty() {
        empty(h, l.demand_empty);
        h.push_str("</section>");
        return;
    }
    if !s.heatmap.is_empty() {
        para(h, l.demand_intro);
    }
    for (target, cells) in s.heatmaps() {
        let topic = cells.first().map_or("", |c| c.topic.as_str());
        h3(h, &format!("{} · {topic}", lang.target(target)));
        h.push_str(&heatmap(&cells, lang));
        let best: Vec<String> = s
            .best
            .iter()
            .filter(|b| b.target == target)
            .map(|b| {
                format!(
                    "{} {:02}h — {} ({}–{})",
                    lang.weekday(b.weekday),
                    b.hour,
                    lang.num(b.attendees, 1),
                    lang.num(b.lower, 1),
                    lang.num(b.upper, 1)
                )
            })
            .collect();
        if !best.is_empty() {
            small(h, &format!("{} {}", l.demand_best, best.join(" · ")));
        }
    }
    forecasts(h, s, lang);
    reschedule(h, s, lang);
    calendar(h, s, lang);
    h.push_str("</section>");
}

fn heatmap(cells: &[&SlotHeatmapRow], lang: Lang) -> String {
    let l = lang.labels();
    let mut hours: Vec<u32> = cells.iter().map(|c| c.hour).collect();
    hours.sort_unstable();
    hours.dedup();
    let mut days: Vec<u32> = cells.iter().map(|c| c.weekday).collect();
    days.sort_unstable();
    days.dedup();
    let rows: Vec<String> = days.iter().map(|d| lang.weekday(*d).to_string()).collect();
    weekday_hour_heatmap(&rows, &hours, 26.0, |i, hour| {
        let d = *days.get(i)?;
        let c = cells.iter().find(|c| c.weekday == d && c.hour == hour)?;
        Some(HeatCell {
            value: c.attendees,
            title: fill(
                l.demand_cell,
                &[
                    lang.weekday(d),
                    &format!("{hour:02}"),
                    &lang.num(c.attendees, 1),
                    &lang.num(c.lower, 1),
                    &lang.num(c.upper, 1),
                    &lang.pct(c.rate, 1),
                ],
            ),
            label: lang.num(c.attendees, 1),
        })
    })
}

fn forecasts(h: &mut String, s: &DemandSection, lang: Lang) {
    if s.forecasts.is_empty() {
        return;
    }
    let l = lang.labels();
    h3(h, l.demand_forecasts);
    open_table(
        h,
        &[
            l.col_webinar,
            l.col_start,
            l.col_target,
            l.col_topic,
            l.col_predicted,
            l.col_interval,
        ],
        4,
    );
    for f in &s.forecasts {
        row(
            h,
            &[
                f.title.clone(),
                lang.datetime(f.starts_at),
                lang.target(&f.target),
                f.topic.clone(),
                lang.num(f.attendees, 1),
                format!("{}–{}", lang.num(f.lower, 1), lang.num(f.upper, 1)),
            ],
            4,
        );
    }
    close_table(h);
}

fn reschedule(h: &mut String, s: &DemandSection, lang: Lang) {
    let l = lang.labels();
    h3(h, l.demand_reschedule);
    if s.reschedule.is_empty() {
        empty(h, l.demand_no_reschedule);
        return;
    }
    open_table(
        h,
        &[
            l.col_webinar,
            l.col_planned,
            l.col_suggested,
            l.col_attendees,
            l.col_attendees,
            l.col_gain,
        ],
        3,
    );
    for r in &s.reschedule {
        row(
            h,
            &[
                r.title.clone(),
                lang.datetime(r.planned_at),
                lang.datetime(r.suggested_at),
                lang.num(r.planned_attendees, 1),
                lang.num(r.suggested_attendees, 1),
                lang.signed_pct(r.improvement_pct, 0),
            ],
            3,
        );
    }
    close_table(h);
}

fn calendar(h: &mut String, s: &DemandSection, lang: Lang) {
    if s.calendar.is_empty() {
        return;
    }
    let l = lang.labels();
    h3(h, l.demand_calendar);
    open_table(
        h,
        &[
            l.col_start,
            l.col_topic,
            l.col_target,
            l.col_predicted,
            l.col_trend_score,
        ],
        3,
    );
    for c in &s.calendar {
        row(
            h,
            &[
                lang.datetime(c.starts_at),
                c.topic.clone(),
                lang.target(&c.target),
                lang.num(c.attendees, 1),
                lang.num(c.trend_score, 2),
            ],
            3,
        );
    }
    close_table(h);
}
