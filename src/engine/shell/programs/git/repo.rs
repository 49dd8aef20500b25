//! A repository on the container's filesystem: finding `.git` from the working
//! directory, the config files (repository, global, system) in git's own syntax,
//! refs (HEAD, branches, packed-refs read), reflogs, and the index file.

use crate::engine::shell::vfs::{self, Vfs};

use super::index::Index;
use super::object::{self, Commit, Oid};

pub struct Repo {
    /// `/app/.git`
    pub git_dir: String,
    /// `/app`
    pub work: String,
}

impl Repo {
    /// The repository the directory `cwd` is in, looking up through its parents.
    pub fn discover(fs: &dyn Vfs, cwd: &str) -> Option<Repo> {
        let mut dir = cwd.to_string();
        loop {
            let git_dir = vfs::normalize(&dir, ".git");
            if fs
                .metadata(&format!("{git_dir}/HEAD"))
                .is_ok_and(|m| m.is_file())
                && fs.metadata(&format!("{git_dir}/objects")).is_ok()
            {
                return Some(Repo { git_dir, work: dir });
            }
            if dir == "/" {
                return None;
            }
            dir = vfs::normalize(&dir, "..");
        }
    }

    pub fn path(&self, rel: &str) -> String {
        format!("{}/{rel}", self.git_dir)
    }

    /// A work-tree path ("sub/b.txt") as an absolute filesystem path.
    pub fn work_path(&self, rel: &str) -> String {
        vfs::normalize(&self.work, rel)
    }

    pub fn read_index(&self, fs: &dyn Vfs) -> Index {
        fs.read(&self.path("index"))
            .ok()
            .and_then(|d| Index::parse(&d))
            .unwrap_or_default()
    }

    pub fn write_index(&self, fs: &mut dyn Vfs, index: &Index) -> std::io::Result<()> {
        fs.write(&self.path("index"), &index.serialize(), false)
    }

    /// What HEAD names: `Ok(branch)` for `ref: refs/heads/branch`, `Err(oid)` detached.
    pub fn head(&self, fs: &dyn Vfs) -> Result<String, Option<Oid>> {
        let text = fs
            .read(&self.path("HEAD"))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        match text.trim().strip_prefix("ref: ") {
            Some(r) => Ok(r.strip_prefix("refs/heads/").unwrap_or(r).to_string()),
            None => Err(Oid::from_hex(text.trim())),
        }
    }

    /// The commit HEAD points at; None on an unborn branch.
    pub fn head_commit(&self, fs: &dyn Vfs) -> Option<Oid> {
        match self.head(fs) {
            Ok(branch) => self.branch(fs, &branch),
            Err(oid) => oid,
        }
    }

    pub fn set_head_branch(&self, fs: &mut dyn Vfs, branch: &str) -> std::io::Result<()> {
        fs.write(
            &self.path("HEAD"),
            format!("ref: refs/heads/{branch}\n").as_bytes(),
            false,
        )
    }

    pub fn branch(&self, fs: &dyn Vfs, name: &str) -> Option<Oid> {
        self.reference(fs, &format!("refs/heads/{name}"))
    }

    /// A full ref name's value, loose or packed.
    pub fn reference(&self, fs: &dyn Vfs, name: &str) -> Option<Oid> {
        if let Ok(b) = fs.read(&self.path(name)) {
            return Oid::from_hex(&String::from_utf8_lossy(&b));
        }
        let packed = fs.read(&self.path("packed-refs")).ok()?;
        String::from_utf8_lossy(&packed).lines().find_map(|l| {
            let (id, r) = l.split_once(' ')?;
            (r == name).then(|| Oid::from_hex(id)).flatten()
        })
    }

    /// Branch names, sorted.
    pub fn branches(&self, fs: &dyn Vfs) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_refs(fs, "refs/heads", "", &mut out);
        if let Ok(packed) = fs.read(&self.path("packed-refs")) {
            for l in String::from_utf8_lossy(&packed).lines() {
                if let Some(name) = l
                    .split_once(' ')
                    .and_then(|(_, r)| r.strip_prefix("refs/heads/"))
                {
                    out.push(name.to_string());
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn collect_refs(&self, fs: &dyn Vfs, dir: &str, prefix: &str, out: &mut Vec<String>) {
        for e in fs.read_dir(&self.path(dir)).unwrap_or_default() {
            let name = format!("{prefix}{}", e.name);
            if e.file_type == vfs::FileType::Dir {
                self.collect_refs(fs, &format!("{dir}/{}", e.name), &format!("{name}/"), out);
            } else {
                out.push(name);
            }
        }
    }

    pub fn set_branch(&self, fs: &mut dyn Vfs, name: &str, oid: &Oid) -> std::io::Result<()> {
        let path = self.path(&format!("refs/heads/{name}"));
        if let Some((parent, _)) = path.rsplit_once('/') {
            vfs::create_dir_all(fs, parent)?;
        }
        fs.write(&path, format!("{}\n", oid.hex()).as_bytes(), false)
    }

    pub fn delete_branch(&self, fs: &mut dyn Vfs, name: &str) {
        let _ = fs.remove_file(&self.path(&format!("refs/heads/{name}")));
        let _ = fs.remove_file(&self.path(&format!("logs/refs/heads/{name}")));
        if let Ok(packed) = fs.read(&self.path("packed-refs")) {
            let want = format!("refs/heads/{name}");
            let kept: String = String::from_utf8_lossy(&packed)
                .lines()
                .filter(|l| l.split_once(' ').is_none_or(|(_, r)| r != want))
                .map(|l| format!("{l}\n"))
                .collect();
            let _ = fs.write(&self.path("packed-refs"), kept.as_bytes(), false);
        }
    }

    /// Appends a reflog line, as `core.logAllRefUpdates` makes git do.
    pub fn log_ref(
        &self,
        fs: &mut dyn Vfs,
        name: &str,
        old: Option<Oid>,
        new: &Oid,
        who: &str,
        msg: &str,
    ) {
        let path = self.path(&format!("logs/{name}"));
        if let Some((parent, _)) = path.rsplit_once('/') {
            let _ = vfs::create_dir_all(fs, parent);
        }
        let line = format!(
            "{} {} {who}\t{msg}\n",
            old.unwrap_or(Oid::ZERO).hex(),
            new.hex()
        );
        let _ = fs.write(&path, line.as_bytes(), true);
    }

    pub fn commit(&self, fs: &dyn Vfs, oid: &Oid) -> Option<Commit> {
        match object::read(fs, &self.git_dir, oid)? {
            (kind, body) if kind == "commit" => Commit::parse(&body),
            _ => None,
        }
    }

    /// A revision as the simple commands take it: HEAD, a branch, a full or
    /// abbreviated id, with `~N` / `^` suffixes.
    pub fn resolve(&self, fs: &dyn Vfs, rev: &str) -> Option<Oid> {
        let (base, mut steps) = split_rev(rev)?;
        let mut oid = if base == "HEAD" || base == "@" {
            self.head_commit(fs)?
        } else if let Some(o) = self
            .reference(fs, base)
            .or_else(|| self.branch(fs, base))
            .or_else(|| self.reference(fs, &format!("refs/tags/{base}")))
        {
            o
        } else {
            self.abbreviated(fs, base)?
        };
        while steps > 0 {
            oid = *self.commit(fs, &oid)?.parents.first()?;
            steps -= 1;
        }
        Some(oid)
    }

    fn abbreviated(&self, fs: &dyn Vfs, text: &str) -> Option<Oid> {
        if text.len() < 4 || text.len() > 40 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let text = text.to_ascii_lowercase();
        if text.len() == 40 {
            let oid = Oid::from_hex(&text)?;
            return object::exists(fs, &self.git_dir, &oid).then_some(oid);
        }
        let dir = self.path(&format!("objects/{}", &text[..2]));
        let found: Vec<String> = fs
            .read_dir(&dir)
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.name.starts_with(&text[2..]))
            .map(|e| e.name)
            .collect();
        match found.as_slice() {
            [one] => Oid::from_hex(&format!("{}{one}", &text[..2])),
            _ => None,
        }
    }
}

/// `HEAD~2` → ("HEAD", 2); `main^^` → ("main", 2).
fn split_rev(rev: &str) -> Option<(&str, usize)> {
    let cut = rev.find(['~', '^']).unwrap_or(rev.len());
    let (base, mut rest) = rev.split_at(cut);
    let mut steps = 0;
    while !rest.is_empty() {
        let op = rest.as_bytes()[0];
        rest = &rest[1..];
        let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
        rest = &rest[digits.len()..];
        let n: usize = if digits.is_empty() {
            1
        } else {
            digits.parse().ok()?
        };
        if op == b'^' && n > 1 {
            return None;
        }
        steps += n;
    }
    (!base.is_empty()).then_some((base, steps))
}

/// One config file's contents, kept as lines so edits keep everything else.
#[derive(Clone, Debug, Default)]
pub struct ConfigFile {
    pub lines: Vec<String>,
}

/// `[branch "main"]` → `branch.main`; `[core]` → `core`.
fn section_name(line: &str) -> Option<String> {
    let inner = line.trim().strip_prefix('[')?.split(']').next()?.trim();
    match inner.split_once(' ') {
        Some((s, sub)) => Some(format!(
            "{}.{}",
            s.to_ascii_lowercase(),
            sub.trim().trim_matches('"')
        )),
        None => Some(inner.to_ascii_lowercase()),
    }
}

fn parse_value(raw: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    let mut chars = raw.trim().chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => {}
            },
            ';' | '#' if !quoted => break,
            c => out.push(c),
        }
    }
    if !quoted {
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
    }
    out
}

/// A value as git writes it: quoted when spaces at its ends or comment characters
/// would otherwise change it.
fn format_value(value: &str) -> String {
    let mut body = String::new();
    for c in value.chars() {
        match c {
            '"' => body.push_str("\\\""),
            '\\' => body.push_str("\\\\"),
            '\n' => body.push_str("\\n"),
            '\t' => body.push_str("\\t"),
            c => body.push(c),
        }
    }
    let needs_quotes = value.starts_with(' ')
        || value.ends_with(' ')
        || value.contains(';')
        || value.contains('#');
    if needs_quotes {
        format!("\"{body}\"")
    } else {
        body
    }
}

/// `user.name` → ("user", "name"); `branch.main.remote` → ("branch.main", "remote").
pub fn split_key(key: &str) -> Option<(String, String)> {
    let (section, name) = key.rsplit_once('.')?;
    if section.is_empty() || name.is_empty() {
        return None;
    }
    let section = match section.split_once('.') {
        Some((s, sub)) => format!("{}.{sub}", s.to_ascii_lowercase()),
        None => section.to_ascii_lowercase(),
    };
    Some((section, name.to_ascii_lowercase()))
}

impl ConfigFile {
    pub fn parse(text: &str) -> ConfigFile {
        ConfigFile {
            lines: text.lines().map(str::to_string).collect(),
        }
    }

    pub fn text(&self) -> String {
        self.lines.iter().map(|l| format!("{l}\n")).collect()
    }

    /// Every `section.key=value`, in file order (keys lowercased, as `git config -l`).
    pub fn entries(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut section = String::new();
        for line in &self.lines {
            let t = line.trim();
            if t.starts_with('[') {
                section = section_name(t).unwrap_or_default();
                let after = t.split_once(']').map(|(_, r)| r.trim()).unwrap_or("");
                if after.is_empty() || after.starts_with(['#', ';']) {
                    continue;
                }
                push_entry(&mut out, &section, after);
            } else if !t.is_empty() && !t.starts_with(['#', ';']) {
                push_entry(&mut out, &section, t);
            }
        }
        out
    }

    pub fn get(&self, key: &str) -> Option<String> {
        let (s, k) = split_key(key)?;
        let want = format!("{s}.{k}");
        self.entries()
            .into_iter()
            .rfind(|(name, _)| *name == want)
            .map(|(_, v)| v)
    }

    /// Sets (or replaces the last) `key`, adding its section at the end if missing.
    pub fn set(&mut self, key: &str, value: &str) {
        let Some((section, name)) = split_key(key) else {
            return;
        };
        let line = format!(
            "\t{} = {}",
            key.rsplit_once('.').map_or(key, |(_, n)| n),
            format_value(value)
        );
        let mut current = String::new();
        let mut last_in_section = None;
        let mut existing = None;
        for (i, l) in self.lines.iter().enumerate() {
            let t = l.trim();
            if t.starts_with('[') {
                current = section_name(t).unwrap_or_default();
                if current == section {
                    last_in_section = Some(i);
                }
                continue;
            }
            if current == section {
                last_in_section = Some(i);
                let k = t
                    .split(['=', ' ', '\t'])
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                if k == name {
                    existing = Some(i);
                }
            }
        }
        match (existing, last_in_section) {
            (Some(i), _) => self.lines[i] = line,
            (None, Some(i)) => self.lines.insert(i + 1, line),
            (None, None) => {
                let header = match section.split_once('.') {
                    Some((s, sub)) => format!("[{s} \"{sub}\"]"),
                    None => format!("[{section}]"),
                };
                self.lines.push(header);
                self.lines.push(line);
            }
        }
    }

    /// Removes `key`; false if it was not set.
    pub fn unset(&mut self, key: &str) -> bool {
        let Some((section, name)) = split_key(key) else {
            return false;
        };
        let mut current = String::new();
        let before = self.lines.len();
        self.lines.retain(|l| {
            let t = l.trim();
            if t.starts_with('[') {
                current = section_name(t).unwrap_or_default();
                return true;
            }
            let k = t
                .split(['=', ' ', '\t'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            !(current == section && k == name)
        });
        self.lines.len() != before
    }
}

fn push_entry(out: &mut Vec<(String, String)>, section: &str, line: &str) {
    let (k, v) = match line.split_once('=') {
        Some((k, v)) => (k.trim(), parse_value(v)),
        None => (line.trim(), "true".to_string()),
    };
    out.push((format!("{section}.{}", k.to_ascii_lowercase()), v));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_edits_keep_git_syntax() {
        let mut c = ConfigFile::parse("[core]\n\trepositoryformatversion = 0\n\tbare = false\n");
        c.set("user.name", "Ada Lovelace");
        c.set("user.email", "ada@example.com");
        c.set("user.name", "Ada");
        c.set("core.comment", "a # b");
        assert_eq!(
            c.text(),
            "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tcomment = \"a # b\"\n\
             [user]\n\tname = Ada\n\temail = ada@example.com\n"
        );
        assert_eq!(c.get("User.Name").as_deref(), Some("Ada"));
        assert_eq!(c.get("core.comment").as_deref(), Some("a # b"));
        assert!(c.unset("user.name"));
        assert_eq!(c.get("user.name"), None);
        c.set("branch.main.remote", "origin");
        assert!(c.text().ends_with("[branch \"main\"]\n\tremote = origin\n"));
        assert_eq!(c.get("branch.main.remote").as_deref(), Some("origin"));
    }

    #[test]
    fn revisions_split_into_base_and_steps() {
        assert_eq!(split_rev("HEAD~2"), Some(("HEAD", 2)));
        assert_eq!(split_rev("main^^"), Some(("main", 2)));
        assert_eq!(split_rev("HEAD"), Some(("HEAD", 0)));
        assert_eq!(split_rev("~1"), None);
    }
}
