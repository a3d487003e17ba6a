//! The one thread budget of edupulse: how many threads any parallel loop of the workspace may
//! use, and the helpers every such loop runs through.
//!
//! It decides the number of worker threads of a parallel loop from the process-wide budget
//! ([`set_num_threads`], else the `EDUPULSE_NUM_THREADS` environment variable, else the machine's
//! available parallelism) and the size of the work; nothing about the data.
//!
//! **Choice: scoped `std` threads, not rayon.** A truthful cap needs a pool sized per call
//! (rayon's global pool is sized once per process, so `set_num_threads(1)` after the first use
//! would not cap it); a scoped rayon `ThreadPool` built per call spawns the same threads as
//! `std::thread::scope` does, but adds a dependency and a work-stealing scheduler our loops do
//! not need: their units are coarse (a tree, a bootstrap replicate, a contiguous chunk of cards
//! or keywords) and few. Scoped threads also let every worker inherit the caller's
//! [`progress`](crate::progress) monitor, so Ctrl-C stops them. Nested loops do not multiply the
//! budget: a parallel loop started inside a worker runs on that worker alone.
//!
//! Results never depend on the thread count: work is split into units whose results are
//! returned in order.
//!
//! ```
//! use edupulse_learn::parallel;
//! let squares = parallel::map(10, |i| i * i);
//! assert_eq!(squares[9], 81);
//! ```

use std::cell::Cell;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread::ThreadId;

/// The budget set by [`set_num_threads`] (0 = not set).
static BUDGET: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Set on the worker threads of a parallel loop: nested loops run inline.
    static IN_WORKER: Cell<bool> = const { Cell::new(false) };
}

/// Cap the threads of every parallel loop in this process at `n` (≥ 1); `0` restores the
/// default (`EDUPULSE_NUM_THREADS`, else the available parallelism). Applies to loops started
/// from now on.
pub fn set_num_threads(n: usize) {
    BUDGET.store(n, Ordering::Relaxed);
}

/// The thread budget: [`set_num_threads`], else `EDUPULSE_NUM_THREADS` (a positive integer),
/// else the machine's available parallelism.
pub fn num_threads() -> usize {
    match BUDGET.load(Ordering::Relaxed) {
        0 => std::env::var("EDUPULSE_NUM_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| *n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |t| t.get())),
        n => n,
    }
}

/// Threads for a loop that asks for `requested` (0 = as many as the budget allows) over `units`
/// units of work: never more than the budget or the units, 1 inside a worker.
pub fn threads_for(requested: usize, units: usize) -> usize {
    if IN_WORKER.with(Cell::get) {
        return 1;
    }
    let budget = num_threads();
    let t = if requested == 0 {
        budget
    } else {
        requested.min(budget)
    };
    t.clamp(1, units.max(1))
}

/// `f(i)` for every `i` in `0..n`, in order, on up to [`num_threads`] threads.
pub fn map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    map_with(0, n, f)
}

/// [`map`] on at most `requested` threads (0 = the budget); units are dealt round-robin.
pub fn map_with<T: Send>(requested: usize, n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = threads_for(requested, n);
    if threads <= 1 {
        note_worker();
        return (0..n).map(f).collect();
    }
    let f = &f;
    let monitor = crate::progress::current();
    let mut parts: Vec<Vec<(usize, T)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let monitor = monitor.clone();
                s.spawn(move || {
                    worker(monitor, || {
                        (t..n).step_by(threads).map(|i| (i, f(i))).collect()
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut out: Vec<(usize, T)> = parts.iter_mut().flat_map(std::mem::take).collect();
    out.sort_by_key(|p| p.0);
    out.into_iter().map(|p| p.1).collect()
}

/// `f(range)` over contiguous ranges covering `0..n` (one per thread, at most `max_threads`;
/// a single range when `n < min_per_thread · 2`), results in range order.
pub fn map_ranges<T: Send>(
    n: usize,
    min_per_thread: usize,
    f: impl Fn(Range<usize>) -> T + Sync,
) -> Vec<T> {
    let chunks = threads_for(0, n / min_per_thread.max(1));
    let size = n.div_ceil(chunks).max(1);
    let ranges: Vec<Range<usize>> = (0..chunks)
        .map(|c| (c * size).min(n)..((c + 1) * size).min(n))
        .collect();
    map_with(chunks, ranges.len(), |k| f(ranges[k].clone()))
}

/// `f(item)` for every owned item (e.g. disjoint `&mut` chunks of an output), on up to
/// `requested` threads (0 = the budget); items are dealt round-robin.
pub fn for_each<T: Send>(requested: usize, items: Vec<T>, f: impl Fn(T) + Sync) {
    let threads = threads_for(requested, items.len());
    if threads <= 1 {
        note_worker();
        items.into_iter().for_each(f);
        return;
    }
    let mut parts: Vec<Vec<T>> = (0..threads).map(|_| Vec::new()).collect();
    for (k, item) in items.into_iter().enumerate() {
        if let Some(p) = parts.get_mut(k % threads) {
            p.push(item);
        }
    }
    let f = &f;
    let monitor = crate::progress::current();
    std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                let monitor = monitor.clone();
                s.spawn(move || worker(monitor, || part.into_iter().for_each(f)))
            })
            .collect();
        for h in handles {
            h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        }
    });
}

/// Run `a` and `b`, on two threads when the budget allows, and return both results.
pub fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    if threads_for(0, 2) < 2 {
        note_worker();
        return (a(), b());
    }
    let monitor = crate::progress::current();
    std::thread::scope(|s| {
        let h = s.spawn(move || worker(monitor, a));
        let rb = b();
        let ra = h.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (ra, rb)
    })
}

/// What a worker thread runs: marked as a worker (nested loops inline), under the caller's
/// progress monitor, and recorded by [`record_workers`].
fn worker<R>(
    monitor: Option<std::sync::Arc<dyn crate::progress::Monitor>>,
    f: impl FnOnce() -> R,
) -> R {
    IN_WORKER.with(|w| w.set(true));
    note_worker();
    crate::progress::inherit(monitor, f)
}

/// Thread ids seen running parallel work while a [`record_workers`] call is active.
static RECORDED: Mutex<Option<Vec<ThreadId>>> = Mutex::new(None);

fn note_worker() {
    let mut slot = RECORDED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(ids) = slot.as_mut() {
        let id = std::thread::current().id();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
}

/// Test hook: run `f` and return the distinct threads that ran the work of the parallel loops
/// it started (the calling thread counts when a loop ran inline). Not for concurrent use.
pub fn record_workers<R>(f: impl FnOnce() -> R) -> (R, Vec<ThreadId>) {
    *RECORDED.lock().unwrap_or_else(PoisonError::into_inner) = Some(Vec::new());
    let r = f();
    let ids = RECORDED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
        .unwrap_or_default();
    (r, ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_in_order_whatever_the_threads() {
        let a = map_with(1, 100, |i| i * 3);
        let b = map_with(4, 100, |i| i * 3);
        assert_eq!(a, b);
        let r = map_ranges(10_000, 100, |r| r.len());
        assert_eq!(r.iter().sum::<usize>(), 10_000);
        assert_eq!(join(|| 1, || 2), (1, 2));
    }
}
