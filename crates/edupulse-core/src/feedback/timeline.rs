//! The live timeline of a webinar in progress: per minute since the start, how many chat lines
//! and questions arrived and how they felt — a pure function of the rows so far, for a
//! dashboard that polls it.
//!
//! Only `chat` and `question` rows written at or before `now` count (surveys and reviews come
//! after the session). Minute `m` holds the rows with `start + m min ≤ at < start + (m+1) min`.
//! Every minute from 0 to the current one (`min(now, end)`; none before the start) is listed,
//! empty ones with zero messages; minutes before the start are listed only when they hold rows
//! (the "hola desde Lima" before it begins), so no row is dropped. Rows after `end` are counted
//! in their own minutes too.

use super::sentiment::{score_with, SentimentLabel, SentimentParams};
use crate::error::{CoreError, Result};
use crate::model::FeedbackKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One minute of a webinar's live timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineMinute {
    /// Minutes since the start (negative before it).
    pub minute: i64,
    /// Chat lines and questions in the minute (the message rate per minute).
    pub messages: u32,
    /// Of which questions.
    pub questions: u32,
    /// Mean sentiment score of the minute's messages (`None` without messages).
    pub mean_sentiment: Option<f64>,
    /// Messages labelled positive.
    pub positive: u32,
    /// Messages labelled negative.
    pub negative: u32,
}

/// The live timeline of one webinar from its `(at, kind, text)` rows (see the module doc).
/// `now` before the start gives only the minutes with early rows. An invalid neutral band is an
/// error naming it.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use edupulse_core::feedback::timeline::live_timeline;
/// use edupulse_core::feedback::SentimentParams;
/// use edupulse_core::model::FeedbackKind;
/// let start = Utc.with_ymd_and_hms(2025, 3, 4, 17, 0, 0).unwrap();
/// let rows = [
///     (start + Duration::seconds(30), FeedbackKind::Chat, "¡Me encanta!"),
///     (start + Duration::seconds(150), FeedbackKind::Question, "¿Habrá grabación?"),
/// ];
/// let now = start + Duration::seconds(200);
/// let t = live_timeline(&rows, start, start + Duration::hours(1), now, &SentimentParams::default())?;
/// assert_eq!(t.iter().map(|m| m.messages).collect::<Vec<_>>(), [1, 0, 1, 0]);
/// assert_eq!(t[0].positive, 1);
/// # Ok::<(), edupulse_core::CoreError>(())
/// ```
pub fn live_timeline<S: AsRef<str>>(
    rows: &[(DateTime<Utc>, FeedbackKind, S)],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
    params: &SentimentParams,
) -> Result<Vec<TimelineMinute>> {
    params.validate()?;
    if end < start {
        return Err(CoreError::param("end", "is before the start"));
    }
    let minute_of = |at: DateTime<Utc>| (at - start).num_seconds().div_euclid(60);
    let mut minutes: BTreeMap<i64, (TimelineMinute, f64)> = BTreeMap::new();
    let blank = |minute| {
        (
            TimelineMinute {
                minute,
                messages: 0,
                questions: 0,
                mean_sentiment: None,
                positive: 0,
                negative: 0,
            },
            0.0,
        )
    };
    if now >= start {
        for m in 0..=minute_of(now.min(end)) {
            minutes.insert(m, blank(m));
        }
    }
    for (at, kind, text) in rows {
        if *at > now || !matches!(kind, FeedbackKind::Chat | FeedbackKind::Question) {
            continue;
        }
        let m = minute_of(*at);
        let e = minutes.entry(m).or_insert_with(|| blank(m));
        let s = score_with(text.as_ref(), params);
        e.0.messages += 1;
        e.0.questions += u32::from(*kind == FeedbackKind::Question);
        e.0.positive += u32::from(s.label == SentimentLabel::Positive);
        e.0.negative += u32::from(s.label == SentimentLabel::Negative);
        e.1 += s.score;
    }
    Ok(minutes
        .into_values()
        .map(|(mut m, sum)| {
            if m.messages > 0 {
                m.mean_sentiment = Some(sum / f64::from(m.messages));
            }
            m
        })
        .collect())
}
