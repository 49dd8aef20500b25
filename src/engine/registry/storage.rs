//! Where the registry keeps everything, and the only code that knows the layout.
//!
//! ```text
//! ROOT/
//!   oci-layout, index.json, blobs/<alg>/<hex>        the content store: every blob once,
//!                                                    shared by all repositories
//!   repositories/<name>/_layers/<alg>/<hex>/link      a blob is linked into a repository
//!   repositories/<name>/_manifests/revisions/<alg>/<hex>/link   a manifest of the repository
//!   repositories/<name>/_manifests/tags/<tag>/current/link      a tag → a manifest digest
//!   _uploads/<uuid>/repository, _uploads/<uuid>/data  an upload in progress
//! ```
//! A blob becomes visible only by renaming a complete, verified, fsynced file into
//! `blobs/`; link files are written whole and renamed too. A registry killed at any
//! point leaves every blob either whole or absent, and at worst an upload directory
//! nobody can see.

use crate::engine::content::{ContentStore, atomic_write};
use crate::engine::digest::{Algorithm, Digest};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The registry's files under one root.
#[derive(Debug, Clone)]
pub struct Storage {
    root: PathBuf,
    content: ContentStore,
}

impl Storage {
    pub fn open(root: &Path) -> io::Result<Storage> {
        fs::create_dir_all(root.join("repositories"))?;
        fs::create_dir_all(root.join("_uploads"))?;
        purge_stale_uploads(&root.join("_uploads"));
        Ok(Storage {
            root: root.to_path_buf(),
            content: ContentStore::open(root)?,
        })
    }

    pub fn content(&self) -> &ContentStore {
        &self.content
    }

    fn repository(&self, name: &str) -> PathBuf {
        self.root.join("repositories").join(name)
    }

    fn layer_link(&self, name: &str, digest: &Digest) -> PathBuf {
        self.repository(name)
            .join("_layers")
            .join(digest.algorithm().name())
            .join(digest.hex())
            .join("link")
    }

    fn revision_link(&self, name: &str, digest: &Digest) -> PathBuf {
        self.repository(name)
            .join("_manifests/revisions")
            .join(digest.algorithm().name())
            .join(digest.hex())
            .join("link")
    }

    fn tags_dir(&self, name: &str) -> PathBuf {
        self.repository(name).join("_manifests/tags")
    }

    fn tag_link(&self, name: &str, tag: &str) -> PathBuf {
        self.tags_dir(name).join(tag).join("current/link")
    }

    pub fn upload_dir(&self, uuid: &str) -> PathBuf {
        self.root.join("_uploads").join(uuid)
    }

    /// Whether the repository has ever held anything.
    pub fn repository_exists(&self, name: &str) -> bool {
        self.repository(name).is_dir()
    }

    /// Whether `digest` is a blob of repository `name` (linked there, and stored).
    pub fn has_blob(&self, name: &str, digest: &Digest) -> bool {
        self.layer_link(name, digest).is_file() && self.content.has(digest)
    }

    pub fn link_blob(&self, name: &str, digest: &Digest) -> io::Result<()> {
        write_link(&self.layer_link(name, digest), digest)
    }

    /// Removes a blob's link from one repository; the bytes stay for the others.
    pub fn unlink_blob(&self, name: &str, digest: &Digest) -> io::Result<bool> {
        remove_link(&self.layer_link(name, digest))
    }

    pub fn has_manifest(&self, name: &str, digest: &Digest) -> bool {
        self.revision_link(name, digest).is_file() && self.content.has(digest)
    }

    pub fn link_manifest(&self, name: &str, digest: &Digest) -> io::Result<()> {
        write_link(&self.revision_link(name, digest), digest)
    }

    pub fn unlink_manifest(&self, name: &str, digest: &Digest) -> io::Result<bool> {
        remove_link(&self.revision_link(name, digest))
    }

    /// Every manifest digest linked into the repository, sorted.
    pub fn manifests(&self, name: &str) -> io::Result<Vec<Digest>> {
        let mut out = Vec::new();
        for algorithm in [Algorithm::Sha256, Algorithm::Sha512] {
            let dir = self
                .repository(name)
                .join("_manifests/revisions")
                .join(algorithm.name());
            for hex in list_dir(&dir)? {
                if let Ok(d) = format!("{}:{hex}", algorithm.name()).parse::<Digest>()
                    && self.has_manifest(name, &d)
                {
                    out.push(d);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    pub fn tag(&self, name: &str, tag: &str) -> Option<Digest> {
        read_link(&self.tag_link(name, tag))
    }

    pub fn set_tag(&self, name: &str, tag: &str, digest: &Digest) -> io::Result<()> {
        write_link(&self.tag_link(name, tag), digest)
    }

    pub fn remove_tag(&self, name: &str, tag: &str) -> io::Result<bool> {
        match fs::remove_dir_all(self.tags_dir(name).join(tag)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Tags of the repository in lexical order.
    pub fn tags(&self, name: &str) -> io::Result<Vec<String>> {
        let mut tags: Vec<String> = list_dir(&self.tags_dir(name))?
            .into_iter()
            .filter(|t| self.tag(name, t).is_some())
            .collect();
        tags.sort();
        Ok(tags)
    }

    /// Every repository that holds a manifest, in lexical order.
    pub fn repositories(&self) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        walk_repositories(&self.root.join("repositories"), "", &mut out)?;
        out.sort();
        Ok(out)
    }

    /// Moves a verified upload into the content store (or drops it when the blob is
    /// already there).
    pub fn commit_blob(&self, digest: &Digest, staged: &Path) -> io::Result<()> {
        self.content.adopt(digest, staged)
    }
}

/// Uploads untouched for a week are abandoned (the reference registry's rule too).
fn purge_stale_uploads(dir: &Path) {
    const WEEK: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > WEEK);
        if stale {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn walk_repositories(dir: &Path, prefix: &str, out: &mut Vec<String>) -> io::Result<()> {
    for entry in list_dir(dir)? {
        if entry.starts_with('_') {
            continue;
        }
        let name = if prefix.is_empty() {
            entry.clone()
        } else {
            format!("{prefix}/{entry}")
        };
        let path = dir.join(&entry);
        if path.join("_manifests").is_dir() {
            out.push(name.clone());
        }
        walk_repositories(&path, &name, out)?;
    }
    Ok(())
}

/// Names in a directory; a missing directory has none.
fn list_dir(dir: &Path) -> io::Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    Ok(names)
}

fn write_link(path: &Path, digest: &Digest) -> io::Result<()> {
    fs::create_dir_all(path.parent().expect("links live in a directory"))?;
    atomic_write(path, digest.to_string().as_bytes())
}

fn read_link(path: &Path) -> Option<Digest> {
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

fn remove_link(path: &Path) -> io::Result<bool> {
    match fs::remove_dir_all(path.parent().expect("links live in a directory")) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}
