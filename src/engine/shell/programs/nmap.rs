//! `nmap` (7.9x): a deterministic TCP connect scan of the container's own addresses.
//!
//! The listening ports come from the container's /proc/net/tcp and /proc/net/tcp6
//! (the kernel's own format; state `0A` = LISTEN), which the runtime provides for the
//! container's processes. Without them nothing listens. Names resolve through
//! /etc/hosts only. Owns no state; the clock is the shell host's.

use super::packages::Release;
use super::{Ctx, Streams};
use crate::engine::shell::{Flavour, write_err};

/// A few lines of nmap-services: (port, name, in nmap's top 1000).
const SERVICES: &[(u16, &str, bool)] = &[
    (21, "ftp", true),
    (22, "ssh", true),
    (23, "telnet", true),
    (25, "smtp", true),
    (53, "domain", true),
    (80, "http", true),
    (81, "hosts2-ns", true),
    (110, "pop3", true),
    (111, "rpcbind", true),
    (143, "imap", true),
    (443, "https", true),
    (445, "microsoft-ds", true),
    (993, "imaps", true),
    (995, "pop3s", true),
    (1433, "ms-sql-s", true),
    (3000, "ppp", true),
    (3306, "mysql", true),
    (3389, "ms-wbt-server", true),
    (5000, "upnp", true),
    (5432, "postgresql", true),
    (5900, "vnc", true),
    (6379, "redis", false),
    (8000, "http-alt", true),
    (8080, "http-proxy", true),
    (8443, "https-alt", true),
    (8888, "sun-answerbook", true),
    (9000, "cslistener", true),
    (27017, "mongod", true),
];

fn service(port: u16) -> &'static str {
    SERVICES
        .iter()
        .find(|(p, _, _)| *p == port)
        .map_or("unknown", |(_, n, _)| n)
}

fn in_top_1000(port: u16) -> bool {
    SERVICES.iter().any(|(p, _, top)| *p == port && *top)
}

/// The version nmap reports, from the package that installed it.
fn version(ctx: &Ctx<'_>) -> String {
    let read = |p: &str| {
        ctx.fs
            .read(p)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    match Release::detect(ctx.fs) {
        Release::Alpine(_) => read("/lib/apk/db/installed")
            .split("\n\n")
            .find(|b| b.lines().any(|l| l == "P:nmap"))
            .and_then(|b| b.lines().find_map(|l| l.strip_prefix("V:")))
            .map(|v| v.split('-').next().unwrap_or(v).to_string()),
        Release::Debian { .. } => read("/var/lib/dpkg/status")
            .split("\n\n")
            .find(|b| b.starts_with("Package: nmap\n"))
            .and_then(|b| b.lines().find_map(|l| l.strip_prefix("Version: ")))
            .map(|v| {
                let upstream = v.split(['+', '-']).next().unwrap_or(v);
                if v.contains("+git") {
                    format!("{upstream}SVN")
                } else {
                    upstream.to_string()
                }
            }),
        Release::Unknown => None,
    }
    .unwrap_or_else(|| "7.95".to_string())
}

/// Listening TCP ports: (port, bound to loopback only).
fn listening(ctx: &Ctx<'_>) -> Vec<(u16, bool)> {
    let mut out: Vec<(u16, bool)> = Vec::new();
    for path in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(bytes) = ctx.fs.read(path) else {
            continue;
        };
        for line in String::from_utf8_lossy(&bytes).lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.len() < 4 || cols[3] != "0A" {
                continue;
            }
            let Some((addr, port)) = cols[1].split_once(':') else {
                continue;
            };
            let Ok(port) = u16::from_str_radix(port, 16) else {
                continue;
            };
            let loopback = addr == "0100007F" || addr == "00000000000000000000000001000000";
            if !out.iter().any(|(p, _)| *p == port) {
                out.push((port, loopback));
            }
        }
    }
    out.sort_unstable();
    out
}

/// `name` → (address, other addresses) via /etc/hosts, as the resolver would.
fn resolve(ctx: &Ctx<'_>, name: &str) -> Option<(String, Vec<String>)> {
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return Some((name.to_string(), Vec::new()));
    }
    let hosts = ctx
        .fs
        .read("/etc/hosts")
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let mut v4 = Vec::new();
    let mut v6 = Vec::new();
    for line in hosts.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let Some(addr) = words.next() else { continue };
        if words.any(|w| w == name) {
            if addr.contains(':') {
                v6.push(addr.to_string());
            } else {
                v4.push(addr.to_string());
            }
        }
    }
    if name == "localhost" && v4.is_empty() {
        v4.push("127.0.0.1".to_string());
    }
    let first = v4.first()?.clone();
    let mut others: Vec<String> = v4[1..].to_vec();
    others.extend(v6);
    Some((first, others))
}

fn parse_ports(spec: &str) -> Option<Vec<u16>> {
    if spec == "-" {
        return Some((1..=65535).collect());
    }
    let mut out = Vec::new();
    for part in spec.split(',') {
        let part = part.trim_start_matches("T:");
        match part.split_once('-') {
            Some((a, b)) => {
                let a: u16 = if a.is_empty() { 1 } else { a.parse().ok()? };
                let b: u16 = if b.is_empty() { 65535 } else { b.parse().ok()? };
                out.extend(a..=b);
            }
            None => out.push(part.parse().ok()?),
        }
    }
    Some(out)
}

pub fn nmap(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    if ctx.flavour == Flavour::Lab {
        write_err(io.stderr, format_args!("{}", super::lab_hint("nmap")));
        return 127;
    }
    let version = version(ctx);
    let mut ports: Option<Vec<u16>> = None;
    let mut service_scan = false;
    let mut targets: Vec<String> = Vec::new();
    let mut args = argv[1..].iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "-h" | "--help" => {
                let _ = write!(io.stdout, "{}", usage(&version));
                return 0;
            }
            "-V" | "--version" => {
                let _ = writeln!(
                    io.stdout,
                    "Nmap version {version} ( https://nmap.org )\nPlatform: x86_64-pc-linux-gnu\nCompiled with: liblua-5.4.6 openssl-3.3.3 libssh2-1.11.1 libz-1.3.1 libpcre2-10.43 nmap-libpcap-1.10.5 nmap-libdnet-1.12 ipv6\nCompiled without:\nAvailable nsock engines: epoll poll select"
                );
                return 0;
            }
            "-sV" | "-A" => service_scan = true,
            "-sT" | "-sS" | "-Pn" | "-n" | "-v" | "-T4" | "-T3" | "-F" | "--open" => {}
            "-p" => match args.next().and_then(|s| parse_ports(s)) {
                Some(p) => ports = Some(p),
                None => {
                    let _ = writeln!(
                        io.stderr,
                        "Error #485: Your port specifications are illegal.  Example of proper form: \"-100,200-1024,T:3000-4000,U:60000-\"\nQUITTING!"
                    );
                    return 1;
                }
            },
            s if s.starts_with("-p") => match parse_ports(&s[2..]) {
                Some(p) => ports = Some(p),
                None => {
                    let _ = writeln!(
                        io.stderr,
                        "Error #485: Your port specifications are illegal.  Example of proper form: \"-100,200-1024,T:3000-4000,U:60000-\"\nQUITTING!"
                    );
                    return 1;
                }
            },
            s if s.starts_with("--") => {
                let _ = writeln!(
                    io.stderr,
                    "nmap: unrecognized option '{s}'\nSee the output of nmap -h for a summary of options."
                );
                return 255;
            }
            s if s.starts_with('-') && s.len() > 1 => {
                let _ = writeln!(
                    io.stderr,
                    "nmap: invalid option -- '{}'\nSee the output of nmap -h for a summary of options.",
                    &s[1..2]
                );
                return 255;
            }
            _ => targets.push(a.clone()),
        }
    }
    if targets.is_empty() {
        let _ = write!(io.stdout, "{}", usage(&version));
        return 0;
    }
    let now = ctx.host.now();
    let _ = writeln!(
        io.stdout,
        "Starting Nmap {version} ( https://nmap.org ) at {}",
        now.format("%Y-%m-%d %H:%M UTC")
    );
    let mut resolved = Vec::new();
    for t in &targets {
        match resolve(ctx, t) {
            Some(r) => resolved.push((t.clone(), r)),
            None => {
                let _ = writeln!(io.stderr, "Failed to resolve \"{t}\".");
            }
        }
    }
    if resolved.is_empty() {
        let _ = writeln!(
            io.stderr,
            "WARNING: No targets were specified, so 0 hosts scanned."
        );
        let _ = writeln!(
            io.stdout,
            "Nmap done: 0 IP addresses (0 hosts up) scanned in 0.04 seconds"
        );
        return 0;
    }
    let open_ports = listening(ctx);
    let own = own_addresses(ctx);
    let mut up = 0;
    let mut seconds = 0.0;
    for (name, (addr, others)) in &resolved {
        let label = if name == addr {
            addr.clone()
        } else {
            format!("{name} ({addr})")
        };
        let is_self = addr.starts_with("127.") || own.contains(addr);
        if !is_self {
            seconds += 3.04;
            continue;
        }
        up += 1;
        seconds += if service_scan { 6.27 } else { 0.13 };
        let _ = writeln!(io.stdout, "Nmap scan report for {label}");
        let _ = writeln!(io.stdout, "Host is up (0.0000040s latency).");
        if !others.is_empty() {
            let _ = writeln!(
                io.stdout,
                "Other addresses for {name} (not scanned): {}",
                others.join(" ")
            );
        }
        let scanned: Vec<u16> = match &ports {
            Some(p) => p.clone(),
            None => Vec::new(),
        };
        let scans = |p: u16| {
            if ports.is_some() {
                scanned.contains(&p)
            } else {
                in_top_1000(p)
            }
        };
        let total = ports.as_ref().map_or(1000, Vec::len);
        let open: Vec<u16> = open_ports
            .iter()
            .filter(|(p, lo)| scans(*p) && (!*lo || addr.starts_with("127.")))
            .map(|(p, _)| *p)
            .collect();
        let closed = total - open.len();
        let mut rows: Vec<(String, &str, &str)> = Vec::new();
        if closed > 25 {
            if open.is_empty() {
                let _ = writeln!(
                    io.stdout,
                    "All {total} scanned ports on {label} are in ignored states."
                );
            }
            let _ = writeln!(io.stdout, "Not shown: {closed} closed tcp ports (reset)");
            for p in &open {
                rows.push((format!("{p}/tcp"), "open", service(*p)));
            }
        } else {
            for p in scanned.iter().copied() {
                let state = if open.contains(&p) { "open" } else { "closed" };
                rows.push((format!("{p}/tcp"), state, service(p)));
            }
        }
        if !rows.is_empty() {
            let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(4);
            let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(5);
            let header = if service_scan {
                "SERVICE VERSION"
            } else {
                "SERVICE"
            };
            let _ = writeln!(io.stdout, "{:<w0$} {:<w1$} {header}", "PORT", "STATE");
            for (port, state, svc) in &rows {
                let _ = writeln!(io.stdout, "{port:<w0$} {state:<w1$} {svc}");
            }
        }
        if service_scan && rows.iter().any(|r| r.1 == "open") {
            let _ = writeln!(
                io.stdout,
                "\nService detection performed. Please report any incorrect results at https://nmap.org/submit/ ."
            );
        }
        let _ = writeln!(io.stdout);
    }
    let down = resolved.len() - up;
    if down > 0 && up == 0 {
        let _ = writeln!(
            io.stdout,
            "Note: Host seems down. If it is really up, but blocking our ping probes, try -Pn"
        );
    }
    let hosts = resolved.len();
    let _ = writeln!(
        io.stdout,
        "Nmap done: {hosts} IP address{} ({up} host{} up) scanned in {seconds:.2} seconds",
        if hosts == 1 { "" } else { "es" },
        if up == 1 { "" } else { "s" }
    );
    ctx.host
        .sleep(std::time::Duration::from_millis((seconds * 1000.0) as u64));
    0
}

/// The container's own addresses: every IPv4 address /etc/hosts gives its hostname.
fn own_addresses(ctx: &Ctx<'_>) -> Vec<String> {
    let hostname = ctx
        .fs
        .read("/etc/hostname")
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    if hostname.is_empty() {
        return Vec::new();
    }
    resolve(ctx, &hostname)
        .map(|(a, o)| std::iter::once(a).chain(o).collect())
        .unwrap_or_default()
}

fn usage(version: &str) -> String {
    format!(
        "Nmap {version} ( https://nmap.org )
Usage: nmap [Scan Type(s)] [Options] {{target specification}}
TARGET SPECIFICATION:
  Can pass hostnames, IP addresses, networks, etc.
  Ex: scanme.nmap.org, microsoft.com/24, 192.168.0.1; 10.0.0-255.1-254
  -iL <inputfilename>: Input from list of hosts/networks
  -iR <num hosts>: Choose random targets
  --exclude <host1[,host2][,host3],...>: Exclude hosts/networks
  --excludefile <exclude_file>: Exclude list from file
HOST DISCOVERY:
  -sL: List Scan - simply list targets to scan
  -sn: Ping Scan - disable port scan
  -Pn: Treat all hosts as online -- skip host discovery
  -PS/PA/PU/PY[portlist]: TCP SYN/ACK, UDP or SCTP discovery to given ports
  -PE/PP/PM: ICMP echo, timestamp, and netmask request discovery probes
  -PO[protocol list]: IP Protocol Ping
  -n/-R: Never do DNS resolution/Always resolve [default: sometimes]
  --dns-servers <serv1[,serv2],...>: Specify custom DNS servers
  --system-dns: Use OS's DNS resolver
  --traceroute: Trace hop path to each host
SCAN TECHNIQUES:
  -sS/sT/sA/sW/sM: TCP SYN/Connect()/ACK/Window/Maimon scans
  -sU: UDP Scan
  -sN/sF/sX: TCP Null, FIN, and Xmas scans
  --scanflags <flags>: Customize TCP scan flags
  -sI <zombie host[:probeport]>: Idle scan
  -sY/sZ: SCTP INIT/COOKIE-ECHO scans
  -sO: IP protocol scan
  -b <FTP relay host>: FTP bounce scan
PORT SPECIFICATION AND SCAN ORDER:
  -p <port ranges>: Only scan specified ports
    Ex: -p22; -p1-65535; -p U:53,111,137,T:21-25,80,139,8080,S:9
  --exclude-ports <port ranges>: Exclude the specified ports from scanning
  -F: Fast mode - Scan fewer ports than the default scan
  -r: Scan ports sequentially - don't randomize
  --top-ports <number>: Scan <number> most common ports
  --port-ratio <ratio>: Scan ports more common than <ratio>
SERVICE/VERSION DETECTION:
  -sV: Probe open ports to determine service/version info
  --version-intensity <level>: Set from 0 (light) to 9 (try all probes)
  --version-light: Limit to most likely probes (intensity 2)
  --version-all: Try every single probe (intensity 9)
  --version-trace: Show detailed version scan activity (for debugging)
SCRIPT SCAN:
  -sC: equivalent to --script=default
  --script=<Lua scripts>: <Lua scripts> is a comma separated list of
           directories, script-files or script-categories
OS DETECTION:
  -O: Enable OS detection
OUTPUT:
  -oN/-oX/-oS/-oG <file>: Output scan in normal, XML, s|<rIpt kIddi3,
     and Grepable format, respectively, to the given filename.
  -v: Increase verbosity level (use -vv or more for greater effect)
MISC:
  -6: Enable IPv6 scanning
  -A: Enable OS detection, version detection, script scanning, and traceroute
  -V: Print version number
  -h: Print this help summary page.
EXAMPLES:
  nmap -v -A scanme.nmap.org
  nmap -v -sn 192.168.0.0/16 10.0.0.0/8
  nmap -v -iR 10000 -Pn -p 80
SEE THE MAN PAGE (https://nmap.org/book/man.html) FOR MORE OPTIONS AND EXAMPLES
"
    )
}

#[cfg(test)]
mod tests {
    use super::super::packages::fixture;

    #[test]
    fn localhost_with_nothing_listening() {
        let mut c = fixture::alpine("3.21.3");
        c.run("apk add nmap");
        let r = c.run("nmap localhost");
        insta::assert_snapshot!(r.out, @r"
        Starting Nmap 7.95 ( https://nmap.org ) at 2023-11-14 22:13 UTC
        Nmap scan report for localhost (127.0.0.1)
        Host is up (0.0000040s latency).
        Other addresses for localhost (not scanned): ::1
        All 1000 scanned ports on localhost (127.0.0.1) are in ignored states.
        Not shown: 1000 closed tcp ports (reset)

        Nmap done: 1 IP address (1 host up) scanned in 0.13 seconds
        ");
    }

    #[test]
    fn listening_ports_come_from_proc_net_tcp() {
        let mut c = fixture::alpine("3.21.3");
        c.run("apk add nmap");
        std::fs::create_dir_all(c.dir.path().join("proc/net")).unwrap();
        std::fs::write(
            c.dir.path().join("proc/net/tcp"),
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 0000000000000000 100 0 0 10 0\n",
        )
        .unwrap();
        let r = c.run("nmap localhost");
        assert!(r.out.contains("Not shown: 999 closed tcp ports (reset)\nPORT   STATE SERVICE\n80/tcp open  http\n\n"), "{}", r.out);
        let r = c.run("nmap -p 80,443 localhost");
        assert!(
            r.out
                .contains("PORT    STATE  SERVICE\n80/tcp  open   http\n443/tcp closed https\n"),
            "{}",
            r.out
        );
    }

    #[test]
    fn unresolvable_names_unreachable_hosts_and_bad_options() {
        let mut c = fixture::alpine("3.21.3");
        c.run("apk add nmap");
        let r = c.run("nmap nosuch");
        assert_eq!(
            r.err,
            "Failed to resolve \"nosuch\".\nWARNING: No targets were specified, so 0 hosts scanned.\n"
        );
        let r = c.run("nmap 10.0.0.1");
        assert!(r.out.contains("Note: Host seems down. If it is really up, but blocking our ping probes, try -Pn\nNmap done: 1 IP address (0 hosts up) scanned in 3.04 seconds\n"), "{}", r.out);
        let r = c.run("nmap --foo");
        assert_eq!(r.status, 255);
        assert_eq!(
            r.err,
            "nmap: unrecognized option '--foo'\nSee the output of nmap -h for a summary of options.\n"
        );
        let r = c.run("nmap");
        assert!(r.out.starts_with("Nmap 7.95 ( https://nmap.org )\nUsage: nmap [Scan Type(s)] [Options] {target specification}\n"));
    }
}
