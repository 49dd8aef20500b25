//! redis and PostgreSQL from the hub's images, end to end: a detached redis whose
//! keyspace every `docker exec` of redis-cli shares, and a postgres container whose
//! entrypoint initialises the cluster, logs as the image does and serves psql; without
//! POSTGRES_PASSWORD the entrypoint refuses, as the image's does.

use crate::support::Fixture;

#[test]
fn redis_cli_in_separate_execs_shares_one_keyspace() {
    let lab = Fixture::new();
    let records = lab.records(
        "docker run -d --name rd redis\n\
         docker exec rd redis-cli ping\n\
         docker exec rd redis-cli set k v\n\
         docker exec rd redis-cli get k\n\
         docker exec rd redis-cli incr k\n\
         docker exec rd sh -c 'redis-cli -h elsewhere ping'\n\
         docker logs rd\n",
    );
    assert_eq!(records[0].exit_code, 0, "{:?}", records[0]);
    assert_eq!(records[1].stdout, "PONG\n");
    assert_eq!(records[2].stdout, "OK\n");
    assert_eq!(records[3].stdout, "v\n");
    assert_eq!(
        (records[4].stdout.as_str(), records[4].exit_code),
        ("ERR value is not an integer or out of range\n\n", 1)
    );
    assert_eq!(
        (
            format!("{}{}", records[5].stdout, records[5].stderr),
            records[5].exit_code
        ),
        (
            "Could not connect to Redis at elsewhere:6379: Name or service not known\n".to_string(),
            1
        ),
        "{:?}",
        records[5]
    );
    let logs = format!("{}{}", records[6].stdout, records[6].stderr);
    assert!(
        logs.contains(" * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo\n"),
        "{logs}"
    );
    assert!(
        logs.contains(
            " * Redis version=7.4.5, bits=64, commit=00000000, modified=0, pid=1, just started\n"
        ),
        "{logs}"
    );
    assert!(logs.contains("1:M 01 Mar 2026 12:00:"), "{logs}");
    assert!(
        logs.ends_with(" * Ready to accept connections tcp\n"),
        "{logs}"
    );
}

#[test]
fn postgres_initialises_logs_and_answers_psql() {
    let lab = Fixture::new();
    let records = lab.records(
        "docker run -d --name pg -e POSTGRES_PASSWORD=x postgres\n\
         docker logs pg\n\
         docker exec pg psql -U postgres -c 'select 1'\n\
         docker exec pg pg_isready\n\
         docker exec pg psql -U postgres -c 'select * from t;'\n\
         docker exec pg psql -c 'select 1'\n",
    );
    assert_eq!(records[0].exit_code, 0, "{:?}", records[0]);
    let logs = format!("{}{}", records[1].stdout, records[1].stderr);
    for line in [
        "The files belonging to this database system will be owned by user \"postgres\".\n",
        "Success. You can now start the database server using:\n\n    pg_ctl -D /var/lib/postgresql/data -l logfile start\n",
        "/docker-entrypoint-initdb.d/*\n",
        "PostgreSQL init process complete; ready for start up.\n",
        " UTC [1] LOG:  starting PostgreSQL 17.5 (Debian 17.5-1.pgdg120+1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit\n",
        " UTC [1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432\n",
        " UTC [1] LOG:  database system is ready to accept connections\n",
    ] {
        assert!(logs.contains(line), "missing {line:?} in {logs}");
    }
    assert_eq!(
        records[2].stdout,
        " ?column? \n----------\n        1\n(1 row)\n\n"
    );
    assert_eq!(
        records[3].stdout,
        "/var/run/postgresql:5432 - accepting connections\n"
    );
    assert_eq!(
        (records[4].stderr.as_str(), records[4].exit_code),
        (
            "ERROR:  relation \"t\" does not exist\nLINE 1: select * from t;\n                      ^\n",
            1
        )
    );
    assert_eq!(
        (records[5].stderr.as_str(), records[5].exit_code),
        (
            "psql: error: connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: FATAL:  role \"root\" does not exist\n",
            2
        )
    );
}

#[test]
fn postgres_without_a_password_refuses_to_initialise() {
    let lab = Fixture::new();
    let records = lab.records("docker pull -q postgres\ndocker run --name pg postgres\n");
    let run = &records[1];
    assert_eq!(run.exit_code, 1, "{run:?}");
    assert!(
        run.stderr.starts_with(
            "Error: Database is uninitialized and superuser password is not specified.\n       You must specify POSTGRES_PASSWORD to a non-empty value for the\n"
        ),
        "{run:?}"
    );
}
