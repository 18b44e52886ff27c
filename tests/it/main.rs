//! The one integration-test binary: a module per area, sharing `support`.

mod api;
mod cases;
mod corpus;
mod doctor_cli;
mod init_cli;
mod init_e2e;
mod init_pty;
mod shell_profiles;
mod support;
mod trust_cli;
