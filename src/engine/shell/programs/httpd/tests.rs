use super::*;
use crate::engine::clock::Clock;
use crate::engine::fs::{Layer, LayerStack};
use crate::engine::net::LogSink;
use crate::engine::net::live::LiveFs;
use crate::engine::shell::{DefaultResolver, Flavour, Host, WorkspaceFs};
use std::sync::atomic::AtomicBool;

/// The start of the image's httpd.conf, with the directives the lab reads.
const IMAGE_CONF: &str = r#"ServerRoot "/usr/local/apache2"
Listen 80
LoadModule mpm_event_module modules/mod_mpm_event.so
ServerAdmin you@example.com
#ServerName www.example.com:80
<Directory />
    AllowOverride none
    Require all denied
</Directory>
DocumentRoot "/usr/local/apache2/htdocs"
<Directory "/usr/local/apache2/htdocs">
    Options Indexes FollowSymLinks
    AllowOverride None
    Require all granted
</Directory>
<IfModule dir_module>
    DirectoryIndex index.html
</IfModule>
<Files ".ht*">
    Require all denied
</Files>
ErrorLog /proc/self/fd/2
"#;

const IT_WORKS: &str = "<html><body><h1>It works!</h1></body></html>\n";

#[test]
fn reads_the_image_configuration() {
    let conf = parse_conf(IMAGE_CONF, SERVER_ROOT);
    assert_eq!(conf.port, 80);
    assert!(conf.all_addresses);
    assert_eq!(conf.docroot, "/usr/local/apache2/htdocs");
    assert_eq!(conf.server_name, None);
    assert!(conf.indexes);
    assert_eq!(conf.modules, ["mpm_event_module"]);
    assert_eq!(conf.error_log, "/proc/self/fd/2");
    let other = parse_conf(
        "Listen 127.0.0.1:8080\nDocumentRoot site\nServerName web.local\n<Directory \"/usr/local/apache2/site\">\n Options -Indexes\n</Directory>\n<VirtualHost *:80>\nServerName other\nDocumentRoot /x\n</VirtualHost>\n",
        SERVER_ROOT,
    );
    assert_eq!(other.port, 8080);
    assert!(!other.all_addresses);
    assert_eq!(other.docroot, "/usr/local/apache2/site");
    assert_eq!(other.server_name.as_deref(), Some("web.local"));
    assert!(!other.indexes);
    assert_eq!(parse_conf("Listen [::]:81\n", "/").port, 81);
    assert!(parse_conf("Listen [::]:81\n", "/").all_addresses);
}

#[derive(Default)]
struct Recorder {
    listened: Vec<(u16, String)>,
    slept: Duration,
}

impl Host for Recorder {
    fn run_external(
        &mut self,
        _argv: &[String],
        _env: &[(String, String)],
        _cwd: &str,
        _streams: Streams<'_>,
    ) -> Option<i32> {
        None
    }
    fn sleep(&mut self, duration: Duration) {
        self.slept += duration;
    }
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339("2026-12-04T18:40:00.123456Z")
            .unwrap()
            .into()
    }
    fn listen(&mut self, port: u16, program: &str) {
        self.listened.push((port, program.to_string()));
    }
}

fn image_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let put = |p: &str, text: &str| {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    put("usr/local/apache2/conf/httpd.conf", IMAGE_CONF);
    put("usr/local/apache2/htdocs/index.html", IT_WORKS);
    std::fs::create_dir_all(dir.path().join("usr/local/apache2/logs")).unwrap();
    put(
        "etc/hosts",
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n172.17.0.2\t4f2c9a1b3d5e\n",
    );
    put("etc/hostname", "4f2c9a1b3d5e\n");
    dir
}

/// Runs httpd with `args` over `root`: (stdout, stderr, status, host).
fn run(root: &tempfile::TempDir, args: &[&str]) -> (String, String, i32, Recorder) {
    let mut fs = WorkspaceFs::new(root.path());
    let mut host = Recorder::default();
    let mut ctx = Ctx {
        fs: &mut fs,
        host: &mut host,
        cwd: "/usr/local/apache2".into(),
        env: vec![("HTTPD_VERSION".into(), "2.4.63".into())],
        flavour: Flavour::Bash,
        interrupt: Arc::new(AtomicBool::new(false)),
        columns: None,
        resolver: &DefaultResolver,
    };
    let argv: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let status = httpd(&mut ctx, &argv, Streams::new(b"", &mut out, &mut err));
    (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
        status,
        host,
    )
}

const AH00558: &str = "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using 172.17.0.2. Set the 'ServerName' directive globally to suppress this message\n";

#[test]
fn foreground_prints_apache_start_up_lines_listens_and_waits() {
    let root = image_root();
    let (out, err, status, host) = run(&root, &["httpd", "-DFOREGROUND"]);
    assert_eq!(status, 0);
    assert_eq!(out, "");
    assert_eq!(
        err,
        format!(
            "{AH00558}{AH00558}[Fri Dec 04 18:40:00.123456 2026] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.63 (Unix) configured -- resuming normal operations\n[Fri Dec 04 18:40:00.123456 2026] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'\n"
        )
    );
    assert_eq!(
        host.listened,
        [(80, "httpd:/usr/local/apache2/htdocs".to_string())]
    );
    assert!(host.slept >= FOREVER);
    assert_eq!(
        std::fs::read_to_string(root.path().join("usr/local/apache2/logs/httpd.pid")).unwrap(),
        "1\n"
    );
    // A restart finds the pid file the last run left.
    let (_, err, _, _) = run(&root, &["httpd", "-D", "FOREGROUND"]);
    assert!(err.contains("[core:warn] [pid 1:tid 1] AH00098: pid file /usr/local/apache2/logs/httpd.pid overwritten -- Unclean shutdown of previous Apache run?\n"), "{err}");
}

#[test]
fn version_syntax_check_usage_and_daemon_mode() {
    let root = image_root();
    let (out, _, status, _) = run(&root, &["httpd", "-v"]);
    assert_eq!(status, 0);
    assert!(
        out.starts_with("Server version: Apache/2.4.63 (Unix)\nServer built:   "),
        "{out}"
    );
    let (_, err, status, host) = run(&root, &["httpd", "-t"]);
    assert_eq!((status, err), (0, format!("{AH00558}Syntax OK\n")));
    assert!(host.listened.is_empty());
    let (_, err, status, _) = run(&root, &["httpd", "-z"]);
    assert_eq!(status, 1);
    assert!(err.starts_with("httpd: illegal option -- z\nUsage: httpd [-D name] [-d directory] [-f file]\n             [-C \"directive\"]"), "{err}");
    // Without -DFOREGROUND Apache detaches: the container's process ends at once.
    let (_, err, status, host) = run(&root, &["httpd"]);
    assert_eq!((status, err), (0, format!("{AH00558}{AH00558}")));
    assert!(host.listened.is_empty());
    // A ServerName silences AH00558; a loopback Listen is not reachable from outside.
    std::fs::write(
        root.path().join("usr/local/apache2/conf/httpd.conf"),
        format!("{IMAGE_CONF}ServerName localhost\nListen 127.0.0.1:8080\n")
            .replace("Listen 80\n", ""),
    )
    .unwrap();
    let (_, err, _, host) = run(&root, &["httpd", "-DFOREGROUND"]);
    assert!(!err.contains("AH00558"), "{err}");
    assert!(host.listened.is_empty());
}

/// A layer tar of `(path, Some(text))` files and `(path, None)` directories.
fn tar_of(entries: &[(&str, Option<&str>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, text) in entries {
        let mut h = tar::Header::new_ustar();
        h.set_mtime(1_700_000_000);
        match text {
            Some(t) => {
                h.set_mode(0o644);
                h.set_size(t.len() as u64);
                h.set_entry_type(tar::EntryType::Regular);
                b.append_data(&mut h, path, t.as_bytes()).unwrap();
            }
            None => {
                h.set_mode(0o755);
                h.set_size(0);
                h.set_entry_type(tar::EntryType::Directory);
                b.append_data(&mut h, format!("{path}/"), std::io::empty())
                    .unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

fn site(dir: &tempfile::TempDir, logs: &LogSink) -> Site {
    let tar = tar_of(&[
        ("usr", None),
        ("usr/local", None),
        ("usr/local/apache2", None),
        ("usr/local/apache2/conf", None),
        ("usr/local/apache2/conf/httpd.conf", Some(IMAGE_CONF)),
        ("usr/local/apache2/htdocs", None),
        ("usr/local/apache2/htdocs/index.html", Some(IT_WORKS)),
        ("usr/local/apache2/htdocs/docs", None),
        ("usr/local/apache2/htdocs/docs/a b.txt", Some("hello\n")),
        ("usr/local/apache2/htdocs/docs/img", None),
        ("usr/local/apache2/htdocs/docs/.htaccess", Some("x")),
        ("usr/local/apache2/htdocs/data.bin", Some("\x01\x02")),
    ]);
    let layer = Layer::from_tar(Arc::from(tar)).unwrap();
    let fs = LiveFs::new(
        Arc::new(LayerStack::new(vec![Arc::new(layer)])),
        dir.path().join("upper.tar"),
    );
    let view = ContainerView::new(
        "c1",
        fs,
        vec!["HTTPD_VERSION=2.4.63".into()],
        "/usr/local/apache2",
        "4f2c9a1b3d5e",
        "172.17.0.2",
        Clock::parse_fixed("2026-12-04T18:40:00Z").unwrap(),
        logs.clone(),
    );
    let conf = parse_conf(IMAGE_CONF, SERVER_ROOT);
    Site {
        server: "Apache/2.4.63 (Unix)".into(),
        conf,
        view,
    }
}

fn get(site: &Site, method: &str, target: &str) -> AppReply {
    site.respond(&AppRequest {
        method: method.into(),
        target: target.into(),
        version: "HTTP/1.1",
        headers: vec![
            ("host".into(), "localhost:8080".into()),
            ("user-agent".into(), "curl/8.14.1".into()),
        ],
        body: Vec::new(),
    })
}

fn header<'a>(r: &'a AppReply, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn serves_it_works_with_apache_headers_and_logs_the_request() {
    let dir = tempfile::tempdir().unwrap();
    let logs = LogSink::default();
    let site = site(&dir, &logs);
    let r = get(&site, "GET", "/");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, IT_WORKS.as_bytes());
    let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Date",
            "Server",
            "Last-Modified",
            "ETag",
            "Accept-Ranges",
            "Content-Length",
            "Content-Type"
        ]
    );
    assert_eq!(header(&r, "Date"), Some("Fri, 04 Dec 2026 18:40:00 GMT"));
    assert_eq!(header(&r, "Server"), Some("Apache/2.4.63 (Unix)"));
    assert_eq!(
        header(&r, "Last-Modified"),
        Some("Tue, 14 Nov 2023 22:13:20 GMT")
    );
    // Size 45 and the mtime in microseconds, both in hex.
    assert_eq!(header(&r, "ETag"), Some("\"2d-60a24181e4000\""));
    assert_eq!(header(&r, "Content-Length"), Some("45"));
    assert_eq!(header(&r, "Content-Type"), Some("text/html"));
    let lines = logs.drain();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].1.stream, 1);
    assert_eq!(
        lines[0].1.text,
        "172.17.0.1 - - [04/Dec/2026:18:40:00 +0000] \"GET / HTTP/1.1\" 200 45\n"
    );
    // The same ETag back: 304 and no body.
    let again = site.respond(&AppRequest {
        method: "GET".into(),
        target: "/".into(),
        version: "HTTP/1.1",
        headers: vec![("if-none-match".into(), "\"2d-60a24181e4000\"".into())],
        body: Vec::new(),
    });
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    // HEAD logs no bytes; a file of an unknown type gets no Content-Type.
    let head = get(&site, "HEAD", "/data.bin");
    assert_eq!(head.status, 200);
    assert_eq!(header(&head, "Content-Type"), None);
    assert!(
        logs.drain()[1]
            .1
            .text
            .ends_with("\"HEAD /data.bin HTTP/1.1\" 200 -\n")
    );
}

#[test]
fn missing_files_get_apache_404_page() {
    let dir = tempfile::tempdir().unwrap();
    let logs = LogSink::default();
    let site = site(&dir, &logs);
    let r = get(&site, "GET", "/nope.html");
    assert_eq!(r.status, 404);
    assert_eq!(
        String::from_utf8(r.body.clone()).unwrap(),
        "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n"
    );
    assert_eq!(r.body.len(), 196);
    assert_eq!(
        header(&r, "Content-Type"),
        Some("text/html; charset=iso-8859-1")
    );
    assert!(
        logs.drain()[0]
            .1
            .text
            .ends_with("\"GET /nope.html HTTP/1.1\" 404 196\n")
    );
    assert_eq!(get(&site, "GET", "/docs/.htaccess").status, 403);
    assert_eq!(get(&site, "GET", "/../../etc/passwd").status, 400);
    assert_eq!(get(&site, "DELETE", "/index.html").status, 405);
}

#[test]
fn directories_redirect_then_list_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let logs = LogSink::default();
    let site = site(&dir, &logs);
    let r = get(&site, "GET", "/docs");
    assert_eq!(r.status, 301);
    assert_eq!(header(&r, "Location"), Some("http://localhost:8080/docs/"));
    assert!(String::from_utf8_lossy(&r.body).contains(
        "<p>The document has moved <a href=\"http://localhost:8080/docs/\">here</a>.</p>"
    ));
    let r = get(&site, "GET", "/docs/");
    assert_eq!(r.status, 200);
    assert_eq!(
        String::from_utf8(r.body).unwrap(),
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html>\n <head>\n  <title>Index of /docs</title>\n </head>\n <body>\n<h1>Index of /docs</h1>\n<ul><li><a href=\"/\"> Parent Directory</a></li>\n<li><a href=\"a%20b.txt\"> a b.txt</a></li>\n<li><a href=\"img/\"> img/</a></li>\n</ul>\n</body></html>\n"
    );
    let r = get(&site, "GET", "/docs/a%20b.txt");
    assert_eq!((r.status, r.body), (200, b"hello\n".to_vec()));
}

#[test]
fn a_file_copied_into_the_running_container_is_served_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let logs = LogSink::default();
    let site = site(&dir, &logs);
    assert_eq!(get(&site, "GET", "/new.css").status, 404);
    let tar = tar_of(&[("usr/local/apache2/htdocs/new.css", Some("p{}\n"))]);
    std::fs::write(dir.path().join("upper.tar"), tar).unwrap();
    let r = get(&site, "GET", "/new.css");
    assert_eq!(r.status, 200);
    assert_eq!(header(&r, "Content-Type"), Some("text/css"));
}

#[test]
fn ranges_and_conditional_requests_as_apache_answers_them() {
    let dir = tempfile::tempdir().unwrap();
    let logs = LogSink::default();
    let site = site(&dir, &logs);
    let with = |name: &str, value: &str| {
        site.respond(&AppRequest {
            method: "GET".into(),
            target: "/".into(),
            version: "HTTP/1.1",
            headers: vec![(name.into(), value.into())],
            body: Vec::new(),
        })
    };
    let r = with("range", "bytes=0-5");
    assert_eq!(r.status, 206);
    assert_eq!(r.body, b"<html>");
    assert_eq!(header(&r, "Content-Range"), Some("bytes 0-5/45"));
    assert_eq!(header(&r, "Content-Length"), Some("6"));
    assert_eq!(with("range", "bytes=-2").body, b">\n");
    let r = with("range", "bytes=100-");
    assert_eq!(r.status, 416);
    assert_eq!(header(&r, "Content-Range"), Some("bytes */45"));
    assert_eq!(with("range", "bytes=0-1,4-5").status, 200);
    assert_eq!(
        with("if-modified-since", "Tue, 14 Nov 2023 22:13:20 GMT").status,
        304
    );
    assert_eq!(
        with("if-modified-since", "Mon, 13 Nov 2023 22:13:20 GMT").status,
        200
    );
    assert!(
        logs.drain()[0]
            .1
            .text
            .ends_with("\"GET / HTTP/1.1\" 206 6\n")
    );
}

#[test]
fn dumps_modules_and_run_settings_and_needs_an_mpm() {
    let root = image_root();
    let (out, err, status, _) = run(&root, &["httpd", "-M"]);
    assert_eq!(status, 0);
    assert_eq!(err, AH00558);
    assert_eq!(
        out,
        "Loaded Modules:\n core_module (static)\n so_module (static)\n http_module (static)\n mpm_event_module (shared)\n"
    );
    let (out, _, _, _) = run(&root, &["httpd", "-S"]);
    assert!(out.starts_with("VirtualHost configuration:\nServerRoot: \"/usr/local/apache2\"\nMain DocumentRoot: \"/usr/local/apache2/htdocs\"\nMain ErrorLog: \"/proc/self/fd/2\"\n"), "{out}");
    assert!(
        out.contains("\nDefine: DUMP_VHOSTS\nDefine: DUMP_RUN_CFG\n"),
        "{out}"
    );
    std::fs::write(
        root.path().join("usr/local/apache2/conf/httpd.conf"),
        IMAGE_CONF.replace(
            "LoadModule mpm_event_module",
            "#LoadModule mpm_event_module",
        ),
    )
    .unwrap();
    let (_, err, status, host) = run(&root, &["httpd", "-DFOREGROUND"]);
    assert_eq!(
        (status, err.as_str()),
        (1, "AH00534: httpd: Configuration error: No MPM loaded.\n")
    );
    assert!(host.listened.is_empty());
}
