//! What the lexicon scorer needs to know about one word, decided once per surface form and
//! memoised per thread ([`Memo`]): the scorer's hot path hashes the word's bytes as they appear in
//! the text and does one lookup, with no lower-casing, accent folding, stem walk or role lookup
//! for a word it has seen before (chat repeats its words).
//!
//! A [`WordInfo`] is a pure function of the surface form (see [`WordInfo::of`]): its role
//! (negator, modifier, contrast, laughter or a polarity), whether it counts as recognised Spanish
//! or as an English stop word, and its case shape (capitalised, all capitals, lower case after
//! the first letter). The memo only saves recomputing it, so scores are the same with or without
//! it; it is bounded at [`MEMO_WORDS`] words (then starts over).

use super::lexicon::{is_laugh, lexicon, normalize_into, Lexicon, Role};

/// Words memoised per thread, at most (then the memo starts over).
pub(crate) const MEMO_WORDS: usize = 1 << 16;

/// What a word does in the scorer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    /// Negates the next words.
    Negator,
    /// Scales the next (or the previous) polarity word.
    Modifier(f32),
    /// `pero` / `sino`.
    Contrast,
    /// `jaja`, `xd`…: adds its own polarity.
    Laugh,
    /// A word with its polarity (`None`: none known; `Some(0)`: known, no opinion).
    Value(Option<f32>),
}

/// The facts about one surface form of a word (a letter run).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct WordInfo {
    /// Its role.
    pub kind: Kind,
    /// Recognised as Spanish (lexicon, stop word, negator, modifier, laughter, own word).
    pub known: bool,
    /// A Spanish function word (stop word, negator, modifier, contrast).
    pub spanish_stop: bool,
    /// An English stop word.
    pub english_stop: bool,
    /// The first letter is upper case.
    pub first_upper: bool,
    /// At least 3 bytes, every letter upper case.
    pub all_upper: bool,
    /// Every letter after the first is lower case.
    pub rest_lower: bool,
}

impl WordInfo {
    /// The facts of `surface` (a non-empty letter run); `buf` is scratch space.
    pub fn of(surface: &str, lex: &Lexicon, buf: &mut String) -> WordInfo {
        buf.clear();
        normalize_into(surface, buf);
        let word = buf.as_str();
        let mut info = WordInfo {
            kind: Kind::Value(None),
            known: true,
            spanish_stop: true,
            english_stop: false,
            first_upper: surface.chars().next().is_some_and(char::is_uppercase),
            all_upper: surface.len() >= 3 && surface.chars().all(char::is_uppercase),
            rest_lower: surface.chars().skip(1).all(char::is_lowercase),
        };
        let role = lex.roles.get(word).copied();
        match role {
            Some(Role::Negator) => info.kind = Kind::Negator,
            Some(Role::Modifier(f)) => info.kind = Kind::Modifier(f),
            Some(Role::Contrast) => info.kind = Kind::Contrast,
            Some(Role::StopEs) => {}
            Some(Role::Word(v)) => {
                info.kind = Kind::Value(Some(v));
                info.spanish_stop = false;
            }
            Some(Role::StopEn) | None => {
                info.spanish_stop = false;
                info.english_stop = role == Some(Role::StopEn);
                if is_laugh(word) {
                    info.kind = Kind::Laugh;
                } else {
                    let v = match superlative_base(word) {
                        Some(base) => lex.polarity(base).map(|v| v * 1.5),
                        None => lex.polarity(word),
                    };
                    info.kind = Kind::Value(v);
                    info.known = v.is_some();
                }
            }
        }
        info
    }
}

/// The base of a superlative (`buenisimo` → `buen`), if the word is one.
fn superlative_base(w: &str) -> Option<&str> {
    ["isimos", "isimas", "isimo", "isima"]
        .iter()
        .find_map(|s| w.strip_suffix(s))
        .filter(|b| b.len() >= 3)
}

/// Surface form (bytes) → [`WordInfo`], bounded at [`MEMO_WORDS`]: an open-addressing table of
/// entries (linear probing, at most half full; one cache line visit per hit) whose keys live in
/// one byte arena, compared 8 bytes at a time (a word is a few bytes: a general `memcmp` call
/// and a boxed key per entry cost more than the comparison itself).
pub(crate) struct Memo {
    /// A power of two long; `len == 0` marks an empty slot (words are never empty).
    slots: Vec<Entry>,
    used: usize,
    arena: Vec<u8>,
    buf: String,
}

#[derive(Clone, Copy)]
struct Entry {
    hash: u64,
    start: u32,
    len: u32,
    info: WordInfo,
}

const EMPTY: Entry = Entry {
    hash: 0,
    start: 0,
    len: 0,
    info: WordInfo {
        kind: Kind::Value(None),
        known: false,
        spanish_stop: false,
        english_stop: false,
        first_upper: false,
        all_upper: false,
        rest_lower: false,
    },
};

impl Default for Memo {
    fn default() -> Self {
        Memo {
            slots: vec![EMPTY; 1 << 10],
            used: 0,
            arena: Vec::new(),
            buf: String::new(),
        }
    }
}

const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// Up to 8 bytes as a little-endian u64 (zero-padded).
#[inline]
fn load(b: &[u8]) -> u64 {
    match <[u8; 8]>::try_from(b) {
        Ok(a) => u64::from_le_bytes(a),
        Err(_) => b
            .iter()
            .enumerate()
            .fold(0u64, |v, (k, &x)| v | u64::from(x) << (8 * k)),
    }
}

/// Multiply-rotate hash of a short byte string, 8 bytes at a time.
#[inline]
fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = (b.len() as u64).wrapping_mul(K);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        h = (h.rotate_left(23) ^ load(c)).wrapping_mul(K);
    }
    let r = chunks.remainder();
    if !r.is_empty() {
        h = (h.rotate_left(23) ^ load(r)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// Byte equality, 8 bytes at a time.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    for (p, q) in (&mut x).zip(&mut y) {
        if load(p) != load(q) {
            return false;
        }
    }
    load(x.remainder()) == load(y.remainder())
}

impl Memo {
    /// The facts of `surface`, computed on the first sight of it.
    #[inline]
    pub fn get(&mut self, surface: &str) -> WordInfo {
        let key = surface.as_bytes();
        let h = hash_bytes(key);
        let mask = self.slots.len() - 1;
        let mut at = (h as usize) & mask;
        while let Some(e) = self.slots.get(at).filter(|e| e.len != 0) {
            if e.hash == h {
                let (s, n) = (e.start as usize, e.len as usize);
                if self.arena.get(s..s + n).is_some_and(|k| same(k, key)) {
                    return e.info;
                }
            }
            at = (at + 1) & mask;
        }
        let info = WordInfo::of(surface, lexicon(), &mut self.buf);
        self.insert(key, h, info);
        info
    }

    #[cold]
    fn insert(&mut self, key: &[u8], h: u64, info: WordInfo) {
        // Start over at MEMO_WORDS words (or, never in practice, when the arena's u32 offsets
        // would overflow: a text is scored on its first 100,000 bytes).
        if self.used >= MEMO_WORDS || self.arena.len() + key.len() > u32::MAX as usize {
            *self = Memo::default();
        }
        if 2 * (self.used + 1) > self.slots.len() {
            let grown = vec![EMPTY; self.slots.len() * 2];
            let old = std::mem::replace(&mut self.slots, grown);
            for e in old.into_iter().filter(|e| e.len != 0) {
                place(&mut self.slots, e);
            }
        }
        let e = Entry {
            hash: h,
            start: self.arena.len() as u32,
            len: key.len() as u32,
            info,
        };
        self.arena.extend_from_slice(key);
        place(&mut self.slots, e);
        self.used += 1;
    }
}

/// Put `e` in the first free slot from its hash.
fn place(slots: &mut [Entry], e: Entry) {
    let mask = slots.len() - 1;
    let mut at = (e.hash as usize) & mask;
    while let Some(s) = slots.get_mut(at) {
        if s.len == 0 {
            *s = e;
            return;
        }
        at = (at + 1) & mask;
    }
}

thread_local! {
    /// This thread's memo (taken out while in use: re-entry gets a fresh one, never a panic).
    static MEMO: std::cell::Cell<Memo> = std::cell::Cell::new(Memo::default());
}

/// Run `f` with this thread's memo (a fresh one during thread teardown or on re-entry).
pub(crate) fn with_memo<T>(f: impl FnOnce(&mut Memo) -> T) -> T {
    let mut memo = MEMO.try_with(std::cell::Cell::take).unwrap_or_default();
    let out = f(&mut memo);
    let _ = MEMO.try_with(|m| m.set(memo));
    out
}
