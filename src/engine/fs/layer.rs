//! A layer: the changes one image layer (or one container's writable layer) makes, read
//! from and written to the tar format Docker uses for layers.

use super::node::{Content, Node, NodeKind, SpecialKind, Timestamp};
use super::path::{base, child_prefix, normalise, parent};
use crate::engine::digest::Digest;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Cursor};
use std::sync::Arc;

const WHITEOUT_PREFIX: &str = ".wh.";
const WHITEOUT_META_PREFIX: &str = ".wh..wh.";
const OPAQUE_MARKER: &str = ".wh..wh..opq";
const BLOCK: usize = 512;

/// What a layer says about one path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayerEntry {
    /// The path is this node; a directory merges with the directories below it.
    Put(Node),
    /// The path is this directory, and nothing below it in lower layers shows through
    /// (`.wh..wh..opq`).
    Opaque(Node),
    /// The path is deleted, with everything under it (`.wh.name`).
    Whiteout,
}

impl LayerEntry {
    pub fn node(&self) -> Option<&Node> {
        match self {
            LayerEntry::Put(node) | LayerEntry::Opaque(node) => Some(node),
            LayerEntry::Whiteout => None,
        }
    }
}

/// Why a layer tar could not be read. Never a panic, whatever the bytes.
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error("invalid layer tar: {0}")]
    Tar(String),
    #[error("invalid layer tar: {path} claims {size} bytes but only {available} remain")]
    Truncated {
        path: String,
        size: u64,
        available: u64,
    },
    #[error("invalid layer tar: {path} has an unsupported entry type {kind:?}")]
    UnsupportedType { path: String, kind: char },
    #[error("invalid layer tar: {path}: {reason}")]
    InvalidEntry { path: String, reason: String },
    #[error("invalid gzip layer: {0}")]
    Gzip(String),
    #[error("layer unpacks to more than {limit} bytes")]
    TooLarge { limit: u64 },
}

/// A layer blob as the content store holds it: a tar, or a gzip-compressed tar (what
/// registries serve). A tar comes back as it is; a gzip stream is unpacked, and never
/// past `limit` bytes, so a compression bomb is an error rather than an exhausted memory.
pub fn uncompressed(blob: Arc<[u8]>, limit: u64) -> Result<Arc<[u8]>, LayerError> {
    use std::io::Read;
    if !blob.starts_with(&[0x1f, 0x8b]) {
        return Ok(blob);
    }
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(&blob[..])
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| LayerError::Gzip(e.to_string()))?;
    if out.len() as u64 > limit {
        return Err(LayerError::TooLarge { limit });
    }
    Ok(out.into())
}

fn tar_error(e: io::Error) -> LayerError {
    LayerError::Tar(e.to_string())
}

/// Changes keyed by path, in path order (parents before children).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layer {
    entries: BTreeMap<String, LayerEntry>,
}

impl Layer {
    pub fn new() -> Layer {
        Layer::default()
    }

    pub fn entries(&self) -> &BTreeMap<String, LayerEntry> {
        &self.entries
    }

    pub fn get(&self, path: &str) -> Option<&LayerEntry> {
        self.entries.get(path)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn put(&mut self, path: &str, node: Node) {
        self.entries.insert(normalise(path), LayerEntry::Put(node));
    }

    pub fn put_opaque(&mut self, path: &str, node: Node) {
        self.entries
            .insert(normalise(path), LayerEntry::Opaque(node));
    }

    pub fn whiteout(&mut self, path: &str) {
        self.entries.insert(normalise(path), LayerEntry::Whiteout);
    }

    pub(crate) fn insert(&mut self, path: String, entry: LayerEntry) {
        self.entries.insert(path, entry);
    }

    pub(super) fn remove(&mut self, path: &str) -> Option<LayerEntry> {
        self.entries.remove(path)
    }

    /// Removes every entry strictly below `path`.
    pub(super) fn remove_below(&mut self, path: &str) {
        let prefix = child_prefix(path);
        let keys: Vec<String> = self
            .entries
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for key in keys {
            self.entries.remove(&key);
        }
    }

    /// Parses a layer tar (ustar, GNU and PAX long names, hard links, whiteouts). File
    /// bodies stay in `bytes`: the nodes point into it.
    pub fn from_tar(bytes: Arc<[u8]>) -> Result<Layer, LayerError> {
        let mut layer = Layer::new();
        let mut archive = tar::Archive::new(Cursor::new(&bytes[..]));
        for entry in archive.entries_with_seek().map_err(tar_error)? {
            let mut entry = entry.map_err(tar_error)?;
            let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let path = normalise(&raw_path);
            let header = entry.header();
            let entry_type = header.entry_type();
            if entry_type.is_pax_global_extensions() {
                continue;
            }
            let name = base(&path);
            if name == OPAQUE_MARKER {
                let dir = parent(&path).to_string();
                let node = match layer.entries.remove(&dir) {
                    Some(LayerEntry::Put(node) | LayerEntry::Opaque(node)) if node.is_dir() => node,
                    _ => Node::dir(0o755, Timestamp::default()),
                };
                layer.entries.insert(dir, LayerEntry::Opaque(node));
                continue;
            }
            if name.starts_with(WHITEOUT_META_PREFIX) {
                // Other aufs metadata (`.wh..wh.plnk`, ...): Docker skips it too.
                continue;
            }
            if let Some(hidden) = name.strip_prefix(WHITEOUT_PREFIX) {
                if matches!(hidden, "" | "." | "..") {
                    return Err(LayerError::InvalidEntry {
                        path: raw_path,
                        reason: "a whiteout must name a file".into(),
                    });
                }
                let target = normalise(&format!("{}/{hidden}", parent(&path)));
                layer.entries.insert(target, LayerEntry::Whiteout);
                continue;
            }
            let invalid = |reason: &str| LayerError::InvalidEntry {
                path: raw_path.clone(),
                reason: reason.to_string(),
            };
            // An empty numeric field reads as 0, as Go's reader takes it.
            let number = |field: io::Result<u64>, raw: &[u8], what: &str| match field {
                Ok(value) => Ok(value),
                Err(_) if raw.iter().all(|&b| b == 0 || b == b' ') => Ok(0),
                Err(_) => Err(invalid(&format!("unreadable {what}"))),
            };
            let old = header.as_old();
            let mode = number(header.mode().map(u64::from), &old.mode, "mode")? as u32 & 0o7777;
            let mut uid = number(header.uid(), &old.uid, "uid")?;
            let mut gid = number(header.gid(), &old.gid, "gid")?;
            let mut mtime = Timestamp {
                secs: i64::try_from(number(header.mtime(), &old.mtime, "mtime")?)
                    .map_err(|_| invalid("mtime out of range"))?,
                nanos: 0,
            };
            let link = entry
                .link_name_bytes()
                .map(|l| String::from_utf8_lossy(&l).into_owned());
            let mut xattrs = BTreeMap::new();
            if let Some(pax) = entry.pax_extensions().map_err(tar_error)? {
                for record in pax {
                    let record = record.map_err(tar_error)?;
                    let Ok(key) = record.key() else { continue };
                    let value = record.value_bytes();
                    let text = std::str::from_utf8(value).unwrap_or("");
                    match key {
                        "uid" => uid = text.parse().map_err(|_| invalid("invalid PAX uid"))?,
                        "gid" => gid = text.parse().map_err(|_| invalid("invalid PAX gid"))?,
                        "mtime" => {
                            mtime =
                                parse_pax_time(text).ok_or_else(|| invalid("invalid PAX mtime"))?
                        }
                        _ => {
                            if let Some(name) = key.strip_prefix("SCHILY.xattr.") {
                                xattrs.insert(name.to_string(), value.to_vec());
                            }
                        }
                    }
                }
            }
            let uid = u32::try_from(uid).map_err(|_| invalid("uid out of range"))?;
            let gid = u32::try_from(gid).map_err(|_| invalid("gid out of range"))?;
            let kind = match entry_type {
                tar::EntryType::Regular | tar::EntryType::Continuous => {
                    let size = entry.size();
                    let start = entry.raw_file_position();
                    let available = (bytes.len() as u64).saturating_sub(start);
                    if size > available {
                        return Err(LayerError::Truncated {
                            path: raw_path,
                            size,
                            available,
                        });
                    }
                    let range = start as usize..(start + size) as usize;
                    NodeKind::File(
                        Content::slice(&bytes, range)
                            .ok_or_else(|| invalid("body out of range"))?,
                    )
                }
                tar::EntryType::Directory => NodeKind::Dir,
                tar::EntryType::Symlink => {
                    NodeKind::Symlink(link.ok_or_else(|| invalid("a symlink without a target"))?)
                }
                tar::EntryType::Link => {
                    let target = link.ok_or_else(|| invalid("a hard link without a target"))?;
                    let target = normalise(&target);
                    if target == path || target == "/" {
                        return Err(invalid("a hard link to itself or to /"));
                    }
                    NodeKind::Hardlink(target)
                }
                tar::EntryType::Char | tar::EntryType::Block | tar::EntryType::Fifo => {
                    let h = entry.header();
                    let major = h.device_major().ok().flatten().unwrap_or(0);
                    let minor = h.device_minor().ok().flatten().unwrap_or(0);
                    let kind = match entry_type {
                        tar::EntryType::Char => SpecialKind::CharDevice,
                        tar::EntryType::Block => SpecialKind::BlockDevice,
                        _ => SpecialKind::Fifo,
                    };
                    NodeKind::Special { kind, major, minor }
                }
                other => {
                    return Err(LayerError::UnsupportedType {
                        path: raw_path,
                        kind: other.as_byte() as char,
                    });
                }
            };
            if path == "/" && !matches!(kind, NodeKind::Dir) {
                return Err(invalid("only a directory can stand at /"));
            }
            let node = Node {
                kind,
                mode,
                uid,
                gid,
                mtime,
                xattrs,
            };
            let entry = match layer.entries.remove(&path) {
                // The opaque marker came before its directory.
                Some(LayerEntry::Opaque(_)) if node.is_dir() => LayerEntry::Opaque(node),
                _ => LayerEntry::Put(node),
            };
            layer.entries.insert(path, entry);
        }
        Ok(layer)
    }

    /// The layer as Docker writes one: paths in order, parents first, directories with a
    /// trailing `/`, ustar headers with PAX records only where ustar cannot say it,
    /// whiteouts as empty mode-0 regular files. The same changes always give the same
    /// bytes, hence the same diff ID.
    pub fn to_tar(&self) -> Vec<u8> {
        let body: usize = self
            .entries
            .values()
            .filter_map(|e| match e.node().map(|n| &n.kind) {
                Some(NodeKind::File(c)) => Some(c.len() as usize + BLOCK),
                _ => None,
            })
            .sum();
        let mut out = Vec::with_capacity(body + (self.entries.len() + 2) * BLOCK * 2);
        let holders = self.link_holders();
        for (path, entry) in &self.entries {
            if let LayerEntry::Put(node) = entry
                && let Some(node) = self.as_linked(path, node, &holders)
            {
                write_node(&mut out, path, &node);
                continue;
            }
            match entry {
                LayerEntry::Whiteout => {
                    let name = format!(
                        "{}{WHITEOUT_PREFIX}{}",
                        tar_dir_prefix(parent(path)),
                        base(path)
                    );
                    let mut header = TarHeader::new(name, b'0');
                    header.mode = 0;
                    write_entry(&mut out, &header, &[]);
                }
                LayerEntry::Put(node) => write_node(&mut out, path, node),
                LayerEntry::Opaque(node) => {
                    write_node(&mut out, path, node);
                    let mut header =
                        TarHeader::new(format!("{}{OPAQUE_MARKER}", tar_dir_prefix(path)), b'0');
                    header.mode = node.mode & 0o777;
                    header.uid = node.uid as u64;
                    header.gid = node.gid as u64;
                    header.mtime = node.mtime.secs;
                    write_entry(&mut out, &header, &[]);
                }
            }
        }
        out.extend_from_slice(&[0u8; BLOCK * 2]);
        out
    }

    /// For each file other paths of this layer hard-link to, the path that comes first
    /// in the archive: it carries the body and the others link to it, as a tar writer
    /// walking the tree writes them, whichever path the layer calls the target.
    fn link_holders(&self) -> HashMap<&str, &str> {
        let mut holders: HashMap<&str, &str> = HashMap::new();
        for (path, entry) in &self.entries {
            let Some(NodeKind::Hardlink(target)) = entry.node().map(|n| &n.kind) else {
                continue;
            };
            let Some(LayerEntry::Put(file)) = self.entries.get(target) else {
                continue;
            };
            if matches!(file.kind, NodeKind::File(_)) {
                let holder = holders.entry(target.as_str()).or_insert(target.as_str());
                *holder = (*holder).min(path.as_str());
            }
        }
        holders
    }

    /// How a member of a hard-linked group is written when it is not the layer's own
    /// choice: the first path gets the file, the others a link to it.
    fn as_linked(&self, path: &str, node: &Node, holders: &HashMap<&str, &str>) -> Option<Node> {
        match &node.kind {
            NodeKind::File(_) => {
                let holder = *holders.get(path)?;
                (holder != path).then(|| Node {
                    kind: NodeKind::Hardlink(holder.to_string()),
                    ..node.clone()
                })
            }
            NodeKind::Hardlink(target) => {
                let holder = *holders.get(target.as_str())?;
                if holder == path {
                    self.entries.get(target).and_then(LayerEntry::node).cloned()
                } else if holder != target {
                    Some(Node {
                        kind: NodeKind::Hardlink(holder.to_string()),
                        ..node.clone()
                    })
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// The tar and its digest, the layer's diff ID.
    pub fn to_tar_with_diff_id(&self) -> (Vec<u8>, Digest) {
        let tar = self.to_tar();
        let digest = Digest::sha256(&tar);
        (tar, digest)
    }

    /// sha256 of [`Layer::to_tar`].
    pub fn diff_id(&self) -> Digest {
        self.to_tar_with_diff_id().1
    }

    /// The size Docker reports for a layer: regular file bodies plus symlink target
    /// lengths, a hard-linked body counted once.
    pub fn unpacked_size(&self) -> u64 {
        self.entries
            .values()
            .filter_map(LayerEntry::node)
            .map(|node| match &node.kind {
                NodeKind::File(content) => content.len(),
                NodeKind::Symlink(target) => target.len() as u64,
                _ => 0,
            })
            .sum()
    }
}

/// `dir` as a tar name prefix: `` for the root, `etc/` otherwise.
fn tar_dir_prefix(dir: &str) -> String {
    if dir == "/" {
        String::new()
    } else {
        format!("{}/", &dir[1..])
    }
}

fn parse_pax_time(text: &str) -> Option<Timestamp> {
    let (secs, frac) = match text.split_once('.') {
        Some((s, f)) => (s, f),
        None => (text, ""),
    };
    let secs: i64 = secs.parse().ok()?;
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut nanos = 0u32;
    for i in 0..9 {
        nanos = nanos * 10 + frac.as_bytes().get(i).map_or(0, |b| u32::from(b - b'0'));
    }
    Some(Timestamp { secs, nanos })
}

fn write_node(out: &mut Vec<u8>, path: &str, node: &Node) {
    let (flag, name, body): (u8, String, &[u8]) = match &node.kind {
        NodeKind::Dir if path == "/" => (b'5', "./".to_string(), &[]),
        NodeKind::Dir => (b'5', format!("{}/", &path[1..]), &[]),
        NodeKind::File(content) => (b'0', path[1..].to_string(), content.as_bytes()),
        NodeKind::Symlink(_) => (b'2', path[1..].to_string(), &[]),
        NodeKind::Hardlink(_) => (b'1', path[1..].to_string(), &[]),
        NodeKind::Special { kind, .. } => {
            let flag = match kind {
                SpecialKind::CharDevice => b'3',
                SpecialKind::BlockDevice => b'4',
                SpecialKind::Fifo => b'6',
            };
            (flag, path[1..].to_string(), &[])
        }
    };
    let mut header = TarHeader::new(name, flag);
    // Docker keeps the file-type bits Go 1.9 stopped writing (`fillGo18FileTypeBits`),
    // so layer digests stay what they were: `0040755` for a directory.
    header.mode = node.type_bits() | (node.mode & 0o7777);
    header.uid = node.uid as u64;
    header.gid = node.gid as u64;
    header.mtime = node.mtime.secs;
    header.size = body.len() as u64;
    header.link = match &node.kind {
        NodeKind::Symlink(target) => target.clone(),
        NodeKind::Hardlink(target) => target.trim_start_matches('/').to_string(),
        _ => String::new(),
    };
    (header.dev_major, header.dev_minor) = node.rdev();
    header.xattrs = &node.xattrs;
    write_entry(out, &header, body);
}

/// The fields Docker's tar writer (Go's `archive/tar` in PAX mode) sets.
struct TarHeader<'a> {
    name: String,
    flag: u8,
    mode: u32,
    uid: u64,
    gid: u64,
    size: u64,
    mtime: i64,
    link: String,
    dev_major: u32,
    dev_minor: u32,
    xattrs: &'a BTreeMap<String, Vec<u8>>,
}

static NO_XATTRS: BTreeMap<String, Vec<u8>> = BTreeMap::new();

impl TarHeader<'_> {
    fn new(name: String, flag: u8) -> TarHeader<'static> {
        TarHeader {
            name,
            flag,
            mode: 0,
            uid: 0,
            gid: 0,
            size: 0,
            mtime: 0,
            link: String::new(),
            dev_major: 0,
            dev_minor: 0,
            xattrs: &NO_XATTRS,
        }
    }
}

const NAME_SIZE: usize = 100;
const PREFIX_SIZE: usize = 155;

/// Go's `splitUSTARPath`: a long ASCII name may still fit as prefix + name.
fn split_ustar_path(name: &str) -> Option<(&str, &str)> {
    let mut length = name.len();
    if length <= NAME_SIZE || !name.is_ascii() {
        return None;
    } else if length > PREFIX_SIZE + 1 {
        length = PREFIX_SIZE + 1;
    } else if name.as_bytes()[length - 1] == b'/' {
        length -= 1;
    }
    let i = name[..length].rfind('/')?;
    let suffix_len = name.len() - i - 1;
    if i == 0 || suffix_len > NAME_SIZE || suffix_len == 0 || i > PREFIX_SIZE {
        return None;
    }
    Some((&name[..i], &name[i + 1..]))
}

fn fits_octal(width: usize, value: u64) -> bool {
    // width - 1 digits and a NUL.
    value < 1u64 << (3 * (width - 1))
}

fn write_entry(out: &mut Vec<u8>, h: &TarHeader<'_>, body: &[u8]) {
    let mut records: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let (mut prefix, mut name) = ("", h.name.as_str());
    if h.name.len() > NAME_SIZE || !h.name.is_ascii() {
        match split_ustar_path(&h.name) {
            Some((p, n)) => (prefix, name) = (p, n),
            None => {
                records.insert("path".into(), h.name.clone().into_bytes());
            }
        }
    }
    if h.link.len() > NAME_SIZE || !h.link.is_ascii() {
        records.insert("linkpath".into(), h.link.clone().into_bytes());
    }
    if !fits_octal(8, h.uid) {
        records.insert("uid".into(), h.uid.to_string().into_bytes());
    }
    if !fits_octal(8, h.gid) {
        records.insert("gid".into(), h.gid.to_string().into_bytes());
    }
    if !fits_octal(12, h.size) {
        records.insert("size".into(), h.size.to_string().into_bytes());
    }
    if h.mtime < 0 || !fits_octal(12, h.mtime as u64) {
        records.insert("mtime".into(), h.mtime.to_string().into_bytes());
    }
    for (key, value) in h.xattrs {
        records.insert(format!("SCHILY.xattr.{key}"), value.clone());
    }
    if !records.is_empty() {
        let mut data = Vec::new();
        for (key, value) in &records {
            data.extend_from_slice(&pax_record(key, value));
        }
        // Go's `path.Join(dir, "PaxHeaders.0", file)` of the entry's own name.
        let (dir, file) = match h.name.rfind('/') {
            Some(i) => (&h.name[..i], &h.name[i + 1..]),
            None => ("", h.name.as_str()),
        };
        let pax_name = [dir, "PaxHeaders.0", file]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("/");
        let mut block = [0u8; BLOCK];
        put_str(&mut block[0..100], &pax_name);
        put_octal(&mut block[100..108], 0);
        put_octal(&mut block[108..116], 0);
        put_octal(&mut block[116..124], 0);
        put_octal(&mut block[124..136], data.len() as u64);
        put_octal(&mut block[136..148], 0);
        block[156] = b'x';
        finish_block(&mut block);
        out.extend_from_slice(&block);
        append_body(out, &data);
    }
    let octal_or_zero = |width: usize, value: u64| if fits_octal(width, value) { value } else { 0 };
    let mut block = [0u8; BLOCK];
    put_str(&mut block[0..100], name);
    put_octal(&mut block[100..108], u64::from(h.mode));
    put_octal(&mut block[108..116], octal_or_zero(8, h.uid));
    put_octal(&mut block[116..124], octal_or_zero(8, h.gid));
    put_octal(&mut block[124..136], octal_or_zero(12, h.size));
    let mtime = if h.mtime < 0 {
        0
    } else {
        octal_or_zero(12, h.mtime as u64)
    };
    put_octal(&mut block[136..148], mtime);
    block[156] = h.flag;
    put_str(&mut block[157..257], &h.link);
    put_octal(&mut block[329..337], u64::from(h.dev_major));
    put_octal(&mut block[337..345], u64::from(h.dev_minor));
    put_str(&mut block[345..500], prefix);
    finish_block(&mut block);
    out.extend_from_slice(&block);
    append_body(out, body);
}

fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    // "<len> key=value\n", where len counts itself.
    let rest = key.len() + value.len() + 3;
    let mut len = rest + 1;
    while len.to_string().len() + rest > len {
        len += 1;
    }
    let mut record = format!("{len} {key}=").into_bytes();
    record.extend_from_slice(value);
    record.push(b'\n');
    record
}

fn append_body(out: &mut Vec<u8>, body: &[u8]) {
    out.extend_from_slice(body);
    let pad = (BLOCK - body.len() % BLOCK) % BLOCK;
    out.resize(out.len() + pad, 0);
}

/// Go's `formatString(toASCII(s))`: non-ASCII characters dropped (the PAX record has
/// the real name), then cut to the field.
fn put_str(field: &mut [u8], value: &str) {
    for (slot, byte) in field.iter_mut().zip(value.bytes().filter(u8::is_ascii)) {
        *slot = byte;
    }
}

/// Zero-padded octal and a NUL, as Go's `formatOctal` writes numbers.
fn put_octal(field: &mut [u8], value: u64) {
    let digits = format!("{value:0width$o}", width = field.len() - 1);
    let n = digits.len().min(field.len() - 1);
    field[..n].copy_from_slice(&digits.as_bytes()[digits.len() - n..]);
    field[field.len() - 1] = 0;
}

/// Magic, version and checksum (six octal digits, NUL, space), as Go writes them.
fn finish_block(block: &mut [u8; BLOCK]) {
    block[257..263].copy_from_slice(b"ustar\0");
    block[263..265].copy_from_slice(b"00");
    block[148..156].fill(b' ');
    let sum: u32 = block.iter().map(|&b| u32::from(b)).sum();
    put_octal(&mut block[148..155], u64::from(sum));
    block[155] = b' ';
}
