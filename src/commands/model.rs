//! `mg-codex model` (not built yet).

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{GlobalArgs, ModelArgs};
use crate::env::Env;
use crate::ui::Printer;

pub fn run(
    _global: &GlobalArgs,
    _args: &ModelArgs,
    _env: &Env,
    _printer: &Printer,
) -> Result<ExitCode> {
    anyhow::bail!("not built yet")
}
