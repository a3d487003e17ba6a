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

/// FNV-1a 64 over a family tag and byte slices, then a SplitMix64 finaliser (stable across
/// platforms and builds: fitted models keep their meaning).
fn hash(tag: u8, parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    eat(tag);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            eat(0x1f);
        }
        for &b in *p {
            eat(b);
        }
    }
    let mut z = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A token: its normalised text and whether it is a word (letters/digits) for n-grams.
struct Token {
    text: String,
    word: bool,
    negated: bool,
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut negation = 0u32;
    for chunk in text.split_whitespace() {
        let lower = chunk.get(..4).map(str::to_ascii_lowercase);
        if lower.as_deref() == Some("http") || lower.as_deref() == Some("www.") {
            out.push(Token {
                text: "<url>".into(),
                word: false,
                negated: false,
            });
            continue;
        }
        if chunk.starts_with('@') && chunk.len() > 1 {
            out.push(Token {
                text: "<user>".into(),
                word: false,
                negated: false,
            });
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
                let mut w = String::new();
                normalize_into(chunk.get(i..end).unwrap_or_default(), &mut w);
                let is_negator = NEGATORS.contains(&w.as_str());
                out.push(Token {
                    text: w,
                    word: true,
                    negated: negation > 0 && !is_negator,
                });
                if is_negator {
                    negation = 3;
                } else {
                    negation = negation.saturating_sub(1);
                }
            } else if matches!(c, '.' | ',' | ';' | ':' | '?' | '!' | '¡' | '¿') {
                negation = 0;
                if matches!(c, '!' | '?') {
                    out.push(Token {
                        text: c.to_string(),
                        word: false,
                        negated: false,
                    });
                }
            } else if !c.is_ascii() && !c.is_whitespace() && c != '\u{fe0f}' {
                out.push(Token {
                    text: c.to_string(),
                    word: false,
                    negated: false,
                });
            }
        }
    }
    out
}

impl Featurizer {
    /// Columns of the feature space (hashed ones, then the lexicon's).
    pub fn n_cols(&self) -> u32 {
        (1u32 << self.hash_bits) + if self.lexicon { LEXICON_COLUMNS } else { 0 }
    }

    /// The sparse feature row of `text` (columns ascending, no duplicates).
    pub fn row(&self, text: &str) -> Vec<(u32, f32)> {
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
        let col = |h: u64| (h & mask) as u32;
        let toks = tokens(text);
        let mut words: Vec<u32> = Vec::with_capacity(toks.len() * 3);
        let mut chars: Vec<u32> = Vec::new();
        if self.word_ngrams >= 1 {
            for (k, t) in toks.iter().enumerate() {
                words.push(col(hash(b'w', &[t.text.as_bytes()])));
                if self.negation && t.negated {
                    words.push(col(hash(b'n', &[t.text.as_bytes()])));
                }
                if self.word_ngrams >= 2 {
                    if let Some(next) = toks.get(k + 1) {
                        words.push(col(hash(b'b', &[t.text.as_bytes(), next.text.as_bytes()])));
                    }
                }
            }
        }
        if self.char_max >= self.char_min && self.char_min >= 1 {
            let mut padded = String::new();
            let mut bounds: Vec<usize> = Vec::new();
            for t in toks.iter().filter(|t| t.word) {
                padded.clear();
                padded.push(' ');
                padded.push_str(&t.text);
                padded.push(' ');
                bounds.clear();
                bounds.extend(padded.char_indices().map(|(i, _)| i));
                bounds.push(padded.len());
                let len = bounds.len() - 1;
                for n in self.char_min..=self.char_max.min(len) {
                    for s in 0..=(len - n) {
                        let g = padded.get(bounds[s]..bounds[s + n]).unwrap_or_default();
                        chars.push(col(hash(b'0' + n as u8, &[g.as_bytes()])));
                    }
                }
            }
        }
        let mut row = block(&mut words);
        row.extend(block(&mut chars));
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

/// Sublinear counts of the columns, scaled to unit L2 norm.
fn block(cols: &mut [u32]) -> Vec<(u32, f32)> {
    cols.sort_unstable();
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(cols.len());
    for &c in cols.iter() {
        match out.last_mut() {
            Some(last) if last.0 == c => last.1 += 1.0,
            _ => out.push((c, 1.0)),
        }
    }
    let mut norm = 0.0f32;
    for e in out.iter_mut() {
        e.1 = 1.0 + e.1.ln();
        norm += e.1 * e.1;
    }
    let norm = norm.sqrt();
    if norm > 0.0 {
        out.iter_mut().for_each(|e| e.1 /= norm);
    }
    out
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
        let t = tokens("No me GUSTÓ, nada 😡 @ana https://t.co/x ¡Genial!");
        let words: Vec<(&str, bool)> = t.iter().map(|t| (t.text.as_str(), t.negated)).collect();
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
