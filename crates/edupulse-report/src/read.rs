//! The read model: one struct per section of the report, each filled from the typed rows of the
//! run's result tables ([`typed_results`]) and sorted for reading. No JSON is parsed here.

use crate::Error;
use chrono::{DateTime, NaiveDate, Utc};
use edupulse_core::certify::{CertEligibilityRow, CertIssuedRow};
use edupulse_core::churn::step::{ChurnModelRow, ChurnScoreRow};
use edupulse_core::churn::CohortRow;
use edupulse_core::clock::LocalClock;
use edupulse_core::community::step::{BadgeRow, CommunityKpiRow, LeaderboardEntry};
use edupulse_core::community::{MentorPair, StudyGroupRow, UpcomingRecommendation};
use edupulse_core::content::step::{LessonRow, MasteryRow, NextStepRow};
use edupulse_core::demand::rows::{
    PlannedWebinarRow, SegmentBestSlotRow, SlotHeatmapRow, WebinarForecastRow,
};
use edupulse_core::demand::Reschedule;
use edupulse_core::experiments::{ExperimentLookRow, ExperimentResultRow};
use edupulse_core::feedback::{
    TestimonialRow, WebinarCommentRow, WebinarMinuteRow, WebinarOutcomeRow,
};
use edupulse_core::forecast::RevenueForecastRow;
use edupulse_core::kpi::scorecard::ScorecardRow;
use edupulse_core::kpi::{FunnelRow, KpiSummary, MonthRevenue, SlotRow};
use edupulse_core::leads::step::LeadModelRow;
use edupulse_core::leads::{Grade, LeadScoreRow};
use edupulse_core::repetition::schedule::{ConceptStats, ReviewForecastDay, ReviewSummary};
use edupulse_core::results::{OutboxItem, ResultTable};
use edupulse_core::trends::step::MetricAnomaly;
use edupulse_core::trends::{Decision, EmergingQuery, KeywordTrend};
use edupulse_store::{typed_results, Store};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Headline KPIs, the funnel, attendance by slot and revenue by month (`kpi_*` tables).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KpiSection {
    /// The `kpi_summary` row, when the run has one.
    pub summary: Option<KpiSummary>,
    /// `kpi_funnel`: `all` first, then by dimension and segment.
    pub funnel: Vec<FunnelRow>,
    /// `kpi_slots`, by weekday and hour.
    pub slots: Vec<SlotRow>,
    /// `kpi_revenue`, oldest month first.
    pub revenue: Vec<MonthRevenue>,
    /// `kpi_scorecard`: missed first, then at risk, on track, without target or data; by KPI.
    #[serde(default)]
    pub scorecard: Vec<ScorecardRow>,
}

impl KpiSection {
    async fn read(store: &dyn Store, as_of: DateTime<Utc>) -> Result<KpiSection, Error> {
        let mut s = KpiSection {
            summary: typed_results::<KpiSummary>(store, Some(as_of))
                .await?
                .into_iter()
                .next(),
            funnel: typed_results(store, Some(as_of)).await?,
            slots: typed_results(store, Some(as_of)).await?,
            revenue: typed_results(store, Some(as_of)).await?,
            scorecard: typed_results(store, Some(as_of)).await?,
        };
        let severity = |status: &str| match status {
            "missed" => 0,
            "at_risk" => 1,
            "on_track" => 2,
            "no_target" => 3,
            _ => 4,
        };
        s.scorecard
            .sort_by(|a, b| (severity(&a.status), &a.kpi).cmp(&(severity(&b.status), &b.kpi)));
        s.funnel.sort_by(|a, b| {
            (a.dimension != "all", &a.dimension, &a.segment).cmp(&(
                b.dimension != "all",
                &b.dimension,
                &b.segment,
            ))
        });
        s.slots.sort_by_key(|r| (r.weekday, r.hour));
        s.revenue.sort_by(|a, b| a.month.cmp(&b.month));
        Ok(s)
    }
}

/// Keyword trends, emerging related queries and business-metric anomalies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrendsSection {
    /// `trend_alerts`: alerting first, then rising, then by keyword.
    pub keywords: Vec<KeywordTrend>,
    /// `emerging_queries`: breakouts first, then by keyword and query.
    pub emerging: Vec<EmergingQuery>,
    /// `metric_anomalies`, by metric name.
    pub metrics: Vec<MetricAnomaly>,
}

impl TrendsSection {
    async fn read(store: &dyn Store, as_of: DateTime<Utc>) -> Result<TrendsSection, Error> {
        let mut s = TrendsSection {
            keywords: typed_results(store, Some(as_of)).await?,
            emerging: typed_results(store, Some(as_of)).await?,
            metrics: typed_results(store, Some(as_of)).await?,
        };
        s.keywords.sort_by(|a, b| {
            (
                a.alert.is_none(),
                a.decision != Decision::Rising,
                &a.keyword,
            )
                .cmp(&(
                    b.alert.is_none(),
                    b.decision != Decision::Rising,
                    &b.keyword,
                ))
        });
        s.emerging.sort_by(|a, b| {
            (a.class, &a.keyword, &a.related).cmp(&(b.class, &b.keyword, &b.related))
        });
        s.metrics.sort_by(|a, b| a.metric.cmp(&b.metric));
        Ok(s)
    }
}

/// Churn risk scores, signup cohorts and the fitted models' summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChurnSection {
    /// `churn_scores`, highest probability first.
    pub scores: Vec<ChurnScoreRow>,
    /// `churn_cohorts`, oldest cohort first.
    pub cohorts: Vec<CohortRow>,
    /// The `churn_models` row, when the run has one.
    pub model: Option<ChurnModelRow>,
}

impl ChurnSection {
    async fn read(store: &dyn Store, as_of: DateTime<Utc>) -> Result<ChurnSection, Error> {
        let mut s = ChurnSection {
            scores: typed_results(store, Some(as_of)).await?,
            cohorts: typed_results(store, Some(as_of)).await?,
            model: typed_results::<ChurnModelRow>(store, Some(as_of))
                .await?
                .into_iter()
                .next(),
        };
        s.scores.sort_by(|a, b| {
            b.probability
                .total_cmp(&a.probability)
                .then_with(|| a.student_id.cmp(&b.student_id))
        });
        s.cohorts.sort_by(|a, b| a.cohort.cmp(&b.cohort));
        Ok(s)
    }
}

/// Leads and conversions of one grade.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GradeCount {
    /// The grade.
    pub grade: Grade,
    /// Leads of the grade.
    pub leads: usize,
    /// Of them, leads that purchased.
    pub converted: usize,
}

impl GradeCount {
    /// converted / leads (0 without leads).
    pub fn conversion(&self) -> f64 {
        self.converted as f64 / self.leads.max(1) as f64
    }
}

/// Lead grades, conversion by grade, the scorer used and the hot list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadsSection {
    /// Leads scored in the run.
    pub total: usize,
    /// Hot, warm and cold, in that order.
    pub grades: Vec<GradeCount>,
    /// The `lead_model` row: which scorer and why.
    pub model: Option<LeadModelRow>,
    /// Hot leads not yet converted, highest score first (at most [`LeadsSection::HOT_LIST`]).
    pub hot: Vec<LeadScoreRow>,
}

impl LeadsSection {
    /// Length of the hot list.
    pub const HOT_LIST: usize = 25;

    async fn read(store: &dyn Store, as_of: DateTime<Utc>) -> Result<LeadsSection, Error> {
        let rows: Vec<LeadScoreRow> = typed_results(store, Some(as_of)).await?;
        let grades = [Grade::Hot, Grade::Warm, Grade::Cold]
            .into_iter()
            .map(|g| GradeCount {
                grade: g,
                leads: rows.iter().filter(|r| r.grade == g).count(),
                converted: rows.iter().filter(|r| r.grade == g && r.converted).count(),
            })
            .collect();
        let total = rows.len();
        let mut hot: Vec<LeadScoreRow> = rows
            .into_iter()
            .filter(|r| r.grade == Grade::Hot && !r.converted)
            .collect();
        hot.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.lead_id.cmp(&b.lead_id))
        });
        hot.truncate(Self::HOT_LIST);
        Ok(LeadsSection {
            total,
            grades,
            model: typed_results::<LeadModelRow>(store, Some(as_of))
                .await?
                .into_iter()
                .next(),
            hot,
        })
    }
}

/// Experiments: one row per experiment × variant and the sequential p-values over the looks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExperimentsSection {
    /// `experiment_results` rows of the run, by experiment and variant.
    pub rows: Vec<ExperimentResultRow>,
    /// `experiment_looks` rows of the run.
    pub looks: Vec<ExperimentLookRow>,
}

impl ExperimentsSection {
    async fn read(store: &dyn Store, as_of: DateTime<Utc>) -> Result<ExperimentsSection, Error> {
        let mut rows: Vec<ExperimentResultRow> = typed_results(store, Some(as_of)).await?;
        rows.sort_by(|a, b| {
            (a.experiment_id.as_str(), a.variant.as_str())
                .cmp(&(b.experiment_id.as_str(), b.variant.as_str()))
        });
        let mut looks: Vec<ExperimentLookRow> = typed_results(store, Some(as_of)).await?;
        looks.sort_by(|a, b| {
            (a.experiment_id.as_str(), a.variant.as_str(), a.look_at).cmp(&(
                b.experiment_id.as_str(),
                b.variant.as_str(),
                b.look_at,
            ))
        });
        Ok(ExperimentsSection { rows, looks })
    }
}

/// Certifications: the run's eligibility and the issuer's latest register.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CertifySection {
    /// `cert_eligibility` rows of the run.
    pub eligibility: Vec<CertEligibilityRow>,
    /// `cert_issued` rows of the latest register written by `edupulse certs issue`.
    pub issued: Vec<CertIssuedRow>,
    /// The `as_of` of that register (none when no credential was ever recorded).
    pub issued_as_of: Option<DateTime<Utc>>,
}

impl CertifySection {
    async fn read(store: &dyn Store, as_of: DateTime<Utc>) -> Result<CertifySection, Error> {
        let eligibility: Vec<CertEligibilityRow> = typed_results(store, Some(as_of)).await?;
        let set = store.results("cert_issued", None).await?;
        let issued_as_of = (!set.rows.is_empty()).then_some(set.as_of);
        let issued: Vec<CertIssuedRow> = set.decode()?;
        Ok(CertifySection {
            eligibility,
            issued,
            issued_as_of,
        })
    }
}

/// The local clock of a run from its summary's `timezone` (written by the job when the zone is
/// not UTC); UTC without one.
pub fn run_clock(summary: Option<&serde_json::Value>) -> Result<LocalClock, Error> {
    match summary
        .and_then(|s| s.get("timezone"))
        .and_then(serde_json::Value::as_str)
    {
        Some(name) => Ok(LocalClock::new(name)?),
        None => Ok(LocalClock::UTC),
    }
}

/// The revenue forecast: the run's `revenue_forecast` rows and the daily revenue of the
/// `HISTORY_DAYS` days before them (from `purchases`, by local day of the run's zone, as the
/// forecast's own days).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ForecastSection {
    /// `revenue_forecast` rows of the run, in date order.
    pub forecast: Vec<RevenueForecastRow>,
    /// Daily revenue (sum of `purchases.amount`) before the first forecast day, oldest first.
    pub history: Vec<(NaiveDate, f64)>,
}

/// Days of history drawn before the forecast.
pub const HISTORY_DAYS: i64 = 90;

impl ForecastSection {
    async fn read(
        store: &dyn Store,
        as_of: DateTime<Utc>,
        clock: &LocalClock,
    ) -> Result<ForecastSection, Error> {
        let mut forecast: Vec<RevenueForecastRow> = typed_results(store, Some(as_of)).await?;
        forecast.sort_by_key(|r| r.date);
        let Some(first) = forecast.first().map(|r| r.date) else {
            return Ok(ForecastSection::default());
        };
        let from = first - chrono::Duration::days(HISTORY_DAYS);
        let range = edupulse_store::TimeRange {
            start: Some(clock.start_of_day(from)),
            end: Some(clock.start_of_day(first)),
        };
        let tables = store
            .read(edupulse_core::model::Table::Purchases, range)
            .await?;
        let mut days: BTreeMap<NaiveDate, f64> = (0..HISTORY_DAYS)
            .map(|k| (from + chrono::Duration::days(k), 0.0))
            .collect();
        for p in &tables.purchases {
            if let Some(v) = days.get_mut(&clock.date(p.at)) {
                *v += p.amount;
            }
        }
        Ok(ForecastSection {
            forecast,
            history: days.into_iter().collect(),
        })
    }
}

/// Demand forecasts: heatmaps and best slots per target segment, the planned webinars'
/// forecasts, rescheduling suggestions and next month's calendar.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DemandSection {
    /// `slot_heatmap`, by target, weekday and hour.
    pub heatmap: Vec<SlotHeatmapRow>,
    /// `segment_best_slots`, by target and rank.
    pub best: Vec<SegmentBestSlotRow>,
    /// `webinar_forecasts`, by start time.
    pub forecasts: Vec<WebinarForecastRow>,
    /// `reschedule_suggestions`, largest improvement first.
    pub reschedule: Vec<Reschedule>,
    /// `planned_calendar`, by start time.
    pub calendar: Vec<PlannedWebinarRow>,
}

impl DemandSection {
    async fn read(store: &dyn Store, as_of: DateTime<Utc>) -> Result<DemandSection, Error> {
        let mut s = DemandSection {
            heatmap: typed_results(store, Some(as_of)).await?,
            best: typed_results(store, Some(as_of)).await?,
            forecasts: typed_results(store, Some(as_of)).await?,
            reschedule: typed_results(store, Some(as_of)).await?,
            calendar: typed_results(store, Some(as_of)).await?,
        };
        s.heatmap
            .sort_by(|a, b| (&a.target, a.weekday, a.hour).cmp(&(&b.target, b.weekday, b.hour)));
        s.best
            .sort_by(|a, b| (&a.target, a.rank).cmp(&(&b.target, b.rank)));
        s.forecasts
            .sort_by(|a, b| (a.starts_at, &a.webinar_id).cmp(&(b.starts_at, &b.webinar_id)));
        s.reschedule.sort_by(|a, b| {
            b.improvement_pct
                .total_cmp(&a.improvement_pct)
                .then_with(|| a.webinar_id.cmp(&b.webinar_id))
        });
        s.calendar.sort_by_key(|c| (c.starts_at, c.rank));
        Ok(s)
    }

    /// The targets of the heatmap, in order, each with its cells.
    pub fn heatmaps(&self) -> BTreeMap<&str, Vec<&SlotHeatmapRow>> {
        let mut m: BTreeMap<&str, Vec<&SlotHeatmapRow>> = BTreeMap::new();
        for c in &self.heatmap {
            m.entry(c.target.as_str()).or_default().push(c);
        }
        m
    }
}

/// Spaced repetition: the summary, the workload forecast and the concepts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RepetitionSection {
    /// The `review_summary` row, when the run has one.
    pub summary: Option<ReviewSummary>,
    /// `review_forecast`, by date.
    pub forecast: Vec<ReviewForecastDay>,
    /// `review_concepts`, lowest mean retention first.
    pub concepts: Vec<ConceptStats>,
}

impl RepetitionSection {
    async fn read(store: &dyn Store, as_of: DateTime<Utc>) -> Result<RepetitionSection, Error> {
        let mut s = RepetitionSection {
            summary: typed_results::<ReviewSummary>(store, Some(as_of))
                .await?
                .into_iter()
                .next(),
            forecast: typed_results(store, Some(as_of)).await?,
            concepts: typed_results(store, Some(as_of)).await?,
        };
        s.forecast.sort_by_key(|f| f.date);
        s.concepts.sort_by(|a, b| {
            a.mean_retention
                .total_cmp(&b.mean_retention)
                .then_with(|| a.card_id.cmp(&b.card_id))
        });
        Ok(s)
    }
}

/// Content: micro-lessons, mastery per concept and next steps (`content_*` tables).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContentSection {
    /// `content_lessons`, by recording and position.
    pub lessons: Vec<LessonRow>,
    /// `content_mastery`, by learner and concept.
    pub mastery: Vec<MasteryRow>,
    /// `content_next_steps`, by learner.
    pub next_steps: Vec<NextStepRow>,
}

impl ContentSection {
    async fn read(store: &dyn Store, as_of: DateTime<Utc>) -> Result<ContentSection, Error> {
        let mut s = ContentSection {
            lessons: typed_results(store, Some(as_of)).await?,
            mastery: typed_results(store, Some(as_of)).await?,
            next_steps: typed_results(store, Some(as_of)).await?,
        };
        s.lessons
            .sort_by(|a, b| (&a.content_id, a.lesson).cmp(&(&b.content_id, b.lesson)));
        s.mastery
            .sort_by(|a, b| (&a.student_id, &a.concept_id).cmp(&(&b.student_id, &b.concept_id)));
        s.next_steps.sort_by(|a, b| a.student_id.cmp(&b.student_id));
        Ok(s)
    }
}

/// Community: participation KPI, leaderboards, badges, mentor pairs, study groups and
/// upcoming-webinar recommendations (`community_*` tables; not the ledger).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommunitySection {
    /// `community_kpi` (none before the step ran).
    pub kpi: Option<CommunityKpiRow>,
    /// `community_leaderboard`, by period and rank.
    pub leaderboard: Vec<LeaderboardEntry>,
    /// `community_badges`, by time.
    pub badges: Vec<BadgeRow>,
    /// `community_mentor_pairs`, by affinity (highest first) and mentee.
    pub pairs: Vec<MentorPair>,
    /// `community_study_groups`, by group and student.
    pub groups: Vec<StudyGroupRow>,
    /// `community_recommendations`, by student and rank.
    pub recommendations: Vec<UpcomingRecommendation>,
}

impl CommunitySection {
    async fn read(store: &dyn Store, as_of: DateTime<Utc>) -> Result<CommunitySection, Error> {
        let mut s = CommunitySection {
            kpi: typed_results::<CommunityKpiRow>(store, Some(as_of))
                .await?
                .into_iter()
                .next(),
            leaderboard: typed_results(store, Some(as_of)).await?,
            badges: typed_results(store, Some(as_of)).await?,
            pairs: typed_results(store, Some(as_of)).await?,
            groups: typed_results(store, Some(as_of)).await?,
            recommendations: typed_results(store, Some(as_of)).await?,
        };
        s.leaderboard
            .sort_by(|a, b| (&a.period, a.rank).cmp(&(&b.period, b.rank)));
        s.badges.sort_by(|a, b| {
            (a.earned_at, &a.badge, &a.student_id).cmp(&(b.earned_at, &b.badge, &b.student_id))
        });
        s.pairs.sort_by(|a, b| {
            b.affinity
                .cmp(&a.affinity)
                .then_with(|| a.mentee_id.cmp(&b.mentee_id))
        });
        s.groups
            .sort_by(|a, b| (&a.group_id, &a.student_id).cmp(&(&b.group_id, &b.student_id)));
        s.recommendations
            .sort_by(|a, b| (&a.student_id, a.rank).cmp(&(&b.student_id, b.rank)));
        Ok(s)
    }
}

/// Feedback: per-webinar outcomes, testimonial candidates, and what each webinar's page shows
/// (its timeline and quoted comments).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedbackSection {
    /// `webinar_outcomes`, in start order.
    pub outcomes: Vec<WebinarOutcomeRow>,
    /// `testimonial_candidates`, by person.
    pub testimonials: Vec<TestimonialRow>,
    /// `webinar_timeline`, by webinar and minute.
    #[serde(default)]
    pub timeline: Vec<WebinarMinuteRow>,
    /// `webinar_comments`, by webinar, kind and rank.
    #[serde(default)]
    pub comments: Vec<WebinarCommentRow>,
    /// The run's `[job.feedback] conversion_window_days` (from the step's summary; `None` for
    /// a run written before it was recorded).
    #[serde(default)]
    pub conversion_window_days: Option<u32>,
    /// The run's `[job.feedback] attendance_floor` (from the step's summary).
    #[serde(default)]
    pub attendance_floor: Option<f64>,
}

impl FeedbackSection {
    async fn read(
        store: &dyn Store,
        as_of: DateTime<Utc>,
        summary: Option<&serde_json::Value>,
    ) -> Result<FeedbackSection, Error> {
        let step = summary.and_then(|s| s.pointer("/steps/feedback/summary"));
        let mut s = FeedbackSection {
            outcomes: typed_results(store, Some(as_of)).await?,
            testimonials: typed_results(store, Some(as_of)).await?,
            timeline: typed_results(store, Some(as_of)).await?,
            comments: typed_results(store, Some(as_of)).await?,
            conversion_window_days: step
                .and_then(|s| s.get("conversion_window_days"))
                .and_then(serde_json::Value::as_u64)
                .and_then(|d| u32::try_from(d).ok()),
            attendance_floor: step
                .and_then(|s| s.get("attendance_floor"))
                .and_then(serde_json::Value::as_f64),
        };
        s.outcomes
            .sort_by(|a, b| (a.starts_at, &a.webinar_id).cmp(&(b.starts_at, &b.webinar_id)));
        s.testimonials.sort_by(|a, b| a.person_id.cmp(&b.person_id));
        s.timeline
            .sort_by(|a, b| (&a.webinar_id, a.minute).cmp(&(&b.webinar_id, b.minute)));
        s.comments.sort_by(|a, b| {
            (&a.webinar_id, &a.kind, a.rank).cmp(&(&b.webinar_id, &b.kind, b.rank))
        });
        Ok(s)
    }

    /// The timeline rows of `webinar_id`, by minute.
    pub fn timeline_of(&self, webinar_id: &str) -> &[WebinarMinuteRow] {
        let from = self
            .timeline
            .partition_point(|r| r.webinar_id.as_str() < webinar_id);
        let to = self
            .timeline
            .partition_point(|r| r.webinar_id.as_str() <= webinar_id);
        &self.timeline[from..to]
    }

    /// The comments of `webinar_id` of `kind` (`positive`, `negative`, `question`), by rank.
    pub fn comments_of<'a>(
        &'a self,
        webinar_id: &'a str,
        kind: &'a str,
    ) -> impl Iterator<Item = &'a WebinarCommentRow> + 'a {
        let from = self
            .comments
            .partition_point(|r| r.webinar_id.as_str() < webinar_id);
        let to = self
            .comments
            .partition_point(|r| r.webinar_id.as_str() <= webinar_id);
        self.comments[from..to]
            .iter()
            .filter(move |r| r.kind == kind)
    }
}

/// The outbox and the size of every store table.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OutboxSection {
    /// Every notification, oldest first.
    pub notifications: Vec<OutboxItem>,
    /// Rows of every store table.
    pub counts: BTreeMap<String, u64>,
}

impl OutboxSection {
    async fn read(store: &dyn Store) -> Result<OutboxSection, Error> {
        let mut notifications = store.outbox(false).await?;
        notifications.sort_by_key(|n| n.notification.created_at);
        Ok(OutboxSection {
            notifications,
            counts: store.counts().await?,
        })
    }
}

/// Everything the report shows, as data: `report.json` is this struct.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The run reported on.
    pub as_of: DateTime<Utc>,
    /// Steps of the run that failed (their sections show what was stored before).
    pub failed_steps: Vec<String>,
    /// KPIs.
    pub kpis: KpiSection,
    /// Trends.
    pub trends: TrendsSection,
    /// Churn.
    pub churn: ChurnSection,
    /// Leads.
    pub leads: LeadsSection,
    /// Demand.
    pub demand: DemandSection,
    /// Experiments.
    pub experiments: ExperimentsSection,
    /// Certifications.
    pub certify: CertifySection,
    /// Spaced repetition.
    pub repetition: RepetitionSection,
    /// Content and learning paths.
    pub content: ContentSection,
    /// Community.
    pub community: CommunitySection,
    /// The revenue forecast.
    #[serde(default)]
    pub forecast: ForecastSection,
    /// Webinar outcomes and testimonials.
    pub feedback: FeedbackSection,
    /// The zone the run read its days on (`[job] timezone`, from its summary; UTC when
    /// absent): the webinar pages show local times in it.
    pub timezone: LocalClock,
    /// Notifications and store counts.
    pub outbox: OutboxSection,
}

impl Report {
    /// Read the report of the run at `as_of` (the latest run when `None`) from `store`.
    ///
    /// The run is found in the store's run records; a store without one for `as_of` (but with
    /// KPI rows, e.g. migrated from an old release) is read from its `kpi_summary` table.
    /// No such run is [`Error::NoRun`].
    pub async fn build(store: &dyn Store, as_of: Option<DateTime<Utc>>) -> Result<Report, Error> {
        let runs = store.runs().await?;
        let record = match as_of {
            Some(t) => runs.iter().find(|r| r.as_of == t),
            None => runs.iter().max_by_key(|r| r.as_of),
        };
        let as_of = match record {
            Some(r) => r.as_of,
            None => {
                let set = store.results(KpiSummary::SPEC.name, as_of).await?;
                if set.rows.is_empty() {
                    return Err(Error::NoRun {
                        store: store.describe(),
                        as_of,
                    });
                }
                set.as_of
            }
        };
        // The zone the run read its days on (its summary's `timezone`; UTC when absent).
        let clock = run_clock(record.map(|r| &r.summary))?;
        let failed_steps = record
            .and_then(|r| r.summary.get("failed_steps"))
            .and_then(serde_json::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Report {
            as_of,
            failed_steps,
            kpis: KpiSection::read(store, as_of).await?,
            trends: TrendsSection::read(store, as_of).await?,
            churn: ChurnSection::read(store, as_of).await?,
            leads: LeadsSection::read(store, as_of).await?,
            demand: DemandSection::read(store, as_of).await?,
            experiments: ExperimentsSection::read(store, as_of).await?,
            certify: CertifySection::read(store, as_of).await?,
            repetition: RepetitionSection::read(store, as_of).await?,
            content: ContentSection::read(store, as_of).await?,
            community: CommunitySection::read(store, as_of).await?,
            forecast: ForecastSection::read(store, as_of, &clock).await?,
            feedback: FeedbackSection::read(store, as_of, record.map(|r| &r.summary)).await?,
            timezone: clock,
            outbox: OutboxSection::read(store).await?,
        })
    }
}
