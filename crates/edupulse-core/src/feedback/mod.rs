//! Feedback: what attendees wrote about a webinar (the `feedback` table: chat lines, questions,
//! survey answers, reviews) and how they felt about it.
//!
//! - [`sentiment`]: an offline Spanish lexicon scorer — a score in [−1, 1] and a positive /
//!   neutral / negative label (cut-offs ±0.1 by default, the source's) for any text, with
//!   negation scope, intensifiers and diminishers, emoji, laughter and exclamation; empty text is
//!   neutral, very long text is scored in bounded time, text in another language is flagged
//!   low-coverage. No model download: the lexicon (MIT, from `@nlpjs/lang-es`) is embedded.
//! - [`model`]: the trainable [`SentimentModel`] a team fits on its own labelled feedback
//!   (hashed word and character n-grams plus the lexicon score, a calibrated multinomial
//!   logistic regression from `edupulse-learn`).
//!
//! - [`terms`]: the distinctive terms of a webinar's feedback against all feedback (weighted
//!   log-odds, Spanish stop words) and questions grouped by the terms they share;
//! - [`outcomes`]: what each ended webinar achieved (`webinar_outcomes`: funnel, engagement,
//!   conversions and revenue within a window, rating, sentiment shares, top terms) and whether
//!   its attendance fell below the source's 30 % floor;
//! - [`testimonials`]: people worth asking for a testimonial (positive, rated ≥ 4, certified or
//!   converted), asked once each through the outbox;
//! - [`timeline`]: the live timeline of a webinar in progress (messages and sentiment per
//!   minute from the rows so far), and the stored one of each ended webinar
//!   (`webinar_timeline`);
//! - [`comments`]: the comments quoted on a webinar's page (`webinar_comments`: its most
//!   positive and most negative feedback, its most asked question groups);
//! - [`step`]: the `feedback` job step (`[job.feedback]`), with a deduplicated alert per webinar
//!   below the floor.

pub mod comments;
mod features;
#[cfg(test)]
mod features_reference;
mod lexicon;
pub mod model;
pub mod outcomes;
#[cfg(test)]
mod reference;
pub mod sentiment;
pub mod step;
pub mod terms;
pub mod testimonials;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_model;
#[cfg(test)]
mod tests_outcomes;
#[cfg(test)]
mod tests_testimonials;
#[cfg(test)]
mod tests_webinar_page;
pub mod timeline;
mod words;

pub use comments::{webinar_comments, WebinarCommentRow};
pub use model::{SentimentModel, SentimentModelParams};
pub use outcomes::{scored_feedback, webinar_outcomes, WebinarOutcomeRow};
pub use sentiment::{
    score, score_all, score_columns, score_columns_bytes, score_with, Sentiment, SentimentColumns,
    SentimentLabel, SentimentParams, MAX_SCORED_BYTES,
};
pub use step::{FeedbackConfig, FeedbackStep};
pub use terms::{distinctive_terms, group_questions, QuestionGroup};
pub use testimonials::{testimonial_candidates, testimonial_requests, TestimonialRow};
pub use timeline::{live_timeline, webinar_timeline, TimelineMinute, WebinarMinuteRow};
