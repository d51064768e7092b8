//! The bytes of a small run, pinned: refactoring must not change results.
//! A model change that moves them on purpose updates these hashes and says
//! why in CHANGELOG.md (last: model v2, CHANGELOG 0.2.0).

use sha2::{Digest, Sha256};

use super::run_ok;

const PINNED: [(&str, &str); 5] = [
    (
        "timeseries.csv",
        "f150f7c6c83ea614fa4cf57dfbaef81bab46be8e3866b5d0f14ea456de707ee1",
    ),
    (
        "summary.csv",
        "0d67da4d57faf0ab9477863cfc3b7dafc02dbe06985efdf3d5a202a672fa3026",
    ),
    (
        "aggregate.csv",
        "0c72004f6ed94ef9eb3e7a9620ef3d2e9d6afb3534178e75ff54874b61840511",
    ),
    (
        "classes.csv",
        "4cc7faf13fa6ff53e11fbb87b47a0415a955df26da2183e767b5acee2d41323e",
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
