//! `DockerBackend` against the machine's real Docker daemon. Every test skips, saying why,
//! when no daemon answers. The daemon needs no images and no registry: the tests load a
//! tiny image of their own through `POST /images/load`, and remove everything they create.

use bollard_stubs::models::{ContainerCreateBody, HostConfig, ImageDeleteResponseItem};
use docklab::backend::docker::DockerBackend;
use docklab::backend::{Backend, BackendError, Filters, ListContainersOptions, ListImagesOptions};
use docklab::engine::streams::Streams;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

fn backend() -> Option<DockerBackend> {
    match DockerBackend::connect(None) {
        Ok(mut backend) => match backend.version() {
            Ok(_) => Some(backend),
            Err(e) => {
                eprintln!("skipping: the Docker daemon does not answer: {e}");
                None
            }
        },
        Err(e) => {
            eprintln!("skipping: no Docker daemon: {e}");
            None
        }
    }
}

/// A name no other test run uses: `docklab-test-<pid>-<nanos>-<n>-<what>`.
fn unique(what: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "docklab-test-{}-{nanos}-{}-{what}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn append(archive: &mut tar::Builder<Vec<u8>>, path: &str, mode: u32, data: &[u8]) {
    let mut header = tar::Header::new_gnu();
    header.set_size(data.len() as u64);
    header.set_mode(mode);
    header.set_mtime(1_700_000_000);
    header.set_entry_type(tar::EntryType::Regular);
    archive.append_data(&mut header, path, data).unwrap();
}

fn append_dir(archive: &mut tar::Builder<Vec<u8>>, path: &str) {
    let mut header = tar::Header::new_gnu();
    header.set_size(0);
    header.set_mode(0o755);
    header.set_mtime(1_700_000_000);
    header.set_entry_type(tar::EntryType::Directory);
    archive.append_data(&mut header, path, &[][..]).unwrap();
}

/// A `docker save` archive of a one-layer image tagged `reference`, whose layer holds
/// `files` (path, mode, content). Returns the archive and the image ID.
fn image_archive(reference: &str, files: &[(&str, u32, &[u8])], cmd: &[&str]) -> (Vec<u8>, String) {
    let mut layer = tar::Builder::new(Vec::new());
    let mut dirs: Vec<String> = Vec::new();
    for (path, mode, data) in files {
        if let Some((dir, _)) = path.rsplit_once('/')
            && !dir.is_empty()
            && !dirs.iter().any(|d| d == dir)
        {
            append_dir(&mut layer, &format!("{dir}/"));
            dirs.push(dir.to_string());
        }
        append(&mut layer, path, *mode, data);
    }
    let layer = layer.into_inner().unwrap();
    let diff_id = format!("sha256:{}", sha256_hex(&layer));

    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    let cmd_json = serde_json::to_string(cmd).unwrap();
    let config = serde_json::json!({
        "architecture": arch,
        "os": "linux",
        "created": "2024-01-02T03:04:05Z",
        // The label makes every test image's ID its own, though layers are shared.
        "config": { "Cmd": cmd, "Env": ["PATH=/bin"], "Labels": { "docklab.test": reference } },
        "rootfs": { "type": "layers", "diff_ids": [diff_id] },
        "history": [
            {
                "created": "2024-01-02T03:04:05Z",
                "created_by": format!("/bin/sh -c #(nop) ADD file:{} in / ", sha256_hex(&layer))
            },
            {
                "created": "2024-01-02T03:04:05Z",
                "created_by": format!("/bin/sh -c #(nop)  CMD {cmd_json}"),
                "empty_layer": true
            }
        ]
    });
    let config = serde_json::to_vec(&config).unwrap();
    let id = sha256_hex(&config);
    let manifest = serde_json::json!([{
        "Config": format!("{id}.json"),
        "RepoTags": [reference],
        "Layers": ["layer0/layer.tar"],
    }]);

    let mut archive = tar::Builder::new(Vec::new());
    append(&mut archive, &format!("{id}.json"), 0o644, &config);
    append_dir(&mut archive, "layer0/");
    append(&mut archive, "layer0/layer.tar", 0o644, &layer);
    append(
        &mut archive,
        "manifest.json",
        0o644,
        &serde_json::to_vec(&manifest).unwrap(),
    );
    (archive.into_inner().unwrap(), format!("sha256:{id}"))
}

/// Removes, when dropped, every image and container a test registered.
struct Cleanup {
    images: Vec<String>,
    containers: Vec<String>,
}

impl Cleanup {
    fn new() -> Self {
        Cleanup {
            images: Vec::new(),
            containers: Vec::new(),
        }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let Ok(mut backend) = DockerBackend::connect(None) else {
            return;
        };
        for id in &self.containers {
            let _ = backend.remove_container(id, true, true);
        }
        for image in &self.images {
            let _ = backend.remove_image(image, true, false);
        }
    }
}

/// Loads a small test image tagged `<unique>:latest`; returns (reference, image ID).
fn load_test_image(
    backend: &mut DockerBackend,
    cleanup: &mut Cleanup,
    what: &str,
) -> (String, String) {
    let reference = format!("{}:latest", unique(what));
    let (archive, id) = image_archive(
        &reference,
        &[("hello.txt", 0o644, b"hello from docklab\n")],
        &["/hello.txt"],
    );
    cleanup.images.push(id.clone());
    let report = backend.load_image(&archive).expect("load the test image");
    assert!(report.contains(&reference), "load report: {report:?}");
    (reference, id)
}

fn reference_filter(reference: &str) -> Filters {
    Filters::from([("reference".to_string(), vec![reference.to_string()])])
}

#[test]
fn version_and_info() {
    let Some(mut backend) = backend() else { return };
    assert_eq!(backend.name(), "docker");
    let version = backend.version().unwrap();
    assert!(version.api_version.is_some_and(|v| v.starts_with("1.")));
    assert!(version.version.is_some());
    let info = backend.info().unwrap();
    assert!(info.images.is_some());
    assert!(info.containers.is_some());
    // No filters at all is a valid query too.
    backend.list_images(&ListImagesOptions::default()).unwrap();
    backend
        .list_containers(&ListContainersOptions {
            all: true,
            limit: Some(1),
            size: true,
            ..Default::default()
        })
        .unwrap();
}

#[test]
fn missing_image_is_the_daemons_404() {
    let Some(mut backend) = backend() else { return };
    let error = backend.inspect_image("nosuch:latest").unwrap_err();
    let BackendError::Daemon { status, message } = &error else {
        panic!("not a daemon error: {error:?}");
    };
    assert_eq!(*status, 404);
    assert!(error.is_not_found());
    // Docker 20.10 says `no such image: nosuch: No such image: nosuch:latest`, newer
    // daemons only `No such image: nosuch:latest`.
    assert!(
        message.contains("No such image: nosuch:latest"),
        "message: {message:?}"
    );
    assert!(
        backend
            .image_history("nosuch:latest")
            .unwrap_err()
            .is_not_found()
    );
    assert!(
        backend
            .remove_image("nosuch:latest", false, false)
            .unwrap_err()
            .is_not_found()
    );
    assert!(
        backend
            .tag_image("nosuch:latest", "other", "x")
            .unwrap_err()
            .is_not_found()
    );
}

#[test]
fn image_list_inspect_tag_history_remove() {
    let Some(mut backend) = backend() else { return };
    let mut cleanup = Cleanup::new();
    let (reference, id) = load_test_image(&mut backend, &mut cleanup, "img");

    let listed = backend
        .list_images(&ListImagesOptions {
            filters: reference_filter(&reference),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].id, id);
    assert_eq!(listed[0].repo_tags, vec![reference.clone()]);
    assert_eq!(listed[0].size, 19, "the layer holds one 19-byte file");

    let inspect = backend.inspect_image(&reference).unwrap();
    assert_eq!(inspect.id.as_deref(), Some(id.as_str()));
    assert_eq!(
        inspect.config.and_then(|c| c.cmd),
        Some(vec!["/hello.txt".to_string()])
    );
    // By ID too, short or long.
    let short = &id["sha256:".len()..][..12];
    assert_eq!(
        backend.inspect_image(short).unwrap().id.as_deref(),
        Some(id.as_str())
    );

    let history = backend.image_history(&reference).unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(history[0].created_by.contains("CMD [\"/hello.txt\"]"));
    assert_eq!(history[0].size, 0);
    assert_eq!(history[0].id, id, "the newest row is the image itself");
    assert!(history[1].created_by.contains("ADD file:"));
    assert_eq!(history[1].id, "<missing>");

    let repo = unique("tagged");
    backend.tag_image(&reference, &repo, "v1").unwrap();
    let second = format!("{repo}:v1");
    let mut tags = backend.inspect_image(&id).unwrap().repo_tags.unwrap();
    tags.sort();
    let mut want = vec![reference.clone(), second.clone()];
    want.sort();
    assert_eq!(tags, want);

    // Removing one of two tags only untags.
    let removed = backend.remove_image(&second, false, false).unwrap();
    assert_eq!(
        removed,
        vec![ImageDeleteResponseItem {
            untagged: Some(second.clone()),
            deleted: None
        }]
    );
    assert!(backend.inspect_image(&second).unwrap_err().is_not_found());

    // Removing the last tag deletes the image and its layer.
    let removed = backend.remove_image(&reference, false, false).unwrap();
    assert_eq!(removed[0].untagged.as_deref(), Some(reference.as_str()));
    assert!(
        removed
            .iter()
            .any(|r| r.deleted.as_deref() == Some(id.as_str())),
        "{removed:?}"
    );
    assert!(backend.inspect_image(&id).unwrap_err().is_not_found());
}

#[test]
fn containers_create_list_inspect_remove() {
    let Some(mut backend) = backend() else { return };
    let mut cleanup = Cleanup::new();
    let (reference, id) = load_test_image(&mut backend, &mut cleanup, "ctr");
    let name = unique("box");

    let created = backend
        .create_container(
            Some(&name),
            ContainerCreateBody {
                image: Some(reference.clone()),
                ..Default::default()
            },
        )
        .unwrap();
    cleanup.containers.push(created.id.clone());
    assert_eq!(created.id.len(), 64);

    let listed = backend
        .list_containers(&ListContainersOptions {
            all: true,
            filters: Filters::from([("name".to_string(), vec![name.clone()])]),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].id.as_deref(), Some(created.id.as_str()));
    assert_eq!(listed[0].image.as_deref(), Some(reference.as_str()));
    assert_eq!(listed[0].image_id.as_deref(), Some(id.as_str()));
    assert_eq!(listed[0].command.as_deref(), Some("/hello.txt"));
    assert_eq!(listed[0].names, Some(vec![format!("/{name}")]));
    assert_eq!(listed[0].status.as_deref(), Some("Created"));

    // Without `all`, a created container is not listed.
    let running = backend
        .list_containers(&ListContainersOptions {
            filters: Filters::from([("name".to_string(), vec![name.clone()])]),
            ..Default::default()
        })
        .unwrap();
    assert!(running.is_empty());

    let inspect = backend.inspect_container(&name).unwrap();
    assert_eq!(inspect.id.as_deref(), Some(created.id.as_str()));
    assert_eq!(inspect.name, Some(format!("/{name}")));
    assert_eq!(inspect.image.as_deref(), Some(id.as_str()));

    // An image in use by a container refuses a plain delete: 409 Conflict.
    let error = backend.remove_image(&id, false, false).unwrap_err();
    assert_eq!(error.status(), Some(409), "{error:?}");

    // A second container with the same name: 409 Conflict, the daemon's words.
    let error = backend
        .create_container(
            Some(&name),
            ContainerCreateBody {
                image: Some(reference.clone()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(error.status(), Some(409), "{error:?}");
    assert!(error.to_string().contains("is already in use"), "{error}");

    backend.remove_container(&name, false, false).unwrap();
    let error = backend.inspect_container(&name).unwrap_err();
    assert!(error.is_not_found());
    assert_eq!(error.to_string(), format!("No such container: {name}"));
    assert!(
        backend
            .remove_container(&name, false, false)
            .unwrap_err()
            .is_not_found()
    );
}

#[test]
fn create_from_missing_image_is_404() {
    let Some(mut backend) = backend() else { return };
    let error = backend
        .create_container(
            None,
            ContainerCreateBody {
                image: Some("nosuch-docklab-image:latest".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("No such image: nosuch-docklab-image:latest"),
        "{error}"
    );
}

#[test]
fn pull_and_search_fail_with_the_daemons_error() {
    let Some(mut backend) = backend() else { return };
    let repo = unique("nonexistent");
    let mut messages = Vec::new();
    let error = backend
        .pull_image(&repo, "latest", &mut |info| messages.push(info.clone()))
        .unwrap_err();
    // Offline: the registry lookup fails; online: the repository does not exist.
    let BackendError::Daemon { message, .. } = &error else {
        panic!("not a daemon error: {error:?}");
    };
    assert!(!message.is_empty());
    if let Some(last) = messages.last() {
        assert_eq!(
            last.error_detail
                .as_ref()
                .and_then(|d| d.message.as_deref()),
            Some(message.as_str())
        );
    }

    match backend.search_images("docklab", Some(5), &Filters::new()) {
        Err(error) => assert!(
            matches!(error, BackendError::Daemon { .. }),
            "not a daemon error: {error:?}"
        ),
        Ok(results) => eprintln!(
            "note: search reached a registry ({} results)",
            results.len()
        ),
    }
}

#[test]
fn unreachable_daemon_reads_like_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let host = format!("unix://{}/docker.sock", dir.path().display());
    let error = DockerBackend::connect(Some(&host)).err().unwrap();
    assert_eq!(
        error,
        BackendError::Connection(format!(
            "Cannot connect to the Docker daemon at {host}. Is the docker daemon running?"
        ))
    );
}

/// The host's static busybox, or None (saying why the test skips).
fn host_busybox() -> Option<Vec<u8>> {
    match std::fs::read("/bin/busybox") {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            eprintln!(
                "skipping: no /bin/busybox on this host ({e}); apt-get install busybox-static"
            );
            None
        }
    }
}

/// An image archive (`<unique>:latest`, removed with `cleanup`) whose layer holds
/// `busybox` as `/bin/busybox`; its command is `/bin/busybox echo hi`.
fn busybox_archive(what: &str, busybox: &[u8], cleanup: &mut Cleanup) -> (String, Vec<u8>) {
    let reference = format!("{}:latest", unique(what));
    let (archive, id) = image_archive(
        &reference,
        &[("bin/busybox", 0o755, busybox)],
        &["/bin/busybox", "echo", "hi"],
    );
    cleanup.images.push(id);
    (reference, archive)
}

/// An image whose layer holds the host's static busybox as `/bin/busybox`.
fn busybox_image(backend: &mut DockerBackend, cleanup: &mut Cleanup) -> Option<String> {
    let busybox = host_busybox()?;
    let (reference, archive) = busybox_archive("busybox", &busybox, cleanup);
    backend
        .load_image(&archive)
        .expect("load the busybox image");
    Some(reference)
}

fn run(
    backend: &mut DockerBackend,
    cleanup: &mut Cleanup,
    body: ContainerCreateBody,
    stdin: &[u8],
) -> (String, String, i64) {
    let created = backend.create_container(None, body).unwrap();
    cleanup.containers.push(created.id.clone());
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = backend
        .run_attached(&created.id, Streams::new(stdin, &mut stdout, &mut stderr))
        .unwrap();
    (
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
        code,
    )
}

#[test]
fn run_attached_copies_output_and_returns_the_exit_code() {
    let Some(mut backend) = backend() else { return };
    let mut cleanup = Cleanup::new();
    let Some(image) = busybox_image(&mut backend, &mut cleanup) else {
        return;
    };

    let (out, err, code) = run(
        &mut backend,
        &mut cleanup,
        ContainerCreateBody {
            image: Some(image.clone()),
            cmd: Some(vec!["/bin/busybox".into(), "echo".into(), "hi".into()]),
            ..Default::default()
        },
        b"",
    );
    assert_eq!((out.as_str(), err.as_str(), code), ("hi\n", "", 0));

    let script = "echo out; echo err >&2; exit 3";
    let (out, err, code) = run(
        &mut backend,
        &mut cleanup,
        ContainerCreateBody {
            image: Some(image.clone()),
            cmd: Some(vec![
                "/bin/busybox".into(),
                "sh".into(),
                "-c".into(),
                script.into(),
            ]),
            ..Default::default()
        },
        b"",
    );
    assert_eq!((out.as_str(), err.as_str(), code), ("out\n", "err\n", 3));

    // `docker run -i`: the input reaches the container, then end of file.
    let (out, _, code) = run(
        &mut backend,
        &mut cleanup,
        ContainerCreateBody {
            image: Some(image.clone()),
            cmd: Some(vec!["/bin/busybox".into(), "cat".into()]),
            open_stdin: Some(true),
            stdin_once: Some(true),
            attach_stdin: Some(true),
            ..Default::default()
        },
        b"piped\n",
    );
    assert_eq!((out.as_str(), code), ("piped\n", 0));

    // `docker run -t`: one raw stream, and the terminal's CRLF.
    let (out, _, code) = run(
        &mut backend,
        &mut cleanup,
        ContainerCreateBody {
            image: Some(image.clone()),
            tty: Some(true),
            ..Default::default()
        },
        b"",
    );
    assert_eq!((out.as_str(), code), ("hi\r\n", 0));

    // `docker run --rm`: waits for the removal, and the container is gone.
    let (out, _, code) = run(
        &mut backend,
        &mut cleanup,
        ContainerCreateBody {
            image: Some(image.clone()),
            cmd: Some(vec!["/bin/busybox".into(), "false".into()]),
            host_config: Some(HostConfig {
                auto_remove: Some(true),
                ..Default::default()
            }),
            ..Default::default()
        },
        b"",
    );
    assert_eq!((out.as_str(), code), ("", 1));
    let removed = cleanup.containers.last().unwrap().clone();
    assert!(
        backend
            .inspect_container(&removed)
            .unwrap_err()
            .is_not_found()
    );

    // A command that does not exist: the daemon refuses to start it.
    let created = backend
        .create_container(
            None,
            ContainerCreateBody {
                image: Some(image),
                cmd: Some(vec!["/nosuch".into()]),
                ..Default::default()
            },
        )
        .unwrap();
    cleanup.containers.push(created.id.clone());
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let error = backend
        .run_attached(&created.id, Streams::new(b"", &mut out, &mut err))
        .unwrap_err();
    assert!(matches!(error, BackendError::Daemon { .. }), "{error:?}");
}

/// Loads the busybox image into `backend`, runs a container of it that writes
/// `/greeting`, and grades the result with lesson checks: the verdicts and sentences.
fn grade_busybox_run(
    backend: &mut dyn Backend,
    archive: &[u8],
    reference: &str,
    name: &str,
    cleanup: Option<&mut Cleanup>,
) -> Vec<(bool, String)> {
    backend
        .load_images(archive)
        .expect("load the busybox image");
    let body = ContainerCreateBody {
        image: Some(reference.to_string()),
        cmd: Some(
            ["/bin/busybox", "sh", "-c", "echo hi > /greeting"]
                .map(String::from)
                .to_vec(),
        ),
        ..Default::default()
    };
    let created = backend.create_container(Some(name), body).unwrap();
    if let Some(cleanup) = cleanup {
        cleanup.containers.push(created.id.clone());
    }
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = backend
        .run_attached(&created.id, Streams::new(&[], &mut out, &mut err))
        .unwrap();
    assert_eq!(
        code,
        0,
        "{}: {}{}",
        backend.name(),
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&err)
    );
    let checks = [
        format!("image_exists: {reference}"),
        format!("image_config: {{ image: {reference}, cmd: [/bin/busybox, echo, hi] }}"),
        format!("image_config: {{ image: {reference}, cmd: [sh] }}"),
        format!("image_file: {{ image: {reference}, path: /bin/busybox, mode: '0755' }}"),
        format!("image_file: {{ image: {reference}, path: /bin/sh }}"),
        format!("container: {{ name: {name}, state: exited, exit_code: 0 }}"),
        format!("container: {{ name: {name}, state: running }}"),
        format!("container_diff: {{ container: {{ name: {name} }}, contains: [A /greeting] }}"),
        format!("container_diff: {{ container: {{ name: {name} }}, equals: [A /greeting] }}"),
    ];
    let mut memo = docklab::check::Memo::default();
    checks
        .iter()
        .map(|yaml| {
            let check: docklab::check::Check = serde_yaml::from_str(yaml).unwrap();
            let mut context = docklab::check::Context {
                backend: &mut *backend,
                workspace: std::path::Path::new("/nonexistent"),
                transcript: &[],
                memo: &mut memo,
            };
            let outcome = docklab::check::evaluate(&check, &mut context);
            (outcome.passed, outcome.message.replace(name, "NAME"))
        })
        .collect()
}

#[test]
fn the_same_checks_grade_the_daemon_and_the_embedded_engine_alike() {
    let Some(mut docker) = backend() else { return };
    let Some(busybox) = host_busybox() else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let (reference, archive) = busybox_archive("graded", &busybox, &mut cleanup);
    let name = unique("greeter");
    let daemon = grade_busybox_run(&mut docker, &archive, &reference, &name, Some(&mut cleanup));

    let dir = tempfile::tempdir().unwrap();
    let engine = docklab::engine::Engine::open(docklab::engine::EngineOptions {
        state_dir: dir.path().to_path_buf(),
        seed: Some(1),
        clock: docklab::engine::clock::Clock::parse_fixed("2026-03-01T12:00:00Z").unwrap(),
        publish_on_host: false,
        bind_root: None,
        shared_layers: None,
    })
    .unwrap();
    let mut embedded = docklab::backend::embedded::EmbeddedBackend::new(engine);
    let lab = grade_busybox_run(&mut embedded, &archive, &reference, &name, None);

    assert_eq!(daemon, lab);
    let passed: Vec<bool> = lab.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        passed,
        [true, true, false, true, false, true, false, true, true],
        "{lab:#?}"
    );
}

#[test]
fn a_lesson_runs_on_the_daemon_and_says_undo_needs_the_embedded_engine() {
    if backend().is_none() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let input = home.path().join("input.txt");
    std::fs::write(&input, "next\nnext\ncheck\nundo\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_docklab"))
        .args(["start", "1", "--backend", "docker", "--script"])
        .arg(&input)
        .env("DOCKLAB_HOME", home.path())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // The exercise's checks ask the daemon (which, here, has no hello-world).
    assert!(
        text.contains("from hello-world; the exercise wants one") || text.contains("✔ "),
        "{text}"
    );
    assert!(
        text.contains("Cannot undo: undo and reset work on the embedded engine only; the docker backend's images and containers cannot be put back"),
        "{text}"
    );
}

#[test]
fn grade_with_the_docker_backend_checks_the_daemons_live_state() {
    let Some(mut backend) = backend() else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let (reference, id) = load_test_image(&mut backend, &mut cleanup, "graded-live");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "done\n").unwrap();
    let suite = dir.path().join("live.yaml");
    std::fs::write(
        &suite,
        format!(
            "format: 1\nsuite: live\ntitle: Live\nchecks:\n  - name: the image is there\n    points: 2\n    check: {{ image_exists: \"{reference}\" }}\n  - name: notes written\n    check: {{ workspace_file: {{ path: notes.txt, content: done }} }}\n"
        ),
    )
    .unwrap();
    let grade = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_docklab"))
            .args([
                "grade",
                "--backend",
                "docker",
                "--format",
                "json",
                "--suite",
            ])
            .arg(&suite)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("DOCKLAB_HOME", dir.path().join("home"))
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code(), report["submissions"][0].clone())
    };
    let (code, graded) = grade();
    assert_eq!(code, Some(0), "{graded}");
    assert_eq!(graded["verdict"], "pass", "{graded}");
    assert_eq!(graded["points"], 3, "{graded}");
    backend.remove_image(&id, true, false).unwrap();
    let (code, graded) = grade();
    assert_eq!(code, Some(1), "{graded}");
    assert_eq!(graded["points"], 1, "{graded}");
    assert_eq!(graded["checks"][0]["passed"], false, "{graded}");
}

/// Removes a network when the test ends, however it ends.
struct NetworkCleanup(String);

impl Drop for NetworkCleanup {
    fn drop(&mut self) {
        if let Ok(mut backend) = DockerBackend::connect(None) {
            let _ = backend.remove_network(&self.0);
        }
    }
}

#[test]
fn networks_on_the_daemon_resolve_names_and_refuse_removal_while_in_use() {
    let Some(mut backend) = backend() else { return };
    // Dropped last: the containers go first, then their network.
    let mut network = NetworkCleanup(String::new());
    let mut cleanup = Cleanup::new();
    let Some(image) = busybox_image(&mut backend, &mut cleanup) else {
        return;
    };
    let name = unique("net");
    let request = bollard_stubs::models::NetworkCreateRequest {
        name: name.clone(),
        driver: Some("bridge".into()),
        ..Default::default()
    };
    let id = backend.create_network(&request).unwrap();
    network.0 = id.clone();
    let filters: Filters = [("name".to_string(), vec![name.clone()])].into();
    let listed = backend.list_networks(&filters).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id.as_deref(), Some(id.as_str()));

    let on_network = |cmd: &[&str]| ContainerCreateBody {
        image: Some(image.clone()),
        cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
        host_config: Some(HostConfig {
            network_mode: Some(name.clone()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let server = backend
        .create_container(
            Some(&unique("srv")),
            on_network(&["/bin/busybox", "sleep", "60"]),
        )
        .unwrap();
    cleanup.containers.push(server.id.clone());
    backend.start_container(&server.id).unwrap();
    let server_name = backend
        .inspect_container(&server.id)
        .unwrap()
        .name
        .unwrap_or_default()
        .trim_start_matches('/')
        .to_string();
    let inspected = backend.inspect_network(&id).unwrap();
    assert!(
        inspected
            .containers
            .unwrap_or_default()
            .contains_key(&server.id),
        "the running container is a member"
    );
    let (_, _, code) = run(
        &mut backend,
        &mut cleanup,
        on_network(&["/bin/busybox", "ping", "-c1", "-W2", &server_name]),
        b"",
    );
    assert_eq!(code, 0, "the embedded DNS resolves {server_name}");
    let in_use = backend.remove_network(&id).unwrap_err();
    assert!(
        in_use.to_string().contains("has active endpoints"),
        "{in_use}"
    );
}
