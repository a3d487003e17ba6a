//! Local time in the remaining steps (churn, repetition, certification, community, feedback,
//! demand topics): their days, ISO weeks and months follow `[job] timezone` across the 2026
//! Europe/Madrid daylight-saving changes (29 March, 25 October), and UTC keeps the UTC reading.

use super::*;
use crate::clock::LocalClock;
use crate::model::{Activity, ActivityKind, Student};
use chrono::{NaiveDate, TimeZone};

fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap()
}

fn madrid() -> LocalClock {
    LocalClock::new("Europe/Madrid").unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn act(student: &str, at: DateTime<Utc>, kind: ActivityKind) -> Activity {
    Activity {
        student_id: student.into(),
        at,
        kind,
        value: None,
        ref_id: None,
    }
}

#[test]
fn local_days_and_months_cross_both_changes() {
    let m = madrid();
    // Madrid midnight before the spring change to midnight after it: 23 hours for one day.
    let sat = utc(2026, 3, 28, 23, 0); // Sunday 29 March 00:00 CET
    assert_eq!(m.add_days(sat, 1), utc(2026, 3, 29, 22, 0));
    // 30 local days back from a summer instant cross the change: 719 hours.
    let apr = utc(2026, 4, 20, 10, 0);
    assert_eq!((apr - m.add_days(apr, -30)).num_hours(), 719);
    // Autumn: one local day over the fall-back change is 25 hours.
    let oct = utc(2026, 10, 24, 22, 0); // Sunday 25 October 00:00 CEST
    assert_eq!((m.add_days(oct, 1) - oct).num_hours(), 25);
    // A wall time in the gap (02:30 on 29 March) moves to the end of the gap (03:00 CEST).
    assert_eq!(
        m.add_days(utc(2026, 3, 28, 1, 30), 1),
        utc(2026, 3, 29, 1, 0)
    );
    // UTC is exactly 24-hour days.
    assert_eq!(
        LocalClock::UTC.add_days(apr, -30),
        apr - chrono::Duration::days(30)
    );
    // 2026-03-31T22:30Z is April in Madrid, March in UTC.
    let late = utc(2026, 3, 31, 22, 30);
    assert_eq!(m.month_key(late), "2026-04");
    assert_eq!(m.month_start(late, 0), utc(2026, 3, 31, 22, 0));
    assert_eq!(m.month_start(late, 1), utc(2026, 4, 30, 22, 0));
    assert_eq!(LocalClock::UTC.month_start(late, 1), utc(2026, 4, 1, 0, 0));
    assert_eq!(m.rfc3339(late), "2026-04-01T00:30:00+02:00");
    assert_eq!(LocalClock::UTC.rfc3339(late), "2026-03-31T22:30:00Z");
}

#[test]
fn community_months_and_digest_weeks_are_local() {
    use crate::community::{leaderboard, GamificationParams, Period};
    // An event at 2026-03-31T22:30Z (1 April 00:30 in Madrid) counts in April's leaderboard.
    let a = vec![
        act("ana", utc(2026, 3, 31, 22, 30), ActivityKind::Post),
        act("bea", utc(2026, 3, 30, 10, 0), ActivityKind::Post),
    ];
    let as_of = utc(2026, 4, 2, 12, 0);
    let local = GamificationParams {
        clock: madrid(),
        ..GamificationParams::default()
    };
    let board = leaderboard(&a, as_of, Period::Month, &local).unwrap();
    assert_eq!(board.len(), 1);
    assert_eq!(
        (board[0].period.as_str(), board[0].student_id.as_str()),
        ("2026-04", "ana")
    );
    let board = leaderboard(&a, as_of, Period::Month, &GamificationParams::default()).unwrap();
    assert!(board.is_empty(), "UTC: both events are March");
    // Top of month: March is complete at 1 April 00:00 local; in Madrid only bea is March's.
    let badges = crate::community::badges(&a, &[], &[], utc(2026, 5, 2, 0, 0), &local).unwrap();
    let march: Vec<_> = badges.iter().filter(|b| b.period == "2026-03").collect();
    assert_eq!(march.len(), 1);
    assert_eq!(march[0].student_id, "bea");
    assert_eq!(march[0].earned_at, utc(2026, 3, 31, 22, 0));
    // Weekly digest key: Sunday 29 March 22:30 UTC is Monday 30 March in Madrid (week 14).
    let monday = utc(2026, 3, 29, 22, 30);
    assert_eq!(madrid().week_key(monday), "2026-W14");
    assert_eq!(LocalClock::UTC.week_key(monday), "2026-W13");
    let config = JobConfig {
        timezone: "Europe/Madrid".into(),
        ..JobConfig::default()
    }
    .localized()
    .unwrap();
    assert_eq!(config.community.gamification.clock, madrid());
    assert_eq!(config.community.recommend.clock, madrid());
}

#[test]
fn churn_cohorts_and_purchase_days_are_local() {
    use crate::churn::{cohorts, summary_from_transactions, SummaryParams, TimeUnit};
    let student = |id: &str, at: DateTime<Utc>| Student {
        student_id: id.into(),
        email: format!("{id}@x.es"),
        name: id.into(),
        industry: "salud".into(),
        role: "developer".into(),
        company_size: "11-50".into(),
        enrolled_at: at,
    };
    let tables = Tables {
        students: vec![student("ana", utc(2026, 3, 31, 22, 30))],
        ..Tables::default()
    };
    let as_of = utc(2026, 4, 20, 0, 0);
    let local = cohorts(&tables, as_of, 30, &madrid()).unwrap();
    let utc_rows = cohorts(&tables, as_of, 30, &LocalClock::UTC).unwrap();
    assert_eq!(local[0].cohort, "2026-04");
    assert_eq!(local[0].retention.len(), 1, "signup month = month of as_of");
    assert_eq!(utc_rows[0].cohort, "2026-03");
    assert_eq!(utc_rows[0].retention.len(), 2);
    // Two purchases on the 25-hour 25 October (00:30 CEST and 22:30 CET) are one purchase day in
    // Madrid, two UTC days.
    let at = [utc(2026, 10, 24, 22, 30), utc(2026, 10, 25, 21, 30)];
    let params = |clock| SummaryParams {
        unit: TimeUnit::Day,
        observation_period_end: Some(utc(2026, 11, 1, 0, 0)),
        clock,
    };
    let s = summary_from_transactions(&["a", "a"], &at, None, &params(madrid())).unwrap();
    assert_eq!(s[0].frequency, 0.0);
    let s = summary_from_transactions(&["a", "a"], &at, None, &params(LocalClock::UTC)).unwrap();
    assert_eq!(s[0].frequency, 1.0);
}

#[test]
fn review_forecast_days_start_on_the_local_today() {
    use crate::repetition::{review_schedule, ScheduleParams};
    // 22:45 UTC on Sunday 29 March is Monday 30 March 00:45 in Madrid.
    let as_of = utc(2026, 3, 29, 22, 45);
    let local = ScheduleParams {
        clock: madrid(),
        ..ScheduleParams::default()
    };
    let s = review_schedule(&[], as_of, &local).unwrap();
    assert_eq!(s.forecast[0].date, date(2026, 3, 30));
    assert_eq!(s.forecast[1].date, date(2026, 3, 31));
    let s = review_schedule(&[], as_of, &ScheduleParams::default()).unwrap();
    assert_eq!(s.forecast[0].date, date(2026, 3, 29));
}

#[test]
fn certification_expiry_dates_and_feedback_windows_are_local() {
    use crate::certify::{renewal_notifications_in, CertIssuedRow};
    let row: CertIssuedRow = serde_json::from_value(serde_json::json!({
        "credential_id": "c1", "student_id": "ana", "certification_id": "ia",
        "status_index": 0, "valid_from": "2025-10-24T22:30:00Z",
        "valid_until": "2026-10-24T22:30:00Z", "revoked": false, "expiring_soon": true
    }))
    .unwrap();
    let as_of = utc(2026, 10, 1, 0, 0);
    let n = renewal_notifications_in(std::slice::from_ref(&row), as_of, &madrid());
    assert_eq!(n[0].dedupe_key, "certify:renewal:c1:2026-10-25");
    assert!(n[0].title.contains("25/10/2026"), "{}", n[0].title);
    let n = renewal_notifications_in(&[row], as_of, &LocalClock::UTC);
    assert_eq!(n[0].dedupe_key, "certify:renewal:c1:2026-10-24");

    // A webinar on 20 March (winter) with a 30-day conversion window: in Madrid the window ends
    // 30 local days later at the same wall time, one hour earlier in UTC than 720 hours.
    use crate::feedback::{webinar_outcomes, FeedbackConfig};
    use crate::model::Webinar;
    let tables = Tables {
        webinars: vec![Webinar {
            webinar_id: "w".into(),
            title: "w".into(),
            topic: "ia".into(),
            starts_at: utc(2026, 3, 20, 10, 0),
            duration_min: 60,
            industry: None,
            role: None,
            company_size: None,
            timezone: None,
        }],
        ..Tables::default()
    };
    let as_of = utc(2026, 4, 19, 9, 30);
    let local = FeedbackConfig {
        clock: madrid(),
        ..FeedbackConfig::default()
    };
    assert!(webinar_outcomes(&tables, as_of, &local).unwrap()[0].window_closed);
    assert!(
        !webinar_outcomes(&tables, as_of, &FeedbackConfig::default()).unwrap()[0].window_closed
    );
}
