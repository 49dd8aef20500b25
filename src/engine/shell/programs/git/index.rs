//! The staging area in git's own binary format (`.git/index`, "DIRC" version 2), so a
//! real git reading the container's files sees what was staged. Extensions (the cached
//! tree and others) are skipped when read and never written: git rebuilds them.

use sha1::{Digest, Sha1};

use super::object::Oid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub ctime: u32,
    pub ctime_ns: u32,
    pub mtime: u32,
    pub mtime_ns: u32,
    pub dev: u32,
    pub ino: u32,
    /// 0o100644, 0o100755 or 0o120000.
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u32,
    pub oid: Oid,
    /// Slash-separated, relative to the work tree.
    pub path: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Index {
    /// Sorted by path bytes, one entry per path (merge stages are never written).
    pub entries: Vec<Entry>,
}

impl Index {
    pub fn parse(data: &[u8]) -> Option<Index> {
        if data.len() < 12 + 20 || &data[..4] != b"DIRC" {
            return None;
        }
        let be32 = |at: usize| -> Option<u32> {
            Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
        };
        let version = be32(4)?;
        if !(2..=3).contains(&version) {
            return None;
        }
        let count = be32(8)? as usize;
        let mut at = 12;
        let mut entries = Vec::with_capacity(count.min(1 << 16));
        for _ in 0..count {
            let field = |i: usize| be32(at + 4 * i);
            let ctime = field(0)?;
            let ctime_ns = field(1)?;
            let mtime = field(2)?;
            let mtime_ns = field(3)?;
            let dev = field(4)?;
            let ino = field(5)?;
            let mode = field(6)?;
            let uid = field(7)?;
            let gid = field(8)?;
            let size = field(9)?;
            let mut id = [0u8; 20];
            id.copy_from_slice(data.get(at + 40..at + 60)?);
            let flags = u16::from_be_bytes(data.get(at + 60..at + 62)?.try_into().ok()?);
            let mut name_at = at + 62;
            if version == 3 && flags & 0x4000 != 0 {
                name_at += 2;
            }
            let nul = data.get(name_at..)?.iter().position(|b| *b == 0)?;
            let path = String::from_utf8_lossy(&data[name_at..name_at + nul]).into_owned();
            let len = name_at - at + nul;
            at += (len + 8) & !7;
            // Conflict stages are not simulated; keep stage 0 only.
            if (flags >> 12) & 3 != 0 {
                continue;
            }
            entries.push(Entry {
                ctime,
                ctime_ns,
                mtime,
                mtime_ns,
                dev,
                ino,
                mode,
                uid,
                gid,
                size,
                oid: Oid(id),
                path,
            });
        }
        Some(Index { entries })
    }

    pub fn serialize(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(b"DIRC");
        out.extend_from_slice(&2u32.to_be_bytes());
        out.extend_from_slice(&(self.entries.len() as u32).to_be_bytes());
        for e in &self.entries {
            let start = out.len();
            for v in [
                e.ctime, e.ctime_ns, e.mtime, e.mtime_ns, e.dev, e.ino, e.mode, e.uid, e.gid,
                e.size,
            ] {
                out.extend_from_slice(&v.to_be_bytes());
            }
            out.extend_from_slice(&e.oid.0);
            let flags = e.path.len().min(0xfff) as u16;
            out.extend_from_slice(&flags.to_be_bytes());
            out.extend_from_slice(e.path.as_bytes());
            let len = out.len() - start;
            let padded = (len + 8) & !7;
            out.resize(start + padded, 0);
        }
        let sum: [u8; 20] = Sha1::digest(&out).into();
        out.extend_from_slice(&sum);
        out
    }

    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.find(path).ok().map(|i| &self.entries[i])
    }

    fn find(&self, path: &str) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|e| e.path.as_bytes().cmp(path.as_bytes()))
    }

    pub fn insert(&mut self, entry: Entry) {
        // A file replaces a directory of the same name and the other way round.
        let dir = format!("{}/", entry.path);
        self.entries.retain(|e| !e.path.starts_with(&dir));
        let mut parent = entry.path.as_str();
        while let Some((p, _)) = parent.rsplit_once('/') {
            self.remove(p);
            parent = p;
        }
        match self.find(&entry.path) {
            Ok(i) => self.entries[i] = entry,
            Err(i) => self.entries.insert(i, entry),
        }
    }

    pub fn remove(&mut self, path: &str) -> bool {
        match self.find(path) {
            Ok(i) => {
                self.entries.remove(i);
                true
            }
            Err(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> Entry {
        Entry {
            ctime: 1,
            ctime_ns: 0,
            mtime: 2,
            mtime_ns: 0,
            dev: 0,
            ino: 7,
            mode: 0o100644,
            uid: 0,
            gid: 0,
            size: 6,
            oid: super::super::object::hash("blob", b"hello\n"),
            path: path.into(),
        }
    }

    #[test]
    fn an_index_survives_a_roundtrip_and_pads_as_git_does() {
        let mut index = Index::default();
        index.insert(entry("sub/b.txt"));
        index.insert(entry("a.txt"));
        let data = index.serialize();
        // Header, two entries of 62 bytes + name padded to 8, checksum.
        assert_eq!(data.len(), 12 + 72 + 72 + 20);
        assert_eq!(&data[..4], b"DIRC");
        assert_eq!(Index::parse(&data), Some(index.clone()));
        assert_eq!(index.entries[0].path, "a.txt");
    }

    #[test]
    fn writes_byte_for_byte_what_real_git_wrote() {
        // `.git/index` after `printf 'hello\n' > a.txt; git add a.txt` with git 2.47
        // (the stat fields are that machine's).
        let real = hex::decode(concat!(
            "4449524300000002000000016b130abc097542296b130abc097542290000fe00",
            "0099223a000081a4000000000000000000000006ce013625030ba8dba906f756",
            "967f9e9ca394464a0005612e7478740000000000fb5ffde8ad84f4e96a7dbdce",
            "fa5fbdacce47a4a1"
        ))
        .unwrap();
        let index = Index::parse(&real).unwrap();
        assert_eq!(index.entries.len(), 1);
        assert_eq!(index.entries[0].path, "a.txt");
        assert_eq!(index.entries[0].size, 6);
        assert_eq!(index.entries[0].mode, 0o100644);
        assert_eq!(index.serialize(), real);
        // A cached-tree extension after the entries is skipped.
        let mut with_ext = real[..real.len() - 20].to_vec();
        with_ext.extend_from_slice(b"TREE\0\0\0\x00");
        with_ext.extend_from_slice(&[0u8; 20]);
        assert_eq!(Index::parse(&with_ext), Some(index));
    }

    #[test]
    fn a_file_replaces_a_directory_of_its_name() {
        let mut index = Index::default();
        index.insert(entry("d/x"));
        index.insert(entry("d"));
        assert_eq!(index.entries.len(), 1);
        index.insert(entry("d/y"));
        assert_eq!(index.entries[0].path, "d/y");
        assert!(Index::parse(b"nope").is_none());
    }
}
