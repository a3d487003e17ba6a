//! Nurture routing after a webinar: grade → track, with the fields a message template needs.
//!
//! One decision per lead per webinar the lead registered for, made from the lead's engagement
//! **at the end of that webinar** (events after it are not looked at), so the decision for a
//! (lead, webinar) pair never changes between runs: re-running is idempotent by construction.

use super::points::{Grade, LeadScorer};
use crate::model::Tables;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The nurture track (the source's three sequences).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Track {
    /// Hot: a direct offer.
    HighEngagementOffer,
    /// Warm: educational content.
    EducationalNurturing,
    /// Cold: win them back.
    ReEngagement,
}

crate::text_result_field!(Track);

impl Track {
    /// The track of a grade.
    pub fn of(grade: Grade) -> Track {
        match grade {
            Grade::Hot => Track::HighEngagementOffer,
            Grade::Warm => Track::EducationalNurturing,
            Grade::Cold => Track::ReEngagement,
        }
    }

    /// Text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Track::HighEngagementOffer => "high_engagement_offer",
            Track::EducationalNurturing => "educational_nurturing",
            Track::ReEngagement => "re_engagement",
        }
    }
}

crate::result_table! {
    /// One nurture decision.
    #[table = "lead_nurture", step = "leads", key = [lead_id, webinar_id]]
    pub struct NurtureDecision {
        /// Lead id.
        pub lead_id: String,
        /// Webinar id.
        pub webinar_id: String,
        /// The track.
        pub track: Track,
        /// Grade at the end of the webinar.
        pub grade: Grade,
        /// Engagement (0–10) at the end of the webinar.
        pub engagement: f64,
        /// When the webinar ended (the decision time).
        pub decided_at: DateTime<Utc>,
        /// Whether the lead attended.
        pub attended: bool,
        /// Personalisation: the lead's name (a student's name with the same email, else the email's
        /// local part).
        pub name: String,
        /// Personalisation: the lead's email.
        pub email: String,
        /// Personalisation: the webinar's title.
        pub webinar_title: String,
        /// Personalisation: topics of the webinars the lead registered for up to this one, most
        /// recent first, distinct.
        pub topics: Vec<String>,
    }
}

/// The decisions for every (lead, webinar) registration whose webinar ended in
/// `(since, until]`, in (webinar end, lead) order.
pub fn nurture_decisions(
    tables: &Tables,
    scorer: &LeadScorer,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<NurtureDecision> {
    let (hs, _) = super::model::histories(tables);
    let by_id: HashMap<&str, &super::model::LeadHistory> =
        hs.iter().map(|h| (h.id.as_str(), h)).collect();
    let leads: HashMap<&str, &crate::model::Lead> = tables
        .leads
        .iter()
        .map(|l| (l.lead_id.as_str(), l))
        .collect();
    let names: HashMap<&str, &str> = tables
        .students
        .iter()
        .map(|s| (s.email.as_str(), s.name.as_str()))
        .collect();
    let webinars: HashMap<&str, &crate::model::Webinar> = tables
        .webinars
        .iter()
        .map(|w| (w.webinar_id.as_str(), w))
        .collect();
    let end_of = |w: &crate::model::Webinar| {
        w.starts_at + chrono::Duration::minutes(i64::from(w.duration_min))
    };
    // Registrations of leads, per lead, by webinar start.
    let mut regs: HashMap<&str, Vec<(&crate::model::Webinar, bool)>> = HashMap::new();
    for r in &tables.registrations {
        if let (Some(w), true) = (
            webinars.get(r.webinar_id.as_str()),
            leads.contains_key(r.person_id.as_str()),
        ) {
            regs.entry(r.person_id.as_str())
                .or_default()
                .push((w, r.attended));
        }
    }
    let mut out = Vec::new();
    for (lead_id, list) in &mut regs {
        list.sort_by_key(|(w, _)| (w.starts_at, w.webinar_id.clone()));
        let (Some(lead), Some(h)) = (leads.get(lead_id), by_id.get(lead_id)) else {
            continue;
        };
        for (i, (w, attended)) in list.iter().enumerate() {
            let end = end_of(w);
            if end <= since || end > until {
                continue;
            }
            let (points, _) = scorer.points_at(&h.timeline, end.timestamp());
            let engagement = scorer.engagement_of(points);
            let grade = Grade::of(engagement, scorer.params.hot, scorer.params.warm);
            let mut topics: Vec<String> = Vec::new();
            for (pw, _) in list.iter().take(i + 1).rev() {
                if !topics.contains(&pw.topic) {
                    topics.push(pw.topic.clone());
                }
            }
            let name = names
                .get(lead.email.as_str())
                .map(|s| s.to_string())
                .unwrap_or_else(|| lead.email.split('@').next().unwrap_or("").to_string());
            out.push(NurtureDecision {
                lead_id: lead_id.to_string(),
                webinar_id: w.webinar_id.clone(),
                track: Track::of(grade),
                grade,
                engagement,
                decided_at: end,
                attended: *attended,
                name,
                email: lead.email.clone(),
                webinar_title: w.title.clone(),
                topics,
            });
        }
    }
    out.sort_by(|a, b| (a.decided_at, &a.lead_id).cmp(&(b.decided_at, &b.lead_id)));
    out
}
