//! Content: micro-lessons from long recordings and what each learner should study next.
//!
//! From transcript segments (content, start, end, text) it decides topical micro-lessons of
//! 5–10 minutes with a title and key terms (chapters as WebVTT, SRT or JSON); from concepts (with
//! prerequisites), the mapping of cards to concepts and the learners' FSRS card states it decides
//! each learner's mastery per concept, their difficult concepts and the concept to study next
//! with the reason; from play ranges of the recordings (`content_views`) it orders each recording's
//! lessons by engagement. Inputs: the `content`, `transcript_segments`, `content_views`,
//! `concepts` and `card_concepts` tables (all optional) and `reviews`; [`step`] is the `content` job step. [`eval`] scores
//! segmentations (Pk, WindowDiff).
//!
//! - [`text`]: words, Spanish and English stop words, term vectors;
//! - [`segment`]: lexical-cohesion segmentation (C99 rank matrix, dynamic programming);
//! - [`lesson`]: micro-lessons of a transcript, key terms, titles, chapters;
//! - [`engage`]: ordering micro-lessons by engagement (watch share, replays, quiz results);
//! - [`views`]: per-lesson viewers, watch share and replays from play ranges;
//! - [`mastery`]: mastery per learner and concept, difficult concepts, the next concept;
//! - [`step`]: the `content` job step and its result tables;
//! - [`eval`]: Pk and WindowDiff.

pub mod engage;
pub mod eval;
pub mod lesson;
pub mod mastery;
pub mod segment;
pub mod step;
pub mod text;
pub mod views;

pub use engage::{order_by_engagement, EngagementParams, LessonEngagement, LessonRank};
pub use lesson::{
    chapters, segment_transcript, ChapterFormat, LessonParams, MicroLesson, TranscriptSegment,
};
pub use segment::{segment_text, SegmentParams};
pub use views::{engagement_from_views, MIN_WATCHED_S};
