//! The domain model: one record type per table of DESIGN §3, with validation.
//!
//! Every record implements [`Record`]: its column list (the contract shared by CSV files, DataFrames
//! and store tables), its natural key (what an upsert replaces), the instant it is filed under (for
//! range queries), parsing from text with errors that name table, row and column, and rendering
//! back to typed [`Value`]s. [`Tables`] holds one batch of every table and validates it as a whole
//! (duplicate keys with different values are an error; identical duplicates collapse).

mod fields;
mod records;

pub use fields::{
    date_to_datetime, end_of_day, format_datetime, parse_as_of, parse_count, parse_date,
    parse_datetime, parse_f64, AsInstant, ColumnKind, ColumnSpec, FieldType, Value,
};
pub use records::*;

use crate::error::{CoreError, Result};
use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The input tables of DESIGN §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Table {
    /// Keyword search interest over time.
    KeywordInterest,
    /// Webinars, with their target segment.
    Webinars,
    /// Webinar registrations and attendance.
    Registrations,
    /// Students.
    Students,
    /// Student activity events.
    Activity,
    /// Purchases.
    Purchases,
    /// Leads.
    Leads,
    /// Lead events.
    LeadEvents,
    /// Flashcard reviews.
    Reviews,
    /// Queries related to tracked keywords (rising / top).
    RelatedQueries,
    /// A/B tests.
    Experiments,
    /// Who saw which variant of an experiment, when.
    Exposures,
    /// Keyword → topic mapping (timeless).
    KeywordTopics,
    /// Content items: recordings, lessons, quizzes (timeless).
    Content,
    /// Timed transcript cues of recordings (timeless).
    TranscriptSegments,
    /// Concepts and their prerequisites (timeless).
    Concepts,
    /// Card → concept mapping (timeless).
    CardConcepts,
    /// Written feedback about webinars (chat, questions, surveys, reviews).
    Feedback,
    /// Who watched which part of a recording, when (video player play ranges).
    ContentViews,
    /// Quiz scores per learner, quiz and concept.
    QuizResults,
    /// Mentors' capacity and availability for mentor matching (timeless).
    Mentors,
    /// Named attributes of a student (demographics, credits, previous attempts; timeless).
    StudentAttributes,
    /// Assessment deadlines per course (timeless: a schedule is known ahead).
    AssessmentSchedule,
}

impl Table {
    /// Every input table, in ingest order (parents before children).
    pub const ALL: [Table; 23] = [
        Table::KeywordInterest,
        Table::Webinars,
        Table::Registrations,
        Table::Students,
        Table::Activity,
        Table::Purchases,
        Table::Leads,
        Table::LeadEvents,
        Table::Reviews,
        Table::RelatedQueries,
        Table::Experiments,
        Table::Exposures,
        Table::KeywordTopics,
        Table::Content,
        Table::TranscriptSegments,
        Table::Concepts,
        Table::CardConcepts,
        Table::Feedback,
        Table::ContentViews,
        Table::QuizResults,
        Table::Mentors,
        Table::StudentAttributes,
        Table::AssessmentSchedule,
    ];

    /// The table's name (also the CSV file stem and the store table name).
    pub fn name(self) -> &'static str {
        match self {
            Table::KeywordInterest => "keyword_interest",
            Table::Webinars => "webinars",
            Table::Registrations => "registrations",
            Table::Students => "students",
            Table::Activity => "activity",
            Table::Purchases => "purchases",
            Table::Leads => "leads",
            Table::LeadEvents => "lead_events",
            Table::Reviews => "reviews",
            Table::RelatedQueries => "related_queries",
            Table::Experiments => "experiments",
            Table::Exposures => "exposures",
            Table::KeywordTopics => "keyword_topics",
            Table::Content => "content",
            Table::TranscriptSegments => "transcript_segments",
            Table::Concepts => "concepts",
            Table::CardConcepts => "card_concepts",
            Table::Feedback => "feedback",
            Table::ContentViews => "content_views",
            Table::QuizResults => "quiz_results",
            Table::Mentors => "mentors",
            Table::StudentAttributes => "student_attributes",
            Table::AssessmentSchedule => "assessment_schedule",
        }
    }

    /// Look a table up by name.
    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The column list of the table.
    pub fn columns(self) -> &'static [ColumnSpec] {
        struct Cols(&'static [ColumnSpec], Table);
        impl TableVisitor for Cols {
            type Error = std::convert::Infallible;
            fn visit<R: Record>(&mut self) -> std::result::Result<(), Self::Error> {
                if R::TABLE == self.1 {
                    self.0 = R::columns();
                }
                Ok(())
            }
        }
        let mut c = Cols(&[], self);
        let _ = visit_tables(&mut c);
        c.0
    }

    /// Names of the natural-key columns.
    pub fn key_columns(self) -> &'static [&'static str] {
        struct Keys(&'static [&'static str], Table);
        impl TableVisitor for Keys {
            type Error = std::convert::Infallible;
            fn visit<R: Record>(&mut self) -> std::result::Result<(), Self::Error> {
                if R::TABLE == self.1 {
                    self.0 = R::KEY;
                }
                Ok(())
            }
        }
        let mut k = Keys(&[], self);
        let _ = visit_tables(&mut k);
        k.0
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One row of a table, in the contract of DESIGN §3.
pub trait Record:
    Clone + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// The table this record belongs to.
    const TABLE: Table;
    /// The natural-key columns: an upsert with the same key replaces the row.
    const KEY: &'static [&'static str];
    /// The column the row is filed under for range queries; `None` for a timeless reference
    /// table (a mapping such as `keyword_topics`), whose rows are in every range.
    const TIME_COLUMN: Option<&'static str>;
    /// The columns, in canonical order.
    fn columns() -> &'static [ColumnSpec];
    /// Build a record from text fields in canonical column order (`None` = missing).
    /// Errors are `(column, message)`.
    fn from_fields(fields: &[Option<&str>]) -> std::result::Result<Self, (&'static str, String)>;
    /// The values in canonical column order.
    fn to_values(&self) -> Vec<Value>;
    /// The natural key rendered as one string (parts joined by U+001F).
    fn key(&self) -> String;
    /// The instant the row is filed under (`None` for a timeless table: in every range).
    fn time(&self) -> Option<DateTime<Utc>>;
    /// Domain checks beyond parsing (ranges, enums); errors are `(column, message)`.
    fn check(&self) -> std::result::Result<(), (&'static str, String)>;
    /// The rows of this table in a batch.
    fn rows(tables: &Tables) -> &Vec<Self>;
    /// The rows of this table in a batch, mutable.
    fn rows_mut(tables: &mut Tables) -> &mut Vec<Self>;
}

/// Something that does the same thing for every record type (Rust has no generic closures).
pub trait TableVisitor {
    /// The error the visitor may stop with.
    type Error;
    /// Called once per table type, in [`Table::ALL`] order.
    fn visit<R: Record>(&mut self) -> std::result::Result<(), Self::Error>;
}

/// Run a visitor over every record type, in [`Table::ALL`] order.
pub fn visit_tables<V: TableVisitor>(v: &mut V) -> std::result::Result<(), V::Error> {
    v.visit::<KeywordInterest>()?;
    v.visit::<Webinar>()?;
    v.visit::<Registration>()?;
    v.visit::<Student>()?;
    v.visit::<Activity>()?;
    v.visit::<Purchase>()?;
    v.visit::<Lead>()?;
    v.visit::<LeadEvent>()?;
    v.visit::<Review>()?;
    v.visit::<RelatedQuery>()?;
    v.visit::<Experiment>()?;
    v.visit::<Exposure>()?;
    v.visit::<KeywordTopic>()?;
    v.visit::<Content>()?;
    v.visit::<TranscriptSegment>()?;
    v.visit::<Concept>()?;
    v.visit::<CardConcept>()?;
    v.visit::<Feedback>()?;
    v.visit::<ContentView>()?;
    v.visit::<QuizResult>()?;
    v.visit::<Mentor>()?;
    v.visit::<StudentAttribute>()?;
    v.visit::<AssessmentDeadline>()
}

/// Maps the columns of a source (CSV header, DataFrame columns) to a record's canonical order.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    /// For each canonical column, its index in the source, if present.
    pub index: Vec<Option<usize>>,
}

impl ColumnMap {
    /// Check `headers` against the columns of `R`: every required column present, no unknown and no
    /// repeated column. Errors name the table and the column.
    pub fn new<R: Record>(headers: &[&str]) -> Result<ColumnMap> {
        let table = R::TABLE.name();
        let cols = R::columns();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            let h = h.trim().trim_start_matches('\u{feff}');
            if seen.insert(h, i).is_some() {
                return Err(CoreError::validation(
                    table,
                    None,
                    Some(h),
                    "column appears twice in the header",
                ));
            }
            if !cols.iter().any(|c| c.name == h) {
                let names: Vec<&str> = cols.iter().map(|c| c.name).collect();
                return Err(CoreError::validation(
                    table,
                    None,
                    Some(h),
                    format!("unknown column (expected: {})", names.join(", ")),
                ));
            }
        }
        let mut index = Vec::with_capacity(cols.len());
        for c in cols {
            let i = seen.get(c.name).copied();
            if i.is_none() && c.required {
                return Err(CoreError::validation(
                    table,
                    None,
                    Some(c.name),
                    "required column is missing from the header",
                ));
            }
            index.push(i);
        }
        Ok(ColumnMap { index })
    }

    /// Parse one source row (`row` is the 1-based data row, for error messages).
    pub fn parse<R: Record>(&self, row: usize, source: &[Option<&str>]) -> Result<R> {
        let fields: Vec<Option<&str>> = self
            .index
            .iter()
            .map(|i| i.and_then(|i| source.get(i).copied().flatten()))
            .collect();
        let rec = R::from_fields(&fields).map_err(|(col, msg)| {
            CoreError::validation(R::TABLE.name(), Some(row), Some(col), msg)
        })?;
        rec.check().map_err(|(col, msg)| {
            CoreError::validation(R::TABLE.name(), Some(row), Some(col), msg)
        })?;
        Ok(rec)
    }
}

/// Parse a whole table from string columns (e.g. a DataFrame converted to text).
///
/// `headers[i]` names `rows[r][i]`; missing values are `None`.
pub fn parse_rows<R: Record>(headers: &[&str], rows: &[Vec<Option<String>>]) -> Result<Vec<R>> {
    let map = ColumnMap::new::<R>(headers)?;
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let src: Vec<Option<&str>> = r.iter().map(|v| v.as_deref()).collect();
            map.parse::<R>(i + 1, &src)
        })
        .collect()
}

/// A batch of every input table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tables {
    /// `keyword_interest` rows.
    pub keyword_interest: Vec<KeywordInterest>,
    /// `webinars` rows.
    pub webinars: Vec<Webinar>,
    /// `registrations` rows.
    pub registrations: Vec<Registration>,
    /// `students` rows.
    pub students: Vec<Student>,
    /// `activity` rows.
    pub activity: Vec<Activity>,
    /// `purchases` rows.
    pub purchases: Vec<Purchase>,
    /// `leads` rows.
    pub leads: Vec<Lead>,
    /// `lead_events` rows.
    pub lead_events: Vec<LeadEvent>,
    /// `reviews` rows.
    pub reviews: Vec<Review>,
    /// `related_queries` rows.
    #[serde(default)]
    pub related_queries: Vec<RelatedQuery>,
    /// `experiments` rows.
    #[serde(default)]
    pub experiments: Vec<Experiment>,
    /// `exposures` rows.
    #[serde(default)]
    pub exposures: Vec<Exposure>,
    /// `keyword_topics` rows.
    #[serde(default)]
    pub keyword_topics: Vec<KeywordTopic>,
    /// `content` rows.
    #[serde(default)]
    pub content: Vec<Content>,
    /// `transcript_segments` rows.
    #[serde(default)]
    pub transcript_segments: Vec<TranscriptSegment>,
    /// `concepts` rows.
    #[serde(default)]
    pub concepts: Vec<Concept>,
    /// `card_concepts` rows.
    #[serde(default)]
    pub card_concepts: Vec<CardConcept>,
    /// `feedback` rows.
    #[serde(default)]
    pub feedback: Vec<Feedback>,
    /// `content_views` rows.
    #[serde(default)]
    pub content_views: Vec<ContentView>,
    /// `quiz_results` rows.
    #[serde(default)]
    pub quiz_results: Vec<QuizResult>,
    /// `mentors` rows.
    #[serde(default)]
    pub mentors: Vec<Mentor>,
    /// `student_attributes` rows.
    #[serde(default)]
    pub student_attributes: Vec<StudentAttribute>,
    /// `assessment_schedule` rows.
    #[serde(default)]
    pub assessment_schedule: Vec<AssessmentDeadline>,
}

impl Tables {
    /// Row count per table name, for every table (zeros included).
    pub fn counts(&self) -> BTreeMap<String, usize> {
        struct Counter<'a>(&'a Tables, BTreeMap<String, usize>);
        impl TableVisitor for Counter<'_> {
            type Error = std::convert::Infallible;
            fn visit<R: Record>(&mut self) -> std::result::Result<(), Self::Error> {
                self.1
                    .insert(R::TABLE.name().to_string(), R::rows(self.0).len());
                Ok(())
            }
        }
        let mut c = Counter(self, BTreeMap::new());
        let _ = visit_tables(&mut c);
        c.1
    }

    /// Total number of rows over all tables.
    pub fn total_rows(&self) -> usize {
        self.counts().values().sum()
    }

    /// Whether every table is empty.
    pub fn is_empty(&self) -> bool {
        self.total_rows() == 0
    }

    /// Validate every row (domain checks, the default [`Limits`]) and the batch as a whole: two
    /// rows with the same natural key and different values are an error naming the second row;
    /// identical duplicates are collapsed to one. Rows are then sorted by key, so equal batches
    /// compare equal.
    pub fn validate(&mut self) -> Result<()> {
        self.validate_with(&Limits::default())
    }

    /// [`Tables::validate`] with the given ceilings on numeric columns.
    pub fn validate_with(&mut self, limits: &Limits) -> Result<()> {
        struct V<'a>(&'a mut Tables, &'a Limits);
        impl TableVisitor for V<'_> {
            type Error = CoreError;
            fn visit<R: Record>(&mut self) -> Result<()> {
                let rows = R::rows_mut(self.0);
                dedupe_rows_with(rows, self.1)
            }
        }
        let mut v = V(self, limits);
        visit_tables(&mut v)
    }

    /// Append every row of `other` (no validation; call [`Tables::validate`] after).
    pub fn extend(&mut self, other: Tables) {
        self.keyword_interest.extend(other.keyword_interest);
        self.webinars.extend(other.webinars);
        self.registrations.extend(other.registrations);
        self.students.extend(other.students);
        self.activity.extend(other.activity);
        self.purchases.extend(other.purchases);
        self.leads.extend(other.leads);
        self.lead_events.extend(other.lead_events);
        self.reviews.extend(other.reviews);
        self.related_queries.extend(other.related_queries);
        self.experiments.extend(other.experiments);
        self.exposures.extend(other.exposures);
        self.keyword_topics.extend(other.keyword_topics);
        self.content.extend(other.content);
        self.transcript_segments.extend(other.transcript_segments);
        self.concepts.extend(other.concepts);
        self.card_concepts.extend(other.card_concepts);
        self.feedback.extend(other.feedback);
        self.content_views.extend(other.content_views);
        self.quiz_results.extend(other.quiz_results);
        self.mentors.extend(other.mentors);
        self.student_attributes.extend(other.student_attributes);
        self.assessment_schedule.extend(other.assessment_schedule);
    }
}

/// The largest magnitude ingest accepts in a numeric column: anything beyond is a
/// [`CoreError::Validation`] naming the table, the row and the column. Implausible values
/// (`1e308` purchases) would otherwise pass and overflow the analytics downstream.
///
/// Defaults ([`Limits::default`]): `amount`, `volume` and `value` (every table) |x| ≤ 1e12;
/// `minutes_watched` ≤ 1e6. Integer columns (`duration_min`, `questions`, `polls`,
/// `chat_messages`, `duration_ms`, `rating`) are bounded by their type. Set a ceiling for one
/// column everywhere (`"amount"`) or in one table (`"purchases.amount"`, which wins).
///
/// Dates and instants (every date / date-time column) must fall in the years
/// [`EARLIEST_YEAR`] (1900) to `latest_year` (default: the current year + 1, the year after the
/// ingest runs): a date typed `01/03/0025`, a spreadsheet's day zero (1899-12-30) or a swapped
/// century is a named error instead of a row that later breaks a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Limits {
    /// Column (`"amount"`) or `"table.column"` → the largest accepted |value|.
    pub max_abs: BTreeMap<String, f64>,
    /// The latest accepted year of a date; `None`: the current (UTC) year + 1.
    #[serde(skip)]
    pub latest_year: Option<i32>,
}

/// The earliest accepted year of any date or instant on ingest.
pub const EARLIEST_YEAR: i32 = 1900;

/// The default ceiling of `amount`, `volume` and `value` columns.
pub const DEFAULT_MAX_ABS: f64 = 1e12;

/// The default ceiling of `registrations.minutes_watched`.
pub const DEFAULT_MAX_MINUTES_WATCHED: f64 = 1e6;

impl Default for Limits {
    fn default() -> Self {
        let max_abs = [
            ("amount", DEFAULT_MAX_ABS),
            ("volume", DEFAULT_MAX_ABS),
            ("value", DEFAULT_MAX_ABS),
            ("minutes_watched", DEFAULT_MAX_MINUTES_WATCHED),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Limits {
            max_abs,
            latest_year: None,
        }
    }
}

impl Limits {
    /// Set the ceiling of `column` (`"amount"`) or `"table.column"`; it must be a positive
    /// number (`f64::INFINITY` lifts the ceiling).
    pub fn set(&mut self, column: &str, max_abs: f64) -> Result<()> {
        if max_abs.is_nan() || max_abs <= 0.0 {
            return Err(CoreError::InvalidParameter {
                name: format!("limits.{column}"),
                message: format!("{max_abs} is not a positive ceiling"),
            });
        }
        self.max_abs.insert(column.to_string(), max_abs);
        Ok(())
    }

    /// The latest accepted year of a date (`latest_year`, or the current UTC year + 1).
    pub fn latest_year(&self) -> i32 {
        use chrono::Datelike;
        self.latest_year.unwrap_or_else(|| Utc::now().year() + 1)
    }

    /// The ceiling of `column` in `table`, if any.
    pub fn ceiling(&self, table: &str, column: &str) -> Option<f64> {
        self.max_abs
            .get(&format!("{table}.{column}"))
            .or_else(|| self.max_abs.get(column))
            .copied()
    }
}

/// Checks every record gets beyond its own: numeric magnitudes within `limits`, and no NUL
/// character in any text (PostgreSQL cannot store one, so a SQLite store holding it could never
/// be restored there).
fn check_values<R: Record>(r: &R, limits: &Limits) -> std::result::Result<(), (String, String)> {
    let table = R::TABLE.name();
    for (spec, value) in R::columns().iter().zip(r.to_values()) {
        match value {
            Value::Float(x) => {
                if let Some(max) = limits.ceiling(table, spec.name) {
                    if x.abs() > max {
                        return Err((
                            spec.name.to_string(),
                            format!(
                                "{x} is implausibly large (|value| > {max:e}, the ceiling of \
                                 `{table}.{}`; raise it with limits if it is real)",
                                spec.name
                            ),
                        ));
                    }
                }
            }
            Value::Date(d) => check_year(table, spec.name, &d, limits)?,
            Value::DateTime(t) => check_year(table, spec.name, &t.date_naive(), limits)?,
            Value::Text(t) if t.contains('\0') => {
                return Err((
                    spec.name.to_string(),
                    "contains a NUL character (\\0), which PostgreSQL cannot store".to_string(),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

fn check_year(
    table: &str,
    column: &str,
    d: &chrono::NaiveDate,
    limits: &Limits,
) -> std::result::Result<(), (String, String)> {
    use chrono::Datelike;
    let latest = limits.latest_year();
    if d.year() < EARLIEST_YEAR || d.year() > latest {
        return Err((
            column.to_string(),
            format!(
                "{d} is an implausible date for `{table}.{column}` (accepted years \
                 {EARLIEST_YEAR}–{latest}; a day-first date read month-first, or a typo?)"
            ),
        ));
    }
    Ok(())
}

/// Check rows of one table, drop identical duplicates, reject conflicting ones, sort by key
/// (default [`Limits`]).
pub fn dedupe_rows<R: Record>(rows: &mut Vec<R>) -> Result<()> {
    dedupe_rows_with(rows, &Limits::default())
}

/// [`dedupe_rows`] with the given ceilings.
pub fn dedupe_rows_with<R: Record>(rows: &mut Vec<R>, limits: &Limits) -> Result<()> {
    let table = R::TABLE.name();
    for (i, r) in rows.iter().enumerate() {
        r.check()
            .map_err(|(col, msg)| CoreError::validation(table, Some(i + 1), Some(col), msg))?;
        check_values(r, limits).map_err(|(col, msg)| {
            CoreError::validation(table, Some(i + 1), Some(col.as_str()), msg)
        })?;
    }
    // Each key is built once; a stable sort puts equal keys together in input order.
    let keys: Vec<String> = rows.iter().map(Record::key).collect();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    let mut kept: Vec<usize> = Vec::with_capacity(rows.len());
    let mut conflict: Option<(usize, usize)> = None;
    for i in order {
        match kept.last() {
            Some(&j) if keys[j] == keys[i] => {
                if rows[j] != rows[i] && conflict.is_none_or(|(c, _)| i < c) {
                    conflict = Some((i, j));
                }
            }
            _ => kept.push(i),
        }
    }
    if let Some((i, j)) = conflict {
        return Err(CoreError::validation(
            table,
            Some(i + 1),
            Some(R::KEY.join("+").as_str()),
            format!(
                "duplicate key {:?} with different values than row {}",
                keys[i].replace('\u{1f}', ", "),
                j + 1
            ),
        ));
    }
    let mut slots: Vec<Option<R>> = rows.drain(..).map(Some).collect();
    rows.extend(kept.iter().filter_map(|&i| slots[i].take()));
    Ok(())
}
