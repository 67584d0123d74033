//! Databases and the credentials of their data plane.
//!
//! Public: create (`POST .../databases {"name"}`, flat answer with the one-time
//! `database_token`), the list (`{"databases":[...]}`, the only read: no single GET is public),
//! delete, and `token/rotate`. The minted, expiring database tokens (`.../tokens`) are an
//! extension of ours (no public route mints them).

use serde::{Deserialize, Serialize};

use super::cache::Listed;
use super::endpoints::{seg, Listing, Located};
use super::error::StatusError;
use super::{ApiError, Client};

/// A database as the list shows it: `{database_id, name, database_url, status}`. Status seen:
/// `creating`, `cold`, `deleted` (any other is kept as it comes). `project_id` is not sent by the
/// platform: the client fills it in from the path it listed.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Database {
    pub database_id: String,
    #[serde(default)]
    pub project_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub database_url: String,
    #[serde(default)]
    pub status: String,
}

/// The status of a database that is still being provisioned.
pub const CREATING: &str = "creating";
/// The status of a deleted database that is still listed.
pub const DELETED: &str = "deleted";

impl Database {
    /// Whether the platform lists it as deleted (then it is gone).
    pub fn is_deleted(&self) -> bool {
        self.status == DELETED
    }
}

/// `POST .../databases` body. `authentication` is what newer CLIs send (`"comwit"`); the
/// provider sends only the name.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseCreate<'a> {
    pub name: &'a str,
}

/// The answer to a create: flat `{database_id, database_url, created, database_token?,
/// authentication?}` (an `{"database":{...}}` envelope is read too). `created: false` means the
/// call did not provision (a replay).
#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseCreated {
    pub database_id: String,
    #[serde(default)]
    pub database_url: String,
    #[serde(default = "yes")]
    pub created: bool,
    /// Shown once; absent on a replay, or where the database uses token auth through
    /// `database:connect`.
    #[serde(default)]
    pub database_token: Option<TokenSecret>,
    #[serde(default)]
    pub authentication: Option<String>,
    /// Where the answer carries them (not in the public shape).
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    /// A seeded create's operation (`awaiting_upload` first) and where to `PUT` the file.
    #[serde(default)]
    pub operation: Option<Operation>,
    #[serde(default)]
    pub upload_path: Option<String>,
}

fn yes() -> bool {
    true
}

impl Located for DatabaseCreated {
    const KEY: &'static str = "database";
    fn id(&self) -> &str {
        &self.database_id
    }
    fn listing(&self) -> Listing {
        // Never used: creates pass the list (the answer does not name the project).
        Listing {
            path: String::new(),
            key: "databases",
            id_field: "database_id",
        }
    }
    fn replayed(&self) -> bool {
        !self.created
    }
    fn mark_replayed(&mut self) {
        self.created = false;
    }
}

/// The answer to `POST .../token/rotate`: the new token; the old one stops working.
#[derive(Debug, Clone, Deserialize)]
pub struct RotatedToken {
    pub database_id: String,
    #[serde(default)]
    pub database_url: Option<String>,
    pub database_token: TokenSecret,
    #[serde(default)]
    pub status: Option<String>,
}

/// A secret value (a database token). Its `Debug` form hides it: it must never reach a log.
#[derive(Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct TokenSecret(String);

impl TokenSecret {
    pub fn new(value: impl Into<String>) -> TokenSecret {
        TokenSecret(value.into())
    }

    /// The value itself, for where it is meant to go (a sensitive attribute, an ephemeral
    /// result).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSecret(..)")
    }
}

/// Extension: `POST .../databases/{database_id}/tokens`: both optional; the defaults are
/// `full_access` and 3600 seconds.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseTokenCreate<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access: Option<&'a str>,
    /// Seconds, 60 to 31536000.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
}

/// Extension: a minted database token as lists and reads show it: metadata, never the secret.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct DatabaseToken {
    pub token_id: String,
    pub database_id: String,
    /// `full_access` or `read_only`.
    pub access: String,
    pub created_at: String,
    pub expires_at: String,
}

/// Extension: the answer to a mint: the metadata and, only here, the secret.
#[derive(Debug, Clone, Deserialize)]
pub struct MintedDatabaseToken {
    #[serde(flatten)]
    pub metadata: DatabaseToken,
    #[serde(default)]
    pub token: Option<TokenSecret>,
}

/// Extension: `POST .../tokens/{token_id}/renew`: the new lifetime, counted from now.
#[derive(Debug, Clone, Serialize)]
pub struct DatabaseTokenRenew {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
}

pub(crate) fn databases_path(project_id: &str) -> String {
    format!("/v1/projects/{}/databases", seg(project_id))
}

fn database_path(project_id: &str, database_id: &str) -> String {
    format!("{}/{}", databases_path(project_id), seg(database_id))
}

/// A 404 made here for a database its project's list does not show (or shows `deleted`).
fn not_listed(project_id: &str, database_id: &str) -> ApiError {
    ApiError::Status(Box::new(StatusError {
        status: 404,
        code: "NOT_FOUND".into(),
        title: Some("Not Found".into()),
        message: format!("the project {project_id} lists no database {database_id}"),
        required_scope: None,
        field: None,
        details: serde_json::Value::Null,
        method: "GET".into(),
        path: databases_path(project_id),
    }))
}

impl Client {
    /// `GET .../databases`, read now (never from the cache), `project_id` filled in.
    pub async fn list_databases(&self, project_id: &str) -> Result<Vec<Database>, ApiError> {
        let mut all: Vec<Database> = self
            .list_of(&databases_path(project_id), "databases")
            .await?;
        for db in &mut all {
            db.project_id = project_id.to_string();
        }
        Ok(all)
    }

    /// The databases that are not deleted, read now.
    pub async fn live_databases(&self, project_id: &str) -> Result<Vec<Database>, ApiError> {
        let mut all = self.list_databases(project_id).await?;
        all.retain(|d| !d.is_deleted());
        Ok(all)
    }

    /// One database, read from the project's list now (no single GET is public). A database
    /// not listed, or listed `deleted`, is a 404.
    pub async fn get_database(
        &self,
        project_id: &str,
        database_id: &str,
    ) -> Result<Database, ApiError> {
        self.list_databases(project_id)
            .await?
            .into_iter()
            .find(|d| d.database_id == database_id && !d.is_deleted())
            .ok_or_else(|| not_listed(project_id, database_id))
    }

    /// [`Client::get_database`] for refreshes: from this process's cached copy of the list
    /// when it has the database; else read now (it may be newer than the cached list).
    pub async fn read_database(
        &self,
        project_id: &str,
        database_id: &str,
    ) -> Result<Database, ApiError> {
        let path = databases_path(project_id);
        let listed = self
            .cache
            .get_or_fetch(&path, || async {
                let items = self.list_databases(project_id).await?;
                Ok::<_, ApiError>(Listed::new(items, |d: &Database| d.database_id.clone()))
            })
            .await;
        if let Some(db) = listed.as_ref().and_then(|l| l.get(database_id)) {
            if !db.is_deleted() {
                return Ok(db.clone());
            }
        }
        self.get_database(project_id, database_id).await
    }

    /// `POST .../databases {"name"}` with an Idempotency-Key; a replay (`created: false`, or
    /// the replay header) is checked against the list.
    pub async fn create_database(
        &self,
        project_id: &str,
        name: &str,
    ) -> Result<DatabaseCreated, ApiError> {
        let path = databases_path(project_id);
        let listing = Listing {
            path: path.clone(),
            key: "databases",
            id_field: "database_id",
        };
        self.create_listed(&path, &DatabaseCreate { name }, Some(listing))
            .await
    }

    /// `POST .../databases/{d}/token/rotate {}`: a new one-time token; the old one stops
    /// working.
    pub async fn rotate_database_token(
        &self,
        project_id: &str,
        database_id: &str,
    ) -> Result<RotatedToken, ApiError> {
        let path = format!("{}/token/rotate", database_path(project_id, database_id));
        let value: serde_json::Value = self.post(&path, &serde_json::json!({})).await?;
        super::endpoints::unwrap_one(value, "database", &path)
    }

    /// `DELETE .../databases/{d}`; a database already gone (404) counts as done.
    pub async fn delete_database(
        &self,
        project_id: &str,
        database_id: &str,
    ) -> Result<(), ApiError> {
        self.delete(&database_path(project_id, database_id)).await
    }

    // ---- extension: minted database tokens
    fn database_tokens_path(project_id: &str, database_id: &str) -> String {
        format!("{}/tokens", database_path(project_id, database_id))
    }
    fn database_token_path(project_id: &str, database_id: &str, token_id: &str) -> String {
        format!(
            "{}/{}",
            Self::database_tokens_path(project_id, database_id),
            seg(token_id)
        )
    }
    /// Extension: mints a token. Never through [`Client::create`]: a replay across runs would
    /// hand out a token minted earlier. `key` is the caller's fresh Idempotency-Key.
    pub async fn mint_database_token(
        &self,
        project_id: &str,
        database_id: &str,
        body: &DatabaseTokenCreate<'_>,
        key: &str,
    ) -> Result<MintedDatabaseToken, ApiError> {
        let path = Self::database_tokens_path(project_id, database_id);
        let value: serde_json::Value = self.post_keyed(&path, body, key).await?;
        super::endpoints::unwrap_one(value, "token", &path)
    }
    /// Extension: the database's live minted tokens (metadata only).
    pub async fn list_database_tokens(
        &self,
        project_id: &str,
        database_id: &str,
    ) -> Result<Vec<DatabaseToken>, ApiError> {
        self.list_of(
            &Self::database_tokens_path(project_id, database_id),
            "tokens",
        )
        .await
    }
    /// Extension: one minted token's metadata; 404 once it is revoked or expired.
    pub async fn get_database_token(
        &self,
        project_id: &str,
        database_id: &str,
        token_id: &str,
    ) -> Result<DatabaseToken, ApiError> {
        let path = Self::database_token_path(project_id, database_id, token_id);
        self.get_one(&path, "token").await
    }
    /// Extension: extends a live token to `expires_in` seconds from now.
    pub async fn renew_database_token(
        &self,
        project_id: &str,
        database_id: &str,
        token_id: &str,
        body: &DatabaseTokenRenew,
    ) -> Result<DatabaseToken, ApiError> {
        let path = format!(
            "{}/renew",
            Self::database_token_path(project_id, database_id, token_id)
        );
        let value: serde_json::Value = self.post(&path, body).await?;
        super::endpoints::unwrap_one(value, "token", &path)
    }
    /// Extension: revokes a token; one already revoked (404) counts as done.
    pub async fn revoke_database_token(
        &self,
        project_id: &str,
        database_id: &str,
        token_id: &str,
    ) -> Result<(), ApiError> {
        self.delete(&Self::database_token_path(
            project_id,
            database_id,
            token_id,
        ))
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_create_answer_is_read_flat_or_enveloped() {
        let flat: DatabaseCreated = serde_json::from_str(
            r#"{"database_id":"db-x1","database_url":"https://db.cloud.comwit.io/v1/t-9",
                "created":true,"database_token":"secret","authentication":"comwit"}"#,
        )
        .unwrap();
        assert!(!flat.replayed());
        assert_eq!(flat.database_token.unwrap().expose(), "secret");
        let replay: DatabaseCreated =
            serde_json::from_str(r#"{"database_id":"db-x1","database_url":"u","created":false}"#)
                .unwrap();
        assert!(replay.replayed());
        assert!(replay.database_token.is_none());
        assert!(format!("{:?}", TokenSecret::new("s3cret"))
            .find("s3cret")
            .is_none());
    }

    #[test]
    fn listed_members_take_what_comes() {
        let db: Database = serde_json::from_str(
            r#"{"database_id":"db-1","name":"main","database_url":"u","status":"cold"}"#,
        )
        .unwrap();
        assert!(!db.is_deleted());
        let gone: Database =
            serde_json::from_str(r#"{"database_id":"db-1","status":"deleted"}"#).unwrap();
        assert!(gone.is_deleted());
    }
}

/// A generation of a database's history: `{generation_id, created_at_ms, base_frame_no,
/// pinned, precise_until_ms}` (null `precise_until_ms`: up to now).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct RestorePoint {
    pub generation_id: String,
    #[serde(default)]
    pub created_at_ms: Option<i64>,
    #[serde(default)]
    pub base_frame_no: Option<i64>,
    #[serde(default)]
    pub pinned: bool,
    #[serde(default)]
    pub precise_until_ms: Option<i64>,
}

/// An alias of a point in a database's history: `{alias, target_kind, target_value,
/// created_at_ms}`; the value is a time (ms) or a generation, as the platform writes it.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct DatabaseAlias {
    pub alias: String,
    #[serde(default)]
    pub target_kind: String,
    #[serde(default)]
    pub target_value: serde_json::Value,
    #[serde(default)]
    pub created_at_ms: Option<i64>,
}

/// `GET .../databases/{d}/restore-points`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct RestorePoints {
    #[serde(default)]
    pub restore_points: Vec<RestorePoint>,
    #[serde(default)]
    pub aliases: Vec<DatabaseAlias>,
}

impl Client {
    /// A database's restore points and aliases, as the platform lists them.
    pub async fn list_restore_points(
        &self,
        project_id: &str,
        database_id: &str,
    ) -> Result<RestorePoints, ApiError> {
        let path = format!("{}/restore-points", database_path(project_id, database_id));
        self.get(&path).await
    }
}

#[cfg(test)]
mod restore_point_tests {
    use super::*;

    #[test]
    fn restore_points_are_read_in_the_public_shape() {
        // As `comwit databases restore-points list --json` reads them.
        let v: RestorePoints = serde_json::from_str(
            r#"{"restore_points":[
                {"generation_id":"g-1","created_at_ms":1700000000000,"base_frame_no":0,"pinned":true,"precise_until_ms":1700000005000},
                {"generation_id":"g-2","created_at_ms":1700000005000,"pinned":false,"precise_until_ms":null}],
               "aliases":[{"alias":"before","target_kind":"timestamp_ms","target_value":1700000001000,"created_at_ms":1700000002000}]}"#,
        )
        .unwrap();
        assert_eq!(v.restore_points.len(), 2);
        assert!(v.restore_points[0].pinned);
        assert_eq!(v.restore_points[1].precise_until_ms, None);
        assert_eq!(
            v.aliases[0].target_value,
            serde_json::json!(1700000001000i64)
        );
        let empty: RestorePoints = serde_json::from_str("{}").unwrap();
        assert!(empty.restore_points.is_empty());
    }
}

/// The point of a restore: exactly one of the three.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RestoreTo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp_ms: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

#[derive(Debug, Serialize)]
struct RestoreRequest<'a> {
    restore_to: &'a RestoreTo,
    name: &'a str,
}

/// An asynchronous operation on a database: `{operation_id, type, status (pending, then
/// succeeded or failed), resolved_restore_point?, error? (a string or {code, message,
/// detail})}`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Operation {
    pub operation_id: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub resolved_restore_point: Option<String>,
    #[serde(default)]
    pub error: Option<serde_json::Value>,
}

impl Operation {
    pub fn succeeded(&self) -> bool {
        self.status.eq_ignore_ascii_case("succeeded")
    }

    pub fn failed(&self) -> bool {
        self.status.eq_ignore_ascii_case("failed")
    }

    /// The operation's error, as text.
    pub fn error_message(&self) -> String {
        match &self.error {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(v @ serde_json::Value::Object(_)) => {
                let part = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default();
                let text = [part("message"), part("detail")]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(": ");
                match part("code") {
                    "" => text,
                    code => format!("{text} ({code})"),
                }
            }
            _ => "the platform gave no reason".to_string(),
        }
    }
}

/// The new database of a restore, as its answer shows it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RestoredDatabase {
    pub database_id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub database_url: String,
    #[serde(default)]
    pub status: Option<String>,
}

/// The 202 of a restore: the operation and the new database (and, where the platform gives
/// one, its one-time token).
#[derive(Debug, Clone, Deserialize)]
pub struct RestoreAnswer {
    pub operation: Operation,
    pub database: RestoredDatabase,
    #[serde(default)]
    pub database_token: Option<TokenSecret>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OperationAnswer {
    Enveloped { operation: Operation },
    Flat(Operation),
}

impl Client {
    /// `POST .../databases/{source}/restore {"restore_to", "name"}`: a new database named
    /// `name` from the source's history at the point.
    pub async fn restore_database(
        &self,
        project_id: &str,
        source_id: &str,
        point: &RestoreTo,
        name: &str,
    ) -> Result<RestoreAnswer, ApiError> {
        let path = format!("{}/restore", database_path(project_id, source_id));
        // No Idempotency-Key (the official CLI sends none; the platform does not show it takes
        // one): never resent after it may have arrived. The caller resolves a lost answer.
        self.post_unkeyed(
            &path,
            &RestoreRequest {
                restore_to: point,
                name,
            },
        )
        .await
    }

    /// `GET .../databases/{source}/operations/{operation_id}`.
    pub async fn get_operation(
        &self,
        project_id: &str,
        source_id: &str,
        operation_id: &str,
    ) -> Result<Operation, ApiError> {
        let path = format!(
            "{}/operations/{}",
            database_path(project_id, source_id),
            seg(operation_id)
        );
        let answer: OperationAnswer = self.get(&path).await?;
        Ok(match answer {
            OperationAnswer::Enveloped { operation } | OperationAnswer::Flat(operation) => {
                operation
            }
        })
    }
}

#[cfg(test)]
mod restore_tests {
    use super::*;

    #[test]
    fn restores_and_operations_are_read_in_the_public_shape() {
        let a: RestoreAnswer = serde_json::from_str(
            r#"{"operation":{"operation_id":"op-1","type":"database_restore","status":"pending",
                "resolved_restore_point":"","created_at_ms":1,"updated_at_ms":1},
               "database":{"database_id":"db-2","name":"copy","database_url":"https://db/v1/t","status":"creating"}}"#,
        )
        .unwrap();
        assert_eq!(a.database.database_id, "db-2");
        assert!(a.database_token.is_none());
        let op: OperationAnswer = serde_json::from_str(
            r#"{"operation":{"operation_id":"op-1","status":"failed","error":{"code":"X","message":"gone"}}}"#,
        )
        .unwrap();
        let OperationAnswer::Enveloped { operation } = op else {
            panic!()
        };
        assert!(operation.failed());
        assert_eq!(operation.error_message(), "gone (X)");
        let body = serde_json::to_value(RestoreRequest {
            restore_to: &RestoreTo {
                timestamp_ms: Some(5),
                ..Default::default()
            },
            name: "copy",
        })
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"restore_to": {"timestamp_ms": 5}, "name": "copy"})
        );
    }
}

#[derive(Debug, Serialize)]
struct AliasRequest<'a> {
    restore_to: &'a RestoreTo,
}

impl Client {
    /// `POST .../databases/{d}/aliases/{alias} {"restore_to":{timestamp_ms | generation}}`: sets
    /// or moves the alias (sending it again is harmless).
    pub async fn set_database_alias(
        &self,
        project_id: &str,
        database_id: &str,
        alias: &str,
        point: &RestoreTo,
    ) -> Result<(), ApiError> {
        let path = format!(
            "{}/aliases/{}",
            database_path(project_id, database_id),
            seg(alias)
        );
        let _: serde_json::Value = self
            .post(&path, &AliasRequest { restore_to: point })
            .await?;
        Ok(())
    }

    /// `DELETE .../databases/{d}/aliases/{alias}`; an alias already gone (404) counts as done.
    pub async fn delete_database_alias(
        &self,
        project_id: &str,
        database_id: &str,
        alias: &str,
    ) -> Result<(), ApiError> {
        let path = format!(
            "{}/aliases/{}",
            database_path(project_id, database_id),
            seg(alias)
        );
        self.delete(&path).await
    }
}
