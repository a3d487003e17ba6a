//! SQL shared by the SQL backends: identifier quoting, the input tables' DDL (generated from each
//! record's column contract) and the result tables' DDL (generated from each
//! [`ResultSpec`] of the catalog), so SQLite and PostgreSQL can never disagree on a table's shape.

use edupulse_core::model::{visit_tables, ColumnKind, ColumnSpec, Record, Table, TableVisitor};
use edupulse_core::results::ResultSpec;
use std::fmt::Write as _;

/// The shadow column holding a row's `Record::time()` as epoch microseconds (floored), indexed
/// and used for range queries (the RFC 3339 text forms do not sort like the instants).
pub const TIME_SHADOW: &str = "_t";

/// Quote an identifier for SQL.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Whether a column of `R` is part of its natural key.
pub fn is_key<R: Record>(col: &ColumnSpec) -> bool {
    R::KEY.contains(&col.name)
}

/// What differs between SQL dialects in the input tables' DDL.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    /// The SQL type of a column kind.
    pub column_type: fn(ColumnKind) -> &'static str,
    /// The SQL type of the [`TIME_SHADOW`] column (a 64-bit integer).
    pub shadow_type: &'static str,
    /// Text after the closing parenthesis of `CREATE TABLE` (e.g. `WITHOUT ROWID, STRICT`).
    pub table_options: &'static str,
}

/// `CREATE TABLE` and the time index of one input table (no [`TIME_SHADOW`] column and no
/// index for a timeless table).
///
/// Key columns are `NOT NULL`: an optional key part (`keyword_interest.geo`) stores a missing
/// value as `''`, which reads back as `None`.
pub fn create_table_sql<R: Record>(dialect: &Dialect) -> String {
    create_table_sql_without::<R>(dialect, &[])
}

/// Input-table columns added after version 1 by an `ALTER TABLE … ADD COLUMN` migration, as
/// (table, column, version of that migration). The frozen v1 DDL ([`input_tables_sql`]) leaves
/// them out, so a new database gets them from the same migration as an old one.
pub const ADDED_COLUMNS: &[(Table, &str, u32)] = &[
    (Table::Webinars, "timezone", 13),
    (Table::Activity, "ref_id", 14),
];

/// The [`ADDED_COLUMNS`] of `table` that a database at schema `version` does not have yet: a
/// migration's own code that reads an input table (the typed-results conversion at v4 reads
/// `webinars`) selects them as `NULL`.
pub fn added_after(table: Table, version: u32) -> Vec<&'static str> {
    ADDED_COLUMNS
        .iter()
        .filter(|(t, _, v)| *t == table && *v > version)
        .map(|(_, c, _)| *c)
        .collect()
}

/// As [`create_table_sql`], leaving out the columns named in `skip`.
fn create_table_sql_without<R: Record>(dialect: &Dialect, skip: &[&str]) -> String {
    let table = R::TABLE.name();
    let mut sql = format!("CREATE TABLE IF NOT EXISTS {} (\n", ident(table));
    for c in R::columns().iter().filter(|c| !skip.contains(&c.name)) {
        let null = if c.required || is_key::<R>(c) {
            " NOT NULL"
        } else {
            ""
        };
        let ty = (dialect.column_type)(c.kind);
        let _ = writeln!(sql, "    {} {ty}{null},", ident(c.name));
    }
    if has_time::<R>() {
        let _ = writeln!(
            sql,
            "    {} {} NOT NULL,",
            ident(TIME_SHADOW),
            dialect.shadow_type
        );
    }
    let keys: Vec<String> = R::KEY.iter().map(|k| ident(k)).collect();
    let _ = writeln!(sql, "    PRIMARY KEY ({})", keys.join(", "));
    let _ = writeln!(sql, "){};", dialect.table_options);
    if has_time::<R>() {
        let _ = writeln!(
            sql,
            "CREATE INDEX IF NOT EXISTS {} ON {} ({});",
            ident(&format!("{table}_by_time")),
            ident(table),
            ident(TIME_SHADOW)
        );
    }
    sql
}

/// Whether `R`'s table has the [`TIME_SHADOW`] column: a timeless reference table
/// (`Record::TIME_COLUMN` is `None`) has none, and a read returns all of its rows.
pub fn has_time<R: Record>() -> bool {
    R::TIME_COLUMN.is_some()
}

/// `CREATE TABLE` and the time index of every input table for which `keep` is true, in
/// [`Table::ALL`] order, without the [`ADDED_COLUMNS`] (the frozen v1 migration: it keeps out
/// the tables and columns later migrations add).
pub fn input_tables_sql(dialect: &Dialect, keep: impl Fn(Table) -> bool) -> String {
    struct Ddl<'a, F> {
        dialect: &'a Dialect,
        keep: F,
        sql: String,
    }
    impl<F: Fn(Table) -> bool> TableVisitor for Ddl<'_, F> {
        type Error = std::convert::Infallible;
        fn visit<R: Record>(&mut self) -> Result<(), Self::Error> {
            if (self.keep)(R::TABLE) {
                let skip: Vec<&str> = ADDED_COLUMNS
                    .iter()
                    .filter(|(t, _, _)| *t == R::TABLE)
                    .map(|(_, c, _)| *c)
                    .collect();
                self.sql
                    .push_str(&create_table_sql_without::<R>(self.dialect, &skip));
            }
            Ok(())
        }
    }
    let mut ddl = Ddl {
        dialect,
        keep,
        sql: String::new(),
    };
    let _ = visit_tables(&mut ddl);
    ddl.sql
}

/// One schema migration of a SQL backend.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The version the database has after it.
    pub version: u32,
    /// What it does (stored in `schema_migrations`).
    pub description: &'static str,
    /// The SQL it runs.
    pub sql: fn() -> String,
}

/// The newest version in a migration list (0 when empty).
pub fn latest_version(migrations: &[Migration]) -> u32 {
    migrations.last().map_or(0, |m| m.version)
}

// ---------------------------------------------------------------------------------------------
// Result tables

/// What differs between SQL dialects in the result tables' DDL.
#[derive(Debug, Clone, Copy)]
pub struct ResultDialect {
    /// The SQL type of a result column kind, spelled as the database reports it back
    /// (`PRAGMA table_info` on SQLite, `information_schema.columns.data_type` on PostgreSQL), so
    /// an existing table can be compared with the spec.
    pub column_type: fn(ColumnKind) -> &'static str,
    /// The SQL type of the `as_of` column.
    pub as_of_type: &'static str,
    /// Whether a non-nullable float column is `NOT NULL`. SQLite has no NaN (it stores a NaN as
    /// NULL), so there a float column always accepts NULL, read back as NaN.
    pub float_not_null: bool,
    /// Text after the closing parenthesis of `CREATE TABLE` (e.g. `WITHOUT ROWID, STRICT`).
    pub table_options: &'static str,
    /// How a view is created (`CREATE VIEW IF NOT EXISTS`, `CREATE OR REPLACE VIEW`).
    pub create_view: &'static str,
    /// Whether the dialect has `COMMENT ON` (the docs then become table and column comments).
    pub comments: bool,
}

/// The run's instant: the first column of every result table.
pub const AS_OF: &str = "as_of";

/// One column of a result table as SQL sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlColumn {
    /// Column name.
    pub name: String,
    /// SQL type (as in [`ResultDialect::column_type`]).
    pub sql_type: String,
    /// Whether it is `NOT NULL`.
    pub not_null: bool,
}

impl std::fmt::Display for SqlColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}{}",
            self.name,
            self.sql_type,
            if self.not_null { " NOT NULL" } else { "" }
        )
    }
}

/// The columns of a result table: `as_of`, then the spec's columns in order.
pub fn result_columns(spec: &ResultSpec, dialect: &ResultDialect) -> Vec<SqlColumn> {
    let mut out = vec![SqlColumn {
        name: AS_OF.to_string(),
        sql_type: dialect.as_of_type.to_string(),
        not_null: true,
    }];
    for c in spec.columns {
        let float = c.kind == ColumnKind::Float;
        out.push(SqlColumn {
            name: c.name.to_string(),
            sql_type: (dialect.column_type)(c.kind).to_string(),
            not_null: !c.nullable && (!float || dialect.float_not_null),
        });
    }
    out
}

/// The name of the view with the latest run's rows of a result table (`<name>_latest`).
pub fn latest_view(spec: &ResultSpec) -> String {
    format!("{}_latest", spec.name)
}

/// A SQL string literal.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A doc comment as one line of text (the `result_table!` docs are the lines concatenated).
pub fn doc_text(doc: &str) -> String {
    doc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `CREATE TABLE` of one result table (`as_of`, then the spec's columns with their SQL types,
/// `NOT NULL` where the spec does not allow NULL, primary key `(as_of, key columns…)`), its
/// `<name>_latest` view (the rows of the table's most recent `as_of`) and, where the dialect
/// has them, comments carrying the docs.
pub fn create_result_table_sql(spec: &ResultSpec, dialect: &ResultDialect) -> String {
    let table = ident(spec.name);
    let mut sql = format!("CREATE TABLE IF NOT EXISTS {table} (\n");
    for c in result_columns(spec, dialect) {
        let null = if c.not_null { " NOT NULL" } else { "" };
        let _ = writeln!(sql, "    {} {}{null},", ident(&c.name), c.sql_type);
    }
    let keys: Vec<String> = std::iter::once(AS_OF)
        .chain(spec.key.iter().copied())
        .map(ident)
        .collect();
    let _ = writeln!(sql, "    PRIMARY KEY ({})", keys.join(", "));
    let _ = writeln!(sql, "){};", dialect.table_options);
    sql.push_str(&latest_view_sql(spec, dialect));
    if dialect.comments {
        let _ = writeln!(
            sql,
            "COMMENT ON TABLE {table} IS {};",
            literal(&format!(
                "{} Written by the `{}` step; one run's rows per as_of, key ({}).",
                doc_text(spec.doc),
                spec.step,
                std::iter::once(AS_OF)
                    .chain(spec.key.iter().copied())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        );
        let _ = writeln!(
            sql,
            "COMMENT ON COLUMN {table}.{} IS {};",
            ident(AS_OF),
            literal("The instant of the run that wrote the row (UTC).")
        );
        for c in spec.columns {
            let _ = writeln!(
                sql,
                "COMMENT ON COLUMN {table}.{} IS {};",
                ident(c.name),
                literal(&doc_text(c.doc))
            );
        }
        let _ = writeln!(
            sql,
            "COMMENT ON VIEW {} IS {};",
            ident(&latest_view(spec)),
            literal(&format!(
                "The rows of {} of its most recent as_of.",
                spec.name
            ))
        );
    }
    sql
}

/// The `<name>_latest` view of one result table.
pub fn latest_view_sql(spec: &ResultSpec, dialect: &ResultDialect) -> String {
    let table = ident(spec.name);
    let as_of = ident(AS_OF);
    format!(
        "{} {} AS SELECT * FROM {table} WHERE {as_of} = (SELECT max({as_of}) FROM {table});\n",
        dialect.create_view,
        ident(&latest_view(spec)),
    )
}

/// Compare an existing result table's columns (`found`, in table order; types compared without
/// regard to case) with what this release expects; the error names the table and both column
/// lists.
pub fn check_result_table(
    spec: &ResultSpec,
    dialect: &ResultDialect,
    found: &[SqlColumn],
) -> Result<(), String> {
    let want = result_columns(spec, dialect);
    let same = want.len() == found.len()
        && want.iter().zip(found).all(|(w, f)| {
            w.name == f.name
                && w.sql_type.eq_ignore_ascii_case(&f.sql_type)
                && w.not_null == f.not_null
        });
    if same {
        return Ok(());
    }
    let list = |cols: &[SqlColumn]| {
        cols.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    Err(format!(
        "result table `{}` has columns ({}) but this edupulse expects ({}); the table was \
         written by another release and needs a migration",
        spec.name,
        list(found),
        list(&want)
    ))
}

/// The table keeping the rows of the pre-typed-results `results` table that the migration did
/// not recognise (same columns as the old table).
pub const LEGACY_RESULTS: &str = "legacy_results";

#[cfg(test)]
mod tests {
    use super::*;

    const TEST_DIALECT: ResultDialect = ResultDialect {
        column_type: |k| match k {
            ColumnKind::Float => "double precision",
            ColumnKind::Json => "jsonb",
            _ => "text",
        },
        as_of_type: "timestamp with time zone",
        float_not_null: true,
        table_options: "",
        create_view: "CREATE OR REPLACE VIEW",
        comments: true,
    };

    #[test]
    fn result_ddl_has_as_of_first_the_key_and_the_docs() {
        let spec = edupulse_core::results::spec("churn_scores").unwrap();
        let sql = create_result_table_sql(spec, &TEST_DIALECT);
        assert!(
            sql.contains("\"as_of\" timestamp with time zone NOT NULL,\n    \"student_id\""),
            "{sql}"
        );
        assert!(
            sql.contains("PRIMARY KEY (\"as_of\", \"student_id\")"),
            "{sql}"
        );
        assert!(sql.contains("\"p_alive\" double precision,"), "{sql}");
        assert!(sql.contains("\"factors\" jsonb NOT NULL"), "{sql}");
        assert!(
            sql.contains("CREATE OR REPLACE VIEW \"churn_scores_latest\""),
            "{sql}"
        );
        assert!(sql.contains("COMMENT ON COLUMN \"churn_scores\".\"probability\" IS 'Calibrated"));
        let cols = result_columns(spec, &TEST_DIALECT);
        assert!(check_result_table(spec, &TEST_DIALECT, &cols).is_ok());
        let err = check_result_table(spec, &TEST_DIALECT, &cols[..3]).unwrap_err();
        assert!(
            err.contains("`churn_scores`") && err.contains("clv"),
            "{err}"
        );
        let kpi = edupulse_core::results::spec("kpi_summary").unwrap();
        assert!(create_result_table_sql(kpi, &TEST_DIALECT).contains("PRIMARY KEY (\"as_of\")"));
        assert_eq!(literal("it's"), "'it''s'");
    }
}
