use super::groups::{assign_to_anchors, group_count, medoid_groups, objective, study_groups};
use super::matching::{MatchParams, Profile};
use super::step::ParticipationRow;
use chrono::{TimeZone, Utc};

/// A small deterministic pseudo-random generator (xorshift) for test matrices.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Brute force: the best objective over every assignment of the non-anchors to a group or to
/// "left out" with every group's size in `min..=max` and as many students placed as possible.
fn brute(
    n: usize,
    anchors: &[usize],
    sim: &impl Fn(usize, usize) -> i64,
    min: usize,
    max: usize,
) -> i64 {
    let g = anchors.len();
    let others: Vec<usize> = (0..n).filter(|s| !anchors.contains(s)).collect();
    let placeable = (n - g).min(g * (max - 1));
    let mut best = i64::MIN;
    let mut choice = vec![0usize; others.len()];
    loop {
        let mut sizes = vec![1usize; g];
        let mut placed = 0;
        let mut value = 0;
        for (i, &c) in choice.iter().enumerate() {
            if c < g {
                sizes[c] += 1;
                placed += 1;
                value += sim(others[i], anchors[c]);
            }
        }
        if placed == placeable && sizes.iter().all(|s| (min..=max).contains(s)) {
            best = best.max(value);
        }
        // Next choice vector in base g + 1.
        let mut i = 0;
        loop {
            if i == choice.len() {
                return best;
            }
            choice[i] += 1;
            if choice[i] <= g {
                break;
            }
            choice[i] = 0;
            i += 1;
        }
    }
}

#[test]
fn the_assignment_step_is_optimal_against_brute_force() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    // (students, min, max): two groups of 4–6, two of 3–4, one of 2–3 with students left out.
    for &(n, min, max) in &[
        (10usize, 4usize, 6usize),
        (9, 4, 6),
        (8, 3, 4),
        (7, 2, 3),
        (9, 2, 2),
    ] {
        for _ in 0..12 {
            let m: Vec<i64> = (0..n * n).map(|_| (next(&mut state) % 11) as i64).collect();
            let sim = |s: usize, t: usize| m[s * n + t];
            let groups = group_count(n, min, max);
            let mut anchors: Vec<usize> = Vec::new();
            while anchors.len() < groups {
                let a = (next(&mut state) % n as u64) as usize;
                if !anchors.contains(&a) {
                    anchors.push(a);
                }
            }
            let got = assign_to_anchors(n, &anchors, &sim, min, max);
            // Feasible: anchors in their own group, sizes within bounds, as many placed as possible.
            for (k, &a) in anchors.iter().enumerate() {
                assert_eq!(got[a], Some(k));
            }
            let mut sizes = vec![0usize; groups];
            for g in got.iter().flatten() {
                sizes[*g] += 1;
            }
            assert!(sizes.iter().all(|s| (min..=max).contains(s)), "{sizes:?}");
            assert_eq!(sizes.iter().sum::<usize>(), n.min(groups * max));
            assert_eq!(
                objective(&got, &anchors, &sim),
                brute(n, &anchors, &sim, min, max),
                "n {n}, {min}–{max}, anchors {anchors:?}"
            );
        }
    }
}

#[test]
fn medoid_groups_reach_a_local_optimum_no_single_anchor_change_improves() {
    let mut state = 42u64;
    let n = 11;
    let m: Vec<i64> = (0..n * n).map(|_| (next(&mut state) % 11) as i64).collect();
    let sim = |s: usize, t: usize| m[s * n + t];
    let (anchors, assignment) = medoid_groups(n, 2, &sim, 4, 6);
    let value = objective(&assignment, &anchors, &sim);
    // Any other member of a group as its anchor, with the exact reassignment, is no better.
    for k in 0..anchors.len() {
        for c in (0..n).filter(|&c| assignment[c] == Some(k) && c != anchors[k]) {
            let with_groups: i64 = (0..n)
                .filter_map(|s| assignment[s].map(|g| (s, if g == k { c } else { anchors[g] })))
                .filter(|(s, a)| s != a)
                .map(|(s, a)| sim(s, a))
                .sum();
            assert!(with_groups <= value, "anchor {c} of group {k}");
        }
    }
    // Deterministic.
    assert_eq!(medoid_groups(n, 2, &sim, 4, 6), (anchors, assignment));
}

fn profile(id: &str, industry: &str, role: &str, topics: &[&str]) -> Profile {
    Profile {
        student_id: id.into(),
        industry: industry.into(),
        role: role.into(),
        enrolled_at: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        topics: topics.iter().map(|t| (t.to_string(), 1)).collect(),
        certified: false,
        points: 0,
    }
}

fn active(people: &[Profile]) -> Vec<ParticipationRow> {
    people
        .iter()
        .map(|p| ParticipationRow {
            student_id: p.student_id.clone(),
            actions: 5,
            segment: "active".into(),
        })
        .collect()
}

#[test]
fn study_groups_cluster_planted_profiles_explain_each_member_and_rerun_identically() {
    // Three planted clusters of 5 (industry, role, topic), interleaved by id.
    let kinds = [
        ("salud", "dev", "python"),
        ("retail", "manager", "agentes_ia"),
        ("banca", "analista", "datos"),
    ];
    let people: Vec<Profile> = (0..15)
        .map(|i| {
            let (ind, role, topic) = kinds[i % 3];
            profile(&format!("s{i:02}"), ind, role, &[topic])
        })
        .collect();
    let rows = study_groups(&people, &active(&people), &MatchParams::default()).unwrap();
    assert_eq!(rows.len(), 15);
    let mut by_group: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
    for r in &rows {
        let i: usize = r.student_id[1..].parse().unwrap();
        by_group.entry(r.group_id.as_str()).or_default().push(i % 3);
        assert_eq!(r.size, 5);
    }
    // The optimum puts each cluster in its own group (objective 3 groups × 4 × 6).
    for kinds in by_group.values() {
        assert!(kinds.iter().all(|k| *k == kinds[0]), "{by_group:?}");
    }
    let r0 = &rows[0];
    assert!(
        r0.reason.starts_with("temas compartidos: "),
        "{}",
        r0.reason
    );
    assert!(
        rows.iter()
            .filter(|r| r.reason.contains("referente del grupo"))
            .count()
            == 3
    );
    assert!(rows
        .iter()
        .any(|r| r.reason.contains("(afinidad 6): misma industria")));
    // Stable under reruns and under input order.
    let mut shuffled = people.clone();
    shuffled.reverse();
    assert_eq!(
        study_groups(&shuffled, &active(&people), &MatchParams::default()).unwrap(),
        rows
    );
}
