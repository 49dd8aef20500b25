//! What a container may do with its mounts: `:ro` volumes and binds refuse every change
//! with EROFS, in the words of the program that tried, while the rest of the container
//! stays writable and what the mount holds stays readable.

use crate::support::Fixture;

#[test]
fn read_only_mounts_refuse_changes_as_the_kernel_does() {
    let lab = Fixture::new();
    std::fs::create_dir_all(lab.workspace().join("site")).unwrap();
    let records = lab.records(
        "docker volume create notes
docker run --rm -v notes:/data busybox sh -c 'echo hi > /data/a'
docker run --rm -v notes:/data:ro busybox sh -c 'echo hi > /data/b'
docker run --rm -v notes:/data:ro busybox touch /data/c
docker run --rm -v notes:/data:ro busybox rm /data/a
docker run --rm -v notes:/data:ro busybox mkdir /data/d
docker run --rm -v notes:/data:ro busybox cat /data/a
docker run --rm -v notes:/data:ro busybox sh -c 'echo ok > /tmp/x && cat /tmp/x'
docker run --rm -v ./site:/site:ro busybox sh -c 'echo hi > /site/index.html'
",
    );
    let err = |i: usize| (records[i].stderr.as_str(), records[i].exit_code);
    assert_eq!(
        err(2),
        ("sh: can't create /data/b: Read-only file system\n", 1)
    );
    assert_eq!(err(3), ("touch: /data/c: Read-only file system\n", 1));
    assert_eq!(
        err(4),
        ("rm: can't remove '/data/a': Read-only file system\n", 1)
    );
    assert_eq!(
        err(5),
        (
            "mkdir: can't create directory '/data/d': Read-only file system\n",
            1
        )
    );
    assert_eq!(records[6].stdout, "hi\n", "what it holds is readable");
    assert_eq!(
        records[7].stdout, "ok\n",
        "the rest of the container is writable"
    );
    assert_eq!(
        err(8),
        (
            "sh: can't create /site/index.html: Read-only file system\n",
            1
        )
    );
    assert!(
        !lab.workspace().join("site/index.html").exists(),
        "nothing reached the workspace"
    );
}
