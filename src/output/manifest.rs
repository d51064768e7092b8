//! `manifest.ron`: what produced a results folder, so it can be reproduced.

use std::io;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::scenario::Scenario;

/// A record of one scenario as it was run.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioRecord {
    pub scenario: Scenario,
    /// Seed of replicate r at position r.
    pub replicate_seeds: Vec<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub agora_version: String,
    pub command_line: Vec<String>,
    pub threads: usize,
    /// UTC, RFC 3339.
    pub started: String,
    pub wall_seconds: f64,
    pub scenarios: Vec<ScenarioRecord>,
}

impl Manifest {
    pub fn write(&self, path: &Path) -> io::Result<()> {
        let config = ron::ser::PrettyConfig::new().struct_names(true);
        let text = ron::ser::to_string_pretty(self, config).map_err(io::Error::other)?;
        super::atomic::write_atomic(path, format!("{text}\n").as_bytes())
    }
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
}
