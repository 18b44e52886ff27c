//! mg-codex: sets up OpenAI's Codex CLI to run through the ModelGates gateway.
//!
//! The binary is a thin shell around this library: `app` dispatches, `commands` orchestrate,
//! and the core modules (`codex_config`, `config_file`, `fsutil`, `project`) know nothing of
//! the command line or the terminal.

pub mod api;
pub mod app;
pub mod browser;
pub mod catalog;
pub mod cli;
pub mod codex_cli;
pub mod codex_config;
pub mod commands;
pub mod config_file;
pub mod diff;
pub mod doctor;
pub mod dotenv;
pub mod env;
pub mod fsutil;
pub mod interrupt;
pub mod layers;
pub mod merge;
pub mod model_id;
pub mod picker;
pub mod problem;
pub mod program;
pub mod project;
pub mod prompt;
pub mod redact;
pub mod secret;
pub mod setup;
pub mod shell;
pub mod ui;
