//! BusyBox's `nc` as Alpine builds it (the netcat 1.10 compatible one, with `-z`):
//! outbound connects to the containers on the container's networks and to its own
//! loopback ports. `-z` only reports whether the port is open; otherwise stdin is sent
//! and what the server answers is printed until it closes, or until it has been
//! silent for `-w` seconds (two by default: nothing here can type more input later).
//! Listening (`-l`) is left to the programs that serve.

use super::{busybox_bad_option, busybox_banner, busybox_help, is_busybox};
use crate::engine::shell::programs::{Ctx, Streams, netdb, not_simulated, write_err};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const BUSYBOX_NC: &str = include_str!("ref/busybox-nc.txt");
const SILENCE: Duration = Duration::from_secs(2);

pub fn nc(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    if !is_busybox(ctx, &argv[0]) {
        return not_simulated(ctx, argv, io);
    }
    let mut zero = false;
    let mut verbose = 0;
    let mut numeric = false;
    let mut wait: Option<u64> = None;
    let mut operands: Vec<&str> = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        i += 1;
        if a == "--help" {
            return busybox_help(ctx, BUSYBOX_NC, io.stdout);
        }
        if !a.starts_with('-') || a == "-" {
            operands.push(a);
            continue;
        }
        let flags: Vec<char> = a[1..].chars().collect();
        let mut j = 0;
        while j < flags.len() {
            let c = flags[j];
            j += 1;
            match c {
                'z' => zero = true,
                'v' => verbose += 1,
                'n' => numeric = true,
                'u' | 'b' => {}
                'l' | 'k' | 'e' => return not_simulated(ctx, argv, io),
                'w' | 'p' | 's' | 'i' | 'o' => {
                    let glued: String = flags[j..].iter().collect();
                    j = flags.len();
                    let value = if glued.is_empty() {
                        i += 1;
                        argv.get(i - 1).cloned()
                    } else {
                        Some(glued)
                    };
                    let Some(value) = value else {
                        return busybox_bad_option(ctx, "nc", a, BUSYBOX_NC, io.stderr);
                    };
                    if c == 'w' {
                        match value.parse::<u64>() {
                            Ok(n) => wait = Some(n),
                            Err(_) => {
                                write_err(io.stderr, format_args!("nc: invalid number '{value}'"));
                                return 1;
                            }
                        }
                    }
                }
                _ => {
                    return busybox_bad_option(ctx, "nc", &format!("-{c}"), BUSYBOX_NC, io.stderr);
                }
            }
        }
    }
    let (Some(host), Some(port)) = (operands.first(), operands.get(1)) else {
        let _ = write!(io.stderr, "{}\n{BUSYBOX_NC}", busybox_banner(ctx));
        return 1;
    };
    let Ok(port) = port.parse::<u16>() else {
        write_err(io.stderr, format_args!("nc: bad port '{port}'"));
        return 1;
    };
    let addr = if numeric {
        host.parse().ok()
    } else {
        netdb::resolve(ctx, host)
    };
    let Some(addr) = addr else {
        write_err(io.stderr, format_args!("nc: bad address '{host}'"));
        return 1;
    };
    let target = netdb::connect(ctx, addr, port);
    let stream = match target {
        netdb::Connect::To(to) => TcpStream::connect_timeout(&to, Duration::from_secs(5)).ok(),
        _ => None,
    };
    let Some(mut stream) = stream else {
        let error = match target {
            netdb::Connect::To(_) => "Connection refused",
            other => netdb::connect_error(other),
        };
        // One -v leaves refusals unsaid, as netcat 1.10 does when scanning.
        let refused = error == "Connection refused";
        if verbose > 1 || (verbose == 1 && !refused) {
            write_err(
                io.stderr,
                format_args!("nc: {host} ({addr}:{port}): {error}"),
            );
        }
        return 1;
    };
    if verbose > 0 {
        write_err(io.stderr, format_args!("{host} ({addr}:{port}) open"));
    }
    if zero {
        return 0;
    }
    let _ = stream.write_all(io.stdin);
    let silence = wait.map_or(SILENCE, Duration::from_secs);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
    let mut last = Instant::now();
    let mut buf = [0u8; 16 * 1024];
    loop {
        if ctx.interrupt.load(Ordering::Relaxed) || crate::engine::budget::exceeded() {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                let _ = io.stdout.write_all(&buf[..n]);
                last = Instant::now();
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                if last.elapsed() >= silence {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
    0
}
