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
//!
//! # Layout
//! - `node`: [`Node`], [`Content`], [`Timestamp`] (Go's `sameFsTime` lives here).
//! - `layer`: [`Layer`] and its tar: `from_tar` (never panics; bodies stay in the blob),
//!   `to_tar` (Docker's bytes: sorted paths, ustar with file-type bits in the mode, PAX
//!   only when needed, whiteouts as mode-0 files), [`uncompressed`] for gzip blobs.
//! - `stack`: [`LayerStack`] lookups walking layers top-down, [`apply`], flattening.
//! - `snapshot`: [`Snapshot`], overlayfs semantics: copy-up with parents, whiteouts,
//!   opaque directories for re-created ones, directory renames copied up whole, hard
//!   links sharing one file, parent mtimes from the caller's clock; `archive` and
//!   `extract` for `docker cp`.
//! - `changes`: [`changes`] (`docker diff`, walking only the upper layer) and [`diff`].
//!
//! # Fidelity
//! `docker diff` follows `archive.ChangesDirs`, the rule of the daemon this was checked
//! against (tests quote its output, daemon 20.10 on fuse-overlayfs). Docker's overlay2
//! fast path (`OverlayChanges`) walks the upper directory instead and can differ in
//! corners such as re-created directories; not verified here. [`Snapshot::commit`] gives the upper as overlay2 stores it
//! (copied-up parents, opaque directories), which is what `docker commit` writes there.

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
