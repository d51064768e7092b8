//! agora: agent-based scenarios of citizens, public administrations and Social CRM.
#![warn(missing_docs)]

pub mod analysis;
pub mod calendar;
pub mod commands;
pub mod error;
pub mod graph;
pub mod memory;
pub mod model;
pub mod output;
pub mod report;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod stats;
pub mod sweep;

pub use error::{Error, Result};
