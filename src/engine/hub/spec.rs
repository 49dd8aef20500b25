//! The shape of a catalog entry: an image's layers (as tree recipes), config and history.
//!
//! Owns the types the catalog tables are written in and the JSON they turn into (image
//! config and OCI manifest, with Go's field order and escaping). Generates no bytes of
//! layers itself.

use super::tree::Tree;
use crate::engine::digest::Digest;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A recipe for one layer's file tree.
pub type Recipe = Arc<dyn Fn(&mut Tree) + Send + Sync>;

/// One layer: every entry's mtime is `built`; the recipe builds the tree.
#[derive(Clone)]
pub struct LayerSpec {
    /// Seconds since the epoch.
    pub built: u64,
    pub recipe: Recipe,
}

impl LayerSpec {
    pub fn new(built: &str, recipe: impl Fn(&mut Tree) + Send + Sync + 'static) -> LayerSpec {
        LayerSpec {
            built: epoch(built),
            recipe: Arc::new(recipe),
        }
    }

    pub fn tree(&self) -> Tree {
        let mut tree = Tree::new(self.built);
        (self.recipe)(&mut tree);
        tree
    }
}

/// Seconds since the epoch of an RFC 3339 time written in the catalog.
pub fn epoch(rfc3339: &str) -> u64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|e| panic!("catalog time {rfc3339:?}: {e}"))
        .timestamp()
        .try_into()
        .expect("catalog times are after 1970")
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Builder {
    /// `docker build` before BuildKit: the config carries every container.Config field
    /// and `docker_version`.
    Classic { docker_version: &'static str },
    /// BuildKit (or any modern tool): OCI field order, empty fields left out.
    Modern,
}

#[derive(Clone, Debug)]
pub struct HistoryRow {
    pub created: String,
    pub created_by: String,
    pub comment: Option<String>,
    pub empty_layer: bool,
}

impl HistoryRow {
    /// A classic-builder row: `/bin/sh -c #(nop) ...` or a RUN.
    pub fn classic(created: &str, created_by: impl Into<String>, empty_layer: bool) -> HistoryRow {
        HistoryRow {
            created: created.to_string(),
            created_by: created_by.into(),
            comment: None,
            empty_layer,
        }
    }

    /// A BuildKit row, commented `buildkit.dockerfile.v0`.
    pub fn buildkit(created: &str, created_by: impl Into<String>, empty_layer: bool) -> HistoryRow {
        HistoryRow {
            created: created.to_string(),
            created_by: created_by.into(),
            comment: Some("buildkit.dockerfile.v0".to_string()),
            empty_layer,
        }
    }
}

/// The runtime part of an image config, in the order Docker's Dockerfile sets it.
#[derive(Clone, Debug, Default)]
pub struct RunConfig {
    pub user: String,
    pub exposed_ports: Vec<String>,
    pub env: Vec<String>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub volumes: Vec<String>,
    pub working_dir: String,
    pub labels: Vec<(String, String)>,
    pub stop_signal: Option<String>,
}

pub const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// One image in the catalog.
#[derive(Clone)]
pub struct ImageSpec {
    pub created: String,
    pub builder: Builder,
    pub config: RunConfig,
    pub history: Vec<HistoryRow>,
    pub layers: Vec<LayerSpec>,
}

impl ImageSpec {
    /// Appends a layer and its history row.
    pub fn layer(&mut self, row: HistoryRow, layer: LayerSpec) -> &mut Self {
        assert!(!row.empty_layer);
        self.history.push(row);
        self.layers.push(layer);
        self
    }

    /// Appends a metadata-only history row.
    pub fn meta(&mut self, row: HistoryRow) -> &mut Self {
        assert!(row.empty_layer);
        self.history.push(row);
        self
    }
}

#[derive(Serialize)]
struct EmptyObject {}

type Set = Option<BTreeMap<String, EmptyObject>>;

fn set(items: &[String]) -> Set {
    (!items.is_empty()).then(|| items.iter().map(|k| (k.clone(), EmptyObject {})).collect())
}

fn labels(items: &[(String, String)]) -> Option<BTreeMap<String, String>> {
    (!items.is_empty()).then(|| items.iter().cloned().collect())
}

/// Go's `container.Config`, every field, as the classic builder wrote it.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ClassicConfig<'a> {
    hostname: &'a str,
    domainname: &'a str,
    user: &'a str,
    attach_stdin: bool,
    attach_stdout: bool,
    attach_stderr: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    exposed_ports: Set,
    tty: bool,
    open_stdin: bool,
    stdin_once: bool,
    env: &'a [String],
    cmd: &'a Option<Vec<String>>,
    image: String,
    volumes: Set,
    working_dir: &'a str,
    entrypoint: &'a Option<Vec<String>>,
    on_build: Option<Vec<String>>,
    labels: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_signal: &'a Option<String>,
}

/// The OCI image-spec `config` object, as BuildKit and current Docker write it.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ModernConfig<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    user: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    exposed_ports: Set,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    env: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    entrypoint: &'a Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cmd: &'a Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    volumes: Set,
    #[serde(skip_serializing_if = "str::is_empty")]
    working_dir: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    labels: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stop_signal: &'a Option<String>,
}

#[derive(Serialize)]
struct History<'a> {
    created: &'a str,
    created_by: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: &'a Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    empty_layer: bool,
}

#[derive(Serialize)]
struct RootFs<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    diff_ids: &'a [Digest],
}

#[derive(Serialize)]
struct ImageConfig<'a, C: Serialize> {
    architecture: &'a str,
    config: C,
    created: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    docker_version: Option<&'a str>,
    history: Vec<History<'a>>,
    os: &'a str,
    rootfs: RootFs<'a>,
}

impl ImageSpec {
    /// The image config JSON, byte for byte as Docker would have stored it.
    pub fn config_json(&self, diff_ids: &[Digest]) -> Vec<u8> {
        let history = self
            .history
            .iter()
            .map(|row| History {
                created: &row.created,
                created_by: &row.created_by,
                comment: &row.comment,
                empty_layer: row.empty_layer,
            })
            .collect();
        let rootfs = RootFs {
            kind: "layers",
            diff_ids,
        };
        let c = &self.config;
        let json = match self.builder {
            Builder::Classic { docker_version } => {
                // The classic builder recorded the image ID of the step before the last.
                let parent = self
                    .history
                    .iter()
                    .map(|r| r.created_by.as_str())
                    .collect::<Vec<_>>();
                let image = Digest::sha256(parent.join("\n").as_bytes()).to_string();
                serde_json::to_string(&ImageConfig {
                    architecture: "amd64",
                    config: ClassicConfig {
                        hostname: "",
                        domainname: "",
                        user: &c.user,
                        attach_stdin: false,
                        attach_stdout: false,
                        attach_stderr: false,
                        exposed_ports: set(&c.exposed_ports),
                        tty: false,
                        open_stdin: false,
                        stdin_once: false,
                        env: &c.env,
                        cmd: &c.cmd,
                        image,
                        volumes: set(&c.volumes),
                        working_dir: &c.working_dir,
                        entrypoint: &c.entrypoint,
                        on_build: None,
                        labels: labels(&c.labels),
                        stop_signal: &c.stop_signal,
                    },
                    created: &self.created,
                    docker_version: Some(docker_version),
                    history,
                    os: "linux",
                    rootfs,
                })
            }
            Builder::Modern => serde_json::to_string(&ImageConfig {
                architecture: "amd64",
                config: ModernConfig {
                    user: &c.user,
                    exposed_ports: set(&c.exposed_ports),
                    env: &c.env,
                    entrypoint: &c.entrypoint,
                    cmd: &c.cmd,
                    volumes: set(&c.volumes),
                    working_dir: &c.working_dir,
                    labels: labels(&c.labels),
                    stop_signal: &c.stop_signal,
                },
                created: &self.created,
                docker_version: None,
                history,
                os: "linux",
                rootfs,
            }),
        }
        .expect("image configs serialise");
        go_escape(&json).into_bytes()
    }
}

/// Go's encoding/json escapes `<`, `>` and `&` even inside strings; they can only occur
/// inside strings in JSON, so a plain replacement is exact.
fn go_escape(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    media_type: &'a str,
    digest: &'a Digest,
    size: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Manifest<'a> {
    schema_version: u32,
    media_type: &'a str,
    config: Descriptor<'a>,
    layers: Vec<Descriptor<'a>>,
}

pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.oci.image.layer.v1.tar";

/// The OCI image manifest for a config and uncompressed layers `(digest, size)`.
pub fn manifest_json(
    config_digest: &Digest,
    config_size: u64,
    layers: &[(Digest, u64)],
) -> Vec<u8> {
    let manifest = Manifest {
        schema_version: 2,
        media_type: MANIFEST_MEDIA_TYPE,
        config: Descriptor {
            media_type: CONFIG_MEDIA_TYPE,
            digest: config_digest,
            size: config_size,
        },
        layers: layers
            .iter()
            .map(|(digest, size)| Descriptor {
                media_type: LAYER_MEDIA_TYPE,
                digest,
                size: *size,
            })
            .collect(),
    };
    serde_json::to_vec(&manifest).expect("manifests serialise")
}
