//! The community step of the daily job (`[job.community]`).
//!
//! Reads `activity`, `students`, `registrations` and `webinars` as of the run and writes:
//! - `community_points`: the points ledger, one row per activity event that earns points (key
//!   `event_key` = `student|at|kind`, so an event earns once and a rerun rewrites the same rows);
//! - `community_badges`: every badge earned by the run, one outbox notification per badge
//!   (dedupe key `community:badge:<badge>:<student>[:<month>]`) for badges earned within
//!   `badge_lookback_days` (a first run on a long history does not flood the outbox);
//! - `community_leaderboard`: the month to date and all time, top `leaderboard_size` each;
//! - `community_participation` and `community_kpi`: active / occasional / silent per student
//!   and the share active against the source's 40 % target;
//! - `community_mentor_pairs` ([`super::matching`]) and `community_study_groups` ([`super::groups`]);
//! - `community_recommendations`: upcoming webinars per student with a reason, and a weekly
//!   digest notification per student ([`super::upcoming`]).

use super::gamification::{
    badges, leaderboard, participation, points, GamificationParams, Participation, Period,
};
use super::groups::study_groups;
use super::matching::{match_mentors_with, mentor_capacities, profiles, MatchParams};
use super::upcoming::{digest_notifications, recommend_upcoming, UpcomingParams};
use crate::error::{CoreError, Result};
use crate::job::{Step, StepOutput};
use crate::model::Tables;
use crate::results::{Notification, ResultSet, Severity};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Parameters of the community step (`[job.community]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommunityConfig {
    /// Points per activity kind, badge thresholds, leaderboard size, participation window
    /// (`[job.community.gamification]`).
    pub gamification: GamificationParams,
    /// Badge notifications only for badges earned within this many days before the run (30).
    pub badge_lookback_days: u32,
    /// Mentor ↔ mentee matching and study groups (`[job.community.matching]`).
    pub matching: MatchParams,
    /// Upcoming-webinar recommendations and the weekly digest (`[job.community.recommend]`).
    pub recommend: UpcomingParams,
}

impl Default for CommunityConfig {
    fn default() -> Self {
        CommunityConfig {
            gamification: GamificationParams::default(),
            badge_lookback_days: 30,
            matching: MatchParams::default(),
            recommend: UpcomingParams::default(),
        }
    }
}

impl CommunityConfig {
    /// Check every field.
    pub fn validate(&self) -> Result<()> {
        self.gamification.validate()?;
        if self.badge_lookback_days == 0 {
            return Err(CoreError::param("badge_lookback_days", "must be ≥ 1"));
        }
        self.matching.validate()?;
        self.recommend.validate()
    }
}

crate::result_table! {
    /// One points-ledger entry: the points one activity event earned (an event earns once).
    #[table = "community_points", step = "community", key = [event_key]]
    pub struct PointsRow {
        /// The event's key `student_id|at|kind`.
        pub event_key: String,
        /// The student.
        pub student_id: String,
        /// When the event happened.
        pub at: DateTime<Utc>,
        /// The activity kind.
        pub kind: String,
        /// Points earned (`[job.community.gamification]`).
        pub points: i64,
    }
}

crate::result_table! {
    /// A badge a student earned: first webinar, perfect attendance, top of a month, referral
    /// master.
    #[table = "community_badges", step = "community", key = [student_id, badge, period]]
    pub struct BadgeRow {
        /// The student.
        pub student_id: String,
        /// `first_webinar`, `perfect_attendance`, `top_of_month` or `referral_master`.
        pub badge: String,
        /// The month (`YYYY-MM`) of a top-of-month badge, else empty.
        pub period: String,
        /// When it was earned.
        pub earned_at: DateTime<Utc>,
        /// Spanish label.
        pub label: String,
        /// The dedupe key of its notification.
        pub dedupe_key: String,
    }
}

crate::result_table! {
    /// A leaderboard row: the month to date (`YYYY-MM`) or all time.
    #[table = "community_leaderboard", step = "community", key = [period, rank]]
    pub struct LeaderboardEntry {
        /// `YYYY-MM` (month of the run, to date) or `all_time`.
        pub period: String,
        /// 1-based rank (ties by student id).
        pub rank: u32,
        /// The student.
        pub student_id: String,
        /// Points in the period.
        pub points: i64,
    }
}

crate::result_table! {
    /// A student's community participation over the window: community actions (posts,
    /// comments, shares, webinars attended) and the segment.
    #[table = "community_participation", step = "community", key = [student_id]]
    pub struct ParticipationRow {
        /// The student.
        pub student_id: String,
        /// Community actions in the window.
        pub actions: u32,
        /// `active`, `occasional` or `silent`.
        pub segment: String,
    }
}

crate::result_table! {
    /// The community KPIs of the run: the shares of each participation segment and the share
    /// active against the source's target (40 %).
    #[table = "community_kpi", step = "community", key = []]
    pub struct CommunityKpiRow {
        /// Students counted.
        pub students: u32,
        /// Share active.
        pub active_share: f64,
        /// Share occasional.
        pub occasional_share: f64,
        /// Share silent.
        pub silent_share: f64,
        /// The target share active.
        pub target: f64,
        /// Whether the active share meets the target.
        pub meets_target: bool,
        /// Days of the participation window.
        pub window_days: u32,
    }
}

/// The segment's name.
pub fn segment_name(p: Participation) -> &'static str {
    match p {
        Participation::Active => "active",
        Participation::Occasional => "occasional",
        Participation::Silent => "silent",
    }
}

/// The points ledger as `community_points` rows.
pub fn points_rows(
    tables: &Tables,
    as_of: DateTime<Utc>,
    params: &GamificationParams,
) -> Result<Vec<PointsRow>> {
    Ok(points(&tables.activity, as_of, params)?
        .into_iter()
        .map(|e| PointsRow {
            event_key: e.event_key,
            student_id: e.student_id,
            at: e.at,
            kind: e.kind,
            points: e.points,
        })
        .collect())
}

/// Every badge earned by `as_of` as `community_badges` rows.
pub fn badge_rows(
    tables: &Tables,
    as_of: DateTime<Utc>,
    params: &GamificationParams,
) -> Result<Vec<BadgeRow>> {
    Ok(badges(
        &tables.activity,
        &tables.registrations,
        &tables.webinars,
        as_of,
        params,
    )?
    .into_iter()
    .map(|b| BadgeRow {
        student_id: b.student_id,
        badge: b.badge.as_str().to_string(),
        period: b.period,
        earned_at: b.earned_at,
        label: b.badge.label_es().to_string(),
        dedupe_key: b.dedupe_key,
    })
    .collect())
}

/// The leaderboard of `period` as `community_leaderboard` rows.
pub fn leaderboard_rows(
    tables: &Tables,
    as_of: DateTime<Utc>,
    period: Period,
    params: &GamificationParams,
) -> Result<Vec<LeaderboardEntry>> {
    Ok(leaderboard(&tables.activity, as_of, period, params)?
        .into_iter()
        .map(|r| LeaderboardEntry {
            period: r.period,
            rank: u32::try_from(r.rank).unwrap_or(u32::MAX),
            student_id: r.student_id,
            points: r.points,
        })
        .collect())
}

/// Participation rows and the KPI row.
pub fn participation_rows(
    tables: &Tables,
    as_of: DateTime<Utc>,
    params: &GamificationParams,
) -> Result<(Vec<ParticipationRow>, CommunityKpiRow)> {
    let students: Vec<_> = tables
        .students
        .iter()
        .filter(|s| s.enrolled_at <= as_of)
        .cloned()
        .collect();
    let rep = participation(&students, &tables.activity, as_of, params)?;
    let kpi = CommunityKpiRow {
        students: u32::try_from(rep.students.len()).unwrap_or(u32::MAX),
        active_share: rep.active_share,
        occasional_share: rep.occasional_share,
        silent_share: rep.silent_share,
        target: rep.target,
        meets_target: rep.meets_target,
        window_days: u32::try_from(params.window_days).unwrap_or(u32::MAX),
    };
    let rows = rep
        .students
        .into_iter()
        .map(|(s, n, p)| ParticipationRow {
            student_id: s,
            actions: u32::try_from(n).unwrap_or(u32::MAX),
            segment: segment_name(p).to_string(),
        })
        .collect();
    Ok((rows, kpi))
}

fn badge_notification(b: &BadgeRow, as_of: DateTime<Utc>) -> Notification {
    let period = if b.period.is_empty() {
        String::new()
    } else {
        format!(" ({})", b.period)
    };
    Notification {
        dedupe_key: b.dedupe_key.clone(),
        kind: "community_badge".into(),
        severity: Severity::Low,
        title: format!("Insignia: {}{period} — {}", b.label, b.student_id),
        body: format!(
            "{} earned the badge {}{period} at {}.",
            b.student_id,
            b.badge,
            crate::model::format_datetime(&b.earned_at)
        ),
        payload: serde_json::to_value(b).unwrap_or_default(),
        created_at: as_of,
    }
}

/// One community result table computed on its own (what the Python functions and the CLI call):
/// `community_points`, `community_badges`, `community_leaderboard` (`period`: month — the
/// default — or all time), `community_participation`, `community_kpi`,
/// `community_mentor_pairs`, `community_study_groups` or `community_recommendations`. Unlike the
/// step, too few participants for a study group is an error here. An unknown name is an
/// [`InvalidParameter`](CoreError::InvalidParameter) error on `table`.
pub fn community_table(
    tables: &Tables,
    as_of: DateTime<Utc>,
    config: &CommunityConfig,
    table: &str,
    period: Option<Period>,
) -> Result<ResultSet> {
    config.validate()?;
    let g = &config.gamification;
    Ok(match table {
        "community_points" => ResultSet::of(as_of, &points_rows(tables, as_of, g)?),
        "community_badges" => ResultSet::of(as_of, &badge_rows(tables, as_of, g)?),
        "community_leaderboard" => ResultSet::of(
            as_of,
            &leaderboard_rows(tables, as_of, period.unwrap_or(Period::Month), g)?,
        ),
        "community_participation" => ResultSet::of(as_of, &participation_rows(tables, as_of, g)?.0),
        "community_kpi" => ResultSet::of(as_of, &[participation_rows(tables, as_of, g)?.1]),
        "community_mentor_pairs" => {
            let people = profiles(tables, as_of, g)?;
            let caps = mentor_capacities(&tables.mentors, config.matching.capacity);
            ResultSet::of(
                as_of,
                &match_mentors_with(&people, &caps, as_of, &config.matching)?,
            )
        }
        "community_study_groups" => {
            let people = profiles(tables, as_of, g)?;
            let (part, _) = participation_rows(tables, as_of, g)?;
            ResultSet::of(as_of, &study_groups(&people, &part, &config.matching)?)
        }
        "community_recommendations" => ResultSet::of(
            as_of,
            &recommend_upcoming(tables, as_of, &config.recommend)?,
        ),
        other => {
            return Err(CoreError::param(
                "table",
                format!(
                    "unknown community table `{other}` (community_points, community_badges, \
                     community_leaderboard, community_participation, community_kpi, \
                     community_mentor_pairs, community_study_groups, community_recommendations)"
                ),
            ))
        }
    })
}

/// The community step.
#[derive(Debug, Clone, Default)]
pub struct CommunityStep {
    /// Parameters.
    pub config: CommunityConfig,
}

impl Step for CommunityStep {
    fn name(&self) -> &str {
        "community"
    }

    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput> {
        let cfg = &self.config;
        cfg.validate()?;
        let g = &cfg.gamification;
        let ledger = points_rows(tables, as_of, g)?;
        let earned = badge_rows(tables, as_of, g)?;
        let mut board = leaderboard_rows(tables, as_of, Period::Month, g)?;
        board.extend(leaderboard_rows(tables, as_of, Period::AllTime, g)?);
        let (part, kpi) = participation_rows(tables, as_of, g)?;
        let since = g.clock.add_days(as_of, -i64::from(cfg.badge_lookback_days));
        let mut notifications: Vec<Notification> = earned
            .iter()
            .filter(|b| b.earned_at > since)
            .map(|b| badge_notification(b, as_of))
            .collect();
        let people = profiles(tables, as_of, g)?;
        let caps = mentor_capacities(&tables.mentors, cfg.matching.capacity);
        let pairs = match_mentors_with(&people, &caps, as_of, &cfg.matching)?;
        let groups = match study_groups(&people, &part, &cfg.matching) {
            Ok(g) => g,
            // Fewer participants than a group: no groups this run (the Python API raises).
            Err(CoreError::InvalidParameter { .. }) => Vec::new(),
            Err(e) => return Err(e),
        };
        let recs = recommend_upcoming(tables, as_of, &cfg.recommend)?;
        if cfg.recommend.digest {
            notifications.extend(digest_notifications(&recs, tables, as_of, &g.clock));
        }
        let summary = serde_json::json!({
            "ledger_entries": ledger.len(),
            "points": ledger.iter().map(|e| e.points).sum::<i64>(),
            "badges": earned.len(),
            "active_share": kpi.active_share,
            "meets_target": kpi.meets_target,
            "mentor_pairs": pairs.len(),
            "study_groups": groups.iter().map(|g| g.group_id.as_str()).collect::<std::collections::BTreeSet<_>>().len(),
            "recommendations": recs.len(),
        });
        Ok(StepOutput {
            results: vec![
                ResultSet::of(as_of, &ledger),
                ResultSet::of(as_of, &earned),
                ResultSet::of(as_of, &board),
                ResultSet::of(as_of, &part),
                ResultSet::of(as_of, &[kpi]),
                ResultSet::of(as_of, &pairs),
                ResultSet::of(as_of, &groups),
                ResultSet::of(as_of, &recs),
            ],
            notifications,
            summary,
        })
    }
}
