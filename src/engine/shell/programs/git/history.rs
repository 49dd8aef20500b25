//! Reading and moving through history: `git log`, `show`, `diff`, `branch`,
//! `checkout`/`switch`, `restore` and `rev-parse`.

use std::collections::BTreeSet;

use crate::engine::shell::Streams;
use crate::engine::shell::vfs;

use super::diff;
use super::object::{self, Commit, Oid};
use super::repo::Repo;
use super::stage;
use super::worktree::{self, Flat};
use super::{Git, NOT_A_REPO, err, fatal, out};

fn no_commits(g: &Git<'_, '_>, repo: &Repo, io: &mut Streams<'_>) -> i32 {
    match repo.head(g.ctx.fs) {
        Ok(b) => fatal(
            io,
            &format!("your current branch '{b}' does not have any commits yet"),
        ),
        Err(_) => fatal(io, "bad default revision 'HEAD'"),
    }
}

fn unknown_revision(io: &mut Streams<'_>, rev: &str) -> i32 {
    fatal(
        io,
        &format!(
            "ambiguous argument '{rev}': unknown revision or path not in the working tree.\nUse '--' to separate paths from revisions, like this:\n'git <command> [<revision>...] -- [<file>...]'"
        ),
    )
}

/// ` (HEAD -> master, feature)` when stdout is a terminal, as `log.decorate=auto`.
fn decoration(g: &Git<'_, '_>, repo: &Repo, oid: &Oid) -> String {
    if g.ctx.columns.is_none() {
        return String::new();
    }
    let head = repo.head(g.ctx.fs);
    let mut names = Vec::new();
    let current = head.as_ref().ok().cloned();
    if let Some(b) = &current {
        if repo.branch(g.ctx.fs, b) == Some(*oid) {
            names.push(format!("HEAD -> {b}"));
        }
    } else if repo.head_commit(g.ctx.fs) == Some(*oid) {
        names.push("HEAD".into());
    }
    for b in repo.branches(g.ctx.fs) {
        if Some(&b) != current.as_ref() && repo.branch(g.ctx.fs, &b) == Some(*oid) {
            names.push(b);
        }
    }
    if names.is_empty() {
        String::new()
    } else {
        format!(" ({})", names.join(", "))
    }
}

fn header(g: &Git<'_, '_>, repo: &Repo, oid: &Oid, c: &Commit) -> String {
    let (who, secs, zone) = object::split_ident(&c.author);
    let mut s = format!("commit {}{}\n", oid.hex(), decoration(g, repo, oid));
    if c.parents.len() > 1 {
        let ps: Vec<String> = c.parents.iter().map(Oid::short).collect();
        s.push_str(&format!("Merge: {}\n", ps.join(" ")));
    }
    s.push_str(&format!(
        "Author: {who}\nDate:   {}\n\n",
        object::log_date(secs, zone)
    ));
    for l in c.message.trim_end_matches('\n').lines() {
        s.push_str(&format!("    {l}\n"));
    }
    s
}

fn format_pretty(fmt: &str, oid: &Oid, c: &Commit) -> String {
    let (a_who, a_secs, a_zone) = object::split_ident(&c.author);
    let (c_who, _, _) = object::split_ident(&c.committer);
    let split = |who: &str| -> (String, String) {
        match who.rsplit_once(" <") {
            Some((n, e)) => (n.to_string(), e.trim_end_matches('>').to_string()),
            None => (who.to_string(), String::new()),
        }
    };
    let (an, ae) = split(a_who);
    let (cn, ce) = split(c_who);
    let body = c.message.split_once("\n\n").map(|(_, b)| b).unwrap_or("");
    let mut s = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch != '%' {
            s.push(ch);
            continue;
        }
        let two: String = chars.clone().take(2).collect();
        let (text, used) = match two.as_str() {
            "an" => (an.clone(), 2),
            "ae" => (ae.clone(), 2),
            "ad" => (object::log_date(a_secs, a_zone), 2),
            "at" => (a_secs.to_string(), 2),
            "cn" => (cn.clone(), 2),
            "ce" => (ce.clone(), 2),
            _ => match two.chars().next() {
                Some('H') => (oid.hex(), 1),
                Some('h') => (oid.short(), 1),
                Some('T') => (c.tree.hex(), 1),
                Some('t') => (c.tree.short(), 1),
                Some('s') => (c.subject().to_string(), 1),
                Some('b') => (body.to_string(), 1),
                Some('n') => ("\n".to_string(), 1),
                Some('%') => ("%".to_string(), 1),
                _ => ("%".to_string(), 0),
            },
        };
        s.push_str(&text);
        for _ in 0..used {
            chars.next();
        }
    }
    s
}

/// Commits reachable from `start`, newest first (by committer date, then order).
fn walk(g: &Git<'_, '_>, repo: &Repo, start: Oid, limit: usize) -> Vec<(Oid, Commit)> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut queue: Vec<(i64, Oid, Commit)> = Vec::new();
    if let Some(c) = repo.commit(g.ctx.fs, &start) {
        let t = object::split_ident(&c.committer).1;
        queue.push((t, start, c));
        seen.insert(start);
    }
    while !queue.is_empty() && out.len() < limit {
        if crate::engine::budget::exceeded() {
            break;
        }
        // Newest first; the first-queued wins a tie.
        let mut best = 0;
        for (i, q) in queue.iter().enumerate() {
            if q.0 > queue[best].0 {
                best = i;
            }
        }
        let (_, oid, c) = queue.remove(best);
        for p in &c.parents {
            if seen.insert(*p)
                && let Some(pc) = repo.commit(g.ctx.fs, p)
            {
                let t = object::split_ident(&pc.committer).1;
                queue.push((t, *p, pc));
            }
        }
        out.push((oid, c));
    }
    out
}

fn parent_files(g: &Git<'_, '_>, repo: &Repo, c: &Commit) -> Flat {
    c.parents
        .first()
        .and_then(|p| repo.commit(g.ctx.fs, p))
        .map(|pc| worktree::flatten(g.ctx.fs, repo, &pc.tree))
        .unwrap_or_default()
}

pub fn log(g: &mut Git<'_, '_>, args: &[String], io: &mut Streams<'_>) -> i32 {
    let Some(repo) = g.repo() else {
        return fatal(io, NOT_A_REPO);
    };
    let mut oneline = false;
    let mut limit = usize::MAX;
    let mut stat = false;
    let mut patch = false;
    let mut format: Option<String> = None;
    let mut rev: Option<String> = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "--oneline" => oneline = true,
            "--stat" => stat = true,
            "-p" | "--patch" => patch = true,
            "-n" | "--max-count" => {
                i += 1;
                limit = args
                    .get(i)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(usize::MAX);
            }
            "--pretty=oneline" | "--format=oneline" => oneline = true,
            "--decorate" | "--no-decorate" | "--graph" | "--all" => {}
            _ if a.starts_with("--max-count=") => {
                limit = a["--max-count=".len()..].parse().unwrap_or(usize::MAX)
            }
            _ if a.starts_with("--format=")
                || a.starts_with("--pretty=format:")
                || a.starts_with("--pretty=tformat:") =>
            {
                let f = a.split_once('=').map(|(_, f)| f).unwrap_or("");
                let f = f
                    .strip_prefix("format:")
                    .or_else(|| f.strip_prefix("tformat:"))
                    .unwrap_or(f);
                format = Some(f.to_string());
            }
            _ if a.len() > 1
                && a.starts_with('-')
                && a[1..].bytes().all(|b| b.is_ascii_digit()) =>
            {
                limit = a[1..].parse().unwrap_or(usize::MAX)
            }
            _ if a.starts_with('-') => {
                return fatal(io, &format!("unrecognized argument: {a}"));
            }
            _ => rev = Some(a.to_string()),
        }
        i += 1;
    }
    let start = match &rev {
        Some(r) => match repo.resolve(g.ctx.fs, r) {
            Some(o) => o,
            None => return unknown_revision(io, r),
        },
        None => match repo.head_commit(g.ctx.fs) {
            Some(o) => o,
            None => return no_commits(g, &repo, io),
        },
    };
    let mut s = String::new();
    let commits = walk(g, &repo, start, limit);
    let n = commits.len();
    for (k, (oid, c)) in commits.into_iter().enumerate() {
        if let Some(f) = &format {
            s.push_str(&format_pretty(f, &oid, &c));
            s.push('\n');
            continue;
        }
        if oneline {
            s.push_str(&format!(
                "{}{} {}\n",
                oid.short(),
                decoration(g, &repo, &oid),
                c.subject()
            ));
        } else {
            if k > 0 {
                s.push('\n');
            }
            s.push_str(&header(g, &repo, &oid, &c));
        }
        if stat || patch {
            let old = parent_files(g, &repo, &c);
            let new = worktree::flatten(g.ctx.fs, &repo, &c.tree);
            let list = stage::changes(g, &repo, &old, &new);
            if !oneline {
                s.push('\n');
            }
            if stat {
                s.push_str(&diff::stat(&list));
            }
            if patch {
                for ch in &list {
                    s.push_str(&diff::patch(ch));
                }
            }
            let _ = n;
        }
    }
    out(io, &s);
    0
}

pub fn show(g: &mut Git<'_, '_>, args: &[String], io: &mut Streams<'_>) -> i32 {
    let Some(repo) = g.repo() else {
        return fatal(io, NOT_A_REPO);
    };
    let stat = args.iter().any(|a| a == "--stat");
    let name_only = args.iter().any(|a| a == "--name-only");
    let rev = args.iter().find(|a| !a.starts_with('-')).cloned();
    let oid = match &rev {
        Some(r) => match repo.resolve(g.ctx.fs, r) {
            Some(o) => o,
            None => return unknown_revision(io, r),
        },
        None => match repo.head_commit(g.ctx.fs) {
            Some(o) => o,
            None => return fatal(io, "your current branch appears to be broken"),
        },
    };
    let Some(c) = repo.commit(g.ctx.fs, &oid) else {
        return fatal(io, "bad object");
    };
    let mut s = header(g, &repo, &oid, &c);
    let old = parent_files(g, &repo, &c);
    let new = worktree::flatten(g.ctx.fs, &repo, &c.tree);
    let list = stage::changes(g, &repo, &old, &new);
    if !list.is_empty() {
        s.push('\n');
    }
    if stat {
        if !list.is_empty() {
            s.push_str(&diff::stat(&list));
        }
    } else if name_only {
        for ch in &list {
            s.push_str(&format!("{}\n", ch.path));
        }
    } else {
        for ch in &list {
            s.push_str(&diff::patch(ch));
        }
    }
    out(io, &s);
    0
}

pub fn diff(g: &mut Git<'_, '_>, args: &[String], io: &mut Streams<'_>) -> i32 {
    let Some(repo) = g.repo() else {
        return fatal(io, NOT_A_REPO);
    };
    let mut cached = false;
    let mut stat = false;
    let mut name_only = false;
    let mut revs = Vec::new();
    let mut paths = Vec::new();
    let mut after_dashes = false;
    for a in args {
        match a.as_str() {
            _ if after_dashes => paths.push(a.clone()),
            "--" => after_dashes = true,
            "--cached" | "--staged" => cached = true,
            "--stat" => stat = true,
            "--name-only" => name_only = true,
            o if o.starts_with('-') => {}
            _ => {
                if repo.resolve(g.ctx.fs, a).is_some() {
                    revs.push(a.clone());
                } else if g.ctx.fs.exists(&g.ctx.abs(a)) {
                    paths.push(a.clone());
                } else {
                    return unknown_revision(io, a);
                }
            }
        }
    }
    let index = repo.read_index(g.ctx.fs);
    let index_files = worktree::index_files(&index);
    let tree_of = |g: &Git<'_, '_>, rev: &str| -> Flat {
        repo.resolve(g.ctx.fs, rev)
            .and_then(|o| repo.commit(g.ctx.fs, &o))
            .map(|c| worktree::flatten(g.ctx.fs, &repo, &c.tree))
            .unwrap_or_default()
    };
    let work_files = |g: &Git<'_, '_>, tracked: &Flat| -> Flat {
        tracked
            .keys()
            .filter_map(|p| worktree::worktree_state(g.ctx.fs, &repo, p).map(|v| (p.clone(), v)))
            .collect()
    };
    let (old, new, new_from_work) = if revs.len() >= 2 {
        (tree_of(g, &revs[0]), tree_of(g, &revs[1]), false)
    } else if cached {
        let base = revs
            .first()
            .map(|r| tree_of(g, r))
            .unwrap_or_else(|| worktree::head_files(g.ctx.fs, &repo));
        (base, index_files.clone(), false)
    } else if let Some(r) = revs.first() {
        let base = tree_of(g, r);
        let mut tracked = base.clone();
        tracked.extend(index_files.clone());
        (base, work_files(g, &tracked), true)
    } else {
        (index_files.clone(), work_files(g, &index_files), true)
    };
    // Work-tree blobs are not in the store; write them so both sides can be read.
    if new_from_work {
        for p in new.keys() {
            let abs = repo.work_path(p);
            if old.get(p).is_none_or(|o| Some(o) != new.get(p))
                && let Some(mode) = worktree::file_mode(g.ctx.fs, &abs)
                && let Some(data) = worktree::file_data(g.ctx.fs, &abs, mode)
            {
                let _ = object::write(g.ctx.fs, &repo.git_dir, "blob", &data);
            }
        }
    }
    let filters: Vec<String> = paths
        .iter()
        .filter_map(|p| g.rel_path(&repo, p).ok())
        .collect();
    let mut list = stage::changes(g, &repo, &old, &new);
    if !filters.is_empty() {
        list.retain(|c| {
            filters
                .iter()
                .any(|f| f.is_empty() || c.path == *f || c.path.starts_with(&format!("{f}/")))
        });
    }
    let mut s = String::new();
    if stat {
        if !list.is_empty() {
            s.push_str(&diff::stat(&list));
        }
    } else if name_only {
        for c in &list {
            s.push_str(&format!("{}\n", c.path));
        }
    } else {
        for c in &list {
            s.push_str(&diff::patch(c));
        }
    }
    out(io, &s);
    0
}

fn valid_branch_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.starts_with('/')
        && !name.ends_with('/')
        && !name.ends_with(".lock")
        && !name.ends_with('.')
        && !name.contains("..")
        && !name.contains("@{")
        && !name.contains("//")
        && !name
            .chars()
            .any(|c| c.is_control() || " ~^:?*[\\".contains(c))
        && name != "HEAD"
}

pub fn branch(g: &mut Git<'_, '_>, args: &[String], io: &mut Streams<'_>) -> i32 {
    let Some(repo) = g.repo() else {
        return fatal(io, NOT_A_REPO);
    };
    let head = repo.head(g.ctx.fs);
    let current = head.as_ref().ok().cloned();
    let flags: Vec<&str> = args
        .iter()
        .filter(|a| a.starts_with('-'))
        .map(String::as_str)
        .collect();
    let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if flags.contains(&"--show-current") {
        if let Some(b) = current {
            out(io, &format!("{b}\n"));
        }
        return 0;
    }
    if flags.iter().any(|f| matches!(*f, "-d" | "-D" | "--delete")) {
        let force = flags.contains(&"-D");
        if names.is_empty() {
            return fatal(io, "branch name required");
        }
        let mut status = 0;
        for n in names {
            let Some(oid) = repo.branch(g.ctx.fs, n) else {
                err(io, &format!("error: branch '{n}' not found\n"));
                status = 1;
                continue;
            };
            if current.as_deref() == Some(n.as_str()) {
                err(
                    io,
                    &format!(
                        "error: cannot delete branch '{n}' used by worktree at '{}'\n",
                        repo.work
                    ),
                );
                status = 1;
                continue;
            }
            if !force {
                let head_oid = repo.head_commit(g.ctx.fs);
                let merged = head_oid
                    .is_some_and(|h| walk(g, &repo, h, usize::MAX).iter().any(|(o, _)| *o == oid));
                if !merged {
                    err(
                        io,
                        &format!("error: the branch '{n}' is not fully merged\n"),
                    );
                    if g.version.minor >= 43 {
                        err(
                            io,
                            &g.hint(&format!(
                                "If you are sure you want to delete it, run 'git branch -D {n}'"
                            )),
                        );
                        if g.version.minor >= 45 {
                            err(io, &g.hint("Disable this message with \"git config advice.forceDeleteBranch false\""));
                        }
                    } else {
                        err(
                            io,
                            &format!(
                                "If you are sure you want to delete it, run 'git branch -D {n}'.\n"
                            ),
                        );
                    }
                    status = 1;
                    continue;
                }
            }
            repo.delete_branch(g.ctx.fs, n);
            out(io, &format!("Deleted branch {n} (was {}).\n", oid.short()));
        }
        return status;
    }
    if flags.iter().any(|f| matches!(*f, "-m" | "-M" | "--move")) {
        let (old, new) = match names.as_slice() {
            [new] => (current.clone().unwrap_or_default(), new.to_string()),
            [old, new] => (old.to_string(), new.to_string()),
            _ => return fatal(io, "branch name required"),
        };
        if !valid_branch_name(&new) {
            return fatal(io, &format!("'{new}' is not a valid branch name"));
        }
        if repo.branch(g.ctx.fs, &new).is_some() && !flags.contains(&"-M") && old != new {
            return fatal(io, &format!("a branch named '{new}' already exists"));
        }
        let oid = repo.branch(g.ctx.fs, &old);
        match oid {
            Some(o) => {
                repo.delete_branch(g.ctx.fs, &old);
                let _ = repo.set_branch(g.ctx.fs, &new, &o);
            }
            None if current.as_deref() == Some(old.as_str()) => {}
            None => {
                return fatal(io, &format!("no branch named '{old}'"));
            }
        }
        if current.as_deref() == Some(old.as_str()) {
            let _ = repo.set_head_branch(g.ctx.fs, &new);
        }
        return 0;
    }
    if let Some(n) = names.first() {
        if !valid_branch_name(n) {
            return fatal(io, &format!("'{n}' is not a valid branch name"));
        }
        if repo.branch(g.ctx.fs, n).is_some() {
            return fatal(io, &format!("a branch named '{n}' already exists"));
        }
        let start = match names.get(1) {
            Some(r) => match repo.resolve(g.ctx.fs, r) {
                Some(o) => o,
                None => return fatal(io, &format!("not a valid object name: '{r}'")),
            },
            None => match repo.head_commit(g.ctx.fs) {
                Some(o) => o,
                None => {
                    return fatal(
                        io,
                        &format!(
                            "not a valid object name: '{}'",
                            current.unwrap_or_else(|| "HEAD".into())
                        ),
                    );
                }
            },
        };
        let _ = repo.set_branch(g.ctx.fs, n, &start);
        return 0;
    }
    let mut s = String::new();
    if head.is_err()
        && let Some(o) = repo.head_commit(g.ctx.fs)
    {
        s.push_str(&format!("* (HEAD detached at {})\n", o.short()));
    }
    for b in repo.branches(g.ctx.fs) {
        let mark = if current.as_deref() == Some(b.as_str()) {
            "* "
        } else {
            "  "
        };
        s.push_str(&format!("{mark}{b}\n"));
    }
    out(io, &s);
    0
}

/// Moves HEAD's files to `target`'s, refusing when local changes would be lost.
fn switch_tree(
    g: &mut Git<'_, '_>,
    repo: &Repo,
    target: &Oid,
    io: &mut Streams<'_>,
    verb: &str,
) -> Result<(), i32> {
    let head = worktree::head_files(g.ctx.fs, repo);
    let Some(tc) = repo.commit(g.ctx.fs, target) else {
        return Err(fatal(io, "reference is not a tree"));
    };
    let new = worktree::flatten(g.ctx.fs, repo, &tc.tree);
    let mut index = repo.read_index(g.ctx.fs);
    let mut dirty = Vec::new();
    let mut untracked = Vec::new();
    let mut paths: Vec<&String> = head.keys().chain(new.keys()).collect();
    paths.sort();
    paths.dedup();
    let changed: Vec<String> = paths
        .into_iter()
        .filter(|p| head.get(*p) != new.get(*p))
        .cloned()
        .collect();
    for p in &changed {
        let staged = index.get(p).map(|e| (e.mode, e.oid));
        let work = worktree::worktree_state(g.ctx.fs, repo, p);
        match head.get(p) {
            Some(h) => {
                if staged.as_ref() != Some(h) || work.as_ref() != Some(h) {
                    // Already what the target wants is no loss.
                    if !(staged.as_ref() == new.get(p) && work.as_ref() == new.get(p)) {
                        dirty.push(p.clone());
                    }
                }
            }
            None => {
                if staged.is_none() && work.is_some() && work.as_ref() != new.get(p) {
                    untracked.push(p.clone());
                } else if staged.is_some() && staged.as_ref() != new.get(p) {
                    dirty.push(p.clone());
                }
            }
        }
    }
    if !dirty.is_empty() {
        let mut s = format!(
            "error: Your local changes to the following files would be overwritten by {verb}:\n"
        );
        for p in &dirty {
            s.push_str(&format!("\t{p}\n"));
        }
        s.push_str(
            "Please commit your changes or stash them before you switch branches.\nAborting\n",
        );
        err(io, &s);
        return Err(1);
    }
    if !untracked.is_empty() {
        let mut s = format!(
            "error: The following untracked working tree files would be overwritten by {verb}:\n"
        );
        for p in &untracked {
            s.push_str(&format!("\t{p}\n"));
        }
        s.push_str("Please move or remove them before you switch branches.\nAborting\n");
        err(io, &s);
        return Err(1);
    }
    for p in &changed {
        let abs = repo.work_path(p);
        match new.get(p) {
            Some((mode, oid)) => {
                let data = object::read(g.ctx.fs, &repo.git_dir, oid)
                    .map(|(_, b)| b)
                    .unwrap_or_default();
                if let Some((parent, _)) = abs.rsplit_once('/') {
                    let _ =
                        vfs::create_dir_all(g.ctx.fs, if parent.is_empty() { "/" } else { parent });
                }
                let _ = g.ctx.fs.remove_file(&abs);
                if *mode == 0o120000 {
                    let _ = g.ctx.fs.symlink(&String::from_utf8_lossy(&data), &abs);
                } else {
                    let _ = g.ctx.fs.write(&abs, &data, false);
                    let _ = g
                        .ctx
                        .fs
                        .set_mode(&abs, if *mode == 0o100755 { 0o755 } else { 0o644 });
                }
                if let Some(e) = worktree::stage_file(g.ctx.fs, repo, p) {
                    index.insert(e);
                }
            }
            None => {
                let _ = g.ctx.fs.remove_file(&abs);
                index.remove(p);
                stage::remove_empty_parents(g, repo, p);
            }
        }
    }
    let _ = repo.write_index(g.ctx.fs, &index);
    // Local changes carried over, as git lists them.
    let mut s = String::new();
    for e in &index.entries {
        let work = worktree::worktree_state(g.ctx.fs, repo, &e.path);
        let in_new = new.get(&e.path);
        if work.is_none() {
            s.push_str(&format!("D\t{}\n", e.path));
        } else if work != Some((e.mode, e.oid)) || in_new != Some(&(e.mode, e.oid)) {
            if in_new.is_none() {
                s.push_str(&format!("A\t{}\n", e.path));
            } else {
                s.push_str(&format!("M\t{}\n", e.path));
            }
        }
    }
    out(io, &s);
    Ok(())
}

pub fn checkout(g: &mut Git<'_, '_>, args: &[String], io: &mut Streams<'_>, switch: bool) -> i32 {
    let Some(repo) = g.repo() else {
        return fatal(io, NOT_A_REPO);
    };
    let verb = if switch { "switch" } else { "checkout" };
    let mut create: Option<String> = None;
    let mut force_create = false;
    let mut operands = Vec::new();
    let mut paths_mode = false;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-b" | "-c" | "-B" | "-C" | "--create" => {
                if (a == "-b" || a == "-B") == switch && a != "--create" {
                    err(
                        io,
                        &format!("error: unknown switch `{}'\n", a.trim_start_matches('-')),
                    );
                    return 129;
                }
                force_create = a == "-B" || a == "-C";
                i += 1;
                let Some(n) = args.get(i) else {
                    err(
                        io,
                        &format!(
                            "error: switch `{}' requires a value\n",
                            a.trim_start_matches('-')
                        ),
                    );
                    return 129;
                };
                create = Some(n.clone());
            }
            "--" if !switch => paths_mode = true,
            o if o.starts_with('-') => {}
            _ => operands.push(a.to_string()),
        }
        i += 1;
    }
    if let Some(name) = create {
        if !valid_branch_name(&name) {
            return fatal(io, &format!("'{name}' is not a valid branch name"));
        }
        if repo.branch(g.ctx.fs, &name).is_some() && !force_create {
            return fatal(io, &format!("a branch named '{name}' already exists"));
        }
        let start = match operands.first() {
            Some(r) => match repo.resolve(g.ctx.fs, r) {
                Some(o) => Some(o),
                None => {
                    return fatal(
                        io,
                        &format!(
                            "'{r}' is not a commit and a branch '{name}' cannot be created from it"
                        ),
                    );
                }
            },
            None => repo.head_commit(g.ctx.fs),
        };
        if let Some(o) = start {
            if !operands.is_empty()
                && let Err(code) = switch_tree(g, &repo, &o, io, verb)
            {
                return code;
            }
            let _ = repo.set_branch(g.ctx.fs, &name, &o);
            let who = stage::identity(g, &repo, true).unwrap_or_default();
            let now = g.ctx.host.now().timestamp();
            let from = repo.head(g.ctx.fs).unwrap_or_default();
            repo.log_ref(
                g.ctx.fs,
                "HEAD",
                Some(o),
                &o,
                &format!("{who} {now} +0000"),
                &format!("checkout: moving from {from} to {name}"),
            );
        }
        let _ = repo.set_head_branch(g.ctx.fs, &name);
        err(io, &format!("Switched to a new branch '{name}'\n"));
        return 0;
    }
    let Some(target) = operands.first().cloned() else {
        if switch {
            return fatal(io, "missing branch or commit argument");
        }
        return 0;
    };
    if !paths_mode && repo.branch(g.ctx.fs, &target).is_some() {
        let current = repo.head(g.ctx.fs);
        if current.as_ref().ok() == Some(&target) {
            err(io, &format!("Already on '{target}'\n"));
            return 0;
        }
        let Some(oid) = repo.branch(g.ctx.fs, &target) else {
            return 1;
        };
        if let Err(code) = switch_tree(g, &repo, &oid, io, verb) {
            return code;
        }
        let _ = repo.set_head_branch(g.ctx.fs, &target);
        err(io, &format!("Switched to branch '{target}'\n"));
        return 0;
    }
    if switch {
        return fatal(io, &format!("invalid reference: {target}"));
    }
    // `git checkout FILE...`: the index's version back into the work tree.
    restore_paths(g, &repo, &operands, false, io, !paths_mode)
}

fn restore_paths(
    g: &mut Git<'_, '_>,
    repo: &Repo,
    specs: &[String],
    staged: bool,
    io: &mut Streams<'_>,
    from_checkout: bool,
) -> i32 {
    let mut index = repo.read_index(g.ctx.fs);
    let head = worktree::head_files(g.ctx.fs, repo);
    let mut count = 0;
    for s in specs {
        let Ok(rel) = g.rel_path(repo, s) else {
            return fatal(
                io,
                &format!(
                    "{s}: '{}' is outside repository at '{}'",
                    g.ctx.abs(s),
                    repo.work
                ),
            );
        };
        let dir = format!("{rel}/");
        let matches = |p: &str| rel.is_empty() || p == rel || p.starts_with(&dir);
        if staged {
            let hits: Vec<String> = index
                .entries
                .iter()
                .map(|e| e.path.clone())
                .chain(head.keys().cloned())
                .filter(|p| matches(p))
                .collect();
            if hits.is_empty() {
                err(
                    io,
                    &format!("error: pathspec '{s}' did not match any file(s) known to git\n"),
                );
                return 1;
            }
            for p in hits {
                match head.get(&p) {
                    Some((mode, oid)) => {
                        let mut e = index
                            .get(&p)
                            .cloned()
                            .unwrap_or_else(|| super::index::Entry {
                                ctime: 0,
                                ctime_ns: 0,
                                mtime: 0,
                                mtime_ns: 0,
                                dev: 0,
                                ino: 0,
                                mode: *mode,
                                uid: 0,
                                gid: 0,
                                size: 0,
                                oid: *oid,
                                path: p.clone(),
                            });
                        e.mode = *mode;
                        e.oid = *oid;
                        index.insert(e);
                    }
                    None => {
                        index.remove(&p);
                    }
                }
            }
            continue;
        }
        let hits: Vec<(String, u32, Oid)> = index
            .entries
            .iter()
            .filter(|e| matches(&e.path))
            .map(|e| (e.path.clone(), e.mode, e.oid))
            .collect();
        if hits.is_empty() {
            err(
                io,
                &format!("error: pathspec '{s}' did not match any file(s) known to git\n"),
            );
            return 1;
        }
        for (p, mode, oid) in hits {
            if worktree::worktree_state(g.ctx.fs, repo, &p) == Some((mode, oid)) {
                continue;
            }
            let data = object::read(g.ctx.fs, &repo.git_dir, &oid)
                .map(|(_, b)| b)
                .unwrap_or_default();
            let abs = repo.work_path(&p);
            if let Some((parent, _)) = abs.rsplit_once('/') {
                let _ = vfs::create_dir_all(g.ctx.fs, if parent.is_empty() { "/" } else { parent });
            }
            let _ = g.ctx.fs.write(&abs, &data, false);
            count += 1;
        }
    }
    let _ = repo.write_index(g.ctx.fs, &index);
    if from_checkout {
        err(
            io,
            &format!(
                "Updated {count} path{} from the index\n",
                if count == 1 { "" } else { "s" }
            ),
        );
    }
    0
}

pub fn restore(g: &mut Git<'_, '_>, args: &[String], io: &mut Streams<'_>) -> i32 {
    let Some(repo) = g.repo() else {
        return fatal(io, NOT_A_REPO);
    };
    let staged = args.iter().any(|a| a == "--staged" || a == "-S");
    let specs: Vec<String> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .cloned()
        .collect();
    if specs.is_empty() {
        return fatal(io, "you must specify path(s) to restore");
    }
    restore_paths(g, &repo, &specs, staged, io, false)
}

pub fn rev_parse(g: &mut Git<'_, '_>, args: &[String], io: &mut Streams<'_>) -> i32 {
    let repo = g.repo();
    let mut short = false;
    let mut abbrev_ref = false;
    let mut s = String::new();
    for a in args {
        match a.as_str() {
            "--short" => short = true,
            "--abbrev-ref" => abbrev_ref = true,
            "--is-inside-work-tree" => match &repo {
                Some(_) => s.push_str("true\n"),
                None => return fatal(io, NOT_A_REPO),
            },
            "--show-toplevel" => match &repo {
                Some(r) => s.push_str(&format!("{}\n", r.work)),
                None => return fatal(io, NOT_A_REPO),
            },
            "--git-dir" => match &repo {
                Some(r) => {
                    let shown = if g.ctx.cwd == r.work {
                        ".git".to_string()
                    } else {
                        r.git_dir.clone()
                    };
                    s.push_str(&format!("{shown}\n"));
                }
                None => return fatal(io, NOT_A_REPO),
            },
            o if o.starts_with('-') => {}
            rev => {
                let Some(r) = &repo else {
                    return fatal(io, NOT_A_REPO);
                };
                if abbrev_ref && (rev == "HEAD" || rev == "@") {
                    match r.head(g.ctx.fs) {
                        Ok(b) if r.head_commit(g.ctx.fs).is_some() => s.push_str(&format!("{b}\n")),
                        Ok(_) => {
                            out(io, &s);
                            out(io, "HEAD\n");
                            return unknown_revision(io, rev);
                        }
                        Err(_) => s.push_str("HEAD\n"),
                    }
                    continue;
                }
                match r.resolve(g.ctx.fs, rev) {
                    Some(o) if abbrev_ref => {
                        let _ = o;
                        s.push_str(&format!("{rev}\n"));
                    }
                    Some(o) if short => s.push_str(&format!("{}\n", o.short())),
                    Some(o) => s.push_str(&format!("{}\n", o.hex())),
                    None => {
                        s.push_str(&format!("{rev}\n"));
                        out(io, &s);
                        return unknown_revision(io, rev);
                    }
                }
            }
        }
    }
    out(io, &s);
    0
}
