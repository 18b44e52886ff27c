//! The one integration-test binary: a module per area, sharing `support`.

mod api;
mod cases;
mod corpus;
mod doctor_cli;
mod shell_profiles;
mod support;
mod trust_cli;
