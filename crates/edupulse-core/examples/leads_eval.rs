//! Lead scoring against simulated ground truth: the points rule and the learned models on the open
//! leads 30 days before the end of a simulated year, with the outcome from the simulator's truth.
//!
//! `cargo run --release -p edupulse-core --example leads_eval -- [LEADS] [SEED]`

use edupulse_core::leads::eval::evaluate;
use edupulse_core::leads::{ModelParams, PointsParams};
use edupulse_core::simulate::{simulate_with_truth, SimConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let leads: usize = args.get(1).map_or(Ok(20_000), |s| s.parse())?;
    let seed: u64 = args.get(2).map_or(Ok(42), |s| s.parse())?;
    let cfg = SimConfig {
        students: 200,
        leads: Some(leads),
        seed,
        ..SimConfig::default()
    };
    let t0 = std::time::Instant::now();
    let (tables, truth) = simulate_with_truth(&cfg)?;
    let mut params = ModelParams::default();
    if let Ok(h) = std::env::var("LEADS_HORIZON") {
        params.horizon_days = h.parse()?;
    }
    if let Ok(h) = std::env::var("LEADS_CANDIDATES") {
        params.candidates = h
            .split(',')
            .filter_map(edupulse_core::learn::ModelKind::parse)
            .collect();
    }
    let end = cfg.end_date().and_hms_opt(0, 0, 0).ok_or("date")?.and_utc();
    let as_of = end - chrono::Duration::days(i64::from(params.horizon_days));
    let e = evaluate(&tables, &truth, as_of, &params, &PointsParams::default())?;
    println!(
        "leads simulated {leads} (seed {seed}); snapshot {}: {} open leads, {} convert within {} days",
        as_of.date_naive(),
        e.leads,
        e.conversions,
        params.horizon_days
    );
    println!("AUC points rule        {:.4}", e.rules_auc);
    for (k, a) in &e.learned_auc {
        println!("AUC learned {:<10} {a:.4}", format!("{k:?}"));
    }
    println!(
        "AUC truth propensity   {:.4}  (oracle: knows intent and future events)",
        e.oracle_auc
    );
    println!(
        "choice: {} — {} (chosen scorer's AUC on the snapshot {:.4})",
        e.choice.used.as_str(),
        e.choice.reason,
        e.chosen_auc
    );
    println!("\ndecile  leads  conv  rate    lift   | rules: conv  rate    lift");
    for (a, b) in e.lift.iter().zip(&e.rules_lift) {
        println!(
            "{:>6} {:>6} {:>5}  {:.4}  {:>5.2}  |     {:>5}  {:.4}  {:>5.2}",
            a.decile, a.leads, a.conversions, a.rate, a.lift, b.conversions, b.rate, b.lift
        );
    }
    println!("elapsed {:.1} s", t0.elapsed().as_secs_f64());
    Ok(())
}
