//! Tests of the per-webinar page tables: `webinar_timeline` and `webinar_comments`, on
//! hand-made rows with hand-set scores (the expected values are worked out in the comments).

use super::comments::{webinar_comments, COMMENT_CHARS, TOP_COMMENTS};
use super::tests_outcomes::{fb, t};
use super::timeline::webinar_timeline;
use super::{Sentiment, SentimentLabel};
use crate::job::Step;
use crate::model::{Feedback, FeedbackKind};
use chrono::{DateTime, Duration, Utc};

fn s(score: f64) -> Sentiment {
    let label = if score > 0.1 {
        SentimentLabel::Positive
    } else if score < -0.1 {
        SentimentLabel::Negative
    } else {
        SentimentLabel::Neutral
    };
    Sentiment {
        score,
        label,
        words: 3,
        coverage: 1.0,
        low_coverage: false,
        truncated: false,
    }
}

fn at(start: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
    start + Duration::seconds(secs)
}

#[test]
fn the_timeline_keeps_minutes_with_messages_within_the_lead_and_the_grace() {
    let start = t(4, 17);
    let end = start + Duration::minutes(60);
    let c = |id: &str, secs: i64, kind| fb(id, "w1", "p", at(start, secs), kind, "x", None);
    let rows = [
        c("a", -31 * 60, FeedbackKind::Chat), // minute −31: before the 30-minute lead
        c("b", -30 * 60, FeedbackKind::Chat), // minute −30: kept
        c("c", 10, FeedbackKind::Chat),       // minute 0
        c("d", 50, FeedbackKind::Question),   // minute 0
        c("e", 59, FeedbackKind::Survey),     // not a message
        c("f", 61, FeedbackKind::Chat),       // minute 1
        c("g", 89 * 60 + 59, FeedbackKind::Chat), // minute 89: the last one (60 + 30 − 1)
        c("h", 90 * 60, FeedbackKind::Chat),  // minute 90: past the grace
        fb("i", "w2", "p", at(start, 5), FeedbackKind::Chat, "x", None), // not asked for
    ];
    let scores = [0.5, -0.4, 0.6, 0.0, 0.9, -0.3, 0.2, 0.7, 0.8];
    let scored: Vec<(&Feedback, Sentiment)> =
        rows.iter().zip(scores).map(|(r, x)| (r, s(x))).collect();
    let tl = webinar_timeline(&[("w1", start, end)], &scored).unwrap();
    let got: Vec<_> = tl
        .iter()
        .map(|m| (m.minute, m.messages, m.questions, m.positive, m.negative))
        .collect();
    assert_eq!(
        got,
        [
            (-30, 1, 0, 0, 1),
            (0, 2, 1, 1, 0), // c (0.6, positive) and d (0.0, neutral question)
            (1, 1, 0, 0, 1),
            (89, 1, 0, 1, 0),
        ]
    );
    // Minute 0: (0.6 + 0.0) / 2.
    assert!((tl[1].mean_sentiment - 0.3).abs() < 1e-12);
    assert!((tl[0].mean_sentiment + 0.4).abs() < 1e-12);
    assert!(tl.iter().all(|m| m.webinar_id == "w1"));
    // An end before the start is named.
    let err = webinar_timeline(&[("w1", end, start)], &scored).unwrap_err();
    assert!(err.to_string().contains("end"), "{err}");
    // A webinar without messages has no rows.
    assert!(webinar_timeline(&[("w9", start, end)], &scored)
        .unwrap()
        .is_empty());
}

#[test]
fn comments_are_the_most_positive_and_negative_with_ties_by_time_then_id() {
    let start = t(4, 17);
    let mut rows = Vec::new();
    let mut scores = Vec::new();
    // Seven positive rows: scores 0.2, 0.3, …, 0.8 written in that order, one a minute.
    for i in 0..7 {
        rows.push(fb(
            &format!("p{i}"),
            "w1",
            &format!("u{i}"),
            at(start, 60 * i),
            FeedbackKind::Chat,
            &format!("bien {i}"),
            None,
        ));
        scores.push(0.2 + 0.1 * i as f64);
    }
    // Two negative rows with the same score: the earlier first; then two at the same time and
    // score: by id.
    rows.push(fb(
        "n2",
        "w1",
        "v",
        at(start, 300),
        FeedbackKind::Review,
        "malo",
        Some(1),
    ));
    scores.push(-0.9);
    rows.push(fb(
        "n1",
        "w1",
        "v",
        at(start, 600),
        FeedbackKind::Chat,
        "mal",
        None,
    ));
    scores.push(-0.9);
    rows.push(fb(
        "nb",
        "w1",
        "v",
        at(start, 900),
        FeedbackKind::Chat,
        "flojo",
        None,
    ));
    scores.push(-0.5);
    rows.push(fb(
        "na",
        "w1",
        "v",
        at(start, 900),
        FeedbackKind::Chat,
        "flojo",
        None,
    ));
    scores.push(-0.5);
    // Neutral: never quoted.
    rows.push(fb(
        "z",
        "w1",
        "v",
        at(start, 5),
        FeedbackKind::Chat,
        "ok",
        None,
    ));
    scores.push(0.0);
    // A long positive survey on another ended webinar: cut.
    let long = "á".repeat(COMMENT_CHARS + 20);
    rows.push(fb(
        "l",
        "w2",
        "v",
        at(start, 5),
        FeedbackKind::Survey,
        &long,
        Some(5),
    ));
    scores.push(0.95);
    let scored: Vec<(&Feedback, Sentiment)> =
        rows.iter().zip(&scores).map(|(r, x)| (r, s(*x))).collect();
    let c = webinar_comments(&["w1", "w2"], &scored);
    let ids = |kind: &str, w: &str| -> Vec<(u32, String)> {
        c.iter()
            .filter(|r| r.kind == kind && r.webinar_id == w)
            .map(|r| (r.rank, r.feedback_id.clone()))
            .collect()
    };
    // Highest first: p6 (0.8), p5, p4, p3, p2; p1 and p0 fall below the top five.
    assert_eq!(
        ids("positive", "w1"),
        [(1, "p6"), (2, "p5"), (3, "p4"), (4, "p3"), (5, "p2")]
            .map(|(r, i)| (r, i.to_string()))
            .to_vec()
    );
    assert_eq!(TOP_COMMENTS, 5);
    // Lowest first; −0.9 ×2: n2 (5 min) before n1 (10 min); −0.5 ×2 at 15 min: na before nb.
    assert_eq!(
        ids("negative", "w1"),
        [(1, "n2"), (2, "n1"), (3, "na"), (4, "nb")]
            .map(|(r, i)| (r, i.to_string()))
            .to_vec()
    );
    let n2 = c.iter().find(|r| r.feedback_id == "n2").unwrap();
    assert_eq!(
        (n2.source.as_str(), n2.rating, n2.text.as_str(), n2.score),
        ("review", Some(1), "malo", -0.9)
    );
    assert_eq!((n2.term.as_ref(), n2.questions), (None, None));
    let l = c.iter().find(|r| r.feedback_id == "l").unwrap();
    assert_eq!(l.text.chars().count(), COMMENT_CHARS + 1);
    assert!(l.text.ends_with("á…"));
    assert!(ids("negative", "w2").is_empty());
    // Not asked for: nothing.
    assert!(webinar_comments(&["w3"], &scored).is_empty());
}

#[test]
fn question_rows_quote_the_first_question_of_the_largest_shared_term_groups() {
    let start = t(4, 17);
    let q = |id: &str, min: i64, text: &str| {
        fb(
            id,
            "w1",
            "p",
            at(start, 60 * min),
            FeedbackKind::Question,
            text,
            None,
        )
    };
    // "grabación" ×3, "python" ×2, one alone (not quoted: it shares no term).
    let rows = [
        q("q1", 9, "¿Dónde veo la grabación?"),
        q("q2", 3, "¿Qué versión de Python usas?"),
        q("q3", 1, "¿Se comparte la grabación?"),
        q("q4", 7, "¿Sirve Python 3.8?"),
        q("q5", 5, "¿A qué hora acaba?"),
        q("q6", 8, "¿La grabación llega por correo?"),
    ];
    let scored: Vec<(&Feedback, Sentiment)> = rows.iter().map(|r| (r, s(0.0))).collect();
    let c = webinar_comments(&["w1"], &scored);
    let got: Vec<_> = c
        .iter()
        .map(|r| {
            (
                r.kind.as_str(),
                r.rank,
                r.feedback_id.as_str(),
                r.term.as_deref(),
                r.questions,
            )
        })
        .collect();
    // grabación: q3 (minute 1) is the earliest of q3, q6, q1; python: q2 (minute 3) before q4.
    assert_eq!(
        got,
        [
            ("question", 1, "q3", Some("grabación"), Some(3)),
            ("question", 2, "q2", Some("python"), Some(2)),
        ]
    );
}

#[test]
fn the_step_writes_the_page_tables_of_the_ended_webinars() {
    let start = t(4, 17);
    let mut tables = crate::model::Tables {
        webinars: vec![
            super::tests_outcomes::webinar("w1", start),
            super::tests_outcomes::webinar("w3", t(20, 17)),
        ],
        ..Default::default()
    };
    tables.feedback = vec![
        fb(
            "f1",
            "w1",
            "a",
            at(start, 30),
            FeedbackKind::Chat,
            "¡Me encantó, excelente!",
            None,
        ),
        fb(
            "f2",
            "w1",
            "b",
            at(start, 90),
            FeedbackKind::Chat,
            "Muy aburrido y malo",
            None,
        ),
        fb(
            "f3",
            "w3",
            "b",
            t(10, 9),
            FeedbackKind::Chat,
            "¡Excelente!",
            None,
        ),
    ];
    let out = super::FeedbackStep::default()
        .run(&tables, t(15, 0))
        .unwrap();
    let names: Vec<&str> = out.results.iter().map(|r| r.spec.name).collect();
    assert_eq!(
        names,
        [
            "webinar_outcomes",
            "testimonial_candidates",
            "webinar_timeline",
            "webinar_comments"
        ]
    );
    let tl: Vec<super::WebinarMinuteRow> = out.results[2].decode().unwrap();
    // w1 only (w3 has not started by the run): minutes 0 and 1, one message each.
    assert_eq!(
        tl.iter()
            .map(|m| (m.webinar_id.as_str(), m.minute, m.messages))
            .collect::<Vec<_>>(),
        [("w1", 0, 1), ("w1", 1, 1)]
    );
    let comments: Vec<super::WebinarCommentRow> = out.results[3].decode().unwrap();
    assert_eq!(
        comments
            .iter()
            .map(|r| (r.kind.as_str(), r.feedback_id.as_str()))
            .collect::<Vec<_>>(),
        [("positive", "f1"), ("negative", "f2")]
    );
    assert_eq!(out.summary["timeline_minutes"], 2);
    assert_eq!(out.summary["comments"], 2);
}
