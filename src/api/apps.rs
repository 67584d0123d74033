//! Apps, their environment, deployments and builds on the public routes
//! (`/v1/projects/{p}/apps...`), and the rollback extension.
//!
//! Shapes as the public material shows them: lists `{"apps":[...]}`, `{"variables":[...]}`,
//! `{"builds":[...]}`; a create `{"app":{...}}`; the single read enveloped or flat (read both);
//! the DELETE's flat cleanup report. The platform sends no `project_id` on an app: the client
//! fills it in from the path.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::endpoints::{seg, unwrap_one, Listing, Located};
use super::{ApiError, Client};

/// An app. Only `app_id` and `name` are always there; the rest is read when given.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct App {
    pub app_id: String,
    /// Not sent by the platform: the project of the path the app was read from.
    #[serde(default)]
    pub project_id: String,
    pub name: String,
    #[serde(default)]
    pub active_build_id: Option<String>,
    /// Newer contracts (official CLI): the app's own URL and hostname.
    #[serde(default)]
    pub default_url: Option<String>,
    #[serde(default)]
    pub default_domain: Option<String>,
    /// The single read's builds (not in lists).
    #[serde(default)]
    pub builds: Option<Vec<Build>>,
}

/// A build: no status; the other fields are optional in the public material.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
pub struct Build {
    pub build_id: String,
    /// A timestamp as the platform writes it (a string, or a number read as its text).
    #[serde(default, deserialize_with = "stringish")]
    pub created_at: Option<String>,
    #[serde(default)]
    pub artifact_size: Option<i64>,
    #[serde(default)]
    pub deployed_at_ms: Option<i64>,
}

/// One environment variable as listed; a secret's value may be withheld.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct EnvVar {
    pub key: String,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub secret: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnvPut<'a> {
    pub value: &'a str,
    pub secret: bool,
}

/// What a deploy passes through in its query (each only when set).
#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    pub hosts: Vec<String>,
    pub env_ref: Option<String>,
    pub max_concurrent_requests: Option<i64>,
}

/// `POST .../deployments`: the build made and activated.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Deployment {
    #[serde(default)]
    pub app_id: Option<String>,
    pub build_id: String,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub uploaded: Option<bool>,
}

/// The flat answer of an app's DELETE: `complete` and the cleanup counters.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct AppDeletion {
    #[serde(default)]
    pub app_id: Option<String>,
    pub complete: bool,
    #[serde(default)]
    pub errors: Vec<serde_json::Value>,
    /// `pointer_deleted`, `artifacts_present`, ...: kept as sent, to say what is left.
    #[serde(flatten)]
    pub counters: BTreeMap<String, serde_json::Value>,
}

impl AppDeletion {
    /// What the platform reports as not done yet, for a diagnostic.
    pub fn summary(&self) -> String {
        let counters: Vec<String> = self
            .counters
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let mut out = if counters.is_empty() {
            "no counters".to_string()
        } else {
            counters.join(", ")
        };
        if !self.errors.is_empty() {
            let errors: Vec<String> = self
                .errors
                .iter()
                .map(|e| match e {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            out.push_str(&format!("; errors: {}", errors.join("; ")));
        }
        out
    }
}

#[derive(Debug, Clone, Serialize)]
struct NewApp<'a> {
    name: &'a str,
}

#[derive(Debug, Clone, Serialize)]
struct Rollback<'a> {
    build_id: &'a str,
}

/// A string, or a number written as its text.
fn stringish<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

impl Located for App {
    const KEY: &'static str = "app";
    fn id(&self) -> &str {
        &self.app_id
    }
    /// The create answer names no project: the list is the create's own path.
    fn listing(&self) -> Listing {
        Listing {
            path: String::new(),
            key: "apps",
            id_field: "app_id",
        }
    }
}

impl Client {
    pub(crate) fn apps_path(project_id: &str) -> String {
        format!("/v1/projects/{}/apps", seg(project_id))
    }
    pub(crate) fn app_path(project_id: &str, app_id: &str) -> String {
        format!("/v1/projects/{}/apps/{}", seg(project_id), seg(app_id))
    }

    pub async fn list_apps(&self, project_id: &str) -> Result<Vec<App>, ApiError> {
        let mut apps: Vec<App> = self.list_of(&Self::apps_path(project_id), "apps").await?;
        for app in &mut apps {
            app.project_id = project_id.to_string();
        }
        Ok(apps)
    }

    pub async fn create_app(&self, project_id: &str, name: &str) -> Result<App, ApiError> {
        let mut app: App = self
            .create(&Self::apps_path(project_id), &NewApp { name })
            .await?;
        app.project_id = project_id.to_string();
        Ok(app)
    }

    /// The documented single read (enveloped or flat), with `builds`.
    pub async fn get_app(&self, project_id: &str, app_id: &str) -> Result<App, ApiError> {
        let mut app: App = self
            .get_one(&Self::app_path(project_id, app_id), "app")
            .await?;
        app.project_id = project_id.to_string();
        Ok(app)
    }

    /// One DELETE; its report says whether the cleanup is complete. None: no such app (404).
    pub async fn delete_app(
        &self,
        project_id: &str,
        app_id: &str,
    ) -> Result<Option<AppDeletion>, ApiError> {
        let path = Self::app_path(project_id, app_id);
        match self.delete_json::<serde_json::Value>(&path).await {
            Ok(v) => unwrap_one(v, "app", &path).map(Some),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn get_env(&self, project_id: &str, app_id: &str) -> Result<Vec<EnvVar>, ApiError> {
        self.list_of(
            &format!("{}/environment", Self::app_path(project_id, app_id)),
            "variables",
        )
        .await
    }

    /// Creates or updates one variable.
    pub async fn put_env(
        &self,
        project_id: &str,
        app_id: &str,
        key: &str,
        body: &EnvPut<'_>,
    ) -> Result<(), ApiError> {
        let path = format!(
            "{}/environment/{}",
            Self::app_path(project_id, app_id),
            seg(key)
        );
        let _: serde_json::Value = self.put(&path, body).await?;
        Ok(())
    }

    /// Deletes one variable (a missing one counts as deleted).
    pub async fn delete_env(
        &self,
        project_id: &str,
        app_id: &str,
        key: &str,
    ) -> Result<(), ApiError> {
        self.delete(&format!(
            "{}/environment/{}",
            Self::app_path(project_id, app_id),
            seg(key)
        ))
        .await
    }

    /// Uploads a package (a zstd-compressed tar of a brrrd build) and activates its build.
    pub async fn deploy(
        &self,
        project_id: &str,
        app_id: &str,
        package: Vec<u8>,
        options: &DeployOptions,
    ) -> Result<Deployment, ApiError> {
        let mut query = Vec::new();
        if !options.hosts.is_empty() {
            let hosts: Vec<String> = options.hosts.iter().map(|h| seg(h)).collect();
            query.push(format!("hosts={}", hosts.join(",")));
        }
        if let Some(r) = &options.env_ref {
            query.push(format!("env_ref={}", seg(r)));
        }
        if let Some(n) = options.max_concurrent_requests {
            query.push(format!("max_concurrent_requests={n}"));
        }
        let mut path = format!("{}/deployments", Self::app_path(project_id, app_id));
        if !query.is_empty() {
            path.push('?');
            path.push_str(&query.join("&"));
        }
        let value: serde_json::Value = self
            .post_bytes(&path, "application/octet-stream", package)
            .await?;
        unwrap_one(value, "deployment", &path)
    }

    pub async fn list_builds(
        &self,
        project_id: &str,
        app_id: &str,
    ) -> Result<Vec<Build>, ApiError> {
        self.list_of(
            &format!("{}/builds", Self::app_path(project_id, app_id)),
            "builds",
        )
        .await
    }

    /// **Extension** (no public rollback route yet): makes an earlier build active again.
    /// Answers the app, enveloped or flat.
    pub async fn rollback(
        &self,
        project_id: &str,
        app_id: &str,
        build_id: &str,
    ) -> Result<App, ApiError> {
        let path = format!("{}/rollback", Self::app_path(project_id, app_id));
        let value: serde_json::Value = self.post(&path, &Rollback { build_id }).await?;
        let mut app: App = unwrap_one(value, "app", &path)?;
        app.project_id = project_id.to_string();
        Ok(app)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn public_shapes_are_read() {
        let app: App = unwrap_one(
            json!({"app": {"app_id": "app-1", "name": "web", "active_build_id": null}}),
            "app",
            "/p",
        )
        .unwrap();
        assert_eq!(app.app_id, "app-1");
        assert_eq!(app.active_build_id, None);
        let app: App = unwrap_one(
            json!({"app_id": "app-2", "name": "web", "active_build_id": "build-9",
                   "default_url": "https://web.example", "default_domain": "web.example",
                   "builds": [{"build_id": "build-9", "created_at": 1700000000000_i64}]}),
            "app",
            "/p",
        )
        .unwrap();
        assert_eq!(app.default_domain.as_deref(), Some("web.example"));
        let builds = app.builds.unwrap();
        assert_eq!(builds[0].created_at.as_deref(), Some("1700000000000"));

        let d: AppDeletion = serde_json::from_value(json!({
            "app_id": "app-1", "complete": false, "artifacts_present": 2,
            "pointer_deleted": true, "errors": ["artifact store busy"]
        }))
        .unwrap();
        assert!(!d.complete);
        let s = d.summary();
        assert!(s.contains("artifacts_present=2"), "{s}");
        assert!(s.contains("artifact store busy"), "{s}");
        assert!(!s.contains("app_id"), "{s}");

        let dep: Deployment = serde_json::from_value(json!({
            "app_id": "app-1", "build_id": "build-2", "hosts": ["a.example"], "uploaded": true
        }))
        .unwrap();
        assert_eq!(dep.build_id, "build-2");
        let var: EnvVar =
            serde_json::from_value(json!({"key": "A", "value": "1", "secret": false})).unwrap();
        assert_eq!(var.value.as_deref(), Some("1"));
    }
}
