//! The HTTP surface: routing `/v2/…` paths (repository names contain slashes, so routes
//! are matched from the end of the path), each endpoint's behaviour, and the bodies.

use super::errors::{ErrorCode, RegistryError, Result};
use super::names::{valid_name, valid_tag};
use super::{
    DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, MANIFEST_SIZE_LIMIT, OCI_INDEX, OCI_MANIFEST, Registry,
};
use crate::engine::digest::{Algorithm, Digest, Hasher};
use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::{Method, Request, Response};
use serde_json::{Value, json};
use std::convert::Infallible;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

pub type Body = BoxBody<Bytes, io::Error>;

const API_VERSION_HEADER: &str = "Docker-Distribution-API-Version";
const API_VERSION: &str = "registry/2.0";
/// Blob bodies go out in pieces of this size.
const READ_CHUNK: usize = 1 << 20;

/// An upload in progress: its repository, the bytes received so far, and the hash of
/// those bytes when it has been kept up chunk by chunk (after a restart it is not, and
/// the staged file is hashed once at the end).
pub struct Upload {
    name: String,
    size: u64,
    hasher: Option<Hasher>,
}

/// A running hash fed from the async side and computed on a blocking thread, so hashing
/// overlaps receiving. Frames travel as `Bytes` (shared, never copied); the bounded
/// queue keeps a slow hash from buffering a whole blob in memory.
struct BackgroundHasher {
    queue: Option<tokio::sync::mpsc::Sender<Bytes>>,
    task: tokio::task::JoinHandle<Hasher>,
}

impl BackgroundHasher {
    fn start(mut hasher: Hasher) -> BackgroundHasher {
        let (queue, mut frames) = tokio::sync::mpsc::channel::<Bytes>(64);
        let task = tokio::task::spawn_blocking(move || {
            while let Some(frame) = frames.blocking_recv() {
                hasher.update(&frame);
            }
            hasher
        });
        BackgroundHasher {
            queue: Some(queue),
            task,
        }
    }

    async fn update(&mut self, frame: Bytes) {
        if let Some(queue) = &self.queue
            && queue.send(frame).await.is_err()
        {
            // The hashing thread is gone (it panicked): `finish` reports no hash, and the
            // staged file is hashed at commit instead.
            self.queue = None;
        }
    }

    /// The hash of everything fed, or `None` when it could not be kept.
    async fn finish(mut self) -> Option<Hasher> {
        let complete = self.queue.take().is_some();
        let hasher = self.task.await.ok()?;
        complete.then_some(hasher)
    }
}

pub async fn serve(listener: tokio::net::TcpListener, registry: Arc<Registry>) -> io::Result<()> {
    // The connections live in this set, so dropping the serving future ends them too.
    let mut connections = tokio::task::JoinSet::new();
    let mut accepted_count = 0u64;
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            Some(_) = connections.join_next() => continue,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            // Out of file descriptors and the like: wait a moment rather than give up.
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let registry = registry.clone();
        accepted_count += 1;
        let connection = accepted_count;
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let registry = registry.clone();
                async move { Ok::<_, Infallible>(registry.handle(request, peer, connection).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

/// What a `/v2/…` path asks for.
#[derive(Debug, PartialEq, Eq)]
enum Route<'a> {
    Base,
    Catalog,
    Tags(&'a str),
    Manifest(&'a str, &'a str),
    Blob(&'a str, &'a str),
    StartUpload(&'a str),
    Upload(&'a str, &'a str),
    Referrers(&'a str, &'a str),
}

impl Route<'_> {
    /// The route's variables as distribution's router names them in its log fields.
    fn vars(&self) -> Vec<(&'static str, String)> {
        let name = |n: &str| ("vars.name", n.to_string());
        match *self {
            Route::Base | Route::Catalog => Vec::new(),
            Route::Tags(n) | Route::StartUpload(n) => vec![name(n)],
            Route::Manifest(n, reference) => vec![name(n), ("vars.reference", reference.into())],
            Route::Blob(n, digest) | Route::Referrers(n, digest) => {
                vec![name(n), ("vars.digest", digest.into())]
            }
            Route::Upload(n, uuid) => vec![name(n), ("vars.uuid", uuid.into())],
        }
    }
}

fn route(path: &str) -> Option<Route<'_>> {
    let rest = path.strip_prefix("/v2")?;
    if rest.is_empty() || rest == "/" {
        return Some(Route::Base);
    }
    let rest = rest.strip_prefix('/')?;
    if rest == "_catalog" {
        return Some(Route::Catalog);
    }
    if let Some(name) = rest.strip_suffix("/tags/list") {
        return Some(Route::Tags(name));
    }
    if let Some(name) = rest
        .strip_suffix("/blobs/uploads/")
        .or_else(|| rest.strip_suffix("/blobs/uploads"))
    {
        return Some(Route::StartUpload(name));
    }
    let (head, last) = rest.rsplit_once('/')?;
    let (name, kind) = head.rsplit_once('/')?;
    match kind {
        "manifests" => Some(Route::Manifest(name, last)),
        "blobs" => Some(Route::Blob(name, last)),
        "referrers" => Some(Route::Referrers(name, last)),
        "uploads" => Some(Route::Upload(name.strip_suffix("/blobs")?, last)),
        _ => None,
    }
}

/// Builds responses: every one carries the API version header.
struct Reply(hyper::http::response::Builder);

impl Reply {
    fn new(status: u16) -> Reply {
        Reply(
            Response::builder()
                .status(status)
                .header(API_VERSION_HEADER, API_VERSION),
        )
    }

    fn header(self, name: &str, value: impl AsRef<str>) -> Reply {
        Reply(self.0.header(name, value.as_ref()))
    }

    fn empty(self) -> Response<Body> {
        self.header("Content-Length", "0").bytes(Bytes::new())
    }

    fn bytes(self, bytes: impl Into<Bytes>) -> Response<Body> {
        self.0
            .body(
                Full::new(bytes.into())
                    .map_err(|never| match never {})
                    .boxed(),
            )
            .expect("registry responses are well formed")
    }

    fn json(self, value: &Value) -> Response<Body> {
        // As distribution sends its base, catalog and tags replies.
        self.header("Content-Type", "application/json; charset=utf-8")
            .bytes(serde_json::to_vec(value).expect("JSON values always serialise"))
    }

    fn file(self, file: File, length: u64) -> Response<Body> {
        self.0
            .body(
                FileBody {
                    file,
                    remaining: length,
                }
                .boxed(),
            )
            .expect("registry responses are well formed")
    }
}

fn error_response(error: RegistryError, head: bool) -> Response<Body> {
    let mut reply = Reply::new(error.status);
    for (name, value) in &error.headers {
        reply = reply.header(name, value);
    }
    let reply = reply.header("Content-Type", "application/json; charset=utf-8");
    if head {
        reply.empty()
    } else {
        reply.bytes(error.body())
    }
}

/// A blob's bytes, read from its file a piece at a time.
struct FileBody {
    file: File,
    remaining: u64,
}

impl hyper::body::Body for FileBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<io::Result<Frame<Bytes>>>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        let want = self.remaining.min(READ_CHUNK as u64);
        // Read into spare capacity: no zeroing of a buffer about to be overwritten.
        let mut buf = Vec::with_capacity(want as usize);
        match (&mut self.file).take(want).read_to_end(&mut buf) {
            Ok(n) if n as u64 == want => {}
            Ok(_) => return Poll::Ready(Some(Err(io::ErrorKind::UnexpectedEof.into()))),
            Err(e) => return Poll::Ready(Some(Err(e))),
        }
        self.remaining -= want;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(buf)))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// The query string's pairs, percent-decoded.
fn query(request: &Request<Incoming>) -> Vec<(String, String)> {
    request
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
        match (escaped, bytes[i]) {
            (Some(b), _) => {
                out.push(b as u8);
                i += 3;
            }
            (None, b'+') => {
                out.push(b' ');
                i += 1;
            }
            (None, b) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn header<'a>(request: &'a Request<Incoming>, name: &str) -> Option<&'a str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

fn parse_digest(s: &str) -> Result<Digest> {
    s.parse().map_err(|e: crate::engine::digest::DigestError| {
        RegistryError::with_detail(ErrorCode::DigestInvalid, Value::String(e.to_string()))
    })
}

fn check_name(name: &str) -> Result<()> {
    if valid_name(name) {
        Ok(())
    } else {
        Err(RegistryError::with_detail(
            ErrorCode::NameInvalid,
            json!({ "name": name }),
        ))
    }
}

/// A manifest reference from the path: a digest, or a tag.
enum ManifestRef {
    Digest(Digest),
    Tag(String),
}

fn manifest_reference(reference: &str) -> Option<ManifestRef> {
    if reference.contains(':') {
        reference.parse().ok().map(ManifestRef::Digest)
    } else if valid_tag(reference) {
        Some(ManifestRef::Tag(reference.to_string()))
    } else {
        None
    }
}

fn upload_location(name: &str, uuid: &str) -> String {
    format!("/v2/{name}/blobs/uploads/{uuid}")
}

/// `0-<last byte>`, as the reference registry reports progress (`0-0` when empty).
fn range_header(size: u64) -> String {
    format!("0-{}", size.saturating_sub(1))
}

fn valid_uuid(uuid: &str) -> bool {
    !uuid.is_empty() && uuid.len() <= 64 && uuid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// The media type a stored manifest is served with: its own `mediaType`, else what its
/// shape says (an index has `manifests`).
fn sniff_media_type(manifest: &Value) -> &str {
    match manifest.get("mediaType").and_then(Value::as_str) {
        Some(m) => m,
        None if manifest.get("manifests").is_some() => OCI_INDEX,
        None => OCI_MANIFEST,
    }
}

fn manifest_invalid(detail: impl Into<String>) -> RegistryError {
    RegistryError::with_detail(ErrorCode::ManifestInvalid, Value::String(detail.into()))
}

/// A descriptor's digest, checked for shape (`mediaType`, `digest`, `size`).
fn descriptor_digest(descriptor: &Value, what: &str) -> Result<Digest> {
    let object = descriptor
        .as_object()
        .ok_or_else(|| manifest_invalid(format!("{what} is not a descriptor")))?;
    if !object.get("mediaType").is_some_and(Value::is_string) {
        return Err(manifest_invalid(format!("{what} has no mediaType")));
    }
    if object.get("size").and_then(Value::as_u64).is_none() {
        return Err(manifest_invalid(format!("{what} has no valid size")));
    }
    let digest = object
        .get("digest")
        .and_then(Value::as_str)
        .ok_or_else(|| manifest_invalid(format!("{what} has no digest")))?;
    digest.parse().map_err(|_| {
        RegistryError::with_detail(ErrorCode::DigestInvalid, json!({ "digest": digest }))
    })
}

impl Registry {
    /// Answers one request, logging it as registry:2 does when the options ask for it.
    pub(super) async fn handle(
        self: &Arc<Self>,
        request: Request<Incoming>,
        peer: std::net::SocketAddr,
        connection: u64,
    ) -> Response<Body> {
        let head = request.method() == Method::HEAD;
        let Some(log) = self.options.request_log.clone() else {
            return match self.dispatch(request).await {
                Ok(response) => response,
                Err(error) => error_response(error, head),
            };
        };
        let started = log.clock().now();
        let method = request.method().to_string();
        let uri = request
            .uri()
            .path_and_query()
            .map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
        let version = format!("{:?}", request.version());
        let text = |name: &str| header(&request, name).map(str::to_string);
        let (host, user_agent, referer) = (text("host"), text("user-agent"), text("referer"));
        let route_vars = route(request.uri().path())
            .map(|r| r.vars())
            .unwrap_or_default();
        let blob_head = head && route_vars.iter().any(|(k, _)| *k == "vars.digest");
        let (response, error) = match self.dispatch(request).await {
            Ok(response) => (response, None),
            Err(error) => (error_response(error.clone(), head), Some(error)),
        };
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        // What the handler wrote: Go counts a HEAD reply's body as written (the server
        // drops it), except a blob's, which `http.ServeContent` never writes for HEAD.
        let written = match &error {
            Some(error) => error.body().len() as u64,
            None if blob_head => 0,
            None if head => response
                .headers()
                .get("content-length")
                .and_then(|v| v.to_str().ok()?.parse().ok())
                .unwrap_or(0),
            None => hyper::body::Body::size_hint(response.body())
                .exact()
                .unwrap_or(0),
        };
        let details: Vec<(&str, &str, &Value)> = error
            .iter()
            .flat_map(|e| e.errors.iter())
            .map(|(code, detail)| (code.code(), code.message(), detail))
            .collect();
        log.record(&super::log::Exchange {
            method: &method,
            uri: &uri,
            version: &version,
            host: host.as_deref(),
            user_agent: user_agent.as_deref(),
            referer: referer.as_deref(),
            peer,
            connection,
            status: response.status().as_u16(),
            content_type,
            written,
            // An authentication challenge is not a handler's error in distribution.
            errors: if response.status() == 401 {
                Vec::new()
            } else {
                details
            },
            vars: route_vars,
            started,
            finished: log.clock().now(),
        });
        response
    }

    fn authorize(&self, request: &Request<Incoming>) -> Result<()> {
        let Some(auth) = &self.options.auth else {
            return Ok(());
        };
        if auth.check(header(request, "authorization")) {
            return Ok(());
        }
        Err(RegistryError::new(ErrorCode::Unauthorized).header(
            "WWW-Authenticate",
            format!("Basic realm=\"{}\"", auth.realm()),
        ))
    }

    async fn dispatch(self: &Arc<Self>, request: Request<Incoming>) -> Result<Response<Body>> {
        let path = request.uri().path().to_string();
        let Some(route) = route(&path) else {
            return Ok(Reply::new(404)
                .header("Content-Type", "text/plain; charset=utf-8")
                .bytes("404 page not found\n"));
        };
        self.authorize(&request)?;
        let method = request.method().clone();
        let name = match &route {
            Route::Base | Route::Catalog => None,
            Route::Tags(n)
            | Route::Manifest(n, _)
            | Route::Blob(n, _)
            | Route::StartUpload(n)
            | Route::Upload(n, _)
            | Route::Referrers(n, _) => Some(*n),
        };
        if let Some(name) = name {
            check_name(name)?;
        }
        let unsupported = || Err(RegistryError::new(ErrorCode::Unsupported));
        match (route, method) {
            (Route::Base, Method::GET | Method::HEAD) => Ok(Reply::new(200).json(&json!({}))),
            (Route::Catalog, Method::GET) => self.catalog(&request),
            (Route::Tags(name), Method::GET) => self.tags(&request, name),
            (Route::Manifest(name, reference), Method::GET | Method::HEAD) => {
                self.get_manifest(&request, name, reference)
            }
            (Route::Manifest(name, reference), Method::PUT) => {
                self.put_manifest(request, name, reference).await
            }
            (Route::Manifest(name, reference), Method::DELETE) => {
                self.delete_manifest(name, reference)
            }
            (Route::Blob(name, digest), Method::GET | Method::HEAD) => {
                self.get_blob(&request, name, digest)
            }
            (Route::Blob(name, digest), Method::DELETE) => self.delete_blob(name, digest),
            (Route::StartUpload(name), Method::POST) => self.start_upload(request, name).await,
            (Route::Upload(name, uuid), Method::GET) => self.upload_status(name, uuid).await,
            (Route::Upload(name, uuid), Method::PATCH) => {
                self.patch_upload(request, name, uuid).await
            }
            (Route::Upload(name, uuid), Method::PUT) => {
                self.finish_upload(request, name, uuid).await
            }
            (Route::Upload(name, uuid), Method::DELETE) => self.cancel_upload(name, uuid).await,
            (Route::Referrers(name, digest), Method::GET) => self.referrers(&request, name, digest),
            _ => unsupported(),
        }
    }

    // ---- listings ----

    /// `n` and `last` applied to a sorted list, and a 200 reply carrying the `Link` to
    /// the next page when there is one.
    fn paginate(
        &self,
        request: &Request<Incoming>,
        items: Vec<String>,
        base: &str,
    ) -> Result<(Vec<String>, Reply)> {
        let params = query(request);
        let n = match param(&params, "n") {
            None | Some("") => None,
            Some(n) => Some(n.parse::<usize>().map_err(|_| {
                RegistryError::with_detail(ErrorCode::PaginationNumberInvalid, json!({ "n": n }))
            })?),
        };
        let last = param(&params, "last").unwrap_or("");
        let mut items: Vec<String> = items
            .into_iter()
            .filter(|i| last.is_empty() || i.as_str() > last)
            .collect();
        let mut link = None;
        if let Some(n) = n {
            if items.len() > n && n > 0 {
                link = Some(format!(
                    "<{base}?n={n}&last={}>; rel=\"next\"",
                    items[n - 1]
                ));
            }
            items.truncate(n);
        }
        let reply = match link {
            Some(link) => Reply::new(200).header("Link", link),
            None => Reply::new(200),
        };
        Ok((items, reply))
    }

    fn catalog(&self, request: &Request<Incoming>) -> Result<Response<Body>> {
        let repositories = self.storage.repositories()?;
        let (page, reply) = self.paginate(request, repositories, "/v2/_catalog")?;
        Ok(reply.json(&json!({ "repositories": page })))
    }

    fn tags(&self, request: &Request<Incoming>, name: &str) -> Result<Response<Body>> {
        if !self.storage.repository_exists(name) {
            return Err(RegistryError::with_detail(
                ErrorCode::NameUnknown,
                json!({ "name": name }),
            ));
        }
        let tags = self.storage.tags(name)?;
        let (page, reply) = self.paginate(request, tags, &format!("/v2/{name}/tags/list"))?;
        Ok(reply.json(&json!({ "name": name, "tags": page })))
    }

    fn referrers(
        &self,
        request: &Request<Incoming>,
        name: &str,
        digest: &str,
    ) -> Result<Response<Body>> {
        let subject = parse_digest(digest)?;
        let params = query(request);
        let filter = param(&params, "artifactType").filter(|f| !f.is_empty());
        let mut descriptors = Vec::new();
        for digest in self.storage.manifests(name)? {
            let bytes = self.storage.content().read(&digest)?;
            let Ok(manifest) = serde_json::from_slice::<Value>(&bytes) else {
                continue;
            };
            let refers = manifest["subject"]["digest"].as_str() == Some(&subject.to_string());
            if !refers {
                continue;
            }
            let artifact_type = manifest
                .get("artifactType")
                .and_then(Value::as_str)
                .or_else(|| manifest["config"]["mediaType"].as_str());
            if filter.is_some() && artifact_type != filter {
                continue;
            }
            let mut descriptor = json!({
                "mediaType": sniff_media_type(&manifest),
                "digest": digest.to_string(),
                "size": bytes.len(),
            });
            if let Some(t) = artifact_type {
                descriptor["artifactType"] = json!(t);
            }
            if let Some(a) = manifest.get("annotations") {
                descriptor["annotations"] = a.clone();
            }
            descriptors.push(descriptor);
        }
        let mut reply = Reply::new(200);
        if filter.is_some() {
            reply = reply.header("OCI-Filters-Applied", "artifactType");
        }
        let body = json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": descriptors,
        });
        Ok(reply
            .header("Content-Type", OCI_INDEX)
            .bytes(serde_json::to_vec(&body).expect("JSON values always serialise")))
    }

    // ---- manifests ----

    fn resolve_manifest(&self, name: &str, reference: &str) -> Result<Digest> {
        let unknown = || {
            RegistryError::with_detail(
                ErrorCode::ManifestUnknown,
                json!({ "Name": name, "Revision": reference }),
            )
        };
        let digest = match manifest_reference(reference).ok_or_else(unknown)? {
            ManifestRef::Digest(d) => d,
            ManifestRef::Tag(tag) => self.storage.tag(name, &tag).ok_or_else(|| {
                RegistryError::with_detail(ErrorCode::ManifestUnknown, json!({ "Tag": tag }))
            })?,
        };
        if self.storage.has_manifest(name, &digest) {
            Ok(digest)
        } else {
            Err(unknown())
        }
    }

    fn get_manifest(
        &self,
        request: &Request<Incoming>,
        name: &str,
        reference: &str,
    ) -> Result<Response<Body>> {
        let digest = self.resolve_manifest(name, reference)?;
        let bytes = self.storage.content().read(&digest)?;
        let media_type = serde_json::from_slice::<Value>(&bytes)
            .map(|v| sniff_media_type(&v).to_string())
            .unwrap_or_else(|_| OCI_MANIFEST.to_string());
        let reply = Reply::new(200)
            .header("Content-Type", &media_type)
            .header("Docker-Content-Digest", digest.to_string())
            .header("Etag", format!("\"{digest}\""))
            .header("Content-Length", bytes.len().to_string());
        if request.method() == Method::HEAD {
            Ok(reply.bytes(Bytes::new()))
        } else {
            Ok(reply.bytes(bytes))
        }
    }

    async fn put_manifest(
        &self,
        request: Request<Incoming>,
        name: &str,
        reference: &str,
    ) -> Result<Response<Body>> {
        let reference = manifest_reference(reference).ok_or_else(|| {
            RegistryError::with_detail(ErrorCode::TagInvalid, json!({ "Tag": reference }))
        })?;
        let content_type = header(&request, "content-type")
            .map(|c| c.split(';').next().unwrap_or("").trim().to_string());
        let too_large = || {
            RegistryError::with_detail(
                ErrorCode::ManifestInvalid,
                Value::String(format!(
                    "manifest exceeds the {MANIFEST_SIZE_LIMIT}-byte size limit"
                )),
            )
            .status(413)
        };
        let mut body = request.into_body();
        let mut bytes = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                RegistryError::with_detail(ErrorCode::ManifestInvalid, Value::String(e.to_string()))
            })?;
            if let Ok(data) = frame.into_data() {
                if bytes.len() + data.len() > MANIFEST_SIZE_LIMIT {
                    // Read on (within reason) so the client gets the answer instead of a
                    // broken pipe halfway through its request.
                    drain(body, 16 * MANIFEST_SIZE_LIMIT).await;
                    return Err(too_large());
                }
                bytes.extend_from_slice(&data);
            }
        }
        let manifest: Value = serde_json::from_slice(&bytes)
            .map_err(|e| manifest_invalid(format!("invalid JSON: {e}")))?;
        if !manifest.is_object() {
            return Err(manifest_invalid("a manifest is a JSON object"));
        }
        let known = [
            DOCKER_MANIFEST,
            DOCKER_MANIFEST_LIST,
            OCI_MANIFEST,
            OCI_INDEX,
        ];
        let declared = manifest.get("mediaType").and_then(Value::as_str);
        let media_type = match (declared, content_type.as_deref()) {
            (Some(body), Some(header)) if known.contains(&header) && header != body => {
                return Err(manifest_invalid(format!(
                    "mediaType {body} does not match Content-Type {header}"
                )));
            }
            (Some(body), _) => body.to_string(),
            (None, Some(header)) if known.contains(&header) => header.to_string(),
            (None, _) => sniff_media_type(&manifest).to_string(),
        };
        if manifest.get("schemaVersion").and_then(Value::as_u64) != Some(2) {
            return Err(manifest_invalid("schemaVersion must be 2"));
        }
        let mut unknown = Vec::new();
        match media_type.as_str() {
            DOCKER_MANIFEST | OCI_MANIFEST => {
                let config = descriptor_digest(&manifest["config"], "config")?;
                if !self.storage.has_blob(name, &config) {
                    unknown.push(config);
                }
                let layers = manifest["layers"]
                    .as_array()
                    .ok_or_else(|| manifest_invalid("layers must be an array"))?;
                for layer in layers {
                    let digest = descriptor_digest(layer, "layer")?;
                    // Foreign layers live elsewhere (`urls`); nothing to find here.
                    let foreign = layer["urls"].as_array().is_some_and(|u| !u.is_empty());
                    if !foreign && !self.storage.has_blob(name, &digest) {
                        unknown.push(digest);
                    }
                }
            }
            DOCKER_MANIFEST_LIST | OCI_INDEX => {
                let children = manifest["manifests"]
                    .as_array()
                    .ok_or_else(|| manifest_invalid("manifests must be an array"))?;
                for child in children {
                    let digest = descriptor_digest(child, "manifest")?;
                    if !self.storage.has_manifest(name, &digest) {
                        unknown.push(digest);
                    }
                }
            }
            other => {
                return Err(manifest_invalid(format!(
                    "unsupported manifest media type {other}"
                )));
            }
        }
        let subject = match manifest.get("subject") {
            None | Some(Value::Null) => None,
            Some(s) => Some(descriptor_digest(s, "subject")?),
        };
        if !unknown.is_empty() {
            let mut error = RegistryError::new(ErrorCode::ManifestBlobUnknown);
            error.errors = unknown
                .iter()
                .map(|d| {
                    (
                        ErrorCode::ManifestBlobUnknown,
                        json!({ "digest": d.to_string() }),
                    )
                })
                .collect();
            return Err(error);
        }
        let digest = match &reference {
            ManifestRef::Digest(d) => {
                let actual = Digest::compute(d.algorithm(), &bytes);
                if actual != *d {
                    return Err(RegistryError::with_detail(
                        ErrorCode::DigestInvalid,
                        json!({ "digest": d.to_string() }),
                    ));
                }
                actual
            }
            ManifestRef::Tag(_) => Digest::sha256(&bytes),
        };
        self.storage.content().put_trusted(&digest, &bytes)?;
        self.storage.link_manifest(name, &digest)?;
        if let ManifestRef::Tag(tag) = &reference {
            self.storage.set_tag(name, tag, &digest)?;
        }
        let mut reply = Reply::new(201)
            .header("Location", format!("/v2/{name}/manifests/{digest}"))
            .header("Docker-Content-Digest", digest.to_string());
        if let Some(subject) = subject {
            reply = reply.header("OCI-Subject", subject.to_string());
        }
        Ok(reply.empty())
    }

    fn delete_manifest(&self, name: &str, reference: &str) -> Result<Response<Body>> {
        if !self.options.delete_enabled {
            return Err(RegistryError::new(ErrorCode::Unsupported));
        }
        match manifest_reference(reference) {
            Some(ManifestRef::Tag(tag)) => {
                if !self.storage.remove_tag(name, &tag)? {
                    return Err(RegistryError::with_detail(
                        ErrorCode::ManifestUnknown,
                        json!({ "Tag": tag }),
                    ));
                }
            }
            Some(ManifestRef::Digest(digest)) => {
                if !self.storage.unlink_manifest(name, &digest)? {
                    return Err(RegistryError::new(ErrorCode::ManifestUnknown));
                }
                // Tags pointing at a deleted manifest go with it.
                for tag in self.storage.tags(name)? {
                    if self.storage.tag(name, &tag).as_ref() == Some(&digest) {
                        self.storage.remove_tag(name, &tag)?;
                    }
                }
            }
            None => return Err(RegistryError::new(ErrorCode::ManifestUnknown)),
        }
        Ok(Reply::new(202).empty())
    }

    // ---- blobs ----

    fn get_blob(
        &self,
        request: &Request<Incoming>,
        name: &str,
        digest: &str,
    ) -> Result<Response<Body>> {
        let digest = parse_digest(digest)?;
        if !self.storage.has_blob(name, &digest) {
            return Err(RegistryError::with_detail(
                ErrorCode::BlobUnknown,
                Value::String(digest.to_string()),
            ));
        }
        let mut file = self.storage.content().open_blob(&digest)?;
        let size = file.metadata()?.len();
        let reply = Reply::new(200)
            .header("Content-Type", "application/octet-stream")
            .header("Docker-Content-Digest", digest.to_string())
            .header("Etag", format!("\"{digest}\""))
            .header("Accept-Ranges", "bytes")
            .header("Cache-Control", "max-age=31536000");
        let range = match header(request, "range") {
            None => None,
            Some(r) => match parse_byte_range(r, size) {
                Some(range) => Some(range),
                None => {
                    return Err(RegistryError::new(ErrorCode::RangeInvalid)
                        .header("Content-Range", format!("bytes */{size}")));
                }
            },
        };
        let head = request.method() == Method::HEAD;
        match range {
            None => {
                let reply = reply.header("Content-Length", size.to_string());
                if head {
                    Ok(reply.bytes(Bytes::new()))
                } else {
                    Ok(reply.file(file, size))
                }
            }
            Some((start, end)) => {
                let length = end - start + 1;
                let reply = Reply(reply.0.status(206))
                    .header("Content-Range", format!("bytes {start}-{end}/{size}"))
                    .header("Content-Length", length.to_string());
                if head {
                    return Ok(reply.bytes(Bytes::new()));
                }
                file.seek(io::SeekFrom::Start(start))?;
                Ok(reply.file(file, length))
            }
        }
    }

    fn delete_blob(&self, name: &str, digest: &str) -> Result<Response<Body>> {
        let digest = parse_digest(digest)?;
        if !self.options.delete_enabled {
            return Err(RegistryError::new(ErrorCode::Unsupported));
        }
        if !self.storage.unlink_blob(name, &digest)? {
            return Err(RegistryError::with_detail(
                ErrorCode::BlobUnknown,
                Value::String(digest.to_string()),
            ));
        }
        Ok(Reply::new(202)
            .header("Docker-Content-Digest", digest.to_string())
            .empty())
    }

    fn blob_created(&self, name: &str, digest: &Digest) -> Response<Body> {
        Reply::new(201)
            .header("Location", format!("/v2/{name}/blobs/{digest}"))
            .header("Docker-Content-Digest", digest.to_string())
            .empty()
    }

    async fn start_upload(
        self: &Arc<Self>,
        request: Request<Incoming>,
        name: &str,
    ) -> Result<Response<Body>> {
        let params = query(&request);
        if let Some(mount) = param(&params, "mount") {
            let digest = parse_digest(mount)?;
            // With `from`, the blob must be in that repository; without it (an
            // anonymous mount), anywhere in this registry will do.
            let mountable = match param(&params, "from") {
                Some(from) => {
                    check_name(from)?;
                    self.storage.has_blob(from, &digest)
                }
                None => self.storage.content().has(&digest),
            };
            if mountable {
                self.storage.link_blob(name, &digest)?;
                return Ok(self.blob_created(name, &digest));
            }
        }
        let expected = match param(&params, "digest") {
            Some(d) => Some(parse_digest(d)?),
            None => None,
        };
        let uuid = self.new_upload_uuid();
        let dir = self.storage.upload_dir(&uuid);
        fs::create_dir_all(&dir)?;
        File::create(dir.join("data"))?;
        // Not synced: an upload does not outlive a crash anyway (its bytes are not
        // synced either until it is committed), and a missing or torn owner file only
        // makes the upload unknown.
        fs::write(dir.join("repository"), name.as_bytes())?;
        let upload = Upload {
            name: name.to_string(),
            size: 0,
            hasher: Some(Hasher::new(Algorithm::Sha256)),
        };
        let session = Arc::new(tokio::sync::Mutex::new(upload));
        self.uploads
            .lock()
            .expect("upload table lock")
            .insert(uuid.clone(), session.clone());
        if let Some(expected) = expected {
            // A monolithic upload: the whole blob in this one request.
            let mut upload = session.lock().await;
            let result = self.append(&mut upload, &uuid, request.into_body()).await;
            if let Err(e) = result {
                self.discard_upload(&uuid);
                return Err(e);
            }
            return self.commit(&mut upload, &uuid, &expected).await;
        }
        Ok(Reply::new(202)
            .header("Location", upload_location(name, &uuid))
            .header("Range", "0-0")
            .header("Docker-Upload-UUID", &uuid)
            .empty())
    }

    /// A fresh upload's UUID. A registry that logs draws them from its instance ID, so a
    /// lab's log reads the same on every run; otherwise from the time. Either way one
    /// already on disk (from before a restart) is never reused.
    fn new_upload_uuid(&self) -> String {
        loop {
            let n = self
                .uploads_started
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let seed = match &self.options.request_log {
                Some(log) => format!("{} upload {n}", log.instance_id()),
                None => {
                    let nanos = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_nanos())
                        .unwrap_or(0);
                    format!("{nanos} {} {n}", std::process::id())
                }
            };
            let uuid = super::log::uuid_from(&seed);
            if !self.storage.upload_dir(&uuid).exists() {
                return uuid;
            }
        }
    }

    /// The upload `uuid` of repository `name`, from memory or, after a restart, from disk.
    fn session(&self, uuid: &str) -> Result<Arc<tokio::sync::Mutex<Upload>>> {
        let unknown = || RegistryError::new(ErrorCode::BlobUploadUnknown);
        if !valid_uuid(uuid) {
            return Err(unknown());
        }
        let mut uploads = self.uploads.lock().expect("upload table lock");
        if let Some(session) = uploads.get(uuid) {
            return Ok(session.clone());
        }
        let dir = self.storage.upload_dir(uuid);
        let owner = fs::read_to_string(dir.join("repository")).map_err(|_| unknown())?;
        let size = fs::metadata(dir.join("data")).map_err(|_| unknown())?.len();
        let session = Arc::new(tokio::sync::Mutex::new(Upload {
            name: owner,
            size,
            hasher: None,
        }));
        uploads.insert(uuid.to_string(), session.clone());
        Ok(session)
    }

    /// Locks the upload and checks it belongs to `name`.
    async fn locked_upload(
        &self,
        name: &str,
        uuid: &str,
    ) -> Result<tokio::sync::OwnedMutexGuard<Upload>> {
        let session = self.session(uuid)?;
        let upload = session.lock_owned().await;
        // A cancelled or finished upload may have gone while we waited for the lock.
        if upload.name != name || !self.storage.upload_dir(uuid).join("data").is_file() {
            return Err(RegistryError::new(ErrorCode::BlobUploadUnknown));
        }
        Ok(upload)
    }

    fn discard_upload(&self, uuid: &str) {
        self.uploads.lock().expect("upload table lock").remove(uuid);
        let _ = fs::remove_dir_all(self.storage.upload_dir(uuid));
    }

    fn upload_progress(&self, status: u16, name: &str, uuid: &str, size: u64) -> Response<Body> {
        Reply::new(status)
            .header("Location", upload_location(name, uuid))
            .header("Range", range_header(size))
            .header("Docker-Upload-UUID", uuid)
            .empty()
    }

    async fn upload_status(&self, name: &str, uuid: &str) -> Result<Response<Body>> {
        let upload = self.locked_upload(name, uuid).await?;
        Ok(self.upload_progress(204, name, uuid, upload.size))
    }

    /// Checks a chunk's `Content-Range` (`<start>-<end>`) against what has arrived.
    fn check_chunk(
        &self,
        request: &Request<Incoming>,
        name: &str,
        uuid: &str,
        size: u64,
    ) -> Result<()> {
        let Some(range) = header(request, "content-range") else {
            return Ok(());
        };
        let out_of_order = || {
            RegistryError::new(ErrorCode::RangeInvalid)
                .header("Location", upload_location(name, uuid))
                .header("Range", range_header(size))
                .header("Docker-Upload-UUID", uuid.to_string())
        };
        let range = range.trim();
        let range = range.strip_prefix("bytes ").unwrap_or(range);
        let parsed = range
            .split_once('-')
            .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)));
        let Some((start, end)) = parsed else {
            return Err(out_of_order());
        };
        if start > end || start != size {
            return Err(out_of_order());
        }
        if let Some(length) = header(request, "content-length")
            && length.parse::<u64>().ok() != Some(end - start + 1)
        {
            return Err(RegistryError::new(ErrorCode::SizeInvalid));
        }
        Ok(())
    }

    async fn patch_upload(
        &self,
        request: Request<Incoming>,
        name: &str,
        uuid: &str,
    ) -> Result<Response<Body>> {
        let mut upload = self.locked_upload(name, uuid).await?;
        self.check_chunk(&request, name, uuid, upload.size)?;
        self.append(&mut upload, uuid, request.into_body()).await?;
        Ok(self.upload_progress(202, name, uuid, upload.size))
    }

    async fn finish_upload(
        self: &Arc<Self>,
        request: Request<Incoming>,
        name: &str,
        uuid: &str,
    ) -> Result<Response<Body>> {
        let mut upload = self.locked_upload(name, uuid).await?;
        let params = query(&request);
        let expected = parse_digest(param(&params, "digest").unwrap_or(""))?;
        self.check_chunk(&request, name, uuid, upload.size)?;
        self.append(&mut upload, uuid, request.into_body()).await?;
        self.commit(&mut upload, uuid, &expected).await
    }

    async fn cancel_upload(&self, name: &str, uuid: &str) -> Result<Response<Body>> {
        let _upload = self.locked_upload(name, uuid).await?;
        self.discard_upload(uuid);
        Ok(Reply::new(204).empty())
    }

    /// Appends a request body to the upload's staged file. A body cut short leaves the
    /// upload as it was before this request.
    ///
    /// Each frame is written as it arrives (no buffer in between: frames are large, and a
    /// copy of every byte costs more than the write calls it saves) and handed, shared
    /// rather than copied, to a hashing thread, so the hash of a large blob costs no wall
    /// time beyond what receiving and writing it take anyway.
    async fn append(&self, upload: &mut Upload, uuid: &str, mut body: Incoming) -> Result<()> {
        let path = self.storage.upload_dir(uuid).join("data");
        let mut file = OpenOptions::new().append(true).open(&path)?;
        let start = upload.size;
        let mut written = 0u64;
        let mut hashing = upload.hasher.take().map(BackgroundHasher::start);
        let failed = loop {
            match body.frame().await {
                None => break None,
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        if let Err(e) = file.write_all(&data) {
                            break Some(RegistryError::from(e));
                        }
                        written += data.len() as u64;
                        if let Some(hasher) = &mut hashing {
                            hasher.update(data).await;
                        }
                    }
                }
                Some(Err(e)) => {
                    break Some(RegistryError::with_detail(
                        ErrorCode::BlobUploadInvalid,
                        Value::String(e.to_string()),
                    ));
                }
            }
        };
        let hasher = match hashing {
            Some(hashing) => hashing.finish().await,
            None => None,
        };
        if let Some(error) = failed {
            file.set_len(start)?;
            // The running hash has seen bytes that are gone; hash the file at the end.
            return Err(error);
        }
        upload.hasher = hasher;
        upload.size = start + written;
        Ok(())
    }

    /// Verifies the staged bytes hash to `expected` and makes them the blob; a mismatch
    /// stores nothing and ends the upload. Hashing a restarted upload and the fsync of a
    /// large blob take a while, so they run off the async workers.
    async fn commit(
        self: &Arc<Self>,
        upload: &mut Upload,
        uuid: &str,
        expected: &Digest,
    ) -> Result<Response<Body>> {
        let registry = self.clone();
        let hasher = upload.hasher.take();
        let (name, uuid, expected) = (upload.name.clone(), uuid.to_string(), expected.clone());
        tokio::task::spawn_blocking(move || {
            registry.commit_blocking(hasher, &name, &uuid, &expected)
        })
        .await
        .map_err(|e| RegistryError::from(io::Error::other(e.to_string())))?
    }

    fn commit_blocking(
        &self,
        hasher: Option<Hasher>,
        name: &str,
        uuid: &str,
        expected: &Digest,
    ) -> Result<Response<Body>> {
        let path = self.storage.upload_dir(uuid).join("data");
        let actual = match hasher {
            Some(hasher) if expected.algorithm() == Algorithm::Sha256 => hasher.finish(),
            _ => {
                let mut hasher = Hasher::new(expected.algorithm());
                io::copy(&mut File::open(&path)?, &mut hasher)?;
                hasher.finish()
            }
        };
        if actual != *expected {
            self.discard_upload(uuid);
            return Err(RegistryError::with_detail(
                ErrorCode::DigestInvalid,
                json!({ "digest": expected.to_string() }),
            ));
        }
        self.storage.commit_blob(expected, &path)?;
        self.storage.link_blob(name, expected)?;
        self.discard_upload(uuid);
        Ok(self.blob_created(name, expected))
    }
}

/// Reads and drops up to `limit` more bytes of a body.
async fn drain(mut body: Incoming, limit: usize) {
    let mut seen = 0;
    while seen < limit {
        match body.frame().await {
            Some(Ok(frame)) => seen += frame.data_ref().map_or(0, |d| d.len()),
            _ => break,
        }
    }
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` within a blob of `size` bytes.
fn parse_byte_range(header: &str, size: u64) -> Option<(u64, u64)> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || size == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: u64 = n.parse().ok()?;
            if n == 0 {
                return None;
            }
            (size.saturating_sub(n), size - 1)
        }
        (a, "") => (a.parse().ok()?, size - 1),
        (a, b) => (a.parse().ok()?, b.parse::<u64>().ok()?.min(size - 1)),
    };
    (start <= end && start < size).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_match_from_the_end() {
        assert_eq!(route("/v2/"), Some(Route::Base));
        assert_eq!(route("/v2"), Some(Route::Base));
        assert_eq!(route("/v2/_catalog"), Some(Route::Catalog));
        assert_eq!(route("/v2/a/b/tags/list"), Some(Route::Tags("a/b")));
        assert_eq!(route("/v2/a/blobs/uploads/"), Some(Route::StartUpload("a")));
        assert_eq!(
            route("/v2/a/b/blobs/uploads/123"),
            Some(Route::Upload("a/b", "123"))
        );
        assert_eq!(
            route("/v2/a/manifests/1.0"),
            Some(Route::Manifest("a", "1.0"))
        );
        assert_eq!(
            route("/v2/x/blobs/sha256:ab"),
            Some(Route::Blob("x", "sha256:ab"))
        );
        assert_eq!(
            route("/v2/x/referrers/sha256:ab"),
            Some(Route::Referrers("x", "sha256:ab"))
        );
        assert_eq!(route("/v1/x"), None);
        assert_eq!(route("/v2/x/other/y"), None);
    }

    #[test]
    fn byte_ranges() {
        assert_eq!(parse_byte_range("bytes=0-9", 100), Some((0, 9)));
        assert_eq!(parse_byte_range("bytes=90-", 100), Some((90, 99)));
        assert_eq!(parse_byte_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(parse_byte_range("bytes=50-500", 100), Some((50, 99)));
        assert_eq!(parse_byte_range("bytes=100-", 100), None);
        assert_eq!(parse_byte_range("bytes=5-1", 100), None);
        assert_eq!(parse_byte_range("items=0-1", 100), None);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("sha256%3Aab"), "sha256:ab");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
