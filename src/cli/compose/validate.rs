//! The compose file's shape, checked on the YAML tree before it is read into types, in
//! the words of compose-go's JSON-schema errors (`services.web additional properties
//! 'foo' not allowed`, `services.web.ports must be a array`). Only the keys the schema
//! knows pass; `x-` extensions pass anywhere.

use serde_yaml::Value;

const TOP_KEYS: &[&str] = &[
    "configs", "include", "models", "name", "networks", "secrets", "services", "version", "volumes",
];

const SERVICE_KEYS: &[&str] = &[
    "annotations",
    "attach",
    "blkio_config",
    "build",
    "cap_add",
    "cap_drop",
    "cgroup",
    "cgroup_parent",
    "command",
    "configs",
    "container_name",
    "cpu_count",
    "cpu_percent",
    "cpu_period",
    "cpu_quota",
    "cpu_rt_period",
    "cpu_rt_runtime",
    "cpu_shares",
    "cpus",
    "cpuset",
    "credential_spec",
    "depends_on",
    "deploy",
    "develop",
    "device_cgroup_rules",
    "devices",
    "dns",
    "dns_opt",
    "dns_search",
    "domainname",
    "entrypoint",
    "env_file",
    "environment",
    "expose",
    "extends",
    "external_links",
    "extra_hosts",
    "gpus",
    "group_add",
    "healthcheck",
    "hostname",
    "image",
    "init",
    "ipc",
    "isolation",
    "label_file",
    "labels",
    "links",
    "logging",
    "mac_address",
    "mem_limit",
    "mem_reservation",
    "mem_swappiness",
    "memswap_limit",
    "models",
    "network_mode",
    "networks",
    "oom_kill_disable",
    "oom_score_adj",
    "pid",
    "pids_limit",
    "platform",
    "ports",
    "post_start",
    "pre_stop",
    "privileged",
    "profiles",
    "provider",
    "pull_policy",
    "pull_refresh_after",
    "read_only",
    "restart",
    "runtime",
    "scale",
    "secrets",
    "security_opt",
    "shm_size",
    "stdin_open",
    "stop_grace_period",
    "stop_signal",
    "storage_opt",
    "sysctls",
    "tmpfs",
    "tty",
    "ulimits",
    "use_api_socket",
    "user",
    "userns_mode",
    "uts",
    "volumes",
    "volumes_from",
    "working_dir",
];

const BUILD_KEYS: &[&str] = &[
    "additional_contexts",
    "args",
    "cache_from",
    "cache_to",
    "context",
    "dockerfile",
    "dockerfile_inline",
    "entitlements",
    "extra_hosts",
    "isolation",
    "labels",
    "network",
    "no_cache",
    "platforms",
    "privileged",
    "pull",
    "secrets",
    "shm_size",
    "ssh",
    "tags",
    "target",
    "ulimits",
];
const PORT_KEYS: &[&str] = &[
    "app_protocol",
    "host_ip",
    "mode",
    "name",
    "protocol",
    "published",
    "target",
];
const VOLUME_MOUNT_KEYS: &[&str] = &[
    "bind",
    "consistency",
    "image",
    "read_only",
    "source",
    "target",
    "tmpfs",
    "type",
    "volume",
];
const SERVICE_NETWORK_KEYS: &[&str] = &[
    "aliases",
    "driver_opts",
    "gw_priority",
    "interface_name",
    "ipv4_address",
    "ipv6_address",
    "link_local_ips",
    "mac_address",
    "priority",
];
const DEPENDENCY_KEYS: &[&str] = &["condition", "required", "restart"];
const HEALTHCHECK_KEYS: &[&str] = &[
    "disable",
    "interval",
    "retries",
    "start_interval",
    "start_period",
    "test",
    "timeout",
];
const NETWORK_KEYS: &[&str] = &[
    "attachable",
    "driver",
    "driver_opts",
    "enable_ipv4",
    "enable_ipv6",
    "external",
    "internal",
    "ipam",
    "labels",
    "name",
];
const VOLUME_KEYS: &[&str] = &["driver", "driver_opts", "external", "labels", "name"];

/// The JSON-schema type a YAML value is.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Sequence(_) => "array",
        Value::Mapping(_) => "object",
        Value::Tagged(t) => kind(&t.value),
    }
}

fn is(v: &Value, want: &str) -> bool {
    let k = kind(v);
    k == want || (want == "number" && k == "integer")
}

fn type_error(path: &str, want: &str) -> String {
    format!("{path} must be a {want}")
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Keys of `map` outside `known` (and not `x-`): compose's additional-properties error.
fn check_keys(map: &serde_yaml::Mapping, known: &[&str], path: &str) -> Result<(), String> {
    let extra: Vec<String> = map
        .keys()
        .filter_map(|k| k.as_str())
        .filter(|k| !known.contains(k) && !k.starts_with("x-"))
        .map(|k| format!("'{k}'"))
        .collect();
    if extra.is_empty() {
        return Ok(());
    }
    let what = if path.is_empty() {
        String::new()
    } else {
        format!("{path} ")
    };
    Err(format!(
        "{what}additional properties {} not allowed",
        extra.join(", ")
    ))
}

fn mapping<'v>(v: &'v Value, path: &str) -> Result<&'v serde_yaml::Mapping, String> {
    v.as_mapping().ok_or_else(|| type_error(path, "mapping"))
}

/// Every entry of a map as (key, value, its path).
fn entries<'v>(
    map: &'v serde_yaml::Mapping,
    path: &str,
) -> impl Iterator<Item = (String, &'v Value, String)> {
    let path = path.to_string();
    map.iter().map(move |(k, v)| {
        let key = match k {
            Value::String(s) => s.clone(),
            other => serde_yaml::to_string(other)
                .unwrap_or_default()
                .trim()
                .to_string(),
        };
        let sub = join(&path, &key);
        (key, v, sub)
    })
}

pub fn validate(root: &Value) -> Result<(), String> {
    let top = root
        .as_mapping()
        .ok_or_else(|| "top-level object must be a mapping".to_string())?;
    check_keys(top, TOP_KEYS, "")?;
    if let Some(name) = top.get("name")
        && !is(name, "string")
    {
        return Err(type_error("name", "string"));
    }
    if let Some(services) = top.get("services") {
        for (_, service, path) in entries(mapping(services, "services")?, "services") {
            check_service(service, &path)?;
        }
    }
    for (section, keys) in [("networks", NETWORK_KEYS), ("volumes", VOLUME_KEYS)] {
        if let Some(defs) = top.get(section) {
            for (_, def, path) in entries(mapping(defs, section)?, section) {
                if def.is_null() {
                    continue;
                }
                let map = def
                    .as_mapping()
                    .ok_or_else(|| type_error(&path, "mapping or null"))?;
                check_keys(map, keys, &path)?;
                for key in ["name", "driver"] {
                    if let Some(v) = map.get(key)
                        && !is(v, "string")
                    {
                        return Err(type_error(&join(&path, key), "string"));
                    }
                }
                if let Some(labels) = map.get("labels") {
                    check_list_or_dict(labels, &join(&path, "labels"))?;
                }
            }
        }
    }
    Ok(())
}

fn check_string(map: &serde_yaml::Mapping, key: &str, path: &str) -> Result<(), String> {
    match map.get(key) {
        Some(v) if !is(v, "string") => Err(type_error(&join(path, key), "string")),
        _ => Ok(()),
    }
}

fn check_list_or_dict(v: &Value, path: &str) -> Result<(), String> {
    match v {
        Value::Mapping(m) => {
            for (_, value, sub) in entries(m, path) {
                if matches!(kind(value), "array" | "object") {
                    return Err(type_error(&sub, "boolean, null, number or string"));
                }
            }
            Ok(())
        }
        Value::Sequence(items) => check_strings(items, path),
        _ => Err(type_error(path, "mapping")),
    }
}

fn check_strings(items: &[Value], path: &str) -> Result<(), String> {
    for (i, item) in items.iter().enumerate() {
        if !is(item, "string") {
            return Err(type_error(&format!("{path}.{i}"), "string"));
        }
    }
    Ok(())
}

fn check_string_list(map: &serde_yaml::Mapping, key: &str, path: &str) -> Result<(), String> {
    match map.get(key) {
        Some(Value::Sequence(items)) => check_strings(items, &join(path, key)),
        Some(_) => Err(type_error(&join(path, key), "array")),
        None => Ok(()),
    }
}

fn check_service(service: &Value, path: &str) -> Result<(), String> {
    let map = mapping(service, path)?;
    check_keys(map, SERVICE_KEYS, path)?;
    for key in [
        "image",
        "container_name",
        "hostname",
        "user",
        "working_dir",
        "restart",
        "network_mode",
    ] {
        check_string(map, key, path)?;
    }
    if let Some(build) = map.get("build") {
        let sub = join(path, "build");
        match build {
            Value::String(_) => {}
            Value::Mapping(b) => {
                check_keys(b, BUILD_KEYS, &sub)?;
                check_string(b, "context", &sub)?;
                check_string(b, "dockerfile", &sub)?;
                if let Some(args) = b.get("args") {
                    check_list_or_dict(args, &join(&sub, "args"))?;
                }
            }
            _ => return Err(type_error(&sub, "string")),
        }
    }
    for key in ["command", "entrypoint"] {
        match map.get(key) {
            None | Some(Value::Null) | Some(Value::String(_)) => {}
            Some(Value::Sequence(items)) => check_strings(items, &join(path, key))?,
            Some(_) => return Err(type_error(&join(path, key), "null")),
        }
    }
    for key in ["environment", "labels"] {
        if let Some(v) = map.get(key) {
            check_list_or_dict(v, &join(path, key))?;
        }
    }
    match map.get("env_file") {
        None | Some(Value::String(_)) => {}
        Some(Value::Sequence(items)) => {
            for (i, item) in items.iter().enumerate() {
                if !is(item, "string") && !is(item, "object") {
                    return Err(type_error(&format!("{path}.env_file.{i}"), "string"));
                }
            }
        }
        Some(_) => return Err(type_error(&join(path, "env_file"), "string")),
    }
    if let Some(ports) = map.get("ports") {
        let sub = join(path, "ports");
        let items = ports
            .as_sequence()
            .ok_or_else(|| type_error(&sub, "array"))?;
        for (i, port) in items.iter().enumerate() {
            let at = format!("{sub}.{i}");
            match port {
                Value::Number(_) | Value::String(_) => {}
                Value::Mapping(p) => {
                    check_keys(p, PORT_KEYS, &at)?;
                    if let Some(t) = p.get("target")
                        && !is(t, "integer")
                    {
                        return Err(type_error(&join(&at, "target"), "integer"));
                    }
                }
                _ => return Err(type_error(&at, "number")),
            }
        }
    }
    if let Some(volumes) = map.get("volumes") {
        let sub = join(path, "volumes");
        let items = volumes
            .as_sequence()
            .ok_or_else(|| type_error(&sub, "array"))?;
        for (i, volume) in items.iter().enumerate() {
            let at = format!("{sub}.{i}");
            match volume {
                Value::String(_) => {}
                Value::Mapping(v) => {
                    check_keys(v, VOLUME_MOUNT_KEYS, &at)?;
                    if v.get("type").is_none() {
                        return Err(format!("{at} missing property 'type'"));
                    }
                }
                _ => return Err(type_error(&at, "string")),
            }
        }
    }
    if let Some(networks) = map.get("networks") {
        let sub = join(path, "networks");
        match networks {
            Value::Sequence(items) => check_strings(items, &sub)?,
            Value::Mapping(m) => {
                for (_, net, at) in entries(m, &sub) {
                    match net {
                        Value::Null => {}
                        Value::Mapping(n) => {
                            check_keys(n, SERVICE_NETWORK_KEYS, &at)?;
                            check_string_list(n, "aliases", &at)?;
                        }
                        _ => return Err(type_error(&at, "mapping")),
                    }
                }
            }
            _ => return Err(type_error(&sub, "array")),
        }
    }
    if let Some(depends) = map.get("depends_on") {
        let sub = join(path, "depends_on");
        match depends {
            Value::Sequence(items) => check_strings(items, &sub)?,
            Value::Mapping(m) => {
                for (_, dep, at) in entries(m, &sub) {
                    let d = mapping(dep, &at)?;
                    check_keys(d, DEPENDENCY_KEYS, &at)?;
                    if let Some(c) = d.get("condition") {
                        let ok = [
                            super::model::CONDITION_STARTED,
                            super::model::CONDITION_HEALTHY,
                            super::model::CONDITION_COMPLETED,
                        ]
                        .iter()
                        .any(|want| c.as_str() == Some(want));
                        if !ok {
                            return Err(format!(
                                "{at}.condition value must be one of 'service_started', 'service_healthy', 'service_completed_successfully'"
                            ));
                        }
                    }
                }
            }
            _ => return Err(type_error(&sub, "array")),
        }
    }
    if let Some(health) = map.get("healthcheck") {
        let sub = join(path, "healthcheck");
        let h = mapping(health, &sub)?;
        check_keys(h, HEALTHCHECK_KEYS, &sub)?;
        for key in ["interval", "timeout", "start_period", "start_interval"] {
            check_string(h, key, &sub)?;
        }
        match h.get("test") {
            None | Some(Value::String(_)) => {}
            Some(Value::Sequence(items)) => check_strings(items, &join(&sub, "test"))?,
            Some(_) => return Err(type_error(&join(&sub, "test"), "string")),
        }
    }
    check_string_list(map, "profiles", path)?;
    if let Some(expose) = map.get("expose") {
        let sub = join(path, "expose");
        let items = expose
            .as_sequence()
            .ok_or_else(|| type_error(&sub, "array"))?;
        for (i, item) in items.iter().enumerate() {
            if !matches!(kind(item), "string" | "integer" | "number") {
                return Err(type_error(&format!("{sub}.{i}"), "number or string"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<(), String> {
        validate(&serde_yaml::from_str(text).unwrap())
    }

    #[test]
    fn unknown_keys_are_refused_as_compose_refuses_them() {
        assert_eq!(
            check("services:\n  web:\n    image: nginx\n    foo: 1\n"),
            Err("services.web additional properties 'foo' not allowed".into())
        );
        assert_eq!(
            check("servics:\n  web: {}\n"),
            Err("additional properties 'servics' not allowed".into())
        );
        assert!(
            check("x-common: &c {}\nservices:\n  web:\n    image: nginx\n    x-note: 1\n").is_ok()
        );
    }

    #[test]
    fn wrong_types_are_named_by_their_path() {
        assert_eq!(
            check("services:\n  web:\n    image: nginx\n    ports: \"80:80\"\n"),
            Err("services.web.ports must be a array".into())
        );
        assert_eq!(
            check("services:\n  web:\n    image: [nginx]\n"),
            Err("services.web.image must be a string".into())
        );
        assert_eq!(
            check("services:\n  web:\n    environment:\n      FOO: [1]\n"),
            Err("services.web.environment.FOO must be a boolean, null, number or string".into())
        );
        assert_eq!(
            check("services: []\n"),
            Err("services must be a mapping".into())
        );
        assert_eq!(
            check("- a\n"),
            Err("top-level object must be a mapping".into())
        );
        assert_eq!(
            check(
                "services:\n  web:\n    image: nginx\n    ports:\n      - target: 80\n        bogus: 1\n"
            ),
            Err("services.web.ports.0 additional properties 'bogus' not allowed".into())
        );
    }
}
