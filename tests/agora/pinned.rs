//! The bytes of a small run, pinned: refactoring must not change results.
//! A model change that moves them on purpose updates these hashes and says
//! why in CHANGELOG.md (last: model v2, CHANGELOG 0.2.0).

use sha2::{Digest, Sha256};

use agora_core::simd::Isa;

use super::{agora, run_ok};

const PINNED: [(&str, &str); 5] = [
    (
        "timeseries.csv",
        "f5ad58ec5fb202c266c6a8dc9011749f102b571077ae780c82e31b76aeeabc48",
    ),
    (
        "summary.csv",
        "dab1e5dbe5b20e050335d2d17d4b62d9bd98d90ff30ed104fb028d8b31d6739c",
    ),
    (
        "aggregate.csv",
        "76cf0d60b08c3b8eb539333c28bd4388fd7e2d04cb66eff41d1f7d8715867fcc",
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
