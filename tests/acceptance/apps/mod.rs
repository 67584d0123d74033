//! Acceptance tests for the apps area (being written).
