//! Topics of feedback: the terms that set one group of texts (a webinar's chat, surveys and
//! questions) apart from all feedback, and questions grouped by the terms they share.
//!
//! Words are those of [`crate::content::text::words`]: lower-cased letter runs of ≥ 3 letters,
//! Spanish and English stop words removed, a light plural stem (so "ejemplos" and "ejemplo" are
//! one term, shown in its most frequent surface form).
//!
//! **Distinctive terms** are ranked by the weighted log-odds ratio with an informative Dirichlet
//! prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"): for term `w` with count `y_w` in the
//! group (of `n` term occurrences) and `r_w` in the rest (of `m`), a prior `α_w = α₀·f_w` from the
//! term's share `f_w` of all feedback (α₀ = the corpus size, at most [`PRIOR_COUNT`]),
//! `δ_w = ln((y_w+α_w)/(n+α₀−y_w−α_w)) − ln((r_w+α_w)/(m+α₀−r_w−α_w))`,
//! `z_w = δ_w / √(1/(y_w+α_w) + 1/(r_w+α_w))`. Terms with `z_w` above [`MIN_Z`] and used in at
//! least [`MIN_TEXTS`] texts of the group are kept, highest `z` first (ties by term).

use crate::content::text::words;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The largest total pseudo-count α₀ of the prior (smaller corpora use their own size).
pub const PRIOR_COUNT: f64 = 1000.0;
/// The smallest z-score of a distinctive term (one-sided 95 %).
pub const MIN_Z: f64 = 1.645;
/// A distinctive term must appear in at least this many texts of its group.
pub const MIN_TEXTS: usize = 2;

/// The terms (stem → surface counts) of one text, each stem once.
fn terms_of(text: &str, surface: &mut HashMap<String, HashMap<String, u32>>) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (st, surf) in words(text) {
        *surface
            .entry(st.clone())
            .or_default()
            .entry(surf)
            .or_insert(0) += 1;
        if seen.insert(st.clone()) {
            out.push(st);
        }
    }
    out
}

/// The most frequent surface form of a stem (ties: the alphabetically first).
fn surface_of(surface: &HashMap<String, HashMap<String, u32>>, stem: &str) -> String {
    surface
        .get(stem)
        .and_then(|m| {
            m.iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(s, _)| s.clone())
        })
        .unwrap_or_else(|| stem.to_string())
}

/// The distinctive terms of each group of texts against all texts: for `texts` as
/// `(group, text)` pairs, up to `top` terms per group (surface forms), most distinctive first.
/// A group with no distinctive term gets an empty list; groups come back in key order.
///
/// ```
/// use edupulse_core::feedback::terms::distinctive_terms;
/// let mut texts = Vec::new();
/// for _ in 0..5 {
///     texts.push(("w1", "el audio se corta"));
///     texts.push(("w2", "excelente ejemplo de python"));
///     texts.push(("w3", "gracias, saludos desde Lima"));
/// }
/// let t = distinctive_terms(&texts, 3);
/// assert_eq!(t["w1"][0], "audio");
/// assert_eq!(t["w2"], ["ejemplo", "excelente", "python"]); // equal counts: alphabetical
/// ```
pub fn distinctive_terms<G: AsRef<str>, T: AsRef<str>>(
    texts: &[(G, T)],
    top: usize,
) -> BTreeMap<String, Vec<String>> {
    let mut surface: HashMap<String, HashMap<String, u32>> = HashMap::new();
    // Per group: term → (occurrences, texts); total occurrences.
    type Group = (HashMap<String, (f64, usize)>, f64);
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut all: HashMap<String, f64> = HashMap::new();
    let mut total = 0.0;
    for (g, t) in texts {
        let entry = groups.entry(g.as_ref().to_string()).or_default();
        let mut occ: HashMap<String, f64> = HashMap::new();
        for (st, surf) in words(t.as_ref()) {
            *surface
                .entry(st.clone())
                .or_default()
                .entry(surf)
                .or_insert(0) += 1;
            *occ.entry(st).or_insert(0.0) += 1.0;
        }
        for (st, c) in occ {
            let e = entry.0.entry(st.clone()).or_insert((0.0, 0));
            e.0 += c;
            e.1 += 1;
            entry.1 += c;
            *all.entry(st).or_insert(0.0) += c;
            total += c;
        }
    }
    let a0 = total.min(PRIOR_COUNT);
    let mut out = BTreeMap::new();
    for (g, (counts, n)) in &groups {
        let m = total - n;
        let mut scored: Vec<(f64, &String)> = Vec::new();
        for (st, &(y, docs)) in counts {
            if docs < MIN_TEXTS {
                continue;
            }
            let a_all = all.get(st).copied().unwrap_or(0.0);
            let r = a_all - y;
            let a = a0 * a_all / total.max(1.0);
            let lo_g = ((y + a) / (n + a0 - y - a).max(1e-9)).ln();
            let lo_r = ((r + a) / (m + a0 - r - a).max(1e-9)).ln();
            let z = (lo_g - lo_r) / (1.0 / (y + a) + 1.0 / (r + a)).sqrt();
            if z.is_finite() && z > MIN_Z {
                scored.push((z, st));
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        out.insert(
            g.clone(),
            scored
                .into_iter()
                .take(top)
                .map(|(_, st)| surface_of(&surface, st))
                .collect(),
        );
    }
    out
}

/// Questions that share a term.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QuestionGroup {
    /// The shared term (surface form); empty for the questions that share no term.
    pub term: String,
    /// Positions (in the input) of the questions in the group, in input order.
    pub questions: Vec<usize>,
}

/// Group questions by the terms they share: each question joins the group of its term used by
/// the most questions (at least 2; ties: alphabetical); questions with no shared term, or left
/// alone in their group, form the last group (term `""`). Groups come largest first (ties by
/// term).
///
/// ```
/// use edupulse_core::feedback::terms::group_questions;
/// let g = group_questions(&[
///     "¿Se comparte la grabación?", "¿Dónde veo la grabación?",
///     "¿Qué versión de Python usas?", "¿Sirve Python 3.8?", "¿A qué hora acaba?",
/// ]);
/// assert_eq!(g[0].questions, [0, 1]);
/// assert_eq!(g[1].term, "python");
/// assert_eq!(g[2].questions, [4]);
/// ```
pub fn group_questions<T: AsRef<str>>(questions: &[T]) -> Vec<QuestionGroup> {
    let mut surface: HashMap<String, HashMap<String, u32>> = HashMap::new();
    let terms: Vec<Vec<String>> = questions
        .iter()
        .map(|q| terms_of(q.as_ref(), &mut surface))
        .collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for ts in &terms {
        for t in ts {
            *df.entry(t.as_str()).or_insert(0) += 1;
        }
    }
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut rest = Vec::new();
    for (i, ts) in terms.iter().enumerate() {
        let best = ts
            .iter()
            .map(|t| (df.get(t.as_str()).copied().unwrap_or(0), t))
            .filter(|(d, _)| *d >= 2)
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(a.1)));
        match best {
            Some((_, t)) => groups.entry(t.clone()).or_default().push(i),
            None => rest.push(i),
        }
    }
    let mut out: Vec<QuestionGroup> = Vec::new();
    for (st, qs) in groups {
        if qs.len() < 2 {
            rest.extend(qs);
        } else {
            out.push(QuestionGroup {
                term: surface_of(&surface, &st),
                questions: qs,
            });
        }
    }
    rest.sort_unstable();
    out.sort_by(|a, b| {
        b.questions
            .len()
            .cmp(&a.questions.len())
            .then(a.term.cmp(&b.term))
    });
    if !rest.is_empty() {
        out.push(QuestionGroup {
            term: String::new(),
            questions: rest,
        });
    }
    out
}
