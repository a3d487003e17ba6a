//! Feedback: what the latest webinars achieved (funnel, engagement, conversions, rating,
//! sentiment, distinctive terms, the 30 % attendance floor) and the people worth asking for a
//! testimonial, from `webinar_outcomes` and `testimonial_candidates`. Each webinar's title
//! links to its page (`webinars/<file>.html`, see [`crate::webinar`]) when it has one.

use crate::html::{close_table, esc, h3, open_section, open_table, para, row, small};
use crate::lang::{fill, Lang};
use crate::read::FeedbackSection;
use crate::webinar;
use std::collections::HashSet;
use std::fmt::Write as _;

/// Webinars listed (the latest; the rest are in `webinar_outcomes`).
const WEBINAR_ROWS: usize = 20;
/// Testimonial candidates listed.
const TESTIMONIAL_ROWS: usize = 15;

fn opt_pct(lang: Lang, x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |x| lang.pct(x, 0))
}

/// Append the feedback section. A run without ended webinars gets no section.
pub fn render(h: &mut String, s: &FeedbackSection, lang: Lang) {
    let l = lang.labels();
    if s.outcomes.is_empty() {
        return;
    }
    open_section(h, "feedback", l.fb_title);
    let below = s.outcomes.iter().filter(|r| r.below_floor).count();
    let (mut rating, mut rated) = (0.0, 0u64);
    for r in &s.outcomes {
        if let Some(m) = r.mean_rating {
            rating += m * r.ratings as f64;
            rated += r.ratings;
        }
    }
    let mean_rating = (rated > 0).then(|| rating / rated as f64);
    para(
        h,
        &fill(
            l.fb_summary,
            &[
                &lang.int(s.outcomes.len() as u64),
                &lang.int(below as u64),
                &lang.opt_num(mean_rating, 2),
                &lang.int(rated),
                &lang.int(s.testimonials.len() as u64),
            ],
        ),
    );
    h3(h, l.fb_webinars);
    open_table(
        h,
        &[
            l.fb_col_webinar,
            l.fb_col_terms,
            l.fb_col_date,
            l.fb_col_registrations,
            l.fb_col_attendance,
            l.fb_col_watch,
            l.fb_col_conversions,
            l.fb_col_rating,
            l.fb_col_positive,
            l.fb_col_negative,
        ],
        2,
    );
    let mut latest: Vec<_> = s.outcomes.iter().collect();
    latest.sort_by(|a, b| {
        b.starts_at
            .cmp(&a.starts_at)
            .then(a.webinar_id.cmp(&b.webinar_id))
    });
    let paged: HashSet<&str> = webinar::paged(s)
        .into_iter()
        .map(|w| w.webinar_id.as_str())
        .collect();
    for r in latest.iter().take(WEBINAR_ROWS) {
        let attendance = opt_pct(lang, r.attendance_rate);
        // The title cell links to the webinar's page; the other cells as `row` writes them.
        let mut cells = String::new();
        row(
            &mut cells,
            &[
                String::new(),
                r.top_terms.join(", "),
                lang.datetime(r.starts_at),
                lang.int(r.registrations),
                if r.below_floor {
                    format!("{attendance} ⚠")
                } else {
                    attendance
                },
                opt_pct(lang, r.mean_watch_share),
                lang.int(r.conversions),
                lang.opt_num(r.mean_rating, 1),
                opt_pct(lang, r.positive_share),
                opt_pct(lang, r.negative_share),
            ],
            2,
        );
        let title = if paged.contains(r.webinar_id.as_str()) {
            format!(
                "<td><a href=\"{}/{}\">{}</a></td>",
                webinar::DIR,
                webinar::file_name(&r.webinar_id),
                esc(&r.title)
            )
        } else {
            format!("<td>{}</td>", esc(&r.title))
        };
        let _ = write!(h, "{}", cells.replacen("<td></td>", &title, 1));
    }
    close_table(h);
    small(h, l.fb_floor_note);
    small(
        h,
        &fill(l.fb_page_link, &[&lang.int(webinar::MAX_PAGES as u64)]),
    );
    // Paged webinars beyond the table's rows: a list of links, so every page is reachable.
    let more: Vec<_> = webinar::paged(s).into_iter().skip(WEBINAR_ROWS).collect();
    if !more.is_empty() {
        let _ = write!(h, "<p class=\"small\">{}", esc(l.fb_more_pages));
        for (i, w) in more.iter().enumerate() {
            let _ = write!(
                h,
                "{} <a href=\"{}/{}\">{}</a>",
                if i == 0 { "" } else { " ·" },
                webinar::DIR,
                webinar::file_name(&w.webinar_id),
                esc(&w.title)
            );
        }
        h.push_str("</p>");
    }
    if latest.len() > WEBINAR_ROWS {
        small(
            h,
            &fill(
                l.fb_more,
                &[&lang.int((latest.len() - WEBINAR_ROWS) as u64)],
            ),
        );
    }
    if !s.testimonials.is_empty() {
        h3(h, l.fb_testimonials);
        open_table(
            h,
            &[
                l.fb_col_person,
                l.fb_col_quote,
                l.fb_col_reason,
                l.fb_col_rating,
            ],
            3,
        );
        let mut best: Vec<_> = s.testimonials.iter().collect();
        best.sort_by(|a, b| {
            b.qualified_at
                .cmp(&a.qualified_at)
                .then(a.person_id.cmp(&b.person_id))
        });
        for t in best.iter().take(TESTIMONIAL_ROWS) {
            row(
                h,
                &[
                    t.person_id.clone(),
                    t.text.clone(),
                    lang.testimonial_reason(&t.reason),
                    lang.int(u64::from(t.rating)),
                ],
                3,
            );
        }
        close_table(h);
    }
}
