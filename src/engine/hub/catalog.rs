//! The catalog: which repositories and tags exist on the simulated registries, and what
//! each image is made of (release tables below, assembled into `ImageSpec`s).
//!
//! Owns the data only. Bump `GENERATOR_VERSION` whenever anything here, or in the
//! recipes it calls, changes a byte of any image: the resolve cache is keyed by it.

use super::apps;
use super::languages::{self, Flavour};
use super::rootfs::{self, AlpineRelease, BusyboxRelease, DebianRelease};
use super::services;
use super::spec::{Builder, DEFAULT_PATH, HistoryRow, ImageSpec, LayerSpec, RunConfig, strings};
use crate::engine::digest::Digest;

/// Names the generator's output; part of every cache key.
pub const GENERATOR_VERSION: &str = "hub-gen-4";

pub static ALPINE: [AlpineRelease; 10] = [
    alpine(
        "3.13.12",
        5_613_000,
        "1.32.1-r9",
        "1.2.2-r1",
        "2.12.7-r0",
        "1.1.1q-r0",
        "1.2.12-r3",
    ),
    alpine(
        "3.14.10",
        5_603_000,
        "1.33.1-r8",
        "1.2.2-r3",
        "2.12.7-r0",
        "1.1.1t-r2",
        "1.2.12-r3",
    ),
    alpine(
        "3.15.11",
        5_587_000,
        "1.34.1-r7",
        "1.2.2-r9",
        "2.12.7-r3",
        "1.1.1w-r1",
        "1.2.12-r3",
    ),
    alpine(
        "3.16.9",
        5_543_000,
        "1.35.0-r18",
        "1.2.3-r3",
        "2.12.9-r3",
        "1.1.1w-r1",
        "1.2.12-r3",
    ),
    alpine(
        "3.17.10",
        7_057_000,
        "1.35.0-r31",
        "1.2.3-r6",
        "2.12.10-r1",
        "3.0.15-r0",
        "1.2.13-r0",
    ),
    alpine(
        "3.18.12",
        7_363_000,
        "1.36.1-r7",
        "1.2.4-r3",
        "2.14.0-r2",
        "3.1.8-r0",
        "1.2.13-r1",
    ),
    alpine(
        "3.19.7",
        7_380_000,
        "1.36.1-r20",
        "1.2.4_git20230717-r5",
        "2.14.4-r0",
        "3.1.8-r0",
        "1.3.1-r0",
    ),
    alpine(
        "3.20.6",
        7_797_000,
        "1.36.1-r31",
        "1.2.5-r1",
        "2.14.4-r1",
        "3.3.3-r0",
        "1.3.1-r1",
    ),
    alpine(
        "3.21.3",
        7_834_000,
        "1.37.0-r12",
        "1.2.5-r9",
        "2.14.6-r3",
        "3.3.3-r0",
        "1.3.1-r2",
    ),
    alpine(
        "3.22.0",
        8_313_000,
        "1.37.0-r18",
        "1.2.5-r10",
        "2.14.9-r2",
        "3.5.0-r0",
        "1.3.1-r2",
    ),
];
/// When each `ALPINE` entry was built, and by which builder.
const ALPINE_BUILT: [(&str, Option<&str>); 10] = [
    ("2022-08-09T17:19:53.47374331Z", Some("20.10.12")),
    ("2023-03-29T18:19:24.45578926Z", Some("20.10.23")),
    ("2024-01-27T00:30:56.150825642Z", Some("20.10.23")),
    ("2024-01-27T00:30:48.743965523Z", Some("20.10.23")),
    ("2024-09-06T12:05:18Z", None),
    ("2025-02-14T03:28:36Z", None),
    ("2025-02-14T03:28:36Z", None),
    ("2025-02-14T03:28:36Z", None),
    ("2025-02-14T03:28:36Z", None),
    ("2025-05-30T13:38:16Z", None),
];
/// The Alpine the registry image was built on (its own, older build of 3.18).
static ALPINE_FOR_REGISTRY: AlpineRelease = alpine(
    "3.18.4",
    7_334_000,
    "1.36.1-r2",
    "1.2.4-r2",
    "2.14.0-r2",
    "3.1.3-r0",
    "1.2.13-r1",
);
/// What kitematic/hello-world-nginx was built on in 2015.
static ALPINE_FOR_KITEMATIC: AlpineRelease = alpine(
    "3.2.3",
    5_250_000,
    "1.23.2-r0",
    "1.1.11-r2",
    "2.6.3-r0",
    "1.0.2d-r0",
    "1.2.8-r0",
);

const fn alpine(
    version: &'static str,
    size: u64,
    busybox: &'static str,
    musl: &'static str,
    apk_tools: &'static str,
    openssl: &'static str,
    zlib: &'static str,
) -> AlpineRelease {
    AlpineRelease {
        version,
        size,
        busybox,
        musl,
        apk_tools,
        openssl,
        zlib,
    }
}

const BIONIC_PACKAGES: &str = "apt 1.6.17\nbase-files 10.1ubuntu2.12\nbash 4.4.18-2ubuntu1.3\nbsdutils 1:2.31.1-0.4ubuntu3.7\ncoreutils 8.28-1ubuntu1\ndash 0.5.8-2.10\ndebianutils 4.8.4\ndiffutils 1:3.6-1\ndpkg 1.19.0.5ubuntu2.4\nfindutils 4.6.0+git+20170828-2\ngrep 3.1-2build1\ngzip 1.6-5ubuntu1.2\nhostname 3.20\nlibc6 2.27-3ubuntu1.6\nlogin 1:4.5-1ubuntu2.5\nmawk 1.3.3-17ubuntu3\nncurses-base 6.1-1ubuntu1.18.04.1\npasswd 1:4.5-1ubuntu2.5\nperl-base 5.26.1-6ubuntu0.7\nsed 4.4-2\ntar 1.29b-2ubuntu0.4\nubuntu-keyring 2018.09.18.1~18.04.2\nutil-linux 2.31.1-0.4ubuntu3.7\nzlib1g 1:1.2.11.dfsg-0ubuntu2.2";
const FOCAL_PACKAGES: &str = "apt 2.0.10\nbase-files 11ubuntu5.8\nbash 5.0-6ubuntu1.2\nbsdutils 1:2.34-0.1ubuntu9.6\ncoreutils 8.30-3ubuntu2\ndash 0.5.10.2-6\ndebianutils 4.9.1\ndiffutils 1:3.7-3\ndpkg 1.19.7ubuntu3.2\nfindutils 4.7.0-1ubuntu1\ngrep 3.4-1\ngzip 1.10-0ubuntu4.1\nhostname 3.23\nlibc6 2.31-0ubuntu9.17\nlogin 1:4.8.1-1ubuntu5.20.04.5\nmawk 1.3.4.20200120-2\nncurses-base 6.2-0ubuntu2.1\npasswd 1:4.8.1-1ubuntu5.20.04.5\nperl-base 5.30.0-9ubuntu0.5\nsed 4.7-1\ntar 1.30+dfsg-7ubuntu0.20.04.4\nubuntu-keyring 2020.02.11.4\nutil-linux 2.34-0.1ubuntu9.6\nzlib1g 1:1.2.11.dfsg-2ubuntu1.5";
const JAMMY_PACKAGES: &str = "apt 2.4.14\nbase-files 12ubuntu4.7\nbash 5.1-6ubuntu1.1\nbsdutils 1:2.37.2-4ubuntu3.4\ncoreutils 8.32-4.1ubuntu1.2\ndash 0.5.11+git20210903+057cd650a4ed-3build1\ndebianutils 5.5-1ubuntu2\ndiffutils 1:3.8-0ubuntu2\ndpkg 1.21.1ubuntu2.3\nfindutils 4.8.0-1ubuntu3\ngrep 3.7-1build1\ngzip 1.10-4ubuntu4.1\nhostname 3.23ubuntu2\nlibc6 2.35-0ubuntu3.9\nlogin 1:4.8.1-2ubuntu2.2\nmawk 1.3.4.20200120-3\nncurses-base 6.3-2ubuntu0.1\npasswd 1:4.8.1-2ubuntu2.2\nperl-base 5.34.0-3ubuntu1.4\nsed 4.8-1ubuntu2\ntar 1.34+dfsg-1ubuntu0.1.22.04.2\nubuntu-keyring 2021.03.26\nutil-linux 2.37.2-4ubuntu3.4\nzlib1g 1:1.2.11.dfsg-2ubuntu9.2";
const NOBLE_PACKAGES: &str = "apt 2.8.3\nbase-files 13ubuntu10.2\nbash 5.2.21-2ubuntu4\nbsdutils 1:2.39.3-9ubuntu6.2\ncoreutils 9.4-3ubuntu6\ndash 0.5.12-6ubuntu5\ndebianutils 5.17build1\ndiffutils 1:3.10-1build1\ndpkg 1.22.6ubuntu6.1\nfindutils 4.9.0-5build1\ngrep 3.11-4build1\ngzip 1.12-1ubuntu3\nhostname 3.23+nmu2ubuntu2\nlibc6 2.39-0ubuntu8.4\nlogin 1:4.13+dfsg1-4ubuntu3.2\nmawk 1.3.4.20240123-1build1\nncurses-base 6.4+20240113-1ubuntu2\npasswd 1:4.13+dfsg1-4ubuntu3.2\nperl-base 5.38.2-3.2build2.1\nsed 4.9-2build1\ntar 1.35+dfsg-3build1\nubuntu-keyring 2023.11.28.1\nutil-linux 2.39.3-9ubuntu6.2\nzlib1g 1:1.3.dfsg-3.1ubuntu2.1";
const BULLSEYE_PACKAGES: &str = "apt 2.2.4\nbase-files 11.1+deb11u11\nbash 5.1-2+deb11u1\nbsdutils 1:2.36.1-8+deb11u2\ncoreutils 8.32-4+b1\ndash 0.5.11+git20200708+dd9ef66-5\ndebianutils 4.11.2\ndiffutils 1:3.7-5\ndpkg 1.20.13\nfindutils 4.8.0-1\ngrep 3.6-1+deb11u1\ngzip 1.10-4+deb11u1\nhostname 3.23\nlibc6 2.31-13+deb11u13\nlogin 1:4.8.1-1\nmawk 1.3.4.20200120-2\nncurses-base 6.2+20201114-2+deb11u2\npasswd 1:4.8.1-1\nperl-base 5.32.1-4+deb11u4\nsed 4.7-1\ntar 1.34+dfsg-1+deb11u1\nutil-linux 2.36.1-8+deb11u2\nzlib1g 1:1.2.11.dfsg-2+deb11u2";
const BOOKWORM_PACKAGES: &str = "apt 2.6.1\nbase-files 12.4+deb12u11\nbash 5.2.15-2+b8\nbsdutils 1:2.38.1-5+deb12u3\ncoreutils 9.1-1\ndash 0.5.12-2\ndebian-archive-keyring 2023.3+deb12u2\ndebianutils 5.7-0.5~deb12u1\ndiffutils 1:3.8-4\ndpkg 1.21.22\nfindutils 4.9.0-4\ngrep 3.8-5\ngzip 1.12-1\nhostname 3.23+nmu1\nlibc6 2.36-9+deb12u10\nlogin 1:4.13+dfsg1-1+deb12u1\nmawk 1.3.4.20200120-3.1\nncurses-base 6.4-4\npasswd 1:4.13+dfsg1-1+deb12u1\nperl-base 5.36.0-7+deb12u2\nsed 4.9-1\ntar 1.34+dfsg-1.2+deb12u1\nutil-linux 2.38.1-5+deb12u3\nzlib1g 1:1.2.13.dfsg-1";

static UBUNTU: [DebianRelease; 4] = [
    ubuntu(
        "18.04",
        "18.04.6 LTS (Bionic Beaver)",
        "bionic",
        "buster/sid",
        false,
        63_148_000,
        BIONIC_PACKAGES,
    ),
    ubuntu(
        "20.04",
        "20.04.6 LTS (Focal Fossa)",
        "focal",
        "bullseye/sid",
        true,
        72_811_000,
        FOCAL_PACKAGES,
    ),
    ubuntu(
        "22.04",
        "22.04.5 LTS (Jammy Jellyfish)",
        "jammy",
        "bookworm/sid",
        true,
        77_863_000,
        JAMMY_PACKAGES,
    ),
    ubuntu(
        "24.04",
        "24.04.2 LTS (Noble Numbat)",
        "noble",
        "trixie/sid",
        true,
        78_118_000,
        NOBLE_PACKAGES,
    ),
];
/// `(created, docker_version)` per `UBUNTU` entry.
const UBUNTU_BUILT: [(&str, &str); 4] = [
    ("2023-05-30T09:32:09.432301537Z", "20.10.21"),
    ("2025-04-08T10:07:02.741521658Z", "24.0.7"),
    ("2025-05-29T04:21:22.190435762Z", "24.0.7"),
    ("2025-05-29T04:21:36.471537217Z", "24.0.7"),
];

const fn ubuntu(
    version_id: &'static str,
    version: &'static str,
    codename: &'static str,
    debian_version: &'static str,
    merged_usr: bool,
    size: u64,
    packages: &'static str,
) -> DebianRelease {
    DebianRelease {
        ubuntu: true,
        version_id,
        version,
        codename,
        debian_version,
        merged_usr,
        size,
        packages,
    }
}

static BOOKWORM: DebianRelease = DebianRelease {
    ubuntu: false,
    version_id: "12",
    version: "12 (bookworm)",
    codename: "bookworm",
    debian_version: "12.11",
    merged_usr: true,
    size: 116_540_000,
    packages: BOOKWORM_PACKAGES,
};
static BOOKWORM_SLIM: DebianRelease = DebianRelease {
    size: 74_830_000,
    ..BOOKWORM
};
static BULLSEYE: DebianRelease = DebianRelease {
    ubuntu: false,
    version_id: "11",
    version: "11 (bullseye)",
    codename: "bullseye",
    debian_version: "11.11",
    merged_usr: true,
    size: 124_050_000,
    packages: BULLSEYE_PACKAGES,
};
/// Debian images are stamped at midnight UTC of their snapshot (debuerreotype).
const DEBIAN_BUILT: &str = "2025-06-10T00:00:00Z";
const DEBIAN_EPOCH: &str = "1749513600";

static BUSYBOX: [BusyboxRelease; 2] = [
    BusyboxRelease { size: 4_261_000 },
    BusyboxRelease { size: 4_269_000 },
];
const BUSYBOX_BUILT: &str = "2024-09-26T21:31:42Z";

/// A repository and its tags, each naming an image in `Catalog::images`.
pub struct Repository {
    pub domain: &'static str,
    pub path: &'static str,
    pub tags: Vec<(String, usize)>,
}

pub struct Catalog {
    pub images: Vec<ImageSpec>,
    pub repositories: Vec<Repository>,
}

impl Catalog {
    pub fn repository(&self, domain: &str, path: &str) -> Option<&Repository> {
        self.repositories
            .iter()
            .find(|r| r.domain == domain && r.path == path)
    }

    pub fn build() -> Catalog {
        let mut c = Catalog {
            images: Vec::new(),
            repositories: Vec::new(),
        };

        let hello = c.add(hello_world());
        c.repo("docker.io", "library/hello-world", &[("latest", hello)]);

        let mut alpine_tags = Vec::new();
        for (release, (created, classic)) in ALPINE.iter().zip(ALPINE_BUILT) {
            let id = c.add(alpine_image(release, created, classic));
            alpine_tags.push((release.branch().to_string(), id));
            alpine_tags.push((release.version.to_string(), id));
        }
        let newest = alpine_tags.last().map(|t| t.1).unwrap_or_default();
        alpine_tags.push(("latest".to_string(), newest));
        c.repo_owned("docker.io", "library/alpine", alpine_tags);

        let busybox_136 = c.add(busybox_image(&BUSYBOX[0]));
        let busybox_137 = c.add(busybox_image(&BUSYBOX[1]));
        c.repo(
            "docker.io",
            "library/busybox",
            &[
                ("latest", busybox_137),
                ("1.37", busybox_137),
                ("1.37.0", busybox_137),
                ("1.36", busybox_136),
                ("1.36.1", busybox_136),
            ],
        );

        let mut ubuntu_tags = Vec::new();
        for (release, (created, docker_version)) in UBUNTU.iter().zip(UBUNTU_BUILT) {
            let id = c.add(ubuntu_image(release, created, docker_version));
            ubuntu_tags.push((release.version_id.to_string(), id));
            ubuntu_tags.push((release.codename.to_string(), id));
        }
        let lts = ubuntu_tags.last().map(|t| t.1).unwrap_or_default();
        ubuntu_tags.push(("latest".to_string(), lts));
        c.repo_owned("docker.io", "library/ubuntu", ubuntu_tags);

        let bookworm = c.add(debian_image(&BOOKWORM, false));
        let bookworm_slim = c.add(debian_image(&BOOKWORM_SLIM, true));
        let bullseye = c.add(debian_image(&BULLSEYE, false));
        c.repo(
            "docker.io",
            "library/debian",
            &[
                ("latest", bookworm),
                ("bookworm", bookworm),
                ("12", bookworm),
                ("12.11", bookworm),
                ("bookworm-slim", bookworm_slim),
                ("12-slim", bookworm_slim),
                ("bullseye", bullseye),
                ("11", bullseye),
            ],
        );

        let nginx = c.add(nginx_debian(&c.images[bookworm_slim]));
        let alpine_321 = alpine_image(&ALPINE[8], ALPINE_BUILT[8].0, None);
        let nginx_alpine = c.add(nginx_alpine(&alpine_321));
        c.repo(
            "docker.io",
            "library/nginx",
            &[
                ("latest", nginx),
                ("1.27", nginx),
                ("1.27.5", nginx),
                ("mainline", nginx),
                ("alpine", nginx_alpine),
                ("1.27-alpine", nginx_alpine),
            ],
        );

        let registry = c.add(registry_image());
        c.repo(
            "docker.io",
            "library/registry",
            &[("2", registry), ("2.8", registry), ("2.8.3", registry)],
        );

        let pg17 = c.add(postgres_image(
            &c.images[bookworm_slim],
            "17",
            "17.5-1.pgdg120+1",
            320_200_000,
        ));
        let pg16 = c.add(postgres_image(
            &c.images[bookworm_slim],
            "16",
            "16.9-1.pgdg120+1",
            314_200_000,
        ));
        c.repo(
            "docker.io",
            "library/postgres",
            &[
                ("latest", pg17),
                ("17", pg17),
                ("17.5", pg17),
                ("16", pg16),
                ("16.9", pg16),
            ],
        );

        let kitematic = c.add(kitematic_image());
        c.repo(
            "docker.io",
            "kitematic/hello-world-nginx",
            &[("latest", kitematic)],
        );

        let etcd_old = c.add(etcd_image(
            "2025-03-27T16:08:53Z",
            [24_838_144, 18_632_704, 14_929_920],
        ));
        let etcd_new = c.add(etcd_image(
            "2025-06-06T14:37:10Z",
            [26_214_400, 19_398_656, 15_728_640],
        ));
        c.repo(
            "quay.io",
            "coreos/etcd",
            &[("v3.5.21", etcd_old), ("v3.6.1", etcd_new)],
        );

        // Language runtimes over buildpack-deps:bookworm (not itself in the catalog),
        // debian:bookworm-slim and Alpine.
        let alpine_322 = &alpine_image(&ALPINE[9], ALPINE_BUILT[9].0, None);
        let curl = languages::buildpack_curl(&c.images[bookworm]);
        let scm = languages::buildpack_scm(&curl);
        let full = languages::buildpack_full(&scm);

        let python = c.add(languages::python_image(&full, Flavour::Bookworm));
        let python_slim = c.add(languages::python_image(
            &c.images[bookworm_slim],
            Flavour::Slim,
        ));
        let python_alpine = c.add(languages::python_image(alpine_322, Flavour::Alpine));
        c.repo(
            "docker.io",
            "library/python",
            &[
                ("latest", python),
                ("3", python),
                ("3.12", python),
                ("3.12.11", python),
                ("bookworm", python),
                ("3.12-bookworm", python),
                ("3.12.11-bookworm", python),
                ("3-bookworm", python),
                ("3.12-slim", python_slim),
                ("3.12.11-slim", python_slim),
                ("3.12-slim-bookworm", python_slim),
                ("3.12.11-slim-bookworm", python_slim),
                ("3-slim", python_slim),
                ("slim", python_slim),
                ("3.12-alpine", python_alpine),
                ("3.12.11-alpine", python_alpine),
                ("3.12-alpine3.22", python_alpine),
                ("3.12.11-alpine3.22", python_alpine),
                ("3-alpine", python_alpine),
                ("alpine", python_alpine),
            ],
        );

        let node = c.add(languages::node_image(&full, false));
        let node_alpine = c.add(languages::node_image(alpine_322, true));
        c.repo(
            "docker.io",
            "library/node",
            &[
                ("latest", node),
                ("lts", node),
                ("22", node),
                ("22.17", node),
                ("22.17.0", node),
                ("jod", node),
                ("22-bookworm", node),
                ("22.17.0-bookworm", node),
                ("lts-bookworm", node),
                ("lts-alpine", node_alpine),
                ("22-alpine", node_alpine),
                ("22.17-alpine", node_alpine),
                ("22.17.0-alpine", node_alpine),
                ("22-alpine3.22", node_alpine),
                ("22.17.0-alpine3.22", node_alpine),
            ],
        );

        let alpine_321 = &alpine_image(&ALPINE[8], ALPINE_BUILT[8].0, None);
        let golang = c.add(languages::golang_image(&scm, false));
        let golang_alpine = c.add(languages::golang_image(alpine_321, true));
        c.repo(
            "docker.io",
            "library/golang",
            &[
                ("1.22", golang),
                ("1.22.12", golang),
                ("1.22-bookworm", golang),
                ("1.22.12-bookworm", golang),
                ("1.22-alpine", golang_alpine),
                ("1.22.12-alpine", golang_alpine),
                ("1.22-alpine3.21", golang_alpine),
                ("1.22.12-alpine3.21", golang_alpine),
            ],
        );

        let redis = c.add(services::redis_image(&c.images[bookworm_slim], false));
        let redis_alpine = c.add(services::redis_image(alpine_321, true));
        c.repo(
            "docker.io",
            "library/redis",
            &[
                ("latest", redis),
                ("7", redis),
                ("7.4", redis),
                ("7.4.5", redis),
                ("7-bookworm", redis),
                ("7.4-bookworm", redis),
                ("7.4.5-bookworm", redis),
                ("alpine", redis_alpine),
                ("7-alpine", redis_alpine),
                ("7.4-alpine", redis_alpine),
                ("7.4.5-alpine", redis_alpine),
                ("7.4.5-alpine3.21", redis_alpine),
            ],
        );

        let httpd = c.add(services::httpd_image(&c.images[bookworm_slim]));
        c.repo(
            "docker.io",
            "library/httpd",
            &[
                ("latest", httpd),
                ("2", httpd),
                ("2.4", httpd),
                ("2.4.63", httpd),
                ("bookworm", httpd),
                ("2.4-bookworm", httpd),
                ("2.4.63-bookworm", httpd),
            ],
        );

        let nordstrom = c.add(services::nordstrom_hello_world(&old_alpine_base()));
        c.repo("quay.io", "nordstrom/hello-world", &[("2.0", nordstrom)]);
        c
    }

    fn add(&mut self, image: ImageSpec) -> usize {
        self.images.push(image);
        self.images.len() - 1
    }

    fn repo(&mut self, domain: &'static str, path: &'static str, tags: &[(&str, usize)]) {
        let tags = tags.iter().map(|(t, i)| (t.to_string(), *i)).collect();
        self.repo_owned(domain, path, tags);
    }

    fn repo_owned(&mut self, domain: &'static str, path: &'static str, tags: Vec<(String, usize)>) {
        self.repositories.push(Repository { domain, path, tags });
    }
}

/// A step of a Dockerfile as history shows it: metadata only, or with a layer.
enum Step {
    Meta(String),
    Layer(String, LayerSpec),
}

fn meta(created_by: impl Into<String>) -> Step {
    Step::Meta(created_by.into())
}

fn layer(
    created_by: impl Into<String>,
    built: &str,
    recipe: impl Fn(&mut super::tree::Tree) + Send + Sync + 'static,
) -> Step {
    Step::Layer(created_by.into(), LayerSpec::new(built, recipe))
}

/// Appends BuildKit-built steps, all stamped `created`.
fn buildkit(image: &mut ImageSpec, created: &str, steps: Vec<Step>) {
    for step in steps {
        match step {
            Step::Meta(by) => image.meta(HistoryRow::buildkit(created, by, true)),
            Step::Layer(by, spec) => image.layer(HistoryRow::buildkit(created, by, false), spec),
        };
    }
}

/// The classic builder's `ADD file:<hash> in / ` (hash of the added tarball's content).
fn classic_add(what: &str) -> String {
    format!(
        "/bin/sh -c #(nop) ADD file:{} in / ",
        Digest::sha256(what.as_bytes()).hex()
    )
}

fn empty_image(created: &str, builder: Builder, config: RunConfig) -> ImageSpec {
    ImageSpec {
        created: created.to_string(),
        builder,
        config,
        history: Vec::new(),
        layers: Vec::new(),
    }
}

fn hello_world() -> ImageSpec {
    let created = "2025-08-13T22:18:12Z";
    let mut image = empty_image(
        created,
        Builder::Modern,
        RunConfig {
            env: strings(&[DEFAULT_PATH]),
            cmd: Some(strings(&["/hello"])),
            working_dir: "/".to_string(),
            ..RunConfig::default()
        },
    );
    buildkit(
        &mut image,
        created,
        vec![
            layer("COPY hello / # buildkit", created, apps::hello),
            meta("CMD [\"/hello\"]"),
        ],
    );
    image
}

fn alpine_image(
    release: &'static AlpineRelease,
    created: &str,
    classic: Option<&'static str>,
) -> ImageSpec {
    let recipe = move |t: &mut super::tree::Tree| rootfs::alpine(t, release);
    let tarball = format!("alpine-minirootfs-{}-x86_64.tar.gz", release.version);
    let mut config = RunConfig {
        env: strings(&[DEFAULT_PATH]),
        cmd: Some(strings(&["/bin/sh"])),
        ..RunConfig::default()
    };
    match classic {
        Some(docker_version) => {
            let mut image = empty_image(created, Builder::Classic { docker_version }, config);
            image
                .layer(
                    HistoryRow::classic(created, classic_add(&tarball), false),
                    LayerSpec::new(created, recipe),
                )
                .meta(HistoryRow::classic(
                    created,
                    "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]",
                    true,
                ));
            image
        }
        None => {
            config.working_dir = "/".to_string();
            let mut image = empty_image(created, Builder::Modern, config);
            buildkit(
                &mut image,
                created,
                vec![
                    layer(format!("ADD {tarball} / # buildkit"), created, recipe),
                    meta("CMD [\"/bin/sh\"]"),
                ],
            );
            image
        }
    }
}

fn busybox_image(release: &'static BusyboxRelease) -> ImageSpec {
    let created = BUSYBOX_BUILT;
    let mut image = empty_image(
        created,
        Builder::Modern,
        RunConfig {
            env: strings(&[DEFAULT_PATH]),
            cmd: Some(strings(&["sh"])),
            ..RunConfig::default()
        },
    );
    let steps = vec![
        layer("ADD busybox.tar.gz / # buildkit", created, move |t| {
            rootfs::busybox(t, release)
        }),
        meta("CMD [\"sh\"]"),
    ];
    buildkit(&mut image, created, steps);
    image.config.working_dir = "/".to_string();
    image
}

fn ubuntu_image(
    release: &'static DebianRelease,
    created: &str,
    docker_version: &'static str,
) -> ImageSpec {
    let labels = vec![
        (
            "org.opencontainers.image.ref.name".to_string(),
            "ubuntu".to_string(),
        ),
        (
            "org.opencontainers.image.version".to_string(),
            release.version_id.to_string(),
        ),
    ];
    let mut image = empty_image(
        created,
        Builder::Classic { docker_version },
        RunConfig {
            env: strings(&[DEFAULT_PATH]),
            cmd: Some(strings(&["/bin/bash"])),
            labels,
            ..RunConfig::default()
        },
    );
    let earlier = created;
    let tarball = format!("ubuntu-{}-oci-amd64-root.tar.gz", release.codename);
    image
        .meta(HistoryRow::classic(
            earlier,
            "/bin/sh -c #(nop)  ARG RELEASE",
            true,
        ))
        .meta(HistoryRow::classic(
            earlier,
            "/bin/sh -c #(nop)  ARG LAUNCHPAD_BUILD_ARCH",
            true,
        ))
        .meta(HistoryRow::classic(
            earlier,
            "/bin/sh -c #(nop)  LABEL org.opencontainers.image.ref.name=ubuntu",
            true,
        ))
        .meta(HistoryRow::classic(
            earlier,
            format!(
                "/bin/sh -c #(nop)  LABEL org.opencontainers.image.version={}",
                release.version_id
            ),
            true,
        ))
        .layer(
            HistoryRow::classic(created, classic_add(&tarball), false),
            LayerSpec::new(created, move |t| rootfs::debian(t, release, false)),
        )
        .meta(HistoryRow::classic(
            created,
            "/bin/sh -c #(nop)  CMD [\"/bin/bash\"]",
            true,
        ));
    image
}

fn debian_image(release: &'static DebianRelease, slim: bool) -> ImageSpec {
    let created = DEBIAN_BUILT;
    let mut image = empty_image(
        created,
        Builder::Modern,
        RunConfig {
            env: strings(&[DEFAULT_PATH]),
            cmd: Some(strings(&["bash"])),
            ..RunConfig::default()
        },
    );
    let variant = if slim { "--slim " } else { "" };
    image.layer(
        HistoryRow {
            created: created.to_string(),
            created_by: format!(
                "# debian.sh --arch 'amd64' {variant}out/ '{}' '@{DEBIAN_EPOCH}'",
                release.codename
            ),
            comment: Some("debuerreotype 0.15".to_string()),
            empty_layer: false,
        },
        LayerSpec::new(created, move |t| rootfs::debian(t, release, slim)),
    );
    image
}

/// Sizes and text the nginx variants share.
const NGINX_VERSION: &str = "1.27.5";
const NGINX_MAINTAINER: &str = "NGINX Docker Maintainers <docker-maint@nginx.com>";

fn nginx_config(base: &ImageSpec, env: &[&str]) -> RunConfig {
    let mut all_env = base.config.env.clone();
    all_env.extend(strings(env));
    RunConfig {
        exposed_ports: strings(&["80/tcp"]),
        env: all_env,
        entrypoint: Some(strings(&["/docker-entrypoint.sh"])),
        cmd: Some(strings(&["nginx", "-g", "daemon off;"])),
        labels: vec![("maintainer".to_string(), NGINX_MAINTAINER.to_string())],
        stop_signal: Some("SIGQUIT".to_string()),
        ..RunConfig::default()
    }
}

fn nginx_entrypoint_steps(created: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    for (dest, text) in apps::nginx_entrypoint_files() {
        let (dir, file) = dest
            .rsplit_once('/')
            .map(|(d, f)| (format!("/{d}"), f))
            .unwrap_or(("/".to_string(), dest));
        steps.push(layer(
            format!("COPY {file} {dir} # buildkit"),
            created,
            move |t| apps::copy_file(t, dest, 0o775, text),
        ));
    }
    steps.extend([
        meta("ENTRYPOINT [\"/docker-entrypoint.sh\"]"),
        meta("EXPOSE map[80/tcp:{}]"),
        meta("STOPSIGNAL SIGQUIT"),
        meta("CMD [\"nginx\" \"-g\" \"daemon off;\"]"),
    ]);
    steps
}

fn nginx_debian(base: &ImageSpec) -> ImageSpec {
    let created = "2025-06-10T17:42:11Z";
    let mut image = base.clone();
    image.created = created.to_string();
    let env = [
        "NGINX_VERSION=1.27.5",
        "NJS_VERSION=0.8.10",
        "NJS_RELEASE=1~bookworm",
        "PKG_RELEASE=1~bookworm",
        "DYNPKG_RELEASE=1~bookworm",
    ];
    image.config = nginx_config(base, &env);
    let mut steps = vec![meta(format!("LABEL maintainer={NGINX_MAINTAINER}"))];
    steps.extend(env.iter().map(|e| meta(format!("ENV {e}"))));
    steps.push(layer(
        "RUN /bin/sh -c set -x     && groupadd --system --gid 101 nginx     && useradd --system --gid nginx --no-create-home --home /nonexistent --comment \"nginx user\" --shell /bin/false --uid 101 nginx     && apt-get update     && apt-get install --no-install-recommends --no-install-suggests -y gnupg1 ca-certificates     && apt-get install --no-install-recommends --no-install-suggests -y $nginxPackages gettext-base curl     && apt-get remove --purge --auto-remove -y && rm -rf /var/lib/apt/lists/* /etc/apt/sources.list.d/nginx.list     && ln -sf /dev/stdout /var/log/nginx/access.log     && ln -sf /dev/stderr /var/log/nginx/error.log     && mkdir /docker-entrypoint.d # buildkit",
        created,
        |t| apps::nginx_install(t, NGINX_VERSION, false, 117_280_000),
    ));
    steps.extend(nginx_entrypoint_steps(created));
    buildkit(&mut image, created, steps);
    image
}

fn nginx_alpine(base: &ImageSpec) -> ImageSpec {
    let created = "2025-04-16T17:38:02Z";
    let mut image = base.clone();
    image.created = created.to_string();
    let env = [
        "NGINX_VERSION=1.27.5",
        "PKG_RELEASE=1",
        "DYNPKG_RELEASE=1",
        "NJS_VERSION=0.8.10",
        "NJS_RELEASE=1",
    ];
    image.config = nginx_config(base, &env);
    let mut steps = vec![meta(format!("LABEL maintainer={NGINX_MAINTAINER}"))];
    steps.extend(env[..3].iter().map(|e| meta(format!("ENV {e}"))));
    steps.push(layer(
        "RUN /bin/sh -c set -x     && addgroup -g 101 -S nginx     && adduser -S -D -H -u 101 -h /var/cache/nginx -s /sbin/nologin -G nginx -g nginx nginx     && apkArch=\"$(cat /etc/apk/arch)\"     && nginxPackages=\"         nginx=${NGINX_VERSION}-r${PKG_RELEASE}     \"     && apk add -X \"https://nginx.org/packages/mainline/alpine/v$(egrep -o '^[0-9]+\\.[0-9]+' /etc/alpine-release)/main\" --no-cache $nginxPackages     && ln -sf /dev/stdout /var/log/nginx/access.log     && ln -sf /dev/stderr /var/log/nginx/error.log     && mkdir /docker-entrypoint.d # buildkit",
        created,
        |t| apps::nginx_install(t, NGINX_VERSION, true, 4_958_000),
    ));
    steps.extend(nginx_entrypoint_steps(created));
    steps.extend(env[3..].iter().map(|e| meta(format!("ENV {e}"))));
    steps.push(layer(
        "RUN /bin/sh -c set -x     && apkArch=\"$(cat /etc/apk/arch)\"     && nginxPackages=\"         nginx=${NGINX_VERSION}-r${PKG_RELEASE}         nginx-module-xslt=${NGINX_VERSION}-r${DYNPKG_RELEASE}         nginx-module-geoip=${NGINX_VERSION}-r${DYNPKG_RELEASE}         nginx-module-image-filter=${NGINX_VERSION}-r${DYNPKG_RELEASE}         nginx-module-njs=${NGINX_VERSION}.${NJS_VERSION}-r${NJS_RELEASE}     \"     && apk add --no-cache --virtual .checksum-deps openssl     && apk add -X \"https://nginx.org/packages/mainline/alpine/v$(egrep -o '^[0-9]+\\.[0-9]+' /etc/alpine-release)/main\" --no-cache $nginxPackages     && apk add --no-cache curl ca-certificates # buildkit",
        created,
        |t| {
            t.program("usr/bin/curl", "curl", 255_000).program("usr/sbin/nginx-debug", "nginx", 1_411_200);
            t.fill_to(35_330_000, &[("usr/lib/nginx/modules/ngx_http_js_module.so", 3), ("usr/lib/libLLVM.so.19.1", 50), ("usr/lib/libicudata.so.74.2", 30), ("usr/lib/libxslt.so.1.1.39", 1)]);
        },
    ));
    buildkit(&mut image, created, steps);
    image
}

fn registry_image() -> ImageSpec {
    let base_built = "2023-09-28T21:19:27.686110063Z";
    let created = "2023-10-02T18:43:47Z";
    let tarball = "alpine-minirootfs-3.18.4-x86_64.tar.gz";
    let mut image = empty_image(
        created,
        Builder::Modern,
        RunConfig {
            exposed_ports: strings(&["5000/tcp"]),
            env: strings(&[DEFAULT_PATH]),
            entrypoint: Some(strings(&["/entrypoint.sh"])),
            cmd: Some(strings(&["/etc/docker/registry/config.yml"])),
            volumes: strings(&["/var/lib/registry"]),
            ..RunConfig::default()
        },
    );
    image
        .layer(
            HistoryRow::classic(base_built, classic_add(tarball), false),
            LayerSpec::new(base_built, |t| rootfs::alpine(t, &ALPINE_FOR_REGISTRY)),
        )
        .meta(HistoryRow::classic(
            base_built,
            "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]",
            true,
        ));
    buildkit(
        &mut image,
        created,
        vec![
            layer(
                "RUN /bin/sh -c set -ex     && apk add --no-cache ca-certificates # buildkit",
                created,
                |t| apps::ca_certificates(t, 683_000),
            ),
            layer(
                "COPY ./registry/registry /bin/registry # buildkit",
                created,
                |t| apps::registry_binary(t, 17_382_000),
            ),
            layer(
                "COPY ./registry/config-example.yml /etc/docker/registry/config.yml # buildkit",
                created,
                |t| {
                    apps::copy_file(
                        t,
                        "etc/docker/registry/config.yml",
                        0o644,
                        apps::REGISTRY_CONFIG,
                    )
                },
            ),
            meta("VOLUME [/var/lib/registry]"),
            meta("EXPOSE map[5000/tcp:{}]"),
            layer(
                "COPY docker-entrypoint.sh /entrypoint.sh # buildkit",
                created,
                |t| apps::copy_file(t, "entrypoint.sh", 0o755, apps::REGISTRY_ENTRYPOINT),
            ),
            meta("ENTRYPOINT [\"/entrypoint.sh\"]"),
            meta("CMD [\"/etc/docker/registry/config.yml\"]"),
        ],
    );
    image
}

fn postgres_image(
    base: &ImageSpec,
    major: &'static str,
    version: &str,
    install_size: u64,
) -> ImageSpec {
    let created = if major == "17" {
        "2025-06-10T18:21:40Z"
    } else {
        "2025-06-10T18:20:57Z"
    };
    let mut image = base.clone();
    image.created = created.to_string();
    let path = format!(
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/postgresql/{major}/bin"
    );
    let pg_major = format!("PG_MAJOR={major}");
    let pg_version = format!("PG_VERSION={version}");
    image.config = RunConfig {
        exposed_ports: strings(&["5432/tcp"]),
        env: vec![
            path.clone(),
            "GOSU_VERSION=1.17".to_string(),
            "LANG=en_US.utf8".to_string(),
            pg_major.clone(),
            pg_version.clone(),
            "PGDATA=/var/lib/postgresql/data".to_string(),
        ],
        entrypoint: Some(strings(&["docker-entrypoint.sh"])),
        cmd: Some(strings(&["postgres"])),
        volumes: strings(&["/var/lib/postgresql/data"]),
        stop_signal: Some("SIGINT".to_string()),
        ..RunConfig::default()
    };
    let steps = vec![
        layer(
            "RUN /bin/sh -c set -eux; \tgroupadd -r postgres --gid=999; \tuseradd -r -g postgres --uid=999 --home-dir=/var/lib/postgresql --shell=/bin/bash postgres; \tmkdir -p /var/lib/postgresql; \tchown -R postgres:postgres /var/lib/postgresql # buildkit",
            created,
            |t| {
                rootfs::add_user(
                    t,
                    false,
                    "postgres:x:999:999::/var/lib/postgresql:/bin/bash",
                    "postgres:x:999:",
                );
                t.dir("var/lib/postgresql", 0o755);
            },
        ),
        layer(
            "RUN /bin/sh -c set -ex; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tgnupg \t\tless \t; \trm -rf /var/lib/apt/lists/* # buildkit",
            created,
            |t| apps::helper_tools(t, &["gpg", "less"], 9_310_000),
        ),
        meta("ENV GOSU_VERSION=1.17"),
        layer(
            "RUN /bin/sh -c set -eux; \tsavedAptMark=\"$(apt-mark showmanual)\"; \tapt-get update; \tapt-get install -y --no-install-recommends ca-certificates wget; \trm -rf /var/lib/apt/lists/*; \tdpkgArch=\"$(dpkg --print-architecture | awk -F- '{ print $NF }')\"; \twget -O /usr/local/bin/gosu \"https://github.com/tianon/gosu/releases/download/$GOSU_VERSION/gosu-$dpkgArch\"; \tchmod +x /usr/local/bin/gosu; \tgosu --version; \tgosu nobody true # buildkit",
            created,
            |t| apps::helper_tools(t, &["gosu"], 4_300_000),
        ),
        layer(
            "RUN /bin/sh -c set -eux; \tif [ -f /etc/dpkg/dpkg.cfg.d/docker ]; then \t\tgrep -q '/usr/share/locale' /etc/dpkg/dpkg.cfg.d/docker; \t\tsed -ri '/\\/usr\\/share\\/locale/d' /etc/dpkg/dpkg.cfg.d/docker; \tfi; \tapt-get update; apt-get install -y --no-install-recommends locales; rm -rf /var/lib/apt/lists/*; \techo 'en_US.UTF-8 UTF-8' >> /etc/locale.gen; \tlocale-gen; \tlocale -a | grep 'en_US.utf8' # buildkit",
            created,
            |t| apps::locales(t, 24_700_000),
        ),
        meta("ENV LANG=en_US.utf8"),
        layer(
            "RUN /bin/sh -c set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tlibnss-wrapper \t\txz-utils \t\tzstd \t; \trm -rf /var/lib/apt/lists/* # buildkit",
            created,
            |t| apps::helper_tools(t, &["xz", "zstd"], 4_800_000),
        ),
        layer(
            "RUN /bin/sh -c mkdir /docker-entrypoint-initdb.d # buildkit",
            created,
            |t| {
                t.dir("docker-entrypoint-initdb.d", 0o755);
            },
        ),
        layer(
            "RUN /bin/sh -c set -ex; \tkey='B97B0AFCAA1A47F044F244A07FCC7D46ACCC4CF8'; \texport GNUPGHOME=\"$(mktemp -d)\"; \tmkdir -p /usr/local/share/keyrings/; \tgpg --batch --keyserver keyserver.ubuntu.com --recv-keys \"$key\"; \tgpg --batch --export --armor \"$key\" > /usr/local/share/keyrings/postgres.gpg.asc; \tgpgconf --kill all; \trm -rf \"$GNUPGHOME\" # buildkit",
            created,
            |t| {
                t.data("usr/local/share/keyrings/postgres.gpg.asc", 0o644, 4_812);
            },
        ),
        meta(format!("ENV {pg_major}")),
        meta(format!("ENV {path}")),
        meta(format!("ENV {pg_version}")),
        layer(
            "RUN /bin/sh -c set -ex; \t\texport PYTHONDONTWRITEBYTECODE=1; \t\tdpkgArch=\"$(dpkg --print-architecture)\"; \taptRepo=\"[ signed-by=/usr/local/share/keyrings/postgres.gpg.asc ] http://apt.postgresql.org/pub/repos/apt/ bookworm-pgdg main $PG_MAJOR\"; \techo \"deb $aptRepo\" > /etc/apt/sources.list.d/pgdg.list; \tapt-get update; \tapt-get install -y --no-install-recommends postgresql-common; \tsed -ri 's/#(create_main_cluster) .*$/\\1 = false/' /etc/postgresql-common/createcluster.conf; \tapt-get install -y --no-install-recommends \"postgresql-$PG_MAJOR=$PG_VERSION\"; \trm -rf /var/lib/apt/lists/*; \tpostgres --version # buildkit",
            created,
            move |t| apps::postgres_install(t, major, install_size),
        ),
        layer(
            "RUN /bin/sh -c set -eux; \tdpkg-divert --add --rename --divert \"/usr/share/postgresql/postgresql.conf.sample.dpkg\" \"/usr/share/postgresql/$PG_MAJOR/postgresql.conf.sample\"; \tcp -v /usr/share/postgresql/postgresql.conf.sample.dpkg /usr/share/postgresql/postgresql.conf.sample; \tln -sv ../postgresql.conf.sample \"/usr/share/postgresql/$PG_MAJOR/\"; \tsed -ri \"s!^#?(listen_addresses)\\s*=\\s*\\S+.*!\\1 = '*'!\" /usr/share/postgresql/postgresql.conf.sample; \tgrep -F \"listen_addresses = '*'\" /usr/share/postgresql/postgresql.conf.sample # buildkit",
            created,
            move |t| {
                t.data("usr/share/postgresql/postgresql.conf.sample", 0o644, 31_277)
                    .symlink(
                        &format!("usr/share/postgresql/{major}/postgresql.conf.sample"),
                        "../postgresql.conf.sample",
                    );
            },
        ),
        layer(
            "RUN /bin/sh -c install --verbose --directory --owner postgres --group postgres --mode 3777 /var/run/postgresql # buildkit",
            created,
            |t| {
                t.dir("run/postgresql", 0o3777);
            },
        ),
        meta("ENV PGDATA=/var/lib/postgresql/data"),
        layer(
            "RUN /bin/sh -c install --verbose --directory --owner postgres --group postgres --mode 1777 \"$PGDATA\" # buildkit",
            created,
            |t| {
                t.dir("var/lib/postgresql/data", 0o1777);
            },
        ),
        meta("VOLUME [/var/lib/postgresql/data]"),
        layer(
            "COPY docker-entrypoint.sh docker-ensure-initdb.sh /usr/local/bin/ # buildkit",
            created,
            |t| {
                t.text("usr/local/bin/docker-entrypoint.sh", 0o775, apps::POSTGRES_ENTRYPOINT).text(
                "usr/local/bin/docker-ensure-initdb.sh",
                0o775,
                "#!/usr/bin/env bash\nset -Eeuo pipefail\n\n#\n# This script is intended for three main use cases:\n#\n#  1. (most importantly) as an example of how to use \"docker-entrypoint.sh\" to extend/reuse the initialization behavior\n#\n#  2. (\"docker-ensure-initdb.sh\") as a Kubernetes \"init container\" to ensure the provided database directory is initialized\n#\n#  3. (\"docker-enforce-initdb.sh\") as part of CI to ensure the database is fully initialized before use\n#\n\nsource /usr/local/bin/docker-entrypoint.sh\n\ndocker_setup_env\ndocker_create_db_directories\n",
            );
            },
        ),
        layer(
            "RUN /bin/sh -c ln -sT docker-ensure-initdb.sh /usr/local/bin/docker-enforce-initdb.sh # buildkit",
            created,
            |t| {
                t.symlink(
                    "usr/local/bin/docker-enforce-initdb.sh",
                    "docker-ensure-initdb.sh",
                );
            },
        ),
        meta("ENTRYPOINT [\"docker-entrypoint.sh\"]"),
        meta("STOPSIGNAL SIGINT"),
        meta("EXPOSE map[5432/tcp:{}]"),
        meta("CMD [\"postgres\"]"),
    ];
    buildkit(&mut image, created, steps);
    image
}

/// The Alpine 3.2 root layer images of 2015 and 2016 were built on, as their classic
/// builder recorded it.
fn old_alpine_base() -> ImageSpec {
    let base = "2015-09-15T22:43:38.512354815Z";
    let mut image = empty_image(
        base,
        Builder::Classic {
            docker_version: "1.8.2",
        },
        RunConfig {
            env: strings(&[DEFAULT_PATH]),
            cmd: Some(strings(&["/bin/sh"])),
            ..RunConfig::default()
        },
    );
    image.layer(
        HistoryRow::classic(base, classic_add("alpine-minirootfs-3.2.3"), false),
        LayerSpec::new(base, |t| rootfs::alpine(t, &ALPINE_FOR_KITEMATIC)),
    );
    image
}

fn kitematic_image() -> ImageSpec {
    let base = "2015-09-15T22:43:38.512354815Z";
    let created = "2015-09-16T18:02:26.651862813Z";
    let mut image = empty_image(
        created,
        Builder::Classic {
            docker_version: "1.8.2",
        },
        RunConfig {
            exposed_ports: strings(&["80/tcp"]),
            env: strings(&[DEFAULT_PATH]),
            cmd: Some(strings(&["/start.sh"])),
            volumes: strings(&["/website_files"]),
            ..RunConfig::default()
        },
    );
    image
        .layer(
            HistoryRow::classic(base, classic_add("alpine-minirootfs-3.2.3"), false),
            LayerSpec::new(base, |t| rootfs::alpine(t, &ALPINE_FOR_KITEMATIC)),
        )
        .meta(HistoryRow::classic("2015-09-16T18:01:59.43525743Z", "/bin/sh -c #(nop) MAINTAINER Kitematic <kitematic@docker.com>", true))
        .layer(
            HistoryRow::classic(
                created,
                "/bin/sh -c apk add --update nginx && mkdir -p /tmp/nginx && rm -rf /var/cache/apk/* && echo \"daemon off;\" >> /etc/nginx/nginx.conf",
                false,
            ),
            LayerSpec::new(created, |t| apps::kitematic_site(t, 2_660_000)),
        )
        .meta(HistoryRow::classic(created, "/bin/sh -c #(nop) VOLUME [/website_files]", true))
        .meta(HistoryRow::classic(created, "/bin/sh -c #(nop) EXPOSE 80/tcp", true))
        .meta(HistoryRow::classic(created, "/bin/sh -c #(nop) CMD [\"/start.sh\"]", true));
    image
}

fn etcd_image(created: &str, sizes: [usize; 3]) -> ImageSpec {
    let base_built = "2025-01-01T00:00:00Z";
    let mut image = empty_image(
        created,
        Builder::Modern,
        RunConfig {
            exposed_ports: strings(&["2379/tcp", "2380/tcp"]),
            env: strings(&[
                DEFAULT_PATH,
                "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
            ]),
            cmd: Some(strings(&["/usr/local/bin/etcd"])),
            working_dir: "/var/lib/etcd".to_string(),
            ..RunConfig::default()
        },
    );
    image.layer(
        HistoryRow {
            created: base_built.to_string(),
            created_by: "bazel build ...".to_string(),
            comment: None,
            empty_layer: false,
        },
        LayerSpec::new(base_built, |t| apps::distroless_static(t, 1_999_000)),
    );
    buildkit(
        &mut image,
        created,
        vec![
            layer(
                "ADD etcd etcdctl etcdutl /usr/local/bin/ # buildkit",
                created,
                move |t| apps::etcd_binaries(t, sizes),
            ),
            meta("WORKDIR /var/etcd/"),
            meta("WORKDIR /var/lib/etcd/"),
            meta("EXPOSE map[2379/tcp:{} 2380/tcp:{}]"),
            meta("CMD [\"/usr/local/bin/etcd\"]"),
        ],
    );
    image
}
