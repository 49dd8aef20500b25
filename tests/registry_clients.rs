//! Clients nobody here wrote, against the registry: skopeo copying images in and out,
//! and the machine's Docker daemon pushing and pulling, including images the lab pushed
//! and the lab pulling what Docker pushed. Each test skips, saying why, when its client
//! is missing or does not answer.

use crate::registry::Server;
use docklab::engine::digest::Digest;
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

fn run(program: &str, args: &[&str]) -> Option<Output> {
    Command::new(program).args(args).output().ok()
}

fn ok(output: &Output) -> bool {
    output.status.success()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A tar holding one file.
fn layer_tar(name: &str, contents: &[u8]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_ustar();
    header.set_size(contents.len() as u64);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_cksum();
    builder.append_data(&mut header, name, contents).unwrap();
    builder.into_inner().unwrap()
}

/// Writes an OCI image layout with one image tagged `tag`; returns the layer's digest.
fn oci_layout(dir: &Path, tag: &str) -> Digest {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let put = |bytes: &[u8]| {
        let digest = Digest::sha256(bytes);
        std::fs::write(blobs.join(digest.hex()), bytes).unwrap();
        digest
    };
    let layer = layer_tar("hello.txt", b"hello from skopeo\n");
    let layer_digest = put(&layer);
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": ["/hello.txt"]},
        "rootfs": {"type": "layers", "diff_ids": [layer_digest.to_string()]},
    }))
    .unwrap();
    let config_digest = put(&config);
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest.to_string(), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer_digest.to_string(), "size": layer.len()}],
    }))
    .unwrap();
    let manifest_digest = put(&manifest);
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let index = json!({
        "schemaVersion": 2,
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": manifest_digest.to_string(),
            "size": manifest.len(),
            "annotations": {"org.opencontainers.image.ref.name": tag},
        }],
    });
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    layer_digest
}

#[test]
fn skopeo_copies_images_in_and_out() {
    if run("skopeo", &["--version"]).is_none_or(|o| !ok(&o)) {
        eprintln!("skipped: skopeo is not installed (Debian package `skopeo`)");
        return;
    }
    let server = Server::start();
    let host = format!("127.0.0.1:{}", server.addr.port());
    let work = tempfile::tempdir().unwrap();
    let source = work.path().join("source");
    let layer = oci_layout(&source, "v1");
    let source_ref = format!("oci:{}:v1", source.display());

    // In: as it is (OCI), and converted to Docker's schema 2 (gzip layers).
    for (tag, format) in [("v1", "oci"), ("v2s2", "v2s2")] {
        let dest = format!("docker://{host}/skopeo/hello:{tag}");
        let out = run(
            "skopeo",
            &[
                "copy",
                "--dest-tls-verify=false",
                "--format",
                format,
                &source_ref,
                &dest,
            ],
        )
        .unwrap();
        assert!(ok(&out), "skopeo copy to the registry: {}", text(&out));
    }
    let inspect = run(
        "skopeo",
        &[
            "inspect",
            "--tls-verify=false",
            &format!("docker://{host}/skopeo/hello:v2s2"),
        ],
    )
    .unwrap();
    assert!(ok(&inspect), "{}", text(&inspect));
    let inspected: Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(inspected["Name"], format!("{host}/skopeo/hello"));
    let manifest = server.get("/v2/skopeo/hello/manifests/v2s2");
    assert_eq!(
        manifest.header("Content-Type"),
        Some("application/vnd.docker.distribution.manifest.v2+json")
    );
    assert_eq!(
        inspected["Digest"],
        manifest.header("Docker-Content-Digest").unwrap()
    );
    let tags = run(
        "skopeo",
        &[
            "list-tags",
            "--tls-verify=false",
            &format!("docker://{host}/skopeo/hello"),
        ],
    )
    .unwrap();
    assert!(ok(&tags), "{}", text(&tags));
    let tags: Value = serde_json::from_slice(&tags.stdout).unwrap();
    assert_eq!(tags["Tags"], json!(["v1", "v2s2"]));

    // Out again, byte for byte.
    let copy = work.path().join("copy");
    let out = run(
        "skopeo",
        &[
            "copy",
            "--src-tls-verify=false",
            &format!("docker://{host}/skopeo/hello:v1"),
            &format!("oci:{}:v1", copy.display()),
        ],
    )
    .unwrap();
    assert!(ok(&out), "skopeo copy from the registry: {}", text(&out));
    // The copy's layer unpacks to the original tar (skopeo may have compressed it).
    let index: Value =
        serde_json::from_slice(&std::fs::read(copy.join("index.json")).unwrap()).unwrap();
    let blob = |digest: &str| {
        std::fs::read(
            copy.join("blobs/sha256")
                .join(digest.trim_start_matches("sha256:")),
        )
        .unwrap()
    };
    let manifest: Value =
        serde_json::from_slice(&blob(index["manifests"][0]["digest"].as_str().unwrap())).unwrap();
    let copied = blob(manifest["layers"][0]["digest"].as_str().unwrap());
    let unpacked = docklab::engine::fs::uncompressed(copied.into(), 1 << 20).unwrap();
    assert_eq!(Digest::sha256(&unpacked), layer);
    // And deleted.
    let out = run(
        "skopeo",
        &[
            "delete",
            "--tls-verify=false",
            &format!("docker://{host}/skopeo/hello:v1"),
        ],
    )
    .unwrap();
    assert!(ok(&out), "skopeo delete: {}", text(&out));
    assert_eq!(server.get("/v2/skopeo/hello/manifests/v1").status, 404);
}

/// The docker CLI, when a daemon answers it within a few seconds.
fn docker_daemon() -> Option<()> {
    let mut child = Command::new("docker")
        .args(["version", "--format", "{{.Server.Version}}"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    for _ in 0..100 {
        if let Some(status) = child.try_wait().ok()? {
            return status.success().then_some(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

#[test]
fn the_docker_daemon_pushes_and_pulls_with_the_lab() {
    if docker_daemon().is_none() {
        eprintln!("skipped: no Docker daemon answers `docker version`");
        return;
    }
    let server = Server::start();
    let host = format!("127.0.0.1:{}", server.addr.port());
    let work = tempfile::tempdir().unwrap();
    let tar_path = work.path().join("rootfs.tar");
    std::fs::write(&tar_path, layer_tar("hello.txt", b"hello from docker\n")).unwrap();
    let pushed = format!("{host}/from-docker:1.0");
    let out = run("docker", &["import", tar_path.to_str().unwrap(), &pushed]).unwrap();
    assert!(ok(&out), "docker import: {}", text(&out));
    // Pushed through the lab's Docker backend: the daemon does the talking.
    let through_daemon = crate::support::Fixture::new();
    let out = through_daemon.docklab(&format!("docker push {pushed}\n"), &["--backend", "docker"]);
    let _ = run("docker", &["rmi", &pushed]);
    let shown = text(&out);
    assert!(out.status.success(), "push through the daemon: {shown}");
    assert!(
        shown.contains(&format!(
            "The push refers to repository [{host}/from-docker]\n"
        )),
        "{shown}"
    );
    let layer_line = regex::Regex::new(r"(?m)^[0-9a-f]{12}: Pushed$").unwrap();
    assert!(layer_line.is_match(&shown), "{shown}");
    assert!(shown.contains("1.0: digest: sha256:"), "{shown}");

    // The lab pulls what Docker pushed, and pushes an image of its own for Docker.
    let lab = crate::support::Fixture::new();
    let records = lab.records(
        &"docker pull HOST/from-docker:1.0\ndocker pull alpine:3.19\ndocker tag alpine:3.19 HOST/from-lab:1.0\ndocker push HOST/from-lab:1.0\n"
            .replace("HOST", &host),
    );
    for record in &records {
        assert_eq!(record.exit_code, 0, "{}: {}", record.command, record.stderr);
    }
    assert!(
        records[0]
            .stdout
            .contains("Status: Downloaded newer image for")
    );

    let from_lab = format!("{host}/from-lab:1.0");
    let out = run("docker", &["pull", &from_lab]).unwrap();
    let inspect = run(
        "docker",
        &[
            "image",
            "inspect",
            "--format",
            "{{.Os}} {{len .RootFS.Layers}}",
            &from_lab,
        ],
    );
    let _ = run("docker", &["rmi", &from_lab]);
    assert!(ok(&out), "docker pull: {}", text(&out));
    assert!(text(&out).contains("Pull complete"), "{}", text(&out));
    assert_eq!(text(&inspect.unwrap()).trim(), "linux 1");
}

#[test]
fn the_docker_daemon_logs_in_and_pushes_with_the_labs_credentials() {
    if docker_daemon().is_none() {
        eprintln!("skipped: no Docker daemon answers `docker version`");
        return;
    }
    let server = Server::with_user("student", "s3cret");
    let host = format!("127.0.0.1:{}", server.addr.port());
    let work = tempfile::tempdir().unwrap();
    let tar_path = work.path().join("rootfs.tar");
    std::fs::write(&tar_path, layer_tar("private.txt", b"only for students\n")).unwrap();
    let image = format!("{host}/private:1.0");
    let out = run("docker", &["import", tar_path.to_str().unwrap(), &image]).unwrap();
    assert!(ok(&out), "docker import: {}", text(&out));
    let lab = crate::support::Fixture::new();
    let script = format!(
        "docker push {image}\ndocker login -u student -p wrong {host}\ndocker login -u student -p s3cret {host}\ndocker push {image}\n"
    );
    let out = lab.docklab(&script, &["--backend", "docker", "--jsonl"]);
    let _ = run("docker", &["rmi", &image]);
    let records: Vec<crate::support::Record> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 4, "{records:?}");
    assert_eq!(
        records[0].exit_code, 1,
        "a push without credentials: {records:?}"
    );
    assert_eq!(records[1].exit_code, 1, "a wrong password: {records:?}");
    assert_eq!(records[2].exit_code, 0, "{}", records[2].stderr);
    assert_eq!(records[2].stdout, "Login Succeeded\n");
    assert_eq!(records[3].exit_code, 0, "{}", records[3].stderr);
    assert!(
        records[3].stdout.contains("1.0: digest: sha256:"),
        "{}",
        records[3].stdout
    );
    assert_eq!(server.get("/v2/_catalog").status, 401);
}
