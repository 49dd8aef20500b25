//! `docker save`: images as one tar that `docker load` (Docker 25 and later, and the
//! engine itself) reads: an OCI image layout (`oci-layout`, `index.json`, `blobs/`)
//! plus Docker's `manifest.json` and `repositories`.

use super::Engine;
use super::digest::Digest;
use super::error::{EngineError, Result};
use super::reference;
use serde_json::json;
use std::collections::BTreeMap;

const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
const LAYER_MEDIA_TYPE: &str = "application/vnd.oci.image.layer.v1.tar";
const CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";

impl Engine {
    /// `GET /images/get?names=`: the named images, their configs and layers, as a tar.
    pub fn save_images(&self, names: &[String]) -> Result<Vec<u8>> {
        let mut blobs: BTreeMap<String, Vec<u8>> = BTreeMap::new();
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
                    .content
                    .read(diff_id)
                    .map_err(|e| EngineError::CorruptState {
                        path: self.content.blob_path(diff_id),
                        reason: format!("layer blob: {e}"),
                    })?;
                layer_descriptors.push(json!({
                    "mediaType": LAYER_MEDIA_TYPE,
                    "digest": diff_id.to_string(),
                    "size": bytes.len(),
                }));
                layer_paths.push(format!("blobs/sha256/{}", diff_id.hex()));
                blobs.insert(diff_id.hex().to_string(), bytes);
            }
            let manifest = serde_json::to_vec(&json!({
                "schemaVersion": 2,
                "mediaType": MANIFEST_MEDIA_TYPE,
                "config": {"mediaType": CONFIG_MEDIA_TYPE, "digest": id.to_string(), "size": config.len()},
                "layers": layer_descriptors,
            }))
            .expect("JSON values always serialise");
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
            blobs.insert(id.hex().to_string(), config);
            blobs.insert(manifest_digest.hex().to_string(), manifest);
        }
        let mut builder = tar::Builder::new(Vec::new());
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
