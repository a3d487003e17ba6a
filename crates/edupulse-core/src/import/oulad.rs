//! The Open University Learning Analytics Dataset (OULAD; Kuzilek et al. 2017, CC-BY 4.0) →
//! `students`, `activity`, `student_attributes` and `assessment_schedule`.
//!
//! Files read (the dataset's own names and columns; extra columns ignored): `studentInfo.csv`
//! (`code_module`, `code_presentation`, `id_student`, `highest_education`, `imd_band`,
//! `final_result`), `studentRegistration.csv` (`date_registration`, `date_unregistration`),
//! `assessments.csv` (`id_assessment`, `code_module`, `code_presentation`),
//! `studentAssessment.csv` (`id_assessment`, `id_student`, `date_submitted`, `score`) and
//! `courses.csv` (`module_presentation_length`).
//!
//! Mapping (edupulse has no course table on this branch, so the course lives in the id):
//! - one **student per enrolment**: `student_id` = `<module>-<presentation>-<id_student>`
//!   (a student on two modules is two enrolments, as OULAD counts them); `email` =
//!   `<id_student>@oulad.invalid`, `name` = `id_student`; the segment columns carry what the
//!   risk model can use: `industry` = the module, `role` = `highest_education`, `company_size` =
//!   `imd_band` (`unknown` when empty); `enrolled_at` = the registration day.
//! - days are offsets from the presentation's start, which OULAD does not date: `B`
//!   presentations are taken to start on 1 February and `J` ones on 1 October of their year
//!   (the dataset's documentation: B starts in February, J in October).
//! - `activity`: `registered` at registration; `assessment_submitted` at the submission day,
//!   `value` = the score (0–100), or empty when the score is missing (`?` in the original
//!   release, empty here), `ref_id` = `id_assessment` (the `assessment_schedule` row it answers,
//!   so the risk model tells late from on time); same-day submissions of one enrolment are a
//!   second apart (in `id_assessment` order) so each keeps its own row under the key
//!   `[student_id, at, kind]`; `withdrawn` at the unregistration day;
//!   `certificate` at the presentation's end for `Pass` and `Distinction` (so "not completing"
//!   is computable from the tables). Banked submissions (`is_banked` = 1, a result carried from
//!   an earlier presentation) are kept at the day OULAD gives.
//! - `student_attributes`: `course` = `<module>-<presentation>` (the link to the schedule) and,
//!   when the column is in `studentInfo.csv` and the value not empty, `gender`, `region`,
//!   `age_band`, `disability`, `num_of_prev_attempts` and `studied_credits` (all known at
//!   registration).
//! - `assessment_schedule`: one deadline per row of `assessments.csv` with a `date`,
//!   `course_id` = `<module>-<presentation>`, `due_at` = the end of that day (start + `date` + 1
//!   days − 1 s; a submission on the due day is on time), `weight` = `weight`. Exams without a
//!   date (OULAD: "at the end of the last presentation week") have no deadline row.

use super::{finish, Frame};
use crate::error::{CoreError, Result};
use crate::model::{
    Activity, ActivityKind, AssessmentDeadline, Limits, Student, StudentAttribute, Tables,
    COURSE_ATTRIBUTE,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};

/// The five OULAD tables this importer reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OuladFrames {
    /// `studentInfo.csv`.
    pub student_info: Frame,
    /// `studentRegistration.csv`.
    pub student_registration: Frame,
    /// `assessments.csv`.
    pub assessments: Frame,
    /// `studentAssessment.csv`.
    pub student_assessment: Frame,
    /// `courses.csv`.
    pub courses: Frame,
}

/// The file names of the five tables, in [`OuladFrames`] order.
pub const FILES: [&str; 5] = [
    "studentInfo.csv",
    "studentRegistration.csv",
    "assessments.csv",
    "studentAssessment.csv",
    "courses.csv",
];

impl OuladFrames {
    /// Read the five files from the dataset's folder.
    pub fn read_dir(dir: &std::path::Path) -> Result<OuladFrames> {
        let o = crate::csvio::CsvOptions {
            delimiter: Some(b','),
            ..Default::default()
        };
        let f = |name: &str, has: &[&str]| Frame::read(&dir.join(name), &o, has);
        Ok(OuladFrames {
            student_info: f(FILES[0], &["id_student", "code_module"])?,
            student_registration: f(FILES[1], &["id_student", "code_module"])?,
            assessments: f(FILES[2], &["id_assessment", "code_module"])?,
            student_assessment: f(FILES[3], &["id_assessment", "id_student"])?,
            courses: f(FILES[4], &["code_module", "code_presentation"])?,
        })
    }
}

/// The start of a presentation (`2013B` → 2013-02-01, `2014J` → 2014-10-01).
pub fn presentation_start(code: &str) -> Option<DateTime<Utc>> {
    let year: i32 = code.get(..4)?.parse().ok()?;
    let month = match code.get(4..)? {
        "B" => 2,
        "J" => 10,
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, month, 1).map(crate::model::date_to_datetime)
}

/// The enrolment id of a student on a module presentation.
pub fn enrolment_id(module: &str, presentation: &str, student: &str) -> String {
    format!("{module}-{presentation}-{student}")
}

fn day(frame: &Frame, r: usize, c: super::Col) -> Result<Option<i64>> {
    match frame.get(r, c) {
        None | Some("?") => Ok(None),
        Some(t) => t
            .parse::<i64>()
            .map(Some)
            .map_err(|_| frame.err(r, c, format!("`{t}` is not a day number"))),
    }
}

/// The `studentInfo.csv` columns copied to `student_attributes` (when present), known at
/// registration.
pub const ATTRIBUTES: [&str; 6] = [
    "gender",
    "region",
    "age_band",
    "disability",
    "num_of_prev_attempts",
    "studied_credits",
];

/// One submission: the assessment id as a number (for ordering; 0 when not a number), the
/// assessment id as written, and the score.
type Submission = (i64, String, Option<f64>);

/// `students`, `activity`, `student_attributes` and `assessment_schedule` from the OULAD tables.
pub fn import(f: &OuladFrames, limits: &Limits) -> Result<Tables> {
    let info = &f.student_info;
    let (im, ip, is) = (
        info.require(&["code_module"])?,
        info.require(&["code_presentation"])?,
        info.require(&["id_student"])?,
    );
    let (edu, imd, result) = (
        info.require(&["highest_education"])?,
        info.require(&["imd_band"])?,
        info.require(&["final_result"])?,
    );
    let reg = &f.student_registration;
    let (rm, rp, rs, rd, ru) = (
        reg.require(&["code_module"])?,
        reg.require(&["code_presentation"])?,
        reg.require(&["id_student"])?,
        reg.require(&["date_registration"])?,
        reg.require(&["date_unregistration"])?,
    );
    let cs = &f.courses;
    let (cm, cp, cl) = (
        cs.require(&["code_module"])?,
        cs.require(&["code_presentation"])?,
        cs.require(&["module_presentation_length"])?,
    );
    let mut length: HashMap<(String, String), i64> = HashMap::new();
    for r in 0..cs.rows.len() {
        let l = day(cs, r, cl)?.ok_or_else(|| cs.err(r, cl, "missing value"))?;
        length.insert((cs.text(r, cm)?.into(), cs.text(r, cp)?.into()), l);
    }
    let start_of = |frame: &Frame, r: usize, c: super::Col| -> Result<DateTime<Utc>> {
        let p = frame.text(r, c)?;
        presentation_start(p).ok_or_else(|| {
            frame.err(
                r,
                c,
                format!("`{p}` is not a presentation (YYYYB or YYYYJ)"),
            )
        })
    };
    let attr_cols: Vec<(&str, super::Col)> = ATTRIBUTES
        .iter()
        .filter_map(|n| info.find(&[n]).map(|c| (*n, c)))
        .collect();
    let mut registration: HashMap<String, (Option<i64>, Option<i64>)> = HashMap::new();
    for r in 0..reg.rows.len() {
        let id = enrolment_id(reg.text(r, rm)?, reg.text(r, rp)?, reg.text(r, rs)?);
        registration.insert(id, (day(reg, r, rd)?, day(reg, r, ru)?));
    }
    let mut tables = Tables::default();
    let mut starts: HashMap<String, DateTime<Utc>> = HashMap::new();
    let at = |start: DateTime<Utc>, d: i64| start + Duration::days(d);
    for r in 0..info.rows.len() {
        let (module, pres, student) = (info.text(r, im)?, info.text(r, ip)?, info.text(r, is)?);
        let start = start_of(info, r, ip)?;
        let id = enrolment_id(module, pres, student);
        let (reg_day, unreg_day) = registration.get(&id).copied().unwrap_or((None, None));
        let enrolled_at = at(start, reg_day.unwrap_or(0));
        starts.insert(id.clone(), start);
        tables.students.push(Student {
            student_id: id.clone(),
            email: format!("{student}@oulad.invalid"),
            name: student.to_string(),
            industry: module.to_string(),
            role: info.get(r, edu).unwrap_or("unknown").to_string(),
            company_size: info.get(r, imd).unwrap_or("unknown").to_string(),
            enrolled_at,
        });
        tables.student_attributes.push(StudentAttribute {
            student_id: id.clone(),
            name: COURSE_ATTRIBUTE.to_string(),
            value: format!("{module}-{pres}"),
        });
        for (name, c) in &attr_cols {
            if let Some(v) = info.get(r, *c).filter(|v| !v.trim().is_empty()) {
                tables.student_attributes.push(StudentAttribute {
                    student_id: id.clone(),
                    name: (*name).to_string(),
                    value: v.trim().to_string(),
                });
            }
        }
        tables.activity.push(Activity {
            student_id: id.clone(),
            at: enrolled_at,
            kind: ActivityKind::Registered,
            value: None,
            ref_id: None,
        });
        if let Some(u) = unreg_day {
            tables.activity.push(Activity {
                student_id: id.clone(),
                at: at(start, u),
                kind: ActivityKind::Withdrawn,
                value: None,
                ref_id: None,
            });
        }
        let res = info.text(r, result)?;
        if res.eq_ignore_ascii_case("pass") || res.eq_ignore_ascii_case("distinction") {
            let len = length
                .get(&(module.to_string(), pres.to_string()))
                .ok_or_else(|| info.err(r, ip, "presentation not in courses.csv"))?;
            tables.activity.push(Activity {
                student_id: id,
                at: at(start, *len),
                kind: ActivityKind::Certificate,
                value: None,
                ref_id: None,
            });
        }
    }
    let asm = &f.assessments;
    let (aid, am, ap) = (
        asm.require(&["id_assessment"])?,
        asm.require(&["code_module"])?,
        asm.require(&["code_presentation"])?,
    );
    let (adate, aweight) = (asm.find(&["date"]), asm.find(&["weight"]));
    let mut course_of: HashMap<String, (String, String)> = HashMap::new();
    for r in 0..asm.rows.len() {
        if let Some(due) = adate.map(|c| day(asm, r, c)).transpose()?.flatten() {
            let start = start_of(asm, r, ap)?;
            let weight = match aweight.and_then(|c| asm.get(r, c).map(|t| (c, t))) {
                None => None,
                Some((c, t)) => Some(
                    t.parse::<f64>()
                        .ok()
                        .filter(|w| w.is_finite() && *w >= 0.0)
                        .ok_or_else(|| asm.err(r, c, format!("`{t}` is not a weight ≥ 0")))?,
                ),
            };
            tables.assessment_schedule.push(AssessmentDeadline {
                course_id: format!("{}-{}", asm.text(r, am)?, asm.text(r, ap)?),
                assessment_id: asm.text(r, aid)?.to_string(),
                due_at: at(start, due + 1) - Duration::seconds(1),
                weight,
            });
        }
        course_of.insert(
            asm.text(r, aid)?.to_string(),
            (asm.text(r, am)?.to_string(), asm.text(r, ap)?.to_string()),
        );
    }
    let sa = &f.student_assessment;
    let (said, sas, sad, sasc) = (
        sa.require(&["id_assessment"])?,
        sa.require(&["id_student"])?,
        sa.require(&["date_submitted"])?,
        sa.require(&["score"])?,
    );
    // (enrolment, day) → [(id_assessment, score)], to space same-day submissions a second apart.
    let mut subs: BTreeMap<(String, i64), Vec<Submission>> = BTreeMap::new();
    for r in 0..sa.rows.len() {
        let a = sa.text(r, said)?;
        let (module, pres) = course_of.get(a).ok_or_else(|| {
            sa.err(
                r,
                said,
                format!("assessment `{a}` is not in assessments.csv"),
            )
        })?;
        let id = enrolment_id(module, pres, sa.text(r, sas)?);
        if !starts.contains_key(&id) {
            return Err(sa.err(
                r,
                sas,
                format!("enrolment `{id}` is not in studentInfo.csv"),
            ));
        }
        let d = day(sa, r, sad)?.ok_or_else(|| sa.err(r, sad, "missing value"))?;
        let score = match sa.get(r, sasc) {
            None | Some("?") => None,
            Some(t) => Some(
                t.parse::<f64>()
                    .ok()
                    .filter(|x| (0.0..=100.0).contains(x))
                    .ok_or_else(|| sa.err(r, sasc, format!("`{t}` is not a score in 0–100")))?,
            ),
        };
        let n: i64 = a.parse().unwrap_or(0);
        subs.entry((id, d))
            .or_default()
            .push((n, a.to_string(), score));
    }
    for ((id, d), mut list) in subs {
        let start = starts.get(&id).copied().ok_or_else(|| {
            CoreError::validation(
                "activity",
                None,
                Some("student_id"),
                format!("`{id}` unknown"),
            )
        })?;
        list.sort_by(|x, y| x.0.cmp(&y.0).then_with(|| x.1.cmp(&y.1)));
        for (k, (_, assessment, score)) in list.into_iter().enumerate() {
            tables.activity.push(Activity {
                student_id: id.clone(),
                at: at(start, d) + Duration::seconds(k as i64),
                kind: ActivityKind::AssessmentSubmitted,
                value: score,
                ref_id: Some(assessment),
            });
        }
    }
    finish(tables, limits)
}
