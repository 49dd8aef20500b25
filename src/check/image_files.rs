//! Reading one file out of an image, from what `docker save` returns: its layers applied
//! in order, with whiteouts (`.wh.name`) and opaque directories (`.wh..wh..opq`)
//! honoured. Reading, never running: a check must not create containers, since that
//! would change the state (and the generated names) the student sees next.

use std::collections::HashMap;
use std::io::Read;

/// A regular file found in an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFile {
    pub data: Vec<u8>,
    pub mode: u32,
}

/// Files larger than this are not read into a check.
const MAX_FILE: u64 = 16 << 20;

/// The regular files of an archive by path, as slices of it: a saved image holds its
/// layers whole, and copying them out would double what a check reads.
fn entries(archive: &[u8]) -> Result<HashMap<String, &[u8]>, String> {
    let mut files = HashMap::new();
    let mut tar = tar::Archive::new(std::io::Cursor::new(archive));
    for entry in tar.entries_with_seek().map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.header().entry_type() != tar::EntryType::Regular {
            continue;
        }
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let start = usize::try_from(entry.raw_file_position()).map_err(|e| e.to_string())?;
        let size = usize::try_from(entry.size()).map_err(|e| e.to_string())?;
        let data = start
            .checked_add(size)
            .and_then(|end| archive.get(start..end))
            .ok_or_else(|| format!("{path}: the archive ends inside it"))?;
        files.insert(path.trim_start_matches("./").to_string(), data);
    }
    Ok(files)
}

/// The file at absolute `path` in the first image of a `docker save` archive.
pub fn find(archive: &[u8], path: &str) -> Result<Option<ImageFile>, String> {
    let files = entries(archive)?;
    let manifest = files
        .get("manifest.json")
        .ok_or("the archive has no manifest.json")?;
    let manifest: serde_json::Value =
        serde_json::from_slice(manifest).map_err(|e| format!("manifest.json: {e}"))?;
    let layers: Vec<String> = manifest
        .get(0)
        .and_then(|m| m.get("Layers"))
        .and_then(|l| serde_json::from_value(l.clone()).ok())
        .unwrap_or_default();
    let target = path.trim_matches('/').to_string();
    let mut found = None;
    for layer_path in layers {
        let bytes = files
            .get(&layer_path)
            .ok_or_else(|| format!("the archive lacks {layer_path}"))?;
        let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(*bytes)
                .take(1 << 30)
                .read_to_end(&mut out)
                .map_err(|e| e.to_string())?;
            std::borrow::Cow::Owned(out)
        } else {
            std::borrow::Cow::Borrowed(*bytes)
        };
        apply_layer(&bytes, &target, &mut found)?;
    }
    Ok(found)
}

/// The file at absolute `path` in an image made of `layers` (uncompressed tars,
/// bottom first).
pub fn find_in_layers(
    layers: &[std::sync::Arc<[u8]>],
    path: &str,
) -> Result<Option<ImageFile>, String> {
    let target = path.trim_matches('/').to_string();
    let mut found = None;
    for layer in layers {
        apply_layer(layer, &target, &mut found)?;
    }
    Ok(found)
}

/// Applies one layer's effect on `target` to `found`.
fn apply_layer(layer: &[u8], target: &str, found: &mut Option<ImageFile>) -> Result<(), String> {
    let ancestors: Vec<&str> = target
        .match_indices('/')
        .map(|(i, _)| &target[..i])
        .collect();
    let mut tar = tar::Archive::new(std::io::Cursor::new(layer));
    for entry in tar.entries_with_seek().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let name = String::from_utf8_lossy(&entry.path_bytes())
            .trim_start_matches("./")
            .trim_end_matches('/')
            .to_string();
        let (dir, base) = name.rsplit_once('/').unwrap_or(("", name.as_str()));
        if base == ".wh..wh..opq" {
            if ancestors.contains(&dir) {
                *found = None;
            }
            continue;
        }
        if let Some(hidden) = base.strip_prefix(".wh.") {
            let gone = if dir.is_empty() {
                hidden.to_string()
            } else {
                format!("{dir}/{hidden}")
            };
            if gone == target || ancestors.contains(&gone.as_str()) {
                *found = None;
            }
            continue;
        }
        if name == target {
            let header = entry.header();
            if header.entry_type() != tar::EntryType::Regular
                || header.size().unwrap_or(0) > MAX_FILE
            {
                *found = None;
                continue;
            }
            let mode = header.mode().unwrap_or(0o644);
            let mut data = Vec::new();
            entry.read_to_end(&mut data).map_err(|e| e.to_string())?;
            *found = Some(ImageFile { data, mode });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut header = tar::Header::new_ustar();
            header.set_size(data.len() as u64);
            header.set_mode(0o755);
            header.set_entry_type(tar::EntryType::Regular);
            builder.append_data(&mut header, name, *data).unwrap();
        }
        builder.into_inner().unwrap()
    }

    fn saved(layers: &[Vec<u8>]) -> Vec<u8> {
        let names: Vec<String> = (0..layers.len()).map(|i| format!("blobs/{i}")).collect();
        let manifest = serde_json::json!([{ "Layers": names }]).to_string();
        let mut entries: Vec<(&str, &[u8])> = vec![("manifest.json", manifest.as_bytes())];
        for (name, layer) in names.iter().zip(layers) {
            entries.push((name, layer));
        }
        tar_of(&entries)
    }

    #[test]
    fn the_top_layer_wins_and_whiteouts_remove() {
        let base = tar_of(&[("app/a.txt", b"one"), ("app/b.txt", b"two")]);
        let over = tar_of(&[("app/a.txt", b"three"), ("app/.wh.b.txt", b"")]);
        let archive = saved(&[base, over]);
        let a = find(&archive, "/app/a.txt").unwrap().unwrap();
        assert_eq!(a.data, b"three");
        assert_eq!(a.mode, 0o755);
        assert_eq!(find(&archive, "/app/b.txt").unwrap(), None);
        assert_eq!(find(&archive, "/nowhere").unwrap(), None);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(find(b"not a tar at all", "/x").is_err());
    }
}
