//! CSV files: one `<table>.csv` per table in a folder, with header checking.
//!
//! Reading validates every row (errors name the file, the row and the column) and the batch as a
//! whole (see [`Tables::validate`]); writing renders the canonical columns in canonical order.

use crate::error::{CoreError, Result};
use crate::model::{visit_tables, ColumnMap, Record, Table, TableVisitor, Tables};
use std::path::Path;

fn io_err(path: &Path, e: impl std::fmt::Display) -> CoreError {
    CoreError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// Read one table from CSV text. `source` names the input in errors (a file name).
pub fn read_records<R: Record, I: std::io::Read>(input: I, source: &str) -> Result<Vec<R>> {
    let file_err = |e: CoreError| e.in_file(source);
    let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(input);
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
                let src: Vec<Option<&str>> = rec.iter().map(Some).collect();
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
    let f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    read_records::<R, _>(std::io::BufReader::new(f), &path.display().to_string())
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
    struct Reader<'a>(&'a Path, Tables);
    impl TableVisitor for Reader<'_> {
        type Error = CoreError;
        fn visit<R: Record>(&mut self) -> Result<()> {
            let path = self.0.join(format!("{}.csv", R::TABLE.name()));
            if path.exists() {
                *R::rows_mut(&mut self.1) = read_table::<R>(&path)?;
            }
            Ok(())
        }
    }
    let mut r = Reader(dir, Tables::default());
    visit_tables(&mut r)?;
    let mut tables = r.1;
    tables.validate_with(limits)?;
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
}
