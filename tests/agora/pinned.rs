//! The bytes of a small run, pinned: refactoring must not change results.
//! A model change that moves them on purpose updates these hashes and says
//! why in CHANGELOG.md (last: the shared past refitted in the validation round, CHANGELOG 0.3.0).

use sha2::{Digest, Sha256};

use agora_core::simd::Isa;

use super::{agora, run_ok};

const PINNED: [(&str, &str); 5] = [
    (
        "timeseries.csv",
        "297eef09cf925603ca9b6ed853ce9b28fe56a2c1ee2aa4753be82a7d8329e2a3",
    ),
    (
        "summary.csv",
        "fa87e48d46bf53e1061ae3ab5895a00c075be5f0bdddba451f585dc494e4e136",
    ),
    (
        "aggregate.csv",
        "6539a664c1538728f9638586044e9db4cdc725e7dab15f63fdd66b53002940b7",
    ),
    (
        "classes.csv",
        "54a740e311a8ec6c32909a6d30438577588c67234c33db53ea246fbced30bb77",
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

/// The per-citizen loops are compiled for several instruction sets and the
/// widest the CPU has is chosen at run time (crates/agora-core/src/simd.rs); each must write
/// exactly the pinned bytes, scalar included (`AGORA_SIMD=scalar`).
#[test]
fn every_instruction_set_writes_the_pinned_bytes() {
    let dir = tempfile::tempdir().unwrap();
    for isa in Isa::available() {
        let out = dir.path().join(isa.name());
        let status = agora()
            .env("AGORA_SIMD", isa.name())
            .args(["run", "--replicates", "3", "--steps", "30", "--threads", "2"])
            .args(["--set", "population.citizens=3000", "--quiet", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}: {}",
            isa.name(),
            String::from_utf8_lossy(&status.stderr)
        );
        for (file, pinned) in PINNED {
            let bytes = std::fs::read(out.join(file)).unwrap();
            let hash: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(hash, pinned, "{file} differs under {}", isa.name());
        }
    }
}
