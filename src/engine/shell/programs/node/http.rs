//! `require('http')`: createServer and listen (which tells the host the port when it
//! binds all addresses), and answering one request by calling the script's handler
//! with node's `req` and `res` objects, then writing the response head as node does.

use super::interp::{Interp, R, Throw};
use super::value::*;
use crate::engine::net::app::{AppReply, AppRequest};
use std::cell::RefCell;
use std::rc::Rc;

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Undef)
}

/// A server the script started: the port, whether it binds all addresses, and the
/// function that handles its requests.
pub struct Server {
    pub port: u16,
    pub all_addresses: bool,
    pub handler: Value,
    pub object: Value,
}

pub const STATUS: &[(u16, &str)] = &[
    (100, "Continue"),
    (101, "Switching Protocols"),
    (200, "OK"),
    (201, "Created"),
    (202, "Accepted"),
    (204, "No Content"),
    (206, "Partial Content"),
    (301, "Moved Permanently"),
    (302, "Found"),
    (303, "See Other"),
    (304, "Not Modified"),
    (307, "Temporary Redirect"),
    (308, "Permanent Redirect"),
    (400, "Bad Request"),
    (401, "Unauthorized"),
    (403, "Forbidden"),
    (404, "Not Found"),
    (405, "Method Not Allowed"),
    (409, "Conflict"),
    (410, "Gone"),
    (413, "Payload Too Large"),
    (415, "Unsupported Media Type"),
    (418, "I'm a Teapot"),
    (422, "Unprocessable Entity"),
    (429, "Too Many Requests"),
    (500, "Internal Server Error"),
    (501, "Not Implemented"),
    (502, "Bad Gateway"),
    (503, "Service Unavailable"),
    (504, "Gateway Timeout"),
];

pub fn status_text(code: u16) -> &'static str {
    STATUS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("unknown", |(_, t)| t)
}

pub fn module(it: &mut Interp) -> Value {
    let m = it.obj_value(vec![]);
    let create = it.native("createServer", |it, _, args| {
        let handler = args
            .iter()
            .find(|a| a.is_callable())
            .cloned()
            .unwrap_or(Value::Undef);
        Ok(server_object(it, handler))
    });
    let codes = it.obj_value(vec![]);
    if let Value::Obj(c) = &codes {
        for (code, text) in STATUS {
            c.borrow_mut().set(&code.to_string(), Value::str(text));
        }
    }
    let methods = it.array(
        ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
            .iter()
            .map(|m| Value::str(m))
            .collect(),
    );
    if let Value::Obj(o) = &m {
        let mut b = o.borrow_mut();
        b.set("createServer", create);
        b.set("STATUS_CODES", codes);
        b.set("METHODS", methods);
    }
    let get = it.native("get", |it, _, _| {
        Err(Throw::Unsupported(format!(
            "docklab: this lab's node does not support outgoing HTTP requests (http.get/http.request) ({})",
            it.main_file
        )))
    });
    if let Value::Obj(o) = &m {
        o.borrow_mut().set("get", get.clone());
        o.borrow_mut().set("request", get);
    }
    m
}

/// An `http.Server`: an EventEmitter with listen/close/address.
pub fn server_object(it: &mut Interp, handler: Value) -> Value {
    let s = it.obj_value(vec![]);
    super::modules::add_emitter_methods(it, &s);
    if handler.is_callable() {
        let on = it.get(&s, "on").unwrap_or(Value::Undef);
        let _ = it.call(&on, &s, &[Value::str("request"), handler]);
    }
    let listen = it.native("listen", |it, this, args| {
        // listen(port[, host][, backlog][, cb]) or listen({ port, host }[, cb])
        let mut port = 0u16;
        let mut host: Option<String> = None;
        let mut cb = Value::Undef;
        for (i, a) in args.iter().enumerate() {
            match a {
                Value::Num(n) if i == 0 => port = *n as u16,
                Value::Str(s) if i == 0 => port = s.parse().unwrap_or(0),
                Value::Str(s) => host = Some(s.to_string()),
                Value::Obj(_) if a.is_callable() => cb = a.clone(),
                Value::Obj(_) if i == 0 => {
                    let p = it.get(a, "port")?;
                    port = it.to_number(&p)? as u16;
                    if let Value::Str(h) = it.get(a, "host")? {
                        host = Some(h.to_string());
                    }
                }
                _ => {}
            }
        }
        let all = match host.as_deref() {
            None | Some("0.0.0.0") | Some("::") | Some("") => true,
            Some(_) => false,
        };
        let handler = request_handler(it, this);
        it.servers.push(Server {
            port,
            all_addresses: all,
            handler,
            object: this.clone(),
        });
        if all && !it.serving {
            let script = it.main_file.clone();
            it.host.listen(port, &script);
        }
        if cb.is_callable() {
            it.add_timer(cb, 0.0, Vec::new(), false);
        }
        let emit = it.get(this, "emit")?;
        let listening = it.native("", |it, this, _| {
            let emit = it.get(this, "emit")?;
            it.call(&emit, this, &[Value::str("listening")])
        });
        let _ = emit;
        let me = this.clone();
        let bound = it.native("", move |it, _, _| it.call(&listening, &me, &[]));
        it.add_timer(bound, 0.0, Vec::new(), false);
        Ok(this.clone())
    });
    let close = it.native("close", |it, this, args| {
        it.servers.retain(|s| !s.object.same(this));
        if let Some(cb) = args.first().filter(|a| a.is_callable()) {
            it.add_timer(cb.clone(), 0.0, Vec::new(), false);
        }
        Ok(this.clone())
    });
    let address = it.native("address", |it, this, _| {
        let port = it
            .servers
            .iter()
            .find(|s| s.object.same(this))
            .map(|s| s.port);
        Ok(match port {
            Some(p) => it.obj_value(vec![
                ("address", Value::str("::")),
                ("family", Value::str("IPv6")),
                ("port", Value::Num(p as f64)),
            ]),
            None => Value::Null,
        })
    });
    if let Value::Obj(o) = &s {
        let mut b = o.borrow_mut();
        b.set_hidden("listen", listen);
        b.set_hidden("close", close);
        b.set_hidden("address", address);
    }
    s
}

/// What answers a server's requests: a function emitting 'request' on it.
fn request_handler(it: &mut Interp, server: &Value) -> Value {
    let s = server.clone();
    it.native("", move |it, _, args| {
        let emit = it.get(&s, "emit")?;
        let mut all = vec![Value::str("request")];
        all.extend_from_slice(args);
        it.call(&emit, &s, &all)
    })
}

/// The response being built for one request.
#[derive(Default)]
pub struct ResState {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub ended: bool,
    pub wrote_before_end: bool,
    pub head_written: bool,
}

impl ResState {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn set_header(&mut self, name: &str, value: &str) {
        if let Some(slot) = self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            slot.1 = value.to_string();
        } else {
            self.headers.push((name.to_string(), value.to_string()));
        }
    }
}

pub fn request_object(it: &mut Interp, req: &AppRequest, client: &str) -> Value {
    let headers = it.object();
    for (n, v) in &req.headers {
        let existing = headers.borrow().get_own(n).map(|s| s.value.clone());
        let value = match existing {
            Some(Value::Str(prev)) => format!("{prev}, {v}"),
            _ => v.clone(),
        };
        headers.borrow_mut().set(n, Value::str(&value));
    }
    let raw: Vec<Value> = req
        .headers
        .iter()
        .flat_map(|(n, v)| [Value::str(n), Value::str(v)])
        .collect();
    let raw = it.array(raw);
    let socket = it.obj_value(vec![
        ("remoteAddress", Value::str(&format!("::ffff:{client}"))),
        ("remotePort", Value::Num(53422.0)),
    ]);
    let r = it.obj_value(vec![
        ("method", Value::str(&req.method)),
        ("url", Value::str(&req.target)),
        ("headers", Value::Obj(headers)),
        ("rawHeaders", raw),
        (
            "httpVersion",
            Value::str(req.version.trim_start_matches("HTTP/")),
        ),
        ("socket", socket.clone()),
        ("connection", socket),
    ]);
    super::modules::add_emitter_methods(it, &r);
    let set_enc = it.native("setEncoding", |_, this, _| Ok(this.clone()));
    if let Value::Obj(o) = &r {
        let mut b = o.borrow_mut();
        b.set_hidden("setEncoding", set_enc);
        // The raw body, for the body parsers Express runs synchronously.
        b.set_hidden(
            "\u{0}body",
            Value::Str(String::from_utf8_lossy(&req.body).into_owned().into()),
        );
    }
    r
}

pub fn response_object(it: &mut Interp, state: &Rc<RefCell<ResState>>) -> Value {
    let r = it.obj_value(vec![
        ("statusCode", Value::Num(200.0)),
        ("statusMessage", Value::Undef),
    ]);
    if let Value::Obj(o) = &r {
        o.borrow_mut().set_hidden("statusMessage", Value::Undef);
    }
    super::modules::add_emitter_methods(it, &r);
    let st = state.clone();
    let set_header = it.native("setHeader", move |it, this, args| {
        let n = it.to_string(&arg(args, 0))?;
        let v = header_value(it, &arg(args, 1))?;
        if st.borrow().head_written {
            let e = it.make_error(
                "Error",
                "Cannot set headers after they are sent to the client",
                None,
            );
            if let Value::Obj(o) = &e {
                o.borrow_mut()
                    .set("code", Value::str("ERR_HTTP_HEADERS_SENT"));
            }
            return Err(it.throw_value(e));
        }
        st.borrow_mut().set_header(&n, &v);
        Ok(this.clone())
    });
    let st = state.clone();
    let get_header = it.native("getHeader", move |it, _, args| {
        let n = it.to_string(&arg(args, 0))?;
        Ok(st
            .borrow()
            .header(&n)
            .map(Value::str)
            .unwrap_or(Value::Undef))
    });
    let st = state.clone();
    let has_header = it.native("hasHeader", move |it, _, args| {
        let n = it.to_string(&arg(args, 0))?;
        Ok(Value::Bool(st.borrow().header(&n).is_some()))
    });
    let st = state.clone();
    let remove_header = it.native("removeHeader", move |it, _, args| {
        let n = it.to_string(&arg(args, 0))?;
        st.borrow_mut()
            .headers
            .retain(|(h, _)| !h.eq_ignore_ascii_case(&n));
        Ok(Value::Undef)
    });
    let st = state.clone();
    let get_headers = it.native("getHeaders", move |it, _, _| {
        let o = it.object();
        for (n, v) in &st.borrow().headers {
            o.borrow_mut().set(&n.to_ascii_lowercase(), Value::str(v));
        }
        Ok(Value::Obj(o))
    });
    let st = state.clone();
    let write_head = it.native("writeHead", move |it, this, args| {
        let code = it.to_number(&arg(args, 0))?;
        it.put(this, "statusCode", Value::Num(code), 0)?;
        let mut rest = &args[1.min(args.len())..];
        if let Some(Value::Str(msg)) = rest.first() {
            it.put(this, "statusMessage", Value::Str(msg.clone()), 0)?;
            rest = &rest[1..];
        }
        if let Some(h @ Value::Obj(_)) = rest.first() {
            if h.is_array() {
                let items = it.iterate(h, 0)?;
                for pair in items.chunks(2) {
                    if let [n, v] = pair {
                        let n = it.to_string(n)?;
                        let v = header_value(it, v)?;
                        st.borrow_mut().set_header(&n, &v);
                    }
                }
            } else {
                for k in it.own_keys(h) {
                    let v = it.get(h, &k)?;
                    let v = header_value(it, &v)?;
                    st.borrow_mut().set_header(&k, &v);
                }
            }
        }
        st.borrow_mut().head_written = true;
        Ok(this.clone())
    });
    let st = state.clone();
    let write = it.native("write", move |it, _, args| {
        let chunk = it.to_string(&arg(args, 0))?;
        let mut s = st.borrow_mut();
        if !s.ended {
            s.body.extend_from_slice(chunk.as_bytes());
            s.wrote_before_end = true;
            s.head_written = true;
        }
        Ok(Value::Bool(true))
    });
    let st = state.clone();
    let end = it.native("end", move |it, this, args| {
        let data = arg(args, 0);
        let chunk = match &data {
            Value::Undef | Value::Null => None,
            v if v.is_callable() => None,
            v => Some(it.to_string(v)?),
        };
        let mut s = st.borrow_mut();
        if !s.ended {
            if let Some(c) = chunk {
                s.body.extend_from_slice(c.as_bytes());
            }
            s.ended = true;
            s.head_written = true;
        }
        Ok(this.clone())
    });
    if let Value::Obj(o) = &r {
        let mut b = o.borrow_mut();
        for (n, f) in [
            ("setHeader", set_header),
            ("getHeader", get_header),
            ("hasHeader", has_header),
            ("removeHeader", remove_header),
            ("getHeaders", get_headers),
            ("writeHead", write_head),
            ("write", write),
            ("end", end),
        ] {
            b.set_hidden(n, f);
        }
    }
    r
}

fn header_value(it: &mut Interp, v: &Value) -> R<String> {
    if v.is_array() {
        let items = it.iterate(v, 0)?;
        let mut parts = Vec::new();
        for i in items {
            parts.push(it.to_string(&i)?.to_string());
        }
        return Ok(parts.join(", "));
    }
    Ok(it.to_string(v)?.to_string())
}

impl Interp<'_> {
    pub fn throw_value(&mut self, e: Value) -> Throw {
        let pos = 0;
        Throw::Value(
            e,
            pos,
            Rc::new(super::interp::Module {
                file: String::new(),
                src: String::new(),
                eval: false,
            }),
        )
    }
}

/// Answers `req` with the script's `handler`: node's req/res, the handler, the body
/// events, timers the handler set, then the head node writes (Date, Connection,
/// Keep-Alive, Content-Length or chunked). An uncaught error in the handler is
/// returned for the caller to report (node would exit).
pub fn answer(
    it: &mut Interp,
    handler: &Value,
    req: &AppRequest,
    client: &str,
    date: &str,
) -> Result<AppReply, Throw> {
    let state = Rc::new(RefCell::new(ResState::default()));
    let rq = request_object(it, req, client);
    let rs = response_object(it, &state);
    if let Value::Obj(o) = &rs {
        o.borrow_mut().set_hidden("req", rq.clone());
    }
    it.call(handler, &Value::Undef, &[rq.clone(), rs.clone()])?;
    it.run_microtasks()?;
    // The body arrives after the handler returned, as node emits it.
    if !req.body.is_empty() {
        let chunk = Value::Str(String::from_utf8_lossy(&req.body).into_owned().into());
        super::modules::emit(it, &rq, &[Value::str("data"), chunk])?;
    }
    super::modules::emit(it, &rq, &[Value::str("end")])?;
    it.run_microtasks()?;
    let mut rounds = 0;
    while !state.borrow().ended && rounds < 10_000 {
        rounds += 1;
        match it.run_next_timer(Some(30_000.0))? {
            Some(_) => {}
            None => break,
        }
    }
    let status = match it.get(&rs, "statusCode")? {
        Value::Num(n) => n as u16,
        _ => 200,
    };
    let s = state.borrow();
    Ok(finish(status, &s, req, date))
}

pub fn finish(status: u16, s: &ResState, req: &AppRequest, date: &str) -> AppReply {
    let mut headers = s.headers.clone();
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("date")) {
        headers.push(("Date".into(), date.to_string()));
    }
    let close = req
        .header("connection")
        .is_some_and(|c| c.eq_ignore_ascii_case("close"))
        || (req.version == "HTTP/1.0"
            && !req
                .header("connection")
                .is_some_and(|c| c.eq_ignore_ascii_case("keep-alive")));
    if close {
        headers.push(("Connection".into(), "close".into()));
    } else {
        headers.push(("Connection".into(), "keep-alive".into()));
        headers.push(("Keep-Alive".into(), "timeout=5".into()));
    }
    let no_body = status == 204 || status == 304 || (100..200).contains(&status);
    let has_length = s.header("content-length").is_some();
    let has_te = s.header("transfer-encoding").is_some();
    if !no_body && !has_length && !has_te {
        if s.wrote_before_end || !s.ended {
            headers.push(("Transfer-Encoding".into(), "chunked".into()));
        } else {
            headers.push(("Content-Length".into(), s.body.len().to_string()));
        }
    }
    AppReply {
        status,
        headers,
        body: if no_body { Vec::new() } else { s.body.clone() },
    }
}
