//! Python 3 and pip, as the python images carry them.

use super::{Ctx, Streams};

pub fn python(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn pip(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
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
