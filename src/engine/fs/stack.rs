//! An image's layers, base first, read as one filesystem the way overlayfs merges them.

use super::layer::{Layer, LayerEntry};
use super::node::{Node, NodeKind};
use super::path::{ancestors, child_prefix};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A whole filesystem, every path with its node.
pub type Tree = BTreeMap<String, Node>;

/// What one layer says about a path, given the layers above said nothing.
pub(super) enum Step<'a> {
    Found(&'a LayerEntry),
    /// Deleted or replaced here: lower layers do not show.
    Hidden,
    /// Look further down.
    Below,
}

/// Looks `path` up in one layer: its own entry, else whether an ancestor entry (a
/// whiteout, an opaque directory, a non-directory) hides everything below it.
pub(super) fn step<'a>(layer: &'a Layer, path: &str) -> Step<'a> {
    if let Some(entry) = layer.get(path) {
        return Step::Found(entry);
    }
    if layer.is_empty() {
        return Step::Below;
    }
    for ancestor in ancestors(path) {
        match layer.get(ancestor) {
            None => {}
            Some(LayerEntry::Put(node)) if node.is_dir() => {}
            Some(_) => return Step::Hidden,
        }
    }
    Step::Below
}

/// `path` in layers given top first.
pub(super) fn lookup_in<'a>(
    layers: impl Iterator<Item = &'a Layer>,
    path: &str,
) -> Option<&'a Node> {
    for layer in layers {
        match step(layer, path) {
            Step::Found(entry) => return entry.node(),
            Step::Hidden => return None,
            Step::Below => {}
        }
    }
    None
}

/// Hard links are resolved in the layer that holds them: overlayfs shares the inode.
pub(super) fn resolve_in<'a, I>(layers: I, path: &str) -> Option<&'a Node>
where
    I: Iterator<Item = &'a Layer> + Clone,
{
    let mut current = std::borrow::Cow::Borrowed(path);
    for _ in 0..8 {
        let mut from = None;
        for (index, layer) in layers.clone().enumerate() {
            match step(layer, &current) {
                Step::Found(entry) => {
                    from = entry.node().map(|n| (index, n));
                    break;
                }
                Step::Hidden => break,
                Step::Below => {}
            }
        }
        let (index, node) = from?;
        match &node.kind {
            NodeKind::Hardlink(target) => {
                if let Some(LayerEntry::Put(target_node)) =
                    layers.clone().nth(index).and_then(|l| l.get(target))
                    && !matches!(target_node.kind, NodeKind::Hardlink(_))
                {
                    return Some(target_node);
                }
                current = std::borrow::Cow::Owned(target.clone());
            }
            _ => return Some(node),
        }
    }
    None
}

/// The names directly below `dir` in layers given top first, with their nodes.
pub(super) fn read_dir_in<'a>(
    layers: impl Iterator<Item = &'a Layer>,
    dir: &str,
) -> BTreeMap<String, &'a Node> {
    let prefix = child_prefix(dir);
    let mut seen: BTreeMap<String, Option<&'a Node>> = BTreeMap::new();
    for layer in layers {
        let own = match step(layer, dir) {
            Step::Hidden => break,
            Step::Found(entry) => Some(entry),
            Step::Below => None,
        };
        if matches!(own, Some(LayerEntry::Whiteout)) {
            break;
        }
        if matches!(own, Some(LayerEntry::Put(node)) if !node.is_dir()) {
            break;
        }
        let mut range = layer.entries().range(prefix.clone()..);
        while let Some((key, entry)) = range.next() {
            if !key.starts_with(&prefix) {
                break;
            }
            let rest = &key[prefix.len()..];
            match rest.find('/') {
                None => {
                    seen.entry(rest.to_string()).or_insert(entry.node());
                }
                Some(_) => {
                    // A descendant: its child directory is listed on its own; skip the
                    // whole subtree.
                    let child = &rest[..rest.find('/').unwrap_or(rest.len())];
                    let skip_to = format!("{prefix}{child}0");
                    range = layer.entries().range(skip_to..);
                }
            }
        }
        // An opaque directory hides the layers below it, whether it is `dir` itself or
        // one of its ancestors (`dir` re-created inside a re-created directory).
        let opaque_above =
            ancestors(dir).any(|a| matches!(layer.get(a), Some(LayerEntry::Opaque(_))));
        if matches!(own, Some(LayerEntry::Opaque(_))) || opaque_above {
            break;
        }
    }
    seen.into_iter()
        .filter_map(|(name, node)| node.map(|n| (name, n)))
        .collect()
}

/// Applies `layer` to `tree` as Docker unpacks a layer over a root filesystem.
pub fn apply(tree: &mut Tree, layer: &Layer) {
    for (path, entry) in layer.entries() {
        match entry {
            LayerEntry::Whiteout => {
                tree.remove(path);
                remove_below(tree, path);
            }
            LayerEntry::Opaque(node) => {
                remove_below(tree, path);
                tree.insert(path.clone(), node.clone());
            }
            LayerEntry::Put(node) => {
                // A directory merges with what is there; anything else replaces it.
                if !node.is_dir() {
                    remove_below(tree, path);
                }
                tree.insert(path.clone(), node.clone());
            }
        }
    }
}

fn remove_below(tree: &mut Tree, path: &str) {
    let prefix = child_prefix(path);
    let keys: Vec<String> = tree
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .map(|(k, _)| k.clone())
        .collect();
    for key in keys {
        tree.remove(&key);
    }
}

/// Layers base first; lookups walk them top-down without flattening.
#[derive(Clone, Debug, Default)]
pub struct LayerStack {
    layers: Vec<Arc<Layer>>,
}

impl LayerStack {
    pub fn new(layers: Vec<Arc<Layer>>) -> LayerStack {
        LayerStack { layers }
    }

    pub fn layers(&self) -> &[Arc<Layer>] {
        &self.layers
    }

    pub fn push(&mut self, layer: Arc<Layer>) {
        self.layers.push(layer);
    }

    pub(super) fn top_down(&self) -> impl Iterator<Item = &Layer> + Clone {
        self.layers.iter().rev().map(|l| &**l)
    }

    /// The node at `path` as the merged filesystem shows it (a hard link as itself).
    pub fn lookup(&self, path: &str) -> Option<&Node> {
        lookup_in(self.top_down(), path)
    }

    /// Like [`LayerStack::lookup`], with a hard link replaced by the file it shares.
    pub fn lookup_resolved(&self, path: &str) -> Option<&Node> {
        resolve_in(self.top_down(), path)
    }

    /// The entries directly inside the directory `path`, by name.
    pub fn read_dir(&self, path: &str) -> BTreeMap<String, &Node> {
        if !self.lookup(path).is_some_and(Node::is_dir) && path != "/" {
            return BTreeMap::new();
        }
        read_dir_in(self.top_down(), path)
    }

    /// Every path of the merged filesystem.
    pub fn flatten(&self) -> Tree {
        let mut tree = Tree::new();
        for layer in &self.layers {
            apply(&mut tree, layer);
        }
        tree
    }
}
