//! The daily job end to end on a store: load the input tables, run the pure job of
//! [`edupulse_core::job`], and write its results and notifications in one transaction.
//! Delivering the notifications is the dispatcher's work ([`edupulse_notify`]).
//!
//! One run API for every caller: the CLI (`edupulse run --steps churn,leads`), Python
//! (`Store.run(steps=[...])`, one Airflow task per step) and Rust all call [`run_daily_with`].

use crate::Error;
use chrono::{DateTime, Utc};
pub use edupulse_core::job::RunOptions;
use edupulse_core::job::{run_summary, Job, JobConfig};
use edupulse_core::kpi::weekly::{last_complete_week_in, weekly_report, WeeklyReport};
use edupulse_core::kpi::KpiConfig;
use edupulse_core::results::RunOutput;
use edupulse_store::{IngestReport, Store, TimeRange};
use std::path::Path;

/// Read a folder of `<table>.csv` files (validated: errors name file, row and column) and upsert
/// it into `store` in one transaction. Ingesting the same folder twice changes nothing.
pub async fn ingest_dir(store: &dyn Store, dir: &Path) -> Result<IngestReport, Error> {
    ingest_dir_with(store, dir, &edupulse_core::csvio::CsvOptions::default()).await
}

/// [`ingest_dir`] reading the files with `options` (delimiter, decimal mark, date format,
/// ceilings): Spanish-locale Excel exports (`;`, decimal commas, `dd/mm/yyyy` with an explicit
/// format).
pub async fn ingest_dir_with(
    store: &dyn Store,
    dir: &Path,
    options: &edupulse_core::csvio::CsvOptions,
) -> Result<IngestReport, Error> {
    let tables = edupulse_core::csvio::read_dir_opts(dir, options)?;
    Ok(store.ingest(&tables).await?)
}

/// Run the daily job as of `as_of`: read every input table, run the steps, and write the run
/// (results, outbox notifications, run record) atomically. Re-running the same `as_of` replaces
/// its results and adds no notification already in the outbox.
///
/// `progress(i, n, step)` is called before each step. Same as [`run_daily_with`] with every
/// step.
pub async fn run_daily(
    store: &dyn Store,
    as_of: DateTime<Utc>,
    config: &JobConfig,
    mut progress: impl FnMut(usize, usize, &str),
) -> Result<RunOutput, Error> {
    run_daily_with(
        store,
        as_of,
        config,
        RunOptions {
            progress: Some(&mut progress),
            ..RunOptions::default()
        },
    )
    .await
}

/// Run the steps chosen by `options` (all by default) as of `as_of` and write the run
/// atomically.
///
/// - **Partial runs** (`options.steps`, e.g. one Airflow task per step) replace only the chosen
///   steps' tables; the run record of that `as_of` keeps the summaries other steps wrote.
/// - **A failing step** does not stop the others: their results are written, the run's summary
///   says `"ok": false` with `"failed_steps"`, [`RunOutput::failed`] lists them, and an operator
///   notification (kind `run_failed`) goes through the outbox. Check [`RunOutput::ok`].
/// - **Cancelling** (`options.cancel`) stops before the next step and writes nothing.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use edupulse::core::job::JobConfig;
/// use edupulse::core::simulate::{simulate, SimConfig};
/// use edupulse::job::{run_daily_with, RunOptions};
/// let store = edupulse::open_store("memory://").await?;
/// let sim = SimConfig { students: 60, seed: 2, ..SimConfig::default() };
/// store.ingest(&simulate(&sim)?).await?;
/// let as_of = edupulse::core::model::end_of_day(sim.end_date());
/// let run = run_daily_with(store.as_ref(), as_of, &JobConfig::default(),
///                          RunOptions::steps(&["kpis", "churn"])).await?;
/// assert!(run.ok());
/// assert_eq!(run.summary["steps"].as_object().unwrap().len(), 2);
/// # Ok::<(), edupulse::Error>(())
/// # }).unwrap();
/// ```
pub async fn run_daily_with(
    store: &dyn Store,
    as_of: DateTime<Utc>,
    config: &JobConfig,
    options: RunOptions<'_>,
) -> Result<RunOutput, Error> {
    let kpi = config.kpi_config()?;
    run_job_weekly(store, &Job::new(config)?, as_of, options, Some(&kpi)).await
}

/// [`run_daily_with`] for any [`Job`], e.g. the standard steps plus your own
/// ([`Job::with_steps`]): read the input tables, run, write the run atomically.
pub async fn run_job(
    store: &dyn Store,
    job: &Job,
    as_of: DateTime<Utc>,
    options: RunOptions<'_>,
) -> Result<RunOutput, Error> {
    run_job_weekly(store, job, as_of, options, None).await
}

/// [`run_job`]; when `weekly` is given and the run's `kpis` step succeeded, the weekly report
/// of the last complete ISO week before `as_of` joins the run's notifications (key
/// `weekly:<YYYY>-W<ww>`: the outbox keeps the first, so it goes out once per week), its
/// alerts read from the outbox.
async fn run_job_weekly(
    store: &dyn Store,
    job: &Job,
    as_of: DateTime<Utc>,
    options: RunOptions<'_>,
    weekly: Option<&KpiConfig>,
) -> Result<RunOutput, Error> {
    let partial = options.steps.is_some();
    let tables = store.read_all(TimeRange::ALL).await?;
    let mut run = job.run_with(&tables, as_of, options)?;

    if partial {
        let steps = run.summary["steps"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let zone = run.summary.get("timezone").cloned();
        run.summary = keep_other_steps(store, as_of, steps).await?;
        if let (Some(z), Some(s)) = (zone, run.summary.as_object_mut()) {
            s.insert("timezone".into(), z);
        }
    }
    let kpis_ok = run.summary["steps"]["kpis"]["ok"].as_bool() == Some(true);
    if let (Some(cfg), true) = (weekly, kpis_ok) {
        let report = weekly_of(
            store,
            &tables,
            last_complete_week_in(as_of, &cfg.clock),
            cfg,
            &run,
        )
        .await?;
        run.notifications.push(report.notification()?);
        let n = run.summary["notifications"].as_u64().unwrap_or(0);
        run.summary["notifications"] = serde_json::json!(n + 1);
        run.summary["weekly_report"] = serde_json::json!(report.week);
    }
    store.write_run(&run).await?;
    Ok(run)
}

/// The weekly report of ISO week `week` from `tables` and the alerts in the outbox (plus
/// `run`'s own, not yet written).
async fn weekly_of(
    store: &dyn Store,
    tables: &edupulse_core::model::Tables,
    week: (i32, u32),
    cfg: &KpiConfig,
    run: &RunOutput,
) -> Result<WeeklyReport, Error> {
    let mut alerts: Vec<_> = store
        .outbox(false)
        .await?
        .into_iter()
        .map(|o| o.notification)
        .collect();
    alerts.extend(run.notifications.iter().cloned());
    Ok(weekly_report(tables, week, &alerts, cfg)?)
}

/// The weekly report of ISO week `week` (default: the last complete week before the latest
/// run, or before now without runs) from the store's tables and outbox: what
/// `edupulse weekly` writes as HTML and JSON. Weeks are local to `cfg.clock`
/// ([`JobConfig::kpi_config`](edupulse_core::job::JobConfig::kpi_config) sets it from
/// `[job] timezone`).
pub async fn weekly(
    store: &dyn Store,
    week: Option<(i32, u32)>,
    cfg: &KpiConfig,
) -> Result<WeeklyReport, Error> {
    let week = match week {
        Some(w) => w,
        None => {
            let latest = store.runs().await?.iter().map(|r| r.as_of).max();
            last_complete_week_in(latest.unwrap_or_else(Utc::now), &cfg.clock)
        }
    };
    let tables = store.read_all(TimeRange::ALL).await?;
    let alerts: Vec<_> = store
        .outbox(false)
        .await?
        .into_iter()
        .map(|o| o.notification)
        .collect();
    Ok(weekly_report(&tables, week, &alerts, cfg)?)
}

/// The run summary of `as_of` from `steps`, keeping the summaries other steps (or
/// `edupulse certs issue`) already wrote for the same `as_of` in the run record: a partial run
/// replaces only its own part.
pub(crate) async fn keep_other_steps(
    store: &dyn Store,
    as_of: DateTime<Utc>,
    mut steps: serde_json::Map<String, serde_json::Value>,
) -> Result<serde_json::Value, Error> {
    let mut zone = None;
    if let Some(prev) = store.runs().await?.iter().find(|r| r.as_of == as_of) {
        if let Some(serde_json::Value::Object(old)) = prev.summary.get("steps") {
            for (k, v) in old {
                steps.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        zone = prev.summary.get("timezone").cloned();
    }
    let mut summary = run_summary(as_of, steps);
    if let (Some(z), Some(s)) = (zone, summary.as_object_mut()) {
        s.insert("timezone".into(), z);
    }
    Ok(summary)
}
