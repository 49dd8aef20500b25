//! `docker compose config`: the resolved project as compose prints it, in go-yaml v3's
//! style (two-space indents, sequences indented under their key, strings quoted only
//! where a plain scalar would read as something else), keys in compose-go's order.

use super::model::*;

/// A YAML node to print.
#[derive(Debug, Clone)]
pub enum Node {
    Str(String),
    Int(i64),
    Bool(bool),
    Null,
    Map(Vec<(String, Node)>),
    Seq(Vec<Node>),
}

fn s(v: &str) -> Node {
    Node::Str(v.to_string())
}

fn strings(v: &[String]) -> Node {
    Node::Seq(v.iter().map(|x| s(x)).collect())
}

/// Go's `time.Duration.String()` for a number of nanoseconds.
pub fn go_duration_string(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let negative = nanos < 0;
    let n = nanos.unsigned_abs();
    let body = if n < 1_000 {
        format!("{n}ns")
    } else if n < 1_000_000 {
        format!("{}µs", trim_fraction(n as f64 / 1e3))
    } else if n < 1_000_000_000 {
        format!("{}ms", trim_fraction(n as f64 / 1e6))
    } else {
        let hours = n / 3_600_000_000_000;
        let minutes = (n / 60_000_000_000) % 60;
        let seconds = (n % 60_000_000_000) as f64 / 1e9;
        let mut out = String::new();
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        if hours > 0 || minutes > 0 {
            out.push_str(&format!("{minutes}m"));
        }
        out.push_str(&format!("{}s", trim_fraction(seconds)));
        out
    };
    if negative { format!("-{body}") } else { body }
}

fn trim_fraction(x: f64) -> String {
    let text = format!("{x:.9}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn duration(v: &str) -> Node {
    match super::load::go_duration_nanos(v) {
        Some(n) => s(&go_duration_string(n)),
        None => s(v),
    }
}

fn string_map(m: &std::collections::BTreeMap<String, String>) -> Node {
    Node::Map(m.iter().map(|(k, v)| (k.clone(), s(v))).collect())
}

fn optional_map(m: &std::collections::BTreeMap<String, Option<String>>) -> Node {
    Node::Map(
        m.iter()
            .map(|(k, v)| (k.clone(), v.as_deref().map_or(Node::Null, s)))
            .collect(),
    )
}

fn service_node(service: &Service) -> Node {
    let mut m: Vec<(String, Node)> = Vec::new();
    let mut put = |k: &str, v: Node| m.push((k.to_string(), v));
    if !service.profiles.is_empty() {
        put("profiles", strings(&service.profiles));
    }
    if let Some(b) = &service.build {
        let mut build = vec![
            ("context".to_string(), s(&b.context)),
            ("dockerfile".to_string(), s(&b.dockerfile)),
        ];
        if !b.args.is_empty() {
            build.push(("args".into(), optional_map(&b.args)));
        }
        put("build", Node::Map(build));
    }
    if let Some(c) = &service.command {
        put("command", strings(c));
    }
    if let Some(c) = &service.container_name {
        put("container_name", s(c));
    }
    if !service.depends_on.is_empty() {
        put(
            "depends_on",
            Node::Map(
                service
                    .depends_on
                    .iter()
                    .map(|(k, d)| {
                        let mut dep = vec![("condition".to_string(), s(&d.condition))];
                        if d.restart {
                            dep.push(("restart".into(), Node::Bool(true)));
                        }
                        dep.push(("required".into(), Node::Bool(d.required)));
                        (k.clone(), Node::Map(dep))
                    })
                    .collect(),
            ),
        );
    }
    if let Some(e) = &service.entrypoint {
        put("entrypoint", strings(e));
    }
    if !service.environment.is_empty() {
        put("environment", optional_map(&service.environment));
    }
    if !service.expose.is_empty() {
        put("expose", strings(&service.expose));
    }
    if let Some(h) = &service.hostname {
        put("hostname", s(h));
    }
    if let Some(h) = &service.healthcheck {
        let mut hc = Vec::new();
        if !h.test.is_empty() {
            hc.push(("test".to_string(), strings(&h.test)));
        }
        if let Some(v) = &h.timeout {
            hc.push(("timeout".into(), duration(v)));
        }
        if let Some(v) = &h.interval {
            hc.push(("interval".into(), duration(v)));
        }
        if let Some(v) = h.retries {
            hc.push(("retries".into(), Node::Int(v as i64)));
        }
        if let Some(v) = &h.start_period {
            hc.push(("start_period".into(), duration(v)));
        }
        if let Some(v) = &h.start_interval {
            hc.push(("start_interval".into(), duration(v)));
        }
        if h.disable {
            hc.push(("disable".into(), Node::Bool(true)));
        }
        put("healthcheck", Node::Map(hc));
    }
    if let Some(i) = &service.image {
        put("image", s(i));
    }
    if !service.labels.is_empty() {
        put("labels", string_map(&service.labels));
    }
    if let Some(n) = &service.network_mode {
        put("network_mode", s(n));
    }
    if !service.networks.is_empty() {
        put(
            "networks",
            Node::Map(
                service
                    .networks
                    .iter()
                    .map(|(k, aliases)| {
                        let v = if aliases.is_empty() {
                            Node::Null
                        } else {
                            Node::Map(vec![("aliases".into(), strings(aliases))])
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
        );
    }
    if !service.ports.is_empty() {
        put(
            "ports",
            Node::Seq(
                service
                    .ports
                    .iter()
                    .map(|p| {
                        let mut port = vec![("mode".to_string(), s(&p.mode))];
                        if let Some(ip) = &p.host_ip {
                            port.push(("host_ip".into(), s(ip)));
                        }
                        port.push(("target".into(), Node::Int(p.target as i64)));
                        if let Some(pub_) = &p.published {
                            port.push(("published".into(), s(pub_)));
                        }
                        port.push(("protocol".into(), s(&p.protocol)));
                        Node::Map(port)
                    })
                    .collect(),
            ),
        );
    }
    if let Some(r) = &service.restart {
        put("restart", s(r));
    }
    if let Some(u) = &service.user {
        put("user", s(u));
    }
    if !service.volumes.is_empty() {
        put(
            "volumes",
            Node::Seq(
                service
                    .volumes
                    .iter()
                    .map(|v| {
                        let kind = match v.kind {
                            MountKind::Bind => "bind",
                            MountKind::Volume => "volume",
                        };
                        let mut vol = vec![("type".to_string(), s(kind))];
                        if let Some(src) = &v.source {
                            vol.push(("source".into(), s(src)));
                        }
                        vol.push(("target".into(), s(&v.target)));
                        if v.read_only {
                            vol.push(("read_only".into(), Node::Bool(true)));
                        }
                        match v.kind {
                            MountKind::Bind if v.create_host_path => vol.push((
                                "bind".into(),
                                Node::Map(vec![("create_host_path".into(), Node::Bool(true))]),
                            )),
                            MountKind::Volume => vol.push(("volume".into(), Node::Map(vec![]))),
                            _ => {}
                        }
                        Node::Map(vol)
                    })
                    .collect(),
            ),
        );
    }
    if let Some(w) = &service.working_dir {
        put("working_dir", s(w));
    }
    Node::Map(m)
}

/// The project as `docker compose config` prints it.
pub fn project_node(project: &Project) -> Node {
    let mut top = vec![("name".to_string(), s(&project.name))];
    top.push((
        "services".into(),
        Node::Map(
            project
                .services
                .iter()
                .map(|(k, v)| (k.clone(), service_node(v)))
                .collect(),
        ),
    ));
    let resource = |name: &str,
                    driver: &Option<String>,
                    external: bool,
                    labels: &std::collections::BTreeMap<String, String>| {
        let mut m = vec![("name".to_string(), s(name))];
        if let Some(d) = driver {
            m.push(("driver".into(), s(d)));
        }
        if external {
            m.push(("external".into(), Node::Bool(true)));
        }
        if !labels.is_empty() {
            m.push(("labels".into(), string_map(labels)));
        }
        Node::Map(m)
    };
    if !project.networks.is_empty() {
        top.push((
            "networks".into(),
            Node::Map(
                project
                    .networks
                    .iter()
                    .map(|(k, n)| {
                        (
                            k.clone(),
                            resource(&n.name, &n.driver, n.external, &n.labels),
                        )
                    })
                    .collect(),
            ),
        ));
    }
    if !project.volumes.is_empty() {
        top.push((
            "volumes".into(),
            Node::Map(
                project
                    .volumes
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            resource(&v.name, &v.driver, v.external, &v.labels),
                        )
                    })
                    .collect(),
            ),
        ));
    }
    Node::Map(top)
}

/// Prints `node` as go-yaml v3 with `SetIndent(2)` does.
pub fn to_yaml(node: &Node) -> String {
    let mut out = String::new();
    emit_block(node, 0, &mut out);
    out
}

fn emit_block(node: &Node, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match node {
        Node::Map(entries) => {
            for (k, v) in entries {
                out.push_str(&pad);
                out.push_str(&scalar(k));
                out.push(':');
                emit_value(v, indent, out);
            }
        }
        Node::Seq(items) => {
            for item in items {
                out.push_str(&pad);
                out.push_str("- ");
                match item {
                    Node::Map(entries) if !entries.is_empty() => {
                        // The first key sits after the dash; the rest align with it.
                        let mut first = String::new();
                        emit_block(item, indent + 2, &mut first);
                        out.push_str(&first[indent + 2..]);
                    }
                    Node::Seq(inner) if !inner.is_empty() => {
                        let mut first = String::new();
                        emit_block(item, indent + 2, &mut first);
                        out.push_str(&first[indent + 2..]);
                    }
                    other => {
                        out.push_str(&inline(other, indent + 2));
                        out.push('\n');
                    }
                }
            }
        }
        other => {
            out.push_str(&pad);
            out.push_str(&inline(other, indent));
            out.push('\n');
        }
    }
}

/// What follows `key:`.
fn emit_value(v: &Node, indent: usize, out: &mut String) {
    match v {
        Node::Map(e) if !e.is_empty() => {
            out.push('\n');
            emit_block(v, indent + 2, out);
        }
        Node::Seq(items) if !items.is_empty() => {
            out.push('\n');
            emit_block(v, indent + 2, out);
        }
        other => {
            out.push(' ');
            out.push_str(&inline(other, indent + 2));
            out.push('\n');
        }
    }
}

fn inline(node: &Node, indent: usize) -> String {
    match node {
        Node::Str(text) if text.contains('\n') => literal(text, indent),
        Node::Str(text) => scalar(text),
        Node::Int(n) => n.to_string(),
        Node::Bool(b) => b.to_string(),
        Node::Null => "null".into(),
        Node::Map(_) => "{}".into(),
        Node::Seq(_) => "[]".into(),
    }
}

/// A multi-line string as a literal block (`|-` when it does not end in a newline).
fn literal(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let (chomp, body) = match text.strip_suffix('\n') {
        Some(b) if !b.ends_with('\n') => ("|", b),
        Some(_) => ("|+", text.trim_end_matches('\n')),
        None => ("|-", text),
    };
    let mut out = chomp.to_string();
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
}

/// A string as go-yaml writes it: plain when it reads back as the same string,
/// double-quoted when plain would read as another type, single-quoted when YAML's
/// syntax forbids it plain.
pub fn scalar(text: &str) -> String {
    if text.is_empty() || resolves_to_other_type(text) {
        return double_quoted(text);
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return double_quoted(text);
    }
    if plain_allowed(text) {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', "''"))
}

fn double_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn resolves_to_other_type(t: &str) -> bool {
    const WORDS: &[&str] = &[
        "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "y", "Y",
        "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
        ".inf", ".Inf", ".INF", "-.inf", "+.inf", "-.Inf", "+.Inf", "-.INF", "+.INF", ".nan",
        ".NaN", ".NAN", "<<",
    ];
    if WORDS.contains(&t) {
        return true;
    }
    let unsigned = t.strip_prefix(['-', '+']).unwrap_or(t);
    let digits =
        |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c == '_' || c.is_digit(radix));
    if digits(unsigned, 10)
        || unsigned.strip_prefix("0x").is_some_and(|r| digits(r, 16))
        || unsigned.strip_prefix("0o").is_some_and(|r| digits(r, 8))
        || unsigned.strip_prefix("0b").is_some_and(|r| digits(r, 2))
    {
        return true;
    }
    if unsigned.parse::<f64>().is_ok()
        && unsigned.chars().any(|c| c.is_ascii_digit())
        && unsigned
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
    {
        return true;
    }
    // Base-60 numbers (`1:30`), which YAML 1.1 read as numbers.
    let mut parts = unsigned.split(':');
    let head = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && digits(head, 10)
        && head.starts_with(|c: char| c.is_ascii_digit())
        && rest.iter().enumerate().all(|(i, p)| {
            let p = if i + 1 == rest.len() {
                p.split('.').next().unwrap_or("")
            } else {
                p
            };
            (1..=2).contains(&p.len())
                && p.chars().all(|c| c.is_ascii_digit())
                && (p.len() == 1 || p.as_bytes()[0] <= b'5')
        })
}

/// libyaml's rules for a plain scalar in block context.
fn plain_allowed(t: &str) -> bool {
    let first = t.chars().next().unwrap_or(' ');
    let second = t.chars().nth(1);
    let followed_by_blank = matches!(second, None | Some(' ') | Some('\t'));
    if matches!(
        first,
        ',' | '['
            | ']'
            | '{'
            | '}'
            | '#'
            | '&'
            | '*'
            | '!'
            | '|'
            | '>'
            | '\''
            | '"'
            | '%'
            | '@'
            | '`'
    ) {
        return false;
    }
    if matches!(first, '-' | '?' | ':') && followed_by_blank {
        return false;
    }
    if t.starts_with(' ') || t.ends_with(' ') || t.starts_with("---") || t.starts_with("...") {
        return false;
    }
    if t.contains(": ") || t.contains(" #") || t.ends_with(':') || t.contains('\t') {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_quoted_as_go_yaml_quotes_them() {
        assert_eq!(scalar("nginx"), "nginx");
        assert_eq!(scalar("8080"), "\"8080\"");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(scalar("1.5"), "\"1.5\"");
        assert_eq!(scalar("echo hi"), "echo hi");
        assert_eq!(scalar("-c"), "-c");
        assert_eq!(scalar("*"), "'*'");
        assert_eq!(scalar("a: b"), "'a: b'");
        assert_eq!(scalar("1:30"), "\"1:30\"");
        assert_eq!(scalar("8080:80"), "8080:80");
    }

    #[test]
    fn durations_print_as_go_prints_them() {
        assert_eq!(go_duration_string(90_000_000_000), "1m30s");
        assert_eq!(go_duration_string(5_000_000_000), "5s");
        assert_eq!(go_duration_string(500_000_000), "500ms");
        assert_eq!(go_duration_string(3_600_000_000_000), "1h0m0s");
    }

    #[test]
    fn a_project_prints_as_compose_config_prints_it() {
        let loaded = crate::cli::compose::load::tests::load_one(
            "services:\n  web:\n    image: nginx\n    ports:\n      - \"8080:80\"\n    depends_on:\n      - db\n    volumes:\n      - ./site:/usr/share/nginx/html:ro\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: secret\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n      interval: 90s\n    volumes:\n      - data:/var/lib/postgresql/data\nvolumes:\n  data:\n",
        )
        .unwrap();
        let expected = "name: demo
services:
  db:
    environment:
      POSTGRES_PASSWORD: secret
    healthcheck:
      test:
        - CMD
        - pg_isready
      interval: 1m30s
    image: postgres:16
    networks:
      default: null
    volumes:
      - type: volume
        source: data
        target: /var/lib/postgresql/data
        volume: {}
  web:
    depends_on:
      db:
        condition: service_started
        required: true
    image: nginx
    networks:
      default: null
    ports:
      - mode: ingress
        target: 80
        published: \"8080\"
        protocol: tcp
    volumes:
      - type: bind
        source: /demo/site
        target: /usr/share/nginx/html
        read_only: true
        bind:
          create_host_path: true
networks:
  default:
    name: demo_default
volumes:
  data:
    name: demo_data
";
        assert_eq!(to_yaml(&project_node(&loaded.project)), expected);
    }
}
