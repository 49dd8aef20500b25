//! The embedded Docker engine: content store, images, the simulated hub, containers and
//! the shell that runs inside them.
//!
//! It knows nothing above it: no clap, rustyline, owo-colors or bollard client. It speaks
//! the Docker Engine API's own model types (`bollard_stubs::models`), so the backends and
//! the API server serialise what it returns as they are.

pub mod content;
pub mod digest;
pub mod hub;
pub mod program;
pub mod reference;
pub mod shell;
pub mod streams;
