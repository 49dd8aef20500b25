//! Tests of the lab's node: the language, inspect's formatting, errors as node prints
//! them, the budget, servers, and Express answering requests.

use super::*;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// Files in memory, a fixed clock, and a record of what listened.
#[derive(Default, Clone)]
struct MemHost {
    files: Rc<RefCell<BTreeMap<String, Vec<u8>>>>,
    listened: Rc<RefCell<Vec<(u16, String)>>>,
    slept: Rc<RefCell<u64>>,
}

impl NodeHost for MemHost {
    fn read(&self, path: &str) -> std::io::Result<Vec<u8>> {
        self.files
            .borrow()
            .get(path)
            .cloned()
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
    }
    fn write(&mut self, path: &str, data: &[u8], append: bool) -> std::io::Result<()> {
        let mut f = self.files.borrow_mut();
        let e = f.entry(path.to_string()).or_default();
        if !append {
            e.clear();
        }
        e.extend_from_slice(data);
        Ok(())
    }
    fn is_dir(&self, path: &str) -> bool {
        let prefix = format!("{}/", path.trim_end_matches('/'));
        self.files.borrow().keys().any(|k| k.starts_with(&prefix))
    }
    fn is_file(&self, path: &str) -> bool {
        self.files.borrow().contains_key(path)
    }
    fn list(&self, path: &str) -> std::io::Result<Vec<String>> {
        let prefix = format!("{}/", path.trim_end_matches('/'));
        let mut names: Vec<String> = self
            .files
            .borrow()
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .map(|r| r.split('/').next().unwrap_or("").to_string())
            .collect();
        names.dedup();
        Ok(names)
    }
    fn mkdir(&mut self, _path: &str) -> std::io::Result<()> {
        Ok(())
    }
    fn remove(&mut self, path: &str) -> std::io::Result<()> {
        self.files.borrow_mut().remove(path);
        Ok(())
    }
    fn now_ms(&self) -> f64 {
        1_772_366_400_000.0
    }
    fn mtime_ms(&self, _path: &str) -> Option<i64> {
        Some(1_772_366_400_000)
    }
    fn stopped(&self) -> bool {
        false
    }
    fn listen(&mut self, port: u16, script: &str) {
        self.listened.borrow_mut().push((port, script.to_string()));
    }
    fn sleep(&mut self, d: Duration) {
        *self.slept.borrow_mut() += d.as_millis() as u64;
    }
}

fn run_in(host: &MemHost, file: &str, src: &str) -> (String, String, i32) {
    host.files
        .borrow_mut()
        .insert(file.into(), src.as_bytes().to_vec());
    let module = Module {
        file: file.into(),
        src: src.into(),
        eval: false,
    };
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = execute(
        Box::new(host.clone()),
        module,
        Vec::new(),
        false,
        DEFAULT_VERSION,
        vec![("HOME".into(), "/root".into())],
        "/app",
        &mut Streams::new(b"", &mut out, &mut err),
    );
    (
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
        code,
    )
}

fn run(src: &str) -> (String, String, i32) {
    run_in(&MemHost::default(), "/app/server.js", src)
}

fn out(src: &str) -> String {
    let (o, e, code) = run(src);
    assert_eq!(code, 0, "stderr: {e}");
    o
}

#[test]
fn expressions_closures_and_control_flow() {
    assert_eq!(
        out("console.log(1 + 2 * 3, 7 / 2, 2 ** 10, 10 % 3)"),
        "7 3.5 1024 1\n"
    );
    assert_eq!(
        out("console.log(0.1 + 0.2, 1e21, 1/3, -0, 5e-7)"),
        "0.30000000000000004 1e+21 0.3333333333333333 -0 5e-7\n"
    );
    assert_eq!(
        out(
            "function counter() { let n = 0; return () => ++n; }\nconst c = counter(); c(); c();\nconsole.log(c())"
        ),
        "3\n"
    );
    assert_eq!(
        out(
            "const fs = [];\nfor (let i = 0; i < 3; i++) fs.push(() => i);\nconsole.log(fs.map(f => f()).join(','))"
        ),
        "0,1,2\n"
    );
    assert_eq!(
        out(
            "let s = '';\nfor (const x of [1,2,3]) { if (x === 2) continue; s += x; }\nfor (const k in {a:1,b:2}) s += k;\nconsole.log(s)"
        ),
        "13ab\n"
    );
    assert_eq!(
        out(
            "switch (3) { case 1: console.log('one'); break; case 3: console.log('three'); default: console.log('fell') }"
        ),
        "three\nfell\n"
    );
    assert_eq!(
        out(
            "console.log(null ?? 'd', 0 || 'x', 1 && 2, typeof undefined, typeof null, 1 == '1', 1 === '1')"
        ),
        "d x 2 undefined object true false\n"
    );
    assert_eq!(
        out(
            "const {a, b: [c, d = 4], ...rest} = {a: 1, b: [3], e: 5, f: 6};\nconsole.log(a, c, d, rest)"
        ),
        "1 3 4 { e: 5, f: 6 }\n"
    );
    assert_eq!(
        out(
            "function f(x, y = x * 2, ...more) { return [x, y, more]; }\nconsole.log(f(1), f(1, 5, 6, 7))"
        ),
        "[ 1, 2, [] ] [ 1, 5, [ 6, 7 ] ]\n"
    );
    assert_eq!(
        out("const name = 'lab'; console.log(`hi ${name.toUpperCase()} ${1 + 1}`)"),
        "hi LAB 2\n"
    );
    assert_eq!(
        out(
            "try { null.x } catch (e) { console.log(e instanceof TypeError, e.message) } finally { console.log('done') }"
        ),
        "true Cannot read properties of null (reading 'x')\ndone\n"
    );
}

#[test]
fn classes_and_prototypes() {
    let src = "class Animal {\n  constructor(name) { this.name = name; }\n  speak() { return `${this.name} makes a sound`; }\n  static kind() { return 'animal'; }\n}\nclass Dog extends Animal {\n  speak() { return super.speak() + ' (woof)'; }\n}\nconst d = new Dog('Rex');\nconsole.log(d.speak(), Animal.kind(), d instanceof Animal);\nconsole.log(d);\nconsole.log(Dog);";
    assert_eq!(
        out(src),
        "Rex makes a sound (woof) animal true\nDog { name: 'Rex' }\n[class Dog extends Animal]\n"
    );
    assert_eq!(
        out(
            "class E extends Error { constructor(m) { super(m); this.name = 'E'; } }\ntry { throw new E('bad') } catch (e) { console.log(e.message, e instanceof Error, e instanceof E) }"
        ),
        "bad true true\n"
    );
}

#[test]
fn inspect_formats_as_node_does() {
    assert_eq!(
        out("console.log({ a: 1, b: 'x', 'c-d': [1, 2, 3], e: { f: { g: { h: 1 } } } })"),
        "{ a: 1, b: 'x', 'c-d': [ 1, 2, 3 ], e: { f: { g: [Object] } } }\n"
    );
    assert_eq!(
        out("console.log([1,2,3,4,5,6,7,8,9,10])"),
        "[\n  1, 2, 3, 4,  5,\n  6, 7, 8, 9, 10\n]\n"
    );
    assert_eq!(
        out("console.log([], {}, [undefined, null], 'it\\'s')"),
        "[] {} [ undefined, null ] it's\n"
    );
    assert_eq!(
        out(
            "console.log(['it\\'s'], function foo() {}, () => 1, new Map([['a', 1]]), new Set([1]))"
        ),
        "[ \"it's\" ] [Function: foo] [Function (anonymous)] Map(1) { 'a' => 1 } Set(1) { 1 }\n"
    );
    assert_eq!(
        out(
            "console.log({ name: 'docklab', description: 'a terminal lab for learning Docker', version: '1.0.0' })"
        ),
        "{\n  name: 'docklab',\n  description: 'a terminal lab for learning Docker',\n  version: '1.0.0'\n}\n"
    );
    assert_eq!(
        out("console.log('%s is %d years', 'Bob', 42, 'extra')"),
        "Bob is 42 years extra\n"
    );
    assert_eq!(
        out(
            "console.log(JSON.stringify({a: [1, {b: 2}], c: 'x'}), JSON.stringify({a: 1}, null, 2))"
        ),
        "{\"a\":[1,{\"b\":2}],\"c\":\"x\"} {\n  \"a\": 1\n}\n"
    );
    assert_eq!(
        out("console.log(JSON.parse('{\"x\": [1, true, null]}').x)"),
        "[ 1, true, null ]\n"
    );
}

#[test]
fn strings_arrays_and_math() {
    assert_eq!(
        out(
            "console.log('a,b,c'.split(',').reverse().join('-'), 'abc'.padStart(5, '*'), ' x '.trim(), 'hello'.slice(-3))"
        ),
        "c-b-a **abc x llo\n"
    );
    assert_eq!(
        out(
            "console.log([3,1,2].sort(), [1,2,3].reduce((a, b) => a + b, 0), [1,2,3].filter(x => x > 1).map(x => x * 10))"
        ),
        "[ 1, 2, 3 ] 6 [ 20, 30 ]\n"
    );
    assert_eq!(
        out(
            "console.log(Math.max(1, 5, 3), Math.round(2.5), parseInt('42px'), parseFloat('3.14abc'), (3.14159).toFixed(2))"
        ),
        "5 3 42 3.14 3.14\n"
    );
    assert_eq!(
        out("console.log(Object.keys({b: 1, a: 2, 1: 3}), Object.entries({x: 1}))"),
        "[ '1', 'b', 'a' ] [ [ 'x', 1 ] ]\n"
    );
    assert_eq!(
        out("console.log(new Date(0).toISOString(), typeof Date.now())"),
        "1970-01-01T00:00:00.000Z number\n"
    );
}

#[test]
fn process_require_and_modules() {
    let host = MemHost::default();
    host.files.borrow_mut().insert(
        "/app/lib/math.js".into(),
        b"exports.add = (a, b) => a + b;\nmodule.exports.name = 'math';".to_vec(),
    );
    host.files
        .borrow_mut()
        .insert("/app/data.json".into(), b"{\"items\": [1, 2]}".to_vec());
    let (o, e, code) = run_in(
        &host,
        "/app/index.js",
        "const m = require('./lib/math');\nconst path = require('path');\nconst data = require('./data.json');\nconsole.log(m.add(2, 3), m.name, data.items, path.join('/app', 'x', '..', 'y.txt'), path.extname('a/b.tar.gz'), path.basename('/a/b.js', '.js'));\nconsole.log(process.argv.length, process.env.HOME, process.cwd(), process.version);\nrequire('fs').writeFileSync('out.txt', 'hi');\nconsole.log(require('fs').readFileSync('/app/out.txt', 'utf8'));",
    );
    assert_eq!((e.as_str(), code), ("", 0));
    assert_eq!(
        o,
        "5 math [ 1, 2 ] /app/y.txt .gz b\n2 /root /app v22.17.0\nhi\n"
    );
    let (_, _, code) = run("process.exit(3)");
    assert_eq!(code, 3);
}

#[test]
fn uncaught_errors_print_as_node_22_prints_them() {
    let (o, e, code) = run("const a = 1;\nconsole.log(a)\nfoo();\n");
    assert_eq!(code, 1);
    assert_eq!(o, "1\n");
    assert_eq!(
        e,
        "/app/server.js:3\nfoo();\n^\n\nReferenceError: foo is not defined\n    at Object.<anonymous> (/app/server.js:3:1)\n    at Module._compile (node:internal/modules/cjs/loader:1730:14)\n    at Object..js (node:internal/modules/cjs/loader:1895:10)\n    at Module.load (node:internal/modules/cjs/loader:1465:32)\n    at Function._load (node:internal/modules/cjs/loader:1282:12)\n    at TracingChannel.traceSync (node:diagnostics_channel:322:14)\n    at wrapModuleLoad (node:internal/modules/cjs/loader:235:24)\n    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:171:5)\n    at node:internal/main/run_main_module:36:49\n\nNode.js v22.17.0\n"
    );
    let (_, e, _) = run("function f(x) {\n  return x.y.z;\n}\nf({});\n");
    assert!(
        e.starts_with("/app/server.js:2\n  return x.y.z;\n             ^\n\nTypeError: Cannot read properties of undefined (reading 'z')\n    at f (/app/server.js:2:14)\n    at Object.<anonymous> (/app/server.js:4:1)\n    at Module._compile"),
        "{e}"
    );
    let (_, e, _) = run("throw new Error('boom');");
    assert!(e.starts_with("/app/server.js:1\nthrow new Error('boom');\n^\n\nError: boom\n    at Object.<anonymous> (/app/server.js:1:7)\n"), "{e}");
}

#[test]
fn syntax_errors_point_where_v8_does() {
    let (_, e, code) = run("const http = require('http');\nres.end('hi'\n");
    assert_eq!(code, 1);
    assert!(
        e.starts_with("/app/server.js:2\nres.end('hi'\n        ^^^^\n\nSyntaxError: missing ) after argument list\n    at wrapSafe"),
        "{e}"
    );
    assert!(e.ends_with("\n\nNode.js v22.17.0\n"));
    let (_, e, _) = run("let x = ;");
    assert!(e.contains("SyntaxError: Unexpected token ';'"), "{e}");
    let (_, e, _) = run("const x;");
    assert!(
        e.contains("SyntaxError: Missing initializer in const declaration"),
        "{e}"
    );
}

#[test]
fn constructs_outside_the_subset_are_named() {
    let (_, e, code) = run("const x = 1;\n\nfunction* gen() {}\n");
    assert_eq!(code, 1);
    assert_eq!(
        e,
        "docklab: this lab's node does not support generator functions (/app/server.js:3)\n"
    );
    let (_, e, _) = run("import express from 'express';");
    assert!(
        e.contains("does not support ES module 'import' statements (/app/server.js:1)"),
        "{e}"
    );
}

#[test]
fn async_functions_and_await_settle_in_order() {
    let src = "const wait = (ms, v) => new Promise(resolve => setTimeout(() => resolve(v), ms));\nasync function main() {\n  const a = await wait(10, 'a');\n  const b = await Promise.resolve('b');\n  try { await Promise.reject(new Error('no')); } catch (e) { console.log('caught', e.message); }\n  return a + b;\n}\nmain().then(v => console.log('result', v));";
    assert_eq!(out(src), "caught no\nresult ab\n");
    let src = "const obj = { async get() { return 42; } };\nconst handler = async (req) => req * 2;\nobj.get().then(v => console.log('method', v));";
    assert_eq!(out(src), "method 42\n");
    assert_eq!(
        out("const f = async x => x + 1;\nf(1).then(console.log);"),
        "2\n"
    );
}

#[test]
fn a_missing_module_is_module_not_found() {
    let (_, e, code) = run("const express = require('express');");
    assert_eq!(code, 1);
    assert!(
        e.starts_with("node:internal/modules/cjs/loader:1404\n  throw err;\n  ^\n\nError: Cannot find module 'express'\nRequire stack:\n- /app/server.js\n    at Function._resolveFilename (node:internal/modules/cjs/loader:1401:15)"),
        "{e}"
    );
    assert!(
        e.contains("    at Object.<anonymous> (/app/server.js:1:17)\n"),
        "{e}"
    );
    assert!(e.ends_with(" {\n  code: 'MODULE_NOT_FOUND',\n  requireStack: [ '/app/server.js' ]\n}\n\nNode.js v22.17.0\n"), "{e}");
}

#[test]
fn timers_run_after_the_script_in_order() {
    let host = MemHost::default();
    let (o, _, code) = run_in(
        &host,
        "/app/t.js",
        "setTimeout(() => console.log('b'), 20);\nsetTimeout(() => console.log('a'), 10);\nconst id = setInterval(() => { console.log('tick'); if (++n === 2) clearInterval(id); }, 5);\nlet n = 0;\nPromise.resolve(1).then(v => console.log('micro', v));\nconsole.log('sync');",
    );
    assert_eq!(code, 0);
    assert_eq!(o, "sync\nmicro 1\ntick\na\ntick\nb\n");
    assert_eq!(*host.slept.borrow(), 20);
}

#[test]
fn an_endless_loop_stops_at_the_budget() {
    let limits = crate::engine::budget::Limits {
        time: Duration::from_millis(300),
        memory: None,
    };
    let started = std::time::Instant::now();
    let (code, exceeded) =
        crate::engine::budget::within(limits, || run("let i = 0;\nwhile (true) { i++; }").2);
    assert_eq!(code, 130);
    assert!(exceeded.is_some());
    assert!(started.elapsed() < Duration::from_secs(5));
}

fn request(method: &str, target: &str, body: &str, headers: &[(&str, &str)]) -> AppRequest {
    let mut h: Vec<(String, String)> = vec![("host".into(), "localhost:3000".into())];
    h.extend(headers.iter().map(|(n, v)| (n.to_string(), v.to_string())));
    AppRequest {
        method: method.into(),
        target: target.into(),
        version: "HTTP/1.1",
        headers: h,
        body: body.as_bytes().to_vec(),
    }
}

/// Runs `src` as the service would and answers `req` with its handler.
fn serve(host: &MemHost, src: &str, req: &AppRequest) -> AppReply {
    host.files
        .borrow_mut()
        .insert("/app/server.js".into(), src.as_bytes().to_vec());
    let module = Rc::new(Module {
        file: "/app/server.js".into(),
        src: src.into(),
        eval: false,
    });
    let body = parser::parse_program(src).unwrap_or_default();
    let mut it = Interp::new(Box::new(host.clone()));
    setup(
        &mut it,
        vec![],
        "/app",
        vec!["node".into()],
        DEFAULT_VERSION,
        "/app/server.js",
    );
    it.serving = true;
    assert!(it.run_module(module, &body).is_ok());
    let handler = it.servers[0].handler.clone();
    http::answer(
        &mut it,
        &handler,
        req,
        "172.17.0.1",
        "Sun, 01 Mar 2026 12:00:00 GMT",
    )
    .unwrap_or_default()
}

fn header<'a>(r: &'a AppReply, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[test]
fn a_plain_http_server_listens_and_answers() {
    let host = MemHost::default();
    let src = "const http = require('http');\nconst server = http.createServer((req, res) => {\n  res.writeHead(200, { 'Content-Type': 'text/plain' });\n  res.end(`Hello from ${req.method} ${req.url}\\n`);\n});\nserver.listen(3000, () => console.log('Server running at http://localhost:3000/'));\n";
    let (o, _, code) = run_in(&host, "/app/server.js", src);
    assert_eq!(
        (o.as_str(), code),
        ("Server running at http://localhost:3000/\n", 0)
    );
    assert_eq!(
        *host.listened.borrow(),
        [(3000, "/app/server.js".to_string())]
    );
    let r = serve(&host, src, &request("GET", "/x?y=1", "", &[]));
    assert_eq!(r.status, 200);
    let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Content-Type",
            "Date",
            "Connection",
            "Keep-Alive",
            "Content-Length"
        ]
    );
    assert_eq!(String::from_utf8_lossy(&r.body), "Hello from GET /x?y=1\n");
    // Bound to loopback: unreachable through a published port, so not registered.
    let host = MemHost::default();
    run_in(
        &host,
        "/app/s.js",
        "require('http').createServer(() => {}).listen(3000, '127.0.0.1');",
    );
    assert!(host.listened.borrow().is_empty());
}

#[test]
fn writes_before_end_are_chunked() {
    let host = MemHost::default();
    let r = serve(
        &host,
        "require('http').createServer((req, res) => { res.statusCode = 201; res.write('a'); res.end('b'); }).listen(8080);",
        &request("GET", "/", "", &[("connection", "close")]),
    );
    assert_eq!(r.status, 201);
    assert_eq!(header(&r, "Transfer-Encoding"), Some("chunked"));
    assert_eq!(header(&r, "Connection"), Some("close"));
    assert_eq!(header(&r, "Keep-Alive"), None);
    assert_eq!(r.body, b"ab");
}

fn express_host() -> MemHost {
    let host = MemHost::default();
    host.files.borrow_mut().insert(
        "/app/node_modules/express/package.json".into(),
        b"{\"name\":\"express\",\"version\":\"4.21.2\",\"main\":\"index.js\"}".to_vec(),
    );
    host.files.borrow_mut().insert(
        "/app/node_modules/express/index.js".into(),
        b"/* docklab: express@4.21.2 */".to_vec(),
    );
    host
}

const EXPRESS_APP: &str = "const express = require('express');\nconst app = express();\napp.use(express.json());\nconst items = [{ id: 1, name: 'apple' }];\napp.get('/', (req, res) => res.send('Hello World!'));\napp.get('/items/:id', (req, res) => {\n  const item = items.find(i => i.id === Number(req.params.id));\n  if (!item) return res.status(404).json({ error: 'not found' });\n  res.json(item);\n});\napp.post('/items', (req, res) => {\n  const item = { id: items.length + 1, ...req.body };\n  items.push(item);\n  res.status(201).json(item);\n});\napp.get('/search', (req, res) => res.send(`q=${req.query.q}`));\napp.get('/boom', () => { throw new Error('kaboom'); });\napp.listen(3000, () => console.log('listening on 3000'));\n";

#[test]
fn express_routes_answer_with_express_headers() {
    let host = express_host();
    let r = serve(&host, EXPRESS_APP, &request("GET", "/", "", &[]));
    assert_eq!(r.status, 200);
    assert_eq!(String::from_utf8_lossy(&r.body), "Hello World!");
    let names: Vec<(&str, &str)> = r
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("X-Powered-By", "Express"),
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", "12"),
            ("ETag", "W/\"c-Lve95gjOVATpfV8EL5X4nxwjKHE\""),
            ("Date", "Sun, 01 Mar 2026 12:00:00 GMT"),
            ("Connection", "keep-alive"),
            ("Keep-Alive", "timeout=5"),
        ]
    );
    let r = serve(&host, EXPRESS_APP, &request("GET", "/items/1", "", &[]));
    assert_eq!(
        String::from_utf8_lossy(&r.body),
        "{\"id\":1,\"name\":\"apple\"}"
    );
    assert_eq!(
        header(&r, "Content-Type"),
        Some("application/json; charset=utf-8")
    );
    let r = serve(&host, EXPRESS_APP, &request("GET", "/items/9", "", &[]));
    assert_eq!(
        (r.status, String::from_utf8_lossy(&r.body).into_owned()),
        (404, "{\"error\":\"not found\"}".into())
    );
    let r = serve(
        &host,
        EXPRESS_APP,
        &request(
            "POST",
            "/items",
            "{\"name\":\"pear\"}",
            &[("content-type", "application/json")],
        ),
    );
    assert_eq!(
        (r.status, String::from_utf8_lossy(&r.body).into_owned()),
        (201, "{\"id\":2,\"name\":\"pear\"}".into())
    );
    let r = serve(
        &host,
        EXPRESS_APP,
        &request("GET", "/search?q=docker", "", &[]),
    );
    assert_eq!(String::from_utf8_lossy(&r.body), "q=docker");
    // The same ETag again: 304.
    let r = serve(
        &host,
        EXPRESS_APP,
        &request(
            "GET",
            "/",
            "",
            &[("if-none-match", "W/\"c-Lve95gjOVATpfV8EL5X4nxwjKHE\"")],
        ),
    );
    assert_eq!((r.status, r.body.len()), (304, 0));
}

#[test]
fn express_404_and_500_are_finalhandler_pages() {
    let host = express_host();
    let r = serve(&host, EXPRESS_APP, &request("GET", "/nope?x=1", "", &[]));
    assert_eq!(r.status, 404);
    assert_eq!(
        String::from_utf8_lossy(&r.body),
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot GET /nope</pre>\n</body>\n</html>\n"
    );
    assert_eq!(
        header(&r, "Content-Security-Policy"),
        Some("default-src 'none'")
    );
    assert_eq!(header(&r, "X-Content-Type-Options"), Some("nosniff"));
    assert_eq!(header(&r, "Content-Length"), Some("143"));
    let r = serve(&host, EXPRESS_APP, &request("GET", "/boom", "", &[]));
    assert_eq!(r.status, 500);
    assert!(
        String::from_utf8_lossy(&r.body)
            .contains("<pre>Error: kaboom<br> &nbsp; &nbsp;at /app/server.js:17:32<br> &nbsp; &nbsp;at Layer.handle [as handle_request] (/app/node_modules/express/lib/router/layer.js:95:5)"),
        "{}",
        String::from_utf8_lossy(&r.body)
    );
}

#[test]
fn express_static_serves_files() {
    let host = express_host();
    host.files
        .borrow_mut()
        .insert("/app/public/index.html".into(), b"<h1>hi</h1>\n".to_vec());
    let src = "const express = require('express');\nconst path = require('path');\nconst app = express();\napp.use(express.static(path.join(__dirname, 'public')));\napp.listen(3000);";
    let r = serve(&host, src, &request("GET", "/", "", &[]));
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"<h1>hi</h1>\n");
    assert_eq!(header(&r, "Content-Type"), Some("text/html; charset=UTF-8"));
    assert_eq!(header(&r, "Cache-Control"), Some("public, max-age=0"));
}

#[test]
fn etag_is_the_etag_packages() {
    // The etag package's weak tags, computed by node for these bodies.
    assert_eq!(
        express::etag(b"Hello World!"),
        "W/\"c-Lve95gjOVATpfV8EL5X4nxwjKHE\""
    );
    assert_eq!(express::etag(b""), "W/\"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk\"");
}
