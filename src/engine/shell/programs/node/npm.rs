//! npm 10 against the lab's registry index (`registry.json`: the packages tutorials
//! use, with their real versions, dependency ranges, licenses, engines and funding;
//! unpacked sizes approximate). `install`/`ci` resolve ranges, place packages as npm's
//! hoisting does (a conflicting version nests under its dependent), write
//! node_modules (package.json and filler files of each package's size) and
//! package-lock.json v3, and print npm's summary. `init`, `start`/`run`, `ls`,
//! `--version`. A package the index lacks is npm's E404; nothing is installed then.

use super::{Ctx, Streams};
use serde_json::{Map, Value as J, json};

pub const NPM_VERSION: &str = "10.9.2";
const REGISTRY: &str = include_str!("registry.json");

/// What marks a package file whose code the lab does not carry.
pub const FILLER_MARK: &str = "/* docklab: ";

fn registry() -> J {
    serde_json::from_str(REGISTRY).unwrap_or(J::Null)
}

// ----- versions and ranges -----

fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let v = v.trim().trim_start_matches('v').trim_start_matches('=');
    let core = v.split(['-', '+']).next()?;
    let mut it = core.split('.');
    let a = it.next()?.parse().ok()?;
    let b = it.next().unwrap_or("0").parse().ok()?;
    let c = it.next().unwrap_or("0").parse().ok()?;
    Some((a, b, c))
}

/// A partial version (`4`, `4.21`, `4.x`) as its parts, None for a wildcard part.
fn partial(v: &str) -> Vec<Option<u64>> {
    v.trim()
        .trim_start_matches('v')
        .trim_start_matches('=')
        .split('.')
        .map(|p| p.parse().ok())
        .collect()
}

fn comparator_ok(ver: (u64, u64, u64), c: &str) -> bool {
    let c = c.trim();
    if c.is_empty() || c == "*" || c == "x" || c == "latest" {
        return true;
    }
    let (op, rest) = ["<=", ">=", "<", ">", "^", "~", "="]
        .iter()
        .find_map(|op| c.strip_prefix(op).map(|r| (*op, r.trim())))
        .unwrap_or(("", c));
    let p = partial(rest);
    let get = |i: usize| p.get(i).copied().flatten();
    let (ma, mi, pa) = (get(0), get(1), get(2));
    let lower = (ma.unwrap_or(0), mi.unwrap_or(0), pa.unwrap_or(0));
    match op {
        ">=" => ver >= lower,
        ">" => ver > lower,
        "<" => ver < lower,
        "<=" => ver <= lower,
        "^" => {
            let Some(ma) = ma else { return true };
            let upper = if ma > 0 {
                (ma + 1, 0, 0)
            } else if let Some(mi) = mi.filter(|m| *m > 0) {
                (0, mi + 1, 0)
            } else if let (Some(mi), Some(pa)) = (mi, pa) {
                (0, mi, pa + 1)
            } else if let Some(mi) = mi {
                (0, mi + 1, 0)
            } else {
                (1, 0, 0)
            };
            ver >= lower && ver < upper
        }
        "~" => {
            let Some(ma) = ma else { return true };
            let upper = match mi {
                Some(mi) => (ma, mi + 1, 0),
                None => (ma + 1, 0, 0),
            };
            ver >= lower && ver < upper
        }
        _ => match (ma, mi, pa) {
            (Some(a), Some(b), Some(c)) => ver == (a, b, c),
            (Some(a), Some(b), None) => ver.0 == a && ver.1 == b,
            (Some(a), None, _) => ver.0 == a,
            _ => true,
        },
    }
}

pub fn satisfies(version: &str, range: &str) -> bool {
    let Some(ver) = parse_version(version) else {
        return false;
    };
    range.split("||").any(|set| {
        let set = set.trim();
        if let Some((a, b)) = set.split_once(" - ") {
            return comparator_ok(ver, &format!(">={a}")) && comparator_ok(ver, &format!("<={b}"));
        }
        // `>= 2.1.2 < 3`: operators may be separated from their versions by a space.
        let mut comps: Vec<String> = Vec::new();
        let mut pending = String::new();
        for tok in set.split_whitespace() {
            if matches!(tok, ">=" | "<=" | ">" | "<" | "=" | "^" | "~") {
                pending = tok.to_string();
            } else {
                comps.push(format!("{pending}{tok}"));
                pending.clear();
            }
        }
        comps.iter().all(|c| comparator_ok(ver, c))
    })
}

/// The highest version of `name` in the index satisfying `range`.
fn resolve(reg: &J, name: &str, range: &str) -> Option<(String, J)> {
    let pkgs = reg["packages"].as_object()?;
    let mut best: Option<((u64, u64, u64), String, J)> = None;
    let prefix = format!("{name}@");
    for (k, v) in pkgs {
        let Some(ver) = k.strip_prefix(&prefix) else {
            continue;
        };
        if !(satisfies(ver, range) || (range == "latest" && reg["dist-tags"][name] == *ver)) {
            continue;
        }
        let pv = parse_version(ver)?;
        if best.as_ref().is_none_or(|(b, _, _)| pv > *b) {
            best = Some((pv, ver.to_string(), v.clone()));
        }
    }
    best.map(|(_, v, e)| (v, e))
}

// ----- the tree -----

#[derive(Clone)]
struct Placed {
    /// `node_modules/a` or `node_modules/a/node_modules/b`.
    location: String,
    name: String,
    version: String,
    entry: J,
}

/// Places every dependency of the root breadth-first, each at the top level unless a
/// different version is already there, then under its dependent.
fn build_tree(reg: &J, root_deps: &[(String, String)]) -> Result<Vec<Placed>, (String, String)> {
    let mut placed: Vec<Placed> = Vec::new();
    let mut queue: std::collections::VecDeque<(String, String, String)> = root_deps
        .iter()
        .map(|(n, r)| (String::new(), n.clone(), r.clone()))
        .collect();
    let mut guard = 0;
    while let Some((parent, name, range)) = queue.pop_front() {
        guard += 1;
        if guard > 10_000 {
            break;
        }
        // Already satisfied where node would look: the parent's own node_modules
        // chain, then the top.
        let mut scope = parent.clone();
        let visible = loop {
            let loc = if scope.is_empty() {
                format!("node_modules/{name}")
            } else {
                format!("{scope}/node_modules/{name}")
            };
            if let Some(p) = placed.iter().find(|p| p.location == loc) {
                break Some(p.clone());
            }
            if scope.is_empty() {
                break None;
            }
            scope = match scope.rfind("/node_modules/") {
                Some(i) => scope[..i].to_string(),
                None => String::new(),
            };
        };
        if let Some(v) = &visible {
            if satisfies(&v.version, &range) {
                continue;
            }
        }
        let Some((version, entry)) = resolve(reg, &name, &range) else {
            return Err((name, range));
        };
        let top = format!("node_modules/{name}");
        let location = if !placed.iter().any(|p| p.location == top) {
            top
        } else {
            format!("{parent}/node_modules/{name}")
        };
        if let Some(deps) = entry["dependencies"].as_object() {
            for (n, r) in deps {
                queue.push_back((
                    location.clone(),
                    n.clone(),
                    r.as_str().unwrap_or("*").to_string(),
                ));
            }
        }
        placed.push(Placed {
            location,
            name,
            version,
            entry,
        });
    }
    placed.sort_by(|a, b| a.location.cmp(&b.location));
    Ok(placed)
}

/// The package.json npm leaves in node_modules/NAME (the published one, trimmed).
fn package_json_of(p: &Placed) -> String {
    let mut m = Map::new();
    m.insert("name".into(), json!(p.name));
    if let Some(d) = p.entry["description"].as_str() {
        m.insert("description".into(), json!(d));
    }
    m.insert("version".into(), json!(p.version));
    m.insert("license".into(), p.entry["license"].clone());
    m.insert("main".into(), json!("index.js"));
    for k in ["dependencies", "engines", "funding", "bin"] {
        if !p.entry[k].is_null() {
            m.insert(k.into(), p.entry[k].clone());
        }
    }
    format!(
        "{}\n",
        serde_json::to_string_pretty(&J::Object(m)).unwrap_or_default()
    )
}

fn filler(p: &Placed, pkg_json_len: usize) -> String {
    let size = p.entry["size"].as_u64().unwrap_or(4096) as usize;
    let head = format!(
        "{FILLER_MARK}{}@{} as npm installed it; the lab does not carry this package's code. */\n",
        p.name, p.version
    );
    let want = size
        .saturating_sub(pkg_json_len)
        .max(head.len())
        .min(4 << 20);
    let mut s = head;
    while s.len() < want {
        s.push_str("//\n");
    }
    s.truncate(want);
    s
}

fn integrity(pkg_json: &str, body: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let mut h = sha2::Sha512::new();
    h.update(pkg_json.as_bytes());
    h.update(body.as_bytes());
    format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(h.finalize())
    )
}

// ----- the command -----

struct Npm<'a, 'b, 'c> {
    ctx: &'a mut Ctx<'b>,
    io: Streams<'c>,
}

impl Npm<'_, '_, '_> {
    fn log_path(&self) -> String {
        let now = self.ctx.host.now();
        format!(
            "/root/.npm/_logs/{}-debug-0.log",
            now.format("%Y-%m-%dT%H_%M_%S_%3fZ")
        )
    }

    /// npm's closing error line, and the log it names.
    fn error_tail(&mut self, lines: &[String]) {
        let log = self.log_path();
        let _ = crate::engine::shell::vfs::create_dir_all(self.ctx.fs, "/root/.npm/_logs");
        let mut text = String::new();
        for l in lines {
            text.push_str(&format!("0 error {l}\n"));
        }
        let _ = self.ctx.fs.write(&log, text.as_bytes(), false);
        for l in lines {
            let _ = writeln!(self.io.stderr, "npm error {l}");
        }
        let _ = writeln!(
            self.io.stderr,
            "npm error A complete log of this run can be found in: {log}"
        );
    }

    fn dir(&self) -> String {
        self.ctx.cwd.clone()
    }

    fn read_package(&mut self) -> Result<Option<Map<String, J>>, String> {
        let path = format!("{}/package.json", self.dir().trim_end_matches('/'));
        match self.ctx.fs.read(&path) {
            Ok(b) => match serde_json::from_slice::<J>(&b) {
                Ok(J::Object(m)) => Ok(Some(m)),
                _ => Err(path),
            },
            Err(_) => Ok(None),
        }
    }

    fn write_json(&mut self, rel: &str, v: &J) {
        let path = format!("{}/{rel}", self.dir().trim_end_matches('/'));
        let text = format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default());
        let _ = self.ctx.fs.write(&path, text.as_bytes(), false);
    }

    fn enoent_package(&mut self) -> i32 {
        let path = format!("{}/package.json", self.dir().trim_end_matches('/'));
        self.error_tail(&[
            "code ENOENT".into(),
            "syscall open".into(),
            format!("path {path}"),
            "errno -2".into(),
            format!("enoent Could not read package.json: Error: ENOENT: no such file or directory, open '{path}'"),
            "enoent This is related to npm not being able to find a file.".into(),
            "enoent".into(),
        ]);
        254
    }

    fn init(&mut self, args: &[String]) -> i32 {
        if !args.iter().any(|a| a == "-y" || a == "--yes") {
            let _ = writeln!(
                self.io.stdout,
                "This utility will walk you through creating a package.json file.\nIt only covers the most common items, and tries to guess sensible defaults.\n"
            );
        }
        let dir = self.dir();
        let name = dir
            .rsplit('/')
            .find(|s| !s.is_empty())
            .unwrap_or("root")
            .to_lowercase();
        let main = if self
            .ctx
            .fs
            .exists(&format!("{}/index.js", dir.trim_end_matches('/')))
        {
            "index.js"
        } else {
            let found = self
                .ctx
                .fs
                .read_dir(&dir)
                .ok()
                .and_then(|es| es.into_iter().map(|e| e.name).find(|n| n.ends_with(".js")));
            match found {
                Some(f) => {
                    let v = json!({});
                    let _ = v;
                    return self.write_init(&name, &f);
                }
                None => "index.js",
            }
        };
        self.write_init(&name, main)
    }

    fn write_init(&mut self, name: &str, main: &str) -> i32 {
        let pkg = json!({
            "name": name,
            "version": "1.0.0",
            "main": main,
            "scripts": { "test": "echo \"Error: no test specified\" && exit 1" },
            "keywords": [],
            "author": "",
            "license": "ISC",
            "description": ""
        });
        self.write_json("package.json", &pkg);
        let text = serde_json::to_string_pretty(&pkg).unwrap_or_default();
        let path = format!("{}/package.json", self.dir().trim_end_matches('/'));
        let _ = write!(self.io.stdout, "Wrote to {path}:\n\n{text}\n\n\n\n");
        0
    }

    fn install(&mut self, args: &[String], ci: bool) -> i32 {
        let reg = registry();
        let pkg = match self.read_package() {
            Ok(p) => p,
            Err(path) => {
                self.error_tail(&[
                    "code EJSONPARSE".into(),
                    format!("path {path}"),
                    "JSON.parse Invalid package.json: JSONParseError: Unexpected token in JSON"
                        .into(),
                    "JSON.parse Failed to parse JSON data.".into(),
                    "JSON.parse Note: package.json must be actual JSON, not just JavaScript."
                        .into(),
                ]);
                return 1;
            }
        };
        let lock_path = format!("{}/package-lock.json", self.dir().trim_end_matches('/'));
        if ci && !self.ctx.fs.exists(&lock_path) {
            self.error_tail(&[
                "code EUSAGE".into(),
                String::new(),
                "The `npm ci` command can only install with an existing package-lock.json or"
                    .into(),
                "npm-shrinkwrap.json with lockfileVersion >= 1. Run an install with npm@5 or"
                    .into(),
                "later to generate a package-lock.json file, then try again.".into(),
                String::new(),
                "Clean install a project".into(),
                String::new(),
                "Usage:".into(),
                "npm ci".into(),
                String::new(),
                "Options:".into(),
                "[--install-strategy <hoisted|nested|shallow|linked>] [--legacy-bundling]".into(),
                "[--global-style] [--omit <dev|optional|peer> [--omit <dev|optional|peer> ...]]"
                    .into(),
                "[--include <prod|dev|optional|peer> [--include <prod|dev|optional|peer> ...]]"
                    .into(),
                "[--strict-peer-deps] [--foreground-scripts] [--ignore-scripts] [--no-audit]"
                    .into(),
                "[--no-bin-links] [--no-fund] [--dry-run]".into(),
                "[-w|--workspace <workspace-name> [-w|--workspace <workspace-name> ...]]".into(),
                "[-ws|--workspaces] [--include-workspace-root] [--install-links]".into(),
                String::new(),
                "aliases: clean-install, ic, install-clean, isntall-clean".into(),
                String::new(),
                "Run \"npm help ci\" for more info".into(),
            ]);
            return 1;
        }
        let mut deps: Vec<(String, String)> = Vec::new();
        let mut dev_deps: Vec<(String, String)> = Vec::new();
        if let Some(p) = &pkg {
            for (k, list) in [
                ("dependencies", &mut deps),
                ("devDependencies", &mut dev_deps),
            ] {
                if let Some(m) = p.get(k).and_then(|d| d.as_object()) {
                    for (n, r) in m {
                        list.push((n.clone(), r.as_str().unwrap_or("*").to_string()));
                    }
                }
            }
        }
        let production = args
            .iter()
            .any(|a| a == "--production" || a == "--omit=dev")
            || self.ctx.var("NODE_ENV") == Some("production");
        let save_dev = args.iter().any(|a| a == "-D" || a == "--save-dev");
        // Packages named on the command line: NAME or NAME@RANGE.
        let mut added: Vec<(String, String)> = Vec::new();
        for a in args.iter().filter(|a| !a.starts_with('-')) {
            let (name, range) = match a.rfind('@').filter(|i| *i > 0) {
                Some(i) => (a[..i].to_string(), a[i + 1..].to_string()),
                None => (a.clone(), "latest".to_string()),
            };
            match resolve(&reg, &name, &range) {
                Some((version, _)) => {
                    let spec = if range == "latest" || range == "*" {
                        format!("^{version}")
                    } else {
                        range.clone()
                    };
                    added.push((name, spec));
                }
                None => return self.e404(&name, &range),
            }
        }
        for (n, r) in &added {
            let list = if save_dev { &mut dev_deps } else { &mut deps };
            list.retain(|(x, _)| x != n);
            list.push((n.clone(), r.clone()));
        }
        let mut wanted = deps.clone();
        if !production {
            wanted.extend(dev_deps.iter().cloned());
        }
        let tree = match build_tree(&reg, &wanted) {
            Ok(t) => t,
            Err((name, range)) => return self.e404(&name, &range),
        };
        // package.json: the new dependencies, keys sorted as npm writes them.
        if !added.is_empty() {
            let mut p = pkg.clone().unwrap_or_default();
            for (key, list) in [("dependencies", &deps), ("devDependencies", &dev_deps)] {
                if list.is_empty() {
                    continue;
                }
                let mut sorted = list.clone();
                sorted.sort();
                let m: Map<String, J> =
                    sorted.into_iter().map(|(n, r)| (n, J::String(r))).collect();
                p.insert(key.into(), J::Object(m));
            }
            self.write_json("package.json", &J::Object(p));
        }
        let dir = self.dir();
        let base = dir.trim_end_matches('/').to_string();
        // What is there already, to tell added from up to date.
        let before: Vec<String> = tree
            .iter()
            .filter(|p| {
                self.ctx
                    .fs
                    .read(&format!("{base}/{}/package.json", p.location))
                    .ok()
                    .and_then(|b| serde_json::from_slice::<J>(&b).ok())
                    .is_some_and(|j| j["version"] == *p.version)
            })
            .map(|p| p.location.clone())
            .collect();
        if ci {
            let _ = crate::engine::shell::vfs::remove_tree(
                self.ctx.fs,
                &format!("{base}/node_modules"),
            );
        }
        let mut lock_pkgs = Map::new();
        let mut root = Map::new();
        if let Some(p) = &pkg {
            for k in ["name", "version"] {
                if let Some(v) = p.get(k) {
                    root.insert(k.into(), v.clone());
                }
            }
            if let Some(l) = p.get("license") {
                root.insert("license".into(), l.clone());
            }
        }
        for (key, list) in [("dependencies", &deps), ("devDependencies", &dev_deps)] {
            if !list.is_empty() {
                let mut sorted = list.clone();
                sorted.sort();
                root.insert(
                    key.into(),
                    J::Object(sorted.into_iter().map(|(n, r)| (n, J::String(r))).collect()),
                );
            }
        }
        lock_pkgs.insert(String::new(), J::Object(root));
        let mut hidden = Map::new();
        let mut bins: Vec<(String, String)> = Vec::new();
        for p in &tree {
            let pj = package_json_of(p);
            let body = filler(p, pj.len());
            let dirp = format!("{base}/{}", p.location);
            let _ = crate::engine::shell::vfs::create_dir_all(self.ctx.fs, &dirp);
            let _ = self
                .ctx
                .fs
                .write(&format!("{dirp}/package.json"), pj.as_bytes(), false);
            let _ = self
                .ctx
                .fs
                .write(&format!("{dirp}/index.js"), body.as_bytes(), false);
            let mut e = Map::new();
            e.insert("version".into(), json!(p.version));
            e.insert(
                "resolved".into(),
                json!(format!(
                    "https://registry.npmjs.org/{0}/-/{0}-{1}.tgz",
                    p.name, p.version
                )),
            );
            e.insert("integrity".into(), json!(integrity(&pj, &body)));
            if dev_deps.iter().any(|(n, _)| *n == p.name) && !deps.iter().any(|(n, _)| *n == p.name)
            {
                e.insert("dev".into(), json!(true));
            }
            e.insert("license".into(), p.entry["license"].clone());
            for k in ["dependencies", "bin", "engines", "funding"] {
                if !p.entry[k].is_null() {
                    e.insert(k.into(), p.entry[k].clone());
                }
            }
            if let Some(b) = p.entry["bin"].as_object() {
                if !p.location.contains("/node_modules/")
                    || p.location.matches("node_modules").count() == 1
                {
                    for (cmd, file) in b {
                        bins.push((
                            cmd.clone(),
                            format!("../{}/{}", p.name, file.as_str().unwrap_or("")),
                        ));
                    }
                }
            }
            lock_pkgs.insert(p.location.clone(), J::Object(e.clone()));
            hidden.insert(p.location.clone(), J::Object(e));
        }
        if !bins.is_empty() {
            let bin_dir = format!("{base}/node_modules/.bin");
            let _ = crate::engine::shell::vfs::create_dir_all(self.ctx.fs, &bin_dir);
            for (cmd, target) in bins {
                let link = format!("{bin_dir}/{cmd}");
                if !self.ctx.fs.exists(&link) {
                    let _ = self.ctx.fs.symlink(&target, &link);
                }
            }
        }
        let mut lock = Map::new();
        if let Some(p) = &pkg {
            for k in ["name", "version"] {
                if let Some(v) = p.get(k) {
                    lock.insert(k.into(), v.clone());
                }
            }
        } else {
            let name = base.rsplit('/').find(|s| !s.is_empty()).unwrap_or("root");
            lock.insert("name".into(), json!(name));
        }
        lock.insert("lockfileVersion".into(), json!(3));
        lock.insert("requires".into(), json!(true));
        let mut hidden_lock = lock.clone();
        lock.insert("packages".into(), J::Object(lock_pkgs));
        self.write_json("package-lock.json", &J::Object(lock));
        if !tree.is_empty() {
            hidden_lock.insert("packages".into(), J::Object(hidden));
            self.write_json("node_modules/.package-lock.json", &J::Object(hidden_lock));
        }
        let added_count = if ci {
            tree.len()
        } else {
            tree.iter()
                .filter(|p| !before.contains(&p.location))
                .count()
        };
        let audited = tree.len() + 1;
        // npm's timing, made from the work rather than the wall clock.
        let ms = 300 + 25 * tree.len() as u64;
        let took = if ms >= 1000 {
            format!("{}s", ms / 1000)
        } else {
            format!("{ms}ms")
        };
        let plural = |n: usize, w: &str| {
            if n == 1 {
                format!("{n} {w}")
            } else {
                format!("{n} {w}s")
            }
        };
        let mut out = String::new();
        if added_count > 0 {
            out.push_str(&format!(
                "\nadded {}, and audited {} in {took}\n",
                plural(added_count, "package"),
                plural(audited, "package")
            ));
        } else {
            out.push_str(&format!(
                "\nup to date, audited {} in {took}\n",
                plural(audited, "package")
            ));
        }
        let funding = tree
            .iter()
            .filter(|p| !p.entry["funding"].is_null())
            .count();
        if funding > 0 {
            let verb = if funding == 1 { "is" } else { "are" };
            out.push_str(&format!(
                "\n{} {verb} looking for funding\n  run `npm fund` for details\n",
                plural(funding, "package")
            ));
        }
        out.push_str("\nfound 0 vulnerabilities\n");
        let _ = self.io.stdout.write_all(out.as_bytes());
        0
    }

    fn e404(&mut self, name: &str, range: &str) -> i32 {
        let spec = if range == "latest" { "*" } else { range };
        self.error_tail(&[
            "code E404".into(),
            format!("404 Not Found - GET https://registry.npmjs.org/{name} - Not found"),
            "404".into(),
            format!("404  '{name}@{spec}' is not in this registry."),
            "404".into(),
            "404 Note that you can also install from a".into(),
            "404 tarball, folder, http url, or git url.".into(),
        ]);
        1
    }

    fn run_script(&mut self, name: &str, extra: &[String]) -> i32 {
        let pkg = match self.read_package() {
            Ok(Some(p)) => p,
            Ok(None) => return self.enoent_package(),
            Err(_) => return self.enoent_package(),
        };
        let scripts = pkg
            .get("scripts")
            .and_then(|s| s.as_object())
            .cloned()
            .unwrap_or_default();
        let dir = self.dir();
        let mut script = scripts
            .get(name)
            .and_then(|s| s.as_str())
            .map(str::to_string);
        if script.is_none()
            && name == "start"
            && self
                .ctx
                .fs
                .exists(&format!("{}/server.js", dir.trim_end_matches('/')))
        {
            script = Some("node server.js".into());
        }
        let Some(mut script) = script else {
            let mut lines = vec![format!("Missing script: \"{name}\"")];
            lines.push(String::new());
            if name == "start" {
                lines.extend([
                    "Did you mean one of these?".to_string(),
                    "  npm star # Mark your favorite packages".into(),
                    "  npm stars # View packages marked as favorites".into(),
                    String::new(),
                ]);
            }
            lines.extend([
                "To see a list of scripts, run:".to_string(),
                "  npm run".into(),
            ]);
            self.error_tail(&lines);
            return 1;
        };
        if !extra.is_empty() {
            script.push(' ');
            script.push_str(&extra.join(" "));
        }
        let pname = pkg.get("name").and_then(|v| v.as_str()).unwrap_or("");
        let pver = pkg.get("version").and_then(|v| v.as_str()).unwrap_or("");
        let id = if pname.is_empty() {
            String::new()
        } else {
            format!("{pname}@{pver} ")
        };
        let _ = write!(self.io.stdout, "\n> {id}{name}\n> {script}\n\n");
        let status = self.sh(&script);
        // A script the host sent to the background (a server, a timer loop in a
        // detached container) has not failed.
        let backgrounded = self
            .ctx
            .interrupt
            .load(std::sync::atomic::Ordering::Relaxed);
        if status != 0 && !backgrounded {
            self.error_tail(&[
                format!("code {status}"),
                format!("path {dir}"),
                "command failed".into(),
                format!("command sh -c {script}"),
            ]);
        }
        status
    }

    /// Runs a script line as `sh -c` would for the simple forms scripts take: commands
    /// joined by `&&`, words split on blanks with quotes, node_modules/.bin on PATH.
    fn sh(&mut self, script: &str) -> i32 {
        let base = self.dir().trim_end_matches('/').to_string();
        let path = format!(
            "{base}/node_modules/.bin:{}",
            self.ctx
                .var("PATH")
                .unwrap_or("/usr/local/bin:/usr/bin:/bin")
        );
        let mut status = 0;
        for part in script.split("&&") {
            let words = split_words(part);
            let mut words = words
                .into_iter()
                .skip_while(|w| w.contains('=') && !w.starts_with('='))
                .collect::<Vec<_>>();
            if words.is_empty() {
                continue;
            }
            if words[0] == "exit" {
                return words.get(1).and_then(|c| c.parse().ok()).unwrap_or(0);
            }
            if words[0] == "echo" {
                let _ = writeln!(self.io.stdout, "{}", words[1..].join(" "));
                continue;
            }
            if words[0] == "nodemon"
                && !self
                    .ctx
                    .fs
                    .exists(&format!("{base}/node_modules/.bin/nodemon"))
            {
                let _ = writeln!(self.io.stderr, "sh: nodemon: not found");
                return 127;
            }
            if words[0] == "nodemon" {
                words[0] = "node".into();
            }
            let saved = self.ctx.env.clone();
            self.ctx.env.retain(|(k, _)| k != "PATH");
            self.ctx.env.push(("PATH".into(), path.clone()));
            self.ctx
                .env
                .push(("npm_lifecycle_event".into(), "start".into()));
            let resolved = self.ctx.resolver.resolve(&words[0], &*self.ctx.fs, &path);
            status = match resolved {
                Some(super::super::Resolved::Program(p)) => p(
                    self.ctx,
                    &words,
                    Streams::new(b"", &mut *self.io.stdout, &mut *self.io.stderr),
                ),
                _ => {
                    let env = self.ctx.env.clone();
                    let cwd = self.ctx.cwd.clone();
                    match self
                        .ctx
                        .host
                        .run_external(&words, &env, &cwd, self.io.reborrow())
                    {
                        Some(s) => s,
                        None => {
                            let _ = writeln!(self.io.stderr, "sh: {}: not found", words[0]);
                            127
                        }
                    }
                }
            };
            self.ctx.env = saved;
            if status != 0 {
                return status;
            }
        }
        status
    }

    fn list_scripts(&mut self) -> i32 {
        let pkg = match self.read_package() {
            Ok(Some(p)) => p,
            _ => return self.enoent_package(),
        };
        let name = pkg.get("name").and_then(|v| v.as_str()).unwrap_or("");
        let ver = pkg.get("version").and_then(|v| v.as_str()).unwrap_or("");
        let scripts = pkg
            .get("scripts")
            .and_then(|s| s.as_object())
            .cloned()
            .unwrap_or_default();
        let lifecycle = [
            "start",
            "test",
            "stop",
            "restart",
            "prestart",
            "poststart",
            "pretest",
            "posttest",
        ];
        let (life, other): (Vec<_>, Vec<_>) = scripts
            .iter()
            .partition(|(k, _)| lifecycle.contains(&k.as_str()));
        let mut out = String::new();
        if !life.is_empty() {
            out.push_str(&format!("Lifecycle scripts included in {name}@{ver}:\n"));
            for (k, v) in &life {
                out.push_str(&format!("  {k}\n    {}\n", v.as_str().unwrap_or("")));
            }
        }
        if !other.is_empty() {
            out.push_str("available via `npm run-script`:\n");
            for (k, v) in &other {
                out.push_str(&format!("  {k}\n    {}\n", v.as_str().unwrap_or("")));
            }
        }
        let _ = self.io.stdout.write_all(out.as_bytes());
        0
    }

    fn ls(&mut self) -> i32 {
        let pkg = self.read_package().ok().flatten().unwrap_or_default();
        let name = pkg.get("name").and_then(|v| v.as_str()).unwrap_or("");
        let ver = pkg.get("version").and_then(|v| v.as_str()).unwrap_or("");
        let dir = self.dir();
        let mut names: Vec<String> = Vec::new();
        for k in ["dependencies", "devDependencies"] {
            if let Some(m) = pkg.get(k).and_then(|d| d.as_object()) {
                names.extend(m.keys().cloned());
            }
        }
        names.sort();
        let head = if name.is_empty() {
            dir.clone()
        } else {
            format!("{name}@{ver} {dir}")
        };
        let mut out = format!("{head}\n");
        if names.is_empty() {
            out.push_str("└── (empty)\n");
        }
        let mut missing = false;
        for (i, n) in names.iter().enumerate() {
            let branch = if i + 1 == names.len() {
                "└──"
            } else {
                "├──"
            };
            let installed = self
                .ctx
                .fs
                .read(&format!(
                    "{}/node_modules/{n}/package.json",
                    dir.trim_end_matches('/')
                ))
                .ok()
                .and_then(|b| serde_json::from_slice::<J>(&b).ok())
                .and_then(|j| j["version"].as_str().map(str::to_string));
            match installed {
                Some(v) => out.push_str(&format!("{branch} {n}@{v}\n")),
                None => {
                    missing = true;
                    let range = pkg
                        .get("dependencies")
                        .and_then(|d| d.get(n))
                        .or_else(|| pkg.get("devDependencies").and_then(|d| d.get(n)))
                        .and_then(|r| r.as_str())
                        .unwrap_or("*");
                    out.push_str(&format!("{branch} UNMET DEPENDENCY {n}@{range}\n"));
                }
            }
        }
        out.push('\n');
        let _ = self.io.stdout.write_all(out.as_bytes());
        if missing {
            self.error_tail(&["code ELSPROBLEMS".into()]);
            return 1;
        }
        0
    }
}

fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() || any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() || any {
        out.push(cur);
    }
    out
}

const USAGE: &str = "npm <command>\n\nUsage:\n\nnpm install        install all the dependencies in your project\nnpm install <foo>  add the <foo> dependency to your project\nnpm test           run this project's tests\nnpm run <foo>      run the script named <foo>\nnpm <command> -h   quick help on <command>\nnpm -l             display usage info for all commands\nnpm help <term>    search for help on <term>\nnpm help npm       more involved overview\n\nAll commands:\n\n    access, adduser, audit, bugs, cache, ci, completion,\n    config, dedupe, deprecate, diff, dist-tag, docs, doctor,\n    edit, exec, explain, explore, find-dupes, fund, get, help,\n    help-search, hook, init, install, install-ci-test,\n    install-test, link, ll, login, logout, ls, org, outdated,\n    owner, pack, ping, pkg, prefix, profile, prune, publish,\n    query, rebuild, repo, restart, root, run-script, sbom,\n    search, set, shrinkwrap, star, stars, start, stop, team,\n    test, token, uninstall, unpublish, unstar, update, version,\n    view, whoami\n\nSpecify configs in the ini-formatted file:\n    /root/.npmrc\nor on the command line via: npm <command> --key=value\n\nMore configuration info: npm help config\nConfiguration fields: npm help 7 config\n\nnpm@10.9.2 /usr/local/lib/node_modules/npm";

pub fn npm(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let args: Vec<String> = argv[1..].to_vec();
    let mut npm = Npm { ctx, io };
    let Some(cmd) = args
        .iter()
        .find(|a| !a.starts_with('-') || *a == "-v")
        .cloned()
    else {
        if args.iter().any(|a| a == "--version" || a == "-v") {
            let _ = writeln!(npm.io.stdout, "{NPM_VERSION}");
            return 0;
        }
        let _ = writeln!(npm.io.stdout, "{USAGE}");
        return 1;
    };
    if cmd == "-v" {
        let _ = writeln!(npm.io.stdout, "{NPM_VERSION}");
        return 0;
    }
    let pos = args.iter().position(|a| *a == cmd).unwrap_or(0);
    let rest: Vec<String> = args[pos + 1..].to_vec();
    match cmd.as_str() {
        "init" | "create" => npm.init(&rest),
        "install" | "i" | "add" | "in" | "ins" | "inst" | "isntall" => npm.install(&rest, false),
        "ci" | "clean-install" | "install-clean" => npm.install(&rest, true),
        "start" | "test" | "t" | "stop" | "restart" => {
            let name = if cmd == "t" { "test" } else { cmd.as_str() };
            let extra: Vec<String> = rest
                .iter()
                .skip_while(|a| *a != "--")
                .skip(1)
                .cloned()
                .collect();
            npm.run_script(name, &extra)
        }
        "run" | "run-script" | "rum" | "urn" => match rest.first() {
            Some(name) => {
                let extra: Vec<String> = rest
                    .iter()
                    .skip_while(|a| *a != "--")
                    .skip(1)
                    .cloned()
                    .collect();
                npm.run_script(&name.clone(), &extra)
            }
            None => npm.list_scripts(),
        },
        "ls" | "list" | "la" | "ll" => npm.ls(),
        "version" => {
            let _ = writeln!(
                npm.io.stdout,
                "{{\n  npm: '{NPM_VERSION}',\n  node: '{}',\n}}",
                super::DEFAULT_VERSION.trim_start_matches('v')
            );
            0
        }
        "fund" => {
            let _ = writeln!(npm.io.stdout, "{}", npm.dir());
            0
        }
        "audit" => {
            let _ = writeln!(npm.io.stdout, "found 0 vulnerabilities");
            0
        }
        "cache" => 0,
        "config" if rest.first().map(String::as_str) == Some("get") => {
            let _ = writeln!(npm.io.stdout, "undefined");
            0
        }
        other => {
            let _ = writeln!(
                npm.io.stderr,
                "docklab: this lab's npm does not support 'npm {other}' (it runs install, ci, init, start, run, test, ls)"
            );
            1
        }
    }
}

/// npx: runs a binary npm installed in node_modules/.bin; anything else would need
/// the registry.
pub fn npx(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some(cmd) = argv.get(1) else {
        let _ = writeln!(
            io.stderr,
            "npm error code EUSAGE\nnpm error\nnpm error Run a command from a local or remote npm package\nnpm error\nnpm error Usage:\nnpm error npm exec -- <pkg>[@<version>] [args...]"
        );
        return 1;
    };
    if cmd == "--version" || cmd == "-v" {
        let _ = writeln!(io.stdout, "{NPM_VERSION}");
        return 0;
    }
    let base = ctx.cwd.trim_end_matches('/').to_string();
    let bin = format!("{base}/node_modules/.bin/{cmd}");
    if ctx.fs.exists(&bin) {
        let mut words = vec!["node".to_string(), bin];
        words.extend(argv[2..].iter().cloned());
        return super::node(ctx, &words, io);
    }
    let mut npm = Npm { ctx, io };
    npm.e404(cmd, "latest")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_match_as_semver_does() {
        assert!(satisfies("4.21.2", "^4.18.2"));
        assert!(!satisfies("5.0.0", "^4.18.2"));
        assert!(satisfies("1.3.8", "~1.3.8"));
        assert!(!satisfies("1.4.0", "~1.3.8"));
        assert!(satisfies("2.1.2", ">= 2.1.2 < 3"));
        assert!(!satisfies("3.0.0", ">= 2.1.2 < 3"));
        assert!(satisfies("2.0.0", "2.0.0"));
        assert!(!satisfies("2.1.3", "2.0.0"));
        assert!(satisfies("1.0.1", "1.x || >=2.5.0"));
        assert!(satisfies("0.2.5", "^0.2.3") && !satisfies("0.3.0", "^0.2.3"));
    }

    #[test]
    fn express_resolves_to_the_69_packages_npm_installs() {
        let reg = registry();
        let tree = build_tree(&reg, &[("express".into(), "^4.21.2".into())]).unwrap_or_default();
        assert_eq!(tree.len(), 69);
        let nested: Vec<&str> = tree
            .iter()
            .filter(|p| p.location.matches("node_modules").count() > 1)
            .map(|p| p.location.as_str())
            .collect();
        assert_eq!(
            nested,
            [
                "node_modules/send/node_modules/encodeurl",
                "node_modules/send/node_modules/ms"
            ]
        );
        let funding = tree
            .iter()
            .filter(|p| !p.entry["funding"].is_null())
            .count();
        assert_eq!(funding, 14);
        let ms = tree
            .iter()
            .find(|p| p.location == "node_modules/ms")
            .map(|p| p.version.as_str());
        assert_eq!(ms, Some("2.0.0"));
    }

    #[test]
    fn an_unknown_package_does_not_resolve() {
        let reg = registry();
        assert!(build_tree(&reg, &[("nosuchpkg".into(), "*".into())]).is_err());
        assert!(resolve(&reg, "express", "^5.0.0").is_none());
    }

    #[test]
    fn script_words_split_like_sh() {
        assert_eq!(
            split_words("node -e \"process.exit(3)\""),
            ["node", "-e", "process.exit(3)"]
        );
        assert_eq!(split_words("  node  server.js "), ["node", "server.js"]);
    }
}
