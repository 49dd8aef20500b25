//! What a project is on the engine: the names compose gives (`PROJECT-SERVICE-1`,
//! `PROJECT_default`, `PROJECT_data`), the labels that find its resources again
//! (`com.docker.compose.*`), the order services start in, and the container each
//! service asks for (`ContainerCreateBody`).

use super::model::*;
use bollard_stubs::models::{
    ContainerCreateBody, EndpointSettings, HealthConfig, HostConfig, Mount as ApiMount, MountType,
    NetworkingConfig, PortBinding, RestartPolicy, RestartPolicyNameEnum,
};
use std::collections::{BTreeMap, HashMap};

/// The compose release whose behaviour this follows (Docker 28.2's plugin).
pub const COMPOSE_VERSION: &str = "2.36.2";

pub const PROJECT_LABEL: &str = "com.docker.compose.project";
pub const SERVICE_LABEL: &str = "com.docker.compose.service";
pub const NUMBER_LABEL: &str = "com.docker.compose.container-number";
pub const ONEOFF_LABEL: &str = "com.docker.compose.oneoff";
pub const HASH_LABEL: &str = "com.docker.compose.config-hash";
pub const WORKING_DIR_LABEL: &str = "com.docker.compose.project.working_dir";
pub const CONFIG_FILES_LABEL: &str = "com.docker.compose.project.config_files";
pub const DEPENDS_LABEL: &str = "com.docker.compose.depends_on";
pub const IMAGE_LABEL: &str = "com.docker.compose.image";
pub const VERSION_LABEL: &str = "com.docker.compose.version";
pub const NETWORK_LABEL: &str = "com.docker.compose.network";
pub const VOLUME_LABEL: &str = "com.docker.compose.volume";

/// `PROJECT-SERVICE-N`, or the service's `container_name`.
pub fn container_name(project: &str, service: &Service, number: u32) -> String {
    match &service.container_name {
        Some(n) => n.clone(),
        None => format!("{project}-{}-{number}", service.name),
    }
}

/// The label filter that finds a project's resources.
pub fn project_filter(project: &str) -> crate::backend::Filters {
    let mut f = crate::backend::Filters::new();
    f.insert("label".into(), vec![format!("{PROJECT_LABEL}={project}")]);
    f
}

/// Services in an order where each comes after what it depends on; among equals, by
/// name, so the order is the same every run.
pub fn start_order(project: &Project, wanted: &[String]) -> Vec<String> {
    // Named services bring what they depend on.
    let mut selected: Vec<String> = Vec::new();
    let mut queue: Vec<String> = if wanted.is_empty() {
        project.services.keys().cloned().collect()
    } else {
        wanted.to_vec()
    };
    while let Some(name) = queue.pop() {
        if selected.contains(&name) || !project.services.contains_key(&name) {
            continue;
        }
        for dep in project.services[&name].depends_on.keys() {
            queue.push(dep.clone());
        }
        selected.push(name);
    }
    let mut order: Vec<String> = Vec::new();
    let mut remaining: Vec<String> = selected;
    remaining.sort();
    while !remaining.is_empty() {
        let ready = remaining.iter().position(|name| {
            project.services[name]
                .depends_on
                .keys()
                .all(|d| order.contains(d) || !remaining.contains(d))
        });
        // Cycles were refused on load; take the first to be safe.
        let i = ready.unwrap_or(0);
        order.push(remaining.remove(i));
    }
    order
}

/// A stable digest of what the service asks for, as the config-hash label.
pub fn config_hash(service: &Service) -> String {
    use sha2::Digest;
    let mut one = Project::default();
    one.services.insert(service.name.clone(), service.clone());
    let text = super::config::to_yaml(&super::config::project_node(&one));
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// The labels compose puts on a service's container.
pub fn container_labels(
    project: &Project,
    service: &Service,
    number: u32,
    oneoff: bool,
    image_id: &str,
) -> HashMap<String, String> {
    let mut labels: HashMap<String, String> = service
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let depends: Vec<String> = service
        .depends_on
        .iter()
        .map(|(k, d)| format!("{k}:{}:{}", d.condition, d.restart))
        .collect();
    for (k, v) in [
        (PROJECT_LABEL, project.name.clone()),
        (SERVICE_LABEL, service.name.clone()),
        (NUMBER_LABEL, number.to_string()),
        (
            ONEOFF_LABEL,
            if oneoff { "True" } else { "False" }.to_string(),
        ),
        (HASH_LABEL, config_hash(service)),
        (WORKING_DIR_LABEL, project.working_dir.clone()),
        (CONFIG_FILES_LABEL, project.config_files.join(",")),
        (DEPENDS_LABEL, depends.join(",")),
        (IMAGE_LABEL, image_id.to_string()),
        (VERSION_LABEL, COMPOSE_VERSION.to_string()),
    ] {
        labels.insert(k.to_string(), v);
    }
    labels
}

/// The labels on a network or volume compose made.
pub fn resource_labels(
    project: &str,
    kind_label: &str,
    key: &str,
    own: &BTreeMap<String, String>,
) -> HashMap<String, String> {
    let mut labels: HashMap<String, String> =
        own.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    labels.insert(kind_label.to_string(), key.to_string());
    labels.insert(PROJECT_LABEL.to_string(), project.to_string());
    labels.insert(VERSION_LABEL.to_string(), COMPOSE_VERSION.to_string());
    labels
}

/// `docker run`'s `--restart` policy for compose's `restart:`.
fn restart_policy(restart: Option<&str>) -> RestartPolicy {
    let (name, count) = match restart.unwrap_or("no") {
        "always" => (RestartPolicyNameEnum::ALWAYS, 0),
        "unless-stopped" => (RestartPolicyNameEnum::UNLESS_STOPPED, 0),
        r if r.starts_with("on-failure") => (
            RestartPolicyNameEnum::ON_FAILURE,
            r.split_once(':')
                .and_then(|(_, n)| n.parse().ok())
                .unwrap_or(0),
        ),
        _ => (RestartPolicyNameEnum::NO, 0),
    };
    RestartPolicy {
        name: Some(name),
        maximum_retry_count: Some(count),
    }
}

fn nanos(v: &Option<String>) -> Option<i64> {
    v.as_deref().and_then(super::load::go_duration_nanos)
}

/// The container a service asks the engine for. `host_dirs` maps each bind source
/// (a client path) to where the engine finds it.
pub fn create_body(
    project: &Project,
    service: &Service,
    number: u32,
    oneoff: bool,
    image_id: &str,
    host_dirs: &BTreeMap<String, String>,
) -> ContainerCreateBody {
    let mut exposed: Vec<String> = Vec::new();
    let mut bindings: HashMap<String, Option<Vec<PortBinding>>> = HashMap::new();
    for port in &service.ports {
        let key = format!("{}/{}", port.target, port.protocol);
        if !exposed.contains(&key) {
            exposed.push(key.clone());
        }
        let binding = PortBinding {
            host_ip: Some(port.host_ip.clone().unwrap_or_default()),
            host_port: Some(port.published.clone().unwrap_or_default()),
        };
        bindings
            .entry(key)
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(binding);
    }
    for e in &service.expose {
        let key = if e.contains('/') {
            e.clone()
        } else {
            format!("{e}/tcp")
        };
        if !exposed.contains(&key) {
            exposed.push(key);
        }
    }
    let mut binds = Vec::new();
    let mut mounts = Vec::new();
    for m in &service.volumes {
        match (&m.kind, &m.source) {
            (MountKind::Bind, Some(src)) => {
                let host = host_dirs.get(src).cloned().unwrap_or_else(|| src.clone());
                let mode = if m.read_only { ":ro" } else { "" };
                binds.push(format!("{host}:{}{mode}", m.target));
            }
            (MountKind::Volume, Some(key)) => {
                let name = project
                    .volumes
                    .get(key)
                    .map(|v| v.name.clone())
                    .unwrap_or_else(|| key.clone());
                mounts.push(ApiMount {
                    typ: Some(MountType::VOLUME),
                    source: Some(name),
                    target: Some(m.target.clone()),
                    read_only: Some(m.read_only),
                    ..Default::default()
                });
            }
            _ => mounts.push(ApiMount {
                typ: Some(MountType::VOLUME),
                target: Some(m.target.clone()),
                read_only: Some(m.read_only),
                ..Default::default()
            }),
        }
    }
    // The first network (by name) is the container's own; compose joins the rest at
    // creation too, with API 1.44 and later.
    let mut endpoints = HashMap::new();
    for (key, aliases) in &service.networks {
        let Some(network) = project.networks.get(key) else {
            continue;
        };
        let mut all = vec![service.name.clone()];
        all.extend(aliases.iter().cloned());
        endpoints.insert(
            network.name.clone(),
            EndpointSettings {
                aliases: Some(all),
                ..Default::default()
            },
        );
    }
    let network_mode = service.network_mode.clone().or_else(|| {
        service
            .networks
            .keys()
            .next()
            .and_then(|k| project.networks.get(k))
            .map(|n| n.name.clone())
    });
    let healthcheck = service.healthcheck.as_ref().map(|h| {
        if h.disable {
            HealthConfig {
                test: Some(vec!["NONE".into()]),
                ..Default::default()
            }
        } else {
            HealthConfig {
                test: (!h.test.is_empty()).then(|| h.test.clone()),
                interval: nanos(&h.interval),
                timeout: nanos(&h.timeout),
                retries: h.retries.map(|r| r as i64),
                start_period: nanos(&h.start_period),
                start_interval: nanos(&h.start_interval),
            }
        }
    });
    let env: Vec<String> = service
        .environment
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={v}")))
        .collect();
    ContainerCreateBody {
        image: Some(service.image_name(&project.name)),
        cmd: service.command.clone(),
        entrypoint: service.entrypoint.clone(),
        env: (!env.is_empty()).then_some(env),
        working_dir: service.working_dir.clone(),
        user: service.user.clone(),
        hostname: service.hostname.clone(),
        labels: Some(container_labels(project, service, number, oneoff, image_id)),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        healthcheck,
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        host_config: Some(HostConfig {
            port_bindings: (!bindings.is_empty()).then_some(bindings),
            binds: (!binds.is_empty()).then_some(binds),
            mounts: (!mounts.is_empty()).then_some(mounts),
            restart_policy: Some(restart_policy(service.restart.as_deref())),
            network_mode,
            ..Default::default()
        }),
        networking_config: (!endpoints.is_empty()).then_some(NetworkingConfig {
            endpoints_config: Some(endpoints),
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::compose::load::tests::load_one;

    #[test]
    fn services_start_after_what_they_depend_on() {
        let loaded = load_one(
            "services:\n  web:\n    image: x\n    depends_on: [api]\n  api:\n    image: x\n    depends_on: [db, cache]\n  db:\n    image: x\n  cache:\n    image: x\n  other:\n    image: x\n",
        )
        .unwrap();
        let p = &loaded.project;
        assert_eq!(
            start_order(p, &[]),
            vec!["cache", "db", "api", "other", "web"]
        );
        assert_eq!(start_order(p, &["api".into()]), vec!["cache", "db", "api"]);
    }

    #[test]
    fn names_and_labels_are_composes() {
        let loaded = load_one(
            "services:\n  web:\n    image: nginx\n    depends_on: [db]\n    ports: [\"8080:80\"]\n    networks:\n      default:\n        aliases: [www]\n  db:\n    image: postgres\n    container_name: the-db\n",
        )
        .unwrap();
        let p = &loaded.project;
        assert_eq!(container_name("demo", &p.services["web"], 1), "demo-web-1");
        assert_eq!(container_name("demo", &p.services["db"], 1), "the-db");
        let body = create_body(
            p,
            &p.services["web"],
            1,
            false,
            "sha256:abc",
            &BTreeMap::new(),
        );
        let labels = body.labels.clone().unwrap();
        assert_eq!(labels[PROJECT_LABEL], "demo");
        assert_eq!(labels[SERVICE_LABEL], "web");
        assert_eq!(labels[NUMBER_LABEL], "1");
        assert_eq!(labels[ONEOFF_LABEL], "False");
        assert_eq!(labels[DEPENDS_LABEL], "db:service_started:false");
        assert_eq!(labels[CONFIG_FILES_LABEL], "/demo/compose.yaml");
        assert_eq!(labels[WORKING_DIR_LABEL], "/demo");
        let host = body.host_config.unwrap();
        assert_eq!(host.network_mode.as_deref(), Some("demo_default"));
        let binding = &host.port_bindings.unwrap()["80/tcp"].clone().unwrap()[0];
        assert_eq!(binding.host_port.as_deref(), Some("8080"));
        let endpoints = body.networking_config.unwrap().endpoints_config.unwrap();
        assert_eq!(
            endpoints["demo_default"].aliases,
            Some(vec!["web".to_string(), "www".to_string()])
        );
    }
}
