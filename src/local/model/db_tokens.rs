//! The tokens of the databases' data plane: JWTs signed with Ed25519 (`alg: EdDSA`) under a key
//! made once per data directory and kept there, readable by its owner only. A token names its
//! database and access; whether it is still live (not revoked, not expired) is held by the
//! platform's `database_tokens` table, so that renewing extends it without a new token.

use std::path::Path;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rusqlite::{OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::validate::TokenAccess;
use crate::local::ids;
use crate::local::store::files::write_private;

/// File, in the data directory, of the signing key (PKCS#8, base64).
pub const KEY_FILE: &str = "database-token-key";

/// What a token says about itself.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The token's id (`dbt_...`), the key of its platform row.
    pub jti: String,
    pub database_id: String,
    /// `full_access` or `read_only`.
    pub access: String,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    typ: String,
}

/// The signing key of one data directory.
pub struct Signer {
    pair: Ed25519KeyPair,
}

impl Signer {
    /// The signer of `data_dir`: its key file read, or made (0600) on the first start.
    pub fn open(data_dir: &Path) -> Result<Signer, String> {
        Signer::load_or_create(&data_dir.join(KEY_FILE))
    }

    fn load_or_create(path: &Path) -> Result<Signer, String> {
        let pkcs8 = match std::fs::read_to_string(path) {
            Ok(text) => STANDARD
                .decode(text.trim())
                .map_err(|e| format!("{} is not base64: {e}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
                    .map_err(|_| "cannot generate the database token key".to_string())?;
                let text = format!("{}\n", STANDARD.encode(doc.as_ref()));
                write_private(path, &text)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                doc.as_ref().to_vec()
            }
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8)
            .map_err(|e| format!("{} holds no Ed25519 key: {e}", path.display()))?;
        Ok(Signer { pair })
    }

    /// The JWT of `claims`.
    pub fn sign(&self, claims: &Claims) -> String {
        let header = Header {
            alg: "EdDSA".into(),
            typ: "JWT".into(),
        };
        let part = |json: serde_json::Result<Vec<u8>>| {
            URL_SAFE_NO_PAD.encode(json.expect("a token's parts serialize"))
        };
        let signed = format!(
            "{}.{}",
            part(serde_json::to_vec(&header)),
            part(serde_json::to_vec(claims))
        );
        let sig = self.pair.sign(signed.as_bytes());
        format!("{signed}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
    }

    /// The claims of `jwt` if this key signed it.
    pub fn verify(&self, jwt: &str) -> Result<Claims, &'static str> {
        const MALFORMED: &str = "the token is not a database token (a JWT from the platform)";
        let mut parts = jwt.split('.');
        let (Some(h), Some(c), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(MALFORMED);
        };
        let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).map_err(|_| MALFORMED);
        let header: Header = serde_json::from_slice(&decode(h)?).map_err(|_| MALFORMED)?;
        if header.alg != "EdDSA" {
            return Err("the token is not signed with EdDSA");
        }
        let public = UnparsedPublicKey::new(&signature::ED25519, self.pair.public_key().as_ref());
        let signed = &jwt[..h.len() + 1 + c.len()];
        public
            .verify(signed.as_bytes(), &decode(s)?)
            .map_err(|_| "the token's signature does not verify")?;
        serde_json::from_slice(&decode(c)?).map_err(|_| MALFORMED)
    }
}

/// A live token's rights on the data plane.
#[derive(Debug, Clone)]
pub struct Grant {
    pub token_id: String,
    pub database_id: String,
    pub access: TokenAccess,
}

/// The rights `jwt` gives now, or why it gives none (the message of a 401).
pub fn check(tx: &Transaction<'_>, signer: &Signer, jwt: &str) -> Result<Grant, String> {
    let claims = signer.verify(jwt)?;
    let row: Option<(String, String, i64)> = tx
        .query_row(
            "SELECT database_id, access, expires_at_ms FROM database_tokens WHERE token_id = ?1",
            [&claims.jti],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()
        .map_err(|e| format!("cannot read the token: {e}"))?;
    let Some((database_id, access, expires_at_ms)) = row else {
        return Err(format!(
            "token {} was revoked (or its database deleted)",
            claims.jti
        ));
    };
    if database_id != claims.database_id {
        return Err("the token does not belong to its database".into());
    }
    if ids::now_ms() >= expires_at_ms {
        return Err(format!(
            "token {} expired at {}; renew it or make a new one",
            claims.jti,
            ids::rfc3339(expires_at_ms)
        ));
    }
    let access = TokenAccess::parse(&access).ok_or("the token's access is unknown")?;
    Ok(Grant {
        token_id: claims.jti,
        database_id,
        access,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_under_their_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        let s = Signer::open(dir.path()).unwrap();
        let claims = Claims {
            jti: "dbt_0123456789abcdef".into(),
            database_id: "db_0123456789abcdef".into(),
            access: "read_only".into(),
            iat: 1,
        };
        let jwt = s.sign(&claims);
        assert_eq!(jwt.split('.').count(), 3);
        assert_eq!(s.verify(&jwt).unwrap(), claims);
        // The key is kept: a signer loaded again from the file verifies the same token.
        let again = Signer::load_or_create(&dir.path().join(KEY_FILE)).unwrap();
        assert_eq!(again.verify(&jwt).unwrap(), claims);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions();
            assert_eq!(mode.mode() & 0o777, 0o600);
        }
        assert!(Signer::open(other.path()).unwrap().verify(&jwt).is_err());
        let mut parts: Vec<&str> = jwt.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&Claims {
                access: "full_access".into(),
                ..claims
            })
            .unwrap(),
        );
        parts[1] = &forged;
        assert!(s.verify(&parts.join(".")).is_err());
        assert!(s.verify("not.a.jwt").is_err());
        assert!(s.verify("").is_err());
    }
}
