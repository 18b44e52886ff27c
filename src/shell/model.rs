//! The data plans and reports are made of: options, each file's role and action, warnings
//! (with their messages), activation hints, and the redaction of keys in file contents.
//!
//! Types only (and `Display` for messages); no IO.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use super::block::MarkerProblem;
use super::shells::{self, Precedence, Shell, Syntax, VAR};
use crate::fsutil;
use crate::secret;

/// Mode of the env files: private from the first byte.
pub const ENV_FILE_MODE: u32 = fsutil::NEW_FILE_MODE;
/// Mode of our directory.
pub const DIR_MODE: u32 = fsutil::NEW_DIR_MODE;
/// Our list of profiles that did not exist before we created them.
pub const CREATED_LIST: &str = "created-profiles";
/// The suffix of a profile's backup, beside the profile as the user names it.
pub const BACKUP_SUFFIX: &str = ".mg-codex.bak";

/// Which shells get a block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ShellSelection {
    /// Those installed (on PATH) or in use (`$SHELL`, the login shell); `sh` only as the latter.
    #[default]
    Detected,
    /// Exactly these (`--shell bash,zsh`); one that is not there is skipped with a warning.
    Only(Vec<Shell>),
    /// No profile at all (`--shell none`): only the env files.
    None,
}

impl ShellSelection {
    /// Parses `--shell`: `none`, `detected`, or a comma-separated list of shells.
    pub fn parse(value: &str) -> Result<Self, String> {
        match value.trim() {
            "none" => Ok(ShellSelection::None),
            "detected" | "auto" => Ok(ShellSelection::Detected),
            list => {
                let mut shells = Vec::new();
                for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    let shell: Shell = name.parse()?;
                    if !shells.contains(&shell) {
                        shells.push(shell);
                    }
                }
                if shells.is_empty() {
                    return Err("no shell given (use `none` to touch no profile)".into());
                }
                Ok(ShellSelection::Only(shells))
            }
        }
    }
}

/// How to install.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InstallOptions {
    pub shells: ShellSelection,
    /// Write the key itself into the profile blocks (as the docs show) instead of a line that
    /// sources the env file.
    pub key_in_profile: bool,
    /// Keep the key in the sh env file even when no shell sources it: it is the store
    /// `mg-codex key print` reads (`--key-source command`).
    pub store: bool,
}

/// What a plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Install,
    Rotate,
    Remove,
}

/// The role of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "of", rename_all = "snake_case")]
pub enum Role {
    /// `env` or `env.fish` in our directory: holds the key.
    EnvFile(Syntax),
    /// `.gitignore` (`*`) in our directory.
    GitIgnore,
    /// Our list of the profiles we created, so removal deletes them again.
    CreatedList,
    /// A shell's startup file (or fish's `conf.d` file of our own).
    Profile(Shell),
    /// The backup mg-codex made of a profile, when it holds the block (and maybe the key):
    /// removal deletes it.
    Backup(Shell),
}

/// What happens (in a plan) or happened (in a report) to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    /// Already as wanted: not written, mtime unchanged.
    Unchanged,
    Delete,
    /// Content already right; the mode is tightened to 0600.
    FixMode {
        from: u32,
    },
    /// Could not be written: the block has to be pasted (or removed) by hand.
    Skip(SkipReason),
    /// Not edited because editing would mean guessing.
    Refuse(Refusal),
}

impl Action {
    /// Whether applying it writes, deletes or chmods the file.
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Action::Create | Action::Update | Action::Delete | Action::FixMode { .. }
        )
    }
}

/// Why a profile was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The file (or its directory) is read-only, e.g. a home-manager link into the Nix store.
    ReadOnly,
    /// The write failed; the error, with its causes.
    WriteFailed(String),
    /// The file changed between planning and writing.
    ChangedMeanwhile,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::ReadOnly => f.write_str("it is read-only"),
            SkipReason::WriteFailed(e) => write!(f, "writing it failed: {e}"),
            SkipReason::ChangedMeanwhile => {
                f.write_str("it changed while mg-codex was editing it (run the command again)")
            }
        }
    }
}

/// Why a profile was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Markers(MarkerProblem),
    /// Not UTF-8 text.
    NotText,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Markers(p) => write!(f, "{p}; fix or delete the mg-codex lines by hand"),
            Refusal::NotText => f.write_str("it is not UTF-8 text"),
        }
    }
}

/// One file of a plan or report.
#[derive(Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The path as the user names it.
    pub path: PathBuf,
    /// The file really read and written (differs when `path` is a symlink).
    pub target: PathBuf,
    pub role: Role,
    pub action: Action,
    /// The content now (`None`: missing, or not text).
    pub before: Option<String>,
    /// The content wanted (`None`: deleted or missing).
    pub after: Option<String>,
    /// The exact block to paste (install) or delete (removal) by hand if the file is skipped.
    pub block: Option<String>,
    /// Whether `before`, `after` or `block` may contain an API key (ours or one the user wrote):
    /// show them through the `*_redacted` forms.
    pub holds_key: bool,
    /// Where the previous bytes were saved (in a report).
    pub backup: Option<PathBuf>,
    /// A file wholly ours (no backup is made).
    pub owned: bool,
}

impl fmt::Debug for FileChange {
    // Never prints contents: they may hold a key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileChange")
            .field("path", &self.path)
            .field("target", &self.target)
            .field("role", &self.role)
            .field("action", &self.action)
            .field("before_len", &self.before.as_ref().map(String::len))
            .field("after_len", &self.after.as_ref().map(String::len))
            .field("holds_key", &self.holds_key)
            .field("backup", &self.backup)
            .finish()
    }
}

impl FileChange {
    pub(crate) fn new(path: PathBuf, target: PathBuf, role: Role, owned: bool) -> Self {
        Self {
            path,
            target,
            role,
            action: Action::Unchanged,
            before: None,
            after: None,
            block: None,
            holds_key: false,
            backup: None,
            owned,
        }
    }

    /// `before` with every key masked, for diffs.
    pub fn before_redacted(&self) -> Option<String> {
        self.before.as_deref().map(redact)
    }

    /// `after` with every key masked, for diffs.
    pub fn after_redacted(&self) -> Option<String> {
        self.after.as_deref().map(redact)
    }

    /// `block` with every key masked.
    pub fn block_redacted(&self) -> Option<String> {
        self.block.as_deref().map(redact)
    }
}

/// What happens to our directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DirAction {
    Create,
    Unchanged,
    /// Tightened to 0700.
    FixMode {
        from: u32,
    },
    Remove,
}

/// A user's own line giving the variable a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserDefinition {
    pub shell: Shell,
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    pub precedence: Precedence,
}

/// Something the user should know. `Display` gives the message (no trailing period).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    UserDefinition(UserDefinition),
    /// A profile with our block lives in a git work tree (a dotfiles repository).
    GitWorkTree {
        file: PathBuf,
        repo: PathBuf,
        holds_key: bool,
    },
    /// `--key-in-profile`: this profile holds the key.
    KeyInProfile {
        file: PathBuf,
    },
    /// An explicitly chosen shell is neither installed nor in use: nothing written for it.
    ShellNotFound {
        shell: Shell,
    },
    /// macOS bash has none of `.bash_profile`, `.bash_login`, `.profile`: login shells (new
    /// Terminal windows) will not read `.bashrc`.
    NoLoginFile {
        shell: Shell,
    },
    /// Removal left our directory because it holds files we did not write.
    DirKept {
        dir: PathBuf,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::UserDefinition(d) => {
                let at = format!("`{}:{}`", d.file.display(), d.line);
                match d.precedence {
                    Precedence::Overrides => write!(
                        f,
                        "{at} sets {VAR} and is read after the mg-codex block, so it wins and the key mg-codex manages is ignored; delete that line (mg-codex never deletes your lines)"
                    ),
                    Precedence::Overridden => write!(
                        f,
                        "{at} also sets {VAR}; the mg-codex block is read later and wins, so that line is dead (maybe an old key): delete it"
                    ),
                    Precedence::Depends => write!(
                        f,
                        "{at} also sets {VAR}; whichever your shell reads last wins: delete that line to use the key mg-codex manages"
                    ),
                }
            }
            Warning::GitWorkTree {
                file,
                repo,
                holds_key: false,
            } => write!(
                f,
                "`{}` is in the git work tree `{}`: only the line that sources the env file is in it, not the key",
                file.display(),
                repo.display()
            ),
            Warning::GitWorkTree {
                file,
                repo,
                holds_key: true,
            } => write!(
                f,
                "`{}` is in the git work tree `{}` and now holds your API key: do not commit it (install without --key-in-profile to keep the key out)",
                file.display(),
                repo.display()
            ),
            Warning::KeyInProfile { file } => write!(
                f,
                "`{}` holds your API key (--key-in-profile): keep it out of backups and dotfiles repositories you share",
                file.display()
            ),
            Warning::ShellNotFound { shell } => write!(
                f,
                "{shell} is neither installed (on PATH) nor your shell, so no file was written for it"
            ),
            Warning::NoLoginFile { shell } => write!(
                f,
                "{shell} login shells (new Terminal windows on macOS) read none of `~/.bash_profile`, `~/.bash_login`, `~/.profile`, so they will not see the key; create one that sources `~/.bashrc`"
            ),
            Warning::DirKept { dir } => write!(
                f,
                "`{}` was kept because it holds files mg-codex did not write",
                dir.display()
            ),
        }
    }
}

/// The command that makes the key available in a terminal that is already open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Activation {
    pub shell: Shell,
    pub command: String,
}

/// Everything an operation will do, before it is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub operation: Operation,
    /// Our directory (`~/.config/mg-codex`).
    pub dir: PathBuf,
    pub dir_action: DirAction,
    /// In the order they are applied.
    pub files: Vec<FileChange>,
    pub warnings: Vec<Warning>,
    pub activation: Vec<Activation>,
}

impl Plan {
    /// Whether applying it would change anything on disk (in a report: whether it did).
    pub fn changes_anything(&self) -> bool {
        self.dir_action != DirAction::Unchanged || self.files.iter().any(|f| f.action.writes())
    }

    /// The files skipped or refused: the user has something to do by hand.
    pub fn problems(&self) -> impl Iterator<Item = &FileChange> {
        self.files
            .iter()
            .filter(|f| matches!(f.action, Action::Skip(_) | Action::Refuse(_)))
    }

    /// The backups written (in a report).
    pub fn backups(&self) -> impl Iterator<Item = &std::path::Path> {
        self.files.iter().filter_map(|f| f.backup.as_deref())
    }
}

/// Masks the value of every line that sets the variable (ours and the user's, even commented
/// out), e.g. `export MODELGATES_API_KEY='sk-mg-…9f2c'`.
pub fn redact(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let (content, eol) = match line.strip_suffix("\r\n") {
                Some(c) => (c, "\r\n"),
                None => match line.strip_suffix('\n') {
                    Some(c) => (c, "\n"),
                    None => (line, ""),
                },
            };
            let value_at = content.match_indices(VAR).find_map(|(i, _)| {
                let rest = &content[i + VAR.len()..];
                let sep = rest.len() - rest.trim_start_matches(['=', ' ', '\t']).len();
                (sep > 0 && sep < rest.len()).then_some(i + VAR.len() + sep)
            });
            match value_at {
                None => line.to_string(),
                Some(at) => {
                    let value = &content[at..];
                    let masked = [Syntax::Posix, Syntax::Fish]
                        .into_iter()
                        .find_map(|s| {
                            shells::unquote(s, value).map(|v| format!("'{}'", secret::mask(&v)))
                        })
                        .unwrap_or_else(|| secret::mask(value));
                    format!("{}{masked}{eol}", &content[..at])
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_masks_every_assignment() {
        let text = "a\nexport MODELGATES_API_KEY='sk-mg-0123456789abcdef'\r\nset -gx MODELGATES_API_KEY 'sk-mg-fedcba9876543210'\n# MODELGATES_API_KEY=sk-mg-commented-secret1\necho \"$MODELGATES_API_KEY\"\n";
        let out = redact(text);
        assert!(!out.contains("0123456789"), "{out}");
        assert!(!out.contains("fedcba98"), "{out}");
        assert!(!out.contains("commented-secret"), "{out}");
        assert!(
            out.contains("export MODELGATES_API_KEY='sk-mg-…cdef'\r\n"),
            "{out}"
        );
        assert!(out.contains("echo \"$MODELGATES_API_KEY\"\n"));
    }

    #[test]
    fn shell_selection_parses() {
        assert_eq!(ShellSelection::parse("none"), Ok(ShellSelection::None));
        assert_eq!(
            ShellSelection::parse("bash, zsh,bash"),
            Ok(ShellSelection::Only(vec![Shell::Bash, Shell::Zsh]))
        );
        assert!(ShellSelection::parse("bash,nu").is_err());
        assert!(ShellSelection::parse(",").is_err());
    }
}
