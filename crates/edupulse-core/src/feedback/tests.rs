use super::lexicon::lexicon;
use super::*;

fn s(text: &str) -> f64 {
    score(text).score
}

fn label(text: &str) -> SentimentLabel {
    score(text).label
}

#[test]
fn lexicon_is_loaded() {
    let lex = lexicon();
    assert!(lex.stems.len() > 7_000, "{} stems", lex.stems.len());
    assert_eq!(lex.stems.get("excelent").copied(), Some(0.75));
}

#[test]
fn polarity_words_and_accents() {
    use SentimentLabel::*;
    assert_eq!(label("Excelente explicación"), Positive);
    assert_eq!(label("excelente explicacion"), Positive);
    assert_eq!(label("Me encantó el webinar"), Positive);
    assert_eq!(label("El audio es horrible"), Negative);
    assert_eq!(label("Muy aburrido"), Negative);
    assert_eq!(label("Hola desde Quito"), Neutral);
    assert_eq!(label("Buenas tardes desde Madrid"), Neutral);
    // Accents dropped score the same.
    assert_eq!(s("Me gustó"), s("me gusto"));
}

#[test]
fn negation_flips_within_its_clause() {
    assert!(s("me gustó") > 0.1);
    assert!(s("no me gustó") < -0.1, "{}", s("no me gustó"));
    assert!(s("no está mal") > 0.0);
    // The clause ends at the comma: "genial" is not negated.
    assert!(s("no lo sabía, genial") > 0.1);
    // Three words of scope.
    assert!(s("no sé si al final me gustó") > 0.0);
}

#[test]
fn intensifiers_and_diminishers_scale() {
    let base = s("es útil");
    assert!(s("es muy útil") > base);
    assert!(s("es poco útil") < base);
    assert!(s("me gustó mucho") > s("me gustó"));
    assert!(s("buenísimo") > s("bueno"));
}

#[test]
fn emoji_laughter_and_exclamation() {
    assert!(s("👏👏") > 0.1);
    assert!(s("😡") < -0.1);
    assert!(s("jajaja") > 0.1);
    assert!(s("jajajaja xd") > s("jaja"));
    assert!(s("Genial!!!") > s("Genial"));
    assert!(s("gracias :)") > s("gracias"));
    assert!(s("otra vez :(") < 0.0);
}

#[test]
fn contrast_weights_the_clause_after_pero() {
    assert!(s("Buen contenido pero el audio horrible") < 0.0);
    assert!(s("El audio horrible pero buen contenido") > 0.0);
}

#[test]
fn empty_and_whitespace_are_neutral() {
    for t in ["", "   ", "\n\t", "123 456", "?!"] {
        let r = score(t);
        assert_eq!(r.score, 0.0, "{t:?}");
        assert_eq!(r.label, SentimentLabel::Neutral);
        assert!(!r.low_coverage);
    }
}

#[test]
fn scores_stay_in_range() {
    let long = "excelente ".repeat(5_000);
    let bad = "horrible ".repeat(5_000);
    assert!(s(&long) <= 1.0 && s(&long) > 0.9);
    assert!(s(&bad) >= -1.0 && s(&bad) < -0.9);
}

#[test]
fn a_ten_megabyte_cell_is_truncated_not_slow() {
    let big = "muy buena sesión ñandú ".repeat(10_000_000 / 23 + 1);
    assert!(big.len() >= 10_000_000);
    let r = score(&big);
    assert!(r.truncated);
    assert!(r.words < 20_000, "{}", r.words);
    assert_eq!(r.label, SentimentLabel::Positive);
    // A cut inside a multi-byte character is moved back to its boundary.
    let multi = "ñ".repeat(MAX_SCORED_BYTES);
    assert!(score(&multi).truncated);
}

#[test]
fn other_languages_are_flagged_low_coverage() {
    let en = score("This webinar was really great, thanks for the examples");
    assert!(en.low_coverage, "{en:?}");
    let es = score("Este webinar fue muy bueno, gracias por los ejemplos");
    assert!(!es.low_coverage, "{es:?}");
    let de = score("Das Webinar war wirklich sehr schön und lehrreich");
    assert!(de.low_coverage, "{de:?}");
}

#[test]
fn neutral_band_is_configurable_and_validated() {
    let t = "es algo útil";
    let x = s(t);
    assert!(x > 0.0);
    let wide = SentimentParams {
        neutral_band: x + 0.01,
        ..SentimentParams::default()
    };
    assert_eq!(score_with(t, &wide).label, SentimentLabel::Neutral);
    for band in [-0.1, 1.0, f64::NAN] {
        let p = SentimentParams {
            neutral_band: band,
            ..SentimentParams::default()
        };
        let e = score_all(&[t], &p).unwrap_err().to_string();
        assert!(e.contains("neutral_band"), "{e}");
    }
    let p: std::result::Result<SentimentParams, _> = serde_json::from_str(r#"{"band": 0.2}"#);
    assert!(p.is_err(), "unknown keys are errors");
}

mod table {
    use crate::model::{parse_rows, Feedback, Tables};
    use crate::simulate::{simulate_with_truth, SimConfig};

    fn rows(text: &str, rating: Option<&str>) -> Vec<Vec<Option<String>>> {
        vec![vec![
            Some("f1".into()),
            Some("w1".into()),
            Some("p1".into()),
            Some("2025-03-01T18:00:00Z".into()),
            Some("chat".into()),
            Some(text.into()),
            rating.map(str::to_string),
        ]]
    }

    const HEADERS: [&str; 7] = [
        "feedback_id",
        "webinar_id",
        "person_id",
        "at",
        "kind",
        "text",
        "rating",
    ];

    #[test]
    fn bad_rows_are_named_errors() {
        assert!(parse_rows::<Feedback>(&HEADERS, &rows("¡Genial!", Some("5"))).is_ok());
        let e = parse_rows::<Feedback>(&HEADERS, &rows("ok", Some("6")))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("feedback") && e.contains("row 1") && e.contains("rating"),
            "{e}"
        );
        let e = parse_rows::<Feedback>(&HEADERS, &rows("ok", Some("0")))
            .unwrap_err()
            .to_string();
        assert!(e.contains("rating"), "{e}");
        for empty in ["", "   "] {
            let e = parse_rows::<Feedback>(&HEADERS, &rows(empty, None))
                .unwrap_err()
                .to_string();
            assert!(e.contains("row 1") && e.contains("text"), "{e}");
        }
        let mut bad = rows("ok", None);
        bad[0][4] = Some("tweet".into());
        let e = parse_rows::<Feedback>(&HEADERS, &bad)
            .unwrap_err()
            .to_string();
        assert!(e.contains("kind") && e.contains("survey"), "{e}");
    }

    #[test]
    fn rows_built_in_code_are_checked_too() {
        let mut t = Tables::default();
        let mut f = parse_rows::<Feedback>(&HEADERS, &rows("bien", Some("4"))).unwrap();
        f[0].text = " \t".into();
        t.feedback = f;
        let e = t.validate().unwrap_err().to_string();
        assert!(e.contains("feedback") && e.contains("text"), "{e}");
    }

    #[test]
    fn simulated_feedback_follows_the_hidden_satisfaction() {
        let (tables, truth) = simulate_with_truth(&SimConfig {
            students: 150,
            seed: 11,
            ..SimConfig::default()
        })
        .unwrap();
        assert!(tables.feedback.len() > 200, "{}", tables.feedback.len());
        assert_eq!(tables.feedback.len(), truth.feedback.len());
        let polarity: std::collections::HashMap<&str, (i8, f64)> = truth
            .feedback
            .iter()
            .map(|t| (t.feedback_id.as_str(), (t.polarity, t.satisfaction)))
            .collect();
        // The scorer's label agrees with the planted polarity on most lines.
        let (mut agree, mut n) = (0usize, 0usize);
        let (mut hi, mut lo) = (Vec::new(), Vec::new());
        for f in &tables.feedback {
            let (p, sat) = polarity[f.feedback_id.as_str()];
            let got = super::super::score(&f.text);
            let want = match p {
                1 => super::super::SentimentLabel::Positive,
                -1 => super::super::SentimentLabel::Negative,
                _ => super::super::SentimentLabel::Neutral,
            };
            n += 1;
            agree += usize::from(got.label == want);
            if sat > 0.7 {
                hi.push(got.score);
            } else if sat < 0.4 {
                lo.push(got.score);
            }
            if let Some(r) = f.rating {
                assert!((1..=5).contains(&r));
            }
        }
        let acc = agree as f64 / n as f64;
        assert!(acc > 0.8, "agreement {acc:.3} over {n} lines");
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        assert!(
            mean(&hi) > mean(&lo) + 0.1,
            "satisfied {:.3} vs unsatisfied {:.3}",
            mean(&hi),
            mean(&lo)
        );
        // Every feedback row belongs to an attended registration.
        let attended: std::collections::HashSet<(&str, &str)> = tables
            .registrations
            .iter()
            .filter(|r| r.attended)
            .map(|r| (r.webinar_id.as_str(), r.person_id.as_str()))
            .collect();
        assert!(tables
            .feedback
            .iter()
            .all(|f| attended.contains(&(f.webinar_id.as_str(), f.person_id.as_str()))));
    }
}

#[test]
fn prefix_walk_finds_the_longest_stem() {
    let lex = lexicon();
    let brute = |w: &str| {
        let n = w.len();
        let min = if n <= 4 {
            n - 1
        } else {
            n.saturating_sub(5).max(4)
        };
        (min..=n)
            .rev()
            .find_map(|k| lex.stems.get(&w[..k]).copied())
    };
    let mut checked = 0;
    for stem in lex.stems.keys().filter(|k| k.is_ascii() && k.len() >= 3) {
        for suffix in ["", "a", "o", "ado", "amos", "aciones", "x", "es"] {
            let w = format!("{stem}{suffix}");
            assert_eq!(lex.polarity(&w), brute(&w), "{w}");
            checked += 1;
        }
    }
    assert!(checked > 50_000);
}

/// The byte-level scorer with its per-thread word memo gives exactly the raw scores (score, word
/// and coverage counts, flags) of the reference char-by-char scorer it replaced, on random
/// sentences over every kind of token, on awkward Unicode and on simulated feedback.
#[test]
fn fast_scorer_equals_the_reference() {
    use super::lexicon::{MODIFIERS, NEGATORS, OWN_WORDS};
    use super::sentiment::raw_score;
    let lex = lexicon();
    let mut vocab: Vec<String> = [
        ".",
        ",",
        ";",
        ":",
        "?",
        "!",
        "!!",
        "¡",
        "¿",
        "\n",
        ":)",
        ":-)",
        ":D",
        ";P",
        ":(",
        ":-(",
        ":'(",
        ":-x",
        ":",
        "😀",
        "😡",
        "👍🏽",
        "❤️",
        "🚣🏽",
        "jaja",
        "jajaja",
        "JAJA",
        "xd",
        "XD",
        "lol",
        "pero",
        "sino",
        "Pero",
        "the",
        "and",
        "is",
        "Madrid",
        "Quito",
        "GENIAL",
        "MUY",
        "NO",
        "ÚTIL",
        "Útil",
        "útil",
        "buenísimo",
        "BUENÍSIMA",
        "pésimo",
        "Ñandú",
        "año",
        "über",
        "straße",
        "İstanbul",
        "ǅemal",
        "Αθήνα",
        "привет",
        "日本語",
        "abc123def",
        "3",
        "x2",
        "ﬁn",
        "café",
        "CAFÉ",
        "\u{301}",
        "e\u{301}xito",
        "@user",
        "https://t.co/x",
        "#tag",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    vocab.extend(OWN_WORDS.iter().map(|(w, _)| w.to_string()));
    vocab.extend(MODIFIERS.iter().map(|(w, _)| w.to_string()));
    vocab.extend(NEGATORS.iter().map(|w| w.to_string()));
    for (k, stem) in lex.stems.keys().enumerate().filter(|(k, _)| k % 23 == 0) {
        let suffix = ["", "a", "o", "ado", "amos", "isimo", "es"][k % 7];
        let w = format!("{stem}{suffix}");
        vocab.push(match k % 3 {
            0 => w.to_uppercase(),
            1 => {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
            _ => w,
        });
    }
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = |m: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % m as u64) as usize
    };
    let mut texts: Vec<String> = Vec::new();
    for _ in 0..4_000 {
        let len = 1 + next(18);
        let mut t = String::new();
        for _ in 0..len {
            t.push_str(&vocab[next(vocab.len())]);
            t.push_str([" ", " ", " ", "", "  ", "\t"][next(6)]);
        }
        texts.push(t);
    }
    // Words of every length ending the text (the 8-byte reads stop short of the end), long
    // words with a non-ASCII letter or a digit past the first 8 bytes, runs of 8 letters exactly.
    for n in 1..=20 {
        let w: String = "abcdefghijklmnopqrstu".chars().take(n).collect();
        texts.push(format!("no me gustó {w}"));
        texts.push(w.clone());
        texts.push(format!("{w}."));
        texts.push(format!("MUY {}", w.to_uppercase()));
    }
    texts.extend(
        [
            "extraordinariamente útil",
            "Extraordinariamenteñ bueno",
            "buenísimamente-excelentes; aburridisimo",
            "desorganizado desorganizada abcdefgh ABCDEFGH abcdefg9hij",
            "muchísimo increíblemente excelente",
            "excelentes!",
            "zzzzzzzzZ@[`{ aaaaaaaa",
        ]
        .map(String::from),
    );
    // Truncation at a character boundary, and a text of capitals only.
    let mut long = "ñ".repeat(60_000);
    long.push_str(" me encantó");
    texts.extend([
        long,
        "ME ENCANTÓ, NO ME GUSTÓ".into(),
        String::new(),
        " \n ".into(),
    ]);
    let (tables, _) = crate::simulate::simulate_with_truth(&crate::simulate::SimConfig {
        students: 60,
        seed: 5,
        ..crate::simulate::SimConfig::default()
    })
    .unwrap();
    texts.extend(tables.feedback.iter().map(|f| f.text.clone()));
    let mut polar = 0;
    for t in &texts {
        let want = super::reference::raw_score(t);
        assert_eq!(raw_score(t), want, "{t:?}");
        polar += usize::from(want.score != 0.0);
    }
    assert!(polar > texts.len() / 2, "{polar} of {}", texts.len());
    // The batch paths agree with the one-text path.
    let p = SentimentParams::default();
    let all = score_all(&texts, &p).unwrap();
    let cols = score_columns(&texts, &p).unwrap();
    for (k, t) in texts.iter().enumerate() {
        let one = score_with(t, &p);
        assert_eq!(all[k], one);
        assert_eq!(cols.score[k].to_bits(), one.score.to_bits());
        assert_eq!(SentimentLabel::from_code(cols.label[k]), Some(one.label));
        assert_eq!(cols.low_coverage[k], one.low_coverage);
        assert_eq!(cols.truncated[k], one.truncated);
    }
    // Bytes in, the same columns; several blocks over the thread budget (the texts 6 times).
    let many: Vec<&[u8]> = (0..6)
        .flat_map(|_| texts.iter().map(|t| t.as_bytes()))
        .collect();
    let from_bytes = score_columns_bytes(&many, &p).unwrap();
    assert!(many.len() > 2 * 8_192);
    for (k, t) in many.iter().enumerate() {
        let j = k % texts.len();
        assert_eq!(
            from_bytes.score[k].to_bits(),
            cols.score[j].to_bits(),
            "{t:?}"
        );
        assert_eq!(from_bytes.label[k], cols.label[j]);
        assert_eq!(from_bytes.low_coverage[k], cols.low_coverage[j]);
        assert_eq!(from_bytes.truncated[k], cols.truncated[j]);
    }
    // The first text that is not UTF-8 is named, whichever block it is in.
    let mut broken = many.clone();
    broken[9_000] = b"mal\xff";
    broken[20_000] = b"\xc3";
    let e = score_columns_bytes(&broken, &p).unwrap_err().to_string();
    assert!(
        e.contains("texts") && e.contains("index 9000") && e.contains("UTF-8"),
        "{e}"
    );
}

#[test]
fn alphabetic_fast_ranges_agree_with_unicode() {
    for c in ('\u{80}'..='\u{24f}').chain('\u{1f000}'..='\u{1fbff}') {
        assert_eq!(
            super::sentiment::is_alphabetic(c),
            c.is_alphabetic(),
            "{c:?}"
        );
    }
}

/// The memo gives every word's facts as computed directly: short (inline keys) and long words
/// (arena), ASCII and not, on first sight, on a hit, while the table grows and after it starts
/// over at `MEMO_WORDS` words.
#[test]
fn memo_gives_the_facts_of_every_word() {
    use super::words::{Memo, WordInfo, MEMO_WORDS};
    let lex = lexicon();
    let mut buf = String::new();
    let mut memo = Memo::default();
    let stems: Vec<&str> = lex.stems.keys().map(|k| &**k).take(2_000).collect();
    let mut words: Vec<String> = Vec::new();
    for k in 0..MEMO_WORDS + 5_000 {
        let stem = stems[k % stems.len()];
        let w = match k / stems.len() % 6 {
            0 => stem.to_string(),
            1 => format!("{stem}ísimo"),
            2 => stem.to_uppercase(),
            3 => format!("Ñ{stem}s"),
            4 => format!("{stem}{k}x"),
            _ => format!("{}{}", stem.chars().rev().collect::<String>(), k % 97),
        };
        words.push(w);
    }
    words.extend(
        [
            "a",
            "ab",
            "abcdefgh",
            "abcdefghi",
            "ñ",
            "ÑÑÑÑ",
            "xd",
            "no",
            "Pero",
        ]
        .map(String::from),
    );
    assert!(words.iter().any(|w| w.len() <= 8) && words.iter().any(|w| w.len() > 8));
    for round in 0..2 {
        for w in &words {
            assert_eq!(
                memo.get(w),
                WordInfo::of(w, lex, &mut buf),
                "{w} (round {round})"
            );
        }
    }
}
