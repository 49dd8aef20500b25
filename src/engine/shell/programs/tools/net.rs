//! The network tools of net-tools and iputils (Debian, Ubuntu) and BusyBox's applets
//! of the same names (Alpine): what a container sees of its network. A container has
//! `lo` and, on a network, `eth0` with the address its /etc/hosts gives its own name,
//! a /16 whose first address is the gateway, and Docker's MAC derived from the address.
//! Sockets are read from /proc/net/tcp where the container has one.

use super::{busybox_bad_option, busybox_help, is_busybox, package_version, read_text};
use crate::engine::shell::programs::{Ctx, Streams, netdb, write_err};
use std::io::Write;
use std::net::Ipv4Addr;
use std::time::Duration;

const BUSYBOX_PING: &str = include_str!("ref/busybox-ping.txt");
const BUSYBOX_IFCONFIG: &str = include_str!("ref/busybox-ifconfig.txt");
const BUSYBOX_ROUTE: &str = include_str!("ref/busybox-route.txt");
const BUSYBOX_ARP: &str = include_str!("ref/busybox-arp.txt");
const BUSYBOX_NETSTAT: &str = include_str!("ref/busybox-netstat.txt");
const IFCONFIG_HELP: (&str, &str) = (
    include_str!("ref/ifconfig-help.out"),
    include_str!("ref/ifconfig-help.err"),
);
const ROUTE_HELP: (&str, &str) = (
    include_str!("ref/route-help.out"),
    include_str!("ref/route-help.err"),
);
const ARP_HELP: (&str, &str) = (
    include_str!("ref/arp-help.out"),
    include_str!("ref/arp-help.err"),
);
const NETSTAT_HELP: (&str, &str) = (
    include_str!("ref/netstat-help.out"),
    include_str!("ref/netstat-help.err"),
);

const NET_TOOLS_FEATURES: &str =
    "AF: (inet) +UNIX +INET +INET6 +IPX +AX25 +NETROM +X25 +ATALK +ECONET +ROSE -BLUETOOTH\n";
const NET_TOOLS_HW: &str = " +ETHER +ARC +SLIP +PPP +TUNNEL -TR +AX25 +NETROM +X25 +FR +ROSE +ASH +SIT +FDDI +HIPPI +HDLC/LAPB +EUI64 \n";

/// net-tools' `-V` for each of its programs.
fn net_tools_version(name: &str) -> String {
    match name {
        "route" => format!(
            "net-tools 2.10\n+NEW_ADDRT +RTF_IRTT +RTF_REJECT +I18N +SELINUX\n{NET_TOOLS_FEATURES}HW: {NET_TOOLS_HW}"
        ),
        "arp" => {
            format!("net-tools 2.10\n+I18N +SELINUX\n{NET_TOOLS_FEATURES}HW: (ether){NET_TOOLS_HW}")
        }
        "netstat" => format!(
            "net-tools 2.10\nFred Baumgarten, Alan Cox, Bernd Eckenfels, Phil Blundell, Tuan Hoang, Brian Micek and others\n+NEW_ADDRT +RTF_IRTT +RTF_REJECT +FW_MASQUERADE +I18N +SELINUX\n{NET_TOOLS_FEATURES}HW: {NET_TOOLS_HW}"
        ),
        _ => "net-tools 2.10\n".to_string(),
    }
}

/// Alpine's BusyBox has netstat's -W and -p; Debian's build, whose text is kept, not.
fn busybox_netstat_usage() -> String {
    BUSYBOX_NETSTAT.replace("[-en]", "[-enWp]").replace(
        "\t-n\tDon't resolve names\n",
        "\t-n\tDon't resolve names\n\t-W\tWide display\n\t-p\tShow PID/program name for sockets\n",
    )
}

/// The container's address on its network as its /etc/hosts tells it (for programs
/// that have no `Host` to ask).
pub(crate) fn own_address(ctx: &Ctx<'_>) -> Option<Ipv4Addr> {
    netdb::hosts_own_address(ctx)
}

fn mask(prefix: u8) -> Ipv4Addr {
    Ipv4Addr::from(
        u32::MAX
            .checked_shl(32 - u32::from(prefix.min(32)))
            .unwrap_or(0),
    )
}

/// Docker's gateway: the network's first address.
fn gateway(addr: Ipv4Addr, prefix: u8) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(network(addr, prefix)) + 1)
}

fn network(addr: Ipv4Addr, prefix: u8) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(addr) & u32::from(mask(prefix)))
}

fn broadcast(addr: Ipv4Addr, prefix: u8) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(addr) | !u32::from(mask(prefix)))
}

/// Docker's MAC for an address: 02:42 and the address's four bytes.
fn mac(addr: Ipv4Addr) -> String {
    let o = addr.octets();
    format!("02:42:{:02x}:{:02x}:{:02x}:{:02x}", o[0], o[1], o[2], o[3])
}

// --- ping ----------------------------------------------------------------------------

const IPUTILS_USAGE: &str = "\nUsage\n  ping [options] <destination>\n\nOptions:\n  <destination>      dns name or ip address\n  -a                 use audible ping\n  -A                 use adaptive ping\n  -B                 sticky source address\n  -c <count>         stop after <count> replies\n  -D                 print timestamps\n  -d                 use SO_DEBUG socket option\n  -f                 flood ping\n  -h                 print help and exit\n  -I <interface>     either interface name or address\n  -i <interval>      seconds between sending each packet\n  -L                 suppress loopback of multicast packets\n  -l <preload>       send <preload> number of packages while waiting replies\n  -m <mark>          tag the packets going out\n  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>\n  -n                 no dns name resolution\n  -O                 report outstanding replies\n  -p <pattern>       contents of padding byte\n  -q                 quiet output\n  -Q <tclass>        use quality of service <tclass> bits\n  -s <size>          use <size> as number of data bytes to be sent\n  -S <size>          use <size> as SO_SNDBUF socket option value\n  -t <ttl>           define time to live\n  -U                 print user-to-user latency\n  -v                 verbose output\n  -V                 print version and exit\n  -w <deadline>      reply wait <deadline> in seconds\n  -W <timeout>       time to wait for response\n\nIPv4 options:\n  -4                 use IPv4\n  -b                 allow pinging broadcast\n  -R                 record route\n  -T <timestamp>     define timestamp, can be one of <tsonly|tsandaddr|tsprespec>\n\nIPv6 options:\n  -6                 use IPv6\n  -F <flowlabel>     define flow label, default is random\n  -N <nodeinfo opt>  use icmp6 node info query, try <help> as argument\n\nFor more details see ping(8).\n";

/// A ping stops when interrupted, at its count, or after this many probes at most.
const UNBOUNDED_PINGS: u64 = 3600;

/// A round trip's time in milliseconds: small, plausible, and the same on every replay.
fn round_trip(addr: Ipv4Addr, seq: u64, seed: i64) -> f64 {
    let text = format!("{addr}/{seq}/{seed}");
    let digest = crate::engine::digest::Digest::sha256(text.as_bytes());
    let n = u64::from_str_radix(&digest.hex()[..8], 16).unwrap_or(0);
    let base = if addr.is_loopback() { 0.028 } else { 0.041 };
    base + (n % 70) as f64 / 1000.0
}

pub fn ping(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let busybox = is_busybox(ctx, &argv[0]);
    let mut count: Option<u64> = None;
    let mut quiet = false;
    let mut numeric = false;
    let mut size: u64 = 56;
    let mut interval = 1.0f64;
    let mut target: Option<String> = None;
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        if a == "--help" && busybox {
            return busybox_help(ctx, BUSYBOX_PING, io.stdout);
        }
        if !a.starts_with('-') || a == "-" {
            target = Some(a.to_string());
            i += 1;
            continue;
        }
        let flag = &a[1..];
        let first = flag.chars().next().unwrap_or('-');
        if "cisWwtIlmMpQST".contains(first) {
            let glued = &flag[first.len_utf8()..];
            let value = if glued.is_empty() {
                i += 1;
                argv.get(i).cloned()
            } else {
                Some(glued.to_string())
            };
            let Some(value) = value else {
                if busybox {
                    return busybox_bad_option(ctx, "ping", a, BUSYBOX_PING, io.stderr);
                }
                write_err(
                    io.stderr,
                    format_args!("ping: option requires an argument -- '{first}'"),
                );
                let _ = write!(io.stderr, "{IPUTILS_USAGE}");
                return 2;
            };
            let bad_number = |err: &mut dyn Write| {
                if busybox {
                    write_err(err, format_args!("ping: invalid number '{value}'"));
                    1
                } else {
                    write_err(err, format_args!("ping: invalid argument: '{value}'"));
                    1
                }
            };
            match first {
                'c' => match value.parse::<u64>() {
                    Ok(n) if n > 0 || busybox => count = Some(n),
                    _ => return bad_number(io.stderr),
                },
                's' => match value.parse::<u64>() {
                    Ok(n) if n <= 65507 => size = n,
                    _ => return bad_number(io.stderr),
                },
                'i' => match value.parse::<f64>() {
                    Ok(n) if n.is_finite() && n >= 0.0 => interval = n.min(3600.0),
                    _ => return bad_number(io.stderr),
                },
                _ => {}
            }
            i += 1;
            continue;
        }
        for c in flag.chars() {
            match c {
                'q' => quiet = true,
                'n' => numeric = true,
                '4' | '6' | 'A' | 'a' | 'D' | 'd' | 'f' | 'L' | 'O' | 'U' | 'v' | 'b' | 'R' => {}
                'V' if !busybox => {
                    let version = package_version(ctx, "iputils-ping")
                        .map(|v| {
                            v.rsplit(':')
                                .next()
                                .unwrap_or("")
                                .split('-')
                                .next()
                                .unwrap_or("")
                                .to_string()
                        })
                        .unwrap_or_else(|| "20221126".into());
                    let _ = writeln!(
                        io.stdout,
                        "ping from iputils {version}\nlibcap: yes, IDN: yes, NLS: yes, error.h: yes, getrandom(): yes, __fpending(): yes"
                    );
                    return 0;
                }
                'h' if !busybox => {
                    let _ = write!(io.stderr, "{IPUTILS_USAGE}");
                    return 2;
                }
                _ => {
                    if busybox {
                        return busybox_bad_option(
                            ctx,
                            "ping",
                            &format!("-{c}"),
                            BUSYBOX_PING,
                            io.stderr,
                        );
                    }
                    write_err(io.stderr, format_args!("ping: invalid option -- '{c}'"));
                    let _ = write!(io.stderr, "{IPUTILS_USAGE}");
                    return 2;
                }
            }
        }
        i += 1;
    }
    let Some(target) = target else {
        if busybox {
            let _ = write!(io.stderr, "{}\n{BUSYBOX_PING}", super::busybox_banner(ctx));
            return 1;
        }
        write_err(
            io.stderr,
            format_args!("ping: usage error: Destination address required"),
        );
        return 1;
    };
    let Some(addr) = netdb::resolve(ctx, &target) else {
        if busybox {
            write_err(io.stderr, format_args!("ping: bad address '{target}'"));
            return 1;
        }
        write_err(
            io.stderr,
            format_args!("ping: {target}: Name or service not known"),
        );
        return 2;
    };
    let reachable = netdb::answers_ping(ctx, addr);
    let numeric_target = target.parse::<Ipv4Addr>().is_ok();
    if busybox {
        let _ = writeln!(io.stdout, "PING {target} ({addr}): {size} data bytes");
    } else {
        let _ = writeln!(
            io.stdout,
            "PING {target} ({addr}) {size}({}) bytes of data.",
            size + 28
        );
    }
    let from = if busybox || numeric || numeric_target {
        addr.to_string()
    } else {
        let name = netdb::reverse(ctx, addr).unwrap_or_else(|| target.clone());
        format!("{name} ({addr})")
    };
    let seed = ctx.host.now().timestamp();
    let limit = count.unwrap_or(UNBOUNDED_PINGS).min(UNBOUNDED_PINGS);
    let mut times: Vec<f64> = Vec::new();
    let mut sent = 0u64;
    while sent < limit {
        if ctx.interrupt.load(std::sync::atomic::Ordering::Relaxed)
            || crate::engine::budget::exceeded()
        {
            break;
        }
        sent += 1;
        if reachable {
            let t = round_trip(addr, sent, seed);
            times.push(t);
            if !quiet {
                if busybox {
                    let _ = writeln!(
                        io.stdout,
                        "{} bytes from {from}: seq={} ttl=64 time={t:.3} ms",
                        size + 8,
                        sent - 1
                    );
                } else {
                    let _ = writeln!(
                        io.stdout,
                        "{} bytes from {from}: icmp_seq={sent} ttl=64 time={t:.3} ms",
                        size + 8
                    );
                }
            }
        }
        if sent < limit {
            ctx.host.sleep(Duration::from_secs_f64(interval));
        }
    }
    let received = times.len() as u64;
    let loss = ((sent - received) * 100).checked_div(sent).unwrap_or(0);
    let _ = writeln!(io.stdout, "\n--- {target} ping statistics ---");
    let min = times.iter().copied().fold(f64::INFINITY, f64::min);
    let max = times.iter().copied().fold(0.0, f64::max);
    let avg = if times.is_empty() {
        0.0
    } else {
        times.iter().sum::<f64>() / times.len() as f64
    };
    if busybox {
        let _ = writeln!(
            io.stdout,
            "{sent} packets transmitted, {received} packets received, {loss}% packet loss"
        );
        if received > 0 {
            let _ = writeln!(
                io.stdout,
                "round-trip min/avg/max = {min:.3}/{avg:.3}/{max:.3} ms"
            );
        }
    } else {
        let elapsed = if sent > 1 {
            ((sent - 1) as f64 * interval * 1000.0) as u64 + (sent - 1)
        } else {
            0
        };
        let _ = writeln!(
            io.stdout,
            "{sent} packets transmitted, {received} received, {loss}% packet loss, time {elapsed}ms"
        );
        if received > 0 {
            let mean_sq = times.iter().map(|t| t * t).sum::<f64>() / times.len() as f64;
            let mdev = (mean_sq - avg * avg).max(0.0).sqrt();
            let _ = writeln!(
                io.stdout,
                "rtt min/avg/max/mdev = {min:.3}/{avg:.3}/{max:.3}/{mdev:.3} ms"
            );
        }
    }
    if received > 0 { 0 } else { 1 }
}

const NPING_HELP: &str = include_str!("ref/nping-help.txt");

/// Nping's version: the nmap package's, as `0.7.93` (`0.7.94SVN` for a git snapshot).
fn nping_version(ctx: &Ctx<'_>) -> String {
    let nmap = package_version(ctx, "nmap").unwrap_or_else(|| "7.93".into());
    let upstream = nmap.split(['+', '-']).next().unwrap_or("7.93").to_string();
    let suffix = if nmap.contains("+git") { "SVN" } else { "" };
    format!("0.{upstream}{suffix}")
}

pub fn nping(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let version = nping_version(ctx);
    for a in &argv[1..] {
        match a.as_str() {
            "--version" | "-V" => {
                let _ = write!(
                    io.stdout,
                    "\nNping version {version} ( https://nmap.org/nping )\n"
                );
                return 0;
            }
            "--help" | "-h" => {
                let _ = write!(
                    io.stdout,
                    "Nping {version} ( https://nmap.org/nping )\n{NPING_HELP}"
                );
                return 0;
            }
            _ => {}
        }
    }
    write_err(
        io.stderr,
        format_args!(
            "docklab: nping cannot send its probes here: the lab's containers have no raw network. Try `nmap` or `curl` to probe a port."
        ),
    );
    1
}

// --- ifconfig / route / arp ----------------------------------------------------------

fn write_help(io: Streams<'_>, help: (&str, &str)) -> i32 {
    let _ = write!(io.stdout, "{}", help.0);
    let _ = write!(io.stderr, "{}", help.1);
    0
}

pub fn ifconfig(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let busybox = is_busybox(ctx, &argv[0]);
    let mut names: Vec<&str> = Vec::new();
    for a in &argv[1..] {
        match a.as_str() {
            "--help" | "-h" if busybox => return busybox_help(ctx, BUSYBOX_IFCONFIG, io.stdout),
            "--help" | "-h" | "-?" => return write_help(io, IFCONFIG_HELP),
            "-V" | "--version" if !busybox => {
                let _ = write!(io.stdout, "{}", net_tools_version("ifconfig"));
                return 0;
            }
            "-a" | "-s" | "-v" => {}
            o if o.starts_with('-') => {
                if busybox {
                    return busybox_bad_option(ctx, "ifconfig", o, BUSYBOX_IFCONFIG, io.stderr);
                }
                return write_help(io, IFCONFIG_HELP);
            }
            n => names.push(n),
        }
    }
    let ifaces: Vec<(String, Ipv4Addr, u8)> = netdb::interfaces(ctx)
        .into_iter()
        .enumerate()
        .map(|(i, (addr, prefix))| (format!("eth{i}"), addr, prefix))
        .collect();
    let exists = |n: &str| n == "lo" || ifaces.iter().any(|(name, _, _)| name == n);
    if names.len() > 1 {
        // `ifconfig eth0 up`, `ifconfig eth0 10.0.0.5`: a container may not.
        let name = names[0];
        if !exists(name) {
            let prefix = if busybox { "ifconfig: " } else { "" };
            write_err(
                io.stderr,
                format_args!(
                    "{prefix}{name}: error fetching interface information: Device not found"
                ),
            );
            return 1;
        }
        let call = if names[1].parse::<Ipv4Addr>().is_ok() {
            "SIOCSIFADDR"
        } else {
            "SIOCSIFFLAGS"
        };
        if busybox {
            write_err(
                io.stderr,
                format_args!("ifconfig: {call}: Operation not permitted"),
            );
            return 1;
        }
        write_err(io.stderr, format_args!("{call}: Operation not permitted"));
        return 255;
    }
    let mut out = String::new();
    let wanted = |n: &str| names.is_empty() || names.contains(&n);
    for (name, addr, prefix) in ifaces.iter().filter(|(n, _, _)| wanted(n)) {
        let (addr, prefix) = (*addr, *prefix);
        if busybox {
            out.push_str(&format!(
                "{name:<10}Link encap:Ethernet  HWaddr {}  \n          inet addr:{addr}  Bcast:{}  Mask:{}\n          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1\n          RX packets:0 errors:0 dropped:0 overruns:0 frame:0\n          TX packets:0 errors:0 dropped:0 overruns:0 carrier:0\n          collisions:0 txqueuelen:0 \n          RX bytes:0 (0.0 B)  TX bytes:0 (0.0 B)\n\n",
                mac(addr).to_uppercase(),
                broadcast(addr, prefix),
                mask(prefix)
            ));
        } else {
            out.push_str(&format!(
                "{name}: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n        inet {addr}  netmask {}  broadcast {}\n        ether {}  txqueuelen 0  (Ethernet)\n        RX packets 0  bytes 0 (0.0 B)\n        RX errors 0  dropped 0  overruns 0  frame 0\n        TX packets 0  bytes 0 (0.0 B)\n        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n\n",
                mask(prefix),
                broadcast(addr, prefix),
                mac(addr)
            ));
        }
    }
    if wanted("lo") {
        if busybox {
            out.push_str("lo        Link encap:Local Loopback  \n          inet addr:127.0.0.1  Mask:255.0.0.0\n          inet6 addr: ::1/128 Scope:Host\n          UP LOOPBACK RUNNING  MTU:65536  Metric:1\n          RX packets:0 errors:0 dropped:0 overruns:0 frame:0\n          TX packets:0 errors:0 dropped:0 overruns:0 carrier:0\n          collisions:0 txqueuelen:1000 \n          RX bytes:0 (0.0 B)  TX bytes:0 (0.0 B)\n\n");
        } else {
            out.push_str("lo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536\n        inet 127.0.0.1  netmask 255.0.0.0\n        inet6 ::1  prefixlen 128  scopeid 0x10<host>\n        loop  txqueuelen 1000  (Local Loopback)\n        RX packets 0  bytes 0 (0.0 B)\n        RX errors 0  dropped 0  overruns 0  frame 0\n        TX packets 0  bytes 0 (0.0 B)\n        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n\n");
        }
    }
    let _ = write!(io.stdout, "{out}");
    for n in names {
        if !exists(n) {
            let prefix = if busybox { "ifconfig: " } else { "" };
            write_err(
                io.stderr,
                format_args!("{prefix}{n}: error fetching interface information: Device not found"),
            );
            return 1;
        }
    }
    0
}

/// The container's routes: (destination, gateway, mask, flags, interface): the default
/// through eth0's gateway, then one per network it is on.
fn routes(ctx: &mut Ctx<'_>) -> Vec<(Ipv4Addr, Ipv4Addr, Ipv4Addr, &'static str, String)> {
    let ifaces = netdb::interfaces(ctx);
    let mut out = Vec::new();
    if let Some((addr, prefix)) = ifaces.first() {
        out.push((
            Ipv4Addr::UNSPECIFIED,
            gateway(*addr, *prefix),
            Ipv4Addr::UNSPECIFIED,
            "UG",
            "eth0".to_string(),
        ));
    }
    for (i, (addr, prefix)) in ifaces.iter().enumerate() {
        out.push((
            network(*addr, *prefix),
            Ipv4Addr::UNSPECIFIED,
            mask(*prefix),
            "U",
            format!("eth{i}"),
        ));
    }
    out
}

/// The routing table as route (or `netstat -r`) prints it.
fn route_table(ctx: &mut Ctx<'_>, numeric: bool, busybox: bool, netstat: bool) -> String {
    let mut out = String::from("Kernel IP routing table\n");
    if netstat {
        out.push_str(
            "Destination     Gateway         Genmask         Flags   MSS Window  irtt Iface\n",
        );
    } else {
        out.push_str(
            "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n",
        );
    }
    for (dest, gw, mask, flags, iface) in routes(ctx) {
        let dest = if !numeric && dest.is_unspecified() {
            "default".to_string()
        } else {
            dest.to_string()
        };
        let gw = if !numeric && busybox && gw.is_unspecified() {
            "*".to_string()
        } else {
            gw.to_string()
        };
        if netstat {
            out.push_str(&format!(
                "{dest:<15} {gw:<15} {mask:<15} {flags:<5} {:>5} {:<6} {:>5} {iface}\n",
                0, 0, 0
            ));
        } else {
            out.push_str(&format!(
                "{dest:<15} {gw:<15} {mask:<15} {flags:<5} {:<6} {:<2} {:>7} {iface}\n",
                0, 0, 0
            ));
        }
    }
    out
}

pub fn route(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let busybox = is_busybox(ctx, &argv[0]);
    let mut numeric = false;
    for a in &argv[1..] {
        match a.as_str() {
            "--help" | "-h" if busybox => return busybox_help(ctx, BUSYBOX_ROUTE, io.stdout),
            "--help" | "-h" => return write_help(io, ROUTE_HELP),
            "-V" | "--version" if !busybox => {
                let _ = write!(io.stdout, "{}", net_tools_version("route"));
                return 0;
            }
            "-n" | "--numeric" => numeric = true,
            "-e" | "-ee" | "-v" | "-F" | "-C" | "-A" | "inet" | "-4" => {}
            "add" | "del" | "delete" | "flush" => {
                let call = if a == "add" { "SIOCADDRT" } else { "SIOCDELRT" };
                if busybox {
                    write_err(
                        io.stderr,
                        format_args!("route: {call}: Operation not permitted"),
                    );
                    return 1;
                }
                write_err(io.stderr, format_args!("{call}: Operation not permitted"));
                return 7;
            }
            o => {
                if busybox {
                    return busybox_bad_option(ctx, "route", o, BUSYBOX_ROUTE, io.stderr);
                }
                return write_help(io, ROUTE_HELP);
            }
        }
    }
    let _ = write!(io.stdout, "{}", route_table(ctx, numeric, busybox, false));
    0
}

pub fn arp(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let busybox = is_busybox(ctx, &argv[0]);
    for a in &argv[1..] {
        match a.as_str() {
            "--help" | "-h" if busybox => return busybox_help(ctx, BUSYBOX_ARP, io.stdout),
            "--help" | "-h" => return write_help(io, ARP_HELP),
            "-V" | "--version" if !busybox => {
                let _ = write!(io.stdout, "{}", net_tools_version("arp"));
                return 0;
            }
            _ => {}
        }
    }
    // Nothing has been sent over the simulated network: the neighbour table is empty,
    // and arp prints nothing for an empty table.
    0
}

// --- netstat -------------------------------------------------------------------------

/// `0100007F:0050` (/proc/net/tcp) → `127.0.0.1:80`; IPv6 ones as `:::80`.
fn proc_address(hex: &str) -> Option<(String, u16)> {
    let (addr, port) = hex.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    if addr.len() == 8 {
        let n = u32::from_str_radix(addr, 16).ok()?;
        Some((Ipv4Addr::from(n.swap_bytes()).to_string(), port))
    } else if addr.chars().all(|c| c == '0') {
        Some(("::".into(), port))
    } else if addr == "00000000000000000000000001000000" {
        Some(("::1".into(), port))
    } else {
        Some(("::".into(), port))
    }
}

const TCP_STATES: &[(&str, &str)] = &[
    ("01", "ESTABLISHED"),
    ("02", "SYN_SENT"),
    ("03", "SYN_RECV"),
    ("04", "FIN_WAIT1"),
    ("05", "FIN_WAIT2"),
    ("06", "TIME_WAIT"),
    ("07", "CLOSE"),
    ("08", "CLOSE_WAIT"),
    ("09", "LAST_ACK"),
    ("0A", "LISTEN"),
    ("0B", "CLOSING"),
];

pub fn netstat(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let busybox = is_busybox(ctx, &argv[0]);
    let mut flags = String::new();
    for a in &argv[1..] {
        match a.as_str() {
            "--help" | "-h" if busybox => {
                return busybox_help(ctx, &busybox_netstat_usage(), io.stdout);
            }
            "--help" | "-h" => return write_help(io, NETSTAT_HELP),
            "-V" | "--version" if !busybox => {
                let _ = write!(io.stdout, "{}", net_tools_version("netstat"));
                return 0;
            }
            "--tcp" => flags.push('t'),
            "--udp" => flags.push('u'),
            "--listening" => flags.push('l'),
            "--all" => flags.push('a'),
            "--numeric" => flags.push('n'),
            "--program" => flags.push('p'),
            "--route" => flags.push('r'),
            o if o.starts_with('-') && !o.starts_with("--") => {
                let known = if busybox {
                    "raltuwxenWp"
                } else {
                    "raltuwxenpWeoc46"
                };
                for c in o[1..].chars() {
                    if !known.contains(c) {
                        if busybox {
                            return busybox_bad_option(
                                ctx,
                                "netstat",
                                &format!("-{c}"),
                                &busybox_netstat_usage(),
                                io.stderr,
                            );
                        }
                        write_err(io.stderr, format_args!("netstat: invalid option -- '{c}'"));
                        return write_help(io, NETSTAT_HELP);
                    }
                    flags.push(c);
                }
            }
            o => {
                if busybox {
                    return busybox_bad_option(
                        ctx,
                        "netstat",
                        o,
                        &busybox_netstat_usage(),
                        io.stderr,
                    );
                }
                return write_help(io, NETSTAT_HELP);
            }
        }
    }
    let has = |c: char| flags.contains(c);
    if has('r') {
        let _ = write!(io.stdout, "{}", route_table(ctx, has('n'), busybox, true));
        return 0;
    }
    let inet = has('t') || has('u') || has('w') || !has('x');
    let unix = has('x') || !(has('t') || has('u') || has('w'));
    let which = if has('l') {
        "only servers"
    } else if has('a') {
        "servers and established"
    } else {
        "w/o servers"
    };
    let program = has('p');
    let mut out = String::new();
    if inet {
        out.push_str(&format!("Active Internet connections ({which})\n"));
        let state = if busybox {
            "State       "
        } else {
            "State      "
        };
        out.push_str(&format!(
            "Proto Recv-Q Send-Q Local Address           Foreign Address         {state}"
        ));
        if program {
            out.push_str(if busybox {
                "PID/Program name"
            } else {
                " PID/Program name    "
            });
        }
        out.push('\n');
        if has('t') || !has('u') {
            for (path, proto) in [("/proc/net/tcp", "tcp"), ("/proc/net/tcp6", "tcp6")] {
                for line in read_text(ctx, path).lines().skip(1) {
                    let cols: Vec<&str> = line.split_whitespace().collect();
                    if cols.len() < 4 {
                        continue;
                    }
                    let listening = cols[3] == "0A";
                    if (has('l') && !listening) || (!has('l') && !has('a') && listening) {
                        continue;
                    }
                    let (Some((la, lp)), Some((ra, rp))) =
                        (proc_address(cols[1]), proc_address(cols[2]))
                    else {
                        continue;
                    };
                    let join = |a: &str, p: u16| {
                        if p == 0 {
                            format!("{a}:*")
                        } else {
                            format!("{a}:{p}")
                        }
                    };
                    let local = if la == "::" {
                        format!(":::{lp}")
                    } else {
                        join(&la, lp)
                    };
                    let remote = if ra == "::" {
                        ":::*".to_string()
                    } else {
                        join(&ra, rp)
                    };
                    let st = TCP_STATES
                        .iter()
                        .find(|(code, _)| *code == cols[3])
                        .map(|(_, s)| *s)
                        .unwrap_or("UNKNOWN");
                    let width = if busybox { 12 } else { 11 };
                    let mut row = format!(
                        "{proto:<5} {:>6} {:>6} {local:<23} {remote:<23} {st:<width$}",
                        0, 0
                    );
                    if program {
                        row.push_str(if busybox {
                            "-"
                        } else {
                            " -                   "
                        });
                    }
                    out.push_str(&row);
                    out.push('\n');
                }
            }
        }
    }
    if unix {
        out.push_str(&format!("Active UNIX domain sockets ({which})\n"));
        let pid = if program { "PID/Program name    " } else { "" };
        if busybox {
            out.push_str(&format!(
                "Proto RefCnt Flags       Type       State         I-Node {pid}Path\n"
            ));
        } else {
            out.push_str(&format!(
                "Proto RefCnt Flags       Type       State         I-Node   {pid}Path\n"
            ));
        }
    }
    let _ = write!(io.stdout, "{out}");
    0
}
