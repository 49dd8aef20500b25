//! The resolve cache: computed manifests, configs and layer descriptions on disk, so a
//! second run resolves an image without generating its layers.
//!
//! Owns the files under the cache directory (`<dir>/<generator version>/<domain>/<path>/
//! <tag>.json`), written atomically. An entry is trusted only if it checks out: the
//! manifest must name the config and layers the entry records, by digest and size.

use super::{LayerInfo, Manifested};
use crate::engine::digest::Digest;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Serialize, Deserialize)]
struct Entry {
    manifest: String,
    config: String,
    layers: Vec<LayerInfo>,
}

pub(super) fn entry_path(dir: &Path, key: &str) -> PathBuf {
    let mut path = dir.to_path_buf();
    let mut parts = key.split('/').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            // Appended, not set as an extension: `3.13` must not become `3.json`,
            // where `3.22` would land too.
            path.push(format!("{part}.json"));
        } else {
            path.push(part);
        }
    }
    path
}

/// The cached entry for `key`, if present and consistent.
pub(super) fn load(dir: &Path, key: &str) -> Option<Manifested> {
    let text = std::fs::read(entry_path(dir, key)).ok()?;
    let entry: Entry = serde_json::from_slice(&text).ok()?;
    check(entry)
}

fn check(entry: Entry) -> Option<Manifested> {
    #[derive(Deserialize)]
    struct Descriptor {
        digest: Digest,
        size: u64,
    }
    #[derive(Deserialize)]
    struct Manifest {
        config: Descriptor,
        layers: Vec<Descriptor>,
    }
    #[derive(Deserialize)]
    struct RootFs {
        diff_ids: Vec<Digest>,
    }
    #[derive(Deserialize)]
    struct Config {
        rootfs: RootFs,
    }
    let manifest: Manifest = serde_json::from_str(&entry.manifest).ok()?;
    let config_digest = Digest::sha256(entry.config.as_bytes());
    if manifest.config.digest != config_digest || manifest.config.size != entry.config.len() as u64
    {
        return None;
    }
    let config: Config = serde_json::from_str(&entry.config).ok()?;
    let consistent = manifest.layers.len() == entry.layers.len()
        && config.rootfs.diff_ids.len() == entry.layers.len()
        && manifest
            .layers
            .iter()
            .zip(&config.rootfs.diff_ids)
            .zip(&entry.layers)
            .all(|((blob, diff_id), info)| {
                blob.digest == info.digest && blob.size == info.size && *diff_id == info.digest
            });
    if !consistent {
        return None;
    }
    let manifest = entry.manifest.into_bytes();
    Some(Manifested {
        digest: Digest::sha256(&manifest),
        manifest,
        config_digest,
        config: entry.config.into_bytes(),
        layers: entry.layers,
    })
}

/// Writes the entry for `key`: to a temporary file beside it, then renamed into place,
/// so a reader never sees half an entry.
pub(super) fn store(dir: &Path, key: &str, m: &Manifested) -> std::io::Result<()> {
    let path = entry_path(dir, key);
    let parent = path.parent().unwrap_or(dir);
    std::fs::create_dir_all(parent)?;
    let entry = Entry {
        manifest: String::from_utf8(m.manifest.clone()).map_err(std::io::Error::other)?,
        config: String::from_utf8(m.config.clone()).map_err(std::io::Error::other)?,
        layers: m.layers.clone(),
    };
    let mut file = tempfile::NamedTempFile::new_in(parent)?;
    file.write_all(&serde_json::to_vec(&entry).map_err(std::io::Error::other)?)?;
    file.as_file().sync_all()?;
    file.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod path_tests {
    use super::entry_path;
    use std::path::Path;

    #[test]
    fn tags_with_dots_keep_their_own_entries() {
        let dir = Path::new("/cache");
        assert_ne!(
            entry_path(dir, "docker.io/library/alpine/3.13"),
            entry_path(dir, "docker.io/library/alpine/3.22")
        );
        assert_eq!(
            entry_path(dir, "docker.io/library/alpine/3.13"),
            Path::new("/cache/docker.io/library/alpine/3.13.json")
        );
    }
}
