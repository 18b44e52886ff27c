//! One module per subcommand: orchestration only (resolve paths, call the core, print).

pub mod doctor;
pub mod init;
pub mod trust;
pub mod uninstall;

use anyhow::Result;

use crate::cli::GlobalArgs;
use crate::config_file::CodexHome;
use crate::env::Env;

/// The Codex home the global flags and the environment select.
pub fn codex_home(global: &GlobalArgs, env: &Env) -> Result<CodexHome> {
    CodexHome::resolve(
        global.codex_home.as_deref(),
        env.codex_home.as_deref(),
        env.home.as_deref(),
        &env.cwd,
    )
}
