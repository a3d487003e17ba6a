//! The Spanish polarity lexicon and the word lists of the scorer.
//!
//! The polarity stems are the `senticon` (7,064 stems, [−1, 1]) and `afinn` (663 stems, [−5, 5],
//! scaled by 1/5 where senticon has no entry) lists of the MIT-licensed npm package
//! `@nlpjs/lang-es` 4.26.1, embedded unchanged (see `lexicon/SOURCE.md`). Their keys are
//! accent-free Snowball-style stems; a word is matched to the **longest stem that is a prefix of
//! it** (at most 5 letters shorter than the word; three-letter stems only for words of up to four letters), which works the same
//! with and without the accents chat users drop. The short lists below (negators, intensifiers,
//! diminishers, laughter, emoji, a few chat words the lexicon lacks) are edupulse's own.

use std::collections::{HashMap, HashSet};
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

/// The loaded lexicon.
pub(crate) struct Lexicon {
    /// Stem → polarity in [−1, 1].
    pub stems: HashMap<String, f32>,
    /// Own whole words → polarity.
    pub words: HashMap<&'static str, f32>,
    /// Negators.
    pub negators: HashSet<&'static str>,
    /// Modifiers → factor.
    pub modifiers: HashMap<&'static str, f32>,
    /// Spanish stop words, accent-free.
    pub stop_es: HashSet<String>,
    /// English stop words that are not Spanish words too (for the low-coverage flag).
    pub stop_en: HashSet<&'static str>,
}

/// Accent-free lower case of a word, appended to `out` (á→a, ü→u, ñ→n, ç→c).
pub(crate) fn normalize_into(word: &str, out: &mut String) {
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
    let mut stems: HashMap<String, f32> = serde_json::from_str::<HashMap<String, f64>>(SENTICON)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, v.clamp(-1.0, 1.0) as f32))
        .collect();
    let afinn: HashMap<String, f64> = serde_json::from_str(AFINN).unwrap_or_default();
    for (k, v) in afinn {
        if !AFINN_SKIP.contains(&k.as_str()) {
            stems.entry(k).or_insert((v / 5.0).clamp(-1.0, 1.0) as f32);
        }
    }
    for k in DOMAIN_NEUTRAL {
        stems.remove(*k);
    }
    let stop_es: HashSet<String> = crate::content::text::STOP_WORDS_ES
        .iter()
        .map(|w| {
            let mut s = String::new();
            normalize_into(w, &mut s);
            s
        })
        .collect();
    let stop_en = crate::content::text::STOP_WORDS_EN
        .iter()
        .copied()
        .filter(|w| !stop_es.contains(*w))
        .collect();
    Lexicon {
        stems,
        words: OWN_WORDS.iter().copied().collect(),
        negators: NEGATORS.iter().copied().collect(),
        modifiers: MODIFIERS.iter().copied().collect(),
        stop_es,
        stop_en,
    }
}

/// The lexicon, loaded on first use.
pub(crate) fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(load)
}

impl Lexicon {
    /// The polarity of a normalized word: an own word, else the longest matching stem.
    pub fn polarity(&self, w: &str) -> Option<f32> {
        if let Some(&v) = self.words.get(w) {
            return Some(v);
        }
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
            n - 1
        } else {
            n.saturating_sub(5).max(4)
        };
        (min..=n)
            .rev()
            .find_map(|k| self.stems.get(&w[..k]).copied())
    }
}
