use super::*;
use std::path::{Path, PathBuf};

fn data_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/dockerfile")
        .join(kind)
}

fn cases(kind: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(data_dir(kind))
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.join("Dockerfile").is_file());
    v.sort();
    v
}

fn check(dir: &Path, file: &str, actual: &str, failures: &mut Vec<String>) {
    let path = dir.join(file);
    let bless = std::env::var("DOCKLAB_BLESS").is_ok_and(|v| v == "1");
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        if bless {
            std::fs::write(&path, actual).expect("write expected file");
        } else {
            failures.push(format!(
                "{}\n--- expected\n{expected}\n--- actual\n{actual}",
                path.display()
            ));
        }
    }
}

#[test]
fn golden_cases() {
    let dirs = cases("golden");
    assert!(dirs.len() >= 40, "only {} golden cases", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let text = std::fs::read_to_string(dir.join("Dockerfile")).expect("read Dockerfile");
        let actual = match parse(&text) {
            Ok(df) => dump(&df),
            Err(e) => format!("unexpected error: {e}\n"),
        };
        check(dir, "expected.txt", &actual, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn negative_cases() {
    let dirs = cases("negative");
    assert!(dirs.len() >= 20, "only {} negative cases", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let text = std::fs::read_to_string(dir.join("Dockerfile")).expect("read Dockerfile");
        let actual = match parse(&text) {
            Ok(df) => format!("parsed without error:\n{}", dump(&df)),
            Err(e) => format!("{e}\n"),
        };
        if actual.starts_with("parsed without error") {
            failures.push(format!("{} must fail\n{actual}", dir.display()));
            continue;
        }
        check(dir, "error.txt", &actual, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn expansion_forms() {
    let env = |k: &str| match k {
        "A" => Some("a".to_string()),
        "E" => Some(String::new()),
        _ => None,
    };
    let x = |w: &str| expand(w, &env).map_err(|e| e.to_string());
    assert_eq!(x("$A-${A}b").unwrap(), "a-ab");
    assert_eq!(x("${Z:-d}${E:-d}${E-d}${Z-d}").unwrap(), "ddd");
    assert_eq!(x("${A:+p}${E:+p}${E+p}${Z+p}").unwrap(), "pp");
    assert_eq!(x(r#"'$A' "$A" \$A"#).unwrap(), "$A a $A");
    assert_eq!(
        x("${x").unwrap_err(),
        r#"failed to process "${x": missing ':' in substitution"#
    );
    assert_eq!(
        x("${Z:?oops}").unwrap_err(),
        r#"failed to process "${Z:?oops}": Z: oops"#
    );
    assert_eq!(
        x("${Z?}").unwrap_err(),
        r#"failed to process "${Z?}": Z: is not allowed to be unset"#
    );
    assert_eq!(
        x("${}").unwrap_err(),
        r#"failed to process "${}": syntax error: bad substitution"#
    );
    assert_eq!(
        x("\"/q").unwrap_err(),
        r#"failed to process "\"/q": unexpected end of statement while looking for matching double-quote"#
    );
    assert_eq!(expand_with_escape("`$A", '`', &env).unwrap(), "$A");
}

#[test]
fn dockerignore_semantics() {
    let ig = DockerIgnore::parse(
        "# comment\n/node_modules\n./build/\n**/*.log\n!keep.log\ndocs\n!docs/README.md\n*.tmp\n",
    );
    assert_eq!(
        ig.patterns(),
        vec![
            "node_modules",
            "build",
            "**/*.log",
            "!keep.log",
            "docs",
            "!docs/README.md",
            "*.tmp"
        ]
    );
    assert!(ig.ignored("node_modules"));
    assert!(ig.ignored("node_modules/x/y.js"));
    assert!(ig.ignored("build/out.bin"));
    assert!(ig.ignored("a.log"));
    assert!(ig.ignored("deep/dir/a.log"));
    assert!(!ig.ignored("keep.log"));
    assert!(ig.ignored("docs/guide.md"));
    assert!(!ig.ignored("docs/README.md"));
    assert!(ig.ignored("x.tmp"));
    assert!(!ig.ignored("sub/x.tmp"));
    assert!(!ig.ignored("src/main.rs"));
    assert!(!ig.ignored("Dockerfile"));
}

#[test]
fn step_text_and_counts() {
    let df = parse("# syntax=docker/dockerfile:1\nARG V=3.13\n# c\nFROM alpine:$V\nRUN apk add \\\n  nmap\nCMD [\"nmap\"]\n").unwrap();
    assert_eq!(df.step_count(), 4);
    let run = &df.stages[0].instructions[0];
    assert_eq!(run.original, "RUN apk add   nmap");
    assert_eq!((run.line, run.end_line), (5, 6));
}

proptest::proptest! {
    #[test]
    fn parsing_never_panics(text in "(?s).{0,400}") {
        let _ = parse(&text);
    }

    #[test]
    fn parsing_dockerfile_like_text_never_panics(
        lines in proptest::collection::vec(
            "(FROM|RUN|COPY|ENV|ARG|LABEL|ONBUILD|HEALTHCHECK|SHELL|# escape=|  )[ a-z\\[\\]\"'=$\\{\\}:<\\-\\\\`]{0,30}",
            0..12,
        )
    ) {
        let text = lines.join("\n");
        if let Ok(df) = parse(&text) {
            let _ = dump(&df);
        }
        let ig = DockerIgnore::parse(&text);
        let _ = ig.ignored("a/b/c");
    }
}

#[test]
#[ignore = "timing; run with --release -- --ignored"]
#[allow(clippy::print_stderr)]
fn thousand_lines_parse_fast() {
    let mut text = String::from("FROM alpine:3.13 AS base\n");
    for i in 0..999 {
        text.push_str(match i % 5 {
            0 => "RUN apk add --no-cache curl && echo \"done $HOME\"\n",
            1 => "ENV A=1 B=\"two words\" C=${A:-x}\n",
            2 => "COPY --chown=1000:1000 src/ /usr/src/app/\n",
            3 => "LABEL org.example.k=\"v\" other=x\n",
            _ => "CMD [\"sh\", \"-c\", \"echo hi\"]\n",
        });
    }
    let start = std::time::Instant::now();
    let runs = 20;
    for _ in 0..runs {
        let df = parse(&text).expect("parses");
        assert_eq!(df.step_count(), 1000);
    }
    let per = start.elapsed() / runs;
    eprintln!("1000-line Dockerfile: {per:?} per parse");
    assert!(per.as_millis() <= 5, "{per:?}");
}
