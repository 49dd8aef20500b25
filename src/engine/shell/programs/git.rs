//! git, as Alpine's and Debian's packages install it.

use super::{Ctx, Streams};

pub fn git(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}
