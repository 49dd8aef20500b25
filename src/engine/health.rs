//! Container health checks, as the daemon runs them (moby's `daemon/health.go`): a
//! running container whose config has a HEALTHCHECK is probed by its test command, run
//! as `docker exec` runs a command; `State.Health` keeps the last five results, the
//! failing streak, and `starting`, `healthy` or `unhealthy`.
//!
//! Nothing runs in the background: the engine's clock says when a check is due, and
//! every check that fell due since the last is run, in time order, whenever someone
//! asks for containers' state ([`Engine::run_due_health_checks`]) or time is passed
//! ([`Engine::pass_time`]). Each result carries the time the check was due, so a
//! transcript reads as if the daemon's timers had fired on time.
//!
//! Owns the `health` of container records and the create-time merge and validation of
//! `Config.Healthcheck`; it never changes a container's process or status.

use super::Engine;
use super::error::{EngineError, Result};
use super::runtime::{ContainerRecord, Status};
use super::streams::{Interleaved, Streams};
use bollard_stubs::models::{
    ContainerCreateBody, Health, HealthConfig, HealthStatusEnum, HealthcheckResult,
};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Before the first check, and between the end of one and the start of the next.
const DEFAULT_INTERVAL: TimeDelta = TimeDelta::seconds(30);
/// Between checks during the start period, while the container is still starting.
const DEFAULT_START_INTERVAL: TimeDelta = TimeDelta::seconds(5);
/// Consecutive failures that make a container unhealthy.
const DEFAULT_RETRIES: i64 = 3;
/// Results kept in `State.Health.Log`.
const MAX_LOG_ENTRIES: usize = 5;
/// Output kept of one check; more is cut and marked `...`.
const MAX_OUTPUT_LEN: usize = 4096;
/// The shortest interval, timeout or period the daemon accepts (`MinimumDuration`).
const MINIMUM_NANOS: i64 = 1_000_000;
/// Checks of one container run in one catch-up at most: after a long pause in the
/// engine's time (a `sleep 86400` in a script) only the latest ones are run, so looking
/// stays quick. Their results, and so the status, are what the daemon's would be;
/// the failing streak then counts only the checks run.
const MAX_CATCH_UP: i32 = 200;

/// What the engine keeps of a container's health between commands: `State.Health`, and
/// when the next check is due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthState {
    pub status: HealthStatusEnum,
    pub failing_streak: i64,
    #[serde(default)]
    pub log: Vec<HealthcheckResult>,
    /// `StartedAt` of the run being watched: a container started again starts over.
    #[serde(default)]
    pub run: String,
    /// When the next check is due (RFC 3339); None while none is (the container is
    /// stopped or paused).
    #[serde(default)]
    pub next_check: Option<String>,
}

impl Engine {
    /// Lets `by` pass on the engine's clock, and runs the checks that fall due.
    pub fn pass_time(&mut self, by: std::time::Duration) -> Result<()> {
        self.clock.advance(by);
        self.run_due_health_checks()
    }

    /// Brings every container's health up to the engine's "now": a container started
    /// or stopped since it was last looked at starts or stops being watched, and every
    /// check that fell due is run, earliest first. Cheap when nothing is due.
    pub fn run_due_health_checks(&mut self) -> Result<()> {
        let now = self.clock.now();
        let mut changed = false;
        let watched: Vec<String> = self
            .containers
            .all()
            .filter(|c| c.health.is_some() || probe(c).is_some())
            .map(|c| c.id.clone())
            .collect();
        for id in &watched {
            let c = self.containers.get_mut(id).expect("listed above");
            let seen = observed(c, now);
            if seen != c.health {
                c.health = seen;
                changed = true;
            }
        }
        let mut run: HashMap<String, i32> = HashMap::new();
        loop {
            let next = self
                .containers
                .all()
                .filter(|c| c.status == Status::Running)
                .filter_map(|c| Some((parse_time(c.health.as_ref()?.next_check.as_deref())?, c)))
                .filter(|(due, _)| *due <= now)
                .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)))
                .map(|(due, c)| (due, c.id.clone()));
            let Some((mut due, id)) = next else {
                break;
            };
            let count = run.entry(id.clone()).or_default();
            if *count == 0 {
                due = skip_stale(self.containers.find(&id).expect("found"), due, now);
            }
            *count += 1;
            self.run_health_check(&id, due)?;
            changed = true;
        }
        if changed {
            self.save()?;
        }
        Ok(())
    }

    /// Runs the container's test once, as if at `at`, and records the result.
    fn run_health_check(&mut self, id: &str, at: DateTime<Utc>) -> Result<()> {
        let c = self.containers.find(id).expect("a known container");
        let argv = probe(c).unwrap_or_default();
        let (exit_code, output) = if argv.is_empty() {
            (-1, format!("healthcheck for container {id} has no command"))
        } else {
            let log = Interleaved::default();
            let (mut out, mut err) = (log.writer(1), log.writer(2));
            let ran = self.exec_in_container(
                id,
                &argv,
                None,
                &[],
                None,
                Streams::new(&[], &mut out, &mut err),
            );
            let bytes: Vec<u8> = log.chunks().into_iter().flat_map(|(_, b)| b).collect();
            match ran {
                Ok(code) => (code, limited(&bytes)),
                // The daemon's own error when the exec cannot start, as the output.
                Err(e) => (-1, e.to_string()),
            }
        };
        let stamp = rfc3339(at);
        let result = HealthcheckResult {
            start: Some(stamp.clone()),
            end: Some(stamp),
            exit_code: Some(exit_code),
            output: Some(output),
        };
        let c = self.containers.get_mut(id).expect("a known container");
        let config = c.config.healthcheck.clone().unwrap_or_default();
        let started = parse_time(c.started_at.as_deref()).unwrap_or(at);
        let Some(health) = c.health.as_mut() else {
            return Ok(());
        };
        record_result(health, &config, started, at, result);
        let next = at + interval_after(&config, started, at, health.status);
        health.next_check = Some(rfc3339(next));
        Ok(())
    }

    /// `State.Health` for `docker inspect`: None for a container without a check, or
    /// one never started.
    pub(super) fn health_of(&self, c: &ContainerRecord) -> Option<Health> {
        let h = observed(c, self.clock.now())?;
        Some(Health {
            status: Some(h.status),
            failing_streak: Some(h.failing_streak),
            // The daemon copies the log into a fresh slice: `[]`, never `null`.
            log: Some(h.log),
        })
    }
}

/// What `docker ps` adds to `Up 2 minutes`: ` (healthy)`, ` (health: starting)`.
pub(super) fn status_suffix(c: &ContainerRecord) -> String {
    match current_status(c) {
        Some(_) if c.status != Status::Running => String::new(),
        Some(HealthStatusEnum::STARTING) => " (health: starting)".into(),
        Some(status) => format!(" ({})", status_name(status)),
        None => String::new(),
    }
}

/// The `health` filter's value for a container: `none` without a check.
pub(super) fn filter_value(c: &ContainerRecord) -> &'static str {
    current_status(c).map_or("none", status_name)
}

/// The health status as the container's state implies it, whether or not the record
/// has caught up with that state yet.
fn current_status(c: &ContainerRecord) -> Option<HealthStatusEnum> {
    // The status does not depend on the time looked at; only when the next check is.
    observed(c, DateTime::UNIX_EPOCH).map(|h| h.status)
}

/// The daemon's check of `docker ps --filter health=...` values.
pub(super) fn validate_filter(filters: &HashMap<String, Vec<String>>) -> Result<()> {
    for value in filters.get("health").into_iter().flatten() {
        if !["none", "starting", "healthy", "unhealthy"].contains(&value.as_str()) {
            return Err(EngineError::BadRequest(format!(
                "invalid filter 'health={value}': invalid value for health ({value}): must be one of none, starting, healthy, unhealthy"
            )));
        }
    }
    Ok(())
}

/// The daemon's checks of a create request's `Healthcheck`, made before the image is
/// looked up.
pub(super) fn validate(config: Option<&HealthConfig>) -> Result<()> {
    let Some(config) = config else {
        return Ok(());
    };
    let too_short = |v: Option<i64>| v.is_some_and(|v| v != 0 && v < MINIMUM_NANOS);
    let refuse = |what: &str| {
        Err(EngineError::BadRequest(format!(
            "{what} in Healthcheck cannot be less than 1ms"
        )))
    };
    if too_short(config.interval) {
        return refuse("Interval");
    }
    if too_short(config.timeout) {
        return refuse("Timeout");
    }
    if config.retries.is_some_and(|r| r < 0) {
        return Err(EngineError::BadRequest(
            "Retries in Healthcheck cannot be negative".into(),
        ));
    }
    if too_short(config.start_period) {
        return refuse("StartPeriod");
    }
    if too_short(config.start_interval) {
        return refuse("StartInterval");
    }
    Ok(())
}

/// The daemon's merge of the image's HEALTHCHECK into a create request: the image's
/// check when none is asked for, and its settings for each one left at zero.
pub(super) fn merge(config: &mut ContainerCreateBody, image: Option<&HealthConfig>) {
    let Some(from_image) = image else {
        return;
    };
    let Some(asked) = config.healthcheck.as_mut() else {
        config.healthcheck = Some(from_image.clone());
        return;
    };
    if asked.test.as_ref().is_none_or(|t| t.is_empty()) {
        asked.test = from_image.test.clone();
    }
    let zero = |v: &Option<i64>| v.is_none_or(|v| v == 0);
    if zero(&asked.interval) {
        asked.interval = from_image.interval;
    }
    if zero(&asked.timeout) {
        asked.timeout = from_image.timeout;
    }
    if zero(&asked.start_period) {
        asked.start_period = from_image.start_period;
    }
    if zero(&asked.start_interval) {
        asked.start_interval = from_image.start_interval;
    }
    if zero(&asked.retries) {
        asked.retries = from_image.retries;
    }
}

/// The command a check runs: `CMD` as given, `CMD-SHELL` through the container's shell
/// (`/bin/sh -c`). None without a check (no HEALTHCHECK, `NONE`, an unknown type).
fn probe(c: &ContainerRecord) -> Option<Vec<String>> {
    let test = c.config.healthcheck.as_ref()?.test.as_ref()?;
    match test.first()?.as_str() {
        "CMD" => Some(test[1..].to_vec()),
        "CMD-SHELL" if test.len() > 1 => {
            let mut argv = c
                .config
                .shell
                .clone()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into()]);
            argv.extend(test[1..].iter().cloned());
            Some(argv)
        }
        "CMD-SHELL" => Some(Vec::new()),
        _ => None,
    }
}

/// The container's health as it stands at `now`, given its status: a container
/// (re)started is `starting` with its first check due an interval after it started; one
/// stopped or paused is `unhealthy` (the daemon's mark of a monitor that stopped) with
/// no check due; one unpaused is checked again an interval later.
fn observed(c: &ContainerRecord, now: DateTime<Utc>) -> Option<HealthState> {
    probe(c)?;
    let config = c.config.healthcheck.clone().unwrap_or_default();
    let mut health = c.health.clone();
    let started = c.started_at.clone().unwrap_or_default();
    match c.status {
        Status::Running => match health.as_mut() {
            Some(h) if h.run == started => {
                if h.next_check.is_none() {
                    let start = parse_time(Some(&started)).unwrap_or(now);
                    h.next_check =
                        Some(rfc3339(now + interval_after(&config, start, now, h.status)));
                }
            }
            _ => {
                let start = parse_time(Some(&started)).unwrap_or(now);
                let first = interval_after(&config, start, start, HealthStatusEnum::STARTING);
                health = Some(HealthState {
                    status: HealthStatusEnum::STARTING,
                    failing_streak: 0,
                    log: health.map(|h| h.log).unwrap_or_default(),
                    run: started,
                    next_check: Some(rfc3339(start + first)),
                });
            }
        },
        // Started once, never looked at while it ran: it was watched, and is no more.
        _ if health.is_none() && c.started_at.is_some() => {
            health = Some(HealthState {
                status: HealthStatusEnum::UNHEALTHY,
                failing_streak: 0,
                log: Vec::new(),
                run: started,
                next_check: None,
            });
        }
        _ => {
            if let Some(h) = health.as_mut().filter(|h| h.next_check.is_some()) {
                h.status = HealthStatusEnum::UNHEALTHY;
                h.next_check = None;
            }
        }
    }
    health
}

/// moby's `handleProbeResult`: the log keeps five; a success makes the container
/// healthy, failures count (except while it is still starting inside its start
/// period) until `retries` of them in a row make it unhealthy.
fn record_result(
    health: &mut HealthState,
    config: &HealthConfig,
    started: DateTime<Utc>,
    at: DateTime<Utc>,
    result: HealthcheckResult,
) {
    let failed = result.exit_code != Some(0);
    health.log.push(result);
    let excess = health.log.len().saturating_sub(MAX_LOG_ENTRIES);
    health.log.drain(..excess);
    if !failed {
        health.failing_streak = 0;
        health.status = HealthStatusEnum::HEALTHY;
        return;
    }
    let start_period = duration(config.start_period, TimeDelta::zero());
    if health.status == HealthStatusEnum::STARTING && at - started < start_period {
        return;
    }
    health.failing_streak += 1;
    let retries = config.retries.filter(|r| *r > 0).unwrap_or(DEFAULT_RETRIES);
    if health.failing_streak >= retries {
        health.status = HealthStatusEnum::UNHEALTHY;
    }
}

/// moby's `getInterval`: the start interval while the container is starting inside its
/// start period, the interval otherwise.
fn interval_after(
    config: &HealthConfig,
    started: DateTime<Utc>,
    at: DateTime<Utc>,
    status: HealthStatusEnum,
) -> TimeDelta {
    let interval = duration(config.interval, DEFAULT_INTERVAL);
    let start_period = duration(config.start_period, TimeDelta::zero());
    if at - started >= start_period || status != HealthStatusEnum::STARTING {
        return interval;
    }
    duration(config.start_interval, DEFAULT_START_INTERVAL)
}

/// The first check to run when the container's checks are far behind: at most
/// [`MAX_CATCH_UP`] intervals before `now`.
fn skip_stale(c: &ContainerRecord, due: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let config = c.config.healthcheck.clone().unwrap_or_default();
    let interval = duration(config.interval, DEFAULT_INTERVAL);
    let horizon = now - interval * MAX_CATCH_UP;
    if due >= horizon {
        return due;
    }
    let behind = (horizon - due).num_nanoseconds().unwrap_or(i64::MAX)
        / interval.num_nanoseconds().unwrap_or(i64::MAX).max(1);
    due + TimeDelta::nanoseconds(behind.saturating_mul(interval.num_nanoseconds().unwrap_or(0)))
}

/// A setting in nanoseconds, zero meaning the default.
fn duration(nanos: Option<i64>, default: TimeDelta) -> TimeDelta {
    match nanos {
        Some(n) if n > 0 => TimeDelta::nanoseconds(n),
        _ => default,
    }
}

fn status_name(status: HealthStatusEnum) -> &'static str {
    match status {
        HealthStatusEnum::STARTING => "starting",
        HealthStatusEnum::HEALTHY => "healthy",
        HealthStatusEnum::NONE => "none",
        // The daemon reads a status never set as unhealthy.
        HealthStatusEnum::UNHEALTHY | HealthStatusEnum::EMPTY => "unhealthy",
    }
}

/// A check's output as the daemon keeps it: 4096 bytes at most, then `...`.
fn limited(bytes: &[u8]) -> String {
    if bytes.len() <= MAX_OUTPUT_LEN {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    format!("{}...", String::from_utf8_lossy(&bytes[..MAX_OUTPUT_LEN]))
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

fn parse_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineOptions;
    use crate::engine::clock::Clock;
    use std::time::Duration;

    const START: &str = "2026-03-01T12:00:00Z";

    /// An engine on a fixed clock with alpine pulled, and its directory.
    fn engine() -> (Engine, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let mut engine = Engine::open(EngineOptions {
            state_dir: dir.path().join("state"),
            seed: Some(7),
            clock: Clock::parse_fixed(START).unwrap(),
            publish_on_host: false,
            bind_root: None,
            shared_layers: None,
        })
        .unwrap();
        engine.pull("alpine", "latest", &mut |_| {}).unwrap();
        (engine, dir)
    }

    /// Starts `sleep 300` detached with this check.
    fn run(engine: &mut Engine, check: HealthConfig) -> String {
        let id = engine
            .create_container(
                None,
                ContainerCreateBody {
                    image: Some("alpine".into()),
                    cmd: Some(vec!["sleep".into(), "300".into()]),
                    healthcheck: Some(check),
                    ..Default::default()
                },
            )
            .unwrap()
            .id;
        engine.start_container(&id).unwrap();
        id
    }

    fn shell(command: &str) -> HealthConfig {
        HealthConfig {
            test: Some(vec!["CMD-SHELL".into(), command.into()]),
            ..Default::default()
        }
    }

    fn health(engine: &mut Engine, id: &str) -> Health {
        engine.run_due_health_checks().unwrap();
        let state = engine.inspect_container(id).unwrap().state.unwrap();
        state
            .health
            .expect("a container with a check has State.Health")
    }

    fn status_line(engine: &mut Engine) -> String {
        engine.run_due_health_checks().unwrap();
        let rows = engine
            .list_containers(false, None, &Default::default())
            .unwrap();
        rows[0].status.clone().unwrap()
    }

    const SECOND: i64 = 1_000_000_000;

    #[test]
    fn a_passing_check_makes_it_healthy_one_interval_after_start() {
        let (mut engine, _dir) = engine();
        let id = run(
            &mut engine,
            HealthConfig {
                interval: Some(5 * SECOND),
                ..shell("echo ok")
            },
        );
        let h = health(&mut engine, &id);
        assert_eq!(h.status, Some(HealthStatusEnum::STARTING));
        assert_eq!(h.log, Some(Vec::new()));
        assert_eq!(
            status_line(&mut engine),
            "Up Less than a second (health: starting)"
        );
        engine.pass_time(Duration::from_secs(4)).unwrap();
        assert_eq!(
            health(&mut engine, &id).status,
            Some(HealthStatusEnum::STARTING)
        );
        engine.pass_time(Duration::from_secs(2)).unwrap();
        let h = health(&mut engine, &id);
        assert_eq!(h.status, Some(HealthStatusEnum::HEALTHY));
        assert_eq!(h.failing_streak, Some(0));
        let log = h.log.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(
            log[0].start.as_deref(),
            Some("2026-03-01T12:00:05.000000000Z")
        );
        assert_eq!(log[0].exit_code, Some(0));
        assert_eq!(log[0].output.as_deref(), Some("ok\n"));
        assert_eq!(status_line(&mut engine), "Up 6 seconds (healthy)");
        // Every interval after, the log keeping the last five.
        engine.pass_time(Duration::from_secs(60)).unwrap();
        let log = health(&mut engine, &id).log.unwrap();
        assert_eq!(log.len(), 5);
        assert_eq!(
            log[4].start.as_deref(),
            Some("2026-03-01T12:01:05.000000000Z")
        );
    }

    #[test]
    fn retries_failures_in_a_row_make_it_unhealthy() {
        let (mut engine, _dir) = engine();
        let id = run(
            &mut engine,
            HealthConfig {
                interval: Some(SECOND),
                retries: Some(2),
                ..shell("echo down >&2; exit 3")
            },
        );
        engine.pass_time(Duration::from_secs(1)).unwrap();
        let h = health(&mut engine, &id);
        assert_eq!(h.status, Some(HealthStatusEnum::STARTING));
        assert_eq!(h.failing_streak, Some(1));
        engine.pass_time(Duration::from_secs(1)).unwrap();
        let h = health(&mut engine, &id);
        assert_eq!(h.status, Some(HealthStatusEnum::UNHEALTHY));
        assert_eq!(h.failing_streak, Some(2));
        let last = h.log.unwrap().pop().unwrap();
        assert_eq!(last.exit_code, Some(3));
        assert_eq!(last.output.as_deref(), Some("down\n"));
        assert_eq!(status_line(&mut engine), "Up 2 seconds (unhealthy)");
        // The default is three, at the default interval of 30 seconds.
        let (mut engine, _dir) = self::engine();
        let id = run(&mut engine, shell("false"));
        engine.pass_time(Duration::from_secs(89)).unwrap();
        assert_eq!(health(&mut engine, &id).failing_streak, Some(2));
        engine.pass_time(Duration::from_secs(1)).unwrap();
        assert_eq!(
            health(&mut engine, &id).status,
            Some(HealthStatusEnum::UNHEALTHY)
        );
    }

    #[test]
    fn failures_in_the_start_period_do_not_count_and_it_is_checked_more_often() {
        let (mut engine, _dir) = engine();
        let id = run(
            &mut engine,
            HealthConfig {
                interval: Some(30 * SECOND),
                start_period: Some(10 * SECOND),
                start_interval: Some(2 * SECOND),
                retries: Some(1),
                ..shell("test -e /ready")
            },
        );
        // Checks at 2, 4, 6, 8 seconds fail without counting.
        engine.pass_time(Duration::from_secs(9)).unwrap();
        let h = health(&mut engine, &id);
        assert_eq!(h.status, Some(HealthStatusEnum::STARTING));
        assert_eq!(h.failing_streak, Some(0));
        assert_eq!(h.log.unwrap().len(), 4);
        // At 10 seconds the period is over: the next failure is the one allowed.
        engine.pass_time(Duration::from_secs(1)).unwrap();
        let h = health(&mut engine, &id);
        assert_eq!(h.status, Some(HealthStatusEnum::UNHEALTHY));
        assert_eq!(h.failing_streak, Some(1));
        // A success mends it; from then on, every 30 seconds.
        let mut sink = (Vec::new(), Vec::new());
        engine
            .exec_in_container(
                &id,
                &["touch".into(), "/ready".into()],
                None,
                &[],
                None,
                Streams::new(&[], &mut sink.0, &mut sink.1),
            )
            .unwrap();
        engine.pass_time(Duration::from_secs(29)).unwrap();
        assert_eq!(
            health(&mut engine, &id).status,
            Some(HealthStatusEnum::UNHEALTHY)
        );
        engine.pass_time(Duration::from_secs(1)).unwrap();
        assert_eq!(
            health(&mut engine, &id).status,
            Some(HealthStatusEnum::HEALTHY)
        );
    }

    #[test]
    fn stopping_ends_the_checks_and_starting_again_starts_over() {
        let (mut engine, _dir) = engine();
        let id = run(
            &mut engine,
            HealthConfig {
                interval: Some(SECOND),
                ..shell("true")
            },
        );
        engine.pass_time(Duration::from_secs(1)).unwrap();
        assert_eq!(
            health(&mut engine, &id).status,
            Some(HealthStatusEnum::HEALTHY)
        );
        engine.stop_container(&id, 137, false).unwrap();
        engine.pass_time(Duration::from_secs(5)).unwrap();
        let h = health(&mut engine, &id);
        assert_eq!(h.status, Some(HealthStatusEnum::UNHEALTHY));
        assert_eq!(h.log.as_ref().unwrap().len(), 1);
        let none = HashMap::from([("health".to_string(), vec!["unhealthy".to_string()])]);
        assert_eq!(engine.list_containers(true, None, &none).unwrap().len(), 1);
        engine.start_container(&id).unwrap();
        let h = health(&mut engine, &id);
        assert_eq!(h.status, Some(HealthStatusEnum::STARTING));
        assert_eq!(h.log.unwrap().len(), 1, "the log is kept");
    }

    #[test]
    fn an_exec_that_cannot_start_fails_with_the_daemons_error() {
        let (mut engine, _dir) = engine();
        let id = run(
            &mut engine,
            HealthConfig {
                test: Some(vec!["CMD".into(), "nonexist".into()]),
                interval: Some(SECOND),
                ..Default::default()
            },
        );
        engine.pass_time(Duration::from_secs(1)).unwrap();
        let last = health(&mut engine, &id).log.unwrap().pop().unwrap();
        assert_eq!(last.exit_code, Some(-1));
        assert_eq!(
            last.output.as_deref(),
            Some(
                "OCI runtime exec failed: exec failed: unable to start container process: exec: \"nonexist\": executable file not found in $PATH: unknown"
            )
        );
    }

    #[test]
    fn no_check_means_no_health_and_the_image_check_applies_unless_replaced() {
        let (mut engine, _dir) = engine();
        let id = run(
            &mut engine,
            HealthConfig {
                test: Some(vec!["NONE".into()]),
                ..Default::default()
            },
        );
        engine.pass_time(Duration::from_secs(60)).unwrap();
        let state = engine.inspect_container(&id).unwrap().state.unwrap();
        assert_eq!(state.health, None);
        assert_eq!(status_line(&mut engine), "Up About a minute");

        let image = HealthConfig {
            test: Some(vec!["CMD".into(), "true".into()]),
            interval: Some(SECOND),
            retries: Some(1),
            ..Default::default()
        };
        let mut body = ContainerCreateBody {
            healthcheck: Some(shell("exit 1")),
            ..Default::default()
        };
        merge(&mut body, Some(&image));
        let merged = body.healthcheck.unwrap();
        assert_eq!(merged.test, shell("exit 1").test);
        assert_eq!((merged.interval, merged.retries), (Some(SECOND), Some(1)));
        let mut body = ContainerCreateBody::default();
        merge(&mut body, Some(&image));
        assert_eq!(body.healthcheck, Some(image));
    }

    #[test]
    fn the_daemon_refuses_durations_under_a_millisecond() {
        let short = HealthConfig {
            timeout: Some(1000),
            ..shell("true")
        };
        assert_eq!(
            validate(Some(&short)).unwrap_err().to_string(),
            "Timeout in Healthcheck cannot be less than 1ms"
        );
        assert!(validate(Some(&shell("true"))).is_ok());
        let filters = HashMap::from([("health".to_string(), vec!["ok".to_string()])]);
        assert_eq!(
            validate_filter(&filters).unwrap_err().to_string(),
            "invalid filter 'health=ok': invalid value for health (ok): must be one of none, starting, healthy, unhealthy"
        );
    }

    #[test]
    fn repeated_small_steps_without_a_due_check_change_nothing() {
        let (mut engine, _dir) = engine();
        let _id = run(
            &mut engine,
            HealthConfig {
                interval: Some(10 * SECOND),
                ..shell("true")
            },
        );
        engine.run_due_health_checks().unwrap();
        let before = engine.generation();
        for _ in 0..50 {
            engine.pass_time(Duration::from_millis(100)).unwrap();
        }
        assert_eq!(
            engine.generation(),
            before,
            "nothing was due, nothing saved"
        );
    }
}
