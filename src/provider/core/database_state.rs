//! The model of a `comwit_database`: what the platform reports, plus the attributes that live
//! only in Terraform (`deletion_protection`, `timeouts`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::api::models::Database;
use crate::provider::common::CreateTimeouts;

/// `deletion_protection` when neither configuration nor state says otherwise: protected.
pub(super) const DEFAULT_PROTECTION: bool = true;

fn default_protection() -> bool {
    DEFAULT_PROTECTION
}

/// The resource's configuration, plan and state. `database_id` is unknown until created;
/// `project_id` is filled in by the plan (the configuration's or the provider's). The other
/// platform attributes are `Option` so that an update, which sends nothing, writes back
/// exactly what the prior state held.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct DatabaseModel {
    #[serde(default)]
    pub database_id: String,
    #[serde(default)]
    pub project_id: String,
    pub name: String,
    /// On unless explicitly false (null or unknown reads as on).
    #[serde(default = "default_protection")]
    pub deletion_protection: bool,
    pub database_url: Option<String>,
    pub status: Option<String>,
    /// The one-time token of the create or of the last rotation; null after an import, or
    /// when the platform returned none.
    pub database_token: Option<String>,
    /// User-set: any change rotates the token.
    pub token_rotation_trigger: Option<BTreeMap<String, String>>,
    /// Made by a point-in-time restore of another database (create-time only).
    pub restore_from: Option<RestoreFrom>,
    /// Made from a SQLite file (create-time only), and that file's SHA-256 as planned.
    pub seed_file: Option<String>,
    pub seed_file_sha256: Option<String>,
    pub timeouts: Option<CreateTimeouts>,
}

/// `restore_from`: the source database and exactly one point of its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RestoreFrom {
    pub database_id: String,
    pub timestamp: Option<String>,
    pub generation: Option<String>,
    pub alias: Option<String>,
}

impl DatabaseModel {
    /// The platform's view of the database, keeping this model's Terraform-only attributes
    /// (and the token, which the platform shows only once).
    pub(super) fn with_remote(&self, db: Database) -> Self {
        DatabaseModel {
            deletion_protection: self.deletion_protection,
            timeouts: self.timeouts.clone(),
            database_token: self.database_token.clone(),
            token_rotation_trigger: self.token_rotation_trigger.clone(),
            restore_from: self.restore_from.clone(),
            seed_file: self.seed_file.clone(),
            seed_file_sha256: self.seed_file_sha256.clone(),
            ..DatabaseModel::from(db)
        }
    }
}

/// The platform's view alone (an imported database): the Terraform-only attributes get their
/// defaults.
impl From<Database> for DatabaseModel {
    fn from(db: Database) -> Self {
        DatabaseModel {
            database_id: db.database_id,
            project_id: db.project_id,
            name: db.name,
            deletion_protection: DEFAULT_PROTECTION,
            database_url: Some(db.database_url),
            status: Some(db.status),
            database_token: None,
            token_rotation_trigger: None,
            restore_from: None,
            seed_file: None,
            seed_file_sha256: None,
            timeouts: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tfplugin::cty::Value;
    use crate::tfplugin::model;

    fn db() -> Database {
        Database {
            database_id: "db_1".into(),
            project_id: "prj_1".into(),
            name: "main".into(),
            database_url: "https://db.example/v1/t-1".into(),
            status: "cold".into(),
        }
    }

    fn state_of(model: DatabaseModel) -> Value {
        model::value_of(&model, &super::super::database::schema()).unwrap()
    }

    #[test]
    fn remote_values_and_terraform_only_values() {
        let prior = Value::object([
            ("deletion_protection", Value::Bool(false)),
            ("timeouts", Value::object([("create", Value::string("1m"))])),
            ("name", Value::string("old")),
        ]);
        let prior: DatabaseModel = model::get(&prior).unwrap();
        let state = state_of(prior.with_remote(db()));
        assert_eq!(state.get("name"), Some(&Value::string("main")));
        assert_eq!(state.get("status"), Some(&Value::string("cold")));
        assert_eq!(state.get("deletion_protection"), Some(&Value::Bool(false)));
        assert_eq!(
            state.get("timeouts").and_then(|t| t.get("create")),
            Some(&Value::string("1m"))
        );
    }

    #[test]
    fn protection_defaults_to_on() {
        let state = state_of(DatabaseModel::from(db()));
        assert_eq!(state.get("deletion_protection"), Some(&Value::Bool(true)));
        assert_eq!(state.get("timeouts"), Some(&Value::Null));
        let protected = |protection: Value| {
            let value = Value::object([
                ("name", Value::string("main")),
                ("deletion_protection", protection),
            ]);
            model::get::<DatabaseModel>(&value)
                .unwrap()
                .deletion_protection
        };
        assert!(protected(Value::Null));
        assert!(protected(Value::Unknown));
        assert!(!protected(Value::Bool(false)));
    }
}
