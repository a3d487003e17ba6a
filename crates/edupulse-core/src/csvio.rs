//! CSV files: one `<table>.csv` per table in a folder, with header checking.
//!
//! Reading validates every row (errors name the file, the row and the column) and the batch as a
//! whole (see [`Tables::validate`]); writing renders the canonical columns in canonical order.

use crate::error::{CoreError, Result};
use crate::model::{
    visit_tables, ColumnKind, ColumnMap, Limits, Record, Table, TableVisitor, Tables,
};
use std::path::Path;

fn io_err(path: &Path, e: impl std::fmt::Display) -> CoreError {
    CoreError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// How CSV files are written: the field delimiter, the decimal mark, the date format, and the
/// ceilings of [`Limits`].
///
/// The defaults read what Excel writes in Spanish (and most European) locales as well as plain
/// CSV: a UTF-8 byte-order mark is skipped; the delimiter is detected from the header line
/// (`;` when it holds more semicolons than commas, a tab likewise, else `,`); the decimal mark is
/// `,` for `;`-separated files and `.` otherwise. A number with the other mark (`12.5` in a
/// decimal-comma file, or `1.234,5` with a thousands separator) is a named error, never a
/// silently different value. Day-first dates (`01/03/2025`) are read only with an explicit
/// `date_format` (a chrono/strftime format such as `%d/%m/%Y` or `%d/%m/%Y %H:%M`), never
/// guessed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CsvOptions {
    /// Field delimiter (`b','`, `b';'`, `b'\t'`); `None`: detected from the header line.
    pub delimiter: Option<u8>,
    /// Decimal mark, `'.'` or `','`; `None`: `','` when the delimiter is `;`, else `'.'`.
    pub decimal: Option<char>,
    /// The format of every date and date-time column (chrono strftime syntax, taken as UTC);
    /// `None`: ISO 8601 / RFC 3339 only.
    pub date_format: Option<String>,
    /// Ceilings of numeric columns and the accepted years of dates.
    pub limits: Limits,
}

impl CsvOptions {
    /// Check the options (a decimal mark other than `.` or `,`, a decimal mark equal to the
    /// delimiter, or an empty date format are errors).
    pub fn validate(&self) -> Result<()> {
        if let Some(d) = self.decimal {
            if d != '.' && d != ',' {
                return Err(CoreError::param(
                    "decimal",
                    format!("`{d}`: expected `.` or `,`"),
                ));
            }
            if self.delimiter == Some(b',') && d == ',' {
                return Err(CoreError::param(
                    "decimal",
                    "`,` cannot be both the delimiter and the decimal mark",
                ));
            }
        }
        if let Some(d) = self.delimiter {
            if d == b'"' || d == b'\n' || d == b'\r' || !d.is_ascii() {
                return Err(CoreError::param(
                    "delimiter",
                    format!("`{}` cannot separate fields", d as char),
                ));
            }
        }
        if self
            .date_format
            .as_deref()
            .is_some_and(|f| f.trim().is_empty())
        {
            return Err(CoreError::param("date_format", "is empty"));
        }
        Ok(())
    }
}

/// The delimiter the header line suggests: `;` or a tab when it holds more of them than commas.
pub fn detect_delimiter(header_line: &str) -> u8 {
    let count = |c: char| {
        let mut quoted = false;
        header_line
            .chars()
            .filter(|&ch| {
                if ch == '"' {
                    quoted = !quoted;
                }
                !quoted && ch == c
            })
            .count()
    };
    let (commas, semis, tabs) = (count(','), count(';'), count('\t'));
    if semis > commas && semis >= tabs {
        b';'
    } else if tabs > commas && tabs > semis {
        b'\t'
    } else {
        b','
    }
}

/// Bytes without a leading UTF-8 byte-order mark (Excel's "CSV UTF-8" starts with one).
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Rewrite a number written with a decimal comma (`12,5`) in the canonical form (`12.5`).
fn decimal_comma(text: &str) -> std::result::Result<String, String> {
    let t = text.trim();
    if t.contains('.') {
        return Err(format!(
            "`{t}` has a `.` but the decimal mark is `,` (thousands separators are not read; \
             for a decimal point use `--decimal .` / `decimal=\".\"`)"
        ));
    }
    if t.matches(',').count() > 1 {
        return Err(format!("`{t}` has more than one decimal comma"));
    }
    Ok(t.replace(',', "."))
}

/// Rewrite a date in `format` as ISO 8601 (a date-time when the format has a time of day).
pub fn reformat_date(text: &str, format: &str) -> std::result::Result<String, String> {
    use chrono::{NaiveDate, NaiveDateTime};
    let t = text.trim();
    if let Ok(dt) = NaiveDateTime::parse_from_str(t, format) {
        return Ok(dt.format("%Y-%m-%dT%H:%M:%S%.f").to_string());
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, format) {
        return Ok(d.format("%Y-%m-%d").to_string());
    }
    Err(format!("`{t}` does not match the date format `{format}`"))
}

/// Rewrite the fields of one source row in canonical text (decimal mark, date format) for the
/// canonical columns of `R` they map to. `None`: nothing to rewrite.
fn canonical_fields<R: Record>(
    map: &ColumnMap,
    decimal: char,
    date_format: Option<&str>,
    row: usize,
    fields: &mut [Option<String>],
) -> Result<()> {
    for (spec, i) in R::columns().iter().zip(&map.index) {
        let Some(slot) = i.and_then(|i| fields.get_mut(i)) else {
            continue;
        };
        let Some(text) = slot.as_deref().filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        let fixed = match spec.kind {
            ColumnKind::Float | ColumnKind::Int if decimal == ',' => decimal_comma(text),
            ColumnKind::Date | ColumnKind::DateTime => match date_format {
                Some(f) => reformat_date(text, f),
                None => continue,
            },
            _ => continue,
        };
        let fixed = fixed
            .map_err(|m| CoreError::validation(R::TABLE.name(), Some(row), Some(spec.name), m))?;
        *slot = Some(fixed);
    }
    Ok(())
}

/// Read one table from CSV text. `source` names the input in errors (a file name).
pub fn read_records<R: Record, I: std::io::Read>(input: I, source: &str) -> Result<Vec<R>> {
    read_records_with(input, source, &CsvOptions::default())
}

/// [`read_records`] with the delimiter, decimal mark and date format of `options` (see
/// [`CsvOptions`]); a byte-order mark is skipped.
pub fn read_records_with<R: Record, I: std::io::Read>(
    mut input: I,
    source: &str,
    options: &CsvOptions,
) -> Result<Vec<R>> {
    options.validate()?;
    let file_err = |e: CoreError| e.in_file(source);
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).map_err(|e| CoreError::Io {
        path: source.to_string(),
        message: e.to_string(),
    })?;
    let bytes = strip_bom(&bytes);
    let delimiter = options.delimiter.unwrap_or_else(|| {
        let end = bytes
            .iter()
            .position(|&b| b == b'\n')
            .unwrap_or(bytes.len());
        detect_delimiter(&String::from_utf8_lossy(&bytes[..end]))
    });
    let decimal = options
        .decimal
        .unwrap_or(if delimiter == b';' { ',' } else { '.' });
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .delimiter(delimiter)
        .from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| csv_error::<R>(e, source))?
        .clone();
    if headers.is_empty() || (headers.len() == 1 && headers[0].trim().is_empty()) {
        return Err(file_err(CoreError::validation(
            R::TABLE.name(),
            None,
            None,
            "file is empty: expected a header row",
        )));
    }
    let names: Vec<&str> = headers.iter().collect();
    let map = ColumnMap::new::<R>(&names).map_err(file_err)?;
    let mut out = Vec::new();
    let mut rec = csv::StringRecord::new();
    let mut row = 0usize;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                row += 1;
                let mut fields: Vec<Option<String>> =
                    rec.iter().map(|f| Some(f.to_string())).collect();
                canonical_fields::<R>(
                    &map,
                    decimal,
                    options.date_format.as_deref(),
                    row,
                    &mut fields,
                )
                .map_err(file_err)?;
                let src: Vec<Option<&str>> = fields.iter().map(|f| f.as_deref()).collect();
                out.push(map.parse::<R>(row, &src).map_err(file_err)?);
            }
            Err(e) => return Err(csv_error::<R>(e, source)),
        }
    }
    Ok(out)
}

fn csv_error<R: Record>(e: csv::Error, source: &str) -> CoreError {
    let row = e.position().map(|p| p.record() as usize);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("row has {len} fields, the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".to_string(),
        _ => e.to_string(),
    };
    CoreError::validation(R::TABLE.name(), row, None, message).in_file(source)
}

/// Read one table from a CSV file.
pub fn read_table<R: Record>(path: &Path) -> Result<Vec<R>> {
    read_table_with(path, &CsvOptions::default())
}

/// [`read_table`] with [`CsvOptions`].
pub fn read_table_with<R: Record>(path: &Path, options: &CsvOptions) -> Result<Vec<R>> {
    let f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    read_records_with::<R, _>(
        std::io::BufReader::new(f),
        &path.display().to_string(),
        options,
    )
}

/// Read every `<table>.csv` in a folder into a validated batch.
///
/// Tables without a file are left empty. A `.csv` file whose stem is not a table name is an error
/// (a typo would otherwise be silently ignored), and so is a folder with no table file at all.
pub fn read_dir(dir: &Path) -> Result<Tables> {
    read_dir_with(dir, &crate::model::Limits::default())
}

/// [`read_dir`] validating numeric columns against `limits` instead of the default ceilings.
pub fn read_dir_with(dir: &Path, limits: &crate::model::Limits) -> Result<Tables> {
    read_dir_opts(
        dir,
        &CsvOptions {
            limits: limits.clone(),
            ..CsvOptions::default()
        },
    )
}

/// [`read_dir`] with [`CsvOptions`] (delimiter, decimal mark, date format, limits).
pub fn read_dir_opts(dir: &Path, options: &CsvOptions) -> Result<Tables> {
    options.validate()?;
    let entries = std::fs::read_dir(dir).map_err(|e| io_err(dir, e))?;
    let mut found = 0usize;
    for entry in entries {
        let path = entry.map_err(|e| io_err(dir, e))?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("csv") {
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if Table::from_name(stem).is_none() {
            let names: Vec<&str> = Table::ALL.iter().map(|t| t.name()).collect();
            return Err(io_err(
                &path,
                format!(
                    "not a table file (expected one of: {}.csv)",
                    names.join(".csv, ")
                ),
            ));
        }
        found += 1;
    }
    if found == 0 {
        return Err(io_err(dir, "no table file (<table>.csv) in this folder"));
    }
    struct Reader<'a>(&'a Path, &'a CsvOptions, Tables);
    impl TableVisitor for Reader<'_> {
        type Error = CoreError;
        fn visit<R: Record>(&mut self) -> Result<()> {
            let path = self.0.join(format!("{}.csv", R::TABLE.name()));
            if path.exists() {
                *R::rows_mut(&mut self.2) = read_table_with::<R>(&path, self.1)?;
            }
            Ok(())
        }
    }
    let mut r = Reader(dir, options, Tables::default());
    visit_tables(&mut r)?;
    let mut tables = r.2;
    tables.validate_with(&options.limits)?;
    Ok(tables)
}

/// Write one table as CSV text.
pub fn write_records<R: Record, W: std::io::Write>(rows: &[R], out: W) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let wr = |e: csv::Error| CoreError::Io {
        path: R::TABLE.name().to_string(),
        message: e.to_string(),
    };
    w.write_record(R::columns().iter().map(|c| c.name))
        .map_err(wr)?;
    for r in rows {
        let fields: Vec<String> = r
            .to_values()
            .iter()
            .map(|v| v.to_text().unwrap_or_default())
            .collect();
        w.write_record(&fields).map_err(wr)?;
    }
    w.flush().map_err(|e| CoreError::Io {
        path: R::TABLE.name().to_string(),
        message: e.to_string(),
    })
}

/// Write every non-empty table of a batch as `<table>.csv` into `dir` (created if needed).
pub fn write_dir(tables: &Tables, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    struct Writer<'a>(&'a Path, &'a Tables);
    impl TableVisitor for Writer<'_> {
        type Error = CoreError;
        fn visit<R: Record>(&mut self) -> Result<()> {
            let rows = R::rows(self.1);
            if rows.is_empty() {
                return Ok(());
            }
            let path = self.0.join(format!("{}.csv", R::TABLE.name()));
            let f = std::fs::File::create(&path).map_err(|e| io_err(&path, e))?;
            write_records(rows, std::io::BufWriter::new(f)).map_err(|e| match e {
                CoreError::Io { message, .. } => io_err(&path, message),
                other => other,
            })
        }
    }
    visit_tables(&mut Writer(dir, tables))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Purchase, Review, Student};

    fn err_of<R: Record>(text: &str) -> String {
        read_records::<R, _>(text.as_bytes(), "x.csv")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn bad_values_name_file_row_and_column() {
        let e = err_of::<Review>(
            "student_id,card_id,at,rating\ns1,c1,2024-01-01T00:00:00Z,3\ns1,c2,2024-01-01T00:00:00Z,7\n",
        );
        assert!(
            e.contains("x.csv") && e.contains("row 2") && e.contains("`rating`"),
            "{e}"
        );
        let e = err_of::<Purchase>("customer_id,at,amount\nc1,2024-02-30,10\n");
        assert!(e.contains("row 1") && e.contains("`at`"), "{e}");
        let e = err_of::<Purchase>("customer_id,at,amount\nc1,2024-02-01,-5\n");
        assert!(e.contains("`amount`") && e.contains("negative"), "{e}");
        let e = err_of::<Purchase>("customer_id,at,amount\nc1,2024-02-01,NaN\n");
        assert!(e.contains("`amount`") && e.contains("finite"), "{e}");
    }

    #[test]
    fn header_problems_are_named() {
        let e = err_of::<Student>("student_id,email,name\n");
        assert!(
            e.contains("required column is missing") && e.contains("`industry`"),
            "{e}"
        );
        let e = err_of::<Purchase>("customer_id,at,amount,ammount\n");
        assert!(
            e.contains("unknown column") && e.contains("`ammount`"),
            "{e}"
        );
        let e = err_of::<Purchase>("");
        assert!(e.contains("empty"), "{e}");
    }

    #[test]
    fn roundtrip_through_csv_is_lossless() {
        let text = "customer_id,at,amount,currency\nc1,2024-01-01T10:00:00Z,12.5,EUR\nc2,2024-01-02T00:00:00.250Z,0.1,\n";
        let rows = read_records::<Purchase, _>(text.as_bytes(), "p.csv").unwrap();
        let mut out = Vec::new();
        write_records(&rows, &mut out).unwrap();
        let again = read_records::<Purchase, _>(out.as_slice(), "p.csv").unwrap();
        assert_eq!(rows, again);
        assert_eq!(String::from_utf8(out).unwrap(), text);
    }

    #[test]
    fn related_queries_csv_roundtrip_and_named_errors() {
        use crate::model::{RelatedKind, RelatedQuery};
        let text = "keyword,related,value,date,kind\ncurso IA,curso ia con agentes,,2026-03-02,\ncurso IA,curso ia gratis,250,2026-03-02,rising\ncurso IA,curso ia,100,2026-03-02,top\n";
        let rows = read_records::<RelatedQuery, _>(text.as_bytes(), "related_queries.csv").unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!((rows[0].value, rows[0].kind), (None, None));
        assert_eq!(rows[2].kind, Some(RelatedKind::Top));
        let mut out = Vec::new();
        write_records(&rows, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), text);
        let bad_kind = "keyword,related,value,date,kind\nk,q,5,2026-03-02,sideways\n";
        let e = read_records::<RelatedQuery, _>(bad_kind.as_bytes(), "related_queries.csv")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`kind`") && e.contains("top, rising") && e.contains("row 1"),
            "{e}"
        );
        let e = read_records::<RelatedQuery, _>(
            "keyword,related,value,date,kind\nk,q,,2026-03-02,top\n".as_bytes(),
            "related_queries.csv",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("value") && e.contains("related_queries"), "{e}");
    }

    #[test]
    fn conflicting_duplicates_are_rejected_and_identical_ones_collapse() {
        let mut t = Tables {
            purchases: read_records::<Purchase, _>(
                "customer_id,at,amount\nc1,2024-01-01,5\nc1,2024-01-01,5\n".as_bytes(),
                "p.csv",
            )
            .unwrap(),
            ..Tables::default()
        };
        t.validate().unwrap();
        assert_eq!(t.purchases.len(), 1);
        t.purchases.push(Purchase {
            amount: 6.0,
            ..t.purchases[0].clone()
        });
        let e = t.validate().unwrap_err().to_string();
        assert!(e.contains("duplicate key") && e.contains("row 2"), "{e}");
    }

    fn with<R: Record>(text: &[u8], o: &CsvOptions) -> Result<Vec<R>> {
        read_records_with::<R, _>(text, "x.csv", o)
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let text = b"\xEF\xBB\xBFcustomer_id,at,amount\nc1,2024-01-01,5\n";
        let rows = with::<Purchase>(text, &CsvOptions::default()).unwrap();
        assert_eq!(rows[0].customer_id, "c1");
        // The same with semicolons, as Excel's "CSV UTF-8" writes in a Spanish locale.
        let text = b"\xEF\xBB\xBFcustomer_id;at;amount\nc1;2024-01-01;5,25\n";
        let rows = with::<Purchase>(text, &CsvOptions::default()).unwrap();
        assert_eq!((rows[0].customer_id.as_str(), rows[0].amount), ("c1", 5.25));
    }

    #[test]
    fn semicolons_and_decimal_commas_are_detected_or_given() {
        let text =
            b"customer_id;at;amount;currency\nc1;2024-01-01;1234,5;EUR\nc2;2024-01-02;7;EUR\n";
        let detected = with::<Purchase>(text, &CsvOptions::default()).unwrap();
        assert_eq!(detected[0].amount, 1234.5);
        let given = CsvOptions {
            delimiter: Some(b';'),
            decimal: Some(','),
            ..CsvOptions::default()
        };
        assert_eq!(with::<Purchase>(text, &given).unwrap(), detected);
        // A decimal point in a decimal-comma file, or a thousands separator: named, not misread.
        for bad in ["12.5", "1.234,5"] {
            let t = format!("customer_id;at;amount\nc1;2024-01-01;{bad}\n");
            let e = with::<Purchase>(t.as_bytes(), &CsvOptions::default())
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("`amount`") && e.contains("row 1") && e.contains("x.csv"),
                "{e}"
            );
        }
        // ...unless the decimal mark is given as `.`.
        let dot = CsvOptions {
            decimal: Some('.'),
            ..CsvOptions::default()
        };
        let t = b"customer_id;at;amount\nc1;2024-01-01;12.5\n";
        assert_eq!(with::<Purchase>(t, &dot).unwrap()[0].amount, 12.5);
        // Quoted semicolons in a comma file do not fool the detection.
        assert_eq!(detect_delimiter("\"a;b\",c,d"), b',');
        assert_eq!(detect_delimiter("a\tb\tc"), b'\t');
        let bad = CsvOptions {
            delimiter: Some(b','),
            decimal: Some(','),
            ..CsvOptions::default()
        };
        assert!(bad.validate().unwrap_err().to_string().contains("decimal"));
    }

    #[test]
    fn day_first_dates_need_an_explicit_format() {
        let text = b"customer_id;at;amount\nc1;01/03/2025;5\nc1;02/03/2025 14:30;6\n";
        let e = with::<Purchase>(text, &CsvOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("`at`") && e.contains("--date-format"), "{e}");
        let day_first = CsvOptions {
            date_format: Some("%d/%m/%Y".into()),
            ..CsvOptions::default()
        };
        // The second row has a time: the date-only format does not match it (named).
        let e = with::<Purchase>(text, &day_first).unwrap_err().to_string();
        assert!(e.contains("row 2") && e.contains("%d/%m/%Y"), "{e}");
        let rows =
            with::<Purchase>(b"customer_id;at;amount\nc1;01/03/2025;5\n", &day_first).unwrap();
        assert_eq!(rows[0].at.to_rfc3339(), "2025-03-01T00:00:00+00:00");
        let with_time = CsvOptions {
            date_format: Some("%d/%m/%Y %H:%M".into()),
            ..CsvOptions::default()
        };
        let t = b"customer_id;at;amount\nc1;02/03/2025 14:30;6\n";
        let rows = with::<Purchase>(t, &with_time).unwrap();
        assert_eq!(rows[0].at.to_rfc3339(), "2025-03-02T14:30:00+00:00");
    }

    #[test]
    fn implausible_dates_and_amounts_are_named_errors() {
        use crate::model::Limits;
        let dir = std::env::temp_dir().join(format!("edupulse-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let check = |text: &str, limits: Limits| -> String {
            std::fs::write(dir.join("purchases.csv"), text).unwrap();
            let o = CsvOptions {
                limits,
                ..CsvOptions::default()
            };
            read_dir_opts(&dir, &o).unwrap_err().to_string()
        };
        let e = check(
            "customer_id,at,amount\nc1,1899-12-30,5\n",
            Limits::default(),
        );
        assert!(
            e.contains("`at`") && e.contains("implausible date") && e.contains("1900"),
            "{e}"
        );
        let fixed = Limits {
            latest_year: Some(2026),
            ..Limits::default()
        };
        let e = check(
            "customer_id,at,amount\nc1,2024-01-01,5\nc2,2027-01-01,5\n",
            fixed,
        );
        assert!(e.contains("row 2") && e.contains("2026"), "{e}");
        let mut low = Limits::default();
        low.set("purchases.amount", 1e4).unwrap();
        let e = check("customer_id;at;amount\nc1;2024-01-01;20000,5\n", low);
        assert!(
            e.contains("`amount`") && e.contains("implausibly large"),
            "{e}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
