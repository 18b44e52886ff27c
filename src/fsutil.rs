//! File-system primitives shared by every writer: following symlinks to the real target, atomic
//! writes that keep the file's mode, advisory locks, and backups.
//!
//! Nothing here knows what a config or a profile is; callers pass paths and bytes. Every error
//! names the file it is about.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

#[cfg(unix)]
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};

/// Mode of files we create (they may hold settings people consider private).
pub const NEW_FILE_MODE: u32 = 0o600;
/// Mode of directories we create.
pub const NEW_DIR_MODE: u32 = 0o700;

/// Follows a chain of symlinks to the path that is really written. The final target may not
/// exist yet (a dangling link to a dotfiles repo that was not checked out is written through).
pub fn resolve_symlinks(path: &Path) -> Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&current)
                    .with_context(|| format!("reading the symlink `{}`", current.display()))?;
                current = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            Ok(_) => return Ok(current),
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(err) => {
                return Err(err).with_context(|| format!("inspecting `{}`", current.display()))
            }
        }
    }
    bail!(
        "`{}` is a chain of more than 40 symlinks (a loop?)",
        path.display()
    )
}

/// Reads a file; a missing file is `None`.
pub fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err).with_context(|| format!("reading `{}`", path.display())),
    }
}

/// Fails with a clear message when an existing file has no write permission: a rename would
/// silently replace it, which is not what a read-only file asks for.
pub fn ensure_writable(path: &Path) -> Result<()> {
    match fs::metadata(path) {
        Ok(meta) if meta.permissions().readonly() => bail!(
            "`{}` is read-only, so it was left untouched\nhint: make it writable with `chmod u+w {}` and run the command again",
            path.display(),
            path.display()
        ),
        _ => Ok(()),
    }
}

/// Writes `bytes` to `target` atomically: a temporary file in the same directory, fsync,
/// rename over the target, fsync of the directory. The target's mode is kept; a new file gets
/// `new_mode`. `target` must already be the real (symlink-resolved) path.
pub fn write_atomic(target: &Path, bytes: &[u8], new_mode: u32) -> Result<()> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mode = existing_mode(target).unwrap_or(new_mode);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".mg-codex.tmp")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in `{}`", dir.display()))?;
    set_mode(tmp.path(), mode)?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing `{}`", tmp.path().display()))?;
    tmp.persist(target)
        .map_err(|e| e.error)
        .with_context(|| format!("replacing `{}`", target.display()))?;
    sync_dir(dir);
    Ok(())
}

/// Creates a directory (and its parents) with mode 0700.
pub fn create_private_dir(path: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(NEW_DIR_MODE);
    }
    builder
        .create(path)
        .with_context(|| format!("creating the directory `{}`", path.display()))
}

/// An exclusive advisory lock on a lock file, released on drop.
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

/// Blocks until the exclusive lock on `lock_path` is held. The lock file is created (0600) if
/// needed and left in place afterwards: deleting lock files races with other lockers.
pub fn lock_exclusive(lock_path: &Path) -> Result<FileLock> {
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).read(true).write(true);
    #[cfg(unix)]
    options.mode(NEW_FILE_MODE);
    let file = options
        .open(lock_path)
        .with_context(|| format!("opening the lock file `{}`", lock_path.display()))?;
    file.lock()
        .with_context(|| format!("locking `{}`", lock_path.display()))?;
    Ok(FileLock { _file: file })
}

/// The mode bits of an existing file.
pub fn existing_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Sets a file's or directory's permission bits (nothing on platforms without them).
pub fn set_mode(path: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .with_context(|| format!("setting the mode of `{}`", path.display()))?;
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// `path` with `suffix` added to its file name, in the same directory: `config.toml` →
/// `config.toml.mg-codex.bak`.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

fn sync_dir(dir: &Path) {
    // Best effort: some file systems refuse to open or fsync directories.
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_relative_symlink_chains() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.toml");
        fs::write(&real, "x").unwrap();
        std::os::unix::fs::symlink("real.toml", dir.path().join("a")).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
        assert_eq!(resolve_symlinks(&dir.path().join("b")).unwrap(), real);
    }

    #[test]
    fn atomic_write_keeps_mode_and_new_files_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        write_atomic(&path, b"one", 0o600).unwrap();
        assert_eq!(existing_mode(&path), Some(0o600));
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"two", 0o600).unwrap();
        assert_eq!(existing_mode(&path), Some(0o640));
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }
}
