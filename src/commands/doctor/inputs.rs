//! What doctor reads before any check, without writing anything: the Codex home and its
//! config files (each loaded as Codex would, or why not), a project's own config, the profiles
//! that set ModelGates up, the GUI front ends, the key mg-codex stored, the catalogue file name.

use super::*;

pub(super) fn load(path: &Path) -> Loaded {
    match config_file::load_existing(path) {
        Ok(Some(doc)) => Loaded::Parsed(Box::new(doc)),
        Ok(None) => Loaded::Missing,
        Err(err) => match err.downcast::<InvalidConfig>() {
            Ok(invalid) => Loaded::Invalid(invalid),
            Err(other) => Loaded::Unreadable {
                special: other.downcast_ref::<NotAFile>().is_some(),
                error: other.root_cause().to_string(),
            },
        },
    }
}

/// The Codex home as Codex would take it, or why Codex refuses it.
pub(super) fn resolve_home(global: &GlobalArgs, env: &Env) -> Result<PathBuf, Loaded> {
    let explicit = global
        .codex_home
        .as_deref()
        .map(|p| (p, "--codex-home"))
        .or(env.codex_home.as_deref().map(|p| (p, "CODEX_HOME")));
    let (dir, origin) = match explicit {
        Some((dir, origin)) => (env.cwd.join(dir), origin),
        None => match &env.home {
            Some(home) => (home.join(".codex"), "~/.codex"),
            None => {
                return Err(Loaded::Unreadable {
                    error: "cannot find your home directory (set HOME, or pass `--codex-home DIR`)"
                        .into(),
                    special: false,
                })
            }
        },
    };
    match std::fs::metadata(&dir) {
        Ok(m) if m.is_dir() => Ok(dir),
        Ok(_) => Err(Loaded::HomeNotDir { dir, origin }),
        Err(_) if origin == "~/.codex" => Ok(dir),
        Err(_) => Err(Loaded::HomeMissing { dir, origin }),
    }
}

/// A project's own `.codex/config.toml`: in the cwd or a parent, up to the git root.
pub(super) fn project_local(cwd: &Path, base: &Path) -> Option<PathBuf> {
    for dir in cwd.ancestors() {
        let candidate = dir.join(".codex/config.toml");
        if candidate != base && candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    None
}

/// The profile files of `home` (`NAME.config.toml`) that select ModelGates.
pub(super) fn modelgates_profiles(home: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(home) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            let profile = name.strip_suffix(".config.toml")?.to_string();
            let doc = config_file::load_existing(&home.join(&name)).ok()??;
            (doc.root_str("model_provider") == Some(PROVIDER_ID)).then_some(profile)
        })
        .collect();
    names.sort();
    names
}

/// Codex front ends that do not read shell profiles, found installed.
pub(super) fn gui_front_ends(home: Option<&Path>) -> Vec<shell_checks::GuiFrontEnd> {
    let Some(home) = home else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let app = home.join("Library/Application Support/Codex");
    if app.is_dir() {
        found.push(shell_checks::GuiFrontEnd {
            name: "the Codex desktop app",
            path: app,
        });
    }
    for (editor, name) in [
        (".vscode/extensions", "the Codex extension for VS Code"),
        (".cursor/extensions", "the Codex extension for Cursor"),
        (".windsurf/extensions", "the Codex extension for Windsurf"),
    ] {
        let Ok(entries) = std::fs::read_dir(home.join(editor)) else {
            continue;
        };
        let mut hits: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("openai.chatgpt-")
            })
            .map(|e| e.path())
            .collect();
        hits.sort();
        if let Some(path) = hits.pop() {
            found.push(shell_checks::GuiFrontEnd { name, path });
        }
    }
    found
}

/// The key mg-codex stored in its sh env file, if any.
pub(super) fn stored_key(shell_env: &shell::ShellEnv) -> Option<(String, PathBuf)> {
    let path = shell_env.env_file(Syntax::Posix);
    let text = std::fs::read_to_string(&path).ok()?;
    let key = shell::shells::parse_assignment(Syntax::Posix, &text)?;
    (!key.trim().is_empty()).then_some((key, path))
}

/// The catalogue the configs name (relative to `CODEX_HOME`), to copy with them for Codex.
pub(super) fn catalogue_name(base: &Path, selected: &Path) -> Vec<PathBuf> {
    [selected, base]
        .iter()
        .filter_map(|p| config_file::load_existing(p).ok().flatten())
        .filter_map(|d| d.root_str("model_catalog_json").map(PathBuf::from))
        .take(1)
        .collect()
}
