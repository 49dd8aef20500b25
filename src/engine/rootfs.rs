//! A read-only view of an image's files, merged across its layers with Docker's whiteout
//! rules: enough to find an executable on PATH and read its head. Layer tars are read
//! from the content store by seeking over file bodies, so a large layer costs only its
//! headers.

use super::content::ContentStore;
use super::digest::Digest;
use std::collections::BTreeMap;
use std::io::{self, Read};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    File,
    Dir,
    Symlink(String),
    Hardlink(String),
    Other,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: EntryKind,
    pub mode: u32,
    pub size: u64,
    /// Which layer (index into the image's layers) holds the entry's bytes.
    pub layer: usize,
}

/// Every path of the merged filesystem (`/bin/sh`, no trailing slash), top layer winning.
pub struct RootFs {
    entries: BTreeMap<String, Entry>,
    layers: Vec<Digest>,
}

impl RootFs {
    pub fn open(content: &ContentStore, layers: &[Digest]) -> io::Result<RootFs> {
        let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
        for (index, layer) in layers.iter().enumerate() {
            let file = content.open_blob(layer)?;
            let mut archive = tar::Archive::new(file);
            for entry in archive.entries_with_seek()? {
                let entry = entry?;
                let path = normalise(&entry.path_bytes());
                let (dir, base) = split(&path);
                if base == ".wh..wh..opq" {
                    let prefix = format!("{}/", dir.trim_end_matches('/'));
                    entries.retain(|p, e| !(p.starts_with(&prefix) && e.layer < index));
                    continue;
                }
                if let Some(hidden) = base.strip_prefix(".wh.") {
                    let target = join(dir, hidden);
                    let prefix = format!("{target}/");
                    entries.retain(|p, _| *p != target && !p.starts_with(&prefix));
                    continue;
                }
                let header = entry.header();
                let link = || {
                    entry
                        .link_name_bytes()
                        .map(|l| String::from_utf8_lossy(&l).into_owned())
                        .unwrap_or_default()
                };
                let kind = match header.entry_type() {
                    tar::EntryType::Regular | tar::EntryType::Continuous => EntryKind::File,
                    tar::EntryType::Directory => EntryKind::Dir,
                    tar::EntryType::Symlink => EntryKind::Symlink(link()),
                    tar::EntryType::Link => EntryKind::Hardlink(normalise(link().as_bytes())),
                    _ => EntryKind::Other,
                };
                let mode = header.mode().unwrap_or(0o644);
                entries.insert(
                    path,
                    Entry {
                        kind,
                        mode,
                        size: entry.size(),
                        layer: index,
                    },
                );
            }
        }
        Ok(RootFs {
            entries,
            layers: layers.to_vec(),
        })
    }

    pub fn entry(&self, path: &str) -> Option<&Entry> {
        self.entries.get(path)
    }

    /// Follows symlinks (relative and absolute, at most 40 hops as Linux does) to the
    /// entry a path finally names.
    pub fn resolve(&self, path: &str) -> Option<(String, &Entry)> {
        let mut current = path.to_string();
        for _ in 0..40 {
            let entry = self.entries.get(&current)?;
            match &entry.kind {
                EntryKind::Symlink(target) => {
                    current = if target.starts_with('/') {
                        normalise(target.as_bytes())
                    } else {
                        normalise(join(split(&current).0, target).as_bytes())
                    };
                }
                _ => return Some((current, entry)),
            }
        }
        None
    }

    /// The first `limit` bytes of a regular file (hard links followed).
    pub fn read_head(
        &self,
        content: &ContentStore,
        path: &str,
        limit: usize,
    ) -> io::Result<Vec<u8>> {
        let (path, entry) = self
            .resolve(path)
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        let path = match &entry.kind {
            EntryKind::Hardlink(target) => target.clone(),
            _ => path,
        };
        let layer = self
            .entries
            .get(&path)
            .map(|e| e.layer)
            .unwrap_or(entry.layer);
        let file = content.open_blob(&self.layers[layer])?;
        let mut archive = tar::Archive::new(file);
        for item in archive.entries_with_seek()? {
            let item = item?;
            if normalise(&item.path_bytes()) == path {
                let mut head = Vec::new();
                item.take(limit as u64).read_to_end(&mut head)?;
                return Ok(head);
            }
        }
        Err(io::ErrorKind::NotFound.into())
    }
}

/// `./usr/bin/` → `/usr/bin`; `..` never climbs above `/`.
pub fn normalise(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut parts: Vec<&str> = Vec::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

fn split(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(0) => ("/", &path[1..]),
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("/", path),
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(entries: &[(&str, &[u8])], links: &[(&str, &str)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o755);
            h.set_cksum();
            b.append_data(&mut h, path, *data).unwrap();
        }
        for (path, target) in links {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(tar::EntryType::Symlink);
            h.set_size(0);
            b.append_link(&mut h, path, target).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn merges_layers_follows_links_and_honours_whiteouts() {
        let dir = tempfile::tempdir().unwrap();
        let store = ContentStore::open(dir.path()).unwrap();
        let base = store
            .put(&layer(
                &[("bin/busybox", b"BUSYBOX"), ("etc/motd", b"hi")],
                &[("bin/sh", "busybox")],
            ))
            .unwrap();
        let top = store.put(&layer(&[("etc/.wh.motd", b"")], &[])).unwrap();
        let fs = RootFs::open(&store, &[base, top]).unwrap();
        assert!(fs.entry("/etc/motd").is_none());
        let (path, _) = fs.resolve("/bin/sh").unwrap();
        assert_eq!(path, "/bin/busybox");
        assert_eq!(fs.read_head(&store, "/bin/sh", 4).unwrap(), b"BUSY");
    }

    #[test]
    fn normalise_stays_under_root() {
        assert_eq!(normalise(b"./a/../../b/"), "/b");
        assert_eq!(normalise(b""), "/");
    }
}
