//! Ctrl-C, as gh and uv treat it: the terminal comes back as it was (echo on, cursor shown),
//! one line says nothing was written, and the exit code is 130.
//!
//! On unix a Ctrl-C is always SIGINT by the time it reaches us (in a prompt too: `console`
//! raises SIGINT when it reads the key in raw mode): the handler installed here restores the
//! terminal state saved at start, prints the line and exits at once. [`Cancelled`] is the other
//! way, for a prompt that returns the key as an error instead (Windows), which `app` renders. While files are being
//! written (any atomic write of `fsutil`, and a [`fsutil::WriteGuard`] around a change of
//! several files: the config lock holds one, so does a shell plan being applied),
//! SIGINT is held until the writes are done: a write is never cut in half by it, and the
//! message then says the changes were written.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::fsutil;

/// The user pressed Ctrl-C (or Esc where that cancels) at a prompt: nothing was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl fmt::Display for Cancelled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Cancelled: nothing was written")
    }
}

impl std::error::Error for Cancelled {}

/// The exit code of a run the user cancelled (128 + SIGINT, as shells report it).
pub const EXIT_CODE: u8 = 130;

static PENDING: AtomicBool = AtomicBool::new(false);

/// Runs when the last write in progress ends (set as `fsutil`'s hook by [`install`]).
// Past every printer: the process ends here, as Ctrl-C asked.
#[allow(clippy::print_stderr)]
fn after_writes() {
    if PENDING.swap(false, Ordering::SeqCst) {
        restore_terminal();
        eprintln!("Interrupted after the changes were written");
        std::process::exit(i32::from(EXIT_CODE));
    }
}

#[cfg(unix)]
mod unix {
    use std::sync::atomic::Ordering;
    use std::sync::OnceLock;

    /// The terminal's settings at start, when stdin is a terminal.
    static SAVED: OnceLock<libc::termios> = OnceLock::new();

    pub fn install() {
        // SAFETY: tcgetattr fills a termios for fd 0; a failure (not a terminal) is checked.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::isatty(0) == 1 && libc::tcgetattr(0, &mut t) == 0 {
                let _ = SAVED.set(t);
            }
            libc::signal(
                libc::SIGINT,
                on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t,
            );
        }
    }

    /// Only async-signal-safe calls: tcsetattr, write, _exit.
    extern "C" fn on_sigint(_: libc::c_int) {
        if crate::fsutil::writing() {
            super::PENDING.store(true, Ordering::SeqCst);
            return;
        }
        restore();
        let text = b"\nCancelled: nothing was written\n";
        // SAFETY: write(2) and _exit(2) are async-signal-safe; the buffer is static.
        unsafe {
            libc::write(2, text.as_ptr().cast(), text.len());
            libc::_exit(i32::from(super::EXIT_CODE));
        }
    }

    /// Puts back the saved terminal settings and shows the cursor.
    pub fn restore() {
        if let Some(t) = SAVED.get() {
            // SAFETY: tcsetattr with the settings tcgetattr returned for the same fd.
            unsafe {
                libc::tcsetattr(0, libc::TCSANOW, t);
            }
        }
        let show = b"\x1b[?25h";
        // SAFETY: write(2) of a static buffer to stderr, only when it is a terminal.
        unsafe {
            if libc::isatty(2) == 1 {
                libc::write(2, show.as_ptr().cast(), show.len());
            }
        }
    }
}

/// Installs the SIGINT handler (once, at start), and the hook that ends a run interrupted
/// during a write once the write is done.
pub fn install() {
    fsutil::when_writes_end(after_writes);
    #[cfg(unix)]
    unix::install();
}

/// The terminal as it was at start, cursor shown.
pub fn restore_terminal() {
    #[cfg(unix)]
    unix::restore();
    #[cfg(not(unix))]
    {
        let _ = console::Term::stderr().show_cursor();
    }
}
