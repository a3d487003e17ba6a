//! Feedback: what attendees wrote about a webinar (the `feedback` table: chat lines, questions,
//! survey answers, reviews) and how they felt about it.
//!
//! - [`sentiment`]: an offline Spanish lexicon scorer — a score in [−1, 1] and a positive /
//!   neutral / negative label (cut-offs ±0.1 by default, the source's) for any text, with
//!   negation scope, intensifiers and diminishers, emoji, laughter and exclamation; empty text is
//!   neutral, very long text is scored in bounded time, text in another language is flagged
//!   low-coverage. No model download: the lexicon (MIT, from `@nlpjs/lang-es`) is embedded.
//!
//! It decides nothing by itself: it turns free text into numbers that the per-webinar outcomes,
//! the live timeline and the testimonial candidates read.

mod lexicon;
pub mod sentiment;
#[cfg(test)]
mod tests;

pub use sentiment::{
    score, score_all, score_with, Sentiment, SentimentLabel, SentimentParams, MAX_SCORED_BYTES,
};
