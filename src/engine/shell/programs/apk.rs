//! `apk`, Alpine's package manager (apk-tools 2.x wording): update, add, del, info,
//! search.
//!
//! Owns Alpine's package state in the container filesystem: /lib/apk/db/installed,
//! /etc/apk/world and the index cache under /var/cache/apk. Installs from the indexes
//! in `packages`; never touches the network.

use std::io::Write;

use super::packages::{self, Content, Index, Package, Release};
use super::{Ctx, Streams};
use crate::engine::shell::write_err;

const DB: &str = "/lib/apk/db/installed";
const WORLD: &str = "/etc/apk/world";
const CACHE: &str = "/var/cache/apk";
const MIB: u64 = 1024 * 1024;

/// Whether the lab can run the program a packaged executable names: a shell, BusyBox,
/// or a program of the table.
pub(crate) fn lab_can_run(program: &str) -> bool {
    matches!(program, "sh" | "ash" | "bash" | "dash" | "busybox")
        || super::lookup(program).is_some()
}

/// The first package of `plan` that installs a program the lab cannot run: such a
/// package is refused before anything is installed, rather than left half-working.
pub(crate) fn unrunnable<'a>(plan: &[&'a Package]) -> Option<&'a Package> {
    plan.iter().copied().find(|p| {
        p.files
            .iter()
            .any(|f| matches!(&f.content, Content::Program(name) if !lab_can_run(name)))
    })
}

/// What apk and apt-get say of a package the lab cannot run.
pub(crate) fn refuse(pkg: &Package, err: &mut dyn Write) {
    write_err(
        err,
        format_args!(
            "docklab: the lab cannot run {} yet; it is not installed",
            pkg.name
        ),
    );
}

/// One record of /lib/apk/db/installed.
struct Installed {
    name: String,
    version: String,
    size: Option<u64>,
    /// Paths (relative to "/") the record owns, directories included.
    paths: Vec<String>,
    text: String,
}

fn read_db(ctx: &Ctx<'_>) -> Vec<Installed> {
    let text = ctx
        .fs
        .read(DB)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let mut out = Vec::new();
    for block in text.split("\n\n").filter(|b| !b.trim().is_empty()) {
        let mut rec = Installed {
            name: String::new(),
            version: String::new(),
            size: None,
            paths: Vec::new(),
            text: format!("{}\n\n", block.trim_matches('\n')),
        };
        let mut dir = String::new();
        for line in block.lines() {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            match k {
                "P" => rec.name = v.to_string(),
                "V" => rec.version = v.to_string(),
                "I" => rec.size = v.parse().ok(),
                "F" => {
                    dir = v.to_string();
                    rec.paths.push(dir.clone());
                }
                "R" => rec.paths.push(format!("{dir}/{v}")),
                _ => {}
            }
        }
        out.push(rec);
    }
    out
}

fn write_db(ctx: &mut Ctx<'_>, db: &[Installed]) {
    let text: String = db.iter().map(|r| r.text.as_str()).collect();
    let _ = packages::create_dirs(ctx.fs, "/lib/apk/db");
    let _ = ctx.fs.write(DB, text.as_bytes(), false);
}

fn record(pkg: &Package, now: i64) -> Installed {
    let mut t = String::new();
    let q = |seed: &str| format!("Q1{}=", &packages::hex_of(seed, 27));
    t.push_str(&format!(
        "C:{}\nP:{}\nV:{}\nA:x86_64\nS:{}\nI:{}\nT:{}\nU:{}\nL:{}\no:{}\nm:Natanael Copa <ncopa@alpinelinux.org>\nt:{}\nc:{}\n",
        q(&format!("{}-{}", pkg.name, pkg.version)),
        pkg.name,
        pkg.version,
        pkg.download,
        pkg.installed_size(),
        pkg.description,
        pkg.url,
        pkg.license,
        pkg.name,
        now - 86_400 * 30,
        packages::hex_of(&format!("commit {}", pkg.version), 40),
    ));
    if !pkg.depends.is_empty() {
        t.push_str(&format!("D:{}\n", pkg.depends.join(" ")));
    }
    let mut paths = Vec::new();
    let mut current_dir = String::new();
    let mut files = pkg.files.clone();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for dir in pkg.directories() {
        paths.push(dir);
    }
    for f in &files {
        let (dir, name) = f.path.rsplit_once('/').unwrap_or(("", &f.path));
        if dir != current_dir {
            t.push_str(&format!("F:{dir}\n"));
            current_dir = dir.to_string();
        }
        t.push_str(&format!("R:{name}\n"));
        if f.mode != 0o644 && !matches!(f.content, Content::Link(_)) {
            t.push_str(&format!("a:0:0:{:o}\n", f.mode));
        }
        t.push_str(&format!("Z:{}\n", q(&f.path)));
        paths.push(f.path.clone());
    }
    t.push('\n');
    Installed {
        name: pkg.name.clone(),
        version: pkg.version.clone(),
        size: Some(pkg.installed_size()),
        paths,
        text: t,
    }
}

struct Repo {
    url: String,
    component: String,
}

fn repositories(ctx: &Ctx<'_>) -> Vec<Repo> {
    let text = ctx
        .fs
        .read("/etc/apk/repositories")
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| Repo {
            url: l.trim_end_matches('/').to_string(),
            component: l
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string(),
        })
        .collect()
}

fn cache_file(url: &str) -> String {
    format!("{CACHE}/APKINDEX.{}.tar.gz", packages::hex_of(url, 8))
}

fn has_cached_index(ctx: &Ctx<'_>) -> bool {
    ctx.fs.read_dir(CACHE).is_ok_and(|entries| {
        entries
            .iter()
            .any(|e| e.name.starts_with("APKINDEX.") && e.name.ends_with(".tar.gz"))
    })
}

/// Prints the `fetch` lines and, unless `no_cache`, stores the indexes.
fn fetch_indexes(
    ctx: &mut Ctx<'_>,
    index: &Index,
    repos: &[Repo],
    no_cache: bool,
    out: &mut dyn Write,
) {
    for repo in repos {
        let _ = writeln!(out, "fetch {}/x86_64/APKINDEX.tar.gz", repo.url);
        if no_cache {
            continue;
        }
        let size = index
            .headers("index")
            .find(|w| w.first() == Some(&repo.component))
            .and_then(|w| w.get(1)?.parse().ok())
            .unwrap_or(40_960usize);
        let _ = packages::create_dirs(ctx.fs, CACHE);
        let mut data = Vec::with_capacity(size);
        // A gzip stream's magic, then filler: `file` and `tar tzf` see what they expect.
        data.extend_from_slice(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03");
        crate::engine::program::write_filler(&mut data, &repo.url, size.saturating_sub(10));
        let path = cache_file(&repo.url);
        let _ = ctx.fs.write(&path, &data, false);
        let _ = ctx.fs.set_mode(&path, 0o644);
    }
}

fn label(index: &Index, component: &str, branch: &str) -> Option<String> {
    let words = index
        .headers("repo")
        .find(|w| w.first().map(String::as_str) == Some(component))?;
    Some(packages::pick_version(words.get(1)?, branch))
}

fn distinct(index: &Index, branch: &str) -> String {
    let spec = index.header("distinct").and_then(|w| w.first().cloned());
    packages::pick_version(&spec.unwrap_or_default(), branch)
}

fn total_line(index: &Index, db: &[Installed]) -> String {
    let bytes: u64 = db
        .iter()
        .map(|r| {
            r.size.unwrap_or_else(|| {
                index
                    .headers("base")
                    .find(|w| w.first() == Some(&r.name))
                    .and_then(|w| w.get(1)?.parse().ok())
                    .unwrap_or(0)
            })
        })
        .sum();
    format!("OK: {} MiB in {} packages", bytes / MIB, db.len())
}

fn human_size(bytes: u64) -> String {
    if bytes >= MIB {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} B")
    }
}

fn read_world(ctx: &Ctx<'_>) -> Vec<String> {
    ctx.fs
        .read(WORLD)
        .map(|b| {
            String::from_utf8_lossy(&b)
                .split_whitespace()
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn write_world(ctx: &mut Ctx<'_>, mut world: Vec<String>) {
    world.sort();
    world.dedup();
    let mut text = world.join("\n");
    text.push('\n');
    let _ = ctx.fs.write(WORLD, text.as_bytes(), false);
}

fn touches_bin(paths: &[String]) -> bool {
    paths.iter().any(|p| {
        let dir = p.rsplit_once('/').map_or("", |(d, _)| d);
        matches!(dir, "bin" | "sbin" | "usr/bin" | "usr/sbin") || p.starts_with("lib/modules/")
    })
}

fn busybox_trigger(db: &[Installed], out: &mut dyn Write) {
    if let Some(bb) = db.iter().find(|r| r.name == "busybox") {
        let _ = writeln!(out, "Executing busybox-{}.trigger", bb.version);
    }
}

pub fn apk(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    if ctx.flavour == crate::engine::shell::Flavour::Lab {
        write_err(io.stderr, format_args!("{}", super::lab_hint("apk")));
        return 127;
    }
    let mut no_cache = false;
    let mut update = false;
    let mut rest: Vec<String> = Vec::new();
    let mut args = argv[1..].iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--no-cache" => no_cache = true,
            "-U" | "--update-cache" => update = true,
            "-q" | "--quiet" | "-v" | "--verbose" | "--no-progress" | "--force" => {}
            "-X" | "--repository" | "-t" | "--virtual" | "-p" | "--root" => {
                args.next();
            }
            s if s.starts_with("--") && rest.is_empty() => {
                write_err(
                    io.stderr,
                    format_args!("apk: unrecognized option '{}'", &s[2..]),
                );
                return 1;
            }
            _ => rest.push(a.clone()),
        }
    }
    let Some(command) = rest.first().cloned() else {
        let _ = io.stdout.write_all(USAGE.as_bytes());
        return 1;
    };
    let names: Vec<String> = rest[1..]
        .iter()
        .filter(|a| !a.starts_with('-'))
        .cloned()
        .collect();
    let release = Release::detect(ctx.fs);
    let branch = release.branch();
    let index = release.index();
    match command.as_str() {
        "update" => {
            let repos = repositories(ctx);
            fetch_indexes(ctx, &index, &repos, no_cache, io.stdout);
            for repo in &repos {
                if let Some(l) = label(&index, &repo.component, &branch) {
                    let _ = writeln!(io.stdout, "{l} [{}]", repo.url);
                }
            }
            let _ = writeln!(
                io.stdout,
                "OK: {} distinct packages available",
                distinct(&index, &branch)
            );
            0
        }
        "add" => add(ctx, &index, &names, no_cache || update, no_cache, io),
        "del" => del(ctx, &index, &names, io),
        "info" => {
            let db = read_db(ctx);
            if names.is_empty() {
                for r in &db {
                    let _ = writeln!(io.stdout, "{}", r.name);
                }
                return 0;
            }
            for n in &names {
                let (version, pkg) = match (db.iter().find(|r| &r.name == n), index.get(n)) {
                    (Some(r), p) => (r.version.clone(), p),
                    (None, Some(p)) => (p.version.clone(), Some(p)),
                    (None, None) => continue,
                };
                let id = format!("{n}-{version}");
                if let Some(p) = pkg {
                    let _ = write!(
                        io.stdout,
                        "{id} description:\n{}\n\n{id} webpage:\n{}\n\n{id} installed size:\n{}\n\n",
                        p.description,
                        p.url,
                        human_size(p.installed_size())
                    );
                }
            }
            0
        }
        "search" => {
            let pattern = names.first().cloned().unwrap_or_default();
            for p in index.packages.values() {
                if p.name.contains(&pattern) {
                    let _ = writeln!(io.stdout, "{}-{}", p.name, p.version);
                }
            }
            0
        }
        other => {
            write_err(io.stderr, format_args!("apk: unknown command '{other}'"));
            1
        }
    }
}

fn add(
    ctx: &mut Ctx<'_>,
    index: &Index,
    names: &[String],
    refresh: bool,
    no_cache: bool,
    io: Streams<'_>,
) -> i32 {
    let repos = repositories(ctx);
    if refresh || !has_cached_index(ctx) {
        fetch_indexes(ctx, index, &repos, no_cache, io.stdout);
    }
    let mut db = read_db(ctx);
    let installed: Vec<String> = db.iter().map(|r| r.name.clone()).collect();
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| index.get(n).is_none() && !installed.contains(n))
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(io.stderr, "ERROR: unable to select packages:");
        for n in missing {
            let _ = writeln!(
                io.stderr,
                "  {n} (no such package):\n    required by: world[{n}]"
            );
        }
        return 1;
    }
    let plan = match index.resolve(names, &|n| installed.iter().any(|i| i == n)) {
        Ok(plan) => plan,
        Err((name, parent)) => {
            let _ = writeln!(
                io.stderr,
                "ERROR: unable to select packages:\n  {name} (no such package):\n    required by: {}",
                parent.unwrap_or_else(|| format!("world[{name}]"))
            );
            return 1;
        }
    };
    if let Some(pkg) = unrunnable(&plan) {
        refuse(pkg, io.stderr);
        return 1;
    }
    let now = ctx.host.now().timestamp();
    let total = plan.len();
    let mut new_paths = Vec::new();
    for (i, pkg) in plan.iter().enumerate() {
        let n = i + 1;
        let id = format!("{}-{}", pkg.name, pkg.version);
        if pkg.scripts.iter().any(|s| s == "pre-install") {
            let _ = writeln!(io.stdout, "({n}/{total}) Executing {id}.pre-install");
        }
        let _ = writeln!(
            io.stdout,
            "({n}/{total}) Installing {} ({})",
            pkg.name, pkg.version
        );
        if pkg.scripts.iter().any(|s| s == "post-install") {
            let _ = writeln!(io.stdout, "  Executing {id}.post-install");
        }
        if let Err(e) = packages::unpack(ctx.fs, pkg, now) {
            let _ = writeln!(
                io.stderr,
                "ERROR: {}: {}",
                pkg.name,
                crate::engine::shell::exec::io_message(&e)
            );
            return 1;
        }
        let rec = record(pkg, now);
        new_paths.extend(rec.paths.iter().cloned());
        db.push(rec);
    }
    if touches_bin(&new_paths) {
        busybox_trigger(&db, io.stdout);
    }
    for pkg in &plan {
        if pkg.scripts.iter().any(|s| s == "trigger") {
            let _ = writeln!(io.stdout, "Executing {}-{}.trigger", pkg.name, pkg.version);
        }
    }
    if !plan.is_empty() {
        write_db(ctx, &db);
    }
    let mut world = read_world(ctx);
    world.extend(names.iter().cloned());
    write_world(ctx, world);
    let _ = writeln!(io.stdout, "{}", total_line(index, &db));
    0
}

fn del(ctx: &mut Ctx<'_>, index: &Index, names: &[String], io: Streams<'_>) -> i32 {
    let mut db = read_db(ctx);
    let mut world = read_world(ctx);
    for n in names {
        if !db.iter().any(|r| &r.name == n) {
            let _ = writeln!(io.stderr, "ERROR: No such package: {n}");
            return 1;
        }
    }
    world.retain(|w| !names.contains(w));
    // Whatever the remaining world still needs stays.
    let mut keep: Vec<String> = Vec::new();
    let mut stack: Vec<String> = world.clone();
    while let Some(n) = stack.pop() {
        if keep.contains(&n) {
            continue;
        }
        if let Some(p) = index.get(&n) {
            stack.extend(p.depends.iter().cloned());
            stack.extend(p.followers.iter().cloned());
        }
        keep.push(n);
    }
    // Base packages carry no file list: they are never purged.
    let purge: Vec<usize> = (0..db.len())
        .rev()
        .filter(|&i| !keep.contains(&db[i].name) && db[i].size.is_some())
        .collect();
    let total = purge.len();
    let mut gone = Vec::new();
    for (k, &i) in purge.iter().enumerate() {
        let _ = writeln!(
            io.stdout,
            "({}/{total}) Purging {} ({})",
            k + 1,
            db[i].name,
            db[i].version
        );
        packages::remove_files(ctx.fs, &db[i].paths);
        gone.extend(db[i].paths.iter().cloned());
    }
    let purged: Vec<String> = purge.iter().map(|&i| db[i].name.clone()).collect();
    db.retain(|r| !purged.contains(&r.name));
    if touches_bin(&gone) {
        busybox_trigger(&db, io.stdout);
    }
    write_db(ctx, &db);
    write_world(ctx, world);
    let _ = writeln!(io.stdout, "{}", total_line(index, &db));
    0
}

const USAGE: &str = "apk-tools 2.14.6, compiled for x86_64.

usage: apk [<OPTIONS>...] COMMAND [<ARGUMENTS>...]

Package installation and removal:
  add        Add packages to WORLD and commit changes
  del        Remove packages from WORLD and commit changes

System maintenance:
  fix        Fix, reinstall or upgrade packages without modifying WORLD
  update     Update repository indexes
  upgrade    Install upgrades available from repositories
  cache      Manage the local package cache

Querying package information:
  info       Give detailed information about packages or repositories
  list       List packages matching a pattern or other criteria
  dot        Render dependencies as graphviz graphs
  policy     Show repository policy for packages
  search     Search for packages by name or description

This apk has coffee making abilities.
";

#[cfg(test)]
#[path = "package_programs.rs"]
mod package_programs;

#[cfg(test)]
mod tests {
    use super::super::packages::fixture;

    #[test]
    fn update_then_add_nmap_on_3_21_reads_like_apk() {
        let mut c = fixture::alpine("3.21.3");
        let r = c.run("apk update");
        assert_eq!(r.status, 0, "{}", r.err);
        insta::assert_snapshot!(r.out, @r"
        fetch https://dl-cdn.alpinelinux.org/alpine/v3.21/main/x86_64/APKINDEX.tar.gz
        fetch https://dl-cdn.alpinelinux.org/alpine/v3.21/community/x86_64/APKINDEX.tar.gz
        v3.21.3-270-gc4d4e1c5b6b [https://dl-cdn.alpinelinux.org/alpine/v3.21/main]
        v3.21.3-271-g4e9b1f6a0d2 [https://dl-cdn.alpinelinux.org/alpine/v3.21/community]
        OK: 25251 distinct packages available
        ");
        let before = c.size();
        let r = c.run("apk add nmap");
        assert_eq!(r.status, 0, "{}", r.err);
        insta::assert_snapshot!(r.out, @r"
        (1/6) Installing libgcc (14.2.0-r4)
        (2/6) Installing lua5.4-libs (5.4.7-r0)
        (3/6) Installing libpcap (1.10.5-r0)
        (4/6) Installing libssh2 (1.11.1-r0)
        (5/6) Installing libstdc++ (14.2.0-r4)
        (6/6) Installing nmap (7.95-r1)
        Executing busybox-1.37.0-r12.trigger
        OK: 23 MiB in 21 packages
        ");
        let grown = c.size() - before;
        assert!((15_000_000..20_000_000).contains(&grown), "{grown}");
        assert!(c.exists("/usr/bin/nmap"));
        let db = c.read("/lib/apk/db/installed");
        assert!(db.contains("P:nmap\nV:7.95-r1\nA:x86_64\n"));
        assert!(db.contains("F:usr/bin\nR:nmap\na:0:0:755\n"));
        assert!(c.read("/etc/apk/world").contains("\nnmap\n"));
        let r = c.run("nmap localhost");
        assert_eq!(r.status, 0, "{}", r.err);
        assert!(r.out.starts_with("Starting Nmap 7.95 ( https://nmap.org )"));
    }

    #[test]
    fn add_without_update_fetches_the_index_itself_and_caches_it() {
        let mut c = fixture::alpine("3.22.0");
        let r = c.run("apk add curl");
        assert!(r.out.starts_with(
            "fetch https://dl-cdn.alpinelinux.org/alpine/v3.22/main/x86_64/APKINDEX.tar.gz\n"
        ));
        assert!(r.out.contains("Installing curl (8.14.1-r1)"));
        let cached = std::fs::read_dir(c.dir.path().join("var/cache/apk"))
            .unwrap()
            .count();
        assert_eq!(cached, 2);
        // The index is cached now: no fetch the second time.
        let r = c.run("apk add bash");
        assert!(!r.out.contains("fetch"), "{}", r.out);
        assert!(r.out.contains("  Executing bash-5.2.37-r33.post-install\n"));
    }

    #[test]
    fn no_cache_leaves_no_index_behind() {
        let mut c = fixture::alpine("3.21.3");
        let r = c.run("apk add --no-cache git");
        assert_eq!(r.status, 0);
        assert!(
            r.out
                .contains("(12/12) Installing git-init-template (2.47.2-r0)"),
            "{}",
            r.out
        );
        assert_eq!(
            std::fs::read_dir(c.dir.path().join("var/cache/apk"))
                .unwrap()
                .count(),
            0
        );
    }

    #[test]
    fn unknown_package_is_refused() {
        let mut c = fixture::alpine("3.21.3");
        let r = c.run("apk add nmapp");
        assert_eq!(r.status, 1);
        assert_eq!(
            r.err,
            "ERROR: unable to select packages:\n  nmapp (no such package):\n    required by: world[nmapp]\n"
        );
    }

    #[test]
    fn del_purges_what_nothing_else_needs() {
        let mut c = fixture::alpine("3.21.3");
        c.run("apk add nmap");
        let r = c.run("apk del nmap");
        assert_eq!(r.status, 0, "{}", r.err);
        assert!(
            r.out.starts_with("(1/6) Purging nmap (7.95-r1)\n"),
            "{}",
            r.out
        );
        assert!(r.out.ends_with("OK: 7 MiB in 15 packages\n"), "{}", r.out);
        assert!(!c.exists("/usr/bin/nmap"));
        assert!(!c.exists("/usr/share/nmap"));
        assert!(!c.read("/etc/apk/world").contains("nmap"));
        let r = c.run("apk info");
        assert_eq!(r.out.lines().count(), 15);
    }

    #[test]
    fn alpine_3_13_installs_its_own_nmap() {
        let mut c = fixture::alpine("3.13.12");
        let r = c.run("apk add nmap");
        assert!(
            r.out.contains("Installing lua5.3-libs (5.3.6-r0)"),
            "{}",
            r.out
        );
        assert!(r.out.contains("Installing nmap (7.91-r0)"), "{}", r.out);
    }
}
