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

use super::lexicon::{emoji, is_laugh, lexicon, normalize_into, FxMap, Lexicon, Role, LAUGH};
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

/// Score many texts (validates the parameters once), in order, on up to the crate's thread
/// budget (`edupulse_learn::parallel`: contiguous chunks of at least 4,096 texts per thread; the
/// result does not depend on the thread count).
pub fn score_all<S: AsRef<str> + Sync>(
    texts: &[S],
    params: &SentimentParams,
) -> Result<Vec<Sentiment>> {
    params.validate()?;
    let parts = edupulse_learn::parallel::map_ranges(texts.len(), 4_096, |r| {
        texts[r]
            .iter()
            .map(|t| score_with(t.as_ref(), params))
            .collect::<Vec<_>>()
    });
    let mut out = Vec::with_capacity(texts.len());
    for p in parts {
        out.extend(p);
    }
    Ok(out)
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

/// The running sum of scored tokens, split at the last `pero`/`sino` (the clause before counts
/// ×0.5, the one after ×1.5). The last token stays pending, so a modifier right after it can
/// still scale it ("me gustó mucho"); no per-text allocation.
#[derive(Default)]
struct Sums {
    before: f64,
    after: f64,
    contrast: bool,
    pending: Option<(f32, bool)>,
}

impl Sums {
    fn push(&mut self, value: f32, word: bool) {
        self.flush();
        self.pending = Some((value, word));
    }

    fn flush(&mut self) {
        if let Some((v, _)) = self.pending.take() {
            self.after += f64::from(v);
        }
    }

    /// A contrast word: everything so far is "before".
    fn contrast(&mut self) {
        self.flush();
        self.before += self.after;
        self.after = 0.0;
        self.contrast = true;
    }

    fn total(mut self) -> f64 {
        self.flush();
        if self.contrast {
            0.5 * self.before + 1.5 * self.after
        } else {
            self.after
        }
    }
}

pub(crate) fn raw_score(text: &str) -> Raw {
    let lex = lexicon();
    let scored_text = prefix(text, MAX_SCORED_BYTES);
    let mut raw = Raw {
        truncated: scored_text.len() < text.len(),
        ..Raw::default()
    };
    let mixed_case = scored_text.chars().any(char::is_lowercase);
    let mut sums = Sums::default();
    let mut word = String::with_capacity(32);
    let mut negation = 0u32;
    let mut modifier: Option<(f32, u32)> = None;
    let mut exclaim = 0u32;
    let mut last_was_polar_word = false;
    let mut sentence_start = true;

    let mut chars = scored_text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_letter(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if is_letter(d) {
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
                    match sums.pending.as_mut() {
                        Some((v, true)) if last_was_polar_word => *v *= f,
                        _ => modifier = Some((f, MODIFIER_SCOPE)),
                    }
                    last_was_polar_word = false;
                    continue;
                }
                Some(Role::Contrast) => {
                    raw.known += 1;
                    raw.spanish_stop += 1;
                    sums.contrast();
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
                        sums.push(LAUGH, false);
                        last_was_polar_word = false;
                        continue;
                    }
                    let v = cached_polarity(lex, &word);
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
                    sums.push(v, true);
                    last_was_polar_word = true;
                }
                _ => last_was_polar_word = false,
            }
            negation = negation.saturating_sub(1);
            if let Some((f, left)) = modifier {
                modifier = (left > 1).then_some((f, left - 1));
            }
        } else if let Some(v) = emoji(c) {
            sums.push(v, false);
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
                    sums.push(v, false);
                }
            }
        }
    }
    let mut sum = sums.total();
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

/// `char::is_alphabetic` with an ASCII fast path.
#[inline]
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        c.is_alphabetic()
    }
}

/// Words whose stem polarity is memoised per thread, at most (then the memo starts over).
const MEMO_WORDS: usize = 1 << 16;

thread_local! {
    /// word → its stem polarity (superlatives ×1.5): the prefix walk costs several hash lookups,
    /// the memo one; chat repeats its words. Same results as without it.
    static MEMO: std::cell::RefCell<FxMap<Box<str>, Option<f32>>> =
        std::cell::RefCell::new(FxMap::default());
}

/// The stem polarity of a normalised word that has no role (see [`MEMO`]).
fn cached_polarity(lex: &Lexicon, word: &str) -> Option<f32> {
    let compute = || match superlative_base(word) {
        Some(base) => lex.polarity(base).map(|v| v * 1.5),
        None => lex.polarity(word),
    };
    MEMO.try_with(|m| {
        let mut m = m.borrow_mut();
        if let Some(v) = m.get(word) {
            return *v;
        }
        let v = compute();
        if m.len() >= MEMO_WORDS {
            m.clear();
        }
        m.insert(word.into(), v);
        v
    })
    .unwrap_or_else(|_| compute())
}

/// The base of a superlative (`buenisimo` → `buen`), if the word is one.
fn superlative_base(w: &str) -> Option<&str> {
    ["isimos", "isimas", "isimo", "isima"]
        .iter()
        .find_map(|s| w.strip_suffix(s))
        .filter(|b| b.len() >= 3)
}
