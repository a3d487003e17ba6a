//! The thread budget caps every parallel loop: with `set_num_threads(1)` a forest fit, the FSRS
//! batch kernel and demand's bootstrap replicates run on one thread only (and on more than one
//! when the budget allows and the machine has the cores).

use edupulse_core::demand::{DemandModel, DemandModelKind, DemandParams};
use edupulse_core::learn::parallel;
use edupulse_core::learn::{ForestParams, GbdtParams, RandomForest};
use edupulse_core::repetition::batch::{next_states_into, PARALLEL_MIN_CARDS};
use edupulse_core::repetition::Fsrs;
use edupulse_core::simulate::{simulate, SimConfig};

fn forest() {
    let x: Vec<f64> = (0..400).map(|i| ((i * 7) % 40) as f64).collect();
    let y: Vec<f64> = x.iter().map(|v| v * 2.0).collect();
    let params = ForestParams {
        n_trees: 16,
        ..Default::default()
    };
    assert!(RandomForest::fit(&x, 1, &y, &params).is_ok());
}

fn fsrs_batch() {
    let n = 2 * PARALLEL_MIN_CARDS;
    let s = vec![3.0; n];
    let d = vec![5.0; n];
    let t = vec![2.0; n];
    let g = vec![3u8; n];
    let (mut os, mut od, mut oi) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let fsrs = Fsrs::default();
    assert!(next_states_into(&fsrs, &s, &d, &t, &g, &mut os, &mut od, &mut oi).is_ok());
    assert!(oi.iter().all(|v| *v > 0.0));
}

fn demand_replicates(tables: &edupulse_core::Tables) {
    let params = DemandParams {
        model: DemandModelKind::Gbdt,
        gbdt_replicates: 4,
        gbdt: GbdtParams {
            max_iter: 10,
            ..Default::default()
        },
        ..Default::default()
    };
    assert!(DemandModel::fit(&tables.webinars, &tables.registrations, &params).is_ok());
}

#[test]
fn budget_of_one_keeps_every_loop_on_one_thread() {
    let tables = simulate(&SimConfig {
        students: 120,
        seed: 5,
        ..SimConfig::default()
    })
    .expect("simulated tables");
    parallel::set_num_threads(1);
    assert_eq!(parallel::num_threads(), 1);
    let me = std::thread::current().id();
    for (name, work) in [
        ("forest", &forest as &dyn Fn()),
        ("fsrs batch", &fsrs_batch),
        ("demand replicates", &|| demand_replicates(&tables)),
    ] {
        let ((), ids) = parallel::record_workers(work);
        assert_eq!(ids, vec![me], "{name} ran on {ids:?}");
    }
    // With a budget of two, the same loops do use two threads (the cap is what limits them).
    parallel::set_num_threads(2);
    for (name, work) in [
        ("forest", &forest as &dyn Fn()),
        ("fsrs batch", &fsrs_batch),
        ("demand replicates", &|| demand_replicates(&tables)),
    ] {
        let ((), ids) = parallel::record_workers(work);
        assert_eq!(ids.len(), 2, "{name} ran on {ids:?}");
        assert!(!ids.contains(&me), "{name}: workers, not the caller");
    }
    parallel::set_num_threads(0);
}
