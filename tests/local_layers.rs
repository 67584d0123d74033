//! comwit-local's layers read one way (see `src/local/mod.rs`): each module uses only the
//! layers below its own, a front (the API handlers, the data planes, DNS, the operator's
//! commands) stands on the model without leaning on another front, and comwit-local and the
//! provider share no code (so that client and emulator cannot agree by construction). Tests
//! are exempt: a test of a layer may drive it through any other.
//!
//! The check reads the sources: every path that starts at `crate::`, `super::` or `self::` in a
//! file's code (comments and everything from its first `#[cfg(test)]` on left out) is resolved
//! to the module it names.

use std::path::{Path, PathBuf};

/// The layers, lowest first: a module may use its own layer and those before it.
const LAYERS: &[(&str, &[&str])] = &[
    ("base", &["error", "ids", "contract"]),
    ("store", &["store"]),
    ("model", &["model"]),
    (
        "fronts",
        &["http", "hrana", "apps_http", "dns_server", "s3", "admin"],
    ),
    ("server", &[""]),
    ("command", &["cli"]),
];

/// The layer of a module of comwit-local, by its first segment below `local` ("" for
/// `local` itself).
fn layer(top: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, mods)| mods.contains(&top))
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file below `src` (`["local", "model", "apps"]`).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// A file's code: without comments, and without its tests.
fn code_of(text: &str) -> String {
    let cut = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..cut]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every absolute module path (below the crate) that `code`, in module `module`, names.
fn references(module: &[String], code: &str) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts_word = i == 0 || !ident(bytes[i - 1]) && bytes[i - 1] != b':';
        if !code.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let rest = &code[i..];
        let (mut base, mut j): (Vec<String>, usize) = if !starts_word {
            i += 1;
            continue;
        } else if rest.starts_with("crate::") {
            (Vec::new(), i + "crate::".len())
        } else if rest.starts_with("self::") {
            (module.to_vec(), i + "self::".len())
        } else if rest.starts_with("super::") {
            let mut base = module.to_vec();
            let mut j = i;
            while code[j..].starts_with("super::") {
                base.pop();
                j += "super::".len();
            }
            (base, j)
        } else {
            i += 1;
            continue;
        };
        // Segments up to a brace group or the end of the path.
        loop {
            let start = j;
            while j < bytes.len() && ident(bytes[j]) {
                j += 1;
            }
            if j == start {
                break;
            }
            base.push(code[start..j].to_string());
            if code[j..].starts_with("::") {
                j += 2;
            } else {
                break;
            }
        }
        if code[j..].starts_with('{') {
            // `path::{a, b::c, self}`: each item's first segment.
            let end = code[j..].find('}').map_or(bytes.len(), |e| j + e);
            for item in code[j + 1..end].split(',') {
                let first: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if first.is_empty() || first == "self" {
                    found.push(base.clone());
                } else {
                    let mut path = base.clone();
                    path.push(first);
                    found.push(path);
                }
            }
            j = end;
        } else {
            found.push(base);
        }
        i = j.max(i + 1);
    }
    found
}

#[test]
fn comwit_local_layers_read_one_way_and_share_nothing_with_the_provider() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    // `local`'s own modules; any other name below it is an item of `local` itself (`serve`).
    let children: Vec<String> = files
        .iter()
        .filter_map(|f| module_of(&src, f).get(1).cloned())
        .collect();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for file in &files {
        let module = module_of(&src, file);
        let code = code_of(&std::fs::read_to_string(file).unwrap());
        let name = file.strip_prefix(&src).unwrap().display().to_string();
        let in_local = module.first().is_some_and(|m| m == "local");
        for target in references(&module, &code) {
            let to_local = target.first().is_some_and(|m| m == "local");
            let top = |m: &[String]| {
                m.get(1)
                    .filter(|c| children.contains(c))
                    .cloned()
                    .unwrap_or_default()
            };
            match (in_local, to_local) {
                (true, true) => {
                    let (from, to) = (top(&module), top(&target));
                    let (Some(lf), Some(lt)) = (layer(&from), layer(&to)) else {
                        wrong.push(format!(
                            "{name}: local::{from} or local::{to} has no layer in LAYERS"
                        ));
                        continue;
                    };
                    checked += 1;
                    if lt > lf {
                        wrong.push(format!(
                            "{name}: the {} layer uses local::{} of the {} layer above it",
                            LAYERS[lf].0,
                            target[1..].join("::"),
                            LAYERS[lt].0
                        ));
                    } else if lf == lt && LAYERS[lf].0 == "fronts" && from != to {
                        wrong.push(format!(
                            "{name}: the front local::{from} uses another front, local::{}",
                            target[1..].join("::")
                        ));
                    }
                }
                (true, false) => {
                    let other = target.first().cloned().unwrap_or_default();
                    if other == "api" || other == "provider" {
                        wrong.push(format!(
                            "{name}: comwit-local uses the provider's crate::{}",
                            target.join("::")
                        ));
                    }
                }
                (false, true) => wrong.push(format!(
                    "{name}: outside comwit-local, uses crate::{}",
                    target.join("::")
                )),
                (false, false) => {}
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} references inside comwit-local were found: the scan is broken"
    );
    assert!(
        wrong.is_empty(),
        "layering broken:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn the_scan_resolves_super_self_crate_and_brace_groups() {
    let module: Vec<String> = ["local", "model", "apps"].map(String::from).to_vec();
    let code = "use super::{deploys::x, idempotency};\nuse crate::local::store::files;\n\
                let a = super::super::http::call::Call; self::inner::f(); xsuper::nope;";
    let refs: Vec<String> = references(&module, code)
        .into_iter()
        .map(|p| p.join("::"))
        .collect();
    assert_eq!(
        refs,
        [
            "local::model::deploys",
            "local::model::idempotency",
            "local::store::files",
            "local::http::call::Call",
            "local::model::apps::inner::f",
        ]
    );
    assert_eq!(code_of("a\n// crate::x\n#[cfg(test)]\nuse crate::y;"), "a");
}
