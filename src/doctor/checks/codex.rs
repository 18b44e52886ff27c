//! `codex.cli` (the installed Codex loads the config, or the profile, as it would at start) and
//! `codex.docs_mcp` (the ModelGates docs MCP server entry, when there is one).

use std::path::Path;

use serde::Serialize;

use super::Context;
use crate::codex_cli::CodexProbe;
use crate::doctor::{Category, Check, Finding};
use crate::layers::Layers;
use crate::problem::Fix;
use crate::setup::{docs_mcp_state, DocsMcpState, DOCS_MCP_NAME, DOCS_MCP_URL};

#[derive(Serialize)]
struct CliDetails<'a> {
    path: Option<&'a Path>,
    version: Option<&'a str>,
    /// What was run to judge the config (`codex features list`, `codex --profile NAME mcp
    /// list`).
    judged_with: Option<&'a str>,
    /// `ok`, `refused` or `not_run`.
    loads_config: &'static str,
    /// Codex's own words when it refuses.
    error: Option<&'a str>,
}

/// The dotted path Codex names in an error (`in \`features\``), as keys.
fn path_in_error(line: &str) -> Option<Vec<String>> {
    let rest = line.split("in `").nth(1)?;
    let path = rest.split('`').next()?;
    (!path.is_empty()).then(|| path.split('.').map(str::to_string).collect())
}

/// The file and line Codex names at the start of a parse error (`/h/.codex/x.toml:3:36: …`).
fn file_line_in_error(line: &str) -> Option<(std::path::PathBuf, usize)> {
    let (place, _) = line.split_once(": ")?;
    let mut parts = place.rsplitn(3, ':');
    let _column: usize = parts.next()?.parse().ok()?;
    let line_no: usize = parts.next()?.parse().ok()?;
    let file = parts.next()?;
    file.ends_with(".toml")
        .then(|| (std::path::PathBuf::from(file), line_no))
}

/// What `codex.cli` looks at.
pub struct CliInputs<'a> {
    /// `None`: no `codex` on PATH.
    pub probe: Option<&'a CodexProbe>,
    /// The file Codex was asked about (the profile's with `--profile`).
    pub config: &'a Path,
    /// The layers, to find the line Codex names.
    pub layers: &'a Layers<'a>,
    /// No OpenAI login is stored (`auth.json`), so `codex login status` says "Not logged in".
    pub no_openai_login: bool,
}

/// `codex.cli`.
pub fn cli(ctx: &Context, inputs: &CliInputs) -> Check {
    const ID: &str = "codex.cli";
    let mut f = Vec::new();
    let Some(probe) = inputs.probe else {
        f.push(
            Finding::warning(
                "codex_missing",
                "`codex` is not on PATH: Codex is not installed for this shell, so mg-codex cannot ask it whether it loads the config",
            )
            .fix(Fix::command_with(
                "npm install -g @openai/codex",
                "install it with `npm install -g @openai/codex` (or put its directory on PATH), then run `mg-codex doctor` again",
            )),
        );
        return Check::new(ID, Category::Codex, "", f).details(CliDetails {
            path: None,
            version: None,
            judged_with: None,
            loads_config: "not_run",
            error: None,
        });
    };
    let version = probe
        .version
        .as_deref()
        .unwrap_or("codex (unknown version)");
    let error = probe.loads_config.as_ref().err();
    if let Some(line) = error {
        let (code, what) = match ctx.profile {
            Some(p) => ("codex_refuses_profile", format!("the profile `{p}`")),
            None => ("codex_refuses_config", "the config".to_string()),
        };
        let named = file_line_in_error(line);
        let place = match &named {
            Some((file, line_no)) => Some((Some(file.as_path()), Some(*line_no))),
            None => path_in_error(line).and_then(|path| {
                let keys: Vec<&str> = path.iter().map(String::as_str).collect();
                inputs.layers.located(&keys)
            }),
        };
        let mut finding = Finding::fail(
            code,
            format!("{version} refuses {what}, so it does not start: {line}"),
        );
        let see = format!("`{}` shows Codex's error again", probe.judged_with);
        finding = match place {
            Some((Some(file), line_no)) => finding.file(file, line_no).fix(Fix::edit(
                file,
                line_no,
                format!(
                    "fix what Codex reports at `{}:{}` ({line}); {see}",
                    ctx.show(file),
                    line_no.map_or("?".into(), |l| l.to_string())
                ),
            )),
            _ => finding
                .file(inputs.config, None)
                .fix(Fix::instruction(format!(
                    "fix what Codex reports in `{}` ({line}); {see}",
                    ctx.show(inputs.config)
                ))),
        };
        f.push(finding);
    }
    if inputs.no_openai_login && error.is_none() {
        f.push(Finding::note(
            "login_status_not_logged_in",
            "`codex login status` says \"Not logged in\" (exit 1): that is about OpenAI logins, and expected with a ModelGates key; it is not a problem",
        ));
    }
    let ok = format!(
        "{version} at `{}` loads {}",
        ctx.show(&probe.path),
        match ctx.profile {
            Some(p) => format!("the profile `{p}`"),
            None => "the config".into(),
        }
    );
    Check::new(ID, Category::Codex, ok, f).details(CliDetails {
        path: Some(&probe.path),
        version: probe.version.as_deref(),
        judged_with: Some(&probe.judged_with),
        loads_config: if error.is_some() { "refused" } else { "ok" },
        error: error.map(String::as_str),
    })
}

#[derive(Serialize)]
struct DocsMcpDetails {
    name: &'static str,
    expected_url: &'static str,
    url: Option<String>,
    command: Option<String>,
    enabled: Option<bool>,
}

/// `codex.docs_mcp`: the ModelGates docs MCP server, when the config has an entry under its
/// name (`None`, so no row at all, when it has none: the server is optional).
pub fn docs_mcp(ctx: &Context, layers: &Layers) -> Option<Check> {
    const ID: &str = "codex.docs_mcp";
    let server = layers.mcp_server(DOCS_MCP_NAME)?;
    let state = docs_mcp_state(&server);
    let entry = format!("`[mcp_servers.{DOCS_MCP_NAME}]`");
    let place = layers.located(&["mcp_servers", DOCS_MCP_NAME]);
    let file = place.and_then(|(f, _)| f);
    let line = place.and_then(|(_, l)| l);
    // `codex mcp remove` edits only config.toml: an entry in a profile's file goes by hand.
    let in_profile = ctx.profile.is_some() && layers.top_layer_has_mcp_server(DOCS_MCP_NAME);
    let replace = || {
        let init = ctx.me.command("init --yes --docs-mcp");
        match (in_profile, file) {
            (true, Some(file)) => Fix::edit(
                file,
                line,
                format!(
                    "delete {entry} from `{}`, then run `{init}`",
                    ctx.show(file)
                ),
            ),
            _ => {
                let command = format!("codex mcp remove {DOCS_MCP_NAME} && {init}");
                Fix::command_with(
                    command.clone(),
                    format!("if it should be the ModelGates docs: `{command}`"),
                )
            }
        }
    };
    let locate = |finding: Finding| match file {
        Some(file) => finding.file(file, line),
        None => finding,
    };
    let mut f = Vec::new();
    match &state {
        DocsMcpState::Ours => {}
        DocsMcpState::Disabled => {
            let enabled = layers.located(&["mcp_servers", DOCS_MCP_NAME, "enabled"]);
            let fix = match enabled {
                Some((Some(file), line)) => Fix::edit(
                    file,
                    line,
                    format!(
                        "delete the line `enabled = false` under {entry} (`{}:{}`)",
                        ctx.show(file),
                        line.map_or("?".into(), |l| l.to_string())
                    ),
                ),
                _ => Fix::instruction(format!("delete `enabled = false` under {entry}")),
            };
            f.push(locate(
                Finding::warning(
                    "docs_mcp_disabled",
                    format!("{entry} {}: Codex does not start it", state.describe()),
                )
                .fix(fix),
            ));
        }
        DocsMcpState::OtherUrl(_) | DocsMcpState::Command(_) => f.push(locate(
            Finding::warning("docs_mcp_other", format!("{entry} {}", state.describe()))
                .fix(replace()),
        )),
        DocsMcpState::Unusable(_) => {
            // Codex refuses the file, so `codex mcp remove` cannot run: the entry goes by hand.
            let text = format!(
                "delete {entry} by hand, then run `{}`",
                ctx.me.command("init --yes --docs-mcp")
            );
            let fix = match file {
                Some(file) => Fix::edit(file, line, text),
                None => Fix::instruction(text),
            };
            f.push(locate(
                Finding::fail("docs_mcp_unusable", format!("{entry} {}", state.describe()))
                    .fix(fix),
            ))
        }
    }
    let ok = format!("the ModelGates docs MCP server `{DOCS_MCP_NAME}` is at `{DOCS_MCP_URL}`");
    Some(
        Check::new(ID, Category::Codex, ok, f).details(DocsMcpDetails {
            name: DOCS_MCP_NAME,
            expected_url: DOCS_MCP_URL,
            url: server.url,
            command: server.command,
            enabled: server.enabled,
        }),
    )
}
