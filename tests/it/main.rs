//! The one integration-test binary: a module per area, sharing `support`.

mod api;
mod base_url_cli;
mod cases;
mod catalog_cli;
mod codex_releases;
mod completions;
mod corpus;
mod docs_mcp;
mod doctor_cli;
mod generated;
mod hostile;
mod init_cli;
mod init_e2e;
mod init_pty;
mod key_cli;
mod models_cli;
mod net_limits;
mod net_proxy;
mod net_tls;
mod output;
mod promises;
mod redact_cli;
mod scrub_cli;
mod shell_profiles;
mod support;
mod trust_cli;
