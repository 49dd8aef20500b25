//! `docklab grade` as graders and their tools meet it: every report format read back by
//! a parser of its own ecosystem (an XML parser for JUnit, tap.py for TAP 13, JSON
//! Schemas written from Exercism's and GitHub Classroom's documented fields), the exit
//! codes, reports that depend neither on workers, argument order nor shards, hostile
//! submissions, and `docklab submit`'s bundles graded back.
//!
//! Each test grades in a temporary directory of its own, given as the current one, so
//! submission ids and the suite's name are the relative paths a grader would type, and
//! reports are the same on every machine.

use docklab::app::grade::bundle::Bundle;
use docklab::check::TranscriptEntry;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const CLOCK: &str = "2026-03-01T12:00:00Z";

/// A suite that grades in milliseconds: alpine pulled at the start, checks on the
/// transcript, the image store and the containers. The first check's name carries the
/// characters XML escapes.
const SMALL_SUITE: &str = r#"format: 1
suite: small
title: Hello from alpine
start:
  images: [alpine]
limits:
  commands: 6
checks:
  - name: says "hello" & <waves>
    check:
      command_ran: '^echo hello'
  - name: alpine is there
    points: 2
    check:
      image_exists: alpine
  - name: an alpine container ran to its end
    check:
      container: { image: alpine, state: exited }
"#;

/// Every check of [`SMALL_SUITE`] holds.
const PASSING: &str = "echo hello\ndocker run alpine true\n";
/// Two checks fail; one explanation names the container, a generated name.
const FAILING: &str = "echo bye\ndocker run -d alpine sleep 1000\n";
/// Not a script at all: an ELF header.
const GARBAGE: &[u8] = &[0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0xff, 0xfe, 0, 0, 0x80];

/// A grader's working directory with a `DOCKLAB_HOME` of its own.
struct Desk {
    dir: tempfile::TempDir,
}

/// What one run of the binary left.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Stdout as one JSON value.
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }

    /// Stdout as JSON Lines, or as one pretty object when that is all there is.
    fn json_objects(&self) -> Vec<Value> {
        if self.stdout.starts_with("{\n") {
            return vec![self.json()];
        }
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}

impl Desk {
    fn new() -> Desk {
        Desk {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file under the desk, making its folders.
    fn write(&self, path: &str, bytes: impl AsRef<[u8]>) -> &Desk {
        let target = self.path().join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
        self
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path().join(path)).unwrap()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_docklab"));
        command
            .args(args)
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .env("DOCKLAB_HOME", self.path().join("home"))
            .env_remove("DOCKLAB_STATE")
            .env_remove("DOCKLAB_SEED")
            .env_remove("DOCKLAB_CLOCK")
            .stdin(Stdio::null());
        command
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_all(&[args.to_vec()]).remove(0)
    }

    /// Runs every command line side by side; results in the same order.
    fn run_all(&self, runs: &[Vec<&str>]) -> Vec<Run> {
        let children: Vec<_> = runs
            .iter()
            .map(|args| {
                self.command(args)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        children
            .into_iter()
            .map(|child| {
                let out = child.wait_with_output().unwrap();
                let run = Run {
                    code: out.status.code().unwrap_or(-1),
                    stdout: String::from_utf8(out.stdout).unwrap(),
                    stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                };
                assert!(
                    !run.stderr.contains("panicked"),
                    "docklab panicked: {}",
                    run.stderr
                );
                run
            })
            .collect()
    }
}

/// `docklab grade --suite SUITE ARGS...`.
fn grade<'a>(suite: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["grade", "--suite", suite];
    all.extend_from_slice(args);
    all
}

/// A desk with the small suite and a passing, a failing and an unreadable script.
fn small_desk() -> Desk {
    let desk = Desk::new();
    desk.write("small.yaml", SMALL_SUITE)
        .write("pass.sh", PASSING)
        .write("fail.sh", FAILING)
        .write("garbage.sh", GARBAGE);
    desk
}

/// A bundle of `commands` (each as having exited 0) with no workspace files.
fn bundle_text(lesson: &str, commands: &[&str]) -> String {
    let transcript: Vec<TranscriptEntry> = commands
        .iter()
        .map(|c| TranscriptEntry {
            command: c.to_string(),
            exit_code: 0,
            ..Default::default()
        })
        .collect();
    let empty = tempfile::tempdir().unwrap();
    let bundle = Bundle::new(lesson, CLOCK, &transcript, empty.path()).unwrap();
    serde_json::to_string_pretty(&bundle).unwrap() + "\n"
}

/// Asserts that `instance` is valid against `schema`, listing every violation.
pub(super) fn assert_valid(schema: &Value, instance: &Value, what: &str) {
    let validator = jsonschema::validator_for(schema).unwrap_or_else(|e| panic!("schema: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} breaks its schema:\n{}\n{instance:#}",
        errors.join("\n")
    );
}

fn as_str(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("{value} is not a string"))
}

/// The text report's verdict lines: (mark, id, points).
fn verdict_lines(report: &str) -> Vec<(&str, &str, &str)> {
    report
        .lines()
        .filter(|l| {
            ["PASS ", "FAIL ", "ERROR "]
                .iter()
                .any(|m| l.starts_with(m))
        })
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(words.len(), 3, "{l}");
            (words[0], words[1], words[2])
        })
        .collect()
}

/// The 1-based line of SUITE's `- name: NAME` item.
fn item_line(suite: &str, name: &str) -> u64 {
    let at = suite
        .lines()
        .position(|l| l.trim_start() == format!("- name: {name}"))
        .unwrap_or_else(|| panic!("no item {name}"));
    at as u64 + 1
}

#[test]
fn junit_reads_as_xml_a_testsuite_a_submission_and_a_testcase_a_check() {
    let desk = small_desk();
    let odd = r#"it's <mine> & "yours".sh"#;
    desk.write(odd, PASSING);
    let submissions = ["pass.sh", "fail.sh", "garbage.sh", odd];
    let [junit, report] = <[Run; 2]>::try_from(desk.run_all(&[
        grade(
            "small.yaml",
            &[&["--format", "junit"], &submissions[..]].concat(),
        ),
        grade(
            "small.yaml",
            &[&["--format", "json"], &submissions[..]].concat(),
        ),
    ]))
    .unwrap();
    assert_eq!(junit.code, 1, "{}", junit.stderr);
    let report = report.json();
    let doc = roxmltree::Document::parse(&junit.stdout)
        .unwrap_or_else(|e| panic!("not XML: {e}\n{}", junit.stdout));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let attr = |node: roxmltree::Node, name: &str| -> String {
        node.attribute(name)
            .unwrap_or_else(|| panic!("<{}> has no {name}", node.tag_name().name()))
            .to_string()
    };
    let children = |node: roxmltree::Node<'_, '_>, tag: &str| -> usize {
        node.children().filter(|c| c.has_tag_name(tag)).count()
    };

    let suites: Vec<roxmltree::Node> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let graded = report["submissions"].as_array().unwrap();
    let names: Vec<&str> = report["suite"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| as_str(&c["name"]))
        .collect();
    assert_eq!(names[0], r#"says "hello" & <waves>"#);
    assert_eq!(suites.len(), 4);
    assert_eq!(suites.len(), graded.len());
    let (mut all_failures, mut all_errors) = (0, 0);
    for (suite, submission) in suites.iter().zip(graded) {
        let id = as_str(&submission["id"]);
        assert_eq!(attr(*suite, "name"), id);
        let cases: Vec<roxmltree::Node> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let case_names: Vec<String> = cases.iter().map(|c| attr(*c, "name")).collect();
        assert_eq!(case_names, names, "{id}");
        assert_eq!(attr(*suite, "tests"), cases.len().to_string());
        let checks = submission["checks"].as_array().unwrap();
        let ungradable = submission["verdict"] == "error";
        let (mut failures, mut errors) = (0, 0);
        for (case, check) in cases.iter().zip(checks) {
            let failure = case.children().find(|c| c.has_tag_name("failure"));
            let error = case.children().find(|c| c.has_tag_name("error"));
            if ungradable {
                let error = error.unwrap_or_else(|| panic!("{id}: no <error>"));
                assert_eq!(attr(error, "message"), as_str(&submission["reason"]));
                assert!(failure.is_none(), "{id}");
                errors += 1;
            } else if check["passed"] == true {
                assert!(failure.is_none() && error.is_none(), "{id}");
            } else {
                let failure = failure.unwrap_or_else(|| panic!("{id}: no <failure>"));
                assert_eq!(attr(failure, "message"), as_str(&check["message"]));
                assert!(
                    failure
                        .text()
                        .unwrap_or_default()
                        .starts_with(as_str(&check["message"])),
                    "{id}"
                );
                assert!(error.is_none(), "{id}");
                failures += 1;
            }
        }
        assert_eq!(attr(*suite, "failures"), failures.to_string(), "{id}");
        assert_eq!(attr(*suite, "errors"), errors.to_string(), "{id}");
        let properties = suite
            .children()
            .find(|n| n.has_tag_name("properties"))
            .unwrap();
        let verdict = properties
            .children()
            .find(|p| p.attribute("name") == Some("verdict"))
            .unwrap();
        assert_eq!(attr(verdict, "value"), as_str(&submission["verdict"]));
        assert_eq!(
            children(*suite, "system-err"),
            usize::from(submission.get("reason").is_some())
        );
        all_failures += failures;
        all_errors += errors;
    }
    let by_id = |id: &str| {
        suites
            .iter()
            .find(|s| s.attribute("name") == Some(id))
            .copied()
            .unwrap()
    };
    assert_eq!(attr(by_id("fail.sh"), "failures"), "2");
    assert_eq!(attr(by_id("garbage.sh"), "errors"), "3");
    assert_eq!(attr(by_id("pass.sh"), "failures"), "0");
    assert_eq!(attr(by_id(odd), "failures"), "0");
    assert_eq!(attr(root, "tests"), "12");
    assert_eq!(attr(root, "failures"), all_failures.to_string());
    assert_eq!(attr(root, "errors"), all_errors.to_string());
}

/// Reads TAP on stdin with tap.py and prints each line as JSON.
const TAP_PY: &str = r#"
import json, sys
import tap.parser
if not tap.parser.ENABLE_VERSION_13:
    print("SKIP: tap.py reads no TAP 13 YAML blocks without PyYAML and more-itertools (pip install 'tap.py[yaml]')")
    sys.exit(0)
lines = []
for line in tap.parser.Parser().parse_text(sys.stdin.read()):
    entry = {"category": line.category}
    if line.category == "test":
        entry.update(ok=line.ok, number=line.number, description=line.description,
                     todo=line.todo, skip=line.skip, yaml=line.yaml_block)
    elif line.category == "plan":
        entry.update(expected=line.expected_tests)
    elif line.category == "version":
        entry.update(version=line.version)
    lines.append(entry)
print(json.dumps(lines))
"#;

/// `text` as tap.py parses it, or why it cannot.
pub(super) fn tap_py(text: &str) -> Result<Vec<Value>, String> {
    let probe = Command::new("python3")
        .args(["-c", "import tap.parser"])
        .output()
        .map_err(|e| format!("no python3 ({e})"))?;
    if !probe.status.success() {
        return Err("tap.py is not installed (pip install 'tap.py[yaml]')".to_string());
    }
    let mut child = Command::new("python3")
        .args(["-c", TAP_PY])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "tap.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    if let Some(reason) = stdout.strip_prefix("SKIP: ") {
        return Err(reason.trim().to_string());
    }
    Ok(serde_json::from_str(&stdout).unwrap())
}

#[test]
fn tap_reads_as_tap_13_to_tap_py() {
    // tap_parser, the Rust crate, reads TAP 14 only (it refuses "TAP version 13"), and
    // testanything writes TAP: Python's tap.py is the maintained TAP 13 consumer.
    let desk = small_desk();
    let submissions = ["pass.sh", "fail.sh", "garbage.sh"];
    let [tap, report] = <[Run; 2]>::try_from(desk.run_all(&[
        grade(
            "small.yaml",
            &[&["--format", "tap"], &submissions[..]].concat(),
        ),
        grade(
            "small.yaml",
            &[&["--format", "json"], &submissions[..]].concat(),
        ),
    ]))
    .unwrap();
    assert_eq!(tap.code, 1, "{}", tap.stderr);
    assert!(tap.stdout.starts_with("TAP version 13\n"), "{}", tap.stdout);
    let lines = match tap_py(&tap.stdout) {
        Ok(lines) => lines,
        Err(reason) => {
            eprintln!("skipped tap_reads_as_tap_13_to_tap_py: {reason}");
            return;
        }
    };
    let report = report.json();
    let category = |l: &Value| as_str(&l["category"]).to_string();
    assert_eq!(category(&lines[0]), "version");
    assert_eq!(lines[0]["version"], 13);
    assert_eq!(category(&lines[1]), "plan");
    let tests: Vec<&Value> = lines.iter().filter(|l| category(l) == "test").collect();
    assert_eq!(
        lines.len(),
        tests.len() + 2,
        "tap.py read lines it does not know: {lines:#?}"
    );
    assert_eq!(lines[1]["expected"], tests.len());
    let expected: Vec<(&Value, &Value)> = report["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["checks"].as_array().unwrap().iter().map(move |c| (s, c)))
        .collect();
    assert_eq!(tests.len(), 9);
    assert_eq!(tests.len(), expected.len());
    for (n, (test, (submission, check))) in tests.iter().zip(&expected).enumerate() {
        let ungradable = submission["verdict"] == "error";
        let ok = check["passed"] == true && !ungradable;
        assert_eq!(test["number"], n + 1);
        assert_eq!(test["ok"], ok, "{test}");
        assert_eq!(test["todo"], false, "{test}");
        assert_eq!(test["skip"], false, "{test}");
        assert_eq!(
            as_str(&test["description"]),
            format!(
                "- {}: {} ({}/{})",
                as_str(&submission["id"]),
                as_str(&check["name"]),
                check["points"],
                check["max_points"]
            )
        );
        if ok {
            assert!(test["yaml"].is_null(), "{test}");
            continue;
        }
        let yaml = &test["yaml"];
        assert!(yaml.is_object(), "no readable YAML block: {test}");
        assert_eq!(yaml["message"], check["message"]);
        assert_eq!(yaml["severity"], if ungradable { "error" } else { "fail" });
        assert_eq!(yaml["points"], check["points"]);
        assert_eq!(yaml["max_points"], check["max_points"]);
        assert_eq!(
            yaml.get("reason"),
            submission.get("reason"),
            "{}",
            submission["id"]
        );
    }
    let failing = tests.iter().filter(|t| t["ok"] == false).count();
    assert_eq!(failing, 2 + 3);
}

/// Exercism's results.json, version 3, as its test runner interface documents it.
pub(super) fn exercism_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Exercism test runner results.json, version 3",
        "type": "object",
        "required": ["version", "status", "tests"],
        "additionalProperties": false,
        "properties": {
            "version": { "const": 3 },
            "status": { "enum": ["pass", "fail", "error"] },
            "message": { "type": ["string", "null"] },
            "tests": { "type": "array", "items": { "$ref": "#/$defs/test" } }
        },
        // The top-level message is what a student reads when no test ran cleanly;
        // otherwise it is null or absent.
        "if": { "properties": { "status": { "const": "error" } } },
        "then": {
            "required": ["message"],
            "properties": { "message": { "type": "string", "minLength": 1 } }
        },
        "else": { "properties": { "message": { "type": "null" } } },
        "$defs": {
            "test": {
                "type": "object",
                "required": ["name", "status", "test_code"],
                "additionalProperties": false,
                "properties": {
                    "name": { "type": "string", "minLength": 1 },
                    "status": { "enum": ["pass", "fail", "error"] },
                    "message": { "type": ["string", "null"] },
                    "output": { "type": ["string", "null"], "maxLength": 500 },
                    "test_code": { "type": "string" },
                    "task_id": { "type": "integer", "minimum": 1 }
                }
            }
        }
    })
}

/// The statuses agree: pass when every test passes, fail when one fails.
fn assert_exercism_consistent(results: &Value) {
    let tests = results["tests"].as_array().unwrap();
    let statuses: Vec<&str> = tests.iter().map(|t| as_str(&t["status"])).collect();
    match as_str(&results["status"]) {
        "pass" => assert!(statuses.iter().all(|s| *s == "pass"), "{results:#}"),
        "fail" => assert!(statuses.iter().any(|s| *s != "pass"), "{results:#}"),
        _ => {}
    }
    for test in tests {
        if test["status"] != "pass" {
            assert!(
                test["message"].as_str().is_some_and(|m| !m.is_empty()),
                "a failed test says nothing: {test}"
            );
        }
    }
}

#[test]
fn exercism_results_follow_the_test_runner_interface() {
    let desk = small_desk();
    desk.write(
        "stopped.sh",
        format!("{PASSING}while true; do :; done\n").as_bytes(),
    );
    let [several, stopped, report] = <[Run; 3]>::try_from(desk.run_all(&[
        grade(
            "small.yaml",
            &["--format", "exercism", "pass.sh", "fail.sh", "garbage.sh"],
        ),
        grade(
            "small.yaml",
            &["--format", "exercism", "--timeout", "1", "stopped.sh"],
        ),
        grade("small.yaml", &["--format", "json", "pass.sh"]),
    ]))
    .unwrap();
    let schema = exercism_schema();
    let objects = several.json_objects();
    assert_eq!(objects.len(), 3, "one object a line:\n{}", several.stdout);
    let suite = &report.json()["suite"];
    for results in &objects {
        assert_valid(&schema, results, "results.json");
        assert_exercism_consistent(results);
        if results["status"] == "error" {
            continue;
        }
        // In the suite's order, each with the check as the suite writes it.
        for (test, info) in results["tests"]
            .as_array()
            .unwrap()
            .iter()
            .zip(suite["checks"].as_array().unwrap())
        {
            assert_eq!(test["name"], info["name"]);
            assert_eq!(test["test_code"], info["code"]);
        }
    }
    let statuses: Vec<&str> = objects.iter().map(|o| as_str(&o["status"])).collect();
    assert_eq!(statuses, ["fail", "error", "pass"]);
    assert!(as_str(&objects[1]["message"]).contains("not UTF-8"));
    assert_eq!(objects[0]["tests"][0]["status"], "fail");
    assert_eq!(
        objects[0]["tests"][0]["message"],
        "no successful command matches /^echo hello/; the exercise wants one"
    );

    // One submission: one pretty object. Stopped by its budget, it did not run
    // cleanly, whatever its checks say of the state it reached.
    assert!(stopped.stdout.starts_with("{\n"), "{}", stopped.stdout);
    let results = stopped.json();
    assert_valid(&schema, &results, "results.json of a stopped replay");
    assert_exercism_consistent(&results);
    assert_eq!(results["status"], "error", "{results:#}");
    assert!(
        as_str(&results["message"]).contains("time budget"),
        "{results:#}"
    );
}

/// GitHub Classroom's autograding result, as its grading reporter reads it from a
/// runner's output: it sums `score` over `tests` against `max_score`.
pub(super) fn classroom_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "GitHub Classroom autograding runner result",
        "type": "object",
        "required": ["version", "status", "max_score", "tests"],
        "additionalProperties": false,
        "properties": {
            "version": { "const": 1 },
            "status": { "enum": ["pass", "fail", "error"] },
            "max_score": { "type": "integer", "minimum": 0 },
            "tests": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["name", "status", "score", "message", "test_code", "filename", "line_no"],
                    "additionalProperties": false,
                    "properties": {
                        "name": { "type": "string", "minLength": 1 },
                        "status": { "enum": ["pass", "fail", "error"] },
                        "score": { "type": "number", "minimum": 0 },
                        "message": { "type": ["string", "null"] },
                        "test_code": { "type": "string" },
                        "filename": { "type": "string" },
                        "line_no": { "type": "integer", "minimum": 0 }
                    }
                }
            }
        }
    })
}

#[test]
fn classroom_results_sum_to_the_points_graded() {
    let desk = small_desk();
    let submissions = ["pass.sh", "fail.sh", "garbage.sh"];
    let [classroom, report] = <[Run; 2]>::try_from(desk.run_all(&[
        grade(
            "small.yaml",
            &[&["--format", "classroom"], &submissions[..]].concat(),
        ),
        grade(
            "small.yaml",
            &[&["--format", "json"], &submissions[..]].concat(),
        ),
    ]))
    .unwrap();
    assert_eq!(classroom.code, 1);
    let report = report.json();
    let schema = classroom_schema();
    let objects = classroom.json_objects();
    let graded = report["submissions"].as_array().unwrap();
    assert_eq!(objects.len(), graded.len());
    let infos = report["suite"]["checks"].as_array().unwrap();
    for (result, submission) in objects.iter().zip(graded) {
        assert_valid(&schema, result, "the classroom result");
        let tests = result["tests"].as_array().unwrap();
        // What the reporter does: the total is the sum of the scores.
        let total: f64 = tests.iter().map(|t| t["score"].as_f64().unwrap()).sum();
        assert_eq!(total, submission["points"].as_f64().unwrap());
        assert_eq!(result["max_score"], submission["max_points"]);
        assert_eq!(result["status"], submission["verdict"]);
        for ((test, info), check) in tests
            .iter()
            .zip(infos)
            .zip(submission["checks"].as_array().unwrap())
        {
            assert_eq!(test["name"], info["name"]);
            assert_eq!(test["test_code"], info["code"]);
            assert_eq!(test["filename"], "small.yaml");
            assert_eq!(
                test["line_no"],
                item_line(SMALL_SUITE, as_str(&info["name"]))
            );
            let passed = check["passed"] == true;
            let score = if passed {
                info["points"].clone()
            } else {
                json!(0)
            };
            assert_eq!(test["score"], score);
            assert_eq!(test["message"].is_null(), passed, "{test}");
        }
    }
    let statuses: Vec<&str> = objects.iter().map(|o| as_str(&o["status"])).collect();
    assert_eq!(statuses, ["fail", "error", "pass"]);
    assert_eq!(objects[2]["tests"].as_array().unwrap().len(), 3);
    assert_eq!(objects[1]["tests"][0]["status"], "error");
}

#[test]
fn the_json_report_holds_the_suite_and_every_grade() {
    use sha2::Digest as _;
    let desk = small_desk();
    desk.write(
        "erin.json",
        bundle_text("small", &["echo hello", "docker run alpine true"]),
    )
    .write("carol/commands.sh", FAILING);
    let run = desk.run(&grade(
        "small.yaml",
        &[
            "--format",
            "json",
            "pass.sh",
            "garbage.sh",
            "fail.sh",
            "erin.json",
            "carol",
        ],
    ));
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["format"], "docklab-grade");
    assert_eq!(report["version"], 1);
    assert!(report.get("shard").is_none());
    let suite = &report["suite"];
    assert_eq!(suite["id"], "small");
    assert_eq!(suite["title"], "Hello from alpine");
    assert_eq!(suite["file"], "small.yaml");
    assert_eq!(
        suite["sha256"],
        hex::encode(sha2::Sha256::digest(SMALL_SUITE.as_bytes()))
    );
    assert_eq!(suite["max_points"], 4);
    assert_eq!(suite["pass_points"], 4);
    let infos: Vec<(String, u64, u64)> = suite["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                as_str(&c["name"]).to_string(),
                c["points"].as_u64().unwrap(),
                c["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, u64, u64)> = [
        (r#"says "hello" & <waves>"#, 1),
        ("alpine is there", 2),
        ("an alpine container ran to its end", 1),
    ]
    .iter()
    .map(|(n, p)| (n.to_string(), *p, item_line(SMALL_SUITE, n)))
    .collect();
    assert_eq!(infos, want);
    assert_eq!(suite["checks"][1]["code"], "image_exists: alpine\n");

    let graded = report["submissions"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str, u64, u64)> = graded
        .iter()
        .map(|s| {
            (
                as_str(&s["id"]),
                as_str(&s["kind"]),
                as_str(&s["verdict"]),
                s["points"].as_u64().unwrap(),
                s["commands"].as_u64().unwrap(),
            )
        })
        .collect();
    // By id, whatever the order given.
    assert_eq!(
        summary,
        [
            ("carol", "script", "fail", 2, 2),
            ("erin.json", "bundle", "pass", 4, 2),
            ("fail.sh", "script", "fail", 2, 2),
            ("garbage.sh", "script", "error", 0, 0),
            ("pass.sh", "script", "pass", 4, 2),
        ]
    );
    for submission in graded {
        let checks = submission["checks"].as_array().unwrap();
        assert_eq!(checks.len(), 3);
        let sum: u64 = checks.iter().map(|c| c["points"].as_u64().unwrap()).sum();
        assert_eq!(submission["points"], sum);
        assert_eq!(submission["max_points"], 4);
        for (check, (name, points, _)) in checks.iter().zip(&infos) {
            assert_eq!(as_str(&check["name"]), name);
            assert_eq!(check["max_points"], *points);
            let passed = check["passed"].as_bool().unwrap();
            assert_eq!(check["points"], if passed { *points } else { 0 });
            assert!(!as_str(&check["message"]).is_empty());
        }
        assert_eq!(
            submission.get("reason").is_some(),
            submission["verdict"] == "error",
            "{submission:#}"
        );
    }
    let fail = &graded[2];
    assert_eq!(
        fail["checks"][2]["message"],
        graded[0]["checks"][2]["message"]
    );
    assert!(
        as_str(&fail["checks"][2]["message"]).ends_with("is running; the exercise wants it exited"),
        "{fail:#}"
    );
    assert!(as_str(&graded[3]["reason"]).contains("not UTF-8"));
}

#[test]
fn exit_codes_say_passed_fell_short_or_could_not_grade() {
    let desk = small_desk();
    let broken = SMALL_SUITE.replacen("command_ran:", "comand_ran:", 1);
    let line = broken
        .lines()
        .position(|l| l.contains("comand_ran"))
        .unwrap()
        + 1;
    desk.write("broken.yaml", &broken).write(
        "unresolved.yaml",
        "format: 1\nsuite: x\ntitle: X\nchecks:\n  - name: an exercise of no lesson\n    exercise: nope\n",
    );
    let runs = desk.run_all(&[
        grade("small.yaml", &["pass.sh"]),
        grade("small.yaml", &["pass.sh", "fail.sh"]),
        grade("small.yaml", &["garbage.sh"]),
        grade("missing.yaml", &["pass.sh"]),
        grade("broken.yaml", &["pass.sh"]),
        grade("unresolved.yaml", &["pass.sh"]),
        grade("small.yaml", &["pass.sh", "--shard", "4/3"]),
    ]);
    let codes: Vec<i32> = runs.iter().map(|r| r.code).collect();
    assert_eq!(codes, [0, 1, 1, 2, 2, 2, 2], "{runs:#?}");
    assert!(runs[0].stdout.contains("1 passed, 0 failed"));
    for run in &runs[3..] {
        assert!(run.stdout.is_empty(), "{run:?}");
    }
    assert!(
        runs[3].stderr.contains("cannot read missing.yaml"),
        "{}",
        runs[3].stderr
    );
    assert!(
        runs[4]
            .stderr
            .starts_with(&format!("docklab grade: broken.yaml:{line}:7: ")),
        "{}",
        runs[4].stderr
    );
    assert!(
        runs[4].stderr.contains("unknown field `comand_ran`"),
        "{}",
        runs[4].stderr
    );
    assert!(
        runs[5]
            .stderr
            .starts_with("docklab grade: unresolved.yaml:6:5: "),
        "{}",
        runs[5].stderr
    );
}

/// A class of small submissions whose reports name generated containers.
fn class_desk(count: usize) -> (Desk, Vec<String>) {
    let desk = Desk::new();
    desk.write("small.yaml", SMALL_SUITE);
    let mut ids = Vec::new();
    for n in 0..count {
        let id = format!("student-{n:02}.sh");
        let script = match n % 4 {
            0 => PASSING.to_string(),
            1 => FAILING.to_string(),
            2 => format!("docker run -d --name box{n} alpine sleep 9\n{PASSING}"),
            _ => "echo hello\ndocker run alpine false\ndocker ps -a\n".to_string(),
        };
        desk.write(&id, script);
        ids.push(id);
    }
    desk.write("student-99.sh", GARBAGE);
    ids.push("student-99.sh".to_string());
    (desk, ids)
}

#[test]
fn reports_depend_neither_on_workers_nor_on_argument_order() {
    let (desk, ids) = class_desk(7);
    let forward: Vec<&str> = ids.iter().map(String::as_str).collect();
    let backward: Vec<&str> = forward.iter().rev().copied().collect();
    let runs = desk.run_all(&[
        grade(
            "small.yaml",
            &[&["--format", "json", "-j", "1"], &forward[..]].concat(),
        ),
        grade(
            "small.yaml",
            &[&["--format", "json", "-j", "4"], &forward[..]].concat(),
        ),
        grade(
            "small.yaml",
            &[&["--format", "json", "-j", "4"], &backward[..]].concat(),
        ),
    ]);
    assert_eq!(runs[0].code, 1, "{}", runs[0].stderr);
    let report = runs[0].json();
    assert_eq!(report["submissions"].as_array().unwrap().len(), ids.len());
    // Generated names are in the report, so the same bytes mean the same seeds.
    assert!(
        runs[0].stdout.contains("the container "),
        "{}",
        runs[0].stdout
    );
    assert!(runs[1].stdout == runs[0].stdout, "-j 4 differs from -j 1");
    assert!(
        runs[2].stdout == runs[0].stdout,
        "the order of the arguments changes the report"
    );
}

#[test]
fn shards_merge_into_the_unsharded_report() {
    let (desk, ids) = class_desk(11);
    desk.write(
        "other.yaml",
        SMALL_SUITE.replacen("title: Hello from alpine", "title: Another suite", 1),
    );
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let shard_args = |i: usize| -> Vec<String> {
        vec![
            "--format".into(),
            "json".into(),
            "--shard".into(),
            format!("{i}/3"),
            "-o".into(),
            format!("shard{i}.json"),
        ]
    };
    let shards: Vec<Vec<String>> = (1..=3).map(shard_args).collect();
    let mut runs: Vec<Vec<&str>> = vec![
        grade("small.yaml", &[&["--format", "json"], &ids[..]].concat()),
        grade("small.yaml", &[&["--format", "junit"], &ids[..]].concat()),
        grade(
            "other.yaml",
            &["--format", "json", "-o", "other.json", ids[0]],
        ),
    ];
    for shard in &shards {
        let shard: Vec<&str> = shard.iter().map(String::as_str).collect();
        runs.push(grade("small.yaml", &[&shard[..], &ids[..]].concat()));
    }
    let runs = desk.run_all(&runs);
    for run in &runs {
        assert!(run.code == 0 || run.code == 1, "{run:?}");
    }
    let (json, junit) = (&runs[0], &runs[1]);

    // The shards split the class: every submission in exactly one.
    let mut seen = BTreeSet::new();
    let mut nonempty = 0;
    for i in 1..=3 {
        let shard: Value = serde_json::from_str(&desk.read(&format!("shard{i}.json"))).unwrap();
        assert_eq!(shard["shard"], format!("{i}/3"));
        let graded = shard["submissions"].as_array().unwrap();
        nonempty += usize::from(!graded.is_empty());
        for s in graded {
            assert!(
                seen.insert(as_str(&s["id"]).to_string()),
                "{} twice",
                s["id"]
            );
        }
    }
    assert_eq!(seen, ids.iter().map(|s| s.to_string()).collect());
    assert!(nonempty >= 2, "one shard took the whole class");

    let merge = |format: &'static str| -> Vec<&'static str> {
        vec![
            "grade",
            "merge",
            "shard3.json",
            "shard1.json",
            "shard2.json",
            "--format",
            format,
        ]
    };
    let merged = desk.run_all(&[
        merge("json"),
        merge("junit"),
        vec!["grade", "merge", "shard1.json", "other.json"],
    ]);
    assert_eq!(merged[0].code, json.code);
    assert!(
        merged[0].stdout == json.stdout,
        "merged JSON differs:\n{}\nunsharded:\n{}",
        merged[0].stdout,
        json.stdout
    );
    assert!(merged[1].stdout == junit.stdout, "merged JUnit differs");
    assert_eq!(merged[2].code, 2, "{:?}", merged[2]);
    assert!(merged[2].stdout.is_empty());
    assert!(
        merged[2].stderr.contains("different suites"),
        "{}",
        merged[2].stderr
    );
}

/// A name no other run uses, for files an escape would leave on the host.
fn unique() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}-{nanos}", std::process::id())
}

#[test]
fn hostile_submissions_fail_with_their_reason_and_the_class_is_graded() {
    let desk = Desk::new();
    desk.write("small.yaml", SMALL_SUITE);
    let escape = format!("escape-{}", unique());
    let intact = bundle_text("small", &["echo hello", "docker run alpine true"]);
    assert!(intact.contains("\"echo hello\""));
    desk.write("class/good.sh", PASSING)
        .write("class/loop.sh", "echo hello\nwhile true; do :; done\n")
        .write(
            "class/container-loop.sh",
            "echo hello\ndocker run alpine sh -c 'while true; do :; done'\n",
        )
        .write(
            "class/fork-bomb.sh",
            "echo hello\n:(){ :|:& };:\nbomb() { bomb | bomb & }; bomb\n",
        )
        .write("class/garbage.sh", GARBAGE)
        .write("class/many.sh", "echo hello\n".repeat(7))
        .write("class/linked.sh", "cat passwd\n")
        .write(
            "class/escape.sh",
            format!(
                "cat > ../../../../tmp/{escape} <<EOF\nowned\nEOF\n\
                 cat > {}tmp/{escape}-deep <<EOF\nowned\nEOF\n\
                 ln -s / root\necho x > root/tmp/{escape}-link\n\
                 echo x > /tmp/{escape}-absolute\n",
                "../".repeat(16)
            ),
        )
        .write("class/intact.json", &intact)
        .write("class/truncated.json", &intact[..intact.len() / 2])
        .write(
            "class/tampered.json",
            intact.replacen("\"echo hello\"", "\"echo hello there\"", 1),
        );
    let big = std::fs::File::create(desk.path().join("class/big.sh")).unwrap();
    big.set_len(docklab::app::grade::submission::MAX_SCRIPT_BYTES + 1)
        .unwrap();
    std::fs::create_dir_all(desk.path().join("class/linked")).unwrap();
    std::os::unix::fs::symlink("/etc/passwd", desk.path().join("class/linked/passwd")).unwrap();

    let started = std::time::Instant::now();
    let [json, text] = <[Run; 2]>::try_from(desk.run_all(&[
        grade(
            "small.yaml",
            &["--format", "json", "--timeout", "2", "-j", "4", "class"],
        ),
        grade(
            "small.yaml",
            &[
                "class/tampered.json",
                "class/truncated.json",
                "class/good.sh",
            ],
        ),
    ]))
    .unwrap();
    let elapsed = started.elapsed();
    assert_eq!(json.code, 1, "{}", json.stderr);
    let report = json.json();
    let graded: Vec<(&str, &str, String)> = report["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let why = match s.get("reason") {
                Some(reason) => as_str(reason).to_string(),
                None => s["checks"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|c| c["passed"] == false)
                    .map(|c| as_str(&c["message"]).to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            };
            (as_str(&s["id"]), as_str(&s["verdict"]), why)
        })
        .collect();
    let want: &[(&str, &str, &str)] = &[
        ("class/big.sh", "error", "the limit is"),
        ("class/container-loop.sh", "fail", "time budget ran out"),
        (
            "class/escape.sh",
            "fail",
            "no successful command matches /^echo hello/",
        ),
        ("class/fork-bomb.sh", "fail", "budget"),
        ("class/garbage.sh", "error", "not UTF-8"),
        ("class/good.sh", "pass", ""),
        ("class/intact.json", "pass", ""),
        ("class/linked.sh", "error", "symbolic link"),
        ("class/loop.sh", "fail", "time budget ran out"),
        ("class/many.sh", "error", "7 commands"),
        ("class/tampered.json", "error", "tampered with"),
        ("class/truncated.json", "error", "not a submission bundle"),
    ];
    assert_eq!(graded.len(), want.len(), "{graded:#?}");
    for ((id, verdict, why), (want_id, want_verdict, want_why)) in graded.iter().zip(want) {
        assert_eq!((id, verdict), (want_id, want_verdict), "{why}");
        assert!(why.contains(want_why), "{id}: {why}");
        assert!(!why.contains("docklab bug"), "{id}: {why}");
    }
    // The loops ran side by side, each stopped at its budget.
    assert!(elapsed.as_secs() < 30, "grading took {elapsed:?}");

    for dir in [
        PathBuf::from("/tmp"),
        std::env::temp_dir(),
        PathBuf::from("/dev/shm"),
        PathBuf::from("/"),
        desk.path().to_path_buf(),
    ] {
        for suffix in ["", "-deep", "-link", "-absolute"] {
            let path = dir.join(format!("{escape}{suffix}"));
            assert!(
                !path.exists(),
                "a submission wrote {} on the host",
                path.display()
            );
        }
    }

    assert_eq!(text.code, 1);
    assert!(
        text.stdout.contains("ERROR class/tampered.json"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(
            "tampered with: command 1 (\"echo hello there\") does not match the hash chain"
        ),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("PASS  class/good.sh"),
        "{}",
        text.stdout
    );
}

/// Takes lesson 7 in a home of its own with `typed` as the student's input (lesson
/// scripts are typed input), then hands it in: `docklab submit 7 -o OUT`.
fn take_lesson_7(desk: &Desk, home: &str, typed: &str, out: &str) {
    let script = format!("{home}.txt");
    desk.write(&script, typed);
    let run = |args: &[&str]| -> String {
        let output = desk
            .command(args)
            .env("DOCKLAB_HOME", desk.path().join(home))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{args:?}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    };
    run(&[
        "start", "7", "--script", &script, "--seed", "1", "--clock", CLOCK,
    ]);
    let said = run(&["submit", "7", "-o", out, "--clock", CLOCK]);
    assert!(said.starts_with(&format!("Wrote {out} ")), "{said}");
}

#[test]
fn a_bundle_from_docklab_submit_grades_as_the_lesson_was_taken() {
    let desk = Desk::new();
    desk.write(
        "registries.yaml",
        "format: 1\nsuite: registries\ntitle: Registries\nstart:\n  lesson: registries\nchecks:\n  \
         - name: a registry runs on port 5000\n    points: 2\n    exercise: start-registry\n  \
         - name: mynmap:1.0 is in it\n    points: 3\n    exercise: push\n",
    );
    let registry = "docker run -d -p 5000:5000 --restart=always --name registry registry:2\n";
    let pushed = format!(
        "next\n{registry}hint\ndocker tag mynmap:latest localhost:5000/mynmap:1.0\n\
         docker push localhost:5000/mynmap:1.0\ncurl http://localhost:5000/v2/mynmap/tags/list\n"
    );
    std::thread::scope(|scope| {
        scope.spawn(|| take_lesson_7(&desk, "alice", &pushed, "alice.json"));
        scope.spawn(|| {
            take_lesson_7(
                &desk,
                "bob",
                &format!("{registry}docker images\n"),
                "bob.json",
            )
        });
    });

    let bundle: Value = serde_json::from_str(&desk.read("alice.json")).unwrap();
    assert_eq!(bundle["format"], "docklab-submission");
    assert_eq!(bundle["lesson"], "registries");
    assert_eq!(bundle["created"], CLOCK);
    let typed: Vec<&str> = bundle["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| as_str(&c["command"]))
        .collect();
    // Lesson words are not commands of the lab.
    assert_eq!(
        typed,
        [
            registry.trim_end(),
            "docker tag mynmap:latest localhost:5000/mynmap:1.0",
            "docker push localhost:5000/mynmap:1.0",
            "curl http://localhost:5000/v2/mynmap/tags/list",
        ]
    );
    assert!(
        bundle["commands"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["exit_code"] == 0)
    );
    desk.write(
        "mallory.json",
        desk.read("bob.json")
            .replacen("docker images", "docker push localhost:5000/mynmap:1.0", 1),
    );

    let [text, exercism] = <[Run; 2]>::try_from(desk.run_all(&[
        grade(
            "registries.yaml",
            &["alice.json", "bob.json", "mallory.json"],
        ),
        grade(
            "registries.yaml",
            &["--format", "exercism", "alice.json", "bob.json"],
        ),
    ]))
    .unwrap();
    assert_eq!(text.code, 1, "{}", text.stderr);
    assert_eq!(
        verdict_lines(&text.stdout),
        [
            ("PASS", "alice.json", "5/5"),
            ("FAIL", "bob.json", "2/5"),
            ("ERROR", "mallory.json", "0/5"),
        ],
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("      ✘ mynmap:1.0 is in it (0/3)"));
    assert!(
        text.stdout.contains("tampered with: command 2"),
        "{}",
        text.stdout
    );
    assert!(
        !text.stdout.contains("exited differently"),
        "the replay disagrees with the lesson:\n{}",
        text.stdout
    );

    // The exercises of the start lesson are Exercism's tasks.
    let objects = exercism.json_objects();
    for results in &objects {
        assert_valid(&exercism_schema(), results, "results.json");
        assert_exercism_consistent(results);
        let tasks: Vec<&Value> = results["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| &t["task_id"])
            .collect();
        assert_eq!(tasks, [&json!(1), &json!(2)]);
    }
    let statuses: Vec<&str> = objects.iter().map(|o| as_str(&o["status"])).collect();
    assert_eq!(statuses, ["pass", "fail"]);
}

/// A file name of a sample: its number and the first words of its name.
fn sample_file(n: usize, name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let mut slug = slug.trim_matches('-').to_string();
    if slug.len() > 28 {
        slug.truncate(slug[..28].rfind('-').unwrap_or(28));
    }
    format!("{:02}-{slug}", n + 1)
}

#[test]
fn the_capstone_samples_as_scripts_grade_as_the_suite_says() {
    let desk = Desk::new();
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("checks/capstone.yaml"))
            .unwrap();
    desk.write("capstone.yaml", &text);
    let suite = docklab::lesson::suite::parse_suite(&text, "capstone.yaml").unwrap();
    assert!(suite.samples.len() >= 4);
    let mut scripts = Vec::new();
    for (n, sample) in suite.samples.iter().enumerate() {
        let stem = sample_file(n, &sample.name);
        desk.write(&format!("samples/{stem}.sh"), &sample.script);
        for (path, content) in &sample.files {
            desk.write(&format!("samples/{stem}/{path}"), content);
        }
        scripts.push((format!("samples/{stem}.sh"), sample));
    }
    let [report, tap] = <[Run; 2]>::try_from(desk.run_all(&[
        grade("capstone.yaml", &["samples"]),
        grade("capstone.yaml", &["--format", "tap", "samples"]),
    ]))
    .unwrap();
    assert_eq!(report.code, 1, "{}", report.stderr);
    let got = verdict_lines(&report.stdout);
    let want: Vec<(String, &str, String)> = scripts
        .iter()
        .map(|(id, sample)| {
            (
                sample.verdict.as_str().to_uppercase(),
                id.as_str(),
                format!("{}/10", sample.points),
            )
        })
        .collect();
    let want: Vec<(&str, &str, &str)> = want
        .iter()
        .map(|(mark, id, points)| (mark.as_str(), *id, points.as_str()))
        .collect();
    assert_eq!(got, want, "{}", report.stdout);
    insta::assert_snapshot!("grade_capstone_samples_text", report.stdout);
    insta::assert_snapshot!("grade_capstone_samples_tap", tap.stdout);
}
