//! Zoom webinar reports: the registration report and the participants (or attendee) report →
//! `webinars` / `registrations`.
//!
//! Columns read (Zoom's names; extra columns ignored):
//! - registrants: `Email`, `Registration Time`; optional `First Name`, `Last Name`,
//!   `Approval Status` (`denied` / `cancelled` rows are not registrations), and the standard
//!   registration questions `Industry`, `Job Title`, `No. of Employees` (the segment; `unknown`
//!   when absent);
//! - participants: `User Email` (or `Email`), `Join Time`, `Leave Time`; optional
//!   `Name (Original Name)` / `User Name (Original Name)` and `Attended` (the attendee report's
//!   `No` rows have no session).
//!
//! A person (the e-mail, lower-cased; a participant without one: `name:<Name>`) attended when
//! they joined at all. Minutes watched are the length of the union of their sessions: rejoins
//! add up, overlapping sessions (two devices) count once. A leave time before its join time is
//! a named error. Participants who never registered (panelists, hosts) get a registration at
//! their first join, segment `unknown`. Zoom writes times month-first in the account's time
//! zone (`03/15/2025 10:02:13 AM`): that layout is known from the source, not guessed, and the
//! offset is [`ZoomOptions::utc_offset_minutes`].

use super::{finish, parse_time, Col, Frame};
use crate::error::{CoreError, Result};
use crate::model::{Limits, Registration, Tables, Webinar};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// The webinar the reports are about (Zoom's report summary: `Topic`, `Webinar ID`,
/// `Actual Start Time`, `Actual Duration (minutes)`).
#[derive(Debug, Clone, PartialEq)]
pub struct WebinarInfo {
    /// Zoom's webinar id (spaces removed).
    pub webinar_id: String,
    /// Zoom's "Topic" (the webinar's title).
    pub title: String,
    /// edupulse's topic (e.g. `ia_generativa`); default: the title.
    pub topic: Option<String>,
    /// Start time.
    pub starts_at: DateTime<Utc>,
    /// Duration in minutes.
    pub duration_min: u32,
}

/// Options of the Zoom importer.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoomOptions {
    /// The time format of the reports (strftime); ISO 8601 and Zoom's other month-first layouts
    /// are also read.
    pub time_format: String,
    /// The account's time zone as minutes east of UTC (Madrid in winter: 60).
    pub utc_offset_minutes: i32,
    /// Ceilings and accepted years.
    pub limits: Limits,
}

impl Default for ZoomOptions {
    fn default() -> Self {
        ZoomOptions {
            time_format: "%m/%d/%Y %I:%M:%S %p".to_string(),
            utc_offset_minutes: 0,
            limits: Limits::default(),
        }
    }
}

const ZOOM_FORMATS: [&str; 6] = [
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
];

fn time(frame: &Frame, row: usize, col: Col, o: &ZoomOptions) -> Result<DateTime<Utc>> {
    let text = frame.text(row, col)?;
    std::iter::once(o.time_format.as_str())
        .chain(ZOOM_FORMATS)
        .find_map(|f| parse_time(text, f, o.utc_offset_minutes))
        .ok_or_else(|| {
            frame.err(
                row,
                col,
                format!(
                    "`{text}` is not a time in `{}` (Zoom's layout)",
                    o.time_format
                ),
            )
        })
}

/// The webinar from a report summary frame (`Topic`, `Webinar ID`, `Actual Start Time` or
/// `Start Time`, `Actual Duration (minutes)` or `Duration (minutes)`; first row).
pub fn webinar_from_summary(summary: &Frame, options: &ZoomOptions) -> Result<WebinarInfo> {
    let id = summary.require(&["Webinar ID", "Meeting ID", "ID"])?;
    let topic = summary.require(&["Topic"])?;
    let start = summary.require(&["Actual Start Time", "Start Time"])?;
    let dur = summary.require(&[
        "Actual Duration (minutes)",
        "Duration (minutes)",
        "Duration (Minutes)",
    ])?;
    if summary.rows.is_empty() {
        return Err(
            CoreError::validation(&summary.source, None, None, "no webinar row")
                .in_file(&summary.source),
        );
    }
    let d = summary.text(0, dur)?;
    Ok(WebinarInfo {
        webinar_id: summary.text(0, id)?.replace(' ', ""),
        title: summary.text(0, topic)?.to_string(),
        topic: None,
        starts_at: time(summary, 0, start, options)?,
        duration_min: crate::model::parse_count(d).map_err(|m| summary.err(0, dur, m))?,
    })
}

struct Person {
    registered_at: Option<DateTime<Utc>>,
    segment: [String; 3],
    sessions: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

fn union_minutes(sessions: &mut [(DateTime<Utc>, DateTime<Utc>)]) -> f64 {
    sessions.sort();
    let mut total = 0i64;
    let mut current: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for &(a, b) in sessions.iter() {
        current = match current {
            Some((s, e)) if a <= e => Some((s, e.max(b))),
            Some((s, e)) => {
                total += (e - s).num_seconds();
                Some((a, b))
            }
            None => Some((a, b)),
        };
    }
    if let Some((s, e)) = current {
        total += (e - s).num_seconds();
    }
    total as f64 / 60.0
}

/// `webinars` and `registrations` from Zoom's registration and participants reports.
pub fn import(
    registrants: &Frame,
    participants: &Frame,
    webinar: &WebinarInfo,
    options: &ZoomOptions,
) -> Result<Tables> {
    let unknown = || "unknown".to_string();
    let mut people: BTreeMap<String, Person> = BTreeMap::new();
    let email = registrants.require(&["Email"])?;
    let reg_time = registrants.require(&["Registration Time"])?;
    let status = registrants.find(&["Approval Status"]);
    let seg_cols = [
        registrants.find(&["Industry"]),
        registrants.find(&["Job Title"]),
        registrants.find(&["No. of Employees"]),
    ];
    for r in 0..registrants.rows.len() {
        if let Some(s) = status.and_then(|c| registrants.get(r, c)) {
            let s = s.to_ascii_lowercase();
            if s == "denied" || s == "cancelled" || s == "canceled" {
                continue;
            }
        }
        let id = registrants.text(r, email)?.to_lowercase();
        let at = time(registrants, r, reg_time, options)?;
        let segment = seg_cols.map(|c| {
            c.and_then(|c| registrants.get(r, c))
                .map_or_else(unknown, str::to_string)
        });
        let p = people.entry(id).or_insert(Person {
            registered_at: None,
            segment: segment.clone(),
            sessions: Vec::new(),
        });
        // The same registrant twice (two exports of the same period): the earliest time wins.
        p.registered_at = Some(p.registered_at.map_or(at, |t| t.min(at)));
        p.segment = segment;
    }
    let p_email = participants.find(&["User Email", "Email"]);
    let p_name = participants.find(&["Name (Original Name)", "User Name (Original Name)", "Name"]);
    if p_email.is_none() && p_name.is_none() {
        participants.require(&["User Email", "Email"])?;
    }
    let join = participants.require(&["Join Time"])?;
    let leave = participants.require(&["Leave Time"])?;
    let attended = participants.find(&["Attended"]);
    for r in 0..participants.rows.len() {
        if attended
            .and_then(|c| participants.get(r, c))
            .is_some_and(|a| a.eq_ignore_ascii_case("no"))
        {
            continue;
        }
        let id = match p_email.and_then(|c| participants.get(r, c)) {
            Some(e) => e.to_lowercase(),
            None => match p_name.and_then(|c| participants.get(r, c)) {
                Some(n) => format!("name:{n}"),
                None => {
                    return Err(participants.err(
                        r,
                        p_email.or(p_name).unwrap_or(join),
                        "a participant with neither e-mail nor name",
                    ))
                }
            },
        };
        let (a, b) = (
            time(participants, r, join, options)?,
            time(participants, r, leave, options)?,
        );
        if b < a {
            return Err(participants.err(
                r,
                leave,
                format!("leave time {b} is before the join time {a}"),
            ));
        }
        people
            .entry(id)
            .or_insert(Person {
                registered_at: None,
                segment: [unknown(), unknown(), unknown()],
                sessions: Vec::new(),
            })
            .sessions
            .push((a, b));
    }
    let mut tables = Tables::default();
    tables.webinars.push(Webinar {
        webinar_id: webinar.webinar_id.clone(),
        title: webinar.title.clone(),
        topic: webinar
            .topic
            .clone()
            .unwrap_or_else(|| webinar.title.clone()),
        starts_at: webinar.starts_at,
        duration_min: webinar.duration_min,
        industry: None,
        role: None,
        company_size: None,
        timezone: None,
    });
    for (id, mut p) in people {
        let first_join = p.sessions.iter().map(|s| s.0).min();
        let Some(registered_at) = p.registered_at.or(first_join) else {
            continue;
        };
        let [industry, role, company_size] = p.segment;
        let attended = !p.sessions.is_empty();
        tables.registrations.push(Registration {
            webinar_id: webinar.webinar_id.clone(),
            person_id: id,
            registered_at,
            industry,
            role,
            company_size,
            attended,
            minutes_watched: attended.then(|| union_minutes(&mut p.sessions)),
            questions: None,
            polls: None,
            chat_messages: None,
        });
    }
    finish(tables, &options.limits)
}
