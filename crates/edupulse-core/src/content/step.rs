//! The content step of the daily job: micro-lessons of every recording (with their engagement
//! order), each learner's mastery per concept and the concept each learner should study next.
//!
//! Reads `transcript_segments` (and `content` to check the recordings exist), `concepts`,
//! `card_concepts` and `reviews` (FSRS card states as the review schedule computes them, with the
//! same `[job.repetition]` parameters). Every input is optional: without transcripts there are no
//! lessons, without concepts or mapped cards no mastery and no next steps; the step then writes
//! empty tables.

use super::engage::{order_by_engagement, EngagementParams, LessonEngagement};
use super::lesson::{segment_transcript, LessonParams, MicroLesson, TranscriptSegment};
use super::mastery::{mastery_and_next_steps, CardRecall, Concept, NextReason};
use crate::error::{CoreError, Result};
use crate::repetition::schedule::CardStatus;
use crate::results::ResultSet;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Parameters of the content step (`[job.content]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContentConfig {
    /// Micro-lesson segmentation.
    pub lessons: LessonParams,
    /// Engagement score weights.
    pub engagement: EngagementParams,
    /// Mastery (mean retrievability of a concept's cards) at which a concept counts as met.
    pub mastery_threshold: f64,
}

impl Default for ContentConfig {
    fn default() -> Self {
        ContentConfig {
            lessons: LessonParams::default(),
            engagement: EngagementParams::default(),
            mastery_threshold: 0.8,
        }
    }
}

impl ContentConfig {
    /// Check every field.
    pub fn validate(&self) -> Result<()> {
        self.lessons.validate()?;
        self.engagement.validate()?;
        if !(self.mastery_threshold > 0.0 && self.mastery_threshold <= 1.0) {
            return Err(CoreError::param("mastery_threshold", "must be in (0, 1]"));
        }
        Ok(())
    }
}

crate::result_table! {
    /// A micro-lesson of a recording: its time span, title, key terms and place in the
    /// recording's engagement order.
    #[table = "content_lessons", step = "content", key = [content_id, lesson]]
    pub struct LessonRow {
        /// The recording.
        pub content_id: String,
        /// 1-based position within the recording.
        pub lesson: u32,
        /// Start, seconds.
        pub start_s: f64,
        /// End, seconds.
        pub end_s: f64,
        /// Title: the lesson's top terms.
        pub title: String,
        /// Key terms, most characteristic first.
        pub key_terms: Vec<String>,
        /// Engagement score in [0, 1] (empty without engagement data).
        pub engagement: Option<f64>,
        /// 1-based rank by engagement within the recording (position order without data).
        pub engagement_rank: u32,
    }
}

crate::result_table! {
    /// A learner's mastery of a concept: the mean FSRS retrievability of the concept's cards
    /// (unreviewed cards count 0).
    #[table = "content_mastery", step = "content", key = [student_id, concept_id]]
    pub struct MasteryRow {
        /// Learner.
        pub student_id: String,
        /// Concept.
        pub concept_id: String,
        /// Mastery, 0–1.
        pub mastery: f64,
        /// Cards of the concept the learner has reviewed.
        pub cards_studied: u32,
        /// Of those, due now.
        pub cards_due: u32,
        /// Studied and below the mastery threshold.
        pub difficult: bool,
    }
}

crate::result_table! {
    /// The concept a learner should study next, with the reason.
    #[table = "content_next_steps", step = "content", key = [student_id]]
    pub struct NextStepRow {
        /// Learner.
        pub student_id: String,
        /// Concept to study.
        pub concept_id: String,
        /// The concept's name.
        pub concept_name: String,
        /// `unmet_prerequisite`, `lowest_mastery`, `due_reviews` or `new_concept`.
        pub reason: String,
        /// The concept it unblocks (for an unmet prerequisite).
        pub for_concept: Option<String>,
        /// The learner's mastery of it.
        pub mastery: f64,
    }
}

/// What the content step decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentOutput {
    /// The run's time.
    pub as_of: DateTime<Utc>,
    /// Every micro-lesson.
    pub lessons: Vec<LessonRow>,
    /// Mastery per (learner, concept) with a studied card.
    pub mastery: Vec<MasteryRow>,
    /// One next step per learner with a mapped card.
    pub next_steps: Vec<NextStepRow>,
}

impl NextReason {
    /// The reason's name (`unmet_prerequisite`, `lowest_mastery`, `due_reviews`, `new_concept`).
    pub fn as_str(self) -> &'static str {
        match self {
            NextReason::UnmetPrerequisite => "unmet_prerequisite",
            NextReason::LowestMastery => "lowest_mastery",
            NextReason::DueReviews => "due_reviews",
            NextReason::NewConcept => "new_concept",
        }
    }
}

/// Micro-lessons of every recording in `segments`, ranked by `engagement` (none: position order).
/// No segments: no lessons.
pub fn lessons(
    segments: &[TranscriptSegment],
    engagement: &[LessonEngagement],
    config: &ContentConfig,
) -> Result<Vec<LessonRow>> {
    if segments.is_empty() {
        return Ok(Vec::new());
    }
    let ls: Vec<MicroLesson> = segment_transcript(segments, &config.lessons)?;
    let ranks = order_by_engagement(&ls, engagement, &config.engagement)?;
    Ok(ls
        .into_iter()
        .zip(ranks)
        .map(|(l, r)| LessonRow {
            content_id: l.content_id,
            lesson: l.lesson,
            start_s: l.start_s,
            end_s: l.end_s,
            title: l.title,
            key_terms: l.key_terms,
            engagement: r.score,
            engagement_rank: r.rank,
        })
        .collect())
}

/// Mastery and next steps from the learners' card states at `as_of` (the review schedule's
/// `cards`). No concepts or no mapped cards: nothing (the prerequisite graph is still checked).
pub fn mastery(
    cards: &[CardStatus],
    concepts: &[Concept],
    card_concepts: &[(String, String)],
    as_of: DateTime<Utc>,
    config: &ContentConfig,
) -> Result<(Vec<MasteryRow>, Vec<NextStepRow>)> {
    if concepts.is_empty() && card_concepts.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let recall: Vec<CardRecall> = cards
        .iter()
        .map(|c| CardRecall {
            student_id: c.student_id.clone(),
            card_id: c.card_id.clone(),
            retrievability: c.retrievability,
            due: c.due <= as_of,
        })
        .collect();
    let (m, s) =
        mastery_and_next_steps(&recall, concepts, card_concepts, config.mastery_threshold)?;
    let name = |id: &str| {
        concepts
            .iter()
            .find(|c| c.concept_id == id)
            .map(|c| c.name.clone())
            .unwrap_or_default()
    };
    let mastery = m
        .into_iter()
        .map(|x| MasteryRow {
            student_id: x.student_id,
            concept_id: x.concept_id,
            mastery: x.mastery,
            cards_studied: x.cards_studied as u32,
            cards_due: x.cards_due as u32,
            difficult: x.difficult,
        })
        .collect();
    let steps = s
        .into_iter()
        .map(|x| NextStepRow {
            concept_name: name(&x.concept_id),
            student_id: x.student_id,
            concept_id: x.concept_id,
            reason: x.reason.as_str().to_string(),
            for_concept: x.for_concept,
            mastery: x.mastery,
        })
        .collect();
    Ok((mastery, steps))
}

impl ContentOutput {
    /// The result tables: `content_lessons`, `content_mastery`, `content_next_steps`.
    pub fn to_results(&self) -> Vec<ResultSet> {
        vec![
            ResultSet::of(self.as_of, &self.lessons),
            ResultSet::of(self.as_of, &self.mastery),
            ResultSet::of(self.as_of, &self.next_steps),
        ]
    }

    /// A JSON summary.
    pub fn summary(&self) -> serde_json::Value {
        let recordings: std::collections::BTreeSet<&str> =
            self.lessons.iter().map(|l| l.content_id.as_str()).collect();
        serde_json::json!({
            "recordings": recordings.len(),
            "lessons": self.lessons.len(),
            "learners_with_next_step": self.next_steps.len(),
            "difficult_pairs": self.mastery.iter().filter(|m| m.difficult).count(),
        })
    }
}
