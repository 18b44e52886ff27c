//! The installed Codex CLI as a judge (found on `PATH` by [`crate::program::find`]): find the
//! native binary behind npm's shim, ask its version, ask whether it loads a config, list its
//! own model entries and check a model catalogue, always in a private temporary directory as
//! `CODEX_HOME` (where Codex creates no helper files), so the user's `CODEX_HOME` is never
//! written. Used by `doctor`, `init`, `model` and `models --sync`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::program::{self, Output};

/// The native Codex binary behind npm's `codex` shim, so a run does not start Node first (the
/// shim costs 80–110 ms a call); `codex` itself when it is not the shim (Homebrew, a release
/// tarball), or when no native binary is found beside it.
///
/// The rule is the shim's own (`@openai/codex/bin/codex.js`, which `node_modules/.bin/codex`
/// and a global `bin/codex` link to): from the real path of `codex.js`, `root` is the
/// `@openai/codex` package; the binary is `vendor/<triple>/bin/codex` (`codex.exe` on Windows)
/// of the platform package `@openai/codex-<os>-<arch>`, looked for nested
/// (`root/node_modules/@openai/codex-<os>-<arch>`, as `npm install -g` leaves it), hoisted
/// beside `root` (as `npm install --prefix DIR` leaves it), and in `root` itself
/// (`root/vendor/<triple>/bin/codex`, and 0.137's legacy `root/vendor/<triple>/codex/codex`).
/// `<triple>` is the shim's (`x86_64-unknown-linux-musl` for Linux x64, `aarch64-apple-darwin`
/// for macOS arm64, …); should a release use another, any `vendor/*/bin/codex` of the platform
/// package is taken. What the shim adds besides (`CODEX_MANAGED_BY_NPM`, and for 0.137 `rg` on
/// `PATH`) only matters for update hints and for tools an agent runs, not for the `--version`,
/// `features list` and `debug models` mg-codex asks.
pub fn native_binary(codex: &Path) -> PathBuf {
    let Ok(real) = std::fs::canonicalize(codex) else {
        return codex.to_path_buf();
    };
    if real.extension().is_none_or(|e| e != "js") {
        return codex.to_path_buf();
    }
    native_candidates(&real, std::env::consts::OS, std::env::consts::ARCH)
        .into_iter()
        .find(|c| program::is_executable(c))
        .unwrap_or_else(|| codex.to_path_buf())
}

/// Where [`native_binary`] looks, in order, for the shim at `codex_js` (a real path) on `os`
/// and `arch` (as `std::env::consts` names them).
pub fn native_candidates(codex_js: &Path, os: &str, arch: &str) -> Vec<PathBuf> {
    let Some(root) = codex_js.parent().and_then(Path::parent) else {
        return Vec::new();
    };
    let (platform, arch_name) = match arch {
        "x86_64" => ("x64", "x86_64"),
        "aarch64" => ("arm64", "aarch64"),
        _ => return Vec::new(),
    };
    let (os_name, triple, exe) = match os {
        "linux" | "android" => ("linux", format!("{arch_name}-unknown-linux-musl"), "codex"),
        "macos" => ("darwin", format!("{arch_name}-apple-darwin"), "codex"),
        "windows" => ("win32", format!("{arch_name}-pc-windows-msvc"), "codex.exe"),
        _ => return Vec::new(),
    };
    let package = format!("codex-{os_name}-{platform}");
    let packages = [
        root.join("node_modules/@openai").join(&package),
        root.parent()
            .map_or_else(PathBuf::new, |p| p.join(&package)),
    ];
    let mut out: Vec<PathBuf> = packages
        .iter()
        .map(|p| p.join("vendor").join(&triple).join("bin").join(exe))
        .collect();
    out.push(root.join("vendor").join(&triple).join("bin").join(exe));
    out.push(root.join("vendor").join(&triple).join("codex").join(exe));
    // Another triple than the shim's (a gnu build, say): whatever the platform package holds.
    for package in &packages {
        let Ok(entries) = std::fs::read_dir(package.join("vendor")) else {
            continue;
        };
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("bin").join(exe))
            .filter(|p| !out.contains(p))
            .collect();
        found.sort();
        out.extend(found);
    }
    out
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
        std::thread::spawn(move || version(&codex))
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
                run_codex(Command::new(codex).args(&args).env("CODEX_HOME", home))?;
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
        let (ok, _, stderr) = run_codex(
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

/// `codex --version` (`codex-cli 0.169.0`), if it answers.
pub fn version(codex: &Path) -> Option<String> {
    run_codex(Command::new(codex).arg("--version"))
        .ok()
        .filter(|o| o.0)
        .map(|o| o.1.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// What `codex debug models` prints with an empty, private `CODEX_HOME`: the release's own
/// model entries (`{"models": [ModelInfo, …]}`), or the first line of its error.
pub fn own_models(codex: &Path) -> Result<String, String> {
    let tmp = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
    debug_models(codex, tmp.path())
}

/// Whether Codex loads the catalogue `text` as `model_catalog_json`: `codex debug models` with
/// a private `CODEX_HOME` whose `config.toml` names a copy of it. The slugs it lists, or the
/// first line of its error.
pub fn check_catalog(codex: &Path, text: &str) -> Result<Vec<String>, String> {
    let tmp = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
    let file = tmp.path().join("catalog.json");
    std::fs::write(&file, text).map_err(|e| format!("cannot write `{}`: {e}", file.display()))?;
    let value = toml_edit::Value::from(file.display().to_string());
    std::fs::write(
        tmp.path().join("config.toml"),
        format!("model_catalog_json = {value}\n"),
    )
    .map_err(|e| format!("cannot write a config in `{}`: {e}", tmp.path().display()))?;
    let out = debug_models(codex, tmp.path())
        .map_err(|e| e.replace(&file.display().to_string(), "<catalogue>"))?;
    let doc: serde_json::Value = serde_json::from_str(&out)
        .map_err(|e| format!("`codex debug models` printed something that is not JSON: {e}"))?;
    Ok(doc["models"]
        .as_array()
        .map(|models| {
            models
                .iter()
                .filter_map(|m| m["slug"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}

/// `codex debug models` with `CODEX_HOME=home`: its stdout, or its first error line.
fn debug_models(codex: &Path, home: &Path) -> Result<String, String> {
    let (ok, stdout, stderr) = run_codex(
        Command::new(codex)
            .args(["debug", "models"])
            .env("CODEX_HOME", home),
    )?;
    if ok {
        Ok(stdout)
    } else {
        Err(first_error_line(&stderr))
    }
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

/// Runs Codex with the [`program::TIMEOUT`]: whether it succeeded, its stdout and stderr.
fn run_codex(cmd: &mut Command) -> Result<(bool, String, String), String> {
    let Output {
        success,
        stdout,
        stderr,
    } = program::run(cmd, program::TIMEOUT)?;
    Ok((success, stdout, stderr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_native_binary_is_found_where_npm_puts_it() {
        let tmp = tempfile::tempdir().unwrap();
        let make = |rel: &str, mode: u32| {
            let p = tmp.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "#!/bin/sh\n").unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
            }
            p
        };
        // `npm install --prefix P`: the platform package is hoisted beside @openai/codex.
        let js = make("p/node_modules/@openai/codex/bin/codex.js", 0o755);
        let native = make(
            "p/node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex",
            0o755,
        );
        let candidates = native_candidates(&std::fs::canonicalize(&js).unwrap(), "linux", "x86_64");
        assert_eq!(
            candidates[1],
            std::fs::canonicalize(&native).unwrap(),
            "{candidates:?}"
        );
        #[cfg(unix)]
        {
            let bin = tmp.path().join("p/node_modules/.bin");
            std::fs::create_dir_all(&bin).unwrap();
            std::os::unix::fs::symlink("../@openai/codex/bin/codex.js", bin.join("codex")).unwrap();
            if cfg!(all(target_os = "linux", target_arch = "x86_64")) {
                assert_eq!(
                    native_binary(&bin.join("codex")),
                    std::fs::canonicalize(&native).unwrap()
                );
            }
        }
        // `npm install -g`: nested under @openai/codex; another triple is found too.
        let js = make("g/lib/node_modules/@openai/codex/bin/codex.js", 0o755);
        let gnu = make(
            "g/lib/node_modules/@openai/codex/node_modules/@openai/codex-linux-arm64/vendor/aarch64-unknown-linux-gnu/bin/codex",
            0o755,
        );
        let candidates =
            native_candidates(&std::fs::canonicalize(&js).unwrap(), "linux", "aarch64");
        assert!(
            candidates.contains(&std::fs::canonicalize(&gnu).unwrap()),
            "{candidates:?}"
        );
        // Not the shim: itself.
        let plain = make("brew/bin/codex", 0o755);
        assert_eq!(native_binary(&plain), plain);
        // The shim without a native binary: the shim.
        let lonely = make("l/node_modules/@openai/codex/bin/codex.js", 0o755);
        assert_eq!(native_binary(&lonely), lonely);
        assert!(native_candidates(&lonely, "plan9", "x86_64").is_empty());
    }
}
