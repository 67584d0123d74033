//! The state of a `comwit_database`: what the platform reports, plus the attributes that live
//! only in Terraform (`deletion_protection`, `timeouts`).

use super::{attr, set};
use crate::api::models::Database;
use crate::tfplugin::cty::Value;

/// `deletion_protection` when neither configuration nor state says otherwise: protected.
pub const DEFAULT_PROTECTION: bool = true;

/// Writes the platform's view of the database into `state`, an object value that already
/// carries (or lacks, then they get their defaults) the Terraform-only attributes.
pub fn apply_remote(state: &mut Value, db: &Database) {
    if !matches!(state, Value::Object(_)) {
        *state = Value::Object(Default::default());
    }
    set(state, "database_id", Value::string(&db.database_id));
    set(state, "project_id", Value::string(&db.project_id));
    set(state, "name", Value::string(&db.name));
    set(state, "database_url", Value::string(&db.database_url));
    set(state, "status", Value::string(&db.status));
    set(state, "created_at", Value::string(&db.created_at));
    set(state, "deletion_protection", Value::Bool(protected(state)));
    set(state, "timeouts", attr(state, "timeouts"));
}

/// Whether `deletion_protection` is on in a state or plan (on unless explicitly false).
pub fn protected(value: &Value) -> bool {
    value
        .get("deletion_protection")
        .and_then(Value::as_bool)
        .unwrap_or(DEFAULT_PROTECTION)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Database {
        Database {
            database_id: "db_1".into(),
            project_id: "prj_1".into(),
            name: "main".into(),
            database_url: "https://db.example/db_1".into(),
            status: "ready".into(),
            created_at: "2025-01-02T03:04:05Z".into(),
        }
    }

    #[test]
    fn remote_values_and_terraform_only_values() {
        let mut state = Value::object([
            ("deletion_protection", Value::Bool(false)),
            ("timeouts", Value::object([("create", Value::string("1m"))])),
            ("name", Value::string("old")),
        ]);
        apply_remote(&mut state, &db());
        assert_eq!(state.get("name"), Some(&Value::string("main")));
        assert_eq!(state.get("status"), Some(&Value::string("ready")));
        assert_eq!(state.get("deletion_protection"), Some(&Value::Bool(false)));
        assert_eq!(
            state.get("timeouts").and_then(|t| t.get("create")),
            Some(&Value::string("1m"))
        );
    }

    #[test]
    fn protection_defaults_to_on() {
        let mut state = Value::Null;
        apply_remote(&mut state, &db());
        assert_eq!(state.get("deletion_protection"), Some(&Value::Bool(true)));
        assert_eq!(state.get("timeouts"), Some(&Value::Null));
        assert!(protected(&Value::object([(
            "deletion_protection",
            Value::Null
        )])));
        assert!(!protected(&Value::object([(
            "deletion_protection",
            Value::Bool(false)
        )])));
    }
}
