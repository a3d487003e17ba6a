//! Importers: the exports of the tools a course business already uses, turned into the input
//! tables (DESIGN §3) by pure functions.
//!
//! Each source has one module ([`pytrends`], [`zoom`], [`stripe`], [`crm`], [`oulad`]) taking
//! [`Frame`]s — an export's header and rows as text, from a CSV file ([`Frame::from_csv`]) or a
//! DataFrame — and returning a validated [`Tables`] batch. Columns are looked up by the name the
//! tool's documented export gives them; extra columns are ignored; a missing required column is
//! a [`CoreError::Validation`] naming the column and the file. The whole batch is built and
//! validated before anything is written, so an error ingests nothing, and ingesting two exports
//! of the same period twice is an idempotent upsert (rows carry the export's natural keys).

pub mod crm;
pub mod oulad;
pub mod pytrends;
pub mod stripe;
pub mod zoom;

use crate::csvio::{detect_delimiter, strip_bom, CsvOptions};
use crate::error::{CoreError, Result};
use crate::model::{Limits, Tables};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// An export as text: a header and rows of optional cells, with the name of its source (a file
/// name) for error messages.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    /// What the frame came from (a file name, or e.g. `"participants"` for a DataFrame).
    pub source: String,
    /// Column names.
    pub headers: Vec<String>,
    /// Rows, one cell per header; `None` or an empty string is a missing value.
    pub rows: Vec<Vec<Option<String>>>,
}

/// The position of a column in a [`Frame`], found by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Col(pub usize);

impl Frame {
    /// A frame from its parts.
    pub fn new(source: &str, headers: Vec<String>, rows: Vec<Vec<Option<String>>>) -> Frame {
        Frame {
            source: source.to_string(),
            headers,
            rows,
        }
    }

    /// Read a CSV export (byte-order mark skipped; the delimiter detected from the header line
    /// unless `options.delimiter` is set).
    ///
    /// When `header_has` is not empty, lines before the first record holding all of these
    /// column names are skipped (Zoom's reports start with a summary block; fixtures with a
    /// `# source` note). The table ends at a record with a different number of fields holding at
    /// most one value (the next block's title); any other record of the wrong width is an error.
    pub fn from_csv(
        bytes: &[u8],
        source: &str,
        options: &CsvOptions,
        header_has: &[&str],
    ) -> Result<Frame> {
        Frame::parse(bytes, source, options, header_has, false)
    }

    /// [`Frame::from_csv`] for one block of a sectioned report (Zoom's summary block): the
    /// table ends at the first record of a different width.
    pub fn block_from_csv(
        bytes: &[u8],
        source: &str,
        options: &CsvOptions,
        header_has: &[&str],
    ) -> Result<Frame> {
        Frame::parse(bytes, source, options, header_has, true)
    }

    fn parse(
        bytes: &[u8],
        source: &str,
        options: &CsvOptions,
        header_has: &[&str],
        block: bool,
    ) -> Result<Frame> {
        options.validate()?;
        let bytes = strip_bom(bytes);
        let delimiter = options.delimiter.unwrap_or_else(|| {
            let text = String::from_utf8_lossy(bytes);
            let line = text
                .lines()
                .find(|l| header_has.iter().all(|h| l.contains(h)))
                .unwrap_or_default();
            detect_delimiter(line)
        });
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(bytes);
        let mut headers: Option<Vec<String>> = None;
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                CoreError::validation(source, None, None, format!("unreadable CSV: {e}"))
                    .in_file(source)
            })?;
            match &headers {
                None => {
                    let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
                    if header_has
                        .iter()
                        .all(|h| cells.iter().any(|c| c.eq_ignore_ascii_case(h)))
                    {
                        headers = Some(cells);
                    }
                }
                Some(h) => {
                    if rec.len() != h.len() {
                        // A section title (`Attendee Details,`) ends the table; anything else
                        // of the wrong width is an error, never a silently shorter table.
                        if block || rec.iter().filter(|c| !c.trim().is_empty()).count() <= 1 {
                            break;
                        }
                        return Err(CoreError::validation(
                            source,
                            Some(rows.len() + 1),
                            None,
                            format!("row has {} fields, the header has {}", rec.len(), h.len()),
                        )
                        .in_file(source));
                    }
                    rows.push(
                        rec.iter()
                            .map(|c| Some(c.to_string()).filter(|c| !c.trim().is_empty()))
                            .collect(),
                    );
                }
            }
        }
        let Some(headers) = headers else {
            let what = if header_has.is_empty() {
                "file is empty: expected a header row".to_string()
            } else {
                format!("no header row with the columns {}", quoted(header_has))
            };
            return Err(CoreError::validation(source, None, None, what).in_file(source));
        };
        Ok(Frame::new(source, headers, rows))
    }

    /// Read a CSV export from a file (see [`Frame::from_csv`]).
    pub fn read(
        path: &std::path::Path,
        options: &CsvOptions,
        header_has: &[&str],
    ) -> Result<Frame> {
        Frame::from_csv(
            &read_bytes(path)?,
            &path.display().to_string(),
            options,
            header_has,
        )
    }

    /// Read one block of a sectioned report from a file (see [`Frame::block_from_csv`]).
    pub fn read_block(
        path: &std::path::Path,
        options: &CsvOptions,
        header_has: &[&str],
    ) -> Result<Frame> {
        Frame::block_from_csv(
            &read_bytes(path)?,
            &path.display().to_string(),
            options,
            header_has,
        )
    }

    /// The first of `names` present in the header (case-insensitive, surrounding spaces
    /// ignored), if any.
    pub fn find(&self, names: &[&str]) -> Option<Col> {
        names.iter().find_map(|n| {
            self.headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(n.trim()))
                .map(Col)
        })
    }

    /// The first of `names` present in the header, or an error naming the column and the file.
    pub fn require(&self, names: &[&str]) -> Result<Col> {
        self.find(names).ok_or_else(|| {
            let alt = if names.len() > 1 {
                format!(" (or {})", quoted(&names[1..]))
            } else {
                String::new()
            };
            CoreError::validation(
                &self.source,
                None,
                names.first().copied(),
                format!(
                    "required column is missing{alt}; the export has: {}",
                    quoted(&self.headers.iter().map(String::as_str).collect::<Vec<_>>())
                ),
            )
            .in_file(&self.source)
        })
    }

    /// The trimmed text of a cell; `None` when missing or empty.
    pub fn get(&self, row: usize, col: Col) -> Option<&str> {
        self.rows
            .get(row)
            .and_then(|r| r.get(col.0))
            .and_then(|c| c.as_deref())
            .map(str::trim)
            .filter(|c| !c.is_empty())
    }

    /// The trimmed text of a required cell, or an error naming the row and the column.
    pub fn text(&self, row: usize, col: Col) -> Result<&str> {
        self.get(row, col)
            .ok_or_else(|| self.err(row, col, "missing value"))
    }

    /// An error at a row (0-based here, reported 1-based) and column of this frame.
    pub fn err(&self, row: usize, col: Col, message: impl Into<String>) -> CoreError {
        let name = self.headers.get(col.0).map(String::as_str);
        CoreError::validation(&self.source, Some(row + 1), name, message).in_file(&self.source)
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parse an instant written in `format` (strftime; a time without an offset is local time
/// `utc_offset_minutes` east of UTC), or in ISO 8601 / RFC 3339.
pub fn parse_time(text: &str, format: &str, utc_offset_minutes: i32) -> Option<DateTime<Utc>> {
    let t = text.trim();
    let offset = chrono::FixedOffset::east_opt(utc_offset_minutes.saturating_mul(60))?;
    if let Ok(dt) = NaiveDateTime::parse_from_str(t, format) {
        return offset
            .from_local_datetime(&dt)
            .single()
            .map(|x| x.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, format) {
        return offset
            .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
            .single()
            .map(|x| x.with_timezone(&Utc));
    }
    crate::model::parse_datetime(t).ok()
}

/// Parse a number: `1234.5`, or with a decimal comma when `decimal` is `','`.
pub fn parse_number(text: &str, decimal: char) -> Option<f64> {
    let t = text.trim();
    let canonical = if decimal == ',' {
        if t.contains('.') {
            return None;
        }
        t.replace(',', ".")
    } else {
        t.replace(',', "")
    };
    canonical.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Validate a built batch (domain checks, `limits`, duplicate keys) before anything is written.
pub fn finish(mut tables: Tables, limits: &Limits) -> Result<Tables> {
    tables.validate_with(limits)?;
    Ok(tables)
}

/// The tools [`import_files`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Source {
    /// pytrends: `INTEREST.csv [RELATED.csv]`.
    Pytrends,
    /// Zoom: `REGISTRANTS.csv PARTICIPANTS.csv [SUMMARY.csv]` (the summary block defaults to
    /// the registration report's own).
    Zoom,
    /// Stripe: one or more payments exports.
    Stripe,
    /// A CRM: `CONTACTS.csv [ACTIVITIES.csv]`.
    Crm,
    /// OULAD: the dataset's folder.
    Oulad,
}

impl std::str::FromStr for Source {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Source> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pytrends" => Ok(Source::Pytrends),
            "zoom" => Ok(Source::Zoom),
            "stripe" => Ok(Source::Stripe),
            "crm" => Ok(Source::Crm),
            "oulad" => Ok(Source::Oulad),
            other => Err(CoreError::param(
                "from",
                format!("`{other}` (expected one of: pytrends, zoom, stripe, crm, oulad)"),
            )),
        }
    }
}

/// Options of [`import_files`]: the CSV reading, and each importer's own.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportOptions {
    /// Delimiter (detected when `None`) and ceilings; the importers read their tool's own
    /// number and date layouts.
    pub csv: CsvOptions,
    /// Stripe: the currency of the books.
    pub currency: Option<String>,
    /// Zoom: the account's time zone, minutes east of UTC.
    pub utc_offset_minutes: i32,
    /// pytrends: the region of the series.
    pub geo: Option<String>,
    /// CRM: the column mapping (default: HubSpot's names).
    pub crm_mapping: crm::CrmMapping,
}

fn arity(source: &str, paths: &[std::path::PathBuf], min: usize, max: usize) -> Result<()> {
    if paths.len() < min || paths.len() > max {
        let want = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(CoreError::param(
            "paths",
            format!("--from {source} takes {want} paths, got {}", paths.len()),
        ));
    }
    Ok(())
}

/// Read a tool's export files and import them into a validated batch (nothing is written; an
/// error leaves the store untouched).
pub fn import_files(
    source: Source,
    paths: &[std::path::PathBuf],
    options: &ImportOptions,
) -> Result<Tables> {
    let o = &options.csv;
    let limits = o.limits.clone();
    match source {
        Source::Pytrends => {
            arity("pytrends", paths, 1, 2)?;
            let interest = Frame::read(&paths[0], o, &["date"])?;
            let related = match paths.get(1) {
                Some(p) => Some(Frame::read(p, o, &["keyword", "query"])?),
                None => None,
            };
            let po = pytrends::PytrendsOptions {
                geo: options.geo.clone(),
                limits,
            };
            pytrends::import(&interest, related.as_ref(), &po)
        }
        Source::Zoom => {
            arity("zoom", paths, 2, 3)?;
            let zo = zoom::ZoomOptions {
                utc_offset_minutes: options.utc_offset_minutes,
                limits,
                ..zoom::ZoomOptions::default()
            };
            let summary_path = paths.get(2).unwrap_or(&paths[0]);
            let summary = Frame::read_block(summary_path, o, &["Topic"])?;
            let webinar = zoom::webinar_from_summary(&summary, &zo)?;
            let reg = Frame::read(&paths[0], o, &["Email", "Registration Time"])?;
            let part = Frame::read(&paths[1], o, &["Join Time", "Leave Time"])?;
            zoom::import(&reg, &part, &webinar, &zo)
        }
        Source::Stripe => {
            arity("stripe", paths, 1, usize::MAX)?;
            let so = stripe::StripeOptions {
                currency: options.currency.clone(),
                limits,
            };
            let mut all = Tables::default();
            for p in paths {
                all.extend(stripe::import(
                    &Frame::read(p, o, &["Amount", "Currency"])?,
                    &so,
                )?);
            }
            finish(all, &so.limits)
        }
        Source::Crm => {
            arity("crm", paths, 1, 2)?;
            let m = &options.crm_mapping;
            let contacts = Frame::read(&paths[0], o, &[&m.contacts.lead_id])?;
            let acts = match paths.get(1) {
                Some(p) => Some(Frame::read(p, o, &[&m.activities.kind])?),
                None => None,
            };
            crm::import(&contacts, acts.as_ref(), m, &limits)
        }
        Source::Oulad => {
            arity("oulad", paths, 1, 1)?;
            oulad::import(&oulad::OuladFrames::read_dir(&paths[0])?, &limits)
        }
    }
}

/// The bytes of an export file; an unreadable file is an I/O error naming it.
fn read_bytes(path: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| CoreError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests;
