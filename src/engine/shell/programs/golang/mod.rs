//! The Go toolchain of the golang images (`go version`, `go env`, `go mod`, `go build`,
//! `go run`, `go test` without tests) and the binaries `go build` makes.
//!
//! A built binary is an ELF-looking static executable marked `go-binary` whose payload
//! is the package's source, checked at build time; running it interprets the program
//! (`interp`), and when it serves HTTP on a published port the same program answers
//! the requests (`service`). Its size is what the real linker would produce for the
//! packages it imports, so a multi-stage build shows its real win. There is no network:
//! modules beyond the standard library cannot be downloaded, as on an offline machine.
//! Valid Go beyond the lab's subset is refused with a message that says so.

mod ast;
mod interp;
mod lexer;
mod parser;
mod stdlib;
mod typecheck;
mod types;
mod value;

use super::{Ctx, Streams, write_err};
use crate::engine::net::app::{App, AppReply, AppRequest, ContainerView};
use crate::engine::shell::vfs;
use std::io::Write;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

const FOREVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
const GOROOT: &str = "/usr/local/go";
/// What every binary has before any package: the runtime, the GC, the scheduler.
const RUNTIME_SIZE: usize = 1_260_000;
/// The most source a package may have (a lab program is a few files).
const MAX_SOURCE: usize = 4 << 20;

/// The compiled program a binary carries.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
struct Payload {
    /// The import path (`example.com/app`, or `command-line-arguments`).
    package: String,
    /// The directory the sources were compiled in, as panics print it.
    dir: String,
    files: Vec<(String, String)>,
}

impl Payload {
    fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
    fn decode(bytes: &[u8]) -> Option<Payload> {
        serde_json::from_slice(bytes).ok()
    }
}

/// A binary's size as Go 1.22's linker makes it for linux/amd64: the runtime plus
/// each package linked in; `-s -w` drops the symbol table and DWARF (about 30%).
fn binary_size(files: &[ast::File], stripped: bool) -> usize {
    let mut paths: Vec<&str> = files
        .iter()
        .flat_map(|f| f.imports.iter().map(|i| i.path.as_str()))
        .collect();
    // What the packages themselves import.
    if paths.contains(&"net/http") {
        paths.extend([
            "fmt", "time", "strconv", "strings", "log", "os", "errors", "sort",
        ]);
    }
    if paths
        .iter()
        .any(|p| matches!(*p, "fmt" | "log" | "encoding/json"))
    {
        paths.extend(["os", "strconv", "errors", "sort"]);
    }
    paths.sort();
    paths.dedup();
    let source: usize = files.iter().map(|f| f.decls.len() * 2_400).sum();
    let size = RUNTIME_SIZE
        + source
        + paths
            .iter()
            .filter_map(|p| stdlib::PACKAGES.iter().find(|(n, _)| n == p))
            .map(|(_, s)| s)
            .sum::<usize>();
    if stripped { size * 69 / 100 } else { size }
}

// ---- the go command ----

const USAGE: &str = "Go is a tool for managing Go source code.

Usage:

\tgo <command> [arguments]

The commands are:

\tbug         start a bug report
\tbuild       compile packages and dependencies
\tclean       remove object files and cached files
\tdoc         show documentation for package or symbol
\tenv         print Go environment information
\tfix         update packages to use new APIs
\tfmt         gofmt (reformat) package sources
\tgenerate    generate Go files by processing source
\tget         add dependencies to current module and install them
\tinstall     compile and install packages and dependencies
\tlist        list packages or modules
\tmod         module maintenance
\twork        workspace maintenance
\trun         compile and run Go program
\ttest        test packages
\ttool        run specified go tool
\tversion     print Go version
\tvet         report likely mistakes in packages

Use \"go help <command>\" for more information about a command.

Additional help topics:

\tbuildconstraint build constraints
\tbuildmode       build modes
\tc               calling between Go and C
\tcache           build and test caching
\tenvironment     environment variables
\tfiletype        file types
\tgo.mod          the go.mod file
\tgopath          GOPATH environment variable
\tgoproxy         module proxy protocol
\timportpath      import path syntax
\tmodules         modules, module versions, and more
\tmodule-auth     module authentication using go.sum
\tpackages        package lists and patterns
\tprivate         configuration for downloading non-public code
\ttestflag        testing flags
\ttestfunc        testing functions
\tvcs             controlling version control with GOVCS

Use \"go help <topic>\" for more information about that topic.

";

pub fn go(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some(cmd) = argv.get(1) else {
        let _ = io.stderr.write_all(USAGE.as_bytes());
        return 2;
    };
    let args = &argv[2..];
    match cmd.as_str() {
        "version" => {
            let _ = writeln!(io.stdout, "go version go{} linux/amd64", version(ctx));
            0
        }
        "env" => go_env(ctx, args, io),
        "mod" => go_mod(ctx, args, io),
        "build" => go_build(ctx, args, io),
        "run" => go_run(ctx, args, io),
        "test" => go_test(ctx, args, io),
        "get" => go_get(ctx, args, io),
        "help" => {
            if args.is_empty() {
                let _ = io.stdout.write_all(USAGE.as_bytes());
                0
            } else {
                write_err(
                    io.stderr,
                    format_args!(
                        "docklab: this lab's go has no help page for {}; see https://pkg.go.dev/cmd/go",
                        args.join(" ")
                    ),
                );
                2
            }
        }
        "-h" | "--help" | "-help" => {
            let _ = io.stderr.write_all(USAGE.as_bytes());
            2
        }
        "bug" | "clean" | "doc" | "fix" | "fmt" | "generate" | "install" | "list" | "work"
        | "tool" | "vet" => {
            write_err(
                io.stderr,
                format_args!("docklab: this lab's go does not support 'go {cmd}'"),
            );
            2
        }
        other => {
            write_err(
                io.stderr,
                format_args!("go {other}: unknown command\nRun 'go help' for usage."),
            );
            2
        }
    }
}

pub fn gofmt(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    // Syntax errors are reported as gofmt reports them; reformatting is not simulated.
    for arg in argv.iter().skip(1).filter(|a| !a.starts_with('-')) {
        let path = ctx.abs(arg);
        if let Ok(bytes) = ctx.fs.read(&path)
            && let Err(e) = parser::parse_file(arg, &String::from_utf8_lossy(&bytes))
        {
            write_err(
                io.stderr,
                format_args!(
                    "{arg}:{}:{}: {}",
                    e.pos.line,
                    e.pos.col,
                    e.msg.trim_start_matches("syntax error: ")
                ),
            );
            return 2;
        }
    }
    super::not_simulated(ctx, argv, io)
}

fn version(ctx: &Ctx<'_>) -> String {
    if let Some(v) = ctx.var("GOLANG_VERSION").filter(|v| !v.is_empty()) {
        return v.to_string();
    }
    ctx.fs
        .read(&format!("{GOROOT}/VERSION"))
        .ok()
        .and_then(|b| {
            String::from_utf8_lossy(&b)
                .lines()
                .next()
                .map(|l| l.trim_start_matches("go").to_string())
        })
        .unwrap_or_else(|| "1.22.12".into())
}

fn home(ctx: &Ctx<'_>) -> String {
    ctx.var("HOME").unwrap_or("/root").to_string()
}

fn has_gcc(ctx: &Ctx<'_>) -> bool {
    let path = ctx.var("PATH").unwrap_or("/usr/bin:/bin").to_string();
    path.split(':')
        .any(|d| !d.is_empty() && ctx.fs.exists(&format!("{d}/gcc")))
}

fn go_env_vars(ctx: &Ctx<'_>) -> Vec<(&'static str, String)> {
    let v = |name: &str, default: String| -> String {
        ctx.var(name).map(str::to_string).unwrap_or(default)
    };
    let home = home(ctx);
    let gopath = v("GOPATH", format!("{home}/go"));
    let cgo = v(
        "CGO_ENABLED",
        if has_gcc(ctx) { "1".into() } else { "0".into() },
    );
    let gomod = find_go_mod(ctx, &ctx.cwd.clone())
        .map(|(dir, _)| format!("{}/go.mod", dir.trim_end_matches('/')))
        .unwrap_or_else(|| "/dev/null".into());
    vec![
        ("GO111MODULE", v("GO111MODULE", String::new())),
        ("GOARCH", v("GOARCH", "amd64".into())),
        ("GOBIN", v("GOBIN", String::new())),
        ("GOCACHE", v("GOCACHE", format!("{home}/.cache/go-build"))),
        ("GOENV", format!("{home}/.config/go/env")),
        ("GOEXE", String::new()),
        ("GOEXPERIMENT", String::new()),
        ("GOFLAGS", v("GOFLAGS", String::new())),
        ("GOHOSTARCH", "amd64".into()),
        ("GOHOSTOS", "linux".into()),
        ("GOINSECURE", String::new()),
        ("GOMODCACHE", v("GOMODCACHE", format!("{gopath}/pkg/mod"))),
        ("GONOPROXY", String::new()),
        ("GONOSUMDB", String::new()),
        ("GOOS", v("GOOS", "linux".into())),
        ("GOPATH", gopath.clone()),
        ("GOPRIVATE", String::new()),
        ("GOPROXY", v("GOPROXY", "https://proxy.golang.org,direct".into())),
        ("GOROOT", GOROOT.into()),
        ("GOSUMDB", v("GOSUMDB", "sum.golang.org".into())),
        ("GOTMPDIR", String::new()),
        ("GOTOOLCHAIN", v("GOTOOLCHAIN", "auto".into())),
        ("GOTOOLDIR", format!("{GOROOT}/pkg/tool/linux_amd64")),
        ("GOVCS", String::new()),
        ("GOVERSION", format!("go{}", version(ctx))),
        ("GCCGO", "gccgo".into()),
        ("GOAMD64", "v1".into()),
        ("AR", "ar".into()),
        ("CC", "gcc".into()),
        ("CXX", "g++".into()),
        ("CGO_ENABLED", cgo),
        ("GOMOD", gomod),
        ("GOWORK", String::new()),
        ("CGO_CFLAGS", "-O2 -g".into()),
        ("CGO_CPPFLAGS", String::new()),
        ("CGO_CXXFLAGS", "-O2 -g".into()),
        ("CGO_FFLAGS", "-O2 -g".into()),
        ("CGO_LDFLAGS", "-O2 -g".into()),
        ("PKG_CONFIG", "pkg-config".into()),
        ("GOGCCFLAGS", "-fPIC -m64 -pthread -Wl,--no-gc-sections -fmessage-length=0 -ffile-prefix-map=/tmp/go-build1804289383=/tmp/go-build -gno-record-gcc-switches".into()),
    ]
}

fn go_env(ctx: &mut Ctx<'_>, args: &[String], io: Streams<'_>) -> i32 {
    let vars = go_env_vars(ctx);
    let json = args.iter().any(|a| a == "-json");
    let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if args.iter().any(|a| a == "-w" || a == "-u") {
        write_err(
            io.stderr,
            format_args!("docklab: this lab's go does not support 'go env -w'"),
        );
        return 2;
    }
    if let Some(flag) = args.iter().find(|a| a.starts_with('-') && *a != "-json") {
        write_err(
            io.stderr,
            format_args!(
                "flag provided but not defined: {flag}\nusage: go env [-json] [-changed] [-u] [-w] [var ...]\nRun 'go help env' for details."
            ),
        );
        return 2;
    }
    if names.is_empty() {
        if json {
            let mut sorted = vars.clone();
            sorted.sort();
            let body: Vec<String> = sorted
                .iter()
                .map(|(k, v)| format!("\t\"{k}\": {}", stdlib::quote(v)))
                .collect();
            let _ = writeln!(io.stdout, "{{\n{}\n}}", body.join(",\n"));
        } else {
            for (k, v) in &vars {
                let _ = writeln!(io.stdout, "{k}='{v}'");
            }
        }
        return 0;
    }
    for name in names {
        let value = vars
            .iter()
            .find(|(k, _)| *k == name.as_str())
            .map(|(_, v)| v.clone())
            .or_else(|| ctx.var(name).map(str::to_string))
            .unwrap_or_default();
        let _ = writeln!(io.stdout, "{value}");
    }
    0
}

// ---- modules ----

struct GoMod {
    module: String,
    requires: Vec<(String, String)>,
}

fn parse_go_mod(text: &str) -> GoMod {
    let mut module = String::new();
    let mut requires = Vec::new();
    let mut in_require = false;
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        if in_require {
            if line == ")" {
                in_require = false;
            } else if let Some((m, v)) = line.split_once(char::is_whitespace) {
                requires.push((m.trim().to_string(), v.trim().to_string()));
            }
            continue;
        }
        if let Some(m) = line.strip_prefix("module ") {
            module = m.trim().trim_matches('"').to_string();
        } else if line == "require (" || line == "require(" {
            in_require = true;
        } else if let Some(r) = line.strip_prefix("require ")
            && let Some((m, v)) = r.trim().split_once(char::is_whitespace)
        {
            requires.push((m.trim().to_string(), v.trim().to_string()));
        }
    }
    GoMod { module, requires }
}

/// The directory holding the go.mod that governs `dir`, and its contents.
fn find_go_mod(ctx: &Ctx<'_>, dir: &str) -> Option<(String, GoMod)> {
    let mut dir = dir.to_string();
    loop {
        let path = format!("{}/go.mod", dir.trim_end_matches('/'));
        if let Ok(bytes) = ctx.fs.read(&path) {
            return Some((dir, parse_go_mod(&String::from_utf8_lossy(&bytes))));
        }
        if dir == "/" || dir.is_empty() {
            return None;
        }
        dir = vfs::parent(&dir);
    }
}

const NO_GO_MOD: &str =
    "go: go.mod file not found in current directory or any parent directory; see 'go help modules'";

/// The module proxy's URL for a module path: capitals become `!` and the lower letter.
fn escape_module(path: &str) -> String {
    let mut out = String::new();
    for c in path.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Why nothing can be fetched: the machine has no network.
fn offline(url: &str) -> String {
    format!(
        "Get {}: dial tcp: lookup proxy.golang.org: no such host",
        stdlib::quote(url)
    )
}

fn go_mod(ctx: &mut Ctx<'_>, args: &[String], io: Streams<'_>) -> i32 {
    let Some(sub) = args.first() else {
        write_err(
            io.stderr,
            format_args!(
                "Go mod provides access to operations on modules.\n\nNote that support for modules is built into all the go commands,\nnot just 'go mod'. For example, day-to-day adding, removing, upgrading,\nand downgrading of dependencies should be done using 'go get'.\nSee 'go help modules' for an overview of module functionality.\n\nUsage:\n\n\tgo mod <command> [arguments]\n\nThe commands are:\n\n\tdownload    download modules to local cache\n\tedit        edit go.mod from tools or scripts\n\tgraph       print module requirement graph\n\tinit        initialize new module in current directory\n\ttidy        add missing and remove unused modules\n\tvendor      make vendored copy of dependencies\n\tverify      verify dependencies have expected content\n\twhy         explain why packages or modules are needed\n\nUse \"go help mod <command>\" for more information about a command.\n"
            ),
        );
        return 2;
    };
    let cwd = ctx.cwd.clone();
    match sub.as_str() {
        "init" => {
            let path = format!("{}/go.mod", cwd.trim_end_matches('/'));
            if ctx.fs.exists(&path) {
                write_err(io.stderr, format_args!("go: {path} already exists"));
                return 1;
            }
            let Some(module) = args.get(1) else {
                write_err(
                    io.stderr,
                    format_args!(
                        "go: cannot determine module path for source directory {cwd} (outside GOPATH, module path must be specified)\n\nExample usage:\n\t'go mod init example.com/m' to initialize a v0 or v1 module\n\t'go mod init example.com/m/v2' to initialize a v2 module\n\nRun 'go help mod init' for more information."
                    ),
                );
                return 1;
            };
            if module.contains(' ') || module.starts_with('/') || module.is_empty() {
                write_err(
                    io.stderr,
                    format_args!(
                        "go: invalid module path {}: malformed import path",
                        stdlib::quote(module)
                    ),
                );
                return 1;
            }
            let text = format!("module {module}\n\ngo {}\n", version(ctx));
            if let Err(e) = ctx.fs.write(&path, text.as_bytes(), false) {
                write_err(io.stderr, format_args!("go: open {path}: {e}"));
                return 1;
            }
            write_err(
                io.stderr,
                format_args!("go: creating new go.mod: module {module}"),
            );
            let has_sources = ctx
                .fs
                .read_dir(&cwd)
                .map(|entries| {
                    entries.iter().any(|e| {
                        !e.name.starts_with('.')
                            && !e.name.starts_with('_')
                            && (e.name.ends_with(".go") || (e.file_type == vfs::FileType::Dir))
                    })
                })
                .unwrap_or(false);
            if has_sources {
                write_err(
                    io.stderr,
                    format_args!("go: to add module requirements and sums:\n\tgo mod tidy"),
                );
            }
            0
        }
        "tidy" | "download" | "verify" | "vendor" | "graph" | "why" | "edit" => {
            let Some((root, gomod)) = find_go_mod(ctx, &cwd) else {
                write_err(io.stderr, format_args!("{NO_GO_MOD}"));
                return 1;
            };
            if sub == "download" {
                if let Some((m, v)) = gomod.requires.first() {
                    let url = format!("https://proxy.golang.org/{}/@v/{v}.mod", escape_module(m));
                    write_err(io.stderr, format_args!("go: {m}@{v}: {}", offline(&url)));
                    return 1;
                }
                write_err(
                    io.stderr,
                    format_args!("go: no module dependencies to download"),
                );
                return 0;
            }
            if sub != "tidy" {
                if gomod.requires.is_empty() {
                    if sub == "verify" {
                        let _ = writeln!(io.stdout, "all modules verified");
                    } else if sub == "graph" {
                        let _ = writeln!(io.stdout, "{} go@{}", gomod.module, version(ctx));
                    }
                    return 0;
                }
                write_err(
                    io.stderr,
                    format_args!(
                        "docklab: this lab's go does not support 'go mod {sub}' with requirements"
                    ),
                );
                return 1;
            }
            // tidy: every import must be standard; requirements cannot be fetched.
            let files = package_sources(ctx, &root);
            let mut externals: Vec<String> = Vec::new();
            for (name, src) in &files {
                if let Ok(f) = parser::parse_file(name, src) {
                    for imp in f.imports {
                        if matches!(
                            stdlib::package_kind(&imp.path),
                            stdlib::PackageKind::External
                        ) && !externals.contains(&imp.path)
                        {
                            externals.push(imp.path);
                        }
                    }
                }
            }
            if let Some(path) = externals.first() {
                if let Some((m, v)) = gomod
                    .requires
                    .iter()
                    .find(|(m, _)| path.starts_with(m.as_str()))
                {
                    let url = format!("https://proxy.golang.org/{}/@v/{v}.mod", escape_module(m));
                    write_err(io.stderr, format_args!("go: {m}@{v}: {}", offline(&url)));
                    return 1;
                }
                for p in &externals {
                    write_err(
                        io.stderr,
                        format_args!("go: finding module for package {p}"),
                    );
                }
                let url = format!("https://proxy.golang.org/{}/@v/list", escape_module(path));
                write_err(
                    io.stderr,
                    format_args!(
                        "go: {} imports\n\t{path}: module {path}: {}",
                        gomod.module,
                        offline(&url)
                    ),
                );
                return 1;
            }
            if let Some((m, v)) = gomod.requires.first() {
                let url = format!("https://proxy.golang.org/{}/@v/{v}.mod", escape_module(m));
                write_err(io.stderr, format_args!("go: {m}@{v}: {}", offline(&url)));
                return 1;
            }
            0
        }
        other => {
            write_err(
                io.stderr,
                format_args!("go mod {other}: unknown command\nRun 'go help mod' for usage."),
            );
            2
        }
    }
}

fn go_get(_ctx: &mut Ctx<'_>, args: &[String], io: Streams<'_>) -> i32 {
    let Some(target) = args.iter().find(|a| !a.starts_with('-')) else {
        write_err(
            io.stderr,
            format_args!("go: no package to get in current directory"),
        );
        return 1;
    };
    let (path, ver) = target.split_once('@').unwrap_or((target, "latest"));
    let url = if ver == "latest" {
        format!("https://proxy.golang.org/{}/@v/list", escape_module(path))
    } else {
        format!(
            "https://proxy.golang.org/{}/@v/{ver}.info",
            escape_module(path)
        )
    };
    write_err(
        io.stderr,
        format_args!("go: module {path}: {}", offline(&url)),
    );
    1
}

/// The `.go` files of the package in `dir` (not tests), by name, with their source.
fn package_sources(ctx: &Ctx<'_>, dir: &str) -> Vec<(String, String)> {
    let Ok(entries) = ctx.fs.read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .iter()
        .filter(|e| {
            e.name.ends_with(".go")
                && !e.name.ends_with("_test.go")
                && !e.name.starts_with(['.', '_'])
                && !(e.file_type == vfs::FileType::Dir)
        })
        .map(|e| e.name.clone())
        .collect();
    names.sort();
    let mut total = 0;
    names
        .into_iter()
        .filter_map(|n| {
            let bytes = ctx
                .fs
                .read(&format!("{}/{n}", dir.trim_end_matches('/')))
                .ok()?;
            total += bytes.len();
            (total <= MAX_SOURCE).then(|| (n, String::from_utf8_lossy(&bytes).into_owned()))
        })
        .collect()
}

// ---- compiling ----

/// A package ready to build: its files parsed and checked.
struct Compiled {
    payload: Payload,
    files: Vec<ast::File>,
    /// The binary's default name.
    name: String,
    is_main: bool,
}

/// How the files' names are shown in errors: relative to the working directory.
fn display_dir(cwd: &str, dir: &str) -> String {
    if dir == cwd {
        return ".".into();
    }
    match dir.strip_prefix(cwd.trim_end_matches('/')) {
        Some(rest) if rest.starts_with('/') => format!(".{rest}"),
        _ => dir.to_string(),
    }
}

/// Parses and checks the package `sources` in `dir`; on failure writes go's messages
/// and gives the exit status.
fn compile(
    ctx: &Ctx<'_>,
    dir: &str,
    package: &str,
    sources: Vec<(String, String)>,
    gomod: Option<&GoMod>,
    err: &mut dyn Write,
) -> Result<Compiled, i32> {
    let shown = display_dir(&ctx.cwd, dir);
    let mut files = Vec::new();
    let mut syntax = Vec::new();
    for (name, src) in &sources {
        match parser::parse_file(name, src) {
            Ok(f) => files.push(f),
            Err(e) => syntax.push((name.clone(), e)),
        }
    }
    if !syntax.is_empty() {
        let unsupported: Vec<_> = syntax
            .iter()
            .filter(|(_, e)| e.msg.starts_with("docklab:"))
            .collect();
        if unsupported.len() == syntax.len() {
            for (name, e) in unsupported {
                write_err(
                    err,
                    format_args!("{} ({shown}/{name}:{}:{})", e.msg, e.pos.line, e.pos.col),
                );
            }
            return Err(1);
        }
        let _ = writeln!(err, "# {package}");
        for (name, e) in syntax
            .iter()
            .filter(|(_, e)| !e.msg.starts_with("docklab:"))
        {
            let _ = writeln!(
                err,
                "{shown}/{name}:{}:{}: {}",
                e.pos.line, e.pos.col, e.msg
            );
        }
        return Err(1);
    }
    // The go command checks the package clause and imports before compiling.
    let names: Vec<&str> = files.iter().map(|f| f.package.as_str()).collect();
    if let Some(other) = files.iter().find(|f| f.package != names[0]) {
        let first = &files[0];
        write_err(
            err,
            format_args!(
                "found packages {} ({}) and {} ({}) in {dir}",
                first.package, first.name, other.package, other.name
            ),
        );
        return Err(1);
    }
    let mut load_errors = Vec::new();
    for f in &files {
        for imp in &f.imports {
            let at = format!("{shown}/{}:{}:{}", f.name, imp.pos.line, imp.pos.col);
            let at = at.trim_start_matches("./").to_string();
            match stdlib::package_kind(&imp.path) {
                stdlib::PackageKind::External => {
                    let own = gomod.is_some_and(|m| {
                        imp.path == m.module || imp.path.starts_with(&format!("{}/", m.module))
                    });
                    if own {
                        load_errors.push(format!("docklab: this lab's go does not support packages of the module other than the one built ({at})"));
                        continue;
                    }
                    let required = gomod.and_then(|m| {
                        m.requires
                            .iter()
                            .find(|(r, _)| imp.path.starts_with(r.as_str()))
                    });
                    load_errors.push(match required {
                        Some(_) => format!("{at}: missing go.sum entry for module providing package {} (imported by {package}); to add:\n\tgo get {package}", imp.path),
                        None => format!("{at}: no required module provides package {}; to add it:\n\tgo get {}", imp.path, imp.path),
                    });
                }
                stdlib::PackageKind::NotInStd => {
                    load_errors.push(format!(
                        "{at}: package {} is not in std ({GOROOT}/src/{})",
                        imp.path, imp.path
                    ));
                }
                _ => {}
            }
        }
    }
    if !load_errors.is_empty() {
        for e in load_errors {
            write_err(err, format_args!("{e}"));
        }
        return Err(1);
    }
    let diags = typecheck::check(&files);
    let errors: Vec<&typecheck::Diag> = diags.iter().filter(|d| !d.unsupported).collect();
    let is_main = names[0] == "main";
    let has_main = files.iter().any(|f| {
        f.decls.iter().any(
            |d| matches!(d, ast::Decl::Func(func) if func.name == "main" && func.recv.is_none()),
        )
    });
    if !errors.is_empty() {
        let _ = writeln!(err, "# {package}");
        for d in errors.iter().take(10) {
            let _ = writeln!(
                err,
                "{shown}/{}:{}:{}: {}",
                d.file, d.pos.line, d.pos.col, d.msg
            );
        }
        if errors.len() > 10 {
            let d = errors[10];
            let _ = writeln!(
                err,
                "{shown}/{}:{}:{}: too many errors",
                d.file, d.pos.line, d.pos.col
            );
        }
        return Err(1);
    }
    if let Some(d) = diags.iter().find(|d| d.unsupported) {
        let what = d
            .msg
            .strip_prefix("docklab: this lab's go does not support ")
            .unwrap_or(&d.msg);
        write_err(
            err,
            format_args!(
                "docklab: this lab's go does not support {what} ({shown}/{}:{}:{})",
                d.file, d.pos.line, d.pos.col
            ),
        );
        return Err(1);
    }
    if is_main && !has_main {
        let _ = writeln!(
            err,
            "# {package}\nruntime.main_main·f: function main is undeclared in the main package"
        );
        return Err(1);
    }
    let name = if package == "command-line-arguments" {
        sources
            .first()
            .map(|(n, _)| n.trim_end_matches(".go").to_string())
            .unwrap_or_default()
    } else {
        let last = package.rsplit('/').next().unwrap_or(package);
        // A major-version suffix (`example.com/app/v2`) is not the name.
        if last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit())
        {
            package.rsplit('/').nth(1).unwrap_or(last).to_string()
        } else {
            last.to_string()
        }
    };
    Ok(Compiled {
        payload: Payload {
            package: package.to_string(),
            dir: dir.to_string(),
            files: sources,
        },
        files,
        name,
        is_main,
    })
}

/// What `go build`/`go run` were asked to compile.
enum Target {
    Dir(String),
    Files(Vec<String>),
    All(String),
}

fn load_target(ctx: &Ctx<'_>, target: Target, err: &mut dyn Write) -> Result<Vec<Compiled>, i32> {
    match target {
        Target::Files(names) => {
            let mut sources = Vec::new();
            let mut dir = None;
            for n in &names {
                let path = ctx.abs(n);
                let Ok(bytes) = ctx.fs.read(&path) else {
                    write_err(err, format_args!("stat {path}: no such file or directory"));
                    return Err(1);
                };
                if bytes.len() > MAX_SOURCE {
                    write_err(
                        err,
                        format_args!(
                            "docklab: this lab's go does not support source files this large ({n})"
                        ),
                    );
                    return Err(1);
                }
                let d = vfs::parent(&path);
                if dir.as_ref().is_some_and(|x: &String| *x != d) {
                    write_err(
                        err,
                        format_args!(
                            "named files must all be in one directory; have {} and {d}",
                            dir.unwrap_or_default()
                        ),
                    );
                    return Err(1);
                }
                dir = Some(d);
                sources.push((
                    vfs::file_name(&path).to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                ));
            }
            let dir = dir.unwrap_or_else(|| ctx.cwd.clone());
            let gomod = find_go_mod(ctx, &dir).map(|(_, m)| m);
            compile(
                ctx,
                &dir,
                "command-line-arguments",
                sources,
                gomod.as_ref(),
                err,
            )
            .map(|c| vec![c])
        }
        Target::Dir(dir) => {
            let Some((root, gomod)) = find_go_mod(ctx, &dir) else {
                write_err(err, format_args!("{NO_GO_MOD}"));
                return Err(1);
            };
            if !ctx.fs.metadata(&dir).is_ok_and(|m| m.is_dir()) {
                let rel = display_dir(&ctx.cwd, &dir);
                write_err(err, format_args!("stat {dir}: directory not found"));
                let _ = rel;
                return Err(1);
            }
            let sources = package_sources(ctx, &dir);
            if sources.is_empty() {
                write_err(err, format_args!("no Go files in {dir}"));
                return Err(1);
            }
            let package = match dir.strip_prefix(root.trim_end_matches('/')) {
                Some(rest) if !rest.is_empty() => format!("{}{rest}", gomod.module),
                _ => gomod.module.clone(),
            };
            compile(ctx, &dir, &package, sources, Some(&gomod), err).map(|c| vec![c])
        }
        Target::All(dir) => {
            let Some(_) = find_go_mod(ctx, &dir) else {
                write_err(err, format_args!("{NO_GO_MOD}"));
                return Err(1);
            };
            let mut dirs = vec![dir.clone()];
            let mut found = Vec::new();
            while let Some(d) = dirs.pop() {
                if found.len() > 64 {
                    break;
                }
                if let Ok(entries) = ctx.fs.read_dir(&d) {
                    for e in &entries {
                        if (e.file_type == vfs::FileType::Dir)
                            && !e.name.starts_with(['.', '_'])
                            && e.name != "testdata"
                            && e.name != "vendor"
                        {
                            dirs.push(format!("{}/{}", d.trim_end_matches('/'), e.name));
                        }
                    }
                    if entries
                        .iter()
                        .any(|e| e.name.ends_with(".go") && !e.name.ends_with("_test.go"))
                    {
                        found.push(d);
                    }
                }
            }
            found.sort();
            if found.is_empty() {
                write_err(
                    err,
                    format_args!("go: warning: \"./...\" matched no packages"),
                );
                return Ok(Vec::new());
            }
            let mut out = Vec::new();
            for d in found {
                out.extend(load_target(ctx, Target::Dir(d), err)?);
            }
            Ok(out)
        }
    }
}

struct BuildFlags {
    output: Option<String>,
    stripped: bool,
    targets: Vec<String>,
    rest: Vec<String>,
}

fn parse_build_flags(args: &[String], run: bool, err: &mut dyn Write) -> Result<BuildFlags, i32> {
    let mut flags = BuildFlags {
        output: None,
        stripped: false,
        targets: Vec::new(),
        rest: Vec::new(),
    };
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if !a.starts_with('-') || a == "-" {
            break;
        }
        let (name, inline) = match a.trim_start_matches('-').split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (a.trim_start_matches('-').to_string(), None),
        };
        let takes_value = matches!(
            name.as_str(),
            "o" | "ldflags"
                | "gcflags"
                | "tags"
                | "mod"
                | "p"
                | "buildmode"
                | "asmflags"
                | "pkgdir"
                | "exec"
                | "overlay"
                | "pgo"
                | "toolexec"
                | "modfile"
        );
        let value = if takes_value {
            match inline {
                Some(v) => Some(v),
                None => {
                    i += 1;
                    match args.get(i) {
                        Some(v) => Some(v.clone()),
                        None => {
                            write_err(
                                err,
                                format_args!(
                                    "flag needs an argument: -{name}\nusage: go {} [build flags] [packages]\nRun 'go help {}' for details.",
                                    if run { "run" } else { "build -o output" },
                                    if run { "run" } else { "build" }
                                ),
                            );
                            return Err(2);
                        }
                    }
                }
            }
        } else {
            None
        };
        match name.as_str() {
            "o" if !run => flags.output = value,
            "ldflags" => {
                let v = value.unwrap_or_default();
                let words: Vec<&str> = v.split_whitespace().collect();
                flags.stripped =
                    words.contains(&"-s") && words.contains(&"-w") || words.contains(&"-s");
            }
            "v" | "x" | "a" | "n" | "race" | "trimpath" | "buildvcs" | "work" | "modcacherw"
            | "linkshared" | "cover" | "msan" | "asan" => {}
            _ if takes_value => {}
            other => {
                write_err(
                    err,
                    format_args!(
                        "flag provided but not defined: -{other}\nusage: go {} [build flags] [packages]\nRun 'go help {}' for details.",
                        if run { "run" } else { "build [-o output]" },
                        if run { "run" } else { "build" }
                    ),
                );
                return Err(2);
            }
        }
        i += 1;
    }
    let rest = &args[i..];
    if run {
        // go run: the files (or one package), then the program's arguments.
        let files: Vec<String> = rest
            .iter()
            .take_while(|a| a.ends_with(".go"))
            .cloned()
            .collect();
        if files.is_empty() {
            if let Some(first) = rest.first() {
                flags.targets.push(first.clone());
                flags.rest = rest[1..].to_vec();
            }
        } else {
            flags.rest = rest[files.len()..].to_vec();
            flags.targets = files;
        }
    } else {
        flags.targets = rest.to_vec();
    }
    Ok(flags)
}

fn target_of(ctx: &Ctx<'_>, targets: &[String]) -> Target {
    if targets.is_empty() {
        return Target::Dir(ctx.cwd.clone());
    }
    if targets.iter().all(|t| t.ends_with(".go")) {
        return Target::Files(targets.to_vec());
    }
    let t = &targets[0];
    if let Some(base) = t.strip_suffix("/...") {
        return Target::All(ctx.abs(if base.is_empty() { "." } else { base }));
    }
    Target::Dir(ctx.abs(t))
}

/// Writes the binary for `c` at `path` (creating its directory, as go does).
fn write_binary(
    ctx: &mut Ctx<'_>,
    c: &Compiled,
    path: &str,
    stripped: bool,
) -> std::io::Result<()> {
    let bytes = crate::engine::program::executable_with_payload(
        "go-binary",
        &c.payload.encode(),
        binary_size(&c.files, stripped),
    );
    let parent = vfs::parent(path);
    vfs::create_dir_all(ctx.fs, &parent)?;
    ctx.fs.write(path, &bytes, false)?;
    ctx.fs.set_mode(path, 0o755)
}

/// What go leaves in its build cache the first time it builds.
fn touch_cache(ctx: &mut Ctx<'_>) {
    let cache = ctx
        .var("GOCACHE")
        .map(str::to_string)
        .unwrap_or_else(|| format!("{}/.cache/go-build", home(ctx)));
    let readme = format!("{cache}/README");
    if ctx.fs.exists(&readme) || vfs::create_dir_all(ctx.fs, &cache).is_err() {
        return;
    }
    let _ = ctx.fs.write(&readme, b"This directory holds cached build artifacts from the Go build system.\nRun \"go clean -cache\" if the directory is getting too large.\nRun \"go clean -fuzzcache\" to delete the fuzz cache.\nSee golang.org to learn more about Go.\n", false);
    let _ = ctx.fs.write(
        &format!("{cache}/trim.txt"),
        format!("{}", ctx.host.now().timestamp()).as_bytes(),
        false,
    );
}

fn go_build(ctx: &mut Ctx<'_>, args: &[String], io: Streams<'_>) -> i32 {
    let flags = match parse_build_flags(args, false, io.stderr) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let target = target_of(ctx, &flags.targets);
    let several = matches!(target, Target::All(_));
    let compiled = match load_target(ctx, target, io.stderr) {
        Ok(c) => c,
        Err(code) => return code,
    };
    touch_cache(ctx);
    // Several packages, or one that is not a command: compiled, and nothing is written.
    if (several && flags.output.is_none()) || compiled.len() != 1 {
        return 0;
    }
    let c = &compiled[0];
    if !c.is_main {
        return 0;
    }
    let path = match &flags.output {
        Some(o) => {
            let p = ctx.abs(o);
            if o.ends_with('/') || ctx.fs.metadata(&p).is_ok_and(|m| m.is_dir()) {
                format!("{}/{}", p.trim_end_matches('/'), c.name)
            } else {
                p
            }
        }
        None => ctx.abs(&c.name),
    };
    if ctx.fs.metadata(&path).is_ok_and(|m| m.is_dir()) {
        write_err(
            io.stderr,
            format_args!(
                "go: build output \"{}\" already exists and is a directory",
                c.name
            ),
        );
        return 1;
    }
    if let Err(e) = write_binary(ctx, c, &path, flags.stripped) {
        write_err(io.stderr, format_args!("go: open {path}: {e}"));
        return 1;
    }
    0
}

fn go_run(ctx: &mut Ctx<'_>, args: &[String], io: Streams<'_>) -> i32 {
    let flags = match parse_build_flags(args, true, io.stderr) {
        Ok(f) => f,
        Err(code) => return code,
    };
    if flags.targets.is_empty() {
        write_err(io.stderr, format_args!("go: no go files listed"));
        return 1;
    }
    let target = target_of(ctx, &flags.targets);
    let compiled = match load_target(ctx, target, io.stderr) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let Some(c) = compiled.into_iter().next() else {
        return 1;
    };
    if !c.is_main {
        write_err(
            io.stderr,
            format_args!("package {} is not a main package", c.payload.package),
        );
        return 1;
    }
    touch_cache(ctx);
    // go run links into a temporary directory and runs the binary from there.
    let exe = format!("/tmp/go-build{}/b001/exe/{}", 1_804_289_383u32, c.name);
    if let Err(e) = write_binary(ctx, &c, &exe, false) {
        write_err(io.stderr, format_args!("go: open {exe}: {e}"));
        return 1;
    }
    let mut argv = vec![exe.clone()];
    argv.extend(flags.rest.iter().cloned());
    let (status, served) = execute(
        ctx,
        &c.files,
        &c.payload.dir,
        &exe,
        argv,
        io.stdout,
        io.stderr,
    );
    // A server's binary stays while it serves: the published port runs it from there.
    if !served {
        let _ = vfs::remove_tree(ctx.fs, "/tmp/go-build1804289383");
    }
    if status != 0 {
        write_err(io.stderr, format_args!("exit status {status}"));
        return 1;
    }
    0
}

fn go_test(ctx: &mut Ctx<'_>, args: &[String], io: Streams<'_>) -> i32 {
    let targets: Vec<String> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .cloned()
        .collect();
    let dir = match targets.first() {
        Some(t) => ctx.abs(t.trim_end_matches("/...")),
        None => ctx.cwd.clone(),
    };
    let Some((root, gomod)) = find_go_mod(ctx, &dir) else {
        write_err(io.stderr, format_args!("{NO_GO_MOD}"));
        return 1;
    };
    let has_tests = ctx
        .fs
        .read_dir(&dir)
        .map(|e| e.iter().any(|e| e.name.ends_with("_test.go")))
        .unwrap_or(false);
    if has_tests {
        write_err(
            io.stderr,
            format_args!("docklab: this lab's go does not support running tests (package testing)"),
        );
        return 1;
    }
    let package = match dir.strip_prefix(root.trim_end_matches('/')) {
        Some(rest) if !rest.is_empty() => format!("{}{rest}", gomod.module),
        _ => gomod.module.clone(),
    };
    let sources = package_sources(ctx, &dir);
    if sources.is_empty() {
        write_err(io.stderr, format_args!("no Go files in {dir}"));
        return 1;
    }
    if let Err(code) = compile(ctx, &dir, &package, sources, Some(&gomod), io.stderr) {
        let _ = writeln!(io.stdout, "FAIL\t{package} [build failed]");
        return code;
    }
    let _ = writeln!(io.stdout, "?   \t{package}\t[no test files]");
    0
}

// ---- running a binary ----

/// A program running as a container's process (or under `go run`).
struct ProcessWorld<'a, 'c> {
    ctx: &'a mut Ctx<'c>,
    stdout: &'a mut dyn Write,
    stderr: &'a mut dyn Write,
    binary: String,
    slept: Duration,
    /// Whether the program started serving (its binary must stay for the port).
    served: bool,
}

impl interp::World for ProcessWorld<'_, '_> {
    fn write(&mut self, fd: u8, bytes: &[u8]) {
        let out: &mut dyn Write = if fd == 2 { self.stderr } else { self.stdout };
        let _ = out.write_all(bytes);
    }
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.ctx.host.now() + chrono::Duration::from_std(self.slept).unwrap_or_default()
    }
    fn sleep(&mut self, d: Duration) {
        self.ctx.host.sleep(d);
        self.slept += d;
    }
    fn getenv(&self, key: &str) -> Option<String> {
        self.ctx.var(key).map(str::to_string)
    }
    fn interrupted(&self) -> bool {
        self.ctx
            .interrupt
            .load(std::sync::atomic::Ordering::Relaxed)
    }
    fn serve(&mut self, port: u16, all: bool) -> bool {
        // Only a server on every address is reachable through a published port.
        if all {
            self.ctx.host.listen(port, &format!("go:{}", self.binary));
        }
        self.served = true;
        self.ctx.host.sleep(FOREVER);
        false
    }
}

fn execute(
    ctx: &mut Ctx<'_>,
    files: &[ast::File],
    dir: &str,
    binary: &str,
    argv: Vec<String>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> (i32, bool) {
    let mut world = ProcessWorld {
        ctx,
        stdout,
        stderr,
        binary: binary.to_string(),
        slept: Duration::ZERO,
        served: false,
    };
    let mut it = interp::Interp::new(&mut world, files, dir, argv);
    let status = it.run_main(files);
    (status, world.served)
}

/// The program a binary carries, parsed again (it was checked when it was built).
fn load_binary(bytes: &[u8]) -> Option<(Payload, Vec<ast::File>)> {
    let payload = Payload::decode(crate::engine::program::payload(bytes)?)?;
    let files = payload
        .files
        .iter()
        .map(|(n, s)| parser::parse_file(n, s))
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    Some((payload, files))
}

pub fn go_binary(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let invoked = &argv[0];
    let path = if invoked.contains('/') {
        ctx.abs(invoked)
    } else {
        let search = ctx
            .var("PATH")
            .unwrap_or("/usr/local/bin:/usr/bin:/bin")
            .to_string();
        search
            .split(':')
            .filter(|d| !d.is_empty())
            .map(|d| format!("{}/{invoked}", d.trim_end_matches('/')))
            .find(|p| ctx.fs.metadata(p).is_ok_and(|m| m.is_file()))
            .unwrap_or_else(|| ctx.abs(invoked))
    };
    let Some((payload, files)) = ctx.fs.read(&path).ok().as_deref().and_then(load_binary) else {
        write_err(
            io.stderr,
            format_args!("docklab: {invoked}: this Go binary carries no program the lab can run"),
        );
        return 126;
    };
    execute(
        ctx,
        &files,
        &payload.dir,
        &path,
        argv.to_vec(),
        io.stdout,
        io.stderr,
    )
    .0
}

// ---- serving a published port ----

type Job = (AppRequest, mpsc::Sender<AppReply>);

/// The program as the server behind a published port: it runs on a thread of its own,
/// from `main` to its `ListenAndServe`, then answers each request with its handlers.
struct GoApp {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl App for GoApp {
    fn respond(&self, request: &AppRequest) -> AppReply {
        let (tx, rx) = mpsc::channel();
        let sent = self
            .jobs
            .lock()
            .map(|jobs| jobs.send((request.clone(), tx)).is_ok())
            .unwrap_or(false);
        if !sent {
            return AppReply::new(502, &[], Vec::new());
        }
        rx.recv_timeout(Duration::from_secs(15))
            .unwrap_or_else(|_| AppReply::new(504, &[], Vec::new()))
    }
}

struct ServiceWorld {
    view: ContainerView,
    jobs: mpsc::Receiver<Job>,
    serving: bool,
    /// Output not yet ending in a newline, per stream, logged line by line.
    pending: [String; 2],
}

impl interp::World for ServiceWorld {
    fn write(&mut self, fd: u8, bytes: &[u8]) {
        // What main printed before serving is already in the container's log.
        if !self.serving {
            return;
        }
        let slot = &mut self.pending[usize::from(fd == 2)];
        slot.push_str(&String::from_utf8_lossy(bytes));
        while let Some(i) = slot.find('\n') {
            let line: String = slot.drain(..=i).collect();
            self.view.log(fd, line);
        }
    }
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.view.clock.now()
    }
    fn sleep(&mut self, _d: Duration) {}
    fn getenv(&self, key: &str) -> Option<String> {
        match self.view.var(key) {
            Some(v) => Some(v.to_string()),
            // The runtime gives every process its container's hostname.
            None if key == "HOSTNAME" => Some(self.view.hostname.clone()),
            None => None,
        }
    }
    fn interrupted(&self) -> bool {
        false
    }
    fn serve(&mut self, _port: u16, _all: bool) -> bool {
        self.serving = true;
        true
    }
    fn next_request(&mut self) -> Option<(AppRequest, interp::Reply)> {
        let (request, reply) = self.jobs.recv().ok()?;
        Some((
            request,
            Box::new(move |answer| {
                let _ = reply.send(answer);
            }),
        ))
    }
    fn client_address(&self) -> String {
        format!("{}:41234", self.view.client_address())
    }
}

/// The service behind a port this program listens on (`Host::listen(port, "go:BINARY")`).
pub fn service(kind: &str, arg: &str, view: ContainerView) -> Option<crate::engine::net::Service> {
    if kind != "go" {
        return None;
    }
    let app = start_app(arg, view)?;
    Some(crate::engine::net::app::service(app))
}

/// Starts the program in binary `arg` of the container as an HTTP app.
fn start_app(arg: &str, view: ContainerView) -> Option<Arc<GoApp>> {
    let bytes = view.fs.read(arg).ok()?;
    let (payload, _) = load_binary(&bytes)?;
    let (tx, rx) = mpsc::channel::<Job>();
    let binary = arg.to_string();
    std::thread::Builder::new()
        .name("docklab-go".into())
        .stack_size(64 << 20)
        .spawn(move || {
            let Ok(files) = payload
                .files
                .iter()
                .map(|(n, s)| parser::parse_file(n, s))
                .collect::<Result<Vec<_>, _>>()
            else {
                return;
            };
            let mut world = ServiceWorld {
                view,
                jobs: rx,
                serving: false,
                pending: [String::new(), String::new()],
            };
            let mut it = interp::Interp::new(&mut world, &files, &payload.dir, vec![binary]);
            it.run_main(&files);
        })
        .ok()?;
    Some(Arc::new(GoApp {
        jobs: Mutex::new(tx),
    }))
}

#[cfg(test)]
mod tests;
