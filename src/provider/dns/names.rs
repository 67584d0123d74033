//! Hostnames, domains and record names: plan-time validation that says exactly what is wrong,
//! and the normalisation that lets `www`, `WWW`, `www.example.com` and `www.example.com.` name
//! the same record without a perpetual diff.

/// The platform's own app domain: custom hostnames and domains may not be under it.
pub const APPS_DOMAIN: &str = "comwit.app";

/// Longest app hostname, so that `_cf-challenge.<hostname>` fits in 253 characters.
pub const MAX_APP_HOSTNAME: usize = 235;

/// Longest domain or full record name.
pub const MAX_FQDN: usize = 253;

/// The prefix of the ownership TXT record's name.
pub const CHALLENGE_PREFIX: &str = "_cf-challenge.";

/// What is wrong with `s` as a hostname or domain the platform accepts (lowercase, two or more
/// labels of `a-z 0-9 -`, the last starting with a letter, at most `max` characters), in words
/// that say how to fix it; `None` when it is fine.
pub fn hostname_problem(s: &str, max: usize) -> Option<String> {
    if s.is_empty() {
        return Some("it is empty".into());
    }
    if let Some(stripped) = s.strip_suffix('.') {
        return Some(format!(
            "it ends with a dot; write it without the trailing dot: {:?}",
            stripped.to_ascii_lowercase()
        ));
    }
    if s.bytes().any(|c| c.is_ascii_uppercase()) {
        return Some(format!(
            "it has uppercase letters; write it in lowercase: {:?}",
            s.to_ascii_lowercase()
        ));
    }
    if let Some(bad) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.'))
    {
        return Some(format!(
            "it contains {bad:?}; only lowercase letters, digits, hyphens and dots are allowed \
             (internationalised names must be given in their xn-- form)"
        ));
    }
    if s.len() > max {
        return Some(format!(
            "it is {} characters long; at most {max} are allowed",
            s.len()
        ));
    }
    let labels: Vec<&str> = s.split('.').collect();
    if labels.len() < 2 {
        return Some("it needs at least two labels, like \"example.com\"".into());
    }
    for label in &labels {
        if label.is_empty() {
            return Some("it has an empty label (two dots in a row, or a leading dot)".into());
        }
        if label.len() > 63 {
            return Some(format!(
                "the label {label:?} is {} characters long; at most 63 are allowed",
                label.len()
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some(format!("the label {label:?} starts or ends with a hyphen"));
        }
    }
    let last = labels[labels.len() - 1];
    if !last.as_bytes()[0].is_ascii_lowercase() {
        return Some(format!("the last label {last:?} must start with a letter"));
    }
    None
}

/// Like [`hostname_problem`], also refusing names under the platform's app domain.
pub fn custom_hostname_problem(s: &str, max: usize) -> Option<String> {
    hostname_problem(s, max).or_else(|| {
        is_within(s, APPS_DOMAIN).then(|| {
            format!("names under {APPS_DOMAIN} belong to the platform and cannot be attached")
        })
    })
}

/// Whether `host` is `zone` or a name below it (on a label boundary).
pub fn is_within(host: &str, zone: &str) -> bool {
    host == zone
        || (host.len() > zone.len()
            && host.ends_with(zone)
            && host.as_bytes()[host.len() - zone.len() - 1] == b'.')
}

/// The form compared and sent to the platform: lowercase, without a trailing dot.
pub fn fold(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// One label of a record name: `a-z 0-9 - _`, not starting or ending with `-`.
fn is_record_label(label: &str) -> bool {
    let b = label.as_bytes();
    let edge = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_';
    !b.is_empty()
        && b.len() <= 63
        && edge(b[0])
        && edge(b[b.len() - 1])
        && b.iter().all(|&c| edge(c) || c == b'-')
}

/// The full name of a record named `name` in the zone `domain`. `name` may be relative
/// (`www`), `@` for the apex, or full (`www.example.com`), in any letter case and with or
/// without a trailing dot; a leading `*` label makes a wildcard. Errors say what is wrong.
pub fn full_record_name(name: &str, domain: &str) -> Result<String, String> {
    let folded = fold(name);
    if folded.is_empty() {
        return Err("the name is empty; use \"@\" for the zone apex".into());
    }
    let full = if folded == "@" {
        domain.to_string()
    } else if is_within(&folded, domain) {
        folded
    } else {
        format!("{folded}.{domain}")
    };
    if full.len() > MAX_FQDN {
        return Err(format!(
            "the full name {full:?} is {} characters long; at most {MAX_FQDN} are allowed",
            full.len()
        ));
    }
    let own = relative_record_name(&full, domain);
    if own != "@" {
        let rest = own.strip_prefix("*.").unwrap_or(&own);
        if own != "*" {
            if let Some(bad) = rest.split('.').find(|l| !is_record_label(l)) {
                return Err(format!(
                    "the label {bad:?} is not valid: labels hold lowercase letters, digits, \
                     hyphens and underscores (not starting or ending with a hyphen), at most \
                     63 characters; only the first label may be \"*\""
                ));
            }
        }
    }
    Ok(full)
}

/// The name of `full` relative to `domain`: `@` for the apex, else the labels before it.
pub fn relative_record_name(full: &str, domain: &str) -> String {
    if full == domain {
        "@".to_string()
    } else if is_within(full, domain) {
        full[..full.len() - domain.len() - 1].to_string()
    } else {
        full.to_string()
    }
}

/// Whether two spellings of a record name mean the same record in `domain`.
pub fn same_record_name(a: &str, b: &str, domain: &str) -> bool {
    match (full_record_name(a, domain), full_record_name(b, domain)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The routing record type of `hostname`: `A` at a zone apex (exactly two labels, or equal to
/// an onboarded domain), `CNAME` elsewhere. `domains` are the onboarded domains known to be
/// relevant (the Automatic DNS domain, the project's domains); `None` when they could not be
/// listed and the hostname has more than two labels, since then the type cannot be known.
pub fn routing_type(hostname: &str, domains: Option<&[String]>) -> Option<&'static str> {
    if hostname.split('.').count() == 2 {
        return Some("A");
    }
    let domains = domains?;
    Some(if domains.iter().any(|d| d == hostname) {
        "A"
    } else {
        "CNAME"
    })
}

/// The name of the ownership TXT record of `hostname`.
pub fn challenge_name(hostname: &str) -> String {
    format!("{CHALLENGE_PREFIX}{hostname}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames() {
        assert_eq!(hostname_problem("www.example.com", 235), None);
        assert_eq!(hostname_problem("a-1.b2.example", 235), None);
        let cases = [
            ("", "empty"),
            (
                "www.example.com.",
                "without the trailing dot: \"www.example.com\"",
            ),
            ("WWW.Example.com", "lowercase: \"www.example.com\""),
            ("www_x.example.com", "contains '_'"),
            ("bücher.example", "xn--"),
            ("localhost", "two labels"),
            ("a..b", "empty label"),
            (".a.b", "empty label"),
            ("-a.example.com", "hyphen"),
            ("a-.example.com", "hyphen"),
            ("example.1com", "start with a letter"),
        ];
        for (input, want) in cases {
            let got = hostname_problem(input, 235).unwrap_or_default();
            assert!(
                got.contains(want),
                "{input:?}: {got:?} should contain {want:?}"
            );
        }
        let long_label = format!("{}.example.com", "a".repeat(64));
        assert!(hostname_problem(&long_label, 235).unwrap().contains("63"));
        let long = format!("{}.example.com", vec!["a".repeat(60); 4].join("."));
        assert!(long.len() > 235);
        assert!(hostname_problem(&long, 235)
            .unwrap()
            .contains("at most 235"));
        assert!(custom_hostname_problem("web.comwit.app", 235)
            .unwrap()
            .contains("belong to the platform"));
        assert_eq!(custom_hostname_problem("comwit.application.io", 235), None);
    }

    #[test]
    fn within() {
        assert!(is_within("www.example.com", "example.com"));
        assert!(is_within("example.com", "example.com"));
        assert!(!is_within("badexample.com", "example.com"));
        assert!(!is_within("example.com", "www.example.com"));
    }

    #[test]
    fn record_names_normalise_to_one_full_name() {
        let d = "example.com";
        for spelling in [
            "www",
            "WWW",
            "www.example.com",
            "www.example.com.",
            "WWW.EXAMPLE.COM.",
        ] {
            assert_eq!(
                full_record_name(spelling, d).unwrap(),
                "www.example.com",
                "{spelling}"
            );
        }
        for apex in ["@", "example.com", "Example.COM."] {
            assert_eq!(full_record_name(apex, d).unwrap(), "example.com", "{apex}");
        }
        assert_eq!(full_record_name("*.dev", d).unwrap(), "*.dev.example.com");
        assert_eq!(full_record_name("*", d).unwrap(), "*.example.com");
        assert_eq!(full_record_name("_dmarc", d).unwrap(), "_dmarc.example.com");
        assert!(full_record_name("", d).is_err());
        assert!(full_record_name(".", d).is_err());
        assert!(full_record_name("a b", d).unwrap_err().contains("\"a b\""));
        assert!(full_record_name("x.*.y", d).is_err());
        assert!(full_record_name("-x", d).is_err());
        assert!(full_record_name(&"a.".repeat(130), d)
            .unwrap_err()
            .contains("at most 253"));
        assert!(same_record_name("WWW", "www.example.com.", d));
        assert!(!same_record_name("www", "api", d));
    }

    #[test]
    fn relative_names() {
        assert_eq!(relative_record_name("example.com", "example.com"), "@");
        assert_eq!(
            relative_record_name("a.b.example.com", "example.com"),
            "a.b"
        );
        assert_eq!(
            relative_record_name("other.org", "example.com"),
            "other.org"
        );
    }

    #[test]
    fn routing_types() {
        assert_eq!(routing_type("example.com", None), Some("A"));
        assert_eq!(routing_type("www.example.com", None), None);
        let domains = vec!["shop.example.com".to_string()];
        assert_eq!(routing_type("shop.example.com", Some(&domains)), Some("A"));
        assert_eq!(
            routing_type("www.shop.example.com", Some(&domains)),
            Some("CNAME")
        );
        assert_eq!(routing_type("www.example.com", Some(&[])), Some("CNAME"));
        assert_eq!(challenge_name("x.io"), "_cf-challenge.x.io");
    }
}
