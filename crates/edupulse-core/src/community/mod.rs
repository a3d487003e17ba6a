//! Community: what each student should attend or take next, and why.
//!
//! Decides, from (student, item) interactions — items are webinars, courses or content; the
//! weight comes from attendance, watch share or purchases — and optionally each student's
//! segment (role, industry):
//! - **recommendations** ([`recommend`]): implicit-feedback ALS, item-item neighbours or
//!   popularity by segment (the cold-start fallback), consumed items excluded, and a
//!   [`Reason`] per recommendation: the student's items that led to it, or "popular with
//!   <role> in <industry>";
//! - **gamification** ([`gamification`]): an idempotent points ledger (the source's points per
//!   activity kind), badges, monthly and all-time leaderboards, and participation segments
//!   (active / occasional / silent) with the share active against the source's 40 % target;
//! - **matching** ([`matching`]): optimal mentor ↔ mentee pairs (Hungarian algorithm, stated
//!   objective, a reason per pair); **study groups** of 4–6 ([`groups`]: capacitated k-medoids,
//!   each assignment step an exact min-cost flow, a reason per member);
//! - **the job step** ([`step`], `[job.community]`): the ledger, badges (one notification
//!   each), leaderboards, participation KPIs, pairs, groups and upcoming-webinar
//!   recommendations ([`upcoming`]) with a weekly digest.
//!
//! The numeric models are generic learners and live in
//! [`edupulse_learn::implicit`](crate::learn::implicit) (sparse matrix, ALS with a
//! conjugate-gradient solver, item kNN, top-k); this module maps ids, segments and reasons onto
//! them.
//!
//! ```
//! use edupulse_core::community::{Interaction, Recommender, RecommenderParams, RecommenderModel};
//! let mut xs = Vec::new();
//! for u in 0..30 {
//!     let base = if u < 15 { 0 } else { 4 };
//!     for i in base..base + 4 {
//!         if i != base + u % 4 {
//!             xs.push(Interaction::new(&format!("s{u}"), &format!("w{i}"), 1.0));
//!         }
//!     }
//! }
//! let params = RecommenderParams { model: RecommenderModel::ItemKnn, ..RecommenderParams::default() };
//! let rec = Recommender::fit(&xs, &[], &params).unwrap();
//! let out = rec.recommend(&["s1".to_string()], 1, true, None).unwrap();
//! assert_eq!(out[0].item_id, "w1");
//! assert!(!out[0].fallback);
//! ```

pub mod gamification;
pub mod groups;
pub mod matching;
pub mod recommend;
pub mod step;
pub mod upcoming;

pub use gamification::{
    badges, leaderboard, participation, points, Badge, BadgeKind, GamificationParams,
    LeaderboardRow, LedgerEntry, Participation, ParticipationReport, Period,
};
pub use groups::{peer_similarity, study_groups, StudyGroupRow};
pub use matching::{
    hungarian, match_mentors, match_mentors_with, mentor_capacities, profiles, MatchParams,
    MentorPair, Profile,
};
pub use recommend::{
    Interaction, Reason, Recommendation, Recommender, RecommenderModel, RecommenderParams,
    UserSegment,
};
pub use step::{community_table, CommunityConfig, CommunityStep};
pub use upcoming::{recommend_upcoming, UpcomingParams, UpcomingRecommendation};

#[cfg(test)]
mod gamification_tests;
#[cfg(test)]
mod groups_tests;
#[cfg(test)]
mod step_tests;
#[cfg(test)]
mod tests;
