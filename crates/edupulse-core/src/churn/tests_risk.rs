//! The risk classifier, cohorts and the churn step on simulated history with known truth.

use super::*;
use crate::job::Step;
use crate::simulate::{simulate_with_truth, SimConfig};
use chrono::{Duration, TimeZone, Utc};

#[test]
fn kaplan_meier_matches_the_freireich_6mp_figures() {
    // 6-MP arm of Freireich et al. (1963); published KM: S(6)=0.857, S(7)=0.807, S(10)=0.753,
    // S(13)=0.690, S(16)=0.627, S(22)=0.538, S(23)=0.448.
    let times = [
        6., 6., 6., 6., 7., 9., 10., 10., 11., 13., 16., 17., 19., 20., 22., 23., 25., 32., 32.,
        34., 35.,
    ];
    let obs = [
        true, true, true, false, true, false, true, false, false, true, true, false, false, false,
        true, true, false, false, false, false, false,
    ];
    let km = kaplan_meier(&times, &obs).unwrap();
    for (t, s) in [
        (6.0, 0.857),
        (7.0, 0.807),
        (10.0, 0.753),
        (13.0, 0.690),
        (16.0, 0.627),
        (22.0, 0.538),
        (23.0, 0.448),
    ] {
        assert!(
            (survival_at(&km, t) - s).abs() < 5e-4,
            "S({t}) = {}",
            survival_at(&km, t)
        );
    }
    assert_eq!(survival_at(&km, 5.0), 1.0);
    assert!(kaplan_meier(&[1.0], &[true, false]).is_err());
}

fn sim() -> (
    crate::model::Tables,
    crate::simulate::GroundTruth,
    SimConfig,
) {
    let cfg = SimConfig {
        students: 800,
        seed: 11,
        ..SimConfig::default()
    };
    let (t, truth) = simulate_with_truth(&cfg).unwrap();
    (t, truth, cfg)
}

#[test]
fn risk_classifier_ranks_true_churners_first() {
    let (tables, truth, cfg) = sim();
    let end = Utc.from_utc_datetime(&cfg.end_date().and_hms_opt(0, 0, 0).unwrap());
    let as_of = end - Duration::days(60);
    let mut params = RiskParams::default();
    if let Ok(h) = std::env::var("CHURN_H") {
        params.horizon_days = h.parse().unwrap();
    }
    if let Ok(h) = std::env::var("CHURN_A") {
        params.training_anchors = h.parse().unwrap();
    }
    if let Ok(h) = std::env::var("CHURN_W") {
        params.active_window_days = h.parse().unwrap();
    }
    if std::env::var("CHURN_TREES").is_ok() {
        params.classifier.model = crate::learn::ModelKind::Trees;
    }
    let model = RiskModel::fit(&tables, as_of, &params).unwrap();
    eprintln!("model selection: {:?}", model.classifier.selection);
    if params.classifier.model == crate::learn::ModelKind::Auto {
        // Holdout = the 3 latest of 12 dates; fitted on dates 5..12 (their 30-day label
        // windows end before the first held-out date), so some rows are in neither.
        let sel = model.classifier.selection.clone().unwrap();
        assert!(sel.holdout_rows > 0 && sel.fit_rows > 0 && sel.logistic_auc.is_some());
        assert!(sel.holdout_rows + sel.fit_rows < model.training_rows);
        let back: RiskModel =
            serde_json::from_str(&serde_json::to_string(&model).unwrap()).unwrap();
        assert_eq!(back, model);
    }
    let scores = model.score(&tables, as_of).unwrap();
    assert!(scores.len() > 100, "{}", scores.len());
    // Truth: the simulator's churn time falls within the horizon after as_of.
    let horizon = as_of + Duration::days(i64::from(params.horizon_days));
    let churned_at: std::collections::HashMap<&str, Option<chrono::DateTime<Utc>>> = truth
        .students
        .iter()
        .map(|s| (s.student_id.as_str(), s.churned_at))
        .collect();
    let (mut p, mut y) = (Vec::new(), Vec::new());
    for s in &scores {
        let c = churned_at[s.student_id.as_str()];
        p.push(s.probability);
        y.push(c.is_some_and(|c| c <= horizon));
    }
    let auc = crate::learn::roc_auc(&p, &y).unwrap();
    eprintln!(
        "simulated churn AUC {auc:.3} on {} students ({} churn)",
        p.len(),
        y.iter().filter(|v| **v).count()
    );
    assert!(auc >= 0.8, "{auc}");
    // Risk levels follow the thresholds; Alto students have factors that push risk up.
    for s in &scores {
        assert_eq!(s.risk_level, RiskLevel::of(s.probability, 0.7, 0.4));
        assert!(s.factors.iter().all(|f| f.factor.contribution > 0.0));
        assert!(s.factors.len() <= 3);
    }
}

#[test]
fn churn_step_is_deterministic_and_alerts_once_per_episode() {
    let (tables, _, cfg) = sim();
    let end = Utc.from_utc_datetime(&cfg.end_date().and_hms_opt(0, 0, 0).unwrap());
    let step = ChurnStep::default();
    let a = step.run(&tables, end).unwrap();
    let b = step.run(&tables, end).unwrap();
    assert_eq!(a, b);
    let scores: Vec<crate::churn::step::ChurnScoreRow> = a.rows().unwrap();
    assert!(!scores.is_empty());
    assert!(!a
        .rows::<crate::churn::cohort::CohortRow>()
        .unwrap()
        .is_empty());
    let models: Vec<crate::churn::step::ChurnModelRow> = a.rows().unwrap();
    assert_eq!(models.len(), 1, "{}", a.summary);
    assert!(models[0].bg_r.is_some(), "{}", a.summary);
    let alto = scores
        .iter()
        .filter(|r| r.risk_level == crate::churn::RiskLevel::Alto)
        .count();
    assert_eq!(alto, a.notifications.len());
    // The next day, a student still silent keeps the same episode key: no new alert identity.
    let next = step.run(&tables, end + Duration::days(1)).unwrap();
    let keys: std::collections::HashSet<_> = a
        .notifications
        .iter()
        .map(|n| n.dedupe_key.clone())
        .collect();
    let silent_again = next
        .notifications
        .iter()
        .filter(|n| keys.contains(&n.dedupe_key))
        .count();
    assert!(silent_again > 0 || a.notifications.is_empty());
    for n in &a.notifications {
        assert!(n.dedupe_key.starts_with("churn:alto:"));
    }
}

#[test]
fn cohorts_use_calendar_months() {
    use crate::model::{Activity, ActivityKind, Purchase, Student, Tables};
    let t = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap();
    let student = |id: &str, at| Student {
        student_id: id.into(),
        email: format!("{id}@example.com"),
        name: id.into(),
        industry: "x".into(),
        role: "x".into(),
        company_size: "x".into(),
        enrolled_at: at,
    };
    let act = |id: &str, at| Activity {
        student_id: id.into(),
        at,
        kind: ActivityKind::Login,
        value: None,
        ref_id: None,
    };
    let buy = |id: &str, at, amount| Purchase {
        customer_id: id.into(),
        at,
        amount,
        currency: None,
    };
    let tables = Tables {
        // January cohort: a signs up on the 31st and comes back on 1 February (calendar month 1,
        // though only a day later: a 30-day period would call it month 0); b is active in
        // January and March only. March cohort: c.
        students: vec![
            student("a", t(2024, 1, 31)),
            student("b", t(2024, 1, 2)),
            student("c", t(2024, 3, 15)),
        ],
        activity: vec![
            act("a", t(2024, 2, 1)),
            act("b", t(2024, 1, 20)),
            act("b", t(2024, 3, 1)),
            act("c", t(2024, 3, 16)),
            act("c", t(2024, 4, 2)),
        ],
        purchases: vec![
            buy("a", t(2024, 1, 31), 100.0),
            buy("b", t(2024, 2, 29), 50.0),
            buy("b", t(2024, 4, 1), 30.0),
            buy("c", t(2024, 3, 15), 80.0),
        ],
        ..Tables::default()
    };
    let as_of = t(2024, 4, 10);
    let rows = cohorts(&tables, as_of, 30, &crate::clock::LocalClock::UTC).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.cohort.as_str()).collect::<Vec<_>>(),
        ["2024-01", "2024-03"]
    );
    let jan = &rows[0];
    assert_eq!(jan.students, 2);
    // January..April: 4 calendar months.
    assert_eq!(jan.retention, vec![0.5, 0.5, 0.5, 0.0]);
    assert_eq!(jan.revenue_per_student, vec![50.0, 75.0, 75.0, 90.0]);
    assert_eq!(jan.ltv_observed, 90.0);
    assert_eq!(jan.km_survival.len(), 4);
    let mar = &rows[1];
    assert_eq!(mar.retention, vec![1.0, 1.0]);
    assert_eq!(mar.revenue_per_student, vec![80.0, 80.0]);
    // One day after 31 January is 1/29 of the calendar month from 31 January to 29 February.
    let d = months_between(t(2024, 1, 31), t(2024, 2, 1));
    assert!((d - 1.0 / 29.0).abs() < 1e-12, "{d}");
    assert_eq!(months_between(t(2024, 1, 15), t(2024, 3, 15)), 2.0);
    assert!((months_between(t(2024, 1, 15), t(2024, 3, 30)) - (2.0 + 15.0 / 31.0)).abs() < 1e-12);
    assert_eq!(months_between(t(2024, 3, 1), t(2024, 2, 1)), 0.0);
    // KM: the January cohort: a churned at 1/29 month, b churned at ~1.97 months (last
    // activity 1 March, inactive since): survival 0.5 after month 1, 0 after month 2.
    assert_eq!(jan.km_survival[0], 0.5);
    assert_eq!(jan.km_survival[1], 0.0);
}

#[test]
fn the_dropout_label_is_a_parameter_and_withdrawn_students_leave_the_population() {
    use crate::model::{Activity, ActivityKind, Student, Tables};
    use risk::{labelled_as_of, DropoutLabel};
    let t = |d: i64| Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::days(d);
    let student = |id: &str| Student {
        student_id: id.into(),
        email: format!("{id}@x.es"),
        name: id.into(),
        industry: "x".into(),
        role: "x".into(),
        company_size: "x".into(),
        enrolled_at: t(0),
    };
    let act = |id: &str, d, kind, value| Activity {
        student_id: id.into(),
        at: t(d),
        kind,
        value,
        ref_id: None,
    };
    // a: submits, then withdraws on day 20. b: submits, stays silent, completes on day 50.
    // c: withdrew on day 5 (gone before the scoring date, day 10).
    let tables = Tables {
        students: vec![student("a"), student("b"), student("c")],
        activity: vec![
            act("a", 3, ActivityKind::AssessmentSubmitted, Some(40.0)),
            act("a", 20, ActivityKind::Withdrawn, None),
            act("b", 4, ActivityKind::AssessmentSubmitted, Some(80.0)),
            act("b", 6, ActivityKind::AssessmentSubmitted, None),
            act("b", 50, ActivityKind::Certificate, None),
            act("c", 5, ActivityKind::Withdrawn, None),
        ],
        ..Tables::default()
    };
    let label = |label, horizon_days| {
        let p = RiskParams {
            label,
            horizon_days,
            ..RiskParams::default()
        };
        labelled_as_of(&tables, t(10), &p).unwrap()
    };
    let (ids, x, y) = label(DropoutLabel::Withdrawal, 100);
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(y, [true, false]);
    let Some(crate::learn::ColumnData::Numeric(mean)) = x.column("assessment_score_mean") else {
        panic!("no assessment_score_mean")
    };
    // b's ungraded submission counts as a submission, not as a zero score.
    assert_eq!(mean, &[40.0, 80.0]);
    assert_eq!(label(DropoutLabel::NotCompleting, 100).2, [true, false]);
    // Inactivity over 30 days: a's withdrawal is not activity; b's certificate is on day 50.
    assert_eq!(label(DropoutLabel::Inactivity, 30).2, [true, true]);
    assert_eq!(label(DropoutLabel::Inactivity, 60).2, [true, false]);
    let bad: Result<RiskParams, _> = serde_json::from_str(r#"{"label": "graduated"}"#);
    assert!(bad.is_err());
}

#[test]
fn attributes_and_the_schedule_are_extra_columns_only_when_filled() {
    use crate::model::{
        Activity, ActivityKind, AssessmentDeadline, Student, StudentAttribute, Tables,
    };
    use risk::{labelled_as_of, CATEGORICAL_FEATURES, NUMERIC_FEATURES};
    let t = |d: i64| Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::days(d);
    let student = |id: &str| Student {
        student_id: id.into(),
        email: format!("{id}@x.es"),
        name: id.into(),
        industry: "x".into(),
        role: "x".into(),
        company_size: "x".into(),
        enrolled_at: t(0),
    };
    let sub = |id: &str, d| Activity {
        student_id: id.into(),
        at: t(d),
        kind: ActivityKind::AssessmentSubmitted,
        value: Some(70.0),
        ref_id: None,
    };
    let attr = |id: &str, name: &str, value: &str| StudentAttribute {
        student_id: id.into(),
        name: name.into(),
        value: value.into(),
    };
    let due = |id: &str, d| AssessmentDeadline {
        course_id: "c1".into(),
        assessment_id: id.into(),
        due_at: t(d),
        weight: None,
    };
    let mut tables = Tables {
        students: vec![student("a"), student("b"), student("c")],
        activity: vec![sub("a", 4), sub("a", 9), sub("b", 12)],
        ..Tables::default()
    };
    let params = RiskParams {
        max_attribute_levels: 1,
        ..RiskParams::default()
    };
    // Nothing filled: the base columns only (other businesses keep their model).
    let (_, x, _) = labelled_as_of(&tables, t(20), &params).unwrap();
    assert_eq!(
        x.names().len(),
        NUMERIC_FEATURES.len() + CATEGORICAL_FEATURES.len()
    );
    tables.student_attributes = vec![
        attr("a", "course", "c1"),
        attr("b", "course", "c1"),
        attr("a", "studied_credits", "60"),
        attr("b", "studied_credits", "120"),
        attr("a", "age_band", "0-35"),
        attr("b", "age_band", "0-35"),
        attr("c", "age_band", "55<="),
    ];
    // Deadlines on days 5, 10, 15 and 30; a submits on days 4 and 9, b on day 12, c never.
    tables.assessment_schedule = vec![due("t1", 5), due("t2", 10), due("t3", 15), due("t4", 30)];
    let (ids, x, _) = labelled_as_of(&tables, t(20), &params).unwrap();
    assert_eq!(ids, ["a", "b", "c"]);
    let num = |name: &str| match x.column(name) {
        Some(crate::learn::ColumnData::Numeric(v)) => v.clone(),
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(num("assessments_due"), [3.0, 3.0, 0.0]);
    assert_eq!(num("assessments_missed"), [1.0, 2.0, 0.0]);
    // a was behind at day 15 only; b at days 5 and 10 (its day-12 submission makes 1 of 3 by
    // day 15: behind there too).
    assert_eq!(num("deadlines_behind"), [1.0, 3.0, 0.0]);
    assert_eq!(num("days_to_next_deadline"), [10.0, 10.0, 0.0]);
    // Counted (no `ref_id`): a's 2 submissions answer days 5 and 10 on time; b's day-12 one
    // answers the day-5 deadline, late.
    assert_eq!(num("assessments_late"), [0.0, 1.0, 0.0]);
    assert_eq!(num("late_share"), [0.0, 1.0, 0.0]);
    let credits = num("studied_credits");
    assert_eq!(&credits[..2], [60.0, 120.0]);
    assert!(credits[2].is_nan(), "a student without it is missing");
    // Categorical, capped at one level: the rarer value is `other`; `course` is no feature.
    let Some(crate::learn::ColumnData::Categorical(age)) = x.column("age_band") else {
        panic!("no age_band")
    };
    assert_eq!(age, &["0-35", "0-35", "other"]);
    assert!(x.column("course").is_none());
    // An attribute named like a computed feature: a named error.
    tables
        .student_attributes
        .push(attr("a", "tenure_days", "3"));
    let e = labelled_as_of(&tables, t(20), &params)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("student_attributes") && e.contains("tenure_days"),
        "{e}"
    );
    // Bad rows are named at ingest.
    let mut bad = Tables {
        student_attributes: vec![attr("a", "age_band", " ")],
        ..Tables::default()
    };
    let e = bad.validate().unwrap_err().to_string();
    assert!(
        e.contains("student_attributes") && e.contains("value"),
        "{e}"
    );
    let mut bad = Tables {
        assessment_schedule: vec![AssessmentDeadline {
            weight: Some(-1.0),
            ..due("t1", 5)
        }],
        ..Tables::default()
    };
    let e = bad.validate().unwrap_err().to_string();
    assert!(
        e.contains("assessment_schedule") && e.contains("weight"),
        "{e}"
    );
}

#[test]
fn submissions_naming_their_assessment_are_late_or_missing_exactly() {
    use crate::model::{
        Activity, ActivityKind, AssessmentDeadline, Student, StudentAttribute, Tables,
    };
    use risk::labelled_as_of;
    let t = |d: i64| Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::days(d);
    let student = |id: &str| Student {
        student_id: id.into(),
        email: format!("{id}@x.es"),
        name: id.into(),
        industry: "x".into(),
        role: "x".into(),
        company_size: "x".into(),
        enrolled_at: t(0),
    };
    let sub = |id: &str, d, r: Option<&str>| Activity {
        student_id: id.into(),
        at: t(d),
        kind: ActivityKind::AssessmentSubmitted,
        value: Some(70.0),
        ref_id: r.map(String::from),
    };
    let due = |id: &str, d| AssessmentDeadline {
        course_id: "c1".into(),
        assessment_id: id.into(),
        due_at: t(d),
        weight: None,
    };
    let ids = ["a", "b", "c", "d"];
    let tables = Tables {
        students: ids.iter().map(|i| student(i)).collect(),
        student_attributes: ids
            .iter()
            .map(|i| StudentAttribute {
                student_id: (*i).into(),
                name: "course".into(),
                value: "c1".into(),
            })
            .collect(),
        // Deadlines on days 5, 10, 15 and 30.
        assessment_schedule: vec![due("t1", 5), due("t2", 10), due("t3", 15), due("t4", 30)],
        activity: vec![
            // a: t2 on day 4 (on time), t1 on day 9 (4 days late), t1 again on day 11 (the
            // first submission counts), t3 never. Counted, the same times look on time.
            sub("a", 4, Some("t2")),
            sub("a", 9, Some("t1")),
            sub("a", 11, Some("t1")),
            // b: t3 on day 12, on time; t1 and t2 never. Counted: one late submission.
            sub("b", 12, Some("t3")),
            // c: one submission without `ref_id`: c is counted.
            sub("c", 4, Some("t1")),
            sub("c", 12, None),
            // d: a submission naming an assessment outside the schedule answers none.
            sub("d", 3, Some("quiz-9")),
        ],
        ..Tables::default()
    };
    let (got, x, _) = labelled_as_of(&tables, t(20), &RiskParams::default()).unwrap();
    assert_eq!(got, ids);
    let num = |name: &str| match x.column(name) {
        Some(crate::learn::ColumnData::Numeric(v)) => v.clone(),
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(num("assessments_due"), [3.0, 3.0, 3.0, 3.0]);
    // a owes t3; b owes t1, t2; c (counted: 2 submissions for 3 deadlines) owes 1; d owes all.
    assert_eq!(num("assessments_missed"), [1.0, 2.0, 1.0, 3.0]);
    // a: t1 late, t3 missing; b: t1, t2 missing; c (counted): behind at day 10 (1 of 2) and
    // day 15 (2 of 3); d: every passed deadline.
    assert_eq!(num("deadlines_behind"), [2.0, 2.0, 2.0, 3.0]);
    assert_eq!(num("assessments_late"), [1.0, 0.0, 1.0, 0.0]);
    assert_eq!(num("late_share"), [0.5, 0.0, 0.5, 0.0]);
    // As of day 8, a's t1 is still owed (missing, not yet late) and t2 is done on time.
    let (_, x, _) = labelled_as_of(&tables, t(8), &RiskParams::default()).unwrap();
    let Some(crate::learn::ColumnData::Numeric(late)) = x.column("assessments_late") else {
        panic!("no assessments_late")
    };
    let Some(crate::learn::ColumnData::Numeric(missed)) = x.column("assessments_missed") else {
        panic!("no assessments_missed")
    };
    assert_eq!((late[0], missed[0]), (0.0, 1.0));
    // A blank `ref_id` is named at ingest.
    let mut bad = Tables {
        activity: vec![sub("a", 1, Some("  "))],
        ..Tables::default()
    };
    let e = bad.validate().unwrap_err().to_string();
    assert!(e.contains("activity") && e.contains("ref_id"), "{e}");
}
