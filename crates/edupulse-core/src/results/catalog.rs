//! Every result table of the daily job, in step order: what `edupulse schema`,
//! `edupulse.result_tables()`, the stores' DDL and `docs/results.md` are generated from.

use super::{spec_of, ResultSpec};
use crate::churn::cohort::CohortRow;
use crate::churn::step::{ChurnModelRow, ChurnScoreRow};
use crate::demand::rows::{
    BestSlotRow, PlannedWebinarRow, SegmentBestSlotRow, SlotHeatmapRow, WebinarForecastRow,
};
use crate::demand::Reschedule;
use crate::error::CoreError;
use crate::kpi::{FunnelRow, KpiSummary, MonthRevenue, SlotRow};
use crate::leads::nurture::NurtureDecision;
use crate::leads::step::{LeadModelRow, LeadScoreRow};
use crate::repetition::schedule::{ConceptStats, LearnerSchedule, ReviewForecastDay, ReviewSummary};
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
            spec_of::<ReviewSummary>(),
            spec_of::<LearnerSchedule>(),
            spec_of::<ConceptStats>(),
            spec_of::<ReviewForecastDay>(),
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
                assert_ne!(c.kind, ColumnKind::Json, "{}: key column {k} is JSON", s.name);
            }
            assert!(spec(s.name).is_some());
        }
        assert!(unknown_table("churn_score")
            .to_string()
            .contains("churn_scores"));
    }
}
