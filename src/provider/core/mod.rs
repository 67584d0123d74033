//! (being written)
use std::sync::Arc;

use super::Shared;
use crate::tfplugin::resource::{DataSource, Resource};

pub fn resources(_shared: &Shared) -> Vec<Arc<dyn Resource>> {
    Vec::new()
}

pub fn data_sources(_shared: &Shared) -> Vec<Arc<dyn DataSource>> {
    Vec::new()
}
