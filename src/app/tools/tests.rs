//! Tests of the lab tools on images made here: layer tars, a config and a `docker save`
//! tar written with the `tar` crate; and one run through a real lab.

use super::dive::{self, CiRules, Diff, TreeLimits};
use super::image::SavedImage;
use super::whaler;
use super::{human_bytes, parse_bytes, permissions};
use crate::engine::digest::Digest;
use crate::engine::fs::{Tree, apply};
use serde_json::json;

enum E<'a> {
    Dir(&'a str),
    File(&'a str, &'a [u8]),
    Whiteout(&'a str),
}

fn layer_tar(entries: &[E<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = tar::Header::new_ustar();
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(1_600_000_000);
        let (path, body): (String, &[u8]) = match entry {
            E::Dir(path) => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                (format!("{path}/"), b"")
            }
            E::File(path, body) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(0o644);
                (path.to_string(), body)
            }
            E::Whiteout(path) => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(0o644);
                let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
                let dir = if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                (format!("{dir}.wh.{name}"), b"")
            }
        };
        header.set_size(body.len() as u64);
        builder.append_data(&mut header, path, body).unwrap();
    }
    builder.into_inner().unwrap()
}

/// A `docker save` tar: one blob per layer, the config blob and `manifest.json`.
fn save_tar(history: &[(&str, bool)], config: serde_json::Value, layers: &[Vec<u8>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let add = |builder: &mut tar::Builder<Vec<u8>>, path: &str, body: &[u8]| {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_mode(0o644);
        header.set_size(body.len() as u64);
        builder.append_data(&mut header, path, body).unwrap();
    };
    let mut paths = Vec::new();
    let mut diff_ids = Vec::new();
    for layer in layers {
        let digest = Digest::sha256(layer);
        let path = format!("blobs/sha256/{}", digest.hex());
        add(&mut builder, &path, layer);
        paths.push(path);
        diff_ids.push(format!("sha256:{}", digest.hex()));
    }
    let history: Vec<_> = history
        .iter()
        .map(|(created_by, empty)| {
            if *empty {
                json!({"created_by": created_by, "empty_layer": true})
            } else {
                json!({"created_by": created_by})
            }
        })
        .collect();
    let config = json!({
        "architecture": "amd64",
        "os": "linux",
        "config": config,
        "history": history,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    });
    let config = serde_json::to_vec(&config).unwrap();
    let config_path = format!("blobs/sha256/{}", Digest::sha256(&config).hex());
    add(&mut builder, &config_path, &config);
    let manifest = json!([{"Config": config_path, "RepoTags": ["demo:latest"], "Layers": paths}]);
    add(
        &mut builder,
        "manifest.json",
        &serde_json::to_vec(&manifest).unwrap(),
    );
    builder.into_inner().unwrap()
}

const ADD_BASE: &str = "/bin/sh -c #(nop) ADD file:0123abcd in / ";
const CMD_SH: &str = "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]";

/// Layer 0 puts /a/big (100 B) and /a/keep (50 B); layer 1 rewrites /a/big (60 B);
/// layer 2 deletes it.
fn wasteful() -> SavedImage {
    let big = [b'x'; 100];
    let keep = [b'k'; 50];
    let smaller = [b'y'; 60];
    let layers = vec![
        layer_tar(&[
            E::Dir("a"),
            E::File("a/big", &big),
            E::File("a/keep", &keep),
        ]),
        layer_tar(&[E::Dir("a"), E::File("a/big", &smaller)]),
        layer_tar(&[E::Dir("a"), E::Whiteout("a/big")]),
    ];
    let history = [
        (ADD_BASE, false),
        (CMD_SH, true),
        ("/bin/sh -c head -c 60 /dev/zero > /a/big", false),
        ("/bin/sh -c rm /a/big", false),
    ];
    SavedImage::parse(&save_tar(&history, json!({}), &layers)).unwrap()
}

#[test]
fn efficiency_and_wasted_space_worked_by_hand() {
    let analysis = dive::analyze(&wasteful());
    // /a/big: seen 3 times (100, 60, and a whiteout removing 60): Σ 220, smallest 60.
    // /a/keep: seen once, 50. Efficiency = (60 + 50) / (220 + 50) = 110 / 270.
    assert!((analysis.efficiency - 110.0 / 270.0).abs() < 1e-12);
    assert_eq!(analysis.score(), 40);
    assert_eq!(analysis.wasted, 220);
    assert_eq!(analysis.inefficiencies.len(), 1);
    assert_eq!(analysis.inefficiencies[0].path, "/a/big");
    assert_eq!(analysis.inefficiencies[0].count, 3);
    assert_eq!(analysis.size, 210);
    assert_eq!(analysis.user_size, 60);
    let details = dive::render_image_details("demo", &analysis);
    assert_eq!(
        details.lines().skip(1).collect::<Vec<_>>(),
        [
            "Image name: demo",
            "Total Image size: 210 B",
            "Potential wasted space: 220 B",
            "Image efficiency score: 40 %",
            "",
            "Count   Total Space  Path",
            "    3         220 B  /a/big",
        ]
    );
}

#[test]
fn a_directory_whiteout_counts_everything_it_removed() {
    let layers = vec![
        layer_tar(&[
            E::Dir("d"),
            E::File("d/one", &[1; 30]),
            E::File("d/two", &[2; 12]),
        ]),
        layer_tar(&[E::Whiteout("d")]),
    ];
    let history = [(ADD_BASE, false), ("/bin/sh -c rm -r /d", false)];
    let image = SavedImage::parse(&save_tar(&history, json!({}), &layers)).unwrap();
    let analysis = dive::analyze(&image);
    // Leaves: /d/one 30, /d/two 12, then the whiteout of /d removing 42.
    assert!((analysis.efficiency - 1.0).abs() < 1e-12);
    assert_eq!(analysis.wasted, 0);
    let tree = render_layer_tree(&image, 1);
    assert_eq!(
        tree,
        "- drwxr-xr-x         0:0       42 B  └── d\n\
         - -rw-r--r--         0:0       30 B      ├── one\n\
         - -rw-r--r--         0:0       12 B      └── two\n"
    );
}

fn render_layer_tree(image: &SavedImage, index: usize) -> String {
    let mut lower = Tree::new();
    for layer in &image.layers[..index] {
        apply(&mut lower, &layer.layer);
    }
    let mut upper = lower.clone();
    apply(&mut upper, &image.layers[index].layer);
    let changes = dive::layer_changes(&lower, &upper, &image.layers[index]);
    dive::render_tree(&changes, &upper, &lower, TreeLimits::SUMMARY)
}

#[test]
fn modified_and_removed_files_are_marked() {
    let image = wasteful();
    let mut lower = Tree::new();
    apply(&mut lower, &image.layers[0].layer);
    let mut upper = lower.clone();
    apply(&mut upper, &image.layers[1].layer);
    let changes = dive::layer_changes(&lower, &upper, &image.layers[1]);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes["/a/big"].0, Diff::Modified);
    assert_eq!(
        render_layer_tree(&image, 1),
        "~ drwxr-xr-x         0:0       60 B  └── a\n\
         ~ -rw-r--r--         0:0       60 B      └── big\n"
    );
    assert_eq!(
        render_layer_tree(&image, 2),
        "~ drwxr-xr-x         0:0        0 B  └── a\n\
         - -rw-r--r--         0:0       60 B      └── big\n"
    );
    assert_eq!(
        render_layer_tree(&image, 0),
        "+ drwxr-xr-x         0:0      150 B  └── a\n\
         + -rw-r--r--         0:0      100 B      ├── big\n\
         + -rw-r--r--         0:0       50 B      └── keep\n"
    );
}

#[test]
fn long_listings_are_capped() {
    let names: Vec<String> = (0..20).map(|i| format!("bin/tool{i:02}")).collect();
    let mut entries = vec![E::Dir("bin")];
    entries.extend(names.iter().map(|n| E::File(n, b"#!")));
    let image = SavedImage::parse(&save_tar(
        &[(ADD_BASE, false)],
        json!({}),
        &[layer_tar(&entries)],
    ))
    .unwrap();
    let tree = render_layer_tree(&image, 0);
    assert_eq!(tree.lines().count(), 1 + 8 + 1);
    assert!(
        tree.lines().last().unwrap().ends_with("    └── … 12 more"),
        "{tree}"
    );
}

#[test]
fn the_layer_table_shows_layers_that_changed_files() {
    let analysis = dive::analyze(&wasteful());
    assert_eq!(
        dive::render_layers(&analysis)
            .lines()
            .skip(1)
            .collect::<Vec<_>>(),
        [
            "Cmp   Size  Command",
            "     150 B  FROM blobs",
            "      60 B  head -c 60 /dev/zero > /a/big",
            "       0 B  rm /a/big",
        ]
    );
    let layer = &analysis.layers[1];
    assert_eq!(layer.id, "blobs");
    assert!(layer.digest.starts_with("sha256:"));
    let details = dive::render_layer_details(layer);
    assert!(details.contains("\nTags:   (unavailable)\nId:     blobs\nDigest: sha256:"));
    assert!(details.ends_with("Command:\nhead -c 60 /dev/zero > /a/big\n"));
}

#[test]
fn ci_mode_fails_on_dive_default_rules() {
    let analysis = dive::analyze(&wasteful());
    let (text, pass) = dive::render_ci(&analysis, &CiRules::default());
    assert!(!pass);
    assert_eq!(
        text,
        "  efficiency: 40.7407 %\n\
         \x20 wastedBytes: 220 bytes (220 B)\n\
         \x20 userWastedPercent: 366.6667 %\n\
         Inefficient Files:\n\
         Count  Wasted Space  File Path\n\
         \x20   3         220 B  /a/big\n\
         Results:\n\
         \x20 FAIL: highestUserWastedPercent: too many bytes wasted, relative to the user bytes added (%-user-wasted-bytes=3.6666666666666665 > threshold=0.1)\n\
         \x20 SKIP: highestWastedBytes: rule disabled\n\
         \x20 FAIL: lowestEfficiency: image efficiency is too low (efficiency=0.4074074074074074 < threshold=0.9)\n\
         Result:FAIL [Total:3] [Passed:0] [Failed:2] [Warn:0] [Skipped:1]\n"
    );
    let clean = dive::analyze(
        &SavedImage::parse(&save_tar(
            &[(ADD_BASE, false)],
            json!({}),
            &[layer_tar(&[E::File("f", b"data")])],
        ))
        .unwrap(),
    );
    let (text, pass) = dive::render_ci(&clean, &CiRules::default());
    assert!(pass, "{text}");
    assert!(text.contains("  userWastedPercent: NaN %\n"));
    assert!(text.contains("None\n"));
    assert!(text.ends_with("Result:PASS [Total:3] [Passed:2] [Failed:0] [Warn:0] [Skipped:1]\n"));
}

#[test]
fn go_humanize_sizes_and_permissions() {
    assert_eq!(human_bytes(0), "0 B");
    assert_eq!(human_bytes(9), "9 B");
    assert_eq!(human_bytes(999), "999 B");
    assert_eq!(human_bytes(1000), "1.0 kB");
    assert_eq!(human_bytes(12_345), "12 kB");
    assert_eq!(human_bytes(5_600_000), "5.6 MB");
    assert_eq!(human_bytes(5_614_000), "5.6 MB");
    assert_eq!(parse_bytes("20MB"), Some(20_000_000));
    assert_eq!(parse_bytes("1 KiB"), Some(1024));
    assert_eq!(parse_bytes("lots"), None);
    assert_eq!(permissions(0o755), "rwxr-xr-x");
    assert_eq!(permissions(0o4755), "rwsr-xr-x");
    assert_eq!(permissions(0o1777), "rwxrwxrwt");
}

fn nmap_image() -> SavedImage {
    let layers = vec![
        layer_tar(&[E::Dir("bin"), E::File("bin/busybox", b"ELF")]),
        layer_tar(&[
            E::Dir("usr"),
            E::Dir("usr/bin"),
            E::File("usr/bin/nmap", b"ELF"),
        ]),
        layer_tar(&[
            E::Dir("app"),
            E::File("app/.env", b"TOKEN=1"),
            E::File("app/main.sh", b"echo"),
            E::Dir("app/node_modules"),
            E::File("app/node_modules/x.js", b"1"),
            E::Dir("root"),
            E::Dir("root/.ssh"),
            E::File("root/.ssh/id_rsa", b"KEY"),
            E::File("root/.aws/credentials", b"[default]"),
        ]),
    ];
    let history = [
        (ADD_BASE, false),
        (CMD_SH, true),
        ("/bin/sh -c apk update && apk add nmap", false),
        ("/bin/sh -c #(nop) COPY dir:feed in /app ", false),
        ("/bin/sh -c #(nop)  ENV DB_PASSWORD=hunter2", true),
        ("/bin/sh -c #(nop)  EXPOSE 80", true),
        ("/bin/sh -c #(nop)  ENTRYPOINT [\"nmap\"]", true),
    ];
    let config = json!({
        "Env": ["PATH=/usr/bin:/bin", "DB_PASSWORD=hunter2"],
        "ExposedPorts": {"80/tcp": {}},
        "Entrypoint": ["nmap"],
    });
    SavedImage::parse(&save_tar(&history, config, &layers)).unwrap()
}

#[test]
fn whaler_rebuilds_the_dockerfile() {
    assert_eq!(
        whaler::clean_command("/bin/sh -c apk update && apk add nmap"),
        "RUN apk update \\\n\t&& apk add nmap"
    );
    assert_eq!(whaler::clean_command(CMD_SH), "CMD [\"/bin/sh\"]");
    assert_eq!(
        whaler::clean_command("RUN /bin/sh -c echo hi # buildkit"),
        "RUN echo hi # buildkit"
    );
    let report = whaler::render_report(&nmap_image(), false, true);
    let dockerfile = report.split_once("Dockerfile:\n").unwrap().1;
    assert_eq!(
        dockerfile,
        "CMD [\"/bin/sh\"]\n\
         RUN apk update \\\n\
         \t&& apk add nmap\n\
         COPY dir:feed in /app\n\
         \tapp/\n\
         \tapp/.env\n\
         \tapp/main.sh\n\
         \troot/\n\
         \troot/.ssh/\n\
         \troot/.ssh/id_rsa\n\
         \troot/.aws/credentials\n\
         \n\
         ENV DB_PASSWORD=hunter2\n\
         EXPOSE 80\n\
         ENTRYPOINT [\"nmap\"]\n\
         \n"
    );
}

#[test]
fn whaler_flags_secret_files_and_variables() {
    let report = whaler::render_report(&nmap_image(), false, true);
    let secrets = report.split_once("Dockerfile:").unwrap().0;
    let layer = &nmap_image().layers[2].tar_path.clone();
    assert_eq!(
        secrets,
        format!(
            "Potential secrets:\n\
             |Found match app/.env Environment configuration file \\A\\.?env\\z {layer}\n\
             |Found match root/.ssh/id_rsa openssh id_rsa {layer}\n\
             |Found match root/.aws/credentials AWS CLI credentials file .?aws/credentials\\z {layer}\n\
             |Found match DB_PASSWORD=hunter2 Secret-looking environment variable ENV config\n"
        )
        .replace(".?aws", "\\.?aws")
    );
    for name in [
        "home/u/.npmrc",
        ".git-credentials",
        "etc/ssl/server.pem",
        "srv/cert.key",
    ] {
        assert!(whaler::scan_filename(name).is_some(), "{name}");
    }
    for name in [
        "etc/passwd",
        "bin/busybox",
        "etc/environment",
        "usr/bin/env",
    ] {
        assert!(whaler::scan_filename(name).is_none(), "{name}");
    }
    assert!(whaler::secret_env("GITHUB_TOKEN=abc"));
    assert!(!whaler::secret_env("PATH=/bin"));
}

#[test]
fn whaler_header_lists_env_ports_and_user() {
    use crate::engine::streams::Streams;
    struct Saved(Vec<u8>);
    impl crate::backend::Backend for Saved {
        fn container_logs(
            &mut self,
            _: &str,
            _: &crate::backend::LogsOptions,
        ) -> crate::backend::Result<Vec<(u8, Vec<u8>)>> {
            unimplemented!()
        }
        fn container_stat(&mut self, _: &str, _: &str) -> crate::backend::Result<Option<bool>> {
            unimplemented!()
        }
        fn container_archive(&mut self, _: &str, _: &str) -> crate::backend::Result<Vec<u8>> {
            unimplemented!()
        }
        fn container_extract(&mut self, _: &str, _: &str, _: &[u8]) -> crate::backend::Result<()> {
            unimplemented!()
        }
        fn rename_container(&mut self, _: &str, _: &str) -> crate::backend::Result<()> {
            unimplemented!()
        }
        fn wait_container(&mut self, _: &str) -> crate::backend::Result<i64> {
            unimplemented!()
        }
        fn top_container(
            &mut self,
            _: &str,
        ) -> crate::backend::Result<bollard_stubs::models::ContainerTopResponse> {
            unimplemented!()
        }
        fn prune_containers(&mut self) -> crate::backend::Result<Vec<String>> {
            unimplemented!()
        }
        fn load_images(&mut self, _: &[u8]) -> crate::backend::Result<Vec<String>> {
            unimplemented!()
        }
        fn stop_container(&mut self, _: &str) -> crate::backend::Result<()> {
            unimplemented!()
        }
        fn kill_container(&mut self, _: &str, _: Option<&str>) -> crate::backend::Result<()> {
            unimplemented!()
        }
        fn exec(
            &mut self,
            _: &str,
            _: &[String],
            _: &crate::backend::ExecOptions,
            _: Streams<'_>,
        ) -> crate::backend::Result<i64> {
            unimplemented!()
        }
        fn container_changes(
            &mut self,
            _: &str,
        ) -> crate::backend::Result<Vec<bollard_stubs::models::FilesystemChange>> {
            unimplemented!()
        }
        fn commit_container(
            &mut self,
            _: &crate::backend::CommitOptions,
        ) -> crate::backend::Result<String> {
            unimplemented!()
        }
        fn name(&self) -> &'static str {
            "test"
        }
        fn version(&mut self) -> crate::backend::Result<bollard_stubs::models::SystemVersion> {
            unimplemented!()
        }
        fn info(&mut self) -> crate::backend::Result<bollard_stubs::models::SystemInfo> {
            unimplemented!()
        }
        fn list_images(
            &mut self,
            _: &crate::backend::ListImagesOptions,
        ) -> crate::backend::Result<Vec<bollard_stubs::models::ImageSummary>> {
            unimplemented!()
        }
        fn inspect_image(
            &mut self,
            _: &str,
        ) -> crate::backend::Result<bollard_stubs::models::ImageInspect> {
            Ok(Default::default())
        }
        fn image_history(
            &mut self,
            _: &str,
        ) -> crate::backend::Result<Vec<bollard_stubs::models::ImageHistoryResponseItem>> {
            unimplemented!()
        }
        fn pull_image(
            &mut self,
            _: &str,
            _: &str,
            _: &mut dyn FnMut(&bollard_stubs::models::CreateImageInfo),
        ) -> crate::backend::Result<()> {
            unimplemented!()
        }
        fn push_image(
            &mut self,
            _: &str,
            _: &str,
            _: &mut dyn FnMut(&bollard_stubs::models::PushImageInfo),
        ) -> crate::backend::Result<()> {
            unimplemented!()
        }
        fn login(
            &mut self,
            _: &str,
            _: &crate::backend::Credentials,
        ) -> crate::backend::Result<String> {
            unimplemented!()
        }
        fn use_credentials(&mut self, _: Vec<(String, crate::backend::Credentials)>) {}
        fn tag_image(&mut self, _: &str, _: &str, _: &str) -> crate::backend::Result<()> {
            unimplemented!()
        }
        fn remove_image(
            &mut self,
            _: &str,
            _: bool,
            _: bool,
        ) -> crate::backend::Result<Vec<bollard_stubs::models::ImageDeleteResponseItem>> {
            unimplemented!()
        }
        fn search_images(
            &mut self,
            _: &str,
            _: Option<i64>,
            _: &crate::backend::Filters,
        ) -> crate::backend::Result<Vec<bollard_stubs::models::ImageSearchResponseItem>> {
            unimplemented!()
        }
        fn save_images(&mut self, names: &[String]) -> crate::backend::Result<Vec<u8>> {
            if names[0] == "demo" {
                Ok(self.0.clone())
            } else {
                Err(crate::backend::BackendError::Daemon {
                    status: 404,
                    message: format!("No such image: {}:latest", names[0]),
                })
            }
        }
        fn build_image(
            &mut self,
            _: &[u8],
            _: &crate::backend::BuildOptions,
            _: &mut dyn FnMut(&crate::backend::BuildMessage),
        ) -> crate::backend::Result<String> {
            unimplemented!()
        }
        fn create_container(
            &mut self,
            _: Option<&str>,
            _: bollard_stubs::models::ContainerCreateBody,
        ) -> crate::backend::Result<bollard_stubs::models::ContainerCreateResponse> {
            unimplemented!()
        }
        fn start_container(&mut self, _: &str) -> crate::backend::Result<()> {
            unimplemented!()
        }
        fn run_attached(&mut self, _: &str, _: Streams<'_>) -> crate::backend::Result<i64> {
            unimplemented!()
        }
        fn list_containers(
            &mut self,
            _: &crate::backend::ListContainersOptions,
        ) -> crate::backend::Result<Vec<bollard_stubs::models::ContainerSummary>> {
            unimplemented!()
        }
        fn inspect_container(
            &mut self,
            _: &str,
        ) -> crate::backend::Result<bollard_stubs::models::ContainerInspectResponse> {
            unimplemented!()
        }
        fn remove_container(&mut self, _: &str, _: bool, _: bool) -> crate::backend::Result<()> {
            unimplemented!()
        }
    }
    let layers = vec![layer_tar(&[E::File("f", b"1")])];
    let config = json!({"Env": ["A=1"], "ExposedPorts": {"80/tcp": {}, "443/tcp": {}}});
    let mut backend = Saved(save_tar(&[(ADD_BASE, false)], config, &layers));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = whaler::run(
        &mut backend,
        &["demo".into()],
        Streams::new(b"", &mut out, &mut err),
    );
    assert_eq!(status, 0);
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.starts_with(
            "Analyzing demo\nDocker Version: \nGraphDriver: overlay2\nEnvironment Variables\n|A=1\n\n\
             Open Ports\n|80\n|443\n\nImage user\n|User is root\n\nPotential secrets:\nDockerfile:\n\n"
        ),
        "{out}"
    );

    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = whaler::run(
        &mut backend,
        &["nope".into()],
        Streams::new(b"", &mut out, &mut err),
    );
    assert_eq!(status, 1);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "Error response from daemon: No such image: nope:latest\n"
    );

    let (mut out, mut err) = (Vec::new(), Vec::new());
    let mut pull = |_: &mut dyn crate::backend::Backend, _: &str, _: Streams<'_>| 1;
    let status = dive::run(
        &mut backend,
        &["nope".into()],
        &[],
        &mut pull,
        None,
        Streams::new(b"", &mut out, &mut err),
    );
    assert_eq!(status, 1);
    assert_eq!(
        String::from_utf8(err).unwrap(),
        "cannot fetch image\nError response from daemon: No such image: nope:latest\n"
    );

    // With a view that can open, dive hands it the model instead of printing the panes;
    // with one that cannot (output piped away), it prints them; `--ci` never opens it.
    struct Recorder {
        ready: bool,
        shown: Option<(usize, usize, usize)>,
    }
    impl dive::View for Recorder {
        fn ready(&self) -> bool {
            self.ready
        }
        fn show(
            &mut self,
            model: &dive::Model,
            layer: usize,
            _: Streams<'_>,
        ) -> std::io::Result<()> {
            self.shown = Some((model.analysis.layers.len(), model.trees.len(), layer));
            Ok(())
        }
    }
    let printed = "Image Source: docker://demo\nFetching image... (this can take a while for large images)\nAnalyzing image...\nBuilding cache...\n";
    for (args, ready, shown) in [
        (vec!["demo"], true, Some((1, 1, 0))),
        (vec!["demo", "--layer", "0"], true, Some((1, 1, 0))),
        (vec!["demo"], false, None),
        (vec!["demo", "--ci"], true, None),
    ] {
        let args: Vec<String> = args.into_iter().map(String::from).collect();
        let mut view = Recorder { ready, shown: None };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = dive::run(
            &mut backend,
            &args,
            &[],
            &mut pull,
            Some(&mut view),
            Streams::new(b"", &mut out, &mut err),
        );
        let out = String::from_utf8(out).unwrap();
        assert_eq!(view.shown, shown, "{args:?}");
        if shown.is_some() {
            assert_eq!((status, out.as_str()), (0, printed));
        } else {
            assert!(out.len() > printed.len(), "{args:?}: {out}");
        }
    }
}

#[test]
fn dive_in_a_real_lab() {
    use crate::app::lab::{Lab, Mode};
    use crate::app::options::{BackendKind, Settings};
    use crate::engine::clock::Clock;
    use crate::engine::streams::Streams;
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        state_dir: dir.path().join("state"),
        workspace: dir.path().join("workspace"),
        seed: Some(1),
        clock: Clock::parse_fixed("2026-03-01T12:00:00Z").unwrap(),
        backend: BackendKind::Embedded,
    };
    let mut lab = Lab::open(&settings, Mode::Script).unwrap();
    let mut run = |command: &str| {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = lab.execute(command, Streams::new(b"", &mut out, &mut err));
        (
            status,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    };
    let dockerfile = "cat > Dockerfile <<'EOF'\nFROM alpine:3.13\nRUN echo hello > /f\nRUN rm /f\nCMD [\"sh\"]\nEOF";
    assert_eq!(run(dockerfile).0, 0);
    let (status, _, err) = run("docker build -q -t waste .");
    assert_eq!(status, 0, "{err}");
    let (status, out, err) = run("dive waste");
    assert_eq!(status, 0, "{err}");
    assert!(out.starts_with("Image Source: docker://waste\n"), "{out}");
    assert!(out.contains("  FROM blobs\n"), "{out}");
    assert!(out.contains("  echo hello > /f\n"), "{out}");
    assert!(
        out.contains("+ -rw-r--r--         0:0        6 B  └── f\n"),
        "{out}"
    );
    assert!(
        out.contains("- -rw-r--r--         0:0        6 B  └── f\n"),
        "{out}"
    );
    assert!(out.contains("\n    2          12 B  /f\n"), "{out}");
    let (status, out, _) = run("dive --ci waste");
    assert!(out.contains("Result:"), "{out}");
    assert_eq!(status, i32::from(!out.contains("Result:PASS")));
    let (status, out, _) = run("whaler waste");
    assert_eq!(status, 0);
    assert!(
        out.contains("RUN echo hello > /f\nRUN rm /f\nCMD [\"sh\"]\n"),
        "{out}"
    );
    let (status, out, err) = run("dive missing");
    assert_eq!(status, 1);
    assert!(
        out.contains("Handler not available locally. Trying to pull 'missing'...\n"),
        "{out}"
    );
    assert!(err.starts_with("Error response from daemon: "), "{err}");
    assert!(
        err.ends_with("cannot fetch image\nexit status 1\n"),
        "{err}"
    );
    let (status, out, err) = run("dive hello-world");
    assert_eq!(status, 0, "{err}");
    assert!(out.contains("Trying to pull 'hello-world'...\n"), "{out}");
    assert!(
        out.contains("Analyzing image...\nBuilding cache...\n"),
        "{out}"
    );
}

#[test]
fn an_opaque_directory_removes_what_was_under_it() {
    let layers = vec![
        layer_tar(&[E::Dir("d"), E::File("d/old", &[1; 7])]),
        layer_tar(&[
            E::Dir("d"),
            E::File("d/.wh..wh..opq", b""),
            E::File("d/new", &[2; 3]),
        ]),
    ];
    let history = [(ADD_BASE, false), ("/bin/sh -c rebuild /d", false)];
    let image = SavedImage::parse(&save_tar(&history, json!({}), &layers)).unwrap();
    assert_eq!(
        render_layer_tree(&image, 1),
        "~ drwxr-xr-x         0:0        3 B  └── d\n\
         + -rw-r--r--         0:0        3 B      ├── new\n\
         - -rw-r--r--         0:0        7 B      └── old\n"
    );
}

#[test]
fn a_broken_save_tar_is_an_error_not_a_panic() {
    for bytes in [&b""[..], b"not a tar at all", &[0u8; 1024][..]] {
        assert!(SavedImage::parse(bytes).is_err());
    }
    let mut truncated = save_tar(
        &[(ADD_BASE, false)],
        json!({}),
        &[layer_tar(&[E::File("f", b"x")])],
    );
    truncated.truncate(700);
    assert!(SavedImage::parse(&truncated).is_err());
}

// dive's full-screen view, laid out and driven without a terminal.

mod view {
    use super::*;
    use crate::app::tools::dive::Model;
    use crate::app::tools::dive_view::{self, Focus, Key, State, Style, layout};
    use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

    fn model() -> Model {
        Model::build("wasteful", &wasteful(), None, TreeLimits::FULL)
    }

    /// One layer adding `/bin/tool00` to `/bin/tool39`: a 41-line tree.
    fn long_model() -> Model {
        let names: Vec<String> = (0..40).map(|i| format!("bin/tool{i:02}")).collect();
        let mut entries = vec![E::Dir("bin")];
        entries.extend(names.iter().map(|n| E::File(n, b"#!")));
        let image = SavedImage::parse(&save_tar(
            &[(ADD_BASE, false)],
            json!({}),
            &[layer_tar(&entries)],
        ))
        .unwrap();
        Model::build("tools", &image, None, TreeLimits::FULL)
    }

    fn screen(model: &Model, state: &State, width: usize, height: usize) -> Vec<String> {
        let rows = layout(model, state, width, height);
        let text = dive_view::text(&rows);
        assert_eq!(text.len(), height);
        for line in &text {
            assert_eq!(line.chars().count(), width, "{line:?}");
        }
        text
    }

    #[test]
    fn the_panes_fit_an_80_by_24_terminal() {
        let model = model();
        let state = State::new(&model, 0);
        let text = screen(&model, &state, 80, 24);
        let expected_top = [
            "│ ● Layers ├─────────────────────│ Current Layer Contents ├─────────────────────",
            "Cmp   Size  Command             │        Size  Filetree                         ",
            "     150 B  FROM blobs          │+      150 B  └── a                            ",
            "      60 B  head -c 60 /dev/zer…│+      100 B      ├── big                      ",
            "       0 B  rm /a/big           │+       50 B      └── keep                     ",
            "│ Layer Details (layer 0) ├─────│                                               ",
            "Tags:   (unavailable)           │                                               ",
            "Id:     blobs                   │                                               ",
        ];
        assert_eq!(text[..8], expected_top);
        assert!(text[8].starts_with("Digest: sha256:") && text[8].contains("…│ "));
        let expected_rest = [
            "Command:                        │",
            "#(nop) ADD file:0123abcd in /   │",
            "│ Image Details ├───────────────│",
            "Image name: wasteful            │",
            "Total Image size: 210 B         │",
            "Potential wasted space: 220 B   │",
            "Image efficiency score: 40 %    │",
            "                                │",
            "Count   Total Space  Path       │",
            "    3         220 B  /a/big     │",
        ];
        for (line, want) in text[9..19].iter().zip(expected_rest) {
            assert_eq!(line.trim_end(), want);
        }
        assert_eq!(
            text[23].trim_end(),
            "▏q Quit ▏Tab Switch view ▏↑↓ Select layer ▏"
        );
    }

    #[test]
    fn the_selected_layer_is_highlighted_and_the_tree_coloured_by_change() {
        let model = model();
        let mut state = State::new(&model, 0);
        assert!(state.apply(Key::Down, &model, 10));
        let rows = layout(&model, &state, 80, 24);
        let styles: Vec<Style> = rows[2..5].iter().map(|row| row[0].0).collect();
        assert_eq!(styles, [Style::Plain, Style::Selected, Style::Plain]);
        let text = dive_view::text(&rows);
        assert!(text[5].starts_with("│ Layer Details (layer 1) ├"));
        assert!(text[10].starts_with("head -c 60 /dev/zero > /a/big"));
        // Layer 1 rewrites /a/big: its directory and the file are modified.
        assert_eq!(
            rows[2][2],
            (Style::Modified, format!("{:<47}", "~       60 B  └── a"))
        );
        assert_eq!(rows[3][2].0, Style::Modified);
        // Layer 2 removes it.
        state.apply(Key::Down, &model, 10);
        let rows = layout(&model, &state, 80, 24);
        assert_eq!(rows[3][2].0, Style::Removed);
        assert!(
            rows[3][2].1.starts_with("-       60 B      └── big"),
            "{:?}",
            rows[3][2]
        );
    }

    #[test]
    fn wider_terminals_show_every_column() {
        let model = long_model();
        let state = State::new(&model, 0);
        let text = screen(&model, &state, 120, 30);
        assert!(text[0].starts_with("│ ● Layers ├──"));
        assert!(text[1].ends_with(&format!("│{:<71}", dive::TREE_HEADER)));
        assert!(
            text[2].ends_with(
                "│+ drwxr-xr-x         0:0       80 B  └── bin                           "
            )
        );
        // 27 tree lines: the directory and tool00 to tool25.
        assert!(text[28].contains("├── tool25"));
        assert!(text[29].starts_with("▏q Quit"));
        // Too small for the panes: a note instead.
        let text = screen(&model, &state, 30, 8);
        assert!(text[0].starts_with("dive needs at least 40x10 (th…"));
    }

    #[test]
    fn long_lines_end_in_an_ellipsis() {
        assert_eq!(dive_view::fit("abcdef", 4), "abc…");
        assert_eq!(dive_view::fit("abc", 5), "abc  ");
        assert_eq!(dive_view::fit("abc", 0), "");
    }

    #[test]
    fn keys_move_the_selection_and_scroll_the_tree() {
        let model = long_model();
        let page = dive_view::page(24);
        assert_eq!(page, 21);
        let mut state = State::new(&model, 5);
        assert_eq!(state.layer, 0, "a layer past the last is the last");
        // One layer: Up and Down stay on it.
        assert!(state.apply(Key::Up, &model, page));
        assert!(state.apply(Key::Down, &model, page));
        assert_eq!(state.layer, 0);
        state.apply(Key::Tab, &model, page);
        assert_eq!(state.focus, Focus::Tree);
        state.apply(Key::Down, &model, page);
        state.apply(Key::Down, &model, page);
        assert_eq!(state.scroll, 2);
        state.apply(Key::PageDown, &model, page);
        // 41 lines, 21 shown: scrolling stops at line 20.
        assert_eq!(state.scroll, 20);
        state.apply(Key::Down, &model, page);
        assert_eq!(state.scroll, 20);
        let text = screen(&model, &state, 80, 24);
        assert!(text[2].contains("├── tool19"), "{}", text[2]);
        assert!(text[22].contains("└── tool39"), "{}", text[22]);
        assert!(text[0].contains("│ ● Current Layer Contents ├"));
        assert!(text[23].contains("PgUp PgDn Scroll"));
        state.apply(Key::PageUp, &model, page);
        state.apply(Key::Up, &model, page);
        assert_eq!(state.scroll, 0);
        state.apply(Key::Tab, &model, page);
        assert_eq!(state.focus, Focus::Layers);
        assert!(!state.apply(Key::Quit, &model, page));
    }

    #[test]
    fn picking_another_layer_scrolls_its_tree_to_the_top() {
        let model = model();
        let mut state = State::new(&model, 1);
        state.apply(Key::Tab, &model, 1);
        state.apply(Key::Down, &model, 1);
        assert_eq!(state.scroll, 1);
        state.apply(Key::Tab, &model, 1);
        state.apply(Key::Down, &model, 1);
        assert_eq!((state.layer, state.scroll), (2, 0));
        state.apply(Key::Down, &model, 1);
        assert_eq!(state.layer, 2);
        state.apply(Key::PageUp, &model, 5);
        assert_eq!(state.layer, 0);
    }

    #[test]
    fn terminal_keys_map_to_view_keys() {
        let key = |code, modifiers| Key::from_event(&KeyEvent::new(code, modifiers));
        let none = KeyModifiers::NONE;
        assert_eq!(key(KeyCode::Up, none), Some(Key::Up));
        assert_eq!(key(KeyCode::Char('k'), none), Some(Key::Up));
        assert_eq!(key(KeyCode::Down, none), Some(Key::Down));
        assert_eq!(key(KeyCode::Char('j'), none), Some(Key::Down));
        assert_eq!(key(KeyCode::PageUp, none), Some(Key::PageUp));
        assert_eq!(key(KeyCode::PageDown, none), Some(Key::PageDown));
        assert_eq!(key(KeyCode::Tab, none), Some(Key::Tab));
        assert_eq!(key(KeyCode::Char('q'), none), Some(Key::Quit));
        assert_eq!(key(KeyCode::Esc, none), Some(Key::Quit));
        assert_eq!(
            key(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some(Key::Quit)
        );
        assert_eq!(key(KeyCode::Char('c'), none), None);
        let mut release = KeyEvent::new(KeyCode::Char('q'), none);
        release.kind = KeyEventKind::Release;
        assert_eq!(Key::from_event(&release), None);
    }
}
