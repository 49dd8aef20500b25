//! The package repositories the simulated package managers install from, and the
//! container-side facts they share: which release a container runs, how a package's
//! files land in its filesystem.
//!
//! Owns the index format (`packages/*.txt`, documented in `packages/README.md`) and
//! its parser; `apk` and `apt` own their databases and their words. Knows nothing of
//! images or layers: everything is read from and written to the shell's `Vfs`.

use std::collections::BTreeMap;

use crate::engine::program;
use crate::engine::shell::vfs::{self, Vfs};

const ALPINE: &str = include_str!("packages/alpine.txt");
const ALPINE_3_13: &str = include_str!("packages/alpine-3.13.txt");
const DEBIAN_BOOKWORM: &str = include_str!("packages/debian-bookworm.txt");
const UBUNTU_NOBLE: &str = include_str!("packages/ubuntu-noble.txt");

/// How a packaged file is filled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// Deterministic filler.
    Data,
    /// A simulated executable for the named program.
    Program(String),
    /// A shared library (ELF-looking, never run).
    Library,
    /// A symbolic link to the given target.
    Link(String),
}

#[derive(Clone, Debug)]
pub struct PackagedFile {
    /// Relative to "/", without a leading slash.
    pub path: String,
    pub mode: u32,
    pub size: u64,
    pub content: Content,
}

#[derive(Clone, Debug, Default)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// Alpine: `main`/`community`; Debian: `noble/universe`, `bookworm/main`.
    pub repo: String,
    /// Debian: `amd64` or `all`.
    pub arch: String,
    pub description: String,
    pub url: String,
    pub license: String,
    pub depends: Vec<String>,
    pub suggests: Vec<String>,
    /// Installed right after this package (Alpine's install_if splits).
    pub followers: Vec<String>,
    /// Alpine scripts (`pre-install`, `post-install`) or Debian maintainer messages.
    pub scripts: Vec<String>,
    /// Bytes to download; estimated from the installed size when the index omits it.
    pub download: u64,
    pub files: Vec<PackagedFile>,
}

impl Package {
    /// Bytes on disk once installed: the sum of its regular files.
    pub fn installed_size(&self) -> u64 {
        self.files
            .iter()
            .filter(|f| !matches!(f.content, Content::Link(_)))
            .map(|f| f.size)
            .sum()
    }

    /// Every directory the package's files need, parents first, without duplicates.
    pub fn directories(&self) -> Vec<String> {
        let mut dirs: Vec<String> = Vec::new();
        for f in &self.files {
            let mut acc = String::new();
            let parts: Vec<&str> = f.path.split('/').collect();
            for part in &parts[..parts.len() - 1] {
                if !acc.is_empty() {
                    acc.push('/');
                }
                acc.push_str(part);
                if !dirs.contains(&acc) {
                    dirs.push(acc.clone());
                }
            }
        }
        dirs
    }
}

/// A header line of an index: `@name words...`.
#[derive(Clone, Debug)]
pub struct Header {
    pub key: String,
    pub words: Vec<String>,
}

/// One distribution release's repositories.
#[derive(Clone, Debug, Default)]
pub struct Index {
    pub headers: Vec<Header>,
    pub packages: BTreeMap<String, Package>,
}

impl Index {
    pub fn get(&self, name: &str) -> Option<&Package> {
        self.packages.get(name)
    }

    /// The first header named `key`.
    pub fn header(&self, key: &str) -> Option<&[String]> {
        self.headers
            .iter()
            .find(|h| h.key == key)
            .map(|h| h.words.as_slice())
    }

    pub fn headers<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a [String]> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.key == key)
            .map(|h| h.words.as_slice())
    }

    /// `wanted` plus everything it needs that `installed` lacks, dependencies first
    /// (depth-first, in the order each package lists them). Err names an unknown package
    /// together with the package that asked for it (None for the user's own request).
    pub fn resolve(
        &self,
        wanted: &[String],
        installed: &dyn Fn(&str) -> bool,
    ) -> Result<Vec<&Package>, (String, Option<String>)> {
        let mut order: Vec<&Package> = Vec::new();
        for name in wanted {
            self.visit(name, None, installed, &mut order)?;
        }
        Ok(order)
    }

    fn visit<'a>(
        &'a self,
        name: &str,
        parent: Option<&str>,
        installed: &dyn Fn(&str) -> bool,
        order: &mut Vec<&'a Package>,
    ) -> Result<(), (String, Option<String>)> {
        if order.iter().any(|p| p.name == name) || (parent.is_some() && installed(name)) {
            return Ok(());
        }
        let Some(pkg) = self.packages.get(name) else {
            return Err((name.to_string(), parent.map(str::to_string)));
        };
        if parent.is_none() && installed(name) {
            return Ok(());
        }
        for dep in &pkg.depends {
            self.visit(dep, Some(name), installed, order)?;
        }
        if !order.iter().any(|p| p.name == name) {
            order.push(pkg);
        }
        for follower in &pkg.followers {
            self.visit(follower, Some(name), installed, order)?;
        }
        Ok(())
    }
}

/// Parses an index file; `branch` picks among per-release versions (`3.20:7.95-r0,...`):
/// the entry for the branch, else the newest one not after it, else the oldest.
pub fn parse(text: &str, branch: &str) -> Index {
    let mut index = Index::default();
    let mut current: Option<Package> = None;
    for raw in text.lines() {
        let line = raw.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (tag, rest) = line.split_once(' ').unwrap_or((line, ""));
        if let Some(key) = tag.strip_prefix('@') {
            index.headers.push(Header {
                key: key.to_string(),
                words: rest.split_whitespace().map(str::to_string).collect(),
            });
            continue;
        }
        if tag == "P" {
            if let Some(p) = current.take() {
                finish(&mut index, p);
            }
            let mut words = rest.split_whitespace();
            current = Some(Package {
                name: words.next().unwrap_or_default().to_string(),
                version: pick_version(words.next().unwrap_or_default(), branch),
                repo: words.next().unwrap_or("main").to_string(),
                arch: words.next().unwrap_or("amd64").to_string(),
                ..Package::default()
            });
            continue;
        }
        let Some(p) = current.as_mut() else { continue };
        match tag {
            "T" => p.description = rest.to_string(),
            "U" => p.url = rest.to_string(),
            "C" => p.license = rest.to_string(),
            "D" => p.depends = words(rest),
            "S" => p.suggests = words(rest),
            "I" => p.followers = words(rest),
            "X" => p.scripts = words(rest),
            "Z" => p.download = rest.trim().parse().unwrap_or(0),
            "F" => {
                let w = words(rest);
                if w.len() >= 3 {
                    let path = w[0].clone();
                    let content = match w.get(3).map(String::as_str) {
                        Some("x") => Content::Program(vfs::file_name(&path).to_string()),
                        Some(x) if x.starts_with("x:") => Content::Program(x[2..].to_string()),
                        Some("l") => Content::Library,
                        _ => Content::Data,
                    };
                    p.files.push(PackagedFile {
                        path,
                        mode: u32::from_str_radix(&w[1], 8).unwrap_or(0o644),
                        size: w[2].parse().unwrap_or(0),
                        content,
                    });
                }
            }
            "L" => {
                let w = words(rest);
                if w.len() == 2 {
                    p.files.push(PackagedFile {
                        path: w[0].clone(),
                        mode: 0o777,
                        size: w[1].len() as u64,
                        content: Content::Link(w[1].clone()),
                    });
                }
            }
            _ => {}
        }
    }
    if let Some(p) = current.take() {
        finish(&mut index, p);
    }
    index
}

fn finish(index: &mut Index, mut p: Package) {
    if p.download == 0 {
        // Compressed packages come to about two fifths of what they unpack to.
        p.download = p.installed_size() * 2 / 5 + 2_048;
    }
    index.packages.insert(p.name.clone(), p);
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

pub(crate) fn pick_version(spec: &str, branch: &str) -> String {
    let key = |b: &str| -> Option<Vec<u32>> {
        let parts: Option<Vec<u32>> = b.split('.').map(|n| n.parse().ok()).collect();
        parts.filter(|p| p.len() == 2)
    };
    let entries: Vec<(Vec<u32>, &str)> = spec
        .split(',')
        .filter_map(|e| e.split_once(':'))
        .filter_map(|(b, v)| Some((key(b)?, v)))
        .collect();
    // `1:2.39.3-9` is a Debian epoch, not a per-branch list.
    if entries.is_empty() {
        return spec.to_string();
    }
    let want = key(branch).unwrap_or_default();
    entries
        .iter()
        .filter(|(b, _)| *b <= want)
        .max_by(|a, b| a.0.cmp(&b.0))
        .or_else(|| entries.first())
        .map(|(_, v)| v.to_string())
        .unwrap_or_default()
}

/// Which distribution a container runs, from its /etc/os-release (and /etc/alpine-release).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Release {
    /// `3.21.3`; `branch()` gives `3.21`.
    Alpine(String),
    /// Debian or Ubuntu: ID (`debian`/`ubuntu`), VERSION_ID, VERSION_CODENAME.
    Debian {
        id: String,
        version_id: String,
        codename: String,
    },
    Unknown,
}

impl Release {
    pub fn detect(fs: &dyn Vfs) -> Release {
        let os = fs
            .read("/etc/os-release")
            .or_else(|_| fs.read("/usr/lib/os-release"))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let field = |k: &str| -> String {
            os.lines()
                .find_map(|l| l.strip_prefix(k)?.strip_prefix('='))
                .unwrap_or_default()
                .trim_matches('"')
                .to_string()
        };
        let id = field("ID");
        if id == "alpine" || fs.exists("/etc/alpine-release") {
            let version = fs
                .read("/etc/alpine-release")
                .map(|b| String::from_utf8_lossy(&b).trim().to_string())
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| field("VERSION_ID"));
            return Release::Alpine(version);
        }
        if id == "debian" || id == "ubuntu" {
            return Release::Debian {
                id,
                version_id: field("VERSION_ID"),
                codename: field("VERSION_CODENAME"),
            };
        }
        Release::Unknown
    }

    /// `3.21` for Alpine `3.21.3`.
    pub fn branch(&self) -> String {
        match self {
            Release::Alpine(v) => v.split('.').take(2).collect::<Vec<_>>().join("."),
            Release::Debian { codename, .. } => codename.clone(),
            Release::Unknown => String::new(),
        }
    }

    /// The package index for this release (the nearest one we carry).
    pub fn index(&self) -> Index {
        match self {
            Release::Alpine(_) => {
                let branch = self.branch();
                let minor: u32 = branch
                    .split('.')
                    .nth(1)
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(99);
                if minor < 17 {
                    parse(ALPINE_3_13, &branch)
                } else {
                    parse(ALPINE, &branch)
                }
            }
            Release::Debian { id, codename, .. } => {
                let text = match (id.as_str(), codename.as_str()) {
                    ("ubuntu", _) => UBUNTU_NOBLE,
                    _ => DEBIAN_BOOKWORM,
                };
                let index = parse(text, codename);
                retarget(index, codename)
            }
            Release::Unknown => Index::default(),
        }
    }
}

/// Debian indexes name their suite; a neighbouring release's index speaks of its own.
fn retarget(mut index: Index, codename: &str) -> Index {
    let Some(own) = index.header("suite").and_then(|w| w.first()).cloned() else {
        return index;
    };
    if own == codename || codename.is_empty() {
        return index;
    }
    for p in index.packages.values_mut() {
        p.repo = p.repo.replacen(&own, codename, 1);
    }
    for h in &mut index.headers {
        for w in &mut h.words {
            *w = w.replace(&own, codename);
        }
    }
    index
}

/// Creates `path` and its missing parents (mode 0755).
pub fn create_dirs(fs: &mut dyn Vfs, path: &str) -> std::io::Result<()> {
    let mut acc = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        acc.push('/');
        acc.push_str(part);
        match fs.symlink_metadata(&acc) {
            Ok(_) => {}
            Err(_) => {
                fs.create_dir(&acc)?;
                fs.set_mode(&acc, 0o755)?;
            }
        }
    }
    Ok(())
}

/// Writes a package's files (and the directories they need) into the filesystem.
pub fn unpack(fs: &mut dyn Vfs, pkg: &Package, mtime: i64) -> std::io::Result<()> {
    for dir in pkg.directories() {
        create_dirs(fs, &format!("/{dir}"))?;
    }
    for f in &pkg.files {
        let abs = format!("/{}", f.path);
        if fs.symlink_metadata(&abs).is_ok() {
            let _ = fs.remove_file(&abs);
        }
        match &f.content {
            Content::Link(target) => {
                fs.symlink(target, &abs)?;
                continue;
            }
            Content::Program(name) => {
                fs.write(&abs, &program::executable(name, f.size as usize), false)?
            }
            Content::Library => {
                let mut out = Vec::with_capacity(f.size as usize);
                program::write_library(&mut out, vfs::file_name(&f.path), f.size as usize);
                fs.write(&abs, &out, false)?;
            }
            Content::Data => {
                let mut out = Vec::with_capacity(f.size as usize);
                program::write_filler(&mut out, &f.path, f.size as usize);
                fs.write(&abs, &out, false)?;
            }
        }
        fs.set_mode(&abs, f.mode)?;
        let _ = fs.set_mtime(&abs, mtime);
    }
    Ok(())
}

/// Removes a package's files, then any of its directories left empty.
pub fn remove_files(fs: &mut dyn Vfs, pkg_paths: &[String]) {
    let mut dirs: Vec<String> = Vec::new();
    for p in pkg_paths {
        let abs = format!("/{}", p.trim_start_matches('/'));
        match fs.symlink_metadata(&abs) {
            Ok(m) if m.is_dir() => dirs.push(abs),
            Ok(_) => {
                let _ = fs.remove_file(&abs);
            }
            Err(_) => {}
        }
    }
    dirs.sort_by_key(|d| std::cmp::Reverse(d.len()));
    for d in dirs {
        if fs.read_dir(&d).is_ok_and(|e| e.is_empty()) {
            let _ = fs.remove_dir(&d);
        }
    }
}

/// A short stable hex string derived from `seed` (commit ids, index names).
pub fn hex_of(seed: &str, len: usize) -> String {
    let digest = crate::engine::digest::Digest::sha256(seed.as_bytes());
    digest.hex()[..len.min(64)].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_the_branch() {
        assert_eq!(
            pick_version("3.20:1-r0,3.21:2-r0,3.22:3-r0", "3.21"),
            "2-r0"
        );
        assert_eq!(pick_version("3.20:1-r0,3.22:3-r0", "3.21"), "1-r0");
        assert_eq!(pick_version("3.20:1-r0,3.22:3-r0", "3.18"), "1-r0");
        assert_eq!(pick_version("3.20:1-r0,3.22:3-r0", "3.23"), "3-r0");
        assert_eq!(pick_version("1:2.39.3-9", "noble"), "1:2.39.3-9");
        assert_eq!(pick_version("7.95-r1", "3.21"), "7.95-r1");
    }

    #[test]
    fn every_index_parses_and_every_dependency_exists() {
        for (text, branch) in [
            (ALPINE, "3.20"),
            (ALPINE, "3.21"),
            (ALPINE, "3.22"),
            (ALPINE_3_13, "3.13"),
            (DEBIAN_BOOKWORM, "bookworm"),
            (UBUNTU_NOBLE, "noble"),
        ] {
            let index = parse(text, branch);
            assert!(index.get("nmap").is_some(), "{branch}: nmap");
            for p in index.packages.values() {
                assert!(!p.version.is_empty(), "{branch}: {} has a version", p.name);
                assert!(!p.version.contains(','), "{branch}: {}", p.name);
                for d in &p.depends {
                    assert!(
                        index.get(d).is_some() || index.headers("base").any(|w| w[0] == *d),
                        "{branch}: {} needs unknown {d}",
                        p.name
                    );
                }
            }
        }
    }
}

/// Container filesystems laid out like the official images, for tests.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::engine::shell::testutil::{self, Run};
    use crate::engine::shell::{Flavour, Shell, WorkspaceFs};

    pub struct Container {
        pub dir: tempfile::TempDir,
        pub sh: Shell<WorkspaceFs>,
    }

    impl Container {
        pub fn run(&mut self, src: &str) -> Run {
            testutil::run(&mut self.sh, src)
        }
        pub fn run_stdin(&mut self, src: &str, stdin: &str) -> Run {
            testutil::run_stdin(&mut self.sh, src, stdin.as_bytes())
        }
        pub fn read(&self, path: &str) -> String {
            std::fs::read_to_string(self.dir.path().join(path.trim_start_matches('/')))
                .unwrap_or_default()
        }
        pub fn exists(&self, path: &str) -> bool {
            self.dir.path().join(path.trim_start_matches('/')).exists()
        }
        /// Total bytes of regular files under the root.
        pub fn size(&self) -> u64 {
            fn walk(p: &std::path::Path) -> u64 {
                let mut n = 0;
                for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
                    let m = e.path().symlink_metadata().unwrap();
                    if m.is_dir() {
                        n += walk(&e.path());
                    } else if m.is_file() {
                        n += m.len();
                    }
                }
                n
            }
            walk(self.dir.path())
        }
    }

    fn put(root: &std::path::Path, path: &str, text: &str) {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn base(flavour: Flavour, bins: &[&str]) -> Container {
        let (dir, mut sh) = testutil::shell(flavour);
        sh.export(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        );
        for b in bins {
            put(dir.path(), b, "\x7fELF");
        }
        put(
            dir.path(),
            "etc/hosts",
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n172.17.0.2\tc0ffee123456\n",
        );
        put(dir.path(), "etc/hostname", "c0ffee123456\n");
        Container { dir, sh }
    }

    pub fn alpine(version: &str) -> Container {
        let c = base(Flavour::Ash, &["sbin/apk", "bin/busybox"]);
        let branch: String = version.split('.').take(2).collect::<Vec<_>>().join(".");
        let root = c.dir.path();
        put(root, "etc/alpine-release", &format!("{version}\n"));
        put(
            root,
            "etc/os-release",
            &format!("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID={version}\n"),
        );
        put(
            root,
            "etc/apk/repositories",
            &format!(
                "https://dl-cdn.alpinelinux.org/alpine/v{branch}/main\nhttps://dl-cdn.alpinelinux.org/alpine/v{branch}/community\n"
            ),
        );
        put(
            root,
            "etc/apk/world",
            "alpine-baselayout\nalpine-keys\napk-tools\nbusybox\nlibc-utils\n",
        );
        let mut db = String::new();
        for (p, v) in [
            ("alpine-baselayout", "3.6.8-r1"),
            ("alpine-baselayout-data", "3.6.8-r1"),
            ("alpine-keys", "2.5-r0"),
            ("alpine-release", "3.21.3-r0"),
            ("apk-tools", "2.14.6-r3"),
            ("busybox", "1.37.0-r12"),
            ("busybox-binsh", "1.37.0-r12"),
            ("ca-certificates-bundle", "20241121-r1"),
            ("libcrypto3", "3.3.3-r0"),
            ("libssl3", "3.3.3-r0"),
            ("musl", "1.2.5-r9"),
            ("musl-utils", "1.2.5-r9"),
            ("scanelf", "1.3.8-r1"),
            ("ssl_client", "1.37.0-r12"),
            ("zlib", "1.3.1-r2"),
        ] {
            db.push_str(&format!("C:Q1x=\nP:{p}\nV:{v}\nA:x86_64\n\n"));
        }
        put(root, "lib/apk/db/installed", &db);
        std::fs::create_dir_all(root.join("var/cache/apk")).unwrap();
        c
    }

    pub fn ubuntu() -> Container {
        let c = base(Flavour::Dash, &["usr/bin/apt-get", "usr/bin/apt", "bin/sh"]);
        let root = c.dir.path();
        put(
            root,
            "etc/os-release",
            "PRETTY_NAME=\"Ubuntu 24.04.2 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\n",
        );
        put(
            root,
            "var/lib/dpkg/status",
            "Package: libc6\nStatus: install ok installed\nVersion: 2.39-0ubuntu8.4\n\nPackage: bash\nStatus: install ok installed\nVersion: 5.2.21-2ubuntu4\n\n",
        );
        put(
            root,
            "var/lib/dpkg/info/libc6:amd64.list",
            "/.\n/usr\n/usr/lib\n",
        );
        std::fs::create_dir_all(root.join("var/lib/apt/lists/partial")).unwrap();
        c
    }
}
