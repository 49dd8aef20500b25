//! The embedded Docker engine: content store, images, the simulated hub, containers and
//! the shell that runs inside them.
//!
//! It knows nothing above it: no clap, rustyline, owo-colors or bollard client. It speaks
//! the Docker Engine API's own model types (`bollard_stubs::models`), so the backends and
//! the API server serialise what it returns as they are.
//!
//! # State directory
//!
//! ```text
//! STATE/
//!   oci-layout, index.json, blobs/sha256/…   the content store (an OCI image layout)
//!   engine.json                             images, names, layers, containers (atomic)
//!   hub-cache/                              manifests the hub has already computed
//!   containers/, volumes/, registries/      writable layers, volumes, registry storage
//!   undo/pool/                              files kept for checkpoints (`checkpoint`)
//! ```
//! `engine.json` is the truth; `index.json` is rewritten from it after every change so
//! OCI tools can read the layout.

pub mod budget;
pub mod build;
mod checkpoint;
pub mod clock;
pub mod content;
pub mod digest;
pub mod disk_usage;
pub mod distribution;
pub mod dockerfile;
pub mod error;
pub mod fs;
pub mod health;
pub mod hub;
pub mod image;
pub mod names;
pub mod net;
pub mod program;
pub mod reference;
pub mod registry;
pub mod runtime;
mod save;
pub mod sessions;
pub mod shared_layers;
pub mod shell;
pub mod streams;
pub mod units;

mod containers_api;
mod images_api;
mod import_export;
mod ports;
pub mod volumes;

pub use checkpoint::{Checkpoint, prune_pool};
pub use images_api::glob_match;

use self::clock::{Clock, IdGenerator};
use self::content::{ContentStore, atomic_write};
use self::digest::Digest;
use self::error::{EngineError, Result};
use self::fs::{Layer, LayerStack};
use self::hub::Hub;
use self::image::ImageStore;
use self::runtime::ContainerStore;
use self::shared_layers::SharedLayers;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The Docker version whose behaviour the engine reproduces.
pub const DOCKER_VERSION: &str = "28.2.2";
/// The Engine API version it speaks.
pub const API_VERSION: &str = "1.50";

pub struct EngineOptions {
    pub state_dir: PathBuf,
    pub seed: Option<u64>,
    pub clock: Clock,
    /// Publish ports on the host port asked for when it is free (the interactive lab),
    /// not only on an ephemeral one.
    pub publish_on_host: bool,
    /// The host directory bind mounts may come from (the lab's workspace); None: no
    /// bind mounts at all.
    pub bind_root: Option<PathBuf>,
    /// Layers to share with the other engines given the same set (throwaway labs of one
    /// process); None: this engine reads and parses its layers alone.
    pub shared_layers: Option<Arc<SharedLayers>>,
}

/// What `engine.json` holds.
#[derive(Debug, Default, Serialize, Deserialize)]
struct PersistentState {
    version: u32,
    images: ImageStore,
    containers: ContainerStore,
    #[serde(default)]
    volumes: volumes::VolumeStore,
    #[serde(default)]
    networks: net::networks::NetworkStore,
}

const STATE_VERSION: u32 = 1;

pub struct Engine {
    state_dir: PathBuf,
    content: ContentStore,
    images: ImageStore,
    containers: ContainerStore,
    volumes: volumes::VolumeStore,
    networks: net::networks::NetworkStore,
    hub: Hub,
    clock: Clock,
    ids: IdGenerator,
    /// Network and endpoint IDs and MACs: a stream of their own, so seeded container
    /// IDs stay what they were before containers had networks.
    net_ids: IdGenerator,
    /// Registry credentials the client attached (`X-Registry-Auth`), by registry host.
    credentials: HashMap<String, registry::client::Credentials>,
    /// Parsed layers by diff ID: a build or a container reads each layer blob once.
    layer_cache: HashMap<Digest, Arc<Layer>>,
    /// Layers other engines of this process have read, parsed or compressed already.
    shared_layers: Option<Arc<SharedLayers>>,
    /// Interactive shells alive in running containers, by container ID.
    sessions: HashMap<String, sessions::Session>,
    /// Published ports and the services behind them.
    net: net::Network,
    /// Where bind mounts may come from.
    bind_root: Option<PathBuf>,
    /// The `index.json` last written: most saves change containers only, and the index
    /// (tags) need not be written again for them.
    written_index: std::cell::RefCell<Vec<u8>>,
    /// Containers' writable layers as last read or written, by container ID: `docker
    /// diff` and `commit` need not read and parse the tar again.
    upper_cache: std::cell::RefCell<HashMap<String, Layer>>,
    /// The images and volumes as last written durably: a save that changes only
    /// containers (their status, logs, layers on disk) skips the fsyncs.
    durable_records: std::cell::RefCell<Vec<u8>>,
    /// Bumped by every save: see [`Engine::generation`].
    generation: std::cell::Cell<u64>,
    /// Held while the engine lives: one docklab per state directory.
    _lock: std::fs::File,
}

/// Takes the state directory's lock, or says who holds it. The lock is the OS's
/// (released when the process ends, however it ends); the pid in the file is only for
/// the message.
fn lock_state_dir(dir: &Path) -> Result<std::fs::File> {
    use std::io::{Read, Seek, Write};
    let path = dir.join("lock");
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|source| EngineError::StateIo {
            path: path.clone(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => {
            let _ = file.set_len(0);
            let _ = file.seek(std::io::SeekFrom::Start(0));
            let _ = write!(file, "{}", std::process::id());
            Ok(file)
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            Err(EngineError::StateLocked {
                path: dir.to_path_buf(),
                holder: holder.trim().to_string(),
            })
        }
        Err(std::fs::TryLockError::Error(source)) => Err(EngineError::StateIo { path, source }),
    }
}

impl Engine {
    /// Opens (creating if needed) the engine state under `options.state_dir`. A damaged
    /// `engine.json` is reported, never silently replaced.
    pub fn open(options: EngineOptions) -> Result<Engine> {
        let dir = options.state_dir;
        let state_io = |source| EngineError::StateIo {
            path: dir.clone(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(state_io)?;
        let lock = lock_state_dir(&dir)?;
        let content = ContentStore::open(&dir).map_err(state_io)?;
        let state_path = dir.join("engine.json");
        let state = match std::fs::read(&state_path) {
            Ok(bytes) => checkpoint::parse_state(&state_path, &bytes)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => PersistentState {
                version: STATE_VERSION,
                ..Default::default()
            },
            Err(e) => return Err(state_io(e)),
        };
        let hub = Hub::new(Some(dir.join("hub-cache")));
        let mut engine = Engine {
            hub: match &options.shared_layers {
                Some(shared) => hub.sharing(shared.hub_manifests()),
                None => hub,
            },
            state_dir: dir,
            content,
            images: state.images,
            containers: state.containers,
            volumes: state.volumes,
            networks: state.networks,
            clock: options.clock,
            ids: IdGenerator::new(options.seed),
            net_ids: IdGenerator::new(options.seed.map(|s| s ^ 0x6e65_7477_6f72_6b73)),
            credentials: HashMap::new(),
            layer_cache: HashMap::new(),
            shared_layers: options.shared_layers,
            sessions: HashMap::new(),
            net: net::Network::new(options.publish_on_host),
            bind_root: options.bind_root,
            written_index: Default::default(),
            upper_cache: Default::default(),
            durable_records: Default::default(),
            generation: Default::default(),
            _lock: lock,
        };
        if engine.networks.all().next().is_none() {
            engine.ensure_predefined_networks();
            engine.save()?;
        }
        engine.resume_containers()?;
        Ok(engine)
    }

    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    pub fn content(&self) -> &ContentStore {
        &self.content
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Where to reach the registry a reference names (`localhost:5000`, `127.0.0.1:5000`):
    /// the one place push, pull and registry checks turn a registry host into a URL.
    pub fn registry_endpoint(&self, host: &str) -> String {
        // A registry published by a lab container on this port is served wherever the
        // host had room for it.
        if let Some((name, port)) = host.rsplit_once(':')
            && matches!(name, "localhost" | "127.0.0.1" | "[::1]")
            && let Some(addr) = port.parse().ok().and_then(|p| self.net.address(p))
        {
            return format!("http://{addr}");
        }
        format!("http://{host}")
    }

    /// Writes `engine.json`, then the OCI `index.json` derived from it, both atomically.
    fn save(&self) -> Result<()> {
        self.generation.set(self.generation.get() + 1);
        let state = PersistentStateRef {
            version: STATE_VERSION,
            images: &self.images,
            containers: &self.containers,
            volumes: &self.volumes,
            networks: &self.networks,
        };
        let bytes = serde_json::to_vec(&state).map_err(std::io::Error::other)?;
        let records =
            serde_json::to_vec(&(&self.images, &self.volumes)).map_err(std::io::Error::other)?;
        let path = self.state_dir.join("engine.json");
        if *self.durable_records.borrow() == records {
            content::replace_file(&path, &bytes)?;
        } else {
            atomic_write(&path, &bytes)?;
            *self.durable_records.borrow_mut() = records;
        }
        let index = self.oci_index();
        if *self.written_index.borrow() != index {
            self.content.write_index(&index)?;
            *self.written_index.borrow_mut() = index;
        }
        Ok(())
    }

    /// One index entry per tag, named the way containerd and skopeo read OCI layouts.
    fn oci_index(&self) -> Vec<u8> {
        let mut manifests = Vec::new();
        for (name, id) in self.images.all_tags() {
            let Some(image) = self.images.get(id) else {
                continue;
            };
            let Some(manifest) = &image.manifest else {
                continue;
            };
            let tag = name.rsplit_once(':').map(|(_, t)| t).unwrap_or("latest");
            manifests.push(serde_json::json!({
                "mediaType": manifest.media_type,
                "digest": manifest.digest.to_string(),
                "size": manifest.size,
                "annotations": {
                    "io.containerd.image.name": name,
                    "org.opencontainers.image.ref.name": tag,
                },
            }));
        }
        serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": manifests,
        }))
        .expect("JSON values always serialise")
    }

    /// The layers of an image as a stack, each parsed from its blob at most once.
    pub fn layer_stack(&mut self, diff_ids: &[Digest]) -> Result<Arc<LayerStack>> {
        let mut layers = Vec::with_capacity(diff_ids.len());
        for diff_id in diff_ids {
            if let Some(layer) = self.layer_cache.get(diff_id) {
                layers.push(layer.clone());
                continue;
            }
            let corrupt = |reason: String| EngineError::CorruptState {
                path: self.content.blob_path(diff_id),
                reason: format!("layer blob: {reason}"),
            };
            let layer = match self.shared_layers_holding(diff_id) {
                Some(shared) => shared
                    .parsed(diff_id, || self.read_blob(diff_id), Layer::from_tar)
                    .map_err(|e| corrupt(e.to_string()))?
                    .map_err(|e| corrupt(e.to_string()))?,
                None => {
                    let bytes = self
                        .read_blob(diff_id)
                        .map_err(|e| corrupt(e.to_string()))?;
                    Arc::new(Layer::from_tar(bytes).map_err(|e| corrupt(e.to_string()))?)
                }
            };
            self.layer_cache.insert(diff_id.clone(), layer.clone());
            layers.push(layer);
        }
        Ok(Arc::new(LayerStack::new(layers)))
    }

    /// The shared layers, when this engine shares them and its own store holds the blob
    /// `diff_id` (a lab must not see a layer it lacks through another lab's copy).
    fn shared_layers_holding(&self, diff_id: &Digest) -> Option<&SharedLayers> {
        self.shared_layers
            .as_deref()
            .filter(|_| self.content.has(diff_id))
    }

    fn read_blob(&self, digest: &Digest) -> std::io::Result<Arc<[u8]>> {
        self.content.read(digest).map(Arc::from)
    }

    /// Stores layer blob `diff_id`; with shared layers, as a hard link to the copy
    /// another lab stored, when there is one.
    fn put_layer_blob(&self, diff_id: &Digest, tar: &[u8]) -> std::io::Result<()> {
        let Some(shared) = &self.shared_layers else {
            return self.content.put_trusted(diff_id, tar);
        };
        if self.content.has(diff_id) {
            return Ok(());
        }
        let path = self.content.blob_path(diff_id);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if shared.link_pooled(diff_id, &path) {
            return Ok(());
        }
        self.content.put_trusted(diff_id, tar)?;
        shared.pool(diff_id, &path);
        Ok(())
    }

    /// The tar of stored layer `diff_id`.
    fn layer_tar(&self, diff_id: &Digest) -> std::io::Result<Arc<[u8]>> {
        match self.shared_layers_holding(diff_id) {
            Some(shared) => shared.tar(diff_id, || self.read_blob(diff_id)),
            None => self.read_blob(diff_id),
        }
    }

    fn now_rfc3339(&self) -> String {
        self.clock
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
    }
}

#[derive(Serialize)]
struct PersistentStateRef<'a> {
    version: u32,
    images: &'a ImageStore,
    containers: &'a ContainerStore,
    volumes: &'a volumes::VolumeStore,
    networks: &'a net::networks::NetworkStore,
}
