//! Entry point: parse the command line, run, turn the result into an exit code
//! (0 success, 1 failure, 2 usage error).

use std::process::ExitCode;

fn main() -> ExitCode {
    mg_codex::app::main()
}
