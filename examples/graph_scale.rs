//! Generation time and peak memory of a large social graph, for BENCHMARKS.md.
//! Run: cargo run --release --example graph_scale -- WattsStrogatz 10000000
//!      cargo run --release --example graph_scale -- BarabasiAlbert 10000000

use std::time::Instant;

use agora_core::graph::generate;
use agora_core::rng::{Purpose, Streams};
use agora_core::scenario::GraphSpec;
use sha2::{Digest, Sha256};

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let kind = args.get(1).map_or("WattsStrogatz", String::as_str);
    let n: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let spec = match kind {
        "BarabasiAlbert" => GraphSpec::BarabasiAlbert {
            m: args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5),
        },
        "ErdosRenyi" => GraphSpec::ErdosRenyi { mean_degree: 10.0 },
        _ => GraphSpec::WattsStrogatz { k: 10, beta: 0.1 },
    };
    let before = peak_rss_mib();
    let start = Instant::now();
    let graph = generate(&spec, &[n], &Streams::new(1).stream(Purpose::SocialGraph));
    let seconds = start.elapsed().as_secs_f64();
    let csr_mib = graph.heap_bytes() as f64 / (1 << 20) as f64;
    let peak = peak_rss_mib();
    // A digest of every edge, to show that a faster generator builds the same graph.
    let mut digest = Sha256::new();
    for (a, b) in graph.edge_iter() {
        digest.update(a.to_le_bytes());
        digest.update(b.to_le_bytes());
    }
    let digest: String = digest.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    println!(
        "{kind} n={n}: {seconds:.2} s, edges {}, CSR {csr_mib:.0} MiB, peak RSS {peak:.0} MiB (before {before:.0} MiB), peak/CSR {:.2}, edges digest {digest}",
        graph.edges(),
        (peak - before) / csr_mib
    );
}
