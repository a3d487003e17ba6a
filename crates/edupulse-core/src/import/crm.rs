//! A generic CRM export (HubSpot- or Mailchimp-like): contacts + activities → `leads` /
//! `lead_events`, through a configurable [`CrmMapping`] of column names and activity kinds.
//!
//! The default mapping reads HubSpot's contact export (`Record ID`, `Email`, `Original Source`,
//! `Create Date`, `Industry`, `Job Title`) and an activity export with `Contact ID`,
//! `Activity Date`, `Activity Type` and an optional `Value`. A Mailchimp audience export needs
//! e.g. `{"contacts": {"lead_id": "Email Address", "email": "Email Address", "created_at":
//! "OPTIN_TIME", ...}}`. Absent optional contact columns (`source`, `industry`, `role`) give
//! `unknown`. Activity types are matched case-insensitively, spaces and hyphens read as `_`:
//! the edupulse kinds themselves, the defaults of [`CrmMapping::default`] (`open`, `opened`,
//! `click`, `clicked`, `email_opened`, `meeting_booked`, ...), and the `kinds` of the mapping.
//! An activity type that maps to nothing is a named error (listing the known ones) unless
//! `ignore_unmapped_kinds` is set; an activity of a contact not in the contacts export too.
//! Times are ISO 8601 (or `YYYY-MM-DD HH:MM[:SS]`, HubSpot's), or in `time_format` when set:
//! day-first dates are never guessed.

use super::{finish, parse_number, parse_time, Frame};
use crate::error::{CoreError, Result};
use crate::model::{Lead, LeadEvent, LeadEventKind, Limits, Tables};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// Column names of the contacts export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContactColumns {
    /// The lead id column.
    pub lead_id: String,
    /// The e-mail column.
    pub email: String,
    /// The first-touch source column (optional in the export).
    pub source: String,
    /// The creation time column.
    pub created_at: String,
    /// The industry column (optional in the export).
    pub industry: String,
    /// The role / job title column (optional in the export).
    pub role: String,
}

impl Default for ContactColumns {
    fn default() -> Self {
        ContactColumns {
            lead_id: "Record ID".into(),
            email: "Email".into(),
            source: "Original Source".into(),
            created_at: "Create Date".into(),
            industry: "Industry".into(),
            role: "Job Title".into(),
        }
    }
}

/// Column names of the activities export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActivityColumns {
    /// The contact id column (the contacts' `lead_id`).
    pub lead_id: String,
    /// The time column.
    pub at: String,
    /// The activity type column.
    pub kind: String,
    /// The value column (optional in the export).
    pub value: String,
}

impl Default for ActivityColumns {
    fn default() -> Self {
        ActivityColumns {
            lead_id: "Contact ID".into(),
            at: "Activity Date".into(),
            kind: "Activity Type".into(),
            value: "Value".into(),
        }
    }
}

/// How a CRM export maps onto `leads` / `lead_events`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CrmMapping {
    /// Contacts columns.
    pub contacts: ContactColumns,
    /// Activities columns.
    pub activities: ActivityColumns,
    /// Extra activity types: the export's text → an edupulse kind (`email_open`, ...).
    pub kinds: BTreeMap<String, LeadEventKind>,
    /// Skip activities of a type that maps to nothing instead of failing.
    pub ignore_unmapped_kinds: bool,
    /// The time format of both exports (strftime), e.g. `%d/%m/%Y %H:%M`; `None`: ISO 8601.
    pub time_format: Option<String>,
}

const DEFAULT_KINDS: [(&str, LeadEventKind); 12] = [
    ("open", LeadEventKind::EmailOpen),
    ("opened", LeadEventKind::EmailOpen),
    ("email_opened", LeadEventKind::EmailOpen),
    ("click", LeadEventKind::EmailClick),
    ("clicked", LeadEventKind::EmailClick),
    ("email_clicked", LeadEventKind::EmailClick),
    ("webinar_registration", LeadEventKind::WebinarRegistered),
    ("webinar_attendance", LeadEventKind::WebinarAttended),
    ("meeting_booked", LeadEventKind::DemoRequest),
    ("demo_requested", LeadEventKind::DemoRequest),
    ("page_view_pricing", LeadEventKind::PricingView),
    ("deal_won", LeadEventKind::Purchase),
];

fn norm(s: &str) -> String {
    s.trim().to_lowercase().replace([' ', '-'], "_")
}

impl CrmMapping {
    fn kind_of(&self, text: &str) -> Option<LeadEventKind> {
        let n = norm(text);
        self.kinds
            .iter()
            .find(|(k, _)| norm(k) == n)
            .map(|(_, v)| *v)
            .or_else(|| n.parse().ok())
            .or_else(|| DEFAULT_KINDS.iter().find(|(k, _)| *k == n).map(|(_, v)| *v))
    }

    fn time(&self, f: &Frame, r: usize, c: super::Col) -> Result<chrono::DateTime<chrono::Utc>> {
        let t = f.text(r, c)?;
        let parsed = match &self.time_format {
            Some(fmt) => parse_time(t, fmt, 0).filter(|_| {
                chrono::NaiveDateTime::parse_from_str(t, fmt).is_ok()
                    || chrono::NaiveDate::parse_from_str(t, fmt).is_ok()
            }),
            None => parse_time(t, "%Y-%m-%d %H:%M", 0),
        };
        parsed.ok_or_else(|| {
            f.err(
                r,
                c,
                match &self.time_format {
                    Some(fmt) => format!("`{t}` does not match the time format `{fmt}`"),
                    None => format!(
                        "`{t}` is not an ISO time; day-first dates are never guessed: set the \
                         mapping's `time_format` (e.g. `%d/%m/%Y %H:%M`)"
                    ),
                },
            )
        })
    }
}

/// `leads` and `lead_events` from a contacts and an activities export.
pub fn import(
    contacts: &Frame,
    activities: Option<&Frame>,
    mapping: &CrmMapping,
    limits: &Limits,
) -> Result<Tables> {
    let c = &mapping.contacts;
    let id = contacts.require(&[&c.lead_id])?;
    let email = contacts.require(&[&c.email])?;
    let created = contacts.require(&[&c.created_at])?;
    let source = contacts.find(&[&c.source]);
    let industry = contacts.find(&[&c.industry]);
    let role = contacts.find(&[&c.role]);
    let opt = |r: usize, col: Option<super::Col>| {
        col.and_then(|col| contacts.get(r, col))
            .unwrap_or("unknown")
            .to_string()
    };
    let mut tables = Tables::default();
    let mut known = HashSet::new();
    for r in 0..contacts.rows.len() {
        let lead_id = contacts.text(r, id)?.to_string();
        known.insert(lead_id.clone());
        tables.leads.push(Lead {
            lead_id,
            email: contacts.text(r, email)?.to_string(),
            source: opt(r, source),
            created_at: mapping.time(contacts, r, created)?,
            industry: opt(r, industry),
            role: opt(r, role),
        });
    }
    if let Some(acts) = activities {
        let a = &mapping.activities;
        let lid = acts.require(&[&a.lead_id])?;
        let at = acts.require(&[&a.at])?;
        let kind = acts.require(&[&a.kind])?;
        let value = acts.find(&[&a.value]);
        for r in 0..acts.rows.len() {
            let lead_id = acts.text(r, lid)?;
            if !known.contains(lead_id) {
                return Err(acts.err(
                    r,
                    lid,
                    format!("contact `{lead_id}` is not in the contacts export"),
                ));
            }
            let text = acts.text(r, kind)?;
            let Some(k) = mapping.kind_of(text) else {
                if mapping.ignore_unmapped_kinds {
                    continue;
                }
                let names: Vec<&str> = LeadEventKind::ALL.iter().map(|k| k.as_str()).collect();
                return Err(acts.err(
                    r,
                    kind,
                    format!(
                        "activity type `{text}` maps to no lead event (known: {}; add it to the \
                         mapping's `kinds`, or set `ignore_unmapped_kinds`)",
                        names.join(", ")
                    ),
                ));
            };
            let v = match value.and_then(|c| acts.get(r, c).map(|t| (c, t))) {
                None => None,
                Some((c, t)) => Some(
                    parse_number(t, '.')
                        .ok_or_else(|| acts.err(r, c, format!("`{t}` is not a number")))?,
                ),
            };
            tables.lead_events.push(LeadEvent {
                lead_id: lead_id.to_string(),
                at: mapping.time(acts, r, at)?,
                kind: k,
                value: v,
            });
        }
    }
    finish(tables, limits).map_err(|e: CoreError| e)
}
