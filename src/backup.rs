//! Backups: a portable dump of every table of a store into one file, restorable into any
//! backend that supports it (SQLite, PostgreSQL).
//!
//! Format (JSON lines, see [`edupulse_store::backup`]): a header line, one line per input row
//! (`{"table":"students","row":{"student_id":"s1",…}}` with the canonical text of each column,
//! as in CSV files), then the fixed tables as stored: one `results` line per typed result set
//! (table, `as_of`, rows), the `legacy_results` rows a custom step left from before typed results,
//! then `runs`, `notifications` and `deliveries`. Counts are rows per table (result sets counted
//! by their rows under their table's name). The file is written to a temporary name and renamed, so a crash never leaves a
//! half-written backup under the final name.
//!
//! Restoring upserts the input tables in one transaction, then writes the fixed tables in a
//! second one; restoring the same file twice changes nothing.

use crate::Error;
use edupulse_core::model::{visit_tables, Record, Table, TableVisitor, Tables};
use edupulse_core::results::ResultSet;
use edupulse_core::CoreError;
use edupulse_store::backup::{FixedTables, FORMAT, VERSION};
use edupulse_store::{Store, StoreError, TimeRange};
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::Path;

/// Rows per table written or restored.
pub type BackupCounts = BTreeMap<String, u64>;

fn io_err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Store(StoreError::Backend {
        backend: format!("backup file {}", path.display()),
        message: e.to_string(),
    })
}

fn bad_file(path: &Path, line: usize, message: impl Into<String>) -> Error {
    Error::Core(CoreError::validation(
        &path.display().to_string(),
        Some(line),
        None,
        message,
    ))
}

/// Write every table of `store` to `out`. Returns the rows written per table.
pub async fn backup(store: &dyn Store, out: &Path) -> Result<BackupCounts, Error> {
    let inputs = store.read_all(TimeRange::ALL).await?;
    let fixed = store.export_fixed().await?;
    let tmp = out.with_extension("partial");
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| io_err(out, e))?;
    }
    let file = std::fs::File::create(&tmp).map_err(|e| io_err(&tmp, e))?;
    let mut w = BufWriter::new(file);
    let mut counts = BackupCounts::new();
    let header = json!({
        "format": FORMAT,
        "version": VERSION,
        "schema_version": store.schema_version().await?,
        "created_at": chrono::Utc::now().to_rfc3339(),
    });
    let mut lines: Vec<Json> = vec![header];
    struct Dump<'a>(&'a Tables, &'a mut Vec<Json>, &'a mut BackupCounts);
    impl TableVisitor for Dump<'_> {
        type Error = std::convert::Infallible;
        fn visit<R: Record>(&mut self) -> Result<(), Self::Error> {
            let name = R::TABLE.name();
            let rows = R::rows(self.0);
            for r in rows {
                let mut obj = Map::new();
                for (c, v) in R::columns().iter().zip(r.to_values()) {
                    obj.insert(
                        c.name.to_string(),
                        v.to_text().map_or(Json::Null, Json::String),
                    );
                }
                self.1.push(json!({"table": name, "row": obj}));
            }
            self.2.insert(name.to_string(), rows.len() as u64);
            Ok(())
        }
    }
    let _ = visit_tables(&mut Dump(&inputs, &mut lines, &mut counts));
    let push = |lines: &mut Vec<Json>, table: &str, v: Result<Json, serde_json::Error>| {
        v.map(|row| lines.push(json!({"table": table, "row": row})))
    };
    for set in &fixed.results {
        push(&mut lines, "results", serde_json::to_value(set)).map_err(|e| io_err(out, e))?;
        *counts.entry(set.spec.name.to_string()).or_insert(0) += set.rows.len() as u64;
    }
    for r in &fixed.legacy_results {
        push(&mut lines, "legacy_results", serde_json::to_value(r)).map_err(|e| io_err(out, e))?;
    }
    for r in &fixed.runs {
        push(&mut lines, "runs", serde_json::to_value(r)).map_err(|e| io_err(out, e))?;
    }
    for r in &fixed.notifications {
        push(&mut lines, "notifications", serde_json::to_value(r)).map_err(|e| io_err(out, e))?;
    }
    for r in &fixed.deliveries {
        push(&mut lines, "deliveries", serde_json::to_value(r)).map_err(|e| io_err(out, e))?;
    }
    if !fixed.legacy_results.is_empty() {
        counts.insert("legacy_results".into(), fixed.legacy_results.len() as u64);
    }
    counts.insert("runs".into(), fixed.runs.len() as u64);
    counts.insert("notifications".into(), fixed.notifications.len() as u64);
    counts.insert("deliveries".into(), fixed.deliveries.len() as u64);
    for l in &lines {
        serde_json::to_writer(&mut w, l).map_err(|e| io_err(&tmp, e))?;
        w.write_all(b"\n").map_err(|e| io_err(&tmp, e))?;
    }
    let file = w.into_inner().map_err(|e| io_err(&tmp, e.error()))?;
    file.sync_all().map_err(|e| io_err(&tmp, e))?;
    std::fs::rename(&tmp, out).map_err(|e| io_err(out, e))?;
    Ok(counts)
}

/// Restore a backup file into `store`. Returns the rows read per table (every input table,
/// zeros included, as [`backup`] counts them).
pub async fn restore(store: &dyn Store, input: &Path) -> Result<BackupCounts, Error> {
    let file = std::fs::File::open(input).map_err(|e| io_err(input, e))?;
    let reader = std::io::BufReader::new(file);
    let mut tables = Tables::default();
    let mut fixed = FixedTables::default();
    // Every input table is counted, empty or not, as `backup` counts them (a timeless table such
    // as `keyword_topics` or `concepts` is often empty).
    let mut counts: BackupCounts = Table::ALL
        .iter()
        .map(|t| (t.name().to_string(), 0))
        .collect();
    let mut saw_header = false;
    for (i, line) in reader.lines().enumerate() {
        let lineno = i + 1;
        let line = line.map_err(|e| io_err(input, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Json = serde_json::from_str(&line)
            .map_err(|e| bad_file(input, lineno, format!("not JSON: {e}")))?;
        if !saw_header {
            if v["format"] != json!(FORMAT) {
                return Err(bad_file(
                    input,
                    lineno,
                    "not an edupulse backup (bad header)",
                ));
            }
            if v["version"].as_u64() != Some(u64::from(VERSION)) {
                return Err(bad_file(
                    input,
                    lineno,
                    format!(
                        "backup version {} is not supported (expected {VERSION})",
                        v["version"]
                    ),
                ));
            }
            saw_header = true;
            continue;
        }
        let table = v["table"]
            .as_str()
            .ok_or_else(|| bad_file(input, lineno, "missing `table`"))?
            .to_string();
        let row = v.get("row").cloned().unwrap_or(Json::Null);
        let de = |e: serde_json::Error| bad_file(input, lineno, format!("{table}: {e}"));
        match table.as_str() {
            "results" => {
                let set: ResultSet = serde_json::from_value(row).map_err(de)?;
                set.check()
                    .map_err(|e| bad_file(input, lineno, format!("results: {e}")))?;
                *counts.entry(set.spec.name.to_string()).or_insert(0) += set.rows.len() as u64;
                fixed.results.push(set);
                continue;
            }
            "legacy_results" => fixed
                .legacy_results
                .push(serde_json::from_value(row).map_err(de)?),
            "runs" => fixed.runs.push(serde_json::from_value(row).map_err(de)?),
            "notifications" => fixed
                .notifications
                .push(serde_json::from_value(row).map_err(de)?),
            "deliveries" => fixed
                .deliveries
                .push(serde_json::from_value(row).map_err(de)?),
            name => {
                let t = Table::from_name(name)
                    .ok_or_else(|| bad_file(input, lineno, format!("unknown table `{name}`")))?;
                let mut parse = ParseRow {
                    table: t,
                    row: &row,
                    out: &mut tables,
                    err: None,
                };
                let _ = visit_tables(&mut parse);
                if let Some(m) = parse.err {
                    return Err(bad_file(input, lineno, format!("{name}: {m}")));
                }
            }
        }
        *counts.entry(table).or_insert(0) += 1;
    }
    if !saw_header {
        return Err(bad_file(input, 1, "empty file: not an edupulse backup"));
    }
    tables.validate()?;
    store.ingest(&tables).await?;
    store.import_fixed(&fixed).await?;
    Ok(counts)
}

struct ParseRow<'a> {
    table: Table,
    row: &'a Json,
    out: &'a mut Tables,
    err: Option<String>,
}

impl TableVisitor for ParseRow<'_> {
    type Error = std::convert::Infallible;
    fn visit<R: Record>(&mut self) -> Result<(), Self::Error> {
        if R::TABLE != self.table {
            return Ok(());
        }
        let texts: Vec<Option<&str>> = R::columns()
            .iter()
            .map(|c| self.row.get(c.name).and_then(Json::as_str))
            .collect();
        match R::from_fields(&texts) {
            Ok(r) => R::rows_mut(self.out).push(r),
            Err((col, m)) => self.err = Some(format!("column `{col}`: {m}")),
        }
        Ok(())
    }
}
