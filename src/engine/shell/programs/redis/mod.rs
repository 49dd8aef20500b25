//! redis-server and redis-cli, as the redis image carries them (redis 7.4.5).
//!
//! Every `docker exec` is a shell of its own, so the server's keyspace cannot live in
//! memory: it lives in the container's filesystem, where redis keeps it on disk anyway.
//! Without `appendonly`, `DIR/dump.rdb` (RDB version 12) is the live keyspace: the
//! server writes it when it starts (as a `SAVE` of what it loaded would) and every
//! write command rewrites it, so a named volume on /data keeps the data as redis's own
//! snapshot does. With `--appendonly yes`, `DIR/appendonlydir/` holds the base RDB,
//! the incr AOF every write is appended to, and the manifest, as redis 7 lays them out;
//! `SAVE` writes dump.rdb as well. The running server is found by that file: the RDB
//! carries one more AUX field, `docklab-server` (port, start time, password digest),
//! which redis itself skips as an AUX field it does not know.

mod rdb;
mod resp;

use super::{Ctx, Streams};
use crate::engine::shell::vfs;
use rdb::{Db, Entry};
use resp::Reply;
use std::time::Duration;

/// How long a server waits: until the container is stopped.
const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
const VERSION: &str = "7.4.5";
const BUILD_ID: &str = "5f3bcb2ab4d1c3f0";
const AOF_DIR: &str = "appendonlydir";
const AOF_BASE: &str = "appendonly.aof.1.base.rdb";
const AOF_INCR: &str = "appendonly.aof.1.incr.aof";
const AOF_MANIFEST: &str = "appendonly.aof.manifest";
/// What a fresh redis uses before any key, as `used-mem` records it.
const BASE_MEMORY: u64 = 945_520;

/// The server as its files describe it.
#[derive(Clone, Debug, PartialEq)]
struct Server {
    dir: String,
    appendonly: bool,
    port: u16,
    started: i64,
    /// SHA-256 of `requirepass`, hex; None when there is none.
    auth: Option<String>,
    db: Db,
}

impl Server {
    fn marker(&self) -> String {
        format!(
            "port={} started={} auth={}",
            self.port,
            self.started,
            self.auth.as_deref().unwrap_or("")
        )
    }

    fn used_memory(&self) -> u64 {
        BASE_MEMORY
            + self
                .db
                .iter()
                .map(|(k, e)| (k.len() + e.value.len() + 56) as u64)
                .sum::<u64>()
    }

    fn rdb(&self, now_secs: i64) -> Vec<u8> {
        rdb::write(
            &self.db,
            now_secs,
            self.used_memory(),
            &[("docklab-server", self.marker())],
        )
    }
}

fn sha256_hex(s: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn now_ms(ctx: &Ctx<'_>) -> i64 {
    ctx.host.now().timestamp_millis()
}

/// Applies the server's marker (`port=.. started=.. auth=..`) read from the RDB.
fn apply_marker(s: &mut Server, marker: &str) {
    for kv in marker.split(' ') {
        match kv.split_once('=') {
            Some(("port", v)) => s.port = v.parse().unwrap_or(6379),
            Some(("started", v)) => s.started = v.parse().unwrap_or(0),
            Some(("auth", v)) => s.auth = (!v.is_empty()).then(|| v.to_string()),
            _ => {}
        }
    }
}

/// The keyspace and server in `dir`, read through `read`: the AOF when its manifest is
/// there, else dump.rdb. None when no server has left its files there.
fn load(read: &dyn Fn(&str) -> std::io::Result<Vec<u8>>, dir: &str, now: i64) -> Option<Server> {
    let aof = vfs::normalize(dir, AOF_DIR);
    let mut server = Server {
        dir: dir.to_string(),
        appendonly: false,
        port: 6379,
        started: 0,
        auth: None,
        db: Db::new(),
    };
    if read(&format!("{aof}/{AOF_MANIFEST}")).is_ok() {
        let base = rdb::read(&read(&format!("{aof}/{AOF_BASE}")).ok()?).ok()?;
        server.appendonly = true;
        apply_marker(&mut server, base.aux("docklab-server")?);
        server.db = base.db;
        let incr = read(&format!("{aof}/{AOF_INCR}")).unwrap_or_default();
        let mut pos = 0;
        while let Ok(Some((args, used))) = resp::parse_request(&incr[pos..]) {
            pos += used;
            execute(&mut server, &args, now);
        }
    } else {
        let loaded = rdb::read(&read(&vfs::normalize(dir, "dump.rdb")).ok()?).ok()?;
        apply_marker(&mut server, loaded.aux("docklab-server")?);
        server.db = loaded.db;
    }
    server.db.retain(|_, e| e.expire_ms.is_none_or(|t| t > now));
    Some(server)
}

/// Where a running server keeps its files: the working directory (the image's
/// WORKDIR /data), else /data.
fn find_server(ctx: &Ctx<'_>, now: i64) -> Option<Server> {
    let fs = &*ctx.fs;
    let read = |p: &str| fs.read(p);
    [ctx.cwd.as_str(), "/data"]
        .iter()
        .find_map(|d| load(&read, d, now))
}

/// Writes what a write command changed: the whole RDB, or one more AOF record.
fn persist(ctx: &mut Ctx<'_>, server: &Server, args: &[Vec<u8>]) {
    let now = ctx.host.now().timestamp();
    if server.appendonly {
        let path = format!("{}/{AOF_DIR}/{AOF_INCR}", server.dir.trim_end_matches('/'));
        let _ = ctx.fs.write(&path, &resp::encode_command(args), true);
    } else {
        let _ = ctx.fs.write(
            &vfs::normalize(&server.dir, "dump.rdb"),
            &server.rdb(now),
            false,
        );
    }
}

fn upper(a: &[u8]) -> String {
    String::from_utf8_lossy(a).to_ascii_uppercase()
}

fn wrong_args(cmd: &str) -> Reply {
    Reply::err(format!(
        "ERR wrong number of arguments for '{}' command",
        cmd.to_ascii_lowercase()
    ))
}

fn parse_int(b: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(b).ok()?;
    let v: i64 = s.parse().ok()?;
    (v.to_string() == s).then_some(v)
}

const NOT_INT: &str = "ERR value is not an integer or out of range";

/// Glob matching as redis's `stringmatchlen`: `*`, `?`, `[...]`, `\`.
fn glob(p: &[u8], s: &[u8]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(b'*') => (0..=s.len()).any(|i| glob(&p[1..], &s[i..])),
        Some(b'?') => !s.is_empty() && glob(&p[1..], &s[1..]),
        Some(b'[') => {
            let Some(&c) = s.first() else { return false };
            let mut i = 1;
            let not = p.get(1) == Some(&b'^');
            if not {
                i += 1;
            }
            let mut hit = false;
            while i < p.len() && p[i] != b']' {
                if p[i] == b'\\' && i + 1 < p.len() {
                    i += 1;
                    hit |= p[i] == c;
                } else if i + 2 < p.len() && p[i + 1] == b'-' && p[i + 2] != b']' {
                    let (a, b) = (p[i].min(p[i + 2]), p[i].max(p[i + 2]));
                    hit |= (a..=b).contains(&c);
                    i += 2;
                } else {
                    hit |= p[i] == c;
                }
                i += 1;
            }
            let rest = if i < p.len() { &p[i + 1..] } else { &p[i..] };
            hit != not && glob(rest, &s[1..])
        }
        Some(b'\\') if p.len() > 1 => s.first() == Some(&p[1]) && glob(&p[2..], &s[1..]),
        Some(&c) => s.first() == Some(&c) && glob(&p[1..], &s[1..]),
    }
}

/// What a command does to the keyspace; `now` in Unix milliseconds. Returns the reply
/// and whether the keyspace changed (so it is written back).
fn execute(server: &mut Server, args: &[Vec<u8>], now: i64) -> (Reply, bool) {
    let Some(name) = args.first() else {
        return (Reply::err("ERR empty command"), false);
    };
    let cmd = upper(name);
    let argc = args.len();
    let db = &mut server.db;
    // A key past its expiry is gone for every command.
    db.retain(|_, e| e.expire_ms.is_none_or(|t| t > now));
    let arity = |min: usize, max: Option<usize>| argc >= min && max.is_none_or(|m| argc <= m);
    let ok = |min, max| arity(min, max);
    macro_rules! need {
        ($min:expr, $max:expr) => {
            if !ok($min, $max) {
                return (wrong_args(&cmd), false);
            }
        };
    }
    match cmd.as_str() {
        "PING" => {
            need!(1, Some(2));
            match args.get(1) {
                Some(m) => (Reply::bulk(m.clone()), false),
                None => (Reply::Status("PONG".into()), false),
            }
        }
        "ECHO" => {
            need!(2, Some(2));
            (Reply::bulk(args[1].clone()), false)
        }
        "SELECT" => {
            need!(2, Some(2));
            match parse_int(&args[1]) {
                Some(0) => (Reply::ok(), false),
                Some(n) if (0..16).contains(&n) => (
                    Reply::err("ERR docklab's redis keeps database 0 only"),
                    false,
                ),
                Some(_) => (Reply::err("ERR DB index is out of range"), false),
                None => (Reply::err(NOT_INT), false),
            }
        }
        "SET" => {
            need!(3, None);
            let mut expire = None;
            let (mut nx, mut xx, mut get, mut keepttl) = (false, false, false, false);
            let mut i = 3;
            while i < argc {
                let opt = upper(&args[i]);
                match opt.as_str() {
                    "NX" => nx = true,
                    "XX" => xx = true,
                    "GET" => get = true,
                    "KEEPTTL" => keepttl = true,
                    "EX" | "PX" | "EXAT" | "PXAT" if i + 1 < argc => {
                        let Some(n) = parse_int(&args[i + 1]) else {
                            return (Reply::err(NOT_INT), false);
                        };
                        if n <= 0 {
                            return (
                                Reply::err("ERR invalid expire time in 'set' command"),
                                false,
                            );
                        }
                        expire = Some(match opt.as_str() {
                            "EX" => now.saturating_add(n.saturating_mul(1000)),
                            "PX" => now.saturating_add(n),
                            "EXAT" => n.saturating_mul(1000),
                            _ => n,
                        });
                        i += 1;
                    }
                    _ => return (Reply::err("ERR syntax error"), false),
                }
                i += 1;
            }
            if nx && xx {
                return (Reply::err("ERR syntax error"), false);
            }
            let old = db.get(&args[1]).cloned();
            if (nx && old.is_some()) || (xx && old.is_none()) {
                let r = if get {
                    Reply::Bulk(old.map(|e| e.value))
                } else {
                    Reply::Bulk(None)
                };
                return (r, false);
            }
            let expire_ms = if keepttl {
                old.as_ref().and_then(|e| e.expire_ms)
            } else {
                expire
            };
            db.insert(
                args[1].clone(),
                Entry {
                    value: args[2].clone(),
                    expire_ms,
                },
            );
            let r = if get {
                Reply::Bulk(old.map(|e| e.value))
            } else {
                Reply::ok()
            };
            (r, true)
        }
        "SETEX" => {
            need!(4, Some(4));
            let Some(n) = parse_int(&args[2]) else {
                return (Reply::err(NOT_INT), false);
            };
            if n <= 0 {
                return (
                    Reply::err("ERR invalid expire time in 'setex' command"),
                    false,
                );
            }
            db.insert(
                args[1].clone(),
                Entry {
                    value: args[3].clone(),
                    expire_ms: Some(now.saturating_add(n.saturating_mul(1000))),
                },
            );
            (Reply::ok(), true)
        }
        "SETNX" => {
            need!(3, Some(3));
            if db.contains_key(&args[1]) {
                return (Reply::Int(0), false);
            }
            db.insert(
                args[1].clone(),
                Entry {
                    value: args[2].clone(),
                    expire_ms: None,
                },
            );
            (Reply::Int(1), true)
        }
        "GET" => {
            need!(2, Some(2));
            (
                Reply::Bulk(db.get(&args[1]).map(|e| e.value.clone())),
                false,
            )
        }
        "GETDEL" => {
            need!(2, Some(2));
            let old = db.remove(&args[1]);
            let dirty = old.is_some();
            (Reply::Bulk(old.map(|e| e.value)), dirty)
        }
        "MGET" => {
            need!(2, None);
            let items = args[1..]
                .iter()
                .map(|k| Reply::Bulk(db.get(k).map(|e| e.value.clone())))
                .collect();
            (Reply::Array(items), false)
        }
        "MSET" => {
            if argc < 3 || argc.is_multiple_of(2) {
                return (wrong_args(&cmd), false);
            }
            for pair in args[1..].chunks(2) {
                db.insert(
                    pair[0].clone(),
                    Entry {
                        value: pair[1].clone(),
                        expire_ms: None,
                    },
                );
            }
            (Reply::ok(), true)
        }
        "APPEND" => {
            need!(3, Some(3));
            let e = db.entry(args[1].clone()).or_insert(Entry {
                value: Vec::new(),
                expire_ms: None,
            });
            e.value.extend_from_slice(&args[2]);
            (Reply::Int(e.value.len() as i64), true)
        }
        "STRLEN" => {
            need!(2, Some(2));
            (
                Reply::Int(db.get(&args[1]).map_or(0, |e| e.value.len()) as i64),
                false,
            )
        }
        "INCR" | "DECR" | "INCRBY" | "DECRBY" => {
            let by = match cmd.as_str() {
                "INCR" | "DECR" => {
                    need!(2, Some(2));
                    1
                }
                _ => {
                    need!(3, Some(3));
                    match parse_int(&args[2]) {
                        Some(n) => n,
                        None => return (Reply::err(NOT_INT), false),
                    }
                }
            };
            let by = if cmd.starts_with('D') {
                match by.checked_neg() {
                    Some(b) => b,
                    None => return (Reply::err("ERR decrement would overflow"), false),
                }
            } else {
                by
            };
            let cur = match db.get(&args[1]) {
                None => 0,
                Some(e) => match parse_int(&e.value) {
                    Some(v) => v,
                    None => return (Reply::err(NOT_INT), false),
                },
            };
            let Some(next) = cur.checked_add(by) else {
                return (
                    Reply::err("ERR increment or decrement would overflow"),
                    false,
                );
            };
            let expire_ms = db.get(&args[1]).and_then(|e| e.expire_ms);
            db.insert(
                args[1].clone(),
                Entry {
                    value: next.to_string().into_bytes(),
                    expire_ms,
                },
            );
            (Reply::Int(next), true)
        }
        "DEL" | "UNLINK" => {
            need!(2, None);
            let n = args[1..].iter().filter(|k| db.remove(*k).is_some()).count();
            (Reply::Int(n as i64), n > 0)
        }
        "EXISTS" => {
            need!(2, None);
            let n = args[1..].iter().filter(|k| db.contains_key(*k)).count();
            (Reply::Int(n as i64), false)
        }
        "TYPE" => {
            need!(2, Some(2));
            let t = if db.contains_key(&args[1]) {
                "string"
            } else {
                "none"
            };
            (Reply::Status(t.into()), false)
        }
        "KEYS" => {
            need!(2, Some(2));
            let keys = db
                .keys()
                .filter(|k| glob(&args[1], k))
                .map(|k| Reply::bulk(k.clone()))
                .collect();
            (Reply::Array(keys), false)
        }
        "EXPIRE" | "PEXPIRE" | "EXPIREAT" | "PEXPIREAT" => {
            need!(3, Some(3));
            let Some(n) = parse_int(&args[2]) else {
                return (Reply::err(NOT_INT), false);
            };
            let at = match cmd.as_str() {
                "EXPIRE" => now.saturating_add(n.saturating_mul(1000)),
                "PEXPIRE" => now.saturating_add(n),
                "EXPIREAT" => n.saturating_mul(1000),
                _ => n,
            };
            if !db.contains_key(&args[1]) {
                return (Reply::Int(0), false);
            }
            if at <= now {
                db.remove(&args[1]);
            } else if let Some(e) = db.get_mut(&args[1]) {
                e.expire_ms = Some(at);
            }
            (Reply::Int(1), true)
        }
        "PERSIST" => {
            need!(2, Some(2));
            match db.get_mut(&args[1]) {
                Some(e) if e.expire_ms.is_some() => {
                    e.expire_ms = None;
                    (Reply::Int(1), true)
                }
                _ => (Reply::Int(0), false),
            }
        }
        "TTL" | "PTTL" => {
            need!(2, Some(2));
            let r = match db.get(&args[1]) {
                None => -2,
                Some(Entry {
                    expire_ms: None, ..
                }) => -1,
                Some(Entry {
                    expire_ms: Some(t), ..
                }) => {
                    let left = t - now;
                    if cmd == "TTL" {
                        (left + 500) / 1000
                    } else {
                        left
                    }
                }
            };
            (Reply::Int(r), false)
        }
        "DBSIZE" => {
            need!(1, Some(1));
            (Reply::Int(db.len() as i64), false)
        }
        "FLUSHALL" | "FLUSHDB" => {
            need!(1, Some(2));
            let dirty = !db.is_empty();
            db.clear();
            (Reply::ok(), dirty || cmd == "FLUSHALL")
        }
        "INFO" => {
            let section = args.get(1).map(|s| upper(s)).unwrap_or_default();
            (Reply::bulk(info(server, &section, now)), false)
        }
        "SAVE" => (Reply::ok(), false),
        "BGSAVE" => (Reply::Status("Background saving started".into()), false),
        "LASTSAVE" => (Reply::Int(now / 1000), false),
        "TIME" => (
            Reply::Array(vec![
                Reply::bulk((now / 1000).to_string()),
                Reply::bulk(((now % 1000) * 1000).to_string()),
            ]),
            false,
        ),
        "QUIT" => (Reply::ok(), false),
        _ => {
            let mut with: String = args[1..]
                .iter()
                .map(|a| format!("'{}' ", String::from_utf8_lossy(a)))
                .collect();
            with.truncate(128);
            (
                Reply::err(format!(
                    "ERR unknown command '{}', with args beginning with: {with}",
                    String::from_utf8_lossy(name)
                )),
                false,
            )
        }
    }
}

/// `INFO`: the server, clients, memory, persistence and keyspace sections.
fn info(server: &Server, section: &str, now: i64) -> String {
    let uptime = (now / 1000 - server.started).max(0);
    let mut out = String::new();
    let all = section.is_empty() || matches!(section, "ALL" | "DEFAULT" | "EVERYTHING");
    if all || section == "SERVER" {
        out.push_str(&format!(
            "# Server\r\nredis_version:{VERSION}\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:{BUILD_ID}\r\nredis_mode:standalone\r\nos:Linux 6.10.14-linuxkit x86_64\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:12.2.0\r\nprocess_id:1\r\nprocess_supervised:no\r\ntcp_port:{}\r\nserver_time_usec:{}\r\nuptime_in_seconds:{uptime}\r\nuptime_in_days:{}\r\nhz:10\r\nconfigured_hz:10\r\nexecutable:{}/redis-server\r\nconfig_file:\r\nio_threads_active:0\r\nlistener0:name=tcp,bind=*,bind=-::*,port={}\r\n",
            server.port,
            now * 1000,
            uptime / 86400,
            server.dir.trim_end_matches('/'),
            server.port,
        ));
    }
    if all || section == "PERSISTENCE" {
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        out.push_str(&format!(
            "# Persistence\r\nloading:0\r\nrdb_changes_since_last_save:0\r\nrdb_bgsave_in_progress:0\r\nrdb_last_save_time:{}\r\nrdb_last_bgsave_status:ok\r\naof_enabled:{}\r\naof_rewrite_in_progress:0\r\n",
            now / 1000,
            u8::from(server.appendonly)
        ));
    }
    if all || section == "KEYSPACE" {
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        out.push_str("# Keyspace\r\n");
        if !server.db.is_empty() {
            let expires = server.db.values().filter(|e| e.expire_ms.is_some()).count();
            out.push_str(&format!(
                "db0:keys={},expires={expires},avg_ttl=0,subexpiry=0\r\n",
                server.db.len()
            ));
        }
    }
    out
}

/// `1:M 04 Dec 2026 18:40:00.123 * message`, as redis logs.
fn log_line(ctx: &Ctx<'_>, role: char, level: char, msg: &str) -> String {
    let t = ctx.host.now().format("%d %b %Y %H:%M:%S%.3f");
    format!("1:{role} {t} {level} {msg}\n")
}

fn fatal_config(io: &mut Streams<'_>, line: usize, text: &str, why: &str) -> i32 {
    let _ = write!(
        io.stderr,
        "\n*** FATAL CONFIG FILE ERROR (Redis {VERSION}) ***\nReading the configuration file, at line {line}\n>>> '{text}'\n{why}\n"
    );
    1
}

pub fn redis_server(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    let mut args = &argv[1..];
    match args.first().map(String::as_str) {
        Some("-v" | "--version") => {
            let _ = writeln!(
                io.stdout,
                "Redis server v={VERSION} sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build={BUILD_ID}"
            );
            return 0;
        }
        Some("-h" | "--help") => {
            let _ = write!(
                io.stderr,
                "Usage: ./redis-server [/path/to/redis.conf] [options] [-]\n       ./redis-server - (read config from stdin)\n       ./redis-server -v or --version\n       ./redis-server -h or --help\n       ./redis-server --test-memory <megabytes>\n       ./redis-server --check-system\n\nExamples:\n       ./redis-server (run the server with default conf)\n       echo 'maxmemory 128mb' | ./redis-server -\n       ./redis-server /etc/redis/6379.conf\n       ./redis-server --port 7777\n       ./redis-server --port 7777 --replicaof 127.0.0.1 8888\n       ./redis-server /etc/myredis.conf --loglevel verbose -\n       ./redis-server /etc/myredis.conf --loglevel verbose\n\nSentinel mode:\n       ./redis-server /etc/sentinel.conf --sentinel\n"
            );
            return 1;
        }
        _ => {}
    }
    // The directives: a config file's lines, then the command line's `--name value...`.
    let mut directives: Vec<(usize, Vec<String>)> = Vec::new();
    if let Some(file) = args.first().filter(|a| !a.starts_with("--")) {
        let path = ctx.abs(file);
        match ctx.fs.read(&path) {
            Ok(bytes) => {
                for (i, line) in String::from_utf8_lossy(&bytes).lines().enumerate() {
                    let line = line.trim();
                    if line.is_empty() || line.starts_with('#') {
                        continue;
                    }
                    match resp::split_args(line) {
                        Some(words) => directives.push((i + 1, words)),
                        None => {
                            return fatal_config(
                                &mut io,
                                i + 1,
                                line,
                                "Unbalanced quotes in configuration line",
                            );
                        }
                    }
                }
            }
            Err(_) => {
                let _ = writeln!(
                    io.stderr,
                    "Fatal error, can't open config file '{path}': No such file or directory"
                );
                return 1;
            }
        }
        args = &args[1..];
    }
    let first_cli = directives.len() + 1;
    let mut i = 0;
    while i < args.len() {
        let Some(name) = args[i].strip_prefix("--") else {
            return fatal_config(
                &mut io,
                first_cli,
                &args[i],
                "Bad directive or wrong number of arguments",
            );
        };
        let mut words = vec![name.to_string()];
        i += 1;
        while i < args.len() && !args[i].starts_with("--") {
            words.push(args[i].clone());
            i += 1;
        }
        directives.push((first_cli, words));
    }
    let mut port: u16 = 6379;
    let mut appendonly = false;
    let mut requirepass: Option<String> = None;
    let mut dir = ctx.cwd.clone();
    let mut bind_all = true;
    for (line, words) in &directives {
        let text = words.join(" ");
        let value = words.get(1).cloned().unwrap_or_default();
        let yes_no = |v: &str| match v {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        };
        match words[0].to_ascii_lowercase().as_str() {
            "port" => match value.parse::<u16>() {
                Ok(p) => port = p,
                Err(_) => {
                    return fatal_config(
                        &mut io,
                        *line,
                        &text,
                        "argument couldn't be parsed into an integer",
                    );
                }
            },
            "appendonly" => match yes_no(&value) {
                Some(v) => appendonly = v,
                None => {
                    return fatal_config(&mut io, *line, &text, "argument must be 'yes' or 'no'");
                }
            },
            "requirepass" => requirepass = (!value.is_empty()).then_some(value),
            "dir" => {
                let d = ctx.abs(&value);
                if !ctx.fs.metadata(&d).is_ok_and(|m| m.is_dir()) {
                    return fatal_config(&mut io, *line, &text, "No such file or directory");
                }
                dir = d;
            }
            "bind" => {
                bind_all = words[1..]
                    .iter()
                    .any(|a| matches!(a.trim_start_matches('-'), "*" | "0.0.0.0" | "::*" | "::"));
            }
            "save"
            | "protected-mode"
            | "loglevel"
            | "logfile"
            | "databases"
            | "dbfilename"
            | "maxmemory"
            | "maxmemory-policy"
            | "appendfsync"
            | "daemonize"
            | "timeout"
            | "tcp-keepalive"
            | "io-threads"
            | "maxclients"
            | "rdbcompression"
            | "appendfilename"
            | "appenddirname"
            | "replica-read-only"
            | "notify-keyspace-events"
            | "supervised"
            | "pidfile" => {}
            _ => {
                return fatal_config(
                    &mut io,
                    *line,
                    &text,
                    "Bad directive or wrong number of arguments",
                );
            }
        }
    }
    let now = now_ms(ctx);
    let mut out = String::new();
    out.push_str(&log_line(
        ctx,
        'C',
        '*',
        "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
    ));
    out.push_str(&log_line(
        ctx,
        'C',
        '*',
        &format!(
            "Redis version={VERSION}, bits=64, commit=00000000, modified=0, pid=1, just started"
        ),
    ));
    if argv.len() == 1 {
        out.push_str(&log_line(
            ctx,
            'C',
            '#',
            &format!(
                "Warning: no config file specified, using the default config. In order to specify a config file use {} /path/to/redis.conf",
                argv[0]
            ),
        ));
    } else {
        out.push_str(&log_line(ctx, 'C', '*', "Configuration loaded"));
    }
    out.push_str(&log_line(
        ctx,
        'M',
        '*',
        "monotonic clock: POSIX clock_gettime",
    ));
    out.push_str(&log_line(
        ctx,
        'M',
        '*',
        &format!("Running mode=standalone, port={port}."),
    ));
    out.push_str(&log_line(ctx, 'M', '*', "Server initialized"));
    // What an earlier server left: its keys, whichever persistence it used.
    let fs = &*ctx.fs;
    let read = |p: &str| fs.read(p);
    let aof_dir = vfs::normalize(&dir, AOF_DIR);
    let mut db = Db::new();
    let load_rdb = |bytes: &[u8], out: &mut String, base: bool| -> Option<Db> {
        let loaded = rdb::read(bytes).ok()?;
        let ctime: i64 = loaded
            .aux("ctime")
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let mem: f64 = loaded
            .aux("used-mem")
            .and_then(|c| c.parse().ok())
            .unwrap_or(BASE_MEMORY as f64);
        let total = loaded.db.len();
        let mut kept = loaded.db.clone();
        kept.retain(|_, e| e.expire_ms.is_none_or(|t| t > now));
        let lines = [
            format!(
                "Loading RDB produced by version {}",
                loaded.aux("redis-ver").unwrap_or(VERSION)
            ),
            format!("RDB age {} seconds", (now / 1000 - ctime).max(0)),
            format!(
                "RDB memory usage when created {:.2} Mb",
                mem / 1024.0 / 1024.0
            ),
        ];
        for l in lines {
            out.push_str(&log_line(ctx, 'M', '*', &l));
        }
        if base {
            out.push_str(&log_line(ctx, 'M', '*', "RDB is base AOF"));
        }
        out.push_str(&log_line(
            ctx,
            'M',
            '*',
            &format!(
                "Done loading RDB, keys loaded: {}, keys expired: {}.",
                kept.len(),
                total - kept.len()
            ),
        ));
        Some(kept)
    };
    let had_aof = appendonly && read(&format!("{aof_dir}/{AOF_MANIFEST}")).is_ok();
    if had_aof {
        out.push_str(&log_line(
            ctx,
            'M',
            '*',
            "Reading RDB base file on AOF loading...",
        ));
        let base = read(&format!("{aof_dir}/{AOF_BASE}")).unwrap_or_default();
        db = load_rdb(&base, &mut out, true).unwrap_or_default();
        out.push_str(&log_line(
            ctx,
            'M',
            '*',
            &format!("DB loaded from base file {AOF_BASE}: 0.000 seconds"),
        ));
        let mut replay = Server {
            dir: dir.clone(),
            appendonly: true,
            port,
            started: now / 1000,
            auth: None,
            db: std::mem::take(&mut db),
        };
        let incr = read(&format!("{aof_dir}/{AOF_INCR}")).unwrap_or_default();
        let mut pos = 0;
        while let Ok(Some((args, used))) = resp::parse_request(&incr[pos..]) {
            pos += used;
            execute(&mut replay, &args, now);
        }
        db = replay.db;
        for l in [
            format!("DB loaded from incr file {AOF_INCR}: 0.000 seconds"),
            "DB loaded from append only file: 0.000 seconds".to_string(),
            format!("Opening AOF incr file {AOF_INCR} on server start"),
        ] {
            out.push_str(&log_line(ctx, 'M', '*', &l));
        }
    } else if let Ok(bytes) = read(&vfs::normalize(&dir, "dump.rdb"))
        && let Some(d) = load_rdb(&bytes, &mut out, false)
    {
        {
            db = d;
            out.push_str(&log_line(
                ctx,
                'M',
                '*',
                "DB loaded from disk: 0.000 seconds",
            ));
        }
    }
    if appendonly && !had_aof {
        out.push_str(&log_line(
            ctx,
            'M',
            '*',
            &format!("Creating AOF base file {AOF_BASE} on server start"),
        ));
        out.push_str(&log_line(
            ctx,
            'M',
            '*',
            &format!("Creating AOF incr file {AOF_INCR} on server start"),
        ));
    }
    out.push_str(&log_line(ctx, 'M', '*', "Ready to accept connections tcp"));
    let server = Server {
        dir: dir.clone(),
        appendonly,
        port,
        started: now / 1000,
        auth: requirepass.as_deref().map(sha256_hex),
        db,
    };
    // The live keyspace, where redis-cli in any `docker exec` finds it.
    let secs = now / 1000;
    if appendonly {
        let _ = vfs::create_dir_all(ctx.fs, &aof_dir);
        let base = server.rdb(secs);
        let _ = ctx.fs.write(&format!("{aof_dir}/{AOF_BASE}"), &base, false);
        let _ = ctx.fs.write(&format!("{aof_dir}/{AOF_INCR}"), b"", false);
        let manifest = format!("file {AOF_BASE} seq 1 type b\nfile {AOF_INCR} seq 1 type i\n");
        let _ = ctx.fs.write(
            &format!("{aof_dir}/{AOF_MANIFEST}"),
            manifest.as_bytes(),
            false,
        );
    } else {
        let _ = ctx
            .fs
            .write(&vfs::normalize(&dir, "dump.rdb"), &server.rdb(secs), false);
    }
    let _ = io.stdout.write_all(out.as_bytes());
    if bind_all {
        ctx.host.listen(port, &format!("redis:{dir}"));
    }
    ctx.host.sleep(FOREVER);
    0
}

/// redis-cli's rendering of a reply at a terminal (`cliFormatReplyTTY`).
fn format_tty(r: &Reply, prefix: &str) -> String {
    match r {
        Reply::Status(s) => format!("{s}\n"),
        Reply::Error(s) => format!("(error) {s}\n"),
        Reply::Int(n) => format!("(integer) {n}\n"),
        Reply::Bulk(None) => "(nil)\n".to_string(),
        Reply::Bulk(Some(b)) => format!("{}\n", repr(b)),
        Reply::Array(items) if items.is_empty() => "(empty array)\n".to_string(),
        Reply::Array(items) => {
            let width = items.len().to_string().len();
            let mut out = String::new();
            for (i, item) in items.iter().enumerate() {
                let head = format!("{:>width$}) ", i + 1);
                if i > 0 {
                    out.push_str(prefix);
                }
                out.push_str(&head);
                let inner = format!("{prefix}{}", " ".repeat(head.len()));
                out.push_str(&format_tty(item, &inner));
            }
            out
        }
    }
}

/// `sdscatrepr`: a quoted string with C escapes.
fn repr(b: &[u8]) -> String {
    let mut s = String::from("\"");
    for &c in b {
        match c {
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            7 => s.push_str("\\a"),
            8 => s.push_str("\\b"),
            c if c.is_ascii_graphic() || c == b' ' => s.push(c as char),
            c => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s.push('"');
    s
}

/// redis-cli's raw rendering, used when stdout is not a terminal (`cliFormatReplyRaw`
/// followed by the newline it puts after every reply).
fn format_raw(r: &Reply) -> Vec<u8> {
    fn inner(r: &Reply, out: &mut Vec<u8>) {
        match r {
            Reply::Status(s) => out.extend_from_slice(s.as_bytes()),
            Reply::Error(s) => {
                out.extend_from_slice(s.as_bytes());
                out.push(b'\n');
            }
            Reply::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Reply::Bulk(None) => {}
            Reply::Bulk(Some(b)) => out.extend_from_slice(b),
            Reply::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b'\n');
                    }
                    inner(item, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    inner(r, &mut out);
    out.push(b'\n');
    out
}

pub fn redis_cli(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let mut host = "127.0.0.1".to_string();
    let mut port: u16 = 6379;
    let mut password: Option<String> = None;
    let mut tty = ctx.columns.is_some();
    let mut i = 1;
    while i < argv.len() && argv[i].starts_with('-') && argv[i].len() > 1 {
        let a = argv[i].as_str();
        let value = argv.get(i + 1).cloned();
        let mut takes = true;
        match a {
            "-h" => host = value.unwrap_or_default(),
            "-p" => match value.as_deref().map(str::parse::<u16>) {
                Some(Ok(p)) => port = p,
                _ => {
                    let _ = writeln!(
                        io.stderr,
                        "Invalid server port: {}",
                        value.as_deref().unwrap_or("")
                    );
                    return 1;
                }
            },
            "-a" | "--pass" => password = value,
            "-n" => {}
            "--raw" => {
                tty = false;
                takes = false;
            }
            "--no-raw" => {
                tty = true;
                takes = false;
            }
            "--no-auth-warning" => takes = false,
            "-v" | "--version" => {
                let _ = writeln!(io.stdout, "redis-cli {VERSION}");
                return 0;
            }
            _ => {
                let _ = writeln!(
                    io.stderr,
                    "Unrecognized option or bad number of args for: '{a}'"
                );
                return 1;
            }
        }
        i += if takes { 2 } else { 1 };
    }
    if password.is_some() && !argv.iter().any(|a| a == "--no-auth-warning") {
        let _ = writeln!(
            io.stderr,
            "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe."
        );
    }
    let commands: Vec<Vec<String>> = if i < argv.len() {
        vec![argv[i..].to_vec()]
    } else {
        let text = String::from_utf8_lossy(io.stdin).into_owned();
        let mut cmds = Vec::new();
        for line in text.lines() {
            match resp::split_args(line) {
                Some(w) if !w.is_empty() => cmds.push(w),
                Some(_) => {}
                None => {
                    let _ = writeln!(io.stderr, "Invalid argument(s)");
                }
            }
        }
        cmds
    };
    let hostname = ctx.var("HOSTNAME").unwrap_or("").to_string();
    let local = matches!(host.as_str(), "127.0.0.1" | "localhost" | "::1" | "0.0.0.0")
        || (!hostname.is_empty() && host == hostname);
    let now = now_ms(ctx);
    let server = if local {
        find_server(ctx, now).filter(|s| s.port == port)
    } else {
        None
    };
    if !local {
        return remote(ctx, &host, port, password.as_deref(), &commands, tty, io);
    }
    let Some(mut server) = server else {
        let why = if local || host.parse::<std::net::IpAddr>().is_ok() {
            "Connection refused"
        } else {
            "Name or service not known"
        };
        let _ = writeln!(
            io.stderr,
            "Could not connect to Redis at {host}:{port}: {why}"
        );
        return 1;
    };
    let mut authed = server.auth.is_none();
    if let (Some(p), Some(want)) = (&password, &server.auth) {
        authed = sha256_hex(p) == *want;
        if !authed {
            let _ = writeln!(
                io.stderr,
                "AUTH failed: WRONGPASS invalid username-password pair or user is disabled."
            );
        }
    }
    let mut status = 0;
    for words in commands {
        let args: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        let cmd = upper(&args[0]);
        let reply = if cmd == "AUTH" {
            match (&server.auth, args.len()) {
                (_, n) if !(2..=3).contains(&n) => wrong_args("auth"),
                (None, _) => Reply::err(
                    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
                ),
                (Some(want), _) => {
                    let given = String::from_utf8_lossy(&args[args.len() - 1]).into_owned();
                    if sha256_hex(&given) == *want {
                        authed = true;
                        Reply::ok()
                    } else {
                        Reply::err("WRONGPASS invalid username-password pair or user is disabled.")
                    }
                }
            }
        } else if !authed && !matches!(cmd.as_str(), "QUIT") {
            Reply::err("NOAUTH Authentication required.")
        } else {
            let (reply, dirty) = execute(&mut server, &args, now);
            if dirty {
                persist(ctx, &server, &args);
            } else if cmd == "SAVE" || cmd == "BGSAVE" {
                // A snapshot, even with the AOF on.
                let bytes = server.rdb(now / 1000);
                let _ = ctx
                    .fs
                    .write(&vfs::normalize(&server.dir, "dump.rdb"), &bytes, false);
            }
            reply
        };
        if matches!(reply, Reply::Error(_)) {
            status = 1;
        }
        let text = if tty && cmd != "INFO" {
            format_tty(&reply, "").into_bytes()
        } else {
            format_raw(&reply)
        };
        let _ = io.stdout.write_all(&text);
    }
    status
}

/// `redis-cli -h HOST`: the server in another container, reached over the engine's
/// network by its name (the embedded DNS) and spoken to in RESP2.
fn remote(
    ctx: &mut Ctx<'_>,
    host: &str,
    port: u16,
    password: Option<&str>,
    commands: &[Vec<String>],
    tty: bool,
    io: Streams<'_>,
) -> i32 {
    use super::netdb::{Connect, connect, connect_error, resolve};
    let fail = |io: Streams<'_>, why: &str| {
        let _ = writeln!(
            io.stderr,
            "Could not connect to Redis at {host}:{port}: {why}"
        );
        1
    };
    let Some(addr) = resolve(ctx, host) else {
        return fail(io, "Name or service not known");
    };
    let to = match connect(ctx, addr, port) {
        Connect::To(to) => to,
        other => return fail(io, connect_error(other)),
    };
    let Ok(stream) = std::net::TcpStream::connect_timeout(&to, Duration::from_secs(5)) else {
        return fail(io, "Connection refused");
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return fail(io, "Connection refused"),
    };
    let mut reader = std::io::BufReader::new(stream);
    let mut ask = |args: &[Vec<u8>]| -> Option<Reply> {
        std::io::Write::write_all(&mut writer, &resp::encode_command(args)).ok()?;
        resp::read_reply(&mut reader)
    };
    if let Some(p) = password
        && let Some(Reply::Error(e)) = ask(&[b"AUTH".to_vec(), p.as_bytes().to_vec()])
    {
        let _ = writeln!(io.stderr, "AUTH failed: {e}");
    }
    let mut status = 0;
    for words in commands {
        let args: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        let cmd = upper(&args[0]);
        let Some(reply) = ask(&args) else {
            let _ = writeln!(io.stderr, "Error: Server closed the connection");
            return 1;
        };
        if matches!(reply, Reply::Error(_)) {
            status = 1;
        }
        let text = if tty && cmd != "INFO" {
            format_tty(&reply, "").into_bytes()
        } else {
            format_raw(&reply)
        };
        let _ = io.stdout.write_all(&text);
    }
    status
}

/// The keyspace behind a published port: RESP2 over TCP. The service reads the
/// container's files as they are now (`ContainerView::fs`), which it cannot write, so
/// it answers reads and refuses writes with an error that says where to write.
pub fn service(
    kind: &str,
    arg: &str,
    view: crate::engine::net::app::ContainerView,
) -> Option<crate::engine::net::Service> {
    if kind != "redis" {
        return None;
    }
    let dir = arg.to_string();
    let view = std::sync::Arc::new(view);
    Some(crate::engine::net::Service::Spawn(Box::new(
        move |listener| Box::pin(serve(listener, view, dir)),
    )))
}

/// Commands that only read the keyspace; the service answers these.
fn read_only(cmd: &str) -> bool {
    matches!(
        cmd,
        "PING"
            | "ECHO"
            | "GET"
            | "MGET"
            | "STRLEN"
            | "EXISTS"
            | "TYPE"
            | "KEYS"
            | "TTL"
            | "PTTL"
            | "DBSIZE"
            | "INFO"
            | "TIME"
            | "SELECT"
            | "QUIT"
            | "AUTH"
            | "COMMAND"
            | "CLIENT"
            | "HELLO"
    )
}

/// The most a client may send before a command is complete.
const MAX_PENDING: usize = 64 << 20;

async fn serve(
    listener: tokio::net::TcpListener,
    view: std::sync::Arc<crate::engine::net::app::ContainerView>,
    dir: String,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let view = view.clone();
        let dir = dir.clone();
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 16 * 1024];
            let mut authed = false;
            loop {
                let n = match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                buf.extend_from_slice(&chunk[..n]);
                if buf.len() > MAX_PENDING {
                    return;
                }
                let mut out = Vec::new();
                let mut quit = false;
                loop {
                    match resp::parse_request(&buf) {
                        Ok(Some((args, used))) => {
                            buf.drain(..used);
                            if args.is_empty() {
                                continue;
                            }
                            let now = view.clock.now().timestamp_millis();
                            let read = |p: &str| view.fs.read(p);
                            let reply = answer(&read, &dir, &args, now, &mut authed);
                            quit = upper(&args[0]) == "QUIT";
                            reply.encode(&mut out);
                            if quit {
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            Reply::err(format!("ERR {e}")).encode(&mut out);
                            quit = true;
                            break;
                        }
                    }
                }
                if stream.write_all(&out).await.is_err() || quit {
                    return;
                }
            }
        });
    }
}

/// One command of a TCP client, against the keyspace as the container's files hold it.
fn answer(
    read: &dyn Fn(&str) -> std::io::Result<Vec<u8>>,
    dir: &str,
    args: &[Vec<u8>],
    now: i64,
    authed: &mut bool,
) -> Reply {
    let cmd = upper(&args[0]);
    let mut server = load(read, dir, now).unwrap_or(Server {
        dir: dir.to_string(),
        appendonly: false,
        port: 6379,
        started: now / 1000,
        auth: None,
        db: Db::new(),
    });
    match cmd.as_str() {
        "AUTH" => {
            let given = String::from_utf8_lossy(&args[args.len() - 1]).into_owned();
            return match &server.auth {
                None => Reply::err(
                    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
                ),
                Some(want) if sha256_hex(&given) == *want => {
                    *authed = true;
                    Reply::ok()
                }
                Some(_) => {
                    Reply::err("WRONGPASS invalid username-password pair or user is disabled.")
                }
            };
        }
        "COMMAND" => return Reply::Array(Vec::new()),
        "CLIENT" => return Reply::ok(),
        "HELLO" => {
            return Reply::err("NOPROTO unsupported protocol version");
        }
        _ => {}
    }
    if server.auth.is_some() && !*authed && cmd != "QUIT" {
        return Reply::err("NOAUTH Authentication required.");
    }
    if !read_only(&cmd) {
        return Reply::err(format!(
            "ERR docklab serves this keyspace read-only over the network; '{}' must run inside the container: docker exec CONTAINER redis-cli ...",
            cmd.to_ascii_lowercase()
        ));
    }
    execute(&mut server, args, now).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::shell::{Flavour, NullHost, Shell, WorkspaceFs};

    fn server() -> Server {
        Server {
            dir: "/data".into(),
            appendonly: false,
            port: 6379,
            started: 1_700_000_000,
            auth: None,
            db: Db::new(),
        }
    }

    fn run(s: &mut Server, line: &str, now: i64) -> Reply {
        let args: Vec<Vec<u8>> = resp::split_args(line)
            .unwrap()
            .into_iter()
            .map(String::into_bytes)
            .collect();
        execute(s, &args, now).0
    }

    #[test]
    fn string_commands_and_expiry_follow_the_clock() {
        let mut s = server();
        let t = 1_700_000_000_000;
        assert_eq!(run(&mut s, "ping", t), Reply::Status("PONG".into()));
        assert_eq!(run(&mut s, "set k v", t), Reply::ok());
        assert_eq!(run(&mut s, "get k", t), Reply::bulk("v"));
        assert_eq!(run(&mut s, "get nope", t), Reply::Bulk(None));
        assert_eq!(run(&mut s, "incr n", t), Reply::Int(1));
        assert_eq!(run(&mut s, "incrby n 41", t), Reply::Int(42));
        assert_eq!(run(&mut s, "incr k", t), Reply::err(NOT_INT));
        assert_eq!(run(&mut s, "exists k n x", t), Reply::Int(2));
        assert_eq!(run(&mut s, "ttl k", t), Reply::Int(-1));
        assert_eq!(run(&mut s, "ttl x", t), Reply::Int(-2));
        assert_eq!(run(&mut s, "expire k 10", t), Reply::Int(1));
        assert_eq!(run(&mut s, "ttl k", t + 2_000), Reply::Int(8));
        assert_eq!(run(&mut s, "get k", t + 10_000), Reply::Bulk(None));
        assert_eq!(
            run(&mut s, "keys *", t + 10_000),
            Reply::Array(vec![Reply::bulk("n")])
        );
        assert_eq!(run(&mut s, "dbsize", t), Reply::Int(1));
        assert_eq!(run(&mut s, "del n n2", t), Reply::Int(1));
        assert_eq!(
            run(&mut s, "set a 1 ex 0", t),
            Reply::err("ERR invalid expire time in 'set' command")
        );
        assert_eq!(
            run(&mut s, "get", t),
            Reply::err("ERR wrong number of arguments for 'get' command")
        );
        assert_eq!(
            run(&mut s, "hello1 a b", t),
            Reply::err("ERR unknown command 'hello1', with args beginning with: 'a' 'b' ")
        );
        run(&mut s, "mset a 1 b 2", t);
        assert_eq!(run(&mut s, "flushall", t), Reply::ok());
        assert_eq!(run(&mut s, "dbsize", t), Reply::Int(0));
    }

    #[test]
    fn keys_patterns_match_as_redis_globs() {
        assert!(glob(b"user:*", b"user:1"));
        assert!(glob(b"h?llo", b"hallo"));
        assert!(glob(b"h[ae]llo", b"hello"));
        assert!(!glob(b"h[^e]llo", b"hello"));
        assert!(glob(b"h[a-c]llo", b"hbllo"));
        assert!(!glob(b"a*b", b"acd"));
    }

    #[test]
    fn replies_render_as_redis_cli_does() {
        assert_eq!(format_tty(&Reply::bulk("v"), ""), "\"v\"\n");
        assert_eq!(format_tty(&Reply::bulk("a\"b\n"), ""), "\"a\\\"b\\n\"\n");
        assert_eq!(format_tty(&Reply::Int(3), ""), "(integer) 3\n");
        assert_eq!(format_tty(&Reply::Bulk(None), ""), "(nil)\n");
        assert_eq!(format_tty(&Reply::err("ERR x"), ""), "(error) ERR x\n");
        assert_eq!(format_tty(&Reply::Array(vec![]), ""), "(empty array)\n");
        let many: Vec<Reply> = (1..=10).map(|i| Reply::bulk(i.to_string())).collect();
        let text = format_tty(&Reply::Array(many), "");
        assert!(text.starts_with(" 1) \"1\"\n 2) \"2\"\n"), "{text}");
        assert!(text.ends_with("10) \"10\"\n"), "{text}");
        assert_eq!(format_raw(&Reply::bulk("v")), b"v\n");
        assert_eq!(format_raw(&Reply::Bulk(None)), b"\n");
        assert_eq!(format_raw(&Reply::Int(7)), b"7\n");
        assert_eq!(
            format_raw(&Reply::Array(vec![Reply::bulk("a"), Reply::bulk("b")])),
            b"a\nb\n"
        );
    }

    struct Run {
        out: String,
        err: String,
        status: i32,
    }

    fn sh(shell: &mut Shell<WorkspaceFs>, host: &mut NullHost, src: &str) -> Run {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = shell.run(src, host, Streams::new(b"", &mut out, &mut err));
        Run {
            out: String::from_utf8_lossy(&out).into_owned(),
            err: String::from_utf8_lossy(&err).into_owned(),
            status,
        }
    }

    fn container() -> (tempfile::TempDir, Shell<WorkspaceFs>, NullHost) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        std::fs::create_dir_all(dir.path().join("usr/local/bin")).unwrap();
        for name in ["redis-server", "redis-cli"] {
            std::fs::write(
                dir.path().join("usr/local/bin").join(name),
                crate::engine::program::executable(name, 100),
            )
            .unwrap();
        }
        let mut shell = Shell::new(WorkspaceFs::new(dir.path()), Flavour::Dash);
        shell.export("PATH", "/usr/local/bin:/usr/bin:/bin");
        shell.set_cwd("/data").unwrap();
        let host = NullHost {
            now: chrono::DateTime::from_timestamp(1_796_409_600, 123_000_000).unwrap(),
            ..NullHost::default()
        };
        (dir, shell, host)
    }

    #[test]
    fn the_server_logs_its_start_and_clients_share_its_keyspace_on_disk() {
        let (dir, mut shell, mut host) = container();
        let r = sh(&mut shell, &mut host, "redis-cli ping");
        assert_eq!(
            (r.err.as_str(), r.status),
            (
                "Could not connect to Redis at 127.0.0.1:6379: Connection refused\n",
                1
            )
        );
        let r = sh(&mut shell, &mut host, "redis-server");
        assert_eq!(
            r.out,
            "1:C 04 Dec 2026 18:40:00.123 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo\n\
             1:C 04 Dec 2026 18:40:00.123 * Redis version=7.4.5, bits=64, commit=00000000, modified=0, pid=1, just started\n\
             1:C 04 Dec 2026 18:40:00.123 # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf\n\
             1:M 04 Dec 2026 18:40:00.123 * monotonic clock: POSIX clock_gettime\n\
             1:M 04 Dec 2026 18:40:00.123 * Running mode=standalone, port=6379.\n\
             1:M 04 Dec 2026 18:40:00.123 * Server initialized\n\
             1:M 04 Dec 2026 18:40:00.123 * Ready to accept connections tcp\n"
        );
        let r = sh(
            &mut shell,
            &mut host,
            "redis-cli set k v; redis-cli get k; redis-cli incr k; echo $?; redis-cli -h other ping; redis-cli -p 6380 ping",
        );
        assert_eq!(
            r.out,
            "OK\nv\nERR value is not an integer or out of range\n\n1\n"
        );
        assert_eq!(
            r.err,
            "Could not connect to Redis at other:6379: Name or service not known\nCould not connect to Redis at 127.0.0.1:6380: Connection refused\n"
        );
        let rdb = rdb::read(&std::fs::read(dir.path().join("data/dump.rdb")).unwrap()).unwrap();
        assert_eq!(rdb.db.get(b"k".as_slice()).unwrap().value, b"v");
        let r = sh(
            &mut shell,
            &mut host,
            "printf 'set a 1\\nincr a\\nget a\\n' | redis-cli; redis-cli --version",
        );
        assert_eq!(r.out, "OK\n2\n2\nredis-cli 7.4.5\n");
        // A new server on the same files loads them.
        let r = sh(&mut shell, &mut host, "redis-server --port 6379");
        assert!(r.out.contains("* Configuration loaded\n"), "{}", r.out);
        assert!(
            r.out
                .contains("* Done loading RDB, keys loaded: 2, keys expired: 0.\n"),
            "{}",
            r.out
        );
        assert_eq!(sh(&mut shell, &mut host, "redis-cli get k").out, "v\n");
    }

    #[test]
    fn appendonly_keeps_an_aof_and_requirepass_guards_the_keys() {
        let (dir, mut shell, mut host) = container();
        let r = sh(
            &mut shell,
            &mut host,
            "redis-server --appendonly yes --requirepass s3cret",
        );
        assert!(
            r.out
                .contains("* Creating AOF incr file appendonly.aof.1.incr.aof on server start\n"),
            "{}",
            r.out
        );
        let r = sh(
            &mut shell,
            &mut host,
            "redis-cli set k v; redis-cli -a s3cret set k v; redis-cli --no-auth-warning -a s3cret get k",
        );
        assert_eq!(r.out, "NOAUTH Authentication required.\n\nOK\nv\n");
        let aof = std::fs::read(
            dir.path()
                .join("data/appendonlydir/appendonly.aof.1.incr.aof"),
        )
        .unwrap();
        assert_eq!(aof, b"*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n");
        let manifest = std::fs::read_to_string(
            dir.path()
                .join("data/appendonlydir/appendonly.aof.manifest"),
        )
        .unwrap();
        assert_eq!(
            manifest,
            "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
        );
        let r = sh(
            &mut shell,
            &mut host,
            "redis-server --appendonly yes --requirepass s3cret",
        );
        assert!(
            r.out
                .contains("* DB loaded from append only file: 0.000 seconds\n"),
            "{}",
            r.out
        );
        assert_eq!(
            sh(
                &mut shell,
                &mut host,
                "redis-cli --no-auth-warning -a s3cret get k"
            )
            .out,
            "v\n"
        );
    }

    #[test]
    fn the_tcp_service_answers_reads_and_refuses_writes() {
        let mut s = server();
        s.db.insert(
            b"k".to_vec(),
            Entry {
                value: b"v".to_vec(),
                expire_ms: None,
            },
        );
        let bytes = s.rdb(1);
        let read = move |p: &str| {
            if p == "/data/dump.rdb" {
                Ok(bytes.clone())
            } else {
                Err(std::io::Error::from(std::io::ErrorKind::NotFound))
            }
        };
        let mut authed = false;
        let get = vec![b"GET".to_vec(), b"k".to_vec()];
        assert_eq!(
            answer(&read, "/data", &get, 0, &mut authed),
            Reply::bulk("v")
        );
        let set = vec![b"SET".to_vec(), b"k".to_vec(), b"w".to_vec()];
        assert!(
            matches!(answer(&read, "/data", &set, 0, &mut authed), Reply::Error(e) if e.contains("read-only"))
        );
    }

    #[test]
    fn bad_configuration_is_fatal_as_in_redis() {
        let (_dir, mut shell, mut host) = container();
        let r = sh(&mut shell, &mut host, "redis-server --nope 1");
        assert_eq!(
            r.err,
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.4.5) ***\nReading the configuration file, at line 1\n>>> 'nope 1'\nBad directive or wrong number of arguments\n"
        );
        assert_eq!(r.status, 1);
        let r = sh(&mut shell, &mut host, "redis-server --version");
        assert!(r.out.starts_with(
            "Redis server v=7.4.5 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build="
        ));
    }
}
