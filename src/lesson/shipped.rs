//! The lessons shipped inside the binary, so an installed docklab needs no data files.
//! `lessons/` is their source; `tests/lessons.rs` replays every one of them.

/// (file name, text), in course order.
const SHIPPED: &[(&str, &str)] = &[
    (
        "01-images-and-containers.yaml",
        include_str!("../../lessons/01-images-and-containers.yaml"),
    ),
    (
        "02-names-and-tags.yaml",
        include_str!("../../lessons/02-names-and-tags.yaml"),
    ),
    (
        "03-building-an-image.yaml",
        include_str!("../../lessons/03-building-an-image.yaml"),
    ),
    (
        "04-layers-and-the-build-cache.yaml",
        include_str!("../../lessons/04-layers-and-the-build-cache.yaml"),
    ),
    (
        "05-a-first-image-of-your-own.yaml",
        include_str!("../../lessons/05-a-first-image-of-your-own.yaml"),
    ),
    (
        "06-container-changes.yaml",
        include_str!("../../lessons/06-container-changes.yaml"),
    ),
    (
        "07-registries.yaml",
        include_str!("../../lessons/07-registries.yaml"),
    ),
];

/// The grading suites shipped with them (`checks/`): (file name, text).
const SHIPPED_SUITES: &[(&str, &str)] = &[
    (
        "01-images-and-containers.yaml",
        include_str!("../../checks/01-images-and-containers.yaml"),
    ),
    (
        "02-names-and-tags.yaml",
        include_str!("../../checks/02-names-and-tags.yaml"),
    ),
    (
        "03-building-an-image.yaml",
        include_str!("../../checks/03-building-an-image.yaml"),
    ),
    (
        "04-layers-and-the-build-cache.yaml",
        include_str!("../../checks/04-layers-and-the-build-cache.yaml"),
    ),
    (
        "05-a-first-image-of-your-own.yaml",
        include_str!("../../checks/05-a-first-image-of-your-own.yaml"),
    ),
    (
        "06-container-changes.yaml",
        include_str!("../../checks/06-container-changes.yaml"),
    ),
    (
        "07-registries.yaml",
        include_str!("../../checks/07-registries.yaml"),
    ),
    ("capstone.yaml", include_str!("../../checks/capstone.yaml")),
];

/// Every shipped grading suite: (file name, text).
pub fn shipped_suites() -> &'static [(&'static str, &'static str)] {
    SHIPPED_SUITES
}

/// Every shipped lesson: (file name, text).
pub fn shipped() -> &'static [(&'static str, &'static str)] {
    SHIPPED
}

/// A shipped lesson by its file name, its file name without `.yaml`, its number
/// (`1`, `01`) or the part of the name after the number (`images-and-containers`).
pub fn find_shipped(name: &str) -> Option<(&'static str, &'static str)> {
    let wanted = name.trim_end_matches(".yaml");
    SHIPPED.iter().copied().find(|(file, _)| {
        let stem = file.trim_end_matches(".yaml");
        let (number, slug) = stem.split_once('-').unwrap_or((stem, ""));
        stem == wanted
            || slug == wanted
            || number == wanted
            || number.trim_start_matches('0') == wanted.trim_start_matches('0')
                && wanted.chars().all(|c| c.is_ascii_digit())
                && !wanted.is_empty()
    })
}
