//! What the harness-less benches share: the binary under test, the real Codex CLI and a PATH it
//! runs with, the timing loop, its statistics and the table of timed process runs. Included with `mod common;`; Cargo does not build it
//! as a bench of its own (only `benches/*.rs` and `benches/*/main.rs` are).

use std::fmt::{Display, Write as _};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The `mg-codex` binary Cargo built for this bench.
pub const BIN: &str = env!("CARGO_BIN_EXE_mg-codex");
/// Where `.ci/run` installs the pinned Codex CLI, below `$HOME`.
#[allow(dead_code)] // Not every bench runs Codex.
pub const DEFAULT_CODEX: &str = ".cache/mg-codex-tools/node_modules/.bin/codex";

/// The real Codex CLI: `MG_CODEX_TEST_CODEX` when set (a panic if it is not a file: a bench
/// that silently skipped Codex would measure something else than asked), else
/// `$HOME/`[`DEFAULT_CODEX`] if it is there, else `None`.
#[allow(dead_code)] // Not every bench runs Codex.
pub fn codex_cli() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("MG_CODEX_TEST_CODEX").filter(|v| !v.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "MG_CODEX_TEST_CODEX={} is not a file",
            path.display()
        );
        return Some(path);
    }
    std::env::var_os("HOME")
        .map(|home| PathBuf::from(home).join(DEFAULT_CODEX))
        .filter(|p| p.is_file())
}

/// A PATH for the npm Codex (a node script): its own directory, the directory of the first
/// `node` on this process's PATH (nvm, setup-node: not always `/usr/bin`), then `path`.
#[allow(dead_code)] // Not every bench runs Codex.
pub fn codex_path(codex: &Path, path: &str) -> String {
    let mut dirs = vec![codex
        .parent()
        .expect("codex has a parent directory")
        .to_path_buf()];
    let node_dir = std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).find(|dir| dir.join("node").is_file()));
    dirs.extend(node_dir);
    dirs.extend(std::env::split_paths(path));
    std::env::join_paths(dirs)
        .expect("directories without `:`")
        .into_string()
        .expect("a UTF-8 PATH")
}

/// Untimed runs before the timed ones.
pub const WARMUPS: usize = 3;
/// Timed runs.
pub const ITERS: usize = 20;

/// min / median / mean of the timed iterations.
pub struct Stats {
    pub min: Duration,
    pub median: Duration,
    pub mean: Duration,
}

/// Calls `run(i)` for `WARMUPS + ITERS` values of `i`, discarding the first `WARMUPS` results.
/// `run` returns the time of its own measured region (so set-up and checks stay untimed).
pub fn measure(mut run: impl FnMut(usize) -> Duration) -> Stats {
    for i in 0..WARMUPS {
        run(i);
    }
    let mut times: Vec<Duration> = (WARMUPS..WARMUPS + ITERS).map(&mut run).collect();
    times.sort();
    // The middle value, or the mean of the two middle values.
    let median = (times[(times.len() - 1) / 2] + times[times.len() / 2]) / 2;
    Stats {
        min: times[0],
        median,
        mean: times.iter().sum::<Duration>() / times.len() as u32,
    }
}

/// Milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The table of process runs: a case, the bench's own columns, then min / median / mean in ms.
pub struct Table {
    title: String,
    case_width: usize,
    /// The bench's own columns: heading and width, right-aligned.
    columns: &'static [(&'static str, usize)],
    stat_width: usize,
    rows: Vec<String>,
}

impl Table {
    /// `title` is the first line; the second names the binary.
    pub fn new(
        title: String,
        case_width: usize,
        columns: &'static [(&'static str, usize)],
        stat_width: usize,
    ) -> Self {
        Self {
            title,
            case_width,
            columns,
            stat_width,
            rows: Vec::new(),
        }
    }

    /// A row: `cells` fill the bench's own columns, in order.
    pub fn row<const N: usize>(&mut self, case: &str, cells: [impl Display; N], stats: &Stats) {
        assert_eq!(N, self.columns.len(), "one cell per column");
        let mut line = format!("{case:<width$}", width = self.case_width);
        for (cell, (_, width)) in cells.iter().zip(self.columns) {
            write!(line, " {cell:>width$}").expect("write to String");
        }
        for time in [stats.min, stats.median, stats.mean] {
            write!(line, " {:>width$.2}", ms(time), width = self.stat_width)
                .expect("write to String");
        }
        self.rows.push(line);
    }

    pub fn render(&self) -> String {
        let mut out = format!("{}\nbinary: {BIN}\n", self.title);
        write!(out, "{:<width$}", "case", width = self.case_width).expect("write to String");
        for (heading, width) in self.columns {
            write!(out, " {heading:>width$}").expect("write to String");
        }
        for heading in ["min", "median", "mean"] {
            write!(out, " {heading:>width$}", width = self.stat_width).expect("write to String");
        }
        out.push('\n');
        out.push_str(&self.rows.join("\n"));
        out
    }
}
