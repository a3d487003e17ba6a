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

/// Surface form (bytes) → [`WordInfo`], bounded at [`MEMO_WORDS`]: an open-addressing table
/// (linear probing, at most half full) of 16-byte entries, four to a cache line, with the facts
/// packed in. A word of up to 8 bytes (most of them) is its own key, stored in the entry: a hit
/// is one 8-byte comparison in one cache line, with no hashing beyond one multiplication and no
/// second memory access. A longer word's entry holds its hash and where its bytes are in one
/// arena (compared 8 bytes at a time).
pub(crate) struct Memo {
    /// A power of two long; `len == 0` marks an empty slot (words are never empty).
    slots: Vec<Entry>,
    /// `64 − log2(slots.len())`: a hash's top bits pick the slot.
    shift: u32,
    used: usize,
    arena: Vec<u8>,
    buf: String,
}

/// One memoised word, 16 bytes.
#[derive(Clone, Copy)]
struct Entry {
    /// A word of ≤ 8 bytes: its bytes, little-endian, zero-padded (words never contain a zero
    /// byte, so this also fixes the length). A longer word: its arena offset (low 32 bits) and
    /// the top 32 bits of its hash.
    key: u64,
    /// The polarity or the modifier's factor.
    value: f32,
    /// The word's length in bytes; 0 for an empty slot.
    len: u16,
    /// [`Kind`] as a code (`KIND_*`).
    kind: u8,
    /// The boolean facts (`F_*` bits).
    flags: u8,
}

const KIND_NONE: u8 = 0;
const KIND_VALUE: u8 = 1;
const KIND_NEGATOR: u8 = 2;
const KIND_MODIFIER: u8 = 3;
const KIND_CONTRAST: u8 = 4;
const KIND_LAUGH: u8 = 5;
const F_KNOWN: u8 = 1;
const F_SPANISH_STOP: u8 = 2;
const F_ENGLISH_STOP: u8 = 4;
const F_FIRST_UPPER: u8 = 8;
const F_ALL_UPPER: u8 = 16;
const F_REST_LOWER: u8 = 32;

impl Entry {
    /// `info` packed, with its `key` and `len`.
    fn pack(key: u64, len: u16, info: WordInfo) -> Entry {
        let (kind, value) = match info.kind {
            Kind::Value(None) => (KIND_NONE, 0.0),
            Kind::Value(Some(v)) => (KIND_VALUE, v),
            Kind::Negator => (KIND_NEGATOR, 0.0),
            Kind::Modifier(f) => (KIND_MODIFIER, f),
            Kind::Contrast => (KIND_CONTRAST, 0.0),
            Kind::Laugh => (KIND_LAUGH, 0.0),
        };
        let flags = [
            (info.known, F_KNOWN),
            (info.spanish_stop, F_SPANISH_STOP),
            (info.english_stop, F_ENGLISH_STOP),
            (info.first_upper, F_FIRST_UPPER),
            (info.all_upper, F_ALL_UPPER),
            (info.rest_lower, F_REST_LOWER),
        ]
        .iter()
        .fold(0, |f, &(on, bit)| if on { f | bit } else { f });
        Entry {
            key,
            value,
            len,
            kind,
            flags,
        }
    }

    /// The [`WordInfo`] packed in.
    #[inline]
    fn info(&self) -> WordInfo {
        let kind = match self.kind {
            KIND_VALUE => Kind::Value(Some(self.value)),
            KIND_NEGATOR => Kind::Negator,
            KIND_MODIFIER => Kind::Modifier(self.value),
            KIND_CONTRAST => Kind::Contrast,
            KIND_LAUGH => Kind::Laugh,
            _ => Kind::Value(None),
        };
        let f = self.flags;
        WordInfo {
            kind,
            known: f & F_KNOWN != 0,
            spanish_stop: f & F_SPANISH_STOP != 0,
            english_stop: f & F_ENGLISH_STOP != 0,
            first_upper: f & F_FIRST_UPPER != 0,
            all_upper: f & F_ALL_UPPER != 0,
            rest_lower: f & F_REST_LOWER != 0,
        }
    }
}

const EMPTY: Entry = Entry {
    key: 0,
    value: 0.0,
    len: 0,
    kind: 0,
    flags: 0,
};

/// Slots of a fresh memo (log2).
const INITIAL_BITS: u32 = 10;

impl Default for Memo {
    fn default() -> Self {
        Memo {
            slots: vec![EMPTY; 1 << INITIAL_BITS],
            shift: 64 - INITIAL_BITS,
            used: 0,
            arena: Vec::new(),
            buf: String::new(),
        }
    }
}

const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// Up to 8 bytes as a little-endian u64 (zero-padded).
#[inline]
pub(crate) fn load(b: &[u8]) -> u64 {
    match <[u8; 8]>::try_from(b) {
        Ok(a) => u64::from_le_bytes(a),
        Err(_) => b
            .iter()
            .enumerate()
            .fold(0u64, |v, (k, &x)| v | u64::from(x) << (8 * k)),
    }
}

/// Multiply-rotate hash of a byte string, 8 bytes at a time.
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
    #[cfg(test)]
    pub fn get(&mut self, surface: &str) -> WordInfo {
        let b = surface.as_bytes();
        let short = if b.len() <= 8 { load(b) } else { 0 };
        self.get_keyed(surface, short)
    }

    /// [`Memo::get`] with the word's bytes as a zero-padded little-endian u64 already at hand
    /// (`short`; ignored for words longer than 8 bytes).
    #[inline]
    pub fn get_keyed(&mut self, surface: &str, short: u64) -> WordInfo {
        let b = surface.as_bytes();
        let n = b.len();
        let mask = self.slots.len() - 1;
        if n <= 8 {
            let mut at = (short.wrapping_mul(K) >> self.shift) as usize;
            while let Some(e) = self.slots.get(at).filter(|e| e.len != 0) {
                if e.key == short && usize::from(e.len) == n {
                    return e.info();
                }
                at = (at + 1) & mask;
            }
            return self.miss(surface, short, short.wrapping_mul(K));
        }
        let h = hash_bytes(b);
        let mut at = (h >> self.shift) as usize;
        while let Some(e) = self.slots.get(at).filter(|e| e.len != 0) {
            if usize::from(e.len) == n && e.key >> 32 == h >> 32 {
                let s = (e.key & u64::from(u32::MAX)) as usize;
                if self.arena.get(s..s + n).is_some_and(|k| same(k, b)) {
                    return e.info();
                }
            }
            at = (at + 1) & mask;
        }
        self.miss(surface, short, h)
    }

    /// A word not in the memo: its facts, memoised (a word longer than `u16::MAX` bytes is not).
    #[cold]
    #[inline(never)]
    fn miss(&mut self, surface: &str, short: u64, h: u64) -> WordInfo {
        let info = WordInfo::of(surface, lexicon(), &mut self.buf);
        let b = surface.as_bytes();
        let Ok(len) = u16::try_from(b.len()) else {
            return info;
        };
        // Start over at MEMO_WORDS words (or, never in practice, when the arena's u32 offsets
        // would overflow).
        if self.used >= MEMO_WORDS || self.arena.len() + b.len() > u32::MAX as usize {
            *self = Memo {
                buf: std::mem::take(&mut self.buf),
                ..Memo::default()
            };
        }
        if 2 * (self.used + 1) > self.slots.len() {
            let grown = vec![EMPTY; self.slots.len() * 2];
            let old = std::mem::replace(&mut self.slots, grown);
            self.shift -= 1;
            for e in old.into_iter().filter(|e| e.len != 0) {
                let h = if e.len <= 8 {
                    e.key.wrapping_mul(K)
                } else {
                    let s = (e.key & u64::from(u32::MAX)) as usize;
                    hash_bytes(
                        self.arena
                            .get(s..s + usize::from(e.len))
                            .unwrap_or_default(),
                    )
                };
                place(&mut self.slots, self.shift, h, e);
            }
        }
        let e = if b.len() <= 8 {
            Entry::pack(short, len, info)
        } else {
            let start = self.arena.len() as u64;
            self.arena.extend_from_slice(b);
            Entry::pack(start | (h >> 32) << 32, len, info)
        };
        place(&mut self.slots, self.shift, h, e);
        self.used += 1;
        info
    }
}

/// Put `e` (hash `h`) in the first free slot from its hash.
fn place(slots: &mut [Entry], shift: u32, h: u64, e: Entry) {
    let mask = slots.len() - 1;
    let mut at = (h >> shift) as usize;
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
