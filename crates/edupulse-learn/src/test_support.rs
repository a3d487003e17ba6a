//! Test helpers: the shared data folder.

use std::path::PathBuf;

/// `shared/data/<name>` from `EDUPULSE_SHARED_DATA` or the first `shared/data` above the crate.
pub(crate) fn shared_data(name: &str) -> Option<PathBuf> {
    if let Ok(root) = std::env::var("EDUPULSE_SHARED_DATA") {
        let p = PathBuf::from(root).join(name);
        return p.exists().then_some(p);
    }
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .map(|a| a.join("shared").join("data").join(name))
        .find(|p| p.exists())
}
