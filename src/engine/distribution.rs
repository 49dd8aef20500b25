//! `docker push`, and the registry half of `docker pull`: images leave and arrive over
//! real HTTP through `registry::client`, with Docker's progress messages.
//!
//! Layers travel gzip-compressed (deterministically: no timestamp, no name, a fixed
//! level, so pushing the same layer twice gives the same digest and the registry
//! dedupes it) and are stored here uncompressed, by DiffID, like every other layer.

use super::Engine;
use super::digest::Digest;
use super::error::{EngineError, Result};
use super::fs::{Layer, uncompressed};
use super::hub::Resolved;
use super::image::ConfigFile;
use super::reference::{self, Reference};
use super::registry::client::{ClientError, Credentials, FetchedManifest, RegistryClient};
use super::registry::{DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST};
use bollard_stubs::models::{ProgressDetail, PushImageInfo};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::Arc;

const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
const DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
/// The most a pulled layer may unpack to.
const LAYER_LIMIT: u64 = 1 << 34;

/// Whether `domain` is a registry on this machine, spoken to over plain HTTP (Docker
/// allows insecure registries on localhost and 127.0.0.0/8 without configuration).
pub fn is_local_registry(domain: &str) -> bool {
    let host = match domain.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => domain,
    };
    host == "localhost"
        || host == "[::1]"
        || host.strip_prefix("127.").is_some_and(|rest| {
            rest.split('.').count() == 3 && rest.split('.').all(|p| p.parse::<u8>().is_ok())
        })
}

/// An image found on a registry (or the hub), ready to be pulled.
pub(super) struct RemoteImage {
    /// The digest the reference resolves to (an index's, for a multi-platform image):
    /// what `Digest:` shows and repo digests record.
    pub digest: Digest,
    pub manifest: Vec<u8>,
    pub media_type: String,
    pub config_digest: Digest,
    pub config: Vec<u8>,
    /// Per layer, base first: the digest progress lines show, and the DiffID.
    pub layers: Vec<(Digest, Digest)>,
    pub source: LayerSource,
}

pub(super) enum LayerSource {
    Hub(Box<Resolved>),
    Registry {
        client: RegistryClient,
        repository: String,
        /// The blob digests the manifest names, base first.
        blobs: Vec<Digest>,
    },
}

impl RemoteImage {
    pub fn from_hub(resolved: Resolved) -> RemoteImage {
        let media_type = serde_json::from_slice::<Value>(&resolved.manifest)
            .ok()
            .and_then(|v| v["mediaType"].as_str().map(str::to_string))
            .unwrap_or_else(|| OCI_MANIFEST.into());
        RemoteImage {
            digest: resolved.digest.clone(),
            manifest: resolved.manifest.clone(),
            media_type,
            config_digest: resolved.config_digest.clone(),
            config: resolved.config.clone(),
            layers: resolved
                .layers
                .iter()
                .map(|l| (l.digest.clone(), l.digest.clone()))
                .collect(),
            source: LayerSource::Hub(Box::new(resolved)),
        }
    }
}

/// Docker's words for a registry failure during a pull.
fn pull_error(target: &Reference, error: ClientError) -> EngineError {
    match error {
        ClientError::Registry { code, .. }
            if code == "MANIFEST_UNKNOWN" || code == "NAME_UNKNOWN" =>
        {
            EngineError::ManifestUnknown(target.familiar_string())
        }
        other => EngineError::Registry(other.to_string()),
    }
}

/// A layer tar, gzip-compressed the same way every time.
pub fn deterministic_gzip(tar: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::GzBuilder::new().mtime(0).write(
        Vec::with_capacity(tar.len() / 2),
        flate2::Compression::default(),
    );
    encoder
        .write_all(tar)
        .and_then(|_| encoder.try_finish())
        .expect("compressing into memory cannot fail");
    encoder
        .finish()
        .expect("compressing into memory cannot fail")
}

/// A manifest serialised as Docker writes one (three-space indent, its field order).
fn docker_manifest(config: (&Digest, usize), layers: &[(Digest, usize)]) -> Vec<u8> {
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST,
        "config": {"mediaType": DOCKER_CONFIG, "size": config.1, "digest": config.0.to_string()},
        "layers": layers.iter().map(|(digest, size)| json!({
            "mediaType": DOCKER_LAYER_GZIP, "size": size, "digest": digest.to_string(),
        })).collect::<Vec<_>>(),
    });
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"   ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(&manifest, &mut serializer).expect("JSON values always serialise");
    out
}

/// A push progress line. The API's model has no `id` field, so a layer's ID travels at
/// the front of the status, in the `<id>: <status>` form the CLI prints anyway.
fn push_message(id: Option<&str>, status: &str) -> PushImageInfo {
    let status = match id {
        Some(id) => format!("{id}: {status}"),
        None => status.to_string(),
    };
    PushImageInfo {
        error_detail: None,
        status: Some(status),
        progress_detail: Some(ProgressDetail::default()),
    }
}

impl Engine {
    /// A client for the registry at `host`, with the credentials the client gave for it.
    fn registry_client(&self, host: &str) -> RegistryClient {
        RegistryClient::new(host, &self.registry_endpoint(host))
            .with_credentials(self.credentials.get(host))
    }

    /// The credentials the client sends with its pushes and pulls, by registry host
    /// (the Engine API's `X-Registry-Auth`, which the docker CLI fills from its config).
    pub fn use_credentials(&mut self, credentials: Vec<(String, Credentials)>) {
        self.credentials = credentials.into_iter().collect();
    }

    /// `POST /auth`: checks a user's credentials with a registry on this machine. The
    /// hub has no accounts in the lab, so no login there succeeds.
    pub fn login(&mut self, server: &str, credentials: &Credentials) -> Result<String> {
        if !is_local_registry(server) {
            return Err(EngineError::Registry(
                "Get \"https://registry-1.docker.io/v2/\": unauthorized: incorrect username or password"
                    .into(),
            ));
        }
        RegistryClient::new(server, &self.registry_endpoint(server))
            .with_credentials(Some(credentials))
            .login()
            .map_err(|e| EngineError::Registry(e.to_string()))?;
        Ok("Login Succeeded".into())
    }

    /// Looks `wanted` (a tag or digest) up on the registry `target` names.
    pub(super) fn resolve_on_registry(
        &self,
        target: &Reference,
        wanted: &str,
    ) -> Result<RemoteImage> {
        let client = self.registry_client(target.domain());
        let repository = target.path().to_string();
        client.ping().map_err(|e| match e {
            ClientError::NoCredentials => EngineError::Registry(format!(
                "Head \"http://{}/v2/{repository}/manifests/{wanted}\": no basic auth credentials",
                target.domain()
            )),
            e => pull_error(target, e),
        })?;
        let unknown = || EngineError::ManifestUnknown(target.familiar_string());
        let mut fetched = client
            .manifest(&repository, wanted)
            .map_err(|e| pull_error(target, e))?
            .ok_or_else(unknown)?;
        let mut manifest: Value = serde_json::from_slice(&fetched.bytes)
            .map_err(|e| EngineError::Registry(format!("invalid manifest: {e}")))?;
        if [OCI_INDEX, DOCKER_MANIFEST_LIST].contains(&fetched.media_type.as_str())
            || manifest.get("manifests").is_some()
        {
            // A multi-platform image: take linux/amd64, as this engine's platform.
            let children = manifest["manifests"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let chosen = children
                .iter()
                .find(|m| {
                    m["platform"]["os"] == "linux" && m["platform"]["architecture"] == "amd64"
                })
                .or_else(|| children.first())
                .and_then(|m| m["digest"].as_str())
                .ok_or_else(|| {
                    EngineError::Registry(
                        "no matching manifest for linux/amd64 in the manifest list entries".into(),
                    )
                })?
                .to_string();
            let index_digest = fetched.digest.clone();
            fetched = client
                .manifest(&repository, &chosen)
                .map_err(|e| pull_error(target, e))?
                .ok_or_else(unknown)?;
            fetched.digest = index_digest;
            manifest = serde_json::from_slice(&fetched.bytes)
                .map_err(|e| EngineError::Registry(format!("invalid manifest: {e}")))?;
        }
        let FetchedManifest {
            bytes,
            media_type,
            digest,
        } = fetched;
        let config_digest: Digest = manifest["config"]["digest"]
            .as_str()
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| EngineError::Registry("invalid manifest: no config".into()))?;
        let config = client
            .blob(&repository, &config_digest)
            .map_err(|e| pull_error(target, e))?;
        let parsed = ConfigFile::parse(&config)
            .map_err(|e| EngineError::Registry(format!("invalid image config: {e}")))?;
        let blobs: Vec<Digest> = manifest["layers"]
            .as_array()
            .map(|layers| {
                layers
                    .iter()
                    .filter_map(|l| l["digest"].as_str()?.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        if blobs.len() != parsed.rootfs.diff_ids.len() {
            return Err(EngineError::Registry(
                "invalid image: layer count does not match the config's diff IDs".into(),
            ));
        }
        Ok(RemoteImage {
            digest,
            manifest: bytes,
            media_type,
            config_digest,
            config,
            layers: blobs
                .iter()
                .cloned()
                .zip(parsed.rootfs.diff_ids.iter().cloned())
                .collect(),
            source: LayerSource::Registry {
                client,
                repository,
                blobs,
            },
        })
    }

    /// Layer `index` of `remote` as an uncompressed tar, checked against its DiffID, and
    /// its unpacked size.
    pub(super) fn fetch_layer(
        &self,
        remote: &RemoteImage,
        index: usize,
    ) -> Result<(Arc<[u8]>, u64)> {
        match &remote.source {
            LayerSource::Hub(resolved) => {
                let generate = || {
                    self.hub
                        .layer(resolved, index)
                        .map(Arc::from)
                        .map_err(|e| std::io::Error::other(e.to_string()))
                };
                // The hub's layers are the same for every lab: one generates, all share.
                let bytes = match (&self.shared_layers, resolved.layers.get(index)) {
                    (Some(shared), Some(info)) => shared.tar(&info.digest, generate)?,
                    _ => generate()?,
                };
                Ok((bytes, resolved.layers[index].unpacked_size))
            }
            LayerSource::Registry {
                client,
                repository,
                blobs,
            } => {
                let blob = client
                    .blob(repository, &blobs[index])
                    .map_err(|e| EngineError::Registry(e.to_string()))?;
                let tar = uncompressed(Arc::from(blob), LAYER_LIMIT)
                    .map_err(|e| EngineError::Registry(e.to_string()))?;
                let diff_id = &remote.layers[index].1;
                if !diff_id.verify(&tar) {
                    return Err(EngineError::Registry(format!(
                        "filesystem layer verification failed for digest {}",
                        blobs[index]
                    )));
                }
                let layer = Layer::from_tar(tar.clone())
                    .map_err(|e| EngineError::Registry(e.to_string()))?;
                Ok((tar, layer.unpacked_size()))
            }
        }
    }

    /// `POST /images/{name}/push?tag=`: one tag, or (with `tag` empty) every tag of the
    /// repository, to the registry the name points at.
    pub fn push(
        &mut self,
        name: &str,
        tag: &str,
        progress: &mut dyn FnMut(&PushImageInfo),
    ) -> Result<()> {
        let named = reference::parse_normalized(name)
            .map_err(|e| EngineError::InvalidReference(e.to_string()))?;
        progress(&push_message(
            None,
            &format!("The push refers to repository [{}]", named.full_name()),
        ));
        let repository = named.full_name();
        let tags: Vec<(String, Digest)> = self
            .images
            .all_tags()
            .iter()
            .filter_map(|(full, id)| {
                let (repo, t) = full.rsplit_once(':')?;
                (repo == repository).then(|| (t.to_string(), id.clone()))
            })
            .collect();
        if tags.is_empty() {
            return Err(EngineError::Registry(format!(
                "An image does not exist locally with the tag: {}",
                named.familiar_name()
            )));
        }
        let chosen: Vec<&(String, Digest)> = tags
            .iter()
            .filter(|(t, _)| tag.is_empty() || t == tag)
            .collect();
        if chosen.is_empty() {
            // The daemon reaches the registry before it looks for the tag.
            if is_local_registry(named.domain()) {
                self.registry_client(named.domain())
                    .ping()
                    .map_err(|e| EngineError::Registry(e.to_string()))?;
            }
            return Err(EngineError::Registry(format!(
                "tag does not exist: {}:{tag}",
                named.familiar_name()
            )));
        }
        for (tag, id) in chosen {
            self.push_one(&named, tag, id, progress)?;
        }
        Ok(())
    }

    fn push_one(
        &mut self,
        named: &Reference,
        tag: &str,
        id: &Digest,
        progress: &mut dyn FnMut(&PushImageInfo),
    ) -> Result<()> {
        let image = self
            .images
            .get(id)
            .cloned()
            .ok_or_else(|| EngineError::NoSuchImage(id.to_string()))?;
        // Top layer first, as Docker lists them.
        let layers: Vec<Digest> = image.layers.iter().rev().cloned().collect();
        let mut unique = Vec::new();
        for layer in layers {
            if !unique.contains(&layer) {
                unique.push(layer);
            }
        }
        if !is_local_registry(named.domain()) {
            // The hub (or any registry we cannot reach) without `docker login`.
            for layer in &unique {
                progress(&push_message(Some(layer.short()), "Preparing"));
            }
            return Err(EngineError::Registry(
                "denied: requested access to the resource is denied".into(),
            ));
        }
        let client = self.registry_client(named.domain());
        let repository = named.path();
        // Unreachable fails before the layers are listed; missing credentials after.
        let pinged = match client.ping() {
            Err(ClientError::NoCredentials) => Err(ClientError::NoCredentials),
            Err(e) => return Err(EngineError::Registry(e.to_string())),
            Ok(()) => Ok(()),
        };
        let registry_error = |e: ClientError| EngineError::Registry(e.to_string());
        let mut compressed = Vec::new();
        for layer in &unique {
            progress(&push_message(Some(layer.short()), "Preparing"));
        }
        pinged.map_err(registry_error)?;
        for layer in &unique {
            let (digest, gz) = self.compressed_layer(layer)?;
            let status = if client
                .has_blob(repository, &digest)
                .map_err(registry_error)?
            {
                "Layer already exists".to_string()
            } else if let Some(from) = self.mount_source(named, &digest, &client)? {
                format!("Mounted from {from}")
            } else {
                client
                    .push_blob(repository, &digest, &gz)
                    .map_err(registry_error)?;
                "Pushed".to_string()
            };
            self.images.note_remote_blob(&digest, &named.full_name());
            progress(&push_message(Some(layer.short()), &status));
            compressed.push((layer.clone(), digest, gz.len()));
        }
        let config = self.content.read(id)?;
        if !client.has_blob(repository, id).map_err(registry_error)? {
            client
                .push_blob(repository, id, &config)
                .map_err(registry_error)?;
        }
        let by_diff: Vec<(Digest, usize)> = image
            .layers
            .iter()
            .filter_map(|d| compressed.iter().find(|(diff, _, _)| diff == d))
            .map(|(_, digest, size)| (digest.clone(), *size))
            .collect();
        let manifest = docker_manifest((id, config.len()), &by_diff);
        let digest = client
            .put_manifest(repository, tag, DOCKER_MANIFEST, &manifest)
            .map_err(registry_error)?;
        progress(&push_message(
            None,
            &format!("{tag}: digest: {digest} size: {}", manifest.len()),
        ));
        if let Some(record) = self.images.get_mut(id) {
            record
                .repo_digests
                .insert(format!("{}@{digest}", named.full_name()));
        }
        self.save()
    }

    /// Stored layer `diff_id` as a registry receives it: gzip-compressed, and the digest
    /// of that blob.
    fn compressed_layer(&self, diff_id: &Digest) -> Result<(Digest, Arc<[u8]>)> {
        match self.shared_layers_holding(diff_id) {
            Some(shared) => {
                Ok(shared.compressed(diff_id, || self.read_blob(diff_id), deterministic_gzip)?)
            }
            None => {
                let gz = deterministic_gzip(&self.content.read(diff_id)?);
                Ok((Digest::sha256(&gz), Arc::from(gz)))
            }
        }
    }

    /// Another repository on the same registry this layer was pushed to or pulled from,
    /// if the registry agrees to mount it from there.
    fn mount_source(
        &self,
        named: &Reference,
        digest: &Digest,
        client: &RegistryClient,
    ) -> Result<Option<String>> {
        let prefix = format!("{}/", named.domain());
        for source in self.images.remote_sources(digest) {
            let Some(repository) = source.strip_prefix(&prefix) else {
                continue;
            };
            if repository == named.path() {
                continue;
            }
            if client
                .mount(named.path(), digest, repository)
                .map_err(|e| EngineError::Registry(e.to_string()))?
            {
                return Ok(Some(repository.to_string()));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_registries_are_loopback_only() {
        for local in [
            "localhost",
            "localhost:5000",
            "127.0.0.1:5000",
            "127.1.2.3",
            "[::1]:5000",
        ] {
            assert!(is_local_registry(local), "{local}");
        }
        for remote in [
            "docker.io",
            "example.com:5000",
            "127.0.0.1.example.com",
            "128.0.0.1:5000",
        ] {
            assert!(!is_local_registry(remote), "{remote}");
        }
    }

    #[test]
    fn gzip_is_deterministic() {
        let a = deterministic_gzip(b"some tar bytes");
        assert_eq!(a, deterministic_gzip(b"some tar bytes"));
        assert_eq!(&a[..4], &[0x1f, 0x8b, 8, 0]);
    }

    #[test]
    fn manifests_look_like_dockers() {
        let config = Digest::sha256(b"c");
        let layer = Digest::sha256(b"l");
        let text =
            String::from_utf8(docker_manifest((&config, 10), &[(layer.clone(), 20)])).unwrap();
        assert!(text.starts_with("{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"application/vnd.docker.distribution.manifest.v2+json\",\n   \"config\": {\n      \"mediaType\""));
        assert!(text.contains(&format!("\"size\": 20,\n         \"digest\": \"{layer}\"")));
    }
}
