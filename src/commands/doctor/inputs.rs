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

/// The catalogue the configs name (relative to `CODEX_HOME`), to copy with them for Codex.
pub(super) fn catalogue_name(base: &Path, selected: &Path) -> Vec<PathBuf> {
    [selected, base]
        .iter()
        .filter_map(|p| config_file::load_existing(p).ok().flatten())
        .filter_map(|d| d.root_str("model_catalog_json").map(PathBuf::from))
        .take(1)
        .collect()
}

/// Where the managed and system layers live (`/etc/codex`); `MG_CODEX_SYSTEM_CONFIG_DIR`
/// points elsewhere (tests, and machines that keep them elsewhere).
const SYSTEM_CONFIG_DIR: &str = "/etc/codex";

/// Where everything is: the Codex home (or why it is unusable), the config files the flags
/// select, and what `$CODEX_HOME/.env` adds to Codex's environment (a proxy, a key).
pub(super) struct Where {
    pub(super) home: Result<PathBuf, Loaded>,
    /// The home's directory, even when it is unusable (for messages).
    pub(super) home_dir: PathBuf,
    pub(super) base_path: PathBuf,
    /// The profile's file, else `base_path`.
    pub(super) selected_path: PathBuf,
    pub(super) dotenv_path: PathBuf,
    /// The `.env` assignments that apply (not already set in the environment).
    pub(super) dotenv: Vec<crate::dotenv::Assignment>,
}

impl Where {
    pub(super) fn locate(global: &GlobalArgs, env: &Env) -> Self {
        let home = resolve_home(global, env);
        let home_dir = match &home {
            Ok(dir) => dir.clone(),
            Err(Loaded::HomeMissing { dir, .. } | Loaded::HomeNotDir { dir, .. }) => dir.clone(),
            Err(_) => PathBuf::from(".codex"),
        };
        let base_path = home_dir.join("config.toml");
        let selected_path = match global.profile.as_deref() {
            Some(p) => home_dir.join(format!("{p}.config.toml")),
            None => base_path.clone(),
        };
        let dotenv_path = home_dir.join(".env");
        let dotenv = std::fs::read_to_string(&dotenv_path)
            .map(|t| crate::dotenv::applied(&t))
            .unwrap_or_default()
            .into_iter()
            .filter(|a| env.var(&a.name).is_none())
            .collect();
        Self {
            home,
            home_dir,
            base_path,
            selected_path,
            dotenv_path,
            dotenv,
        }
    }
}

/// The installed Codex's verdict, asked in a thread of its own from the start (it is the
/// slowest input): the `codex` on PATH, through the native binary behind npm's shim (no Node
/// start-up), judging the files as they are, not our parse of them. Returns the `codex` on
/// PATH (as the report names it) and the thread, which answers the probe and how long it took.
pub(super) fn spawn_codex_probe(
    at: &Where,
    profile: Option<&str>,
    env: &Env,
) -> (
    Option<PathBuf>,
    std::thread::JoinHandle<(Option<codex_cli::CodexProbe>, std::time::Duration)>,
) {
    let codex_on_path = crate::program::find("codex", env.path.as_deref());
    let codex_program = codex_on_path.as_deref().map(codex_cli::native_binary);
    let codex = codex_program.clone();
    let home_ok = at.home.is_ok();
    let home_dir = at.home_dir.clone();
    let profile = profile.map(str::to_string);
    let catalogue = catalogue_name(&at.base_path, &at.selected_path);
    let thread = std::thread::spawn(move || {
        let t = Instant::now();
        let probe = codex.map(|codex| {
            let files = if home_ok {
                codex_cli::config_files(profile.as_deref(), &catalogue)
            } else {
                Vec::new()
            };
            codex_cli::probe(&codex, &home_dir, profile.as_deref(), &files)
        });
        (probe, t.elapsed())
    });
    (codex_on_path, thread)
}

/// The config files, each loaded as Codex would (or why not): the base and the profile's file,
/// the managed layers and the system file, and a project's own `.codex/config.toml`.
pub(super) struct Files {
    pub(super) base: Loaded,
    pub(super) selected: Option<Loaded>,
    pub(super) managed: Vec<(PathBuf, Option<ConfigDocument>)>,
    pub(super) system: (PathBuf, Option<ConfigDocument>),
    pub(super) local_path: Option<PathBuf>,
    pub(super) local: Option<ConfigDocument>,
}

impl Files {
    pub(super) fn load(at: &Where, profile: Option<&str>, env: &Env) -> Self {
        let system_dir = env
            .var("MG_CODEX_SYSTEM_CONFIG_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(SYSTEM_CONFIG_DIR));
        let (base, selected) = match &at.home {
            Ok(_) => (
                load(&at.base_path),
                profile.map(|_| load(&at.selected_path)),
            ),
            Err(_) => (Loaded::Missing, None),
        };
        let load_if_file = |path: PathBuf| {
            let doc = path
                .is_file()
                .then(|| config_file::load_existing(&path).ok().flatten())
                .flatten();
            (path, doc)
        };
        let managed = ["managed_config.toml", "requirements.toml"]
            .iter()
            .map(|name| load_if_file(system_dir.join(name)))
            .filter(|(_, d)| d.is_some())
            .collect();
        let system = load_if_file(system_dir.join("config.toml"));
        let local_path = project_local(&env.cwd, &at.base_path);
        let local = local_path
            .as_ref()
            .and_then(|p| config_file::load_existing(p).ok().flatten());
        Self {
            base,
            selected,
            managed,
            system,
            local_path,
            local,
        }
    }

    /// The layers as Codex stacks them: managed, the profile's file, `config.toml`, system.
    pub(super) fn layers<'a>(&'a self, at: &'a Where) -> Layers<'a> {
        Layers::of(
            self.managed
                .iter()
                .filter(|(p, _)| p.ends_with("managed_config.toml"))
                .map(|(p, d)| (p.as_path(), d.as_ref()))
                .chain(
                    self.selected
                        .as_ref()
                        .map(|s| (at.selected_path.as_path(), s.doc())),
                )
                .chain(std::iter::once((at.base_path.as_path(), self.base.doc())))
                .chain(std::iter::once((
                    self.system.0.as_path(),
                    self.system.1.as_ref(),
                ))),
        )
    }
}
