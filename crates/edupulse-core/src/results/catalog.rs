//! Every result table of the daily job, in step order: what `edupulse schema`,
//! `edupulse.result_tables()`, the stores' DDL and `docs/results.md` are generated from.

use super::{spec_of, ResultSpec};
use crate::certify::{CertEligibilityRow, CertIssuedRow};
use crate::churn::cohort::CohortRow;
use crate::churn::step::{ChurnModelRow, ChurnScoreRow};
use crate::community::step::{
    BadgeRow, CommunityKpiRow, LeaderboardEntry, ParticipationRow, PointsRow,
};
use crate::community::{MentorPair, StudyGroupRow, UpcomingRecommendation};
use crate::content::step::{LessonRow, MasteryRow, NextStepRow};
use crate::demand::rows::{
    BestSlotRow, PlannedWebinarRow, SegmentBestSlotRow, SlotHeatmapRow, WebinarForecastRow,
};
use crate::demand::Reschedule;
use crate::error::CoreError;
use crate::experiments::{ExperimentLookRow, ExperimentResultRow};
use crate::feedback::{TestimonialRow, WebinarCommentRow, WebinarMinuteRow, WebinarOutcomeRow};
use crate::forecast::RevenueForecastRow;
use crate::kpi::scorecard::ScorecardRow;
use crate::kpi::{FunnelRow, KpiSummary, MonthRevenue, SlotRow};
use crate::leads::nurture::NurtureDecision;
use crate::leads::step::{LeadModelRow, LeadScoreRow};
use crate::repetition::schedule::{
    ConceptStats, LearnerSchedule, LearnerTarget, ReviewForecastDay, ReviewSummary, StuckEpisode,
};
use crate::trends::related::EmergingQuery;
use crate::trends::step::MetricAnomaly;
use crate::trends::KeywordTrend;

/// Every result table, in step order.
pub fn catalog() -> &'static [&'static ResultSpec] {
    static ALL: std::sync::OnceLock<Vec<&'static ResultSpec>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        vec![
            spec_of::<KpiSummary>(),
            spec_of::<FunnelRow>(),
            spec_of::<SlotRow>(),
            spec_of::<MonthRevenue>(),
            spec_of::<ScorecardRow>(),
            spec_of::<ReviewSummary>(),
            spec_of::<LearnerSchedule>(),
            spec_of::<LearnerTarget>(),
            spec_of::<ConceptStats>(),
            spec_of::<ReviewForecastDay>(),
            spec_of::<StuckEpisode>(),
            spec_of::<KeywordTrend>(),
            spec_of::<MetricAnomaly>(),
            spec_of::<EmergingQuery>(),
            spec_of::<ChurnScoreRow>(),
            spec_of::<ChurnModelRow>(),
            spec_of::<CohortRow>(),
            spec_of::<LeadScoreRow>(),
            spec_of::<NurtureDecision>(),
            spec_of::<LeadModelRow>(),
            spec_of::<WebinarForecastRow>(),
            spec_of::<BestSlotRow>(),
            spec_of::<Reschedule>(),
            spec_of::<SlotHeatmapRow>(),
            spec_of::<SegmentBestSlotRow>(),
            spec_of::<PlannedWebinarRow>(),
            spec_of::<ExperimentResultRow>(),
            spec_of::<ExperimentLookRow>(),
            spec_of::<CertEligibilityRow>(),
            spec_of::<CertIssuedRow>(),
            spec_of::<RevenueForecastRow>(),
            spec_of::<LessonRow>(),
            spec_of::<MasteryRow>(),
            spec_of::<NextStepRow>(),
            spec_of::<PointsRow>(),
            spec_of::<BadgeRow>(),
            spec_of::<LeaderboardEntry>(),
            spec_of::<ParticipationRow>(),
            spec_of::<CommunityKpiRow>(),
            spec_of::<MentorPair>(),
            spec_of::<StudyGroupRow>(),
            spec_of::<UpcomingRecommendation>(),
            spec_of::<WebinarOutcomeRow>(),
            spec_of::<TestimonialRow>(),
            spec_of::<WebinarMinuteRow>(),
            spec_of::<WebinarCommentRow>(),
        ]
    })
}

/// The result table named `name`.
pub fn spec(name: &str) -> Option<&'static ResultSpec> {
    catalog().iter().copied().find(|s| s.name == name)
}

/// The error for an unknown result table name: an
/// [`InvalidParameter`](CoreError::InvalidParameter) on `table` listing the known ones.
pub fn unknown_table(name: &str) -> CoreError {
    CoreError::param(
        "table",
        format!(
            "unknown result table `{name}` (known: {})",
            catalog()
                .iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

/// `docs/results.md`: every result table with its key and columns (SQL types on SQLite and
/// PostgreSQL, nullability, doc), generated from the catalog.
pub fn markdown() -> String {
    use std::fmt::Write as _;
    let mut out = String::from(
        "# Result tables\n\n\
         <!-- Generated from the result catalog (`edupulse_core::results::catalog`) by\n\
         `EDUPULSE_UPDATE_DOCS=1 cargo test -p edupulse-core --lib results`; do not edit. -->\n\n\
         Every step of the daily job writes typed tables. Each row carries `as_of`, the time of the\n\
         run that wrote it (`timestamptz` on PostgreSQL; RFC 3339 text on SQLite); re-running an\n\
         `as_of` replaces that run's rows. Each table `T` has a view `T_latest` with the rows of its\n\
         most recent `as_of`, e.g.\n\n\
         ```sql\nselect risk_level, count(*) from churn_scores_latest group by 1;\n```\n\n\
         Column types: `text`, `float` (double precision), `int` (bigint), `bool`, `datetime`\n\
         (timestamptz), `date`, `json` (jsonb on PostgreSQL, JSON text on SQLite). The same list is\n\
         printed by `edupulse schema` and returned by `edupulse.result_tables()`.\n\n",
    );
    let _ = writeln!(out, "| table | step | key | what one row is |");
    let _ = writeln!(out, "|---|---|---|---|");
    for s in catalog() {
        let key = if s.key.is_empty() {
            "(one row per run)".to_string()
        } else {
            s.key.join(", ")
        };
        let _ = writeln!(
            out,
            "| [`{0}`](#{0}) | {1} | {key} | {2} |",
            s.name,
            s.step,
            one_line(s.doc)
        );
    }
    for s in catalog() {
        let _ = write!(out, "\n## {}\n\n{}\n\n", s.name, one_line(s.doc));
        let _ = writeln!(out, "| column | type | null | description |");
        let _ = writeln!(out, "|---|---|---|---|");
        let _ = writeln!(
            out,
            "| `as_of` | datetime | no | The time of the run that wrote the row. |"
        );
        for c in s.columns {
            let key = if s.key.contains(&c.name) {
                " (key)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "| `{}`{key} | {} | {} | {} |",
                c.name,
                c.kind.name(),
                if c.nullable { "yes" } else { "no" },
                one_line(c.doc).replace('|', "\\|")
            );
        }
    }
    out
}

fn one_line(doc: &str) -> String {
    doc.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ColumnKind;

    #[test]
    fn every_table_is_well_formed() {
        let mut names = std::collections::HashSet::new();
        for s in catalog() {
            assert!(names.insert(s.name), "{} declared twice", s.name);
            assert!(!s.doc.trim().is_empty(), "{} has no doc", s.name);
            let mut cols = std::collections::HashSet::new();
            for c in s.columns {
                assert!(cols.insert(c.name), "{}.{} twice", s.name, c.name);
                assert_ne!(c.name, "as_of", "{}: `as_of` is the run's column", s.name);
                assert!(!c.doc.trim().is_empty(), "{}.{} has no doc", s.name, c.name);
            }
            for k in s.key {
                let c = s.column(k).unwrap_or_else(|| panic!("{}: key {k}", s.name));
                assert!(!c.nullable, "{}: key column {k} is nullable", s.name);
                assert_ne!(
                    c.kind,
                    ColumnKind::Json,
                    "{}: key column {k} is JSON",
                    s.name
                );
            }
            assert!(spec(s.name).is_some());
        }
        assert!(unknown_table("churn_score")
            .to_string()
            .contains("churn_scores"));
    }

    /// docs/results.md is generated from the catalog; regenerate it with
    /// `EDUPULSE_UPDATE_DOCS=1 cargo test -p edupulse-core --lib results`.
    #[test]
    fn docs_results_md_is_up_to_date() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/results.md");
        let want = markdown();
        if std::env::var_os("EDUPULSE_UPDATE_DOCS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/results.md is stale: run `EDUPULSE_UPDATE_DOCS=1 cargo test -p edupulse-core --lib results`"
        );
    }
}
