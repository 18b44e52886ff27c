//! The one integration-test binary: a module per area, sharing `support`.

mod cases;
mod corpus;
mod shell_profiles;
mod support;
mod trust_cli;
