//! Git's object database as loose objects: ids are SHA-1 over `"<kind> <len>\0" +
//! body`, files are `objects/xx/yyyy...` holding the zlib-compressed header and body,
//! exactly as git writes them, so the ids equal real git's for the same content.
//! Also the two structured kinds the simulation writes, trees and commits.

use std::io::{Read, Write};

use sha1::{Digest, Sha1};

use crate::engine::shell::vfs::Vfs;

/// A 20-byte object id.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct Oid(pub [u8; 20]);

impl Oid {
    pub const ZERO: Oid = Oid([0; 20]);

    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }

    /// The 7-digit abbreviation git prints for a small repository.
    pub fn short(&self) -> String {
        self.hex()[..7].to_string()
    }

    pub fn from_hex(text: &str) -> Option<Oid> {
        let bytes = hex::decode(text.trim()).ok()?;
        let arr: [u8; 20] = bytes.try_into().ok()?;
        Some(Oid(arr))
    }
}

/// The id git gives `body` as an object of `kind` ("blob", "tree", "commit").
pub fn hash(kind: &str, body: &[u8]) -> Oid {
    let mut h = Sha1::new();
    h.update(format!("{kind} {}\0", body.len()).as_bytes());
    h.update(body);
    Oid(h.finalize().into())
}

fn path_of(git_dir: &str, oid: &Oid) -> (String, String) {
    let hex = oid.hex();
    let dir = format!("{git_dir}/objects/{}", &hex[..2]);
    let file = format!("{dir}/{}", &hex[2..]);
    (dir, file)
}

/// Stores an object (if it is not there yet) and returns its id.
pub fn write(fs: &mut dyn Vfs, git_dir: &str, kind: &str, body: &[u8]) -> std::io::Result<Oid> {
    let oid = hash(kind, body);
    let (dir, file) = path_of(git_dir, &oid);
    if fs.exists(&file) {
        return Ok(oid);
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(format!("{kind} {}\0", body.len()).as_bytes())?;
    z.write_all(body)?;
    let data = z.finish()?;
    if !fs.exists(&dir) {
        fs.create_dir(&dir)?;
    }
    fs.write(&file, &data, false)?;
    // Loose objects are read-only, as git leaves them.
    let _ = fs.set_mode(&file, 0o444);
    Ok(oid)
}

/// An object's kind and body, or None when it is missing or damaged.
pub fn read(fs: &dyn Vfs, git_dir: &str, oid: &Oid) -> Option<(String, Vec<u8>)> {
    let (_, file) = path_of(git_dir, oid);
    let data = fs.read(&file).ok()?;
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&data[..])
        .take(256 << 20)
        .read_to_end(&mut raw)
        .ok()?;
    let nul = raw.iter().position(|b| *b == 0)?;
    let header = std::str::from_utf8(&raw[..nul]).ok()?;
    let (kind, len) = header.split_once(' ')?;
    let len: usize = len.parse().ok()?;
    let body = raw[nul + 1..].to_vec();
    (body.len() == len).then(|| (kind.to_string(), body))
}

pub fn exists(fs: &dyn Vfs, git_dir: &str, oid: &Oid) -> bool {
    fs.exists(&path_of(git_dir, oid).1)
}

/// One line of a tree: mode (0o100644, 0o100755, 0o120000, 0o40000), name, id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeEntry {
    pub mode: u32,
    pub name: String,
    pub oid: Oid,
}

impl TreeEntry {
    pub fn is_tree(&self) -> bool {
        self.mode == 0o40000
    }
}

/// Git orders a tree's entries by name, a subtree's name compared as if it ended in '/'.
fn tree_key(e: &TreeEntry) -> Vec<u8> {
    let mut k = e.name.as_bytes().to_vec();
    if e.is_tree() {
        k.push(b'/');
    }
    k
}

pub fn tree_body(entries: &mut [TreeEntry]) -> Vec<u8> {
    entries.sort_by_key(tree_key);
    let mut out = Vec::new();
    for e in entries.iter() {
        out.extend_from_slice(format!("{:o} {}\0", e.mode, e.name).as_bytes());
        out.extend_from_slice(&e.oid.0);
    }
    out
}

pub fn parse_tree(body: &[u8]) -> Vec<TreeEntry> {
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let Some(sp) = rest.iter().position(|b| *b == b' ') else {
            break;
        };
        let Some(nul) = rest.iter().position(|b| *b == 0) else {
            break;
        };
        if nul < sp || rest.len() < nul + 21 {
            break;
        }
        let mode = u32::from_str_radix(&String::from_utf8_lossy(&rest[..sp]), 8).unwrap_or(0);
        let name = String::from_utf8_lossy(&rest[sp + 1..nul]).into_owned();
        let mut id = [0u8; 20];
        id.copy_from_slice(&rest[nul + 1..nul + 21]);
        out.push(TreeEntry {
            mode,
            name,
            oid: Oid(id),
        });
        rest = &rest[nul + 21..];
    }
    out
}

/// A commit as git stores it. `author` and `committer` are whole ident lines'
/// values: `Name <email> 1767225600 +0000`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    pub tree: Oid,
    pub parents: Vec<Oid>,
    pub author: String,
    pub committer: String,
    pub message: String,
}

impl Commit {
    pub fn body(&self) -> Vec<u8> {
        let mut s = format!("tree {}\n", self.tree.hex());
        for p in &self.parents {
            s.push_str(&format!("parent {}\n", p.hex()));
        }
        s.push_str(&format!(
            "author {}\ncommitter {}\n\n{}",
            self.author, self.committer, self.message
        ));
        s.into_bytes()
    }

    pub fn parse(body: &[u8]) -> Option<Commit> {
        let text = String::from_utf8_lossy(body);
        let (head, message) = text.split_once("\n\n").unwrap_or((&text, ""));
        let mut c = Commit {
            tree: Oid::ZERO,
            parents: Vec::new(),
            author: String::new(),
            committer: String::new(),
            message: message.to_string(),
        };
        for line in head.lines() {
            let (k, v) = line.split_once(' ').unwrap_or((line, ""));
            match k {
                "tree" => c.tree = Oid::from_hex(v)?,
                "parent" => c.parents.push(Oid::from_hex(v)?),
                "author" => c.author = v.to_string(),
                "committer" => c.committer = v.to_string(),
                _ => {}
            }
        }
        Some(c)
    }

    /// The first line of the message.
    pub fn subject(&self) -> &str {
        self.message.lines().next().unwrap_or("")
    }
}

/// An ident's parts: `Name <email>`, seconds, zone (`+0000`).
pub fn split_ident(ident: &str) -> (&str, i64, &str) {
    let Some(close) = ident.rfind('>') else {
        return (ident, 0, "+0000");
    };
    let who = &ident[..=close];
    let mut rest = ident[close + 1..].split_whitespace();
    let secs = rest.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let zone = rest.next().unwrap_or("+0000");
    (who, secs, zone)
}

/// A commit's date as `git log` prints it by default: `Thu Jan 1 00:00:00 2026 +0000`.
pub fn log_date(secs: i64, zone: &str) -> String {
    let offset = zone_seconds(zone);
    let t = chrono::DateTime::from_timestamp(secs + offset, 0).unwrap_or_default();
    format!("{} {zone}", t.format("%a %b %-d %H:%M:%S %Y"))
}

fn zone_seconds(zone: &str) -> i64 {
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let digits = zone.trim_start_matches(['+', '-']);
    let n: i64 = digits.parse().unwrap_or(0);
    sign * ((n / 100) * 3600 + (n % 100) * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_are_gits() {
        // `printf 'hello\n' | git hash-object --stdin`
        assert_eq!(
            hash("blob", b"hello\n").hex(),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        // The empty blob and the empty tree every git knows.
        assert_eq!(
            hash("blob", b"").hex(),
            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
        );
        assert_eq!(
            hash("tree", b"").hex(),
            "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
        );
    }

    #[test]
    fn a_commit_id_equals_real_gits() {
        // Obtained with git 2.47 in an empty directory: `printf 'hello\n' > a.txt;
        // git add a.txt; GIT_AUTHOR_DATE=2026-01-01T00:00:00Z
        // GIT_COMMITTER_DATE=2026-01-01T00:00:00Z git -c user.name='Ada Lovelace'
        // -c user.email=ada@example.com commit -m first; git rev-parse HEAD`.
        let blob = hash("blob", b"hello\n");
        let mut entries = vec![TreeEntry {
            mode: 0o100644,
            name: "a.txt".into(),
            oid: blob,
        }];
        let tree = hash("tree", &tree_body(&mut entries));
        let ident = "Ada Lovelace <ada@example.com> 1767225600 +0000".to_string();
        let commit = Commit {
            tree,
            parents: vec![],
            author: ident.clone(),
            committer: ident,
            message: "first\n".into(),
        };
        assert_eq!(
            hash("commit", &commit.body()).hex(),
            "500a489654edb0efe816d8f416b9613f787d3e42"
        );
        assert_eq!(Commit::parse(&commit.body()), Some(commit));
    }

    #[test]
    fn trees_sort_subtrees_as_if_they_ended_in_a_slash() {
        let z = Oid::ZERO;
        let mut entries = vec![
            TreeEntry {
                mode: 0o40000,
                name: "a".into(),
                oid: z,
            },
            TreeEntry {
                mode: 0o100644,
                name: "a.txt".into(),
                oid: z,
            },
            TreeEntry {
                mode: 0o100644,
                name: "a-b".into(),
                oid: z,
            },
        ];
        let body = tree_body(&mut entries);
        let names: Vec<String> = parse_tree(&body).into_iter().map(|e| e.name).collect();
        // '-' < '.' < '/': the directory "a" sorts last.
        assert_eq!(names, ["a-b", "a.txt", "a"]);
    }

    #[test]
    fn dates_print_as_git_log_prints_them() {
        assert_eq!(
            log_date(1767225600, "+0000"),
            "Thu Jan 1 00:00:00 2026 +0000"
        );
        assert_eq!(split_ident("A B <a@b> 5 +0000"), ("A B <a@b>", 5, "+0000"));
    }
}
