//! Reading an image as the lab tools get it: a `docker save` tar (OCI layout plus
//! Docker's `manifest.json`), its config JSON and its layer tars, parsed once into
//! [`SavedImage`]. Owns nothing else; the tools decide what to show.

use crate::engine::fs::{Layer, LayerEntry, NodeKind};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::sync::Arc;

/// One row of the config's `history`.
#[derive(Clone, Debug, Default)]
pub struct HistoryRow {
    pub created_by: String,
    pub empty_layer: bool,
}

/// One layer of the image, base first.
pub struct SavedLayer {
    /// Its path in the save tar (`blobs/sha256/<hex>`).
    pub tar_path: String,
    /// `rootfs.diff_ids[i]` of the config (`sha256:...`), empty when missing.
    pub diff_id: String,
    /// The names of the layer tar's entries, in tar order, as stored (`etc/`, `etc/hosts`).
    pub names: Vec<String>,
    pub layer: Layer,
}

impl SavedLayer {
    /// The bytes of regular files this layer carries (what the layer tar's headers add up to).
    pub fn file_size(&self) -> u64 {
        self.layer
            .entries()
            .values()
            .filter_map(LayerEntry::node)
            .map(|node| match &node.kind {
                NodeKind::File(content) => content.len(),
                _ => 0,
            })
            .sum()
    }
}

pub struct SavedImage {
    pub repo_tags: Vec<String>,
    pub config: Value,
    pub history: Vec<HistoryRow>,
    pub layers: Vec<SavedLayer>,
}

impl SavedImage {
    /// Parses a `docker save` tar. Errors are one line, for the tool to print.
    pub fn parse(bytes: &[u8]) -> Result<SavedImage, String> {
        let mut files: HashMap<String, Vec<u8>> = HashMap::new();
        let mut archive = tar::Archive::new(Cursor::new(bytes));
        let entries = archive.entries().map_err(|e| e.to_string())?;
        for entry in entries {
            let mut entry = entry.map_err(|e| e.to_string())?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let mut body = Vec::new();
            entry.read_to_end(&mut body).map_err(|e| e.to_string())?;
            files.insert(name.trim_start_matches("./").to_string(), body);
        }
        let manifest = files
            .get("manifest.json")
            .ok_or("could not find image manifest")?;
        let manifest: Value = serde_json::from_slice(manifest).map_err(|e| e.to_string())?;
        let first = manifest
            .get(0)
            .ok_or("could not find image manifest")?
            .clone();
        let config_path = first["Config"].as_str().unwrap_or_default();
        let config_bytes = files
            .get(config_path)
            .ok_or("could not find image config")?;
        let config: Value = serde_json::from_slice(config_bytes).map_err(|e| e.to_string())?;
        let repo_tags = strings(&first["RepoTags"]);
        let diff_ids = strings(&config["rootfs"]["diff_ids"]);
        let history = config["history"]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|row| HistoryRow {
                        created_by: row["created_by"].as_str().unwrap_or_default().to_string(),
                        empty_layer: row["empty_layer"].as_bool().unwrap_or(false),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut layers = Vec::new();
        for (index, path) in strings(&first["Layers"]).into_iter().enumerate() {
            let body = files
                .remove(&path)
                .ok_or_else(|| format!("could not find '{path}' in parsed layers"))?;
            let names = entry_names(&body)?;
            let layer = Layer::from_tar(Arc::from(body)).map_err(|e| e.to_string())?;
            layers.push(SavedLayer {
                tar_path: path,
                diff_id: diff_ids.get(index).cloned().unwrap_or_default(),
                names,
                layer,
            });
        }
        Ok(SavedImage {
            repo_tags,
            config,
            history,
            layers,
        })
    }

    /// The history row of each layer, matched as both tools do: layers in order against
    /// the rows that are not `empty_layer`.
    pub fn layer_history(&self) -> Vec<Option<&HistoryRow>> {
        let mut rows = self.history.iter().filter(|row| !row.empty_layer);
        self.layers.iter().map(|_| rows.next()).collect()
    }

    /// `config.<key>` of the image config (`Env`, `User`, `ExposedPorts`, ...).
    pub fn container_config(&self, key: &str) -> &Value {
        &self.config["config"][key]
    }
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn entry_names(body: &[u8]) -> Result<Vec<String>, String> {
    let mut archive = tar::Archive::new(Cursor::new(body));
    let mut names = Vec::new();
    for entry in archive.entries().map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.header().entry_type().is_pax_global_extensions() {
            continue;
        }
        names.push(String::from_utf8_lossy(&entry.path_bytes()).into_owned());
    }
    Ok(names)
}
