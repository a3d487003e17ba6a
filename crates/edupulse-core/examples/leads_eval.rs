//! Lead scoring against simulated ground truth: the points rule and the learned models on the open
//! leads `horizon_days` before the end of a simulated year, with the outcome from the simulator's
//! truth — per seed, and the mean over the seeds, with the lift table pooled over the seeds.
//!
//! `cargo run --release -p edupulse-core --example leads_eval -- [LEADS] [SEEDS]`
//!
//! `SEEDS` is a comma-separated list (default `42,43,44`). Environment: `LEADS_HORIZON` (days),
//! `LEADS_CANDIDATES` (e.g. `trees`), `LEADS_OFFSETS` (comma-separated extra days before the
//! default snapshot, e.g. `0,28,56`: one evaluation per offset and seed).

use edupulse_core::leads::eval::{evaluate, Evaluation};
use edupulse_core::leads::{ModelParams, PointsParams};
use edupulse_core::simulate::{simulate_with_truth, SimConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let leads: usize = args.get(1).map_or(Ok(20_000), |s| s.parse())?;
    let seeds: Vec<u64> = args
        .get(2)
        .map_or("42,43,44", |s| s.as_str())
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let offsets: Vec<i64> = std::env::var("LEADS_OFFSETS")
        .unwrap_or_else(|_| "0".into())
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
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
    // Tuning knobs: `LEADS_TREES=n_trees,learning_rate,max_depth,min_child_weight`,
    // `LEADS_ANCHORS=training_anchors,anchor_step_days`.
    if let Ok(v) = std::env::var("LEADS_TREES") {
        let v: Vec<f64> = v.split(',').map(str::parse).collect::<Result<_, _>>()?;
        let b = &mut params.classifier.boost;
        if let [n, lr, depth, mcw] = v[..] {
            b.n_trees = n as usize;
            b.learning_rate = lr;
            b.tree.max_depth = depth as usize;
            b.tree.min_child_weight = mcw;
        }
    }
    if let Ok(v) = std::env::var("LEADS_ANCHORS") {
        let v: Vec<u32> = v.split(',').map(str::parse).collect::<Result<_, _>>()?;
        if let [n, step] = v[..] {
            params.training_anchors = n as usize;
            params.anchor_step_days = step;
        }
    }
    let t0 = std::time::Instant::now();
    let mut all: Vec<Evaluation> = Vec::new();
    println!(
        "{leads} simulated leads per seed; horizon {} days; open leads at the snapshot, truth from the simulator",
        params.horizon_days
    );
    println!(
        "seed  snapshot    open  conv  rules   logistic trees   chosen (scorer, CV AUC)  intent  oracle"
    );
    for &seed in &seeds {
        let cfg = SimConfig {
            students: 200,
            leads: Some(leads),
            seed,
            ..SimConfig::default()
        };
        let (tables, truth) = simulate_with_truth(&cfg)?;
        let end = cfg.end_date().and_hms_opt(0, 0, 0).ok_or("date")?.and_utc();
        for &off in &offsets {
            let as_of = end - chrono::Duration::days(i64::from(params.horizon_days) + off);
            if std::env::var("LEADS_QUICK").is_ok() {
                quick(&tables, &truth, as_of, &params)?;
                continue;
            }
            let e = evaluate(&tables, &truth, as_of, &params, &PointsParams::default())?;
            let auc = |k: &str| {
                e.learned_auc
                    .iter()
                    .find(|a| format!("{:?}", a.0).eq_ignore_ascii_case(k))
                    .map_or("   -  ".to_string(), |a| format!("{:.4}", a.1))
            };
            let cv = e
                .choice
                .candidate_auc
                .iter()
                .map(|a| a.1)
                .fold(f64::NAN, f64::max);
            println!(
                "{seed:<5} {} {:>5} {:>5}  {:.4}  {}   {}  {:.4} ({}, {cv:.4})  {:.4}  {:.4}",
                as_of.date_naive(),
                e.leads,
                e.conversions,
                e.rules_auc,
                auc("logistic"),
                auc("trees"),
                e.chosen_auc,
                e.choice.used.as_str(),
                e.intent_oracle_auc,
                e.oracle_auc
            );
            all.push(e);
        }
    }
    if all.is_empty() {
        return Ok(());
    }
    let n = all.len().max(1) as f64;
    let mean = |f: &dyn Fn(&Evaluation) -> f64| all.iter().map(f).sum::<f64>() / n;
    let kind_mean = |k: &str| {
        let v: Vec<f64> = all
            .iter()
            .filter_map(|e| {
                e.learned_auc
                    .iter()
                    .find(|a| format!("{:?}", a.0).eq_ignore_ascii_case(k))
                    .map(|a| a.1)
            })
            .collect();
        if v.is_empty() {
            "   -  ".to_string()
        } else {
            format!("{:.4}", v.iter().sum::<f64>() / v.len() as f64)
        }
    };
    println!(
        "mean  ({} evaluations)         {:.4}  {}   {}  {:.4}                     {:.4}  {:.4}",
        all.len(),
        mean(&|e| e.rules_auc),
        kind_mean("logistic"),
        kind_mean("trees"),
        mean(&|e| e.chosen_auc),
        mean(&|e| e.intent_oracle_auc),
        mean(&|e| e.oracle_auc)
    );
    println!(
        "learned (chosen) beats the rule in {} of {} evaluations",
        all.iter().filter(|e| e.chosen_auc > e.rules_auc).count(),
        all.len()
    );
    for e in &all {
        println!(
            "  {}: {} — {}",
            e.as_of.date_naive(),
            e.choice.used.as_str(),
            e.choice.reason
        );
    }
    // The lift table pooled over the evaluations: each evaluation's deciles added up.
    println!("\npooled lift (chosen scorer | points rule), decile 1 = highest scores");
    println!("decile  leads  conv  rate    lift   | rules: conv  rate    lift");
    let leads_total: usize = all.iter().map(|e| e.leads).sum();
    let conv_total: usize = all.iter().map(|e| e.conversions).sum();
    let base = conv_total as f64 / leads_total.max(1) as f64;
    for d in 0..10 {
        let (mut l, mut c, mut rl, mut rc) = (0, 0, 0, 0);
        for e in &all {
            if let (Some(a), Some(b)) = (e.lift.get(d), e.rules_lift.get(d)) {
                l += a.leads;
                c += a.conversions;
                rl += b.leads;
                rc += b.conversions;
            }
        }
        let rate = c as f64 / l.max(1) as f64;
        let rrate = rc as f64 / rl.max(1) as f64;
        println!(
            "{:>6} {:>6} {:>5}  {:.4}  {:>5.2}  |     {:>5}  {:.4}  {:>5.2}",
            d + 1,
            l,
            c,
            rate,
            rate / base,
            rc,
            rrate,
            rrate / base
        );
    }
    println!("elapsed {:.1} s", t0.elapsed().as_secs_f64());
    Ok(())
}

/// Tuning aid (`LEADS_QUICK=1`): each candidate fitted once, no cross-validation or calibration.
fn quick(
    tables: &edupulse_core::model::Tables,
    truth: &edupulse_core::simulate::GroundTruth,
    as_of: chrono::DateTime<chrono::Utc>,
    params: &ModelParams,
) -> Result<(), Box<dyn std::error::Error>> {
    use edupulse_core::leads::{snapshot, training_set};
    use edupulse_core::learn::{roc_auc, ClassifierParams, TabularClassifier};
    let points = PointsParams::default();
    let train = training_set(tables, as_of, params, &points)?;
    let test = snapshot(tables, as_of, params, &points)?;
    let y = edupulse_core::leads::eval::truth_labels(truth, &test.ids, as_of, params.horizon_days);
    let mut line = format!(
        "{} train {} ({} pos) test {} ({} pos) rules {:.4}",
        as_of.date_naive(),
        train.labels.len(),
        train.labels.iter().filter(|v| **v).count(),
        y.len(),
        y.iter().filter(|v| **v).count(),
        roc_auc(&test.engagement, &y)?
    );
    let mut ranks: Vec<Vec<f64>> = Vec::new();
    for &kind in &params.candidates {
        let cp = ClassifierParams {
            model: kind,
            calibration_folds: 0,
            ..params.classifier.clone()
        };
        match TabularClassifier::fit(&train.data, &train.labels, &cp) {
            Ok(m) => {
                let s = m.decision_function(&test.data)?;
                line += &format!(" {kind:?} {:.4}", roc_auc(&s, &y)?);
                let mut idx: Vec<usize> = (0..s.len()).collect();
                idx.sort_by(|&a, &b| s[a].total_cmp(&s[b]));
                let mut r = vec![0.0; s.len()];
                for (k, &i) in idx.iter().enumerate() {
                    r[i] = k as f64;
                }
                ranks.push(r);
            }
            Err(e) => line += &format!(" {kind:?} failed ({e})"),
        }
    }
    let intent = edupulse_core::leads::eval::intent_oracle(truth, &train, &test, &y, params)?;
    line += &format!(" intent-oracle {intent:.4}");
    if ranks.len() > 1 {
        let avg: Vec<f64> = (0..y.len())
            .map(|i| ranks.iter().map(|r| r[i]).sum::<f64>())
            .collect();
        line += &format!(" rank-average {:.4}", roc_auc(&avg, &y)?);
    }
    println!("{line}");
    Ok(())
}
