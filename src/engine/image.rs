//! The image store: which images exist, the names (tags and digests) that point at them,
//! and the layers they share. Metadata only; the bytes live in the content store.
//!
//! Images are identified as Docker identifies them: the image ID is the sha256 of the
//! exact config JSON. Names are kept fully qualified (`docker.io/library/ubuntu:18.04`)
//! and shown familiar (`ubuntu:18.04`) by the layers above.

use super::digest::Digest;
use super::error::{EngineError, Result};
use super::reference::{self, Reference};
use bollard_stubs::models::ImageConfig;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// The config JSON of an image, as Docker and OCI write it (the fields we read).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConfigFile {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub config: Option<ImageConfig>,
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    pub rootfs: RootFs,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HistoryEntry {
    #[serde(default)]
    pub created: Option<String>,
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub empty_layer: bool,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub author: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RootFs {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub diff_ids: Vec<Digest>,
}

impl ConfigFile {
    pub fn parse(bytes: &[u8]) -> std::result::Result<ConfigFile, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// `created` as Unix seconds (0 when absent or unparseable, which Docker shows as N/A).
    pub fn created_unix(&self) -> i64 {
        parse_time(self.created.as_deref())
    }
}

pub fn parse_time(s: Option<&str>) -> i64 {
    s.and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

/// One image: its config, where its manifest is, and what we know of its layers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImageRecord {
    pub id: Digest,
    /// The manifest stored for this image, if any (pulled images, built images).
    #[serde(default)]
    pub manifest: Option<ManifestRef>,
    /// The image this one was built on, step by step (classic builder).
    #[serde(default)]
    pub parent: Option<Digest>,
    /// Fully qualified `name@sha256:…` names the image was pulled or pushed by.
    #[serde(default)]
    pub repo_digests: BTreeSet<String>,
    /// Layer diff IDs, base first.
    pub layers: Vec<Digest>,
    /// Unpacked size of all layers, as `docker images` shows it.
    pub size: u64,
    /// Unix seconds from the config's `created`.
    pub created: i64,
    /// RFC 3339 time of the last tag, as `docker image inspect` shows in Metadata.
    #[serde(default)]
    pub last_tag_time: Option<String>,
    /// Built by BuildKit: its steps are cache, not images (never listed), and its
    /// history does not walk a parent chain.
    #[serde(default)]
    pub buildkit: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestRef {
    pub digest: Digest,
    pub media_type: String,
    pub size: u64,
}

/// A layer as stored: its uncompressed tar is the blob with digest `diff_id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LayerRecord {
    pub diff_id: Digest,
    pub size: u64,
    pub unpacked_size: u64,
}

/// How a name given on the command line was resolved.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// By a name (tag or digest reference) that points at the image.
    Named(Reference),
    /// By an ID or an ID prefix.
    Id,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ImageStore {
    /// By image ID (`sha256:…`).
    images: BTreeMap<String, ImageRecord>,
    /// Fully qualified tag references (`docker.io/library/ubuntu:18.04`) to image IDs.
    tags: BTreeMap<String, Digest>,
    /// By diff ID.
    layers: BTreeMap<String, LayerRecord>,
    /// Compressed layer blobs known to be in registry repositories (full names), so a
    /// push can ask for a cross-repository mount instead of uploading again.
    #[serde(default)]
    remote_blobs: BTreeMap<String, BTreeSet<String>>,
}

impl ImageStore {
    pub fn images(&self) -> impl Iterator<Item = &ImageRecord> {
        self.images.values()
    }

    pub fn get(&self, id: &Digest) -> Option<&ImageRecord> {
        self.images.get(&id.to_string())
    }

    pub fn get_mut(&mut self, id: &Digest) -> Option<&mut ImageRecord> {
        self.images.get_mut(&id.to_string())
    }

    pub fn layer(&self, diff_id: &Digest) -> Option<&LayerRecord> {
        self.layers.get(&diff_id.to_string())
    }

    /// What `docker images` shows as the size of an image with these layers.
    pub fn unpacked_size(&self, diff_ids: &[Digest]) -> u64 {
        diff_ids
            .iter()
            .filter_map(|d| self.layer(d))
            .map(|l| l.unpacked_size)
            .sum()
    }

    pub fn insert_layer(&mut self, layer: LayerRecord) {
        self.layers.insert(layer.diff_id.to_string(), layer);
    }

    pub fn note_remote_blob(&mut self, digest: &Digest, repository: &str) {
        self.remote_blobs
            .entry(digest.to_string())
            .or_default()
            .insert(repository.to_string());
    }

    /// Registry repositories (full names) known to hold the blob `digest`.
    pub fn remote_sources(&self, digest: &Digest) -> Vec<String> {
        self.remote_blobs
            .get(&digest.to_string())
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub fn insert_image(&mut self, image: ImageRecord) {
        self.images.insert(image.id.to_string(), image);
    }

    /// Fully qualified tag names pointing at `id`, sorted.
    pub fn tags_of(&self, id: &Digest) -> Vec<String> {
        self.tags
            .iter()
            .filter(|(_, target)| *target == id)
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Every name (tags, then digest references) pointing at `id`.
    pub fn references_of(&self, id: &Digest) -> Vec<String> {
        let mut refs = self.tags_of(id);
        if let Some(image) = self.get(id) {
            refs.extend(image.repo_digests.iter().cloned());
        }
        refs
    }

    pub fn tag_target(&self, name: &str) -> Option<&Digest> {
        self.tags.get(name)
    }

    /// Points the fully qualified `name:tag` at `id`, replacing what it pointed at.
    pub fn set_tag(&mut self, name: String, id: Digest, now: &str) {
        if let Some(image) = self.images.get_mut(&id.to_string()) {
            image.last_tag_time = Some(now.to_string());
        }
        self.tags.insert(name, id);
    }

    pub fn remove_tag(&mut self, name: &str) -> Option<Digest> {
        self.tags.remove(name)
    }

    pub fn all_tags(&self) -> &BTreeMap<String, Digest> {
        &self.tags
    }

    /// Images built directly on `id`.
    pub fn children(&self, id: &Digest) -> Vec<&ImageRecord> {
        self.images
            .values()
            .filter(|i| i.parent.as_ref() == Some(id))
            .collect()
    }

    /// Resolves what a user typed (`ubuntu`, `ubuntu:18.04`, `ubuntu@sha256:…`, an ID, an
    /// ID prefix, `sha256:<id>`) the way Docker's daemon does.
    pub fn lookup(&self, name: &str) -> Result<(Digest, Lookup)> {
        // A full 64-hex ID, bare or with its algorithm, names an image by ID.
        let as_id = if is_full_hex_id(name) {
            format!("sha256:{name}").parse::<Digest>().ok()
        } else {
            name.parse::<Digest>().ok()
        };
        if let Some(id) = as_id {
            return match self.get(&id) {
                Some(_) => Ok((id, Lookup::Id)),
                None => Err(EngineError::NoSuchImage(name.to_string())),
            };
        }
        let parsed = reference::parse_normalized(name)
            .map_err(|e| EngineError::InvalidReference(e.to_string()))?;
        if let Some(digest) = parsed.digest() {
            let wanted = format!("{}@{}", parsed.full_name(), digest);
            if let Some(image) = self
                .images
                .values()
                .find(|i| i.repo_digests.contains(&wanted))
            {
                return Ok((image.id.clone(), Lookup::Named(parsed)));
            }
        } else {
            let tagged = parsed.clone().with_default_tag();
            if let Some(id) = self.tags.get(&tagged.to_string()) {
                return Ok((id.clone(), Lookup::Named(tagged)));
            }
        }
        if let Some(id) = self.search_id_prefix(name) {
            return Ok((id, Lookup::Id));
        }
        Err(EngineError::NoSuchImage(
            parsed.with_default_tag().familiar_string(),
        ))
    }

    /// A unique image whose ID starts with `prefix` (hex, optionally `sha256:`-prefixed).
    fn search_id_prefix(&self, prefix: &str) -> Option<Digest> {
        let hex = prefix.strip_prefix("sha256:").unwrap_or(prefix);
        if hex.is_empty()
            || !hex
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return None;
        }
        let mut found = self
            .images
            .values()
            .filter(|i| i.id.hex().starts_with(hex))
            .map(|i| i.id.clone());
        let first = found.next()?;
        match found.next() {
            Some(_) => None,
            None => Some(first),
        }
    }

    /// Removes an image record (not its names) and returns the layers no remaining image
    /// uses, as chain IDs in Docker's order (the top layer first).
    pub fn remove_image(&mut self, id: &Digest) -> Vec<Digest> {
        let Some(image) = self.images.remove(&id.to_string()) else {
            return Vec::new();
        };
        let still_used: BTreeSet<String> = self
            .images
            .values()
            .flat_map(|i| chain_ids(&i.layers))
            .map(|d| d.to_string())
            .collect();
        let mut removed = Vec::new();
        for (diff_id, chain_id) in image.layers.iter().zip(chain_ids(&image.layers)).rev() {
            if !still_used.contains(&chain_id.to_string()) {
                removed.push(chain_id);
                // The blob can go only when no other chain still has this diff.
                let diff_in_use = self.images.values().any(|i| i.layers.contains(diff_id));
                if !diff_in_use {
                    self.layers.remove(&diff_id.to_string());
                }
            }
        }
        removed
    }

    /// Digests of every blob some image still needs: configs, manifests, layers.
    pub fn live_blobs(&self) -> BTreeSet<Digest> {
        let mut live = BTreeSet::new();
        for image in self.images.values() {
            live.insert(image.id.clone());
            if let Some(m) = &image.manifest {
                live.insert(m.digest.clone());
            }
            live.extend(image.layers.iter().cloned());
        }
        live
    }
}

fn is_full_hex_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// An OCI manifest of layers as this engine stores them (uncompressed tars named by
/// DiffID), so the state directory stays a valid OCI layout.
pub fn local_manifest(config: &Digest, config_size: usize, layers: &[(Digest, u64)]) -> Vec<u8> {
    use super::hub::{CONFIG_MEDIA_TYPE, LAYER_MEDIA_TYPE, MANIFEST_MEDIA_TYPE};
    serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "config": {"mediaType": CONFIG_MEDIA_TYPE, "digest": config.to_string(), "size": config_size},
        "layers": layers.iter().map(|(digest, size)| json!({
            "mediaType": LAYER_MEDIA_TYPE, "digest": digest.to_string(), "size": size,
        })).collect::<Vec<_>>(),
    }))
    .expect("JSON values always serialise")
}

/// Docker's layer chain IDs: the first is the diff ID, each next one
/// `sha256(parent_chain_id + " " + diff_id)`.
pub fn chain_ids(diff_ids: &[Digest]) -> Vec<Digest> {
    let mut out: Vec<Digest> = Vec::with_capacity(diff_ids.len());
    for diff in diff_ids {
        let next = match out.last() {
            None => diff.clone(),
            Some(parent) => Digest::sha256(format!("{parent} {diff}").as_bytes()),
        };
        out.push(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &Digest, layers: &[Digest]) -> ImageRecord {
        ImageRecord {
            id: id.clone(),
            manifest: None,
            parent: None,
            repo_digests: BTreeSet::new(),
            layers: layers.to_vec(),
            size: 0,
            created: 0,
            last_tag_time: None,
            buildkit: false,
        }
    }

    #[test]
    fn chain_ids_follow_docker() {
        let a = Digest::sha256(b"a");
        let b = Digest::sha256(b"b");
        let chain = chain_ids(&[a.clone(), b.clone()]);
        assert_eq!(chain[0], a);
        assert_eq!(chain[1], Digest::sha256(format!("{a} {b}").as_bytes()));
    }

    #[test]
    fn lookup_by_tag_id_and_prefix() {
        let mut store = ImageStore::default();
        let id = Digest::sha256(b"config");
        store.insert_image(record(&id, &[]));
        store.set_tag("docker.io/library/ubuntu:18.04".into(), id.clone(), "now");
        assert_eq!(store.lookup("ubuntu:18.04").unwrap().0, id);
        assert_eq!(store.lookup(&id.hex()[..6]).unwrap().0, id);
        assert_eq!(store.lookup(id.hex()).unwrap().0, id);
        assert_eq!(store.lookup(&id.to_string()).unwrap().0, id);
        let err = store.lookup("ubuntu").unwrap_err();
        assert_eq!(err.to_string(), "No such image: ubuntu:latest");
    }

    #[test]
    fn shared_layers_survive_removal_of_one_image() {
        let mut store = ImageStore::default();
        let base = Digest::sha256(b"base");
        let top = Digest::sha256(b"top");
        for d in [&base, &top] {
            store.insert_layer(LayerRecord {
                diff_id: d.clone(),
                size: 1,
                unpacked_size: 1,
            });
        }
        let a = Digest::sha256(b"a");
        let b = Digest::sha256(b"b");
        store.insert_image(record(&a, std::slice::from_ref(&base)));
        store.insert_image(record(&b, &[base.clone(), top.clone()]));
        let removed = store.remove_image(&b);
        assert_eq!(
            removed,
            vec![chain_ids(&[base.clone(), top.clone()])[1].clone()]
        );
        assert!(store.layer(&base).is_some());
        assert!(store.layer(&top).is_none());
        assert_eq!(store.remove_image(&a), vec![base.clone()]);
    }
}
