//! The provider's `auth = { command, args }`: read from the layers and run as Codex runs it
//! (with a timeout), so the key it prints is checked like any other, and masked.

use super::*;

/// The provider's `auth = { command, args }`.
pub(super) struct AuthCommand {
    pub(super) program: String,
    pub(super) args: Vec<String>,
    /// As a person would type it.
    pub(super) shown: String,
    /// `mg-codex key print`.
    pub(super) ours: bool,
}

pub(super) fn auth_command(layers: &Layers) -> Option<AuthCommand> {
    let auth = layers.item_at(&["model_providers", PROVIDER_ID, "auth"])?;
    let table = auth.as_table_like()?;
    let program = table.get("command")?.as_str()?.to_string();
    let args: Vec<String> = table
        .get("args")
        .and_then(|a| a.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let shown = std::iter::once(program.as_str())
        .chain(args.iter().map(String::as_str))
        .map(crate::project::shell_quote)
        .collect::<Vec<_>>()
        .join(" ");
    Some(AuthCommand {
        ours: crate::setup::is_our_auth(auth),
        program,
        args,
        shown,
    })
}

/// Runs the key command as Codex would (its environment, `$CODEX_HOME/.env` included).
pub(super) fn run_auth_command(
    auth: &AuthCommand,
    env: &Env,
    dotenv: &[crate::dotenv::Assignment],
) -> key_checks::CommandKey {
    let program = Path::new(&auth.program);
    let found = if program.components().count() > 1 {
        program.is_file().then(|| program.to_path_buf())
    } else {
        crate::program::find(&auth.program, env.path.as_deref())
    };
    let Some(found) = found else {
        return key_checks::CommandKey::NotFound;
    };
    let mut cmd = std::process::Command::new(found);
    cmd.args(&auth.args)
        .envs(dotenv.iter().map(|a| (a.name.as_str(), a.value.as_str())));
    match crate::program::run(&mut cmd, crate::program::TIMEOUT) {
        Ok(out) if out.success => key_checks::CommandKey::Output(out.stdout),
        Ok(out) => key_checks::CommandKey::Failed {
            status: "exits with an error".into(),
            stderr: out.stderr.lines().next().unwrap_or("").trim().to_string(),
        },
        Err(crate::program::RunError::NoAnswer(_)) => key_checks::CommandKey::TimedOut,
        Err(_) => key_checks::CommandKey::NotFound,
    }
}
