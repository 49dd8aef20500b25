//! `apt-get` and `apt` (Debian 12 / Ubuntu 24.04 wording, as seen without a terminal):
//! update, install, remove.
//!
//! Owns Debian's package state in the container filesystem: /var/lib/apt/lists,
//! /var/lib/apt/extended_states, /var/lib/dpkg/status and /var/lib/dpkg/info/*.list.
//! Installs from the indexes in `packages`; never touches the network.

use std::io::Write;

use super::packages::{self, Index, Package, Release};
use super::{Ctx, Streams};
use crate::engine::shell::{Flavour, write_err};

const LISTS: &str = "/var/lib/apt/lists";
const STATUS: &str = "/var/lib/dpkg/status";
const INFO: &str = "/var/lib/dpkg/info";
const EXTENDED: &str = "/var/lib/apt/extended_states";

pub fn apt_get(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    run(ctx, argv, io, false)
}

pub fn apt(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    if ctx.flavour == Flavour::Lab {
        write_err(io.stderr, format_args!("{}", super::lab_hint("apt")));
        return 127;
    }
    if argv.len() > 1 {
        let _ = io.stderr.write_all(
            b"\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n",
        );
    }
    run(ctx, argv, io.reborrow(), true)
}

/// apt's SizeToStr in the C locale: `6113 kB`, `26.8 MB`.
pub fn size_to_str(bytes: f64) -> String {
    let units = ["", "k", "M", "G", "T"];
    let mut v = bytes;
    let mut i = 0;
    loop {
        if v < 100.0 && i != 0 {
            return format!("{v:.1} {}B", units[i]);
        }
        if v < 10_000.0 || i + 1 == units.len() {
            return format!("{v:.0} {}B", units[i]);
        }
        v /= 1000.0;
        i += 1;
    }
}

fn read_text(ctx: &Ctx<'_>, path: &str) -> String {
    ctx.fs
        .read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

/// Installed packages and versions, from /var/lib/dpkg/status.
fn installed(ctx: &Ctx<'_>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for block in read_text(ctx, STATUS).split("\n\n") {
        let field = |k: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(k)?.strip_prefix(": "))
                .map(str::to_string)
        };
        if let (Some(p), Some(v)) = (field("Package"), field("Version"))
            && field("Status").is_some_and(|s| s.ends_with(" installed"))
        {
            out.push((p, v));
        }
    }
    out
}

fn lists_present(ctx: &Ctx<'_>) -> bool {
    ctx.fs
        .read_dir(LISTS)
        .is_ok_and(|e| e.iter().any(|e| e.name.contains("_Packages")))
}

fn list_name(url: &str, suite: &str, rest: &[String]) -> String {
    let base = url
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .replace('/', "_");
    match rest.first().map(String::as_str) {
        Some("InRelease") | None => format!("{base}_dists_{suite}_InRelease"),
        _ => {
            let (_, component) = suite.split_once('/').unwrap_or((suite, "main"));
            let suite = suite.split('/').next().unwrap_or(suite);
            format!("{base}_dists_{suite}_{component}_binary-amd64_Packages.lz4")
        }
    }
}

fn lines_block(names: &[&str]) -> String {
    let mut out = String::new();
    let mut line = String::from(" ");
    for n in names {
        if line.len() + n.len() + 2 >= 80 && line.len() > 1 {
            out.push_str(&line);
            out.push('\n');
            line = String::from(" ");
        }
        line.push(' ');
        line.push_str(n);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

fn run(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>, is_apt: bool) -> i32 {
    let me = if is_apt { "apt" } else { "apt-get" };
    if ctx.flavour == Flavour::Lab {
        write_err(io.stderr, format_args!("{}", super::lab_hint(me)));
        return 127;
    }
    let mut yes = false;
    let mut words: Vec<String> = Vec::new();
    for a in &argv[1..] {
        match a.as_str() {
            "-y" | "--yes" | "--assume-yes" | "-qy" | "-yq" => yes = true,
            "-q" | "-qq" | "--no-install-recommends" | "--no-install-suggests" | "--quiet" => {}
            s if s.starts_with('-') => {}
            _ => words.push(a.clone()),
        }
    }
    let Some(command) = words.first().cloned() else {
        let _ = writeln!(
            io.stdout,
            "apt 2.8.3 (amd64)\nUsage: {me} [options] command"
        );
        return 1;
    };
    let release = Release::detect(ctx.fs);
    let index = release.index();
    let names: Vec<String> = words[1..].to_vec();
    match command.as_str() {
        "update" => update(ctx, &index, is_apt, io),
        "install" => install(ctx, &index, &names, yes, is_apt, io),
        "remove" | "purge" => remove(ctx, &index, &names, yes, is_apt, io),
        other => {
            let _ = writeln!(io.stderr, "E: Invalid operation {other}");
            100
        }
    }
}

fn update(ctx: &mut Ctx<'_>, index: &Index, is_apt: bool, io: Streams<'_>) -> i32 {
    let _ = packages::create_dirs(ctx.fs, &format!("{LISTS}/partial"));
    let mut total = 0u64;
    for (n, w) in index.headers("get").enumerate() {
        if w.len() < 4 {
            continue;
        }
        let size: u64 = w[0].parse().unwrap_or(0);
        let stored: usize = w[1].parse().unwrap_or(0);
        total += size;
        let _ = writeln!(
            io.stdout,
            "Get:{} {} {} [{}]",
            n + 1,
            w[2],
            w[3..].join(" "),
            size_to_str(size as f64)
        );
        let path = format!("{LISTS}/{}", list_name(&w[2], &w[3], &w[4..]));
        let mut data = Vec::with_capacity(stored);
        crate::engine::program::write_filler(&mut data, &path, stored);
        let _ = ctx.fs.write(&path, &data, false);
        let _ = ctx.fs.set_mode(&path, 0o644);
    }
    let _ = ctx.fs.write(&format!("{LISTS}/lock"), b"", false);
    let _ = ctx.fs.set_mode(&format!("{LISTS}/lock"), 0o640);
    let secs: u64 = index
        .header("fetch-seconds")
        .and_then(|w| w.first()?.parse().ok())
        .unwrap_or(1);
    let rate = total as f64 / secs.max(1) as f64;
    let _ = writeln!(
        io.stdout,
        "Fetched {} in {secs}s ({}/s)",
        size_to_str(total as f64),
        size_to_str(rate)
    );
    let _ = writeln!(io.stdout, "Reading package lists...");
    if is_apt {
        let _ = writeln!(
            io.stdout,
            "Building dependency tree...\nReading state information...\nAll packages are up to date."
        );
    }
    0
}

fn preamble(out: &mut dyn Write) {
    let _ = writeln!(
        out,
        "Reading package lists...\nBuilding dependency tree...\nReading state information..."
    );
}

/// Reads the answer to `Do you want to continue? [Y/n]` from stdin, as apt does
/// even without a terminal: end of input aborts.
fn confirm(io: &mut Streams<'_>) -> bool {
    let _ = write!(io.stdout, "Do you want to continue? [Y/n] ");
    let answer = String::from_utf8_lossy(io.stdin);
    let Some(line) = answer.lines().next() else {
        let _ = writeln!(io.stdout, "Abort.");
        return false;
    };
    let line = line.trim();
    if line.is_empty() || line.eq_ignore_ascii_case("y") || line.eq_ignore_ascii_case("yes") {
        true
    } else {
        let _ = writeln!(io.stdout, "Abort.");
        false
    }
}

fn deb_name(p: &Package) -> String {
    format!(
        "{}_{}_{}.deb",
        p.name,
        p.version.replace(':', "%3a"),
        p.arch
    )
}

fn qualified(p: &Package) -> String {
    if p.arch == "all" {
        p.name.clone()
    } else {
        format!("{}:amd64", p.name)
    }
}

fn kib(p: &Package) -> u64 {
    p.installed_size().div_ceil(1024)
}

fn database_count(ctx: &Ctx<'_>) -> usize {
    let mut seen = std::collections::BTreeSet::new();
    if let Ok(entries) = ctx.fs.read_dir(INFO) {
        for e in entries.iter().filter(|e| e.name.ends_with(".list")) {
            for line in read_text(ctx, &format!("{INFO}/{}", e.name)).lines() {
                seen.insert(line.to_string());
            }
        }
    }
    seen.len()
}

fn install(
    ctx: &mut Ctx<'_>,
    index: &Index,
    names: &[String],
    yes: bool,
    is_apt: bool,
    mut io: Streams<'_>,
) -> i32 {
    preamble(io.stdout);
    let have = installed(ctx);
    let is_installed = |n: &str| have.iter().any(|(p, _)| p == n);
    let available = lists_present(ctx);
    for n in names {
        if !available || index.get(n).is_none() {
            if is_installed(n) {
                continue;
            }
            let _ = writeln!(io.stderr, "E: Unable to locate package {n}");
            return 100;
        }
    }
    let mut requested_new = Vec::new();
    for n in names {
        if let Some((_, v)) = have.iter().find(|(p, _)| p == n) {
            let _ = writeln!(io.stdout, "{n} is already the newest version ({v}).");
        } else {
            requested_new.push(n.clone());
        }
    }
    let plan = match index.resolve(&requested_new, &is_installed) {
        Ok(plan) => plan,
        Err((name, _)) => {
            let _ = writeln!(io.stderr, "E: Unable to locate package {name}");
            return 100;
        }
    };
    if let Some(pkg) = super::apk::unrunnable(&plan) {
        super::apk::refuse(pkg, io.stderr);
        return 1;
    }
    let mut sorted: Vec<&Package> = plan.clone();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let extra: Vec<&str> = sorted
        .iter()
        .filter(|p| !names.contains(&p.name))
        .map(|p| p.name.as_str())
        .collect();
    if !extra.is_empty() {
        let _ = write!(
            io.stdout,
            "The following additional packages will be installed:\n{}",
            lines_block(&extra)
        );
    }
    let mut suggests: Vec<&str> = Vec::new();
    for p in &sorted {
        for s in &p.suggests {
            if !suggests.contains(&s.as_str()) && index.get(s).is_none_or(|_| !is_installed(s)) {
                suggests.push(s);
            }
        }
    }
    if !suggests.is_empty() {
        let _ = write!(io.stdout, "Suggested packages:\n{}", lines_block(&suggests));
    }
    if !sorted.is_empty() {
        let all: Vec<&str> = sorted.iter().map(|p| p.name.as_str()).collect();
        let _ = write!(
            io.stdout,
            "The following NEW packages will be installed:\n{}",
            lines_block(&all)
        );
    }
    let _ = writeln!(
        io.stdout,
        "0 upgraded, {} newly installed, 0 to remove and 0 not upgraded.",
        sorted.len()
    );
    if sorted.is_empty() {
        return 0;
    }
    let download: u64 = sorted.iter().map(|p| p.download).sum();
    let disk: u64 = sorted.iter().map(|p| kib(p) * 1024).sum();
    let _ = writeln!(
        io.stdout,
        "Need to get {} of archives.",
        size_to_str(download as f64)
    );
    let _ = writeln!(
        io.stdout,
        "After this operation, {} of additional disk space will be used.",
        size_to_str(disk as f64)
    );
    if !extra.is_empty() && !yes && !confirm(&mut io) {
        return 1;
    }
    for (n, p) in sorted.iter().enumerate() {
        let suite = p.repo.split('/').next().unwrap_or("");
        let mirror = index
            .headers("mirror")
            .find(|w| w.first().map(String::as_str) == Some(suite))
            .and_then(|w| w.get(1).cloned())
            .unwrap_or_default();
        let _ = writeln!(
            io.stdout,
            "Get:{} {mirror} {} amd64 {} {} {} [{}]",
            n + 1,
            p.repo,
            p.name,
            p.arch,
            p.version,
            size_to_str(p.download as f64)
        );
    }
    let _ = writeln!(
        io.stderr,
        "debconf: delaying package configuration, since apt-utils is not installed"
    );
    let _ = writeln!(
        io.stdout,
        "Fetched {} in 1s ({}/s)",
        size_to_str(download as f64),
        size_to_str(download as f64 * 0.93)
    );
    let now = ctx.host.now().timestamp();
    let many = sorted.len() > 1;
    for (n, p) in sorted.iter().enumerate() {
        let _ = writeln!(
            io.stdout,
            "Selecting previously unselected package {}.",
            qualified(p)
        );
        if n == 0 {
            let _ = writeln!(
                io.stdout,
                "(Reading database ... {} files and directories currently installed.)",
                database_count(ctx)
            );
        }
        let file = if many {
            format!("{n}-{}", deb_name(p))
        } else {
            deb_name(p)
        };
        let _ = writeln!(io.stdout, "Preparing to unpack .../{file} ...");
        let _ = writeln!(io.stdout, "Unpacking {} ({}) ...", qualified(p), p.version);
        if let Err(e) = packages::unpack(ctx.fs, p, now) {
            let _ = writeln!(io.stderr, "dpkg: error processing archive: {e}");
            return 100;
        }
        write_info(ctx, p);
    }
    for p in &plan {
        let _ = writeln!(io.stdout, "Setting up {} ({}) ...", qualified(p), p.version);
        if !p.scripts.is_empty() {
            let _ = writeln!(io.stdout, "{}", p.scripts.join(" "));
        }
    }
    let libc = have
        .iter()
        .find(|(p, _)| p == "libc6")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    if plan
        .iter()
        .any(|p| p.files.iter().any(|f| f.path.contains(".so")))
    {
        let _ = writeln!(io.stdout, "Processing triggers for libc-bin ({libc}) ...");
    }
    let mut status = read_text(ctx, STATUS);
    let maintainer = if matches!(Release::detect(ctx.fs), Release::Debian { ref id, .. } if id == "ubuntu")
    {
        "Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>"
    } else {
        "Debian Maintainers <debian-devel@lists.debian.org>"
    };
    let mut extended = read_text(ctx, EXTENDED);
    for p in &plan {
        if !status.is_empty() && !status.ends_with("\n\n") {
            status.push('\n');
        }
        status.push_str(&format!(
            "Package: {}\nStatus: install ok installed\nPriority: optional\nSection: {}\nInstalled-Size: {}\nMaintainer: {maintainer}\nArchitecture: {}\nVersion: {}\n{}Description: {}\n\n",
            p.name,
            p.repo.split('/').nth(1).unwrap_or("main").replace("main", "net"),
            kib(p),
            p.arch,
            p.version,
            if p.depends.is_empty() {
                String::new()
            } else {
                format!("Depends: {}\n", p.depends.join(", "))
            },
            p.description
        ));
        if !names.contains(&p.name) {
            extended.push_str(&format!(
                "Package: {}\nArchitecture: amd64\nAuto-Installed: 1\n\n",
                p.name
            ));
        }
    }
    let _ = ctx.fs.write(STATUS, status.as_bytes(), false);
    let _ = ctx.fs.write(EXTENDED, extended.as_bytes(), false);
    let _ = is_apt;
    0
}

fn write_info(ctx: &mut Ctx<'_>, p: &Package) {
    let mut list = String::from("/.\n");
    for d in p.directories() {
        list.push_str(&format!("/{d}\n"));
    }
    for f in &p.files {
        list.push_str(&format!("/{}\n", f.path));
    }
    let name = if p.arch == "all" {
        p.name.clone()
    } else {
        format!("{}:amd64", p.name)
    };
    let _ = packages::create_dirs(ctx.fs, INFO);
    let _ = ctx
        .fs
        .write(&format!("{INFO}/{name}.list"), list.as_bytes(), false);
}

fn remove(
    ctx: &mut Ctx<'_>,
    index: &Index,
    names: &[String],
    yes: bool,
    is_apt: bool,
    mut io: Streams<'_>,
) -> i32 {
    preamble(io.stdout);
    let have = installed(ctx);
    let mut gone: Vec<(String, String)> = Vec::new();
    for n in names {
        match have.iter().find(|(p, _)| p == n) {
            Some(entry) => gone.push(entry.clone()),
            None if index.get(n).is_some() && lists_present(ctx) => {
                let _ = writeln!(io.stdout, "Package '{n}' is not installed, so not removed");
            }
            None => {
                let _ = writeln!(io.stderr, "E: Unable to locate package {n}");
                return 100;
            }
        }
    }
    let extended = read_text(ctx, EXTENDED);
    let auto: Vec<&str> = extended
        .split("\n\n")
        .filter(|b| b.contains("Auto-Installed: 1"))
        .filter_map(|b| b.lines().find_map(|l| l.strip_prefix("Package: ")))
        .filter(|p| have.iter().any(|(h, _)| h == p))
        .collect();
    if !auto.is_empty() {
        let _ = write!(
            io.stdout,
            "The following packages were automatically installed and are no longer required:\n{}Use '{} autoremove' to remove them.\n",
            lines_block(&auto),
            if is_apt { "apt" } else { "apt-get" }
        );
    }
    if gone.is_empty() {
        let _ = writeln!(
            io.stdout,
            "0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded."
        );
        return 0;
    }
    let listed: Vec<&str> = gone.iter().map(|(p, _)| p.as_str()).collect();
    let _ = write!(
        io.stdout,
        "The following packages will be REMOVED:\n{}",
        lines_block(&listed)
    );
    let _ = writeln!(
        io.stdout,
        "0 upgraded, 0 newly installed, {} to remove and 0 not upgraded.",
        gone.len()
    );
    let freed: u64 = gone
        .iter()
        .filter_map(|(n, _)| index.get(n))
        .map(|p| kib(p) * 1024)
        .sum();
    let _ = writeln!(
        io.stdout,
        "After this operation, {} disk space will be freed.",
        size_to_str(freed as f64)
    );
    if !yes && !confirm(&mut io) {
        return 1;
    }
    let _ = writeln!(
        io.stdout,
        "(Reading database ... {} files and directories currently installed.)",
        database_count(ctx)
    );
    let mut status = read_text(ctx, STATUS);
    for (n, v) in &gone {
        let qualified = index.get(n).map(qualified).unwrap_or_else(|| n.clone());
        let _ = writeln!(io.stdout, "Removing {qualified} ({v}) ...");
        let list_path = format!("{INFO}/{qualified}.list");
        let paths: Vec<String> = read_text(ctx, &list_path)
            .lines()
            .filter(|l| *l != "/.")
            .map(str::to_string)
            .collect();
        packages::remove_files(ctx.fs, &paths);
        let _ = ctx.fs.remove_file(&list_path);
        status = status
            .split("\n\n")
            .filter(|b| !b.starts_with(&format!("Package: {n}\n")))
            .filter(|b| !b.trim().is_empty())
            .map(|b| format!("{}\n\n", b.trim_matches('\n')))
            .collect();
    }
    let _ = ctx.fs.write(STATUS, status.as_bytes(), false);
    0
}

#[cfg(test)]
mod tests {
    use super::size_to_str;

    #[test]
    fn sizes_read_like_apt() {
        assert_eq!(size_to_str(6_113_000.0), "6113 kB");
        assert_eq!(size_to_str(26_800_000.0), "26.8 MB");
        assert_eq!(size_to_str(256_000.0), "256 kB");
        assert_eq!(size_to_str(42_300.0), "42.3 kB");
        assert_eq!(size_to_str(19_300_000.0), "19.3 MB");
        assert_eq!(size_to_str(999.0), "999 B");
    }
}

#[cfg(test)]
mod more_tests {
    use super::super::packages::fixture;

    #[test]
    fn a_package_whose_program_the_lab_cannot_run_is_refused() {
        use crate::engine::shell::{DefaultResolver, Flavour, NullHost, Streams, WorkspaceFs};
        let mut c = fixture::ubuntu();
        c.run("apt-get update");
        let index = super::super::packages::parse(
            "P frobnicator 1.0-1 noble/universe amd64\nF usr/bin/frob 755 4096 x\n",
            "noble",
        );
        let mut fs = WorkspaceFs::new(c.dir.path());
        let mut host = NullHost::default();
        let mut ctx = super::super::Ctx {
            fs: &mut fs,
            host: &mut host,
            cwd: "/".into(),
            env: Vec::new(),
            flavour: Flavour::Dash,
            interrupt: Default::default(),
            columns: None,
            resolver: &DefaultResolver,
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = super::install(
            &mut ctx,
            &index,
            &["frobnicator".to_string()],
            true,
            false,
            Streams::new(b"", &mut out, &mut err),
        );
        assert_eq!(status, 1);
        assert_eq!(
            String::from_utf8_lossy(&err),
            "docklab: the lab cannot run frobnicator yet; it is not installed\n"
        );
        assert!(!String::from_utf8_lossy(&out).contains("NEW packages"));
        assert!(!c.exists("/usr/bin/frob"));
        assert!(!c.read("/var/lib/dpkg/status").contains("frobnicator"));
    }

    #[test]
    fn install_before_update_cannot_locate_the_package() {
        let mut c = fixture::ubuntu();
        let r = c.run("apt-get install nmap -y");
        assert_eq!(r.status, 100);
        assert_eq!(r.err, "E: Unable to locate package nmap\n");
    }

    #[test]
    fn update_and_install_nmap_on_noble() {
        let mut c = fixture::ubuntu();
        let r = c.run("apt-get update");
        assert_eq!(r.status, 0);
        assert!(
            r.out
                .starts_with("Get:1 http://archive.ubuntu.com/ubuntu noble InRelease [256 kB]\n")
        );
        assert!(r.out.ends_with("Reading package lists...\n"), "{}", r.out);
        assert!(c.exists("/var/lib/apt/lists/archive.ubuntu.com_ubuntu_dists_noble_universe_binary-amd64_Packages.lz4"));
        let before = c.size();
        let r = c.run("apt-get install nmap -y");
        assert_eq!(r.status, 0, "{}", r.err);
        insta::assert_snapshot!(r.out.lines().take(17).collect::<Vec<_>>().join("\n"));
        let grown = c.size() - before;
        assert!((30_000_000..40_000_000).contains(&grown), "{grown}");
        assert!(
            c.read("/var/lib/dpkg/status")
                .contains("Package: nmap\nStatus: install ok installed\n")
        );
        assert!(
            c.read("/var/lib/dpkg/info/nmap:amd64.list")
                .contains("/usr/bin/nmap\n")
        );
        let r = c.run("nmap localhost");
        assert!(r.out.starts_with("Starting Nmap 7.94SVN"), "{}", r.out);
    }

    #[test]
    fn without_yes_and_without_a_terminal_apt_aborts() {
        let mut c = fixture::ubuntu();
        c.run("apt-get update");
        let r = c.run("apt-get install nmap");
        assert_eq!(r.status, 1);
        assert!(
            r.out.ends_with("Do you want to continue? [Y/n] Abort.\n"),
            "{}",
            r.out
        );
        assert!(!c.exists("/usr/bin/nmap"));
        let r = c.run_stdin("apt-get install nmap", "y\n");
        assert_eq!(r.status, 0);
        assert!(c.exists("/usr/bin/nmap"));
    }

    #[test]
    fn unknown_packages_and_apt_warning() {
        let mut c = fixture::ubuntu();
        c.run("apt-get update");
        let r = c.run("apt install nmapp -y");
        assert_eq!(r.status, 100);
        assert_eq!(
            r.err,
            "\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\nE: Unable to locate package nmapp\n"
        );
    }

    #[test]
    fn remove_takes_the_files_away() {
        let mut c = fixture::ubuntu();
        c.run("apt-get update; apt-get install -y nmap");
        let r = c.run("apt-get remove -y nmap");
        assert_eq!(r.status, 0, "{}", r.err);
        assert!(r.out.contains("Use 'apt-get autoremove' to remove them.\nThe following packages will be REMOVED:\n  nmap\n"), "{}", r.out);
        assert!(
            r.out
                .contains("Removing nmap:amd64 (7.94+git20230807.3be01efb1+dfsg-3build2) ...\n")
        );
        assert!(!c.exists("/usr/bin/nmap"));
        assert!(!c.read("/var/lib/dpkg/status").contains("Package: nmap\n"));
    }
}
