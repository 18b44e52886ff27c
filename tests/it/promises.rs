//! The README's promises about the user's files, under the pressure an adversary applies: the
//! shape of config that used to lose its comments on `uninstall`, concurrent `init` runs, a
//! `kill -9` at every write of `init` (and at random moments), a writer that is not mg-codex
//! rewriting the config in a loop, a run as root in a user's home, and special files where the
//! config should be. Real processes, real files, real signals.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::{
    assert_contains, par_map, run_with, stub_cmd, stub_context, tree, Output, Stdin, TestContext,
};

const KEY: &str = "sk-mg-v1-promisekey0123456789abcdefXYZ";
const TIMEOUT: Duration = Duration::from_secs(60);

/// `init --yes --no-verify` with the key on stdin and `args`.
fn init_cmd(ctx: &TestContext, args: &[&str]) -> Command {
    let mut c = stub_cmd(ctx);
    c.args(["init", "--yes", "--api-key-stdin", "--no-verify"])
        .args(args);
    c
}

fn init(ctx: &TestContext, args: &[&str]) -> Output {
    run_with(
        &mut init_cmd(ctx, args),
        Stdin::Bytes(format!("{KEY}\n").as_bytes()),
        TIMEOUT,
    )
}

fn uninstall(ctx: &TestContext) -> Output {
    let mut c = stub_cmd(ctx);
    c.args(["uninstall", "--yes"]);
    run_with(&mut c, Stdin::Null, TIMEOUT)
}

#[track_caller]
fn ok(out: &Output) {
    assert_eq!(
        out.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
}

/// Every file under `dir` whose bytes hold the key (or its secret part).
fn files_with_key(dir: &Path) -> Vec<PathBuf> {
    let secret = KEY.trim_start_matches("sk-mg-v1-");
    tree(dir)
        .into_iter()
        .filter(|(_, (bytes, _))| String::from_utf8_lossy(bytes).contains(secret))
        .map(|(p, _)| p)
        .collect()
}

/// The bug as it was reported: a config with no top-level keys, only a leading comment block
/// and a table; `init --trust`, then `uninstall`: the comment block, `#:schema` included, was
/// deleted.
#[test]
fn uninstall_gives_back_a_leading_comment_block_and_every_other_byte() {
    let shapes = [
        "#:schema https://developers.openai.com/codex/config-schema.json\n# my settings\n\n[tui]\nnotifications = true\n",
        "# my settings\n# more\n\n[tui]\nnotifications = true\n",
        "#:schema x\n[tui]\nnotifications = true",
        "# only a comment\n",
        "\n\n# after blank lines\n\n[tui]\r\nnotifications = true\r\n",
    ];
    for original in shapes {
        let ctx = stub_context();
        let project = ctx.work_dir("project");
        ctx.write_config(original);
        let bashrc = "# my bashrc\n";
        fs::write(ctx.home().join(".bashrc"), bashrc).unwrap();
        let before = tree(&ctx.home());
        ok(&init(
            &ctx,
            &["--shell", "none", "--trust", project.to_str().unwrap()],
        ));
        assert_ne!(ctx.read_config(), original);
        ok(&uninstall(&ctx));
        assert_eq!(ctx.read_config(), original, "{original:?}");
        let after = tree(&ctx.home());
        let changed: Vec<&PathBuf> = before
            .iter()
            .filter(|(p, (bytes, _))| after.get(*p).map(|a| &a.0) != Some(bytes))
            .map(|(p, _)| p)
            .collect();
        assert!(changed.is_empty(), "changed: {changed:?}");
        assert!(files_with_key(&ctx.root.path().join("home")).is_empty());
    }
}

/// Two, four and eight `init` runs at once, many rounds: whatever the interleaving, the record
/// is read and written under the config's lock, so `uninstall` gives back the original.
#[test]
fn concurrent_inits_still_let_uninstall_restore_the_original() {
    let original = "# mine\nmodel = \"o3\" # keep\n\n[tui]\nnotifications = true\n";
    for (n, rounds) in [(2, 8), (4, 6), (8, 4)] {
        for round in 0..rounds {
            let ctx = stub_context();
            ctx.write_config(original);
            let children: Vec<_> = (0..n)
                .map(|i| {
                    let effort = ["low", "medium", "high", "xhigh"][i % 4];
                    let mut c = init_cmd(&ctx, &["--shell", "bash", "--reasoning-effort", effort]);
                    c.stdin(Stdio::piped())
                        .stdout(Stdio::null())
                        .stderr(Stdio::piped());
                    let mut child = c.spawn().unwrap();
                    use std::io::Write;
                    child
                        .stdin
                        .take()
                        .unwrap()
                        .write_all(format!("{KEY}\n").as_bytes())
                        .unwrap();
                    child
                })
                .collect();
            for child in children {
                let out = child.wait_with_output().unwrap();
                assert!(
                    out.status.success(),
                    "{n} at once, round {round}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            ok(&uninstall(&ctx));
            assert_eq!(ctx.read_config(), original, "{n} at once, round {round}");
            assert!(!ctx.home().join(".bashrc").exists());
            assert!(files_with_key(&ctx.home()).is_empty());
        }
    }
}

/// A home for the crash tests: a config with comments, a `.bashrc` with no final newline.
fn crash_home() -> (TestContext, String, String) {
    let ctx = stub_context();
    let original = "# mine\nmodel = \"o3\"\n\n[tui]\nnotifications = true\n".to_string();
    let bashrc = "# my bashrc\r\nexport EDITOR=vim".to_string();
    ctx.write_config(&original);
    fs::write(ctx.home().join(".bashrc"), &bashrc).unwrap();
    (ctx, original, bashrc)
}

/// After whatever a killed run left: a complete `init` and an `uninstall` give every byte back
/// and leave no copy of the key anywhere under HOME.
#[track_caller]
fn recovers(ctx: &TestContext, original: &str, bashrc: &str, what: &str) {
    let out = init(ctx, &["--shell", "bash", "--key-in-profile"]);
    assert_eq!(out.code, 0, "{what}: init after the kill: {}", out.stderr);
    let out = uninstall(ctx);
    assert_eq!(out.code, 0, "{what}: uninstall: {}", out.stderr);
    assert_eq!(ctx.read_config(), original, "{what}: the config");
    assert_eq!(
        fs::read_to_string(ctx.home().join(".bashrc")).unwrap(),
        bashrc,
        "{what}: ~/.bashrc"
    );
    let left = files_with_key(&ctx.home());
    assert!(left.is_empty(), "{what}: the key is still in {left:?}");
}

/// `kill -9` exactly at each step of each atomic write `init` makes (the process stops itself
/// there through a test hook and is killed while stopped): every such state recovers.
#[test]
fn a_kill_at_every_write_of_init_leaves_a_state_that_recovers() {
    let mut steps_seen = 0;
    for step in 1.. {
        let (ctx, original, bashrc) = crash_home();
        let mut c = init_cmd(&ctx, &["--shell", "bash", "--key-in-profile"]);
        c.env("MG_CODEX_TEST_STOP_AT_WRITE", step.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = c.spawn().unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(format!("{KEY}\n").as_bytes()).unwrap();
        }
        // Either it stops at the step, or it finishes (there are fewer steps).
        let pid = child.id() as i32;
        let started = Instant::now();
        let stopped = loop {
            if let Some(_status) = child.try_wait().unwrap() {
                break false;
            }
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let state = stat
                .rsplit(')')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .next();
            if state == Some("T") {
                break true;
            }
            assert!(
                started.elapsed() < TIMEOUT,
                "step {step}: init neither stopped nor ended"
            );
            // Polling: a stopped child sends no event we could wait on.
            std::thread::sleep(Duration::from_millis(20));
        };
        if !stopped {
            break;
        }
        steps_seen += 1;
        // SAFETY: kill(2) on our own child.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
        }
        child.wait().unwrap();
        recovers(
            &ctx,
            &original,
            &bashrc,
            &format!("killed at write step {step}"),
        );
    }
    // Config, record (twice), backups, env files, profile, created list, .gitignore...
    assert!(
        steps_seen >= 15,
        "only {steps_seen} write steps were reached"
    );
}

/// `kill -9` at random moments of `init` (a real SIGKILL from outside, no hook), many times.
#[test]
fn a_kill_at_random_moments_of_init_leaves_a_state_that_recovers() {
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let delays: Vec<(usize, Duration)> = (0..120)
        .map(|round| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (round, Duration::from_micros(seed % 12_000))
        })
        .collect();
    // Rounds in threads of their own: each waits mostly on process start-up, not the CPU.
    let killed = par_map(&delays, 4, |&(round, delay)| {
        let (ctx, original, bashrc) = crash_home();
        let mut c = init_cmd(&ctx, &["--shell", "bash", "--key-in-profile"]);
        c.stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = c.spawn().unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(format!("{KEY}\n").as_bytes()).unwrap();
        }
        // The random moment of the kill.
        std::thread::sleep(delay);
        let running = child.try_wait().unwrap().is_none();
        let _ = child.kill();
        child.wait().unwrap();
        recovers(
            &ctx,
            &original,
            &bashrc,
            &format!("round {round}, killed after {delay:?}"),
        );
        running
    })
    .into_iter()
    .filter(|&running| running)
    .count();
    assert!(
        killed >= 20,
        "only {killed} of the runs were still going when killed"
    );
}

/// A writer that does not take mg-codex's lock (as Codex rewrites its config: a temporary file,
/// then a rename) appends a numbered line every 20 ms while `mg-codex trust` edits the same
/// file again and again: every line the writer wrote is still there at the end. (mg-codex
/// swaps its file in atomically and looks at what it swapped out: a write that landed after its
/// last look is swapped back, and the edit redone on it.)
#[test]
fn a_foreign_writer_in_a_loop_loses_nothing() {
    let ctx = stub_context();
    ctx.write_config("model = \"o3\"\n");
    let config = ctx.config();
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU32::new(0));
    let writer = {
        let (stop, written) = (Arc::clone(&stop), Arc::clone(&written));
        let config = config.clone();
        std::thread::spawn(move || {
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let text = fs::read_to_string(&config).unwrap();
                let tmp = config.with_extension(format!("foreign.{n}"));
                fs::write(&tmp, format!("{text}# foreign {n}\n")).unwrap();
                fs::rename(&tmp, &config).unwrap();
                n += 1;
                written.store(n, Ordering::Relaxed);
                // The writer's pace: a line every 20 ms, so mg-codex's runs land between them.
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    // At least 80 edits, and on until the writer has written 60 times in between (however
    // fast the runs are).
    let started = Instant::now();
    let mut projects: Vec<PathBuf> = Vec::new();
    while projects.len() < 80 || written.load(Ordering::Relaxed) <= 60 {
        assert!(
            started.elapsed() < TIMEOUT,
            "the writer never got to 60 writes"
        );
        let project = ctx.work_dir(&format!("p{}", projects.len()));
        let mut c = stub_cmd(&ctx);
        c.arg("trust").arg("--exact").arg(&project);
        ok(&run_with(&mut c, Stdin::Null, TIMEOUT));
        projects.push(project);
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let written = written.load(Ordering::Relaxed);
    let text = fs::read_to_string(&config).unwrap();
    let lost: Vec<u32> = (0..written)
        .filter(|n| !text.contains(&format!("# foreign {n}\n")))
        .collect();
    assert!(written > 60, "the writer only wrote {written} times");
    assert!(
        lost.is_empty(),
        "{} of {written} foreign writes were lost: {lost:?}",
        lost.len()
    );
    // (A writer that does not lock can in turn write over mg-codex's change, having read the
    // file just before it; that is its loss to avoid, not one mg-codex can prevent.)
    let ours = projects
        .iter()
        .filter(|p| {
            let key = fs::canonicalize(p).unwrap().display().to_string();
            text.contains(&format!("[projects.\"{key}\"]"))
        })
        .count();
    assert!(ours > 0, "{text}");
}

// SAFETY (for the uses below): geteuid has no preconditions.
fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

/// As root (`sudo mg-codex …`) in a user's home: the user's files keep their owner, and files
/// and directories mg-codex creates there are the user's, not root's.
#[test]
fn run_as_root_in_a_users_home_everything_stays_the_users() {
    if !is_root() {
        eprintln!("skipping: needs root to own files as another user");
        return;
    }
    let (uid, gid) = (4242u32, 4343u32);
    let ctx = stub_context();
    let home = ctx.home();
    ctx.write_config("model = \"o3\"\n");
    fs::write(home.join(".bashrc"), "# mine\n").unwrap();
    fs::set_permissions(ctx.config(), fs::Permissions::from_mode(0o644)).unwrap();
    for p in [
        &home,
        &ctx.codex_home(),
        &ctx.config(),
        &home.join(".bashrc"),
    ] {
        std::os::unix::fs::chown(p, Some(uid), Some(gid)).unwrap();
    }
    ok(&init(&ctx, &["--shell", "bash"]));
    let project = ctx.work_dir("p");
    let mut c = stub_cmd(&ctx);
    c.arg("trust").arg(&project);
    ok(&run_with(&mut c, Stdin::Null, TIMEOUT));
    let mut checked = 0;
    for (path, _) in tree(&home) {
        let meta = fs::symlink_metadata(&path).unwrap();
        assert_eq!(
            (meta.uid(), meta.gid()),
            (uid, gid),
            "`{}` is not the user's",
            path.display()
        );
        checked += 1;
    }
    assert!(checked >= 8, "{checked}");
    assert_eq!(
        fs::metadata(ctx.config()).unwrap().permissions().mode() & 0o777,
        0o644
    );
}

/// The config (or what its symlink points to) is a FIFO, a character device or a socket: every
/// command refuses at once with a clear error, nothing hangs, and the special file stays.
#[test]
fn special_files_are_refused_at_once_and_left_alone() {
    use std::os::unix::fs::FileTypeExt;
    for kind in ["fifo", "device", "socket"] {
        let ctx = stub_context();
        let config = ctx.config();
        let _listener;
        match kind {
            "fifo" => {
                let c = std::ffi::CString::new(config.to_str().unwrap()).unwrap();
                // SAFETY: a valid NUL-terminated path.
                assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            }
            "device" => std::os::unix::fs::symlink("/dev/null", &config).unwrap(),
            _ => _listener = std::os::unix::net::UnixListener::bind(&config).unwrap(),
        }
        let project = ctx.work_dir("p");
        for args in [
            vec!["trust".to_string(), project.display().to_string()],
            vec!["trust".into(), "--list".into()],
            vec!["doctor".into(), "--offline".into()],
            vec![
                "model".into(),
                "openai/gpt-5.3-codex".into(),
                "--no-verify".into(),
            ],
        ] {
            let mut c = stub_cmd(&ctx);
            c.args(&args);
            let started = Instant::now();
            let out = run_with(&mut c, Stdin::Null, Duration::from_secs(20));
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "{kind} {args:?} hung"
            );
            assert_eq!(out.code, 1, "{kind} {args:?}: {}{}", out.stdout, out.stderr);
            let text = format!("{}{}", out.stdout, out.stderr);
            assert!(
                text.contains("not a regular file"),
                "{kind} {args:?}:\n{text}"
            );
        }
        let out = init(&ctx, &["--shell", "none"]);
        assert_eq!(out.code, 1, "{kind} init: {}", out.stderr);
        assert_contains(&out.stderr, "not a regular file");
        let t = fs::metadata(&config).unwrap().file_type();
        assert!(
            t.is_fifo() || t.is_char_device() || t.is_socket(),
            "{kind}: replaced by a regular file"
        );
    }
}
