//! Lists read once per provider process: a refresh of 500 records of one domain reads the
//! domain's record list (5 pages) instead of making 500 calls.
//!
//! A list is fetched on first use, by one caller while the others wait for it, and kept until
//! this client writes anything: any write may change any list (an Automatic DNS hostname adds
//! records to a domain, deleting an app removes its hostnames), so every write empties the
//! whole cache. Readers never take a list's word that a member is gone: a member missing from
//! it is read directly (it may be newer than the list).

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

/// A fetched list and an index of its members by ID.
pub(crate) struct Listed<T> {
    pub items: Vec<T>,
    index: HashMap<String, usize>,
}

impl<T> Listed<T> {
    pub(crate) fn new(items: Vec<T>, id: impl Fn(&T) -> String) -> Listed<T> {
        let index = items.iter().enumerate().map(|(i, t)| (id(t), i)).collect();
        Listed { items, index }
    }

    pub(crate) fn get(&self, id: &str) -> Option<&T> {
        self.index.get(id).map(|&i| &self.items[i])
    }
}

type Entry = Arc<OnceCell<Option<Arc<dyn Any + Send + Sync>>>>;

/// The lists of one client, by the path they were listed from.
#[derive(Default)]
pub(crate) struct ListCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl ListCache {
    /// The list at `path`, fetched by `fetch` unless this process has it already. None when the
    /// list could not be fetched (the caller falls back to direct reads, which report why).
    pub(crate) async fn get_or_fetch<T, F, Fut, E>(
        &self,
        path: &str,
        fetch: F,
    ) -> Option<Arc<Listed<T>>>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Listed<T>, E>>,
    {
        let entry = {
            let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            entries.entry(path.to_string()).or_default().clone()
        };
        let listed = entry
            .get_or_init(|| async move {
                match fetch().await {
                    Ok(listed) => Some(Arc::new(listed) as Arc<dyn Any + Send + Sync>),
                    Err(_) => None,
                }
            })
            .await
            .clone()?;
        listed.downcast::<Listed<T>>().ok()
    }

    /// Forgets every list (after a write).
    pub(crate) fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().unwrap().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn listed(items: &[&str]) -> Listed<String> {
        Listed::new(items.iter().map(|s| s.to_string()).collect(), Clone::clone)
    }

    #[tokio::test]
    async fn concurrent_readers_share_one_fetch() {
        let cache = Arc::new(ListCache::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let (cache, fetches) = (cache.clone(), fetches.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_fetch("/v1/x", || async {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok::<_, ()>(listed(&["a", "b"]))
                    })
                    .await
                    .expect("listed")
                    .get("b")
                    .cloned()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().as_deref(), Some("b"));
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_write_invalidates_and_failures_are_not_members() {
        let cache = ListCache::default();
        let first = cache
            .get_or_fetch("/v1/x", || async { Ok::<_, ()>(listed(&["a"])) })
            .await
            .unwrap();
        assert!(first.get("a").is_some() && first.get("z").is_none());
        // Cached: the second fetch is not called.
        let again = cache
            .get_or_fetch("/v1/x", || async { Ok::<_, ()>(listed(&["other"])) })
            .await
            .unwrap();
        assert!(again.get("a").is_some());
        cache.clear();
        assert_eq!(cache.len(), 0);
        let fresh = cache
            .get_or_fetch("/v1/x", || async { Ok::<_, ()>(listed(&["other"])) })
            .await
            .unwrap();
        assert!(fresh.get("a").is_none() && fresh.get("other").is_some());
        let failed: Option<Arc<Listed<String>>> = cache
            .get_or_fetch("/v1/y", || async { Err::<Listed<String>, _>(()) })
            .await;
        assert!(failed.is_none());
    }
}
