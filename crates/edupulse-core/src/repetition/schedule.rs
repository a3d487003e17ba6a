//! The daily review schedule: from the `reviews` table as of a run, each learner's card states
//! (FSRS-6), due counts, today's due queue and next reminder time; per concept (card) the
//! difficulty and retention across learners; "stuck" learner–card pairs (repeated lapses), stuck
//! learners and stuck concepts; and the workload forecast. [`ReviewScheduleStep`] writes them to the
//! `review_schedule` result table and alerts stuck concepts and learners through the outbox, once
//! per stuck episode ([`super::stuck`]: lapses within a window; recovery recorded as "unstuck").
//! Each learner's cards are due when retrievability falls to the learner's own target retention,
//! moved within bounds from their recent success ([`super::adapt`]; `review_targets`).

use super::adapt::{target_retention, AdaptParams, ReviewMark};
use super::batch::{due_queue, workload_forecast, CardTable, QueueParams};
use super::fsrs::{Fsrs, FsrsParams, MemoryState, Rating};
use super::stuck::{group_episodes, pair_intervals, GroupRule, Interval, PairRule};
use crate::error::{CoreError, Result};
use crate::job::{Step, StepOutput};
use crate::model::{format_datetime, Review, Tables};
use crate::results::{Notification, ResultSet, Severity};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Parameters of the review schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScheduleParams {
    /// FSRS-6 settings (parameters, desired retention, maximum interval).
    pub fsrs: FsrsParams,
    /// Daily review limit per learner.
    pub queue: QueueParams,
    /// Lapses (Again after the first review) of one learner on one card within
    /// `stuck_window_days` that make the pair stuck.
    pub stuck_min_lapses: u32,
    /// Days a lapse counts towards being stuck (lapses older than this age out).
    pub stuck_window_days: u32,
    /// Reviews in a row rated Hard or better after which a stuck pair has recovered.
    pub stuck_recover_successes: u32,
    /// Fewest stuck cards that make a learner stuck.
    pub stuck_learner_min_cards: usize,
    /// Share of a learner's cards that must be stuck for the learner to be stuck.
    pub stuck_learner_share: f64,
    /// Share of a concept's learners stuck on it that makes the concept stuck.
    pub stuck_concept_share: f64,
    /// Fewest learners of a concept before it can be called stuck.
    pub stuck_concept_min_learners: usize,
    /// Days of workload forecast.
    pub forecast_days: usize,
    /// Difficulty adjustment: each learner's target retention from their recent success.
    pub adapt: AdaptParams,
    /// The local clock (`[job] timezone`, set by the job; not a configuration key; UTC by
    /// default): "today" (the due queue's day), the workload forecast's days and the 7-day
    /// due count follow local days.
    #[serde(skip)]
    pub clock: crate::clock::LocalClock,
}

impl Default for ScheduleParams {
    fn default() -> Self {
        ScheduleParams {
            fsrs: FsrsParams::default(),
            queue: QueueParams::default(),
            stuck_min_lapses: 3,
            stuck_window_days: 30,
            stuck_recover_successes: 2,
            stuck_learner_min_cards: 3,
            stuck_learner_share: 0.2,
            stuck_concept_share: 0.3,
            stuck_concept_min_learners: 5,
            forecast_days: 14,
            adapt: AdaptParams::default(),
            clock: crate::clock::LocalClock::UTC,
        }
    }
}

impl ScheduleParams {
    /// Check every field.
    pub fn validate(&self) -> Result<()> {
        self.fsrs.validate()?;
        self.queue.validate()?;
        self.adapt.validate(self.fsrs.desired_retention)?;
        if self.stuck_min_lapses == 0 {
            return Err(CoreError::param("stuck_min_lapses", "must be ≥ 1"));
        }
        if self.stuck_window_days == 0 || self.stuck_window_days > 3650 {
            return Err(CoreError::param("stuck_window_days", "must be in 1–3650"));
        }
        if self.stuck_recover_successes == 0 {
            return Err(CoreError::param("stuck_recover_successes", "must be ≥ 1"));
        }
        if self.stuck_learner_min_cards == 0 {
            return Err(CoreError::param("stuck_learner_min_cards", "must be ≥ 1"));
        }
        if !(self.stuck_learner_share >= 0.0 && self.stuck_learner_share <= 1.0) {
            return Err(CoreError::param("stuck_learner_share", "must be in [0, 1]"));
        }
        if !(self.stuck_concept_share > 0.0 && self.stuck_concept_share <= 1.0) {
            return Err(CoreError::param("stuck_concept_share", "must be in (0, 1]"));
        }
        if self.forecast_days == 0 || self.forecast_days > 3650 {
            return Err(CoreError::param("forecast_days", "must be in 1–3650"));
        }
        Ok(())
    }
}

/// One learner's card after replaying its reviews.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardStatus {
    /// Learner.
    pub student_id: String,
    /// Card (concept).
    pub card_id: String,
    /// Memory state after the last review.
    pub memory: MemoryState,
    /// Last review.
    pub last_review: DateTime<Utc>,
    /// When it is due.
    pub due: DateTime<Utc>,
    /// Retrievability at `as_of`.
    pub retrievability: f64,
    /// Reviews.
    pub reviews: u32,
    /// Lapses (Again after the first review).
    pub lapses: u32,
    /// Since when the pair is stuck (`None`: not stuck at `as_of`).
    pub stuck_since: Option<DateTime<Utc>>,
}

crate::result_table! {
    /// A learner's schedule.
    #[table = "review_learners", step = "review_schedule", key = [student_id]]
    pub struct LearnerSchedule {
        /// Learner.
        pub student_id: String,
        /// Cards studied.
        pub cards: usize,
        /// Cards due at `as_of`.
        pub due_now: usize,
        /// Today's queue (due cards, most forgotten first, within the daily limit).
        pub queue: Vec<String>,
        /// Cards due within 7 days (including those due now).
        pub due_7d: usize,
        /// When to remind the learner: `as_of` if something is due, else the earliest due time.
        pub next_reminder: Option<DateTime<Utc>>,
        /// Mean retrievability of the learner's cards at `as_of`.
        pub mean_retention: f64,
        /// Cards the learner is stuck on.
        pub stuck_cards: Vec<String>,
        /// Whether the learner is stuck.
        pub stuck: bool,
    }
}

crate::result_table! {
    /// A concept (card) across learners.
    #[table = "review_concepts", step = "review_schedule", key = [card_id]]
    pub struct ConceptStats {
        /// Card id.
        pub card_id: String,
        /// Learners who studied it.
        pub learners: usize,
        /// Mean FSRS difficulty (1–10).
        pub mean_difficulty: f64,
        /// Mean retrievability at `as_of`.
        pub mean_retention: f64,
        /// Lapses per non-first review.
        pub lapse_rate: f64,
        /// Learners stuck on it.
        pub stuck_learners: usize,
        /// Whether the concept is stuck.
        pub stuck: bool,
    }
}

crate::result_table! {
    /// A learner's target retention (difficulty adjustment): their recent success and the
    /// retention their cards are scheduled for.
    #[table = "review_targets", step = "review_schedule", key = [student_id]]
    pub struct LearnerTarget {
        /// Learner.
        pub student_id: String,
        /// Reviews after a card's first within the window.
        pub recent_reviews: u32,
        /// Of those, rated Hard or better.
        pub recent_successes: u32,
        /// The target retention the learner's intervals follow.
        pub target_retention: f64,
    }
}

/// Everything the schedule decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewSchedule {
    /// The run's time.
    pub as_of: DateTime<Utc>,
    /// Every learner–card pair.
    pub cards: Vec<CardStatus>,
    /// Per learner.
    pub learners: Vec<LearnerSchedule>,
    /// Per learner, the target retention (same order as `learners`).
    pub targets: Vec<LearnerTarget>,
    /// Per concept.
    pub concepts: Vec<ConceptStats>,
    /// Reviews due per day from `as_of`'s day (overdue on the first day).
    pub forecast: Vec<ReviewForecastDay>,
    /// Every stuck episode of a learner or a concept up to `as_of`, ended ones included.
    pub episodes: Vec<StuckEpisode>,
}

crate::result_table! {
    /// A stuck episode of a learner or a concept: when it started and, once the learner (concept)
    /// recovered, when it ended ("unstuck").
    #[table = "review_stuck_episodes", step = "review_schedule", key = [scope, subject_id, episode]]
    pub struct StuckEpisode {
        /// `learner` or `concept`.
        pub scope: String,
        /// The learner's student id or the concept's card id.
        pub subject_id: String,
        /// Episode id: its start time (RFC 3339), part of the alert's dedupe key.
        pub episode: String,
        /// When it started.
        pub started_at: DateTime<Utc>,
        /// When it ended (`None` while it lasts).
        pub ended_at: Option<DateTime<Utc>>,
        /// `stuck` while it lasts, `unstuck` once recovered.
        pub status: String,
    }
}

fn episode_rows(scope: &str, subject: &str, ivs: &[Interval]) -> Vec<StuckEpisode> {
    ivs.iter()
        .map(|iv| StuckEpisode {
            scope: scope.to_string(),
            subject_id: subject.to_string(),
            episode: format_datetime(&iv.start),
            started_at: iv.start,
            ended_at: iv.end,
            status: if iv.end.is_some() { "unstuck" } else { "stuck" }.to_string(),
        })
        .collect()
}

crate::result_table! {
    /// Reviews due on one day of the forecast window.
    #[table = "review_forecast", step = "review_schedule", key = [date]]
    pub struct ReviewForecastDay {
        /// The day (UTC); the first day also counts the overdue reviews.
        pub date: NaiveDate,
        /// Reviews due that day.
        pub due: u32,
    }
}

crate::result_table! {
    /// The spaced-repetition headline of one run (one row per run).
    #[table = "review_summary", step = "review_schedule", key = []]
    pub struct ReviewSummary {
        /// Learners with at least one review.
        pub learners: u64,
        /// Learner–card pairs.
        pub cards: u64,
        /// Cards due at `as_of`, over all learners.
        pub due_now: u64,
        /// Learners flagged stuck.
        pub stuck_learners: u64,
        /// Concepts flagged stuck.
        pub stuck_concepts: u64,
        /// Mean retrievability of every card at `as_of` (0 without cards).
        pub mean_retention: f64,
    }
}

const DAY: i64 = 86_400;

/// Replay the reviews up to `as_of` and decide the schedule.
pub fn review_schedule(
    reviews: &[Review],
    as_of: DateTime<Utc>,
    params: &ScheduleParams,
) -> Result<ReviewSchedule> {
    params.validate()?;
    let fsrs = Fsrs::new(params.fsrs.clone())?;
    let mut by_pair: BTreeMap<(&str, &str), Vec<&Review>> = BTreeMap::new();
    for r in reviews.iter().filter(|r| r.at <= as_of) {
        by_pair
            .entry((r.student_id.as_str(), r.card_id.as_str()))
            .or_default()
            .push(r);
    }
    // Each learner's target retention from their recent reviews (a card's first review excluded).
    let mut history: BTreeMap<&str, Vec<ReviewMark>> = BTreeMap::new();
    for ((student, _), rs) in by_pair.iter_mut() {
        rs.sort_by_key(|r| r.at);
        let h = history.entry(student).or_default();
        h.extend(rs.iter().enumerate().map(|(k, r)| (r.at, r.rating, k == 0)));
    }
    let targets: Vec<LearnerTarget> = history
        .into_iter()
        .map(|(student, h)| {
            let t = target_retention(h, as_of, params.fsrs.desired_retention, &params.adapt);
            LearnerTarget {
                student_id: student.to_string(),
                recent_reviews: t.recent_reviews,
                recent_successes: t.recent_successes,
                target_retention: t.retention,
            }
        })
        .collect();
    let target_of: BTreeMap<&str, f64> = targets
        .iter()
        .map(|t| (t.student_id.as_str(), t.target_retention))
        .collect();
    let mut cards = Vec::with_capacity(by_pair.len());
    // Per card status: (first review, stuck intervals).
    let mut pair_ivs: Vec<(DateTime<Utc>, Vec<Interval>)> = Vec::with_capacity(by_pair.len());
    let rule = PairRule {
        min_lapses: params.stuck_min_lapses,
        window: Duration::days(params.stuck_window_days as i64),
        recover_successes: params.stuck_recover_successes,
    };
    for ((student, card), rs) in by_pair {
        let mut st: Option<MemoryState> = None;
        let mut last = rs[0].at;
        let mut lapses = 0;
        for r in &rs {
            let g = Rating::from_u8(r.rating)?;
            let days = ((r.at - last).num_seconds().div_euclid(DAY)) as f64;
            if st.is_some() && g == Rating::Again {
                lapses += 1;
            }
            st = Some(fsrs.next_state(st, days, g)?);
            last = r.at;
        }
        let Some(memory) = st else { continue };
        let hist: Vec<(DateTime<Utc>, u8)> = rs.iter().map(|r| (r.at, r.rating)).collect();
        let ivs = pair_intervals(&hist, as_of, rule);
        let stuck_since = ivs.last().filter(|iv| iv.end.is_none()).map(|iv| iv.start);
        pair_ivs.push((rs[0].at, ivs));
        let ivl = match target_of.get(student) {
            Some(&r) => fsrs.next_interval_for(memory.stability, r)?,
            None => fsrs.next_interval(memory.stability),
        };
        let elapsed = ((as_of - last).num_seconds().max(0) / DAY) as f64;
        cards.push(CardStatus {
            student_id: student.to_string(),
            card_id: card.to_string(),
            memory,
            last_review: last,
            due: last + Duration::days(ivl as i64),
            retrievability: fsrs.retrievability(memory.stability, elapsed)?,
            reviews: rs.len() as u32,
            lapses,
            stuck_since,
        });
    }
    let mut episodes = Vec::new();
    // Local day numbers: only differences and the first day's date are used.
    let clock = &params.clock;
    let day_of = |t: DateTime<Utc>| i64::from(clock.date(t).num_days_from_ce());
    let today = day_of(as_of);
    // Per learner.
    let mut learners = Vec::new();
    let mut i = 0;
    while i < cards.len() {
        let mut j = i;
        while j < cards.len() && cards[j].student_id == cards[i].student_id {
            j += 1;
        }
        let mine = &cards[i..j];
        let table = CardTable {
            stability: mine.iter().map(|c| c.memory.stability).collect(),
            last_review_day: mine.iter().map(|c| day_of(c.last_review)).collect(),
            due_day: mine.iter().map(|c| day_of(c.due)).collect(),
        };
        let queue = due_queue(&fsrs, &table, today, &params.queue)?
            .into_iter()
            .map(|k| mine[k].card_id.clone())
            .collect();
        let due_now = mine.iter().filter(|c| c.due <= as_of).count();
        let earliest = mine.iter().map(|c| c.due).min();
        let stuck_cards: Vec<String> = mine
            .iter()
            .filter(|c| c.stuck_since.is_some())
            .map(|c| c.card_id.clone())
            .collect();
        let members: Vec<(DateTime<Utc>, &[Interval])> =
            pair_ivs[i..j].iter().map(|(f, v)| (*f, &v[..])).collect();
        let eps = group_episodes(
            &members,
            GroupRule {
                min_members: 1,
                min_stuck: params.stuck_learner_min_cards,
                share: params.stuck_learner_share,
            },
        );
        let stuck = eps.last().is_some_and(|e| e.end.is_none());
        episodes.extend(episode_rows("learner", &mine[0].student_id, &eps));
        learners.push(LearnerSchedule {
            student_id: mine[0].student_id.clone(),
            cards: mine.len(),
            due_now,
            queue,
            due_7d: mine
                .iter()
                .filter(|c| c.due <= clock.add_days(as_of, 7))
                .count(),
            next_reminder: earliest.map(|e| e.max(as_of)),
            mean_retention: mine.iter().map(|c| c.retrievability).sum::<f64>() / mine.len() as f64,
            stuck,
            stuck_cards,
        });
        i = j;
    }
    // Per concept.
    let mut by_card: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (k, c) in cards.iter().enumerate() {
        by_card.entry(c.card_id.as_str()).or_default().push(k);
    }
    let concepts: Vec<ConceptStats> = by_card
        .into_iter()
        .map(|(card, ks)| {
            let cs: Vec<&CardStatus> = ks.iter().map(|&k| &cards[k]).collect();
            let n = cs.len();
            let stuck_learners = cs.iter().filter(|c| c.stuck_since.is_some()).count();
            let members: Vec<(DateTime<Utc>, &[Interval])> = ks
                .iter()
                .map(|&k| (pair_ivs[k].0, &pair_ivs[k].1[..]))
                .collect();
            let eps = group_episodes(
                &members,
                GroupRule {
                    min_members: params.stuck_concept_min_learners,
                    min_stuck: 1,
                    share: params.stuck_concept_share,
                },
            );
            episodes.extend(episode_rows("concept", card, &eps));
            let later: u32 = cs.iter().map(|c| c.reviews - 1).sum();
            let lapses: u32 = cs.iter().map(|c| c.lapses).sum();
            ConceptStats {
                card_id: card.to_string(),
                learners: n,
                mean_difficulty: cs.iter().map(|c| c.memory.difficulty).sum::<f64>() / n as f64,
                mean_retention: cs.iter().map(|c| c.retrievability).sum::<f64>() / n as f64,
                lapse_rate: if later == 0 {
                    0.0
                } else {
                    lapses as f64 / later as f64
                },
                stuck_learners,
                stuck: eps.last().is_some_and(|e| e.end.is_none()),
            }
        })
        .collect();
    let due_days: Vec<i64> = cards.iter().map(|c| day_of(c.due)).collect();
    let forecast = workload_forecast(&due_days, today, params.forecast_days)
        .into_iter()
        .enumerate()
        .map(|(k, n)| {
            let d = clock.date(as_of) + Duration::days(k as i64);
            ReviewForecastDay { date: d, due: n }
        })
        .collect();
    Ok(ReviewSchedule {
        as_of,
        cards,
        learners,
        targets,
        concepts,
        forecast,
        episodes,
    })
}

impl ReviewSchedule {
    /// The headline numbers.
    pub fn summary_row(&self) -> ReviewSummary {
        ReviewSummary {
            learners: self.learners.len() as u64,
            cards: self.cards.len() as u64,
            due_now: self.learners.iter().map(|l| l.due_now as u64).sum(),
            stuck_learners: self.learners.iter().filter(|l| l.stuck).count() as u64,
            stuck_concepts: self.concepts.iter().filter(|c| c.stuck).count() as u64,
            mean_retention: if self.cards.is_empty() {
                0.0
            } else {
                self.cards.iter().map(|c| c.retrievability).sum::<f64>() / self.cards.len() as f64
            },
        }
    }

    /// The result tables: `review_summary`, `review_learners`, `review_targets`,
    /// `review_concepts`, `review_forecast` and `review_stuck_episodes`.
    pub fn to_results(&self) -> Vec<ResultSet> {
        vec![
            ResultSet::of(self.as_of, &[self.summary_row()]),
            ResultSet::of(self.as_of, &self.learners),
            ResultSet::of(self.as_of, &self.targets),
            ResultSet::of(self.as_of, &self.concepts),
            ResultSet::of(self.as_of, &self.forecast),
            ResultSet::of(self.as_of, &self.episodes),
        ]
    }

    /// A JSON summary.
    pub fn summary(&self) -> serde_json::Value {
        serde_json::to_value(self.summary_row()).unwrap_or_default()
    }

    /// The open episode of a learner or a concept (`scope` `learner` / `concept`).
    pub fn open_episode(&self, scope: &str, subject: &str) -> Option<&StuckEpisode> {
        self.episodes
            .iter()
            .rev()
            .find(|e| e.scope == scope && e.subject_id == subject && e.ended_at.is_none())
    }

    /// Alerts: one per stuck concept and one per stuck learner. The dedupe key names the concept or
    /// learner and the episode (its start), so the same episode never alerts twice (re-runs,
    /// following days) and a new episode after a recovery alerts again.
    pub fn notifications(&self) -> Vec<Notification> {
        let mut out = Vec::new();
        let ep = |scope: &str, id: &str| {
            self.open_episode(scope, id)
                .map(|e| e.episode.clone())
                .unwrap_or_default()
        };
        for c in self.concepts.iter().filter(|c| c.stuck) {
            out.push(Notification {
                dedupe_key: format!(
                    "repetition:stuck_concept:{}:{}",
                    c.card_id,
                    ep("concept", &c.card_id)
                ),
                kind: "stuck_concept".to_string(),
                severity: Severity::Medium,
                title: format!("Concept {} is stuck", c.card_id),
                body: format!(
                    "{} of {} learners keep forgetting concept {} (lapse rate {:.0} %, mean retention {:.0} %).",
                    c.stuck_learners,
                    c.learners,
                    c.card_id,
                    100.0 * c.lapse_rate,
                    100.0 * c.mean_retention
                ),
                payload: serde_json::to_value(c).unwrap_or_default(),
                created_at: self.as_of,
            });
        }
        for l in self.learners.iter().filter(|l| l.stuck) {
            out.push(Notification {
                dedupe_key: format!(
                    "repetition:stuck_learner:{}:{}",
                    l.student_id,
                    ep("learner", &l.student_id)
                ),
                kind: "stuck_learner".to_string(),
                severity: Severity::Low,
                title: format!("Learner {} is stuck", l.student_id),
                body: format!(
                    "Learner {} keeps forgetting {} concepts: {}.",
                    l.student_id,
                    l.stuck_cards.len(),
                    l.stuck_cards.join(", ")
                ),
                payload: serde_json::json!({
                    "student_id": l.student_id,
                    "stuck_cards": l.stuck_cards,
                    "episode": ep("learner", &l.student_id),
                    "mean_retention": l.mean_retention,
                    "next_reminder": l.next_reminder.map(|t| format_datetime(&t)),
                }),
                created_at: self.as_of,
            });
        }
        out
    }
}

/// The job step writing `review_schedule`.
#[derive(Debug, Clone, Default)]
pub struct ReviewScheduleStep {
    /// Parameters.
    pub config: ScheduleParams,
}

impl Step for ReviewScheduleStep {
    fn name(&self) -> &str {
        "review_schedule"
    }

    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput> {
        let s = review_schedule(&tables.reviews, as_of, &self.config)?;
        let mut notifications = s.notifications();
        tag_concepts(&mut notifications, tables);
        Ok(StepOutput {
            results: s.to_results(),
            notifications,
            summary: s.summary(),
        })
    }
}

/// Name the concepts of the stuck cards (from `card_concepts`, names from `concepts`) in the
/// stuck alerts: `stuck_concepts` in a learner's payload, `concepts` in a card's, and a sentence
/// in the body. The dedupe keys do not change. Without `card_concepts` nothing changes.
fn tag_concepts(notifications: &mut [Notification], tables: &Tables) {
    if tables.card_concepts.is_empty() {
        return;
    }
    let mut of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for m in &tables.card_concepts {
        of.entry(m.card_id.as_str())
            .or_default()
            .push(m.concept_id.as_str());
    }
    let names: BTreeMap<&str, &str> = tables
        .concepts
        .iter()
        .map(|c| (c.concept_id.as_str(), c.name.as_str()))
        .collect();
    for n in notifications.iter_mut() {
        let cards: Vec<String> = match n.kind.as_str() {
            "stuck_learner" => n.payload["stuck_cards"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            "stuck_concept" => n.payload["card_id"]
                .as_str()
                .map(|c| vec![c.to_string()])
                .unwrap_or_default(),
            _ => continue,
        };
        let concepts: std::collections::BTreeSet<&str> = cards
            .iter()
            .filter_map(|c| of.get(c.as_str()))
            .flatten()
            .copied()
            .collect();
        if concepts.is_empty() {
            continue;
        }
        let field = if n.kind == "stuck_learner" {
            "stuck_concepts"
        } else {
            "concepts"
        };
        if let Some(obj) = n.payload.as_object_mut() {
            obj.insert(field.to_string(), serde_json::json!(concepts));
        }
        let shown: Vec<String> = concepts
            .iter()
            .map(|c| match names.get(c) {
                Some(name) if !name.is_empty() && name != c => format!("{name} ({c})"),
                _ => c.to_string(),
            })
            .collect();
        n.body
            .push_str(&format!(" Concepts: {}.", shown.join(", ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn rev(s: &str, c: &str, day: i64, rating: u8) -> Review {
        let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).unwrap();
        Review {
            student_id: s.into(),
            card_id: c.into(),
            at: t0 + Duration::days(day),
            rating,
            duration_ms: None,
        }
    }

    #[test]
    fn schedule_follows_fsrs_and_flags_stuck() {
        let mut reviews = vec![];
        // Four learners fail card "hard" repeatedly; everyone knows "easy".
        for s in ["a", "b", "c", "d"] {
            reviews.push(rev(s, "easy", 0, 3));
            reviews.push(rev(s, "easy", 2, 3));
            for (k, d) in [0, 1, 2, 3, 4].iter().enumerate() {
                reviews.push(rev(s, "hard", *d, if k == 0 { 3 } else { 1 }));
            }
        }
        let as_of = Utc.with_ymd_and_hms(2024, 1, 6, 0, 0, 0).unwrap();
        let p = ScheduleParams {
            stuck_learner_min_cards: 1,
            stuck_concept_min_learners: 4,
            ..ScheduleParams::default()
        };
        let s = review_schedule(&reviews, as_of, &p).unwrap();
        assert_eq!(s.learners.len(), 4);
        let f = Fsrs::default();
        let want = f
            .replay(&[3, 3], &[0.0, 2.0])
            .unwrap()
            .last()
            .unwrap()
            .stability;
        let easy = s.cards.iter().find(|c| c.card_id == "easy").unwrap();
        assert_eq!(easy.memory.stability, want);
        let hard = s.concepts.iter().find(|c| c.card_id == "hard").unwrap();
        assert!(hard.stuck && hard.stuck_learners == 4 && hard.lapse_rate == 1.0);
        assert!(
            !s.concepts
                .iter()
                .find(|c| c.card_id == "easy")
                .unwrap()
                .stuck
        );
        let n = s.notifications();
        assert_eq!(n.iter().filter(|x| x.kind == "stuck_concept").count(), 1);
        assert_eq!(n.iter().filter(|x| x.kind == "stuck_learner").count(), 4);
        // Same keys the next day: the outbox deduplicates the episode.
        let s2 = review_schedule(&reviews, as_of + Duration::days(1), &p).unwrap();
        let k1: Vec<_> = n.iter().map(|x| &x.dedupe_key).collect();
        let n2 = s2.notifications();
        let k2: Vec<_> = n2.iter().map(|x| &x.dedupe_key).collect();
        assert_eq!(k1, k2);
        // Reminder: the hard card (S tiny, 1-day interval after day 4 09:00) is due at 09:00 today.
        let hard_a = s
            .cards
            .iter()
            .find(|c| c.card_id == "hard" && c.student_id == "a")
            .unwrap();
        assert_eq!(
            hard_a.due,
            Utc.with_ymd_and_hms(2024, 1, 6, 9, 0, 0).unwrap()
        );
        assert_eq!(s.learners[0].next_reminder, Some(hard_a.due));
        let later = review_schedule(&reviews, hard_a.due + Duration::hours(1), &p).unwrap();
        assert_eq!(
            later.learners[0].next_reminder,
            Some(hard_a.due + Duration::hours(1))
        );
        assert_eq!(s.learners[0].queue[0], "hard");
        let total: u32 = s.forecast.iter().map(|x| x.due).sum();
        assert!(total as usize <= s.cards.len());
    }

    #[test]
    fn recover_then_stuck_again_alerts_once_per_episode() {
        let p = ScheduleParams {
            stuck_learner_min_cards: 1,
            ..ScheduleParams::default()
        };
        // Stuck on day 3 (third lapse), recovered on day 5 (two passes), stuck again on day 8.
        let ratings = [3, 1, 1, 1, 3, 3, 1, 1, 1];
        let reviews: Vec<Review> = ratings
            .iter()
            .enumerate()
            .map(|(d, &g)| rev("a", "x", d as i64, g))
            .collect();
        let at = |d: i64| Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap() + Duration::days(d);
        let keys = |d: i64| -> Vec<String> {
            review_schedule(&reviews, at(d), &p)
                .unwrap()
                .notifications()
                .into_iter()
                .filter(|n| n.kind == "stuck_learner")
                .map(|n| n.dedupe_key)
                .collect()
        };
        let first = keys(3);
        assert_eq!(first.len(), 1);
        assert_eq!(keys(4), first, "same episode, same key");
        assert!(keys(5).is_empty(), "recovered");
        let s5 = review_schedule(&reviews, at(5), &p).unwrap();
        assert!(!s5.learners[0].stuck && s5.learners[0].stuck_cards.is_empty());
        let e = s5.episodes.iter().find(|e| e.scope == "learner").unwrap();
        assert_eq!(e.status, "unstuck");
        assert_eq!(e.ended_at, Some(reviews[5].at));
        let again = keys(8);
        assert_eq!(again.len(), 1);
        assert_ne!(again, first, "a new episode alerts again");
        let s8 = review_schedule(&reviews, at(8), &p).unwrap();
        let eps: Vec<_> = s8
            .episodes
            .iter()
            .filter(|e| e.scope == "learner")
            .collect();
        assert_eq!(eps.len(), 2);
        assert_eq!(eps[1].status, "stuck");
        assert_eq!(eps[1].started_at, reviews[8].at);
        // Nothing more for 30 days: the lapses age out of the window and the learner is unstuck
        // (30 days after the first lapse of the three).
        let s40 = review_schedule(&reviews, at(40), &p).unwrap();
        assert!(!s40.learners[0].stuck);
        let last = s40.episodes.iter().rfind(|e| e.scope == "learner").unwrap();
        assert_eq!(last.ended_at, Some(reviews[6].at + Duration::days(30)));
        // Lapses over all history no longer make a learner stuck: three lapses 40 days apart.
        let spread: Vec<Review> = [(0, 3), (1, 1), (41, 1), (81, 1)]
            .iter()
            .map(|&(d, g)| rev("b", "y", d, g))
            .collect();
        let s = review_schedule(&spread, at(82), &p).unwrap();
        assert!(!s.learners[0].stuck && s.episodes.is_empty());
    }

    #[test]
    fn intervals_follow_each_learners_target_retention() {
        // Same history on card "x"; "weak" forgets its other cards, "strong" recalls them.
        let mut reviews = vec![];
        for s in ["weak", "strong"] {
            reviews.push(rev(s, "x", 0, 3));
            reviews.push(rev(s, "x", 3, 3));
            for c in 0..10 {
                let card = format!("c{c}");
                reviews.push(rev(s, &card, 0, 3));
                reviews.push(rev(s, &card, 2, if s == "weak" { 1 } else { 3 }));
                reviews.push(rev(s, &card, 4, if s == "weak" { 1 } else { 4 }));
            }
        }
        let as_of = Utc.with_ymd_and_hms(2024, 1, 6, 0, 0, 0).unwrap();
        let p = ScheduleParams::default();
        let s = review_schedule(&reviews, as_of, &p).unwrap();
        let target = |who: &str| {
            s.targets
                .iter()
                .find(|t| t.student_id == who)
                .unwrap()
                .clone()
        };
        // weak: 21 recent reviews (x's second and 20 lapses), 1 recalled:
        // s = (1 + 18) / 41, R = 0.9 − (19/41 − 0.9) → clamped to 0.95.
        let (w, st) = (target("weak"), target("strong"));
        assert_eq!((w.recent_reviews, w.recent_successes), (21, 1));
        assert_eq!(w.target_retention, 0.95);
        // strong: 21 of 21: s = 39/41, R = 0.9 − (39/41 − 0.9).
        assert_eq!(st.recent_successes, 21);
        assert!((st.target_retention - (1.8 - 39.0 / 41.0)).abs() < 1e-12);
        let x = |who: &str| {
            s.cards
                .iter()
                .find(|c| c.student_id == who && c.card_id == "x")
                .unwrap()
                .clone()
        };
        let f = Fsrs::default();
        for (who, t) in [("weak", &w), ("strong", &st)] {
            let c = x(who);
            let ivl = f
                .next_interval_for(c.memory.stability, t.target_retention)
                .unwrap();
            assert_eq!(c.due, c.last_review + Duration::days(ivl as i64), "{who}");
        }
        assert!(x("weak").due < x("strong").due);
        assert_eq!(x("weak").memory, x("strong").memory);
        // Off: both follow the configured desired retention.
        let off = ScheduleParams {
            adapt: AdaptParams {
                enabled: false,
                ..AdaptParams::default()
            },
            ..ScheduleParams::default()
        };
        let s = review_schedule(&reviews, as_of, &off).unwrap();
        assert!(s.targets.iter().all(|t| t.target_retention == 0.9));
        let c = s.cards.iter().find(|c| c.card_id == "x").unwrap();
        let ivl = f.next_interval(c.memory.stability);
        assert_eq!(c.due, c.last_review + Duration::days(ivl as i64));
        assert_eq!(
            f.next_interval_for(c.memory.stability, 0.9).unwrap(),
            ivl,
            "the same interval at the configured retention"
        );
    }

    #[test]
    fn stuck_alerts_name_the_concepts_of_mapped_cards() {
        use crate::model::{CardConcept, Concept};
        let p = ScheduleParams {
            stuck_learner_min_cards: 1,
            stuck_concept_min_learners: 1,
            ..ScheduleParams::default()
        };
        let reviews: Vec<Review> = [3, 1, 1, 1]
            .iter()
            .enumerate()
            .map(|(d, &g)| rev("a", "x", d as i64, g))
            .collect();
        let mut tables = Tables {
            reviews,
            ..Tables::default()
        };
        let as_of = Utc.with_ymd_and_hms(2024, 1, 5, 0, 0, 0).unwrap();
        let step = ReviewScheduleStep { config: p };
        let plain = step.run(&tables, as_of).unwrap().notifications;
        assert_eq!(plain.len(), 2);
        assert!(plain.iter().all(|n| !n.body.contains("Concepts")));
        tables.concepts = vec![Concept {
            concept_id: "funcs".into(),
            name: "Funciones".into(),
            prerequisite_ids: None,
        }];
        tables.card_concepts = vec![CardConcept {
            card_id: "x".into(),
            concept_id: "funcs".into(),
        }];
        let tagged = step.run(&tables, as_of).unwrap().notifications;
        let learner = tagged.iter().find(|n| n.kind == "stuck_learner").unwrap();
        assert_eq!(
            learner.payload["stuck_concepts"],
            serde_json::json!(["funcs"])
        );
        assert!(learner.body.ends_with("Concepts: Funciones (funcs)."));
        let card = tagged.iter().find(|n| n.kind == "stuck_concept").unwrap();
        assert_eq!(card.payload["concepts"], serde_json::json!(["funcs"]));
        let keys = |v: &[Notification]| v.iter().map(|n| n.dedupe_key.clone()).collect::<Vec<_>>();
        assert_eq!(keys(&tagged), keys(&plain), "same episodes, same keys");
    }

    #[test]
    fn bad_params_are_named() {
        let p = ScheduleParams {
            stuck_concept_share: 0.0,
            ..ScheduleParams::default()
        };
        let e = review_schedule(&[], Utc::now(), &p).unwrap_err();
        assert!(e.to_string().contains("stuck_concept_share"));
    }
}
