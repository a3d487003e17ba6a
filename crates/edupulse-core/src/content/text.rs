//! Words of a sentence or a transcript block: lower-cased letter runs (Spanish accents kept),
//! English and Spanish stop words removed, a light plural stem (`-es`/`-s`), as sparse
//! term-frequency vectors over one vocabulary.

use std::collections::HashMap;

/// English stop words (the usual function words, after the SMART / Snowball lists).
pub const STOP_WORDS_EN: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "either",
    "else",
    "etc",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "gets",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "let",
    "like",
    "may",
    "me",
    "might",
    "more",
    "most",
    "much",
    "must",
    "my",
    "myself",
    "need",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "often",
    "on",
    "once",
    "one",
    "only",
    "or",
    "other",
    "others",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "per",
    "rather",
    "really",
    "same",
    "say",
    "says",
    "see",
    "shall",
    "she",
    "should",
    "since",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "thing",
    "things",
    "this",
    "those",
    "though",
    "through",
    "thus",
    "to",
    "too",
    "two",
    "under",
    "until",
    "up",
    "upon",
    "us",
    "use",
    "used",
    "uses",
    "using",
    "very",
    "want",
    "was",
    "way",
    "we",
    "well",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yes",
    "yet",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "okay",
    "ok",
    "yeah",
    "going",
    "know",
    "right",
    "actually",
    "um",
    "uh",
    "gonna",
    "make",
    "made",
    "many",
    "new",
    "first",
    "given",
    "given",
    "three",
    "non",
];

/// Spanish stop words (function words and the fillers of spoken Spanish).
pub const STOP_WORDS_ES: &[&str] = &[
    "a", "al", "algo", "algunas", "algunos", "ante", "antes", "aquel", "aquella", "aquello",
    "aqui", "aquí", "así", "asi", "aun", "aún", "bien", "bueno", "cada", "casi", "como", "cómo",
    "con", "contra", "cual", "cuál", "cuales", "cuando", "cuándo", "de", "del", "desde", "donde",
    "dónde", "dos", "durante", "el", "él", "ella", "ellas", "ello", "ellos", "en", "entonces",
    "entre", "era", "eran", "eres", "es", "esa", "esas", "ese", "eso", "esos", "esta", "está",
    "estaba", "estamos", "están", "estar", "estas", "estás", "este", "esto", "estos", "estoy",
    "fue", "fueron", "ha", "había", "habían", "han", "hasta", "hay", "hace", "hacer", "la", "las",
    "le", "les", "lo", "los", "más", "mas", "me", "mi", "mis", "mismo", "mucho", "muchos", "muy",
    "nada", "ni", "no", "nos", "nosotros", "nuestra", "nuestro", "o", "os", "otra", "otras",
    "otro", "otros", "para", "pero", "poco", "por", "porque", "pues", "que", "qué", "quien",
    "quién", "se", "sea", "según", "ser", "si", "sí", "sido", "siempre", "sin", "sobre", "solo",
    "sólo", "son", "su", "sus", "también", "tambien", "tan", "tanto", "te", "tener", "tengo",
    "tiene", "tienen", "todo", "todos", "tu", "tú", "tus", "un", "una", "uno", "unos", "unas",
    "usted", "ustedes", "va", "vamos", "van", "ver", "vez", "y", "ya", "yo", "vale", "okey",
    "ahora", "luego", "puede", "pueden", "cosa", "cosas", "gente", "verdad", "digamos", "sea",
    "tipo", "acá", "allí", "ahí", "mientras", "cuanto", "cuánto", "estas", "sino", "ser",
];

/// Whether `w` (lower case) is an English or Spanish stop word.
pub fn is_stop_word(w: &str) -> bool {
    use std::sync::OnceLock;
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| STOP_WORDS_EN.iter().chain(STOP_WORDS_ES).copied().collect())
        .contains(w)
}

/// A lower-case vowel with an acute accent without it (`á` → `a`); any other character as is.
pub(crate) fn unaccent_vowel(c: char) -> char {
    match c {
        'á' => 'a',
        'é' => 'e',
        'í' => 'i',
        'ó' => 'o',
        'ú' => 'u',
        c => c,
    }
}

/// The light stem of a lower-case word: plural `-es` after a consonant cluster and `-s` dropped
/// (`lessons` → `lesson`, `funciones` → `funcion`, accents on the last vowel removed).
pub fn stem(w: &str) -> String {
    let mut s: String = w.chars().map(unaccent_vowel).collect();
    let n = s.chars().count();
    if n > 5 && (s.ends_with("ones") || s.ends_with("ses") || s.ends_with("ches")) {
        s.truncate(s.len() - 2);
    } else if n > 3 && s.ends_with('s') && !s.ends_with("ss") && !s.ends_with("us") {
        s.truncate(s.len() - 1);
    }
    s
}

/// Content words of `text`: (stem, surface form), in order.
pub fn words(text: &str) -> impl Iterator<Item = (String, String)> + '_ {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 3)
        .map(|w| w.to_lowercase())
        .filter(|w| !is_stop_word(w))
        .map(|w| (stem(&w), w))
}

/// A vocabulary and sparse term-frequency vectors (sorted by term id, L2-normalised).
#[derive(Debug, Default)]
pub(crate) struct Vectors {
    pub ids: HashMap<String, u32>,
    /// Most frequent surface form per term id, with its count.
    pub surface: Vec<HashMap<String, u32>>,
    pub rows: Vec<Vec<(u32, f32)>>,
    /// Raw counts per row (for key terms).
    pub counts: Vec<Vec<(u32, u32)>>,
}

impl Vectors {
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vectors {
        let mut v = Vectors::default();
        for t in texts {
            let mut tf: HashMap<u32, u32> = HashMap::new();
            for (st, surf) in words(t) {
                let next = v.ids.len() as u32;
                let id = *v.ids.entry(st).or_insert(next);
                if id == next {
                    v.surface.push(HashMap::new());
                }
                *v.surface[id as usize].entry(surf).or_insert(0) += 1;
                *tf.entry(id).or_insert(0) += 1;
            }
            let mut c: Vec<(u32, u32)> = tf.into_iter().collect();
            c.sort_unstable();
            v.counts.push(c);
        }
        // tf·idf over the rows (a word in every row weighs 0), L2-normalised.
        let mut df = vec![0u32; v.ids.len()];
        for c in &v.counts {
            for &(k, _) in c {
                df[k as usize] += 1;
            }
        }
        let n = v.counts.len() as f32;
        v.rows = v
            .counts
            .iter()
            .map(|c| {
                let w: Vec<(u32, f32)> = c
                    .iter()
                    .map(|&(k, t)| (k, t as f32 * (n / df[k as usize] as f32).ln()))
                    .collect();
                let norm = w.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt().max(1e-12);
                w.into_iter().map(|(k, x)| (k, x / norm)).collect()
            })
            .collect();
        v
    }

    /// Cosine similarity of rows `a` and `b` (0 when either is empty).
    pub fn cosine(&self, a: usize, b: usize) -> f32 {
        let (x, y) = (&self.rows[a], &self.rows[b]);
        let (mut i, mut j, mut s) = (0, 0, 0.0f32);
        while i < x.len() && j < y.len() {
            match x[i].0.cmp(&y[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    s += x[i].1 * y[j].1;
                    i += 1;
                    j += 1;
                }
            }
        }
        s
    }

    /// The most frequent surface form of term `id`.
    pub fn surface_of(&self, id: u32) -> String {
        self.surface[id as usize]
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(s, _)| s.clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_and_english_stop_words_and_stems() {
        let w: Vec<String> = words("Las funciones de la clase y the lessons of Python")
            .map(|x| x.0)
            .collect();
        assert_eq!(w, ["funcion", "clase", "lesson", "python"]);
    }
}
