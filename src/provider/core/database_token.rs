//! `comwit_database_token`: an ephemeral resource that mints a token for a database's data
//! plane when Terraform opens it, renews it while Terraform runs and revokes it on close. The
//! token goes to Terraform in the open response only: the private bytes that renew and close get
//! back hold its ID, never its value.

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::api::models::{
    DatabaseTokenCreate, DatabaseTokenRenew, MintedDatabaseToken, TokenSecret,
};
use crate::api::{ApiError, Client};
use crate::provider::common::{
    api_error, api_error_at, call, id_validator, lookup_project, parse_duration,
};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostic, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, EphemeralResource, Opened, Renewed};
use crate::tfplugin::schema::{validators, Attribute, Block, Schema};

provider_type!(DatabaseTokenResource, "comwit_database_token");

const FULL_ACCESS: &str = "full_access";
const READ_ONLY: &str = "read_only";
const DEFAULT_EXPIRES_IN: &str = "1h";
/// The platform's bounds of a token's lifetime.
const MIN_LIFETIME: Duration = Duration::from_secs(60);
const MAX_LIFETIME: Duration = Duration::from_secs(31_536_000);
/// How long the clean-up after a mint of unknown outcome, and a revoke on close, may take:
/// both also run when Terraform has asked the provider to stop.
const CLEANUP_LIMIT: Duration = Duration::from_secs(15);

/// The configuration and the result (which adds the computed attributes).
#[derive(Default, Serialize, Deserialize)]
struct DatabaseTokenModel {
    project_id: Option<String>,
    database_id: String,
    access: Option<String>,
    expires_in: Option<String>,
    revoke_on_close: Option<bool>,
    token: Option<TokenSecret>,
    token_id: Option<String>,
    expires_at: Option<String>,
}

/// What renew and close need, kept in the ephemeral resource's private bytes (JSON). Never the
/// token itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct TokenPrivate {
    project_id: String,
    database_id: String,
    token_id: String,
    /// The lifetime a renewal asks for, in seconds.
    expires_in: u64,
    revoke_on_close: bool,
    /// As the platform last said (for messages about a token left valid).
    expires_at: String,
}

impl TokenPrivate {
    fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    fn read(bytes: &[u8]) -> Result<TokenPrivate, Diagnostics> {
        serde_json::from_slice(bytes).map_err(|_| {
            Diagnostic::error(
                "Unreadable database token data",
                "Terraform handed back data for this `comwit_database_token` that this provider \
                 version cannot read (was the provider upgraded during the run?). The token \
                 cannot be renewed or revoked by Terraform; it expires at its `expires_at`, or \
                 can be revoked through the platform API (`DELETE \
                 /v1/projects/<project_id>/databases/<database_id>/tokens/<token_id>`).",
            )
            .into()
        })
    }

    fn tokens_path(&self) -> String {
        format!(
            "/v1/projects/{}/databases/{}/tokens",
            self.project_id, self.database_id
        )
    }
}

/// The lifetime `expires_in` asks for, or why it cannot be one.
fn lifetime(text: &str) -> Result<Duration, String> {
    let Some(duration) = parse_duration(text) else {
        return Err(format!(
            "{text:?} is not a duration: write it as Terraform does, e.g. \"30m\", \"1h\", \
             \"12h\" or \"720h\" (30 days); the units are s, m and h."
        ));
    };
    if duration.subsec_nanos() != 0 {
        return Err(format!(
            "{text:?} is not a whole number of seconds, which is how the platform counts a \
             token's lifetime: use e.g. \"90s\" or \"2m\"."
        ));
    }
    if !(MIN_LIFETIME..=MAX_LIFETIME).contains(&duration) {
        return Err(format!(
            "{text:?} is outside the lifetimes the platform gives a token: from 1m (60 \
             seconds) to 8760h (365 days)."
        ));
    }
    Ok(duration)
}

/// When to renew a token of `lifetime` minted (or last renewed) at `sent_at`: after four fifths
/// of its lifetime, early enough to renew it before it lapses even when the platform is slow.
/// Counted from when the request was sent, on the provider's clock, so clock skew with the
/// platform does not matter.
fn renew_at(sent_at: SystemTime, lifetime: Duration) -> SystemTime {
    sent_at + lifetime * 4 / 5
}

/// Whether a failed mint may have minted a token anyway: the answer was lost or broken, or
/// the platform failed after it may have done the work. 4xx answers say nothing was done.
fn may_have_minted(err: &ApiError) -> bool {
    match err {
        ApiError::Status(e) => e.status >= 500,
        ApiError::Transport { .. } | ApiError::Decode { .. } | ApiError::Cancelled => true,
    }
}

fn schema() -> Schema {
    let description = "\
**Needs a platform route that is not public yet** (an extension that comwit-local serves: \
`POST .../databases/<database_id>/tokens` and its neighbours); against a platform without it, \
opening fails with a diagnostic that says so. What the public platform offers instead: the \
one-time `database_token` of `comwit_database` (rotated through its \
`token_rotation_trigger`), or a `cwp_` project token that holds `database:connect`.

Mints a token for a database's data plane (libSQL over HTTPS at the database's \
`database_url`) whenever Terraform opens this ephemeral resource, without ever writing it to a \
plan or a state (Terraform 1.10 or later, OpenTofu 1.11 or later). Terraform opens it on each \
plan and apply that needs it (not before its configuration is known: on the run that creates \
the database, only at apply), renews it while the run lasts (after four fifths of \
`expires_in`), and closes it at the end, which revokes it unless `revoke_on_close = false`.

**A token for the run itself** (the default, `revoke_on_close = true`): for whatever runs \
during the apply and is done when Terraform is, such as migrations from a `local-exec` \
provisioner (`environment = { DATABASE_TOKEN = ephemeral.comwit_database_token.<name>.token }`) \
or an argument of another provider that accepts ephemeral values. The token is revoked when \
Terraform closes it, so it must not be stored anywhere that outlives the run.

**A token an app keeps**: set `revoke_on_close = false` and an `expires_in` as long as the \
app should use the token (up to `8760h`), pass `token` to the app in `comwit_app`'s \
write-only `secret_env_wo`, and name the variable in `secret_env_wo_rotating`, so that the new \
token every run opens does not show as a change. The app keeps the token it was last sent: \
on create, when its environment is replaced for another change (see `comwit_app`), or when \
`secret_env_wo_version` is increased, the way to rotate it before it expires. Mind that each plan and each apply that opens such a token mints one, and every one \
of them stays valid until it expires (only the last one sent is in the app): list a \
database's tokens with `GET /v1/projects/<project_id>/databases/<database_id>/tokens`, and \
revoke one with `DELETE .../tokens/<token_id>`.

A mint whose answer is lost for good is sent again with the same idempotency key, and the \
token it made is revoked, so a failed open leaves no token behind (when the platform cannot be \
reached at all, the error says how long such a token can live).

**Token scopes:** `database:write` to mint, renew and revoke the token.";

    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("project_id")
                .optional()
                .computed()
                .validator(id_validator("project", "prj"))
                .description(
                    "The project of the database. Defaults to the provider's `project_id`.",
                ),
            Attribute::string("database_id")
                .required()
                .validator(id_validator("database", "db"))
                .description(
                    "The database the token opens (its ID as the platform gives it), e.g. \
                     `comwit_database.<name>.database_id`.",
                ),
            Attribute::string("access")
                .optional()
                .computed()
                .validator(validators::one_of(&[FULL_ACCESS, READ_ONLY]))
                .description(
                    "What the token may do: `full_access` (read and write; the default) or \
                     `read_only`.",
                ),
            Attribute::string("expires_in")
                .optional()
                .computed()
                .validator(validators::custom_described(
                    "a whole number of seconds from 1m to 8760h, written as a duration",
                    |value, path, diags| {
                        if let Some(Err(why)) = value.as_str().map(lifetime) {
                            diags.attribute_error(path.clone(), "Invalid expires_in", why);
                        }
                    },
                ))
                .description(
                    "How long the token is valid, as a duration: from `1m` to `8760h` (365 \
                     days), in whole seconds; default `1h`. Terraform renews it after four \
                     fifths of that while the run lasts; a renewal makes it valid for \
                     `expires_in` again.",
                ),
            Attribute::bool("revoke_on_close")
                .optional()
                .computed()
                .description(
                    "Whether Terraform revokes the token when it closes the ephemeral resource \
                     at the end of the run. Default `true`: the token is for the run itself. \
                     Set `false` for a token that something keeps after the run (an app's \
                     secret): it then stays valid until it expires.",
                ),
            Attribute::string("token")
                .computed()
                .sensitive()
                .description(
                    "The token (a JWT), sent as `Authorization: Bearer <token>` to the \
                     database's `database_url`. Ephemeral: usable only where Terraform takes \
                     ephemeral values (write-only arguments such as `comwit_app`'s \
                     `secret_env_wo`, provisioners, provider configurations, other ephemeral \
                     resources), never stored.",
                ),
            Attribute::string("token_id")
                .computed()
                .description("The token's ID (`dbt_` and hex digits), not a secret."),
            Attribute::string("expires_at").computed().description(
                "When the token expires unless renewed (RFC 3339, UTC), as the platform \
                     said when it minted it.",
            ),
        ])
        .description(description),
    )
}

/// What an open asks for, with the defaults filled in.
struct Request {
    project_id: String,
    database_id: String,
    access: String,
    expires_in: String,
    lifetime: Duration,
    revoke_on_close: bool,
}

impl Request {
    fn of(config: &Value, shared: &crate::provider::Shared) -> Result<Request, Diagnostics> {
        let m: DatabaseTokenModel = model::get(config)?;
        let expires_in = m.expires_in.unwrap_or_else(|| DEFAULT_EXPIRES_IN.into());
        let lifetime = lifetime(&expires_in).map_err(|why| {
            Diagnostic::error("Invalid expires_in", why)
                .with_attribute(AttributePath::new("expires_in"))
        })?;
        Ok(Request {
            project_id: lookup_project(config, shared)?,
            database_id: m.database_id,
            access: m.access.unwrap_or_else(|| FULL_ACCESS.into()),
            expires_in,
            lifetime,
            revoke_on_close: m.revoke_on_close.unwrap_or(true),
        })
    }

    fn body(&self) -> DatabaseTokenCreate<'_> {
        DatabaseTokenCreate {
            access: Some(&self.access),
            expires_in: Some(self.lifetime.as_secs()),
        }
    }

    fn what(&self) -> String {
        format!(
            "mint a token for the database {} of the project {}",
            self.database_id, self.project_id
        )
    }
}

impl DatabaseTokenResource {
    /// Mints with a fresh idempotency key (retries within the call reuse it). When the answer
    /// is lost for good, the token the platform may have minted is found and revoked.
    async fn mint(
        &self,
        ctx: &Ctx,
        client: &Client,
        req: &Request,
    ) -> Result<MintedDatabaseToken, Diagnostics> {
        let key = Client::new_idempotency_key();
        let (project, database) = (&req.project_id, &req.database_id);
        let body = req.body();
        let err = match call(
            ctx,
            client.mint_database_token(project, database, &body, &key),
        )
        .await
        {
            Ok(minted) => return Ok(minted),
            Err(err) => err,
        };
        if !may_have_minted(&err) {
            if crate::api::projects::is_missing_route(&err) {
                // 404 for a database that is listed: the platform has no mint route.
                let listed = call(ctx, client.get_database(project, database)).await;
                if listed.is_ok() || err.status() != Some(404) {
                    return Err(needs_extension(req, &err));
                }
            }
            return Err(mint_error(req, &err));
        }
        // The same request with the same key: the platform answers with the token the lost
        // request minted (its replay), or mints one now if none arrived. Either way it is
        // revoked: this open has failed, and nobody else knows the token.
        let cleanup = async {
            let minted = client
                .mint_database_token(project, database, &body, &key)
                .await?;
            let id = minted.metadata.token_id;
            client.revoke_database_token(project, database, &id).await?;
            Ok::<_, ApiError>(id)
        };
        let outcome = match tokio::time::timeout(CLEANUP_LIMIT, cleanup).await {
            Ok(Ok(id)) => {
                tracing::debug!(token_id = %id, database_id = %database, "database token of a failed mint revoked");
                format!(
                    "The platform may have minted a token before its answer was lost: \
                     Terraform sent the request again with the same idempotency key and \
                     revoked the token it answered with ({id}), so none is left behind."
                )
            }
            Ok(Err(e)) => left_behind(req, &e.to_string()),
            Err(_) => left_behind(req, "it did not answer in time"),
        };
        Err(uncertain_mint_error(req, &err, &outcome))
    }

    /// Revokes a token this open minted but cannot hand to Terraform.
    async fn discard(&self, client: &Client, req: &Request, token_id: &str) -> String {
        let revoke = client.revoke_database_token(&req.project_id, &req.database_id, token_id);
        match tokio::time::timeout(CLEANUP_LIMIT, revoke).await {
            Ok(Ok(())) => format!("Terraform revoked it ({token_id})."),
            Ok(Err(e)) => format!(
                "Terraform could not revoke it ({token_id}: {e}); revoke it with `DELETE \
                 /v1/projects/{}/databases/{}/tokens/{token_id}`.",
                req.project_id, req.database_id
            ),
            Err(_) => format!(
                "Terraform could not revoke it ({token_id}: no answer in time); revoke it with \
                 `DELETE /v1/projects/{}/databases/{}/tokens/{token_id}`.",
                req.project_id, req.database_id
            ),
        }
    }
}

/// The sentence about a token a failed mint may have left, when the clean-up failed.
fn left_behind(req: &Request, why: &str) -> String {
    format!(
        "The platform may have minted a token before its answer was lost, and Terraform could \
         not find out which ({why}). If it did, that token is valid for at most `expires_in` \
         ({}) from now: `GET /v1/projects/{}/databases/{}/tokens` lists the database's tokens \
         with their `created_at`, and `DELETE .../tokens/<token_id>` revokes one.",
        req.expires_in, req.project_id, req.database_id
    )
}

/// The platform has no route that mints database tokens (404, 405 or 501 for a database it
/// lists): the public API does not offer one.
fn needs_extension(req: &Request, err: &ApiError) -> Diagnostics {
    let answer = err
        .status()
        .map_or_else(String::new, |s| format!(" (HTTP {s})"));
    Diagnostic::error(
        "Database tokens cannot be minted on this platform",
        format!(
            "Could not mint a token for the database {}: the platform does not offer the route \
             that mints expiring database tokens{answer}. `comwit_database_token` needs a \
             platform route that is not public yet. Use what the public platform offers \
             instead: the one-time `database_token` of the `comwit_database` resource (rotated \
             by changing its `token_rotation_trigger`), or a `cwp_` project token that holds \
             `database:connect`.",
            req.database_id
        ),
    )
    .with_attribute(AttributePath::new("database_id"))
    .into()
}

/// A mint that failed without a doubt: nothing was minted.
fn mint_error(req: &Request, err: &ApiError) -> Diagnostics {
    if err.is_not_found() {
        return Diagnostic::error(
            "Database not found",
            format!(
                "Could not mint a token: the project {} has no database {} (or the project does \
                 not exist, or the token's user is not a member of it). Check `database_id` \
                 (e.g. `comwit_database.<name>.database_id`, or the `comwit_database` data \
                 source, which finds a database by name) and `project_id` (default: the \
                 provider's).",
                req.project_id, req.database_id
            ),
        )
        .with_attribute(AttributePath::new("database_id"))
        .into();
    }
    api_error_at(
        &req.what(),
        err,
        &[("expires_in", "expires_in"), ("access", "access")],
    )
}

/// A mint whose outcome is unknown; `outcome` says what became of the token it may have made.
fn uncertain_mint_error(req: &Request, err: &ApiError, outcome: &str) -> Diagnostics {
    let summary = match err {
        ApiError::Cancelled => "Operation cancelled",
        ApiError::Transport { .. } => "Cannot reach the Comwit platform",
        ApiError::Decode { .. } => "Unreadable answer from the Comwit platform",
        ApiError::Status(_) => "Comwit platform unavailable",
    };
    let what = req.what();
    let detail = match err {
        ApiError::Cancelled => {
            format!("Terraform asked the provider to stop while it was trying to {what}. {outcome}")
        }
        _ => format!(
            "Could not {what}: {err}, also after the retries the provider's \
             `retry_max_elapsed` and `max_retries` allow. {outcome} Run Terraform again once \
             the platform answers."
        ),
    };
    Diagnostic::error(summary, detail).into()
}

#[async_trait]
impl EphemeralResource for DatabaseTokenResource {
    type_metadata!();

    async fn open(&self, ctx: &mut Ctx, config: &Value) -> Result<Opened, Diagnostics> {
        let configured = self.shared.get()?;
        let client = &configured.client;
        let req = Request::of(config, &self.shared)?;
        let sent_at = SystemTime::now();
        let minted = self.mint(ctx, client, &req).await?;
        let metadata = minted.metadata;
        let Some(token) = minted.token else {
            let revoked = self.discard(client, &req, &metadata.token_id).await;
            return Err(Diagnostic::error(
                "No token in the platform's answer",
                format!(
                    "The platform minted a token for the database {} but did not send its \
                     value, so Terraform cannot hand it on. {revoked} The API at `api_url` may \
                     not match this provider version; run Terraform again, or upgrade the \
                     provider.",
                    req.database_id
                ),
            )
            .into());
        };
        tracing::debug!(
            token_id = %metadata.token_id,
            database_id = %req.database_id,
            expires_at = %metadata.expires_at,
            revoke_on_close = req.revoke_on_close,
            "database token minted"
        );
        let private = TokenPrivate {
            project_id: req.project_id.clone(),
            database_id: req.database_id.clone(),
            token_id: metadata.token_id.clone(),
            expires_in: req.lifetime.as_secs(),
            revoke_on_close: req.revoke_on_close,
            expires_at: metadata.expires_at.clone(),
        };
        let result = DatabaseTokenModel {
            project_id: Some(req.project_id.clone()),
            database_id: req.database_id.clone(),
            access: Some(req.access.clone()),
            expires_in: Some(req.expires_in.clone()),
            revoke_on_close: Some(req.revoke_on_close),
            token: Some(token),
            token_id: Some(metadata.token_id.clone()),
            expires_at: Some(metadata.expires_at),
        };
        let result = match model::value_of(&result, &self.schema) {
            Ok(result) => result,
            Err(mut d) => {
                // Terraform will not close what did not open: revoke it here.
                let revoked = self.discard(client, &req, &metadata.token_id).await;
                d.warning("Database token revoked", revoked);
                return Err(d);
            }
        };
        Ok(Opened {
            result,
            private: private.to_bytes(),
            renew_at: Some(renew_at(sent_at, req.lifetime)),
        })
    }

    async fn renew(&self, ctx: &mut Ctx, private: &[u8]) -> Result<Renewed, Diagnostics> {
        let mut token = TokenPrivate::read(private)?;
        let configured = self.shared.get()?;
        let body = DatabaseTokenRenew {
            expires_in: Some(token.expires_in),
        };
        let sent_at = SystemTime::now();
        let renewal = configured.client.renew_database_token(
            &token.project_id,
            &token.database_id,
            &token.token_id,
            &body,
        );
        match call(ctx, renewal).await {
            Ok(renewed) => {
                tracing::debug!(token_id = %token.token_id, expires_at = %renewed.expires_at, "database token renewed");
                token.expires_at = renewed.expires_at;
                Ok(Renewed {
                    private: token.to_bytes(),
                    renew_at: Some(renew_at(sent_at, Duration::from_secs(token.expires_in))),
                })
            }
            Err(e) if e.is_not_found() => Err(Diagnostic::error(
                "Database token expired or revoked",
                format!(
                    "Could not renew the token {} of the database {}: the platform no longer \
                     has it (it was revoked, it expired at {}, or the database was deleted). \
                     Run Terraform again for a new token; a longer `expires_in` leaves more \
                     time between renewals.",
                    token.token_id, token.database_id, token.expires_at
                ),
            )
            .into()),
            Err(e) => Err(api_error(
                &format!(
                    "renew the token {} of the database {}",
                    token.token_id, token.database_id
                ),
                &e,
            )),
        }
    }

    async fn close(&self, _ctx: &mut Ctx, private: &[u8]) -> Diagnostics {
        let token = match TokenPrivate::read(private) {
            Ok(token) => token,
            Err(d) => return d,
        };
        if !token.revoke_on_close {
            tracing::debug!(token_id = %token.token_id, expires_at = %token.expires_at, "database token kept (revoke_on_close = false)");
            return Diagnostics::new();
        }
        let configured = match self.shared.get() {
            Ok(configured) => configured,
            Err(d) => return d,
        };
        // Not cut short by a stop: a run that is interrupted still revokes its tokens.
        let revoke = configured.client.revoke_database_token(
            &token.project_id,
            &token.database_id,
            &token.token_id,
        );
        let why = match tokio::time::timeout(CLEANUP_LIMIT, revoke).await {
            Ok(Ok(())) => {
                tracing::debug!(token_id = %token.token_id, "database token revoked");
                return Diagnostics::new();
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => "the platform did not answer in time".to_string(),
        };
        Diagnostic::error(
            "Database token not revoked",
            format!(
                "Could not revoke the token {} of the database {} when Terraform closed it \
                 ({why}). It stays valid until {} unless revoked: `DELETE {}/{}` revokes it \
                 (scope `database:write`).",
                token.token_id,
                token.database_id,
                token.expires_at,
                token.tokens_path(),
                token.token_id
            ),
        )
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<DatabaseTokenModel>(&schema());
    }

    #[test]
    fn the_schema_is_well_defined_and_documents_its_scopes() {
        let schema = schema();
        let d = schema.validate_definition();
        assert!(d.is_empty(), "{d}");
        let description = &schema.block.description;
        let last = description.rsplit("\n\n").next().unwrap();
        assert!(last.starts_with("**Token scopes:**") && last.contains("database:write"));
        for a in &schema.block.attributes {
            assert!(!a.description.is_empty(), "{} has no description", a.name);
        }
        let token = schema.attribute("token").unwrap();
        assert!(token.sensitive && token.computed && !token.optional);
        // The patterns the docs promise.
        for want in [
            "revoke_on_close = false",
            "secret_env_wo_rotating",
            "secret_env_wo_version",
            "each plan and each apply",
        ] {
            assert!(description.contains(want), "{want}");
        }
    }

    #[test]
    fn lifetimes_are_whole_seconds_within_the_platforms_bounds() {
        assert_eq!(lifetime("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(lifetime("1m"), Ok(MIN_LIFETIME));
        assert_eq!(lifetime("8760h"), Ok(MAX_LIFETIME));
        assert_eq!(lifetime("1h30m"), Ok(Duration::from_secs(5400)));
        let err = |text: &str| lifetime(text).unwrap_err();
        assert!(err("59s").contains("from 1m"), "{}", err("59s"));
        assert!(err("8761h").contains("8760h"), "{}", err("8761h"));
        assert!(err("90.5s").contains("whole number of seconds"));
        for bad in ["1d", "one hour", "", "60"] {
            assert!(err(bad).contains("not a duration"), "{bad}: {}", err(bad));
        }
    }

    #[test]
    fn expires_in_is_checked_at_plan() {
        let schema = schema();
        let attribute = schema.attribute("expires_in").unwrap();
        let check = |text: &str| {
            let mut d = Diagnostics::new();
            for v in &attribute.validators {
                v.validate(
                    &Value::string(text),
                    &AttributePath::new("expires_in"),
                    &mut d,
                );
            }
            d
        };
        assert!(check("12h").is_empty());
        let d = check("2d");
        let e = d.iter().next().expect("an error");
        assert_eq!(e.summary, "Invalid expires_in");
        assert_eq!(e.attribute, Some(AttributePath::new("expires_in")));
    }

    #[test]
    fn renewals_come_after_four_fifths_of_the_lifetime() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            renew_at(t0, Duration::from_secs(3600)),
            t0 + Duration::from_secs(2880)
        );
        assert_eq!(renew_at(t0, MIN_LIFETIME), t0 + Duration::from_secs(48));
        // Before the expiry, with a margin that grows with the lifetime.
        let year = renew_at(t0, MAX_LIFETIME);
        assert!(year < t0 + MAX_LIFETIME - Duration::from_secs(86_400));
    }

    #[test]
    fn the_private_bytes_round_trip_without_the_token() {
        let private = TokenPrivate {
            project_id: "prj_0123456789abcdef".into(),
            database_id: "db_0123456789abcdef".into(),
            token_id: "dbt_00112233445566778899aabbccddeeff".into(),
            expires_in: 3600,
            revoke_on_close: false,
            expires_at: "2026-01-01T00:00:00Z".into(),
        };
        let bytes = private.to_bytes();
        assert_eq!(TokenPrivate::read(&bytes).unwrap(), private);
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let mut names: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
        names.sort();
        assert_eq!(
            names,
            [
                "database_id",
                "expires_at",
                "expires_in",
                "project_id",
                "revoke_on_close",
                "token_id"
            ]
        );
        let d = TokenPrivate::read(b"garbage").unwrap_err();
        assert!(d.to_string().contains("DELETE"), "{d}");
    }

    #[test]
    fn only_failures_after_the_request_left_may_have_minted() {
        let status = |status: u16| {
            ApiError::Status(Box::new(crate::api::error::StatusError {
                title: None,
                status,
                code: "x".into(),
                message: "x".into(),
                required_scope: None,
                field: None,
                details: serde_json::Value::Null,
                method: "POST".into(),
                path: "/v1/x".into(),
            }))
        };
        assert!(may_have_minted(&status(503)));
        assert!(may_have_minted(&status(500)));
        assert!(may_have_minted(&ApiError::Cancelled));
        for refused in [403, 404, 409, 422, 429] {
            assert!(!may_have_minted(&status(refused)), "{refused}");
        }
    }

    #[test]
    fn the_secret_is_hidden_from_debug_output() {
        let secret = TokenSecret::new("eyJhbGciOiJFZERTQSJ9.e30.c2ln");
        assert!(!format!("{secret:?}").contains("eyJ"));
        assert_eq!(secret.expose(), "eyJhbGciOiJFZERTQSJ9.e30.c2ln");
    }

    /// A platform of database tokens in memory, for the open, renew and close paths: it
    /// answers as the contract says and can lose the answers of mints after doing the work.
    mod fake {
        use std::collections::{BTreeMap, BTreeSet};
        use std::sync::{Arc, Mutex};

        use axum::extract::{Path, State};
        use axum::http::{HeaderMap, StatusCode};
        use axum::response::{IntoResponse, Response};
        use axum::routing::{delete, post};
        use axum::{Json, Router};
        use serde_json::json;

        #[derive(Default)]
        pub(super) struct Books {
            /// Idempotency key to the token it minted.
            pub(super) keys: BTreeMap<String, String>,
            pub(super) live: BTreeSet<String>,
            pub(super) minted: Vec<String>,
            pub(super) revoked: Vec<String>,
            pub(super) renewed: Vec<(String, u64)>,
            /// Mints whose answers to lose (a 503 after the work), next first.
            pub(super) lose_answers: u32,
            /// Bodies of the mints, as sent.
            pub(super) bodies: Vec<serde_json::Value>,
        }

        pub(super) type Shared = Arc<Mutex<Books>>;

        /// A problem details answer, as the platform sends errors.
        fn error(status: StatusCode, code: &str, scope: Option<&str>) -> Response {
            let detail = match scope {
                Some(scope) => format!("the token lacks the scope {scope}"),
                None => code.to_string(),
            };
            let body = json!({
                "title": status.canonical_reason().unwrap_or_default(),
                "status": status.as_u16(),
                "detail": detail,
                "code": code.to_uppercase(),
            });
            let mut resp = (status, Json(body)).into_response();
            resp.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/problem+json"),
            );
            resp
        }

        fn metadata(id: &str, database: &str) -> serde_json::Value {
            json!({
                "token_id": id,
                "database_id": database,
                "access": "full_access",
                "created_at": "2026-01-01T00:00:00Z",
                "expires_at": "2026-01-01T01:00:00Z",
            })
        }

        async fn mint(
            State(books): State<Shared>,
            Path((_project, database)): Path<(String, String)>,
            headers: HeaderMap,
            Json(body): Json<serde_json::Value>,
        ) -> Response {
            match database.as_str() {
                "db_0000000000000404" => return error(StatusCode::NOT_FOUND, "not_found", None),
                "db_0000000000000403" => {
                    return error(StatusCode::FORBIDDEN, "forbidden", Some("database:write"))
                }
                _ => {}
            }
            let key = headers
                .get("idempotency-key")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let mut books = books.lock().unwrap();
            books.bodies.push(body);
            let id = match books.keys.get(&key) {
                Some(id) => id.clone(),
                None => {
                    let id = format!("dbt_{:032x}", books.minted.len() + 1);
                    books.keys.insert(key, id.clone());
                    books.live.insert(id.clone());
                    books.minted.push(id.clone());
                    id
                }
            };
            if books.lose_answers > 0 {
                books.lose_answers -= 1;
                return error(StatusCode::SERVICE_UNAVAILABLE, "lost", None);
            }
            let mut answer = metadata(&id, &database);
            answer["token"] = json!(format!("jwt-of-{id}"));
            (StatusCode::CREATED, Json(answer)).into_response()
        }

        async fn renew(
            State(books): State<Shared>,
            Path((_project, database, id)): Path<(String, String, String)>,
            Json(body): Json<serde_json::Value>,
        ) -> Response {
            let mut books = books.lock().unwrap();
            if !books.live.contains(&id) {
                return error(StatusCode::NOT_FOUND, "not_found", None);
            }
            let seconds = body["expires_in"].as_u64().unwrap_or(3600);
            books.renewed.push((id.clone(), seconds));
            let mut answer = metadata(&id, &database);
            answer["expires_at"] = json!("2026-01-01T02:00:00Z");
            Json(answer).into_response()
        }

        async fn revoke(
            State(books): State<Shared>,
            Path((_project, _database, id)): Path<(String, String, String)>,
        ) -> Response {
            let mut books = books.lock().unwrap();
            if !books.live.remove(&id) {
                return error(StatusCode::NOT_FOUND, "not_found", None);
            }
            books.revoked.push(id);
            StatusCode::NO_CONTENT.into_response()
        }

        /// Serves on a free loopback port; returns its base URL.
        pub(super) async fn start(books: Shared) -> String {
            let tokens = "/v1/projects/{project}/databases/{database}/tokens";
            let app = Router::new()
                .route(tokens, post(mint))
                .route(&format!("{tokens}/{{id}}/renew"), post(renew))
                .route(&format!("{tokens}/{{id}}"), delete(revoke))
                .with_state(books);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            tokio::spawn(async move { axum::serve(listener, app).await });
            url
        }
    }

    /// The resource configured against a fake platform, with a short retry budget.
    async fn against_fake() -> (DatabaseTokenResource, fake::Shared) {
        let books = fake::Shared::default();
        let url = fake::start(books.clone()).await;
        let mut options = crate::api::ClientOptions::new(&url, "cwt_test");
        options.max_retries = 2;
        options.backoff_base = Duration::from_millis(1);
        options.backoff_cap = Duration::from_millis(5);
        let config = crate::provider::ProviderConfig {
            token: "cwt_test".into(),
            api_url: url,
            project_id: Some("prj_0123456789abcdef".into()),
            max_retries: 2,
            retry_max_elapsed: Duration::from_secs(5),
        };
        let shared = crate::provider::Shared::default();
        shared.set(crate::provider::Configured {
            config,
            client: Client::new(options).unwrap(),
        });
        (DatabaseTokenResource::new(shared), books)
    }

    /// A request context, and the sender that keeps it from reading as stopped.
    fn ctx() -> (tokio::sync::watch::Sender<bool>, Ctx) {
        let (tx, stop) = crate::tfplugin::resource::StopSignal::new();
        (tx, Ctx::new(stop, Default::default(), Vec::new()))
    }

    fn config(database: &str, extra: &[(&str, Value)]) -> Value {
        let mut c = schema().null_object();
        crate::provider::common::set_attr(&mut c, "database_id", Value::string(database));
        for (name, value) in extra {
            crate::provider::common::set_attr(&mut c, name, value.clone());
        }
        c
    }

    const DB: &str = "db_0123456789abcdef";

    #[tokio::test]
    async fn open_renew_close_mint_renew_and_revoke_one_token() {
        let (r, books) = against_fake().await;
        let before = SystemTime::now();
        let opened = r.open(&mut ctx().1, &config(DB, &[])).await.unwrap();
        let get = |name: &str| opened.result.get(name).cloned().unwrap();
        let id = "dbt_00000000000000000000000000000001";
        assert_eq!(get("token"), Value::string(format!("jwt-of-{id}")));
        assert_eq!(get("token_id"), Value::string(id));
        assert_eq!(get("project_id"), Value::string("prj_0123456789abcdef"));
        assert_eq!(get("access"), Value::string(FULL_ACCESS));
        assert_eq!(get("expires_in"), Value::string("1h"));
        assert_eq!(get("revoke_on_close"), Value::Bool(true));
        assert_eq!(get("expires_at"), Value::string("2026-01-01T01:00:00Z"));
        // The defaults as the contract's body; the token never in the private bytes.
        assert_eq!(
            books.lock().unwrap().bodies,
            [serde_json::json!({"access": "full_access", "expires_in": 3600})]
        );
        assert!(!String::from_utf8_lossy(&opened.private).contains("jwt-of"));
        let renew_at = opened.renew_at.unwrap();
        assert!(renew_at >= before + Duration::from_secs(2880));
        assert!(renew_at <= SystemTime::now() + Duration::from_secs(2880));

        let renewed = r.renew(&mut ctx().1, &opened.private).await.unwrap();
        assert_eq!(books.lock().unwrap().renewed, [(id.to_string(), 3600)]);
        assert!(renewed.renew_at.unwrap() > SystemTime::now() + Duration::from_secs(2800));
        let private = TokenPrivate::read(&renewed.private).unwrap();
        assert_eq!(private.expires_at, "2026-01-01T02:00:00Z");

        let d = r.close(&mut ctx().1, &renewed.private).await;
        assert!(d.is_empty(), "{d}");
        let books = books.lock().unwrap();
        assert_eq!(books.revoked, [id]);
        assert!(books.live.is_empty());
    }

    #[tokio::test]
    async fn a_kept_token_is_not_revoked_and_an_expired_one_is_not_renewed() {
        let (r, books) = against_fake().await;
        let c = config(
            DB,
            &[
                ("revoke_on_close", Value::Bool(false)),
                ("expires_in", Value::string("720h")),
                ("access", Value::string(READ_ONLY)),
            ],
        );
        let opened = r.open(&mut ctx().1, &c).await.unwrap();
        assert_eq!(
            books.lock().unwrap().bodies,
            [serde_json::json!({"access": "read_only", "expires_in": 2_592_000})]
        );
        assert!(r.close(&mut ctx().1, &opened.private).await.is_empty());
        assert_eq!(books.lock().unwrap().live.len(), 1, "kept");

        // Revoked outside Terraform: the renewal says what happened.
        books.lock().unwrap().live.clear();
        let d = r.renew(&mut ctx().1, &opened.private).await.err().unwrap();
        assert!(d.to_string().contains("expired or revoked"), "{d}");
    }

    #[tokio::test]
    async fn a_mint_whose_answers_are_lost_leaves_no_token() {
        let (r, books) = against_fake().await;
        // The first try and both retries do the work (the same token, by the key) and lose
        // the answer; the clean-up learns the token from the replay and revokes it.
        books.lock().unwrap().lose_answers = 3;
        let d = r.open(&mut ctx().1, &config(DB, &[])).await.err().unwrap();
        let text = d.to_string();
        assert!(text.contains("none is left behind"), "{text}");
        let books = books.lock().unwrap();
        assert_eq!(books.minted.len(), 1, "one token for one key");
        assert_eq!(books.revoked, books.minted);
        assert!(books.live.is_empty());
    }

    #[tokio::test]
    async fn a_mint_cut_short_by_a_stop_leaves_no_token() {
        let (r, books) = against_fake().await;
        let (stop, mut stopped) = ctx();
        drop(stop);
        let d = r.open(&mut stopped, &config(DB, &[])).await.err().unwrap();
        let e = d.iter().next().unwrap();
        assert_eq!(e.summary, "Operation cancelled");
        assert!(e.detail.contains("none is left behind"), "{}", e.detail);
        let books = books.lock().unwrap();
        assert_eq!(books.revoked, books.minted);
        assert!(books.live.is_empty());
    }

    #[tokio::test]
    async fn refusals_say_what_to_fix() {
        let (r, books) = against_fake().await;
        let d = r
            .open(&mut ctx().1, &config("db_0000000000000404", &[]))
            .await
            .err()
            .unwrap();
        let e = d.iter().next().unwrap();
        assert_eq!(e.summary, "Database not found");
        assert_eq!(e.attribute, Some(AttributePath::new("database_id")));
        assert!(e.detail.contains("comwit_database"), "{}", e.detail);

        let d = r
            .open(&mut ctx().1, &config("db_0000000000000403", &[]))
            .await
            .err()
            .unwrap();
        let text = d.to_string();
        // The platform names no required scope in a member of its own: its detail says it.
        assert!(text.contains("database:write"), "{text}");

        let d = r
            .open(
                &mut ctx().1,
                &config(DB, &[("expires_in", Value::string("10s"))]),
            )
            .await
            .err()
            .unwrap();
        assert_eq!(
            d.iter().next().unwrap().attribute,
            Some(AttributePath::new("expires_in"))
        );
        assert!(books.lock().unwrap().minted.is_empty(), "nothing minted");
    }
}
