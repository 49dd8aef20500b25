//! A Flask app answering a published port: its module is loaded once on a thread of
//! its own (the interpreter's values are not shared between threads), module globals
//! persist between requests, and each request is answered there, logged to the
//! container's log as Werkzeug logs it.

use super::flask;
use super::interp::Mode;
use super::value::{Map, Value};
use crate::engine::net::app::{App, AppReply, AppRequest, ContainerView};
use crate::engine::shell::{DirEntry, Host, Metadata, Streams, Vfs};
use std::cell::RefCell;
use std::collections::HashMap;
use std::io;
use std::rc::Rc;
use std::sync::Mutex;
use std::sync::mpsc;
use std::time::Duration;

/// The container's live files; what the app writes stays in memory for the service.
pub struct ViewFs<'a> {
    pub view: &'a ContainerView,
    written: HashMap<String, Vec<u8>>,
    removed: Vec<String>,
}

impl<'a> ViewFs<'a> {
    pub fn new(view: &'a ContainerView) -> ViewFs<'a> {
        ViewFs {
            view,
            written: HashMap::new(),
            removed: Vec::new(),
        }
    }
}

fn ro() -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, "Permission denied")
}

impl Vfs for ViewFs<'_> {
    fn metadata(&self, path: &str) -> io::Result<Metadata> {
        if let Some(d) = self.written.get(path) {
            return Ok(Metadata {
                file_type: crate::engine::shell::FileType::File,
                len: d.len() as u64,
                mode: 0o644,
                mtime: 0,
                uid: 0,
                gid: 0,
                nlink: 1,
                ino: 1,
            });
        }
        if self.removed.iter().any(|r| r == path) {
            return Err(io::ErrorKind::NotFound.into());
        }
        self.view.fs.metadata(path)
    }
    fn symlink_metadata(&self, path: &str) -> io::Result<Metadata> {
        self.metadata(path)
    }
    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        if let Some(d) = self.written.get(path) {
            return Ok(d.clone());
        }
        if self.removed.iter().any(|r| r == path) {
            return Err(io::ErrorKind::NotFound.into());
        }
        self.view.fs.read(path)
    }
    fn write(&mut self, path: &str, data: &[u8], append: bool) -> io::Result<()> {
        let mut cur = if append {
            self.read(path).unwrap_or_default()
        } else {
            Vec::new()
        };
        if cur.len() + data.len() > 16 << 20 {
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "No space left on device",
            ));
        }
        cur.extend_from_slice(data);
        self.removed.retain(|r| r != path);
        self.written.insert(path.to_string(), cur);
        Ok(())
    }
    fn read_dir(&self, path: &str) -> io::Result<Vec<DirEntry>> {
        self.view.fs.read_dir(path)
    }
    fn create_dir(&mut self, _path: &str) -> io::Result<()> {
        Err(ro())
    }
    fn remove_file(&mut self, path: &str) -> io::Result<()> {
        self.metadata(path)?;
        self.written.remove(path);
        self.removed.push(path.to_string());
        Ok(())
    }
    fn remove_dir(&mut self, _path: &str) -> io::Result<()> {
        Err(ro())
    }
    fn rename(&mut self, from: &str, to: &str) -> io::Result<()> {
        let d = self.read(from)?;
        self.remove_file(from)?;
        self.write(to, &d, false)
    }
    fn set_mode(&mut self, _path: &str, _mode: u32) -> io::Result<()> {
        Ok(())
    }
    fn set_mtime(&mut self, _path: &str, _mtime: i64) -> io::Result<()> {
        Ok(())
    }
    fn symlink(&mut self, _target: &str, _path: &str) -> io::Result<()> {
        Err(ro())
    }
    fn read_link(&self, _path: &str) -> io::Result<String> {
        Err(io::ErrorKind::InvalidInput.into())
    }
}

/// The clock of the engine; sleeping in a view really waits, a little.
pub struct ServiceHost<'a> {
    pub view: &'a ContainerView,
}

impl Host for ServiceHost<'_> {
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
        std::thread::sleep(duration.min(Duration::from_secs(2)));
    }
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.view.clock.now()
    }
}

/// A writer into the container's log, one entry per write.
pub struct LogWriter<'a> {
    pub view: &'a ContainerView,
    pub stream: u8,
    pub quiet: bool,
}

impl io::Write for LogWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.quiet && !buf.is_empty() {
            self.view
                .log(self.stream, String::from_utf8_lossy(buf).into_owned());
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

type Job = (AppRequest, mpsc::Sender<AppReply>);

struct FlaskService {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl App for FlaskService {
    fn respond(&self, request: &AppRequest) -> AppReply {
        let (tx, rx) = mpsc::channel();
        let sent = self
            .jobs
            .lock()
            .map(|j| j.send((request.clone(), tx)).is_ok())
            .unwrap_or(false);
        if !sent {
            return AppReply::new(502, &[], "");
        }
        rx.recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| AppReply::new(504, &[], ""))
    }
}

pub fn flask(arg: &str, view: ContainerView) -> Option<crate::engine::net::Service> {
    Some(crate::engine::net::app::service(flask_app(arg, view)))
}

/// The app answering for `arg` (`SCRIPT[:debug]`), its interpreter on a thread of its own.
pub fn flask_app(arg: &str, view: ContainerView) -> std::sync::Arc<dyn App> {
    let script = arg.split(':').next().unwrap_or("").to_string();
    let (tx, rx) = mpsc::channel::<Job>();
    let _ = std::thread::Builder::new()
        .name("python-flask".into())
        .stack_size(64 << 20)
        .spawn(move || serve_thread(&view, &script, rx));
    std::sync::Arc::new(FlaskService {
        jobs: Mutex::new(tx),
    })
}

fn serve_thread(view: &ContainerView, script: &str, rx: mpsc::Receiver<Job>) {
    let mut fs = ViewFs::new(view);
    let mut host = ServiceHost { view };
    let mut out = LogWriter {
        view,
        stream: 1,
        quiet: true,
    };
    let mut err = LogWriter {
        view,
        stream: 2,
        quiet: true,
    };
    let env: Vec<(String, String)> = view
        .env
        .iter()
        .filter_map(|e| {
            e.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect();
    let prefix = if view.fs.metadata("/usr/local/bin/python3.12").is_ok() {
        "/usr/local"
    } else {
        "/usr"
    };
    let mut i = super::new_interp(super::Setup {
        fs: &mut fs,
        host: &mut host,
        out: &mut out,
        err: &mut err,
        stdin: Vec::new(),
        env,
        cwd: view.cwd.clone(),
        interrupt: std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
        prefix: prefix.into(),
        hostname: view.hostname.clone(),
        ip: view.ip.clone(),
        mode: Mode::Service,
    });
    i.path0 = crate::engine::shell::vfs::parent(script);
    i.argv = vec![script.to_string()];
    // The module runs as the program ran it; its output went to the log then.
    let app = load(&mut i, script);
    if app.is_none() {
        let why = LOAD_ERROR
            .with(|l| l.borrow_mut().take())
            .unwrap_or_default();
        view.log(
            2,
            format!("docklab: the app in {script} could not be loaded to answer requests\n{why}"),
        );
    }
    let remote = view.client_address().to_string();
    while let Ok((req, reply)) = rx.recv() {
        let answer = match &app {
            Some(app) => {
                let (r, _) = crate::engine::budget::within(
                    crate::engine::budget::Limits {
                        time: Duration::from_secs(10),
                        memory: None,
                    },
                    || {
                        let mut errors = Vec::new();
                        let r = flask::dispatch(&mut i, app, &req, &remote, &mut errors);
                        (r, errors)
                    },
                );
                let (r, errors) = r;
                for e in errors {
                    view.log(2, format!("{}\n", e.trim_end()));
                }
                r
            }
            None => flask::error_page(500, None),
        };
        let code = answer.status;
        let style = |msg: &str| -> String {
            let c = code.to_string();
            match c.as_bytes()[0] {
                b'1' => format!("\x1b[1m{msg}\x1b[0m"),
                _ if code == 200 => msg.to_string(),
                _ if code == 304 => format!("\x1b[36m{msg}\x1b[0m"),
                b'3' => format!("\x1b[32m{msg}\x1b[0m"),
                _ if code == 404 => format!("\x1b[33m{msg}\x1b[0m"),
                b'4' => format!("\x1b[31m\x1b[1m{msg}\x1b[0m"),
                _ => format!("\x1b[35m\x1b[1m{msg}\x1b[0m"),
            }
        };
        let now = view.clock.now();
        let line = format!("{} {} {}", req.method, req.target, req.version);
        view.log(
            2,
            format!(
                "{remote} - - [{}] \"{}\" {code} -\n",
                now.format("%d/%b/%Y %H:%M:%S"),
                style(&line)
            ),
        );
        let mut headers: Vec<(String, String)> = vec![
            (
                "Server".into(),
                format!("Werkzeug/{} Python/{}", flask::WERKZEUG, super::VERSION),
            ),
            (
                "Date".into(),
                now.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
            ),
        ];
        headers.extend(answer.headers.iter().cloned());
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        {
            headers.push(("Content-Length".into(), answer.body.len().to_string()));
        }
        headers.push(("Connection".into(), "close".into()));
        let _ = reply.send(AppReply {
            status: code,
            headers,
            body: answer.body,
        });
    }
}

fn load(i: &mut super::Interp<'_>, script: &str) -> Option<Value> {
    let src = String::from_utf8_lossy(&i.fs.read(script).ok()?).into_owned();
    let body = super::parser::parse(&src).ok()?;
    i.sources.insert(
        script.to_string(),
        Rc::new(src.lines().map(String::from).collect()),
    );
    let globals: Map = Rc::new(RefCell::new(HashMap::new()));
    globals
        .borrow_mut()
        .insert("__name__".into(), Value::str("__main__"));
    globals
        .borrow_mut()
        .insert("__file__".into(), Value::str(script));
    let (r, _) = crate::engine::budget::within(
        crate::engine::budget::Limits {
            time: Duration::from_secs(10),
            memory: None,
        },
        || i.run_module(&body, globals.clone(), Rc::from(script)),
    );
    if let Err(super::interp::Flow::Raise(e)) = r {
        // The program printed this when it ran; the service says why it cannot answer.
        let text = i.format_exception(&e);
        i.frames.clear();
        LOAD_ERROR.with(|l| *l.borrow_mut() = Some(text));
    }
    super::find_app(&globals)
}

thread_local! {
    static LOAD_ERROR: RefCell<Option<String>> = const { RefCell::new(None) };
}
