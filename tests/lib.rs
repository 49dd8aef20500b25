//! docklab's integration tests, in one test binary: they drive the real `docklab`
//! binary (script mode) and the library's public surfaces.
#![allow(clippy::print_stderr)]

mod architecture;
mod checks;
mod docker_backend;
mod lessons;
mod registry;
mod robustness;
mod state;
mod support;
mod transcripts;
