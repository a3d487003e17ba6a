//! The `edupulse` command: simulate a business, ingest CSV folders, run the daily job, deliver
//! notifications and write the report. The last line printed on stdout is always a JSON summary.
//!
//! Exit codes: 0 success, 1 bad input (the message names file, row and column), 2 any other
//! failure, 3 a run where some steps failed (the other steps' results were written; the summary
//! lists `failed_steps`).

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use edupulse::core::csvio;
use edupulse::core::job::JobConfig;
use edupulse::core::simulate::{simulate, SimConfig};
use edupulse::notify::{
    DispatchConfig, Dispatcher, FileNotifier, Notifier, NotifyConfig, StdoutNotifier,
};
use edupulse::report::{Lang, Report};
use edupulse::{open_store, Error, Store, StoreError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

mod sentiment;

#[derive(Parser, Debug)]
#[command(
    name = "edupulse",
    version,
    about = "Decisions from the data of an online-course and webinar business"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate a business, ingest it into a SQLite file, run the job, deliver notifications to a
    /// file and write the report — all in DIR.
    Demo {
        /// Output folder (created if needed).
        #[arg(long, default_value = "demo-out")]
        dir: PathBuf,
        /// Number of simulated students.
        #[arg(long, default_value_t = 2000)]
        students: usize,
        /// Random seed.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Store URL (default: `sqlite://DIR/edupulse.db`), e.g. `postgres://user@host/db`.
        #[arg(long)]
        store: Option<String>,
    },
    /// Upsert a folder of `<table>.csv` files, or a tool's exports (`--from`), into a store
    /// (all or nothing).
    Ingest {
        /// Store URL: `sqlite://PATH`, `postgres://user:password@host:port/db` or `memory://`.
        #[arg(long)]
        store: String,
        /// Folder holding `<table>.csv` files; with `--from`, the tool's export files:
        /// pytrends `INTEREST.csv [RELATED.csv]`, zoom `REGISTRANTS.csv PARTICIPANTS.csv
        /// [SUMMARY.csv]`, stripe `PAYMENTS.csv...`, crm `CONTACTS.csv [ACTIVITIES.csv]`,
        /// oulad `DIR` (docs/import.md).
        #[arg(required = true, num_args = 1..)]
        paths: Vec<PathBuf>,
        /// Import a tool's exports: `pytrends`, `zoom`, `stripe`, `crm` or `oulad`.
        #[arg(long = "from")]
        from: Option<String>,
        /// Stripe: the currency of the books (default: the first charge's).
        #[arg(long)]
        currency: Option<String>,
        /// Zoom: the account's time zone as minutes east of UTC (Madrid: 60, summer 120).
        #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
        utc_offset_minutes: i32,
        /// pytrends: the region the series was requested for (e.g. `ES`).
        #[arg(long)]
        geo: Option<String>,
        /// CRM: a JSON file mapping the export's columns and activity types (docs/import.md).
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Field delimiter of the CSV files (`,`, `;` or `tab`); default: detected from each
        /// file's header line (Excel in a Spanish locale writes `;`).
        #[arg(long)]
        delimiter: Option<String>,
        /// Decimal mark (`.` or `,`); default: `,` in `;`-separated files, else `.`.
        #[arg(long)]
        decimal: Option<char>,
        /// Format of every date / date-time column (strftime, e.g. `%d/%m/%Y` or
        /// `%d/%m/%Y %H:%M`); default: ISO 8601 only. Day-first dates are never guessed.
        #[arg(long)]
        date_format: Option<String>,
        /// Raise or lower the ceiling of a numeric column: `COLUMN=MAX` or `TABLE.COLUMN=MAX`
        /// (e.g. `purchases.amount=1e15`); repeatable. Defaults: amount, volume, value 1e12;
        /// minutes_watched 1e6.
        #[arg(long = "max-value", value_name = "COLUMN=MAX")]
        max_value: Vec<String>,
    },
    /// Run the daily job as of a date and deliver its notifications.
    Run {
        /// Store URL.
        #[arg(long)]
        store: String,
        /// The run's date (YYYY-MM-DD, end of that local day) or an RFC 3339 instant.
        #[arg(long)]
        as_of: String,
        /// IANA time zone of the business (e.g. `Europe/Madrid`): overrides `[job] timezone`
        /// of the configuration (weekdays, hours, days, months and ISO weeks follow its clock).
        #[arg(long)]
        timezone: Option<String>,
        /// Deliver notifications to this JSON-lines file (default: `notifications.jsonl` beside
        /// a SQLite store, else none).
        #[arg(long)]
        notify_file: Option<PathBuf>,
        /// Also deliver notifications to stdout (before the summary line). Webhooks come from
        /// the config file's `[[notify.webhook]]` entries and from `EDUPULSE_WEBHOOK_URL`
        /// (`EDUPULSE_WEBHOOK_FORMAT`: `slack` or `json`; `EDUPULSE_WEBHOOK_SECRET`).
        #[arg(long)]
        notify_stdout: bool,
        /// Configuration file: `edupulse.toml` with `[job]` and `[notify]` tables (see
        /// docs/configuration.md), or a `.json` job configuration. Default: `$EDUPULSE_CONFIG`.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Run only these steps, comma-separated (e.g. `churn,leads`); their tables are
        /// replaced, the others' are kept. Default: every step.
        #[arg(long, value_delimiter = ',')]
        steps: Option<Vec<String>>,
    },
    /// List every result table with its columns, types and docs (JSON; docs/results.md is the
    /// same list as Markdown).
    Schema,
    /// Forecast a daily series from a CSV file (`date,value` or `ds,y` columns; docs/forecast.md):
    /// prints the method chosen, the forecast with 80 % / 95 % intervals and, with `--backtest N`,
    /// the rolling-origin MASE, sMAPE and coverage over the last N horizons.
    Forecast {
        /// The CSV file: a date column (`date` or `ds`, ISO `YYYY-MM-DD`) and a value column
        /// (`value` or `y`).
        input: PathBuf,
        /// Days to forecast.
        #[arg(long, default_value_t = 30)]
        horizon: usize,
        /// Also evaluate on the last N horizons (refitting before each).
        #[arg(long)]
        backtest: Option<usize>,
        /// `ForecasterParams` as JSON (unknown keys are errors); `--horizon` overrides its horizon.
        #[arg(long)]
        params: Option<String>,
    },
    /// Compute one community table from a store's input tables as of a date and print it as
    /// JSON (docs/community.md): `points`, `badges`, `leaderboard` (`--period month|all_time`),
    /// `participation`, `kpi`, `mentors`, `groups` or `recommendations` (upcoming webinars).
    /// Nothing is written; `run --steps community` writes every community table.
    Community {
        /// `points`, `badges`, `leaderboard`, `participation`, `kpi`, `mentors`, `groups` or
        /// `recommendations`.
        table: String,
        /// Store URL.
        #[arg(long)]
        store: String,
        /// The date (YYYY-MM-DD, end of that day) or an RFC 3339 instant.
        #[arg(long)]
        as_of: String,
        /// Leaderboard period: `month` (to date) or `all_time`.
        #[arg(long, default_value = "month")]
        period: String,
        /// Configuration file (its `[job.community]` section is used), as for `run`.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Print at most this many rows (default: all).
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Write every table of a store to a portable backup file (JSON lines).
    Backup {
        /// Store URL.
        #[arg(long)]
        store: String,
        /// The backup file to write (replaced atomically).
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup file into a store (SQLite or PostgreSQL); restoring twice changes nothing.
    Restore {
        /// Store URL.
        #[arg(long)]
        store: String,
        /// The backup file to read.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
    },
    /// Certificates: generate the issuer key, issue Open Badges 3.0 credentials to eligible
    /// students, verify a credential file, revoke one (see docs/certification.md).
    Certs {
        #[command(subcommand)]
        command: CertsCommand,
    },
    /// Split recordings into 5–10 minute micro-lessons and write one chapter track per
    /// recording (`<content_id>.vtt`, `.srt` or `.json`) from a `transcript_segments` CSV file
    /// or a store's `transcript_segments` table.
    Chapters {
        /// A `transcript_segments` CSV file (content_id, start_s, end_s, text).
        #[arg(long, conflicts_with = "store", required_unless_present = "store")]
        transcript: Option<PathBuf>,
        /// Store URL to read `transcript_segments` from.
        #[arg(long)]
        store: Option<String>,
        /// Output folder (created if needed).
        #[arg(long)]
        out: PathBuf,
        /// `vtt` (WebVTT), `srt` (SubRip) or `json`.
        #[arg(long, default_value = "vtt")]
        format: String,
        /// Shortest micro-lesson, minutes.
        #[arg(long, default_value_t = 5.0)]
        min_minutes: f64,
        /// Longest micro-lesson, minutes.
        #[arg(long, default_value_t = 10.0)]
        max_minutes: f64,
    },
    /// Score the Spanish sentiment of texts with the offline lexicon scorer or a fitted model
    /// (`--model`): a `feedback` CSV file (feedback_id, webinar_id, person_id, at, kind, text,
    /// [rating]; writes `feedback_id,webinar_id,kind,score,label,low_coverage,truncated`), a
    /// column of any CSV (`--text-column`) or one text per line (`--lines`; stdin for `-` or no
    /// file), written to `--out` (docs/feedback.md). `sentiment train` fits a model. Bad rows
    /// (non-UTF-8 bytes, empty text, rating outside 1–5, a missing column) exit 1 naming them.
    Sentiment(sentiment::SentimentArgs),
    /// Write report.html and report.json for the latest run (or `--as-of`).
    Report {
        /// Store URL.
        #[arg(long)]
        store: String,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// The run to report on (default: the latest).
        #[arg(long)]
        as_of: Option<String>,
        /// Language of report.html: `es` (Spanish, the default) or `en`.
        #[arg(long, default_value = "es")]
        lang: String,
    },
    /// Write the weekly report of an ISO week (`weekly-<YYYY-Www>.html` and `.json`): top
    /// keywords, alerts sent, webinars, attendance, conversion, enrolments, completion, churn and
    /// the three biggest KPI misses with their diagnosis. `edupulse run` queues the same digest in
    /// the outbox once per week.
    Weekly {
        /// Store URL.
        #[arg(long)]
        store: String,
        /// Output folder (created if needed).
        #[arg(long)]
        out: PathBuf,
        /// The ISO week, `YYYY-Www` (default: the last complete week before the latest run).
        #[arg(long)]
        week: Option<String>,
        /// Language of the HTML: `es` (the default) or `en`.
        #[arg(long, default_value = "es")]
        lang: String,
        /// Configuration file (its `[job.kpi]` targets are used). Default: `$EDUPULSE_CONFIG`.
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum CertsCommand {
    /// Generate an Ed25519 issuer key into FILE (mode 0600; never overwrites). Prints only the
    /// public key and its did:key verification method.
    Keygen {
        /// The key file to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Issue credentials to every eligible student (the `[certs]` section of the configuration
    /// names the key file, issuer, certifications and output folder; the key may instead come
    /// from `EDUPULSE_CERT_KEY`).
    Issue {
        /// Store URL.
        #[arg(long)]
        store: String,
        /// The date eligibility is judged at (YYYY-MM-DD or RFC 3339).
        #[arg(long)]
        as_of: String,
        /// Configuration file (default `$EDUPULSE_CONFIG`).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Verify a credential file; exit code 1 when it is not valid.
    Verify {
        /// The credential (JSON).
        file: PathBuf,
        /// Status-list credential files its `credentialStatus` points at (matched by `id`);
        /// nothing is fetched.
        #[arg(long = "status-list")]
        status_list: Vec<PathBuf>,
        /// Judge validity at this instant (default: now).
        #[arg(long)]
        now: Option<String>,
    },
    /// Revoke an issued credential (its id, file stem or URL) and re-sign the status list.
    Revoke {
        /// The credential id.
        id: String,
        /// Configuration file (default `$EDUPULSE_CONFIG`).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

/// The environment variable naming the configuration file when `--config` is not given.
const CONFIG_VAR: &str = "EDUPULSE_CONFIG";

/// The configuration file (`edupulse.toml`): the job's parameters and the notification channels.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Settings {
    /// The daily job's parameters.
    job: JobConfig,
    /// Webhooks, rate limits, retries, routing.
    notify: NotifyConfig,
    /// The report (`[report] lang = "es"`).
    report: ReportSettings,
    /// Certificates (`[certs]`).
    certs: edupulse::certs::CertsConfig,
}

/// The `[report]` table of the configuration file.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ReportSettings {
    /// Language of report.html: `es` (the default) or `en`.
    lang: Lang,
}

/// A failure with its exit code.
struct Failure {
    code: i32,
    message: String,
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::Core(_) | Error::Store(StoreError::Validation(_) | StoreError::Url { .. }) => 1,
            _ => 2,
        };
        Failure {
            code,
            message: e.to_string(),
        }
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Error::from(e).into()
    }
}

impl From<edupulse::core::CoreError> for Failure {
    fn from(e: edupulse::core::CoreError) -> Self {
        Error::from(e).into()
    }
}

fn bad_input(message: impl Into<String>) -> Failure {
    Failure {
        code: 1,
        message: message.into(),
    }
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let result = rt.block_on(dispatch(cli.command));
    match result {
        Ok(mut summary) => {
            let failed = summary["failed_steps"]
                .as_array()
                .map_or(0, |steps| steps.len());
            summary["ok"] = json!(failed == 0);
            summary["seconds"] = json!((started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0);
            if failed > 0 {
                summary["exit_code"] = json!(3);
                eprintln!(
                    "error: {failed} step(s) failed: {}; the other steps' results were written",
                    summary["failed_steps"]
                );
            }
            println!("{summary}");
            if failed > 0 {
                std::process::exit(3);
            }
        }
        Err(f) => {
            eprintln!("error: {}", f.message);
            println!(
                "{}",
                json!({"ok": false, "exit_code": f.code, "error": f.message})
            );
            std::process::exit(f.code);
        }
    }
}

async fn dispatch(cmd: Command) -> Result<serde_json::Value, Failure> {
    match cmd {
        Command::Demo {
            dir,
            students,
            seed,
            store,
        } => demo(&dir, students, seed, store.as_deref()).await,
        Command::Chapters {
            transcript,
            store,
            out,
            format,
            min_minutes,
            max_minutes,
        } => chapters_cmd(transcript, store, &out, &format, min_minutes, max_minutes).await,
        Command::Backup { store, out } => {
            let store = open_store(&store).await?;
            let counts = edupulse::backup::backup(store.as_ref(), &out).await?;
            Ok(json!({"command": "backup", "store": store.describe(), "out": out, "rows": counts}))
        }
        Command::Restore { store, input } => {
            let store = open_store(&store).await?;
            let counts = edupulse::backup::restore(store.as_ref(), &input).await?;
            Ok(
                json!({"command": "restore", "store": store.describe(), "in": input, "rows": counts, "counts": store.counts().await?}),
            )
        }
        Command::Ingest {
            store,
            paths,
            from,
            currency,
            utc_offset_minutes,
            geo,
            mapping,
            delimiter,
            decimal,
            date_format,
            max_value,
        } => {
            let options = csvio::CsvOptions {
                delimiter: delimiter.as_deref().map(parse_delimiter).transpose()?,
                decimal,
                date_format,
                limits: parse_limits(&max_value)?,
            };
            options.validate()?;
            let tables = match from {
                None => {
                    let [dir] = paths.as_slice() else {
                        return Err(bad_input(
                            "ingest takes one folder of <table>.csv files (or --from TOOL with \
                             the tool's export files)",
                        ));
                    };
                    csvio::read_dir_opts(dir, &options)?
                }
                Some(tool) => {
                    let crm_mapping = match mapping {
                        None => Default::default(),
                        Some(path) => {
                            let text = std::fs::read_to_string(&path)
                                .map_err(|e| bad_input(format!("{}: {e}", path.display())))?;
                            serde_json::from_str(&text).map_err(|e| {
                                bad_input(format!(
                                    "invalid parameter `--mapping`: {}: {e}",
                                    path.display()
                                ))
                            })?
                        }
                    };
                    let io = edupulse::core::import::ImportOptions {
                        csv: options,
                        currency,
                        utc_offset_minutes,
                        geo,
                        crm_mapping,
                    };
                    edupulse::core::import::import_files(tool.parse()?, &paths, &io)?
                }
            };
            let store = open_store(&store).await?;
            let p = progress("ingest");
            p.set_message(format!("ingest: {} rows", tables.total_rows()));
            let report = store.ingest(&tables).await?;
            p.finish_and_clear();
            Ok(
                json!({"command": "ingest", "store": store.describe(), "received": report.received, "written": report.written}),
            )
        }
        Command::Run {
            store,
            as_of,
            timezone,
            notify_file,
            notify_stdout,
            config,
            steps,
        } => {
            let mut settings = load_settings(config)?;
            if let Some(tz) = timezone {
                settings.job.timezone = tz;
            }
            let clock = settings.job.clock()?;
            let as_of = clock
                .parse_as_of(&as_of)
                .map_err(|e| bad_input(format!("--as-of: {e}")))?;
            let notify_file = notify_file.or_else(|| default_notify_file(&store));
            let store = open_store(&store).await?;
            run(
                store,
                as_of,
                &settings,
                notify_file.as_deref(),
                notify_stdout,
                steps,
            )
            .await
        }
        Command::Certs { command } => certs(command).await,
        Command::Weekly {
            store,
            out,
            week,
            lang,
            config,
        } => {
            let lang: Lang = lang
                .parse()
                .map_err(|e: edupulse::report::Error| bad_input(e.to_string()))?;
            let settings = load_settings(config)?;
            let week = week
                .as_deref()
                .map(edupulse::core::kpi::weekly::parse_week)
                .transpose()
                .map_err(|e| bad_input(e.to_string()))?;
            let store = open_store(&store).await?;
            let report =
                edupulse::job::weekly(store.as_ref(), week, &settings.job.kpi_config()?).await?;
            let io =
                |p: &std::path::Path, e: std::io::Error| bad_input(format!("{}: {e}", p.display()));
            std::fs::create_dir_all(&out).map_err(|e| io(&out, e))?;
            let json_path = out.join(format!("weekly-{}.json", report.week));
            let html_path = out.join(format!("weekly-{}.html", report.week));
            let body =
                serde_json::to_string_pretty(&report).map_err(|e| bad_input(e.to_string()))?;
            std::fs::write(&json_path, body).map_err(|e| io(&json_path, e))?;
            std::fs::write(
                &html_path,
                edupulse::report::weekly::weekly_html(&report, lang),
            )
            .map_err(|e| io(&html_path, e))?;
            Ok(json!({
                "command": "weekly",
                "week": report.week,
                "lang": lang,
                "json": json_path,
                "html": html_path,
                "biggest_misses": report.biggest_misses.iter().map(|r| r.kpi.clone()).collect::<Vec<_>>(),
            }))
        }
        Command::Sentiment(args) => sentiment::run(args),
        Command::Forecast {
            input,
            horizon,
            backtest,
            params,
        } => forecast_file(&input, horizon, backtest, params.as_deref()),
        Command::Community {
            table,
            store,
            as_of,
            period,
            config,
            limit,
        } => {
            let as_of = parse_as_of(&as_of)?;
            let settings = load_settings(config)?;
            let store = open_store(&store).await?;
            community_cmd(store.as_ref(), &table, as_of, &period, &settings, limit).await
        }
        Command::Schema => Ok(json!({
            "command": "schema",
            "tables": edupulse::core::results::catalog().iter().map(|s| json!({
                "table": s.name,
                "step": s.step,
                "doc": s.doc.trim(),
                "key": s.key,
                "columns": s.columns.iter().map(|c| json!({
                    "name": c.name,
                    "type": c.kind.name(),
                    "nullable": c.nullable,
                    "doc": c.doc.trim(),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })),
        Command::Report {
            store,
            out,
            as_of,
            lang,
        } => {
            let lang: Lang = lang
                .parse()
                .map_err(|e: edupulse::report::Error| bad_input(e.to_string()))?;
            let as_of = as_of.as_deref().map(parse_as_of).transpose()?;
            let store = open_store(&store).await?;
            let report = Report::build(store.as_ref(), as_of)
                .await
                .map_err(Error::from)?;
            let written = report.write(&out, lang).map_err(Error::from)?;
            Ok(json!({
                "command": "report",
                "as_of": report.as_of,
                "lang": lang,
                "json": written.json,
                "html": written.html,
                "webinar_pages": written.pages.len(),
                "webinars_dir": (!written.pages.is_empty())
                    .then(|| written.html.with_file_name(edupulse::report::webinar::DIR)),
            }))
        }
    }
}

/// The settings from `--config`, else `$EDUPULSE_CONFIG`, else the defaults; the
/// `EDUPULSE_WEBHOOK_*` variables are laid over them. A `.json` file is a job configuration
/// alone; any other is TOML with `[job]` and `[notify]` tables.
async fn certs(cmd: CertsCommand) -> Result<serde_json::Value, Failure> {
    use edupulse::certs;
    match cmd {
        CertsCommand::Keygen { out } => {
            let key = certs::keygen(&out)?;
            Ok(json!({"command": "certs keygen", "key_file": out,
                "public_key_multibase": key.public_multibase(),
                "verification_method": key.did_key_method()}))
        }
        CertsCommand::Issue {
            store,
            as_of,
            config,
        } => {
            let as_of = parse_as_of(&as_of)?;
            let settings = load_settings(config)?;
            let key = certs::load_key(&settings.certs)?;
            let store = open_store(&store).await?;
            let tables = store.read_all(edupulse::TimeRange::ALL).await?;
            let s = certs::issue(
                &settings.certs,
                &settings.job.certify.certifications,
                &key,
                &tables,
                as_of,
            )?;
            let register = certs::record_issued(store.as_ref(), &settings.certs, as_of).await?;
            Ok(
                json!({"command": "certs issue", "as_of": as_of, "issued": s.issued,
                "already_held": s.already_held, "close": s.close.len(),
                "expiring_soon": s.expiring_soon, "register": register.len(),
                "out_dir": settings.certs.out_dir}),
            )
        }
        CertsCommand::Verify {
            file,
            status_list,
            now,
        } => {
            let now = now.as_deref().map(parse_as_of).transpose()?;
            let v = certs::verify_file(&file, &status_list, now)?;
            let checks: serde_json::Map<String, serde_json::Value> = v
                .checks
                .iter()
                .map(|(c, ok)| (c.as_str().to_string(), json!(ok)))
                .collect();
            let out = json!({"command": "certs verify", "file": file, "valid": v.valid,
                "checks": checks, "error": v.error});
            if v.valid {
                Ok(out)
            } else {
                println!("{out}");
                Err(bad_input(
                    v.error.unwrap_or_else(|| "not valid".to_string()),
                ))
            }
        }
        CertsCommand::Revoke { id, config } => {
            let settings = load_settings(config)?;
            let key = certs::load_key(&settings.certs)?;
            let index = certs::revoke(&settings.certs, &key, &id, chrono::Utc::now())?;
            Ok(
                json!({"command": "certs revoke", "id": id, "status_index": index,
                "status_list": settings.certs.out_dir.join("status-list.json")}),
            )
        }
    }
}

fn load_settings(path: Option<PathBuf>) -> Result<Settings, Failure> {
    let path = path.or_else(|| {
        std::env::var_os(CONFIG_VAR)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    let mut settings = match &path {
        None => Settings::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| bad_input(format!("{}: {e}", path.display())))?;
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            {
                let job: JobConfig = serde_json::from_str(&text).map_err(|e| {
                    bad_input(format!(
                        "{}: {}",
                        path.display(),
                        hide_values(&e.to_string())
                    ))
                })?;
                Settings {
                    job,
                    ..Settings::default()
                }
            } else {
                toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?
            }
        }
    };
    settings.job.validate()?;
    settings
        .notify
        .apply_env(|k| std::env::var(k).ok())
        .map_err(|e| bad_input(e.to_string()))?;
    settings
        .notify
        .validate()
        .map_err(|e| bad_input(e.to_string()))?;
    Ok(settings)
}

/// A TOML error as `FILE: line L: message`, without the quoted source line the parser adds (it
/// could hold a secret) and with quoted values hidden.
fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> Failure {
    let line = e
        .span()
        .and_then(|s| text.get(..s.start))
        .map(|before| before.matches('\n').count() + 1);
    // The key of that line, if it has one (the parser's message names the type, not the key).
    let key = line
        .and_then(|l| text.lines().nth(l - 1))
        .and_then(|l| l.split_once('='))
        .map(|(k, _)| k.trim())
        .filter(|k| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
        });
    let place = match (line, key) {
        (Some(l), Some(k)) => format!("line {l} (`{k}`): "),
        (Some(l), None) => format!("line {l}: "),
        _ => String::new(),
    };
    bad_input(format!(
        "{}: {place}{}",
        path.display(),
        hide_values(e.message().trim())
    ))
}

/// `text` with every double-quoted part replaced by `"…"` (serde quotes offending values, and
/// a value in a config file may be a secret), and any URL redacted.
fn hide_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split('"').enumerate() {
        // Odd parts are between quotes.
        out.push_str(if i % 2 == 1 { "\"…\"" } else { part });
    }
    edupulse::notify::redact(&out)
}

/// `YYYY-MM-DD` means the end of that day (23:59:59 UTC); an RFC 3339 instant is taken as is
/// ([`edupulse::core::model::parse_as_of`]).
fn parse_as_of(s: &str) -> Result<DateTime<Utc>, Failure> {
    edupulse::core::model::parse_as_of(s).map_err(|e| bad_input(format!("--as-of: {e}")))
}

/// `notifications.jsonl` beside a SQLite file.
fn default_notify_file(url: &str) -> Option<PathBuf> {
    match edupulse::StoreUrl::parse(url).ok()? {
        edupulse::StoreUrl::Sqlite(path) => Some(
            path.parent()
                .unwrap_or_else(|| Path::new("."))
                .join("notifications.jsonl"),
        ),
        _ => None,
    }
}

/// `--delimiter`: one ASCII character, or `tab`.
fn parse_delimiter(d: &str) -> Result<u8, Failure> {
    match d {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if d.len() == 1 && d.is_ascii() => Ok(d.as_bytes()[0]),
        _ => Err(bad_input(format!(
            "invalid parameter `--delimiter`: `{d}` is not one character (or `tab`)"
        ))),
    }
}

/// `--max-value COLUMN=MAX` options over the default ceilings.
fn parse_limits(options: &[String]) -> Result<edupulse::core::model::Limits, Failure> {
    let mut limits = edupulse::core::model::Limits::default();
    for o in options {
        let parsed = o
            .split_once('=')
            .and_then(|(c, v)| Some((c.trim(), v.trim().parse::<f64>().ok()?)));
        let Some((column, max)) = parsed.filter(|(c, _)| !c.is_empty()) else {
            return Err(bad_input(format!(
                "invalid parameter `--max-value`: `{o}` is not COLUMN=NUMBER"
            )));
        };
        limits
            .set(column, max)
            .map_err(|e| bad_input(e.to_string()))?;
    }
    Ok(limits)
}

fn progress(msg: &str) -> ProgressBar {
    let p = ProgressBar::new_spinner();
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        p.set_draw_target(ProgressDrawTarget::hidden());
    }
    p.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    p.enable_steady_tick(std::time::Duration::from_millis(120));
    p.set_message(msg.to_string());
    p
}

async fn run(
    store: Arc<dyn Store>,
    as_of: DateTime<Utc>,
    settings: &Settings,
    notify_file: Option<&Path>,
    notify_stdout: bool,
    steps: Option<Vec<String>>,
) -> Result<serde_json::Value, Failure> {
    // Build the channels first: a bad webhook setting fails before the job runs.
    let webhooks = settings
        .notify
        .webhooks(|k| std::env::var(k).ok())
        .map_err(|e| bad_input(e.to_string()))?;
    let p = progress("run");
    let mut on_step = |i: usize, n: usize, step: &str| {
        p.set_message(format!("run: step {}/{n} {step}", (i + 1).min(n)));
    };
    let options = edupulse::job::RunOptions {
        steps,
        progress: Some(&mut on_step),
        ..Default::default()
    };
    let out = edupulse::job::run_daily_with(store.as_ref(), as_of, &settings.job, options).await?;
    p.set_message("deliver notifications");
    let mut notifiers: Vec<Arc<dyn Notifier>> = Vec::new();
    if let Some(f) = notify_file {
        notifiers.push(Arc::new(FileNotifier::new(f)));
    }
    if notify_stdout {
        notifiers.push(Arc::new(StdoutNotifier::new()));
    }
    // Webhooks from the config file and the environment (URLs and tokens are secrets: never on
    // the command line, never printed; the summary names the host only).
    let hooks: Vec<serde_json::Value> = webhooks
        .iter()
        .map(|w| json!({"name": w.name(), "host": w.host()}))
        .collect();
    for w in webhooks {
        notifiers.push(Arc::new(w));
    }
    let delivery = if notifiers.is_empty() {
        json!(null)
    } else {
        let cfg = settings.notify.apply_to(DispatchConfig::local());
        let lease = settings.notify.lease();
        let d = Dispatcher::new(store.clone(), notifiers, cfg)
            .map_err(Error::from)?
            .with_lease(lease)
            .with_max_wait(lease)
            .with_heartbeat(settings.notify.heartbeat())
            .with_notice({
                let p = p.clone();
                move |line: &str| p.suspend(|| eprintln!("edupulse: {line}"))
            });
        json!(d.dispatch(Utc::now()).await.map_err(Error::from)?)
    };
    p.finish_and_clear();
    Ok(json!({
        "command": "run",
        "store": store.describe(),
        "as_of": as_of,
        "run": out.summary,
        "failed_steps": out.failed,
        "delivery": delivery,
        "notify_file": notify_file,
        "webhooks": hooks,
    }))
}

async fn demo(
    dir: &Path,
    students: usize,
    seed: u64,
    store_url: Option<&str>,
) -> Result<serde_json::Value, Failure> {
    let cfg = SimConfig {
        students,
        seed,
        ..SimConfig::default()
    };
    let p = progress("simulate");
    let tables = simulate(&cfg)?;
    let data_dir = dir.join("data");
    p.set_message(format!("write {} rows as CSV", tables.total_rows()));
    csvio::write_dir(&tables, &data_dir)?;
    let url = match store_url {
        Some(u) => u.to_string(),
        None => format!("sqlite://{}", dir.join("edupulse.db").display()),
    };
    let store = open_store(&url).await?;
    p.set_message("ingest");
    let ingest = edupulse::ingest_dir(store.as_ref(), &data_dir).await?;
    p.finish_and_clear();
    // The end of the simulated history (`end_date` is exclusive).
    let as_of =
        edupulse::core::model::date_to_datetime(cfg.end_date()) - chrono::Duration::seconds(1);
    let notify_file = dir.join("notifications.jsonl");
    let settings = load_settings(None)?;
    let run_summary = run(
        store.clone(),
        as_of,
        &settings,
        Some(&notify_file),
        false,
        None,
    )
    .await?;
    let report = Report::build(store.as_ref(), Some(as_of))
        .await
        .map_err(Error::from)?;
    let written = report
        .write(dir, settings.report.lang)
        .map_err(Error::from)?;
    Ok(json!({
        "command": "demo",
        "dir": dir,
        "store": store.describe(),
        "as_of": as_of,
        "ingest": {"received": ingest.received, "written": ingest.written},
        "run": run_summary["run"],
        "failed_steps": run_summary["failed_steps"],
        "delivery": run_summary["delivery"],
        "notifications": notify_file,
        "report": {"html": written.html, "json": written.json, "lang": settings.report.lang,
            "webinar_pages": written.pages.len()},
        "counts": report.outbox.counts,
    }))
}

/// `edupulse forecast`: a daily series from a CSV file → the forecast (and a backtest).
fn forecast_file(
    input: &std::path::Path,
    horizon: usize,
    backtest: Option<usize>,
    params: Option<&str>,
) -> Result<serde_json::Value, Failure> {
    use edupulse::core::forecast::{Forecaster, ForecasterParams};
    let mut p: ForecasterParams = match params {
        Some(j) => serde_json::from_str(j).map_err(|e| bad_input(format!("--params: {e}")))?,
        None => ForecasterParams::default(),
    };
    p.horizon = horizon;
    let name = input.display().to_string();
    let mut rdr = csv::Reader::from_path(input).map_err(|e| bad_input(format!("{name}: {e}")))?;
    let headers = rdr
        .headers()
        .map_err(|e| bad_input(format!("{name}: {e}")))?
        .clone();
    let col = |names: [&str; 2]| {
        headers
            .iter()
            .position(|h| names.contains(&h.trim()))
            .ok_or_else(|| {
                bad_input(format!(
                    "{name}: no `{}` (or `{}`) column",
                    names[0], names[1]
                ))
            })
    };
    let (dc, vc) = (col(["date", "ds"])?, col(["value", "y"])?);
    let mut points = Vec::new();
    for (i, r) in rdr.records().enumerate() {
        let r = r.map_err(|e| bad_input(format!("{name}: {e}")))?;
        let at = |c: usize| r.get(c).unwrap_or("").trim().to_string();
        let d = chrono::NaiveDate::parse_from_str(&at(dc), "%Y-%m-%d").map_err(|_| {
            bad_input(format!(
                "{name}: row {}: `{}` is not a YYYY-MM-DD date",
                i + 1,
                at(dc)
            ))
        })?;
        let v: f64 = at(vc).parse().map_err(|_| {
            bad_input(format!(
                "{name}: row {}: `{}` is not a number",
                i + 1,
                at(vc)
            ))
        })?;
        points.push((d, v));
    }
    let f = Forecaster::fit(&points, &p).map_err(|e| Failure::from(e.in_file(&name)))?;
    let rows: Vec<serde_json::Value> = f
        .predict()
        .iter()
        .map(|x| {
            let mut o = json!({"date": x.date.to_string(), "mean": x.mean});
            for b in &x.bands {
                let l = if b.level.fract() == 0.0 {
                    format!("{}", b.level as i64)
                } else {
                    b.level.to_string()
                };
                o[format!("lo_{l}")] = json!(b.lo);
                o[format!("hi_{l}")] = json!(b.hi);
            }
            o
        })
        .collect();
    let mut out = json!({
        "command": "forecast",
        "input": name,
        "days": f.series.values.len(),
        "chosen": f.chosen.name(),
        "scores": f.scores.iter().map(|s| json!({"candidate": s.candidate.name(), "mae": s.mae, "mase": s.mase})).collect::<Vec<_>>(),
        "notes": f.notes,
        "forecast": rows,
    });
    if let Some(w) = backtest {
        let windows: Vec<serde_json::Value> = f
            .backtest_scores(w)?
            .iter()
            .map(|s| {
                json!({
                    "window": s.window,
                    "model": s.model.name(),
                    "mase": s.mase,
                    "smape": s.smape,
                    "coverage": s.coverage.iter().map(|c| c.1).collect::<Vec<_>>(),
                })
            })
            .collect();
        out["backtest"] = json!(windows);
    }
    Ok(out)
}

/// `edupulse community TABLE`: one community table computed from the store's input tables.
async fn community_cmd(
    store: &dyn edupulse::store::Store,
    table: &str,
    as_of: chrono::DateTime<chrono::Utc>,
    period: &str,
    settings: &Settings,
    limit: Option<usize>,
) -> Result<serde_json::Value, Failure> {
    let name = match table {
        "points" => "community_points",
        "badges" => "community_badges",
        "leaderboard" => "community_leaderboard",
        "participation" => "community_participation",
        "kpi" => "community_kpi",
        "mentors" => "community_mentor_pairs",
        "groups" => "community_study_groups",
        "recommendations" => "community_recommendations",
        other => {
            return Err(bad_input(format!(
                "unknown community table `{other}` (expected points, badges, leaderboard, \
                 participation, kpi, mentors, groups or recommendations)"
            )))
        }
    };
    let period: edupulse::core::community::Period = period.parse()?;
    let tables = store.read_all(Default::default()).await?;
    let set = edupulse::core::community::community_table(
        &tables,
        as_of,
        &settings.job.community,
        name,
        Some(period),
    )?;
    let total = set.rows.len();
    let rows: Vec<serde_json::Value> = set
        .rows
        .iter()
        .take(limit.unwrap_or(usize::MAX))
        .map(|r| {
            serde_json::Value::Object(
                set.spec
                    .columns
                    .iter()
                    .zip(r)
                    .map(|(c, v)| (c.name.to_string(), json!(v)))
                    .collect(),
            )
        })
        .collect();
    Ok(json!({
        "command": "community",
        "table": name,
        "as_of": edupulse::core::model::format_datetime(&as_of),
        "rows_total": total,
        "rows": rows,
    }))
}

/// `edupulse chapters`: micro-lessons of every recording as chapter files.
async fn chapters_cmd(
    transcript: Option<PathBuf>,
    store: Option<String>,
    out: &Path,
    format: &str,
    min_minutes: f64,
    max_minutes: f64,
) -> Result<serde_json::Value, Failure> {
    use edupulse::core::content::{chapters, segment_transcript, ChapterFormat, LessonParams};
    use edupulse::core::model::{Table, TranscriptSegment};
    let (fmt, ext) = match format {
        "vtt" | "webvtt" => (ChapterFormat::WebVtt, "vtt"),
        "srt" => (ChapterFormat::Srt, "srt"),
        "json" => (ChapterFormat::Json, "json"),
        other => {
            return Err(bad_input(format!(
                "unknown chapter format `{other}` (expected vtt, srt or json)"
            )))
        }
    };
    let segments: Vec<TranscriptSegment> = match (&transcript, &store) {
        (Some(path), _) => csvio::read_table::<TranscriptSegment>(path)?,
        (None, Some(url)) => {
            let s = open_store(url).await?;
            s.read(Table::TranscriptSegments, Default::default())
                .await?
                .transcript_segments
        }
        (None, None) => return Err(bad_input("give --transcript FILE or --store URL")),
    };
    let params = LessonParams {
        min_minutes,
        max_minutes,
        ..LessonParams::default()
    };
    let lessons = segment_transcript(&segments, &params)?;
    std::fs::create_dir_all(out).map_err(|e| Failure {
        code: 2,
        message: format!("{}: {e}", out.display()),
    })?;
    let mut files = Vec::new();
    let mut i = 0;
    while i < lessons.len() {
        let mut j = i;
        while j < lessons.len() && lessons[j].content_id == lessons[i].content_id {
            j += 1;
        }
        let id = &lessons[i].content_id;
        let safe: String = id
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = out.join(format!("{safe}.{ext}"));
        std::fs::write(&path, chapters(&lessons[i..j], fmt)).map_err(|e| Failure {
            code: 2,
            message: format!("{}: {e}", path.display()),
        })?;
        files.push(json!({"content_id": id, "file": path, "lessons": j - i}));
        i = j;
    }
    Ok(json!({"command": "chapters", "lessons": lessons.len(), "files": files}))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn max_value_options_set_ceilings_and_bad_ones_name_the_option() {
        let Ok(l) = parse_limits(&["purchases.amount=1e15".into(), "volume = inf".into()]) else {
            panic!("valid options refused");
        };
        assert_eq!(l.ceiling("purchases", "amount"), Some(1e15));
        assert_eq!(l.ceiling("activity", "value"), Some(1e12));
        assert_eq!(l.ceiling("keyword_interest", "volume"), Some(f64::INFINITY));
        for bad in ["amount", "=5", "amount=abc", "amount=-1"] {
            let Err(e) = parse_limits(&[bad.into()]) else {
                panic!("{bad} accepted");
            };
            assert!(
                e.message.contains("max-value") || e.message.contains("limits.amount"),
                "{}",
                e.message
            );
        }
    }

    /// The TOML blocks of a Markdown file.
    fn toml_blocks(md: &str) -> Vec<String> {
        md.split("```toml")
            .skip(1)
            .map(|b| b.split("```").next().unwrap().to_string())
            .collect()
    }

    #[test]
    fn the_documented_config_files_parse_and_build() {
        let docs = toml_blocks(include_str!("../../../docs/configuration.md"));
        let readme = toml_blocks(include_str!("../../../README.md"));
        assert!(!docs.is_empty() && !readme.is_empty());
        let env = |k: &str| match k {
            "SLACK_SALES_URL" => Some("https://hooks.example.test/services/T/B/X".to_string()),
            "CRM_TOKEN" => Some("t".to_string()),
            _ => None,
        };
        for block in docs.iter().chain(&readme) {
            let settings: Settings =
                toml::from_str(block).unwrap_or_else(|e| panic!("{e}\n{block}"));
            settings.job.validate().unwrap();
            settings.notify.validate().unwrap();
            let hooks = settings.notify.webhooks(env).unwrap();
            assert!(!hooks.is_empty());
        }
    }

    #[test]
    fn hidden_values() {
        assert_eq!(
            hide_values(r#"invalid type: string "s3cret", expected u64"#),
            r#"invalid type: string "…", expected u64"#
        );
        assert_eq!(
            hide_values("at https://h.test/x/y"),
            "at https://h.test/<redacted>"
        );
    }
}
