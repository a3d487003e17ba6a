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
//!
//! The same function, on the scored rows of the daily run, gives the stored timeline of every
//! ended webinar (`webinar_timeline`, [`webinar_timeline`]): only the minutes that hold messages,
//! from [`TIMELINE_LEAD_MIN`] minutes before the start to [`TIMELINE_GRACE_MIN`] minutes after
//! the planned end (at most duration + 60 rows per webinar; chat outside that window is left
//! out of the table, not of the outcomes).

use super::sentiment::{score_with, SentimentLabel, SentimentParams};
use crate::error::{CoreError, Result};
use crate::model::FeedbackKind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Minutes before the start kept in `webinar_timeline`.
pub const TIMELINE_LEAD_MIN: i64 = 30;
/// Minutes after the planned end kept in `webinar_timeline`.
pub const TIMELINE_GRACE_MIN: i64 = 30;

crate::result_table! {
    /// One minute of an ended webinar that holds messages: the chat lines and questions written
    /// in it and how they felt (minutes from 30 before the start to 30 after the planned end).
    #[table = "webinar_timeline", step = "feedback", key = [webinar_id, minute]]
    pub struct WebinarMinuteRow {
        /// Webinar id.
        pub webinar_id: String,
        /// Minutes since the start (negative before it): the rows with
        /// `start + minute min ≤ at < start + (minute + 1) min`.
        pub minute: i64,
        /// Chat lines and questions in the minute (≥ 1: empty minutes are not stored).
        pub messages: u32,
        /// Of which questions.
        pub questions: u32,
        /// Mean lexicon sentiment score of the minute's messages, in [−1, 1].
        pub mean_sentiment: f64,
        /// Messages labelled positive.
        pub positive: u32,
        /// Messages labelled negative.
        pub negative: u32,
    }
}

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
    let scored: Vec<(DateTime<Utc>, FeedbackKind, f64, SentimentLabel)> = rows
        .iter()
        .filter(|(at, kind, _)| *at <= now && is_live(*kind))
        .map(|(at, kind, text)| {
            let s = score_with(text.as_ref(), params);
            (*at, *kind, s.score, s.label)
        })
        .collect();
    timeline_of(&scored, start, end, now)
}

/// Whether rows of `kind` are messages of the session (chat lines and questions).
fn is_live(kind: FeedbackKind) -> bool {
    matches!(kind, FeedbackKind::Chat | FeedbackKind::Question)
}

/// [`live_timeline`] from rows already scored: `(at, kind, score, label)`. Rows after `now` and
/// rows that are not chat or questions are left out here too.
pub(crate) fn timeline_of(
    rows: &[(DateTime<Utc>, FeedbackKind, f64, SentimentLabel)],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<TimelineMinute>> {
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
    for &(at, kind, score, label) in rows {
        if at > now || !is_live(kind) {
            continue;
        }
        let m = minute_of(at);
        let e = minutes.entry(m).or_insert_with(|| blank(m));
        e.0.messages += 1;
        e.0.questions += u32::from(kind == FeedbackKind::Question);
        e.0.positive += u32::from(label == SentimentLabel::Positive);
        e.0.negative += u32::from(label == SentimentLabel::Negative);
        e.1 += score;
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

/// The stored timeline of each ended webinar `(webinar_id, start, planned end)` of `sessions`,
/// in the order given, from `scored` feedback (see the module doc): the minutes with messages
/// between [`TIMELINE_LEAD_MIN`] before the start and [`TIMELINE_GRACE_MIN`] after the end.
/// An end before its start is an error naming `end`.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use edupulse_core::feedback::timeline::webinar_timeline;
/// use edupulse_core::feedback::{score, Sentiment};
/// use edupulse_core::model::{Feedback, FeedbackKind};
/// let start = Utc.with_ymd_and_hms(2025, 3, 4, 17, 0, 0).unwrap();
/// let f = |id: &str, secs: i64, text: &str| Feedback {
///     feedback_id: id.into(), webinar_id: "w1".into(), person_id: "p1".into(),
///     at: start + Duration::seconds(secs), kind: FeedbackKind::Chat, text: text.into(),
///     rating: None,
/// };
/// let rows = [f("f1", 30, "¡Me encanta!"), f("f2", 150, "hola"), f("f3", 7200, "sigo aquí")];
/// let scored: Vec<(&Feedback, Sentiment)> = rows.iter().map(|r| (r, score(&r.text))).collect();
/// let t = webinar_timeline(&[("w1", start, start + Duration::hours(1))], &scored)?;
/// // Minutes 0 and 2; minute 120 is past the end plus the 30-minute grace.
/// assert_eq!(t.iter().map(|m| (m.minute, m.messages)).collect::<Vec<_>>(), [(0, 1), (2, 1)]);
/// # Ok::<(), edupulse_core::CoreError>(())
/// ```
pub fn webinar_timeline<W: AsRef<str>>(
    sessions: &[(W, DateTime<Utc>, DateTime<Utc>)],
    scored: &[(&crate::model::Feedback, super::Sentiment)],
) -> Result<Vec<WebinarMinuteRow>> {
    type Scored = (DateTime<Utc>, FeedbackKind, f64, SentimentLabel);
    let mut by_webinar: HashMap<&str, Vec<Scored>> = HashMap::new();
    for (f, s) in scored {
        if is_live(f.kind) {
            by_webinar
                .entry(f.webinar_id.as_str())
                .or_default()
                .push((f.at, f.kind, s.score, s.label));
        }
    }
    let mut out = Vec::new();
    for (w, start, end) in sessions {
        let w = w.as_ref();
        let Some(rows) = by_webinar.get(w) else {
            continue;
        };
        let last = (*end - *start).num_seconds().div_euclid(60) + TIMELINE_GRACE_MIN;
        let now = *end + chrono::Duration::minutes(TIMELINE_GRACE_MIN);
        for m in timeline_of(rows, *start, *end, now)? {
            if m.messages == 0 || m.minute < -TIMELINE_LEAD_MIN || m.minute >= last {
                continue;
            }
            out.push(WebinarMinuteRow {
                webinar_id: w.to_string(),
                minute: m.minute,
                messages: m.messages,
                questions: m.questions,
                mean_sentiment: m.mean_sentiment.unwrap_or(0.0),
                positive: m.positive,
                negative: m.negative,
            });
        }
    }
    Ok(out)
}
