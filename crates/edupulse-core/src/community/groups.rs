//! Study groups: capacitated k-medoids with an exact assignment step.
//!
//! Decides, from the profiles of the students participating in the community (active or
//! occasional in `participation`: industry, role, topics of the webinars attended), which study
//! group of `min_size`–`max_size` each one joins.
//!
//! **Objective (stated, integer).** With `G` groups, each group `g` has an anchor `a_g` (one of
//! its members, the medoid); maximise `Σ_g Σ_{s ∈ g, s ≠ a_g} sim(s, a_g)` where
//! `sim(s, t) = 3·[same industry] + 1·[same role] + 2·min(shared topics, 3)` (the mentor
//! affinity without the mentor's certificate), subject to every group having `min_size` to
//! `max_size` members and as many students placed as the sizes allow. `G = ⌈n / max_size⌉`, or
//! `⌊n / min_size⌋` when that many groups cannot reach `min_size` (then `n − G·max_size`
//! students cannot be placed, e.g. 7 students into 4–6: one group of 6, one student left out;
//! who is left out is part of the optimisation).
//!
//! **Method.** Capacitated k-medoids: anchors start from PAM's BUILD (greedily add the student
//! that most increases `Σ_s max_a sim(s, a)`), then alternate (1) the **exact** assignment of
//! the other students to the fixed anchors — a capacitated transportation problem solved as a
//! min-cost flow (source → student, capacity 1; student → group, cost `−sim`; group → sink, one
//! arc of capacity `min_size − 1` with a bonus that forces it full and one of capacity
//! `max_size − min_size`), by successive shortest paths, which is optimal for the objective given
//! the anchors — and (2) per group, the member with the largest total similarity to the others
//! becomes the anchor. Each round never lowers the objective; it stops when the anchors no longer
//! change (at most `MAX_ROUNDS` rounds). What is optimal: every assignment step, exactly; the
//! whole is a local optimum of the objective (no anchor change and no reassignment improves it),
//! not necessarily the global one (that problem is NP-hard in general).
//!
//! Cost: each assignment is `O(n)` shortest paths on `n + G + 2` nodes and `≈ n·G` arcs, so the
//! run takes at most `max_group_students` participants (600; the most active first, ties by id).
//! Inputs are sorted by id and ties go to the lowest index: a rerun gives the same groups.

use super::matching::{MatchParams, Profile};
use super::step::ParticipationRow;
use crate::error::{CoreError, Result};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// At most this many anchor-update rounds.
const MAX_ROUNDS: usize = 50;

crate::result_table! {
    /// A student's study group: 4–6 participating students around an anchor, grouped to
    /// maximise the members' similarity to their group's anchor (see `community::groups`).
    #[table = "community_study_groups", step = "community", key = [group_id, student_id]]
    pub struct StudyGroupRow {
        /// Group id (`g001`, …).
        pub group_id: String,
        /// A member.
        pub student_id: String,
        /// Members in the group.
        pub size: u32,
        /// Topics attended by at least half of the group.
        pub topics: Vec<String>,
        /// Why these students, in Spanish: the group's common ground, then this member's
        /// similarity to the anchor.
        pub reason: String,
    }
}

/// Similarity of two students for study groups: `3·[same industry] + 1·[same role] +
/// 2·min(shared topics, 3)`, with the shared topics.
pub fn peer_similarity(a: &Profile, b: &Profile) -> (i64, Vec<String>) {
    let shared: Vec<String> = a
        .topics
        .keys()
        .filter(|t| b.topics.contains_key(*t))
        .cloned()
        .collect();
    let score = 3 * i64::from(a.industry == b.industry && !a.industry.is_empty())
        + i64::from(a.role == b.role && !a.role.is_empty())
        + 2 * shared.len().min(3) as i64;
    (score, shared)
}

/// [`peer_similarity`]'s score without collecting the topics.
fn peer_score(a: &Profile, b: &Profile) -> i64 {
    let shared = a
        .topics
        .keys()
        .filter(|t| b.topics.contains_key(*t))
        .count();
    3 * i64::from(a.industry == b.industry && !a.industry.is_empty())
        + i64::from(a.role == b.role && !a.role.is_empty())
        + 2 * shared.min(3) as i64
}

/// The number of groups for `n` students of `min`–`max` members (see the module doc).
pub(crate) fn group_count(n: usize, min: usize, max: usize) -> usize {
    let g = n.div_ceil(max);
    if g * min > n {
        n / min
    } else {
        g
    }
}

/// A residual arc of the flow network.
struct Arc {
    to: usize,
    cap: i64,
    cost: i64,
}

/// Min-cost flow on a small graph by successive shortest paths (queue-based Bellman–Ford, so
/// negative arc costs are fine on an acyclic start).
struct Flow {
    arcs: Vec<Arc>,
    out: Vec<Vec<usize>>,
}

impl Flow {
    fn new(nodes: usize) -> Flow {
        Flow {
            arcs: Vec::new(),
            out: vec![Vec::new(); nodes],
        }
    }

    fn add(&mut self, from: usize, to: usize, cap: i64, cost: i64) -> usize {
        let id = self.arcs.len();
        self.arcs.push(Arc { to, cap, cost });
        self.arcs.push(Arc {
            to: from,
            cap: 0,
            cost: -cost,
        });
        self.out[from].push(id);
        self.out[to].push(id + 1);
        id
    }

    /// Send as much flow as possible from `s` to `t` at minimum cost, one shortest path at a
    /// time (each path carries one unit here: the source arcs have capacity 1).
    fn run(&mut self, s: usize, t: usize) {
        let n = self.out.len();
        loop {
            let mut dist = vec![i64::MAX; n];
            let mut via = vec![usize::MAX; n];
            let mut queued = vec![false; n];
            let mut queue = VecDeque::new();
            dist[s] = 0;
            queue.push_back(s);
            queued[s] = true;
            while let Some(v) = queue.pop_front() {
                queued[v] = false;
                for &a in &self.out[v] {
                    let arc = &self.arcs[a];
                    if arc.cap > 0 && dist[v] + arc.cost < dist[arc.to] {
                        dist[arc.to] = dist[v] + arc.cost;
                        via[arc.to] = a;
                        if !queued[arc.to] {
                            queued[arc.to] = true;
                            queue.push_back(arc.to);
                        }
                    }
                }
            }
            if dist[t] == i64::MAX {
                return;
            }
            let mut push = i64::MAX;
            let mut v = t;
            while v != s {
                let a = via[v];
                push = push.min(self.arcs[a].cap);
                v = self.arcs[a ^ 1].to;
            }
            let mut v = t;
            while v != s {
                let a = via[v];
                self.arcs[a].cap -= push;
                self.arcs[a ^ 1].cap += push;
                v = self.arcs[a ^ 1].to;
            }
        }
    }
}

/// The exact assignment step: students `0..n` to the groups of `anchors` (anchor `g` is in group
/// `g`), every group of `min`–`max` members, as many students placed as the sizes allow, and the
/// largest `Σ sim(s, anchor)` among such assignments. Returns each student's group (`None`: left
/// out). Needs `anchors.len()·min ≤ n`.
pub(crate) fn assign_to_anchors(
    n: usize,
    anchors: &[usize],
    sim: &impl Fn(usize, usize) -> i64,
    min: usize,
    max: usize,
) -> Vec<Option<usize>> {
    let g = anchors.len();
    let mut out = vec![None; n];
    for (k, &a) in anchors.iter().enumerate() {
        out[a] = Some(k);
    }
    let others: Vec<usize> = (0..n).filter(|s| out[*s].is_none()).collect();
    if g == 0 || others.is_empty() {
        return out;
    }
    let max_sim = others
        .iter()
        .flat_map(|&s| anchors.iter().map(move |&a| (s, a)))
        .map(|(s, a)| sim(s, a).max(0))
        .max()
        .unwrap_or(0);
    // A bonus per mandatory seat larger than any difference in total similarity, so every
    // minimum-cost maximum flow fills all of them when possible.
    let bonus = (others.len() as i64 + 1) * (max_sim + 1);
    let (src, sink) = (0, 1);
    let student = |i: usize| 2 + i;
    let group = |k: usize| 2 + others.len() + k;
    let mut flow = Flow::new(2 + others.len() + g);
    let mut arcs = Vec::with_capacity(others.len());
    for (i, &s) in others.iter().enumerate() {
        flow.add(src, student(i), 1, 0);
        let ids: Vec<usize> = anchors
            .iter()
            .enumerate()
            .map(|(k, &a)| flow.add(student(i), group(k), 1, -sim(s, a)))
            .collect();
        arcs.push(ids);
    }
    for k in 0..g {
        flow.add(group(k), sink, (min - 1) as i64, -bonus);
        flow.add(group(k), sink, (max - min) as i64, 0);
    }
    flow.run(src, sink);
    for (i, &s) in others.iter().enumerate() {
        out[s] = arcs[i].iter().position(|&a| flow.arcs[a].cap == 0);
    }
    out
}

/// `Σ sim(s, anchor of s's group)` over the non-anchor members.
pub(crate) fn objective(
    assignment: &[Option<usize>],
    anchors: &[usize],
    sim: &impl Fn(usize, usize) -> i64,
) -> i64 {
    assignment
        .iter()
        .enumerate()
        .filter_map(|(s, g)| g.map(|g| (s, anchors[g])))
        .filter(|(s, a)| s != a)
        .map(|(s, a)| sim(s, a))
        .sum()
}

/// Capacitated k-medoids over students `0..n` (see the module doc): the anchors and each
/// student's group. Needs `groups·min ≤ n`.
pub(crate) fn medoid_groups(
    n: usize,
    groups: usize,
    sim: &impl Fn(usize, usize) -> i64,
    min: usize,
    max: usize,
) -> (Vec<usize>, Vec<Option<usize>>) {
    // BUILD: add the anchor that most increases Σ_s max(0, max_a sim(s, a)) over the other
    // students (ties: lowest index).
    let mut anchors: Vec<usize> = Vec::with_capacity(groups);
    let mut best_to_anchor = vec![0i64; n];
    for _ in 0..groups {
        let mut pick: Option<(i64, usize)> = None;
        for c in (0..n).filter(|c| !anchors.contains(c)) {
            let gain: i64 = (0..n)
                .filter(|&s| s != c && !anchors.contains(&s))
                .map(|s| (sim(s, c) - best_to_anchor[s]).max(0))
                .sum();
            if pick.is_none_or(|(g, _)| gain > g) {
                pick = Some((gain, c));
            }
        }
        let Some((_, c)) = pick else { break };
        anchors.push(c);
        for (s, b) in best_to_anchor.iter_mut().enumerate() {
            *b = (*b).max(sim(s, c));
        }
    }
    let mut assignment = assign_to_anchors(n, &anchors, sim, min, max);
    let mut value = objective(&assignment, &anchors, sim);
    for _ in 0..MAX_ROUNDS {
        let mut next = anchors.clone();
        for (k, anchor) in next.iter_mut().enumerate() {
            let members: Vec<usize> = (0..n).filter(|&s| assignment[s] == Some(k)).collect();
            let total = |c: usize| -> i64 {
                members
                    .iter()
                    .filter(|&&s| s != c)
                    .map(|&s| sim(s, c))
                    .sum()
            };
            let mut best = (total(*anchor), *anchor);
            for &c in &members {
                let t = total(c);
                if t > best.0 {
                    best = (t, c);
                }
            }
            *anchor = best.1;
        }
        if next == anchors {
            break;
        }
        let candidate = assign_to_anchors(n, &next, sim, min, max);
        let v = objective(&candidate, &next, sim);
        if v <= value {
            break;
        }
        anchors = next;
        assignment = candidate;
        value = v;
    }
    (anchors, assignment)
}

/// Study groups of the participating students (active or occasional in `participation`; at
/// most `params.max_group_students`, the most active first), by group id then student id.
/// Fewer participants than `min_size` is an [`InvalidParameter`](CoreError::InvalidParameter)
/// error on `min_size` naming the count.
pub fn study_groups(
    people: &[Profile],
    participation: &[ParticipationRow],
    params: &MatchParams,
) -> Result<Vec<StudyGroupRow>> {
    params.validate()?;
    let actions: BTreeMap<&str, u32> = participation
        .iter()
        .filter(|p| p.segment != "silent")
        .map(|p| (p.student_id.as_str(), p.actions))
        .collect();
    let mut members: Vec<&Profile> = people
        .iter()
        .filter(|p| actions.contains_key(p.student_id.as_str()))
        .collect();
    let n = members.len();
    if n < params.min_size {
        return Err(CoreError::param(
            "min_size",
            format!(
                "{n} participating students are fewer than a study group of {}",
                params.min_size
            ),
        ));
    }
    members.sort_by(|a, b| {
        let count = |p: &Profile| actions.get(p.student_id.as_str()).copied().unwrap_or(0);
        count(b)
            .cmp(&count(a))
            .then(a.student_id.cmp(&b.student_id))
    });
    members.truncate(params.max_group_students);
    members.sort_by(|a, b| a.student_id.cmp(&b.student_id));
    let n = members.len();
    let (min, max) = (params.min_size, params.max_size);
    let groups = group_count(n, min, max);
    let sims: Vec<i64> = (0..n * n)
        .map(|ij| peer_score(members[ij / n], members[ij % n]))
        .collect();
    let sim = |s: usize, t: usize| sims[s * n + t];
    let (anchors, assignment) = medoid_groups(n, groups, &sim, min, max);
    // Number the groups by their smallest member id, so ids do not depend on anchor order.
    let mut order: Vec<(usize, usize)> = (0..groups)
        .filter_map(|k| {
            assignment
                .iter()
                .position(|g| *g == Some(k))
                .map(|s| (s, k))
        })
        .collect();
    order.sort_unstable();
    let mut out = Vec::new();
    for (number, &(_, k)) in order.iter().enumerate() {
        let group: Vec<usize> = (0..n).filter(|&s| assignment[s] == Some(k)).collect();
        let size = group.len();
        let anchor = members[anchors[k]];
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for &s in &group {
            for t in members[s].topics.keys() {
                *count.entry(t.as_str()).or_insert(0) += 1;
            }
        }
        let topics: Vec<String> = count
            .into_iter()
            .filter(|(_, c)| 2 * c >= size)
            .map(|(t, _)| t.to_string())
            .collect();
        let mut common = Vec::new();
        if !topics.is_empty() {
            common.push(format!("temas compartidos: {}", topics.join(", ")));
        }
        for (what, values) in [
            (
                "misma industria",
                group
                    .iter()
                    .map(|&s| members[s].industry.as_str())
                    .collect::<BTreeSet<_>>(),
            ),
            (
                "mismo rol",
                group
                    .iter()
                    .map(|&s| members[s].role.as_str())
                    .collect::<BTreeSet<_>>(),
            ),
        ] {
            if let (1, Some(v)) = (values.len(), values.iter().next()) {
                if !v.is_empty() {
                    common.push(format!("{what} ({v})"));
                }
            }
        }
        let group_reason = if common.is_empty() {
            "intereses cercanos".to_string()
        } else {
            common.join("; ")
        };
        let total: i64 = group
            .iter()
            .filter(|&&s| s != anchors[k])
            .map(|&s| sim(s, anchors[k]))
            .sum();
        for &s in &group {
            let p = members[s];
            let member = if s == anchors[k] {
                format!(
                    "referente del grupo (afinidad total del grupo con {}: {total})",
                    p.student_id
                )
            } else {
                let (score, shared) = peer_similarity(p, anchor);
                let mut why = Vec::new();
                if p.industry == anchor.industry && !p.industry.is_empty() {
                    why.push(format!("misma industria ({})", p.industry));
                }
                if p.role == anchor.role && !p.role.is_empty() {
                    why.push(format!("mismo rol ({})", p.role));
                }
                if !shared.is_empty() {
                    why.push(format!("temas: {}", shared.join(", ")));
                }
                let why = if why.is_empty() {
                    "sin rasgos en común; completa el tamaño mínimo".to_string()
                } else {
                    why.join(", ")
                };
                format!(
                    "con el referente {} (afinidad {score}): {why}",
                    anchor.student_id
                )
            };
            out.push(StudyGroupRow {
                group_id: format!("g{:03}", number + 1),
                student_id: p.student_id.clone(),
                size: u32::try_from(size).unwrap_or(u32::MAX),
                topics: topics.clone(),
                reason: format!("{group_reason} — {member}"),
            });
        }
    }
    Ok(out)
}
