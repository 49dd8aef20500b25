//! Every executable a package can install runs as a program the lab simulates: for
//! each index, each file marked executable is resolved to its program as a container
//! resolves it (the marker's name, then the table) and run with its version option.
//! Programs simulated in modules of their own elsewhere (interpreters, git, databases)
//! need only be in the table here; their own tests run them.

use super::super::packages::fixture;
use super::super::packages::{self, Content, Index, Release};
use super::super::{Ctx, DefaultResolver, lookup};
use crate::engine::shell::{Flavour, NullHost, Streams, WorkspaceFs};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Programs whose simulation lives in its own module, tested there.
const SIMULATED_ELSEWHERE: &[&str] = &[
    "python",
    "python3",
    "pip",
    "pip3",
    "node",
    "nodejs",
    "npm",
    "npx",
    "go",
    "gofmt",
    "git",
    "redis-server",
    "redis-cli",
    "postgres",
    "psql",
    "pg_isready",
    "initdb",
    "pg_ctl",
];

/// How each program is asked for its version (or, lacking one, its usage).
fn version_args(program: &str) -> &'static [&'static str] {
    match program {
        "xxd" => &["-v"],
        "openssl" => &["version"],
        "nginx" => &["-v"],
        "ping" | "netstat" | "ifconfig" | "route" | "arp" => &["-V"],
        "update-ca-certificates" => &["--help"],
        "getcap" | "setcap" => &["-h"],
        _ => &["--version"],
    }
}

fn indexes() -> Vec<(String, Release, Index)> {
    let mut out = Vec::new();
    for v in ["3.13.12", "3.20.6", "3.21.3", "3.22.0"] {
        let r = Release::Alpine(v.into());
        out.push((format!("alpine {v}"), r.clone(), r.index()));
    }
    for (id, version_id, codename) in [("debian", "12", "bookworm"), ("ubuntu", "24.04", "noble")] {
        let r = Release::Debian {
            id: id.into(),
            version_id: version_id.into(),
            codename: codename.into(),
        };
        out.push((format!("{id} {codename}"), r.clone(), r.index()));
    }
    out
}

#[test]
fn every_packaged_executable_runs_as_a_simulated_program() {
    let mut checked = 0;
    for (label, release, index) in indexes() {
        for pkg in index.packages.values() {
            for file in &pkg.files {
                let Content::Program(program) = &file.content else {
                    continue;
                };
                let what = format!("{label}: {} installs /{} ({program})", pkg.name, file.path);
                if matches!(program.as_str(), "sh" | "ash" | "bash" | "dash") {
                    continue;
                }
                let run = lookup(program).unwrap_or_else(|| panic!("{what}: not in the table"));
                assert!(super::lab_can_run(program), "{what}");
                if SIMULATED_ELSEWHERE.contains(&program.as_str()) {
                    continue;
                }
                // Installed into a container of its release, run as its file is named.
                let c = match &release {
                    Release::Alpine(v) => fixture::alpine(v),
                    _ => fixture::ubuntu(),
                };
                let mut fs = WorkspaceFs::new(c.dir.path());
                packages::unpack(&mut fs, pkg, 0).unwrap();
                let mut host = NullHost::default();
                let mut ctx = Ctx {
                    fs: &mut fs,
                    host: &mut host,
                    cwd: "/".into(),
                    env: vec![(
                        "PATH".into(),
                        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
                    )],
                    flavour: Flavour::Ash,
                    interrupt: Arc::new(AtomicBool::new(false)),
                    columns: None,
                    resolver: &DefaultResolver,
                };
                let mut argv = vec![crate::engine::shell::vfs::file_name(&file.path).to_string()];
                argv.extend(version_args(program).iter().map(|a| a.to_string()));
                let (mut out, mut err) = (Vec::new(), Vec::new());
                let status = run(&mut ctx, &argv, Streams::new(b"", &mut out, &mut err));
                let err = String::from_utf8_lossy(&err);
                assert_ne!(status, 126, "{what}: {err}");
                assert!(!err.contains("does not simulate"), "{what}: {err}");
                // Alpine's update-ca-certificates says nothing at all.
                let silent =
                    program == "update-ca-certificates" && matches!(release, Release::Alpine(_));
                assert!(
                    silent || !out.is_empty() || !err.is_empty(),
                    "{what}: {argv:?} printed nothing"
                );
                checked += 1;
                drop(c);
            }
        }
    }
    assert!(checked >= 20, "only {checked} programs checked");
}

#[test]
fn a_package_whose_program_the_lab_cannot_run_is_refused_before_anything_is_installed() {
    let index = packages::parse(
        "P frobnicator 1.0-r0 main\nT a tool nobody simulates\nF usr/bin/frob 755 4096 x\nF usr/share/frob/data 644 100\n\nP frob-libs 1.0-r0 main\nF usr/lib/libfrob.so 755 100 l\n\nP frob-wrapper 1.0-r0 main\nD frob-libs frobnicator\n",
        "3.21",
    );
    let c = fixture::alpine("3.21.3");
    let mut fs = WorkspaceFs::new(c.dir.path());
    let mut host = NullHost::default();
    let mut ctx = Ctx {
        fs: &mut fs,
        host: &mut host,
        cwd: "/".into(),
        env: Vec::new(),
        flavour: Flavour::Ash,
        interrupt: Arc::new(AtomicBool::new(false)),
        columns: None,
        resolver: &DefaultResolver,
    };
    for wanted in ["frobnicator", "frob-wrapper"] {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = super::add(
            &mut ctx,
            &index,
            &[wanted.to_string()],
            false,
            false,
            Streams::new(b"", &mut out, &mut err),
        );
        assert_eq!(status, 1);
        assert_eq!(
            String::from_utf8_lossy(&err),
            "docklab: the lab cannot run frobnicator yet; it is not installed\n"
        );
        assert!(!String::from_utf8_lossy(&out).contains("Installing"));
    }
    assert!(!c.dir.path().join("usr/bin/frob").exists());
    assert!(!c.dir.path().join("usr/lib/libfrob.so").exists());
    assert!(
        !std::fs::read_to_string(c.dir.path().join("etc/apk/world"))
            .unwrap()
            .contains("frob")
    );
    // A package of libraries and data alone is fine.
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = super::add(
        &mut ctx,
        &index,
        &["frob-libs".to_string()],
        false,
        false,
        Streams::new(b"", &mut out, &mut err),
    );
    assert_eq!(status, 0, "{}", String::from_utf8_lossy(&err));
}
