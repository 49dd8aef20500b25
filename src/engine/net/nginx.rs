//! nginx's default site, served from a container's filesystem: `/usr/share/nginx/html`
//! with `index.html`, nginx's own headers, error pages and access log lines.
//!
//! The container's image layers are fixed while it runs; its writable layer is reread
//! when its file changes, so `docker cp` into a running nginx shows at once.

use super::LogSink;
use super::live::LiveFs;
use crate::engine::clock::Clock;
use crate::engine::fs::{LayerStack, Snapshot};
use crate::engine::shell::Vfs;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::{Method, Request, Response, StatusCode};
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The document root of the images' default server, when the configuration names none.
pub const ROOT: &str = "/usr/share/nginx/html";
/// The worker that serves requests, as its log lines name it.
pub const WORKER_PID: u32 = 29;
/// The address requests arrive from: the bridge's gateway, where the port proxy sits.
const CLIENT: &str = super::HOST_GATEWAY;

pub struct Site {
    container_id: String,
    version: String,
    /// The server's `root`.
    root: String,
    fs: LiveFs,
    clock: Clock,
    logs: LogSink,
    connections: AtomicU64,
}

/// A response before it goes on the wire, and what the access log says of it.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Site {
    pub fn new(
        container_id: &str,
        version: &str,
        root: &str,
        lower: Arc<LayerStack>,
        upper_path: PathBuf,
        clock: Clock,
        logs: LogSink,
    ) -> Site {
        Site {
            container_id: container_id.to_string(),
            version: version.to_string(),
            root: if root.is_empty() { ROOT } else { root }
                .trim_end_matches('/')
                .to_string(),
            fs: LiveFs::new(lower, upper_path),
            clock,
            logs,
            connections: AtomicU64::new(0),
        }
    }

    /// Serves what lies under `mount_point` from the host directory `dir`.
    pub fn with_bind(mut self, mount_point: &str, dir: PathBuf) -> Site {
        self.fs = self.fs.with_bind(mount_point, dir);
        self
    }

    fn bound(&self, path: &str) -> Option<(crate::engine::shell::WorkspaceFs, String)> {
        self.fs.bound(path)
    }

    fn snapshot(&self) -> Snapshot {
        self.fs.snapshot()
    }

    fn server(&self) -> String {
        format!("nginx/{}", self.version)
    }

    /// Answers one request as nginx's default server does, logging it.
    pub fn respond(
        &self,
        method: &str,
        target: &str,
        version: &str,
        header: &dyn Fn(&str) -> Option<String>,
    ) -> Reply {
        let connection = self.connections.fetch_add(1, Ordering::Relaxed) + 1;
        let now = self.clock.now();
        let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        let request_line = format!("{method} {target} {version}");
        let host = header("host").unwrap_or_else(|| "localhost".into());
        let error_log = |message: String| {
            self.logs.push(
                &self.container_id,
                2,
                format!(
                    "{} [error] {WORKER_PID}#{WORKER_PID}: *{connection} {message}, client: {CLIENT}, server: localhost, request: \"{request_line}\", host: \"{host}\"\n",
                    now.format("%Y/%m/%d %H:%M:%S")
                ),
                stamp.clone(),
            );
        };
        let mut reply = match self.lookup(method, target) {
            Lookup::File { data, mtime } => {
                let headers = vec![
                    ("Content-Type", content_type(target).to_string()),
                    ("Content-Length", data.len().to_string()),
                    ("Last-Modified", http_date(mtime)),
                    ("Connection", "keep-alive".into()),
                    ("ETag", format!("\"{:x}-{:x}\"", mtime.max(0), data.len())),
                    ("Accept-Ranges", "bytes".into()),
                ];
                Reply {
                    status: 200,
                    headers,
                    body: data,
                }
            }
            Lookup::Redirect(location) => {
                let location = format!("http://{host}{location}");
                let mut r = self.error_page(301, "Moved Permanently");
                r.headers.insert(3, ("Location", location));
                r
            }
            Lookup::Missing(path) => {
                error_log(format!(
                    "open() \"{path}\" failed (2: No such file or directory)"
                ));
                self.error_page(404, "Not Found")
            }
            Lookup::Forbidden(path) => {
                error_log(format!("directory index of \"{path}\" is forbidden"));
                self.error_page(403, "Forbidden")
            }
            Lookup::NotAllowed => self.error_page(405, "Not Allowed"),
            Lookup::BadRequest => self.error_page(400, "Bad Request"),
        };
        let sent = if method == "HEAD" {
            0
        } else {
            reply.body.len()
        };
        self.logs.push(
            &self.container_id,
            1,
            format!(
                "{CLIENT} - - [{}] \"{request_line}\" {} {sent} \"{}\" \"{}\" \"-\"\n",
                now.format("%d/%b/%Y:%H:%M:%S +0000"),
                reply.status,
                header("referer").unwrap_or_else(|| "-".into()),
                header("user-agent").unwrap_or_else(|| "-".into()),
            ),
            stamp,
        );
        let mut headers = vec![
            ("Server", self.server()),
            ("Date", http_date(now.timestamp())),
        ];
        headers.append(&mut reply.headers);
        reply.headers = headers;
        if method == "HEAD" {
            reply.body.clear();
        }
        reply
    }

    fn lookup(&self, method: &str, target: &str) -> Lookup {
        let path = target.split(['?', '#']).next().unwrap_or("/");
        let Some(path) = decode_path(path) else {
            return Lookup::BadRequest;
        };
        let snapshot = self.snapshot();
        let full = format!("{}{path}", self.root);
        // A bind mount over the docroot: its files come from the host directory.
        let (fs, inner): (Box<dyn Vfs>, Option<String>) = match self.bound(&full) {
            Some((host, inner)) => (Box::new(host), Some(inner)),
            None => (Box::new(snapshot), None),
        };
        let at = |p: &str| -> String {
            match &inner {
                Some(_) => self
                    .bound(p)
                    .map(|(_, i)| i)
                    .unwrap_or_else(|| p.to_string()),
                None => p.to_string(),
            }
        };
        let meta = fs.metadata(&at(&full));
        let file = match meta {
            Ok(m) if m.is_dir() => {
                if !path.ends_with('/') {
                    return Lookup::Redirect(format!("{path}/"));
                }
                let index = ["index.html", "index.htm"]
                    .iter()
                    .map(|i| format!("{full}{i}"))
                    .find(|p| fs.metadata(&at(p)).is_ok_and(|m| m.is_file()));
                match index {
                    Some(p) => p,
                    None => return Lookup::Forbidden(full),
                }
            }
            Ok(_) => full,
            Err(_) => return Lookup::Missing(full),
        };
        if method != "GET" && method != "HEAD" {
            return Lookup::NotAllowed;
        }
        match (fs.read(&at(&file)), fs.metadata(&at(&file))) {
            (Ok(data), Ok(m)) => Lookup::File {
                data,
                mtime: m.mtime,
            },
            _ => Lookup::Missing(file),
        }
    }

    /// nginx's built-in error page.
    fn error_page(&self, status: u16, reason: &str) -> Reply {
        let body = format!(
            "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>{}</center>\r\n</body>\r\n</html>\r\n",
            self.server()
        );
        Reply {
            status,
            headers: vec![
                ("Content-Type", "text/html".into()),
                ("Content-Length", body.len().to_string()),
                ("Connection", "keep-alive".into()),
            ],
            body: body.into_bytes(),
        }
    }
}

enum Lookup {
    File { data: Vec<u8>, mtime: i64 },
    Redirect(String),
    Missing(String),
    Forbidden(String),
    NotAllowed,
    BadRequest,
}

/// The URI's path with `%XX` decoded and `.`/`..` resolved; None when it climbs
/// above the root or is not a path (nginx answers 400).
fn decode_path(raw: &str) -> Option<String> {
    if !raw.starts_with('/') {
        return None;
    }
    let bytes = raw.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            decoded.push(bytes[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(decoded).ok()?;
    if text.contains('\0') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    if (text.ends_with('/') || text.ends_with("/.") || text.ends_with("/..")) && out != "/" {
        out.push('/');
    }
    Some(out)
}

/// Types from the images' `/etc/nginx/mime.types` for what sites usually hold.
fn content_type(path: &str) -> &'static str {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let ext = path
        .rsplit('/')
        .next()
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        // A directory's index.
        None if path.ends_with('/') => "text/html",
        Some("html" | "htm" | "shtml") => "text/html",
        Some("css") => "text/css",
        Some("xml") => "text/xml",
        Some("txt") => "text/plain",
        Some("js") => "application/javascript",
        Some("json") => "application/json",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("svg" | "svgz") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        Some("woff") => "font/woff",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn http_date(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// Serves `site` on `listener` until the task is aborted.
pub async fn serve(listener: tokio::net::TcpListener, site: Arc<Site>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let site = site.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let site = site.clone();
                async move { Ok::<_, Infallible>(answer(&site, &req)) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .title_case_headers(true)
                .auto_date_header(false)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

fn answer(site: &Site, req: &Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
    let version = match req.version() {
        hyper::Version::HTTP_10 => "HTTP/1.0",
        _ => "HTTP/1.1",
    };
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let headers = req.headers();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let method = if req.method() == Method::HEAD {
        "HEAD"
    } else {
        req.method().as_str()
    };
    let reply = site.respond(method, &target, version, &header);
    let mut response = Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    for (name, value) in reply.headers {
        if let Ok(value) = hyper::header::HeaderValue::from_str(&value) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fs::Layer;

    /// A layer tar of `(path, Some(text))` files and `(path, None)` directories.
    fn tar_of(entries: &[(&str, Option<&str>)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, text) in entries {
            let mut h = tar::Header::new_ustar();
            h.set_mtime(1_700_000_000);
            match text {
                Some(t) => {
                    h.set_mode(0o644);
                    h.set_size(t.len() as u64);
                    h.set_entry_type(tar::EntryType::Regular);
                    b.append_data(&mut h, path, t.as_bytes()).unwrap();
                }
                None => {
                    h.set_mode(0o755);
                    h.set_size(0);
                    h.set_entry_type(tar::EntryType::Directory);
                    b.append_data(&mut h, format!("{path}/"), std::io::empty())
                        .unwrap();
                }
            }
        }
        b.into_inner().unwrap()
    }

    fn site(dir: &tempfile::TempDir) -> Site {
        let tar = tar_of(&[
            ("usr", None),
            ("usr/share", None),
            ("usr/share/nginx", None),
            ("usr/share/nginx/html", None),
            ("usr/share/nginx/html/index.html", Some("<h1>hi</h1>\n")),
            ("usr/share/nginx/html/empty", None),
        ]);
        let layer = Layer::from_tar(Arc::from(tar)).unwrap();
        Site::new(
            "c1",
            "1.27.5",
            ROOT,
            Arc::new(LayerStack::new(vec![Arc::new(layer)])),
            dir.path().join("upper.tar"),
            Clock::parse_fixed("2026-11-30T12:00:00Z").unwrap(),
            LogSink::default(),
        )
    }

    fn get(site: &Site, target: &str) -> Reply {
        site.respond("GET", target, "HTTP/1.1", &|name| match name {
            "user-agent" => Some("curl/8.14.1".into()),
            "host" => Some("localhost:8080".into()),
            _ => None,
        })
    }

    #[test]
    fn serves_the_index_with_nginx_headers_and_logs_the_request() {
        let dir = tempfile::tempdir().unwrap();
        let site = site(&dir);
        let r = get(&site, "/");
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"<h1>hi</h1>\n");
        let names: Vec<&str> = r.headers.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            names,
            [
                "Server",
                "Date",
                "Content-Type",
                "Content-Length",
                "Last-Modified",
                "Connection",
                "ETag",
                "Accept-Ranges"
            ]
        );
        assert_eq!(r.headers[0].1, "nginx/1.27.5");
        assert_eq!(r.headers[1].1, "Mon, 30 Nov 2026 12:00:00 GMT");
        let logs = site.logs.drain();
        assert_eq!(
            logs[0].1.text,
            "172.17.0.1 - - [30/Nov/2026:12:00:00 +0000] \"GET / HTTP/1.1\" 200 12 \"-\" \"curl/8.14.1\" \"-\"\n"
        );
    }

    #[test]
    fn missing_files_get_nginx_404_page_and_an_error_log_line() {
        let dir = tempfile::tempdir().unwrap();
        let site = site(&dir);
        let r = get(&site, "/nope.html");
        assert_eq!(r.status, 404);
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.27.5</center>\r\n</body>\r\n</html>\r\n"
        );
        let logs = site.logs.drain();
        assert_eq!(logs[0].1.stream, 2);
        assert!(
            logs[0].1.text.starts_with("2026/11/30 12:00:00 [error] 29#29: *1 open() \"/usr/share/nginx/html/nope.html\" failed (2: No such file or directory), client: 172.17.0.1, server: localhost, request: \"GET /nope.html HTTP/1.1\", host: \"localhost:8080\""),
            "{}",
            logs[0].1.text
        );
        assert!(
            logs[1]
                .1
                .text
                .contains("\"GET /nope.html HTTP/1.1\" 404 153 ")
        );
    }

    #[test]
    fn directories_redirect_then_forbid_without_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let site = site(&dir);
        let r = get(&site, "/empty");
        assert_eq!(r.status, 301);
        assert!(
            r.headers
                .iter()
                .any(|(n, v)| *n == "Location" && v == "http://localhost:8080/empty/")
        );
        assert_eq!(get(&site, "/empty/").status, 403);
    }

    #[test]
    fn paths_never_climb_out_of_the_root() {
        assert_eq!(decode_path("/a/../b").as_deref(), Some("/b"));
        assert_eq!(decode_path("/%2e%2e/etc/passwd"), None);
        assert_eq!(decode_path("/../x"), None);
        assert_eq!(decode_path("/a/"), Some("/a/".into()));
        assert_eq!(decode_path("/%zz"), None);
        assert_eq!(decode_path("x"), None);
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(get(&site(&dir), "/../../etc/passwd").status, 400);
    }

    #[test]
    fn a_file_copied_into_the_running_container_is_served_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let site = site(&dir);
        assert_eq!(get(&site, "/new.txt").status, 404);
        let tar = tar_of(&[("usr/share/nginx/html/new.txt", Some("fresh\n"))]);
        std::fs::write(dir.path().join("upper.tar"), tar).unwrap();
        let r = get(&site, "/new.txt");
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"fresh\n");
        assert!(r.headers.iter().any(|(_, v)| v == "text/plain"));
    }
}
