//! The demo's report opened in headless Chromium, in Spanish and in English: it loads with no
//! console message (the page runs no script, so any console line is the browser rejecting
//! something, e.g. an SVG attribute `NaN`), and in the DOM Chromium built every `<section>` has
//! an `<svg>` that draws something or a `<table>` with a body row. The page of the latest webinar
//! (`webinars/<file>.html`, written by `Report::write`) is opened the same way: no console
//! message, its sections in the DOM, its per-minute chart drawn.
//!
//! Chromium comes from `$EDUPULSE_CHROMIUM` (set by `scripts/with-chromium.sh`, which installs the
//! Debian package `chromium` when it is missing) or the `PATH`. Without it the test fails with a
//! named error when `CI=true` and is skipped, saying why, otherwise. `EDUPULSE_REPORT_KEEP=DIR`
//! keeps the pages, the dumped DOMs and a screenshot of each language in `DIR`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use edupulse_report::Lang;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one Chromium run may take before the test gives up on it.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(60);

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("EDUPULSE_CHROMIUM") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Some(p);
        }
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Run headless Chromium on `page` with `extra` arguments; returns (stdout, stderr).
fn chromium(bin: &Path, profile: &Path, page: &Path, extra: &[&str]) -> (String, String) {
    let mut cmd = Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(format!("file://{}", page.display()));
    // Output to files: a DOM larger than a pipe's buffer would block Chromium while we wait.
    let out_path = profile.with_extension("stdout");
    let err_path = profile.with_extension("stderr");
    cmd.stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"));
    let mut child = cmd.spawn().expect("start chromium");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            break status;
        }
        if started.elapsed() > CHROMIUM_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish {} in {CHROMIUM_TIMEOUT:?}",
                page.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    let (stdout, stderr) = (read(&out_path), read(&err_path));
    assert!(
        status.success(),
        "chromium failed on {}: {status}\n{stderr}",
        page.display()
    );
    (stdout, stderr)
}

/// The console lines Chromium logged for `page` (`…:CONSOLE:…] "message", source: file://…`).
fn console_lines<'a>(stderr: &'a str, page: &Path) -> Vec<&'a str> {
    let name = page.file_name().and_then(|n| n.to_str()).unwrap_or("");
    stderr
        .lines()
        .filter(|l| l.contains("CONSOLE") && l.contains(name))
        .collect()
}

#[test]
fn the_demo_report_loads_in_headless_chromium_with_data_in_every_section() {
    let Some(bin) = find_chromium() else {
        let why = "Chromium not found (no $EDUPULSE_CHROMIUM, no chromium on PATH); run the tests \
                   through scripts/with-chromium.sh, which installs the Debian package `chromium`";
        if in_ci() {
            panic!("CI=true: {why}");
        }
        eprintln!("skipped: {why}");
        return;
    };
    let started = Instant::now();
    let report = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(common::demo_report());
    let tmp = tempfile::tempdir().unwrap();
    let keep = std::env::var_os("EDUPULSE_REPORT_KEEP").map(PathBuf::from);
    let dir = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir).unwrap();
    let profile = tmp.path().join("profile");

    // The probe first: a page the browser must complain about, so a silent log format change
    // cannot make this test pass without checking anything.
    let canary = dir.join("canary.html");
    std::fs::write(
        &canary,
        "<!doctype html><html><body><svg><rect width=\"NaN\" height=\"1\"/></svg></body></html>",
    )
    .unwrap();
    let (_, stderr) = chromium(&bin, &profile, &canary, &["--dump-dom"]);
    assert!(
        !console_lines(&stderr, &canary).is_empty(),
        "chromium logged no console line for an invalid SVG attribute: cannot check the report\n{stderr}"
    );

    for lang in Lang::ALL {
        let page = dir.join(format!("report-{lang}.html"));
        std::fs::write(&page, report.to_html(lang)).unwrap();
        let (dom, stderr) = chromium(&bin, &profile, &page, &["--dump-dom"]);
        let console = console_lines(&stderr, &page);
        assert!(
            console.is_empty(),
            "{lang}: console messages:\n{}",
            console.join("\n")
        );
        if keep.is_some() {
            std::fs::write(dir.join(format!("dom-{lang}.html")), &dom).unwrap();
            let shot = format!(
                "--screenshot={}",
                dir.join(format!("report-{lang}.png")).display()
            );
            chromium(&bin, &profile, &page, &[&shot, "--window-size=1280,1600"]);
        }
        assert!(
            dom.contains(&format!("<html lang=\"{}\">", lang.code())),
            "{lang}: the DOM does not say its language"
        );
        let sections = common::sections(&dom);
        assert!(
            sections.len() >= 10,
            "{lang}: {} sections in the DOM",
            sections.len()
        );
        for s in &sections {
            assert!(
                common::has_chart_or_table(s),
                "{lang}: section `{}` has neither a chart nor a table in the browser's DOM",
                common::section_id(s)
            );
        }
    }
    // The latest webinar's page, as `Report::write` writes it (beside report.html).
    let written = report.write(&dir, Lang::Es).unwrap();
    let page = written.pages.first().expect("a webinar page").clone();
    let (dom, stderr) = chromium(&bin, &profile, &page, &["--dump-dom"]);
    let console = console_lines(&stderr, &page);
    assert!(
        console.is_empty(),
        "webinar page: console messages:\n{}",
        console.join("\n")
    );
    if keep.is_some() {
        let shot = format!("--screenshot={}", dir.join("webinar-es.png").display());
        chromium(&bin, &profile, &page, &[&shot, "--window-size=1280,1600"]);
    }
    assert!(
        dom.contains("<html lang=\"es\">"),
        "webinar page: no language"
    );
    let sections = common::sections(&dom);
    let ids: Vec<&str> = sections.iter().map(|s| common::section_id(s)).collect();
    for want in ["funnel", "engagement", "comments", "terms"] {
        assert!(
            ids.contains(&want),
            "webinar page: no `{want}` section in {ids:?}"
        );
    }
    let engagement = sections
        .iter()
        .find(|s| common::section_id(s) == "engagement")
        .unwrap();
    assert!(
        engagement.contains("<polyline") || engagement.contains("<circle"),
        "webinar page: the per-minute chart draws no sentiment"
    );
    assert!(common::has_chart_or_table(engagement));
    eprintln!(
        "browser check of both languages in {:.1?}",
        started.elapsed()
    );
}
