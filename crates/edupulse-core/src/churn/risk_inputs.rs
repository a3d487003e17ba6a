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
//!   (deadlines passed), `assessments_missed` (passed deadlines not matched by as many
//!   submissions: still owed), `deadlines_behind` (passed deadlines at which the student had
//!   submitted fewer assessments than were due by then: late or missing), `days_to_next_deadline`
//!   (0 when none is ahead). Submissions are counted, not matched to an assessment: `activity`
//!   does not say which assessment a submission is for.

use crate::error::{CoreError, Result};
use crate::model::{Tables, COURSE_ATTRIBUTE};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Names of the schedule feature columns, in order.
pub const SCHEDULE_FEATURES: [&str; 4] = [
    "assessments_due",
    "assessments_missed",
    "deadlines_behind",
    "days_to_next_deadline",
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
    /// Deadlines of the student's course (unix seconds, sorted).
    pub deadlines: Vec<i64>,
}

/// The extra inputs of every student of `tables`, by student id.
pub(crate) fn extras(tables: &Tables, spec: &FeatureSpec) -> HashMap<String, Extra> {
    let mut deadlines: HashMap<&str, Vec<i64>> = HashMap::new();
    if spec.schedule {
        for d in &tables.assessment_schedule {
            deadlines
                .entry(d.course_id.as_str())
                .or_default()
                .push(d.due_at.timestamp());
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

/// The schedule columns of a student at `d` from its deadlines and its submission times
/// (sorted, at or before `d`).
pub(crate) fn schedule_features(deadlines: &[i64], submissions: &[i64], d: i64) -> [f64; 4] {
    let due = deadlines.partition_point(|&t| t <= d);
    let submitted = submissions.partition_point(|&t| t <= d);
    let behind = deadlines[..due]
        .iter()
        .enumerate()
        .filter(|(k, &t)| submissions.partition_point(|&s| s <= t) < k + 1)
        .count();
    let next = deadlines
        .get(due)
        .map_or(0.0, |&t| (t - d) as f64 / 86_400.0);
    [
        due as f64,
        due.saturating_sub(submitted) as f64,
        behind as f64,
        next,
    ]
}
