//! A newcomer's first ten minutes (issue 13), each behaviour on a real pseudo-terminal where it
//! is about the terminal, against a local gateway: a yes/no waits for Enter; Ctrl-C restores
//! the terminal, says nothing was written and exits 130; a re-run keeps the shells chosen
//! before; the model picker takes an id that is not in the list; a malformed key never leaves
//! the machine; the keys page and `--web`; what `init` says at the end (the profile, the trust
//! entry, a run that changed nothing); env files only for the shells asked; a replaced `name`
//! is warned about; one masking style; no trust question in the home directory; `model` without
//! an id (the picker, piped, no config) and `model --reasoning-effort default`; the
//! multi-select's cursor mark.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::support::{assert_contains, gateway, requests_to, run, stub_bin, Terminal, TestContext};

const KEY: &str = "sk-mg-v1-newcomerkey0123456789abcdef";

fn base_url(server: &wiremock::MockServer) -> String {
    format!("{}/api/v1", server.uri())
}

/// `mg-codex ARGS` on a terminal, with `shells` installed (stubs), `vars` set.
fn terminal(ctx: &TestContext, shells: &[&str], args: &[&str], vars: &[(&str, &str)]) -> Terminal {
    let bin = stub_bin(ctx, shells);
    let mut cmd = ctx.cmd();
    cmd.env("PATH", &bin)
        .env("TERM", "xterm")
        .env("LANG", "C.UTF-8")
        .envs(vars.iter().copied())
        .args(args);
    Terminal::start_command(cmd, true)
}

/// `$BROWSER`, as gh uses it: a script that records what it was asked to open. Returns the
/// file it records into, and the value for `BROWSER`.
fn recording_browser(ctx: &TestContext) -> (std::path::PathBuf, String) {
    let opened = ctx.root.path().join("opened");
    let browser = ctx.root.path().join("browser");
    fs::write(
        &browser,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n",
            opened.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&browser, fs::Permissions::from_mode(0o755)).unwrap();
    (opened, browser.display().to_string())
}

/// A scripted `init --yes` with the key in the environment.
fn init_yes(
    ctx: &TestContext,
    server: &wiremock::MockServer,
    extra: &[&str],
) -> crate::support::Output {
    let bin = stub_bin(ctx, &["bash"]);
    let url = base_url(server);
    run(ctx
        .cmd()
        .env("PATH", &bin)
        .env("MODELGATES_API_KEY", KEY)
        .args(["init", "--yes", "--base-url", &url])
        .args(extra))
}

/// The guided init up to the confirmations, answering with the defaults; the key typed.
fn answer_to_the_summary(t: &mut Terminal) {
    t.expect("Open it in your browser?");
    t.type_keys("\r");
    t.expect("ModelGates API key");
    t.type_line(&format!("{KEY}\r"));
    t.expect("key accepted");
    t.answer(&[
        ("Model (type to search)", "\r"),
        ("Reasoning effort", "\r"),
        ("Trust this project for Codex?", "\r"),
        ("Shells that get MODELGATES_API_KEY", "\r"),
        ("Add the ModelGates docs MCP server to Codex?", "\r"),
    ]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_yes_no_waits_for_enter_so_the_next_question_is_not_answered_by_it() {
    let server = gateway("models.json").await;
    let url = base_url(&server);
    let ctx = TestContext::new();
    tokio::task::spawn_blocking(move || {
        let mut t = terminal(&ctx, &["bash"], &["init", "--base-url", &url], &[]);
        answer_to_the_summary(&mut t);
        t.expect("Show the changes as a diff?");
        // `y` alone answers nothing yet; the Enter after it answers this question only.
        t.type_keys("y");
        t.type_keys("\r");
        t.expect("+model_provider = \"modelgates\"");
        t.expect("Write these changes?");
        t.type_keys("n\r");
        t.expect("Nothing was written");
        assert_eq!(t.finish(), 1, "{}", t.transcript);
        assert!(!ctx.config().exists(), "{}", t.transcript);
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_restores_the_terminal_says_nothing_was_written_and_exits_130() {
    let server = gateway("models.json").await;
    let url = base_url(&server);
    // At a select (raw mode, the cursor hidden): the cursor is shown again.
    let ctx = TestContext::new();
    let url2 = url.clone();
    tokio::task::spawn_blocking(move || {
        let bin = stub_bin(&ctx, &["bash"]);
        let mut cmd = ctx.cmd();
        cmd.env("PATH", &bin)
            .env("TERM", "xterm")
            .env("LANG", "C.UTF-8")
            .args(["init", "--base-url", &url2]);
        let mut t = Terminal::start_command(cmd, false);
        t.expect("Open it in your browser?");
        t.type_keys("\r");
        t.expect("ModelGates API key");
        t.type_line(&format!("{KEY}\r"));
        t.expect("Model (type to search)");
        t.type_keys("\r");
        t.expect("Reasoning effort");
        t.ctrl_c();
        t.expect("Cancelled: nothing was written");
        assert_eq!(t.finish(), 130, "{}", t.transcript);
        let hidden = t
            .transcript
            .rfind("\x1b[?25l")
            .expect("the cursor was hidden");
        let shown = t
            .transcript
            .rfind("\x1b[?25h")
            .expect("the cursor was shown");
        assert!(
            shown > hidden,
            "the cursor stays hidden:\n{:?}",
            t.transcript
        );
        assert!(!ctx.config().exists());
        assert!(!ctx.home().join(".config/mg-codex").exists());
    })
    .await
    .unwrap();

    // At the hidden key prompt (echo off, Ctrl-C is SIGINT): echo is on again afterwards, as
    // `stty` run after it in the same terminal shows.
    let ctx = TestContext::new();
    tokio::task::spawn_blocking(move || {
        let bin = stub_bin(&ctx, &["bash"]);
        let shim = bin.join("mg-codex");
        if !shim.exists() {
            std::os::unix::fs::symlink(crate::support::bin(), &shim).unwrap();
        }
        // `sh -c`, ignoring SIGINT itself, runs `stty` in the same terminal afterwards (echo
        // is turned on first: rexpect starts the terminal with it off).
        let mut sh_cmd = std::process::Command::new("/bin/sh");
        sh_cmd
            .env_clear()
            .env("HOME", ctx.home())
            .env("NO_COLOR", "1")
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env("TERM", "xterm")
            .env("LANG", "C.UTF-8")
            .current_dir(ctx.work())
            .args([
                "-c",
                &format!(
                "trap '' INT; stty echo; mg-codex init --base-url {url}; echo \"exit=$?\"; stty -a"
            ),
            ]);
        let mut t = Terminal::start_command(sh_cmd, true);
        t.expect("Open it in your browser?");
        t.type_keys("\r");
        t.expect("ModelGates API key");
        t.ctrl_c();
        t.expect("Cancelled: nothing was written");
        t.expect("exit=130");
        t.expect(" echo ");
        assert_eq!(t.finish(), 0, "{}", t.transcript);
        assert!(!ctx.config().exists());
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rerun_keeps_the_shells_chosen_the_first_time() {
    let server = gateway("models.json").await;
    let url = base_url(&server);
    let ctx = TestContext::new();
    fs::write(ctx.home().join(".bashrc"), "# mine\n").unwrap();
    fs::write(ctx.home().join(".zshrc"), "# mine\n").unwrap();
    let ctx = tokio::task::spawn_blocking(move || {
        // First run: bash and zsh offered and ticked; zsh unticked (down, space, Enter).
        let mut t = terminal(&ctx, &["bash", "zsh"], &["init", "--base-url", &url], &[]);
        t.expect("Open it in your browser?");
        t.type_keys("\r");
        t.expect("ModelGates API key");
        t.type_line(&format!("{KEY}\r"));
        t.answer(&[
            ("Model (type to search)", "\r"),
            ("Reasoning effort", "\r"),
            ("Trust this project for Codex?", "\r"),
        ]);
        t.expect("Shells that get MODELGATES_API_KEY");
        t.type_line("\x1b[B");
        t.type_keys(" \r");
        t.answer(&[
            ("Add the ModelGates docs MCP server to Codex?", "\r"),
            ("Show the changes as a diff?", "\r"),
            ("Write these changes?", "\r"),
        ]);
        t.expect("Next:");
        assert_eq!(t.finish(), 0, "{}", t.transcript);
        assert_contains(
            &fs::read_to_string(ctx.home().join(".bashrc")).unwrap(),
            "mg-codex",
        );
        assert_eq!(
            fs::read_to_string(ctx.home().join(".zshrc")).unwrap(),
            "# mine\n"
        );

        // Second run, Enter everywhere: zsh stays out.
        let mut t = terminal(&ctx, &["bash", "zsh"], &["init", "--base-url", &url], &[]);
        t.expect("press Enter to keep each current answer");
        t.answer(&[
            ("Use the key from the mg-codex env file", "\r"),
            ("Model (type to search)", "\r"),
            ("Reasoning effort", "\r"),
            ("Trust this project for Codex?", "\r"),
            ("Shells that get MODELGATES_API_KEY", "\r"),
            ("Add the ModelGates docs MCP server to Codex?", "\r"),
        ]);
        t.expect("Everything is already set up: nothing changed");
        assert_eq!(t.finish(), 0, "{}", t.transcript);
        ctx
    })
    .await
    .unwrap();
    assert_eq!(
        fs::read_to_string(ctx.home().join(".zshrc")).unwrap(),
        "# mine\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_model_picker_takes_an_id_that_is_not_in_the_list() {
    let server = gateway("models.json").await;
    let url = base_url(&server);
    let ctx = TestContext::new();
    let ctx = tokio::task::spawn_blocking(move || {
        let mut t = terminal(
            &ctx,
            &["bash"],
            &["init", "--base-url", &url, "--shell", "none"],
            &[],
        );
        t.expect("Open it in your browser?");
        t.type_keys("\r");
        t.expect("ModelGates API key");
        t.type_line(&format!("{KEY}\r"));
        // The field is empty, the default a hint.
        t.expect("Model (type to search) › openai/gpt-5.3-codex (Enter)");
        t.type_keys("acme/brand-new-model");
        t.expect("use `acme/brand-new-model` as typed");
        t.type_keys("\r");
        t.expect("is not in ModelGates' model list");
        t.answer(&[
            ("Use it anyway?", "y\r"),
            ("Reasoning effort", "\r"),
            ("Trust this project for Codex?", "\r"),
            ("Add the ModelGates docs MCP server to Codex?", "\r"),
            ("Show the changes as a diff?", "\r"),
            ("Write these changes?", "\r"),
        ]);
        t.expect("Next:");
        assert_eq!(t.finish(), 0, "{}", t.transcript);
        ctx
    })
    .await
    .unwrap();
    assert_contains(&ctx.read_config(), "model = \"acme/brand-new-model\"");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_key_never_leaves_the_machine_and_the_keys_page_is_named_and_opened() {
    let server = gateway("models.json").await;
    let url = base_url(&server);
    let ctx = TestContext::new();
    let (opened, browser_var) = recording_browser(&ctx);
    tokio::task::spawn_blocking(move || {
        let vars = [("BROWSER", browser_var.as_str())];
        let mut t = terminal(&ctx, &["bash"], &["init", "--base-url", &url], &vars);
        t.expect("Create a key on the ModelGates keys page: https://modelgates.ai/keys");
        t.expect("Open it in your browser?");
        t.type_keys("y\r");
        t.expect("Opened https://modelgates.ai/keys");
        t.expect("ModelGates API key (sk-mg-");
        t.expect("from https://modelgates.ai/keys)");
        t.type_line("sk-or-v1-notamodelgateskey0123456789\r");
        t.expect(
            "that is not a ModelGates key (it does not start with `sk-mg-`), so it was not sent",
        );
        t.expect("ModelGates API key");
        t.type_line("sk-mg-short\r");
        t.expect("too short for a key");
        t.expect("ModelGates API key");
        t.ctrl_c();
        t.expect("Cancelled: nothing was written");
        assert_eq!(t.finish(), 130, "{}", t.transcript);
        // The page, and nothing else, went to the browser.
        assert_eq!(
            fs::read_to_string(&opened).unwrap(),
            "https://modelgates.ai/keys\n"
        );
    })
    .await
    .unwrap();
    assert_eq!(
        requests_to(&server, "/api/v1/key").await,
        0,
        "a malformed key was sent"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn web_opens_the_keys_page_without_asking() {
    let server = gateway("models.json").await;
    let url = base_url(&server);
    let ctx = TestContext::new();
    let (opened, browser_var) = recording_browser(&ctx);
    tokio::task::spawn_blocking(move || {
        let vars = [("BROWSER", browser_var.as_str())];
        let mut t = terminal(
            &ctx,
            &["bash"],
            &["init", "--web", "--base-url", &url],
            &vars,
        );
        t.expect("Opened https://modelgates.ai/keys");
        t.expect("ModelGates API key");
        assert!(
            !t.transcript.contains("Open it in your browser?"),
            "{}",
            t.transcript
        );
        t.ctrl_c();
        t.expect("Cancelled: nothing was written");
        assert_eq!(t.finish(), 130, "{}", t.transcript);
        assert_eq!(
            fs::read_to_string(&opened).unwrap(),
            "https://modelgates.ai/keys\n"
        );
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn what_init_says_at_the_end_names_the_profile_the_trust_entry_and_a_run_that_changed_nothing(
) {
    let server = gateway("models.json").await;
    let ctx = TestContext::new();
    let work = fs::canonicalize(ctx.work()).unwrap().display().to_string();
    // A profile: the next step is `codex --profile NAME`.
    let out = init_yes(&ctx, &server, &["--trust", &work]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_contains(&out.stderr, &format!("with `{work}` trusted for Codex"));
    let bin = stub_bin(&ctx, &["bash"]);
    let url = base_url(&server);
    let out = run(ctx
        .cmd()
        .env("PATH", &bin)
        .env("MODELGATES_API_KEY", KEY)
        .args(["--profile", "mg", "init", "--yes", "--base-url", &url]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_contains(&out.stderr, "then run `codex --profile mg`");
    // The same run again: nothing changed, and Codex is not asked again about the same files.
    let codex = bin.join("codex");
    let calls = ctx.root.path().join("codex-calls");
    fs::write(
        &codex,
        format!("#!/bin/sh\necho \"$@\" >> '{}'\nexit 0\n", calls.display()),
    )
    .unwrap();
    fs::set_permissions(&codex, fs::Permissions::from_mode(0o755)).unwrap();
    // A run that changes something (the effort) asks Codex once; the same run again does not.
    let again = [
        "--trust",
        &work,
        "--no-catalog",
        "--reasoning-effort",
        "low",
    ];
    let out = init_yes(&ctx, &server, &again);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_contains(&out.stderr, "loads the new config");
    let out = init_yes(&ctx, &server, &again);
    assert_contains(&out.stderr, "Everything is already set up: nothing changed");
    assert!(
        !out.stderr.contains("loads the new config"),
        "{}",
        out.stderr
    );
    let asked = fs::read_to_string(&calls).unwrap_or_default();
    let checks = asked
        .lines()
        .filter(|l| l.contains("features list"))
        .count();
    assert_eq!(
        checks, 1,
        "Codex was asked again about unchanged files:\n{asked}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn env_files_only_where_asked_and_a_replaced_name_is_warned_about() {
    let server = gateway("models.json").await;
    let ctx = TestContext::new();
    let out = init_yes(&ctx, &server, &["--shell", "none"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!ctx.home().join(".config/mg-codex/env").exists());
    assert!(!ctx.home().join(".config/mg-codex/env.fish").exists());
    assert!(!ctx.read_config().contains(KEY));
    // An env file an earlier run wrote (bash chosen then) is kept current by a later
    // `--shell none`, and no other appears.
    assert_eq!(init_yes(&ctx, &server, &["--shell", "bash"]).code, 0);
    let env_file = ctx.home().join(".config/mg-codex/env");
    assert_contains(&fs::read_to_string(&env_file).unwrap(), KEY);
    let out = init_yes(&ctx, &server, &["--shell", "none"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_contains(&fs::read_to_string(&env_file).unwrap(), KEY);
    assert!(!ctx.home().join(".config/mg-codex/env.fish").exists());

    let ctx = TestContext::new();
    ctx.write_config(
        "[model_providers.modelgates]\nname = \"My gateway\"\nbase_url = \"https://modelgates.ai/api/v1\"\n",
    );
    let out = init_yes(&ctx, &server, &["--shell", "none", "--no-catalog"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_contains(
        &out.stderr,
        "changed `name` of `[model_providers.modelgates]` from `My gateway` to `ModelGates`",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn one_masking_style_and_the_cause_said_once() {
    // The server's label (its own mask) is never shown: ours is.
    let server = gateway("models.json").await;
    let ctx = TestContext::new();
    let out = init_yes(&ctx, &server, &["--shell", "none", "--no-catalog"]);
    assert_contains(&out.stderr, "key accepted: sk-mg-…cdef");
    assert!(!out.stderr.contains("sk-mg-v1-ab3...9f2"), "{}", out.stderr);
    // A refused connection says so once.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let ctx = TestContext::new();
    let out = run(ctx.cmd().env("MODELGATES_API_KEY", KEY).args([
        "init",
        "--yes",
        "--base-url",
        &format!("http://127.0.0.1:{port}/api/v1"),
    ]));
    assert_eq!(out.code, 1);
    assert_contains(&out.stderr, "the connection was refused");
    assert!(
        !out.stderr.contains("Connection refused (os error"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_trust_question_in_the_home_directory() {
    let server = gateway("models.json").await;
    let url = base_url(&server);
    let ctx = TestContext::new();
    tokio::task::spawn_blocking(move || {
        let bin = stub_bin(&ctx, &["bash"]);
        let mut cmd = ctx.cmd();
        cmd.env("PATH", &bin)
            .env("TERM", "xterm")
            .env("LANG", "C.UTF-8")
            .current_dir(ctx.home())
            .args(["init", "--base-url", &url, "--shell", "none"]);
        let mut t = Terminal::start_command(cmd, true);
        t.expect("Open it in your browser?");
        t.type_keys("\r");
        t.expect("ModelGates API key");
        t.type_line(&format!("{KEY}\r"));
        t.expect("Model (type to search)");
        t.type_keys("\r");
        t.expect("Reasoning effort");
        t.type_keys("\r");
        t.expect("Add the ModelGates docs MCP server to Codex?");
        assert!(
            !t.transcript.contains("Trust this project"),
            "{}",
            t.transcript
        );
        t.ctrl_c();
        assert_eq!(t.finish(), 130, "{}", t.transcript);
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn model_without_an_id_picks_on_a_terminal_prints_when_piped_and_points_at_init() {
    let server = gateway("models.json").await;
    let ctx = TestContext::new();
    // No config: the fix is `init` itself.
    let out = run(ctx.cmd().args(["model"]));
    assert_eq!(out.code, 1);
    assert_contains(&out.stderr, "hint: set it up with `mg-codex init`");
    assert!(init_yes(&ctx, &server, &["--shell", "none", "--no-catalog"]).code == 0);
    // Piped: the id.
    let out = run(ctx.cmd().args(["model"]));
    assert_eq!(out.stdout, "openai/gpt-5.3-codex\n");
    // On a terminal: the picker, and the switch.
    let ctx = tokio::task::spawn_blocking(move || {
        let mut t = terminal(&ctx, &["bash"], &["model"], &[("MODELGATES_API_KEY", KEY)]);
        t.expect("Model (type to search) › openai/gpt-5.3-codex (Enter)");
        t.type_keys("gpt-5.2");
        t.expect("openai/gpt-5.2-codex");
        t.type_keys("\r");
        t.expect("Switched");
        assert_eq!(t.finish(), 0, "{}", t.transcript);
        ctx
    })
    .await
    .unwrap();
    assert_contains(&ctx.read_config(), "model = \"openai/gpt-5.2-codex\"");
}

#[tokio::test(flavor = "multi_thread")]
async fn model_reasoning_effort_default_drops_the_setting() {
    let server = gateway("models.json").await;
    let ctx = TestContext::new();
    assert!(init_yes(&ctx, &server, &["--shell", "none", "--no-catalog"]).code == 0);
    assert_contains(&ctx.read_config(), "model_reasoning_effort = ");
    let before = ctx.read_config();
    let out = run(ctx.cmd().args(["model", "--reasoning-effort", "default"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let after = ctx.read_config();
    assert!(!after.contains("model_reasoning_effort"), "{after}");
    // Exactly that line went.
    let gone: Vec<&str> = before
        .lines()
        .filter(|l| !after.lines().any(|a| a == *l))
        .collect();
    assert_eq!(gone.len(), 1, "{gone:?}");
    assert_contains(
        &out.stderr,
        "Removed `model_reasoning_effort` (was `high`): Codex uses the model's own default",
    );
    let out = run(ctx.cmd().args(["model", "--reasoning-effort", "default"]));
    assert_contains(
        &out.stderr,
        "has no `model_reasoning_effort` already: nothing changed",
    );
    let out = run(ctx.cmd().args(["model", "--reasoning-effort", "xhigh"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_contains(&ctx.read_config(), "model_reasoning_effort = \"xhigh\"");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_multi_select_shows_its_cursor_with_a_mark() {
    let server = gateway("models.json").await;
    let url = base_url(&server);
    let ctx = TestContext::new();
    tokio::task::spawn_blocking(move || {
        // Colour on (no NO_COLOR): the colourful theme, whose cursor was colour only.
        let bin = stub_bin(&ctx, &["bash", "zsh"]);
        let mut cmd = ctx.cmd();
        cmd.env_remove("NO_COLOR")
            .env("PATH", &bin)
            .env("TERM", "xterm")
            .env("LANG", "C.UTF-8")
            .args(["init", "--base-url", &url]);
        let mut t = Terminal::start_command(cmd, true);
        t.expect("Open it in your browser?");
        t.type_keys("\r");
        t.expect("ModelGates API key");
        t.type_line(&format!("{KEY}\r"));
        t.answer(&[
            ("Model (type to search)", "\r"),
            ("Reasoning effort", "\r"),
            ("Trust this project for Codex?", "\r"),
        ]);
        t.expect("Shells that get MODELGATES_API_KEY");
        t.expect("❯");
        t.ctrl_c();
        assert_eq!(t.finish(), 130, "{}", t.transcript);
    })
    .await
    .unwrap();
}
