//! The offline Spanish lexicon scorer: a score in [−1, 1] and a positive / neutral / negative
//! label for one text, from the embedded lexicon (see [`super::lexicon`]) and a few rules.
//!
//! Rules, in the order they apply to each polarity word `v`:
//! - a **modifier** among the two words before multiplies it (`muy` ×1.5, `poco` ×0.5, …), or,
//!   following it directly, multiplies the word just scored ("me gustó mucho");
//! - a word ending in `-ísimo/-ísima(s)` is its base ×1.5 ("buenísimo");
//! - **negation** (`no`, `nunca`, `jamás`, `ni`, `sin`, `nada`, …) flips and damps (×−0.75) the
//!   next three words, up to the end of the clause (`.,;:?`): "no me gustó" is negative;
//! - a word in CAPITALS inside mixed-case text ×1.25;
//! - **contrast**: the clause before `pero`/`sino` counts ×0.5, the one after ×1.5;
//! - a capitalised word inside a sentence is taken for a name ("desde Madrid") and not scored;
//! - **emoji** and **laughter** (`jaja`, `xd`) add their own polarity (never negated);
//! - **exclamation**: every `!` (up to 3) adds 10 % to the sum.
//!
//! The sum `s` is squashed to `s / √(s² + α)` with α = 1 (VADER's normalisation on a [−1, 1]
//! word scale). Empty or whitespace-only text scores 0, neutral. Texts longer than
//! [`MAX_SCORED_BYTES`] are scored on their first `MAX_SCORED_BYTES` bytes and flagged
//! `truncated`, so a 10 MB cell costs the same as a 100 kB one. A text whose words are mostly
//! unknown (another language) is scored as usual and flagged `low_coverage`.

use super::lexicon::{emoji, is_laugh, lexicon, normalize_into, Role, LAUGH};
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// The longest prefix of a text that is scored (bytes; cut at a character boundary).
pub const MAX_SCORED_BYTES: usize = 100_000;

/// The squashing constant α of `s / √(s² + α)`.
const ALPHA: f64 = 1.0;
/// How much a negated word keeps of its polarity (with the sign flipped).
const NEGATION_FACTOR: f32 = 0.75;
/// How many words after a negator it reaches.
const NEGATION_SCOPE: u32 = 3;
/// How many words a pre-modifier reaches.
const MODIFIER_SCOPE: u32 = 2;

/// The label of a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SentimentLabel {
    /// Score above the neutral band.
    Positive,
    /// Score within the neutral band.
    Neutral,
    /// Score below the neutral band.
    Negative,
}

impl SentimentLabel {
    /// `"positive"`, `"neutral"` or `"negative"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SentimentLabel::Positive => "positive",
            SentimentLabel::Neutral => "neutral",
            SentimentLabel::Negative => "negative",
        }
    }

    /// The label of `score` with a neutral band of ±`band` (inclusive).
    pub fn of(score: f64, band: f64) -> SentimentLabel {
        if score > band {
            SentimentLabel::Positive
        } else if score < -band {
            SentimentLabel::Negative
        } else {
            SentimentLabel::Neutral
        }
    }
}

impl std::fmt::Display for SentimentLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parameters of the lexicon scorer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SentimentParams {
    /// Scores within ±`neutral_band` are neutral (the source's cut-offs: ±0.1). In [0, 1).
    pub neutral_band: f64,
    /// Below this share of recognised Spanish words (with at least 3 words) a text is flagged
    /// `low_coverage`. In [0, 1].
    pub min_coverage: f64,
}

impl Default for SentimentParams {
    fn default() -> Self {
        SentimentParams {
            neutral_band: 0.1,
            min_coverage: 0.3,
        }
    }
}

impl SentimentParams {
    /// Check the ranges; errors name the parameter.
    pub fn validate(&self) -> Result<()> {
        if !(self.neutral_band.is_finite() && (0.0..1.0).contains(&self.neutral_band)) {
            return Err(CoreError::param(
                "neutral_band",
                format!("{} is outside [0, 1)", self.neutral_band),
            ));
        }
        if !(self.min_coverage.is_finite() && (0.0..=1.0).contains(&self.min_coverage)) {
            return Err(CoreError::param(
                "min_coverage",
                format!("{} is outside [0, 1]", self.min_coverage),
            ));
        }
        Ok(())
    }
}

/// The sentiment of one text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    /// Score in [−1, 1].
    pub score: f64,
    /// Label from the neutral band.
    pub label: SentimentLabel,
    /// Words (letter runs) read.
    pub words: usize,
    /// Share of the words recognised as Spanish (lexicon, stop word, negator or modifier); 1 for
    /// a text without words.
    pub coverage: f64,
    /// Whether the text looks like another language (≥ 3 words and coverage below
    /// `min_coverage`, or more English than Spanish function words).
    pub low_coverage: bool,
    /// Whether only the first [`MAX_SCORED_BYTES`] bytes were scored.
    pub truncated: bool,
}

/// The raw scoring of one text, before labelling.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Raw {
    pub score: f64,
    pub words: usize,
    pub known: usize,
    pub spanish_stop: usize,
    pub english_stop: usize,
    pub truncated: bool,
}

/// Score one text with the default parameters.
///
/// ```
/// use edupulse_core::feedback::{score, SentimentLabel};
/// assert_eq!(score("¡Me encantó, muy útil!").label, SentimentLabel::Positive);
/// assert_eq!(score("No me gustó nada").label, SentimentLabel::Negative);
/// assert_eq!(score("   ").label, SentimentLabel::Neutral);
/// ```
pub fn score(text: &str) -> Sentiment {
    score_with(text, &SentimentParams::default())
}

/// Score one text (parameters assumed valid: see [`SentimentParams::validate`]).
pub fn score_with(text: &str, params: &SentimentParams) -> Sentiment {
    let raw = raw_score(text);
    let coverage = if raw.words == 0 {
        1.0
    } else {
        raw.known as f64 / raw.words as f64
    };
    Sentiment {
        score: raw.score,
        label: SentimentLabel::of(raw.score, params.neutral_band),
        words: raw.words,
        coverage,
        low_coverage: raw.words >= 3
            && (coverage < params.min_coverage || raw.english_stop > raw.spanish_stop),
        truncated: raw.truncated,
    }
}

/// Score many texts (validates the parameters once).
pub fn score_all<S: AsRef<str>>(texts: &[S], params: &SentimentParams) -> Result<Vec<Sentiment>> {
    params.validate()?;
    Ok(texts
        .iter()
        .map(|t| score_with(t.as_ref(), params))
        .collect())
}

/// The prefix of `text` of at most `max` bytes, cut at a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// One scored token: its value and the clause it belongs to (for `pero`).
struct Scored {
    value: f32,
    clause: u32,
    word: bool,
}

pub(crate) fn raw_score(text: &str) -> Raw {
    let lex = lexicon();
    let scored_text = prefix(text, MAX_SCORED_BYTES);
    let mut raw = Raw {
        truncated: scored_text.len() < text.len(),
        ..Raw::default()
    };
    let mixed_case = scored_text.chars().any(char::is_lowercase);
    let mut tokens: Vec<Scored> = Vec::new();
    let mut word = String::new();
    let mut negation = 0u32;
    let mut modifier: Option<(f32, u32)> = None;
    let mut clause = 0u32;
    let mut contrast: Option<u32> = None;
    let mut exclaim = 0u32;
    let mut last_was_polar_word = false;
    let mut sentence_start = true;

    let mut chars = scored_text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphabetic() {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphabetic() {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let surface = scored_text.get(i..end).unwrap_or_default();
            word.clear();
            normalize_into(surface, &mut word);
            raw.words += 1;
            let first_upper = c.is_uppercase();
            let caps = first_upper
                && mixed_case
                && surface.len() >= 3
                && surface.chars().all(char::is_uppercase);
            // A capitalised word inside a sentence is a name ("desde Madrid"): known, no polarity.
            let name =
                first_upper && !sentence_start && surface.chars().skip(1).all(char::is_lowercase);
            sentence_start = false;
            if name {
                raw.known += 1;
                negation = negation.saturating_sub(1);
                last_was_polar_word = false;
                continue;
            }
            let role = lex.roles.get(word.as_str()).copied();
            let v = match role {
                Some(Role::Negator) => {
                    raw.known += 1;
                    raw.spanish_stop += 1;
                    negation = NEGATION_SCOPE;
                    last_was_polar_word = false;
                    continue;
                }
                Some(Role::Modifier(f)) => {
                    raw.known += 1;
                    raw.spanish_stop += 1;
                    match tokens.last_mut() {
                        Some(t) if last_was_polar_word && t.word => t.value *= f,
                        _ => modifier = Some((f, MODIFIER_SCOPE)),
                    }
                    last_was_polar_word = false;
                    continue;
                }
                Some(Role::Contrast) => {
                    raw.known += 1;
                    raw.spanish_stop += 1;
                    clause += 1;
                    contrast = Some(clause);
                    negation = 0;
                    last_was_polar_word = false;
                    continue;
                }
                Some(Role::Word(v)) => {
                    raw.known += 1;
                    Some(v)
                }
                Some(Role::StopEs) => {
                    raw.known += 1;
                    raw.spanish_stop += 1;
                    None
                }
                Some(Role::StopEn) | None => {
                    if role == Some(Role::StopEn) {
                        raw.english_stop += 1;
                    }
                    if is_laugh(&word) {
                        raw.known += 1;
                        tokens.push(Scored {
                            value: LAUGH,
                            clause,
                            word: false,
                        });
                        last_was_polar_word = false;
                        continue;
                    }
                    let v = match superlative_base(&word) {
                        Some(base) => lex.polarity(base).map(|v| v * 1.5),
                        None => lex.polarity(&word),
                    };
                    raw.known += usize::from(v.is_some());
                    v
                }
            };
            match v {
                Some(mut v) if v != 0.0 => {
                    if let Some((f, _)) = modifier.take() {
                        v *= f;
                    }
                    if negation > 0 {
                        v *= -NEGATION_FACTOR;
                    }
                    if caps {
                        v *= 1.25;
                    }
                    tokens.push(Scored {
                        value: v,
                        clause,
                        word: true,
                    });
                    last_was_polar_word = true;
                }
                _ => last_was_polar_word = false,
            }
            negation = negation.saturating_sub(1);
            if let Some((f, left)) = modifier {
                modifier = (left > 1).then_some((f, left - 1));
            }
        } else if let Some(v) = emoji(c) {
            tokens.push(Scored {
                value: v,
                clause,
                word: false,
            });
            last_was_polar_word = false;
        } else if c == '!' {
            exclaim += 1;
            sentence_start = true;
        } else if matches!(c, '¡' | '¿') {
            sentence_start = true;
        } else if matches!(c, '.' | ',' | ';' | ':' | '?' | '\n') {
            sentence_start |= matches!(c, '.' | '?' | '\n');
            negation = 0;
            modifier = None;
            last_was_polar_word = false;
            if c == ':' || c == ';' {
                if let Some(v) = emoticon(&mut chars) {
                    tokens.push(Scored {
                        value: v,
                        clause,
                        word: false,
                    });
                }
            }
        }
    }
    let mut sum = 0.0f64;
    for t in &tokens {
        let w = match contrast {
            Some(k) if t.clause < k => 0.5,
            Some(_) => 1.5,
            None => 1.0,
        };
        sum += f64::from(t.value) * w;
    }
    if sum != 0.0 {
        sum *= 1.0 + 0.1 * f64::from(exclaim.min(3));
    }
    raw.score = (sum / (sum * sum + ALPHA).sqrt()).clamp(-1.0, 1.0);
    raw
}

/// `:)`, `:-)`, `:D`, `;)`, `:(`, `:-(`, `:'(` right after a `:` or `;`.
fn emoticon(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Option<f32> {
    let mut next = chars.peek().map(|&(_, c)| c)?;
    if next == '-' || next == '\'' {
        chars.next();
        next = chars.peek().map(|&(_, c)| c)?;
    }
    let v = match next {
        ')' | 'D' | 'P' => 0.5,
        '(' => -0.5,
        _ => return None,
    };
    chars.next();
    Some(v)
}

/// The base of a superlative (`buenisimo` → `buen`), if the word is one.
fn superlative_base(w: &str) -> Option<&str> {
    ["isimos", "isimas", "isimo", "isima"]
        .iter()
        .find_map(|s| w.strip_suffix(s))
        .filter(|b| b.len() >= 3)
}
