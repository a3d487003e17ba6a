//! Testimonials worth asking for (the source's social proof: collect testimonials after
//! certification).
//!
//! A **candidate** is a person who wrote positive feedback — lexicon label positive *and* a
//! rating ≥ `testimonial_min_rating` (4) — and who has certified (a `certificate` activity) or
//! converted (a purchase, or a `purchase` lead event), all at or before `as_of`. One row per
//! person, quoting their best such feedback (highest score, then rating, then latest). The
//! person **qualified** when both were true: the later of that feedback and their first
//! certificate or purchase.
//!
//! The step asks each candidate once: one outbox request (severity low: the in-app inbox) with
//! dedupe key `feedback:testimonial:<person_id>`, raised while the qualification is at most
//! `testimonial_lookback_days` old. The outbox keeps the key, so a person is never asked twice,
//! whatever later feedback they write.

use super::comments::quote;
use super::outcomes::Buys;
use super::sentiment::{Sentiment, SentimentLabel};
use super::step::FeedbackConfig;
use crate::error::Result;
use crate::model::{format_datetime, ActivityKind, Feedback, Tables};
use crate::results::{Notification, Severity};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap};

crate::result_table! {
    /// A person worth asking for a testimonial, with the feedback to quote.
    #[table = "testimonial_candidates", step = "feedback", key = [person_id]]
    pub struct TestimonialRow {
        /// The person (`feedback.person_id`).
        pub person_id: String,
        /// The feedback quoted.
        pub feedback_id: String,
        /// The webinar it is about.
        pub webinar_id: String,
        /// What they wrote (its first 500 characters, "…" when cut).
        pub text: String,
        /// Its lexicon sentiment score.
        pub score: f64,
        /// Its 1–5 rating.
        pub rating: u8,
        /// `certified`, `converted` or `certified_and_converted`.
        pub reason: String,
        /// When the person became a candidate: the later of the feedback and the first
        /// certificate or purchase.
        pub qualified_at: DateTime<Utc>,
        /// Whether this run asks them (the qualification is within the lookback; the outbox
        /// drops a request already made).
        pub requested: bool,
    }
}

/// The earliest `certificate` activity per student, at or before `as_of`.
fn certified(tables: &Tables, as_of: DateTime<Utc>) -> HashMap<&str, DateTime<Utc>> {
    let mut out: HashMap<&str, DateTime<Utc>> = HashMap::new();
    for a in &tables.activity {
        if a.kind == ActivityKind::Certificate && a.at <= as_of {
            let e = out.entry(a.student_id.as_str()).or_insert(a.at);
            *e = (*e).min(a.at);
        }
    }
    out
}

/// The testimonial candidates among `scored` feedback (see the module doc), by person id.
pub fn testimonial_candidates(
    tables: &Tables,
    scored: &[(&Feedback, Sentiment)],
    as_of: DateTime<Utc>,
    cfg: &FeedbackConfig,
) -> Result<Vec<TestimonialRow>> {
    cfg.validate()?;
    let certs = certified(tables, as_of);
    let buys = Buys::of(tables, as_of);
    let since = cfg
        .clock
        .add_days(as_of, -i64::from(cfg.testimonial_lookback_days));
    let mut best: BTreeMap<&str, (&Feedback, f64, u8)> = BTreeMap::new();
    for (f, s) in scored {
        let Some(rating) = f.rating else { continue };
        if f.at > as_of
            || s.label != SentimentLabel::Positive
            || rating < cfg.testimonial_min_rating
        {
            continue;
        }
        let better = best.get(f.person_id.as_str()).is_none_or(|b| {
            (s.score, rating, f.at, &f.feedback_id) > (b.1, b.2, b.0.at, &b.0.feedback_id)
        });
        if better {
            best.insert(f.person_id.as_str(), (f, s.score, rating));
        }
    }
    let mut out = Vec::new();
    for (person, (f, score, rating)) in best {
        let cert = certs.get(person).copied();
        let buy = buys.first(person);
        let (reason, since_when) = match (cert, buy) {
            (Some(c), Some(b)) => ("certified_and_converted", c.min(b)),
            (Some(c), None) => ("certified", c),
            (None, Some(b)) => ("converted", b),
            (None, None) => continue,
        };
        let qualified_at = since_when.max(f.at);
        out.push(TestimonialRow {
            person_id: person.to_string(),
            feedback_id: f.feedback_id.clone(),
            webinar_id: f.webinar_id.clone(),
            text: quote(&f.text, 500),
            score,
            rating,
            reason: reason.to_string(),
            qualified_at,
            requested: qualified_at > since,
        });
    }
    Ok(out)
}

/// One testimonial request per candidate with `requested` (dedupe key per person).
pub fn testimonial_requests(rows: &[TestimonialRow], as_of: DateTime<Utc>) -> Vec<Notification> {
    rows.iter()
        .filter(|r| r.requested)
        .map(|r| Notification {
            dedupe_key: format!("feedback:testimonial:{}", r.person_id),
            kind: "testimonial_request".into(),
            severity: Severity::Low,
            title: format!(
                "Pedir testimonio a {}: «{}»",
                r.person_id,
                quote(&r.text, 80)
            ),
            body: format!(
                "{} rated webinar {} {}/5 and wrote \"{}\" ({}, since {}). Ask them for a testimonial.",
                r.person_id,
                r.webinar_id,
                r.rating,
                r.text,
                r.reason,
                format_datetime(&r.qualified_at)
            ),
            payload: serde_json::to_value(r).unwrap_or_default(),
            created_at: as_of,
        })
        .collect()
}
