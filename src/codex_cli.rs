//! The installed Codex CLI as a judge: find `codex` on `PATH`, ask its version, and ask whether
//! it loads a config, always on a private copy in a temporary directory (where Codex creates no
//! helper files), so the user's `CODEX_HOME` is never written. Used by `doctor` and `init`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long `codex --version` and `codex features list` may take.
const CODEX_TIMEOUT: Duration = Duration::from_secs(20);

/// Finds a program on `PATH`.
pub fn find_program(name: &str, path: Option<&OsStr>) -> Option<PathBuf> {
    std::env::split_paths(path?)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// What the command learned about the installed Codex.
#[derive(Debug, Clone)]
pub struct CodexProbe {
    pub path: PathBuf,
    pub version: Option<String>,
    /// The command run to judge the config, as a person would type it.
    pub judged_with: String,
    /// `Ok` when Codex loaded the config; else its first error line.
    pub loads_config: Result<(), String>,
}

/// `codex --version`, and whether Codex loads the config of `home` (with `profile`, the
/// profile as Codex layers it), judged on a private copy in a temp dir (where Codex creates no
/// helper files) so the user's `CODEX_HOME` is never written: `codex features list`, or
/// `codex --profile NAME mcp list` (`features list` refuses `--profile`). `files` are the names
/// (relative to `home`) to copy: the config, the profile's file, a catalogue it names. A
/// missing file is judged as Codex would: as absent. No `files`: Codex is run on `home` as it
/// is (for a home that does not exist or is not a directory, which Codex refuses untouched).
pub fn probe(codex: &Path, home: &Path, profile: Option<&str>, files: &[PathBuf]) -> CodexProbe {
    // The two runs are independent: ask for the version while the config is being loaded.
    let version_run = {
        let codex = codex.to_path_buf();
        std::thread::spawn(move || {
            run_with_timeout(Command::new(codex).arg("--version"))
                .ok()
                .filter(|o| o.0)
                .map(|o| o.1.trim().to_string())
        })
    };
    let args: Vec<String> = match profile {
        Some(p) => vec!["--profile".into(), p.into(), "mcp".into(), "list".into()],
        None => vec!["features".into(), "list".into()],
    };
    let judged_with = format!("codex {}", args.join(" "));
    let loads_config = (|| {
        if files.is_empty() {
            // A home Codex refuses as it is (missing, not a directory): nothing to copy, and
            // nothing Codex could write into.
            let (ok, _, stderr) =
                run_with_timeout(Command::new(codex).args(&args).env("CODEX_HOME", home))?;
            return if ok {
                Ok(())
            } else {
                Err(first_error_line(&stderr))
            };
        }
        let tmp = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
        for name in files {
            let from = home.join(name);
            if !from.is_file() {
                continue;
            }
            let to = tmp.path().join(name);
            if let Some(dir) = to.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
            }
            std::fs::copy(&from, &to)
                .map_err(|e| format!("cannot copy `{}`: {e}", from.display()))?;
        }
        let (ok, _, stderr) = run_with_timeout(
            Command::new(codex)
                .args(&args)
                .env("CODEX_HOME", tmp.path()),
        )?;
        if ok {
            return Ok(());
        }
        let shown = stderr.replace(
            &tmp.path().display().to_string(),
            &home.display().to_string(),
        );
        Err(first_error_line(&shown))
    })();
    CodexProbe {
        path: codex.to_path_buf(),
        version: version_run.join().unwrap_or(None),
        judged_with,
        loads_config,
    }
}

/// The files (relative to `CODEX_HOME`) Codex reads for a config: `config.toml`, the
/// profile's `NAME.config.toml`, and the catalogue mg-codex writes, plus `extra`.
pub fn config_files(profile: Option<&str>, extra: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("config.toml")];
    if let Some(p) = profile {
        files.push(PathBuf::from(format!("{p}.config.toml")));
    }
    files.push(PathBuf::from("modelgates-models.json"));
    for e in extra {
        if e.is_relative() && !files.contains(e) {
            files.push(e.clone());
        }
    }
    files
}

/// The most telling line of Codex's error output: the first `Caused by:` item, else the first
/// `Error` line, else the first non-empty line.
fn first_error_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if let Some(i) = lines.iter().position(|l| l.starts_with("Caused by")) {
        if let Some(next) = lines.get(i + 1) {
            let mut cause = next
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == ':' || c == ' ')
                .to_string();
            // serde's "in `features`" names the table, on a line of its own.
            if let Some(place) = lines.get(i + 2).filter(|l| l.starts_with("in `")) {
                cause.push(' ');
                cause.push_str(place);
            }
            return cause;
        }
    }
    lines
        .iter()
        .find(|l| l.starts_with("Error") || l.starts_with("error"))
        .or_else(|| lines.iter().find(|l| !l.starts_with("WARNING")))
        .map(|l| l.to_string())
        .unwrap_or_else(|| "it exited with an error and printed nothing".into())
}

/// Runs a command with stdin closed and a timeout: (success, stdout, stderr).
fn run_with_timeout(cmd: &mut Command) -> Result<(bool, String, String), String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run it: {e}"))?;
    let deadline = Instant::now() + CODEX_TIMEOUT;
    // Drain the pipes in threads so a chatty child cannot block on a full pipe.
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let out_t = std::thread::spawn(move || read_all(out.as_mut()));
    let err_t = std::thread::spawn(move || read_all(err.as_mut()));
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => break None,
        }
    };
    let stdout = out_t.join().unwrap_or_default();
    let stderr = err_t.join().unwrap_or_default();
    match status {
        Some(status) => Ok((status.success(), stdout, stderr)),
        None => Err(format!("no answer within {} s", CODEX_TIMEOUT.as_secs())),
    }
}

fn read_all(pipe: Option<&mut impl std::io::Read>) -> String {
    let mut text = String::new();
    if let Some(pipe) = pipe {
        let _ = pipe.read_to_string(&mut text);
    }
    text
}
