//! The platform model: what comwit-local's objects are, the rules they follow and the answers
//! the platform gives about them, one module per area (`projects`, `databases`, `apps`,
//! `deploys`, `hostnames`, `domains`, `records`, `registrar`, `database_tokens`), over the
//! store. Nothing here knows HTTP routing: the handlers in [`super::http`] take a request
//! apart, call one function of an area in one transaction ([`Tx`]), and send its answer.
//!
//! What the areas share: [`Tx`] (the transaction, the caller and the settings), the scopes of
//! a path ([`Scope`]: the project, app, database or domain a route is below, checked for 404
//! and 403 before anything else) and [`Table`] (reading rows as typed items).

use rusqlite::{OptionalExtension, Transaction};
use serde::Serialize;

use super::error::{ApiError, ApiResult};
use super::ids;
use super::store;

pub mod apps;
pub mod auth;
pub mod database_tokens;
pub mod databases;
pub mod db_tokens;
pub mod deploys;
pub mod dns;
pub mod domains;
pub mod hostnames;
pub mod idempotency;
pub mod json;
pub mod projects;
pub mod queries;
pub mod ratelimit;
pub mod records;
pub mod registrar;
pub mod restore_points;
pub mod restores;
pub mod seeds;
pub mod state;
pub mod stats;
pub mod storages;
pub mod validate;

use auth::Auth;
pub use state::Settings;

/// One request's transaction: the store, the caller and the server's settings.
pub struct Tx<'a> {
    pub tx: &'a Transaction<'a>,
    pub auth: &'a Auth,
    pub settings: &'a Settings,
}

impl<'a> std::ops::Deref for Tx<'a> {
    type Target = Transaction<'a>;
    fn deref(&self) -> &Transaction<'a> {
        self.tx
    }
}

// ---------- scopes ----------

/// The part of a route's path above what the route is about, checked in the handler's
/// transaction before anything else: 404 unless it exists, 403 unless the caller may go there.
pub trait Scope: Sized + Send + 'static {
    /// What the check found (the app of an app's routes, ...), for the handler.
    type Found: Send;
    /// Take this scope's path parameters.
    fn take(params: &mut Params) -> Self;
    fn check(&self, t: &Tx<'_>) -> ApiResult<Self::Found>;
    /// The key of what the path names: the parent of the items listed below it.
    fn key(&self) -> &str;
}

/// Routes above any project (`/v1/projects`).
impl Scope for () {
    type Found = ();
    fn take(_: &mut Params) {}
    fn check(&self, _: &Tx<'_>) -> ApiResult<()> {
        Ok(())
    }
    fn key(&self) -> &str {
        ""
    }
}

/// The path parameters, in route order.
pub type Params = std::vec::IntoIter<String>;

/// `/v1/projects/{project_id}`.
pub struct InProject {
    pub project_id: String,
}

impl Scope for InProject {
    type Found = ();
    fn take(params: &mut Params) -> Self {
        InProject {
            project_id: params.next().unwrap_or_default(),
        }
    }
    fn check(&self, t: &Tx<'_>) -> ApiResult<()> {
        project_access(t, t.auth, &self.project_id)
    }
    fn key(&self) -> &str {
        &self.project_id
    }
}

/// A scope one item of a project's `table` below the project: `$key` names it.
macro_rules! in_project {
    ($(#[$doc:meta])* $name:ident { $key:ident } => $found:ty, $table:expr) => {
        $(#[$doc])*
        pub struct $name {
            pub project_id: String,
            pub $key: String,
        }

        impl Scope for $name {
            type Found = $found;
            fn take(params: &mut Params) -> Self {
                let InProject { project_id } = InProject::take(params);
                $name {
                    project_id,
                    $key: params.next().unwrap_or_default(),
                }
            }
            fn check(&self, t: &Tx<'_>) -> ApiResult<$found> {
                project_access(t, t.auth, &self.project_id)?;
                $table.get(t, &self.project_id, &self.$key)
            }
            fn key(&self) -> &str {
                &self.$key
            }
        }
    };
}

in_project!(
    /// `/v1/projects/{project_id}/apps/{app_id}`: the app.
    InApp { app_id } => apps::App, apps::APPS
);

in_project!(
    /// `/v1/projects/{project_id}/databases/{database_id}`: the database.
    InDatabase { database_id } => databases::Database, databases::DATABASES
);

in_project!(
    /// `/v1/projects/{project_id}/domains/{domain}`: the domain.
    InDomain { domain } => domains::Domain, domains::DOMAINS
);

in_project!(
    /// `/v1/projects/{project_id}/storages/{storage_id}`: the storage.
    InStorage { storage_id } => storages::Storage, storages::STORAGES
);

/// One item below `P`: its key is the route's last path parameter (the handler reads it).
pub struct Item<P> {
    pub parent: P,
    pub id: String,
}

impl<P: Scope> Scope for Item<P> {
    type Found = P::Found;
    fn take(params: &mut Params) -> Self {
        let parent = P::take(params);
        Item {
            parent,
            id: params.next().unwrap_or_default(),
        }
    }
    fn check(&self, t: &Tx<'_>) -> ApiResult<P::Found> {
        self.parent.check(t)
    }
    fn key(&self) -> &str {
        &self.id
    }
}

/// 404 unless the project exists, 403 unless the caller is a member.
pub fn project_access(tx: &Transaction<'_>, auth: &Auth, project_id: &str) -> ApiResult<()> {
    if !ids::is_id(project_id, "prj") || !project_exists(tx, project_id)? {
        return Err(ApiError::not_found(format!("no project {project_id}")));
    }
    let member = "SELECT 1 FROM members WHERE project_id = ?1 AND user_id = ?2";
    if !store::exists(tx, member, [project_id, &auth.user_id])? {
        return Err(ApiError::not_a_member(&auth.user_name, project_id));
    }
    Ok(())
}

/// Whether the project exists.
pub fn project_exists(tx: &Transaction<'_>, project_id: &str) -> rusqlite::Result<bool> {
    store::exists(
        tx,
        "SELECT 1 FROM projects WHERE project_id = ?1",
        [project_id],
    )
}

// ---------- tables ----------

/// How the items of one kind are read: each belongs to a parent (`?1` in `select`) and has a
/// key; a 404 names the item by its key column without `_id` ("no app app_... in project ...").
pub struct Table<T> {
    /// `SELECT <seq, then the columns row reads> FROM <tables> WHERE <parent column> = ?1`.
    pub select: &'static str,
    /// The key column, with its table's alias if the query has one (`p.project_id`).
    pub key: &'static str,
    /// How the parent is named in a 404: `in project`.
    pub within: &'static str,
    /// Whether a key can name an item at all (else 404 without a query).
    pub valid: fn(&str) -> bool,
    pub row: fn(&rusqlite::Row<'_>, &Settings) -> rusqlite::Result<T>,
}

impl<T> Table<T> {
    /// The item `key` of `parent`; 404 unless it exists.
    pub fn get(&self, t: &Tx<'_>, parent: &str, key: &str) -> ApiResult<T> {
        let found = if (self.valid)(key) {
            let sql = format!("{} AND {} = ?2", self.select, self.key);
            t.query_row(&sql, [parent, key], |r| (self.row)(r, t.settings))
                .optional()?
        } else {
            None
        };
        found.ok_or_else(|| {
            let column = self.key.rsplit('.').next().unwrap_or(self.key);
            let what = column.strip_suffix("_id").unwrap_or(column);
            ApiError::not_found(format!("no {what} {key} {} {parent}", self.within))
        })
    }

    /// Change the item `key` of `parent` (404 unless it exists) by `f`, given the item as it
    /// is; the answer is the item as `f` left it.
    pub fn change(
        &self,
        t: &Tx<'_>,
        parent: &str,
        key: &str,
        f: impl FnOnce(T) -> ApiResult<()>,
    ) -> ApiResult<T> {
        f(self.get(t, parent, key)?)?;
        self.get(t, parent, key)
    }

    /// Every item of `parent`, in creation order (the public lists are whole).
    pub fn all(&self, t: &Tx<'_>, parent: &str) -> ApiResult<Vec<T>> {
        let alias = self.key.rsplit_once('.').map_or("", |(a, _)| a);
        let seq = if alias.is_empty() {
            "seq".to_string()
        } else {
            format!("{alias}.seq")
        };
        let sql = format!("{} ORDER BY {seq}", self.select);
        let mut stmt = t.prepare(&sql)?;
        let rows = stmt
            .query_map([parent], |r| (self.row)(r, t.settings))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}

/// For `Table::row`: the row by column name.
pub fn by_name<T: serde::de::DeserializeOwned>(
    r: &rusqlite::Row<'_>,
    _: &Settings,
) -> rusqlite::Result<T> {
    store::from_row(r)
}

/// A `name_taken` 409 when `sql` (with `params`) finds an id: `message` is told the id, and the
/// details name it as `id_field`.
pub fn name_free(
    t: &Tx<'_>,
    sql: &str,
    params: impl rusqlite::Params,
    id_field: &str,
    message: impl FnOnce(&str) -> String,
) -> ApiResult<()> {
    match store::first::<String>(t, sql, params)? {
        Some(id) => Err(ApiError::conflict("name_taken", message(&id))
            .with_details(serde_json::json!({ id_field: id }))),
        None => Ok(()),
    }
}

/// `value` as JSON, for answers that are stored for replay.
pub fn to_json(value: &impl Serialize) -> ApiResult<serde_json::Value> {
    Ok(serde_json::to_value(value)?)
}
