//! The application: docklab's own command line, the lab (shell + docker CLI over a
//! backend), script mode and the interactive REPL. The only layer that touches the
//! process's real stdout, stderr and terminal.

pub mod lab;
pub mod options;
pub mod repl;
pub mod script;
pub mod tools;

use self::options::{Command, Docklab};
use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

pub fn main() -> ExitCode {
    let cli = match Docklab::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "docklab: {e:#}");
            1
        }
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}

fn run(cli: Docklab) -> anyhow::Result<i32> {
    let settings = cli.global.resolve()?;
    match cli.command.unwrap_or(Command::Sandbox(Default::default())) {
        Command::Sandbox(args) => match args.script {
            Some(path) => script::run_file(&settings, &path, args.jsonl),
            None => repl::run(&settings),
        },
    }
}
