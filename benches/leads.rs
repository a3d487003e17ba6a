//! The points rule over the events of 100,000 simulated leads (grouping, decay, grades, factors
//! and hot episodes), and the learned model's features for the open leads.
//! `cargo bench --bench leads`

use criterion::{criterion_group, criterion_main, Criterion};
use edupulse::core::leads::{snapshot, LeadScorer, ModelParams, PointsParams};
use edupulse::core::simulate::{simulate, SimConfig};

fn bench(c: &mut Criterion) {
    let cfg = SimConfig {
        students: 100,
        leads: Some(100_000),
        ..SimConfig::default()
    };
    let Ok(t) = simulate(&cfg) else {
        eprintln!("simulation failed");
        return;
    };
    let Some(end) = cfg.end_date().and_hms_opt(0, 0, 0) else {
        return;
    };
    let as_of = end.and_utc();
    eprintln!(
        "{} leads, {} lead events",
        t.leads.len(),
        t.lead_events.len()
    );
    let Ok(scorer) = LeadScorer::new(PointsParams::default()) else {
        return;
    };
    let leads: Vec<_> = t
        .leads
        .iter()
        .map(|l| (l.lead_id.clone(), l.created_at))
        .collect();
    let mut g = c.benchmark_group("leads");
    g.sample_size(10);
    g.bench_function("points_score_100k_leads", |b| {
        b.iter(|| {
            scorer
                .score(&t.lead_events, Some(&leads), as_of)
                .map(|b| b.scores.len())
        })
    });
    g.bench_function("features_open_leads_100k", |b| {
        b.iter(|| {
            snapshot(&t, as_of, &ModelParams::default(), &PointsParams::default())
                .map(|s| s.ids.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
