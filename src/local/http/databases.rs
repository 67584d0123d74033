//! `/v1/projects/{p}/databases`: list, create, `token/rotate`, delete.

use axum::body::Bytes;
use axum::Json;
use serde_json::Value;

use super::call::{Call, JsonBody};
use crate::local::error::{ApiError, ApiResult};
use crate::local::model::auth::{DATABASE_READ, DATABASE_WRITE};
use crate::local::model::databases;
use crate::local::model::idempotency::Stored;
use crate::local::model::queries::{self, QueryInput};
use crate::local::model::restore_points::{self, AliasInput};
use crate::local::model::restores::{self, RestoreInput};
use crate::local::model::validate::DatabaseInput;
use crate::local::model::{InDatabase, InProject, Item};
use crate::local::store::files;

pub async fn list(call: Call<InProject>) -> ApiResult<Json<Value>> {
    call.read(DATABASE_READ, |t, p, _| databases::list(t, &p.project_id))
        .await
}

/// The body's errors come after the path's; the Idempotency-Key decides a replay.
pub async fn create(call: Call<InProject>, body: JsonBody<DatabaseInput>) -> ApiResult<Stored> {
    let idem = body.idem(call.auth());
    let input = body.input;
    call.apply(DATABASE_WRITE, move |t, p, _| {
        databases::create(t, &p.project_id, idem, input?)
    })
    .await
}

/// `POST .../token/rotate`: the body is empty or `{}`.
pub async fn rotate(call: Call<Item<InProject>>, body: Bytes) -> ApiResult<Json<Value>> {
    if !body.is_empty() {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(_)) => {}
            _ => return Err(ApiError::bad_request("the body of a rotation is `{}`")),
        }
    }
    call.write(DATABASE_WRITE, |t, p, _| {
        databases::rotate(t, &p.parent.project_id, &p.id)
    })
    .await
}

pub async fn delete(call: Call<Item<InProject>>) -> ApiResult<Json<Value>> {
    let settings = call.settings().clone();
    let id = call.path().id.clone();
    let answer = call
        .write(DATABASE_WRITE, |t, p, _| {
            databases::delete(t, &p.parent.project_id, &p.id)
        })
        .await?;
    databases::remove_file(&settings, &id).await?;
    Ok(answer)
}

/// `POST .../query`: the database is found in the store's transaction, then the statements run
/// on its own file, off the async threads. The scope is not public: executing SQL may write, so
/// comwit-local asks for `database:write`.
pub async fn query(
    call: Call<Item<InProject>>,
    body: JsonBody<QueryInput>,
) -> ApiResult<Json<Value>> {
    let data_dir = call.settings().data_dir.clone();
    let state = call.state().clone();
    let input = body.input;
    let (database_id, statements) = call
        .apply(DATABASE_WRITE, move |t, p, _| {
            let db = databases::DATABASES.get(t, &p.parent.project_id, &p.id)?;
            Ok((db.database_id, input?))
        })
        .await?;
    let id = database_id.clone();
    let (answer, wrote) = tokio::task::spawn_blocking(move || {
        let conn = files::open(&data_dir, &id).map_err(ApiError::internal)?;
        let marks = queries::change_marks(&conn);
        let answer = queries::run(&conn, &statements);
        Ok::<_, ApiError>((answer, queries::changed_since(&conn, marks)))
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))??;
    if wrote {
        state.mark_written(&database_id);
    }
    answer.map(Json)
}

/// `GET .../restore-points`: the database's generations and aliases.
pub async fn restore_points(call: Call<Item<InProject>>) -> ApiResult<Json<Value>> {
    call.read(DATABASE_READ, |t, p, _| {
        let db = databases::DATABASES.get(t, &p.parent.project_id, &p.id)?;
        restore_points::list(t, &db.database_id)
    })
    .await
}

/// `POST .../aliases/{alias}` `{"restore_to":{...}}`: sets or moves the alias.
pub async fn set_alias(
    call: Call<Item<InDatabase>>,
    body: JsonBody<AliasInput>,
) -> ApiResult<Json<Value>> {
    call.update(DATABASE_WRITE, body, |t, p, _, point| {
        restore_points::set_alias(t, &p.parent.database_id, &p.id, point)
    })
    .await
}

/// `DELETE .../aliases/{alias}`.
pub async fn delete_alias(call: Call<Item<InDatabase>>) -> ApiResult<Json<Value>> {
    call.write(DATABASE_WRITE, |t, p, _| {
        restore_points::delete_alias(t, &p.parent.database_id, &p.id)
    })
    .await
}

/// `POST .../restore`: a new database from the source's history (202, the operation).
/// A retry with the same Idempotency-Key gets the first answer, without the one-time token.
pub async fn restore(call: Call<InDatabase>, body: JsonBody<RestoreInput>) -> ApiResult<Stored> {
    let idem = body.idem(call.auth());
    let input = body.input;
    call.apply(DATABASE_WRITE, move |t, p, source| {
        restores::restore(t, &p.project_id, &source, idem, input?)
    })
    .await
}

/// `GET .../operations/{operation_id}`: `{"operation":{...}}`.
pub async fn operation(call: Call<Item<InDatabase>>) -> ApiResult<Json<Value>> {
    call.read(DATABASE_READ, |t, p, _| {
        Ok(serde_json::json!({
            "operation": restores::operation(t, &p.parent.database_id, &p.id)?
        }))
    })
    .await
}
