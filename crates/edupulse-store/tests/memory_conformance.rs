//! The conformance suite on the in-memory backend.

use edupulse_store::memory::MemoryStore;
use edupulse_store::{conformance, Store};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_passes_the_conformance_suite() {
    conformance::run_all(|| async { Arc::new(MemoryStore::new()) as Arc<dyn Store> }).await;
}

#[tokio::test]
async fn open_memory_gives_an_empty_store() {
    let store = edupulse_store::open_memory().await;
    assert_eq!(store.describe(), "memory://");
    conformance::schema_version_is_positive(store).await;
}
