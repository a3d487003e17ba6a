//! The SQLite schema: DDL generated from the record types, the fixed tables, and the versioned
//! migrations. The result tables are created from the catalog on open (see `results`).

use edupulse_core::model::{ColumnKind, Record};
use std::fmt::Write as _;

pub(crate) use edupulse_store::sql::{has_time, ident, is_key, Migration, TIME_SHADOW};

/// Every migration, in order. Never edit a released migration; append a new one.
///
/// Version 1 creates the input tables from the record types' column lists as they are in this
/// release; a later change to a record's columns needs a new migration (`ALTER TABLE ...`).
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "input tables, results, runs, outbox, deliveries",
        sql: schema_v1,
    },
    Migration {
        version: 2,
        description: "outbox claims (worker and lease) for concurrent dispatchers",
        sql: schema_v2,
    },
    Migration {
        version: 3,
        description: "related_queries input table",
        sql: schema_v3,
    },
    Migration {
        version: TYPED_RESULTS,
        description: "typed result tables: the JSON `results` rows moved into one table per \
                      result type (unknown ones kept in `legacy_results`), `results` dropped",
        sql: schema_v4,
    },
    Migration {
        version: 5,
        description: "outbox claim holders (host, pid) and heartbeats",
        sql: schema_v5,
    },
    Migration {
        version: 6,
        description: "experiments and exposures input tables",
        sql: schema_v6,
    },
    Migration {
        version: 7,
        description: "keyword_topics input table (timeless: no time shadow column)",
        sql: schema_v7,
    },
    Migration {
        version: 8,
        description:
            "content, transcript_segments, concepts, card_concepts input tables (timeless)",
        sql: schema_v8,
    },
    Migration {
        version: 9,
        description: "feedback input table",
        sql: schema_v9,
    },
    Migration {
        version: 10,
        description: "content_views and quiz_results input tables",
        sql: schema_v10,
    },
    Migration {
        version: 11,
        description: "mentors input table (timeless: no time shadow column)",
        sql: schema_v11,
    },
    Migration {
        version: 12,
        description: "student_attributes and assessment_schedule input tables (timeless)",
        sql: schema_v12,
    },
    Migration {
        version: 13,
        description: "webinars.timezone: the optional IANA zone of a webinar's audience",
        sql: schema_v13,
    },
    Migration {
        version: 14,
        description: "activity.ref_id: the optional assessment / item an event is about",
        sql: schema_v14,
    },
];

/// v14: `activity.ref_id` (optional; listed in `edupulse_store::sql::ADDED_COLUMNS`, so the
/// frozen v1 DDL leaves it out; not part of the key).
fn schema_v14() -> String {
    "ALTER TABLE activity ADD COLUMN ref_id TEXT;".to_string()
}

/// v13: `webinars.timezone` (optional; listed in `edupulse_store::sql::ADDED_COLUMNS`, so the
/// frozen v1 DDL leaves it out).
fn schema_v13() -> String {
    "ALTER TABLE webinars ADD COLUMN timezone TEXT;".to_string()
}

/// v8: the content input tables (edupulse_core::content), all timeless: `content`,
/// `transcript_segments`, `concepts`, `card_concepts`.
fn schema_v8() -> String {
    use edupulse_core::model::{CardConcept, Concept, Content, TranscriptSegment};
    let mut ddl = create_table_sql::<Content>();
    ddl.push_str(&create_table_sql::<TranscriptSegment>());
    ddl.push_str(&create_table_sql::<Concept>());
    ddl.push_str(&create_table_sql::<CardConcept>());
    ddl
}

/// v7: the `keyword_topics` mapping (keyword → topic, optional industry), a timeless table.
fn schema_v7() -> String {
    create_table_sql::<edupulse_core::model::KeywordTopic>()
}

/// The version of the typed-results migration. Its work is done in Rust, in the migration's
/// transaction (`results::migrate_legacy`): read every row of the old `results` table, convert
/// them with `edupulse_core::results::legacy::convert`, write the typed tables, keep the rows of
/// unknown tables in `legacy_results`, drop `results`.
pub(crate) const TYPED_RESULTS: u32 = 4;

/// v4: no SQL of its own (see [`TYPED_RESULTS`]).
fn schema_v4() -> String {
    String::new()
}

/// v5: a claim records the claimant's host name and process id and its latest heartbeat, so a
/// dispatcher can tell a dead holder (its process is gone, or its heartbeat is stale) from a
/// live one without waiting out the lease.
fn schema_v5() -> String {
    "ALTER TABLE notifications ADD COLUMN claim_host TEXT;\n\
     ALTER TABLE notifications ADD COLUMN claim_pid INTEGER;\n\
     ALTER TABLE notifications ADD COLUMN heartbeat_us INTEGER;\n"
        .to_string()
}

/// v6: the `experiments` and `exposures` input tables (A/B tests; edupulse_core::experiments).
fn schema_v6() -> String {
    let mut s = create_table_sql::<edupulse_core::model::Experiment>();
    s.push_str(&create_table_sql::<edupulse_core::model::Exposure>());
    s
}

/// v9: the `feedback` input table (chat, questions, surveys, reviews; edupulse_core::feedback).
fn schema_v9() -> String {
    create_table_sql::<edupulse_core::model::Feedback>()
}

/// v10: the `content_views` (play ranges of recordings) and `quiz_results` (quiz scores per
/// concept) input tables of edupulse_core::content.
fn schema_v10() -> String {
    let mut s = create_table_sql::<edupulse_core::model::ContentView>();
    s.push_str(&create_table_sql::<edupulse_core::model::QuizResult>());
    s
}

/// v11: the `mentors` input table (per-mentor capacity and availability for mentor matching;
/// edupulse_core::community). Timeless, like `keyword_topics`.
fn schema_v11() -> String {
    create_table_sql::<edupulse_core::model::Mentor>()
}

/// v12: the `student_attributes` (demographics, credits, previous attempts, the course link)
/// and `assessment_schedule` (course deadlines) input tables of the churn risk model, both
/// timeless.
fn schema_v12() -> String {
    let mut s = create_table_sql::<edupulse_core::model::StudentAttribute>();
    s.push_str(&create_table_sql::<edupulse_core::model::AssessmentDeadline>());
    s
}

/// v3: the `related_queries` input table (Google Trends' rising / top related queries).
fn schema_v3() -> String {
    create_table_sql::<edupulse_core::model::RelatedQuery>()
}

/// v2: a dispatcher claims pending outbox rows for a lease before delivering them, so two
/// processes dispatching from one file never deliver the same row twice.
fn schema_v2() -> String {
    "ALTER TABLE notifications ADD COLUMN claimed_by TEXT;\n\
     ALTER TABLE notifications ADD COLUMN claimed_until_us INTEGER;\n"
        .to_string()
}

/// The newest schema version this build knows.
pub(crate) fn latest_version() -> u32 {
    edupulse_store::sql::latest_version(MIGRATIONS)
}

fn sql_type(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Float => "REAL",
        ColumnKind::Int | ColumnKind::Bool => "INTEGER",
        // Text, DateTime and Date are stored in their canonical text form.
        _ => "TEXT",
    }
}

/// `CREATE TABLE` and the time index of one input table (see `edupulse_store::sql`).
pub(crate) fn create_table_sql<R: Record>() -> String {
    edupulse_store::sql::create_table_sql::<R>(&DIALECT)
}

/// This backend's SQL dialect for the input tables' DDL.
const DIALECT: edupulse_store::sql::Dialect = edupulse_store::sql::Dialect {
    column_type: sql_type,
    shadow_type: "INTEGER",
    table_options: " WITHOUT ROWID, STRICT",
};

/// The upsert of one input table: parameters are the columns in canonical order, then `_t`
/// (absent for a timeless table).
/// Only rows that are new or differ in some column count as changes.
pub(crate) fn upsert_sql<R: Record>() -> String {
    let cols = R::columns();
    let mut names: Vec<String> = cols.iter().map(|c| ident(c.name)).collect();
    if has_time::<R>() {
        names.push(ident(TIME_SHADOW));
    }
    let params: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let keys: Vec<String> = R::KEY.iter().map(|k| ident(k)).collect();
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO ",
        ident(R::TABLE.name()),
        names.join(", "),
        params.join(", "),
        keys.join(", ")
    );
    let rest: Vec<String> = cols
        .iter()
        .filter(|c| !is_key::<R>(c))
        .map(|c| ident(c.name))
        .chain(has_time::<R>().then(|| ident(TIME_SHADOW)))
        .collect();
    if rest.is_empty() {
        // Every column is part of the key (a mapping table): a repeated row changes nothing.
        sql.push_str("NOTHING");
        return sql;
    }
    let set: Vec<String> = rest.iter().map(|c| format!("{c} = excluded.{c}")).collect();
    let differs: Vec<String> = rest
        .iter()
        .map(|c| format!("{c} IS NOT excluded.{c}"))
        .collect();
    let _ = write!(
        sql,
        "UPDATE SET {} WHERE {}",
        set.join(", "),
        differs.join(" OR ")
    );
    sql
}

/// `SELECT` of one input table's columns (canonical order), filtered coarsely on `_t`; the
/// columns in `absent` (not added yet at the schema version being migrated) read as `NULL`.
pub(crate) fn select_sql<R: Record>(has_start: bool, has_end: bool, absent: &[&str]) -> String {
    let names: Vec<String> = R::columns()
        .iter()
        .map(|c| {
            if absent.contains(&c.name) {
                format!("NULL AS {}", ident(c.name))
            } else {
                ident(c.name)
            }
        })
        .collect();
    let mut sql = format!(
        "SELECT {} FROM {}",
        names.join(", "),
        ident(R::TABLE.name())
    );
    let t = ident(TIME_SHADOW);
    if !has_time::<R>() {
        // A timeless table is read whole; the caller binds no range parameters.
        return sql;
    }
    match (has_start, has_end) {
        (true, true) => {
            let _ = write!(sql, " WHERE {t} >= ?1 AND {t} <= ?2");
        }
        (true, false) => {
            let _ = write!(sql, " WHERE {t} >= ?1");
        }
        (false, true) => {
            let _ = write!(sql, " WHERE {t} <= ?1");
        }
        (false, false) => {}
    }
    sql
}

const FIXED_V1: &str = r#"
CREATE TABLE IF NOT EXISTS results (
    table_name TEXT NOT NULL,
    as_of TEXT NOT NULL,
    as_of_us INTEGER NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (table_name, as_of, key)
) WITHOUT ROWID, STRICT;
CREATE INDEX IF NOT EXISTS results_by_time ON results (table_name, as_of_us);

CREATE TABLE IF NOT EXISTS runs (
    as_of TEXT NOT NULL PRIMARY KEY,
    as_of_us INTEGER NOT NULL,
    written_at TEXT NOT NULL,
    summary TEXT NOT NULL
) WITHOUT ROWID, STRICT;

CREATE TABLE IF NOT EXISTS notifications (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL UNIQUE CHECK (length(dedupe_key) > 0),
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at TEXT,
    sent_at TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS notifications_by_status ON notifications (status, seq);

CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT NOT NULL REFERENCES notifications (dedupe_key),
    channel TEXT NOT NULL,
    at TEXT NOT NULL,
    at_us INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS deliveries_by_channel ON deliveries (channel, at_us);
CREATE INDEX IF NOT EXISTS deliveries_by_key ON deliveries (dedupe_key, id);
"#;

fn schema_v1() -> String {
    // v1 is frozen: tables added later are created by their own migration.
    let mut ddl = edupulse_store::sql::input_tables_sql(&DIALECT, |t| {
        use edupulse_core::model::Table;
        // The v1 tables, listed (not "all but the later ones"), so a table added later can
        // never leak into the frozen migration.
        matches!(
            t,
            Table::KeywordInterest
                | Table::Webinars
                | Table::Registrations
                | Table::Students
                | Table::Activity
                | Table::Purchases
                | Table::Leads
                | Table::LeadEvents
                | Table::Reviews
        )
    });
    ddl.push_str(FIXED_V1);
    ddl
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_adds_related_queries_to_a_v2_database() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        for m in &MIGRATIONS[..2] {
            c.execute_batch(&(m.sql)()).unwrap();
        }
        let has = |c: &rusqlite::Connection| {
            c.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'related_queries'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
        };
        assert_eq!(has(&c), 0, "v1 is frozen: it must not create later tables");
        assert_eq!(MIGRATIONS[2].version, 3);
        c.execute_batch(&(MIGRATIONS[2].sql)()).unwrap();
        assert_eq!(has(&c), 1);
    }
    use edupulse_core::model::{KeywordInterest, Student};

    #[test]
    fn generated_ddl_has_keys_and_time_index() {
        let sql = create_table_sql::<KeywordInterest>();
        assert!(
            sql.contains("PRIMARY KEY (\"keyword\", \"date\", \"geo\")"),
            "{sql}"
        );
        assert!(sql.contains("\"geo\" TEXT NOT NULL"), "{sql}");
        assert!(sql.contains("\"volume\" REAL NOT NULL"), "{sql}");
        assert!(sql.contains("ON \"keyword_interest\" (\"_t\")"), "{sql}");
        let up = upsert_sql::<Student>();
        assert!(
            up.contains("ON CONFLICT (\"student_id\") DO UPDATE SET"),
            "{up}"
        );
        assert!(up.contains("\"email\" IS NOT excluded.\"email\""), "{up}");
        assert!(!up.contains("\"student_id\" = excluded"), "{up}");
    }
}
