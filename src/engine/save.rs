//! `docker save`: images as one tar that `docker load` (Docker 25 and later, and the
//! engine itself) reads: an OCI image layout (`oci-layout`, `index.json`, `blobs/`)
//! plus Docker's `manifest.json` and `repositories`.

use super::Engine;
use super::digest::Digest;
use super::error::{EngineError, Result};
use super::image::local_manifest;
use super::reference;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::hub::MANIFEST_MEDIA_TYPE;

impl Engine {
    /// The tars of image `name`'s layers, bottom first: what `docker save` would carry,
    /// without the copy into one archive (the bytes are the engine's own, shared).
    pub fn image_layer_tars(&self, name: &str) -> Result<Vec<Arc<[u8]>>> {
        let (id, _) = self.images.lookup(name)?;
        let image = self.images.get(&id).expect("looked up");
        image
            .layers
            .iter()
            .map(|diff_id| {
                self.layer_tar(diff_id)
                    .map_err(|e| EngineError::CorruptState {
                        path: self.content.blob_path(diff_id),
                        reason: format!("layer blob: {e}"),
                    })
            })
            .collect()
    }

    /// `GET /images/get?names=`: the named images, their configs and layers, as a tar.
    pub fn save_images(&self, names: &[String]) -> Result<Vec<u8>> {
        let mut blobs: BTreeMap<String, Arc<[u8]>> = BTreeMap::new();
        let mut index_entries = Vec::new();
        let mut docker_manifest = Vec::new();
        let mut repositories: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for name in names {
            let (id, _) = self.images.lookup(name)?;
            let image = self.images.get(&id).expect("looked up");
            let config = self.content.read(&id)?;
            let mut layer_descriptors = Vec::new();
            let mut layer_paths = Vec::new();
            for diff_id in &image.layers {
                let bytes = self
                    .layer_tar(diff_id)
                    .map_err(|e| EngineError::CorruptState {
                        path: self.content.blob_path(diff_id),
                        reason: format!("layer blob: {e}"),
                    })?;
                layer_descriptors.push((diff_id.clone(), bytes.len() as u64));
                layer_paths.push(format!("blobs/sha256/{}", diff_id.hex()));
                blobs.insert(diff_id.hex().to_string(), bytes);
            }
            let manifest = local_manifest(&id, config.len(), &layer_descriptors);
            let manifest_digest = Digest::sha256(&manifest);
            // The tags named (or all of the image's tags when it was named by ID).
            let tags: Vec<String> = match reference::parse_normalized(name) {
                Ok(r)
                    if !name.starts_with("sha256:")
                        && self
                            .images
                            .tag_target(&r.clone().with_default_tag().to_string())
                            == Some(&id) =>
                {
                    vec![r.with_default_tag().familiar_string()]
                }
                _ => self
                    .images
                    .tags_of(&id)
                    .iter()
                    .filter_map(|t| reference::parse_normalized(t).ok())
                    .map(|r| r.familiar_string())
                    .collect(),
            };
            for tag in &tags {
                index_entries.push(json!({
                    "mediaType": MANIFEST_MEDIA_TYPE,
                    "digest": manifest_digest.to_string(),
                    "size": manifest.len(),
                    "annotations": {
                        "io.containerd.image.name": reference::parse_normalized(tag).map(|r| r.to_string()).unwrap_or_default(),
                        "org.opencontainers.image.ref.name": tag.rsplit_once(':').map(|(_, t)| t).unwrap_or("latest"),
                    },
                }));
                if let Some((repo, t)) = tag.rsplit_once(':') {
                    repositories
                        .entry(repo.to_string())
                        .or_default()
                        .insert(t.to_string(), id.hex().to_string());
                }
            }
            if tags.is_empty() {
                index_entries.push(json!({
                    "mediaType": MANIFEST_MEDIA_TYPE,
                    "digest": manifest_digest.to_string(),
                    "size": manifest.len(),
                }));
            }
            docker_manifest.push(json!({
                "Config": format!("blobs/sha256/{}", id.hex()),
                "RepoTags": tags,
                "Layers": layer_paths,
            }));
            blobs.insert(id.hex().to_string(), config.into());
            blobs.insert(manifest_digest.hex().to_string(), manifest.into());
        }
        // Sized for the blobs up front: growing a vector of hundreds of megabytes
        // copies it again at every doubling.
        let capacity: usize = blobs
            .values()
            .map(|b| b.len().div_ceil(512) * 512 + 512)
            .sum();
        let mut builder = tar::Builder::new(Vec::with_capacity(capacity + (16 << 10)));
        let mut add = |path: &str, data: &[u8]| -> std::io::Result<()> {
            let mut header = tar::Header::new_ustar();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(0);
            header.set_entry_type(tar::EntryType::Regular);
            builder.append_data(&mut header, path, data)
        };
        for (hex, bytes) in &blobs {
            add(&format!("blobs/sha256/{hex}"), bytes)?;
        }
        let index = json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": index_entries});
        add(
            "index.json",
            &serde_json::to_vec(&index).expect("serialises"),
        )?;
        add(
            "manifest.json",
            &serde_json::to_vec(&docker_manifest).expect("serialises"),
        )?;
        add("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#)?;
        if !repositories.is_empty() {
            add(
                "repositories",
                &serde_json::to_vec(&repositories).expect("serialises"),
            )?;
        }
        Ok(builder.into_inner()?)
    }
}

impl Engine {
    /// `POST /images/load`: images from a `docker save` archive (Docker's
    /// `manifest.json` layout, with blobs under any path it names). Returns the lines
    /// Docker prints: `Loaded image: name:tag`, or `Loaded image ID: sha256:…`.
    pub fn load_images(&mut self, archive: &[u8]) -> Result<Vec<String>> {
        let bad = |what: String| EngineError::BadRequest(format!("invalid tar header: {what}"));
        let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut reader = tar::Archive::new(archive);
        for entry in reader.entries().map_err(|e| bad(e.to_string()))? {
            let mut entry = entry.map_err(|e| bad(e.to_string()))?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let path = String::from_utf8_lossy(&entry.path_bytes())
                .trim_start_matches("./")
                .to_string();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut bytes).map_err(|e| bad(e.to_string()))?;
            files.insert(path, bytes);
        }
        let manifest = files.get("manifest.json").ok_or_else(|| {
            EngineError::BadRequest("open manifest.json: no such file or directory".into())
        })?;
        #[derive(serde::Deserialize)]
        struct Entry {
            #[serde(rename = "Config")]
            config: String,
            #[serde(rename = "RepoTags", default)]
            repo_tags: Option<Vec<String>>,
            #[serde(rename = "Layers", default)]
            layers: Vec<String>,
        }
        let entries: Vec<Entry> = serde_json::from_slice(manifest)
            .map_err(|e| EngineError::BadRequest(format!("invalid manifest.json: {e}")))?;
        let mut report = Vec::new();
        for entry in entries {
            let config = files
                .get(&entry.config)
                .ok_or_else(|| EngineError::BadRequest(format!("missing config {}", entry.config)))?
                .clone();
            let parsed = super::image::ConfigFile::parse(&config)
                .map_err(|e| EngineError::BadRequest(format!("invalid image config: {e}")))?;
            if parsed.rootfs.diff_ids.len() != entry.layers.len() {
                return Err(EngineError::BadRequest(
                    "the manifest's layers do not match the config's diff IDs".into(),
                ));
            }
            for (path, diff_id) in entry.layers.iter().zip(&parsed.rootfs.diff_ids) {
                let blob = files
                    .get(path)
                    .ok_or_else(|| EngineError::BadRequest(format!("missing layer {path}")))?;
                let tar = super::fs::uncompressed(std::sync::Arc::from(blob.clone()), 8 << 30)
                    .map_err(|e| EngineError::BadRequest(format!("layer {path}: {e}")))?;
                if &Digest::sha256(&tar) != diff_id {
                    return Err(EngineError::BadRequest(format!(
                        "layer {path} does not match its diff ID {diff_id}"
                    )));
                }
                let layer = super::fs::Layer::from_tar(tar.clone())
                    .map_err(|e| EngineError::BadRequest(format!("layer {path}: {e}")))?;
                self.content.put_trusted(diff_id, &tar)?;
                self.images.insert_layer(super::image::LayerRecord {
                    diff_id: diff_id.clone(),
                    size: tar.len() as u64,
                    unpacked_size: layer.unpacked_size(),
                });
            }
            let id = self.content.put(&config)?;
            let size = self.images.unpacked_size(&parsed.rootfs.diff_ids);
            if self.images.get(&id).is_none() {
                self.images.insert_image(super::image::ImageRecord {
                    id: id.clone(),
                    manifest: None,
                    parent: None,
                    repo_digests: Default::default(),
                    layers: parsed.rootfs.diff_ids.clone(),
                    size,
                    created: parsed.created_unix(),
                    last_tag_time: None,
                    buildkit: false,
                });
            }
            let tags = entry.repo_tags.unwrap_or_default();
            let now = self.now_rfc3339();
            for tag in &tags {
                let named = reference::parse_normalized(tag)
                    .map_err(|e| EngineError::InvalidReference(e.to_string()))?
                    .with_default_tag();
                self.images.set_tag(named.to_string(), id.clone(), &now);
                report.push(format!("Loaded image: {}", named.familiar_string()));
            }
            if tags.is_empty() {
                report.push(format!("Loaded image ID: {id}"));
            }
        }
        self.save()?;
        Ok(report)
    }
}
