//! `mg-codex trust` end to end: the real binary in a temporary HOME, real git repositories,
//! worktrees and symlinks, and the file-safety promises (symlinks, modes, read-only files,
//! CRLF, backups, no-op, concurrency).

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use mg_codex::config_file;

use crate::support::{assert_contains, git, run, Output, TestContext};

fn canonical(p: &Path) -> String {
    fs::canonicalize(p).unwrap().to_string_lossy().into_owned()
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

fn level_of(config: &str, key: &str) -> Option<String> {
    let doc: toml_edit::DocumentMut = config.parse().unwrap();
    doc.get("projects")?
        .as_table_like()?
        .get(key)?
        .as_table_like()?
        .get("trust_level")?
        .as_str()
        .map(str::to_string)
}

/// Asserts the trust level `config` gives `key` (`None`: no entry).
#[track_caller]
fn assert_level(config: &str, key: &str, expected: Option<&str>) {
    assert_eq!(level_of(config, key).as_deref(), expected, "{config}");
}

/// Writes `text` to the config and gives it the permissions `mode`.
fn write_config_with_mode(ctx: &TestContext, text: &str, mode: u32) {
    ctx.write_config(text);
    fs::set_permissions(ctx.config(), fs::Permissions::from_mode(mode)).unwrap();
}

/// `mg-codex trust DIR`.
fn trust(ctx: &TestContext, dir: impl AsRef<OsStr>) -> Output {
    run(ctx.cmd().arg("trust").arg(dir))
}

fn make_repo(ctx: &TestContext, name: &str) -> PathBuf {
    let repo = ctx.work().join(name);
    fs::create_dir_all(repo.join("src/deeper")).unwrap();
    git(&repo, &["init", "-q"]);
    fs::write(repo.join("README"), "x").unwrap();
    git(&repo, &["add", "README"]);
    git(&repo, &["commit", "-q", "-m", "init"]);
    repo
}

/// `make_repo(ctx, "repo")` and a linked worktree of it at `work/wt`, on branch `feature`.
fn make_repo_with_worktree(ctx: &TestContext) -> (PathBuf, PathBuf) {
    let repo = make_repo(ctx, "repo");
    git(&repo, &["worktree", "add", "-q", "../wt", "-b", "feature"]);
    (repo, ctx.work().join("wt"))
}

#[test]
fn trusts_the_git_root_of_a_subdirectory() {
    let ctx = TestContext::new();
    let repo = make_repo(&ctx, "repo");
    let out = trust(&ctx, repo.join("src/deeper"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let key = canonical(&repo);
    assert_level(&ctx.read_config(), &key, Some("trusted"));
    assert_contains(
        &out.stderr,
        &format!("`{key}` (git root of `{key}/src/deeper`)"),
    );
}

#[test]
fn defaults_to_the_current_directory() {
    let ctx = TestContext::new();
    let repo = make_repo(&ctx, "repo");
    let out = run(ctx.cmd().arg("trust").current_dir(repo.join("src")));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_level(&ctx.read_config(), &canonical(&repo), Some("trusted"));
}

#[test]
fn exact_trusts_the_directory_itself() {
    let ctx = TestContext::new();
    let repo = make_repo(&ctx, "repo");
    let out = run(ctx.cmd().args(["trust", "--exact"]).arg(repo.join("src")));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let config = ctx.read_config();
    assert_level(&config, &canonical(&repo.join("src")), Some("trusted"));
    assert_level(&config, &canonical(&repo), None);
}

#[test]
fn a_linked_worktree_maps_to_its_main_repository() {
    let ctx = TestContext::new();
    let (repo, wt) = make_repo_with_worktree(&ctx);
    fs::create_dir_all(wt.join("sub")).unwrap();
    let out = trust(&ctx, wt.join("sub"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let config = ctx.read_config();
    assert_level(&config, &canonical(&repo), Some("trusted"));
    assert_level(&config, &canonical(&wt), None);
    assert_contains(&out.stderr, "linked worktree");
}

#[test]
fn a_symlinked_directory_is_trusted_by_its_canonical_path() {
    let ctx = TestContext::new();
    let real = ctx.work_dir("real-project");
    let link = ctx.work().join("link");
    symlink(&real, &link).unwrap();
    let out = trust(&ctx, &link);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let config = ctx.read_config();
    assert_level(&config, &canonical(&real), Some("trusted"));
    assert!(!config.contains("/link\""), "{config}");
    assert_contains(&out.stderr, "not in a git repository");
}

#[test]
fn a_trailing_slash_is_not_part_of_the_key() {
    let ctx = TestContext::new();
    let dir = ctx.work_dir("plain");
    let out = trust(&ctx, format!("{}/", dir.display()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_level(&ctx.read_config(), &canonical(&dir), Some("trusted"));
}

#[test]
fn untrusted_then_remove() {
    let ctx = TestContext::new();
    let dir = ctx.work_dir("p");
    let key = canonical(&dir);
    assert_eq!(
        run(ctx.cmd().args(["trust", "--untrusted"]).arg(&dir)).code,
        0
    );
    assert_level(&ctx.read_config(), &key, Some("untrusted"));
    let out = trust(&ctx, &dir);
    assert_contains(&out.stderr, "was untrusted");
    assert_level(&ctx.read_config(), &key, Some("trusted"));
    let out = run(ctx.cmd().args(["trust", "--remove"]).arg(&dir));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_contains(&out.stderr, "Removed the entry");
    assert_level(&ctx.read_config(), &key, None);
    let out = run(ctx.cmd().args(["trust", "--remove"]).arg(&dir));
    assert_eq!(out.code, 0);
    assert_contains(&out.stderr, "No entry for");
}

#[test]
fn remove_works_for_a_directory_that_is_gone() {
    let ctx = TestContext::new();
    ctx.write_config("[projects.\"/gone/for/good\"]\ntrust_level = \"trusted\"\n\n[tui]\nx = 1\n");
    let out = run(ctx.cmd().args(["trust", "--remove", "/gone/for/good"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(ctx.read_config(), "\n[tui]\nx = 1\n");
}

#[test]
fn a_missing_path_or_a_file_is_refused_and_nothing_is_written() {
    let ctx = TestContext::new();
    let out = run(ctx.cmd().args(["trust", "does-not-exist"]));
    assert_eq!(out.code, 1);
    assert_contains(&out.stderr, "does not exist");
    fs::write(ctx.work().join("file.txt"), "x").unwrap();
    let out = run(ctx.cmd().args(["trust", "file.txt"]));
    assert_eq!(out.code, 1);
    assert_contains(&out.stderr, "is not a directory");
    assert!(!ctx.config().exists());
}

#[test]
fn second_run_changes_nothing_and_keeps_mtime() {
    let ctx = TestContext::new();
    let dir = ctx.work_dir("p");
    assert_eq!(trust(&ctx, &dir).code, 0);
    crate::support::backdate(&ctx.codex_home());
    let stamp = |meta: fs::Metadata| {
        use std::os::unix::fs::MetadataExt;
        (meta.modified().unwrap(), meta.ino())
    };
    let before = stamp(fs::metadata(ctx.config()).unwrap());
    let bytes = fs::read(ctx.config()).unwrap();
    let out = trust(&ctx, &dir);
    assert_eq!(out.code, 0);
    assert_contains(&out.stderr, "is already trusted");
    assert_contains(&out.stderr, "nothing changed");
    assert_eq!(
        stamp(fs::metadata(ctx.config()).unwrap()),
        before,
        "the config was written again (a new time or a new file)"
    );
    assert_eq!(fs::read(ctx.config()).unwrap(), bytes);
}

#[test]
fn a_new_config_is_private_and_the_default_codex_home_is_created_private() {
    let ctx = TestContext::new();
    fs::remove_dir_all(ctx.codex_home()).unwrap();
    let dir = ctx.work_dir("p");
    let out = trust(&ctx, &dir);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(mode(&ctx.codex_home()), 0o700);
    assert_eq!(mode(&ctx.config()), 0o600);
    assert_contains(&out.stderr, "Created");
}

#[test]
fn a_missing_codex_home_from_the_environment_is_an_error() {
    let ctx = TestContext::new();
    let missing = ctx.root.path().join("nope");
    let out = run(ctx.cmd().env("CODEX_HOME", &missing).args(["trust", "."]));
    assert_eq!(out.code, 1);
    assert_contains(&out.stderr, "CODEX_HOME points to");
    assert_contains(&out.stderr, "mkdir -p");
    assert!(!missing.exists());
    let out = run(ctx
        .cmd()
        .arg("--codex-home")
        .arg(&missing)
        .args(["trust", "."]));
    assert_eq!(out.code, 1);
    assert_contains(&out.stderr, "--codex-home points to");
}

#[test]
fn codex_home_flag_and_env_and_profile_choose_the_file() {
    let ctx = TestContext::new();
    let other = ctx.root_dir("other-home");
    let dir = ctx.work_dir("p");
    assert_eq!(
        run(ctx.cmd().env("CODEX_HOME", &other).arg("trust").arg(&dir)).code,
        0
    );
    assert!(other.join("config.toml").exists());
    assert!(!ctx.config().exists());
    assert_eq!(
        run(ctx.cmd().args(["--profile", "work", "trust"]).arg(&dir)).code,
        0
    );
    assert!(ctx.codex_home().join("work.config.toml").exists());
    assert!(!ctx.config().exists());
    let out = run(ctx.cmd().args(["--profile", "../x", "trust"]).arg(&dir));
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn a_symlinked_config_stays_a_symlink_and_its_target_is_updated() {
    let ctx = TestContext::new();
    let dotfiles = ctx.root_dir("dotfiles");
    let target = dotfiles.join("codex.toml");
    fs::write(&target, "# from my dotfiles\nmodel = \"o3\"\n").unwrap();
    fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).unwrap();
    symlink("../../dotfiles/codex.toml", ctx.config()).unwrap();
    let dir = ctx.work_dir("p");
    let out = trust(&ctx, &dir);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(fs::symlink_metadata(ctx.config())
        .unwrap()
        .file_type()
        .is_symlink());
    let text = fs::read_to_string(&target).unwrap();
    assert!(
        text.starts_with("# from my dotfiles\nmodel = \"o3\"\n"),
        "{text}"
    );
    assert_level(&text, &canonical(&dir), Some("trusted"));
    assert_eq!(mode(&target), 0o644, "the target's mode is kept");
    assert_contains(&out.stderr, "Wrote through the symlink");
    // Backups stay beside the config in CODEX_HOME, not in the dotfiles repository.
    assert!(ctx.codex_home().join("config.toml.mg-codex.bak").exists());
    assert_eq!(fs::read_dir(&dotfiles).unwrap().count(), 1);
}

#[test]
fn a_read_only_config_is_left_untouched_with_a_clear_error() {
    let ctx = TestContext::new();
    write_config_with_mode(&ctx, "model = \"o3\"\n", 0o444);
    let dir = ctx.work_dir("p");
    let out = trust(&ctx, &dir);
    assert_eq!(out.code, 1);
    assert_contains(&out.stderr, "is read-only");
    assert_contains(&out.stderr, "chmod u+w");
    assert_eq!(ctx.read_config(), "model = \"o3\"\n");
    assert_eq!(mode(&ctx.config()), 0o444);
}

#[test]
fn mode_and_crlf_are_kept() {
    let ctx = TestContext::new();
    write_config_with_mode(
        &ctx,
        "model = \"o3\"\r\n\r\n[tui]\r\nnotifications = true\r\n",
        0o640,
    );
    let dir = ctx.work_dir("p");
    assert_eq!(trust(&ctx, &dir).code, 0);
    let text = ctx.read_config();
    assert_eq!(
        text,
        format!(
            "model = \"o3\"\r\n\r\n[tui]\r\nnotifications = true\r\n\r\n[projects.\"{}\"]\r\ntrust_level = \"trusted\"\r\n",
            canonical(&dir)
        )
    );
    assert_eq!(mode(&ctx.config()), 0o640);
}

#[test]
fn backups_keep_the_previous_and_the_original_bytes() {
    let ctx = TestContext::new();
    let original = "# mine\nmodel = \"o3\"\n";
    ctx.write_config(original);
    let (a, b) = (ctx.work_dir("a"), ctx.work_dir("b"));
    let out = trust(&ctx, &a);
    assert_contains(&out.stderr, "config.toml.mg-codex.bak");
    assert_contains(&out.stderr, "config.toml.mg-codex.orig");
    let after_a = ctx.read_config();
    trust(&ctx, &b);
    let bak = ctx.codex_home().join("config.toml.mg-codex.bak");
    let orig = ctx.codex_home().join("config.toml.mg-codex.orig");
    assert_eq!(fs::read_to_string(&bak).unwrap(), after_a);
    assert_eq!(fs::read_to_string(&orig).unwrap(), original);
    assert_eq!(mode(&bak), 0o600);
    assert_eq!(mode(&orig), 0o600);
}

#[test]
fn an_invalid_config_is_never_written_and_the_error_says_where() {
    let ctx = TestContext::new();
    let bad = "model = \"o3\"\n[tui]\nnotifications = tru\n";
    ctx.write_config(bad);
    let dir = ctx.work_dir("p");
    let out = trust(&ctx, &dir);
    assert_eq!(out.code, 1);
    assert_contains(&out.stderr, "is not valid TOML at line 3, column 17");
    assert_contains(&out.stderr, "hint: fix line 3 of `");
    assert_eq!(ctx.read_config(), bad);
    assert!(!ctx.codex_home().join("config.toml.mg-codex.bak").exists());
    let list = run(ctx.cmd().args(["trust", "--list"]));
    assert_eq!(list.code, 1);
    assert_contains(&list.stderr, "line 3, column 17");
}

#[test]
fn list_flags_entries_that_can_never_match() {
    let ctx = TestContext::new();
    let (repo, wt) = make_repo_with_worktree(&ctx);
    let link = ctx.work().join("link");
    symlink(&repo, &link).unwrap();
    let good = canonical(&repo);
    let wt = canonical(&wt);
    let config = format!(
        "[projects.\"{good}\"]\ntrust_level = \"trusted\"\n\n\
         [projects.\"{good}/\"]\ntrust_level = \"trusted\"\n\n\
         [projects.\"{}\"]\ntrust_level = \"trusted\"\n\n\
         [projects.\"{wt}\"]\ntrust_level = \"trusted\"\n\n\
         [projects.\"/no/such/dir\"]\ntrust_level = \"untrusted\"\n\n\
         [projects.\"~/src\"]\ntrust_level = \"trusted\"\n",
        link.display()
    );
    ctx.write_config(&config);
    let out = run(ctx.cmd().args(["trust", "--list"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_contains(&out.stdout, "trailing slash");
    assert_contains(&out.stdout, "symlink");
    assert_contains(&out.stdout, "linked git worktree");
    assert_contains(&out.stdout, "does not exist");
    assert_contains(&out.stdout, "`~`");
    assert_contains(&out.stderr, "6 entries");
    assert_contains(&out.stderr, "5 that can never match");

    let json = run(ctx.cmd().args(["trust", "--list", "--json"]));
    assert_eq!(json.code, 0);
    let report: serde_json::Value =
        serde_json::from_str(&json.stdout).expect("stdout is JSON only");
    assert_eq!(report["schema_version"], 1);
    let entries = report["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 6);
    assert_eq!(entries[0]["path"], good.as_str());
    assert_eq!(entries[0]["problems"].as_array().unwrap().len(), 0);
    let kinds: Vec<&str> = entries[1..]
        .iter()
        .map(|e| e["problems"][0]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "trailing_slash",
            "non_canonical",
            "worktree",
            "missing",
            "tilde"
        ]
    );
    // --list never writes.
    assert_eq!(ctx.read_config(), config);
}

#[test]
fn list_on_a_missing_config_says_so() {
    let ctx = TestContext::new();
    let out = run(ctx.cmd().args(["trust", "--list"]));
    assert_eq!(out.code, 0);
    assert!(out.stdout.is_empty());
    assert_contains(&out.stderr, "No project trust entries");
    assert!(!ctx.config().exists());
}

#[test]
fn usage_errors_exit_2() {
    let ctx = TestContext::new();
    assert_eq!(
        run(ctx.cmd().args(["trust", "--untrusted", "--remove"])).code,
        2
    );
    assert_eq!(run(ctx.cmd().args(["trust", "--json"])).code, 2);
    assert_eq!(run(ctx.cmd().args(["frobnicate"])).code, 2);
    let help = run(ctx.cmd().arg("--help"));
    assert_eq!(help.code, 0);
    assert_contains(&help.stdout, "Exit codes");
    let version = run(ctx.cmd().arg("--version"));
    assert_eq!(
        version.stdout.trim(),
        format!("mg-codex {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn sixteen_concurrent_trusts_leave_sixteen_entries() {
    let ctx = TestContext::new();
    ctx.write_config("# shared\nmodel = \"o3\"\n\n[tui]\nnotifications = true\n");
    let dirs: Vec<PathBuf> = (0..16).map(|i| ctx.work_dir(&format!("p{i}"))).collect();
    let children: Vec<_> = dirs
        .iter()
        .map(|d| {
            ctx.cmd()
                .arg("trust")
                .arg(d)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = ctx.read_config();
    assert!(
        text.starts_with("# shared\nmodel = \"o3\"\n\n[tui]\nnotifications = true\n"),
        "{text}"
    );
    for d in &dirs {
        assert_level(&text, &canonical(d), Some("trusted"));
    }
}

#[test]
fn a_change_made_between_read_and_write_is_kept() {
    // Codex rewrites config.toml without our lock. The edit closure runs after the read and
    // before the write, so changing the file from inside it (once) is exactly that race.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("config.toml");
    fs::write(&path, "model = \"o3\"\n").unwrap();
    let mut calls = 0;
    let (_, outcome) = config_file::edit(&path, |doc| {
        calls += 1;
        if calls == 1 {
            fs::write(
                &path,
                "model = \"o3\"\n\n[projects.\"/by/codex\"]\ntrust_level = \"trusted\"\n",
            )
            .unwrap();
        }
        doc.set_trust("/by/us", mg_codex::codex_config::TrustLevel::Trusted)?;
        Ok(())
    })
    .unwrap();
    assert!(outcome.changed);
    assert_eq!(calls, 2, "the edit was redone on the new content");
    let text = fs::read_to_string(&path).unwrap();
    assert_level(&text, "/by/codex", Some("trusted"));
    assert_level(&text, "/by/us", Some("trusted"));
}

#[test]
fn remove_without_a_config_creates_nothing() {
    let ctx = TestContext::new();
    std::fs::remove_dir(ctx.codex_home()).unwrap();
    let before = crate::support::tree(ctx.root.path());
    let out = run(ctx.cmd().args(["trust", "--remove"]).arg(ctx.work()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_contains(&out.stderr, "No entry for `");
    crate::support::assert_same_tree(
        &before,
        &crate::support::tree(ctx.root.path()),
        "trust --remove",
    );
    assert!(!ctx.codex_home().exists());
}

/// One entry of `trust --list --json`: key, level, problem kinds, fixes.
type Listed = (String, Option<String>, Vec<String>, Vec<String>);

/// The entries of `trust --list --json`.
fn listed(ctx: &TestContext) -> Vec<Listed> {
    let out = run(ctx.cmd().args(["trust", "--list", "--json"]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let problems = e["problems"].as_array().unwrap();
            (
                e["path"].as_str().unwrap().to_string(),
                e["trust_level"].as_str().map(str::to_string),
                problems
                    .iter()
                    .map(|p| p["kind"].as_str().unwrap().to_string())
                    .collect(),
                problems
                    .iter()
                    .filter_map(|p| p["fix"].as_str().map(str::to_string))
                    .collect(),
            )
        })
        .collect()
}

/// Every fix `trust --list` prints, run as printed in a shell: the flagged entry is fixed or
/// gone, and no other entry changes. (`trust --remove` used to resolve its argument first and
/// delete a different, valid entry: a symlink's target's, a worktree's main repository's.)
#[test]
fn every_fix_trust_list_prints_works_when_run() {
    let ctx = TestContext::new();
    let (repo, wt) = make_repo_with_worktree(&ctx);
    let real = ctx.work().join("real");
    fs::create_dir_all(&real).unwrap();
    let link = ctx.work().join("link");
    symlink(&real, &link).unwrap();
    let app = ctx.home().join("src/app");
    fs::create_dir_all(&app).unwrap();
    let old = ctx.work().join("old");
    fs::create_dir_all(&old).unwrap();
    let file = ctx.work().join("a-file");
    fs::write(&file, "x").unwrap();
    let bogus = ctx.work().join("bogus-level");
    fs::create_dir_all(&bogus).unwrap();
    let (repo, wt, real, link, old, file, bogus) = (
        canonical(&repo),
        canonical(&wt),
        canonical(&real),
        link.display().to_string(),
        canonical(&old),
        canonical(&file),
        canonical(&bogus),
    );
    let gone = format!("{}/gone", ctx.work().display());
    let valid = [(repo.clone(), "trusted"), (real.clone(), "untrusted")];
    let mut config = String::new();
    for (key, level) in [
        (repo.as_str(), "trusted"),
        (real.as_str(), "untrusted"),
        (link.as_str(), "trusted"),
        (wt.as_str(), "trusted"),
        ("~/src/app", "trusted"),
        ("src/rel", "trusted"),
        (&format!("{old}/"), "trusted"),
        (gone.as_str(), "trusted"),
        (file.as_str(), "trusted"),
        (bogus.as_str(), "bogus"),
    ] {
        config.push_str(&format!(
            "[projects.\"{key}\"]\ntrust_level = \"{level}\"\n\n"
        ));
    }
    ctx.write_config(&config);
    let flagged: Vec<_> = listed(&ctx)
        .into_iter()
        .filter(|(_, _, kinds, _)| !kinds.is_empty())
        .collect();
    let kinds: std::collections::BTreeSet<String> =
        flagged.iter().flat_map(|(_, _, k, _)| k.clone()).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "bad_level",
            "missing",
            "non_canonical",
            "not_directory",
            "relative",
            "tilde",
            "trailing_slash",
            "worktree"
        ]
    );
    let bin = crate::support::bin();
    let bin_dir = bin.parent().unwrap();
    for (key, _, kinds, fixes) in flagged {
        assert_eq!(fixes.len(), 1, "{key}: one fix for {kinds:?}: {fixes:?}");
        let fix = &fixes[0];
        assert!(!fix.contains('<'), "{key}: `{fix}` is not a command");
        let out = run(std::process::Command::new("sh")
            .args(["-c", fix])
            .env_clear()
            .env("HOME", ctx.home())
            .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
            .env("NO_COLOR", "1")
            .current_dir(ctx.work()));
        assert_eq!(out.code, 0, "{key}: `{fix}` failed: {}", out.stderr);
        let now = listed(&ctx);
        // The flagged entry is gone or fixed.
        assert!(
            now.iter()
                .all(|(k, _, kinds, _)| k != &key || kinds.is_empty()),
            "{key}: still flagged after `{fix}`:\n{now:?}"
        );
        // The valid entries are untouched.
        for (k, level) in &valid {
            assert!(
                now.iter()
                    .any(|(nk, nl, _, _)| nk == k && nl.as_deref() == Some(*level)),
                "`{fix}` changed the valid entry {k}:\n{now:?}"
            );
        }
    }
    assert!(
        listed(&ctx).iter().all(|(_, _, kinds, _)| kinds.is_empty()),
        "{:?}",
        listed(&ctx)
    );
    // The fixes that re-add an entry added the right keys.
    let text = ctx.read_config();
    assert_level(
        &text,
        &canonical(&ctx.home().join("src/app")),
        Some("trusted"),
    );
    assert_level(&text, &old, Some("trusted"));
    assert_level(&text, &bogus, Some("trusted"));
}

/// `trust --remove PATH` removes the entry spelled as PATH when there is one: never the
/// entry of the symlink's target, or of the worktree's main repository.
#[test]
fn remove_takes_the_entry_spelled_as_given() {
    let ctx = TestContext::new();
    let (repo, wt) = make_repo_with_worktree(&ctx);
    let real = ctx.work().join("real");
    fs::create_dir_all(&real).unwrap();
    let link = ctx.work().join("link");
    symlink(&real, &link).unwrap();
    let (repo_key, wt_key, real_key) = (canonical(&repo), canonical(&wt), canonical(&real));
    let link_key = link.display().to_string();
    let mut config = String::new();
    for key in [&repo_key, &wt_key, &real_key, &link_key] {
        config.push_str(&format!(
            "[projects.\"{key}\"]\ntrust_level = \"trusted\"\n\n"
        ));
    }
    ctx.write_config(&config);
    for (remove, stays) in [(&link_key, &real_key), (&wt_key, &repo_key)] {
        let out = run(ctx.cmd().args(["trust", "--remove"]).arg(remove));
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_contains(&out.stderr, &format!("Removed the entry for `{remove}`"));
        let text = ctx.read_config();
        assert_level(&text, remove, None);
        assert_level(&text, stays, Some("trusted"));
    }
    // No entry spelled as given: the canonical path's (the old fallback) still works.
    let out = run(ctx.cmd().args(["trust", "--remove"]).arg(&link));
    assert_contains(&out.stderr, &format!("Removed the entry for `{real_key}`"));
}
