//! The demo's report, as the `edupulse demo` command builds it: a simulated business ingested
//! into a memory store, every step of the daily job run and written, the report read back.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use edupulse_core::job::{Job, JobConfig};
use edupulse_core::simulate::{simulate, SimConfig};
use edupulse_report::Report;
use edupulse_store::memory::MemoryStore;
use edupulse_store::Store;

/// Students of the simulated business: small enough for a debug build, large enough that every
/// capability has data (cohorts, hot leads, stuck concepts, planned webinars).
pub const STUDENTS: usize = 300;

/// Simulate, run the whole job at the end of the history and build the report.
pub async fn demo_report() -> Report {
    let sim = SimConfig {
        students: STUDENTS,
        seed: 42,
        ..SimConfig::default()
    };
    let tables = simulate(&sim).expect("simulate");
    let store = MemoryStore::new();
    store.ingest(&tables).await.expect("ingest");
    // The end of the simulated history, as the demo command does.
    let as_of = edupulse_core::model::end_of_day(sim.end_date());
    let run = Job::new(&JobConfig::default())
        .expect("job")
        .run(&tables, as_of, |_, _, _| {})
        .expect("run");
    assert!(run.ok(), "failed steps: {:?}", run.failed);
    store.write_run(&run).await.expect("write run");
    Report::build(&store, None).await.expect("report")
}

/// The `<section …>…</section>` blocks of a page (sections are not nested).
pub fn sections(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<section") {
        let Some(len) = rest[start..].find("</section>") else {
            break;
        };
        out.push(&rest[start..start + len]);
        rest = &rest[start + len..];
    }
    out
}

/// The `id` of a section block.
pub fn section_id(section: &str) -> &str {
    section
        .split("id=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("?")
}

/// Whether a section block shows data: an `<svg>` that draws something, or a table with a body
/// row of cells.
pub fn has_chart_or_table(section: &str) -> bool {
    let svg = section.split("<svg").skip(1).any(|s| {
        let body = s.split("</svg>").next().unwrap_or("");
        ["<rect", "<polyline", "<circle", "<line", "<path"]
            .iter()
            .any(|shape| body.contains(shape))
    });
    let table = section.split("<tbody>").skip(1).any(|s| {
        let body = s.split("</tbody>").next().unwrap_or("");
        body.contains("<tr") && body.contains("<td")
    });
    svg || table
}
