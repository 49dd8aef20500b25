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
    for applet in ["sh", "ls", "rm", "mv"] {
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
            if let Some(o) = old_child {
                if differs(o, child) {
                    out.push(Change {
                        kind: ChangeKind::Modified,
                        path: child_path.clone(),
                    });
                    child_added = true;
                }
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
