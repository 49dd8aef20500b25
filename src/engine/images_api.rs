//! The engine's image endpoints: list, inspect, history, pull, tag, remove, search,
//! answered in the Engine API's model types.

use super::digest::Digest;
use super::distribution::{LayerSource, RemoteImage, is_local_registry};
use super::error::{EngineError, Result};
use super::hub::HubError;
use super::hub::MANIFEST_MEDIA_TYPE;
use super::image::{
    ConfigFile, ImageRecord, LayerRecord, Lookup, ManifestRef, chain_ids, local_manifest,
};
use super::reference::{self, Reference};
use super::{API_VERSION, DOCKER_VERSION, Engine};
use bollard_stubs::models::{
    CreateImageInfo, ImageDeleteResponseItem, ImageHistoryResponseItem, ImageInspect,
    ImageInspectMetadata, ImageInspectRootFs, ImageSearchResponseItem, ImageSummary,
    ProgressDetail, SystemInfo, SystemVersion, SystemVersionComponents, SystemVersionPlatform,
};
use std::collections::{BTreeSet, HashMap};

/// Filters as the Engine API takes them.
pub type Filters = HashMap<String, Vec<String>>;

impl Engine {
    pub fn version(&self) -> SystemVersion {
        SystemVersion {
            platform: Some(SystemVersionPlatform {
                name: "docklab embedded engine".into(),
            }),
            components: Some(vec![SystemVersionComponents {
                name: "Engine".into(),
                version: DOCKER_VERSION.into(),
                details: None,
            }]),
            version: Some(DOCKER_VERSION.into()),
            api_version: Some(API_VERSION.into()),
            min_api_version: Some("1.24".into()),
            git_commit: Some(format!("docklab-{}", env!("CARGO_PKG_VERSION"))),
            go_version: Some("(none: docklab is written in Rust)".into()),
            os: Some("linux".into()),
            arch: Some("amd64".into()),
            kernel_version: Some("docklab".into()),
            experimental: Some(false),
            build_time: None,
        }
    }

    pub fn info(&self) -> SystemInfo {
        let running = self.containers.all().filter(|c| c.is_running()).count() as i64;
        let total = self.containers.all().count() as i64;
        let paused = self
            .containers
            .all()
            .filter(|c| c.status == super::runtime::Status::Paused)
            .count() as i64;
        SystemInfo {
            id: Some("docklab".into()),
            containers: Some(total),
            containers_running: Some(running - paused),
            containers_paused: Some(paused),
            containers_stopped: Some(total - running),
            images: Some(self.images.images().count() as i64),
            driver: Some("docklab-layers".into()),
            docker_root_dir: Some(self.state_dir.display().to_string()),
            server_version: Some(DOCKER_VERSION.into()),
            operating_system: Some("docklab embedded engine".into()),
            os_type: Some("linux".into()),
            architecture: Some("x86_64".into()),
            kernel_version: Some("docklab".into()),
            ncpu: Some(1),
            mem_total: Some(1 << 30),
            name: Some("docklab".into()),
            index_server_address: Some("https://index.docker.io/v1/".into()),
            logging_driver: Some("json-file".into()),
            cgroup_driver: None,
            ..Default::default()
        }
    }

    /// `GET /images/json`: newest first, intermediate images hidden unless `all`.
    pub fn list_images(&self, all: bool, filters: &Filters) -> Result<Vec<ImageSummary>> {
        for key in filters.keys() {
            if !["reference", "dangling", "before", "since", "label"].contains(&key.as_str()) {
                return Err(EngineError::BadRequest(format!("invalid filter '{key}'")));
            }
        }
        let dangling = match filters.get("dangling").and_then(|v| v.first()) {
            None => None,
            Some(v) if v == "true" || v == "1" => Some(true),
            Some(v) if v == "false" || v == "0" => Some(false),
            Some(v) => {
                return Err(EngineError::BadRequest(format!(
                    "invalid filter 'dangling={v}'"
                )));
            }
        };
        let bound = |key: &str| -> Result<Option<i64>> {
            match filters.get(key).and_then(|v| v.first()) {
                None => Ok(None),
                Some(name) => {
                    let (id, _) = self.images.lookup(name)?;
                    Ok(self.images.get(&id).map(|i| i.created))
                }
            }
        };
        let before = bound("before")?;
        let since = bound("since")?;
        let patterns = filters.get("reference");
        let mut out = Vec::new();
        for image in self.images.images() {
            let mut tags = self.images.tags_of(&image.id);
            let mut digests: Vec<String> = image.repo_digests.iter().cloned().collect();
            let is_dangling = tags.is_empty() && digests.is_empty();
            if let Some(want) = dangling
                && want != is_dangling
            {
                continue;
            }
            if !all && is_dangling && !self.images.children(&image.id).is_empty() {
                continue;
            }
            // BuildKit's steps are its cache, never images of their own.
            if image.buildkit && is_dangling && !self.images.children(&image.id).is_empty() {
                continue;
            }
            if before.is_some_and(|b| image.created >= b)
                || since.is_some_and(|s| image.created <= s)
            {
                continue;
            }
            if let Some(patterns) = patterns {
                let keep = |name: &String| {
                    reference::parse_normalized(name)
                        .map(|r| patterns.iter().any(|p| familiar_match(p, &r)))
                        .unwrap_or(false)
                };
                tags.retain(keep);
                digests.retain(keep);
                if tags.is_empty() && digests.is_empty() {
                    continue;
                }
            }
            let config = self.config_of(image)?;
            let labels = config
                .config
                .as_ref()
                .and_then(|c| c.labels.clone())
                .unwrap_or_default();
            if let Some(wanted) = filters.get("label") {
                let ok = wanted.iter().all(|w| match w.split_once('=') {
                    Some((k, v)) => labels.get(k).is_some_and(|have| have == v),
                    None => labels.contains_key(w),
                });
                if !ok {
                    continue;
                }
            }
            out.push(ImageSummary {
                id: image.id.to_string(),
                parent_id: image
                    .parent
                    .as_ref()
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                repo_tags: tags.iter().map(|t| familiar(t)).collect(),
                repo_digests: digests.iter().map(|d| familiar(d)).collect(),
                created: image.created,
                size: image.size as i64,
                shared_size: -1,
                labels,
                containers: -1,
                manifests: None,
                descriptor: None,
            });
        }
        out.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| a.id.cmp(&b.id)));
        Ok(out)
    }

    pub(super) fn config_of(&self, image: &ImageRecord) -> Result<ConfigFile> {
        let bytes = self.content.read(&image.id)?;
        ConfigFile::parse(&bytes).map_err(|e| EngineError::CorruptState {
            path: self.content.blob_path(&image.id),
            reason: format!("image config: {e}"),
        })
    }

    /// `GET /images/{name}/json`.
    pub fn inspect_image(&self, name: &str) -> Result<ImageInspect> {
        let (id, _) = self.images.lookup(name)?;
        let image = self.images.get(&id).expect("lookup returns stored images");
        let config = self.config_of(image)?;
        Ok(ImageInspect {
            id: Some(id.to_string()),
            repo_tags: Some(
                self.images
                    .tags_of(&id)
                    .iter()
                    .map(|t| familiar(t))
                    .collect(),
            ),
            repo_digests: Some(image.repo_digests.iter().map(|d| familiar(d)).collect()),
            comment: Some(config.comment.clone().unwrap_or_default()),
            created: config.created.clone(),
            author: Some(config.author.clone().unwrap_or_default()),
            config: config.config.clone(),
            architecture: Some(config.architecture.clone()),
            variant: config.variant.clone(),
            os: Some(config.os.clone()),
            size: Some(image.size as i64),
            root_fs: Some(ImageInspectRootFs {
                typ: "layers".into(),
                layers: Some(image.layers.iter().map(|l| l.to_string()).collect()),
            }),
            metadata: Some(ImageInspectMetadata {
                last_tag_time: image.last_tag_time.clone(),
            }),
            ..Default::default()
        })
    }

    /// `GET /images/{name}/history`: newest row first. A row carries an image ID only
    /// when that image is stored locally along the parent chain; the rest are `<missing>`.
    pub fn image_history(&self, name: &str) -> Result<Vec<ImageHistoryResponseItem>> {
        let (id, _) = self.images.lookup(name)?;
        let mut rows = Vec::new();
        let mut current = Some(id);
        // Walk the parent chain: each local image owns the newest rows down to its parent's.
        let mut chain: Vec<(Digest, ConfigFile)> = Vec::new();
        while let Some(id) = current {
            let image = self.images.get(&id).expect("chain images are stored");
            let config = self.config_of(image)?;
            current = image
                .parent
                .clone()
                .filter(|p| !image.buildkit && self.images.get(p).is_some());
            chain.push((id, config));
        }
        let (top_id, top_config) = &chain[0];
        let top = self.images.get(top_id).expect("stored");
        let mut layer_index = top.layers.len();
        let owners: Vec<(usize, &Digest)> = chain
            .iter()
            .map(|(id, config)| (config.history.len(), id))
            .collect();
        for (index, entry) in top_config.history.iter().enumerate().rev() {
            let size = if entry.empty_layer {
                0
            } else {
                layer_index = layer_index.saturating_sub(1);
                top.layers
                    .get(layer_index)
                    .and_then(|d| self.images.layer(d))
                    .map(|l| l.unpacked_size as i64)
                    .unwrap_or(0)
            };
            // The row is the newest one of some local image in the chain?
            let owner = owners
                .iter()
                .find(|(len, _)| *len == index + 1)
                .map(|(_, id)| *id);
            let (row_id, tags) = match owner {
                Some(owner) => (
                    owner.to_string(),
                    self.images
                        .tags_of(owner)
                        .iter()
                        .map(|t| familiar(t))
                        .collect(),
                ),
                None => ("<missing>".to_string(), Vec::new()),
            };
            rows.push(ImageHistoryResponseItem {
                id: row_id,
                created: super::image::parse_time(entry.created.as_deref()),
                created_by: entry.created_by.clone().unwrap_or_default(),
                tags,
                size,
                comment: entry.comment.clone().unwrap_or_default(),
            });
        }
        Ok(rows)
    }

    /// `POST /images/create?fromImage=&tag=`: from the simulated hub, or over HTTP from
    /// a registry on this machine (`localhost:5000/…`).
    pub fn pull(
        &mut self,
        image: &str,
        tag: &str,
        progress: &mut dyn FnMut(&CreateImageInfo),
    ) -> Result<()> {
        let named = parse_reference(image)?;
        let target = if tag.is_empty() {
            named.with_default_tag()
        } else if tag.contains(':') {
            parse_reference(&format!("{}@{}", named.full_name(), tag))?
        } else {
            parse_reference(&format!("{}:{}", named.full_name(), tag))?
        };
        let wanted = match (target.tag(), target.digest()) {
            (_, Some(d)) => d.to_string(),
            (Some(t), None) => t.to_string(),
            (None, None) => "latest".to_string(),
        };
        if is_local_registry(target.domain()) {
            let remote = self.resolve_on_registry(&target, &wanted)?;
            return self.pull_remote(&target, &wanted, &remote, progress);
        }
        let resolved = self
            .hub
            .resolve(target.domain(), target.path(), &wanted)
            .map_err(|e| match e {
                HubError::RepositoryNotFound => {
                    if target.domain() == "docker.io" && super::hub::is_on_docker_hub(target.path())
                    {
                        EngineError::NotCarried(
                            target.familiar_name(),
                            super::hub::carried_official_images().join(", "),
                        )
                    } else {
                        EngineError::PullAccessDenied(target.familiar_name())
                    }
                }
                HubError::ManifestUnknown => EngineError::ManifestUnknown(target.familiar_string()),
                HubError::UnknownRegistry(host) => EngineError::UnknownRegistry(host),
                #[allow(unreachable_patterns)]
                other => EngineError::Io(std::io::Error::other(other.to_string())),
            })?;
        let remote = RemoteImage::from_hub(resolved);
        let result = self.pull_remote(&target, &wanted, &remote, progress);
        if let LayerSource::Hub(resolved) = &remote.source {
            self.hub.release(resolved);
        }
        result
    }

    /// Fetches what is missing of `remote` with Docker's progress messages, and records
    /// the image under `target`.
    fn pull_remote(
        &mut self,
        target: &Reference,
        wanted: &str,
        remote: &RemoteImage,
        progress: &mut dyn FnMut(&CreateImageInfo),
    ) -> Result<()> {
        let path_shown = target.path().to_string();
        let say = |progress: &mut dyn FnMut(&CreateImageInfo),
                   id: Option<&str>,
                   status: &str,
                   detail: Option<(i64, i64)>| {
            progress(&CreateImageInfo {
                id: id.map(str::to_string),
                status: Some(status.to_string()),
                progress_detail: Some(match detail {
                    Some((current, total)) => ProgressDetail {
                        current: Some(current),
                        total: Some(total),
                    },
                    None => ProgressDetail::default(),
                }),
                error_detail: None,
            })
        };
        say(
            progress,
            Some(wanted),
            &format!("Pulling from {path_shown}"),
            None,
        );
        let present: Vec<bool> = remote
            .layers
            .iter()
            .map(|(_, diff_id)| self.images.layer(diff_id).is_some() && self.content.has(diff_id))
            .collect();
        // An image whose config is already here needs no layer lines at all: Docker goes
        // straight to the digest and "Image is up to date".
        let image_present =
            self.images.get(&remote.config_digest).is_some() && present.iter().all(|p| *p);
        let listed: &[(Digest, Digest)] = if image_present { &[] } else { &remote.layers };
        for ((shown, _), here) in listed.iter().zip(&present) {
            let status = if *here {
                "Already exists"
            } else {
                "Pulling fs layer"
            };
            say(progress, Some(shown.short()), status, None);
        }
        let mut fetched = Vec::new();
        for (index, ((shown, diff_id), here)) in remote.layers.iter().zip(&present).enumerate() {
            if *here {
                continue;
            }
            let (bytes, unpacked_size) = self.fetch_layer(remote, index)?;
            let total = bytes.len() as i64;
            say(
                progress,
                Some(shown.short()),
                "Downloading",
                Some((total, total)),
            );
            say(progress, Some(shown.short()), "Verifying Checksum", None);
            say(progress, Some(shown.short()), "Download complete", None);
            fetched.push((shown, diff_id, bytes, unpacked_size));
        }
        for (shown, diff_id, bytes, unpacked_size) in fetched {
            self.put_layer_blob(diff_id, &bytes)?;
            let total = bytes.len() as i64;
            self.images.insert_layer(LayerRecord {
                diff_id: diff_id.clone(),
                size: bytes.len() as u64,
                unpacked_size,
            });
            say(
                progress,
                Some(shown.short()),
                "Extracting",
                Some((total, total)),
            );
            say(progress, Some(shown.short()), "Pull complete", None);
        }
        if let LayerSource::Registry { blobs, .. } = &remote.source {
            for blob in blobs {
                self.images.note_remote_blob(blob, &target.full_name());
            }
        }
        let id = remote.config_digest.clone();
        let repo_digest = format!("{}@{}", target.full_name(), remote.digest);
        let previous = match target.tag() {
            Some(_) => self.images.tag_target(&target.to_string()).cloned(),
            None => self
                .images
                .images()
                .find(|i| i.repo_digests.contains(&repo_digest))
                .map(|i| i.id.clone()),
        };
        let up_to_date = image_present && previous.as_ref() == Some(&id);
        if !up_to_date {
            self.store_pulled(target, remote, repo_digest)?;
        }
        say(progress, None, &format!("Digest: {}", remote.digest), None);
        let outcome = if up_to_date {
            "Image is up to date for"
        } else {
            "Downloaded newer image for"
        };
        say(
            progress,
            None,
            &format!("Status: {outcome} {}", target.familiar_string()),
            None,
        );
        Ok(())
    }

    /// Records a pulled image: its config and manifest blobs, the image, its names.
    fn store_pulled(
        &mut self,
        target: &Reference,
        remote: &RemoteImage,
        repo_digest: String,
    ) -> Result<()> {
        self.content
            .put_trusted(&remote.config_digest, &remote.config)?;
        let config = ConfigFile::parse(&remote.config).map_err(|e| {
            EngineError::Io(std::io::Error::other(format!(
                "invalid image config from registry: {e}"
            )))
        })?;
        let id = remote.config_digest.clone();
        let (manifest_digest, manifest, media_type) = match &remote.source {
            // The hub's manifests name the uncompressed layers stored here.
            LayerSource::Hub(_) => (
                remote.digest.clone(),
                remote.manifest.clone(),
                remote.media_type.clone(),
            ),
            // A registry's name compressed blobs that are not kept: the local layout gets
            // a manifest of the layers as stored, as Docker keeps its own record too.
            LayerSource::Registry { .. } => {
                let layers: Vec<(Digest, u64)> = config
                    .rootfs
                    .diff_ids
                    .iter()
                    .map(|d| (d.clone(), self.images.layer(d).map_or(0, |l| l.size)))
                    .collect();
                let bytes = local_manifest(&id, remote.config.len(), &layers);
                (
                    Digest::sha256(&bytes),
                    bytes,
                    MANIFEST_MEDIA_TYPE.to_string(),
                )
            }
        };
        self.content.put_trusted(&manifest_digest, &manifest)?;
        let size = self.images.unpacked_size(&config.rootfs.diff_ids);
        let mut record = self.images.get(&id).cloned().unwrap_or(ImageRecord {
            id: id.clone(),
            manifest: None,
            parent: None,
            repo_digests: BTreeSet::new(),
            layers: config.rootfs.diff_ids.clone(),
            size,
            created: config.created_unix(),
            last_tag_time: None,
            buildkit: false,
        });
        record.manifest = Some(ManifestRef {
            digest: manifest_digest,
            media_type,
            size: manifest.len() as u64,
        });
        record.repo_digests.insert(repo_digest);
        self.images.insert_image(record);
        if target.tag().is_some() {
            let now = self.now_rfc3339();
            self.images.set_tag(target.to_string(), id.clone(), &now);
        }
        self.save()
    }

    /// `POST /images/{name}/tag?repo=&tag=`.
    pub fn tag(&mut self, source: &str, repo: &str, tag: &str) -> Result<()> {
        let (id, _) = self.images.lookup(source)?;
        let named = parse_reference(repo)?;
        if named.digest().is_some() {
            return Err(EngineError::BadRequest(
                "refusing to create a tag with a digest reference".into(),
            ));
        }
        let tag = if tag.is_empty() { "latest" } else { tag };
        let target = parse_reference(&format!("{}:{}", named.full_name(), tag))?;
        let now = self.now_rfc3339();
        self.images.set_tag(target.to_string(), id, &now);
        self.save()
    }

    /// `DELETE /images/{name}`, with moby's rules for untagging versus deleting.
    pub fn remove_image(
        &mut self,
        name: &str,
        force: bool,
        no_prune: bool,
    ) -> Result<Vec<ImageDeleteResponseItem>> {
        let (id, how) = self.images.lookup(name)?;
        let mut records = Vec::new();
        let refs = self.images.references_of(&id);
        let single_repository = {
            let repos: BTreeSet<String> = refs.iter().map(|r| repository_of(r)).collect();
            repos.len() <= 1
        };
        let mut removed_reference = false;
        match how {
            Lookup::Named(named) => {
                if !force
                    && single_repository
                    && let Some(c) = self.containers.using_image(&id).next()
                {
                    return Err(EngineError::Conflict(format!(
                        "conflict: unable to remove repository reference \"{name}\" (must force) - container {} is using its referenced image {}",
                        &c.id[..12],
                        id.short()
                    )));
                }
                let key = named.to_string();
                if named.digest().is_some() {
                    if let Some(image) = self.images.get_mut(&id) {
                        image.repo_digests.remove(&key);
                    }
                } else {
                    self.images.remove_tag(&key);
                }
                records.push(untagged(named.familiar_string()));
                // Removing the last tag of a repository also drops its digest references.
                if named.digest().is_none() {
                    let repo = named.full_name();
                    let has_tag_left = self
                        .images
                        .tags_of(&id)
                        .iter()
                        .any(|t| repository_of(t) == repo);
                    if !has_tag_left && let Some(image) = self.images.get_mut(&id) {
                        let drop: Vec<String> = image
                            .repo_digests
                            .iter()
                            .filter(|d| repository_of(d) == repo)
                            .cloned()
                            .collect();
                        for d in drop {
                            image.repo_digests.remove(&d);
                            records.push(untagged(familiar(&d)));
                        }
                    }
                }
                if !self.images.references_of(&id).is_empty() {
                    self.save()?;
                    return Ok(records);
                }
                removed_reference = true;
            }
            Lookup::Id => {
                if single_repository {
                    self.check_delete_conflict(&id, force, true)?;
                    for r in refs {
                        self.remove_reference(&id, &r);
                        records.push(untagged(familiar(&r)));
                    }
                }
            }
        }
        let result =
            self.delete_image_helper(&id, &mut records, force, !no_prune, removed_reference);
        self.save()?;
        result.map(|()| records)
    }

    /// moby's `checkImageDeleteConflict`: hard conflicts (children, running containers)
    /// always stop a delete; soft ones (other names, stopped containers) unless forced.
    fn check_delete_conflict(
        &self,
        id: &Digest,
        force: bool,
        ignore_references: bool,
    ) -> Result<()> {
        let conflict = |hard: bool, message: String| {
            let how = if hard {
                "cannot be forced"
            } else {
                "must be forced"
            };
            Err(EngineError::Conflict(format!(
                "conflict: unable to delete {} ({how}) - {message}",
                id.short()
            )))
        };
        if !self.images.children(id).is_empty() {
            return conflict(true, "image has dependent child images".into());
        }
        if let Some(c) = self.containers.using_image(id).find(|c| c.is_running()) {
            return conflict(
                true,
                format!("image is being used by running container {}", &c.id[..12]),
            );
        }
        if force {
            return Ok(());
        }
        if !ignore_references && !self.images.references_of(id).is_empty() {
            return conflict(false, "image is referenced in multiple repositories".into());
        }
        if let Some(c) = self.containers.using_image(id).find(|c| !c.is_running()) {
            return conflict(
                false,
                format!("image is being used by stopped container {}", &c.id[..12]),
            );
        }
        Ok(())
    }

    fn remove_reference(&mut self, id: &Digest, reference: &str) {
        if reference.contains('@') {
            if let Some(image) = self.images.get_mut(id) {
                image.repo_digests.remove(reference);
            }
        } else {
            self.images.remove_tag(reference);
        }
    }

    fn delete_image_helper(
        &mut self,
        id: &Digest,
        records: &mut Vec<ImageDeleteResponseItem>,
        force: bool,
        prune: bool,
        quiet: bool,
    ) -> Result<()> {
        if let Err(conflict) = self.check_delete_conflict(id, force, false) {
            let dangling = self.images.references_of(id).is_empty();
            let used = self.containers.using_image(id).next().is_some();
            if quiet && (!dangling || used) {
                return Ok(());
            }
            return Err(conflict);
        }
        let parent = self.images.get(id).and_then(|i| i.parent.clone());
        for r in self.images.references_of(id) {
            self.remove_reference(id, &r);
            records.push(untagged(familiar(&r)));
        }
        let manifest = self.images.get(id).and_then(|i| i.manifest.clone());
        let removed_layers = self.images.remove_image(id);
        records.push(deleted(id.to_string()));
        for chain_id in &removed_layers {
            records.push(deleted(chain_id.to_string()));
        }
        self.collect_garbage(id, manifest.map(|m| m.digest))?;
        match parent {
            Some(parent) if prune && self.images.get(&parent).is_some() => {
                self.delete_image_helper(&parent, records, false, true, true)
            }
            _ => Ok(()),
        }
    }

    /// Deletes the blobs of a removed image that no other image still uses.
    fn collect_garbage(&self, config: &Digest, manifest: Option<Digest>) -> Result<()> {
        let live = self.images.live_blobs();
        let layer_blobs = self.content.list()?;
        for blob in [Some(config.clone()), manifest]
            .into_iter()
            .flatten()
            .chain(layer_blobs)
        {
            if !live.contains(&blob) && self.images.layer(&blob).is_none() {
                self.content.delete(&blob)?;
            }
        }
        Ok(())
    }

    /// `GET /images/search`.
    pub fn search(
        &self,
        term: &str,
        limit: Option<i64>,
        filters: &Filters,
    ) -> Result<Vec<ImageSearchResponseItem>> {
        let limit = limit.filter(|l| *l != 0).unwrap_or(25);
        if !(1..=100).contains(&limit) {
            return Err(EngineError::BadRequest(format!(
                "limit {limit} is outside the range of [1, 100]"
            )));
        }
        let mut official = None;
        let mut min_stars = 0i64;
        for (key, values) in filters {
            for value in values {
                match key.as_str() {
                    "is-official" | "is-automated" => {
                        let flag = match value.as_str() {
                            "true" | "1" => true,
                            "false" | "0" => false,
                            _ => {
                                return Err(EngineError::BadRequest(format!(
                                    "invalid filter '{key}={value}'"
                                )));
                            }
                        };
                        if key == "is-official" {
                            official = Some(flag);
                        } else if flag {
                            // The hub no longer has automated builds: nothing matches.
                            return Ok(Vec::new());
                        }
                    }
                    "stars" => {
                        min_stars = value.parse().map_err(|_| {
                            EngineError::BadRequest(format!("invalid filter 'stars={value}'"))
                        })?;
                    }
                    _ => return Err(EngineError::BadRequest(format!("invalid filter '{key}'"))),
                }
            }
        }
        Ok(self
            .hub
            .search(term)
            .into_iter()
            .filter(|r| official.is_none_or(|o| r.is_official.unwrap_or(false) == o))
            .filter(|r| r.star_count.unwrap_or(0) >= min_stars)
            .take(limit as usize)
            .collect())
    }

    /// The stored image layers' chain IDs, for `docker rmi` output and the API.
    pub fn image_chain_ids(&self, id: &Digest) -> Vec<Digest> {
        self.images
            .get(id)
            .map(|i| chain_ids(&i.layers))
            .unwrap_or_default()
    }
}

fn parse_reference(s: &str) -> Result<Reference> {
    reference::parse_normalized(s).map_err(|e| EngineError::InvalidReference(e.to_string()))
}

/// `docker.io/library/ubuntu:18.04` → `ubuntu:18.04`.
fn familiar(full: &str) -> String {
    reference::parse_normalized(full)
        .map(|r| r.familiar_string())
        .unwrap_or_else(|_| full.to_string())
}

/// The repository part of a fully qualified reference.
fn repository_of(full: &str) -> String {
    reference::parse_normalized(full)
        .map(|r| r.full_name())
        .unwrap_or_else(|_| full.to_string())
}

fn untagged(name: String) -> ImageDeleteResponseItem {
    ImageDeleteResponseItem {
        untagged: Some(name),
        deleted: None,
    }
}

fn deleted(id: String) -> ImageDeleteResponseItem {
    ImageDeleteResponseItem {
        untagged: None,
        deleted: Some(id),
    }
}

/// distribution's `FamiliarMatch`: the pattern against `name:tag`, then against `name`.
fn familiar_match(pattern: &str, reference: &Reference) -> bool {
    glob_match(pattern, &reference.familiar_string())
        || glob_match(pattern, &reference.familiar_name())
}

/// Go's `path.Match`: `*` and `?` never cross `/`, `[...]` classes with `^`/`!` negation.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p.first() {
            None => n.is_empty(),
            Some('*') => {
                let rest = &p[1..];
                for i in 0..=n.len() {
                    if i > 0 && n[i - 1] == '/' {
                        return false;
                    }
                    if go(rest, &n[i..]) {
                        return true;
                    }
                }
                false
            }
            Some('?') => !n.is_empty() && n[0] != '/' && go(&p[1..], &n[1..]),
            Some('[') => {
                let Some(c) = n.first() else { return false };
                let Some(end) = p.iter().skip(1).position(|&x| x == ']').map(|i| i + 1) else {
                    return false;
                };
                let class = &p[1..end];
                let (negate, class) = match class.first() {
                    Some('^') | Some('!') => (true, &class[1..]),
                    _ => (false, class),
                };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        hit |= class[i] <= *c && *c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == *c;
                        i += 1;
                    }
                }
                hit != negate && go(&p[end + 1..], &n[1..])
            }
            Some('\\') if p.len() > 1 => n.first() == Some(&p[1]) && go(&p[2..], &n[1..]),
            Some(ch) => n.first() == Some(ch) && go(&p[1..], &n[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn glob_follows_go_path_match() {
        assert!(glob_match("ubuntu*", "ubuntu:18.04"));
        assert!(glob_match("*:18.04", "ubuntu:18.04"));
        assert!(!glob_match("*", "localhost:5000/mynmap"));
        assert!(glob_match("*/*", "localhost:5000/mynmap"));
        assert!(glob_match("ub?ntu", "ubuntu"));
        assert!(glob_match("[a-z]*", "nginx"));
        assert!(!glob_match("[^a-z]*", "nginx"));
    }
}
