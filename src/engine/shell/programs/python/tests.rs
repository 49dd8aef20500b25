//! The interpreter, pip, flask and http.server, driven as a container runs them.

use super::super::{Ctx, DefaultResolver};
use crate::engine::shell::{Flavour, NullHost, Streams, Vfs, WorkspaceFs};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

pub struct Box_ {
    _dir: tempfile::TempDir,
    pub fs: WorkspaceFs,
    pub host: NullHost,
    pub env: Vec<(String, String)>,
    pub cwd: String,
}

impl Box_ {
    pub fn new() -> Box_ {
        let dir = tempfile::tempdir().unwrap();
        let mut fs = WorkspaceFs::new(dir.path());
        for d in [
            "/app",
            "/usr",
            "/usr/local",
            "/usr/local/bin",
            "/usr/local/lib",
            "/usr/local/lib/python3.12",
            "/usr/local/lib/python3.12/site-packages",
            "/root",
            "/tmp",
        ] {
            let _ = fs.create_dir(d);
        }
        fs.write("/usr/local/bin/python3.12", b"x", false).unwrap();
        Box_ {
            _dir: dir,
            fs,
            host: NullHost::default(),
            env: vec![
                ("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()),
                ("HOME".into(), "/root".into()),
                ("HOSTNAME".into(), "c0ffee".into()),
            ],
            cwd: "/app".into(),
        }
    }

    pub fn write(&mut self, path: &str, text: &str) {
        self.fs.write(path, text.as_bytes(), false).unwrap();
    }

    pub fn run(
        &mut self,
        prog: super::super::Program,
        argv: &[&str],
        stdin: &[u8],
    ) -> (String, String, i32) {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        let mut ctx = Ctx {
            fs: &mut self.fs,
            host: &mut self.host,
            cwd: self.cwd.clone(),
            env: self.env.clone(),
            flavour: Flavour::Ash,
            interrupt: Arc::new(AtomicBool::new(false)),
            columns: None,
            resolver: &DefaultResolver,
        };
        let status = prog(&mut ctx, &argv, Streams::new(stdin, &mut out, &mut err));
        (
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
            status,
        )
    }

    pub fn py(&mut self, src: &str) -> (String, String, i32) {
        self.write("/app/app.py", src);
        self.run(super::python, &["python", "app.py"], b"")
    }
}

pub fn py(src: &str) -> (String, String, i32) {
    Box_::new().py(src)
}

fn out(src: &str) -> String {
    let (o, e, s) = py(src);
    assert_eq!((e.as_str(), s), ("", 0), "stdout: {o}");
    o
}

#[test]
fn expressions_print_as_cpython_prints_them() {
    assert_eq!(
        out("print(1 + 2 * 3, 7 // 2, -7 // 2, 7 % -3, 2 ** 10, 7 / 2)"),
        "7 3 -4 -2 1024 3.5\n"
    );
    assert_eq!(
        out("print(0.1 + 0.2, 1e16, 1e-5, 3.0, 1/3)"),
        "0.30000000000000004 1e+16 1e-05 3.0 0.3333333333333333\n"
    );
    assert_eq!(
        out("print([1, 'a', None, True], (1,), {'k': [1.5]}, set())"),
        "[1, 'a', None, True] (1,) {'k': [1.5]} set()\n"
    );
    assert_eq!(
        out("x = 'it''s'\nprint(repr(\"it's\"), x)"),
        "\"it's\" its\n"
    );
    assert_eq!(
        out("print(1 < 2 < 3, 1 == 1.0, 'a' in 'cat', not [], None is None)"),
        "True True True True True\n"
    );
}

#[test]
fn strings_format_three_ways() {
    assert_eq!(
        out("n = 'py'\nv = 3.14159\nprint(f'{n!r:>6}|{v:.2f}|{1234567:,}|{42:05d}|{n=}')"),
        "  'py'|3.14|1,234,567|00042|n='py'\n"
    );
    assert_eq!(
        out("print('%s is %d years, %.1f%%' % ('Al', 30, 99.5))"),
        "Al is 30 years, 99.5%\n"
    );
    assert_eq!(
        out("print('{} {name} {0}'.format('a', name='b'), '{:^7}'.format('mid'))"),
        "a b a   mid  \n"
    );
    assert_eq!(
        out(
            "s = '  Hello, World  '\nprint(s.strip().lower().split(', '), '-'.join(['a','b']), s.count('l'), 'abc'.upper().replace('B', 'x'))"
        ),
        "['hello', 'world'] a-b 3 AxC\n"
    );
}

#[test]
fn control_flow_and_functions() {
    let src = "def fib(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n\ntotal = 0\ni = 0\nwhile True:\n    i += 1\n    if i % 2 == 0:\n        continue\n    if i > 9:\n        break\n    total += i\nelse:\n    total = -1\nprint(fib(10), total)\ndef greet(name, greeting='Hello', *rest, **opts):\n    return f'{greeting}, {name}! {rest} {opts}'\nprint(greet('Ann'), greet('Bo', 'Hi', 1, 2, x=3))\nprint(sorted([3, 1, 2], reverse=True), [x * x for x in range(5) if x % 2], {k: v for k, v in zip('ab', [1, 2])})\nprint(list(map(lambda x: x + 1, [1, 2])), max([3, 9, 2]), min('bca'), sum(range(101)))\n";
    assert_eq!(
        out(src),
        "55 25\nHello, Ann! () {} Hi, Bo! (1, 2) {'x': 3}\n[3, 2, 1] [1, 9] {'a': 1, 'b': 2}\n[2, 3] 9 a 5050\n"
    );
}

#[test]
fn classes_with_inheritance_and_super() {
    let src = "class Animal:\n    def __init__(self, name):\n        self.name = name\n    def speak(self):\n        return '...'\n    def __repr__(self):\n        return f'{type(self).__name__}({self.name!r})'\nclass Dog(Animal):\n    def __init__(self, name):\n        super().__init__(name)\n        self.tricks = []\n    def speak(self):\n        return 'Woof'\nd = Dog('Rex')\nprint(d.speak(), d.name, d, isinstance(d, Animal), [d])\n";
    assert_eq!(out(src), "Woof Rex Dog('Rex') True [Dog('Rex')]\n");
}

#[test]
fn exceptions_are_caught_raised_and_finally_runs() {
    let src = "try:\n    {}['x']\nexcept KeyError as e:\n    print('missing', e)\nfinally:\n    print('done')\nclass AppError(Exception):\n    pass\ntry:\n    raise AppError('bad thing')\nexcept Exception as e:\n    print(type(e).__name__, e, repr(e))\ntry:\n    int('abc')\nexcept ValueError as e:\n    print(e)\n";
    assert_eq!(
        out(src),
        "missing 'x'\ndone\nAppError bad thing AppError('bad thing')\ninvalid literal for int() with base 10: 'abc'\n"
    );
}

#[test]
fn a_name_error_prints_cpythons_traceback_with_its_caret() {
    let (o, e, s) = py("import os\n\nprint(x)\n");
    assert_eq!(o, "");
    assert_eq!(
        e,
        "Traceback (most recent call last):\n  File \"/app/app.py\", line 3, in <module>\n    print(x)\n          ^\nNameError: name 'x' is not defined\n"
    );
    assert_eq!(s, 1);
}

#[test]
fn tracebacks_walk_the_calls_and_mark_operators_and_subscripts() {
    let (_, e, _) = py("def f():\n    return 1/0\nprint(f())\n");
    assert_eq!(
        e,
        "Traceback (most recent call last):\n  File \"/app/app.py\", line 3, in <module>\n    print(f())\n          ^^^\n  File \"/app/app.py\", line 2, in f\n    return 1/0\n           ~^~\nZeroDivisionError: division by zero\n"
    );
    let (_, e, _) = py("d={}\nd[\"k\"]\n");
    assert_eq!(
        e,
        "Traceback (most recent call last):\n  File \"/app/app.py\", line 2, in <module>\n    d[\"k\"]\n    ~^^^^^\nKeyError: 'k'\n"
    );
    let (_, e, _) = py("raise ValueError('no')\n");
    assert_eq!(
        e,
        "Traceback (most recent call last):\n  File \"/app/app.py\", line 1, in <module>\n    raise ValueError('no')\nValueError: no\n"
    );
}

#[test]
fn syntax_errors_are_reported_before_anything_runs() {
    let cases = [
        (
            "print('start')\nx = 1\nprint(\"a\"\n",
            "  File \"/app/app.py\", line 3\n    print(\"a\"\n         ^\nSyntaxError: '(' was never closed\n",
        ),
        (
            "if x\n  pass\n",
            "  File \"/app/app.py\", line 1\n    if x\n        ^\nSyntaxError: expected ':'\n",
        ),
        (
            "x = )\n",
            "  File \"/app/app.py\", line 1\n    x = )\n        ^\nSyntaxError: unmatched ')'\n",
        ),
        (
            "s = \"abc\n",
            "  File \"/app/app.py\", line 1\n    s = \"abc\n        ^\nSyntaxError: unterminated string literal (detected at line 1)\n",
        ),
        (
            "if 1:\nprint(2)\n",
            "  File \"/app/app.py\", line 2\n    print(2)\n    ^\nIndentationError: expected an indented block after 'if' statement on line 1\n",
        ),
    ];
    for (src, want) in cases {
        let (o, e, s) = py(src);
        assert_eq!((o.as_str(), e.as_str(), s), ("", want, 1), "{src}");
    }
}

#[test]
fn constructs_outside_the_subset_are_refused_by_name() {
    let (_, e, s) = py("import os\n\n\nasync def main():\n    pass\n");
    assert_eq!(
        e,
        "docklab: this lab's python does not support 'async def' and 'async' statements (line 4 of /app/app.py)\n"
    );
    assert_eq!(s, 1);
    let (_, e, _) = py("def g():\n    yield 1\n");
    assert!(e.contains("'yield' (generators)"), "{e}");
    let (_, e, _) = py("import re\n");
    assert!(
        e.starts_with("docklab: this lab's python does not simulate the standard module 're'"),
        "{e}"
    );
}

#[test]
fn invocation_flags_and_missing_scripts() {
    let mut b = Box_::new();
    assert_eq!(
        b.run(super::python, &["python", "--version"], b""),
        ("Python 3.12.11\n".into(), String::new(), 0)
    );
    assert_eq!(
        b.run(
            super::python,
            &["python3", "-c", "import sys; print(sys.argv)", "a"],
            b""
        )
        .0,
        "['-c', 'a']\n"
    );
    let (_, e, s) = b.run(super::python, &["python", "nosuch.py"], b"");
    assert_eq!(
        (e.as_str(), s),
        (
            "python: can't open file '/app/nosuch.py': [Errno 2] No such file or directory\n",
            2
        )
    );
    assert_eq!(
        b.run(super::python, &["python3", "-u"], b"print('from stdin')\n")
            .0,
        "from stdin\n"
    );
    let (_, e, s) = b.run(super::python, &["python", "-c", "import flask"], b"");
    assert_eq!(
        (e.as_str(), s),
        (
            "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\nModuleNotFoundError: No module named 'flask'\n",
            1
        )
    );
}

#[test]
fn files_environment_and_json() {
    let mut b = Box_::new();
    b.env.push(("GREETING".into(), "hi".into()));
    let src = "import os, json, sys\nwith open('data.json', 'w') as f:\n    json.dump({'b': [1, 2], 'a': None}, f, indent=2)\nwith open('data.json') as f:\n    data = json.load(f)\nprint(open('data.json').read())\nprint(data['b'], os.environ.get('GREETING'), os.getenv('NOPE', 'dflt'), os.path.join('/app', 'x.txt'), os.path.exists('data.json'))\nprint(json.dumps({'k': 'v', 'n': 1.5}), file=sys.stderr)\ntry:\n    open('missing.txt')\nexcept FileNotFoundError as e:\n    print(e)\n";
    let (o, e, s) = b.py(src);
    assert_eq!(o, "{\n  \"b\": [\n    1,\n    2\n  ],\n  \"a\": null\n}\n['b'] hi dflt /app/x.txt True\n[Errno 2] No such file or directory: 'missing.txt'\n".replace("['b']", "[1, 2]"));
    assert_eq!((e.as_str(), s), ("{\"k\": \"v\", \"n\": 1.5}\n", 0));
}

#[test]
fn an_endless_loop_stops_when_the_budget_runs_out() {
    let limits = crate::engine::budget::Limits {
        time: std::time::Duration::from_millis(300),
        memory: None,
    };
    let ((_, _, status), tripped) =
        crate::engine::budget::within(limits, || py("n = 0\nwhile True:\n    n += 1\n"));
    assert!(tripped.is_some());
    assert_ne!(status, 0);
}

mod served {
    use crate::engine::fs::LayerStack;
    use crate::engine::net::LogSink;
    use crate::engine::net::app::{App, AppReply, AppRequest, ContainerView};
    use crate::engine::net::live::LiveFs;
    use std::sync::Arc;

    pub fn view(dir: &std::path::Path, logs: LogSink) -> ContainerView {
        let fs = LiveFs::new(
            Arc::new(LayerStack::new(Vec::new())),
            "/nonexistent/upper.tar".into(),
        )
        .with_bind("/", dir.to_path_buf());
        ContainerView::new(
            "c1",
            fs,
            vec!["PATH=/usr/local/bin:/usr/bin:/bin".into()],
            "/app",
            "c0ffee",
            "172.17.0.2",
            crate::engine::clock::Clock::parse_fixed("2026-12-04T18:40:00Z").unwrap(),
            logs,
        )
    }

    pub fn req(
        app: &dyn App,
        method: &str,
        target: &str,
        body: &str,
        ctype: Option<&str>,
    ) -> AppReply {
        let mut headers = vec![("host".to_string(), "localhost:5000".to_string())];
        if let Some(c) = ctype {
            headers.push(("content-type".into(), c.into()));
        }
        app.respond(&AppRequest {
            method: method.into(),
            target: target.into(),
            version: "HTTP/1.1",
            headers,
            body: body.as_bytes().to_vec(),
        })
    }

    pub fn body(r: &AppReply) -> String {
        String::from_utf8_lossy(&r.body).into_owned()
    }

    pub fn header<'a>(r: &'a AppReply, name: &str) -> Option<&'a str> {
        r.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn logs(sink: &LogSink) -> String {
        sink.drain()
            .into_iter()
            .map(|(_, c)| format!("{c:?}"))
            .collect()
    }
}

const FLASK_APP: &str = "from flask import Flask, jsonify, request\n\napp = Flask(__name__)\nhits = 0\n\n@app.route('/')\ndef index():\n    global hits\n    hits += 1\n    return f'Hello from Docker! visit {hits}'\n\n@app.get('/users/<int:uid>')\ndef user(uid):\n    return {'id': uid, 'name': request.args.get('name', 'anon')}\n\n@app.route('/items', methods=['POST'])\ndef add():\n    data = request.get_json()\n    return jsonify(created=data['name']), 201\n\n@app.route('/boom')\ndef boom():\n    return 1 / 0\n\nif __name__ == '__main__':\n    app.run(host='0.0.0.0', port=5000)\n";

fn flask_box() -> Box_ {
    let mut b = Box_::new();
    let site = "/usr/local/lib/python3.12/site-packages";
    b.fs.create_dir(&format!("{site}/flask")).unwrap();
    b.write(&format!("{site}/flask/__init__.py"), "");
    b.write("/app/app.py", FLASK_APP);
    b
}

#[test]
fn app_run_prints_flasks_start_up_lines_and_listens_on_all_addresses() {
    let mut b = flask_box();
    let (o, e, s) = b.run(super::python, &["python", "app.py"], b"");
    assert_eq!(s, 0, "{e}");
    assert_eq!(o, " * Serving Flask app 'app'\n * Debug mode: off\n");
    assert_eq!(
        e,
        "\x1b[31m\x1b[1mWARNING: This is a development server. Do not use it in a production deployment. Use a production WSGI server instead.\x1b[0m\n * Running on all addresses (0.0.0.0)\n * Running on http://127.0.0.1:5000\n * Running on http://172.17.0.2:5000\n\x1b[33mPress CTRL+C to quit\x1b[0m\n"
    );
    assert!(b.host.slept.as_secs() > 1_000_000);
}

#[test]
fn the_flask_service_answers_with_views_json_params_and_werkzeug_pages() {
    let b = flask_box();
    let dir = b._dir.path().to_path_buf();
    let logs = crate::engine::net::LogSink::default();
    let Some(crate::engine::net::Service::Spawn(_)) =
        super::service("flask", "/app/app.py", served::view(&dir, logs.clone()))
    else {
        panic!("no service");
    };
    let app = super::service::flask_app("/app/app.py", served::view(&dir, logs.clone()));
    let r = served::req(&*app, "GET", "/", "", None);
    assert_eq!(
        (r.status, served::body(&r).as_str()),
        (200, "Hello from Docker! visit 1")
    );
    let names: Vec<&str> = r.headers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "Server",
            "Date",
            "Content-Type",
            "Content-Length",
            "Connection"
        ]
    );
    assert_eq!(
        served::header(&r, "Server"),
        Some("Werkzeug/3.1.3 Python/3.12.11")
    );
    assert_eq!(
        served::header(&r, "Date"),
        Some("Fri, 04 Dec 2026 18:40:00 GMT")
    );
    assert_eq!(
        served::body(&served::req(&*app, "GET", "/", "", None)),
        "Hello from Docker! visit 2"
    );
    let r = served::req(&*app, "GET", "/users/7?name=ann", "", None);
    assert_eq!(
        (
            served::body(&r).as_str(),
            served::header(&r, "Content-Type")
        ),
        ("{\"id\":7,\"name\":\"ann\"}\n", Some("application/json"))
    );
    let r = served::req(
        &*app,
        "POST",
        "/items",
        "{\"name\": \"pen\"}",
        Some("application/json"),
    );
    assert_eq!(
        (r.status, served::body(&r).as_str()),
        (201, "{\"created\":\"pen\"}\n")
    );
    let r = served::req(&*app, "GET", "/nope", "", None);
    assert_eq!(
        (r.status, served::body(&r).as_str()),
        (
            404,
            "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n"
        )
    );
    let r = served::req(&*app, "GET", "/items", "", None);
    assert_eq!(
        (r.status, served::header(&r, "Allow")),
        (405, Some("OPTIONS, POST"))
    );
    let r = served::req(&*app, "GET", "/boom", "", None);
    assert_eq!(r.status, 500);
    let log = served::logs(&logs);
    assert!(
        log.contains("172.17.0.1 - - [04/Dec/2026 18:40:00] \\\"GET / HTTP/1.1\\\" 200 -"),
        "{log}"
    );
    assert!(
        log.contains("ERROR in app: Exception on /boom [GET]"),
        "{log}"
    );
    assert!(log.contains("ZeroDivisionError: division by zero"), "{log}");
}

#[test]
fn app_run_on_localhost_is_not_reachable_through_a_published_port() {
    let mut b = flask_box();
    b.write("/app/app.py", &FLASK_APP.replace("host='0.0.0.0', ", ""));
    let (_, e, s) = b.run(super::python, &["python", "app.py"], b"");
    assert_eq!(s, 0);
    assert!(e.contains(" * Running on http://127.0.0.1:5000\n"), "{e}");
    assert!(!e.contains("all addresses"), "{e}");
}

#[test]
fn http_server_lists_directories_serves_files_and_says_file_not_found() {
    let mut b = Box_::new();
    b.write("/app/index.txt", "hello\n");
    b.fs.create_dir("/app/sub").unwrap();
    let (o, _, s) = b.run(
        super::python,
        &["python3", "-m", "http.server", "8000"],
        b"",
    );
    assert_eq!(
        (o.as_str(), s),
        ("Serving HTTP on :: port 8000 (http://[::]:8000/) ...\n", 0)
    );
    let dir = b._dir.path().to_path_buf();
    let logs = crate::engine::net::LogSink::default();
    let app = super::http_server::HttpServer::new("/app:v6", served::view(&dir, logs.clone()));
    let r = served::req(&app, "GET", "/", "", None);
    assert_eq!(served::body(&r), "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Directory listing for /</title>\n</head>\n<body>\n<h1>Directory listing for /</h1>\n<hr>\n<ul>\n<li><a href=\"app.py\">app.py</a></li>\n<li><a href=\"index.txt\">index.txt</a></li>\n<li><a href=\"sub/\">sub/</a></li>\n</ul>\n<hr>\n</body>\n</html>\n".replace("<li><a href=\"app.py\">app.py</a></li>\n", ""));
    assert_eq!(
        served::header(&r, "Server"),
        Some("SimpleHTTP/0.6 Python/3.12.11")
    );
    let r = served::req(&app, "GET", "/index.txt", "", None);
    assert_eq!(
        (
            served::body(&r).as_str(),
            served::header(&r, "Content-Type")
        ),
        ("hello\n", Some("text/plain"))
    );
    let r = served::req(&app, "GET", "/sub", "", None);
    assert_eq!(
        (r.status, served::header(&r, "Location")),
        (301, Some("/sub/"))
    );
    let r = served::req(&app, "GET", "/missing", "", None);
    assert_eq!(r.status, 404);
    assert!(served::body(&r).contains("<p>Message: File not found.</p>\n        <p>Error code explanation: 404 - Nothing matches the given URI.</p>"));
    let log = served::logs(&logs);
    assert!(
        log.contains("::ffff:172.17.0.1 - - [04/Dec/2026 18:40:00] \\\"GET / HTTP/1.1\\\" 200 -"),
        "{log}"
    );
    assert!(log.contains("code 404, message File not found"), "{log}");
}
