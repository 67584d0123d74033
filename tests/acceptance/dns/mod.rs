//! Acceptance tests for the dns area (being written).
