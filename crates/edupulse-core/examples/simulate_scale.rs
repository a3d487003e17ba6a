//! Time the simulator and print row counts per table and a few ground-truth rates.
//!
//! `cargo run --release -p edupulse-core --example simulate_scale -- 1000 100000`
//! (arguments: student counts; default 1000 and 100000).

use edupulse_core::simulate::{simulate_with_truth, SimConfig};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1_000, 100_000]
    } else {
        sizes
    };
    for students in sizes {
        let cfg = SimConfig {
            students,
            ..SimConfig::default()
        };
        let t0 = Instant::now();
        let (tables, truth) = simulate_with_truth(&cfg)?;
        let secs = t0.elapsed().as_secs_f64();
        println!(
            "students={students}: {secs:.2} s, {} rows",
            tables.total_rows()
        );
        for (table, n) in tables.counts() {
            println!("  {table:<17} {n:>10}");
        }
        let share = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
        let s = &truth.students;
        let l = &truth.leads;
        let r = &tables.registrations;
        println!(
            "  churned {:.1} %, certified {:.1} %, reviewers {:.1} %, leads converted {:.1} %, \
             attendance {:.1} %",
            100.0 * share(s.iter().filter(|x| x.churned).count(), s.len()),
            100.0 * share(s.iter().filter(|x| x.completed).count(), s.len()),
            100.0 * share(s.iter().filter(|x| x.reviewer).count(), s.len()),
            100.0 * share(l.iter().filter(|x| x.converted).count(), l.len()),
            100.0 * share(r.iter().filter(|x| x.attended).count(), r.len()),
        );
    }
    Ok(())
}
