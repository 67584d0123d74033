//! Projects. Only `GET /v1/projects` is public; create, read-one, rename and delete are
//! extensions of ours (`x-comwit-source: extension`): a platform without them answers 404, 405 or
//! 501, which [`is_missing_route`] recognises so that callers can say what to do instead.

use serde::{Deserialize, Serialize};

use super::endpoints::{seg, Listing, Located};
use super::{ApiError, Client};

/// A project as `GET /v1/projects` lists it: `{"project_id","name"}`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Project {
    pub project_id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProjectName<'a> {
    pub name: &'a str,
}

impl Located for Project {
    const KEY: &'static str = "project";
    fn id(&self) -> &str {
        &self.project_id
    }
    fn listing(&self) -> Listing {
        Listing {
            path: "/v1/projects".to_string(),
            key: "projects",
            id_field: "project_id",
        }
    }
}

/// Whether an answer means "this route does not exist here": 404 for a route the platform does
/// not serve, 405 for a method it does not allow there, 501 for one it does not implement.
pub fn is_missing_route(err: &ApiError) -> bool {
    matches!(err.status(), Some(404 | 405 | 501))
}

impl Client {
    /// `GET /v1/projects`: the projects the token's user is a member of. A token whose listing
    /// is not enabled answers 404 or 501 ([`is_missing_route`]).
    pub async fn list_projects(&self) -> Result<Vec<Project>, ApiError> {
        self.list_of("/v1/projects", "projects").await
    }

    /// One project, from the list (no single read is public). `Ok(None)` when it is not listed.
    pub async fn find_project(&self, project_id: &str) -> Result<Option<Project>, ApiError> {
        Ok(self
            .list_projects()
            .await?
            .into_iter()
            .find(|p| p.project_id == project_id))
    }

    /// Extension: `POST /v1/projects {"name"}` -> `{"project":{...}}` (or flat).
    pub async fn create_project(&self, name: &str) -> Result<Project, ApiError> {
        self.create("/v1/projects", &ProjectName { name }).await
    }

    /// Extension: `PATCH /v1/projects/{p} {"name"}` -> `{"project":{...}}` (or flat).
    pub async fn rename_project(&self, project_id: &str, name: &str) -> Result<Project, ApiError> {
        let path = format!("/v1/projects/{}", seg(project_id));
        let value: serde_json::Value = self.patch(&path, &ProjectName { name }).await?;
        super::endpoints::unwrap_one(value, "project", &path)
    }

    /// Extension: `DELETE /v1/projects/{p}`. A 404 is reported, not taken as done: on a
    /// platform without the route it means the route is missing (the caller checks the list).
    pub async fn delete_project(&self, project_id: &str) -> Result<(), ApiError> {
        self.delete_reporting_404(&format!("/v1/projects/{}", seg(project_id)))
            .await
    }
}
