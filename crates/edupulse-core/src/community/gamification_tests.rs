use super::gamification::*;
use crate::model::{Activity, ActivityKind, Registration, Student, Webinar};
use chrono::{DateTime, Duration, Utc};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn act(student: &str, at: &str, kind: ActivityKind) -> Activity {
    Activity {
        student_id: student.into(),
        at: t(at),
        kind,
        value: None,
        ref_id: None,
    }
}

fn student(id: &str) -> Student {
    Student {
        student_id: id.into(),
        email: format!("{id}@x.es"),
        name: id.into(),
        industry: "salud".into(),
        role: "developer".into(),
        company_size: "11-50".into(),
        enrolled_at: t("2025-01-01T00:00:00Z"),
    }
}

#[test]
fn ledger_uses_source_points_and_an_event_earns_once() {
    let a = vec![
        act("ana", "2025-11-03T10:00:00Z", ActivityKind::WebinarAttended),
        act("ana", "2025-11-03T10:00:00Z", ActivityKind::WebinarAttended), // same event twice
        act("ana", "2025-11-04T10:00:00Z", ActivityKind::Certificate),
        act("ana", "2025-11-05T10:00:00Z", ActivityKind::Referral),
        act("ana", "2025-11-06T10:00:00Z", ActivityKind::Comment),
        act("ana", "2025-11-07T10:00:00Z", ActivityKind::Post),
        act("ana", "2025-11-08T10:00:00Z", ActivityKind::Share),
        act("ana", "2025-11-09T10:00:00Z", ActivityKind::Login),
        act("ana", "2025-12-09T10:00:00Z", ActivityKind::Share), // after as_of
    ];
    let p = GamificationParams::default();
    let l = points(&a, t("2025-12-01T00:00:00Z"), &p).unwrap();
    assert_eq!(
        l.iter().map(|e| e.points).collect::<Vec<_>>(),
        vec![10, 50, 25, 5, 5, 15]
    );
    assert_eq!(l.iter().map(|e| e.points).sum::<i64>(), 110);
    // Rerun: same ledger (idempotent).
    assert_eq!(points(&a, t("2025-12-01T00:00:00Z"), &p).unwrap(), l);
    let custom = GamificationParams {
        share: 1,
        ..p.clone()
    };
    assert_eq!(
        points(&a, t("2025-12-01T00:00:00Z"), &custom).unwrap()[5].points,
        1
    );
    assert!(points(
        &a,
        t("2025-12-01T00:00:00Z"),
        &GamificationParams { post: -1, ..p }
    )
    .is_err());
}

#[test]
fn badges_leaderboards_and_participation() {
    let mut a = vec![];
    // 12 students in November: s00 has most points, s11 least.
    for i in 0..12 {
        let s = format!("s{i:02}");
        for k in 0..(12 - i) {
            a.push(act(
                &s,
                &format!("2025-11-{:02}T10:00:00Z", k + 1),
                ActivityKind::Share,
            ));
        }
    }
    for d in ["2025-11-02", "2025-11-05", "2025-11-09"] {
        a.push(act(
            "s05",
            &format!("{d}T12:00:00Z"),
            ActivityKind::Referral,
        ));
    }
    a.push(act(
        "s07",
        "2025-11-20T12:00:00Z",
        ActivityKind::WebinarAttended,
    ));
    a.push(act(
        "s07",
        "2025-12-02T12:00:00Z",
        ActivityKind::WebinarAttended,
    ));
    // Webinars w0..w6 weekly; s01 attends w0 (no), w1..w5 (yes) → streak of 5 at w5.
    let start = t("2025-10-01T18:00:00Z");
    let webinars: Vec<Webinar> = (0..7)
        .map(|i| Webinar {
            webinar_id: format!("w{i}"),
            title: "t".into(),
            topic: "agentes_ia".into(),
            starts_at: start + Duration::days(7 * i),
            duration_min: 60,
            industry: None,
            role: None,
            company_size: None,
            timezone: None,
        })
        .collect();
    let regs: Vec<Registration> = (0..7)
        .map(|i| Registration {
            webinar_id: format!("w{i}"),
            person_id: "s01".into(),
            registered_at: start,
            industry: "salud".into(),
            role: "developer".into(),
            company_size: "11-50".into(),
            attended: i >= 1,
            minutes_watched: None,
            questions: None,
            polls: None,
            chat_messages: None,
        })
        .collect();
    let p = GamificationParams::default();
    let as_of = t("2025-12-03T00:00:00Z");
    let b = badges(&a, &regs, &webinars, as_of, &p).unwrap();
    let of = |k: BadgeKind| b.iter().filter(|x| x.badge == k).collect::<Vec<_>>();
    let top = of(BadgeKind::TopOfMonth);
    assert_eq!(top.len(), 10);
    assert_eq!(top[0].period, "2025-11");
    assert_eq!(top[0].earned_at, t("2025-12-01T00:00:00Z"));
    // s05's 3 referrals (75 points) lift it, s10 and s11 are out.
    assert!(top
        .iter()
        .all(|x| x.student_id != "s10" && x.student_id != "s11"));
    let rm = of(BadgeKind::ReferralMaster);
    assert_eq!(
        (rm.len(), rm[0].student_id.as_str(), rm[0].earned_at),
        (1, "s05", t("2025-11-09T12:00:00Z"))
    );
    let pa = of(BadgeKind::PerfectAttendance);
    assert_eq!((pa.len(), pa[0].earned_at), (1, webinars[5].starts_at));
    let fw = of(BadgeKind::FirstWebinar);
    assert_eq!((fw.len(), fw[0].earned_at), (1, t("2025-11-20T12:00:00Z")));
    assert_eq!(fw[0].dedupe_key, "community:badge:first_webinar:s07");
    // Rerun: the same badges and keys.
    assert_eq!(badges(&a, &regs, &webinars, as_of, &p).unwrap(), b);

    let all = leaderboard(&a, as_of, Period::AllTime, &p).unwrap();
    // s00 (12 shares) and s05 (7 shares + 3 referrals) tie at 180: ties go by id.
    let head: Vec<(&str, i64, usize)> = all[..2]
        .iter()
        .map(|r| (r.student_id.as_str(), r.points, r.rank))
        .collect();
    assert_eq!(head, vec![("s00", 180, 1), ("s05", 7 * 15 + 75, 2)]);
    assert_eq!(all.len(), 12);
    let month = leaderboard(&a, as_of, Period::Month, &p).unwrap();
    assert_eq!(month.len(), 1);
    assert_eq!(
        (
            month[0].period.as_str(),
            month[0].student_id.as_str(),
            month[0].points
        ),
        ("2025-12", "s07", 10)
    );
    let small = GamificationParams {
        leaderboard_size: 3,
        ..p.clone()
    };
    assert_eq!(
        leaderboard(&a, as_of, Period::AllTime, &small)
            .unwrap()
            .len(),
        3
    );
    assert!("year".parse::<Period>().is_err());

    // Participation on 1 December over 30 days: s00..s08 have ≥ 4 shares in the window.
    let students: Vec<Student> = (0..12)
        .map(|i| student(&format!("s{i:02}")))
        .chain([student("quiet")])
        .collect();
    let r = participation(&students, &a, t("2025-12-01T00:00:00Z"), &p).unwrap();
    assert_eq!(r.students.len(), 13);
    let seg = |id: &str| r.students.iter().find(|s| s.0 == id).unwrap().2;
    assert_eq!(seg("s00"), Participation::Active);
    assert_eq!(seg("s10"), Participation::Occasional);
    assert_eq!(seg("quiet"), Participation::Silent);
    assert!((r.active_share - 9.0 / 13.0).abs() < 1e-12);
    assert!(r.meets_target);
}
