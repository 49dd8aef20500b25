//! Express 4, simulated natively when a script requires the package npm installed:
//! apps and routers (routes with `:params`, middleware, error handlers, mounting),
//! `express.json`/`urlencoded`/`static`, and req/res as Express extends them — with the
//! headers Express sends (X-Powered-By, Content-Type with charset, its weak ETag) and
//! finalhandler's 404 and 500 pages. Also `cors` and `body-parser`.

use super::interp::{Interp, R, Throw};
use super::value::*;
use std::cell::RefCell;
use std::rc::Rc;

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Undef)
}

#[derive(Clone)]
struct Layer {
    method: Option<String>,
    path: String,
    /// `use`: matches the path as a prefix and strips it for the handlers.
    prefix: bool,
    handlers: Vec<Value>,
}

#[derive(Default)]
struct RouterState {
    layers: Vec<Layer>,
    settings: Vec<(String, Value)>,
}

/// `require('express')`.
pub fn module(it: &mut Interp) -> Value {
    let express = it.native("createApplication", |it, _, _| Ok(make_router(it, true)));
    let json = it.native("json", |it, _, _| Ok(json_parser(it)));
    let urlencoded = it.native("urlencoded", |it, _, _| Ok(urlencoded_parser(it)));
    let text = it.native("text", |it, _, _| Ok(text_parser(it)));
    let stat = it.native("serveStatic", |it, _, args| {
        let root = it.to_string(&arg(args, 0))?;
        let cwd = it.cwd.clone();
        Ok(static_middleware(
            it,
            super::modules::resolve_path(&cwd, &root),
        ))
    });
    let router = it.native("Router", |it, _, _| Ok(make_router(it, false)));
    if let Value::Obj(o) = &express {
        let mut b = o.borrow_mut();
        b.set("json", json);
        b.set("urlencoded", urlencoded);
        b.set("text", text);
        b.set("static", stat);
        b.set("Router", router);
    }
    express
}

pub fn body_parser_module(it: &mut Interp) -> Value {
    let m = it.obj_value(vec![]);
    let json = it.native("json", |it, _, _| Ok(json_parser(it)));
    let urlencoded = it.native("urlencoded", |it, _, _| Ok(urlencoded_parser(it)));
    let text = it.native("text", |it, _, _| Ok(text_parser(it)));
    if let Value::Obj(o) = &m {
        let mut b = o.borrow_mut();
        b.set("json", json);
        b.set("urlencoded", urlencoded);
        b.set("text", text);
    }
    m
}

pub fn cors_module(it: &mut Interp) -> Value {
    it.native("middlewareWrapper", |it, _, args| {
        let origin = match it.get(&arg(args, 0), "origin") {
            Ok(Value::Str(s)) => s.to_string(),
            _ => "*".into(),
        };
        Ok(it.native("corsMiddleware", move |it, _, args| {
            let (req, res, next) = (arg(args, 0), arg(args, 1), arg(args, 2));
            set_header(it, &res, "Access-Control-Allow-Origin", &origin)?;
            let method = it.get(&req, "method")?;
            if matches!(&method, Value::Str(m) if &**m == "OPTIONS") {
                set_header(
                    it,
                    &res,
                    "Access-Control-Allow-Methods",
                    "GET,HEAD,PUT,PATCH,POST,DELETE",
                )?;
                set_header(it, &res, "Vary", "Access-Control-Request-Headers")?;
                it.put(&res, "statusCode", Value::Num(204.0), 0)?;
                set_header(it, &res, "Content-Length", "0")?;
                let end = it.get(&res, "end")?;
                it.call(&end, &res, &[])?;
                return Ok(Value::Undef);
            }
            it.call(&next, &Value::Undef, &[])
        }))
    })
}

fn set_header(it: &mut Interp, res: &Value, name: &str, value: &str) -> R<()> {
    let f = it.get(res, "setHeader")?;
    it.call(&f, res, &[Value::str(name), Value::str(value)])?;
    Ok(())
}

fn get_header(it: &mut Interp, res: &Value, name: &str) -> R<Option<String>> {
    let f = it.get(res, "getHeader")?;
    Ok(match it.call(&f, res, &[Value::str(name)])? {
        Value::Str(s) => Some(s.to_string()),
        _ => None,
    })
}

fn make_router(it: &mut Interp, is_app: bool) -> Value {
    let state = Rc::new(RefCell::new(RouterState::default()));
    let st = state.clone();
    let router = it.native(if is_app { "app" } else { "router" }, move |it, _, args| {
        let (req, res, next) = (arg(args, 0), arg(args, 1), arg(args, 2));
        if is_app && !next.is_callable() {
            init_request(it, &req, &res, &st)?;
        }
        let layers = Rc::new(st.borrow().layers.clone());
        let base = it.get(&req, "baseUrl").unwrap_or(Value::Undef);
        let base = match base {
            Value::Str(s) => s.to_string(),
            _ => String::new(),
        };
        let d = Rc::new(Dispatch {
            layers,
            req,
            res,
            done: next,
            base,
            is_app,
        });
        step(it, &d, 0, 0, None)?;
        Ok(Value::Undef)
    });
    for method in [
        "get", "post", "put", "delete", "patch", "options", "head", "all",
    ] {
        let st = state.clone();
        let me = router.clone();
        let f = it.native(method, move |it, _, args| {
            if method == "get" && args.len() == 1 {
                // app.get(setting)
                let k = it.to_string(&arg(args, 0))?;
                return Ok(st
                    .borrow()
                    .settings
                    .iter()
                    .find(|(n, _)| **n == *k)
                    .map(|(_, v)| v.clone())
                    .unwrap_or(Value::Undef));
            }
            let path = it.to_string(&arg(args, 0))?.to_string();
            let handlers = flatten_handlers(it, &args[1.min(args.len())..])?;
            st.borrow_mut().layers.push(Layer {
                method: if method == "all" {
                    None
                } else {
                    Some(method.to_uppercase())
                },
                path,
                prefix: false,
                handlers,
            });
            Ok(me.clone())
        });
        if let Value::Obj(o) = &router {
            o.borrow_mut().set(method, f);
        }
    }
    let st = state.clone();
    let me = router.clone();
    let use_fn = it.native("use", move |it, _, args| {
        let (path, rest) = match args.first() {
            Some(Value::Str(p)) => (p.to_string(), &args[1..]),
            _ => ("/".to_string(), args),
        };
        let handlers = flatten_handlers(it, rest)?;
        st.borrow_mut().layers.push(Layer {
            method: None,
            path,
            prefix: true,
            handlers,
        });
        Ok(me.clone())
    });
    let st = state.clone();
    let me = router.clone();
    let set_fn = it.native("set", move |it, _, args| {
        let k = it.to_string(&arg(args, 0))?.to_string();
        let mut s = st.borrow_mut();
        s.settings.retain(|(n, _)| *n != k);
        s.settings.push((k, arg(args, 1)));
        Ok(me.clone())
    });
    let st = state.clone();
    let me = router.clone();
    let route_fn = it.native("route", move |it, _, args| {
        let path = it.to_string(&arg(args, 0))?.to_string();
        let route = it.obj_value(vec![]);
        for method in ["get", "post", "put", "delete", "patch", "all"] {
            let st = st.clone();
            let path = path.clone();
            let r2 = route.clone();
            let f = it.native(method, move |it, _, args| {
                let handlers = flatten_handlers(it, args)?;
                st.borrow_mut().layers.push(Layer {
                    method: if method == "all" {
                        None
                    } else {
                        Some(method.to_uppercase())
                    },
                    path: path.clone(),
                    prefix: false,
                    handlers,
                });
                Ok(r2.clone())
            });
            if let Value::Obj(o) = &route {
                o.borrow_mut().set(method, f);
            }
        }
        let _ = &me;
        Ok(route)
    });
    if let Value::Obj(o) = &router {
        let mut b = o.borrow_mut();
        b.set("use", use_fn);
        b.set("set", set_fn);
        b.set("route", route_fn);
    }
    let locals = it.obj_value(vec![]);
    if let Value::Obj(o) = &router {
        o.borrow_mut().set("locals", locals);
    }
    if is_app {
        let me = router.clone();
        let listen = it.native("listen", move |it, _, args| {
            let server = super::http::server_object(it, me.clone());
            let l = it.get(&server, "listen")?;
            it.call(&l, &server, args)
        });
        for (name, on) in [("enable", true), ("disable", false)] {
            let st = state.clone();
            let me = router.clone();
            let f = it.native(name, move |it, _, args| {
                let k = it.to_string(&arg(args, 0))?.to_string();
                let mut s = st.borrow_mut();
                s.settings.retain(|(n, _)| *n != k);
                s.settings.push((k, Value::Bool(on)));
                Ok(me.clone())
            });
            if let Value::Obj(o) = &router {
                o.borrow_mut().set(name, f);
            }
        }
        if let Value::Obj(o) = &router {
            o.borrow_mut().set("listen", listen);
        }
    }
    router
}

fn flatten_handlers(it: &mut Interp, args: &[Value]) -> R<Vec<Value>> {
    let mut out = Vec::new();
    for a in args {
        if a.is_array() {
            out.extend(it.iterate(a, 0)?);
        } else if a.is_callable() {
            out.push(a.clone());
        } else {
            let t = inspect(a);
            let kind = if matches!(a, Value::Obj(_)) {
                "Object"
            } else {
                a.type_of()
            };
            let _ = t;
            return Err(it.error_at_current(
                "TypeError",
                &format!("Router.use() requires a middleware function but got a {kind}"),
            ));
        }
    }
    Ok(out)
}

struct Dispatch {
    layers: Rc<Vec<Layer>>,
    req: Value,
    res: Value,
    /// The enclosing router's `next`, or undefined for the app itself.
    done: Value,
    base: String,
    is_app: bool,
}

fn req_path(it: &mut Interp, req: &Value) -> R<String> {
    let url = it.get(req, "url")?;
    let url = it.to_string(&url)?;
    Ok(url.split(['?', '#']).next().unwrap_or("/").to_string())
}

/// Matches `pattern` (Express 4 syntax: `:name`, `:name?`, `*`) against `path`,
/// case-insensitively and with an optional trailing slash; returns the params.
fn match_path(pattern: &str, path: &str, prefix: bool) -> Option<(Vec<(String, String)>, usize)> {
    let pat: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut params = Vec::new();
    let mut i = 0;
    for (pi, p) in pat.iter().enumerate() {
        if *p == "*" {
            params.push(("0".to_string(), segs[i.min(segs.len())..].join("/")));
            i = segs.len();
            continue;
        }
        if let Some(name) = p.strip_prefix(':') {
            let optional = name.ends_with('?');
            let name = name.trim_end_matches('?');
            match segs.get(i) {
                Some(s) => {
                    let decoded =
                        super::builtins::percent_decode(s).unwrap_or_else(|| s.to_string());
                    params.push((name.to_string(), decoded));
                    i += 1;
                }
                None if optional && pi == pat.len() - 1 => {}
                None => return None,
            }
            continue;
        }
        match segs.get(i) {
            Some(s) if s.eq_ignore_ascii_case(p) => i += 1,
            _ => return None,
        }
    }
    if !prefix && i != segs.len() {
        return None;
    }
    // How much of the path the pattern consumed (for mounting).
    let consumed: usize = segs[..i].iter().map(|s| s.len() + 1).sum();
    Some((params, consumed))
}

fn handler_arity(it: &mut Interp, f: &Value) -> usize {
    match it.get(f, "length") {
        Ok(Value::Num(n)) => n as usize,
        _ => 0,
    }
}

/// Runs the handlers from layer `li`, handler `hi`, with `err` set after next(err).
fn step(it: &mut Interp, d: &Rc<Dispatch>, li: usize, hi: usize, err: Option<Value>) -> R<()> {
    let method = it.get(&d.req, "method")?;
    let method = it.to_string(&method)?.to_string();
    let path = req_path(it, &d.req)?;
    let mut li = li;
    let mut hi = hi;
    while li < d.layers.len() {
        let layer = &d.layers[li];
        let method_ok = match &layer.method {
            None => true,
            Some(m) => *m == method || (m == "GET" && method == "HEAD"),
        };
        let matched = if method_ok {
            match_path(&layer.path, &path, layer.prefix)
        } else {
            None
        };
        let Some((params, consumed)) = matched else {
            li += 1;
            hi = 0;
            continue;
        };
        while hi < layer.handlers.len() {
            let h = layer.handlers[hi].clone();
            let arity = handler_arity(it, &h);
            let wants_error = arity == 4;
            if err.is_some() != wants_error {
                hi += 1;
                continue;
            }
            // req.params for this route.
            let p = it.object();
            for (k, v) in &params {
                p.borrow_mut().set(k, Value::str(v));
            }
            it.put(&d.req, "params", Value::Obj(p), 0)?;
            let dd = d.clone();
            let (nli, nhi) = (li, hi + 1);
            let next = it.native("next", move |it, _, args| {
                let e = match arg(args, 0) {
                    Value::Undef | Value::Null => None,
                    Value::Str(s) if &*s == "route" || &*s == "router" => None,
                    v => Some(v),
                };
                step(it, &dd, nli, nhi, e)?;
                Ok(Value::Undef)
            });
            // A mounted handler sees the path below its mount point.
            let (saved_url, saved_base) = if layer.prefix && consumed > 0 {
                let url = it.get(&d.req, "url")?;
                let url = it.to_string(&url)?.to_string();
                let rest = &url[consumed.min(url.len())..];
                let rest = if rest.starts_with('/') {
                    rest.to_string()
                } else {
                    format!("/{rest}")
                };
                let base = format!(
                    "{}{}",
                    d.base,
                    &path[..consumed.min(path.len())].trim_end_matches('/')
                );
                it.put(&d.req, "url", Value::str(&rest), 0)?;
                it.put(&d.req, "baseUrl", Value::str(&base), 0)?;
                (Some(url), Some(d.base.clone()))
            } else {
                (None, None)
            };
            let args = match &err {
                Some(e) => vec![e.clone(), d.req.clone(), d.res.clone(), next],
                None => vec![d.req.clone(), d.res.clone(), next],
            };
            let saved_frames = std::mem::replace(&mut it.base_frames, express_frames(&it.cwd));
            let r = it.call(&h, &Value::Undef, &args);
            it.base_frames = saved_frames;
            if let Some(u) = saved_url {
                it.put(&d.req, "url", Value::str(&u), 0)?;
            }
            if let Some(b) = saved_base {
                it.put(&d.req, "baseUrl", Value::str(&b), 0)?;
            }
            return match r {
                Ok(_) => Ok(()),
                // Express catches what a handler throws and passes it on.
                Err(Throw::Value(e, _, _)) => step(it, d, li, hi + 1, Some(e)),
                Err(other) => Err(other),
            };
        }
        li += 1;
        hi = 0;
    }
    // Nothing (more) handled it.
    if d.done.is_callable() {
        let args: Vec<Value> = err.into_iter().collect();
        it.call(&d.done, &Value::Undef, &args)?;
        return Ok(());
    }
    if d.is_app {
        final_handler(it, &d.req, &d.res, err)?;
    }
    Ok(())
}

/// Express 4's frames under a route handler, as its stack traces show them.
fn express_frames(cwd: &str) -> Vec<String> {
    let lib = format!("{}/node_modules/express/lib", cwd.trim_end_matches('/'));
    vec![
        format!("Layer.handle [as handle_request] ({lib}/router/layer.js:95:5)"),
        format!("next ({lib}/router/route.js:149:13)"),
        format!("Route.dispatch ({lib}/router/route.js:119:3)"),
        format!("Layer.handle [as handle_request] ({lib}/router/layer.js:95:5)"),
        format!("{lib}/router/index.js:284:15"),
        format!("Function.process_params ({lib}/router/index.js:346:12)"),
        format!("next ({lib}/router/index.js:280:10)"),
        format!("expressInit ({lib}/middleware/init.js:40:5)"),
        format!("Layer.handle [as handle_request] ({lib}/router/layer.js:95:5)"),
    ]
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn html_document(message: &str) -> String {
    let body = escape_html(message)
        .replace('\n', "<br>")
        .replace("  ", " &nbsp;");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>{body}</pre>\n</body>\n</html>\n"
    )
}

/// finalhandler: Express's 404 for what no route answered, or the error's page.
fn final_handler(it: &mut Interp, req: &Value, res: &Value, err: Option<Value>) -> R<()> {
    let production = it
        .env_vars
        .iter()
        .any(|(k, v)| k == "NODE_ENV" && v == "production");
    let (status, message) = match &err {
        None => {
            let method = it.get(req, "method")?;
            let method = it.to_string(&method)?;
            let url = match it.get(req, "originalUrl")? {
                Value::Str(s) => s.to_string(),
                _ => req_path(it, req)?,
            };
            let path = url.split(['?', '#']).next().unwrap_or("/").to_string();
            (
                404u16,
                format!(
                    "Cannot {method} {}",
                    super::builtins::percent_encode(&path, false)
                ),
            )
        }
        Some(e) => {
            let status = match it.get(e, "status").or_else(|_| it.get(e, "statusCode")) {
                Ok(Value::Num(n)) if (400.0..600.0).contains(&n) => n as u16,
                _ => 500,
            };
            let stack = match e {
                Value::Obj(_) => match it.get(e, "stack")? {
                    Value::Str(s) => s.to_string(),
                    _ => it.to_string(e)?.to_string(),
                },
                other => it.to_string(other)?.to_string(),
            };
            // finalhandler logs the error's stack unless env is 'test'.
            it.print(2, format!("{stack}\n"));
            let msg = if production {
                super::http::status_text(status).to_string()
            } else {
                stack
            };
            (status, msg)
        }
    };
    let body = html_document(&message);
    it.put(res, "statusCode", Value::Num(status as f64), 0)?;
    for h in ["Content-Encoding", "Content-Language", "Content-Range"] {
        let f = it.get(res, "removeHeader")?;
        it.call(&f, res, &[Value::str(h)])?;
    }
    set_header(it, res, "Content-Security-Policy", "default-src 'none'")?;
    set_header(it, res, "X-Content-Type-Options", "nosniff")?;
    set_header(it, res, "Content-Type", "text/html; charset=utf-8")?;
    set_header(it, res, "Content-Length", &body.len().to_string())?;
    let end = it.get(res, "end")?;
    let method = it.get(req, "method")?;
    let head = matches!(&method, Value::Str(m) if &**m == "HEAD");
    it.call(
        &end,
        res,
        &[if head {
            Value::Undef
        } else {
            Value::Str(body.into())
        }],
    )?;
    Ok(())
}

/// What Express's init middleware and query parser add to req and res.
fn init_request(it: &mut Interp, req: &Value, res: &Value, st: &Rc<RefCell<RouterState>>) -> R<()> {
    let powered = !st
        .borrow()
        .settings
        .iter()
        .any(|(k, v)| k == "x-powered-by" && !v.truthy());
    if powered {
        set_header(it, res, "X-Powered-By", "Express")?;
    }
    let url = it.get(req, "url")?;
    let url = it.to_string(&url)?.to_string();
    let query = url
        .split_once('?')
        .map(|(_, q)| q.split('#').next().unwrap_or(""))
        .unwrap_or("");
    let q = super::modules::parse_query(it, query);
    let path = url.split(['?', '#']).next().unwrap_or("/").to_string();
    let headers = it.get(req, "headers")?;
    let host = it.get(&headers, "host")?;
    let hostname = match host {
        Value::Str(h) => h.split(':').next().unwrap_or("").to_string(),
        _ => String::new(),
    };
    let socket = it.get(req, "socket")?;
    let ip = it.get(&socket, "remoteAddress")?;
    for (k, v) in [
        ("query", q),
        ("originalUrl", Value::str(&url)),
        ("baseUrl", Value::str("")),
        ("hostname", Value::str(&hostname)),
        ("ip", ip),
        ("protocol", Value::str("http")),
        ("secure", Value::Bool(false)),
        ("params", Value::Obj(it.object())),
    ] {
        it.put(req, k, v, 0)?;
    }
    let path_getter = it.native("path", |it, this, _| {
        let p = req_path(it, this)?;
        Ok(Value::str(&p))
    });
    if let Value::Obj(o) = req {
        let mut b = o.borrow_mut();
        b.set_hidden("path", Value::str(&path));
        if let Some(s) = b.props.iter_mut().find(|s| &*s.key == "path") {
            s.getter = Some(path_getter);
        }
    }
    let get = it.native("get", |it, this, args| {
        let n = it.to_string(&arg(args, 0))?.to_ascii_lowercase();
        let headers = it.get(this, "headers")?;
        let n = if n == "referrer" {
            "referer".to_string()
        } else {
            n
        };
        it.get(&headers, &n)
    });
    let is = it.native("is", |it, this, args| {
        let headers = it.get(this, "headers")?;
        let ct = match it.get(&headers, "content-type")? {
            Value::Str(s) => s.to_string(),
            _ => return Ok(Value::Null),
        };
        let want = it.to_string(&arg(args, 0))?;
        Ok(if ct.contains(&*want) {
            Value::Str(want)
        } else {
            Value::Bool(false)
        })
    });
    if let Value::Obj(o) = req {
        let mut b = o.borrow_mut();
        b.set_hidden("get", get.clone());
        b.set_hidden("header", get);
        b.set_hidden("is", is);
    }
    add_response_methods(it, req, res, st)?;
    Ok(())
}

fn setting(st: &Rc<RefCell<RouterState>>, name: &str) -> Option<Value> {
    st.borrow()
        .settings
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// Express's content types: `html` → text/html; charset=utf-8 and so on.
fn mime_for(t: &str) -> String {
    let base = match t.trim_start_matches('.') {
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "txt" | "text" => "text/plain",
        "css" => "text/css",
        "js" | "mjs" => "application/javascript",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        "map" => "application/json",
        other if other.contains('/') => return with_charset(other),
        _ => "application/octet-stream",
    };
    with_charset(base)
}

/// mime 1.x's charsets.lookup, as res.set('Content-Type') applies it.
fn with_charset(t: &str) -> String {
    if t.contains("charset") {
        return t.to_string();
    }
    let main = t.split(';').next().unwrap_or("").trim();
    if main.starts_with("text/") || main == "application/javascript" || main == "application/json" {
        format!("{t}; charset=utf-8")
    } else {
        t.to_string()
    }
}

/// The etag package's weak tag for a body: W/"<length hex>-<sha1 base64, 27 chars>".
pub fn etag(body: &[u8]) -> String {
    use base64::Engine;
    use sha1::Digest;
    if body.is_empty() {
        return "W/\"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk\"".into();
    }
    let hash = base64::engine::general_purpose::STANDARD.encode(sha1::Sha1::digest(body));
    format!("W/\"{:x}-{}\"", body.len(), &hash[..27])
}

fn add_response_methods(
    it: &mut Interp,
    req: &Value,
    res: &Value,
    st: &Rc<RefCell<RouterState>>,
) -> R<()> {
    let status = it.native("status", |it, this, args| {
        let n = it.to_number(&arg(args, 0))?;
        it.put(this, "statusCode", Value::Num(n), 0)?;
        Ok(this.clone())
    });
    let set = it.native("set", |it, this, args| {
        let field = arg(args, 0);
        if let Value::Str(f) = &field {
            let v = it.to_string(&arg(args, 1))?;
            let v = if f.eq_ignore_ascii_case("content-type") {
                with_charset(&v)
            } else {
                v.to_string()
            };
            set_header(it, this, f, &v)?;
        } else if let Value::Obj(_) = field {
            for k in it.own_keys(&field) {
                let v = it.get(&field, &k)?;
                let v = it.to_string(&v)?;
                let v = if k.eq_ignore_ascii_case("content-type") {
                    with_charset(&v)
                } else {
                    v.to_string()
                };
                set_header(it, this, &k, &v)?;
            }
        }
        Ok(this.clone())
    });
    let get = it.native("get", |it, this, args| {
        let n = it.to_string(&arg(args, 0))?;
        Ok(get_header(it, this, &n)?
            .map(|v| Value::str(&v))
            .unwrap_or(Value::Undef))
    });
    let typ = it.native("type", |it, this, args| {
        let t = it.to_string(&arg(args, 0))?;
        set_header(it, this, "Content-Type", &mime_for(&t))?;
        Ok(this.clone())
    });
    let rq = req.clone();
    let send_fn = it.native("send", move |it, this, args| {
        send(it, &rq, this, arg(args, 0))?;
        Ok(this.clone())
    });
    let st2 = st.clone();
    let rq = req.clone();
    let json = it.native("json", move |it, this, args| {
        let spaces = match setting(&st2, "json spaces") {
            Some(Value::Num(n)) => " ".repeat(n.clamp(0.0, 10.0) as usize),
            Some(Value::Str(s)) => s.to_string(),
            _ => String::new(),
        };
        let body =
            super::builtins::json_stringify(it, &arg(args, 0), None, &spaces)?.unwrap_or_default();
        if get_header(it, this, "Content-Type")?.is_none() {
            set_header(it, this, "Content-Type", "application/json; charset=utf-8")?;
        }
        send(it, &rq, this, Value::Str(body.into()))?;
        Ok(this.clone())
    });
    let rq = req.clone();
    let send_status = it.native("sendStatus", move |it, this, args| {
        let n = it.to_number(&arg(args, 0))?;
        it.put(this, "statusCode", Value::Num(n), 0)?;
        set_header(it, this, "Content-Type", "text/plain; charset=utf-8")?;
        send(
            it,
            &rq,
            this,
            Value::str(super::http::status_text(n as u16)),
        )?;
        Ok(this.clone())
    });
    let rq = req.clone();
    let redirect = it.native("redirect", move |it, this, args| {
        let (status, url) = match (arg(args, 0), arg(args, 1)) {
            (Value::Num(n), u) => (n, it.to_string(&u)?),
            (u, _) => (302.0, it.to_string(&u)?),
        };
        set_header(
            it,
            this,
            "Location",
            &super::builtins::percent_encode(&url, false),
        )?;
        it.put(this, "statusCode", Value::Num(status), 0)?;
        let text = format!(
            "{}. Redirecting to {url}",
            super::http::status_text(status as u16)
        );
        set_header(it, this, "Content-Type", "text/plain; charset=utf-8")?;
        send(it, &rq, this, Value::Str(text.into()))?;
        Ok(this.clone())
    });
    let rq = req.clone();
    let send_file = it.native("sendFile", move |it, this, args| {
        let p = it.to_string(&arg(args, 0))?;
        let root = match it.get(&arg(args, 1), "root") {
            Ok(Value::Str(r)) => Some(r.to_string()),
            _ => None,
        };
        let path = match root {
            Some(r) => super::modules::resolve_path(&it.cwd.clone(), &format!("{r}/{p}")),
            None if p.starts_with('/') => p.to_string(),
            None => {
                return Err(it.error_at_current(
                    "TypeError",
                    "path must be absolute or specify root to res.sendFile",
                ));
            }
        };
        if !serve_file(it, &rq, this, &path)? {
            let e = it.make_error(
                "Error",
                &format!("ENOENT: no such file or directory, stat '{path}'"),
                None,
            );
            if let Value::Obj(o) = &e {
                let mut b = o.borrow_mut();
                b.set("errno", Value::Num(-2.0));
                b.set("code", Value::str("ENOENT"));
                b.set("syscall", Value::str("stat"));
                b.set("path", Value::str(&path));
                b.set("expose", Value::Bool(false));
                b.set("statusCode", Value::Num(404.0));
                b.set("status", Value::Num(404.0));
            }
            return Err(it.throw_value(e));
        }
        Ok(Value::Undef)
    });
    let cookie = it.native("cookie", |it, this, args| {
        let n = it.to_string(&arg(args, 0))?;
        let v = it.to_string(&arg(args, 1))?;
        set_header(
            it,
            this,
            "Set-Cookie",
            &format!("{n}={}; Path=/", super::builtins::percent_encode(&v, true)),
        )?;
        Ok(this.clone())
    });
    let render = it.native("render", |it, _, _| {
        Err(Throw::Unsupported(format!(
            "docklab: this lab's express does not support view engines (res.render) ({})",
            it.main_file
        )))
    });
    let locals = it.obj_value(vec![]);
    if let Value::Obj(o) = res {
        let mut b = o.borrow_mut();
        for (n, f) in [
            ("status", status),
            ("set", set.clone()),
            ("header", set),
            ("get", get),
            ("type", typ.clone()),
            ("contentType", typ),
            ("send", send_fn),
            ("json", json),
            ("sendStatus", send_status),
            ("redirect", redirect),
            ("sendFile", send_file),
            ("cookie", cookie),
            ("render", render),
        ] {
            b.set_hidden(n, f);
        }
        b.set("locals", locals);
    }
    Ok(())
}

/// res.send: the body's type, Content-Length, the ETag, freshness (304), HEAD.
fn send(it: &mut Interp, req: &Value, res: &Value, body: Value) -> R<()> {
    let text = match &body {
        Value::Str(s) => {
            match get_header(it, res, "Content-Type")? {
                None => set_header(it, res, "Content-Type", "text/html; charset=utf-8")?,
                Some(t) => {
                    let t2 = with_charset_any(&t);
                    set_header(it, res, "Content-Type", &t2)?;
                }
            }
            s.to_string()
        }
        Value::Undef => String::new(),
        Value::Num(_) | Value::Bool(_) | Value::Null | Value::Obj(_) => {
            let j = it.get(res, "json")?;
            it.call(&j, res, std::slice::from_ref(&body))?;
            return Ok(());
        }
    };
    let status = match it.get(res, "statusCode")? {
        Value::Num(n) => n as u16,
        _ => 200,
    };
    let bytes = text.into_bytes();
    if !matches!(body, Value::Undef) || status != 204 {
        set_header(it, res, "Content-Length", &bytes.len().to_string())?;
    }
    if get_header(it, res, "ETag")?.is_none() && !matches!(body, Value::Undef) {
        set_header(it, res, "ETag", &etag(&bytes))?;
    }
    let headers = it.get(req, "headers")?;
    let inm = it.get(&headers, "if-none-match")?;
    let tag = get_header(it, res, "ETag")?;
    let method = it.get(req, "method")?;
    let method = it.to_string(&method)?;
    let fresh = (&*method == "GET" || &*method == "HEAD")
        && (200..300).contains(&status)
        && matches!((&inm, &tag), (Value::Str(i), Some(t)) if i.split(',').any(|x| x.trim() == t || x.trim() == "*"));
    let mut status = status;
    if fresh {
        it.put(res, "statusCode", Value::Num(304.0), 0)?;
        status = 304;
    }
    let end = it.get(res, "end")?;
    if status == 204 || status == 304 {
        let rm = it.get(res, "removeHeader")?;
        for h in ["Content-Type", "Content-Length", "Transfer-Encoding"] {
            it.call(&rm, res, &[Value::str(h)])?;
        }
        it.call(&end, res, &[])?;
        return Ok(());
    }
    if &*method == "HEAD" {
        it.call(&end, res, &[])?;
        return Ok(());
    }
    it.call(
        &end,
        res,
        &[Value::Str(
            String::from_utf8_lossy(&bytes).into_owned().into(),
        )],
    )?;
    Ok(())
}

/// res.send's setCharset: a string body's type gets charset=utf-8 whatever it is.
fn with_charset_any(t: &str) -> String {
    if t.to_ascii_lowercase().contains("charset=") {
        let main = t.split(';').next().unwrap_or(t);
        return format!("{main}; charset=utf-8");
    }
    format!("{t}; charset=utf-8")
}

fn send_mime(path: &str) -> String {
    let ext = path.rsplit('.').next().unwrap_or("");
    let t = match ext {
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" | "mjs" => "application/javascript",
        "json" => "application/json",
        "txt" => "text/plain",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "xml" => "application/xml",
        "md" => "text/markdown",
        _ => "application/octet-stream",
    };
    if t.starts_with("text/") || t == "application/javascript" || t == "application/json" {
        format!("{t}; charset=UTF-8")
    } else {
        t.to_string()
    }
}

/// The `send` package serving a file: its headers in its order.
fn serve_file(it: &mut Interp, req: &Value, res: &Value, path: &str) -> R<bool> {
    let Ok(bytes) = it.host.read(path) else {
        return Ok(false);
    };
    if it.host.is_dir(path) {
        return Ok(false);
    }
    let mtime = it.host.mtime_ms(path).unwrap_or(0);
    let modified = chrono::DateTime::from_timestamp_millis(mtime)
        .map(|d| d.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_default();
    let tag = format!("W/\"{:x}-{:x}\"", bytes.len(), mtime);
    set_header(it, res, "Accept-Ranges", "bytes")?;
    set_header(it, res, "Cache-Control", "public, max-age=0")?;
    set_header(it, res, "Last-Modified", &modified)?;
    set_header(it, res, "ETag", &tag)?;
    set_header(it, res, "Content-Type", &send_mime(path))?;
    set_header(it, res, "Content-Length", &bytes.len().to_string())?;
    let headers = it.get(req, "headers")?;
    let fresh = matches!(it.get(&headers, "if-none-match")?, Value::Str(i) if *i == *tag);
    let end = it.get(res, "end")?;
    let method = it.get(req, "method")?;
    if fresh {
        it.put(res, "statusCode", Value::Num(304.0), 0)?;
        let rm = it.get(res, "removeHeader")?;
        for h in ["Content-Type", "Content-Length"] {
            it.call(&rm, res, &[Value::str(h)])?;
        }
        it.call(&end, res, &[])?;
    } else if matches!(&method, Value::Str(m) if &**m == "HEAD") {
        it.call(&end, res, &[])?;
    } else {
        it.call(
            &end,
            res,
            &[Value::Str(
                String::from_utf8_lossy(&bytes).into_owned().into(),
            )],
        )?;
    }
    Ok(true)
}

fn static_middleware(it: &mut Interp, root: String) -> Value {
    it.native("serveStatic", move |it, _, args| {
        let (req, res, next) = (arg(args, 0), arg(args, 1), arg(args, 2));
        let method = it.get(&req, "method")?;
        let method = it.to_string(&method)?;
        if &*method != "GET" && &*method != "HEAD" {
            return it.call(&next, &Value::Undef, &[]);
        }
        let path = req_path(it, &req)?;
        let decoded = super::builtins::percent_decode(&path).unwrap_or(path.clone());
        if decoded.split('/').any(|s| s == "..") {
            return it.call(&next, &Value::Undef, &[]);
        }
        let file = super::modules::normalize(&format!("{root}/{decoded}"));
        if it.host.is_dir(&file) {
            if !path.ends_with('/') {
                let original = match it.get(&req, "originalUrl")? {
                    Value::Str(s) => s.to_string(),
                    _ => path.clone(),
                };
                let (p, q) = match original.split_once('?') {
                    Some((p, q)) => (p.to_string(), format!("?{q}")),
                    None => (original.clone(), String::new()),
                };
                let loc = format!("{p}/{q}");
                let body = html_document(&format!("Redirecting to {loc}"));
                it.put(&res, "statusCode", Value::Num(301.0), 0)?;
                set_header(it, &res, "Content-Type", "text/html; charset=UTF-8")?;
                set_header(it, &res, "Content-Length", &body.len().to_string())?;
                set_header(it, &res, "Content-Security-Policy", "default-src 'none'")?;
                set_header(it, &res, "X-Content-Type-Options", "nosniff")?;
                set_header(it, &res, "Location", &loc)?;
                let end = it.get(&res, "end")?;
                it.call(&end, &res, &[Value::Str(body.into())])?;
                return Ok(Value::Undef);
            }
            let index = format!("{}/index.html", file.trim_end_matches('/'));
            if serve_file(it, &req, &res, &index)? {
                return Ok(Value::Undef);
            }
            return it.call(&next, &Value::Undef, &[]);
        }
        if serve_file(it, &req, &res, &file)? {
            return Ok(Value::Undef);
        }
        it.call(&next, &Value::Undef, &[])
    })
}

fn content_type_of(it: &mut Interp, req: &Value) -> R<String> {
    let headers = it.get(req, "headers")?;
    Ok(match it.get(&headers, "content-type")? {
        Value::Str(s) => s
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
        _ => String::new(),
    })
}

/// Reads the raw body the http layer stashed on req.
fn raw_body(it: &mut Interp, req: &Value) -> R<String> {
    Ok(match it.get(req, "\u{0}body")? {
        Value::Str(s) => s.to_string(),
        _ => String::new(),
    })
}

fn json_parser(it: &mut Interp) -> Value {
    it.native("jsonParser", |it, _, args| {
        let (req, _res, next) = (arg(args, 0), arg(args, 1), arg(args, 2));
        let existing = it.get(&req, "body")?;
        if existing.is_nullish() {
            let empty = Value::Obj(it.object());
            it.put(&req, "body", empty, 0)?;
        }
        let ct = content_type_of(it, &req)?;
        if ct != "application/json" && !ct.ends_with("+json") {
            return it.call(&next, &Value::Undef, &[]);
        }
        let body = raw_body(it, &req)?;
        if body.is_empty() {
            return it.call(&next, &Value::Undef, &[]);
        }
        // body-parser's strict mode: only objects and arrays.
        let first = body.trim_start().chars().next().unwrap_or(' ');
        let parsed = if first == '{' || first == '[' {
            serde_json::from_str::<serde_json::Value>(&body).ok()
        } else {
            None
        };
        match parsed {
            Some(v) => {
                let v = super::builtins::from_json(it, &v);
                it.put(&req, "body", v, 0)?;
                it.call(&next, &Value::Undef, &[])
            }
            None => {
                let c = if first == '{' || first == '[' {
                    body.trim_start().chars().nth(1).unwrap_or(' ')
                } else {
                    first
                };
                let msg = if first == '{' || first == '[' {
                    "Expected property name or '}' in JSON at position 1 (line 1 column 2)"
                        .to_string()
                } else {
                    format!(
                        "Unexpected token '{c}', \"{}\" is not valid JSON",
                        body.chars().take(10).collect::<String>()
                    )
                };
                let e = it.make_error("SyntaxError", &msg, None);
                if let Value::Obj(o) = &e {
                    let mut b = o.borrow_mut();
                    b.set("expose", Value::Bool(true));
                    b.set("statusCode", Value::Num(400.0));
                    b.set("status", Value::Num(400.0));
                    b.set("body", Value::str(&body));
                    b.set("type", Value::str("entity.parse.failed"));
                }
                it.call(&next, &Value::Undef, &[e])
            }
        }
    })
}

fn urlencoded_parser(it: &mut Interp) -> Value {
    it.native("urlencodedParser", |it, _, args| {
        let (req, _res, next) = (arg(args, 0), arg(args, 1), arg(args, 2));
        let existing = it.get(&req, "body")?;
        if existing.is_nullish() {
            let empty = Value::Obj(it.object());
            it.put(&req, "body", empty, 0)?;
        }
        if content_type_of(it, &req)? == "application/x-www-form-urlencoded" {
            let body = raw_body(it, &req)?;
            let v = super::modules::parse_query(it, &body);
            it.put(&req, "body", v, 0)?;
        }
        it.call(&next, &Value::Undef, &[])
    })
}

fn text_parser(it: &mut Interp) -> Value {
    it.native("textParser", |it, _, args| {
        let (req, _res, next) = (arg(args, 0), arg(args, 1), arg(args, 2));
        if content_type_of(it, &req)?.starts_with("text/") {
            let body = raw_body(it, &req)?;
            it.put(&req, "body", Value::str(&body), 0)?;
        } else if it.get(&req, "body")?.is_nullish() {
            let empty = Value::Obj(it.object());
            it.put(&req, "body", empty, 0)?;
        }
        it.call(&next, &Value::Undef, &[])
    })
}
