//! The Spanish text featuriser of the trainable sentiment model ([`super::model`]): hashed word
//! uni/bi-grams, negation-marked words and character n-grams within word boundaries, plus the
//! lexicon scorer's output as extra columns (the blend).
//!
//! It decides the sparse feature row of a text from the text alone (no state is learned, so a
//! fitted model needs nothing but its weights):
//! - **tokens**: whitespace chunks starting with `http` / `www.` become `<url>`, with `@`
//!   `<user>`; otherwise letter/digit runs, lower-cased and accent-folded (á→a, ñ→n) as the
//!   lexicon scorer does; emoji and other symbols are tokens of their own; `!` and `?` too;
//! - **word n-grams** (`word_ngrams` = 1 or 2): unigrams and adjacent bigrams;
//! - **negation marking**: the (up to three) words after a negator (`no`, `nunca`, `sin`…) up to
//!   the end of the clause also count as `NOT_word` ("no me gustó" → `NOT_gusto`);
//! - **character n-grams** of lengths `char_ngram_min..=char_ngram_max` of each word padded with
//!   a space on both sides (scikit-learn's `char_wb`), e.g. ` gus`, `usto `;
//! - values: sublinear counts `1 + ln(count)`, the word block and the character block each
//!   scaled to unit L2 norm; columns are the FNV-1a hash of (family, n-gram) modulo `2^hash_bits`;
//! - **lexicon columns** (when `lexicon`): `2^hash_bits + 0..3` hold the lexicon score `s`,
//!   `max(s, 0)` and `max(−s, 0)`, times `lexicon_weight`.
//!
//! Texts are featurised on their first [`MAX_SCORED_BYTES`] bytes, as the scorer reads them.
//! The tokens' normalised texts go back to back into one reused buffer and every n-gram is
//! hashed from those bytes as they stream (the padding spaces of `char_wb` included), so a text
//! costs one allocation (its row), not a `String` per token and per padded word.

use super::lexicon::{normalize_into, NEGATORS};
use super::sentiment::{raw_score, MAX_SCORED_BYTES};

/// Number of lexicon columns after the hashed ones.
pub(crate) const LEXICON_COLUMNS: u32 = 3;

/// Featuriser settings (validated by `SentimentModelParams::validate`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Featurizer {
    pub hash_bits: u32,
    pub word_ngrams: usize,
    pub negation: bool,
    pub char_min: usize,
    pub char_max: usize,
    pub lexicon: bool,
    pub lexicon_weight: f32,
}

/// FNV-1a 64, fed byte by byte, then a SplitMix64 finaliser (stable across platforms and
/// builds: fitted models keep their meaning). A feature's hash is that of its family tag, then
/// its parts separated by 0x1f.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    #[inline]
    fn new(tag: u8) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325).eat(tag)
    }

    #[inline]
    fn eat(self, b: u8) -> Fnv {
        Fnv((self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
    }

    #[inline]
    fn bytes(self, bytes: &[u8]) -> Fnv {
        bytes.iter().fold(self, |h, &b| h.eat(b))
    }

    #[inline]
    fn finish(self) -> u64 {
        let mut z = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// A token: its normalised text (a range of [`Tokens::text`]) and whether it is a word
/// (letters/digits) for the character n-grams.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    word: bool,
    negated: bool,
}

/// The tokens of one text, their normalised texts back to back in one buffer (reused from text
/// to text: no allocation per token).
#[derive(Default)]
struct Tokens {
    text: String,
    spans: Vec<Span>,
}

impl Tokens {
    fn get(&self, s: &Span) -> &[u8] {
        self.text.as_bytes().get(s.start..s.end).unwrap_or_default()
    }

    fn push(&mut self, start: usize, word: bool, negated: bool) {
        self.spans.push(Span {
            start,
            end: self.text.len(),
            word,
            negated,
        });
    }

    fn push_str(&mut self, s: &str) {
        let start = self.text.len();
        self.text.push_str(s);
        self.push(start, false, false);
    }

    /// Tokenise `text` into `self` (cleared first).
    fn read(&mut self, text: &str) {
        self.text.clear();
        self.spans.clear();
        let mut negation = 0u32;
        for chunk in text.split_whitespace() {
            let head = chunk.as_bytes().get(..4);
            if head
                .is_some_and(|h| h.eq_ignore_ascii_case(b"http") || h.eq_ignore_ascii_case(b"www."))
            {
                self.push_str("<url>");
                continue;
            }
            if chunk.starts_with('@') && chunk.len() > 1 {
                self.push_str("<user>");
                continue;
            }
            let mut chars = chunk.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                if c.is_alphanumeric() {
                    let mut end = i + c.len_utf8();
                    while let Some(&(j, d)) = chars.peek() {
                        if d.is_alphanumeric() {
                            end = j + d.len_utf8();
                            chars.next();
                        } else {
                            break;
                        }
                    }
                    let start = self.text.len();
                    normalize_into(chunk.get(i..end).unwrap_or_default(), &mut self.text);
                    let w = self.text.get(start..).unwrap_or_default();
                    let is_negator = NEGATORS.contains(&w);
                    self.push(start, true, negation > 0 && !is_negator);
                    if is_negator {
                        negation = 3;
                    } else {
                        negation = negation.saturating_sub(1);
                    }
                } else if matches!(c, '.' | ',' | ';' | ':' | '?' | '!' | '¡' | '¿') {
                    negation = 0;
                    if matches!(c, '!' | '?') {
                        let start = self.text.len();
                        self.text.push(c);
                        self.push(start, false, false);
                    }
                } else if !c.is_ascii() && !c.is_whitespace() && c != '\u{fe0f}' {
                    let start = self.text.len();
                    self.text.push(c);
                    self.push(start, false, false);
                }
            }
        }
    }
}

/// Scratch space of [`Featurizer::row_with`], reused from text to text.
#[derive(Default)]
pub(crate) struct Scratch {
    tokens: Tokens,
    words: Vec<u32>,
    chars: Vec<u32>,
    bounds: Vec<usize>,
    counts: Vec<(u32, f32)>,
}

impl Featurizer {
    /// Columns of the feature space (hashed ones, then the lexicon's).
    pub fn n_cols(&self) -> u32 {
        (1u32 << self.hash_bits) + if self.lexicon { LEXICON_COLUMNS } else { 0 }
    }

    /// The sparse feature row of `text` (columns ascending, no duplicates).
    #[cfg(test)]
    pub fn row(&self, text: &str) -> Vec<(u32, f32)> {
        self.row_with(text, &mut Scratch::default())
    }

    /// [`Featurizer::row`] with reusable scratch space: the only allocation per text is the row.
    pub fn row_with(&self, text: &str, sc: &mut Scratch) -> Vec<(u32, f32)> {
        let end = if text.len() <= MAX_SCORED_BYTES {
            text.len()
        } else {
            (0..=MAX_SCORED_BYTES)
                .rev()
                .find(|&e| text.is_char_boundary(e))
                .unwrap_or(0)
        };
        let text = text.get(..end).unwrap_or_default();
        let mask = (1u64 << self.hash_bits) - 1;
        let col = |h: Fnv| (h.finish() & mask) as u32;
        sc.tokens.read(text);
        let toks = &sc.tokens;
        sc.words.clear();
        sc.chars.clear();
        if self.word_ngrams >= 1 {
            for (k, t) in toks.spans.iter().enumerate() {
                let w = toks.get(t);
                sc.words.push(col(Fnv::new(b'w').bytes(w)));
                if self.negation && t.negated {
                    sc.words.push(col(Fnv::new(b'n').bytes(w)));
                }
                if self.word_ngrams >= 2 {
                    if let Some(next) = toks.spans.get(k + 1) {
                        let h = Fnv::new(b'b').bytes(w).eat(0x1f).bytes(toks.get(next));
                        sc.words.push(col(h));
                    }
                }
            }
        }
        if self.char_max >= self.char_min && self.char_min >= 1 {
            for t in toks.spans.iter().filter(|t| t.word) {
                // The word padded with a space on both sides, as char boundaries: bound k is
                // where padded char k starts (in the unpadded word's bytes, shifted by one).
                let w = toks.get(t);
                let word = toks.text.get(t.start..t.end).unwrap_or_default();
                sc.bounds.clear();
                sc.bounds.push(0);
                sc.bounds.extend(word.char_indices().map(|(i, _)| i + 1));
                sc.bounds.push(w.len() + 1);
                sc.bounds.push(w.len() + 2);
                let len = sc.bounds.len() - 1;
                for n in self.char_min..=self.char_max.min(len) {
                    for s in 0..=(len - n) {
                        let (a, b) = (sc.bounds[s], sc.bounds[s + n]);
                        // Padded bytes a..b: a space at 0 and at len(w) + 1, the word between.
                        let mut h = Fnv::new(b'0' + n as u8);
                        if a == 0 {
                            h = h.eat(b' ');
                        }
                        let inner = a.max(1) - 1..b.min(w.len() + 1) - 1;
                        h = h.bytes(w.get(inner).unwrap_or_default());
                        if b == w.len() + 2 {
                            h = h.eat(b' ');
                        }
                        sc.chars.push(col(h));
                    }
                }
            }
        }
        let mut row = Vec::with_capacity(sc.words.len() + sc.chars.len() + 3);
        block(&mut sc.words, &mut sc.counts, &mut row);
        block(&mut sc.chars, &mut sc.counts, &mut row);
        row.sort_unstable_by_key(|e| e.0);
        // Word and character hashes may collide: merge the duplicates.
        row.dedup_by(|b, a| {
            if a.0 == b.0 {
                a.1 += b.1;
                true
            } else {
                false
            }
        });
        if self.lexicon {
            let s = raw_score(text).score as f32 * self.lexicon_weight;
            let base = 1u32 << self.hash_bits;
            row.extend([(base, s), (base + 1, s.max(0.0)), (base + 2, (-s).max(0.0))]);
        }
        row
    }
}

/// Sublinear counts of the columns, scaled to unit L2 norm, appended to `out` (`counts` is
/// scratch).
fn block(cols: &mut [u32], counts: &mut Vec<(u32, f32)>, out: &mut Vec<(u32, f32)>) {
    cols.sort_unstable();
    counts.clear();
    for &c in cols.iter() {
        match counts.last_mut() {
            Some(last) if last.0 == c => last.1 += 1.0,
            _ => counts.push((c, 1.0)),
        }
    }
    let mut norm = 0.0f32;
    for e in counts.iter_mut() {
        e.1 = 1.0 + e.1.ln();
        norm += e.1 * e.1;
    }
    let norm = norm.sqrt();
    if norm > 0.0 {
        counts.iter_mut().for_each(|e| e.1 /= norm);
    }
    out.extend_from_slice(counts);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f() -> Featurizer {
        Featurizer {
            hash_bits: 18,
            word_ngrams: 2,
            negation: true,
            char_min: 2,
            char_max: 5,
            lexicon: true,
            lexicon_weight: 1.0,
        }
    }

    #[test]
    fn tokens_fold_accents_mark_negation_and_replace_urls() {
        let mut t = Tokens::default();
        t.read("No me GUSTÓ, nada 😡 @ana https://t.co/x ¡Genial!");
        let words: Vec<(&str, bool)> = t
            .spans
            .iter()
            .map(|s| (t.text.get(s.start..s.end).unwrap(), s.negated))
            .collect();
        assert_eq!(
            words,
            [
                ("no", false),
                ("me", true),
                ("gusto", true),
                ("nada", false),
                ("😡", false),
                ("<user>", false),
                ("<url>", false),
                ("genial", false),
                ("!", false),
            ]
        );
    }

    #[test]
    fn rows_are_sorted_normalised_and_accent_free() {
        let fz = f();
        let a = fz.row("Me gustó muchísimo");
        let b = fz.row("me gusto muchisimo");
        assert_eq!(a, b);
        assert!(a.windows(2).all(|w| w[0].0 < w[1].0));
        let hashed: f32 = a.iter().filter(|e| e.0 < 1 << 18).map(|e| e.1 * e.1).sum();
        assert!((hashed - 2.0).abs() < 1e-3, "two unit blocks, got {hashed}");
        let lex = &a[a.len() - 3..];
        assert_eq!(lex[0].0, 1 << 18);
        assert!(lex[0].1 > 0.0 && lex[1].1 == lex[0].1 && lex[2].1 == 0.0);
        assert_eq!(fz.n_cols(), (1 << 18) + 3);
        assert!(fz.row("   ").iter().all(|e| e.1 == 0.0));
    }
}
