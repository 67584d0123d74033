//! Packs an app's source directory into the tar.gz bundle a deploy uploads.
//!
//! The bundle must be byte-for-byte reproducible: its SHA-256 is computed at plan time to tell
//! whether the code changed, and again at apply time to check that what is deployed is what was
//! planned. So nothing that varies between checkouts or machines may reach the bytes: entries
//! are sorted by path, every header has mtime 0, uid/gid 0, no user or group names and a
//! normalised mode (0755 for directories and executables, 0644 for other files), and the gzip
//! header carries no file name, no mtime and a fixed OS byte.

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use flate2::{Compression, GzBuilder};

/// A packed source directory.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The tar.gz bytes to upload.
    pub bytes: Vec<u8>,
    /// Hex SHA-256 of `bytes`: what the platform reports as the build's `source_sha256`.
    pub sha256: String,
    /// Regular files packed.
    pub files: usize,
}

/// Why a directory could not be packed; the text is meant for the practitioner.
#[derive(Debug)]
pub enum PackError {
    NotFound(PathBuf),
    NotADirectory(PathBuf),
    Unreadable(PathBuf, io::Error),
    /// A socket, FIFO, device... which a bundle cannot carry.
    UnsupportedEntry(PathBuf),
    NonUtf8Name(PathBuf),
    NoFiles(PathBuf),
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackError::NotFound(p) => write!(f, "the directory {} does not exist", p.display()),
            PackError::NotADirectory(p) => {
                write!(f, "{} is not a directory", p.display())
            }
            PackError::Unreadable(p, e) => write!(f, "cannot read {}: {e}", p.display()),
            PackError::UnsupportedEntry(p) => write!(
                f,
                "{} is neither a regular file, a directory nor a symbolic link, so it cannot \
                 be part of a bundle",
                p.display()
            ),
            PackError::NonUtf8Name(p) => {
                write!(f, "the name of {} is not valid UTF-8", p.display())
            }
            PackError::NoFiles(p) => write!(
                f,
                "{} holds no regular file; the platform refuses empty bundles",
                p.display()
            ),
        }
    }
}

/// Packs `dir` into a reproducible tar.gz.
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
    let gz = GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::default());
    let mut tar = tar::Builder::new(gz);
    let mut files = 0;
    append_dir_contents(&mut tar, dir, "", &mut files)?;
    if files == 0 {
        return Err(PackError::NoFiles(dir.to_path_buf()));
    }
    let bytes = tar
        .into_inner()
        .and_then(|gz| gz.finish())
        .map_err(|e| PackError::Unreadable(dir.to_path_buf(), e))?;
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
            tar.append_data(&mut h, format!("{archive_path}/"), io::empty())
                .map_err(|e| unreadable(&path, e))?;
            append_dir_contents(tar, &path, &format!("{archive_path}/"), files)?;
            Ok(())
        } else if file_type.is_file() {
            let mode = if is_executable(&meta) { 0o755 } else { 0o644 };
            let file = std::fs::File::open(&path).map_err(|e| unreadable(&path, e))?;
            let mut h = header(tar::EntryType::Regular, mode, meta.len());
            *files += 1;
            tar.append_data(&mut h, &archive_path, file)
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

    fn write_file(path: &Path, content: &str, mtime: SystemTime) {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(path, content).unwrap();
        let f = fs::File::options().write(true).open(path).unwrap();
        f.set_modified(mtime).unwrap();
    }

    fn entries(bytes: &[u8]) -> Vec<(String, u32, u64, u64)> {
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
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
        // Same tree, created in opposite orders with different mtimes.
        write_file(&a.path().join("index.html"), "<h1>hi</h1>", old);
        write_file(&a.path().join("assets/app.js"), "console.log(1)", old);
        write_file(&a.path().join("assets/z/deep.txt"), "deep", old);
        write_file(&b.path().join("assets/z/deep.txt"), "deep", new);
        write_file(&b.path().join("assets/app.js"), "console.log(1)", new);
        write_file(&b.path().join("index.html"), "<h1>hi</h1>", new);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // A stricter umask on one side must not matter.
            let p = b.path().join("index.html");
            fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
        }
        let pa = pack(a.path()).unwrap();
        let pb = pack(b.path()).unwrap();
        assert_eq!(pa.bytes, pb.bytes);
        assert_eq!(pa.sha256, pb.sha256);
        assert_eq!(pa.sha256, crate::provider::apps::sha256_hex(&pa.bytes));
        assert_eq!(pa.files, 3);
        // Packing twice gives the same bytes too.
        assert_eq!(pack(a.path()).unwrap().bytes, pa.bytes);

        let list = entries(&pa.bytes);
        let names: Vec<&str> = list.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "assets/",
                "assets/app.js",
                "assets/z/",
                "assets/z/deep.txt",
                "index.html"
            ]
        );
        assert!(list.iter().all(|e| e.2 == 0 && e.3 == 0));
        assert_eq!(list[0].1, 0o755);
        assert_eq!(list[4].1, 0o644);
        // The gzip header: no mtime (bytes 4..8), no file name flag (FNAME = 0x08).
        assert_eq!(&pa.bytes[4..8], &[0, 0, 0, 0]);
        assert_eq!(pa.bytes[3] & 0x08, 0);
    }

    #[test]
    fn a_changed_file_changes_the_sha() {
        let a = tempfile::tempdir().unwrap();
        let t = SystemTime::now();
        write_file(&a.path().join("index.html"), "v1", t);
        let first = pack(a.path()).unwrap();
        write_file(&a.path().join("index.html"), "v2", t);
        let second = pack(a.path()).unwrap();
        assert_ne!(first.sha256, second.sha256);
        // A new empty directory is part of the tree, so it counts as a change as well.
        fs::create_dir(a.path().join("empty")).unwrap();
        assert_ne!(pack(a.path()).unwrap().sha256, second.sha256);
    }

    #[cfg(unix)]
    #[test]
    fn executables_and_symlinks_are_normalised() {
        use std::os::unix::fs::PermissionsExt;
        let a = tempfile::tempdir().unwrap();
        let t = SystemTime::now();
        write_file(&a.path().join("run.sh"), "#!/bin/sh", t);
        fs::set_permissions(a.path().join("run.sh"), fs::Permissions::from_mode(0o700)).unwrap();
        std::os::unix::fs::symlink("run.sh", a.path().join("start")).unwrap();
        let bundle = pack(a.path()).unwrap();
        let list = entries(&bundle.bytes);
        assert_eq!(list[0], ("run.sh".into(), 0o755, 0, 0));
        assert_eq!(list[1].0, "start");
        assert_eq!(bundle.files, 1);
    }

    #[test]
    fn long_paths_survive() {
        let a = tempfile::tempdir().unwrap();
        let long = format!("{}/{}.txt", "d".repeat(80), "f".repeat(90));
        write_file(&a.path().join(&long), "x", SystemTime::now());
        let list = entries(&pack(a.path()).unwrap().bytes);
        assert_eq!(list[1].0, long);
    }

    #[test]
    fn bad_directories_are_explained() {
        let a = tempfile::tempdir().unwrap();
        let missing = a.path().join("nope");
        let e = pack(&missing).unwrap_err();
        assert!(matches!(e, PackError::NotFound(_)));
        assert!(e.to_string().contains("does not exist"), "{e}");

        let file = a.path().join("file.txt");
        fs::write(&file, "x").unwrap();
        assert!(matches!(
            pack(&file).unwrap_err(),
            PackError::NotADirectory(_)
        ));

        let empty = a.path().join("empty");
        fs::create_dir_all(empty.join("sub")).unwrap();
        let e = pack(&empty).unwrap_err();
        assert!(matches!(e, PackError::NoFiles(_)));
        assert!(e.to_string().contains("no regular file"), "{e}");
    }

    #[test]
    fn the_platform_accepts_the_bundle() {
        let a = tempfile::tempdir().unwrap();
        write_file(&a.path().join("a/b.txt"), "b", SystemTime::now());
        let bundle = pack(a.path()).unwrap();
        crate::local::routes::deploys::check_bundle(&bundle.bytes).expect("valid bundle");
    }
}
