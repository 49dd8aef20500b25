//! How a container's programs find other hosts, as the C library does it: a literal
//! address, then /etc/hosts, then the DNS server of /etc/resolv.conf, which in a
//! container is the engine's embedded DNS (`Host::lookup`). One resolver for `ping`,
//! `wget`, `curl`, `nc`, `nslookup`, `getent` and `hostname -i`, so they agree.
//!
//! Also owns what the container's own interfaces are (`Host::addresses`, or the
//! runtime's /etc/hosts line where the engine gives none) and where a TCP connection
//! to an address ends (`Host::route`). It never touches the host's network itself: the
//! caller connects to the `SocketAddr` it is given.

use super::Ctx;
use crate::engine::shell::Route;
use std::net::{Ipv4Addr, SocketAddr};

/// `(address, names)` of /etc/hosts' IPv4 lines, in file order.
pub(crate) fn hosts_file(ctx: &Ctx<'_>) -> Vec<(Ipv4Addr, Vec<String>)> {
    text(ctx, "/etc/hosts")
        .lines()
        .filter_map(|l| {
            let l = l.split('#').next().unwrap_or("");
            let mut words = l.split_whitespace();
            let addr: Ipv4Addr = words.next()?.parse().ok()?;
            Some((addr, words.map(str::to_string).collect()))
        })
        .collect()
}

fn text(ctx: &Ctx<'_>, path: &str) -> String {
    ctx.fs
        .read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// The container's name for itself: `$HOSTNAME` as Docker sets it, else
/// /etc/hostname (the two agree in a container Docker started).
pub(crate) fn own_hostname(ctx: &Ctx<'_>) -> String {
    match ctx.var("HOSTNAME").filter(|h| !h.is_empty()) {
        Some(h) => h.to_string(),
        None => text(ctx, "/etc/hostname").trim().to_string(),
    }
}

/// The address /etc/hosts gives the container's own name, or the default bridge's
/// first container address where the runtime wrote no such line.
pub(crate) fn hosts_own_address(ctx: &Ctx<'_>) -> Option<Ipv4Addr> {
    let name = own_hostname(ctx);
    hosts_file(ctx)
        .into_iter()
        .find(|(a, names)| !a.is_loopback() && names.contains(&name))
        .map(|(a, _)| a)
        .or_else(|| crate::engine::net::DEFAULT_BRIDGE_ADDRESS.parse().ok())
}

/// The container's interfaces other than `lo`, `eth0` first, with prefix lengths: the
/// engine's endpoints, or the one /16 its /etc/hosts tells of.
pub(crate) fn interfaces(ctx: &mut Ctx<'_>) -> Vec<(Ipv4Addr, u8)> {
    let given = ctx.host.addresses();
    if !given.is_empty() {
        return given;
    }
    hosts_own_address(ctx)
        .map(|a| (a, 16))
        .into_iter()
        .collect()
}

/// Whether the engine told this process its endpoints (it is on a network it knows).
fn engine_networked(ctx: &mut Ctx<'_>) -> bool {
    !ctx.host.addresses().is_empty()
}

/// The DNS server programs ask: /etc/resolv.conf's first nameserver (`127.0.0.11` on a
/// user-defined network, the host's own on the default bridge). Docker always writes
/// that file; where nobody did, the embedded DNS is there if it knows the container's
/// own name or the container is on a user-defined network, and otherwise the C
/// library's default, the local host, is asked.
pub(crate) fn nameserver(ctx: &mut Ctx<'_>) -> String {
    let from_file = text(ctx, "/etc/resolv.conf").lines().find_map(|l| {
        let mut w = l.split_whitespace();
        (w.next() == Some("nameserver"))
            .then(|| w.next().map(str::to_string))
            .flatten()
    });
    if let Some(server) = from_file {
        return server;
    }
    let own = own_hostname(ctx);
    let knows_me = !own.is_empty() && !ctx.host.lookup(&own).is_empty();
    // Docker's default bridge (172.17.0.0/16) has no embedded DNS; every other network
    // the engine puts a container on is user-defined and has.
    let bridge = Ipv4Addr::new(172, 17, 0, 0);
    let user_defined = ctx
        .host
        .addresses()
        .iter()
        .any(|(a, _)| u32::from(*a) & 0xffff_0000 != u32::from(bridge));
    if knows_me || user_defined {
        EMBEDDED_DNS.to_string()
    } else {
        "127.0.0.1".to_string()
    }
}

/// Docker's embedded DNS server.
pub(crate) const EMBEDDED_DNS: &str = "127.0.0.11";

/// Where an answer came from: glibc and musl print both alike, nslookup asks only DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    Literal,
    HostsFile,
    Dns,
}

/// Every IPv4 address `name` has, as `getaddrinfo` finds them, and where from. Empty:
/// no such host.
pub(crate) fn resolve_all(ctx: &mut Ctx<'_>, name: &str) -> (Vec<Ipv4Addr>, Source) {
    if let Ok(a) = name.parse::<Ipv4Addr>() {
        return (vec![a], Source::Literal);
    }
    if name.is_empty() {
        return (Vec::new(), Source::Dns);
    }
    let from_hosts: Vec<Ipv4Addr> = hosts_file(ctx)
        .into_iter()
        .filter(|(_, names)| names.iter().any(|n| n.eq_ignore_ascii_case(name)))
        .map(|(a, _)| a)
        .collect();
    if !from_hosts.is_empty() {
        return (from_hosts, Source::HostsFile);
    }
    if name.eq_ignore_ascii_case("localhost") {
        return (vec![Ipv4Addr::LOCALHOST], Source::HostsFile);
    }
    if name == own_hostname(ctx) {
        let own: Vec<Ipv4Addr> = interfaces(ctx).into_iter().map(|(a, _)| a).collect();
        if !own.is_empty() {
            return (own, Source::HostsFile);
        }
    }
    (dns_lookup(ctx, name), Source::Dns)
}

/// What the DNS server of /etc/resolv.conf answers for `name`'s A record. Only the
/// embedded DNS answers: the lab has no outside network.
pub(crate) fn dns_lookup(ctx: &mut Ctx<'_>, name: &str) -> Vec<Ipv4Addr> {
    ctx.host.lookup(name)
}

/// The first address of `name`, as `gethostbyname` gives it.
pub(crate) fn resolve(ctx: &mut Ctx<'_>, name: &str) -> Option<Ipv4Addr> {
    resolve_all(ctx, name).0.into_iter().next()
}

/// The name of an address: /etc/hosts' first name for it, else the DNS's PTR answer.
pub(crate) fn reverse(ctx: &mut Ctx<'_>, addr: Ipv4Addr) -> Option<String> {
    hosts_file(ctx)
        .into_iter()
        .find(|(a, names)| *a == addr && !names.is_empty())
        .and_then(|(_, names)| names.into_iter().next())
        .or_else(|| ctx.host.reverse_lookup(addr))
}

/// Whether `addr` is one of the container's own.
fn is_own(ctx: &mut Ctx<'_>, addr: Ipv4Addr) -> bool {
    addr.is_loopback() || interfaces(ctx).iter().any(|(a, _)| *a == addr)
}

/// Whether `addr` is on one of the container's networks (ARP would find it there).
fn on_link(ctx: &mut Ctx<'_>, addr: Ipv4Addr) -> bool {
    interfaces(ctx).iter().any(|(a, prefix)| {
        let mask = u32::MAX.checked_shl(32 - u32::from(*prefix)).unwrap_or(0);
        u32::from(*a) & mask == u32::from(addr) & mask
    })
}

/// Whether an ICMP echo to `addr` comes back.
pub(crate) fn answers_ping(ctx: &mut Ctx<'_>, addr: Ipv4Addr) -> bool {
    is_own(ctx, addr) || ctx.host.route(addr, 0) != Route::Unreachable
}

/// How a TCP connect to `addr:port` ends, as the kernel reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Connect {
    /// Connect here (a loopback port, a published port, another container's server).
    To(SocketAddr),
    /// ECONNREFUSED: the host is up, nothing listens.
    Refused,
    /// EHOSTUNREACH after ARP's three seconds: nobody has that address on the link.
    NoRoute,
    /// ETIMEDOUT: the SYNs went out through the gateway and nothing came back.
    TimedOut,
    /// ENETUNREACH: the container has no network at all for that address.
    NetworkUnreachable,
}

/// Where a connection to `addr:port` from inside the container goes.
pub(crate) fn connect(ctx: &mut Ctx<'_>, addr: Ipv4Addr, port: u16) -> Connect {
    if addr.is_loopback() {
        // The container's own ports: served where the engine put them, if it did.
        if let Some(own) = ctx.host.addresses().first().map(|(a, _)| *a)
            && let Route::Open(to) = ctx.host.route(own, port)
        {
            return Connect::To(to);
        }
        let to = ctx
            .host
            .forward(port)
            .unwrap_or(SocketAddr::new(addr.into(), port));
        return Connect::To(to);
    }
    if !engine_networked(ctx) {
        // No endpoints from the engine (the lab's own shell, `--network none`): only
        // the address /etc/hosts names as the container's own is there, and it listens
        // on nothing that could be reached from here.
        if is_own(ctx, addr) {
            return Connect::Refused;
        }
        return match ctx.host.route(addr, port) {
            Route::Open(to) => Connect::To(to),
            Route::Refused => Connect::Refused,
            Route::Unreachable => Connect::NetworkUnreachable,
        };
    }
    match ctx.host.route(addr, port) {
        Route::Open(to) => Connect::To(to),
        Route::Refused => Connect::Refused,
        Route::Unreachable if is_own(ctx, addr) => Connect::Refused,
        Route::Unreachable if on_link(ctx, addr) => Connect::NoRoute,
        Route::Unreachable => Connect::TimedOut,
    }
}

/// Linux's `strerror` for a failed connect.
pub(crate) fn connect_error(c: Connect) -> &'static str {
    match c {
        Connect::To(_) | Connect::Refused => "Connection refused",
        Connect::NoRoute => "No route to host",
        Connect::TimedOut => "Connection timed out",
        Connect::NetworkUnreachable => "Network unreachable",
    }
}

/// How long the kernel takes to give up on a failed connect, in milliseconds: ARP's
/// three tries a second apart, or TCP's six SYN retries (1+2+...+64 s).
pub(crate) fn connect_failure_ms(c: Connect) -> u64 {
    match c {
        Connect::NoRoute => 3_070,
        Connect::TimedOut => 127_000,
        _ => 0,
    }
}

/// A host whose networks are what a test says: a container `me` at 172.18.0.2/16 on
/// `net1`, `db` at 172.18.0.3 (up, nothing listening), `web` at 172.18.0.4 serving
/// port 80 wherever `serve` says.
#[cfg(test)]
pub(crate) mod fake {
    use crate::engine::net::peers::Peers;
    use crate::engine::shell::testutil::Run;
    use crate::engine::shell::{Host, NullHost, Route, Shell, Streams, WorkspaceFs};
    use std::net::{Ipv4Addr, SocketAddr};

    pub const ME: Ipv4Addr = Ipv4Addr::new(172, 18, 0, 2);
    pub const DB: Ipv4Addr = Ipv4Addr::new(172, 18, 0, 3);
    pub const WEB: Ipv4Addr = Ipv4Addr::new(172, 18, 0, 4);

    pub struct Net {
        pub peers: Peers,
        pub clock: NullHost,
    }

    impl Net {
        /// `web:80` is served at `web80` (a real listener in the test), if given.
        pub fn new(web80: Option<SocketAddr>) -> Net {
            let mut peers = Peers::default();
            peers.add_own(ME, 16);
            for (name, addr) in [("db", DB), ("web", WEB), ("api", WEB)] {
                peers.add_name(name, addr);
                peers.add_up(addr);
            }
            peers.add_reverse(DB, "db.net1".into());
            peers.add_reverse(WEB, "web.net1".into());
            if let Some(to) = web80 {
                peers.add_open(WEB, 80, to);
                peers.add_open(WEB, 5000, to);
            }
            Net {
                peers,
                clock: NullHost::default(),
            }
        }

        /// No endpoints from the engine: the default behaviour of a host.
        pub fn none() -> Net {
            Net {
                peers: Peers::default(),
                clock: NullHost::default(),
            }
        }
    }

    impl Host for Net {
        fn run_external(
            &mut self,
            _argv: &[String],
            _env: &[(String, String)],
            _cwd: &str,
            _streams: Streams<'_>,
        ) -> Option<i32> {
            None
        }
        fn sleep(&mut self, d: std::time::Duration) {
            self.clock.sleep(d);
        }
        fn now(&self) -> chrono::DateTime<chrono::Utc> {
            self.clock.now
        }
        fn lookup(&mut self, name: &str) -> Vec<Ipv4Addr> {
            self.peers.lookup(name)
        }
        fn reverse_lookup(&mut self, addr: Ipv4Addr) -> Option<String> {
            self.peers.reverse_lookup(addr)
        }
        fn route(&mut self, addr: Ipv4Addr, port: u16) -> Route {
            self.peers.route(addr, port)
        }
        fn addresses(&mut self) -> Vec<(Ipv4Addr, u8)> {
            self.peers.addresses()
        }
    }

    /// Runs `src` in `sh` with `host` as its world.
    pub fn run(sh: &mut Shell<WorkspaceFs>, host: &mut Net, src: &str) -> Run {
        run_stdin(sh, host, src, b"")
    }

    pub fn run_stdin(sh: &mut Shell<WorkspaceFs>, host: &mut Net, src: &str, stdin: &[u8]) -> Run {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let status = sh.run(src, host, Streams::new(stdin, &mut out, &mut err));
        Run {
            out: String::from_utf8_lossy(&out).into_owned(),
            err: String::from_utf8_lossy(&err).into_owned(),
            status,
        }
    }
}
