//! Tests of the per-webinar outcomes, the attendance-floor alert, topics and the job step.

use super::*;
use crate::job::{Job, JobConfig, Step};
use crate::model::{
    Feedback, FeedbackKind, LeadEvent, LeadEventKind, Purchase, Registration, Tables, Webinar,
};
use chrono::{DateTime, Duration, TimeZone, Utc};

pub(super) fn t(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, d, h, 0, 0).unwrap()
}

pub(super) fn webinar(id: &str, start: DateTime<Utc>) -> Webinar {
    Webinar {
        webinar_id: id.into(),
        title: format!("Webinar {id}"),
        topic: "ia".into(),
        starts_at: start,
        duration_min: 60,
        industry: None,
        role: None,
        company_size: None,
        timezone: None,
    }
}

pub(super) fn reg(w: &str, p: &str, minutes: Option<f64>) -> Registration {
    Registration {
        webinar_id: w.into(),
        person_id: p.into(),
        registered_at: t(1, 9),
        industry: "salud".into(),
        role: "analista".into(),
        company_size: "11-50".into(),
        attended: minutes.is_some(),
        minutes_watched: minutes,
        questions: minutes.map(|_| 1),
        polls: minutes.map(|_| 2),
        chat_messages: minutes.map(|_| 3),
    }
}

pub(super) fn fb(
    id: &str,
    w: &str,
    p: &str,
    at: DateTime<Utc>,
    kind: FeedbackKind,
    text: &str,
    rating: Option<u8>,
) -> Feedback {
    Feedback {
        feedback_id: id.into(),
        webinar_id: w.into(),
        person_id: p.into(),
        at,
        kind,
        text: text.into(),
        rating,
    }
}

fn buy(p: &str, at: DateTime<Utc>, amount: f64) -> Purchase {
    Purchase {
        customer_id: p.into(),
        at,
        amount,
        currency: None,
    }
}

/// w1 (4 March 17:00, ended): 10 registrations, 2 attended (20 %, below the floor); w2 (6 March,
/// ended): 2 of 2; w3 starts after the run.
fn tables() -> Tables {
    let mut registrations: Vec<Registration> =
        (0..8).map(|i| reg("w1", &format!("p{i}"), None)).collect();
    registrations.push(reg("w1", "a1", Some(30.0)));
    registrations.push(reg("w1", "a2", Some(90.0))); // capped at the 60-minute duration
    registrations.push(reg("w2", "a1", Some(60.0)));
    registrations.push(reg("w2", "b1", None));
    registrations.push(reg("w3", "a1", None));
    Tables {
        webinars: vec![
            webinar("w1", t(4, 17)),
            webinar("w2", t(6, 17)),
            webinar("w3", t(20, 17)),
        ],
        registrations,
        purchases: vec![
            buy("a1", t(5, 10), 100.0), // within 30 days of w1 and w2? before w2: only w1
            buy("a1", t(7, 10), 50.0),  // within both windows
            buy("p0", t(3, 10), 80.0),  // before w1 started: not a conversion
        ],
        lead_events: vec![LeadEvent {
            lead_id: "p1".into(),
            at: t(8, 12),
            kind: LeadEventKind::Purchase,
            value: None,
        }],
        feedback: vec![
            fb(
                "f1",
                "w1",
                "a1",
                t(4, 17) + Duration::minutes(5),
                FeedbackKind::Chat,
                "¡Me encantó, muy útil!",
                None,
            ),
            fb(
                "f2",
                "w1",
                "a2",
                t(4, 17) + Duration::minutes(9),
                FeedbackKind::Chat,
                "No me gustó, muy lento",
                None,
            ),
            fb(
                "f3",
                "w1",
                "a1",
                t(5, 9),
                FeedbackKind::Survey,
                "Excelente",
                Some(5),
            ),
            fb(
                "f4",
                "w1",
                "a2",
                t(5, 9),
                FeedbackKind::Survey,
                "Regular",
                Some(2),
            ),
            fb(
                "f5",
                "w2",
                "a1",
                t(11, 9),
                FeedbackKind::Review,
                "Genial",
                Some(4),
            ), // after as_of
        ],
        ..Tables::default()
    }
}

#[test]
fn outcomes_of_ended_webinars_follow_their_definitions() {
    let as_of = t(10, 0);
    let rows = webinar_outcomes(&tables(), as_of, &FeedbackConfig::default()).unwrap();
    assert_eq!(rows.len(), 2, "w3 has not happened");
    let w1 = &rows[0];
    assert_eq!(w1.webinar_id, "w1");
    assert_eq!((w1.registrations, w1.attendees), (10, 2));
    assert_eq!(w1.attendance_rate, Some(0.2));
    assert!(w1.below_floor);
    assert_eq!(w1.mean_watch_share, Some(0.75)); // (30/60 + 1) / 2
    assert_eq!(w1.questions_per_attendee, Some(1.0));
    assert_eq!(w1.polls_per_attendee, Some(2.0));
    assert_eq!(w1.chat_per_attendee, Some(3.0));
    // a1 (purchase) and p1 (lead event) converted; p0 bought before the start.
    assert_eq!(w1.conversions, 2);
    assert_eq!(w1.conversion_rate, Some(0.2));
    assert_eq!(w1.revenue, 150.0);
    assert!(!w1.window_closed);
    assert_eq!((w1.feedback, w1.ratings), (4, 2));
    assert_eq!(w1.mean_rating, Some(3.5));
    let labels: Vec<SentimentLabel> = tables().feedback[..4]
        .iter()
        .map(|f| score(&f.text).label)
        .collect();
    let pos = labels
        .iter()
        .filter(|l| **l == SentimentLabel::Positive)
        .count();
    let neg = labels
        .iter()
        .filter(|l| **l == SentimentLabel::Negative)
        .count();
    assert!(pos >= 2 && neg >= 1, "{labels:?}");
    assert_eq!(w1.positive_share, Some(pos as f64 / 4.0));
    assert_eq!(w1.negative_share, Some(neg as f64 / 4.0));
    assert_eq!(w1.ended_at, t(4, 18));

    let w2 = &rows[1];
    assert_eq!((w2.registrations, w2.attendees), (2, 1));
    assert!(!w2.below_floor);
    assert_eq!((w2.conversions, w2.revenue), (1, 50.0));
    assert_eq!(
        (w2.feedback, w2.mean_rating, w2.positive_share),
        (0, None, None)
    );

    // A shorter window closes before the run and drops the later purchase.
    let cfg = FeedbackConfig {
        conversion_window_days: 2,
        ..FeedbackConfig::default()
    };
    let rows = webinar_outcomes(&tables(), as_of, &cfg).unwrap();
    assert!(rows[0].window_closed);
    assert_eq!((rows[0].conversions, rows[0].revenue), (1, 100.0));
}

#[test]
fn unknown_webinar_in_feedback_is_a_named_error() {
    let mut tb = tables();
    tb.feedback.push(fb(
        "f9",
        "nope",
        "a1",
        t(5, 9),
        FeedbackKind::Chat,
        "hola",
        None,
    ));
    let err = webinar_outcomes(&tb, t(10, 0), &FeedbackConfig::default()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("feedback") && msg.contains("row 6") && msg.contains("webinar_id"));
    assert!(msg.contains("nope") && msg.contains("f9"), "{msg}");
}

#[test]
fn bad_config_is_named() {
    for (cfg, name) in [
        (
            FeedbackConfig {
                attendance_floor: 1.5,
                ..FeedbackConfig::default()
            },
            "attendance_floor",
        ),
        (
            FeedbackConfig {
                conversion_window_days: 0,
                ..FeedbackConfig::default()
            },
            "conversion_window_days",
        ),
    ] {
        let err = webinar_outcomes(&tables(), t(10, 0), &cfg).unwrap_err();
        assert!(err.to_string().contains(name), "{err}");
    }
    let e: Result<JobConfig, _> = serde_json::from_value(serde_json::json!({
        "feedback": {"attendance_flor": 0.3}
    }));
    assert!(e.unwrap_err().to_string().contains("attendance_flor"));
}

#[test]
fn floor_alert_once_per_webinar_recent_and_large_enough() {
    let step = FeedbackStep::default();
    let floor = |o: &crate::job::StepOutput| -> Vec<crate::results::Notification> {
        o.notifications
            .iter()
            .filter(|n| n.kind == "webinar_alert")
            .cloned()
            .collect()
    };
    let out = step.run(&tables(), t(10, 0)).unwrap();
    assert_eq!(floor(&out).len(), 1);
    let n = &floor(&out)[0];
    assert_eq!(n.dedupe_key, "feedback:attendance_floor:w1");
    assert!(n.title.contains("20 %"), "{}", n.title);
    // The same key on the next day (the outbox drops it), none once the webinar is old.
    let next = step.run(&tables(), t(11, 0)).unwrap();
    assert_eq!(floor(&next)[0].dedupe_key, n.dedupe_key);
    assert!(floor(&step.run(&tables(), t(20, 0)).unwrap()).is_empty());
    // Below min_registrations: flagged, no alert.
    let strict = FeedbackStep {
        config: FeedbackConfig {
            min_registrations: 11,
            ..FeedbackConfig::default()
        },
    };
    let out = strict.run(&tables(), t(10, 0)).unwrap();
    assert!(floor(&out).is_empty());
    let rows: Vec<WebinarOutcomeRow> = out.rows().unwrap();
    assert!(rows[0].below_floor);
    assert_eq!(out.summary["below_floor"], 1);
}

#[test]
fn distinctive_terms_and_question_groups() {
    let mut texts = Vec::new();
    for i in 0..6 {
        texts.push(("w1", format!("el audio se corta otra vez {i}")));
        texts.push(("w2", format!("gracias por el ejemplo de python {i}")));
        texts.push(("w3", "gracias, saludos".to_string()));
    }
    let t = distinctive_terms(&texts, 3);
    assert_eq!(t["w1"][..2], ["audio", "corta"]);
    assert_eq!(t["w2"][..2], ["ejemplo", "python"]);
    assert!(!t["w2"].contains(&"gracias".to_string()), "{:?}", t["w2"]);
    assert!(t["w3"].contains(&"saludos".to_string()));
    // Nothing shared by two texts of a group: nothing distinctive.
    let one = distinctive_terms(&[("a", "uno dos"), ("b", "tres cuatro")], 3);
    assert!(one["a"].is_empty() && one["b"].is_empty());

    let g = group_questions(&[
        "¿Se comparte la grabación?",
        "¿Dónde veo la grabación?",
        "¿Habrá grabación?",
        "¿Qué versión de Python usas?",
        "¿Sirve Python 3.8?",
        "¿A qué hora acaba?",
    ]);
    assert_eq!(g.len(), 3);
    assert_eq!(
        (g[0].term.as_str(), g[0].questions.as_slice()),
        ("grabación", &[0, 1, 2][..])
    );
    assert_eq!(
        (g[1].term.as_str(), g[1].questions.as_slice()),
        ("python", &[3, 4][..])
    );
    assert_eq!(
        (g[2].term.as_str(), g[2].questions.as_slice()),
        ("", &[5][..])
    );
    assert!(group_questions::<&str>(&[]).is_empty());
}

#[test]
fn feedback_is_the_last_job_step_and_agrees_with_the_kpi_funnel() {
    let job = Job::new(&JobConfig::default()).unwrap();
    assert_eq!(job.step_names().last(), Some(&"feedback"));
    let sim = crate::simulate::SimConfig {
        students: 80,
        seed: 11,
        ..crate::simulate::SimConfig::default()
    };
    let tb = crate::simulate::simulate(&sim).unwrap();
    let as_of = crate::model::date_to_datetime(sim.end_date());
    let rows = webinar_outcomes(&tb, as_of, &FeedbackConfig::default()).unwrap();
    assert!(!rows.is_empty());
    // Every ended webinar's registrations and conversions sum to the KPI funnel's (which counts
    // webinars that have started: none is running at the end of the simulated history).
    let k = crate::kpi::compute(&tb, as_of, &crate::kpi::KpiConfig::default()).unwrap();
    let all = &k.funnel[0];
    let sum = |f: fn(&WebinarOutcomeRow) -> u64| rows.iter().map(f).sum::<u64>();
    assert_eq!(sum(|r| r.registrations), all.registrations);
    assert_eq!(sum(|r| r.attendees), all.attended);
    assert_eq!(sum(|r| r.conversions), all.converted);
    assert_eq!(
        sum(|r| r.feedback),
        tb.feedback.iter().filter(|f| f.at <= as_of).count() as u64
    );
    // The simulator writes every webinar's lines from the same lists, so a term may be
    // distinctive only by chance; whatever is listed was written about that webinar.
    for r in &rows {
        for term in &r.top_terms {
            assert!(tb
                .feedback
                .iter()
                .any(|f| f.webinar_id == r.webinar_id
                    && f.text.to_lowercase().contains(term.as_str())));
        }
    }
    assert!(rows
        .iter()
        .all(|r| r.mean_rating.is_none_or(|m| (1.0..=5.0).contains(&m))));
}
