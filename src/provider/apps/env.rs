//! Environment variables: plain ones (`env`, kept in state) and secret ones (`secret_env_wo`,
//! write-only: never in plan or state). The platform keeps them one by one
//! (`PUT/DELETE .../environment/{KEY}`) and lists them all (`GET .../environment`): the
//! provider sends only what differs from the list.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::models::EnvVar;
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostics};
use crate::tfplugin::schema::validators::{self, Custom};

/// Variables by name.
pub(super) type Vars = BTreeMap<String, String>;

/// The documented key pattern: `[A-Za-z_][A-Za-z0-9_]*`.
pub(super) fn is_env_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// Checks the keys of a map of variables (and that no value is null). Never quotes a value:
/// the same validator guards the secret map.
pub(super) fn names_validator() -> Custom {
    validators::custom_described(
        "keys must be environment variable names (letters, digits and underscores, not \
         starting with a digit)",
        |value, path, diags| {
            let Value::Map(m) = value else { return };
            for (name, v) in m {
                let at = path.clone().key(name.clone());
                if !is_env_name(name) {
                    diags.attribute_error(
                        at.clone(),
                        "Invalid environment variable name",
                        format!(
                            "{name:?} is not a valid environment variable name. The platform \
                             takes names matching [A-Za-z_][A-Za-z0-9_]*, like DATABASE_URL."
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

/// A name may not be both plain and secret.
pub(super) fn validate_combined(env: &Value, secrets: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let (Value::Map(plain), Value::Map(secret)) = (env, secrets) else {
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
    diags
}

/// The platform's environment split: plain variables (name -> value) and the names of secret
/// ones.
pub(super) fn split(remote: &[EnvVar]) -> (Vars, BTreeSet<String>) {
    let mut plain = Vars::new();
    let mut secrets = BTreeSet::new();
    for var in remote {
        if var.secret {
            secrets.insert(var.key.clone());
        } else {
            plain.insert(var.key.clone(), var.value.clone().unwrap_or_default());
        }
    }
    (plain, secrets)
}

/// The platform's plain variables as the state's `env`: an environment without plain variables
/// keeps the representation `prior_env` had (null or empty map).
pub(super) fn state_env(remote: &[EnvVar], prior_env: Option<&Vars>) -> Option<Vars> {
    let (plain, _) = split(remote);
    (!plain.is_empty() || prior_env.is_some()).then_some(plain)
}

/// What to send to bring the environment from `remote` to the wanted one.
#[derive(Debug, Default, PartialEq)]
pub(super) struct EnvChanges {
    /// `PUT` with `secret: false`.
    pub put_plain: Vars,
    /// `PUT` with `secret: true`.
    pub put_secret: Vars,
    /// `DELETE`.
    pub delete: BTreeSet<String>,
}

/// The changes: plain variables whose value differs (or that are missing, or secret now) are
/// put; plain ones no longer wanted are deleted. `secrets` is `secret_env_wo` when the
/// configuration sets it: then secrets missing remotely, or all when `resend` (create, a new
/// `secret_env_wo_version`), are put, and secrets no longer named are deleted; when it is not
/// set, the app's secrets are left alone.
pub(super) fn changes(
    remote: &[EnvVar],
    plain: &Vars,
    secrets: Option<&Vars>,
    resend: bool,
) -> EnvChanges {
    let (remote_plain, remote_secrets) = split(remote);
    let mut out = EnvChanges::default();
    for (k, v) in plain {
        if remote_plain.get(k) != Some(v) {
            out.put_plain.insert(k.clone(), v.clone());
        }
    }
    let wanted_secret = |k: &String| secrets.is_some_and(|s| s.contains_key(k));
    for k in remote_plain.keys() {
        if !plain.contains_key(k) && !wanted_secret(k) {
            out.delete.insert(k.clone());
        }
    }
    if let Some(secrets) = secrets {
        for (k, v) in secrets {
            if resend || !remote_secrets.contains(k) {
                out.put_secret.insert(k.clone(), v.clone());
            }
        }
        for k in &remote_secrets {
            if !secrets.contains_key(k) && !plain.contains_key(k) {
                out.delete.insert(k.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn var(key: &str, value: Option<&str>, secret: bool) -> EnvVar {
        EnvVar {
            key: key.into(),
            value: value.map(str::to_string),
            secret,
        }
    }

    #[test]
    fn env_names_follow_the_documented_pattern() {
        for ok in ["A", "_", "DATABASE_URL", "a1", &"X".repeat(300)] {
            assert!(is_env_name(ok), "{ok}");
        }
        for bad in ["", "1A", "A-B", "A B", "É"] {
            assert!(!is_env_name(bad), "{bad}");
        }
    }

    #[test]
    fn name_validator_names_the_key_and_never_the_value() {
        use crate::tfplugin::schema::Validator;
        let mut d = Diagnostics::new();
        let map = Value::Map(
            [
                ("GOOD".to_string(), Value::string("x")),
                ("BAD-NAME".to_string(), Value::string("hunter2")),
            ]
            .into(),
        );
        names_validator().validate(&map, &AttributePath::new("secret_env_wo"), &mut d);
        assert_eq!(d.len(), 1);
        let text = d.to_string();
        assert!(text.contains("BAD-NAME"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn only_what_differs_is_sent() {
        let remote = vec![
            var("A", Some("1"), false),
            var("B", Some("2"), false),
            var("OLD", Some("x"), false),
            var("S", None, true),
            var("GONE", None, true),
        ];
        let c = changes(
            &remote,
            &vars(&[("A", "1"), ("B", "3"), ("C", "4")]),
            None,
            false,
        );
        assert_eq!(c.put_plain, vars(&[("B", "3"), ("C", "4")]));
        assert!(c.put_secret.is_empty());
        // Secrets are left alone without `secret_env_wo`.
        assert_eq!(c.delete, ["OLD".to_string()].into());

        let secrets = vars(&[("S", "s"), ("NEW", "n")]);
        let c = changes(
            &remote,
            &vars(&[("A", "1"), ("B", "2")]),
            Some(&secrets),
            false,
        );
        assert_eq!(c.put_secret, vars(&[("NEW", "n")]));
        assert_eq!(c.delete, ["GONE".to_string(), "OLD".to_string()].into());
        let c = changes(
            &remote,
            &vars(&[("A", "1"), ("B", "2")]),
            Some(&secrets),
            true,
        );
        assert_eq!(c.put_secret, secrets);
        // Nothing differs: nothing is sent.
        let c = changes(&remote[..2], &vars(&[("A", "1"), ("B", "2")]), None, false);
        assert_eq!(c, EnvChanges::default());
    }

    #[test]
    fn state_env_keeps_the_configured_form_of_none() {
        let none: Vec<EnvVar> = vec![var("S", None, true)];
        assert_eq!(state_env(&none, None), None);
        assert_eq!(state_env(&none, Some(&Vars::new())), Some(Vars::new()));
        assert_eq!(
            state_env(&[var("A", Some("1"), false)], None),
            Some(vars(&[("A", "1")]))
        );
    }
}
