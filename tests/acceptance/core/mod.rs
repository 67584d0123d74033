//! Acceptance tests for the core area (being written).
