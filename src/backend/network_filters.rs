//! `docker network ls --filter` and `network prune --filter`, as the daemon reads them:
//! `name` and `id` match a substring or prefix, `driver` exactly, `label` by key or
//! `key=value`, `type` is `custom` or `builtin`, `dangling` whether no container is on it.

use super::{BackendError, Filters, Result};
use crate::engine::net::networks::NetworkRecord;

const KNOWN: &[&str] = &["dangling", "driver", "id", "label", "name", "scope", "type"];

pub fn validate(filters: &Filters) -> Result<()> {
    for (key, values) in filters {
        if !KNOWN.contains(&key.as_str()) {
            return Err(BackendError::Daemon {
                status: 400,
                message: format!("invalid filter '{key}'"),
            });
        }
        if key == "type" {
            for v in values {
                if v != "custom" && v != "builtin" {
                    return Err(BackendError::Daemon {
                        status: 400,
                        message: format!("invalid filter: 'type'='{v}'"),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Whether network `n` passes every filter (values of one key: any of them).
pub fn matches(filters: &Filters, n: &NetworkRecord, in_use: bool) -> bool {
    filters.iter().all(|(key, values)| {
        values.is_empty()
            || values.iter().any(|v| match key.as_str() {
                "name" => n.name.contains(v.as_str()),
                "id" => n.id.starts_with(v.as_str()),
                "driver" => n.driver == *v,
                "scope" => v == "local",
                "type" => (v == "builtin") == n.predefined,
                "dangling" => (v == "true" || v == "1") != in_use,
                "label" => match v.split_once('=') {
                    Some((k, val)) => n.labels.get(k).is_some_and(|x| x == val),
                    None => n.labels.contains_key(v.as_str()),
                },
                _ => false,
            })
    })
}
