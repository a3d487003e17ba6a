//! Importers on fixtures in each tool's documented export layout (see each file's header).

use super::*;
use crate::model::{ActivityKind, LeadEventKind, RelatedKind};
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/import/testdata")
        .join(name)
}

fn frame(name: &str, has: &[&str]) -> Frame {
    Frame::read(&data(name), &CsvOptions::default(), has).unwrap()
}

fn frame_of(text: &str, has: &[&str]) -> Frame {
    Frame::from_csv(text.as_bytes(), "x.csv", &CsvOptions::default(), has).unwrap()
}

#[test]
fn pytrends_interest_and_related_queries() {
    let interest = frame("pytrends_interest.csv", &["date"]);
    let related = frame("pytrends_related.csv", &["keyword", "query"]);
    let t = pytrends::import(
        &interest,
        Some(&related),
        &pytrends::PytrendsOptions::default(),
    )
    .unwrap();
    // 3 complete weeks × 2 keywords; the partial week is left out.
    assert_eq!(t.keyword_interest.len(), 6);
    let low = t
        .keyword_interest
        .iter()
        .find(|k| k.keyword == "curso IA" && k.date.to_string() == "2025-01-19")
        .unwrap();
    assert_eq!(low.volume, 0.5);
    assert_eq!(t.related_queries.len(), 4);
    let breakout = t
        .related_queries
        .iter()
        .find(|q| q.related == "curso ia generativa")
        .unwrap();
    assert_eq!(
        (breakout.kind, breakout.value),
        (Some(RelatedKind::Rising), None)
    );
    // Dated by the interest series' last date (the end of the period the lists cover).
    assert_eq!(breakout.date.to_string(), "2025-01-26");
    let renamed = frame_of("fecha,curso IA\n2025-01-05,3\n", &[]);
    let e = pytrends::import(&renamed, None, &Default::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`date`") && e.contains("x.csv") && e.contains("fecha"),
        "{e}"
    );
}

fn zoom_webinar() -> zoom::WebinarInfo {
    let summary = Frame::read_block(
        &data("zoom_registrants.csv"),
        &CsvOptions::default(),
        &["Topic", "Webinar ID"],
    )
    .unwrap();
    zoom::webinar_from_summary(&summary, &zoom::ZoomOptions::default()).unwrap()
}

#[test]
fn zoom_registrants_and_participants() {
    let w = zoom_webinar();
    assert_eq!(w.webinar_id, "81234567890");
    assert_eq!(w.starts_at.to_rfc3339(), "2025-03-15T10:00:00+00:00");
    assert_eq!(w.duration_min, 60);
    let reg = frame("zoom_registrants.csv", &["Email", "Registration Time"]);
    let part = frame("zoom_participants.csv", &["Join Time", "Leave Time"]);
    let t = zoom::import(&reg, &part, &w, &zoom::ZoomOptions::default()).unwrap();
    assert_eq!(t.webinars.len(), 1);
    let by = |id: &str| t.registrations.iter().find(|r| r.person_id == id).unwrap();
    // Ana: 10:01–10:31 and 10:40–11:00, plus a phone session inside the second: 50 minutes.
    let ana = by("ana@example.es");
    assert!(ana.attended);
    assert_eq!(ana.minutes_watched, Some(50.0));
    assert_eq!(
        (ana.industry.as_str(), ana.company_size.as_str()),
        ("Educación", "51-250")
    );
    // E-mails match case-insensitively; 12.5 minutes.
    assert_eq!(by("luis@example.es").minutes_watched, Some(12.5));
    let marta = by("marta@example.es");
    assert!(!marta.attended && marta.minutes_watched.is_none());
    // Denied registrants are not registrations; the host joined without registering.
    assert!(t
        .registrations
        .iter()
        .all(|r| r.person_id != "pedro@example.es"));
    assert_eq!(by("host@example.es").industry, "unknown");
    assert_eq!(t.registrations.len(), 4);
    // Two exports of the same period: the same batch (an idempotent upsert).
    let mut twice = reg.clone();
    twice.rows.extend(reg.rows.clone());
    let t2 = zoom::import(&twice, &part, &w, &zoom::ZoomOptions::default()).unwrap();
    assert_eq!(t2, t);
}

#[test]
fn zoom_bad_input_is_named() {
    let w = zoom_webinar();
    let reg = frame("zoom_registrants.csv", &["Email", "Registration Time"]);
    let back = frame_of(
        "User Email,Join Time,Leave Time\nana@example.es,03/15/2025 10:30:00 AM,03/15/2025 10:01:00 AM\n",
        &["Join Time"],
    );
    let e = zoom::import(&reg, &back, &w, &Default::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`Leave Time`") && e.contains("before the join") && e.contains("row 1"),
        "{e}"
    );
    let renamed = frame_of("User Email,Entrada,Leave Time\n", &[]);
    let e = zoom::import(&reg, &renamed, &w, &Default::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("`Join Time`") && e.contains("missing"), "{e}");
}

#[test]
fn stripe_charges_net_of_refunds_in_one_currency() {
    let charges = frame("stripe_payments.csv", &["Amount", "Currency"]);
    let o = stripe::StripeOptions {
        currency: Some("eur".into()),
        ..Default::default()
    };
    let t = stripe::import(&charges, &o).unwrap();
    let amounts: Vec<(&str, f64)> = t
        .purchases
        .iter()
        .map(|p| (p.customer_id.as_str(), p.amount))
        .collect();
    // The failed charge is skipped; the USD charge uses Stripe's conversion to EUR.
    assert_eq!(
        amounts,
        [
            ("cus_A", 199.0),
            ("cus_B", 150.0),
            ("cus_C", 0.0),
            ("joe@example.com", 201.3)
        ]
    );
    assert!(t
        .purchases
        .iter()
        .all(|p| p.currency.as_deref() == Some("EUR")));
    // Without the conversion columns, a charge in another currency is a named error.
    let plain = frame_of(
        "Created date (UTC),Amount,Currency,Customer ID\n2025-03-01 10:00:00,10.00,eur,c1\n2025-03-02 10:00:00,12.00,usd,c2\n",
        &[],
    );
    let e = stripe::import(&plain, &Default::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("USD") && e.contains("EUR") && e.contains("row 2") && e.contains("`Currency`"),
        "{e}"
    );
}

#[test]
fn crm_contacts_and_activities_with_mapping() {
    let contacts = frame("crm_contacts.csv", &["Record ID"]);
    let acts = frame("crm_activities.csv", &["Contact ID"]);
    let t = crm::import(
        &contacts,
        Some(&acts),
        &crm::CrmMapping::default(),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(t.leads.len(), 2);
    assert_eq!(t.leads[1].industry, "unknown");
    let kinds: Vec<LeadEventKind> = t.lead_events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            LeadEventKind::EmailOpen,
            LeadEventKind::EmailClick,
            LeadEventKind::Purchase,
            LeadEventKind::DemoRequest
        ]
    );
    // A Mailchimp-like export through a mapping given as JSON, day-first with its format.
    let mapping: crm::CrmMapping = serde_json::from_str(
        r#"{"contacts": {"lead_id": "Email Address", "email": "Email Address", "created_at": "OPTIN_TIME"},
            "activities": {"lead_id": "Email", "at": "Timestamp", "kind": "Action"},
            "kinds": {"bounce": "email_open"}, "time_format": "%d/%m/%Y %H:%M"}"#,
    )
    .unwrap();
    let c = frame_of("Email Address,OPTIN_TIME\nx@y.es,01/03/2025 10:00\n", &[]);
    let a = frame_of(
        "Email,Timestamp,Action\nx@y.es,02/03/2025 09:00,bounce\n",
        &[],
    );
    let t = crm::import(&c, Some(&a), &mapping, &Limits::default()).unwrap();
    assert_eq!(
        t.leads[0].created_at.to_rfc3339(),
        "2025-03-01T10:00:00+00:00"
    );
    assert_eq!(
        t.lead_events[0].at.to_rfc3339(),
        "2025-03-02T09:00:00+00:00"
    );
    // Unknown activity types and unknown mapping keys are named.
    let a = frame_of(
        "Email,Timestamp,Action\nx@y.es,02/03/2025 09:00,unsubscribe\n",
        &[],
    );
    let e = crm::import(&c, Some(&a), &mapping, &Limits::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("unsubscribe") && e.contains("`Action`"), "{e}");
    assert!(serde_json::from_str::<crm::CrmMapping>(r#"{"contact": {}}"#).is_err());
}

#[test]
fn oulad_enrolments_to_students_and_events() {
    let f = oulad::OuladFrames::read_dir(&data("oulad")).unwrap();
    let t = oulad::import(&f, &Limits::default()).unwrap();
    assert_eq!(t.students.len(), 5);
    let s = t
        .students
        .iter()
        .find(|s| s.student_id == "AAA-2013J-11391")
        .unwrap();
    // 2013J starts on 2013-10-01; registered 159 days before.
    assert_eq!(s.enrolled_at.to_rfc3339(), "2013-04-25T00:00:00+00:00");
    assert_eq!(
        (s.industry.as_str(), s.company_size.as_str()),
        ("AAA", "90-100%")
    );
    let events = |id: &str, k: ActivityKind| -> Vec<&crate::model::Activity> {
        t.activity
            .iter()
            .filter(|a| a.student_id == id && a.kind == k)
            .collect()
    };
    // Two submissions on one day are two rows, a second apart.
    let subs = events("AAA-2013J-11391", ActivityKind::AssessmentSubmitted);
    assert_eq!(subs.len(), 2);
    assert_eq!((subs[1].at - subs[0].at).num_seconds(), 1);
    // Each names the assessment it answers.
    let refs: Vec<Option<&str>> = subs.iter().map(|a| a.ref_id.as_deref()).collect();
    assert_eq!(refs, [Some("1752"), Some("1753")]);
    // So the risk model reads lateness exactly: as of 2013-10-31, 28400's 1752 (due day 19,
    // submitted day 22) is late; 11391 submitted both on day 18, on time.
    let as_of = chrono::DateTime::parse_from_rfc3339("2013-10-31T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let params = crate::churn::risk::RiskParams {
        active_window_days: 100_000,
        ..Default::default()
    };
    let (ids, x, _) = crate::churn::risk::labelled_as_of(&t, as_of, &params).unwrap();
    let Some(crate::learn::ColumnData::Numeric(late)) = x.column("assessments_late") else {
        panic!("no assessments_late")
    };
    let late_of = |id: &str| late[ids.iter().position(|i| i == id).unwrap()];
    assert_eq!(late_of("AAA-2013J-28400"), 1.0);
    assert_eq!(late_of("AAA-2013J-11391"), 0.0);
    assert_eq!(
        events("AAA-2013J-11391", ActivityKind::Certificate).len(),
        1
    );
    // "?" score: a submission without a value.
    let q = events("AAA-2013J-721259", ActivityKind::AssessmentSubmitted);
    assert_eq!(q[0].value, None);
    let w = events("AAA-2013J-30268", ActivityKind::Withdrawn);
    assert_eq!(w[0].at.to_rfc3339(), "2013-10-13T00:00:00+00:00");
    // Attributes known at registration, and the course link to the schedule.
    let attr = |id: &str, name: &str| -> Option<String> {
        t.student_attributes
            .iter()
            .find(|a| a.student_id == id && a.name == name)
            .map(|a| a.value.clone())
    };
    assert_eq!(
        attr("AAA-2013J-11391", "course").as_deref(),
        Some("AAA-2013J")
    );
    assert_eq!(attr("AAA-2013J-11391", "age_band").as_deref(), Some("55<="));
    assert_eq!(
        attr("AAA-2013J-11391", "studied_credits").as_deref(),
        Some("240")
    );
    assert_eq!(attr("AAA-2013J-30268", "disability").as_deref(), Some("Y"));
    // One deadline per dated assessment, at the end of its day (2013-10-01 + 19 days).
    let d = t
        .assessment_schedule
        .iter()
        .find(|a| a.assessment_id == "1752")
        .unwrap();
    assert_eq!(d.course_id, "AAA-2013J");
    assert_eq!(d.due_at.to_rfc3339(), "2013-10-20T23:59:59+00:00");
    assert_eq!(d.weight, Some(10.0));
    assert_eq!(t.assessment_schedule.len(), 3);
    // A submission of an enrolment that is not in studentInfo: named.
    let mut bad = f.clone();
    bad.student_assessment.rows.push(
        ["1752", "999", "3", "0", "50"]
            .iter()
            .map(|s| Some(s.to_string()))
            .collect(),
    );
    let e = oulad::import(&bad, &Limits::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("AAA-2013J-999") && e.contains("studentInfo"),
        "{e}"
    );
}
