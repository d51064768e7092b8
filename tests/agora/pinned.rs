//! The bytes of a small run, pinned: refactoring must not change results.
//! A model change that moves them on purpose updates these hashes and says
//! why in CHANGELOG.md (last: model v2, CHANGELOG 0.2.0).

use sha2::{Digest, Sha256};

use agora_core::simd::Isa;

use super::{agora, run_ok};

const PINNED: [(&str, &str); 5] = [
    (
        "timeseries.csv",
        "0a94765765edd78cef0e0219e91ca745ed7eb1536ae0beaa25bfa9f989c2663b",
    ),
    (
        "summary.csv",
        "d4cc20b845936fec493fd76f0a69c1f509de359c7c7c166db6aa3e312321332c",
    ),
    (
        "aggregate.csv",
        "1238e4f44af7a17c132531089d5ac4842c15f7476c3aefce01a1e508e23dc34e",
    ),
    (
        "classes.csv",
        "493a7373675836aa5ea220477412898edeb043b3e483eefe0de5fcc76f6d6d94",
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
