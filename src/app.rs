//! Dispatch: parse arguments, snapshot the environment, run one command, render the final
//! error once.

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command, KeyCommand};
use crate::commands;
use crate::env::Env;
use crate::ui::Printer;

/// Runs the program and returns its exit code.
pub fn main() -> ExitCode {
    let args = crate::env::args();
    // The completion hooks' query comes before the parser: it is no subcommand, so no
    // completion script, help or man page lists it.
    if args
        .get(1)
        .is_some_and(|a| a == commands::completions::COMPLETE_MODELS)
    {
        let words: Vec<String> = args
            .iter()
            .skip(2)
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let env = Env::capture();
        let printer = Printer::new(crate::cli::ColorChoice::Never, true, &env);
        return commands::completions::model_ids(&words, &env, &printer);
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            // A key pasted as an argument must not be echoed back in the error.
            if err.use_stderr() {
                let mut text = err.render().to_string();
                for arg in args.iter().filter_map(|a| a.to_str()) {
                    if arg.len() >= 12 && arg.contains("sk-") {
                        text = crate::secret::scrub(&text, arg);
                    }
                }
                // Before the printer exists (it needs the parsed `--color`): clap's own text.
                #[allow(clippy::print_stderr)]
                {
                    eprint!("{text}");
                }
                return ExitCode::from(2);
            }
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
    };
    crate::interrupt::install();
    let env = Env::capture();
    crate::fsutil::set_stop_at_write_step(env.stop_at_write);
    let printer = Printer::new(cli.global.color, cli.global.quiet, &env);
    let result = match &cli.command {
        Command::Trust(args) => commands::trust::run(&cli.global, args, &env, &printer),
        Command::Doctor(args) => commands::doctor::run(&cli.global, args, &env, &printer),
        Command::Init(args) => commands::init::run(&cli.global, args, &env, &printer),
        Command::Uninstall(args) => commands::uninstall::run(&cli.global, args, &env, &printer),
        Command::Models(args) => commands::models::run(&cli.global, args, &env, &printer),
        Command::Model(args) => commands::model::run(&cli.global, args, &env, &printer),
        Command::Key(args) => match &args.command {
            KeyCommand::Print => commands::key::print(&env, &printer),
            KeyCommand::Set(set) => commands::key::set(&cli.global, set, &env, &printer),
        },
        Command::Completions(args) => commands::completions::run(args, &printer),
        Command::Man(args) => commands::completions::man(args, &printer),
    };
    match result {
        Ok(code) => code,
        Err(err) if err.downcast_ref::<crate::interrupt::Cancelled>().is_some() => {
            crate::interrupt::restore_terminal();
            printer.message(&err.to_string());
            ExitCode::from(crate::interrupt::EXIT_CODE)
        }
        Err(err) => {
            printer.error(&err);
            ExitCode::from(1)
        }
    }
}
