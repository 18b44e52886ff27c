//! Other programs: finding one on a PATH (the `which` crate) and running one with a timeout
//! (the `wait-timeout` crate). The one place mg-codex does either: `codex`, the key command
//! Codex runs, the installed shells and `mg-codex` itself are all found by [`find`], and every
//! run that waits for an answer goes through [`run`].
//!
//! The PATH searched is always the caller's (our captured `Env`, or the shell module's), never
//! the process's own.

use std::ffi::OsStr;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

/// How long a program we wait for (`codex --version`, `codex features list`, the key command)
/// may take.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// Finds a program on a PATH as a shell would: the first executable `name` (a bare name) in the
/// directories of `path` (on Windows with the extensions of `PATHEXT`); relative directories
/// are taken from the working directory. `None` without a `path`.
pub fn find(name: impl AsRef<OsStr>, path: Option<&OsStr>) -> Option<PathBuf> {
    which::which_in_global(name, Some(path?)).ok()?.next()
}

/// Whether the file at the absolute `path` is a program we may run.
pub fn is_executable(path: &Path) -> bool {
    path.is_absolute()
        && which::which_in_global(path, None::<&OsStr>)
            .is_ok_and(|mut found| found.next().is_some())
}

/// Why [`run`] got no exit status.
#[derive(Debug)]
pub enum RunError {
    /// The program could not be started.
    CannotRun(std::io::Error),
    /// It did not exit within the timeout; it was killed.
    NoAnswer(Duration),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::CannotRun(e) => write!(f, "cannot run it: {e}"),
            RunError::NoAnswer(timeout) => write!(f, "no answer within {} s", timeout.as_secs()),
        }
    }
}

impl std::error::Error for RunError {}

impl From<RunError> for String {
    fn from(e: RunError) -> Self {
        e.to_string()
    }
}

/// What a program that exited said: whether it succeeded, its stdout and its stderr (each
/// empty when it was not UTF-8).
#[derive(Debug, Clone)]
pub struct Output {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` with stdin closed, its output captured, for at most `timeout` (then it is
/// killed).
pub fn run(cmd: &mut Command, timeout: Duration) -> Result<Output, RunError> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(RunError::CannotRun)?;
    // Drain the pipes in threads so a chatty child cannot block on a full pipe.
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let out_t = std::thread::spawn(move || read_all(out.as_mut()));
    let err_t = std::thread::spawn(move || read_all(err.as_mut()));
    let status = match child.wait_timeout(timeout) {
        Ok(Some(status)) => Some(status),
        Ok(None) | Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            None
        }
    };
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    match status {
        Some(status) => Ok(Output {
            success: status.success(),
            stdout,
            stderr,
        }),
        None => Err(RunError::NoAnswer(timeout)),
    }
}

fn read_all(pipe: Option<&mut impl Read>) -> String {
    let mut text = String::new();
    if let Some(pipe) = pipe {
        let _ = pipe.read_to_string(&mut text);
    }
    text
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn file(dir: &Path, name: &str, mode: u32) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        p
    }

    #[test]
    fn finds_the_first_executable_on_the_given_path_only() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        file(&a, "tool", 0o644);
        let wanted = file(&b, "tool", 0o755);
        let path = std::env::join_paths([&a, &b]).unwrap();
        assert_eq!(find("tool", Some(&path)), Some(wanted.clone()));
        assert_eq!(find("tool", None), None);
        assert_eq!(find("sh", Some(a.as_os_str())), None);
        assert!(is_executable(&wanted));
        assert!(!is_executable(&a.join("tool")));
        assert!(!is_executable(&a));
        assert!(!is_executable(Path::new("b/tool")));
    }

    #[test]
    fn a_run_says_what_the_program_said_and_a_slow_one_is_killed() {
        let out = run(
            Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]),
            TIMEOUT,
        )
        .unwrap();
        assert!(!out.success);
        assert_eq!(
            (out.stdout.as_str(), out.stderr.as_str()),
            ("out\n", "err\n")
        );

        let start = std::time::Instant::now();
        let err = run(
            Command::new("sh").args(["-c", "exec sleep 30"]),
            Duration::from_millis(200),
        )
        .unwrap_err();
        assert!(matches!(err, RunError::NoAnswer(_)), "{err}");
        assert_eq!(err.to_string(), "no answer within 0 s");
        assert!(start.elapsed() < Duration::from_secs(10));

        let err = run(&mut Command::new("/nonexistent/program"), TIMEOUT).unwrap_err();
        assert!(err.to_string().starts_with("cannot run it: "), "{err}");
    }
}
