//! The content step of the daily job: micro-lessons of every recording (with their engagement
//! order), each learner's mastery per concept and the concept each learner should study next.
//!
//! Reads `transcript_segments` and `content_views` (and `content` to check the recordings exist;
//! play ranges rank each recording's lessons by engagement, see [`super::views`]), `concepts`,
//! `card_concepts` and `reviews` (FSRS card states as the review schedule computes them, with the
//! same `[job.repetition]` parameters). Every input is optional: without transcripts there are no
//! lessons, without concepts or mapped cards no mastery and no next steps; the step then writes
//! empty tables.

use super::engage::{order_by_engagement, EngagementParams, LessonEngagement};
use super::lesson::{segment_transcript, LessonParams, MicroLesson, TranscriptSegment};
use super::mastery::{mastery_and_next_steps, CardRecall, Concept, NextReason, QuizScore};
use super::views::engagement_from_views;
use crate::error::{CoreError, Result};
use crate::job::{Step, StepOutput};
use crate::model::{ContentView, Tables};
use crate::repetition::schedule::{review_schedule, CardStatus, ScheduleParams};
use crate::results::ResultSet;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

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
    /// A learner's mastery of a concept: the mean of the FSRS retrievability of the concept's
    /// cards (unreviewed cards count 0) and the latest score of each of its quizzes taken.
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
        /// Quizzes of the concept taken (latest score of each counted).
        pub quizzes_taken: u32,
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

/// Micro-lessons of every recording in `segments`, ranked by the engagement of the play ranges
/// in `views` logged at or before `as_of` (none: position order). No segments: no lessons.
pub fn lessons(
    segments: &[TranscriptSegment],
    views: &[ContentView],
    as_of: DateTime<Utc>,
    config: &ContentConfig,
) -> Result<Vec<LessonRow>> {
    if segments.is_empty() {
        return Ok(Vec::new());
    }
    let ls: Vec<MicroLesson> = segment_transcript(segments, &config.lessons)?;
    let engagement: Vec<LessonEngagement> = engagement_from_views(&ls, views, as_of);
    let ranks = order_by_engagement(&ls, &engagement, &config.engagement)?;
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
/// `cards`) and their quiz scores. No concepts and no mapped cards: nothing.
pub fn mastery(
    cards: &[CardStatus],
    quizzes: &[QuizScore],
    concepts: &[Concept],
    card_concepts: &[(String, String)],
    as_of: DateTime<Utc>,
    config: &ContentConfig,
) -> Result<(Vec<MasteryRow>, Vec<NextStepRow>)> {
    if concepts.is_empty() && card_concepts.is_empty() && quizzes.is_empty() {
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
    let (m, s) = mastery_and_next_steps(
        &recall,
        quizzes,
        concepts,
        card_concepts,
        config.mastery_threshold,
    )?;
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
            quizzes_taken: x.quizzes_taken as u32,
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

/// The concepts of the `concepts` table with their prerequisite lists split.
pub fn concepts_of(tables: &Tables) -> Vec<Concept> {
    tables
        .concepts
        .iter()
        .map(|c| Concept {
            concept_id: c.concept_id.clone(),
            name: c.name.clone(),
            prerequisite_ids: c.prerequisites(),
        })
        .collect()
}

/// The `(card_id, concept_id)` pairs of the `card_concepts` table.
pub fn card_concept_pairs(tables: &Tables) -> Vec<(String, String)> {
    tables
        .card_concepts
        .iter()
        .map(|m| (m.card_id.clone(), m.concept_id.clone()))
        .collect()
}

/// The latest score of each (learner, quiz, concept) in `quiz_results` submitted at or before
/// `as_of`, in first-submission order.
pub fn latest_quiz_scores(tables: &Tables, as_of: DateTime<Utc>) -> Vec<QuizScore> {
    let mut latest: Vec<(&str, &str, &str, DateTime<Utc>, f64)> = Vec::new();
    let mut index: std::collections::HashMap<(&str, &str, &str), usize> =
        std::collections::HashMap::new();
    for q in tables.quiz_results.iter().filter(|q| q.at <= as_of) {
        let key = (
            q.student_id.as_str(),
            q.quiz_id.as_str(),
            q.concept_id.as_str(),
        );
        match index.get(&key) {
            Some(&i) if latest[i].3 <= q.at => latest[i] = (key.0, key.1, key.2, q.at, q.score),
            Some(_) => {}
            None => {
                index.insert(key, latest.len());
                latest.push((key.0, key.1, key.2, q.at, q.score));
            }
        }
    }
    latest
        .into_iter()
        .map(|(student, _, concept, _, score)| QuizScore {
            student_id: student.to_string(),
            concept_id: concept.to_string(),
            score,
        })
        .collect()
}

/// Mastery and next steps from the input tables as of `as_of` (card states replayed from
/// `reviews` with the review schedule's parameters, the latest score of each quiz).
pub fn mastery_of_tables(
    tables: &Tables,
    as_of: DateTime<Utc>,
    config: &ContentConfig,
    schedule: &ScheduleParams,
) -> Result<(Vec<MasteryRow>, Vec<NextStepRow>)> {
    config.validate()?;
    let concepts = concepts_of(tables);
    let pairs = card_concept_pairs(tables);
    let known: BTreeSet<&str> = concepts.iter().map(|c| c.concept_id.as_str()).collect();
    check_known(
        ("quiz_results", "concept_id", "concept"),
        tables.quiz_results.iter().map(|q| q.concept_id.as_str()),
        &known,
    )?;
    let quizzes = latest_quiz_scores(tables, as_of);
    if concepts.is_empty() && pairs.is_empty() && quizzes.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let cards = review_schedule(&tables.reviews, as_of, schedule)?.cards;
    mastery(&cards, &quizzes, &concepts, &pairs, as_of, config)
}

/// The first id of `ids` (the `(table, column)` of `column`, in row order) missing from `known`,
/// as an error naming the row: "unknown <what> <id>".
fn check_known<'a>(
    (table, col, what): (&str, &str, &str),
    ids: impl Iterator<Item = &'a str>,
    known: &BTreeSet<&str>,
) -> Result<()> {
    for (row, id) in ids.enumerate() {
        if !known.contains(id) {
            return Err(CoreError::validation(
                table,
                Some(row + 1),
                Some(col),
                format!("unknown {what} {id}"),
            ));
        }
    }
    Ok(())
}

/// Everything the content step decides from the input tables as of `as_of`. A transcript or a
/// play range of a recording missing from a non-empty `content` table is an error naming the row.
pub fn content_of_tables(
    tables: &Tables,
    as_of: DateTime<Utc>,
    config: &ContentConfig,
    schedule: &ScheduleParams,
) -> Result<ContentOutput> {
    config.validate()?;
    if !tables.content.is_empty() {
        let known: BTreeSet<&str> = tables
            .content
            .iter()
            .map(|c| c.content_id.as_str())
            .collect();
        let column = ("transcript_segments", "content_id", "content");
        let ids = tables
            .transcript_segments
            .iter()
            .map(|s| s.content_id.as_str());
        check_known(column, ids, &known)?;
        let column = ("content_views", "content_id", "content");
        let ids = tables.content_views.iter().map(|v| v.content_id.as_str());
        check_known(column, ids, &known)?;
    }
    let lessons = lessons(
        &tables.transcript_segments,
        &tables.content_views,
        as_of,
        config,
    )?;
    let (mastery, next_steps) = mastery_of_tables(tables, as_of, config, schedule)?;
    Ok(ContentOutput {
        as_of,
        lessons,
        mastery,
        next_steps,
    })
}

/// The job step writing `content_lessons`, `content_mastery` and `content_next_steps`.
#[derive(Debug, Clone, Default)]
pub struct ContentStep {
    /// Parameters (`[job.content]`).
    pub config: ContentConfig,
    /// The review schedule's parameters (`[job.repetition]`), for the card states.
    pub schedule: ScheduleParams,
}

impl Step for ContentStep {
    fn name(&self) -> &str {
        "content"
    }

    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput> {
        let out = content_of_tables(tables, as_of, &self.config, &self.schedule)?;
        Ok(StepOutput {
            results: out.to_results(),
            notifications: Vec::new(),
            summary: out.summary(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CardConcept, Concept as ConceptRow, Content, ContentKind, Review};
    use chrono::{Duration, TimeZone};

    fn concept(id: &str, pre: Option<&str>) -> ConceptRow {
        ConceptRow {
            concept_id: id.into(),
            name: id.to_uppercase(),
            prerequisite_ids: pre.map(str::to_string),
        }
    }

    fn tables() -> Tables {
        let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0).unwrap();
        let rev = |s: &str, c: &str, d: i64, g: u8| Review {
            student_id: s.into(),
            card_id: c.into(),
            at: t0 + Duration::days(d),
            rating: g,
            duration_ms: None,
        };
        Tables {
            content: vec![Content {
                content_id: "w1".into(),
                title: "Webinar".into(),
                kind: ContentKind::WebinarRecording,
                duration_s: 1260.0,
                course_id: None,
                position: None,
            }],
            transcript_segments: crate::content::lesson::tests::transcript("w1"),
            concepts: vec![concept("vars", None), concept("funcs", Some("vars"))],
            card_concepts: vec![
                CardConcept {
                    card_id: "v1".into(),
                    concept_id: "vars".into(),
                },
                CardConcept {
                    card_id: "f1".into(),
                    concept_id: "funcs".into(),
                },
            ],
            // ana knows vars and forgets funcs; ben only knows vars.
            reviews: vec![
                rev("ana", "v1", 0, 3),
                rev("ana", "v1", 3, 3),
                rev("ana", "f1", 3, 1),
                rev("ben", "v1", 0, 4),
                rev("ben", "v1", 4, 4),
            ],
            ..Tables::default()
        }
    }

    #[test]
    fn the_step_writes_lessons_mastery_and_next_steps() {
        let t = tables();
        let as_of = Utc.with_ymd_and_hms(2024, 1, 6, 0, 0, 0).unwrap();
        let step = ContentStep::default();
        let out = step.run(&t, as_of).unwrap();
        let lessons: Vec<LessonRow> = out.rows().unwrap();
        assert_eq!(lessons.len(), 3);
        assert_eq!(
            lessons.iter().map(|l| l.start_s).collect::<Vec<_>>(),
            [0.0, 420.0, 840.0]
        );
        // No engagement data: the recording's order.
        assert!(lessons
            .iter()
            .all(|l| l.engagement.is_none() && l.engagement_rank == l.lesson));
        let mastery: Vec<MasteryRow> = out.rows().unwrap();
        let cards = review_schedule(&t.reviews, as_of, &ScheduleParams::default())
            .unwrap()
            .cards;
        let r = |s: &str, c: &str| {
            cards
                .iter()
                .find(|x| x.student_id == s && x.card_id == c)
                .unwrap()
                .retrievability
        };
        let ana_funcs = mastery
            .iter()
            .find(|m| m.student_id == "ana" && m.concept_id == "funcs")
            .unwrap();
        assert_eq!(ana_funcs.mastery, r("ana", "f1"));
        assert!(ana_funcs.difficult);
        let next: Vec<NextStepRow> = out.rows().unwrap();
        assert_eq!(next.len(), 2);
        assert_eq!(
            (next[0].student_id.as_str(), next[0].concept_id.as_str()),
            ("ana", "funcs")
        );
        assert_eq!(next[0].reason, "lowest_mastery");
        assert_eq!(next[0].concept_name, "FUNCS");
        assert_eq!(
            (next[1].concept_id.as_str(), next[1].reason.as_str()),
            ("funcs", "new_concept")
        );
        assert_eq!(out.summary["lessons"], 3);
    }

    #[test]
    fn without_content_tables_the_step_writes_empty_tables() {
        let t = Tables {
            reviews: tables().reviews,
            ..Tables::default()
        };
        let out = ContentStep::default()
            .run(&t, Utc.with_ymd_and_hms(2024, 1, 6, 0, 0, 0).unwrap())
            .unwrap();
        assert_eq!(out.results.len(), 3);
        assert!(out.results.iter().all(|r| r.rows.is_empty()));
    }

    #[test]
    fn bad_content_tables_are_named_errors() {
        let as_of = Utc.with_ymd_and_hms(2024, 1, 6, 0, 0, 0).unwrap();
        let err = |t: &Tables| {
            ContentStep::default()
                .run(t, as_of)
                .unwrap_err()
                .to_string()
        };
        let mut t = tables();
        t.content[0].content_id = "other".into();
        let e = err(&t);
        assert!(
            e.contains("transcript_segments") && e.contains("unknown content w1"),
            "{e}"
        );
        let mut t = tables();
        t.content_views = vec![crate::model::ContentView {
            content_id: "nope".into(),
            person_id: "ana".into(),
            at: as_of - Duration::days(1),
            start_s: 0.0,
            end_s: 60.0,
        }];
        let e = err(&t);
        assert!(
            e.contains("content_views")
                && e.contains("row 1")
                && e.contains("unknown content nope"),
            "{e}"
        );
        let mut t = tables();
        t.quiz_results = vec![crate::model::QuizResult {
            student_id: "ana".into(),
            quiz_id: "q1".into(),
            concept_id: "zz".into(),
            at: as_of - Duration::days(1),
            score: 0.5,
        }];
        let e = err(&t);
        assert!(
            e.contains("quiz_results") && e.contains("unknown concept zz"),
            "{e}"
        );
        let mut t = tables();
        t.concepts = vec![
            concept("vars", Some("funcs")),
            concept("funcs", Some("vars")),
        ];
        let e = err(&t);
        assert!(
            e.contains("prerequisite cycle: funcs → vars → funcs"),
            "{e}"
        );
        let mut t = tables();
        t.card_concepts[1].concept_id = "nope".into();
        let e = err(&t);
        assert!(
            e.contains("card_concepts") && e.contains("unknown concept nope"),
            "{e}"
        );
        let mut t = tables();
        t.transcript_segments[1].start_s = 2.0;
        let e = err(&t);
        assert!(
            e.contains("transcript_segments") && e.contains("before the previous segment ends"),
            "{e}"
        );
    }
}
