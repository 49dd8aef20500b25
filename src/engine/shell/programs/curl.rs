//! `curl`: plain HTTP/1.1 to loopback hosts and to the containers on the networks the
//! container shares with them. Names resolve as the C library resolves them
//! (`netdb`: /etc/hosts, then the engine's embedded DNS); the lab is offline, so any
//! other host fails the way an unresolvable name does (exit 6) without touching the
//! network, and `https://` fails as a TLS handshake would (exit 35): the lab has no TLS.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::{Ctx, Streams, netdb};
use crate::engine::shell::exec::io_message;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Reads wake up this often to notice Ctrl-C.
const READ_SLICE: Duration = Duration::from_millis(100);
const MAX_REDIRECTS: usize = 50;
const MAX_HEADER_BYTES: usize = 256 * 1024;
const USER_AGENT: &str = "curl/8.5.0";
/// The status of a command stopped by Ctrl-C.
const INTERRUPTED: i32 = 130;

#[derive(Default)]
struct Opts {
    silent: bool,
    show_error: bool,
    include: bool,
    head: bool,
    method: Option<String>,
    headers: Vec<String>,
    data: Option<Vec<u8>>,
    output: Option<String>,
    location: bool,
    fail: bool,
    verbose: bool,
    write_out: Option<String>,
    url: Option<String>,
    /// `--connect-timeout` or `-m`, in milliseconds: the shorter one ends a connect.
    connect_timeout_ms: Option<u64>,
}

/// A failure with curl's exit code and message (printed unless `-s` without `-S`).
struct Failure(i32, String);

fn fail<T>(code: i32, msg: impl Into<String>) -> Result<T, Failure> {
    Err(Failure(code, msg.into()))
}

struct Url {
    /// `https://`: resolved like any URL, then refused at the handshake.
    tls: bool,
    host: String,
    port: u16,
    /// Path and query, starting with '/'.
    target: String,
}

impl Url {
    fn host_header(&self) -> String {
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if self.port == 80 {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }
    fn display(&self) -> String {
        format!("http://{}{}", self.host_header(), self.target)
    }
}

fn parse_url(raw: &str) -> Result<Url, Failure> {
    let raw = raw.split('#').next().unwrap_or("");
    let rest = match raw.split_once("://") {
        Some((scheme, rest)) => match scheme.to_ascii_lowercase().as_str() {
            "http" => rest,
            "https" => {
                let mut url = parse_url(&format!("http://{rest}"))?;
                url.tls = true;
                return Ok(url);
            }
            other => return fail(1, format!("Protocol \"{other}\" not supported")),
        },
        None => raw,
    };
    let (authority, target) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'?' => (&rest[..i], format!("/{}", &rest[i..])),
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let authority = authority.rsplit('@').next().unwrap_or("");
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let Some((h, after)) = v6.split_once(']') else {
            return fail(3, "URL rejected: Bad IPv6 address");
        };
        (h.to_string(), after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    if host.is_empty() {
        return fail(3, "URL rejected: No host part in the URL");
    }
    let port = match port {
        None | Some("") => 80,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => {
                return fail(
                    3,
                    "URL rejected: Port number was not a decimal number between 0 and 65535",
                );
            }
        },
    };
    Ok(Url {
        tls: false,
        host,
        port,
        target: target.replace(' ', "%20"),
    })
}

/// The addresses of `host` as curl's resolver finds them: loopback names and
/// literals, then /etc/hosts and the embedded DNS. Anything else cannot be resolved
/// in the lab.
fn resolve_host(ctx: &mut Ctx<'_>, host: &str) -> Result<Vec<IpAddr>, Failure> {
    let lower = host.to_ascii_lowercase();
    if lower == "localhost" || lower.ends_with(".localhost") {
        return Ok(vec![
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ]);
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(vec![ip]);
    }
    let (found, _) = netdb::resolve_all(ctx, host);
    if found.is_empty() {
        return fail(6, format!("Could not resolve host: {host}"));
    }
    Ok(found.into_iter().map(IpAddr::V4).collect())
}

fn parse_args(ctx: &Ctx<'_>, args: &[String], stdin: &[u8]) -> Result<Opts, Failure> {
    let mut o = Opts::default();
    let mut data_parts: Vec<Vec<u8>> = Vec::new();
    let mut i = 0;
    let usage = |msg: String| {
        Failure(
            2,
            format!("{msg}\ncurl: try 'curl --help' or 'curl --manual' for more information"),
        )
    };
    while i < args.len() {
        let a = &args[i];
        i += 1;
        // (option name, attached value) for `-XPOST`, `--request=...` is not curl syntax.
        let (name, attached): (String, Option<String>) = if let Some(long) = a.strip_prefix("--") {
            (format!("--{long}"), None)
        } else if a.starts_with('-') && a.len() > 1 {
            let chars: Vec<char> = a[1..].chars().collect();
            // Boolean short flags can be combined; one taking a value ends the group.
            let mut j = 0;
            let mut name = String::new();
            let mut attached = None;
            while j < chars.len() {
                let c = chars[j];
                if "XHdow".contains(c) {
                    let rest: String = chars[j + 1..].iter().collect();
                    name = format!("-{c}");
                    attached = (!rest.is_empty()).then_some(rest);
                    break;
                }
                match c {
                    's' => o.silent = true,
                    'S' => o.show_error = true,
                    'i' => o.include = true,
                    'I' => o.head = true,
                    'L' => o.location = true,
                    'f' => o.fail = true,
                    'v' => o.verbose = true,
                    _ => return Err(usage(format!("curl: option -{c}: is unknown"))),
                }
                j += 1;
            }
            if name.is_empty() {
                continue;
            }
            (name, attached)
        } else {
            if o.url.is_none() {
                o.url = Some(a.clone());
            }
            continue;
        };
        let takes_value = matches!(
            name.as_str(),
            "-X" | "--request"
                | "-H"
                | "--header"
                | "-d"
                | "--data"
                | "--data-binary"
                | "--data-raw"
                | "--data-ascii"
                | "-o"
                | "--output"
                | "-w"
                | "--write-out"
                | "--url"
                | "--connect-timeout"
                | "-m"
                | "--max-time"
        );
        let value = if takes_value {
            match attached {
                Some(v) => v,
                None => match args.get(i) {
                    Some(v) => {
                        i += 1;
                        v.clone()
                    }
                    None => {
                        return Err(usage(format!("curl: option {name}: requires parameter")));
                    }
                },
            }
        } else {
            String::new()
        };
        match name.as_str() {
            "--silent" => o.silent = true,
            "--show-error" => o.show_error = true,
            "--include" => o.include = true,
            "--head" => o.head = true,
            "--location" => o.location = true,
            "--fail" => o.fail = true,
            "--verbose" => o.verbose = true,
            "-X" | "--request" => o.method = Some(value),
            "-H" | "--header" => o.headers.push(value),
            "-o" | "--output" => o.output = Some(value),
            "-w" | "--write-out" => o.write_out = Some(value),
            "--url" => o.url = Some(value),
            "--connect-timeout" | "-m" | "--max-time" => {
                let Ok(secs) = value.parse::<f64>() else {
                    return Err(usage(format!(
                        "curl: option {name}: expected a proper numerical parameter"
                    )));
                };
                let ms = (secs.max(0.0) * 1000.0) as u64;
                if ms > 0 {
                    o.connect_timeout_ms = Some(o.connect_timeout_ms.map_or(ms, |t| t.min(ms)));
                }
            }
            "-d" | "--data" | "--data-ascii" | "--data-binary" | "--data-raw" => {
                let binary = name == "--data-binary";
                let bytes = match value.strip_prefix('@') {
                    Some(file) if name != "--data-raw" => {
                        let mut bytes = if file == "-" {
                            stdin.to_vec()
                        } else {
                            match ctx.fs.read(&ctx.abs(file)) {
                                Ok(d) => d,
                                Err(e) => {
                                    // curl warns and sends nothing for an unreadable file.
                                    if !o.silent {
                                        return fail(
                                            26,
                                            format!(
                                                "Failed to open/read local data from file/application: {}",
                                                io_message(&e)
                                            ),
                                        );
                                    }
                                    Vec::new()
                                }
                            }
                        };
                        if !binary {
                            bytes.retain(|&b| b != b'\r' && b != b'\n');
                        }
                        bytes
                    }
                    _ => value.into_bytes(),
                };
                data_parts.push(bytes);
            }
            _ => return Err(usage(format!("curl: option {name}: is unknown"))),
        }
    }
    if !data_parts.is_empty() {
        o.data = Some(data_parts.join(&b'&'));
    }
    Ok(o)
}

/// A response as read off the wire.
pub(super) struct Response {
    pub(super) status: u16,
    /// The status line and header lines exactly as received, blank line included.
    pub(super) raw_head: Vec<u8>,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
}

impl Response {
    /// The status line without its line ending: `HTTP/1.1 404 Not Found`.
    pub(super) fn status_line(&self) -> String {
        let head = String::from_utf8_lossy(&self.raw_head);
        head.lines().next().unwrap_or("").trim_end().to_string()
    }

    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A connection that reads with a short timeout so Ctrl-C is noticed, and gives up
/// after `READ_TIMEOUT` of silence.
struct Conn<'a> {
    stream: TcpStream,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    interrupt: &'a std::sync::atomic::AtomicBool,
    received: usize,
}

impl Conn<'_> {
    /// Reads more bytes into the buffer; false at end of stream.
    fn fill(&mut self) -> Result<bool, Failure> {
        if self.eof {
            return Ok(false);
        }
        let start = Instant::now();
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if self.interrupt.load(Ordering::Relaxed) {
                // Ctrl-C: curl dies of SIGINT, silently.
                return fail(INTERRUPTED, "");
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    self.received += n;
                    return Ok(true);
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if start.elapsed() >= READ_TIMEOUT {
                        return fail(
                            28,
                            format!(
                                "Operation timed out after {} milliseconds with {} bytes received",
                                start.elapsed().as_millis(),
                                self.received
                            ),
                        );
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if self.received == 0 => {
                    return fail(56, format!("Recv failure: {}", io_message(&e)));
                }
                Err(_) => {
                    self.eof = true;
                    return Ok(false);
                }
            }
        }
    }

    fn available(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// One line ending in LF (returned with its line ending); None at end of stream.
    fn line(&mut self) -> Result<Option<Vec<u8>>, Failure> {
        loop {
            if let Some(i) = self.available().iter().position(|&b| b == b'\n') {
                let line = self.buf[self.pos..self.pos + i + 1].to_vec();
                self.pos += i + 1;
                return Ok(Some(line));
            }
            if self.available().len() > MAX_HEADER_BYTES {
                return fail(8, "Weird server reply");
            }
            if !self.fill()? {
                if self.available().is_empty() {
                    return Ok(None);
                }
                let line = self.buf[self.pos..].to_vec();
                self.pos = self.buf.len();
                return Ok(Some(line));
            }
        }
    }

    fn exact(&mut self, n: usize) -> Result<Vec<u8>, Failure> {
        while self.available().len() < n {
            if !self.fill()? {
                let got = self.available().len();
                return fail(
                    18,
                    format!(
                        "transfer closed with {} bytes remaining to read",
                        n.saturating_sub(got)
                    ),
                );
            }
        }
        let out = self.buf[self.pos..self.pos + n].to_vec();
        self.pos += n;
        Ok(out)
    }

    fn read_rest(&mut self) -> Result<Vec<u8>, Failure> {
        while self.fill()? {}
        let out = self.buf[self.pos..].to_vec();
        self.pos = self.buf.len();
        Ok(out)
    }
}

/// Sends `request` on `stream` and reads the one response, for the other HTTP clients
/// (`wget`): Err is a message in curl's words, which they word their own way.
pub(super) fn exchange(
    stream: TcpStream,
    request: &[u8],
    interrupt: &std::sync::atomic::AtomicBool,
    head_only: bool,
) -> Result<Response, String> {
    let mut stream = stream;
    let _ = stream.set_read_timeout(Some(READ_SLICE));
    let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
    if let Err(e) = stream.write_all(request) {
        return Err(io_message(&e));
    }
    let mut conn = Conn {
        stream,
        buf: Vec::new(),
        pos: 0,
        eof: false,
        interrupt,
        received: 0,
    };
    read_response(&mut conn, head_only).map_err(|Failure(_, msg)| msg)
}

fn trim_eol(line: &[u8]) -> String {
    let s = String::from_utf8_lossy(line);
    s.trim_end_matches(['\r', '\n']).to_string()
}

fn read_response(conn: &mut Conn<'_>, head_only: bool) -> Result<Response, Failure> {
    loop {
        let Some(first) = conn.line()? else {
            return fail(52, "Empty reply from server");
        };
        let status_line = trim_eol(&first);
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or("");
        let status = parts.next().and_then(|s| s.parse::<u16>().ok());
        let Some(status) = status.filter(|_| version.starts_with("HTTP/")) else {
            return fail(1, "Received HTTP/0.9 when not allowed");
        };
        let mut raw_head = first;
        let mut headers = Vec::new();
        while let Some(line) = conn.line()? {
            raw_head.extend_from_slice(&line);
            let text = trim_eol(&line);
            if text.is_empty() {
                break;
            }
            if let Some((k, v)) = text.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        if (100..200).contains(&status) && status != 101 {
            continue;
        }
        let mut resp = Response {
            status,
            raw_head,
            headers,
            body: Vec::new(),
        };
        if head_only || status == 204 || status == 304 {
            return Ok(resp);
        }
        let chunked = resp
            .header("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        if chunked {
            loop {
                let Some(size_line) = conn.line()? else {
                    return fail(18, "transfer closed with outstanding read data remaining");
                };
                let size_text = trim_eol(&size_line);
                let size_text = size_text.split(';').next().unwrap_or("").trim();
                let Ok(size) = usize::from_str_radix(size_text, 16) else {
                    return fail(
                        56,
                        "Illegal or missing hexadecimal sequence in chunked-encoding",
                    );
                };
                if size == 0 {
                    // Trailers, up to the blank line.
                    while let Some(l) = conn.line()? {
                        if trim_eol(&l).is_empty() {
                            break;
                        }
                    }
                    break;
                }
                let data = conn.exact(size)?;
                resp.body.extend_from_slice(&data);
                conn.line()?;
            }
        } else if let Some(len) = resp.header("content-length") {
            let Ok(len) = len.parse::<usize>() else {
                return fail(8, "Invalid Content-Length: value");
            };
            resp.body = conn.exact(len)?;
        } else {
            resp.body = conn.read_rest()?;
        }
        return Ok(resp);
    }
}

fn connect(
    ctx: &mut Ctx<'_>,
    url: &Url,
    timeout_ms: Option<u64>,
    verbose: Option<&mut dyn Write>,
) -> Result<TcpStream, Failure> {
    let addrs = resolve_host(ctx, &url.host)?;
    let start = Instant::now();
    // What the kernel would have made curl wait for the failures it was spared.
    let mut waited_ms = 0u64;
    let mut timed_out = false;
    let mut verbose = verbose;
    let host = &url.host;
    let port = url.port;
    for ip in addrs {
        let addr = SocketAddr::new(ip, port);
        if let Some(err) = verbose.as_mut() {
            let _ = writeln!(err, "*   Trying {addr}...");
        }
        let target = match ip {
            IpAddr::V4(v4) => netdb::connect(ctx, v4, port),
            IpAddr::V6(v6) if v6.is_loopback() => {
                netdb::Connect::To(ctx.host.forward(port).unwrap_or(addr))
            }
            IpAddr::V6(_) => netdb::Connect::NetworkUnreachable,
        };
        let failure = match target {
            netdb::Connect::To(to) => match TcpStream::connect_timeout(&to, CONNECT_TIMEOUT) {
                Ok(s) => {
                    if let Some(err) = verbose.as_mut() {
                        let _ = writeln!(err, "* Connected to {host} ({ip}) port {port}");
                    }
                    return Ok(s);
                }
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                    timed_out = true;
                    continue;
                }
                Err(e) => io_message(&e),
            },
            other => {
                let cost = netdb::connect_failure_ms(other);
                if let Some(limit) = timeout_ms.filter(|t| waited_ms + cost > *t) {
                    // curl's own timer ends the attempt before the kernel does.
                    return fail(
                        28,
                        format!(
                            "Failed to connect to {host} port {port} after {} ms: Timeout was reached",
                            limit + 1
                        ),
                    );
                }
                waited_ms += cost;
                netdb::connect_error(other).to_string()
            }
        };
        if let Some(err) = verbose.as_mut() {
            let _ = writeln!(err, "* connect to {ip} port {port} failed: {failure}");
        }
    }
    let ms = start.elapsed().as_millis() as u64 + waited_ms;
    if timed_out {
        fail(
            28,
            format!("Failed to connect to {host} port {port} after {ms} ms: Timeout was reached"),
        )
    } else {
        fail(
            7,
            format!(
                "Failed to connect to {host} port {port} after {ms} ms: Couldn't connect to server"
            ),
        )
    }
}

/// Builds the request as curl sends it: its own headers first, `-H` replacing one of
/// the same name (or removing it with an empty `Name:`), then the body headers.
fn request_bytes(o: &Opts, url: &Url, method: &str, body: Option<&[u8]>) -> Vec<u8> {
    let mut headers: Vec<(String, Option<String>)> = vec![
        ("Host".into(), Some(url.host_header())),
        ("User-Agent".into(), Some(USER_AGENT.into())),
        ("Accept".into(), Some("*/*".into())),
    ];
    let mut custom: Vec<(String, Option<String>)> = Vec::new();
    for h in &o.headers {
        let Some((k, v)) = h.split_once(':') else {
            continue;
        };
        let k = k.trim().to_string();
        let v = v.trim();
        let value = (!v.is_empty()).then(|| v.to_string());
        if let Some(slot) = headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(&k)) {
            slot.1 = value;
        } else {
            custom.push((k, value));
        }
    }
    if let Some(b) = body {
        let has = |n: &str| custom.iter().any(|(k, _)| k.eq_ignore_ascii_case(n));
        if !has("content-length") {
            headers.push(("Content-Length".into(), Some(b.len().to_string())));
        }
        if !has("content-type") {
            headers.push((
                "Content-Type".into(),
                Some("application/x-www-form-urlencoded".into()),
            ));
        }
    }
    let mut head = format!("{method} {} HTTP/1.1\r\n", url.target);
    for (k, v) in headers
        .iter()
        .take(3)
        .chain(custom.iter())
        .chain(headers.iter().skip(3))
    {
        if let Some(v) = v {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    if let Some(b) = body {
        out.extend_from_slice(b);
    }
    out
}

fn resolve_location(base: &Url, location: &str) -> String {
    if location.contains("://") {
        location.to_string()
    } else if location.starts_with("//") {
        format!("http:{location}")
    } else if location.starts_with('/') {
        format!("http://{}{location}", base.host_header())
    } else {
        let path = base.target.split('?').next().unwrap_or("/");
        let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        format!("http://{}{dir}{location}", base.host_header())
    }
}

fn write_out(fmt: &str, resp: Option<&Response>, url: &Url, out: &mut dyn Write) {
    let mut s = String::new();
    let mut rest = fmt;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("%{")
            && let Some(end) = r.find('}')
        {
            let var = &r[..end];
            let value = match var {
                "http_code" | "response_code" => {
                    format!("{:03}", resp.map_or(0, |r| r.status))
                }
                "size_download" => resp.map_or(0, |r| r.body.len()).to_string(),
                "size_header" => resp.map_or(0, |r| r.raw_head.len()).to_string(),
                "content_type" => resp
                    .and_then(|r| r.header("content-type"))
                    .unwrap_or("")
                    .to_string(),
                "url_effective" | "url" => url.display(),
                "exitcode" => "0".to_string(),
                _ => String::new(),
            };
            s.push_str(&value);
            rest = &r[end + 1..];
            continue;
        }
        if let Some(r) = rest.strip_prefix('\\') {
            match r.chars().next() {
                Some('n') => s.push('\n'),
                Some('r') => s.push('\r'),
                Some('t') => s.push('\t'),
                Some('\\') => s.push('\\'),
                Some(c) => {
                    s.push('\\');
                    s.push(c);
                }
                None => s.push('\\'),
            }
            rest = &r[r.chars().next().map_or(0, char::len_utf8)..];
            continue;
        }
        if let Some(r) = rest.strip_prefix("%%") {
            s.push('%');
            rest = r;
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        s.push(c);
        rest = &rest[c.len_utf8()..];
    }
    let _ = out.write_all(s.as_bytes());
}

fn verbose_lines(err: &mut dyn Write, prefix: &str, raw: &[u8]) {
    // curl shows each header line as sent or received, CRLF included.
    for line in raw.split_inclusive(|&b| b == b'\n') {
        let _ = err.write_all(prefix.as_bytes());
        let _ = err.write_all(b" ");
        let _ = err.write_all(line);
        if line == b"\r\n" || line == b"\n" {
            break;
        }
    }
}

pub fn curl(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let stdin = io.stdin;
    let opts = match parse_args(ctx, &argv[1..], stdin) {
        Ok(o) => o,
        Err(Failure(code, msg)) => {
            let _ = writeln!(io.stderr, "{msg}");
            return code;
        }
    };
    let quiet = opts.silent && !opts.show_error;
    let Some(raw_url) = opts.url.clone() else {
        let _ = writeln!(
            io.stderr,
            "curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information"
        );
        return 2;
    };
    let mut out: Vec<u8> = Vec::new();
    let result = transfer(ctx, &opts, &raw_url, &mut out, io.stderr);
    let (code, last) = match result {
        Ok((resp, url)) => (0, Some((resp, url))),
        Err(Failure(INTERRUPTED, _)) => return INTERRUPTED,
        Err(Failure(code, msg)) => {
            if !quiet {
                let _ = writeln!(io.stderr, "curl: ({code}) {msg}");
            }
            (code, None)
        }
    };
    let http_failed = last
        .as_ref()
        .is_some_and(|(resp, _)| opts.fail && resp.status >= 400);
    match &opts.output {
        // The null device swallows the body, wherever the shell's filesystem lacks one.
        Some(file) if ctx.abs(file) == "/dev/null" => {}
        // curl creates the file with the first byte it writes.
        Some(file) if (code == 0 && !http_failed) || !out.is_empty() => {
            if let Err(e) = ctx.fs.write(&ctx.abs(file), &out, false) {
                if !quiet {
                    let _ = writeln!(
                        io.stderr,
                        "curl: (23) Failure writing output to destination: {}",
                        io_message(&e)
                    );
                }
                return 23;
            }
        }
        Some(_) => {}
        None => {
            let _ = io.stdout.write_all(&out);
        }
    }
    if let (Some(fmt), Some((resp, url))) = (&opts.write_out, &last) {
        write_out(fmt, Some(resp), url, io.stdout);
    }
    if let (true, Some((resp, _))) = (http_failed, &last) {
        if !quiet {
            let _ = writeln!(
                io.stderr,
                "curl: (22) The requested URL returned error: {}",
                resp.status
            );
        }
        return 22;
    }
    code
}

/// `https://` ends at the handshake, after resolution, as in curl: an unknown host
/// still fails with 6.
fn refuse_tls(ctx: &mut Ctx<'_>, url: &Url) -> Result<(), Failure> {
    if !url.tls {
        return Ok(());
    }
    resolve_host(ctx, &url.host)?;
    fail(
        35,
        format!(
            "TLS connect error: the lab has no TLS; use http://{}",
            &url.display()["http://".len()..]
        ),
    )
}

/// Runs the request and its redirects; `out` gets what curl would write to the output.
fn transfer(
    ctx: &mut Ctx<'_>,
    o: &Opts,
    raw_url: &str,
    out: &mut Vec<u8>,
    err: &mut dyn Write,
) -> Result<(Response, Url), Failure> {
    let mut url = parse_url(raw_url)?;
    refuse_tls(ctx, &url)?;
    let mut method = match (&o.method, o.head, &o.data) {
        (Some(m), _, _) => m.clone(),
        (None, true, _) => "HEAD".to_string(),
        (None, false, Some(_)) => "POST".to_string(),
        (None, false, None) => "GET".to_string(),
    };
    let mut body = o.data.clone();
    let mut redirects = 0;
    loop {
        let mut stream = connect(
            ctx,
            &url,
            o.connect_timeout_ms,
            o.verbose.then_some(&mut *err),
        )?;
        let _ = stream.set_read_timeout(Some(READ_SLICE));
        let _ = stream.set_write_timeout(Some(READ_TIMEOUT));
        let request = request_bytes(o, &url, &method, body.as_deref());
        if o.verbose {
            let head_len = request.len() - body.as_ref().map_or(0, Vec::len);
            verbose_lines(err, ">", &request[..head_len]);
        }
        if let Err(e) = stream.write_all(&request) {
            return fail(55, format!("Send failure: {}", io_message(&e)));
        }
        let mut conn = Conn {
            stream,
            buf: Vec::new(),
            pos: 0,
            eof: false,
            interrupt: &ctx.interrupt,
            received: 0,
        };
        let resp = read_response(&mut conn, method == "HEAD" || o.head)?;
        if o.verbose {
            verbose_lines(err, "<", &resp.raw_head);
        }
        let location = resp.header("location").map(str::to_string);
        let redirect = o.location && matches!(resp.status, 301 | 302 | 303 | 307 | 308);
        if o.include || o.head {
            out.extend_from_slice(&resp.raw_head);
        }
        match location {
            Some(loc) if redirect => {
                redirects += 1;
                if redirects > MAX_REDIRECTS {
                    return fail(47, format!("Maximum ({MAX_REDIRECTS}) redirects followed"));
                }
                let next = resolve_location(&url, &loc);
                url = parse_url(&next)?;
                refuse_tls(ctx, &url)?;
                if matches!(resp.status, 301..=303) && method == "POST" && o.method.is_none() {
                    method = "GET".to_string();
                    body = None;
                }
            }
            _ => {
                if !(o.fail && resp.status >= 400) {
                    out.extend_from_slice(&resp.body);
                } else {
                    out.truncate(0);
                }
                return Ok((resp, url));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::shell::testutil::{lab, run, run_stdin};
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::mpsc;
    use std::thread;

    /// A server on a free loopback port that answers `responses` in order, one per
    /// connection, reports each raw request it received, then exits.
    fn serve(responses: Vec<Vec<u8>>) -> (u16, mpsc::Receiver<Vec<u8>>, thread::JoinHandle<()>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = mpsc::channel();
        let handle = thread::spawn(move || {
            // Bounded: gives up if a request does not come within 10 s.
            listener.set_nonblocking(true).unwrap();
            for resp in responses {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                let stream = loop {
                    match listener.accept() {
                        Ok((s, _)) => break s,
                        Err(_) if std::time::Instant::now() < deadline => {
                            thread::sleep(std::time::Duration::from_millis(5));
                        }
                        Err(_) => return,
                    }
                };
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(std::time::Duration::from_secs(5)))
                    .unwrap();
                let mut reader = BufReader::new(stream);
                let mut req = Vec::new();
                let mut len = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                    req.extend_from_slice(line.as_bytes());
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0; len];
                reader.read_exact(&mut body).unwrap();
                req.extend_from_slice(&body);
                tx.send(req).unwrap();
                let mut stream = reader.into_inner();
                stream.write_all(&resp).unwrap();
            }
        });
        (port, rx, handle)
    }

    fn ok(body: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    #[test]
    fn get_prints_the_body_exactly() {
        let (port, rx, h) = serve(vec![ok("{\"repositories\":[]}")]);
        let (_d, mut sh) = lab();
        let r = run(&mut sh, &format!("curl localhost:{port}/v2/_catalog"));
        h.join().unwrap();
        assert_eq!(r.out, "{\"repositories\":[]}");
        assert_eq!((r.err.as_str(), r.status), ("", 0));
        let req = String::from_utf8(rx.recv().unwrap()).unwrap();
        assert_eq!(
            req,
            format!(
                "GET /v2/_catalog HTTP/1.1\r\nHost: localhost:{port}\r\n\
                 User-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n"
            )
        );
    }

    #[test]
    fn head_and_include_print_headers() {
        let (port, rx, h) = serve(vec![ok("hi"), ok("hi")]);
        let (_d, mut sh) = lab();
        let r = run(&mut sh, &format!("curl -sI http://127.0.0.1:{port}/"));
        assert_eq!(
            r.out,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n"
        );
        assert!(rx.recv().unwrap().starts_with(b"HEAD / HTTP/1.1\r\n"));
        let r = run(&mut sh, &format!("curl -i http://127.0.0.1:{port}/x"));
        h.join().unwrap();
        assert!(r.out.starts_with("HTTP/1.1 200 OK\r\n"), "{}", r.out);
        assert!(r.out.ends_with("\r\n\r\nhi"), "{}", r.out);
    }

    #[test]
    fn methods_data_and_headers_are_sent_as_curl_sends_them() {
        let (port, rx, h) = serve(vec![
            b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n".to_vec(),
            ok("created"),
            ok(""),
        ]);
        let (_d, mut sh) = lab();
        let r = run(
            &mut sh,
            &format!("curl -s -X DELETE -w '%{{http_code}}\\n' localhost:{port}/v2/a/manifests/x"),
        );
        assert_eq!(r.out, "202\n");
        let req = String::from_utf8(rx.recv().unwrap()).unwrap();
        assert!(
            req.starts_with("DELETE /v2/a/manifests/x HTTP/1.1\r\n"),
            "{req}"
        );

        run(&mut sh, "printf 'a=1\\nb=2\\n' > form");
        let r = run(
            &mut sh,
            &format!("curl -d @form -d c=3 -H 'X-Test: yes' localhost:{port}/post"),
        );
        assert_eq!(r.out, "created");
        let req = String::from_utf8(rx.recv().unwrap()).unwrap();
        assert_eq!(
            req,
            format!(
                "POST /post HTTP/1.1\r\nHost: localhost:{port}\r\nUser-Agent: curl/8.5.0\r\n\
                 Accept: */*\r\nX-Test: yes\r\nContent-Length: 10\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\n\r\na=1b=2&c=3"
            )
        );

        let r = run_stdin(
            &mut sh,
            &format!("curl --data-binary @- -H 'Content-Type: text/plain' localhost:{port}/"),
            b"x\ny\n",
        );
        assert_eq!(r.status, 0);
        let req = String::from_utf8(rx.recv().unwrap()).unwrap();
        assert!(req.contains("Content-Type: text/plain\r\n"), "{req}");
        assert!(!req.contains("urlencoded"), "{req}");
        assert!(req.ends_with("\r\n\r\nx\ny\n"), "{req}");
        h.join().unwrap();
    }

    #[test]
    fn chunked_bodies_are_decoded_and_output_files_written() {
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                        5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n"
            .to_vec();
        let (port, _rx, h) = serve(vec![chunked.clone(), chunked]);
        let (_d, mut sh) = lab();
        let r = run(&mut sh, &format!("curl -s localhost:{port}/"));
        assert_eq!(r.out, "hello, world");
        let r = run(
            &mut sh,
            &format!("mkdir d; curl -s -o d/page.txt localhost:{port}/ && cat d/page.txt"),
        );
        h.join().unwrap();
        assert_eq!(r.out, "hello, world");
    }

    #[test]
    fn verbose_shows_the_exchange() {
        let (port, _rx, h) = serve(vec![ok("x")]);
        let (_d, mut sh) = lab();
        let r = run(&mut sh, &format!("curl -sv localhost:{port}/v2/"));
        h.join().unwrap();
        assert_eq!(r.out, "x");
        assert_eq!(
            r.err,
            format!(
                "*   Trying 127.0.0.1:{port}...\n* Connected to localhost (127.0.0.1) port {port}\n\
                 > GET /v2/ HTTP/1.1\r\n> Host: localhost:{port}\r\n> User-Agent: curl/8.5.0\r\n\
                 > Accept: */*\r\n> \r\n< HTTP/1.1 200 OK\r\n< Content-Type: application/json\r\n\
                 < Content-Length: 1\r\n< \r\n"
            )
        );
    }

    #[test]
    fn redirects_are_followed_with_l() {
        let (port, rx, h) = serve(vec![
            b"HTTP/1.1 301 Moved Permanently\r\nLocation: /new\r\nContent-Length: 3\r\n\r\nold"
                .to_vec(),
            ok("new"),
        ]);
        let (_d, mut sh) = lab();
        let r = run(&mut sh, &format!("curl -sL localhost:{port}/old"));
        h.join().unwrap();
        assert_eq!(r.out, "new");
        rx.recv().unwrap();
        assert!(rx.recv().unwrap().starts_with(b"GET /new HTTP/1.1\r\n"));
    }

    #[test]
    fn fail_on_http_errors() {
        let not_found = b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found".to_vec();
        let (port, _rx, h) = serve(vec![not_found.clone(), not_found.clone(), not_found]);
        let (_d, mut sh) = lab();
        let r = run(&mut sh, &format!("curl -f localhost:{port}/nope"));
        assert_eq!(r.out, "");
        assert_eq!(r.err, "curl: (22) The requested URL returned error: 404\n");
        assert_eq!(r.status, 22);
        let r = run(
            &mut sh,
            &format!("curl localhost:{port}/nope; echo \" $?\""),
        );
        assert_eq!(r.out, "not found 0\n");
        // No output file is created, but -w still reports the status.
        let r = run(
            &mut sh,
            &format!("curl -sf -o out -w '%{{http_code}}' localhost:{port}/nope; echo \" $?\"; ls"),
        );
        h.join().unwrap();
        assert_eq!(r.out, "404 22\n");
    }

    #[test]
    fn refused_and_outside_hosts() {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let (_d, mut sh) = lab();
        let r = run(&mut sh, &format!("curl http://127.0.0.1:{port}/"));
        assert_eq!(r.status, 7);
        assert!(
            r.err.starts_with(&format!(
                "curl: (7) Failed to connect to 127.0.0.1 port {port} after "
            )),
            "{}",
            r.err
        );
        assert!(
            r.err.ends_with(" ms: Couldn't connect to server\n"),
            "{}",
            r.err
        );
        let r = run(&mut sh, "curl -s http://127.0.0.1:1/; echo $?");
        assert_eq!((r.out.as_str(), r.err.as_str()), ("7\n", ""));

        // No traffic: an outside host is rejected before any connection is attempted.
        let r = run(&mut sh, "curl http://example.com/");
        assert_eq!(r.err, "curl: (6) Could not resolve host: example.com\n");
        assert_eq!(r.status, 6);
        let r = run(&mut sh, "curl -sS 10.0.0.1:5000/v2/");
        assert_eq!(
            r.err,
            "curl: (7) Failed to connect to 10.0.0.1 port 5000 after 0 ms: Couldn't connect to server\n"
        );
        let r = run(&mut sh, "curl https://localhost:5000/");
        assert_eq!(r.status, 35);
        let r = run(&mut sh, "curl");
        assert_eq!(r.status, 2);
        assert!(r.err.starts_with("curl: no URL specified!\n"));
    }

    mod on_a_network {
        use super::*;
        use crate::engine::shell::programs::netdb::fake::{self, Net};

        #[test]
        fn names_resolve_through_the_embedded_dns_and_keep_their_host_header() {
            let (port, rx, h) = serve(vec![ok("web"), ok("api")]);
            let to = format!("127.0.0.1:{port}").parse().unwrap();
            let mut net = Net::new(Some(to));
            let (_d, mut sh) = lab();
            let r = fake::run(&mut sh, &mut net, "curl -v web:80");
            assert_eq!((r.out.as_str(), r.status), ("web", 0), "{}", r.err);
            assert!(
                r.err.starts_with(
                    "*   Trying 172.18.0.4:80...\n* Connected to web (172.18.0.4) port 80\n> GET / HTTP/1.1\r\n> Host: web\r\n"
                ),
                "{}",
                r.err
            );
            rx.recv().unwrap();
            let r = fake::run(&mut sh, &mut net, "curl -s http://api:5000/x");
            h.join().unwrap();
            assert_eq!(r.out, "api");
            let req = String::from_utf8(rx.recv().unwrap()).unwrap();
            assert!(
                req.starts_with("GET /x HTTP/1.1\r\nHost: api:5000\r\n"),
                "{req}"
            );
        }

        #[test]
        fn unknown_names_refused_ports_and_unreachable_addresses_fail_as_curl_does() {
            let mut net = Net::new(None);
            let (_d, mut sh) = lab();
            let r = fake::run(&mut sh, &mut net, "curl web");
            assert_eq!(
                (r.err.as_str(), r.status),
                (
                    "curl: (7) Failed to connect to web port 80 after 0 ms: Couldn't connect to server\n",
                    7
                )
            );
            let r = fake::run(&mut sh, &mut net, "curl http://nope/");
            assert_eq!(
                (r.err.as_str(), r.status),
                ("curl: (6) Could not resolve host: nope\n", 6)
            );
            let r = fake::run(&mut sh, &mut net, "curl -v db:8080");
            assert_eq!(
                r.err,
                "*   Trying 172.18.0.3:8080...\n* connect to 172.18.0.3 port 8080 failed: Connection refused\n\
                 curl: (7) Failed to connect to db port 8080 after 0 ms: Couldn't connect to server\n"
            );
            // Nobody has that address on the container's own network: ARP gives up.
            let r = fake::run(&mut sh, &mut net, "curl 172.18.0.9");
            assert_eq!(
                (r.err.as_str(), r.status),
                (
                    "curl: (7) Failed to connect to 172.18.0.9 port 80 after 3070 ms: Couldn't connect to server\n",
                    7
                )
            );
            // Beyond the gateway the SYNs vanish: curl's own timer ends it, if set.
            let r = fake::run(&mut sh, &mut net, "curl --connect-timeout 2 10.9.0.1");
            assert_eq!(
                (r.err.as_str(), r.status),
                (
                    "curl: (28) Failed to connect to 10.9.0.1 port 80 after 2001 ms: Timeout was reached\n",
                    28
                )
            );
            let r = fake::run(&mut sh, &mut net, "curl -s https://nope/; echo $?");
            assert_eq!(r.out, "6\n");
            let r = fake::run(&mut sh, &mut net, "curl -s https://web/; echo $?");
            assert_eq!(r.out, "35\n");
        }
    }
}
