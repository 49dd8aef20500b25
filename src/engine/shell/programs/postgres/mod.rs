//! PostgreSQL 17's server and its clients, as the postgres image carries them:
//! `initdb`, `postgres`, `pg_ctl`, `pg_isready` and `psql` over a small SQL engine.
//!
//! A cluster is a PGDATA tree as initdb lays it out (PG_VERSION, base/, global/,
//! pg_wal/, postgresql.conf, pg_hba.conf...). What the SQL engine keeps lives in it too,
//! in a format of docklab's own, so a named volume on PGDATA keeps the data:
//! `global/docklab_catalog.json` lists the superuser and the databases with their oids,
//! and `base/OID/docklab_tables.json` holds one database's tables (columns, rows,
//! sequences) as JSON. A running server is known by what the real one leaves: the
//! socket `/var/run/postgresql/.s.PGSQL.PORT`, its `.lock` file (whose second line is
//! the data directory) and `PGDATA/postmaster.pid`; psql in any `docker exec` finds the
//! cluster through them.

mod sql;

use super::{Ctx, Streams};
use crate::engine::shell::vfs;
use serde::{Deserialize, Serialize};
use std::time::Duration;

const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
const SOCKET_DIR: &str = "/var/run/postgresql";

fn version(ctx: &Ctx<'_>) -> (String, String) {
    let major = ctx.var("PG_MAJOR").unwrap_or("17").to_string();
    let full = ctx
        .var("PG_VERSION")
        .map(|v| {
            let upstream = v.split('-').next().unwrap_or(v);
            format!("{upstream} (Debian {v})")
        })
        .unwrap_or_else(|| "17.5 (Debian 17.5-1.pgdg120+1)".to_string());
    (major, full)
}

fn version_string(ctx: &Ctx<'_>) -> String {
    let (_, full) = version(ctx);
    format!(
        "PostgreSQL {full} on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit"
    )
}

#[derive(Serialize, Deserialize, Default, Clone)]
struct CatalogFile {
    superuser: String,
    /// (name, oid)
    databases: Vec<(String, u32)>,
    /// When the cluster was last shut down, as the start-up log reports it.
    #[serde(default)]
    shutdown: String,
}

fn read_catalog(ctx: &Ctx<'_>, pgdata: &str) -> Option<CatalogFile> {
    let bytes = ctx
        .fs
        .read(&format!("{pgdata}/global/docklab_catalog.json"))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn write_catalog(ctx: &mut Ctx<'_>, pgdata: &str, cat: &CatalogFile) {
    if let Ok(json) = serde_json::to_vec_pretty(cat) {
        let _ = ctx.fs.write(
            &format!("{pgdata}/global/docklab_catalog.json"),
            &json,
            false,
        );
    }
}

fn tables_path(pgdata: &str, oid: u32) -> String {
    format!("{pgdata}/base/{oid}/docklab_tables.json")
}

fn log_time(ctx: &Ctx<'_>) -> String {
    ctx.host
        .now()
        .format("%Y-%m-%d %H:%M:%S%.3f UTC")
        .to_string()
}

fn log(ctx: &Ctx<'_>, pid: u32, msg: &str) -> String {
    format!("{} [{pid}] LOG:  {msg}\n", log_time(ctx))
}

/// `--name=value` or `--name value` / `-x value` / `-xvalue`.
fn opt_value(args: &[String], i: &mut usize, short: &str, long: &str) -> Option<String> {
    let a = &args[*i];
    if let Some(v) = a.strip_prefix(&format!("{long}=")) {
        return Some(v.to_string());
    }
    if a == long || a == short {
        *i += 1;
        return args.get(*i).cloned();
    }
    if !short.is_empty() && a.starts_with(short) && a.len() > short.len() && !a.starts_with("--") {
        return Some(a[short.len()..].to_string());
    }
    None
}

// --- initdb ---------------------------------------------------------------------------

/// Relation files of a fresh database directory, by file node: a few of each catalog
/// at the sizes a PostgreSQL 17 cluster starts with.
const DB_FILES: &[(&str, usize)] = &[
    ("1247", 122_880),
    ("1249", 466_944),
    ("1255", 811_008),
    ("1259", 122_880),
    ("2608", 163_840),
    ("2618", 122_880),
    ("2619", 139_264),
    ("PG_VERSION", 0),
    ("pg_filenode.map", 524),
];

const HBA: &str = "# PostgreSQL Client Authentication Configuration File\n# ===================================================\n#\n# Refer to the \"Client Authentication\" section in the PostgreSQL\n# documentation for a complete description of this file.\n\n# TYPE  DATABASE        USER            ADDRESS                 METHOD\n\n# \"local\" is for Unix domain socket connections only\nlocal   all             all                                     trust\n# IPv4 local connections:\nhost    all             all             127.0.0.1/32            trust\n# IPv6 local connections:\nhost    all             all             ::1/128                 trust\n# Allow replication connections from localhost, by a user with the\n# replication privilege.\nlocal   replication     all                                     trust\nhost    replication     all             127.0.0.1/32            trust\nhost    replication     all             ::1/128                 trust\n";

fn conf(major: &str) -> String {
    format!(
        "# -----------------------------\n# PostgreSQL configuration file\n# -----------------------------\n#\n# This file consists of lines of the form:\n#\n#   name = value\n#\n# (The \"=\" is optional.)  Whitespace may be used.  Comments are introduced with\n# \"#\" anywhere on a line.  The complete list of parameter names and allowed\n# values can be found in the PostgreSQL documentation.\n\nlisten_addresses = '*'\n\t\t\t\t\t# comma-separated list of addresses;\nmax_connections = 100\t\t\t# (change requires restart)\nshared_buffers = 128MB\t\t\t# min 128kB\ndynamic_shared_memory_type = posix\t# the default is usually the first option\nmax_wal_size = 1GB\nmin_wal_size = 80MB\nlog_timezone = 'Etc/UTC'\ndatestyle = 'iso, mdy'\ntimezone = 'Etc/UTC'\nlc_messages = 'en_US.utf8'\t\t# locale for system error message\nlc_monetary = 'en_US.utf8'\t\t# locale for monetary formatting\nlc_numeric = 'en_US.utf8'\t\t# locale for number formatting\nlc_time = 'en_US.utf8'\t\t\t# locale for time formatting\ndefault_text_search_config = 'pg_catalog.english'\n# PostgreSQL {major}\n"
    )
}

pub fn initdb(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let args = &argv[1..];
    let mut pgdata = ctx.var("PGDATA").map(str::to_string);
    let mut user = "postgres".to_string();
    let mut i = 0;
    while i < args.len() {
        if let Some(v) = opt_value(args, &mut i, "-D", "--pgdata") {
            pgdata = Some(v);
        } else if let Some(v) = opt_value(args, &mut i, "-U", "--username") {
            user = v;
        } else if args[i] == "-V" || args[i] == "--version" {
            let (_, full) = version(ctx);
            let _ = writeln!(io.stdout, "initdb (PostgreSQL) {full}");
            return 0;
        } else if !args[i].starts_with('-') && pgdata.is_none() {
            pgdata = Some(args[i].clone());
        }
        i += 1;
    }
    let Some(pgdata) = pgdata.map(|p| ctx.abs(&p)) else {
        let _ = write!(
            io.stderr,
            "initdb: error: no data directory specified\ninitdb: hint: You must identify the directory where the data for this database system will reside.  Do this with either the invocation option -D or the environment variable PGDATA.\n"
        );
        return 1;
    };
    if ctx.fs.read_dir(&pgdata).is_ok_and(|e| !e.is_empty()) {
        let _ = write!(
            io.stderr,
            "initdb: error: directory \"{pgdata}\" exists but is not empty\ninitdb: hint: If you want to create a new database system, either remove or empty the directory \"{pgdata}\" or run initdb with an argument other than \"{pgdata}\".\n"
        );
        return 1;
    }
    let existed = ctx.fs.exists(&pgdata);
    let (major, _) = version(ctx);
    let _ = write!(
        io.stdout,
        "The files belonging to this database system will be owned by user \"postgres\".\nThis user must also own the server process.\n\nThe database cluster will be initialized with locale \"en_US.utf8\".\nThe default database encoding has accordingly been set to \"UTF8\".\nThe default text search configuration will be set to \"english\".\n\nData page checksums are disabled.\n\n{} ... ok\ncreating subdirectories ... ok\nselecting dynamic shared memory implementation ... posix\nselecting default \"max_connections\" ... 100\nselecting default \"shared_buffers\" ... 128MB\nselecting default time zone ... Etc/UTC\ncreating configuration files ... ok\nrunning bootstrap script ... ok\nperforming post-bootstrap initialization ... ok\nsyncing data to disk ... ok\n\n\nSuccess. You can now start the database server using:\n\n    pg_ctl -D {pgdata} -l logfile start\n\n",
        if existed {
            format!("fixing permissions on existing directory {pgdata}")
        } else {
            format!("creating directory {pgdata}")
        }
    );
    let _ = write!(
        io.stderr,
        "initdb: warning: enabling \"trust\" authentication for local connections\ninitdb: hint: You can change this by editing pg_hba.conf or using the option -A, or --auth-local and --auth-host, the next time you run initdb.\n"
    );
    let fs = &mut *ctx.fs;
    let _ = vfs::create_dir_all(fs, &pgdata);
    let _ = fs.set_mode(&pgdata, 0o700);
    for d in [
        "base",
        "global",
        "pg_commit_ts",
        "pg_dynshmem",
        "pg_logical",
        "pg_logical/mappings",
        "pg_logical/snapshots",
        "pg_multixact",
        "pg_multixact/members",
        "pg_multixact/offsets",
        "pg_notify",
        "pg_replslot",
        "pg_serial",
        "pg_snapshots",
        "pg_stat",
        "pg_stat_tmp",
        "pg_subtrans",
        "pg_tblspc",
        "pg_twophase",
        "pg_wal",
        "pg_wal/archive_status",
        "pg_wal/summaries",
        "pg_xact",
    ] {
        let _ = fs.create_dir(&format!("{pgdata}/{d}"));
        let _ = fs.set_mode(&format!("{pgdata}/{d}"), 0o700);
    }
    let v = format!("{major}\n");
    let _ = fs.write(&format!("{pgdata}/PG_VERSION"), v.as_bytes(), false);
    for oid in [1u32, 4, 5] {
        let dir = format!("{pgdata}/base/{oid}");
        let _ = fs.create_dir(&dir);
        for (name, size) in DB_FILES {
            let data = if *name == "PG_VERSION" {
                v.as_bytes().to_vec()
            } else {
                vec![0u8; *size]
            };
            let _ = fs.write(&format!("{dir}/{name}"), &data, false);
        }
    }
    for (name, size) in [
        ("pg_control", 8_192usize),
        ("pg_filenode.map", 524),
        ("1260", 8_192),
        ("1262", 8_192),
        ("2676", 16_384),
        ("2677", 16_384),
    ] {
        let _ = fs.write(&format!("{pgdata}/global/{name}"), &vec![0u8; size], false);
    }
    let _ = fs.write(&format!("{pgdata}/pg_xact/0000"), &vec![0u8; 8_192], false);
    let _ = fs.write(
        &format!("{pgdata}/pg_multixact/offsets/0000"),
        &vec![0u8; 8_192],
        false,
    );
    let _ = fs.write(
        &format!("{pgdata}/pg_multixact/members/0000"),
        &vec![0u8; 8_192],
        false,
    );
    let _ = fs.write(&format!("{pgdata}/pg_hba.conf"), HBA.as_bytes(), false);
    let _ = fs.write(
        &format!("{pgdata}/pg_ident.conf"),
        b"# PostgreSQL User Name Maps\n# =========================\n\n# MAPNAME       SYSTEM-USERNAME         PG-USERNAME\n",
        false,
    );
    let _ = fs.write(
        &format!("{pgdata}/postgresql.conf"),
        conf(&major).as_bytes(),
        false,
    );
    let _ = fs.write(
        &format!("{pgdata}/postgresql.auto.conf"),
        b"# Do not edit this file manually!\n# It will be overwritten by the ALTER SYSTEM command.\n",
        false,
    );
    let now = ctx.host.now().format("%Y-%m-%d %H:%M:%S UTC").to_string();
    let cat = CatalogFile {
        superuser: user,
        databases: vec![
            ("postgres".into(), 5),
            ("template0".into(), 4),
            ("template1".into(), 1),
        ],
        shutdown: now,
    };
    write_catalog(ctx, &pgdata, &cat);
    0
}

// --- the server -----------------------------------------------------------------------

struct Options {
    pgdata: Option<String>,
    port: u16,
    listen: String,
}

fn parse_server_options(ctx: &Ctx<'_>, words: &[String]) -> Options {
    let mut o = Options {
        pgdata: ctx.var("PGDATA").map(str::to_string),
        port: ctx
            .var("PGPORT")
            .and_then(|p| p.parse().ok())
            .unwrap_or(5432),
        listen: "*".into(),
    };
    let mut i = 0;
    while i < words.len() {
        if let Some(v) = opt_value(words, &mut i, "-D", "--pgdata") {
            o.pgdata = Some(v);
        } else if let Some(v) = opt_value(words, &mut i, "-p", "--port") {
            o.port = v.parse().unwrap_or(5432);
        } else if let Some(v) = opt_value(words, &mut i, "-c", "") {
            if let Some((k, val)) = v.split_once('=') {
                let val = val.trim_matches('\'').to_string();
                match k.replace('-', "_").as_str() {
                    "listen_addresses" => o.listen = val,
                    "port" => o.port = val.parse().unwrap_or(5432),
                    _ => {}
                }
            }
        } else if let Some(rest) = words[i].strip_prefix("--")
            && let Some(("listen_addresses" | "listen-addresses", v)) = rest.split_once('=')
        {
            o.listen = v.trim_matches('\'').to_string();
        }
        i += 1;
    }
    o
}

/// Starts the server's side of the files: postmaster.pid, the socket and its lock.
/// Returns the log it writes, or the error it exits with.
fn start(ctx: &mut Ctx<'_>, o: &Options, pid: u32, startup_pid: u32) -> Result<String, String> {
    let Some(pgdata) = o.pgdata.as_deref().map(|p| ctx.abs(p)) else {
        return Err("postgres does not know where to find the server configuration file.\nYou must specify the --config-file or -D invocation option or set the PGDATA environment variable.\n".into());
    };
    if !ctx.fs.exists(&format!("{pgdata}/postgresql.conf")) {
        return Err(format!(
            "postgres: could not access the server configuration file \"{pgdata}/postgresql.conf\": No such file or directory\n"
        ));
    }
    let socket = format!("{SOCKET_DIR}/.s.PGSQL.{}", o.port);
    let started = ctx.host.now().timestamp();
    let mut out = log(ctx, pid, &format!("starting {}", version_string(ctx)));
    if o.listen == "*" {
        out.push_str(&log(
            ctx,
            pid,
            &format!("listening on IPv4 address \"0.0.0.0\", port {}", o.port),
        ));
        out.push_str(&log(
            ctx,
            pid,
            &format!("listening on IPv6 address \"::\", port {}", o.port),
        ));
    }
    out.push_str(&log(
        ctx,
        pid,
        &format!("listening on Unix socket \"{socket}\""),
    ));
    let shutdown = read_catalog(ctx, &pgdata)
        .map(|c| c.shutdown)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| ctx.host.now().format("%Y-%m-%d %H:%M:%S UTC").to_string());
    out.push_str(&log(
        ctx,
        startup_pid,
        &format!("database system was shut down at {shutdown}"),
    ));
    out.push_str(&log(
        ctx,
        pid,
        "database system is ready to accept connections",
    ));
    let lock = format!("{pid}\n{pgdata}\n{started}\n{}\n{SOCKET_DIR}\n", o.port);
    let listen = if o.listen.is_empty() { "" } else { "*" };
    let pidfile = format!(
        "{pid}\n{pgdata}\n{started}\n{}\n{SOCKET_DIR}\n{listen}\n  5432001         0\nready   \n",
        o.port
    );
    let _ = vfs::create_dir_all(ctx.fs, SOCKET_DIR);
    let _ = ctx.fs.write(&socket, b"", false);
    let _ = ctx.fs.set_mode(&socket, 0o777);
    let _ = ctx
        .fs
        .write(&format!("{socket}.lock"), lock.as_bytes(), false);
    let _ = ctx.fs.set_mode(&format!("{socket}.lock"), 0o600);
    let _ = ctx.fs.write(
        &format!("{pgdata}/postmaster.pid"),
        pidfile.as_bytes(),
        false,
    );
    let _ = ctx.fs.set_mode(&format!("{pgdata}/postmaster.pid"), 0o600);
    Ok(out)
}

fn stop(ctx: &mut Ctx<'_>, pgdata: &str, port: u16, pid: u32) -> String {
    let socket = format!("{SOCKET_DIR}/.s.PGSQL.{port}");
    let _ = ctx.fs.remove_file(&socket);
    let _ = ctx.fs.remove_file(&format!("{socket}.lock"));
    let _ = ctx.fs.remove_file(&format!("{pgdata}/postmaster.pid"));
    if let Some(mut cat) = read_catalog(ctx, pgdata) {
        cat.shutdown = ctx.host.now().format("%Y-%m-%d %H:%M:%S UTC").to_string();
        write_catalog(ctx, pgdata, &cat);
    }
    let mut out = log(ctx, pid, "received fast shutdown request");
    out.push_str(&log(ctx, pid, "aborting any active transactions"));
    out.push_str(&log(
        ctx,
        pid,
        &format!(
            "background worker \"logical replication launcher\" (PID {}) exited with exit code 1",
            pid + 6
        ),
    ));
    out.push_str(&log(ctx, pid + 1, "shutting down"));
    out.push_str(&log(
        ctx,
        pid + 1,
        "checkpoint starting: shutdown immediate",
    ));
    out.push_str(&log(ctx, pid + 1, "checkpoint complete: wrote 921 buffers (5.6%); 0 WAL file(s) added, 0 removed, 0 recycled; write=0.027 s, sync=0.064 s, total=0.100 s; sync files=301, longest=0.003 s, average=0.001 s; distance=4238 kB, estimate=4238 kB; lsn=0/1908978, redo lsn=0/1908978"));
    out.push_str(&log(ctx, pid, "database system is shut down"));
    out
}

pub fn postgres(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let args = &argv[1..];
    if args.iter().any(|a| a == "--version" || a == "-V") {
        let (_, full) = version(ctx);
        let _ = writeln!(io.stdout, "postgres (PostgreSQL) {full}");
        return 0;
    }
    if let Some(i) = args.iter().position(|a| a == "-C") {
        let value = match args.get(i + 1).map(String::as_str) {
            Some("password_encryption") => "scram-sha-256",
            Some("port") => "5432",
            Some("listen_addresses") => "*",
            Some("max_connections") => "100",
            Some("shared_buffers") => "16384",
            Some("data_directory") => ctx.var("PGDATA").unwrap_or(""),
            Some(other) => {
                let _ = writeln!(
                    io.stderr,
                    "postgres: unrecognized configuration parameter \"{other}\""
                );
                return 1;
            }
            None => {
                let _ = writeln!(io.stderr, "postgres: option requires an argument -- 'C'");
                return 1;
            }
        };
        let _ = writeln!(io.stdout, "{value}");
        return 0;
    }
    let o = parse_server_options(ctx, args);
    match start(ctx, &o, 1, 62) {
        Ok(out) => {
            let _ = io.stderr.write_all(out.as_bytes());
        }
        Err(e) => {
            let _ = io.stderr.write_all(e.as_bytes());
            return if e.starts_with("postgres does not") {
                2
            } else {
                1
            };
        }
    }
    if o.listen == "*" {
        let data = o.pgdata.clone().unwrap_or_default();
        ctx.host.listen(o.port, &format!("postgres:{data}"));
    }
    ctx.host.sleep(FOREVER);
    0
}

pub fn pg_ctl(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let args = &argv[1..];
    let mut pgdata = ctx.var("PGDATA").map(str::to_string);
    let mut opts = String::new();
    let mut action = None;
    let mut i = 0;
    while i < args.len() {
        if let Some(v) = opt_value(args, &mut i, "-D", "--pgdata") {
            pgdata = Some(v);
        } else if let Some(v) = opt_value(args, &mut i, "-o", "--options") {
            opts = v;
        } else if let Some(_v) = opt_value(args, &mut i, "-m", "--mode") {
        } else if let Some(_v) = opt_value(args, &mut i, "-l", "--log") {
        } else if !args[i].starts_with('-') {
            action = Some(args[i].clone());
        }
        i += 1;
    }
    let Some(pgdata) = pgdata.map(|p| ctx.abs(&p)) else {
        let _ = write!(
            io.stderr,
            "pg_ctl: no database directory specified and environment variable PGDATA unset\nTry \"pg_ctl --help\" for more information.\n"
        );
        return 1;
    };
    let words = shell_words(&opts);
    let mut o = parse_server_options(ctx, &words);
    o.pgdata = Some(pgdata.clone());
    let pidfile = format!("{pgdata}/postmaster.pid");
    match action.as_deref() {
        Some("start") => {
            if ctx.fs.exists(&pidfile) {
                let _ = writeln!(
                    io.stderr,
                    "pg_ctl: another server might be running; trying to start server anyway"
                );
            }
            let _ = write!(io.stdout, "waiting for server to start....");
            match start(ctx, &o, 48, 51) {
                Ok(out) => {
                    let _ = io.stdout.write_all(out.as_bytes());
                    let _ = write!(io.stdout, " done\nserver started\n");
                    0
                }
                Err(e) => {
                    let _ = io.stdout.write_all(e.as_bytes());
                    let _ = write!(
                        io.stdout,
                        " stopped waiting\npg_ctl: could not start server\nExamine the log output.\n"
                    );
                    1
                }
            }
        }
        Some("stop") => {
            let Ok(bytes) = ctx.fs.read(&pidfile) else {
                let _ = write!(
                    io.stderr,
                    "pg_ctl: PID file \"{pidfile}\" does not exist\nIs server running?\n"
                );
                return 1;
            };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let mut lines = text.lines();
            let pid: u32 = lines.next().and_then(|p| p.parse().ok()).unwrap_or(48);
            let port: u16 = lines.nth(2).and_then(|p| p.parse().ok()).unwrap_or(5432);
            let _ = write!(io.stdout, "waiting for server to shut down...");
            let out = stop(ctx, &pgdata, port, pid);
            let _ = io.stdout.write_all(out.as_bytes());
            let _ = write!(io.stdout, " done\nserver stopped\n");
            0
        }
        Some("status") => {
            if ctx.fs.exists(&pidfile) {
                let _ = writeln!(io.stdout, "pg_ctl: server is running (PID: 1)");
                0
            } else {
                let _ = writeln!(io.stdout, "pg_ctl: no server running");
                3
            }
        }
        _ => {
            let _ = write!(
                io.stderr,
                "pg_ctl: no operation specified\nTry \"pg_ctl --help\" for more information.\n"
            );
            1
        }
    }
}

/// Splits `-c listen_addresses='' -p 5432` as a shell would.
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut q: Option<char> = None;
    for c in s.chars() {
        match (q, c) {
            (Some(x), c) if c == x => q = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                q = Some(c);
                has = true;
            }
            (None, c) if c.is_whitespace() => {
                if has || !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                has = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if has || !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The data directory of the server listening on `port`'s socket, by its lock file.
fn running_cluster(ctx: &Ctx<'_>, dir: &str, port: u16) -> Option<String> {
    let socket = format!("{dir}/.s.PGSQL.{port}");
    ctx.fs.metadata(&socket).ok()?;
    let lock = ctx.fs.read(&format!("{socket}.lock")).ok()?;
    String::from_utf8_lossy(&lock)
        .lines()
        .nth(1)
        .map(str::to_string)
}

fn tcp_listening(ctx: &Ctx<'_>, pgdata: &str) -> bool {
    ctx.fs
        .read(&format!("{pgdata}/postmaster.pid"))
        .map(|b| String::from_utf8_lossy(&b).lines().nth(5) == Some("*"))
        .unwrap_or(false)
}

pub fn pg_isready(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let args = &argv[1..];
    let mut host: Option<String> = ctx.var("PGHOST").map(str::to_string);
    let mut port: u16 = ctx
        .var("PGPORT")
        .and_then(|p| p.parse().ok())
        .unwrap_or(5432);
    let mut quiet = false;
    let mut i = 0;
    while i < args.len() {
        if let Some(v) = opt_value(args, &mut i, "-h", "--host") {
            host = Some(v);
        } else if let Some(v) = opt_value(args, &mut i, "-p", "--port") {
            port = v.parse().unwrap_or(5432);
        } else if args[i] == "-q" || args[i] == "--quiet" {
            quiet = true;
        } else if args[i] == "-V" || args[i] == "--version" {
            let (_, full) = version(ctx);
            let _ = writeln!(io.stdout, "pg_isready (PostgreSQL) {full}");
            return 0;
        } else {
            let _ = opt_value(args, &mut i, "-U", "--username")
                .or_else(|| opt_value(args, &mut i, "-d", "--dbname"))
                .or_else(|| opt_value(args, &mut i, "-t", "--timeout"));
        }
        i += 1;
    }
    let (shown, ok) = match host.as_deref() {
        None | Some("") => (
            SOCKET_DIR.to_string(),
            running_cluster(ctx, SOCKET_DIR, port).is_some(),
        ),
        Some(h) if h.starts_with('/') => (h.to_string(), running_cluster(ctx, h, port).is_some()),
        Some(h) => (
            h.to_string(),
            is_local(ctx, h)
                && running_cluster(ctx, SOCKET_DIR, port).is_some_and(|d| tcp_listening(ctx, &d)),
        ),
    };
    if !quiet {
        let state = if ok {
            "accepting connections"
        } else {
            "no response"
        };
        let _ = writeln!(io.stdout, "{shown}:{port} - {state}");
    }
    if ok { 0 } else { 2 }
}

fn is_local(ctx: &Ctx<'_>, h: &str) -> bool {
    matches!(h, "localhost" | "127.0.0.1" | "::1" | "0.0.0.0")
        || ctx.var("HOSTNAME").is_some_and(|n| n == h)
}

// --- psql -----------------------------------------------------------------------------

struct Psql {
    user: String,
    database: String,
    pgdata: String,
    tuples_only: bool,
    on_error_stop: bool,
    vars: Vec<(String, String)>,
    status: i32,
    quit: bool,
}

/// What psql runs: one `-c` command, or the lines of a file or of stdin.
enum Source {
    Command(String),
    File(String),
}

pub fn psql(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let args = &argv[1..];
    let mut user: Option<String> = ctx.var("PGUSER").map(str::to_string);
    let mut db: Option<String> = ctx.var("PGDATABASE").map(str::to_string);
    let mut host: Option<String> = ctx
        .var("PGHOST")
        .map(str::to_string)
        .filter(|h| !h.is_empty());
    let mut port: u16 = ctx
        .var("PGPORT")
        .and_then(|p| p.parse().ok())
        .unwrap_or(5432);
    let mut sources = Vec::new();
    let mut vars = Vec::new();
    let mut tuples_only = false;
    let mut positional = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--version" || a == "-V" {
            let (_, full) = version(ctx);
            let _ = writeln!(io.stdout, "psql (PostgreSQL) {full}");
            return 0;
        } else if let Some(v) = opt_value(args, &mut i, "-U", "--username") {
            user = Some(v);
        } else if let Some(v) = opt_value(args, &mut i, "-d", "--dbname") {
            db = Some(v);
        } else if let Some(v) = opt_value(args, &mut i, "-h", "--host") {
            host = Some(v).filter(|h| !h.is_empty());
        } else if let Some(v) = opt_value(args, &mut i, "-p", "--port") {
            port = v.parse().unwrap_or(5432);
        } else if let Some(v) = opt_value(args, &mut i, "-c", "--command") {
            sources.push(Source::Command(v));
        } else if let Some(v) = opt_value(args, &mut i, "-f", "--file") {
            sources.push(Source::File(v));
        } else if let Some(v) = opt_value(args, &mut i, "-v", "--set")
            .or_else(|| opt_value(args, &mut i, "", "--variable"))
        {
            if let Some((k, val)) = v.split_once('=') {
                vars.push((k.to_string(), val.to_string()));
            }
        } else if a == "-t" || a == "--tuples-only" {
            tuples_only = true;
        } else if matches!(
            a.as_str(),
            "-X" | "--no-psqlrc" | "-w" | "--no-password" | "-q" | "--quiet" | "-W" | "--password"
        ) {
        } else if !a.starts_with('-') {
            positional.push(a.clone());
        } else {
            let _ = write!(
                io.stderr,
                "psql: error: unrecognized option '{a}'\npsql: hint: Try \"psql --help\" for more information.\n"
            );
            return 1;
        }
        i += 1;
    }
    if let Some(d) = positional.first() {
        db.get_or_insert(d.clone());
    }
    if let Some(u) = positional.get(1) {
        user.get_or_insert(u.clone());
    }
    let os_user = if ctx.fs.owner().0 == 0 {
        "root"
    } else {
        "postgres"
    };
    let user = user.unwrap_or_else(|| ctx.var("USER").unwrap_or(os_user).to_string());
    let database = db.unwrap_or_else(|| user.clone());
    // Connecting: the socket, or TCP to this container's own address.
    let (dir, tcp) = match host.as_deref() {
        None => (SOCKET_DIR.to_string(), None),
        Some(h) if h.starts_with('/') => (h.to_string(), None),
        Some(h) => (SOCKET_DIR.to_string(), Some(h.to_string())),
    };
    let cluster = running_cluster(ctx, &dir, port);
    let fail = |io: &mut Streams<'_>, what: &str| {
        let _ = writeln!(io.stderr, "psql: error: {what}");
        2
    };
    let mut io = io;
    let pgdata = match (&tcp, cluster) {
        (None, Some(d)) => d,
        (None, None) => {
            return fail(
                &mut io,
                &format!(
                    "connection to server on socket \"{dir}/.s.PGSQL.{port}\" failed: No such file or directory\n\tIs the server running locally and accepting connections on that socket?"
                ),
            );
        }
        (Some(h), c) => {
            let local = is_local(ctx, h);
            match c.filter(|d| local && tcp_listening(ctx, d)) {
                Some(d) => d,
                None if !local && h.parse::<std::net::IpAddr>().is_err() => {
                    return fail(
                        &mut io,
                        &format!(
                            "could not translate host name \"{h}\" to address: Name or service not known"
                        ),
                    );
                }
                None => {
                    let addr = if h == "localhost" { "127.0.0.1" } else { h };
                    return fail(
                        &mut io,
                        &format!(
                            "connection to server at \"{h}\" ({addr}), port {port} failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?"
                        ),
                    );
                }
            }
        }
    };
    let target = match &tcp {
        None => format!("on socket \"{dir}/.s.PGSQL.{port}\""),
        Some(h) => format!(
            "at \"{h}\" ({}), port {port}",
            if h == "localhost" { "127.0.0.1" } else { h }
        ),
    };
    let Some(cat) = read_catalog(ctx, &pgdata) else {
        return fail(
            &mut io,
            &format!(
                "connection to server {target} failed: FATAL:  the database system is starting up"
            ),
        );
    };
    if cat.superuser != user {
        return fail(
            &mut io,
            &format!(
                "connection to server {target} failed: FATAL:  role \"{user}\" does not exist"
            ),
        );
    }
    if !cat.databases.iter().any(|(n, _)| *n == database) {
        return fail(
            &mut io,
            &format!(
                "connection to server {target} failed: FATAL:  database \"{database}\" does not exist"
            ),
        );
    }
    let on_error_stop = vars
        .iter()
        .any(|(k, v)| k == "ON_ERROR_STOP" && matches!(v.as_str(), "1" | "on" | "true"));
    let mut p = Psql {
        user,
        database,
        pgdata,
        tuples_only,
        on_error_stop,
        vars,
        status: 0,
        quit: false,
    };
    if sources.is_empty() {
        let text = String::from_utf8_lossy(io.stdin).into_owned();
        p.run_script(ctx, &text, None, &mut io);
        return p.status;
    }
    for src in sources {
        if p.quit {
            break;
        }
        match src {
            Source::Command(c) => {
                if c.trim_start().starts_with('\\') {
                    p.meta(ctx, c.trim(), &mut io);
                } else {
                    for stmt in split_statements(&c) {
                        if !p.statement(ctx, &stmt.0, None, &mut io) {
                            p.status = 1;
                            return p.status;
                        }
                    }
                }
            }
            Source::File(f) => {
                let path = ctx.abs(&f);
                match ctx.fs.read(&path) {
                    Ok(b) => {
                        let text = String::from_utf8_lossy(&b).into_owned();
                        p.run_script(ctx, &text, Some(&f), &mut io);
                    }
                    Err(_) => {
                        let _ = writeln!(io.stderr, "psql: error: {f}: No such file or directory");
                        return 1;
                    }
                }
            }
        }
    }
    p.status
}

/// Splits SQL text at semicolons outside quotes: (statement, line it starts on).
fn split_statements(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut q: Option<char> = None;
    let mut line = 1;
    let mut start_line = 1;
    for c in text.chars() {
        if cur.trim().is_empty() && !c.is_whitespace() {
            start_line = line;
            cur.clear();
        }
        if c == '\n' {
            line += 1;
        }
        match (q, c) {
            (Some(x), c) if c == x => {
                q = None;
                cur.push(c);
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                q = Some(c);
                cur.push(c);
            }
            (None, ';') => {
                cur.push(';');
                out.push((std::mem::take(&mut cur), start_line));
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push((cur, start_line));
    }
    out
}

impl Psql {
    fn interpolate(&self, sql: &str) -> String {
        let mut out = sql.to_string();
        for (k, v) in &self.vars {
            out = out.replace(&format!(":'{k}'"), &format!("'{}'", v.replace('\'', "''")));
            out = out.replace(
                &format!(":\"{k}\""),
                &format!("\"{}\"", v.replace('"', "\"\"")),
            );
        }
        out
    }

    fn run_script(
        &mut self,
        ctx: &mut Ctx<'_>,
        text: &str,
        file: Option<&str>,
        io: &mut Streams<'_>,
    ) {
        let mut buf = String::new();
        let mut buf_line = 1;
        for (n, line) in text.lines().enumerate() {
            if self.quit {
                return;
            }
            if buf.trim().is_empty() && line.trim_start().starts_with('\\') {
                self.meta(ctx, line.trim(), io);
                continue;
            }
            if buf.trim().is_empty() {
                buf.clear();
                buf_line = n + 1;
            }
            buf.push_str(line);
            buf.push('\n');
            if !ends_statement(&buf) {
                continue;
            }
            let stmts = split_statements(&buf);
            buf.clear();
            for (s, l) in stmts {
                let prefix = file.map(|f| format!("psql:{f}:{}: ", buf_line + l - 1));
                if !self.statement(ctx, s.trim_end_matches('\n'), prefix.as_deref(), io)
                    && self.on_error_stop
                {
                    self.status = 3;
                    return;
                }
            }
        }
        if !buf.trim().is_empty() {
            let prefix = file.map(|f| format!("psql:{f}:{buf_line}: "));
            let text = buf.trim_end().to_string();
            if !self.statement(ctx, &text, prefix.as_deref(), io) && self.on_error_stop {
                self.status = 3;
            }
        }
    }

    /// Runs one statement and prints its result or error; false on error.
    fn statement(
        &mut self,
        ctx: &mut Ctx<'_>,
        text: &str,
        prefix: Option<&str>,
        io: &mut Streams<'_>,
    ) -> bool {
        let text = self.interpolate(text);
        if sql::is_empty(&text) {
            return true;
        }
        let mut cat = read_catalog(ctx, &self.pgdata).unwrap_or_default();
        let oid = cat
            .databases
            .iter()
            .find(|(n, _)| *n == self.database)
            .map_or(5, |(_, o)| *o);
        let path = tables_path(&self.pgdata, oid);
        let mut tables: Vec<sql::Table> = ctx
            .fs
            .read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let before = tables.clone();
        let mut names: Vec<String> = cat.databases.iter().map(|(n, _)| n.clone()).collect();
        let now = ctx
            .host
            .now()
            .format("%Y-%m-%d %H:%M:%S%.6f+00")
            .to_string();
        let version = version_string(ctx);
        let session = sql::Session {
            user: &self.user,
            database: &self.database,
            now,
            version: &version,
        };
        let result = {
            let mut c = sql::Catalog {
                tables: &mut tables,
                databases: &mut names,
            };
            sql::run(&text, &mut c, &session)
        };
        match result {
            Ok(outcome) => {
                if tables != before
                    && let Ok(json) = serde_json::to_vec(&tables)
                {
                    let _ = vfs::create_dir_all(ctx.fs, &format!("{}/base/{oid}", self.pgdata));
                    let _ = ctx.fs.write(&path, &json, false);
                }
                if names.len() != cat.databases.len() {
                    for n in names.iter().skip(cat.databases.len()) {
                        let next = cat
                            .databases
                            .iter()
                            .map(|(_, o)| *o)
                            .max()
                            .unwrap_or(5)
                            .max(16383)
                            + 1;
                        let _ =
                            vfs::create_dir_all(ctx.fs, &format!("{}/base/{next}", self.pgdata));
                        cat.databases.push((n.clone(), next));
                    }
                    write_catalog(ctx, &self.pgdata, &cat);
                }
                let out = match outcome {
                    sql::Outcome::Rows {
                        names,
                        right,
                        rows,
                        tag,
                    } => {
                        let mut s = sql::format_table(&names, &right, &rows, self.tuples_only);
                        if let Some(t) = tag {
                            s.push_str(&t);
                            s.push('\n');
                        }
                        s
                    }
                    sql::Outcome::Tag(t) if t.is_empty() => String::new(),
                    sql::Outcome::Tag(t) => format!("{t}\n"),
                };
                let _ = io.stdout.write_all(out.as_bytes());
                true
            }
            Err(e) => {
                let _ = io
                    .stderr
                    .write_all(render_error(&text, &e, prefix.unwrap_or("")).as_bytes());
                false
            }
        }
    }

    fn meta(&mut self, ctx: &mut Ctx<'_>, cmd: &str, io: &mut Streams<'_>) {
        let word = cmd.split_whitespace().next().unwrap_or("");
        match word {
            "\\q" => self.quit = true,
            "\\dt" | "\\d" => {
                let cat = read_catalog(ctx, &self.pgdata).unwrap_or_default();
                let oid = cat
                    .databases
                    .iter()
                    .find(|(n, _)| *n == self.database)
                    .map_or(5, |(_, o)| *o);
                let tables: Vec<sql::Table> = ctx
                    .fs
                    .read(&tables_path(&self.pgdata, oid))
                    .ok()
                    .and_then(|b| serde_json::from_slice(&b).ok())
                    .unwrap_or_default();
                if tables.is_empty() {
                    let _ = writeln!(io.stderr, "Did not find any relations.");
                    return;
                }
                let mut names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
                names.sort_unstable();
                let rows: Vec<Vec<sql::Value>> = names
                    .iter()
                    .map(|n| {
                        ["public", n, "table", &cat.superuser]
                            .iter()
                            .map(|s| sql::Value::Text(s.to_string()))
                            .collect()
                    })
                    .collect();
                let heads: Vec<String> = ["Schema", "Name", "Type", "Owner"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                let _ = io
                    .stdout
                    .write_all(titled("List of relations", &heads, &rows).as_bytes());
            }
            "\\l" | "\\list" => {
                let cat = read_catalog(ctx, &self.pgdata).unwrap_or_default();
                let mut dbs: Vec<&str> = cat.databases.iter().map(|(n, _)| n.as_str()).collect();
                dbs.sort_unstable();
                let owner = cat.superuser.as_str();
                let mut rows = Vec::new();
                for d in dbs {
                    let template = d.starts_with("template");
                    let base = [d, owner, "UTF8", "libc", "en_US.utf8", "en_US.utf8", "", ""];
                    let mut row: Vec<sql::Value> = base
                        .iter()
                        .map(|s| sql::Value::Text(s.to_string()))
                        .collect();
                    if template {
                        row.push(sql::Value::Text(format!("=c/{owner}          +")));
                        rows.push(row);
                        let mut cont: Vec<sql::Value> = vec![sql::Value::Text(String::new()); 8];
                        cont.push(sql::Value::Text(format!("{owner}=CTc/{owner}")));
                        rows.push(cont);
                    } else {
                        row.push(sql::Value::Text(String::new()));
                        rows.push(row);
                    }
                }
                let heads: Vec<String> = [
                    "Name",
                    "Owner",
                    "Encoding",
                    "Locale Provider",
                    "Collate",
                    "Ctype",
                    "Locale",
                    "ICU Rules",
                    "Access privileges",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect();
                let n = cat.databases.len();
                let mut text = titled("List of databases", &heads, &rows);
                // Continuation lines are one row each in psql's count.
                text = text.replace(&format!("({} rows)", rows.len()), &format!("({n} rows)"));
                let _ = io.stdout.write_all(text.as_bytes());
            }
            "\\conninfo" => {
                let _ = writeln!(
                    io.stdout,
                    "You are connected to database \"{}\" as user \"{}\" via socket in \"{SOCKET_DIR}\" at port \"5432\".",
                    self.database, self.user
                );
            }
            _ => {
                let _ = writeln!(io.stderr, "invalid command {word}\nTry \\? for help.");
                self.status = self.status.max(0);
            }
        }
    }
}

/// A psql table under a centred title.
fn titled(title: &str, heads: &[String], rows: &[Vec<sql::Value>]) -> String {
    let right = vec![false; heads.len()];
    let table = sql::format_table(heads, &right, rows, false);
    let width = table.lines().nth(1).map_or(0, |l| l.chars().count());
    let pad = width.saturating_sub(title.chars().count()) / 2;
    format!("{}{title}\n{table}", " ".repeat(pad))
}

/// psql's rendering of a server error: the message, the line with a caret under the
/// position, DETAIL and HINT.
fn render_error(text: &str, e: &sql::SqlError, prefix: &str) -> String {
    let mut out = format!("{prefix}ERROR:  {}\n", e.message);
    if let Some(pos) = e.position {
        let chars: Vec<char> = text.chars().collect();
        let pos = pos.min(chars.len());
        let line_no = chars[..pos].iter().filter(|c| **c == '\n').count() + 1;
        let line_start = chars[..pos]
            .iter()
            .rposition(|c| *c == '\n')
            .map_or(0, |i| i + 1);
        let line_end = chars[pos..]
            .iter()
            .position(|c| *c == '\n')
            .map_or(chars.len(), |i| pos + i);
        let line: String = chars[line_start..line_end].iter().collect();
        let head = format!("LINE {line_no}: ");
        out.push_str(&format!("{head}{line}\n"));
        out.push_str(&format!("{}^\n", " ".repeat(head.len() + pos - line_start)));
    }
    if let Some(d) = &e.detail {
        out.push_str(&format!("DETAIL:  {d}\n"));
    }
    if let Some(h) = &e.hint {
        out.push_str(&format!("HINT:  {h}\n"));
    }
    out
}

/// Whether the buffered lines end a statement (a `;` outside quotes at the end).
fn ends_statement(buf: &str) -> bool {
    let mut q: Option<char> = None;
    let mut last = false;
    for c in buf.chars() {
        match (q, c) {
            (Some(x), c) if c == x => q = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => q = Some(c),
            (None, ';') => last = true,
            (None, c) if c.is_whitespace() => {}
            (None, _) => last = false,
        }
    }
    q.is_none() && last
}

/// PostgreSQL speaks its own wire protocol, which the lab's clients do not: a published
/// 5432 is served by nothing here, and connections to it are reset.
pub fn service(
    _kind: &str,
    _arg: &str,
    _view: crate::engine::net::app::ContainerView,
) -> Option<crate::engine::net::Service> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_render_with_a_caret_under_the_position() {
        let e = sql::SqlError {
            message: "relation \"t\" does not exist".into(),
            position: Some(14),
            detail: None,
            hint: None,
        };
        assert_eq!(
            render_error("select * from t;", &e, ""),
            "ERROR:  relation \"t\" does not exist\nLINE 1: select * from t;\n                      ^\n"
        );
        let e = sql::SqlError {
            position: Some(20),
            ..e
        };
        assert_eq!(
            render_error("select *\n  from t\n where x;", &e, "psql:f.sql:3: "),
            "psql:f.sql:3: ERROR:  relation \"t\" does not exist\nLINE 3:  where x;\n          ^\n"
        );
    }

    #[test]
    fn statements_split_outside_quotes() {
        assert_eq!(
            split_statements("select ';';\nselect 2;"),
            vec![("select ';';".to_string(), 1), ("select 2;".to_string(), 2)]
        );
        assert!(ends_statement("select 1;\n"));
        assert!(!ends_statement("select ';\n"));
        assert_eq!(
            shell_words("-c listen_addresses='' -p 5432"),
            vec!["-c", "listen_addresses=", "-p", "5432"]
        );
    }

    #[test]
    fn the_list_of_relations_is_titled_as_psql_titles_it() {
        let heads: Vec<String> = ["Schema", "Name", "Type", "Owner"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let rows = vec![
            ["public", "t", "table", "postgres"]
                .iter()
                .map(|s| sql::Value::Text(s.to_string()))
                .collect(),
        ];
        assert_eq!(
            titled("List of relations", &heads, &rows),
            "        List of relations\n Schema | Name | Type  |  Owner   \n--------+------+-------+----------\n public | t    | table | postgres\n(1 row)\n\n"
        );
    }
}
