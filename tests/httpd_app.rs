//! Apache httpd from the hub's httpd:2.4 image, end to end: a detached container with a
//! published port serves "It works!" to the lab's curl, files bind-mounted over the
//! DocumentRoot, Apache's 404 page, and `docker logs` shows Apache's start-up lines
//! and its common-format access log.

use crate::support::Fixture;

const IT_WORKS: &str = "<html><body><h1>It works!</h1></body></html>\n";

#[test]
fn httpd_serves_it_works_and_logs_its_requests() {
    let lab = Fixture::new();
    let records = lab.records(
        "docker run -d -p 8080:80 --name web httpd:2.4\n\
         curl -s localhost:8080\n\
         curl -s localhost:8080/missing.html\n\
         curl -sI localhost:8080/\n\
         docker logs web\n",
    );
    assert_eq!(records[0].exit_code, 0, "{:?}", records[0]);
    assert_eq!(records[1].stdout, IT_WORKS);
    assert_eq!(
        records[2].stdout,
        "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n"
    );
    let head = records[3].stdout.replace('\r', "");
    assert!(head.starts_with("HTTP/1.1 200 OK\n"), "{head}");
    assert!(head.contains("\nServer: Apache/2.4.63 (Unix)\n"), "{head}");
    assert!(head.contains("\nContent-Length: 45\n"), "{head}");
    assert!(head.contains("\nAccept-Ranges: bytes\n"), "{head}");
    // Apache writes `ETag`; the lab's HTTP layer title-cases header names (`Etag`).
    assert!(
        head.to_ascii_lowercase().contains("\netag: \"2d-"),
        "{head}"
    );
    let logs = format!("{}{}", records[4].stdout, records[4].stderr);
    let ah00558 = "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 172.17.0.2. Set the 'ServerName' directive globally to suppress this message\n";
    assert_eq!(logs.matches(ah00558).count(), 2, "{logs}");
    assert!(
        logs.contains("] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.63 (Unix) configured -- resuming normal operations\n"),
        "{logs}"
    );
    assert!(
        logs.contains(
            "] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'\n"
        ),
        "{logs}"
    );
    assert!(
        records[4]
            .stdout
            .contains("172.17.0.1 - - [01/Mar/2026:12:00:"),
        "{logs}"
    );
    assert!(
        records[4].stdout.contains("\"GET / HTTP/1.1\" 200 45\n"),
        "{logs}"
    );
    assert!(
        records[4]
            .stdout
            .contains("\"GET /missing.html HTTP/1.1\" 404 196\n"),
        "{logs}"
    );
    assert!(
        records[4].stdout.contains("\"HEAD / HTTP/1.1\" 200 -\n"),
        "{logs}"
    );
    assert!(
        records[4].stderr.contains("AH00489"),
        "start-up lines go to stderr"
    );
}

#[test]
fn a_bind_mount_over_htdocs_is_served_and_listed() {
    let lab = Fixture::new();
    std::fs::create_dir_all(lab.workspace().join("site/docs")).unwrap();
    std::fs::write(lab.workspace().join("site/index.html"), "<h1>mine</h1>\n").unwrap();
    std::fs::write(lab.workspace().join("site/docs/notes.txt"), "hello\n").unwrap();
    let records = lab.records(
        "docker run -d -p 8081:80 -v $PWD/site:/usr/local/apache2/htdocs --name mine httpd:2.4\n\
         curl -s localhost:8081/\n\
         curl -s localhost:8081/docs/\n\
         curl -s localhost:8081/docs/notes.txt\n",
    );
    assert_eq!(records[0].exit_code, 0, "{:?}", records[0]);
    assert_eq!(records[1].stdout, "<h1>mine</h1>\n");
    assert!(
        records[2]
            .stdout
            .contains("<h1>Index of /docs</h1>\n<ul><li><a href=\"/\"> Parent Directory</a></li>\n<li><a href=\"notes.txt\"> notes.txt</a></li>\n</ul>"),
        "{}",
        records[2].stdout
    );
    assert_eq!(records[3].stdout, "hello\n");
}

#[test]
fn httpd_answers_its_options_in_a_container() {
    let lab = Fixture::new();
    let records = lab.records(
        "docker run --rm httpd:2.4 httpd -v\n\
         docker run --rm httpd:2.4 httpd -t\n",
    );
    assert!(
        records[0]
            .stdout
            .starts_with("Server version: Apache/2.4.63 (Unix)\nServer built:   "),
        "{:?}",
        records[0]
    );
    assert!(
        records[1].stderr.ends_with("Syntax OK\n"),
        "{:?}",
        records[1]
    );
}
