//! The embedded engine behind `trait Backend`: a thin adapter, since the engine already
//! answers in the Engine API's models. Its only work is turning engine errors into the
//! daemon's status and message.

use super::{
    Backend, BackendError, BuildMessage, BuildOptions, CommitOptions, ExecOptions, Filters,
    ListContainersOptions, ListImagesOptions, LogsOptions, Result, SessionState,
};
use crate::engine::Engine;
use crate::engine::error::EngineError;
use crate::engine::streams::Streams;
use bollard_stubs::models::{
    ContainerCreateBody, ContainerCreateResponse, ContainerInspectResponse, ContainerSummary,
    CreateImageInfo, FilesystemChange, ImageDeleteResponseItem, ImageHistoryResponseItem,
    ImageInspect, ImageSearchResponseItem, ImageSummary, PushImageInfo, SystemInfo, SystemVersion,
};

pub struct EmbeddedBackend {
    engine: Engine,
}

impl EmbeddedBackend {
    pub fn new(engine: Engine) -> EmbeddedBackend {
        EmbeddedBackend { engine }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }
}

impl From<EngineError> for BackendError {
    fn from(e: EngineError) -> BackendError {
        BackendError::Daemon {
            status: e.status(),
            message: e.to_string(),
        }
    }
}

impl Backend for EmbeddedBackend {
    fn name(&self) -> &'static str {
        "embedded"
    }

    fn version(&mut self) -> Result<SystemVersion> {
        Ok(self.engine.version())
    }

    fn info(&mut self) -> Result<SystemInfo> {
        Ok(self.engine.info())
    }

    fn list_images(&mut self, options: &ListImagesOptions) -> Result<Vec<ImageSummary>> {
        Ok(self.engine.list_images(options.all, &options.filters)?)
    }

    fn inspect_image(&mut self, name: &str) -> Result<ImageInspect> {
        Ok(self.engine.inspect_image(name)?)
    }

    fn image_history(&mut self, name: &str) -> Result<Vec<ImageHistoryResponseItem>> {
        Ok(self.engine.image_history(name)?)
    }

    fn pull_image(
        &mut self,
        image: &str,
        tag: &str,
        progress: &mut dyn FnMut(&CreateImageInfo),
    ) -> Result<()> {
        Ok(self.engine.pull(image, tag, progress)?)
    }

    fn push_image(
        &mut self,
        name: &str,
        tag: &str,
        progress: &mut dyn FnMut(&PushImageInfo),
    ) -> Result<()> {
        Ok(self.engine.push(name, tag, progress)?)
    }

    fn login(&mut self, server: &str, credentials: &super::Credentials) -> Result<String> {
        Ok(self.engine.login(server, credentials)?)
    }

    fn use_credentials(&mut self, credentials: Vec<(String, super::Credentials)>) {
        self.engine.use_credentials(credentials);
    }

    fn tag_image(&mut self, name: &str, repo: &str, tag: &str) -> Result<()> {
        Ok(self.engine.tag(name, repo, tag)?)
    }

    fn remove_image(
        &mut self,
        name: &str,
        force: bool,
        no_prune: bool,
    ) -> Result<Vec<ImageDeleteResponseItem>> {
        Ok(self.engine.remove_image(name, force, no_prune)?)
    }

    fn search_images(
        &mut self,
        term: &str,
        limit: Option<i64>,
        filters: &Filters,
    ) -> Result<Vec<ImageSearchResponseItem>> {
        Ok(self.engine.search(term, limit, filters)?)
    }

    fn save_images(&mut self, names: &[String]) -> Result<Vec<u8>> {
        Ok(self.engine.save_images(names)?)
    }

    fn image_layer_tars(&mut self, name: &str) -> Option<Result<Vec<std::sync::Arc<[u8]>>>> {
        Some(self.engine.image_layer_tars(name).map_err(Into::into))
    }

    fn load_images(&mut self, archive: &[u8]) -> Result<Vec<String>> {
        Ok(self.engine.load_images(archive)?)
    }

    fn build_image(
        &mut self,
        context: &[u8],
        options: &BuildOptions,
        progress: &mut dyn FnMut(&BuildMessage),
    ) -> Result<String> {
        Ok(self.engine.build(context, options, progress)?)
    }

    fn create_container(
        &mut self,
        name: Option<&str>,
        body: ContainerCreateBody,
    ) -> Result<ContainerCreateResponse> {
        Ok(self.engine.create_container(name, body)?)
    }

    fn published_address(&mut self, port: u16) -> Option<std::net::SocketAddr> {
        self.engine.published_address(port)
    }

    fn generation(&self) -> Option<u64> {
        Some(self.engine.generation())
    }

    fn checkpoint(&mut self, pool: &std::path::Path) -> Result<crate::engine::Checkpoint> {
        Ok(self.engine.checkpoint(pool)?)
    }

    fn restore(
        &mut self,
        pool: &std::path::Path,
        checkpoint: &crate::engine::Checkpoint,
    ) -> Result<()> {
        Ok(self.engine.restore(pool, checkpoint)?)
    }

    fn start_container(&mut self, id: &str) -> Result<()> {
        self.engine.start_container(id)?;
        Ok(())
    }

    fn run_attached(&mut self, id: &str, streams: Streams<'_>) -> Result<i64> {
        Ok(self.engine.run_container(id, streams)?)
    }

    fn list_containers(
        &mut self,
        options: &ListContainersOptions,
    ) -> Result<Vec<ContainerSummary>> {
        self.engine.run_due_health_checks()?;
        Ok(self
            .engine
            .list_containers(options.all, options.limit, &options.filters)?)
    }

    fn inspect_container(&mut self, id: &str) -> Result<ContainerInspectResponse> {
        self.engine.run_due_health_checks()?;
        Ok(self.engine.inspect_container(id)?)
    }

    fn session_start(&mut self, id: &str) -> Result<Option<SessionState>> {
        Ok(self.engine.session_start(id)?)
    }

    fn session_attach(&mut self, id: &str) -> Result<Option<SessionState>> {
        Ok(self.engine.session_attach(id)?)
    }

    fn session_input(
        &mut self,
        id: &str,
        input: &str,
        streams: Streams<'_>,
    ) -> Result<SessionState> {
        Ok(self.engine.session_input(id, input, streams)?)
    }

    fn container_logs(&mut self, id: &str, options: &LogsOptions) -> Result<Vec<(u8, Vec<u8>)>> {
        Ok(self.engine.container_logs(id, options)?)
    }

    fn container_stat(&mut self, id: &str, path: &str) -> Result<Option<bool>> {
        Ok(self.engine.container_stat(id, path)?)
    }

    fn container_archive(&mut self, id: &str, path: &str) -> Result<Vec<u8>> {
        Ok(self.engine.container_archive(id, path)?)
    }

    fn container_extract(&mut self, id: &str, dir: &str, tar: &[u8]) -> Result<()> {
        Ok(self.engine.container_extract(id, dir, tar)?)
    }

    fn rename_container(&mut self, id: &str, name: &str) -> Result<()> {
        Ok(self.engine.rename_container(id, name)?)
    }

    fn wait_container(&mut self, id: &str) -> Result<i64> {
        Ok(self.engine.wait_container(id)?)
    }

    fn top_container(&mut self, id: &str) -> Result<bollard_stubs::models::ContainerTopResponse> {
        Ok(self.engine.top_container(id)?)
    }

    fn prune_containers(&mut self) -> Result<Vec<String>> {
        Ok(self.engine.prune_containers()?)
    }

    fn stop_container(&mut self, id: &str) -> Result<()> {
        // The checks that fell due while it ran come first.
        self.engine.run_due_health_checks()?;
        Ok(self.engine.stop_container(id, 137, false)?)
    }

    fn kill_container(&mut self, id: &str, signal: Option<&str>) -> Result<()> {
        self.engine.run_due_health_checks()?;
        Ok(self.engine.kill_container(id, signal)?)
    }

    fn export_container(&mut self, id: &str) -> Result<Vec<u8>> {
        Ok(self.engine.export_container(id)?)
    }

    fn import_image(&mut self, tar: &[u8], options: &super::ImportOptions) -> Result<String> {
        Ok(self.engine.import_image(
            tar,
            options.repo.as_deref(),
            options.tag.as_deref(),
            options.message.as_deref(),
            &options.changes,
        )?)
    }

    fn create_volume(
        &mut self,
        name: Option<&str>,
        labels: std::collections::HashMap<String, String>,
    ) -> Result<bollard_stubs::models::Volume> {
        let record = self
            .engine
            .create_volume(name, labels.into_iter().collect())?;
        Ok(self.engine.volume_model(&record))
    }

    fn list_volumes(&mut self) -> Result<Vec<bollard_stubs::models::Volume>> {
        Ok(self
            .engine
            .list_volumes()
            .iter()
            .map(|(v, _)| self.engine.volume_model(v))
            .collect())
    }

    fn inspect_volume(&mut self, name: &str) -> Result<bollard_stubs::models::Volume> {
        let record = self.engine.inspect_volume(name)?;
        Ok(self.engine.volume_model(&record))
    }

    fn remove_volume(&mut self, name: &str, force: bool) -> Result<()> {
        Ok(self.engine.remove_volume(name, force)?)
    }

    fn prune_volumes(&mut self, all: bool) -> Result<(Vec<String>, u64)> {
        Ok(self.engine.prune_volumes(all)?)
    }

    fn create_network(
        &mut self,
        request: &bollard_stubs::models::NetworkCreateRequest,
    ) -> Result<String> {
        Ok(self.engine.create_network(request)?)
    }

    fn list_networks(
        &mut self,
        filters: &super::Filters,
    ) -> Result<Vec<bollard_stubs::models::NetworkInspect>> {
        super::network_filters::validate(filters)?;
        let networks = self.engine.networks();
        let in_use: Vec<bool> = networks
            .iter()
            .map(|n| {
                !self
                    .engine
                    .network_model(n)
                    .containers
                    .unwrap_or_default()
                    .is_empty()
            })
            .collect();
        Ok(networks
            .iter()
            .zip(in_use)
            .filter(|(n, used)| super::network_filters::matches(filters, n, *used))
            .map(|(n, _)| self.engine.network_model(n))
            .collect())
    }

    fn inspect_network(&mut self, name: &str) -> Result<bollard_stubs::models::NetworkInspect> {
        let record = self.engine.find_network(name)?;
        Ok(self.engine.network_model(&record))
    }

    fn remove_network(&mut self, name: &str) -> Result<()> {
        Ok(self.engine.remove_network(name)?)
    }

    fn connect_network(
        &mut self,
        network: &str,
        container: &str,
        endpoint: &bollard_stubs::models::EndpointSettings,
    ) -> Result<()> {
        Ok(self.engine.connect_network(network, container, endpoint)?)
    }

    fn disconnect_network(&mut self, network: &str, container: &str, force: bool) -> Result<()> {
        Ok(self.engine.disconnect_network(network, container, force)?)
    }

    fn prune_networks(&mut self, filters: &super::Filters) -> Result<Vec<String>> {
        let filters = filters.clone();
        Ok(self
            .engine
            .prune_networks(|n| !super::network_filters::matches(&filters, n, false))?)
    }

    fn disk_usage(&mut self) -> Result<super::DiskUsage> {
        Ok(self.engine.disk_usage()?)
    }

    fn pause_container(&mut self, id: &str) -> Result<()> {
        self.engine.run_due_health_checks()?;
        Ok(self.engine.pause_container(id)?)
    }

    fn unpause_container(&mut self, id: &str) -> Result<()> {
        self.engine.unpause_container(id)?;
        // Its checks start again from now.
        Ok(self.engine.run_due_health_checks()?)
    }

    fn pass_time(&mut self, d: std::time::Duration) {
        // What a check could not save is saved with the next change, or reported by it.
        let _ = self.engine.pass_time(d);
    }

    fn exec(
        &mut self,
        id: &str,
        argv: &[String],
        options: &ExecOptions,
        streams: Streams<'_>,
    ) -> Result<i64> {
        Ok(self.engine.exec_in_container(
            id,
            argv,
            options.workdir.as_deref(),
            &options.env,
            options.user.as_deref(),
            streams,
        )?)
    }

    fn exec_session_start(&mut self, id: &str, argv: &[String]) -> Result<Option<SessionState>> {
        Ok(self.engine.exec_session_start(id, argv)?)
    }

    fn container_changes(&mut self, id: &str) -> Result<Vec<FilesystemChange>> {
        Ok(self.engine.container_changes(id)?)
    }

    fn commit_container(&mut self, options: &CommitOptions) -> Result<String> {
        Ok(self.engine.commit_container(
            &options.container,
            options.repo.as_deref(),
            options.tag.as_deref(),
            options.comment.as_deref(),
            options.author.as_deref(),
            &options.changes,
        )?)
    }

    fn remove_container(&mut self, id: &str, force: bool, volumes: bool) -> Result<()> {
        Ok(self.engine.remove_container(id, force, volumes)?)
    }
}
