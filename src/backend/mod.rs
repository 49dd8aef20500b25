//! `trait Backend`: what the docker command line and the checks may ask of an engine.
//!
//! Its vocabulary is the Docker Engine API's own model types (bollard's stubs), so the
//! embedded engine and a real daemon answer in the same shapes, and the CLI formats them
//! once. Methods are synchronous; the docker backend drives its async client on a runtime
//! of its own.

pub mod docker;
pub mod embedded;
mod network_filters;

pub use crate::engine::build::{BuildMessage, BuildOptions};
pub use crate::engine::disk_usage::DiskUsage;
pub use crate::engine::registry::client::Credentials;
pub use crate::engine::runtime::LogsOptions;
pub use crate::engine::sessions::SessionState;
use crate::engine::streams::Streams;
use bollard_stubs::models::{
    ContainerCreateBody, ContainerCreateResponse, ContainerInspectResponse, ContainerSummary,
    CreateImageInfo, EndpointSettings, FilesystemChange, ImageDeleteResponseItem,
    ImageHistoryResponseItem, ImageInspect, ImageSearchResponseItem, ImageSummary,
    NetworkCreateRequest, NetworkInspect, PushImageInfo, SystemInfo, SystemVersion, Volume,
};
use std::collections::HashMap;

/// Filters as the Engine API takes them: `{"reference": ["ubuntu*"], "dangling": ["true"]}`.
pub type Filters = HashMap<String, Vec<String>>;

/// An error as the daemon reports it. The CLI prints `Error response from daemon: {message}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The daemon answered with an error status and message.
    #[error("{message}")]
    Daemon { status: u16, message: String },
    /// The daemon could not be reached at all.
    #[error("{0}")]
    Connection(String),
}

impl BackendError {
    pub fn status(&self) -> Option<u16> {
        match self {
            BackendError::Daemon { status, .. } => Some(*status),
            BackendError::Connection(_) => None,
        }
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
}

pub type Result<T> = std::result::Result<T, BackendError>;

/// What a backend says of an endpoint it does not serve.
fn unsupported(backend: &str, what: &str) -> BackendError {
    BackendError::Daemon {
        status: 501,
        message: format!("the {backend} backend does not support {what}"),
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListImagesOptions {
    /// Include intermediate images (`docker images -a`).
    pub all: bool,
    pub filters: Filters,
    /// Fill in `RepoDigests` (`--digests`); always cheap here, kept for the API's sake.
    pub digests: bool,
}

/// What `docker commit` asks for.
#[derive(Debug, Clone, Default)]
pub struct CommitOptions {
    pub container: String,
    pub repo: Option<String>,
    pub tag: Option<String>,
    pub comment: Option<String>,
    pub author: Option<String>,
    /// `-c`: Dockerfile instructions applied to the image's config.
    pub changes: Vec<String>,
}

/// What `docker import` asks for besides the tar.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub repo: Option<String>,
    pub tag: Option<String>,
    pub message: Option<String>,
    pub changes: Vec<String>,
}

/// What `docker exec` adds to the container's settings: `-w`, `-e`, `-u`.
#[derive(Debug, Clone, Default)]
pub struct ExecOptions {
    pub workdir: Option<String>,
    pub env: Vec<String>,
    pub user: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ListContainersOptions {
    pub all: bool,
    pub limit: Option<i64>,
    pub size: bool,
    pub filters: Filters,
}

/// One engine, embedded or real, seen through the Engine API.
pub trait Backend {
    /// A short name for messages: `embedded` or `docker`.
    fn name(&self) -> &'static str;

    fn version(&mut self) -> Result<SystemVersion>;
    fn info(&mut self) -> Result<SystemInfo>;

    fn list_images(&mut self, options: &ListImagesOptions) -> Result<Vec<ImageSummary>>;
    fn inspect_image(&mut self, name: &str) -> Result<ImageInspect>;
    fn image_history(&mut self, name: &str) -> Result<Vec<ImageHistoryResponseItem>>;
    /// `POST /images/create?fromImage=&tag=`: streams the daemon's progress messages.
    /// A pull that fails part-way reports the error both as the last message's
    /// `error_detail` and as the returned error.
    fn pull_image(
        &mut self,
        image: &str,
        tag: &str,
        progress: &mut dyn FnMut(&CreateImageInfo),
    ) -> Result<()>;
    /// `POST /images/{name}/push?tag=`: one tag, or every tag of `name` when `tag` is
    /// empty. Streams the daemon's progress; a layer's ID leads its status
    /// (`<id>: Pushed`), since the model has no `id` field. Errors once the push has
    /// begun are both the last message's `error_detail` (when the daemon sends one) and
    /// the returned error.
    fn push_image(
        &mut self,
        name: &str,
        tag: &str,
        progress: &mut dyn FnMut(&PushImageInfo),
    ) -> Result<()>;
    /// `POST /auth`: checks `credentials` for `server` (a registry host, or Docker Hub's
    /// `https://index.docker.io/v1/`); the daemon's status (`Login Succeeded`).
    fn login(&mut self, server: &str, credentials: &Credentials) -> Result<String>;
    /// The credentials the client attaches (`X-Registry-Auth`) to its pushes and pulls
    /// from now on, by registry host: what the docker CLI reads from its config file.
    fn use_credentials(&mut self, credentials: Vec<(String, Credentials)>);
    /// `POST /images/{name}/tag?repo=&tag=`.
    fn tag_image(&mut self, name: &str, repo: &str, tag: &str) -> Result<()>;
    /// `DELETE /images/{name}?force=&noprune=`.
    fn remove_image(
        &mut self,
        name: &str,
        force: bool,
        no_prune: bool,
    ) -> Result<Vec<ImageDeleteResponseItem>>;
    /// `GET /images/search?term=&limit=&filters=`.
    fn search_images(
        &mut self,
        term: &str,
        limit: Option<i64>,
        filters: &Filters,
    ) -> Result<Vec<ImageSearchResponseItem>>;

    /// `GET /images/get?names=`: `docker save` of the named images, as one tar.
    fn save_images(&mut self, names: &[String]) -> Result<Vec<u8>>;

    /// The uncompressed tars of an image's layers, bottom first, where the backend
    /// holds them at hand; None where reading them means `docker save` (a daemon), so
    /// a check asks for the archive instead. Not an endpoint of the Engine API.
    fn image_layer_tars(&mut self, _name: &str) -> Option<Result<Vec<std::sync::Arc<[u8]>>>> {
        None
    }

    /// `POST /images/load`: `docker load`; the lines to print (`Loaded image: x:y`).
    fn load_images(&mut self, archive: &[u8]) -> Result<Vec<String>>;

    /// `POST /build` with the context tar: streams the builder's messages; returns the
    /// image ID. A failed step arrives as a message with `error_detail` and as the error.
    fn build_image(
        &mut self,
        context: &[u8],
        options: &BuildOptions,
        progress: &mut dyn FnMut(&BuildMessage),
    ) -> Result<String>;

    /// `POST /containers/create?name=`.
    fn create_container(
        &mut self,
        name: Option<&str>,
        body: ContainerCreateBody,
    ) -> Result<ContainerCreateResponse>;
    /// `POST /containers/{id}/start`.
    fn start_container(&mut self, id: &str) -> Result<()>;
    /// Attach, start and wait, as `docker run` without `-d` does: the container's
    /// output goes to `streams` as it is produced, and its exit code is returned.
    fn run_attached(&mut self, id: &str, streams: Streams<'_>) -> Result<i64>;
    /// `GET /containers/json?all=&limit=&size=&filters=`.
    fn list_containers(&mut self, options: &ListContainersOptions)
    -> Result<Vec<ContainerSummary>>;
    fn inspect_container(&mut self, id: &str) -> Result<ContainerInspectResponse>;
    /// Starts an interactive shell as the container's process (`run -it IMAGE sh`),
    /// when this backend keeps sessions; `None` otherwise (the CLI then runs it attached).
    fn session_start(&mut self, _id: &str) -> Result<Option<SessionState>> {
        Ok(None)
    }
    /// `docker attach`: the container's interactive shell, when this backend keeps one
    /// for it; `None` otherwise.
    fn session_attach(&mut self, _id: &str) -> Result<Option<SessionState>> {
        Ok(None)
    }
    /// Sends typed input to an interactive session.
    fn session_input(
        &mut self,
        id: &str,
        _input: &str,
        _streams: Streams<'_>,
    ) -> Result<SessionState> {
        Err(BackendError::Daemon {
            status: 409,
            message: format!("container {id} has no interactive session"),
        })
    }

    /// Where a connection to `localhost:port` reaches the container publishing that
    /// port, when the engine serves it elsewhere (None: the port itself).
    fn published_address(&mut self, _port: u16) -> Option<std::net::SocketAddr> {
        None
    }

    /// A counter that moves whenever the engine's state changes, so the lab can tell a
    /// command that only looked; None where the backend cannot tell (a real daemon).
    fn generation(&self) -> Option<u64> {
        None
    }

    /// Records the engine's whole state, cheaply, keeping its files in `pool`: for the
    /// lab's `undo` and `reset`.
    fn checkpoint(&mut self, _pool: &std::path::Path) -> Result<crate::engine::Checkpoint> {
        Err(unsupported(self.name(), "undo"))
    }

    /// Puts the engine back to a checkpoint taken by [`Backend::checkpoint`].
    fn restore(
        &mut self,
        _pool: &std::path::Path,
        _checkpoint: &crate::engine::Checkpoint,
    ) -> Result<()> {
        Err(unsupported(self.name(), "undo"))
    }

    /// `GET /containers/{id}/logs?stdout=1&stderr=1&tail=&timestamps=&since=&until=`:
    /// what the container wrote, in order, as (1 = stdout or 2 = stderr, bytes).
    fn container_logs(&mut self, id: &str, options: &LogsOptions) -> Result<Vec<(u8, Vec<u8>)>>;

    /// `HEAD /containers/{id}/archive?path=`: `Some(is_dir)` when the path exists.
    fn container_stat(&mut self, id: &str, path: &str) -> Result<Option<bool>>;
    /// `GET /containers/{id}/archive?path=`: a tar of the path, named by its last part.
    fn container_archive(&mut self, id: &str, path: &str) -> Result<Vec<u8>>;
    /// `PUT /containers/{id}/archive?path=`: unpacks a tar into an existing directory.
    fn container_extract(&mut self, id: &str, dir: &str, tar: &[u8]) -> Result<()>;

    /// `POST /containers/{id}/rename?name=`.
    fn rename_container(&mut self, id: &str, name: &str) -> Result<()>;
    /// `POST /containers/{id}/wait`: the exit code.
    fn wait_container(&mut self, id: &str) -> Result<i64>;
    /// `GET /containers/{id}/top`.
    fn top_container(&mut self, id: &str) -> Result<bollard_stubs::models::ContainerTopResponse>;
    /// `POST /containers/prune`: the IDs removed.
    fn prune_containers(&mut self) -> Result<Vec<String>>;
    /// `POST /containers/{id}/stop`.
    fn stop_container(&mut self, id: &str) -> Result<()>;
    /// `POST /containers/{id}/kill`.
    /// `POST /containers/{id}/kill?signal=`: SIGKILL when no signal is given.
    fn kill_container(&mut self, id: &str, signal: Option<&str>) -> Result<()>;
    /// `GET /containers/{id}/export`: the container's filesystem as a tar.
    fn export_container(&mut self, _id: &str) -> Result<Vec<u8>> {
        Err(unsupported(self.name(), "docker export"))
    }
    /// `POST /images/create?fromSrc=-`: `docker import`; the new image's ID.
    fn import_image(&mut self, _tar: &[u8], _options: &ImportOptions) -> Result<String> {
        Err(unsupported(self.name(), "docker import"))
    }
    /// `POST /volumes/create`.
    fn create_volume(
        &mut self,
        _name: Option<&str>,
        _labels: HashMap<String, String>,
    ) -> Result<Volume> {
        Err(unsupported(self.name(), "docker volume create"))
    }
    /// `GET /volumes`.
    fn list_volumes(&mut self) -> Result<Vec<Volume>> {
        Err(unsupported(self.name(), "docker volume ls"))
    }
    /// `GET /volumes/{name}`.
    fn inspect_volume(&mut self, _name: &str) -> Result<Volume> {
        Err(unsupported(self.name(), "docker volume inspect"))
    }
    /// `DELETE /volumes/{name}?force=`.
    fn remove_volume(&mut self, _name: &str, _force: bool) -> Result<()> {
        Err(unsupported(self.name(), "docker volume rm"))
    }
    /// `POST /volumes/prune`: the names removed and the bytes reclaimed.
    fn prune_volumes(&mut self, _all: bool) -> Result<(Vec<String>, u64)> {
        Err(unsupported(self.name(), "docker volume prune"))
    }
    /// `POST /networks/create`: returns the new network's ID.
    fn create_network(&mut self, _request: &NetworkCreateRequest) -> Result<String> {
        Err(unsupported(self.name(), "docker network create"))
    }
    /// `GET /networks?filters=`: every network, with its members, oldest first.
    fn list_networks(&mut self, _filters: &Filters) -> Result<Vec<NetworkInspect>> {
        Err(unsupported(self.name(), "docker network ls"))
    }
    /// `GET /networks/{id}`: by name, full ID or unique ID prefix.
    fn inspect_network(&mut self, _name: &str) -> Result<NetworkInspect> {
        Err(unsupported(self.name(), "docker network inspect"))
    }
    /// `DELETE /networks/{id}`.
    fn remove_network(&mut self, _name: &str) -> Result<()> {
        Err(unsupported(self.name(), "docker network rm"))
    }
    /// `POST /networks/{id}/connect`: `endpoint` carries the aliases and a fixed address.
    fn connect_network(
        &mut self,
        _network: &str,
        _container: &str,
        _endpoint: &EndpointSettings,
    ) -> Result<()> {
        Err(unsupported(self.name(), "docker network connect"))
    }
    /// `POST /networks/{id}/disconnect`.
    fn disconnect_network(&mut self, _network: &str, _container: &str, _force: bool) -> Result<()> {
        Err(unsupported(self.name(), "docker network disconnect"))
    }
    /// `POST /networks/prune`: the names of the networks removed.
    fn prune_networks(&mut self, _filters: &Filters) -> Result<Vec<String>> {
        Err(unsupported(self.name(), "docker network prune"))
    }
    /// `GET /system/df`: what images, containers and volumes take on disk.
    fn disk_usage(&mut self) -> Result<DiskUsage> {
        Err(unsupported(self.name(), "docker system df"))
    }
    /// `POST /containers/{id}/pause`.
    fn pause_container(&mut self, _id: &str) -> Result<()> {
        Err(unsupported(self.name(), "docker pause"))
    }
    /// `POST /containers/{id}/unpause`.
    fn unpause_container(&mut self, _id: &str) -> Result<()> {
        Err(unsupported(self.name(), "docker unpause"))
    }
    /// Lets `d` pass for the engine: its clock moves on and the health checks that fall
    /// due run. A daemon's time is the host's, so by default this waits for it. Cheap
    /// to call often with small steps.
    fn pass_time(&mut self, d: std::time::Duration) {
        std::thread::sleep(d);
    }
    /// Exec create + start: runs `argv` in a running container, output to `streams`.
    fn exec(
        &mut self,
        id: &str,
        argv: &[String],
        options: &ExecOptions,
        streams: Streams<'_>,
    ) -> Result<i64>;
    /// `docker exec -it CONTAINER sh` as an interactive session, when kept by the backend.
    fn exec_session_start(&mut self, _id: &str, _argv: &[String]) -> Result<Option<SessionState>> {
        Ok(None)
    }

    /// `GET /containers/{id}/changes`: `docker diff`.
    fn container_changes(&mut self, id: &str) -> Result<Vec<FilesystemChange>>;
    /// `POST /commit?container=&repo=&tag=&comment=&author=`: returns the new image ID.
    fn commit_container(&mut self, options: &CommitOptions) -> Result<String>;
    /// `DELETE /containers/{id}?force=&v=`.
    fn remove_container(&mut self, id: &str, force: bool, volumes: bool) -> Result<()>;
}
