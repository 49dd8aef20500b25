//! The three states git compares: a commit's tree (flattened to paths), the index,
//! and the files in the work tree (with `.gitignore` and `info/exclude` rules).

use std::collections::BTreeMap;

use crate::engine::budget;
use crate::engine::shell::vfs::{FileType, Vfs};

use super::index::{Entry, Index};
use super::object::{self, Oid, TreeEntry};
use super::repo::Repo;

/// Path → (mode, blob id) of every file in a tree, recursively.
pub type Flat = BTreeMap<String, (u32, Oid)>;

pub fn flatten(fs: &dyn Vfs, repo: &Repo, tree: &Oid) -> Flat {
    let mut out = Flat::new();
    flatten_into(fs, repo, tree, "", &mut out, 0);
    out
}

fn flatten_into(fs: &dyn Vfs, repo: &Repo, tree: &Oid, prefix: &str, out: &mut Flat, depth: usize) {
    if depth > 64 || budget::exceeded() {
        return;
    }
    let Some((kind, body)) = object::read(fs, &repo.git_dir, tree) else {
        return;
    };
    if kind != "tree" {
        return;
    }
    for e in object::parse_tree(&body) {
        let path = format!("{prefix}{}", e.name);
        if e.is_tree() {
            flatten_into(fs, repo, &e.oid, &format!("{path}/"), out, depth + 1);
        } else {
            out.insert(path, (e.mode, e.oid));
        }
    }
}

/// The files of the commit HEAD points at (empty on an unborn branch).
pub fn head_files(fs: &dyn Vfs, repo: &Repo) -> Flat {
    repo.head_commit(fs)
        .and_then(|c| repo.commit(fs, &c))
        .map(|c| flatten(fs, repo, &c.tree))
        .unwrap_or_default()
}

pub fn index_files(index: &Index) -> Flat {
    index
        .entries
        .iter()
        .map(|e| (e.path.clone(), (e.mode, e.oid)))
        .collect()
}

/// Writes the tree objects for the index, as `git write-tree`, and returns the root.
pub fn write_tree(fs: &mut dyn Vfs, repo: &Repo, index: &Index) -> std::io::Result<Oid> {
    let files: Vec<(&str, u32, Oid)> = index
        .entries
        .iter()
        .map(|e| (e.path.as_str(), e.mode, e.oid))
        .collect();
    write_level(fs, repo, &files)
}

fn write_level(fs: &mut dyn Vfs, repo: &Repo, files: &[(&str, u32, Oid)]) -> std::io::Result<Oid> {
    let mut entries = Vec::new();
    let mut subdirs: BTreeMap<&str, Vec<(&str, u32, Oid)>> = BTreeMap::new();
    for (path, mode, oid) in files {
        match path.split_once('/') {
            Some((dir, rest)) => subdirs.entry(dir).or_default().push((rest, *mode, *oid)),
            None => entries.push(TreeEntry {
                mode: *mode,
                name: path.to_string(),
                oid: *oid,
            }),
        }
    }
    for (dir, inner) in subdirs {
        let oid = write_level(fs, repo, &inner)?;
        entries.push(TreeEntry {
            mode: 0o40000,
            name: dir.to_string(),
            oid,
        });
    }
    let body = object::tree_body(&mut entries);
    object::write(fs, &repo.git_dir, "tree", &body)
}

/// A work-tree file's mode as git records it.
pub fn file_mode(fs: &dyn Vfs, abs: &str) -> Option<u32> {
    let m = fs.symlink_metadata(abs).ok()?;
    match m.file_type {
        FileType::Symlink => Some(0o120000),
        FileType::File if m.mode & 0o100 != 0 => Some(0o100755),
        FileType::File => Some(0o100644),
        FileType::Dir => None,
    }
}

/// A work-tree file's content as git hashes it (a symlink's is its target).
pub fn file_data(fs: &dyn Vfs, abs: &str, mode: u32) -> Option<Vec<u8>> {
    if mode == 0o120000 {
        fs.read_link(abs).ok().map(String::into_bytes)
    } else {
        fs.read(abs).ok()
    }
}

/// An index entry for a work-tree file, its blob written to the object store.
pub fn stage_file(fs: &mut dyn Vfs, repo: &Repo, rel: &str) -> Option<Entry> {
    let abs = repo.work_path(rel);
    let mode = file_mode(fs, &abs)?;
    let data = file_data(fs, &abs, mode)?;
    let oid = object::write(fs, &repo.git_dir, "blob", &data).ok()?;
    let m = fs.symlink_metadata(&abs).ok()?;
    Some(Entry {
        ctime: m.mtime as u32,
        ctime_ns: 0,
        mtime: m.mtime as u32,
        mtime_ns: 0,
        dev: 0,
        ino: m.ino as u32,
        mode,
        uid: m.uid,
        gid: m.gid,
        size: data.len() as u32,
        oid,
        path: rel.to_string(),
    })
}

/// What a tracked path holds in the work tree now: None if it is gone.
pub fn worktree_state(fs: &dyn Vfs, repo: &Repo, rel: &str) -> Option<(u32, Oid)> {
    let abs = repo.work_path(rel);
    let mode = file_mode(fs, &abs)?;
    let data = file_data(fs, &abs, mode)?;
    Some((mode, object::hash("blob", &data)))
}

/// Ignore rules: `.git/info/exclude`, then `.gitignore` files, the deeper the stronger.
pub struct Ignores {
    /// (directory the rule file sits in, relative; pattern)
    rules: Vec<(String, Pattern)>,
}

struct Pattern {
    glob: String,
    negated: bool,
    dir_only: bool,
    anchored: bool,
}

impl Ignores {
    pub fn load(fs: &dyn Vfs, repo: &Repo) -> Ignores {
        let mut ig = Ignores { rules: Vec::new() };
        if let Ok(b) = fs.read(&repo.path("info/exclude")) {
            ig.add("", &String::from_utf8_lossy(&b));
        }
        ig
    }

    /// Adds the `.gitignore` of directory `dir` (relative, "" for the top).
    pub fn add_dir(&mut self, fs: &dyn Vfs, repo: &Repo, dir: &str) {
        let path = if dir.is_empty() {
            repo.work_path(".gitignore")
        } else {
            repo.work_path(&format!("{dir}/.gitignore"))
        };
        if let Ok(b) = fs.read(&path) {
            self.add(dir, &String::from_utf8_lossy(&b));
        }
    }

    fn add(&mut self, dir: &str, text: &str) {
        for line in text.lines() {
            let mut l = line.trim_end();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let negated = l.starts_with('!');
            if negated {
                l = &l[1..];
            }
            let dir_only = l.ends_with('/');
            let l = l.trim_end_matches('/');
            let anchored = l.contains('/');
            let glob = l.trim_start_matches('/').to_string();
            if glob.is_empty() {
                continue;
            }
            self.rules.push((
                dir.to_string(),
                Pattern {
                    glob,
                    negated,
                    dir_only,
                    anchored,
                },
            ));
        }
    }

    /// Whether the path (relative to the top) is ignored; the last matching rule wins.
    pub fn ignored(&self, rel: &str, is_dir: bool) -> bool {
        let mut result = false;
        for (dir, p) in &self.rules {
            let within = if dir.is_empty() {
                rel
            } else if let Some(r) = rel.strip_prefix(&format!("{dir}/")) {
                r
            } else {
                continue;
            };
            if p.dir_only && !is_dir {
                continue;
            }
            let hit = if p.anchored {
                glob_match(p.glob.as_bytes(), within.as_bytes())
            } else {
                let base = within.rsplit('/').next().unwrap_or(within);
                glob_match(p.glob.as_bytes(), base.as_bytes())
            };
            if hit {
                result = !p.negated;
            }
        }
        result
    }
}

/// `*`, `?`, `[...]` and `**` as gitignore means them (`*` stops at '/').
fn glob_match(pat: &[u8], text: &[u8]) -> bool {
    match pat.first() {
        None => text.is_empty(),
        Some(b'*') if pat.get(1) == Some(&b'*') => {
            let rest = pat[2..].strip_prefix(b"/").unwrap_or(&pat[2..]);
            (0..=text.len())
                .any(|i| (i == 0 || text[i - 1] == b'/') && glob_match(rest, &text[i..]))
                || glob_match(rest, text)
        }
        Some(b'*') => {
            let rest = &pat[1..];
            for i in 0..=text.len() {
                if glob_match(rest, &text[i..]) {
                    return true;
                }
                if i < text.len() && text[i] == b'/' {
                    return false;
                }
            }
            false
        }
        Some(b'?') => !text.is_empty() && text[0] != b'/' && glob_match(&pat[1..], &text[1..]),
        Some(b'[') => {
            let Some(close) = pat.iter().skip(1).position(|b| *b == b']').map(|p| p + 1) else {
                return text.first() == Some(&b'[') && glob_match(&pat[1..], &text[1..]);
            };
            let Some(&c) = text.first() else {
                return false;
            };
            let set = &pat[1..close];
            let (neg, set) = match set.first() {
                Some(b'!') | Some(b'^') => (true, &set[1..]),
                _ => (false, set),
            };
            let mut hit = false;
            let mut i = 0;
            while i < set.len() {
                if i + 2 < set.len() && set[i + 1] == b'-' {
                    hit |= set[i] <= c && c <= set[i + 2];
                    i += 3;
                } else {
                    hit |= set[i] == c;
                    i += 1;
                }
            }
            hit != neg && glob_match(&pat[close + 1..], &text[1..])
        }
        Some(b'\\') if pat.len() > 1 => {
            text.first() == Some(&pat[1]) && glob_match(&pat[2..], &text[1..])
        }
        Some(&p) => text.first() == Some(&p) && glob_match(&pat[1..], &text[1..]),
    }
}

/// Every file under `dir` (relative, "" for the top) that is not ignored, sorted, as
/// paths relative to the top. `.git` is never entered.
pub fn walk(fs: &dyn Vfs, repo: &Repo, ignores: &mut Ignores, dir: &str, out: &mut Vec<String>) {
    if budget::exceeded() || out.len() > 200_000 {
        return;
    }
    ignores.add_dir(fs, repo, dir);
    let abs = if dir.is_empty() {
        repo.work.clone()
    } else {
        repo.work_path(dir)
    };
    for e in fs.read_dir(&abs).unwrap_or_default() {
        if e.name == ".git" {
            continue;
        }
        let rel = if dir.is_empty() {
            e.name.clone()
        } else {
            format!("{dir}/{}", e.name)
        };
        let is_dir = e.file_type == FileType::Dir;
        if ignores.ignored(&rel, is_dir) {
            continue;
        }
        if is_dir {
            walk(fs, repo, ignores, &rel, out);
        } else {
            out.push(rel);
        }
    }
}

/// Untracked files as `git status` lists them: a directory holding no tracked file
/// shows as `dir/`, once.
pub fn untracked(files: &[String], tracked: &Flat) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in files {
        if tracked.contains_key(f) {
            continue;
        }
        // The shallowest parent directory with nothing tracked in it.
        let mut shown = f.clone();
        let mut at = 0;
        while let Some(i) = f[at..].find('/') {
            let dir = &f[..at + i + 1];
            let has_tracked = tracked
                .range(dir.to_string()..)
                .next()
                .is_some_and(|(p, _)| p.starts_with(dir));
            if !has_tracked {
                shown = dir.to_string();
                break;
            }
            at += i + 1;
        }
        if out.last() != Some(&shown) {
            out.push(shown);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `to` (relative to the top) as seen from `from_dir` (also relative): `../a.txt`.
pub fn relative(from_dir: &str, to: &str) -> String {
    if from_dir.is_empty() {
        return to.to_string();
    }
    let from: Vec<&str> = from_dir.split('/').collect();
    let dir_suffix = to.ends_with('/');
    let target: Vec<&str> = to.trim_end_matches('/').split('/').collect();
    let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(&target[common..]);
    let mut s = if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    };
    if dir_suffix {
        s.push('/');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitignore_patterns() {
        let mut ig = Ignores { rules: Vec::new() };
        ig.add("", "node_modules/\n*.log\n!keep.log\n/build\ndocs/*.tmp\n");
        assert!(ig.ignored("node_modules", true));
        assert!(!ig.ignored("node_modules", false));
        assert!(ig.ignored("a/b/x.log", false));
        assert!(!ig.ignored("keep.log", false));
        assert!(ig.ignored("build", true));
        assert!(!ig.ignored("src/build", true));
        assert!(ig.ignored("docs/a.tmp", false));
        assert!(!ig.ignored("docs/sub/a.tmp", false));
        assert!(glob_match(b"**/x", b"a/b/x"));
        assert!(glob_match(b"[ab]c", b"bc"));
    }

    #[test]
    fn untracked_directories_collapse() {
        let mut tracked = Flat::new();
        tracked.insert("a.txt".into(), (0o100644, Oid::ZERO));
        tracked.insert("src/main.rs".into(), (0o100644, Oid::ZERO));
        let files: Vec<String> = ["a.txt", "new/x", "new/y/z", "src/lib.rs", "src/t/u", "z"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            untracked(&files, &tracked),
            ["new/", "src/lib.rs", "src/t/", "z"]
        );
    }

    #[test]
    fn paths_relative_to_the_working_directory() {
        assert_eq!(relative("", "a/b"), "a/b");
        assert_eq!(relative("sub", "a.txt"), "../a.txt");
        assert_eq!(relative("sub", "sub/b.txt"), "b.txt");
        assert_eq!(relative("a/b", "a/c/"), "../c/");
    }
}
