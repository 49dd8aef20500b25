//! Layers shared by the engines of one process that opt in: the throwaway labs a lesson
//! replay opens by the dozen, each of which would otherwise read, parse, generate and
//! compress the same base layers (nginx's tars alone are some 190 MB) all over again.
//!
//! Owns nothing on disk, only bytes in memory, keyed by a layer's DiffID (the sha256 of
//! its tar). Content addressing is what makes sharing safe: the tar, its parse and its
//! gzip are the same for every engine whose store holds a blob of that digest. The
//! engine asks its own content store whether it holds the blob before taking the shared
//! copy, so a lab never sees a layer it lacks. Entries live as long as the set does.

use super::digest::Digest;
use super::fs::Layer;
use super::hub::GeneratedManifests;
use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

/// One layer's tar, and what was derived from it, filled in when first asked for. The
/// tar is read under the entry's own lock: labs forked side by side ask for the same
/// layer at once, and one reads (or generates) it while the others wait.
#[derive(Default)]
struct SharedLayer {
    tar: Mutex<Option<Arc<[u8]>>>,
    parsed: OnceLock<Arc<Layer>>,
    /// The deterministic gzip the registry receives, and its digest.
    compressed: OnceLock<(Digest, Arc<[u8]>)>,
}

impl SharedLayer {
    fn tar(&self, read: impl FnOnce() -> io::Result<Arc<[u8]>>) -> io::Result<Arc<[u8]>> {
        let mut tar = self.tar.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tar) = &*tar {
            return Ok(tar.clone());
        }
        // Every lab of the process shares the bytes: no one submission's budget.
        let read = super::budget::exempt(read)?;
        *tar = Some(read.clone());
        Ok(read)
    }
}

/// Layers by DiffID, for every engine given the same `Arc<SharedLayers>`.
#[derive(Default)]
pub struct SharedLayers {
    layers: Mutex<HashMap<Digest, Arc<SharedLayer>>>,
    /// The hub's manifests, generated once for all the engines (their layers are
    /// shared as they are fetched).
    hub_manifests: Arc<GeneratedManifests>,
    /// Where stored layer blobs are linked to outlive the lab that stored them, so
    /// another lab on the same file system takes a hard link rather than writing the
    /// same bytes again. None: every lab writes its own.
    pool: Option<tempfile::TempDir>,
}

impl SharedLayers {
    pub fn new() -> Arc<SharedLayers> {
        Arc::new(SharedLayers::default())
    }

    /// The entry for `diff_id`.
    fn entry(&self, diff_id: &Digest) -> Arc<SharedLayer> {
        self.lock().entry(diff_id.clone()).or_default().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Digest, Arc<SharedLayer>>> {
        self.layers.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn hub_manifests(&self) -> Arc<GeneratedManifests> {
        self.hub_manifests.clone()
    }

    /// Gives the engines a pool of blobs in `dir`: a temporary directory, removed
    /// with the set.
    pub fn with_pool_in(dir: &Path) -> io::Result<Arc<SharedLayers>> {
        Ok(Arc::new(SharedLayers {
            pool: Some(
                tempfile::Builder::new()
                    .prefix("docklab-blobs")
                    .tempdir_in(dir)?,
            ),
            ..Default::default()
        }))
    }

    /// Makes `target` a hard link to the pool's blob `digest`; false when the pool
    /// lacks it or cannot link there (another file system).
    pub fn link_pooled(&self, digest: &Digest, target: &Path) -> bool {
        let Some(pool) = &self.pool else { return false };
        std::fs::hard_link(pooled_name(pool.path(), digest), target).is_ok()
    }

    /// Adds `stored`, a complete blob that will never change in place (a content store
    /// replaces, never rewrites), to the pool.
    pub fn pool(&self, digest: &Digest, stored: &Path) {
        if let Some(pool) = &self.pool {
            // Already pooled, or not linkable: either way the next lab writes its own.
            let _ = std::fs::hard_link(stored, pooled_name(pool.path(), digest));
        }
    }

    /// The tar of layer `diff_id`.
    pub fn tar(
        &self,
        diff_id: &Digest,
        read: impl FnOnce() -> io::Result<Arc<[u8]>>,
    ) -> io::Result<Arc<[u8]>> {
        self.entry(diff_id).tar(read)
    }

    /// Layer `diff_id` parsed by `parse`; a tar that does not parse is not kept, so
    /// every engine that asks gets the error.
    pub fn parsed<E>(
        &self,
        diff_id: &Digest,
        read: impl FnOnce() -> io::Result<Arc<[u8]>>,
        parse: impl FnOnce(Arc<[u8]>) -> Result<Layer, E>,
    ) -> io::Result<Result<Arc<Layer>, E>> {
        let entry = self.entry(diff_id);
        if let Some(layer) = entry.parsed.get() {
            return Ok(Ok(layer.clone()));
        }
        let tar = entry.tar(read)?;
        Ok(super::budget::exempt(|| {
            parse(tar).map(|layer| entry.parsed.get_or_init(|| Arc::new(layer)).clone())
        }))
    }

    /// Layer `diff_id` compressed by `compress`, with the digest of the result.
    pub fn compressed(
        &self,
        diff_id: &Digest,
        read: impl FnOnce() -> io::Result<Arc<[u8]>>,
        compress: impl FnOnce(&[u8]) -> Vec<u8>,
    ) -> io::Result<(Digest, Arc<[u8]>)> {
        let entry = self.entry(diff_id);
        if let Some(compressed) = entry.compressed.get() {
            return Ok(compressed.clone());
        }
        let tar = entry.tar(read)?;
        Ok(entry
            .compressed
            .get_or_init(|| {
                let bytes = super::budget::exempt(|| compress(&tar));
                (Digest::sha256(&bytes), Arc::from(bytes))
            })
            .clone())
    }
}

fn pooled_name(pool: &Path, digest: &Digest) -> std::path::PathBuf {
    pool.join(format!("{}-{}", digest.algorithm().name(), digest.hex()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar() -> io::Result<Arc<[u8]>> {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_ustar();
        header.set_size(2);
        header.set_mode(0o644);
        builder.append_data(&mut header, "a.txt", &b"hi"[..])?;
        Ok(Arc::from(builder.into_inner()?))
    }

    #[test]
    fn each_layer_is_read_parsed_and_compressed_once() {
        let shared = SharedLayers::new();
        let diff_id = Digest::sha256(&tar().unwrap());
        let first = shared
            .parsed(&diff_id, tar, Layer::from_tar)
            .unwrap()
            .unwrap();
        let again = shared
            .parsed(
                &diff_id,
                || panic!("read again"),
                |_| -> Result<Layer, ()> { panic!("parsed again") },
            )
            .unwrap()
            .unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        let (digest, gz) = shared
            .compressed(&diff_id, || panic!("read again"), |t| t.to_vec())
            .unwrap();
        assert_eq!(digest, Digest::sha256(&gz));
        let (same, _) = shared
            .compressed(
                &diff_id,
                || panic!("read again"),
                |_| panic!("compressed again"),
            )
            .unwrap();
        assert_eq!(same, digest);
    }

    #[test]
    fn a_tar_that_does_not_parse_is_not_kept_parsed() {
        let shared = SharedLayers::new();
        let diff_id = Digest::sha256(b"junk");
        let junk = || Ok(Arc::from(&b"junk"[..]));
        assert!(
            shared
                .parsed(&diff_id, junk, Layer::from_tar)
                .unwrap()
                .is_err()
        );
        assert!(
            shared
                .parsed(&diff_id, junk, Layer::from_tar)
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn a_pooled_blob_is_linked_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let digest = Digest::sha256(b"blob");
        let stored = dir.path().join("stored");
        std::fs::write(&stored, b"blob").unwrap();
        let unpooled = SharedLayers::new();
        unpooled.pool(&digest, &stored);
        assert!(!unpooled.link_pooled(&digest, &dir.path().join("nowhere")));

        let shared = SharedLayers::with_pool_in(dir.path()).unwrap();
        let target = dir.path().join("linked");
        assert!(!shared.link_pooled(&digest, &target));
        shared.pool(&digest, &stored);
        std::fs::remove_file(&stored).unwrap();
        assert!(shared.link_pooled(&digest, &target));
        assert_eq!(std::fs::read(&target).unwrap(), b"blob");
    }
}
