//! One method per platform operation, grouped by area. Paths follow docs/api/openapi.yaml.

use super::cache::Listed;
use super::models::*;
use super::{ApiError, Client};

/// Escapes one path segment (IDs and hostnames are plain, but names from users may not be).
pub(crate) fn seg(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where a created object is listed, so that a replayed create can be checked against the
/// list (see [`Client::create`]).
pub struct Listing {
    /// The list's path, e.g. `/v1/projects/{p}/databases`.
    pub path: String,
    /// The list's member name in its answer, e.g. `databases`.
    pub key: &'static str,
    /// The member field holding the ID, e.g. `database_id`.
    pub id_field: &'static str,
}

/// An object the platform creates: where it is listed, and how a create answer says it was a
/// replay.
pub trait Located {
    /// The envelope member of a create's answer (`{"app": {...}}`); a flat answer is read too.
    const KEY: &'static str;
    /// Its ID, as its list shows it under [`Listing::id_field`].
    fn id(&self) -> &str;
    fn listing(&self) -> Listing;
    /// Whether the answer itself says it replayed an earlier create (a database's
    /// `created: false`).
    fn replayed(&self) -> bool {
        false
    }
}

// Each area's slice adapts these to the public shapes.
macro_rules! located {
    ($t:ty, $key:literal, $list_key:literal, $id_field:literal, |$o:ident| $path:expr, $id:expr) => {
        impl Located for $t {
            const KEY: &'static str = $key;
            fn id(&self) -> &str {
                let $o = self;
                $id
            }
            fn listing(&self) -> Listing {
                let $o = self;
                Listing {
                    path: $path,
                    key: $list_key,
                    id_field: $id_field,
                }
            }
        }
    };
}

located!(
    Hostname,
    "domain",
    "domains",
    "domain",
    |o| format!("{}/domains", Client::app_path(&o.project_id, &o.app_id)),
    &o.hostname
);
located!(
    Domain,
    "domain",
    "domains",
    "domain",
    |o| format!("/v1/projects/{}/domains", seg(&o.project_id)),
    &o.domain
);
located!(
    Registration,
    "registration",
    "registrations",
    "domain",
    |o| format!("/v1/projects/{}/registrations", seg(&o.project_id)),
    &o.domain
);
located!(
    Record,
    "record",
    "records",
    "id",
    |o| format!("{}/records", Client::domain_path(&o.project_id, &o.domain)),
    &o.record_id
);

/// A list read a page at a time, following `next_cursor`, for callers that may stop early.
pub struct Pages<'c, T> {
    client: &'c Client,
    path: String,
    cursor: Option<String>,
    done: bool,
    _items: std::marker::PhantomData<T>,
}

impl<T: serde::de::DeserializeOwned> Pages<'_, T> {
    /// The next page; `None` once the list is complete.
    pub async fn next(&mut self) -> Result<Option<Vec<T>>, ApiError> {
        if self.done {
            return Ok(None);
        }
        let path = &self.path;
        let url = match &self.cursor {
            Some(c) => format!("{path}?limit=100&cursor={}", seg(c)),
            None => format!("{path}?limit=100"),
        };
        let page: Page<T> = self.client.get(&url).await?;
        match page.next_cursor {
            Some(c) if !c.is_empty() => self.cursor = Some(c),
            _ => self.done = true,
        }
        Ok(Some(page.items))
    }
}

impl Client {
    fn pages<T>(&self, path: String) -> Pages<'_, T> {
        Pages {
            client: self,
            path,
            cursor: None,
            done: false,
            _items: std::marker::PhantomData,
        }
    }

    /// Follows `next_cursor` until the list is complete.
    async fn list_all<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        let mut pages = self.pages(path.to_string());
        while let Some(page) = pages.next().await? {
            items.extend(page);
        }
        Ok(items)
    }

    /// A whole list as the platform sends it: `{"<key>": [...]}` (a bare array is read too).
    /// The public lists are not paged; should one ever carry a `next_page_token`, the rest is
    /// fetched with `page_token` until none comes (the logs route's convention).
    pub(crate) async fn list_of<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
    ) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        // A bound, so a platform that repeats one token cannot keep us here.
        for _ in 0..1000 {
            let url = match &token {
                Some(t) => {
                    let sep = if path.contains('?') { '&' } else { '?' };
                    format!("{path}{sep}page_token={}", seg(t))
                }
                None => path.to_string(),
            };
            let page: serde_json::Value = self.get(&url).await?;
            let (list, next) = split_list(page, key, path)?;
            for item in list {
                items.push(serde_json::from_value(item).map_err(|e| ApiError::Decode {
                    message: format!("a member of `{key}`: {e}"),
                    path: path.to_string(),
                })?);
            }
            match next {
                Some(t) if Some(&t) != token.as_ref() => token = Some(t),
                _ => return Ok(items),
            }
        }
        Ok(items)
    }

    /// One object as the platform sends it: `{"<key>": {...}}`, or the object itself where
    /// the public material shows (or does not say) a flat answer.
    pub(crate) async fn get_one<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        key: &str,
    ) -> Result<T, ApiError> {
        let value: serde_json::Value = self.get(path).await?;
        unwrap_one(value, key, path)
    }

    pub fn app_pages(&self, project_id: &str) -> Pages<'_, App> {
        self.pages(format!("/v1/projects/{}/apps", seg(project_id)))
    }
    pub fn hostname_pages(&self, project_id: &str, app_id: &str) -> Pages<'_, Hostname> {
        self.pages(format!("{}/hostnames", Self::app_path(project_id, app_id)))
    }
    pub fn domain_pages(&self, project_id: &str) -> Pages<'_, Domain> {
        self.pages(format!("/v1/projects/{}/domains", seg(project_id)))
    }
    pub fn record_pages(&self, project_id: &str, domain: &str) -> Pages<'_, Record> {
        self.pages(format!("{}/records", Self::domain_path(project_id, domain)))
    }

    /// A member of the list at `list_path`, from this process's cached copy of the list when
    /// it holds it; else (not listed, or the list could not be read) by the direct read
    /// `direct`, which also reports 404 for a member that is really gone.
    async fn cached_member<T>(
        &self,
        list_path: &str,
        id_of: fn(&T) -> String,
        id: &str,
        direct: impl std::future::Future<Output = Result<T, ApiError>>,
    ) -> Result<T, ApiError>
    where
        T: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
    {
        if let Some(listed) = self.cached_list::<T>(list_path, id_of).await {
            if let Some(member) = listed.get(id) {
                return Ok(member.clone());
            }
        }
        direct.await
    }

    /// All of the list at `list_path`: the cached copy, else read now.
    async fn cached_items<T>(
        &self,
        list_path: &str,
        id_of: fn(&T) -> String,
    ) -> Result<Vec<T>, ApiError>
    where
        T: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
    {
        match self.cached_list(list_path, id_of).await {
            Some(listed) => Ok(listed.items.clone()),
            None => self.list_all(list_path).await,
        }
    }

    /// The list at `list_path`, fetched once per process (see [`super::cache`]).
    async fn cached_list<T>(
        &self,
        list_path: &str,
        id_of: fn(&T) -> String,
    ) -> Option<std::sync::Arc<Listed<T>>>
    where
        T: serde::de::DeserializeOwned + Send + Sync + 'static,
    {
        self.cache
            .get_or_fetch(list_path, || async {
                let items = self.list_all::<T>(list_path).await?;
                Ok::<_, ApiError>(Listed::new(items, id_of))
            })
            .await
    }

    // ---- hostnames
    pub async fn list_hostnames(
        &self,
        project_id: &str,
        app_id: &str,
    ) -> Result<Vec<Hostname>, ApiError> {
        self.list_all(&format!("{}/hostnames", Self::app_path(project_id, app_id)))
            .await
    }
    pub async fn attach_hostname(
        &self,
        project_id: &str,
        app_id: &str,
        body: &HostnameAttach<'_>,
    ) -> Result<Hostname, ApiError> {
        self.create(
            &format!("{}/hostnames", Self::app_path(project_id, app_id)),
            body,
        )
        .await
    }
    pub async fn get_hostname(
        &self,
        project_id: &str,
        app_id: &str,
        hostname: &str,
    ) -> Result<Hostname, ApiError> {
        self.get(&format!(
            "{}/hostnames/{}",
            Self::app_path(project_id, app_id),
            seg(hostname)
        ))
        .await
    }
    pub async fn detach_hostname(
        &self,
        project_id: &str,
        app_id: &str,
        hostname: &str,
    ) -> Result<(), ApiError> {
        self.delete(&format!(
            "{}/hostnames/{}",
            Self::app_path(project_id, app_id),
            seg(hostname)
        ))
        .await
    }

    // ---- domains and records
    fn domain_path(project_id: &str, domain: &str) -> String {
        format!("/v1/projects/{}/domains/{}", seg(project_id), seg(domain))
    }
    pub async fn list_domains(&self, project_id: &str) -> Result<Vec<Domain>, ApiError> {
        self.list_all(&format!("/v1/projects/{}/domains", seg(project_id)))
            .await
    }
    pub async fn onboard_domain(&self, project_id: &str, domain: &str) -> Result<Domain, ApiError> {
        self.create(
            &format!("/v1/projects/{}/domains", seg(project_id)),
            &DomainOnboard { domain },
        )
        .await
    }
    pub async fn get_domain(&self, project_id: &str, domain: &str) -> Result<Domain, ApiError> {
        self.get(&Self::domain_path(project_id, domain)).await
    }
    pub async fn remove_domain(&self, project_id: &str, domain: &str) -> Result<(), ApiError> {
        self.delete(&Self::domain_path(project_id, domain)).await
    }
    pub async fn list_records(
        &self,
        project_id: &str,
        domain: &str,
    ) -> Result<Vec<Record>, ApiError> {
        self.list_all(&format!(
            "{}/records",
            Self::domain_path(project_id, domain)
        ))
        .await
    }
    pub async fn create_record(
        &self,
        project_id: &str,
        domain: &str,
        body: &RecordInput<'_>,
    ) -> Result<Record, ApiError> {
        self.create(
            &format!("{}/records", Self::domain_path(project_id, domain)),
            body,
        )
        .await
    }
    pub async fn get_record(
        &self,
        project_id: &str,
        domain: &str,
        record_id: &str,
    ) -> Result<Record, ApiError> {
        self.get(&format!(
            "{}/records/{}",
            Self::domain_path(project_id, domain),
            seg(record_id)
        ))
        .await
    }
    pub async fn replace_record(
        &self,
        project_id: &str,
        domain: &str,
        record_id: &str,
        body: &RecordInput<'_>,
    ) -> Result<Record, ApiError> {
        self.put(
            &format!(
                "{}/records/{}",
                Self::domain_path(project_id, domain),
                seg(record_id)
            ),
            body,
        )
        .await
    }
    pub async fn delete_record(
        &self,
        project_id: &str,
        domain: &str,
        record_id: &str,
    ) -> Result<(), ApiError> {
        self.delete(&format!(
            "{}/records/{}",
            Self::domain_path(project_id, domain),
            seg(record_id)
        ))
        .await
    }

    // ---- registrar
    fn registration_path(project_id: &str, domain: &str) -> String {
        format!(
            "/v1/projects/{}/registrations/{}",
            seg(project_id),
            seg(domain)
        )
    }
    /// Whether `domain` can be registered, and at what price.
    pub async fn check_availability(&self, domain: &str) -> Result<Availability, ApiError> {
        self.get(&format!(
            "/v1/registrar/availability?domain={}",
            seg(domain)
        ))
        .await
    }
    pub async fn list_registrations(
        &self,
        project_id: &str,
    ) -> Result<Vec<Registration>, ApiError> {
        self.list_all(&format!("/v1/projects/{}/registrations", seg(project_id)))
            .await
    }
    pub fn registration_pages(&self, project_id: &str) -> Pages<'_, Registration> {
        self.pages(format!("/v1/projects/{}/registrations", seg(project_id)))
    }
    /// Buys a domain. Sent through [`Client::create`]: a purchase whose answer was lost is
    /// answered by the platform's replay (and adopted) when it is sent again, never bought twice.
    pub async fn register_domain(
        &self,
        project_id: &str,
        body: &RegistrationCreate<'_>,
    ) -> Result<Registration, ApiError> {
        self.create(
            &format!("/v1/projects/{}/registrations", seg(project_id)),
            body,
        )
        .await
    }
    pub async fn get_registration(
        &self,
        project_id: &str,
        domain: &str,
    ) -> Result<Registration, ApiError> {
        self.get(&Self::registration_path(project_id, domain)).await
    }
    pub async fn set_auto_renew(
        &self,
        project_id: &str,
        domain: &str,
        auto_renew: bool,
    ) -> Result<Registration, ApiError> {
        self.patch(
            &Self::registration_path(project_id, domain),
            &RegistrationUpdate { auto_renew },
        )
        .await
    }

    // ---- reads for refreshes: answered from one list per parent and process
    /// [`Client::get_hostname`], answered from the app's cached hostname list.
    pub async fn read_hostname(
        &self,
        project_id: &str,
        app_id: &str,
        hostname: &str,
    ) -> Result<Hostname, ApiError> {
        let list = format!("{}/hostnames", Self::app_path(project_id, app_id));
        self.cached_member(
            &list,
            |h: &Hostname| h.hostname.clone(),
            hostname,
            self.get_hostname(project_id, app_id, hostname),
        )
        .await
    }
    /// [`Client::get_domain`], answered from the project's cached domain list.
    pub async fn read_domain(&self, project_id: &str, domain: &str) -> Result<Domain, ApiError> {
        let list = format!("/v1/projects/{}/domains", seg(project_id));
        self.cached_member(
            &list,
            |d: &Domain| d.domain.clone(),
            domain,
            self.get_domain(project_id, domain),
        )
        .await
    }
    /// [`Client::get_record`], answered from the domain's cached record list.
    pub async fn read_record(
        &self,
        project_id: &str,
        domain: &str,
        record_id: &str,
    ) -> Result<Record, ApiError> {
        let list = format!("{}/records", Self::domain_path(project_id, domain));
        self.cached_member(
            &list,
            |r: &Record| r.record_id.clone(),
            record_id,
            self.get_record(project_id, domain, record_id),
        )
        .await
    }
    /// [`Client::list_domains`] through the same cache as [`Client::read_domain`].
    pub async fn read_domains(&self, project_id: &str) -> Result<Vec<Domain>, ApiError> {
        let list = format!("/v1/projects/{}/domains", seg(project_id));
        self.cached_items(&list, |d: &Domain| d.domain.clone())
            .await
    }
    /// [`Client::list_records`] through the same cache as [`Client::read_record`].
    pub async fn read_records(
        &self,
        project_id: &str,
        domain: &str,
    ) -> Result<Vec<Record>, ApiError> {
        let list = format!("{}/records", Self::domain_path(project_id, domain));
        self.cached_items(&list, |r: &Record| r.record_id.clone())
            .await
    }
}

/// The members of a list answer and its `next_page_token`.
fn split_list(
    page: serde_json::Value,
    key: &str,
    path: &str,
) -> Result<(Vec<serde_json::Value>, Option<String>), ApiError> {
    match page {
        serde_json::Value::Array(items) => Ok((items, None)),
        serde_json::Value::Object(mut o) => {
            let next = o
                .get("next_page_token")
                .and_then(|t| t.as_str())
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            match o.remove(key) {
                Some(serde_json::Value::Array(items)) => Ok((items, next)),
                Some(serde_json::Value::Null) => Ok((Vec::new(), next)),
                _ => Err(ApiError::Decode {
                    message: format!(
                        "expected a list under `{key}`; the answer has {}",
                        describe_members(&o)
                    ),
                    path: path.to_string(),
                }),
            }
        }
        other => Err(ApiError::Decode {
            message: format!("expected an object with `{key}`, got {}", kind_of(&other)),
            path: path.to_string(),
        }),
    }
}

/// `{"<key>": {...}}` or the object itself.
pub(crate) fn unwrap_one<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    key: &str,
    path: &str,
) -> Result<T, ApiError> {
    let inner = match value {
        serde_json::Value::Object(mut o) if o.get(key).is_some_and(|v| v.is_object()) => {
            o.remove(key).unwrap_or_default()
        }
        other => other,
    };
    serde_json::from_value(inner).map_err(|e| ApiError::Decode {
        message: format!("expected `{key}` (enveloped or flat): {e}"),
        path: path.to_string(),
    })
}

fn describe_members(o: &serde_json::Map<String, serde_json::Value>) -> String {
    if o.is_empty() {
        return "no members".to_string();
    }
    let names: Vec<String> = o.keys().take(6).map(|k| format!("`{k}`")).collect();
    format!("the members {}", names.join(", "))
}

fn kind_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_are_read_enveloped_or_bare() {
        let (items, next) = split_list(
            json!({"databases": [{"a": 1}], "next_page_token": "t"}),
            "databases",
            "/p",
        )
        .unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(next.as_deref(), Some("t"));
        let (items, next) = split_list(json!([1, 2]), "apps", "/p").unwrap();
        assert_eq!((items.len(), next), (2, None));
        let (items, _) = split_list(json!({"apps": null}), "apps", "/p").unwrap();
        assert!(items.is_empty());
        let e = split_list(json!({"items": []}), "apps", "/p").unwrap_err();
        assert!(e.to_string().contains("`items`"), "{e}");
    }

    #[test]
    fn one_object_is_read_enveloped_or_flat() {
        #[derive(serde::Deserialize)]
        struct App {
            app_id: String,
        }
        let a: App = unwrap_one(json!({"app": {"app_id": "app-1"}}), "app", "/p").unwrap();
        assert_eq!(a.app_id, "app-1");
        let a: App = unwrap_one(json!({"app_id": "app-2", "builds": []}), "app", "/p").unwrap();
        assert_eq!(a.app_id, "app-2");
        assert!(unwrap_one::<App>(json!({"name": "x"}), "app", "/p").is_err());
    }
}
