//! Administration straight against the store: users, memberships, tokens. Used by the
//! `comwit-local` admin commands and by tests.

use std::path::Path;

use rusqlite::params;

use super::error::ApiError;
use super::ids;
use super::model::auth::{parse_scope, ALL_SCOPES};
use super::model::project_exists;
use super::model::validate::is_label;
use super::store::files::write_private;
use super::store::{self, Store};

/// Name of the file, in the data directory, that holds the dev user's token.
pub const DEV_TOKEN_FILE: &str = "dev-token";
pub const DEV_USER: &str = "dev";

#[derive(Clone)]
pub struct Admin {
    store: Store,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub user_id: String,
    pub name: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub token_id: String,
    pub user: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: String,
}

/// A freshly created token; `secret` is shown once and stored only hashed.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub token_id: String,
    pub secret: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ProjectInfo {
    pub project_id: String,
    pub name: String,
    pub members: Vec<String>,
}

fn err(e: ApiError) -> String {
    e.message.clone()
}

impl Admin {
    pub fn new(store: Store) -> Admin {
        Admin { store }
    }

    /// Open the data directory (creating it if needed).
    pub fn open(data_dir: &Path) -> Result<Admin, String> {
        Ok(Admin::new(Store::open(data_dir)?))
    }

    pub fn create_user(&self, name: &str) -> Result<UserInfo, String> {
        if !is_label(name) {
            return Err(format!(
                "invalid user name {name:?}: 1-63 characters of a-z, 0-9 and '-', starting with a letter"
            ));
        }
        self.store
            .write_blocking(|tx| {
                if store::exists(tx, "SELECT 1 FROM users WHERE name = ?1", [name])? {
                    return Err(ApiError::conflict(
                        "name_taken",
                        format!("user {name} already exists"),
                    ));
                }
                let user = UserInfo {
                    user_id: ids::new_id("usr"),
                    name: name.to_string(),
                    created_at: ids::now_rfc3339(),
                };
                tx.execute(
                    "INSERT INTO users (user_id, name, created_at) VALUES (?1, ?2, ?3)",
                    params![user.user_id, user.name, user.created_at],
                )?;
                Ok(user)
            })
            .map_err(err)
    }

    pub fn users(&self) -> Result<Vec<UserInfo>, String> {
        self.store
            .read_blocking(|tx| {
                let mut stmt =
                    tx.prepare("SELECT user_id, name, created_at FROM users ORDER BY seq")?;
                let rows = stmt.query_map([], |r| {
                    Ok(UserInfo {
                        user_id: r.get(0)?,
                        name: r.get(1)?,
                        created_at: r.get(2)?,
                    })
                })?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .map_err(err)
    }

    fn user_id(tx: &rusqlite::Transaction<'_>, name: &str) -> Result<String, ApiError> {
        store::first(tx, "SELECT user_id FROM users WHERE name = ?1", [name])?
            .ok_or_else(|| ApiError::not_found(format!("no user {name}")))
    }

    /// Create a project as the console does (no API call: the public API has no project
    /// create), with `members` (user names) as its members. Returns its ID.
    pub fn create_project(&self, name: &str, members: &[&str]) -> Result<String, String> {
        if !is_label(name) {
            return Err(format!("{name:?} is not a project name (a DNS label)"));
        }
        let members: Vec<String> = members.iter().map(|m| m.to_string()).collect();
        let name = name.to_string();
        self.store
            .write_blocking(move |tx| {
                let id = ids::new_id("prj");
                tx.execute(
                    "INSERT INTO projects (project_id, name, created_at) VALUES (?1, ?2, ?3)",
                    params![id, name, ids::now_rfc3339()],
                )?;
                for m in &members {
                    let uid = Self::user_id(tx, m)?;
                    tx.execute(
                        "INSERT OR IGNORE INTO members (project_id, user_id) VALUES (?1, ?2)",
                        [&id, &uid],
                    )?;
                }
                Ok(id)
            })
            .map_err(err)
    }

    /// A project-owned machine token (`cwp_...`) holding `scopes`, e.g. `database:connect` for
    /// a workload: it reaches that project only (its holder is a machine user that is a member
    /// of it alone).
    pub fn create_project_token(
        &self,
        project_id: &str,
        scopes: &[&str],
        name: &str,
    ) -> Result<NewToken, String> {
        let machine = format!("project-{}", project_id.replace('_', "-"));
        let project = project_id.to_string();
        let machine_name = machine.clone();
        self.store
            .write_blocking(move |tx| {
                if !project_exists(tx, &project)? {
                    return Err(ApiError::not_found(format!("no project {project}")));
                }
                tx.execute(
                    "INSERT OR IGNORE INTO users (user_id, name, created_at) VALUES (?1, ?2, ?3)",
                    params![ids::new_id("usr"), machine_name, ids::now_rfc3339()],
                )?;
                let uid = Self::user_id(tx, &machine_name)?;
                tx.execute(
                    "INSERT OR IGNORE INTO members (project_id, user_id) VALUES (?1, ?2)",
                    [&project, &uid],
                )?;
                Ok(())
            })
            .map_err(err)?;
        let mut token = self.create_token(&machine, scopes, name)?;
        // Same secret material, the project token's prefix: re-key the stored hash.
        let secret = format!("cwp_{}", &token.secret["cwt_".len()..]);
        let (old, new) = (
            ids::sha256_hex(token.secret.as_bytes()),
            ids::sha256_hex(secret.as_bytes()),
        );
        self.store
            .write_blocking(move |tx| {
                tx.execute(
                    "UPDATE tokens SET secret_sha256 = ?1 WHERE secret_sha256 = ?2",
                    [&new, &old],
                )?;
                Ok(())
            })
            .map_err(err)?;
        token.secret = secret;
        Ok(token)
    }

    /// Make `user` a member of `project_id`.
    pub fn add_member(&self, project_id: &str, user: &str) -> Result<(), String> {
        self.store
            .write_blocking(|tx| {
                let uid = Self::user_id(tx, user)?;
                if !project_exists(tx, project_id)? {
                    return Err(ApiError::not_found(format!("no project {project_id}")));
                }
                tx.execute(
                    "INSERT OR IGNORE INTO members (project_id, user_id) VALUES (?1, ?2)",
                    [project_id, &uid],
                )?;
                Ok(())
            })
            .map_err(err)
    }

    /// Remove `user` from `project_id`.
    pub fn remove_member(&self, project_id: &str, user: &str) -> Result<(), String> {
        self.store
            .write_blocking(|tx| {
                let uid = Self::user_id(tx, user)?;
                tx.execute(
                    "DELETE FROM members WHERE project_id = ?1 AND user_id = ?2",
                    [project_id, &uid],
                )?;
                Ok(())
            })
            .map_err(err)
    }

    /// Every project with its members' names.
    pub fn projects(&self) -> Result<Vec<ProjectInfo>, String> {
        self.store
            .read_blocking(|tx| {
                let mut stmt = tx.prepare(
                    "SELECT p.project_id, p.name, group_concat(u.name, ',') FROM projects p
                     LEFT JOIN members m ON m.project_id = p.project_id
                     LEFT JOIN users u ON u.user_id = m.user_id
                     GROUP BY p.project_id ORDER BY p.seq",
                )?;
                let rows = stmt.query_map([], |r| {
                    let members: Option<String> = r.get(2)?;
                    Ok(ProjectInfo {
                        project_id: r.get(0)?,
                        name: r.get(1)?,
                        members: members
                            .map(|m| m.split(',').map(str::to_string).collect())
                            .unwrap_or_default(),
                    })
                })?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .map_err(err)
    }

    /// How many records the zone of `domain` holds right now (committed, whether or not the
    /// answer of the request that made them has left yet): for tests that watch work land.
    pub fn record_count(&self, domain: &str) -> Result<i64, String> {
        let domain = domain.to_string();
        self.store
            .read_blocking(move |tx| {
                Ok(tx.query_row(
                    "SELECT count(*) FROM records WHERE domain = ?1 AND managed_by IS NULL",
                    [domain],
                    |r| r.get(0),
                )?)
            })
            .map_err(err)
    }

    /// Create a token for `user` with `scopes` (names from the scope table, or `all`).
    pub fn create_token(
        &self,
        user: &str,
        scopes: &[&str],
        name: &str,
    ) -> Result<NewToken, String> {
        let mut list: Vec<&'static str> = Vec::new();
        for s in scopes {
            if *s == "all" {
                list.extend(ALL_SCOPES);
                continue;
            }
            match parse_scope(s) {
                Some(s) => list.push(s),
                None => {
                    return Err(format!(
                        "unknown scope {s:?}; scopes are: {} (or all)",
                        ALL_SCOPES.join(", ")
                    ))
                }
            }
        }
        let mut ordered: Vec<&'static str> = ALL_SCOPES
            .into_iter()
            .filter(|s| list.contains(s))
            .collect();
        ordered.dedup();
        self.store
            .write_blocking(|tx| {
                let uid = Self::user_id(tx, user)?;
                let secret = ids::new_token_secret();
                let token_id = ids::new_id("tok");
                tx.execute(
                    "INSERT INTO tokens (token_id, user_id, name, secret_sha256, scopes, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        token_id,
                        uid,
                        name,
                        ids::sha256_hex(secret.as_bytes()),
                        ordered.join(","),
                        ids::now_rfc3339()
                    ],
                )?;
                Ok(NewToken {
                    token_id,
                    secret,
                    scopes: ordered.iter().map(|s| s.to_string()).collect(),
                })
            })
            .map_err(err)
    }

    pub fn tokens(&self) -> Result<Vec<TokenInfo>, String> {
        self.store
            .read_blocking(|tx| {
                let mut stmt = tx.prepare(
                    "SELECT t.token_id, u.name, t.name, t.scopes, t.created_at FROM tokens t
                     JOIN users u ON u.user_id = t.user_id ORDER BY t.seq",
                )?;
                let rows = stmt.query_map([], |r| {
                    let scopes: String = r.get(3)?;
                    Ok(TokenInfo {
                        token_id: r.get(0)?,
                        user: r.get(1)?,
                        name: r.get(2)?,
                        scopes: scopes
                            .split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect(),
                        created_at: r.get(4)?,
                    })
                })?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .map_err(err)
    }

    pub fn revoke_token(&self, token_id: &str) -> Result<(), String> {
        self.store
            .write_blocking(|tx| {
                let n = tx.execute("DELETE FROM tokens WHERE token_id = ?1", [token_id])?;
                if n == 0 {
                    return Err(ApiError::not_found(format!("no token {token_id}")));
                }
                Ok(())
            })
            .map_err(err)
    }

    /// On first start, create the `dev` user with an every-scope token and write it to
    /// `DIR/dev-token`; later, read it back. `None` if the dev user exists but the file is gone.
    pub fn ensure_dev_user(&self, data_dir: &Path) -> Result<Option<String>, String> {
        let file = data_dir.join(DEV_TOKEN_FILE);
        if self.users()?.iter().any(|u| u.name == DEV_USER) {
            return Ok(std::fs::read_to_string(&file)
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| ids::is_token_secret(s)));
        }
        self.create_user(DEV_USER)?;
        let token = self.create_token(DEV_USER, &["all"], "dev")?;
        write_private(&file, &format!("{}\n", token.secret))
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        Ok(Some(token.secret))
    }
}
