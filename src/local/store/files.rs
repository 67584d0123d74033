//! Each database's own SQLite file (`DATA_DIR/databases/<database_id>.db`), and the data
//! directory's private files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::limits::Limit;
use rusqlite::{Connection, OpenFlags};

/// Directory, in the data directory, of the databases' files.
pub const DIR: &str = "databases";

/// How long a statement waits for another stream's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The file of `database_id`.
pub fn path(data_dir: &Path, database_id: &str) -> PathBuf {
    data_dir.join(DIR).join(format!("{database_id}.db"))
}

/// Make the (empty) file of a new database, in WAL mode so that readers do not wait for writers.
pub fn create(data_dir: &Path, database_id: &str) -> Result<(), String> {
    let dir = data_dir.join(DIR);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let conn = Connection::open(path(data_dir, database_id))
        .map_err(|e| format!("cannot create the file of {database_id}: {e}"))?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| format!("cannot enable WAL on {database_id}: {e}"))
}

/// A connection for a stream. Never makes the file: a database deleted while a request was on
/// its way stays deleted. No other file can be reached from it (`ATTACH` is off).
pub fn open(data_dir: &Path, database_id: &str) -> Result<Connection, String> {
    let file = path(data_dir, database_id);
    if !file.exists() {
        return Err(format!("database {database_id} was deleted"));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(&file, flags)
        .map_err(|e| format!("cannot open database {database_id}: {e}"))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| e.to_string())?;
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)
        .map_err(|e| e.to_string())?;
    Ok(conn)
}

/// Make the files of databases created before databases had files (`database_ids`: every
/// database the platform holds), once at start.
pub fn create_missing(data_dir: &Path, database_ids: &[String]) -> Result<(), String> {
    for id in database_ids {
        if !path(data_dir, id).exists() {
            create(data_dir, id)?;
        }
    }
    Ok(())
}

/// The file of a new database restored from `snapshot` (a generation of another).
pub fn create_from(data_dir: &Path, database_id: &str, snapshot: &Path) -> Result<(), String> {
    let file = path(data_dir, database_id);
    std::fs::copy(snapshot, &file).map_err(|e| {
        format!(
            "cannot restore {} from {}: {e}",
            database_id,
            snapshot.display()
        )
    })?;
    let conn = open(data_dir, database_id)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Directory, in the data directory, of seed uploads on their way in.
pub const UPLOADS_DIR: &str = "uploads";

/// Where the upload of a seed operation is received, before it is checked.
pub fn upload_path(data_dir: &Path, operation_id: &str) -> std::io::Result<PathBuf> {
    let dir = data_dir.join(UPLOADS_DIR);
    std::fs::create_dir_all(&dir)?;
    Ok(dir.join(format!("{operation_id}.part")))
}

/// Makes a received seed file the database's file: its old file and WAL go, the upload is
/// moved in (the same file system: no copy) and put in WAL mode.
pub fn replace_with(data_dir: &Path, database_id: &str, upload: &Path) -> Result<(), String> {
    let file = path(data_dir, database_id);
    for suffix in ["-wal", "-shm"] {
        let mut sidecar = file.as_os_str().to_owned();
        sidecar.push(suffix);
        match std::fs::remove_file(&sidecar) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(format!("cannot replace the file of {database_id}: {e}"))
            }
            _ => {}
        }
    }
    std::fs::rename(upload, &file)
        .map_err(|e| format!("cannot move the seed of {database_id} in place: {e}"))?;
    let conn = open(data_dir, database_id)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The directory of a database's snapshots, one file per generation.
pub fn generations_dir(data_dir: &Path, database_id: &str) -> PathBuf {
    data_dir.join(DIR).join(format!("{database_id}.gen"))
}

/// The snapshot of one generation of a database.
pub fn generation_path(data_dir: &Path, database_id: &str, generation_id: &str) -> PathBuf {
    generations_dir(data_dir, database_id).join(format!("{generation_id}.db"))
}

/// Write generation `generation_id` of a database: a consistent copy of its file as it is
/// (`VACUUM INTO`, which reads one snapshot of the database while writers go on).
pub fn snapshot(data_dir: &Path, database_id: &str, generation_id: &str) -> Result<(), String> {
    let dir = generations_dir(data_dir, database_id);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let target = generation_path(data_dir, database_id, generation_id);
    let conn = open(data_dir, database_id)?;
    // VACUUM INTO attaches its target: allow that on this connection of our own (the ones
    // handed to clients keep ATTACH off).
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 1)
        .map_err(|e| e.to_string())?;
    conn.execute("VACUUM INTO ?1", [target.to_string_lossy()])
        .map_err(|e| format!("cannot snapshot database {database_id}: {e}"))?;
    Ok(())
}

/// Remove the file of a deleted database (and SQLite's files beside it, and its snapshots).
pub fn remove(data_dir: &Path, database_id: &str) -> std::io::Result<()> {
    let file = path(data_dir, database_id);
    for suffix in ["", "-wal", "-shm"] {
        let mut name = file.clone().into_os_string();
        name.push(suffix);
        match std::fs::remove_file(&name) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    match std::fs::remove_dir_all(generations_dir(data_dir, database_id)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Write a file readable by its owner only (where the platform has such modes).
pub fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        std::io::Write::write_all(&mut f, contents.as_bytes())?;
    }
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deleted_database_stays_deleted_and_old_ones_get_files_at_start() {
        let dir = tempfile::tempdir().unwrap();
        create(dir.path(), "db_1").unwrap();
        assert!(open(dir.path(), "db_1").is_ok());
        remove(dir.path(), "db_1").unwrap();
        let err = open(dir.path(), "db_1").unwrap_err();
        assert!(err.contains("deleted"), "{err}");
        assert!(!path(dir.path(), "db_1").exists(), "opening made no file");
        create_missing(dir.path(), &["db_2".to_string()]).unwrap();
        assert!(open(dir.path(), "db_2").is_ok());
    }
}
