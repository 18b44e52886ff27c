//! Shell profiles through the library API, in a temporary HOME: real bash, zsh, fish and dash
//! print the exact key after an install (keys with every character that needs quoting), a second
//! install writes nothing, a rotation changes only the env files, removal restores every profile
//! byte for byte, symlinks stay symlinks, `ZDOTDIR` is honoured, absent shells get no file.
//!
//! Case fixtures: `fixtures/shell/<shell>/<case>/{in,out}/` hold HOME before and after
//! installing `KEY` for that one shell (our own `~/.config/mg-codex/` left out: its files are
//! checked here); removal must then give `in/` back (when `in/` had no block). Each case is a
//! test of its own, `shell_profiles::fixture::<shell>::<case>`;
//! `every_shell_case_directory_has_its_test` keeps the list and the directories the same.
//! `INSTA_UPDATE=always cargo test --test it shell_profiles::fixture` writes `out/` from the
//! current behaviour (review it with `git diff fixtures/shell`).
//!
//! The real shells are required in CI (`.ci/run` installs them); elsewhere a missing one skips
//! its part with a printed reason.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use mg_codex::secret::ApiKey;
use mg_codex::shell::{
    self, Action, BlockState, InstallOptions, KeyState, Os, Precedence, Refusal, Role, Shell,
    ShellEnv, ShellSelection, SkipReason, Syntax, Warning,
};

use crate::support::{accepting_new_output, case_dirs, fixtures_dir, in_ci, stub_bin, TestContext};

const KEY: &str = "sk-mg-test-0123456789abcdef";

/// Keys that need quoting in every syntax (the validator allows all printable ASCII).
fn hard_keys() -> Vec<String> {
    let every_printable: String = (0x21u8..=0x7e).map(char::from).collect();
    vec![
        KEY.to_string(),
        r#"sk-mg-'"$HOME`\!#;|&*?~{}()<>[]%^=+,.-"#.to_string(),
        r"sk-mg-\'\\''x'''\".to_string(),
        "sk-mg-$(touch${IFS}pwned)`touch${IFS}pwned2`".to_string(),
        format!("sk-mg-{every_printable}"),
    ]
}

fn key(raw: &str) -> ApiKey {
    ApiKey::parse(raw).expect("a valid key")
}

/// The real executable of a shell, or `None` (with a printed reason) outside CI.
fn require(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/bin")])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        if in_ci() {
            panic!("{name} is required in CI (`.ci/run` installs it from Debian packages)");
        }
        eprintln!("skipping the real-{name} part: `{name}` is not installed");
    }
    found
}

/// A HOME plus a PATH directory of stub executables for the shells to detect.
struct Setup {
    ctx: TestContext,
    env: ShellEnv,
}

impl Setup {
    fn new(installed: &[&str]) -> Self {
        let ctx = TestContext::new();
        let bin = stub_bin(&ctx, installed);
        let mut env = ShellEnv::new(ctx.home());
        env.path = vec![bin];
        env.os = Os::Linux;
        Self { ctx, env }
    }

    fn home(&self) -> PathBuf {
        self.ctx.home()
    }

    fn install(
        &self,
        raw_key: &str,
        shells: ShellSelection,
        key_in_profile: bool,
    ) -> shell::Report {
        let options = InstallOptions {
            shells,
            key_in_profile,
            store: false,
        };
        shell::install(&key(raw_key), &options, &self.env).expect("install")
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.home().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.home().join(rel)).unwrap()
    }

    /// Runs a real shell in this HOME and returns its stdout (stderr has job-control noise).
    fn run(&self, program: &Path, args: &[&str], extra: &[(&str, &OsStr)]) -> String {
        let dir = program.parent().unwrap().to_string_lossy().into_owned();
        let mut cmd = Command::new(program);
        cmd.args(args)
            .env_clear()
            .env("HOME", self.home())
            .env("PATH", format!("{dir}:/usr/bin:/bin"))
            .env("TERM", "dumb")
            .current_dir(self.home())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in extra {
            cmd.env(name, value);
        }
        let mut child = cmd.spawn().expect("start the shell");
        let deadline = Instant::now() + Duration::from_secs(30);
        while child.try_wait().expect("wait for the shell").is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("`{} {args:?}` did not finish in 30s", program.display());
            }
            // Polling for the end, so a hung shell is killed at the deadline.
            std::thread::sleep(Duration::from_millis(10));
        }
        let out = child.wait_with_output().expect("shell output");
        String::from_utf8(out.stdout).expect("UTF-8 output")
    }

    /// What each available real shell sees as the key.
    fn keys_seen(&self, extra: &[(&str, &OsStr)]) -> Vec<(&'static str, String)> {
        let print = r#"printf %s "$MODELGATES_API_KEY""#;
        let mut seen = Vec::new();
        for (name, args) in [
            ("bash", ["-ic", print]),
            ("zsh", ["-ic", print]),
            ("fish", ["-c", print]),
        ] {
            if let Some(program) = require(name) {
                seen.push((name, self.run(&program, &args, extra)));
            }
        }
        seen
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    File {
        bytes: Vec<u8>,
        mode: u32,
        mtime: SystemTime,
    },
    Dir {
        mode: u32,
    },
    Link(PathBuf),
}

/// Every entry under `root`, by relative path.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Entry> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.file_type().is_symlink() {
                out.insert(rel, Entry::Link(fs::read_link(&path).unwrap()));
            } else if meta.is_dir() {
                out.insert(rel, Entry::Dir { mode });
                stack.push(path);
            } else {
                out.insert(
                    rel,
                    Entry::File {
                        bytes: fs::read(&path).unwrap(),
                        mode,
                        mtime: meta.modified().unwrap(),
                    },
                );
            }
        }
    }
    out
}

/// The paths whose entries differ between two snapshots.
fn changed(a: &BTreeMap<PathBuf, Entry>, b: &BTreeMap<PathBuf, Entry>) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = a.keys().chain(b.keys()).cloned().collect();
    paths.sort();
    paths.dedup();
    paths.retain(|p| a.get(p) != b.get(p));
    paths
}

fn without_backups(mut snap: BTreeMap<PathBuf, Entry>) -> BTreeMap<PathBuf, Entry> {
    snap.retain(|p, _| !p.to_string_lossy().ends_with(".mg-codex.bak"));
    // Directories the install created for its files (mtimes and presence) are not profiles.
    snap.retain(|_, e| !matches!(e, Entry::Dir { .. }));
    for entry in snap.values_mut() {
        if let Entry::File { mtime, .. } = entry {
            *mtime = SystemTime::UNIX_EPOCH;
        }
    }
    snap
}

#[test]
fn every_shell_prints_the_exact_key() {
    for key_in_profile in [false, true] {
        let setup = Setup::new(&["bash", "zsh", "fish"]);
        // zsh's RC_QUOTES reads '' inside single quotes as a quote: our quoting must not care.
        setup.write(".zshrc", "setopt rc_quotes\n");
        for raw in hard_keys() {
            setup.install(&raw, ShellSelection::Detected, key_in_profile);
            for (name, seen) in setup.keys_seen(&[]) {
                assert_eq!(seen, raw, "{name} (key_in_profile={key_in_profile})");
            }
        }
        let home = setup.home();
        assert!(!home.join("pwned").exists() && !home.join("pwned2").exists());
    }
}

#[test]
fn second_install_changes_nothing() {
    let setup = Setup::new(&["bash", "zsh", "fish"]);
    setup.write(".bashrc", "alias ll='ls -l'\n");
    let first = setup.install(KEY, ShellSelection::Detected, false);
    assert!(first.changes_anything());
    let before = snapshot(&setup.home());
    let second = setup.install(KEY, ShellSelection::Detected, false);
    assert!(!second.changes_anything(), "{:#?}", second.files);
    assert!(second.files.iter().all(|f| f.action == Action::Unchanged));
    assert_eq!(
        changed(&before, &snapshot(&setup.home())),
        Vec::<PathBuf>::new()
    );
}

#[test]
fn rotating_the_key_changes_only_the_env_files() {
    let setup = Setup::new(&["bash", "zsh", "fish"]);
    setup.install(KEY, ShellSelection::Detected, false);
    let before = snapshot(&setup.home());
    let new_key = "sk-mg-rotated-9876543210";
    let report = setup.install(new_key, ShellSelection::Detected, false);
    let expected = vec![
        PathBuf::from(".config/mg-codex/env"),
        PathBuf::from(".config/mg-codex/env.fish"),
    ];
    assert_eq!(changed(&before, &snapshot(&setup.home())), expected);
    assert!(
        report.backups().next().is_none(),
        "env files are never backed up"
    );
    for (name, seen) in setup.keys_seen(&[]) {
        assert_eq!(seen, new_key, "{name}");
    }

    // The rotation verb does the same without knowing the install options.
    let before = snapshot(&setup.home());
    shell::rotate(&key(KEY), &setup.env).unwrap();
    assert_eq!(changed(&before, &snapshot(&setup.home())), expected);
}

#[test]
fn rotating_rewrites_blocks_that_hold_the_key() {
    let setup = Setup::new(&["bash"]);
    setup.install(KEY, ShellSelection::Detected, true);
    assert!(setup.read(".bashrc").contains(KEY));
    let report = shell::rotate(&key("sk-mg-second-key-000000"), &setup.env).unwrap();
    assert!(setup.read(".bashrc").contains("sk-mg-second-key-000000"));
    assert!(!setup.read(".bashrc").contains(KEY));
    assert!(report
        .files
        .iter()
        .any(|f| f.role == Role::Profile(Shell::Bash) && f.action == Action::Update));
}

#[test]
fn removal_restores_every_profile_byte_for_byte() {
    let setup = Setup::new(&["bash", "zsh", "fish"]);
    setup.write(".bashrc", "# my bashrc\nexport EDITOR=vi"); // no final newline
    setup.write(".zshrc", "autoload -U compinit\r\ncompinit\r\n"); // CRLF
    setup.write(".config/fish/config.fish", "set -g fish_greeting\n");
    let before = without_backups(snapshot(&setup.home()));
    let report = setup.install(KEY, ShellSelection::Detected, false);
    assert!(report.backups().count() >= 2);
    assert!(setup.read(".zshrc").contains("\r\n# >>> mg-codex >>>\r\n"));

    let removal = shell::remove(&setup.env).unwrap();
    assert!(removal.problems().next().is_none(), "{:#?}", removal.files);
    assert!(!setup.home().join(".config/mg-codex").exists());
    assert!(!setup
        .home()
        .join(".config/fish/conf.d/mg-codex.fish")
        .exists());
    let after = without_backups(snapshot(&setup.home()));
    assert_eq!(changed(&before, &after), Vec::<PathBuf>::new());
    // Removing again finds nothing to do.
    assert!(!shell::remove(&setup.env).unwrap().changes_anything());
}

#[test]
fn profiles_created_by_install_are_deleted_by_removal() {
    let setup = Setup::new(&["bash", "zsh"]);
    setup.install(KEY, ShellSelection::Detected, false);
    assert!(setup.home().join(".bashrc").is_file());
    assert!(setup.home().join(".zshrc").is_file());
    shell::remove(&setup.env).unwrap();
    assert!(!setup.home().join(".bashrc").exists());
    assert!(!setup.home().join(".zshrc").exists());
}

#[test]
fn lines_added_after_install_survive_removal() {
    let setup = Setup::new(&["bash"]);
    setup.install(KEY, ShellSelection::Detected, false);
    let mut text = setup.read(".bashrc");
    text.push_str("export NVM_DIR=\"$HOME/.nvm\"\n");
    setup.write(".bashrc", &text);
    shell::remove(&setup.env).unwrap();
    assert_eq!(setup.read(".bashrc"), "export NVM_DIR=\"$HOME/.nvm\"\n");
}

#[test]
fn symlinked_bashrc_stays_a_symlink_and_its_target_is_updated() {
    let setup = Setup::new(&["bash"]);
    let dotfiles = setup.ctx.root.path().join("dotfiles");
    fs::create_dir_all(&dotfiles).unwrap();
    fs::write(dotfiles.join("bashrc"), "alias g=git\n").unwrap();
    symlink("../dotfiles/bashrc", setup.home().join(".bashrc")).unwrap();

    let report = setup.install(KEY, ShellSelection::Detected, false);
    let link = setup.home().join(".bashrc");
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_link(&link).unwrap(),
        Path::new("../dotfiles/bashrc")
    );
    let target = fs::read_to_string(dotfiles.join("bashrc")).unwrap();
    assert!(
        target.starts_with("alias g=git\n\n# >>> mg-codex >>>\n"),
        "{target}"
    );
    assert!(
        !target.contains(KEY),
        "only the source line goes to the dotfiles"
    );
    let change = report.files.iter().find(|f| f.path == link).unwrap();
    assert_eq!(
        change.target,
        fs::canonicalize(dotfiles.join("bashrc")).unwrap()
    );
    assert_eq!(
        change.backup.as_deref(),
        Some(setup.home().join(".bashrc.mg-codex.bak").as_path())
    );
    for (name, seen) in setup.keys_seen(&[]) {
        if name == "bash" {
            assert_eq!(seen, KEY);
        }
    }

    shell::remove(&setup.env).unwrap();
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_to_string(dotfiles.join("bashrc")).unwrap(),
        "alias g=git\n"
    );
}

#[test]
fn zdotdir_is_honoured() {
    let mut setup = Setup::new(&["zsh"]);
    let zdotdir = setup.home().join(".config/zsh");
    fs::create_dir_all(&zdotdir).unwrap();
    setup.env.zdotdir = Some(zdotdir.clone());
    setup.install(KEY, ShellSelection::Detected, false);
    assert!(fs::read_to_string(zdotdir.join(".zshrc"))
        .unwrap()
        .contains("# >>> mg-codex >>>"));
    assert!(!setup.home().join(".zshrc").exists());
    if let Some(zsh) = require("zsh") {
        let seen = setup.run(
            &zsh,
            &["-ic", r#"printf %s "$MODELGATES_API_KEY""#],
            &[("ZDOTDIR", zdotdir.as_os_str())],
        );
        assert_eq!(seen, KEY);
    }
    // Removal finds the block in ZDOTDIR.
    shell::remove(&setup.env).unwrap();
    assert!(!zdotdir.join(".zshrc").exists());
}

#[test]
fn xdg_config_home_is_honoured() {
    let mut setup = Setup::new(&["fish"]);
    let xdg = setup.ctx.root.path().join("xdg");
    setup.env.xdg_config_home = Some(xdg.clone());
    setup.install(KEY, ShellSelection::Detected, false);
    assert!(xdg.join("mg-codex/env.fish").is_file());
    let conf = fs::read_to_string(xdg.join("fish/conf.d/mg-codex.fish")).unwrap();
    assert!(conf.contains(&format!(
        "source '{}'",
        xdg.join("mg-codex/env.fish").display()
    )));
    if let Some(fish) = require("fish") {
        let seen = setup.run(
            &fish,
            &["-c", r#"printf %s "$MODELGATES_API_KEY""#],
            &[("XDG_CONFIG_HOME", xdg.as_os_str())],
        );
        assert_eq!(seen, KEY);
    }
}

#[test]
fn no_file_appears_for_a_shell_that_is_not_installed() {
    let setup = Setup::new(&["bash"]);
    let report = setup.install(KEY, ShellSelection::Detected, false);
    let home = setup.home();
    assert!(home.join(".bashrc").is_file());
    assert!(!home.join(".zshrc").exists());
    assert!(!home.join(".config/fish").exists());
    assert!(!home.join(".profile").exists());
    let shells: Vec<Shell> = report.activation.iter().map(|a| a.shell).collect();
    assert_eq!(shells, vec![Shell::Bash]);
    assert_eq!(report.activation[0].command, ". ~/.config/mg-codex/env");

    // Chosen explicitly, an absent shell is still not set up, with a warning.
    let report = setup.install(KEY, ShellSelection::Only(vec![Shell::Fish]), false);
    assert!(!home.join(".config/fish").exists());
    assert!(report
        .warnings
        .contains(&Warning::ShellNotFound { shell: Shell::Fish }));
}

#[test]
fn sh_profile_only_for_an_sh_login_shell() {
    let mut setup = Setup::new(&["bash", "dash"]);
    setup.install(KEY, ShellSelection::Detected, false);
    assert!(!setup.home().join(".profile").exists());
    setup.env.login_shell = Some("/bin/dash".into());
    setup.install(KEY, ShellSelection::Detected, false);
    assert!(setup.read(".profile").contains("# >>> mg-codex >>>"));
    if let Some(dash) = require("dash") {
        let seen = setup.run(&dash, &["-lc", r#"printf %s "$MODELGATES_API_KEY""#], &[]);
        assert_eq!(seen, KEY);
        // Every key that needs quoting, from the env file and from the profile itself.
        for key_in_profile in [false, true] {
            for raw in hard_keys() {
                setup.install(&raw, ShellSelection::Detected, key_in_profile);
                let seen = setup.run(&dash, &["-lc", r#"printf %s "$MODELGATES_API_KEY""#], &[]);
                assert_eq!(seen, raw, "dash (key_in_profile={key_in_profile})");
            }
        }
        let home = setup.home();
        assert!(!home.join("pwned").exists() && !home.join("pwned2").exists());
    }
}

#[test]
fn shell_none_touches_no_profile() {
    let setup = Setup::new(&["bash", "zsh", "fish"]);
    let report = setup.install(KEY, ShellSelection::None, false);
    assert!(report
        .files
        .iter()
        .all(|f| !matches!(f.role, Role::Profile(_))));
    assert!(!setup.home().join(".bashrc").exists());
    // The key lands on disk only where it was asked for: no shell, no env file.
    assert!(!setup.home().join(".config/mg-codex/env").exists());
    assert!(!setup.home().join(".config/mg-codex/env.fish").exists());
}

#[test]
fn env_files_only_for_the_shells_asked_and_none_with_the_key_in_the_profile() {
    let setup = Setup::new(&["bash", "zsh", "fish"]);
    setup.install(KEY, ShellSelection::Only(vec![Shell::Bash]), false);
    let dir = setup.home().join(".config/mg-codex");
    assert!(dir.join("env").is_file());
    assert!(!dir.join("env.fish").exists(), "fish was not asked for");
    let setup = Setup::new(&["bash", "fish"]);
    setup.install(KEY, ShellSelection::Only(vec![Shell::Fish]), true);
    assert!(!setup.home().join(".config/mg-codex/env").exists());
    assert!(!setup.home().join(".config/mg-codex/env.fish").exists());
}

#[test]
fn env_files_are_private_and_ignored_by_git() {
    let setup = Setup::new(&["bash", "fish"]);
    let both = || ShellSelection::Only(vec![Shell::Bash, Shell::Fish]);
    setup.install(KEY, both(), false);
    let dir = setup.home().join(".config/mg-codex");
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("env")), 0o600);
    assert_eq!(mode(&dir.join("env.fish")), 0o600);
    assert_eq!(fs::read_to_string(dir.join(".gitignore")).unwrap(), "*\n");
    assert!(fs::read_to_string(dir.join("env"))
        .unwrap()
        .contains(&format!("export MODELGATES_API_KEY='{KEY}'\n")));
    assert!(fs::read_to_string(dir.join("env.fish"))
        .unwrap()
        .contains(&format!("set -gx MODELGATES_API_KEY '{KEY}'\n")));

    // Loosened by someone: the next install tightens it again without rewriting it.
    fs::set_permissions(dir.join("env"), fs::Permissions::from_mode(0o644)).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    let report = setup.install(KEY, both(), false);
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("env")), 0o600);
    assert!(report
        .files
        .iter()
        .any(|f| f.action == Action::FixMode { from: 0o644 }));
    // And a key change on a loosened file still ends private.
    fs::set_permissions(dir.join("env"), fs::Permissions::from_mode(0o644)).unwrap();
    setup.install("sk-mg-other-key-1111", both(), false);
    assert_eq!(mode(&dir.join("env")), 0o600);
}

#[test]
fn read_only_profile_is_skipped_with_the_block_to_paste() {
    let setup = Setup::new(&["bash", "zsh"]);
    setup.write(".bashrc", "# managed elsewhere\n");
    let bashrc = setup.home().join(".bashrc");
    fs::set_permissions(&bashrc, fs::Permissions::from_mode(0o444)).unwrap();
    let report = setup.install(KEY, ShellSelection::Detected, false);
    let change = report.files.iter().find(|f| f.path == bashrc).unwrap();
    assert_eq!(change.action, Action::Skip(SkipReason::ReadOnly));
    let block = change.block.as_deref().unwrap();
    assert!(block.starts_with("# >>> mg-codex >>>\nif [ -f \"$HOME/.config/mg-codex/env\" ]"));
    assert!(block.ends_with("# <<< mg-codex <<<\n"));
    assert_eq!(setup.read(".bashrc"), "# managed elsewhere\n");
    assert!(
        setup.read(".zshrc").contains("# >>> mg-codex >>>"),
        "other files still written"
    );
    assert_eq!(report.problems().count(), 1);
}

#[test]
fn corrupted_markers_refuse_only_that_file() {
    let setup = Setup::new(&["bash", "zsh"]);
    let text = "a\n# >>> mg-codex >>>\nsomething\n";
    setup.write(".bashrc", text);
    let report = setup.install(KEY, ShellSelection::Detected, false);
    let change = report
        .files
        .iter()
        .find(|f| f.role == Role::Profile(Shell::Bash))
        .unwrap();
    match &change.action {
        Action::Refuse(Refusal::Markers(problem)) => assert_eq!(problem.line(), 2),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(setup.read(".bashrc"), text);
    assert!(setup.read(".zshrc").contains("# >>> mg-codex >>>"));
    let removal = shell::remove(&setup.env).unwrap();
    assert_eq!(removal.problems().count(), 1);
    assert_eq!(setup.read(".bashrc"), text);
}

#[test]
fn user_definitions_are_reported_with_file_and_line() {
    let setup = Setup::new(&["bash", "zsh"]);
    setup.write(
        ".bashrc",
        "alias x=y\nexport MODELGATES_API_KEY=\"sk-mg-old\"\n",
    );
    setup.write(".zlogin", "export MODELGATES_API_KEY=sk-mg-later\n");
    let report = setup.install(KEY, ShellSelection::Detected, false);
    let definitions: Vec<(PathBuf, usize, Precedence)> = report
        .warnings
        .iter()
        .filter_map(|w| match w {
            Warning::UserDefinition(d) => Some((d.file.clone(), d.line, d.precedence)),
            _ => None,
        })
        .collect();
    assert_eq!(
        definitions,
        vec![
            (setup.home().join(".bashrc"), 2, Precedence::Overridden),
            (setup.home().join(".zlogin"), 1, Precedence::Overrides),
        ]
    );
    let message = report.warnings[0].to_string();
    assert!(message.contains(".bashrc:2`"), "{message}");
    assert!(
        !message.contains("sk-mg-old"),
        "never quotes the user's line"
    );
    assert!(
        setup.read(".bashrc").contains("sk-mg-old"),
        "user lines are kept"
    );
}

#[test]
fn profile_in_a_git_work_tree_is_noticed() {
    let setup = Setup::new(&["bash"]);
    fs::create_dir_all(setup.home().join(".git")).unwrap();
    let report = setup.install(KEY, ShellSelection::Detected, false);
    assert!(report.warnings.iter().any(|w| matches!(
        w,
        Warning::GitWorkTree { holds_key: false, file, .. } if file.ends_with(".bashrc")
    )));
    let report = setup.install(KEY, ShellSelection::Detected, true);
    assert!(report.warnings.iter().any(|w| matches!(
        w,
        Warning::GitWorkTree {
            holds_key: true,
            ..
        }
    )));
    assert!(report
        .warnings
        .iter()
        .any(|w| matches!(w, Warning::KeyInProfile { .. })));
}

#[test]
fn dry_run_plan_writes_nothing_and_redacts_keys() {
    let setup = Setup::new(&["bash", "fish"]);
    setup.write(".bashrc", "x=1\n");
    let before = snapshot(&setup.home());
    let options = InstallOptions {
        shells: ShellSelection::Detected,
        key_in_profile: true,
        store: false,
    };
    let plan = shell::plan_install(&key(KEY), &options, &setup.env).unwrap();
    assert_eq!(
        changed(&before, &snapshot(&setup.home())),
        Vec::<PathBuf>::new()
    );
    assert!(plan.changes_anything());
    let bashrc = plan
        .files
        .iter()
        .find(|f| f.role == Role::Profile(Shell::Bash))
        .unwrap();
    assert_eq!(bashrc.action, Action::Update);
    assert!(bashrc.after.as_deref().unwrap().contains(KEY));
    for file in &plan.files {
        for text in [
            file.before_redacted(),
            file.after_redacted(),
            file.block_redacted(),
        ]
        .into_iter()
        .flatten()
        {
            assert!(!text.contains("0123456789abcdef"), "{text}");
        }
    }
    assert!(!format!("{plan:?}").contains("0123456789abcdef"));
}

#[test]
fn status_reports_blocks_modes_and_key_freshness() {
    let setup = Setup::new(&["bash", "zsh", "fish"]);
    let status = shell::status(&setup.env, None).unwrap();
    assert!(status.shells.iter().all(|s| !s.has_block()));
    assert!(status.env_files.iter().all(|f| !f.present));

    setup.write(".zlogin", "export MODELGATES_API_KEY=sk-mg-later\n");
    setup.install(KEY, ShellSelection::Detected, false);
    let status = shell::status(&setup.env, Some(KEY)).unwrap();
    assert!(status.dir_private);
    for shell in &status.shells {
        if shell.shell == Shell::Posix {
            assert!(!shell.detected && !shell.has_block());
            continue;
        }
        assert!(shell.detected, "{:?}", shell.shell);
        assert_eq!(shell.profiles[0].block, BlockState::SourcesEnvFile);
        assert!(shell.env_file.present && shell.env_file.private);
        assert_eq!(shell.env_file.key, KeyState::Matches);
    }
    let zsh = status
        .shells
        .iter()
        .find(|s| s.shell == Shell::Zsh)
        .unwrap();
    assert_eq!(zsh.overriding().count(), 1);

    let status = shell::status(&setup.env, Some("sk-mg-stale-key-12345")).unwrap();
    assert!(status.env_files.iter().all(|f| f.key == KeyState::Differs));
    let json = serde_json::to_string(&status).unwrap();
    assert!(!json.contains(KEY), "status never carries the key");

    fs::set_permissions(
        setup.home().join(".config/mg-codex/env"),
        fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let status = shell::status(&setup.env, None).unwrap();
    let posix = status
        .env_files
        .iter()
        .find(|f| f.syntax == Syntax::Posix)
        .unwrap();
    assert!(!posix.private);
    assert_eq!(posix.mode, Some(0o644));
    assert_eq!(posix.key, KeyState::NotInEnvironment);
}

/// Copies a directory tree (files and symlinks).
fn copy_tree(from: &Path, to: &Path) {
    for (rel, entry) in snapshot(from) {
        let dest = to.join(&rel);
        match entry {
            Entry::Dir { .. } => fs::create_dir_all(&dest).unwrap(),
            Entry::File { bytes, .. } => {
                fs::create_dir_all(dest.parent().unwrap()).unwrap();
                fs::write(&dest, bytes).unwrap();
            }
            Entry::Link(target) => {
                fs::create_dir_all(dest.parent().unwrap()).unwrap();
                symlink(target, &dest).unwrap();
            }
        }
    }
}

fn contents(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    snapshot(root)
        .into_iter()
        .filter_map(|(rel, e)| match e {
            Entry::File { bytes, .. } => Some((rel, bytes)),
            _ => None,
        })
        .collect()
}

fn show(files: &BTreeMap<PathBuf, Vec<u8>>) -> String {
    files
        .iter()
        .map(|(p, b)| format!("--- {}\n{}", p.display(), String::from_utf8_lossy(b)))
        .collect()
}

/// Installs `KEY` for `shell` in a HOME made from `fixtures/shell/<shell>/<case>/in`: HOME must
/// then equal `out/`, a second install change nothing, and (when `in/` had no block of ours)
/// removal give `in/` back.
fn shell_case(shell_name: &str, case_name: &str) -> Result<(), String> {
    let shell: Shell = shell_name.parse().unwrap();
    let case = fixtures_dir()
        .join("shell")
        .join(shell_name)
        .join(case_name);
    assert!(case.is_dir(), "no case directory `{}`", case.display());
    let name = format!("{shell}/{case_name}");
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).unwrap();
    if case.join("in").is_dir() {
        copy_tree(&case.join("in"), &home);
    }
    let input = contents(&home);
    let mut env = ShellEnv::new(&home);
    env.os = Os::Linux;
    let options = InstallOptions {
        shells: ShellSelection::Only(vec![shell]),
        key_in_profile: false,
        store: false,
    };
    env.shell = Some(PathBuf::from(format!("/bin/{}", shell.executables()[0])));
    shell::install(&key(KEY), &options, &env).unwrap();
    let mut actual = contents(&home);
    actual.retain(|p, _| !p.starts_with(".config/mg-codex"));
    if accepting_new_output() {
        let out = case.join("out");
        let _ = fs::remove_dir_all(&out);
        for (rel, bytes) in &actual {
            fs::create_dir_all(out.join(rel).parent().unwrap()).unwrap();
            fs::write(out.join(rel), bytes).unwrap();
        }
    }
    let expected = contents(&case.join("out"));
    if actual != expected {
        return Err(format!(
            "{name}: HOME differs from out/\n=== expected\n{}\n=== actual\n{}",
            show(&expected),
            show(&actual)
        ));
    }
    let again = shell::install(&key(KEY), &options, &env).unwrap();
    if again.changes_anything() {
        return Err(format!("{name}: a second install changed something"));
    }
    let had_block = input
        .values()
        .any(|b| String::from_utf8_lossy(b).contains("mg-codex"));
    if !had_block {
        shell::remove(&env).unwrap();
        let mut restored = contents(&home);
        restored.retain(|p, _| !p.to_string_lossy().ends_with(".mg-codex.bak"));
        if restored != input {
            return Err(format!(
                "{name}: removal did not restore in/\n=== in\n{}\n=== after removal\n{}",
                show(&input),
                show(&restored)
            ));
        }
    }
    Ok(())
}

/// A module per shell with one `#[test]` per case directory, and `fixture::CASES` listing them.
macro_rules! shell_cases {
    ($($shell:ident: [$($case:ident),* $(,)?]),* $(,)?) => {
        mod fixture {
            $(
                mod $shell {
                    $(
                        #[test]
                        fn $case() {
                            let (shell, case) = (stringify!($shell), stringify!($case));
                            if let Err(e) = super::super::shell_case(shell, case) {
                                panic!("{e}\n(after a deliberate change: INSTA_UPDATE=always cargo test --test it shell_profiles::fixture::{shell}::{case})");
                            }
                        }
                    )*
                }
            )*
            /// The `(shell, case)` pairs that have a test.
            pub(super) const CASES: &[(&str, &str)] = &[$($((stringify!($shell), stringify!($case)),)*)*];
        }
    };
}

shell_cases! {
    bash: [
        appends_after_a_blank_line,
        bashrc_created_when_missing,
        crlf_file_stays_crlf,
        identical_block_is_left_alone,
        missing_final_newline_is_fixed,
        moved_block_is_replaced_in_place,
        user_definition_is_kept,
    ],
    fish: [conf_d_file_of_our_own],
    sh: [profile_of_a_dash_login_shell],
    zsh: [
        indented_block_keeps_its_indentation,
        zshrc_created_when_missing,
    ],
}

/// A new case directory without a test (or a test whose directory is gone) fails here.
#[test]
fn every_shell_case_directory_has_its_test() {
    let root = fixtures_dir().join("shell");
    let on_disk: Vec<(String, String)> = case_dirs(&root)
        .into_iter()
        .flat_map(|shell| {
            case_dirs(&root.join(&shell))
                .into_iter()
                .map(move |case| (shell.clone(), case))
        })
        .collect();
    assert!(
        !on_disk.is_empty(),
        "no fixture cases under `{}`",
        root.display()
    );
    let listed: Vec<(String, String)> = fixture::CASES
        .iter()
        .map(|(s, c)| (s.to_string(), c.to_string()))
        .collect();
    assert_eq!(
        listed, on_disk,
        "`shell_cases!` in tests/it/shell_profiles.rs must list exactly the directories of fixtures/shell, sorted"
    );
}
