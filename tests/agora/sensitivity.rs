//! Sensitivity designs, `agora sensitivity` and `agora discover` end to end:
//! designs that shard, merge and resume like a grid; indices recovered on
//! analytic functions written from `design.csv`; a PRIM box recovered on
//! synthetic data; bad input refused with exit 2.

use std::collections::HashMap;
use std::f64::consts::PI;
use std::path::{Path, PathBuf};

use super::{Csv, agora, kill_after_rows, read, run_ok, write};

/// A base scenario on `fracture` small enough for hundreds of runs in seconds.
fn base(dir: &Path, citizens: u32, steps: u32) {
    base_on(dir, "fracture", citizens, steps);
}

/// `base.ron`: the built-in `scenario` with a smaller population and run.
fn base_on(dir: &Path, scenario: &str, citizens: u32, steps: u32) {
    write(
        dir,
        "base.ron",
        &format!(
            "Scenario(name: \"base\", base: Some(\"{scenario}\"), \
             population: (citizens: {citizens}, administrations: 5), steps: {steps})"
        ),
    );
}

/// A sweep file `name.ron` with this design, 2 replicates, seed 5.
fn sweep(dir: &Path, name: &str, design: &str, extra: &str) -> String {
    let text = format!("Sweep(name: \"{name}\", base: \"base.ron\", design: {design}, replicates: 2, seed: 5{extra})");
    write(dir, &format!("{name}.ron"), &text).to_str().unwrap().to_string()
}

const SOBOL: &str = r#"Sobol(samples: 4, ranges: {
    "dynamics.digital_imitation": (0.05, 0.5), "dynamics.adoption_imitation": (0.01, 0.2)})"#;
const MORRIS: &str = r#"Morris(trajectories: 3, levels: 4, ranges: {
    "dynamics.digital_imitation": (0.05, 0.5), "dynamics.adoption_imitation": (0.01, 0.2),
    "dynamics.need_rate": (0.1, 0.5)})"#;

impl Csv {
    /// The row of `sensitivity.csv` for (output, parameter, index).
    fn index(&self, output: &str, parameter: &str, index: &str) -> &HashMap<String, String> {
        self.rows
            .iter()
            .find(|r| r["output"] == output && r["parameter"] == parameter && r["index"] == index)
            .unwrap_or_else(|| panic!("no {index} of {parameter} for {output}"))
    }
}

fn files(dir: &Path, names: &[&str]) -> Vec<String> {
    names.iter().map(|n| read(dir.join(n))).collect()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn design_only_gives_the_points_of_the_full_sweep() {
    let dir = tempfile::tempdir().unwrap();
    base(dir.path(), 300, 4);
    for (name, design) in [("sobol", SOBOL), ("morris", MORRIS)] {
        let file = sweep(dir.path(), name, design, "");
        let (only, full) = (dir.path().join(format!("{name}-design")), dir.path().join(name));
        let out = run_ok(&["sweep", &file, "--design-only", "--out", s(&only)]);
        assert!(String::from_utf8_lossy(&out.stdout).contains("nothing simulated"));
        run_ok(&["sweep", &file, "--out", s(&full), "--quiet"]);
        assert!(!only.join("runs.csv").exists() && only.join("manifest.ron").exists());
        run_ok(&["verify", s(&only)]);
        let (design, points) = (Csv::read(only.join("design.csv")), Csv::read(full.join("points.csv")));
        let axes: Vec<&String> = design.header.iter().skip(1).collect();
        assert_eq!(design.header[0], "point");
        assert_eq!(axes.len(), if name == "sobol" { 2 } else { 3 });
        assert_eq!(design.rows.len(), points.rows.len());
        let expected = if name == "sobol" { 4 * (2 + 2) } else { 3 * (3 + 1) };
        assert_eq!(design.rows.len(), expected, "{name}");
        for (d, p) in design.rows.iter().zip(&points.rows) {
            assert_eq!(d["point"], p["point"]);
            for axis in &axes {
                assert_eq!(d[*axis], p[*axis], "{name} {axis} point {}", d["point"]);
            }
        }
        // The same sweep: the same hash in both records.
        let hash = |dir: &Path| {
            let text = read(dir.join("sweep.ron"));
            text.lines().find(|l| l.contains("hash:")).unwrap().to_string()
        };
        assert_eq!(hash(&only), hash(&full));
    }
}

#[test]
fn sensitivity_designs_shard_merge_and_resume_like_a_grid() {
    let dir = tempfile::tempdir().unwrap();
    base(dir.path(), 400, 6);
    let names = ["runs.csv", "points.csv", "timeseries.csv"];
    for (name, design) in [("sobol", SOBOL), ("morris", MORRIS)] {
        let file = sweep(dir.path(), name, design, ", series: true");
        let whole = dir.path().join(format!("{name}-whole"));
        run_ok(&["sweep", &file, "--out", s(&whole), "--quiet"]);
        let expected = files(&whole, &names);
        let parts = dir.path().join(format!("{name}-parts"));
        for i in 0..3 {
            run_ok(&[
                "sweep",
                &file,
                "--out",
                s(&parts),
                "--shard",
                &format!("{i}/3"),
                "--quiet",
            ]);
        }
        let merged = dir.path().join(format!("{name}-merged"));
        run_ok(&["merge", s(&parts), "--out", s(&merged)]);
        assert!(files(&merged, &names) == expected, "{name}: merged shards differ");
        // Kill a bigger version of the sweep mid-way, then resume.
        base(dir.path(), 10_000, 30);
        let killed = dir.path().join(format!("{name}-killed"));
        let args = ["sweep", &file, "--out", s(&killed), "--quiet", "--threads", "2"];
        kill_after_rows(&args, &killed.join(".runs.csv.partial"), 3);
        assert!(
            !killed.join("runs.csv").exists(),
            "{name}: finished before it was killed"
        );
        run_ok(&["sweep", &file, "--out", s(&killed), "--quiet", "--resume"]);
        let big = dir.path().join(format!("{name}-big"));
        run_ok(&["sweep", &file, "--out", s(&big), "--quiet"]);
        assert!(
            files(&killed, &names) == files(&big, &names),
            "{name}: resumed output differs"
        );
        base(dir.path(), 400, 6);
    }
}

/// Ishigami & Homma (1990), a = 7, b = 0.1, on [-pi, pi]^3.
fn ishigami(x: [f64; 3]) -> f64 {
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

/// Exact S1 and ST of the Ishigami function (Sobol' & Levitan 1999).
fn ishigami_truth() -> ([f64; 3], [f64; 3]) {
    let (a, b) = (7.0f64, 0.1f64);
    let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = 8.0 * b * b * PI.powi(8) / 225.0;
    let v = v1 + v2 + v13;
    ([v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v])
}

/// Write `outputs.csv` (`point,y`) of `f` over the design in `dir/design.csv`.
fn outputs_of(dir: &Path, f: impl Fn(&[f64]) -> f64) -> PathBuf {
    let design = Csv::read(dir.join("design.csv"));
    let mut text = String::from("point,y\n");
    for row in &design.rows {
        let x: Vec<f64> = design.header[1..].iter().map(|a| Csv::number(row, a)).collect();
        text.push_str(&format!("{},{}\n", row["point"], f(&x)));
    }
    write(dir, "outputs.csv", &text)
}

#[test]
fn sobol_indices_of_the_ishigami_function() {
    let dir = tempfile::tempdir().unwrap();
    base(dir.path(), 100, 2);
    let design = r#"Sobol(samples: 8192, ranges: {"dynamics.digital_innovation": (0.0, 1.0),
        "dynamics.digital_imitation": (0.0, 1.0), "dynamics.need_rate": (0.0, 1.0)})"#;
    let file = sweep(dir.path(), "ishigami", design, "");
    let d = dir.path().join("design");
    run_ok(&["sweep", &file, "--design-only", "--out", s(&d)]);
    let outputs = outputs_of(&d, |u| ishigami([0, 1, 2].map(|i| -PI + 2.0 * PI * u[i])));
    let out = run_ok(&["sensitivity", s(&d), "--outputs", s(&outputs), "--seed", "3"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ST [95% CI]"), "{stdout}");
    let table = Csv::read(d.join("sensitivity/sensitivity.csv"));
    assert_eq!(
        table.header,
        [
            "output",
            "parameter",
            "index",
            "value",
            "lo",
            "hi",
            "interval_contains_zero"
        ]
    );
    assert_eq!(table.rows.len(), 6);
    let axes = [
        "dynamics.digital_innovation",
        "dynamics.digital_imitation",
        "dynamics.need_rate",
    ];
    let (s1, st) = ishigami_truth();
    for (i, axis) in axes.iter().enumerate() {
        for (index, truth) in [("S1", s1[i]), ("ST", st[i])] {
            let row = table.index("y", axis, index);
            let (value, lo, hi) = (
                Csv::number(row, "value"),
                Csv::number(row, "lo"),
                Csv::number(row, "hi"),
            );
            println!("{index} {axis}: {value:.4} [{lo:.4}, {hi:.4}], exact {truth:.4}");
            assert!((value - truth).abs() < 0.05, "{index} {axis}: {value} vs {truth}");
            assert!(
                lo <= truth && truth <= hi,
                "{index} {axis}: [{lo}, {hi}] misses {truth}"
            );
        }
    }
    assert_eq!(table.index("y", axes[2], "S1")["interval_contains_zero"], "true");
    assert_eq!(table.index("y", axes[1], "S1")["interval_contains_zero"], "false");
}

#[test]
fn second_order_sobol_indices_of_the_ishigami_function() {
    let dir = tempfile::tempdir().unwrap();
    base(dir.path(), 100, 2);
    let design = r#"Sobol(samples: 4096, second_order: true, ranges: {"dynamics.digital_innovation": (0.0, 1.0),
        "dynamics.digital_imitation": (0.0, 1.0), "dynamics.need_rate": (0.0, 1.0)})"#;
    let file = sweep(dir.path(), "ishigami2", design, "");
    let d = dir.path().join("design");
    run_ok(&["sweep", &file, "--design-only", "--out", s(&d)]);
    assert_eq!(Csv::read(d.join("design.csv")).rows.len(), 4096 * 8);
    let outputs = outputs_of(&d, |u| ishigami([0, 1, 2].map(|i| -PI + 2.0 * PI * u[i])));
    run_ok(&["sensitivity", s(&d), "--outputs", s(&outputs), "--bootstrap", "300"]);
    let table = Csv::read(d.join("sensitivity/sensitivity.csv"));
    assert_eq!(table.rows.len(), 6 + 3);
    let (_, st) = ishigami_truth();
    let pairs = [
        ("dynamics.digital_innovation|dynamics.digital_imitation", 0.0),
        ("dynamics.digital_innovation|dynamics.need_rate", st[2]),
        ("dynamics.digital_imitation|dynamics.need_rate", 0.0),
    ];
    for (pair, truth) in pairs {
        let value = Csv::number(table.index("y", pair, "S2"), "value");
        println!("S2 {pair}: {value:.4}, exact {truth:.4}");
        assert!((value - truth).abs() < 0.05, "S2 {pair}: {value} vs {truth}");
    }
}

#[test]
fn morris_mu_star_is_exact_on_a_linear_function() {
    let dir = tempfile::tempdir().unwrap();
    base(dir.path(), 100, 2);
    let design = r#"Morris(trajectories: 20, levels: 4, ranges: {"dynamics.digital_innovation": (0.0, 1.0),
        "dynamics.digital_imitation": (0.2, 0.6), "dynamics.need_rate": (0.0, 0.5)})"#;
    let file = sweep(dir.path(), "linear", design, "");
    let d = dir.path().join("design");
    run_ok(&["sweep", &file, "--design-only", "--out", s(&d)]);
    // y = 3 a - 2 b + 0 c: elementary effects (per unit of the range) 3, -0.8, 0.
    let outputs = outputs_of(&d, |x| 3.0 * x[0] - 2.0 * x[1]);
    run_ok(&["sensitivity", s(&d), "--outputs", s(&outputs), "--bootstrap", "200"]);
    let table = Csv::read(d.join("sensitivity/sensitivity.csv"));
    assert_eq!(table.rows.len(), 9);
    let cases = [
        ("dynamics.digital_innovation", 3.0, 3.0),
        ("dynamics.digital_imitation", 0.8, -0.8),
        ("dynamics.need_rate", 0.0, 0.0),
    ];
    for (axis, mu_star, mu) in cases {
        let row = table.index("y", axis, "mu_star");
        for column in ["value", "lo", "hi"] {
            assert!(
                (Csv::number(row, column) - mu_star).abs() < 1e-9,
                "{axis} mu_star {column}: {row:?}"
            );
        }
        assert!((Csv::number(table.index("y", axis, "mu"), "value") - mu).abs() < 1e-9);
        assert!(Csv::number(table.index("y", axis, "sigma"), "value").abs() < 1e-9);
        let zero = if mu_star == 0.0 { "true" } else { "false" };
        assert_eq!(row["interval_contains_zero"], zero, "{axis}");
    }
}

/// `n` rows of x0..x3 uniform in [0, 1] and `class` hit when x0 > 0.7 and
/// x1 < 0.4 (also the discovery report's data, `report.rs`).
pub(crate) fn box_data(dir: &Path, n: usize) -> PathBuf {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
    let mut text = String::from("id,x0,x1,x2,x3,class\n");
    for id in 0..n {
        let x: [f64; 4] = std::array::from_fn(|_| rng.random());
        let class = if x[0] > 0.7 && x[1] < 0.4 { "hit" } else { "miss" };
        text.push_str(&format!("{id},{},{},{},{},{class}\n", x[0], x[1], x[2], x[3]));
    }
    write(dir, "data.csv", &text)
}

#[test]
fn discover_recovers_a_known_box() {
    let dir = tempfile::tempdir().unwrap();
    let data = box_data(dir.path(), 5000);
    let out = dir.path().join("found");
    let args = ["discover", s(&data), "--target", "class=hit", "--inputs", "x0,x1,x2,x3"];
    let stdout = run_ok(&[&args[..], &["--min-coverage", "0.9", "--out", s(&out)]].concat()).stdout;
    let stdout = String::from_utf8_lossy(&stdout);
    assert!(
        stdout.contains("<- chosen") && stdout.contains("unrestricted: x2, x3"),
        "{stdout}"
    );
    let all = Csv::read(&data);
    let span = |c: &str| {
        let v: Vec<f64> = all.rows.iter().map(|r| Csv::number(r, c)).collect();
        (
            v.iter().copied().fold(f64::INFINITY, f64::min),
            v.iter().copied().fold(0.0, f64::max),
        )
    };
    let boxes = Csv::read(out.join("boxes.csv"));
    assert_eq!(boxes.rows.len(), 1);
    let b = &boxes.rows[0];
    println!("{b:?}");
    assert!((Csv::number(b, "x0_lo") - 0.7).abs() < 0.03 && (Csv::number(b, "x1_hi") - 0.4).abs() < 0.03);
    assert_eq!(
        (Csv::number(b, "x0_hi"), Csv::number(b, "x1_lo")),
        (span("x0").1, span("x1").0)
    );
    for free in ["x2", "x3"] {
        assert_eq!(
            (
                Csv::number(b, &format!("{free}_lo")),
                Csv::number(b, &format!("{free}_hi"))
            ),
            span(free)
        );
        assert_eq!(b[&format!("{free}_qp")], "");
    }
    assert!(Csv::number(b, "x0_qp") < 1e-6 && Csv::number(b, "x1_qp") < 1e-6);
    assert!(
        Csv::number(b, "coverage") >= 0.9 && Csv::number(b, "density") >= 0.9,
        "{b:?}"
    );
    assert_eq!(b["restricted"], "2");
    // Along the peeling trajectory coverage and mass never increase.
    let trajectory = Csv::read(out.join("trajectory.csv"));
    assert_eq!(
        trajectory.header[..6],
        ["box", "step", "coverage", "density", "mass", "restricted"]
    );
    assert!(trajectory.header.contains(&"x3_hi".to_string()));
    for pair in trajectory.rows.windows(2) {
        for column in ["coverage", "mass"] {
            assert!(
                Csv::number(&pair[1], column) <= Csv::number(&pair[0], column),
                "{column}: {pair:?}"
            );
        }
    }
    // Covering: a second box is sought outside the first.
    let covered = dir.path().join("covered");
    run_ok(
        &[
            &args[..],
            &["--boxes", "2", "--min-coverage", "0.5", "--out", s(&covered)],
        ]
        .concat(),
    );
    let boxes = Csv::read(covered.join("boxes.csv"));
    assert!(!boxes.rows.is_empty() && boxes.rows.len() <= 2);
    assert!(boxes.rows.iter().enumerate().all(|(k, r)| r["box"] == k.to_string()));
    // A numeric target works the same way.
    run_ok(&[
        "discover",
        s(&data),
        "--target",
        "x3<0.5",
        "--inputs",
        "x0,x1",
        "--out",
        s(&out),
    ]);
}

#[test]
fn a_small_sobol_sweep_on_the_model_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    base_on(dir.path(), "participation", 400, 24);
    let design = r#"Sobol(samples: 64, ranges: {"dynamics.digital_imitation": (0.05, 0.5),
        "dynamics.adoption_imitation": (0.01, 0.3), "dynamics.citizen_pressure": (0.0, 0.2)})"#;
    let file = sweep(dir.path(), "model", design, ", series: true");
    let out = dir.path().join("model");
    run_ok(&["sweep", &file, "--out", s(&out), "--quiet"]);
    assert_eq!(Csv::read(out.join("points.csv")).rows.len(), 64 * 5);
    let stdout = run_ok(&["sensitivity", s(&out), "--over-time", "--bootstrap", "100"]).stdout;
    let stdout = String::from_utf8_lossy(&stdout);
    assert!(stdout.contains("mean over the point's 2 replicates"), "{stdout}");
    assert!(stdout.contains("\nadoption\nparameter"), "{stdout}");
    let table = Csv::read(out.join("sensitivity/sensitivity.csv"));
    // Every metric that is defined and varies over the design has its S1 and
    // ST for each of the 3 parameters; a constant one has none (undefined).
    let points = Csv::read(out.join("points.csv"));
    let varying = agora_core::model::METRICS
        .iter()
        .filter(|m| {
            let values: Vec<&String> = points.rows.iter().map(|r| &r[&format!("{}_mean", m.name)]).collect();
            values.iter().all(|v| !v.is_empty()) && values.iter().any(|v| *v != values[0])
        })
        .count();
    assert!(varying >= 10, "most metrics vary over this design: {varying}");
    assert_eq!(table.rows.len(), varying * 3 * 2);
    let over_time = Csv::read(out.join("sensitivity/sensitivity_over_time.csv"));
    assert_eq!(over_time.header[..3], ["output", "step", "parameter"]);
    // At most every metric at every month; flows are undefined at step 0.
    let flows = agora_core::model::METRICS.iter().filter(|m| m.flow).count();
    let most = (agora_core::model::N_METRICS * 25 - flows) * 3 * 2;
    assert!(over_time.rows.len() <= most, "{} rows", over_time.rows.len());
    // The last month is the final state: the same outputs as sensitivity.csv.
    let last = over_time.rows.iter().filter(|r| r["step"] == "24").count();
    assert_eq!(last, varying * 3 * 2);
    assert_eq!(
        over_time.rows.len() % 6,
        0,
        "each (output, month) has S1 and ST of 3 parameters"
    );
    // Imitation drives digitalization, citizens' pressure adoption: total
    // indices clearly above 0.
    for (output, parameter) in [
        ("digitalization", "dynamics.digital_imitation"),
        ("adoption", "dynamics.citizen_pressure"),
    ] {
        let st = table.index(output, parameter, "ST");
        assert_eq!(st["interval_contains_zero"], "false", "{st:?}");
    }
    run_ok(&["verify", s(&out.join("sensitivity"))]);
    // Discovery on the same sweep's runs: fracture comes with fast digital imitation.
    let runs = out.join("runs.csv");
    let inputs = "dynamics.digital_imitation,dynamics.adoption_imitation,dynamics.citizen_pressure";
    run_ok(&["discover", s(&runs), "--target", "class=fracture", "--inputs", inputs]);
    let boxes = Csv::read(out.join("discover/boxes.csv"));
    assert_ne!(
        boxes.rows[0]["dynamics.digital_imitation_qp"], "",
        "{:?}",
        boxes.rows[0]
    );
}

/// `agora args` fails with exit 2 and a message containing `expected`.
fn refused(args: &[&str], expected: &str) {
    let out = agora().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(expected), "{args:?}: expected `{expected}` in {stderr}");
}

#[test]
fn bad_input_exits_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    base(dir.path(), 100, 2);
    let file = sweep(dir.path(), "sobol", SOBOL, "");
    let d = dir.path().join("design");
    run_ok(&["sweep", &file, "--design-only", "--out", s(&d)]);
    let csv = |name: &str, text: &str| write(dir.path(), name, text).to_str().unwrap().to_string();
    let rows = |n: usize| (0..n).map(|p| format!("{p},{p}\n")).collect::<String>();
    let few = csv("few.csv", &format!("point,y\n{}", rows(10)));
    refused(
        &["sensitivity", s(&d), "--outputs", &few],
        "has 10 of the 16 points the Sobol design needs",
    );
    let extra = csv("extra.csv", &format!("point,y\n{}16,1\n", rows(16)));
    refused(
        &["sensitivity", s(&d), "--outputs", &extra],
        "point 16 is not in the design",
    );
    // Outputs whose parameter columns are not this design's: point 0 moved.
    let mut lines: Vec<String> = read(d.join("design.csv")).lines().map(|l| format!("{l},1")).collect();
    lines[0] = lines[0].replace(",1", ",y");
    lines[1] = lines[1].replacen("0,", "0,9", 1);
    let foreign = csv("foreign.csv", &(lines.join("\n") + "\n"));
    refused(
        &["sensitivity", s(&d), "--outputs", &foreign],
        "does not fit this sweep's design",
    );
    refused(&["sensitivity", s(&d)], "--design-only");
    refused(
        &["sensitivity", s(&d), "--outputs", &few, "--metrics", "nope"],
        "no column `nope`",
    );
    refused(&["sensitivity", s(&dir.path().join("nowhere"))], "no such sweep folder");
    // A grid sweep has no design to analyse; a sweep without series has no months.
    let grid = sweep(
        dir.path(),
        "grid",
        r#"Grid(axes: {"dynamics.need_rate": [0.2, 0.4]})"#,
        "",
    );
    let g = dir.path().join("grid");
    run_ok(&["sweep", &grid, "--out", s(&g), "--quiet"]);
    refused(&["sensitivity", s(&g)], "Grid or LatinHypercube design");
    let ran = dir.path().join("ran");
    run_ok(&["sweep", &file, "--out", s(&ran), "--quiet"]);
    refused(&["sensitivity", s(&ran), "--over-time"], "series: true");
    refused(
        &["sensitivity", s(&ran), "--metrics", "trust,nope"],
        "unknown metric `nope`",
    );
    // Designs that cannot be built.
    let odd = sweep(dir.path(), "odd", &MORRIS.replace("levels: 4", "levels: 5"), "");
    refused(&["sweep", &odd, "--design-only"], "design.levels");
    let flat = sweep(dir.path(), "flat", &SOBOL.replace("(0.05, 0.5)", "(0.5, 0.5)"), "");
    refused(
        &["sweep", &flat, "--design-only"],
        "design.ranges.dynamics.digital_imitation",
    );
    // Discovery: an unknown column, a target no row meets, a malformed target.
    let data = box_data(dir.path(), 200);
    refused(
        &["discover", s(&data), "--target", "class=hit", "--inputs", "x0,nope"],
        "no column `nope`",
    );
    refused(
        &["discover", s(&data), "--target", "nope=1", "--inputs", "x0"],
        "no column `nope`",
    );
    refused(
        &["discover", s(&data), "--target", "class=fracture", "--inputs", "x0"],
        "no row meets",
    );
    refused(
        &["discover", s(&data), "--target", "x1>2", "--inputs", "x0"],
        "no row meets",
    );
    refused(
        &["discover", s(&data), "--target", "x1", "--inputs", "x0"],
        "COL=VALUE, COL<X or COL>X",
    );
    refused(
        &["discover", s(&data), "--target", "class<high", "--inputs", "x0"],
        "is not a number",
    );
}
