//! KPI tiles, the registration → attendance → conversion funnel, the scorecard against the
//! targets (with likely causes of each miss), attendance by weekday × hour and revenue by month.

use crate::charts::{bar_chart, column_chart, weekday_hour_heatmap, HeatCell};
use crate::html::{close_table, empty, esc, h3, open_section, open_table, row};
use crate::lang::{fill, Lang};
use crate::read::KpiSection;
use std::fmt::Write as _;

/// Append the KPI sections (tiles and funnel; slots; revenue).
pub fn render(h: &mut String, s: &KpiSection, lang: Lang) {
    let l = lang.labels();
    open_section(h, "kpis", l.funnel_title);
    if s.summary.is_none() && s.funnel.is_empty() {
        empty(h, l.kpis_empty);
    }
    tiles(h, s, lang);
    funnel(h, s, lang);
    h.push_str("</section>");

    open_section(h, "scorecard", l.scorecard_title);
    scorecard(h, s, lang);
    h.push_str("</section>");

    open_section(h, "slots", l.slots_title);
    if s.slots.is_empty() {
        empty(h, l.slots_empty);
    } else {
        slots(h, s, lang);
    }
    h.push_str("</section>");

    open_section(h, "revenue", l.revenue_title);
    if s.revenue.is_empty() {
        empty(h, l.revenue_empty);
    } else {
        let cols: Vec<(String, f64)> = s
            .revenue
            .iter()
            .map(|m| (m.month.clone(), m.revenue))
            .collect();
        h.push_str(&column_chart(&cols, lang));
    }
    h.push_str("</section>");
}

fn tiles(h: &mut String, s: &KpiSection, lang: Lang) {
    let Some(k) = &s.summary else {
        return;
    };
    let l = lang.labels();
    let opt_pct = |x: Option<f64>| x.map_or_else(|| l.none.to_string(), |x| lang.pct(x, 1));
    let revenue = s.revenue.last().map_or_else(
        || l.none.to_string(),
        |m| format!("{} ({})", lang.num(m.revenue, 0), m.month),
    );
    let tiles = [
        (l.tile_students, lang.int(k.students)),
        (l.tile_active_7d, lang.int(k.active_students_7d)),
        (l.tile_active_30d, lang.int(k.active_students_30d)),
        (l.tile_completion, lang.pct(k.completion_rate, 1)),
        (l.tile_attendance_30d, opt_pct(k.attendance_rate_last_30d)),
        (l.tile_revenue_last_month, revenue),
    ];
    h.push_str("<div class=\"tiles\">");
    for (label, value) in tiles {
        let _ = write!(
            h,
            "<div class=\"tile\"><div class=\"v\">{}</div><div class=\"l\">{}</div></div>",
            esc(&value),
            esc(label)
        );
    }
    h.push_str("</div>");
}

fn funnel(h: &mut String, s: &KpiSection, lang: Lang) {
    let l = lang.labels();
    if let Some(all) = s.funnel.iter().find(|f| f.dimension == "all") {
        let bars = [
            (l.funnel_registered.to_string(), all.registrations as f64),
            (l.funnel_attended.to_string(), all.attended as f64),
            (l.funnel_converted.to_string(), all.converted as f64),
        ];
        h.push_str(&bar_chart(&bars, |v| lang.num(v, 0)));
    }
    for dim in ["industry", "role", "company_size"] {
        let rows: Vec<(String, f64)> = s
            .funnel
            .iter()
            .filter(|f| f.dimension == dim)
            .map(|f| (f.segment.clone(), f.attendance_rate))
            .collect();
        if rows.is_empty() {
            continue;
        }
        h3(h, &fill(l.funnel_rate_by, &[&lang.dimension(dim)]));
        h.push_str(&bar_chart(&rows, |v| lang.pct(v, 1)));
    }
    if s.funnel.is_empty() {
        return;
    }
    open_table(
        h,
        &[
            l.col_dimension,
            l.col_segment,
            l.col_registered,
            l.col_attended,
            l.col_converted,
            l.col_attendance,
            l.col_conversion,
        ],
        2,
    );
    for f in &s.funnel {
        let segment = if f.segment == "all" {
            l.dim_all.to_string()
        } else {
            f.segment.clone()
        };
        row(
            h,
            &[
                lang.dimension(&f.dimension),
                segment,
                lang.int(f.registrations),
                lang.int(f.attended),
                lang.int(f.converted),
                lang.pct(f.attendance_rate, 1),
                lang.pct(f.conversion_rate, 1),
            ],
            2,
        );
    }
    close_table(h);
}

fn slots(h: &mut String, s: &KpiSection, lang: Lang) {
    let l = lang.labels();
    let mut hours: Vec<u32> = s.slots.iter().map(|r| r.hour).collect();
    hours.sort_unstable();
    hours.dedup();
    let mut days: Vec<u32> = s.slots.iter().map(|r| r.weekday).collect();
    days.sort_unstable();
    days.dedup();
    let rows: Vec<String> = days.iter().map(|d| lang.weekday(*d).to_string()).collect();
    h.push_str(&weekday_hour_heatmap(&rows, &hours, 28.0, |i, hour| {
        let d = days.get(i)?;
        let slot = s.slots.iter().find(|r| r.weekday == *d && r.hour == hour)?;
        Some(HeatCell {
            value: slot.attendance_rate,
            title: fill(
                l.slots_cell,
                &[
                    lang.weekday(*d),
                    &format!("{hour:02}"),
                    &lang.pct(slot.attendance_rate, 1),
                    &lang.int(slot.registrations),
                    &lang.int(slot.webinars),
                ],
            ),
            label: lang.num(slot.attendance_rate * 100.0, 0),
        })
    }));
}

/// The scorecard table: every KPI of the window with its value, the previous window's, the
/// target, the status and, when at risk or missed, the likely causes and where to look.
fn scorecard(h: &mut String, s: &KpiSection, lang: Lang) {
    use crate::weekly::{kpi_causes, kpi_name, status, value};
    let l = lang.labels();
    let Some(first) = s.scorecard.first() else {
        empty(h, l.scorecard_empty);
        return;
    };
    let days = (first.window_end - first.window_start)
        .num_days()
        .to_string();
    let end = lang.date(first.window_end.date_naive());
    let _ = write!(
        h,
        "<p>{}</p>",
        esc(&fill(l.scorecard_window, &[&days, &end, &days]))
    );
    open_table(
        h,
        &[
            l.col_kpi,
            l.col_status,
            l.col_causes,
            l.col_see,
            l.col_value,
            l.col_kpi_previous,
            l.col_kpi_target,
        ],
        4,
    );
    for r in &s.scorecard {
        let causes = if r.causes.is_empty() {
            String::new()
        } else {
            kpi_causes(lang, &r.kpi, &r.causes)
        };
        row(
            h,
            &[
                kpi_name(lang, &r.kpi).to_string(),
                status(lang, &r.status).to_string(),
                causes,
                r.see.clone(),
                value(lang, &r.unit, r.value),
                value(lang, &r.unit, r.previous),
                value(lang, &r.unit, r.target),
            ],
            4,
        );
    }
    close_table(h);
}
