//! Placeholder (replaced by the hub's program markers).
pub fn identify(bytes: &[u8]) -> Option<&str> {
    let marker = b"docklab-program:";
    let start = bytes.windows(marker.len()).position(|w| w == marker)? + marker.len();
    let end = bytes[start..].iter().position(|&b| b == 0)? + start;
    std::str::from_utf8(&bytes[start..end]).ok()
}
