//! `docker export` (a container's merged filesystem as one tar), `docker import` (a tar
//! as a one-layer image), and what they share with `docker commit`: storing a layer,
//! registering an image under a name, and `-c` changes to its config.

use super::Engine;
use super::build::config::{HistoryRow, ImageConfigFile, RootFsJson};
use super::digest::Digest;
use super::error::{EngineError, Result};
use super::fs::{Layer, Node, Timestamp};
use bollard_stubs::models::ContainerConfig;
use std::sync::Arc;

/// The DiffID of a layer with no changes: the empty tar.
pub(crate) const EMPTY_LAYER: &str =
    "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

/// The instructions `-c/--change` accepts (moby's `validCommitCommands`).
const CHANGE_COMMANDS: &[&str] = &[
    "cmd",
    "entrypoint",
    "env",
    "expose",
    "label",
    "onbuild",
    "stopsignal",
    "user",
    "volume",
    "workdir",
];

/// Applies `docker commit -c` / `docker import -c` instructions to `config`.
pub(super) fn apply_changes(config: &mut ContainerConfig, changes: &[String]) -> Result<()> {
    for change in changes {
        let word = change
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_lowercase();
        if !CHANGE_COMMANDS.contains(&word.as_str()) {
            return Err(EngineError::BadRequest(format!(
                "{word} is not a valid change command"
            )));
        }
        let instruction = super::dockerfile::parse_instruction(change, '\\')
            .map_err(|e| EngineError::BadRequest(e.to_string()))?;
        if let super::dockerfile::InstructionKind::Workdir(dir) = &instruction.kind {
            let base = config.working_dir.clone().unwrap_or_else(|| "/".into());
            config.working_dir = Some(super::fs::normalise(&if dir.starts_with('/') {
                dir.clone()
            } else {
                format!("{base}/{dir}")
            }));
            continue;
        }
        let shell = config
            .shell
            .clone()
            .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()]);
        super::build::apply_config_instruction(
            config,
            &instruction.kind,
            &shell,
            &instruction.original,
        );
    }
    Ok(())
}

impl Engine {
    /// Keeps `layer` in the content store as a layer blob; its DiffID, or `None` for a
    /// layer with no changes, which images leave out.
    pub(super) fn store_layer(&mut self, layer: &Layer) -> Result<Option<Digest>> {
        let (tar, diff_id) = layer.to_tar_with_diff_id();
        if diff_id.to_string() == EMPTY_LAYER {
            return Ok(None);
        }
        self.put_layer_blob(&diff_id, &tar)?;
        self.images.insert_layer(super::image::LayerRecord {
            diff_id: diff_id.clone(),
            size: tar.len() as u64,
            unpacked_size: layer.unpacked_size(),
        });
        Ok(Some(diff_id))
    }

    /// Stores an image config and records the image, tagged `repo:tag` when a
    /// repository is given (`latest` when the tag is not). Saves the state.
    pub(super) fn register_image(
        &mut self,
        file: &ImageConfigFile,
        parent: Option<Digest>,
        repo: Option<&str>,
        tag: Option<&str>,
    ) -> Result<Digest> {
        let id = self.content.put(&file.to_bytes())?;
        let layers = file.rootfs.diff_ids.clone();
        let size = layers
            .iter()
            .filter_map(|d| self.images.layer(d))
            .map(|l| l.unpacked_size)
            .sum();
        self.images.insert_image(super::image::ImageRecord {
            id: id.clone(),
            manifest: None,
            parent,
            repo_digests: Default::default(),
            layers,
            size,
            created: super::image::parse_time(Some(&file.created)),
            last_tag_time: None,
            buildkit: false,
        });
        if let Some(repo) = repo.filter(|r| !r.is_empty()) {
            let named = super::reference::parse_normalized(repo)
                .map_err(|e| EngineError::InvalidReference(e.to_string()))?;
            let tag = tag.filter(|t| !t.is_empty()).unwrap_or("latest");
            let target =
                super::reference::parse_normalized(&format!("{}:{tag}", named.full_name()))
                    .map_err(|e| EngineError::InvalidReference(e.to_string()))?;
            self.images
                .set_tag(target.to_string(), id.clone(), &file.created);
        }
        self.save()?;
        Ok(id)
    }

    /// `GET /containers/{id}/export`: the container's filesystem as a tar, with what
    /// the runtime puts into every container (`/.dockerenv`, the mount points of
    /// `/etc/hosts`, `/etc/hostname` and `/etc/resolv.conf`, `/dev`, `/proc`, `/sys`).
    pub fn export_container(&mut self, key: &str) -> Result<Vec<u8>> {
        let id = self
            .containers
            .find(key)
            .ok_or_else(|| EngineError::NoSuchContainer(key.to_string()))?
            .id
            .clone();
        let snapshot = self.container_snapshot(&id)?;
        let now = Timestamp::from_secs(self.clock.now().timestamp());
        let mut layer = Layer::new();
        for (path, node) in snapshot.flatten() {
            layer.put(&path, node);
        }
        let empty = || Node::file(Arc::<[u8]>::from(Vec::new()), 0o755, now);
        for path in ["/.dockerenv", "/dev/console"] {
            layer.put(path, empty());
        }
        for path in ["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"] {
            layer.put(path, empty());
        }
        for dir in ["/dev", "/dev/pts", "/dev/shm", "/etc", "/proc", "/sys"] {
            if snapshot.lookup(dir).is_none() {
                layer.put(dir, Node::dir(0o755, now));
            }
        }
        if snapshot.lookup("/etc/mtab").is_none() {
            layer.put("/etc/mtab", Node::symlink("/proc/mounts", now));
        }
        Ok(layer.to_tar())
    }

    /// `POST /images/create?fromSrc=-&repo=&tag=&message=&changes=`: `docker import`,
    /// the tar as the only layer of a new image. Returns the image ID.
    pub fn import_image(
        &mut self,
        tar: &[u8],
        repo: Option<&str>,
        tag: Option<&str>,
        message: Option<&str>,
        changes: &[String],
    ) -> Result<String> {
        let mut config = ContainerConfig::default();
        apply_changes(&mut config, changes)?;
        let layer = Layer::from_tar(Arc::from(tar.to_vec())).map_err(|_| {
            EngineError::BadRequest(
                "Error processing tar file(exit status 1): unexpected EOF".into(),
            )
        })?;
        let now = self.now_rfc3339();
        let comment = message
            .filter(|m| !m.is_empty())
            .unwrap_or("Imported from -")
            .to_string();
        let layers: Vec<Digest> = self.store_layer(&layer)?.into_iter().collect();
        let file = ImageConfigFile {
            architecture: "amd64".into(),
            config,
            container: String::new(),
            container_config: ContainerConfig::default(),
            created: now.clone(),
            docker_version: super::DOCKER_VERSION.into(),
            author: None,
            comment: Some(comment.clone()),
            history: vec![HistoryRow {
                created: now,
                author: None,
                created_by: String::new(),
                comment: Some(comment),
                empty_layer: false,
            }],
            os: "linux".into(),
            parent: None,
            rootfs: RootFsJson {
                kind: "layers".into(),
                diff_ids: layers,
            },
        };
        Ok(self.register_image(&file, None, repo, tag)?.to_string())
    }
}
