//! The one integration-test binary: a module per area, sharing `support`.

mod api;
mod cases;
mod corpus;
mod shell_profiles;
mod support;
mod trust_cli;
