//! The PostgreSQL schema: DDL generated from the record types, the fixed tables, and the
//! versioned migrations (the same tables and columns as the SQLite backend).

use edupulse_core::model::{ColumnKind, Record};
use std::fmt::Write as _;

pub(crate) use edupulse_store::sql::{has_time, ident, is_key, Migration, TIME_SHADOW};

/// Every migration, in order. Never edit a released migration; append a new one.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "input tables, results, runs, outbox, deliveries",
        sql: schema_v1,
    },
    Migration {
        version: 2,
        description: "outbox claims (lease per row)",
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
    "ALTER TABLE notifications ADD COLUMN IF NOT EXISTS claim_host TEXT;
     ALTER TABLE notifications ADD COLUMN IF NOT EXISTS claim_pid BIGINT;
     ALTER TABLE notifications ADD COLUMN IF NOT EXISTS heartbeat_us BIGINT;"
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

/// The newest schema version this build knows.
pub(crate) fn latest_version() -> u32 {
    edupulse_store::sql::latest_version(MIGRATIONS)
}

/// The SQL type of a column kind.
pub(crate) fn sql_type(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Float => "DOUBLE PRECISION",
        ColumnKind::Int => "BIGINT",
        ColumnKind::Bool => "BOOLEAN",
        // Text, DateTime and Date are stored in their canonical text form.
        _ => "TEXT",
    }
}

/// The array type used to pass a column of a batch through `unnest`.
pub(crate) fn array_type(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Float => "float8[]",
        ColumnKind::Int => "int8[]",
        ColumnKind::Bool => "bool[]",
        _ => "text[]",
    }
}

/// `CREATE TABLE` and the time index of one input table (see `edupulse_store::sql`).
pub(crate) fn create_table_sql<R: Record>() -> String {
    edupulse_store::sql::create_table_sql::<R>(&DIALECT)
}

/// This backend's SQL dialect for the input tables' DDL.
const DIALECT: edupulse_store::sql::Dialect = edupulse_store::sql::Dialect {
    column_type: sql_type,
    shadow_type: "BIGINT",
    table_options: "",
};

/// The batch upsert of one input table: one array parameter per column (canonical order), then
/// `_t`, expanded with `unnest`. Only rows that are new or differ in some column are written
/// (and counted).
pub(crate) fn upsert_sql<R: Record>() -> String {
    let cols = R::columns();
    let mut names: Vec<String> = cols.iter().map(|c| ident(c.name)).collect();
    let mut params: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| format!("${}::{}", i + 1, array_type(c.kind)))
        .collect();
    if has_time::<R>() {
        names.push(ident(TIME_SHADOW));
        params.push(format!("${}::int8[]", cols.len() + 1));
    }
    let keys: Vec<String> = R::KEY.iter().map(|k| ident(k)).collect();
    let table = ident(R::TABLE.name());
    let mut sql = format!(
        "INSERT INTO {table} AS t ({names}) SELECT * FROM unnest({params}) ON CONFLICT ({keys}) DO ",
        names = names.join(", "),
        params = params.join(", "),
        keys = keys.join(", ")
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
    let set: Vec<String> = rest.iter().map(|c| format!("{c} = EXCLUDED.{c}")).collect();
    let differs: Vec<String> = rest
        .iter()
        .map(|c| format!("t.{c} IS DISTINCT FROM EXCLUDED.{c}"))
        .collect();
    let _ = write!(
        sql,
        "UPDATE SET {} WHERE {}",
        set.join(", "),
        differs.join(" OR ")
    );
    sql
}

/// `SELECT` of one input table's columns (canonical order), filtered coarsely on `_t`
/// (`$1` lower bound, `$2` upper bound, either may be NULL).
pub(crate) fn select_sql<R: Record>(absent: &[&str]) -> String {
    let names: Vec<String> = R::columns()
        .iter()
        .map(|c| {
            if absent.contains(&c.name) {
                format!("NULL::{} AS {}", sql_type(c.kind), ident(c.name))
            } else {
                ident(c.name)
            }
        })
        .collect();
    if !has_time::<R>() {
        // A timeless table is read whole; the bounds are bound but unused.
        return format!(
            "SELECT {} FROM {} WHERE ($1::int8 IS NULL OR TRUE) AND ($2::int8 IS NULL OR TRUE)",
            names.join(", "),
            ident(R::TABLE.name())
        );
    }
    let t = ident(TIME_SHADOW);
    format!(
        "SELECT {} FROM {} WHERE ($1::int8 IS NULL OR {t} >= $1) AND ($2::int8 IS NULL OR {t} <= $2)",
        names.join(", "),
        ident(R::TABLE.name())
    )
}

const FIXED_V1: &str = r#"
CREATE TABLE IF NOT EXISTS results (
    table_name TEXT NOT NULL,
    as_of TEXT NOT NULL,
    as_of_us BIGINT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (table_name, as_of, key)
);
CREATE INDEX IF NOT EXISTS results_by_time ON results (table_name, as_of_us);

CREATE TABLE IF NOT EXISTS runs (
    as_of TEXT NOT NULL PRIMARY KEY,
    as_of_us BIGINT NOT NULL,
    written_at TEXT NOT NULL,
    summary TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS notifications (
    seq BIGSERIAL PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE CHECK (length(dedupe_key) > 0),
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at TEXT,
    sent_at TEXT
);
CREATE INDEX IF NOT EXISTS notifications_by_status ON notifications (status, seq);

CREATE TABLE IF NOT EXISTS deliveries (
    id BIGSERIAL PRIMARY KEY,
    dedupe_key TEXT NOT NULL REFERENCES notifications (dedupe_key),
    channel TEXT NOT NULL,
    at TEXT NOT NULL,
    at_us BIGINT NOT NULL
);
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

fn schema_v2() -> String {
    "ALTER TABLE notifications ADD COLUMN IF NOT EXISTS claimed_by TEXT;
     ALTER TABLE notifications ADD COLUMN IF NOT EXISTS claimed_until_us BIGINT;"
        .to_string()
}
