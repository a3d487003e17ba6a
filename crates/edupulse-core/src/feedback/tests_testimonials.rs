//! Tests of the testimonial candidates and requests.

use super::tests_outcomes::{fb, reg, t, webinar};
use super::*;
use crate::job::Step;
use crate::model::{Activity, ActivityKind, FeedbackKind, Purchase, Tables};

/// Four attendees of w1 who rated it: c (certified, 5 stars, glowing), b (bought, glowing,
/// then a lukewarm 4), n (neither), s (certified but rated 3), u (certified, 4 stars but negative
/// words).
fn tables() -> Tables {
    Tables {
        webinars: vec![webinar("w1", t(4, 17))],
        registrations: ["c", "b", "n", "s", "u"]
            .iter()
            .map(|p| reg("w1", p, Some(50.0)))
            .collect(),
        activity: ["c", "s", "u"]
            .iter()
            .map(|p| Activity {
                student_id: (*p).into(),
                at: t(20, 10),
                kind: ActivityKind::Certificate,
                value: None,
                ref_id: None,
            })
            .collect(),
        purchases: vec![Purchase {
            customer_id: "b".into(),
            at: t(2, 10),
            amount: 300.0,
            currency: None,
        }],
        feedback: vec![
            fb(
                "f1",
                "w1",
                "c",
                t(5, 9),
                FeedbackKind::Survey,
                "¡Excelente, me encantó! Muy útil",
                Some(5),
            ),
            fb(
                "f2",
                "w1",
                "b",
                t(5, 9),
                FeedbackKind::Survey,
                "Excelente contenido, lo recomiendo",
                Some(5),
            ),
            fb(
                "f3",
                "w1",
                "b",
                t(6, 9),
                FeedbackKind::Review,
                "Bien",
                Some(4),
            ),
            fb(
                "f4",
                "w1",
                "n",
                t(5, 9),
                FeedbackKind::Survey,
                "¡Me encantó!",
                Some(5),
            ),
            fb(
                "f5",
                "w1",
                "s",
                t(5, 9),
                FeedbackKind::Survey,
                "Muy bueno",
                Some(3),
            ),
            fb(
                "f6",
                "w1",
                "u",
                t(5, 9),
                FeedbackKind::Survey,
                "Aburrido y lento",
                Some(4),
            ),
            fb(
                "f7",
                "w1",
                "c",
                t(5, 10),
                FeedbackKind::Chat,
                "¡Genial, genial!",
                None,
            ),
        ],
        ..Tables::default()
    }
}

#[test]
fn candidates_are_positive_rated_and_certified_or_converted_one_per_person() {
    let tb = tables();
    let cfg = FeedbackConfig::default();
    let as_of = t(22, 0);
    let scored = scored_feedback(&tb, as_of, &cfg).unwrap();
    let rows = testimonial_candidates(&tb, &scored, as_of, &cfg).unwrap();
    let who: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r.person_id.as_str(),
                r.feedback_id.as_str(),
                r.reason.as_str(),
            )
        })
        .collect();
    // b: the higher-scored of two rated lines; c: the rated survey, not the unrated chat.
    assert_eq!(who, [("b", "f2", "converted"), ("c", "f1", "certified")]);
    assert_eq!(rows[0].qualified_at, t(5, 9)); // bought before writing
    assert_eq!(rows[1].qualified_at, t(20, 10)); // certified after writing
    assert!(rows
        .iter()
        .all(|r| r.requested && r.rating >= 4 && r.score > 0.1));
    // Before c certified: only b.
    let early = testimonial_candidates(
        &tb,
        &scored_feedback(&tb, t(10, 0), &cfg).unwrap(),
        t(10, 0),
        &cfg,
    )
    .unwrap();
    assert_eq!(early.len(), 1);
    // A 5-star minimum keeps both: the lines quoted are 5s.
    let strict = FeedbackConfig {
        testimonial_min_rating: 5,
        ..cfg.clone()
    };
    assert_eq!(
        testimonial_candidates(&tb, &scored, as_of, &strict)
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn one_request_per_person_with_a_stable_key_only_while_recent() {
    let step = FeedbackStep::default();
    let out = step.run(&tables(), t(22, 0)).unwrap();
    let keys: Vec<&str> = out
        .notifications
        .iter()
        .filter(|n| n.kind == "testimonial_request")
        .map(|n| n.dedupe_key.as_str())
        .collect();
    assert_eq!(keys, ["feedback:testimonial:b", "feedback:testimonial:c"]);
    assert_eq!(out.summary["testimonial_requests"], 2);
    let rows: Vec<TestimonialRow> = out.rows().unwrap();
    assert_eq!(rows.len(), 2);
    // Later feedback from b changes the quote, not the key: the outbox drops the second ask.
    let mut tb = tables();
    tb.feedback.push(fb(
        "f8",
        "w1",
        "b",
        t(23, 9),
        FeedbackKind::Review,
        "¡Increíble, excelente, me encantó!",
        Some(5),
    ));
    let again = step.run(&tb, t(24, 0)).unwrap();
    let b = again
        .notifications
        .iter()
        .find(|n| n.dedupe_key == "feedback:testimonial:b")
        .unwrap();
    assert!(b.title.contains("Increíble"), "{}", b.title);
    // Past the lookback, listed but not requested.
    let late = step
        .run(&tables(), t(20, 10) + chrono::Duration::days(31))
        .unwrap();
    assert!(late
        .notifications
        .iter()
        .all(|n| n.kind != "testimonial_request"));
    let rows: Vec<TestimonialRow> = late.rows().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| !r.requested));
}

#[test]
fn live_timeline_counts_every_live_row_so_far_per_minute() {
    use chrono::Duration;
    let start = t(4, 17);
    let end = start + Duration::hours(1);
    let s = |secs: i64| start + Duration::seconds(secs);
    let rows = [
        (s(-90), FeedbackKind::Chat, "Hola desde Lima"),
        (s(10), FeedbackKind::Chat, "¡Excelente!"),
        (s(50), FeedbackKind::Chat, "Muy aburrido"),
        (s(59), FeedbackKind::Question, "¿Habrá grabación?"),
        (s(200), FeedbackKind::Chat, "Genial"),
        (s(240), FeedbackKind::Survey, "Excelente"), // not live
        (s(400), FeedbackKind::Chat, "Genial"),      // after now
    ];
    let p = SentimentParams::default();
    let tl = timeline::live_timeline(&rows, start, end, s(239), &p).unwrap();
    let got: Vec<(i64, u32, u32)> = tl
        .iter()
        .map(|m| (m.minute, m.messages, m.questions))
        .collect();
    assert_eq!(
        got,
        [(-2, 1, 0), (0, 3, 1), (1, 0, 0), (2, 0, 0), (3, 1, 0)]
    );
    let m0 = &tl[1];
    assert_eq!((m0.positive, m0.negative), (1, 1));
    let want = (score("¡Excelente!").score
        + score("Muy aburrido").score
        + score("¿Habrá grabación?").score)
        / 3.0;
    assert!((m0.mean_sentiment.unwrap() - want).abs() < 1e-12);
    assert_eq!(tl[2].mean_sentiment, None);
    // After the end the dense part stops at the last minute; before the start only early rows.
    assert_eq!(
        timeline::live_timeline(&rows, start, end, s(7200), &p)
            .unwrap()
            .len(),
        62
    ); // -2, 0..=60
    assert_eq!(
        timeline::live_timeline(&rows, start, end, s(-1), &p)
            .unwrap()
            .len(),
        1
    );
    let bad = SentimentParams {
        neutral_band: 2.0,
        ..p
    };
    assert!(timeline::live_timeline(&rows, start, end, s(0), &bad)
        .unwrap_err()
        .to_string()
        .contains("neutral_band"));
}
