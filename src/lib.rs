//! # docklab
//!
//! A terminal lab for learning Docker, with an embedded Docker engine.
//!
//! # Layout
//!
//! Arrows point down only: each layer uses those below it and never those above.
//!
//! - [`app`]: docklab's own command line, the lab (shell + docker), the REPL and
//!   script mode. The only layer that touches the real terminal.
//! - [`lesson`]: the lesson format (YAML, version 1) and its loader; [`check`]: the
//!   declarative checks lessons grade with, evaluated through [`backend::Backend`] only.
//! - [`cli`]: the docker command line: clap definitions (`cli::args`), one module per
//!   verb, and Docker's formats (`cli::format`: tables, sizes, durations, Go templates).
//!   It sees engines only through [`backend::Backend`].
//! - [`backend`]: `trait Backend`, spoken in the Docker Engine API's own models
//!   (bollard's stubs), with two implementations: [`backend::embedded`] (the engine
//!   below) and [`backend::docker`] (a real daemon).
//! - [`engine`]: the embedded engine. `digest` → `content` (an OCI image layout) →
//!   `image` (names, layers) and `hub` (the simulated registries) → `runtime`
//!   (containers and their programs), with `shell` (the POSIX shell the lab and
//!   containers run) and `reference` (Docker's image names); `registry` (an OCI
//!   distribution server over its own storage root, and the HTTP client push and pull
//!   use through `distribution`). It knows nothing above it;
//!   `tests/architecture.rs` holds it to that.

pub mod app;
pub mod backend;
pub mod check;
pub mod cli;
pub mod engine;
pub mod lesson;

/// jemalloc, for its per-thread counters: [`engine::budget`] charges each graded
/// submission for the memory its thread holds.
#[cfg(all(not(target_env = "msvc"), not(miri)))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
