//! The lab's image tools, as students know them from the Docker course: `dive IMAGE`
//! (wagoodman/dive, the layer explorer: full-screen at a terminal, its panes printed
//! otherwise) and `whaler IMAGE`
//! (P3GLEG/Whaler, the image reverse-engineer). Both read the image through
//! `Backend::save_images`, exactly as the real tools read a `docker save` stream, so they
//! work on the embedded engine and on a real daemon alike.
//!
//! Owns the tools' argument handling, analysis and text; the formatting helpers both
//! share (go-humanize's byte sizes, Go's permission strings) live here.

pub mod dive;
pub mod dive_view;
pub mod image;
pub mod whaler;

#[cfg(test)]
mod tests;

use crate::backend::{Backend, BackendError};
use crate::engine::streams::Streams;

pub use dive::run as dive;
pub use whaler::run as whaler;

/// `docker save` of one image, or the daemon's error as the CLI words it.
fn save(backend: &mut dyn Backend, name: &str) -> Result<Vec<u8>, String> {
    backend
        .save_images(&[name.to_string()])
        .map_err(|e| daemon_error(&e))
}

fn daemon_error(error: &BackendError) -> String {
    match error {
        BackendError::Daemon { message, .. } => format!("Error response from daemon: {message}"),
        BackendError::Connection(message) => message.clone(),
    }
}

/// go-humanize's `Bytes`: SI units, one decimal below 10 (`5.6 MB`, `12 kB`, `7 B`).
pub fn human_bytes(size: u64) -> String {
    const SIZES: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    if size < 10 {
        return format!("{size} B");
    }
    let base = 1000f64;
    let exponent = ((size as f64).ln() / base.ln()).floor();
    let suffix = SIZES[(exponent as usize).min(SIZES.len() - 1)];
    let value = (size as f64 / base.powf(exponent) * 10.0 + 0.5).floor() / 10.0;
    if value < 10.0 {
        format!("{value:.1} {suffix}")
    } else {
        format!("{value:.0} {suffix}")
    }
}

/// go-humanize's `ParseBytes`: `1000`, `10 MB`, `1.5GiB`, `42kb`.
pub fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(text.len());
    let number: f64 = text[..split].replace(',', "").parse().ok()?;
    let unit = text[split..].trim().to_ascii_lowercase();
    let multiplier: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "ki" | "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mi" | "mib" => 1024f64.powi(2),
        "g" | "gb" => 1e9,
        "gi" | "gib" => 1024f64.powi(3),
        "t" | "tb" => 1e12,
        "ti" | "tib" => 1024f64.powi(4),
        _ => return None,
    };
    Some((number * multiplier) as u64)
}

/// Go's `os.FileMode` permission string without the type letter: `rwxr-xr-x`, with
/// `s`/`S` and `t`/`T` for setuid, setgid and sticky.
pub fn permissions(mode: u32) -> String {
    let mut out = String::with_capacity(9);
    for (shift, special, letter) in [(6, 0o4000, 's'), (3, 0o2000, 's'), (0, 0o1000, 't')] {
        let bits = (mode >> shift) & 7;
        out.push(if bits & 4 != 0 { 'r' } else { '-' });
        out.push(if bits & 2 != 0 { 'w' } else { '-' });
        let exec = bits & 1 != 0;
        out.push(match (mode & special != 0, exec) {
            (true, true) => letter,
            (true, false) => letter.to_ascii_uppercase(),
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    out
}

/// Writes `text` to the tool's stdout, ignoring a closed pipe as the shell does.
fn out(streams: &mut Streams<'_>, text: &str) {
    let _ = streams.stdout.write_all(text.as_bytes());
}

fn err(streams: &mut Streams<'_>, text: &str) {
    let _ = streams.stderr.write_all(text.as_bytes());
}
