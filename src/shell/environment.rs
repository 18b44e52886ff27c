//! The environment the shell module works in, injected: HOME, `$SHELL`, the login shell,
//! `ZDOTDIR`, `XDG_CONFIG_HOME`, the PATH searched for installed shells, and the OS.
//!
//! Nothing in `shell` reads the process environment. Callers build a [`ShellEnv`] from a
//! variable lookup ([`ShellEnv::from_vars`], given `std::env::var_os` by the one module that
//! reads the environment) and tests build one by hand ([`ShellEnv::new`] and the public fields).

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::Result;

use super::shells::{Shell, Syntax};

/// The operating system, for the few rules that differ (the macOS bash login file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    Linux,
    MacOs,
    OtherUnix,
    Windows,
}

impl Os {
    /// The OS this binary was built for.
    pub fn current() -> Self {
        if cfg!(target_os = "macos") {
            Os::MacOs
        } else if cfg!(target_os = "linux") {
            Os::Linux
        } else if cfg!(windows) {
            Os::Windows
        } else {
            Os::OtherUnix
        }
    }
}

/// What the shell module needs to know about the user's environment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShellEnv {
    pub home: PathBuf,
    /// `$SHELL`.
    pub shell: Option<PathBuf>,
    /// The login shell of the user's entry in the user database.
    pub login_shell: Option<PathBuf>,
    /// `$ZDOTDIR` (zsh's directory for `.zshrc`), when set and not empty.
    pub zdotdir: Option<PathBuf>,
    /// `$XDG_CONFIG_HOME`, when set to an absolute path.
    pub xdg_config_home: Option<PathBuf>,
    /// The directories of `$PATH`, searched for installed shells.
    pub path: Vec<PathBuf>,
    pub os: Os,
}

impl ShellEnv {
    /// An environment with only HOME: no shell in use, none installed, this OS.
    pub fn new(home: impl Into<PathBuf>) -> Self {
        Self {
            home: home.into(),
            shell: None,
            login_shell: None,
            zdotdir: None,
            xdg_config_home: None,
            path: Vec::new(),
            os: Os::current(),
        }
    }

    /// Builds the environment from a variable lookup (`HOME`, `SHELL`, `ZDOTDIR`,
    /// `XDG_CONFIG_HOME`, `PATH`, and `USER` or `LOGNAME`, whose login shell is read from the
    /// platform's user database). Empty values count as unset.
    ///
    /// The user database is asked through the C library (`getpwnam_r`, by the `uzers` crate),
    /// so users that are not in `/etc/passwd` are found too: macOS's Directory Services, LDAP,
    /// NIS, systemd-homed, anything `nsswitch.conf` names. No `USER` and no `LOGNAME`: no login
    /// shell. Not on Unix: none.
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Result<Self> {
        let user = var("USER")
            .filter(|v| !v.is_empty())
            .or_else(|| var("LOGNAME").filter(|v| !v.is_empty()));
        let login_shell = user.and_then(|user| login_shell_of(&user));
        Self::from_vars_and_login_shell(var, login_shell)
    }

    /// [`ShellEnv::from_vars`] with the login shell given (tests, and callers that want no
    /// user database lookup).
    pub fn from_vars_and_login_shell(
        var: impl Fn(&str) -> Option<OsString>,
        login_shell: Option<PathBuf>,
    ) -> Result<Self> {
        let get = |name: &str| var(name).filter(|v| !v.is_empty());
        let Some(home) = get("HOME").map(PathBuf::from) else {
            return Err(crate::problem::problem(
                "cannot find your home directory to locate your shell profiles",
                crate::problem::Fix::instruction("set HOME"),
            ));
        };
        Ok(Self {
            home,
            shell: get("SHELL").map(PathBuf::from),
            login_shell,
            zdotdir: get("ZDOTDIR").map(PathBuf::from),
            xdg_config_home: get("XDG_CONFIG_HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute()),
            path: get("PATH")
                .map(|p| std::env::split_paths(&p).collect())
                .unwrap_or_default(),
            os: Os::current(),
        })
    }

    /// `$XDG_CONFIG_HOME`, else `~/.config`.
    pub fn config_home(&self) -> PathBuf {
        self.xdg_config_home
            .clone()
            .unwrap_or_else(|| self.home.join(".config"))
    }

    /// `$ZDOTDIR`, else HOME.
    pub fn zdotdir(&self) -> PathBuf {
        self.zdotdir.clone().unwrap_or_else(|| self.home.clone())
    }

    /// Our directory: `<config home>/mg-codex`.
    pub fn dir(&self) -> PathBuf {
        self.config_home().join("mg-codex")
    }

    /// The env file in a syntax.
    pub fn env_file(&self, syntax: Syntax) -> PathBuf {
        self.dir().join(syntax.env_file_name())
    }

    /// Whether one of the shell's executables is in a PATH directory.
    pub fn is_installed(&self, shell: Shell) -> bool {
        let Ok(path) = std::env::join_paths(&self.path) else {
            return false;
        };
        shell
            .executables()
            .iter()
            .any(|name| crate::program::find(name, Some(&path)).is_some())
    }

    /// Whether the shell is `$SHELL` or the login shell.
    pub fn is_login_shell(&self, shell: Shell) -> bool {
        [&self.shell, &self.login_shell]
            .into_iter()
            .flatten()
            .any(|p| Shell::from_executable(&p.to_string_lossy()) == Some(shell))
    }

    /// Whether the shell gets a block when none is chosen explicitly: installed or in use; for
    /// `sh` only when it is the login shell.
    pub fn detects(&self, shell: Shell) -> bool {
        if shell.login_shell_only() {
            self.is_login_shell(shell)
        } else {
            self.is_login_shell(shell) || self.is_installed(shell)
        }
    }

    /// Whether an explicitly chosen shell exists here (installed or in use).
    pub fn has(&self, shell: Shell) -> bool {
        self.is_login_shell(shell) || self.is_installed(shell)
    }
}

/// The login shell of the user named `user` in the platform's user database; `None` when there
/// is no such user or the entry names no shell.
#[cfg(unix)]
fn login_shell_of(user: &std::ffi::OsStr) -> Option<PathBuf> {
    use uzers::os::unix::UserExt;
    uzers::get_user_by_name(user)
        .map(|u| u.shell().to_path_buf())
        .filter(|p| !p.as_os_str().is_empty())
}

#[cfg(not(unix))]
fn login_shell_of(_user: &std::ffi::OsStr) -> Option<PathBuf> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn reads_variables_and_the_login_shell() {
        let env = ShellEnv::from_vars_and_login_shell(
            vars(&[
                ("HOME", "/home/me"),
                ("USER", "me"),
                ("ZDOTDIR", ""),
                ("XDG_CONFIG_HOME", "relative/ignored"),
                ("PATH", "/usr/bin:/bin"),
            ]),
            Some(PathBuf::from("/usr/bin/fish")),
        )
        .unwrap();
        assert_eq!(env.login_shell, Some(PathBuf::from("/usr/bin/fish")));
        assert_eq!(env.zdotdir(), PathBuf::from("/home/me"));
        assert_eq!(env.dir(), PathBuf::from("/home/me/.config/mg-codex"));
        assert_eq!(env.path.len(), 2);
        assert!(env.detects(Shell::Fish));
        assert!(!env.detects(Shell::Posix));
    }

    #[cfg(unix)]
    #[test]
    fn the_login_shell_comes_from_the_user_database() {
        use uzers::os::unix::UserExt;
        assert_eq!(login_shell_of("no-such-user-of-mg-codex".as_ref()), None);
        let Some(me) = uzers::get_user_by_uid(uzers::get_current_uid()) else {
            return; // a uid with no entry (some containers): nothing to compare with
        };
        let shell = Some(me.shell().to_path_buf()).filter(|p| !p.as_os_str().is_empty());
        assert_eq!(login_shell_of(me.name()), shell);
        let name = me.name().to_os_string();
        let env = ShellEnv::from_vars(|v| match v {
            "HOME" => Some("/h".into()),
            "LOGNAME" => Some(name.clone()),
            _ => None,
        })
        .unwrap();
        assert_eq!(env.login_shell, shell);
        let env = ShellEnv::from_vars(|v| (v == "HOME").then(|| "/h".into())).unwrap();
        assert_eq!(env.login_shell, None, "no USER, no LOGNAME: no lookup");
    }

    #[test]
    fn missing_home_is_an_error() {
        let err = ShellEnv::from_vars_and_login_shell(vars(&[]), None).unwrap_err();
        assert!(err.to_string().contains("home directory"), "{err}");
        let fixes = crate::problem::fixes_of(&err);
        assert_eq!(fixes[0].text, "set HOME");
    }

    #[test]
    fn sh_needs_to_be_the_login_shell() {
        let mut env = ShellEnv::new("/h");
        env.shell = Some("/bin/dash".into());
        assert!(env.detects(Shell::Posix));
        assert!(!env.detects(Shell::Zsh));
    }
}
