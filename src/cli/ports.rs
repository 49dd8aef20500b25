//! The docker CLI's port options: `-p`/`--publish` specs, `--expose`, `--restart`, and the
//! PORTS column of `docker ps`, with the CLI's own messages.

use bollard_stubs::models::{PortBinding, PortSummary, RestartPolicy, RestartPolicyNameEnum};
use std::collections::HashMap;

/// Ports to expose and bindings to publish, as the create request carries them.
#[derive(Debug, Default, PartialEq)]
pub struct Published {
    pub exposed: Vec<String>,
    pub bindings: HashMap<String, Option<Vec<PortBinding>>>,
}

/// `80`, `8000-8010` → (start, end).
fn parse_range(text: &str) -> Result<(u16, u16), String> {
    if text.is_empty() {
        return Err("empty string specified for ports".into());
    }
    let parse = |s: &str| {
        s.parse::<u16>()
            .map_err(|_| format!("strconv.ParseUint: parsing \"{s}\": invalid syntax"))
    };
    match text.split_once('-') {
        None => {
            let p = parse(text)?;
            Ok((p, p))
        }
        Some((a, b)) => {
            let (a, b) = (parse(a)?, parse(b)?);
            if b < a {
                return Err(format!("invalid range specified for port: {text}"));
            }
            Ok((a, b))
        }
    }
}

/// `[proto]` after a `/`, tcp when absent.
fn split_proto(raw: &str) -> (&str, &str) {
    match raw.split_once('/') {
        Some((port, proto)) if !proto.is_empty() => (port, proto),
        Some((port, _)) => (port, "tcp"),
        None => (raw, "tcp"),
    }
}

/// One `-p` spec: `[ip:][hostPort:]containerPort[/proto]`, with ranges.
fn parse_spec(raw: &str, out: &mut Published) -> Result<(), String> {
    let parts: Vec<&str> = raw.split(':').collect();
    let n = parts.len();
    let (ip, host, container) = match n {
        1 => (String::new(), "", parts[0]),
        2 => (String::new(), parts[0], parts[1]),
        3 => (parts[0].to_string(), parts[1], parts[2]),
        _ => (parts[..n - 2].join(":"), parts[n - 2], parts[n - 1]),
    };
    let (container, proto) = split_proto(container);
    let ip = ip
        .strip_prefix('[')
        .and_then(|i| i.strip_suffix(']'))
        .map(str::to_string)
        .unwrap_or(ip);
    if !ip.is_empty() && ip.parse::<std::net::IpAddr>().is_err() {
        return Err(format!("invalid IP address: {ip}"));
    }
    if container.is_empty() {
        return Err(format!("no port specified: {raw}<empty>"));
    }
    let (start, end) =
        parse_range(container).map_err(|_| format!("invalid containerPort: {container}"))?;
    let (host_start, host_end) = if host.is_empty() {
        (0, 0)
    } else {
        parse_range(host).map_err(|_| format!("invalid hostPort: {host}"))?
    };
    if !host.is_empty() && end - start != host_end - host_start && end != start {
        return Err(format!(
            "invalid ranges specified for container and host Ports: {container} and {host}"
        ));
    }
    let proto = proto.to_ascii_lowercase();
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("invalid proto: {proto}"));
    }
    for i in 0..=(end - start) {
        let port = start + i;
        let host_port = if host.is_empty() {
            String::new()
        } else if start == end && host_start != host_end {
            // One container port and a host range: any free port of the range.
            format!("{host_start}-{host_end}")
        } else {
            (host_start + i).to_string()
        };
        let key = format!("{port}/{proto}");
        if !out.exposed.contains(&key) {
            out.exposed.push(key.clone());
        }
        out.bindings
            .entry(key)
            .or_insert(None)
            .get_or_insert_with(Vec::new)
            .push(PortBinding {
                host_ip: Some(ip.clone()),
                host_port: Some(host_port),
            });
    }
    Ok(())
}

/// `-p` specs and `--expose` values into the create request's fields.
pub fn parse_publish(publish: &[String], expose: &[String]) -> Result<Published, String> {
    let mut out = Published::default();
    for spec in publish {
        parse_spec(spec, &mut out)?;
    }
    for e in expose {
        if e.contains(':') {
            return Err(format!("invalid port format for --expose: {e}"));
        }
        let (port, proto) = split_proto(e);
        let (start, end) = parse_range(port)
            .map_err(|err| format!("invalid range format for --expose: {e}, error: {err}"))?;
        for p in start..=end {
            let key = format!("{p}/{proto}");
            if !out.exposed.contains(&key) {
                out.exposed.push(key);
            }
        }
    }
    Ok(out)
}

/// `--restart no|always|unless-stopped|on-failure[:N]`, checked as the CLI checks it
/// (the daemon checks the name).
pub fn parse_restart(policy: &str) -> Result<RestartPolicy, String> {
    if policy.is_empty() {
        return Ok(RestartPolicy::default());
    }
    let (name, count) = policy.split_once(':').unwrap_or((policy, ""));
    if policy.contains(':') && name.is_empty() {
        return Err("invalid restart policy format: no policy provided before colon".into());
    }
    let count = if count.is_empty() {
        None
    } else {
        Some(count.parse::<i64>().map_err(|_| {
            "invalid restart policy format: maximum retry count must be an integer".to_string()
        })?)
    };
    let name = match name {
        "no" => RestartPolicyNameEnum::NO,
        "always" => RestartPolicyNameEnum::ALWAYS,
        "unless-stopped" => RestartPolicyNameEnum::UNLESS_STOPPED,
        "on-failure" => RestartPolicyNameEnum::ON_FAILURE,
        other => {
            return Err(format!(
                "invalid restart policy: unknown policy '{other}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"
            ));
        }
    };
    Ok(RestartPolicy {
        name: Some(name),
        maximum_retry_count: Some(count.unwrap_or(0)),
    })
}

fn type_name(p: &PortSummary) -> String {
    p.typ.map(|t| t.to_string()).unwrap_or_default()
}

/// `ip:port`, an IPv6 address in brackets (Go's `net.JoinHostPort`).
pub(crate) fn host_and_port(ip: &str, port: impl std::fmt::Display) -> String {
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

/// The PORTS column: consecutive ports grouped into ranges, published ones first in
/// port order, remapped ones (host port ≠ container port) last, as the CLI prints them.
pub fn displayable_ports(ports: &[PortSummary]) -> String {
    let mut ports = ports.to_vec();
    ports.sort_by(|a, b| {
        a.private_port
            .cmp(&b.private_port)
            .then_with(|| a.ip.cmp(&b.ip))
            .then_with(|| a.public_port.cmp(&b.public_port))
            .then_with(|| type_name(a).cmp(&type_name(b)))
    });
    let mut groups: Vec<(String, String, u16, u16)> = Vec::new();
    let mut result = Vec::new();
    let mut remapped = Vec::new();
    for p in &ports {
        let current = p.private_port;
        let ip = p.ip.clone().unwrap_or_default();
        let proto = type_name(p);
        if !ip.is_empty() && p.public_port != Some(current) {
            remapped.push(format!(
                "{}->{current}/{proto}",
                host_and_port(&ip, p.public_port.unwrap_or(0))
            ));
            continue;
        }
        match groups.iter_mut().find(|g| g.0 == ip && g.1 == proto) {
            Some(g) if current == g.3 + 1 => g.3 = current,
            Some(g) => {
                result.push(form_group(&g.0, &g.1, g.2, g.3));
                g.2 = current;
                g.3 = current;
            }
            None => groups.push((ip, proto, current, current)),
        }
    }
    for (ip, proto, first, last) in &groups {
        result.push(form_group(ip, proto, *first, *last));
    }
    result.extend(remapped);
    result.join(", ")
}

fn form_group(ip: &str, proto: &str, first: u16, last: u16) -> String {
    let group = if first == last {
        first.to_string()
    } else {
        format!("{first}-{last}")
    };
    if ip.is_empty() {
        format!("{group}/{proto}")
    } else {
        format!("{}->{group}/{proto}", host_and_port(ip, &group))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard_stubs::models::PortSummaryTypeEnum;

    fn err(spec: &str) -> String {
        parse_publish(&[spec.to_string()], &[]).unwrap_err()
    }

    #[test]
    fn bad_specs_get_the_cli_messages() {
        assert_eq!(err("abc"), "invalid containerPort: abc");
        assert_eq!(err("80:abc"), "invalid containerPort: abc");
        assert_eq!(err("abc:80"), "invalid hostPort: abc");
        assert_eq!(err("70000:80"), "invalid hostPort: 70000");
        assert_eq!(err("1.2.3:80:80"), "invalid IP address: 1.2.3");
        assert_eq!(
            err("8000-8002:80-81"),
            "invalid ranges specified for container and host Ports: 80-81 and 8000-8002"
        );
        assert_eq!(err("80/xyz"), "invalid proto: xyz");
        assert_eq!(
            parse_publish(&[], &["abc".into()]).unwrap_err(),
            "invalid range format for --expose: abc, error: strconv.ParseUint: parsing \"abc\": invalid syntax"
        );
    }

    #[test]
    fn specs_become_bindings() {
        let p = parse_publish(
            &[
                "8080:80".into(),
                "127.0.0.1::53/udp".into(),
                "9000-9001:90-91".into(),
                "7000-7010:70".into(),
                "::80".into(),
            ],
            &["443".into()],
        )
        .unwrap();
        let b = |k: &str| p.bindings[k].clone().unwrap();
        assert_eq!(b("80/tcp")[0].host_port.as_deref(), Some("8080"));
        assert_eq!(b("80/tcp")[1].host_port.as_deref(), Some(""));
        assert_eq!(b("53/udp")[0].host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(b("91/tcp")[0].host_port.as_deref(), Some("9001"));
        assert_eq!(b("70/tcp")[0].host_port.as_deref(), Some("7000-7010"));
        assert!(p.exposed.contains(&"443/tcp".to_string()));
    }

    #[test]
    fn restart_policies_parse_as_the_cli_does() {
        assert_eq!(
            parse_restart("on-failure:3").unwrap().maximum_retry_count,
            Some(3)
        );
        assert_eq!(
            parse_restart("on-failure:x").unwrap_err(),
            "invalid restart policy format: maximum retry count must be an integer"
        );
        assert!(
            parse_restart("bogus")
                .unwrap_err()
                .contains("unknown policy 'bogus'")
        );
        assert_eq!(
            parse_restart("always").unwrap().name,
            Some(RestartPolicyNameEnum::ALWAYS)
        );
    }

    fn port(ip: &str, private: u16, public: Option<u16>, udp: bool) -> PortSummary {
        PortSummary {
            ip: (!ip.is_empty()).then(|| ip.to_string()),
            private_port: private,
            public_port: public,
            typ: Some(if udp {
                PortSummaryTypeEnum::UDP
            } else {
                PortSummaryTypeEnum::TCP
            }),
        }
    }

    #[test]
    fn the_ports_column_matches_docker_ps() {
        // Seen on Docker 28: `-p 127.0.0.1::80 -p 9000-9001:90-91/udp`.
        let ports = [
            port("127.0.0.1", 80, Some(32768), false),
            port("0.0.0.0", 90, Some(9000), true),
            port("::", 90, Some(9000), true),
            port("0.0.0.0", 91, Some(9001), true),
            port("::", 91, Some(9001), true),
        ];
        assert_eq!(
            displayable_ports(&ports),
            "127.0.0.1:32768->80/tcp, 0.0.0.0:9000->90/udp, [::]:9000->90/udp, 0.0.0.0:9001->91/udp, [::]:9001->91/udp"
        );
        let ports = [
            port("0.0.0.0", 5000, Some(5000), false),
            port("::", 5000, Some(5000), false),
            port("", 7000, None, false),
            port("0.0.0.0", 80, Some(8080), false),
            port("::", 80, Some(8080), false),
        ];
        assert_eq!(
            displayable_ports(&ports),
            "0.0.0.0:5000->5000/tcp, [::]:5000->5000/tcp, 7000/tcp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp"
        );
        let ports = [port("", 80, None, false), port("", 81, None, false)];
        assert_eq!(displayable_ports(&ports), "80-81/tcp");
    }
}
