//! The config JSON of images the engine makes itself (build steps, `docker commit`), in
//! the classic builder's shape: Go's field order, `container_config` holding the step's
//! command (which the build cache compares), `parent` naming the previous step.

use crate::engine::digest::Digest;
use bollard_stubs::models::ContainerConfig;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImageConfigFile {
    pub architecture: String,
    pub config: ContainerConfig,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub container: String,
    #[serde(default)]
    pub container_config: ContainerConfig,
    pub created: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub docker_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub history: Vec<HistoryRow>,
    pub os: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    pub rootfs: RootFsJson,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct HistoryRow {
    pub created: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    pub created_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub empty_layer: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RootFsJson {
    #[serde(rename = "type")]
    pub kind: String,
    pub diff_ids: Vec<Digest>,
}

impl ImageConfigFile {
    /// The exact bytes whose sha256 is the image ID.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut value = serde_json::to_value(self).expect("configs always serialise");
        sort_maps(&mut value);
        let text = serde_json::to_string(&value).expect("values always serialise");
        // Go's encoding/json escapes these three in strings; the ID depends on the bytes.
        text.replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
            .into_bytes()
    }

    /// Reads any image config (pulled or built) into this shape, keeping what it has.
    pub fn from_bytes(bytes: &[u8]) -> Result<ImageConfigFile, serde_json::Error> {
        #[derive(Deserialize)]
        struct Loose {
            #[serde(default)]
            architecture: String,
            #[serde(default)]
            config: Option<ContainerConfig>,
            #[serde(default)]
            container_config: Option<ContainerConfig>,
            #[serde(default)]
            created: Option<String>,
            #[serde(default)]
            author: Option<String>,
            #[serde(default)]
            comment: Option<String>,
            #[serde(default)]
            history: Vec<HistoryRow>,
            #[serde(default)]
            os: String,
            rootfs: RootFsJson,
        }
        let loose: Loose = serde_json::from_slice(bytes)?;
        Ok(ImageConfigFile {
            architecture: loose.architecture,
            config: loose.config.unwrap_or_default(),
            container: String::new(),
            container_config: loose.container_config.unwrap_or_default(),
            created: loose.created.unwrap_or_default(),
            docker_version: String::new(),
            author: loose.author,
            comment: loose.comment,
            history: loose.history,
            os: loose.os,
            parent: None,
            rootfs: loose.rootfs,
        })
    }
}

/// Go writes map keys sorted; the models keep maps (labels) in hash order. Sorts the
/// objects that are maps in Docker's schema, wherever they sit, and leaves struct field
/// order alone.
pub fn sort_maps(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(fields) => {
            for (key, child) in fields.iter_mut() {
                if matches!(key.as_str(), "Labels" | "ExposedPorts" | "Volumes")
                    && let serde_json::Value::Object(map) = child
                {
                    map.sort_keys();
                }
                sort_maps(child);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(sort_maps),
        _ => {}
    }
}
