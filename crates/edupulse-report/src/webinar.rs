//! The per-webinar page (`webinars/<file>.html` beside `report.html`): one ended webinar's
//! funnel (registrations → attendees → purchases within the conversion window), engagement
//! (watch share; questions, polls and chat per attendee; rating and sentiment), a chart of
//! messages and sentiment per minute, its most positive and negative comments, what was asked
//! most, its distinctive terms and the attendance-floor ⚠ — all from the run's
//! `webinar_outcomes`, `webinar_timeline` and `webinar_comments` rows. Self-contained like the
//! report (inline CSS and SVG, no script, no network), in Spanish or English.
//!
//! Pages are written for the [`MAX_PAGES`] latest ended webinars of the run (by start, ties by
//! id), so a store with 10,000 webinars writes 50 files per run, not 10,000; the others stay in
//! the result tables. A page's file name is [`file_name`] of the webinar id: safe for any id.

use crate::charts::{minute_chart, MinutePoint};
use crate::html::{close_table, empty, esc, h3, open_section, open_table, para, row, small, CSS};
use crate::lang::{fill, Lang};
use crate::read::{FeedbackSection, Report};
use edupulse_core::feedback::WebinarOutcomeRow;
use std::fmt::Write as _;

/// Pages written per run: the latest ended webinars.
pub const MAX_PAGES: usize = 50;
/// The folder of the pages, beside `report.html`.
pub const DIR: &str = "webinars";
/// Longest encoded id kept whole in a file name (longer ones are cut and get a hash).
const MAX_NAME: usize = 150;

/// The file name of a webinar's page: the id with every character other than an ASCII letter,
/// digit or `-` written as `_` and its UTF-8 bytes in hex (`a b/c` → `a_20b_2Fc.html`; `_`
/// itself is `_5F`), so distinct ids never share a file and no id can leave the folder. An
/// encoding longer than 150 characters is cut there and followed by `~` and a 64-bit FNV-1a
/// hash of the id. (On a case-insensitive file system ids that differ only in case share a
/// page.)
///
/// ```
/// use edupulse_report::webinar::file_name;
/// assert_eq!(file_name("w-12"), "w-12.html");
/// assert_eq!(file_name("a b/../c"), "a_20b_2F_2E_2E_2Fc.html");
/// assert_eq!(file_name("Álgebra"), "_C3_81lgebra.html");
/// ```
pub fn file_name(webinar_id: &str) -> String {
    let mut name = String::with_capacity(webinar_id.len() + 8);
    for c in webinar_id.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            name.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(name, "_{b:02X}");
            }
        }
    }
    if name.is_empty() {
        name.push('_');
    }
    if name.len() > MAX_NAME {
        // Every character of `name` is ASCII: any byte index is a boundary.
        name.truncate(MAX_NAME);
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in webinar_id.bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        let _ = write!(name, "~{hash:016x}");
    }
    name.push_str(".html");
    name
}

/// The webinars that get a page: the [`MAX_PAGES`] latest ended ones of the run, latest first
/// (ties by id).
pub fn paged(s: &FeedbackSection) -> Vec<&WebinarOutcomeRow> {
    let mut latest: Vec<&WebinarOutcomeRow> = s.outcomes.iter().collect();
    latest.sort_by(|a, b| {
        b.starts_at
            .cmp(&a.starts_at)
            .then(a.webinar_id.cmp(&b.webinar_id))
    });
    latest.truncate(MAX_PAGES);
    latest
}

fn opt_pct(lang: Lang, x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), |x| lang.pct(x, 0))
}

/// A signed score: `+0,42` / `-0.30`.
fn signed(lang: Lang, x: f64) -> String {
    let v = lang.num(x, 2);
    if x >= 0.005 {
        format!("+{v}")
    } else {
        v
    }
}

fn tiles(h: &mut String, tiles: &[(&str, String)]) {
    h.push_str("<div class=\"tiles\">");
    for (label, value) in tiles {
        let _ = write!(
            h,
            "<div class=\"tile\"><div class=\"v\">{}</div><div class=\"l\">{}</div></div>",
            esc(value),
            esc(label)
        );
    }
    h.push_str("</div>");
}

/// The page of webinar `w` of `report` in `lang` (see the module doc).
pub fn page(report: &Report, w: &WebinarOutcomeRow, lang: Lang) -> String {
    let l = lang.labels();
    let s = &report.feedback;
    let clock = &report.timezone;
    let local = |t| clock.local(t);
    let start = local(w.starts_at);
    let mut h = String::with_capacity(32 * 1024);
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><style>{CSS}</style></head><body>\
         <header><p><a href=\"../report.html\" style=\"color:#fff\">{back}</a></p><h1>{name}</h1><p>{when}</p></header><main>",
        code = lang.code(),
        title = esc(&fill(l.wp_title, &[&w.title])),
        back = esc(l.wp_back),
        name = esc(&w.title),
        when = esc(&fill(
            l.wp_when,
            &[
                &format!(
                    "{} {}",
                    lang.weekday(chrono::Datelike::weekday(&start).num_days_from_monday()),
                    start.format("%Y-%m-%d %H:%M")
                ),
                &local(w.ended_at).format("%H:%M").to_string(),
                clock.name(),
                &w.topic,
            ],
        )),
    );
    if w.below_floor {
        // The floor the run used, from its summary (a run written before it was recorded: none).
        let rate = opt_pct(lang, w.attendance_rate);
        let text = match s.attendance_floor {
            Some(floor) => fill(l.wp_below_floor, &[&rate, &lang.pct(floor, 0)]),
            None => fill(l.wp_below_floor_unknown, &[&rate]),
        };
        let _ = write!(h, "<p class=\"warn\">{}</p>", esc(&text));
    }

    open_section(&mut h, "funnel", l.wp_funnel);
    let bought = match s.conversion_window_days {
        Some(d) => fill(l.wp_conversions_days, &[&lang.int(u64::from(d))]),
        None => l.wp_conversions.to_string(),
    };
    let attendance = format!(
        "{} ({})",
        lang.int(w.attendees),
        opt_pct(lang, w.attendance_rate)
    );
    tiles(
        &mut h,
        &[
            (l.wp_registrations, lang.int(w.registrations)),
            (
                l.wp_attendees,
                if w.below_floor {
                    format!("{attendance} ⚠")
                } else {
                    attendance
                },
            ),
            (
                &bought,
                format!(
                    "{} ({})",
                    lang.int(w.conversions),
                    opt_pct(lang, w.conversion_rate)
                ),
            ),
            (l.wp_revenue, lang.num(w.revenue, 0)),
        ],
    );
    let funnel = [
        (l.wp_registrations.to_string(), w.registrations as f64),
        (l.wp_attendees.to_string(), w.attendees as f64),
        (bought.clone(), w.conversions as f64),
    ];
    h.push_str(&crate::charts::bar_chart(&funnel, |v| lang.num(v, 0)));
    if !w.window_closed {
        small(&mut h, l.wp_window_open);
    }
    h.push_str("</section>");

    open_section(&mut h, "engagement", l.wp_engagement);
    tiles(
        &mut h,
        &[
            (l.wp_watch, opt_pct(lang, w.mean_watch_share)),
            (l.wp_questions, lang.opt_num(w.questions_per_attendee, 2)),
            (l.wp_polls, lang.opt_num(w.polls_per_attendee, 2)),
            (l.wp_chat, lang.opt_num(w.chat_per_attendee, 2)),
            (
                l.wp_rating,
                format!(
                    "{} ({})",
                    lang.opt_num(w.mean_rating, 2),
                    lang.int(w.ratings)
                ),
            ),
        ],
    );
    para(
        &mut h,
        &fill(
            l.wp_feedback_counts,
            &[
                &lang.int(w.feedback),
                &opt_pct(lang, w.positive_share),
                &opt_pct(lang, w.negative_share),
                &w.mean_sentiment
                    .map_or_else(|| "–".to_string(), |x| signed(lang, x)),
            ],
        ),
    );
    h3(&mut h, l.wp_timeline);
    let minutes = s.timeline_of(&w.webinar_id);
    if minutes.is_empty() {
        empty(&mut h, l.wp_timeline_empty);
    } else {
        let points: Vec<MinutePoint> = minutes
            .iter()
            .map(|m| MinutePoint {
                minute: m.minute,
                messages: f64::from(m.messages),
                sentiment: Some(m.mean_sentiment),
                title: fill(
                    l.wp_minute_title,
                    &[
                        &m.minute.to_string(),
                        &lang.int(u64::from(m.messages)),
                        &lang.int(u64::from(m.questions)),
                        &signed(lang, m.mean_sentiment),
                    ],
                ),
            })
            .collect();
        // The whole session, and any minute with messages before or after it.
        let duration = (w.ended_at - w.starts_at).num_minutes();
        let span = (0, (duration - 1).max(0));
        h.push_str(&minute_chart(&points, span, l.wp_minutes_axis, lang));
        small(&mut h, l.wp_timeline_note);
    }
    h.push_str("</section>");

    open_section(&mut h, "comments", l.wp_positive);
    comment_table(&mut h, report, w, "positive", lang);
    h3(&mut h, l.wp_negative);
    comment_table(&mut h, report, w, "negative", lang);
    small(&mut h, l.wp_cut_note);
    h.push_str("</section>");

    let questions: Vec<_> = s.comments_of(&w.webinar_id, "question").collect();
    if !questions.is_empty() {
        open_section(&mut h, "questions", l.wp_questions_title);
        open_table(
            &mut h,
            &[l.wp_col_term, l.wp_col_example, l.wp_col_asked],
            2,
        );
        for q in questions {
            row(
                &mut h,
                &[
                    q.term.clone().unwrap_or_default(),
                    q.text.clone(),
                    lang.int(q.questions.unwrap_or(0)),
                ],
                2,
            );
        }
        close_table(&mut h);
        h.push_str("</section>");
    }

    open_section(&mut h, "terms", l.wp_terms);
    if w.top_terms.is_empty() {
        empty(&mut h, l.wp_terms_empty);
    } else {
        h.push_str("<table><tbody><tr>");
        for t in &w.top_terms {
            let _ = write!(h, "<td>{}</td>", esc(t));
        }
        h.push_str("</tr></tbody></table>");
    }
    h.push_str("</section></main></body></html>\n");
    h
}

/// The comments of `w` of `kind`; the time is `HH:MM` on the webinar's local day, else with
/// its date.
fn comment_table(h: &mut String, report: &Report, w: &WebinarOutcomeRow, kind: &str, lang: Lang) {
    let l = lang.labels();
    let day = report.timezone.date(w.starts_at);
    let rows: Vec<_> = report.feedback.comments_of(&w.webinar_id, kind).collect();
    if rows.is_empty() {
        empty(h, l.wp_comments_empty);
        return;
    }
    open_table(
        h,
        &[
            l.wp_col_comment,
            l.wp_col_source,
            l.wp_col_when,
            l.wp_col_score,
            l.wp_col_rating,
        ],
        3,
    );
    for r in rows {
        row(
            h,
            &[
                r.text.clone(),
                lang.feedback_source(&r.source),
                if report.timezone.date(r.at) == day {
                    report.timezone.local(r.at).format("%H:%M").to_string()
                } else {
                    report
                        .timezone
                        .local(r.at)
                        .format("%Y-%m-%d %H:%M")
                        .to_string()
                },
                signed(lang, r.score),
                r.rating
                    .map_or_else(|| "–".to_string(), |x| lang.int(u64::from(x))),
            ],
            3,
        );
    }
    close_table(h);
}
