//! `manifest.ron`: what produced a results folder, so that it can be
//! reproduced, and which files it holds, so that a reader can tell the
//! folder is one complete result.
//!
//! The manifest is written last. It lists every result file with its size
//! and SHA-256, so `agora verify`, `report` and `merge` refuse a folder
//! whose files were changed, torn, or mixed with another result's.

use std::io::{self, Read};
use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, IoContext, Result};
use crate::scenario::Scenario;
use crate::sweep::{Shard, Sweep};

/// The file name of the manifest in every results folder.
pub const MANIFEST: &str = "manifest.ron";

/// Who made a result, how and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The agora version that wrote the folder.
    pub agora_version: String,
    /// The command line, program name first.
    pub command_line: Vec<String>,
    /// Worker threads (results do not depend on it).
    pub threads: usize,
    /// When the command started, UTC, RFC 3339.
    pub started: String,
    /// Wall-clock seconds from start to the manifest.
    pub wall_seconds: f64,
}

/// A running command's start, from which its [`Provenance`] is taken at the end.
#[derive(Debug, Clone)]
pub struct Stopwatch {
    started: SystemTime,
    clock: Instant,
    threads: usize,
}

impl Stopwatch {
    /// Start timing a command that runs on `threads` workers.
    pub fn start(threads: usize) -> Stopwatch {
        Stopwatch {
            started: SystemTime::now(),
            clock: Instant::now(),
            threads,
        }
    }

    /// Seconds since the start.
    pub fn seconds(&self) -> f64 {
        self.clock.elapsed().as_secs_f64()
    }

    /// The provenance of the command, as of now.
    pub fn provenance(&self) -> Provenance {
        Provenance {
            agora_version: env!("CARGO_PKG_VERSION").to_string(),
            command_line: std::env::args().collect(),
            threads: self.threads,
            started: rfc3339(self.started),
            wall_seconds: self.seconds(),
        }
    }
}

/// A record of one scenario as it was run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRecord {
    /// The resolved scenario.
    pub scenario: Scenario,
    /// Seed of replicate r at position r.
    pub replicate_seeds: Vec<u64>,
}

/// What kind of result a folder holds, and what it was made from.
// One per manifest, made once per command: the size of the sweep variant
// costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Content {
    /// `agora run` (or `demo`): the scenarios and their seeds.
    Run {
        /// Every scenario of the batch, in output order.
        scenarios: Vec<ScenarioRecord>,
        /// How `aggregate.csv`'s quantiles were computed, when not from
        /// every value (absent: exact).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        quantiles: Option<String>,
        /// `--until`: the stopping rule and why each scenario stopped
        /// (absent: the replicates asked for were run).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        stopping: Vec<String>,
    },
    /// `agora sweep` or `agora merge`.
    Sweep {
        /// Which shard this folder holds (`0/1` for a whole sweep).
        shard: Shard,
        /// Shard folders merged into this one (empty for a direct run).
        merged_from: Vec<String>,
        /// The resolved sweep.
        sweep: Sweep,
    },
    /// `agora sweep --design-only`: the points of a sweep, not run.
    Design {
        /// The resolved sweep.
        sweep: Sweep,
    },
    /// `agora compare`: a baseline and policies run on the same seeds.
    Compare {
        /// Every scenario run, in output order (baselines and policies).
        scenarios: Vec<ScenarioRecord>,
        /// Each comparison: (policy label, baseline name, policy name).
        pairs: Vec<(String, String, String)>,
        /// `--until`: the stopping rule and why the runs stopped (absent:
        /// the replicates asked for were run).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        stopping: Vec<String>,
    },
    /// `agora sensitivity` or `agora discover`: an analysis of other files.
    Analysis {
        /// `sensitivity` or `discover`.
        command: String,
        /// The files analysed (named by their path as given), with their
        /// size and hash as they were read.
        inputs: Vec<FileRecord>,
        /// What was analysed and how, in words (outcome definition, settings).
        notes: Vec<String>,
    },
    /// `agora calibrate`: approximate Bayesian computation against observations.
    Calibration {
        /// The resolved calibration.
        calibration: crate::calibration::Calibration,
        /// The calibration file and the observed series, with their size and hash.
        inputs: Vec<FileRecord>,
        /// Generations computed (0 is the draw from the prior).
        generations: usize,
        /// How the run ended and what the files hold, in words.
        notes: Vec<String>,
    },
}

/// One file of a result: its name in the folder, size and content hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// File name inside the folder.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, lower-case hex (what `sha256sum` prints).
    pub sha256: String,
}

/// The manifest of a results folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Who made the result, how and when.
    pub provenance: Provenance,
    /// What was computed.
    pub content: Content,
    /// Every result file, in the order they were written.
    pub files: Vec<FileRecord>,
}

impl Manifest {
    /// A manifest for the files `names` of `dir`, hashing each.
    pub fn of_files(dir: &Path, provenance: Provenance, content: Content, names: &[&str]) -> Result<Manifest> {
        let files = names
            .iter()
            .map(|name| record_of(dir, name))
            .collect::<Result<Vec<_>>>()?;
        Ok(Manifest {
            provenance,
            content,
            files,
        })
    }

    /// The manifest as pretty RON.
    pub fn to_ron(&self) -> String {
        let config = ron::ser::PrettyConfig::new().struct_names(true);
        let text = ron::ser::to_string_pretty(self, config).expect("a manifest serializes");
        format!("{text}\n")
    }

    /// Read the manifest of `dir`, without checking the files.
    pub fn read(dir: &Path) -> Result<Manifest> {
        let path = dir.join(MANIFEST);
        let text = match super::atomic::open_existing(&path, false).and_then(|mut f| {
            let mut text = String::new();
            f.read_to_string(&mut text).map(|_| text)
        }) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::InvalidInput => {
                return Err(Error::Unverified(e.to_string()));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(Error::Unverified(format!(
                    "{}: no {MANIFEST}: the folder holds no finished result (still being written, \
                     interrupted, or not made by agora); finish it with --resume or run again",
                    dir.display()
                )));
            }
            Err(e) => return Err(Error::io(path.display().to_string(), e)),
        };
        Manifest::parse(&text, &path)
    }

    /// Parse the text of a manifest (read from `path`, for messages) and
    /// check its file list: not empty, each a plain name inside the
    /// folder (no `/`, `\\`, `..`, absolute path or hidden name), no
    /// name twice, the manifest itself not among them.
    pub fn parse(text: &str, path: &Path) -> Result<Manifest> {
        let manifest: Manifest = ron::from_str(text).map_err(|e| {
            Error::Unverified(format!(
                "{}:{}:{}: not a manifest agora can read: {}",
                path.display(),
                e.span.start.line,
                e.span.start.col,
                e.code
            ))
        })?;
        if manifest.files.is_empty() {
            return Err(Error::Unverified(format!(
                "{}: lists no files: a result has at least one",
                path.display()
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for file in &manifest.files {
            if let Some(why) = bad_name(&file.name) {
                return Err(Error::Unverified(format!(
                    "{}: lists `{}`, {why}: a manifest names only files inside its folder",
                    path.display(),
                    file.name.escape_debug()
                )));
            }
            if !seen.insert(file.name.as_str()) {
                return Err(Error::Unverified(format!(
                    "{}: lists `{}` twice",
                    path.display(),
                    file.name.escape_debug()
                )));
            }
        }
        Ok(manifest)
    }

    /// Whether the manifest lists a file named `name`.
    pub fn lists(&self, name: &str) -> bool {
        self.files.iter().any(|f| f.name == name)
    }

    /// The files of `dir` the manifest does not list, by name, sorted
    /// (the manifest, the lock and the report are the folder's own).
    pub fn unlisted(&self, dir: &Path) -> Result<Vec<String>> {
        let own = [MANIFEST, super::folder::LOCK, super::folder::REPORT];
        let mut names = Vec::new();
        for entry in std::fs::read_dir(dir).context(|| format!("listing {}", dir.display()))? {
            let name = entry
                .context(|| format!("listing {}", dir.display()))?
                .file_name()
                .to_string_lossy()
                .into_owned();
            if !own.contains(&name.as_str()) && !self.lists(&name) {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// Read the manifest of `dir` and check that every file it lists is
    /// there, a plain file (a symbolic link is not followed), with its
    /// recorded size and hash.
    pub fn verify(dir: &Path) -> Result<Manifest> {
        let manifest = Manifest::read(dir)?;
        for file in &manifest.files {
            let path = dir.join(&file.name);
            let found = match record_of(dir, &file.name) {
                Ok(found) => found,
                Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {
                    return Err(Error::Unverified(format!(
                        "{}: listed in {MANIFEST} but missing: the folder is not one complete result",
                        path.display()
                    )));
                }
                Err(Error::Io { source, .. }) if source.kind() == io::ErrorKind::InvalidInput => {
                    return Err(Error::Unverified(source.to_string()));
                }
                Err(e) => return Err(e),
            };
            if found != *file {
                return Err(Error::Unverified(format!(
                    "{}: does not match {MANIFEST} ({} bytes, sha256 {} recorded; {} bytes, sha256 {} found): \
                     the file was changed or belongs to another result",
                    path.display(),
                    file.bytes,
                    short(&file.sha256),
                    found.bytes,
                    short(&found.sha256)
                )));
            }
        }
        Ok(manifest)
    }
}

/// The size and SHA-256 of the file at `path`, named by `path` as given:
/// the record of an analysis input.
pub fn input_record(path: &Path) -> Result<FileRecord> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // An input named on the command line may be a link the user made.
    let file = std::fs::File::open(path).at(path)?;
    let record = hash(file, path, &name)?;
    Ok(FileRecord {
        name: path.display().to_string(),
        ..record
    })
}

fn short(hash: &str) -> &str {
    &hash[..hash.len().min(12)]
}

/// Why `name` is not a plain name of a file inside a folder, if it is not.
pub fn bad_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("an empty name")
    } else if name.contains(['/', '\\']) || Path::new(name).is_absolute() {
        Some("a path")
    } else if name == "." || name == ".." || name.contains("..") {
        Some("a name with `..`")
    } else if name.starts_with('.') {
        Some("a hidden name")
    } else if name.chars().any(char::is_control) {
        Some("a name with control characters")
    } else if name == MANIFEST {
        Some("the manifest itself")
    } else {
        None
    }
}

/// The size and SHA-256 of `dir/name` (a plain file; a link is not followed).
fn record_of(dir: &Path, name: &str) -> Result<FileRecord> {
    let path = dir.join(name);
    let file = super::atomic::open_existing(&path, false).at(&path)?;
    hash(file, &path, name)
}

/// The size and SHA-256 of `file`, read from `path`, recorded as `name`.
fn hash(mut file: std::fs::File, path: &Path, name: &str) -> Result<FileRecord> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buffer).at(path)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok(FileRecord {
        name: name.to_string(),
        bytes,
        sha256: hex(&hasher.finalize()),
    })
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(2 * bytes.len()), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `time` as `YYYY-MM-DDThh:mm:ssZ`.
pub fn rfc3339(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn rfc3339_of_known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_795_356_245)),
            "2026-11-22T14:04:05Z"
        );
    }

    #[test]
    fn sha256_of_a_known_text() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("abc"), b"abc").unwrap();
        let record = record_of(dir.path(), "abc").unwrap();
        assert_eq!(record.bytes, 3);
        // FIPS 180-2, appendix B.1.
        assert_eq!(
            record.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

/// The manifest parser fuzzed: any text, and manifests whose file lists mix
/// good and hostile names. 10^4 cases by default; `PROPTEST_CASES=1000000`
/// for a long local run.
#[cfg(test)]
mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn cases() -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(10_000)
    }

    fn manifest(names: &[String]) -> Manifest {
        Manifest {
            provenance: Provenance {
                agora_version: "0".into(),
                command_line: vec!["agora".into()],
                threads: 1,
                started: "2026-01-01T00:00:00Z".into(),
                wall_seconds: 0.0,
            },
            content: Content::Analysis {
                command: "discover".into(),
                inputs: Vec::new(),
                notes: Vec::new(),
            },
            files: names
                .iter()
                .map(|n| FileRecord {
                    name: n.clone(),
                    bytes: 1,
                    sha256: "00".into(),
                })
                .collect(),
        }
    }

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("runs.csv".to_string()),
            Just("points.csv".to_string()),
            Just("..".to_string()),
            Just("../x.csv".to_string()),
            Just("/etc/passwd".to_string()),
            Just("a/b.csv".to_string()),
            Just("a\\b.csv".to_string()),
            Just(".hidden".to_string()),
            Just(String::new()),
            Just("manifest.ron".to_string()),
            "[a-z0-9_./\\\\-]{0,12}",
            any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(cases()))]

        #[test]
        fn any_text_parses_or_is_refused_without_panic(text in any::<String>()) {
            if let Ok(m) = Manifest::parse(&text, Path::new("manifest.ron")) {
                prop_assert!(!m.files.is_empty());
                prop_assert!(m.files.iter().all(|f| bad_name(&f.name).is_none()));
            }
        }

        #[test]
        fn a_file_list_is_accepted_only_if_plain_unique_and_not_empty(names in prop::collection::vec(name(), 0..6)) {
            let text = manifest(&names).to_ron();
            let parsed = Manifest::parse(&text, Path::new("manifest.ron"));
            let unique = names.iter().collect::<std::collections::HashSet<_>>().len() == names.len();
            let plain = names.iter().all(|n| bad_name(n).is_none());
            prop_assert_eq!(parsed.is_ok(), !names.is_empty() && unique && plain, "{:?}", names);
            if plain {
                for n in &names {
                    let joined = Path::new("/folder").join(n);
                    prop_assert_eq!(joined.parent(), Some(Path::new("/folder")), "{}", n);
                }
            }
        }

        #[test]
        fn a_truncated_or_flipped_manifest_is_refused_or_still_plain(cut in 0usize..400, flip in 0usize..400, byte in any::<u8>()) {
            let mut text = manifest(&["runs.csv".into(), "points.csv".into()]).to_ron().into_bytes();
            if flip < text.len() {
                text[flip] = byte;
            }
            text.truncate(text.len().saturating_sub(cut));
            let text = String::from_utf8_lossy(&text);
            if let Ok(m) = Manifest::parse(&text, Path::new("manifest.ron")) {
                prop_assert!(m.files.iter().all(|f| bad_name(&f.name).is_none()));
            }
        }
    }
}
