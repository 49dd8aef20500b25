//! The index and what is about to be committed: `git add`, `git rm`, `git status`
//! and `git commit`.

use crate::engine::shell::Streams;
use crate::engine::shell::vfs::FileType;

use super::diff::{self, Change, Side};
use super::index::Index;
use super::object::{self, Commit, Oid};
use super::repo::Repo;
use super::worktree::{self, Flat, Ignores};
use super::{Git, NOT_A_REPO, err, fatal, out};

/// The three-way comparison `git status` reports.
pub struct State {
    /// (`A`/`M`/`D`, path) between HEAD and the index.
    pub staged: Vec<(char, String)>,
    /// (`M`/`D`, path) between the index and the work tree.
    pub unstaged: Vec<(char, String)>,
    pub untracked: Vec<String>,
    pub initial: bool,
}

pub fn compute(g: &Git<'_, '_>, repo: &Repo) -> State {
    let fs = &*g.ctx.fs;
    let head = worktree::head_files(fs, repo);
    let index = repo.read_index(fs);
    let tracked = worktree::index_files(&index);
    let mut staged = Vec::new();
    for (p, v) in &tracked {
        match head.get(p) {
            None => staged.push(('A', p.clone())),
            Some(h) if h != v => staged.push(('M', p.clone())),
            _ => {}
        }
    }
    for p in head.keys() {
        if !tracked.contains_key(p) {
            staged.push(('D', p.clone()));
        }
    }
    staged.sort_by(|a, b| a.1.cmp(&b.1));
    let mut unstaged = Vec::new();
    for e in &index.entries {
        match worktree::worktree_state(fs, repo, &e.path) {
            None => unstaged.push(('D', e.path.clone())),
            Some((mode, oid)) if oid != e.oid || mode != e.mode => {
                unstaged.push(('M', e.path.clone()))
            }
            _ => {}
        }
    }
    let mut ignores = Ignores::load(fs, repo);
    let mut files = Vec::new();
    worktree::walk(fs, repo, &mut ignores, "", &mut files);
    let untracked = worktree::untracked(&files, &tracked);
    State {
        initial: repo.head_commit(fs).is_none(),
        staged,
        unstaged,
        untracked,
    }
}

fn branch_line(g: &Git<'_, '_>, repo: &Repo) -> String {
    match repo.head(g.ctx.fs) {
        Ok(b) => format!("On branch {b}\n"),
        Err(Some(oid)) => format!("HEAD detached at {}\n", oid.short()),
        Err(None) => "Not currently on any branch.\n".to_string(),
    }
}

fn label(c: char) -> &'static str {
    match c {
        'A' => "new file:   ",
        'M' => "modified:   ",
        _ => "deleted:    ",
    }
}

/// `git status`'s long format; `commit` labels an unborn branch "Initial commit".
pub fn long_status(g: &Git<'_, '_>, repo: &Repo, st: &State, for_commit: bool) -> String {
    let prefix = g.prefix(repo);
    let rel = |p: &str| worktree::relative(&prefix, p);
    let mut s = branch_line(g, repo);
    if st.initial {
        s.push_str(if for_commit {
            "\nInitial commit\n\n"
        } else {
            "\nNo commits yet\n\n"
        });
    }
    if !st.staged.is_empty() {
        s.push_str("Changes to be committed:\n");
        s.push_str(if st.initial {
            "  (use \"git rm --cached <file>...\" to unstage)\n"
        } else {
            "  (use \"git restore --staged <file>...\" to unstage)\n"
        });
        for (c, p) in &st.staged {
            s.push_str(&format!("\t{}{}\n", label(*c), rel(p)));
        }
        s.push('\n');
    }
    if !st.unstaged.is_empty() {
        let rm = if st.unstaged.iter().any(|(c, _)| *c == 'D') {
            "/rm"
        } else {
            ""
        };
        s.push_str("Changes not staged for commit:\n");
        s.push_str(&format!(
            "  (use \"git add{rm} <file>...\" to update what will be committed)\n"
        ));
        s.push_str("  (use \"git restore <file>...\" to discard changes in working directory)\n");
        for (c, p) in &st.unstaged {
            s.push_str(&format!("\t{}{}\n", label(*c), rel(p)));
        }
        s.push('\n');
    }
    if !st.untracked.is_empty() {
        s.push_str("Untracked files:\n");
        s.push_str("  (use \"git add <file>...\" to include in what will be committed)\n");
        for p in &st.untracked {
            s.push_str(&format!("\t{}\n", rel(p)));
        }
        s.push('\n');
    }
    if !st.staged.is_empty() {
        // Something to commit: no closing line.
    } else if !st.unstaged.is_empty() {
        s.push_str("no changes added to commit (use \"git add\" and/or \"git commit -a\")\n");
    } else if !st.untracked.is_empty() {
        s.push_str(
            "nothing added to commit but untracked files present (use \"git add\" to track)\n",
        );
    } else if st.initial {
        s.push_str("nothing to commit (create/copy files and use \"git add\" to track)\n");
    } else {
        s.push_str("nothing to commit, working tree clean\n");
    }
    s
}

fn short_status(g: &Git<'_, '_>, repo: &Repo, st: &State, branch: bool, porcelain: bool) -> String {
    let prefix = if porcelain {
        String::new()
    } else {
        g.prefix(repo)
    };
    let mut s = String::new();
    if branch {
        match repo.head(g.ctx.fs) {
            Ok(b) if st.initial => s.push_str(&format!("## No commits yet on {b}\n")),
            Ok(b) => s.push_str(&format!("## {b}\n")),
            Err(_) => s.push_str("## HEAD (no branch)\n"),
        }
    }
    let mut paths: Vec<&String> = st
        .staged
        .iter()
        .chain(&st.unstaged)
        .map(|(_, p)| p)
        .collect();
    paths.sort();
    paths.dedup();
    for p in paths {
        let x = st
            .staged
            .iter()
            .find(|(_, q)| q == p)
            .map_or(' ', |(c, _)| *c);
        let y = st
            .unstaged
            .iter()
            .find(|(_, q)| q == p)
            .map_or(' ', |(c, _)| *c);
        s.push_str(&format!("{x}{y} {}\n", worktree::relative(&prefix, p)));
    }
    for p in &st.untracked {
        s.push_str(&format!("?? {}\n", worktree::relative(&prefix, p)));
    }
    s
}

pub fn status(g: &mut Git<'_, '_>, args: &[String], io: &mut Streams<'_>) -> i32 {
    let Some(repo) = g.repo() else {
        return fatal(io, NOT_A_REPO);
    };
    let mut short = false;
    let mut branch = false;
    let mut porcelain = false;
    for a in args {
        match a.as_str() {
            "-s" | "--short" => short = true,
            "-b" | "--branch" => branch = true,
            "-sb" | "-bs" => {
                short = true;
                branch = true;
            }
            "--porcelain" | "--porcelain=v1" => {
                short = true;
                porcelain = true;
            }
            "--long" => short = false,
            o if o.starts_with('-') => {
                err(
                    io,
                    &format!("error: unknown option `{}'\n", o.trim_start_matches('-')),
                );
                return 129;
            }
            _ => {}
        }
    }
    let st = compute(g, &repo);
    let text = if short {
        short_status(g, &repo, &st, branch, porcelain)
    } else {
        long_status(g, &repo, &st, false)
    };
    out(io, &text);
    0
}

/// Stages one path (file or directory) as `git add` does; returns whether the
/// pathspec matched anything.
fn add_path(
    g: &mut Git<'_, '_>,
    repo: &Repo,
    index: &mut Index,
    rel: &str,
    ignores: &mut Ignores,
    force: bool,
) -> bool {
    let abs = if rel.is_empty() {
        repo.work.clone()
    } else {
        repo.work_path(rel)
    };
    let meta = g.ctx.fs.symlink_metadata(&abs);
    let dir_prefix = if rel.is_empty() {
        String::new()
    } else {
        format!("{rel}/")
    };
    let mut matched = false;
    // Tracked paths under the pathspec that are gone from the work tree.
    let gone: Vec<String> = index
        .entries
        .iter()
        .filter(|e| e.path == rel || e.path.starts_with(&dir_prefix))
        .filter(|e| worktree::file_mode(g.ctx.fs, &repo.work_path(&e.path)).is_none())
        .map(|e| e.path.clone())
        .collect();
    for p in gone {
        index.remove(&p);
        matched = true;
    }
    match meta {
        Ok(m) if m.file_type == FileType::Dir => {
            let mut files = Vec::new();
            if force {
                let mut none = Ignores::load(g.ctx.fs, repo);
                collect_all(g, repo, rel, &mut files, &mut none);
            } else {
                // Parent directories' .gitignore files apply too.
                let mut at = String::new();
                for part in rel.split('/').filter(|p| !p.is_empty()) {
                    ignores.add_dir(g.ctx.fs, repo, &at);
                    at = if at.is_empty() {
                        part.to_string()
                    } else {
                        format!("{at}/{part}")
                    };
                }
                worktree::walk(g.ctx.fs, repo, ignores, rel, &mut files);
            }
            for f in files {
                if let Some(e) = worktree::stage_file(g.ctx.fs, repo, &f) {
                    index.insert(e);
                }
            }
            true
        }
        Ok(_) => {
            if let Some(e) = worktree::stage_file(g.ctx.fs, repo, rel) {
                index.insert(e);
            }
            true
        }
        Err(_) => matched,
    }
}

fn collect_all(g: &Git<'_, '_>, repo: &Repo, dir: &str, out: &mut Vec<String>, ig: &mut Ignores) {
    let _ = ig;
    let abs = if dir.is_empty() {
        repo.work.clone()
    } else {
        repo.work_path(dir)
    };
    for e in g.ctx.fs.read_dir(&abs).unwrap_or_default() {
        if e.name == ".git" {
            continue;
        }
        let rel = if dir.is_empty() {
            e.name.clone()
        } else {
            format!("{dir}/{}", e.name)
        };
        if e.file_type == FileType::Dir {
            collect_all(g, repo, &rel, out, ig);
        } else {
            out.push(rel);
        }
    }
}

pub fn add(g: &mut Git<'_, '_>, args: &[String], io: &mut Streams<'_>) -> i32 {
    let Some(repo) = g.repo() else {
        return fatal(io, NOT_A_REPO);
    };
    let mut all = false;
    let mut force = false;
    let mut verbose = false;
    let mut specs = Vec::new();
    for a in args {
        match a.as_str() {
            "-A" | "--all" => all = true,
            "-f" | "--force" => force = true,
            "-v" | "--verbose" => verbose = true,
            "--" => {}
            o if o.starts_with('-') && o != "-" => {
                err(
                    io,
                    &format!("error: unknown option `{}'\n", o.trim_start_matches('-')),
                );
                return 129;
            }
            _ => specs.push(a.clone()),
        }
    }
    if specs.is_empty() && !all {
        err(io, "Nothing specified, nothing added.\n");
        err(io, &g.hint("Maybe you wanted to say 'git add .'?\nDisable this message with \"git config advice.addEmptyPathspec false\""));
        return 0;
    }
    let mut rels = Vec::new();
    for s in &specs {
        match g.rel_path(&repo, s) {
            Ok(r) => rels.push((s.clone(), r)),
            Err(abs) => {
                return fatal(
                    io,
                    &format!("{s}: '{abs}' is outside repository at '{}'", repo.work),
                );
            }
        }
    }
    if all && specs.is_empty() {
        rels.push((".".into(), String::new()));
    }
    let mut index = repo.read_index(g.ctx.fs);
    let before = index.clone();
    // Every pathspec must match before anything is staged.
    for (spec, rel) in &rels {
        let exists = g
            .ctx
            .fs
            .symlink_metadata(&if rel.is_empty() {
                repo.work.clone()
            } else {
                repo.work_path(rel)
            })
            .is_ok();
        let tracked = index
            .entries
            .iter()
            .any(|e| e.path == *rel || e.path.starts_with(&format!("{rel}/")));
        if !exists && !tracked {
            return fatal(io, &format!("pathspec '{spec}' did not match any files"));
        }
    }
    let mut ignored_named = Vec::new();
    for (_, rel) in &rels {
        let mut ignores = Ignores::load(g.ctx.fs, &repo);
        if !force && !rel.is_empty() {
            // Load every .gitignore from the top down to the path's directory.
            let mut at = String::new();
            ignores.add_dir(g.ctx.fs, &repo, "");
            let parts: Vec<&str> = rel.split('/').collect();
            for part in &parts[..parts.len() - 1] {
                at = if at.is_empty() {
                    part.to_string()
                } else {
                    format!("{at}/{part}")
                };
                ignores.add_dir(g.ctx.fs, &repo, &at);
            }
            let is_dir = g
                .ctx
                .fs
                .metadata(&repo.work_path(rel))
                .is_ok_and(|m| m.is_dir());
            let tracked = index.get(rel).is_some();
            if !tracked && ignores.ignored(rel, is_dir) {
                ignored_named.push(rel.clone());
                continue;
            }
        }
        let mut fresh = Ignores::load(g.ctx.fs, &repo);
        add_path(g, &repo, &mut index, rel, &mut fresh, force);
    }
    if verbose {
        for e in &index.entries {
            if before.get(&e.path) != Some(e) {
                out(io, &format!("add '{}'\n", e.path));
            }
        }
    }
    if index != before && repo.write_index(g.ctx.fs, &index).is_err() {
        return fatal(io, "Unable to write new index file");
    }
    if !ignored_named.is_empty() {
        let mut s =
            "The following paths are ignored by one of your .gitignore files:\n".to_string();
        for p in &ignored_named {
            s.push_str(&format!("{p}\n"));
        }
        err(io, &s);
        err(io, &g.hint("Use -f if you really want to add them.\nDisable this message with \"git config advice.addIgnoredFile false\""));
        return 1;
    }
    0
}

pub fn rm(g: &mut Git<'_, '_>, args: &[String], io: &mut Streams<'_>) -> i32 {
    let Some(repo) = g.repo() else {
        return fatal(io, NOT_A_REPO);
    };
    let mut cached = false;
    let mut recursive = false;
    let mut quiet = false;
    let mut specs = Vec::new();
    for a in args {
        match a.as_str() {
            "--cached" => cached = true,
            "-r" => recursive = true,
            "-f" | "--force" | "--" => {}
            "-q" | "--quiet" => quiet = true,
            "-rf" | "-fr" => recursive = true,
            o if o.starts_with('-') => {
                err(
                    io,
                    &format!("error: unknown option `{}'\n", o.trim_start_matches('-')),
                );
                return 129;
            }
            _ => specs.push(a.clone()),
        }
    }
    if specs.is_empty() {
        err(
            io,
            "usage: git rm [-f | --force] [-n] [-r] [--cached] [--ignore-unmatch]\n              [--quiet] [--pathspec-from-file=<file> [--pathspec-file-nul]]\n              [--] [<pathspec>...]\n",
        );
        return 129;
    }
    let mut index = repo.read_index(g.ctx.fs);
    let mut removed = Vec::new();
    for s in &specs {
        let rel = match g.rel_path(&repo, s) {
            Ok(r) => r,
            Err(abs) => {
                return fatal(
                    io,
                    &format!("{s}: '{abs}' is outside repository at '{}'", repo.work),
                );
            }
        };
        let dir = format!("{rel}/");
        let hits: Vec<String> = index
            .entries
            .iter()
            .filter(|e| e.path == rel || rel.is_empty() || e.path.starts_with(&dir))
            .map(|e| e.path.clone())
            .collect();
        if hits.is_empty() {
            return fatal(io, &format!("pathspec '{s}' did not match any files"));
        }
        if !recursive && !hits.contains(&rel) {
            return fatal(io, &format!("not removing '{s}' recursively without -r"));
        }
        removed.extend(hits);
    }
    for p in &removed {
        index.remove(p);
        if !quiet {
            out(io, &format!("rm '{p}'\n"));
        }
        if !cached {
            let _ = g.ctx.fs.remove_file(&repo.work_path(p));
            remove_empty_parents(g, &repo, p);
        }
    }
    if repo.write_index(g.ctx.fs, &index).is_err() {
        return fatal(io, "Unable to write new index file");
    }
    0
}

pub fn remove_empty_parents(g: &mut Git<'_, '_>, repo: &Repo, rel: &str) {
    let mut p = rel;
    while let Some((parent, _)) = p.rsplit_once('/') {
        let abs = repo.work_path(parent);
        if g.ctx.fs.read_dir(&abs).is_ok_and(|d| d.is_empty()) {
            let _ = g.ctx.fs.remove_dir(&abs);
        } else {
            break;
        }
        p = parent;
    }
}

/// `Name <email>` for the author or committer, or git's complaint.
pub fn identity(g: &Git<'_, '_>, repo: &Repo, committer: bool) -> Result<String, String> {
    let env = |k: &str| g.ctx.var(k).filter(|v| !v.is_empty()).map(str::to_string);
    let (name_var, email_var) = if committer {
        ("GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL")
    } else {
        ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL")
    };
    let unknown = if committer {
        "Committer identity unknown\n"
    } else {
        "Author identity unknown\n"
    };
    let hint = format!(
        "{unknown}\n*** Please tell me who you are.\n\nRun\n\n  git config --global user.email \"you@example.com\"\n  git config --global user.name \"Your Name\"\n\nto set your account's default identity.\nOmit --global to set the identity only in this repository.\n\n"
    );
    let (uid, _) = g.ctx.fs.owner();
    let passwd = g
        .ctx
        .fs
        .read("/etc/passwd")
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let entry: Vec<String> = passwd
        .lines()
        .map(|l| l.split(':').map(str::to_string).collect::<Vec<_>>())
        .find(|f| f.len() > 4 && f[2].parse::<u32>().ok() == Some(uid))
        .unwrap_or_default();
    let user = entry.first().cloned().unwrap_or_else(|| "root".into());
    let email = env(email_var)
        .or_else(|| g.config(Some(repo), "user.email"))
        .or_else(|| env("EMAIL"));
    let email = match email {
        Some(e) => e,
        None => {
            let host = g
                .ctx
                .fs
                .read("/etc/hostname")
                .map(|b| String::from_utf8_lossy(&b).trim().to_string())
                .ok()
                .filter(|h| !h.is_empty())
                .or_else(|| env("HOSTNAME"))
                .unwrap_or_else(|| "localhost".into());
            let full = if host.contains('.') {
                return Ok(format!(
                    "{} <{user}@{host}>",
                    env(name_var)
                        .or_else(|| g.config(Some(repo), "user.name"))
                        .unwrap_or_else(|| gecos(&entry, &user))
                ));
            } else {
                format!("{user}@{host}.(none)")
            };
            return Err(format!(
                "{hint}fatal: unable to auto-detect email address (got '{full}')\n"
            ));
        }
    };
    let name = env(name_var)
        .or_else(|| g.config(Some(repo), "user.name"))
        .unwrap_or_else(|| gecos(&entry, &user));
    if name.is_empty() {
        return Err(format!(
            "{hint}fatal: empty ident name (for <{email}>) not allowed\n"
        ));
    }
    Ok(format!("{name} <{email}>"))
}

/// The name part of a passwd entry's GECOS field (`&` is the user name, capitalised).
fn gecos(entry: &[String], user: &str) -> String {
    let field = entry.get(4).map(String::as_str).unwrap_or("");
    let first = field.split(',').next().unwrap_or("");
    let mut cap = user.to_string();
    if let Some(c) = cap.get(..1) {
        cap = format!("{}{}", c.to_ascii_uppercase(), &cap[1..]);
    }
    first.replace('&', &cap)
}

/// Seconds and zone for a commit: `GIT_AUTHOR_DATE`-style variable or the clock.
pub fn when(g: &Git<'_, '_>, var: &str) -> (i64, String) {
    if let Some(text) = g.ctx.var(var).filter(|v| !v.is_empty()) {
        let t = text.trim().trim_start_matches('@');
        let mut parts = t.split_whitespace();
        if let (Some(Ok(secs)), zone) = (parts.next().map(str::parse::<i64>), parts.next()) {
            return (secs, zone.unwrap_or("+0000").to_string());
        }
        if let Ok(d) = chrono::DateTime::parse_from_rfc3339(t) {
            return (d.timestamp(), d.format("%z").to_string());
        }
        if let Ok(d) = chrono::DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S %z") {
            return (d.timestamp(), d.format("%z").to_string());
        }
    }
    (g.ctx.host.now().timestamp(), "+0000".to_string())
}

/// git's `whitespace` cleanup of a message given with -m or -F.
fn cleanup(msg: &str) -> String {
    let mut lines: Vec<&str> = msg.lines().map(str::trim_end).collect();
    let mut out: Vec<&str> = Vec::new();
    for l in lines.drain(..) {
        if l.is_empty() && out.last().is_none_or(|p: &&str| p.is_empty()) {
            continue;
        }
        out.push(l);
    }
    while out.last() == Some(&"") {
        out.pop();
    }
    if out.is_empty() {
        String::new()
    } else {
        format!("{}\n", out.join("\n"))
    }
}

/// Changes between two flattened trees, sorted by path, with their contents.
pub fn changes(g: &Git<'_, '_>, repo: &Repo, old: &Flat, new: &Flat) -> Vec<Change> {
    let side = |(mode, oid): &(u32, Oid)| Side {
        mode: *mode,
        oid: *oid,
        data: object::read(g.ctx.fs, &repo.git_dir, oid)
            .map(|(_, b)| b)
            .unwrap_or_default(),
    };
    let mut paths: Vec<&String> = old.keys().chain(new.keys()).collect();
    paths.sort();
    paths.dedup();
    paths
        .into_iter()
        .filter(|p| old.get(*p) != new.get(*p))
        .map(|p| Change {
            path: p.clone(),
            old: old.get(p).map(side),
            new: new.get(p).map(side),
        })
        .collect()
}

/// `-qam msg` → `-q -a -m msg`, as git's option parser reads bundled short options
/// (`-m` and `-F` take the rest of the bundle or the next word).
fn unbundle(args: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in args {
        let wants_value = out
            .last()
            .is_some_and(|l| matches!(l.as_str(), "-m" | "-F" | "--message" | "--file"));
        if wants_value || a.starts_with("--") || !a.starts_with('-') || a.len() <= 2 {
            out.push(a.clone());
            continue;
        }
        let body = &a[1..];
        for (i, c) in body.char_indices() {
            out.push(format!("-{c}"));
            if c == 'm' || c == 'F' {
                let rest = &body[i + 1..];
                if !rest.is_empty() {
                    out.push(rest.to_string());
                }
                break;
            }
        }
    }
    out
}

pub fn commit(g: &mut Git<'_, '_>, args: &[String], io: &mut Streams<'_>) -> i32 {
    let Some(repo) = g.repo() else {
        return fatal(io, NOT_A_REPO);
    };
    let args = &unbundle(args)[..];
    let mut messages: Vec<String> = Vec::new();
    let mut all = false;
    let mut allow_empty = false;
    let mut quiet = false;
    let mut amend = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "--allow-empty" => allow_empty = true,
            "--amend" => amend = true,
            "-q" | "--quiet" => quiet = true,
            "-a" | "--all" => all = true,
            "-m" | "--message" | "-F" | "--file" => {
                i += 1;
                let Some(v) = args.get(i) else {
                    err(
                        io,
                        &format!(
                            "error: switch `{}' requires a value\n",
                            a.trim_start_matches('-').chars().last().unwrap_or('m')
                        ),
                    );
                    return 129;
                };
                if a == "-F" || a == "--file" {
                    match g.ctx.fs.read(&g.ctx.abs(v)) {
                        Ok(b) => messages.push(String::from_utf8_lossy(&b).into_owned()),
                        Err(_) => {
                            return fatal(
                                io,
                                &format!(
                                    "could not read log file '{v}': No such file or directory"
                                ),
                            );
                        }
                    }
                } else {
                    messages.push(v.clone());
                }
            }
            _ if a.starts_with("--message=") => messages.push(a["--message=".len()..].to_string()),
            _ if a.starts_with('-') => {
                err(
                    io,
                    &format!("error: unknown option `{}'\n", a.trim_start_matches('-')),
                );
                return 129;
            }
            _ => {}
        }
        i += 1;
    }
    let author = match identity(g, &repo, false) {
        Ok(a) => a,
        Err(e) => {
            err(io, &e);
            return 128;
        }
    };
    let committer = match identity(g, &repo, true) {
        Ok(c) => c,
        Err(e) => {
            err(io, &e);
            return 128;
        }
    };
    let parent = repo.head_commit(g.ctx.fs);
    let parent_commit = parent.and_then(|p| repo.commit(g.ctx.fs, &p));
    if amend && parent_commit.is_none() {
        return fatal(io, "You have nothing to amend.");
    }
    let mut index = repo.read_index(g.ctx.fs);
    if all {
        let paths: Vec<String> = index.entries.iter().map(|e| e.path.clone()).collect();
        for p in paths {
            match worktree::stage_file(g.ctx.fs, &repo, &p) {
                Some(e) => index.insert(e),
                None => {
                    index.remove(&p);
                }
            }
        }
        let _ = repo.write_index(g.ctx.fs, &index);
    }
    let tree = match worktree::write_tree(g.ctx.fs, &repo, &index) {
        Ok(t) => t,
        Err(_) => return fatal(io, "unable to write new index file"),
    };
    let base_commit = if amend {
        parent_commit
            .as_ref()
            .and_then(|c| c.parents.first())
            .and_then(|p| repo.commit(g.ctx.fs, p))
    } else {
        parent_commit.clone()
    };
    let base_tree = base_commit.as_ref().map(|c| c.tree);
    let empty_tree = object::hash("tree", b"");
    let unchanged = match base_tree {
        Some(t) => t == tree,
        None => tree == empty_tree,
    };
    if unchanged && !allow_empty && !amend {
        let st = compute(g, &repo);
        out(io, &long_status(g, &repo, &st, true));
        return 1;
    }
    let message = if messages.is_empty() {
        match (&parent_commit, amend) {
            (Some(c), true) => c.message.clone(),
            _ => {
                err(
                    io,
                    "error: docklab does not simulate the editor git opens for a commit message; give it with -m\n",
                );
                err(io, "Aborting commit due to empty commit message.\n");
                return 1;
            }
        }
    } else {
        cleanup(&messages.join("\n\n"))
    };
    if message.is_empty() {
        err(io, "Aborting commit due to empty commit message.\n");
        return 1;
    }
    let (a_secs, a_zone) = match (&parent_commit, amend) {
        (Some(c), true) if g.ctx.var("GIT_AUTHOR_DATE").is_none() => {
            let (_, s, z) = object::split_ident(&c.author);
            (s, z.to_string())
        }
        _ => when(g, "GIT_AUTHOR_DATE"),
    };
    let (c_secs, c_zone) = when(g, "GIT_COMMITTER_DATE");
    let author_line = match (&parent_commit, amend) {
        (Some(c), true) => format!("{} {a_secs} {a_zone}", object::split_ident(&c.author).0),
        _ => format!("{author} {a_secs} {a_zone}"),
    };
    let commit = Commit {
        tree,
        parents: if amend {
            parent_commit
                .as_ref()
                .map(|c| c.parents.clone())
                .unwrap_or_default()
        } else {
            parent.into_iter().collect()
        },
        author: author_line,
        committer: format!("{committer} {c_secs} {c_zone}"),
        message: message.clone(),
    };
    let Ok(oid) = object::write(g.ctx.fs, &repo.git_dir, "commit", &commit.body()) else {
        return fatal(io, "failed to write commit object");
    };
    let _ = g
        .ctx
        .fs
        .write(&repo.path("COMMIT_EDITMSG"), message.as_bytes(), false);
    let subject = commit.subject().to_string();
    let kind = if amend {
        "commit (amend)"
    } else if parent.is_none() {
        "commit (initial)"
    } else {
        "commit"
    };
    let who = format!("{committer} {c_secs} {c_zone}");
    let head = repo.head(g.ctx.fs);
    match &head {
        Ok(branch) => {
            if repo.set_branch(g.ctx.fs, branch, &oid).is_err() {
                return fatal(io, "cannot lock ref 'HEAD'");
            }
            repo.log_ref(
                g.ctx.fs,
                &format!("refs/heads/{branch}"),
                parent,
                &oid,
                &who,
                &format!("{kind}: {subject}"),
            );
        }
        Err(_) => {
            let _ = g.ctx.fs.write(
                &repo.path("HEAD"),
                format!("{}\n", oid.hex()).as_bytes(),
                false,
            );
        }
    }
    repo.log_ref(
        g.ctx.fs,
        "HEAD",
        parent,
        &oid,
        &who,
        &format!("{kind}: {subject}"),
    );
    if quiet {
        return 0;
    }
    let where_ = match &head {
        Ok(b) => b.clone(),
        Err(_) => "detached HEAD".into(),
    };
    let root = if commit.parents.is_empty() {
        " (root-commit)"
    } else {
        ""
    };
    let mut s = format!("[{where_}{root} {}] {subject}\n", oid.short());
    if amend {
        let (_, secs, zone) = object::split_ident(&commit.author);
        s.push_str(&format!(" Date: {}\n", object::log_date(secs, zone)));
    }
    let old = base_tree
        .map(|t| worktree::flatten(g.ctx.fs, &repo, &t))
        .unwrap_or_default();
    let new = worktree::flatten(g.ctx.fs, &repo, &tree);
    let list = changes(g, &repo, &old, &new);
    if !list.is_empty() {
        let (mut adds, mut dels) = (0, 0);
        for c in &list {
            let empty = Vec::new();
            let (a, d) = diff::count(
                c.old.as_ref().map_or(&empty, |s| &s.data),
                c.new.as_ref().map_or(&empty, |s| &s.data),
            );
            adds += a;
            dels += d;
        }
        s.push_str(&diff::summary(list.len(), adds, dels));
        s.push('\n');
        for c in &list {
            match (&c.old, &c.new) {
                (None, Some(n)) => s.push_str(&format!(" create mode {:o} {}\n", n.mode, c.path)),
                (Some(o), None) => s.push_str(&format!(" delete mode {:o} {}\n", o.mode, c.path)),
                (Some(o), Some(n)) if o.mode != n.mode => s.push_str(&format!(
                    " mode change {:o} => {:o} {}\n",
                    o.mode, n.mode, c.path
                )),
                _ => {}
            }
        }
    }
    out(io, &s);
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_short_options_split() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            unbundle(&v(&["-qam", "msg"])),
            v(&["-q", "-a", "-m", "msg"])
        );
        assert_eq!(unbundle(&v(&["-mfix"])), v(&["-m", "fix"]));
        assert_eq!(unbundle(&v(&["-m", "-xyz"])), v(&["-m", "-xyz"]));
    }

    #[test]
    fn messages_are_cleaned_as_git_cleans_them() {
        assert_eq!(cleanup("  first  \n\n\n\nbody\n\n"), "  first\n\nbody\n");
        assert_eq!(cleanup("\n\n"), "");
        assert_eq!(
            gecos(
                &[
                    "root".into(),
                    "x".into(),
                    "0".into(),
                    "0".into(),
                    "root".into()
                ],
                "root"
            ),
            "root"
        );
        assert_eq!(
            gecos(
                &[
                    "bob".into(),
                    "x".into(),
                    "1".into(),
                    "1".into(),
                    "& B,,,".into()
                ],
                "bob"
            ),
            "Bob B"
        );
    }
}
