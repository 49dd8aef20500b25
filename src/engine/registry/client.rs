//! The client half: what `docker push` and `docker pull` say to a registry, over real
//! HTTP (blocking, so the engine's synchronous calls can use it from any thread).
//!
//! A client knows two addresses: the host the user typed (`localhost:5000`), which every
//! message names, and the endpoint it actually connects to, which the engine chooses
//! (`Engine::registry_endpoint`).

use super::{DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST};
use crate::engine::digest::{Digest, Hasher};
use std::io::{self, Read};
use std::time::Duration;

/// Why a registry conversation failed, worded as Docker's daemon words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// Nothing answered: `Get "http://localhost:5000/v2/": dial tcp [::1]:5000: connect:
    /// connection refused`.
    #[error("{0}")]
    Unreachable(String),
    /// The registry answered with a spec error: `<code lower case>: <message>`.
    #[error("{}: {message}", code.to_lowercase())]
    Registry {
        status: u16,
        code: String,
        message: String,
    },
    /// The registry wants Basic credentials and the client has none.
    #[error("no basic auth credentials")]
    NoCredentials,
    /// Anything else (a bad response, bytes that do not match their digest).
    #[error("{0}")]
    Protocol(String),
}

pub type Result<T> = std::result::Result<T, ClientError>;

/// A manifest as fetched: its bytes, media type and digest.
pub struct FetchedManifest {
    pub bytes: Vec<u8>,
    pub media_type: String,
    pub digest: Digest,
}

/// A user's name and password for one registry, as `docker login` stored them.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Passwords stay out of logs.
        write!(f, "Credentials({})", self.username)
    }
}

/// What the lab's client says it is: the User-Agent Docker 28.2.2's daemon sends for a
/// `docker` CLI of the same version, fixed (no host kernel in it) so that a registry's
/// access log reads the same on every machine.
pub const USER_AGENT: &str = "docker/28.2.2 go/go1.24.3 git-commit/45873be kernel/6.10.14-linuxkit os/linux arch/amd64 UpstreamClient(Docker-Client/28.2.2 \\(linux\\))";

/// How much of a blob is received before its hash is brought up to date: small enough
/// to still be in the cache when it is hashed.
const BLOB_PIECE: usize = 1 << 20;

/// A blob is received into memory whole; beyond this its Content-Length is not believed.
const BLOB_IN_MEMORY_LIMIT: usize = 1 << 30;

pub struct RegistryClient {
    host: String,
    endpoint: String,
    agent: ureq::Agent,
    /// `Authorization: Basic …` for every request, once logged in.
    authorization: Option<String>,
}

struct Reply {
    status: u16,
    location: Option<String>,
    content_type: Option<String>,
    digest: Option<String>,
    body: Vec<u8>,
}

impl RegistryClient {
    /// A client for registry `host` (as typed), connecting to `endpoint`
    /// (`http://127.0.0.1:5000`).
    pub fn new(host: &str, endpoint: &str) -> RegistryClient {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(Duration::from_secs(10)))
            // A registry that stops answering must not hang the lab; a large blob may
            // still take its time arriving.
            .timeout_recv_response(Some(Duration::from_secs(60)))
            // Blobs are large: a mebibyte per system call each way, not 128 KiB.
            .input_buffer_size(1 << 20)
            .output_buffer_size(1 << 20)
            .build()
            .into();
        RegistryClient {
            host: host.to_string(),
            endpoint: endpoint.trim_end_matches('/').to_string(),
            agent,
            authorization: None,
        }
    }

    /// The same client, sending these credentials with every request.
    pub fn with_credentials(mut self, credentials: Option<&Credentials>) -> RegistryClient {
        self.authorization =
            credentials.map(|c| super::auth::encode_basic(&c.username, &c.password));
        self
    }

    /// Go's words for a dial that failed, naming the host as the user typed it.
    fn unreachable(&self, method: &str, path: &str, error: &ureq::Error) -> ClientError {
        let (name, port) = match self.host.rsplit_once(':') {
            Some((name, port)) if !name.ends_with(']') || name.starts_with('[') => {
                (name.to_string(), port.to_string())
            }
            _ => (self.host.clone(), "80".to_string()),
        };
        // Go tries ::1 first for localhost and reports that attempt.
        let address = if name == "localhost" {
            format!("[::1]:{port}")
        } else {
            format!("{name}:{port}")
        };
        let refused = matches!(error, ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused)
            || matches!(error, ureq::Error::ConnectionFailed);
        let method = method[..1].to_string() + &method[1..].to_lowercase();
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("http://{}{path}", self.host)
        };
        if refused {
            ClientError::Unreachable(format!(
                "{method} \"{url}\": dial tcp {address}: connect: connection refused"
            ))
        } else {
            ClientError::Unreachable(format!("{method} \"{url}\": {error}"))
        }
    }

    /// Sends a request; the response's body is still to be read.
    fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<ureq::http::Response<ureq::Body>> {
        let url = if path.starts_with("http://") {
            path.to_string()
        } else {
            format!("{}{path}", self.endpoint)
        };
        let mut builder = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            // The registry as the user named it, wherever the connection really goes.
            .header("Host", &self.host)
            .header("User-Agent", USER_AGENT);
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        if let Some(authorization) = &self.authorization {
            builder = builder.header("Authorization", authorization);
        }
        let request = |b: ureq::http::request::Builder| {
            b.body(()).map_err(|e| ClientError::Protocol(e.to_string()))
        };
        let response = match body {
            None => self.agent.run(request(builder)?),
            Some(bytes) => self.agent.run(
                builder
                    .body(bytes)
                    .map_err(|e| ClientError::Protocol(e.to_string()))?,
            ),
        };
        let shown_path = path.split('?').next().unwrap_or(path);
        response.map_err(|e| self.unreachable(method, shown_path, &e))
    }

    /// Sends a request and reads the whole reply.
    fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Reply> {
        let mut response = self.request(method, path, headers, body)?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let location = header("location");
        let content_type = header("content-type");
        let digest = header("docker-content-digest");
        let mut bytes = Vec::new();
        if method != "HEAD" {
            response
                .body_mut()
                .as_reader()
                .read_to_end(&mut bytes)
                .map_err(|e| ClientError::Protocol(e.to_string()))?;
        }
        Ok(Reply {
            status: response.status().as_u16(),
            location,
            content_type,
            digest,
            body: bytes,
        })
    }

    /// The spec error in a failed reply.
    fn error(reply: &Reply) -> ClientError {
        let parsed: Option<(String, String)> =
            serde_json::from_slice::<serde_json::Value>(&reply.body)
                .ok()
                .and_then(|v| {
                    let e = &v["errors"][0];
                    Some((
                        e["code"].as_str()?.to_string(),
                        e["message"].as_str()?.to_string(),
                    ))
                });
        match parsed {
            Some((code, message)) => ClientError::Registry {
                status: reply.status,
                code,
                message,
            },
            None => {
                ClientError::Protocol(format!("unexpected status from registry: {}", reply.status))
            }
        }
    }

    /// `GET /v2/`: is anyone there?
    pub fn ping(&self) -> Result<()> {
        let reply = self.send("GET", "/v2/", &[], None)?;
        match reply.status {
            200..=299 => Ok(()),
            401 => Err(ClientError::NoCredentials),
            _ => Err(Self::error(&reply)),
        }
    }

    /// `docker login`: whether the registry accepts the client's credentials, in the
    /// daemon's words when it does not.
    pub fn login(&self) -> Result<()> {
        let reply = self.send("GET", "/v2/", &[], None)?;
        match reply.status {
            200..=299 => Ok(()),
            status => Err(ClientError::Protocol(format!(
                "login attempt to http://{}/v2/ failed with status: {status} {}",
                self.host,
                ureq::http::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("")
            ))),
        }
    }

    pub fn has_blob(&self, repository: &str, digest: &Digest) -> Result<bool> {
        let reply = self.send(
            "HEAD",
            &format!("/v2/{repository}/blobs/{digest}"),
            &[],
            None,
        )?;
        match reply.status {
            200 => Ok(true),
            404 => Ok(false),
            _ => Err(Self::error(&reply)),
        }
    }

    /// Asks the registry to link a blob `from` another repository; false when it would
    /// rather have the bytes (the upload it opened instead is cancelled).
    pub fn mount(&self, repository: &str, digest: &Digest, from: &str) -> Result<bool> {
        let path = format!("/v2/{repository}/blobs/uploads/?mount={digest}&from={from}");
        let reply = self.send("POST", &path, &[("Content-Length", "0")], Some(b""))?;
        match reply.status {
            201 => Ok(true),
            202 => {
                if let Some(location) = reply.location {
                    let _ = self.send("DELETE", &self.absolute(&location), &[], None);
                }
                Ok(false)
            }
            _ => Err(Self::error(&reply)),
        }
    }

    fn absolute(&self, location: &str) -> String {
        for scheme in ["http://", "https://"] {
            if let Some(rest) = location.strip_prefix(scheme) {
                // A registry builds absolute locations from the Host it was sent: the
                // name as typed, which is not always where the connection really goes.
                return match rest.strip_prefix(self.host.as_str()) {
                    Some(path) if path.starts_with('/') => format!("{}{path}", self.endpoint),
                    _ => location.to_string(),
                };
            }
        }
        format!("{}{location}", self.endpoint)
    }

    /// Uploads a blob: open an upload, then send it whole with its digest.
    pub fn push_blob(&self, repository: &str, digest: &Digest, bytes: &[u8]) -> Result<()> {
        let reply = self.send(
            "POST",
            &format!("/v2/{repository}/blobs/uploads/"),
            &[("Content-Length", "0")],
            Some(b""),
        )?;
        if reply.status != 202 {
            return Err(Self::error(&reply));
        }
        let location = reply
            .location
            .ok_or_else(|| ClientError::Protocol("upload without a Location".into()))?;
        let separator = if location.contains('?') { '&' } else { '?' };
        let url = format!("{}{separator}digest={digest}", self.absolute(&location));
        let reply = self.send(
            "PUT",
            &url,
            &[("Content-Type", "application/octet-stream")],
            Some(bytes),
        )?;
        match reply.status {
            201 => Ok(()),
            _ => Err(Self::error(&reply)),
        }
    }

    /// Stores a manifest under `reference`; returns the digest the registry gave it.
    pub fn put_manifest(
        &self,
        repository: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<Digest> {
        let reply = self.send(
            "PUT",
            &format!("/v2/{repository}/manifests/{reference}"),
            &[("Content-Type", media_type)],
            Some(bytes),
        )?;
        if reply.status != 201 {
            return Err(Self::error(&reply));
        }
        Ok(reply
            .digest
            .and_then(|d| d.parse().ok())
            .unwrap_or_else(|| Digest::sha256(bytes)))
    }

    /// A manifest by tag or digest; `None` when the registry does not know it.
    pub fn manifest(&self, repository: &str, reference: &str) -> Result<Option<FetchedManifest>> {
        let accept = [
            DOCKER_MANIFEST,
            DOCKER_MANIFEST_LIST,
            OCI_MANIFEST,
            OCI_INDEX,
        ]
        .join(", ");
        let reply = self.send(
            "GET",
            &format!("/v2/{repository}/manifests/{reference}"),
            &[("Accept", &accept)],
            None,
        )?;
        match reply.status {
            200 => {}
            404 => return Ok(None),
            _ => return Err(Self::error(&reply)),
        }
        let digest = match reference.parse::<Digest>() {
            Ok(wanted) => {
                if !wanted.verify(&reply.body) {
                    return Err(ClientError::Protocol(format!(
                        "manifest verification failed for digest {wanted}"
                    )));
                }
                wanted
            }
            Err(_) => Digest::sha256(&reply.body),
        };
        let media_type = reply
            .content_type
            .map(|c| c.split(';').next().unwrap_or("").trim().to_string())
            .unwrap_or_else(|| OCI_MANIFEST.to_string());
        Ok(Some(FetchedManifest {
            bytes: reply.body,
            media_type,
            digest,
        }))
    }

    /// A blob's bytes, checked against its digest.
    ///
    /// The bytes are hashed as they arrive, a piece at a time on a second thread while
    /// the next piece is received, so verifying a large blob costs little wall time
    /// beyond receiving it (and no second pass over memory).
    pub fn blob(&self, repository: &str, digest: &Digest) -> Result<Vec<u8>> {
        let path = format!("/v2/{repository}/blobs/{digest}");
        let mut response = self.request("GET", &path, &[], None)?;
        let status = response.status().as_u16();
        let length = response
            .headers()
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .and_then(|l| l.parse::<usize>().ok());
        let mut reader = response.body_mut().as_reader();
        let failed = |e: io::Error| ClientError::Protocol(e.to_string());
        if status != 200 {
            let mut body = Vec::new();
            reader.read_to_end(&mut body).map_err(failed)?;
            return Err(Self::error(&Reply {
                status,
                location: None,
                content_type: None,
                digest: None,
                body,
            }));
        }
        let (bytes, actual) = match length {
            Some(length) if length <= BLOB_IN_MEMORY_LIMIT => {
                receive_and_hash(&mut reader, length, digest.algorithm()).map_err(failed)?
            }
            _ => {
                let mut bytes = Vec::new();
                reader.read_to_end(&mut bytes).map_err(failed)?;
                let mut hasher = Hasher::new(digest.algorithm());
                hasher.update(&bytes);
                (bytes, hasher.finish())
            }
        };
        if actual != *digest {
            return Err(ClientError::Protocol(format!(
                "filesystem layer verification failed for digest {digest}"
            )));
        }
        Ok(bytes)
    }
}

/// Reads exactly `length` bytes (more or fewer is an error) while a second thread hashes
/// each piece as soon as it is in. The buffer is allocated zeroed, which for a large one
/// means fresh pages from the system, not a pass of writing zeros.
fn receive_and_hash(
    reader: &mut dyn Read,
    length: usize,
    algorithm: crate::engine::digest::Algorithm,
) -> io::Result<(Vec<u8>, Digest)> {
    let mut bytes = vec![0u8; length];
    let digest = std::thread::scope(|scope| {
        let (pieces, received) = std::sync::mpsc::sync_channel::<&[u8]>(16);
        let hashing = scope.spawn(move || {
            let mut hasher = Hasher::new(algorithm);
            for piece in received {
                hasher.update(piece);
            }
            hasher.finish()
        });
        for piece in bytes.chunks_mut(BLOB_PIECE) {
            reader.read_exact(piece)?;
            if pieces.send(piece).is_err() {
                break;
            }
        }
        drop(pieces);
        let mut extra = [0u8; 1];
        if reader.read(&mut extra)? != 0 {
            return Err(io::Error::other("blob longer than its Content-Length"));
        }
        hashing
            .join()
            .map_err(|_| io::Error::other("hashing the blob failed"))
    })?;
    Ok((bytes, digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_built_from_the_typed_name_go_to_the_real_endpoint() {
        let client = RegistryClient::new("localhost:5000", "http://127.0.0.1:40123");
        assert_eq!(
            client.absolute("/v2/a/blobs/uploads/1"),
            "http://127.0.0.1:40123/v2/a/blobs/uploads/1"
        );
        assert_eq!(
            client.absolute("http://localhost:5000/v2/a/blobs/uploads/1?_state=x"),
            "http://127.0.0.1:40123/v2/a/blobs/uploads/1?_state=x"
        );
        assert_eq!(
            client.absolute("http://localhost:50001/v2/a"),
            "http://localhost:50001/v2/a"
        );
        assert_eq!(
            client.absolute("https://storage.example/blob"),
            "https://storage.example/blob"
        );
    }
}
