//! File-system primitives shared by every writer: following symlinks to the real target, reading
//! only regular files, atomic writes that keep the file's mode and owner, advisory locks,
//! backups, and the clean-up of temporary files a killed run left behind.
//!
//! Nothing here knows what a config or a profile is; callers pass paths and bytes. Every error
//! names the file it is about.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{bail, Context, Result};

#[cfg(unix)]
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};

/// Mode of files we create (they may hold settings people consider private).
pub const NEW_FILE_MODE: u32 = 0o600;
/// Mode of directories we create.
pub const NEW_DIR_MODE: u32 = 0o700;
/// The suffix of our temporary files (`.<name>.<random>.mg-codex.tmp`).
pub const TEMP_SUFFIX: &str = ".mg-codex.tmp";

/// A file that exists but is not a regular file (a FIFO, a device, a socket, a directory):
/// mg-codex never reads from it (a FIFO would block) and never replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAFile {
    pub path: PathBuf,
    pub kind: &'static str,
}

impl std::fmt::Display for NotAFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is {}, not a regular file, so mg-codex left it alone",
            self.path.display(),
            self.kind
        )
    }
}

impl NotAFile {
    pub fn fix(&self) -> crate::problem::Fix {
        crate::problem::Fix::instruction(format!(
            "put a regular file there (`ls -l {}` shows what it is)",
            self.path.display()
        ))
    }
}

impl std::error::Error for NotAFile {}

#[cfg(unix)]
fn file_kind(meta: &fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("a directory")
    } else if t.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if t.is_char_device() {
        Some("a character device")
    } else if t.is_block_device() {
        Some("a block device")
    } else if t.is_socket() {
        Some("a socket")
    } else {
        Some("a special file")
    }
}

#[cfg(not(unix))]
fn file_kind(meta: &fs::Metadata) -> Option<&'static str> {
    if meta.is_file() {
        None
    } else if meta.is_dir() {
        Some("a directory")
    } else {
        Some("a special file")
    }
}

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

/// Reads a regular file; a missing file is `None`. Anything else (a FIFO, a device, a socket,
/// a directory) is refused at once with [`NotAFile`]: it is opened without blocking and looked
/// at before a byte is read.
pub fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => {
            // A socket cannot be opened at all (ENXIO): say what it is.
            if let Ok(meta) = fs::metadata(path) {
                if let Some(kind) = file_kind(&meta) {
                    return Err(NotAFile {
                        path: path.to_path_buf(),
                        kind,
                    }
                    .into());
                }
            }
            return Err(err).with_context(|| format!("reading `{}`", path.display()));
        }
    };
    let meta = file
        .metadata()
        .with_context(|| format!("reading `{}`", path.display()))?;
    if let Some(kind) = file_kind(&meta) {
        return Err(NotAFile {
            path: path.to_path_buf(),
            kind,
        }
        .into());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes)
        .with_context(|| format!("reading `{}`", path.display()))?;
    Ok(Some(bytes))
}

/// Fails with a clear message when an existing file has no write permission (a rename would
/// silently replace it, which is not what a read-only file asks for), or is not a regular file.
pub fn ensure_writable(path: &Path) -> Result<()> {
    match fs::metadata(path) {
        Ok(meta) if file_kind(&meta).is_some() => Err(NotAFile {
            path: path.to_path_buf(),
            kind: file_kind(&meta).unwrap_or("a special file"),
        }
        .into()),
        Ok(meta) if meta.permissions().readonly() => Err(crate::problem::problem(
            format!(
                "`{}` is read-only, so it was left untouched",
                path.display()
            ),
            crate::problem::Fix::command_with(
                format!(
                    "chmod u+w {}",
                    crate::project::shell_quote(&path.display().to_string())
                ),
                format!(
                    "make it writable with `chmod u+w {}` and run the command again",
                    path.display()
                ),
            ),
        )),
        _ => Ok(()),
    }
}

/// Writes `bytes` to `target` atomically: a temporary file in the same directory, fsync,
/// rename over the target, fsync of the directory. The target's mode and owner are kept; a new
/// file gets `new_mode` (and, when mg-codex runs as root in a directory that is not root's, the
/// directory's owner). `target` must already be the real (symlink-resolved) path.
pub fn write_atomic(target: &Path, bytes: &[u8], new_mode: u32) -> Result<()> {
    write_atomic_if(target, bytes, new_mode, None).map(|_| ())
}

/// [`write_atomic`], but only if `target` still holds `expected` (`Some(None)`: does not exist)
/// at the last moment: after the new bytes are written and synced, the target is read again
/// just before the rename. Returns `false`, writing nothing, when it changed meanwhile (a writer
/// that does not take our lock, such as Codex, rewrote it). What remains is the time between
/// that read and the rename: microseconds, not the milliseconds a write and fsync take.
pub fn write_atomic_if(
    target: &Path,
    bytes: &[u8],
    new_mode: u32,
    expected: Option<Option<&[u8]>>,
) -> Result<bool> {
    write_inner(target, bytes, new_mode, expected, true)
}

/// [`write_atomic`] without the fsyncs: for a backup, a copy of bytes that still exist in the
/// file being replaced (a crash loses at most the copy, never the file).
pub fn write_copy(target: &Path, bytes: &[u8], new_mode: u32) -> Result<()> {
    write_inner(target, bytes, new_mode, None, false).map(|_| ())
}

// ----- writes in progress ---------------------------------------------------------------------

static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static WHEN_DONE: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Marks a write in progress until dropped: every atomic write holds one, and a command that
/// writes several files as one change (`init`, `uninstall`, a config and its record) holds one
/// around them all. Guards nest; when the last one ends, the hook set by [`when_writes_end`]
/// runs (the interrupt module's: a Ctrl-C that came meanwhile ends the run then).
#[derive(Debug)]
pub struct WriteGuard(());

impl WriteGuard {
    pub fn new() -> Self {
        WRITES.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        WriteGuard(())
    }
}

impl Default for WriteGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for WriteGuard {
    fn drop(&mut self) {
        if WRITES.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) == 1 {
            if let Some(hook) = WHEN_DONE.get() {
                hook();
            }
        }
    }
}

/// Whether a write is in progress (a [`WriteGuard`] is alive).
pub fn writing() -> bool {
    WRITES.load(std::sync::atomic::Ordering::SeqCst) > 0
}

/// Sets what runs when the last write in progress ends (once per process).
pub fn when_writes_end(hook: fn()) {
    let _ = WHEN_DONE.set(hook);
}

fn write_inner(
    target: &Path,
    bytes: &[u8],
    new_mode: u32,
    expected: Option<Option<&[u8]>>,
    durable: bool,
) -> Result<bool> {
    let _writing = WriteGuard::new();
    test_hook();
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let existing = match fs::metadata(target) {
        Ok(meta) => {
            if let Some(kind) = file_kind(&meta) {
                return Err(NotAFile {
                    path: target.to_path_buf(),
                    kind,
                }
                .into());
            }
            Some(meta)
        }
        Err(_) => None,
    };
    let mode = existing.as_ref().map(mode_of).unwrap_or(new_mode);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in `{}`", dir.display()))?;
    set_mode(tmp.path(), mode)?;
    keep_owner(tmp.as_file(), existing.as_ref(), dir)
        .with_context(|| format!("giving `{}` its owner back", target.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| {
            if durable {
                tmp.as_file().sync_all()
            } else {
                Ok(())
            }
        })
        .with_context(|| format!("writing `{}`", tmp.path().display()))?;
    test_hook();
    if let Some(expected) = expected {
        let now = read_optional(target)?;
        if now.as_deref() != expected {
            // Dropping `tmp` deletes it.
            return Ok(false);
        }
        match expected {
            // Swap the files atomically and look at what was swapped out: the file the check
            // above saw, or a write that landed in between (then it is swapped back).
            Some(expected) => {
                let tmp = tmp.into_temp_path();
                match exchange(&tmp, target) {
                    Ok(()) => {
                        let displaced = fs::read(&tmp).unwrap_or_default();
                        if displaced != expected {
                            exchange(&tmp, target).with_context(|| {
                                format!(
                                    "putting back `{}` after a concurrent write",
                                    target.display()
                                )
                            })?;
                            return Ok(false);
                        }
                        sync_dir(dir);
                        test_hook();
                        return Ok(true);
                    }
                    // No atomic exchange on this system or file system: a plain rename.
                    Err(_) => {
                        tmp.persist(target)
                            .map_err(|e| e.error)
                            .with_context(|| format!("replacing `{}`", target.display()))?;
                        sync_dir(dir);
                        test_hook();
                        return Ok(true);
                    }
                }
            }
            // The file must still not exist: create it only if nobody has meanwhile.
            None => {
                return match tmp.persist_noclobber(target) {
                    Ok(_) => {
                        sync_dir(dir);
                        test_hook();
                        Ok(true)
                    }
                    Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(false),
                    Err(e) => {
                        Err(e.error).with_context(|| format!("creating `{}`", target.display()))
                    }
                };
            }
        }
    }
    tmp.persist(target)
        .map_err(|e| e.error)
        .with_context(|| format!("replacing `{}`", target.display()))?;
    if durable {
        sync_dir(dir);
    }
    test_hook();
    Ok(true)
}

/// Swaps two paths atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings; AT_FDCWD resolves them as given.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

#[cfg(unix)]
fn mode_of(meta: &fs::Metadata) -> u32 {
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(_meta: &fs::Metadata) -> u32 {
    NEW_FILE_MODE
}

/// Gives a new file the owner of the file it replaces (or, for a new file, of its directory),
/// when they differ from the process's: a root process editing a user's config must not leave
/// it root's. A process that cannot change owners (not root) leaves the file its own, as any
/// program would.
#[cfg(unix)]
fn keep_owner(file: &File, replaced: Option<&fs::Metadata>, dir: &Path) -> Result<()> {
    let me = file.metadata()?;
    let (uid, gid) = match replaced {
        Some(meta) => (meta.uid(), meta.gid()),
        None => match fs::metadata(dir) {
            // Only root hands new files to the directory's owner (`sudo` in a user's home).
            Ok(meta) if me.uid() == 0 && meta.uid() != 0 => (meta.uid(), meta.gid()),
            _ => return Ok(()),
        },
    };
    if (uid, gid) == (me.uid(), me.gid()) {
        return Ok(());
    }
    match std::os::unix::fs::fchown(file, Some(uid), Some(gid)) {
        Ok(()) => Ok(()),
        // Not allowed to give the file away: it stays ours, as with any editor.
        Err(e) if e.raw_os_error() == Some(libc::EPERM) && me.uid() != 0 => Ok(()),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(unix))]
fn keep_owner(_file: &File, _replaced: Option<&fs::Metadata>, _dir: &Path) -> Result<()> {
    Ok(())
}

/// Creates a directory (and its parents) with mode 0700; as root in a directory that is not
/// root's, the new directories get that directory's owner.
pub fn create_private_dir(path: &Path) -> Result<()> {
    let existing_ancestor = path
        .ancestors()
        .skip(1)
        .find(|a| a.is_dir())
        .map(Path::to_path_buf);
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(NEW_DIR_MODE);
    }
    builder
        .create(path)
        .with_context(|| format!("creating the directory `{}`", path.display()))?;
    #[cfg(unix)]
    if let Some(ancestor) = existing_ancestor {
        let owner = fs::metadata(&ancestor)?;
        // SAFETY: geteuid has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        if root && owner.uid() != 0 {
            for dir in path.ancestors().take_while(|d| *d != ancestor) {
                std::os::unix::fs::chown(dir, Some(owner.uid()), Some(owner.gid()))
                    .with_context(|| format!("giving `{}` its owner", dir.display()))?;
            }
        }
    }
    Ok(())
}

/// Removes the temporary files an interrupted write of `target` left beside it
/// (`.<name>.*.mg-codex.tmp`). Call it only under the lock that guards `target`'s writers.
/// Returns how many it removed.
pub fn remove_stale_temps(target: &Path) -> usize {
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return 0;
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        if file_name.starts_with(&prefix)
            && file_name.ends_with(TEMP_SUFFIX)
            && entry.file_type().is_ok_and(|t| t.is_file())
            && fs::remove_file(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
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
    if let Some(dir) = lock_path.parent() {
        let _ = keep_owner(&file, None, dir);
    }
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

// ----- the crash-test hook ---------------------------------------------------------------------

/// `MG_CODEX_TEST_STOP_AT_WRITE=N` (read by `env`, passed here once by `app`): the process stops
/// itself (`SIGSTOP`) at the N-th step of an atomic write (before the temporary file is written,
/// before the rename, after it), so a test can `kill -9` it exactly there. 0: off.
static STOP_AT: AtomicUsize = AtomicUsize::new(0);
static STEPS: AtomicUsize = AtomicUsize::new(0);

/// Arms the crash-test hook (see [`STOP_AT`]).
pub fn set_stop_at_write_step(step: usize) {
    STOP_AT.store(step, Ordering::SeqCst);
}

fn test_hook() {
    let stop_at = STOP_AT.load(Ordering::Relaxed);
    if stop_at == 0 {
        return;
    }
    let step = STEPS.fetch_add(1, Ordering::SeqCst) + 1;
    if step == stop_at {
        #[cfg(unix)]
        // SAFETY: raising a signal in our own process has no memory-safety preconditions.
        unsafe {
            libc::raise(libc::SIGSTOP);
        }
    }
}

/// A file mode as JSON shows it: an octal string of the permission bits (`"0600"`), or null.
pub fn serialize_mode<S: serde::Serializer>(mode: &Option<u32>, s: S) -> Result<S::Ok, S::Error> {
    match mode {
        Some(m) => s.serialize_str(&format!("{:04o}", m & 0o7777)),
        None => s.serialize_none(),
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

    #[test]
    fn a_fifo_is_refused_without_blocking_and_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("config.toml");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = read_optional(&fifo).unwrap_err();
        assert!(err.to_string().contains("a FIFO"), "{err}");
        assert!(write_atomic(&fifo, b"x", 0o600).is_err());
        use std::os::unix::fs::FileTypeExt;
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        let err = read_optional(Path::new("/dev/null")).unwrap_err();
        assert!(err.to_string().contains("character device"), "{err}");
    }

    #[test]
    fn a_checked_write_does_nothing_when_the_file_changed_meanwhile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, "theirs").unwrap();
        assert!(!write_atomic_if(&path, b"ours", 0o600, Some(Some(b"old"))).unwrap());
        assert_eq!(fs::read(&path).unwrap(), b"theirs");
        assert!(write_atomic_if(&path, b"ours", 0o600, Some(Some(b"theirs"))).unwrap());
        assert_eq!(fs::read(&path).unwrap(), b"ours");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn stale_temporary_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("env");
        fs::write(dir.path().join(".env.abc123.mg-codex.tmp"), "key").unwrap();
        fs::write(dir.path().join(".other.abc.mg-codex.tmp"), "x").unwrap();
        assert_eq!(remove_stale_temps(&target), 1);
        assert!(dir.path().join(".other.abc.mg-codex.tmp").exists());
    }
}
