//! The tokio runtime that runs the async store calls of the bindings.

use crate::errors::Failure;
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use tokio::runtime::{Builder, Runtime};

/// The runtime and the process it was built in. A forked child (multiprocessing, Airflow's
/// executors) inherits the runtime but not its worker threads, so it builds its own.
static RUNTIME: Mutex<Option<(u32, &'static Runtime)>> = Mutex::new(None);

/// The module's runtime: multi-threaded with 2 workers, built on first use (once per process).
pub(crate) fn runtime() -> Result<&'static Runtime, Failure> {
    let mut slot = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    let pid = std::process::id();
    if let Some((owner, rt)) = *slot {
        if owner == pid {
            return Ok(rt);
        }
    }
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
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
