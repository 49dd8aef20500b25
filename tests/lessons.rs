//! Lesson content as CI sees it: the shipped schema is the generated one, every shipped
//! lesson lints clean and replays (`docklab test`), broken files are reported with their
//! line and column, and no input makes the loader panic.

use proptest::prelude::*;
use std::path::Path;
use std::process::Command;

fn docklab(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_docklab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("DOCKLAB_HOME")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

fn shipped_files() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .map(|p| format!("lessons/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    files.sort();
    files
}

#[test]
fn the_shipped_schema_is_the_generated_one() {
    let shipped =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/schema.json"))
            .unwrap();
    assert!(
        shipped == docklab::lesson::schema_json(),
        "lessons/schema.json is stale: run `docklab schema > lessons/schema.json`"
    );
}

#[test]
fn every_lesson_file_is_shipped_in_the_binary() {
    let shipped: Vec<String> = docklab::lesson::shipped()
        .iter()
        .map(|(name, _)| format!("lessons/{name}"))
        .collect();
    assert_eq!(shipped, shipped_files());
}

#[test]
fn every_suite_file_is_shipped_in_the_binary_and_lints_clean() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("checks");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    files.sort();
    let mut shipped: Vec<String> = docklab::lesson::shipped_suites()
        .iter()
        .map(|(name, _)| name.to_string())
        .collect();
    shipped.sort();
    assert_eq!(shipped, files);
    let paths: Vec<String> = files.iter().map(|f| format!("checks/{f}")).collect();
    let mut args = vec!["lint"];
    args.extend(paths.iter().map(String::as_str));
    let (code, text) = docklab(&args);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn every_shipped_lesson_lints_clean() {
    let files = shipped_files();
    let mut args = vec!["lint"];
    args.extend(files.iter().map(String::as_str));
    let (code, text) = docklab(&args);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn every_shipped_lesson_replays() {
    let (code, text) = docklab(&["test"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.ends_with("all pass\n"), "{text}");
}

#[test]
fn lint_reports_a_broken_file_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/01-images-and-containers.yaml"),
    )
    .unwrap();
    let broken = good.replacen("      goal: |", "      gaol: oops\n      goal: |", 1);
    let line = broken.lines().position(|l| l.contains("gaol")).unwrap() + 1;
    let file = dir.path().join("broken.yaml");
    std::fs::write(&file, broken).unwrap();
    let (code, text) = docklab(&["lint", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!("broken.yaml:{line}:7: steps[")),
        "{text}"
    );
    assert!(text.contains("unknown field `gaol`"), "{text}");

    let few = good.replacen(
        "        - name: misspells the image name",
        "        - nome: x",
        1,
    );
    std::fs::write(&file, few).unwrap();
    let (code, text) = docklab(&["lint", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("unknown field `nome`"), "{text}");
}

#[test]
fn a_mistake_that_passes_fails_the_lesson_test() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/01-images-and-containers.yaml"),
    )
    .unwrap();
    // A "mistake" that is really the solution must be caught.
    let broken = good.replacen(
        "        - name: misspells the image name\n          commands:\n            - docker run hello-word",
        "        - name: the solution in disguise\n          commands:\n            - docker run hello-world",
        1,
    );
    assert_ne!(broken, good);
    let file = dir.path().join("01-x.yaml");
    std::fs::write(&file, broken).unwrap();
    let (code, text) = docklab(&["test", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("the mistake \"the solution in disguise\" passes the checks"),
        "{text}"
    );
}

#[test]
fn an_oversized_lesson_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.yaml");
    std::fs::write(&file, "#".repeat(2 << 20)).unwrap();
    let (code, text) = docklab(&["lint", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("too large for a lesson"), "{text}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_loader_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(lesson) = docklab::lesson::parse(&text, "fuzz.yaml") {
            let _ = docklab::lesson::validate(&lesson, &text, "fuzz.yaml");
        }
    }

    #[test]
    fn the_loader_never_panics_on_a_mutated_lesson(
        at in 0usize..1_000_000,
        len in 0usize..64,
        insert in "[ -~\n\t:{}\\[\\]-]{0,32}",
    ) {
        let good = docklab::lesson::shipped()[0].1;
        let mut start = at % good.len();
        while !good.is_char_boundary(start) { start -= 1; }
        let mut end = (start + len).min(good.len());
        while !good.is_char_boundary(end) { end -= 1; }
        let text = format!("{}{}{}", &good[..start], insert, &good[end..]);
        match docklab::lesson::parse(&text, "m.yaml") {
            Ok(lesson) => {
                for d in docklab::lesson::validate(&lesson, &text, "m.yaml") {
                    prop_assert!(d.line <= text.lines().count() + 1, "{}", d);
                }
            }
            Err(d) => prop_assert!(d.line <= text.lines().count() + 1, "{}", d),
        }
    }
}

/// `docklab start LESSON --script` with `script` as the input, in `home`.
fn start_lesson(home: &Path, lesson: &str, script: &str) -> (i32, String, String) {
    let file = home.join("input.txt");
    std::fs::write(&file, script).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_docklab"))
        .args(["start", lesson, "--script"])
        .arg(&file)
        .args(["--seed", "1", "--clock", "2026-03-01T12:00:00Z"])
        .env("DOCKLAB_HOME", home)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn start(home: &Path, script: &str) -> (i32, String, String) {
    start_lesson(home, "1", script)
}

#[test]
fn a_lesson_announces_success_keeps_progress_and_resumes() {
    let home = tempfile::tempdir().unwrap();
    let (code, out, _) = start(
        home.path(),
        "next\nnext\nhint\ncheck\ndocker run hello-world\nsolution\n",
    );
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with("[1/7] Images and containers · reading\n"),
        "{out}"
    );
    assert!(out.contains("Hint 1/2: `docker run IMAGE`"), "{out}");
    assert!(
        out.contains("✘ there is no image hello-world; the exercise wants one"),
        "{out}"
    );
    assert!(out.contains("✔ Done: Run hello-world"), "{out}");
    assert!(out.contains("Type `solution` again"), "{out}");
    // The commands typed are kept, with their exit codes, for a grader to replay.
    let transcript =
        std::fs::read_to_string(home.path().join("transcripts/images-and-containers.jsonl"))
            .unwrap();
    assert_eq!(transcript.lines().count(), 1, "{transcript}");
    assert!(
        transcript.starts_with(r#"{"command":"docker run hello-world","exit_code":0,"#),
        "{transcript}"
    );

    // The next session starts where this one stopped.
    let (_, out, _) = start(home.path(), "progress\n");
    assert!(
        out.starts_with("[3/7] Images and containers · exercise: Run hello-world · done\n"),
        "{out}"
    );
    assert!(out.contains("  ✔ Run hello-world (1 hint(s))"), "{out}");

    // A damaged progress file is reported and kept, not silently replaced.
    let progress = home.path().join("progress/images-and-containers.json");
    std::fs::write(&progress, "{ half a file").unwrap();
    let (_, out, err) = start(home.path(), "");
    assert!(out.starts_with("[1/7]"), "{out}");
    assert!(err.contains("could not be used"), "{err}");
    assert!(
        home.path()
            .join("progress/images-and-containers.json.corrupt")
            .exists()
    );
}

#[test]
fn a_question_is_graded_against_what_the_command_prints() {
    let home = tempfile::tempdir().unwrap();
    let (_, text, _) = start_lesson(home.path(), "names-and-tags", "answer\nubuntu:18.04\n\n");
    // Not on the question's step yet: the word says so.
    assert!(
        text.contains("There is no question on this step."),
        "{text}"
    );
    let path = home.path().join("progress/names-and-tags.json");
    let mut progress: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    // Jump to the question, with the state it asks about.
    progress["step"] = serde_json::json!(7);
    std::fs::write(&path, progress.to_string()).unwrap();
    let (_, text, _) = start_lesson(
        home.path(),
        "names-and-tags",
        "docker pull -q ubuntu:18.04\ndocker tag ubuntu:18.04 ubuntu:bionic\nanswer\nubuntu:latest\n\nanswer\nubuntu:bionic\nubuntu:18.04\n\n",
    );
    let wrong = text.find("✘ Not quite.").expect(&text);
    let right = text.find("✔ Right.").expect(&text);
    assert!(wrong < right, "{text}");
}

#[test]
fn list_shows_every_shipped_lesson() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_docklab"))
        .arg("list")
        .env("DOCKLAB_HOME", home.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines().filter(|l| l.contains(" min")).count(),
        docklab::lesson::shipped().len(),
        "{text}"
    );
}

#[test]
fn the_time_spent_in_a_lesson_is_kept_across_sessions() {
    let home = tempfile::tempdir().unwrap();
    let (_, out, _) = start(home.path(), "progress\n");
    assert!(
        out.contains("Time in this lesson: under a minute\n"),
        "{out}"
    );
    let path = home.path().join("progress/images-and-containers.json");
    let mut progress: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(progress["seconds"], 0);
    progress["seconds"] = serde_json::json!(125);
    std::fs::write(&path, progress.to_string()).unwrap();
    let (_, out, _) = start(home.path(), "progress\n");
    assert!(out.contains("Time in this lesson: 2 minutes\n"), "{out}");
}

#[test]
fn an_exercise_already_reached_is_done_as_soon_as_it_is_entered() {
    let home = tempfile::tempdir().unwrap();
    let (code, out, _) = start(home.path(), "docker run hello-world\nnext\nnext\n");
    assert_eq!(code, 0, "{out}");
    let entered = out
        .find("Exercise: Run hello-world")
        .expect("the exercise is shown");
    let done = out
        .find("✔ Done: Run hello-world")
        .expect("and done at once");
    assert!(entered < done, "{out}");
}

#[test]
fn a_failing_dockerfile_check_shows_where_the_wanted_instruction_goes() {
    let home = tempfile::tempdir().unwrap();
    let (_, out, _) = start_lesson(
        home.path(),
        "3",
        "next\nnext\nprintf 'FROM alpine:latest\\nRUN apk add nmap\\nENTRYPOINT [\"nmap\"]\\nCMD [\"localhost\"]\\n' > Dockerfile\ncheck\n",
    );
    assert!(
        out.contains(
            "✘ Dockerfile has no instruction matching /^RUN apk update/ where the exercise wants one\n    (- seen, + wanted)\n      FROM alpine:latest\n    + /^RUN apk update/\n      RUN apk add nmap\n"
        ),
        "{out}"
    );
}
