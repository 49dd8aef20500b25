//! Flask 3.1 as pip installs it: the `flask` module (Flask, request, jsonify,
//! abort, redirect, make_response, render_template_string), routing with Werkzeug's
//! converters and strict slashes, view return values turned into responses, the
//! development server's start-up lines, and the error pages Werkzeug renders.

use super::builtins::{kwarg, native};
use super::interp::{Flow, Interp, Mode, R};
use super::value::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

pub const WERKZEUG: &str = "3.1.3";

pub struct Route {
    pub rule: String,
    pub methods: Vec<String>,
    pub endpoint: String,
    pub view: Value,
}

pub struct AppState {
    pub name: String,
    pub routes: Vec<Route>,
    pub config: Value,
    pub error_handlers: Vec<(u16, Value)>,
    pub before: Vec<Value>,
    pub after: Vec<Value>,
    pub debug: bool,
}

pub struct RequestData {
    pub method: String,
    pub target: String,
    pub path: String,
    pub args: Vec<(String, String)>,
    pub form: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub host: String,
    pub remote: String,
    pub view_args: Vec<(String, Value)>,
    pub endpoint: String,
}

pub struct ResponseData {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

thread_local! {
    /// The request being handled on this thread: what `flask.request` stands for.
    static CURRENT: RefCell<Option<Rc<RequestData>>> = const { RefCell::new(None) };
}

pub fn set_current(r: Option<Rc<RequestData>>) {
    CURRENT.with(|c| *c.borrow_mut() = r);
}

fn current(i: &Interp<'_>) -> R<Rc<RequestData>> {
    CURRENT.with(|c| c.borrow().clone()).ok_or_else(|| {
        i.exc(
            "RuntimeError",
            "Working outside of request context.\n\nThis typically means that you attempted to use functionality that needed\nan active HTTP request. Consult the documentation on testing for\ninformation about how to avoid this problem.",
        )
    })
}

pub fn status_line(code: u16) -> String {
    format!("{code} {}", reason(code))
}

pub fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "CREATED",
        202 => "ACCEPTED",
        204 => "NO CONTENT",
        301 => "MOVED PERMANENTLY",
        302 => "FOUND",
        304 => "NOT MODIFIED",
        307 => "TEMPORARY REDIRECT",
        308 => "PERMANENT REDIRECT",
        400 => "BAD REQUEST",
        401 => "UNAUTHORIZED",
        403 => "FORBIDDEN",
        404 => "NOT FOUND",
        405 => "METHOD NOT ALLOWED",
        409 => "CONFLICT",
        415 => "UNSUPPORTED MEDIA TYPE",
        422 => "UNPROCESSABLE ENTITY",
        429 => "TOO MANY REQUESTS",
        500 => "INTERNAL SERVER ERROR",
        501 => "NOT IMPLEMENTED",
        503 => "SERVICE UNAVAILABLE",
        _ => "UNKNOWN",
    }
}

/// Werkzeug's name and description of an HTTP error.
fn error_text(code: u16) -> (&'static str, &'static str) {
    match code {
        400 => (
            "Bad Request",
            "The browser (or proxy) sent a request that this server could not understand.",
        ),
        401 => (
            "Unauthorized",
            "The server could not verify that you are authorized to access the URL requested. You either supplied the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the credentials required.",
        ),
        403 => (
            "Forbidden",
            "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.",
        ),
        404 => (
            "Not Found",
            "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
        ),
        405 => (
            "Method Not Allowed",
            "The method is not allowed for the requested URL.",
        ),
        409 => (
            "Conflict",
            "A conflict happened while processing the request. The resource might have been modified while the request was being processed.",
        ),
        415 => (
            "Unsupported Media Type",
            "The server does not support the media type transmitted in the request.",
        ),
        422 => (
            "Unprocessable Entity",
            "The request was well-formed but was unable to be followed due to semantic errors.",
        ),
        429 => (
            "Too Many Requests",
            "This user has exceeded an allotted request count. Try again later.",
        ),
        501 => (
            "Not Implemented",
            "The server does not support the action requested by the browser.",
        ),
        503 => (
            "Service Unavailable",
            "The server is temporarily unable to service your request due to maintenance downtime or capacity problems. Please try again later.",
        ),
        _ => (
            "Internal Server Error",
            "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.",
        ),
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

pub fn error_page(code: u16, description: Option<&str>) -> ResponseData {
    let (name, default) = error_text(code);
    let desc = description
        .map(html_escape)
        .unwrap_or_else(|| default.to_string());
    let body = format!(
        "<!doctype html>\n<html lang=en>\n<title>{code} {name}</title>\n<h1>{name}</h1>\n<p>{desc}</p>\n"
    );
    ResponseData {
        status: code,
        headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        body: body.into_bytes(),
    }
}

fn redirect_page(location: &str, code: u16) -> ResponseData {
    let l = html_escape(location);
    let body = format!(
        "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href=\"{l}\">{l}</a>. If not, click the link.\n"
    );
    ResponseData {
        status: code,
        headers: vec![
            ("Content-Type".into(), "text/html; charset=utf-8".into()),
            ("Location".into(), location.to_string()),
        ],
        body: body.into_bytes(),
    }
}

/// The HTTPException abort() raises: a built-in-like exception carrying the code.
fn http_exception(i: &Interp<'_>, code: u16, description: Option<String>) -> Flow {
    let class = i.class("Exception");
    let c = Rc::new(Class {
        name: error_text(code).0.replace(' ', ""),
        module: "werkzeug.exceptions".into(),
        bases: vec![class],
        dict: RefCell::new(HashMap::new()),
        builtin: true,
    });
    let inst = Instance {
        class: c,
        dict: RefCell::new(HashMap::new()),
    };
    let (name, default) = error_text(code);
    let desc = description.clone().unwrap_or_else(|| default.to_string());
    inst.dict.borrow_mut().insert(
        "args".into(),
        Value::tuple(vec![Value::str(format!("{code} {name}: {desc}"))]),
    );
    inst.dict
        .borrow_mut()
        .insert("code".into(), Value::Int(code as i64));
    inst.dict.borrow_mut().insert(
        "description".into(),
        description.map(Value::str).unwrap_or(Value::None),
    );
    i.raise_value(Value::Instance(Rc::new(inst)))
}

pub fn bad_request_key(i: &Interp<'_>, key: &str) -> Flow {
    let _ = key;
    http_exception(i, 400, None)
}

pub fn module(i: &mut Interp<'_>, file: &str) -> Value {
    let fns: &[(&str, NativeFn)] = &[
        ("Flask", flask_ctor),
        ("jsonify", jsonify),
        ("abort", |i, _, _, a, kw| {
            let code = match a.first() {
                Some(Value::Int(c)) => *c as u16,
                _ => 500,
            };
            let desc = a
                .get(1)
                .cloned()
                .or_else(|| kwarg(&kw, "description"))
                .map(|v| i.to_str(&v));
            Err(http_exception(i, code, desc))
        }),
        ("redirect", |i, _, _, a, kw| {
            let loc = a.first().map(|v| i.to_str(v)).unwrap_or_default();
            let code = match a.get(1).cloned().or_else(|| kwarg(&kw, "code")) {
                Some(Value::Int(c)) => c as u16,
                _ => 302,
            };
            Ok(response_value(redirect_page(&loc, code)))
        }),
        ("make_response", |i, _, _, a, _| {
            let v = match a.len() {
                0 => Value::str(""),
                1 => a[0].clone(),
                _ => Value::tuple(a),
            };
            let r = to_response(i, v, false)?;
            Ok(response_value(r))
        }),
        ("render_template_string", |i, _, _, a, kw| {
            let src = a.first().map(|v| i.to_str(v)).unwrap_or_default();
            Ok(Value::str(render(i, &src, &kw)?))
        }),
        ("render_template", |i, _, _, a, kw| {
            let name = a.first().map(|v| i.to_str(v)).unwrap_or_default();
            let path = format!("{}/templates/{name}", i.path0.trim_end_matches('/'));
            let src = match i.fs.read(&path) {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                Err(_) => {
                    let c = Rc::new(Class {
                        name: "TemplateNotFound".into(),
                        module: "jinja2.exceptions".into(),
                        bases: vec![i.class("Exception")],
                        dict: RefCell::new(HashMap::new()),
                        builtin: true,
                    });
                    let inst = Instance {
                        class: c,
                        dict: RefCell::new(HashMap::new()),
                    };
                    inst.dict
                        .borrow_mut()
                        .insert("args".into(), Value::tuple(vec![Value::str(name)]));
                    return Err(i.raise_value(Value::Instance(Rc::new(inst))));
                }
            };
            Ok(Value::str(render(i, &src, &kw)?))
        }),
        ("url_for", |i, _, _, a, _| {
            let endpoint = a.first().map(|v| i.to_str(v)).unwrap_or_default();
            Err(i.limit(&format!("url_for('{endpoint}')")))
        }),
    ];
    let mut d = HashMap::new();
    d.insert("__name__".to_string(), Value::str("flask"));
    d.insert("__file__".to_string(), Value::str(file));
    d.insert("__version__".to_string(), Value::str("3.1.1"));
    for (n, f) in fns {
        d.insert(n.to_string(), native(n, *f, None));
    }
    d.insert("request".into(), request_proxy());
    let _ = i;
    Value::Module(Rc::new(Module {
        name: "flask".into(),
        dict: Rc::new(RefCell::new(d)),
        opaque: false,
    }))
}

fn request_proxy() -> Value {
    Value::object(ObjKind::FlaskRequest(Rc::new(RequestData {
        method: String::new(),
        target: String::new(),
        path: String::new(),
        args: Vec::new(),
        form: Vec::new(),
        headers: Vec::new(),
        body: Vec::new(),
        host: String::new(),
        remote: String::new(),
        view_args: Vec::new(),
        endpoint: String::new(),
    })))
}

fn flask_ctor(
    i: &mut Interp<'_>,
    _: &str,
    _: Option<&Value>,
    a: Vec<Value>,
    kw: Vec<(String, Value)>,
) -> R<Value> {
    let import = a
        .first()
        .cloned()
        .or_else(|| kwarg(&kw, "import_name"))
        .map(|v| i.to_str(&v))
        .ok_or_else(|| {
            i.type_error("Flask.__init__() missing 1 required positional argument: 'import_name'")
        })?;
    let name = if import == "__main__" {
        // Flask names an app run as a script after its file.
        let file = i
            .frames
            .last()
            .map(|f| f.file.to_string())
            .unwrap_or_default();
        let base = file.rsplit('/').next().unwrap_or("").to_string();
        base.strip_suffix(".py").unwrap_or(&base).to_string()
    } else {
        import
    };
    let mut config = Dict::new();
    config.set_str("DEBUG", Value::Bool(false));
    config.set_str("TESTING", Value::Bool(false));
    config.set_str("SECRET_KEY", Value::None);
    config.set_str("JSON_SORT_KEYS", Value::Bool(true));
    Ok(Value::object(ObjKind::FlaskApp(RefCell::new(AppState {
        name,
        routes: Vec::new(),
        config: Value::dict(config),
        error_handlers: Vec::new(),
        before: Vec::new(),
        after: Vec::new(),
        debug: false,
    }))))
}

pub fn response_value(r: ResponseData) -> Value {
    Value::object(ObjKind::FlaskResponse(RefCell::new(r)))
}

fn jsonify(
    i: &mut Interp<'_>,
    _: &str,
    _: Option<&Value>,
    a: Vec<Value>,
    kw: Vec<(String, Value)>,
) -> R<Value> {
    let v = if !kw.is_empty() {
        let mut d = Dict::new();
        for (k, v) in kw {
            d.set_str(&k, v);
        }
        Value::dict(d)
    } else {
        match a.len() {
            0 => Value::None,
            1 => a[0].clone(),
            _ => Value::list(a),
        }
    };
    Ok(response_value(json_response(i, &v, 200)?))
}

fn app_debug(i: &Interp<'_>) -> bool {
    let _ = i;
    DEBUG.with(|d| *d.borrow())
}

thread_local! {
    static DEBUG: RefCell<bool> = const { RefCell::new(false) };
}

fn json_response(i: &mut Interp<'_>, v: &Value, status: u16) -> R<ResponseData> {
    // Flask's provider: sorted keys; compact unless the app is in debug mode.
    let text = if app_debug(i) {
        super::modules::to_json(i, v, Some(2), true)?
    } else {
        compact_json(i, v)?
    };
    Ok(ResponseData {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: format!("{text}\n").into_bytes(),
    })
}

fn compact_json(i: &mut Interp<'_>, v: &Value) -> R<String> {
    // separators=(",", ":"): re-encode the spaced form's tokens without spaces.
    let spaced = super::modules::to_json(i, v, None, true)?;
    let mut out = String::with_capacity(spaced.len());
    let mut in_str = false;
    let mut escape = false;
    let chars: Vec<char> = spaced.chars().collect();
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        if in_str {
            out.push(c);
            if escape {
                escape = false;
            } else if c == '\\' {
                escape = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if (c == ',' || c == ':') && chars.get(k + 1) == Some(&' ') {
            out.push(c);
            k += 1;
        } else {
            out.push(c);
        }
        k += 1;
    }
    Ok(out)
}

/// A view's return value as a response.
pub fn to_response(i: &mut Interp<'_>, v: Value, from_view: bool) -> R<ResponseData> {
    let (body, status, headers) = match &v {
        Value::Tuple(t) => match t.len() {
            2 => match &t[1] {
                Value::Int(_) => (t[0].clone(), Some(t[1].clone()), None),
                _ => (t[0].clone(), None, Some(t[1].clone())),
            },
            3 => (t[0].clone(), Some(t[1].clone()), Some(t[2].clone())),
            _ => {
                return Err(i.type_error(
                    "The view function did not return a valid response tuple. The tuple must have the form (body, status, headers), (body, status), or (body, headers).",
                ));
            }
        },
        _ => (v.clone(), None, None),
    };
    let mut r = match &body {
        Value::Str(s) => ResponseData {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: s.as_bytes().to_vec(),
        },
        Value::Bytes(b) => ResponseData {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
            body: b.to_vec(),
        },
        Value::Dict(_) | Value::List(_) => json_response(i, &body, 200)?,
        Value::Object(o) if matches!(o.kind, ObjKind::FlaskResponse(_)) => {
            let ObjKind::FlaskResponse(r) = &o.kind else {
                unreachable!()
            };
            let r = r.borrow();
            ResponseData {
                status: r.status,
                headers: r.headers.clone(),
                body: r.body.clone(),
            }
        }
        Value::None if from_view => {
            return Err(i.type_error(format!(
                "The view function for {} did not return a valid response. The function either returned None or ended without a return statement.",
                super::value::str_repr(&current(i).map(|r| r.endpoint.clone()).unwrap_or_default())
            )));
        }
        other => {
            return Err(i.type_error(format!(
                "The view function did not return a valid response. The return type must be a string, dict, list, tuple with headers or status, Response instance, or WSGI callable, but it was a {}.",
                other.type_name()
            )));
        }
    };
    if let Some(Value::Int(c)) = status {
        r.status = c.clamp(100, 999) as u16;
    }
    if let Some(h) = headers {
        let pairs: Vec<(String, String)> = match &h {
            Value::Dict(d) => d
                .borrow()
                .items()
                .map(|(k, v)| (i.to_str(k), i.to_str(v)))
                .collect(),
            other => {
                let mut out = Vec::new();
                for p in i.iterate(other)? {
                    let kv = i.iterate(&p)?;
                    if kv.len() == 2 {
                        out.push((i.to_str(&kv[0]), i.to_str(&kv[1])));
                    }
                }
                out
            }
        };
        for (k, v) in pairs {
            r.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&k));
            r.headers.push((k, v));
        }
    }
    Ok(r)
}

/// `{{ expr }}` substitution with HTML escaping: the part of Jinja tutorials use
/// in a one-line template. Tags (`{% ... %}`) are refused by name.
fn render(i: &mut Interp<'_>, src: &str, ctx: &[(String, Value)]) -> R<String> {
    if src.contains("{%") {
        return Err(i.limit(
            "Jinja template tags ('{% ... %}'); only '{{ name }}' substitutions are simulated",
        ));
    }
    let mut out = String::new();
    let mut rest = src;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(i.exc("TemplateSyntaxError", "unexpected end of template"));
        };
        let expr = after[..end].trim();
        let (expr, safe) = match expr
            .strip_suffix("|safe")
            .or_else(|| expr.strip_suffix("| safe"))
        {
            Some(e) => (e.trim(), true),
            None => (expr, false),
        };
        let mut parts = expr.split('.');
        let head = parts.next().unwrap_or("");
        let mut v = ctx
            .iter()
            .find(|(k, _)| k == head)
            .map(|(_, v)| v.clone())
            .unwrap_or(Value::str(""));
        for p in parts {
            v = match &v {
                Value::Dict(d) => d.borrow().get_str(p).cloned().unwrap_or(Value::str("")),
                _ => i.getattr(&v, p).unwrap_or(Value::str("")),
            };
        }
        let s = i.str_of(&v)?;
        out.push_str(&if safe { s } else { html_escape(&s) });
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

// ---- attributes ----

pub fn attr(i: &mut Interp<'_>, o: &Value, name: &str) -> R<Value> {
    let Value::Object(ob) = o else {
        return Ok(Value::None);
    };
    let m = |n: &str| Ok(native(n, method_trampoline, Some(o.clone())));
    match &ob.kind {
        ObjKind::FlaskApp(st) => match name {
            "route" | "get" | "post" | "put" | "delete" | "patch" | "run" | "errorhandler"
            | "add_url_rule" | "before_request" | "after_request" | "test_client" => m(name),
            "config" => Ok(st.borrow().config.clone()),
            "name" | "import_name" => Ok(Value::str(st.borrow().name.as_str())),
            "debug" => Ok(Value::Bool(st.borrow().debug)),
            "url_map" => Err(i.limit("app.url_map")),
            _ => Err(i.exc(
                "AttributeError",
                format!("'Flask' object has no attribute '{name}'"),
            )),
        },
        ObjKind::FlaskRequest(_) => {
            let r = current(i)?;
            let md = |items: &Vec<(String, String)>, ci| {
                Value::object(ObjKind::MultiDict(items.clone(), ci))
            };
            Ok(match name {
                "method" => Value::str(r.method.as_str()),
                "path" => Value::str(r.path.as_str()),
                "full_path" => Value::str(format!(
                    "{}?{}",
                    r.path,
                    r.target.split_once('?').map(|(_, q)| q).unwrap_or("")
                )),
                "url" => Value::str(format!("http://{}{}", r.host, r.target)),
                "base_url" => Value::str(format!("http://{}{}", r.host, r.path)),
                "host_url" => Value::str(format!("http://{}/", r.host)),
                "host" => Value::str(r.host.as_str()),
                "args" => md(&r.args, false),
                "form" => md(&r.form, false),
                "values" => md(&[r.args.clone(), r.form.clone()].concat(), false),
                "headers" => md(&r.headers, true),
                "remote_addr" => Value::str(r.remote.as_str()),
                "data" => Value::Bytes(Rc::new(r.body.clone())),
                "endpoint" => Value::str(r.endpoint.as_str()),
                "content_type" | "mimetype" => {
                    let ct = header(&r, "content-type").unwrap_or_default();
                    Value::str(if name == "mimetype" {
                        ct.split(';').next().unwrap_or("").trim().to_string()
                    } else {
                        ct
                    })
                }
                "is_json" => Value::Bool(is_json(&r)),
                "json" => get_json(i, &r, false, false)?,
                "view_args" => {
                    let mut d = Dict::new();
                    for (k, v) in &r.view_args {
                        d.set_str(k, v.clone());
                    }
                    Value::dict(d)
                }
                "cookies" => md(&Vec::new(), false),
                "get_json" | "get_data" => return m(name),
                _ => {
                    return Err(i.exc(
                        "AttributeError",
                        format!("'Request' object has no attribute '{name}'"),
                    ));
                }
            })
        }
        ObjKind::FlaskResponse(r) => match name {
            "status_code" => Ok(Value::Int(r.borrow().status as i64)),
            "status" => Ok(Value::str(status_line(r.borrow().status))),
            "data" => Ok(Value::Bytes(Rc::new(r.borrow().body.clone()))),
            "headers" => Ok(Value::object(ObjKind::MultiDict(
                r.borrow().headers.clone(),
                true,
            ))),
            "mimetype" | "content_type" => Ok(Value::str(
                r.borrow()
                    .headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
            )),
            "get_data" | "get_json" | "set_cookie" => m(name),
            _ => Err(i.exc(
                "AttributeError",
                format!("'Response' object has no attribute '{name}'"),
            )),
        },
        _ => Ok(Value::None),
    }
}

pub fn set_attr(i: &mut Interp<'_>, ob: &Rc<Object>, name: &str, v: Value) -> R<()> {
    match &ob.kind {
        ObjKind::FlaskApp(st) => {
            match name {
                "debug" => st.borrow_mut().debug = v.truthy(),
                "secret_key" => {
                    if let Value::Dict(d) = &st.borrow().config {
                        d.borrow_mut().set_str("SECRET_KEY", v);
                    }
                }
                _ => {
                    ob.attrs.borrow_mut().insert(name.to_string(), v);
                }
            }
            Ok(())
        }
        ObjKind::FlaskResponse(r) => {
            match name {
                "status_code" => {
                    if let Value::Int(c) = v {
                        r.borrow_mut().status = c.clamp(100, 999) as u16;
                    }
                }
                "data" => {
                    let body = match &v {
                        Value::Bytes(b) => b.to_vec(),
                        other => i.to_str(other).into_bytes(),
                    };
                    r.borrow_mut().body = body;
                }
                _ => {
                    ob.attrs.borrow_mut().insert(name.to_string(), v);
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn header(r: &RequestData, name: &str) -> Option<String> {
    r.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

fn is_json(r: &RequestData) -> bool {
    let ct = header(r, "content-type").unwrap_or_default();
    let mt = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mt == "application/json" || (mt.starts_with("application/") && mt.ends_with("+json"))
}

fn get_json(i: &mut Interp<'_>, r: &RequestData, force: bool, silent: bool) -> R<Value> {
    if !force && !is_json(r) {
        if silent {
            return Ok(Value::None);
        }
        return Err(http_exception(
            i,
            415,
            Some("Did not attempt to load JSON data because the request Content-Type was not 'application/json'.".into()),
        ));
    }
    let text = String::from_utf8_lossy(&r.body).into_owned();
    match super::modules::parse_json(i, &text) {
        Ok(v) => Ok(v),
        Err(Flow::Raise(_)) if silent => Ok(Value::None),
        Err(Flow::Raise(_)) => Err(http_exception(
            i,
            400,
            Some(
                "Failed to decode JSON object: ".to_string()
                    + "Expecting value: line 1 column 1 (char 0)",
            ),
        )),
        Err(e) => Err(e),
    }
}

fn method_trampoline(
    i: &mut Interp<'_>,
    name: &str,
    this: Option<&Value>,
    a: Vec<Value>,
    kw: Vec<(String, Value)>,
) -> R<Value> {
    let Some(o) = this else {
        return Ok(Value::None);
    };
    method(i, name, o, a, kw)
}

fn decorator(
    kind: &str,
    o: &Value,
    rule: String,
    methods: Vec<String>,
    endpoint: Option<String>,
    code: u16,
) -> Value {
    // The decorator remembers what to register in a bound value of its own.
    let payload = Value::tuple(vec![
        o.clone(),
        Value::str(kind),
        Value::str(rule),
        Value::list(methods.into_iter().map(Value::str).collect()),
        endpoint.map(Value::str).unwrap_or(Value::None),
        Value::Int(code as i64),
    ]);
    native("decorator", register, Some(payload))
}

fn register(
    i: &mut Interp<'_>,
    _: &str,
    this: Option<&Value>,
    a: Vec<Value>,
    _: Vec<(String, Value)>,
) -> R<Value> {
    let Some(Value::Tuple(p)) = this else {
        return Ok(Value::None);
    };
    let view = a.first().cloned().unwrap_or(Value::None);
    let Value::Object(ob) = &p[0] else {
        return Ok(view);
    };
    let ObjKind::FlaskApp(st) = &ob.kind else {
        return Ok(view);
    };
    let kind = i.to_str(&p[1]);
    match kind.as_str() {
        "route" => {
            let rule = i.to_str(&p[2]);
            let methods: Vec<String> = i
                .iterate(&p[3])?
                .iter()
                .map(|m| i.to_str(m).to_ascii_uppercase())
                .collect();
            let endpoint = match &p[4] {
                Value::None => view_name(&view),
                v => i.to_str(v),
            };
            let mut st = st.borrow_mut();
            if let Some(existing) = st
                .routes
                .iter()
                .find(|r| r.endpoint == endpoint && !r.view.is(&view))
            {
                let _ = existing;
                drop(st);
                return Err(i.exc(
                    "AssertionError",
                    format!("View function mapping is overwriting an existing endpoint function: {endpoint}"),
                ));
            }
            st.routes.push(Route {
                rule,
                methods,
                endpoint,
                view: view.clone(),
            });
        }
        "errorhandler" => {
            let code = match &p[5] {
                Value::Int(c) => *c as u16,
                _ => 500,
            };
            st.borrow_mut().error_handlers.push((code, view.clone()));
        }
        "before" => st.borrow_mut().before.push(view.clone()),
        _ => st.borrow_mut().after.push(view.clone()),
    }
    Ok(view)
}

fn view_name(v: &Value) -> String {
    match v {
        Value::Func(f) => match f.attrs.borrow().get("__wrapped_name__") {
            Some(Value::Str(s)) => s.to_string(),
            _ => f.name.clone(),
        },
        Value::Builtin(b) => b.name.clone(),
        _ => "view".into(),
    }
}

pub fn method(
    i: &mut Interp<'_>,
    name: &str,
    o: &Value,
    a: Vec<Value>,
    kw: Vec<(String, Value)>,
) -> R<Value> {
    let Value::Object(ob) = o else {
        return Ok(Value::None);
    };
    match &ob.kind {
        ObjKind::FlaskApp(st) => match name {
            "route" | "get" | "post" | "put" | "delete" | "patch" => {
                let rule = a.first().map(|v| i.to_str(v)).ok_or_else(|| {
                    i.type_error(format!(
                        "Flask.{name}() missing 1 required positional argument: 'rule'"
                    ))
                })?;
                if !rule.starts_with('/') {
                    return Err(i.exc("ValueError", "urls must start with a leading slash"));
                }
                let methods = if name == "route" {
                    match kwarg(&kw, "methods") {
                        Some(m) => i
                            .iterate(&m)?
                            .iter()
                            .map(|v| i.to_str(v).to_ascii_uppercase())
                            .collect(),
                        None => vec!["GET".to_string()],
                    }
                } else {
                    if kwarg(&kw, "methods").is_some() {
                        return Err(i.type_error(
                            "Use the 'route' decorator to use the 'methods' argument.",
                        ));
                    }
                    vec![name.to_ascii_uppercase()]
                };
                let endpoint = kwarg(&kw, "endpoint").map(|v| i.to_str(&v));
                Ok(decorator("route", o, rule, methods, endpoint, 0))
            }
            "add_url_rule" => {
                let rule = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                let endpoint = a
                    .get(1)
                    .cloned()
                    .or_else(|| kwarg(&kw, "endpoint"))
                    .filter(|v| !matches!(v, Value::None))
                    .map(|v| i.to_str(&v));
                let view = a
                    .get(2)
                    .cloned()
                    .or_else(|| kwarg(&kw, "view_func"))
                    .unwrap_or(Value::None);
                let methods = match kwarg(&kw, "methods") {
                    Some(m) => i
                        .iterate(&m)?
                        .iter()
                        .map(|v| i.to_str(v).to_ascii_uppercase())
                        .collect(),
                    None => vec!["GET".to_string()],
                };
                let d = decorator("route", o, rule, methods, endpoint, 0);
                i.call(&d, vec![view], Vec::new())?;
                Ok(Value::None)
            }
            "errorhandler" => {
                let code = match a.first() {
                    Some(Value::Int(c)) => *c as u16,
                    _ => 500,
                };
                Ok(decorator(
                    "errorhandler",
                    o,
                    String::new(),
                    Vec::new(),
                    None,
                    code,
                ))
            }
            "before_request" | "after_request" => {
                let kind = if name == "before_request" {
                    "before"
                } else {
                    "after"
                };
                let d = decorator(kind, o, String::new(), Vec::new(), None, 0);
                i.call(&d, a, Vec::new())
            }
            "run" => run(i, st, a, kw),
            _ => Err(i.limit(&format!("app.{name}()"))),
        },
        ObjKind::FlaskRequest(_) => {
            let r = current(i)?;
            match name {
                "get_json" => {
                    let force = kwarg(&kw, "force").is_some_and(|v| v.truthy());
                    let silent = kwarg(&kw, "silent").is_some_and(|v| v.truthy());
                    get_json(i, &r, force, silent)
                }
                _ => {
                    if kwarg(&kw, "as_text").is_some_and(|v| v.truthy()) {
                        Ok(Value::str(String::from_utf8_lossy(&r.body).into_owned()))
                    } else {
                        Ok(Value::Bytes(Rc::new(r.body.clone())))
                    }
                }
            }
        }
        ObjKind::FlaskResponse(r) => match name {
            "get_data" => {
                let body = r.borrow().body.clone();
                if kwarg(&kw, "as_text").is_some_and(|v| v.truthy()) {
                    Ok(Value::str(String::from_utf8_lossy(&body).into_owned()))
                } else {
                    Ok(Value::Bytes(Rc::new(body)))
                }
            }
            "get_json" => {
                let body = String::from_utf8_lossy(&r.borrow().body).into_owned();
                super::modules::parse_json(i, &body)
            }
            _ => {
                let k = a.first().map(|v| i.to_str(v)).unwrap_or_default();
                let v = a.get(1).map(|v| i.to_str(v)).unwrap_or_default();
                r.borrow_mut()
                    .headers
                    .push(("Set-Cookie".into(), format!("{k}={v}; Path=/")));
                Ok(Value::None)
            }
        },
        _ => Ok(Value::None),
    }
}

/// The lines Werkzeug's server logs on start, with its ANSI styles (it adds them on
/// every POSIX system, terminal or not).
pub fn banner(name: &str, debug: bool, host: &str, port: u16, ip: &str) -> (String, String) {
    let out = format!(
        " * Serving Flask app '{name}'\n * Debug mode: {}\n",
        if debug { "on" } else { "off" }
    );
    let mut err = String::from(
        "\x1b[31m\x1b[1mWARNING: This is a development server. Do not use it in a production deployment. Use a production WSGI server instead.\x1b[0m\n",
    );
    if host == "0.0.0.0" {
        err.push_str(" * Running on all addresses (0.0.0.0)\n");
        err.push_str(&format!(" * Running on http://127.0.0.1:{port}\n"));
        err.push_str(&format!(" * Running on http://{ip}:{port}\n"));
    } else {
        err.push_str(&format!(" * Running on http://{host}:{port}\n"));
    }
    err.push_str("\x1b[33mPress CTRL+C to quit\x1b[0m\n");
    if debug {
        err.push_str(
            " * Restarting with stat\n * Debugger is active!\n * Debugger PIN: 123-456-789\n",
        );
    }
    (out, err)
}

fn run(
    i: &mut Interp<'_>,
    st: &RefCell<AppState>,
    a: Vec<Value>,
    kw: Vec<(String, Value)>,
) -> R<Value> {
    let host = a
        .first()
        .cloned()
        .or_else(|| kwarg(&kw, "host"))
        .filter(|v| !matches!(v, Value::None))
        .map(|v| i.to_str(&v))
        .unwrap_or_else(|| "127.0.0.1".into());
    let port = match a.get(1).cloned().or_else(|| kwarg(&kw, "port")) {
        Some(Value::Int(p)) => p,
        Some(Value::Str(s)) => s.parse().unwrap_or(5000),
        _ => 5000,
    };
    let debug = match a.get(2).cloned().or_else(|| kwarg(&kw, "debug")) {
        Some(v) => v.truthy(),
        None => st.borrow().debug,
    };
    if i.mode == Mode::Service {
        // The module is loaded to answer requests: the server is already running.
        DEBUG.with(|d| *d.borrow_mut() = debug);
        return Ok(Value::None);
    }
    let Ok(port) = u16::try_from(port) else {
        return Err(i.exc("OverflowError", "bind(): port must be 0-65535."));
    };
    let name = st.borrow().name.clone();
    serve(i, &name, &host, port, debug);
    Ok(Value::None)
}

/// Prints the start-up lines and waits as the server does, reachable through a
/// published port only when bound to all addresses.
pub fn serve(i: &mut Interp<'_>, name: &str, host: &str, port: u16, debug: bool) {
    let (out, err) = banner(name, debug, host, port, &i.ip.clone());
    let _ = i.out.write_all(out.as_bytes());
    let _ = i.out.flush();
    let _ = i.err.write_all(err.as_bytes());
    if host == "0.0.0.0" || host == "::" {
        let script = i.argv.first().cloned().unwrap_or_default();
        let script = crate::engine::shell::vfs::normalize(&i.cwd, &script);
        let kind = if debug {
            format!("flask:{script}:debug")
        } else {
            format!("flask:{script}")
        };
        i.host.listen(port, &kind);
    }
    i.host
        .sleep(std::time::Duration::from_secs(100 * 365 * 24 * 3600));
}

// ---- answering requests ----

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut k = 0;
    while k < b.len() {
        if b[k] == b'%'
            && k + 2 < b.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[k + 1..k + 3]).unwrap_or("zz"), 16)
        {
            out.push(v);
            k += 3;
            continue;
        }
        out.push(if b[k] == b'+' { b' ' } else { b[k] });
        k += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Matches `path` against a rule like `/users/<int:id>`; the view arguments on success.
fn match_rule(i: &mut Interp<'_>, rule: &str, path: &str) -> Option<Vec<(String, Value)>> {
    let _ = i;
    let rs: Vec<&str> = rule.trim_start_matches('/').split('/').collect();
    let ps: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut args = Vec::new();
    let mut k = 0;
    for (n, r) in rs.iter().enumerate() {
        if let Some(inner) = r.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
            let (conv, name) = inner.split_once(':').unwrap_or(("string", inner));
            if conv == "path" {
                let rest = ps.get(k..)?.join("/");
                if rest.is_empty() || n != rs.len() - 1 {
                    return None;
                }
                args.push((name.to_string(), Value::str(percent_decode(&rest))));
                return Some(args);
            }
            let seg = ps.get(k)?;
            if seg.is_empty() {
                return None;
            }
            let v = match conv {
                "int" => Value::Int(
                    seg.parse::<i64>()
                        .ok()
                        .filter(|_| seg.chars().all(|c| c.is_ascii_digit()))?,
                ),
                "float" => Value::Float(seg.parse::<f64>().ok().filter(|_| seg.contains('.'))?),
                _ => Value::str(percent_decode(seg)),
            };
            args.push((name.to_string(), v));
        } else if ps.get(k).map(|s| percent_decode(s)) != Some(r.to_string()) {
            return None;
        }
        k += 1;
    }
    (k == ps.len()).then_some(args)
}

/// Answers one request with the app's routes: Werkzeug's routing, then the view.
pub fn dispatch(
    i: &mut Interp<'_>,
    app: &Value,
    req: &crate::engine::net::app::AppRequest,
    remote: &str,
    log_errors: &mut Vec<String>,
) -> ResponseData {
    let Value::Object(ob) = app else {
        return error_page(500, None);
    };
    let ObjKind::FlaskApp(st) = &ob.kind else {
        return error_page(500, None);
    };
    let path = req.path().to_string();
    let routes: Vec<(String, Vec<String>, String, Value)> = st
        .borrow()
        .routes
        .iter()
        .map(|r| {
            (
                r.rule.clone(),
                r.methods.clone(),
                r.endpoint.clone(),
                r.view.clone(),
            )
        })
        .collect();
    let method = req.method.to_ascii_uppercase();
    let mut allowed: Vec<String> = Vec::new();
    let mut found = None;
    let mut redirect = None;
    for (rule, methods, endpoint, view) in &routes {
        let args = match match_rule(i, rule, &path) {
            Some(a) => a,
            None => {
                if rule.ends_with('/')
                    && !path.ends_with('/')
                    && match_rule(i, rule, &format!("{path}/")).is_some()
                {
                    redirect = Some(format!("{path}/"));
                }
                continue;
            }
        };
        let mut ms = methods.clone();
        if ms.iter().any(|m| m == "GET") && !ms.iter().any(|m| m == "HEAD") {
            ms.push("HEAD".into());
        }
        ms.push("OPTIONS".into());
        if ms.contains(&method) {
            found = Some((endpoint.clone(), view.clone(), args));
            break;
        }
        allowed.extend(ms);
    }
    let host = req.header("host").unwrap_or("localhost").to_string();
    let body = req.body.clone();
    let form = if req
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"))
    {
        parse_query(&String::from_utf8_lossy(&body))
    } else {
        Vec::new()
    };
    let data = Rc::new(RequestData {
        method: method.clone(),
        target: req.target.clone(),
        path: path.clone(),
        args: parse_query(req.query().unwrap_or("")),
        form,
        headers: req
            .headers
            .iter()
            .map(|(k, v)| (title_case(k), v.clone()))
            .collect(),
        body,
        host: host.clone(),
        remote: remote.to_string(),
        view_args: found.as_ref().map(|f| f.2.clone()).unwrap_or_default(),
        endpoint: found.as_ref().map(|f| f.0.clone()).unwrap_or_default(),
    });
    set_current(Some(data));
    let handlers = st
        .borrow()
        .error_handlers
        .iter()
        .map(|(c, v)| (*c, v.clone()))
        .collect::<Vec<_>>();
    let r = match found {
        None => {
            if let Some(to) = redirect {
                let q = req.query().map(|q| format!("?{q}")).unwrap_or_default();
                redirect_page(&format!("http://{host}{to}{q}"), 308)
            } else if !allowed.is_empty() {
                allowed.sort();
                allowed.dedup();
                let mut r = error_page(405, None);
                r.headers.insert(0, ("Allow".into(), allowed.join(", ")));
                handle_error(i, &handlers, 405, r, log_errors)
            } else {
                let r = error_page(404, None);
                handle_error(i, &handlers, 404, r, log_errors)
            }
        }
        Some((_, _, _)) if method == "OPTIONS" => ResponseData {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "text/html; charset=utf-8".into()),
                ("Allow".into(), "GET, HEAD, OPTIONS".into()),
            ],
            body: Vec::new(),
        },
        Some((_, view, args)) => {
            let before = st.borrow().before.clone();
            let mut early = None;
            for b in before {
                match i.call(&b, Vec::new(), Vec::new()) {
                    Ok(Value::None) => {}
                    Ok(v) => {
                        early = Some(Ok(v));
                        break;
                    }
                    Err(e) => {
                        early = Some(Err(e));
                        break;
                    }
                }
            }
            let result = early.unwrap_or_else(|| i.call(&view, Vec::new(), args));
            let result = result.and_then(|v| to_response(i, v, true));
            match result {
                Ok(r) => r,
                Err(Flow::Raise(e)) => {
                    if let Value::Instance(inst) = &e.value
                        && inst.class.module == "werkzeug.exceptions"
                    {
                        let code = match inst.dict.borrow().get("code") {
                            Some(Value::Int(c)) => *c as u16,
                            _ => 500,
                        };
                        let desc = match inst.dict.borrow().get("description") {
                            Some(Value::Str(s)) => Some(s.to_string()),
                            _ => None,
                        };
                        let r = error_page(code, desc.as_deref());
                        handle_error(i, &handlers, code, r, log_errors)
                    } else {
                        let now = i.host.now().format("%Y-%m-%d %H:%M:%S,%3f").to_string();
                        let tb = i.format_exception(&e);
                        log_errors.push(format!(
                            "[{now}] ERROR in app: Exception on {path} [{method}]\n{tb}"
                        ));
                        let r = error_page(500, None);
                        handle_error(i, &handlers, 500, r, log_errors)
                    }
                }
                Err(Flow::Limit(msg)) => {
                    log_errors.push(format!("docklab: {msg}"));
                    error_page(500, None)
                }
                Err(_) => error_page(500, None),
            }
        }
    };
    set_current(None);
    r
}

fn handle_error(
    i: &mut Interp<'_>,
    handlers: &[(u16, Value)],
    code: u16,
    default: ResponseData,
    log: &mut Vec<String>,
) -> ResponseData {
    let Some((_, h)) = handlers.iter().find(|(c, _)| *c == code) else {
        return default;
    };
    let e = Value::str(status_line(code));
    match i
        .call(h, vec![e], Vec::new())
        .and_then(|v| to_response(i, v, false))
    {
        Ok(r) => r,
        Err(_) => {
            log.push("Exception in error handler".into());
            error_page(500, None)
        }
    }
}

fn title_case(h: &str) -> String {
    h.split('-')
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}
