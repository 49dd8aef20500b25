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

#[test]
fn mount_type_bind_binds_a_workspace_directory_as_v_does() {
    let lab = Fixture::new();
    std::fs::create_dir_all(lab.workspace().join("site")).unwrap();
    std::fs::write(lab.workspace().join("site/index.html"), "hello\n").unwrap();
    let records = lab.records(
        "docker run --rm --mount type=bind,source=./site,target=/site busybox cat /site/index.html
docker run --rm --mount type=bind,src=./site,dst=/site,readonly busybox sh -c 'echo x > /site/a'
docker run --rm --mount type=bind,source=./nope,target=/site busybox true
docker run --rm --mount type=bind,source=./site,target=/site busybox sh -c 'echo new > /site/b'
docker run --rm --mount type=tmpfs,target=/t busybox true
",
    );
    assert_eq!(records[0].stdout, "hello\n");
    assert_eq!(
        records[1].stderr,
        "sh: can't create /site/a: Read-only file system\n"
    );
    assert_eq!(records[2].exit_code, 125);
    assert!(
        records[2]
            .stderr
            .contains("invalid mount config for type \"bind\": bind source path does not exist: "),
        "{}",
        records[2].stderr
    );
    assert!(
        !lab.workspace().join("nope").exists(),
        "--mount makes no directory"
    );
    assert_eq!(
        std::fs::read_to_string(lab.workspace().join("site/b")).unwrap(),
        "new\n",
        "a writable bind writes through to the workspace"
    );
    assert!(
        records[4].stderr.contains("not type=tmpfs"),
        "{}",
        records[4].stderr
    );
}
