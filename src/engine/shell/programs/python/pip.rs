//! pip 25.0.1 over a built-in package index.

use super::super::{Ctx, Streams};

pub fn pip(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::super::not_simulated(ctx, argv, io)
}
