//! Tests of the scorecard on hand-built tables (every expected value is counted by hand).

use super::*;
use crate::model::{Activity, Lead, LeadEvent, Purchase, Registration, Student, Webinar};
use chrono::{Datelike, TimeZone};

fn day(d: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 12, 0, 0).unwrap() + Duration::days(d)
}

fn student(id: &str, enrolled: i64) -> Student {
    Student {
        student_id: id.into(),
        email: format!("{id}@x.es"),
        name: id.into(),
        industry: "salud".into(),
        role: "analista".into(),
        company_size: "11-50".into(),
        enrolled_at: day(enrolled),
    }
}

fn act(id: &str, d: i64, kind: ActivityKind, value: Option<f64>) -> Activity {
    Activity {
        student_id: id.into(),
        at: day(d),
        kind,
        value,
        ref_id: None,
    }
}

fn reg(w: &str, p: &str, attended: bool) -> Registration {
    Registration {
        webinar_id: w.into(),
        person_id: p.into(),
        registered_at: day(40),
        industry: "salud".into(),
        role: "analista".into(),
        company_size: "11-50".into(),
        attended,
        minutes_watched: attended.then_some(30.0),
        questions: None,
        polls: None,
        chat_messages: None,
    }
}

/// Window (day 60, day 90]; previous (day 30, day 60].
fn tables() -> Tables {
    use ActivityKind::*;
    let webinar = |id: &str, d: i64| Webinar {
        webinar_id: id.into(),
        title: "IA".into(),
        topic: "ia".into(),
        starts_at: day(d),
        duration_min: 60,
        industry: None,
        role: None,
        company_size: None,
        timezone: None,
    };
    let mut registrations: Vec<Registration> = (0..10)
        .map(|i| reg("w2", &format!("p{i}"), i < 2))
        .collect();
    registrations.extend((0..10).map(|i| reg("w1", &format!("p{i}"), i < 5)));
    Tables {
        webinars: vec![webinar("w1", 45), webinar("w2", 70)],
        registrations,
        students: vec![
            student("a", 0),
            student("b", 0),
            student("c", 0),
            student("d", 0),
            student("e", 80),
        ],
        activity: vec![
            // a, b, c, d active before the window (day 50).
            act("a", 50, Login, None),
            act("b", 50, Login, None),
            act("c", 50, Login, None),
            act("d", 50, Login, None),
            // In the window: a, b, c active; d silent (churned).
            act("a", 70, LessonCompleted, Some(60.0)),
            act("a", 71, Referral, None),
            act("b", 72, Post, None),
            act("c", 73, Certificate, None),
            act("e", 85, Login, None),
        ],
        purchases: vec![
            Purchase {
                customer_id: "p0".into(),
                at: day(75),
                amount: 300.0,
                currency: None,
            },
            Purchase {
                customer_id: "p1".into(),
                at: day(20),
                amount: 100.0,
                currency: None,
            },
        ],
        leads: vec![
            Lead {
                lead_id: "l1".into(),
                email: "l1@x.es".into(),
                source: "webinar".into(),
                created_at: day(61),
                industry: "salud".into(),
                role: "analista".into(),
            },
            Lead {
                lead_id: "l2".into(),
                email: "l2@x.es".into(),
                source: "ads".into(),
                created_at: day(62),
                industry: "salud".into(),
                role: "analista".into(),
            },
            Lead {
                lead_id: "l0".into(),
                email: "l0@x.es".into(),
                source: "ads".into(),
                created_at: day(40),
                industry: "salud".into(),
                role: "analista".into(),
            },
        ],
        lead_events: vec![LeadEvent {
            lead_id: "l1".into(),
            at: day(61) + Duration::hours(6),
            kind: LeadEventKind::EmailOpen,
            value: None,
        }],
        ..Tables::default()
    }
}

fn card(cfg: &KpiConfig) -> Scorecard {
    scorecard(&tables(), KpiWindow::new(day(60), day(90)).unwrap(), cfg).unwrap()
}

fn value(c: &Scorecard, kpi: &str) -> Option<f64> {
    c.row(kpi).unwrap().value
}

#[test]
fn every_kpi_is_counted_by_its_definition() {
    let c = card(&KpiConfig::default());
    assert_eq!(c.rows.len(), KPIS.len());
    let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-12);
    assert!(close(value(&c, "attendance_rate"), 0.2));
    assert!(close(c.row("attendance_rate").unwrap().previous, 0.5));
    assert_eq!(c.row("attendance_rate").unwrap().basis, 10);
    // p0 bought on day 75, within 30 days of w2 (day 70).
    assert!(close(value(&c, "conversion_rate"), 0.1));
    // Cohort a, b, c, d (active in the 30 days before day 60); d silent in the window.
    assert!(close(value(&c, "monthly_churn_rate"), 0.25));
    assert_eq!(c.row("monthly_churn_rate").unwrap().basis, 4);
    // Active in the window: a, b, c, e.
    assert!(close(value(&c, "active_students"), 4.0));
    assert!(close(value(&c, "referral_rate"), 0.25));
    assert!(close(value(&c, "participation_rate"), 0.25));
    // 60 lesson minutes over 4 active students and 30/7 weeks (webinar minutes: no student).
    assert!(close(
        value(&c, "minutes_per_week"),
        60.0 / 4.0 / (30.0 / 7.0)
    ));
    // Certified: c of 5 enrolled; outcomes by day 90: c certified, d dropped (silent 40 days).
    assert!(close(value(&c, "certification_rate"), 0.2));
    assert!(close(value(&c, "completion_rate"), 0.5));
    // LTV: 400 over two customers; revenue in the window 300 over one webinar held.
    assert!(close(value(&c, "ltv"), 200.0));
    assert!(close(value(&c, "revenue"), 300.0));
    assert!(close(value(&c, "revenue_per_webinar"), 300.0));
    // Two leads now, one before: +100 %; l1 first touched 6 h after creation.
    assert!(close(value(&c, "lead_growth"), 1.0));
    assert!(close(value(&c, "first_interaction_hours"), 6.0));
    assert!(close(value(&c, "new_enrolments"), 1.0));
    // One email open, decayed a little: engagement just under 10·(1 − e^(−0.5/8)).
    let e = value(&c, "engagement").unwrap();
    assert!(e > 0.0 && e < 10.0 * (1.0 - (-0.5f64 / 8.0).exp()), "{e}");
}

#[test]
fn status_trend_and_diagnosis_follow_the_targets() {
    let c = card(&KpiConfig::default());
    let att = c.row("attendance_rate").unwrap();
    assert_eq!(att.target, Some(0.30));
    assert_eq!(att.status, "missed");
    assert_eq!(att.trend, "worsening");
    assert!(att.see.contains("slot_heatmap") && att.see.contains("reschedule_suggestions"));
    let churn = c.row("monthly_churn_rate").unwrap();
    assert_eq!(
        (churn.status.as_str(), churn.direction.as_str()),
        ("missed", "lower")
    );
    assert!(churn.see.contains("churn_scores"));
    let growth = c.row("lead_growth").unwrap();
    assert_eq!(growth.status, "no_target");
    assert!(growth.causes.is_empty());
    // A target met: on track, no diagnosis.
    let mut cfg = KpiConfig::default();
    cfg.targets.attendance_rate = Some(0.2);
    cfg.targets.lead_growth = Some(0.5);
    let c = card(&cfg);
    assert_eq!(c.row("attendance_rate").unwrap().status, "on_track");
    assert!(c.row("attendance_rate").unwrap().causes.is_empty());
    assert_eq!(c.row("lead_growth").unwrap().status, "on_track");
    // The three biggest misses, missed first.
    let worst = card(&KpiConfig::default());
    let worst = worst.worst(3);
    assert_eq!(worst.len(), 3);
    assert!(worst.iter().all(|r| r.status == "missed"));
}

#[test]
fn attendance_floor_alerts_once_per_week_with_enough_registrations() {
    let mut cfg = KpiConfig::default();
    assert!(
        card(&cfg).notifications(&cfg).is_empty(),
        "10 < 30 registrations"
    );
    cfg.min_registrations = 10;
    let n = card(&cfg).notifications(&cfg);
    assert_eq!(n.len(), 1);
    let week = day(90).iso_week();
    assert_eq!(
        n[0].dedupe_key,
        format!("kpi:attendance_floor:{}-W{:02}", week.year(), week.week())
    );
    assert_eq!(n[0].severity, Severity::Medium);
    cfg.attendance_floor = 0.15;
    assert!(card(&cfg).notifications(&cfg).is_empty());
}

#[test]
fn bad_windows_and_targets_are_named_errors() {
    let e = KpiWindow::new(day(5), day(5)).unwrap_err().to_string();
    assert!(e.contains("start"), "{e}");
    let mut cfg = KpiConfig::default();
    cfg.targets.referral_rate = Some(1.5);
    let e = scorecard(&tables(), KpiWindow::last_days(day(90), 30), &cfg)
        .unwrap_err()
        .to_string();
    assert!(e.contains("targets.referral_rate"), "{e}");
    let e = serde_json::from_str::<KpiConfig>(r#"{"targets": {"ltvv": 1}}"#)
        .unwrap_err()
        .to_string();
    assert!(e.contains("ltvv"), "{e}");
    let empty = scorecard(&Tables::default(), KpiWindow::last_days(day(90), 30), &cfg);
    assert!(empty.is_err());
    let empty = scorecard(
        &Tables::default(),
        KpiWindow::last_days(day(90), 30),
        &KpiConfig::default(),
    )
    .unwrap();
    assert!(empty
        .rows
        .iter()
        .all(|r| r.value.is_none() || r.unit == "count" || r.kpi == "revenue"));
    assert_eq!(empty.row("attendance_rate").unwrap().status, "no_data");
}

#[test]
fn weekly_report_digests_one_iso_week() {
    use crate::kpi::weekly::{last_complete_week, parse_week, week_start, weekly_report};
    use crate::model::KeywordInterest;
    // day 70 = Wednesday 2025-03-12, ISO week 2025-W11 (Monday 2025-03-10).
    assert_eq!(parse_week("2025-W11").unwrap(), (2025, 11));
    assert!(parse_week("2025-11").is_err() && parse_week("2025-W54").is_err());
    assert_eq!(
        week_start(2025, 11).unwrap(),
        Utc.with_ymd_and_hms(2025, 3, 10, 0, 0, 0).unwrap()
    );
    assert_eq!(last_complete_week(day(75)), (2025, 11)); // Monday 2025-03-17 12:00
    let mut t = tables();
    let ki = |k: &str, d: i64, v: f64| KeywordInterest {
        keyword: k.into(),
        date: day(d).date_naive(),
        volume: v,
        geo: None,
    };
    for d in 40..75 {
        t.keyword_interest
            .push(ki("curso ia", d, if d >= 68 { 60.0 } else { 30.0 }));
        t.keyword_interest.push(ki("excel", d, 50.0));
    }
    let note = |kind: &str, d: i64| Notification {
        dedupe_key: format!("{kind}:{d}"),
        kind: kind.into(),
        severity: Severity::High,
        title: format!("{kind} on day {d}"),
        body: String::new(),
        payload: serde_json::json!({}),
        created_at: day(d),
    };
    let alerts = [
        note("kpi_alert", 71),
        note("daily_digest", 71),
        note("churn_alert", 80),
    ];
    let r = weekly_report(&t, (2025, 11), &alerts, &KpiConfig::default()).unwrap();
    assert_eq!(r.week, "2025-W11");
    assert_eq!(r.webinars.len(), 1);
    assert_eq!(
        (r.webinars[0].registrations, r.webinars[0].attended),
        (10, 2)
    );
    assert!((r.attendance_rate.unwrap() - 0.2).abs() < 1e-12);
    assert_eq!(r.alerts.len(), 1);
    assert_eq!(r.alerts[0].kind, "kpi_alert");
    assert_eq!(r.top_keywords[0].keyword, "curso ia");
    assert!((r.top_keywords[0].growth.unwrap() - 1.0).abs() < 1e-12);
    assert_eq!(r.top_keywords[1].growth, Some(0.0));
    assert!(r.biggest_misses.len() <= 3);
    let n = r.notification().unwrap();
    assert_eq!(n.dedupe_key, "weekly:2025-W11");
    assert_eq!(n.payload["week"], "2025-W11");
}

#[test]
fn weekly_report_rates_and_quotes_the_week_feedback() {
    use crate::kpi::weekly::weekly_report;
    use crate::model::{Feedback, FeedbackKind};
    let fb = |id: &str, d: i64, kind: FeedbackKind, rating: Option<u8>| Feedback {
        feedback_id: id.into(),
        webinar_id: "w2".into(),
        person_id: "p1".into(),
        at: day(d),
        kind,
        text: format!("texto {id}"),
        rating,
    };
    let mut t = tables();
    t.feedback = vec![
        fb("f1", 70, FeedbackKind::Review, Some(5)),
        fb("f2", 71, FeedbackKind::Survey, Some(2)),
        fb("f3", 71, FeedbackKind::Chat, None),
        fb("f4", 72, FeedbackKind::Survey, None),
        fb("f5", 73, FeedbackKind::Review, Some(4)),
        fb("f6", 80, FeedbackKind::Review, Some(1)), // next week
    ];
    let r = weekly_report(&t, (2025, 11), &[], &KpiConfig::default()).unwrap();
    assert_eq!(r.ratings, 3);
    assert!((r.average_rating.unwrap() - 11.0 / 3.0).abs() < 1e-12);
    let texts: Vec<&str> = r.top_comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["texto f1", "texto f5", "texto f2"]);
}
