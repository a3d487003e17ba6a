//! # edupulse-report
//!
//! The report a person reads, built from what a run of the daily job stored: `report.json`
//! (everything, machine-readable) and `report.html` (KPI tiles, tables and inline SVG charts,
//! self-contained: no script, no network), in Spanish (the default) or English.
//!
//! - [`read`]: the read model, one struct per section filled from the run's typed result rows;
//! - [`html`], [`charts`] and [`sections`]: the page, the SVG helpers and one module per section;
//! - [`webinar`]: one page per ended webinar (`webinars/<id>.html`, the latest 50), linked
//!   from the report's feedback table;
//! - [`Lang`] and [`labels`]: every visible text in both languages, number and date formats.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use edupulse_core::job::{Job, JobConfig};
//! use edupulse_core::simulate::{simulate, SimConfig};
//! use edupulse_report::{Lang, Report};
//! use edupulse_store::{memory::MemoryStore, Store};
//! let sim = SimConfig { students: 40, seed: 3, ..SimConfig::default() };
//! let tables = simulate(&sim)?;
//! let store = MemoryStore::new();
//! store.ingest(&tables).await?;
//! let as_of = edupulse_core::model::end_of_day(sim.end_date());
//! let run = Job::new(&JobConfig::default())?.only(&["kpis"])?.run(&tables, as_of, |_, _, _| {})?;
//! store.write_run(&run).await?;
//! let report = Report::build(&store, None).await?;
//! assert!(report.to_html(Lang::Es).starts_with("<!doctype html>\n<html lang=\"es\">"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
#![warn(missing_docs)]

pub mod charts;
pub mod html;
pub mod labels;
mod lang;
pub mod read;
pub mod sections;
pub mod webinar;
pub mod weekly;

pub use lang::{fill, Lang};
pub use read::{run_clock, Report};

use chrono::{DateTime, Utc};
use edupulse_core::model::format_datetime;
use edupulse_store::StoreError;
use std::path::{Path, PathBuf};

/// What building or writing a report can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The store failed, or a result row did not fit its table's type.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A result row did not fit its type.
    #[error(transparent)]
    Core(#[from] edupulse_core::CoreError),
    /// The store has no run at the requested `as_of` (or no run at all).
    #[error("{store}: {}", match as_of {
        Some(t) => format!("no run as of {} (run `edupulse run` first)", format_datetime(t)),
        None => "no run yet (run `edupulse run` first)".to_string(),
    })]
    NoRun {
        /// The store (as described by the store, no secrets).
        store: String,
        /// The requested run, `None` for "the latest".
        as_of: Option<DateTime<Utc>>,
    },
    /// Writing a file failed.
    #[error("{path}: {message}")]
    Io {
        /// The file or folder.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// An unknown report language.
    #[error("unknown report language `{0}` (expected `es` or `en`)")]
    Lang(String),
}

/// The files [`Report::write`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// `report.json`.
    pub json: PathBuf,
    /// `report.html`.
    pub html: PathBuf,
    /// The webinar pages (`webinars/<file>.html`, see [`webinar`]), latest webinar first.
    pub pages: Vec<PathBuf>,
}

impl Report {
    /// The HTML page in `lang` (self-contained: inline CSS and SVG, no script, no network).
    pub fn to_html(&self, lang: Lang) -> String {
        html::page(self, lang)
    }

    /// The read model as pretty JSON (the content of `report.json`).
    pub fn to_json(&self) -> Result<String, Error> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Io {
            path: "report.json".to_string(),
            message: e.to_string(),
        })
    }

    /// The page of ended webinar `webinar_id` in `lang` ([`webinar::page`]); `None` when the
    /// run has no outcome row for it.
    pub fn webinar_html(&self, webinar_id: &str, lang: Lang) -> Option<String> {
        self.feedback
            .outcomes
            .iter()
            .find(|w| w.webinar_id == webinar_id)
            .map(|w| webinar::page(self, w, lang))
    }

    /// Write `report.json` and `report.html` (in `lang`) into `dir`, created if needed, and the
    /// webinar pages into `dir/webinars/` ([`Report::write_pages`]).
    pub fn write(&self, dir: &Path, lang: Lang) -> Result<Written, Error> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let json = dir.join("report.json");
        std::fs::write(&json, self.to_json()?).map_err(|e| io(&json, e))?;
        let html = dir.join("report.html");
        std::fs::write(&html, self.to_html(lang)).map_err(|e| io(&html, e))?;
        let pages = self.write_pages(dir, lang)?;
        Ok(Written { json, html, pages })
    }

    /// Write the page of each of the [`webinar::MAX_PAGES`] latest ended webinars into
    /// `dir/webinars/` (the folder a `report.html` in `dir` links to), latest first; returns the
    /// files. Pages of earlier runs are left as they are.
    pub fn write_pages(&self, dir: &Path, lang: Lang) -> Result<Vec<PathBuf>, Error> {
        let paged = webinar::paged(&self.feedback);
        if paged.is_empty() {
            return Ok(Vec::new());
        }
        let folder = dir.join(webinar::DIR);
        std::fs::create_dir_all(&folder).map_err(|e| io(&folder, e))?;
        let mut out = Vec::with_capacity(paged.len());
        for w in paged {
            let path = folder.join(webinar::file_name(&w.webinar_id));
            std::fs::write(&path, webinar::page(self, w, lang)).map_err(|e| io(&path, e))?;
            out.push(path);
        }
        Ok(out)
    }
}

fn io(p: &Path, e: std::io::Error) -> Error {
    Error::Io {
        path: p.display().to_string(),
        message: e.to_string(),
    }
}
