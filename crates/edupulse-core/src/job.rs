//! The daily job as a list of pure steps.
//!
//! A [`Step`] reads the input tables as of a point in time and returns result rows, notifications
//! and a JSON summary; [`Job::run`] runs the steps in order and assembles one [`RunOutput`] that a
//! store writes atomically. Capabilities (trends, demand, churn, repetition, leads) add steps; the
//! foundation step computes the business KPIs ([`crate::kpi`]).

use crate::churn::{ChurnConfig, ChurnStep};
use crate::error::Result;
use crate::kpi::{self, KpiConfig};
use crate::model::Tables;
use crate::results::{Notification, ResultRow, RunOutput};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What one step produced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepOutput {
    /// Result rows (their `as_of` must be the run's).
    pub results: Vec<ResultRow>,
    /// Notifications for the outbox.
    pub notifications: Vec<Notification>,
    /// A short JSON summary of the step.
    pub summary: serde_json::Value,
}

/// One step of the daily job: pure, deterministic in its inputs.
pub trait Step: Send + Sync {
    /// Short name (used in summaries and progress).
    fn name(&self) -> &str;
    /// Run the step on the input tables as of `as_of`.
    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput>;
}

/// The KPI step: funnel, slots, active students, revenue, completion, attendance-drop alert and
/// the daily digest.
#[derive(Debug, Clone, Default)]
pub struct KpiStep {
    /// Parameters.
    pub config: KpiConfig,
}

impl Step for KpiStep {
    fn name(&self) -> &str {
        "kpis"
    }

    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput> {
        let k = kpi::compute(tables, as_of, &self.config)?;
        let notifications = k.notifications(&self.config);
        let summary = serde_json::json!({
            "students": k.students,
            "active_students_30d": k.active_students_30d,
            "completion_rate": k.completion_rate,
            "attendance_rate_last_30d": k.attendance_rate_last_30d,
        });
        Ok(StepOutput {
            results: k.to_results(),
            notifications,
            summary,
        })
    }
}

/// Parameters of the daily job.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct JobConfig {
    /// KPI step parameters.
    pub kpi: KpiConfig,
    /// Review-schedule (spaced repetition) step parameters.
    pub repetition: crate::repetition::ScheduleParams,
    /// Trends step parameters.
    pub trends: crate::trends::step::TrendsConfig,
    /// Churn step parameters.
    pub churn: ChurnConfig,
    /// Leads step parameters.
    pub leads: crate::leads::LeadsConfig,
    /// Demand step parameters.
    pub demand: crate::demand::DemandConfig,
}

impl JobConfig {
    /// Check every step's parameters.
    pub fn validate(&self) -> Result<()> {
        self.kpi.validate()?;
        self.repetition.validate()?;
        self.trends.validate()?;
        self.churn.validate()?;
        self.leads.validate()?;
        self.demand.validate()
    }
}

/// The daily job: steps run in order.
pub struct Job {
    steps: Vec<Box<dyn Step>>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.steps.iter().map(|s| s.name()))
            .finish()
    }
}

impl Job {
    /// The standard job for a configuration.
    pub fn new(config: &JobConfig) -> Result<Job> {
        config.validate()?;
        Ok(Job {
            steps: vec![
                Box::new(KpiStep {
                    config: config.kpi.clone(),
                }),
                Box::new(crate::repetition::ReviewScheduleStep {
                    config: config.repetition.clone(),
                }),
                Box::new(crate::trends::step::TrendsStep {
                    params: config.trends.clone(),
                }),
                Box::new(ChurnStep {
                    config: config.churn.clone(),
                }),
                Box::new(crate::leads::LeadsStep {
                    config: config.leads.clone(),
                }),
                Box::new(crate::demand::DemandStep {
                    config: config.demand.clone(),
                }),
            ],
        })
    }

    /// A job with the given steps.
    pub fn with_steps(steps: Vec<Box<dyn Step>>) -> Job {
        Job { steps }
    }

    /// The step names, in order.
    pub fn step_names(&self) -> Vec<&str> {
        self.steps.iter().map(|s| s.name()).collect()
    }

    /// The job restricted to the steps named in `names` (kept in the job's order), e.g. one
    /// Airflow task per step. A name that is not a step of the job is an
    /// [`InvalidParameter`](crate::CoreError::InvalidParameter) error on `steps` naming it.
    ///
    /// ```
    /// use edupulse_core::job::{Job, JobConfig};
    /// let job = Job::new(&JobConfig::default())?.only(&["churn", "kpis"])?;
    /// assert_eq!(job.step_names(), ["kpis", "churn"]);
    /// assert!(Job::new(&JobConfig::default())?.only(&["nope"]).is_err());
    /// # Ok::<(), edupulse_core::CoreError>(())
    /// ```
    pub fn only(self, names: &[&str]) -> Result<Job> {
        if let Some(unknown) = names
            .iter()
            .find(|n| !self.steps.iter().any(|s| s.name() == **n))
        {
            return Err(crate::CoreError::param(
                "steps",
                format!(
                    "unknown step `{unknown}` (expected one of: {})",
                    self.step_names().join(", ")
                ),
            ));
        }
        let steps = self
            .steps
            .into_iter()
            .filter(|s| names.contains(&s.name()))
            .collect();
        Ok(Job { steps })
    }

    /// Run every step; `progress(i, n, name)` is called before step `i` of `n`.
    pub fn run(
        &self,
        tables: &Tables,
        as_of: DateTime<Utc>,
        mut progress: impl FnMut(usize, usize, &str),
    ) -> Result<RunOutput> {
        let mut out = RunOutput {
            as_of,
            results: Vec::new(),
            notifications: Vec::new(),
            summary: serde_json::json!({}),
        };
        let mut steps = serde_json::Map::new();
        for (i, step) in self.steps.iter().enumerate() {
            progress(i, self.steps.len(), step.name());
            let s = step.run(tables, as_of)?;
            steps.insert(
                step.name().to_string(),
                serde_json::json!({
                    "results": s.results.len(),
                    "notifications": s.notifications.len(),
                    "summary": s.summary,
                }),
            );
            out.results.extend(s.results);
            out.notifications.extend(s.notifications);
        }
        out.summary = serde_json::json!({
            "as_of": crate::model::format_datetime(&as_of),
            "steps": steps,
            "results": out.results.len(),
            "notifications": out.notifications.len(),
        });
        Ok(out)
    }
}
