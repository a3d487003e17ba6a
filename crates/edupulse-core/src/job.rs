//! The daily job as a list of pure steps.
//!
//! A [`Step`] reads the input tables as of a point in time and returns result rows, notifications
//! and a JSON summary; [`Job::run`] runs the steps in order and assembles one [`RunOutput`] that a
//! store writes atomically. Capabilities (trends, demand, churn, repetition, leads) add steps; the
//! foundation step computes the business KPIs ([`crate::kpi`]).

use crate::churn::{ChurnConfig, ChurnStep};
use crate::clock::LocalClock;
use crate::error::Result;
use crate::kpi::{self, KpiConfig};
use crate::model::Tables;
use crate::results::{Notification, ResultSet, RunOutput, StepFailure};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What one step produced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepOutput {
    /// Result tables (their `as_of` must be the run's). A step returns a set for every table it
    /// owns, empty or not, so a re-run replaces what an earlier run of the same `as_of` wrote.
    pub results: Vec<ResultSet>,
    /// Notifications for the outbox.
    pub notifications: Vec<Notification>,
    /// A short JSON summary of the step.
    pub summary: serde_json::Value,
}

impl StepOutput {
    /// The typed rows of result table `T` in this output (none if the step wrote no set of it).
    pub fn rows<T: crate::results::ResultTable>(&self) -> Result<Vec<T>> {
        crate::results::rows_of(&self.results)
    }
}

/// One step of the daily job: pure, deterministic in its inputs.
pub trait Step: Send + Sync {
    /// Short name (used in summaries and progress).
    fn name(&self) -> &str;
    /// Run the step on the input tables as of `as_of`.
    fn run(&self, tables: &Tables, as_of: DateTime<Utc>) -> Result<StepOutput>;
}

/// The KPI step: funnel, slots, active students, revenue, completion, the scorecard of the last
/// `window_days` (`kpi_scorecard`), the attendance-drop and attendance-floor alerts and the daily
/// digest.
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
        let window = kpi::scorecard::KpiWindow::last_days(as_of, self.config.window_days);
        let card = kpi::scorecard::scorecard(tables, window, &self.config)?;
        let mut notifications = k.notifications(&self.config);
        notifications.extend(card.notifications(&self.config));
        let count = |s: &str| card.rows.iter().filter(|r| r.status == s).count();
        let summary = serde_json::json!({
            "students": k.students,
            "active_students_30d": k.active_students_30d,
            "completion_rate": k.completion_rate,
            "attendance_rate_last_30d": k.attendance_rate_last_30d,
            "kpis_missed": count("missed"),
            "kpis_at_risk": count("at_risk"),
        });
        let mut results = k.to_results();
        results.push(card.to_result(as_of));
        Ok(StepOutput {
            results,
            notifications,
            summary,
        })
    }
}

/// Parameters of the daily job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobConfig {
    /// The business's IANA time zone (`"Europe/Madrid"`; default `"UTC"`): the local clock of
    /// weekday, hour and month features, the slot grid and heatmaps, KPI slots and months, ISO
    /// weeks (alert keys, the weekly report) and the days of daily series and of `as_of`
    /// ([`crate::clock`]). An unknown zone is an error on `job.timezone`.
    pub timezone: String,
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
    /// Experiments step parameters.
    pub experiments: crate::experiments::ExperimentsConfig,
    /// Certification step parameters.
    pub certify: crate::certify::CertifyConfig,
    /// Revenue forecast step parameters.
    pub forecast: crate::forecast::ForecastConfig,
    /// Content step parameters (micro-lessons, mastery, next steps).
    pub content: crate::content::step::ContentConfig,
    /// Community step parameters (points, badges, leaderboards, participation, matching,
    /// recommendations).
    pub community: crate::community::CommunityConfig,
    /// Feedback step parameters (webinar outcomes, attendance floor).
    pub feedback: crate::feedback::FeedbackConfig,
}

impl Default for JobConfig {
    fn default() -> Self {
        JobConfig {
            timezone: "UTC".to_string(),
            kpi: KpiConfig::default(),
            repetition: Default::default(),
            trends: Default::default(),
            churn: Default::default(),
            leads: Default::default(),
            demand: Default::default(),
            experiments: Default::default(),
            certify: Default::default(),
            forecast: Default::default(),
            content: Default::default(),
            community: Default::default(),
            feedback: Default::default(),
        }
    }
}

impl JobConfig {
    /// The local clock of `timezone`; an unknown zone is an
    /// [`InvalidParameter`](crate::CoreError::InvalidParameter) error on `job.timezone`.
    ///
    /// ```
    /// use edupulse_core::job::JobConfig;
    /// let cfg = JobConfig { timezone: "Europe/Madrid".into(), ..JobConfig::default() };
    /// assert_eq!(cfg.clock()?.name(), "Europe/Madrid");
    /// let bad = JobConfig { timezone: "Europe/Atlantis".into(), ..JobConfig::default() };
    /// assert!(bad.validate().unwrap_err().to_string().contains("job.timezone"));
    /// # Ok::<(), edupulse_core::CoreError>(())
    /// ```
    pub fn clock(&self) -> Result<LocalClock> {
        LocalClock::new(&self.timezone)
    }

    /// `[job.kpi]` with its clock set from `timezone` (what the KPI step and the weekly report
    /// use).
    pub fn kpi_config(&self) -> Result<KpiConfig> {
        Ok(KpiConfig {
            clock: self.clock()?,
            ..self.kpi.clone()
        })
    }

    /// The configuration with every step's local clock set from `timezone` (the clocks are not
    /// configuration keys): what [`Job::new`] runs. KPIs, repetition, churn (risk windows,
    /// cohorts, purchase days), leads, demand, certification, community, feedback and the
    /// forecast all read days, weeks and months on this one clock.
    ///
    /// ```
    /// use edupulse_core::job::JobConfig;
    /// let cfg = JobConfig { timezone: "Europe/Madrid".into(), ..JobConfig::default() };
    /// let local = cfg.localized()?;
    /// assert_eq!(local.churn.risk.clock.name(), "Europe/Madrid");
    /// assert_eq!(local.community.gamification.clock.name(), "Europe/Madrid");
    /// # Ok::<(), edupulse_core::CoreError>(())
    /// ```
    pub fn localized(&self) -> Result<JobConfig> {
        let clock = self.clock()?;
        let mut c = self.clone();
        c.kpi.clock = clock;
        c.repetition.clock = clock;
        c.churn.risk.clock = clock;
        c.leads.clock = clock;
        c.demand.params.timezone = clock;
        c.certify.clock = clock;
        c.community.gamification.clock = clock;
        c.community.recommend.clock = clock;
        c.feedback.clock = clock;
        Ok(c)
    }

    /// Check every step's parameters.
    pub fn validate(&self) -> Result<()> {
        let clock = self.clock()?;
        let demand_zone = self.demand.params.timezone;
        if !demand_zone.is_utc() && demand_zone != clock {
            return Err(crate::CoreError::param(
                "demand.params.timezone",
                format!(
                    "`{demand_zone}` differs from job.timezone `{clock}`: set the zone once, in \
                     [job] timezone"
                ),
            ));
        }
        self.kpi.validate()?;
        self.repetition.validate()?;
        self.trends.validate()?;
        self.churn.validate()?;
        self.leads.validate()?;
        self.demand.validate()?;
        self.experiments.validate()?;
        self.certify.validate()?;
        self.forecast.validate()?;
        self.content.validate()?;
        self.community.validate()?;
        self.feedback.validate()
    }
}

/// The daily job: steps run in order.
pub struct Job {
    steps: Vec<Box<dyn Step>>,
    clock: LocalClock,
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
        let clock = config.clock()?;
        let config = &config.localized()?;
        let demand = config.demand.clone();
        Ok(Job {
            clock,
            steps: vec![
                Box::new(KpiStep {
                    config: config.kpi.clone(),
                }),
                Box::new(crate::repetition::ReviewScheduleStep {
                    config: config.repetition.clone(),
                }),
                Box::new(crate::trends::step::TrendsStep {
                    params: config.trends.clone(),
                    clock,
                }),
                Box::new(ChurnStep {
                    config: config.churn.clone(),
                }),
                Box::new(crate::leads::LeadsStep {
                    config: config.leads.clone(),
                }),
                Box::new(crate::demand::DemandStep {
                    config: demand,
                    trends: config.trends.keywords.clone(),
                }),
                Box::new(crate::experiments::ExperimentsStep {
                    config: config.experiments.clone(),
                }),
                Box::new(crate::certify::CertifyStep {
                    config: config.certify.clone(),
                }),
                Box::new(crate::forecast::ForecastStep {
                    config: config.forecast.clone(),
                    clock,
                }),
                Box::new(crate::content::step::ContentStep {
                    config: config.content.clone(),
                    schedule: config.repetition.clone(),
                }),
                Box::new(crate::community::CommunityStep {
                    config: config.community.clone(),
                }),
                Box::new(crate::feedback::FeedbackStep {
                    config: config.feedback.clone(),
                }),
            ],
        })
    }

    /// A job with the given steps.
    pub fn with_steps(steps: Vec<Box<dyn Step>>) -> Job {
        Job {
            steps,
            clock: LocalClock::UTC,
        }
    }

    /// The job's local clock (`[job] timezone`; UTC for [`Job::with_steps`]).
    pub fn clock(&self) -> LocalClock {
        self.clock
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
        self.check_names(names)?;
        let steps = self
            .steps
            .into_iter()
            .filter(|s| names.contains(&s.name()))
            .collect();
        Ok(Job {
            steps,
            clock: self.clock,
        })
    }

    /// Run every step; `progress(i, n, name)` is called before step `i` of `n`. A step that
    /// fails is recorded in [`RunOutput::failed`] (the other steps still run); see
    /// [`Job::run_with`].
    pub fn run(
        &self,
        tables: &Tables,
        as_of: DateTime<Utc>,
        mut progress: impl FnMut(usize, usize, &str),
    ) -> Result<RunOutput> {
        self.run_with(
            tables,
            as_of,
            RunOptions {
                progress: Some(&mut progress),
                ..RunOptions::default()
            },
        )
    }

    /// Run the steps chosen by `options` (all by default).
    ///
    /// A step that returns an error does not stop the run: its tables are left as they were,
    /// the failure is listed in [`RunOutput::failed`] and in the summary (`"ok": false`,
    /// `"failed_steps"`), and an operator notification (kind `run_failed`, severity high,
    /// deduplicated per `as_of` and step) goes to the outbox. Cancellation
    /// ([`RunOptions::cancel`], checked before each step) is the exception: the run stops with
    /// [`CoreError::Cancelled`](crate::CoreError::Cancelled) and nothing is written.
    ///
    /// ```
    /// use edupulse_core::job::{Job, JobConfig, RunOptions};
    /// use edupulse_core::simulate::{simulate, SimConfig};
    /// let sim = SimConfig { students: 40, seed: 3, ..SimConfig::default() };
    /// let tables = simulate(&sim)?;
    /// let as_of = edupulse_core::model::date_to_datetime(sim.end_date());
    /// let job = Job::new(&JobConfig::default())?;
    /// let run = job.run_with(&tables, as_of, RunOptions::steps(&["kpis"]))?;
    /// assert!(run.failed.is_empty());
    /// assert!(run.results.iter().all(|r| r.spec.step == "kpis"));
    /// # Ok::<(), edupulse_core::CoreError>(())
    /// ```
    pub fn run_with(
        &self,
        tables: &Tables,
        as_of: DateTime<Utc>,
        mut options: RunOptions<'_>,
    ) -> Result<RunOutput> {
        let chosen: Vec<&dyn Step> = match &options.steps {
            Some(names) => {
                let names: Vec<&str> = names.iter().map(String::as_str).collect();
                self.check_names(&names)?;
                self.steps
                    .iter()
                    .filter(|s| names.contains(&s.name()))
                    .map(|s| s.as_ref())
                    .collect()
            }
            None => self.steps.iter().map(|s| s.as_ref()).collect(),
        };
        let mut out = RunOutput {
            as_of,
            results: Vec::new(),
            notifications: Vec::new(),
            summary: serde_json::json!({}),
            failed: Vec::new(),
        };
        let mut steps = serde_json::Map::new();
        let n = chosen.len();
        for (i, step) in chosen.iter().enumerate() {
            if let Some(p) = options.progress.as_mut() {
                p(i, n, step.name());
            }
            if options.cancel.is_some_and(|c| c()) {
                return Err(crate::CoreError::Cancelled);
            }
            match step.run(tables, as_of) {
                Ok(s) => {
                    let rows: usize = s.results.iter().map(|r| r.rows.len()).sum();
                    steps.insert(
                        step.name().to_string(),
                        serde_json::json!({
                            "ok": true,
                            "results": rows,
                            "notifications": s.notifications.len(),
                            "summary": s.summary,
                        }),
                    );
                    out.results.extend(s.results);
                    out.notifications.extend(s.notifications);
                }
                Err(crate::CoreError::Cancelled) => return Err(crate::CoreError::Cancelled),
                Err(e) => {
                    let failure = StepFailure {
                        step: step.name().to_string(),
                        error: e.to_string(),
                    };
                    steps.insert(
                        step.name().to_string(),
                        serde_json::json!({ "ok": false, "error": failure.error }),
                    );
                    out.notifications.push(failure.notification(as_of));
                    out.failed.push(failure);
                }
            }
        }
        if let Some(p) = options.progress.as_mut() {
            p(n, n, "write");
        }
        if options.cancel.is_some_and(|c| c()) {
            return Err(crate::CoreError::Cancelled);
        }
        out.summary = run_summary(as_of, steps);
        // The zone the run read its days on (only when not UTC, so UTC summaries are unchanged):
        // the report and `Store.results(as_of=DATE)` read dates on it.
        if let (false, Some(s)) = (self.clock.is_utc(), out.summary.as_object_mut()) {
            s.insert("timezone".into(), serde_json::json!(self.clock.name()));
        }
        Ok(out)
    }

    fn check_names(&self, names: &[&str]) -> Result<()> {
        match names
            .iter()
            .find(|n| !self.steps.iter().any(|s| s.name() == **n))
        {
            Some(unknown) => Err(crate::CoreError::param(
                "steps",
                format!(
                    "unknown step `{unknown}` (expected one of: {})",
                    self.step_names().join(", ")
                ),
            )),
            None => Ok(()),
        }
    }
}

/// The run summary from the per-step summaries (`{"ok", "results", "notifications",
/// "summary"}` or `{"ok": false, "error"}` each): `as_of`, `ok` (every step succeeded),
/// `failed_steps`, the steps, and the totals.
pub fn run_summary(
    as_of: DateTime<Utc>,
    steps: serde_json::Map<String, serde_json::Value>,
) -> serde_json::Value {
    let count = |field: &str| -> u64 {
        steps
            .values()
            .filter_map(|s| s.get(field).and_then(serde_json::Value::as_u64))
            .sum()
    };
    let failed: Vec<&String> = steps
        .iter()
        .filter(|(_, s)| s.get("ok").and_then(serde_json::Value::as_bool) == Some(false))
        .map(|(k, _)| k)
        .collect();
    serde_json::json!({
        "as_of": crate::model::format_datetime(&as_of),
        "ok": failed.is_empty(),
        "failed_steps": failed,
        "results": count("results"),
        "notifications": count("notifications"),
        "steps": steps,
    })
}

/// A progress callback: `(step index, step count, step name)`.
pub type ProgressFn<'a> = &'a mut dyn FnMut(usize, usize, &str);

/// How to run the job: which steps, with what progress callback, and how to cancel.
#[derive(Default)]
pub struct RunOptions<'a> {
    /// Run only these steps (in the job's order); `None`: every step. An unknown name is an
    /// [`InvalidParameter`](crate::CoreError::InvalidParameter) error on `steps`.
    pub steps: Option<Vec<String>>,
    /// Called before step `i` of `n` with its name, and with `(n, n, "write")` at the end.
    pub progress: Option<ProgressFn<'a>>,
    /// Polled before each step (after its progress call) and before the write: `true` stops the
    /// run with `Cancelled` (nothing is written).
    pub cancel: Option<&'a dyn Fn() -> bool>,
}

impl std::fmt::Debug for RunOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("steps", &self.steps)
            .field("progress", &self.progress.is_some())
            .field("cancel", &self.cancel.is_some())
            .finish()
    }
}

impl RunOptions<'_> {
    /// Only the steps named.
    pub fn steps(names: &[&str]) -> RunOptions<'static> {
        RunOptions {
            steps: Some(names.iter().map(|s| s.to_string()).collect()),
            ..RunOptions::default()
        }
    }
}

#[cfg(test)]
#[path = "job_tz_tests.rs"]
mod tz_tests;

#[cfg(test)]
#[path = "job_tz_steps_tests.rs"]
mod tz_steps_tests;
