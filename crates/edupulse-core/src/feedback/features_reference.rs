//! The featuriser as it was before the allocation-free rewrite (a `String` per token and per
//! padded word), kept for the tests: the rewrite must give the same rows
//! (`tests_model::featuriser_rows_and_probabilities_are_unchanged`).

use super::features::Featurizer;
use super::lexicon::{normalize_into, NEGATORS};
use super::reference::raw_score;
use super::sentiment::MAX_SCORED_BYTES;

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

/// The reference row of `text`.
pub(crate) fn row(f: &Featurizer, text: &str) -> Vec<(u32, f32)> {
    f.reference_row(text)
}

impl Featurizer {
    /// The sparse feature row of `text` (columns ascending, no duplicates).
    fn reference_row(&self, text: &str) -> Vec<(u32, f32)> {
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
