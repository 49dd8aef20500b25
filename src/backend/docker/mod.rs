//! A real Docker daemon (or `docklab engine serve`) behind `trait Backend`, through bollard.
//!
//! Owns the connection to the daemon and a tokio current-thread runtime that drives it;
//! every trait method blocks on one Engine API exchange. Uses only `crate::backend` and
//! `crate::engine::streams`; it must not reach into the embedded engine, the CLI or the
//! lessons. Request-response calls go through bollard; the streamed answers (pull
//! progress, attach, wait, load) through the small HTTP client in [`wire`].

mod wire;

use crate::backend::{
    Backend, BackendError, BuildMessage, BuildOptions, CommitOptions, ExecOptions, Filters,
    ListContainersOptions, ListImagesOptions, LogsOptions, Result,
};
use crate::engine::streams::Streams;
use bollard::Docker;
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, ListContainersOptionsBuilder, ListImagesOptionsBuilder,
    RemoveContainerOptionsBuilder, RemoveImageOptionsBuilder, SearchImagesOptionsBuilder,
    TagImageOptionsBuilder,
};
use bollard_stubs::models::{
    ContainerCreateBody, ContainerCreateResponse, ContainerInspectResponse, ContainerSummary,
    CreateImageInfo, ErrorDetail, FilesystemChange, ImageDeleteResponseItem,
    ImageHistoryResponseItem, ImageInspect, ImageSearchResponseItem, ImageSummary, PushImageInfo,
    SystemInfo, SystemVersion,
};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;
use tokio::runtime::Runtime;
use wire::{Endpoint, Response, encode, query};

/// Where the Docker CLI looks when neither `-H` nor `DOCKER_HOST` says otherwise.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// Seconds a request-response call may take before it is abandoned.
const TIMEOUT_SECS: u64 = 120;

/// A Docker daemon reached over its Engine API.
pub struct DockerBackend {
    runtime: Runtime,
    docker: Docker,
    endpoint: Endpoint,
    /// The daemon address as the user would write it (`unix:///var/run/docker.sock`).
    host: String,
    /// `/v1.41`: the API version agreed with the daemon, prefixed to raw request paths.
    version_prefix: String,
    /// What the client attaches to pushes and pulls, by registry host.
    credentials: Vec<(String, crate::backend::Credentials)>,
}

/// The registry an image name points at, as the config file keys it: a host with a dot,
/// a port or `localhost`, else Docker Hub.
fn registry_of(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains(['.', ':']) || first == "localhost" => match first {
            "docker.io" | "index.docker.io" | "registry-1.docker.io" => HUB_AUTH_KEY,
            host => host,
        },
        _ => HUB_AUTH_KEY,
    }
}

/// Docker Hub's key in the credentials.
const HUB_AUTH_KEY: &str = "https://index.docker.io/v1/";

/// What `-H`, `DOCKER_HOST` or the default name: `(canonical host, endpoint)`.
fn parse_host(host: &str) -> std::result::Result<(String, Endpoint), BackendError> {
    let unsupported = || BackendError::Connection(format!("unable to parse docker host `{host}`"));
    if let Some(path) = host.strip_prefix("unix://") {
        if path.is_empty() {
            return Err(unsupported());
        }
        return Ok((host.to_string(), Endpoint::Unix(PathBuf::from(path))));
    }
    if host.starts_with('/') {
        return Ok((
            format!("unix://{host}"),
            Endpoint::Unix(PathBuf::from(host)),
        ));
    }
    for scheme in ["tcp://", "http://"] {
        if let Some(rest) = host.strip_prefix(scheme) {
            let address = rest.trim_end_matches('/');
            if address.is_empty() {
                return Err(unsupported());
            }
            let address = if address.contains(':') {
                address.to_string()
            } else {
                format!("{address}:2375")
            };
            return Ok((format!("tcp://{address}"), Endpoint::Tcp(address)));
        }
    }
    Err(unsupported())
}

impl DockerBackend {
    /// `X-Registry-Auth` for a push or pull of `image`: the stored credentials for its
    /// registry, or none (`{}`).
    fn registry_auth(&self, image: &str) -> String {
        use base64::Engine as _;
        let registry = registry_of(image);
        let json = match self
            .credentials
            .iter()
            .find(|(server, _)| server == registry)
        {
            Some((server, c)) => serde_json::json!({
                "username": c.username, "password": c.password, "serveraddress": server,
            }),
            None => serde_json::json!({}),
        };
        base64::engine::general_purpose::URL_SAFE.encode(json.to_string())
    }

    /// POSTs to a daemon endpoint that answers with a stream of JSON progress messages,
    /// handing each to `each` with the error it carries; the first error ends the stream
    /// and is returned.
    fn progress_stream(
        &mut self,
        path: &str,
        headers: &[(&str, &str)],
        each: &mut dyn FnMut(serde_json::Value, Option<&str>),
    ) -> Result<()> {
        let endpoint = self.endpoint.clone();
        let host = self.host.clone();
        self.runtime.block_on(async {
            let mut response = endpoint
                .send("POST", path, headers, b"")
                .await
                .map_err(|e| io_error(&host, e))?;
            check_status(&host, &mut response).await?;
            while let Some(message) = response
                .next_json::<serde_json::Value>()
                .await
                .map_err(|e| io_error(&host, e))?
            {
                let error = stream_error(&message);
                let text = match &error {
                    Some(BackendError::Daemon { message, .. }) => Some(message.clone()),
                    _ => None,
                };
                each(message, text.as_deref());
                if let Some(error) = error {
                    return Err(error);
                }
            }
            Ok(())
        })
    }

    /// Connects to `host`, else `DOCKER_HOST`, else the default socket, and agrees on an
    /// API version with the daemon (`GET /version`). A daemon that does not answer gives
    /// the Docker CLI's own `Cannot connect to the Docker daemon at ...` error.
    pub fn connect(host: Option<&str>) -> Result<Self> {
        let from_env = std::env::var("DOCKER_HOST")
            .ok()
            .filter(|h| !h.trim().is_empty());
        let requested = host
            .map(str::to_string)
            .or(from_env)
            .unwrap_or_else(|| DEFAULT_HOST.to_string());
        let (host, endpoint) = parse_host(requested.trim())?;

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| BackendError::Connection(format!("cannot start a runtime: {e}")))?;
        let cannot_connect = || BackendError::Connection(cannot_connect_message(&host));

        let docker = {
            // bollard's clients spawn their connection tasks on the current runtime.
            let _guard = runtime.enter();
            match &endpoint {
                Endpoint::Unix(_) => {
                    Docker::connect_with_unix(&host, TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
                }
                Endpoint::Tcp(_) => {
                    Docker::connect_with_http(&host, TIMEOUT_SECS, bollard::API_DEFAULT_VERSION)
                }
            }
            .map_err(|_| cannot_connect())?
        };
        // bollard speaks the newest API version it knows (`/v1.53/...`); an older daemon
        // rejects that with 400, so settle on the daemon's own version first.
        let docker = runtime
            .block_on(docker.negotiate_version())
            .map_err(|e| map_error(&host, e))?;
        let version = docker.client_version();
        let version_prefix = format!("/v{}.{}", version.major_version, version.minor_version);
        Ok(DockerBackend {
            credentials: Vec::new(),
            runtime,
            docker,
            endpoint,
            host,
            version_prefix,
        })
    }

    /// The daemon address in use, as `unix:///path` or `tcp://host:port`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// One plain request: sends it, turns an error status into the daemon's error, and
    /// returns the whole body.
    fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Vec<u8>> {
        let endpoint = self.endpoint.clone();
        let host = self.host.clone();
        self.runtime.block_on(async {
            let mut response = endpoint
                .send(method, path, headers, body)
                .await
                .map_err(|e| io_error(&host, e))?;
            check_status(&host, &mut response).await?;
            response.body().await.map_err(|e| io_error(&host, e))
        })
    }

    /// `POST /images/load` with a `docker save` archive, as `docker load` does. Returns the
    /// daemon's report (`Loaded image: name:tag` lines).
    pub fn load_image(&mut self, archive: &[u8]) -> Result<String> {
        let path = format!(
            "{}/images/load{}",
            self.version_prefix,
            query(&[("quiet", "1")])
        );
        let endpoint = self.endpoint.clone();
        let host = self.host.clone();
        self.runtime.block_on(async {
            let mut response = endpoint
                .send(
                    "POST",
                    &path,
                    &[("Content-Type", "application/x-tar")],
                    archive,
                )
                .await
                .map_err(|e| io_error(&host, e))?;
            check_status(&host, &mut response).await?;
            let mut report = String::new();
            while let Some(message) = response
                .next_json::<serde_json::Value>()
                .await
                .map_err(|e| io_error(&host, e))?
            {
                if let Some(error) = stream_error(&message) {
                    return Err(error);
                }
                if let Some(text) = message.get("stream").and_then(|s| s.as_str()) {
                    report.push_str(text);
                }
            }
            Ok(report)
        })
    }

    fn block<T>(
        &self,
        future: impl Future<Output = std::result::Result<T, bollard::errors::Error>>,
    ) -> Result<T> {
        self.runtime
            .block_on(future)
            .map_err(|e| map_error(&self.host, e))
    }
}

fn cannot_connect_message(host: &str) -> String {
    format!("Cannot connect to the Docker daemon at {host}. Is the docker daemon running?")
}

/// bollard's errors as the CLI would report them.
fn map_error(host: &str, error: bollard::errors::Error) -> BackendError {
    use bollard::errors::Error as E;
    match error {
        E::DockerResponseServerError {
            status_code,
            message,
        } => BackendError::Daemon {
            status: status_code,
            message,
        },
        E::DockerStreamError { error } => BackendError::Daemon {
            status: 500,
            message: error,
        },
        E::SocketNotFoundError(_) | E::HyperLegacyError { .. } => {
            BackendError::Connection(cannot_connect_message(host))
        }
        E::IOError { err } => io_error(host, err),
        E::RequestTimeoutError => {
            BackendError::Connection(format!("error during connect: {host}: request timed out"))
        }
        other => BackendError::Connection(format!("error during connect: {other}")),
    }
}

/// A socket error: refusals and missing sockets read as "cannot connect".
fn io_error(host: &str, error: std::io::Error) -> BackendError {
    use std::io::ErrorKind as K;
    match error.kind() {
        K::NotFound | K::ConnectionRefused | K::PermissionDenied | K::AddrNotAvailable => {
            BackendError::Connection(cannot_connect_message(host))
        }
        _ => BackendError::Connection(format!("error during connect: {host}: {error}")),
    }
}

/// Turns a non-2xx/101 response into the daemon's error, `{"message": ...}` unwrapped.
async fn check_status(host: &str, response: &mut Response) -> Result<()> {
    if (200..300).contains(&response.status) || response.status == 101 {
        return Ok(());
    }
    let body = response.body().await.map_err(|e| io_error(host, e))?;
    let text = String::from_utf8_lossy(&body);
    let message = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| {
            v.get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| text.trim_end().to_string());
    Err(BackendError::Daemon {
        status: response.status,
        message,
    })
}

/// The error a JSON message stream ends with: `{"errorDetail":{...},"error":"..."}`.
fn stream_error(message: &serde_json::Value) -> Option<BackendError> {
    let detail = message.get("errorDetail");
    let text = detail
        .and_then(|d| d.get("message"))
        .and_then(|m| m.as_str())
        .or_else(|| message.get("error").and_then(|e| e.as_str()))?;
    let status = detail
        .and_then(|d| d.get("code"))
        .and_then(|c| c.as_u64())
        .and_then(|c| u16::try_from(c).ok())
        .filter(|c| (400..600).contains(c))
        .unwrap_or(500);
    Some(BackendError::Daemon {
        status,
        message: text.to_string(),
    })
}

/// What `run_attached` needs to know about a container before attaching.
struct AttachPlan {
    tty: bool,
    stdin: bool,
    wait_condition: &'static str,
}

impl Backend for DockerBackend {
    fn name(&self) -> &'static str {
        "docker"
    }

    /// `GET /version`.
    fn version(&mut self) -> Result<SystemVersion> {
        self.block(self.docker.version())
    }

    /// `GET /info`.
    fn info(&mut self) -> Result<SystemInfo> {
        self.block(self.docker.info())
    }

    /// `GET /images/json?all=&filters=&digests=`.
    fn list_images(&mut self, options: &ListImagesOptions) -> Result<Vec<ImageSummary>> {
        let params = ListImagesOptionsBuilder::new()
            .all(options.all)
            .filters(&options.filters)
            .digests(options.digests)
            .build();
        self.block(self.docker.list_images(Some(params)))
    }

    /// `GET /images/{name}/json`.
    fn inspect_image(&mut self, name: &str) -> Result<ImageInspect> {
        self.block(self.docker.inspect_image(name))
    }

    /// `GET /images/{name}/history`.
    fn image_history(&mut self, name: &str) -> Result<Vec<ImageHistoryResponseItem>> {
        self.block(self.docker.image_history(name))
    }

    fn pull_image(
        &mut self,
        image: &str,
        tag: &str,
        progress: &mut dyn FnMut(&CreateImageInfo),
    ) -> Result<()> {
        let mut pairs = vec![("fromImage", image)];
        if !tag.is_empty() {
            pairs.push(("tag", tag));
        }
        let path = format!("{}/images/create{}", self.version_prefix, query(&pairs));
        let auth = self.registry_auth(image);
        let headers = [("X-Registry-Auth", auth.as_str())];
        self.progress_stream(&path, &headers, &mut |message, error| {
            let mut info: CreateImageInfo = serde_json::from_value(message).unwrap_or_default();
            if let Some(message) = error
                && info.error_detail.is_none()
            {
                info.error_detail = Some(ErrorDetail {
                    code: None,
                    message: Some(message.to_string()),
                });
            }
            progress(&info);
        })
    }

    /// `POST /auth`.
    fn login(&mut self, server: &str, credentials: &crate::backend::Credentials) -> Result<String> {
        let path = format!("{}/auth", self.version_prefix);
        let body = serde_json::json!({
            "username": credentials.username,
            "password": credentials.password,
            "serveraddress": server,
        })
        .to_string();
        let reply = self.request(
            "POST",
            &path,
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )?;
        let reply: serde_json::Value = serde_json::from_slice(&reply).unwrap_or_default();
        Ok(reply["Status"]
            .as_str()
            .unwrap_or("Login Succeeded")
            .to_string())
    }

    fn use_credentials(&mut self, credentials: Vec<(String, crate::backend::Credentials)>) {
        self.credentials = credentials;
    }

    /// `POST /images/{name}/push?tag=`. The model has no `id`, so a layer's ID is put at
    /// the front of its status (`<id>: Pushed`), the line the CLI prints.
    fn push_image(
        &mut self,
        name: &str,
        tag: &str,
        progress: &mut dyn FnMut(&PushImageInfo),
    ) -> Result<()> {
        let pairs: Vec<(&str, &str)> = if tag.is_empty() {
            Vec::new()
        } else {
            vec![("tag", tag)]
        };
        let path = format!(
            "{}/images/{}/push{}",
            self.version_prefix,
            name,
            query(&pairs)
        );
        // The daemon wants credentials; none ("{}") lets it answer as the registry does.
        let auth = self.registry_auth(name);
        let headers = [("X-Registry-Auth", auth.as_str())];
        self.progress_stream(&path, &headers, &mut |message, error| {
            let id = message["id"].as_str().filter(|id| !id.is_empty());
            let status = message["status"].as_str().map(|status| match id {
                Some(id) => format!("{id}: {status}"),
                None => status.to_string(),
            });
            progress(&PushImageInfo {
                error_detail: error.map(|message| ErrorDetail {
                    code: None,
                    message: Some(message.to_string()),
                }),
                status,
                progress_detail: serde_json::from_value(message["progressDetail"].clone()).ok(),
            });
        })
    }

    fn tag_image(&mut self, name: &str, repo: &str, tag: &str) -> Result<()> {
        let params = TagImageOptionsBuilder::new().repo(repo).tag(tag).build();
        self.block(self.docker.tag_image(name, Some(params)))
    }

    fn remove_image(
        &mut self,
        name: &str,
        force: bool,
        no_prune: bool,
    ) -> Result<Vec<ImageDeleteResponseItem>> {
        let params = RemoveImageOptionsBuilder::new()
            .force(force)
            .noprune(no_prune)
            .build();
        self.block(self.docker.remove_image(name, Some(params), None))
    }

    fn search_images(
        &mut self,
        term: &str,
        limit: Option<i64>,
        filters: &Filters,
    ) -> Result<Vec<ImageSearchResponseItem>> {
        let mut builder = SearchImagesOptionsBuilder::new().term(term);
        if let Some(limit) = limit {
            builder = builder.limit(limit.clamp(0, i64::from(i32::MAX)) as i32);
        }
        if !filters.is_empty() {
            builder = builder.filters(filters);
        }
        self.block(self.docker.search_images(builder.build()))
    }

    fn container_logs(&mut self, id: &str, options: &LogsOptions) -> Result<Vec<(u8, Vec<u8>)>> {
        let tail = options
            .tail
            .map(|t| t.to_string())
            .unwrap_or_else(|| "all".into());
        // The CLI sends times as Unix seconds with nine digits of fraction.
        let unix = |t: &Option<chrono::DateTime<chrono::Utc>>| {
            t.map(|t| format!("{}.{:09}", t.timestamp(), t.timestamp_subsec_nanos()))
                .unwrap_or_default()
        };
        let (since, until) = (unix(&options.since), unix(&options.until));
        let flag = |b: bool| if b { "1" } else { "0" };
        let mut params = vec![
            ("stdout", "1"),
            ("stderr", "1"),
            ("tail", tail.as_str()),
            ("timestamps", flag(options.timestamps)),
            ("details", flag(options.details)),
        ];
        if !since.is_empty() {
            params.push(("since", &since));
        }
        if !until.is_empty() {
            params.push(("until", &until));
        }
        let path = format!(
            "{}/containers/{}/logs{}",
            self.version_prefix,
            wire::encode(id),
            query(&params)
        );
        let tty = self
            .block(self.docker.inspect_container(
                id,
                None::<bollard::query_parameters::InspectContainerOptions>,
            ))?
            .config
            .and_then(|c| c.tty)
            .unwrap_or(false);
        let body = self.request("GET", &path, &[], b"")?;
        if tty {
            return Ok(vec![(1, body)]);
        }
        // Multiplexed frames: [stream, 0, 0, 0, length (u32, big-endian)] then the bytes.
        let mut out = Vec::new();
        let mut rest = &body[..];
        while rest.len() >= 8 {
            let len = u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
            let end = (8 + len).min(rest.len());
            out.push((if rest[0] == 2 { 2 } else { 1 }, rest[8..end].to_vec()));
            rest = &rest[end..];
        }
        Ok(out)
    }

    fn container_stat(&mut self, id: &str, path: &str) -> Result<Option<bool>> {
        match self.container_archive(id, path) {
            Ok(tar) => {
                let mut archive = tar::Archive::new(&tar[..]);
                let is_dir = archive
                    .entries()
                    .ok()
                    .and_then(|mut e| e.next())
                    .and_then(|e| e.ok())
                    .map(|e| e.header().entry_type().is_dir())
                    .unwrap_or(false);
                Ok(Some(is_dir))
            }
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn container_archive(&mut self, id: &str, path: &str) -> Result<Vec<u8>> {
        let url = format!(
            "{}/containers/{}/archive{}",
            self.version_prefix,
            encode(id),
            query(&[("path", path)])
        );
        self.request("GET", &url, &[], b"")
    }

    fn container_extract(&mut self, id: &str, dir: &str, tar: &[u8]) -> Result<()> {
        let url = format!(
            "{}/containers/{}/archive{}",
            self.version_prefix,
            encode(id),
            query(&[("path", dir)])
        );
        self.request("PUT", &url, &[("Content-Type", "application/x-tar")], tar)
            .map(|_| ())
    }

    fn rename_container(&mut self, id: &str, name: &str) -> Result<()> {
        let options = bollard::query_parameters::RenameContainerOptionsBuilder::default()
            .name(name)
            .build();
        self.block(self.docker.rename_container(id, options))
    }

    fn wait_container(&mut self, id: &str) -> Result<i64> {
        Ok(self
            .inspect_container(id)?
            .state
            .and_then(|s| s.exit_code)
            .unwrap_or(0))
    }

    fn top_container(&mut self, id: &str) -> Result<bollard_stubs::models::ContainerTopResponse> {
        self.block(
            self.docker
                .top_processes(id, None::<bollard::query_parameters::TopOptions>),
        )
    }

    fn prune_containers(&mut self) -> Result<Vec<String>> {
        let report = self.block(
            self.docker
                .prune_containers(None::<bollard::query_parameters::PruneContainersOptions>),
        )?;
        Ok(report.containers_deleted.unwrap_or_default())
    }

    fn stop_container(&mut self, id: &str) -> Result<()> {
        self.block(
            self.docker
                .stop_container(id, None::<bollard::query_parameters::StopContainerOptions>),
        )
    }

    fn kill_container(&mut self, id: &str, signal: Option<&str>) -> Result<()> {
        let options = signal.map(|signal| bollard::query_parameters::KillContainerOptions {
            signal: signal.to_string(),
        });
        self.block(self.docker.kill_container(id, options))
    }

    fn export_container(&mut self, id: &str) -> Result<Vec<u8>> {
        let path = format!("{}/containers/{}/export", self.version_prefix, encode(id));
        self.request("GET", &path, &[], b"")
    }

    fn import_image(
        &mut self,
        tar: &[u8],
        options: &crate::backend::ImportOptions,
    ) -> Result<String> {
        let mut pairs = vec![("fromSrc", "-")];
        for (key, value) in [
            ("repo", &options.repo),
            ("tag", &options.tag),
            ("message", &options.message),
        ] {
            if let Some(v) = value {
                pairs.push((key, v.as_str()));
            }
        }
        for change in &options.changes {
            pairs.push(("changes", change));
        }
        let path = format!("{}/images/create{}", self.version_prefix, query(&pairs));
        let body = self.request("POST", &path, &[("Content-Type", "application/x-tar")], tar)?;
        // A stream of JSON messages: the last status is the image ID, or an error.
        let mut id = String::new();
        for line in body.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
            let message: serde_json::Value = serde_json::from_slice(line).unwrap_or_default();
            if let Some(error) = message["error"].as_str() {
                return Err(BackendError::Daemon {
                    status: 500,
                    message: error.to_string(),
                });
            }
            if let Some(status) = message["status"].as_str() {
                id = status.trim().to_string();
            }
        }
        Ok(id)
    }

    fn create_network(
        &mut self,
        request: &bollard_stubs::models::NetworkCreateRequest,
    ) -> Result<String> {
        let created = self.block(self.docker.create_network(request.clone()))?;
        Ok(created.id)
    }

    fn list_networks(
        &mut self,
        filters: &super::Filters,
    ) -> Result<Vec<bollard_stubs::models::NetworkInspect>> {
        let options = bollard::query_parameters::ListNetworksOptionsBuilder::default()
            .filters(filters)
            .build();
        let listed = self.block(self.docker.list_networks(Some(options)))?;
        let mut out = Vec::new();
        for n in listed {
            // The list leaves members out; inspect has them.
            let id = n.id.clone().unwrap_or_default();
            match self.inspect_network(&id) {
                Ok(full) => out.push(full),
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    fn inspect_network(&mut self, name: &str) -> Result<bollard_stubs::models::NetworkInspect> {
        self.block(self.docker.inspect_network(
            name,
            None::<bollard::query_parameters::InspectNetworkOptions>,
        ))
    }

    fn remove_network(&mut self, name: &str) -> Result<()> {
        self.block(self.docker.remove_network(name))
    }

    fn connect_network(
        &mut self,
        network: &str,
        container: &str,
        endpoint: &bollard_stubs::models::EndpointSettings,
    ) -> Result<()> {
        let request = bollard_stubs::models::NetworkConnectRequest {
            container: container.to_string(),
            endpoint_config: Some(endpoint.clone()),
        };
        self.block(self.docker.connect_network(network, request))
    }

    fn disconnect_network(&mut self, network: &str, container: &str, force: bool) -> Result<()> {
        let request = bollard_stubs::models::NetworkDisconnectRequest {
            container: container.to_string(),
            force: Some(force),
        };
        self.block(self.docker.disconnect_network(network, request))
    }

    fn prune_networks(&mut self, filters: &super::Filters) -> Result<Vec<String>> {
        let options = bollard::query_parameters::PruneNetworksOptionsBuilder::default()
            .filters(filters)
            .build();
        let pruned = self.block(self.docker.prune_networks(Some(options)))?;
        Ok(pruned.networks_deleted.unwrap_or_default())
    }

    fn create_volume(
        &mut self,
        name: Option<&str>,
        labels: std::collections::HashMap<String, String>,
    ) -> Result<bollard_stubs::models::Volume> {
        let options = bollard_stubs::models::VolumeCreateRequest {
            name: name.map(str::to_string),
            labels: Some(labels),
            ..Default::default()
        };
        self.block(self.docker.create_volume(options))
    }

    fn list_volumes(&mut self) -> Result<Vec<bollard_stubs::models::Volume>> {
        Ok(self
            .block(
                self.docker
                    .list_volumes(None::<bollard::query_parameters::ListVolumesOptions>),
            )?
            .volumes
            .unwrap_or_default())
    }

    fn inspect_volume(&mut self, name: &str) -> Result<bollard_stubs::models::Volume> {
        self.block(self.docker.inspect_volume(name))
    }

    fn remove_volume(&mut self, name: &str, force: bool) -> Result<()> {
        let options = bollard::query_parameters::RemoveVolumeOptionsBuilder::default()
            .force(force)
            .build();
        self.block(self.docker.remove_volume(name, Some(options)))
    }

    fn prune_volumes(&mut self, all: bool) -> Result<(Vec<String>, u64)> {
        let mut filters = std::collections::HashMap::new();
        if all {
            filters.insert("all", vec!["true"]);
        }
        let options = bollard::query_parameters::PruneVolumesOptionsBuilder::default()
            .filters(&filters)
            .build();
        let report = self.block(self.docker.prune_volumes(Some(options)))?;
        Ok((
            report.volumes_deleted.unwrap_or_default(),
            report.space_reclaimed.unwrap_or(0).max(0) as u64,
        ))
    }

    fn disk_usage(&mut self) -> Result<crate::backend::DiskUsage> {
        // bollard's stubs describe the report as API 1.52 shapes it; Docker 28 sends
        // the 1.50 shape, read here as it comes.
        let body = self.request(
            "GET",
            &format!("{}/system/df", self.version_prefix),
            &[],
            b"",
        )?;
        serde_json::from_slice(&body).map_err(|e| {
            BackendError::Connection(format!("malformed disk usage from the daemon: {e}"))
        })
    }

    fn pause_container(&mut self, id: &str) -> Result<()> {
        self.block(self.docker.pause_container(id))
    }

    fn unpause_container(&mut self, id: &str) -> Result<()> {
        self.block(self.docker.unpause_container(id))
    }

    fn exec(
        &mut self,
        id: &str,
        argv: &[String],
        options: &ExecOptions,
        streams: Streams<'_>,
    ) -> Result<i64> {
        let config = bollard_stubs::models::ExecConfig {
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            cmd: Some(argv.to_vec()),
            env: (!options.env.is_empty()).then(|| options.env.clone()),
            working_dir: options.workdir.clone(),
            user: options.user.clone(),
            ..Default::default()
        };
        let (endpoint, host) = (self.endpoint.clone(), self.host.clone());
        let (prefix, docker) = (self.version_prefix.clone(), self.docker.clone());
        self.runtime.block_on(run_exec(
            &docker, &endpoint, &host, &prefix, id, config, streams,
        ))
    }

    fn container_changes(&mut self, id: &str) -> Result<Vec<FilesystemChange>> {
        Ok(self
            .block(self.docker.container_changes(id))?
            .unwrap_or_default())
    }

    fn commit_container(&mut self, options: &CommitOptions) -> Result<String> {
        let mut pairs = vec![("container", options.container.as_str())];
        for (key, value) in [
            ("repo", &options.repo),
            ("tag", &options.tag),
            ("comment", &options.comment),
            ("author", &options.author),
        ] {
            if let Some(v) = value {
                pairs.push((key, v.as_str()));
            }
        }
        for change in &options.changes {
            pairs.push(("changes", change));
        }
        let path = format!("{}/commit{}", self.version_prefix, query(&pairs));
        let body = self.request(
            "POST",
            &path,
            &[("Content-Type", "application/json")],
            b"{}",
        )?;
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        Ok(value["Id"].as_str().unwrap_or_default().to_string())
    }

    fn load_images(&mut self, archive: &[u8]) -> Result<Vec<String>> {
        Ok(DockerBackend::load_image(self, archive)?
            .lines()
            .map(str::to_string)
            .filter(|l| !l.is_empty())
            .collect())
    }

    fn save_images(&mut self, names: &[String]) -> Result<Vec<u8>> {
        let pairs: Vec<(&str, &str)> = names.iter().map(|n| ("names", n.as_str())).collect();
        let path = format!("{}/images/get{}", self.version_prefix, query(&pairs));
        self.request("GET", &path, &[], b"")
    }

    fn build_image(
        &mut self,
        context: &[u8],
        options: &BuildOptions,
        progress: &mut dyn FnMut(&BuildMessage),
    ) -> Result<String> {
        let build_args: std::collections::HashMap<&str, &str> = options
            .build_args
            .iter()
            .filter_map(|(k, v)| v.as_deref().map(|v| (k.as_str(), v)))
            .collect();
        let build_args = serde_json::to_string(&build_args).unwrap_or_else(|_| "{}".into());
        let dockerfile = if options.dockerfile.is_empty() {
            "Dockerfile"
        } else {
            options.dockerfile.as_str()
        };
        let mut pairs: Vec<(&str, &str)> = options.tags.iter().map(|t| ("t", t.as_str())).collect();
        pairs.push(("dockerfile", dockerfile));
        pairs.push(("buildargs", &build_args));
        pairs.push(("version", if options.buildkit { "2" } else { "1" }));
        pairs.push(("rm", "1"));
        if options.no_cache {
            pairs.push(("nocache", "1"));
        }
        if options.quiet {
            pairs.push(("q", "1"));
        }
        if let Some(target) = &options.target {
            pairs.push(("target", target));
        }
        let path = format!("{}/build{}", self.version_prefix, query(&pairs));
        let endpoint = self.endpoint.clone();
        let host = self.host.clone();
        self.runtime.block_on(async {
            let mut response = endpoint
                .send(
                    "POST",
                    &path,
                    &[("Content-Type", "application/x-tar")],
                    context,
                )
                .await
                .map_err(|e| io_error(&host, e))?;
            check_status(&host, &mut response).await?;
            let mut id = String::new();
            while let Some(message) = response
                .next_json::<serde_json::Value>()
                .await
                .map_err(|e| io_error(&host, e))?
            {
                let error = stream_error(&message);
                let parsed: BuildMessage = serde_json::from_value(message).unwrap_or_default();
                if let Some(aux) = &parsed.aux {
                    id = aux.id.clone();
                }
                progress(&parsed);
                if let Some(error) = error {
                    return Err(error);
                }
            }
            Ok(id)
        })
    }

    fn create_container(
        &mut self,
        name: Option<&str>,
        body: ContainerCreateBody,
    ) -> Result<ContainerCreateResponse> {
        let params = name.map(|name| CreateContainerOptionsBuilder::new().name(name).build());
        self.block(self.docker.create_container(params, body))
    }

    fn start_container(&mut self, id: &str) -> Result<()> {
        self.block(self.docker.start_container(id, None))
    }

    /// `POST /containers/{id}/attach?stream=1&stdout=1&stderr=1&logs=1` (hijacked), then
    /// `POST /containers/{id}/wait?condition=next-exit`, then `POST /containers/{id}/start`,
    /// as the Docker CLI orders them; output is copied frame by frame as it arrives.
    fn run_attached(&mut self, id: &str, streams: Streams<'_>) -> Result<i64> {
        let container = self.inspect_container(id)?;
        let config = container.config.as_ref();
        let plan = AttachPlan {
            tty: config.and_then(|c| c.tty).unwrap_or(false),
            stdin: config.and_then(|c| c.open_stdin).unwrap_or(false),
            wait_condition: if container
                .host_config
                .as_ref()
                .and_then(|h| h.auto_remove)
                .unwrap_or(false)
            {
                "removed"
            } else {
                "next-exit"
            },
        };
        let id = container.id.clone().unwrap_or_else(|| id.to_string());
        let endpoint = self.endpoint.clone();
        let host = self.host.clone();
        let prefix = self.version_prefix.clone();
        let docker = self.docker.clone();
        self.runtime.block_on(run_attached(
            &docker, &endpoint, &host, &prefix, &id, &plan, streams,
        ))
    }

    fn list_containers(
        &mut self,
        options: &ListContainersOptions,
    ) -> Result<Vec<ContainerSummary>> {
        let mut builder = ListContainersOptionsBuilder::new()
            .all(options.all)
            .size(options.size)
            .filters(&options.filters);
        if let Some(limit) = options.limit {
            builder = builder.limit(limit.clamp(-1, i64::from(i32::MAX)) as i32);
        }
        self.block(self.docker.list_containers(Some(builder.build())))
    }

    /// `GET /containers/{id}/json`.
    fn inspect_container(&mut self, id: &str) -> Result<ContainerInspectResponse> {
        self.block(self.docker.inspect_container(id, None))
    }

    fn remove_container(&mut self, id: &str, force: bool, volumes: bool) -> Result<()> {
        let params = RemoveContainerOptionsBuilder::new()
            .force(force)
            .v(volumes)
            .build();
        self.block(self.docker.remove_container(id, Some(params)))
    }
}

async fn run_attached(
    docker: &Docker,
    endpoint: &Endpoint,
    host: &str,
    prefix: &str,
    id: &str,
    plan: &AttachPlan,
    streams: Streams<'_>,
) -> Result<i64> {
    let io = |e| io_error(host, e);
    let container = encode(id);

    // Streamed only, as the docker CLI attaches for `run`: with `logs=1` too, the
    // daemon may replay output the stream also delivers, and it arrives twice.
    let mut pairs = vec![("stream", "1"), ("stdout", "1"), ("stderr", "1")];
    let send_stdin = plan.stdin && !streams.stdin.is_empty();
    if send_stdin {
        pairs.push(("stdin", "1"));
    }
    let attach_path = format!("{prefix}/containers/{container}/attach{}", query(&pairs));
    let mut attach = endpoint
        .send(
            "POST",
            &attach_path,
            &[("Connection", "Upgrade"), ("Upgrade", "tcp")],
            b"",
        )
        .await
        .map_err(io)?;
    check_status(host, &mut attach).await?;
    // Older daemons answer a hijack 200 with `application/vnd.docker.raw-stream` even for
    // multiplexed output, so the container's Tty setting decides the framing.
    let multiplexed = !plan.tty
        || attach
            .header("content-type")
            .is_some_and(|t| t.contains("multiplexed"));

    let wait_path = format!(
        "{prefix}/containers/{container}/wait{}",
        query(&[("condition", plan.wait_condition)])
    );
    let mut wait = endpoint
        .send_deferred("POST", &wait_path)
        .await
        .map_err(io)?;

    docker
        .start_container(id, None)
        .await
        .map_err(|e| map_error(host, e))?;

    if send_stdin {
        attach.write_all(streams.stdin).await.map_err(io)?;
        attach.close_write().await.map_err(io)?;
    }

    let Streams { stdout, stderr, .. } = streams;
    copy_output(host, &mut attach, multiplexed, stdout, stderr).await?;

    wait_for_exit(docker, host, &mut wait, id).await
}

/// Copies a hijacked stream's output to `stdout` and `stderr` until it ends: frames
/// `[stream, 0, 0, 0, length (u32, big-endian)]` when multiplexed, raw bytes otherwise.
async fn copy_output(
    host: &str,
    attach: &mut Response,
    multiplexed: bool,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> Result<()> {
    let io = |e| io_error(host, e);
    let write = |out: &mut dyn Write, bytes: &[u8]| -> Result<()> {
        out.write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(|e| BackendError::Connection(format!("cannot write output: {e}")))
    };
    if multiplexed {
        let mut header = [0u8; 8];
        let mut payload = Vec::new();
        while attach.read_exact_or_end(&mut header).await.map_err(io)? {
            let len = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
            payload.resize(len, 0);
            if len > 0 && !attach.read_exact_or_end(&mut payload).await.map_err(io)? {
                break;
            }
            match header[0] {
                2 | 3 => write(stderr, &payload)?,
                _ => write(stdout, &payload)?,
            }
        }
    } else {
        let mut buf = [0u8; 8192];
        loop {
            let n = attach.read(&mut buf).await.map_err(io)?;
            if n == 0 {
                break;
            }
            write(stdout, &buf[..n])?;
        }
    }
    Ok(())
}

/// `docker exec` without a terminal: create the exec, start it hijacked, copy its
/// output, then read its exit code.
async fn run_exec(
    docker: &Docker,
    endpoint: &Endpoint,
    host: &str,
    prefix: &str,
    id: &str,
    config: bollard_stubs::models::ExecConfig,
    streams: Streams<'_>,
) -> Result<i64> {
    let created = docker
        .create_exec(id, config)
        .await
        .map_err(|e| map_error(host, e))?;
    let path = format!("{prefix}/exec/{}/start", encode(&created.id));
    let mut attach = endpoint
        .send(
            "POST",
            &path,
            &[
                ("Connection", "Upgrade"),
                ("Upgrade", "tcp"),
                ("Content-Type", "application/json"),
            ],
            br#"{"Detach":false,"Tty":false}"#,
        )
        .await
        .map_err(|e| io_error(host, e))?;
    check_status(host, &mut attach).await?;
    let Streams { stdout, stderr, .. } = streams;
    copy_output(host, &mut attach, true, stdout, stderr).await?;
    let inspect = docker
        .inspect_exec(&created.id)
        .await
        .map_err(|e| map_error(host, e))?;
    Ok(inspect.exit_code.unwrap_or(0))
}

/// Reads the `/wait` answer; should it never come (a wait registered after the
/// container had already exited), the container's state settles it.
async fn wait_for_exit(
    docker: &Docker,
    host: &str,
    wait: &mut wire::Deferred,
    id: &str,
) -> Result<i64> {
    let answer = async {
        let mut response = wait.response().await.map_err(|e| io_error(host, e))?;
        check_status(host, &mut response).await?;
        let body = response.body().await.map_err(|e| io_error(host, e))?;
        let value: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
            BackendError::Connection(format!("malformed wait response from the daemon: {e}"))
        })?;
        if let Some(message) = value
            .get("Error")
            .and_then(|e| e.get("Message"))
            .and_then(|m| m.as_str())
            .filter(|m| !m.is_empty())
        {
            return Err(BackendError::Daemon {
                status: 500,
                message: message.to_string(),
            });
        }
        Ok(value
            .get("StatusCode")
            .and_then(|c| c.as_i64())
            .unwrap_or(0))
    };
    let settled = async {
        loop {
            tokio::time::sleep(Duration::from_secs(2)).await;
            match docker.inspect_container(id, None).await {
                Ok(c) => {
                    let state = c.state.unwrap_or_default();
                    if !state.running.unwrap_or(false) && !state.restarting.unwrap_or(false) {
                        // Give the wait answer a moment more: it is the authority.
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        return Ok(state.exit_code.unwrap_or(0));
                    }
                }
                // Removed (`--rm`): only the wait answer can tell.
                Err(_) => std::future::pending::<()>().await,
            }
        }
    };
    tokio::select! {
        biased;
        exit = answer => exit,
        exit = settled => exit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let (host, endpoint) = parse_host("unix:///var/run/docker.sock").unwrap();
        assert_eq!(host, "unix:///var/run/docker.sock");
        assert!(
            matches!(endpoint, Endpoint::Unix(p) if p == std::path::Path::new("/var/run/docker.sock"))
        );
        let (host, _) = parse_host("/tmp/docklab.sock").unwrap();
        assert_eq!(host, "unix:///tmp/docklab.sock");
        let (host, endpoint) = parse_host("tcp://127.0.0.1:2375").unwrap();
        assert_eq!(host, "tcp://127.0.0.1:2375");
        assert!(matches!(endpoint, Endpoint::Tcp(a) if a == "127.0.0.1:2375"));
        assert!(parse_host("ftp://x").is_err());
    }

    #[test]
    fn connection_refused_reads_like_the_cli() {
        let dir = tempfile::tempdir().unwrap();
        let missing = format!("unix://{}/nothing.sock", dir.path().display());
        let error = DockerBackend::connect(Some(&missing)).err().unwrap();
        assert_eq!(
            error,
            BackendError::Connection(format!(
                "Cannot connect to the Docker daemon at {missing}. Is the docker daemon running?"
            ))
        );
    }

    /// A daemon on a unix socket that answers `/version`, then one pull whose messages it
    /// sends one chunk at a time, each only once the previous one reached the callback.
    #[test]
    fn pull_streams_progress_as_it_arrives_and_returns_the_stream_error() {
        use std::io::{BufRead, BufReader, Read};
        use std::os::unix::net::UnixListener;
        use std::sync::mpsc;

        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("docker.sock");
        let listener = UnixListener::bind(&socket).unwrap();
        let (seen_tx, seen_rx) = mpsc::channel::<String>();
        let server = std::thread::spawn(move || {
            let read_head = |stream: &mut std::os::unix::net::UnixStream| {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap();
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    reader.read_line(&mut line).unwrap();
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                request_line
            };
            // 1. Version negotiation: bollard asks `GET /version` unversioned.
            let (mut stream, _) = listener.accept().unwrap();
            let line = read_head(&mut stream);
            assert!(line.starts_with("GET /version "), "{line}");
            let body = r#"{"Version":"28.2.2","ApiVersion":"1.50"}"#;
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            drop(stream);
            // 2. The pull.
            let (mut stream, _) = listener.accept().unwrap();
            let line = read_head(&mut stream);
            assert!(
                line.starts_with(
                    "POST /v1.50/images/create?fromImage=localhost%3A5000%2Fapp&tag=1.0 "
                ),
                "{line}"
            );
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            .unwrap();
            let messages = [
                // A message split across two chunks, then two in one chunk, no newline.
                r#"{"status":"Pulling from app","#,
                r#""id":"1.0"}"#,
                r#"{"status":"Pulling fs layer","id":"abc"}{"status":"Waiting","id":"abc"}"#,
                r#"{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}"#,
            ];
            for (i, chunk) in messages.iter().enumerate() {
                write!(stream, "{:x}\r\n{chunk}\r\n", chunk.len()).unwrap();
                stream.flush().unwrap();
                if i == 1 || i == 2 {
                    // The client must hand this message over before it sees the next one.
                    let seen = seen_rx.recv_timeout(Duration::from_secs(10)).unwrap();
                    assert!(!seen.is_empty());
                }
                if i == 2 {
                    seen_rx.recv_timeout(Duration::from_secs(10)).unwrap();
                }
            }
            // The client may already have hung up on the error: its last chunk can meet
            // a closed socket.
            let _ = write!(stream, "0\r\n\r\n");
        });

        let host = format!("unix://{}", socket.display());
        let mut backend = DockerBackend::connect(Some(&host)).unwrap();
        let mut seen = Vec::new();
        let error = backend
            .pull_image("localhost:5000/app", "1.0", &mut |info| {
                let status = info.status.clone().unwrap_or_default();
                seen.push((status.clone(), info.error_detail.clone()));
                let _ = seen_tx.send(status);
            })
            .unwrap_err();
        server.join().unwrap();
        assert_eq!(
            error,
            BackendError::Daemon {
                status: 500,
                message: "manifest unknown".into()
            }
        );
        let statuses: Vec<&str> = seen.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            statuses,
            ["Pulling from app", "Pulling fs layer", "Waiting", ""]
        );
        assert_eq!(
            seen[3].1.as_ref().and_then(|d| d.message.as_deref()),
            Some("manifest unknown")
        );
    }

    #[test]
    fn stream_errors() {
        let message = serde_json::json!({
            "errorDetail": {"message": "manifest unknown"},
            "error": "manifest unknown"
        });
        assert_eq!(
            stream_error(&message),
            Some(BackendError::Daemon {
                status: 500,
                message: "manifest unknown".into()
            })
        );
        assert_eq!(
            stream_error(&serde_json::json!({"status": "Waiting"})),
            None
        );
    }
}
