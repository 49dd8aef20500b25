//! An OCI Distribution Spec v1.1 registry (also the Docker Registry HTTP API V2 that
//! `docker push` and `docker pull` speak), served over HTTP with hyper.
//!
//! Owns the registry's storage root, its HTTP surface and its request log. It uses the
//! content store, digests, the clock and Go's text formats (`units`) from the engine and
//! nothing else: it never sees the engine's images,
//! containers or lock, so a registry container and `docklab registry serve` run it the
//! same way. Errors go out as the spec's JSON bodies with the reference registry's
//! (distribution/distribution) codes, statuses and messages.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use docklab::engine::registry::{Registry, RegistryOptions, serve};
//! let registry = Registry::open("state/registry".as_ref(), RegistryOptions::default())?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! serve(listener, registry).await // runs until this future is dropped or aborted
//! # }
//! ```

pub mod auth;
pub mod client;
mod errors;
pub mod log;
mod names;
mod server;
mod storage;

pub use errors::ErrorCode;
pub use names::{valid_name, valid_tag};

use self::auth::Htpasswd;
use self::storage::Storage;
use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Media types the registry understands as manifests.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// Manifests larger than this are refused (the spec's suggested 4 MiB).
pub const MANIFEST_SIZE_LIMIT: usize = 4 << 20;

/// How a registry behaves, as the `registry:2` image's environment configures it.
#[derive(Debug, Clone)]
pub struct RegistryOptions {
    /// Blob and manifest DELETE (REGISTRY_STORAGE_DELETE_ENABLED); refused with
    /// UNSUPPORTED when off, as the reference registry does by default.
    pub delete_enabled: bool,
    /// Basic authentication against an htpasswd file (REGISTRY_AUTH=htpasswd).
    pub auth: Option<Htpasswd>,
    /// Where each request's log lines go, as registry:2 prints them; none by default.
    pub request_log: Option<log::RequestLog>,
}

impl Default for RegistryOptions {
    /// Everything the spec describes, deletes included, no authentication.
    fn default() -> RegistryOptions {
        RegistryOptions {
            delete_enabled: true,
            auth: None,
            request_log: None,
        }
    }
}

impl RegistryOptions {
    /// The options a `registry:2` container gets from its environment:
    /// `REGISTRY_STORAGE_DELETE_ENABLED=true` turns deletes on (off otherwise, as in the
    /// image); `REGISTRY_AUTH=htpasswd` with `REGISTRY_AUTH_HTPASSWD_REALM` and the
    /// contents of the file `REGISTRY_AUTH_HTPASSWD_PATH` names (read by the caller
    /// through `read_file`, since that path is inside the container) turns on Basic auth.
    pub fn from_env(
        env: &dyn Fn(&str) -> Option<String>,
        read_file: &dyn Fn(&str) -> Option<String>,
    ) -> Result<RegistryOptions, String> {
        let delete_enabled =
            env("REGISTRY_STORAGE_DELETE_ENABLED").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let auth = match env("REGISTRY_AUTH").as_deref() {
            Some("htpasswd") => {
                let realm = env("REGISTRY_AUTH_HTPASSWD_REALM").unwrap_or_default();
                let path = env("REGISTRY_AUTH_HTPASSWD_PATH")
                    .ok_or("htpasswd auth requires REGISTRY_AUTH_HTPASSWD_PATH")?;
                let text = read_file(&path)
                    .ok_or_else(|| format!("open {path}: no such file or directory"))?;
                Some(Htpasswd::parse(&realm, &text))
            }
            _ => None,
        };
        Ok(RegistryOptions {
            delete_enabled,
            auth,
            request_log: None,
        })
    }
}

/// A registry over one storage root.
pub struct Registry {
    storage: Storage,
    options: RegistryOptions,
    /// Uploads in progress by UUID, each behind its own lock so chunks of one upload
    /// are appended one at a time while other uploads proceed.
    uploads: Mutex<HashMap<String, Arc<tokio::sync::Mutex<server::Upload>>>>,
    /// How many uploads this registry has opened (their UUIDs derive from it).
    uploads_started: std::sync::atomic::AtomicU64,
}

impl Registry {
    /// Opens (creating when needed) the registry stored under `root`.
    pub fn open(root: &Path, options: RegistryOptions) -> io::Result<Arc<Registry>> {
        Ok(Arc::new(Registry {
            storage: Storage::open(root)?,
            options,
            uploads: Mutex::new(HashMap::new()),
            uploads_started: std::sync::atomic::AtomicU64::new(0),
        }))
    }
}

/// Serves `registry` on `listener` until this future is dropped or its task aborted;
/// every connection it accepted ends with it.
pub async fn serve(listener: tokio::net::TcpListener, registry: Arc<Registry>) -> io::Result<()> {
    server::serve(listener, registry).await
}
