//! The dependency rules of DESIGN.md, checked on the source text: the engine knows
//! nothing above it, and the CLI reaches engines only through `trait Backend`.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

fn offences(dir: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let pattern = regex::Regex::new(&format!(
        r"\b(?:crate|super)(?:::super)*::(?:{})\b|\buse\s+(?:{})\b",
        forbidden.join("|"),
        forbidden.join("|"),
    ))
    .unwrap();
    let mut found = Vec::new();
    for file in rust_files(&root) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if pattern.is_match(code) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn the_engine_imports_nothing_from_the_layers_above_it() {
    let found = offences(
        "src/engine",
        &[
            "app",
            "cli",
            "backend",
            "lesson",
            "check",
            "grade",
            "clap",
            "rustyline",
            "owo_colors",
            "bollard",
        ],
    );
    assert!(
        found.is_empty(),
        "the engine reaches upwards:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_cli_sees_engines_only_through_backend() {
    let found = offences("src/cli", &["app", "rustyline"]);
    assert!(
        found.is_empty(),
        "the CLI reaches upwards:\n{}",
        found.join("\n")
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cli");
    let engine_type =
        regex::Regex::new(r"engine::(Engine|EngineOptions)\b|backend::embedded").unwrap();
    for file in rust_files(&root) {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !engine_type.is_match(&text),
            "{} names the embedded engine instead of trait Backend",
            file.display()
        );
    }
}

#[test]
fn the_checker_notices_an_offence() {
    // A rule that cannot fail proves nothing: the same scan over the app, which may use
    // the CLI, must find it doing so.
    assert!(!offences("src/app", &["cli"]).is_empty());
}

#[test]
fn checks_see_engines_only_through_backend() {
    let found = offences(
        "src/check",
        &["app", "lesson", "cli", "rustyline", "bollard"],
    );
    assert!(
        found.is_empty(),
        "the checks reach upwards:\n{}",
        found.join("\n")
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/check");
    let engine_type =
        regex::Regex::new(r"engine::(Engine|EngineOptions)\b|backend::(embedded|docker)").unwrap();
    for file in rust_files(&root) {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !engine_type.is_match(&text),
            "{} names an engine instead of trait Backend",
            file.display()
        );
    }
}

#[test]
fn lessons_are_data_that_run_nothing() {
    let found = offences(
        "src/lesson",
        &["app", "cli", "backend", "engine", "rustyline"],
    );
    assert!(
        found.is_empty(),
        "the lesson format reaches into what runs lessons:\n{}",
        found.join("\n")
    );
}
