//! Store URLs (placeholder, being written).
