//! `mg-codex completions SHELL` and `mg-codex man`: generated from the clap definition, so they
//! never drift from the real flags.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManArgs};
use crate::ui::Printer;

const BIN: &str = "mg-codex";

pub fn run(args: &CompletionsArgs, printer: &Printer) -> Result<ExitCode> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), BIN, &mut out);
    if args.shell == clap_complete::Shell::Bash {
        out = fix_bash_states(&out);
    }
    printer.data_bytes(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// clap_complete (4.6.11 and earlier) spells bash's subcommand states two ways for a binary
/// whose name has a hyphen: the loop builds `mg__codex__subcmd__init`, the case arms read
/// `mg__subcmd__codex__subcmd__init`, so no subcommand's flags ever complete
/// (clap-rs/clap#6421). The arms are rewritten to the loop's spelling.
fn fix_bash_states(script: &[u8]) -> Vec<u8> {
    let (arms, states) = (BIN.replace('-', "__subcmd__"), BIN.replace('-', "__"));
    String::from_utf8_lossy(script)
        .replace(&arms, &states)
        .into_bytes()
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
