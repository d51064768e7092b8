//! Writing results: CSV tables, atomic files, manifests.
//!
//! Architecture invariant: a result file appears under its final name only
//! when it is complete (written to a hidden temporary name, then renamed).

pub mod atomic;
pub mod manifest;
pub mod run;
pub mod sweep;
pub mod table;

pub use manifest::Manifest;
pub use run::{RunOutput, ScenarioTally, summary_table};
