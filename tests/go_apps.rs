//! Go in containers as the multi-stage tutorials use it: the golang image compiles, the
//! final image carries only the binary (a few MB against the golang image's hundreds),
//! the binary serves on its published port, and a compile error fails the build with
//! go's own message.

use crate::support::{Fixture, Record};

const SERVER: &str = r#"package main

import (
	"fmt"
	"log"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "Hello from Go! You asked for %s\n", r.URL.Path)
	})
	log.Println("listening on :8080")
	log.Fatal(http.ListenAndServe(":8080", nil))
}
"#;

const GO_MOD: &str = "module example.com/app\n\ngo 1.22.12\n";

fn dockerfile(final_base: &str) -> String {
    format!(
        "FROM golang:1.22-alpine AS build\nWORKDIR /src\nCOPY go.mod ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\nFROM {final_base}\nCOPY --from=build /out/app /app\nEXPOSE 8080\nENTRYPOINT [\"/app\"]\n"
    )
}

fn workspace(lab: &Fixture, main: &str, final_base: &str) {
    let ws = lab.workspace();
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(ws.join("go.mod"), GO_MOD).unwrap();
    std::fs::write(ws.join("main.go"), main).unwrap();
    std::fs::write(ws.join("Dockerfile"), dockerfile(final_base)).unwrap();
}

/// The size column of `docker images` for `reference`, in bytes.
fn size_of(images: &str, reference: &str) -> f64 {
    let line = images
        .lines()
        .find(|l| l.starts_with(&format!("{reference} ")))
        .unwrap_or_else(|| panic!("{reference} not in\n{images}"));
    let size = line.rsplit(' ').next().unwrap();
    let (number, unit) = size.split_at(size.find(|c: char| c.is_ascii_alphabetic()).unwrap());
    let scale = match unit {
        "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        _ => 1.0,
    };
    number.parse::<f64>().unwrap() * scale
}

fn by_command<'a>(records: &'a [Record], prefix: &str) -> &'a Record {
    records
        .iter()
        .find(|r| r.command.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {prefix}"))
}

#[test]
fn a_multi_stage_build_ships_a_small_image_that_serves_on_its_port() {
    let lab = Fixture::new();
    workspace(&lab, SERVER, "alpine:3.22");
    let records = lab.records(
        "docker build -t app .\n\
         docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}'\n\
         docker run -d -p 8080:8080 --name web app\n\
         curl -s localhost:8080/hello\n\
         docker logs web\n",
    );
    let build = by_command(&records, "docker build");
    assert_eq!(build.exit_code, 0, "{}{}", build.stdout, build.stderr);
    let said = format!("{}{}", build.stdout, build.stderr);
    assert!(
        said.contains("go: no module dependencies to download"),
        "{said}"
    );
    let images = &by_command(&records, "docker images").stdout;
    let app = size_of(images, "app:latest");
    let golang = size_of(images, "golang:1.22-alpine");
    assert!((13e6..18e6).contains(&app), "{images}");
    assert!(golang > 150e6 && app * 10.0 < golang, "{images}");
    let curl = by_command(&records, "curl");
    assert_eq!(curl.stdout, "Hello from Go! You asked for /hello\n");
    let logs = by_command(&records, "docker logs");
    assert!(
        logs.stderr.ends_with(" listening on :8080\n"),
        "{}",
        logs.stderr
    );
}

#[test]
fn the_binary_runs_from_scratch_with_no_shell_in_the_image() {
    let lab = Fixture::new();
    let hello = "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() {\n\tfmt.Println(\"hello from\", os.Args[0])\n\tos.Exit(3)\n}\n";
    workspace(&lab, hello, "scratch");
    let records = lab.records(
        "docker build -q -t tiny .\n\
         docker run --rm tiny\n\
         docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}'\n",
    );
    let run = by_command(&records, "docker run");
    assert_eq!(
        (run.stdout.as_str(), run.exit_code),
        ("hello from /app\n", 3),
        "{}",
        run.stderr
    );
    let images = &by_command(&records, "docker images").stdout;
    let tiny = size_of(images, "tiny:latest");
    assert!((1.8e6..2.5e6).contains(&tiny), "{images}");
}

#[test]
fn a_compile_error_fails_the_build_with_go_s_message() {
    let lab = Fixture::new();
    let broken = SERVER.replace("fmt.Fprintf(w,", "fmt.Fprintff(w,");
    workspace(&lab, &broken, "alpine:3.22");
    let records = lab.records("docker build -t app .\ndocker images -q app\n");
    let build = by_command(&records, "docker build");
    assert_eq!(build.exit_code, 1);
    // The step's output is the build's output, as the classic builder streams it.
    assert!(
        build
            .stdout
            .contains("# example.com/app\n./main.go:11:7: undefined: fmt.Fprintff\n"),
        "{}",
        build.stdout
    );
    assert!(
        build
            .stderr
            .contains("The command '/bin/sh -c CGO_ENABLED=0 go build -o /out/app .' returned a non-zero code: 1"),
        "{}",
        build.stderr
    );
    assert_eq!(by_command(&records, "docker images").stdout, "");
}
