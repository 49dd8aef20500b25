//! The Go toolchain (`go`, `gofmt`) and the binaries `go build` makes.

use super::{Ctx, Streams};

pub fn go(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn gofmt(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn go_binary(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

/// The service behind a port this program listens on (`Host::listen(port, "KIND:ARG")`).
pub fn service(
    _kind: &str,
    _arg: &str,
    _view: crate::engine::net::app::ContainerView,
) -> Option<crate::engine::net::Service> {
    None
}
