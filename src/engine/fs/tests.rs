//! The module's rules, one test each, and property tests against a flat model.

use super::*;
use crate::engine::shell::vfs::Vfs;
use std::collections::BTreeMap;
use std::sync::Arc;

const T0: i64 = 1_700_000_000;
const T1: i64 = 1_700_000_100;

fn t(secs: i64) -> Timestamp {
    Timestamp::from_secs(secs)
}

/// The image the Docker cases ran against: busybox with a few files and directories.
fn probe_image() -> Arc<LayerStack> {
    let mut base = Layer::new();
    for dir in ["/bin", "/etc", "/d", "/d/sub", "/e"] {
        base.put(dir, Node::dir(0o755, t(T0)));
    }
    base.put(
        "/bin/busybox",
        Node::file(&b"\x7fELF busybox"[..], 0o755, t(T0)),
    );
    for applet in ["sh", "ls", "rm", "mv", "mkdir", "cat", "ln", "echo"] {
        base.put(&format!("/bin/{applet}"), Node::symlink("busybox", t(T0)));
    }
    base.put("/etc/motd", Node::file(&b"hi\n"[..], 0o644, t(T0)));
    base.put("/d/f1", Node::file(&b"a\n"[..], 0o644, t(T0)));
    base.put("/d/sub/f2", Node::file(&b"b\n"[..], 0o644, t(T0)));
    base.put("/e/x", Node::file(&b"c\n"[..], 0o644, t(T0)));
    // Docker's init layer.
    let mut init = Layer::new();
    init.put("/etc", Node::dir(0o755, t(T0)));
    for file in ["/etc/hosts", "/etc/hostname", "/etc/resolv.conf"] {
        init.put(file, Node::file(Vec::new(), 0o644, t(T0)));
    }
    Arc::new(LayerStack::new(vec![Arc::new(base), Arc::new(init)]))
}

fn rm_r(fs: &mut Snapshot, path: &str) {
    if fs.symlink_metadata(path).unwrap().is_dir() {
        for entry in fs.read_dir(path).unwrap() {
            rm_r(fs, &format!("{path}/{}", entry.name));
        }
        fs.remove_dir(path).unwrap();
    } else {
        fs.remove_file(path).unwrap();
    }
}

fn diff_lines(fs: &Snapshot) -> Vec<String> {
    fs.changes().iter().map(ToString::to_string).collect()
}

type Script = fn(&mut Snapshot);

/// `docker diff` outputs recorded from Docker 28 (daemon 20.10, overlay storage) for a
/// busybox image with the files of `probe_image`, after running each command in a
/// container; the closures do what the command does.
#[test]
fn docker_diff_matches_docker() {
    let cases: Vec<(&str, Script, &[&str])> = vec![
        (
            "touch /etc/motd",
            |fs| fs.set_mtime("/etc/motd", T1).unwrap(),
            &["C /etc", "C /etc/motd"],
        ),
        (
            "echo x > /etc/new",
            |fs| fs.write("/etc/new", b"x\n", false).unwrap(),
            &["C /etc", "A /etc/new"],
        ),
        (
            "mkdir -p /n/a/b && echo 1 > /n/a/b/f",
            |fs| {
                for d in ["/n", "/n/a", "/n/a/b"] {
                    fs.create_dir(d).unwrap();
                }
                fs.write("/n/a/b/f", b"1\n", false).unwrap();
            },
            &["A /n", "A /n/a", "A /n/a/b", "A /n/a/b/f"],
        ),
        (
            "rm /d/sub/f2",
            |fs| fs.remove_file("/d/sub/f2").unwrap(),
            &["C /d", "C /d/sub", "D /d/sub/f2"],
        ),
        ("rm -r /d", |fs| rm_r(fs, "/d"), &["D /d"]),
        (
            "mv /etc/motd /etc/motd2",
            |fs| fs.rename("/etc/motd", "/etc/motd2").unwrap(),
            &["C /etc", "D /etc/motd", "A /etc/motd2"],
        ),
        (
            "mv /d /dd",
            |fs| fs.rename("/d", "/dd").unwrap(),
            &["D /d", "A /dd", "A /dd/f1", "A /dd/sub", "A /dd/sub/f2"],
        ),
        (
            "chmod 600 /d/f1",
            |fs| fs.set_mode("/d/f1", 0o600).unwrap(),
            &["C /d", "C /d/f1"],
        ),
        (
            "chmod 700 /d/sub",
            |fs| fs.set_mode("/d/sub", 0o700).unwrap(),
            &["C /d", "C /d/sub"],
        ),
        (
            "rm -r /d && mkdir /d && echo z > /d/new",
            |fs| {
                rm_r(fs, "/d");
                fs.create_dir("/d").unwrap();
                fs.write("/d/new", b"z\n", false).unwrap();
            },
            &["C /d", "D /d/f1", "A /d/new", "D /d/sub"],
        ),
        (
            "echo q > /d/sub/new",
            |fs| fs.write("/d/sub/new", b"q\n", false).unwrap(),
            &["C /d", "C /d/sub", "A /d/sub/new"],
        ),
        (
            "echo 1.2.3.4 x >> /etc/hosts; echo y > /etc/hostname",
            |fs| {
                fs.write("/etc/hosts", b"1.2.3.4 x\n", true).unwrap();
                fs.write("/etc/hostname", b"y\n", false).unwrap();
            },
            &[],
        ),
        (
            "mkdir /d/sub/empty",
            |fs| fs.create_dir("/d/sub/empty").unwrap(),
            &["C /d", "C /d/sub", "A /d/sub/empty"],
        ),
        (
            "ln -s /etc/motd /e/link",
            |fs| fs.symlink("/etc/motd", "/e/link").unwrap(),
            &["C /e", "A /e/link"],
        ),
        (
            "echo t > /tmp1; rm /tmp1; mkdir /z; rmdir /z",
            |fs| {
                fs.write("/tmp1", b"t\n", false).unwrap();
                fs.remove_file("/tmp1").unwrap();
                fs.create_dir("/z").unwrap();
                fs.remove_dir("/z").unwrap();
            },
            &[],
        ),
        (
            "cat /etc/motd",
            |fs| assert_eq!(fs.read("/etc/motd").unwrap(), b"hi\n"),
            &[],
        ),
        (
            "rm /d/f1 /d/sub/f2 && rmdir /d/sub",
            |fs| {
                fs.remove_file("/d/f1").unwrap();
                fs.remove_file("/d/sub/f2").unwrap();
                fs.remove_dir("/d/sub").unwrap();
            },
            &["C /d", "D /d/f1", "D /d/sub"],
        ),
        (
            "cat /e/x > /x; cp /x /e/x",
            |fs| {
                let body = fs.read("/e/x").unwrap();
                fs.write("/x", &body, false).unwrap();
                fs.write("/e/x", &body, false).unwrap();
            },
            &["C /e", "C /e/x", "A /x"],
        ),
        ("touch /d", |fs| fs.set_mtime("/d", T1).unwrap(), &[]),
        (
            "touch /d/sub",
            |fs| fs.set_mtime("/d/sub", T1).unwrap(),
            &[],
        ),
        (
            "echo 1 > /top",
            |fs| fs.write("/top", b"1\n", false).unwrap(),
            &["A /top"],
        ),
        (
            "rm /e/x && mkdir /e/x",
            |fs| {
                fs.remove_file("/e/x").unwrap();
                fs.create_dir("/e/x").unwrap();
            },
            &["C /e", "C /e/x"],
        ),
        (
            "rm -r /d/sub && echo s > /d/sub",
            |fs| {
                rm_r(fs, "/d/sub");
                fs.write("/d/sub", b"s\n", false).unwrap();
            },
            &["C /d", "C /d/sub"],
        ),
        (
            "ln -sf sh /bin/ls",
            |fs| {
                fs.remove_file("/bin/ls").unwrap();
                fs.symlink("sh", "/bin/ls").unwrap();
            },
            &["C /bin", "C /bin/ls"],
        ),
        (
            "mkdir /n && mv /etc/motd /n/",
            |fs| {
                fs.create_dir("/n").unwrap();
                fs.rename("/etc/motd", "/n/motd").unwrap();
            },
            &["C /etc", "D /etc/motd", "A /n", "A /n/motd"],
        ),
        ("chmod 700 /", |fs| fs.set_mode("/", 0o700).unwrap(), &[]),
        (
            "rm /d/f1 /d/sub/f2",
            |fs| {
                fs.remove_file("/d/f1").unwrap();
                fs.remove_file("/d/sub/f2").unwrap();
            },
            &["C /d", "D /d/f1", "C /d/sub", "D /d/sub/f2"],
        ),
        (
            "rm /e/x && echo c > /e/x",
            |fs| {
                fs.remove_file("/e/x").unwrap();
                fs.write("/e/x", b"c\n", false).unwrap();
            },
            &["C /e", "C /e/x"],
        ),
    ];
    for (command, script, expected) in cases {
        let mut fs = Snapshot::prepare(probe_image());
        fs.set_time(T1);
        script(&mut fs);
        assert_eq!(diff_lines(&fs), expected, "{command}");
        // The same answer from the flattened trees (Docker's own algorithm).
        let lower = probe_image().flatten();
        assert_eq!(
            docker_changes_dirs(&lower, &fs.flatten()),
            fs.changes(),
            "{command}"
        );
    }
}

/// `chown 1:1 /e/x` (Docker printed `C /e`, `C /e/x`); the shell has no chown.
#[test]
fn owner_change_is_a_modification() {
    let image = probe_image();
    let mut upper = Layer::new();
    let mut node = image.lookup("/e/x").unwrap().clone();
    node.uid = 1;
    node.gid = 1;
    upper.put("/e/x", node);
    let lines: Vec<String> = changes(&image, &upper)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(lines, ["C /e", "C /e/x"]);
}

#[test]
fn same_second_rewrite_of_same_size_is_invisible_as_in_docker() {
    // Go's sameFsTime treats a zero nanosecond part as a wildcard.
    let image = probe_image();
    let mut upper = Layer::new();
    let mut node = image.lookup("/e/x").unwrap().clone();
    node.kind = NodeKind::File(Content::new(&b"Z\n"[..]));
    node.mtime.nanos = 5;
    upper.put("/e/x", node);
    assert!(changes(&image, &upper).is_empty());
}

/// A port of Docker's `archive.ChangesDirs` (`addChanges`) over two whole trees: the
/// reference `changes` must agree with.
fn docker_changes_dirs(old: &Tree, new: &Tree) -> Vec<Change> {
    fn children<'a>(tree: &'a Tree, dir: &str) -> BTreeMap<&'a str, &'a Node> {
        let prefix = if dir == "/" {
            "/".to_string()
        } else {
            format!("{dir}/")
        };
        tree.range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .filter(|(k, _)| !k[prefix.len()..].contains('/') && k.len() > prefix.len())
            .map(|(k, n)| (&k[prefix.len()..], n))
            .collect()
    }
    fn differs(o: &Node, n: &Node) -> bool {
        o.type_bits() != n.type_bits()
            || o.mode != n.mode
            || o.uid != n.uid
            || o.gid != n.gid
            || o.rdev() != n.rdev()
            || (!o.is_dir() && (!o.mtime.same_fs_time(n.mtime) || o.size() != n.size()))
    }
    #[allow(clippy::too_many_arguments)]
    fn add(
        old: &Tree,
        new: &Tree,
        path: &str,
        was: Option<&Node>,
        added: bool,
        out: &mut Vec<Change>,
    ) {
        let at_entry = out.len();
        let is_dir = path == "/" || new.get(path).is_some_and(Node::is_dir);
        let mut added = added;
        if was.is_none() && path != "/" {
            out.push(Change {
                kind: ChangeKind::Added,
                path: path.into(),
            });
            added = true;
        }
        let mut old_children = if was.is_some() && is_dir {
            children(old, path)
        } else {
            BTreeMap::new()
        };
        if !is_dir {
            return;
        }
        for (name, child) in children(new, path) {
            let child_path = if path == "/" {
                format!("/{name}")
            } else {
                format!("{path}/{name}")
            };
            let old_child = old_children.remove(name);
            let mut child_added = false;
            if let Some(o) = old_child
                && differs(o, child)
            {
                out.push(Change {
                    kind: ChangeKind::Modified,
                    path: child_path.clone(),
                });
                child_added = true;
            }
            add(old, new, &child_path, old_child, child_added, out);
        }
        for name in old_children.keys() {
            let child_path = if path == "/" {
                format!("/{name}")
            } else {
                format!("{path}/{name}")
            };
            out.push(Change {
                kind: ChangeKind::Deleted,
                path: child_path,
            });
        }
        if out.len() > at_entry && !added && path != "/" {
            out.insert(
                at_entry,
                Change {
                    kind: ChangeKind::Modified,
                    path: path.into(),
                },
            );
        }
    }
    // Bind mounts: the layers never see these files change.
    let mounts = ["/etc/hosts", "/etc/hostname", "/etc/resolv.conf"];
    let (mut old, mut new) = (old.clone(), new.clone());
    for m in mounts {
        old.remove(m);
        new.remove(m);
    }
    let (old, new) = (&old, &new);
    let mut out = Vec::new();
    let root = Node::dir(0o755, t(0));
    add(old, new, "/", Some(&root), false, &mut out);
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

// ---- layer tars ----

fn gnu_tar(build: impl FnOnce(&mut tar::Builder<Vec<u8>>)) -> Arc<[u8]> {
    let mut builder = tar::Builder::new(Vec::new());
    build(&mut builder);
    builder.into_inner().unwrap().into()
}

fn header(kind: tar::EntryType, size: u64, mode: u32) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h.set_mtime(T0 as u64);
    h.set_uid(0);
    h.set_gid(0);
    h
}

#[test]
fn from_tar_reads_long_names_links_and_whiteouts() {
    let long = format!("usr/{}/file", "x".repeat(150));
    let bytes = gnu_tar(|b| {
        b.append_data(
            &mut header(tar::EntryType::Directory, 0, 0o755),
            "./usr/",
            &[][..],
        )
        .unwrap();
        b.append_data(
            &mut header(tar::EntryType::Regular, 5, 0o4755),
            &long,
            &b"hello"[..],
        )
        .unwrap();
        let mut h = header(tar::EntryType::Link, 0, 0o4755);
        b.append_link(&mut h, "usr/hard", &long).unwrap();
        let mut h = header(tar::EntryType::Symlink, 0, 0o777);
        b.append_link(&mut h, "usr/sym", "../etc/passwd").unwrap();
        b.append_data(
            &mut header(tar::EntryType::Regular, 0, 0),
            "etc/.wh.motd",
            &[][..],
        )
        .unwrap();
        b.append_data(
            &mut header(tar::EntryType::Directory, 0, 0o700),
            "var/",
            &[][..],
        )
        .unwrap();
        b.append_data(
            &mut header(tar::EntryType::Regular, 0, 0o700),
            "var/.wh..wh..opq",
            &[][..],
        )
        .unwrap();
        let mut h = header(tar::EntryType::Regular, 2, 0o644);
        h.as_old_mut().name[..12].copy_from_slice(b"../../escape");
        h.set_cksum();
        b.append(&h, &b"no"[..]).unwrap();
        let mut h = header(tar::EntryType::Char, 0, 0o666);
        h.set_device_major(1).unwrap();
        h.set_device_minor(3).unwrap();
        b.append_data(&mut h, "dev/null", &[][..]).unwrap();
    });
    let layer = Layer::from_tar(bytes).unwrap();
    let node = |p: &str| layer.get(p).and_then(LayerEntry::node).unwrap().clone();
    let file = node(&format!("/{long}"));
    assert_eq!(file.kind, NodeKind::File(Content::new(&b"hello"[..])));
    assert_eq!((file.mode, file.mtime), (0o4755, t(T0)));
    assert_eq!(
        node("/usr/hard").kind,
        NodeKind::Hardlink(format!("/{long}"))
    );
    assert_eq!(
        node("/usr/sym").kind,
        NodeKind::Symlink("../etc/passwd".into())
    );
    assert_eq!(layer.get("/etc/motd"), Some(&LayerEntry::Whiteout));
    assert!(matches!(layer.get("/var"), Some(LayerEntry::Opaque(n)) if n.mode == 0o700));
    assert!(layer.get("/escape").is_some(), "`..` stays inside /");
    let dev = node("/dev/null");
    assert_eq!(dev.rdev(), (1, 3));
    // Hard links are counted once, symlinks by their target's length.
    assert_eq!(layer.unpacked_size(), 5 + "../etc/passwd".len() as u64 + 2);
    let stack = LayerStack::new(vec![Arc::new(layer)]);
    assert_eq!(
        stack.lookup_resolved("/usr/hard").unwrap().kind,
        NodeKind::File(Content::new(&b"hello"[..]))
    );
}

#[test]
fn from_tar_reads_pax_records() {
    let bytes = gnu_tar(|b| {
        let name = format!("opt/{}", "é".repeat(80));
        b.append_pax_extensions([
            ("path", name.as_bytes()),
            ("mtime", b"1700000000.25".as_slice()),
            ("uid", b"3000000".as_slice()),
            ("SCHILY.xattr.security.capability", b"\x01\x02".as_slice()),
        ])
        .unwrap();
        let mut h = tar::Header::new_ustar();
        h.set_size(1);
        h.set_mode(0o644);
        h.set_path("placeholder").unwrap();
        h.set_cksum();
        b.append(&h, &b"!"[..]).unwrap();
    });
    let layer = Layer::from_tar(bytes).unwrap();
    let (path, entry) = layer.entries().iter().next().unwrap();
    assert!(path.starts_with("/opt/éé"));
    let node = entry.node().unwrap();
    assert_eq!(
        node.mtime,
        Timestamp {
            secs: 1_700_000_000,
            nanos: 250_000_000
        }
    );
    assert_eq!(node.uid, 3_000_000);
    assert_eq!(node.xattrs["security.capability"], b"\x01\x02");
    // Written back, the same records come out and the layer reads the same (whole
    // seconds: Docker's writer truncates times).
    let again = Layer::from_tar(layer.to_tar().into()).unwrap();
    let node2 = again.get(path).and_then(LayerEntry::node).unwrap();
    assert_eq!((node2.uid, &node2.xattrs), (node.uid, &node.xattrs));
    assert_eq!(node2.mtime, t(1_700_000_000));
}

#[test]
fn from_tar_rejects_truncated_and_absurd_entries() {
    let valid = gnu_tar(|b| {
        b.append_data(
            &mut header(tar::EntryType::Regular, 1000, 0o644),
            "big",
            &[7u8; 1000][..],
        )
        .unwrap();
    });
    let cut: Arc<[u8]> = valid[..700].into();
    let err = Layer::from_tar(cut).unwrap_err();
    assert!(
        matches!(err, LayerError::Truncated { size: 1000, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("/big") || err.to_string().contains("big"));
    let mut absurd = valid.to_vec();
    let mut h = header(tar::EntryType::Regular, 0, 0o644);
    h.set_size(0o77777777777);
    h.set_path("big").unwrap();
    h.set_cksum();
    absurd[..512].copy_from_slice(h.as_bytes());
    let err = Layer::from_tar(absurd.into()).unwrap_err();
    assert!(matches!(err, LayerError::Truncated { .. }), "{err}");
}

#[test]
fn whiteouts_name_one_entry_of_their_directory() {
    for name in ["etc/.wh.", "etc/.wh..", "etc/.wh..."] {
        let bytes = gnu_tar(|b| {
            b.append_data(&mut header(tar::EntryType::Regular, 0, 0), name, &[][..])
                .unwrap();
        });
        let err = Layer::from_tar(bytes).unwrap_err();
        assert!(
            matches!(err, LayerError::InvalidEntry { .. }),
            "{name}: {err}"
        );
    }
}

#[test]
fn empty_layer_has_dockers_empty_diff_id() {
    assert_eq!(
        Layer::new().diff_id().to_string(),
        "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"
    );
}

fn tar_listing(bytes: &[u8]) -> Vec<(String, char, u32)> {
    let mut archive = tar::Archive::new(bytes);
    archive
        .entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
            let h = e.header();
            (
                name,
                h.entry_type().as_byte() as char,
                h.mode().unwrap() & 0o7777,
            )
        })
        .collect()
}

#[test]
fn to_tar_writes_what_docker_writes() {
    let mut layer = Layer::new();
    layer.put("/etc", Node::dir(0o755, t(T1)));
    layer.put("/etc/new", Node::file(&b"x"[..], 0o644, t(T1)));
    layer.whiteout("/etc/motd");
    layer.put_opaque("/var", Node::dir(0o750, t(T1)));
    layer.put("/var/ok", Node::symlink("/etc/new", t(T1)));
    layer.put("/a-b", Node::file(&b""[..], 0o600, t(T1)));
    let tar = layer.to_tar();
    assert_eq!(
        tar_listing(&tar),
        [
            ("a-b".into(), '0', 0o600),
            ("etc/".into(), '5', 0o755),
            ("etc/.wh.motd".into(), '0', 0),
            ("etc/new".into(), '0', 0o644),
            ("var/".into(), '5', 0o750),
            ("var/.wh..wh..opq".into(), '0', 0o750),
            ("var/ok".into(), '2', 0o777),
        ]
    );
    // Headers as Docker's layer export writes them (checked against a `docker save`
    // of a committed container): ustar magic, zero-padded octal with a NUL, file-type
    // bits in the mode, no user names; a whiteout is mode 0.
    assert_eq!(&tar[257..265], b"ustar\x0000");
    assert_eq!(&tar[100..108], b"0100600\0");
    assert_eq!(&tar[512 + 100..512 + 108], b"0040755\0");
    assert_eq!(&tar[1024..1036], b"etc/.wh.motd");
    assert_eq!(&tar[1024 + 100..1024 + 108], b"0000000\0");
    assert_eq!(&tar[329..345], b"0000000\x000000000\0");
    assert_eq!(&tar[148 + 6..148 + 8], b"\0 ");
    assert!(tar[265..297].iter().all(|&b| b == 0));
    assert_eq!(tar.len() % 512, 0);
    assert_eq!(Layer::from_tar(tar.clone().into()).unwrap(), layer);
    assert_eq!(layer.to_tar(), tar, "deterministic");
}

#[test]
fn to_tar_uses_pax_only_when_ustar_cannot_say_it() {
    let has_pax = |layer: &Layer| {
        let tar = layer.to_tar();
        tar.chunks(512)
            .any(|block| block[156] == b'x' && &block[257..262] == b"ustar")
    };
    let mut layer = Layer::new();
    // 150 characters that split into ustar prefix + name.
    let split = format!("/{}/{}", "p".repeat(90), "n".repeat(59));
    layer.put(&split, Node::file(&b"1"[..], 0o644, t(T1)));
    assert!(!has_pax(&layer));
    let back = Layer::from_tar(layer.to_tar().into()).unwrap();
    assert!(back.get(&split).is_some());
    let mut long = Layer::new();
    let path = format!("/n/{}", "q".repeat(120));
    long.put(&path, Node::dir(0o755, t(T1)));
    assert!(has_pax(&long));
    // As in Docker's export: the record keeps the trailing slash, and the extended
    // header is named `<dir>/PaxHeaders.0/<file>` cut to 100 bytes.
    let tar = long.to_tar();
    let pax_name = format!("n/{}/PaxHeaders.0", "q".repeat(120));
    assert_eq!(&tar[..100], &pax_name.as_bytes()[..100]);
    assert_eq!(tar[156], b'x');
    assert!(tar.windows(11).any(|w| w == b"133 path=n/"));
    assert!(
        Layer::from_tar(long.to_tar().into())
            .unwrap()
            .get(&path)
            .is_some()
    );
    let mut big_uid = Layer::new();
    let mut node = Node::file(&b"1"[..], 0o644, t(T1));
    node.uid = 1 << 22;
    big_uid.put("/f", node);
    assert!(has_pax(&big_uid));
    assert_eq!(Layer::from_tar(big_uid.to_tar().into()).unwrap(), big_uid);
}

// ---- stacks ----

#[test]
fn stack_lookup_honours_whiteouts_and_opaque_directories() {
    let mut base = Layer::new();
    for dir in ["/a", "/a/b", "/o"] {
        base.put(dir, Node::dir(0o755, t(T0)));
    }
    base.put("/a/b/f", Node::file(&b"1"[..], 0o644, t(T0)));
    base.put("/a/g", Node::file(&b"2"[..], 0o644, t(T0)));
    base.put("/o/old", Node::file(&b"3"[..], 0o644, t(T0)));
    let mut top = Layer::new();
    top.whiteout("/a/b");
    top.put_opaque("/o", Node::dir(0o700, t(T1)));
    top.put("/o/new", Node::file(&b"4"[..], 0o644, t(T1)));
    top.put("/a/h", Node::file(&b"5"[..], 0o644, t(T1)));
    let stack = LayerStack::new(vec![Arc::new(base), Arc::new(top)]);
    assert!(stack.lookup("/a/b").is_none());
    assert!(stack.lookup("/a/b/f").is_none());
    assert!(stack.lookup("/o/old").is_none());
    assert_eq!(stack.lookup("/o").unwrap().mode, 0o700);
    assert_eq!(stack.read_dir("/a").keys().collect::<Vec<_>>(), ["g", "h"]);
    assert_eq!(stack.read_dir("/o").keys().collect::<Vec<_>>(), ["new"]);
    assert_eq!(stack.read_dir("/").keys().collect::<Vec<_>>(), ["a", "o"]);
    assert_eq!(
        stack.flatten().keys().collect::<Vec<_>>(),
        ["/a", "/a/g", "/a/h", "/o", "/o/new"]
    );
}

// ---- snapshots ----

#[test]
fn recreated_directory_is_opaque_and_copy_up_takes_parents() {
    let mut fs = Snapshot::prepare(probe_image());
    fs.set_time(T1);
    rm_r(&mut fs, "/d");
    fs.create_dir("/d").unwrap();
    assert!(matches!(fs.upper().get("/d"), Some(LayerEntry::Opaque(_))));
    assert!(fs.read_dir("/d").unwrap().is_empty());
    fs.write("/d/x", b"1", false).unwrap();
    assert_eq!(fs.read_dir("/d").unwrap().len(), 1);

    let mut fs = Snapshot::prepare(probe_image());
    fs.set_time(T1);
    fs.write("/d/sub/f2", b"more", true).unwrap();
    assert_eq!(fs.read("/d/sub/f2").unwrap(), b"b\nmore");
    // Parents come up with the file, unchanged: writing a file leaves its directory's
    // mtime alone.
    assert_eq!(
        fs.upper()
            .get("/d")
            .and_then(LayerEntry::node)
            .unwrap()
            .mtime,
        t(T0)
    );
    assert_eq!(fs.metadata("/d/sub").unwrap().mtime, T0);
    assert_eq!(fs.metadata("/d/sub/f2").unwrap().mtime, T1);
    fs.write("/d/sub/g", b"", false).unwrap();
    assert_eq!(
        fs.metadata("/d/sub").unwrap().mtime,
        T1,
        "an entry was added"
    );
    fs.rename("/d/sub/g", "/e/g").unwrap();
    assert_eq!(fs.metadata("/e").unwrap().mtime, T1);
}

#[test]
fn snapshot_follows_symlinks_and_reports_linux_errors() {
    use std::io::ErrorKind::*;
    let mut fs = Snapshot::prepare(probe_image());
    fs.symlink("/d/sub", "/link").unwrap();
    assert_eq!(fs.read("/link/f2").unwrap(), b"b\n");
    assert!(fs.metadata("/bin/sh").unwrap().is_file());
    assert!(fs.symlink_metadata("/bin/sh").unwrap().is_symlink());
    assert_eq!(fs.read_link("/bin/sh").unwrap(), "busybox");
    fs.write("/link/new", b"n", false).unwrap();
    assert!(fs.exists("/d/sub/new"));
    fs.symlink("loop", "/loop").unwrap();
    assert!(fs.read("/loop").is_err());
    let kind = |r: std::io::Result<()>| r.unwrap_err().kind();
    assert_eq!(kind(fs.create_dir("/d")), AlreadyExists);
    assert_eq!(kind(fs.create_dir("/nope/x")), NotFound);
    assert_eq!(kind(fs.write("/e/x/y", b"", false)), NotADirectory);
    assert_eq!(kind(fs.write("/d", b"", false)), IsADirectory);
    assert_eq!(kind(fs.remove_file("/d")), IsADirectory);
    assert_eq!(kind(fs.remove_dir("/d")), DirectoryNotEmpty);
    assert_eq!(kind(fs.remove_dir("/e/x")), NotADirectory);
    assert_eq!(kind(fs.rename("/d", "/d/sub/in")), InvalidInput);
    assert_eq!(kind(fs.rename("/e/x", "/d")), IsADirectory);
    assert_eq!(kind(fs.rename("/d", "/e")), DirectoryNotEmpty);
    assert_eq!(fs.read("/d").unwrap_err().kind(), IsADirectory);
    assert_eq!(fs.read_dir("/e/x").unwrap_err().kind(), NotADirectory);
}

#[test]
fn view_is_read_only() {
    let mut fs = Snapshot::view(probe_image());
    assert_eq!(fs.read("/etc/motd").unwrap(), b"hi\n");
    let err = fs.write("/etc/motd", b"x", false).unwrap_err();
    assert_eq!(err.to_string(), "Read-only file system");
    assert!(fs.create_dir("/q").is_err() && fs.remove_file("/e/x").is_err());
    assert!(fs.commit().is_empty());
}

#[test]
fn commit_then_stack_shows_the_same_filesystem() {
    let image = probe_image();
    let mut fs = Snapshot::prepare(Arc::clone(&image));
    fs.set_time(T1);
    rm_r(&mut fs, "/d");
    fs.write("/etc/motd", b"changed", false).unwrap();
    fs.rename("/e", "/e2").unwrap();
    let expected = fs.flatten();
    let layer = fs.commit();
    let reread = Layer::from_tar(layer.to_tar().into()).unwrap();
    assert_eq!(reread, layer);
    let mut stack = (*image).clone();
    stack.push(Arc::new(reread));
    assert_eq!(stack.flatten(), expected);
    // diff() of the trees applied to the image gives the same filesystem.
    let mut tree = image.flatten();
    apply(&mut tree, &diff(&image.flatten(), &expected));
    assert_eq!(tree, expected);
}

// ---- properties against a flat model ----

mod model {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    pub enum Op {
        Write(String, u8, bool),
        Mkdir(String),
        RemoveFile(String),
        RemoveDir(String),
        RemoveAll(String),
        Rename(String, String),
        Chmod(String, u32),
        Symlink(String),
        Tick,
        Commit,
    }

    fn path() -> impl Strategy<Value = String> {
        proptest::collection::vec(prop_oneof![Just("a"), Just("b"), Just("c")], 1..=3)
            .prop_map(|parts| format!("/{}", parts.join("/")))
    }

    pub fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (path(), any::<u8>(), any::<bool>()).prop_map(|(p, b, a)| Op::Write(p, b % 3, a)),
            4 => path().prop_map(Op::Mkdir),
            2 => path().prop_map(Op::RemoveFile),
            1 => path().prop_map(Op::RemoveDir),
            2 => path().prop_map(Op::RemoveAll),
            2 => (path(), path()).prop_map(|(a, b)| Op::Rename(a, b)),
            1 => (path(), prop_oneof![Just(0o600u32), Just(0o700), Just(0o4755)])
                .prop_map(|(p, m)| Op::Chmod(p, m)),
            1 => path().prop_map(Op::Symlink),
            1 => Just(Op::Tick),
            1 => Just(Op::Commit),
        ]
    }

    /// The filesystem as a plain map, with Linux's rules written out directly.
    pub struct Model {
        pub tree: Tree,
        pub now: i64,
    }

    fn parent_of(path: &str) -> &str {
        match path.rfind('/') {
            Some(0) | None => "/",
            Some(i) => &path[..i],
        }
    }

    fn within(path: &str, dir: &str) -> bool {
        path == dir || path.starts_with(&format!("{dir}/"))
    }

    impl Model {
        fn parent_ok(&self, path: &str) -> bool {
            let dir = parent_of(path);
            dir == "/" || (self.parent_ok(dir) && self.tree.get(dir).is_some_and(Node::is_dir))
        }

        fn touch_parent(&mut self, path: &str) {
            let dir = parent_of(path);
            if let Some(node) = self.tree.get_mut(dir) {
                node.mtime = t(self.now);
            }
        }

        fn has_children(&self, path: &str) -> bool {
            let prefix = format!("{path}/");
            self.tree
                .range(prefix.clone()..)
                .next()
                .is_some_and(|(k, _)| k.starts_with(&prefix))
        }

        fn remove_subtree(&mut self, path: &str) -> Vec<(String, Node)> {
            let keys: Vec<String> = self
                .tree
                .keys()
                .filter(|k| within(k, path))
                .cloned()
                .collect();
            keys.into_iter()
                .map(|k| {
                    let n = self.tree.remove(&k).unwrap();
                    (k, n)
                })
                .collect()
        }

        /// Applies `op`; `Err(())` when Linux refuses it.
        pub fn apply(&mut self, op: &Op) -> Result<(), ()> {
            let now = t(self.now);
            match op {
                Op::Write(p, b, append) => {
                    if !self.parent_ok(p) {
                        return Err(());
                    }
                    let body = vec![b'x'; *b as usize];
                    match self.tree.get_mut(p) {
                        Some(node) => match &node.kind {
                            NodeKind::File(old) => {
                                let data = if *append {
                                    [old.as_bytes(), &body].concat()
                                } else {
                                    body
                                };
                                node.kind = NodeKind::File(Content::new(data));
                                node.mtime = now;
                            }
                            _ => return Err(()),
                        },
                        None => {
                            self.tree.insert(p.clone(), Node::file(body, 0o644, now));
                            self.touch_parent(p);
                        }
                    }
                }
                Op::Mkdir(p) | Op::Symlink(p) => {
                    if !self.parent_ok(p) || self.tree.contains_key(p) {
                        return Err(());
                    }
                    let node = match op {
                        Op::Mkdir(_) => Node::dir(0o755, now),
                        _ => Node::symlink("/zz/none", now),
                    };
                    self.tree.insert(p.clone(), node);
                    self.touch_parent(p);
                }
                Op::RemoveFile(p) => {
                    if !self.parent_ok(p) || self.tree.get(p).is_none_or(Node::is_dir) {
                        return Err(());
                    }
                    self.tree.remove(p);
                    self.touch_parent(p);
                }
                Op::RemoveDir(p) => {
                    if !self.parent_ok(p)
                        || !self.tree.get(p).is_some_and(Node::is_dir)
                        || self.has_children(p)
                    {
                        return Err(());
                    }
                    self.tree.remove(p);
                    self.touch_parent(p);
                }
                Op::RemoveAll(p) => {
                    if !self.parent_ok(p) || !self.tree.contains_key(p) {
                        return Err(());
                    }
                    self.remove_subtree(p);
                    self.touch_parent(p);
                }
                Op::Rename(from, to) => {
                    if !self.parent_ok(from) || !self.parent_ok(to) {
                        return Err(());
                    }
                    let Some(source) = self.tree.get(from) else {
                        return Err(());
                    };
                    if from == to {
                        return Ok(());
                    }
                    let source_dir = source.is_dir();
                    if source_dir && within(to, from) {
                        return Err(());
                    }
                    if let Some(target) = self.tree.get(to) {
                        if source_dir != target.is_dir() || (source_dir && self.has_children(to)) {
                            return Err(());
                        }
                        self.remove_subtree(to);
                    }
                    let moved = self.remove_subtree(from);
                    self.touch_parent(from);
                    for (old, node) in moved {
                        self.tree
                            .insert(format!("{to}{}", &old[from.len()..]), node);
                    }
                    self.touch_parent(to);
                }
                Op::Chmod(p, mode) => {
                    if !self.parent_ok(p) {
                        return Err(());
                    }
                    match self.tree.get_mut(p) {
                        Some(node) if !matches!(node.kind, NodeKind::Symlink(_)) => {
                            node.mode = *mode
                        }
                        _ => return Err(()),
                    }
                }
                Op::Tick => self.now += 1,
                Op::Commit => {}
            }
            Ok(())
        }
    }

    pub fn rm_all(fs: &mut Snapshot, path: &str) -> std::io::Result<()> {
        if fs.symlink_metadata(path)?.is_dir() {
            for entry in fs.read_dir(path)? {
                rm_all(fs, &format!("{path}/{}", entry.name))?;
            }
            fs.remove_dir(path)
        } else {
            fs.remove_file(path)
        }
    }

    /// Runs `op` on the snapshot; a commit stacks the upper (through its tar) and
    /// prepares a new snapshot over it.
    pub fn run(fs: &mut Snapshot, op: &Op, now: i64) -> Result<(), ()> {
        fs.set_time(now);
        let result = match op {
            Op::Write(p, b, append) => fs.write(p, &vec![b'x'; *b as usize], *append),
            Op::Mkdir(p) => fs.create_dir(p),
            Op::Symlink(p) => fs.symlink("/zz/none", p),
            Op::RemoveFile(p) => fs.remove_file(p),
            Op::RemoveDir(p) => fs.remove_dir(p),
            Op::RemoveAll(p) => rm_all(fs, p),
            Op::Rename(from, to) => fs.rename(from, to),
            Op::Chmod(p, mode) => fs.set_mode(p, *mode),
            Op::Tick => Ok(()),
            // `replay` commits: it owns the stack.
            Op::Commit => Ok(()),
        };
        result.map_err(|_| ())
    }
}

use model::{Model, Op};
use proptest::prelude::*;

/// Runs `ops` on the model and on snapshots committed into a growing stack.
fn replay(ops: &[Op]) -> (Model, LayerStack, Snapshot) {
    let mut model = Model {
        tree: Tree::new(),
        now: T0,
    };
    let mut stack = LayerStack::default();
    let mut fs = Snapshot::prepare(Arc::new(stack.clone()));
    for op in ops {
        if let Op::Commit = op {
            let layer = fs.commit();
            let (tar, diff_id) = layer.to_tar_with_diff_id();
            let reread = Layer::from_tar(tar.into()).expect("our own tar reads back");
            assert_eq!(reread.diff_id(), diff_id);
            assert_eq!(reread, layer);
            stack.push(Arc::new(reread));
            fs = Snapshot::prepare(Arc::new(stack.clone()));
            continue;
        }
        let expected = model.apply(op);
        let actual = model::run(&mut fs, op, model.now);
        assert_eq!(actual, expected, "{op:?}");
    }
    (model, stack, fs)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn snapshots_and_stacks_match_the_flat_model(ops in proptest::collection::vec(model::op(), 0..60)) {
        let (model, stack, fs) = replay(&ops);
        prop_assert_eq!(&fs.flatten(), &model.tree);
        // The stack with the upper committed reads the same, whiteouts hiding what they
        // delete, and every path looks up as the model has it.
        let mut full = stack.clone();
        full.push(Arc::new(fs.upper().clone()));
        prop_assert_eq!(&full.flatten(), &model.tree);
        for (path, node) in &model.tree {
            prop_assert_eq!(full.lookup(path), Some(node));
        }
        for path in ["/a", "/a/b", "/b/c/a", "/c/c"] {
            if !model.tree.contains_key(path) {
                prop_assert!(full.lookup(path).is_none(), "{} still visible", path);
            }
        }
        // docker diff walking only the upper agrees with Docker's whole-tree walk.
        prop_assert_eq!(fs.changes(), docker_changes_dirs(&stack.flatten(), &model.tree));
    }

    #[test]
    fn applying_a_diff_gives_the_child(
        first in proptest::collection::vec(model::op(), 0..40),
        second in proptest::collection::vec(model::op(), 0..40),
    ) {
        let (parent, ..) = replay(&first);
        let mut child = Model { tree: parent.tree.clone(), now: parent.now + 10 };
        for op in &second {
            let _ = child.apply(op);
        }
        let layer = diff(&parent.tree, &child.tree);
        let mut tree = parent.tree.clone();
        apply(&mut tree, &layer);
        prop_assert_eq!(&tree, &child.tree);
        let reread = Layer::from_tar(layer.to_tar().into()).unwrap();
        prop_assert_eq!(reread.diff_id(), layer.diff_id());
    }

    #[test]
    fn from_tar_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        if let Ok(layer) = Layer::from_tar(bytes.into()) {
            let _ = layer.to_tar();
        }
    }

    #[test]
    fn from_tar_never_panics_on_mutated_tars(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = sample_tar();
        for (index, value) in edits {
            let i = index.index(bytes.len());
            bytes[i] = value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        if let Ok(layer) = Layer::from_tar(bytes.into()) {
            let _ = (layer.to_tar(), layer.unpacked_size());
            let _ = LayerStack::new(vec![Arc::new(layer)]).flatten();
        }
    }
}

/// A small layer with every kind of entry and header extension.
fn sample_tar() -> Vec<u8> {
    let mut layer = Layer::new();
    layer.put("/d", Node::dir(0o755, t(T0)));
    layer.put(
        &format!("/d/{}", "l".repeat(130)),
        Node::file(&b"long"[..], 0o644, t(T0)),
    );
    layer.put(
        &format!("/{}/{}", "p".repeat(90), "n".repeat(50)),
        Node::file(&b"x"[..], 0o644, t(T0)),
    );
    layer.put("/d/link", Node::symlink(&"t".repeat(120), t(T0)));
    layer.put(
        "/d/hard",
        Node::new(NodeKind::Hardlink("/d/f".into()), 0o644, t(T0)),
    );
    layer.put("/d/f", Node::file(&b"body"[..], 0o644, t(T0)));
    layer.whiteout("/gone");
    layer.put_opaque("/o", Node::dir(0o700, t(T0)));
    // A GNU long-name entry from the tar crate, appended before the end blocks.
    let mut tail = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(3);
    h.set_mode(0o644);
    tail.append_data(&mut h, format!("g/{}", "z".repeat(140)), &b"gnu"[..])
        .unwrap();
    let tail = tail.into_inner().unwrap();
    let mut bytes = layer.to_tar();
    bytes.truncate(bytes.len() - 1024);
    bytes.extend_from_slice(&tail);
    bytes
}

// ---- performance (run: cargo test --release --lib engine::fs::tests::performance -- --ignored --nocapture) ----

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (std::time::Duration, T) {
    let mut best = None;
    let mut last = None;
    for _ in 0..runs {
        let start = std::time::Instant::now();
        let value = f();
        let took = start.elapsed();
        best = Some(best.map_or(took, |b: std::time::Duration| b.min(took)));
        last = Some(value);
    }
    (best.unwrap(), last.unwrap())
}

/// An alpine-like layer: ~90 directories, 1,500 files totalling 8 MB, 400 symlinks.
fn alpine_like_layer() -> Layer {
    let mut layer = Layer::new();
    let mut budget = 8_000_000usize;
    for d in 0..90 {
        layer.put(&format!("/usr/lib/d{d}"), Node::dir(0o755, t(T0)));
    }
    for i in 0..1500usize {
        let size = if i == 1499 {
            budget
        } else {
            (budget / (1500 - i)).min(budget) * ((i % 3) + 1) / 2
        };
        let size = size.min(budget);
        budget -= size;
        let body: Vec<u8> = (0..size).map(|b| (b % 251) as u8).collect();
        layer.put(
            &format!("/usr/lib/d{}/file{i}.so", i % 90),
            Node::file(body, 0o755, t(T0)),
        );
    }
    for i in 0..400 {
        layer.put(
            &format!("/usr/lib/d{}/link{i}", i % 90),
            Node::symlink("../../bin/busybox", t(T0)),
        );
    }
    layer
}

#[test]
#[ignore = "performance figures; run in release"]
#[allow(clippy::print_stdout)]
fn performance() {
    // docker diff of a snapshot with 10,000 changed files.
    let mut base = Layer::new();
    base.put("/srv", Node::dir(0o755, t(T0)));
    for d in 0..100 {
        base.put(&format!("/srv/d{d}"), Node::dir(0o755, t(T0)));
        for f in 0..100 {
            base.put(
                &format!("/srv/d{d}/f{f}"),
                Node::file(&b"old"[..], 0o644, t(T0)),
            );
        }
    }
    let image = Arc::new(LayerStack::new(vec![
        Arc::new(alpine_like_layer()),
        Arc::new(base),
    ]));
    let mut fs = Snapshot::prepare(Arc::clone(&image));
    fs.set_time(T1);
    for d in 0..100 {
        for f in 0..100 {
            fs.write(&format!("/srv/d{d}/f{f}"), b"new!", false)
                .unwrap();
        }
    }
    let (took, found) = best_of(5, || fs.changes());
    assert_eq!(found.len(), 10_000 + 100 + 1);
    println!(
        "docker diff, 10,000 changed files: {:.2} ms",
        took.as_secs_f64() * 1e3
    );

    // Committing 25 MB of new files: the tar and its sha256.
    let mut fs = Snapshot::prepare(Arc::clone(&image));
    fs.set_time(T1);
    fs.create_dir("/data").unwrap();
    let body = vec![b'z'; 100_000];
    for i in 0..250 {
        fs.write(&format!("/data/blob{i}"), &body, false).unwrap();
    }
    let (took, (tar, _)) = best_of(5, || fs.clone().commit().to_tar_with_diff_id());
    assert!(tar.len() > 25_000_000);
    println!(
        "commit 25 MB of new files (tar + sha256): {:.2} ms",
        took.as_secs_f64() * 1e3
    );

    // Parsing an 8 MB alpine-like layer.
    let tar: Arc<[u8]> = alpine_like_layer().to_tar().into();
    let (took, layer) = best_of(10, || Layer::from_tar(Arc::clone(&tar)).unwrap());
    assert_eq!(layer.len(), 90 + 1500 + 400);
    println!(
        "parse a {:.1} MB layer tar ({} entries): {:.2} ms",
        tar.len() as f64 / 1e6,
        layer.len(),
        took.as_secs_f64() * 1e3
    );
}

// ---- the shell inside a snapshot ----

#[test]
fn the_shell_runs_inside_a_snapshot() {
    use crate::engine::shell::{Flavour, NullHost, Shell, Streams};
    let mut fs = Snapshot::prepare(probe_image());
    fs.set_time(T1);
    let mut shell = Shell::new(fs, Flavour::Ash);
    shell.export("PATH", "/bin");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let script = "mkdir -p /n/a && echo 1 > /n/a/f && rm -r /d && mv /etc/motd /etc/motd2 \
                  && ls /e && cat /etc/motd2 /n/a/f && ln -s /etc/motd2 /e/l && cat /e/l";
    let status = shell.run(
        script,
        &mut NullHost::default(),
        Streams::new(&b""[..], &mut out, &mut err),
    );
    let (out, err) = (String::from_utf8_lossy(&out), String::from_utf8_lossy(&err));
    assert_eq!((status, err.as_ref()), (0, ""));
    assert_eq!(out, "x\nhi\n1\nhi\n");
    assert_eq!(
        diff_lines(shell.fs()),
        [
            "D /d",
            "C /e",
            "A /e/l",
            "C /etc",
            "D /etc/motd",
            "A /etc/motd2",
            "A /n",
            "A /n/a",
            "A /n/a/f"
        ]
    );
}

/// Layers `docker commit` stored (taken from `docker save`, daemon 20.10 with its naive
/// diff). Read and written back, each gives the same bytes but for what that daemon adds:
/// user names (Docker 23+ no longer looks them up) and the commit time on whiteouts
/// (ours are at 0, so the digest is reproducible).
///
/// `docker-commit-layer.tar`: `rm -r /d && mkdir /d && echo z > /d/new && rm /etc/motd
/// && mkdir -p /n/<120 zeros> && echo q > /n/<120 zeros>/f && ln -s /etc/motd2 /e/l`.
/// `docker-commit-special.tar`: `ln /e/x /e/y && mkfifo /e/p && chmod 4755 /e/x &&
/// chown 70000:1234567 /d/f1 && ln -s /<130 zeros> /e/longlink && echo u > /e/unicodé
/// && mknod /e/null c 1 3 && chown 3000000:5 /e/p`.
#[test]
fn docker_commit_layers_round_trip_byte_for_byte() {
    let fixtures: [&[u8]; 2] = [
        include_bytes!("testdata/docker-commit-layer.tar"),
        include_bytes!("testdata/docker-commit-special.tar"),
    ];
    for docker in fixtures {
        let layer = Layer::from_tar(Arc::from(docker)).unwrap();
        let mut expected = docker.to_vec();
        let mut offset = 0;
        while offset + 512 <= expected.len() && expected[offset..offset + 512] != [0u8; 512] {
            let block = &mut expected[offset..offset + 512];
            let size = std::str::from_utf8(&block[124..135]).unwrap();
            let size = usize::from_str_radix(size, 8).unwrap();
            block[265..329].fill(0);
            let name = String::from_utf8_lossy(&block[..100]).into_owned();
            if name.contains("/.wh.") {
                block[136..148].copy_from_slice(b"00000000000\0");
            }
            block[148..156].fill(b' ');
            let sum: u32 = block.iter().map(|&b| u32::from(b)).sum();
            block[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
            offset += 512 + size.div_ceil(512) * 512;
        }
        let ours = layer.to_tar();
        assert_eq!(ours.len(), expected.len());
        for (i, (a, b)) in ours.iter().zip(&expected).enumerate() {
            assert_eq!(a, b, "byte {i} (block {}, offset {})", i / 512, i % 512);
        }
    }
    let special = Layer::from_tar(Arc::from(
        &include_bytes!("testdata/docker-commit-special.tar")[..],
    ))
    .unwrap();
    let node = |p: &str| special.get(p).and_then(LayerEntry::node).unwrap().clone();
    assert_eq!((node("/d/f1").uid, node("/d/f1").gid), (70000, 1234567));
    assert_eq!((node("/e/p").uid, node("/e/p").gid), (3_000_000, 5));
    assert_eq!(node("/e/null").rdev(), (1, 3));
    assert_eq!(node("/e/x").mode, 0o4755);
    assert_eq!(node("/e/y").kind, NodeKind::Hardlink("/e/x".into()));
    assert!(special.get("/e/unicodé").is_some());
    assert_eq!(
        node("/e/longlink").kind,
        NodeKind::Symlink(format!("/{}", "0".repeat(130)))
    );
}

#[test]
fn commit_leaves_out_the_files_docker_bind_mounts() {
    let mut fs = Snapshot::prepare(probe_image());
    fs.write("/etc/hosts", b"127.0.0.1 x\n", true).unwrap();
    fs.write("/etc/resolv.conf", b"nameserver 1.1.1.1\n", false)
        .unwrap();
    fs.write("/etc/new", b"1", false).unwrap();
    let layer = fs.commit();
    assert!(layer.get("/etc/hosts").is_none() && layer.get("/etc/resolv.conf").is_none());
    assert!(layer.get("/etc/new").is_some());
}

#[test]
fn gzip_blobs_unpack_within_a_limit() {
    use std::io::Write;
    let tar = include_bytes!("testdata/docker-commit-layer.tar");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(tar).unwrap();
    let blob: Arc<[u8]> = gz.finish().unwrap().into();
    let plain = uncompressed(Arc::clone(&blob), 1 << 20).unwrap();
    assert_eq!(&plain[..], &tar[..]);
    let err = uncompressed(blob, 1000).unwrap_err();
    assert_eq!(err.to_string(), "layer unpacks to more than 1000 bytes");
    let same: Arc<[u8]> = Arc::from(&tar[..]);
    assert!(Arc::ptr_eq(
        &uncompressed(Arc::clone(&same), 10).unwrap(),
        &same
    ));
    assert!(matches!(
        uncompressed(Arc::from(&[0x1f, 0x8b, 1][..]), 10),
        Err(LayerError::Gzip(_))
    ));
}

#[test]
fn hard_linked_files_put_the_body_on_the_first_path_of_the_archive() {
    let mut layer = Layer::new();
    layer.put("/z", Node::dir(0o755, t(T0)));
    layer.put("/z/file", Node::file(&b"shared"[..], 0o755, t(T0)));
    layer.put(
        "/a",
        Node::new(NodeKind::Hardlink("/z/file".into()), 0o755, t(T0)),
    );
    layer.put(
        "/m",
        Node::new(NodeKind::Hardlink("/z/file".into()), 0o755, t(T0)),
    );
    let tar = layer.to_tar();
    assert_eq!(
        tar_listing(&tar),
        [
            ("a".into(), '0', 0o755),
            ("m".into(), '1', 0o755),
            ("z/".into(), '5', 0o755),
            ("z/file".into(), '1', 0o755)
        ]
    );
    let reread = Layer::from_tar(tar.clone().into()).unwrap();
    assert_eq!(reread.to_tar(), tar, "the same bytes once more");
    assert_eq!(reread.unpacked_size(), 6);
    let stack = LayerStack::new(vec![Arc::new(reread)]);
    for path in ["/a", "/m", "/z/file"] {
        let node = stack.lookup_resolved(path).unwrap();
        assert_eq!(
            node.kind,
            NodeKind::File(Content::new(&b"shared"[..])),
            "{path}"
        );
    }
}

#[test]
fn hard_links_share_one_file() {
    let mut fs = Snapshot::prepare(probe_image());
    fs.set_time(T1);
    fs.hard_link("/e/x", "/e/y").unwrap();
    // Docker printed `C /e`, `A /e/y` for `ln /e/x /e/y`.
    assert_eq!(diff_lines(&fs), ["C /e", "A /e/y"]);
    fs.write("/e/y", b"through y\n", false).unwrap();
    assert_eq!(fs.read("/e/x").unwrap(), b"through y\n");
    fs.set_mode("/e/x", 0o600).unwrap();
    assert_eq!(fs.metadata("/e/y").unwrap().mode, 0o600);
    // Moving the file keeps the link; removing it leaves the link with the body.
    fs.rename("/e/x", "/d/moved").unwrap();
    fs.write("/d/moved", b"moved\n", true).unwrap();
    assert_eq!(fs.read("/e/y").unwrap(), b"through y\nmoved\n");
    fs.hard_link("/e/y", "/third").unwrap();
    fs.remove_file("/d/moved").unwrap();
    assert_eq!(fs.read("/e/y").unwrap(), b"through y\nmoved\n");
    fs.write("/third", b"3", false).unwrap();
    assert_eq!(fs.read("/e/y").unwrap(), b"3");
    // Moving a directory that holds the file keeps the link too.
    fs.create_dir("/box").unwrap();
    fs.rename("/e/y", "/box/y").unwrap();
    fs.rename("/box", "/crate").unwrap();
    fs.write("/crate/y", b"4", false).unwrap();
    assert_eq!(fs.read("/third").unwrap(), b"4");
    assert_eq!(
        fs.hard_link("/d", "/dlink").unwrap_err().to_string(),
        "Operation not permitted"
    );
    // The committed layer writes one body and a link, and reads back the same.
    let parent = Arc::clone(fs.parent());
    let layer = fs.commit();
    let tar = layer.to_tar();
    let listing = tar_listing(&tar);
    assert!(
        listing.contains(&("crate/y".into(), '0', 0o600)),
        "{listing:?}"
    );
    assert!(
        listing.contains(&("third".into(), '1', 0o600)),
        "{listing:?}"
    );
    let mut stack = (*parent).clone();
    stack.push(Arc::new(Layer::from_tar(tar.into()).unwrap()));
    for path in ["/crate/y", "/third"] {
        assert_eq!(
            stack.lookup_resolved(path).unwrap().kind,
            NodeKind::File(Content::new(&b"4"[..]))
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// With hard links in play, the committed layer read back from its tar shows every
    /// path with the same file as the snapshot did.
    #[test]
    fn hard_links_survive_commit(
        ops in proptest::collection::vec(
            prop_oneof![
                4 => model::op(),
                2 => (model::op(), model::op()).prop_map(|(a, b)| (a, b)).prop_map(|(a, b)| {
                    match (a, b) {
                        (Op::Write(p, ..) | Op::Mkdir(p), Op::Write(q, ..) | Op::Mkdir(q)) => Op::Rename(format!("link:{p}"), q),
                        (a, _) => a,
                    }
                }),
            ],
            0..60,
        ),
    ) {
        let mut fs = Snapshot::prepare(probe_image());
        for (i, op) in ops.iter().enumerate() {
            fs.set_time(T1 + i as i64);
            match op {
                Op::Rename(from, to) if from.starts_with("link:") => {
                    let _ = fs.hard_link(&from[5..], to);
                }
                Op::Commit => {
                    let layer = fs.clone().commit();
                    let mut stack = (**fs.parent()).clone();
                    stack.push(Arc::new(Layer::from_tar(layer.to_tar().into()).unwrap()));
                    fs = Snapshot::prepare(Arc::new(stack));
                }
                op => {
                    let _ = model::run(&mut fs, op, T1 + i as i64);
                }
            }
        }
        let before = fs.flatten();
        let layer = fs.clone().commit();
        let tar = layer.to_tar();
        let reread = Layer::from_tar(tar.clone().into()).unwrap();
        prop_assert_eq!(reread.to_tar(), tar);
        let mut stack = (**fs.parent()).clone();
        stack.push(Arc::new(reread));
        let after = stack.flatten();
        prop_assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
        for path in before.keys() {
            if ["/etc/hosts", "/etc/hostname", "/etc/resolv.conf"].contains(&path.as_str()) {
                continue;
            }
            let want = fs.read(path).ok();
            let got = stack.lookup_resolved(path).map(|n| match &n.kind {
                NodeKind::File(c) => c.as_bytes().to_vec(),
                _ => Vec::new(),
            });
            if matches!(before[path].kind, NodeKind::File(_) | NodeKind::Hardlink(_)) {
                prop_assert_eq!(want, got, "{}", path);
            }
        }
    }
}

/// Found by the model test: a directory re-created inside a re-created (opaque)
/// directory hides what the lower one held, and `docker diff` must say so.
#[test]
fn deletions_below_a_recreated_directory_are_reported() {
    let ops = [
        Op::Mkdir("/a".into()),
        Op::Mkdir("/a/b".into()),
        Op::Write("/a/b/a".into(), 0, false),
        Op::Commit,
        Op::RemoveAll("/a".into()),
        Op::Mkdir("/a".into()),
        Op::Mkdir("/a/b".into()),
    ];
    let (model, stack, fs) = replay(&ops);
    assert_eq!(fs.flatten(), model.tree);
    assert_eq!(diff_lines(&fs), ["C /a", "C /a/b", "D /a/b/a"]);
    assert_eq!(
        fs.changes(),
        docker_changes_dirs(&stack.flatten(), &model.tree)
    );
}

/// Found by the model test: listing a directory re-created inside a directory that was
/// moved away and re-created must not show what the old one held below.
#[test]
fn listing_below_a_recreated_directory_hides_the_old_contents() {
    let ops = [
        Op::Mkdir("/a".into()),
        Op::Mkdir("/a/b".into()),
        Op::Symlink("/a/b/a".into()),
        Op::Commit,
        Op::Rename("/a".into(), "/b".into()),
        Op::Mkdir("/a".into()),
        Op::Mkdir("/a/b".into()),
        Op::RemoveAll("/a".into()),
    ];
    let (model, _stack, fs) = replay(&ops);
    assert_eq!(fs.flatten(), model.tree);
    assert!(fs.read_dir("/b/b").unwrap().iter().any(|e| e.name == "a"));
}

/// `docker diff` of the container that produced `docker-commit-special.tar`, as Docker
/// printed it (sorted): its committed layer over the image gives the same lines.
#[test]
fn docker_diff_of_devices_owners_and_links() {
    let upper = Layer::from_tar(Arc::from(
        &include_bytes!("testdata/docker-commit-special.tar")[..],
    ))
    .unwrap();
    let lines: Vec<String> = changes(&probe_image(), &upper)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        lines,
        [
            "C /d",
            "C /d/f1",
            "C /e",
            "A /e/longlink",
            "A /e/null",
            "A /e/p",
            "A /e/unicodé",
            "C /e/x",
            "A /e/y"
        ]
    );
}

#[test]
fn docker_cp_out_and_back_in() {
    let mut fs = Snapshot::prepare(probe_image());
    fs.set_time(T1);
    let tar = fs.archive("/d").unwrap();
    assert_eq!(
        tar_listing(&tar),
        [
            ("d/".into(), '5', 0o755),
            ("d/f1".into(), '0', 0o644),
            ("d/sub/".into(), '5', 0o755),
            ("d/sub/f2".into(), '0', 0o644)
        ]
    );
    assert_eq!(
        tar_listing(&fs.archive("/etc/motd").unwrap()),
        [("motd".into(), '0', 0o644)]
    );
    assert!(fs.archive("/nope").is_err());
    fs.extract("/e", tar.into()).unwrap();
    assert_eq!(fs.read("/e/d/sub/f2").unwrap(), b"b\n");
    assert_eq!(
        diff_lines(&fs),
        ["C /e", "A /e/d", "A /e/d/f1", "A /e/d/sub", "A /e/d/sub/f2"]
    );
    // Into a fresh place with missing parents, hard links kept.
    let mut links = Layer::new();
    links.put("/deep/a", Node::file(&b"A"[..], 0o644, t(T0)));
    links.put(
        "/deep/b",
        Node::new(NodeKind::Hardlink("/deep/a".into()), 0o644, t(T0)),
    );
    fs.extract("/d/sub", links.to_tar().into()).unwrap();
    fs.write("/d/sub/deep/b", b"shared", false).unwrap();
    assert_eq!(fs.read("/d/sub/deep/a").unwrap(), b"shared");
    let motd = fs.archive("/etc/motd").unwrap();
    fs.extract("/", motd.into()).unwrap();
    assert_eq!(fs.read("/motd").unwrap(), b"hi\n");
    let mut clash = Layer::new();
    clash.put("/d", Node::file(&b"x"[..], 0o644, t(T0)));
    assert!(fs.extract("/", clash.to_tar().into()).is_err());
}
