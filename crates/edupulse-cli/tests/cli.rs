//! End-to-end tests of the `edupulse` binary: the demo, idempotent re-runs, and bad input.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn edupulse(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_edupulse"))
        .args(args)
        .output()
        .expect("run edupulse")
}

/// The last stdout line, parsed as the JSON summary.
fn summary(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|e| panic!("last line is not JSON ({e}): {stdout}"))
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn demo_writes_everything_and_a_rerun_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let d = dir.to_str().unwrap();
    let first = edupulse(&["demo", "--dir", d, "--students", "300", "--seed", "5"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let s1 = summary(&first);
    assert_eq!(s1["ok"], true);
    for f in [
        "edupulse.db",
        "notifications.jsonl",
        "report.html",
        "report.json",
    ] {
        assert!(dir.join(f).exists(), "{f} missing");
    }
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        html.contains("<html lang=\"es\">")
            && html.contains("<svg")
            && html.contains("Embudo")
            && html.contains("Previsión de ingresos"),
        "the demo's report is not the Spanish one with charts"
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert!(report["kpis"]["funnel"]
        .as_array()
        .is_some_and(|f| !f.is_empty()));
    // The same run in English, and a language the report does not speak.
    let url = format!("sqlite://{}", dir.join("edupulse.db").display());
    let en_dir = tmp.path().join("en");
    let en = edupulse(&[
        "report",
        "--store",
        &url,
        "--out",
        en_dir.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert!(
        en.status.success(),
        "{}",
        String::from_utf8_lossy(&en.stderr)
    );
    assert_eq!(summary(&en)["lang"], "en");
    let html = std::fs::read_to_string(en_dir.join("report.html")).unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("Funnel"));
    // The webinar pages, through SQLite: as many as the summary says, each linked and English.
    let pages: Vec<_> = std::fs::read_dir(en_dir.join("webinars"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!pages.is_empty());
    assert_eq!(summary(&en)["webinar_pages"], pages.len());
    assert_eq!(s1["report"]["webinar_pages"], pages.len());
    for p in &pages {
        let name = p.file_name().unwrap().to_str().unwrap();
        assert!(
            html.contains(&format!("href=\"webinars/{name}\"")),
            "{name} not linked"
        );
    }
    let page = std::fs::read_to_string(&pages[0]).unwrap();
    assert!(
        page.contains("<html lang=\"en\">") && page.contains("Messages and sentiment per minute")
    );
    let fr = edupulse(&["report", "--store", &url, "--out", d, "--lang", "fr"]);
    assert_eq!(fr.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&fr.stderr).contains("`es` or `en`"));
    // The weekly report: files in both formats, and the digest went through the outbox once.
    let wk_dir = tmp.path().join("weekly");
    let wk = edupulse(&[
        "weekly",
        "--store",
        &url,
        "--out",
        wk_dir.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    assert!(
        wk.status.success(),
        "{}",
        String::from_utf8_lossy(&wk.stderr)
    );
    let week = summary(&wk)["week"].as_str().unwrap().to_string();
    let html = std::fs::read_to_string(wk_dir.join(format!("weekly-{week}.html"))).unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("weekly report"));
    let digest: Value = serde_json::from_str(
        &std::fs::read_to_string(wk_dir.join(format!("weekly-{week}.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(digest["week"], week.as_str());
    assert!(digest["biggest_misses"]
        .as_array()
        .is_some_and(|m| m.len() <= 3));
    let bad = edupulse(&["weekly", "--store", &url, "--out", d, "--week", "2025-13"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("week"));
    let sent = lines(&dir.join("notifications.jsonl"));
    assert!(!sent.is_empty(), "the demo delivered no notification");
    assert_eq!(
        sent.iter().filter(|l| l.contains("\"weekly:")).count(),
        1,
        "one weekly report per ISO week"
    );
    assert!(s1["counts"]["students"].as_u64().unwrap() == 300);

    let second = edupulse(&["demo", "--dir", d, "--students", "300", "--seed", "5"]);
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
    let s2 = summary(&second);
    assert_eq!(s1["counts"], s2["counts"], "a re-run changed row counts");
    assert_eq!(
        s2["ingest"]["written"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum::<u64>(),
        0,
        "a re-ingest wrote rows"
    );
    assert_eq!(
        sent,
        lines(&dir.join("notifications.jsonl")),
        "a re-run delivered again"
    );
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

#[test]
fn bad_csv_exits_1_naming_file_row_and_column_and_ingests_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", tmp.path().join("s.db").display());
    let good_purchases = "customer_id,at,amount\nc1,2025-01-01T10:00:00Z,10\n";
    let cases: [(&str, &str, &[&str]); 5] = [
        (
            "purchases.csv",
            "customer_id,at,amount\nc1,2025-01-01,10\nc2,2025-13-01,5\n",
            &["purchases.csv", "row 2", "`at`"],
        ),
        (
            "reviews.csv",
            "student_id,card_id,at,rating\ns1,c1,2025-01-01T00:00:00Z,7\n",
            &["reviews.csv", "row 1", "`rating`"],
        ),
        (
            "purchases.csv",
            "customer_id,at,amount\nc1,2025-01-01,-3\n",
            &["purchases.csv", "row 1", "`amount`"],
        ),
        (
            "students.csv",
            "student_id,email,name,industry,role,enrolled_at\n",
            &["students.csv", "`company_size`", "missing"],
        ),
        ("leads.csv", "", &["leads.csv", "empty"]),
    ];
    for (file, text, needles) in cases {
        let dir = tempfile::tempdir().unwrap();
        // A good table beside the bad one: nothing of the run may be ingested.
        if file != "purchases.csv" {
            write(dir.path(), "purchases.csv", good_purchases);
        }
        write(dir.path(), file, text);
        let out = edupulse(&["ingest", "--store", &url, dir.path().to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{file}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        for n in needles {
            assert!(err.contains(n), "{file}: `{n}` not in: {err}");
        }
        assert_eq!(summary(&out)["ok"], false);
    }
    // Nothing was ingested by any failed run.
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "purchases.csv", good_purchases);
    let out = edupulse(&["ingest", "--store", &url, dir.path().to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!(
        summary(&out)["written"]["purchases"],
        1,
        "a failed ingest had left rows behind"
    );
}

#[test]
fn run_needs_a_valid_date_and_report_needs_a_run() {
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", tmp.path().join("s.db").display());
    let out = edupulse(&["run", "--store", &url, "--as-of", "2025-02-30"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--as-of"));
    // --timezone: an unknown zone is bad input naming `job.timezone`; a date is the end of that
    // local day (30 March 2025 in Madrid is CEST, UTC+2).
    let run_tz = |tz: &str| {
        edupulse(&[
            "run",
            "--store",
            &url,
            "--as-of",
            "2025-03-30",
            "--steps",
            "kpis",
            "--timezone",
            tz,
        ])
    };
    let out = run_tz("Europe/Atlantis");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("job.timezone"));
    let out = run_tz("Europe/Madrid");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(summary(&out)["as_of"], "2025-03-30T21:59:59Z");
    let tmp = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", tmp.path().join("s.db").display());
    let out = edupulse(&[
        "report",
        "--store",
        &url,
        "--out",
        tmp.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no run yet"));
    let out = edupulse(&["ingest", "--store", "ftp://x", tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
}

/// The issue's acceptance check: after a demo, plain SQL on the `_latest` view gives the risk
/// levels the JSON summary reports; `run --steps` replaces only those steps' tables; `schema`
/// lists every table with typed columns.
#[test]
fn results_are_typed_sql_tables_and_partial_runs_keep_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let d = dir.to_str().unwrap();
    let out = edupulse(&["demo", "--dir", d, "--students", "250", "--seed", "9"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = summary(&out);
    let levels = s["run"]["steps"]["churn"]["summary"]["risk_levels"]
        .as_object()
        .unwrap()
        .clone();
    let db = rusqlite::Connection::open(dir.join("edupulse.db")).unwrap();
    let mut stmt = db
        .prepare("select risk_level, count(*) from churn_scores_latest group by 1")
        .unwrap();
    let got: std::collections::BTreeMap<String, u64> = stmt
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let want: std::collections::BTreeMap<String, u64> = levels
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(got, want);
    let probability: f64 = db
        .query_row(
            "select avg(probability) from churn_scores_latest",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(probability > 0.0 && probability < 1.0);

    // A partial run: only the KPI tables are rewritten; the rest stay.
    let url = format!("sqlite://{}", dir.join("edupulse.db").display());
    let as_of = s["as_of"].as_str().unwrap().to_string();
    let count = |table: &str| -> i64 {
        db.query_row(&format!("select count(*) from {table}"), [], |r| r.get(0))
            .unwrap()
    };
    let before = (count("churn_scores"), count("kpi_funnel"));
    let part = edupulse(&["run", "--store", &url, "--as-of", &as_of, "--steps", "kpis"]);
    assert!(
        part.status.success(),
        "{}",
        String::from_utf8_lossy(&part.stderr)
    );
    let p = summary(&part);
    assert_eq!(p["ok"], true);
    assert_eq!(
        p["run"]["steps"].as_object().unwrap().len(),
        12, // kpis, review_schedule, trends, churn, leads, demand, experiments, certify, forecast,
        // content, community, feedback
        "summaries kept"
    );
    // The demo ran the community step: a points ledger and both leaderboards.
    assert!(count("community_points_latest") > 0);
    let periods: i64 = db
        .query_row(
            "select count(distinct period) from community_leaderboard_latest",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(periods, 2);
    assert_eq!((count("churn_scores"), count("kpi_funnel")), before);
    // The demo ran the forecast step: 30 days of revenue with ordered bands.
    let bad_bands: i64 = db
        .query_row(
            "select count(*) from revenue_forecast_latest where not (lo_95 <= lo_80 and lo_80 <= mean and mean <= hi_80 and hi_80 <= hi_95)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!((count("revenue_forecast_latest"), bad_bands), (30, 0));
    let bad = edupulse(&[
        "run",
        "--store",
        &url,
        "--as-of",
        &as_of,
        "--steps",
        "kpis,astrology",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("astrology"));

    let schema = summary(&edupulse(&["schema"]));
    let tables = schema["tables"].as_array().unwrap();
    let scores = tables
        .iter()
        .find(|t| t["table"] == "churn_scores")
        .unwrap();
    let prob = scores["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "probability")
        .unwrap();
    assert_eq!(prob["type"], "float");
    assert!(tables.len() >= 20);
}

/// Issue 16: `ingest --from TOOL` on the importer fixtures (idempotent; a bad export ingests
/// nothing), and a Spanish-locale Excel CSV with `--date-format`.
#[test]
fn ingest_from_tools_and_spanish_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", tmp.path().join("e.db").display());
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../edupulse-core/src/import/testdata");
    let p = |n: &str| data.join(n).display().to_string();
    let zoom = [
        "ingest",
        "--store",
        &db,
        "--from",
        "zoom",
        &p("zoom_registrants.csv"),
        &p("zoom_participants.csv"),
    ];
    let first = summary(&edupulse(&zoom));
    assert_eq!(first["written"]["registrations"], 4, "{first}");
    let again = summary(&edupulse(&zoom));
    assert_eq!(again["written"]["registrations"], 0, "{again}");
    // A participant who left before joining: exit 1, named, nothing written.
    let bad = tmp.path().join("participants.csv");
    write(
        tmp.path(),
        "participants.csv",
        "User Email,Join Time,Leave Time\nnew@example.es,03/15/2025 10:30:00 AM,03/15/2025 10:00:00 AM\n",
    );
    let out = edupulse(&[
        "ingest",
        "--store",
        &db,
        "--from",
        "zoom",
        &p("zoom_registrants.csv"),
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("Leave Time") && e.contains("before the join"),
        "{e}"
    );
    let stripe = summary(&edupulse(&[
        "ingest",
        "--store",
        &db,
        "--from",
        "stripe",
        "--currency",
        "EUR",
        &p("stripe_payments.csv"),
    ]));
    assert_eq!(stripe["written"]["purchases"], 4, "{stripe}");
    let es = tmp.path().join("es");
    std::fs::create_dir_all(&es).unwrap();
    write(
        &es,
        "purchases.csv",
        "\u{feff}customer_id;at;amount;currency\nc9;01/03/2025;1234,5;EUR\n",
    );
    let d = es.to_str().unwrap();
    let out = edupulse(&["ingest", "--store", &db, d]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--date-format"));
    let ok = summary(&edupulse(&[
        "ingest",
        "--store",
        &db,
        "--date-format",
        "%d/%m/%Y",
        d,
    ]));
    assert_eq!(ok["written"]["purchases"], 1, "{ok}");
}

#[test]
fn forecast_reads_a_csv_and_names_bad_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("daily.csv");
    let mut csv = String::from("ds,y\n");
    let d0 = chrono::NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
    for i in 0..120i64 {
        let v = 10.0 + (i % 7) as f64 + 0.1 * ((i * 31) % 5) as f64;
        csv.push_str(&format!("{},{v}\n", d0 + chrono::Duration::days(i)));
    }
    std::fs::write(&path, &csv).unwrap();
    let p = path.to_str().unwrap();
    let out = edupulse(&[
        "forecast",
        p,
        "--horizon",
        "7",
        "--backtest",
        "2",
        "--params",
        r#"{"calibration_origins": 3}"#,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = summary(&out);
    assert_eq!(s["forecast"].as_array().unwrap().len(), 7);
    assert_eq!(s["forecast"][0]["date"], "2025-05-06");
    assert!(s["forecast"][0]["lo_95"].as_f64() <= s["forecast"][0]["lo_80"].as_f64());
    assert_eq!(s["backtest"].as_array().unwrap().len(), 2);
    assert!(s["backtest"][0]["mase"].as_f64().unwrap() > 0.0);
    // A duplicate date: exit 1, the file, row and column named.
    csv.push_str("2025-01-08,3.0\n");
    std::fs::write(&path, &csv).unwrap();
    let bad = edupulse(&["forecast", p]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("daily.csv") && err.contains("row 121") && err.contains("`date`"),
        "{err}"
    );
    let unknown = edupulse(&["forecast", p, "--params", r#"{"horizn": 3}"#]);
    assert_eq!(unknown.status.code(), Some(1));
}

/// A 21-minute recording on three topics, one 5-second cue per sentence.
fn transcript_csv() -> String {
    let topics = [
        "Python functions take arguments and return values",
        "Las redes neuronales aprenden pesos con descenso de gradiente",
        "Marketing emails bring students to the webinar",
    ];
    let mut s = String::from("content_id,start_s,end_s,text\n");
    for (k, topic) in topics.iter().enumerate() {
        for i in 0..84 {
            let t = 5.0 * (84 * k + i) as f64;
            s.push_str(&format!("w1,{t},{},{topic}\n", t + 5.0));
        }
    }
    s
}

#[test]
fn chapters_from_a_transcript_file_or_a_store() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    write(&data, "transcript_segments.csv", &transcript_csv());
    let csv = data.join("transcript_segments.csv");
    let out = tmp.path().join("ch");
    let o = edupulse(&[
        "chapters",
        "--transcript",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(summary(&o)["lessons"], 3);
    let vtt = std::fs::read_to_string(out.join("w1.vtt")).unwrap();
    assert!(vtt.starts_with("WEBVTT"), "{vtt}");
    assert!(vtt.contains("00:07:00.000 --> 00:14:00.000"), "{vtt}");
    // The same from a store, as SubRip.
    let db = format!("sqlite://{}", tmp.path().join("e.db").display());
    let o = edupulse(&["ingest", "--store", &db, data.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = edupulse(&[
        "chapters",
        "--store",
        &db,
        "--format",
        "srt",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let srt = std::fs::read_to_string(out.join("w1.srt")).unwrap();
    assert!(srt.contains("00:07:00,000 --> 00:14:00,000"), "{srt}");
    // Bad input: exit 1 with the reason.
    let o = edupulse(&[
        "chapters",
        "--transcript",
        csv.to_str().unwrap(),
        "--format",
        "mp4",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown chapter format `mp4`"));
    write(
        &data,
        "transcript_segments.csv",
        "content_id,start_s,end_s,text\nw1,10,4,reversed\n",
    );
    let o = edupulse(&[
        "chapters",
        "--transcript",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("transcript_segments") && err.contains("reversed segment"),
        "{err}"
    );
}

#[test]
fn sentiment_of_a_feedback_file_and_bad_rows_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("feedback.csv");
    std::fs::write(
        &csv,
        "feedback_id,webinar_id,person_id,at,kind,text,rating\n\
         f1,w1,p1,2025-03-04T17:05:00Z,chat,\"¡Me encantó, muy útil!\",\n\
         f2,w1,p2,2025-03-04T17:09:00Z,chat,\"No me gustó, muy lento\",\n\
         f3,w1,p3,2025-03-05T09:00:00Z,survey,Hola desde Lima,3\n",
    )
    .unwrap();
    let out = tmp.path().join("scores.csv");
    let o = edupulse(&[
        "sentiment",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = summary(&o);
    assert_eq!(s["rows"], 3);
    assert_eq!(s["labels"]["positive"], 1);
    assert_eq!(s["labels"]["negative"], 1);
    let written = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(
        lines[0],
        "feedback_id,webinar_id,kind,score,label,low_coverage,truncated"
    );
    assert!(lines[1].starts_with("f1,w1,chat,") && lines[1].contains(",positive,"));
    assert!(lines[2].contains(",negative,"));
    // Non-UTF-8 bytes and a rating out of range: exit 1 naming the row.
    let mut bytes = b"feedback_id,webinar_id,person_id,at,kind,text,rating\n".to_vec();
    bytes.extend_from_slice(b"f1,w1,p1,2025-03-04T17:05:00Z,chat,buen\xff\xfeo,\n");
    std::fs::write(&csv, bytes).unwrap();
    let o = edupulse(&[
        "sentiment",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("row 1"), "{err}");
    std::fs::write(
        &csv,
        "feedback_id,webinar_id,person_id,at,kind,text,rating\nf1,w1,p1,2025-03-04T17:05:00Z,survey,ok,9\n",
    )
    .unwrap();
    let o = edupulse(&[
        "sentiment",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("rating") && err.contains("row 1"), "{err}");
}

#[test]
fn sentiment_of_lines_a_csv_column_and_a_trained_model() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |name: &str| tmp.path().join(name);
    let s = |path: &std::path::Path| path.to_str().unwrap().to_string();
    // One text per line (a file; stdin is the same reader).
    std::fs::write(
        p("lines.txt"),
        "¡Me encantó, muy útil!\r\nNo me gustó nada\n\n",
    )
    .unwrap();
    let o = edupulse(&[
        "sentiment",
        "--lines",
        &s(&p("lines.txt")),
        "--out",
        &s(&p("a.csv")),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(summary(&o)["rows"], 3);
    let a = std::fs::read_to_string(p("a.csv")).unwrap();
    let lines: Vec<&str> = a.lines().collect();
    assert_eq!(lines[0], "index,score,label,low_coverage,truncated");
    assert!(lines[1].starts_with("0,") && lines[1].contains(",positive,"));
    assert!(lines[2].starts_with("1,") && lines[2].contains(",negative,"));
    assert!(lines[3].starts_with("2,0.000000,neutral,"));
    // Train on a labelled CSV, then score a column with the model.
    let mut train = String::from("id,comentario,etiqueta\n");
    let rows = [
        ("me encantó la clase", "pos"),
        ("muy útil, gracias", "pos"),
        ("excelente explicación", "pos"),
        ("genial, aprendí mucho", "pos"),
        ("no me gustó", "neg"),
        ("muy aburrido", "neg"),
        ("pésimo audio", "neg"),
        ("una pérdida de tiempo", "neg"),
    ];
    for (i, (t, l)) in rows.iter().enumerate() {
        train.push_str(&format!("{i},\"{t}\",{l}\n"));
    }
    std::fs::write(p("train.csv"), &train).unwrap();
    let args = |label: &str, out: &str| {
        vec![
            "sentiment".to_string(),
            "train".into(),
            "--labels".into(),
            s(&p("train.csv")),
            "--text-column".into(),
            "comentario".into(),
            "--label-column".into(),
            label.into(),
            "--out".into(),
            s(&p(out)),
        ]
    };
    let run = |v: Vec<String>| edupulse(&v.iter().map(String::as_str).collect::<Vec<_>>());
    let o = run(args("etiqueta", "model.json"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(summary(&o)["classes"], serde_json::json!(["neg", "pos"]));
    let o = edupulse(&[
        "sentiment",
        &s(&p("train.csv")),
        "--text-column",
        "comentario",
        "--model",
        &s(&p("model.json")),
        "--out",
        &s(&p("b.csv")),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let b = std::fs::read_to_string(p("b.csv")).unwrap();
    let lines: Vec<&str> = b.lines().collect();
    assert_eq!(lines[0], "index,score,label,p_neg,p_pos");
    assert!(
        lines[1].starts_with("0,,pos,") && lines[5].starts_with("4,,neg,"),
        "{b}"
    );
    let probs: Vec<f64> = lines[1]
        .split(',')
        .skip(3)
        .map(|x| x.parse().unwrap())
        .collect();
    assert!((probs.iter().sum::<f64>() - 1.0).abs() < 1e-5 && probs[1] > 0.5);
    // Named errors: a missing column, a bad model file, non-UTF-8 bytes on a line.
    let o = run(args("label", "m2.json"));
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no column `label`") && err.contains("train.csv"),
        "{err}"
    );
    std::fs::write(p("bad.json"), "{\"weights\": 1}").unwrap();
    let o = edupulse(&[
        "sentiment",
        "--lines",
        &s(&p("lines.txt")),
        "--model",
        &s(&p("bad.json")),
        "--out",
        &s(&p("c.csv")),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad.json"));
    std::fs::write(p("lines.txt"), b"ok\nbuen\xffo\n").unwrap();
    let o = edupulse(&[
        "sentiment",
        "--lines",
        &s(&p("lines.txt")),
        "--out",
        &s(&p("a.csv")),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("line 2"));
}

/// A model trained and saved in Python (`SentimentModel.save`, fixture written as
/// `tests/data/README.md` says) scores in the CLI with Python's own probabilities; a model file
/// whose weights do not fit its classes is exit 1 naming the file and the field.
#[test]
fn sentiment_scores_with_a_model_saved_by_python() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("scores.csv");
    let model = data.join("python_sentiment_model.json");
    let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let o = edupulse(&[
        "sentiment",
        "--lines",
        &s(&data.join("sentiment_lines.txt")),
        "--model",
        &s(&model),
        "--out",
        &s(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let parse = |text: &str| -> Vec<Vec<String>> {
        text.lines()
            .skip(1)
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect()
    };
    let cli_text = std::fs::read_to_string(&out).unwrap();
    assert!(
        cli_text.starts_with("index,score,label,p_negative,p_positive\n"),
        "{cli_text}"
    );
    let cli = parse(&cli_text);
    let py = parse(&std::fs::read_to_string(data.join("python_sentiment_scores.csv")).unwrap());
    assert_eq!(cli.len(), py.len());
    assert_eq!(cli.len(), 5);
    let f = |x: &str| x.parse::<f64>().unwrap();
    for (c, p) in cli.iter().zip(&py) {
        assert_eq!(c[2], p[0], "label");
        assert!((f(&c[3]) - f(&p[1])).abs() < 1e-6, "{c:?} vs {p:?}");
        assert!((f(&c[4]) - f(&p[2])).abs() < 1e-6, "{c:?} vs {p:?}");
        // The score is P(positive) − P(negative).
        assert!((f(&c[1]) - (f(&p[2]) - f(&p[1]))).abs() < 2e-6, "{c:?}");
    }
    // Weights cut short: a named error, not a crash.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    doc["model"]["coef"].as_array_mut().unwrap().truncate(3);
    let broken = tmp.path().join("broken.json");
    std::fs::write(&broken, doc.to_string()).unwrap();
    let o = edupulse(&[
        "sentiment",
        "--lines",
        &s(&data.join("sentiment_lines.txt")),
        "--model",
        &s(&broken),
        "--out",
        &s(&out),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("broken.json") && err.contains("model.coef"),
        "{err}"
    );
}
