//! `python -m http.server`: the start-up line, and SimpleHTTPRequestHandler's answers
//! on a published port — files with their guessed types, directory listings in its
//! HTML, the redirect for a directory without its slash, and its "Error response"
//! pages — each request logged to stderr as BaseHTTPRequestHandler logs it.

use super::super::{Ctx, Streams};
use crate::engine::net::app::{App, AppReply, AppRequest, ContainerView};
use crate::engine::shell::vfs;

pub fn run(ctx: &mut Ctx<'_>, args: &[String], io: Streams<'_>) -> i32 {
    let mut port: u16 = 8000;
    let mut bind: Option<String> = None;
    let mut dir = ctx.cwd.clone();
    let mut it = args.iter();
    let usage = "usage: server.py [-h] [--cgi] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [port]";
    while let Some(a) = it.next() {
        match a.as_str() {
            "-b" | "--bind" => match it.next() {
                Some(b) => bind = Some(b.clone()),
                None => {
                    let _ = writeln!(
                        io.stderr,
                        "{usage}\nserver.py: error: argument -b/--bind: expected one argument"
                    );
                    return 2;
                }
            },
            s if s.starts_with("--bind=") => bind = Some(s[7..].to_string()),
            "-d" | "--directory" => match it.next() {
                Some(d) => dir = ctx.abs(d),
                None => {
                    let _ = writeln!(
                        io.stderr,
                        "{usage}\nserver.py: error: argument -d/--directory: expected one argument"
                    );
                    return 2;
                }
            },
            s if s.starts_with("--directory=") => dir = ctx.abs(&s[12..]),
            "-p" | "--protocol" => {
                it.next();
            }
            "--cgi" => {}
            "-h" | "--help" => {
                let _ = writeln!(
                    io.stdout,
                    "{usage}\n\npositional arguments:\n  port                  bind to this port (default: 8000)"
                );
                return 0;
            }
            s => match s.parse::<u16>() {
                Ok(p) => port = p,
                Err(_) => {
                    let _ = writeln!(
                        io.stderr,
                        "{usage}\nserver.py: error: argument port: invalid int value: '{s}'"
                    );
                    return 2;
                }
            },
        }
    }
    let alpine = ctx.fs.exists("/etc/alpine-release");
    // glibc's getaddrinfo offers the IPv6 wildcard first; musl's the IPv4 one.
    let host = bind.clone().unwrap_or_else(|| {
        if alpine {
            "0.0.0.0".into()
        } else {
            "::".into()
        }
    });
    let url_host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.clone()
    };
    let _ = writeln!(
        io.stdout,
        "Serving HTTP on {host} port {port} (http://{url_host}:{port}/) ..."
    );
    let _ = io.stdout.flush();
    if host == "0.0.0.0" || host == "::" {
        let mapped = if host == "::" { ":v6" } else { "" };
        ctx.host
            .listen(port, &format!("python:http.server:{dir}{mapped}"));
    }
    ctx.host
        .sleep(std::time::Duration::from_secs(100 * 365 * 24 * 3600));
    let _ = writeln!(io.stderr, "\nKeyboard interrupt received, exiting.");
    0
}

pub struct HttpServer {
    root: String,
    /// Bound to `::`: clients appear as IPv4-mapped addresses.
    v6: bool,
    view: ContainerView,
}

impl HttpServer {
    pub fn new(arg: &str, view: ContainerView) -> HttpServer {
        let (root, v6) = match arg.strip_suffix(":v6") {
            Some(r) => (r.to_string(), true),
            None => (arg.to_string(), false),
        };
        HttpServer { root, v6, view }
    }

    fn client(&self) -> String {
        if self.v6 {
            format!("::ffff:{}", self.view.client_address())
        } else {
            self.view.client_address().to_string()
        }
    }

    fn log(&self, message: &str) {
        let now = self.view.clock.now().format("%d/%b/%Y %H:%M:%S");
        self.view
            .log(2, format!("{} - - [{now}] {message}\n", self.client()));
    }

    fn base_headers(&self) -> Vec<(String, String)> {
        let now = self.view.clock.now().format("%a, %d %b %Y %H:%M:%S GMT");
        vec![
            (
                "Server".into(),
                format!("SimpleHTTP/0.6 Python/{}", super::VERSION),
            ),
            ("Date".into(), now.to_string()),
        ]
    }

    fn error(&self, request_line: &str, code: u16, message: &str, explain: &str) -> AppReply {
        self.log(&format!("code {code}, message {message}"));
        self.log(&format!("\"{request_line}\" {code} -"));
        let body = format!(
            "<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"utf-8\">\n        <title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n        <p>Error code: {code}</p>\n        <p>Message: {}.</p>\n        <p>Error code explanation: {code} - {explain}.</p>\n    </body>\n</html>\n",
            html_escape(message)
        );
        let mut headers = self.base_headers();
        headers.push(("Connection".into(), "close".into()));
        headers.push(("Content-Type".into(), "text/html;charset=utf-8".into()));
        headers.push(("Content-Length".into(), body.len().to_string()));
        AppReply {
            status: code,
            headers,
            body: body.into_bytes(),
        }
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn unquote(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut k = 0;
    while k < b.len() {
        if b[k] == b'%'
            && k + 2 < b.len() + 1
            && k + 2 <= b.len().saturating_sub(1)
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[k + 1..k + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            k += 3;
            continue;
        }
        out.push(b[k]);
        k += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn quote(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// mimetypes.guess_type as Python 3.12 has it on a Debian image.
fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" | "mjs" => "text/javascript",
        "json" => "application/json",
        "txt" | "text" | "log" => "text/plain",
        "py" => "text/x-python",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "xml" => "text/xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "ico" => "image/vnd.microsoft.icon",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" | "tgz" => "application/gzip",
        "tar" => "application/x-tar",
        "wasm" => "application/wasm",
        "sh" => "application/x-sh",
        "yaml" | "yml" => "application/yaml",
        _ => "application/octet-stream",
    }
}

impl App for HttpServer {
    fn respond(&self, req: &AppRequest) -> AppReply {
        let request_line = format!("{} {} {}", req.method, req.target, req.version);
        if req.method != "GET" && req.method != "HEAD" {
            return self.error(
                &request_line,
                501,
                &format!("Unsupported method ('{}')", req.method),
                "Server does not support this operation",
            );
        }
        let raw_path = req.path();
        let rel = unquote(raw_path);
        let path = vfs::normalize(&self.root, rel.trim_start_matches('/'));
        let inside = path == self.root
            || path.starts_with(&format!("{}/", self.root.trim_end_matches('/')))
            || self.root == "/";
        let not_found = || {
            self.error(
                &request_line,
                404,
                "File not found",
                "Nothing matches the given URI",
            )
        };
        if !inside {
            return not_found();
        }
        let Ok(meta) = self.view.fs.metadata(&path) else {
            return not_found();
        };
        let mut file = path.clone();
        if meta.is_dir() {
            if !raw_path.ends_with('/') {
                let q = req.query().map(|q| format!("?{q}")).unwrap_or_default();
                self.log(&format!("\"{request_line}\" 301 -"));
                let mut headers = self.base_headers();
                headers.push(("Location".into(), format!("{raw_path}/{q}")));
                headers.push(("Content-Length".into(), "0".into()));
                return AppReply {
                    status: 301,
                    headers,
                    body: Vec::new(),
                };
            }
            let index = ["index.html", "index.htm"]
                .iter()
                .map(|n| format!("{}/{n}", path.trim_end_matches('/')))
                .find(|p| self.view.fs.metadata(p).is_ok_and(|m| m.is_file()));
            match index {
                Some(p) => file = p,
                None => {
                    let Ok(mut entries) = self.view.fs.read_dir(&path) else {
                        return self.error(
                            &request_line,
                            404,
                            "No permission to list directory",
                            "Nothing matches the given URI",
                        );
                    };
                    entries.sort_by_key(|e| e.name.to_lowercase());
                    let display = html_escape(&unquote(raw_path));
                    let title = format!("Directory listing for {display}");
                    let mut r = vec![
                        "<!DOCTYPE HTML>".to_string(),
                        "<html lang=\"en\">".into(),
                        "<head>".into(),
                        "<meta charset=\"utf-8\">".into(),
                        format!("<title>{title}</title>\n</head>"),
                        format!("<body>\n<h1>{title}</h1>"),
                        "<hr>\n<ul>".into(),
                    ];
                    for e in entries {
                        let full = format!("{}/{}", path.trim_end_matches('/'), e.name);
                        let is_dir = self.view.fs.metadata(&full).is_ok_and(|m| m.is_dir());
                        let (mut display, link) = if is_dir {
                            (format!("{}/", e.name), format!("{}/", e.name))
                        } else {
                            (e.name.clone(), e.name.clone())
                        };
                        if e.file_type == crate::engine::shell::FileType::Symlink {
                            display = format!("{}@", e.name);
                        }
                        r.push(format!(
                            "<li><a href=\"{}\">{}</a></li>",
                            quote(&link),
                            html_escape(&display)
                        ));
                    }
                    r.push("</ul>\n<hr>\n</body>\n</html>\n".into());
                    let body = r.join("\n");
                    self.log(&format!("\"{request_line}\" 200 -"));
                    let mut headers = self.base_headers();
                    headers.push(("Content-Type".into(), "text/html; charset=utf-8".into()));
                    headers.push(("Content-Length".into(), body.len().to_string()));
                    return AppReply {
                        status: 200,
                        headers,
                        body: body.into_bytes(),
                    };
                }
            }
        } else if raw_path.ends_with('/') {
            return not_found();
        }
        let Ok(body) = self.view.fs.read(&file) else {
            return not_found();
        };
        let mtime = self.view.fs.metadata(&file).map(|m| m.mtime).unwrap_or(0);
        self.log(&format!("\"{request_line}\" 200 -"));
        let mut headers = self.base_headers();
        headers.push(("Content-Type".into(), content_type(&file).into()));
        headers.push(("Content-Length".into(), body.len().to_string()));
        headers.push((
            "Last-Modified".into(),
            chrono::DateTime::from_timestamp(mtime, 0)
                .unwrap_or_default()
                .format("%a, %d %b %Y %H:%M:%S GMT")
                .to_string(),
        ));
        AppReply {
            status: 200,
            headers,
            body,
        }
    }
}
