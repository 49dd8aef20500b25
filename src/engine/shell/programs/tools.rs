//! Smaller programs the package managers install: an editor, a hex dumper, TLS and
//! time-zone tools, the CA store's updater, file capabilities, and the network tools
//! (in `tools/net.rs`).
//!
//! One table entry serves the distribution's own program and BusyBox's applet of the
//! same name: which one a container has is told by the file that was run (an applet
//! is a link to `/bin/busybox`) and by its release. Versions come from the package
//! database, so a tool reports the version its package installed.
//!
//! File capabilities (`setcap`/`getcap`) have no extended attributes to live in: they
//! are kept in [`CAPS_FILE`], one `PATH CAPS` line per file.

mod crypto;
mod dns;
mod ip;
mod nc;
mod net;
mod wget;
mod zones;

pub use dns::{getent, hostname, nslookup};
pub use ip::ip;
pub use nc::nc;
pub(crate) use net::own_address;
pub use net::{arp, ifconfig, netstat, nping, ping, route};
pub use wget::wget;

use super::packages::Release;
use super::{Ctx, Streams, write_err};
use crate::engine::shell::vfs;
use std::io::Write;

/// Where `setcap` records the capabilities it gives files, and `getcap` reads them.
pub const CAPS_FILE: &str = "/var/lib/docklab/file-capabilities";

/// The text of `path` in the container, empty when it cannot be read.
fn read_text(ctx: &Ctx<'_>, path: &str) -> String {
    ctx.fs
        .read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// The version of package `name` as the container's package database records it.
pub(crate) fn package_version(ctx: &Ctx<'_>, name: &str) -> Option<String> {
    let alpine = read_text(ctx, "/lib/apk/db/installed");
    let from_apk = alpine
        .split("\n\n")
        .find(|b| b.lines().any(|l| l.strip_prefix("P:") == Some(name)))
        .and_then(|b| b.lines().find_map(|l| l.strip_prefix("V:")))
        .map(str::to_string);
    from_apk.or_else(|| {
        read_text(ctx, "/var/lib/dpkg/status")
            .split("\n\n")
            .find(|b| b.lines().any(|l| l.strip_prefix("Package: ") == Some(name)))
            .and_then(|b| b.lines().find_map(|l| l.strip_prefix("Version: ")))
            .map(str::to_string)
    })
}

/// The file `argv0` names, found as the shell found it: a path, or along $PATH.
fn program_path(ctx: &Ctx<'_>, argv0: &str) -> Option<String> {
    if argv0.contains('/') {
        return Some(ctx.abs(argv0));
    }
    let path = ctx.var("PATH").unwrap_or("/usr/sbin:/usr/bin:/sbin:/bin");
    path.split(':')
        .filter(|d| !d.is_empty())
        .map(|d| vfs::normalize("/", &format!("{d}/{argv0}")))
        .find(|p| ctx.fs.metadata(p).is_ok_and(|m| m.is_file()))
}

/// Whether the program run as `argv0` is BusyBox's applet: its file is BusyBox, or
/// there is no file of its own and the container is Alpine.
pub(crate) fn is_busybox(ctx: &Ctx<'_>, argv0: &str) -> bool {
    match program_path(ctx, argv0).and_then(|p| ctx.fs.read(&p).ok()) {
        Some(bytes) => crate::engine::program::identify(&bytes) == Some("busybox"),
        None => matches!(Release::detect(ctx.fs), Release::Alpine(_)),
    }
}

/// BusyBox's first line of every usage text, with the container's BusyBox version.
pub(crate) fn busybox_banner(ctx: &Ctx<'_>) -> String {
    let version = package_version(ctx, "busybox")
        .map(|v| v.split('-').next().unwrap_or(&v).to_string())
        .unwrap_or_else(|| "1.37.0".into());
    format!("BusyBox v{version} multi-call binary.")
}

/// BusyBox's `--help`: the banner and the applet's usage, on stdout.
pub(crate) fn busybox_help(ctx: &Ctx<'_>, usage: &str, out: &mut dyn Write) -> i32 {
    let _ = write!(out, "{}\n{usage}", busybox_banner(ctx));
    0
}

/// BusyBox's answer to an option an applet does not take: the usage on stderr.
pub(crate) fn busybox_bad_option(
    ctx: &Ctx<'_>,
    name: &str,
    option: &str,
    usage: &str,
    err: &mut dyn Write,
) -> i32 {
    let what = match option.strip_prefix("--") {
        Some(long) => format!("unrecognized option '--{long}'"),
        None => format!(
            "invalid option -- '{}'",
            option.trim_start_matches('-').chars().next().unwrap_or('-')
        ),
    };
    let _ = write!(err, "{name}: {what}\n{}\n{usage}", busybox_banner(ctx));
    1
}

// --- vim -----------------------------------------------------------------------------

const VIM_VERSION: &str = include_str!("tools/ref/vim-version.txt");
const VIM_HELP: &str = include_str!("tools/ref/vim-help.txt");
const BUSYBOX_VI: &str = include_str!("tools/ref/busybox-vi.txt");

/// `vim --version` for the vim package installed: Debian bookworm's build as it
/// prints itself, other releases with their version and patch level.
fn vim_banner(ctx: &Ctx<'_>, text: &str) -> String {
    let version = package_version(ctx, "vim").unwrap_or_default();
    // `2:9.1.0016-1ubuntu7.8` / `9.1.1105-r0` → (9.1, 0016)
    let upstream = version
        .rsplit(':')
        .next()
        .unwrap_or("")
        .split(['-', '+'])
        .next()
        .unwrap_or("");
    let mut parts = upstream.splitn(3, '.');
    let (major, minor, patch) = (parts.next(), parts.next(), parts.next());
    match (major, minor, patch) {
        (Some(ma), Some(mi), Some(p)) if !(ma == "9" && mi == "0") => {
            let patch = p.trim_start_matches('0');
            let released = if mi == "1" {
                "2024 Jan 02"
            } else {
                "2022 Jun 28"
            };
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            if let Some(first) = lines.first_mut() {
                *first = format!(
                    "VIM - Vi IMproved {ma}.{mi} ({released}, compiled Jan 01 2025 00:00:00)"
                );
            }
            if let Some(second) = lines
                .iter_mut()
                .find(|l| l.starts_with("Included patches:"))
            {
                *second = format!("Included patches: 1-{patch}");
            }
            lines.join("\n") + "\n"
        }
        _ => text.to_string(),
    }
}

pub fn vim(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let name = vfs::file_name(&argv[0]).to_string();
    if name == "vi" && is_busybox(ctx, &argv[0]) {
        if argv.get(1).is_some_and(|a| a == "--help" || a == "-h") {
            return busybox_help(ctx, BUSYBOX_VI, io.stdout);
        }
    } else {
        for a in &argv[1..] {
            match a.as_str() {
                "--version" => {
                    let _ = write!(io.stdout, "{}", vim_banner(ctx, VIM_VERSION));
                    return 0;
                }
                "--help" | "-h" => {
                    let banner = vim_banner(ctx, VIM_VERSION);
                    let first = banner.lines().next().unwrap_or("");
                    let rest = VIM_HELP.split_once('\n').map(|(_, r)| r).unwrap_or("");
                    let _ = write!(
                        io.stdout,
                        "{first}\n{}",
                        rest.replace("vim [", &format!("{name} ["))
                    );
                    return 0;
                }
                _ => {}
            }
        }
    }
    let file = argv[1..].iter().find(|a| !a.starts_with(['-', '+']));
    let target = file.map(String::as_str).unwrap_or("FILE");
    write_err(
        io.stderr,
        format_args!(
            "docklab: {name} cannot run here: a container in the lab has no terminal for an editor.\n\
             Edit the file in the lab with `edit {target}`, then copy it in with `docker cp {target} CONTAINER:/path/{target}`,\n\
             or write it from the shell: cat > {target} <<'EOF' ... EOF"
        ),
    );
    1
}

// --- xxd -----------------------------------------------------------------------------

const XXD_HELP: &str = include_str!("tools/ref/xxd-help.txt");
const BUSYBOX_XXD: &str = include_str!("tools/ref/busybox-xxd.txt");

/// vim's xxd version line for the vim release installed.
fn xxd_version(ctx: &Ctx<'_>) -> &'static str {
    let v = package_version(ctx, "xxd")
        .or_else(|| package_version(ctx, "vim"))
        .unwrap_or_default();
    if v.contains("9.0.") || v.is_empty() {
        "xxd 2022-01-14 by Juergen Weigert et al."
    } else {
        "xxd 2023-10-25 by Juergen Weigert et al."
    }
}

/// `0x1f`, `017`, `31`: xxd reads numbers as C does.
fn parse_number(s: &str) -> Option<i64> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let v = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()?
    } else if s.len() > 1 && s.starts_with('0') {
        i64::from_str_radix(&s[1..], 8).ok()?
    } else {
        s.parse().ok()?
    };
    Some(if neg { -v } else { v })
}

#[derive(Default)]
struct XxdOpts {
    plain: bool,
    reverse: bool,
    include: bool,
    upper: bool,
    cols: Option<usize>,
    group: Option<usize>,
    len: Option<usize>,
    seek: i64,
    display_offset: i64,
}

/// The hex dump of `data` as xxd writes it.
fn xxd_dump(data: &[u8], o: &XxdOpts, name: Option<&str>) -> Vec<u8> {
    let hex = |b: u8| {
        if o.upper {
            format!("{b:02X}")
        } else {
            format!("{b:02x}")
        }
    };
    let mut out = String::new();
    if o.plain {
        let cols = o.cols.unwrap_or(30).max(1);
        for chunk in data.chunks(cols) {
            for b in chunk {
                out.push_str(&hex(*b));
            }
            out.push('\n');
        }
        return out.into_bytes();
    }
    if o.include {
        let cols = o.cols.unwrap_or(12).max(1);
        let var: Option<String> = name.map(|n| {
            let mut v: String = n
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            if v.starts_with(|c: char| c.is_ascii_digit()) {
                v.insert(0, '_');
                v.insert(0, '_');
            }
            v
        });
        if let Some(v) = &var {
            out.push_str(&format!("unsigned char {v}[] = {{\n"));
        }
        let lines: Vec<String> = data
            .chunks(cols)
            .map(|c| {
                let items: Vec<String> = c
                    .iter()
                    .map(|b| {
                        if o.upper {
                            format!("0X{b:02X}")
                        } else {
                            format!("0x{b:02x}")
                        }
                    })
                    .collect();
                format!("  {}", items.join(", "))
            })
            .collect();
        out.push_str(&lines.join(",\n"));
        if !lines.is_empty() {
            out.push('\n');
        }
        if let Some(v) = &var {
            out.push_str(&format!("}};\nunsigned int {v}_len = {};\n", data.len()));
        }
        return out.into_bytes();
    }
    let cols = o.cols.unwrap_or(16).clamp(1, 256);
    let group = o.group.unwrap_or(2);
    let group = if group == 0 { cols } else { group };
    // Every group is followed by a space; the text column follows one more.
    let width = cols * 2 + cols.div_ceil(group);
    for (i, chunk) in data.chunks(cols).enumerate() {
        let offset = o.seek.max(0) + o.display_offset + (i * cols) as i64;
        let mut line = format!("{offset:08x}: ");
        let mut hexpart = String::new();
        for (j, b) in chunk.iter().enumerate() {
            hexpart.push_str(&hex(*b));
            if (j + 1) % group == 0 {
                hexpart.push(' ');
            }
        }
        while hexpart.len() < width {
            hexpart.push(' ');
        }
        line.push_str(&hexpart);
        line.push(' ');
        for b in chunk {
            line.push(if (0x20..0x7f).contains(b) {
                *b as char
            } else {
                '.'
            });
        }
        line.push('\n');
        out.push_str(&line);
    }
    out.into_bytes()
}

/// `xxd -r`: bytes back from a dump (`-p`: any hex digits; else `OFFSET: HEX  TEXT`).
fn xxd_reverse(text: &str, plain: bool) -> Vec<u8> {
    let digit = |c: char| c.to_digit(16).map(|d| d as u8);
    let mut out: Vec<u8> = Vec::new();
    if plain {
        let mut high: Option<u8> = None;
        for c in text.chars() {
            if let Some(d) = digit(c) {
                match high.take() {
                    Some(h) => out.push(h << 4 | d),
                    None => high = Some(d),
                }
            }
        }
        return out;
    }
    for line in text.lines() {
        let Some((addr, rest)) = line.split_once(':') else {
            continue;
        };
        let Ok(mut at) = usize::from_str_radix(addr.trim(), 16) else {
            continue;
        };
        // The hex part ends where two spaces open the text column.
        let hex = rest.strip_prefix(' ').unwrap_or(rest);
        let hex = hex.split("  ").next().unwrap_or("");
        let mut high: Option<u8> = None;
        for c in hex.chars() {
            let Some(d) = digit(c) else {
                continue;
            };
            match high.take() {
                Some(h) => {
                    // A dump names where its bytes go; a hostile offset cannot make
                    // the output larger than the input allows.
                    if at > text.len() * 4 + 4096 {
                        return out;
                    }
                    if out.len() < at {
                        out.resize(at, 0);
                    }
                    if at < out.len() {
                        out[at] = h << 4 | d;
                    } else {
                        out.push(h << 4 | d);
                    }
                    at += 1;
                }
                None => high = Some(d),
            }
        }
    }
    out
}

pub fn xxd(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let busybox = is_busybox(ctx, &argv[0]);
    let mut o = XxdOpts::default();
    let mut files: Vec<String> = Vec::new();
    let mut i = 1;
    let bad = |ctx: &Ctx<'_>, opt: &str, err: &mut dyn Write| -> i32 {
        if busybox {
            busybox_bad_option(ctx, "xxd", opt, BUSYBOX_XXD, err)
        } else {
            let _ = write!(err, "{XXD_HELP}");
            1
        }
    };
    while i < argv.len() {
        let a = argv[i].as_str();
        if a == "--help" && busybox {
            return busybox_help(ctx, BUSYBOX_XXD, io.stdout);
        }
        if !a.starts_with('-') || a == "-" || !files.is_empty() {
            files.push(a.to_string());
            i += 1;
            continue;
        }
        let flag = a.trim_start_matches('-');
        // Options that take a value, glued (`-c8`) or apart (`-c 8`).
        let valued = ['c', 'g', 'l', 's', 'o', 'n'];
        let first = flag.chars().next().unwrap_or(' ');
        if valued.contains(&first) {
            let glued = &flag[first.len_utf8()..];
            let value = if glued.is_empty() {
                i += 1;
                argv.get(i).cloned()
            } else {
                Some(glued.to_string())
            };
            let Some(value) = value else {
                if busybox {
                    return bad(ctx, a, io.stderr);
                }
                let _ = write!(io.stderr, "{XXD_HELP}");
                return 1;
            };
            if first == 'n' {
                i += 1;
                continue;
            }
            let Some(n) = parse_number(&value) else {
                return bad(ctx, a, io.stderr);
            };
            match first {
                'c' => o.cols = Some(n.clamp(0, 256) as usize),
                'g' => o.group = Some(n.clamp(0, 256) as usize),
                'l' => o.len = Some(n.max(0) as usize),
                's' => o.seek = n,
                _ => o.display_offset = n,
            }
            i += 1;
            continue;
        }
        match flag {
            "p" | "ps" | "postscript" | "plain" => o.plain = true,
            "r" | "revert" => o.reverse = true,
            "i" | "include" => o.include = true,
            "u" | "uppercase" if !busybox => o.upper = true,
            "rp" | "pr" => {
                o.plain = true;
                o.reverse = true;
            }
            "v" | "version" if !busybox => {
                write_err(io.stderr, format_args!("{}", xxd_version(ctx)));
                return 0;
            }
            _ => return bad(ctx, a, io.stderr),
        }
        i += 1;
    }
    let input_name = files.first().cloned().filter(|f| f != "-");
    let data = match &input_name {
        None => io.stdin.to_vec(),
        Some(f) => match ctx.fs.read(&ctx.abs(f)) {
            Ok(d) => d,
            Err(e) => {
                write_err(
                    io.stderr,
                    format_args!("xxd: {f}: {}", crate::engine::shell::exec::io_message(&e)),
                );
                return 2;
            }
        },
    };
    let out = if o.reverse {
        xxd_reverse(&String::from_utf8_lossy(&data), o.plain)
    } else {
        let start = if o.seek < 0 {
            data.len().saturating_sub(o.seek.unsigned_abs() as usize)
        } else {
            (o.seek as usize).min(data.len())
        };
        let end = o
            .len
            .map_or(data.len(), |l| start.saturating_add(l).min(data.len()));
        let mut o = o;
        o.seek = start as i64;
        xxd_dump(&data[start..end], &o, input_name.as_deref())
    };
    match files.get(1) {
        Some(target) => {
            let path = ctx.abs(target);
            if let Err(e) = ctx.fs.write(&path, &out, false) {
                write_err(
                    io.stderr,
                    format_args!(
                        "xxd: {target}: {}",
                        crate::engine::shell::exec::io_message(&e)
                    ),
                );
                return 3;
            }
        }
        None => {
            let _ = io.stdout.write_all(&out);
        }
    }
    0
}

// --- openssl -------------------------------------------------------------------------

const OPENSSL_HELP: &str = include_str!("tools/ref/openssl-help.txt");

/// The release date OpenSSL prints after its version.
fn openssl_date(version: &str) -> &'static str {
    match version {
        "3.0.13" => "30 Jan 2024",
        "3.0.14" => "4 Jun 2024",
        "3.0.15" => "3 Sep 2024",
        "3.0.16" => "11 Feb 2025",
        "3.0.17" => "1 Jul 2025",
        "3.1.8" => "11 Feb 2025",
        "3.3.2" => "3 Sep 2024",
        "3.3.3" => "11 Feb 2025",
        "3.3.4" => "1 Jul 2025",
        "3.5.0" => "8 Apr 2025",
        "3.5.1" => "1 Jul 2025",
        _ => "8 Apr 2025",
    }
}

/// The OpenSSL version of the container's tool and library, from their packages.
fn openssl_versions(ctx: &Ctx<'_>) -> (String, String) {
    let upstream = |v: String| {
        v.rsplit(':')
            .next()
            .unwrap_or("")
            .split(['-', '+', '~'])
            .next()
            .unwrap_or("")
            .to_string()
    };
    let tool = package_version(ctx, "openssl")
        .map(upstream)
        .unwrap_or_else(|| "3.5.0".into());
    let library = ["libcrypto3", "libssl3t64", "libssl3"]
        .iter()
        .find_map(|p| package_version(ctx, p))
        .map(upstream)
        .unwrap_or_else(|| tool.clone());
    (tool, library)
}

/// Deterministic bytes for `openssl rand`: seeded by the clock and the request, so a
/// replayed lesson prints what it printed before and two calls still differ.
fn random_bytes(ctx: &Ctx<'_>, argv: &[String], n: usize) -> Vec<u8> {
    use rand::RngCore;
    use rand::SeedableRng;
    let now = ctx.host.now();
    let seed = crate::engine::digest::Digest::sha256(
        format!(
            "{}.{}:{}",
            now.timestamp(),
            now.timestamp_subsec_nanos(),
            argv.join(" ")
        )
        .as_bytes(),
    );
    let mut key = [0u8; 32];
    key.copy_from_slice(&hex::decode(seed.hex()).unwrap_or_else(|_| vec![0; 32])[..32]);
    let mut rng = rand_chacha::ChaCha20Rng::from_seed(key);
    let mut out = vec![0u8; n];
    rng.fill_bytes(&mut out);
    out
}

pub fn openssl(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some(command) = argv.get(1) else {
        let _ = write!(io.stderr, "{OPENSSL_HELP}");
        return 0;
    };
    let args = &argv[2..];
    match command.as_str() {
        "version" => {
            let (tool, library) = openssl_versions(ctx);
            let _ = writeln!(
                io.stdout,
                "OpenSSL {tool} {} (Library: OpenSSL {library} {})",
                openssl_date(&tool),
                openssl_date(&library)
            );
            0
        }
        "help" => {
            let _ = write!(io.stderr, "{OPENSSL_HELP}");
            0
        }
        "rand" => {
            let mut hex_out = false;
            let mut b64 = false;
            let mut out_file = None;
            let mut count = None;
            let mut it = args.iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "-hex" => hex_out = true,
                    "-base64" => b64 = true,
                    "-out" => out_file = it.next().cloned(),
                    n if !n.starts_with('-') => count = Some(n.to_string()),
                    other => {
                        write_err(
                            io.stderr,
                            format_args!(
                                "rand: Unknown option: {other}\nrand: Use -help for summary."
                            ),
                        );
                        return 1;
                    }
                }
            }
            let Some(count) = count else {
                return 0;
            };
            let n: usize = match count.parse::<u64>() {
                Ok(n) if n <= 1 << 20 => n as usize,
                _ => {
                    write_err(
                        io.stderr,
                        format_args!(
                            "rand: Can't parse \"{count}\" as a number\nrand: Use -help for summary."
                        ),
                    );
                    return 1;
                }
            };
            let bytes = random_bytes(ctx, argv, n);
            let text: Vec<u8> = if hex_out {
                format!("{}\n", hex::encode(&bytes)).into_bytes()
            } else if b64 {
                use base64::Engine;
                let encoded = base64::engine::general_purpose::STANDARD.encode(&bytes);
                let mut s = String::new();
                for chunk in encoded.as_bytes().chunks(64) {
                    s.push_str(&String::from_utf8_lossy(chunk));
                    s.push('\n');
                }
                s.into_bytes()
            } else {
                bytes
            };
            match out_file {
                Some(f) => {
                    let p = ctx.abs(&f);
                    let _ = ctx.fs.write(&p, &text, false);
                }
                None => {
                    let _ = io.stdout.write_all(&text);
                }
            }
            0
        }
        "dgst" | "md5" | "sha1" | "sha224" | "sha256" | "sha384" | "sha512" => {
            let mut algorithm = match command.as_str() {
                "dgst" => None,
                other => Some(other.to_string()),
            };
            let mut files = Vec::new();
            let mut reverse = false;
            for a in args {
                match a.strip_prefix('-') {
                    Some("r") => reverse = true,
                    Some(name) if crypto::Digest::named(name).is_some() => {
                        algorithm = Some(name.to_string())
                    }
                    Some(other) if !other.is_empty() => {
                        write_err(
                            io.stderr,
                            format_args!(
                                "dgst: Unknown option or message digest: {other}\ndgst: Use -help for summary."
                            ),
                        );
                        return 1;
                    }
                    _ => files.push(a.clone()),
                }
            }
            // `dgst` alone defaults to SHA-256 under its short name.
            let (digest, label) = match &algorithm {
                Some(name) => {
                    let d = crypto::Digest::named(name).unwrap_or(crypto::Digest::Sha256);
                    (d, d.label())
                }
                None => (crypto::Digest::Sha256, "SHA256"),
            };
            let mut status = 0;
            let inputs: Vec<(String, Option<Vec<u8>>)> = if files.is_empty() {
                vec![("stdin".into(), Some(io.stdin.to_vec()))]
            } else {
                files
                    .iter()
                    .map(|f| (f.clone(), ctx.fs.read(&ctx.abs(f)).ok()))
                    .collect()
            };
            for (name, data) in inputs {
                match data {
                    Some(data) => {
                        let sum = digest.hex(&data);
                        if reverse {
                            let _ = writeln!(io.stdout, "{sum} *{name}");
                        } else {
                            let _ = writeln!(io.stdout, "{label}({name})= {sum}");
                        }
                    }
                    None => {
                        write_err(io.stderr, format_args!("{name}: No such file or directory"));
                        status = 1;
                    }
                }
            }
            status
        }
        "s_client" => {
            let target = args
                .iter()
                .position(|a| a == "-connect")
                .and_then(|i| args.get(i + 1))
                .cloned()
                .unwrap_or_else(|| "localhost:4433".into());
            write_err(
                io.stderr,
                format_args!(
                    "docklab: openssl s_client cannot connect to {target}: the lab's containers have no network to open a TLS connection on"
                ),
            );
            1
        }
        "-help" | "--help" | "-h" => {
            let _ = write!(io.stderr, "{OPENSSL_HELP}");
            0
        }
        known
            if OPENSSL_HELP
                .lines()
                .filter(|l| l.ends_with(' '))
                .flat_map(str::split_whitespace)
                .any(|w| w == known) =>
        {
            write_err(
                io.stderr,
                format_args!(
                    "openssl: docklab does not simulate the command 'openssl {known}' yet"
                ),
            );
            1
        }
        other => {
            write_err(
                io.stderr,
                format_args!("Invalid command '{other}'; type \"help\" for a list."),
            );
            1
        }
    }
}

// --- zdump ---------------------------------------------------------------------------

pub fn zdump(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let musl = matches!(Release::detect(ctx.fs), Release::Alpine(_));
    let mut zones_asked: Vec<String> = Vec::new();
    let mut it = argv[1..].iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--version" => {
                let line = if musl {
                    let tz = package_version(ctx, "tzdata")
                        .map(|v| v.split('-').next().unwrap_or(&v).to_string())
                        .unwrap_or_else(|| "2025b".into());
                    format!("zdump (tzcode) {tz}")
                } else {
                    let libc =
                        package_version(ctx, "libc6").unwrap_or_else(|| "2.36-9+deb12u10".into());
                    let upstream = libc.split('-').next().unwrap_or("2.36").to_string();
                    let vendor = if libc.contains("ubuntu") {
                        "Ubuntu"
                    } else {
                        "Debian"
                    };
                    format!("zdump ({vendor} GLIBC {libc}) {upstream}")
                };
                let _ = writeln!(io.stdout, "{line}");
                return 0;
            }
            "--help" => {
                let bugs = if musl {
                    "tz@iana.org"
                } else {
                    "<http://www.debian.org/Bugs/>"
                };
                let _ = write!(
                    io.stdout,
                    "zdump: usage: zdump OPTIONS TIMEZONE ...\nOptions include:\n  -c [L,]U   Start at year L (default -500), end before year U (default 2500)\n  -t [L,]U   Start at time L, end before time U (in seconds since 1970)\n  -i         List transitions briefly (format is experimental)\n  -v         List transitions verbosely\n  -V         List transitions a bit less verbosely\n  --help     Output this help\n  --version  Output version info\n\nReport bugs to {bugs}.\n"
                );
                return 0;
            }
            "-c" | "-t" => {
                it.next();
            }
            "-v" | "-V" | "-i" => {
                write_err(
                    io.stderr,
                    format_args!("zdump: docklab does not simulate listing transitions ({a}) yet"),
                );
                return 1;
            }
            z if z.starts_with('-') => {
                let _ = write!(
                    io.stderr,
                    "zdump: invalid option -- '{}'\nzdump: usage: zdump OPTIONS TIMEZONE ...\n",
                    z.trim_start_matches('-').chars().next().unwrap_or('-')
                );
                return 1;
            }
            z => zones_asked.push(z.to_string()),
        }
    }
    let now = ctx.host.now();
    let width = zones_asked.iter().map(|z| z.len()).max().unwrap_or(0);
    let dir = "/usr/share/zoneinfo";
    let archive = ctx.fs.exists(&format!("{dir}/zoneinfo.tar"));
    for name in &zones_asked {
        let file = if name.starts_with('/') {
            name.clone()
        } else {
            format!("{dir}/{name}")
        };
        let installed = ctx.fs.metadata(&file).is_ok_and(|m| m.is_file())
            || (archive && zones::find(name).is_some());
        let (local, abbr) = match zones::find(name).filter(|_| installed) {
            Some(zone) => zone.local(now),
            // An unknown zone is read as a POSIX TZ string: its leading letters name
            // standard time, at UTC.
            None => {
                let letters: String = name
                    .chars()
                    .take_while(|c| c.is_ascii_alphabetic())
                    .collect();
                let abbr = if letters.len() >= 3 {
                    letters
                } else {
                    "UTC".into()
                };
                (now.naive_utc(), abbr)
            }
        };
        let _ = writeln!(
            io.stdout,
            "{name:<width$}  {} {abbr}",
            local.format("%a %b %e %H:%M:%S %Y")
        );
    }
    0
}

// --- update-ca-certificates ----------------------------------------------------------

const LOCAL_CERTS: &str = "/usr/local/share/ca-certificates";
const ETC_CERTS: &str = "/etc/ssl/certs";

/// Certificate files under the local directory, `(path under it, full path)`.
fn local_certs(ctx: &Ctx<'_>, dir: &str, under: &str, out: &mut Vec<(String, String)>) {
    let Ok(entries) = ctx.fs.read_dir(dir) else {
        return;
    };
    for e in entries {
        let full = format!("{dir}/{}", e.name);
        let rel = if under.is_empty() {
            e.name.clone()
        } else {
            format!("{under}/{}", e.name)
        };
        if ctx.fs.metadata(&full).is_ok_and(|m| m.is_dir()) {
            if out.len() < 10_000 {
                local_certs(ctx, &full, &rel, out);
            }
        } else if e.name.ends_with(".crt") {
            out.push((rel, full));
        }
    }
}

pub fn update_ca_certificates(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let alpine = matches!(Release::detect(ctx.fs), Release::Alpine(_));
    let mut fresh = false;
    for a in &argv[1..] {
        match a.as_str() {
            "--verbose" | "-v" | "--default" | "-d" if !alpine => {}
            "--fresh" | "-f" if !alpine => fresh = true,
            _ if alpine => {}
            _ => {
                let _ = writeln!(io.stdout, "{}: [--verbose] [--fresh]", argv[0]);
                return 0;
            }
        }
    }
    let mut certs = Vec::new();
    local_certs(ctx, LOCAL_CERTS, "", &mut certs);
    certs.sort();
    let _ = super::packages::create_dirs(ctx.fs, ETC_CERTS);
    let mut added = 0;
    let mut removed = 0;
    let mut warnings = Vec::new();
    if fresh {
        let _ = writeln!(io.stdout, "Clearing symlinks in {ETC_CERTS}...\ndone.");
    }
    for (rel, full) in &certs {
        let link = format!(
            "{ETC_CERTS}/{}.pem",
            rel.trim_end_matches(".crt").replace('/', "_")
        );
        let text = read_text(ctx, full);
        if text.matches("-----BEGIN CERTIFICATE-----").count() != 1 {
            warnings.push(format!(
                "rehash: warning: skipping {},it does not contain exactly one certificate or CRL",
                vfs::file_name(&link)
            ));
        }
        if fresh || ctx.fs.symlink_metadata(&link).is_err() {
            let _ = ctx.fs.remove_file(&link);
            let _ = ctx.fs.symlink(full, &link);
            added += 1;
        }
    }
    // Links to local certificates that are gone.
    for e in ctx.fs.read_dir(ETC_CERTS).unwrap_or_default() {
        let path = format!("{ETC_CERTS}/{}", e.name);
        if let Ok(target) = ctx.fs.read_link(&path)
            && target.starts_with(LOCAL_CERTS)
            && !ctx.fs.exists(&target)
        {
            let _ = ctx.fs.remove_file(&path);
            removed += 1;
        }
    }
    // The bundle every TLS client reads: the system's certificates and the local ones.
    let bundle = format!("{ETC_CERTS}/ca-certificates.crt");
    let mut bytes = ctx.fs.read(&bundle).unwrap_or_default();
    for (_, full) in &certs {
        let cert = ctx.fs.read(full).unwrap_or_default();
        let trimmed = cert.trim_ascii();
        if !trimmed.is_empty() && memchr::memmem::find(&bytes, trimmed).is_none() {
            bytes.extend_from_slice(&cert);
            if !bytes.ends_with(b"\n") {
                bytes.push(b'\n');
            }
        }
    }
    let _ = ctx.fs.write(&bundle, &bytes, false);
    if alpine {
        return 0;
    }
    let _ = writeln!(io.stdout, "Updating certificates in {ETC_CERTS}...");
    for w in warnings {
        let _ = writeln!(io.stderr, "{w}");
    }
    let _ = writeln!(
        io.stdout,
        "{added} added, {removed} removed; done.\nRunning hooks in /etc/ca-certificates/update.d...\ndone."
    );
    0
}

// --- getcap / setcap -----------------------------------------------------------------

/// Capability names by number, as libcap spells them.
const CAPS: &[&str] = &[
    "cap_chown",
    "cap_dac_override",
    "cap_dac_read_search",
    "cap_fowner",
    "cap_fsetid",
    "cap_kill",
    "cap_setgid",
    "cap_setuid",
    "cap_setpcap",
    "cap_linux_immutable",
    "cap_net_bind_service",
    "cap_net_broadcast",
    "cap_net_admin",
    "cap_net_raw",
    "cap_ipc_lock",
    "cap_ipc_owner",
    "cap_sys_module",
    "cap_sys_rawio",
    "cap_sys_chroot",
    "cap_sys_ptrace",
    "cap_sys_pacct",
    "cap_sys_admin",
    "cap_sys_boot",
    "cap_sys_nice",
    "cap_sys_resource",
    "cap_sys_time",
    "cap_sys_tty_config",
    "cap_mknod",
    "cap_lease",
    "cap_audit_write",
    "cap_audit_control",
    "cap_setfcap",
    "cap_mac_override",
    "cap_mac_admin",
    "cap_syslog",
    "cap_wake_alarm",
    "cap_block_suspend",
    "cap_audit_read",
    "cap_perfmon",
    "cap_bpf",
    "cap_checkpoint_restore",
];

/// `cap_net_bind_service=+ep` → libcap's canonical text (`cap_net_bind_service=ep`):
/// capabilities grouped by their flags, in capability order. None if it does not parse.
fn canonical_caps(text: &str) -> Option<String> {
    // Flags per capability: bits e=1, i=2, p=4.
    let mut flags = vec![0u8; CAPS.len()];
    for clause in text.split_whitespace() {
        let at = clause.find(['=', '+', '-'])?;
        let (names, mut ops) = clause.split_at(at);
        let selected: Vec<usize> = if names.is_empty() || names == "all" {
            (0..CAPS.len()).collect()
        } else {
            names
                .split(',')
                .map(|n| {
                    let n = n.to_ascii_lowercase();
                    CAPS.iter().position(|c| *c == n)
                })
                .collect::<Option<Vec<_>>>()?
        };
        while !ops.is_empty() {
            let op = ops.chars().next()?;
            let rest = &ops[1..];
            let end = rest.find(['=', '+', '-']).unwrap_or(rest.len());
            let mut bits = 0u8;
            for c in rest[..end].chars() {
                bits |= match c {
                    'e' => 1,
                    'i' => 2,
                    'p' => 4,
                    _ => return None,
                };
            }
            for &c in &selected {
                flags[c] = match op {
                    '=' => bits,
                    '+' => flags[c] | bits,
                    _ => flags[c] & !bits,
                };
            }
            ops = &rest[end..];
        }
    }
    let mut groups: Vec<(u8, Vec<&str>)> = Vec::new();
    for (i, f) in flags.iter().enumerate() {
        if *f == 0 {
            continue;
        }
        match groups.iter_mut().find(|(g, _)| g == f) {
            Some((_, names)) => names.push(CAPS[i]),
            None => groups.push((*f, vec![CAPS[i]])),
        }
    }
    let text: Vec<String> = groups
        .iter()
        .map(|(f, names)| {
            let mut letters = String::new();
            if f & 1 != 0 {
                letters.push('e');
            }
            if f & 2 != 0 {
                letters.push('i');
            }
            if f & 4 != 0 {
                letters.push('p');
            }
            format!("{}={letters}", names.join(","))
        })
        .collect();
    Some(text.join(" "))
}

fn read_caps(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    read_text(ctx, CAPS_FILE)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(p, c)| (p.to_string(), c.to_string()))
        .collect()
}

fn write_caps(ctx: &mut Ctx<'_>, caps: &[(String, String)]) {
    let _ = super::packages::create_dirs(ctx.fs, &vfs::parent(CAPS_FILE));
    let text: String = caps.iter().map(|(p, c)| format!("{p} {c}\n")).collect();
    let _ = ctx.fs.write(CAPS_FILE, text.as_bytes(), false);
}

const GETCAP_USAGE: &str = "usage: getcap [-h] [-l] [-n] [-r] [-v] <filename> [<filename> ...]\n\n\tdisplays the capabilities on the queried file(s).\n";
const SETCAP_USAGE: &str = "usage: setcap [-h] [-q] [-v] [-n <rootid>] (-r|-|<caps>) <filename> [ ... (-r|-|<capsN>) <filenameN> ]\n\n Note <filename> must be a regular (non-symlink) file.\n -r          remove capability from file\n -           read capability text from stdin\n <capsN>     cap_from_text(3) formatted file capability\n [ Note: capsh --suggest=\"something...\" might help you pick. ]\n -h          this message and exit status 0\n -q          quietly\n -v          validate supplied capability matches file\n -n <rootid> write a user namespace (!= 0) limited capability\n --license   display the license info\n";

pub fn getcap(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let mut recursive = false;
    let mut files = Vec::new();
    for a in &argv[1..] {
        match a.as_str() {
            "-r" => recursive = true,
            "-v" | "-n" | "-l" => {}
            "-h" => {
                let _ = write!(io.stderr, "{GETCAP_USAGE}");
                return 1;
            }
            o if o.starts_with('-') => {
                let c = o.trim_start_matches('-').chars().next().unwrap_or('-');
                let _ = write!(io.stderr, "getcap: invalid option -- '{c}'\n{GETCAP_USAGE}");
                return 1;
            }
            f => files.push(f.to_string()),
        }
    }
    if files.is_empty() {
        let _ = write!(io.stderr, "{GETCAP_USAGE}");
        return 1;
    }
    let caps = read_caps(ctx);
    for f in files {
        let abs = ctx.abs(&f);
        if ctx.fs.symlink_metadata(&abs).is_err() {
            write_err(
                io.stderr,
                format_args!("{f} ({})", "No such file or directory"),
            );
            continue;
        }
        if recursive && ctx.fs.metadata(&abs).is_ok_and(|m| m.is_dir()) {
            let prefix = format!("{}/", abs.trim_end_matches('/'));
            for (p, c) in &caps {
                if p.starts_with(&prefix) && ctx.fs.exists(p) {
                    let shown = format!("{}/{}", f.trim_end_matches('/'), &p[prefix.len()..]);
                    let _ = writeln!(io.stdout, "{shown} {c}");
                }
            }
            continue;
        }
        if let Some((_, c)) = caps.iter().find(|(p, _)| *p == abs) {
            let _ = writeln!(io.stdout, "{f} {c}");
        }
    }
    0
}

pub fn setcap(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let mut args = argv[1..].iter().peekable();
    while let Some(a) = args.peek() {
        match a.as_str() {
            "-q" | "-v" => {}
            "-h" => {
                let _ = write!(io.stdout, "{SETCAP_USAGE}");
                return 0;
            }
            "-n" => {
                args.next();
            }
            _ => break,
        }
        args.next();
    }
    let rest: Vec<&String> = args.collect();
    if rest.len() < 2 || !rest.len().is_multiple_of(2) {
        let _ = write!(io.stderr, "{SETCAP_USAGE}");
        return 1;
    }
    let mut caps = read_caps(ctx);
    for pair in rest.chunks(2) {
        let (text, file) = (pair[0], pair[1]);
        let abs = ctx.abs(file);
        let remove = text == "-r";
        let canonical = if remove {
            None
        } else {
            let text = if text == "-" {
                String::from_utf8_lossy(io.stdin).trim().to_string()
            } else {
                text.clone()
            };
            match canonical_caps(&text) {
                Some(c) => Some(c),
                None => {
                    let _ = write!(io.stderr, "fatal error: Invalid argument\n{SETCAP_USAGE}");
                    return 1;
                }
            }
        };
        match ctx.fs.symlink_metadata(&abs) {
            Err(_) => {
                write_err(
                    io.stderr,
                    format_args!(
                        "Failed to set capabilities on file '{file}': No such file or directory"
                    ),
                );
                return 1;
            }
            Ok(m) if !m.is_file() => {
                write_err(
                    io.stderr,
                    format_args!("Invalid file '{file}' for capability operation"),
                );
                return 1;
            }
            Ok(_) => {}
        }
        caps.retain(|(p, _)| *p != abs);
        if let Some(c) = canonical.filter(|c| !c.is_empty()) {
            caps.push((abs, c));
        }
    }
    write_caps(ctx, &caps);
    0
}

#[cfg(test)]
mod tests;
