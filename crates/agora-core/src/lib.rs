//! agora: agent-based scenarios of citizens, public administrations and
//! Social CRM, month by month from January 2012.
//!
//! Citizens with different levels of digitalization contact their
//! administration; administrations with different Social CRM adoption and
//! barriers (ROI, security, organisation) answer them or not, learn from
//! their own and their peers' results, and transform their value chain with
//! citizens or do not. The three futures of the Innova Institute (2012)
//! scenario study (fracture, participation, pioneer integration) are built
//! in. The model is specified in `docs/model.md`.
//!
//! The layers, in the order data flows through them:
//! [`scenario`] (RON in, a validated [`scenario::Scenario`] out) ->
//! [`graph`] -> [`model`] (one replicate: state and monthly phases) ->
//! [`runner`] (replicates in parallel, delivered in order) -> [`output`]
//! (CSV, the folder lock, the manifest). [`commands`] runs a whole
//! subcommand of the `agora` binary; [`sweep`] and [`analysis`] serve
//! parameter studies. This crate has no command line, HTTP or plotting:
//! the HTML report (`agora-report`), the classroom server (`agora-serve`),
//! the Python module (`agora-py`) and the `agora` binary sit on top of it.
//!
//! Entry points, each with an example that runs: a scenario from a file
//! ([`scenario::load`], below), a graph ([`graph::generate`]), replicates
//! ([`runner::simulate`], below; [`runner::execute`]), a whole command
//! ([`commands::run`], below), reading its results
//! ([`output::table::CsvInput`]), and the analyses
//! ([`analysis::sobol_indices`], [`analysis::morris_analyze`],
//! [`analysis::peel`], [`analysis::abc::apmc`], [`stats`]).
//!
//! Run one replicate of a built-in scenario from Rust and read its final
//! metrics:
//!
//! ```
//! use agora_core::model::metrics::idx;
//! use agora_core::runner::{Prepared, simulate};
//! use agora_core::scenario;
//!
//! let mut fracture = scenario::built_in().remove(0);
//! assert_eq!(fracture.name, "fracture");
//! // A small, short run: 2,000 citizens for three years.
//! scenario::apply_overrides(
//!     &mut fracture,
//!     &[("population.citizens".into(), "2000".into()), ("steps".into(), "36".into())],
//! )?;
//! let prepared = Prepared::new(fracture)?;
//! let (series, class) = simulate(&prepared, agora_core::rng::replicate_seed(prepared.scenario.seed, 0));
//! let last = series.last().unwrap();
//! assert_eq!(series.len(), 37); // January 2012 to January 2015
//! let online = last.values[idx::DIGITAL_INTERACTION];
//! assert!((0.0..=1.0).contains(&online));
//! println!("{}: {:.0}% of citizens online with their administration; class {}", last.step, online * 100.0, class.name());
//! # Ok::<(), agora_core::Error>(())
//! ```
//!
//! Load a scenario file (a patch over a built-in future, as in
//! `scenarios/`), resolved and checked:
//!
//! ```
//! use agora_core::scenario;
//!
//! let dir = tempfile::tempdir()?;
//! std::fs::write(
//!     dir.path().join("small.ron"),
//!     r#"Scenario(name: "small", base: Some("pioneer"), population: (citizens: 1000, administrations: 10))"#,
//! )?;
//! let small = scenario::load(dir.path(), "small.ron")?;
//! assert_eq!((small.name.as_str(), small.population.citizens), ("small", 1000));
//! // A built-in name needs no file.
//! assert_eq!(scenario::load(dir.path(), "fracture")?.name, "fracture");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Run a whole command as `agora run` does and read one of its files:
//!
//! ```
//! use agora_core::commands::{RunOptions, Silent, run};
//! use agora_core::output::table::CsvInput;
//!
//! let dir = tempfile::tempdir()?;
//! let options = RunOptions {
//!     scenarios: vec!["participation".into()],
//!     out: dir.path().join("results"),
//!     overrides: [("population.citizens", "1000"), ("steps", "12"), ("replicates", "2")]
//!         .map(|(p, v)| (p.to_string(), v.to_string()))
//!         .to_vec(),
//!     ..RunOptions::default()
//! };
//! let done = run(&options, &Silent)?;
//! assert_eq!(done.runs, 2);
//! let summary = CsvInput::read(&options.out.join("summary.csv"))?;
//! let trust = summary.numbers(summary.column("trust")?)?;
//! assert_eq!(trust.len(), 2); // one row per replicate
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod analysis;
pub mod calendar;
pub mod calibration;
pub mod commands;
pub mod error;
pub mod graph;
pub mod memory;
pub mod model;
pub mod output;
pub mod par;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod simd;
pub mod stats;
pub mod sweep;
pub mod validation;

pub use error::{Error, Result};
