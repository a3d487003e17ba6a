//! Community: the share of students taking an active part against the source's 40 % target,
//! the month's leaderboard, the badges earned, the mentor pairs with their reasons, the study
//! groups and the most recommended upcoming webinars.

use crate::html::{close_table, h3, open_section, open_table, para, row, small};
use crate::lang::{fill, Lang};
use crate::read::CommunitySection;
use edupulse_core::community::BadgeKind;
use std::collections::{BTreeMap, BTreeSet};

/// Leaderboard rows shown.
const LEADER_ROWS: usize = 10;
/// Mentor pairs shown.
const PAIR_ROWS: usize = 10;
/// Recommended webinars shown.
const REC_ROWS: usize = 10;

fn badge_label(code: &str, lang: Lang) -> String {
    match serde_json::from_value::<BadgeKind>(serde_json::Value::String(code.to_string())) {
        Ok(b) if lang == Lang::Es => b.label_es().to_string(),
        Ok(b) => b.label_en().to_string(),
        Err(_) => code.to_string(),
    }
}

/// Append the community section. A run without the community step gets no section.
pub fn render(h: &mut String, s: &CommunitySection, lang: Lang) {
    let l = lang.labels();
    let Some(k) = &s.kpi else {
        return;
    };
    open_section(h, "community", l.community_title);
    para(
        h,
        &fill(
            l.community_summary,
            &[
                &lang.pct(k.active_share, 1),
                &lang.pct(k.target, 0),
                &lang.pct(k.occasional_share, 1),
                &lang.pct(k.silent_share, 1),
                &lang.int(u64::from(k.window_days)),
            ],
        ),
    );
    small(
        h,
        if k.meets_target {
            l.community_meets
        } else {
            l.community_misses
        },
    );
    let month: Vec<_> = s
        .leaderboard
        .iter()
        .filter(|r| r.period != "all_time")
        .collect();
    if let Some(first) = month.first() {
        h3(h, &fill(l.community_leaders, &[&first.period]));
        open_table(h, &[l.col_rank, l.col_student, l.col_points], 2);
        for r in month.iter().take(LEADER_ROWS) {
            row(
                h,
                &[
                    lang.int(u64::from(r.rank)),
                    r.student_id.clone(),
                    lang.int(r.points.max(0) as u64),
                ],
                2,
            );
        }
        close_table(h);
    }
    if !s.badges.is_empty() {
        h3(h, l.community_badges);
        let mut by: BTreeMap<&str, u64> = BTreeMap::new();
        for b in &s.badges {
            *by.entry(b.badge.as_str()).or_default() += 1;
        }
        open_table(h, &[l.col_badge, l.col_count], 1);
        for (b, n) in by {
            row(h, &[badge_label(b, lang), lang.int(n)], 1);
        }
        close_table(h);
    }
    if !s.pairs.is_empty() {
        h3(
            h,
            &fill(l.community_pairs, &[&lang.int(s.pairs.len() as u64)]),
        );
        open_table(
            h,
            &[l.col_mentee, l.col_mentor, l.col_reason, l.col_affinity],
            3,
        );
        for p in s.pairs.iter().take(PAIR_ROWS) {
            let reason = if lang == Lang::Es {
                &p.reason
            } else {
                &p.reason_en
            };
            row(
                h,
                &[
                    p.mentee_id.clone(),
                    p.mentor_id.clone(),
                    reason.clone(),
                    lang.int(p.affinity.max(0) as u64),
                ],
                3,
            );
        }
        close_table(h);
    }
    let groups: BTreeSet<&str> = s.groups.iter().map(|g| g.group_id.as_str()).collect();
    if !groups.is_empty() {
        para(
            h,
            &fill(l.community_groups, &[&lang.int(groups.len() as u64)]),
        );
    }
    if !s.recommendations.is_empty() {
        let students: BTreeSet<&str> = s
            .recommendations
            .iter()
            .map(|r| r.student_id.as_str())
            .collect();
        h3(
            h,
            &fill(l.community_recs, &[&lang.int(students.len() as u64)]),
        );
        let mut by: BTreeMap<&str, (u64, &str, chrono::DateTime<chrono::Utc>)> = BTreeMap::new();
        for r in &s.recommendations {
            by.entry(r.webinar_id.as_str())
                .or_insert((0, r.title.as_str(), r.starts_at))
                .0 += 1;
        }
        let mut rows: Vec<_> = by.into_iter().collect();
        rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
        open_table(
            h,
            &[l.col_webinar, l.col_title, l.col_starts, l.col_learners],
            2,
        );
        for (id, (n, title, at)) in rows.into_iter().take(REC_ROWS) {
            row(
                h,
                &[
                    id.to_string(),
                    title.to_string(),
                    lang.datetime(at),
                    lang.int(n),
                ],
                2,
            );
        }
        close_table(h);
    }
    h.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use edupulse_core::community::step::{BadgeRow, CommunityKpiRow, LeaderboardEntry};
    use edupulse_core::community::MentorPair;

    #[test]
    fn renders_kpi_leaders_badges_and_pairs_in_both_languages() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
            .unwrap()
            .to_utc();
        let s = CommunitySection {
            kpi: Some(CommunityKpiRow {
                students: 10,
                active_share: 0.3,
                occasional_share: 0.5,
                silent_share: 0.2,
                target: 0.4,
                meets_target: false,
                window_days: 30,
            }),
            leaderboard: vec![LeaderboardEntry {
                period: "2026-11".into(),
                rank: 1,
                student_id: "s<1>".into(),
                points: 120,
            }],
            badges: vec![BadgeRow {
                student_id: "s1".into(),
                badge: "perfect_attendance".into(),
                period: String::new(),
                earned_at: at,
                label: "Asistencia perfecta".into(),
                dedupe_key: "k".into(),
            }],
            pairs: vec![MentorPair {
                mentee_id: "s2".into(),
                mentor_id: "s1".into(),
                affinity: 6,
                shared_topics: vec!["agentes_ia".into()],
                reason: "misma industria (salud), temas compartidos: agentes_ia".into(),
                reason_en: "same industry (salud), shared topics: agentes_ia".into(),
            }],
            groups: Vec::new(),
            recommendations: Vec::new(),
        };
        let mut es = String::new();
        render(&mut es, &s, Lang::Es);
        assert!(es.contains("30") && es.contains("objetivo 40"), "{es}");
        assert!(es.contains("No se cumple") && es.contains("Asistencia perfecta"));
        assert!(es.contains("s&lt;1&gt;") && es.contains("temas compartidos: agentes_ia"));
        let mut en = String::new();
        render(&mut en, &s, Lang::En);
        assert!(en.contains("Perfect attendance") && en.contains("shared topics: agentes_ia"));
        let mut none = String::new();
        render(&mut none, &CommunitySection::default(), Lang::En);
        assert!(none.is_empty());
    }
}
