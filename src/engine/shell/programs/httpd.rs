//! Apache httpd, as the httpd image carries it.

use super::{Ctx, Streams};

pub fn httpd(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
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
