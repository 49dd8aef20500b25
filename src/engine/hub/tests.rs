use super::*;
use crate::engine::program;
use std::collections::{HashMap, HashSet};
use std::io::Read;

/// One hub for the tests that only read, so each image is generated once per run; it
/// keeps few generated layers so the test process stays small.
fn hub() -> &'static Hub {
    static HUB: std::sync::OnceLock<Hub> = std::sync::OnceLock::new();
    HUB.get_or_init(|| Hub::with_memo_limit(None, 64 << 20))
}

/// Docker's size display: 3 significant digits, base 1000.
fn human(bytes: u64) -> String {
    let units = ["B", "kB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < units.len() {
        value /= 1000.0;
        unit += 1;
    }
    let text = format!(
        "{value:.*}",
        if value >= 100.0 {
            0
        } else if value >= 10.0 {
            1
        } else {
            2
        }
    );
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    format!("{text}{}", units[unit])
}

struct Entry {
    kind: tar::EntryType,
    mode: u32,
    size: u64,
    link: Option<String>,
    data: Vec<u8>,
    uid: u64,
    mtime: u64,
}

fn read_tar(bytes: &[u8]) -> Vec<(String, Entry)> {
    let mut archive = tar::Archive::new(bytes);
    let mut out = Vec::new();
    for entry in archive.entries().expect("a tar") {
        let mut entry = entry.expect("a valid entry");
        let header = entry.header().clone();
        let path = String::from_utf8(entry.path_bytes().to_vec()).unwrap();
        let link = entry
            .link_name()
            .unwrap()
            .map(|l| l.to_string_lossy().into_owned());
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        out.push((
            path,
            Entry {
                kind: header.entry_type(),
                mode: header.mode().unwrap(),
                size: header.size().unwrap(),
                link,
                data,
                uid: header.uid().unwrap() + header.gid().unwrap(),
                mtime: header.mtime().unwrap(),
            },
        ));
    }
    out
}

fn file<'a>(entries: &'a [(String, Entry)], path: &str) -> &'a Entry {
    &entries
        .iter()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("{path} missing"))
        .1
}

#[test]
fn generation_is_deterministic() {
    let a = hub()
        .resolve("docker.io", "library/alpine", "3.20")
        .unwrap();
    let b = hub()
        .resolve("docker.io", "library/alpine", "3.20")
        .unwrap();
    assert_eq!(a, b);
    let hub = hub();
    assert_eq!(hub.layer(&a, 0).unwrap(), hub.layer(&b, 0).unwrap());
}

#[test]
fn alpine_layer_is_a_valid_tar_with_real_files() {
    let hub = hub();
    let r = hub
        .resolve("docker.io", "library/alpine", "latest")
        .unwrap();
    assert_eq!(r.layers.len(), 1);
    let bytes = hub.layer(&r, 0).unwrap();
    assert_eq!(bytes.len() as u64, r.layers[0].size);
    let entries = read_tar(&bytes);

    let busybox = file(&entries, "bin/busybox");
    assert_eq!(busybox.kind, tar::EntryType::Regular);
    assert_eq!(busybox.mode, 0o755);
    assert_eq!(program::identify(&busybox.data), Some("busybox"));
    let sh = file(&entries, "bin/sh");
    assert_eq!(sh.kind, tar::EntryType::Symlink);
    assert_eq!(sh.link.as_deref(), Some("/bin/busybox"));
    assert_eq!(file(&entries, "tmp/").mode, 0o1777);
    assert_eq!(file(&entries, "root/").mode, 0o700);
    assert_eq!(file(&entries, "etc/alpine-release").data, b"3.22.0\n");
    let os_release = String::from_utf8(file(&entries, "etc/os-release").data.clone()).unwrap();
    assert!(
        os_release.contains("PRETTY_NAME=\"Alpine Linux v3.22\""),
        "{os_release}"
    );
    let repositories =
        String::from_utf8(file(&entries, "etc/apk/repositories").data.clone()).unwrap();
    assert!(repositories.contains("/alpine/v3.22/main"));
    let installed = String::from_utf8(file(&entries, "lib/apk/db/installed").data.clone()).unwrap();
    for package in [
        "P:musl\n",
        "P:busybox\n",
        "P:apk-tools\n",
        "P:alpine-baselayout\n",
    ] {
        assert!(installed.contains(package), "{package}");
    }
    assert!(file(&entries, "lib/ld-musl-x86_64.so.1").size > 500_000);
    assert!(
        file(&entries, "etc/passwd")
            .data
            .starts_with(b"root:x:0:0:root:/root:/bin/sh\n")
    );

    // Directories come before their contents; everything is root's, stamped at build time.
    let mut seen = HashSet::new();
    for (path, entry) in &entries {
        let trimmed = path.trim_end_matches('/');
        if let Some((parent, _)) = trimmed.rsplit_once('/') {
            assert!(seen.contains(parent), "{path} before its directory");
        }
        seen.insert(trimmed.to_string());
        assert_eq!(entry.uid, 0);
        assert_eq!(entry.mtime, spec::epoch("2025-05-30T13:38:16Z"));
        assert!(!path.starts_with('/') && !path.starts_with("./"));
    }
}

#[test]
fn busybox_applets_are_hard_links_to_one_binary() {
    let hub = hub();
    let r = hub
        .resolve("docker.io", "library/busybox", "latest")
        .unwrap();
    let entries = read_tar(&hub.layer(&r, 0).unwrap());
    let links: Vec<_> = entries
        .iter()
        .filter(|(_, e)| e.kind == tar::EntryType::Link)
        .collect();
    assert!(links.len() > 200);
    // The first path of the inode carries the bytes; every other names it.
    let (first, carrier) = entries
        .iter()
        .find(|(_, e)| e.kind == tar::EntryType::Regular && e.size > 1_000_000)
        .unwrap();
    assert_eq!(first, "bin/[");
    assert_eq!(program::identify(&carrier.data), Some("busybox"));
    assert!(
        links
            .iter()
            .all(|(_, e)| e.link.as_deref() == Some("bin/["))
    );
    assert!(entries.iter().any(|(p, _)| p == "bin/busybox"));
    assert!(entries.iter().any(|(p, _)| p == "bin/sh"));
}

#[test]
fn diff_ids_match_layers_and_image_id_is_config_digest() {
    let hub = hub();
    let r = hub.resolve("docker.io", "library/nginx", "latest").unwrap();
    assert_eq!(r.config_digest, Digest::sha256(&r.config));
    assert_eq!(r.digest, Digest::sha256(&r.manifest));
    let config: serde_json::Value = serde_json::from_slice(&r.config).unwrap();
    let diff_ids: Vec<String> = config["rootfs"]["diff_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap().to_string())
        .collect();
    assert_eq!(diff_ids.len(), r.layers.len());
    for (index, info) in r.layers.iter().enumerate() {
        let bytes = hub.layer(&r, index).unwrap();
        assert_eq!(Digest::sha256(&bytes), info.digest);
        assert_eq!(diff_ids[index], info.digest.to_string());
        assert_eq!(bytes.len() as u64, info.size);
    }
    let manifest: serde_json::Value = serde_json::from_slice(&r.manifest).unwrap();
    assert_eq!(manifest["mediaType"], MANIFEST_MEDIA_TYPE);
    assert_eq!(manifest["config"]["digest"], r.config_digest.to_string());
    assert_eq!(manifest["config"]["size"], r.config.len() as u64);
    assert_eq!(manifest["layers"][0]["mediaType"], LAYER_MEDIA_TYPE);
    assert_eq!(manifest["layers"].as_array().unwrap().len(), r.layers.len());
}

#[test]
fn nginx_has_its_real_config_and_files() {
    let hub = hub();
    let r = hub.resolve("docker.io", "library/nginx", "1.27").unwrap();
    assert_eq!(r.layers.len(), 7);
    let config = String::from_utf8(r.config.clone()).unwrap();
    assert!(
        config.starts_with(
            r#"{"architecture":"amd64","config":{"ExposedPorts":{"80/tcp":{}},"Env":["PATH="#
        ),
        "{config}"
    );
    assert!(
        config.contains(
            r#""Entrypoint":["/docker-entrypoint.sh"],"Cmd":["nginx","-g","daemon off;"]"#
        )
    );
    assert!(config.contains(r#""Labels":{"maintainer":"NGINX Docker Maintainers \u003cdocker-maint@nginx.com\u003e"},"StopSignal":"SIGQUIT"}"#));
    assert!(config.contains(r#"{"created":"2025-06-10T17:42:11Z","created_by":"EXPOSE map[80/tcp:{}]","comment":"buildkit.dockerfile.v0","empty_layer":true}"#));
    let install = read_tar(&hub.layer(&r, 1).unwrap());
    assert_eq!(
        program::identify(&file(&install, "usr/sbin/nginx").data),
        Some("nginx")
    );
    let index = String::from_utf8(
        file(&install, "usr/share/nginx/html/index.html")
            .data
            .clone(),
    )
    .unwrap();
    assert!(index.contains("<title>Welcome to nginx!</title>"));
    assert!(
        String::from_utf8_lossy(&file(&install, "etc/nginx/nginx.conf").data)
            .contains("worker_processes  auto;")
    );
    let passwd = String::from_utf8(file(&install, "etc/passwd").data.clone()).unwrap();
    assert!(
        passwd.starts_with("root:x:0:0:root:/root:/bin/bash\n"),
        "{passwd}"
    );
    assert!(
        passwd.ends_with("nginx:x:101:101:nginx user:/nonexistent:/bin/false\n"),
        "{passwd}"
    );
    let entrypoint = read_tar(&hub.layer(&r, 2).unwrap());
    let script = file(&entrypoint, "docker-entrypoint.sh");
    assert_eq!(script.mode, 0o775);
    assert!(script.data.ends_with(b"exec \"$@\"\n"));
    // The base layer is debian:bookworm-slim's, byte for byte.
    let slim = hub
        .resolve("docker.io", "library/debian", "bookworm-slim")
        .unwrap();
    assert_eq!(slim.layers[0], r.layers[0]);
}

#[test]
fn ubuntu_tags_carry_their_release() {
    let hub = hub();
    let latest = hub
        .resolve("docker.io", "library/ubuntu", "latest")
        .unwrap();
    let noble = hub.resolve("docker.io", "library/ubuntu", "noble").unwrap();
    assert_eq!(latest.digest, noble.digest);
    let r = hub.resolve("docker.io", "library/ubuntu", "18.04").unwrap();
    let entries = read_tar(&hub.layer(&r, 0).unwrap());
    let os_release = String::from_utf8(file(&entries, "usr/lib/os-release").data.clone()).unwrap();
    assert!(os_release.contains("VERSION=\"18.04.6 LTS (Bionic Beaver)\""));
    assert_eq!(file(&entries, "etc/debian_version").data, b"buster/sid\n");
    assert_eq!(
        program::identify(&file(&entries, "bin/bash").data),
        Some("bash")
    );
    assert_eq!(
        program::identify(&file(&entries, "bin/ls").data),
        Some("ls")
    );
    let status = String::from_utf8(file(&entries, "var/lib/dpkg/status").data.clone()).unwrap();
    assert!(status.contains("Package: coreutils\nEssential: yes\nStatus: install ok installed\n"));
    let config = String::from_utf8(r.config.clone()).unwrap();
    assert!(
        config.contains(
            r#""created_by":"/bin/sh -c #(nop)  CMD [\"/bin/bash\"]","empty_layer":true}"#
        ),
        "{config}"
    );
    assert!(config.contains(r#""docker_version":"20.10.21""#));
    assert!(
        config.contains(r#""config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false"#)
    );
    // 20.04 on is usr-merged.
    let jammy = hub.resolve("docker.io", "library/ubuntu", "22.04").unwrap();
    let entries = read_tar(&hub.layer(&jammy, 0).unwrap());
    assert_eq!(file(&entries, "bin").link.as_deref(), Some("usr/bin"));
    assert_eq!(
        program::identify(&file(&entries, "usr/bin/bash").data),
        Some("bash")
    );
}

/// Every image's size as `docker images` would show it, against the real image.
const EXPECTED_SIZES: &[(&str, &str, &str, &str)] = &[
    ("docker.io", "library/hello-world", "latest", "10.1kB"),
    ("docker.io", "library/alpine", "3.13", "5.61MB"),
    ("docker.io", "library/alpine", "3.14", "5.6MB"),
    ("docker.io", "library/alpine", "3.15", "5.59MB"),
    ("docker.io", "library/alpine", "3.16", "5.54MB"),
    ("docker.io", "library/alpine", "3.17", "7.06MB"),
    ("docker.io", "library/alpine", "3.18", "7.36MB"),
    ("docker.io", "library/alpine", "3.19", "7.38MB"),
    ("docker.io", "library/alpine", "3.20", "7.8MB"),
    ("docker.io", "library/alpine", "3.21", "7.83MB"),
    ("docker.io", "library/alpine", "3.22", "8.31MB"),
    ("docker.io", "library/busybox", "1.36", "4.26MB"),
    ("docker.io", "library/busybox", "1.37", "4.27MB"),
    ("docker.io", "library/ubuntu", "18.04", "63.1MB"),
    ("docker.io", "library/ubuntu", "20.04", "72.8MB"),
    ("docker.io", "library/ubuntu", "22.04", "77.9MB"),
    ("docker.io", "library/ubuntu", "24.04", "78.1MB"),
    ("docker.io", "library/debian", "bookworm", "117MB"),
    ("docker.io", "library/debian", "bookworm-slim", "74.8MB"),
    ("docker.io", "library/debian", "bullseye", "124MB"),
    ("docker.io", "library/nginx", "latest", "192MB"),
    ("docker.io", "library/nginx", "alpine", "48.1MB"),
    ("docker.io", "library/registry", "2", "25.4MB"),
    ("docker.io", "library/postgres", "17", "438MB"),
    ("docker.io", "library/postgres", "16", "432MB"),
    (
        "docker.io",
        "kitematic/hello-world-nginx",
        "latest",
        "7.91MB",
    ),
    ("quay.io", "coreos/etcd", "v3.5.21", "60.4MB"),
];

#[test]
fn sizes_match_the_real_images() {
    let hub = hub();
    let mut wrong = Vec::new();
    for (domain, path, tag, want) in EXPECTED_SIZES {
        let r = hub.resolve(domain, path, tag).unwrap();
        let got = human(r.unpacked_size());
        if got != *want {
            wrong.push(format!("{path}:{tag} is {got}, want {want}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn every_image_is_consistent() {
    let hub = hub();
    for repository in &catalog().repositories {
        for (tag, image) in &repository.tags {
            let spec = &catalog().images[*image];
            let layer_rows = spec.history.iter().filter(|h| !h.empty_layer).count();
            assert_eq!(layer_rows, spec.layers.len(), "{}:{tag}", repository.path);
            let r = hub
                .resolve(repository.domain, repository.path, tag)
                .unwrap();
            let config: serde_json::Value = serde_json::from_slice(&r.config).unwrap();
            let keys: Vec<&String> = config.as_object().unwrap().keys().collect();
            assert!(
                keys.contains(&&"architecture".to_string())
                    && keys.contains(&&"rootfs".to_string())
            );
            assert_eq!(
                config["history"].as_array().unwrap().len(),
                spec.history.len()
            );
            assert!(
                chrono::DateTime::parse_from_rfc3339(config["created"].as_str().unwrap()).is_ok()
            );
        }
    }
}

#[test]
fn hello_world_runs_hello() {
    let hub = hub();
    let r = hub
        .resolve("docker.io", "library/hello-world", "latest")
        .unwrap();
    let entries = read_tar(&hub.layer(&r, 0).unwrap());
    assert_eq!(entries.len(), 1);
    assert_eq!(
        program::identify(&file(&entries, "hello").data),
        Some("hello")
    );
    let config = String::from_utf8(r.config).unwrap();
    assert!(config.contains(r#""Cmd":["/hello"]"#));
}

#[test]
fn registry_image_config() {
    let hub = hub();
    let r = hub.resolve("docker.io", "library/registry", "2").unwrap();
    let config: serde_json::Value = serde_json::from_slice(&r.config).unwrap();
    assert_eq!(
        config["config"]["Entrypoint"],
        serde_json::json!(["/entrypoint.sh"])
    );
    assert_eq!(
        config["config"]["Cmd"],
        serde_json::json!(["/etc/docker/registry/config.yml"])
    );
    assert_eq!(
        config["config"]["ExposedPorts"],
        serde_json::json!({"5000/tcp": {}})
    );
    assert_eq!(
        config["config"]["Volumes"],
        serde_json::json!({"/var/lib/registry": {}})
    );
    let mut paths = HashMap::new();
    for index in 0..r.layers.len() {
        for (path, entry) in read_tar(&hub.layer(&r, index).unwrap()) {
            paths.insert(path, entry);
        }
    }
    assert_eq!(
        program::identify(&paths["bin/registry"].data),
        Some("registry")
    );
    assert!(
        String::from_utf8_lossy(&paths["etc/docker/registry/config.yml"].data)
            .contains("addr: :5000")
    );
    assert_eq!(paths["entrypoint.sh"].mode, 0o755);
}

#[test]
fn references_resolve_by_tag_and_digest() {
    let hub = hub();
    let by_tag = hub.resolve("docker.io", "library/alpine", "3.22").unwrap();
    let latest = hub
        .resolve("docker.io", "library/alpine", "latest")
        .unwrap();
    assert_eq!(by_tag.digest, latest.digest);
    let by_digest = hub
        .resolve("docker.io", "library/alpine", &by_tag.digest.to_string())
        .unwrap();
    assert_eq!(by_digest.digest, by_tag.digest);
    assert_eq!(by_digest.config, by_tag.config);
    assert_ne!(
        by_tag.digest,
        hub.resolve("docker.io", "library/alpine", "3.21")
            .unwrap()
            .digest
    );
}

#[test]
fn errors_for_unknown_names() {
    let hub = hub();
    assert_eq!(
        hub.resolve("docker.io", "library/nosuchimage", "latest"),
        Err(HubError::RepositoryNotFound)
    );
    assert_eq!(
        hub.resolve("docker.io", "library/alpine", "2.0"),
        Err(HubError::ManifestUnknown)
    );
    let absent = format!("sha256:{}", "0".repeat(64));
    assert_eq!(
        hub.resolve("docker.io", "library/hello-world", &absent),
        Err(HubError::ManifestUnknown)
    );
    assert_eq!(
        hub.resolve("docker.io", "library/hello-world", "sha256:xyz"),
        Err(HubError::ManifestUnknown)
    );
    assert_eq!(
        hub.resolve("ghcr.io", "library/alpine", "latest"),
        Err(HubError::UnknownRegistry("ghcr.io".to_string()))
    );
    assert_eq!(
        hub.resolve("quay.io", "library/alpine", "latest"),
        Err(HubError::RepositoryNotFound)
    );
}

#[test]
fn quay_repository_without_latest() {
    let hub = hub();
    assert_eq!(
        hub.resolve("quay.io", "coreos/etcd", "latest"),
        Err(HubError::ManifestUnknown)
    );
    let r = hub.resolve("quay.io", "coreos/etcd", "v3.5.21").unwrap();
    let mut found = false;
    for index in 0..r.layers.len() {
        for (path, entry) in read_tar(&hub.layer(&r, index).unwrap()) {
            if path == "usr/local/bin/etcd" {
                found = program::identify(&entry.data) == Some("etcd");
            }
        }
    }
    assert!(found);
}

#[test]
fn user_image_is_pullable() {
    let hub = hub();
    let r = hub
        .resolve("docker.io", "kitematic/hello-world-nginx", "latest")
        .unwrap();
    assert_eq!(r.layers.len(), 2);
    let site = read_tar(&hub.layer(&r, 1).unwrap());
    assert_eq!(file(&site, "start.sh").mode, 0o755);
    assert_eq!(file(&site, "tmp/").mode, 0o1777);
}

#[test]
fn layer_is_regenerated_when_not_memoised() {
    let cold = Hub::new(None);
    let r = cold.resolve("docker.io", "library/alpine", "3.19").unwrap();
    assert_eq!(cold.memo.lock().unwrap().layers.len(), 1);
    let memoised = cold.layer(&r, 0).unwrap();
    assert!(
        cold.memo.lock().unwrap().layers.is_empty(),
        "a fetched layer is not kept"
    );
    let again = cold.layer(&r, 0).unwrap();
    assert_eq!(memoised, again);
    assert_eq!(cold.layer(&r, 1), Err(HubError::BlobUnknown));

    let r = cold.resolve("docker.io", "library/registry", "2").unwrap();
    assert_eq!(cold.memo.lock().unwrap().layers.len(), 5);
    cold.release(&r);
    assert!(cold.memo.lock().unwrap().layers.is_empty());
    let again = cold.resolve("docker.io", "library/registry", "2").unwrap();
    assert_eq!(again, r);
    assert!(
        cold.memo.lock().unwrap().layers.is_empty(),
        "a resolve from memory generates nothing"
    );
}

#[test]
fn the_memo_is_bounded() {
    let small = Hub::with_memo_limit(None, 10 << 20);
    small
        .resolve("docker.io", "library/alpine", "3.21")
        .unwrap();
    small
        .resolve("docker.io", "library/alpine", "3.22")
        .unwrap();
    let memo = small.memo.lock().unwrap();
    assert_eq!(memo.layers.len(), 1);
    assert!(memo.bytes <= 10 << 20);
}

#[test]
fn search_orders_official_first_then_by_relevance_and_stars() {
    let hub = hub();
    let nginx = hub.search("nginx");
    assert_eq!(nginx.len(), 25);
    assert_eq!(nginx[0].name.as_deref(), Some("nginx"));
    assert_eq!(nginx[0].is_official, Some(true));
    assert!(nginx[1..].iter().all(|r| r.is_official == Some(false)));
    // The nginx organisation's repositories come next, then those named nginx elsewhere,
    // each group by stars.
    let names: Vec<&str> = nginx.iter().map(|r| r.name.as_deref().unwrap()).collect();
    let org = names[1..]
        .iter()
        .take_while(|n| n.starts_with("nginx/"))
        .count();
    assert_eq!(org, 5, "{names:?}");
    let named: Vec<_> = nginx[1 + org..]
        .iter()
        .take_while(|r| r.name.as_deref().unwrap().ends_with("/nginx"))
        .collect();
    assert_eq!(named.len(), 4, "{names:?}");
    let stars: Vec<i64> = named.iter().map(|r| r.star_count.unwrap()).collect();
    assert!(stars.windows(2).all(|w| w[0] >= w[1]), "{stars:?}");
    for term in [
        "ubuntu",
        "alpine",
        "hello-world",
        "busybox",
        "registry",
        "postgres",
        "nmap",
    ] {
        let results = hub.search(term);
        assert!(results.len() >= 20, "{term}: {}", results.len());
        if term != "nmap" {
            assert_eq!(results[0].name.as_deref(), Some(term));
            assert_eq!(results[0].is_official, Some(true));
        }
        assert!(results.iter().all(|r| r.is_automated == Some(false)));
    }
    assert_eq!(hub.search_limited("nginx", 3).len(), 3);
    assert!(hub.search("zzzz-nothing").is_empty());
    assert_eq!(
        hub.search("docker.io/library/busybox")[0].name.as_deref(),
        Some("busybox")
    );
}

#[test]
fn cache_round_trip_skips_generation() {
    let dir = tempfile::tempdir().unwrap();
    let first = Hub::new(Some(dir.path().to_path_buf()));
    let r = first
        .resolve("docker.io", "library/alpine", "3.18")
        .unwrap();
    let key = cache_key(
        catalog()
            .repository("docker.io", "library/alpine")
            .unwrap()
            .tags
            .iter()
            .find(|t| t.0 == "3.18")
            .unwrap()
            .1,
    );
    let path = cache::entry_path(dir.path(), &key);
    assert!(path.exists(), "{path:?}");

    let second = Hub::new(Some(dir.path().to_path_buf()));
    let again = second
        .resolve("docker.io", "library/alpine", "3.18")
        .unwrap();
    assert_eq!(again, r);
    // Nothing was generated, so nothing is memoised: the layer is built on demand.
    assert!(second.memo.lock().unwrap().layers.is_empty());
    assert_eq!(
        Digest::sha256(&second.layer(&again, 0).unwrap()),
        r.layers[0].digest
    );
}

#[test]
fn corrupt_cache_entries_are_regenerated() {
    let dir = tempfile::tempdir().unwrap();
    let r = Hub::new(Some(dir.path().to_path_buf()))
        .resolve("docker.io", "library/hello-world", "latest")
        .unwrap();
    let key = cache_key(
        catalog()
            .repository("docker.io", "library/hello-world")
            .unwrap()
            .tags[0]
            .1,
    );
    let path = cache::entry_path(dir.path(), &key);
    let good = std::fs::read_to_string(&path).unwrap();

    let tampered = [
        "not json".to_string(),
        good.replacen("amd64", "arm64", 1),
        good.replacen(&r.layers[0].digest.hex()[..8], "00000000", 1),
        good.replacen(&format!("\"size\":{}", r.layers[0].size), "\"size\":1", 1),
        good[..good.len() / 2].to_string(),
    ];
    for bad in tampered {
        assert_ne!(bad, good);
        std::fs::write(&path, &bad).unwrap();
        let hub = Hub::new(Some(dir.path().to_path_buf()));
        assert_eq!(
            hub.resolve("docker.io", "library/hello-world", "latest")
                .unwrap(),
            r,
            "{bad}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            good,
            "the entry is rewritten"
        );
    }
}

#[test]
fn tar_paths_longer_than_100_bytes_use_the_prefix() {
    let mut tree = tree::Tree::new(0);
    let long = format!("{}/{}", "d".repeat(80), "f".repeat(60));
    tree.text(&long, 0o644, "x");
    let entries = read_tar(&tree.to_tar());
    assert_eq!(entries.last().unwrap().0, long);
}

#[test]
#[ignore = "timing; run in release with --ignored --nocapture"]
fn generation_speed() {
    let dir = tempfile::tempdir().unwrap();
    let start = std::time::Instant::now();
    Hub::new(Some(dir.path().to_path_buf()))
        .resolve("docker.io", "library/ubuntu", "22.04")
        .unwrap();
    let cold = start.elapsed();
    let start = std::time::Instant::now();
    Hub::new(Some(dir.path().to_path_buf()))
        .resolve("docker.io", "library/ubuntu", "22.04")
        .unwrap();
    let warm = start.elapsed();
    #[allow(clippy::print_stdout)]
    {
        println!(
            "resolve ubuntu:22.04: cold {:.1} ms, from the cache dir {:.2} ms",
            cold.as_secs_f64() * 1e3,
            warm.as_secs_f64() * 1e3
        );
    }
    for (path, tag) in [
        ("library/ubuntu", "22.04"),
        ("library/nginx", "latest"),
        ("library/postgres", "17"),
    ] {
        let image = catalog()
            .repository("docker.io", path)
            .unwrap()
            .tags
            .iter()
            .find(|t| t.0 == tag)
            .unwrap()
            .1;
        let spec = &catalog().images[image];
        let start = std::time::Instant::now();
        let mut bytes = 0;
        for layer in &spec.layers {
            let (tar, _) = layer.tree().to_tar_hashed();
            bytes += tar.len();
        }
        let elapsed = start.elapsed();
        let start_tar = std::time::Instant::now();
        for layer in &spec.layers {
            std::hint::black_box(layer.tree().to_tar());
        }
        let tar_only = start_tar.elapsed();
        #[allow(clippy::print_stdout)]
        {
            println!(
                "{path}:{tag}: {:.1} MB in {:.1} ms generate+hash ({:.0} MB/s); generate only {:.1} ms ({:.0} MB/s)",
                bytes as f64 / 1e6,
                elapsed.as_secs_f64() * 1e3,
                bytes as f64 / 1e6 / elapsed.as_secs_f64(),
                tar_only.as_secs_f64() * 1e3,
                bytes as f64 / 1e6 / tar_only.as_secs_f64(),
            );
        }
    }
}

#[test]
fn pipelined_hash_matches_a_plain_hash() {
    for (path, tag) in [
        ("library/hello-world", "latest"),
        ("library/registry", "2"),
        ("library/debian", "bullseye"),
    ] {
        let image = catalog()
            .repository("docker.io", path)
            .unwrap()
            .tags
            .iter()
            .find(|t| t.0 == tag)
            .unwrap()
            .1;
        for layer in &catalog().images[image].layers {
            let tree = layer.tree();
            let (tar, digest) = tree.to_tar_hashed();
            assert_eq!(tar, tree.to_tar());
            assert_eq!(digest, Digest::sha256(&tar));
        }
    }
}

#[test]
#[ignore = "shows the search results"]
fn show_search() {
    for term in ["nginx", "ubuntu", "hello-world", "nmap"] {
        for item in hub().search(term) {
            #[allow(clippy::print_stdout)]
            {
                println!(
                    "{:<45} {:<47} {:>6} {}",
                    item.name.unwrap(),
                    item.description
                        .unwrap()
                        .chars()
                        .take(45)
                        .collect::<String>(),
                    item.star_count.unwrap(),
                    if item.is_official == Some(true) {
                        "[OK]"
                    } else {
                        ""
                    }
                );
            }
        }
        #[allow(clippy::print_stdout)]
        {
            println!();
        }
    }
}

/// No layer writes through a symlink, its own or one a lower layer made: extracting such
/// an entry would land somewhere else (or be refused).
#[test]
fn no_entry_lies_under_a_symlink() {
    let hub = hub();
    for repository in &catalog().repositories {
        let mut images: Vec<(&str, usize)> = repository
            .tags
            .iter()
            .map(|(t, i)| (t.as_str(), *i))
            .collect();
        images.dedup_by_key(|(_, i)| *i);
        for (tag, image) in images {
            let spec = &catalog().images[image];
            if spec
                .layers
                .iter()
                .any(|l| l.tree().unpacked_size() > 150_000_000)
            {
                continue; // the big layers only add files under real directories; keep the test quick
            }
            let r = hub
                .resolve(repository.domain, repository.path, tag)
                .unwrap();
            let mut symlinks: HashSet<String> = HashSet::new();
            for index in 0..r.layers.len() {
                let entries = read_tar(&hub.layer(&r, index).unwrap());
                for (path, entry) in &entries {
                    let path = path.trim_end_matches('/');
                    let mut ancestor = path;
                    while let Some((up, _)) = ancestor.rsplit_once('/') {
                        assert!(
                            !symlinks.contains(up),
                            "{}:{tag}: {path} lies under symlink {up}",
                            repository.path
                        );
                        ancestor = up;
                    }
                    if entry.kind == tar::EntryType::Symlink {
                        symlinks.insert(path.to_string());
                    } else if entry.kind == tar::EntryType::Directory {
                        assert!(
                            !symlinks.contains(path),
                            "{}:{tag}: directory {path} replaces a symlink",
                            repository.path
                        );
                    } else {
                        symlinks.remove(path);
                    }
                }
            }
        }
    }
}

#[test]
fn tags_and_registry_aliases() {
    let hub = hub();
    let tags = hub.tags("quay.io", "coreos/etcd").unwrap();
    assert!(!tags.contains(&"latest".to_string()));
    assert!(
        hub.tags("docker.io", "library/ubuntu")
            .unwrap()
            .contains(&"bionic".to_string())
    );
    assert_eq!(
        hub.tags("docker.io", "library/nope"),
        Err(HubError::RepositoryNotFound)
    );
    let a = hub
        .resolve("registry-1.docker.io", "library/hello-world", "latest")
        .unwrap();
    assert_eq!(a.domain, "docker.io");
    assert_eq!(
        a.digest,
        hub.resolve("docker.io", "library/hello-world", "latest")
            .unwrap()
            .digest
    );
}
