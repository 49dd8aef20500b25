//! Tests of the language and server images: tags, sizes against the real images',
//! configs, history, and the files other parts of the engine run.

use super::*;
use crate::engine::program;
use std::io::Read;

fn hub() -> &'static Hub {
    static HUB: std::sync::OnceLock<Hub> = std::sync::OnceLock::new();
    HUB.get_or_init(|| Hub::with_memo_limit(None, 32 << 20))
}

/// The repositories these images fill, with every tag they should answer.
const TAGS: &[(&str, &str, &[&str])] = &[
    (
        "docker.io",
        "library/python",
        &["latest", "3", "3.12", "3.12.11", "3.12-slim", "3.12-alpine"],
    ),
    (
        "docker.io",
        "library/node",
        &[
            "latest",
            "lts",
            "22",
            "22.17.0",
            "22-alpine",
            "22-alpine3.22",
        ],
    ),
    (
        "docker.io",
        "library/golang",
        &["1.22", "1.22.12", "1.22-alpine", "1.22.12-alpine"],
    ),
    (
        "docker.io",
        "library/redis",
        &["latest", "7", "7.4", "7.4.5", "7-alpine"],
    ),
    ("docker.io", "library/httpd", &["latest", "2.4", "2.4.63"]),
    ("quay.io", "nordstrom/hello-world", &["2.0"]),
];

#[test]
fn every_tag_resolves() {
    for (domain, path, tags) in TAGS {
        for tag in *tags {
            let r = hub().resolve(domain, path, tag);
            assert!(r.is_ok(), "{path}:{tag}: {r:?}");
        }
    }
    let python = hub().resolve("docker.io", "library/python", "3").unwrap();
    let latest = hub()
        .resolve("docker.io", "library/python", "latest")
        .unwrap();
    assert_eq!(python.digest, latest.digest);
}

/// What `docker images` shows for the real images (Docker 28, unpacked size), in bytes.
const SIZES: &[(&str, &str, &str, u64)] = &[
    ("docker.io", "library/python", "3.12", 1_020_000_000),
    ("docker.io", "library/python", "3.12-slim", 124_000_000),
    ("docker.io", "library/python", "3.12-alpine", 55_000_000),
    ("docker.io", "library/node", "22", 1_120_000_000),
    ("docker.io", "library/node", "22-alpine", 160_000_000),
    ("docker.io", "library/golang", "1.22", 818_000_000),
    ("docker.io", "library/golang", "1.22-alpine", 220_000_000),
    ("docker.io", "library/redis", "7.4.5", 117_000_000),
    ("docker.io", "library/redis", "7-alpine", 41_400_000),
    ("docker.io", "library/httpd", "2.4.63", 148_000_000),
];

#[test]
fn sizes_are_within_ten_percent_of_the_real_images() {
    let mut wrong = Vec::new();
    for (domain, path, tag, want) in SIZES {
        let got = hub().resolve(domain, path, tag).unwrap().unpacked_size();
        let off = (got as f64 - *want as f64).abs() / *want as f64;
        if off > 0.10 {
            wrong.push(format!("{path}:{tag} is {got}, want about {want}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

struct Found {
    kind: tar::EntryType,
    mode: u32,
    link: Option<String>,
    data: Vec<u8>,
}

/// `path` as the topmost layer that has it holds it. Layers over 300 MB (base systems
/// and toolchains) are skipped: none of the files looked for lies there.
fn find(r: &Resolved, path: &str) -> Option<Found> {
    for index in (0..r.layers.len()).rev() {
        if r.layers[index].unpacked_size > 300_000_000 {
            continue;
        }
        let bytes = hub().layer(r, index).unwrap();
        let mut archive = tar::Archive::new(bytes.as_slice());
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            if entry.path_bytes().as_ref() != path.as_bytes() {
                continue;
            }
            let header = entry.header().clone();
            let link = entry
                .link_name()
                .unwrap()
                .map(|l| l.to_string_lossy().into_owned());
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            return Some(Found {
                kind: header.entry_type(),
                mode: header.mode().unwrap(),
                link,
                data,
            });
        }
    }
    None
}

fn resolve(path: &str, tag: &str) -> Resolved {
    hub().resolve("docker.io", path, tag).unwrap()
}

fn program_at(r: &Resolved, path: &str) -> Option<String> {
    let found = find(r, path).unwrap_or_else(|| panic!("{path} missing"));
    assert_eq!(found.kind, tar::EntryType::Regular, "{path}");
    assert_eq!(found.mode, 0o755, "{path}");
    program::identify(&found.data).map(str::to_string)
}

fn link_at(r: &Resolved, path: &str) -> String {
    let found = find(r, path).unwrap_or_else(|| panic!("{path} missing"));
    assert_eq!(found.kind, tar::EntryType::Symlink, "{path}");
    found.link.unwrap()
}

fn text_at(r: &Resolved, path: &str) -> String {
    let found = find(r, path).unwrap_or_else(|| panic!("{path} missing"));
    String::from_utf8(found.data).unwrap()
}

fn config(r: &Resolved) -> serde_json::Value {
    serde_json::from_slice(&r.config).unwrap()
}

#[test]
fn python_has_its_interpreter_pip_and_stdlib() {
    for tag in ["3.12", "3.12-slim", "3.12-alpine"] {
        let r = resolve("library/python", tag);
        assert_eq!(
            program_at(&r, "usr/local/bin/python3.12").as_deref(),
            Some("python3")
        );
        assert_eq!(link_at(&r, "usr/local/bin/python3"), "python3.12");
        assert_eq!(link_at(&r, "usr/local/bin/python"), "python3");
        assert_eq!(link_at(&r, "usr/local/bin/pip"), "pip3");
        for pip in ["usr/local/bin/pip3", "usr/local/bin/pip3.12"] {
            assert_eq!(program_at(&r, pip).as_deref(), Some("pip"), "{tag}");
        }
        assert!(find(&r, "usr/local/lib/python3.12/os.py").is_some());
        assert!(find(&r, "usr/local/lib/python3.12/json/__init__.py").is_some());
        let metadata = text_at(
            &r,
            "usr/local/lib/python3.12/site-packages/pip-25.0.1.dist-info/METADATA",
        );
        assert!(
            metadata.contains("Name: pip\nVersion: 25.0.1\n"),
            "{metadata}"
        );
        let c = config(&r);
        assert_eq!(
            c["config"]["Env"],
            serde_json::json!([
                "PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "LANG=C.UTF-8",
                "GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305",
                "PYTHON_VERSION=3.12.11",
                "PYTHON_SHA256=c30bb24b7f1e9a19b11b55a546434f74e739bb4c271a3e3a80ff4380d49f7adb",
            ]),
            "{tag}"
        );
        assert_eq!(c["config"]["Cmd"], serde_json::json!(["python3"]));
        assert!(c["config"].get("Entrypoint").is_none());
    }
}

#[test]
fn python_history_is_the_dockerfile_over_its_bases() {
    let r = resolve("library/python", "3.12");
    let c = config(&r);
    let rows: Vec<&str> = c["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["created_by"].as_str().unwrap())
        .collect();
    assert!(rows[0].starts_with("# debian.sh --arch 'amd64' out/ 'bookworm'"));
    assert!(rows[1].contains("\t\tcurl \t\tgnupg"), "{}", rows[1]);
    assert!(rows[2].contains("\t\tgit \t\tmercurial"), "{}", rows[2]);
    assert!(rows[3].starts_with("RUN /bin/sh -c set -ex; \tapt-get update;"));
    assert_eq!(
        rows[4],
        "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    );
    assert_eq!(rows.last(), Some(&"CMD [\"python3\"]"));
    assert_eq!(r.layers.len(), 7);
    // Each step is dated when it ran: the Debian snapshot, buildpack-deps, then python.
    let times: Vec<&str> = c["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["created"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert_eq!(times[0], "2025-06-10T00:00:00Z");
    assert_eq!(c["created"], *times.last().unwrap());
}

#[test]
fn node_has_node_npm_npx_yarn_and_its_entrypoint() {
    for tag in ["22", "22-alpine"] {
        let r = resolve("library/node", tag);
        assert_eq!(
            program_at(&r, "usr/local/bin/node").as_deref(),
            Some("node")
        );
        assert_eq!(
            link_at(&r, "usr/local/bin/npm"),
            "../lib/node_modules/npm/bin/npm-cli.js"
        );
        assert_eq!(
            link_at(&r, "usr/local/bin/npx"),
            "../lib/node_modules/npm/bin/npx-cli.js"
        );
        let npm = "usr/local/lib/node_modules/npm";
        assert_eq!(
            program_at(&r, &format!("{npm}/bin/npm-cli.js")).as_deref(),
            Some("npm")
        );
        assert_eq!(
            program_at(&r, &format!("{npm}/bin/npx-cli.js")).as_deref(),
            Some("npx")
        );
        let package: serde_json::Value =
            serde_json::from_str(&text_at(&r, &format!("{npm}/package.json"))).unwrap();
        assert_eq!(package["name"], "npm");
        assert_eq!(package["version"], "10.9.2");
        assert_eq!(
            link_at(&r, "usr/local/bin/yarn"),
            "/opt/yarn-v1.22.22/bin/yarn"
        );
        let entrypoint = text_at(&r, "usr/local/bin/docker-entrypoint.sh");
        assert!(entrypoint.starts_with("#!/bin/sh\nset -e\n"));
        assert!(entrypoint.contains("  set -- node \"$@\"\n"));
        let c = config(&r);
        assert_eq!(
            c["config"]["Entrypoint"],
            serde_json::json!(["docker-entrypoint.sh"])
        );
        assert_eq!(c["config"]["Cmd"], serde_json::json!(["node"]));
        assert_eq!(
            c["config"]["Env"],
            serde_json::json!([
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "NODE_VERSION=22.17.0",
                "YARN_VERSION=1.22.22",
            ])
        );
    }
    let bookworm = resolve("library/node", "22");
    assert_eq!(
        text_at(&bookworm, "home/node/.bashrc"),
        text_at(&bookworm, "etc/skel/.bashrc")
    );
    assert!(
        text_at(&bookworm, "etc/passwd").contains("\nnode:x:1000:1000::/home/node:/bin/bash\n")
    );
    let alpine = config(&resolve("library/node", "22-alpine"));
    assert_eq!(alpine["config"]["WorkingDir"], "/");
}

#[test]
fn golang_has_go_gofmt_and_its_gopath() {
    for tag in ["1.22", "1.22-alpine"] {
        let r = resolve("library/golang", tag);
        assert_eq!(program_at(&r, "usr/local/go/bin/go").as_deref(), Some("go"));
        assert_eq!(
            program_at(&r, "usr/local/go/bin/gofmt").as_deref(),
            Some("gofmt")
        );
        assert!(text_at(&r, "usr/local/go/VERSION").starts_with("go1.22.12\ntime 2025-"));
        let gopath = find(&r, "go/bin/").unwrap();
        assert_eq!(gopath.kind, tar::EntryType::Directory);
        assert_eq!(gopath.mode, 0o1777);
        let c = config(&r);
        assert_eq!(c["config"]["WorkingDir"], "/go");
        assert_eq!(
            c["config"]["Env"],
            serde_json::json!([
                "PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "GOLANG_VERSION=1.22.12",
                "GOTOOLCHAIN=local",
                "GOPATH=/go",
            ])
        );
    }
    let bookworm = resolve("library/golang", "1.22");
    assert_eq!(
        config(&bookworm)["config"]["Cmd"],
        serde_json::json!(["bash"])
    );
    // From buildpack-deps:bookworm-scm.
    assert_eq!(program_at(&bookworm, "usr/bin/git").as_deref(), Some("git"));
}

#[test]
fn redis_has_its_server_links_entrypoint_and_data_volume() {
    for tag in ["7.4.5", "7-alpine"] {
        let r = resolve("library/redis", tag);
        assert_eq!(
            program_at(&r, "usr/local/bin/redis-server").as_deref(),
            Some("redis-server")
        );
        assert_eq!(
            program_at(&r, "usr/local/bin/redis-cli").as_deref(),
            Some("redis-cli")
        );
        for link in ["redis-check-aof", "redis-check-rdb", "redis-sentinel"] {
            assert_eq!(
                link_at(&r, &format!("usr/local/bin/{link}")),
                "redis-server"
            );
        }
        let entrypoint = text_at(&r, "usr/local/bin/docker-entrypoint.sh");
        assert!(entrypoint.contains("\tset -- redis-server \"$@\"\n"));
        assert!(find(&r, "data/").is_some());
        assert!(text_at(&r, "etc/passwd").contains("redis:x:999:"));
        let c = config(&r);
        assert_eq!(c["config"]["Volumes"], serde_json::json!({"/data": {}}));
        assert_eq!(c["config"]["WorkingDir"], "/data");
        assert_eq!(
            c["config"]["ExposedPorts"],
            serde_json::json!({"6379/tcp": {}})
        );
        assert_eq!(c["config"]["Cmd"], serde_json::json!(["redis-server"]));
    }
}

#[test]
fn httpd_has_its_server_config_and_page() {
    let r = resolve("library/httpd", "2.4");
    assert_eq!(
        program_at(&r, "usr/local/apache2/bin/httpd").as_deref(),
        Some("httpd")
    );
    assert_eq!(
        text_at(&r, "usr/local/apache2/htdocs/index.html"),
        "<html><body><h1>It works!</h1></body></html>\n"
    );
    let conf = text_at(&r, "usr/local/apache2/conf/httpd.conf");
    for line in [
        "\nListen 80\n",
        "\nDocumentRoot \"/usr/local/apache2/htdocs\"\n",
        "\nServerRoot \"/usr/local/apache2\"\n",
        "\nErrorLog /proc/self/fd/2\n",
        "\nUser www-data\n",
        "\n#ServerName www.example.com:80\n",
    ] {
        assert!(conf.contains(line), "{line:?}");
    }
    assert_eq!(
        text_at(&r, "usr/local/bin/httpd-foreground"),
        "#!/bin/sh\nset -e\n\n# Apache gets grumpy about PID files pre-existing\nrm -f /usr/local/apache2/logs/httpd.pid\n\nexec httpd -DFOREGROUND \"$@\"\n"
    );
    let c = config(&r);
    assert_eq!(c["config"]["StopSignal"], "SIGWINCH");
    assert_eq!(c["config"]["WorkingDir"], "/usr/local/apache2");
    assert_eq!(c["config"]["Cmd"], serde_json::json!(["httpd-foreground"]));
    assert_eq!(
        c["config"]["Env"],
        serde_json::json!([
            "PATH=/usr/local/apache2/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HTTPD_PREFIX=/usr/local/apache2",
            "HTTPD_VERSION=2.4.63",
            "HTTPD_SHA256=88fc236ab99b2864b248de7d49a008ec2afd7551e64dce8b95f58f32f94c46ab",
            "HTTPD_PATCHES=",
        ])
    );
}

#[test]
fn redis_history_carries_its_source_date_epoch() {
    let c = config(&resolve("library/redis", "7.4.5"));
    for row in c["history"].as_array().unwrap() {
        let created = row["created"].as_str().unwrap();
        assert!(created <= "2025-07-06T16:51:58Z", "{created}");
    }
    let golang = config(&resolve("library/golang", "1.22"));
    assert_eq!(golang["history"][0]["created"], "2025-02-04T19:09:51Z");
}

#[test]
fn nordstrom_hello_world_has_only_tag_two() {
    assert_eq!(
        hub().resolve("quay.io", "nordstrom/hello-world", "latest"),
        Err(HubError::ManifestUnknown)
    );
    assert_eq!(
        hub().tags("quay.io", "nordstrom/hello-world").unwrap(),
        vec!["2.0".to_string()]
    );
    let r = hub()
        .resolve("quay.io", "nordstrom/hello-world", "2.0")
        .unwrap();
    assert!(r.unpacked_size() < 20_000_000);
}
