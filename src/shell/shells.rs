//! Per-shell facts as data: which executables a shell goes by, which startup files it reads and
//! which of them we edit, its syntax and quoting rules, and the text we put in each file (the
//! profile block, the env files, the activation hint).
//!
//! Nothing here touches the file system except [`resolve_profiles`], which checks which of the
//! macOS bash login files exists. Paths come from an injected [`ShellEnv`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::Result;
use serde::Serialize;

use super::environment::{Os, ShellEnv};
use crate::project::shell_quote;

/// The variable the key is exported as (the `env_key` init writes).
pub const VAR: &str = crate::setup::ENV_KEY;

/// A shell family we set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    /// sh, dash, ksh and other POSIX shells, which read `~/.profile` as login shells.
    #[serde(rename = "sh")]
    Posix,
}

impl Shell {
    /// Every shell we know, in the order reports list them.
    pub const ALL: [Shell; 4] = [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::Posix];

    /// The name users type (`--shell bash`).
    pub fn name(self) -> &'static str {
        match self {
            Shell::Bash => "bash",
            Shell::Zsh => "zsh",
            Shell::Fish => "fish",
            Shell::Posix => "sh",
        }
    }

    /// The shell an executable name (`/bin/zsh`, `dash`, `-bash`) belongs to.
    pub fn from_executable(name: &str) -> Option<Shell> {
        let base = name
            .rsplit('/')
            .next()
            .unwrap_or(name)
            .trim_start_matches('-');
        Shell::ALL
            .into_iter()
            .find(|s| facts(*s).executables.contains(&base))
    }

    /// The executable names it goes by.
    pub fn executables(self) -> &'static [&'static str] {
        facts(self).executables
    }

    /// The syntax its files are written in.
    pub fn syntax(self) -> Syntax {
        facts(self).syntax
    }

    /// Whether it is set up only when it is the login shell (`sh`: `~/.profile`).
    pub fn login_shell_only(self) -> bool {
        facts(self).login_only
    }

    /// Whether its profile is a file of our own (fish's `conf.d/mg-codex.fish`).
    pub fn owns_profile(self) -> bool {
        facts(self).owns_profile
    }
}

impl fmt::Display for Shell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Shell {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Shell::from_executable(s.trim()).ok_or_else(|| {
            format!("`{s}` is not a shell mg-codex can set up (choose from bash, zsh, fish, sh)")
        })
    }
}

/// The language of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Syntax {
    /// POSIX sh, also read by bash and zsh.
    Posix,
    Fish,
}

impl Syntax {
    /// The name of the env file in this syntax.
    pub fn env_file_name(self) -> &'static str {
        match self {
            Syntax::Posix => "env",
            Syntax::Fish => "env.fish",
        }
    }
}

/// Which of two definitions of the variable a shell ends up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Precedence {
    /// The user's line is read after our block: it wins, and the key we manage is ignored.
    Overrides,
    /// Our block is read after the user's line: ours wins, theirs is dead (maybe an old key).
    Overridden,
    /// It depends on how the user's files source each other (bash login files).
    Depends,
}

/// Where a path is anchored.
#[derive(Debug, Clone, Copy)]
enum Base {
    Home,
    /// `$ZDOTDIR`, else HOME.
    ZDotDir,
    /// `$XDG_CONFIG_HOME`, else `~/.config`.
    ConfigHome,
}

#[derive(Debug, Clone, Copy)]
struct Rel {
    base: Base,
    path: &'static str,
}

const fn rel(base: Base, path: &'static str) -> Rel {
    Rel { base, path }
}

impl Rel {
    fn resolve(self, env: &ShellEnv) -> PathBuf {
        let base = match self.base {
            Base::Home => env.home.clone(),
            Base::ZDotDir => env.zdotdir(),
            Base::ConfigHome => env.config_home(),
        };
        base.join(self.path)
    }

    /// The same file under the default base (where an earlier install may have written it).
    fn resolve_default(self, env: &ShellEnv) -> PathBuf {
        let base = match self.base {
            Base::Home | Base::ZDotDir => env.home.clone(),
            Base::ConfigHome => env.home.join(".config"),
        };
        base.join(self.path)
    }
}

/// Which file of a shell gets the block.
#[derive(Debug)]
enum ProfileRule {
    /// This file, created when missing.
    Create(Rel),
    /// On this OS only, the first of these files that exists; none is ever created.
    FirstExisting(Os, &'static [Rel]),
}

/// Another startup file where a user's own definition may compete with ours.
#[derive(Debug)]
enum Related {
    File(Rel, Precedence),
    /// The other files of fish's `conf.d`, read in name order with ours.
    FishConfD,
}

#[derive(Debug)]
struct Facts {
    executables: &'static [&'static str],
    syntax: Syntax,
    login_only: bool,
    owns_profile: bool,
    profiles: &'static [ProfileRule],
    related: &'static [Related],
}

/// The name of fish's file of our own in `conf.d`.
pub const FISH_CONF_D_FILE: &str = "fish/conf.d/mg-codex.fish";

const BASH: Facts = Facts {
    executables: &["bash"],
    syntax: Syntax::Posix,
    login_only: false,
    owns_profile: false,
    profiles: &[
        ProfileRule::Create(rel(Base::Home, ".bashrc")),
        // macOS terminals start login shells, which read only the first of these; never create
        // `.bash_profile` (on Debian/Ubuntu it would hide `~/.profile`).
        ProfileRule::FirstExisting(
            Os::MacOs,
            &[
                rel(Base::Home, ".bash_profile"),
                rel(Base::Home, ".bash_login"),
                rel(Base::Home, ".profile"),
            ],
        ),
    ],
    related: &[
        Related::File(rel(Base::Home, ".bash_profile"), Precedence::Depends),
        Related::File(rel(Base::Home, ".bash_login"), Precedence::Depends),
        Related::File(rel(Base::Home, ".profile"), Precedence::Depends),
    ],
};

const ZSH: Facts = Facts {
    executables: &["zsh"],
    syntax: Syntax::Posix,
    login_only: false,
    owns_profile: false,
    profiles: &[ProfileRule::Create(rel(Base::ZDotDir, ".zshrc"))],
    related: &[
        Related::File(rel(Base::ZDotDir, ".zshenv"), Precedence::Overridden),
        Related::File(rel(Base::ZDotDir, ".zprofile"), Precedence::Overridden),
        Related::File(rel(Base::ZDotDir, ".zlogin"), Precedence::Overrides),
    ],
};

const FISH: Facts = Facts {
    executables: &["fish"],
    syntax: Syntax::Fish,
    login_only: false,
    owns_profile: true,
    profiles: &[ProfileRule::Create(rel(Base::ConfigHome, FISH_CONF_D_FILE))],
    related: &[
        // config.fish is read after every conf.d file.
        Related::File(
            rel(Base::ConfigHome, "fish/config.fish"),
            Precedence::Overrides,
        ),
        Related::FishConfD,
    ],
};

const POSIX: Facts = Facts {
    executables: &[
        "sh", "dash", "ksh", "ksh93", "mksh", "pdksh", "oksh", "ash", "yash", "posh",
    ],
    syntax: Syntax::Posix,
    login_only: true,
    owns_profile: false,
    profiles: &[ProfileRule::Create(rel(Base::Home, ".profile"))],
    related: &[],
};

fn facts(shell: Shell) -> &'static Facts {
    match shell {
        Shell::Bash => &BASH,
        Shell::Zsh => &ZSH,
        Shell::Fish => &FISH,
        Shell::Posix => &POSIX,
    }
}

/// A profile file a shell reads and we edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub shell: Shell,
    /// The path as the user names it (maybe a symlink).
    pub path: PathBuf,
    /// A file of our own (deleted when the block is removed and nothing else is left).
    pub owned: bool,
}

/// The profiles `shell` reads that get the block in this environment. The macOS bash login file
/// is the first existing one; when none exists the list has only `~/.bashrc`.
pub fn resolve_profiles(shell: Shell, env: &ShellEnv) -> Vec<Profile> {
    let f = facts(shell);
    let mut out = Vec::new();
    for rule in f.profiles {
        match rule {
            ProfileRule::Create(r) => out.push(Profile {
                shell,
                path: r.resolve(env),
                owned: f.owns_profile,
            }),
            ProfileRule::FirstExisting(os, rels) if *os == env.os => {
                if let Some(path) = rels
                    .iter()
                    .map(|r| r.resolve(env))
                    .find(|p| p.symlink_metadata().is_ok())
                {
                    out.push(Profile {
                        shell,
                        path,
                        owned: f.owns_profile,
                    });
                }
            }
            ProfileRule::FirstExisting(..) => {}
        }
    }
    out
}

/// Whether `shell` has a login-file rule that found no file on this OS (macOS bash without
/// `.bash_profile`, `.bash_login` or `.profile`).
pub fn missing_login_file(shell: Shell, env: &ShellEnv) -> bool {
    facts(shell).profiles.iter().any(|rule| match rule {
        ProfileRule::FirstExisting(os, rels) => {
            *os == env.os
                && rels
                    .iter()
                    .all(|r| r.resolve(env).symlink_metadata().is_err())
        }
        ProfileRule::Create(_) => false,
    })
}

/// Every file where any install may have put a block, whatever the OS and even if `ZDOTDIR` or
/// `XDG_CONFIG_HOME` changed since: what removal looks at.
pub fn all_profile_paths(env: &ShellEnv) -> Vec<Profile> {
    let mut out: Vec<Profile> = Vec::new();
    for shell in Shell::ALL {
        let f = facts(shell);
        for rule in f.profiles {
            let rels: &[Rel] = match rule {
                ProfileRule::Create(r) => std::slice::from_ref(r),
                ProfileRule::FirstExisting(_, rels) => rels,
            };
            for r in rels {
                for path in [r.resolve(env), r.resolve_default(env)] {
                    if !out.iter().any(|p| p.path == path) {
                        out.push(Profile {
                            shell,
                            path,
                            owned: f.owns_profile,
                        });
                    }
                }
            }
        }
    }
    out
}

/// Other startup files of `shell` where a definition competes with ours, and who wins.
/// `own_profile` is excluded (it is scanned with the block's position instead).
pub fn related_files(shell: Shell, env: &ShellEnv) -> Vec<(PathBuf, Precedence)> {
    let mut out = Vec::new();
    for related in facts(shell).related {
        match related {
            Related::File(r, precedence) => out.push((r.resolve(env), *precedence)),
            Related::FishConfD => {
                let ours = Rel {
                    base: Base::ConfigHome,
                    path: FISH_CONF_D_FILE,
                }
                .resolve(env);
                let (Some(dir), Some(our_name)) = (ours.parent(), ours.file_name()) else {
                    continue;
                };
                let Ok(entries) = std::fs::read_dir(dir) else {
                    continue;
                };
                let mut files: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "fish") && *p != ours)
                    .collect();
                files.sort();
                for path in files {
                    let precedence = if path.file_name() > Some(our_name) {
                        Precedence::Overrides
                    } else {
                        Precedence::Overridden
                    };
                    out.push((path, precedence));
                }
            }
        }
    }
    out
}

/// Quotes a value in single quotes, always: sh closes and reopens around `'` (`'\''`); fish
/// escapes `\` and `'` inside the quotes.
pub fn quote(syntax: Syntax, value: &str) -> String {
    match syntax {
        Syntax::Posix => format!("'{}'", value.replace('\'', "'\\''")),
        Syntax::Fish => format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'")),
    }
}

/// Reads back a value [`quote`] wrote (and simple variations: bare words, `\x` escapes).
/// `None` for anything else (double quotes, expansions).
pub fn unquote(syntax: Syntax, word: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = word.trim().chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => loop {
                match (chars.next()?, syntax) {
                    ('\'', _) => break,
                    ('\\', Syntax::Fish) => match chars.next()? {
                        e @ ('\\' | '\'') => out.push(e),
                        other => {
                            out.push('\\');
                            out.push(other);
                        }
                    },
                    (other, _) => out.push(other),
                }
            },
            '\\' => out.push(chars.next()?),
            '"' | '$' | '`' | '(' | ')' | '{' | '}' | ';' | '&' | '|' | '<' | '>' | '*' | '?'
            | '[' | '~' => return None,
            c if c.is_whitespace() => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+' | ','))
}

fn utf8(path: &Path) -> Result<&str> {
    match path.to_str() {
        Some(s) => Ok(s),
        None => Err(crate::problem::problem(
            format!(
                "`{}` is not valid UTF-8, so it cannot be written into a shell profile",
                path.display()
            ),
            crate::problem::Fix::instruction("set XDG_CONFIG_HOME to a UTF-8 path"),
        )),
    }
}

/// A path as shell code in a profile: `"$HOME/…"` when under HOME (portable across machines
/// that share dotfiles), else the quoted absolute path.
pub fn path_expr(syntax: Syntax, path: &Path, home: &Path) -> Result<String> {
    if let Ok(rest) = path.strip_prefix(home) {
        let rest = utf8(rest)?;
        if plain(rest) {
            return Ok(format!("\"$HOME/{rest}\""));
        }
        if !rest.is_empty() {
            return Ok(format!("\"$HOME\"/{}", quote(syntax, rest)));
        }
    }
    Ok(quote(syntax, utf8(path)?))
}

/// A path for people to type: `~/…` when under HOME, quoted only when needed.
pub fn display_path(syntax: Syntax, path: &Path, home: &Path) -> String {
    let word = |s: &str| match syntax {
        Syntax::Posix => shell_quote(s),
        Syntax::Fish if plain(s) => s.to_string(),
        Syntax::Fish => quote(Syntax::Fish, s),
    };
    match path.strip_prefix(home) {
        Ok(rest) if !rest.as_os_str().is_empty() => {
            format!("~/{}", word(&rest.to_string_lossy()))
        }
        _ => word(&path.to_string_lossy()),
    }
}

/// The line that sets the variable, in a syntax.
pub fn assignment(syntax: Syntax, key: &str) -> String {
    match syntax {
        Syntax::Posix => format!("export {VAR}={}", quote(syntax, key)),
        Syntax::Fish => format!("set -gx {VAR} {}", quote(syntax, key)),
    }
}

/// Reads the key back from a file holding an [`assignment`] (an env file, a key-in-profile
/// block): the last assignment wins. `None` when there is none we can read.
pub fn parse_assignment(syntax: Syntax, text: &str) -> Option<String> {
    let prefix = match syntax {
        Syntax::Posix => format!("export {VAR}="),
        Syntax::Fish => format!("set -gx {VAR} "),
    };
    text.lines()
        .filter_map(|l| l.trim().strip_prefix(&prefix))
        .next_back()
        .and_then(|rest| unquote(syntax, rest))
}

/// The content of an env file.
pub fn env_file_text(syntax: Syntax, key: &str) -> String {
    let readers = match syntax {
        Syntax::Posix => "sh, bash and zsh",
        Syntax::Fish => "fish",
    };
    format!(
        "# mg-codex: the ModelGates API key for {readers}, sourced by the mg-codex block of your shell profile.\n\
         # Private (mode 0600): do not commit or share this file.\n\
         {}\n",
        assignment(syntax, key)
    )
}

/// The lines between the markers: a guarded source of the env file, or with `key` (the
/// `--key-in-profile` choice) the assignment itself.
pub fn block_body(
    syntax: Syntax,
    env_file: &Path,
    home: &Path,
    key: Option<&str>,
) -> Result<String> {
    if let Some(key) = key {
        return Ok(assignment(syntax, key));
    }
    let p = path_expr(syntax, env_file, home)?;
    Ok(match syntax {
        Syntax::Posix => format!("if [ -f {p} ]; then . {p}; fi"),
        Syntax::Fish => format!("if test -f {p}\n    source {p}\nend"),
    })
}

/// What to type in an open terminal to get the key without starting a new one.
pub fn activation(shell: Shell, env: &ShellEnv) -> String {
    match shell.syntax() {
        Syntax::Posix => format!(
            ". {}",
            display_path(Syntax::Posix, &env.env_file(Syntax::Posix), &env.home)
        ),
        Syntax::Fish => format!(
            "source {}",
            display_path(
                Syntax::Fish,
                &rel(Base::ConfigHome, FISH_CONF_D_FILE).resolve(env),
                &env.home
            )
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NASTY: &str = "sk-mg-a'b\"c$d`e\\f!g#h;i'";

    #[test]
    fn quoting_round_trips() {
        for syntax in [Syntax::Posix, Syntax::Fish] {
            for value in [NASTY, "plain", "'", "\\", "''", "\\'", "a\\\\b"] {
                let quoted = quote(syntax, value);
                assert_eq!(
                    unquote(syntax, &quoted).as_deref(),
                    Some(value),
                    "{syntax:?} {quoted}"
                );
            }
        }
        assert_eq!(quote(Syntax::Posix, "a'b"), "'a'\\''b'");
        assert_eq!(quote(Syntax::Fish, "a'b\\c"), "'a\\'b\\\\c'");
    }

    #[test]
    fn env_files_parse_back() {
        for syntax in [Syntax::Posix, Syntax::Fish] {
            let text = env_file_text(syntax, NASTY);
            assert_eq!(parse_assignment(syntax, &text).as_deref(), Some(NASTY));
        }
        assert_eq!(
            parse_assignment(Syntax::Posix, "export MODELGATES_API_KEY=\"$X\""),
            None
        );
    }

    #[test]
    fn executables_map_to_shells() {
        assert_eq!(Shell::from_executable("/usr/bin/zsh"), Some(Shell::Zsh));
        assert_eq!(Shell::from_executable("-bash"), Some(Shell::Bash));
        assert_eq!(Shell::from_executable("/bin/dash"), Some(Shell::Posix));
        assert_eq!(Shell::from_executable("nu"), None);
        assert_eq!("sh".parse::<Shell>(), Ok(Shell::Posix));
        assert!("tcsh"
            .parse::<Shell>()
            .unwrap_err()
            .contains("bash, zsh, fish, sh"));
    }

    #[test]
    fn paths_under_home_use_home() {
        let home = Path::new("/home/me");
        let env = home.join(".config/mg-codex/env");
        assert_eq!(
            path_expr(Syntax::Posix, &env, home).unwrap(),
            "\"$HOME/.config/mg-codex/env\""
        );
        assert_eq!(
            path_expr(Syntax::Fish, &home.join("my conf/it's"), home).unwrap(),
            "\"$HOME\"/'my conf/it\\'s'"
        );
        assert_eq!(
            path_expr(Syntax::Posix, Path::new("/etc/x y"), home).unwrap(),
            "'/etc/x y'"
        );
        assert_eq!(
            display_path(Syntax::Posix, &env, home),
            "~/.config/mg-codex/env"
        );
    }

    #[test]
    fn blocks_source_the_env_file_or_hold_the_key() {
        let home = Path::new("/h");
        let env = home.join(".config/mg-codex/env");
        assert_eq!(
            block_body(Syntax::Posix, &env, home, None).unwrap(),
            "if [ -f \"$HOME/.config/mg-codex/env\" ]; then . \"$HOME/.config/mg-codex/env\"; fi"
        );
        assert_eq!(
            block_body(Syntax::Fish, &env, home, Some("k'")).unwrap(),
            "set -gx MODELGATES_API_KEY 'k\\''"
        );
    }
}
