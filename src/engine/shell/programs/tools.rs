//! Smaller programs the package managers install: an editor, network and TLS tools.

use super::{Ctx, Streams};

pub fn vim(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn xxd(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn openssl(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn zdump(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn update_ca_certificates(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn netstat(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn nping(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn ping(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn ifconfig(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn route(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn arp(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn getcap(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}

pub fn setcap(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    super::not_simulated(ctx, argv, io)
}
