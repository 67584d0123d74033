//! Environment variables: plain ones (`env`, kept in state) and secret ones (`secret_env_wo`,
//! write-only: never in plan or state). The platform replaces the whole environment at once
//! and never returns a secret's value, only its digest, which is what Terraform keeps
//! (`secret_env_digests`) to notice a secret changed behind its back.
//!
//! A digest is keyed: hex HMAC-SHA256 of the value under the app's `env_digest_key`, which the
//! platform hands to `app:read` tokens. The key is never written to the state (nor to private
//! state, which lives in the state file too), so a state alone does not let anyone test
//! guesses of a weak secret offline. The provider keeps the keys it has read in memory
//! ([`DigestKeys`]) for the plan to compute the digests of the configured values.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use crate::api::models::{App, Env, EnvVarInput};
use crate::tfplugin::cty::Value;
use crate::tfplugin::diag::{AttributePath, Diagnostics};
use crate::tfplugin::model;
use crate::tfplugin::schema::validators::{self, Custom};

/// Variables by name: plain ones' values, or secret ones' values or digests.
pub(super) type Vars = BTreeMap<String, String>;

/// Most variables an app may have (plain and secret together), per the contract.
pub(super) const MAX_VARIABLES: usize = 100;
/// Longest value, in characters, per the contract.
pub(super) const MAX_VALUE_CHARS: usize = 8192;

/// The contract's EnvVarName: `^[A-Za-z_][A-Za-z0-9_]{0,127}$`.
pub(super) fn is_env_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && (b[0].is_ascii_alphabetic() || b[0] == b'_')
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// Checks the keys of a map of variables (and that no value is null). Never quotes a value:
/// the same validator guards the secret map.
pub(super) fn names_validator() -> Custom {
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
pub(super) fn validate_combined(env: &Value, secrets: &Value) -> Diagnostics {
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

/// The names in `secret_env_wo_rotating`: none when null, None while the set or one of its
/// names is unknown.
pub(super) fn rotating_names(value: &Value) -> Option<BTreeSet<String>> {
    match value {
        Value::Null => Some(BTreeSet::new()),
        Value::Set(names) | Value::List(names) => names
            .iter()
            .map(|name| name.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

/// Every name in `secret_env_wo_rotating` must be a secret of `secret_env_wo` (checked once
/// both are known).
pub(super) fn validate_rotating(secrets: &Value, rotating: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let (Some(rotating), Value::Map(secret)) = (rotating_names(rotating), or_empty(secrets)) else {
        return diags;
    };
    for name in rotating.iter().filter(|n| !secret.contains_key(*n)) {
        diags.attribute_error(
            AttributePath::new("secret_env_wo_rotating"),
            "Rotating name is not a secret",
            format!(
                "{name} is in `secret_env_wo_rotating` but not in `secret_env_wo`. The names \
                 there are those of `secret_env_wo` variables whose values are new on every \
                 run (such as a token of the `comwit_database_token` ephemeral resource): add \
                 {name} to `secret_env_wo`, or remove it from `secret_env_wo_rotating`."
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

/// An app's digest key (raw bytes). Its `Debug` form hides it.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct DigestKey(Arc<[u8]>);

impl DigestKey {
    /// The key from the platform's hex form; None when it is not hex.
    pub(super) fn from_hex(hex: &str) -> Option<DigestKey> {
        hex::decode(hex)
            .ok()
            .filter(|b| !b.is_empty())
            .map(|b| DigestKey(b.into()))
    }

    /// The key of `app`, when the platform sent one.
    pub(super) fn of(app: &App) -> Option<DigestKey> {
        app.env_digest_key
            .as_ref()
            .and_then(|k| DigestKey::from_hex(k.hex()))
    }
}

impl std::fmt::Debug for DigestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DigestKey(..)")
    }
}

/// The digest keys of the apps this provider process has read, by app ID. Memory only: they
/// must never reach the state.
#[derive(Default)]
pub(super) struct DigestKeys(Mutex<HashMap<String, DigestKey>>);

impl DigestKeys {
    pub(super) fn get(&self, app_id: &str) -> Option<DigestKey> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(app_id)
            .cloned()
    }

    /// Keeps the key of `app` (if it came with one) and returns it.
    pub(super) fn remember(&self, app: &App) -> Option<DigestKey> {
        let key = DigestKey::of(app)?;
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(app.app_id.clone(), key.clone());
        Some(key)
    }
}

/// The digest of a value, as the platform computes it: hex HMAC-SHA256 under the app's key.
pub(super) fn digest(key: &DigestKey, value: &str) -> String {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, &key.0);
    hex::encode(aws_lc_rs::hmac::sign(&key, value.as_bytes()).as_ref())
}

/// Whether computing the digests of `secrets` needs the app's key: they are known and there
/// is at least one.
pub(super) fn needs_key(secrets: &Value) -> bool {
    matches!(secrets, Value::Map(m) if !m.is_empty() && !m.values().any(Value::is_unknown))
}

/// The digests of (known) secrets under the app's key, by name.
pub(super) fn digests(secrets: &Vars, key: &DigestKey) -> Vars {
    secrets
        .iter()
        .map(|(name, value)| (name.clone(), digest(key, value)))
        .collect()
}

/// The digests of the configured secrets, as the platform would compute them: a map of name to
/// digest (empty when there are none), or unknown when any value is not known yet or when the
/// app's key is not known (a new app has none yet: known after apply). A value, not a model:
/// the plan writes the unknown.
pub(super) fn planned_digests(secrets: &Value, key: Option<&DigestKey>) -> Value {
    if secrets.contains_unknown() {
        return Value::Unknown;
    }
    // Known now, so the model reads all of it (validation refused null values).
    let Ok(secrets) = model::get::<Option<Vars>>(secrets) else {
        return Value::Unknown;
    };
    let secrets = secrets.unwrap_or_default();
    match key {
        _ if secrets.is_empty() => Value::Map(BTreeMap::new()),
        Some(key) => Value::Map(
            digests(&secrets, key)
                .into_iter()
                .map(|(name, digest)| (name, Value::string(digest)))
                .collect(),
        ),
        None => Value::Unknown,
    }
}

/// Whether any configured secret value is known (its digest can be computed).
pub(super) fn has_known_value(secrets: &Value) -> bool {
    matches!(secrets, Value::Map(m) if m.values().any(|v| !v.is_unknown()))
}

/// The body of a full environment replacement: plain variables, then secret ones.
pub(super) fn replacement<'a>(env: &'a Vars, secrets: &'a Vars) -> Vec<EnvVarInput<'a>> {
    let plain = env.iter().map(|v| (v, false));
    let secret = secrets.iter().map(|v| (v, true));
    plain
        .chain(secret)
        .map(|((name, value), secret)| EnvVarInput {
            name,
            value,
            secret,
        })
        .collect()
}

/// The platform's environment split: plain variables (name → value) and secret ones
/// (name → digest).
pub(super) fn split(remote: &Env) -> (Vars, Vars) {
    let mut plain = Vars::new();
    let mut digests = Vars::new();
    for var in &remote.variables {
        if var.secret {
            digests.insert(var.name.clone(), var.digest.clone());
        } else {
            plain.insert(var.name.clone(), var.value.clone().unwrap_or_default());
        }
    }
    (plain, digests)
}

/// The platform's environment as the state's `env` (plain variables) and
/// `secret_env_digests` (secret name → digest). An environment without plain variables keeps
/// the representation `prior_env` had (null or empty map), so `env = {}` and no `env` at all
/// both plan cleanly.
pub(super) fn state_values(remote: &Env, prior_env: Option<&Vars>) -> (Option<Vars>, Vars) {
    let (plain, digests) = split(remote);
    let env = (!plain.is_empty() || prior_env.is_some()).then_some(plain);
    (env, digests)
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

    fn map(pairs: &[(&str, &str)]) -> Value {
        Value::Map(
            vars(pairs)
                .into_iter()
                .map(|(k, v)| (k, Value::string(v)))
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
    fn digests_are_hmac_sha256_under_the_app_key() {
        // RFC 4231, test case 2: key "Jefe".
        let key = DigestKey::from_hex(&hex::encode("Jefe")).unwrap();
        let d = planned_digests(&map(&[("K", "what do ya want for nothing?")]), Some(&key));
        assert_eq!(
            d,
            map(&[(
                "K",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            )])
        );
        // Not the plain SHA-256 of the value, and another key gives another digest.
        let value = "what do ya want for nothing?";
        assert_ne!(
            digest(&key, value),
            super::super::sha256_hex(value.as_bytes())
        );
        let other = DigestKey::from_hex(&"ab".repeat(32)).unwrap();
        assert_ne!(digest(&key, value), digest(&other, value));
        assert_eq!(digest(&other, value), digest(&other.clone(), value));

        let none = Value::Map(BTreeMap::new());
        assert_eq!(planned_digests(&Value::Null, Some(&key)), none);
        assert_eq!(planned_digests(&Value::Null, None), none);
        assert_eq!(planned_digests(&none, None), none);
        assert!(planned_digests(&Value::Unknown, Some(&key)).is_unknown());
        let partly = Value::Map([("K".to_string(), Value::Unknown)].into());
        assert!(planned_digests(&partly, Some(&key)).is_unknown());
    }

    #[test]
    fn digests_are_unknown_without_the_key() {
        let secrets = map(&[("K", "abc")]);
        assert!(needs_key(&secrets));
        assert!(planned_digests(&secrets, None).is_unknown());
        assert!(!needs_key(&Value::Null));
        assert!(!needs_key(&Value::Map(BTreeMap::new())));
        assert!(!needs_key(&Value::Unknown));
        assert!(!needs_key(&Value::Map(
            [("K".to_string(), Value::Unknown)].into()
        )));
    }

    #[test]
    fn digest_keys_are_remembered_per_app_and_never_printed() {
        let keys = DigestKeys::default();
        let mut app = super::super::test_app("app_1", "prj_1");
        assert_eq!(keys.remember(&app), None);
        assert_eq!(keys.get("app_1"), None);
        app.env_digest_key = Some(crate::api::models::DigestKey::new("00ff"));
        let key = keys.remember(&app).unwrap();
        assert_eq!(keys.get("app_1"), Some(key.clone()));
        assert_eq!(keys.get("app_2"), None);
        assert!(!format!("{key:?}{app:?}").contains("00ff"));
        assert_eq!(DigestKey::from_hex("not hex"), None);
    }

    #[test]
    fn rotating_names_must_be_secrets() {
        let names = |list: &[&str]| Value::Set(list.iter().map(|n| Value::string(*n)).collect());
        let secrets = map(&[("DATABASE_TOKEN", "t"), ("API_KEY", "k")]);
        assert!(validate_rotating(&secrets, &names(&["DATABASE_TOKEN"])).is_empty());
        assert!(validate_rotating(&secrets, &Value::Null).is_empty());
        let d = validate_rotating(&secrets, &names(&["DATABASE_TOKEN", "MISSING"]));
        assert_eq!(d.len(), 1);
        let e = d.iter().next().unwrap();
        assert!(e.detail.contains("MISSING"), "{}", e.detail);
        assert!(!e.detail.contains("DATABASE_TOKEN"), "{}", e.detail);
        assert_eq!(
            e.attribute,
            Some(AttributePath::new("secret_env_wo_rotating"))
        );
        // No secrets at all: every rotating name is wrong.
        assert_eq!(validate_rotating(&Value::Null, &names(&["A"])).len(), 1);
        // Unknown: checked once known; an unknown value does not hide its name.
        assert!(validate_rotating(&Value::Unknown, &names(&["A"])).is_empty());
        assert!(validate_rotating(&secrets, &Value::Unknown).is_empty());
        let ephemeral = Value::Map([("DATABASE_TOKEN".to_string(), Value::Unknown)].into());
        assert!(validate_rotating(&ephemeral, &names(&["DATABASE_TOKEN"])).is_empty());
        assert_eq!(
            rotating_names(&Value::Set(vec![Value::Unknown])),
            None,
            "an unknown name"
        );
    }

    #[test]
    fn replacement_marks_secrets() {
        let env = vars(&[("A", "1")]);
        let secrets = vars(&[("S", "x")]);
        let body = replacement(&env, &secrets);
        assert_eq!(body.len(), 2);
        assert!(!body[0].secret && body[0].name == "A");
        assert!(body[1].secret && body[1].name == "S" && body[1].value == "x");
        assert!(replacement(&Vars::new(), &Vars::new()).is_empty());
    }

    #[test]
    fn state_values_split_plain_and_secret() {
        let var = super::super::test_var;
        let remote = Env {
            variables: vec![var("A", Some("1"), false), var("S", None, true)],
        };
        let (env, digests) = state_values(&remote, None);
        assert_eq!(env, Some(vars(&[("A", "1")])));
        assert_eq!(digests, vars(&[("S", "d-S")]));
        let none = Env { variables: vec![] };
        assert_eq!(state_values(&none, None).0, None);
        assert_eq!(state_values(&none, Some(&Vars::new())).0, Some(Vars::new()));
        assert_eq!(state_values(&none, None).1, Vars::new());
    }
}
