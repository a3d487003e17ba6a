//! Upcoming-webinar recommendations of the daily job, and the weekly digest.
//!
//! Decides, from the webinars students attended before the run (`registrations` ×
//! `webinars`, weight = the share of the webinar watched, 1 without minutes) and their
//! segments (`students`), which **upcoming** webinars (starting within `horizon_days` after the
//! run) each student should attend. An upcoming webinar has no attendance yet, so the
//! [`Recommender`] is fitted on (student, topic) and each student's ranked topics are mapped to
//! the upcoming webinars on them (soonest first). A webinar the student already registered for
//! is excluded; a topic no student has attended cannot be scored and is not recommended.
//! Every row has a reason: the topics of the student's webinars that led to it, or "popular with
//! <role> in <industry>" (flagged `fallback`) for students without attendance.
//!
//! The digest: one outbox notification per student with recommendations, dedupe key
//! `community:digest:<student>:<ISO year>-W<week>` — at most one per ISO week however often the
//! job runs.

use super::recommend::UserSegment;
use super::recommend::{Interaction, Reason, Recommender, RecommenderModel, RecommenderParams};
use crate::error::{CoreError, Result};
use crate::model::Tables;
use crate::results::{Notification, Severity};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Parameters of the upcoming-webinar recommendations (`[job.community.recommend]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpcomingParams {
    /// The recommender over (student, topic) (default: item kNN — a catalogue of a few dozen
    /// topics is too small for 64 ALS factors).
    pub model: RecommenderParams,
    /// Webinars per student (3).
    pub k: usize,
    /// Upcoming = starting within this many days after the run (30).
    pub horizon_days: i64,
    /// Send the weekly digest (true).
    pub digest: bool,
    /// The local clock (`[job] timezone`, set by the job; not a configuration key; UTC by
    /// default): the horizon is local days.
    #[serde(skip)]
    pub clock: crate::clock::LocalClock,
}

impl Default for UpcomingParams {
    fn default() -> Self {
        UpcomingParams {
            model: RecommenderParams {
                model: RecommenderModel::ItemKnn,
                ..RecommenderParams::default()
            },
            k: 3,
            horizon_days: 30,
            digest: true,
            clock: crate::clock::LocalClock::UTC,
        }
    }
}

impl UpcomingParams {
    /// `k ≥ 1`, `horizon_days ≥ 1`, and the model's parameters.
    pub fn validate(&self) -> Result<()> {
        self.model.validate()?;
        if self.k == 0 {
            return Err(CoreError::param("k", "must be ≥ 1"));
        }
        if self.horizon_days < 1 {
            return Err(CoreError::param("horizon_days", "must be ≥ 1"));
        }
        Ok(())
    }
}

crate::result_table! {
    /// An upcoming webinar recommended to a student, with the reason.
    #[table = "community_recommendations", step = "community", key = [student_id, rank]]
    pub struct UpcomingRecommendation {
        /// The student.
        pub student_id: String,
        /// 1-based rank.
        pub rank: u32,
        /// The upcoming webinar.
        pub webinar_id: String,
        /// Its title.
        pub title: String,
        /// Its topic.
        pub topic: String,
        /// When it starts.
        pub starts_at: DateTime<Utc>,
        /// The topic's score for the student (kNN: summed similarity; ALS: `x_u·y_i`;
        /// popularity: attendees).
        pub score: f64,
        /// Why, in Spanish ("asististe a webinars de: …" or "popular entre <rol> de <industria>").
        pub reason: String,
        /// Why, in English.
        pub reason_en: String,
        /// True when from the popularity fallback (no attendance of the student's own).
        pub fallback: bool,
    }
}

fn reason_text(r: &Reason) -> (String, String) {
    match r {
        Reason::Similar { items } => (
            format!("asististe a webinars de: {}", items.join(", ")),
            format!("you attended webinars on: {}", items.join(", ")),
        ),
        other => (other.text_es(), other.text_en()),
    }
}

/// The upcoming webinars for every student enrolled by `as_of` (see the module doc), by
/// student and rank.
pub fn recommend_upcoming(
    tables: &Tables,
    as_of: DateTime<Utc>,
    params: &UpcomingParams,
) -> Result<Vec<UpcomingRecommendation>> {
    params.validate()?;
    let horizon = params.clock.add_days(as_of, params.horizon_days);
    let mut upcoming: Vec<_> = tables
        .webinars
        .iter()
        .filter(|w| w.starts_at > as_of && w.starts_at <= horizon)
        .collect();
    upcoming.sort_by(|a, b| {
        a.starts_at
            .cmp(&b.starts_at)
            .then(a.webinar_id.cmp(&b.webinar_id))
    });
    let students: Vec<_> = tables
        .students
        .iter()
        .filter(|s| s.enrolled_at <= as_of)
        .collect();
    if upcoming.is_empty() || students.is_empty() {
        return Ok(Vec::new());
    }
    let is_student: BTreeSet<&str> = students.iter().map(|s| s.student_id.as_str()).collect();
    let past: HashMap<&str, (&str, u32)> = tables
        .webinars
        .iter()
        .filter(|w| w.starts_at <= as_of)
        .map(|w| (w.webinar_id.as_str(), (w.topic.as_str(), w.duration_min)))
        .collect();
    let mut xs = Vec::new();
    let mut registered: BTreeSet<(&str, &str)> = BTreeSet::new();
    for r in &tables.registrations {
        if !is_student.contains(r.person_id.as_str()) {
            continue;
        }
        if r.registered_at <= as_of {
            registered.insert((r.person_id.as_str(), r.webinar_id.as_str()));
        }
        if let (true, Some(&(topic, minutes))) = (r.attended, past.get(r.webinar_id.as_str())) {
            let w = r
                .minutes_watched
                .map_or(1.0, |m| (m / f64::from(minutes.max(1))).clamp(0.05, 1.0));
            xs.push(Interaction::new(&r.person_id, topic, w));
        }
    }
    if xs.is_empty() {
        return Ok(Vec::new());
    }
    let segments: Vec<UserSegment> = students
        .iter()
        .map(|s| UserSegment {
            user_id: s.student_id.clone(),
            role: s.role.clone(),
            industry: s.industry.clone(),
        })
        .collect();
    let rec = Recommender::fit(&xs, &segments, &params.model)?;
    let mut by_topic: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, w) in upcoming.iter().enumerate() {
        by_topic.entry(w.topic.as_str()).or_default().push(i);
    }
    let topics: Vec<String> = by_topic.keys().map(|t| t.to_string()).collect();
    let ids: Vec<String> = students.iter().map(|s| s.student_id.clone()).collect();
    let ranked = rec.recommend(&ids, topics.len(), false, Some(&topics))?;
    let mut out = Vec::new();
    let mut taken: HashMap<&str, u32> = HashMap::new();
    for r in &ranked {
        let n = taken.entry(r.user_id.as_str()).or_insert(0);
        let Some(list) = by_topic.get(r.item_id.as_str()) else {
            continue;
        };
        for &i in list {
            if *n as usize >= params.k {
                break;
            }
            let w = upcoming[i];
            if registered.contains(&(r.user_id.as_str(), w.webinar_id.as_str())) {
                continue;
            }
            *n += 1;
            let (reason, reason_en) = reason_text(&r.reason);
            out.push(UpcomingRecommendation {
                student_id: r.user_id.clone(),
                rank: *n,
                webinar_id: w.webinar_id.clone(),
                title: w.title.clone(),
                topic: w.topic.clone(),
                starts_at: w.starts_at,
                score: r.score,
                reason,
                reason_en,
                fallback: r.fallback,
            });
        }
    }
    Ok(out)
}

/// The ISO week of `t` as `YYYY-Www`.
pub fn iso_week(t: DateTime<Utc>) -> String {
    let w = t.iso_week();
    format!("{:04}-W{:02}", w.year(), w.week())
}

/// One digest notification per student with recommendations, deduplicated per local ISO week
/// of `as_of` on `clock` (`community:digest:<student>:<YYYY-Www>`); the webinars' start times
/// are shown at their local offset.
pub fn digest_notifications(
    recs: &[UpcomingRecommendation],
    tables: &Tables,
    as_of: DateTime<Utc>,
    clock: &crate::clock::LocalClock,
) -> Vec<Notification> {
    let week = clock.week_key(as_of);
    let email: HashMap<&str, &str> = tables
        .students
        .iter()
        .map(|s| (s.student_id.as_str(), s.email.as_str()))
        .collect();
    let mut by_student: BTreeMap<&str, Vec<&UpcomingRecommendation>> = BTreeMap::new();
    for r in recs {
        by_student.entry(r.student_id.as_str()).or_default().push(r);
    }
    by_student
        .into_iter()
        .map(|(s, rs)| {
            let lines: Vec<String> = rs
                .iter()
                .map(|r| {
                    format!(
                        "{}. {} ({}) — {}",
                        r.rank,
                        r.title,
                        clock.rfc3339(r.starts_at),
                        r.reason
                    )
                })
                .collect();
            Notification {
                dedupe_key: format!("community:digest:{s}:{week}"),
                kind: "community_digest".into(),
                severity: Severity::Low,
                title: format!("Webinars recomendados para {s} ({week})"),
                body: lines.join("\n"),
                payload: serde_json::json!({
                    "student_id": s,
                    "email": email.get(s).copied().unwrap_or(""),
                    "week": week,
                    "webinars": rs.iter().map(|r| r.webinar_id.as_str()).collect::<Vec<_>>(),
                }),
                created_at: as_of,
            }
        })
        .collect()
}
