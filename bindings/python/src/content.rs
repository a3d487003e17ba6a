//! Bindings of `edupulse_core::content`: conversion and error mapping only. Transcripts cross as
//! columns (lists); results come back as a dict of columns (`edupulse.content` builds the
//! DataFrame). The GIL is released around the segmentation and the mastery computation.

use crate::errors::{guard, Failure};
use chrono::DateTime;
use edupulse::core::content::step::{mastery_of_tables, ContentConfig};
use edupulse::core::content::{
    segment_text, segment_transcript, LessonParams, SegmentParams, TranscriptSegment,
};
use edupulse::core::repetition::ScheduleParams;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// Start index of each segment after the first (`edupulse.content.segment_text`).
#[pyfunction]
#[pyo3(signature = (sentences, n_segments = None, min_sentences = 2))]
pub(crate) fn content_segment_text(
    py: Python<'_>,
    sentences: Vec<String>,
    n_segments: Option<usize>,
    min_sentences: usize,
) -> PyResult<Vec<usize>> {
    guard(|| {
        let p = SegmentParams {
            n_segments,
            min_sentences,
            ..SegmentParams::default()
        };
        py.detach(|| segment_text(&sentences, &p).map_err(Failure::Core))
    })
}

/// Micro-lessons of transcripts given as columns: a dict of columns (content_id, lesson, start_s,
/// end_s, title, key_terms).
#[pyfunction]
#[pyo3(signature = (content_id, start_s, end_s, text, min_minutes = 5.0, max_minutes = 10.0))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn content_segment_transcript<'py>(
    py: Python<'py>,
    content_id: Vec<String>,
    start_s: Vec<f64>,
    end_s: Vec<f64>,
    text: Vec<String>,
    min_minutes: f64,
    max_minutes: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let lessons = guard(|| {
        let n = content_id.len();
        if start_s.len() != n || end_s.len() != n || text.len() != n {
            return Err(Failure::table(
                "transcript_segments",
                None,
                "columns differ in length",
            ));
        }
        let segs: Vec<TranscriptSegment> = (0..n)
            .map(|i| TranscriptSegment {
                content_id: content_id[i].clone(),
                start_s: start_s[i],
                end_s: end_s[i],
                text: text[i].clone(),
            })
            .collect();
        let p = LessonParams {
            min_minutes,
            max_minutes,
            ..LessonParams::default()
        };
        py.detach(|| segment_transcript(&segs, &p).map_err(Failure::Core))
    })?;
    let d = PyDict::new(py);
    d.set_item(
        "content_id",
        PyList::new(py, lessons.iter().map(|l| l.content_id.as_str()))?,
    )?;
    d.set_item("lesson", PyList::new(py, lessons.iter().map(|l| l.lesson))?)?;
    d.set_item(
        "start_s",
        PyList::new(py, lessons.iter().map(|l| l.start_s))?,
    )?;
    d.set_item("end_s", PyList::new(py, lessons.iter().map(|l| l.end_s))?)?;
    d.set_item(
        "title",
        PyList::new(py, lessons.iter().map(|l| l.title.as_str()))?,
    )?;
    d.set_item(
        "key_terms",
        PyList::new(py, lessons.iter().map(|l| l.key_terms.clone()))?,
    )?;
    Ok(d)
}

/// A `content_mastery` row as a tuple (student_id, concept_id, mastery, cards_studied, cards_due,
/// quizzes_taken, difficult).
type MasteryTuple = (String, String, f64, u32, u32, u32, bool);
/// A `content_next_steps` row as a tuple (student_id, concept_id, concept_name, reason,
/// for_concept, mastery).
type NextTuple = (String, String, String, String, Option<String>, f64);

/// Mastery per (learner, concept) and each learner's next concept from `{table: {column: list}}`
/// (concepts, card_concepts, reviews, quiz_results) as of `as_of` (unix seconds; default: the
/// latest review or quiz result),
/// with the daily job's default parameters.
#[pyfunction]
#[pyo3(signature = (tables, as_of=None))]
pub(crate) fn content_mastery(
    py: Python<'_>,
    tables: &Bound<'_, PyAny>,
    as_of: Option<i64>,
) -> PyResult<(Vec<MasteryTuple>, Vec<NextTuple>)> {
    guard(|| {
        let raw = crate::convert::extract_tables(tables)?;
        py.detach(
            move || -> Result<(Vec<MasteryTuple>, Vec<NextTuple>), Failure> {
                let mut t = crate::convert::parse_tables(&raw)?;
                t.validate()?;
                let at = match as_of {
                    Some(s) => DateTime::from_timestamp(s, 0)
                        .ok_or_else(|| Failure::param("as_of", "not a representable time"))?,
                    None => t
                        .reviews
                        .iter()
                        .map(|r| r.at)
                        .chain(t.quiz_results.iter().map(|q| q.at))
                        .max()
                        .unwrap_or(DateTime::UNIX_EPOCH),
                };
                let (m, s) = mastery_of_tables(
                    &t,
                    at,
                    &ContentConfig::default(),
                    &ScheduleParams::default(),
                )?;
                Ok((
                    m.into_iter()
                        .map(|x| {
                            (
                                x.student_id,
                                x.concept_id,
                                x.mastery,
                                x.cards_studied,
                                x.cards_due,
                                x.quizzes_taken,
                                x.difficult,
                            )
                        })
                        .collect(),
                    s.into_iter()
                        .map(|x| {
                            (
                                x.student_id,
                                x.concept_id,
                                x.concept_name,
                                x.reason,
                                x.for_concept,
                                x.mastery,
                            )
                        })
                        .collect(),
                ))
            },
        )
    })
}
