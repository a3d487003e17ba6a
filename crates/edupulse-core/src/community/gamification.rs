//! Gamification and participation: points, badges, leaderboards and community segments.
//!
//! Decides, from `activity` (and `registrations` × `webinars` for attendance streaks) as of a
//! time:
//! - a **points ledger**: one entry per activity event (its key `student_id, at, kind`), so an
//!   event earns once and recomputing adds nothing; points per kind are the source's defaults
//!   (webinar attended 10, certificate / course completed 50, referral 25, post or comment 5,
//!   share 15; other kinds 0), configurable;
//! - **badges**: first webinar, perfect attendance (`perfect_attendance_streak` = 5 consecutive
//!   registered webinars attended), top `top_month` (10) of a completed month by points,
//!   referral master (`referral_master` = 3 referrals); each earned once, with its time;
//! - **leaderboards**: the month of `as_of` (month to date) and all time, top
//!   `leaderboard_size` (100), ties by student id;
//! - **participation segments**: active (≥ `active_min_actions` community actions — posts,
//!   comments, shares, webinars attended — in the last `window_days`), occasional (≥ 1) or
//!   silent, and the community KPI: the share active against the source's 40 % target.

use crate::error::{CoreError, Result};
use crate::model::{Activity, ActivityKind, Registration, Student, Webinar};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Parameters of the gamification and participation rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GamificationParams {
    /// Points for `webinar_attended` (source: 10).
    pub webinar_attended: i64,
    /// Points for `certificate`, the course-completed event (source: 50).
    pub certificate: i64,
    /// Points for `referral` (source: 25).
    pub referral: i64,
    /// Points for `post` (source: 5).
    pub post: i64,
    /// Points for `comment` (source: 5).
    pub comment: i64,
    /// Points for `share` (source: 15).
    pub share: i64,
    /// Consecutive registered webinars attended for the perfect-attendance badge (5).
    pub perfect_attendance_streak: usize,
    /// Referrals for the referral-master badge (3).
    pub referral_master: usize,
    /// Ranks of a month that earn the top-of-month badge (10).
    pub top_month: usize,
    /// Rows of a leaderboard (100).
    pub leaderboard_size: usize,
    /// Days of the participation window (30).
    pub window_days: i64,
    /// Community actions in the window that make a student active (4).
    pub active_min_actions: usize,
    /// The source's target share of actively participating students (0.40).
    pub active_target: f64,
    /// The local clock (`[job] timezone`, set by the job; not a configuration key; UTC by
    /// default): leaderboard and top-of-month months are local calendar months, the
    /// participation window is local days.
    #[serde(skip)]
    pub clock: crate::clock::LocalClock,
}

impl Default for GamificationParams {
    fn default() -> Self {
        GamificationParams {
            webinar_attended: 10,
            certificate: 50,
            referral: 25,
            post: 5,
            comment: 5,
            share: 15,
            perfect_attendance_streak: 5,
            referral_master: 3,
            top_month: 10,
            leaderboard_size: 100,
            window_days: 30,
            active_min_actions: 4,
            active_target: 0.40,
            clock: crate::clock::LocalClock::UTC,
        }
    }
}

impl GamificationParams {
    /// Points ≥ 0, counts ≥ 1, `window_days ≥ 1`, `active_target` in [0, 1].
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("webinar_attended", self.webinar_attended),
            ("certificate", self.certificate),
            ("referral", self.referral),
            ("post", self.post),
            ("comment", self.comment),
            ("share", self.share),
        ] {
            if v < 0 {
                return Err(CoreError::param(name, "points must be ≥ 0"));
            }
        }
        for (name, v) in [
            ("perfect_attendance_streak", self.perfect_attendance_streak),
            ("referral_master", self.referral_master),
            ("top_month", self.top_month),
            ("leaderboard_size", self.leaderboard_size),
            ("active_min_actions", self.active_min_actions),
        ] {
            if v == 0 {
                return Err(CoreError::param(name, "must be ≥ 1"));
            }
        }
        if self.window_days < 1 {
            return Err(CoreError::param("window_days", "must be ≥ 1"));
        }
        if !(0.0..=1.0).contains(&self.active_target) {
            return Err(CoreError::param("active_target", "must be in [0, 1]"));
        }
        Ok(())
    }

    /// Points of one activity kind.
    pub fn points_for(&self, kind: ActivityKind) -> i64 {
        match kind {
            ActivityKind::WebinarAttended => self.webinar_attended,
            ActivityKind::Certificate => self.certificate,
            ActivityKind::Referral => self.referral,
            ActivityKind::Post => self.post,
            ActivityKind::Comment => self.comment,
            ActivityKind::Share => self.share,
            _ => 0,
        }
    }
}

/// One ledger entry: the points one activity event earned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// The student.
    pub student_id: String,
    /// When the event happened.
    pub at: DateTime<Utc>,
    /// The activity kind (`webinar_attended`, ...).
    pub kind: String,
    /// Points earned.
    pub points: i64,
    /// The event's key (`student_id|at|kind`): an event earns once.
    pub event_key: String,
}

/// The points ledger as of `as_of`: one entry per distinct activity event with points > 0,
/// ordered by time then student.
pub fn points(
    activity: &[Activity],
    as_of: DateTime<Utc>,
    params: &GamificationParams,
) -> Result<Vec<LedgerEntry>> {
    params.validate()?;
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for a in activity {
        let p = params.points_for(a.kind);
        if a.at > as_of || p == 0 {
            continue;
        }
        let key = format!("{}|{}|{}", a.student_id, a.at.to_rfc3339(), a.kind.as_str());
        if seen.insert(key.clone()) {
            out.push(LedgerEntry {
                student_id: a.student_id.clone(),
                at: a.at,
                kind: a.kind.as_str().to_string(),
                points: p,
                event_key: key,
            });
        }
    }
    out.sort_by(|a, b| {
        a.at.cmp(&b.at)
            .then(a.student_id.cmp(&b.student_id))
            .then(a.kind.cmp(&b.kind))
    });
    Ok(out)
}

/// A badge kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BadgeKind {
    /// The first webinar attended.
    FirstWebinar,
    /// N consecutive registered webinars attended.
    PerfectAttendance,
    /// Top N of a month by points.
    TopOfMonth,
    /// N referrals.
    ReferralMaster,
}

impl BadgeKind {
    /// The snake-case code.
    pub fn as_str(self) -> &'static str {
        match self {
            BadgeKind::FirstWebinar => "first_webinar",
            BadgeKind::PerfectAttendance => "perfect_attendance",
            BadgeKind::TopOfMonth => "top_of_month",
            BadgeKind::ReferralMaster => "referral_master",
        }
    }

    /// Spanish label.
    pub fn label_es(self) -> &'static str {
        match self {
            BadgeKind::FirstWebinar => "Primer webinar",
            BadgeKind::PerfectAttendance => "Asistencia perfecta",
            BadgeKind::TopOfMonth => "Top del mes",
            BadgeKind::ReferralMaster => "Maestro de referidos",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            BadgeKind::FirstWebinar => "First webinar",
            BadgeKind::PerfectAttendance => "Perfect attendance",
            BadgeKind::TopOfMonth => "Top of the month",
            BadgeKind::ReferralMaster => "Referral master",
        }
    }
}

/// A badge a student earned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Badge {
    /// The student.
    pub student_id: String,
    /// Which badge.
    pub badge: BadgeKind,
    /// When it was earned.
    pub earned_at: DateTime<Utc>,
    /// The month (`YYYY-MM`) for top-of-month badges, else empty.
    pub period: String,
    /// The dedupe key of its notification (`community:badge:<badge>:<student>[:<period>]`).
    pub dedupe_key: String,
}

fn badge(student: &str, kind: BadgeKind, at: DateTime<Utc>, period: &str) -> Badge {
    let mut key = format!("community:badge:{}:{student}", kind.as_str());
    if !period.is_empty() {
        key.push(':');
        key.push_str(period);
    }
    Badge {
        student_id: student.to_string(),
        badge: kind,
        earned_at: at,
        period: period.to_string(),
        dedupe_key: key,
    }
}

/// Every badge earned by `as_of`, ordered by time, badge and student.
pub fn badges(
    activity: &[Activity],
    registrations: &[Registration],
    webinars: &[Webinar],
    as_of: DateTime<Utc>,
    params: &GamificationParams,
) -> Result<Vec<Badge>> {
    let ledger = points(activity, as_of, params)?;
    let mut out = Vec::new();
    // First webinar and referral master from the ledger (distinct events, in time order).
    let mut first: BTreeMap<&str, DateTime<Utc>> = BTreeMap::new();
    let mut referrals: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &ledger {
        if e.kind == ActivityKind::WebinarAttended.as_str() {
            first.entry(e.student_id.as_str()).or_insert(e.at);
        }
        if e.kind == ActivityKind::Referral.as_str() {
            let n = referrals.entry(e.student_id.as_str()).or_insert(0);
            *n += 1;
            if *n == params.referral_master {
                out.push(badge(&e.student_id, BadgeKind::ReferralMaster, e.at, ""));
            }
        }
    }
    for (s, at) in first {
        out.push(badge(s, BadgeKind::FirstWebinar, at, ""));
    }
    // Perfect attendance: registrations in webinar start order, streak of attended.
    let starts: HashMap<&str, DateTime<Utc>> = webinars
        .iter()
        .map(|w| (w.webinar_id.as_str(), w.starts_at))
        .collect();
    type Attended<'a> = Vec<(DateTime<Utc>, &'a str, bool)>;
    let mut by_person: BTreeMap<&str, Attended<'_>> = BTreeMap::new();
    for r in registrations {
        if let Some(&t) = starts.get(r.webinar_id.as_str()) {
            if t <= as_of {
                by_person.entry(r.person_id.as_str()).or_default().push((
                    t,
                    r.webinar_id.as_str(),
                    r.attended,
                ));
            }
        }
    }
    for (p, mut regs) in by_person {
        regs.sort();
        let mut streak = 0;
        for (t, _, attended) in regs {
            streak = if attended { streak + 1 } else { 0 };
            if streak == params.perfect_attendance_streak {
                out.push(badge(p, BadgeKind::PerfectAttendance, t, ""));
                break;
            }
        }
    }
    // Top of each completed month.
    let mut months: BTreeMap<String, BTreeMap<&str, i64>> = BTreeMap::new();
    for e in &ledger {
        if params.clock.month_start(e.at, 1) <= as_of {
            *months
                .entry(params.clock.month_key(e.at))
                .or_default()
                .entry(e.student_id.as_str())
                .or_insert(0) += e.points;
        }
    }
    for (month, totals) in &months {
        let end = ledger
            .iter()
            .find(|e| &params.clock.month_key(e.at) == month)
            .map(|e| params.clock.month_start(e.at, 1))
            .unwrap_or(as_of);
        for (s, _) in rank(totals).into_iter().take(params.top_month) {
            out.push(badge(s, BadgeKind::TopOfMonth, end, month));
        }
    }
    out.sort_by(|a, b| {
        a.earned_at
            .cmp(&b.earned_at)
            .then(a.badge.cmp(&b.badge))
            .then(a.student_id.cmp(&b.student_id))
    });
    Ok(out)
}

/// Students by points, highest first, ties by id.
fn rank<'a>(totals: &BTreeMap<&'a str, i64>) -> Vec<(&'a str, i64)> {
    let mut v: Vec<(&str, i64)> = totals.iter().map(|(s, p)| (*s, *p)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}

/// Which leaderboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Period {
    /// The calendar month of `as_of`, to date.
    Month,
    /// Every event up to `as_of`.
    AllTime,
}

impl std::str::FromStr for Period {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "month" => Ok(Period::Month),
            "all" | "all_time" => Ok(Period::AllTime),
            other => Err(CoreError::param(
                "period",
                format!("unknown period `{other}` (month, all_time)"),
            )),
        }
    }
}

/// One leaderboard row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderboardRow {
    /// `YYYY-MM` or `all_time`.
    pub period: String,
    /// 1-based rank (ties broken by student id).
    pub rank: usize,
    /// The student.
    pub student_id: String,
    /// Points in the period.
    pub points: i64,
}

/// The top `leaderboard_size` students of `period` as of `as_of`.
pub fn leaderboard(
    activity: &[Activity],
    as_of: DateTime<Utc>,
    period: Period,
    params: &GamificationParams,
) -> Result<Vec<LeaderboardRow>> {
    let ledger = points(activity, as_of, params)?;
    let from = match period {
        Period::Month => Some(params.clock.month_start(as_of, 0)),
        Period::AllTime => None,
    };
    let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
    for e in &ledger {
        if from.is_none_or(|f| e.at >= f) {
            *totals.entry(e.student_id.as_str()).or_insert(0) += e.points;
        }
    }
    let name = match period {
        Period::Month => params.clock.month_key(as_of),
        Period::AllTime => "all_time".to_string(),
    };
    Ok(rank(&totals)
        .into_iter()
        .take(params.leaderboard_size)
        .enumerate()
        .map(|(i, (s, p))| LeaderboardRow {
            period: name.clone(),
            rank: i + 1,
            student_id: s.to_string(),
            points: p,
        })
        .collect())
}

/// A student's participation segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Participation {
    /// ≥ `active_min_actions` community actions in the window.
    Active,
    /// At least one.
    Occasional,
    /// None.
    Silent,
}

/// Participation of every student, and the community KPI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipationReport {
    /// (student_id, actions in the window, segment), by student id.
    pub students: Vec<(String, usize, Participation)>,
    /// Share of students active.
    pub active_share: f64,
    /// Share occasional.
    pub occasional_share: f64,
    /// Share silent.
    pub silent_share: f64,
    /// The target share active (source: 0.40).
    pub target: f64,
    /// Whether the active share meets the target.
    pub meets_target: bool,
}

/// Segments over `students` (plus anyone with activity) from posts, comments, shares and
/// webinars attended in `(as_of − window_days, as_of]`.
pub fn participation(
    students: &[Student],
    activity: &[Activity],
    as_of: DateTime<Utc>,
    params: &GamificationParams,
) -> Result<ParticipationReport> {
    params.validate()?;
    let from = params.clock.add_days(as_of, -params.window_days);
    let mut counts: BTreeMap<&str, BTreeSet<(DateTime<Utc>, ActivityKind)>> = BTreeMap::new();
    for s in students {
        counts.entry(s.student_id.as_str()).or_default();
    }
    for a in activity {
        let community = matches!(
            a.kind,
            ActivityKind::Post
                | ActivityKind::Comment
                | ActivityKind::Share
                | ActivityKind::WebinarAttended
        );
        let c = counts.entry(a.student_id.as_str()).or_default();
        if community && a.at > from && a.at <= as_of {
            c.insert((a.at, a.kind));
        }
    }
    let rows: Vec<(String, usize, Participation)> = counts
        .into_iter()
        .map(|(s, c)| {
            let n = c.len();
            let seg = if n >= params.active_min_actions {
                Participation::Active
            } else if n > 0 {
                Participation::Occasional
            } else {
                Participation::Silent
            };
            (s.to_string(), n, seg)
        })
        .collect();
    let total = rows.len().max(1) as f64;
    let share = |p: Participation| rows.iter().filter(|r| r.2 == p).count() as f64 / total;
    let active_share = share(Participation::Active);
    Ok(ParticipationReport {
        active_share,
        occasional_share: share(Participation::Occasional),
        silent_share: share(Participation::Silent),
        target: params.active_target,
        meets_target: active_share >= params.active_target,
        students: rows,
    })
}
