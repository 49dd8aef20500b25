//! The simulated programs a container can run, by the name `program::identify` reads
//! from an executable's file.

mod hello;

use crate::engine::streams::Streams;

/// What a program gets: its argv and environment, and the container's streams.
pub struct Invocation<'a> {
    pub argv: &'a [String],
    pub env: &'a [String],
}

/// Runs program `name`; `None` when the engine has no implementation of it.
pub fn run(name: &str, invocation: &Invocation<'_>, streams: Streams<'_>) -> Option<i64> {
    match name {
        "hello" => Some(hello::run(invocation, streams)),
        _ => None,
    }
}
