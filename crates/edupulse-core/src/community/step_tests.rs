use super::groups::*;
use super::matching::*;
use super::step::*;
use super::upcoming::*;
use crate::job::{Job, JobConfig, RunOptions, Step};
use crate::model::date_to_datetime;
use crate::simulate::{simulate, SimConfig};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::{BTreeMap, BTreeSet};

fn profile(id: &str, industry: &str, role: &str, topics: &[&str], certified: bool) -> Profile {
    Profile {
        student_id: id.into(),
        industry: industry.into(),
        role: role.into(),
        enrolled_at: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        topics: topics.iter().map(|t| (t.to_string(), 1)).collect(),
        certified,
        points: 0,
    }
}

fn as_of() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

/// Brute force: the best total over every assignment of rows to distinct columns.
fn brute(cost: &[Vec<i64>], row: usize, used: &mut Vec<bool>) -> i64 {
    if row == cost.len() {
        return 0;
    }
    let mut best = i64::MAX;
    for j in 0..cost[0].len() {
        if !used[j] {
            used[j] = true;
            best = best.min(cost[row][j] + brute(cost, row + 1, used));
            used[j] = false;
        }
    }
    best
}

#[test]
fn hungarian_matches_brute_force_and_beats_greedy() {
    let mut state = 12345u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % 20) as i64 - 5
    };
    for (n, m) in [(1, 1), (2, 3), (3, 3), (4, 6), (5, 5), (5, 7)] {
        for _ in 0..20 {
            let cost: Vec<Vec<i64>> = (0..n).map(|_| (0..m).map(|_| next()).collect()).collect();
            let a = hungarian(n, m, |i, j| cost[i][j]);
            let cols: BTreeSet<usize> = a.iter().copied().collect();
            assert_eq!(cols.len(), n, "columns are distinct");
            let total: i64 = a.iter().enumerate().map(|(i, &j)| cost[i][j]).sum();
            assert_eq!(total, brute(&cost, 0, &mut vec![false; m]), "{cost:?}");
        }
    }
    // Greedy (row 0 takes its best column) gives 1 + 10 = 11; the optimum is 2 + 1 = 3.
    let cost = [[1, 2], [1, 10]];
    let a = hungarian(2, 2, |i, j| cost[i][j]);
    assert_eq!(a, vec![1, 0]);
}

#[test]
fn mentor_pairs_are_optimal_capacitated_explained_and_stable() {
    let people = vec![
        profile(
            "m1",
            "salud",
            "manager",
            &["agentes_ia", "automatizacion"],
            true,
        ),
        profile("m2", "retail", "developer", &["python"], true),
        profile(
            "e1",
            "salud",
            "manager",
            &["agentes_ia", "automatizacion"],
            false,
        ),
        profile("e2", "salud", "analyst", &["agentes_ia"], false),
        profile("e3", "retail", "developer", &["python"], false),
        profile("e4", "salud", "developer", &["python", "agentes_ia"], false),
    ];
    let params = MatchParams {
        capacity: 2,
        ..MatchParams::default()
    };
    let pairs = match_mentors(&people, as_of(), &params).unwrap();
    let mut load: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &pairs {
        *load.entry(p.mentor_id.as_str()).or_default() += 1;
    }
    assert!(load.values().all(|&n| n <= 2), "{load:?}");
    // The optimum over all capacitated assignments (brute force over mentor slots).
    let mentors = ["m1", "m2"];
    let mentees = ["e1", "e2", "e3", "e4"];
    let prof = |id: &str| people.iter().find(|p| p.student_id == id).unwrap();
    let cost: Vec<Vec<i64>> = mentees
        .iter()
        .map(|e| {
            (0..4)
                .map(|s| -affinity(prof(mentors[s / 2]), prof(e)).0)
                .collect()
        })
        .collect();
    let best = -brute(&cost, 0, &mut vec![false; 4]);
    assert_eq!(pairs.iter().map(|p| p.affinity).sum::<i64>(), best);
    let e1 = pairs.iter().find(|p| p.mentee_id == "e1").unwrap();
    assert_eq!(e1.mentor_id, "m1");
    assert_eq!(
        e1.reason,
        "misma industria (salud), mismo rol (manager), temas compartidos: agentes_ia, \
         automatizacion, mentor certificado"
    );
    assert!(e1.reason_en.starts_with("same industry (salud)"));
    assert_eq!(match_mentors(&people, as_of(), &params).unwrap(), pairs);
    let err = match_mentors(
        &people,
        as_of(),
        &MatchParams {
            capacity: 0,
            ..MatchParams::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("capacity") && err.contains("without capacity"),
        "{err}"
    );
}

fn active(ids: &[String]) -> Vec<ParticipationRow> {
    ids.iter()
        .map(|s| ParticipationRow {
            student_id: s.clone(),
            actions: 5,
            segment: "active".into(),
        })
        .collect()
}

#[test]
fn study_groups_have_four_to_six_members_and_too_few_is_named() {
    let topics = ["agentes_ia", "python", "datos"];
    for n in [4usize, 5, 6, 7, 8, 13, 25] {
        let people: Vec<Profile> = (0..n)
            .map(|i| profile(&format!("s{i:02}"), "salud", "dev", &[topics[i % 3]], false))
            .collect();
        let ids: Vec<String> = people.iter().map(|p| p.student_id.clone()).collect();
        let rows = study_groups(&people, &active(&ids), &MatchParams::default()).unwrap();
        let mut sizes: BTreeMap<&str, u32> = BTreeMap::new();
        for r in &rows {
            *sizes.entry(r.group_id.as_str()).or_default() += 1;
        }
        assert!(
            sizes.values().all(|&s| (4..=6).contains(&s)),
            "{n}: {sizes:?}"
        );
        let placed: u32 = sizes.values().sum();
        assert_eq!(placed as usize, if n == 7 { 6 } else { n }, "{n}");
        // Members of a group share its main interest when the cluster allows.
        if n == 13 {
            assert!(rows
                .iter()
                .any(|r| r.reason.starts_with("temas compartidos")));
        }
    }
    let people: Vec<Profile> = (0..3)
        .map(|i| profile(&format!("s{i}"), "salud", "dev", &[], false))
        .collect();
    let ids: Vec<String> = people.iter().map(|p| p.student_id.clone()).collect();
    let err = study_groups(&people, &active(&ids), &MatchParams::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("min_size") && err.contains("3 participating"),
        "{err}"
    );
}

fn sim() -> (crate::model::Tables, DateTime<Utc>) {
    let sim = SimConfig {
        students: 120,
        seed: 7,
        ..SimConfig::default()
    };
    let tables = simulate(&sim).unwrap();
    let as_of = date_to_datetime(sim.end_date()) - Duration::days(45);
    (tables, as_of)
}

#[test]
fn step_on_simulated_data_is_idempotent_and_recommends_upcoming_only() {
    let (tables, as_of) = sim();
    let step = CommunityStep::default();
    let out = step.run(&tables, as_of).unwrap();
    assert_eq!(
        step.run(&tables, as_of).unwrap(),
        out,
        "a rerun is identical"
    );
    let ledger: Vec<PointsRow> = out.rows().unwrap();
    assert!(!ledger.is_empty());
    let keys: BTreeSet<&str> = ledger.iter().map(|e| e.event_key.as_str()).collect();
    assert_eq!(keys.len(), ledger.len(), "an event earns once");
    // A later run re-derives the same entries for the same events (nothing is added twice).
    let later = step.run(&tables, as_of + Duration::days(7)).unwrap();
    let later_ledger: Vec<PointsRow> = later.rows().unwrap();
    assert!(ledger.iter().all(|e| later_ledger.contains(e)));
    // Badges: one notification per badge, distinct keys.
    let badges: Vec<BadgeRow> = out.rows().unwrap();
    assert!(badges.iter().any(|b| b.badge == "first_webinar"));
    let notes: Vec<_> = out
        .notifications
        .iter()
        .filter(|n| n.kind == "community_badge")
        .collect();
    assert!(!notes.is_empty());
    let nkeys: BTreeSet<&str> = notes.iter().map(|n| n.dedupe_key.as_str()).collect();
    assert_eq!(nkeys.len(), notes.len());
    assert!(notes
        .iter()
        .all(|n| badges.iter().any(|b| b.dedupe_key == n.dedupe_key)));
    // Leaderboards: both periods, ranks 1.. in points order.
    let board: Vec<LeaderboardEntry> = out.rows().unwrap();
    for period in ["all_time".to_string(), format!("{}", as_of.format("%Y-%m"))] {
        let rows: Vec<_> = board.iter().filter(|r| r.period == period).collect();
        assert!(!rows.is_empty(), "{period}");
        assert!(rows.windows(2).all(|w| w[0].points >= w[1].points));
    }
    let kpi: Vec<CommunityKpiRow> = out.rows().unwrap();
    assert_eq!(kpi.len(), 1);
    let k = &kpi[0];
    assert!((k.active_share + k.occasional_share + k.silent_share - 1.0).abs() < 1e-9);
    assert_eq!(k.meets_target, k.active_share >= 0.4);
    // Recommendations: upcoming webinars only, none the student registered for, a reason each.
    let recs: Vec<UpcomingRecommendation> = out.rows().unwrap();
    assert!(!recs.is_empty());
    let horizon = as_of + Duration::days(30);
    for r in &recs {
        assert!(r.starts_at > as_of && r.starts_at <= horizon);
        assert!(!r.reason.is_empty() && !r.reason_en.is_empty());
        assert!(!tables
            .registrations
            .iter()
            .any(|g| g.person_id == r.student_id
                && g.webinar_id == r.webinar_id
                && g.registered_at <= as_of));
        assert!((1..=3).contains(&r.rank));
    }
    assert!(recs
        .iter()
        .any(|r| r.reason.starts_with("asististe a webinars de: ")));
    // Digest: one per student with recommendations, keyed by ISO week: a run later in the same
    // week produces the same keys, a run the next week new ones.
    let digests = |o: &crate::job::StepOutput| -> BTreeSet<String> {
        o.notifications
            .iter()
            .filter(|n| n.kind == "community_digest")
            .map(|n| n.dedupe_key.clone())
            .collect()
    };
    let students: BTreeSet<&str> = recs.iter().map(|r| r.student_id.as_str()).collect();
    assert_eq!(digests(&out).len(), students.len());
    let monday = as_of
        - Duration::days(i64::from(as_of.format("%u").to_string().parse::<u32>().unwrap()) - 1);
    let a = step.run(&tables, monday).unwrap();
    let b = step.run(&tables, monday + Duration::days(6)).unwrap();
    let c = step.run(&tables, monday + Duration::days(7)).unwrap();
    let (ka, kb, kc) = (digests(&a), digests(&b), digests(&c));
    assert!(!ka.is_empty() && !kc.is_empty());
    let week = |k: &String| k.rsplit(':').next().unwrap().to_string();
    assert!(ka.iter().chain(&kb).all(|k| week(k) == iso_week(monday)));
    assert!(kc.iter().all(|k| week(k) != iso_week(monday)));
    // Matching on the same data.
    let pairs: Vec<MentorPair> = out.rows().unwrap();
    let mut load: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &pairs {
        *load.entry(p.mentor_id.as_str()).or_default() += 1;
        assert!(!p.reason.is_empty());
    }
    assert!(load.values().all(|&n| n <= 3));
    let groups: Vec<StudyGroupRow> = out.rows().unwrap();
    assert!(groups.iter().all(|g| (4..=6).contains(&g.size)));
}

#[test]
fn job_runs_community_after_content_and_rejects_unknown_keys() {
    let job = Job::new(&JobConfig::default()).unwrap();
    let names = job.step_names();
    let at = |step: &str| names.iter().position(|n| *n == step);
    assert!(
        at("community").is_some() && at("community") > at("content"),
        "{names:?}"
    );
    let bad: Result<JobConfig, _> =
        serde_json::from_value(serde_json::json!({"community": {"nope": 1}}));
    assert!(bad.unwrap_err().to_string().contains("nope"));
    let cfg: JobConfig = serde_json::from_value(serde_json::json!({
        "community": {"gamification": {"share": 20}, "matching": {"capacity": 2}}
    }))
    .unwrap();
    assert_eq!(cfg.community.gamification.share, 20);
    assert_eq!(cfg.community.gamification.webinar_attended, 10);
    let zero: JobConfig =
        serde_json::from_value(serde_json::json!({"community": {"matching": {"capacity": 0}}}))
            .unwrap();
    assert!(Job::new(&zero)
        .unwrap_err()
        .to_string()
        .contains("capacity"));
    let (tables, as_of) = sim();
    let run = job
        .run_with(&tables, as_of, RunOptions::steps(&["community"]))
        .unwrap();
    assert!(run.failed.is_empty());
    assert_eq!(run.results.len(), 8);
}

#[test]
fn one_table_at_a_time_equals_the_step() {
    let (tables, as_of) = sim();
    let cfg = CommunityConfig::default();
    let out = CommunityStep::default().run(&tables, as_of).unwrap();
    for set in &out.results {
        if set.spec.name == "community_leaderboard" {
            continue;
        }
        let one = community_table(&tables, as_of, &cfg, set.spec.name, None).unwrap();
        assert_eq!(&one, set, "{}", set.spec.name);
    }
    let all = community_table(
        &tables,
        as_of,
        &cfg,
        "community_leaderboard",
        Some(super::gamification::Period::AllTime),
    )
    .unwrap();
    assert!(all
        .rows
        .iter()
        .all(|r| r[0] == crate::model::Value::Text("all_time".into())));
    let err = community_table(&tables, as_of, &cfg, "community_nope", None).unwrap_err();
    assert!(err.to_string().contains("community_nope"));
}

#[test]
fn per_mentor_capacities_bound_the_optimal_assignment() {
    use crate::model::{parse_rows, Mentor};
    let people = vec![
        profile("m1", "salud", "manager", &["agentes_ia"], true),
        profile("m2", "retail", "developer", &["python"], true),
        profile("m3", "salud", "analyst", &["agentes_ia"], true),
        profile("m4", "salud", "manager", &["agentes_ia", "python"], true),
        profile("e1", "salud", "manager", &["agentes_ia"], false),
        profile("e2", "salud", "analyst", &["agentes_ia"], false),
        profile("e3", "retail", "developer", &["python"], false),
        profile("e4", "salud", "developer", &["python", "agentes_ia"], false),
        profile("e5", "salud", "manager", &["python"], false),
    ];
    // m1 takes 1, m2 the default 2 (empty capacity), m3 is paused with capacity 0, m4 is
    // inactive (its capacity 5 does not count); m4 would be everyone's best mentor.
    let rows: Vec<Vec<Option<String>>> = [
        ("m1", Some("1"), "true"),
        ("m2", None, "true"),
        ("m3", Some("0"), "true"),
        ("m4", Some("5"), "false"),
    ]
    .iter()
    .map(|(s, c, a)| {
        vec![
            Some(s.to_string()),
            c.map(String::from),
            Some(a.to_string()),
        ]
    })
    .collect();
    let mentors: Vec<Mentor> = parse_rows(&["student_id", "capacity", "active"], &rows).unwrap();
    let params = MatchParams {
        capacity: 2,
        ..MatchParams::default()
    };
    let caps = mentor_capacities(&mentors, params.capacity);
    assert_eq!(caps.values().copied().collect::<Vec<_>>(), vec![1, 2, 0, 0]);
    let pairs = match_mentors_with(&people, &caps, as_of(), &params).unwrap();
    let cap_of = |m: &str| caps.get(m).copied().unwrap_or(params.capacity);
    let mut load: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &pairs {
        *load.entry(p.mentor_id.as_str()).or_default() += 1;
    }
    for (m, n) in &load {
        assert!(*n <= cap_of(m), "{m} has {n} mentees: {load:?}");
    }
    assert!(!load.contains_key("m3") && !load.contains_key("m4"));
    // Brute force over every assignment (each mentee: one of the 4 mentors or none) that
    // respects the capacities: the best total affinity.
    let mentor_ids = ["m1", "m2", "m3", "m4"];
    let mentee_ids = ["e1", "e2", "e3", "e4", "e5"];
    let prof = |id: &str| people.iter().find(|p| p.student_id == id).unwrap();
    let mut best = 0;
    for code in 0..5usize.pow(5) {
        let (mut c, mut used, mut total) = (code, [0usize; 4], 0);
        for e in mentee_ids {
            let pick = c % 5;
            c /= 5;
            if pick < 4 {
                used[pick] += 1;
                total += affinity(prof(mentor_ids[pick]), prof(e)).0;
            }
        }
        if (0..4).all(|m| used[m] <= cap_of(mentor_ids[m])) {
            best = best.max(total);
        }
    }
    assert_eq!(pairs.iter().map(|p| p.affinity).sum::<i64>(), best);
    // Without the table every mentor takes the default: m4 gets mentees.
    let free = match_mentors(&people, as_of(), &params).unwrap();
    assert!(free.iter().any(|p| p.mentor_id == "m4"));
    // A negative or fractional capacity is a named error (table, 1-based row, column).
    for bad in ["-1", "2.5"] {
        let rows = vec![vec![
            Some("m1".to_string()),
            Some(bad.to_string()),
            Some("true".into()),
        ]];
        let err = parse_rows::<Mentor>(&["student_id", "capacity", "active"], &rows).unwrap_err();
        let loc = err.location().unwrap();
        assert_eq!(
            (loc.table.as_str(), loc.row, loc.column.as_deref()),
            ("mentors", Some(1), Some("capacity")),
            "{bad}: {err}"
        );
    }
}
