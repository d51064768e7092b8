//! Writing results: CSV tables, atomic files, the folder lock, manifests.
//!
//! Architecture invariant: this module is the one door to a results folder.
//! A writer takes the folder's lock ([`Folder`]) before creating any file; a
//! result file appears under its final name only when it is complete
//! (written to a hidden temporary name, synced, renamed, and the folder
//! synced); the manifest, listing every file with its hash, comes last; and
//! readers check the manifest ([`Manifest::verify`]) before they trust a file.

pub mod analysis;
pub mod atomic;
pub mod calibrate;
pub mod columnar;
pub mod compare;
pub mod compare_text;
pub mod folder;
pub mod graph;
pub mod manifest;
pub mod merge;
pub mod optimize;
pub mod run;
pub mod sweep;
pub mod table;
pub mod tally;
pub mod validation;

pub use columnar::Format;
pub use folder::Folder;
pub use manifest::{Manifest, Provenance, Stopwatch};
pub use run::{Keep, Quantiles, RunFrames, RunOutput, RunTables, ScenarioTally, summary_table};
pub use sweep::SweepOutput;
