//! Health checks through script mode: `sleep` passes the engine's time, the checks that
//! fall due run, and `docker ps` and `docker inspect` show what Docker shows.

use crate::support::{Fixture, Record, capture};

fn outputs(records: &[Record]) -> Vec<&str> {
    records.iter().map(|r| r.stdout.as_str()).collect()
}

/// The lines of a listing in name order: containers created in the same instant of a
/// fixed clock are listed in the order of their IDs.
fn sorted(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort();
    lines
}

#[test]
fn a_passing_check_turns_starting_into_healthy_after_its_interval() {
    let lab = Fixture::new();
    let records = lab.records(
        "docker run -d --name web --health-cmd 'echo ready' --health-interval 5s alpine sleep 300
docker ps --format '{{.Names}}: {{.Status}}'
sleep 6
docker ps
docker inspect --format '{{json .State.Health}}' web
docker inspect --format '{{.State.Health.Status}}' web
docker inspect --format '{{json .Config.Healthcheck}}' web
",
    );
    let out = outputs(&records);
    assert_eq!(out[1], "web: Up Less than a second (health: starting)\n");
    let ps: Vec<&str> = out[3].lines().collect();
    assert_eq!(
        ps[0],
        "CONTAINER ID   IMAGE     COMMAND       CREATED         STATUS                   PORTS     NAMES"
    );
    assert!(
        ps[1].ends_with(
            "   alpine    \"sleep 300\"   6 seconds ago   Up 6 seconds (healthy)             web"
        ),
        "{}",
        ps[1]
    );
    assert_eq!(
        out[4],
        "{\"Status\":\"healthy\",\"FailingStreak\":0,\"Log\":[{\"Start\":\"2026-03-01T12:00:05.000000000Z\",\"End\":\"2026-03-01T12:00:05.000000000Z\",\"ExitCode\":0,\"Output\":\"ready\\n\"}]}\n"
    );
    assert_eq!(out[5], "healthy\n");
    assert_eq!(
        out[6],
        "{\"Test\":[\"CMD-SHELL\",\"echo ready\"],\"Interval\":5000000000}\n"
    );
}

#[test]
fn failing_checks_make_it_unhealthy_and_ps_filters_by_health() {
    let lab = Fixture::new();
    let records = lab.records(
        "docker run -d --name flaky --health-cmd 'echo no >&2; exit 1' --health-interval 2s --health-retries 2 alpine sleep 300
docker run -d --name plain alpine sleep 300
sleep 3
docker ps --format '{{.Names}} {{.Status}}'
sleep 1
docker ps --filter health=unhealthy --format '{{.Names}} {{.Status}}'
docker ps --filter health=none --format '{{.Names}}'
docker inspect --format '{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{range .State.Health.Log}}{{.ExitCode}}:{{.Output}}{{end}}' flaky
docker ps --filter health=sick
docker inspect --format '{{.State.Health.Status}}' plain
docker stop flaky
docker inspect --format '{{.State.Health.Status}} {{len .State.Health.Log}}' flaky
",
    );
    let out = outputs(&records);
    assert_eq!(
        sorted(out[3]),
        [
            "flaky Up 3 seconds (health: starting)",
            "plain Up 3 seconds"
        ]
    );
    assert_eq!(out[5], "flaky Up 4 seconds (unhealthy)\n");
    assert_eq!(out[6], "plain\n");
    assert_eq!(out[7], "unhealthy 2 1:no\n1:no\n\n");
    assert_eq!(
        records[8].stderr,
        "Error response from daemon: invalid filter 'health=sick': invalid value for health (sick): must be one of none, starting, healthy, unhealthy\n"
    );
    // What the CLI prints for a container without a check (the real CLI's words).
    assert_eq!(out[9], "\n");
    assert_eq!(
        records[9].stderr,
        "template parsing error: template: :1:8: executing \"\" at <.State.Health.Status>: map has no entry for key \"Health\"\n"
    );
    assert_eq!(records[9].exit_code, 1);
    // A stopped container's monitor is gone: unhealthy, its log kept.
    assert_eq!(out[11], "unhealthy 2\n");
}

#[test]
fn the_images_healthcheck_applies_unless_the_run_replaces_or_disables_it() {
    let lab = Fixture::new();
    let records = lab.records(
        "cat > Dockerfile <<'END'
FROM alpine
HEALTHCHECK --interval=10s --start-period=30s --start-interval=2s CMD test -e /tmp/ready
CMD [\"sleep\", \"300\"]
END
docker build -q -t checked .
docker run -d --name app checked
docker run -d --name off --no-healthcheck checked
docker run -d --name other --health-cmd true checked
sleep 3
docker ps --format '{{.Names}} {{.Status}}'
docker inspect --format '{{json .Config.Healthcheck}}' off other
docker exec app touch /tmp/ready
sleep 2
docker ps --filter name=app --format '{{.Names}} {{.Status}}'
docker inspect --format '{{.State.Health.FailingStreak}} {{len .State.Health.Log}}' app
",
    );
    let out = outputs(&records);
    assert_eq!(records[1].exit_code, 0, "{}", records[1].stderr);
    assert_eq!(
        sorted(out[6]),
        [
            "app Up 3 seconds (health: starting)",
            "off Up 3 seconds",
            "other Up 3 seconds (healthy)"
        ]
    );
    assert_eq!(
        out[7],
        "{\"Test\":[\"NONE\"],\"Interval\":10000000000,\"StartPeriod\":30000000000,\"StartInterval\":2000000000}\n{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":10000000000,\"StartPeriod\":30000000000,\"StartInterval\":2000000000}\n"
    );
    // Checked every 2 seconds in the start period: at 2 and 4 (failing, not counted),
    // then healthy.
    assert_eq!(out[10], "app Up 5 seconds (healthy)\n");
    assert_eq!(out[11], "0 2\n");
}

#[test]
fn health_and_resource_flag_errors_match_the_docker_cli_word_for_word() {
    let lab = Fixture::new();
    for name in [
        "run-health-interval-no-unit",
        "run-health-interval-negative",
        "run-no-healthcheck-conflict",
        "run-health-retries-negative",
        "run-health-retries-invalid",
        "run-health-timeout-under-1ms",
        "create-health-start-period-negative",
        "run-memory-invalid-size",
        "run-memory-invalid-suffix",
        "run-cpus-not-rational",
        "run-cpus-too-precise",
    ] {
        let want = capture(name);
        let got = &lab.records(&format!("{}\n", want.command))[0];
        assert_eq!(got.stdout, want.stdout, "stdout of `{}`", want.command);
        assert_eq!(got.stderr, want.stderr, "stderr of `{}`", want.command);
        assert_eq!(got.exit_code, want.exit, "exit code of `{}`", want.command);
    }
}

#[test]
fn memory_and_cpu_flags_are_recorded_in_host_config() {
    let lab = Fixture::new();
    let records = lab.records(
        "docker run -d --name capped -m 512m --cpus 1.5 -c 512 alpine sleep 300
docker inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}}' capped
",
    );
    assert_eq!(records[1].stdout, "536870912 1500000000 512\n");
}
