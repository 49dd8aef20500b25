//! Lessons: the YAML format (version 1) instructors write, and its loader.
//!
//! Owns the lesson model and everything that reads a lesson file: size limits, YAML and
//! schema errors with `file:line:col`, and the checks that need the whole file (unique
//! ids, well-formed checks, paths that stay in the workspace). It runs nothing: the lab
//! replays setups and solutions, and [`crate::check`] evaluates checks. Content is data;
//! a lesson file is never trusted to be well formed.

mod load;
mod model;
mod shipped;
pub mod suite;

pub use load::{Diagnostic, MAX_LESSON_BYTES, load, parse, schema_json, validate};
pub use model::*;
pub use shipped::{find_shipped, lesson_number, shipped, shipped_suites};
