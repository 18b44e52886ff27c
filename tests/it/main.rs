//! The one integration-test binary: a module per area, sharing `support`.
// The layer lints of Cargo.toml hold the product's code; tests print their diagnostics and read the environment they are given (MG_CODEX_TEST_*, CI).
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods)]

mod api;
mod architecture;
mod base_url_cli;
mod cases;
mod catalog_cli;
mod codex_releases;
mod completion_shells;
mod completions;
mod corpus;
mod docs_mcp;
mod doctor_cli;
mod doctor_snapshots;
mod fixes;
mod generated;
mod help;
mod hints;
mod hostile;
mod init_cli;
mod init_e2e;
mod init_pty;
mod key_cli;
mod models_cli;
mod net_limits;
mod net_proxy;
mod net_tls;
mod newcomer;
mod output;
mod output_snapshots;
mod promises;
mod redact_cli;
mod scenarios;
mod scrub_cli;
mod shell_profiles;
mod support;
mod trust_cli;
