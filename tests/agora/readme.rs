//! README.md as an executed document: every command of its `sh` blocks runs
//! here, in README's order, from a scratch folder holding the repository's
//! examples, scenarios and data, in the quick mode (`AGORA_QUICK=1`: at most
//! 400 citizens and 2 replicates per scenario; README says so). A command
//! marked `# exits N` must exit N; every other one must succeed. Commands
//! too long for CI or covered by another CI step are listed in
//! [`ELSEWHERE`] with the reason, and that list must match README.
//! `--help` of every subcommand ends with an example that runs the same way.
//!
//! The numbers README quotes are checked by `scripts/readme-numbers --check`
//! (a step of `.ci/run`), at README's full sizes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Commands README shows that this test does not run, and where they are
/// checked instead.
const ELSEWHERE: &[(&str, &str)] = &[
    ("cargo test --release", "is the test suite itself (.ci/run)"),
    (
        "cargo run --release --example calibrate",
        "takes about 8 minutes; its fit is committed and checked by tests/agora/patterns.rs",
    ),
    (
        "cargo run --release --example futures",
        "takes about 4 minutes; it writes docs/futures/",
    ),
    (
        "agora calibrate examples/calibration/digital.ron --out results/abc-digital",
        "is ~2,600 simulations even when small; calibrate's resume is tested in tests/agora/calibrate.rs",
    ),
    (
        "agora calibrate examples/calibration/digital.ron --out results/abc-digital --resume",
        "continues the command above",
    ),
    ("pip install ./crates/agora-py", "is ci/python-check.sh"),
    (
        "examples/slurm/submit.sh examples/sweeps/barriers.ron results/barriers 8",
        "needs a Slurm cluster: ci/slurm-check.sh",
    ),
];

/// One command of a README `sh` block.
#[derive(Debug)]
struct Shown {
    line: usize,
    command: String,
    exit: i32,
}

/// The commands of README's `sh` blocks, continuation lines joined,
/// comments dropped, `cargo run --release --` read as `agora`.
fn readme_commands(text: &str) -> Vec<Shown> {
    let mut commands = Vec::new();
    let mut in_sh = false;
    let mut pending: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_sh = !in_sh && trimmed == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let (start, mut joined) = pending.take().unwrap_or((i + 1, String::new()));
        joined.push_str(line.trim());
        if let Some(stripped) = joined.strip_suffix('\\') {
            pending = Some((start, format!("{} ", stripped.trim_end())));
            continue;
        }
        let (command, comment) = match joined.find(" #") {
            Some(k) => (joined[..k].trim().to_string(), joined[k + 2..].trim().to_string()),
            None => (joined.trim().to_string(), String::new()),
        };
        if command.is_empty() || command.starts_with('#') {
            continue;
        }
        let exit = comment
            .strip_prefix("exits ")
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
            .unwrap_or(0);
        let command = match command.strip_prefix("cargo run --release -- ") {
            Some(rest) => format!("agora {rest}"),
            None => command,
        };
        commands.push(Shown {
            line: start,
            command,
            exit,
        });
    }
    commands
}

/// A scratch folder with the repository's inputs linked in and `agora` on PATH.
struct Scratch {
    _dir: tempfile::TempDir,
    root: PathBuf,
    path: String,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for name in ["examples", "scenarios", "data", "docs"] {
            std::os::unix::fs::symlink(repo.join(name), root.join(name)).unwrap();
        }
        let bin = root.join(".bin");
        std::fs::create_dir(&bin).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_agora"), bin.join("agora")).unwrap();
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
        Scratch { _dir: dir, root, path }
    }

    fn command(&self, shell: &str) -> Command {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(shell)
            .current_dir(&self.root)
            .env("PATH", &self.path)
            .env("AGORA_QUICK", "1")
            .env("COLUMNS", "80")
            .stdin(Stdio::null());
        command
    }

    /// Run `shell` to its end (at most `limit`); its exit code and output.
    fn run(&self, shell: &str, limit: Duration) -> (i32, String) {
        let mut child = self
            .command(shell)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                let out = child.wait_with_output().unwrap();
                let text = format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
                return (status.code().unwrap_or(-1), text);
            }
            if started.elapsed() > limit {
                child.kill().ok();
                panic!("`{shell}` ran longer than {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Start a server command, read its first line (the address), stop it.
    fn serve(&self, shell: &str) -> String {
        use std::io::BufRead;
        let mut child = self
            .command(&format!("exec {shell}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        child.kill().ok();
        child.wait().ok();
        first
    }
}

#[test]
fn every_command_in_the_readme_runs() {
    let text = super::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"));
    let commands = readme_commands(&text);
    assert!(commands.len() > 10, "README's sh blocks: {commands:?}");
    let scratch = Scratch::new();
    let mut skipped = Vec::new();
    for shown in &commands {
        if let Some((_, why)) = ELSEWHERE.iter().find(|(c, _)| *c == shown.command) {
            eprintln!("README.md:{}: not run here: `{}` {why}", shown.line, shown.command);
            skipped.push(shown.command.as_str());
            continue;
        }
        assert!(
            shown.command.starts_with("agora "),
            "README.md:{}: `{}` is neither an agora command nor listed in ELSEWHERE",
            shown.line,
            shown.command
        );
        if shown.command.starts_with("agora serve") {
            // A server runs until stopped: start it on a free port, read its address.
            let command = match shown.command.contains("--port") {
                true => shown.command.clone(),
                false => format!("{} --port 0", shown.command),
            };
            let first = scratch.serve(&format!("{command} --citizens 500"));
            assert!(
                first.starts_with("http://127.0.0.1:"),
                "README.md:{}: {first}",
                shown.line
            );
            continue;
        }
        let started = Instant::now();
        let (code, output) = scratch.run(&shown.command, Duration::from_secs(240));
        eprintln!(
            "README.md:{}: `{}` exit {code} in {:.1} s",
            shown.line,
            shown.command,
            started.elapsed().as_secs_f64()
        );
        assert_eq!(
            code, shown.exit,
            "README.md:{}: `{}` exited {code}, README says {}:\n{output}",
            shown.line, shown.command, shown.exit
        );
        assert!(!output.contains("panicked"), "README.md:{}: {output}", shown.line);
    }
    for (command, _) in ELSEWHERE {
        assert!(
            skipped.contains(command),
            "ELSEWHERE lists `{command}`, which README no longer shows: drop it"
        );
    }
}

/// The example `--help` ends with: the lines after `Example:`.
fn help_example(help: &str) -> Option<String> {
    let (_, rest) = help.rsplit_once("\nExample:\n")?;
    Some(rest.trim().to_string())
}

#[test]
fn every_subcommand_help_ends_with_an_example_that_runs() {
    let out = super::run_ok(&["--help"]);
    let help = String::from_utf8(out.stdout).unwrap();
    let subcommands: Vec<String> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .filter(|c| c != "help")
        .collect();
    assert!(subcommands.len() >= 13, "{subcommands:?}");
    let scratch = Scratch::new();
    // Folders some examples read: a sweep with a Sobol' design, the two
    // shards of a sweep, a run.
    for setup in [
        "agora sweep examples/sweeps/barriers-sobol.ron --quiet",
        "agora sweep examples/sweeps/barriers.ron --shard 0/2 --out results/barriers-shards --quiet",
        "agora sweep examples/sweeps/barriers.ron --shard 1/2 --out results/barriers-shards --quiet",
        "agora run --quiet",
    ] {
        let (code, output) = scratch.run(setup, Duration::from_secs(120));
        assert_eq!(code, 0, "{setup}: {output}");
    }
    for name in &subcommands {
        let out = super::run_ok(&[name, "--help"]);
        let help = String::from_utf8(out.stdout).unwrap();
        let example =
            help_example(&help).unwrap_or_else(|| panic!("`agora {name} --help` ends without an example:\n{help}"));
        let lines: Vec<&str> = example.lines().collect();
        assert_eq!(lines.len(), 1, "agora {name}: one example line: {example}");
        let command = lines[0].trim();
        assert!(command.starts_with(&format!("agora {name}")), "agora {name}: {command}");
        if *name == "serve" {
            let first = scratch.serve(&format!("{command} --port 0 --citizens 500"));
            assert!(first.starts_with("http://127.0.0.1:"), "{first}");
            continue;
        }
        let (code, output) = scratch.run(command, Duration::from_secs(180));
        assert_eq!(
            code, 0,
            "the example of `agora {name} --help` fails: {command}\n{output}"
        );
    }
}

#[test]
fn readme_commands_are_read_with_continuations_comments_and_exit_codes() {
    let text = "x\n```sh\nagora run   # the three futures\nagora discover a.csv \\\n    --target class=x\n\
                agora run --set dynamics.x=1   # exits 2: a typo\ncargo run --release -- check fracture\n```\n\
                ```text\nagora run [SCENARIO ...]\n```\n";
    let c = readme_commands(text);
    let shown: Vec<(&str, i32, usize)> = c.iter().map(|s| (s.command.as_str(), s.exit, s.line)).collect();
    assert_eq!(
        shown,
        [
            ("agora run", 0, 3),
            ("agora discover a.csv --target class=x", 0, 4),
            ("agora run --set dynamics.x=1", 2, 6),
            ("agora check fracture", 0, 7),
        ]
    );
}
