//! A deterministic, seeded simulation of an online business that sells AI courses and runs
//! webinars: the ground truth for demos and tests.
//!
//! [`simulate`] produces every input table of DESIGN §3 from a [`SimConfig`] (size, seed, start
//! date, history length) and nothing else — never the wall clock — so the same configuration
//! always gives the same [`Tables`]. [`simulate_with_truth`] also returns the [`GroundTruth`]: the
//! hidden rules and latent states the data were drawn from, which tests and evaluations score
//! against.
//!
//! What is simulated, and from what:
//! - **keyword_interest** — a daily 0–100 index (geo `ES`) for 14 Spanish keywords ("curso IA",
//!   "webinar IA", "certificación IA", "aprender inteligencia artificial", "formación IA", …):
//!   some rise (a logistic growth of ×2–3.5 starting at a random date), some are only seasonal
//!   (weekly cycle; January and late-September peaks, August dip), some are flat; all noisy.
//! - **related_queries** — a weekly report (every 7th day) per keyword: four related queries in the
//!   `top` list (a 0–100 index) and in the `rising` list (growth in percent, mostly modest); each
//!   rising keyword whose rise midpoint falls in the history gets one new query that appears at
//!   the midpoint as a breakout (> 5000 %, the first report without a figure), then settles.
//! - **keyword_topics** — which webinar topic nine of the keywords stand for (one mapping only for
//!   the `finanzas` industry), so next month's calendar can rank topics by their keywords' trends.
//! - **webinars** / **registrations** — about three webinars a week across topics, weekdays,
//!   hours and target segments; leads and students register (likelier when targeted and engaged)
//!   and attend with probability [`expected_attendance_rate`] of their segment × weekday × hour ×
//!   topic. Attendees have minutes watched, questions, polls and chat; no-shows have zeros.
//! - **students** / **activity** — students (Spanish names, segments) enrol over the period, with
//!   more enrolments in January and September; a latent engagement drives study sessions (login,
//!   lessons, quizzes, comments, posts, shares, referrals, certificates for completers, webinar
//!   attendance). Students who churn see their engagement decline over 3–8 weeks *before* they stop.
//! - **student_attributes** / **assessment_schedule** — each course runs a monthly cohort with
//!   3/5/7 assessment deadlines; a student's `course` attribute names its enrolment month's
//!   cohort, and `age_band`, `num_of_prev_attempts`, `studied_credits` lean with its hidden
//!   engagement (as OULAD's do with dropout). Students submit their cohort's assessments
//!   (`assessment_submitted`, `ref_id` = the assessment, `value` = the score) on time, late or
//!   not at all as their engagement near each deadline makes likely; nothing after they stop.
//! - **purchases** — the course (99/199/499 EUR) at enrolment, then repeat purchases (49/99/199
//!   EUR) following a BG/NBD process (Poisson rate λ ~ Gamma, dropout p ~ Beta after each
//!   repeat), cut at churn; converting leads buy once.
//! - **leads** / **lead_events** — leads from webinar, ads, organic, referral and LinkedIn, with a
//!   latent intent that drives email opens and clicks, webinar registration and attendance,
//!   questions, pricing views and demo requests; conversion (a `purchase` event) is causal: at
//!   creation and after each event that raises [`conversion_propensity`], the lead buys with the
//!   chance that lifts P(bought) to the new propensity, a couple of days after that event. So
//!   P(converts) is the propensity of the window's events, and only the past decides when. No
//!   event precedes its lead's `created_at`.
//! - **feedback** — attendees' chat lines, questions and survey answers in Spanish, whose
//!   sentiment follows a hidden per-attendee satisfaction (see [`FeedbackTruth`]).
//! - **content** / **transcript_segments** / **content_views** / **concepts** / **card_concepts**
//!   — recordings of the last 12 ended webinars with Spanish transcripts whose sub-topic changes
//!   every 5–10 minutes and play ranges of registrants who watch them, more of the sections with
//!   more appeal (section starts and appeal in [`RecordingTruth`]), one concept per topic with a
//!   prerequisite chain, each flashcard mapped to one concept; **quiz_results** — one quiz per
//!   topic, taken by half of the students who reviewed its cards, scored by how well they
//!   recalled them.
//! - **mentors** — the availability some certified students state for mentor matching: by id,
//!   the 1st, 9th, … take one mentee, the 5th, 13th, … are inactive; the rest have no row
//!   (the default capacity). No random draws, so no other table changes.
//! - **reviews** — a share of the students review a few dozen flashcards; outcomes follow the
//!   forgetting curve of [`MemoryModel`] (`R = (1 + t/(9S))^−1`, stability growing on success),
//!   ratings 1–4, intervals growing as cards are learned.
//!
//! Ids: `s000123` (students), `l000045` (leads), `w0012` (webinars), `c0101` (cards); emails
//! `<id>@example.com`. Every natural key is unique by construction (an entity's timestamps are
//! made strictly increasing), and the result passes [`Tables::validate`] without dropping a row.
//!
//! Each entity draws from its own ChaCha8 stream derived from `(seed, kind, index)`: an entity's
//! rows do not depend on the number of other entities (prefix stability: the first 100 students of
//! a 1,000-student run are the first 100 of a 100,000-student run with the same seed and
//! webinars), and generation runs on all cores without changing the result. Times are whole
//! seconds, UTC.

mod assessments;
mod attendance;
mod catalog;
mod content;
mod dist;
mod experiments;
mod feedback;
mod keywords;
mod leads;
mod memory;
mod students;
#[cfg(test)]
mod tests;
mod webinars;

pub use attendance::{best_slot, expected_attendance_rate, slot_rates, SlotRate, WEBINAR_HOURS};
pub use catalog::{COMPANY_SIZES, INDUSTRIES, ROLES, TOPICS};
pub use content::{RecordingTruth, RECORDED_WEBINARS};
pub use experiments::ExperimentTruth;
pub use feedback::FeedbackTruth;
pub use leads::{conversion_propensity, LeadEventCounts, SOURCES};
pub use memory::MemoryModel;

use crate::error::{CoreError, Result};
use crate::model::Tables;
use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use dist::{entity_rng, unif, Stream};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::ops::Range;

/// Seconds per day.
pub(crate) const DAY: i64 = 86_400;

/// Largest number of students or leads a run may ask for.
pub const MAX_ENTITIES: usize = 1_000_000;

/// What to simulate. Every field has a default (serde fills missing fields from
/// [`SimConfig::default`]), so `{"students": 500}` is a complete configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    /// Number of students (default 1,000).
    pub students: usize,
    /// Random seed (default 42). Same configuration, same tables.
    pub seed: u64,
    /// First day of the history (default 2025-01-01; never the wall clock).
    pub start: NaiveDate,
    /// Length of the history in days (default 365): rows fall in `[start, start + days)`.
    pub days: u32,
    /// Number of leads (default: as many as students).
    pub leads: Option<usize>,
    /// Number of webinars (default: about three a week, `ceil(3 · days / 7)`).
    pub webinars: Option<usize>,
    /// Share of students who review flashcards (default 0.08).
    pub reviewers_fraction: f64,
    /// Cards each reviewing student studies (default 24).
    pub cards_per_student: usize,
    /// Cards in the whole deck, `c0001…` (default 400).
    pub deck_size: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            students: 1000,
            seed: 42,
            start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default(),
            days: 365,
            leads: None,
            webinars: None,
            reviewers_fraction: 0.08,
            cards_per_student: 24,
            deck_size: 400,
        }
    }
}

impl SimConfig {
    /// Check the configuration; errors are [`CoreError::InvalidParameter`] naming the field.
    pub fn validate(&self) -> Result<()> {
        if self.days == 0 {
            return Err(CoreError::param(
                "days",
                "the history must be at least 1 day long",
            ));
        }
        if self.days > 3660 {
            return Err(CoreError::param(
                "days",
                format!("{} days is more than 10 years", self.days),
            ));
        }
        if !(1971..=9000).contains(&self.start.year()) {
            return Err(CoreError::param(
                "start",
                format!("{} is outside years 1971–9000", self.start),
            ));
        }
        if self.students > MAX_ENTITIES {
            return Err(CoreError::param(
                "students",
                format!("{} is more than the maximum {MAX_ENTITIES}", self.students),
            ));
        }
        if self.leads.is_some_and(|n| n > MAX_ENTITIES) {
            return Err(CoreError::param(
                "leads",
                format!("more than the maximum {MAX_ENTITIES}"),
            ));
        }
        if self.webinars.is_some_and(|n| n > 100_000) {
            return Err(CoreError::param("webinars", "more than the maximum 100000"));
        }
        if !(0.0..=1.0).contains(&self.reviewers_fraction) {
            return Err(CoreError::param(
                "reviewers_fraction",
                format!("{} is not a fraction in [0, 1]", self.reviewers_fraction),
            ));
        }
        if self.deck_size == 0 || self.deck_size > 100_000 {
            return Err(CoreError::param(
                "deck_size",
                "must be between 1 and 100000",
            ));
        }
        if self.cards_per_student > self.deck_size {
            return Err(CoreError::param(
                "cards_per_student",
                format!(
                    "{} is more than the deck ({} cards)",
                    self.cards_per_student, self.deck_size
                ),
            ));
        }
        if self.cards_per_student > 1000 {
            return Err(CoreError::param(
                "cards_per_student",
                "more than the maximum 1000",
            ));
        }
        Ok(())
    }

    /// The end of the history, `start + days`: exclusive — midnight UTC of this date is the
    /// instant right after the last simulated row (the last simulated day is the day before).
    pub fn end_date(&self) -> NaiveDate {
        self.start
            .checked_add_days(Days::new(u64::from(self.days)))
            .unwrap_or(self.start)
    }

    /// The number of leads simulated.
    pub fn lead_count(&self) -> usize {
        self.leads.unwrap_or(self.students)
    }

    /// The number of webinars simulated.
    pub fn webinar_count(&self) -> usize {
        self.webinars
            .unwrap_or_else(|| (self.days as usize * 3).div_ceil(7).max(1))
    }
}

/// How a keyword's interest behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeywordPattern {
    /// A real rise: logistic growth from `rise_start`, on top of mild seasonality.
    Rising,
    /// Seasonal only: strong yearly and weekly cycles, no trend.
    Seasonal,
    /// Flat with noise (and at most a faint seasonality).
    Flat,
}

/// The truth about one keyword series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeywordTruth {
    /// The keyword.
    pub keyword: String,
    /// The region of the series.
    pub geo: String,
    /// What the series does.
    pub pattern: KeywordPattern,
    /// For rising keywords: the date the rise reaches 10 % of its growth (it may precede the
    /// history for a rise that is already under way).
    pub rise_start: Option<NaiveDate>,
    /// For rising keywords: the date of half the growth.
    pub rise_midpoint: Option<NaiveDate>,
    /// For rising keywords: days from 10 % to 90 % of the growth (0 otherwise).
    pub rise_days: f64,
    /// Final level over initial level of the trend component (1 for non-rising keywords).
    pub growth: f64,
    /// Amplitude of the yearly business cycle.
    pub yearly_amplitude: f64,
    /// Amplitude of the weekly cycle.
    pub weekly_amplitude: f64,
    /// Standard deviation of the log-normal daily noise.
    pub noise_sd: f64,
    /// For rising keywords whose rise midpoint falls in the history: the related query that
    /// breaks out with the rise (`related_queries`).
    #[serde(default)]
    pub breakout_query: Option<String>,
    /// The report date where `breakout_query` first appears as a breakout (growth > 5000 %).
    #[serde(default)]
    pub breakout_date: Option<NaiveDate>,
}

/// The truth about webinar attendance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendanceTruth {
    /// The model in words (the function is [`expected_attendance_rate`]).
    pub model: String,
    /// Population-average rate of every weekday × hour slot, best first.
    pub slot_rates: Vec<SlotRate>,
}

/// The truth about one webinar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebinarTruth {
    /// Webinar id.
    pub webinar_id: String,
    /// Weekday it starts on (UTC).
    pub weekday: Weekday,
    /// Hour it starts at (UTC).
    pub hour: u32,
    /// Topic.
    pub topic: String,
    /// Registrations.
    pub registrants: usize,
    /// Sum of the registrants' true attendance probabilities.
    pub expected_attendees: f64,
    /// Registrants who attended.
    pub attendees: usize,
}

/// The truth about one student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentTruth {
    /// Student id.
    pub student_id: String,
    /// Baseline engagement (Gamma(4, 0.25), mean 1): scales session rate and participation.
    pub engagement: f64,
    /// Mean of the lifetime distribution the student's lifetime was drawn from, in days.
    pub expected_lifetime_days: f64,
    /// Whether the student stopped (churned) inside the history.
    pub churned: bool,
    /// When the student stopped; no activity, purchase or review after it.
    pub churned_at: Option<DateTime<Utc>>,
    /// For churned students: when their engagement started to decline (3–8 weeks before).
    pub decline_start: Option<DateTime<Utc>>,
    /// Whether the student earned the course certificate.
    pub completed: bool,
    /// BG/NBD repeat-purchase rate λ (purchases per day while alive).
    pub purchase_rate_per_day: f64,
    /// BG/NBD dropout probability p after each repeat purchase.
    pub dropout_probability: f64,
    /// Whether the repeat-purchase process is still alive at the end of the history.
    pub purchase_alive: bool,
    /// Whether the student reviews flashcards.
    pub reviewer: bool,
    /// The learner's memory factor (multiplies stability growth and initial stability).
    pub memory_factor: f64,
}

/// The truth about one lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadTruth {
    /// Lead id.
    pub lead_id: String,
    /// Latent purchase intent at creation, 0–1.
    pub intent: f64,
    /// The true conversion probability ([`conversion_propensity`] of intent and events).
    pub conversion_propensity: f64,
    /// Whether the lead converted inside the history (a `purchase` event).
    pub converted: bool,
    /// When it converted.
    pub converted_at: Option<DateTime<Utc>>,
}

/// The truth about one flashcard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardTruth {
    /// Card id.
    pub card_id: String,
    /// Difficulty, 1 (easy) – 10 (hard).
    pub difficulty: f64,
}

/// What the simulated data were drawn from: scores for tests and evaluations.
///
/// Entity vectors are in id order (`students[i]` is `s{i+1:06}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroundTruth {
    /// The configuration that produced the data.
    pub config: SimConfig,
    /// The end of the history, `start + days` (exclusive; see [`SimConfig::end_date`]).
    pub end_date: NaiveDate,
    /// Per keyword: pattern, rise date and size, cycle amplitudes.
    pub keywords: Vec<KeywordTruth>,
    /// The attendance model.
    pub attendance: AttendanceTruth,
    /// Per webinar: slot, registrants, expected and actual attendees.
    pub webinars: Vec<WebinarTruth>,
    /// Per student: engagement, churn, purchase process, memory.
    pub students: Vec<StudentTruth>,
    /// Per lead: intent, conversion propensity and outcome.
    pub leads: Vec<LeadTruth>,
    /// The memory model behind the reviews.
    pub memory: MemoryModel,
    /// Per card: difficulty.
    pub cards: Vec<CardTruth>,
    /// Per simulated A/B test: the true lift and whether the split is broken.
    #[serde(default)]
    pub experiments: Vec<ExperimentTruth>,
    /// Per feedback row: the writer's hidden satisfaction and the polarity it was written with.
    #[serde(default)]
    pub feedback: Vec<FeedbackTruth>,
    /// Per simulated recording: where its transcript's sections start and their sub-topics.
    #[serde(default)]
    pub content: Vec<RecordingTruth>,
}

impl GroundTruth {
    /// The truth about a keyword, by name.
    pub fn keyword(&self, keyword: &str) -> Option<&KeywordTruth> {
        self.keywords.iter().find(|k| k.keyword == keyword)
    }

    /// The truth about a student, by id.
    pub fn student(&self, student_id: &str) -> Option<&StudentTruth> {
        index_of(student_id, 's').and_then(|i| self.students.get(i))
    }

    /// The truth about a lead, by id.
    pub fn lead(&self, lead_id: &str) -> Option<&LeadTruth> {
        index_of(lead_id, 'l').and_then(|i| self.leads.get(i))
    }
}

/// `s000123` → 122.
fn index_of(id: &str, prefix: char) -> Option<usize> {
    id.strip_prefix(prefix)?
        .parse::<usize>()
        .ok()?
        .checked_sub(1)
}

/// Simulate every table of DESIGN §3 (validated, sorted by natural key).
pub fn simulate(cfg: &SimConfig) -> Result<Tables> {
    simulate_with_truth(cfg).map(|(t, _)| t)
}

/// Simulate every table and return the ground truth the data were drawn from.
pub fn simulate_with_truth(cfg: &SimConfig) -> Result<(Tables, GroundTruth)> {
    let (mut tables, raw) = generate(cfg)?;
    let generated = tables.total_rows();
    validate(&mut tables)?;
    debug_assert_eq!(
        generated,
        tables.total_rows(),
        "validation dropped simulated rows"
    );
    let webinar_truth = webinar_truth(&raw.plans, &tables);
    let truth = GroundTruth {
        config: cfg.clone(),
        end_date: cfg.end_date(),
        keywords: raw.keywords,
        attendance: AttendanceTruth {
            model: "logistic in segment (industry, role, company size) + weekday + hour (UTC) + topic, \
                    with Monday-early / Friday-afternoon penalties and role × time-of-day and \
                    industry × time interactions; see expected_attendance_rate"
                .to_string(),
            slot_rates: slot_rates(),
        },
        webinars: webinar_truth,
        students: raw.students,
        leads: raw.leads,
        memory: raw.memory,
        cards: raw
            .deck
            .into_iter()
            .map(|(card_id, difficulty)| CardTruth { card_id, difficulty })
            .collect(),
        experiments: raw.experiments,
        feedback: raw.feedback,
        content: raw.content,
    };
    Ok((tables, truth))
}

/// [`Tables::validate`], with the largest table (activity) checked on a second thread by the same
/// per-table routine.
fn validate(tables: &mut Tables) -> Result<()> {
    let mut activity = std::mem::take(&mut tables.activity);
    let (act, rest) = crate::learn::parallel::join(
        || crate::model::dedupe_rows(&mut activity),
        || tables.validate(),
    );
    tables.activity = activity;
    rest.and(act)
}

/// The latent side of a run, before it is assembled into a [`GroundTruth`].
struct Raw {
    plans: Vec<webinars::WebinarPlan>,
    deck: Vec<(String, f64)>,
    memory: MemoryModel,
    keywords: Vec<KeywordTruth>,
    students: Vec<StudentTruth>,
    leads: Vec<LeadTruth>,
    experiments: Vec<ExperimentTruth>,
    feedback: Vec<FeedbackTruth>,
    content: Vec<RecordingTruth>,
}

/// Generate every row (not yet validated or sorted) and the latent truth.
fn generate(cfg: &SimConfig) -> Result<(Tables, Raw)> {
    cfg.validate()?;
    let start = ts_of_date(cfg.start);
    let end = ts_of_date(cfg.end_date());
    let plans = webinars::schedule(cfg, start, cfg.webinar_count());
    let deck: Vec<(String, f64)> = (0..cfg.deck_size)
        .map(|c| {
            let mut rng = entity_rng(cfg.seed, Stream::Card, c as u64);
            (
                format!("c{:04}", c + 1),
                1.0 + 9.0 * dist::beta(&mut rng, 2.0, 2.0),
            )
        })
        .collect();
    let memory = MemoryModel::default();
    let ctx = Ctx {
        cfg,
        start,
        end,
        webinars: &plans,
        deck: &deck,
        memory: &memory,
    };

    let mut tables = Tables::default();
    let (kw_rows, mut kw_truth) = keywords::generate(cfg);
    tables.keyword_interest = kw_rows;
    tables.related_queries = keywords::related(cfg, &mut kw_truth);
    tables.webinars = webinars::rows(&plans);
    tables.assessment_schedule = assessments::schedule(&ctx, &students::COURSES);

    let mut student_truth = Vec::with_capacity(cfg.students);
    for part in par_ranges(cfg.students, |r| students::generate(&ctx, r)) {
        tables.students.extend(part.students);
        tables.activity.extend(part.activity);
        tables.purchases.extend(part.purchases);
        tables.registrations.extend(part.registrations);
        tables.reviews.extend(part.reviews);
        tables.student_attributes.extend(part.attributes);
        student_truth.extend(part.truth);
    }
    let mut lead_truth = Vec::with_capacity(cfg.lead_count());
    for part in par_ranges(cfg.lead_count(), |r| leads::generate(&ctx, r)) {
        tables.leads.extend(part.leads);
        tables.lead_events.extend(part.events);
        tables.registrations.extend(part.registrations);
        tables.purchases.extend(part.purchases);
        lead_truth.extend(part.truth);
    }
    let (exps, exposures, exp_truth) = experiments::generate(cfg.seed, start, end, &tables);
    tables.experiments = exps;
    tables.exposures = exposures;
    tables.keyword_topics = catalog::KEYWORD_TOPICS
        .iter()
        .map(|(keyword, topic, industry)| crate::model::KeywordTopic {
            keyword: (*keyword).to_string(),
            topic: (*topic).to_string(),
            industry: industry.map(str::to_string),
        })
        .collect();
    let (feedback_rows, feedback_truth) = feedback::generate(cfg.seed, end, &tables);
    tables.feedback = feedback_rows;
    let sim_content = content::generate(
        cfg.seed,
        end,
        &plans,
        &deck,
        &tables.registrations,
        &tables.reviews,
    );
    tables.content = sim_content.content;
    tables.transcript_segments = sim_content.transcript_segments;
    tables.concepts = sim_content.concepts;
    tables.card_concepts = sim_content.card_concepts;
    tables.content_views = sim_content.content_views;
    tables.quiz_results = sim_content.quiz_results;
    tables.mentors = mentors(&tables.activity);
    let raw = Raw {
        content: sim_content.truth,
        feedback: feedback_truth,
        experiments: exp_truth,
        plans,
        deck,
        memory,
        keywords: kw_truth,
        students: student_truth,
        leads: lead_truth,
    };
    Ok((tables, raw))
}

/// Per-webinar registrants, expected and actual attendees.
fn webinar_truth(plans: &[webinars::WebinarPlan], tables: &Tables) -> Vec<WebinarTruth> {
    let mut out: Vec<WebinarTruth> = plans
        .iter()
        .map(|p| WebinarTruth {
            webinar_id: p.id.clone(),
            weekday: p.weekday,
            hour: p.hour,
            topic: p.topic.to_string(),
            registrants: 0,
            expected_attendees: 0.0,
            attendees: 0,
        })
        .collect();
    let index: HashMap<&str, usize> = plans
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();
    for r in &tables.registrations {
        let Some(&i) = index.get(r.webinar_id.as_str()) else {
            continue;
        };
        let (Some(w), Some(p)) = (out.get_mut(i), plans.get(i)) else {
            continue;
        };
        w.registrants += 1;
        w.attendees += usize::from(r.attended);
        w.expected_attendees += expected_attendance_rate(
            &r.industry,
            &r.role,
            &r.company_size,
            p.weekday,
            p.hour,
            p.topic,
        );
    }
    out
}

/// What the entity generators share.
pub(crate) struct Ctx<'a> {
    pub cfg: &'a SimConfig,
    /// Start of the history (seconds since the epoch).
    pub start: i64,
    /// End of the history, exclusive.
    pub end: i64,
    /// Webinars sorted by start.
    pub webinars: &'a [webinars::WebinarPlan],
    /// The deck: card id and difficulty.
    pub deck: &'a [(String, f64)],
    /// The memory model.
    pub memory: &'a MemoryModel,
}

/// Run `f` over contiguous ranges of `0..n` on the thread budget (`edupulse_learn::parallel`); results in range order, so the output
/// does not depend on the number of threads.
fn par_ranges<T: Send>(n: usize, f: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    // Below 2,000 items one range; above, one per thread of the budget (at most 32).
    let chunks = if n < 2_000 {
        1
    } else {
        crate::learn::parallel::threads_for(32, n)
    };
    let size = n.div_ceil(chunks).max(1);
    let ranges: Vec<Range<usize>> = (0..chunks)
        .map(|c| (c * size).min(n)..((c + 1) * size).min(n))
        .collect();
    crate::learn::parallel::map_with(chunks, ranges.len(), |k| {
        f(ranges.get(k).cloned().unwrap_or(0..0))
    })
}

/// An instant from seconds since the epoch (in range for every validated configuration).
pub(crate) fn ts(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// Midnight UTC of a date, in seconds since the epoch.
fn ts_of_date(d: NaiveDate) -> i64 {
    crate::model::date_to_datetime(d).timestamp()
}

/// The date `d` days after `start`.
pub(crate) fn date_of(start: NaiveDate, d: i64) -> NaiveDate {
    start
        .checked_add_days(Days::new(d.max(0) as u64))
        .unwrap_or(start)
}

/// Weekday (UTC) of an instant.
pub(crate) fn weekday_of(secs: i64) -> Weekday {
    // 1970-01-01 was a Thursday (Monday-based index 3).
    attendance::weekday_from_index((secs.div_euclid(DAY) + 3).rem_euclid(7) as u8)
}

/// Hour (UTC) of an instant.
pub(crate) fn hour_of(secs: i64) -> u32 {
    (secs.rem_euclid(DAY) / 3600) as u32
}

/// Zero-based day of the year of an instant.
fn day_of_year(secs: i64) -> f64 {
    f64::from(ts(secs).ordinal0())
}

/// A Gaussian bump on the circle of the year, centred on day `center` with width `width` days.
fn bump(doy: f64, center: f64, width: f64) -> f64 {
    let d = (doy - center + 182.625).rem_euclid(365.25) - 182.625;
    (-0.5 * (d / width).powi(2)).exp()
}

/// The business year: a January peak, a late-September peak (the new school year) and an August
/// dip, as a relative deviation (between about −0.45 and +0.5).
pub(crate) fn yearly_cycle(doy: f64) -> f64 {
    0.35 * bump(doy, 12.0, 18.0) + 0.5 * bump(doy, 265.0, 22.0) - 0.45 * bump(doy, 220.0, 28.0)
}

/// Seasonal multiplier of study activity at an instant (at most 1.2).
pub(crate) fn season_factor(secs: i64) -> f64 {
    1.0 + 0.35 * yearly_cycle(day_of_year(secs))
}

/// A day index in `[0, days)` drawn with the business season (more in January and September).
pub(crate) fn draw_seasonal_day<R: rand::Rng>(rng: &mut R, ctx: &Ctx<'_>) -> i64 {
    let days = i64::from(ctx.cfg.days);
    let mut day = 0;
    for _ in 0..64 {
        day = rng.gen_range(0..days);
        let w = 1.0 + 0.8 * yearly_cycle(day_of_year(ctx.start + day * DAY));
        if unif(rng) * 1.45 < w {
            break;
        }
    }
    day
}

/// The `mentors` rows: a few certified students state their availability (no random draws, so
/// every other table is unchanged). By student id, the 1st, 9th, … take one mentee, the 5th,
/// 13th, … are inactive; the others have no row (the default capacity).
fn mentors(activity: &[crate::model::Activity]) -> Vec<crate::model::Mentor> {
    let certified: std::collections::BTreeSet<&str> = activity
        .iter()
        .filter(|a| a.kind == crate::model::ActivityKind::Certificate)
        .map(|a| a.student_id.as_str())
        .collect();
    certified
        .into_iter()
        .enumerate()
        .filter_map(|(i, s)| match i % 8 {
            0 => Some((s, Some(1), true)),
            4 => Some((s, None, false)),
            _ => None,
        })
        .map(|(s, capacity, active)| crate::model::Mentor {
            student_id: s.to_string(),
            capacity,
            active,
        })
        .collect()
}
