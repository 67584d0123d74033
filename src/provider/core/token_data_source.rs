//! `comwit_token` data source: who the provider's token belongs to and what it may do.

use async_trait::async_trait;

use crate::provider::common::{api_error, call};
use crate::tfplugin::cty::{Type, Value};
use crate::tfplugin::diag::Diagnostics;
use crate::tfplugin::model;
use crate::tfplugin::resource::{Ctx, DataSource};
use crate::tfplugin::schema::{Attribute, Block, Schema};

provider_type!(TokenDataSource, "comwit_token");

fn schema() -> Schema {
    Schema::new(
        Block::from_attributes(vec![
            Attribute::string("user_id")
                .computed()
                .description("The ID of the user the token belongs to (`usr_` and 16 hex digits)."),
            Attribute::string("name")
                .computed()
                .description("The user's name."),
            Attribute::string("token_id")
                .computed()
                .description("The token's ID (`tok_` and 16 hex digits); never the secret."),
            Attribute::list("scopes", Type::String)
                .computed()
                .description(
                    "The token's scopes, such as `project:read` or `database:write`. An \
                     operation needing a scope that is not here fails with a 403.",
                ),
        ])
        .description(
            "The user and scopes of the provider's token, for checking access when an \
             operation is refused. The token's secret is never exposed.\n\n\
             **Token scopes:** none; any valid token can read itself.",
        ),
    )
}

#[async_trait]
impl DataSource for TokenDataSource {
    type_metadata!();

    async fn read(&self, ctx: &mut Ctx, _config: &Value) -> Result<Value, Diagnostics> {
        let configured = self.shared.get()?;
        let me = call(ctx, configured.client.me())
            .await
            .map_err(|e| api_error("read the token's user (GET /v1/me)", &e))?;
        model::value_of(&me, &self.schema)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_matches_the_schema() {
        model::shape::check::<crate::api::models::Me>(&schema());
    }
}
