//! What the registry:2 program (distribution 2.8.3) prints about each request, in its
//! own formats: logrus's `response completed` line on stderr, then the access log line
//! gorilla's combined-log handler writes on stdout.
//!
//! Owns only the formatting and the hook lines go out through; the server decides when a
//! request is done. Times come from the clock it is given, and everything else that would
//! vary from run to run (request IDs, client ports, durations under a fixed clock) is
//! derived from the instance ID, so a lab's transcript stays the same on every run.

use crate::engine::clock::Clock;
use crate::engine::digest::Digest;
use crate::engine::units::go_quote;
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The registry:2 image's program version and the Go it was built with.
pub const REGISTRY_VERSION: &str = "2.8.3";
pub const GO_VERSION: &str = "go1.20.8";

/// Where log lines go: the stream (1 stdout, 2 stderr) and the line, newline included.
pub type LogSink = Arc<dyn Fn(u8, String) + Send + Sync>;

/// A registry's request log: where it goes and what it needs to read as the real one's.
#[derive(Clone)]
pub struct RequestLog {
    sink: LogSink,
    clock: Clock,
    instance_id: String,
    /// Clients appear to come from this address (Docker's bridge gateway, `172.17.0.1`,
    /// for a registry container) with a port made up per connection; `None`: from the
    /// connection's real peer address.
    client_ip: Option<String>,
    requests: Arc<AtomicU64>,
}

impl std::fmt::Debug for RequestLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RequestLog(instance.id={})", self.instance_id)
    }
}

/// One request and its response, as the log lines describe them.
pub struct Exchange<'a> {
    pub method: &'a str,
    /// The request target as sent: path and query.
    pub uri: &'a str,
    pub version: &'a str,
    pub host: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub referer: Option<&'a str>,
    pub peer: SocketAddr,
    /// The connection's number on this registry, from 1.
    pub connection: u64,
    pub status: u16,
    pub content_type: Option<&'a str>,
    /// Body bytes the handler wrote (Go counts a HEAD reply's body too, when the handler
    /// writes one).
    pub written: u64,
    /// The route's variables as distribution names them (`vars.name`, `vars.digest`, …).
    pub vars: Vec<(&'static str, String)>,
    /// The spec errors of a failed request: code, message, detail.
    pub errors: Vec<(&'a str, &'a str, &'a Value)>,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
}

impl RequestLog {
    pub fn new(sink: LogSink, clock: Clock, instance_id: &str) -> RequestLog {
        RequestLog {
            sink,
            clock,
            instance_id: instance_id.to_string(),
            client_ip: None,
            requests: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Clients appear to come from `ip` (a container's view of the host).
    pub fn with_client_ip(mut self, ip: &str) -> RequestLog {
        self.client_ip = Some(ip.to_string());
        self
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn instance_id(&self) -> &str {
        &self.instance_id
    }

    /// The lines of one finished request.
    pub fn record(&self, exchange: &Exchange<'_>) {
        let number = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        let remote = match &self.client_ip {
            Some(ip) => format!("{ip}:{}", self.client_port(exchange.connection)),
            None => exchange.peer.to_string(),
        };
        let request_id = uuid_from(&format!("{} request {number}", self.instance_id));
        let duration = (exchange.finished - exchange.started)
            .to_std()
            .unwrap_or_default();
        let mut fields: Vec<(String, String)> = Vec::new();
        let (level, msg) = if exchange.errors.is_empty() {
            ("info", "response completed")
        } else {
            ("error", "response completed with error")
        };
        if (200..=399).contains(&exchange.status) || !exchange.errors.is_empty() {
            let mut lines = String::new();
            // One line per error, as distribution logs each; a success has one line.
            let errors: Vec<Option<&(&str, &str, &Value)>> = if exchange.errors.is_empty() {
                vec![None]
            } else {
                exchange.errors.iter().map(Some).collect()
            };
            for error in errors {
                fields.clear();
                if let Some((code, message, detail)) = error {
                    fields.push(("err.code".into(), code.to_lowercase().replace('_', " ")));
                    if !detail.is_null() {
                        fields.push(("err.detail".into(), go_value(detail)));
                    }
                    fields.push(("err.message".into(), message.to_string()));
                }
                fields.extend([
                    ("go.version".into(), GO_VERSION.into()),
                    (
                        "http.request.host".into(),
                        exchange.host.unwrap_or("").into(),
                    ),
                    ("http.request.id".into(), request_id.clone()),
                    ("http.request.method".into(), exchange.method.into()),
                    ("http.request.remoteaddr".into(), remote.clone()),
                    ("http.request.uri".into(), exchange.uri.into()),
                    (
                        "http.request.useragent".into(),
                        exchange.user_agent.unwrap_or("").into(),
                    ),
                ]);
                if let Some(content_type) = exchange.content_type {
                    fields.push(("http.response.contenttype".into(), content_type.into()));
                }
                fields.extend([
                    ("http.response.duration".into(), go_duration(duration)),
                    ("http.response.status".into(), exchange.status.to_string()),
                    ("http.response.written".into(), exchange.written.to_string()),
                    ("instance.id".into(), self.instance_id.clone()),
                    ("service".into(), "registry".into()),
                    ("version".into(), REGISTRY_VERSION.into()),
                ]);
                fields.extend(
                    exchange
                        .vars
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.clone())),
                );
                // logrus writes fields in key order.
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                lines.push_str(&logrus_line(exchange.finished, level, msg, &fields));
            }
            (self.sink)(2, lines);
        }
        let client = remote
            .rsplit_once(':')
            .map_or(remote.as_str(), |(ip, _)| ip)
            .trim_start_matches('[')
            .trim_end_matches(']');
        (self.sink)(
            1,
            format!(
                "{client} - - [{}] \"{} {} {}\" {} {} \"{}\" \"{}\"\n",
                exchange.started.format("%d/%b/%Y:%H:%M:%S +0000"),
                exchange.method,
                exchange.uri,
                exchange.version,
                exchange.status,
                exchange.written,
                go_escape(exchange.referer.unwrap_or("")),
                go_escape(exchange.user_agent.unwrap_or("")),
            ),
        );
    }

    /// A client port for connection `n`: in the ephemeral range, the same on every run.
    fn client_port(&self, connection: u64) -> u16 {
        let seed = format!("{} connection {connection}", self.instance_id);
        let hex = Digest::sha256(seed.as_bytes()).hex().to_string();
        let n = u16::from_str_radix(&hex[..4], 16).unwrap_or(0);
        32768 + n % 28232
    }
}

/// A logrus text line: `time=… level=… msg=…` and the fields in order, each value quoted
/// when it holds anything beyond logrus's plain characters, then a space and a newline.
pub fn logrus_line(
    time: DateTime<Utc>,
    level: &str,
    msg: &str,
    fields: &[(String, String)],
) -> String {
    let mut line = format!(
        "time={} level={level} msg={}",
        logrus_value(&go_rfc3339_nano(time)),
        logrus_value(msg)
    );
    for (key, value) in fields {
        let _ = write!(line, " {key}={}", logrus_value(value));
    }
    line.push_str(" \n");
    line
}

fn logrus_value(value: &str) -> String {
    let plain = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._/@^+".contains(c));
    if plain {
        value.to_string()
    } else {
        go_quote(value)
    }
}

/// Go's `strconv.Quote` without the quotes, as gorilla escapes the access log's fields.
fn go_escape(s: &str) -> String {
    let quoted = go_quote(s);
    quoted[1..quoted.len() - 1].to_string()
}

/// An error's detail as Go's `fmt` prints it: strings bare, maps as `map[k:v]` with
/// sorted keys.
fn go_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let inner: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{k}:{}", go_value(&map[k])))
                .collect();
            format!("map[{}]", inner.join(" "))
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(go_value).collect();
            format!("[{}]", inner.join(" "))
        }
        Value::Null => "<nil>".into(),
        other => other.to_string(),
    }
}

/// Go's `time.RFC3339Nano`: the fraction without its trailing zeros (none at all for a
/// whole second).
pub fn go_rfc3339_nano(time: DateTime<Utc>) -> String {
    let nanos = format!("{:09}", time.timestamp_subsec_nanos());
    let fraction = nanos.trim_end_matches('0');
    let seconds = time.format("%Y-%m-%dT%H:%M:%S");
    if fraction.is_empty() {
        format!("{seconds}Z")
    } else {
        format!("{seconds}.{fraction}Z")
    }
}

/// Go's `time.Duration` text: `0s`, `850ns`, `12.5µs`, `1.516643ms`, `2.5s`, `1m2s`.
pub fn go_duration(d: std::time::Duration) -> String {
    let nanos = d.as_nanos();
    let fixed = |value: u128, unit: u128, suffix: &str| {
        let whole = value / unit;
        let fraction = format!("{:0width$}", value % unit, width = unit.ilog10() as usize);
        let fraction = fraction.trim_end_matches('0');
        if fraction.is_empty() {
            format!("{whole}{suffix}")
        } else {
            format!("{whole}.{fraction}{suffix}")
        }
    };
    match nanos {
        0 => "0s".into(),
        n if n < 1_000 => format!("{n}ns"),
        n if n < 1_000_000 => fixed(n, 1_000, "µs"),
        n if n < 1_000_000_000 => fixed(n, 1_000_000, "ms"),
        n => {
            let seconds = n / 1_000_000_000;
            let rest = n % 1_000_000_000;
            let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
            let mut out = String::new();
            if h > 0 {
                let _ = write!(out, "{h}h");
            }
            if h > 0 || m > 0 {
                let _ = write!(out, "{m}m");
            }
            out.push_str(&fixed(s * 1_000_000_000 + rest, 1_000_000_000, "s"));
            out
        }
    }
}

/// The `instance.id` of a registry running in a container with this hostname: the same
/// for the program's start-up lines and its request log.
pub fn instance_id(hostname: &str) -> String {
    uuid_from(hostname)
}

/// A UUID-shaped ID drawn from `seed`: the same seed, the same ID.
pub fn uuid_from(seed: &str) -> String {
    let hex = Digest::sha256(seed.as_bytes()).hex().to_string();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn go_formats_times_and_durations_its_own_way() {
        let t = DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(go_rfc3339_nano(t), "2026-11-30T12:00:00Z");
        let t = t + chrono::Duration::nanoseconds(32_946_600);
        assert_eq!(go_rfc3339_nano(t), "2026-11-30T12:00:00.0329466Z");
        use std::time::Duration;
        assert_eq!(go_duration(Duration::ZERO), "0s");
        assert_eq!(go_duration(Duration::from_nanos(850)), "850ns");
        assert_eq!(go_duration(Duration::from_nanos(12_500)), "12.5µs");
        assert_eq!(go_duration(Duration::from_nanos(1_516_643)), "1.516643ms");
        assert_eq!(go_duration(Duration::from_millis(2_500)), "2.5s");
        assert_eq!(go_duration(Duration::from_secs(62)), "1m2s");
    }

    #[test]
    fn a_request_reads_as_registry_2_logs_it() {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let seen = lines.clone();
        let sink: LogSink = Arc::new(move |stream, line| seen.lock().unwrap().push((stream, line)));
        let clock = Clock::parse_fixed("2026-11-30T12:00:00Z").unwrap();
        let log = RequestLog::new(sink, clock.clone(), "a7dca497-fb07-6eed-f173-4d7a038d16d8")
            .with_client_ip("172.17.0.1");
        let ua = "docker/28.2.2 go/go1.24.3 UpstreamClient(Docker-Client/28.2.2 \\(linux\\))";
        log.record(&Exchange {
            method: "GET",
            uri: "/v2/",
            version: "HTTP/1.1",
            host: Some("localhost:5000"),
            user_agent: Some(ua),
            referer: None,
            peer: "127.0.0.1:40000".parse().unwrap(),
            connection: 1,
            status: 200,
            content_type: Some("application/json; charset=utf-8"),
            written: 2,
            vars: Vec::new(),
            errors: Vec::new(),
            started: clock.now(),
            finished: clock.now(),
        });
        let lines = lines.lock().unwrap();
        assert_eq!(lines.len(), 2);
        let (stream, logrus) = &lines[0];
        assert_eq!(*stream, 2);
        assert!(
            logrus.starts_with(
                "time=\"2026-11-30T12:00:00Z\" level=info msg=\"response completed\" go.version=go1.20.8 http.request.host=\"localhost:5000\" http.request.id="
            ),
            "{logrus}"
        );
        assert!(logrus.contains(" http.request.method=GET http.request.remoteaddr=\"172.17.0.1:"));
        assert!(logrus.contains(" http.request.uri=/v2/ http.request.useragent=\"docker/28.2.2 go/go1.24.3 UpstreamClient(Docker-Client/28.2.2 \\\\(linux\\\\))\" http.response.contenttype=\"application/json; charset=utf-8\" http.response.duration=0s http.response.status=200 http.response.written=2 instance.id=a7dca497-fb07-6eed-f173-4d7a038d16d8 service=registry version=2.8.3 \n"), "{logrus}");
        assert_eq!(
            lines[1],
            (
                1,
                "172.17.0.1 - - [30/Nov/2026:12:00:00 +0000] \"GET /v2/ HTTP/1.1\" 200 2 \"\" \"docker/28.2.2 go/go1.24.3 UpstreamClient(Docker-Client/28.2.2 \\\\(linux\\\\))\"\n".to_string()
            )
        );
    }
}
