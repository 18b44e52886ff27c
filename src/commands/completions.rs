//! `mg-codex completions SHELL` and `mg-codex man`: generated from the clap definition, so they
//! never drift from the real flags.
//!
//! The scripts are clap_complete's static ones, plus, for bash, zsh, fish and elvish, a hook
//! (`assets/completions/model-ids.*`) that completes `mg-codex model <TAB>` by running
//! `mg-codex __complete-models -- WORDS…` ([`model_ids`]): the words of the command line up to
//! the cursor, the one being typed last (empty after a space). It prints the ids of the model
//! catalogue mg-codex wrote (`$CODEX_HOME/modelgates-models.json`, `NAME.modelgates-models.json`
//! with `--profile` on the line), one per line with a tab and the display name, and nothing
//! when the word is not `model`'s ID or there is no catalogue. It reads that one file and never
//! the network. It is no clap subcommand, so no script, help or man page lists it.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{CommandFactory, Parser};
use clap_complete::Shell;

use crate::catalog;
use crate::cli::{Cli, Command, CompletionsArgs, GlobalArgs, ManArgs};
use crate::env::Env;
use crate::ui::Printer;

const BIN: &str = "mg-codex";
/// The first argument that asks for model ids instead of a command.
pub const COMPLETE_MODELS: &str = "__complete-models";
/// What a hook sends when the word typed so far is empty (a well-formed id, so the parser
/// takes it as `model`'s ID).
const PLACEHOLDER: &str = "author/model";

pub fn run(args: &CompletionsArgs, printer: &Printer) -> Result<ExitCode> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), BIN, &mut out);
    let script =
        String::from_utf8(out).context("clap_complete wrote a script that is not UTF-8")?;
    let script = with_model_ids(args.shell, &script)?;
    printer.data_bytes(script.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// clap's script for `shell` with the model-id hook added (PowerShell's is unchanged).
fn with_model_ids(shell: Shell, script: &str) -> Result<String> {
    Ok(match shell {
        Shell::Bash => {
            let script = fix_bash_states(script);
            let register = "complete -F _mg__codex ";
            if script.matches(register).count() != 2 || !script.contains("_mg__codex() {") {
                bail!("clap_complete's bash script changed shape: the model-id hook was not added");
            }
            let script = script.replace(register, "complete -F _mg_codex_with_model_ids ");
            format!(
                "{script}{}",
                include_str!("../../assets/completions/model-ids.bash")
            )
        }
        Shell::Zsh => {
            let (mut hooked, mut found) = (String::with_capacity(script.len() + 1024), false);
            for line in script.split_inclusive('\n') {
                if line.starts_with("'::id -- ") && line.trim_end().ends_with(":_default' \\") {
                    hooked.push_str(&line.replacen(":_default' \\", ":_mg-codex_model_ids' \\", 1));
                    found = true;
                } else {
                    if line.starts_with("if [ \"$funcstack[1]\" = \"_mg-codex\" ]") {
                        hooked.push_str(include_str!("../../assets/completions/model-ids.zsh"));
                    }
                    hooked.push_str(line);
                }
            }
            if !found || !hooked.contains("_mg-codex_model_ids() {") {
                bail!("clap_complete's zsh script changed shape: the model-id hook was not added");
            }
            hooked
        }
        Shell::Fish => format!(
            "{script}{}",
            include_str!("../../assets/completions/model-ids.fish")
        ),
        Shell::Elvish => format!(
            "{script}{}",
            include_str!("../../assets/completions/model-ids.elv")
        ),
        _ => script.to_string(),
    })
}

/// clap_complete (4.6.11 and earlier) spells bash's subcommand states two ways for a binary
/// whose name has a hyphen: the loop builds `mg__codex__subcmd__init`, the case arms read
/// `mg__subcmd__codex__subcmd__init`, so no subcommand's flags ever complete
/// (clap-rs/clap#6421). The arms are rewritten to the loop's spelling.
fn fix_bash_states(script: &str) -> String {
    let (arms, states) = (BIN.replace('-', "__subcmd__"), BIN.replace('-', "__"));
    script.replace(&arms, &states)
}

/// `mg-codex __complete-models -- WORDS…`: the model ids for the word being typed, one per line
/// (`id`, a tab and the display name when there is one); nothing, and exit 0, in every other
/// case, for a shell's completion must never print an error.
pub fn model_ids(args: &[String], env: &Env, printer: &Printer) -> ExitCode {
    let words = args.strip_prefix(&["--".to_string()]).unwrap_or(args);
    for (id, name) in ids_for(words, env) {
        match name {
            Some(name) => printer.data(&format!("{id}\t{}", one_line(&name))),
            None => printer.data(&id),
        }
    }
    ExitCode::SUCCESS
}

/// The catalogue's ids that start with the word being typed, when it is `model`'s ID.
fn ids_for(words: &[String], env: &Env) -> Vec<(String, Option<String>)> {
    let Some((global, prefix)) = id_being_typed(words) else {
        return Vec::new();
    };
    let Ok(home) = super::codex_home(&global, env) else {
        return Vec::new();
    };
    // A profile's own catalogue, else the one of `config.toml` (which the profile layers on).
    let profile = global.profile.as_deref();
    let files = profile
        .map(|p| catalog::path_in(&home.dir, Some(p)))
        .into_iter()
        .chain([catalog::path_in(&home.dir, None)]);
    for file in files {
        if let Ok(Some(bytes)) = crate::fsutil::read_optional(&file) {
            let mut ids = catalog::model_ids(&String::from_utf8_lossy(&bytes));
            ids.retain(|(id, _)| id.starts_with(&prefix));
            return ids;
        }
    }
    Vec::new()
}

/// The global flags on the line and the start of the model id being typed, when the last of
/// `words` (a command line up to the cursor) is `mg-codex model`'s ID: the parser itself
/// decides, on the line with that word (or [`PLACEHOLDER`] for an empty one). Words before the
/// last `mg-codex` (`cd x && mg-codex …`) are left out.
fn id_being_typed(words: &[String]) -> Option<(GlobalArgs, String)> {
    let start = words
        .iter()
        .rposition(|w| Path::new(w).file_name().is_some_and(|n| n == BIN))
        .unwrap_or(0);
    let (current, before) = words[start..].split_last()?;
    if before.is_empty() || current.starts_with('-') {
        return None;
    }
    let probe = if current.is_empty() {
        PLACEHOLDER
    } else {
        current
    };
    let line = before.iter().map(String::as_str).chain([probe]);
    let cli = Cli::try_parse_from(line).ok()?;
    match cli.command {
        Command::Model(args) if args.id.as_deref() == Some(probe) => {
            Some((cli.global, current.clone()))
        }
        _ => None,
    }
}

/// A display name on one line, without tabs (the hooks split at the first tab).
fn one_line(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

pub fn man(args: &ManArgs, printer: &Printer) -> Result<ExitCode> {
    let cmd = Cli::command();
    match &args.dir {
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut out)
                .context("rendering the man page")?;
            printer.data_bytes(&out)?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create `{}`", dir.display()))?;
            let written = write_pages(cmd, dir)?;
            printer.message(&format!(
                "Wrote {written} man pages into `{}` (try `man mg-codex` once it is on MANPATH)",
                dir.display()
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `mg-codex.1` and `mg-codex-<sub>.1` for every visible subcommand (once built, a
/// subcommand's display name is `mg-codex-<sub>`, which clap_mangen uses for the file and the
/// page).
fn write_pages(cmd: clap::Command, dir: &Path) -> Result<usize> {
    let mut cmd = cmd;
    cmd.build();
    let pages: Vec<clap::Command> = std::iter::once(cmd.clone())
        .chain(
            cmd.get_subcommands()
                .filter(|s| !s.is_hide_set() && s.get_name() != "help")
                .cloned(),
        )
        .collect();
    for page in &pages {
        let man = clap_mangen::Man::new(page.clone());
        let path = dir.join(man.get_filename());
        let mut out = Vec::new();
        man.render(&mut out)
            .with_context(|| format!("rendering `{}`", path.display()))?;
        crate::fsutil::write_atomic(&path, &out, 0o644)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(pages.len())
}
