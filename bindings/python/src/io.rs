//! Importers of tools' exports (`edupulse.io.from_*`): frames in, `{table: {column: list}}` out.

use crate::convert::{collect_columns, tables_to_py};
use crate::errors::{guard, Failure};
use edupulse::core::import::{self, crm, oulad, pytrends, stripe, zoom, Frame};
use edupulse::core::model::{parse_datetime, Limits, Table, Tables};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::Deserialize;
use std::collections::BTreeMap;

/// One frame as sent by Python: the column names and the rows as text.
type RawFrame = (Vec<String>, Vec<Vec<Option<String>>>);

/// The options `edupulse.io` passes (as JSON).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Options {
    currency: Option<String>,
    geo: Option<String>,
    utc_offset_minutes: i32,
    mapping: Option<crm::CrmMapping>,
    webinar: Option<WebinarJson>,
    path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WebinarJson {
    webinar_id: String,
    title: String,
    topic: Option<String>,
    starts_at: String,
    duration_min: u32,
}

fn frame(frames: &mut BTreeMap<String, RawFrame>, name: &str) -> Option<Frame> {
    frames
        .remove(name)
        .map(|(headers, rows)| Frame::new(name, headers, rows))
}

fn need(frames: &mut BTreeMap<String, RawFrame>, name: &str) -> Result<Frame, Failure> {
    frame(frames, name).ok_or_else(|| Failure::param(name, "missing"))
}

fn run(
    source: &str,
    mut frames: BTreeMap<String, RawFrame>,
    o: Options,
) -> Result<Tables, Failure> {
    let limits = Limits::default();
    Ok(match source {
        "pytrends" => {
            let interest = need(&mut frames, "interest")?;
            let related = frame(&mut frames, "related");
            let po = pytrends::PytrendsOptions { geo: o.geo, limits };
            pytrends::import(&interest, related.as_ref(), &po)?
        }
        "zoom" => {
            let zo = zoom::ZoomOptions {
                utc_offset_minutes: o.utc_offset_minutes,
                limits,
                ..Default::default()
            };
            let webinar = match (o.webinar, frame(&mut frames, "webinar")) {
                (Some(w), _) => zoom::WebinarInfo {
                    webinar_id: w.webinar_id,
                    title: w.title,
                    topic: w.topic,
                    starts_at: parse_datetime(&w.starts_at)
                        .map_err(|m| Failure::param("webinar.starts_at", m))?,
                    duration_min: w.duration_min,
                },
                (None, Some(summary)) => zoom::webinar_from_summary(&summary, &zo)?,
                (None, None) => {
                    return Err(Failure::param(
                        "webinar",
                        "the webinar is required: a dict (webinar_id, title, starts_at, \
                         duration_min[, topic]) or Zoom's report summary as a DataFrame (Topic, \
                         Webinar ID, Actual Start Time, Actual Duration (minutes))",
                    ))
                }
            };
            let reg = need(&mut frames, "registrants")?;
            let part = need(&mut frames, "participants")?;
            zoom::import(&reg, &part, &webinar, &zo)?
        }
        "stripe" => {
            let so = stripe::StripeOptions {
                currency: o.currency,
                limits,
            };
            stripe::import(&need(&mut frames, "charges")?, &so)?
        }
        "crm" => {
            let contacts = need(&mut frames, "contacts")?;
            let acts = frame(&mut frames, "activities");
            crm::import(
                &contacts,
                acts.as_ref(),
                &o.mapping.unwrap_or_default(),
                &limits,
            )?
        }
        "oulad" => match o.path {
            Some(p) => import::import_files(
                import::Source::Oulad,
                &[std::path::PathBuf::from(p)],
                &Default::default(),
            )?,
            None => {
                let f = oulad::OuladFrames {
                    student_info: need(&mut frames, "studentInfo")?,
                    student_registration: need(&mut frames, "studentRegistration")?,
                    assessments: need(&mut frames, "assessments")?,
                    student_assessment: need(&mut frames, "studentAssessment")?,
                    courses: need(&mut frames, "courses")?,
                };
                oulad::import(&f, &limits)?
            }
        },
        other => {
            return Err(Failure::param(
                "source",
                format!("unknown source `{other}`"),
            ))
        }
    })
}

/// Import a tool's export: `frames` maps a role (`interest`, `registrants`, `charges`, ...) to
/// `(columns, rows as text)`; `options` is a JSON object. Returns `{table: {column: list}}` of
/// the non-empty tables, validated.
#[pyfunction]
#[pyo3(signature = (source, frames, options="{}"))]
pub(crate) fn import_frames<'py>(
    py: Python<'py>,
    source: &str,
    frames: BTreeMap<String, RawFrame>,
    options: &str,
) -> PyResult<Bound<'py, PyDict>> {
    guard(|| {
        let o: Options =
            serde_json::from_str(options).map_err(|e| Failure::param("options", e.to_string()))?;
        let source = source.to_string();
        let columns = py.detach(move || -> Result<_, Failure> {
            let tables = run(&source, frames, o)?;
            let counts = tables.counts();
            Ok(Table::ALL
                .iter()
                .filter(|t| counts.get(t.name()).is_some_and(|n| *n > 0))
                .map(|t| (*t, collect_columns(*t, &tables)))
                .collect::<Vec<_>>())
        })?;
        Ok(tables_to_py(py, columns)?)
    })
}
