//! Notifications (being written).
