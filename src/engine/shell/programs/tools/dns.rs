//! Name lookups as a container's tools print them: BusyBox's `nslookup` (which asks
//! the DNS server of /etc/resolv.conf and nothing else), `getent hosts` of musl
//! (Alpine) and glibc (Debian, Ubuntu), and `hostname -i`/`-I`. Answers come from
//! `netdb`, the resolver every network tool shares. Only the engine's embedded DNS
//! (`127.0.0.11`) answers: the lab has no outside network, so any other server knows
//! no name.

use super::is_busybox;
use crate::engine::shell::programs::packages::Release;
use crate::engine::shell::programs::{Ctx, Streams, netdb, not_simulated};
use std::net::Ipv4Addr;

use crate::engine::shell::programs::netdb::EMBEDDED_DNS;

pub fn nslookup(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    if !is_busybox(ctx, &argv[0]) {
        return not_simulated(ctx, argv, io);
    }
    let operands: Vec<&String> = argv[1..].iter().filter(|a| !a.starts_with('-')).collect();
    let Some(name) = operands.first().map(|s| s.as_str()) else {
        let _ = write!(
            io.stderr,
            "{}\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n\nQUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any\n",
            super::busybox_banner(ctx)
        );
        return 1;
    };
    let server = operands
        .get(1)
        .map(|s| s.to_string())
        .unwrap_or_else(|| netdb::nameserver(ctx));
    let mut out = format!("Server:\t\t{server}\nAddress:\t{server}:53\n\n");
    let answers = if server == EMBEDDED_DNS {
        netdb::dns_lookup(ctx, name.trim_end_matches('.'))
    } else {
        Vec::new()
    };
    let status = if answers.is_empty() {
        // Both queries (A and AAAA) come back NXDOMAIN.
        for _ in 0..2 {
            out.push_str(&format!("** server can't find {name}: NXDOMAIN\n\n"));
        }
        1
    } else {
        // The AAAA answer is empty; BusyBox prints its section header all the same.
        out.push_str("Non-authoritative answer:\n\nNon-authoritative answer:\n");
        for a in &answers {
            out.push_str(&format!("Name:\t{name}\nAddress: {a}\n"));
        }
        out.push('\n');
        0
    };
    let _ = io.stdout.write_all(out.as_bytes());
    status
}

/// One `getent hosts` line: glibc pads the address to 15 columns and one space, musl
/// (NetBSD's format) to 16 and two, and repeats the name among the aliases.
fn hosts_line(musl: bool, addr: Ipv4Addr, name: &str, aliases: &[String]) -> String {
    let addr = addr.to_string();
    if musl {
        let mut line = format!("{addr:<16}  {name}");
        for a in aliases {
            line.push_str("  ");
            line.push_str(a);
        }
        line
    } else {
        let mut line = format!("{addr:<15} {name}");
        for a in aliases {
            line.push(' ');
            line.push_str(a);
        }
        line
    }
}

pub fn getent(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let musl = matches!(Release::detect(ctx.fs), Release::Alpine(_));
    let Some(database) = argv.get(1) else {
        let _ = writeln!(
            io.stderr,
            "getent: wrong number of arguments\nTry `getent --help' or `getent --usage' for more information."
        );
        return 1;
    };
    if database != "hosts" && database != "ahostsv4" && database != "ahosts" {
        return not_simulated(ctx, argv, io);
    }
    let keys = &argv[2..];
    if keys.is_empty() {
        for (addr, names) in netdb::hosts_file(ctx) {
            if let Some((first, rest)) = names.split_first() {
                let aliases: Vec<String> = rest.to_vec();
                let _ = writeln!(io.stdout, "{}", hosts_line(musl, addr, first, &aliases));
            }
        }
        return 0;
    }
    let mut status = 0;
    for key in keys {
        let (found, source) = netdb::resolve_all(ctx, key);
        if found.is_empty() {
            status = 2;
            continue;
        }
        // A name /etc/hosts gives keeps its line's first name and aliases.
        let line = netdb::hosts_file(ctx)
            .into_iter()
            .find(|(a, names)| found.contains(a) && names.iter().any(|n| n == key));
        let (name, aliases) = match (source, line) {
            (netdb::Source::HostsFile, Some((_, names))) => (names[0].clone(), names[1..].to_vec()),
            _ => (
                key.clone(),
                if musl { vec![key.clone()] } else { Vec::new() },
            ),
        };
        // gethostbyname gives one entry: its first address (glibc), all of them (musl).
        let shown: Vec<Ipv4Addr> = if musl {
            found
        } else {
            found.into_iter().take(1).collect()
        };
        for addr in shown {
            let _ = writeln!(io.stdout, "{}", hosts_line(musl, addr, &name, &aliases));
        }
    }
    status
}

/// `hostname -i` (the addresses of the container's own name) and `-I` (every address
/// of its interfaces); anything else is the plain `hostname`.
pub fn hostname(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    match argv.get(1).map(String::as_str) {
        Some("-i") | Some("--ip-address") => {
            let own = netdb::own_hostname(ctx);
            let own = if own.is_empty() {
                ctx.var("HOSTNAME").unwrap_or("localhost").to_string()
            } else {
                own
            };
            let (found, _) = netdb::resolve_all(ctx, &own);
            if found.is_empty() {
                let _ = writeln!(io.stderr, "hostname: {own}: Name or service not known");
                return 1;
            }
            let text: Vec<String> = found.iter().map(Ipv4Addr::to_string).collect();
            let _ = writeln!(io.stdout, "{}", text.join(" "));
            0
        }
        Some("-I") | Some("--all-ip-addresses") => {
            let all: String = netdb::interfaces(ctx)
                .iter()
                .map(|(a, _)| format!("{a} "))
                .collect();
            let _ = writeln!(io.stdout, "{all}");
            0
        }
        _ => crate::engine::shell::programs::text::hostname(ctx, argv, io),
    }
}
