//! `mg-codex models` (not built yet).

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{GlobalArgs, ModelsArgs};
use crate::env::Env;
use crate::ui::Printer;

pub fn run(
    _global: &GlobalArgs,
    _args: &ModelsArgs,
    _env: &Env,
    _printer: &Printer,
) -> Result<ExitCode> {
    anyhow::bail!("not built yet")
}
