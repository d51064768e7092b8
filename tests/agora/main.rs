//! End-to-end tests: the model's statistical contract, determinism, and the CLI.

mod calibrate;
mod class;
mod cli;
mod compare;
mod ergonomics;
mod faults;
mod fuzz;
mod grammar;
mod graphs;
mod memory;
mod model;
mod optimize;
mod parquet;
mod patterns;
mod pinned;
mod readme;
mod replicates;
mod report;
mod security;
mod sensitivity;
mod serve;
mod sweeps;
mod validate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn agora() -> Command {
    Command::new(env!("CARGO_BIN_EXE_agora"))
}

pub fn run_ok(args: &[&str]) -> Output {
    let out = agora().args(args).output().expect("agora starts");
    assert!(
        out.status.success(),
        "agora {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn read(path: impl AsRef<Path>) -> String {
    std::fs::read_to_string(path.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", path.as_ref().display()))
}

/// A CSV file agora wrote, read whole: its header and its rows as cells by
/// column name. The tests' one reader of results.
pub struct Csv {
    pub header: Vec<String>,
    pub rows: Vec<HashMap<String, String>>,
}

impl Csv {
    pub fn read(path: impl AsRef<Path>) -> Csv {
        let path = path.as_ref();
        let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader
            .records()
            .map(|r| {
                let r = r.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                header.iter().cloned().zip(r.iter().map(String::from)).collect()
            })
            .collect();
        Csv { header, rows }
    }

    /// The rows alone.
    pub fn rows(path: impl AsRef<Path>) -> Vec<HashMap<String, String>> {
        Csv::read(path).rows
    }

    /// Cell `column` of `row` as a number.
    pub fn number(row: &HashMap<String, String>, column: &str) -> f64 {
        row[column]
            .parse()
            .unwrap_or_else(|_| panic!("{column} = {:?}", row[column]))
    }
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Start `agora args`, wait until its file `partial` has more than `rows`
/// lines (or the process has ended), then kill it with SIGKILL.
pub fn kill_after_rows(args: &[&str], partial: &Path, rows: usize) {
    use std::time::{Duration, Instant};
    let mut child = agora().args(args).spawn().expect("agora starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let lines = std::fs::read_to_string(partial).map(|t| t.lines().count()).unwrap_or(0);
        if lines > rows || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}
