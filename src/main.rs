//! The `agora` command line: parses arguments, calls the library, prints.

mod cli;
mod demo;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(error) => {
            let usage = cli::is_usage_error(&error);
            eprintln!("error: {error:#}");
            if usage { ExitCode::from(2) } else { ExitCode::from(1) }
        }
    }
}
