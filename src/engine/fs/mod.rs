//! Layers, snapshots and diffs, in containerd's vocabulary: a [`Layer`] is a set of
//! changes (put a node, whiteout, opaque directory) read from or written to a Docker
//! layer tar; a [`LayerStack`] is an image's layers, base first, looked up top-down
//! without flattening; a [`Snapshot`] is an active writable upper layer over a stack (a
//! container's filesystem, a RUN step) that the shell runs over through `Vfs`;
//! [`changes`] is `docker diff`, [`diff`] the layer `docker commit` writes.
//!
//! Owns the in-memory model of files and the tar format of layers. It must not touch
//! anything outside `crate::engine`, and stores nothing itself: the content store keeps
//! the layer blobs, images and containers decide which layers make a filesystem.
//!
//! Paths are keys of the form `/a/b` (normalised, absolute, no trailing slash, `/` for
//! the root). File bodies are ranges into the shared bytes of the layer blob they came
//! from, so parsing a layer and cloning nodes never copies file contents.

mod changes;
mod layer;
mod node;
mod path;
mod snapshot;
mod stack;

#[cfg(test)]
mod tests;

pub use changes::{Change, ChangeKind, changes, diff};
pub use layer::{Layer, LayerEntry, LayerError, uncompressed};
pub use node::{Content, Node, NodeKind, SpecialKind, Timestamp};
pub use path::normalise;
pub use snapshot::Snapshot;
pub use stack::{LayerStack, Tree, apply};
