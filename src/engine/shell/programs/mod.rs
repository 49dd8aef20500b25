//! The utilities a shell can run, as a table of functions keyed by name, and the seam
//! (`ProgramResolver`) that decides which of them exist: all of them in the lab, only
//! those whose file is on $PATH in a container.

mod apk;
mod apt;
mod awk;
mod curl;
mod files;
mod git;
mod golang;
mod httpd;
mod netdb;
mod nmap;
mod node;
pub mod packages;
mod postgres;
mod python;
mod redis;
mod sed;
mod servers;
mod text;
mod tools;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::vfs::{self, Vfs};
use super::{Flavour, Host, Streams, write_err};

/// What a utility sees of the shell.
pub struct Ctx<'a> {
    pub fs: &'a mut dyn Vfs,
    pub host: &'a mut dyn Host,
    pub cwd: String,
    pub env: Vec<(String, String)>,
    pub flavour: Flavour,
    pub interrupt: Arc<AtomicBool>,
    pub columns: Option<usize>,
    pub resolver: &'a dyn ProgramResolver,
}

impl Ctx<'_> {
    /// A path argument made absolute against the working directory.
    pub fn abs(&self, path: &str) -> String {
        vfs::normalize(&self.cwd, path)
    }

    pub fn var(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A utility: argv[0] is its name; returns the exit status.
pub type Program = fn(&mut Ctx<'_>, &[String], Streams<'_>) -> i32;

pub enum Resolved {
    Program(Program),
    /// An executable file that is not a known program: run it as a script.
    Script(String),
}

/// Decides which programs exist for a shell.
pub trait ProgramResolver {
    fn resolve(&self, name: &str, fs: &dyn Vfs, path_var: &str) -> Option<Resolved>;
    /// What `which`/`command -v` print for a resolved program.
    fn path_of(&self, name: &str, fs: &dyn Vfs, path_var: &str) -> String;
}

/// The lab: every utility exists, wherever $PATH points.
pub struct LabResolver;

impl ProgramResolver for LabResolver {
    fn resolve(&self, name: &str, _fs: &dyn Vfs, _path_var: &str) -> Option<Resolved> {
        if SERVERS.contains(&name) {
            return None;
        }
        lookup(name).map(Resolved::Program)
    }
    fn path_of(&self, name: &str, _fs: &dyn Vfs, _path_var: &str) -> String {
        format!("/bin/{name}")
    }
}

/// Containers until the runtime supplies its own: a file found on $PATH runs as the
/// utility of the same basename, or as a script if no utility has that name. Shell
/// builtins that busybox always provides need no file.
pub struct DefaultResolver;

fn path_lookup(name: &str, fs: &dyn Vfs, path_var: &str) -> Option<String> {
    path_var
        .split(':')
        .filter(|d| !d.is_empty())
        .map(|d| vfs::normalize("/", &format!("{d}/{name}")))
        .find(|p| fs.metadata(p).is_ok_and(|m| m.is_file()))
}

impl ProgramResolver for DefaultResolver {
    fn resolve(&self, name: &str, fs: &dyn Vfs, path_var: &str) -> Option<Resolved> {
        if matches!(name, "echo" | "printf" | "test" | "[" | "kill") {
            return lookup(name).map(Resolved::Program);
        }
        let path = path_lookup(name, fs, path_var)?;
        match lookup(name) {
            Some(p) => Some(Resolved::Program(p)),
            None => Some(Resolved::Script(path)),
        }
    }
    fn path_of(&self, name: &str, fs: &dyn Vfs, path_var: &str) -> String {
        path_lookup(name, fs, path_var).unwrap_or_else(|| name.to_string())
    }
}

const TABLE: &[(&str, Program)] = &[
    ("apk", apk::apk),
    ("apt", apt::apt),
    ("apt-get", apt::apt_get),
    ("awk", awk::awk),
    ("mawk", awk::awk),
    ("nmap", nmap::nmap),
    ("basename", text::basename),
    ("cat", files::cat),
    ("chmod", files::chmod),
    ("cp", files::cp),
    ("curl", curl::curl),
    ("cut", text::cut),
    ("date", text::date),
    ("dirname", text::dirname),
    ("du", files::du),
    ("echo", text::echo),
    ("env", text::env),
    ("find", files::find),
    ("grep", text::grep),
    ("head", text::head),
    ("hostname", tools::hostname),
    ("id", text::id),
    ("ln", files::ln),
    ("ls", files::ls),
    ("mkdir", files::mkdir),
    ("mv", files::mv),
    ("nginx", servers::nginx),
    ("printenv", text::printenv),
    ("printf", text::printf),
    ("registry", servers::registry),
    ("rm", files::rm),
    ("rmdir", files::rmdir),
    ("sed", text::sed),
    ("seq", text::seq),
    ("sleep", text::sleep),
    ("sort", text::sort),
    ("stat", files::stat),
    ("tail", text::tail),
    ("tee", files::tee),
    ("test", text::test),
    ("[", text::test),
    ("touch", files::touch),
    ("tr", text::tr),
    ("uniq", text::uniq),
    ("wc", text::wc),
    ("whoami", text::whoami),
    ("xargs", text::xargs),
    // Programs that exist only where an image or a package put their file.
    ("arp", tools::arp),
    ("gofmt", golang::gofmt),
    ("go", golang::go),
    ("go-binary", golang::go_binary),
    ("getcap", tools::getcap),
    ("getent", tools::getent),
    ("git", git::git),
    ("httpd", httpd::httpd),
    ("ifconfig", tools::ifconfig),
    ("initdb", postgres::initdb),
    ("ip", tools::ip),
    ("nc", tools::nc),
    ("netstat", tools::netstat),
    ("node", node::node),
    ("nodejs", node::node),
    ("npm", node::npm),
    ("npx", node::npx),
    ("nping", tools::nping),
    ("nslookup", tools::nslookup),
    ("openssl", tools::openssl),
    ("pg_ctl", postgres::pg_ctl),
    ("pg_isready", postgres::pg_isready),
    ("ping", tools::ping),
    ("pip", python::pip),
    ("pip3", python::pip),
    ("postgres", postgres::postgres),
    ("psql", postgres::psql),
    ("python", python::python),
    ("python3", python::python),
    ("redis-cli", redis::redis_cli),
    ("redis-server", redis::redis_server),
    ("route", tools::route),
    ("setcap", tools::setcap),
    ("update-ca-certificates", tools::update_ca_certificates),
    ("vi", tools::vim),
    ("vim", tools::vim),
    ("wget", tools::wget),
    ("xxd", tools::xxd),
    ("zdump", tools::zdump),
];

/// How many bytes of `input` (what is left of the shell's stdin) the utility run as
/// `argv` took: the shell's stdin is one stream, so what a utility reads is gone for
/// the `read` that comes next. Utilities that read stdin take all of it, except
/// `head` on a regular file, which gives back what it read beyond its last line.
/// A utility reads stdin when it always does, or when none of its operands is a file
/// it could read instead.
pub(crate) fn stdin_consumed(
    argv: &[String],
    input: &[u8],
    seekable: bool,
    fs: &dyn Vfs,
    cwd: &str,
) -> usize {
    let name = vfs::file_name(&argv[0]);
    let always = matches!(name, "tr" | "tee" | "xargs");
    let with_operands = matches!(
        name,
        "cat" | "grep" | "head" | "tail" | "sed" | "sort" | "uniq" | "wc" | "cut" | "awk"
    );
    if !always && !with_operands {
        return 0;
    }
    let reads = always || {
        let ops: Vec<&String> = argv[1..]
            .iter()
            .filter(|a| *a == "-" || !a.starts_with('-'))
            .collect();
        ops.iter().any(|a| *a == "-")
            || !ops.iter().any(|a| {
                fs.metadata(&vfs::normalize(cwd, a))
                    .is_ok_and(|m| m.is_file())
            })
    };
    if !reads {
        0
    } else if name == "head" && seekable {
        text::head_consumed(argv, input)
    } else {
        input.len()
    }
}

/// The service behind a port that a container's server program listens on, by the kind
/// it recorded (`Host::listen(port, "kind:arg")`); None for a kind nobody serves.
/// nginx and the registry are served by the engine itself.
pub fn service(
    kind: &str,
    arg: &str,
    view: crate::engine::net::app::ContainerView,
) -> Option<crate::engine::net::Service> {
    match kind {
        "python" | "flask" => python::service(kind, arg, view),
        "node" => node::service(kind, arg, view),
        "go" => golang::service(kind, arg, view),
        "redis" => redis::service(kind, arg, view),
        "postgres" => postgres::service(kind, arg, view),
        "httpd" => httpd::service(kind, arg, view),
        _ => None,
    }
}

/// What a program that is on the image but not simulated says, as the shell says it
/// for any such file: honest, and exit status 126.
pub(crate) fn not_simulated(_ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    write_err(
        io.stderr,
        format_args!(
            "{}: docklab does not simulate the program '{}' yet",
            argv[0],
            vfs::file_name(&argv[0])
        ),
    );
    126
}

/// Programs that exist only where their file is, in a container: never in the lab.
const SERVERS: &[&str] = &[
    "nginx",
    "registry",
    "arp",
    "gofmt",
    "go",
    "go-binary",
    "getcap",
    "getent",
    "git",
    "httpd",
    "ifconfig",
    "initdb",
    "ip",
    "nc",
    "netstat",
    "node",
    "nodejs",
    "npm",
    "npx",
    "nping",
    "nslookup",
    "openssl",
    "pg_ctl",
    "pg_isready",
    "ping",
    "pip",
    "pip3",
    "postgres",
    "psql",
    "python",
    "python3",
    "redis-cli",
    "redis-server",
    "route",
    "setcap",
    "update-ca-certificates",
    "vi",
    "vim",
    "wget",
    "xxd",
    "zdump",
];

/// The utility named `name`, if there is one.
pub fn lookup(name: &str) -> Option<Program> {
    TABLE.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
}

/// Every utility's name, sorted.
pub fn names() -> Vec<&'static str> {
    let mut v: Vec<&str> = TABLE
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !SERVERS.contains(n))
        .collect();
    v.sort_unstable();
    v
}

/// The lab's answer to a command nobody implements: what to do instead.
pub fn lab_hint(name: &str) -> String {
    match name {
        "vim" | "vi" | "nano" | "emacs" | "code" | "pico" => {
            format!("{name}: not available in the lab; use `edit FILE` to edit a file")
        }
        "apt" | "apt-get" | "apk" | "brew" | "yum" | "dnf" | "pip" | "npm" => format!(
            "{name}: not available in the lab; install software inside a container instead: \
             `docker run -it alpine sh` then `apk add ...`"
        ),
        "sudo" | "su" => format!("{name}: not needed in the lab; run the command directly"),
        _ => format!(
            "{name}: command not found in the lab; available: docker, ls, cat, echo, grep, \
             mkdir, cp, mv, rm, curl ... (type `help` for the full list)"
        ),
    }
}

/// Splits combined short flags (`-rf`) and collects operands; stops at `--`.
/// Returns None (after printing busybox's message) for a flag not in `known`.
pub(crate) fn parse_flags(
    name: &str,
    args: &[String],
    known: &str,
    err: &mut dyn std::io::Write,
) -> Option<(Vec<char>, Vec<String>)> {
    let mut flags = Vec::new();
    let mut operands = Vec::new();
    let mut only_operands = false;
    for a in args {
        if only_operands || !a.starts_with('-') || a == "-" {
            operands.push(a.clone());
        } else if a == "--" {
            only_operands = true;
        } else {
            for c in a[1..].chars() {
                if !known.contains(c) {
                    write_err(err, format_args!("{name}: unrecognized option: {c}"));
                    return None;
                }
                flags.push(c);
            }
        }
    }
    Some((flags, operands))
}

/// Reads each operand (or stdin for none / "-"), calling `f` with the bytes;
/// missing files print busybox's message and make the status 1.
pub(crate) fn for_each_input(
    ctx: &mut Ctx<'_>,
    name: &str,
    operands: &[String],
    io: &mut Streams<'_>,
    mut f: impl FnMut(&str, &[u8], &mut Streams<'_>),
) -> i32 {
    if operands.is_empty() {
        let stdin = io.stdin;
        f("-", stdin, io);
        return 0;
    }
    let mut status = 0;
    for op in operands {
        if op == "-" {
            let stdin = io.stdin;
            f("-", stdin, io);
            continue;
        }
        match ctx.fs.read(&ctx.abs(op)) {
            Ok(data) => f(op, &data, io),
            Err(e) => {
                let msg = super::exec::io_message(&e);
                if e.kind() == std::io::ErrorKind::IsADirectory {
                    write_err(io.stderr, format_args!("{name}: read error: {msg}"));
                } else {
                    write_err(io.stderr, format_args!("{name}: can't open '{op}': {msg}"));
                }
                status = 1;
            }
        }
    }
    status
}
