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
use crate::local::model::seeds;
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

/// `PUT {upload_path}`: a seed's SQLite file, streamed to disk while its SHA-256 is taken,
/// then checked and put in place (see [`seeds`]). 202 `{"operation"}`.
pub async fn upload_seed(
    call: Call<Item<InDatabase>>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> ApiResult<(axum::http::StatusCode, Json<Value>)> {
    use axum::http::header;
    let state = call.state().clone();
    let operation_id = call.path().id.clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let expected = call
        .apply(DATABASE_WRITE, move |t, p, db| {
            seeds::expect_upload(t, &db, &p.id, content_type.as_deref(), length)
        })
        .await?;
    if !state.begin_upload(&operation_id) {
        return Err(seeds::upload_in_progress(&operation_id));
    }
    let received = receive_seed(&state, &operation_id, &expected, body).await;
    state.end_upload(&operation_id);
    let part = received?;
    let data_dir = state.settings.data_dir.clone();
    let database_id = expected.database_id.clone();
    let failure = tokio::task::spawn_blocking(move || {
        let checked = seeds::check_file(&part);
        let placed = match checked {
            Ok(()) => files::replace_with(&data_dir, &database_id, &part)
                .map_err(|e| ("SEED_JOB_FAILED", e)),
            Err(e) => Err(e),
        };
        let _ = std::fs::remove_file(&part);
        placed.err()
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?;
    let failed = failure.is_some();
    let settings = state.settings.clone();
    let (db, op) = (expected.database_id.clone(), operation_id.clone());
    let answer = state
        .store
        .write(move |tx| seeds::landed(tx, &settings, &db, &op, failure))
        .await?;
    if failed {
        databases::remove_file(&state.settings, &expected.database_id).await?;
    } else {
        state.mark_written(&expected.database_id);
    }
    Ok((axum::http::StatusCode::ACCEPTED, Json(answer)))
}

/// Streams the body to the operation's upload file, refusing a length or digest other than
/// the create announced: the file's path.
async fn receive_seed(
    state: &crate::local::model::state::AppState,
    operation_id: &str,
    expected: &seeds::Expected,
    body: axum::body::Body,
) -> ApiResult<std::path::PathBuf> {
    use futures::StreamExt;
    use tokio::io::AsyncWriteExt;
    let part = files::upload_path(&state.settings.data_dir, operation_id)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let mut out = tokio::fs::File::create(&part)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let mut digest = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    let mut got = 0u64;
    let mut stream = body.into_data_stream();
    let result = async {
        while let Some(chunk) = stream.next().await {
            let chunk =
                chunk.map_err(|e| ApiError::bad_request(format!("the upload broke off: {e}")))?;
            got += chunk.len() as u64;
            if got > expected.length {
                return Err(seeds::length_mismatch(expected.length, got));
            }
            digest.update(&chunk);
            out.write_all(&chunk)
                .await
                .map_err(|e| ApiError::internal(e.to_string()))?;
        }
        if got != expected.length {
            return Err(seeds::length_mismatch(expected.length, got));
        }
        out.flush()
            .await
            .map_err(|e| ApiError::internal(e.to_string()))?;
        if hex::encode(digest.finish().as_ref()) != expected.sha256 {
            return Err(seeds::digest_mismatch());
        }
        Ok(())
    }
    .await;
    drop(out);
    match result {
        Ok(()) => Ok(part),
        Err(e) => {
            let _ = tokio::fs::remove_file(&part).await;
            Err(e)
        }
    }
}
