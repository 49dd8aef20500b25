//! The filesystem seam the shell runs over, and its host-directory implementation.
//!
//! `WorkspaceFs` is a jail: the virtual "/" is the workspace root, and every path,
//! symlinks included, is resolved here component by component so the operating system
//! never follows a link we have not checked.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

/// What kind of object a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    File,
    Dir,
    Symlink,
}

/// The subset of `stat` the utilities need. `mtime` is seconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metadata {
    pub file_type: FileType,
    pub len: u64,
    /// Permission bits only (`0o755`), no file-type bits.
    pub mode: u32,
    pub mtime: i64,
    /// Owner and group as numbers; utilities map them to names through /etc/passwd
    /// and /etc/group of the same filesystem.
    pub uid: u32,
    pub gid: u32,
    /// Hard link count (2 and up for directories).
    pub nlink: u64,
    /// Inode number; names sharing one are hard links to the same file.
    pub ino: u64,
}

impl Metadata {
    pub fn is_dir(&self) -> bool {
        self.file_type == FileType::Dir
    }
    pub fn is_file(&self) -> bool {
        self.file_type == FileType::File
    }
    pub fn is_symlink(&self) -> bool {
        self.file_type == FileType::Symlink
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub file_type: FileType,
}

/// A filesystem addressed by absolute, normalised virtual paths ("/", "/a/b").
pub trait Vfs {
    /// Follows symlinks.
    fn metadata(&self, path: &str) -> io::Result<Metadata>;
    fn symlink_metadata(&self, path: &str) -> io::Result<Metadata>;
    fn read(&self, path: &str) -> io::Result<Vec<u8>>;
    /// Creates the file if missing; follows a final symlink like `open(2)` does.
    fn write(&mut self, path: &str, data: &[u8], append: bool) -> io::Result<()>;
    /// Sorted by name, without "." and "..".
    fn read_dir(&self, path: &str) -> io::Result<Vec<DirEntry>>;
    fn create_dir(&mut self, path: &str) -> io::Result<()>;
    fn remove_file(&mut self, path: &str) -> io::Result<()>;
    fn remove_dir(&mut self, path: &str) -> io::Result<()>;
    fn rename(&mut self, from: &str, to: &str) -> io::Result<()>;
    fn set_mode(&mut self, path: &str, mode: u32) -> io::Result<()>;
    /// Seconds since the Unix epoch.
    fn set_mtime(&mut self, path: &str, mtime: i64) -> io::Result<()>;
    fn symlink(&mut self, target: &str, path: &str) -> io::Result<()>;
    fn read_link(&self, path: &str) -> io::Result<String>;
    /// A second name for the file at `existing` (not following a final symlink, as
    /// busybox `ln` does not).
    fn hard_link(&mut self, existing: &str, path: &str) -> io::Result<()> {
        let _ = (existing, path);
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "Operation not permitted",
        ))
    }

    /// The uid and gid the process runs as, which what it creates belongs to.
    fn owner(&self) -> (u32, u32) {
        (0, 0)
    }

    fn exists(&self, path: &str) -> bool {
        self.metadata(path).is_ok()
    }
}

/// Makes `path` and any missing parent as directories (`mkdir -p`). A component that
/// exists but is not a directory is `AlreadyExists`.
pub fn create_dir_all(fs: &mut dyn Vfs, path: &str) -> io::Result<()> {
    let mut at = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        at.push('/');
        at.push_str(part);
        match fs.metadata(&at) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(io::Error::from(io::ErrorKind::AlreadyExists)),
            Err(_) => fs.create_dir(&at)?,
        }
    }
    Ok(())
}

/// Removes `path` and everything below it, following no symlink (`rm -r`).
pub fn remove_tree(fs: &mut dyn Vfs, path: &str) -> io::Result<()> {
    if fs.symlink_metadata(path)?.is_dir() {
        for e in fs.read_dir(path)? {
            remove_tree(fs, &normalize(path, &e.name))?;
        }
        fs.remove_dir(path)
    } else {
        fs.remove_file(path)
    }
}

/// Joins `path` onto `cwd` and removes ".", ".." and repeated slashes lexically.
/// ".." at "/" stays at "/".
pub fn normalize(cwd: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let full = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{cwd}/{path}")
    };
    for comp in full.split('/') {
        match comp {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    if parts.is_empty() {
        "/".to_string()
    } else {
        format!("/{}", parts.join("/"))
    }
}

/// The last component of a virtual path ("/" for the root).
pub fn file_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// The parent of a normalised virtual path.
pub fn parent(path: &str) -> String {
    match path.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(i) => path[..i].to_string(),
    }
}

const MAX_SYMLINK_HOPS: usize = 40;

/// A host directory seen as a whole filesystem (chroot semantics).
#[derive(Clone, Debug)]
pub struct WorkspaceFs {
    root: PathBuf,
}

impl WorkspaceFs {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        WorkspaceFs { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Maps a virtual path to a host path inside the root. Every symlink met on the way
    /// (and the last one too when `follow_last`) is read and re-resolved inside the jail,
    /// so the host path returned contains no symlink except possibly its last component.
    pub fn resolve(&self, path: &str, follow_last: bool) -> io::Result<PathBuf> {
        let mut stack: Vec<String> = Vec::new();
        let mut pending: Vec<String> = components_reversed(path);
        let mut hops = 0;
        while let Some(comp) = pending.pop() {
            match comp.as_str() {
                "" | "." => continue,
                ".." => {
                    stack.pop();
                    continue;
                }
                _ => {}
            }
            if !safe_component(&comp) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "Invalid argument",
                ));
            }
            stack.push(comp);
            let is_last = pending.iter().all(|c| c.is_empty() || c == ".");
            if is_last && !follow_last {
                break;
            }
            let host = self.host_path(&stack);
            let Ok(meta) = std::fs::symlink_metadata(&host) else {
                continue;
            };
            if !meta.file_type().is_symlink() {
                continue;
            }
            hops += 1;
            if hops > MAX_SYMLINK_HOPS {
                return Err(io::Error::other("Symbolic link loop"));
            }
            let target = std::fs::read_link(&host)?;
            let target = target.to_string_lossy().replace('\\', "/");
            stack.pop();
            if target.starts_with('/') {
                stack.clear();
            }
            pending.extend(components_reversed(&target));
        }
        Ok(self.host_path(&stack))
    }

    fn host_path(&self, stack: &[String]) -> PathBuf {
        let mut p = self.root.clone();
        for c in stack {
            p.push(c);
        }
        p
    }
}

fn components_reversed(path: &str) -> Vec<String> {
    path.split('/').rev().map(str::to_string).collect()
}

/// Rejects components a host `PathBuf::push` could reinterpret as a new root.
fn safe_component(comp: &str) -> bool {
    if cfg!(windows) {
        !comp.contains(['\\', ':'])
    } else {
        !comp.contains('\0')
    }
}

fn convert_metadata(meta: &std::fs::Metadata) -> Metadata {
    let ft = meta.file_type();
    let file_type = if ft.is_symlink() {
        FileType::Symlink
    } else if ft.is_dir() {
        FileType::Dir
    } else {
        FileType::File
    };
    let mtime = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let (nlink, ino) = host_links(meta, file_type);
    Metadata {
        file_type,
        len: meta.len(),
        mode: host_mode(meta, file_type),
        mtime,
        // The workspace is presented as root's, as a container's filesystem is: the
        // host's own uid differs between machines and would make output unstable.
        uid: 0,
        gid: 0,
        nlink,
        ino,
    }
}

#[cfg(unix)]
fn host_links(meta: &std::fs::Metadata, _ft: FileType) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.nlink(), meta.ino())
}

#[cfg(not(unix))]
fn host_links(_meta: &std::fs::Metadata, ft: FileType) -> (u64, u64) {
    (if ft == FileType::Dir { 2 } else { 1 }, 0)
}

#[cfg(unix)]
fn host_mode(meta: &std::fs::Metadata, _ft: FileType) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn host_mode(meta: &std::fs::Metadata, ft: FileType) -> u32 {
    let base = match ft {
        FileType::File => 0o644,
        _ => 0o755,
    };
    if meta.permissions().readonly() {
        base & !0o222
    } else {
        base
    }
}

impl Vfs for WorkspaceFs {
    fn metadata(&self, path: &str) -> io::Result<Metadata> {
        let host = self.resolve(path, true)?;
        Ok(convert_metadata(&std::fs::symlink_metadata(host)?))
    }

    fn symlink_metadata(&self, path: &str) -> io::Result<Metadata> {
        let host = self.resolve(path, false)?;
        Ok(convert_metadata(&std::fs::symlink_metadata(host)?))
    }

    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        let host = self.resolve(path, true)?;
        if std::fs::symlink_metadata(&host)?.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "Is a directory",
            ));
        }
        std::fs::read(host)
    }

    fn write(&mut self, path: &str, data: &[u8], append: bool) -> io::Result<()> {
        use std::io::Write;
        let host = self.resolve(path, true)?;
        if std::fs::symlink_metadata(&host).is_ok_and(|m| m.is_dir()) {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "Is a directory",
            ));
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(host)?;
        file.write_all(data)
    }

    fn read_dir(&self, path: &str) -> io::Result<Vec<DirEntry>> {
        let host = self.resolve(path, true)?;
        let mut out = Vec::new();
        for entry in std::fs::read_dir(host)? {
            let entry = entry?;
            let ft = entry.file_type()?;
            let file_type = if ft.is_symlink() {
                FileType::Symlink
            } else if ft.is_dir() {
                FileType::Dir
            } else {
                FileType::File
            };
            out.push(DirEntry {
                name: entry.file_name().to_string_lossy().into_owned(),
                file_type,
            });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn create_dir(&mut self, path: &str) -> io::Result<()> {
        std::fs::create_dir(self.resolve(path, false)?)
    }

    fn remove_file(&mut self, path: &str) -> io::Result<()> {
        let host = self.resolve(path, false)?;
        if std::fs::symlink_metadata(&host)?.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "Is a directory",
            ));
        }
        std::fs::remove_file(host)
    }

    fn remove_dir(&mut self, path: &str) -> io::Result<()> {
        std::fs::remove_dir(self.resolve(path, false)?)
    }

    fn rename(&mut self, from: &str, to: &str) -> io::Result<()> {
        std::fs::rename(self.resolve(from, false)?, self.resolve(to, false)?)
    }

    #[cfg(unix)]
    fn set_mode(&mut self, path: &str, mode: u32) -> io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let host = self.resolve(path, true)?;
        std::fs::set_permissions(host, std::fs::Permissions::from_mode(mode & 0o7777))
    }

    #[cfg(not(unix))]
    fn set_mode(&mut self, path: &str, mode: u32) -> io::Result<()> {
        let host = self.resolve(path, true)?;
        let mut perms = std::fs::metadata(&host)?.permissions();
        perms.set_readonly(mode & 0o200 == 0);
        std::fs::set_permissions(host, perms)
    }

    fn set_mtime(&mut self, path: &str, mtime: i64) -> io::Result<()> {
        let host = self.resolve(path, true)?;
        let time = if mtime >= 0 {
            UNIX_EPOCH + Duration::from_secs(mtime as u64)
        } else {
            UNIX_EPOCH
        };
        let file = std::fs::File::open(host)?;
        file.set_modified(time)
    }

    #[cfg(unix)]
    fn symlink(&mut self, target: &str, path: &str) -> io::Result<()> {
        // The target is stored verbatim; it is only ever followed by `resolve`.
        std::os::unix::fs::symlink(target, self.resolve(path, false)?)
    }

    #[cfg(not(unix))]
    fn symlink(&mut self, _target: &str, _path: &str) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "Operation not permitted",
        ))
    }

    fn read_link(&self, path: &str) -> io::Result<String> {
        let host = self.resolve(path, false)?;
        Ok(std::fs::read_link(host)?.to_string_lossy().into_owned())
    }

    fn hard_link(&mut self, existing: &str, path: &str) -> io::Result<()> {
        // Both ends are resolved inside the jail, and the last component of `existing`
        // is not followed: linking a symlink links the symlink itself, never a host
        // file it might name.
        let from = self.resolve(existing, false)?;
        let to = self.resolve(path, false)?;
        let meta = std::fs::symlink_metadata(&from)?;
        if meta.is_dir() {
            return Err(io::Error::other("Operation not permitted"));
        }
        if std::fs::symlink_metadata(&to).is_ok() {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, "File exists"));
        }
        if meta.file_type().is_symlink() {
            // Some platforms' link(2) follows a symlink; a copy of the link is what
            // the jail can promise everywhere.
            let target = std::fs::read_link(&from)?;
            return self.symlink(&target.to_string_lossy(), path);
        }
        std::fs::hard_link(from, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn normalize_stays_at_root() {
        assert_eq!(normalize("/", "../../etc"), "/etc");
        assert_eq!(normalize("/a/b", "../c/./d//"), "/a/c/d");
        assert_eq!(normalize("/a", "/"), "/");
        assert_eq!(file_name("/a/b"), "b");
        assert_eq!(parent("/a/b"), "/a");
        assert_eq!(parent("/a"), "/");
    }

    #[test]
    fn roundtrip_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut fs = WorkspaceFs::new(dir.path());
        fs.create_dir("/d").unwrap();
        fs.write("/d/f", b"hi", false).unwrap();
        fs.write("/d/f", b"!", true).unwrap();
        assert_eq!(fs.read("/d/f").unwrap(), b"hi!");
        assert_eq!(fs.read_dir("/d").unwrap()[0].name, "f");
        assert!(fs.metadata("/d").unwrap().is_dir());
        fs.rename("/d/f", "/g").unwrap();
        assert!(fs.exists("/g"));
        fs.set_mtime("/g", 1000).unwrap();
        assert_eq!(fs.metadata("/g").unwrap().mtime, 1000);
    }

    #[cfg(unix)]
    #[test]
    fn hard_links_share_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut fs = WorkspaceFs::new(dir.path());
        fs.write("/a", b"one", false).unwrap();
        fs.hard_link("/a", "/b").unwrap();
        fs.write("/b", b"two", false).unwrap();
        assert_eq!(fs.read("/a").unwrap(), b"two");
        let (a, b) = (fs.metadata("/a").unwrap(), fs.metadata("/b").unwrap());
        assert_eq!((a.nlink, a.ino, a.uid), (2, b.ino, 0));
        assert!(fs.hard_link("/a", "/b").is_err());
        fs.create_dir("/d").unwrap();
        assert!(fs.hard_link("/d", "/e").is_err());
        // A link to a symlink pointing out of the jail is a link to the symlink.
        fs.symlink("/etc/passwd", "/p").unwrap();
        fs.hard_link("/p", "/q").unwrap();
        assert_eq!(fs.read_link("/q").unwrap(), "/etc/passwd");
        assert!(fs.read("/q").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn absolute_symlinks_resolve_inside_the_jail() {
        let dir = tempfile::tempdir().unwrap();
        let mut fs = WorkspaceFs::new(dir.path());
        fs.write("/secret", b"inside", false).unwrap();
        fs.symlink("/", "/up").unwrap();
        fs.symlink("../../..", "/dots").unwrap();
        fs.symlink("/etc/passwd", "/passwd").unwrap();
        assert_eq!(fs.read("/up/secret").unwrap(), b"inside");
        assert_eq!(fs.read("/dots/secret").unwrap(), b"inside");
        assert!(fs.read("/passwd").is_err());
        fs.symlink("loop", "/loop").unwrap();
        assert!(fs.metadata("/loop").is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[cfg(unix)]
        #[test]
        fn jail_never_resolves_outside_root(
            comps in proptest::collection::vec(
                prop_oneof![
                    Just("..".to_string()), Just(".".to_string()), Just("up".to_string()),
                    Just("dots".to_string()), Just("etc".to_string()), Just("abs".to_string()),
                    Just("d".to_string()), Just("".to_string()), "[a-z./]{1,6}",
                ],
                0..8,
            ),
            follow in any::<bool>(),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().canonicalize().unwrap();
            let mut fs = WorkspaceFs::new(&root);
            fs.create_dir("/d").unwrap();
            fs.symlink("/", "/up").unwrap();
            fs.symlink("../../..", "/d/dots").unwrap();
            fs.symlink("../../..", "/dots").unwrap();
            fs.symlink("/etc", "/etc").unwrap();
            fs.symlink(root.parent().unwrap().to_str().unwrap(), "/abs").unwrap();
            let path = format!("/{}", comps.join("/"));
            if let Ok(host) = fs.resolve(&path, follow) {
                prop_assert!(host.starts_with(&root), "{path} -> {host:?}");
                // Everything but the last component is a real directory or missing:
                // the OS has no link left to follow out of the jail.
                let mut p = host.clone();
                p.pop();
                while p != root && p.starts_with(&root) {
                    let is_link = std::fs::symlink_metadata(&p)
                        .map(|m| m.file_type().is_symlink())
                        .unwrap_or(false);
                    prop_assert!(!is_link, "{path} -> {host:?}");
                    p.pop();
                }
            }
        }
    }
}
