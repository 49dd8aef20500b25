//! # docklab
//!
//! A terminal lab for learning Docker, with an embedded Docker engine.
//!
//! # Layout
//!
//! - [`engine`]: the embedded engine (content store, images, hub, runtime, shell). Knows
//!   nothing of the layers above it.
//! - [`cli`]: the docker command line, written once over `trait Backend`.

pub mod app;
pub mod backend;
pub mod cli;
pub mod engine;
