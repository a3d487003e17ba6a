//! The Spanish polarity lexicon and the word lists of the scorer.
//!
//! The polarity stems are the `senticon` (7,064 stems, [−1, 1]) and `afinn` (663 stems, [−5, 5],
//! scaled by 1/5 where senticon has no entry) lists of the MIT-licensed npm package
//! `@nlpjs/lang-es` 4.26.1, embedded unchanged (see `lexicon/SOURCE.md`). Their keys are
//! accent-free Snowball-style stems; a word is matched to the **longest stem that is a prefix of
//! it** (at most 5 letters shorter than the word; three-letter stems only for words of up to four letters), which works the same
//! with and without the accents chat users drop. The short lists below (negators, intensifiers,
//! diminishers, laughter, emoji, a few chat words the lexicon lacks) are edupulse's own.

use std::collections::HashMap;
use std::sync::OnceLock;

const SENTICON: &str = include_str!("lexicon/senticon_es.json");
const AFINN: &str = include_str!("lexicon/afinn_es.json");

/// Stems of the `afinn` list left out: function words the scorer handles itself (`no`, `si`,
/// `nunc`) and stems that collide with frequent neutral words (`dio`, `pag`, `inter`).
const AFINN_SKIP: &[&str] = &["no", "si", "nunc", "dio", "pag", "inter"];

/// Stems of the lexicon that name the subject of a webinar or a course rather than an opinion
/// about it (`curso`, `modelo`, `ejemplo`, `certificado`, `parte`, `compartir`…): set to 0.
/// ML-SentiCon gives them polarities from other senses ("modelo" +0.875); in course feedback
/// they are topic words. Chosen while reading mis-scored simulated lines (so the simulator's
/// agreement is not an independent evaluation; docs/feedback.md has the held-out one).
const DOMAIN_NEUTRAL: &[&str] = &[
    "curs", "model", "ejempl", "part", "complet", "certific", "direct", "termin", "aplic",
    "public", "compart", "compar", "descarg", "descar", "salud", "integr", "conoc", "esper",
    "larg", "normal", "perd", "clas", "program", "dat", "inform", "pregunt", "contenid", "tem",
    "organ", "explic",
];

/// Whole words (accent-free, lower case) with their polarity, checked before the stems: chat
/// words the lexicon lacks or scores as another sense, and greetings that are not praise.
pub(crate) const OWN_WORDS: &[(&str, f32)] = &[
    ("gracias", 0.5),
    ("genial", 0.7),
    ("felicidades", 0.6),
    ("felicitaciones", 0.6),
    ("recomiendo", 0.5),
    ("recomendable", 0.5),
    ("crack", 0.6),
    ("bien", 0.5),
    ("bueno", 0.4),
    ("buena", 0.5),
    ("mal", -0.5),
    ("malo", -0.6),
    ("mala", -0.6),
    ("confuso", -0.5),
    ("confusa", -0.5),
    ("desorganizado", -0.5),
    ("desorganizada", -0.5),
    ("repetitivo", -0.4),
    ("repetitiva", -0.4),
    ("decepcionante", -0.6),
    ("lento", -0.4),
    ("lenta", -0.4),
    ("pesimo", -0.8),
    ("pesima", -0.8),
    ("claro", 0.2),
    ("clara", 0.2),
    ("claramente", 0.2),
    ("util", 0.5),
    ("utiles", 0.5),
    ("practico", 0.3),
    ("practica", 0.1),
    // Greetings ("buenas tardes", "buenos días") and fillers: not opinions.
    ("buenas", 0.0),
    ("buenos", 0.0),
    ("hola", 0.0),
    ("saludos", 0.0),
    ("brutal", 0.0),
    ("regular", -0.2),
    ("perdida", -0.5),
];

/// Words that negate the next few words (to the end of the clause).
pub(crate) const NEGATORS: &[&str] = &[
    "no", "nunca", "jamas", "ni", "tampoco", "sin", "nadie", "ningun", "ninguna", "ninguno", "nada",
];

/// Intensifiers (×) and diminishers (× < 1) of the next polarity word, or of the word just
/// before when they follow it ("me gustó mucho").
pub(crate) const MODIFIERS: &[(&str, f32)] = &[
    ("muy", 1.5),
    ("super", 1.5),
    ("mucho", 1.3),
    ("mucha", 1.3),
    ("muchisimo", 1.8),
    ("muchisima", 1.8),
    ("bastante", 1.2),
    ("demasiado", 1.4),
    ("demasiada", 1.4),
    ("tan", 1.3),
    ("realmente", 1.3),
    ("totalmente", 1.4),
    ("sumamente", 1.6),
    ("extremadamente", 1.7),
    ("increiblemente", 1.6),
    ("tremendamente", 1.6),
    ("mega", 1.5),
    ("re", 1.3),
    ("poco", 0.5),
    ("poca", 0.5),
    ("algo", 0.6),
    ("apenas", 0.4),
    ("medio", 0.6),
    ("ligeramente", 0.6),
    ("casi", 0.6),
];

/// Polarity of laughter tokens (`jaja`, `jajaja`, `jeje`, `xd`, `lol`).
pub(crate) const LAUGH: f32 = 0.4;

/// Emoji and their polarity (edupulse's own list; variation selectors are ignored).
pub(crate) fn emoji(c: char) -> Option<f32> {
    Some(match c {
        '😀' | '😃' | '😄' | '😁' | '😊' | '🙂' | '☺' => 0.6,
        '😍' | '🥰' | '😘' | '❤' | '💙' | '💚' | '💜' | '💯' | '🤩' => 0.8,
        '👏' | '🙌' | '👍' | '💪' | '🔥' | '✨' | '⭐' | '🌟' | '🎉' | '✅' | '🤗' => {
            0.6
        }
        '😂' | '🤣' | '😆' | '😅' | '😉' => 0.4,
        '😒' | '🙄' | '😕' | '🙁' | '☹' | '😞' | '😔' | '😟' | '😴' | '🥱' => {
            -0.6
        }
        '😡' | '😠' | '🤬' | '👎' | '💩' | '😤' | '❌' => -0.8,
        '😢' | '😭' | '😩' | '😫' | '💔' => -0.6,
        _ => return None,
    })
}

/// Whether `w` (accent-free, lower case) is laughter: `jaja…`, `jeje…`, `jiji…`, `jsjs…`, `xd`,
/// `lol`.
pub(crate) fn is_laugh(w: &str) -> bool {
    if matches!(w, "xd" | "xdd" | "xddd" | "lol" | "jaj" | "jej") {
        return true;
    }
    let b = w.as_bytes();
    b.len() >= 4
        && b.chunks(2).all(|p| match p {
            [a, v] => (*a == b'j') && matches!(v, b'a' | b'e' | b'i' | b's'),
            [a] => *a == b'j',
            _ => false,
        })
}

/// A fast hasher for short keys (FxHash's multiply-rotate; the keys are fixed lexicon entries,
/// so hash flooding is not a concern).
#[derive(Default, Clone, Copy)]
pub(crate) struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
}

/// A `HashMap` with [`Fx`].
pub(crate) type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fx>>;

/// What a whole word is, for the scorer (one lookup per word).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Role {
    /// Negates the next words.
    Negator,
    /// Scales the next (or the previous) polarity word.
    Modifier(f32),
    /// `pero` / `sino`: starts the clause that counts most.
    Contrast,
    /// An own word with its polarity (0: known, no opinion).
    Word(f32),
    /// A Spanish stop word without polarity.
    StopEs,
    /// An English stop word (for the low-coverage flag).
    StopEn,
}

/// The loaded lexicon.
pub(crate) struct Lexicon {
    /// Stem → polarity in [−1, 1].
    pub stems: FxMap<Box<str>, f32>,
    /// Every prefix (≥ 3 bytes) of an ASCII stem → the stem's polarity when the prefix is a stem
    /// itself: a word's longest stem is found walking up from its shortest allowed prefix,
    /// stopping at the first prefix no stem starts with (one lookup for most words).
    pub prefixes: FxMap<Box<str>, Option<f32>>,
    /// Whole word → role (negators, modifiers, own words, stop words).
    pub roles: FxMap<Box<str>, Role>,
}

/// Accent-free lower case of a word, appended to `out` (á→a, ü→u, ñ→n, ç→c).
pub(crate) fn normalize_into(word: &str, out: &mut String) {
    if word.is_ascii() {
        let start = out.len();
        out.push_str(word);
        if let Some(tail) = out.get_mut(start..) {
            tail.make_ascii_lowercase();
        }
        return;
    }
    for c in word.chars().flat_map(char::to_lowercase) {
        out.push(match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c => c,
        });
    }
}

fn load() -> Lexicon {
    // The embedded files are fixed; a parse failure would leave an empty list, which the unit
    // tests catch (`lexicon_is_loaded`).
    let mut stems: FxMap<Box<str>, f32> = serde_json::from_str::<HashMap<String, f64>>(SENTICON)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k.into_boxed_str(), v.clamp(-1.0, 1.0) as f32))
        .collect();
    let afinn: HashMap<String, f64> = serde_json::from_str(AFINN).unwrap_or_default();
    for (k, v) in afinn {
        if !AFINN_SKIP.contains(&k.as_str()) {
            stems
                .entry(k.into_boxed_str())
                .or_insert((v / 5.0).clamp(-1.0, 1.0) as f32);
        }
    }
    for k in DOMAIN_NEUTRAL {
        stems.remove(*k);
    }
    let norm = |w: &str| {
        let mut s = String::new();
        normalize_into(w, &mut s);
        s.into_boxed_str()
    };
    // Later inserts win: stop words < own words < modifiers < negators < contrast.
    let mut roles: FxMap<Box<str>, Role> = FxMap::default();
    for w in crate::content::text::STOP_WORDS_EN {
        roles.insert(norm(w), Role::StopEn);
    }
    for w in crate::content::text::STOP_WORDS_ES {
        roles.insert(norm(w), Role::StopEs);
    }
    for &(w, v) in OWN_WORDS {
        roles.insert(norm(w), Role::Word(v));
    }
    for &(w, f) in MODIFIERS {
        roles.insert(norm(w), Role::Modifier(f));
    }
    for w in NEGATORS {
        roles.insert(norm(w), Role::Negator);
    }
    for w in ["pero", "sino"] {
        roles.insert(norm(w), Role::Contrast);
    }
    let mut prefixes: FxMap<Box<str>, Option<f32>> = FxMap::default();
    for (k, &v) in stems.iter().filter(|(k, _)| k.is_ascii()) {
        for end in 3..k.len() {
            prefixes.entry(k[..end].into()).or_insert(None);
        }
        prefixes.insert(k.clone(), Some(v));
    }
    Lexicon {
        stems,
        prefixes,
        roles,
    }
}

/// The lexicon, loaded on first use.
pub(crate) fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(load)
}

impl Lexicon {
    /// The polarity of a normalized word from the stems: the longest matching one.
    pub fn polarity(&self, w: &str) -> Option<f32> {
        let n = w.len();
        if n < 3 || !w.is_ascii() {
            return if n >= 3 {
                self.stems.get(w).copied()
            } else {
                None
            };
        }
        // Three-letter stems (`con`, `des`, `par`…) would match half the language: they only
        // match words of up to four letters.
        let min = if n <= 4 {
            (n - 1).max(3)
        } else {
            n.saturating_sub(5).max(4)
        };
        let mut best = None;
        for k in min..=n {
            match self.prefixes.get(&w[..k]) {
                None => break,
                Some(Some(v)) => best = Some(*v),
                Some(None) => {}
            }
        }
        best
    }
}
