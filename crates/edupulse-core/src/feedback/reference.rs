//! The lexicon scorer as it was before the byte-level rewrite (char by char, a lower-cased copy
//! of every word, a role lookup and a stem walk per word), kept for the tests: the fast scorer
//! must give exactly the same raw scores (`tests::fast_scorer_equals_the_reference`).

use super::lexicon::{emoji, is_laugh, lexicon, normalize_into, Lexicon, Role, LAUGH};
use super::sentiment::{Raw, MAX_SCORED_BYTES};

const ALPHA: f64 = 1.0;
const NEGATION_FACTOR: f32 = 0.75;
const NEGATION_SCOPE: u32 = 3;
const MODIFIER_SCOPE: u32 = 2;

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

/// The stem polarity of a normalised word that has no role.
fn cached_polarity(lex: &Lexicon, word: &str) -> Option<f32> {
    match superlative_base(word) {
        Some(base) => lex.polarity(base).map(|v| v * 1.5),
        None => lex.polarity(word),
    }
}

/// The base of a superlative (`buenisimo` → `buen`), if the word is one.
fn superlative_base(w: &str) -> Option<&str> {
    ["isimos", "isimas", "isimo", "isima"]
        .iter()
        .find_map(|s| w.strip_suffix(s))
        .filter(|b| b.len() >= 3)
}
