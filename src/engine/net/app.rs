//! Services the engine runs for a container's interpreted servers (a python
//! `http.server` or flask app, a node http server, a Go binary, httpd, redis): what
//! they are given of the container, and the HTTP loop that carries their answers.
//!
//! A server program records what it listens on (`Host::listen(port, "kind:arg")`) and
//! then waits; when the port is published, the engine asks `programs::service` for the
//! service of that kind, built from a `ContainerView`. An HTTP service implements `App`
//! and is served by `serve`; any other protocol spawns its own accept loop.

use super::LogSink;
use super::live::LiveFs;
use crate::engine::clock::Clock;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Request, Response, StatusCode};
use std::convert::Infallible;
use std::sync::Arc;

/// The most a request body may carry to an interpreted app.
pub const MAX_BODY: usize = 8 << 20;

/// What a service sees of its container.
pub struct ContainerView {
    pub container_id: String,
    /// The container's filesystem as it is now, bind mounts included.
    pub fs: LiveFs,
    /// `KEY=value`, as the container's process has them.
    pub env: Vec<String>,
    /// The process's working directory (the image's WORKDIR, or `/`).
    pub cwd: String,
    /// The container's hostname and address on its network.
    pub hostname: String,
    pub ip: String,
    pub clock: Clock,
    /// Where what the server writes while it serves goes: the container's log.
    logs: LogSink,
}

impl ContainerView {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        container_id: &str,
        fs: LiveFs,
        env: Vec<String>,
        cwd: &str,
        hostname: &str,
        ip: &str,
        clock: Clock,
        logs: LogSink,
    ) -> ContainerView {
        ContainerView {
            container_id: container_id.to_string(),
            fs,
            env,
            cwd: if cwd.is_empty() {
                "/".into()
            } else {
                cwd.into()
            },
            hostname: hostname.to_string(),
            ip: ip.to_string(),
            clock,
            logs,
        }
    }

    /// The value of environment variable `name`.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .find_map(|e| e.strip_prefix(name)?.strip_prefix('='))
    }

    /// Appends `text` to the container's log on `stream` (1 stdout, 2 stderr), stamped
    /// with the engine's clock.
    pub fn log(&self, stream: u8, text: impl Into<String>) {
        let time = self
            .clock
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        self.logs
            .push(&self.container_id, stream, text.into(), time);
    }

    /// Where connections from the host appear to come from, as servers log them.
    pub fn client_address(&self) -> &'static str {
        super::HOST_GATEWAY
    }
}

/// One HTTP request as an app sees it.
#[derive(Debug, Clone, Default)]
pub struct AppRequest {
    pub method: String,
    /// Path and query, as sent (`/items?id=2`).
    pub target: String,
    /// `HTTP/1.0` or `HTTP/1.1`.
    pub version: &'static str,
    /// Names lower-cased, in the order sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl AppRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The path without its query.
    pub fn path(&self) -> &str {
        self.target.split(['?', '#']).next().unwrap_or("/")
    }

    /// The query string after `?`, if any.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }
}

/// An app's answer: the status, headers in order, and the body.
#[derive(Debug, Clone, Default)]
pub struct AppReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl AppReply {
    pub fn new(status: u16, headers: &[(&str, &str)], body: impl Into<Vec<u8>>) -> AppReply {
        AppReply {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: body.into(),
        }
    }
}

/// An HTTP server a container runs. `respond` is called for every request, from the
/// network's runtime: it must not block on anything but its own computation.
pub trait App: Send + Sync + 'static {
    fn respond(&self, request: &AppRequest) -> AppReply;
}

/// The service that serves `app` on the published port.
pub fn service(app: Arc<dyn App>) -> super::Service {
    super::Service::Spawn(Box::new(move |listener| Box::pin(serve(listener, app))))
}

/// Serves `app` on `listener` until the task is aborted.
pub async fn serve(listener: tokio::net::TcpListener, app: Arc<dyn App>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let app = app.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let app = app.clone();
                async move { Ok::<_, Infallible>(answer(app.as_ref(), req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .title_case_headers(true)
                .auto_date_header(false)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(app: &dyn App, req: Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => {
            let mut response = Response::new(Full::new(Bytes::from_static(b"")));
            *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return response;
        }
    };
    let request = AppRequest {
        method: parts.method.as_str().to_string(),
        target: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into()),
        version: match parts.version {
            hyper::Version::HTTP_10 => "HTTP/1.0",
            _ => "HTTP/1.1",
        },
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    let reply = app.respond(&request);
    let head = request.method == "HEAD";
    let mut response = Response::new(Full::new(if head {
        Bytes::new()
    } else {
        Bytes::from(reply.body)
    }));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    struct Echo;
    impl App for Echo {
        fn respond(&self, request: &AppRequest) -> AppReply {
            AppReply::new(
                201,
                &[("Content-Type", "text/plain")],
                format!(
                    "{} {} {}",
                    request.method,
                    request.path(),
                    String::from_utf8_lossy(&request.body)
                ),
            )
        }
    }

    #[test]
    fn an_app_answers_on_its_published_port_with_the_request_body() {
        let mut net = super::super::Network::new(false);
        let addr = net.publish("c1", 5000, service(Arc::new(Echo))).unwrap();
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.write_all(b"POST /items?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc")
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        assert!(out.starts_with("HTTP/1.1 201 Created\r\n"), "{out}");
        assert!(out.contains("Content-Type: text/plain\r\n"), "{out}");
        assert!(out.ends_with("POST /items abc"), "{out}");
    }
}
