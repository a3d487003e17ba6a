//! The comments worth reading on a webinar's page (`webinar_comments`): per ended webinar its
//! most positive and most negative feedback and the questions attendees asked most, grouped by
//! the terms they share.
//!
//! - **positive** rows: the feedback labelled positive by the lexicon scorer (any kind: chat,
//!   question, survey, review), highest score first; ties by time (earliest first), then by
//!   `feedback_id`. At most [`TOP_COMMENTS`].
//! - **negative** rows: the feedback labelled negative, lowest score first, same ties, at most
//!   [`TOP_COMMENTS`].
//! - **question** rows: the webinar's `question` rows grouped by [`group_questions`] (each
//!   question joins its most shared term); the [`QUESTION_GROUPS`] largest groups that share a
//!   term, each quoted by its earliest question, with the term and the group's size.
//!
//! Texts are cut to their first [`COMMENT_CHARS`] characters, with "…" when cut (a page quotes,
//! it does not archive; the whole text stays in `feedback`).

use super::sentiment::{Sentiment, SentimentLabel};
use super::terms::group_questions;
use crate::model::{Feedback, FeedbackKind};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

/// Positive and negative comments kept per webinar (each).
pub const TOP_COMMENTS: usize = 5;
/// Question groups kept per webinar.
pub const QUESTION_GROUPS: usize = 5;
/// Characters of a comment's text kept (then "…").
pub const COMMENT_CHARS: usize = 280;

crate::result_table! {
    /// One comment quoted on an ended webinar's page: among its most positive or most negative
    /// feedback, or the first question of one of its most asked question groups.
    #[table = "webinar_comments", step = "feedback", key = [webinar_id, kind, rank]]
    pub struct WebinarCommentRow {
        /// Webinar id.
        pub webinar_id: String,
        /// `positive`, `negative` or `question`.
        pub kind: String,
        /// 1 = the most positive / most negative comment, or the largest question group.
        pub rank: u32,
        /// The feedback row quoted.
        pub feedback_id: String,
        /// Who wrote it.
        pub person_id: String,
        /// When.
        pub at: DateTime<Utc>,
        /// Its feedback kind: `chat`, `question`, `survey` or `review`.
        pub source: String,
        /// What they wrote: its first 280 characters, "…" when cut.
        pub text: String,
        /// Its lexicon sentiment score, in [−1, 1].
        pub score: f64,
        /// Its 1–5 rating, if any.
        pub rating: Option<u8>,
        /// Question rows: the term the group shares (NULL for positive / negative rows).
        pub term: Option<String>,
        /// Question rows: how many questions the group holds (NULL for positive / negative rows).
        pub questions: Option<u64>,
    }
}

/// The first `max` characters of `text`, with "…" when cut.
pub(crate) fn quote(text: &str, max: usize) -> String {
    let mut q: String = text.chars().take(max).collect();
    if text.chars().nth(max).is_some() {
        q.push('…');
    }
    q
}

fn row(w: &str, kind: &str, rank: usize, f: &Feedback, s: &Sentiment) -> WebinarCommentRow {
    WebinarCommentRow {
        webinar_id: w.to_string(),
        kind: kind.to_string(),
        rank: u32::try_from(rank).unwrap_or(u32::MAX),
        feedback_id: f.feedback_id.clone(),
        person_id: f.person_id.clone(),
        at: f.at,
        source: f.kind.as_str().to_string(),
        text: quote(&f.text, COMMENT_CHARS),
        score: s.score,
        rating: f.rating,
        term: None,
        questions: None,
    }
}

/// The comments of each webinar of `webinars` (ended webinars, in the order given) from
/// `scored` feedback (see the module doc); feedback about other webinars is ignored.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use edupulse_core::feedback::comments::webinar_comments;
/// use edupulse_core::feedback::{score, Sentiment};
/// use edupulse_core::model::{Feedback, FeedbackKind};
/// let at = Utc.with_ymd_and_hms(2025, 3, 4, 17, 5, 0).unwrap();
/// let f = |id: &str, text: &str| Feedback {
///     feedback_id: id.into(), webinar_id: "w1".into(), person_id: "p1".into(), at,
///     kind: FeedbackKind::Chat, text: text.into(), rating: None,
/// };
/// let rows = [f("f1", "¡Excelente clase!"), f("f2", "Muy aburrido"), f("f3", "hola")];
/// let scored: Vec<(&Feedback, Sentiment)> = rows.iter().map(|r| (r, score(&r.text))).collect();
/// let c = webinar_comments(&["w1"], &scored);
/// assert_eq!(c.iter().map(|r| (r.kind.as_str(), r.feedback_id.as_str())).collect::<Vec<_>>(),
///            [("positive", "f1"), ("negative", "f2")]);
/// ```
pub fn webinar_comments<W: AsRef<str>>(
    webinars: &[W],
    scored: &[(&Feedback, Sentiment)],
) -> Vec<WebinarCommentRow> {
    let wanted: HashSet<&str> = webinars.iter().map(AsRef::as_ref).collect();
    let mut by_webinar: HashMap<&str, Vec<(&Feedback, &Sentiment)>> = HashMap::new();
    for (f, s) in scored {
        if wanted.contains(f.webinar_id.as_str()) {
            by_webinar
                .entry(f.webinar_id.as_str())
                .or_default()
                .push((f, s));
        }
    }
    let mut out = Vec::new();
    for w in webinars {
        let w = w.as_ref();
        let Some(rows) = by_webinar.get(w) else {
            continue;
        };
        let time_then_id = |a: &(&Feedback, &Sentiment), b: &(&Feedback, &Sentiment)| {
            a.0.at
                .cmp(&b.0.at)
                .then_with(|| a.0.feedback_id.cmp(&b.0.feedback_id))
        };
        let mut positive: Vec<_> = rows
            .iter()
            .copied()
            .filter(|r| r.1.label == SentimentLabel::Positive)
            .collect();
        positive.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then(time_then_id(a, b)));
        for (i, (f, s)) in positive.into_iter().take(TOP_COMMENTS).enumerate() {
            out.push(row(w, "positive", i + 1, f, s));
        }
        let mut negative: Vec<_> = rows
            .iter()
            .copied()
            .filter(|r| r.1.label == SentimentLabel::Negative)
            .collect();
        negative.sort_by(|a, b| a.1.score.total_cmp(&b.1.score).then(time_then_id(a, b)));
        for (i, (f, s)) in negative.into_iter().take(TOP_COMMENTS).enumerate() {
            out.push(row(w, "negative", i + 1, f, s));
        }
        let mut questions: Vec<_> = rows
            .iter()
            .copied()
            .filter(|r| r.0.kind == FeedbackKind::Question)
            .collect();
        questions.sort_by(time_then_id);
        let texts: Vec<&str> = questions.iter().map(|q| q.0.text.as_str()).collect();
        let groups = group_questions(&texts);
        for (i, g) in groups
            .iter()
            .filter(|g| !g.term.is_empty())
            .take(QUESTION_GROUPS)
            .enumerate()
        {
            // Positions are in input order, which is time order: the first is the earliest.
            let Some((f, s)) = g.questions.first().and_then(|&k| questions.get(k)) else {
                continue;
            };
            let mut r = row(w, "question", i + 1, f, s);
            r.term = Some(g.term.clone());
            r.questions = Some(g.questions.len() as u64);
            out.push(r);
        }
    }
    out
}
