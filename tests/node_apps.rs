//! Node.js apps from the hub's node images, end to end as tutorials build them: an
//! Express app whose Dockerfile runs `npm install`, started with `npm start` in a
//! detached container and curled through its published port; a script with a
//! SyntaxError and a package npm cannot find, each failing as node and npm do.

use crate::support::Fixture;

const PACKAGE_JSON: &str = r#"{
  "name": "app",
  "version": "1.0.0",
  "main": "server.js",
  "scripts": {
    "start": "node server.js"
  },
  "dependencies": {
    "express": "^4.18.2"
  }
}
"#;

const SERVER_JS: &str = "const express = require('express');\nconst app = express();\napp.use(express.json());\nconst PORT = process.env.PORT || 3000;\nconst todos = [];\napp.get('/', (req, res) => res.send('Hello from Docker!'));\napp.post('/todos', (req, res) => {\n  todos.push(req.body.title);\n  console.log(`added ${req.body.title}`);\n  res.status(201).json({ count: todos.length });\n});\napp.listen(PORT, () => console.log(`Server listening on port ${PORT}`));\n";

const DOCKERFILE: &str = "FROM node:22-alpine\nWORKDIR /app\nCOPY package*.json ./\nRUN npm install\nCOPY . .\nEXPOSE 3000\nCMD [\"npm\", \"start\"]\n";

fn workspace(lab: &Fixture, files: &[(&str, &str)]) {
    let ws = lab.workspace();
    std::fs::create_dir_all(&ws).unwrap();
    for (name, text) in files {
        std::fs::write(ws.join(name), text).unwrap();
    }
}

#[test]
fn an_express_app_built_with_npm_install_answers_curl() {
    let lab = Fixture::new();
    workspace(
        &lab,
        &[
            ("package.json", PACKAGE_JSON),
            ("server.js", SERVER_JS),
            ("Dockerfile", DOCKERFILE),
        ],
    );
    let records = lab.records(
        "docker build -t app .\n\
         docker run -d -p 3000:3000 --name web app\n\
         curl -si localhost:3000\n\
         curl -s -X POST -H 'Content-Type: application/json' -d '{\"title\":\"ship it\"}' localhost:3000/todos\n\
         curl -s localhost:3000/nope\n\
         docker logs web\n\
         docker run --rm app npm ls\n\
         docker run --rm app cat package-lock.json\n",
    );
    let build = &records[0];
    assert_eq!(build.exit_code, 0, "{build:?}");
    assert!(
        build.stdout.contains(
            "\nadded 69 packages, and audited 70 packages in 2s\n\n14 packages are looking for funding\n  run `npm fund` for details\n\nfound 0 vulnerabilities\n"
        ),
        "{}",
        build.stdout
    );
    assert_eq!(records[1].exit_code, 0, "{:?}", records[1]);
    let head = records[2].stdout.replace('\r', "");
    assert!(head.starts_with("HTTP/1.1 200 OK\nX-Powered-By: Express\nContent-Type: text/html; charset=utf-8\nContent-Length: 18\n"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("\netag: w/\"12-fst61i6w5gzu1u0e7t05dt2b6xu\"\n"),
        "{head}"
    );
    assert!(
        head.contains("\nConnection: keep-alive\nKeep-Alive: timeout=5\n"),
        "{head}"
    );
    assert!(head.ends_with("\n\nHello from Docker!"), "{head}");
    assert_eq!(records[3].stdout, "{\"count\":1}");
    assert!(
        records[4].stdout.contains("<pre>Cannot GET /nope</pre>"),
        "{:?}",
        records[4]
    );
    let logs = &records[5].stdout;
    assert!(
        logs.starts_with(
            "\n> app@1.0.0 start\n> node server.js\n\nServer listening on port 3000\n"
        ),
        "{logs}"
    );
    assert!(logs.contains("added ship it\n"), "{logs}");
    assert!(!records[5].stderr.contains("npm error"), "{:?}", records[5]);
    assert_eq!(records[6].stdout, "app@1.0.0 /app\n└── express@4.21.2\n\n");
    let lock: serde_json::Value = serde_json::from_str(&records[7].stdout).unwrap();
    assert_eq!(lock["lockfileVersion"], 3);
    assert_eq!(lock["packages"][""]["dependencies"]["express"], "^4.18.2");
    assert_eq!(
        lock["packages"]["node_modules/express"]["version"],
        "4.21.2"
    );
    assert_eq!(
        lock["packages"]["node_modules/send/node_modules/ms"]["version"],
        "2.1.3"
    );
    assert_eq!(lock["packages"].as_object().map(|p| p.len()), Some(70));
}

#[test]
fn a_syntax_error_fails_the_container_as_node_reports_it() {
    let lab = Fixture::new();
    workspace(
        &lab,
        &[
            ("server.js", "const http = require('http');\nres.end('hi'\n"),
            (
                "Dockerfile",
                "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"server.js\"]\n",
            ),
        ],
    );
    let records = lab.records(
        "docker build -t bad .\ndocker run --rm bad\ndocker run --rm bad node --version\n",
    );
    assert_eq!(records[0].exit_code, 0, "{:?}", records[0]);
    assert_eq!(records[1].exit_code, 1, "{:?}", records[1]);
    assert!(
        records[1].stderr.starts_with(
            "/app/server.js:2\nres.end('hi'\n        ^^^^\n\nSyntaxError: missing ) after argument list\n    at wrapSafe (node:internal/modules/cjs/loader:"
        ),
        "{:?}",
        records[1]
    );
    assert!(
        records[1].stderr.ends_with("\n\nNode.js v22.17.0\n"),
        "{:?}",
        records[1]
    );
    assert_eq!(records[2].stdout, "v22.17.0\n");
}

#[test]
fn a_package_missing_from_the_registry_is_npm_e404_and_installs_nothing() {
    let lab = Fixture::new();
    workspace(
        &lab,
        &[(
            "Dockerfile",
            "FROM node:22-alpine\nWORKDIR /app\nRUN npm init -y\nRUN npm install nosuchpkg-docklab\n",
        )],
    );
    let records = lab.records("docker build -t e404 .\n");
    let build = &records[0];
    assert_ne!(build.exit_code, 0, "{build:?}");
    let text = format!("{}{}", build.stdout, build.stderr);
    assert!(
        text.contains(
            "npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/nosuchpkg-docklab - Not found\nnpm error 404\nnpm error 404  'nosuchpkg-docklab@*' is not in this registry.\nnpm error 404\nnpm error 404 Note that you can also install from a\nnpm error 404 tarball, folder, http url, or git url.\nnpm error A complete log of this run can be found in: /root/.npm/_logs/2026-03-01T12_00_"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "Wrote to /app/package.json:\n\n{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\","
        ),
        "{text}"
    );
}
