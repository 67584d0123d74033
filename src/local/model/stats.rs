//! Request counts by status, for tests and benchmarks that count API calls
//! (`Server::request_counts`, `GET /_local/stats`).

use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::local::contract::Source;

/// How many requests were answered, by status and by where their route comes from: for tests
/// and benchmarks that count API calls, and for tests that prove a run stayed inside the public
/// contract.
#[derive(Default)]
pub struct RequestCounts(Mutex<Counts>);

#[derive(Default, Clone)]
struct Counts {
    by_status: BTreeMap<u16, u64>,
    by_source: BTreeMap<&'static str, u64>,
    /// `METHOD template` of every request outside the public contract (extension routes and
    /// paths no route matched), with its count.
    outside: BTreeMap<String, u64>,
}

/// What [`RequestCounts::contract`] reports.
#[derive(Debug, Clone, Default)]
pub struct ContractCounts {
    /// Requests by source (`documented`, `official-cli`, `extension`, `unrouted`).
    pub by_source: BTreeMap<&'static str, u64>,
    /// Requests outside the public contract, by `METHOD path-template`.
    pub outside: BTreeMap<String, u64>,
}

impl RequestCounts {
    /// Counts one answered request. `source` is None for a path no route matched.
    pub fn add(&self, status: u16, method: &str, route: &str, source: Option<Source>) {
        let mut c = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *c.by_status.entry(status).or_default() += 1;
        let name = source.map_or("unrouted", Source::as_str);
        *c.by_source.entry(name).or_default() += 1;
        if !matches!(source, Some(Source::Documented | Source::OfficialCli)) {
            *c.outside.entry(format!("{method} {route}")).or_default() += 1;
        }
    }

    /// Requests answered so far, by status.
    pub fn snapshot(&self) -> BTreeMap<u16, u64> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .by_status
            .clone()
    }

    /// Requests answered so far, by source, and those outside the public contract.
    pub fn contract(&self) -> ContractCounts {
        let c = self.0.lock().unwrap_or_else(|p| p.into_inner());
        ContractCounts {
            by_source: c.by_source.clone(),
            outside: c.outside.clone(),
        }
    }
}
