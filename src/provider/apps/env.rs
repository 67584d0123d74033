//! Environment variables: plain ones (`env`, kept in state) and secret ones (`secret_env_wo`,
//! write-only: never in plan or state). The platform replaces the whole environment at once
//! and never returns a secret's value, only its digest (hex SHA-256), which is what Terraform
//! keeps (`secret_env_digests`) to notice a secret changed behind its back.

use std::collections::BTreeMap;

use crate::api::models::{Env, EnvVarInput};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostics};
use crate::tfplugin::schema::validators::{self, Custom};

/// Most variables an app may have (plain and secret together), per the contract.
pub const MAX_VARIABLES: usize = 100;
/// Longest value, in characters, per the contract.
pub const MAX_VALUE_CHARS: usize = 8192;

/// The contract's EnvVarName: `^[A-Za-z_][A-Za-z0-9_]{0,127}$`.
pub fn is_env_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// Checks the keys of a map of variables (and that no value is null). Never quotes a value:
/// the same validator guards the secret map.
pub fn names_validator() -> Custom {
    validators::custom_described(
        "keys must be environment variable names (letters, digits and underscores, not \
         starting with a digit, at most 128 characters)",
        |value, path, diags| {
            let Value::Map(m) = value else { return };
            for (name, v) in m {
                let at = path.clone().key(name.clone());
                if !is_env_name(name) {
                    diags.attribute_error(
                        at.clone(),
                        "Invalid environment variable name",
                        format!(
                            "{name:?} is not a valid environment variable name. Names start \
                             with a letter or an underscore, then hold only letters, digits \
                             and underscores (at most 128 characters), like DATABASE_URL."
                        ),
                    );
                }
                if v.is_null() {
                    diags.attribute_error(
                        at,
                        "Missing environment variable value",
                        format!("The variable {name} has a null value. Give it a string value, or remove it."),
                    );
                }
            }
        },
    )
}

/// Cross-attribute checks: a name may not be both plain and secret, and the total is limited.
pub fn validate_combined(env: &Value, secrets: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let (Value::Map(plain), Value::Map(secret)) = (or_empty(env), or_empty(secrets)) else {
        // Unknown: checked again at plan time.
        return diags;
    };
    for name in secret.keys().filter(|n| plain.contains_key(*n)) {
        diags.attribute_error(
            AttributePath::new("secret_env_wo").key(name.clone()),
            "Variable is both plain and secret",
            format!(
                "{name} is set in both `env` and `secret_env_wo`. A variable is either plain \
                 or secret: remove it from one of them."
            ),
        );
    }
    let total = plain.len() + secret.keys().filter(|n| !plain.contains_key(*n)).count();
    if total > MAX_VARIABLES {
        diags.attribute_error(
            AttributePath::new("env"),
            "Too many environment variables",
            format!(
                "`env` and `secret_env_wo` hold {total} variables together; an app may have at \
                 most {MAX_VARIABLES}."
            ),
        );
    }
    diags
}

/// A null map reads as an empty one; anything else is returned as is.
fn or_empty(v: &Value) -> Value {
    match v {
        Value::Null => Value::Map(BTreeMap::new()),
        other => other.clone(),
    }
}

/// The digests of the configured secrets, as the platform would compute them: a map of name to
/// hex SHA-256 (empty when there are none), or unknown when any value is not known yet.
pub fn planned_digests(secrets: &Value) -> Value {
    match secrets {
        Value::Null => Value::Map(BTreeMap::new()),
        Value::Map(m) => {
            if m.values().any(|v| v.is_unknown()) {
                return Value::Unknown;
            }
            Value::Map(
                m.iter()
                    .filter_map(|(k, v)| {
                        v.as_str()
                            .map(|s| (k.clone(), Value::string(super::sha256_hex(s.as_bytes()))))
                    })
                    .collect(),
            )
        }
        _ => Value::Unknown,
    }
}

/// The body of a full environment replacement: plain variables, then secret ones.
pub fn replacement<'a>(env: &'a Value, secrets: &'a Value) -> Vec<EnvVarInput<'a>> {
    let mut vars = Vec::new();
    for (source, secret) in [(env, false), (secrets, true)] {
        if let Value::Map(m) = source {
            for (name, value) in m {
                if let Some(value) = value.as_str() {
                    vars.push(EnvVarInput {
                        name,
                        value,
                        secret,
                    });
                }
            }
        }
    }
    vars
}

/// The platform's environment as state values: `env` (plain variables) and
/// `secret_env_digests` (secret name → digest). An environment without plain variables keeps
/// the representation `prior_env` had (null or empty map), so `env = {}` and no `env` at all
/// both plan cleanly.
pub fn state_values(remote: &Env, prior_env: &Value) -> (Value, Value) {
    let mut plain = BTreeMap::new();
    let mut digests = BTreeMap::new();
    for var in &remote.variables {
        if var.secret {
            digests.insert(var.name.clone(), Value::string(var.digest.clone()));
        } else {
            plain.insert(
                var.name.clone(),
                Value::string(var.value.clone().unwrap_or_default()),
            );
        }
    }
    let env = if plain.is_empty() && !matches!(prior_env, Value::Map(_)) {
        Value::Null
    } else {
        Value::Map(plain)
    };
    (env, Value::Map(digests))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::EnvVar;

    fn map(pairs: &[(&str, &str)]) -> Value {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Value::string(*v)))
                .collect(),
        )
    }

    #[test]
    fn env_names_follow_the_contract() {
        for ok in ["A", "_", "DATABASE_URL", "a1", &"X".repeat(128)] {
            assert!(is_env_name(ok), "{ok}");
        }
        for bad in ["", "1A", "A-B", "A B", "É", &"X".repeat(129)] {
            assert!(!is_env_name(bad), "{bad}");
        }
    }

    #[test]
    fn name_validator_names_the_key_and_never_the_value() {
        use crate::tfplugin::schema::Validator;
        let mut d = Diagnostics::new();
        names_validator().validate(
            &map(&[("GOOD", "x"), ("BAD-NAME", "hunter2")]),
            &AttributePath::new("secret_env_wo"),
            &mut d,
        );
        assert_eq!(d.len(), 1);
        let text = d.to_string();
        assert!(text.contains("BAD-NAME"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert_eq!(
            d.iter().next().unwrap().attribute,
            Some(AttributePath::new("secret_env_wo").key("BAD-NAME"))
        );
    }

    #[test]
    fn combined_checks() {
        assert!(validate_combined(&map(&[("A", "1")]), &map(&[("B", "2")])).is_empty());
        assert!(validate_combined(&Value::Null, &Value::Unknown).is_empty());
        let d = validate_combined(&map(&[("A", "1")]), &map(&[("A", "2")]));
        assert!(d.to_string().contains("both"), "{d}");
        let many: Vec<(String, String)> = (0..101).map(|i| (format!("V{i}"), "x".into())).collect();
        let many = Value::Map(
            many.into_iter()
                .map(|(k, v)| (k, Value::string(v)))
                .collect(),
        );
        assert!(validate_combined(&many, &Value::Null)
            .to_string()
            .contains("at most 100"));
    }

    #[test]
    fn digests_are_sha256_of_values() {
        let d = planned_digests(&map(&[("K", "abc")]));
        assert_eq!(
            d,
            map(&[(
                "K",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            )])
        );
        assert_eq!(planned_digests(&Value::Null), Value::Map(BTreeMap::new()));
        assert!(planned_digests(&Value::Unknown).is_unknown());
        let partly = Value::Map([("K".to_string(), Value::Unknown)].into());
        assert!(planned_digests(&partly).is_unknown());
    }

    #[test]
    fn replacement_marks_secrets() {
        let env = map(&[("A", "1")]);
        let secrets = map(&[("S", "x")]);
        let body = replacement(&env, &secrets);
        assert_eq!(body.len(), 2);
        assert!(!body[0].secret && body[0].name == "A");
        assert!(body[1].secret && body[1].name == "S" && body[1].value == "x");
        assert!(replacement(&Value::Null, &Value::Null).is_empty());
    }

    #[test]
    fn state_values_split_plain_and_secret() {
        let var = |name: &str, value: Option<&str>, secret: bool| EnvVar {
            name: name.into(),
            value: value.map(str::to_string),
            secret,
            digest: format!("d-{name}"),
            updated_at: "2025-01-01T00:00:00Z".into(),
        };
        let remote = Env {
            variables: vec![var("A", Some("1"), false), var("S", None, true)],
        };
        let (env, digests) = state_values(&remote, &Value::Null);
        assert_eq!(env, map(&[("A", "1")]));
        assert_eq!(digests, map(&[("S", "d-S")]));
        let none = Env { variables: vec![] };
        assert_eq!(state_values(&none, &Value::Null).0, Value::Null);
        assert_eq!(
            state_values(&none, &Value::Map(BTreeMap::new())).0,
            Value::Map(BTreeMap::new())
        );
        assert_eq!(
            state_values(&none, &Value::Null).1,
            Value::Map(BTreeMap::new())
        );
    }
}
