//! Command-line types (clap derive). The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::{Args, Parser, Subcommand, ValueEnum};

// The `after_help` texts keep every line within 79 columns, so that an 80-column terminal shows
// each command whole (tests/it/help.rs renders every help at 80 and 100 columns).
const EXAMPLES: &str = "\
Examples:
  mg-codex init                        Guided set-up: key, model, shells, trust
  mg-codex doctor                      Why Codex fails, and how to fix it
  mg-codex models codex --tools-only   Models Codex can drive, matching `codex`
  mg-codex model openai/gpt-5.3-codex  Switch models (one line of config.toml)
  mg-codex trust                       Trust the current project (its git root)
  mg-codex init --key-source command   Every Codex front end gets the key
  mg-codex models --sync               Refresh the model catalogue Codex reads
  mg-codex --profile work init         Set up `codex --profile work`

Files:
  $CODEX_HOME/config.toml (default ~/.codex/config.toml), or NAME.config.toml
  with --profile. Before a change the previous bytes go to
  config.toml.mg-codex.bak; the very first change also keeps
  config.toml.mg-codex.orig. The model catalogue Codex reads
  (model_catalog_json) is $CODEX_HOME/modelgates-models.json
  (NAME.modelgates-models.json with --profile).

Exit codes: 0 success, 1 failure, 2 usage error.";

/// Set up OpenAI's Codex CLI to run through ModelGates, without breaking your config.
#[derive(Debug, Parser)]
#[command(name = "mg-codex", version, about, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Codex's configuration directory [default: $CODEX_HOME, else ~/.codex]
    #[arg(long, global = true, value_name = "DIR")]
    pub codex_home: Option<PathBuf>,

    /// Use the Codex profile NAME ($CODEX_HOME/NAME.config.toml, which `codex --profile NAME`
    /// reads) instead of config.toml
    #[arg(long, global = true, value_name = "NAME", value_parser = parse_profile)]
    pub profile: Option<String>,

    /// When to use colours (NO_COLOR is honoured with `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print only data, warnings and errors: no progress messages, no spinners
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up Codex to use ModelGates: key, model, reasoning effort, shells, trust
    ///
    /// Asks for what it needs on a terminal; with --yes it never prompts and takes every answer
    /// from flags (or keeps what is configured). Verifies the key and the model against the API,
    /// edits config.toml without touching anything else, and makes MODELGATES_API_KEY available
    /// in your shells. Running it twice with the same answers changes nothing.
    #[command(after_help = "\
Examples:
  mg-codex init                                  Guided set-up
  mg-codex init --dry-run --yes                  Print the diffs, write nothing
  mg-codex init --yes --reasoning-effort medium  Change only the effort
  mg-codex init --yes --key-source command       Desktop and IDEs get the key
  mg-codex --profile mg init --yes               Set up `codex --profile mg`

  # No questions, the key on stdin (never an argument: it would be in `ps`):
  printf '%s\\n' \"$KEY\" | mg-codex init --yes --api-key-stdin")]
    Init(InitArgs),

    /// Check the whole set-up, read-only: config, key, API, model, Codex, project trust
    ///
    /// One line per check with a fix for every problem. Exit code 0 when nothing failed
    /// (warnings allowed), 1 when a check failed.
    #[command(after_help = "\
Examples:
  mg-codex doctor                 Every check, network included
  mg-codex doctor --offline       Only local checks (no request is sent)
  mg-codex doctor --deep          Also send one tiny live request to the model
  mg-codex doctor --json | jq .overall")]
    Doctor(DoctorArgs),

    /// List the ModelGates model catalogue: id, context, prices, tools and reasoning support
    ///
    /// QUERY keeps the models whose id or name contains it, or, when none does, the models that
    /// match it fuzzily. The configured model is marked with `*`. Output fits the terminal and
    /// stays plain (tab-separated) when piped.
    #[command(after_help = "\
Examples:
  mg-codex models                     The whole catalogue
  mg-codex models codex --tools-only  Models Codex can drive, matching `codex`
  mg-codex models --json | jq -r '.[].id'
  mg-codex models --sync              Rewrite the catalogue Codex reads")]
    Models(ModelsArgs),

    /// Switch the configured model (verified against the catalogue); nothing else is touched
    ///
    /// Without ID, prints the configured model.
    #[command(after_help = "\
Examples:
  mg-codex model                               Print the configured model
  mg-codex model anthropic/claude-sonnet-4.5   Switch, if the catalogue has it
  mg-codex --profile fast model openai/gpt-5.3-codex --no-verify")]
    Model(ModelArgs),

    /// Trust (or distrust) a project directory for Codex
    ///
    /// Writes `[projects."<key>"] trust_level = "trusted"` where <key> is what Codex looks up:
    /// the canonical path of the main git repository that contains PATH (a linked worktree maps
    /// to its main repository), or PATH itself outside git.
    #[command(after_help = "\
Examples:
  mg-codex trust                 Trust the git root of the current directory
  mg-codex trust ../other --exact
  mg-codex trust . --untrusted
  mg-codex trust . --remove
  mg-codex trust --list --json")]
    Trust(TrustArgs),

    /// Remove what `init` added: the provider table, the previous model settings restored, the
    /// trust entries it added, the shell blocks and env files
    ///
    /// After `init` then `uninstall`, every file is byte for byte what it was (backups
    /// excepted); edits you made since are kept. --keep-trust keeps the trust entries `init`
    /// added.
    Uninstall(UninstallArgs),

    /// The API key mg-codex stores: print it for Codex, or replace it everywhere
    ///
    /// The store is mg-codex's private env file (`~/.config/mg-codex/env`, mode 0600), which the
    /// shell profiles source and `mg-codex key print` reads.
    #[command(after_help = "\
Examples:
  mg-codex key print                        The stored key (what Codex runs)
  printf '%s\\n' \"$KEY\" | mg-codex key set  Check a key, then replace every copy")]
    Key(KeyArgs),

    /// Print a shell completion script on stdout
    #[command(after_help = "\
Install: run the lines of your shell once, then start a new shell.
  bash:
    echo 'eval \"$(mg-codex completions bash)\"' >> ~/.bashrc
  zsh:
    mkdir -p ~/.zfunc
    mg-codex completions zsh > ~/.zfunc/_mg-codex
    echo 'fpath+=(~/.zfunc); autoload -Uz compinit && compinit' >> ~/.zshrc
  fish:
    mkdir -p ~/.config/fish/completions
    mg-codex completions fish > ~/.config/fish/completions/mg-codex.fish
  PowerShell:
    $null = New-Item -Force -ItemType Directory (Split-Path $PROFILE)
    mg-codex completions powershell >> $PROFILE
  elvish:
    mkdir -p ~/.config/elvish
    mg-codex completions elvish >> ~/.config/elvish/rc.elv")]
    Completions(CompletionsArgs),

    /// Print the man page (roff) on stdout, or write one page per command into a directory
    #[command(after_help = "\
Examples:
  mg-codex man | man -l -
  mg-codex man --dir ~/.local/share/man/man1")]
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    pub command: KeyCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Print the stored key on stdout and nothing else (as `gh auth token`); exit 1 when none
    /// is stored
    ///
    /// Reads only mg-codex's private store: no network, no config. This is the command Codex
    /// runs for the key with `init --key-source command`.
    Print,

    /// Replace the stored key: the env files, and the profile blocks that hold the key
    ///
    /// The key is read from standard input (hidden prompt on a terminal) and checked with
    /// `GET /key` first, unless --no-verify.
    Set(KeySetArgs),
}

#[derive(Debug, Args)]
pub struct KeySetArgs {
    /// Do not check the key against the API
    #[arg(long)]
    pub no_verify: bool,

    /// The ModelGates API [default: the configured one, else https://modelgates.ai/api/v1]
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    pub base_url: Option<String>,

    /// Seconds the check may take, retries included
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub timeout: std::time::Duration,
}

/// Where Codex gets the key (`init --key-source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeySourceArg {
    /// `env_key = "MODELGATES_API_KEY"`, set by the shell profiles
    Env,
    /// Codex runs `mg-codex key print` (works where no shell profile is read)
    Command,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// Keep models whose id or name matches this text (substring, else fuzzy)
    pub query: Option<String>,

    /// Only models that support `tools` (Codex cannot work without tool calls)
    #[arg(long)]
    pub tools_only: bool,

    /// Print the models as JSON on stdout
    #[arg(long)]
    pub json: bool,

    /// Rewrite the model catalogue Codex reads (`model_catalog_json`) from the live catalogue,
    /// and point the config at it
    #[arg(long, conflicts_with_all = ["query", "tools_only", "json"])]
    pub sync: bool,

    /// With --sync: list models without tool support too
    #[arg(long, requires = "sync")]
    pub all_models: bool,

    /// The ModelGates API [default: the configured one, else https://modelgates.ai/api/v1]
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    pub base_url: Option<String>,

    /// Seconds the request may take, retries included
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub timeout: std::time::Duration,
}

/// `model --reasoning-effort`: the levels, and `default` (no setting).
pub const EFFORT_OR_DEFAULT: [&str; 7] = [
    "none", "minimal", "low", "medium", "high", "xhigh", "default",
];

#[derive(Debug, Args)]
pub struct ModelArgs {
    /// The model id, e.g. openai/gpt-5.3-codex (without one: a searchable list on a terminal,
    /// the configured id when piped)
    pub id: Option<String>,

    /// Set `model_reasoning_effort` too (`default`: remove it, so Codex uses the model's own)
    #[arg(long, value_name = "LEVEL", value_parser = PossibleValuesParser::new(EFFORT_OR_DEFAULT))]
    pub reasoning_effort: Option<String>,

    /// Do not check the id against the catalogue
    #[arg(long, requires = "id")]
    pub no_verify: bool,

    /// Print the (redacted) diff and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Seconds the catalogue request may take, retries included
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write mg-codex.1 and one mg-codex-COMMAND.1 per command into DIR instead of printing
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Never prompt: take every answer from flags or what is already configured
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Read the API key from the first line of standard input (the key is never accepted as an
    /// argument: it would land in shell history and `ps`)
    #[arg(long)]
    pub api_key_stdin: bool,

    /// Open the ModelGates keys page (https://modelgates.ai/keys) in the browser when the
    /// guided flow asks for the key (`$BROWSER`, else the system's opener)
    #[arg(long, conflicts_with = "api_key_stdin")]
    pub web: bool,

    /// The model id, e.g. openai/gpt-5.3-codex [default: the configured one, else openai/gpt-5.3-codex]
    #[arg(long, value_name = "ID")]
    pub model: Option<String>,

    /// none, minimal, low, medium, high or xhigh [default: the configured one, else high]
    #[arg(long, value_name = "LEVEL", value_parser = PossibleValuesParser::new(crate::setup::EFFORTS))]
    pub reasoning_effort: Option<String>,

    /// The ModelGates API [default: the configured one, else https://modelgates.ai/api/v1]
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    pub base_url: Option<String>,

    /// Shells whose profiles get the key: a list such as bash,zsh,fish, or none
    /// [default: the shells installed or in use]
    #[arg(long, value_name = "LIST")]
    pub shell: Option<String>,

    /// Trust this project directory (repeatable; the key is its git root, as `mg-codex trust`)
    #[arg(long, value_name = "PATH")]
    pub trust: Vec<PathBuf>,

    /// Put the `export MODELGATES_API_KEY=...` line itself in the profiles (the profiles then
    /// hold the secret)
    #[arg(long)]
    pub key_in_profile: bool,

    /// Do not check the key and the model against the API
    #[arg(long)]
    pub no_verify: bool,

    /// Set show_raw_agent_reasoning = true
    #[arg(long)]
    pub show_raw_agent_reasoning: bool,

    /// none, friendly or pragmatic
    #[arg(long, value_name = "NAME", value_parser = PossibleValuesParser::new(crate::setup::PERSONALITIES))]
    pub personality: Option<String>,

    /// Add the ModelGates documentation MCP server ([mcp_servers.modelgates-docs]), as
    /// `codex mcp add modelgates-docs --url https://modelgates.ai/docs/_mcp/server` would
    #[arg(long)]
    pub docs_mcp: bool,

    /// Where Codex gets the key: env (MODELGATES_API_KEY, from the shell profiles) or command
    /// (Codex runs `mg-codex key print`, so Codex Desktop and IDEs get it too)
    /// [default: the configured one, else env]
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub key_source: Option<KeySourceArg>,

    /// Do not write the model catalogue (model_catalog_json) that tells Codex about
    /// ModelGates' models
    #[arg(long)]
    pub no_catalog: bool,

    /// Put models without tool support in the catalogue too
    #[arg(long, conflicts_with = "no_catalog")]
    pub all_models: bool,

    /// Print the (redacted) diff of every file and write nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Seconds each API call may take
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Keep the trust entries `init` added (by default they go too; entries written by
    /// `mg-codex trust` are never touched)
    #[arg(long)]
    pub keep_trust: bool,

    /// The default since 0.2: the trust entries `init` added are removed (accepted for scripts
    /// written for 0.1)
    #[arg(long, hide = true, conflicts_with = "keep_trust")]
    pub trust_entries: bool,

    /// Print the (redacted) diff of every file and write nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print the report as JSON on stdout (schema_version 1)
    #[arg(long)]
    pub json: bool,

    /// Skip every network check (they show as skipped)
    #[arg(long, conflicts_with = "deep")]
    pub offline: bool,

    /// Also send a one-token streaming request to `POST /responses` (costs a fraction of a cent)
    #[arg(long)]
    pub deep: bool,

    /// Plain ASCII marks ([ok] [!!] [XX]) instead of ✓ ! ✗
    #[arg(long)]
    pub ascii: bool,

    /// Seconds each network call may take, retries included
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_timeout)]
    pub timeout: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct TrustArgs {
    /// The project directory [default: the current directory]
    pub path: Option<PathBuf>,

    /// Mark the project untrusted instead
    #[arg(long, conflicts_with_all = ["remove", "list"])]
    pub untrusted: bool,

    /// Delete the project's entry
    #[arg(long, conflicts_with = "list")]
    pub remove: bool,

    /// Use PATH's own canonical path as the key, not its git root
    #[arg(long, conflicts_with = "list")]
    pub exact: bool,

    /// List every entry, flagging entries that can never match
    #[arg(long, conflicts_with = "path")]
    pub list: bool,

    /// With --list: print JSON on stdout
    #[arg(long, requires = "list")]
    pub json: bool,
}

fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs <= 600.0 => Ok(std::time::Duration::from_secs_f64(secs)),
        _ => Err(format!(
            "`{text}` is not a number of seconds between 0 and 600"
        )),
    }
}

/// A `--base-url` that is a URL naming a host (whether it may receive the key is checked
/// later, with the reason: plain http to a host that is not loopback).
fn parse_base_url(text: &str) -> Result<String, String> {
    crate::api::parse_base_url(text).map(|_| text.to_string())
}

fn parse_profile(name: &str) -> Result<String, String> {
    crate::config_file::validate_profile_name(name).map(|()| name.to_string())
}
