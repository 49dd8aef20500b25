//! The registry against the OCI Distribution Spec v1.1 and the Docker Registry HTTP API
//! V2: every endpoint and error code, bad input, a server killed mid-upload, and eight
//! clients pushing the same image at once. Each test runs its own server on
//! 127.0.0.1:0 and speaks HTTP to it (ureq, or a raw socket where a client would refuse
//! to send what we mean to send).
//!
//! The official conformance suite (Go, opencontainers/distribution-spec) cannot be
//! fetched on this machine, so these tests follow its workflows (pull, push, content
//! discovery, content management) by hand.

use docklab::engine::digest::{Algorithm, Digest};
use docklab::engine::registry::auth::{Htpasswd, encode_basic};
use docklab::engine::registry::{Registry, RegistryOptions, serve};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// A registry served on a loopback port by its own runtime; dropping it kills the server.
pub struct Server {
    pub base: String,
    pub addr: std::net::SocketAddr,
    pub root: PathBuf,
    runtime: Option<tokio::runtime::Runtime>,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    pub fn start() -> Server {
        Server::with_options(RegistryOptions::default())
    }

    pub fn with_options(options: RegistryOptions) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("registry");
        let mut server = Server::on(&root, options);
        server._dir = Some(dir);
        server
    }

    /// A server with htpasswd Basic auth for one user (bcrypt at the lowest cost).
    pub fn with_user(user: &str, password: &str) -> Server {
        let hash = bcrypt::hash_with_salt(password, 4, [7u8; 16])
            .unwrap()
            .to_string();
        Server::with_options(RegistryOptions {
            auth: Some(Htpasswd::parse(
                "Registry Realm",
                &format!("{user}:{hash}\n"),
            )),
            ..RegistryOptions::default()
        })
    }

    /// A server over an existing root (a restart).
    pub fn on(root: &Path, options: RegistryOptions) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let registry = Registry::open(root, options).unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        runtime.spawn(serve(listener, registry));
        Server {
            base: format!("http://{addr}"),
            addr,
            root: root.to_path_buf(),
            runtime: Some(runtime),
            _dir: None,
        }
    }

    /// Kills the server at once: its runtime and every task on it go away (waiting
    /// only until its threads are gone, as a killed process's are).
    pub fn kill(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(10));
        }
    }

    pub fn call(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        call(&format!("{}{path}", self.base), method, headers, body)
    }

    pub fn get(&self, path: &str) -> Reply {
        self.call("GET", path, &[], b"")
    }

    /// Pushes a blob in one request; returns its digest.
    pub fn push_blob(&self, name: &str, bytes: &[u8]) -> Digest {
        let digest = Digest::sha256(bytes);
        let reply = self.call(
            "POST",
            &format!("/v2/{name}/blobs/uploads/?digest={digest}"),
            &[],
            bytes,
        );
        assert_eq!(reply.status, 201, "{}", reply.text());
        digest
    }

    pub fn put_manifest(
        &self,
        name: &str,
        reference: &str,
        media_type: &str,
        manifest: &[u8],
    ) -> Reply {
        self.call(
            "PUT",
            &format!("/v2/{name}/manifests/{reference}"),
            &[("Content-Type", media_type)],
            manifest,
        )
    }

    /// Every file under the content store's `blobs/`, by relative path.
    pub fn stored_blobs(&self) -> Vec<String> {
        let mut out = Vec::new();
        for alg in ["sha256", "sha512"] {
            if let Ok(entries) = std::fs::read_dir(self.root.join("blobs").join(alg)) {
                for e in entries {
                    out.push(format!(
                        "{alg}/{}",
                        e.unwrap().file_name().to_string_lossy()
                    ));
                }
            }
        }
        out.sort();
        out
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.text()))
    }

    /// The first error code of a spec error body.
    pub fn code(&self) -> String {
        self.json()["errors"][0]["code"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

pub fn call(url: &str, method: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut builder = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let agent = agent();
    let bodiless = matches!(method, "GET" | "HEAD" | "DELETE") && body.is_empty();
    let response = if bodiless {
        agent.run(builder.body(()).unwrap())
    } else {
        agent.run(builder.body(body.to_vec()).unwrap())
    };
    let mut response = response.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let mut bytes = Vec::new();
    if method != "HEAD" {
        response
            .body_mut()
            .as_reader()
            .read_to_end(&mut bytes)
            .unwrap();
    }
    Reply {
        status: response.status().as_u16(),
        headers,
        body: bytes,
    }
}

/// Sends raw bytes and returns the status line and the rest, for requests no client
/// library would make.
fn raw(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut out = String::new();
    let mut buf = [0u8; 4096];
    // Read until the headers and the announced body are in.
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
        if let Some((head, body)) = out.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if body.len() >= length {
                break;
            }
        }
    }
    out
}

/// A small image: a config, one layer, and its manifest in the given media type.
fn image(server: &Server, name: &str, media_type: &str, layer: &[u8]) -> (Vec<u8>, Digest) {
    let config = json!({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}});
    let config = serde_json::to_vec(&config).unwrap();
    let config_digest = server.push_blob(name, &config);
    let layer_digest = server.push_blob(name, layer);
    let (config_type, layer_type) = if media_type == DOCKER_MANIFEST {
        (
            "application/vnd.docker.container.image.v1+json",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
        )
    } else {
        (
            "application/vnd.oci.image.config.v1+json",
            "application/vnd.oci.image.layer.v1.tar+gzip",
        )
    };
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": media_type,
        "config": {"mediaType": config_type, "digest": config_digest.to_string(), "size": config.len()},
        "layers": [{"mediaType": layer_type, "digest": layer_digest.to_string(), "size": layer.len()}],
    }))
    .unwrap();
    let digest = Digest::sha256(&manifest);
    (manifest, digest)
}

#[test]
fn base_endpoint_announces_the_api_version() {
    let server = Server::start();
    let reply = server.get("/v2/");
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("Docker-Distribution-API-Version"),
        Some("registry/2.0")
    );
    assert_eq!(reply.json(), json!({}));
    let reply = server.get("/v3/");
    assert_eq!(reply.status, 404);
    let reply = server.call("POST", "/v2/x/tags/list", &[], b"");
    assert_eq!((reply.status, reply.code().as_str()), (405, "UNSUPPORTED"));
}

#[test]
fn monolithic_upload_then_head_get_and_ranges() {
    let server = Server::start();
    let blob = b"0123456789abcdef";
    let digest = server.push_blob("my/repo", blob);
    let path = format!("/v2/my/repo/blobs/{digest}");
    let head = server.call("HEAD", &path, &[], b"");
    assert_eq!(head.status, 200);
    assert_eq!(head.header("Content-Length"), Some("16"));
    assert_eq!(
        head.header("Docker-Content-Digest"),
        Some(digest.to_string().as_str())
    );
    assert!(head.body.is_empty());
    let get = server.get(&path);
    assert_eq!((get.status, get.body.as_slice()), (200, &blob[..]));
    let range = server.call("GET", &path, &[("Range", "bytes=2-5")], b"");
    assert_eq!(range.status, 206);
    assert_eq!(range.body, b"2345");
    assert_eq!(range.header("Content-Range"), Some("bytes 2-5/16"));
    let suffix = server.call("GET", &path, &[("Range", "bytes=-3")], b"");
    assert_eq!((suffix.status, suffix.body.as_slice()), (206, &b"def"[..]));
    let bad = server.call("GET", &path, &[("Range", "bytes=99-")], b"");
    assert_eq!(bad.status, 416);
    // Another repository does not see the blob until it is linked there.
    let other = server.get(&format!("/v2/other/blobs/{digest}"));
    assert_eq!((other.status, other.code().as_str()), (404, "BLOB_UNKNOWN"));
    assert_eq!(
        other.json()["errors"][0]["message"],
        "blob unknown to registry"
    );
    let head = server.call("HEAD", &format!("/v2/other/blobs/{digest}"), &[], b"");
    assert_eq!((head.status, head.body.len()), (404, 0));
}

#[test]
fn post_then_put_uploads_in_one_piece() {
    let server = Server::start();
    let start = server.call("POST", "/v2/r/blobs/uploads/", &[], b"");
    assert_eq!(start.status, 202);
    let location = start.header("Location").unwrap().to_string();
    assert!(location.starts_with("/v2/r/blobs/uploads/"));
    assert_eq!(start.header("Range"), Some("0-0"));
    let uuid = start.header("Docker-Upload-UUID").unwrap();
    assert!(location.ends_with(uuid));
    let digest = Digest::sha256(b"whole");
    let put = server.call("PUT", &format!("{location}?digest={digest}"), &[], b"whole");
    assert_eq!(put.status, 201);
    assert_eq!(
        put.header("Location"),
        Some(format!("/v2/r/blobs/{digest}").as_str())
    );
    assert_eq!(server.get(&format!("/v2/r/blobs/{digest}")).body, b"whole");
    // The finished upload is gone.
    let status = server.get(&location);
    assert_eq!(
        (status.status, status.code().as_str()),
        (404, "BLOB_UPLOAD_UNKNOWN")
    );
}

#[test]
fn chunked_upload_with_status_out_of_order_and_cancel() {
    let server = Server::start();
    let start = server.call("POST", "/v2/r/blobs/uploads/", &[], b"");
    let location = start.header("Location").unwrap().to_string();
    let patch = server.call(
        "PATCH",
        &location,
        &[
            ("Content-Range", "0-4"),
            ("Content-Type", "application/octet-stream"),
        ],
        b"hello",
    );
    assert_eq!(patch.status, 202);
    assert_eq!(patch.header("Range"), Some("0-4"));
    let location = patch.header("Location").unwrap().to_string();
    // A chunk that does not start where the upload stands.
    let out_of_order = server.call("PATCH", &location, &[("Content-Range", "9-12")], b"late");
    assert_eq!(out_of_order.status, 416);
    assert_eq!(out_of_order.header("Range"), Some("0-4"));
    assert_eq!(out_of_order.code(), "RANGE_INVALID");
    let malformed = server.call("PATCH", &location, &[("Content-Range", "five-nine")], b"x");
    assert_eq!(malformed.status, 416);
    let wrong_length = server.call("PATCH", &location, &[("Content-Range", "5-9")], b" world");
    assert_eq!(
        (wrong_length.status, wrong_length.code().as_str()),
        (400, "SIZE_INVALID")
    );
    let status = server.get(&location);
    assert_eq!(status.status, 204);
    assert_eq!(status.header("Range"), Some("0-4"));
    assert_eq!(status.header("Location"), Some(location.as_str()));
    assert!(status.header("Docker-Upload-UUID").is_some());
    let patch = server.call("PATCH", &location, &[("Content-Range", "5-10")], b" world");
    assert_eq!((patch.status, patch.header("Range")), (202, Some("0-10")));
    // A chunk without Content-Range is streamed on the end (Docker's way).
    let patch = server.call("PATCH", &location, &[], b"!");
    assert_eq!(patch.header("Range"), Some("0-11"));
    let digest = Digest::sha256(b"hello world!");
    let put = server.call("PUT", &format!("{location}?digest={digest}"), &[], b"");
    assert_eq!(put.status, 201, "{}", put.text());
    assert_eq!(
        server.get(&format!("/v2/r/blobs/{digest}")).body,
        b"hello world!"
    );

    // Cancelling.
    let start = server.call("POST", "/v2/r/blobs/uploads/", &[], b"");
    let location = start.header("Location").unwrap().to_string();
    server.call("PATCH", &location, &[], b"abc");
    assert_eq!(server.call("DELETE", &location, &[], b"").status, 204);
    let gone = server.get(&location);
    assert_eq!(
        (gone.status, gone.code().as_str()),
        (404, "BLOB_UPLOAD_UNKNOWN")
    );
    assert_eq!(server.call("DELETE", &location, &[], b"").status, 404);
    // An upload belongs to its repository, and made-up sessions do not exist.
    let start = server.call("POST", "/v2/r/blobs/uploads/", &[], b"");
    let uuid = start.header("Docker-Upload-UUID").unwrap().to_string();
    assert_eq!(
        server
            .get(&format!("/v2/elsewhere/blobs/uploads/{uuid}"))
            .status,
        404
    );
    assert_eq!(
        server.get("/v2/r/blobs/uploads/not-a-real-upload").status,
        404
    );
    assert_eq!(server.get("/v2/r/blobs/uploads/..").status, 404);
}

#[test]
fn sha512_digests_are_accepted() {
    let server = Server::start();
    let digest = Digest::compute(Algorithm::Sha512, b"long hash");
    let put = server.call(
        "POST",
        &format!("/v2/r/blobs/uploads/?digest={digest}"),
        &[],
        b"long hash",
    );
    assert_eq!(put.status, 201, "{}", put.text());
    let get = server.get(&format!("/v2/r/blobs/{digest}"));
    assert_eq!(get.body, b"long hash");
    assert!(
        server
            .stored_blobs()
            .iter()
            .any(|b| b.starts_with("sha512/"))
    );
}

#[test]
fn wrong_digests_store_nothing() {
    let server = Server::start();
    let claimed = Digest::sha256(b"what I said");
    let reply = server.call(
        "POST",
        &format!("/v2/r/blobs/uploads/?digest={claimed}"),
        &[],
        b"what I sent",
    );
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (400, "DIGEST_INVALID")
    );
    assert_eq!(
        reply.json()["errors"][0]["message"],
        "provided digest did not match uploaded content"
    );
    assert_eq!(
        server
            .call("HEAD", &format!("/v2/r/blobs/{claimed}"), &[], b"")
            .status,
        404
    );
    assert!(server.stored_blobs().is_empty());
    assert_eq!(
        std::fs::read_dir(server.root.join("_uploads"))
            .unwrap()
            .count(),
        0
    );
    // Malformed digests anywhere.
    for bad in ["sha256:xyz", "md5:abc", "sha256", "sha256:ABCDEF"] {
        let reply = server.get(&format!("/v2/r/blobs/{bad}"));
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (400, "DIGEST_INVALID"),
            "{bad}"
        );
    }
    let start = server.call("POST", "/v2/r/blobs/uploads/", &[], b"");
    let location = start.header("Location").unwrap().to_string();
    let reply = server.call("PUT", &location, &[], b"no digest");
    assert_eq!(reply.code(), "DIGEST_INVALID");
    let reply = server.call("PUT", &format!("{location}?digest=md5:00"), &[], b"");
    assert_eq!(reply.code(), "DIGEST_INVALID");
}

#[test]
fn cross_repository_and_anonymous_mounts() {
    let server = Server::start();
    let digest = server.push_blob("source", b"shared layer");
    let mount = server.call(
        "POST",
        &format!("/v2/target/blobs/uploads/?mount={digest}&from=source"),
        &[],
        b"",
    );
    assert_eq!(mount.status, 201);
    assert_eq!(
        mount.header("Location"),
        Some(format!("/v2/target/blobs/{digest}").as_str())
    );
    assert_eq!(
        server.get(&format!("/v2/target/blobs/{digest}")).body,
        b"shared layer"
    );
    // From a repository that lacks it: an ordinary upload starts instead.
    let fallback = server.call(
        "POST",
        &format!("/v2/third/blobs/uploads/?mount={digest}&from=nowhere"),
        &[],
        b"",
    );
    assert_eq!(fallback.status, 202);
    assert!(fallback.header("Docker-Upload-UUID").is_some());
    // Without `from`, a blob anywhere in the registry may be mounted.
    let anonymous = server.call(
        "POST",
        &format!("/v2/fourth/blobs/uploads/?mount={digest}"),
        &[],
        b"",
    );
    assert_eq!(anonymous.status, 201);
    let bad = server.call(
        "POST",
        "/v2/fourth/blobs/uploads/?mount=sha256:zz&from=source",
        &[],
        b"",
    );
    assert_eq!(bad.code(), "DIGEST_INVALID");
    // One copy of the bytes serves all four repositories.
    assert_eq!(server.stored_blobs().len(), 1);
}

#[test]
fn blob_delete_unlinks_and_can_be_disabled() {
    let server = Server::start();
    let digest = server.push_blob("r", b"to delete");
    let path = format!("/v2/r/blobs/{digest}");
    let delete = server.call("DELETE", &path, &[], b"");
    assert_eq!(delete.status, 202);
    assert_eq!(server.call("HEAD", &path, &[], b"").status, 404);
    let again = server.call("DELETE", &path, &[], b"");
    assert_eq!((again.status, again.code().as_str()), (404, "BLOB_UNKNOWN"));

    let locked = Server::with_options(RegistryOptions {
        delete_enabled: false,
        ..RegistryOptions::default()
    });
    let digest = locked.push_blob("r", b"kept");
    let refused = locked.call("DELETE", &format!("/v2/r/blobs/{digest}"), &[], b"");
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (405, "UNSUPPORTED")
    );
    assert_eq!(
        refused.json()["errors"][0]["message"],
        "The operation is unsupported."
    );
}

#[test]
fn manifests_by_tag_and_digest_in_every_format() {
    let server = Server::start();
    for (media_type, tag) in [(DOCKER_MANIFEST, "docker"), (OCI_MANIFEST, "oci")] {
        let (manifest, digest) = image(&server, "app", media_type, tag.as_bytes());
        let put = server.put_manifest("app", tag, media_type, &manifest);
        assert_eq!(put.status, 201, "{}", put.text());
        assert_eq!(
            put.header("Docker-Content-Digest"),
            Some(digest.to_string().as_str())
        );
        assert_eq!(
            put.header("Location"),
            Some(format!("/v2/app/manifests/{digest}").as_str())
        );
        for reference in [tag.to_string(), digest.to_string()] {
            let get = server.get(&format!("/v2/app/manifests/{reference}"));
            assert_eq!(get.status, 200);
            assert_eq!(get.body, manifest);
            assert_eq!(get.header("Content-Type"), Some(media_type));
            assert_eq!(
                get.header("Docker-Content-Digest"),
                Some(digest.to_string().as_str())
            );
            let head = server.call("HEAD", &format!("/v2/app/manifests/{reference}"), &[], b"");
            assert_eq!(head.status, 200);
            assert_eq!(
                head.header("Content-Length"),
                Some(manifest.len().to_string().as_str())
            );
        }
    }
    // An index over both.
    let children: Vec<Value> = ["docker", "oci"]
        .iter()
        .map(|tag| {
            let get = server.get(&format!("/v2/app/manifests/{tag}"));
            json!({
                "mediaType": get.header("Content-Type").unwrap(),
                "digest": get.header("Docker-Content-Digest").unwrap(),
                "size": get.body.len(),
                "platform": {"architecture": "amd64", "os": "linux"},
            })
        })
        .collect();
    let index = serde_json::to_vec(
        &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": children}),
    )
    .unwrap();
    let put = server.put_manifest("app", "multi", OCI_INDEX, &index);
    assert_eq!(put.status, 201, "{}", put.text());
    assert_eq!(
        server.get("/v2/app/manifests/multi").header("Content-Type"),
        Some(OCI_INDEX)
    );
    // A sha512 reference hashes with sha512.
    let (manifest, _) = image(&server, "app", OCI_MANIFEST, b"five-twelve");
    let digest = Digest::compute(Algorithm::Sha512, &manifest);
    let put = server.put_manifest("app", &digest.to_string(), OCI_MANIFEST, &manifest);
    assert_eq!(put.status, 201, "{}", put.text());
    assert_eq!(
        server.get(&format!("/v2/app/manifests/{digest}")).body,
        manifest
    );
}

#[test]
fn bad_manifests_are_refused_with_the_spec_codes() {
    let server = Server::start();
    let (manifest, digest) = image(&server, "app", OCI_MANIFEST, b"layer");
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("not json", b"{nope".to_vec(), 400, "MANIFEST_INVALID"),
        ("an array", b"[]".to_vec(), 400, "MANIFEST_INVALID"),
        ("schema 1", serde_json::to_vec(&json!({"schemaVersion": 1, "mediaType": OCI_MANIFEST})).unwrap(), 400, "MANIFEST_INVALID"),
        ("no config", serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST, "layers": []})).unwrap(), 400, "MANIFEST_INVALID"),
        ("bad layer digest", serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:1", "size": 1}, "layers": []})).unwrap(), 400, "DIGEST_INVALID"),
        ("unknown type", serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": "application/x-nope"})).unwrap(), 400, "MANIFEST_INVALID"),
    ];
    for (what, body, status, code) in cases {
        let reply = server.put_manifest("app", "bad", OCI_MANIFEST, &body);
        assert_eq!(
            (reply.status, reply.code()),
            (status, code.to_string()),
            "{what}: {}",
            reply.text()
        );
    }
    // Content-Type and mediaType disagree.
    let reply = server.put_manifest("app", "bad", DOCKER_MANIFEST, &manifest);
    assert_eq!(reply.code(), "MANIFEST_INVALID");
    // A layer the repository does not have.
    let missing = Digest::sha256(b"never pushed");
    let orphan = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": missing.to_string(), "size": 12},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": missing.to_string(), "size": 12}]})).unwrap();
    let reply = server.put_manifest("app", "orphan", OCI_MANIFEST, &orphan);
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (400, "MANIFEST_BLOB_UNKNOWN")
    );
    assert_eq!(reply.json()["errors"].as_array().unwrap().len(), 2);
    assert_eq!(
        reply.json()["errors"][0]["detail"]["digest"],
        missing.to_string()
    );
    // Layers in another repository do not count.
    let reply = server.put_manifest("elsewhere", "x", OCI_MANIFEST, &manifest);
    assert_eq!(reply.code(), "MANIFEST_BLOB_UNKNOWN");
    // An index over manifests the repository lacks.
    let index = serde_json::to_vec(
        &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": missing.to_string(), "size": 1}]}),
    )
    .unwrap();
    assert_eq!(
        server.put_manifest("app", "idx", OCI_INDEX, &index).code(),
        "MANIFEST_BLOB_UNKNOWN"
    );
    // The digest in the URL must be the manifest's.
    let reply = server.put_manifest(
        "app",
        &Digest::sha256(b"other").to_string(),
        OCI_MANIFEST,
        &manifest,
    );
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (400, "DIGEST_INVALID")
    );
    // Tags must be tags.
    let reply = server.put_manifest("app", "-bad", OCI_MANIFEST, &manifest);
    assert_eq!((reply.status, reply.code().as_str()), (400, "TAG_INVALID"));
    // Larger than 4 MiB.
    let mut huge = serde_json::to_vec(&json!({"schemaVersion": 2})).unwrap();
    huge.extend(std::iter::repeat_n(b' ', 4 << 20));
    let reply = server.put_manifest("app", "huge", OCI_MANIFEST, &huge);
    assert_eq!(
        (reply.status, reply.code().as_str()),
        (413, "MANIFEST_INVALID")
    );
    // Nothing of the above was stored or tagged.
    let unknown = server.get("/v2/app/manifests/bad");
    assert_eq!(
        (unknown.status, unknown.code().as_str()),
        (404, "MANIFEST_UNKNOWN")
    );
    assert_eq!(unknown.json()["errors"][0]["message"], "manifest unknown");
    assert_eq!(
        server.get(&format!("/v2/app/manifests/{digest}")).status,
        404
    );
    assert_eq!(server.get("/v2/app/tags/list").json()["tags"], json!([]));
}

#[test]
fn manifest_delete_by_digest_and_by_tag() {
    let server = Server::start();
    let (manifest, digest) = image(&server, "app", OCI_MANIFEST, b"layer");
    server.put_manifest("app", "one", OCI_MANIFEST, &manifest);
    server.put_manifest("app", "two", OCI_MANIFEST, &manifest);
    assert_eq!(
        server
            .call("DELETE", "/v2/app/manifests/one", &[], b"")
            .status,
        202
    );
    assert_eq!(server.get("/v2/app/manifests/one").status, 404);
    assert_eq!(server.get("/v2/app/manifests/two").status, 200);
    let delete = server.call("DELETE", &format!("/v2/app/manifests/{digest}"), &[], b"");
    assert_eq!(delete.status, 202);
    assert_eq!(
        server.get(&format!("/v2/app/manifests/{digest}")).status,
        404
    );
    assert_eq!(server.get("/v2/app/manifests/two").status, 404);
    let again = server.call("DELETE", &format!("/v2/app/manifests/{digest}"), &[], b"");
    assert_eq!(
        (again.status, again.code().as_str()),
        (404, "MANIFEST_UNKNOWN")
    );
}

#[test]
fn referrers_list_artifacts_that_name_a_subject() {
    let server = Server::start();
    let (manifest, subject) = image(&server, "app", OCI_MANIFEST, b"layer");
    server.put_manifest("app", "1.0", OCI_MANIFEST, &manifest);
    let empty = server.push_blob("app", b"{}");
    let signature = server.push_blob("app", b"signature bytes");
    let artifact = |artifact_type: &str, annotation: &str| {
        serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": artifact_type,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty.to_string(), "size": 2},
            "layers": [{"mediaType": "application/octet-stream", "digest": signature.to_string(), "size": 15}],
            "subject": {"mediaType": OCI_MANIFEST, "digest": subject.to_string(), "size": manifest.len()},
            "annotations": {"note": annotation},
        }))
        .unwrap()
    };
    let sig = artifact("application/vnd.example.signature", "sig");
    let sbom = artifact("application/vnd.example.sbom", "sbom");
    for body in [&sig, &sbom] {
        let reply =
            server.put_manifest("app", &Digest::sha256(body).to_string(), OCI_MANIFEST, body);
        assert_eq!(reply.status, 201, "{}", reply.text());
        assert_eq!(
            reply.header("OCI-Subject"),
            Some(subject.to_string().as_str())
        );
    }
    let all = server.get(&format!("/v2/app/referrers/{subject}"));
    assert_eq!(all.status, 200);
    assert_eq!(all.header("Content-Type"), Some(OCI_INDEX));
    let index = all.json();
    assert_eq!(index["mediaType"], OCI_INDEX);
    let found = index["manifests"].as_array().unwrap();
    assert_eq!(found.len(), 2);
    for descriptor in found {
        assert!(
            descriptor["artifactType"]
                .as_str()
                .unwrap()
                .starts_with("application/vnd.example.")
        );
        assert_eq!(descriptor["mediaType"], OCI_MANIFEST);
        assert!(descriptor["annotations"]["note"].is_string());
    }
    let filtered = server.get(&format!(
        "/v2/app/referrers/{subject}?artifactType=application/vnd.example.sbom"
    ));
    assert_eq!(filtered.header("OCI-Filters-Applied"), Some("artifactType"));
    let found = filtered.json()["manifests"].as_array().unwrap().clone();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["digest"], Digest::sha256(&sbom).to_string());
    // A subject nobody refers to, even one that does not exist: an empty index.
    let none = server.get(&format!("/v2/app/referrers/{}", Digest::sha256(b"x")));
    assert_eq!(
        (none.status, none.json()["manifests"].clone()),
        (200, json!([]))
    );
    assert_eq!(
        server.get("/v2/app/referrers/sha256:nope").code(),
        "DIGEST_INVALID"
    );
}

#[test]
fn tags_and_catalog_paginate_with_link_headers() {
    let server = Server::start();
    let (manifest, _) = image(&server, "app", OCI_MANIFEST, b"layer");
    for tag in ["e", "a", "c", "b", "d"] {
        assert_eq!(
            server
                .put_manifest("app", tag, OCI_MANIFEST, &manifest)
                .status,
            201
        );
    }
    let all = server.get("/v2/app/tags/list");
    assert_eq!(
        all.json(),
        json!({"name": "app", "tags": ["a", "b", "c", "d", "e"]})
    );
    assert_eq!(all.header("Link"), None);
    let first = server.get("/v2/app/tags/list?n=2");
    assert_eq!(first.json()["tags"], json!(["a", "b"]));
    let link = first.header("Link").unwrap();
    assert_eq!(link, "</v2/app/tags/list?n=2&last=b>; rel=\"next\"");
    let next = link.trim_start_matches('<').split('>').next().unwrap();
    let second = server.get(next);
    assert_eq!(second.json()["tags"], json!(["c", "d"]));
    let last = server.get("/v2/app/tags/list?n=2&last=d");
    assert_eq!(
        (last.json()["tags"].clone(), last.header("Link")),
        (json!(["e"]), None)
    );
    assert_eq!(
        server.get("/v2/app/tags/list?n=0").json()["tags"],
        json!([])
    );
    let bad = server.get("/v2/app/tags/list?n=-1");
    assert_eq!(
        (bad.status, bad.code().as_str()),
        (400, "PAGINATION_NUMBER_INVALID")
    );
    let unknown = server.get("/v2/nothing/tags/list");
    assert_eq!(
        (unknown.status, unknown.code().as_str()),
        (404, "NAME_UNKNOWN")
    );
    assert_eq!(
        unknown.json()["errors"][0]["message"],
        "repository name not known to registry"
    );

    for name in ["zeta", "alpha/one", "mid"] {
        let (manifest, _) = image(&server, name, OCI_MANIFEST, b"layer");
        server.put_manifest(name, "1", OCI_MANIFEST, &manifest);
    }
    let catalog = server.get("/v2/_catalog");
    assert_eq!(
        catalog.json(),
        json!({"repositories": ["alpha/one", "app", "mid", "zeta"]})
    );
    let page = server.get("/v2/_catalog?n=3");
    assert_eq!(
        page.json()["repositories"],
        json!(["alpha/one", "app", "mid"])
    );
    assert_eq!(
        page.header("Link"),
        Some("</v2/_catalog?n=3&last=mid>; rel=\"next\"")
    );
    assert_eq!(
        server.get("/v2/_catalog?n=3&last=mid").json()["repositories"],
        json!(["zeta"])
    );
}

#[test]
fn malformed_names_and_path_tricks_are_refused() {
    let server = Server::start();
    for path in [
        "/v2/UPPER/tags/list",
        "/v2/%2e%2e/escape/tags/list",
        "/v2/a/%2e%2e/%2e%2e/tags/list",
        "/v2/a/../../etc/tags/list",
        "/v2//abs/tags/list",
        "/v2/a_/blobs/uploads/",
        &format!("/v2/{}/tags/list", "a".repeat(256)),
    ] {
        let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let reply = raw(server.addr, request.as_bytes());
        assert!(reply.starts_with("HTTP/1.1 400"), "{path}: {reply}");
        assert!(reply.contains("NAME_INVALID"), "{path}: {reply}");
    }
    let request = "POST /v2/../../x/blobs/uploads/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    assert!(raw(server.addr, request.as_bytes()).starts_with("HTTP/1.1 400"));
    // Nothing was created for any of them.
    assert!(
        std::fs::read_dir(server.root.join("repositories"))
            .unwrap()
            .next()
            .is_none()
    );
    assert!(!server.root.parent().unwrap().join("x").exists());
    // Garbage on the wire gets a 400 from HTTP itself, never a crash.
    let reply = raw(server.addr, b"NONSENSE\r\n\r\n");
    assert!(
        reply.is_empty() || reply.starts_with("HTTP/1.1 400"),
        "{reply}"
    );
    assert_eq!(server.get("/v2/").status, 200);
}

#[test]
fn a_truncated_chunk_leaves_the_upload_as_it_was() {
    let server = Server::start();
    let start = server.call("POST", "/v2/r/blobs/uploads/", &[], b"");
    let location = start.header("Location").unwrap().to_string();
    server.call("PATCH", &location, &[], b"first ");
    let mut stream = TcpStream::connect(server.addr).unwrap();
    let head = format!("PATCH {location} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&[b'x'; 500]).unwrap();
    stream.shutdown(std::net::Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    drop(stream);
    // The server notices the cut-short body and puts the upload back.
    let mut range = String::new();
    for _ in 0..100 {
        range = server
            .get(&location)
            .header("Range")
            .unwrap_or("")
            .to_string();
        if range == "0-5" {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(range, "0-5");
    let digest = Digest::sha256(b"first second");
    let put = server.call(
        "PUT",
        &format!("{location}?digest={digest}"),
        &[],
        b"second",
    );
    assert_eq!(put.status, 201, "{}", put.text());
}

/// Every stored blob hashes to its name: nothing torn is visible.
fn assert_blobs_whole(root: &Path) {
    for alg in [Algorithm::Sha256, Algorithm::Sha512] {
        let Ok(entries) = std::fs::read_dir(root.join("blobs").join(alg.name())) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let digest: Digest = format!("{}:{name}", alg.name())
                .parse()
                .unwrap_or_else(|_| panic!("stray file in blobs: {name}"));
            assert!(
                digest.verify(&std::fs::read(entry.path()).unwrap()),
                "torn blob {name}"
            );
        }
    }
}

#[test]
fn a_server_killed_mid_upload_leaves_blobs_whole_or_absent() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("registry");
    let mut server = Server::on(&root, RegistryOptions::default());
    let done = server.push_blob("r", b"finished before the crash");
    let big: Vec<u8> = (0..8u32 << 20).map(|i| (i % 251) as u8).collect();
    let big_digest = Digest::sha256(&big);
    // A monolithic push and a chunked one, both cut off by the kill.
    let mut monolithic = TcpStream::connect(server.addr).unwrap();
    let head = format!(
        "POST /v2/r/blobs/uploads/?digest={big_digest} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        big.len()
    );
    monolithic.write_all(head.as_bytes()).unwrap();
    monolithic.write_all(&big[..3 << 20]).unwrap();
    let start = server.call("POST", "/v2/r/blobs/uploads/", &[], b"");
    let location = start.header("Location").unwrap().to_string();
    let mut chunked = TcpStream::connect(server.addr).unwrap();
    let head = format!(
        "PATCH {location} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        big.len()
    );
    chunked.write_all(head.as_bytes()).unwrap();
    chunked.write_all(&big[..2 << 20]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    server.kill();
    drop((monolithic, chunked));
    assert_blobs_whole(&root);
    assert!(root.join("blobs/sha256").join(done.hex()).is_file());
    assert!(!root.join("blobs/sha256").join(big_digest.hex()).exists());

    // After a restart the finished blob is served, the big one is unknown, and the
    // chunked upload can be finished from where the disk says it stands.
    let server = Server::on(&root, RegistryOptions::default());
    assert_eq!(
        server.get(&format!("/v2/r/blobs/{done}")).body,
        b"finished before the crash"
    );
    assert_eq!(
        server
            .call("HEAD", &format!("/v2/r/blobs/{big_digest}"), &[], b"")
            .status,
        404
    );
    let status = server.get(&location);
    assert_eq!(status.status, 204);
    // `0-0` is an empty upload here: no chunk of exactly one byte was sent.
    let rest_start = match status.header("Range").unwrap() {
        "0-0" => 0,
        range => range.split('-').nth(1).unwrap().parse::<usize>().unwrap() + 1,
    };
    let put = server.call(
        "PUT",
        &format!("{location}?digest={big_digest}"),
        &[("Content-Range", &format!("{rest_start}-{}", big.len() - 1))],
        &big[rest_start..],
    );
    assert_eq!(put.status, 201, "{}", put.text());
    assert_eq!(
        server.get(&format!("/v2/r/blobs/{big_digest}")).body.len(),
        big.len()
    );
    assert_blobs_whole(&root);
}

#[test]
fn eight_clients_pushing_one_image_store_one_copy() {
    let server = Server::start();
    let layer: Vec<u8> = (0..1u32 << 20).map(|i| (i % 13) as u8).collect();
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#;
    let layer_digest = Digest::sha256(&layer);
    let config_digest = Digest::sha256(config);
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": DOCKER_MANIFEST,
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": config_digest.to_string(), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "digest": layer_digest.to_string(), "size": layer.len()}],
    }))
    .unwrap();
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for (bytes, digest) in [(&layer[..], &layer_digest), (&config[..], &config_digest)]
                {
                    let start = server.call("POST", "/v2/shared/app/blobs/uploads/", &[], b"");
                    let location = start.header("Location").unwrap().to_string();
                    let (a, b) = bytes.split_at(bytes.len() / 2);
                    assert_eq!(server.call("PATCH", &location, &[], a).status, 202);
                    let put = server.call("PUT", &format!("{location}?digest={digest}"), &[], b);
                    assert_eq!(put.status, 201, "{}", put.text());
                }
                let put = server.put_manifest("shared/app", "latest", DOCKER_MANIFEST, &manifest);
                assert_eq!(put.status, 201, "{}", put.text());
            });
        }
    });
    let mut expected = vec![
        format!("sha256/{}", layer_digest.hex()),
        format!("sha256/{}", config_digest.hex()),
        format!("sha256/{}", Digest::sha256(&manifest).hex()),
    ];
    expected.sort();
    assert_eq!(server.stored_blobs(), expected);
    assert_eq!(
        std::fs::read_dir(server.root.join("_uploads"))
            .unwrap()
            .count(),
        0
    );
    assert_blobs_whole(&server.root);
    assert_eq!(server.get("/v2/shared/app/manifests/latest").body, manifest);
}

#[test]
fn htpasswd_auth_guards_every_endpoint() {
    let server = Server::with_user("student", "s3cret");
    let denied = server.get("/v2/");
    assert_eq!(
        (denied.status, denied.code().as_str()),
        (401, "UNAUTHORIZED")
    );
    assert_eq!(
        denied.header("WWW-Authenticate"),
        Some("Basic realm=\"Registry Realm\"")
    );
    assert_eq!(
        denied.json()["errors"][0]["message"],
        "authentication required"
    );
    let wrong = encode_basic("student", "guess");
    assert_eq!(
        server
            .call("GET", "/v2/_catalog", &[("Authorization", &wrong)], b"")
            .status,
        401
    );
    let right = encode_basic("student", "s3cret");
    let ok = server.call("GET", "/v2/_catalog", &[("Authorization", &right)], b"");
    assert_eq!(ok.status, 200);
}

#[test]
fn options_follow_the_registry_image_environment() {
    let hash = bcrypt::hash_with_salt("pw", 4, [2u8; 16])
        .unwrap()
        .to_string();
    let env = |k: &str| match k {
        "REGISTRY_AUTH" => Some("htpasswd".to_string()),
        "REGISTRY_AUTH_HTPASSWD_REALM" => Some("Realm".to_string()),
        "REGISTRY_AUTH_HTPASSWD_PATH" => Some("/auth/htpasswd".to_string()),
        _ => None,
    };
    let file = |p: &str| (p == "/auth/htpasswd").then(|| format!("me:{hash}\n"));
    let options = RegistryOptions::from_env(&env, &file).unwrap();
    assert!(!options.delete_enabled);
    assert!(options.auth.unwrap().check(Some(&encode_basic("me", "pw"))));
    let missing = RegistryOptions::from_env(&env, &|_| None).unwrap_err();
    assert_eq!(missing, "open /auth/htpasswd: no such file or directory");
}

/// `docklab registry serve` on a free port with `env`: the child and the address its
/// first line names.
fn registry_serve(state: &Path, env: &[(&str, &Path)]) -> (std::process::Child, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_docklab"))
        .args(["registry", "serve", "--addr", "127.0.0.1:0", "--state"])
        .arg(state)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (child, addr)
}

#[test]
fn registry_serve_command_listens_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = registry_serve(dir.path(), &[]);
    let reply = call(&format!("http://{addr}/v2/_catalog"), "GET", &[], b"");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(reply.json(), json!({"repositories": []}));
    assert!(dir.path().join("oci-layout").is_file());

    // With the registry:2 image's auth variables.
    let hash = bcrypt::hash_with_salt("pw", 4, [5u8; 16])
        .unwrap()
        .to_string();
    let htpasswd = dir.path().join("htpasswd");
    std::fs::write(&htpasswd, format!("me:{hash}\n")).unwrap();
    let (mut child, addr) = registry_serve(
        dir.path(),
        &[
            ("REGISTRY_AUTH", Path::new("htpasswd")),
            ("REGISTRY_AUTH_HTPASSWD_REALM", Path::new("Lab Realm")),
            ("REGISTRY_AUTH_HTPASSWD_PATH", &htpasswd),
        ],
    );
    let denied = call(&format!("http://{addr}/v2/"), "GET", &[], b"");
    let allowed = call(
        &format!("http://{addr}/v2/"),
        "GET",
        &[("Authorization", &encode_basic("me", "pw"))],
        b"",
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        denied.header("WWW-Authenticate"),
        Some("Basic realm=\"Lab Realm\"")
    );
    assert_eq!(allowed.status, 200);
}

/// The registry chapter in the lab, pinned: the lab pushes and pulls over HTTP to a
/// registry on an ephemeral port, shown in the snapshot as `localhost:5000`.
#[test]
fn push_and_pull_through_the_lab() {
    let server = Server::start();
    let host = format!("127.0.0.1:{}", server.addr.port());
    let lab = crate::support::Fixture::new();
    let script = r#"cat > Dockerfile <<'END'
FROM alpine:latest
RUN apk update
RUN apk add nmap
ENTRYPOINT ["nmap"]
END
docker build -q -t mynmap .
docker tag mynmap HOST/mynmap:1.0
docker push HOST/mynmap:1.0
docker push HOST/mynmap:1.0
docker tag mynmap HOST/mynmap:latest
docker tag mynmap HOST/copy:2.0
docker push --all-tags HOST/mynmap
docker push HOST/copy:2.0
docker push HOST/mynmap:nope
docker push HOST/nothing
docker rmi HOST/mynmap:1.0 HOST/mynmap:latest HOST/copy:2.0 mynmap
docker pull HOST/mynmap:1.0
docker pull HOST/mynmap:1.0
docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' HOST/mynmap
docker pull HOST/mynmap:missing
docker push mynmap
docker tag HOST/mynmap:1.0 student/mynmap
docker push student/mynmap
"#
    .replace("HOST", &host);
    let transcript = lab.transcript(&script).replace(&host, "localhost:5000");
    insta::assert_snapshot!("registry_push_and_pull", transcript);
    // What the registry holds, read with plain HTTP as curl would.
    assert_eq!(
        server.get("/v2/_catalog").json(),
        json!({"repositories": ["copy", "mynmap"]})
    );
    assert_eq!(
        server.get("/v2/mynmap/tags/list").json()["tags"],
        json!(["1.0", "latest"])
    );
}

#[test]
fn pulling_by_digest_and_from_a_registry_that_is_not_there() {
    let server = Server::start();
    let host = format!("127.0.0.1:{}", server.addr.port());
    let lab = crate::support::Fixture::new();
    let records = lab.records(
        &"docker pull alpine:3.19\ndocker tag alpine:3.19 HOST/a:1\ndocker push HOST/a:1\n"
            .replace("HOST", &host),
    );
    let digest = records[2]
        .stdout
        .lines()
        .last()
        .and_then(|l| l.split("digest: ").nth(1))
        .and_then(|l| l.split(' ').next())
        .unwrap()
        .to_string();
    let records = lab.records(
        &"docker rmi HOST/a:1 alpine:3.19\ndocker pull HOST/a@DIGEST\ndocker images --digests --format '{{.Repository}} {{.Digest}}'\n"
            .replace("HOST", &host)
            .replace("DIGEST", &digest),
    );
    assert_eq!(records[1].exit_code, 0, "{}", records[1].stderr);
    assert!(
        records[1]
            .stdout
            .starts_with(&format!("{digest}: Pulling from a\n"))
    );
    assert!(records[1].stdout.ends_with(&format!(
        "Status: Downloaded newer image for {host}/a@{digest}\n{host}/a@{digest}\n"
    )));
    assert_eq!(records[2].stdout.trim(), format!("{host}/a {digest}"));
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let records = lab.records(&format!(
        "docker pull 127.0.0.1:{port}/x:1\ndocker pull localhost:{port}/x:1\n"
    ));
    assert_eq!(
        records[0].stderr,
        format!(
            "Error response from daemon: Get \"http://127.0.0.1:{port}/v2/\": dial tcp 127.0.0.1:{port}: connect: connection refused\n"
        )
    );
    assert_eq!(
        records[1].stderr,
        format!(
            "Error response from daemon: Get \"http://localhost:{port}/v2/\": dial tcp [::1]:{port}: connect: connection refused\n"
        )
    );
}

#[test]
fn a_registry_with_htpasswd_turns_away_the_lab_without_credentials() {
    let server = Server::with_user("me", "pw");
    let host = format!("127.0.0.1:{}", server.addr.port());
    let lab = crate::support::Fixture::new();
    let records = lab.records(
        &"docker pull alpine:3.19\ndocker tag alpine:3.19 HOST/a:1\ndocker push HOST/a:1\ndocker pull HOST/a:1\n"
            .replace("HOST", &host),
    );
    assert_eq!(records[2].exit_code, 1);
    assert!(
        records[2].stdout.ends_with(": Preparing\n"),
        "{}",
        records[2].stdout
    );
    assert_eq!(records[2].stderr, "no basic auth credentials\n");
    assert_eq!(
        records[3].stderr,
        format!(
            "Error response from daemon: Head \"http://{host}/v2/a/manifests/1\": no basic auth credentials\n"
        )
    );
}

#[test]
fn pulling_a_multi_platform_image_keeps_the_lab_state_a_valid_oci_layout() {
    let server = Server::start();
    let host = format!("127.0.0.1:{}", server.addr.port());
    let pusher = crate::support::Fixture::new();
    let records = pusher.records(
        &"docker pull alpine:3.19\ndocker tag alpine:3.19 HOST/multi:amd64\ndocker push HOST/multi:amd64\n"
            .replace("HOST", &host),
    );
    assert_eq!(records[2].exit_code, 0, "{}", records[2].stderr);
    let child = server.get("/v2/multi/manifests/amd64");
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [{
            "mediaType": child.header("Content-Type").unwrap(),
            "digest": child.header("Docker-Content-Digest").unwrap(),
            "size": child.body.len(),
            "platform": {"architecture": "amd64", "os": "linux"},
        }],
    }))
    .unwrap();
    assert_eq!(
        server
            .put_manifest("multi", "all", OCI_INDEX, &index)
            .status,
        201
    );
    let index_digest = Digest::sha256(&index);

    let puller = crate::support::Fixture::new();
    let records = puller.records(&format!("docker pull {host}/multi:all\n"));
    assert_eq!(records[0].exit_code, 0, "{}", records[0].stderr);
    assert!(
        records[0]
            .stdout
            .contains(&format!("Digest: {index_digest}\n"))
    );
    // Every blob is whole, and every manifest index.json names is there with its layers.
    let state = puller.state();
    assert_blobs_whole(&state);
    let layout: Value =
        serde_json::from_slice(&std::fs::read(state.join("index.json")).unwrap()).unwrap();
    let blob = |digest: &str| {
        std::fs::read(
            state
                .join("blobs/sha256")
                .join(digest.trim_start_matches("sha256:")),
        )
        .unwrap()
    };
    for entry in layout["manifests"].as_array().unwrap() {
        let manifest: Value =
            serde_json::from_slice(&blob(entry["digest"].as_str().unwrap())).unwrap();
        blob(manifest["config"]["digest"].as_str().unwrap());
        for layer in manifest["layers"].as_array().unwrap() {
            blob(layer["digest"].as_str().unwrap());
        }
    }
}

mod arbitrary_requests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    /// One server for every case: each request must get an answer, and the server must
    /// still answer `/v2/` afterwards.
    fn server() -> &'static Server {
        static SERVER: OnceLock<Server> = OnceLock::new();
        SERVER.get_or_init(Server::start)
    }

    fn segment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("v2".to_string()),
            Just("blobs".to_string()),
            Just("uploads".to_string()),
            Just("manifests".to_string()),
            Just("tags".to_string()),
            Just("list".to_string()),
            Just("referrers".to_string()),
            Just("_catalog".to_string()),
            Just("..".to_string()),
            Just("%2e%2e".to_string()),
            Just(
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                    .to_string()
            ),
            "[a-zA-Z0-9._%:-]{0,12}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn any_request_gets_an_answer(
            method in prop_oneof![Just("GET"), Just("HEAD"), Just("PUT"), Just("POST"), Just("PATCH"), Just("DELETE")],
            segments in proptest::collection::vec(segment(), 0..7),
            query in "[a-z=&%0-9:-]{0,24}",
            range in proptest::option::of("[a-z0-9 =*/-]{0,16}"),
            body in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let server = server();
            let mut request = format!(
                "{method} /v2/{}?{query} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n",
                segments.join("/"),
                body.len()
            );
            if let Some(range) = &range {
                request.push_str(&format!("Content-Range: {range}\r\nRange: {range}\r\n"));
            }
            request.push_str("\r\n");
            let mut bytes = request.into_bytes();
            bytes.extend_from_slice(&body);
            let reply = raw(server.addr, &bytes);
            prop_assert!(reply.starts_with("HTTP/1.1 "), "no answer to {method} {segments:?}: {reply:?}");
            prop_assert_eq!(server.get("/v2/").status, 200);
        }
    }
}

#[test]
fn eight_labs_pushing_the_same_image_at_once_store_it_once() {
    let server = Server::start();
    let host = format!("127.0.0.1:{}", server.addr.port());
    let script = "docker pull alpine:3.19\ndocker tag alpine:3.19 HOST/shared:1.0\ndocker push HOST/shared:1.0\n"
        .replace("HOST", &host);
    let labs: Vec<crate::support::Fixture> =
        (0..8).map(|_| crate::support::Fixture::new()).collect();
    std::thread::scope(|scope| {
        for lab in &labs {
            let script = &script;
            scope.spawn(move || {
                let records = lab.records(script);
                for record in records {
                    assert_eq!(record.exit_code, 0, "{}: {}", record.command, record.stderr);
                }
            });
        }
    });
    // One layer, one config, one manifest: every lab's push produced the same bytes.
    assert_eq!(
        server.stored_blobs().len(),
        3,
        "{:?}",
        server.stored_blobs()
    );
    assert_eq!(
        std::fs::read_dir(server.root.join("_uploads"))
            .unwrap()
            .count(),
        0
    );
    assert_blobs_whole(&server.root);
    assert_eq!(
        server.get("/v2/shared/tags/list").json()["tags"],
        json!(["1.0"])
    );
}

/// `docker login` and `logout` against a registry with htpasswd auth, pinned.
#[test]
fn login_and_logout_with_an_htpasswd_registry() {
    let server = Server::with_user("student", "s3cret");
    let host = format!("127.0.0.1:{}", server.addr.port());
    let lab = crate::support::Fixture::new();
    let script = r#"docker pull -q alpine:3.19
docker tag alpine:3.19 HOST/private:1.0
docker push HOST/private:1.0
docker login -u student -p wrong HOST
docker login HOST
docker login -u student -p s3cret HOST
cat ~/.docker/config.json
docker push HOST/private:1.0
docker rmi -f HOST/private:1.0 alpine:3.19
docker pull HOST/private:1.0
docker logout HOST
docker logout HOST
docker pull HOST/private:1.0
docker login -u someone -p pw
"#
    .replace("HOST", &host);
    let transcript = lab.transcript(&script).replace(&host, "localhost:5000");
    insta::assert_snapshot!("registry_login_and_logout", transcript);
}
