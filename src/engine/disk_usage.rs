//! `GET /system/df`: what images, containers and volumes take on disk, from the
//! engine's own records, in the shape Engine API 1.50 answers with (newer stubs
//! describe a later shape, which a Docker 28 daemon does not send).

use super::Engine;
use super::error::Result;
use bollard_stubs::models::{ContainerSummary, ImageSummary, Volume};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The daemon's disk usage report.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DiskUsage {
    /// All layers, each counted once.
    #[serde(rename = "LayersSize", default)]
    pub layers_size: i64,
    /// `SharedSize` and `Containers` filled in.
    #[serde(rename = "Images", default)]
    pub images: Vec<ImageSummary>,
    /// `SizeRw` filled in.
    #[serde(rename = "Containers", default)]
    pub containers: Vec<ContainerSummary>,
    /// `UsageData` filled in.
    #[serde(rename = "Volumes", default)]
    pub volumes: Vec<Volume>,
    /// BuildKit's cache records: the classic builder's cache is its images.
    #[serde(rename = "BuildCache", default)]
    pub build_cache: Vec<serde_json::Value>,
}

impl Engine {
    /// `GET /system/df`.
    pub fn disk_usage(&mut self) -> Result<DiskUsage> {
        let mut seen = HashSet::new();
        let mut layers_size = 0;
        for image in self.images.images() {
            for diff_id in &image.layers {
                if seen.insert(diff_id.clone())
                    && let Some(layer) = self.images.layer(diff_id)
                {
                    layers_size += layer.unpacked_size as i64;
                }
            }
        }

        let mut images = self.list_images(false, &Default::default())?;
        // moby counts a layer as shared when two listed images hold it at the same
        // place in their chains, so a chain (the layers up to it) is the key.
        let chains = |id: &str| -> Vec<(Vec<String>, i64)> {
            let Some(record) = self.images.images().find(|i| i.id.to_string() == id) else {
                return Vec::new();
            };
            (0..record.layers.len())
                .map(|n| {
                    let chain = record.layers[..=n].iter().map(|d| d.to_string()).collect();
                    let size = self
                        .images
                        .layer(&record.layers[n])
                        .map_or(0, |l| l.unpacked_size as i64);
                    (chain, size)
                })
                .collect()
        };
        let mut references: HashMap<Vec<String>, usize> = HashMap::new();
        for image in &images {
            for (chain, _) in chains(&image.id) {
                *references.entry(chain).or_default() += 1;
            }
        }
        for image in &mut images {
            image.shared_size = chains(&image.id)
                .into_iter()
                .filter(|(chain, _)| references.get(chain).is_some_and(|n| *n > 1))
                .map(|(_, size)| size)
                .sum();
            image.containers = self
                .containers
                .all()
                .filter(|c| c.image_id.to_string() == image.id)
                .count() as i64;
        }

        let mut containers = self.list_containers(true, None, &Default::default())?;
        for summary in &mut containers {
            let id = summary.id.clone().unwrap_or_default();
            summary.size_rw = Some(self.container_snapshot(&id)?.upper().unpacked_size() as i64);
        }
        Ok(DiskUsage {
            layers_size,
            images,
            containers,
            volumes: self
                .list_volumes()
                .iter()
                .map(|(v, _)| self.volume_model(v))
                .collect(),
            build_cache: Vec::new(),
        })
    }
}
