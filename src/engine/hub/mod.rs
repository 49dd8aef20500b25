//! Placeholder hub (replaced by the simulated Docker Hub).
use super::digest::Digest;
use std::path::PathBuf;
pub struct Hub;
pub struct Resolved { pub digest: Digest, pub manifest: Vec<u8>, pub config_digest: Digest, pub config: Vec<u8>, pub layers: Vec<LayerInfo> }
pub struct LayerInfo { pub digest: Digest, pub size: u64, pub unpacked_size: u64 }
#[derive(Debug, thiserror::Error)]
pub enum HubError { #[error("repository not found")] RepositoryNotFound, #[error("manifest unknown")] ManifestUnknown, #[error("unknown registry {0}")] UnknownRegistry(String) }
impl Hub {
    pub fn new(_cache: Option<PathBuf>) -> Hub { Hub }
    pub fn resolve(&self, _d: &str, _p: &str, _r: &str) -> Result<Resolved, HubError> { Err(HubError::RepositoryNotFound) }
    pub fn layer(&self, _r: &Resolved, _i: usize) -> Result<Vec<u8>, HubError> { Err(HubError::ManifestUnknown) }
    pub fn search(&self, _t: &str) -> Vec<bollard_stubs::models::ImageSearchResponseItem> { Vec::new() }
}
