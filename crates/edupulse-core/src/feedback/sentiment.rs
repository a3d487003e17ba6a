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

use super::lexicon::{emoji, LAUGH};
use super::words::{with_memo, Kind, Memo};
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

    /// A small code: 0 negative, 1 neutral, 2 positive (the order of [`SentimentLabel::ALL`]).
    pub fn code(self) -> u8 {
        match self {
            SentimentLabel::Negative => 0,
            SentimentLabel::Neutral => 1,
            SentimentLabel::Positive => 2,
        }
    }

    /// The label of a [`SentimentLabel::code`].
    pub fn from_code(code: u8) -> Option<SentimentLabel> {
        SentimentLabel::ALL.get(usize::from(code)).copied()
    }

    /// Every label, in code order.
    pub const ALL: [SentimentLabel; 3] = [
        SentimentLabel::Negative,
        SentimentLabel::Neutral,
        SentimentLabel::Positive,
    ];

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
    finish(raw_score(text), params)
}

/// The [`Sentiment`] of a raw score.
fn finish(raw: Raw, params: &SentimentParams) -> Sentiment {
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

/// Texts per thread, at least, in the batch scorers.
const MIN_PER_THREAD: usize = 4_096;

/// Score many texts (validates the parameters once), in order, on up to the crate's thread
/// budget (`edupulse_learn::parallel`: contiguous chunks of at least 4,096 texts per thread; the
/// result does not depend on the thread count).
pub fn score_all<S: AsRef<str> + Sync>(
    texts: &[S],
    params: &SentimentParams,
) -> Result<Vec<Sentiment>> {
    params.validate()?;
    let parts = edupulse_learn::parallel::map_ranges(texts.len(), MIN_PER_THREAD, |r| {
        with_memo(|memo| {
            texts[r]
                .iter()
                .map(|t| finish(raw_score_in(t.as_ref(), memo), params))
                .collect::<Vec<_>>()
        })
    });
    let mut out = Vec::with_capacity(texts.len());
    for p in parts {
        out.extend(p);
    }
    Ok(out)
}

/// The sentiment of many texts as columns (what a data frame needs), in order: see
/// [`score_columns`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SentimentColumns {
    /// Score in [−1, 1] of each text.
    pub score: Vec<f64>,
    /// Label code of each text ([`SentimentLabel::code`]: 0 negative, 1 neutral, 2 positive).
    pub label: Vec<u8>,
    /// [`Sentiment::low_coverage`] of each text.
    pub low_coverage: Vec<bool>,
    /// [`Sentiment::truncated`] of each text.
    pub truncated: Vec<bool>,
}

/// Score many texts straight into columns (validates the parameters once): the same values as
/// [`score_all`], written in place by up to the crate's thread budget, without a [`Sentiment`]
/// per text. The batch is cut into blocks of 8,192 texts that the threads take in turn as they
/// finish (a thread slowed down by other work on the machine takes fewer; the values do not
/// depend on who scores what).
///
/// ```
/// use edupulse_core::feedback::{score_columns, SentimentLabel, SentimentParams};
/// let c = score_columns(&["me encantó", "no me gustó", ""], &SentimentParams::default()).unwrap();
/// assert_eq!(c.label, [2, 0, 1]);
/// assert_eq!(SentimentLabel::from_code(c.label[0]), Some(SentimentLabel::Positive));
/// ```
pub fn score_columns<S: AsRef<str> + Sync>(
    texts: &[S],
    params: &SentimentParams,
) -> Result<SentimentColumns> {
    columns_of(texts, params, |t| Some(t.as_ref()))
}

/// [`score_columns`] of texts given as bytes (an Arrow string column read in place, say): each
/// text is checked to be UTF-8 by the thread that scores it, just before (while its bytes are
/// in cache), not in a pass of its own. A text that is not UTF-8 is an error naming the
/// parameter `texts` and the first such index.
///
/// ```
/// use edupulse_core::feedback::{score_columns_bytes, SentimentParams};
/// let p = SentimentParams::default();
/// let c = score_columns_bytes(&["me encantó".as_bytes(), b""], &p).unwrap();
/// assert_eq!(c.label, [2, 1]);
/// let e = score_columns_bytes(&[b"ok".as_slice(), b"mal\xff"], &p).unwrap_err();
/// assert!(e.to_string().contains("index 1"));
/// ```
pub fn score_columns_bytes<B: AsRef<[u8]> + Sync>(
    texts: &[B],
    params: &SentimentParams,
) -> Result<SentimentColumns> {
    columns_of(texts, params, |t| std::str::from_utf8(t.as_ref()).ok())
}

/// Texts per block of the batch scorer (what one thread takes at a time).
const BLOCK: usize = 8_192;

/// The batch scorer of [`score_columns`] and [`score_columns_bytes`]: `text` gives each item's
/// text (`None`: not UTF-8).
fn columns_of<T: Sync>(
    texts: &[T],
    params: &SentimentParams,
    text: impl Fn(&T) -> Option<&str> + Sync,
) -> Result<SentimentColumns> {
    params.validate()?;
    let n = texts.len();
    let mut out = SentimentColumns {
        score: vec![0.0; n],
        label: vec![0; n],
        low_coverage: vec![false; n],
        truncated: vec![false; n],
    };
    let threads = edupulse_learn::parallel::threads_for(0, n / MIN_PER_THREAD).max(1);
    let blocks: Vec<_> = texts
        .chunks(BLOCK)
        .zip(out.score.chunks_mut(BLOCK))
        .zip(out.label.chunks_mut(BLOCK))
        .zip(out.low_coverage.chunks_mut(BLOCK))
        .zip(out.truncated.chunks_mut(BLOCK))
        .enumerate()
        .map(|(b, ((((t, s), l), c), u))| (b * BLOCK, t, s, l, c, u))
        .collect();
    let queue = std::sync::Mutex::new(blocks.into_iter());
    // The first text that is not UTF-8 (usize::MAX: none).
    let bad = std::sync::atomic::AtomicUsize::new(usize::MAX);
    let next = || {
        queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .next()
    };
    edupulse_learn::parallel::for_each(threads, vec![(); threads], |()| {
        with_memo(|memo| {
            while let Some((first, t, s, l, c, u)) = next() {
                for (k, item) in t.iter().enumerate() {
                    let Some(one) = text(item) else {
                        bad.fetch_min(first + k, std::sync::atomic::Ordering::Relaxed);
                        continue;
                    };
                    let x = finish(raw_score_in(one, memo), params);
                    if let (Some(s), Some(l), Some(c), Some(u)) =
                        (s.get_mut(k), l.get_mut(k), c.get_mut(k), u.get_mut(k))
                    {
                        *s = x.score;
                        *l = x.label.code();
                        *c = x.low_coverage;
                        *u = x.truncated;
                    }
                }
            }
        })
    });
    match bad.into_inner() {
        usize::MAX => Ok(out),
        i => Err(CoreError::param(
            "texts",
            format!("at index {i}: not valid UTF-8 text"),
        )),
    }
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

/// The raw score of one text (this thread's word memo).
pub(crate) fn raw_score(text: &str) -> Raw {
    with_memo(|memo| raw_score_in(text, memo))
}

/// Decode the (non-ASCII) character starting at byte `i` of `text`: the char and its length.
#[inline]
fn char_at(text: &str, i: usize) -> (char, usize) {
    text.get(i..)
        .and_then(|t| t.chars().next())
        .map_or(('\u{fffd}', 1), |c| (c, c.len_utf8()))
}

/// `char::is_alphabetic` with fast answers for the non-ASCII characters chat is made of: the
/// Latin-1 and Latin Extended letters (`á`, `ñ`, `ü`…; U+00C0–U+024F except `×` and `÷`) are
/// letters, the pictographic emoji blocks (U+1F300–U+1FAFF) are not (unit-tested against
/// `char::is_alphabetic` over both ranges).
#[inline]
pub(crate) fn is_alphabetic(c: char) -> bool {
    match c {
        'À'..='ɏ' => c != '×' && c != '÷',
        '\u{1f300}'..='\u{1faff}' => false,
        _ => c.is_alphabetic(),
    }
}

/// High bit of each byte of `w` that is an ASCII letter (`A-Z`, `a-z`), 8 bytes at once: with
/// the high bit cleared and `0x20` set (folding case), a byte `t` ≤ 0x7f is a letter iff
/// `t + 0x1f` reaches 0x80 (`t ≥ 'a'`) and `t + 0x05` does not (`t ≤ 'z'`); no sum carries into
/// the next byte. Bytes ≥ 0x80 are not ASCII letters.
#[inline]
fn ascii_letters(w: u64) -> u64 {
    const LO: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HI: u64 = 0x8080_8080_8080_8080;
    let t = (w & LO) | 0x2020_2020_2020_2020;
    let ge_a = t + 0x1f1f_1f1f_1f1f_1f1f;
    let gt_z = t + 0x0505_0505_0505_0505;
    ge_a & !gt_z & !w & HI
}

/// The end of the letter run starting at byte `i` (which starts a letter): ASCII letters 8 bytes
/// at a time ([`ascii_letters`]), then byte by byte near the end of the text; other characters
/// decoded only when met.
#[inline]
fn word_end(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    loop {
        if let Some(chunk) = b.get(i..).and_then(<[u8]>::first_chunk::<8>) {
            let stop = !ascii_letters(u64::from_le_bytes(*chunk)) & 0x8080_8080_8080_8080;
            if stop == 0 {
                i += 8;
                continue;
            }
            i += (stop.trailing_zeros() / 8) as usize;
        } else {
            while b.get(i).is_some_and(u8::is_ascii_alphabetic) {
                i += 1;
            }
        }
        match b.get(i) {
            Some(&x) if x >= 0x80 => {
                let (c, n) = char_at(text, i);
                if !is_alphabetic(c) {
                    return i;
                }
                i += n;
            }
            _ => return i,
        }
    }
}

/// The bytes `start..end` of `b` as a zero-padded little-endian u64 (a word of ≤ 8 bytes: one
/// 8-byte load, masked, unless the text ends within 8 bytes). 0 for longer words.
#[inline]
fn short_key(b: &[u8], start: usize, end: usize) -> u64 {
    let n = end - start;
    if n > 8 {
        return 0;
    }
    match b.get(start..).and_then(<[u8]>::first_chunk::<8>) {
        Some(chunk) => u64::from_le_bytes(*chunk) & (u64::MAX >> (64 - 8 * n)),
        None => super::words::load(b.get(start..end).unwrap_or_default()),
    }
}

/// The scorer, byte by byte, with the word facts from `memo`.
pub(crate) fn raw_score_in(text: &str, memo: &mut Memo) -> Raw {
    let scored_text = prefix(text, MAX_SCORED_BYTES);
    let bytes = scored_text.as_bytes();
    let mut raw = Raw {
        truncated: scored_text.len() < text.len(),
        ..Raw::default()
    };
    // Whether the text has a lower-case letter: only needed for a word in capitals, so only
    // computed then.
    let mut mixed_case: Option<bool> = None;
    let mut sums = Sums::default();
    let mut negation = 0u32;
    let mut modifier: Option<(f32, u32)> = None;
    let mut exclaim = 0u32;
    let mut last_was_polar_word = false;
    let mut sentence_start = true;

    let mut i = 0;
    while let Some(&x) = bytes.get(i) {
        let start = i;
        if x < 0x80 {
            if !x.is_ascii_alphabetic() {
                i += 1;
                match x {
                    b'!' => {
                        exclaim += 1;
                        sentence_start = true;
                    }
                    b'.' | b',' | b';' | b':' | b'?' | b'\n' => {
                        sentence_start |= matches!(x, b'.' | b'?' | b'\n');
                        negation = 0;
                        modifier = None;
                        last_was_polar_word = false;
                        if x == b':' || x == b';' {
                            // `:)`, `:-)`, `:D`, `;)`, `:(`, `:-(`, `:'(`
                            if matches!(bytes.get(i), Some(b'-' | b'\'')) {
                                i += 1;
                            }
                            let v = match bytes.get(i) {
                                Some(b')' | b'D' | b'P') => 0.5,
                                Some(b'(') => -0.5,
                                _ => continue,
                            };
                            i += 1;
                            sums.push(v, false);
                        }
                    }
                    _ => {}
                }
                continue;
            }
        } else {
            let (c, n) = char_at(scored_text, i);
            if !is_alphabetic(c) {
                i += n;
                if let Some(v) = emoji(c) {
                    sums.push(v, false);
                    last_was_polar_word = false;
                } else if matches!(c, '¡' | '¿') {
                    sentence_start = true;
                }
                continue;
            }
        }
        i = word_end(scored_text, i);
        let surface = scored_text.get(start..i).unwrap_or_default();
        let info = memo.get_keyed(surface, short_key(bytes, start, i));
        raw.words += 1;
        let caps = info.first_upper
            && info.all_upper
            && *mixed_case.get_or_insert_with(|| scored_text.chars().any(char::is_lowercase));
        // A capitalised word inside a sentence is a name ("desde Madrid"): known, no polarity.
        let name = info.first_upper && !sentence_start && info.rest_lower;
        sentence_start = false;
        if name {
            raw.known += 1;
            negation = negation.saturating_sub(1);
            last_was_polar_word = false;
            continue;
        }
        raw.known += usize::from(info.known);
        raw.spanish_stop += usize::from(info.spanish_stop);
        raw.english_stop += usize::from(info.english_stop);
        let v = match info.kind {
            Kind::Negator => {
                negation = NEGATION_SCOPE;
                last_was_polar_word = false;
                continue;
            }
            Kind::Modifier(f) => {
                match sums.pending.as_mut() {
                    Some((v, true)) if last_was_polar_word => *v *= f,
                    _ => modifier = Some((f, MODIFIER_SCOPE)),
                }
                last_was_polar_word = false;
                continue;
            }
            Kind::Contrast => {
                sums.contrast();
                negation = 0;
                last_was_polar_word = false;
                continue;
            }
            Kind::Laugh => {
                sums.push(LAUGH, false);
                last_was_polar_word = false;
                continue;
            }
            Kind::Value(v) => v,
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
    }
    let mut sum = sums.total();
    if sum != 0.0 {
        sum *= 1.0 + 0.1 * f64::from(exclaim.min(3));
    }
    raw.score = (sum / (sum * sum + ALPHA).sqrt()).clamp(-1.0, 1.0);
    raw
}
