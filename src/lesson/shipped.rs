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
    (
        "08-volumes-and-bind-mounts.yaml",
        include_str!("../../lessons/08-volumes-and-bind-mounts.yaml"),
    ),
    (
        "09-networks.yaml",
        include_str!("../../lessons/09-networks.yaml"),
    ),
    (
        "10-compose.yaml",
        include_str!("../../lessons/10-compose.yaml"),
    ),
    (
        "11-your-own-app.yaml",
        include_str!("../../lessons/11-your-own-app.yaml"),
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
    (
        "08-volumes-and-bind-mounts.yaml",
        include_str!("../../checks/08-volumes-and-bind-mounts.yaml"),
    ),
    (
        "09-networks.yaml",
        include_str!("../../checks/09-networks.yaml"),
    ),
    (
        "10-compose.yaml",
        include_str!("../../checks/10-compose.yaml"),
    ),
    (
        "11-your-own-app.yaml",
        include_str!("../../checks/11-your-own-app.yaml"),
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

/// A shipped lesson's number, the one `docklab start N` takes: the digits its file name
/// starts with (`11-your-own-app.yaml` is 11). The course has room for lessons to come,
/// so numbers need not be consecutive.
pub fn lesson_number(file: &str) -> usize {
    let digits: String = file.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap_or(0)
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

#[cfg(test)]
mod number_tests {
    use super::*;

    #[test]
    fn a_lesson_is_numbered_by_its_file_and_found_by_that_number() {
        assert_eq!(lesson_number("07-registries.yaml"), 7);
        assert_eq!(lesson_number("11-your-own-app.yaml"), 11);
        for (file, _) in shipped() {
            let n = lesson_number(file).to_string();
            assert_eq!(find_shipped(&n).map(|(f, _)| f), Some(*file), "start {n}");
        }
    }
}
