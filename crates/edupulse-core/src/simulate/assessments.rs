//! Course assessments: the OULAD-style inputs of the churn risk model (`student_attributes`,
//! `assessment_schedule`) and the students' submissions.
//!
//! - **Courses and cohorts**: each of the three courses (99/199/499 EUR, 10/20/32 lessons) runs a
//!   cohort per calendar month of the history; a student joins the cohort of its enrolment month
//!   (`course` attribute = `ia<price>-<YYYY>-<MM>`, e.g. `ia199-2025-03`).
//! - **Schedule**: a cohort has 3, 5 or 7 assessments (by course), `<course>-a<k>`, due at the
//!   end of day 35 + 28 (k − 1) after the cohort's first day (23:59:59 UTC), weights equal and
//!   summing to 100. The deadlines are a schedule known ahead: some fall after the history ends.
//! - **Submissions**: for each deadline of its cohort, a student still active around it submits
//!   with probability `1 − exp(−2 e)` where `e` is its latent engagement three days before the
//!   deadline (zero once it has stopped: a dropout stops submitting); a submission is late with
//!   probability `0.5 exp(−1.5 e)` (on time: up to 10 days before the deadline; late: an
//!   exponential delay of mean `4 / (0.3 + e)` days), and is dropped when it would fall after the
//!   student stops. Each is an `assessment_submitted` activity with `ref_id` = the assessment and
//!   `value` = a score in 0–100 that rises with engagement (5 points less when late).
//! - **Attributes** (known at enrolment, drawn from the hidden engagement as OULAD's relate to
//!   dropout): `age_band` (`0-35`, `35-55`, `55<=`), `num_of_prev_attempts` (more for
//!   disengaged students), `studied_credits` (30–120; heavier loads for disengaged ones).
//!
//! All draws come from the student's own `Stream::StudentAssessments` stream, so the other
//! tables of a run are the same as without this module's draws, and a student's rows do not
//! depend on the other students.

use super::dist::{
    bernoulli, entity_rng, exponential, normal, pick_weighted, poisson, unif, Stream,
};
use super::{ts, Ctx, DAY};
use crate::model::{ActivityKind, AssessmentDeadline, StudentAttribute, COURSE_ATTRIBUTE};
use chrono::{Datelike, NaiveDate};

/// Assessments per course, in the order of the students module's course tiers.
pub(crate) const ASSESSMENTS: [u32; 3] = [3, 5, 7];
/// Days from a cohort's first day to its first deadline, and between deadlines.
const FIRST_DUE_DAYS: i64 = 35;
const DUE_EVERY_DAYS: i64 = 28;

/// A simulated activity event: (time, kind, value, `ref_id`).
pub(crate) type Event = (i64, ActivityKind, Option<f64>, Option<String>);

/// The first day (seconds) of the month containing second `t`, and the month as `YYYY-MM`.
fn month_of(t: i64) -> (i64, String) {
    let d = ts(t).date_naive();
    let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
    (
        crate::model::date_to_datetime(first).timestamp(),
        format!("{:04}-{:02}", d.year(), d.month()),
    )
}

/// The course id of a course tier's cohort of the month `month` (`YYYY-MM`).
fn course_id(price: f64, month: &str) -> String {
    format!("ia{}-{month}", price as u32)
}

/// The deadlines (unix seconds, assessment id) of a cohort starting at `first_day`.
fn deadlines(course: &str, assessments: u32, first_day: i64) -> Vec<(i64, String)> {
    (0..i64::from(assessments))
        .map(|k| {
            let due = first_day + (FIRST_DUE_DAYS + DUE_EVERY_DAYS * k + 1) * DAY - 1;
            (due, format!("{course}-a{}", k + 1))
        })
        .collect()
}

/// The schedule of every cohort of every course whose month is in the history.
pub(crate) fn schedule(ctx: &Ctx<'_>, courses: &[(f64, u32, f64)]) -> Vec<AssessmentDeadline> {
    let mut out = Vec::new();
    let (mut first, _) = month_of(ctx.start);
    while first < ctx.end {
        let (_, month) = month_of(first);
        for (tier, &(price, _, _)) in courses.iter().enumerate() {
            let n = ASSESSMENTS[tier.min(ASSESSMENTS.len() - 1)];
            let course = course_id(price, &month);
            let weight = 100.0 / f64::from(n);
            out.extend(deadlines(&course, n, first).into_iter().map(|(due, id)| {
                AssessmentDeadline {
                    course_id: course.clone(),
                    assessment_id: id,
                    due_at: ts(due),
                    weight: Some(weight),
                }
            }));
        }
        // The first day of the next month (32 days on always lands in it).
        first = month_of(first + 32 * DAY).0;
    }
    out
}

/// What one student's course gives it: attributes and submissions.
pub(crate) struct StudentCourse {
    /// `student_attributes` rows.
    pub attributes: Vec<StudentAttribute>,
    /// `assessment_submitted` events (not yet made distinct in time).
    pub submissions: Vec<Event>,
}

/// The cohort, attributes and submissions of student `index` (`id`), enrolled at `enrolled` on
/// course tier `tier` of `courses`, with hidden `engagement`, its engagement over time
/// `engaged_at` and the time it stops (`stop`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn student(
    ctx: &Ctx<'_>,
    index: usize,
    id: &str,
    courses: &[(f64, u32, f64)],
    tier: usize,
    enrolled: i64,
    stop: i64,
    engagement: f64,
    engaged_at: impl Fn(i64) -> f64,
) -> StudentCourse {
    let mut rng = entity_rng(ctx.cfg.seed, Stream::StudentAssessments, index as u64);
    let (first, month) = month_of(enrolled);
    let price = courses.get(tier).map_or(0.0, |c| c.0);
    let course = course_id(price, &month);
    let attr = |name: &str, value: String| StudentAttribute {
        student_id: id.to_string(),
        name: name.to_string(),
        value,
    };
    // Attributes: disengaged students repeat more and carry heavier loads (as in OULAD).
    let low = (1.2 - engagement).max(0.0);
    let age = pick_weighted(
        &mut rng,
        &[(0.68, "0-35"), (0.3, "35-55"), (0.02, "55<=")],
        |a| a.0,
    );
    let prev = poisson(&mut rng, 0.1 + 0.35 * low);
    let credit_levels = [30u32, 60, 90, 120];
    let c = pick_weighted(
        &mut rng,
        &[0.2, 0.45, 0.2 * (1.0 + low), 0.15 * (1.0 + 2.0 * low)],
        |w| *w,
    );
    let attributes = vec![
        attr(COURSE_ATTRIBUTE, course.clone()),
        attr("age_band", ["0-35", "35-55", "55<="][age].to_string()),
        attr("num_of_prev_attempts", prev.to_string()),
        attr("studied_credits", credit_levels[c].to_string()),
    ];
    let n = ASSESSMENTS[tier.min(ASSESSMENTS.len() - 1)];
    let mut submissions = Vec::new();
    for (due, assessment) in deadlines(&course, n, first) {
        let e = engaged_at(due - 3 * DAY);
        if !bernoulli(&mut rng, 1.0 - (-2.0 * e).exp()) {
            continue;
        }
        let late = bernoulli(&mut rng, 0.5 * (-1.5 * e).exp());
        let at = if late {
            due + 1 + (exponential(&mut rng, 4.0 / (0.3 + e)) * DAY as f64) as i64
        } else {
            (due - (unif(&mut rng) * 10.0 * DAY as f64) as i64).max(enrolled + 3600)
        };
        let score = (55.0 + 25.0 * e.min(2.0).tanh() + 12.0 * normal(&mut rng)
            - if late { 5.0 } else { 0.0 })
        .clamp(0.0, 100.0)
        .round();
        if at < stop && at > enrolled {
            submissions.push((
                at,
                ActivityKind::AssessmentSubmitted,
                Some(score),
                Some(assessment),
            ));
        }
    }
    StudentCourse {
        attributes,
        submissions,
    }
}
