//! The terminal: lines on stdout and stderr, and the progress bar and notes
//! a command shows while it works.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use agora_core::commands::Observer;
use agora_core::error::{Error, Result};

/// A line on stdout.
pub fn say(line: std::fmt::Arguments) -> Result<ExitCode> {
    print_text(&format!("{line}\n"))?;
    Ok(ExitCode::SUCCESS)
}

/// Print text to stdout, mapping a reader that went away to [`Error::ClosedOutput`].
pub fn print_text(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("printing", e))
}

/// A line on stderr; a closed stderr is ignored (there is nowhere to report it).
pub fn warn(line: std::fmt::Arguments) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The progress bar and notes of a command on the terminal.
pub struct Console {
    bar: ProgressBar,
    quiet: bool,
}

impl Console {
    pub fn new(quiet: bool) -> Console {
        Console {
            bar: ProgressBar::hidden(),
            quiet,
        }
    }
}

impl Observer for Console {
    fn note(&self, message: &str) {
        self.bar.suspend(|| warn(format_args!("note: {message}")));
    }
    fn warn(&self, message: &str) {
        self.bar.suspend(|| warn(format_args!("warning: {message}")));
    }
    fn start(&self, runs: u64) {
        if self.quiet || !std::io::stderr().is_terminal() {
            return;
        }
        self.bar.set_draw_target(ProgressDrawTarget::stderr());
        self.bar.set_length(runs);
        self.bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {elapsed_precise} (eta {eta})")
                .expect("a valid template"),
        );
    }
    fn run_done(&self) {
        self.bar.inc(1);
    }
    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// A folder as users type it, with a trailing slash.
pub fn display_dir(dir: &Path) -> String {
    format!("{}/", dir.display().to_string().trim_end_matches('/'))
}
