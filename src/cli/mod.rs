//! The docker command line: argument definitions (clap), behaviour over `trait Backend`,
//! and Docker's output formats.

pub mod args;
pub mod format;
pub mod jsonmessage;
