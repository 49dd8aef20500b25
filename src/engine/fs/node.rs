//! One filesystem object as a layer records it: kind, permission bits, owner, time.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

/// A file body: a range into shared bytes (the layer blob it was read from, or a buffer
/// of its own for new files). Cloning never copies the bytes.
#[derive(Clone)]
pub struct Content {
    bytes: Arc<[u8]>,
    range: Range<usize>,
}

impl Content {
    /// A body of its own.
    pub fn new(bytes: impl Into<Arc<[u8]>>) -> Content {
        let bytes = bytes.into();
        let range = 0..bytes.len();
        Content { bytes, range }
    }

    /// `bytes[range]`, sharing `bytes`. `None` when the range is out of bounds.
    pub fn slice(bytes: &Arc<[u8]>, range: Range<usize>) -> Option<Content> {
        (range.start <= range.end && range.end <= bytes.len()).then(|| Content {
            bytes: Arc::clone(bytes),
            range,
        })
    }

    pub fn empty() -> Content {
        Content::new(Vec::new())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[self.range.clone()]
    }

    pub fn len(&self) -> u64 {
        self.range.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.range.is_empty()
    }
}

impl PartialEq for Content {
    fn eq(&self, other: &Content) -> bool {
        (Arc::ptr_eq(&self.bytes, &other.bytes) && self.range == other.range)
            || self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Content {}

impl fmt::Debug for Content {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.as_bytes();
        if bytes.len() <= 32 {
            write!(f, "Content({:?})", String::from_utf8_lossy(bytes))
        } else {
            write!(f, "Content({} bytes)", bytes.len())
        }
    }
}

/// Seconds and nanoseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    pub secs: i64,
    pub nanos: u32,
}

impl Timestamp {
    pub fn from_secs(secs: i64) -> Timestamp {
        Timestamp { secs, nanos: 0 }
    }

    /// Go's `sameFsTime`, which `docker diff` uses: a zero nanosecond part on either side
    /// matches any, because tar headers carry whole seconds.
    pub fn same_fs_time(self, other: Timestamp) -> bool {
        self.secs == other.secs
            && (self.nanos == other.nanos || self.nanos == 0 || other.nanos == 0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecialKind {
    CharDevice,
    BlockDevice,
    Fifo,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    File(Content),
    Dir,
    /// The target exactly as stored (relative or absolute).
    Symlink(String),
    /// Another path of the same layer (a normalised key) sharing this file.
    Hardlink(String),
    /// Devices and fifos, kept as they came with their device numbers.
    Special {
        kind: SpecialKind,
        major: u32,
        minor: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    /// Permission bits with setuid, setgid and sticky (`0o4755`); no file-type bits.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub mtime: Timestamp,
    /// Extended attributes (`security.capability`, ...), as PAX `SCHILY.xattr.` records.
    pub xattrs: BTreeMap<String, Vec<u8>>,
}

impl Node {
    pub fn new(kind: NodeKind, mode: u32, mtime: Timestamp) -> Node {
        Node {
            kind,
            mode: mode & 0o7777,
            uid: 0,
            gid: 0,
            mtime,
            xattrs: BTreeMap::new(),
        }
    }

    pub fn file(content: impl Into<Arc<[u8]>>, mode: u32, mtime: Timestamp) -> Node {
        Node::new(NodeKind::File(Content::new(content)), mode, mtime)
    }

    pub fn dir(mode: u32, mtime: Timestamp) -> Node {
        Node::new(NodeKind::Dir, mode, mtime)
    }

    pub fn symlink(target: &str, mtime: Timestamp) -> Node {
        Node::new(NodeKind::Symlink(target.to_string()), 0o777, mtime)
    }

    pub fn is_dir(&self) -> bool {
        matches!(self.kind, NodeKind::Dir)
    }

    /// `st_size` as Linux reports it: body length, symlink target length, 4096 for a
    /// directory, 0 otherwise.
    pub fn size(&self) -> u64 {
        match &self.kind {
            NodeKind::File(content) => content.len(),
            NodeKind::Symlink(target) => target.len() as u64,
            NodeKind::Dir => 4096,
            NodeKind::Hardlink(_) | NodeKind::Special { .. } => 0,
        }
    }

    /// The file-type part of `st_mode`, so a type change counts as a mode change.
    pub fn type_bits(&self) -> u32 {
        match &self.kind {
            NodeKind::File(_) | NodeKind::Hardlink(_) => 0o100000,
            NodeKind::Dir => 0o040000,
            NodeKind::Symlink(_) => 0o120000,
            NodeKind::Special { kind, .. } => match kind {
                SpecialKind::CharDevice => 0o020000,
                SpecialKind::BlockDevice => 0o060000,
                SpecialKind::Fifo => 0o010000,
            },
        }
    }

    pub fn rdev(&self) -> (u32, u32) {
        match self.kind {
            NodeKind::Special { major, minor, .. } => (major, minor),
            _ => (0, 0),
        }
    }
}
