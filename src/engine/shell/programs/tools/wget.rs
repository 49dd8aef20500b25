//! BusyBox's `wget` (Alpine): plain HTTP to the containers on the networks the
//! container shares with them, and to its own loopback ports. Names resolve through
//! `netdb` (/etc/hosts, then the embedded DNS); connections go where the engine routes
//! them, with the original Host header. Failures that take the kernel seconds (an
//! address nobody has, SYNs lost beyond the gateway) are reported without the wait.
//! The lab has no TLS and no outside network: `https://` ends at the handshake.

use super::{busybox_bad_option, busybox_banner, busybox_help, is_busybox};
use crate::engine::shell::programs::curl::exchange;
use crate::engine::shell::programs::{Ctx, Streams, netdb, not_simulated, write_err};
use crate::engine::shell::vfs;
use std::net::{Ipv4Addr, TcpStream};
use std::time::Duration;

const BUSYBOX_WGET: &str = include_str!("ref/busybox-wget.txt");
/// BusyBox's default network timeout (`-T`).
const DEFAULT_TIMEOUT_SECS: u64 = 900;
const MAX_REDIRECTS: usize = 20;

#[derive(Default)]
struct Opts {
    quiet: bool,
    spider: bool,
    output: Option<String>,
    prefix: Option<String>,
    user_agent: Option<String>,
    headers: Vec<String>,
    timeout_secs: Option<u64>,
    urls: Vec<String>,
}

struct Target {
    /// `web` or `web:8080`, as the URL gives it: the Host header and the messages.
    authority: String,
    host: String,
    port: u16,
    /// Path and query, starting with '/'.
    path: String,
}

fn parse_target(raw: &str) -> Result<Target, String> {
    let (rest, default_port) = match raw.split_once("://") {
        Some((scheme, rest)) => match scheme.to_ascii_lowercase().as_str() {
            "http" => (rest, 80),
            "https" => (rest, 443),
            _ => return Err(format!("not an http or ftp url: {raw}")),
        },
        None => (raw, 80),
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    let authority = authority.rsplit('@').next().unwrap_or("").to_string();
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => match p.parse::<u16>() {
            Ok(n) => (h.to_string(), n),
            Err(_) => return Err(format!("bad port spec '{authority}'")),
        },
        None => (authority.clone(), default_port),
    };
    Ok(Target {
        authority,
        host,
        port,
        path: path.split('#').next().unwrap_or("/").to_string(),
    })
}

fn parse_args(ctx: &Ctx<'_>, argv: &[String], io: &mut Streams<'_>) -> Result<Opts, i32> {
    let mut o = Opts::default();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        i += 1;
        let mut value = |inline: Option<&str>| -> Result<String, i32> {
            if let Some(v) = inline {
                return Ok(v.to_string());
            }
            match argv.get(i) {
                Some(v) => {
                    i += 1;
                    Ok(v.clone())
                }
                None => Err(busybox_bad_option(ctx, "wget", a, BUSYBOX_WGET, io.stderr)),
            }
        };
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            match name {
                "help" => return Err(busybox_help(ctx, BUSYBOX_WGET, io.stdout)),
                "quiet" => o.quiet = true,
                "spider" => o.spider = true,
                "output-document" => o.output = Some(value(inline)?),
                "directory-prefix" => o.prefix = Some(value(inline)?),
                "user-agent" => o.user_agent = Some(value(inline)?),
                "header" => o.headers.push(value(inline)?),
                "timeout" => o.timeout_secs = value(inline)?.parse().ok(),
                "proxy" | "output-file" | "post-data" | "post-file" => {
                    value(inline)?;
                }
                "no-check-certificate" | "continue" | "server-response" | "no-verbose" => {}
                _ => return Err(busybox_bad_option(ctx, "wget", a, BUSYBOX_WGET, io.stderr)),
            }
            continue;
        }
        if !a.starts_with('-') || a == "-" {
            o.urls.push(a.to_string());
            continue;
        }
        let flags: Vec<char> = a[1..].chars().collect();
        let mut j = 0;
        while j < flags.len() {
            let c = flags[j];
            j += 1;
            match c {
                'q' => o.quiet = true,
                'c' | 'S' => {}
                's' => o.spider = true,
                'O' | 'P' | 'U' | 'T' | 'o' | 'Y' => {
                    let glued: String = flags[j..].iter().collect();
                    let v = value((!glued.is_empty()).then_some(glued.as_str()))?;
                    j = flags.len();
                    match c {
                        'O' => o.output = Some(v),
                        'P' => o.prefix = Some(v),
                        'U' => o.user_agent = Some(v),
                        'T' => o.timeout_secs = v.parse().ok(),
                        _ => {}
                    }
                }
                _ => {
                    return Err(busybox_bad_option(
                        ctx,
                        "wget",
                        &format!("-{c}"),
                        BUSYBOX_WGET,
                        io.stderr,
                    ));
                }
            }
        }
    }
    Ok(o)
}

pub fn wget(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    if !is_busybox(ctx, &argv[0]) {
        return not_simulated(ctx, argv, io);
    }
    let opts = match parse_args(ctx, argv, &mut io) {
        Ok(o) => o,
        Err(status) => return status,
    };
    if opts.urls.is_empty() {
        let _ = write!(io.stderr, "{}\n{BUSYBOX_WGET}", busybox_banner(ctx));
        return 1;
    }
    for url in &opts.urls {
        if let Err(msg) = fetch(ctx, &opts, url, &mut io) {
            write_err(io.stderr, format_args!("wget: {msg}"));
            return 1;
        }
    }
    0
}

/// BusyBox's progress line for a transfer that is complete.
fn progress_line(name: &str, size: usize) -> String {
    let mut n = size as u64;
    let mut unit = 0;
    while n >= 100_000 {
        n >>= 10;
        unit += 1;
    }
    let size = match " kMGTPEZY".chars().nth(unit).filter(|c| *c != ' ') {
        Some(u) => format!("{n:>5}{u}"),
        None => format!("{n:>6}"),
    };
    let name: String = name.chars().take(20).collect();
    format!("{name:<20} 100% |{}|{size}  0:00:00 ETA", "*".repeat(32))
}

/// Connects to `addr:port` as the kernel would let wget, in BusyBox's words.
fn open_socket(
    ctx: &mut Ctx<'_>,
    opts: &Opts,
    addr: Ipv4Addr,
    port: u16,
) -> Result<TcpStream, String> {
    let timeout = opts.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS);
    let target = netdb::connect(ctx, addr, port);
    let error = match target {
        netdb::Connect::To(to) => match TcpStream::connect_timeout(&to, Duration::from_secs(5)) {
            Ok(s) => return Ok(s),
            Err(_) => "Connection refused",
        },
        other => {
            // BusyBox's alarm fires before the kernel gives up: it says only this.
            if timeout > 0 && timeout * 1000 < netdb::connect_failure_ms(other) {
                return Err("download timed out".into());
            }
            netdb::connect_error(other)
        }
    };
    Err(format!("can't connect to remote host ({addr}): {error}"))
}

fn fetch(ctx: &mut Ctx<'_>, opts: &Opts, url: &str, io: &mut Streams<'_>) -> Result<(), String> {
    let mut target = parse_target(url)?;
    let mut redirects = 0;
    let resp = loop {
        let Some(addr) = netdb::resolve(ctx, &target.host) else {
            return Err(format!("bad address '{}'", target.host));
        };
        if !opts.quiet {
            write_err(
                io.stderr,
                format_args!(
                    "Connecting to {} ({addr}:{})",
                    target.authority, target.port
                ),
            );
        }
        let stream = open_socket(ctx, opts, addr, target.port)?;
        if target.port == 443 || url.starts_with("https://") {
            return Err("error getting response: Connection reset by peer".into());
        }
        let request = request_bytes(opts, &target);
        let resp = exchange(stream, &request, &ctx.interrupt, false)
            .map_err(|_| "error getting response".to_string())?;
        let location = resp.header("location").map(str::to_string);
        match (resp.status, location) {
            (301 | 302 | 303 | 307 | 308, Some(loc)) => {
                redirects += 1;
                if redirects > MAX_REDIRECTS {
                    return Err("too many redirections".into());
                }
                target = if loc.contains("://") {
                    parse_target(&loc)?
                } else {
                    let path = if loc.starts_with('/') {
                        loc
                    } else {
                        let dir = &target.path[..target.path.rfind('/').map_or(0, |i| i + 1)];
                        format!("{dir}{loc}")
                    };
                    Target { path, ..target }
                };
            }
            (200..=299, _) => break resp,
            _ => return Err(format!("server returned error: {}", resp.status_line())),
        }
    };
    if opts.spider {
        if !opts.quiet {
            write_err(io.stderr, format_args!("remote file exists"));
        }
        return Ok(());
    }
    if opts.output.as_deref() == Some("-") {
        if !opts.quiet {
            write_err(io.stderr, format_args!("writing to stdout"));
        }
        let _ = io.stdout.write_all(&resp.body);
        if !opts.quiet {
            write_err(
                io.stderr,
                format_args!("{}\nwritten to stdout", progress_line("-", resp.body.len())),
            );
        }
        return Ok(());
    }
    let explicit = opts.output.is_some();
    let name = opts.output.clone().unwrap_or_else(|| {
        let last = target.path.rsplit('/').next().unwrap_or("");
        if last.is_empty() {
            "index.html".to_string()
        } else {
            last.to_string()
        }
    });
    let name = match &opts.prefix {
        Some(dir) if !explicit => format!("{}/{name}", dir.trim_end_matches('/')),
        _ => name,
    };
    let path = ctx.abs(&name);
    // Without -O, BusyBox never overwrites (it opens with O_EXCL).
    if !explicit && ctx.fs.metadata(&path).is_ok() {
        return Err(format!("can't open '{name}': File exists"));
    }
    if let Err(e) = ctx.fs.write(&path, &resp.body, false) {
        return Err(format!(
            "can't open '{name}': {}",
            crate::engine::shell::exec::io_message(&e)
        ));
    }
    if !opts.quiet {
        let shown = vfs::file_name(&name).to_string();
        write_err(
            io.stderr,
            format_args!(
                "saving to '{name}'\n{}\n'{name}' saved",
                progress_line(&shown, resp.body.len())
            ),
        );
    }
    Ok(())
}

/// The request as BusyBox sends it; `--header` replaces a header of the same name.
fn request_bytes(opts: &Opts, target: &Target) -> Vec<u8> {
    let mut headers: Vec<(String, String)> = vec![
        ("Host".into(), target.authority.clone()),
        (
            "User-Agent".into(),
            opts.user_agent.clone().unwrap_or_else(|| "Wget".into()),
        ),
    ];
    for h in &opts.headers {
        let Some((k, v)) = h.split_once(':') else {
            continue;
        };
        let (k, v) = (k.trim().to_string(), v.trim().to_string());
        match headers.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(&k)) {
            Some(slot) => slot.1 = v,
            None => headers.push((k, v)),
        }
    }
    let mut head = format!("GET {} HTTP/1.1\r\n", target.path);
    for (k, v) in &headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("Connection: close\r\n\r\n");
    head.into_bytes()
}
