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
//! (CSV, the folder lock, the manifest) -> [`report`]. [`commands`] runs a
//! whole subcommand of the `agora` binary; [`sweep`] and [`analysis`] serve
//! parameter studies.
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
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod simd;
pub mod stats;
pub mod sweep;

pub use error::{Error, Result};
