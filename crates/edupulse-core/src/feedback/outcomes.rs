//! What each ended webinar achieved: the funnel (registrations, attendees, conversions and
//! revenue within a window), engagement (watch share; questions, polls and chat per attendee)
//! and what attendees wrote (mean rating, positive / negative shares, distinctive terms), with
//! the source's attendance floor (30 %).
//!
//! Reads `webinars`, `registrations`, `purchases` and `purchase` lead events (as the KPI funnel
//! does: a registrant converts on a purchase within `conversion_window_days` after the webinar
//! starts) and `feedback`. Only rows at or before `as_of` count; a webinar counts once it has
//! ended (`starts_at + duration_min ≤ as_of`).

use super::sentiment::{score_with, Sentiment, SentimentLabel};
use super::step::FeedbackConfig;
use super::terms::distinctive_terms;
use crate::error::{CoreError, Result};
use crate::model::{LeadEventKind, Tables};
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeMap, HashMap};

crate::result_table! {
    /// What one ended webinar achieved: funnel, engagement, feedback and the attendance floor.
    #[table = "webinar_outcomes", step = "feedback", key = [webinar_id]]
    pub struct WebinarOutcomeRow {
        /// Webinar id.
        pub webinar_id: String,
        /// Title.
        pub title: String,
        /// Topic.
        pub topic: String,
        /// Start (UTC).
        pub starts_at: DateTime<Utc>,
        /// End: start + planned duration.
        pub ended_at: DateTime<Utc>,
        /// Registrations.
        pub registrations: u64,
        /// Registrations that attended.
        pub attendees: u64,
        /// attendees / registrations (NULL without registrations).
        pub attendance_rate: Option<f64>,
        /// Mean over attendees with `minutes_watched` of minutes_watched / duration, each capped
        /// at 1 (NULL when no attendee has minutes).
        pub mean_watch_share: Option<f64>,
        /// Questions per attendee (attendees without a count count 0; NULL without attendees).
        pub questions_per_attendee: Option<f64>,
        /// Polls answered per attendee.
        pub polls_per_attendee: Option<f64>,
        /// Chat messages per attendee.
        pub chat_per_attendee: Option<f64>,
        /// Registrants who purchased within the conversion window after the start.
        pub conversions: u64,
        /// conversions / registrations (NULL without registrations).
        pub conversion_rate: Option<f64>,
        /// Sum of the registrants' `purchases` amounts within the window.
        pub revenue: f64,
        /// Whether the window has closed by `as_of` (false: conversions may still come).
        pub window_closed: bool,
        /// Feedback rows (chat, questions, surveys, reviews) about the webinar.
        pub feedback: u64,
        /// Mean 1–5 rating of the rows that have one (NULL without ratings).
        pub mean_rating: Option<f64>,
        /// Rows with a rating.
        pub ratings: u64,
        /// Mean sentiment score of the rows, in [−1, 1] (NULL without feedback).
        pub mean_sentiment: Option<f64>,
        /// Share of the rows labelled positive (NULL without feedback).
        pub positive_share: Option<f64>,
        /// Share of the rows labelled negative (NULL without feedback).
        pub negative_share: Option<f64>,
        /// The terms that set this webinar's feedback apart from all feedback (weighted log-odds),
        /// most distinctive first.
        pub top_terms: Vec<String>,
        /// attendance_rate below the floor (the source: 30 %).
        pub below_floor: bool,
    }
}

/// The feedback rows at or before `as_of` with their sentiment, in table order, after checking
/// every row's webinar exists (an unknown `webinar_id` is a validation error naming the row —
/// 1-based position in `tables.feedback` — the column and the `feedback_id`).
pub fn scored_feedback<'a>(
    tables: &'a Tables,
    as_of: DateTime<Utc>,
    cfg: &FeedbackConfig,
) -> Result<Vec<(&'a crate::model::Feedback, Sentiment)>> {
    let known: std::collections::HashSet<&str> = tables
        .webinars
        .iter()
        .map(|w| w.webinar_id.as_str())
        .collect();
    let mut out = Vec::new();
    for (i, f) in tables.feedback.iter().enumerate() {
        if !known.contains(f.webinar_id.as_str()) {
            return Err(CoreError::validation(
                "feedback",
                Some(i + 1),
                Some("webinar_id"),
                format!(
                    "unknown webinar `{}` (not in `webinars`; feedback_id `{}`)",
                    f.webinar_id, f.feedback_id
                ),
            ));
        }
        if f.at <= as_of {
            out.push((f, score_with(&f.text, &cfg.sentiment)));
        }
    }
    Ok(out)
}

/// Purchase instants per person (purchases and `purchase` lead events) and purchase amounts per
/// person (purchases only), each sorted by time, at or before `as_of`.
pub(crate) struct Buys<'a> {
    at: HashMap<&'a str, Vec<DateTime<Utc>>>,
    amounts: HashMap<&'a str, Vec<(DateTime<Utc>, f64)>>,
}

impl<'a> Buys<'a> {
    pub(crate) fn of(tables: &'a Tables, as_of: DateTime<Utc>) -> Buys<'a> {
        let mut at: HashMap<&str, Vec<DateTime<Utc>>> = HashMap::new();
        let mut amounts: HashMap<&str, Vec<(DateTime<Utc>, f64)>> = HashMap::new();
        for p in tables.purchases.iter().filter(|p| p.at <= as_of) {
            at.entry(p.customer_id.as_str()).or_default().push(p.at);
            amounts
                .entry(p.customer_id.as_str())
                .or_default()
                .push((p.at, p.amount));
        }
        for e in tables.lead_events.iter().filter(|e| e.at <= as_of) {
            if e.kind == LeadEventKind::Purchase {
                at.entry(e.lead_id.as_str()).or_default().push(e.at);
            }
        }
        for v in at.values_mut() {
            v.sort_unstable();
        }
        for v in amounts.values_mut() {
            v.sort_by_key(|a| a.0);
        }
        Buys { at, amounts }
    }

    /// Whether `person` bought in `[from, to]`.
    pub(crate) fn bought(&self, person: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        self.at.get(person).is_some_and(|ts| {
            let i = ts.partition_point(|t| *t < from);
            ts.get(i).is_some_and(|t| *t <= to)
        })
    }

    /// When `person` first bought (at or before `as_of`).
    pub(crate) fn first(&self, person: &str) -> Option<DateTime<Utc>> {
        self.at.get(person).and_then(|v| v.first().copied())
    }

    /// What `person` spent in `[from, to]`.
    fn spent(&self, person: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
        self.amounts.get(person).map_or(0.0, |v| {
            let i = v.partition_point(|t| t.0 < from);
            v[i..].iter().take_while(|t| t.0 <= to).map(|t| t.1).sum()
        })
    }
}

#[derive(Default)]
struct Tally {
    registrations: u64,
    attendees: u64,
    watch: (f64, u64),
    questions: u64,
    polls: u64,
    chat: u64,
    conversions: u64,
    revenue: f64,
}

#[derive(Default)]
struct Said {
    rows: u64,
    rating: (f64, u64),
    score: f64,
    positive: u64,
    negative: u64,
}

fn ratio(num: f64, den: u64) -> Option<f64> {
    (den > 0).then(|| num / den as f64)
}

/// One [`WebinarOutcomeRow`] per webinar that has ended by `as_of`, in start order (ties by id).
///
/// ```
/// use edupulse_core::feedback::{webinar_outcomes, FeedbackConfig};
/// use edupulse_core::simulate::{simulate, SimConfig};
/// let sim = SimConfig { students: 60, seed: 5, ..SimConfig::default() };
/// let tables = simulate(&sim)?;
/// let as_of = edupulse_core::model::date_to_datetime(sim.end_date());
/// let rows = webinar_outcomes(&tables, as_of, &FeedbackConfig::default())?;
/// assert!(rows.iter().all(|r| r.attendees <= r.registrations && r.ended_at <= as_of));
/// # Ok::<(), edupulse_core::CoreError>(())
/// ```
pub fn webinar_outcomes(
    tables: &Tables,
    as_of: DateTime<Utc>,
    cfg: &FeedbackConfig,
) -> Result<Vec<WebinarOutcomeRow>> {
    cfg.validate()?;
    let feedback = scored_feedback(tables, as_of, cfg)?;
    outcomes_of(tables, &feedback, as_of, cfg)
}

/// [`webinar_outcomes`] from feedback already scored by [`scored_feedback`].
pub(crate) fn outcomes_of(
    tables: &Tables,
    feedback: &[(&crate::model::Feedback, Sentiment)],
    as_of: DateTime<Utc>,
    cfg: &FeedbackConfig,
) -> Result<Vec<WebinarOutcomeRow>> {
    // The window ends `conversion_window_days` local days after the start.
    let window_end =
        |t: DateTime<Utc>| cfg.clock.add_days(t, i64::from(cfg.conversion_window_days));
    let buys = Buys::of(tables, as_of);
    let mut ended: Vec<&crate::model::Webinar> = tables
        .webinars
        .iter()
        .filter(|w| w.starts_at + Duration::minutes(i64::from(w.duration_min)) <= as_of)
        .collect();
    ended.sort_by(|a, b| {
        a.starts_at
            .cmp(&b.starts_at)
            .then(a.webinar_id.cmp(&b.webinar_id))
    });
    let info: HashMap<&str, &crate::model::Webinar> =
        ended.iter().map(|w| (w.webinar_id.as_str(), *w)).collect();

    let mut tally: HashMap<&str, Tally> = HashMap::new();
    for r in tables
        .registrations
        .iter()
        .filter(|r| r.registered_at <= as_of)
    {
        let Some(w) = info.get(r.webinar_id.as_str()) else {
            continue;
        };
        let t = tally.entry(w.webinar_id.as_str()).or_default();
        t.registrations += 1;
        if r.attended {
            t.attendees += 1;
            if let Some(m) = r.minutes_watched {
                t.watch.0 += (m / f64::from(w.duration_min)).clamp(0.0, 1.0);
                t.watch.1 += 1;
            }
            t.questions += u64::from(r.questions.unwrap_or(0));
            t.polls += u64::from(r.polls.unwrap_or(0));
            t.chat += u64::from(r.chat_messages.unwrap_or(0));
        }
        let to = window_end(w.starts_at).min(as_of);
        if buys.bought(&r.person_id, w.starts_at, to) {
            t.conversions += 1;
        }
        t.revenue += buys.spent(&r.person_id, w.starts_at, to);
    }

    let mut said: HashMap<&str, Said> = HashMap::new();
    let mut texts: Vec<(&str, &str)> = Vec::with_capacity(feedback.len());
    for (f, s) in feedback {
        texts.push((f.webinar_id.as_str(), f.text.as_str()));
        if !info.contains_key(f.webinar_id.as_str()) {
            continue;
        }
        let e = said.entry(f.webinar_id.as_str()).or_default();
        e.rows += 1;
        if let Some(x) = f.rating {
            e.rating.0 += f64::from(x);
            e.rating.1 += 1;
        }
        e.score += s.score;
        e.positive += u64::from(s.label == SentimentLabel::Positive);
        e.negative += u64::from(s.label == SentimentLabel::Negative);
    }
    let mut terms: BTreeMap<String, Vec<String>> = distinctive_terms(&texts, cfg.top_terms);

    Ok(ended
        .iter()
        .map(|w| {
            let id = w.webinar_id.as_str();
            let t = tally.remove(id).unwrap_or_default();
            let s = said.remove(id).unwrap_or_default();
            let attendance_rate = ratio(t.attendees as f64, t.registrations);
            WebinarOutcomeRow {
                webinar_id: w.webinar_id.clone(),
                title: w.title.clone(),
                topic: w.topic.clone(),
                starts_at: w.starts_at,
                ended_at: w.starts_at + Duration::minutes(i64::from(w.duration_min)),
                registrations: t.registrations,
                attendees: t.attendees,
                attendance_rate,
                mean_watch_share: ratio(t.watch.0, t.watch.1),
                questions_per_attendee: ratio(t.questions as f64, t.attendees),
                polls_per_attendee: ratio(t.polls as f64, t.attendees),
                chat_per_attendee: ratio(t.chat as f64, t.attendees),
                conversions: t.conversions,
                conversion_rate: ratio(t.conversions as f64, t.registrations),
                revenue: t.revenue,
                window_closed: window_end(w.starts_at) <= as_of,
                feedback: s.rows,
                mean_rating: ratio(s.rating.0, s.rating.1),
                ratings: s.rating.1,
                mean_sentiment: ratio(s.score, s.rows),
                positive_share: ratio(s.positive as f64, s.rows),
                negative_share: ratio(s.negative as f64, s.rows),
                top_terms: terms.remove(id).unwrap_or_default(),
                below_floor: attendance_rate.is_some_and(|r| r < cfg.attendance_floor),
            }
        })
        .collect())
}
