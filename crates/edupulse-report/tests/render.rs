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
        ("<h2>Webinars: resultados, opiniones y testimonios", &es),
        ("A quién pedir un testimonio", &es),
        ("<h2>Webinars: outcomes, feedback and testimonials", &en),
        ("Who to ask for a testimonial", &en),
        ("<h2>Cuadro de mando: los KPI frente a sus objetivos", &es),
        ("Abandono mensual", &es),
        ("<h2>Scorecard: the KPIs against their targets", &en),
        ("Monthly churn", &en),
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
    assert!(!report.feedback.outcomes.is_empty());
    // The scorecard: every KPI of the window, the missed ones first.
    let card = &report.kpis.scorecard;
    assert!(card.len() >= 10, "{} scorecard rows", card.len());
    let first_other = card.iter().position(|r| r.status != "missed");
    assert!(card
        .iter()
        .skip(first_other.unwrap_or(card.len()))
        .all(|r| r.status != "missed"));
    assert_eq!(
        json["kpis"]["scorecard"].as_array().map(Vec::len),
        Some(card.len())
    );
    assert_eq!(
        json["feedback"]["outcomes"].as_array().map(Vec::len),
        Some(report.feedback.outcomes.len())
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

#[tokio::test(flavor = "multi_thread")]
async fn the_certifications_section_shows_standing_register_and_what_is_missing() {
    use edupulse_core::certify::{CertEligibilityRow, CertIssuedRow, Standing};
    let mut report = common::demo_report().await;
    // The demo configures no certification: no section.
    assert!(report.certify.eligibility.is_empty());
    assert!(!report.to_html(Lang::Es).contains("id=\"certify\""));
    let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    let standing = |student: &str, standing, met, missing: &[&str]| CertEligibilityRow {
        certification_id: "analitica".into(),
        student_id: student.into(),
        standing,
        met,
        required: 3,
        missing: missing.iter().map(|m| m.to_string()).collect(),
        attendance: Some(0.8),
        quizzes: 2,
        lessons: 4,
        retention: None,
    };
    report.certify.eligibility = vec![
        standing("s1", Standing::Eligible, 3, &[]),
        standing("s2", Standing::Close, 2, &["1 more quiz passed"]),
    ];
    let issued = |id: &str, revoked, expiring_soon| CertIssuedRow {
        credential_id: id.into(),
        certification_id: "analitica".into(),
        student_id: "s0".into(),
        status_index: 0,
        valid_from: t("2025-01-01T00:00:00Z"),
        valid_until: Some(t("2026-01-01T00:00:00Z")),
        revoked,
        expiring_soon,
    };
    report.certify.issued = vec![issued("c1", false, true), issued("c2", true, false)];
    report.certify.issued_as_of = Some(t("2025-12-01T00:00:00Z"));
    for (lang, title, missing) in [
        (Lang::Es, "<h2>Certificaciones</h2>", "Falta"),
        (Lang::En, "<h2>Certifications</h2>", "Missing"),
    ] {
        let html = report.to_html(lang);
        let section = common::sections(&html)
            .into_iter()
            .find(|s| common::section_id(s) == "certify")
            .expect("certify section");
        assert!(section.contains(title), "{lang}");
        assert!(common::has_chart_or_table(section), "{lang}");
        assert!(section.contains(missing) && section.contains("1 more quiz passed"));
        // analitica: 1 eligible, 1 close, 1 issued and valid, 1 expiring soon, 1 revoked.
        assert!(
            section.contains(
                "<td>analitica</td><td class=\"num\">1</td><td class=\"num\">1</td>\
                 <td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">1</td>"
            ),
            "{lang}: {section}"
        );
    }
}

/// The webinar pages: one per ended webinar (at most 50), linked from the report's feedback
/// table, each self-contained and in the report's language, with the webinar's comments.
#[tokio::test(flavor = "multi_thread")]
async fn every_recent_webinar_gets_a_page_linked_from_the_report() {
    use edupulse_report::webinar::{file_name, paged, MAX_PAGES};
    let report = common::demo_report().await;
    let fb = &report.feedback;
    assert!(!fb.timeline.is_empty() && !fb.comments.is_empty());
    assert_eq!(fb.conversion_window_days, Some(30));
    let dir = tempfile::tempdir().unwrap();
    let written = report.write(dir.path(), Lang::Es).unwrap();
    assert_eq!(written.pages.len(), fb.outcomes.len().min(MAX_PAGES));
    assert_eq!(written.pages.len(), paged(fb).len());
    let main = std::fs::read_to_string(&written.html).unwrap();
    // The latest webinar with a positive comment: its page quotes it, and the report links it.
    let latest = paged(fb)
        .into_iter()
        .find(|w| fb.comments_of(&w.webinar_id, "positive").next().is_some())
        .expect("a paged webinar with a positive comment");
    let link = format!("href=\"webinars/{}\"", file_name(&latest.webinar_id));
    assert!(main.contains(&link), "{link} missing from report.html");
    let path = dir
        .path()
        .join("webinars")
        .join(file_name(&latest.webinar_id));
    assert!(written.pages.contains(&path));
    let page = std::fs::read_to_string(&path).unwrap();
    assert!(page.starts_with("<!doctype html>\n<html lang=\"es\">"));
    assert!(page.contains("href=\"../report.html\""));
    // Self-contained: no script, no external resource.
    for bad in ["<script", "<link", "src=", "url(", "NaN", "inf\""] {
        assert!(!page.contains(bad), "`{bad}` in the page");
    }
    let positive = fb
        .comments_of(&latest.webinar_id, "positive")
        .next()
        .unwrap();
    let quoted = edupulse_report::html::esc(&positive.text);
    assert!(page.contains(&quoted), "`{quoted}` missing");
    for (lang, heading) in [
        (Lang::Es, "<h2>Los comentarios más positivos</h2>"),
        (Lang::En, "<h2>Most positive comments</h2>"),
    ] {
        let html = report.webinar_html(&latest.webinar_id, lang).unwrap();
        assert!(html.contains(heading), "{lang}");
        // Each section shows a chart, a table or says it has nothing.
        for s in common::sections(&html) {
            assert!(
                common::has_chart_or_table(s) || s.contains("class=\"empty\""),
                "{lang}: section `{}` is empty",
                common::section_id(s)
            );
        }
    }
    let en = report.webinar_html(&latest.webinar_id, Lang::En).unwrap();
    assert!(en.contains("Funnel") && en.contains("Messages and sentiment per minute"));
    assert!(!en.contains("Embudo"));
    assert!(report.webinar_html("no such webinar", Lang::Es).is_none());
}

/// A webinar whose id holds `/` and spaces gets a file inside `webinars/`, and a comment with
/// markup is shown as text.
#[tokio::test(flavor = "multi_thread")]
async fn odd_ids_are_safe_file_names_and_comments_are_escaped() {
    use edupulse_core::feedback::WebinarCommentRow;
    use edupulse_report::webinar::file_name;
    let mut report = common::demo_report().await;
    let mut w = report.feedback.outcomes.last().unwrap().clone();
    w.webinar_id = "../w 1/x y".into();
    w.title = "<b>Título</b> & más".into();
    w.starts_at += chrono::Duration::days(1);
    w.below_floor = true;
    w.attendance_rate = Some(0.2);
    report.feedback.outcomes.push(w.clone());
    report.feedback.comments.push(WebinarCommentRow {
        webinar_id: w.webinar_id.clone(),
        kind: "negative".into(),
        rank: 1,
        feedback_id: "f".into(),
        person_id: "p".into(),
        at: w.starts_at,
        source: "chat".into(),
        text: "<script>alert('x')</script> malo".into(),
        score: -0.5,
        rating: None,
        term: None,
        questions: None,
    });
    report
        .feedback
        .comments
        .sort_by(|a, b| (&a.webinar_id, &a.kind, a.rank).cmp(&(&b.webinar_id, &b.kind, b.rank)));
    let name = file_name(&w.webinar_id);
    assert_eq!(name, "_2E_2E_2Fw_201_2Fx_20y.html");
    let dir = tempfile::tempdir().unwrap();
    let written = report.write(dir.path(), Lang::En).unwrap();
    let path = dir.path().join("webinars").join(&name);
    assert_eq!(
        written.pages.first(),
        Some(&path),
        "the latest webinar first"
    );
    let page = std::fs::read_to_string(&path).unwrap();
    assert!(!page.contains("<script>") && !page.contains("<b>Título"));
    assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; malo"));
    assert!(page.contains("&lt;b&gt;Título&lt;/b&gt; &amp; más"));
    assert!(page.contains("class=\"warn\"") && page.contains("below the 30% floor"));
    let main = std::fs::read_to_string(&written.html).unwrap();
    assert!(main.contains(&format!("<a href=\"webinars/{name}\">&lt;b&gt;Título")));
    // Long ids are cut and hashed; distinct ids keep distinct names.
    let long = "x".repeat(400);
    let a = file_name(&long);
    assert!(a.len() < 200 && a.ends_with(".html"), "{a}");
    assert_ne!(a, file_name(&format!("{long}y")));
    assert_ne!(file_name("a b"), file_name("a_b"));
    assert_ne!(file_name("a_20b"), file_name("a b"));
}
