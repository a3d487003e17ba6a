//! In-memory backend (placeholder, being written).
