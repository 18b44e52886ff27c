//! A command a hint prints acts on the same file: it keeps the `--codex-home` and `--profile`
//! the user gave (`problem::Invocation`, the one place hints are built).

use crate::support::{assert_contains, run, TestContext};

#[test]
fn hints_keep_codex_home_and_profile() {
    let ctx = TestContext::new();
    let home = ctx.codex_home();
    let home = home.to_str().unwrap();
    // `models` on a config whose `base_url` is plain http: the fix is `init` on the same home.
    ctx.write_config(
        "model_provider = \"modelgates\"\n[model_providers.modelgates]\nname = \"ModelGates\"\nbase_url = \"http://gateway.example/api/v1\"\nenv_key = \"MODELGATES_API_KEY\"\n",
    );
    let out = run(ctx.cmd().args(["--codex-home", home, "models"]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_contains(
        &out.stderr,
        &format!(
            "(`mg-codex --codex-home {home} init --base-url https://modelgates.ai/api/v1` does)"
        ),
    );
    // `init --yes` without a key: the command that gives it one keeps the profile.
    let out = run(ctx.cmd().env_remove("MODELGATES_API_KEY").args([
        "--codex-home",
        home,
        "--profile",
        "work",
        "init",
        "--yes",
    ]));
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_contains(
        &out.stderr,
        &format!("mg-codex --codex-home {home} --profile work init --yes --api-key-stdin"),
    );
}
