//! The bytes of a small run, pinned: refactoring must not change results.
//! A model change that moves them on purpose updates these hashes and says
//! why in CHANGELOG.md.

use sha2::{Digest, Sha256};

use super::run_ok;

const PINNED: [(&str, &str); 5] = [
    (
        "timeseries.csv",
        "5ea8c252a2a38c68624a7df6b8ccb77d3011ee4db91a7de68c00f114ca5e2c8b",
    ),
    (
        "summary.csv",
        "19779be13ce5a489d60221d4622053cd72b5e2c85a246de4ef05017e399d92b0",
    ),
    (
        "aggregate.csv",
        "074a33aea2a9cebf0653b01828863b3fdd7119677b96a2fe06e1536d263ea079",
    ),
    (
        "classes.csv",
        "cdbc1666fd661d1b8aabb596242c75c75e9d8aacd591ecefa67310a2f5c2c3ce",
    ),
    (
        "graphs.csv",
        "f1442dd462d75c1746512ac33a36d0f530bb69083962e946ca987a37f417c96e",
    ),
];

#[test]
fn a_small_run_writes_the_pinned_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pin");
    run_ok(&[
        "run",
        "--replicates",
        "3",
        "--steps",
        "30",
        "--set",
        "population.citizens=3000",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    for (file, pinned) in PINNED {
        let bytes = std::fs::read(out.join(file)).unwrap();
        let hash: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hash, pinned, "{file} changed");
    }
}
