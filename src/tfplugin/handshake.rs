//! go-plugin's start-up contract: the magic cookie, protocol version negotiation, where the
//! socket lives, and the one stdout line that tells the client how to connect.

use std::path::PathBuf;

/// Terraform sets this variable to this value when it launches a provider.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// go-plugin's own protocol version, the first field of the handshake line.
pub const CORE_PROTOCOL_VERSION: u32 = 1;

/// The message printed when someone runs the plugin by hand.
pub fn not_launched_by_terraform(binary: &str) -> String {
    format!(
        "{binary} is a Terraform plugin: Terraform (or OpenTofu) starts it, you do not.\n\
         To use it, declare the provider in a configuration and run `terraform init`.\n\
         To debug it, run `{binary} --debug` and export the TF_REATTACH_PROVIDERS value it prints."
    )
}

/// True when the process was launched by a go-plugin client with the right cookie.
pub fn cookie_present() -> bool {
    std::env::var(MAGIC_COOKIE_KEY).is_ok_and(|v| v == MAGIC_COOKIE_VALUE)
}

/// Picks the highest version both sides speak. `offered` is `PLUGIN_PROTOCOL_VERSIONS`
/// (comma separated); when the client sends none, go-plugin's rule is to use ours.
pub fn negotiate_version(offered: Option<&str>, ours: &[u32]) -> Result<u32, String> {
    let highest_ours = ours.iter().copied().max().ok_or("no protocol versions")?;
    let Some(offered) = offered.filter(|s| !s.trim().is_empty()) else {
        return Ok(highest_ours);
    };
    let mut best = None;
    for part in offered.split(',') {
        let part = part.trim();
        let Ok(v) = part.parse::<u32>() else {
            return Err(format!(
                "PLUGIN_PROTOCOL_VERSIONS holds {part:?}, which is not a version number"
            ));
        };
        if ours.contains(&v) && best.is_none_or(|b| v > b) {
            best = Some(v);
        }
    }
    best.ok_or_else(|| {
        format!(
            "this plugin speaks protocol version(s) {ours:?}, but the client offered {offered}; \
             use a Terraform or OpenTofu release that supports plugin protocol 6"
        )
    })
}

/// A fresh socket path in `PLUGIN_UNIX_SOCKET_DIR`, or the temporary directory.
pub fn socket_path() -> PathBuf {
    let dir = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let mut random = [0u8; 8];
    let _ = aws_lc_rs::rand::fill(&mut random);
    dir.join(format!("plugin{}", hex::encode(random)))
}

/// `CORE|APP|unix|ADDR|grpc|CERT`; CERT is empty when TLS is off.
pub fn handshake_line(app_version: u32, socket: &std::path::Path, cert_field: &str) -> String {
    format!(
        "{CORE_PROTOCOL_VERSION}|{app_version}|unix|{}|grpc|{cert_field}",
        socket.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_highest_common_version() {
        assert_eq!(negotiate_version(Some("5,6"), &[6]), Ok(6));
        assert_eq!(negotiate_version(Some("6"), &[6]), Ok(6));
        assert_eq!(negotiate_version(None, &[6]), Ok(6));
        assert!(negotiate_version(Some("4,5"), &[6])
            .unwrap_err()
            .contains("protocol 6"));
        assert!(negotiate_version(Some("x"), &[6]).is_err());
    }

    #[test]
    fn line_has_six_fields() {
        let line = handshake_line(6, std::path::Path::new("/tmp/plugin1"), "abc");
        assert_eq!(line, "1|6|unix|/tmp/plugin1|grpc|abc");
    }
}
