//! mg-codex: sets up OpenAI's Codex CLI to run through the ModelGates gateway.
//!
//! Three layers (ARCHITECTURE.md draws them): the edge (`main`, `app`, `cli`, `env`, `ui`,
//! `prompt`, `picker`, `interrupt`, `browser`) talks to the process and the terminal;
//! `commands` orchestrates one subcommand each; the core below knows nothing of clap, the
//! terminal or the process environment, and takes paths and values. Lints in `Cargo.toml` and
//! `clippy.toml` hold two of the boundaries: only `ui` prints, only `env` reads `std::env`.

// ----- the edge ---------------------------------------------------------------------------------
/// Dispatch: parse the arguments, snapshot the environment, run one command, render the error once.
pub mod app;
/// Opening a page in the user's browser (`$BROWSER`, `xdg-open`, `open`), for `init --web`.
pub mod browser;
/// The clap types; their doc comments are the `--help` text.
pub mod cli;
/// The one snapshot of the process environment (the only reader of `std::env`).
pub mod env;
/// Ctrl-C: the terminal restored, "Cancelled: nothing was written", exit 130; held off mid-write.
pub mod interrupt;
/// The searchable list that also takes what was typed (the model picker).
pub mod picker;
/// Prompts on stderr, each naming the flag that answers it; none without a terminal.
pub mod prompt;
/// The printer: the one owner of stdout (data) and stderr (messages, spinners, errors).
pub mod ui;

// ----- orchestration ----------------------------------------------------------------------------
/// One module per subcommand: resolve paths, call the core, print.
pub mod commands;

// ----- the core: Codex's config --------------------------------------------------------------
/// The typed `config.toml` document: a structural index, edit verbs as splices, render.
pub mod codex_config;
/// Where the config lives (`CODEX_HOME`), reading it, and writing it under a lock with its record.
pub mod config_file;
/// How Codex layers its config files, and the settings that result (provider, URL, key variable).
pub mod layers;
/// The line-level three-way merge that takes `init`'s changes back around the user's edits.
pub mod merge;
/// Project trust keys: the string Codex looks up in `[projects."<key>"]` for a directory.
pub mod project;
/// The record `init` keeps (`<config>.mg-codex.state`) and what `uninstall` makes of a config.
pub mod record;
/// What `init` writes into a config: the ModelGates settings applied to a document.
pub mod setup;

// ----- the core: ModelGates and Codex ----------------------------------------------------------
/// The ModelGates client: key status, catalogue, one model, the live probe; classified errors.
pub mod api;
/// The model catalogue Codex reads (`model_catalog_json`): built, checked, inspected.
pub mod catalog;
/// The installed Codex CLI as a judge: found on `PATH`, run on a private copy with a timeout.
pub mod codex_cli;
/// `$CODEX_HOME/.env`, which Codex loads at start, parsed as Codex parses it.
pub mod dotenv;
/// Model ids (`author/slug`), "did you mean", and whether a model is fit for Codex.
pub mod model_id;

// ----- the core: the user's shells --------------------------------------------------------------
/// Shell profiles: the marked block, the env files, per-shell facts, plan and apply.
pub mod shell;

// ----- the core: doctor ------------------------------------------------------------------------
/// The doctor's checks (findings as data), the knowledge of Codex releases, the two renderers.
pub mod doctor;

// ----- the core: shared pieces -----------------------------------------------------------------
/// Unified diffs of planned changes, for `--dry-run` and `init`'s preview.
pub mod diff;
/// File-system primitives: real paths through symlinks, atomic writes, locks, backups, modes.
pub mod fsutil;
/// What the user can do about a problem, as data (a command, an edit, an instruction).
pub mod problem;
/// Other programs: found on a given `PATH` (`which`), run with a timeout (`wait-timeout`).
pub mod program;
/// Masking secret-shaped values of a TOML text in every diff.
pub mod redact;
/// The API key as a secret: parsing, its shape, the one mask, scrubbing it out of text.
pub mod secret;
