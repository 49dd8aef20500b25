//! BusyBox's `ip` (Alpine links it from /sbin): `ip addr`, `ip link` and `ip route`
//! show the container's interfaces as the engine gives them (`netdb::interfaces`):
//! `lo` and one `ethN` per network, each a veth whose peer is on the host. Changing
//! them is refused as an unprivileged container is refused.

use super::{busybox_banner, is_busybox};
use crate::engine::shell::programs::{Ctx, Streams, netdb, not_simulated, write_err};
use std::net::Ipv4Addr;

const BUSYBOX_IP: &str = include_str!("ref/busybox-ip.txt");

struct Iface {
    name: String,
    index: u32,
    addr: Ipv4Addr,
    prefix: u8,
}

fn mask(prefix: u8) -> u32 {
    u32::MAX
        .checked_shl(32 - u32::from(prefix.min(32)))
        .unwrap_or(0)
}

/// The container's ethernet interfaces. A veth's index inside the container is the one
/// the host's kernel handed out when it was made, its peer's the next: deterministic
/// here, from the address, so a replay shows the same numbers.
fn ifaces(ctx: &mut Ctx<'_>) -> Vec<Iface> {
    let all = netdb::interfaces(ctx);
    let base = all.first().map_or(0, |(a, _)| u32::from(a.octets()[3]));
    all.into_iter()
        .enumerate()
        .map(|(i, (addr, prefix))| Iface {
            name: format!("eth{i}"),
            index: 4 + 2 * (base + i as u32),
            addr,
            prefix,
        })
        .collect()
}

fn mac(addr: Ipv4Addr) -> String {
    let o = addr.octets();
    format!("02:42:{:02x}:{:02x}:{:02x}:{:02x}", o[0], o[1], o[2], o[3])
}

fn link_line(i: &Iface) -> String {
    format!(
        "{}: {}@if{}: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue \n",
        i.index,
        i.name,
        i.index + 1
    )
}

const LO_LINK: &str = "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\n";
const LO_ETHER: &str = "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n";
const LO_INET: &str =
    "    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n";

pub fn ip(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    if !is_busybox(ctx, &argv[0]) {
        return not_simulated(ctx, argv, io);
    }
    let mut inet_only = false;
    let mut link_only = false;
    let mut words: Vec<&str> = Vec::new();
    for a in &argv[1..] {
        match a.as_str() {
            "-4" => inet_only = true,
            "-0" => link_only = true,
            "-f" | "-family" => {}
            "inet" if words.is_empty() => inet_only = true,
            "link" if words.is_empty() && link_only => {}
            w if w.starts_with('-') && words.is_empty() => {}
            w => words.push(w),
        }
    }
    let usage = |ctx: &Ctx<'_>, io: Streams<'_>| {
        let _ = write!(io.stderr, "{}\n{BUSYBOX_IP}", busybox_banner(ctx));
        1
    };
    let Some(object) = words.first().copied() else {
        return usage(ctx, io);
    };
    let rest = &words[1..];
    let is = |full: &str| !object.is_empty() && full.starts_with(object);
    let ifaces = ifaces(ctx);
    if is("address") || is("link") {
        let link = is("link");
        let (verb, args) = match rest.split_first() {
            Some((v, a)) => (*v, a),
            None => ("show", &[][..]),
        };
        if !"show".starts_with(verb) && !"list".starts_with(verb) {
            if matches!(verb, "add" | "del" | "set" | "flush" | "change" | "replace") {
                write_err(
                    io.stderr,
                    format_args!("ip: RTNETLINK answers: Operation not permitted"),
                );
                return 2;
            }
            return usage(ctx, io);
        }
        let dev = args
            .iter()
            .position(|w| *w == "dev")
            .and_then(|p| args.get(p + 1))
            .or_else(|| args.first())
            .copied();
        if let Some(d) = dev
            && d != "lo"
            && !ifaces.iter().any(|i| i.name == d)
        {
            write_err(io.stderr, format_args!("ip: can't find device '{d}'"));
            return 1;
        }
        let wanted = |n: &str| dev.is_none_or(|d| d == n);
        let mut out = String::new();
        if wanted("lo") {
            out.push_str(LO_LINK);
            if !inet_only {
                out.push_str(LO_ETHER);
            }
            if !link {
                out.push_str(LO_INET);
            }
        }
        for i in ifaces.iter().filter(|i| wanted(&i.name)) {
            out.push_str(&link_line(i));
            if !inet_only {
                out.push_str(&format!(
                    "    link/ether {} brd ff:ff:ff:ff:ff:ff\n",
                    mac(i.addr)
                ));
            }
            if !link {
                let brd = Ipv4Addr::from(u32::from(i.addr) | !mask(i.prefix));
                out.push_str(&format!(
                    "    inet {}/{} brd {brd} scope global {}\n       valid_lft forever preferred_lft forever\n",
                    i.addr, i.prefix, i.name
                ));
            }
        }
        let _ = io.stdout.write_all(out.as_bytes());
        return 0;
    }
    if is("route") {
        match rest.first().copied() {
            None | Some("show") | Some("list") => {}
            Some(_) => {
                write_err(
                    io.stderr,
                    format_args!("ip: RTNETLINK answers: Operation not permitted"),
                );
                return 2;
            }
        }
        let mut out = String::new();
        if let Some(first) = ifaces.first() {
            let gw = Ipv4Addr::from((u32::from(first.addr) & mask(first.prefix)) + 1);
            out.push_str(&format!("default via {gw} dev {} \n", first.name));
        }
        for i in &ifaces {
            let net = Ipv4Addr::from(u32::from(i.addr) & mask(i.prefix));
            out.push_str(&format!(
                "{net}/{} dev {} scope link  src {} \n",
                i.prefix, i.name, i.addr
            ));
        }
        let _ = io.stdout.write_all(out.as_bytes());
        return 0;
    }
    usage(ctx, io)
}
