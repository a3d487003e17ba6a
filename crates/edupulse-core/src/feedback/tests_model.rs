//! Tests of the trainable sentiment model (tiny inputs; the evaluation on real tweets is
//! `make bench-feedback`).

use super::model::{SentimentModel, SentimentModelParams};

const POS: &[&str] = &[
    "me encantó la clase",
    "muy útil, gracias",
    "excelente explicación",
    "genial, aprendí mucho",
    "la mejor sesión 👏",
    "súper claro todo",
    "gracias, muy buena clase",
    "me gustó mucho",
];
const NEG: &[&str] = &[
    "no me gustó",
    "muy aburrido",
    "pésimo audio",
    "una pérdida de tiempo",
    "no se entendió nada",
    "malísima la conexión 😡",
    "confuso y lento",
    "no lo recomiendo",
];
const NEU: &[&str] = &[
    "¿a qué hora empieza?",
    "¿dónde está el enlace?",
    "hola desde Lima",
    "¿se graba la sesión?",
    "buenas tardes a todos",
    "¿cuándo es la próxima?",
    "estoy conectado",
    "¿hay material?",
];

fn data() -> (Vec<&'static str>, Vec<&'static str>) {
    let mut texts = Vec::new();
    let mut labels = Vec::new();
    for (set, label) in [(POS, "positive"), (NEG, "negative"), (NEU, "neutral")] {
        for t in set {
            texts.push(*t);
            labels.push(label);
        }
    }
    (texts, labels)
}

#[test]
fn fits_three_labels_predicts_and_round_trips() {
    let (texts, labels) = data();
    for lexicon in [true, false] {
        let params = SentimentModelParams {
            lexicon,
            ..SentimentModelParams::default()
        };
        let m = SentimentModel::fit(&texts, &labels, &params).unwrap();
        assert_eq!(m.classes(), ["negative", "neutral", "positive"]);
        let fitted = m.predict(&texts).unwrap();
        let right = fitted.iter().zip(&labels).filter(|(a, b)| a == b).count();
        assert!(
            right >= 22,
            "{right} of 24 training texts (lexicon {lexicon})"
        );
        let new = ["¿a qué hora es?", "me encantó, gracias", "no me gustó nada"];
        assert_eq!(
            m.predict(&new).unwrap(),
            ["neutral", "positive", "negative"],
            "lexicon {lexicon}"
        );
        let p = m.predict_proba(&new).unwrap();
        assert_eq!(p.len(), 9);
        for row in p.chunks(3) {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        }
        let json = serde_json::to_string(&m).unwrap();
        let back: SentimentModel = serde_json::from_str(&json).unwrap();
        assert_eq!(back.predict_proba(&new).unwrap(), p);
        // Empty text and a 200 kB text are scored like any other.
        let long = "muy bueno ".repeat(20_000);
        let odd = m.predict_proba(&["", "   ", long.as_str()]).unwrap();
        assert!(odd.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn bad_input_and_parameters_are_named() {
    let (texts, labels) = data();
    let p = SentimentModelParams::default();
    let e = SentimentModel::fit(&texts[..3], &labels[..2], &p).unwrap_err();
    assert!(e.to_string().contains("2 labels for 3 texts"), "{e}");
    let mut bad = labels.clone();
    bad[4] = " ";
    let e = SentimentModel::fit(&texts, &bad, &p).unwrap_err();
    assert_eq!(e.location().unwrap().row, Some(5));
    assert_eq!(e.location().unwrap().table, "labels");
    let e = SentimentModel::fit(&texts[..8], &labels[..8], &p).unwrap_err();
    assert!(e.to_string().contains("at least 2 distinct labels"), "{e}");
    let mut q = p.clone();
    q.solver.l2 = -1.0;
    let e = SentimentModel::fit(&texts, &labels, &q).unwrap_err();
    assert!(e.to_string().contains("solver.l2"), "{e}");
    for (q, name) in [
        (
            SentimentModelParams {
                hash_bits: 30,
                ..p.clone()
            },
            "hash_bits",
        ),
        (
            SentimentModelParams {
                char_ngram_max: 1,
                char_ngram_min: 2,
                ..p.clone()
            },
            "char_ngram_max",
        ),
        (
            SentimentModelParams {
                word_ngrams: 3,
                ..p.clone()
            },
            "word_ngrams",
        ),
    ] {
        let e = SentimentModel::fit(&texts, &labels, &q).unwrap_err();
        assert!(e.to_string().contains(name), "{e}");
    }
    let e = serde_json::from_str::<SentimentModelParams>(r#"{"hash_bitz": 12}"#).unwrap_err();
    assert!(e.to_string().contains("hash_bitz"), "{e}");
}

/// The allocation-free featuriser gives the rows of the one it replaced (a `String` per token,
/// kept in `features_reference`), so a model fitted on either predicts the same probabilities.
#[test]
fn featuriser_rows_and_probabilities_are_unchanged() {
    use edupulse_learn::{SparseLogistic, SparseRows};
    let (texts, labels) = data();
    let awkward = [
        "No me GUSTÓ, nada 😡 @ana https://t.co/x ¡Genial!",
        "WWW.ejemplo.com http HTTP://x @ @@ a",
        "Ñandú über straße İstanbul ǅemal Αθήνα привет 日本語 abc123",
        "e\u{301}xito ❤️👍🏽 ?!¿¡ :) ... no, no no sin nada",
        "",
        "  \t ",
        "x",
    ];
    let params = SentimentModelParams::default();
    let f = params.featurizer();
    let narrow = SentimentModelParams {
        word_ngrams: 1,
        negation: false,
        char_ngram_min: 1,
        char_ngram_max: 8,
        ..SentimentModelParams::default()
    }
    .featurizer();
    for t in texts.iter().chain(&awkward) {
        assert_eq!(f.row(t), super::features_reference::row(&f, t), "{t:?}");
        assert_eq!(
            narrow.row(t),
            super::features_reference::row(&narrow, t),
            "{t:?}"
        );
    }
    let rows = |xs: &[&str]| {
        let mut x = SparseRows::new(f.n_cols());
        for t in xs {
            x.push_row(super::features_reference::row(&f, t)).unwrap();
        }
        x
    };
    let classes = ["negative", "neutral", "positive"];
    let y: Vec<usize> = labels
        .iter()
        .map(|l| classes.iter().position(|c| c == l).unwrap())
        .collect();
    let before = SparseLogistic::fit(&rows(&texts), &y, 3, &params.solver).unwrap();
    let after = SentimentModel::fit(&texts, &labels, &params).unwrap();
    let p_before = before.predict_proba(&rows(&awkward)).unwrap();
    let p_after = after.predict_proba(&awkward).unwrap();
    assert_eq!(p_before.len(), p_after.len());
    for (a, b) in p_before.iter().zip(&p_after) {
        assert!((a - b).abs() <= 1e-12, "{a} vs {b}");
    }
}

#[test]
fn model_files_round_trip_and_broken_ones_are_named_errors() {
    let (texts, labels) = data();
    let params = SentimentModelParams {
        hash_bits: 12,
        ..SentimentModelParams::default()
    };
    let m = SentimentModel::fit(&texts, &labels, &params).unwrap();
    let json = m.to_json().unwrap();
    let back = SentimentModel::from_json(&json).unwrap();
    assert_eq!(back, m);
    assert_eq!(
        back.predict_proba(&["me encantó"]).unwrap(),
        m.predict_proba(&["me encantó"]).unwrap()
    );
    // Each broken file names what is wrong (and never panics on use).
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let broken = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v = v.clone();
        edit(&mut v);
        SentimentModel::from_json(&v.to_string())
            .unwrap_err()
            .to_string()
    };
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "model.coef",
            Box::new(|v| v["model"]["coef"].as_array_mut().unwrap().truncate(1)),
        ),
        (
            "model.intercept",
            Box::new(|v| v["model"]["intercept"] = serde_json::json!([0.0])),
        ),
        (
            "model.n_classes",
            Box::new(|v| v["classes"] = serde_json::json!(["a", "b"])),
        ),
        (
            "classes",
            Box::new(|v| v["classes"] = serde_json::json!(["a", "a", "b"])),
        ),
        (
            "model.n_cols",
            Box::new(|v| v["params"]["hash_bits"] = serde_json::json!(13)),
        ),
        (
            "model.columns",
            Box::new(|v| {
                let c = v["model"]["columns"].as_array_mut().unwrap();
                c.reverse();
            }),
        ),
        (
            "model.temperature",
            Box::new(|v| v["model"]["temperature"] = serde_json::json!(0.0)),
        ),
        (
            "params",
            Box::new(|v| v["params"]["word_ngrams"] = serde_json::json!(7)),
        ),
        (
            "not a sentiment model file",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("model");
            }),
        ),
    ];
    for (want, edit) in &cases {
        let err = broken(edit.as_ref());
        assert!(
            err.contains("sentiment_model") && err.contains(want),
            "{want}: {err}"
        );
    }
    let err = SentimentModel::from_json("{\"params\": 1").unwrap_err();
    assert!(
        err.to_string().contains("not a sentiment model file"),
        "{err}"
    );
    let err = err.in_file("m.json").to_string();
    assert!(err.starts_with("m.json: "), "{err}");
}
