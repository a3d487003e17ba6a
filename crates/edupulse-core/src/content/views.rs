//! Per-lesson engagement from play ranges: who watched how much of each micro-lesson, and what
//! they watched again.
//!
//! Input: `content_views` rows (a person played a recording from `start_s` to `end_s` at `at`),
//! as a video player logs them, and the micro-lessons of the recordings. For every lesson
//! `[a, b)` and every person whose ranges touch it:
//!
//! - **viewer**: the person watched at least [`MIN_WATCHED_S`] seconds of the lesson;
//! - **watch share**: the length of the union of their ranges inside `[a, b)`, over `b − a`
//!   (averaged over the lesson's viewers);
//! - **replay**: a range (in `at` order) that plays at least [`MIN_WATCHED_S`] seconds of the
//!   lesson the same person had already played. Pausing and resuming is not a replay; going back
//!   is.
//!
//! The result feeds [`super::order_by_engagement`] (quiz attempts stay 0: no input table ties a
//! quiz result to a lesson). Ranges of recordings without lessons are ignored (a recording
//! without a transcript has no lessons to rank); a range ending past the recording's last lesson
//! counts up to the lesson's end.

use super::engage::LessonEngagement;
use super::lesson::MicroLesson;
use crate::model::ContentView;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// A play range: when it started playing, start and end position in seconds.
type Play = (DateTime<Utc>, f64, f64);

/// Seconds of a lesson a range must cover to count as watching it (or as a replay of it).
pub const MIN_WATCHED_S: f64 = 5.0;

/// Engagement per lesson from the play ranges logged at or before `as_of`: one row per lesson
/// with at least one viewer, in the order of `lessons`.
pub fn engagement_from_views(
    lessons: &[MicroLesson],
    views: &[ContentView],
    as_of: DateTime<Utc>,
) -> Vec<LessonEngagement> {
    // Ranges per (content, person), in time order.
    let mut ranges: BTreeMap<(&str, &str), Vec<Play>> = BTreeMap::new();
    for v in views.iter().filter(|v| v.at <= as_of) {
        ranges
            .entry((v.content_id.as_str(), v.person_id.as_str()))
            .or_default()
            .push((v.at, v.start_s, v.end_s));
    }
    for r in ranges.values_mut() {
        r.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    }
    let mut by_content: BTreeMap<&str, Vec<(&str, &[Play])>> = BTreeMap::new();
    for ((content, person), r) in &ranges {
        by_content
            .entry(content)
            .or_default()
            .push((person, r.as_slice()));
    }
    let mut out = Vec::new();
    for lesson in lessons {
        let Some(people) = by_content.get(lesson.content_id.as_str()) else {
            continue;
        };
        let (a, b) = (lesson.start_s, lesson.end_s);
        let length = b - a;
        if length <= 0.0 {
            continue;
        }
        let (mut viewers, mut share_sum, mut replays) = (0u32, 0.0, 0u32);
        for (_, person_ranges) in people {
            let (watched, replayed) = watch_of(person_ranges, a, b);
            if watched >= MIN_WATCHED_S.min(length) {
                viewers += 1;
                share_sum += (watched / length).min(1.0);
                replays += replayed;
            }
        }
        if viewers > 0 {
            out.push(LessonEngagement {
                content_id: lesson.content_id.clone(),
                lesson: lesson.lesson,
                viewers,
                watch_share: share_sum / f64::from(viewers),
                replays,
                quiz_attempts: 0,
                quiz_passed: 0,
            });
        }
    }
    out
}

/// Seconds of `[a, b)` one person covered (union of their ranges) and how many of their ranges
/// replayed at least [`MIN_WATCHED_S`] seconds they had already covered.
fn watch_of(ranges: &[Play], a: f64, b: f64) -> (f64, u32) {
    // Covered intervals inside [a, b), disjoint and sorted.
    let mut covered: Vec<(f64, f64)> = Vec::new();
    let mut replays = 0;
    for &(_, s, e) in ranges {
        let (s, e) = (s.max(a), e.min(b));
        if e <= s {
            continue;
        }
        let again: f64 = covered
            .iter()
            .map(|&(cs, ce)| (e.min(ce) - s.max(cs)).max(0.0))
            .sum();
        if again >= MIN_WATCHED_S {
            replays += 1;
        }
        // Merge [s, e) into the covered set.
        let (mut lo, mut hi) = (s, e);
        covered.retain(|&(cs, ce)| {
            if ce < lo || cs > hi {
                true
            } else {
                lo = lo.min(cs);
                hi = hi.max(ce);
                false
            }
        });
        let at = covered.partition_point(|&(cs, _)| cs < lo);
        covered.insert(at, (lo, hi));
    }
    (covered.iter().map(|&(s, e)| e - s).sum(), replays)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn lesson(content: &str, n: u32, a: f64, b: f64) -> MicroLesson {
        MicroLesson {
            content_id: content.into(),
            lesson: n,
            start_s: a,
            end_s: b,
            title: String::new(),
            key_terms: Vec::new(),
        }
    }

    fn view(person: &str, minute: u32, s: f64, e: f64) -> ContentView {
        ContentView {
            content_id: "r".into(),
            person_id: person.into(),
            at: Utc
                .with_ymd_and_hms(2025, 3, 1, 10, minute, 0)
                .single()
                .unwrap(),
            start_s: s,
            end_s: e,
        }
    }

    #[test]
    fn pauses_are_not_replays_and_going_back_is() {
        let lessons = [lesson("r", 1, 0.0, 300.0), lesson("r", 2, 300.0, 600.0)];
        let views = [
            // a: watches lesson 1 in two halves (a pause), then goes back to 100–200.
            view("a", 0, 0.0, 150.0),
            view("a", 5, 150.0, 300.0),
            view("a", 9, 100.0, 200.0),
            // b: watches 0–450 in one go (half of lesson 2).
            view("b", 1, 0.0, 450.0),
            // c: 3 s of lesson 2 only: not a viewer of it.
            view("c", 2, 300.0, 303.0),
        ];
        let as_of = Utc.with_ymd_and_hms(2025, 3, 2, 0, 0, 0).single().unwrap();
        let e = engagement_from_views(&lessons, &views, as_of);
        assert_eq!(e.len(), 2);
        assert_eq!((e[0].lesson, e[0].viewers, e[0].replays), (1, 2, 1));
        assert!((e[0].watch_share - 1.0).abs() < 1e-12);
        assert_eq!((e[1].lesson, e[1].viewers, e[1].replays), (2, 1, 0));
        assert!((e[1].watch_share - 0.5).abs() < 1e-12);
        // Views after as_of are not seen: before a's replay, no replay.
        let early = Utc.with_ymd_and_hms(2025, 3, 1, 10, 8, 0).single().unwrap();
        let e = engagement_from_views(&lessons, &views, early);
        assert_eq!(e[0].replays, 0);
    }
}
