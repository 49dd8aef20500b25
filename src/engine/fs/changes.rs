//! `docker diff` and the layer `docker commit` writes, with the rules of Docker's
//! `archive.ChangesDirs`: a path is changed when its stat differs (type and permission
//! bits, owner, device, and for non-directories size and mtime), every ancestor
//! directory of a change is changed too, an added directory lists all it holds, and a
//! deleted directory is one deletion.

use super::layer::{Layer, LayerEntry};
use super::node::{Node, NodeKind};
use super::path::{ancestors, join, parent};
use super::stack::{LayerStack, Tree, resolve_in};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// `C` (API Kind 0).
    Modified,
    /// `A` (API Kind 1).
    Added,
    /// `D` (API Kind 2).
    Deleted,
}

impl ChangeKind {
    /// The letter `docker diff` prints.
    pub fn letter(self) -> char {
        match self {
            ChangeKind::Modified => 'C',
            ChangeKind::Added => 'A',
            ChangeKind::Deleted => 'D',
        }
    }

    /// The Engine API's `Kind` number.
    pub fn api_kind(self) -> u8 {
        self as u8
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    pub path: String,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind.letter(), self.path)
    }
}

/// Files Docker bind-mounts from the init layer: `docker diff` never lists them.
pub(super) const INIT_LAYER_FILES: [&str; 3] = ["/etc/hosts", "/etc/hostname", "/etc/resolv.conf"];

/// Docker's `statDifferent`, plus the `security.capability` comparison next to it.
fn stat_differs(old: &Node, new: &Node) -> bool {
    let meta = old.type_bits() != new.type_bits()
        || old.mode != new.mode
        || old.uid != new.uid
        || old.gid != new.gid
        || old.rdev() != new.rdev();
    let file = !old.is_dir() && (!old.mtime.same_fs_time(new.mtime) || old.size() != new.size());
    let capability = old.xattrs.get("security.capability") != new.xattrs.get("security.capability");
    meta || file || capability
}

/// `docker diff` of a container: its writable layer `upper` against its image `lower`.
/// Walks only what `upper` touches, so its cost follows the size of the change.
pub fn changes(lower: &LayerStack, upper: &Layer) -> Vec<Change> {
    let merged = || std::iter::once(upper).chain(lower.top_down());
    let mut found: BTreeMap<String, ChangeKind> = BTreeMap::new();
    // What the upper's entries above a directory say, kept while its entries go by:
    // (directory, hidden by a whiteout or a file, below an opaque directory).
    let mut above: Option<(&str, bool, bool)> = None;
    for (path, entry) in upper.entries() {
        if path == "/" || INIT_LAYER_FILES.contains(&path.as_str()) {
            continue;
        }
        let dir = parent(path);
        let (hidden, below_opaque) = match above {
            Some((d, hidden, opaque)) if d == dir => (hidden, opaque),
            _ => {
                let (mut hidden, mut opaque) = (false, false);
                for ancestor in ancestors(path) {
                    match upper.get(ancestor) {
                        Some(LayerEntry::Opaque(_)) => opaque = true,
                        Some(LayerEntry::Put(node)) if node.is_dir() => {}
                        Some(_) => hidden = true,
                        None => {}
                    }
                }
                above = Some((dir, hidden, opaque));
                (hidden, opaque)
            }
        };
        // An entry below a whiteout or a file of its own layer is not in the tree.
        if hidden {
            continue;
        }
        let old = lower.lookup_resolved(path);
        match entry {
            LayerEntry::Whiteout => {
                if old.is_some() {
                    found.insert(path.clone(), ChangeKind::Deleted);
                }
            }
            LayerEntry::Put(_) | LayerEntry::Opaque(_) => {
                let new = match entry.node() {
                    Some(node) if !matches!(node.kind, NodeKind::Hardlink(_)) => node,
                    _ => match resolve_in(merged(), path) {
                        Some(node) => node,
                        None => continue,
                    },
                };
                match old {
                    None => {
                        found.insert(path.clone(), ChangeKind::Added);
                    }
                    Some(old) if stat_differs(old, new) => {
                        found.insert(path.clone(), ChangeKind::Modified);
                    }
                    Some(_) => {}
                }
                // Below an opaque directory the lower children are gone: each one the
                // upper does not bring back is a deletion.
                let cut_off = matches!(entry, LayerEntry::Opaque(_)) || below_opaque;
                if let (true, Some(old)) = (cut_off && new.is_dir(), old)
                    && old.is_dir()
                {
                    for name in lower.read_dir(path).keys() {
                        let child = join(path, name);
                        if upper.get(&child).and_then(LayerEntry::node).is_none()
                            && !INIT_LAYER_FILES.contains(&child.as_str())
                        {
                            found.insert(child, ChangeKind::Deleted);
                        }
                    }
                }
            }
        }
    }
    finish(found)
}

/// Adds the changed ancestors and sorts by path, as Docker reports them.
fn finish(mut found: BTreeMap<String, ChangeKind>) -> Vec<Change> {
    let mut parents = Vec::new();
    let mut last_dir = "";
    for path in found.keys() {
        // Siblings share their ancestors: the first one has dealt with them.
        if parent(path) == last_dir {
            continue;
        }
        last_dir = parent(path);
        for ancestor in ancestors(path) {
            if found.contains_key(ancestor) {
                break;
            }
            parents.push(ancestor.to_string());
        }
    }
    for path in parents {
        found.entry(path).or_insert(ChangeKind::Modified);
    }
    found
        .into_iter()
        .map(|(path, kind)| Change { kind, path })
        .collect()
}

/// The changes from `lower` to `upper` as a layer: what `docker commit` and a RUN step
/// store. A node is kept when anything about it differs (contents included), and the
/// directories above it come along as Docker's export includes them.
pub fn diff(lower: &Tree, upper: &Tree) -> Layer {
    let mut found: BTreeMap<String, ChangeKind> = BTreeMap::new();
    for (path, new) in upper {
        if path == "/" {
            continue;
        }
        match lower.get(path) {
            None => {
                found.insert(path.clone(), ChangeKind::Added);
            }
            Some(old) if old != new => {
                found.insert(path.clone(), ChangeKind::Modified);
            }
            Some(_) => {}
        }
    }
    for path in lower.keys() {
        if path == "/" || upper.contains_key(path) {
            continue;
        }
        // Only the topmost deletion: below a deleted or replaced directory the
        // whiteout of the directory says it all.
        let dir = parent(path);
        if dir == "/" || upper.get(dir).is_some_and(Node::is_dir) {
            found.insert(path.clone(), ChangeKind::Deleted);
        }
    }
    let mut layer = Layer::new();
    for change in finish(found) {
        match change.kind {
            ChangeKind::Deleted => layer.whiteout(&change.path),
            _ => {
                let node = upper[&change.path].clone();
                layer.put(&change.path, node);
            }
        }
    }
    layer
}
