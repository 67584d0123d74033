//! The package a deploy uploads: a zstd-compressed tar of a brrrd build folder (what
//! `tar --zstd -cf app.tar.zst -C dist/brrrd .` makes: entries `./`, `./manifest.json`,
//! `./static/...`), packed from `source_dir`, or a prebuilt `.tar.zst` file (`package`).
//!
//! A packed folder is byte-for-byte reproducible: its SHA-256 is computed at plan time to tell
//! whether the code changed, and again at apply time to check that what is deployed is what was
//! planned. Entries are sorted by path, every header has mtime 0, uid/gid 0, no user or group
//! names and a normalised mode (0755 for directories and executables, 0644 for other files),
//! and the zstd frame is made at a fixed level.

use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The zstd level of packed folders (the `zstd` tool's default).
const LEVEL: i32 = 3;
/// Largest manifest read at plan.
const MAX_MANIFEST_BYTES: u64 = 8 << 20;

/// A package to upload.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The `.tar.zst` bytes.
    pub bytes: Vec<u8>,
    /// Hex SHA-256 of `bytes`.
    pub sha256: String,
    /// Regular files in it.
    pub files: usize,
}

/// Why a folder or a package cannot be deployed; the text is meant for the practitioner.
#[derive(Debug)]
pub enum PackError {
    NotFound(PathBuf),
    NotADirectory(PathBuf),
    Unreadable(PathBuf, io::Error),
    /// A socket, FIFO, device... which a package cannot carry.
    UnsupportedEntry(PathBuf),
    NonUtf8Name(PathBuf),
    /// No `manifest.json` at the root of the build folder (or package).
    NoManifest(PathBuf),
    /// `manifest.json` is there but not a brrrd manifest.
    BadManifest(PathBuf, String),
    /// A `package` that is not a zstd-compressed tar.
    BadPackage(PathBuf, String),
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackError::NotFound(p) => write!(f, "{} does not exist", p.display()),
            PackError::NotADirectory(p) => write!(f, "{} is not a directory", p.display()),
            PackError::Unreadable(p, e) => write!(f, "cannot read {}: {e}", p.display()),
            PackError::UnsupportedEntry(p) => write!(
                f,
                "{} is neither a regular file, a directory nor a symbolic link, so it cannot \
                 be part of a package",
                p.display()
            ),
            PackError::NonUtf8Name(p) => {
                write!(f, "the name of {} is not valid UTF-8", p.display())
            }
            PackError::NoManifest(p) => write!(
                f,
                "{} has no manifest.json at its root: the platform deploys a brrrd build \
                 folder (what `@brrrd/adapter` writes to dist/brrrd), whose manifest.json \
                 describes its routes",
                p.display()
            ),
            PackError::BadManifest(p, why) => write!(
                f,
                "the manifest.json of {} is not a brrrd manifest: {why}",
                p.display()
            ),
            PackError::BadPackage(p, why) => write!(
                f,
                "{} is not a zstd-compressed tar of a brrrd build (`tar --zstd -cf app.tar.zst \
                 -C dist/brrrd .`): {why}",
                p.display()
            ),
        }
    }
}

/// Checks a manifest's text: JSON, an object with `schemaVersion` and a `routes` list.
pub fn check_manifest(text: &[u8]) -> Result<(), String> {
    let value: serde_json::Value =
        serde_json::from_slice(text).map_err(|e| format!("it is not valid JSON ({e})"))?;
    let Some(o) = value.as_object() else {
        return Err("it is not a JSON object".into());
    };
    if !o.contains_key("schemaVersion") {
        return Err("it has no `schemaVersion`".into());
    }
    match o.get("routes") {
        Some(serde_json::Value::Array(_)) => Ok(()),
        Some(_) => Err("`routes` is not a list".into()),
        None => Err("it has no `routes`".into()),
    }
}

/// Packs the build folder `dir` into a reproducible `.tar.zst`, after checking its manifest.
pub fn pack(dir: &Path) -> Result<Bundle, PackError> {
    let meta = match std::fs::metadata(dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(PackError::NotFound(dir.to_path_buf()))
        }
        Err(e) => return Err(PackError::Unreadable(dir.to_path_buf(), e)),
    };
    if !meta.is_dir() {
        return Err(PackError::NotADirectory(dir.to_path_buf()));
    }
    let manifest_path = dir.join("manifest.json");
    let manifest = match std::fs::read(&manifest_path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(PackError::NoManifest(dir.to_path_buf()))
        }
        Err(e) => return Err(PackError::Unreadable(manifest_path, e)),
    };
    check_manifest(&manifest).map_err(|why| PackError::BadManifest(dir.to_path_buf(), why))?;

    let mut tar = tar::Builder::new(Vec::new());
    let mut files = 0;
    let unreadable = |e: io::Error| PackError::Unreadable(dir.to_path_buf(), e);
    let mut root = header(tar::EntryType::Directory, 0o755, 0);
    append_named(&mut tar, &mut root, "./", io::empty()).map_err(unreadable)?;
    append_dir_contents(&mut tar, dir, "./", &mut files)?;
    let tar_bytes = tar.into_inner().map_err(unreadable)?;
    let mut enc = zstd::stream::Encoder::new(Vec::new(), LEVEL).map_err(unreadable)?;
    enc.write_all(&tar_bytes).map_err(unreadable)?;
    let bytes = enc.finish().map_err(unreadable)?;
    let sha256 = super::sha256_hex(&bytes);
    Ok(Bundle {
        bytes,
        sha256,
        files,
    })
}

/// Reads a prebuilt package and checks it: zstd, a tar, with a root `manifest.json` that is a
/// brrrd manifest.
pub fn read_package(path: &Path) -> Result<Bundle, PackError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(PackError::NotFound(path.to_path_buf()))
        }
        Err(e) => return Err(PackError::Unreadable(path.to_path_buf(), e)),
    };
    let bad = |why: String| PackError::BadPackage(path.to_path_buf(), why);
    let dec = zstd::stream::Decoder::new(&bytes[..]).map_err(|e| bad(e.to_string()))?;
    let mut archive = tar::Archive::new(dec);
    let mut files = 0;
    let mut manifest = None;
    for entry in archive.entries().map_err(|e| bad(e.to_string()))? {
        let mut entry = entry.map_err(|e| bad(e.to_string()))?;
        let name = entry
            .path()
            .map_err(|e| bad(e.to_string()))?
            .to_string_lossy()
            .into_owned();
        if entry.header().entry_type().is_file() {
            files += 1;
            if name.trim_start_matches("./") == "manifest.json" {
                let mut text = Vec::new();
                (&mut entry)
                    .take(MAX_MANIFEST_BYTES)
                    .read_to_end(&mut text)
                    .map_err(|e| bad(e.to_string()))?;
                manifest = Some(text);
                continue;
            }
        }
        io::copy(&mut entry, &mut io::sink()).map_err(|e| bad(e.to_string()))?;
    }
    let Some(manifest) = manifest else {
        return Err(PackError::NoManifest(path.to_path_buf()));
    };
    check_manifest(&manifest).map_err(|why| PackError::BadManifest(path.to_path_buf(), why))?;
    let sha256 = super::sha256_hex(&bytes);
    Ok(Bundle {
        bytes,
        sha256,
        files,
    })
}

/// A header with every varying field fixed.
fn header(entry_type: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(entry_type);
    h.set_mode(mode);
    h.set_size(size);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    // Empty names cannot fail to fit.
    let _ = h.set_username("");
    let _ = h.set_groupname("");
    h
}

/// Appends one entry named exactly `name` (`./static/index`, as `tar -C dir .` writes it:
/// the tar crate's own path setter drops the `./`). Names longer than the header's 100 bytes
/// go through the crate's setter, which writes a GNU long-name entry (without the `./`).
fn append_named<W: Write, R: Read>(
    tar: &mut tar::Builder<W>,
    h: &mut tar::Header,
    name: &str,
    data: R,
) -> io::Result<()> {
    if name.len() <= 100 {
        let raw = &mut h.as_old_mut().name;
        raw.fill(0);
        raw[..name.len()].copy_from_slice(name.as_bytes());
        h.set_cksum();
        tar.append(h, data)
    } else {
        tar.append_data(h, name, data)
    }
}

/// Appends the entries under `dir` (whose archive path is `prefix`), sorted by name.
fn append_dir_contents<W: Write>(
    tar: &mut tar::Builder<W>,
    dir: &Path,
    prefix: &str,
    files: &mut usize,
) -> Result<(), PackError> {
    let unreadable = |p: &Path, e: io::Error| PackError::Unreadable(p.to_path_buf(), e);
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| unreadable(dir, e))? {
        let entry = entry.map_err(|e| unreadable(dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(PackError::NonUtf8Name(entry.path()));
        };
        names.push(name.to_string());
    }
    // Byte order, not locale order, so every machine agrees.
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let archive_path = format!("{prefix}{name}");
        let meta = std::fs::symlink_metadata(&path).map_err(|e| unreadable(&path, e))?;
        let file_type = meta.file_type();
        let result = if file_type.is_dir() {
            let mut h = header(tar::EntryType::Directory, 0o755, 0);
            append_named(tar, &mut h, &format!("{archive_path}/"), io::empty())
                .map_err(|e| unreadable(&path, e))?;
            append_dir_contents(tar, &path, &format!("{archive_path}/"), files)?;
            Ok(())
        } else if file_type.is_file() {
            let mode = if is_executable(&meta) { 0o755 } else { 0o644 };
            let file = std::fs::File::open(&path).map_err(|e| unreadable(&path, e))?;
            let mut h = header(tar::EntryType::Regular, mode, meta.len());
            *files += 1;
            append_named(tar, &mut h, &archive_path, file)
        } else if file_type.is_symlink() {
            let target = std::fs::read_link(&path).map_err(|e| unreadable(&path, e))?;
            let mut h = header(tar::EntryType::Symlink, 0o777, 0);
            tar.append_link(&mut h, &archive_path, target)
        } else {
            return Err(PackError::UnsupportedEntry(path));
        };
        result.map_err(|e| unreadable(&path, e))?;
    }
    Ok(())
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::time::{Duration, SystemTime};

    const MANIFEST: &str = r#"{"schemaVersion":6,"staticDir":"static","routes":[{"id":"/","pattern":"^/$","type":"static","file":"index"}]}"#;

    fn write_file(path: &Path, content: &str, mtime: SystemTime) {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(path, content).unwrap();
        let f = fs::File::options().write(true).open(path).unwrap();
        f.set_modified(mtime).unwrap();
    }

    fn entries(bytes: &[u8]) -> Vec<(String, u32, u64, u64)> {
        let mut archive = tar::Archive::new(zstd::stream::Decoder::new(bytes).unwrap());
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let h = e.header();
                (
                    e.path().unwrap().display().to_string(),
                    h.mode().unwrap(),
                    h.mtime().unwrap(),
                    h.uid().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn same_content_gives_same_bytes_whatever_the_order_and_times() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let new = SystemTime::now();
        write_file(&a.path().join("manifest.json"), MANIFEST, old);
        write_file(&a.path().join("static/index"), "<h1>hi</h1>", old);
        write_file(&a.path().join("static/about"), "about", old);
        write_file(&b.path().join("static/about"), "about", new);
        write_file(&b.path().join("static/index"), "<h1>hi</h1>", new);
        write_file(&b.path().join("manifest.json"), MANIFEST, new);
        let pa = pack(a.path()).unwrap();
        let pb = pack(b.path()).unwrap();
        assert_eq!(pa.bytes, pb.bytes);
        assert_eq!(pa.sha256, crate::provider::apps::sha256_hex(&pa.bytes));
        assert_eq!(pa.files, 3);
        // A zstd frame.
        assert_eq!(&pa.bytes[..4], &[0x28, 0xb5, 0x2f, 0xfd]);
        let list = entries(&pa.bytes);
        let names: Vec<&str> = list.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "./",
                "./manifest.json",
                "./static/",
                "./static/about",
                "./static/index"
            ]
        );
        assert!(list.iter().all(|e| e.2 == 0 && e.3 == 0));
        // What the platform's packer reads back, as a prebuilt package too.
        let file = a.path().join("app.tar.zst");
        fs::write(&file, &pa.bytes).unwrap();
        assert_eq!(read_package(&file).unwrap().sha256, pa.sha256);
    }

    #[test]
    fn a_changed_file_changes_the_sha() {
        let a = tempfile::tempdir().unwrap();
        let t = SystemTime::now();
        write_file(&a.path().join("manifest.json"), MANIFEST, t);
        write_file(&a.path().join("static/index"), "v1", t);
        let first = pack(a.path()).unwrap();
        write_file(&a.path().join("static/index"), "v2", t);
        assert_ne!(first.sha256, pack(a.path()).unwrap().sha256);
    }

    #[test]
    fn folders_without_a_brrrd_manifest_are_explained() {
        let a = tempfile::tempdir().unwrap();
        let e = pack(&a.path().join("nope")).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        write_file(&a.path().join("index.html"), "x", SystemTime::now());
        let e = pack(a.path()).unwrap_err();
        assert!(matches!(e, PackError::NoManifest(_)), "{e}");
        for (text, why) in [
            ("{", "not valid JSON"),
            ("[]", "not a JSON object"),
            (r#"{"routes":[]}"#, "schemaVersion"),
            (r#"{"schemaVersion":6}"#, "no `routes`"),
        ] {
            write_file(&a.path().join("manifest.json"), text, SystemTime::now());
            let e = pack(a.path()).unwrap_err().to_string();
            assert!(e.contains(why), "{text}: {e}");
        }
        let gz = a.path().join("site.tar.gz");
        fs::write(&gz, b"\x1f\x8b\x08\x00 not zstd").unwrap();
        let e = read_package(&gz).unwrap_err();
        assert!(matches!(e, PackError::BadPackage(..)), "{e}");
    }

    #[test]
    fn comwit_local_accepts_the_package() {
        let a = tempfile::tempdir().unwrap();
        write_file(&a.path().join("manifest.json"), MANIFEST, SystemTime::now());
        write_file(&a.path().join("static/index"), "hi", SystemTime::now());
        let bundle = pack(a.path()).unwrap();
        crate::local::model::deploys::check_package(&bundle.bytes).expect("valid package");
    }
}
