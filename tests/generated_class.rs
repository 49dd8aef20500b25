//! A generated class: 1,000 submissions made from the shipped suites' samples (each
//! suite's share cycling through its passing and failing samples), graded by the real
//! binary, must get the verdicts and points their samples expect; the one JSON report
//! of each suite is then rendered in every other format by `docklab grade merge`.

use docklab::app::grade::submission::write_from_samples;
use docklab::lesson::suite::parse_suite;
use std::process::Command;

const CLASS_SIZE: usize = 1000;

fn docklab(args: &[&str], dir: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_docklab"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("DOCKLAB_HOME", dir.join("home"))
        .output()
        .unwrap()
}

#[test]
fn a_generated_class_of_a_thousand_gets_the_verdicts_its_samples_expect() {
    let suites = docklab::lesson::shipped_suites();
    assert!(!suites.is_empty());
    let share = CLASS_SIZE.div_ceil(suites.len());
    let root = tempfile::tempdir().unwrap();
    let mut graded_total = 0;
    for (name, text) in suites {
        let suite = parse_suite(text, name).unwrap();
        let class = root.path().join(suite.suite.as_str());
        std::fs::create_dir_all(&class).unwrap();
        let count = share.min(CLASS_SIZE - graded_total);
        let expected = write_from_samples(&suite, &class, count).unwrap();
        let suite_file = format!("{}/checks/{name}", env!("CARGO_MANIFEST_DIR"));
        let report_file = root.path().join(format!("{}.json", suite.suite));
        let out = Command::new(env!("CARGO_BIN_EXE_docklab"))
            // A generous budget: the point is the verdicts, on a busy machine too.
            .args([
                "grade",
                "--timeout",
                "300",
                "--format",
                "json",
                "--suite",
                &suite_file,
                "-o",
            ])
            .arg(&report_file)
            .arg(&class)
            .env("NO_COLOR", "1")
            .env("DOCKLAB_HOME", root.path().join("home"))
            .output()
            .unwrap();
        let all_pass = expected
            .iter()
            .all(|(_, v, _)| *v == docklab::lesson::suite::Verdict::Pass);
        assert_eq!(
            out.status.code(),
            Some(if all_pass { 0 } else { 1 }),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&report_file).unwrap()).unwrap();
        let submissions = report["submissions"].as_array().unwrap();
        assert_eq!(submissions.len(), expected.len(), "{name}");
        let mut seen: Vec<(String, String, u64)> = submissions
            .iter()
            .map(|s| {
                (
                    s["id"].as_str().unwrap().to_string(),
                    s["verdict"].as_str().unwrap().to_string(),
                    s["points"].as_u64().unwrap(),
                )
            })
            .collect();
        seen.sort();
        let mut wanted: Vec<(String, String, u64)> = expected
            .iter()
            .map(|(id, v, p)| (id.clone(), v.as_str().to_string(), u64::from(*p)))
            .collect();
        wanted.sort();
        assert_eq!(seen, wanted, "{name}");
        // Every other format, from the same results.
        let report_arg = report_file.to_string_lossy().into_owned();
        for format in ["text", "junit", "tap", "classroom", "exercism"] {
            let out = docklab(
                &["grade", "merge", "--format", format, &report_arg],
                root.path(),
            );
            assert_eq!(
                out.status.code(),
                Some(if all_pass { 0 } else { 1 }),
                "{name} {format}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8(out.stdout).unwrap();
            let checks = suite.checks.len() * expected.len();
            // Each format read by its own ecosystem's parser or schema.
            match format {
                "junit" => {
                    let xml = roxmltree::Document::parse(&text)
                        .unwrap_or_else(|e| panic!("{name}: JUnit is not XML: {e}"));
                    let cases = xml
                        .descendants()
                        .filter(|n| n.has_tag_name("testcase"))
                        .count();
                    assert_eq!(cases, checks, "{name}");
                }
                "tap" => match super::grade::tap_py(&text) {
                    Ok(lines) => {
                        let tests = lines.iter().filter(|l| l["category"] == "test").count();
                        assert_eq!(tests, checks, "{name}");
                        assert!(lines.iter().all(|l| l["category"] != "unknown"), "{name}");
                    }
                    Err(why) => eprintln!("skipping the TAP parse: {why}"),
                },
                "classroom" | "exercism" => {
                    let schema = if format == "classroom" {
                        super::grade::classroom_schema()
                    } else {
                        super::grade::exercism_schema()
                    };
                    assert_eq!(text.lines().count(), expected.len(), "{name} {format}");
                    for line in text.lines() {
                        let object: serde_json::Value = serde_json::from_str(line).unwrap();
                        super::grade::assert_valid(&schema, &object, format);
                    }
                }
                _ => assert!(text.contains(&format!("{} submission(s)", expected.len()))),
            }
        }
        graded_total += expected.len();
    }
    assert_eq!(graded_total, CLASS_SIZE);
}
