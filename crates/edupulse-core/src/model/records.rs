//! The record types, one per table of DESIGN §3.

use super::fields::{AsInstant, ColumnSpec, FieldType, Value};
use super::{Record, Table, Tables};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

type CheckResult = Result<(), (&'static str, String)>;

/// The time column of a record (`time = none` for a timeless reference table).
macro_rules! record_time {
    (column none) => {
        None
    };
    (column $time:ident) => {
        Some(stringify!($time))
    };
    ($this:ident, none) => {
        None
    };
    ($this:ident, $time:ident) => {
        Some($this.$time.as_instant())
    };
}

/// Declares a record struct and its [`Record`] impl from one field list, so the column contract,
/// parsing and rendering can never drift apart.
macro_rules! record {
    (
        $(#[$meta:meta])*
        $name:ident => $table:ident . $slot:ident, key = [$($key:ident),+], time = $time:tt,
        { $($(#[$fmeta:meta])* $field:ident : $ty:ty),+ $(,)? }
        check($this:ident) $check:block
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)+
        }

        impl Record for $name {
            const TABLE: Table = Table::$table;
            const KEY: &'static [&'static str] = &[$(stringify!($key)),+];
            const TIME_COLUMN: Option<&'static str> = record_time!(column $time);

            fn columns() -> &'static [ColumnSpec] {
                const COLS: &[ColumnSpec] = &[$(ColumnSpec {
                    name: stringify!($field),
                    kind: <$ty as FieldType>::KIND,
                    required: <$ty as FieldType>::REQUIRED,
                }),+];
                COLS
            }

            #[allow(unused_assignments)]
            fn from_fields(fields: &[Option<&str>]) -> Result<Self, (&'static str, String)> {
                let mut i = 0usize;
                Ok($name {
                    $($field: {
                        let text = fields.get(i).copied().flatten();
                        i += 1;
                        <$ty as FieldType>::parse_field(text)
                            .map_err(|m| (stringify!($field), m))?
                    },)+
                })
            }

            fn to_values(&self) -> Vec<Value> {
                vec![$(FieldType::to_value(&self.$field)),+]
            }

            fn key(&self) -> String {
                let parts: Vec<String> = vec![$(
                    FieldType::to_value(&self.$key).to_text().unwrap_or_default()
                ),+];
                parts.join("\u{1f}")
            }

            fn time(&self) -> Option<DateTime<Utc>> {
                record_time!(self, $time)
            }

            fn check(&self) -> CheckResult {
                let $this = self;
                $check
            }

            fn rows(tables: &Tables) -> &Vec<Self> {
                &tables.$slot
            }

            fn rows_mut(tables: &mut Tables) -> &mut Vec<Self> {
                &mut tables.$slot
            }
        }
    };
}

fn non_negative(col: &'static str, x: f64) -> CheckResult {
    if x < 0.0 {
        Err((col, format!("{x} is negative; expected a value ≥ 0")))
    } else {
        Ok(())
    }
}

fn opt_non_negative(col: &'static str, x: Option<f64>) -> CheckResult {
    x.map_or(Ok(()), |x| non_negative(col, x))
}

/// Declares a closed set of text values (an event kind) with parsing that lists the allowed ones.
macro_rules! kind_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every kind.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The text form used in data files.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim() {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown kind `{other}` (expected one of: {})",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FieldType for $name {
            const KIND: super::fields::ColumnKind = super::fields::ColumnKind::Text;
            fn parse_field(text: Option<&str>) -> Result<Self, String> {
                let s = String::parse_field(text)?;
                s.parse()
            }
            fn to_value(&self) -> Value {
                Value::Text(self.as_str().to_string())
            }
        }
    };
}

kind_enum! {
    /// What a student did (DESIGN §3 `activity.kind`).
    ActivityKind {
        /// Logged in.
        Login = "login",
        /// Completed a lesson.
        LessonCompleted = "lesson_completed",
        /// Passed a quiz.
        QuizPassed = "quiz_passed",
        /// Attended a webinar.
        WebinarAttended = "webinar_attended",
        /// Wrote a community post.
        Post = "post",
        /// Wrote a comment.
        Comment = "comment",
        /// Referred someone.
        Referral = "referral",
        /// Shared content.
        Share = "share",
        /// Earned a certificate.
        Certificate = "certificate",
        /// Registered on a course presentation (an LMS export such as OULAD's).
        Registered = "registered",
        /// Submitted an assessment; `value` is the score (0–100) when graded.
        AssessmentSubmitted = "assessment_submitted",
        /// Withdrew (unregistered) from the course: the end of the enrolment, not engagement.
        Withdrawn = "withdrawn",
    }
}

kind_enum! {
    /// What a lead did (DESIGN §3 `lead_events.kind`).
    LeadEventKind {
        /// Opened an email.
        EmailOpen = "email_open",
        /// Clicked a link in an email.
        EmailClick = "email_click",
        /// Registered for a webinar.
        WebinarRegistered = "webinar_registered",
        /// Attended a webinar.
        WebinarAttended = "webinar_attended",
        /// Asked a question during a webinar.
        QuestionAsked = "question_asked",
        /// Viewed the pricing page.
        PricingView = "pricing_view",
        /// Requested a demo.
        DemoRequest = "demo_request",
        /// Purchased (a conversion).
        Purchase = "purchase",
    }
}

record! {
    /// Search interest of a keyword on a date (an index 0–100 or a raw count).
    KeywordInterest => KeywordInterest.keyword_interest, key = [keyword, date, geo], time = date, {
        /// The search keyword, e.g. "curso IA".
        keyword: String,
        /// The date of the observation.
        date: NaiveDate,
        /// Interest: a 0–100 index or a raw count; finite and ≥ 0.
        volume: f64,
        /// Region code, if the series is regional.
        geo: Option<String>,
    }
    check(r) { non_negative("volume", r.volume) }
}

record! {
    /// A webinar and, optionally, the segment it targets.
    Webinar => Webinars.webinars, key = [webinar_id], time = starts_at, {
        /// Webinar id.
        webinar_id: String,
        /// Title.
        title: String,
        /// Topic (e.g. "ia_generativa").
        topic: String,
        /// Start time (UTC).
        starts_at: DateTime<Utc>,
        /// Planned duration in minutes.
        duration_min: u32,
        /// Target industry.
        industry: Option<String>,
        /// Target role.
        role: Option<String>,
        /// Target company size.
        company_size: Option<String>,
        /// The IANA time zone of the webinar's audience (e.g. "America/Mexico_City"); its
        /// weekday, hour and month (demand features, slot heatmaps, best slots) are read there.
        /// Empty: the job's `[job] timezone`.
        timezone: Option<String>,
    }
    check(r) {
        if r.duration_min == 0 {
            return Err(("duration_min", "duration must be > 0 minutes".to_string()));
        }
        if let Some(tz) = &r.timezone {
            if crate::clock::LocalClock::new(tz).is_err() {
                return Err((
                    "timezone",
                    format!("unknown time zone `{tz}` (expected an IANA name such as America/Mexico_City)"),
                ));
            }
        }
        Ok(())
    }
}

impl Webinar {
    /// The clock of the webinar's own `timezone`, else `default` (the job's).
    pub fn clock_or(&self, default: &crate::clock::LocalClock) -> crate::clock::LocalClock {
        self.timezone
            .as_deref()
            .and_then(|tz| crate::clock::LocalClock::new(tz).ok())
            .unwrap_or(*default)
    }
}

record! {
    /// A person's registration for a webinar, and whether they attended.
    Registration => Registrations.registrations, key = [webinar_id, person_id], time = registered_at, {
        /// Webinar id.
        webinar_id: String,
        /// Person id (a lead or a student).
        person_id: String,
        /// When they registered.
        registered_at: DateTime<Utc>,
        /// Their industry.
        industry: String,
        /// Their role.
        role: String,
        /// Their company size.
        company_size: String,
        /// Whether they attended.
        attended: bool,
        /// Minutes watched.
        minutes_watched: Option<f64>,
        /// Questions asked.
        questions: Option<u32>,
        /// Polls answered.
        polls: Option<u32>,
        /// Chat messages sent.
        chat_messages: Option<u32>,
    }
    check(r) {
        opt_non_negative("minutes_watched", r.minutes_watched)?;
        if !r.attended && r.minutes_watched.is_some_and(|m| m > 0.0) {
            return Err(("minutes_watched", "minutes watched > 0 but attended is false".to_string()));
        }
        Ok(())
    }
}

record! {
    /// A student of a course.
    Student => Students.students, key = [student_id], time = enrolled_at, {
        /// Student id.
        student_id: String,
        /// Email address.
        email: String,
        /// Name.
        name: String,
        /// Industry.
        industry: String,
        /// Role.
        role: String,
        /// Company size.
        company_size: String,
        /// Enrolment time.
        enrolled_at: DateTime<Utc>,
    }
    check(r) {
        if !r.email.contains('@') {
            return Err(("email", format!("`{}` is not an email address", r.email)));
        }
        Ok(())
    }
}

record! {
    /// Something a student did.
    Activity => Activity.activity, key = [student_id, at, kind], time = at, {
        /// Student id.
        student_id: String,
        /// When.
        at: DateTime<Utc>,
        /// What.
        kind: ActivityKind,
        /// A value (a score, minutes...), if any.
        value: Option<f64>,
        /// What the event is about, when it names something: for `assessment_submitted`, the
        /// assessment (`assessment_schedule.assessment_id`), so the churn risk model can tell a
        /// late submission from an on-time one and see which assessment is still missing.
        /// Empty for events about nothing in particular (a login). Not part of the key.
        ref_id: Option<String>,
    }
    check(r) {
        if let Some(id) = &r.ref_id {
            not_blank("ref_id", id)?;
        }
        Ok(())
    }
}

record! {
    /// A purchase by a customer (a student or a lead).
    Purchase => Purchases.purchases, key = [customer_id, at], time = at, {
        /// Customer id.
        customer_id: String,
        /// When.
        at: DateTime<Utc>,
        /// Amount, ≥ 0.
        amount: f64,
        /// ISO currency code.
        currency: Option<String>,
    }
    check(r) {
        non_negative("amount", r.amount)?;
        if let Some(c) = &r.currency {
            if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
                return Err(("currency", format!("`{c}` is not a 3-letter currency code")));
            }
        }
        Ok(())
    }
}

record! {
    /// A sales lead.
    Lead => Leads.leads, key = [lead_id], time = created_at, {
        /// Lead id.
        lead_id: String,
        /// Email address.
        email: String,
        /// First-touch source (webinar, ads, organic...).
        source: String,
        /// When the lead was created.
        created_at: DateTime<Utc>,
        /// Industry.
        industry: String,
        /// Role.
        role: String,
    }
    check(r) {
        if !r.email.contains('@') {
            return Err(("email", format!("`{}` is not an email address", r.email)));
        }
        Ok(())
    }
}

record! {
    /// Something a lead did.
    LeadEvent => LeadEvents.lead_events, key = [lead_id, at, kind], time = at, {
        /// Lead id.
        lead_id: String,
        /// When.
        at: DateTime<Utc>,
        /// What.
        kind: LeadEventKind,
        /// A value (e.g. the purchase amount), if any.
        value: Option<f64>,
    }
    check(_r) { Ok(()) }
}

record! {
    /// A flashcard review.
    Review => Reviews.reviews, key = [student_id, card_id, at], time = at, {
        /// Student id.
        student_id: String,
        /// Card (concept) id.
        card_id: String,
        /// When.
        at: DateTime<Utc>,
        /// 1 Again, 2 Hard, 3 Good, 4 Easy.
        rating: u8,
        /// Time spent on the review, in milliseconds.
        duration_ms: Option<u32>,
    }
    check(r) {
        if !(1..=4).contains(&r.rating) {
            return Err(("rating", format!("{} is outside 1–4 (1 Again, 2 Hard, 3 Good, 4 Easy)", r.rating)));
        }
        Ok(())
    }
}

kind_enum! {
    /// Which of Google Trends' two related-queries lists a row comes from
    /// (`related_queries.kind`).
    RelatedKind {
        /// "Top": the most searched related queries; `value` is a 0–100 relative index.
        Top = "top",
        /// "Rising": the fastest-growing related queries; `value` is the growth in percent over
        /// the previous period (250 = +250 %); Google shows "Breakout" above 5000 %.
        Rising = "rising",
    }
}

record! {
    /// A query related to a tracked keyword, as reported on a date (Google Trends' "related
    /// queries"; the source's "emerging keywords").
    RelatedQuery => RelatedQueries.related_queries, key = [keyword, related, date, kind], time = date, {
        /// The tracked keyword, e.g. "curso IA".
        keyword: String,
        /// The related query, e.g. "curso agentes ia".
        related: String,
        /// Growth in percent for `rising` rows (250 = +250 %; empty = "Breakout" without a figure),
        /// a 0–100 index for `top` rows.
        value: Option<f64>,
        /// The date of the report (the end of the period it covers).
        date: NaiveDate,
        /// `rising` (the default when empty) or `top`.
        kind: Option<RelatedKind>,
    }
    check(r) {
        match (r.kind, r.value) {
            (Some(RelatedKind::Top), None) => {
                Err(("value", "a `top` row needs a value (0–100 index)".to_string()))
            }
            (Some(RelatedKind::Top), Some(v)) => non_negative("value", v),
            (_, Some(v)) if v < -100.0 => {
                Err(("value", format!("{v} is below −100 %; a growth cannot be")))
            }
            _ => Ok(()),
        }
    }
}

kind_enum! {
    /// What an experiment changes (`experiments.kind`).
    ExperimentKind {
        /// The webinar day and hour.
        Slot = "slot",
        /// A landing-page variant.
        LandingPage = "landing_page",
        /// A nurture message.
        Nurture = "nurture",
        /// The cadence (weekly / fortnightly / monthly).
        Cadence = "cadence",
        /// Anything else.
        Other = "other",
    }
}

kind_enum! {
    /// What an experiment measures (`experiments.metric`), read from the existing tables.
    ExperimentMetric {
        /// The unit registered for a webinar (`registrations.registered_at`).
        Registered = "registered",
        /// The unit attended a webinar (`registrations.attended`, at the webinar's start).
        Attended = "attended",
        /// The unit bought (`purchases`, or a `purchase` in `lead_events`).
        Purchase = "purchase",
        /// Revenue per unit (`purchases.amount`; a mean metric).
        Revenue = "revenue",
    }
}

/// Parse `experiments.variants`: `name[=weight];name[=weight]…` (weights default to 1).
pub fn parse_variants(text: &str) -> Result<Vec<(String, f64)>, String> {
    let mut out: Vec<(String, f64)> = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (name, w) = match part.split_once('=') {
            Some((n, w)) => (
                n.trim(),
                w.trim()
                    .parse::<f64>()
                    .map_err(|_| format!("weight `{w}` of variant `{n}` is not a number"))?,
            ),
            None => (part, 1.0),
        };
        if name.is_empty() {
            return Err(format!("empty variant name in `{text}`"));
        }
        if !(w.is_finite() && w > 0.0) {
            return Err(format!("weight of variant `{name}` must be > 0 (got {w})"));
        }
        if out.iter().any(|(n, _)| n == name) {
            return Err(format!("variant `{name}` is listed twice"));
        }
        out.push((name.to_string(), w));
    }
    if out.len() < 2 {
        return Err(format!("`{text}` lists fewer than 2 variants"));
    }
    Ok(out)
}

record! {
    /// An A/B test: what it changes, what it measures, its control and its window.
    Experiment => Experiments.experiments, key = [experiment_id], time = start_at, {
        /// Experiment id.
        experiment_id: String,
        /// What it changes.
        kind: ExperimentKind,
        /// What it measures.
        metric: ExperimentMetric,
        /// The control variant's name.
        control_variant: String,
        /// Start of the window (UTC).
        start_at: DateTime<Utc>,
        /// End of the window (UTC); open-ended when empty.
        end_at: Option<DateTime<Utc>>,
        /// What is tested, in words.
        description: Option<String>,
        /// The planned variants and split, `control=50;b=50` (weights default to 1; empty: the
        /// variants seen in exposures, equal split, and unknown variants cannot be detected).
        variants: Option<String>,
    }
    check(r) {
        if let Some(end) = r.end_at {
            if end <= r.start_at {
                return Err(("end_at", format!("end {end} is not after start {}", r.start_at)));
            }
        }
        if let Some(v) = &r.variants {
            let vs = parse_variants(v).map_err(|m| ("variants", m))?;
            if !vs.iter().any(|(n, _)| *n == r.control_variant) {
                return Err((
                    "control_variant",
                    format!("`{}` is not one of the variants `{v}`", r.control_variant),
                ));
            }
        }
        Ok(())
    }
}

record! {
    /// A unit (a lead, student or person id) seeing a variant of an experiment.
    Exposure => Exposures.exposures, key = [experiment_id, unit_id, variant, at], time = at, {
        /// Experiment id.
        experiment_id: String,
        /// The variant shown.
        variant: String,
        /// The unit (lead, student or person id).
        unit_id: String,
        /// When.
        at: DateTime<Utc>,
    }
    check(_r) { Ok(()) }
}

record! {
    /// Which topic a tracked keyword belongs to, optionally per industry: the mapping the month
    /// calendar uses to rank topics by the trends step's growth. A timeless reference table
    /// (every read returns all of it).
    KeywordTopic => KeywordTopics.keyword_topics, key = [keyword, industry], time = none, {
        /// The tracked keyword, e.g. "curso IA" (as in `keyword_interest.keyword`).
        keyword: String,
        /// The topic it stands for, e.g. "agentes_ia".
        topic: String,
        /// The industry the mapping applies to; empty: every industry.
        industry: Option<String>,
    }
    check(r) {
        if r.keyword.trim().is_empty() {
            return Err(("keyword", "is empty".to_string()));
        }
        if r.topic.trim().is_empty() {
            return Err(("topic", "is empty".to_string()));
        }
        Ok(())
    }
}

kind_enum! {
    /// What a piece of content is (`content.kind`).
    ContentKind {
        /// A recorded webinar.
        WebinarRecording = "webinar_recording",
        /// A lesson of a course.
        Lesson = "lesson",
        /// A quiz.
        Quiz = "quiz",
    }
}

fn not_blank(col: &'static str, s: &str) -> CheckResult {
    if s.trim().is_empty() {
        Err((col, "is empty".to_string()))
    } else {
        Ok(())
    }
}

record! {
    /// A piece of content (a recording, a lesson, a quiz), optionally placed in a course. A
    /// timeless reference table.
    Content => Content.content, key = [content_id], time = none, {
        /// Content id (as in `transcript_segments.content_id`).
        content_id: String,
        /// Title.
        title: String,
        /// `webinar_recording`, `lesson` or `quiz`.
        kind: ContentKind,
        /// Duration in seconds, ≥ 0.
        duration_s: f64,
        /// The course it belongs to.
        course_id: Option<String>,
        /// Its position in the course.
        position: Option<u32>,
    }
    check(r) {
        not_blank("content_id", &r.content_id)?;
        non_negative("duration_s", r.duration_s)
    }
}

record! {
    /// One timed piece of a recording's transcript (a caption cue). Overlaps between cues are
    /// checked when the recording is segmented (`content` step). A timeless reference table.
    TranscriptSegment => TranscriptSegments.transcript_segments, key = [content_id, start_s], time = none, {
        /// The recording (`content.content_id`).
        content_id: String,
        /// Start, seconds from the recording's start, ≥ 0.
        start_s: f64,
        /// End, seconds, ≥ `start_s`.
        end_s: f64,
        /// What is said.
        text: String,
    }
    check(r) {
        not_blank("content_id", &r.content_id)?;
        non_negative("start_s", r.start_s)?;
        if r.end_s < r.start_s {
            return Err((
                "end_s",
                format!("{} is before start_s {} (reversed segment)", r.end_s, r.start_s),
            ));
        }
        Ok(())
    }
}

record! {
    /// A concept learners master, with the concepts to master first. Prerequisite cycles and
    /// unknown prerequisites are errors of the `content` step (they span rows). A timeless
    /// reference table.
    Concept => Concepts.concepts, key = [concept_id], time = none, {
        /// Concept id.
        concept_id: String,
        /// Display name.
        name: String,
        /// Prerequisite concept ids, separated by `;` (or `,`).
        prerequisite_ids: Option<String>,
    }
    check(r) {
        not_blank("concept_id", &r.concept_id)?;
        if r.prerequisites().iter().any(|p| p == &r.concept_id) {
            return Err((
                "prerequisite_ids",
                format!("prerequisite cycle: {0} → {0}", r.concept_id),
            ));
        }
        Ok(())
    }
}

impl Concept {
    /// The prerequisite ids, split on `;` or `,`, trimmed, empty parts dropped.
    pub fn prerequisites(&self) -> Vec<String> {
        self.prerequisite_ids
            .as_deref()
            .unwrap_or("")
            .split([';', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

record! {
    /// Which concept a flashcard (`reviews.card_id`) practises; a card may map to several. A
    /// card mapped to an unknown concept is an error of the `content` step. A timeless reference
    /// table.
    CardConcept => CardConcepts.card_concepts, key = [card_id, concept_id], time = none, {
        /// Card id.
        card_id: String,
        /// Concept id (`concepts.concept_id`).
        concept_id: String,
    }
    check(r) {
        not_blank("card_id", &r.card_id)?;
        not_blank("concept_id", &r.concept_id)
    }
}

kind_enum! {
    /// Where a piece of feedback was written (`feedback.kind`).
    FeedbackKind {
        /// A chat message during a webinar.
        Chat = "chat",
        /// A question asked during a webinar.
        Question = "question",
        /// A post-webinar survey answer.
        Survey = "survey",
        /// A review (of a webinar or a course) written afterwards.
        Review = "review",
    }
}

/// The largest `feedback.rating` (a 1–5 star scale).
pub const MAX_FEEDBACK_RATING: u8 = 5;

record! {
    /// A piece of written feedback about a webinar: a chat line, a question, a survey answer or a
    /// review, with an optional 1–5 rating (edupulse_core::feedback).
    Feedback => Feedback.feedback, key = [feedback_id], time = at, {
        /// Feedback id.
        feedback_id: String,
        /// The webinar it is about.
        webinar_id: String,
        /// Who wrote it (a lead or a student id, as in `registrations.person_id`).
        person_id: String,
        /// When it was written (UTC).
        at: DateTime<Utc>,
        /// Where it was written.
        kind: FeedbackKind,
        /// What was written (any language; scored by `feedback::sentiment`). Required: an empty or
        /// whitespace-only text is a named error on ingest (the scorer itself rates one neutral).
        text: String,
        /// A 1–5 rating (surveys and reviews), if given.
        rating: Option<u8>,
    }
    check(r) {
        if r.text.trim().is_empty() {
            return Err(("text", "missing value (empty or whitespace-only text)".to_string()));
        }
        if let Some(x) = r.rating {
            if !(1..=MAX_FEEDBACK_RATING).contains(&x) {
                return Err(("rating", format!("{x} is outside 1–{MAX_FEEDBACK_RATING}")));
            }
        }
        Ok(())
    }
}

record! {
    /// A stretch of a recording someone watched: a video player's play range ("played from
    /// `start_s` to `end_s` at `at`"). Several rows per person and recording: pauses, skips and
    /// replays. The `content` step turns them into each micro-lesson's viewers, watch share and
    /// replays, which order the lessons by engagement.
    ContentView => ContentViews.content_views, key = [content_id, person_id, at], time = at, {
        /// The recording (`content.content_id`).
        content_id: String,
        /// Who watched (a student or lead id).
        person_id: String,
        /// When the range started playing (UTC).
        at: DateTime<Utc>,
        /// Position where the range starts, seconds from the recording's start, ≥ 0.
        start_s: f64,
        /// Position where it ends, seconds, ≥ `start_s`.
        end_s: f64,
    }
    check(r) {
        not_blank("content_id", &r.content_id)?;
        not_blank("person_id", &r.person_id)?;
        non_negative("start_s", r.start_s)?;
        if r.end_s < r.start_s {
            return Err((
                "end_s",
                format!("{} is before start_s {} (reversed range)", r.end_s, r.start_s),
            ));
        }
        Ok(())
    }
}

record! {
    /// A learner's score on a quiz that tests one concept (an LMS gradebook line tagged with its
    /// learning objective). The `content` step counts the latest attempt of each quiz in the
    /// learner's mastery of the concept; a quiz of an unknown concept is an error of that step.
    QuizResult => QuizResults.quiz_results, key = [student_id, quiz_id, at], time = at, {
        /// Learner.
        student_id: String,
        /// The quiz (e.g. a `content.content_id` of kind `quiz`).
        quiz_id: String,
        /// The concept it tests (`concepts.concept_id`).
        concept_id: String,
        /// When it was submitted (UTC).
        at: DateTime<Utc>,
        /// Score in [0, 1] (share of the points).
        score: f64,
    }
    check(r) {
        not_blank("student_id", &r.student_id)?;
        not_blank("quiz_id", &r.quiz_id)?;
        not_blank("concept_id", &r.concept_id)?;
        if !(0.0..=1.0).contains(&r.score) {
            return Err(("score", format!("{} is outside [0, 1]", r.score)));
        }
        Ok(())
    }
}

record! {
    /// A mentor's availability for mentor matching (optional; a student without a row keeps the
    /// default capacity of `[job.community.matching]`). Only students who qualify as mentors
    /// (certified, or advanced by points) are matched; a row does not make anyone a mentor.
    Mentor => Mentors.mentors, key = [student_id], time = none, {
        /// The mentor (`students.student_id`).
        student_id: String,
        /// Mentees this mentor takes (a whole number ≥ 0; 0 = not mentoring now); empty: the
        /// default capacity.
        capacity: Option<u32>,
        /// Whether the student mentors now (false: not matched, whatever the capacity).
        active: bool,
    }
    check(r) {
        not_blank("student_id", &r.student_id)?;
        Ok(())
    }
}

/// The `student_attributes` name that links a student to its course's `assessment_schedule`
/// (`course_id`); it is a link, not a feature of the risk model.
pub const COURSE_ATTRIBUTE: &str = "course";

record! {
    /// A named attribute of a student known at enrolment: a demographic (age band, gender,
    /// disability, region), the credits studied, previous attempts, or the course
    /// ([`COURSE_ATTRIBUTE`]). A name whose every value is a number is numeric to the churn risk
    /// model, otherwise categorical. A missing attribute is a missing row, never an empty value.
    /// A timeless table.
    StudentAttribute => StudentAttributes.student_attributes, key = [student_id, name], time = none, {
        /// Student id (`students.student_id`).
        student_id: String,
        /// Attribute name (e.g. `age_band`, `studied_credits`, `course`).
        name: String,
        /// Its value, as text (`35-55`, `60`, `AAA-2013J`).
        value: String,
    }
    check(r) {
        not_blank("student_id", &r.student_id)?;
        not_blank("name", &r.name)?;
        not_blank("value", &r.value)
    }
}

record! {
    /// A deadline of a course's assessment (an assignment, a test, an exam). Students are linked
    /// to a course by their [`COURSE_ATTRIBUTE`] attribute; the churn risk model counts, as of a
    /// date, the deadlines passed, the assessments still owed and the deadlines a student was
    /// behind at. A timeless table (a schedule is known ahead).
    AssessmentDeadline => AssessmentSchedule.assessment_schedule, key = [course_id, assessment_id], time = none, {
        /// The course (the value of the students' `course` attribute).
        course_id: String,
        /// The assessment.
        assessment_id: String,
        /// When it is due (UTC; a submission after this instant is late).
        due_at: DateTime<Utc>,
        /// Its weight in the course grade, ≥ 0, if known.
        weight: Option<f64>,
    }
    check(r) {
        not_blank("course_id", &r.course_id)?;
        not_blank("assessment_id", &r.assessment_id)?;
        opt_non_negative("weight", r.weight)
    }
}
