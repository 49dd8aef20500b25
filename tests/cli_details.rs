//! Small things the real tools do that lessons lean on: `curl -o /dev/null -w` in the
//! lab's shell, and several `--filter label=` flags that must all match.

use crate::support::Fixture;

#[test]
fn curl_can_throw_the_body_away_and_print_the_status() {
    let lab = Fixture::new();
    let records = lab.records(
        "docker run -d -p 8080:80 nginx
curl -s -o /dev/null -w '%{http_code}\\n' localhost:8080
curl -s -o /dev/null -w '%{http_code}\\n' localhost:8080/nope
",
    );
    assert_eq!(records[1].stdout, "200\n", "{:?}", records[1].stderr);
    assert_eq!(records[1].exit_code, 0);
    assert_eq!(records[2].stdout, "404\n");
}

#[test]
fn label_filters_must_all_match() {
    let lab = Fixture::new();
    let records = lab.records(
        "docker create --name both -l tier=web -l env=prod busybox true
docker create --name one -l tier=web busybox true
docker ps -a --filter label=tier=web --filter label=env=prod --format '{{.Names}}'
docker ps -a --filter label=tier=web --format '{{.Names}}' | sort
",
    );
    assert_eq!(records[2].stdout, "both\n");
    assert_eq!(records[3].stdout, "both\none\n");
}
