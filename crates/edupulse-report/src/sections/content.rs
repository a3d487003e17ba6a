//! Content and learning paths: the micro-lessons of each recording (in engagement order when
//! there is engagement data), how many learners are sent to study what and why, and the concepts
//! most learners struggle with.

use crate::html::{close_table, h3, open_section, open_table, para, row, small};
use crate::lang::{fill, Lang};
use crate::read::ContentSection;
use std::collections::{BTreeMap, BTreeSet};

/// Micro-lessons listed (the rest are in `content_lessons`).
const LESSON_ROWS: usize = 40;
/// Difficult concepts listed.
const DIFFICULT_ROWS: usize = 15;

fn clock(s: f64) -> String {
    let t = s.max(0.0).round() as u64;
    if t >= 3600 {
        format!("{}:{:02}:{:02}", t / 3600, t / 60 % 60, t % 60)
    } else {
        format!("{}:{:02}", t / 60, t % 60)
    }
}

/// Append the content section. A run without content tables gets no section.
pub fn render(h: &mut String, s: &ContentSection, lang: Lang) {
    let l = lang.labels();
    if s.lessons.is_empty() && s.mastery.is_empty() && s.next_steps.is_empty() {
        return;
    }
    open_section(h, "content", l.content_title);
    let recordings: BTreeSet<&str> = s.lessons.iter().map(|x| x.content_id.as_str()).collect();
    let difficult = s.mastery.iter().filter(|m| m.difficult).count();
    para(
        h,
        &fill(
            l.content_summary,
            &[
                &lang.int(recordings.len() as u64),
                &lang.int(s.lessons.len() as u64),
                &lang.int(s.next_steps.len() as u64),
                &lang.int(difficult as u64),
            ],
        ),
    );
    if !s.lessons.is_empty() {
        h3(h, l.content_lessons);
        open_table(
            h,
            &[
                l.col_recording,
                l.col_title,
                l.col_span,
                l.col_key_terms,
                l.col_lesson,
                l.col_engagement_rank,
            ],
            4,
        );
        let mut lessons: Vec<_> = s.lessons.iter().collect();
        lessons.sort_by(|a, b| {
            (&a.content_id, a.engagement_rank, a.lesson).cmp(&(
                &b.content_id,
                b.engagement_rank,
                b.lesson,
            ))
        });
        for x in lessons.iter().take(LESSON_ROWS) {
            row(
                h,
                &[
                    x.content_id.clone(),
                    x.title.clone(),
                    format!("{}–{}", clock(x.start_s), clock(x.end_s)),
                    x.key_terms.join(", "),
                    lang.int(u64::from(x.lesson)),
                    lang.int(u64::from(x.engagement_rank)),
                ],
                4,
            );
        }
        close_table(h);
        if lessons.len() > LESSON_ROWS {
            small(
                h,
                &fill(
                    l.content_lessons_more,
                    &[&lang.int((lessons.len() - LESSON_ROWS) as u64)],
                ),
            );
        }
    }
    if !s.next_steps.is_empty() {
        h3(h, l.content_next);
        let mut by: BTreeMap<(&str, &str), (u64, String)> = BTreeMap::new();
        for n in &s.next_steps {
            let e = by
                .entry((n.reason.as_str(), n.concept_id.as_str()))
                .or_insert((0, n.concept_name.clone()));
            e.0 += 1;
        }
        let mut rows: Vec<_> = by.into_iter().collect();
        rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
        open_table(h, &[l.col_reason, l.col_concept, l.col_learners], 2);
        for ((reason, concept), (n, name)) in rows.into_iter().take(DIFFICULT_ROWS) {
            let shown = if name.is_empty() || name == concept {
                concept.to_string()
            } else {
                format!("{name} ({concept})")
            };
            row(h, &[lang.next_reason(reason), shown, lang.int(n)], 2);
        }
        close_table(h);
    }
    if difficult > 0 {
        h3(h, l.content_difficult);
        let mut by: BTreeMap<&str, (u64, f64, u64)> = BTreeMap::new();
        for m in &s.mastery {
            let e = by.entry(m.concept_id.as_str()).or_insert((0, 0.0, 0));
            e.0 += u64::from(m.difficult);
            e.1 += m.mastery;
            e.2 += 1;
        }
        let mut rows: Vec<_> = by.into_iter().filter(|(_, v)| v.0 > 0).collect();
        rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
        open_table(
            h,
            &[l.col_concept, l.col_difficult_learners, l.col_mean_mastery],
            1,
        );
        for (c, (k, sum, n)) in rows.into_iter().take(DIFFICULT_ROWS) {
            row(
                h,
                &[c.to_string(), lang.int(k), lang.pct(sum / n as f64, 0)],
                1,
            );
        }
        close_table(h);
    }
    h.push_str("</section>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use edupulse_core::content::step::{LessonRow, MasteryRow, NextStepRow};

    #[test]
    fn renders_lessons_next_steps_and_difficult_concepts_in_both_languages() {
        let lesson = |k: u32, rank: u32| LessonRow {
            content_id: "w1".into(),
            lesson: k,
            start_s: 420.0 * f64::from(k - 1),
            end_s: 420.0 * f64::from(k),
            title: format!("Tema <{k}>"),
            key_terms: vec!["pesos".into(), "red".into()],
            engagement: None,
            engagement_rank: rank,
        };
        let s = ContentSection {
            lessons: vec![lesson(1, 2), lesson(2, 1)],
            mastery: vec![MasteryRow {
                student_id: "s1".into(),
                concept_id: "funcs".into(),
                mastery: 0.25,
                cards_studied: 1,
                cards_due: 0,
                quizzes_taken: 0,
                difficult: true,
            }],
            next_steps: vec![NextStepRow {
                student_id: "s1".into(),
                concept_id: "vars".into(),
                concept_name: "Variables".into(),
                reason: "unmet_prerequisite".into(),
                for_concept: Some("funcs".into()),
                mastery: 0.5,
            }],
        };
        let mut es = String::new();
        render(&mut es, &s, Lang::Es);
        assert!(es.contains("Microlecciones") && es.contains("requisito previo sin dominar"));
        assert!(es.contains("Tema &lt;1&gt;") && es.contains("7:00–14:00"));
        assert!(es.contains("Variables (vars)") && es.contains("25"));
        // Engagement order: lesson 2 (rank 1) is listed before lesson 1.
        assert!(es.find("Tema &lt;2&gt;") < es.find("Tema &lt;1&gt;"));
        let mut en = String::new();
        render(&mut en, &s, Lang::En);
        assert!(en.contains("unmet prerequisite") && en.contains("Difficult concepts"));
        let mut none = String::new();
        render(&mut none, &ContentSection::default(), Lang::En);
        assert!(none.is_empty());
    }
}
