//! Python apps from the hub's python images, end to end as tutorials build them: a
//! Flask app whose Dockerfile runs `pip install -r requirements.txt`, started in a
//! detached container and curled through its published port; a requirement pip
//! cannot find and a script with a SyntaxError, each failing as pip and CPython do.

use crate::support::Fixture;

const APP_PY: &str = "from flask import Flask, jsonify\n\napp = Flask(__name__)\n\n@app.route('/')\ndef hello():\n    return 'Hello from Flask in Docker!'\n\n@app.route('/api/<name>')\ndef api(name):\n    return jsonify(greeting=f'hi {name}')\n\nif __name__ == '__main__':\n    app.run(host='0.0.0.0', port=5000)\n";

const DOCKERFILE: &str = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nEXPOSE 5000\nCMD [\"python\", \"app.py\"]\n";

fn workspace(lab: &Fixture, files: &[(&str, &str)]) {
    let ws = lab.workspace();
    std::fs::create_dir_all(&ws).unwrap();
    for (name, text) in files {
        std::fs::write(ws.join(name), text).unwrap();
    }
}

#[test]
fn a_flask_app_built_with_pip_install_answers_curl() {
    let lab = Fixture::new();
    workspace(
        &lab,
        &[
            ("requirements.txt", "flask==3.1.1\n"),
            ("app.py", APP_PY),
            ("Dockerfile", DOCKERFILE),
        ],
    );
    let records = lab.records(
        "docker build -t app .\n\
         docker run -d -p 5000:5000 --name web app\n\
         curl -si localhost:5000\n\
         curl -s localhost:5000/api/ann\n\
         curl -s localhost:5000/nope\n\
         docker logs web\n",
    );
    let build = &records[0];
    assert_eq!(build.exit_code, 0, "{build:?}");
    let text = format!("{}{}", build.stdout, build.stderr);
    assert!(
        text.contains("Collecting flask==3.1.1 (from -r requirements.txt (line 1))\n  Downloading flask-3.1.1-py3-none-any.whl.metadata (3.0 kB)\n"),
        "{text}"
    );
    assert!(
        text.contains("Successfully installed Flask-3.1.1 Jinja2-3.1.6 MarkupSafe-3.0.2 Werkzeug-3.1.3 blinker-1.9.0 click-8.2.1 itsdangerous-2.2.0\n"),
        "{text}"
    );
    assert!(
        text.contains("WARNING: Running pip as the 'root' user"),
        "{text}"
    );
    assert_eq!(records[1].exit_code, 0, "{:?}", records[1]);
    let head = records[2].stdout.replace('\r', "");
    assert!(head.starts_with("HTTP/1.1 200 OK\n"), "{head}");
    assert!(
        head.contains("Server: Werkzeug/3.1.3 Python/3.12.11\n"),
        "{head}"
    );
    assert!(
        head.contains("Content-Type: text/html; charset=utf-8\n"),
        "{head}"
    );
    assert!(head.ends_with("\n\nHello from Flask in Docker!"), "{head}");
    assert_eq!(records[3].stdout, "{\"greeting\":\"hi ann\"}\n");
    assert!(
        records[4].stdout.contains("<title>404 Not Found</title>"),
        "{:?}",
        records[4]
    );
    let logs = format!("{}{}", records[5].stdout, records[5].stderr);
    assert!(
        logs.contains(" * Serving Flask app 'app'\n * Debug mode: off\n"),
        "{logs}"
    );
    assert!(
        logs.contains(" * Running on http://172.17.0.2:5000\n"),
        "{logs}"
    );
    assert!(logs.contains("\"GET / HTTP/1.1\" 200 -"), "{logs}");
}

#[test]
fn a_requirement_pip_cannot_find_fails_the_build() {
    let lab = Fixture::new();
    workspace(
        &lab,
        &[
            ("requirements.txt", "flask\nnosuchpkg==1.0\n"),
            ("app.py", APP_PY),
            ("Dockerfile", DOCKERFILE),
        ],
    );
    let records = lab.records("docker build -t app .\n");
    let build = &records[0];
    assert_ne!(build.exit_code, 0, "{build:?}");
    let text = format!("{}{}", build.stdout, build.stderr);
    assert!(
        text.contains("ERROR: Could not find a version that satisfies the requirement nosuchpkg==1.0 (from -r requirements.txt (line 2)) (from versions: none)\nERROR: No matching distribution found for nosuchpkg==1.0\n"),
        "{text}"
    );
}

#[test]
fn a_script_with_a_syntax_error_exits_as_cpython_does() {
    let lab = Fixture::new();
    workspace(
        &lab,
        &[
            ("app.py", "print('starting'\n"),
            (
                "Dockerfile",
                "FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nCMD [\"python\", \"app.py\"]\n",
            ),
        ],
    );
    let records = lab.records("docker build -t bad .\ndocker run --rm bad\n");
    assert_eq!(records[0].exit_code, 0, "{:?}", records[0]);
    let run = &records[1];
    assert_eq!(run.exit_code, 1, "{run:?}");
    assert_eq!(
        run.stderr,
        "  File \"/app/app.py\", line 1\n    print('starting'\n         ^\nSyntaxError: '(' was never closed\n"
    );
}
