//! The demo's report rendered in both languages, checked without a browser: every section shows
//! a chart or a table, the page says its language, numbers are finite, the JSON reads back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use edupulse_report::Lang;

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_report_has_data_in_every_section_in_both_languages() {
    let t = std::time::Instant::now();
    let report = common::demo_report().await;
    eprintln!("demo report built in {:.1?}", t.elapsed());
    for lang in Lang::ALL {
        let html = report.to_html(lang);
        assert!(
            html.starts_with(&format!("<!doctype html>\n<html lang=\"{}\">", lang.code())),
            "{lang}"
        );
        let sections = common::sections(&html);
        assert!(sections.len() >= 10, "{lang}: {} sections", sections.len());
        for s in &sections {
            assert!(
                common::has_chart_or_table(s),
                "{lang}: section `{}` has neither a chart nor a table",
                common::section_id(s)
            );
        }
        for bad in ["NaN", "inf\"", "undefined"] {
            assert!(!html.contains(bad), "{lang}: `{bad}` in the page");
        }
    }
    let es = report.to_html(Lang::Es);
    let en = report.to_html(Lang::En);
    for (text, lang) in [
        ("<h2>Riesgo de abandono", &es),
        ("mié", &es),
        ("Notificaciones", &es),
        ("<h2>Churn risk", &en),
        ("Wed", &en),
        ("Notifications", &en),
    ] {
        assert!(lang.contains(text), "`{text}` missing");
    }
    assert!(!es.contains("<h2>Churn risk") && !en.contains("<h2>Riesgo de abandono"));

    let dir = tempfile::tempdir().unwrap();
    let written = report.write(dir.path(), Lang::En).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&written.json).unwrap()).unwrap();
    assert_eq!(
        json["churn"]["scores"].as_array().map(Vec::len),
        Some(report.churn.scores.len())
    );
    assert!(std::fs::read_to_string(&written.html)
        .unwrap()
        .contains("<html lang=\"en\">"));
}

#[tokio::test]
async fn an_empty_store_is_a_named_error() {
    let store = edupulse_store::memory::MemoryStore::new();
    let err = edupulse_report::Report::build(&store, None)
        .await
        .expect_err("no run");
    assert!(err.to_string().contains("no run yet"), "{err}");
}
