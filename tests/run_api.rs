//! The one run API (`run_daily_with` / `run_job`): partial runs replace only their steps'
//! tables, a failing step is reported (`ok: false`, an operator notification) while the other
//! steps' results are written, cancelling writes nothing, and results come back typed.

use chrono::{DateTime, Utc};
use edupulse::core::churn::step::ChurnScoreRow;
use edupulse::core::job::{Job, JobConfig, Step, StepOutput};
use edupulse::core::kpi::KpiSummary;
use edupulse::core::model::Tables;
use edupulse::core::simulate::{simulate, SimConfig};
use edupulse::core::CoreError;
use edupulse::store::typed_results;
use edupulse::{open_store, run_daily_with, run_job, RunOptions, Store};

async fn business() -> (std::sync::Arc<dyn Store>, DateTime<Utc>) {
    let sim = SimConfig {
        students: 150,
        seed: 11,
        ..SimConfig::default()
    };
    let store = open_store("memory://").await.unwrap();
    store.ingest(&simulate(&sim).unwrap()).await.unwrap();
    (store, edupulse::core::model::end_of_day(sim.end_date()))
}

/// A step that always fails, as a step broken by its data would.
struct Broken;

impl Step for Broken {
    fn name(&self) -> &str {
        "broken"
    }
    fn run(&self, _: &Tables, _: DateTime<Utc>) -> edupulse::core::Result<StepOutput> {
        Err(CoreError::Convergence {
            model: "broken".into(),
            message: "singular Hessian".into(),
        })
    }
}

#[tokio::test]
async fn a_failing_step_is_reported_and_the_others_are_written() {
    let (store, as_of) = business().await;
    let job = Job::with_steps(vec![
        Box::new(edupulse::core::job::KpiStep::default()),
        Box::new(Broken),
    ]);
    let run = run_job(store.as_ref(), &job, as_of, RunOptions::default())
        .await
        .unwrap();
    assert!(!run.ok());
    assert_eq!(run.failed.len(), 1);
    assert_eq!(run.failed[0].step, "broken");
    assert!(run.failed[0].error.contains("singular Hessian"));
    assert_eq!(run.summary["ok"], false);
    assert_eq!(run.summary["failed_steps"], serde_json::json!(["broken"]));
    // The KPI step's results are written.
    let kpis: Vec<KpiSummary> = typed_results(store.as_ref(), Some(as_of)).await.unwrap();
    assert_eq!(kpis.len(), 1);
    // An operator notification, once per as_of and step.
    let outbox = store.outbox(false).await.unwrap();
    let failed: Vec<_> = outbox
        .iter()
        .filter(|o| o.notification.kind == "run_failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].notification.body.contains("singular Hessian"));
    run_job(store.as_ref(), &job, as_of, RunOptions::default())
        .await
        .unwrap();
    let again = store.outbox(false).await.unwrap();
    assert_eq!(again.len(), outbox.len(), "a re-run does not alert twice");
    // The run record says so too.
    let runs = store.runs().await.unwrap();
    assert_eq!(runs[0].summary["ok"], false);
}

#[tokio::test]
async fn partial_runs_replace_only_their_tables_and_keep_the_other_summaries() {
    let (store, as_of) = business().await;
    let config = JobConfig::default();
    run_daily_with(
        store.as_ref(),
        as_of,
        &config,
        RunOptions::steps(&["kpis", "churn"]),
    )
    .await
    .unwrap();
    let scores: Vec<ChurnScoreRow> = typed_results(store.as_ref(), None).await.unwrap();
    assert!(!scores.is_empty());
    let counts = store.counts().await.unwrap();
    // Running only the KPIs again leaves churn_scores as they were.
    let run = run_daily_with(store.as_ref(), as_of, &config, RunOptions::steps(&["kpis"]))
        .await
        .unwrap();
    assert!(run.results.iter().all(|s| s.spec.step == "kpis"));
    assert_eq!(store.counts().await.unwrap(), counts);
    let again: Vec<ChurnScoreRow> = typed_results(store.as_ref(), None).await.unwrap();
    assert_eq!(again, scores);
    // The run record keeps the churn step's summary from the first partial run.
    let runs = store.runs().await.unwrap();
    let steps = runs[0].summary["steps"].as_object().unwrap();
    assert!(steps.contains_key("churn") && steps.contains_key("kpis"));
    assert_eq!(runs[0].summary["ok"], true);
    // An unknown step is a named parameter error, and writes nothing.
    let err = run_daily_with(
        store.as_ref(),
        as_of,
        &config,
        RunOptions::steps(&["kpis", "astrology"]),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("astrology") && err.to_string().contains("steps"));
}

#[tokio::test]
async fn cancelling_writes_nothing() {
    let (store, as_of) = business().await;
    let before = store.counts().await.unwrap();
    let mut seen = Vec::new();
    let mut progress = |i: usize, _n: usize, name: &str| seen.push((i, name.to_string()));
    let cancel = || true;
    let err = run_daily_with(
        store.as_ref(),
        as_of,
        &JobConfig::default(),
        RunOptions {
            steps: None,
            progress: Some(&mut progress),
            cancel: Some(&cancel),
        },
    )
    .await
    .unwrap_err();
    assert!(matches!(err, edupulse::Error::Core(CoreError::Cancelled)));
    assert_eq!(seen, vec![(0, "kpis".to_string())]);
    assert_eq!(store.counts().await.unwrap(), before);
    assert!(store.runs().await.unwrap().is_empty());
}

#[tokio::test]
async fn unknown_result_tables_and_config_keys_are_named_errors() {
    let (store, _) = business().await;
    let err = store.results("churn_score", None).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("churn_score") && text.contains("churn_scores"),
        "{text}"
    );
    let bad: Result<JobConfig, _> =
        serde_json::from_value(serde_json::json!({"churn": {"risk": {"horizon_dayz": 30}}}));
    assert!(bad.unwrap_err().to_string().contains("horizon_dayz"));
}
