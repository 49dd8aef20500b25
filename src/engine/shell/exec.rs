//! Runs the AST: lists, pipelines, redirections, builtins, functions and scripts.
//! Pipelines run one command at a time into a buffer (no threads): the lab's programs
//! never wait on each other, so the result is the same as a real pipe.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::parse::{self, AndOrOp, Command, Compound, List, ParseError, ParseErrorKind, Redirect};
use super::parse::{Pipeline, RedirOp, Simple};
use super::programs::{self, Ctx, Resolved};
use super::vfs::{self, Vfs};
use super::{Config, Flavour, Host, Streams, write_err};

/// Function calls, `eval`, `.`, scripts and command substitutions nest at most this deep.
const MAX_NESTING: usize = 100;

#[derive(Clone, Debug)]
struct Var {
    value: String,
    exported: bool,
}

/// Everything a subshell copies and may change without affecting its parent.
#[derive(Clone, Debug)]
pub struct State {
    vars: BTreeMap<String, Var>,
    functions: HashMap<String, Arc<Command>>,
    pub(crate) positional: Vec<String>,
    pub(crate) arg0: String,
    /// Which shell this is: a `bash -c` inside an ash container is bash.
    pub(crate) flavour: Flavour,
    pub(crate) cwd: String,
    pub(crate) last_status: i32,
    pub(crate) exited: Option<i32>,
    errexit: bool,
    xtrace: bool,
    /// `set -o pipefail`: a pipeline's status is its last failing command's.
    pipefail: bool,
    /// The file mode creation mask `umask` reports and sets.
    umask: u32,
    /// Bash's call stack for `FUNCNAME`: each function called, and `source` for each
    /// file sourced, innermost last.
    pub(crate) frames: Vec<String>,
    depth: usize,
    /// Saved values for `local`, one frame per function call.
    locals: Vec<Vec<(String, Option<Var>)>>,
    loop_depth: usize,
    /// How far into each live stdin buffer the shell and its commands have read.
    /// Stdin is a buffer, not a file descriptor, so the shared position lives here.
    pub(crate) stdin_cursors: Vec<StdinCursor>,
    /// Counts command substitutions, so an assignment-only command knows whether to
    /// take its status from one.
    substitutions: u64,
    /// `$RANDOM`'s generator: a fixed start, so transcripts repeat.
    pub(crate) random: std::cell::Cell<u32>,
}

impl State {
    pub fn new(flavour: Flavour) -> Self {
        let mut st = State {
            vars: BTreeMap::new(),
            functions: HashMap::new(),
            positional: Vec::new(),
            arg0: match flavour {
                Flavour::Bash => "bash".into(),
                _ => "sh".into(),
            },
            flavour,
            cwd: "/".into(),
            last_status: 0,
            exited: None,
            errexit: false,
            xtrace: false,
            pipefail: false,
            umask: 0o022,
            frames: Vec::new(),
            depth: 0,
            locals: Vec::new(),
            loop_depth: 0,
            stdin_cursors: Vec::new(),
            substitutions: 0,
            random: std::cell::Cell::new(1),
        };
        st.set_var("IFS", " \t\n");
        st.set_var("PS1", "$ ");
        st.set_var("PWD", "/");
        st.export("PWD");
        st
    }

    pub fn get_var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(|v| v.value.as_str())
    }

    pub fn set_var(&mut self, name: &str, value: &str) {
        match self.vars.get_mut(name) {
            Some(v) => v.value = value.to_string(),
            None => {
                self.vars.insert(
                    name.to_string(),
                    Var {
                        value: value.to_string(),
                        exported: false,
                    },
                );
            }
        }
    }

    pub fn export(&mut self, name: &str) {
        match self.vars.get_mut(name) {
            Some(v) => v.exported = true,
            None => {
                self.vars.insert(
                    name.to_string(),
                    Var {
                        value: String::new(),
                        exported: true,
                    },
                );
            }
        }
    }

    pub fn unset(&mut self, name: &str) {
        self.vars.remove(name);
    }

    pub fn environment(&self) -> Vec<(String, String)> {
        self.vars
            .iter()
            .filter(|(_, v)| v.exported)
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect()
    }

    fn cursor(&self, buf: &[u8]) -> Option<&StdinCursor> {
        let (addr, len) = (buf.as_ptr() as usize, buf.len());
        self.stdin_cursors
            .iter()
            .find(|c| c.addr == addr && c.len == len)
    }

    /// How much of `buf` has been read already.
    fn stdin_offset(&self, buf: &[u8]) -> usize {
        self.cursor(buf).map_or(0, |c| c.offset.min(buf.len()))
    }

    fn stdin_seekable(&self, buf: &[u8]) -> bool {
        self.cursor(buf).is_some_and(|c| c.seekable)
    }

    fn set_stdin_offset(&mut self, buf: &[u8], offset: usize) {
        if buf.is_empty() {
            return;
        }
        let (addr, len) = (buf.as_ptr() as usize, buf.len());
        match self
            .stdin_cursors
            .iter_mut()
            .find(|c| c.addr == addr && c.len == len)
        {
            Some(c) => c.offset = offset,
            None => self.stdin_cursors.push(StdinCursor {
                addr,
                len,
                offset,
                seekable: false,
            }),
        }
    }

    /// Stdin from a `<` file: `head` can give back what it over-read.
    fn mark_seekable(&mut self, buf: &[u8]) {
        self.set_stdin_offset(buf, 0);
        let (addr, len) = (buf.as_ptr() as usize, buf.len());
        for c in &mut self.stdin_cursors {
            if c.addr == addr && c.len == len {
                c.seekable = true;
            }
        }
    }

    /// A buffer is about to be freed: its address may be reused by the next one.
    fn forget_stdin(&mut self, buf: &[u8]) {
        let (addr, len) = (buf.as_ptr() as usize, buf.len());
        self.stdin_cursors
            .retain(|c| !(c.addr == addr && c.len == len));
    }

    /// A script's shell: exported variables only, no functions, fresh options.
    fn child(&self, flavour: Flavour) -> State {
        let mut st = State::new(flavour);
        st.vars = self
            .vars
            .iter()
            .filter(|(_, v)| v.exported)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !st.vars.contains_key("IFS") {
            st.set_var("IFS", " \t\n");
        }
        st.cwd = self.cwd.clone();
        st.depth = self.depth;
        st
    }
}

/// The read position in one stdin buffer, keyed by the buffer's address and length.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StdinCursor {
    addr: usize,
    len: usize,
    offset: usize,
    seekable: bool,
}

/// Non-local control flow out of a command.
#[derive(Debug)]
pub(crate) enum Ctl {
    Break(usize),
    Continue(usize),
    Return(i32),
    Exit(i32),
    Interrupted,
}

pub(crate) type Flow = Result<i32, Ctl>;

pub(crate) struct Interp<'a> {
    pub fs: &'a mut dyn Vfs,
    pub host: &'a mut dyn Host,
    pub config: &'a Config,
    pub st: &'a mut State,
}

/// One side of a redirection table: where an fd's bytes go.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    Parent1,
    Parent2,
    File(usize),
    Null,
}

enum Sink<'r, 'w> {
    Parent(&'r RefCell<&'w mut dyn Write>),
    Buf(&'r RefCell<Vec<u8>>),
    Null,
}

impl Write for Sink<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Parent(w) => w.borrow_mut().write(buf),
            Sink::Buf(b) => b.borrow_mut().write(buf),
            Sink::Null => Ok(buf.len()),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Parent(w) => w.borrow_mut().flush(),
            _ => Ok(()),
        }
    }
}

pub(crate) fn io_message(e: &io::Error) -> String {
    use io::ErrorKind::*;
    match e.kind() {
        NotFound => "No such file or directory".into(),
        PermissionDenied => "Permission denied".into(),
        AlreadyExists => "File exists".into(),
        IsADirectory => "Is a directory".into(),
        NotADirectory => "Not a directory".into(),
        DirectoryNotEmpty => "Directory not empty".into(),
        InvalidInput => "Invalid argument".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

impl<'a> Interp<'a> {
    pub fn flavour(&self) -> Flavour {
        self.st.flavour
    }

    /// "sh: " / "sh: 1: " / "bash: " — the prefix of the shell's own diagnostics.
    pub fn prefix(&self, line: usize) -> String {
        match self.flavour() {
            Flavour::Dash => format!("{}: {line}: ", self.st.arg0),
            _ => format!("{}: ", self.st.arg0),
        }
    }

    /// Ctrl-C, or the thread's budget (a grader's, for one submission) ran out.
    fn interrupted(&self) -> bool {
        self.config.interrupt.load(Ordering::Relaxed) || crate::engine::budget::exceeded()
    }

    pub fn run_source(&mut self, source: &str, mut io: Streams<'_>) -> i32 {
        let status = match parse::parse_as(source, self.flavour() == Flavour::Bash) {
            Ok(list) => match self.run_list(&list, io.reborrow()) {
                Ok(s) => s,
                Err(Ctl::Exit(n)) => {
                    self.st.exited = Some(n);
                    n
                }
                Err(Ctl::Return(n)) => n,
                Err(Ctl::Break(_)) | Err(Ctl::Continue(_)) => self.st.last_status,
                Err(Ctl::Interrupted) => {
                    self.config.interrupt.store(false, Ordering::Relaxed);
                    130
                }
            },
            Err(e) => {
                self.syntax_error(&e, io.stderr);
                2
            }
        };
        self.st.last_status = status;
        status
    }

    fn syntax_error(&self, e: &ParseError, err: &mut dyn Write) {
        let msg = match (self.flavour(), &e.kind) {
            (Flavour::Dash, k) => format!(
                "{}Syntax error: {}",
                self.prefix(e.line),
                match k {
                    ParseErrorKind::Unexpected(t) => format!("\"{t}\" unexpected"),
                    ParseErrorKind::UnexpectedEof(Some(x)) =>
                        format!("end of file unexpected (expecting \"{x}\")"),
                    ParseErrorKind::UnterminatedQuote => "Unterminated quoted string".into(),
                    ParseErrorKind::BadSubstitution => "Bad substitution".into(),
                    ParseErrorKind::TooDeep => "nesting too deep".into(),
                    _ => "end of file unexpected".into(),
                }
            ),
            (Flavour::Bash, k) => match k {
                ParseErrorKind::Unexpected(t) => {
                    format!("bash: syntax error near unexpected token `{t}'")
                }
                ParseErrorKind::UnterminatedQuote => {
                    "bash: unexpected EOF while looking for matching quote".into()
                }
                ParseErrorKind::BadSubstitution => "bash: bad substitution".into(),
                _ => "bash: syntax error: unexpected end of file".into(),
            },
            (_, k) => format!(
                "{}{}",
                self.prefix(e.line),
                match k {
                    ParseErrorKind::Unexpected(t) => format!("syntax error: unexpected \"{t}\""),
                    ParseErrorKind::UnexpectedEof(Some(x)) =>
                        format!("syntax error: unexpected end of file (expecting \"{x}\")"),
                    ParseErrorKind::UnterminatedQuote =>
                        "syntax error: unterminated quoted string".into(),
                    ParseErrorKind::BadSubstitution => "syntax error: bad substitution".into(),
                    ParseErrorKind::TooDeep => "syntax error: nesting too deep".into(),
                    _ => "syntax error: unexpected end of file".into(),
                }
            ),
        };
        write_err(err, format_args!("{msg}"));
    }

    pub fn run_list(&mut self, list: &List, mut io: Streams<'_>) -> Flow {
        let mut status = 0;
        for item in &list.0 {
            // `&`: the lab has no job control, so background jobs run to completion here.
            status = self.run_and_or(item, io.reborrow())?;
        }
        Ok(status)
    }

    fn run_and_or(&mut self, item: &parse::AndOr, mut io: Streams<'_>) -> Flow {
        if self.interrupted() {
            return Err(Ctl::Interrupted);
        }
        let guarded = !item.rest.is_empty();
        let mut status = self.run_pipeline(&item.first, guarded, io.reborrow())?;
        for (i, (op, p)) in item.rest.iter().enumerate() {
            let run = match op {
                AndOrOp::And => status == 0,
                AndOrOp::Or => status != 0,
            };
            if run {
                let last = i + 1 == item.rest.len();
                status = self.run_pipeline(p, !last, io.reborrow())?;
            }
        }
        Ok(status)
    }

    /// `guarded`: the pipeline is a condition (left of && / ||), so `set -e` ignores it.
    fn run_pipeline(&mut self, p: &Pipeline, guarded: bool, mut io: Streams<'_>) -> Flow {
        let status = if p.commands.len() == 1 {
            self.run_command(&p.commands[0], io.reborrow())?
        } else {
            // The first command reads the shell's own stdin; the others read a pipe.
            let mut pipe: Option<Vec<u8>> = None;
            let mut status = 0;
            let n = p.commands.len();
            for (i, cmd) in p.commands.iter().enumerate() {
                let input: &[u8] = pipe.as_deref().unwrap_or(io.stdin);
                let result = if i + 1 == n {
                    let s = Streams::new(input, &mut *io.stdout, &mut *io.stderr);
                    self.subshell(|sh, io| sh.run_command(cmd, io), s)
                } else {
                    let mut out = Vec::new();
                    let s = Streams::new(input, &mut out, &mut *io.stderr);
                    let r = self.subshell(|sh, io| sh.run_command(cmd, io), s);
                    if let Some(old) = &pipe {
                        self.st.forget_stdin(old);
                    }
                    pipe = Some(out);
                    r
                };
                if let Some(old) = pipe.as_deref().filter(|_| i + 1 == n) {
                    self.st.forget_stdin(old);
                }
                let s = result?;
                // With pipefail, the rightmost command that failed decides.
                if !self.st.pipefail || s != 0 {
                    status = s;
                }
            }
            status
        };
        let status = if p.negated {
            i32::from(status == 0)
        } else {
            status
        };
        self.st.last_status = status;
        if status != 0 && self.st.errexit && !guarded && !p.negated {
            return Err(Ctl::Exit(status));
        }
        Ok(status)
    }

    /// Runs `f` on a copy of the shell state; nothing it changes leaks back.
    pub fn subshell(
        &mut self,
        f: impl FnOnce(&mut Interp<'_>, Streams<'_>) -> Flow,
        io: Streams<'_>,
    ) -> Flow {
        let mut st = self.st.clone();
        let mut sub = Interp {
            fs: &mut *self.fs,
            host: &mut *self.host,
            config: self.config,
            st: &mut st,
        };
        let result = f(&mut sub, io);
        // Reading stdin is the one effect a subshell shares with its parent: the
        // stream's position.
        self.st.stdin_cursors = st.stdin_cursors;
        match result {
            Ok(s) | Err(Ctl::Exit(s)) | Err(Ctl::Return(s)) => Ok(s),
            Err(Ctl::Break(_)) | Err(Ctl::Continue(_)) => Ok(0),
            Err(Ctl::Interrupted) => Err(Ctl::Interrupted),
        }
    }

    fn run_command(&mut self, cmd: &Command, mut io: Streams<'_>) -> Flow {
        match cmd {
            Command::Simple(s) => self.run_simple(s, io),
            Command::FunctionDef(name, body) => {
                self.st.functions.insert(name.clone(), body.clone());
                Ok(0)
            }
            Command::Compound(c, redirects) => {
                if redirects.is_empty() {
                    self.run_compound(c, io)
                } else {
                    self.with_redirects(redirects, 0, io.reborrow(), |sh, io| {
                        sh.run_compound(c, io)
                    })
                }
            }
        }
    }

    fn run_compound(&mut self, c: &Compound, mut io: Streams<'_>) -> Flow {
        match c {
            Compound::Brace(l) => self.run_list(l, io),
            Compound::Subshell(l) => self.subshell(|sh, io| sh.run_list(l, io), io),
            Compound::If {
                branches,
                otherwise,
            } => {
                for (cond, body) in branches {
                    if self.run_condition(cond, io.reborrow())? == 0 {
                        return self.run_list(body, io);
                    }
                }
                match otherwise {
                    Some(l) => self.run_list(l, io),
                    None => Ok(0),
                }
            }
            Compound::While { cond, body, until } => {
                let mut status = 0;
                self.st.loop_depth += 1;
                let result = loop {
                    if self.interrupted() {
                        break Err(Ctl::Interrupted);
                    }
                    let c = match self.run_condition(cond, io.reborrow()) {
                        Ok(c) => c,
                        Err(e) => break Err(e),
                    };
                    if (c == 0) == *until {
                        break Ok(status);
                    }
                    match self.run_list(body, io.reborrow()) {
                        Ok(s) => status = s,
                        Err(Ctl::Break(n)) if n > 1 => break Err(Ctl::Break(n - 1)),
                        Err(Ctl::Break(_)) => break Ok(status),
                        Err(Ctl::Continue(n)) if n > 1 => break Err(Ctl::Continue(n - 1)),
                        Err(Ctl::Continue(_)) => {}
                        Err(e) => break Err(e),
                    }
                };
                self.st.loop_depth -= 1;
                result
            }
            Compound::For { var, words, body } => {
                let items = match words {
                    Some(w) => self.expand_words(w, io.stderr)?,
                    None => self.st.positional.clone(),
                };
                let mut status = 0;
                self.st.loop_depth += 1;
                let mut result = Ok(0);
                for item in items {
                    if self.interrupted() {
                        result = Err(Ctl::Interrupted);
                        break;
                    }
                    self.st.set_var(var, &item);
                    match self.run_list(body, io.reborrow()) {
                        Ok(s) => status = s,
                        Err(Ctl::Break(n)) if n > 1 => {
                            result = Err(Ctl::Break(n - 1));
                            break;
                        }
                        Err(Ctl::Break(_)) => break,
                        Err(Ctl::Continue(n)) if n > 1 => {
                            result = Err(Ctl::Continue(n - 1));
                            break;
                        }
                        Err(Ctl::Continue(_)) => {}
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
                self.st.loop_depth -= 1;
                result.map(|_| status)
            }
            Compound::Case { word, arms } => {
                let value = self.expand_string(word, io.stderr)?;
                for (patterns, body) in arms {
                    for p in patterns {
                        let pat = self.expand_pattern(p, io.stderr)?;
                        if super::expand::fnmatch(&pat, &value) {
                            return self.run_list(body, io);
                        }
                    }
                }
                Ok(0)
            }
        }
    }

    /// A condition of if/while: `set -e` does not apply inside it.
    fn run_condition(&mut self, cond: &List, io: Streams<'_>) -> Flow {
        let saved = self.st.errexit;
        self.st.errexit = false;
        let r = self.run_list(cond, io);
        self.st.errexit = saved;
        r
    }

    fn run_simple(&mut self, s: &Simple, io: Streams<'_>) -> Flow {
        let before = self.st.substitutions;
        let argv = self.expand_words(&s.words, io.stderr)?;
        let mut assigns = Vec::new();
        for (name, value) in &s.assigns {
            let v = self.expand_string(value, io.stderr)?;
            assigns.push((name.clone(), v));
        }
        let subst_status = if self.st.substitutions != before {
            self.st.last_status
        } else {
            0
        };
        if self.st.xtrace {
            let mut line = String::from("+");
            for (n, v) in &assigns {
                line.push_str(&format!(" {n}={v}"));
            }
            for a in &argv {
                line.push(' ');
                line.push_str(a);
            }
            write_err(io.stderr, format_args!("{line}"));
        }
        if argv.is_empty() {
            for (n, v) in &assigns {
                self.st.set_var(n, v);
            }
            if s.redirects.is_empty() {
                return Ok(subst_status);
            }
            return self.with_redirects(&s.redirects, s.line, io, |_, _| Ok(subst_status));
        }
        if s.redirects.is_empty() {
            self.dispatch(&argv, &assigns, s.line, io)
        } else {
            self.with_redirects(&s.redirects, s.line, io, |sh, io| {
                sh.dispatch(&argv, &assigns, s.line, io)
            })
        }
    }

    /// Sets up `redirects`, runs `f` with the redirected streams, then writes files.
    fn with_redirects(
        &mut self,
        redirects: &[Redirect],
        line: usize,
        io: Streams<'_>,
        f: impl FnOnce(&mut Interp<'_>, Streams<'_>) -> Flow,
    ) -> Flow {
        let Streams {
            stdin,
            stdout,
            stderr,
        } = io;
        let mut targets: HashMap<u32, Target> = HashMap::new();
        targets.insert(1, Target::Parent1);
        targets.insert(2, Target::Parent2);
        let mut files: Vec<String> = Vec::new();
        let mut input: Option<Vec<u8>> = None;
        let mut seekable = false;
        for r in redirects {
            let word = match &r.heredoc {
                Some(doc) => {
                    let body = doc.get().map(|d| d.body.clone()).unwrap_or_default();
                    let text = self.expand_string(&body, stderr)?;
                    if r.fd.unwrap_or(0) == 0 {
                        input = Some(text.into_bytes());
                        seekable = false;
                    }
                    continue;
                }
                None => self.expand_string(&r.target, stderr)?,
            };
            let fail = |sh: &Interp<'_>, err: &mut dyn Write, what: String| {
                write_err(err, format_args!("{}{what}", sh.prefix(line)));
                Ok(1)
            };
            match r.op {
                RedirOp::Out | RedirOp::Append | RedirOp::OutErr => {
                    let target = if word == "/dev/null" {
                        Target::Null
                    } else {
                        let path = vfs::normalize(&self.st.cwd, &word);
                        let append = r.op == RedirOp::Append;
                        if let Err(e) = self.fs.write(&path, b"", append) {
                            let why = match e.kind() {
                                io::ErrorKind::NotFound => "nonexistent directory".to_string(),
                                _ => io_message(&e),
                            };
                            return fail(self, stderr, format!("can't create {word}: {why}"));
                        }
                        files.push(path);
                        Target::File(files.len() - 1)
                    };
                    if r.op == RedirOp::OutErr {
                        targets.insert(1, target);
                        targets.insert(2, target);
                    } else {
                        targets.insert(r.fd.unwrap_or(1), target);
                    }
                }
                RedirOp::In => {
                    if word == "/dev/null" {
                        input = Some(Vec::new());
                        seekable = false;
                        continue;
                    }
                    let path = vfs::normalize(&self.st.cwd, &word);
                    match self.fs.read(&path) {
                        Ok(data) => {
                            if r.fd.unwrap_or(0) == 0 {
                                input = Some(data);
                                seekable = true;
                            }
                        }
                        Err(e) => {
                            return fail(
                                self,
                                stderr,
                                format!("can't open '{word}': {}", io_message(&e)),
                            );
                        }
                    }
                }
                RedirOp::DupOut | RedirOp::DupIn => {
                    let fd = r.fd.unwrap_or(if r.op == RedirOp::DupOut { 1 } else { 0 });
                    if word == "-" {
                        targets.insert(fd, Target::Null);
                    } else if let Ok(src) = word.parse::<u32>() {
                        if let Some(t) = targets.get(&src).copied() {
                            targets.insert(fd, t);
                        } else if src != 0 {
                            return fail(self, stderr, format!("{word}: Bad file descriptor"));
                        }
                    } else if r.op == RedirOp::DupOut && r.fd.is_none() {
                        // `>&file` is bash's `&>file`.
                        let path = vfs::normalize(&self.st.cwd, &word);
                        if let Err(e) = self.fs.write(&path, b"", false) {
                            return fail(
                                self,
                                stderr,
                                format!("can't create {word}: {}", io_message(&e)),
                            );
                        }
                        files.push(path);
                        targets.insert(1, Target::File(files.len() - 1));
                        targets.insert(2, Target::File(files.len() - 1));
                    } else {
                        return fail(self, stderr, format!("{word}: bad number"));
                    }
                }
                RedirOp::HereDoc => {}
            }
        }
        let p1 = RefCell::new(stdout);
        let p2 = RefCell::new(stderr);
        let bufs: Vec<RefCell<Vec<u8>>> = files.iter().map(|_| RefCell::new(Vec::new())).collect();
        let sink = |t: Target| match t {
            Target::Parent1 => Sink::Parent(&p1),
            Target::Parent2 => Sink::Parent(&p2),
            Target::File(i) => Sink::Buf(&bufs[i]),
            Target::Null => Sink::Null,
        };
        let mut w1 = sink(targets[&1]);
        let mut w2 = sink(targets[&2]);
        let stdin_bytes: &[u8] = input.as_deref().unwrap_or(stdin);
        if input.is_some() && seekable {
            self.st.mark_seekable(stdin_bytes);
        }
        let result = f(self, Streams::new(stdin_bytes, &mut w1, &mut w2));
        if input.is_some() {
            self.st.forget_stdin(stdin_bytes);
        }
        for (path, buf) in files.iter().zip(bufs) {
            let data = buf.into_inner();
            if !data.is_empty()
                && let Err(e) = self.fs.write(path, &data, true)
            {
                let err = &mut *p2.borrow_mut();
                write_err(
                    *err,
                    format_args!("{}write error: {}", self.prefix(line), io_message(&e)),
                );
            }
        }
        result
    }

    fn dispatch(
        &mut self,
        argv: &[String],
        assigns: &[(String, String)],
        line: usize,
        mut io: Streams<'_>,
    ) -> Flow {
        let name = argv[0].as_str();
        if let Some(status) = self.special_builtin(argv, assigns, line, io.reborrow())? {
            return Ok(status);
        }
        if let Some(body) = self.st.functions.get(name).cloned() {
            return self.with_temp_vars(assigns, |sh| sh.call_function(&body, argv, line, io));
        }
        if let Some(status) = self.regular_builtin(argv, line, io.reborrow())? {
            return Ok(status);
        }
        self.with_temp_vars(assigns, |sh| sh.run_program(argv, line, io))
    }

    /// `VAR=x cmd`: the assignment lasts for this command only.
    fn with_temp_vars(
        &mut self,
        assigns: &[(String, String)],
        f: impl FnOnce(&mut Self) -> Flow,
    ) -> Flow {
        if assigns.is_empty() {
            return f(self);
        }
        let saved: Vec<(String, Option<Var>)> = assigns
            .iter()
            .map(|(n, _)| (n.clone(), self.st.vars.get(n).cloned()))
            .collect();
        for (n, v) in assigns {
            self.st.set_var(n, v);
            self.st.export(n);
        }
        let r = f(self);
        for (n, old) in saved {
            match old {
                Some(v) => {
                    self.st.vars.insert(n, v);
                }
                None => {
                    self.st.vars.remove(&n);
                }
            }
        }
        r
    }

    fn enter(&mut self, err: &mut dyn Write, line: usize, what: &str) -> Result<(), Ctl> {
        if self.st.depth >= MAX_NESTING {
            write_err(
                err,
                format_args!(
                    "{}{what}: nesting too deep (limit {MAX_NESTING})",
                    self.prefix(line)
                ),
            );
            return Err(Ctl::Exit(2));
        }
        self.st.depth += 1;
        Ok(())
    }

    fn call_function(
        &mut self,
        body: &Command,
        argv: &[String],
        line: usize,
        mut io: Streams<'_>,
    ) -> Flow {
        self.enter(io.stderr, line, &argv[0])?;
        let saved = std::mem::replace(&mut self.st.positional, argv[1..].to_vec());
        self.st.locals.push(Vec::new());
        self.st.frames.push(argv[0].clone());
        let saved_loops = std::mem::take(&mut self.st.loop_depth);
        let r = self.run_command(body, io.reborrow());
        self.st.loop_depth = saved_loops;
        self.st.frames.pop();
        if let Some(frame) = self.st.locals.pop() {
            for (n, old) in frame.into_iter().rev() {
                match old {
                    Some(v) => {
                        self.st.vars.insert(n, v);
                    }
                    None => {
                        self.st.vars.remove(&n);
                    }
                }
            }
        }
        self.st.positional = saved;
        self.st.depth -= 1;
        match r {
            Err(Ctl::Return(n)) => Ok(n),
            other => other,
        }
    }

    /// Parses and runs `source` in the current shell (`eval`, `.`).
    fn eval_source(&mut self, source: &str, line: usize, what: &str, mut io: Streams<'_>) -> Flow {
        self.enter(io.stderr, line, what)?;
        let r = match parse::parse_as(source, self.flavour() == Flavour::Bash) {
            Ok(list) => self.run_list(&list, io.reborrow()),
            Err(e) => {
                self.syntax_error(&e, io.stderr);
                Ok(2)
            }
        };
        self.st.depth -= 1;
        r
    }

    /// Runs a command substitution's source in a subshell and returns its output.
    pub fn command_output(&mut self, source: &str, err: &mut dyn Write) -> Result<String, Ctl> {
        let mut out = Vec::new();
        self.enter(err, 0, "command substitution")?;
        let r = self.subshell(
            |sh, io| sh.eval_source(source, 0, "command substitution", io),
            Streams::new(b"", &mut out, err),
        );
        self.st.depth -= 1;
        self.st.last_status = r?;
        self.st.substitutions += 1;
        let mut s = String::from_utf8_lossy(&out).into_owned();
        while s.ends_with('\n') {
            s.pop();
        }
        Ok(s)
    }

    fn ctx(&mut self) -> Ctx<'_> {
        Ctx {
            fs: &mut *self.fs,
            host: &mut *self.host,
            cwd: self.st.cwd.clone(),
            env: self.st.environment(),
            flavour: self.config.flavour,
            interrupt: self.config.interrupt.clone(),
            columns: self.config.columns,
            resolver: &*self.config.resolver,
        }
    }

    fn run_program(&mut self, argv: &[String], line: usize, mut io: Streams<'_>) -> Flow {
        let name = argv[0].as_str();
        if name.contains('/') {
            return self.run_path(argv, line, io);
        }
        let path_var = self.st.get_var("PATH").unwrap_or("").to_string();
        if is_shell_name(name) {
            // The lab has a shell everywhere; a container only where the file exists.
            let found = self.flavour() == Flavour::Lab
                || !self
                    .config
                    .resolver
                    .path_of(name, &*self.fs, &path_var)
                    .eq(name);
            if found {
                return self.run_shell_program(argv, line, io);
            }
        }
        match self.config.resolver.resolve(name, &*self.fs, &path_var) {
            Some(Resolved::Program(p)) => Ok(self.run_utility(p, argv, io)),
            Some(Resolved::Script(path)) => self.run_script(&path, argv, line, io),
            None => {
                let env = self.st.environment();
                let cwd = self.st.cwd.clone();
                if self.flavour() == Flavour::Lab
                    && let Some(s) = self.host.run_external(argv, &env, &cwd, io.reborrow())
                {
                    return Ok(s);
                }
                self.not_found(name, line, io.stderr);
                Ok(127)
            }
        }
    }

    /// Runs a utility on what is left of stdin and moves the stdin position past
    /// what it read.
    fn run_utility(&mut self, p: programs::Program, argv: &[String], io: Streams<'_>) -> i32 {
        let offset = self.st.stdin_offset(io.stdin);
        let seekable = self.st.stdin_seekable(io.stdin);
        let rest = &io.stdin[offset..];
        let mut ctx = self.ctx();
        let status = p(&mut ctx, argv, Streams::new(rest, io.stdout, io.stderr));
        let used = programs::stdin_consumed(argv, rest, seekable, &*self.fs, &self.st.cwd);
        if used > 0 {
            self.st.set_stdin_offset(io.stdin, offset + used);
        }
        status
    }

    fn not_found(&self, name: &str, line: usize, err: &mut dyn Write) {
        match self.flavour() {
            Flavour::Ash => write_err(err, format_args!("{}{name}: not found", self.prefix(line))),
            Flavour::Dash => write_err(err, format_args!("{}{name}: not found", self.prefix(line))),
            // Non-interactive bash names the line; only an interactive one leaves it out.
            Flavour::Bash if self.st.depth > 0 || self.st.arg0 != "bash" => write_err(
                err,
                format_args!("{}: line {line}: {name}: command not found", self.st.arg0),
            ),
            Flavour::Bash => write_err(err, format_args!("bash: {name}: command not found")),
            Flavour::Lab => write_err(err, format_args!("{}", programs::lab_hint(name))),
        }
    }

    /// `./script.sh`, `/bin/ls`: a path names the program directly.
    fn run_path(&mut self, argv: &[String], line: usize, io: Streams<'_>) -> Flow {
        let name = &argv[0];
        let path = vfs::normalize(&self.st.cwd, name);
        let meta = match self.fs.metadata(&path) {
            Ok(m) => m,
            Err(_) => {
                let msg = match self.flavour() {
                    Flavour::Bash => format!("bash: {name}: No such file or directory"),
                    _ => format!("{}{name}: not found", self.prefix(line)),
                };
                write_err(io.stderr, format_args!("{msg}"));
                return Ok(127);
            }
        };
        if meta.is_dir() || meta.mode & 0o111 == 0 {
            let why = if meta.is_dir() && self.flavour() == Flavour::Bash {
                "Is a directory"
            } else {
                "Permission denied"
            };
            write_err(
                io.stderr,
                format_args!("{}{name}: {why}", self.prefix(line)),
            );
            return Ok(126);
        }
        self.run_script(&path, argv, line, io)
    }

    /// An executable file: a shell script runs in a child shell; a binary the resolver
    /// knows by name runs as that program.
    fn run_script(&mut self, path: &str, argv: &[String], line: usize, io: Streams<'_>) -> Flow {
        let data = match self.fs.read(path) {
            Ok(d) => d,
            Err(e) => {
                write_err(
                    io.stderr,
                    format_args!("{}{}: {}", self.prefix(line), argv[0], io_message(&e)),
                );
                return Ok(126);
            }
        };
        // `#!/usr/bin/env python3`, `#!/usr/local/bin/node`: a script for another
        // interpreter runs as `INTERPRETER [ARG] SCRIPT ARGS...`, as the kernel does.
        if let Some(interpreter) = foreign_interpreter(&data) {
            let mut words: Vec<String> = interpreter;
            words.push(argv[0].clone());
            words.extend_from_slice(&argv[1..]);
            if vfs::file_name(&words[0]) == "env" && words.len() > 2 {
                words.remove(0);
            }
            return self.run_program(&words, line, io);
        }
        let mut bash_script = false;
        let is_script = match std::str::from_utf8(&data) {
            Ok(text) => match text.strip_prefix("#!") {
                Some(rest) => {
                    let interp = rest.split_whitespace().next().unwrap_or("");
                    let base = vfs::file_name(interp);
                    let base = if base == "env" {
                        rest.split_whitespace().nth(1).unwrap_or("")
                    } else {
                        base
                    };
                    bash_script = base == "bash";
                    matches!(base, "sh" | "ash" | "bash" | "dash")
                }
                None => !text.contains('\0'),
            },
            Err(_) => false,
        };
        if !is_script {
            let base = vfs::file_name(path);
            let invoked = vfs::file_name(&argv[0]);
            let marker = crate::engine::program::identify(&data);
            if invoked == "busybox" && marker == Some("busybox") && argv.len() > 1 {
                // `busybox APPLET ARGS...`: the multi-call binary runs the applet named.
                let applet = &argv[1..];
                if is_shell_name(&applet[0]) {
                    return self.run_shell_program(applet, line, io);
                }
                if let Some(p) = programs::lookup(&applet[0]) {
                    return Ok(self.run_utility(p, applet, io));
                }
                write_err(io.stderr, format_args!("{}: applet not found", applet[0]));
                return Ok(127);
            }
            if is_shell_name(invoked) || marker.is_some_and(is_shell_name) {
                return self.run_shell_program(argv, line, io);
            }
            if let Some(p) = programs::lookup(base) {
                return Ok(self.run_utility(p, argv, io));
            }
            // A program known by the name its file carries (`python3.12` is python3).
            if let Some(p) = marker
                .filter(|m| *m != "busybox")
                .and_then(programs::lookup)
            {
                return Ok(self.run_utility(p, argv, io));
            }
            if let Some(name) = marker {
                // A busybox applet is named by how it was called, not by its binary.
                let name = if name == "busybox" { invoked } else { name };
                // A real program of the image that the engine does not simulate (yet):
                // say so, rather than pretend the file is broken.
                write_err(
                    io.stderr,
                    format_args!(
                        "{}{}: docklab does not simulate the program '{name}' yet",
                        self.prefix(line),
                        argv[0]
                    ),
                );
                return Ok(126);
            }
            write_err(
                io.stderr,
                format_args!("{}{}: Exec format error", self.prefix(line), argv[0]),
            );
            return Ok(126);
        }
        let source = String::from_utf8_lossy(&data).into_owned();
        self.enter(io.stderr, line, &argv[0])?;
        // `#!/bin/bash` and `#!/usr/bin/env bash` scripts run in bash.
        let flavour = if bash_script {
            Flavour::Bash
        } else {
            self.config.flavour
        };
        let mut st = self.st.child(flavour);
        st.arg0 = argv[0].clone();
        st.positional = argv[1..].to_vec();
        let offset = self.st.stdin_offset(io.stdin);
        let rest = &io.stdin[offset..];
        let mut child = Interp {
            fs: &mut *self.fs,
            host: &mut *self.host,
            config: self.config,
            st: &mut st,
        };
        let status = child.run_source(&source, Streams::new(rest, io.stdout, io.stderr));
        let used = st.stdin_offset(rest);
        if used > 0 {
            self.st.set_stdin_offset(io.stdin, offset + used);
        }
        self.st.depth -= 1;
        if self.interrupted() {
            return Err(Ctl::Interrupted);
        }
        Ok(status)
    }

    /// `sh -c 'CMD' [ARG0 ARGS...]`, `sh SCRIPT ARGS...`, or `sh` reading commands from
    /// stdin: a child shell, flavoured after the program asked for.
    fn run_shell_program(&mut self, argv: &[String], line: usize, io: Streams<'_>) -> Flow {
        let invoked = vfs::file_name(&argv[0]).to_string();
        let flavour = match (self.flavour(), invoked.as_str()) {
            (_, "bash") => Flavour::Bash,
            (Flavour::Lab, _) => Flavour::Ash,
            (f, _) => f,
        };
        let mut i = 1;
        let mut command = None;
        while i < argv.len() {
            match argv[i].as_str() {
                "-c" => {
                    command = argv.get(i + 1).cloned();
                    if command.is_none() {
                        write_err(
                            io.stderr,
                            format_args!("{invoked}: -c requires an argument"),
                        );
                        return Ok(2);
                    }
                    i += 2;
                    break;
                }
                "-e" | "-x" | "-u" | "-l" | "--login" | "-i" | "-s" | "--" => i += 1,
                _ => break,
            }
        }
        let offset = self.st.stdin_offset(io.stdin);
        let rest = &io.stdin[offset..];
        let (source, arg0, positional, consumes_stdin) = match command {
            Some(cmd) => (
                cmd,
                argv.get(i).cloned().unwrap_or_else(|| argv[0].clone()),
                argv.get(i + 1..)
                    .map(<[String]>::to_vec)
                    .unwrap_or_default(),
                false,
            ),
            None => match argv.get(i) {
                Some(script) => {
                    let path = vfs::normalize(&self.st.cwd, script);
                    match self.fs.read(&path) {
                        Ok(data) => (
                            String::from_utf8_lossy(&data).into_owned(),
                            script.clone(),
                            argv[i + 1..].to_vec(),
                            false,
                        ),
                        Err(_) => {
                            let msg = match flavour {
                                Flavour::Bash => {
                                    format!("{invoked}: {script}: No such file or directory")
                                }
                                Flavour::Dash => {
                                    format!("{invoked}: 0: cannot open {script}: No such file")
                                }
                                _ => format!(
                                    "{invoked}: can't open '{script}': No such file or directory"
                                ),
                            };
                            write_err(io.stderr, format_args!("{msg}"));
                            return Ok(if flavour == Flavour::Ash { 2 } else { 127 });
                        }
                    }
                }
                None => (
                    String::from_utf8_lossy(rest).into_owned(),
                    argv[0].clone(),
                    Vec::new(),
                    true,
                ),
            },
        };
        self.enter(io.stderr, line, &argv[0])?;
        let mut st = self.st.child(flavour);
        st.arg0 = arg0;
        st.positional = positional;
        let mut child = Interp {
            fs: &mut *self.fs,
            host: &mut *self.host,
            config: self.config,
            st: &mut st,
        };
        let stdin: &[u8] = if consumes_stdin { &[] } else { rest };
        let status = child.run_source(&source, Streams::new(stdin, io.stdout, io.stderr));
        if consumes_stdin {
            self.st.set_stdin_offset(io.stdin, io.stdin.len());
        } else {
            let used = st.stdin_offset(rest);
            if used > 0 {
                self.st.set_stdin_offset(io.stdin, offset + used);
            }
        }
        self.st.depth -= 1;
        if self.interrupted() {
            return Err(Ctl::Interrupted);
        }
        Ok(status)
    }

    /// Builtins POSIX looks up before functions; their assignments persist.
    fn special_builtin(
        &mut self,
        argv: &[String],
        assigns: &[(String, String)],
        line: usize,
        mut io: Streams<'_>,
    ) -> Result<Option<i32>, Ctl> {
        let name = argv[0].as_str();
        let is_special = matches!(
            name,
            ":" | "break"
                | "continue"
                | "."
                | "source"
                | "eval"
                | "exit"
                | "export"
                | "readonly"
                | "return"
                | "set"
                | "shift"
                | "unset"
                | "local"
                | "exec"
                | "trap"
        );
        if !is_special {
            return Ok(None);
        }
        for (n, v) in assigns {
            self.st.set_var(n, v);
        }
        let args = &argv[1..];
        let pre = self.prefix(line);
        let status = match name {
            ":" | "trap" => 0,
            "break" | "continue" => {
                let n = match args.first().map(|a| a.parse::<usize>()) {
                    None => 1,
                    Some(Ok(n)) if n > 0 => n,
                    Some(_) => {
                        write_err(
                            io.stderr,
                            format_args!("{pre}{name}: Illegal number: {}", args[0]),
                        );
                        return Err(Ctl::Exit(2));
                    }
                };
                if self.st.loop_depth == 0 {
                    return Ok(Some(0));
                }
                let n = n.min(self.st.loop_depth);
                return Err(if name == "break" {
                    Ctl::Break(n)
                } else {
                    Ctl::Continue(n)
                });
            }
            "exit" | "return" => {
                let n = match args.first() {
                    None => self.st.last_status,
                    Some(a) => match a.parse::<i64>() {
                        Ok(n) => (n & 0xff) as i32,
                        Err(_) => {
                            write_err(io.stderr, format_args!("{pre}{name}: Illegal number: {a}"));
                            2
                        }
                    },
                };
                return Err(if name == "exit" || self.st.depth == 0 {
                    Ctl::Exit(n)
                } else {
                    Ctl::Return(n)
                });
            }
            "." | "source" => {
                let Some(file) = args.first() else {
                    write_err(
                        io.stderr,
                        format_args!("{pre}{name}: filename argument required"),
                    );
                    return Ok(Some(2));
                };
                let path = vfs::normalize(&self.st.cwd, file);
                match self.fs.read(&path) {
                    Ok(data) => {
                        let src = String::from_utf8_lossy(&data).into_owned();
                        let saved = if args.len() > 1 {
                            Some(std::mem::replace(
                                &mut self.st.positional,
                                args[1..].to_vec(),
                            ))
                        } else {
                            None
                        };
                        self.st.frames.push("source".into());
                        let r = self.eval_source(&src, line, name, io.reborrow());
                        self.st.frames.pop();
                        if let Some(p) = saved {
                            self.st.positional = p;
                        }
                        match r {
                            Err(Ctl::Return(n)) => n,
                            other => other?,
                        }
                    }
                    Err(e) => {
                        write_err(
                            io.stderr,
                            format_args!("{pre}{name}: can't open '{file}': {}", io_message(&e)),
                        );
                        return Err(Ctl::Exit(2));
                    }
                }
            }
            "eval" => {
                let src = args.join(" ");
                self.eval_source(&src, line, "eval", io.reborrow())?
            }
            "export" | "readonly" => {
                if args.is_empty() || args[0] == "-p" {
                    for (k, v) in self.st.environment() {
                        let _ = writeln!(io.stdout, "export {k}='{}'", v.replace('\'', "'\"'\"'"));
                    }
                    return Ok(Some(0));
                }
                for a in args {
                    let (n, v) = match a.split_once('=') {
                        Some((n, v)) => (n, Some(v)),
                        None => (a.as_str(), None),
                    };
                    if !parse::is_name(n) {
                        write_err(
                            io.stderr,
                            format_args!("{pre}{name}: {a}: bad variable name"),
                        );
                        return Err(Ctl::Exit(2));
                    }
                    if let Some(v) = v {
                        self.st.set_var(n, v);
                    }
                    self.st.export(n);
                }
                0
            }
            "local" => {
                for a in args {
                    let (n, v) = match a.split_once('=') {
                        Some((n, v)) => (n, Some(v)),
                        None => (a.as_str(), None),
                    };
                    let old = self.st.vars.get(n).cloned();
                    if let Some(frame) = self.st.locals.last_mut() {
                        frame.push((n.to_string(), old));
                    }
                    self.st.set_var(n, v.unwrap_or(""));
                }
                0
            }
            "unset" => {
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    if args.iter().any(|a| a == "-f") {
                        self.st.functions.remove(a);
                    } else {
                        self.st.unset(a);
                    }
                }
                0
            }
            "shift" => {
                let n = args
                    .first()
                    .and_then(|a| a.parse::<usize>().ok())
                    .unwrap_or(1);
                if n > self.st.positional.len() {
                    write_err(io.stderr, format_args!("{pre}shift: can't shift that many"));
                    return Err(Ctl::Exit(2));
                }
                self.st.positional.drain(..n);
                0
            }
            "set" => self.builtin_set(args, io.reborrow()),
            "exec" => {
                if args.is_empty() {
                    0
                } else {
                    let s = self.dispatch(args, &[], line, io.reborrow())?;
                    return Err(Ctl::Exit(s));
                }
            }
            _ => 0,
        };
        Ok(Some(status))
    }

    fn builtin_set(&mut self, args: &[String], io: Streams<'_>) -> i32 {
        if args.is_empty() {
            for (k, v) in &self.st.vars {
                let _ = writeln!(io.stdout, "{k}='{}'", v.value.replace('\'', "'\"'\"'"));
            }
            return 0;
        }
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if a == "--" {
                self.st.positional = args[i + 1..].to_vec();
                return 0;
            }
            let on = a.starts_with('-');
            if !(on || a.starts_with('+')) || a.len() < 2 {
                self.st.positional = args[i..].to_vec();
                return 0;
            }
            for c in a[1..].chars() {
                match c {
                    'e' => self.st.errexit = on,
                    'x' => self.st.xtrace = on,
                    // `-o NAME` takes the next word, also at the end of `-Eeo`.
                    'o' => {
                        i += 1;
                        match args.get(i).map(String::as_str) {
                            Some("errexit") => self.st.errexit = on,
                            Some("xtrace") => self.st.xtrace = on,
                            Some("pipefail") if self.flavour() != Flavour::Dash => {
                                self.st.pipefail = on;
                            }
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        0
    }

    fn regular_builtin(
        &mut self,
        argv: &[String],
        line: usize,
        mut io: Streams<'_>,
    ) -> Result<Option<i32>, Ctl> {
        let args = &argv[1..];
        let pre = self.prefix(line);
        let status = match argv[0].as_str() {
            "cd" => {
                let target = match args.first().map(String::as_str) {
                    None => self.st.get_var("HOME").unwrap_or("/").to_string(),
                    Some("-") => {
                        let old = self.st.get_var("OLDPWD").unwrap_or("/").to_string();
                        let _ = writeln!(io.stdout, "{old}");
                        old
                    }
                    Some(d) => d.to_string(),
                };
                let path = vfs::normalize(&self.st.cwd, &target);
                match self.fs.metadata(&path) {
                    Ok(m) if m.is_dir() => {
                        let old = std::mem::replace(&mut self.st.cwd, path.clone());
                        self.st.set_var("OLDPWD", &old);
                        self.st.export("OLDPWD");
                        self.st.set_var("PWD", &path);
                        0
                    }
                    other => {
                        let why = match other {
                            Ok(_) => "Not a directory".to_string(),
                            Err(e) => io_message(&e),
                        };
                        match self.flavour() {
                            Flavour::Bash => {
                                write_err(io.stderr, format_args!("bash: cd: {target}: {why}"))
                            }
                            Flavour::Dash => {
                                write_err(io.stderr, format_args!("{pre}cd: can't cd to {target}"))
                            }
                            _ => write_err(
                                io.stderr,
                                format_args!("{pre}cd: can't cd to {target}: {why}"),
                            ),
                        }
                        if self.flavour() == Flavour::Dash {
                            2
                        } else {
                            1
                        }
                    }
                }
            }
            "pwd" => {
                let _ = writeln!(io.stdout, "{}", self.st.cwd);
                0
            }
            "read" => self.builtin_read(args, io.reborrow()),
            "command" | "type" | "which" => {
                let verbose = argv[0] == "type" || args.first().is_some_and(|a| a == "-V");
                let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
                if argv[0] == "command" && !args.first().is_some_and(|a| a == "-v" || a == "-V") {
                    if names.is_empty() {
                        return Ok(Some(0));
                    }
                    let rest: Vec<String> = args
                        .iter()
                        .skip_while(|a| a.starts_with('-'))
                        .cloned()
                        .collect();
                    return self.run_program(&rest, line, io).map(Some);
                }
                let mut status = 0;
                for n in names {
                    let kind = self.describe(n);
                    match (kind, argv[0].as_str(), verbose) {
                        (None, "type", _) => {
                            write_err(io.stderr, format_args!("{n}: not found"));
                            status = 1;
                        }
                        (None, _, _) => status = 1,
                        (Some((_, path)), "which", _) => match path {
                            Some(p) => {
                                let _ = writeln!(io.stdout, "{p}");
                            }
                            None => status = 1,
                        },
                        (Some((desc, path)), _, true) => {
                            let _ = match path {
                                Some(p) => writeln!(io.stdout, "{n} is {p}"),
                                None => writeln!(io.stdout, "{n} is {desc}"),
                            };
                        }
                        (Some((_, path)), _, false) => {
                            let _ = writeln!(io.stdout, "{}", path.unwrap_or_else(|| n.clone()));
                        }
                    }
                }
                status
            }
            "true" => 0,
            "false" => 1,
            "umask" => match args.first() {
                None => {
                    let _ = writeln!(io.stdout, "{:04o}", self.st.umask);
                    0
                }
                Some(m) => match u32::from_str_radix(m, 8) {
                    Ok(v) if v <= 0o777 => {
                        self.st.umask = v;
                        0
                    }
                    _ => {
                        let msg = match self.flavour() {
                            Flavour::Bash => format!("{m}: octal number out of range"),
                            Flavour::Dash => format!("Illegal number: {m}"),
                            _ => format!("invalid mode '{m}'"),
                        };
                        write_err(io.stderr, format_args!("{pre}umask: {msg}"));
                        if self.flavour() == Flavour::Bash {
                            1
                        } else {
                            2
                        }
                    }
                },
            },
            _ => return Ok(None),
        };
        Ok(Some(status))
    }

    /// For `type`/`command -v`/`which`: (description, path if a file).
    fn describe(&self, name: &str) -> Option<(String, Option<String>)> {
        if self.st.functions.contains_key(name) {
            return Some(("a function".into(), None));
        }
        if parse::is_name(name)
            && matches!(
                name,
                "if" | "then" | "fi" | "for" | "while" | "do" | "done" | "case" | "esac"
            )
        {
            return Some(("a shell keyword".into(), None));
        }
        if matches!(
            name,
            "cd" | "pwd"
                | "read"
                | "command"
                | "type"
                | "true"
                | "false"
                | "umask"
                | ":"
                | "."
                | "eval"
                | "exit"
                | "export"
                | "set"
                | "shift"
                | "unset"
                | "local"
                | "return"
                | "break"
                | "continue"
                | "source"
        ) {
            return Some(("a shell builtin".into(), None));
        }
        let path_var = self.st.get_var("PATH").unwrap_or("");
        match self.config.resolver.resolve(name, &*self.fs, path_var)? {
            Resolved::Program(_) => Some((
                "a shell builtin".into(),
                Some(self.config.resolver.path_of(name, &*self.fs, path_var)),
            )),
            Resolved::Script(p) => Some(("a script".into(), Some(p))),
        }
    }

    fn builtin_read(&mut self, args: &[String], io: Streams<'_>) -> i32 {
        let mut raw = false;
        let mut names = Vec::new();
        let mut prompt = None;
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "-r" => raw = true,
                "-p" => prompt = it.next(),
                _ => names.push(a.clone()),
            }
        }
        if let Some(p) = prompt {
            let _ = write!(io.stderr, "{p}");
        }
        let input = io.stdin;
        let offset = self.st.stdin_offset(input);
        if offset >= input.len() {
            for n in &names {
                self.st.set_var(n, "");
            }
            return 1;
        }
        let rest = &input[offset..];
        let (line, used, complete) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], i + 1, true),
            None => (rest, rest.len(), false),
        };
        self.st.set_stdin_offset(input, offset + used);
        let mut text = String::from_utf8_lossy(line).into_owned();
        if !raw {
            text = text.replace('\\', "");
        }
        if names.is_empty() {
            names.push("REPLY".into());
        }
        let ifs = self.st.get_var("IFS").unwrap_or(" \t\n").to_string();
        let mut fields: Vec<String> = Vec::new();
        let mut rest = text.trim_matches(|c| ifs.contains(c)).to_string();
        for i in 0..names.len() {
            if i + 1 == names.len() {
                fields.push(rest.clone());
                break;
            }
            match rest.find(|c| ifs.contains(c)) {
                Some(p) => {
                    fields.push(rest[..p].to_string());
                    rest = rest[p..]
                        .trim_start_matches(|c| ifs.contains(c))
                        .to_string();
                }
                None => {
                    fields.push(std::mem::take(&mut rest));
                }
            }
        }
        for (i, n) in names.iter().enumerate() {
            self.st
                .set_var(n, fields.get(i).map(String::as_str).unwrap_or(""));
        }
        i32::from(!complete)
    }
}

/// The names that start a child shell.
fn is_shell_name(name: &str) -> bool {
    matches!(name, "sh" | "ash" | "bash" | "dash")
}

/// The interpreter line of a script for a program other than a shell: `#!/usr/bin/env
/// python3` gives `["/usr/bin/env", "python3"]`. None for shell scripts and binaries.
fn foreign_interpreter(data: &[u8]) -> Option<Vec<String>> {
    let rest = data.strip_prefix(b"#!")?;
    let line = &rest[..rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len())];
    let line = std::str::from_utf8(line).ok()?.trim();
    let (interp, arg) = match line.split_once([' ', '\t']) {
        Some((i, a)) => (i, Some(a.trim()).filter(|a| !a.is_empty())),
        None => (line, None),
    };
    if interp.is_empty() {
        return None;
    }
    let program = match vfs::file_name(interp) {
        "env" => arg?.split_whitespace().next()?,
        other => other,
    };
    if is_shell_name(program) {
        return None;
    }
    let mut words = vec![interp.to_string()];
    words.extend(arg.map(str::to_string));
    Some(words)
}
