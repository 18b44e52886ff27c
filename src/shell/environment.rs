//! The environment the shell module works in, injected: HOME, `$SHELL`, the passwd login shell,
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
    /// The login shell of the passwd entry.
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
    /// `XDG_CONFIG_HOME`, `PATH`, and `USER` or `LOGNAME` for the passwd entry, read from
    /// `/etc/passwd`). Empty values count as unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Result<Self> {
        let passwd = std::fs::read_to_string("/etc/passwd").ok();
        Self::from_vars_and_passwd(var, passwd.as_deref())
    }

    /// [`ShellEnv::from_vars`] with the passwd database given as text.
    pub fn from_vars_and_passwd(
        var: impl Fn(&str) -> Option<OsString>,
        passwd: Option<&str>,
    ) -> Result<Self> {
        let get = |name: &str| var(name).filter(|v| !v.is_empty());
        let Some(home) = get("HOME").map(PathBuf::from) else {
            return Err(crate::problem::problem(
                "cannot find your home directory to locate your shell profiles",
                crate::problem::Fix::instruction("set HOME"),
            ));
        };
        let user = get("USER").or_else(|| get("LOGNAME"));
        let login_shell = match (passwd, user.as_ref().and_then(|u| u.to_str())) {
            (Some(passwd), Some(user)) => passwd_login_shell(passwd, user),
            _ => None,
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

    /// Whether the shell is `$SHELL` or the passwd login shell.
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

/// The login shell of `user` in passwd-format text (`name:x:uid:gid:gecos:home:shell`).
pub fn passwd_login_shell(passwd: &str, user: &str) -> Option<PathBuf> {
    passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() >= 7 && f[0] == user)
        .map(|f| PathBuf::from(f[6].trim()))
        .filter(|p| !p.as_os_str().is_empty())
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
    fn reads_variables_and_passwd() {
        let env = ShellEnv::from_vars_and_passwd(
            vars(&[
                ("HOME", "/home/me"),
                ("USER", "me"),
                ("ZDOTDIR", ""),
                ("XDG_CONFIG_HOME", "relative/ignored"),
                ("PATH", "/usr/bin:/bin"),
            ]),
            Some("root:x:0:0::/root:/bin/bash\nme:x:1000:1000:Me:/home/me:/usr/bin/fish\n"),
        )
        .unwrap();
        assert_eq!(env.login_shell, Some(PathBuf::from("/usr/bin/fish")));
        assert_eq!(env.zdotdir(), PathBuf::from("/home/me"));
        assert_eq!(env.dir(), PathBuf::from("/home/me/.config/mg-codex"));
        assert_eq!(env.path.len(), 2);
        assert!(env.detects(Shell::Fish));
        assert!(!env.detects(Shell::Posix));
    }

    #[test]
    fn missing_home_is_an_error() {
        let err = ShellEnv::from_vars_and_passwd(vars(&[]), None).unwrap_err();
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
