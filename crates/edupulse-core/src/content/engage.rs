//! Ordering micro-lessons by engagement: which lessons of a recording hold learners best.
//!
//! From per-lesson engagement (viewers, mean share of the lesson watched, replays, quiz attempts
//! and passes when the lesson has a quiz) it scores each lesson in [0, 1]:
//!
//! ```text
//! raw   = (w_watch·watch_share + w_replay·ρ/(1 + ρ) + w_quiz·passed/attempts) / Σ w of present parts
//! score = (n·raw + prior_viewers·m) / (n + prior_viewers)
//! ```
//!
//! where `ρ` = replays per viewer, the quiz part is present only when the lesson had quiz attempts,
//! `n` = max(viewers, quiz attempts) and `m` the `n`-weighted mean `raw` of the recording's lessons
//! with data (so a lesson seen by two people does not outrank one seen by two hundred on noise).
//! Lessons are ranked within their recording by score, highest first (ties by position); lessons
//! without engagement keep their position order after the scored ones. Without any engagement the
//! order is the recording's own.

use super::lesson::MicroLesson;
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Engagement with one micro-lesson (a `lesson_engagement` row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonEngagement {
    /// The recording.
    pub content_id: String,
    /// 1-based lesson within the recording ([`MicroLesson::lesson`]).
    pub lesson: u32,
    /// Learners who started the lesson.
    pub viewers: u32,
    /// Mean share of the lesson they watched, in [0, 1].
    pub watch_share: f64,
    /// Replays of (parts of) the lesson, over all viewers.
    pub replays: u32,
    /// Quiz attempts on the lesson (0: no quiz).
    pub quiz_attempts: u32,
    /// Of those, passed.
    pub quiz_passed: u32,
}

/// Weights of the engagement score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngagementParams {
    /// Weight of the watch share.
    pub watch_weight: f64,
    /// Weight of replays per viewer (as ρ/(1 + ρ)).
    pub replay_weight: f64,
    /// Weight of the quiz pass rate (when the lesson has quiz attempts).
    pub quiz_weight: f64,
    /// Pseudo-viewers at the recording's mean that shrink a lesson's score.
    pub prior_viewers: f64,
}

impl Default for EngagementParams {
    fn default() -> Self {
        EngagementParams {
            watch_weight: 0.5,
            replay_weight: 0.2,
            quiz_weight: 0.3,
            prior_viewers: 5.0,
        }
    }
}

impl EngagementParams {
    /// Check every field.
    pub fn validate(&self) -> Result<()> {
        for (name, w) in [
            ("engagement.watch_weight", self.watch_weight),
            ("engagement.replay_weight", self.replay_weight),
            ("engagement.quiz_weight", self.quiz_weight),
            ("engagement.prior_viewers", self.prior_viewers),
        ] {
            if !(w.is_finite() && w >= 0.0) {
                return Err(CoreError::param(
                    name,
                    format!("{w} must be finite and ≥ 0"),
                ));
            }
        }
        if self.watch_weight + self.replay_weight + self.quiz_weight <= 0.0 {
            return Err(CoreError::param(
                "engagement.watch_weight",
                "the weights must not all be 0",
            ));
        }
        Ok(())
    }
}

/// A lesson's place in its recording's engagement order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonRank {
    /// Index of the lesson in the input slice.
    pub index: usize,
    /// 1-based rank within the recording (1 = most engaging).
    pub rank: u32,
    /// The engagement score (`None`: no engagement data for the lesson).
    pub score: Option<f64>,
}

const TABLE: &str = "lesson_engagement";

fn check_row(row: usize, e: &LessonEngagement) -> Result<()> {
    let err = |col: &str, msg: String| Err(CoreError::validation(TABLE, Some(row), Some(col), msg));
    if !(e.watch_share >= 0.0 && e.watch_share <= 1.0) {
        return err("watch_share", format!("{} is not in [0, 1]", e.watch_share));
    }
    if e.quiz_passed > e.quiz_attempts {
        return err(
            "quiz_passed",
            format!("{} passes of {} attempts", e.quiz_passed, e.quiz_attempts),
        );
    }
    Ok(())
}

/// Rank `lessons` by engagement within each recording; one [`LessonRank`] per lesson, in input
/// order. An engagement row for a lesson not in `lessons`, a repeated row, a watch share outside
/// [0, 1] or more passes than attempts is an error naming the `lesson_engagement` row (1-based).
pub fn order_by_engagement(
    lessons: &[MicroLesson],
    engagement: &[LessonEngagement],
    params: &EngagementParams,
) -> Result<Vec<LessonRank>> {
    params.validate()?;
    let index: BTreeMap<(&str, u32), usize> = lessons
        .iter()
        .enumerate()
        .map(|(i, l)| ((l.content_id.as_str(), l.lesson), i))
        .collect();
    // (raw score, weight n) per lesson with data.
    let mut raw: Vec<Option<(f64, f64)>> = vec![None; lessons.len()];
    for (k, e) in engagement.iter().enumerate() {
        let row = k + 1;
        check_row(row, e)?;
        let Some(&i) = index.get(&(e.content_id.as_str(), e.lesson)) else {
            return Err(CoreError::validation(
                TABLE,
                Some(row),
                Some("lesson"),
                format!("no micro-lesson {} of content {}", e.lesson, e.content_id),
            ));
        };
        if raw[i].is_some() {
            return Err(CoreError::validation(
                TABLE,
                Some(row),
                Some("lesson"),
                format!("lesson {} of content {} repeated", e.lesson, e.content_id),
            ));
        }
        let (mut num, mut den) = (0.0, 0.0);
        if e.viewers > 0 {
            let rho = e.replays as f64 / e.viewers as f64;
            num += params.watch_weight * e.watch_share + params.replay_weight * rho / (1.0 + rho);
            den += params.watch_weight + params.replay_weight;
        }
        if e.quiz_attempts > 0 {
            num += params.quiz_weight * e.quiz_passed as f64 / e.quiz_attempts as f64;
            den += params.quiz_weight;
        }
        if den > 0.0 {
            let n = e.viewers.max(e.quiz_attempts) as f64;
            raw[i] = Some((num / den, n));
        }
    }
    let mut by_content: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, l) in lessons.iter().enumerate() {
        by_content.entry(l.content_id.as_str()).or_default().push(i);
    }
    let mut out: Vec<LessonRank> = (0..lessons.len())
        .map(|index| LessonRank {
            index,
            rank: 0,
            score: None,
        })
        .collect();
    for idx in by_content.values() {
        let (sw, s) = idx
            .iter()
            .filter_map(|&i| raw[i])
            .fold((0.0, 0.0), |(sw, s), (r, n)| (sw + n, s + n * r));
        let mean = if sw > 0.0 { s / sw } else { 0.0 };
        for &i in idx {
            out[i].score = raw[i].map(|(r, n)| {
                let d = n + params.prior_viewers;
                if d > 0.0 {
                    (n * r + params.prior_viewers * mean) / d
                } else {
                    r
                }
            });
        }
        let mut order = idx.clone();
        order.sort_by(|&a, &b| {
            let key = |i: usize| out[i].score.map(|s| -s);
            match (key(a), key(b)) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            }
            .then(lessons[a].lesson.cmp(&lessons[b].lesson))
        });
        for (r, i) in order.into_iter().enumerate() {
            out[i].rank = r as u32 + 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lesson(c: &str, k: u32) -> MicroLesson {
        MicroLesson {
            content_id: c.into(),
            lesson: k,
            start_s: (k - 1) as f64 * 400.0,
            end_s: k as f64 * 400.0,
            title: format!("t{k}"),
            key_terms: vec![],
        }
    }

    fn eng(c: &str, k: u32, v: u32, w: f64, r: u32, qa: u32, qp: u32) -> LessonEngagement {
        LessonEngagement {
            content_id: c.into(),
            lesson: k,
            viewers: v,
            watch_share: w,
            replays: r,
            quiz_attempts: qa,
            quiz_passed: qp,
        }
    }

    #[test]
    fn ranks_by_score_with_shrinkage_and_keeps_unscored_in_order() {
        let lessons = [
            lesson("a", 1),
            lesson("a", 2),
            lesson("a", 3),
            lesson("a", 4),
            lesson("b", 1),
        ];
        let e = [
            // a1: 100 viewers, half watched, no replays, no quiz: raw = 0.5·0.5 / 0.7.
            eng("a", 1, 100, 0.5, 0, 0, 0),
            // a2: 100 viewers, all watched, 100 replays (ρ = 1), quiz 8/10:
            // raw = (0.5 + 0.2·0.5 + 0.3·0.8) / 1.0 = 0.84.
            eng("a", 2, 100, 1.0, 100, 10, 8),
            // a3: 1 viewer who watched everything: shrunk towards the mean.
            eng("a", 3, 1, 1.0, 0, 0, 0),
        ];
        let p = EngagementParams::default();
        let r = order_by_engagement(&lessons, &e, &p).unwrap();
        let raw1 = 0.25 / 0.7;
        let raw3 = 0.5 / 0.7;
        let mean = (100.0 * raw1 + 100.0 * 0.84 + raw3) / 201.0;
        let s1 = (100.0 * raw1 + 5.0 * mean) / 105.0;
        let s2 = (100.0 * 0.84 + 5.0 * mean) / 105.0;
        let s3 = (raw3 + 5.0 * mean) / 6.0;
        for (i, s) in [(0, s1), (1, s2), (2, s3)] {
            assert!((r[i].score.unwrap() - s).abs() < 1e-12, "{i}");
        }
        // s2 > s3 > s1 here (s3 ≈ 0.53 lies between), a4 has no data, b1 alone.
        assert!(s2 > s3 && s3 > s1);
        let ranks: Vec<u32> = r.iter().map(|x| x.rank).collect();
        assert_eq!(ranks, [3, 1, 2, 4, 1]);
        assert_eq!(r[3].score, None);
        // Without engagement: the recording's order.
        let r = order_by_engagement(&lessons, &[], &p).unwrap();
        let ranks: Vec<u32> = r.iter().map(|x| x.rank).collect();
        assert_eq!(ranks, [1, 2, 3, 4, 1]);
    }

    #[test]
    fn bad_rows_are_named() {
        let lessons = [lesson("a", 1)];
        let p = EngagementParams::default();
        let msg = |e: &[LessonEngagement]| {
            order_by_engagement(&lessons, e, &p)
                .unwrap_err()
                .to_string()
        };
        let m = msg(&[eng("a", 2, 1, 0.5, 0, 0, 0)]);
        assert!(
            m.contains("lesson_engagement") && m.contains("no micro-lesson 2"),
            "{m}"
        );
        let m = msg(&[eng("a", 1, 1, 1.5, 0, 0, 0)]);
        assert!(m.contains("watch_share"), "{m}");
        let m = msg(&[eng("a", 1, 1, 0.5, 0, 1, 2)]);
        assert!(m.contains("quiz_passed"), "{m}");
        let m = msg(&[eng("a", 1, 1, 0.5, 0, 0, 0), eng("a", 1, 1, 0.5, 0, 0, 0)]);
        assert!(m.contains("repeated"), "{m}");
        let zero = EngagementParams {
            watch_weight: 0.0,
            replay_weight: 0.0,
            quiz_weight: 0.0,
            ..p.clone()
        };
        let m = order_by_engagement(&lessons, &[], &zero)
            .unwrap_err()
            .to_string();
        assert!(m.contains("engagement.watch_weight"), "{m}");
    }
}
