//! The catalogue file (`model_catalog_json`) as `init`, `model` and `models --sync` keep it:
//! what to write ([`crate::catalog::build`] from the live catalogue, or from the configured
//! model alone when the catalogue was not asked), checked by the installed Codex before it
//! replaces anything, and written atomically (0600 for a new file) beside the config.
//!
//! The rule for a catalogue that cannot be fetched or checked: the file there stays as it is
//! (and so does the config's key). Only when there is no file yet and the catalogue was not
//! fetched is one written from what is known offline (the configured model's id), so Codex
//! still gets the model's metadata and, with command auth, does not fetch `/models` itself.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result};

use crate::api::Model;
use crate::catalog::{self, BuildInput, CatalogError};
use crate::codex_cli;
use crate::env::Env;
use crate::fsutil;
use crate::ui::Printer;

/// The installed Codex to take its own entries from and to check a catalogue with: the native
/// binary behind the `codex` on `PATH` ([`codex_cli::native_binary`]).
pub(crate) fn installed_codex(env: &Env) -> Option<PathBuf> {
    crate::program::find("codex", env.path.as_deref()).map(|p| codex_cli::native_binary(&p))
}

/// Why there is no live catalogue to build from.
#[derive(Debug, Clone)]
pub(crate) enum Unfetched {
    /// The user asked for no request (`--no-verify`).
    NotAsked,
    /// The request failed: why.
    Failed(String),
}

/// What to build a catalogue from, and where it goes.
pub(crate) struct Request<'a> {
    pub path: &'a Path,
    pub models: Result<&'a [Model], Unfetched>,
    pub configured: Option<&'a str>,
    pub effort: Option<&'a str>,
    pub all_models: bool,
    pub base_url: &'a str,
    /// The Codex whose own entries follow ours and which checks the result.
    pub codex: Option<&'a Path>,
    /// Rewrite the file even when only its date would change (`models --sync`).
    pub refresh: bool,
    /// The command that refreshes the catalogue, for messages (`mg-codex models --sync`).
    pub sync_command: String,
}

/// What is in a catalogue that is written (or already there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Summary {
    pub ours: usize,
    pub own: usize,
    pub codex_version: Option<String>,
    pub without_tools: usize,
    /// Built from the configured model's id alone (no catalogue was fetched).
    pub offline: bool,
}

#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    /// Write this text.
    Write { text: String, summary: Summary },
    /// The file holds this already (apart from its date): nothing to write.
    Current,
    /// Nothing is written; the file, if there is one, stays as it is: why, and whether that is
    /// worth a warning (it is not when the user asked for no request).
    Keep {
        exists: bool,
        why: String,
        warn: bool,
    },
}

/// What [`plan`] decided, with the warnings to print.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub path: PathBuf,
    pub outcome: Outcome,
    /// Whether there was a file before.
    pub existed: bool,
    pub warnings: Vec<String>,
}

impl Plan {
    /// Whether a catalogue file is there once the plan is carried out.
    pub fn file_after(&self) -> bool {
        match &self.outcome {
            Outcome::Write { .. } | Outcome::Current => true,
            Outcome::Keep { exists, .. } => *exists,
        }
    }

    /// Whether carrying it out writes the file.
    pub fn writes(&self) -> bool {
        matches!(self.outcome, Outcome::Write { .. })
    }

    /// The path as `model_catalog_json` holds it (absolute: Codex resolves a relative one
    /// against `CODEX_HOME`, and does not expand `~`).
    pub fn config_value(&self) -> String {
        self.path.display().to_string()
    }

    /// Writes the file when the plan says so (atomically, through a symlink; 0600 when new).
    pub fn write(&self) -> Result<()> {
        let Outcome::Write { text, .. } = &self.outcome else {
            return Ok(());
        };
        let target = fsutil::resolve_symlinks(&self.path)?;
        fsutil::write_atomic(&target, text.as_bytes(), fsutil::NEW_FILE_MODE)
            .with_context(|| format!("saving `{}`", self.path.display()))
    }

    /// One line for a dry run, or `None` when nothing would be written.
    pub fn dry_run_line(&self) -> Option<String> {
        let Outcome::Write { summary, .. } = &self.outcome else {
            return None;
        };
        let verb = if self.existed { "rewrite" } else { "create" };
        Some(format!(
            "Would {verb} `{}` ({})",
            self.path.display(),
            describe(summary)
        ))
    }

    /// Prints what was done (after [`Self::write`]) and the warnings.
    pub fn report(&self, printer: &Printer) {
        for w in &self.warnings {
            printer.warn(w);
        }
        match &self.outcome {
            Outcome::Write { summary, .. } => {
                let verb = if self.existed { "Updated" } else { "Created" };
                super::report_file(printer, verb, &self.path, None);
                printer.message(&format!(
                    "  the model catalogue Codex reads: {}",
                    describe(summary)
                ));
            }
            Outcome::Current => {}
            Outcome::Keep {
                why, warn: true, ..
            } => printer.warn(why),
            Outcome::Keep { why, .. } => printer.message(why),
        }
    }
}

/// "3 ModelGates models and 12 of codex-cli 0.169.0's own".
fn describe(s: &Summary) -> String {
    let ours = match (s.ours, s.offline) {
        (1, true) => "the configured model only (no catalogue was fetched)".to_string(),
        (1, false) => "1 ModelGates model".to_string(),
        (n, _) => format!("{n} ModelGates models"),
    };
    let mut text = match (&s.codex_version, s.own) {
        (Some(v), n) if n > 0 => format!("{ours} and {n} of {v}'s own"),
        _ => ours,
    };
    if s.without_tools > 0 {
        text.push_str(&format!(
            "; {} without tool support left out (`--all-models` keeps them)",
            s.without_tools
        ));
    }
    text
}

/// Decides what the catalogue file becomes: built from the live catalogue (or offline, when
/// there is no file yet), followed by the installed Codex's own entries, checked with that
/// Codex (`codex debug models`); kept as it is when the catalogue cannot be fetched, built or
/// checked. Runs Codex, reads the file; writes nothing.
pub(crate) fn plan(req: &Request<'_>) -> Plan {
    let path = req.path.to_path_buf();
    let existing = match fsutil::read_optional(req.path) {
        Ok(bytes) => bytes.map(|b| String::from_utf8_lossy(&b).into_owned()),
        Err(e) => {
            return Plan {
                path,
                // Not a file Codex could read either: the config is not pointed at it.
                outcome: Outcome::Keep {
                    exists: false,
                    why: format!("{e:#}: the model catalogue was not written"),
                    warn: true,
                },
                existed: true,
                warnings: Vec::new(),
            };
        }
    };
    let existed = existing.is_some();
    if let Some(text) = &existing {
        if !catalog::inspect(text).is_ok_and(|info| info.is_ours()) {
            return Plan {
                path,
                outcome: Outcome::Keep {
                    exists: false,
                    why: format!(
                        "`{}` is not a model catalogue mg-codex wrote, so it was left alone and none was written\n  move it away and run `{}`",
                        req.path.display(),
                        req.sync_command
                    ),
                    warn: true,
                },
                existed,
                warnings: Vec::new(),
            };
        }
    }
    let keep_as = |why: String, warn: bool| Plan {
        path: req.path.to_path_buf(),
        outcome: Outcome::Keep {
            exists: existed,
            why,
            warn,
        },
        existed,
        warnings: Vec::new(),
    };
    let keep = |why: String| keep_as(why, true);
    let shown = req.path.display();
    let offline;
    let models: &[Model] = match &req.models {
        Ok(models) => models,
        Err(unfetched) if existed => {
            let info = existing.as_deref().and_then(|t| catalog::inspect(t).ok());
            let lacks = match (req.configured, &info) {
                (Some(m), Some(info)) if !info.contains(m) => {
                    format!("; it does not list `{m}`, so Codex uses fallback metadata for it")
                }
                _ => String::new(),
            };
            return match unfetched {
                // Asked for no request, and the file knows the model: nothing to say.
                Unfetched::NotAsked if lacks.is_empty() && info.is_some() => Plan {
                    path,
                    outcome: Outcome::Current,
                    existed,
                    warnings: Vec::new(),
                },
                Unfetched::NotAsked => keep_as(
                    format!(
                        "`{shown}` was left as it is (`--no-verify` sends no request){lacks}; `{}` refreshes it",
                        req.sync_command
                    ),
                    !lacks.is_empty(),
                ),
                Unfetched::Failed(e) => keep(format!(
                    "could not fetch the ModelGates catalogue from `{}` ({e}), so `{shown}` was left as it is{lacks}\n  `{}` refreshes it",
                    req.base_url, req.sync_command
                )),
            };
        }
        Err(unfetched) => {
            let Some(id) = req.configured else {
                return keep(format!(
                    "no model catalogue was written to `{shown}`: {}\n  `{}` writes it",
                    match unfetched {
                        Unfetched::NotAsked => "no request was sent".to_string(),
                        Unfetched::Failed(e) => format!(
                            "the catalogue could not be fetched from `{}` ({e})",
                            req.base_url
                        ),
                    },
                    req.sync_command
                ));
            };
            offline = [catalog::offline_model(id)];
            &offline
        }
    };
    let is_offline = req.models.is_err();

    let mut warnings = Vec::new();
    let (own, codex_version) = match req.codex {
        Some(codex) => {
            let version = {
                let codex = codex.to_path_buf();
                std::thread::spawn(move || codex_cli::version(&codex))
            };
            let own = codex_cli::own_models(codex)
                .and_then(|text| catalog::own_entries(&text).map_err(|e| e.to_string()));
            let version = version.join().unwrap_or(None);
            match own {
                Ok(own) => (own, version),
                Err(e) => {
                    warnings.push(format!(
                        "could not read the installed Codex's own models (`{} debug models`: {e}): the catalogue lists ModelGates' models only, so OpenAI's get fallback metadata in Codex",
                        codex.display()
                    ));
                    (Vec::new(), version)
                }
            }
        }
        None => (Vec::new(), None),
    };
    let built = match catalog::build(&BuildInput {
        models,
        configured: req.configured,
        effort: req.effort,
        all_models: req.all_models,
        own: &own,
        codex_version: codex_version.as_deref(),
        base_url: req.base_url,
        written_at: SystemTime::now(),
    }) {
        Ok(built) => built,
        Err(CatalogError::Empty) => {
            return keep(format!(
                "the ModelGates catalogue at `{}` lists no model with tool support, so `{shown}` was not written\n  `{} --all-models` lists the others",
                req.base_url, req.sync_command
            ));
        }
        Err(e) => return keep(format!("the model catalogue was not written: {e}")),
    };
    let summary = Summary {
        ours: built.ours.len(),
        own: built.own,
        codex_version: codex_version.clone(),
        without_tools: built.without_tools,
        offline: is_offline,
    };
    if let Some(configured) = req.configured {
        if !is_offline && !built.ours.iter().any(|o| o == configured) {
            warnings.push(format!(
                "the configured model `{configured}` is not in the ModelGates catalogue at `{}`, so the model catalogue does not list it: Codex uses fallback metadata for it",
                req.base_url
            ));
        }
    }
    if !req.refresh
        && existing
            .as_deref()
            .is_some_and(|old| catalog::same_apart_from_date(old, &built.text))
    {
        return Plan {
            path,
            outcome: Outcome::Current,
            existed,
            warnings,
        };
    }
    if let Some(codex) = req.codex {
        let who = codex_version.as_deref().unwrap_or("the installed Codex");
        match codex_cli::check_catalog(codex, &built.text) {
            Ok(listed) => {
                if let Some(missing) = built.ours.iter().find(|o| !listed.contains(o)) {
                    return keep(format!(
                        "{who} loads the new model catalogue but does not list `{missing}` from it, so `{shown}` was left as it is\n  this Codex may need a newer mg-codex; `--no-catalog` sets up without the catalogue"
                    ));
                }
            }
            Err(e) => {
                return keep(format!(
                    "{who} refuses the new model catalogue ({e}), so `{shown}` was left as it is\n  this Codex may need a newer mg-codex; `--no-catalog` sets up without the catalogue"
                ));
            }
        }
    }
    Plan {
        path,
        outcome: Outcome::Write {
            text: built.text,
            summary,
        },
        existed,
        warnings,
    }
}
