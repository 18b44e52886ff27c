//! The human output of `mg-codex doctor` for the states users meet most, as snapshots (insta):
//! a healthy set-up, a config Codex refuses, a file that is not TOML, a key stored but not yet
//! loaded, a key the gateway rejects, a model id without its author, a line of the user's own
//! overriding the stored key, a GUI front end, a trust entry through a symlink, a gateway that
//! is down, a Codex home that does not exist, a profile blocked by `[profiles.*]`, a project's
//! own provider settings, and the ASCII marks. Each state is a scenario of
//! `fixtures/doctor/scenarios/` (a real public report), run with the real Codex; paths, ports
//! and Codex's version are filtered.
//!
//! `cargo insta review` (or `INSTA_UPDATE=always`) updates them after a deliberate change.

use crate::scenarios::{materialize, scenario};
use crate::support::{codex_bin, par_map};

const STATES: [(&str, &str, &[&str]); 14] = [
    ("healthy", "83-login-status-not-logged-in-is-fine", &[]),
    ("legacy_profile", "01-legacy-profile-selector", &[]),
    (
        "legacy_profile_ascii",
        "01-legacy-profile-selector",
        &["--ascii"],
    ),
    ("invalid_toml", "62-malformed-toml-breaks-ide", &[]),
    (
        "key_not_activated",
        "12-key-stored-terminal-not-reloaded",
        &[],
    ),
    ("key_rejected", "72-gateway-rejects-key-401", &[]),
    (
        "model_without_author",
        "42-model-id-without-author-prefix",
        &[],
    ),
    (
        "old_export_overrides",
        "13-old-export-overrides-stored-key",
        &[],
    ),
    (
        "vscode_extension",
        "70-vscode-extension-misses-shell-key",
        &[],
    ),
    ("trust_through_symlink", "57-trust-key-through-symlink", &[]),
    ("gateway_down", "81-local-relay-not-running", &[]),
    (
        "codex_home_missing",
        "60-codex-home-pinned-never-created",
        &[],
    ),
    (
        "profiles_table_blocks_profile",
        "03-profiles-table-blocks-profile-flag",
        &[],
    ),
    (
        "project_local_provider",
        "32-project-local-provider-ignored",
        &[],
    ),
];

#[test]
fn the_human_report_of_each_state_reads_as_recorded() {
    let Some(codex) = codex_bin() else { return };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let outputs = par_map(&STATES, 3, |(name, dir, args)| {
        let m = materialize(&scenario(dir), Some(&codex), &runtime);
        let out = m.doctor(args);
        let home = m.home.display().to_string();
        let text = out
            .stdout
            .replace(codex.to_str().unwrap(), "[CODEX]")
            .replace(&home, "[HOME]")
            .replace(m.root.path().to_str().unwrap(), "[TEMP]");
        (name.to_string(), format!("exit {}\n{text}", out.code))
    });
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]");
    settings.add_filter(r"codex-cli \d+\.\d+\.\d+", "codex-cli [VERSION]");
    settings.add_filter(r"/tmp/\.tmp[A-Za-z0-9]+", "[TEMP]");
    settings.bind(|| {
        for (name, text) in &outputs {
            insta::assert_snapshot!(name.as_str(), text);
        }
    });
}
