//! Apache httpd 2.4 as the official `httpd` image carries it: the `httpd` program (its
//! options, the start-up lines it writes to its error log, which the image sends to
//! stderr) and the site it serves on a published port (static files of its
//! DocumentRoot with Apache's headers, error pages, directory listings and the
//! common-format access log the image sends to stdout).
//!
//! What Apache reads of its configuration, the lab reads too: `Listen`, `DocumentRoot`,
//! a global `ServerName`, `DirectoryIndex` and the `Options` of the DocumentRoot's
//! `<Directory>` block. Everything else of httpd.conf is taken as the image ships it.

use super::{Ctx, Streams, write_err};
use crate::engine::net::app::{App, AppReply, AppRequest, ContainerView};
use crate::engine::shell::FileType;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

/// Where the image installs Apache.
pub const SERVER_ROOT: &str = "/usr/local/apache2";
/// The configuration file httpd reads unless `-f` names another.
pub const CONF: &str = "/usr/local/apache2/conf/httpd.conf";
/// The version when the image does not say (its `HTTPD_VERSION`).
const DEFAULT_VERSION: &str = "2.4.63";
/// How long a server waits: until the container is stopped.
const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// What the lab reads of httpd.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conf {
    pub port: u16,
    /// `Listen 80` binds every address; `Listen 127.0.0.1:80` only the loopback.
    pub all_addresses: bool,
    pub docroot: String,
    /// A `ServerName` outside any `<VirtualHost>`.
    pub server_name: Option<String>,
    /// `Options Indexes` on the DocumentRoot: directories without an index are listed.
    pub indexes: bool,
    pub directory_index: Vec<String>,
    /// The modules `LoadModule` loads, by name (`mpm_event_module`).
    pub modules: Vec<String>,
    pub error_log: String,
    pub pid_file: String,
    pub user: String,
    pub group: String,
}

impl Default for Conf {
    fn default() -> Conf {
        Conf {
            port: 80,
            all_addresses: true,
            docroot: format!("{SERVER_ROOT}/htdocs"),
            server_name: None,
            indexes: true,
            directory_index: vec!["index.html".into()],
            modules: Vec::new(),
            error_log: format!("{SERVER_ROOT}/logs/error_log"),
            pid_file: format!("{SERVER_ROOT}/logs/httpd.pid"),
            user: "daemon".into(),
            group: "daemon".into(),
        }
    }
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

/// A path of the configuration, relative ones taken from the ServerRoot.
fn rooted(server_root: &str, path: &str) -> String {
    let path = unquote(path).trim_end_matches('/');
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{}/{path}", server_root.trim_end_matches('/'))
    }
}

/// Reads the directives the lab serves by; unknown ones are left to Apache's defaults.
pub fn parse_conf(text: &str, server_root: &str) -> Conf {
    let mut conf = Conf {
        error_log: rooted(server_root, "logs/error_log"),
        pid_file: rooted(server_root, "logs/httpd.pid"),
        ..Conf::default()
    };
    let mut listen_seen = false;
    // (section name, argument) of the open sections.
    let mut sections: Vec<(String, String)> = Vec::new();
    // Options per <Directory> path, in order.
    let mut options: Vec<(String, String)> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(close) = line.strip_prefix("</") {
            let name = close.trim_end_matches('>').trim().to_ascii_lowercase();
            if let Some(pos) = sections.iter().rposition(|(n, _)| *n == name) {
                sections.truncate(pos);
            }
            continue;
        }
        if let Some(open) = line.strip_prefix('<') {
            let open = open.trim_end_matches('>');
            let (name, arg) = open.split_once(char::is_whitespace).unwrap_or((open, ""));
            sections.push((name.to_ascii_lowercase(), unquote(arg).to_string()));
            continue;
        }
        let (name, value) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let value = value.trim();
        let in_vhost = sections.iter().any(|(n, _)| n == "virtualhost");
        match name.to_ascii_lowercase().as_str() {
            "listen" if !listen_seen => {
                let addr = value.split_whitespace().next().unwrap_or("80");
                let (host, port) = match addr.rsplit_once(':') {
                    Some((h, p)) => (h, p),
                    None => ("", addr),
                };
                if let Ok(port) = port.parse() {
                    listen_seen = true;
                    conf.port = port;
                    let host = host.trim_start_matches('[').trim_end_matches(']');
                    conf.all_addresses = matches!(host, "" | "0.0.0.0" | "::" | "*");
                }
            }
            "documentroot" if !in_vhost => conf.docroot = rooted(server_root, value),
            "servername" if !in_vhost => {
                conf.server_name = value.split_whitespace().next().map(str::to_string)
            }
            "directoryindex" if sections.is_empty() || !in_vhost => {
                let names: Vec<String> = value.split_whitespace().map(str::to_string).collect();
                if !names.is_empty() {
                    conf.directory_index = names;
                }
            }
            "loadmodule" => {
                if let Some(m) = value.split_whitespace().next() {
                    conf.modules.push(m.to_string());
                }
            }
            "errorlog" if !in_vhost => conf.error_log = rooted(server_root, value),
            "pidfile" => conf.pid_file = rooted(server_root, value),
            "user" => conf.user = unquote(value).to_string(),
            "group" => conf.group = unquote(value).to_string(),
            "options" => {
                if let Some((_, dir)) = sections.iter().rev().find(|(n, _)| n == "directory") {
                    options.push((rooted(server_root, dir), value.to_string()));
                }
            }
            _ => {}
        }
    }
    // The Options of the DocumentRoot's own block decide; `None` or a list without
    // Indexes turns listings off, `+Indexes` / `-Indexes` adjust what came before.
    let mut indexes = false;
    for (_, value) in options.iter().filter(|(d, _)| *d == conf.docroot) {
        let words: Vec<&str> = value.split_whitespace().collect();
        if words.iter().all(|w| !w.starts_with(['+', '-'])) {
            indexes = words.iter().any(|w| w.eq_ignore_ascii_case("Indexes"))
                || words.iter().any(|w| w.eq_ignore_ascii_case("All"));
        } else {
            for w in words {
                if w.eq_ignore_ascii_case("+Indexes") {
                    indexes = true;
                } else if w.eq_ignore_ascii_case("-Indexes") {
                    indexes = false;
                }
            }
        }
    }
    if options.iter().any(|(d, _)| *d == conf.docroot) {
        conf.indexes = indexes;
    } else {
        // Apache's default Options is FollowSymlinks alone: no listings.
        conf.indexes = false;
    }
    conf
}

/// The error log's time stamp: `[Thu Dec 04 18:40:00.123456 2026]`.
fn log_time(now: chrono::DateTime<chrono::Utc>) -> String {
    now.format("[%a %b %d %H:%M:%S%.6f %Y]").to_string()
}

/// The address Apache finds for the container's own name, as it says in AH00558.
fn own_address(ctx: &Ctx<'_>) -> String {
    super::tools::own_address(ctx)
        .map(|a| a.to_string())
        .unwrap_or_else(|| "127.0.0.1".into())
}

fn usage(out: &mut dyn Write, bin: &str) -> i32 {
    let pad = " ".repeat(bin.len());
    let _ = write!(
        out,
        "Usage: {bin} [-D name] [-d directory] [-f file]
       {pad} [-C \"directive\"] [-c \"directive\"]
       {pad} [-k start|restart|graceful|graceful-stop|stop]
       {pad} [-v] [-V] [-h] [-l] [-L] [-t] [-T] [-S] [-X]
Options:
  -D name            : define a name for use in <IfDefine name> directives
  -d directory       : specify an alternate initial ServerRoot
  -f file            : specify an alternate ServerConfigFile
  -C \"directive\"     : process directive before reading config files
  -c \"directive\"     : process directive after reading config files
  -e level           : show startup errors of level (see LogLevel)
  -E file            : log startup errors to file
  -v                 : show version number
  -V                 : show compile settings
  -h                 : list available command line options (this page)
  -l                 : list compiled in modules
  -L                 : list available configuration directives
  -t -D DUMP_VHOSTS  : show parsed vhost settings
  -t -D DUMP_RUN_CFG : show parsed run settings
  -S                 : a synonym for -t -D DUMP_VHOSTS -D DUMP_RUN_CFG
  -t -D DUMP_MODULES : show all loaded modules 
  -M                 : a synonym for -t -D DUMP_MODULES
  -t -D DUMP_INCLUDES: show all included configuration files
  -t                 : run syntax check for config files
  -T                 : start without DocumentRoot(s) check
  -X                 : debug mode (only one worker, do not detach)
"
    );
    1
}

/// When the image's httpd was built, as `-v` says.
fn built(version: &str) -> &'static str {
    match version {
        "2.4.62" => "Jul 23 2024 02:16:24",
        "2.4.65" => "Jul 23 2025 01:58:24",
        _ => "Jan 23 2025 21:06:58",
    }
}

pub fn httpd(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let bin = super::vfs::file_name(&argv[0]).to_string();
    let version = ctx
        .var("HTTPD_VERSION")
        .unwrap_or(DEFAULT_VERSION)
        .to_string();
    let description = format!("Apache/{version} (Unix)");
    let mut server_root = SERVER_ROOT.to_string();
    let mut conf_path: Option<String> = None;
    let mut defines: Vec<String> = Vec::new();
    let mut test_only = false;
    let mut signal: Option<String> = None;
    // The command line as Apache logs it: `-DFOREGROUND` becomes `-D FOREGROUND`.
    let mut command_line = vec![argv[0].clone()];
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        let Some(opts) = a.strip_prefix('-').filter(|o| !o.is_empty()) else {
            return usage(io.stderr, &argv[0]);
        };
        for (at, c) in opts.char_indices() {
            if matches!(c, 'D' | 'd' | 'f' | 'C' | 'c' | 'e' | 'E' | 'k') {
                let rest = &opts[at + c.len_utf8()..];
                let value = if !rest.is_empty() {
                    rest.to_string()
                } else {
                    i += 1;
                    match argv.get(i) {
                        Some(v) => v.clone(),
                        None => {
                            let _ =
                                writeln!(io.stderr, "{bin}: option requires an argument -- {c}");
                            return usage(io.stderr, &argv[0]);
                        }
                    }
                };
                command_line.push(format!("-{c}"));
                command_line.push(value.clone());
                match c {
                    'D' => {
                        if matches!(
                            value.as_str(),
                            "DUMP_VHOSTS" | "DUMP_MODULES" | "DUMP_RUN_CFG"
                        ) {
                            test_only = true;
                        }
                        defines.push(value);
                    }
                    'd' => server_root = value,
                    'f' => conf_path = Some(value),
                    'k' => signal = Some(value),
                    _ => {}
                }
                break;
            }
            command_line.push(format!("-{c}"));
            match c {
                'v' => {
                    let _ = writeln!(
                        io.stdout,
                        "Server version: {description}\nServer built:   {}",
                        built(&version)
                    );
                    return 0;
                }
                'V' => {
                    let _ = write!(
                        io.stdout,
                        "Server version: {description}
Server built:   {}
Server's Module Magic Number: 20120211:137
Server loaded:  APR 1.7.2, APR-UTIL 1.6.3, PCRE 10.42 2022-12-11
Compiled using: APR 1.7.2, APR-UTIL 1.6.3, PCRE 10.42 2022-12-11
Architecture:   64-bit
Server MPM:     event
  threaded:     yes (fixed thread count)
    forked:     yes (variable process count)
Server compiled with....
 -D APR_HAS_SENDFILE
 -D APR_HAS_MMAP
 -D APR_HAVE_IPV6 (IPv4-mapped addresses enabled)
 -D APR_USE_PROC_PTHREAD_SERIALIZE
 -D APR_USE_PTHREAD_SERIALIZE
 -D SINGLE_LISTEN_UNSERIALIZED_ACCEPT
 -D APR_HAS_OTHER_CHILD
 -D AP_HAVE_RELIABLE_PIPED_LOGS
 -D DYNAMIC_MODULE_LIMIT=256
 -D HTTPD_ROOT=\"/usr/local/apache2\"
 -D SUEXEC_BIN=\"/usr/local/apache2/bin/suexec\"
 -D DEFAULT_PIDLOG=\"logs/httpd.pid\"
 -D DEFAULT_SCOREBOARD=\"logs/apache_runtime_status\"
 -D DEFAULT_ERRORLOG=\"logs/error_log\"
 -D AP_TYPES_CONFIG_FILE=\"conf/mime.types\"
 -D SERVER_CONFIG_FILE=\"conf/httpd.conf\"
",
                        built(&version)
                    );
                    return 0;
                }
                't' => test_only = true,
                'S' => {
                    test_only = true;
                    defines.push("DUMP_VHOSTS".into());
                    defines.push("DUMP_RUN_CFG".into());
                }
                'M' => {
                    test_only = true;
                    defines.push("DUMP_MODULES".into());
                }
                'X' => defines.push("DEBUG".into()),
                'T' | 'l' | 'L' => {}
                'h' | '?' => return usage(io.stderr, &argv[0]),
                other => {
                    let _ = writeln!(io.stderr, "{bin}: illegal option -- {other}");
                    return usage(io.stderr, &argv[0]);
                }
            }
        }
        i += 1;
    }
    let conf_file = rooted(
        &server_root,
        conf_path.as_deref().unwrap_or("conf/httpd.conf"),
    );
    let text = match ctx.fs.read(&conf_file) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(_) => {
            let _ = writeln!(
                io.stderr,
                "{bin}: Could not open configuration file {conf_file}: No such file or directory"
            );
            return 1;
        }
    };
    let conf = parse_conf(&text, &server_root);
    if !conf.modules.iter().any(|m| m.starts_with("mpm_")) {
        let _ = writeln!(
            io.stderr,
            "AH00534: {bin}: Configuration error: No MPM loaded."
        );
        return 1;
    }
    if !ctx.fs.metadata(&conf.docroot).is_ok_and(|m| m.is_dir()) {
        let _ = writeln!(
            io.stderr,
            "AH00112: Warning: DocumentRoot [{}] does not exist",
            conf.docroot
        );
    }
    let fqdn_warning = |out: &mut dyn Write, ctx: &Ctx<'_>| {
        if conf.server_name.is_none() {
            let _ = writeln!(
                out,
                "AH00558: {bin}: Could not reliably determine the server's fully qualified domain name, using {}. Set the 'ServerName' directive globally to suppress this message",
                own_address(ctx)
            );
        }
    };
    fqdn_warning(io.stderr, ctx);
    if test_only {
        if defines.iter().any(|d| d == "DUMP_VHOSTS") {
            let _ = writeln!(io.stdout, "VirtualHost configuration:");
        }
        if defines.iter().any(|d| d == "DUMP_RUN_CFG") {
            let id = |name: &str| match name {
                "www-data" => 33,
                "daemon" => 1,
                "root" => 0,
                _ => 65534,
            };
            let _ = writeln!(
                io.stdout,
                "ServerRoot: \"{server_root}\"\nMain DocumentRoot: \"{}\"\nMain ErrorLog: \"{}\"\nMutex default: dir=\"{server_root}/logs/\" mechanism=default \nMutex mpm-accept: using_defaults\nPidFile: \"{}\"",
                conf.docroot, conf.error_log, conf.pid_file
            );
            for d in &defines {
                let _ = writeln!(io.stdout, "Define: {d}");
            }
            let _ = writeln!(
                io.stdout,
                "User: name=\"{}\" id={}\nGroup: name=\"{}\" id={}",
                conf.user,
                id(&conf.user),
                conf.group,
                id(&conf.group)
            );
        }
        if defines.iter().any(|d| d == "DUMP_MODULES") {
            let _ = writeln!(
                io.stdout,
                "Loaded Modules:\n core_module (static)\n so_module (static)\n http_module (static)"
            );
            for m in &conf.modules {
                let _ = writeln!(io.stdout, " {m} (shared)");
            }
            return 0;
        }
        if !defines
            .iter()
            .any(|d| d == "DUMP_VHOSTS" || d == "DUMP_RUN_CFG")
        {
            write_err(io.stderr, format_args!("Syntax OK"));
        }
        return 0;
    }
    let pid_file = format!("{}/logs/httpd.pid", server_root.trim_end_matches('/'));
    if let Some(signal) = signal {
        return match signal.as_str() {
            "start" => 0,
            "stop" | "graceful-stop" | "restart" | "graceful" => {
                if ctx.fs.read(&pid_file).is_err() {
                    let _ = writeln!(io.stderr, "httpd (no pid file) not running");
                }
                0
            }
            _ => usage(io.stderr, &argv[0]),
        };
    }
    let foreground = defines
        .iter()
        .any(|d| d == "FOREGROUND" || d == "NO_DETACH" || d == "DEBUG");
    let now = ctx.host.now();
    let stamp = log_time(now);
    if ctx.fs.read(&pid_file).is_ok() {
        let _ = writeln!(
            io.stderr,
            "{stamp} [core:warn] [pid 1:tid 1] AH00098: pid file {pid_file} overwritten -- Unclean shutdown of previous Apache run?"
        );
    }
    let _ = ctx.fs.write(&pid_file, b"1\n", false);
    fqdn_warning(io.stderr, ctx);
    if !foreground {
        // The parent forks into the background; the process the container runs is done.
        return 0;
    }
    let _ = writeln!(
        io.stderr,
        "{stamp} [mpm_event:notice] [pid 1:tid 1] AH00489: {description} configured -- resuming normal operations"
    );
    let _ = writeln!(
        io.stderr,
        "{stamp} [core:notice] [pid 1:tid 1] AH00094: Command line: '{}'",
        command_line.join(" ")
    );
    if conf.all_addresses {
        ctx.host
            .listen(conf.port, &format!("httpd:{}", conf.docroot));
    }
    ctx.host.sleep(FOREVER);
    0
}

/// The service behind a port this program listens on (`Host::listen(port, "KIND:ARG")`).
pub fn service(_kind: &str, arg: &str, view: ContainerView) -> Option<crate::engine::net::Service> {
    let text = view
        .fs
        .read(CONF)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let mut conf = parse_conf(&text, SERVER_ROOT);
    if !arg.is_empty() {
        conf.docroot = arg.trim_end_matches('/').to_string();
    }
    let version = view.var("HTTPD_VERSION").unwrap_or(DEFAULT_VERSION);
    let site = Site {
        server: format!("Apache/{version} (Unix)"),
        conf,
        view,
    };
    Some(crate::engine::net::app::service(Arc::new(site)))
}

/// The site httpd serves from a running container.
pub struct Site {
    server: String,
    conf: Conf,
    view: ContainerView,
}

enum Found {
    File {
        data: Vec<u8>,
        mtime: i64,
        path: String,
    },
    Listing(String),
    Redirect(String),
    Status(u16),
}

/// Apache's reason phrases for the statuses the site answers.
fn reason(status: u16) -> &'static str {
    match status {
        301 => "Moved Permanently",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        416 => "Requested Range Not Satisfiable",
        _ => "OK",
    }
}

/// Types from the image's conf/mime.types for what sites usually hold; None for an
/// extension it does not know (Apache then sends no Content-Type).
fn content_type(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or("");
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "txt" | "text" | "conf" | "log" => "text/plain",
        "csv" => "text/csv",
        "js" | "mjs" => "text/javascript",
        "json" => "application/json",
        "xml" | "xsl" => "application/xml",
        "png" => "image/png",
        "jpg" | "jpeg" | "jpe" => "image/jpeg",
        "gif" => "image/gif",
        "svg" | "svgz" => "image/svg+xml",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "mp4" => "video/mp4",
        "wasm" => "application/wasm",
        _ => return None,
    })
}

fn http_date(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

/// The URL path with `%XX` decoded and `.` segments resolved; None when it climbs above
/// the root or is not a path (Apache answers 400).
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
    if text.ends_with('/') && out != "/" {
        out.push('/');
    }
    Some(out)
}

impl Site {
    fn find(&self, path: &str) -> Found {
        if path
            .split('/')
            .any(|p| p.starts_with(".ht") && !p.is_empty())
        {
            return Found::Status(403);
        }
        let full = format!("{}{path}", self.conf.docroot);
        let fs = &self.view.fs;
        match fs.metadata(&full) {
            Ok(m) if m.is_dir() => {
                if !path.ends_with('/') {
                    return Found::Redirect(format!("{path}/"));
                }
                for index in &self.conf.directory_index {
                    let candidate = format!("{full}{index}");
                    if let (Ok(m), Ok(data)) = (fs.metadata(&candidate), fs.read(&candidate))
                        && m.is_file()
                    {
                        return Found::File {
                            data,
                            mtime: m.mtime,
                            path: candidate,
                        };
                    }
                }
                if self.conf.indexes {
                    Found::Listing(self.listing(path, &full))
                } else {
                    Found::Status(403)
                }
            }
            Ok(m) => {
                if path.ends_with('/') {
                    return Found::Status(404);
                }
                match fs.read(&full) {
                    Ok(data) => Found::File {
                        data,
                        mtime: m.mtime,
                        path: full,
                    },
                    Err(_) => Found::Status(403),
                }
            }
            Err(_) => Found::Status(404),
        }
    }

    /// mod_autoindex's plain listing (the image does not turn FancyIndexing on).
    fn listing(&self, path: &str, dir: &str) -> String {
        let mut entries = self.view.fs.read_dir(dir).unwrap_or_default();
        entries.retain(|e| !e.name.starts_with(".ht") && e.name != "." && e.name != "..");
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        let title = match path.trim_end_matches('/') {
            "" => "/",
            p => p,
        };
        let mut out = format!(
            "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html>\n <head>\n  <title>Index of {title}</title>\n </head>\n <body>\n<h1>Index of {title}</h1>\n<ul>",
            title = html_escape(title)
        );
        if path != "/" {
            let parent = super::vfs::parent(path.trim_end_matches('/'));
            let parent = if parent.ends_with('/') {
                parent
            } else {
                format!("{parent}/")
            };
            out.push_str(&format!(
                "<li><a href=\"{}\"> Parent Directory</a></li>\n",
                html_escape(&parent)
            ));
        }
        for e in entries {
            let is_dir = e.file_type == FileType::Dir
                || (e.file_type == FileType::Symlink
                    && self
                        .view
                        .fs
                        .metadata(&format!("{dir}{}", e.name))
                        .is_ok_and(|m| m.is_dir()));
            let shown = if is_dir {
                format!("{}/", e.name)
            } else {
                e.name.clone()
            };
            out.push_str(&format!(
                "<li><a href=\"{}\"> {}</a></li>\n",
                url_escape(&shown),
                html_escape(&shown)
            ));
        }
        out.push_str("</ul>\n</body></html>\n");
        out
    }

    /// Apache's built-in error document for `status`.
    fn error_page(&self, status: u16, method: &str, location: Option<&str>) -> String {
        let text = match status {
            301 => format!(
                "The document has moved <a href=\"{}\">here</a>.",
                html_escape(location.unwrap_or(""))
            ),
            400 => "Your browser sent a request that this server could not understand.<br />\n"
                .to_string(),
            403 => "You don't have permission to access this resource.".to_string(),
            405 => format!("The requested method {method} is not allowed for this URL."),
            416 => "None of the range-specifier values in the Range\nrequest-header field overlap the current extent\nof the selected resource.".to_string(),
            _ => "The requested URL was not found on this server.".to_string(),
        };
        let r = reason(status);
        format!(
            "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>{status} {r}</title>\n</head><body>\n<h1>{r}</h1>\n<p>{text}</p>\n</body></html>\n"
        )
    }
}

/// A `Range: bytes=...` header against a file of `total` bytes: None when it is not
/// one range Apache would honour alone (the whole file is sent), Some(None) when it
/// lies outside the file (416), else the first and last byte.
fn byte_range(header: &str, total: usize) -> Option<Option<(usize, usize)>> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    let range = if first.is_empty() {
        let n: usize = last.parse().ok()?;
        if n == 0 || total == 0 {
            return Some(None);
        }
        (total.saturating_sub(n), total - 1)
    } else {
        let a: usize = first.parse().ok()?;
        let b: usize = if last.is_empty() {
            usize::MAX
        } else {
            last.parse().ok()?
        };
        if b < a {
            return None;
        }
        if a >= total {
            return Some(None);
        }
        (a, b.min(total - 1))
    };
    Some(Some(range))
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn url_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

impl App for Site {
    fn respond(&self, request: &AppRequest) -> AppReply {
        let now = self.view.clock.now();
        let method = request.method.as_str();
        let host = request
            .header("host")
            .map(str::to_string)
            .or_else(|| self.conf.server_name.clone())
            .unwrap_or_else(|| "localhost".into());
        let found = match decode_path(request.path()) {
            None => Found::Status(400),
            Some(path) => self.find(&path),
        };
        let found = match found {
            Found::File { .. } | Found::Listing(_) if !matches!(method, "GET" | "HEAD") => {
                Found::Status(405)
            }
            other => other,
        };
        let mut headers: Vec<(String, String)> = vec![
            ("Date".into(), http_date(now.timestamp())),
            ("Server".into(), self.server.clone()),
        ];
        let (status, body) = match found {
            Found::File { data, mtime, path } => {
                let etag = format!(
                    "\"{:x}-{:x}\"",
                    data.len(),
                    (mtime.max(0) as u64).saturating_mul(1_000_000)
                );
                let not_modified = match request.header("if-none-match") {
                    Some(v) => v.split(',').any(|t| t.trim() == etag || t.trim() == "*"),
                    None => request
                        .header("if-modified-since")
                        .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
                        .is_some_and(|since| mtime <= since.timestamp()),
                };
                if not_modified {
                    headers.push(("ETag".into(), etag));
                    (304, Vec::new())
                } else {
                    let total = data.len();
                    let range = request.header("range").and_then(|r| byte_range(r, total));
                    headers.push(("Last-Modified".into(), http_date(mtime)));
                    headers.push(("ETag".into(), etag));
                    headers.push(("Accept-Ranges".into(), "bytes".into()));
                    let (status, body) = match range {
                        Some(Some((first, last))) => {
                            let part = data[first..=last].to_vec();
                            headers.push(("Content-Length".into(), part.len().to_string()));
                            headers.push((
                                "Content-Range".into(),
                                format!("bytes {first}-{last}/{total}"),
                            ));
                            (206, part)
                        }
                        Some(None) => {
                            let page = self.error_page(416, method, None);
                            headers.truncate(2);
                            headers.push(("Content-Range".into(), format!("bytes */{total}")));
                            headers.push(("Content-Length".into(), page.len().to_string()));
                            headers.push((
                                "Content-Type".into(),
                                "text/html; charset=iso-8859-1".into(),
                            ));
                            (416, page.into_bytes())
                        }
                        None => {
                            headers.push(("Content-Length".into(), total.to_string()));
                            (200, data)
                        }
                    };
                    if status != 416
                        && let Some(t) = content_type(&path)
                    {
                        headers.push(("Content-Type".into(), t.into()));
                    }
                    (status, body)
                }
            }
            Found::Listing(html) => {
                headers.push(("Content-Length".into(), html.len().to_string()));
                headers.push(("Content-Type".into(), "text/html;charset=ISO-8859-1".into()));
                (200, html.into_bytes())
            }
            Found::Redirect(to) => {
                let location = format!("http://{host}{}", url_escape(&to));
                let page = self.error_page(301, method, Some(&location));
                headers.push(("Location".into(), location));
                headers.push(("Content-Length".into(), page.len().to_string()));
                headers.push((
                    "Content-Type".into(),
                    "text/html; charset=iso-8859-1".into(),
                ));
                (301, page.into_bytes())
            }
            Found::Status(status) => {
                let page = self.error_page(status, method, None);
                if status == 405 {
                    headers.push(("Allow".into(), "POST,OPTIONS,HEAD,GET,TRACE".into()));
                }
                headers.push(("Content-Length".into(), page.len().to_string()));
                if status == 400 {
                    headers.push(("Connection".into(), "close".into()));
                }
                headers.push((
                    "Content-Type".into(),
                    "text/html; charset=iso-8859-1".into(),
                ));
                (status, page.into_bytes())
            }
        };
        let sent = if method == "HEAD" || body.is_empty() {
            "-".to_string()
        } else {
            body.len().to_string()
        };
        self.view.log(
            1,
            format!(
                "{} - - [{}] \"{} {} {}\" {status} {sent}\n",
                self.view.client_address(),
                now.format("%d/%b/%Y:%H:%M:%S +0000"),
                request.method,
                request.target,
                request.version
            ),
        );
        AppReply {
            status,
            headers,
            body,
        }
    }
}

#[cfg(test)]
mod tests;
