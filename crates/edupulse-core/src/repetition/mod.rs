//! Spaced repetition: when should each learner review each concept so that it is still remembered?
//!
//! From the `reviews` table (student, card, time, rating 1–4) it decides, per card, the memory
//! state and the next due date (FSRS-6, the scheduler inside Anki, to py-fsrs's numbers; SM-2 as a
//! baseline), per learner the due queue for a day and the next reminder time, per concept the
//! difficulty and retention across learners and whether it is "stuck" (repeated recent lapses,
//! in episodes that end when the learner recovers), and it fits the 21 FSRS parameters to a
//! review log.
//!
//! - [`adapt`]: difficulty adjustment, each learner's target retention from recent success;
//! - [`batch`]: next states for millions of cards, due queues, load balancing, forecast;
//! - [`fsrs`]: FSRS-6 formulas, intervals, fuzz and py-fsrs's learning-step state machine;
//! - [`eval`]: srs-benchmark scoring on a review log (time-series split);
//! - [`optimize`]: fitting the 21 parameters (own gradient fit);
//! - [`schedule`]: the daily review schedule, stuck concepts and learners (job step);
//! - `stuck`: stuck episodes of pairs, learners and concepts (lapses within a window);
//! - [`sm2`]: SM-2 (original, srs-benchmark's trainable form, Anki) as a baseline;

pub mod adapt;
pub mod batch;
pub mod eval;
pub mod fsrs;
pub(crate) mod kernel;
pub mod optimize;
pub(crate) mod real;
pub mod schedule;
pub mod sm2;
pub(crate) mod stuck;

pub use adapt::AdaptParams;
pub use fsrs::{
    Card, CardState, Fsrs, FsrsParams, MemoryState, Rating, ReplayStep, Scheduler,
    DEFAULT_PARAMETERS,
};
pub use schedule::{
    review_schedule, LearnerTarget, ReviewSchedule, ReviewScheduleStep, ScheduleParams,
};
