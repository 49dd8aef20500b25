//! A stable, readable text dump of a parsed Dockerfile (the golden files' format).

use super::{CommandLine, Dockerfile, Healthcheck, Instruction, InstructionKind};
use std::collections::BTreeMap;
use std::fmt::Write;

fn q(s: &str) -> String {
    super::lex::go_quote(s)
}

fn list(v: &[String]) -> String {
    let items: Vec<String> = v.iter().map(|s| q(s)).collect();
    format!("[{}]", items.join(", "))
}

fn cmdline(c: &CommandLine) -> String {
    match c {
        CommandLine::Exec(v) => format!("exec {}", list(v)),
        CommandLine::Shell(s) => format!("shell {}", q(s)),
        CommandLine::Empty => "empty".into(),
    }
}

fn opt(name: &str, v: &Option<String>) -> String {
    v.as_ref()
        .map(|v| format!(" {name}={}", q(v)))
        .unwrap_or_default()
}

pub(crate) fn kind(k: &InstructionKind) -> String {
    use InstructionKind as K;
    match k {
        K::From(f) => format!(
            "FROM image={}{}{}",
            q(&f.image),
            opt("name", &f.name),
            opt("platform", &f.platform)
        ),
        K::Run(r) => {
            let mut s = format!("RUN {}", cmdline(&r.command));
            for m in &r.mounts {
                let _ = write!(s, " mount={}", q(m));
            }
            s += &opt("network", &r.network);
            s += &opt("security", &r.security);
            for h in &r.heredocs {
                let _ = write!(
                    s,
                    "\n    heredoc {} chomp={} expand={} fd={} content={}",
                    q(&h.name),
                    h.chomp,
                    h.expand,
                    h.fd,
                    q(&h.content)
                );
            }
            s
        }
        K::Cmd(c) => format!("CMD {}", cmdline(c)),
        K::Entrypoint(c) => format!("ENTRYPOINT {}", cmdline(c)),
        K::Copy(c) | K::Add(c) => {
            let mut s = format!(
                "{} sources={} dest={}{}{}{}",
                k.name(),
                list(&c.sources),
                q(&c.dest),
                opt("chown", &c.chown),
                opt("chmod", &c.chmod),
                opt("from", &c.from)
            );
            if c.link {
                s += " link";
            }
            if c.json {
                s += " json";
            }
            for i in &c.inline_sources {
                let _ = write!(
                    s,
                    "\n    inline {} expand={} data={}",
                    q(&i.path),
                    i.expand,
                    q(&i.data)
                );
            }
            s
        }
        K::Workdir(w) => format!("WORKDIR {}", q(w)),
        K::Expose(p) => format!("EXPOSE {}", list(p)),
        K::Env(p) | K::Label(p) => {
            let items: Vec<String> = p
                .iter()
                .map(|(a, b)| format!("{}={}", q(a), q(b)))
                .collect();
            format!("{} {}", k.name(), items.join(" "))
        }
        K::Arg(a) => {
            let items: Vec<String> = a
                .iter()
                .map(|a| match &a.default {
                    Some(d) => format!("{}={}", q(&a.name), q(d)),
                    None => q(&a.name),
                })
                .collect();
            format!("ARG {}", items.join(" "))
        }
        K::User(u) => format!("USER {}", q(u)),
        K::Volume(v) => format!("VOLUME {}", list(v)),
        K::Shell(v) => format!("SHELL {}", list(v)),
        K::Healthcheck(Healthcheck::None) => "HEALTHCHECK NONE".into(),
        K::Healthcheck(Healthcheck::Check {
            test,
            interval,
            timeout,
            start_period,
            start_interval,
            retries,
        }) => {
            let mut s = format!("HEALTHCHECK test={}", list(test));
            for (n, d) in [
                ("interval", interval),
                ("timeout", timeout),
                ("start-period", start_period),
                ("start-interval", start_interval),
            ] {
                if let Some(d) = d {
                    let _ = write!(s, " {n}={d:?}");
                }
            }
            if let Some(r) = retries {
                let _ = write!(s, " retries={r}");
            }
            s
        }
        K::Onbuild(o) => {
            let t = o
                .trigger
                .as_deref()
                .map(kind)
                .unwrap_or_else(|| "(does not parse)".into());
            format!("ONBUILD expression={} trigger: {}", q(&o.expression), t)
        }
        K::StopSignal(s) => format!("STOPSIGNAL {}", q(s)),
        K::Maintainer(m) => format!("MAINTAINER {}", q(m)),
    }
}

/// Dumps the Dockerfile, then replays its ARG/ENV values through every stage the way
/// the builder does (build args unset, so ARGs take their defaults) and shows each
/// expandable instruction after expansion where it differs.
pub fn dump(df: &Dockerfile) -> String {
    let mut out = String::new();
    for d in &df.directives {
        let _ = writeln!(out, "directive {}={}", d.key, q(&d.value));
    }
    if df.escape != '\\' {
        let _ = writeln!(out, "escape {}", q(&df.escape.to_string()));
    }
    for w in &df.warnings {
        let _ = writeln!(out, "warning {}", q(w));
    }
    let _ = writeln!(out, "steps {}", df.step_count());
    let mut meta: BTreeMap<String, String> = BTreeMap::new();
    for ins in &df.meta_arg_instructions {
        line(&mut out, ins, df.escape, &mut meta);
    }
    for (i, stage) in df.stages.iter().enumerate() {
        let _ = writeln!(
            out,
            "stage {i}{}",
            stage
                .name
                .as_ref()
                .map(|n| format!(" {}", q(n)))
                .unwrap_or_default()
        );
        let mut m = meta.clone();
        line(&mut out, &stage.from_instruction, df.escape, &mut m);
        let mut env: BTreeMap<String, String> = BTreeMap::new();
        for ins in &stage.instructions {
            line(&mut out, ins, df.escape, &mut env);
        }
    }
    out
}

fn line(out: &mut String, ins: &Instruction, escape: char, env: &mut BTreeMap<String, String>) {
    let _ = writeln!(
        out,
        "{}-{} {}\n  step {}",
        ins.line,
        ins.end_line,
        kind(&ins.kind),
        q(&ins.original)
    );
    if !ins.kind.expands() {
        return;
    }
    let snapshot = env.clone();
    let lookup = |k: &str| snapshot.get(k).cloned();
    match ins.kind.expanded(escape, &lookup) {
        Ok(k) => {
            let text = kind(&k);
            if text != kind(&ins.kind) {
                let _ = writeln!(out, "  expanded {text}");
            }
            match k {
                InstructionKind::Env(p) => env.extend(p),
                InstructionKind::Arg(a) => {
                    for a in a {
                        env.insert(a.name, a.default.unwrap_or_default());
                    }
                }
                _ => {}
            }
        }
        Err(e) => {
            let _ = writeln!(out, "  expand error {}", q(&e.to_string()));
        }
    }
}
