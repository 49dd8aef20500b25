//! An active snapshot: a writable upper layer over a committed parent stack, as
//! overlayfs gives a container. Implements the shell's `Vfs`, so the shell and the
//! simulated programs run inside it; `commit` hands the upper over as a layer.

use super::changes::{Change, INIT_LAYER_FILES, changes};
use super::layer::{Layer, LayerEntry};
use super::node::{Content, Node, NodeKind, Timestamp};
use super::path::{ancestors, is_within, join, parent};
use super::stack::{LayerStack, Tree, apply, lookup_in, read_dir_in, resolve_in};
use crate::engine::shell::vfs::{DirEntry, FileType, Metadata, Vfs};
use std::collections::BTreeMap;
use std::io::{self, ErrorKind};
use std::sync::Arc;

const MAX_SYMLINK_HOPS: usize = 40;

fn error(kind: ErrorKind) -> io::Error {
    io::Error::from(kind)
}

#[derive(Clone, Debug)]
pub struct Snapshot {
    parent: Arc<LayerStack>,
    upper: Layer,
    now: Timestamp,
    read_only: bool,
    /// Mount points mounted read-only (`-v NAME:/data:ro`): writing under them fails
    /// with EROFS while the rest stays writable.
    read_only_under: Vec<String>,
    /// Whether the upper holds hard links, whose shared file must move when its path goes.
    has_links: bool,
    /// The uid and gid that files, directories and links created here get: the user the
    /// container's process runs as (`docker run -u`).
    owner: (u32, u32),
}

impl Snapshot {
    /// A writable snapshot over `parent`.
    pub fn prepare(parent: Arc<LayerStack>) -> Snapshot {
        Snapshot {
            parent,
            upper: Layer::new(),
            now: Timestamp::default(),
            read_only: false,
            read_only_under: Vec::new(),
            has_links: false,
            owner: (0, 0),
        }
    }

    /// A read-only view of `parent`: every change fails with `Read-only file system`.
    pub fn view(parent: Arc<LayerStack>) -> Snapshot {
        Snapshot {
            read_only: true,
            read_only_under: Vec::new(),
            ..Snapshot::prepare(parent)
        }
    }

    /// The clock for the times the snapshot writes (seconds since the epoch).
    pub fn set_time(&mut self, secs: i64) {
        self.now = Timestamp::from_secs(secs);
    }

    /// The user that what is created from now on belongs to.
    pub fn set_owner(&mut self, uid: u32, gid: u32) {
        self.owner = (uid, gid);
    }

    /// `node`, owned by the snapshot's user.
    fn owned(&self, mut node: Node) -> Node {
        (node.uid, node.gid) = self.owner;
        node
    }

    pub fn parent(&self) -> &Arc<LayerStack> {
        &self.parent
    }

    pub fn upper(&self) -> &Layer {
        &self.upper
    }

    /// An active snapshot whose upper layer was kept from before: a stopped container
    /// started again.
    pub fn resume(parent: Arc<LayerStack>, upper: Layer) -> Snapshot {
        Snapshot {
            upper,
            ..Snapshot::prepare(parent)
        }
    }

    /// The upper layer, immutable from now on. `/etc/hosts`, `/etc/hostname` and
    /// `/etc/resolv.conf` are left out: Docker bind-mounts them into containers (RUN
    /// steps included), so what is written there never reaches a layer.
    pub fn commit(mut self) -> Layer {
        for path in INIT_LAYER_FILES {
            self.upper.remove(path);
        }
        self.upper
    }

    /// `docker diff` of this snapshot.
    pub fn changes(&self) -> Vec<Change> {
        changes(&self.parent, &self.upper)
    }

    /// The whole merged filesystem.
    pub fn flatten(&self) -> Tree {
        let mut tree = self.parent.flatten();
        apply(&mut tree, &self.upper);
        tree
    }

    fn layers(&self) -> impl Iterator<Item = &Layer> + Clone {
        std::iter::once(&self.upper).chain(self.parent.top_down())
    }

    /// The node at a key (no symlink followed; a hard link as itself).
    pub fn lookup(&self, path: &str) -> Option<&Node> {
        lookup_in(self.layers(), path)
    }

    fn resolved(&self, path: &str) -> Option<&Node> {
        resolve_in(self.layers(), path)
    }

    /// Puts `node` at `path` (its parent must be a directory), replacing what was
    /// there; a directory over a directory merges with it, as `docker cp` and COPY do.
    pub fn put_node(&mut self, path: &str, node: Node) -> io::Result<()> {
        self.writable()?;
        let path = self.resolve(path, false)?;
        self.parent_dir(&path)?;
        match self.lookup(&path) {
            Some(old) if old.is_dir() && node.is_dir() => self.set(&path, node),
            Some(_) => {
                self.delete(&path);
                self.place(&path, node);
            }
            None => {
                self.place(&path, node);
                self.touch_parent(&path);
            }
        }
        Ok(())
    }

    /// `docker cp CONTAINER:path -`: `path` (a final symlink not followed) and all below
    /// it as a tar whose names start with the path's last component, written as layers
    /// are. Hard links come out as copies.
    pub fn archive(&self, path: &str) -> io::Result<Vec<u8>> {
        let path = self.resolve(path, false)?;
        if self.lookup(&path).is_none() && path != "/" {
            return Err(error(ErrorKind::NotFound));
        }
        let name = match path.rsplit('/').next() {
            Some("") | None => ".",
            Some(name) => name,
        };
        let mut tar = Layer::new();
        for (from, node) in self.subtree(&path) {
            let rest = if path == "/" {
                &from[..]
            } else {
                &from[path.len()..]
            };
            let key = if name == "." {
                rest.to_string()
            } else {
                format!("/{name}{rest}")
            };
            tar.insert(
                if key.is_empty() { "/".into() } else { key },
                LayerEntry::Put(node),
            );
        }
        Ok(tar.to_tar())
    }

    /// `docker cp - CONTAINER:dir`: unpacks a tar into the directory `dir`, creating
    /// missing parents (0755) as Docker's untar does and merging directories. A
    /// non-directory never replaces a directory.
    pub fn extract(&mut self, dir: &str, tar: Arc<[u8]>) -> io::Result<()> {
        self.writable()?;
        let dir = self.resolve(dir, true)?;
        if !self.lookup(&dir).is_some_and(Node::is_dir) && dir != "/" {
            return Err(error(ErrorKind::NotFound));
        }
        let layer = Layer::from_tar(tar)
            .map_err(|e| io::Error::new(ErrorKind::InvalidData, e.to_string()))?;
        let rebase = |p: &str| {
            if dir == "/" {
                p.to_string()
            } else {
                format!("{dir}{p}")
            }
        };
        for (path, entry) in layer.entries() {
            let Some(node) = entry.node() else { continue };
            if path == "/" {
                continue;
            }
            let dest = rebase(path);
            for ancestor in ancestors(&dest).collect::<Vec<_>>().into_iter().rev() {
                if self.lookup(ancestor).is_none() {
                    self.put_node(ancestor, Node::dir(0o755, self.now))?;
                }
            }
            if self.lookup(&dest).is_some_and(Node::is_dir) && !node.is_dir() {
                return Err(io::Error::new(
                    ErrorKind::IsADirectory,
                    format!("cannot overwrite directory \"{dest}\" with non-directory"),
                ));
            }
            match &node.kind {
                NodeKind::Hardlink(target) => {
                    if self.lookup(&dest).is_some() {
                        self.delete(&dest);
                    }
                    self.hard_link(&rebase(target), &dest)?;
                }
                _ => self.put_node(&dest, node.clone())?,
            }
        }
        Ok(())
    }

    /// Makes everything under `dir` read-only, as a `:ro` mount is.
    pub fn mount_read_only(&mut self, dir: &str) {
        let dir = dir.trim_end_matches('/').to_string();
        if !self.read_only_under.contains(&dir) {
            self.read_only_under.push(dir);
        }
    }

    /// Whether `path` (resolved) may be changed: not under a read-only mount.
    fn writable_at(&self, path: &str) -> io::Result<()> {
        self.writable()?;
        let under = |d: &String| {
            path == d
                || path
                    .strip_prefix(d.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        };
        if self.read_only_under.iter().any(under) {
            return Err(io::Error::new(
                ErrorKind::ReadOnlyFilesystem,
                "Read-only file system",
            ));
        }
        Ok(())
    }

    fn writable(&self) -> io::Result<()> {
        if self.read_only {
            Err(io::Error::new(
                ErrorKind::ReadOnlyFilesystem,
                "Read-only file system",
            ))
        } else {
            Ok(())
        }
    }

    /// Follows symlinks component by component (the last one only when `follow_last`)
    /// and returns the key the path names. Missing last components are fine.
    fn resolve(&self, path: &str, follow_last: bool) -> io::Result<String> {
        let mut stack: Vec<String> = Vec::new();
        let mut pending: Vec<String> = path.split('/').rev().map(str::to_string).collect();
        let mut hops = 0;
        while let Some(comp) = pending.pop() {
            match comp.as_str() {
                "" | "." => continue,
                ".." => {
                    stack.pop();
                    continue;
                }
                _ => {}
            }
            stack.push(comp);
            let is_last = pending.iter().all(|c| c.is_empty() || c == ".");
            let key = format!("/{}", stack.join("/"));
            match self.lookup(&key).map(|n| &n.kind) {
                None if is_last => break,
                None => return Err(error(ErrorKind::NotFound)),
                Some(NodeKind::Symlink(target)) if !is_last || follow_last => {
                    hops += 1;
                    if hops > MAX_SYMLINK_HOPS {
                        return Err(io::Error::other("Symbolic link loop"));
                    }
                    stack.pop();
                    if target.starts_with('/') {
                        stack.clear();
                    }
                    pending.extend(target.split('/').rev().map(str::to_string));
                }
                Some(NodeKind::Dir) => {}
                Some(_) if !is_last => return Err(error(ErrorKind::NotADirectory)),
                Some(_) => {}
            }
        }
        Ok(format!("/{}", stack.join("/")))
    }

    fn parent_dir(&self, path: &str) -> io::Result<()> {
        if path == "/" {
            return Err(io::Error::new(ErrorKind::ResourceBusy, "Resource busy"));
        }
        let dir = parent(path);
        if dir == "/" {
            return Ok(());
        }
        match self.lookup(dir) {
            None => Err(error(ErrorKind::NotFound)),
            Some(n) if !n.is_dir() => Err(error(ErrorKind::NotADirectory)),
            Some(_) => Ok(()),
        }
    }

    /// Whether the parent stack shows `path` through the upper layer's directories.
    fn lower_visible(&self, path: &str) -> bool {
        let hidden = ancestors(path).any(|a| match self.upper.get(a) {
            None => false,
            Some(LayerEntry::Put(node)) => !node.is_dir(),
            Some(_) => true,
        });
        !hidden && self.parent.lookup(path).is_some()
    }

    /// Copies the directories above `path` up, as overlayfs does before touching it.
    fn copy_up_parents(&mut self, path: &str) {
        let missing: Vec<(String, Node)> = ancestors(path)
            .filter(|a| self.upper.get(a).is_none())
            .filter_map(|a| self.lookup(a).map(|n| (a.to_string(), n.clone())))
            .collect();
        for (dir, node) in missing {
            self.upper.insert(dir, LayerEntry::Put(node));
        }
    }

    /// Writes `node` at an existing path, keeping an opaque directory opaque.
    fn set(&mut self, path: &str, node: Node) {
        self.copy_up_parents(path);
        let entry = match self.upper.get(path) {
            Some(LayerEntry::Opaque(_)) if node.is_dir() => LayerEntry::Opaque(node),
            _ => LayerEntry::Put(node),
        };
        self.upper.insert(path.to_string(), entry);
    }

    /// Writes `node` at a path that holds nothing now. A directory over a whiteout
    /// becomes opaque, so what the lower layers had there stays hidden.
    fn place(&mut self, path: &str, node: Node) {
        self.copy_up_parents(path);
        let entry = match self.upper.get(path) {
            Some(LayerEntry::Whiteout) if node.is_dir() => LayerEntry::Opaque(node),
            _ => LayerEntry::Put(node),
        };
        self.upper.insert(path.to_string(), entry);
    }

    /// Removes `path` and all below it.
    fn delete(&mut self, path: &str) {
        if self.has_links {
            self.rehome_links(path);
        }
        self.upper.remove_below(path);
        if self.lower_visible(path) {
            self.copy_up_parents(path);
            self.upper.insert(path.to_string(), LayerEntry::Whiteout);
        } else {
            self.upper.remove(path);
        }
    }

    /// A directory's mtime changes when entries are added or removed.
    fn touch_parent(&mut self, path: &str) {
        let dir = parent(path);
        if dir == "/" {
            return;
        }
        if let Some(node) = self.lookup(dir).filter(|n| n.is_dir()) {
            let mut node = node.clone();
            node.mtime = self.now;
            self.set(dir, node);
        }
    }

    /// The node at a resolved key, hard links followed; `/` exists even when no layer
    /// records it.
    fn existing(&self, path: &str) -> io::Result<Node> {
        match self.resolved(path) {
            Some(node) => Ok(node.clone()),
            None if path == "/" => Ok(Node::dir(0o755, Timestamp::default())),
            None => Err(error(ErrorKind::NotFound)),
        }
    }

    /// `link(2)`: `path` becomes another name of the file at `target` (a final symlink
    /// is linked itself, not followed). The shared file lives in the upper layer under
    /// one of its paths; the other names are hard links to that path, as in a layer tar.
    pub fn hard_link(&mut self, target: &str, path: &str) -> io::Result<()> {
        self.writable()?;
        let target = self.resolve(target, false)?;
        let path = self.resolve(path, false)?;
        self.writable_at(&path)?;
        let Some(node) = self.resolved(&target) else {
            return Err(error(ErrorKind::NotFound));
        };
        if node.is_dir() {
            return Err(io::Error::new(
                ErrorKind::PermissionDenied,
                "Operation not permitted",
            ));
        }
        if path == "/" || self.lookup(&path).is_some() {
            return Err(error(ErrorKind::AlreadyExists));
        }
        self.parent_dir(&path)?;
        let node = node.clone();
        if !matches!(node.kind, NodeKind::File(_)) {
            // Links to symlinks and devices: a second, equal node.
            self.place(&path, node);
        } else {
            let holder = self.inode_path(&target);
            if holder == target {
                self.set(&target, node.clone());
            }
            self.has_links = true;
            self.place(
                &path,
                Node {
                    kind: NodeKind::Hardlink(holder),
                    ..node
                },
            );
        }
        self.touch_parent(&path);
        Ok(())
    }

    /// The path holding the file a hard link of the upper layer shares (else `path`).
    fn inode_path(&self, path: &str) -> String {
        if let Some(LayerEntry::Put(Node {
            kind: NodeKind::Hardlink(holder),
            ..
        })) = self.upper.get(path)
            && matches!(self.upper.get(holder), Some(LayerEntry::Put(n)) if matches!(n.kind, NodeKind::File(_)))
        {
            return holder.clone();
        }
        path.to_string()
    }

    /// Upper hard links whose file is at or below `path`, by file path.
    fn links_into(&self, path: &str) -> BTreeMap<String, Vec<String>> {
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (link, entry) in self.upper.entries() {
            if let Some(NodeKind::Hardlink(holder)) = entry.node().map(|n| &n.kind)
                && is_within(holder, path)
            {
                groups.entry(holder.clone()).or_default().push(link.clone());
            }
        }
        groups
    }

    /// Before `path` goes, each file below it that outside names still share moves to
    /// the first of those names, and the others link there.
    fn rehome_links(&mut self, path: &str) {
        for (holder, links) in self.links_into(path) {
            let outside: Vec<String> = links.into_iter().filter(|l| !is_within(l, path)).collect();
            let Some(first) = outside.first().cloned() else {
                continue;
            };
            let Some(LayerEntry::Put(file)) = self.upper.get(&holder).cloned() else {
                continue;
            };
            self.upper
                .insert(first.clone(), LayerEntry::Put(file.clone()));
            for link in &outside[1..] {
                let node = Node {
                    kind: NodeKind::Hardlink(first.clone()),
                    ..file.clone()
                };
                self.upper.insert(link.clone(), LayerEntry::Put(node));
            }
        }
    }

    /// A rename keeps hard links shared: links to moved files follow them, and moved
    /// links stay links.
    fn move_links(&mut self, from: &str, to: &str, moved: &mut [(String, Node)]) {
        let renamed = |p: &str| {
            if is_within(p, from) {
                format!("{to}{}", &p[from.len()..])
            } else {
                p.to_string()
            }
        };
        for (path, node) in moved.iter_mut() {
            if let Some(LayerEntry::Put(Node {
                kind: NodeKind::Hardlink(holder),
                ..
            })) = self.upper.get(path)
            {
                node.kind = NodeKind::Hardlink(renamed(holder));
            }
        }
        for (holder, links) in self.links_into(from) {
            for link in links.into_iter().filter(|l| !is_within(l, from)) {
                if let Some(LayerEntry::Put(node)) = self.upper.get(&link).cloned() {
                    let node = Node {
                        kind: NodeKind::Hardlink(renamed(&holder)),
                        ..node
                    };
                    self.upper.insert(link, LayerEntry::Put(node));
                }
            }
        }
    }

    /// `path` and, for a directory, everything below it, hard links made files.
    /// Every path at and under `path` with its node, each directory before what it holds.
    pub fn subtree_of(&self, path: &str) -> Vec<(String, Node)> {
        self.subtree(path)
    }

    fn subtree(&self, path: &str) -> Vec<(String, Node)> {
        let mut out = Vec::new();
        let mut todo = vec![path.to_string()];
        while let Some(current) = todo.pop() {
            let Some(node) = self.resolved(&current) else {
                continue;
            };
            if node.is_dir() {
                for name in read_dir_in(self.layers(), &current).keys() {
                    todo.push(join(&current, name));
                }
            }
            out.push((current, node.clone()));
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

fn metadata_of(path: &str, node: &Node) -> Metadata {
    let file_type = match node.kind {
        NodeKind::Dir => FileType::Dir,
        NodeKind::Symlink(_) => FileType::Symlink,
        _ => FileType::File,
    };
    // A stable inode number per path: hard links resolve to their target's path, so they
    // share it, as `du` and `ls -i` expect.
    let ino = path.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    Metadata {
        file_type,
        len: node.size(),
        mode: node.mode & 0o7777,
        mtime: node.mtime.secs,
        uid: node.uid,
        gid: node.gid,
        nlink: if node.is_dir() { 2 } else { 1 },
        ino,
    }
}

impl Vfs for Snapshot {
    fn owner(&self) -> (u32, u32) {
        self.owner
    }

    fn metadata(&self, path: &str) -> io::Result<Metadata> {
        let path = self.resolve(path, true)?;
        Ok(metadata_of(&path, &self.existing(&path)?))
    }

    fn symlink_metadata(&self, path: &str) -> io::Result<Metadata> {
        let path = self.resolve(path, false)?;
        Ok(metadata_of(&path, &self.existing(&path)?))
    }

    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        let path = self.resolve(path, true)?;
        match self.resolved(&path).map(|n| &n.kind) {
            Some(NodeKind::File(content)) => Ok(content.as_bytes().to_vec()),
            Some(NodeKind::Dir) => Err(error(ErrorKind::IsADirectory)),
            Some(_) => Ok(Vec::new()),
            None if path == "/" => Err(error(ErrorKind::IsADirectory)),
            None => Err(error(ErrorKind::NotFound)),
        }
    }

    fn write(&mut self, path: &str, data: &[u8], append: bool) -> io::Result<()> {
        self.writable()?;
        let path = self.resolve(path, true)?;
        self.writable_at(&path)?;
        self.parent_dir(&path)?;
        let path = self.inode_path(&path);
        match self.resolved(&path) {
            Some(node) if node.is_dir() => Err(error(ErrorKind::IsADirectory)),
            // Devices and fifos swallow what is written (`> /dev/null`).
            Some(Node {
                kind: NodeKind::Special { .. },
                ..
            }) => Ok(()),
            Some(node) => {
                let mut node = node.clone();
                let body = match (&node.kind, append) {
                    (NodeKind::File(old), true) => [old.as_bytes(), data].concat(),
                    _ => data.to_vec(),
                };
                node.kind = NodeKind::File(Content::new(body));
                node.mtime = self.now;
                self.set(&path, node);
                Ok(())
            }
            None => {
                let node = self.owned(Node::file(data.to_vec(), 0o644, self.now));
                self.place(&path, node);
                self.touch_parent(&path);
                Ok(())
            }
        }
    }

    fn read_dir(&self, path: &str) -> io::Result<Vec<DirEntry>> {
        let path = self.resolve(path, true)?;
        match self.lookup(&path) {
            Some(node) if !node.is_dir() => return Err(error(ErrorKind::NotADirectory)),
            None if path != "/" => return Err(error(ErrorKind::NotFound)),
            _ => {}
        }
        Ok(read_dir_in(self.layers(), &path)
            .into_iter()
            .map(|(name, node)| DirEntry {
                name,
                file_type: metadata_of("/", node).file_type,
            })
            .collect())
    }

    fn create_dir(&mut self, path: &str) -> io::Result<()> {
        self.writable()?;
        let path = self.resolve(path, false)?;
        if path != "/" && self.lookup(&path).is_none() {
            self.writable_at(&path)?;
        }
        if path == "/" || self.lookup(&path).is_some() {
            return Err(error(ErrorKind::AlreadyExists));
        }
        self.parent_dir(&path)?;
        let node = self.owned(Node::dir(0o755, self.now));
        self.place(&path, node);
        self.touch_parent(&path);
        Ok(())
    }

    fn remove_file(&mut self, path: &str) -> io::Result<()> {
        self.writable()?;
        let path = self.resolve(path, false)?;
        if self.lookup(&path).is_some() {
            self.writable_at(&path)?;
        }
        match self.lookup(&path) {
            None => return Err(error(ErrorKind::NotFound)),
            Some(node) if node.is_dir() => return Err(error(ErrorKind::IsADirectory)),
            Some(_) => {}
        }
        self.delete(&path);
        self.touch_parent(&path);
        Ok(())
    }

    fn remove_dir(&mut self, path: &str) -> io::Result<()> {
        self.writable()?;
        let path = self.resolve(path, false)?;
        if self.lookup(&path).is_some() {
            self.writable_at(&path)?;
        }
        if path == "/" {
            return Err(io::Error::new(ErrorKind::ResourceBusy, "Resource busy"));
        }
        match self.lookup(&path) {
            None => return Err(error(ErrorKind::NotFound)),
            Some(node) if !node.is_dir() => return Err(error(ErrorKind::NotADirectory)),
            Some(_) => {}
        }
        if !read_dir_in(self.layers(), &path).is_empty() {
            return Err(error(ErrorKind::DirectoryNotEmpty));
        }
        self.delete(&path);
        self.touch_parent(&path);
        Ok(())
    }

    fn rename(&mut self, from: &str, to: &str) -> io::Result<()> {
        self.writable()?;
        let from = self.resolve(from, false)?;
        let to = self.resolve(to, false)?;
        self.writable_at(&from)?;
        self.writable_at(&to)?;
        let Some(source) = self.lookup(&from) else {
            return Err(error(ErrorKind::NotFound));
        };
        if from == to {
            return Ok(());
        }
        let source_is_dir = source.is_dir();
        if from == "/" || to == "/" || (source_is_dir && is_within(&to, &from)) {
            return Err(error(ErrorKind::InvalidInput));
        }
        self.parent_dir(&to)?;
        match self.lookup(&to) {
            Some(target) if source_is_dir && !target.is_dir() => {
                return Err(error(ErrorKind::NotADirectory));
            }
            Some(target) if !source_is_dir && target.is_dir() => {
                return Err(error(ErrorKind::IsADirectory));
            }
            Some(_) if source_is_dir && !read_dir_in(self.layers(), &to).is_empty() => {
                return Err(error(ErrorKind::DirectoryNotEmpty));
            }
            Some(_) => self.delete(&to),
            None => {}
        }
        // A renamed directory is copied up whole (overlayfs without redirect_dir).
        let mut moved = self.subtree(&from);
        if self.has_links {
            self.move_links(&from, &to, &mut moved);
        }
        self.delete(&from);
        self.touch_parent(&from);
        for (old_path, node) in moved {
            let new_path = format!("{to}{}", &old_path[from.len()..]);
            self.place(&new_path, node);
        }
        self.touch_parent(&to);
        Ok(())
    }

    fn set_mode(&mut self, path: &str, mode: u32) -> io::Result<()> {
        self.writable()?;
        let path = self.inode_path(&self.resolve(path, true)?);
        self.writable_at(&path)?;
        let mut node = self.existing(&path)?;
        node.mode = mode & 0o7777;
        self.set(&path, node);
        Ok(())
    }

    fn set_mtime(&mut self, path: &str, mtime: i64) -> io::Result<()> {
        self.writable()?;
        let path = self.inode_path(&self.resolve(path, true)?);
        self.writable_at(&path)?;
        let mut node = self.existing(&path)?;
        node.mtime = Timestamp::from_secs(mtime);
        self.set(&path, node);
        Ok(())
    }

    fn symlink(&mut self, target: &str, path: &str) -> io::Result<()> {
        self.writable()?;
        let path = self.resolve(path, false)?;
        if path != "/" && self.lookup(&path).is_none() {
            self.writable_at(&path)?;
        }
        if path == "/" || self.lookup(&path).is_some() {
            return Err(error(ErrorKind::AlreadyExists));
        }
        self.parent_dir(&path)?;
        let node = self.owned(Node::symlink(target, self.now));
        self.place(&path, node);
        self.touch_parent(&path);
        Ok(())
    }

    fn read_link(&self, path: &str) -> io::Result<String> {
        let path = self.resolve(path, false)?;
        match self.lookup(&path).map(|n| &n.kind) {
            Some(NodeKind::Symlink(target)) => Ok(target.clone()),
            Some(_) => Err(error(ErrorKind::InvalidInput)),
            None => Err(error(ErrorKind::NotFound)),
        }
    }
}
