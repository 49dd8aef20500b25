//! A layer's file tree and its tar serialisation.
//!
//! Owns the in-memory description of one layer (directories, files, symlinks, hard
//! links) and writes it as an uncompressed USTAR archive the way Go's archive/tar does
//! for Docker layers. Knows nothing of images or registries.

use crate::engine::digest::{Algorithm, Digest, Hasher};
use crate::engine::program;
use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc;

/// What a regular file holds. Large contents are described, not stored, so a tree is
/// cheap to build and the bytes are written straight into the archive.
#[derive(Clone, Debug)]
pub enum Content {
    Text(String),
    /// A simulated executable (see `program::executable`).
    Program {
        name: String,
        size: usize,
    },
    /// A shared library or other binary blob: ELF-looking, never runnable.
    Library {
        name: String,
        size: usize,
    },
    /// Opaque data (locale archives, docs, caches), seeded by the path.
    Data {
        size: usize,
    },
}

impl Content {
    pub fn len(&self) -> usize {
        match self {
            Content::Text(text) => text.len(),
            Content::Program { size, .. }
            | Content::Library { size, .. }
            | Content::Data { size } => *size,
        }
    }
}

#[derive(Clone, Debug)]
pub enum Node {
    Dir {
        mode: u32,
    },
    File {
        mode: u32,
        content: Content,
    },
    Symlink {
        target: String,
    },
    /// Same inode as the file at `target` (a path in this tree, without leading slash).
    HardLink {
        target: String,
    },
}

/// One layer's entries, keyed by path relative to `/` (no leading or trailing slash).
#[derive(Clone, Debug)]
pub struct Tree {
    entries: BTreeMap<String, Node>,
    /// Seconds since the epoch: every entry's mtime (the image's build time).
    mtime: u64,
}

impl Tree {
    pub fn new(mtime: u64) -> Tree {
        Tree {
            entries: BTreeMap::new(),
            mtime,
        }
    }

    fn insert(&mut self, path: &str, node: Node) {
        let path = path.trim_matches('/');
        assert!(!path.is_empty(), "a layer entry needs a path");
        let mut parent = path;
        while let Some((up, _)) = parent.rsplit_once('/') {
            self.entries
                .entry(up.to_string())
                .or_insert(Node::Dir { mode: 0o755 });
            parent = up;
        }
        self.entries.insert(path.to_string(), node);
    }

    pub fn dir(&mut self, path: &str, mode: u32) -> &mut Self {
        self.insert(path, Node::Dir { mode });
        self
    }

    pub fn dirs(&mut self, paths: &[&str]) -> &mut Self {
        for path in paths {
            self.dir(path, 0o755);
        }
        self
    }

    pub fn text(&mut self, path: &str, mode: u32, text: impl Into<String>) -> &mut Self {
        let content = Content::Text(text.into());
        self.insert(path, Node::File { mode, content });
        self
    }

    pub fn program(&mut self, path: &str, name: &str, size: usize) -> &mut Self {
        let content = Content::Program {
            name: name.to_string(),
            size,
        };
        self.insert(
            path,
            Node::File {
                mode: 0o755,
                content,
            },
        );
        self
    }

    pub fn library(&mut self, path: &str, size: usize) -> &mut Self {
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        let content = Content::Library { name, size };
        self.insert(
            path,
            Node::File {
                mode: 0o644,
                content,
            },
        );
        self
    }

    pub fn data(&mut self, path: &str, mode: u32, size: usize) -> &mut Self {
        self.insert(
            path,
            Node::File {
                mode,
                content: Content::Data { size },
            },
        );
        self
    }

    pub fn symlink(&mut self, path: &str, target: &str) -> &mut Self {
        self.insert(
            path,
            Node::Symlink {
                target: target.to_string(),
            },
        );
        self
    }

    pub fn hard_link(&mut self, path: &str, target: &str) -> &mut Self {
        self.insert(
            path,
            Node::HardLink {
                target: target.trim_matches('/').to_string(),
            },
        );
        self
    }

    /// Sum of regular file sizes (each inode once) plus symlink target lengths.
    pub fn unpacked_size(&self) -> u64 {
        self.entries
            .values()
            .map(|node| match node {
                Node::File { content, .. } => content.len() as u64,
                Node::Symlink { target } => target.len() as u64,
                Node::Dir { .. } | Node::HardLink { .. } => 0,
            })
            .sum()
    }

    /// Spreads `target - unpacked_size()` bytes over `paths` by their weights, as
    /// libraries (paths containing `.so`) or opaque data, so the layer reaches `target`.
    pub fn fill_to(&mut self, target: u64, paths: &[(&str, u32)]) -> &mut Self {
        let missing = target.saturating_sub(self.unpacked_size());
        let total_weight: u64 = paths.iter().map(|(_, w)| u64::from(*w)).sum();
        if missing == 0 || total_weight == 0 {
            return self;
        }
        let mut left = missing;
        for (i, (path, weight)) in paths.iter().enumerate() {
            let share = if i + 1 == paths.len() {
                left
            } else {
                missing * u64::from(*weight) / total_weight
            };
            left -= share;
            let size = share as usize;
            if path.contains(".so") {
                self.library(path, size);
            } else {
                self.data(path, 0o644, size);
            }
        }
        self
    }

    /// The layer as an uncompressed tar: directories before their contents, the first
    /// path of a hard-linked inode carrying the bytes and later ones linking to it.
    #[cfg(test)]
    pub fn to_tar(&self) -> Vec<u8> {
        let mut out = vec![0; self.tar_len()];
        self.write_tar(&mut Sink::new(&mut out, None));
        out
    }

    /// The tar and its sha256. A large layer is hashed on a second thread while it is
    /// still being written, chunk by chunk, so hashing costs little extra time.
    pub fn to_tar_hashed(&self) -> (Vec<u8>, Digest) {
        let len = self.tar_len();
        // Zeroed memory comes from the allocator untouched, so padding costs nothing.
        let mut out = vec![0; len];
        if len < 2 * HASH_CHUNK {
            self.write_tar(&mut Sink::new(&mut out, None));
            let digest = Digest::sha256(&out);
            return (out, digest);
        }
        let digest = std::thread::scope(|scope| {
            let (tx, rx) = mpsc::channel::<&[u8]>();
            let hasher = scope.spawn(move || {
                let mut hasher = Hasher::new(Algorithm::Sha256);
                for chunk in rx {
                    hasher.update(chunk);
                }
                hasher.finish()
            });
            let mut sink = Sink::new(&mut out, Some(tx));
            self.write_tar(&mut sink);
            sink.finish();
            hasher.join().expect("the hashing thread does not panic")
        });
        (out, digest)
    }

    fn write_tar<'a>(&self, sink: &mut Sink<'a>) {
        // inode (the path a hard link names) → the path the archive wrote its bytes at
        let mut written: HashMap<&str, &str> = HashMap::new();
        let mtime = self.mtime;
        for (path, node) in &self.entries {
            match node {
                Node::Dir { mode } => {
                    header(
                        sink.take(512),
                        &format!("{path}/"),
                        b'5',
                        *mode,
                        0,
                        "",
                        mtime,
                    );
                }
                Node::Symlink { target } => {
                    header(sink.take(512), path, b'2', 0o777, 0, target, mtime)
                }
                Node::File { mode, content } => match written.get(path.as_str()) {
                    Some(first) => header(sink.take(512), path, b'1', *mode, 0, first, mtime),
                    None => {
                        written.insert(path, path);
                        self.write_file(sink, path, *mode, content);
                    }
                },
                Node::HardLink { target } => {
                    let Some(Node::File { mode, content }) = self.entries.get(target) else {
                        panic!(
                            "hard link {path} names {target}, which is not a regular file in this layer"
                        );
                    };
                    match written.get(target.as_str()) {
                        Some(first) => header(sink.take(512), path, b'1', *mode, 0, first, mtime),
                        None => {
                            written.insert(target, path);
                            self.write_file(sink, path, *mode, content);
                        }
                    }
                }
            }
            sink.entry_done();
        }
        // The two zero blocks that end the archive are already zero.
        sink.take(1024);
    }

    fn write_file(&self, sink: &mut Sink<'_>, path: &str, mode: u32, content: &Content) {
        let size = content.len();
        header(
            sink.take(512),
            path,
            b'0',
            mode,
            size as u64,
            "",
            self.mtime,
        );
        let body = sink.take(size);
        match content {
            Content::Text(text) => body.copy_from_slice(text.as_bytes()),
            Content::Program { name, .. } => program::fill_executable(body, name),
            Content::Library { name, .. } => program::fill_library(body, name),
            Content::Data { .. } => program::fill_filler(body, path),
        }
        sink.take(padding(size));
    }

    /// The exact length of the archive: a header per entry, file bodies padded to 512,
    /// and the two closing blocks (a hard link's bytes are written once either way).
    fn tar_len(&self) -> usize {
        let body: usize = self
            .entries
            .values()
            .map(|node| match node {
                Node::File { content, .. } => content.len() + padding(content.len()),
                _ => 0,
            })
            .sum();
        body + 512 * self.entries.len() + 1024
    }
}

/// How much of the archive is handed to the hashing thread at a time.
const HASH_CHUNK: usize = 1 << 20;

/// The unwritten rest of a pre-sized archive buffer; finished chunks go to the hasher.
struct Sink<'a> {
    rest: &'a mut [u8],
    /// Bytes of `rest` already written.
    pos: usize,
    hasher: Option<mpsc::Sender<&'a [u8]>>,
}

impl<'a> Sink<'a> {
    fn new(buffer: &'a mut [u8], hasher: Option<mpsc::Sender<&'a [u8]>>) -> Sink<'a> {
        Sink {
            rest: buffer,
            pos: 0,
            hasher,
        }
    }

    /// The next `len` bytes of the archive, zeroed, to write in place.
    fn take(&mut self, len: usize) -> &mut [u8] {
        let start = self.pos;
        self.pos += len;
        &mut self.rest[start..self.pos]
    }

    /// Between entries: hand what is written to the hasher once it is a chunk's worth.
    fn entry_done(&mut self) {
        if self.pos >= HASH_CHUNK {
            self.hand_off();
        }
    }

    fn hand_off(&mut self) {
        let Some(hasher) = &self.hasher else { return };
        let (done, rest) = std::mem::take(&mut self.rest).split_at_mut(self.pos);
        let done: &'a [u8] = done;
        // The receiver only goes away if its thread died; join reports that.
        let _ = hasher.send(done);
        self.rest = rest;
        self.pos = 0;
    }

    fn finish(mut self) {
        self.hand_off();
    }
}

fn padding(size: usize) -> usize {
    (512 - size % 512) % 512
}

/// Writes one USTAR header into `h` (512 zeroed bytes), fields formatted as Go's
/// archive/tar writes them.
fn header(h: &mut [u8], path: &str, kind: u8, mode: u32, size: u64, link: &str, mtime: u64) {
    let (prefix, name) = split_path(path);
    h[..name.len()].copy_from_slice(name.as_bytes());
    octal(&mut h[100..108], u64::from(mode));
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], mtime);
    h[156] = kind;
    assert!(link.len() <= 100, "link target too long for USTAR: {link}");
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    octal(&mut h[329..337], 0);
    octal(&mut h[337..345], 0);
    h[345..345 + prefix.len()].copy_from_slice(prefix.as_bytes());
    h[148..156].fill(b' ');
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    octal(&mut h[148..155], u64::from(sum));
    h[155] = b' ';
}

/// USTAR keeps names up to 100 bytes, plus a prefix of up to 155 split at a slash.
fn split_path(path: &str) -> (&str, &str) {
    if path.len() <= 100 {
        return ("", path);
    }
    let limit = path.len() - 100;
    let cut = path
        .char_indices()
        .filter(|&(i, c)| c == '/' && i >= limit.saturating_sub(1) && i <= 155)
        .map(|(i, _)| i)
        .next()
        .unwrap_or_else(|| panic!("path too long for USTAR: {path}"));
    (&path[..cut], &path[cut + 1..])
}

/// Zero-padded octal that fills the field but its last byte, which is NUL.
fn octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}");
    assert!(
        text.len() == digits,
        "value {value} does not fit a {digits}-digit tar field"
    );
    field[..digits].copy_from_slice(text.as_bytes());
    field[digits] = 0;
}
