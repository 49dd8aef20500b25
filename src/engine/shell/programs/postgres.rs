//! PostgreSQL's server and its clients, as the postgres image carries them.

use super::{Ctx, Streams};

pub fn postgres(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn psql(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn pg_isready(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn initdb(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn pg_ctl(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
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
