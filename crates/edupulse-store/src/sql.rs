//! SQL shared by the SQL backends: identifier quoting and the input tables' DDL, generated from
//! each record's column contract so SQLite and PostgreSQL can never disagree on a table's shape.

use edupulse_core::model::{visit_tables, ColumnKind, ColumnSpec, Record, Table, TableVisitor};
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

/// `CREATE TABLE` and the time index of one input table.
///
/// Key columns are `NOT NULL`: an optional key part (`keyword_interest.geo`) stores a missing
/// value as `''`, which reads back as `None`.
pub fn create_table_sql<R: Record>(dialect: &Dialect) -> String {
    let table = R::TABLE.name();
    let mut sql = format!("CREATE TABLE IF NOT EXISTS {} (\n", ident(table));
    for c in R::columns() {
        let null = if c.required || is_key::<R>(c) {
            " NOT NULL"
        } else {
            ""
        };
        let ty = (dialect.column_type)(c.kind);
        let _ = writeln!(sql, "    {} {ty}{null},", ident(c.name));
    }
    let _ = writeln!(
        sql,
        "    {} {} NOT NULL,",
        ident(TIME_SHADOW),
        dialect.shadow_type
    );
    let keys: Vec<String> = R::KEY.iter().map(|k| ident(k)).collect();
    let _ = writeln!(sql, "    PRIMARY KEY ({})", keys.join(", "));
    let _ = writeln!(sql, "){};", dialect.table_options);
    let _ = writeln!(
        sql,
        "CREATE INDEX IF NOT EXISTS {} ON {} ({});",
        ident(&format!("{table}_by_time")),
        ident(table),
        ident(TIME_SHADOW)
    );
    sql
}

/// `CREATE TABLE` and the time index of every input table for which `keep` is true, in
/// [`Table::ALL`] order (a frozen migration keeps out the tables later migrations add).
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
                self.sql.push_str(&create_table_sql::<R>(self.dialect));
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
