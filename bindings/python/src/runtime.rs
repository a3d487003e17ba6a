//! The tokio runtime that runs the async store calls of the bindings.

use crate::errors::Failure;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use tokio::runtime::{Builder, Runtime};

/// The runtime and the process it was built in. A forked child (multiprocessing, Airflow's
/// executors) inherits the runtime but not its worker threads, so it builds its own.
static RUNTIME: Mutex<Option<(u32, &'static Runtime)>> = Mutex::new(None);

/// Worker threads of runtimes built from now on (0: not set, use `EDUPULSE_NUM_THREADS` or 2).
static NUM_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Cap the threads edupulse starts in this process (e.g. one per Dask or Spark worker process,
/// to avoid oversubscription). Applies to the runtime built next: call it before the first store
/// call of the process (a forked child builds its own runtime, so it may call it first thing).
pub(crate) fn set_num_threads(n: usize) -> Result<(), Failure> {
    if n == 0 {
        return Err(Failure::param(
            "n",
            "the number of threads must be at least 1",
        ));
    }
    NUM_THREADS.store(n, Ordering::Relaxed);
    // The one thread budget of every parallel loop (forests, FSRS batches, demand replicates...).
    edupulse::learn::parallel::set_num_threads(n);
    Ok(())
}

/// The thread budget: `set_num_threads`, else `EDUPULSE_NUM_THREADS`, else 2.
pub(crate) fn num_threads() -> usize {
    match NUM_THREADS.load(Ordering::Relaxed) {
        0 => std::env::var("EDUPULSE_NUM_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or(2),
        n => n,
    }
}

/// The module's runtime: multi-threaded with `num_threads()` workers (2 by default), built on
/// first use (once per process).
pub(crate) fn runtime() -> Result<&'static Runtime, Failure> {
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    let pid = std::process::id();
    if let Some((owner, rt)) = *slot {
        if owner == pid {
            return Ok(rt);
        }
    }
    let rt = Builder::new_multi_thread()
        .worker_threads(num_threads())
        .thread_name("edupulse-rt")
        .enable_all()
        .build()
        .map_err(|e| Failure::Internal(format!("cannot start the async runtime: {e}")))?;
    // Leaked on purpose: it lives as long as the process (and a parent's runtime must not be
    // dropped in a forked child, whose copy has no worker threads to join).
    let rt: &'static Runtime = Box::leak(Box::new(rt));
    *slot = Some((pid, rt));
    Ok(rt)
}

/// Run a future to completion on the module's runtime (call it with the GIL released).
pub(crate) fn block_on<F: Future>(fut: F) -> Result<F::Output, Failure> {
    Ok(runtime()?.block_on(fut))
}

/// Poll for Ctrl-C from code running with the GIL released: re-acquires the GIL for an instant and
/// runs the Python signal handlers, so a pending `KeyboardInterrupt` becomes an error that stops
/// the work. Call it between units of work (steps, iterations of a fit), not per element: it
/// costs a GIL round trip (microseconds). Signals are only seen on the main thread.
pub(crate) fn check_signals() -> Result<(), Failure> {
    pyo3::Python::attach(|py| py.check_signals()).map_err(Failure::Py)
}
