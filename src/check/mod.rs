//! Checks: declarative statements about an engine's state, a workspace and a session's
//! transcript, as lessons and grading suites write them, and their evaluation.
//!
//! Owns the check vocabulary ([`Check`] and its kinds), the evaluator ([`evaluate`]) and
//! the sentences a failure is explained with. It observes engines only through
//! [`crate::backend::Backend`], so one check grades the embedded engine and a real daemon
//! alike; it never names the embedded engine, the lab, the REPL or the lesson format.
//! The Dockerfile check reads the file with the engine's Dockerfile parser, a pure
//! function of the text, as the docker command line uses the engine's reference parser.

mod eval;
mod image_files;
mod spec;

pub use eval::{Context, Memo, Outcome, TranscriptEntry, evaluate};
pub use spec::*;
