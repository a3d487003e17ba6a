//! Requirements: who has earned a certification, who is close and what they still miss.
//!
//! Decides from `webinars` + `registrations` (attendance of the course's webinars, a course being
//! the webinars of one `topic`), `activity` (`quiz_passed`, `lesson_completed` events) and
//! `reviews` (retention = share of flashcard reviews not rated *Again*), all counted inside a
//! window of `window_days` before the as-of instant. A student is **eligible** when every
//! configured requirement is met, **close** when not eligible but every requirement has reached
//! `close_share` of its target; the result lists what is missing, in words.
//!
//! What the tables cannot express (a final exam grade, course enrolment, lesson identity — lessons
//! are counted, not matched to a syllabus) is not a rule here; see docs/certification.md.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::credential::Certification;
use crate::model::{ActivityKind, Tables};
use crate::{CoreError, Result};

/// The requirements of one certification. Unset requirements are not checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Requirements {
    /// The course: webinars whose `topic` is this.
    pub webinar_topic: Option<String>,
    /// Share (0–1] of the course's webinars in the window the student attended.
    pub min_attendance: Option<f64>,
    /// `quiz_passed` events in the window.
    pub min_quizzes: Option<u32>,
    /// `lesson_completed` events in the window.
    pub min_lessons: Option<u32>,
    /// Share (0–1] of reviews in the window rated Hard, Good or Easy.
    pub min_retention: Option<f64>,
    /// Reviews needed before retention is judged at all.
    pub min_reviews: u32,
    /// The window, in days before the as-of instant.
    pub window_days: u32,
    /// "Close": not eligible, but every requirement at ≥ this share of its target.
    pub close_share: f64,
}

impl Default for Requirements {
    fn default() -> Self {
        Requirements {
            webinar_topic: None,
            min_attendance: None,
            min_quizzes: None,
            min_lessons: None,
            min_retention: None,
            min_reviews: 20,
            window_days: 365,
            close_share: 0.75,
        }
    }
}

impl Requirements {
    /// Check the parameters.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("min_attendance", self.min_attendance),
            ("min_retention", self.min_retention),
        ] {
            if let Some(x) = v {
                if !(x > 0.0 && x <= 1.0) {
                    return Err(CoreError::param(name, format!("{x} is outside (0, 1]")));
                }
            }
        }
        if self.min_attendance.is_some() && self.webinar_topic.is_none() {
            return Err(CoreError::param(
                "min_attendance",
                "needs `webinar_topic` (the course's webinars)",
            ));
        }
        if self.window_days == 0 {
            return Err(CoreError::param("window_days", "must be ≥ 1"));
        }
        if !(self.close_share > 0.0 && self.close_share < 1.0) {
            return Err(CoreError::param("close_share", "must be in (0, 1)"));
        }
        Ok(())
    }
}

/// A certification and its requirements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertificationSpec {
    /// The certification (a `certifications` row).
    #[serde(flatten)]
    pub certification: Certification,
    /// Its requirements (from configuration).
    #[serde(default)]
    pub requirements: Requirements,
}

/// Where a student stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Standing {
    /// Every requirement met.
    Eligible,
    /// Every requirement at ≥ `close_share` of its target.
    Close,
    /// Neither.
    NotEligible,
}

impl Standing {
    /// The text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Eligible => "eligible",
            Standing::Close => "close",
            Standing::NotEligible => "not_eligible",
        }
    }
}

/// One student × certification: the `cert_eligibility` row (the step keeps the eligible and
/// close ones).
pub type Eligibility = super::step::CertEligibilityRow;

/// Evaluate every student of `tables.students` against every certification, as of `as_of`.
pub fn eligibility(
    tables: &Tables,
    specs: &[CertificationSpec],
    as_of: DateTime<Utc>,
) -> Result<Vec<Eligibility>> {
    eligibility_in(tables, specs, as_of, &crate::clock::LocalClock::UTC)
}

/// [`eligibility`] with each requirement's `window_days` counted in local days of `clock`.
pub fn eligibility_in(
    tables: &Tables,
    specs: &[CertificationSpec],
    as_of: DateTime<Utc>,
    clock: &crate::clock::LocalClock,
) -> Result<Vec<Eligibility>> {
    let mut out = Vec::new();
    for spec in specs {
        let r = &spec.requirements;
        r.validate()?;
        let from = clock.add_days(as_of, -i64::from(r.window_days));
        let within = |t: DateTime<Utc>| t > from && t <= as_of;
        let course: Vec<&str> = match &r.webinar_topic {
            Some(topic) => tables
                .webinars
                .iter()
                .filter(|w| &w.topic == topic && within(w.starts_at))
                .map(|w| w.webinar_id.as_str())
                .collect(),
            None => Vec::new(),
        };
        let mut attended: HashMap<&str, u32> = HashMap::new();
        for reg in &tables.registrations {
            if reg.attended && course.contains(&reg.webinar_id.as_str()) {
                *attended.entry(reg.person_id.as_str()).or_default() += 1;
            }
        }
        let mut quizzes: HashMap<&str, u32> = HashMap::new();
        let mut lessons: HashMap<&str, u32> = HashMap::new();
        for a in tables.activity.iter().filter(|a| within(a.at)) {
            match a.kind {
                ActivityKind::QuizPassed => *quizzes.entry(&a.student_id).or_default() += 1,
                ActivityKind::LessonCompleted => *lessons.entry(&a.student_id).or_default() += 1,
                _ => {}
            }
        }
        let mut reviews: HashMap<&str, (u32, u32)> = HashMap::new();
        for rv in tables.reviews.iter().filter(|r| within(r.at)) {
            let e = reviews.entry(&rv.student_id).or_default();
            e.0 += 1;
            if rv.rating >= 2 {
                e.1 += 1;
            }
        }
        for s in &tables.students {
            let id = s.student_id.as_str();
            let mut progress: Vec<(f64, Option<String>)> = Vec::new();
            let attendance = (!course.is_empty())
                .then(|| f64::from(*attended.get(id).unwrap_or(&0)) / course.len() as f64);
            if let Some(need) = r.min_attendance {
                let topic = r.webinar_topic.as_deref().unwrap_or("");
                let got = attendance.unwrap_or(0.0);
                let miss = (got < need).then(|| {
                    format!(
                        "attendance {}/{} webinars of \"{topic}\" ({:.0}%, needs {:.0}%)",
                        attended.get(id).unwrap_or(&0),
                        course.len(),
                        got * 100.0,
                        need * 100.0
                    )
                });
                progress.push((got / need, miss));
            }
            let q = *quizzes.get(id).unwrap_or(&0);
            if let Some(need) = r.min_quizzes {
                let miss = (q < need).then(|| format!("quizzes passed {q}/{need}"));
                progress.push((ratio(q, need), miss));
            }
            let l = *lessons.get(id).unwrap_or(&0);
            if let Some(need) = r.min_lessons {
                let miss = (l < need).then(|| format!("lessons completed {l}/{need}"));
                progress.push((ratio(l, need), miss));
            }
            let (n_rev, n_ok) = *reviews.get(id).unwrap_or(&(0, 0));
            let retention =
                (n_rev >= r.min_reviews.max(1)).then(|| f64::from(n_ok) / f64::from(n_rev));
            if let Some(need) = r.min_retention {
                let (p, miss) = match retention {
                    Some(x) if x >= need => (1.0, None),
                    Some(x) => (
                        x / need,
                        Some(format!(
                            "retention {:.0}% (needs {:.0}%)",
                            x * 100.0,
                            need * 100.0
                        )),
                    ),
                    None => (
                        ratio(n_rev, r.min_reviews.max(1)),
                        Some(format!(
                            "reviews {n_rev}/{} before retention is judged",
                            r.min_reviews.max(1)
                        )),
                    ),
                };
                progress.push((p, miss));
            }
            let required = progress.len() as u32;
            let missing: Vec<String> = progress.iter().filter_map(|p| p.1.clone()).collect();
            let met = required - missing.len() as u32;
            let standing = if missing.is_empty() {
                Standing::Eligible
            } else if progress.iter().all(|p| p.0 >= r.close_share) {
                Standing::Close
            } else {
                Standing::NotEligible
            };
            out.push(Eligibility {
                student_id: s.student_id.clone(),
                certification_id: spec.certification.certification_id.clone(),
                standing,
                met,
                required,
                missing,
                attendance,
                quizzes: q,
                lessons: l,
                retention,
            });
        }
    }
    Ok(out)
}

fn ratio(got: u32, need: u32) -> f64 {
    if need == 0 {
        1.0
    } else {
        f64::from(got) / f64::from(need)
    }
}

/// Index `specs` by id, rejecting duplicates and requirements that do not validate.
pub fn index_specs(specs: &[CertificationSpec]) -> Result<BTreeMap<&str, &CertificationSpec>> {
    let mut m = BTreeMap::new();
    for s in specs {
        s.requirements.validate()?;
        if m.insert(s.certification.certification_id.as_str(), s)
            .is_some()
        {
            return Err(CoreError::param(
                "certification_id",
                format!("`{}` appears twice", s.certification.certification_id),
            ));
        }
    }
    Ok(m)
}
