//! Conformance suite (placeholder, being written).
