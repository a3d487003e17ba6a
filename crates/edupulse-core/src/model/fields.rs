//! Typed columns: how each field type is parsed from text and rendered back.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// The storage kind of a column (drives SQL types, CSV rendering and DataFrame dtypes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ColumnKind {
    /// UTF-8 text (ids, names, enum values).
    Text,
    /// A finite 64-bit float.
    Float,
    /// A 64-bit integer.
    Int,
    /// A boolean.
    Bool,
    /// An instant, RFC 3339 in UTC.
    DateTime,
    /// A calendar date (ISO 8601).
    Date,
    /// A structured value (a list or an object), stored as JSON (`jsonb` on PostgreSQL). Only
    /// result tables have such columns (e.g. a score's top factors).
    Json,
}

impl ColumnKind {
    /// The lower-case name used in schemas and docs (`text`, `float`, `int`, `bool`,
    /// `datetime`, `date`, `json`).
    pub fn name(self) -> &'static str {
        match self {
            ColumnKind::Text => "text",
            ColumnKind::Float => "float",
            ColumnKind::Int => "int",
            ColumnKind::Bool => "bool",
            ColumnKind::DateTime => "datetime",
            ColumnKind::Date => "date",
            ColumnKind::Json => "json",
        }
    }
}

/// One column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ColumnSpec {
    /// Column name (the same in CSV, DataFrames and the store).
    pub name: &'static str,
    /// Storage kind.
    pub kind: ColumnKind,
    /// Whether a value is required (optional columns may be absent from the header).
    pub required: bool,
}

/// A single typed value, as written to CSV, SQL and DataFrames.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// Missing.
    Null,
    /// Text.
    Text(String),
    /// Float.
    Float(f64),
    /// Integer.
    Int(i64),
    /// Boolean.
    Bool(bool),
    /// Instant.
    DateTime(DateTime<Utc>),
    /// Date.
    Date(NaiveDate),
    /// A structured value (list or object).
    Json(serde_json::Value),
}

impl Value {
    /// The canonical text form (what CSV files hold); `None` for `Null`.
    pub fn to_text(&self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Text(s) => Some(s.clone()),
            Value::Float(x) => Some(format!("{x}")),
            Value::Int(i) => Some(i.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::DateTime(t) => Some(format_datetime(t)),
            Value::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
            Value::Json(v) => Some(v.to_string()),
        }
    }
}

/// Render an instant as RFC 3339 UTC with a `Z` (sub-seconds only when present).
pub fn format_datetime(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Parse an instant: RFC 3339 (any offset, converted to UTC), `YYYY-MM-DD HH:MM:SS[.f][offset]`,
/// a naive date-time (taken as UTC) or a bare date (midnight UTC).
pub fn parse_datetime(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let with_t = s.replacen(' ', "T", 1);
    if let Ok(t) = DateTime::parse_from_rfc3339(&with_t) {
        return Ok(t.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M:%S%#z"] {
        if let Ok(t) = DateTime::parse_from_str(&with_t, fmt) {
            return Ok(t.with_timezone(&Utc));
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&with_t, fmt) {
            return Ok(Utc.from_utc_datetime(&t));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(date_to_datetime(d));
    }
    Err(format!(
        "`{s}` is not a date-time (expected RFC 3339 such as 2024-05-01T14:00:00Z, or an ISO \
         date){}",
        day_first_hint(s)
    ))
}

/// Parse an ISO date (`YYYY-MM-DD`); a date-time is accepted and truncated to its UTC date.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d);
    }
    parse_datetime(s).map(|t| t.date_naive()).map_err(|_| {
        format!(
            "`{s}` is not a date (expected YYYY-MM-DD){}",
            day_first_hint(s)
        )
    })
}

/// A hint for dates such as `01/03/2025`: never guessed (1 March or 3 January?), read only with
/// an explicit date format.
fn day_first_hint(s: &str) -> &'static str {
    if s.contains('/') || s.matches('.').count() == 2 {
        "; dates such as 01/03/2025 are never guessed: give their format explicitly \
         (CLI `--date-format %d/%m/%Y`, Python `date_format=\"%d/%m/%Y\"`)"
    } else {
        ""
    }
}

/// The last second of a date, 23:59:59 UTC: what a bare date means as a run's `as_of`.
pub fn end_of_day(d: NaiveDate) -> DateTime<Utc> {
    date_to_datetime(d) + chrono::Duration::seconds(86_399)
}

/// A run's `as_of`: a bare date (`YYYY-MM-DD`) means the **end** of that day, 23:59:59 UTC (so
/// the run sees that whole day); anything else is parsed as an instant by [`parse_datetime`].
/// The CLI, the Python binding and the Rust API all use this one rule.
///
/// ```
/// use edupulse_core::model::parse_as_of;
/// assert_eq!(parse_as_of("2025-12-31").unwrap().to_rfc3339(), "2025-12-31T23:59:59+00:00");
/// assert_eq!(parse_as_of("2025-12-31T10:00:00Z").unwrap().to_rfc3339(), "2025-12-31T10:00:00+00:00");
/// ```
pub fn parse_as_of(s: &str) -> Result<DateTime<Utc>, String> {
    match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        Ok(d) => Ok(end_of_day(d)),
        Err(_) => parse_datetime(s),
    }
}

/// Midnight UTC of a date.
pub fn date_to_datetime(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN))
}

/// A type that can live in a column.
pub trait FieldType: Sized {
    /// Storage kind.
    const KIND: ColumnKind;
    /// Whether a value is required.
    const REQUIRED: bool = true;
    /// Parse from text; `None` is a missing value.
    fn parse_field(text: Option<&str>) -> Result<Self, String>;
    /// Render as a value.
    fn to_value(&self) -> Value;
}

fn required(text: Option<&str>) -> Result<&str, String> {
    match text.map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err("missing value".to_string()),
    }
}

impl FieldType for String {
    const KIND: ColumnKind = ColumnKind::Text;
    fn parse_field(text: Option<&str>) -> Result<Self, String> {
        required(text).map(str::to_string)
    }
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}

/// Parse a finite float; NaN and infinities are errors.
pub fn parse_f64(s: &str) -> Result<f64, String> {
    let x: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(format!("`{s}` is not a finite number"))
    }
}

impl FieldType for f64 {
    const KIND: ColumnKind = ColumnKind::Float;
    fn parse_field(text: Option<&str>) -> Result<Self, String> {
        parse_f64(required(text)?)
    }
    fn to_value(&self) -> Value {
        Value::Float(*self)
    }
}

/// Parse a non-negative integer; an integral float such as `3.0` (pandas' habit) is accepted.
pub fn parse_count(s: &str) -> Result<u32, String> {
    let t = s.trim();
    if let Ok(v) = t.parse::<u32>() {
        return Ok(v);
    }
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= u32::MAX as f64 => {
            Ok(x as u32)
        }
        Ok(x) if x < 0.0 => Err(format!("`{s}` is negative; expected a count ≥ 0")),
        _ => Err(format!("`{s}` is not a whole number ≥ 0")),
    }
}

impl FieldType for u32 {
    const KIND: ColumnKind = ColumnKind::Int;
    fn parse_field(text: Option<&str>) -> Result<Self, String> {
        parse_count(required(text)?)
    }
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl FieldType for u8 {
    const KIND: ColumnKind = ColumnKind::Int;
    fn parse_field(text: Option<&str>) -> Result<Self, String> {
        let s = required(text)?;
        let v = parse_count(s)?;
        u8::try_from(v).map_err(|_| format!("`{s}` is too large"))
    }
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}

impl FieldType for bool {
    const KIND: ColumnKind = ColumnKind::Bool;
    fn parse_field(text: Option<&str>) -> Result<Self, String> {
        let s = required(text)?;
        match s.to_ascii_lowercase().as_str() {
            "true" | "t" | "1" | "yes" | "y" | "1.0" => Ok(true),
            "false" | "f" | "0" | "no" | "n" | "0.0" => Ok(false),
            _ => Err(format!("`{s}` is not a boolean (true/false)")),
        }
    }
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl FieldType for DateTime<Utc> {
    const KIND: ColumnKind = ColumnKind::DateTime;
    fn parse_field(text: Option<&str>) -> Result<Self, String> {
        parse_datetime(required(text)?)
    }
    fn to_value(&self) -> Value {
        Value::DateTime(*self)
    }
}

impl FieldType for NaiveDate {
    const KIND: ColumnKind = ColumnKind::Date;
    fn parse_field(text: Option<&str>) -> Result<Self, String> {
        parse_date(required(text)?)
    }
    fn to_value(&self) -> Value {
        Value::Date(*self)
    }
}

impl<T: FieldType> FieldType for Option<T> {
    const KIND: ColumnKind = T::KIND;
    const REQUIRED: bool = false;
    fn parse_field(text: Option<&str>) -> Result<Self, String> {
        match text.map(str::trim) {
            None | Some("") => Ok(None),
            Some(s) => T::parse_field(Some(s)).map(Some),
        }
    }
    fn to_value(&self) -> Value {
        match self {
            None => Value::Null,
            Some(v) => v.to_value(),
        }
    }
}

/// A time that a row is filed under, for range queries.
pub trait AsInstant {
    /// The instant (dates are midnight UTC).
    fn as_instant(&self) -> DateTime<Utc>;
}

impl AsInstant for DateTime<Utc> {
    fn as_instant(&self) -> DateTime<Utc> {
        *self
    }
}

impl AsInstant for NaiveDate {
    fn as_instant(&self) -> DateTime<Utc> {
        date_to_datetime(*self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_in_common_shapes_parse_to_the_same_instant() {
        let want = Utc.with_ymd_and_hms(2024, 5, 1, 14, 0, 0).unwrap();
        for s in [
            "2024-05-01T14:00:00Z",
            "2024-05-01T16:00:00+02:00",
            "2024-05-01 14:00:00",
            "2024-05-01 14:00:00+00:00",
            "2024-05-01T14:00:00.000",
            "2024-05-01T14:00",
        ] {
            assert_eq!(parse_datetime(s).unwrap(), want, "{s}");
        }
        assert!(parse_datetime("2024-13-01").is_err());
        assert!(parse_datetime("yesterday").is_err());
    }

    #[test]
    fn floats_must_be_finite_and_counts_whole() {
        assert!(parse_f64("NaN").is_err());
        assert!(parse_f64("inf").is_err());
        assert_eq!(parse_count("3.0").unwrap(), 3);
        assert!(parse_count("-1").is_err());
        assert!(parse_count("2.5").is_err());
    }
}
