//! Matching: mentor ↔ mentee pairs and study groups.
//!
//! Decides, from each student's profile as of a time — industry and role (`students`),
//! interests (topics of the webinars attended, from `registrations` × `webinars`), level
//! (certified: a `certificate` activity; advanced: all-time points ≥ `mentor_min_points`) —
//! which mentor each new student gets and which study group each participating student joins.
//!
//! **Mentor pairs.** Mentors are the certified or advanced students; mentees are the other
//! students enrolled in the last `mentee_days` (the `max_mentees` newest). The objective is
//! stated and integer: maximise the total affinity
//! `Σ 3·[same industry] + 1·[same role] + 2·min(shared topics, 3) + 1·[certified mentor]` over
//! the pairs, each mentee with at most one mentor and each mentor with at most its capacity of
//! mentees: the `mentors` input table's `capacity` for that student when given, else the default
//! `capacity`; a mentor with capacity 0 or `active = false` in `mentors` is not mentoring now
//! and gets no mentee (a negative or fractional capacity is rejected when the table is read). It is solved exactly with the Hungarian algorithm (mentees × mentor slots, plus one
//! "no mentor" column per mentee with affinity 0); pairs of affinity below `min_affinity` are
//! then dropped (they add nothing to the objective). Inputs are sorted by id and ties resolved by
//! the lowest index, so a rerun on the same data gives the same pairs. Each pair carries its
//! explanation ("misma industria (salud), temas compartidos: agentes_ia, automatizacion").
//!
//! **Study groups** are in [`super::groups`] (capacitated k-medoids with an exact min-cost-flow
//! assignment step).

use super::gamification::{points, GamificationParams};
use crate::error::{CoreError, Result};
use crate::model::{ActivityKind, Mentor, Tables};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Parameters of the matching (`[job.community.matching]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchParams {
    /// Mentees per mentor (3) unless the `mentors` table says otherwise for that mentor; 0 is
    /// an error here (a default without capacity; to pause one mentor, give it capacity 0 or
    /// `active = false` in `mentors`).
    pub capacity: usize,
    /// All-time points that make a non-certified student an advanced mentor (300).
    pub mentor_min_points: i64,
    /// Mentees: non-mentors enrolled in the last this many days (90).
    pub mentee_days: i64,
    /// At most this many mentees per run, newest first (400; bounds the assignment's cost).
    pub max_mentees: usize,
    /// Pairs below this affinity are not written (1).
    pub min_affinity: i64,
    /// Smallest study group (4).
    pub min_size: usize,
    /// Largest study group (6).
    pub max_size: usize,
    /// At most this many participants are grouped per run, the most active first (600; bounds
    /// the cost of the exact assignment steps).
    pub max_group_students: usize,
}

impl Default for MatchParams {
    fn default() -> Self {
        MatchParams {
            capacity: 3,
            mentor_min_points: 300,
            mentee_days: 90,
            max_mentees: 400,
            min_affinity: 1,
            min_size: 4,
            max_size: 6,
            max_group_students: 600,
        }
    }
}

impl MatchParams {
    /// `capacity ≥ 1`, `mentee_days ≥ 1`, `max_mentees ≥ 1`, `2 ≤ min_size ≤ max_size`,
    /// `max_group_students ≥ min_size`.
    pub fn validate(&self) -> Result<()> {
        if self.capacity == 0 {
            return Err(CoreError::param(
                "capacity",
                "a mentor without capacity (0 mentees) cannot be matched; use ≥ 1",
            ));
        }
        if self.mentee_days < 1 {
            return Err(CoreError::param("mentee_days", "must be ≥ 1"));
        }
        if self.max_mentees == 0 {
            return Err(CoreError::param("max_mentees", "must be ≥ 1"));
        }
        if self.min_size < 2 {
            return Err(CoreError::param("min_size", "a group needs ≥ 2 students"));
        }
        if self.max_size < self.min_size {
            return Err(CoreError::param("max_size", "must be ≥ min_size"));
        }
        if self.max_group_students < self.min_size {
            return Err(CoreError::param("max_group_students", "must be ≥ min_size"));
        }
        Ok(())
    }
}

/// What matching knows of a student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The student.
    pub student_id: String,
    /// Industry.
    pub industry: String,
    /// Role.
    pub role: String,
    /// Enrolment time.
    pub enrolled_at: DateTime<Utc>,
    /// Topics of the webinars attended, with the number attended.
    pub topics: BTreeMap<String, u32>,
    /// Has a certificate.
    pub certified: bool,
    /// All-time points.
    pub points: i64,
}

impl Profile {
    /// The most-attended topic (ties by name), or empty.
    pub fn main_topic(&self) -> &str {
        let mut best: Option<(&String, u32)> = None;
        for (t, &n) in &self.topics {
            if best.is_none_or(|(_, b)| n > b) {
                best = Some((t, n));
            }
        }
        best.map_or("", |(t, _)| t.as_str())
    }
}

/// The profiles of the students enrolled by `as_of`, by id.
pub fn profiles(
    tables: &Tables,
    as_of: DateTime<Utc>,
    params: &GamificationParams,
) -> Result<Vec<Profile>> {
    let topic: HashMap<&str, (&str, DateTime<Utc>)> = tables
        .webinars
        .iter()
        .map(|w| (w.webinar_id.as_str(), (w.topic.as_str(), w.starts_at)))
        .collect();
    let mut totals: HashMap<String, i64> = HashMap::new();
    for e in points(&tables.activity, as_of, params)? {
        *totals.entry(e.student_id).or_insert(0) += e.points;
    }
    let certified: BTreeSet<&str> = tables
        .activity
        .iter()
        .filter(|a| a.kind == ActivityKind::Certificate && a.at <= as_of)
        .map(|a| a.student_id.as_str())
        .collect();
    let mut topics: HashMap<&str, BTreeMap<String, u32>> = HashMap::new();
    for r in tables.registrations.iter().filter(|r| r.attended) {
        if let Some(&(t, at)) = topic.get(r.webinar_id.as_str()) {
            if at <= as_of && !t.is_empty() {
                *topics
                    .entry(r.person_id.as_str())
                    .or_default()
                    .entry(t.to_string())
                    .or_insert(0) += 1;
            }
        }
    }
    let mut out: Vec<Profile> = tables
        .students
        .iter()
        .filter(|s| s.enrolled_at <= as_of)
        .map(|s| Profile {
            student_id: s.student_id.clone(),
            industry: s.industry.clone(),
            role: s.role.clone(),
            enrolled_at: s.enrolled_at,
            topics: topics.remove(s.student_id.as_str()).unwrap_or_default(),
            certified: certified.contains(s.student_id.as_str()),
            points: totals.get(&s.student_id).copied().unwrap_or(0),
        })
        .collect();
    out.sort_by(|a, b| a.student_id.cmp(&b.student_id));
    out.dedup_by(|a, b| a.student_id == b.student_id);
    Ok(out)
}

crate::result_table! {
    /// A mentor ↔ mentee pair of the optimal assignment, with its affinity and the reason.
    #[table = "community_mentor_pairs", step = "community", key = [mentee_id]]
    pub struct MentorPair {
        /// The new student.
        pub mentee_id: String,
        /// The certified or advanced student.
        pub mentor_id: String,
        /// Affinity (3·same industry + 1·same role + 2·shared topics up to 3 + 1·certified).
        pub affinity: i64,
        /// Topics both attended.
        pub shared_topics: Vec<String>,
        /// Why, in Spanish ("misma industria (salud), temas compartidos: …").
        pub reason: String,
        /// Why, in English.
        pub reason_en: String,
    }
}

/// The affinity of a mentor for a mentee and the topics they share.
pub fn affinity(mentor: &Profile, mentee: &Profile) -> (i64, Vec<String>) {
    let shared: Vec<String> = mentor
        .topics
        .keys()
        .filter(|t| mentee.topics.contains_key(*t))
        .cloned()
        .collect();
    let score = 3 * i64::from(mentor.industry == mentee.industry && !mentor.industry.is_empty())
        + i64::from(mentor.role == mentee.role && !mentor.role.is_empty())
        + 2 * shared.len().min(3) as i64
        + i64::from(mentor.certified);
    (score, shared)
}

fn explain(mentor: &Profile, mentee: &Profile, shared: &[String]) -> (String, String) {
    let mut es = Vec::new();
    let mut en = Vec::new();
    if mentor.industry == mentee.industry && !mentor.industry.is_empty() {
        es.push(format!("misma industria ({})", mentor.industry));
        en.push(format!("same industry ({})", mentor.industry));
    }
    if mentor.role == mentee.role && !mentor.role.is_empty() {
        es.push(format!("mismo rol ({})", mentor.role));
        en.push(format!("same role ({})", mentor.role));
    }
    if !shared.is_empty() {
        es.push(format!("temas compartidos: {}", shared.join(", ")));
        en.push(format!("shared topics: {}", shared.join(", ")));
    }
    if mentor.certified {
        es.push("mentor certificado".into());
        en.push("certified mentor".into());
    } else {
        es.push(format!("mentor avanzado ({} puntos)", mentor.points));
        en.push(format!("advanced mentor ({} points)", mentor.points));
    }
    (es.join(", "), en.join(", "))
}

/// Minimum-cost assignment of every row to a distinct column (rows ≤ columns), the Hungarian
/// algorithm with potentials, O(rows² · columns). Returns each row's column. Ties go to the
/// lowest column index, so the result is a function of the matrix.
pub fn hungarian(rows: usize, cols: usize, cost: impl Fn(usize, usize) -> i64) -> Vec<usize> {
    if rows == 0 {
        return Vec::new();
    }
    debug_assert!(rows <= cols);
    const INF: i64 = i64::MAX / 4;
    let mut u = vec![0i64; rows + 1];
    let mut v = vec![0i64; cols + 1];
    let mut p = vec![0usize; cols + 1];
    let mut way = vec![0usize; cols + 1];
    for i in 1..=rows {
        p[0] = i;
        let mut j0 = 0usize;
        let mut minv = vec![INF; cols + 1];
        let mut used = vec![false; cols + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = INF;
            let mut j1 = 0usize;
            for j in 1..=cols {
                if !used[j] {
                    let cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=cols {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if j1 == 0 || p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut out = vec![0usize; rows];
    for j in 1..=cols {
        if p[j] != 0 {
            out[p[j] - 1] = j - 1;
        }
    }
    out
}

/// Who mentors and who is mentored among `people` (see the module doc).
pub fn roles<'a>(
    people: &'a [Profile],
    as_of: DateTime<Utc>,
    params: &MatchParams,
) -> (Vec<&'a Profile>, Vec<&'a Profile>) {
    let is_mentor = |p: &Profile| p.certified || p.points >= params.mentor_min_points;
    let mentors: Vec<&Profile> = people.iter().filter(|p| is_mentor(p)).collect();
    let from = as_of - chrono::Duration::days(params.mentee_days);
    let mut mentees: Vec<&Profile> = people
        .iter()
        .filter(|p| !is_mentor(p) && p.enrolled_at > from && p.enrolled_at <= as_of)
        .collect();
    mentees.sort_by(|a, b| {
        b.enrolled_at
            .cmp(&a.enrolled_at)
            .then(a.student_id.cmp(&b.student_id))
    });
    mentees.truncate(params.max_mentees);
    mentees.sort_by(|a, b| a.student_id.cmp(&b.student_id));
    (mentors, mentees)
}

/// Per-mentor capacities from the `mentors` input table: student id → mentees it takes (0 for
/// `active = false` or `capacity = 0`: not mentoring now); students absent from the map take the
/// default [`MatchParams::capacity`]. An empty `capacity` keeps the default.
pub fn mentor_capacities(mentors: &[Mentor], default: usize) -> BTreeMap<String, usize> {
    mentors
        .iter()
        .map(|m| {
            let cap = if m.active {
                m.capacity.map_or(default, |c| c as usize)
            } else {
                0
            };
            (m.student_id.clone(), cap)
        })
        .collect()
}

/// The optimal mentor ↔ mentee pairs among `people` (profiles as of `as_of`, which ends the
/// mentee window), by mentee id, every mentor with the default capacity.
pub fn match_mentors(
    people: &[Profile],
    as_of: DateTime<Utc>,
    params: &MatchParams,
) -> Result<Vec<MentorPair>> {
    match_mentors_with(people, &BTreeMap::new(), as_of, params)
}

/// [`match_mentors`] with per-mentor capacities (see [`mentor_capacities`]; a mentor missing
/// from `capacities` takes `params.capacity`, one with 0 gets no mentee).
pub fn match_mentors_with(
    people: &[Profile],
    capacities: &BTreeMap<String, usize>,
    as_of: DateTime<Utc>,
    params: &MatchParams,
) -> Result<Vec<MentorPair>> {
    params.validate()?;
    let (mentors, mentees) = roles(people, as_of, params);
    let n = mentees.len();
    // Mentor slots: slot s belongs to mentor owner[s]. A mentor never needs more slots than
    // there are mentees, which bounds the assignment whatever the capacities say.
    let mut owner: Vec<usize> = Vec::new();
    for (m, p) in mentors.iter().enumerate() {
        let cap = capacities
            .get(&p.student_id)
            .copied()
            .unwrap_or(params.capacity);
        owner.extend(std::iter::repeat_n(m, cap.min(n)));
    }
    if owner.is_empty() || n == 0 {
        return Ok(Vec::new());
    }
    let scores: Vec<Vec<(i64, Vec<String>)>> = mentees
        .iter()
        .map(|e| mentors.iter().map(|m| affinity(m, e)).collect())
        .collect();
    let slots = owner.len();
    // Columns: mentor slots, then one "no mentor" column per mentee (affinity 0).
    let assignment = hungarian(n, slots + n, |i, j| {
        if j < slots {
            -scores[i][owner[j]].0
        } else {
            0
        }
    });
    let mut out = Vec::new();
    for (i, &j) in assignment.iter().enumerate() {
        let Some(&m) = owner.get(j) else {
            continue;
        };
        let (score, shared) = &scores[i][m];
        if *score < params.min_affinity {
            continue;
        }
        let (reason, reason_en) = explain(mentors[m], mentees[i], shared);
        out.push(MentorPair {
            mentee_id: mentees[i].student_id.clone(),
            mentor_id: mentors[m].student_id.clone(),
            affinity: *score,
            shared_topics: shared.clone(),
            reason,
            reason_en,
        });
    }
    Ok(out)
}
