//! Simulated executables: the bytes of a program file inside an image.
//!
//! Owns only the file format (an ELF-looking header, a `docklab-program:<name>` marker,
//! deterministic filler). It does not run anything: the runtime decides what a marked
//! file does. Uses nothing outside `std`.

/// The marker that names the program a file simulates.
const PROGRAM_MARKER: &[u8] = b"docklab-program:";
/// The marker of a shared library: looks like ELF, but is never run.
const LIBRARY_MARKER: &[u8] = b"docklab-library:";
/// Where the marker starts: right after a 64-byte ELF header.
const MARKER_OFFSET: usize = 64;
/// The marker must lie within the first bytes of the file.
const MARKER_WINDOW: usize = 256;
/// Filler repeats a block of this many bytes; small enough to build in a blink,
/// large enough to look like code in a hex dump and still gzip well.
const FILLER_BLOCK: usize = 4096;

/// An executable for program `program`, exactly `size` bytes long (at least the header
/// and marker: smaller sizes are rounded up to them).
pub fn executable(program: &str, size: usize) -> Vec<u8> {
    let mut out = vec![0; size.max(minimum_size(program))];
    fill_executable(&mut out, program);
    out
}

/// Appends the executable for `program` to `out`.
pub fn write_executable(out: &mut Vec<u8>, program: &str, size: usize) {
    append(out, size.max(minimum_size(program)), |buf| {
        fill_executable(buf, program)
    });
}

/// Appends a shared library named `name`: ELF-looking, but `identify` says no.
pub fn write_library(out: &mut Vec<u8>, name: &str, size: usize) {
    append(out, size.max(minimum_size(name)), |buf| {
        fill_library(buf, name)
    });
}

/// Appends `size` bytes of filler seeded by `seed`.
pub fn write_filler(out: &mut Vec<u8>, seed: &str, size: usize) {
    append(out, size, |buf| fill_filler(buf, seed));
}

fn append(out: &mut Vec<u8>, size: usize, fill: impl FnOnce(&mut [u8])) {
    let start = out.len();
    out.resize(start + size, 0);
    fill(&mut out[start..]);
}

/// The marker before a payload: the program's own data (a compiled Go program's
/// package), with its length as 8 bytes little-endian after the marker.
const PAYLOAD_MARKER: &[u8] = b"docklab-payload:";

/// An executable for program `program` that carries `payload` right after its marker,
/// exactly `size` bytes long (or as long as header, marker and payload need).
pub fn executable_with_payload(program: &str, payload: &[u8], size: usize) -> Vec<u8> {
    let head = minimum_size(program);
    let need = head + PAYLOAD_MARKER.len() + 8 + payload.len();
    let mut out = vec![0; size.max(need)];
    fill_executable(&mut out, program);
    let mut at = head;
    for part in [
        PAYLOAD_MARKER,
        &(payload.len() as u64).to_le_bytes(),
        payload,
    ] {
        out[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }
    out
}

/// The payload an executable carries, if `executable_with_payload` made it.
pub fn payload(bytes: &[u8]) -> Option<&[u8]> {
    let name = identify(bytes)?;
    let at = minimum_size(name);
    let rest = bytes.get(at..)?.strip_prefix(PAYLOAD_MARKER)?;
    let len = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?);
    let len = usize::try_from(len).ok()?;
    rest.get(8..8usize.checked_add(len)?)
}

/// The smallest file `executable(program, _)` can make: header, marker and name.
pub fn minimum_size(program: &str) -> usize {
    MARKER_OFFSET + PROGRAM_MARKER.len() + program.len() + 1
}

/// Fills `buf` (at least `minimum_size(program)` long) with the executable for `program`,
/// so a tar writer can build a file in place.
pub fn fill_executable(buf: &mut [u8], program: &str) {
    fill_marked(buf, PROGRAM_MARKER, program);
}

/// Fills `buf` with a shared library named `name` (never identified as a program).
pub fn fill_library(buf: &mut [u8], name: &str) {
    fill_marked(buf, LIBRARY_MARKER, name);
}

/// Fills `buf` with filler seeded by `seed`: a small block, repeated.
pub fn fill_filler(buf: &mut [u8], seed: &str) {
    if buf.is_empty() {
        return;
    }
    let block = filler_block(seed);
    let mut chunks = buf.chunks_exact_mut(FILLER_BLOCK);
    for chunk in &mut chunks {
        chunk.copy_from_slice(&block);
    }
    let rest = chunks.into_remainder();
    let len = rest.len();
    rest.copy_from_slice(&block[..len]);
}

/// The program a file simulates, if it carries the marker in its first 256 bytes. A
/// real BusyBox executable (as in an image imported from a host's `busybox-static`)
/// is BusyBox too: the engine runs its applets.
pub fn identify(bytes: &[u8]) -> Option<&str> {
    if !bytes.starts_with(b"\x7fELF") {
        return None;
    }
    let window = &bytes[..bytes.len().min(MARKER_WINDOW)];
    let Some(start) = window
        .windows(PROGRAM_MARKER.len())
        .position(|w| w == PROGRAM_MARKER)
    else {
        return is_real_busybox(bytes).then_some("busybox");
    };
    let start = start + PROGRAM_MARKER.len();
    let rest = &window[start..];
    let end = rest.iter().position(|&b| b == 0)?;
    let name = std::str::from_utf8(&rest[..end]).ok()?;
    (!name.is_empty()).then_some(name)
}

/// Whether `bytes` is a BusyBox build: its banner and usage line are in every one.
fn is_real_busybox(bytes: &[u8]) -> bool {
    let has = |needle: &[u8]| memchr::memmem::find(bytes, needle).is_some();
    has(b"BusyBox v") && has(b"multi-call binary")
}

fn fill_marked(buf: &mut [u8], marker: &[u8], name: &str) {
    let head = minimum_size(name);
    assert!(
        buf.len() >= head,
        "{name}: a marked file needs at least {head} bytes"
    );
    buf[..MARKER_OFFSET].copy_from_slice(&elf_header());
    let mut at = MARKER_OFFSET;
    for part in [marker, name.as_bytes(), b"\0"] {
        buf[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }
    fill_filler(&mut buf[at..], name);
}

/// A 64-byte ELF64 little-endian x86-64 executable header (program headers omitted).
fn elf_header() -> [u8; MARKER_OFFSET] {
    let mut h = [0u8; MARKER_OFFSET];
    h[..16].copy_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    h[16..18].copy_from_slice(&3u16.to_le_bytes()); // ET_DYN, as PIE binaries are
    h[18..20].copy_from_slice(&0x3eu16.to_le_bytes()); // EM_X86_64
    h[20..24].copy_from_slice(&1u32.to_le_bytes()); // EV_CURRENT
    h[24..32].copy_from_slice(&0x1040u64.to_le_bytes()); // entry point
    h[32..40].copy_from_slice(&64u64.to_le_bytes()); // program header offset
    h[52..54].copy_from_slice(&64u16.to_le_bytes()); // header size
    h[54..56].copy_from_slice(&56u16.to_le_bytes()); // program header entry size
    h[58..60].copy_from_slice(&64u16.to_le_bytes()); // section header entry size
    h
}

/// A block of code-looking bytes derived from `seed` with a tiny xorshift generator:
/// deterministic, different per seed, and built in microseconds.
fn filler_block(seed: &str) -> [u8; FILLER_BLOCK] {
    // FNV-1a of the seed, never zero (xorshift would stay at zero).
    let mut state = seed.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) | 1;
    let mut block = [0u8; FILLER_BLOCK];
    for chunk in block.chunks_exact_mut(8) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        // Zero the high bytes now and then, as machine code and data tables are full of them.
        let word = if state & 0x30 == 0 {
            state & 0xffff
        } else {
            state
        };
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    block
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executable_has_elf_magic_marker_and_exact_size() {
        let bytes = executable("busybox", 100_000);
        assert_eq!(bytes.len(), 100_000);
        assert!(bytes.starts_with(b"\x7fELF\x02\x01\x01"));
        assert_eq!(identify(&bytes), Some("busybox"));
        let marker = b"docklab-program:busybox\0";
        let at = bytes
            .windows(marker.len())
            .position(|w| w == marker)
            .unwrap();
        assert!(at + marker.len() <= 256);
    }

    #[test]
    fn executable_is_deterministic_and_differs_per_program() {
        assert_eq!(executable("nginx", 50_000), executable("nginx", 50_000));
        assert_ne!(
            executable("nginx", 50_000)[200..],
            executable("hello", 50_000)[200..]
        );
    }

    #[test]
    fn tiny_sizes_still_carry_the_marker() {
        let bytes = executable("hello", 10);
        assert_eq!(identify(&bytes), Some("hello"));
    }

    #[test]
    fn identify_rejects_other_files() {
        assert_eq!(identify(b"#!/bin/sh\necho docklab-program:sh\0"), None);
        assert_eq!(identify(b""), None);
        let mut lib = Vec::new();
        write_library(&mut lib, "libc.so.6", 5000);
        assert_eq!(lib.len(), 5000);
        assert_eq!(identify(&lib), None);
        let mut late = elf_header().to_vec();
        late.resize(300, 0);
        late.extend_from_slice(b"docklab-program:late\0");
        assert_eq!(identify(&late), None);
    }

    #[test]
    fn a_payload_travels_inside_an_executable_of_the_size_asked() {
        let bytes = executable_with_payload("go-binary", b"package main", 2_100_000);
        assert_eq!(bytes.len(), 2_100_000);
        assert_eq!(identify(&bytes), Some("go-binary"));
        assert_eq!(payload(&bytes), Some(&b"package main"[..]));
        // A payload larger than the size asked for makes the file larger.
        let big = vec![7u8; 5000];
        let bytes = executable_with_payload("go-binary", &big, 100);
        assert_eq!(payload(&bytes), Some(&big[..]));
        // Plain executables, and truncated ones, carry none.
        assert_eq!(payload(&executable("go-binary", 5000)), None);
        let cut = executable_with_payload("go-binary", &big, 100);
        assert_eq!(payload(&cut[..200]), None);
    }

    #[test]
    fn filler_appends_exactly() {
        let mut out = vec![1, 2, 3];
        write_filler(&mut out, "x", 10_000);
        assert_eq!(out.len(), 10_003);
    }
}
