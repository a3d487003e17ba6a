//! Progress reports and cancellation of long fits (boosting rounds, trees, Newton iterations,
//! optimiser steps).
//!
//! Decides nothing about the data: it lets a caller watch a long computation and stop it. The
//! fits keep their signatures; a caller who wants progress or a way to stop runs the fit inside
//! [`scope`] with a [`Monitor`]. The fit's loops call [`tick`] between units of work (a tree, a
//! boosting round, an iteration); the monitor returns [`LearnError::Cancelled`] to stop, and the
//! fit returns that error. Without a scope, [`tick`] does nothing and costs one thread-local read.
//!
//! The monitor is installed per thread; the learner's own worker threads inherit the monitor of
//! the thread that started them, so a forest's trees report and stop too. A fit whose loop cannot
//! return an error (boosting inside a classifier) stops adding rounds once cancelled; the next
//! fallible step (or the caller, through [`Tracker::is_cancelled`]) reports the cancellation.
//!
//! ```
//! use std::sync::Arc;
//! use edupulse_learn::{ForestParams, RandomForest};
//! use edupulse_learn::progress::{self, Tracker};
//! use edupulse_learn::LearnError;
//!
//! let x: Vec<f64> = (0..200).map(|i| (i % 20) as f64).collect();
//! let y: Vec<f64> = x.iter().map(|v| v * 2.0).collect();
//! let params = ForestParams { n_trees: 8, n_jobs: 1, ..Default::default() };
//!
//! // Watch: every tree ticks once.
//! let tracker = Arc::new(Tracker::new());
//! let forest = progress::scope(tracker.clone(), || RandomForest::fit(&x, 1, &y, &params)).unwrap();
//! assert_eq!(forest.trees.len(), 8);
//! assert_eq!(tracker.ticks(), 8);
//!
//! // Stop: a cancelled tracker makes the fit return `LearnError::Cancelled`.
//! let stop = Arc::new(Tracker::new());
//! stop.cancel();
//! let err = progress::scope(stop, || RandomForest::fit(&x, 1, &y, &params)).unwrap_err();
//! assert!(matches!(err, LearnError::Cancelled));
//! ```

use crate::error::{LearnError, Result};
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

/// Watches a long computation: told how far it is, and able to stop it.
pub trait Monitor: Send + Sync {
    /// `done` of `total` units of the current stage are finished (a stage is one loop: the trees
    /// of a forest, the rounds of one boosting fit, the iterations of one Newton fit; a fit with
    /// cross-validation runs several stages, each counting from 0). Return
    /// `Err(LearnError::Cancelled)` to stop the computation. Called from any of the fit's threads.
    fn tick(&self, done: usize, total: usize) -> Result<()>;
}

/// The monitor that watches nothing (what runs outside a [`scope`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoMonitor;

impl Monitor for NoMonitor {
    fn tick(&self, _done: usize, _total: usize) -> Result<()> {
        Ok(())
    }
}

/// A thread-safe monitor made of counters: how many ticks so far, the last `done`/`total`, and a
/// cancellation flag another thread may set with [`Tracker::cancel`]. Once cancelled, every later
/// tick returns [`LearnError::Cancelled`].
#[derive(Debug, Default)]
pub struct Tracker {
    ticks: AtomicU64,
    done: AtomicUsize,
    total: AtomicUsize,
    cancelled: AtomicBool,
}

impl Tracker {
    /// A tracker with no ticks, not cancelled.
    pub fn new() -> Tracker {
        Tracker::default()
    }

    /// Ask the computation to stop at its next tick.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }

    /// Whether [`Tracker::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Ticks received so far (all stages, all threads).
    pub fn ticks(&self) -> u64 {
        self.ticks.load(Ordering::Relaxed)
    }

    /// The `(done, total)` of the latest tick.
    pub fn position(&self) -> (usize, usize) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}

impl Monitor for Tracker {
    fn tick(&self, done: usize, total: usize) -> Result<()> {
        self.ticks.fetch_add(1, Ordering::Relaxed);
        self.done.store(done, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        if self.is_cancelled() {
            Err(LearnError::Cancelled)
        } else {
            Ok(())
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<dyn Monitor>>> = const { RefCell::new(None) };
}

/// Restores the previous monitor when a scope ends (also on unwinding).
struct Restore(Option<Arc<dyn Monitor>>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

/// Run `f` with `monitor` watching every [`tick`] on this thread (and on the worker threads the
/// learner starts from it). Scopes nest; the previous monitor is back when `f` returns.
pub fn scope<R>(monitor: Arc<dyn Monitor>, f: impl FnOnce() -> R) -> R {
    let previous = CURRENT.with(|c| c.borrow_mut().replace(monitor));
    let _restore = Restore(previous);
    f()
}

/// The monitor of this thread's innermost [`scope`], if any (to hand to worker threads).
pub fn current() -> Option<Arc<dyn Monitor>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Run `f` under `monitor` when there is one (what a worker thread does with the [`current`]
/// monitor of the thread that started it).
pub fn inherit<R>(monitor: Option<Arc<dyn Monitor>>, f: impl FnOnce() -> R) -> R {
    match monitor {
        Some(m) => scope(m, f),
        None => f(),
    }
}

/// Report that `done` of `total` units of the current stage are finished; `Err(Cancelled)` when
/// the monitor asks to stop. Does nothing outside a [`scope`].
pub fn tick(done: usize, total: usize) -> Result<()> {
    match current() {
        Some(m) => m.tick(done, total),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{GbdtParams, GradientBoosting, Logistic};

    fn data() -> (Vec<f64>, Vec<f64>, Vec<bool>) {
        let x: Vec<f64> = (0..400).map(|i| ((i * 7) % 40) as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| v * 2.0).collect();
        let yb: Vec<bool> = (0..400).map(|i| (x[i] + (i % 3) as f64) > 20.0).collect();
        (x, y, yb)
    }

    #[test]
    fn no_scope_means_no_monitor() {
        assert!(current().is_none());
        assert!(tick(1, 2).is_ok());
    }

    #[test]
    fn scopes_nest_and_restore() {
        let outer = Arc::new(Tracker::new());
        let inner = Arc::new(Tracker::new());
        scope(outer.clone(), || {
            tick(0, 1).unwrap();
            scope(inner.clone(), || tick(0, 1).unwrap());
            tick(1, 1).unwrap();
        });
        assert_eq!((outer.ticks(), inner.ticks()), (2, 1));
        assert_eq!(outer.position(), (1, 1));
        assert!(current().is_none());
    }

    #[test]
    fn a_fit_under_a_tracker_gives_the_same_model_and_ticks() {
        let (x, y, _) = data();
        let params = GbdtParams {
            max_iter: 30,
            early_stopping: false,
            ..Default::default()
        };
        let plain = GradientBoosting::fit(&x, 1, &y, &params).unwrap();
        let t = Arc::new(Tracker::new());
        let watched = scope(t.clone(), || GradientBoosting::fit(&x, 1, &y, &params)).unwrap();
        assert_eq!(
            plain.predict(&x, 1).unwrap(),
            watched.predict(&x, 1).unwrap()
        );
        assert_eq!(t.ticks(), 30);
        assert_eq!(t.position(), (30, 30));
    }

    /// Cancels after `after` ticks (from whichever thread makes them).
    struct StopAfter(Tracker, u64);
    impl Monitor for StopAfter {
        fn tick(&self, done: usize, total: usize) -> Result<()> {
            if self.0.ticks() + 1 >= self.1 {
                self.0.cancel();
            }
            self.0.tick(done, total)
        }
    }

    #[test]
    fn cancelling_mid_fit_stops_the_fit_with_a_named_error() {
        let (x, y, yb) = data();
        let stop = Arc::new(StopAfter(Tracker::new(), 3));
        let params = GbdtParams {
            max_iter: 200,
            early_stopping: false,
            ..Default::default()
        };
        let err = scope(stop.clone(), || GradientBoosting::fit(&x, 1, &y, &params)).unwrap_err();
        assert!(matches!(err, LearnError::Cancelled), "{err}");
        assert_eq!(
            stop.0.ticks(),
            3,
            "stopped at the third round, not the 200th"
        );

        let stop = Arc::new(StopAfter(Tracker::new(), 2));
        let err = scope(stop.clone(), || {
            Logistic::fit(
                &x,
                1,
                &yb,
                &crate::LogisticParams {
                    tolerance: 0.0,
                    ..Default::default()
                },
            )
        })
        .unwrap_err();
        assert!(matches!(err, LearnError::Cancelled), "{err}");
        assert_eq!(stop.0.ticks(), 2);
    }

    #[test]
    fn a_cancelled_classifier_fit_is_an_error_for_both_kinds() {
        use crate::{ClassifierParams, ColumnData, ModelKind, TabularClassifier, TabularData};
        let (x, _, yb) = data();
        let mut t = TabularData::new();
        t.push("x", ColumnData::Numeric(x)).unwrap();
        for model in [ModelKind::Logistic, ModelKind::Trees] {
            let params = ClassifierParams {
                model,
                ..Default::default()
            };
            let plain = TabularClassifier::fit(&t, &yb, &params).unwrap();
            let watch = Arc::new(Tracker::new());
            let watched =
                scope(watch.clone(), || TabularClassifier::fit(&t, &yb, &params)).unwrap();
            assert!(watch.ticks() > 0);
            assert_eq!(
                plain.predict_proba(&t).unwrap(),
                watched.predict_proba(&t).unwrap()
            );
            // Boosting rounds cannot fail; the calibration's Newton fit reports the cancel.
            let stop = Arc::new(StopAfter(Tracker::new(), 3));
            let err = scope(stop.clone(), || TabularClassifier::fit(&t, &yb, &params)).unwrap_err();
            assert!(matches!(err, LearnError::Cancelled), "{model:?}: {err}");
        }
    }

    #[test]
    fn forest_worker_threads_inherit_the_monitor() {
        use crate::{ForestParams, RandomForest};
        let (x, y, _) = data();
        let params = ForestParams {
            n_trees: 12,
            n_jobs: 3,
            ..Default::default()
        };
        let t = Arc::new(Tracker::new());
        let f = scope(t.clone(), || RandomForest::fit(&x, 1, &y, &params)).unwrap();
        assert_eq!(f.trees.len(), 12);
        assert_eq!(t.ticks(), 12);
        let stop = Arc::new(StopAfter(Tracker::new(), 2));
        let err = scope(stop.clone(), || RandomForest::fit(&x, 1, &y, &params)).unwrap_err();
        assert!(matches!(err, LearnError::Cancelled));
        assert!(stop.0.ticks() < 12, "{} trees grown", stop.0.ticks());
    }
}
