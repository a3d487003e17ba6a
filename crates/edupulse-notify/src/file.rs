//! [`FileNotifier`]: the in-app inbox, a JSON-lines file.

use crate::notifier::{DeliveredNotification, DeliveredRef};
use crate::{ChannelKind, Notifier, NotifyError};
use async_trait::async_trait;
use chrono::Utc;
use edupulse_core::results::Notification;
use serde::Deserialize;
use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Appends each notification as one JSON object per line ([`DeliveredNotification`]: the
/// notification's fields plus `channel` and `delivered_at`) to a file, creating the file and its
/// parent folders as needed.
///
/// Guarantees:
/// - **no torn lines**: a line is written with a single `write` call on a file opened for
///   appending and then `fsync`ed; if a crash ever left a partial last line, the next write starts
///   on a new line so its own line stays whole (readers skip the broken one);
/// - **no duplicates**: a `(dedupe_key, channel)` already in the file is not written again and
///   `send` returns `Ok` — so a crash between the append and the dispatcher's record of it does
///   not duplicate the line on the next run. The keys are indexed once and the index is brought
///   up to date from the bytes appended since (by any process) before each write;
/// - **one writer at a time**: the check and the append happen under an exclusive advisory lock
///   on the file, so two processes dispatching to the same file do not both write a key.
///
/// File I/O runs on tokio's blocking thread pool.
#[derive(Debug, Clone)]
pub struct FileNotifier {
    name: String,
    path: PathBuf,
    index: Arc<Mutex<KeyIndex>>,
}

/// The dedupe keys of this channel found in the file up to byte `scanned`.
#[derive(Debug, Default)]
struct KeyIndex {
    /// Bytes of the file already scanned (always the end of a complete line).
    scanned: u64,
    keys: HashSet<String>,
}

/// What the index needs from a line.
#[derive(Deserialize)]
struct KeyOnly {
    dedupe_key: String,
    channel: Option<String>,
}

impl FileNotifier {
    /// A notifier named `file` writing to `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileNotifier::named("file", path)
    }

    /// A notifier with channel name `name` writing to `path` (for several file channels).
    pub fn named(name: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        FileNotifier {
            name: name.into(),
            path: path.into(),
            index: Arc::new(Mutex::new(KeyIndex::default())),
        }
    }

    /// The file it writes to.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[async_trait]
impl Notifier for FileNotifier {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> ChannelKind {
        ChannelKind::File
    }

    async fn send(&self, notification: &Notification) -> Result<(), NotifyError> {
        let line = DeliveredRef {
            notification,
            channel: &self.name,
            delivered_at: Utc::now(),
        }
        .to_line()?;
        let name = self.name.clone();
        let path = self.path.clone();
        let index = Arc::clone(&self.index);
        let key = notification.dedupe_key.clone();
        tokio::task::spawn_blocking(move || append_once(&name, &path, &index, &key, &line))
            .await
            .map_err(|e| {
                NotifyError::retryable(&self.name, format!("file writer task failed: {e}"))
            })?
    }
}

/// Append `line` to `path` unless the channel already wrote `key` there.
fn append_once(
    name: &str,
    path: &Path,
    index: &Mutex<KeyIndex>,
    key: &str,
    line: &[u8],
) -> Result<(), NotifyError> {
    let io_err = |what: &str, e: std::io::Error| {
        NotifyError::retryable(name, format!("cannot {what} {}: {e}", path.display()))
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| io_err("create the folder of", e))?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| io_err("open", e))?;
    match file.lock() {
        Ok(()) => {}
        // Some file systems have no locks: go on without (single writer assumed).
        Err(e) if e.kind() == std::io::ErrorKind::Unsupported => {}
        Err(e) => return Err(io_err("lock", e)),
    }
    // A poisoned index is only a cache: rebuild it from the file.
    let mut idx = index.lock().unwrap_or_else(|poisoned| {
        let mut guard = poisoned.into_inner();
        *guard = KeyIndex::default();
        guard
    });
    let len = file.metadata().map_err(|e| io_err("inspect", e))?.len();
    if len < idx.scanned {
        // Truncated or replaced: start over.
        *idx = KeyIndex::default();
    }
    let torn_tail =
        scan_new_lines(name, &mut file, &mut idx, len).map_err(|e| io_err("read", e))?;
    if idx.keys.contains(key) {
        return Ok(());
    }
    let mut bytes = Vec::with_capacity(line.len() + 1);
    if torn_tail {
        bytes.push(b'\n');
    }
    bytes.extend_from_slice(line);
    file.write_all(&bytes).map_err(|e| io_err("write", e))?;
    file.sync_data().map_err(|e| io_err("sync", e))?;
    idx.keys.insert(key.to_string());
    idx.scanned = len + bytes.len() as u64;
    // The lock is released when `file` is closed.
    Ok(())
}

/// Index the complete lines between `idx.scanned` and `len`; returns whether the file ends in a
/// partial line (a torn write from a crash).
fn scan_new_lines(
    name: &str,
    file: &mut File,
    idx: &mut KeyIndex,
    len: u64,
) -> std::io::Result<bool> {
    if len == idx.scanned {
        return Ok(false);
    }
    file.seek(SeekFrom::Start(idx.scanned))?;
    let mut reader = BufReader::new(file.take(len - idx.scanned));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(false);
        }
        if buf.last() != Some(&b'\n') {
            // Partial last line: leave `scanned` before it so it is re-read (and skipped) later.
            return Ok(true);
        }
        idx.scanned += n as u64;
        if let Ok(k) = serde_json::from_slice::<KeyOnly>(&buf) {
            if k.channel.as_deref().is_none_or(|c| c == name) {
                idx.keys.insert(k.dedupe_key);
            }
        }
    }
}

/// Read a file written by [`FileNotifier`]: every complete, well-formed line, in order. Lines that
/// cannot be parsed (a torn line left by a crash, foreign text) are skipped.
pub fn read_delivered(path: impl AsRef<Path>) -> Result<Vec<DeliveredNotification>, NotifyError> {
    let path = path.as_ref();
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(NotifyError::retryable(
                "file",
                format!("cannot open {}: {e}", path.display()),
            ))
        }
    };
    let mut out = Vec::new();
    for line in BufReader::new(file).split(b'\n') {
        let line = line.map_err(|e| {
            NotifyError::retryable("file", format!("cannot read {}: {e}", path.display()))
        })?;
        if let Ok(d) = serde_json::from_slice::<DeliveredNotification>(&line) {
            out.push(d);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use edupulse_core::results::Severity;

    fn note(key: &str) -> Notification {
        Notification {
            dedupe_key: key.to_string(),
            kind: "trend_alert".into(),
            severity: Severity::High,
            title: format!("title {key}"),
            body: "body".into(),
            payload: serde_json::json!({"keyword": "curso IA", "growth": 0.8}),
            created_at: Utc.with_ymd_and_hms(2024, 5, 1, 6, 0, 0).unwrap(),
        }
    }

    #[tokio::test]
    async fn appends_lines_creates_dirs_and_skips_known_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/notifications.jsonl");
        let n = FileNotifier::new(&path);
        n.send(&note("k1")).await.unwrap();
        n.send(&note("k2")).await.unwrap();
        n.send(&note("k1")).await.unwrap();
        let lines = read_delivered(&path).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].notification, note("k1"));
        assert_eq!(lines[0].channel, "file");
        assert_eq!(lines[1].notification.dedupe_key, "k2");

        // A fresh notifier (another process, next run) indexes the file and skips as well.
        let again = FileNotifier::new(&path);
        again.send(&note("k2")).await.unwrap();
        again.send(&note("k3")).await.unwrap();
        assert_eq!(read_delivered(&path).unwrap().len(), 3);
        // And the first one sees what the second appended.
        n.send(&note("k3")).await.unwrap();
        assert_eq!(read_delivered(&path).unwrap().len(), 3);
    }

    #[tokio::test]
    async fn another_channel_name_in_the_same_file_is_not_a_duplicate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.jsonl");
        FileNotifier::named("inbox", &path)
            .send(&note("k"))
            .await
            .unwrap();
        FileNotifier::named("audit", &path)
            .send(&note("k"))
            .await
            .unwrap();
        let lines = read_delivered(&path).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[1].channel, "audit");
    }

    #[tokio::test]
    async fn a_torn_last_line_does_not_corrupt_the_next_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.jsonl");
        let n = FileNotifier::new(&path);
        n.send(&note("k1")).await.unwrap();
        // Simulate a crash in the middle of a write.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"dedupe_key":"k2","kind":"tr"#).unwrap();
        drop(f);
        n.send(&note("k2")).await.unwrap();
        n.send(&note("k2")).await.unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.ends_with('\n'));
        let lines = read_delivered(&path).unwrap();
        let keys: Vec<_> = lines
            .iter()
            .map(|l| l.notification.dedupe_key.as_str())
            .collect();
        assert_eq!(keys, ["k1", "k2"]);
    }

    #[tokio::test]
    async fn a_truncated_file_is_reindexed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.jsonl");
        let n = FileNotifier::new(&path);
        n.send(&note("k1")).await.unwrap();
        std::fs::write(&path, b"").unwrap();
        n.send(&note("k1")).await.unwrap();
        assert_eq!(read_delivered(&path).unwrap().len(), 1);
    }

    #[tokio::test]
    async fn unwritable_path_is_a_retryable_error() {
        let dir = tempfile::tempdir().unwrap();
        // A file where a folder should be.
        let blocker = dir.path().join("blocker");
        std::fs::write(&blocker, b"x").unwrap();
        let n = FileNotifier::new(blocker.join("n.jsonl"));
        let err = n.send(&note("k")).await.unwrap_err();
        assert!(err.is_retryable(), "{err}");
        assert_eq!(err.channel(), Some("file"));
    }

    #[test]
    fn reading_a_missing_file_gives_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert!(read_delivered(dir.path().join("none.jsonl"))
            .unwrap()
            .is_empty());
    }
}
