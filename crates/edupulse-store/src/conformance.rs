//! The conformance suite every [`Store`] backend runs.
//!
//! Written once, run on every backend: a backend's integration test calls [`run_all`] with a
//! function that opens a fresh, empty store. Each case is also a public `async fn` taking such a
//! store, so a backend can run a single case while debugging. Cases panic with a message naming
//! the case, the backend and what differed (this is test support code).
//!
//! ```no_run
//! # async fn demo() {
//! use std::sync::Arc;
//! use edupulse_store::{conformance, memory::MemoryStore, Store};
//! conformance::run_all(|| async { Arc::new(MemoryStore::new()) as Arc<dyn Store> }).await;
//! # }
//! ```
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::missing_panics_doc
)]

use crate::{ClaimHolder, Claimant, IngestReport, Store, StoreResult, TimeRange};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use edupulse_core::churn::step::ChurnScoreRow;
use edupulse_core::kpi::{FunnelRow, KpiSummary};
use edupulse_core::model::{
    parse_datetime, visit_tables, Activity, ActivityKind, Experiment, ExperimentKind,
    ExperimentMetric, Exposure, KeywordInterest, KeywordTopic, Lead, LeadEvent, LeadEventKind,
    Purchase, Record, Registration, RelatedKind, RelatedQuery, Review, Student, Table,
    TableVisitor, Tables, Webinar,
};
use edupulse_core::model::{AssessmentDeadline, StudentAttribute};
use edupulse_core::model::{CardConcept, Concept, Content, ContentKind, TranscriptSegment};
use edupulse_core::model::{ColumnKind, Value};
use edupulse_core::model::{ContentView, Feedback, FeedbackKind, Mentor, QuizResult};
use edupulse_core::results::{
    catalog, spec_of, DeliveryAttempt, Notification, OutboxStatus, ResultSet, ResultSpec,
    ResultTable, RunOutput, Severity,
};
use serde_json::json;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Text that breaks naive SQL quoting.
pub const INJECTION: &str = "'); DROP TABLE students;--";
/// Non-ASCII text.
pub const UNICODE: &str = "Ñandú «IA»";

/// Run every case, each on a fresh store from `make`.
pub async fn run_all<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    macro_rules! case {
        ($name:ident) => {{
            let store = make().await;
            eprintln!("conformance: {} on {}", stringify!($name), store.describe());
            $name(store).await;
        }};
    }
    case!(schema_version_is_positive);
    case!(counts_list_every_table);
    case!(ingest_then_read_back_equals_input);
    case!(ingest_twice_changes_nothing);
    case!(upsert_replaces_changed_rows);
    case!(time_ranges_are_half_open);
    case!(sub_second_time_ranges);
    case!(write_run_replaces_results_of_the_same_as_of);
    case!(results_without_as_of_returns_the_latest);
    case!(unknown_result_table_is_a_named_error);
    case!(every_result_table_round_trips_exactly);
    case!(typed_results_decode_rows);
    case!(invalid_result_sets_write_nothing);
    case!(notifications_are_deduplicated);
    case!(outbox_is_atomic_with_results);
    case!(record_delivery_transitions);
    case!(delivered_since_counts_per_channel);
    case!(concurrent_readers_see_before_or_after);
    case!(claim_returns_the_pending_rows);
}

/// The extra cases of a store shared by several processes (SQLite files, PostgreSQL): outbox
/// claims are exclusive (one worker at a time) and expire. Not part of [`run_all`]: single-process stores use the default claim.
pub async fn run_shared<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Store>>,
{
    let store = make().await;
    eprintln!(
        "conformance: claims_are_exclusive_until_the_lease_expires on {}",
        store.describe()
    );
    claims_are_exclusive_until_the_lease_expires(store).await;
    let store = make().await;
    eprintln!(
        "conformance: a_dead_holders_claims_are_taken_over_before_the_lease on {}",
        store.describe()
    );
    a_dead_holders_claims_are_taken_over_before_the_lease(store).await;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// Parse an RFC 3339 instant (test data only).
pub fn ts(s: &str) -> DateTime<Utc> {
    parse_datetime(s).unwrap_or_else(|e| panic!("bad test timestamp {s}: {e}"))
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("bad test date {s}: {e}"))
}

fn ok<T>(store: &dyn Store, what: &str, r: StoreResult<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("[{}] {what} failed: {e}", store.describe()),
    }
}

/// A small batch covering all nine tables, optional fields both `None` and `Some`, sub-second
/// and nanosecond timestamps, awkward floats, unicode and SQL-injection text. Validated (sorted
/// by key), so it compares equal to what a store reads back.
pub fn sample_batch() -> Tables {
    let mut t = Tables {
        keyword_interest: vec![
            KeywordInterest {
                keyword: "curso IA".into(),
                date: day("2024-05-01"),
                volume: 42.5,
                geo: None,
            },
            KeywordInterest {
                keyword: "curso IA".into(),
                date: day("2024-05-01"),
                volume: 0.1 + 0.2,
                geo: Some("ES".into()),
            },
            KeywordInterest {
                keyword: UNICODE.into(),
                date: day("2024-05-03"),
                volume: 0.0,
                geo: Some("MX".into()),
            },
            KeywordInterest {
                keyword: INJECTION.into(),
                date: day("2024-05-07"),
                volume: 1e-7,
                geo: None,
            },
        ],
        webinars: vec![
            Webinar {
                webinar_id: "w1".into(),
                title: INJECTION.into(),
                topic: "ia_generativa".into(),
                starts_at: ts("2024-05-03T10:00:00.123456789Z"),
                duration_min: 60,
                industry: Some("educación".into()),
                role: Some("CTO".into()),
                company_size: Some("11-50".into()),
                timezone: Some("America/Mexico_City".into()),
            },
            Webinar {
                webinar_id: "w2".into(),
                title: UNICODE.into(),
                topic: "datos \"quoted\" \\ back".into(),
                starts_at: ts("2024-05-10T18:30:00Z"),
                duration_min: 45,
                industry: None,
                role: None,
                company_size: None,
                timezone: None,
            },
        ],
        registrations: vec![
            Registration {
                webinar_id: "w1".into(),
                person_id: "p1".into(),
                registered_at: ts("2024-04-20T08:00:00.5Z"),
                industry: "retail".into(),
                role: "analyst".into(),
                company_size: "1-10".into(),
                attended: true,
                minutes_watched: Some(55.25),
                questions: Some(2),
                polls: None,
                chat_messages: Some(0),
            },
            Registration {
                webinar_id: "w1".into(),
                person_id: "p2".into(),
                registered_at: ts("2024-04-21T09:15:00Z"),
                industry: UNICODE.into(),
                role: INJECTION.into(),
                company_size: "51-200".into(),
                attended: false,
                minutes_watched: None,
                questions: None,
                polls: None,
                chat_messages: None,
            },
        ],
        students: vec![
            Student {
                student_id: "s1".into(),
                email: "ana@example.com".into(),
                name: UNICODE.into(),
                industry: "educación".into(),
                role: "docente".into(),
                company_size: "1-10".into(),
                enrolled_at: ts("2024-01-15T12:00:00Z"),
            },
            Student {
                student_id: "s2".into(),
                email: "o'brien@example.com".into(),
                name: INJECTION.into(),
                industry: "retail".into(),
                role: "owner".into(),
                company_size: "11-50".into(),
                enrolled_at: ts("2024-02-01T00:00:00.000001Z"),
            },
        ],
        activity: vec![
            Activity {
                student_id: "s1".into(),
                at: ts("2024-05-01T12:00:00Z"),
                kind: ActivityKind::Login,
                value: None,
                ref_id: None,
            },
            Activity {
                student_id: "s1".into(),
                at: ts("2024-05-01T12:00:00.5Z"),
                kind: ActivityKind::QuizPassed,
                value: Some(87.5),
                ref_id: Some("quiz-7".into()),
            },
            Activity {
                student_id: "s2".into(),
                at: ts("2024-05-02T07:45:10.25Z"),
                kind: ActivityKind::Comment,
                value: Some(-0.0001),
                ref_id: None,
            },
        ],
        purchases: vec![
            Purchase {
                customer_id: "s1".into(),
                at: ts("2024-03-01T10:00:00Z"),
                amount: 99.99,
                currency: Some("EUR".into()),
            },
            Purchase {
                customer_id: "p2".into(),
                at: ts("2024-03-02T11:00:00.75Z"),
                amount: 1234567.125,
                currency: None,
            },
        ],
        leads: vec![
            Lead {
                lead_id: "l1".into(),
                email: "lead@example.com".into(),
                source: "webinar".into(),
                created_at: ts("2024-04-01T09:00:00Z"),
                industry: UNICODE.into(),
                role: "CEO".into(),
            },
            Lead {
                lead_id: "l2".into(),
                email: "x@y.z".into(),
                source: INJECTION.into(),
                created_at: ts("2024-04-02T09:00:00.001Z"),
                industry: "retail".into(),
                role: "analyst".into(),
            },
        ],
        lead_events: vec![
            LeadEvent {
                lead_id: "l1".into(),
                at: ts("2024-04-03T10:00:00Z"),
                kind: LeadEventKind::EmailOpen,
                value: None,
            },
            LeadEvent {
                lead_id: "l1".into(),
                at: ts("2024-04-05T10:00:00.999999999Z"),
                kind: LeadEventKind::Purchase,
                value: Some(499.0),
            },
        ],
        reviews: vec![
            Review {
                student_id: "s1".into(),
                card_id: "c1".into(),
                at: ts("2024-05-01T20:00:00Z"),
                rating: 3,
                duration_ms: Some(5400),
            },
            Review {
                student_id: "s1".into(),
                card_id: UNICODE.into(),
                at: ts("2024-05-02T20:00:00.3Z"),
                rating: 1,
                duration_ms: None,
            },
            Review {
                student_id: "s2".into(),
                card_id: "c1".into(),
                at: ts("2024-05-03T20:00:00Z"),
                rating: 4,
                duration_ms: Some(0),
            },
        ],
        related_queries: vec![
            RelatedQuery {
                keyword: "curso IA".into(),
                related: "curso ia con agentes".into(),
                value: None,
                date: NaiveDate::from_ymd_opt(2024, 5, 12).unwrap(),
                kind: None,
            },
            RelatedQuery {
                keyword: "curso IA".into(),
                related: UNICODE.into(),
                value: Some(250.0),
                date: NaiveDate::from_ymd_opt(2024, 5, 5).unwrap(),
                kind: Some(RelatedKind::Rising),
            },
            RelatedQuery {
                keyword: "curso IA".into(),
                related: UNICODE.into(),
                value: Some(100.0),
                date: NaiveDate::from_ymd_opt(2024, 5, 5).unwrap(),
                kind: Some(RelatedKind::Top),
            },
        ],
        experiments: vec![
            Experiment {
                experiment_id: "exp1".into(),
                kind: ExperimentKind::LandingPage,
                metric: ExperimentMetric::Purchase,
                control_variant: "control".into(),
                start_at: ts("2024-04-01T00:00:00Z"),
                end_at: Some(ts("2024-05-01T00:00:00.5Z")),
                description: Some(UNICODE.into()),
                variants: Some("control=50;b=50".into()),
            },
            Experiment {
                experiment_id: "exp2".into(),
                kind: ExperimentKind::Slot,
                metric: ExperimentMetric::Revenue,
                control_variant: "a".into(),
                start_at: ts("2024-04-02T00:00:00Z"),
                end_at: None,
                description: None,
                variants: None,
            },
        ],
        exposures: vec![
            Exposure {
                experiment_id: "exp1".into(),
                variant: "control".into(),
                unit_id: "l1".into(),
                at: ts("2024-04-02T10:00:00.25Z"),
            },
            Exposure {
                experiment_id: "exp1".into(),
                variant: "b".into(),
                unit_id: UNICODE.into(),
                at: ts("2024-04-03T10:00:00Z"),
            },
        ],
        keyword_topics: vec![
            KeywordTopic {
                keyword: "curso IA".into(),
                topic: "agentes_ia".into(),
                industry: None,
            },
            KeywordTopic {
                keyword: "curso IA".into(),
                topic: UNICODE.into(),
                industry: Some("educación".into()),
            },
        ],
        content: vec![
            Content {
                content_id: "rec-1".into(),
                title: UNICODE.into(),
                kind: ContentKind::WebinarRecording,
                duration_s: 3600.5,
                course_id: Some("curso-ia".into()),
                position: Some(1),
            },
            Content {
                content_id: "quiz-1".into(),
                title: "Quiz".into(),
                kind: ContentKind::Quiz,
                duration_s: 0.0,
                course_id: None,
                position: None,
            },
        ],
        transcript_segments: vec![
            TranscriptSegment {
                content_id: "rec-1".into(),
                start_s: 0.0,
                end_s: 4.25,
                text: UNICODE.into(),
            },
            TranscriptSegment {
                content_id: "rec-1".into(),
                start_s: 4.25,
                end_s: 9.0,
                text: "Las redes neuronales, \"profundas\"; y\nmás".into(),
            },
        ],
        concepts: vec![
            Concept {
                concept_id: "vars".into(),
                name: "Variables".into(),
                prerequisite_ids: None,
            },
            Concept {
                concept_id: "funcs".into(),
                name: UNICODE.into(),
                prerequisite_ids: Some("vars".into()),
            },
        ],
        card_concepts: vec![
            CardConcept {
                card_id: "card-1".into(),
                concept_id: "vars".into(),
            },
            CardConcept {
                card_id: "card-1".into(),
                concept_id: "funcs".into(),
            },
        ],
        feedback: vec![
            Feedback {
                feedback_id: "f1".into(),
                webinar_id: "w1".into(),
                person_id: "l1".into(),
                at: ts("2024-03-01T18:05:00.5Z"),
                kind: FeedbackKind::Chat,
                text: "¡Muy buena explicación! 👏 «comillas» y \"dobles\", coma; fin".into(),
                rating: None,
            },
            Feedback {
                feedback_id: "f2".into(),
                webinar_id: "w1".into(),
                person_id: UNICODE.into(),
                at: ts("2024-03-01T19:10:00Z"),
                kind: FeedbackKind::Survey,
                text: UNICODE.into(),
                rating: Some(5),
            },
        ],
        content_views: vec![
            ContentView {
                content_id: "rec1".into(),
                person_id: "s1".into(),
                at: ts("2024-03-02T10:00:00.25Z"),
                start_s: 0.0,
                end_s: 61.5,
            },
            ContentView {
                content_id: "rec1".into(),
                person_id: UNICODE.into(),
                at: ts("2024-03-02T10:05:00Z"),
                start_s: 30.0,
                end_s: 30.0,
            },
        ],
        quiz_results: vec![
            QuizResult {
                student_id: "s1".into(),
                quiz_id: "q1".into(),
                concept_id: "funcs".into(),
                at: ts("2024-03-03T09:00:00Z"),
                score: 0.75,
            },
            QuizResult {
                student_id: UNICODE.into(),
                quiz_id: "q1".into(),
                concept_id: "vars".into(),
                at: ts("2024-03-04T09:30:00.5Z"),
                score: 1.0,
            },
        ],
        mentors: vec![
            Mentor {
                student_id: "s1".into(),
                capacity: Some(2),
                active: true,
            },
            Mentor {
                student_id: UNICODE.into(),
                capacity: None,
                active: false,
            },
        ],
        student_attributes: vec![
            StudentAttribute {
                student_id: "s1".into(),
                name: "studied_credits".into(),
                value: "60".into(),
            },
            StudentAttribute {
                student_id: UNICODE.into(),
                name: "age_band".into(),
                value: UNICODE.into(),
            },
        ],
        assessment_schedule: vec![
            AssessmentDeadline {
                course_id: "c1".into(),
                assessment_id: "a1".into(),
                due_at: ts("2024-03-10T23:59:59Z"),
                weight: Some(12.5),
            },
            AssessmentDeadline {
                course_id: UNICODE.into(),
                assessment_id: "a2".into(),
                due_at: ts("2024-04-01T00:00:00.5Z"),
                weight: None,
            },
        ],
    };
    t.validate()
        .unwrap_or_else(|e| panic!("sample batch is invalid: {e}"));
    t
}

fn names_of_counts(t: &Tables) -> BTreeMap<String, u64> {
    t.counts().into_iter().map(|(k, v)| (k, v as u64)).collect()
}

fn assert_report(store: &dyn Store, what: &str, report: &IngestReport, written: &[(&str, u64)]) {
    for t in Table::ALL {
        let want = written
            .iter()
            .find(|(n, _)| *n == t.name())
            .map_or(0, |(_, w)| *w);
        assert_eq!(
            report.written.get(t.name()).copied().unwrap_or(0),
            want,
            "[{}] {what}: IngestReport.written[{}] (report: {report:?})",
            store.describe(),
            t.name()
        );
    }
}

fn notification(key: &str, title: &str, created_at: DateTime<Utc>) -> Notification {
    Notification {
        dedupe_key: key.into(),
        kind: "trend_alert".into(),
        severity: Severity::High,
        title: title.into(),
        body: format!("body of {key}: {UNICODE} {INJECTION}"),
        payload: json!({"key": key, "score": 0.1 + 0.2, "tags": ["a", UNICODE]}),
        created_at,
    }
}

/// A funnel row (`kpi_funnel`, key `(dimension, segment)`) with `registrations = n`.
pub fn funnel(dimension: &str, segment: &str, n: u64) -> FunnelRow {
    FunnelRow {
        dimension: dimension.into(),
        segment: segment.into(),
        registrations: n,
        attended: n / 2,
        converted: n / 4,
        attendance_rate: 0.1 + 0.2,
        conversion_rate: n as f64 / 3.0,
        attendee_conversion_rate: -0.0,
    }
}

/// A churn score row (`churn_scores`, key `student_id`), purchase values `NULL`.
pub fn churn_score(student_id: &str, probability: f64) -> ChurnScoreRow {
    ChurnScoreRow {
        student_id: student_id.into(),
        probability,
        risk_level: edupulse_core::churn::risk::RiskLevel::of(probability, 0.7, 0.4),
        factors: Vec::new(),
        intervention: None,
        days_since_last_activity: 12.5,
        episode: "2024-04-20".into(),
        p_alive: None,
        expected_purchases: Some(1.25),
        clv: None,
    }
}

/// The set of `rows` as of `as_of`, sorted by key (the order stores return).
pub fn set_of<T: ResultTable>(as_of: DateTime<Utc>, rows: &[T]) -> ResultSet {
    let mut set = ResultSet::of(as_of, rows);
    crate::sort_by_key(&mut set);
    set
}

/// `n` rows (one for a table without key columns) of `spec` exercising every column kind:
/// unicode and SQL-injection text, awkward floats, large integers, both booleans, dates,
/// microsecond-precision instants (the precision every backend keeps), nested JSON, and `NULL`
/// in every nullable column of every other row. Sorted by key.
pub fn synthetic_set(spec: &'static ResultSpec, as_of: DateTime<Utc>, n: usize) -> ResultSet {
    let n = if spec.key.is_empty() { 1 } else { n };
    let t0 = ts("2024-03-31T23:59:59.123456Z");
    let rows = (0..n)
        .map(|i| {
            spec.columns
                .iter()
                .enumerate()
                .map(|(c, col)| {
                    let is_key = spec.key.contains(&col.name);
                    if col.nullable && !is_key && (i + c) % 2 == 1 {
                        return Value::Null;
                    }
                    let k = i as i64;
                    match col.kind {
                        ColumnKind::Text => Value::Text(match i % 3 {
                            0 => format!("{UNICODE} {i}"),
                            1 => format!("{INJECTION} {i}"),
                            _ => format!("plain-{i}"),
                        }),
                        ColumnKind::Float => Value::Float(match i % 3 {
                            0 => 0.1 + 0.2,
                            1 => -1e-300,
                            _ => 1234567.890625 * (k as f64 + 1.0),
                        }),
                        ColumnKind::Int => Value::Int(if i % 2 == 0 { k } else { i64::MAX - k }),
                        ColumnKind::Bool => Value::Bool(i % 2 == 0),
                        ColumnKind::DateTime => {
                            Value::DateTime(t0 + Duration::microseconds(k * 1_000_001))
                        }
                        ColumnKind::Date => Value::Date(day("2024-02-28") + Duration::days(k)),
                        ColumnKind::Json => Value::Json(json!({
                            "list": [1, 2.5, "x", null, true],
                            "text": format!("{UNICODE} {INJECTION}"),
                            "nested": {"i": k, "f": 0.1 + 0.2, "empty": []},
                        })),
                        // A kind added later: extend this generator.
                        _ => Value::Null,
                    }
                })
                .collect()
        })
        .collect();
    let mut set = ResultSet { spec, as_of, rows };
    crate::sort_by_key(&mut set);
    set
}

fn no_rows(store: &dyn Store, table: &str, as_of: Option<DateTime<Utc>>, set: &ResultSet) {
    assert!(
        set.rows.is_empty(),
        "[{}] results({table}, {as_of:?}) should have no rows, got {:?}",
        store.describe(),
        set.rows
    );
    assert_eq!(
        set.spec.name,
        table,
        "[{}] results({table})",
        store.describe()
    );
}

fn run(
    as_of: DateTime<Utc>,
    results: Vec<ResultSet>,
    notifications: Vec<Notification>,
) -> RunOutput {
    RunOutput {
        as_of,
        results,
        notifications,
        summary: json!({"as_of": as_of.to_rfc3339(), "note": UNICODE}),
        failed: Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Cases

/// A migrated store reports a schema version above zero, and an empty store has nothing in it.
pub async fn schema_version_is_positive(store: Arc<dyn Store>) {
    let s = &*store;
    let v = ok(s, "schema_version", store.schema_version().await);
    assert!(
        v > 0,
        "[{}] schema version is {v}, expected > 0",
        s.describe()
    );
    let all = ok(s, "read_all", store.read_all(TimeRange::ALL).await);
    assert!(all.is_empty(), "[{}] a fresh store has rows", s.describe());
    assert!(ok(s, "runs", store.runs().await).is_empty());
    assert!(ok(s, "outbox", store.outbox(false).await).is_empty());
    let none = ok(s, "results", store.results("kpi_summary", None).await);
    no_rows(s, "kpi_summary", None, &none);
}

/// `counts()` lists the nine input tables, every result table of the catalog, `runs` and
/// `notifications`.
pub async fn counts_list_every_table(store: Arc<dyn Store>) {
    let s = &*store;
    let mut want: BTreeMap<String, u64> = Table::ALL
        .iter()
        .map(|t| (t.name().to_string(), 0))
        .collect();
    for spec in catalog() {
        want.insert(spec.name.to_string(), 0);
    }
    for extra in ["runs", "notifications"] {
        want.insert(extra.to_string(), 0);
    }
    let counts = ok(s, "counts", store.counts().await);
    assert_eq!(counts, want, "[{}] counts of a fresh store", s.describe());

    let batch = sample_batch();
    ok(s, "ingest", store.ingest(&batch).await);
    let t0 = ts("2024-06-01T00:00:00Z");
    ok(
        s,
        "write_run",
        store
            .write_run(&run(
                t0,
                vec![
                    ResultSet::of(t0, &[funnel("all", "all", 10), funnel("role", "CTO", 2)]),
                    ResultSet::of(t0, &[churn_score("s1", 0.9)]),
                    ResultSet::empty(spec_of::<KpiSummary>(), t0),
                ],
                vec![notification("n1", "t", t0)],
            ))
            .await,
    );
    want.extend(names_of_counts(&batch));
    want.insert("kpi_funnel".into(), 2);
    want.insert("churn_scores".into(), 1);
    want.insert("runs".into(), 1);
    want.insert("notifications".into(), 1);
    let counts = ok(s, "counts", store.counts().await);
    assert_eq!(
        counts,
        want,
        "[{}] counts after ingest and a run",
        s.describe()
    );
}

/// What is ingested is read back exactly, table by table and all at once.
pub async fn ingest_then_read_back_equals_input(store: Arc<dyn Store>) {
    let s = &*store;
    let batch = sample_batch();
    let report = ok(s, "ingest", store.ingest(&batch).await);
    assert_eq!(
        report.received,
        names_of_counts(&batch),
        "[{}] IngestReport.received",
        s.describe()
    );
    assert_eq!(
        report.written,
        names_of_counts(&batch),
        "[{}] IngestReport.written of a first ingest",
        s.describe()
    );
    let all = ok(s, "read_all", store.read_all(TimeRange::ALL).await);
    assert_eq!(all, batch, "[{}] read_all after ingest", s.describe());
    for t in Table::ALL {
        let one = ok(s, "read", store.read(t, TimeRange::ALL).await);
        let counts = one.counts();
        for (name, n) in counts {
            let want = if name == t.name() {
                batch.counts()[&name]
            } else {
                0
            };
            assert_eq!(
                n,
                want,
                "[{}] read({t}) returned {n} rows of `{name}`",
                s.describe()
            );
        }
    }
    // An empty batch is fine and writes nothing.
    let report = ok(s, "ingest(empty)", store.ingest(&Tables::default()).await);
    assert_eq!(report.total_received(), 0);
    assert_eq!(report.total_written(), 0);
}

/// Ingesting the same batch twice changes nothing and reports nothing written.
pub async fn ingest_twice_changes_nothing(store: Arc<dyn Store>) {
    let s = &*store;
    let batch = sample_batch();
    ok(s, "ingest #1", store.ingest(&batch).await);
    let before = ok(s, "counts", store.counts().await);
    let report = ok(s, "ingest #2", store.ingest(&batch).await);
    assert_eq!(report.received, names_of_counts(&batch));
    assert_report(s, "second ingest of the same batch", &report, &[]);
    let after = ok(s, "counts", store.counts().await);
    assert_eq!(
        before,
        after,
        "[{}] counts after a second ingest",
        s.describe()
    );
    let all = ok(s, "read_all", store.read_all(TimeRange::ALL).await);
    assert_eq!(all, batch, "[{}] data after a second ingest", s.describe());
}

/// An upsert of a changed row replaces it (also `Some` → `None` and `None` → `Some`).
pub async fn upsert_replaces_changed_rows(store: Arc<dyn Store>) {
    let s = &*store;
    let batch = sample_batch();
    ok(s, "ingest", store.ingest(&batch).await);
    let before = ok(s, "counts", store.counts().await);

    let mut change = Tables::default();
    let mut st = batch.students[0].clone();
    st.name = format!("{} (renamed)", st.name);
    change.students.push(st);
    // Some → None and None → Some in one table.
    let mut regs = batch.registrations.clone();
    for r in &mut regs {
        if r.minutes_watched.is_some() {
            r.minutes_watched = None;
            r.questions = None;
        } else {
            r.polls = Some(3);
        }
    }
    change.registrations = regs;
    // An unchanged row in the same batch is not counted.
    change.reviews.push(batch.reviews[0].clone());
    // Optional key part (`geo`): None and Some("ES") are different rows.
    let mut ki = batch.keyword_interest[0].clone();
    ki.volume = 77.0;
    change.keyword_interest.push(ki.clone());

    let report = ok(s, "upsert", store.ingest(&change).await);
    assert_report(
        s,
        "upsert of changed rows",
        &report,
        &[
            ("students", 1),
            ("registrations", 2),
            ("keyword_interest", 1),
        ],
    );
    let after = ok(s, "counts", store.counts().await);
    assert_eq!(before, after, "[{}] counts after an upsert", s.describe());

    let mut want = batch.clone();
    want.students[0] = change.students[0].clone();
    want.registrations = change.registrations.clone();
    let i = want
        .keyword_interest
        .iter()
        .position(|k| k.key() == ki.key())
        .unwrap();
    want.keyword_interest[i] = ki;
    let all = ok(s, "read_all", store.read_all(TimeRange::ALL).await);
    assert_eq!(all, want, "[{}] data after an upsert", s.describe());
}

/// Per table: `[start, end)` over `Record::TIME_COLUMN`: a row at `start` is in, one at `end` out.
pub async fn time_ranges_are_half_open(store: Arc<dyn Store>) {
    let s = &*store;
    let batch = sample_batch();
    ok(s, "ingest", store.ingest(&batch).await);

    // Ranges per table from the sample's own times (first and last distinct instants).
    struct Ranges<'a>(&'a Tables, Vec<(Table, TimeRange)>);
    impl TableVisitor for Ranges<'_> {
        type Error = std::convert::Infallible;
        fn visit<R: Record>(&mut self) -> Result<(), Self::Error> {
            if R::TIME_COLUMN.is_none() {
                // A timeless table: every range, even an empty one, returns all of its rows.
                let t = DateTime::<Utc>::UNIX_EPOCH;
                for (start, end) in [(Some(t), Some(t)), (None, Some(t)), (Some(t), None)] {
                    self.1.push((R::TABLE, TimeRange { start, end }));
                }
                return Ok(());
            }
            let mut times: Vec<DateTime<Utc>> =
                R::rows(self.0).iter().filter_map(R::time).collect();
            times.sort();
            times.dedup();
            let (Some(first), Some(last)) = (times.first(), times.last()) else {
                return Ok(());
            };
            assert!(first < last, "sample of {} needs two instants", R::TABLE);
            self.1.push((
                R::TABLE,
                TimeRange {
                    start: Some(*first),
                    end: Some(*last),
                },
            ));
            self.1.push((
                R::TABLE,
                TimeRange {
                    start: Some(*first + Duration::nanoseconds(1)),
                    end: Some(*last + Duration::nanoseconds(1)),
                },
            ));
            self.1.push((
                R::TABLE,
                TimeRange {
                    start: None,
                    end: Some(*last),
                },
            ));
            self.1.push((
                R::TABLE,
                TimeRange {
                    start: Some(*last),
                    end: None,
                },
            ));
            self.1.push((
                R::TABLE,
                TimeRange {
                    start: Some(*last),
                    end: Some(*last),
                },
            ));
            Ok(())
        }
    }
    let mut ranges = Ranges(&batch, Vec::new());
    let _ = visit_tables(&mut ranges);
    assert_eq!(
        ranges
            .1
            .iter()
            .map(|(t, _)| *t)
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        Table::ALL.len(),
        "sample covers every table"
    );

    struct Check<'a> {
        batch: &'a Tables,
        got: &'a Tables,
        table: Table,
        range: TimeRange,
        backend: String,
    }
    impl TableVisitor for Check<'_> {
        type Error = std::convert::Infallible;
        fn visit<R: Record>(&mut self) -> Result<(), Self::Error> {
            let got = R::rows(self.got);
            if R::TABLE != self.table {
                assert!(
                    got.is_empty(),
                    "[{}] read({}) returned rows of {}",
                    self.backend,
                    self.table,
                    R::TABLE
                );
                return Ok(());
            }
            let want: Vec<R> = R::rows(self.batch)
                .iter()
                .filter(|r| self.range.admits(r.time()))
                .cloned()
                .collect();
            assert_eq!(
                got,
                &want,
                "[{}] read({}, {:?}) (half-open over `{}`)",
                self.backend,
                self.table,
                self.range,
                R::TIME_COLUMN.unwrap_or("(timeless)")
            );
            Ok(())
        }
    }
    for (table, range) in ranges.1 {
        let got = ok(s, "read", store.read(table, range).await);
        let _ = visit_tables(&mut Check {
            batch: &batch,
            got: &got,
            table,
            range,
            backend: s.describe(),
        });
    }
}

/// Range boundaries at sub-second and nanosecond precision, where the text forms of the instants
/// (`…:00Z`, `…:00.5Z`, `…:00.000000001Z`) do not sort like the instants.
pub async fn sub_second_time_ranges(store: Arc<dyn Store>) {
    let s = &*store;
    let t = ts("2024-05-01T12:00:00Z");
    let offsets_ns = [0i64, 1, 1_000, 500_000_000, 999_999_999, 1_000_000_000];
    let mut batch = Tables::default();
    for (i, ns) in offsets_ns.iter().enumerate() {
        batch.activity.push(Activity {
            student_id: format!("s{i}"),
            at: t + Duration::nanoseconds(*ns),
            kind: ActivityKind::Login,
            value: None,
            ref_id: None,
        });
    }
    batch.validate().unwrap();
    ok(s, "ingest", store.ingest(&batch).await);
    let at = |ns: i64| Some(t + Duration::nanoseconds(ns));
    let cases: [(TimeRange, &[usize]); 7] = [
        (
            TimeRange {
                start: at(1),
                end: at(1_000_000_000),
            },
            &[1, 2, 3, 4],
        ),
        (
            TimeRange {
                start: at(0),
                end: at(1),
            },
            &[0],
        ),
        (
            TimeRange {
                start: at(500_000_000),
                end: None,
            },
            &[3, 4, 5],
        ),
        (
            TimeRange {
                start: None,
                end: at(500_000_000),
            },
            &[0, 1, 2],
        ),
        (
            TimeRange {
                start: at(2),
                end: at(999_999_999),
            },
            &[2, 3],
        ),
        (
            TimeRange {
                start: at(1_000_000_000),
                end: at(1_000_000_001),
            },
            &[5],
        ),
        (
            TimeRange {
                start: Some(DateTime::<Utc>::MIN_UTC),
                end: Some(DateTime::<Utc>::MAX_UTC),
            },
            &[0, 1, 2, 3, 4, 5],
        ),
    ];
    for (range, want) in cases {
        let got = ok(s, "read", store.read(Table::Activity, range).await);
        let got: Vec<&str> = got.activity.iter().map(|a| a.student_id.as_str()).collect();
        let want: Vec<String> = want.iter().map(|i| format!("s{i}")).collect();
        assert_eq!(
            got,
            want,
            "[{}] read(activity, {range:?}) at sub-second precision",
            s.describe()
        );
    }
}

/// `write_run` replaces the rows of the same `(table, as_of)`; other `as_of`s and tables stay;
/// an empty set clears its table's rows of that `as_of`.
pub async fn write_run_replaces_results_of_the_same_as_of(store: Arc<dyn Store>) {
    let s = &*store;
    let a = ts("2024-05-01T00:00:00Z");
    let b = ts("2024-05-02T00:00:00.25Z");
    ok(
        s,
        "write_run A",
        store
            .write_run(&run(
                a,
                vec![
                    ResultSet::of(
                        a,
                        &[funnel("industry", UNICODE, 1), funnel("industry", "k2", 2)],
                    ),
                    ResultSet::of(a, &[churn_score("s1", 0.25)]),
                ],
                vec![],
            ))
            .await,
    );
    ok(
        s,
        "write_run B",
        store
            .write_run(&run(
                b,
                vec![ResultSet::of(b, &[funnel("industry", UNICODE, 10)])],
                vec![],
            ))
            .await,
    );
    // Re-run A: one row changes, k2 vanishes, k3 appears; churn_scores is not part of it.
    let rerun = run(
        a,
        vec![ResultSet::of(
            a,
            &[
                funnel("industry", INJECTION, 3),
                funnel("industry", UNICODE, 100),
            ],
        )],
        vec![],
    );
    ok(s, "write_run A again", store.write_run(&rerun).await);

    let funnel_a = ok(s, "results", store.results("kpi_funnel", Some(a)).await);
    assert_eq!(
        funnel_a,
        set_of(
            a,
            &[
                funnel("industry", INJECTION, 3),
                funnel("industry", UNICODE, 100)
            ]
        ),
        "[{}] kpi_funnel of A after re-running A (stale k2 must vanish, rows sorted by key)",
        s.describe()
    );
    let funnel_b = ok(s, "results", store.results("kpi_funnel", Some(b)).await);
    assert_eq!(
        funnel_b,
        set_of(b, &[funnel("industry", UNICODE, 10)]),
        "[{}] kpi_funnel of B must be untouched by a re-run of A",
        s.describe()
    );
    let churn_a = ok(s, "results", store.results("churn_scores", Some(a)).await);
    assert_eq!(
        churn_a,
        set_of(a, &[churn_score("s1", 0.25)]),
        "[{}] a result table the re-run does not name keeps its rows",
        s.describe()
    );
    let runs = ok(s, "runs", store.runs().await);
    assert_eq!(
        runs.iter().map(|r| r.as_of).collect::<Vec<_>>(),
        vec![a, b],
        "[{}] one run record per as_of, oldest first",
        s.describe()
    );
    assert_eq!(
        runs[0].summary,
        rerun.summary,
        "[{}] re-run summary",
        s.describe()
    );
    let counts = ok(s, "counts", store.counts().await);
    assert_eq!(
        (counts.get("kpi_funnel"), counts.get("churn_scores")),
        (Some(&3), Some(&1)),
        "[{}] result counts",
        s.describe()
    );
    assert_eq!(
        counts.get("runs"),
        Some(&2),
        "[{}] runs count",
        s.describe()
    );
    // An empty set clears the table's rows of that as_of (and only those).
    ok(
        s,
        "write_run A with an empty churn set",
        store
            .write_run(&run(
                a,
                vec![ResultSet::empty(spec_of::<ChurnScoreRow>(), a)],
                vec![],
            ))
            .await,
    );
    let churn_a = ok(s, "results", store.results("churn_scores", Some(a)).await);
    no_rows(s, "churn_scores", Some(a), &churn_a);
    assert_eq!(
        ok(s, "results", store.results("kpi_funnel", Some(a)).await),
        funnel_a,
        "[{}] an empty churn set leaves kpi_funnel alone",
        s.describe()
    );
}

/// `results(table, None)` gives the rows of the latest `as_of` that has rows for that table.
pub async fn results_without_as_of_returns_the_latest(store: Arc<dyn Store>) {
    let s = &*store;
    let a = ts("2024-05-01T00:00:00Z");
    let b = ts("2024-05-03T00:00:00Z");
    let c = ts("2024-05-04T00:00:00Z");
    let d = ts("2024-05-05T00:00:00Z");
    // Written out of order on purpose.
    ok(
        s,
        "write_run B",
        store
            .write_run(&run(
                b,
                vec![ResultSet::of(
                    b,
                    &[funnel("z", "z", 1), funnel("a", "a", 2)],
                )],
                vec![],
            ))
            .await,
    );
    ok(
        s,
        "write_run A",
        store
            .write_run(&run(
                a,
                vec![ResultSet::of(a, &[funnel("x", "x", 3)])],
                vec![],
            ))
            .await,
    );
    ok(
        s,
        "write_run C",
        store
            .write_run(&run(
                c,
                vec![ResultSet::of(c, &[churn_score("l", 0.1)])],
                vec![],
            ))
            .await,
    );
    // A later run whose funnel set is empty does not hide B's rows.
    ok(
        s,
        "write_run D",
        store
            .write_run(&run(
                d,
                vec![ResultSet::empty(spec_of::<FunnelRow>(), d)],
                vec![],
            ))
            .await,
    );
    let latest = ok(s, "results", store.results("kpi_funnel", None).await);
    assert_eq!(
        latest,
        set_of(b, &[funnel("a", "a", 2), funnel("z", "z", 1)]),
        "[{}] results(kpi_funnel, None) must be the rows of the latest as_of with rows",
        s.describe()
    );
    let none = ok(s, "results", store.results("kpi_funnel", Some(c)).await);
    no_rows(s, "kpi_funnel", Some(c), &none);
    assert_eq!(
        none.as_of,
        c,
        "[{}] an empty set keeps the as_of asked for",
        s.describe()
    );
    let none = ok(s, "results", store.results("kpi_summary", None).await);
    no_rows(s, "kpi_summary", None, &none);
    let runs = ok(s, "runs", store.runs().await);
    assert_eq!(
        runs.iter().map(|r| r.as_of).collect::<Vec<_>>(),
        vec![a, b, c, d],
        "[{}] runs oldest first",
        s.describe()
    );
}

/// `results` on a table the catalog does not know is a validation error on `table` that names
/// the table and lists the known ones (never an empty set).
pub async fn unknown_result_table_is_a_named_error(store: Arc<dyn Store>) {
    let s = &*store;
    for name in ["no_such_table", "churn_score", "kpis", "", INJECTION] {
        match store.results(name, None).await {
            Err(crate::StoreError::Validation(e)) => {
                let m = e.to_string();
                assert!(
                    m.contains(&format!("`{name}`")) && m.contains("churn_scores"),
                    "[{}] unknown table {name:?}: the error must name it and list the known \
                     tables: {m}",
                    s.describe()
                );
            }
            other => panic!(
                "[{}] results({name:?}) must be a validation error, got {other:?}",
                s.describe()
            ),
        }
    }
    assert!(
        store
            .results("nope", Some(ts("2024-05-01T00:00:00Z")))
            .await
            .is_err(),
        "[{}] unknown table with an as_of",
        s.describe()
    );
}

/// Every table of the catalog, written with values of every column kind (JSON, instants, dates,
/// booleans, `NULL`s, unicode), reads back exactly, at two `as_of`s.
pub async fn every_result_table_round_trips_exactly(store: Arc<dyn Store>) {
    let s = &*store;
    let a = ts("2024-05-01T06:00:00.5Z");
    let b = ts("2024-05-02T06:00:00Z");
    for as_of in [a, b] {
        let sets: Vec<ResultSet> = catalog()
            .iter()
            .map(|spec| synthetic_set(spec, as_of, 3))
            .collect();
        ok(
            s,
            "write_run",
            store.write_run(&run(as_of, sets, vec![])).await,
        );
    }
    for spec in catalog() {
        for (as_of, asked) in [(a, Some(a)), (b, Some(b)), (b, None)] {
            let got = ok(s, "results", store.results(spec.name, asked).await);
            let want = synthetic_set(spec, as_of, 3);
            assert_eq!(
                got,
                want,
                "[{}] results({}, {asked:?}) must read back what was written",
                s.describe(),
                spec.name
            );
        }
    }
    let counts = ok(s, "counts", store.counts().await);
    for spec in catalog() {
        let per_run = if spec.key.is_empty() { 1 } else { 3 };
        assert_eq!(
            counts.get(spec.name),
            Some(&(2 * per_run)),
            "[{}] counts[{}]",
            s.describe(),
            spec.name
        );
    }
}

/// [`crate::typed_results`] decodes the stored rows into the row type.
pub async fn typed_results_decode_rows(store: Arc<dyn Store>) {
    let s = &*store;
    let a = ts("2024-05-01T00:00:00Z");
    let summary = KpiSummary {
        students: 120,
        active_students_7d: 40,
        active_students_30d: 80,
        completed_students: 9,
        completion_rate: 9.0 / 120.0,
        attendance_rate_last_30d: Some(0.1 + 0.2),
        attendance_rate_prev_30d: None,
        registrations_last_30d: 31,
        registrations_prev_30d: 0,
    };
    let scores = vec![churn_score("s2", 0.75), churn_score(UNICODE, 0.1)];
    ok(
        s,
        "write_run",
        store
            .write_run(&run(
                a,
                vec![
                    ResultSet::of(a, std::slice::from_ref(&summary)),
                    ResultSet::of(a, &scores),
                ],
                vec![],
            ))
            .await,
    );
    let got: Vec<KpiSummary> = ok(s, "typed_results", crate::typed_results(s, None).await);
    assert_eq!(got, vec![summary], "[{}] typed kpi_summary", s.describe());
    let mut got: Vec<ChurnScoreRow> =
        ok(s, "typed_results", crate::typed_results(s, Some(a)).await);
    got.sort_by(|x, y| x.student_id.cmp(&y.student_id));
    let mut want = scores;
    want.sort_by(|x, y| x.student_id.cmp(&y.student_id));
    assert_eq!(got, want, "[{}] typed churn_scores", s.describe());
    let none: Vec<FunnelRow> = ok(s, "typed_results", crate::typed_results(s, None).await);
    assert!(
        none.is_empty(),
        "[{}] typed results of an empty table",
        s.describe()
    );
}

/// A run with a set that breaks its table's spec (a value of the wrong kind, `NULL` in a
/// non-nullable column, a duplicate key, an `as_of` that is not the run's, a table the catalog
/// does not know) is a validation error and writes nothing.
pub async fn invalid_result_sets_write_nothing(store: Arc<dyn Store>) {
    let s = &*store;
    let a = ts("2024-05-01T00:00:00Z");
    let good = run(
        a,
        vec![ResultSet::of(a, &[funnel("all", "all", 5)])],
        vec![],
    );
    ok(s, "write_run", store.write_run(&good).await);
    let before = ok(s, "counts", store.counts().await);
    let before_runs = ok(s, "runs", store.runs().await);

    let mut wrong_kind = ResultSet::of(a, &[funnel("all", "all", 6)]);
    wrong_kind.rows[0][2] = Value::Text("6".into());
    let mut null_key = ResultSet::of(a, &[funnel("x", "y", 6)]);
    null_key.rows[0][0] = Value::Null;
    let dup = ResultSet::of(a, &[funnel("d", "d", 1), funnel("d", "d", 2)]);
    let other_as_of = ResultSet::of(ts("2024-05-02T00:00:00Z"), &[funnel("o", "o", 1)]);
    let unknown: &'static ResultSpec = Box::leak(Box::new(ResultSpec {
        name: "alerts",
        ..FunnelRow::SPEC
    }));
    let unknown = ResultSet {
        spec: unknown,
        as_of: a,
        rows: vec![],
    };
    for (what, bad) in [
        ("a value of the wrong kind", wrong_kind),
        ("NULL in a key column", null_key),
        ("a duplicate key", dup),
        ("another as_of", other_as_of),
        ("an unknown table", unknown),
    ] {
        let r = store
            .write_run(&run(
                a,
                vec![ResultSet::of(a, &[churn_score("s1", 0.5)]), bad],
                vec![notification(&format!("bad:{what}"), what, a)],
            ))
            .await;
        assert!(
            matches!(r, Err(crate::StoreError::Validation(_))),
            "[{}] a run with {what} must be a validation error, got {r:?}",
            s.describe()
        );
        assert_eq!(
            ok(s, "counts", store.counts().await),
            before,
            "[{}] counts after a run with {what}",
            s.describe()
        );
        assert_eq!(ok(s, "runs", store.runs().await), before_runs);
    }
    assert_eq!(
        ok(s, "results", store.results("kpi_funnel", Some(a)).await),
        set_of(a, &[funnel("all", "all", 5)]),
        "[{}] rows after rejected runs",
        s.describe()
    );
}

/// A notification whose key is already in the outbox is ignored; the first one is kept.
pub async fn notifications_are_deduplicated(store: Arc<dyn Store>) {
    let s = &*store;
    let a = ts("2024-05-01T00:00:00Z");
    let b = ts("2024-05-02T00:00:00Z");
    let first = notification("trend:curso IA:2024-W18", "first title", a);
    let other = notification(&format!("k:{INJECTION}"), UNICODE, a);
    ok(
        s,
        "write_run A",
        store
            .write_run(&run(
                a,
                vec![],
                vec![first.clone(), other.clone(), first.clone()],
            ))
            .await,
    );
    let again = notification("trend:curso IA:2024-W18", "second title", b);
    let third = notification("sales:x", "third", b);
    ok(
        s,
        "write_run B",
        store
            .write_run(&run(b, vec![], vec![again, third.clone()]))
            .await,
    );
    ok(
        s,
        "write_run A again",
        store.write_run(&run(a, vec![], vec![first.clone()])).await,
    );
    let outbox = ok(s, "outbox", store.outbox(false).await);
    let got: Vec<&Notification> = outbox.iter().map(|i| &i.notification).collect();
    assert_eq!(
        got,
        vec![&first, &other, &third],
        "[{}] outbox after re-runs: one row per dedupe key, first one kept, oldest first",
        s.describe()
    );
    for item in &outbox {
        assert_eq!(item.status, OutboxStatus::Pending);
        assert_eq!(item.attempts, 0);
        assert!(item.delivered_to.is_empty());
        assert_eq!(item.last_error, None);
        assert_eq!(item.next_attempt_at, None);
        assert_eq!(item.sent_at, None);
    }
    let counts = ok(s, "counts", store.counts().await);
    assert_eq!(counts.get("notifications"), Some(&3));
}

/// A run whose last notification is invalid (empty dedupe key) leaves no trace: not its results
/// (including the deletion of older rows of the same `as_of`), not its other notifications, not
/// its run record.
pub async fn outbox_is_atomic_with_results(store: Arc<dyn Store>) {
    let s = &*store;
    let a = ts("2024-05-01T00:00:00Z");
    let b = ts("2024-05-02T00:00:00Z");
    let good = run(
        a,
        vec![ResultSet::of(
            a,
            &[funnel("k", "1", 1), funnel("k", "2", 2)],
        )],
        vec![notification("n-a", "a", a)],
    );
    ok(s, "write_run A", store.write_run(&good).await);
    let before_counts = ok(s, "counts", store.counts().await);
    let before_runs = ok(s, "runs", store.runs().await);
    let before_outbox = ok(s, "outbox", store.outbox(false).await);

    let bad_new = run(
        b,
        vec![
            ResultSet::of(b, &[funnel("k", "1", 10)]),
            ResultSet::of(b, &[churn_score("x", 0.5)]),
        ],
        vec![
            notification("n-b1", "b1", b),
            notification("n-b2", "b2", b),
            notification("", "invalid: empty dedupe key", b),
        ],
    );
    let bad_rerun = run(
        a,
        vec![ResultSet::of(a, &[funnel("k", "9", 9)])],
        vec![notification("n-a2", "a2", a), notification("", "bad", a)],
    );
    for (what, bad) in [("new as_of", bad_new), ("re-run of an as_of", bad_rerun)] {
        let r = store.write_run(&bad).await;
        assert!(
            r.is_err(),
            "[{}] write_run ({what}) with an empty dedupe key must fail",
            s.describe()
        );
        assert_eq!(
            ok(s, "counts", store.counts().await),
            before_counts,
            "[{}] counts after a failed write_run ({what})",
            s.describe()
        );
        assert_eq!(
            ok(s, "runs", store.runs().await),
            before_runs,
            "[{}] runs after a failed write_run ({what})",
            s.describe()
        );
        assert_eq!(
            ok(s, "outbox", store.outbox(false).await),
            before_outbox,
            "[{}] outbox after a failed write_run ({what})",
            s.describe()
        );
        let none = ok(s, "results", store.results("kpi_funnel", Some(b)).await);
        no_rows(s, "kpi_funnel", Some(b), &none);
        let none = ok(s, "results", store.results("churn_scores", None).await);
        no_rows(s, "churn_scores", None, &none);
        assert_eq!(
            ok(s, "results", store.results("kpi_funnel", Some(a)).await),
            set_of(a, &[funnel("k", "1", 1), funnel("k", "2", 2)]),
            "[{}] results of A after a failed write_run ({what})",
            s.describe()
        );
    }
    // The store still works afterwards.
    ok(
        s,
        "write_run after failures",
        store
            .write_run(&run(b, vec![], vec![notification("n-b1", "b1", b)]))
            .await,
    );
    assert_eq!(ok(s, "outbox", store.outbox(false).await).len(), 2);
}

/// Success, partial success, failure with retry, give-up; `outbox(pending_only)` filtering.
pub async fn record_delivery_transitions(store: Arc<dyn Store>) {
    let s = &*store;
    let a = ts("2024-05-01T00:00:00Z");
    ok(
        s,
        "write_run",
        store
            .write_run(&run(
                a,
                vec![],
                vec![
                    notification("n1", "one", a),
                    notification("n2", "two", a),
                    notification("n3", "three", a),
                ],
            ))
            .await,
    );
    let attempt = |key: &str, channel: &str, at: &str| DeliveryAttempt {
        dedupe_key: key.into(),
        channel: channel.into(),
        at: ts(at),
        error: None,
        retry_at: None,
        completes: false,
    };
    let get = |outbox: &[edupulse_core::results::OutboxItem], key: &str| {
        outbox
            .iter()
            .find(|i| i.notification.dedupe_key == key)
            .cloned()
            .unwrap_or_else(|| panic!("[{}] {key} missing from the outbox", s.describe()))
    };

    // n1: delivered to slack (not complete), then email (complete).
    ok(
        s,
        "deliver n1 slack",
        store
            .record_delivery(&attempt("n1", "slack", "2024-05-01T01:00:00Z"))
            .await,
    );
    let n1 = get(&ok(s, "outbox", store.outbox(false).await), "n1");
    assert_eq!(
        n1.delivered_to,
        vec!["slack".to_string()],
        "[{}] n1",
        s.describe()
    );
    assert_eq!(
        n1.status,
        OutboxStatus::Pending,
        "[{}] n1 partial",
        s.describe()
    );
    assert_eq!(n1.sent_at, None);
    let mut done = attempt("n1", "email", "2024-05-01T01:00:01.5Z");
    done.completes = true;
    ok(s, "deliver n1 email", store.record_delivery(&done).await);
    let n1 = get(&ok(s, "outbox", store.outbox(false).await), "n1");
    assert_eq!(
        n1.delivered_to,
        vec!["slack".to_string(), "email".to_string()],
        "[{}] delivered_to accumulates channels in order",
        s.describe()
    );
    assert_eq!(
        n1.status,
        OutboxStatus::Sent,
        "[{}] n1 complete",
        s.describe()
    );
    assert_eq!(n1.sent_at, Some(done.at), "[{}] n1 sent_at", s.describe());
    assert_eq!(n1.attempts, 0);

    // n2: fails with a retry, then fails for good.
    let mut fail = attempt("n2", "slack", "2024-05-01T02:00:00Z");
    fail.error = Some(format!("HTTP 500: {UNICODE}"));
    fail.retry_at = Some(ts("2024-05-01T02:05:00.125Z"));
    ok(s, "fail n2", store.record_delivery(&fail).await);
    let n2 = get(&ok(s, "outbox", store.outbox(false).await), "n2");
    assert_eq!(
        n2.status,
        OutboxStatus::Pending,
        "[{}] n2 after a retryable failure",
        s.describe()
    );
    assert_eq!(n2.attempts, 1);
    assert_eq!(n2.last_error, fail.error);
    assert_eq!(n2.next_attempt_at, fail.retry_at);
    assert!(n2.delivered_to.is_empty());
    let mut give_up = attempt("n2", "slack", "2024-05-01T02:05:01Z");
    give_up.error = Some("timeout".into());
    ok(s, "give up n2", store.record_delivery(&give_up).await);
    let n2 = get(&ok(s, "outbox", store.outbox(false).await), "n2");
    assert_eq!(
        n2.status,
        OutboxStatus::Failed,
        "[{}] n2 after giving up",
        s.describe()
    );
    assert_eq!(n2.attempts, 2);
    assert_eq!(n2.last_error.as_deref(), Some("timeout"));
    assert_eq!(n2.sent_at, None);

    let pending = ok(s, "outbox(pending)", store.outbox(true).await);
    assert_eq!(
        pending
            .iter()
            .map(|i| i.notification.dedupe_key.as_str())
            .collect::<Vec<_>>(),
        vec!["n3"],
        "[{}] outbox(pending_only)",
        s.describe()
    );
    let all = ok(s, "outbox(all)", store.outbox(false).await);
    assert_eq!(
        all.iter()
            .map(|i| i.notification.dedupe_key.as_str())
            .collect::<Vec<_>>(),
        vec!["n1", "n2", "n3"],
        "[{}] outbox(all), oldest first",
        s.describe()
    );

    // A delivery for a key that is not in the outbox is an error, and changes nothing.
    let r = store
        .record_delivery(&attempt("nope", "slack", "2024-05-01T03:00:00Z"))
        .await;
    assert!(
        r.is_err(),
        "[{}] delivery of an unknown key must fail",
        s.describe()
    );
    assert_eq!(ok(s, "outbox", store.outbox(false).await), all);
    assert_eq!(
        ok(
            s,
            "delivered_since",
            store
                .delivered_since("slack", ts("2024-01-01T00:00:00Z"))
                .await
        ),
        1
    );
}

/// `delivered_since` counts successful deliveries per channel at or after an instant.
pub async fn delivered_since_counts_per_channel(store: Arc<dyn Store>) {
    let s = &*store;
    let a = ts("2024-05-01T00:00:00Z");
    ok(
        s,
        "write_run",
        store
            .write_run(&run(
                a,
                vec![],
                vec![notification("n1", "1", a), notification("n2", "2", a)],
            ))
            .await,
    );
    let t1 = ts("2024-05-01T10:00:00Z");
    let t2 = ts("2024-05-01T10:30:00.5Z");
    let ok_at = |key: &str, ch: &str, at| DeliveryAttempt {
        dedupe_key: key.into(),
        channel: ch.into(),
        at,
        error: None,
        retry_at: None,
        completes: false,
    };
    for d in [
        ok_at("n1", "slack", t1),
        ok_at("n2", "slack", t2),
        ok_at("n1", "email", t2),
        DeliveryAttempt {
            error: Some("boom".into()),
            retry_at: Some(t2 + Duration::minutes(5)),
            ..ok_at("n2", "email", t2)
        },
    ] {
        ok(s, "record_delivery", store.record_delivery(&d).await);
    }
    let cases = [
        ("slack", t1 - Duration::hours(1), 2),
        ("slack", t1, 2),
        ("slack", t1 + Duration::nanoseconds(1), 1),
        ("slack", t2, 1),
        ("slack", t2 + Duration::milliseconds(1), 0),
        ("email", t1, 1),
        ("sms", t1 - Duration::days(1), 0),
        ("slack", DateTime::<Utc>::MIN_UTC, 2),
        ("slack", DateTime::<Utc>::MAX_UTC, 0),
    ];
    for (ch, since, want) in cases {
        let got = ok(s, "delivered_since", store.delivered_since(ch, since).await);
        assert_eq!(
            got,
            want,
            "[{}] delivered_since({ch}, {since}) (failures do not count)",
            s.describe()
        );
    }
}

/// Eight readers run while one ingest is in flight; every read succeeds and sees either the
/// state before the ingest or the state after it, never a mix.
pub async fn concurrent_readers_see_before_or_after(store: Arc<dyn Store>) {
    let s = &*store;
    let base = sample_batch();
    ok(s, "ingest base", store.ingest(&base).await);
    let before = ok(s, "counts", store.counts().await);

    let mut more = Tables::default();
    let t0 = ts("2023-01-01T00:00:00Z");
    for i in 0..3000 {
        more.activity.push(Activity {
            student_id: format!("c{:05}", i % 500),
            at: t0 + Duration::milliseconds(i * 1500 + 1),
            kind: ActivityKind::LessonCompleted,
            value: Some(i as f64 / 7.0),
            ref_id: None,
        });
    }
    for i in 0..500 {
        more.students.push(Student {
            student_id: format!("c{i:05}"),
            email: format!("c{i}@example.com"),
            name: format!("{UNICODE} {i}"),
            industry: "retail".into(),
            role: "owner".into(),
            company_size: "1-10".into(),
            enrolled_at: t0 + Duration::seconds(i),
        });
    }
    more.validate().unwrap();
    let mut after = before.clone();
    for (name, n) in names_of_counts(&more) {
        *after.entry(name).or_default() += n;
    }
    let act_before = base.activity.len();
    let act_after = act_before + more.activity.len();

    let done = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for r in 0..8 {
        let store = Arc::clone(&store);
        let done = Arc::clone(&done);
        let (before, after) = (before.clone(), after.clone());
        readers.push(tokio::spawn(async move {
            let mut seen = 0usize;
            loop {
                let finished = done.load(Ordering::SeqCst);
                let counts = store
                    .counts()
                    .await
                    .unwrap_or_else(|e| panic!("reader {r}: counts failed: {e}"));
                assert!(
                    counts == before || counts == after,
                    "[{}] reader {r} saw partial counts {counts:?}\n before: {before:?}\n after: {after:?}",
                    store.describe()
                );
                let rows = store
                    .read(Table::Activity, TimeRange::ALL)
                    .await
                    .unwrap_or_else(|e| panic!("reader {r}: read failed: {e}"));
                let n = rows.activity.len();
                assert!(
                    n == act_before || n == act_after,
                    "[{}] reader {r} saw {n} activity rows (expected {act_before} or {act_after})",
                    store.describe()
                );
                seen += 1;
                if finished && seen >= 3 {
                    break;
                }
                tokio::task::yield_now().await;
            }
            seen
        }));
    }
    let writer = {
        let store = Arc::clone(&store);
        tokio::spawn(async move { store.ingest(&more).await })
    };
    let report = writer
        .await
        .unwrap_or_else(|e| panic!("writer task panicked: {e}"));
    let report = ok(s, "concurrent ingest", report);
    done.store(true, Ordering::SeqCst);
    for (i, r) in readers.into_iter().enumerate() {
        let seen = r
            .await
            .unwrap_or_else(|e| panic!("reader {i} panicked: {e}"));
        assert!(seen >= 3);
    }
    assert_eq!(report.written.get("activity"), Some(&3000));
    assert_eq!(ok(s, "counts", store.counts().await), after);
}

/// `claim_outbox` by a single worker returns what `outbox(true)` returns (the same rows, in the
/// same order, with `delivered_to`), and no longer returns rows once they are sent; releasing
/// the claims works and is idempotent.
pub async fn claim_returns_the_pending_rows(store: Arc<dyn Store>) {
    let s = &*store;
    let a = ts("2024-05-01T00:00:00Z");
    let n1 = notification("claim:1", "one", a);
    let n2 = notification(&format!("claim:{INJECTION}"), UNICODE, a);
    ok(
        s,
        "write_run",
        store
            .write_run(&run(a, vec![], vec![n1.clone(), n2.clone()]))
            .await,
    );
    ok(
        s,
        "record_delivery partial",
        store
            .record_delivery(&DeliveryAttempt {
                dedupe_key: n2.dedupe_key.clone(),
                channel: "file".into(),
                at: a,
                error: None,
                retry_at: None,
                completes: false,
            })
            .await,
    );
    let lease = std::time::Duration::from_secs(60);
    let claimed = ok(s, "claim_outbox", store.claim_outbox("w1", a, lease).await);
    let pending = ok(s, "outbox", store.outbox(true).await);
    assert_eq!(claimed, pending, "[{}] claim = pending rows", s.describe());
    assert_eq!(claimed.len(), 2);
    assert_eq!(claimed[1].delivered_to, vec!["file".to_string()]);
    // The same worker may claim again (e.g. a retry within its lease).
    let again = ok(
        s,
        "claim_outbox again",
        store.claim_outbox("w1", a, lease).await,
    );
    assert_eq!(again.len(), 2, "[{}] own claims are visible", s.describe());
    ok(
        s,
        "record_delivery complete",
        store
            .record_delivery(&DeliveryAttempt {
                dedupe_key: n1.dedupe_key.clone(),
                channel: "file".into(),
                at: a,
                error: None,
                retry_at: None,
                completes: true,
            })
            .await,
    );
    ok(s, "release_claims", store.release_claims("w1").await);
    ok(s, "release_claims twice", store.release_claims("w1").await);
    let after = ok(
        s,
        "claim_outbox after",
        store.claim_outbox("w2", a, lease).await,
    );
    let keys: Vec<&str> = after
        .iter()
        .map(|i| i.notification.dedupe_key.as_str())
        .collect();
    assert_eq!(
        keys,
        vec![n2.dedupe_key.as_str()],
        "[{}] sent rows are not claimed",
        s.describe()
    );
    ok(s, "release_claims w2", store.release_claims("w2").await);
}

/// Shared stores: a row claimed by one worker is invisible to another until the claim is
/// released or its lease expires; concurrent claims never hand one row to two workers.
pub async fn claims_are_exclusive_until_the_lease_expires(store: Arc<dyn Store>) {
    let s = &*store;
    let a = ts("2024-05-01T00:00:00Z");
    let notes: Vec<Notification> = (0..40)
        .map(|i| notification(&format!("lease:{i:02}"), "x", a))
        .collect();
    ok(
        s,
        "write_run",
        store.write_run(&run(a, vec![], notes.clone())).await,
    );
    let lease = std::time::Duration::from_secs(60);
    let first = ok(s, "claim w1", store.claim_outbox("w1", a, lease).await);
    assert_eq!(first.len(), notes.len());
    let second = ok(s, "claim w2", store.claim_outbox("w2", a, lease).await);
    assert!(
        second.is_empty(),
        "[{}] w1's rows leaked to w2",
        s.describe()
    );
    // One dispatcher at a time: rows written after w1's claim are not handed to w2 either
    // (so a channel's rate limit, counted from the store, holds across processes).
    let late = notification("lease:late", "x", a);
    ok(
        s,
        "write_run late",
        store
            .write_run(&run(a + Duration::days(1), vec![], vec![late]))
            .await,
    );
    let third = ok(
        s,
        "claim w2 again",
        store.claim_outbox("w2", a, lease).await,
    );
    assert!(
        third.is_empty(),
        "[{}] w2 claimed while w1's claim is live",
        s.describe()
    );
    ok(s, "release w1", store.release_claims("w1").await);
    let after = ok(
        s,
        "claim w2 after",
        store.claim_outbox("w2", a, lease).await,
    );
    assert_eq!(
        after.len(),
        notes.len() + 1,
        "[{}] released rows are claimable",
        s.describe()
    );
    ok(s, "release w2 after", store.release_claims("w2").await);
    // w1 claims again and dies.
    ok(
        s,
        "claim w1 again",
        store.claim_outbox("w1", a, lease).await,
    );
    // After the lease, w2 takes them over (w1 died).
    let later = a + Duration::seconds(61);
    let taken = ok(
        s,
        "claim w2 later",
        store.claim_outbox("w2", later, lease).await,
    );
    assert_eq!(
        taken.len(),
        notes.len() + 1,
        "[{}] expired claims are taken over",
        s.describe()
    );
    ok(s, "release w2", store.release_claims("w2").await);
    // Concurrent claims: every row goes to exactly one worker.
    let mut tasks = Vec::new();
    for w in 0..4 {
        let st = store.clone();
        tasks.push(tokio::spawn(async move {
            st.claim_outbox(&format!("c{w}"), a, lease).await
        }));
    }
    let mut seen = std::collections::BTreeSet::new();
    for t in tasks {
        for item in ok(s, "concurrent claim", t.await.unwrap()) {
            assert!(
                seen.insert(item.notification.dedupe_key.clone()),
                "[{}] {} claimed twice",
                s.describe(),
                item.notification.dedupe_key
            );
        }
    }
    assert_eq!(seen.len(), notes.len() + 1);
}

// ---------------------------------------------------------------------------------------------
// Upgrading a store written before typed result tables

/// Rows of the old `results` table as the previous release wrote them (`edupulse demo` of the
/// release before typed results, trimmed, plus the shapes that demo did not produce: a planned
/// webinar's forecast, best slots and rescheduling, the purchase models, a second `as_of`, and a
/// custom step's table this release does not know). Read from
/// `crates/edupulse-store/tests/data/legacy_results.jsonl`.
pub fn legacy_fixture() -> Vec<edupulse_core::results::legacy::LegacyRow> {
    #[derive(serde::Deserialize)]
    struct Old {
        table_name: String,
        as_of: String,
        key: String,
        data: serde_json::Value,
    }
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/legacy_results.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let o: Old = serde_json::from_str(l).unwrap_or_else(|e| panic!("{path}: {e}: {l}"));
            edupulse_core::results::legacy::LegacyRow {
                table: o.table_name,
                as_of: ts(&o.as_of),
                key: o.key,
                data: o.data,
            }
        })
        .collect()
}

/// The webinar the fixture's planned-webinar rows refer to (`w9001`), to store before upgrading.
pub fn legacy_fixture_webinar() -> Webinar {
    Webinar {
        webinar_id: "w9001".into(),
        title: format!("IA generativa para empresas {UNICODE}"),
        topic: "ia_generativa".into(),
        starts_at: ts("2026-01-09T10:00:00Z"),
        duration_min: 60,
        industry: Some("tecnología".into()),
        role: None,
        company_size: None,
        timezone: None,
    }
}

/// After opening a store that held `old` in its old `results` table (and `webinars` in its
/// input tables): every row is in its typed table (what
/// [`legacy::convert`](edupulse_core::results::legacy::convert) makes of them), nothing more,
/// and the rows of unknown tables are kept in `legacy_results` (seen through
/// [`Store::export_fixed`]).
pub async fn assert_legacy_migrated(
    store: &dyn Store,
    old: &[edupulse_core::results::legacy::LegacyRow],
    webinars: &[Webinar],
) {
    let s = store;
    let want = edupulse_core::results::legacy::convert(old, webinars)
        .unwrap_or_else(|e| panic!("the fixture does not convert: {e}"));
    let mut per_table: BTreeMap<String, u64> = BTreeMap::new();
    for set in &want.sets {
        let mut set = set.clone();
        crate::sort_by_key(&mut set);
        let got = ok(
            s,
            "results",
            store.results(set.spec.name, Some(set.as_of)).await,
        );
        assert_eq!(
            got,
            set,
            "[{}] migrated rows of {} as of {}",
            s.describe(),
            set.spec.name,
            set.as_of
        );
        *per_table.entry(set.spec.name.to_string()).or_default() += set.rows.len() as u64;
    }
    let converted: u64 = per_table.values().sum();
    assert_eq!(
        converted as usize + want.unknown.len(),
        old.len(),
        "[{}] every old row is either typed or kept",
        s.describe()
    );
    let counts = ok(s, "counts", store.counts().await);
    for spec in catalog() {
        assert_eq!(
            counts.get(spec.name).copied().unwrap_or(0),
            per_table.get(spec.name).copied().unwrap_or(0),
            "[{}] counts[{}] after the upgrade",
            s.describe(),
            spec.name
        );
    }
    assert!(
        !counts.contains_key("results"),
        "[{}] the old results table is gone",
        s.describe()
    );
    let fixed = ok(s, "export_fixed", store.export_fixed().await);
    assert_eq!(
        fixed.legacy_results,
        want.unknown,
        "[{}] rows of unknown tables kept in legacy_results",
        s.describe()
    );
    if let Some(w) = webinars.iter().find(|w| w.webinar_id == "w9001") {
        let f: Vec<edupulse_core::demand::rows::WebinarForecastRow> =
            ok(s, "typed_results", crate::typed_results(s, None).await);
        assert!(
            f.iter()
                .any(|r| r.webinar_id == w.webinar_id && r.title == w.title),
            "[{}] the stored webinar's title joins its old forecast: {f:?}",
            s.describe()
        );
    }
}

/// Shared stores: a claim records its holder's host, pid and heartbeat ([`Store::claim_holders`]);
/// heartbeats extend it; a dispatcher that judges the holder dead (its process is gone, or its
/// heartbeat is stale) takes its rows over at once with `release_claims` + `claim_outbox_as`,
/// long before the lease expires, and the dead holder's next heartbeat reports the loss.
pub async fn a_dead_holders_claims_are_taken_over_before_the_lease(store: Arc<dyn Store>) {
    let s = &*store;
    let a = ts("2024-05-01T00:00:00Z");
    let sec = Duration::seconds;
    let notes: Vec<Notification> = (0..3)
        .map(|i| notification(&format!("dead:{i}"), "x", a))
        .collect();
    ok(
        s,
        "write_run",
        store.write_run(&run(a, vec![], notes)).await,
    );
    let lease = std::time::Duration::from_secs(600);
    let w1 = Claimant {
        worker: "w1".to_string(),
        host: Some(UNICODE.to_string()),
        pid: Some(4_000_000_000),
    };
    let first = ok(s, "claim w1", store.claim_outbox_as(&w1, a, lease).await);
    assert_eq!(first.len(), 3, "[{}] w1 claims every row", s.describe());
    let holders = ok(s, "claim_holders", store.claim_holders(a + sec(1)).await);
    assert_eq!(
        holders,
        vec![ClaimHolder {
            worker: "w1".to_string(),
            host: Some(UNICODE.to_string()),
            pid: Some(4_000_000_000),
            claimed_until: a + sec(600),
            heartbeat_at: Some(a),
        }],
        "[{}] the holder's host, pid, lease and heartbeat are recorded",
        s.describe()
    );
    // A heartbeat extends the claim and is visible to others.
    assert!(
        ok(
            s,
            "heartbeat w1",
            store.heartbeat("w1", a + sec(30), lease).await
        ),
        "[{}] w1 still holds its rows",
        s.describe()
    );
    let holders = ok(s, "claim_holders", store.claim_holders(a + sec(31)).await);
    assert_eq!(holders.len(), 1);
    assert_eq!(holders[0].heartbeat_at, Some(a + sec(30)));
    assert_eq!(holders[0].claimed_until, a + sec(630));
    // w1 dies. Its lease is still live: a plain claim gets nothing...
    let w2 = Claimant {
        worker: "w2".to_string(),
        host: Some("host-b".to_string()),
        pid: Some(7),
    };
    let blocked = ok(
        s,
        "claim w2",
        store.claim_outbox_as(&w2, a + sec(40), lease).await,
    );
    assert!(blocked.is_empty(), "[{}] w1's lease is live", s.describe());
    // ...but w2, having judged w1 dead, takes its rows over at once.
    ok(s, "release w1 (dead)", store.release_claims("w1").await);
    let taken = ok(
        s,
        "take over",
        store.claim_outbox_as(&w2, a + sec(40), lease).await,
    );
    assert_eq!(
        taken.len(),
        3,
        "[{}] a dead holder's rows are taken over before its lease expires",
        s.describe()
    );
    let holders = ok(s, "claim_holders", store.claim_holders(a + sec(41)).await);
    assert_eq!(holders.len(), 1, "[{}] one holder: w2", s.describe());
    assert_eq!(holders[0].worker, "w2");
    assert_eq!(holders[0].host.as_deref(), Some("host-b"));
    assert_eq!(holders[0].pid, Some(7));
    // Were w1 alive after all, its next heartbeat says it lost the rows (and changes nothing).
    assert!(
        !ok(
            s,
            "heartbeat w1 late",
            store.heartbeat("w1", a + sec(50), lease).await
        ),
        "[{}] the old holder learns it lost its claim",
        s.describe()
    );
    let holders = ok(s, "claim_holders", store.claim_holders(a + sec(51)).await);
    assert_eq!(holders.len(), 1);
    assert_eq!(holders[0].worker, "w2");
    // Expired claims are not listed.
    let gone = ok(
        s,
        "claim_holders later",
        store.claim_holders(a + sec(40 + 601)).await,
    );
    assert!(
        gone.is_empty(),
        "[{}] expired claims are not live",
        s.describe()
    );
    ok(s, "release w2", store.release_claims("w2").await);
    let none = ok(
        s,
        "claim_holders after release",
        store.claim_holders(a + sec(42)).await,
    );
    assert!(
        none.is_empty(),
        "[{}] released claims are gone",
        s.describe()
    );
}
