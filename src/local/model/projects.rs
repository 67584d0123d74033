//! Projects. Public: `GET /v1/projects` -> `{"projects":[{"project_id","name"}]}`. Create,
//! read-one, rename and delete are extensions (rows `Extension` in `contract.rs`), answered
//! `{"project":{...}}` like their neighbours; projects are made in the console (here:
//! [`crate::local::Admin::create_project`]).

use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::idempotency::Stored;
use super::validate::ProjectInput;
use super::{by_name, name_free, Table, Tx};
use crate::local::error::{ApiError, ApiResult};
use crate::local::ids;

#[derive(Serialize, Deserialize)]
pub struct Project {
    pub project_id: String,
    pub name: String,
}

/// The projects a user is a member of: the parent is the user.
pub static PROJECTS: Table<Project> = Table {
    select: "SELECT p.seq, p.project_id, p.name FROM projects p
             JOIN members m ON m.project_id = p.project_id WHERE m.user_id = ?1",
    key: "p.project_id",
    within: "for user",
    valid: |id| ids::is_id(id, "prj"),
    row: by_name,
};

/// The caller's project `project_id`.
fn load(t: &Tx<'_>, project_id: &str) -> ApiResult<Project> {
    PROJECTS.get(t, &t.auth.user_id, project_id)
}

/// 409 if one of the caller's projects (other than `except`) already has `name`.
fn check_name_free(t: &Tx<'_>, name: &str, except: &str) -> ApiResult<()> {
    name_free(
        t,
        "SELECT p.project_id FROM projects p JOIN members m ON m.project_id = p.project_id
         WHERE m.user_id = ?1 AND p.name = ?2 AND p.project_id != ?3",
        params![t.auth.user_id, name, except],
        "project_id",
        |id| format!("you already have a project named {name} ({id})"),
    )
}

/// `{"projects":[{project_id, name}]}`: the caller's, whole, in creation order.
pub fn list(t: &Tx<'_>) -> ApiResult<Value> {
    Ok(json!({ "projects": PROJECTS.all(t, &t.auth.user_id)? }))
}

/// `{"project":{...}}`, the envelope of the extension routes' answers.
fn enveloped(project: Project) -> Value {
    json!({ "project": project })
}

/// **Extension**: a new project, the caller its member: 201 `{"project":{...}}`.
pub fn create(t: &Tx<'_>, input: ProjectInput) -> ApiResult<Stored> {
    check_name_free(t, &input.name, "")?;
    let id = ids::new_id("prj");
    t.execute(
        "INSERT INTO projects (project_id, name, created_at) VALUES (?1, ?2, ?3)",
        params![id, input.name, ids::now_rfc3339()],
    )?;
    t.execute(
        "INSERT INTO members (project_id, user_id) VALUES (?1, ?2)",
        params![id, t.auth.user_id],
    )?;
    let project = load(t, &id)?;
    Ok(Stored::created(
        format!("/v1/projects/{id}"),
        enveloped(project),
    ))
}

/// **Extension**: `{"project":{...}}`.
pub fn get(t: &Tx<'_>, project_id: &str) -> ApiResult<Value> {
    load(t, project_id).map(enveloped)
}

/// **Extension**: a new name.
pub fn rename(t: &Tx<'_>, project_id: &str, input: ProjectInput) -> ApiResult<Value> {
    check_name_free(t, &input.name, project_id)?;
    t.execute(
        "UPDATE projects SET name = ?1 WHERE project_id = ?2",
        params![input.name, project_id],
    )?;
    load(t, project_id).map(enveloped)
}

/// **Extension**: deletes an empty project; 409 `project_not_empty` naming what it holds.
pub fn delete(t: &Tx<'_>, project_id: &str) -> ApiResult<()> {
    let ids_of = |sql: &str| -> ApiResult<Vec<String>> {
        let mut stmt = t.prepare(sql)?;
        let v = stmt
            .query_map([project_id], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(v)
    };
    let dbs = ids_of("SELECT database_id FROM databases WHERE project_id = ?1 ORDER BY seq")?;
    let apps = ids_of("SELECT app_id FROM apps WHERE project_id = ?1 ORDER BY seq")?;
    let domains = ids_of("SELECT domain FROM domains WHERE project_id = ?1 ORDER BY seq")?;
    if !dbs.is_empty() || !apps.is_empty() || !domains.is_empty() {
        return Err(ApiError::conflict(
                "project_not_empty",
                format!(
                    "project {project_id} still holds {} database(s) ({}), {} app(s) ({}) and {} domain(s) ({}); delete them first",
                    dbs.len(),
                    dbs.join(", "),
                    apps.len(),
                    apps.join(", "),
                    domains.len(),
                    domains.join(", ")
                ),
            )
            .with_details(json!({ "databases": dbs, "apps": apps, "domains": domains })));
    }
    t.execute("DELETE FROM projects WHERE project_id = ?1", [project_id])?;
    Ok(())
}
