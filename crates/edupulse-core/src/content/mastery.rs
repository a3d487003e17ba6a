//! Mastery per learner and concept, difficult concepts and the concept to study next.
//!
//! From the learners' FSRS card states (retrievability at `as_of`, due dates), the mapping of
//! cards to concepts, quiz scores per concept and the concepts' prerequisites it decides: mastery
//! of a concept = the mean over the concept's cards (retrievability; cards never reviewed count 0)
//! and the learner's quizzes of it (the latest score of each quiz, in [0, 1]); a concept is
//! difficult for a learner when studied and below `mastery_threshold`; the next concept is, in
//! order, (1) an unmet prerequisite (below the threshold) of a concept the learner is studying,
//! deepest first, (2) the studied concept of lowest mastery whose prerequisites are met, (3) the
//! concept with the most due cards, (4) the first concept (in prerequisite order) not yet studied
//! whose prerequisites are met; each with its reason. A prerequisite cycle is an error listing
//! the cycle; a card mapped to an unknown concept, or a prerequisite that is not a concept, is an
//! error naming it.

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A concept and its prerequisites (a `concepts` row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Concept {
    /// Concept id.
    pub concept_id: String,
    /// Display name.
    pub name: String,
    /// Concepts to master first.
    pub prerequisite_ids: Vec<String>,
}

/// One learner's card at `as_of` (from the review schedule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardRecall {
    /// Learner.
    pub student_id: String,
    /// Card.
    pub card_id: String,
    /// FSRS retrievability at `as_of`.
    pub retrievability: f64,
    /// Whether the card is due at `as_of`.
    pub due: bool,
}

/// A learner's latest score on one quiz of a concept (a `quiz_results` row, latest attempt).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizScore {
    /// Learner.
    pub student_id: String,
    /// Concept the quiz tests.
    pub concept_id: String,
    /// Score in [0, 1].
    pub score: f64,
}

/// Why a concept is recommended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NextReason {
    /// A prerequisite of a concept being studied is not mastered.
    UnmetPrerequisite,
    /// The studied concept of lowest mastery.
    LowestMastery,
    /// The concept with the most due reviews.
    DueReviews,
    /// Everything studied is mastered: the next new concept.
    NewConcept,
}

/// A learner's mastery of one concept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConceptMastery {
    /// Learner.
    pub student_id: String,
    /// Concept.
    pub concept_id: String,
    /// Mean retrievability of the concept's cards (0–1; unreviewed cards count 0).
    pub mastery: f64,
    /// Cards of the concept the learner has reviewed.
    pub cards_studied: usize,
    /// Cards of the concept due now.
    pub cards_due: usize,
    /// Quizzes of the concept the learner took (latest score of each counted).
    pub quizzes_taken: usize,
    /// Studied and below the threshold.
    pub difficult: bool,
}

/// The concept a learner should study next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextStep {
    /// Learner.
    pub student_id: String,
    /// Concept to study.
    pub concept_id: String,
    /// Why.
    pub reason: NextReason,
    /// The concept it unblocks (for an unmet prerequisite).
    pub for_concept: Option<String>,
    /// The learner's mastery of it.
    pub mastery: f64,
}

/// Concepts in prerequisite order (prerequisites first, ties by id); a cycle is an error listing
/// it, a prerequisite that is not a concept an error naming it.
pub fn prerequisite_order(concepts: &[Concept]) -> Result<Vec<String>> {
    let by_id: BTreeMap<&str, &Concept> = concepts
        .iter()
        .map(|c| (c.concept_id.as_str(), c))
        .collect();
    for c in concepts {
        for p in &c.prerequisite_ids {
            if !by_id.contains_key(p.as_str()) {
                return Err(CoreError::validation(
                    "concepts",
                    None,
                    Some("prerequisite_ids"),
                    format!("concept {} names unknown prerequisite {p}", c.concept_id),
                ));
            }
        }
    }
    // Depth-first search with colours; a grey node met again closes a cycle.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new(); // 1 grey, 2 black
    let mut order = Vec::new();
    fn visit<'a>(
        id: &'a str,
        by_id: &BTreeMap<&'a str, &'a Concept>,
        state: &mut BTreeMap<&'a str, u8>,
        stack: &mut Vec<&'a str>,
        order: &mut Vec<String>,
    ) -> Result<()> {
        match state.get(id) {
            Some(2) => return Ok(()),
            Some(1) => {
                let start = stack.iter().position(|&s| s == id).unwrap_or(0);
                let mut cycle: Vec<&str> = stack[start..].to_vec();
                cycle.push(id);
                return Err(CoreError::validation(
                    "concepts",
                    None,
                    Some("prerequisite_ids"),
                    format!("prerequisite cycle: {}", cycle.join(" → ")),
                ));
            }
            _ => {}
        }
        state.insert(id, 1);
        stack.push(id);
        let mut pre: Vec<&str> = by_id[id]
            .prerequisite_ids
            .iter()
            .map(String::as_str)
            .collect();
        pre.sort_unstable();
        for p in pre {
            visit(p, by_id, state, stack, order)?;
        }
        stack.pop();
        state.insert(id, 2);
        order.push(id.to_string());
        Ok(())
    }
    for &id in by_id.keys() {
        visit(id, &by_id, &mut state, &mut Vec::new(), &mut order)?;
    }
    Ok(order)
}

/// Mastery of every (learner, concept) pair with a studied card or a quiz taken, and each
/// learner's next step. `card_concepts` are `(card_id, concept_id)` pairs; `quizzes` one latest
/// score per (learner, quiz); `threshold` the mastery that counts as met. A quiz of an unknown
/// concept is an error naming its `quiz_results` row (1-based, in `quizzes` order).
pub fn mastery_and_next_steps(
    cards: &[CardRecall],
    quizzes: &[QuizScore],
    concepts: &[Concept],
    card_concepts: &[(String, String)],
    threshold: f64,
) -> Result<(Vec<ConceptMastery>, Vec<NextStep>)> {
    if !(threshold > 0.0 && threshold <= 1.0) {
        return Err(CoreError::param("mastery_threshold", "must be in (0, 1]"));
    }
    let order = prerequisite_order(concepts)?;
    let known: BTreeSet<&str> = concepts.iter().map(|c| c.concept_id.as_str()).collect();
    let mut cards_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut concepts_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (row, (card, concept)) in card_concepts.iter().enumerate() {
        if !known.contains(concept.as_str()) {
            return Err(CoreError::validation(
                "card_concepts",
                Some(row + 1),
                Some("concept_id"),
                format!("card {card} is mapped to unknown concept {concept}"),
            ));
        }
        cards_of.entry(concept).or_default().push(card);
        concepts_of.entry(card).or_default().push(concept);
    }
    let by_id: BTreeMap<&str, &Concept> = concepts
        .iter()
        .map(|c| (c.concept_id.as_str(), c))
        .collect();
    let mut learners: BTreeMap<&str, BTreeMap<&str, &CardRecall>> = BTreeMap::new();
    for c in cards {
        learners
            .entry(&c.student_id)
            .or_default()
            .insert(&c.card_id, c);
    }
    // Quiz scores per (learner, concept).
    let mut quiz_of: BTreeMap<(&str, &str), Vec<f64>> = BTreeMap::new();
    for (row, q) in quizzes.iter().enumerate() {
        if !known.contains(q.concept_id.as_str()) {
            return Err(CoreError::validation(
                "quiz_results",
                Some(row + 1),
                Some("concept_id"),
                format!("unknown concept {}", q.concept_id),
            ));
        }
        learners.entry(&q.student_id).or_default();
        quiz_of
            .entry((&q.student_id, &q.concept_id))
            .or_default()
            .push(q.score);
    }
    let no_cards: Vec<&str> = Vec::new();
    let mut all = Vec::new();
    let mut steps = Vec::new();
    for (student, mine) in learners {
        let mut m: BTreeMap<&str, ConceptMastery> = BTreeMap::new();
        for concept in &known {
            let cs = cards_of.get(concept).unwrap_or(&no_cards);
            let studied: Vec<&&CardRecall> = cs.iter().filter_map(|c| mine.get(c)).collect();
            let scores = quiz_of
                .get(&(student, *concept))
                .map_or(&[][..], Vec::as_slice);
            if studied.is_empty() && scores.is_empty() {
                continue;
            }
            let sum: f64 =
                studied.iter().map(|c| c.retrievability).sum::<f64>() + scores.iter().sum::<f64>();
            let mastery = sum / (cs.len() + scores.len()) as f64;
            m.insert(
                *concept,
                ConceptMastery {
                    student_id: student.to_string(),
                    concept_id: concept.to_string(),
                    mastery,
                    cards_studied: studied.len(),
                    cards_due: studied.iter().filter(|c| c.due).count(),
                    quizzes_taken: scores.len(),
                    difficult: mastery < threshold,
                },
            );
        }
        let level = |id: &str| m.get(id).map(|x| x.mastery).unwrap_or(0.0);
        let met = |id: &str| level(id) >= threshold;
        // (1) An unmet prerequisite of a studied concept, deepest (earliest in order) first.
        let rank: BTreeMap<&str, usize> = order
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i))
            .collect();
        let mut step: Option<NextStep> = None;
        let mut studying: Vec<&str> = m.keys().copied().filter(|c| !met(c)).collect();
        studying.sort_by_key(|c| rank[c]);
        'outer: for &c in &studying {
            // Walk down the unmet prerequisites to the deepest one.
            let mut cur = c;
            let mut found: Option<&str> = None;
            loop {
                let mut pre: Vec<&str> = by_id[cur]
                    .prerequisite_ids
                    .iter()
                    .map(String::as_str)
                    .filter(|p| !met(p))
                    .collect();
                pre.sort_by_key(|p| rank[p]);
                match pre.first() {
                    Some(&p) => {
                        found = Some(p);
                        cur = p;
                    }
                    None => break,
                }
            }
            if let Some(p) = found {
                step = Some(NextStep {
                    student_id: student.to_string(),
                    concept_id: p.to_string(),
                    reason: NextReason::UnmetPrerequisite,
                    for_concept: Some(c.to_string()),
                    mastery: level(p),
                });
                break 'outer;
            }
        }
        // (2) Lowest mastery among studied concepts below the threshold.
        if step.is_none() {
            step = studying
                .iter()
                .min_by(|a, b| level(a).total_cmp(&level(b)).then(rank[*a].cmp(&rank[*b])))
                .map(|&c| NextStep {
                    student_id: student.to_string(),
                    concept_id: c.to_string(),
                    reason: NextReason::LowestMastery,
                    for_concept: None,
                    mastery: level(c),
                });
        }
        // (3) Most due reviews.
        if step.is_none() {
            step = m
                .values()
                .filter(|x| x.cards_due > 0)
                .max_by(|a, b| {
                    a.cards_due
                        .cmp(&b.cards_due)
                        .then(b.concept_id.cmp(&a.concept_id))
                })
                .map(|x| NextStep {
                    student_id: student.to_string(),
                    concept_id: x.concept_id.clone(),
                    reason: NextReason::DueReviews,
                    for_concept: None,
                    mastery: x.mastery,
                });
        }
        // (4) The first new concept whose prerequisites are met.
        if step.is_none() {
            step = order
                .iter()
                .find(|c| {
                    !m.contains_key(c.as_str())
                        && by_id[c.as_str()].prerequisite_ids.iter().all(|p| met(p))
                })
                .map(|c| NextStep {
                    student_id: student.to_string(),
                    concept_id: c.clone(),
                    reason: NextReason::NewConcept,
                    for_concept: None,
                    mastery: 0.0,
                });
        }
        steps.extend(step);
        all.extend(m.into_values());
    }
    Ok((all, steps))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concept(id: &str, pre: &[&str]) -> Concept {
        Concept {
            concept_id: id.into(),
            name: id.to_uppercase(),
            prerequisite_ids: pre.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn card(s: &str, c: &str, r: f64, due: bool) -> CardRecall {
        CardRecall {
            student_id: s.into(),
            card_id: c.into(),
            retrievability: r,
            due,
        }
    }

    fn map() -> Vec<(String, String)> {
        [
            ("v1", "vars"),
            ("f1", "funcs"),
            ("f2", "funcs"),
            ("c1", "classes"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
    }

    #[test]
    fn next_steps_follow_prerequisites_then_mastery_then_due() {
        let concepts = [
            concept("vars", &[]),
            concept("funcs", &["vars"]),
            concept("classes", &["funcs"]),
        ];
        assert_eq!(
            prerequisite_order(&concepts).unwrap(),
            ["vars", "funcs", "classes"]
        );
        let cards = [
            // a: studying classes, functions weak -> functions (unmet prerequisite of classes).
            card("a", "v1", 0.95, false),
            card("a", "f1", 0.5, false),
            card("a", "c1", 0.4, false),
            // b: variables and functions studied, functions weak -> lowest mastery.
            card("b", "v1", 0.9, false),
            card("b", "f1", 0.6, false),
            card("b", "f2", 0.9, false),
            // c: all mastered, a due card on vars -> due reviews.
            card("c", "v1", 0.9, true),
            // d: vars mastered, nothing due -> functions (new).
            card("d", "v1", 0.99, false),
        ];
        let (m, s) = mastery_and_next_steps(&cards, &[], &concepts, &map(), 0.8).unwrap();
        let next: BTreeMap<&str, (&str, NextReason)> = s
            .iter()
            .map(|x| (x.student_id.as_str(), (x.concept_id.as_str(), x.reason)))
            .collect();
        assert_eq!(next["a"], ("funcs", NextReason::UnmetPrerequisite));
        assert_eq!(s[0].for_concept.as_deref(), Some("classes"));
        assert_eq!(next["b"], ("funcs", NextReason::LowestMastery));
        assert_eq!(next["c"], ("vars", NextReason::DueReviews));
        assert_eq!(next["d"], ("funcs", NextReason::NewConcept));
        // a's functions: one of two cards reviewed (0.5), the other counts 0.
        let af = m
            .iter()
            .find(|x| x.student_id == "a" && x.concept_id == "funcs")
            .unwrap();
        assert!((af.mastery - 0.25).abs() < 1e-12 && af.difficult);
    }

    #[test]
    fn quiz_scores_count_like_cards_and_alone_make_a_concept_studied() {
        let concepts = [
            concept("vars", &[]),
            concept("funcs", &["vars"]),
            concept("classes", &["funcs"]),
        ];
        let q = |s: &str, c: &str, score: f64| QuizScore {
            student_id: s.into(),
            concept_id: c.into(),
            score,
        };
        // a: card v1 at 0.9 and a vars quiz at 0.5 -> (0.9 + 0.5) / 2; e: only a funcs quiz.
        let cards = [card("a", "v1", 0.9, false)];
        let quizzes = [q("a", "vars", 0.5), q("e", "funcs", 1.0)];
        let (m, s) = mastery_and_next_steps(&cards, &quizzes, &concepts, &map(), 0.8).unwrap();
        let get = |s: &str, c: &str| m.iter().find(|x| x.student_id == s && x.concept_id == c);
        let av = get("a", "vars").unwrap();
        assert!((av.mastery - 0.7).abs() < 1e-12, "{av:?}");
        assert_eq!((av.cards_studied, av.quizzes_taken), (1, 1));
        // funcs has two cards never reviewed by e (0 each) and one quiz at 1.0.
        let ef = get("e", "funcs").unwrap();
        assert!((ef.mastery - 1.0 / 3.0).abs() < 1e-12 && ef.difficult);
        let next = s.iter().find(|x| x.student_id == "e").unwrap();
        assert_eq!(
            (next.concept_id.as_str(), next.reason),
            ("vars", NextReason::UnmetPrerequisite)
        );
        let e = mastery_and_next_steps(&[], &[q("a", "nope", 1.0)], &concepts, &map(), 0.8)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("quiz_results") && e.contains("unknown concept nope"),
            "{e}"
        );
    }

    #[test]
    fn cycles_and_unknown_concepts_are_named_errors() {
        let concepts = [
            concept("a", &["c"]),
            concept("b", &["a"]),
            concept("c", &["b"]),
        ];
        let e = prerequisite_order(&concepts).unwrap_err().to_string();
        assert!(e.contains("prerequisite cycle: a → c → b → a"), "{e}");
        let e = prerequisite_order(&[concept("a", &["zz"])])
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown prerequisite zz"), "{e}");
        let concepts = [concept("vars", &[])];
        let e = mastery_and_next_steps(&[], &[], &concepts, &map(), 0.8)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("card_concepts") && e.contains("unknown concept funcs"),
            "{e}"
        );
    }
}
