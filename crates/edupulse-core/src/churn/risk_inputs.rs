//! The optional inputs of the churn risk model: student attributes and the assessment schedule.
//!
//! Decides which extra feature columns the risk model gets from `student_attributes` and
//! `assessment_schedule`, and their values for one student as of a date. Without rows in those
//! tables there are no extra columns at all, so a business that does not fill them gets the
//! model it had.
//!
//! - **Attributes** (timeless, known at enrolment): a name whose every value parses as a finite
//!   number is a numeric column (as is; a student without it is missing, which the shared
//!   learner imputes with a `=missing` indicator); any other name is a categorical column, one-hot
//!   encoded by the learner, with its levels capped at `max_attribute_levels` (the most frequent,
//!   ties by name; the rest are `other`). The `course` attribute links a student to the schedule
//!   and is not a feature (its values name one presentation of a course, never seen again).
//! - **Schedule** (when `assessment_schedule` has rows), from the deadlines of the student's
//!   course and its `assessment_submitted` activity at or before the date: `assessments_due`
//!   (deadlines passed), `assessments_missed` (passed deadlines with no submission: still owed),
//!   `deadlines_behind` (passed deadlines submitted late or not at all), `days_to_next_deadline`
//!   (0 when none is ahead), `assessments_late` (submissions made after their deadline) and
//!   `late_share` (the late ones among the submissions matched to a deadline; 0 when none).
//!   - **Exact** when every submission of the student at or before the date names its
//!     assessment (`activity.ref_id` = `assessment_schedule.assessment_id`): a submission answers
//!     that assessment (its first submission counts; one naming an assessment outside the
//!     course's schedule answers none), late = after that assessment's `due_at`, missed = its
//!     deadline passed with no submission for it.
//!   - **Counted** otherwise (an export that does not say which assessment a submission is for):
//!     the k-th submission answers the k-th deadline in time order; missed = passed deadlines
//!     not matched by as many submissions, behind = passed deadlines at which fewer assessments
//!     had been submitted than were due by then, late = the k-th submission after the k-th
//!     deadline. A student without submissions gets the same values either way.

use crate::error::{CoreError, Result};
use crate::model::{Tables, COURSE_ATTRIBUTE};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Names of the schedule feature columns, in order.
pub const SCHEDULE_FEATURES: [&str; 6] = [
    "assessments_due",
    "assessments_missed",
    "deadlines_behind",
    "days_to_next_deadline",
    "assessments_late",
    "late_share",
];

/// The level a capped categorical attribute's rarer values get.
pub const OTHER_LEVEL: &str = "other";

/// The extra columns of a risk model, fixed when it is fitted so scoring builds the same table.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FeatureSpec {
    /// Whether the schedule columns ([`SCHEDULE_FEATURES`]) are present.
    pub schedule: bool,
    /// Numeric attributes, by name (sorted).
    pub numeric_attributes: Vec<String>,
    /// Categorical attributes (sorted by name) with the levels kept (most frequent first).
    pub categorical_attributes: Vec<(String, Vec<String>)>,
}

impl FeatureSpec {
    /// The extra columns `tables` supports: schedule columns when `assessment_schedule` has
    /// rows, one column per attribute name (except `course`). An attribute named like a base
    /// feature column of the risk model is an error naming it.
    pub fn from_tables(tables: &Tables, max_levels: usize) -> Result<FeatureSpec> {
        let mut by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for a in &tables.student_attributes {
            if a.name != COURSE_ATTRIBUTE {
                by_name
                    .entry(a.name.as_str())
                    .or_default()
                    .push(a.value.as_str());
            }
        }
        let taken: Vec<&str> = super::risk::NUMERIC_FEATURES
            .iter()
            .chain(super::risk::CATEGORICAL_FEATURES.iter())
            .chain(SCHEDULE_FEATURES.iter())
            .copied()
            .collect();
        let mut spec = FeatureSpec {
            schedule: !tables.assessment_schedule.is_empty(),
            ..FeatureSpec::default()
        };
        for (name, values) in by_name {
            if taken.contains(&name) {
                return Err(CoreError::validation(
                    "student_attributes",
                    None,
                    Some("name"),
                    format!("`{name}` is a feature the risk model computes; rename the attribute"),
                ));
            }
            if values.iter().all(|v| number(v).is_some()) {
                spec.numeric_attributes.push(name.to_string());
                continue;
            }
            let mut counts: HashMap<&str, usize> = HashMap::new();
            for v in values {
                *counts.entry(v).or_default() += 1;
            }
            let mut levels: Vec<(&str, usize)> = counts.into_iter().collect();
            levels.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            spec.categorical_attributes.push((
                name.to_string(),
                levels
                    .into_iter()
                    .take(max_levels)
                    .map(|l| l.0.to_string())
                    .collect(),
            ));
        }
        Ok(spec)
    }

    /// The numeric extra column names, in table order (schedule, then attributes).
    pub fn numeric_columns(&self) -> Vec<&str> {
        let sched: &[&str] = if self.schedule {
            &SCHEDULE_FEATURES
        } else {
            &[]
        };
        sched
            .iter()
            .copied()
            .chain(self.numeric_attributes.iter().map(String::as_str))
            .collect()
    }
}

fn number(v: &str) -> Option<f64> {
    v.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// One student's extra inputs: attribute values in spec order and its course's deadlines.
#[derive(Debug, Clone, Default)]
pub(crate) struct Extra {
    /// Numeric attributes (NaN = missing).
    pub numeric: Vec<f64>,
    /// Categorical attributes (capped; empty = missing).
    pub categorical: Vec<String>,
    /// Deadlines of the student's course: (unix seconds, assessment id), sorted by time then id.
    pub deadlines: Vec<(i64, String)>,
}

/// The extra inputs of every student of `tables`, by student id.
pub(crate) fn extras(tables: &Tables, spec: &FeatureSpec) -> HashMap<String, Extra> {
    let mut deadlines: HashMap<&str, Vec<(i64, String)>> = HashMap::new();
    if spec.schedule {
        for d in &tables.assessment_schedule {
            deadlines
                .entry(d.course_id.as_str())
                .or_default()
                .push((d.due_at.timestamp(), d.assessment_id.clone()));
        }
        for v in deadlines.values_mut() {
            v.sort_unstable();
        }
    }
    let num_pos: HashMap<&str, usize> = spec
        .numeric_attributes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let cat_pos: HashMap<&str, usize> = spec
        .categorical_attributes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.0.as_str(), i))
        .collect();
    let blank = || Extra {
        numeric: vec![f64::NAN; spec.numeric_attributes.len()],
        categorical: vec![String::new(); spec.categorical_attributes.len()],
        deadlines: Vec::new(),
    };
    let mut out: HashMap<String, Extra> = HashMap::new();
    for a in &tables.student_attributes {
        let e = out.entry(a.student_id.clone()).or_insert_with(blank);
        if a.name == COURSE_ATTRIBUTE {
            if let Some(d) = deadlines.get(a.value.as_str()) {
                e.deadlines.clone_from(d);
            }
        } else if let Some(&i) = num_pos.get(a.name.as_str()) {
            e.numeric[i] = number(&a.value).unwrap_or(f64::NAN);
        } else if let Some(&i) = cat_pos.get(a.name.as_str()) {
            let kept = spec.categorical_attributes[i].1.contains(&a.value);
            e.categorical[i] = if kept {
                a.value.clone()
            } else {
                OTHER_LEVEL.to_string()
            };
        }
    }
    for s in &tables.students {
        out.entry(s.student_id.clone()).or_insert_with(blank);
    }
    out
}

/// A submission of an assessment: its time (unix seconds) and the assessment it names
/// (`activity.ref_id`), if any.
pub(crate) type Submitted<'a> = (i64, Option<&'a str>);

/// The schedule columns ([`SCHEDULE_FEATURES`]) of a student at `d` from its course's
/// deadlines (sorted by time) and its submissions (sorted by time, at or before `d`): exact
/// when every submission names its assessment, counted otherwise (module doc).
pub(crate) fn schedule_features(
    deadlines: &[(i64, String)],
    submissions: &[Submitted<'_>],
    d: i64,
) -> [f64; 6] {
    let due = deadlines.partition_point(|t| t.0 <= d);
    let next = deadlines
        .get(due)
        .map_or(0.0, |t| (t.0 - d) as f64 / 86_400.0);
    let (missed, behind, late, matched) = if submissions.iter().all(|s| s.1.is_some()) {
        exact(deadlines, submissions, due)
    } else {
        counted(deadlines, submissions, due)
    };
    let share = if matched == 0 {
        0.0
    } else {
        late as f64 / matched as f64
    };
    [
        due as f64,
        missed as f64,
        behind as f64,
        next,
        late as f64,
        share,
    ]
}

/// (missed, behind, late, matched) with every submission matched to the assessment it names.
fn exact(
    deadlines: &[(i64, String)],
    submissions: &[Submitted<'_>],
    due: usize,
) -> (usize, usize, usize, usize) {
    // The first submission of each assessment (submissions are in time order).
    let mut first: HashMap<&str, i64> = HashMap::new();
    for &(t, r) in submissions {
        if let Some(r) = r {
            first.entry(r).or_insert(t);
        }
    }
    let (mut missed, mut behind, mut late, mut matched) = (0, 0, 0, 0);
    for (k, (t_due, id)) in deadlines.iter().enumerate() {
        match first.get(id.as_str()) {
            Some(&t) => {
                matched += 1;
                if t > *t_due {
                    late += 1;
                    if k < due {
                        behind += 1;
                    }
                }
            }
            None if k < due => {
                missed += 1;
                behind += 1;
            }
            None => {}
        }
    }
    (missed, behind, late, matched)
}

/// (missed, behind, late, matched) with the k-th submission taken to answer the k-th deadline.
fn counted(
    deadlines: &[(i64, String)],
    submissions: &[Submitted<'_>],
    due: usize,
) -> (usize, usize, usize, usize) {
    let submitted = submissions.len();
    let behind = deadlines[..due]
        .iter()
        .enumerate()
        .filter(|(k, t)| submissions.partition_point(|s| s.0 <= t.0) < k + 1)
        .count();
    let matched = submitted.min(deadlines.len());
    let late = deadlines
        .iter()
        .zip(submissions)
        .filter(|(t, s)| s.0 > t.0)
        .count();
    (due.saturating_sub(submitted), behind, late, matched)
}
