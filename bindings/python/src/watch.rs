//! Long fits watched from Python: Ctrl-C and progress while the GIL is released.
//!
//! [`watched`] runs the fit on a helper thread under an `edupulse_core::progress::Tracker`; the
//! calling thread releases the GIL and wakes every [`POLL`] to run the Python signal handlers
//! (a pending `KeyboardInterrupt` cancels the tracker, the fit stops at its next tick — a tree, a
//! boosting round, a Newton iteration — and the `KeyboardInterrupt` is raised) and to call the
//! optional progress callback `callback(ticks, done, total)`.

use crate::errors::Failure;
use edupulse::core::progress::{self, Tracker};
use pyo3::prelude::*;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often the waiting thread polls Ctrl-C and reports progress.
pub(crate) const POLL: Duration = Duration::from_millis(100);

/// Run `work` under a tracker on a helper thread; poll Ctrl-C and report progress meanwhile.
pub(crate) fn watched<T: Send>(
    py: Python<'_>,
    callback: Option<&Bound<'_, PyAny>>,
    work: impl FnOnce() -> Result<T, Failure> + Send,
) -> Result<T, Failure> {
    let tracker = Arc::new(Tracker::new());
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel::<()>();
        let monitor = tracker.clone();
        let handle = s.spawn(move || {
            let _finished = tx; // dropped when the work ends, even by a panic
            progress::scope(monitor, work)
        });
        let rx = Mutex::new(rx); // the waits below run on this thread, GIL released
        let wait = || match rx.lock() {
            Ok(rx) => !matches!(rx.recv_timeout(POLL), Err(RecvTimeoutError::Timeout)),
            Err(_) => true,
        };
        // The first Python error (Ctrl-C, or a failing callback) cancels the fit; it is raised
        // once the fit has stopped (the scope must not end with the GIL held while it runs).
        let mut raised: Option<PyErr> = None;
        loop {
            let finished = py.detach(wait);
            if finished {
                break;
            }
            if raised.is_some() {
                continue;
            }
            let polled = py.check_signals().and_then(|()| report(callback, &tracker));
            if let Err(e) = polled {
                tracker.cancel();
                raised = Some(e);
            }
        }
        let outcome = py
            .detach(|| handle.join())
            .unwrap_or_else(|payload| std::panic::resume_unwind(payload));
        if let Some(e) = raised {
            return Err(Failure::Py(e));
        }
        let outcome = outcome?;
        report(callback, &tracker)?;
        Ok(outcome)
    })
}

fn report(callback: Option<&Bound<'_, PyAny>>, tracker: &Tracker) -> PyResult<()> {
    if let Some(cb) = callback {
        let (done, total) = tracker.position();
        cb.call1((tracker.ticks(), done, total))?;
    }
    Ok(())
}
