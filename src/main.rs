//! The `agora` command line: parses arguments, calls the library, prints.
//! Exit codes come from the error's kind alone ([`agora::Error::exit_code`]):
//! 0 success (a closed stdout too), 2 bad input, 1 anything else.

mod cli;
mod demo;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(agora::Error::ClosedOutput) => ExitCode::SUCCESS,
        Err(error) => {
            cli::warn(format_args!("error: {error}"));
            ExitCode::from(error.exit_code())
        }
    }
}
