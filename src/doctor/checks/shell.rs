//! `shell.profiles`: every shell the user uses (the login shell, and shells with a startup
//! file) gets the key in a new terminal, from mg-codex's private env file or from a line of the
//! user's own (credited, with its file and line); no line of the user's overrides the key
//! mg-codex stores; and when a GUI front end of Codex is installed, that the shells' key does
//! not reach it.

use std::path::Path;

use super::Context;
use crate::doctor::{Category, Check, Finding};
use crate::problem::Fix;
use crate::project::shell_quote;
use crate::shell::{self, BlockState};

/// A Codex front end that does not read shell profiles, found installed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuiFrontEnd {
    /// "Codex Desktop", "the Codex IDE extension".
    pub name: &'static str,
    pub path: std::path::PathBuf,
}

/// `shell.profiles`. `command_auth`: the provider gets its key from a command, which every front
/// end runs (the GUI note does not apply).
pub fn profiles(
    ctx: &Context,
    status: &shell::Status,
    guis: &[GuiFrontEnd],
    command_auth: bool,
) -> Check {
    const ID: &str = "shell.profiles";
    let mut f = Vec::new();
    let show = |p: &Path| ctx.show(p);
    if status.dir_exists && !status.dir_private {
        f.push(
            Finding::warning(
                "dir_public",
                format!("`{}` is readable by others", show(&status.dir)),
            )
            .file(&status.dir, None)
            .fix(Fix::command(format!(
                "chmod 700 {}",
                shell_quote(&status.dir.display().to_string())
            ))),
        );
    }
    let in_use: Vec<&shell::ShellStatus> = status.shells.iter().filter(|s| s.in_use()).collect();
    let mut served = Vec::new();
    for sh in &in_use {
        let name = sh.shell.to_string();
        for profile in &sh.profiles {
            if let BlockState::Broken { problem } = &profile.block {
                f.push(
                    Finding::fail(
                        "markers_damaged",
                        format!(
                            "the mg-codex markers in `{}` are damaged: {problem}",
                            show(&profile.path)
                        ),
                    )
                    .file(&profile.path, Some(problem.line()))
                    .fix(Fix::edit(
                        &profile.path,
                        Some(problem.line()),
                        format!(
                            "fix line {} of `{}` by hand (or delete the mg-codex lines), then run `{}`",
                            problem.line(),
                            show(&profile.path),
                            ctx.me.command("init --yes")
                        ),
                    )),
                );
            }
        }
        let overriding: Vec<&shell::UserDefinition> = sh.overriding().collect();
        if sh.has_block() {
            let env_file = &sh.env_file;
            let holds_key_itself = sh
                .profiles
                .iter()
                .any(|p| matches!(p.block, BlockState::HoldsKey { .. }));
            if !env_file.present && !holds_key_itself {
                f.push(
                    Finding::fail(
                        "env_file_missing",
                        format!(
                            "{name}'s profile loads `{}`, which does not exist: new {name} terminals get no key",
                            show(&env_file.path)
                        ),
                    )
                    .file(&env_file.path, None)
                    .fix(ctx.run("init --yes")),
                );
            } else if env_file.present && !env_file.private {
                f.push(
                    Finding::warning(
                        "env_file_public",
                        format!(
                            "`{}` holds the key but is readable by others",
                            show(&env_file.path)
                        ),
                    )
                    .file(&env_file.path, None)
                    .fix(Fix::command(format!(
                        "chmod 600 {}",
                        shell_quote(&env_file.path.display().to_string())
                    ))),
                );
            }
            if sh.profiles.iter().any(|p| p.block == BlockState::Outdated) {
                f.push(
                    Finding::warning(
                        "block_outdated",
                        format!("{name}'s mg-codex block is from an older set-up"),
                    )
                    .fix(ctx.run("init --yes")),
                );
            }
            served.push(name.clone());
            for def in overriding {
                f.push(
                    Finding::warning(
                        "user_line_overrides",
                        format!(
                            "`{}:{}` sets `{}` too and {} the key mg-codex stores",
                            show(&def.file),
                            def.line,
                            shell::VAR,
                            if def.precedence == shell::Precedence::Overrides {
                                "overrides"
                            } else {
                                "may override"
                            }
                        ),
                    )
                    .file(&def.file, Some(def.line))
                    .fix(Fix::edit(
                        &def.file,
                        Some(def.line),
                        format!(
                            "delete line {} of `{}` (mg-codex keeps the key in `{}`)",
                            def.line,
                            show(&def.file),
                            show(&sh.env_file.path)
                        ),
                    )),
                );
            }
        } else if let Some(def) = sh.definitions.first() {
            // No block of ours: the user's own line gives the key.
            f.push(
                Finding::note(
                    "user_line_provides",
                    format!(
                        "{name} gets `{}` from your own line `{}:{}`",
                        shell::VAR,
                        show(&def.file),
                        def.line
                    ),
                )
                .file(&def.file, Some(def.line)),
            );
            served.push(format!("{name} (from `{}:{}`)", show(&def.file), def.line));
        } else {
            let which = if sh.login {
                "your login shell"
            } else {
                "in use"
            };
            f.push(
                Finding::warning(
                    "shell_no_block",
                    format!(
                        "{name} is {which}, but new {name} terminals do not get `{}`",
                        shell::VAR
                    ),
                )
                .fix(ctx.run(&format!("init --yes --shell {}", sh.shell.name()))),
            );
        }
    }
    if !command_auth {
        if let Some(gui) = guis.first() {
            f.push(
                Finding::warning(
                    "gui_front_end",
                    format!(
                        "{} is installed (`{}`): it does not read shell profiles, so the key in `{}` does not reach it",
                        gui.name,
                        show(&gui.path),
                        shell::VAR
                    ),
                )
                .file(&gui.path, None)
                .fix(ctx.run_with("init --yes --key-source command", |c| {
                    format!("`{c}` lets every Codex front end get the key from `mg-codex key print`")
                })),
            );
        }
    }
    let ok = if in_use.is_empty() {
        "no bash, zsh, fish or sh in use".to_string()
    } else {
        format!("new terminals get the key: {}", served.join(", "))
    };
    Check::new(ID, Category::Shell, ok, f).details(status)
}
