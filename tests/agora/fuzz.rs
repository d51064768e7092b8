//! The parsers and the validator, as a fuzzer would try them: arbitrary
//! bytes and mutated copies of the shipped scenario and sweep files never
//! panic; each gives a scenario or an error that says where (a file
//! position, a file, or a parameter path).
//!
//! `AGORA_FUZZ_CASES` sets the number of cases per property (default 10^4;
//! try 10^6 locally).

use std::path::Path;

use proptest::prelude::*;

use agora_core::scenario::{self, BUILT_IN, ScenarioError};
use agora_core::sweep::Sweep;

fn cases() -> u32 {
    std::env::var("AGORA_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

/// The seed texts: the built-in scenarios and the example sweeps.
fn seeds() -> Vec<String> {
    let mut texts: Vec<String> = BUILT_IN.iter().map(|(_, t)| t.to_string()).collect();
    for sweep in ["barriers.ron", "lhs.ron"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/sweeps")
            .join(sweep);
        texts.push(std::fs::read_to_string(path).unwrap());
    }
    texts
}

/// One edit of a text: replace, insert or delete a byte, or splice in a
/// token that parsers find interesting.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Token(usize, &'static str),
}

const TOKENS: [&str; 16] = [
    "0",
    "-1",
    "1e308",
    "NaN",
    "inf",
    "4294967296",
    "\"",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    "Some(\"x\")",
    "Zipf(exponent: 50.0)",
];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Replace(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(i, t)| Edit::Token(i, TOKENS[t])),
    ]
}

fn mutate(text: &str, edits: &[Edit]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for e in edits {
        let at = |i: usize, len: usize| if len == 0 { 0 } else { i % (len + 1) };
        match *e {
            Edit::Replace(i, b) if !bytes.is_empty() => {
                let k = i % bytes.len();
                bytes[k] = b;
            }
            Edit::Insert(i, b) => {
                let k = at(i, bytes.len());
                bytes.insert(k, b);
            }
            Edit::Delete(i) if !bytes.is_empty() => {
                let k = i % bytes.len();
                bytes.remove(k);
            }
            Edit::Token(i, token) => {
                let k = at(i, bytes.len());
                bytes.splice(k..k, token.bytes());
            }
            _ => {}
        }
    }
    bytes
}

/// An error names where: a file (this one, with line and column for
/// syntax, or the base it names), or a parameter path in backticks.
fn says_where(error: &ScenarioError) -> bool {
    let message = error.to_string();
    matches!(error, ScenarioError::Io { .. }) || message.contains(".ron") || message.contains('`')
}

/// A folder laid out like the repository (`examples/sweeps/` and
/// `scenarios/`), so the example sweeps' bases resolve; one per test thread.
fn layout() -> std::path::PathBuf {
    thread_local! {
        static DIR: tempfile::TempDir = {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("examples/sweeps")).unwrap();
            std::fs::create_dir(dir.path().join("scenarios")).unwrap();
            for (name, text) in BUILT_IN {
                std::fs::write(dir.path().join("scenarios").join(name), text).unwrap();
            }
            dir
        };
    }
    DIR.with(|d| d.path().to_path_buf())
}

/// Parse, resolve and validate `bytes` as a scenario file and as a sweep file.
fn check(dir: &Path, bytes: &[u8]) -> Result<(), TestCaseError> {
    let path = dir.join("examples/sweeps/case.ron");
    std::fs::write(&path, bytes).unwrap();
    if let Err(e) = scenario::load(Path::new(""), path.to_str().unwrap()) {
        prop_assert!(says_where(&e), "scenario error without a place: {e}");
    }
    if let Err(e) = Sweep::load(&path) {
        prop_assert!(says_where(&e), "sweep error without a place: {e}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_files_never_panic(seed in 0usize..5, edits in prop::collection::vec(edit(), 1..6)) {
        let text = &seeds()[seed];
        check(&layout(), &mutate(text, &edits))?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        check(&layout(), &bytes)?;
    }

    #[test]
    fn arbitrary_set_values_never_panic(path in 0usize..64, value in "\\PC{0,24}") {
        let mut s = scenario::built_in().remove(0);
        let paths = s.all_paths();
        let path = &paths[path % paths.len()];
        let assignment = [(path.clone(), value)];
        if let Err(e) = scenario::apply_overrides(&mut s, &assignment) {
            prop_assert!(e.to_string().contains('`'), "--set error without a path: {e}");
        }
    }
}
