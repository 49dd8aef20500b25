//! The toolchain as a student meets it in a golang image: builds, compile errors in
//! go's words, the binaries' sizes and behaviour, and a server answering requests.

use super::*;
use crate::engine::fs::{Layer, LayerStack, Node, Snapshot, Timestamp};
use crate::engine::net::live::LiveFs;
use crate::engine::shell::programs::DefaultResolver;
use crate::engine::shell::{Flavour, Host, Shell, Vfs};

#[derive(Default)]
struct TestHost {
    listened: Vec<(u16, String)>,
    slept: Duration,
}

impl Host for TestHost {
    fn run_external(
        &mut self,
        _argv: &[String],
        _env: &[(String, String)],
        _cwd: &str,
        _streams: Streams<'_>,
    ) -> Option<i32> {
        None
    }
    fn sleep(&mut self, d: Duration) {
        self.slept += d;
    }
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339("2026-12-04T18:40:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc)
    }
    fn listen(&mut self, port: u16, program: &str) {
        self.listened.push((port, program.to_string()));
    }
}

struct Lab {
    shell: Shell<Snapshot>,
    host: TestHost,
}

struct Out {
    out: String,
    err: String,
    status: i32,
}

/// A golang:1.22-alpine-like filesystem: the toolchain on PATH, WORKDIR /src.
fn lab() -> Lab {
    let mut fs = Snapshot::prepare(Arc::new(LayerStack::new(Vec::new())));
    for dir in [
        "/usr",
        "/usr/local",
        "/usr/local/go",
        "/usr/local/go/bin",
        "/src",
        "/tmp",
        "/root",
        "/etc",
    ] {
        fs.create_dir(dir).unwrap();
    }
    fs.write(
        "/usr/local/go/bin/go",
        &crate::engine::program::executable("go", 4096),
        false,
    )
    .unwrap();
    fs.set_mode("/usr/local/go/bin/go", 0o755).unwrap();
    let mut shell = Shell::with_resolver(fs, Flavour::Ash, Box::new(DefaultResolver));
    shell.export(
        "PATH",
        "/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    );
    shell.export("GOLANG_VERSION", "1.22.12");
    shell.export("GOPATH", "/go");
    shell.export("GOTOOLCHAIN", "local");
    shell.export("HOME", "/root");
    shell.set_cwd("/src").unwrap();
    Lab {
        shell,
        host: TestHost::default(),
    }
}

impl Lab {
    fn file(&mut self, path: &str, text: &str) {
        self.shell
            .fs_mut()
            .write(path, text.as_bytes(), false)
            .unwrap();
    }
    fn run(&mut self, line: &str) -> Out {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let status = self
            .shell
            .run(line, &mut self.host, Streams::new(&[], &mut out, &mut err));
        Out {
            out: String::from_utf8_lossy(&out).into_owned(),
            err: String::from_utf8_lossy(&err).into_owned(),
            status,
        }
    }
    /// `main.go` in a module `example.com/app`, built: the compiler's stderr and status.
    fn build(&mut self, main: &str) -> Out {
        self.file("/src/go.mod", "module example.com/app\n\ngo 1.22.12\n");
        self.file("/src/main.go", main);
        self.run("go build -o /out/app .")
    }
    fn size(&self, path: &str) -> u64 {
        self.shell.fs().metadata(path).unwrap().len
    }
}

const HELLO: &str =
    "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hello from go\")\n}\n";

#[test]
fn version_env_and_mod_init_read_as_go_writes_them() {
    let mut lab = lab();
    assert_eq!(
        lab.run("go version").out,
        "go version go1.22.12 linux/amd64\n"
    );
    assert_eq!(
        lab.run("go env GOPATH GOROOT GOOS GOARCH CGO_ENABLED GOCACHE GOMODCACHE")
            .out,
        "/go\n/usr/local/go\nlinux\namd64\n0\n/root/.cache/go-build\n/go/pkg/mod\n"
    );
    let env = lab.run("go env").out;
    assert!(
        env.contains("GOPROXY='https://proxy.golang.org,direct'\n"),
        "{env}"
    );
    assert!(env.contains("GOMOD='/dev/null'\n"), "{env}");
    let r = lab.run("go mod init example.com/hello");
    assert_eq!(
        (r.status, r.err.as_str()),
        (0, "go: creating new go.mod: module example.com/hello\n")
    );
    assert_eq!(
        String::from_utf8(lab.shell.fs().read("/src/go.mod").unwrap()).unwrap(),
        "module example.com/hello\n\ngo 1.22.12\n"
    );
    let r = lab.run("go mod init example.com/hello");
    assert_eq!(
        (r.status, r.err.as_str()),
        (1, "go: /src/go.mod already exists\n")
    );
    assert_eq!(lab.run("go env GOMOD").out, "/src/go.mod\n");
    let r = lab.run("go mod download");
    assert_eq!(
        (r.status, r.err.as_str()),
        (0, "go: no module dependencies to download\n")
    );
    let r = lab.run("go frob");
    assert_eq!(
        (r.status, r.err.as_str()),
        (2, "go frob: unknown command\nRun 'go help' for usage.\n")
    );
}

#[test]
fn modules_from_the_network_cannot_be_fetched() {
    let mut lab = lab();
    lab.file(
        "/src/go.mod",
        "module example.com/app\n\ngo 1.22.12\n\nrequire github.com/gorilla/mux v1.8.1\n",
    );
    let r = lab.run("go mod download");
    assert_eq!(r.status, 1);
    assert_eq!(
        r.err,
        "go: github.com/gorilla/mux@v1.8.1: Get \"https://proxy.golang.org/github.com/gorilla/mux/@v/v1.8.1.mod\": dial tcp: lookup proxy.golang.org: no such host\n"
    );
    lab.file("/src/go.mod", "module example.com/app\n\ngo 1.22.12\n");
    lab.file("/src/main.go", "package main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/gorilla/mux\"\n)\n\nfunc main() { fmt.Println(mux.NewRouter()) }\n");
    let r = lab.run("go build .");
    assert_eq!(r.status, 1);
    assert_eq!(
        r.err,
        "main.go:6:2: no required module provides package github.com/gorilla/mux; to add it:\n\tgo get github.com/gorilla/mux\n"
    );
}

#[test]
fn compile_errors_are_reported_as_go_reports_them_and_no_binary_is_written() {
    let mut lab = lab();
    let cases = [
        (
            "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Printn(\"hi\")\n}\n",
            "# example.com/app\n./main.go:6:6: undefined: fmt.Printn\n",
        ),
        (
            "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() {\n\tx := 5\n\tfmt.Println(\"hi\")\n}\n",
            "# example.com/app\n./main.go:5:2: \"os\" imported and not used\n./main.go:9:2: declared and not used: x\n",
        ),
        (
            "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\"\n}\n",
            "# example.com/app\n./main.go:6:18: syntax error: unexpected newline in argument list; possibly missing comma or )\n",
        ),
        (
            "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tn := 1\n\ts := \"a\"\n\tfmt.Println(n + s)\n}\n",
            "# example.com/app\n./main.go:8:14: invalid operation: n + s (mismatched types int and string)\n",
        ),
        (
            "package main\n\nimport (\n\t\"fmt\"\n\t\"strconv\"\n)\n\nfunc main() {\n\tn := strconv.Atoi(\"4\")\n\tfmt.Println(n)\n}\n",
            "# example.com/app\n./main.go:9:7: assignment mismatch: 1 variable but strconv.Atoi returns 2 values\n",
        ),
        (
            "package main\n\nfunc half(n int) int {\n\tif n > 0 {\n\t\treturn n / 2\n\t}\n}\n\nfunc main() {\n\thalf(4)\n}\n",
            "# example.com/app\n./main.go:7:1: missing return\n",
        ),
        (
            "package main\n\nimport \"fmt\"\n\nfunc greet(name string) string {\n\treturn \"hi \" + name\n}\n\nfunc main() {\n\tfmt.Println(greet(42))\n\tfmt.Println(greet())\n}\n",
            "# example.com/app\n./main.go:10:20: cannot use 42 (untyped int constant) as string value in argument to greet\n./main.go:11:20: not enough arguments in call to greet\n\thave ()\n\twant (string)\n",
        ),
        (
            "package main\n\nfunc main() {\n\ty := 1\n\ty := 2\n\t_ = y\n\tz = 3\n}\n",
            "# example.com/app\n./main.go:5:4: no new variables on left side of :=\n./main.go:7:2: undefined: z\n",
        ),
    ];
    for (src, want) in cases {
        let r = lab.build(src);
        assert_eq!((r.status, r.err.as_str()), (1, want), "{src}");
        assert!(!lab.shell.fs().exists("/out/app"), "{src}");
    }
    // Outside a module, a directory build needs a go.mod.
    let mut bare = super::tests::lab();
    bare.file("/src/main.go", HELLO);
    let r = bare.run("go build .");
    assert_eq!(
        (r.status, r.err.as_str()),
        (
            1,
            "go: go.mod file not found in current directory or any parent directory; see 'go help modules'\n"
        )
    );
    // Naming the files works without one.
    let r = bare.run("go run main.go");
    assert_eq!((r.status, r.out.as_str()), (0, "hello from go\n"));
}

#[test]
fn valid_go_beyond_the_subset_is_refused_as_such() {
    let mut lab = lab();
    let r =
        lab.build("package main\n\nimport \"fmt\"\n\nfunc main() {\n\tgo fmt.Println(\"x\")\n}\n");
    assert_eq!(r.status, 1);
    assert_eq!(
        r.err,
        "docklab: this lab's go does not support go statements (goroutines) (./main.go:6:2)\n"
    );
    let r =
        lab.build("package main\n\nimport \"bufio\"\n\nfunc main() {\n\t_ = bufio.NewScanner\n}\n");
    assert_eq!(
        r.err,
        "docklab: this lab's go does not support package bufio (./main.go:3:8)\n"
    );
}

#[test]
fn binaries_are_sized_like_go_binaries_and_run_their_program() {
    let mut lab = lab();
    let r = lab.build(HELLO);
    assert_eq!((r.status, r.err.as_str()), (0, ""));
    let hello = lab.size("/out/app");
    assert!((1_900_000..2_400_000).contains(&hello), "{hello}");
    assert_eq!(lab.run("/out/app").out, "hello from go\n");
    // The build cache is where go keeps it.
    assert!(lab.shell.fs().exists("/root/.cache/go-build/README"));
    lab.file("/src/main.go", SERVER);
    assert_eq!(lab.run("go build -o /out/server .").status, 0);
    let server = lab.size("/out/server");
    assert!((6_800_000..8_200_000).contains(&server), "{server}");
    assert_eq!(
        lab.run("go build -ldflags=\"-s -w\" -o /out/small .")
            .status,
        0
    );
    let small = lab.size("/out/small");
    assert!(
        small < server * 75 / 100 && small > server * 60 / 100,
        "{small}"
    );
    // Without -o, the binary is named after the module's last element.
    assert_eq!(lab.run("go build").status, 0);
    let bytes = lab.shell.fs().read("/src/app").unwrap();
    assert_eq!(crate::engine::program::identify(&bytes), Some("go-binary"));
}

const FORMATS: &str = r#"package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

type Point struct {
	X, Y int
}

func (p Point) Sum() int { return p.X + p.Y }

func (p *Point) Move(dx int) { p.X += dx }

func divide(a, b int) (int, error) {
	if b == 0 {
		return 0, errors.New("division by zero")
	}
	return a / b, nil
}

func main() {
	p := Point{1, 2}
	p.Move(10)
	fmt.Printf("%v %+v %T %d\n", p, p, p, p.Sum())
	fmt.Printf("%q %5.2f|%-4d|%x %t\n", "hi", 3.14159, 7, 255, true)
	fmt.Println([]int{1, 2, 3}, map[string]int{"b": 2, "a": 1}, &p, 2.5, nil)
	if _, err := divide(1, 0); err != nil {
		fmt.Println("error:", err)
	}
	n, _ := strconv.Atoi("42")
	words := strings.Fields(" go  is fun ")
	fmt.Println(n+1, strings.Join(words, "-"), strings.ToUpper("x"), len(words))
	total := 0
	for i := 0; i < 5; i++ {
		if i%2 == 0 {
			continue
		}
		total += i
	}
	for _, w := range words {
		defer fmt.Println("deferred", w)
	}
	counter := func() func() int {
		c := 0
		return func() int { c++; return c }
	}()
	counter()
	switch total {
	case 4:
		fmt.Println("total four, counter", counter())
	default:
		fmt.Println("other")
	}
	fmt.Println(os.Getenv("GREETING"), time.Duration(1500)*time.Millisecond, os.Args[0])
	var f float64 = 3
	fmt.Println(f/2, 7/2, 1e6, float64(7)/2)
}
"#;

#[test]
fn programs_format_and_compute_as_go_does() {
    let mut lab = lab();
    lab.shell.export("GREETING", "hola");
    assert_eq!(lab.build(FORMATS).err, "");
    let r = lab.run("/out/app");
    assert_eq!(r.err, "");
    assert_eq!(
        r.out,
        "{11 2} {X:11 Y:2} main.Point 13\n\"hi\"  3.14|7   |ff true\n[1 2 3] map[a:1 b:2] &{11 2} 2.5 <nil>\nerror: division by zero\n43 go-is-fun X 3\ntotal four, counter 2\nhola 1.5s /out/app\n1.5 3 1e+06 3.5\ndeferred fun\ndeferred is\ndeferred go\n"
    );
}

#[test]
fn panics_exit_2_with_go_s_report_and_go_run_adds_the_exit_status() {
    let mut lab = lab();
    let src = "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tnums := []int{1, 2, 3}\n\ti := 5\n\tfmt.Println(\"before\")\n\tfmt.Println(nums[i])\n}\n";
    assert_eq!(lab.build(src).status, 0);
    let r = lab.run("/out/app");
    assert_eq!(r.status, 2);
    assert_eq!(r.out, "before\n");
    assert_eq!(
        r.err,
        "panic: runtime error: index out of range [5] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:9 +0x1d\n"
    );
    let r = lab.run("go run .");
    assert_eq!(r.status, 1);
    assert!(
        r.err.ends_with("\t/src/main.go:9 +0x1d\nexit status 2\n"),
        "{}",
        r.err
    );
    lab.file("/src/main.go", "package main\n\nimport (\n\t\"log\"\n\t\"os\"\n)\n\nfunc main() {\n\tlog.Println(\"starting\")\n\tif len(os.Args) > 1 {\n\t\tlog.Fatalf(\"bad %s\", os.Args[1])\n\t}\n}\n");
    let r = lab.run("go run . x");
    assert_eq!(
        r.err,
        "2026/12/04 18:40:00 starting\n2026/12/04 18:40:00 bad x\nexit status 1\n"
    );
}

#[test]
fn a_program_that_never_ends_stops_when_its_budget_runs_out() {
    let mut lab = lab();
    let src = "package main\n\nfunc main() {\n\tn := 0\n\tfor n >= 0 {\n\t\tn = n % 7\n\t}\n}\n";
    assert_eq!(lab.build(src).status, 0);
    let limits = crate::engine::budget::Limits {
        time: Duration::from_millis(300),
        memory: None,
    };
    let (r, exceeded) = crate::engine::budget::within(limits, || lab.run("/out/app"));
    assert!(exceeded.is_some());
    assert_ne!(r.status, 0);
    // Recursion without end ends as Go's stack overflow does.
    let src = "package main\n\nfunc f(n int) int { return f(n + 1) }\n\nfunc main() {\n\tf(0)\n}\n";
    assert_eq!(lab.build(src).status, 0);
    let r = lab.run("/out/app");
    assert_eq!(r.status, 2);
    assert!(
        r.err.starts_with(
            "runtime: goroutine stack exceeds 1000000000-byte limit\nfatal error: stack overflow"
        ),
        "{}",
        r.err
    );
}

#[test]
fn go_run_keeps_a_server_s_binary_for_its_published_port() {
    let mut lab = lab();
    lab.build(SERVER);
    let r = lab.run("go run .");
    assert_eq!(r.status, 0, "{}", r.err);
    assert_eq!(
        lab.host.listened,
        vec![(8080, "go:/tmp/go-build1804289383/b001/exe/app".to_string())]
    );
    assert!(
        lab.shell
            .fs()
            .exists("/tmp/go-build1804289383/b001/exe/app")
    );
}

const SERVER: &str = r#"package main

import (
	"fmt"
	"log"
	"net/http"
)

var visits int

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		visits++
		fmt.Fprintf(w, "Hello from Go! path=%s visit=%d\n", r.URL.Path, visits)
	})
	http.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, "{\"method\":%q,\"name\":%q}\n", r.Method, r.URL.Query().Get("name"))
	})
	http.HandleFunc("/exact", func(w http.ResponseWriter, r *http.Request) {
		log.Println("exact hit")
		fmt.Fprint(w, "<html><body>exact</body></html>")
	})
	log.Println("listening on :8080")
	log.Fatal(http.ListenAndServe(":8080", nil))
}
"#;

#[test]
fn a_server_listens_on_all_addresses_only_when_it_binds_them() {
    let mut lab = lab();
    assert_eq!(lab.build(SERVER).status, 0);
    let r = lab.run("/out/app");
    assert_eq!(r.err, "2026/12/04 18:40:00 listening on :8080\n");
    assert_eq!(lab.host.listened, vec![(8080, "go:/out/app".to_string())]);
    let mut lab2 = super::tests::lab();
    assert_eq!(
        lab2.build(&SERVER.replace("\":8080\"", "\"127.0.0.1:8080\""))
            .status,
        0
    );
    lab2.run("/out/app");
    assert!(lab2.host.listened.is_empty());
}

fn view_of(fs: &Snapshot) -> ContainerView {
    let mut layer = Layer::new();
    let bytes = fs.read("/out/app").unwrap();
    layer.put("out", Node::dir(0o755, Timestamp::default()));
    layer.put("out/app", Node::file(bytes, 0o755, Timestamp::default()));
    let stack = Arc::new(LayerStack::new(vec![Arc::new(layer)]));
    ContainerView::new(
        "c1",
        LiveFs::new(stack, "/nonexistent/upper.tar".into()),
        vec!["PATH=/bin".into()],
        "/",
        "c1",
        "172.17.0.2",
        crate::engine::clock::Clock::parse_fixed("2026-12-04T18:40:00Z").unwrap(),
        Default::default(),
    )
}

fn get(app: &GoApp, target: &str) -> AppReply {
    app.respond(&AppRequest {
        method: "GET".into(),
        target: target.into(),
        version: "HTTP/1.1",
        headers: vec![("host".into(), "localhost:8080".into())],
        body: Vec::new(),
    })
}

fn header<'a>(reply: &'a AppReply, name: &str) -> Option<&'a str> {
    reply
        .headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn handlers_answer_requests_with_servemux_rules_and_go_s_headers() {
    let mut lab = lab();
    assert_eq!(lab.build(SERVER).status, 0);
    let app = start_app("/out/app", view_of(lab.shell.fs())).unwrap();
    let r = get(&app, "/hello");
    assert_eq!(r.status, 200);
    assert_eq!(
        String::from_utf8_lossy(&r.body),
        "Hello from Go! path=/hello visit=1\n"
    );
    assert_eq!(
        r.headers,
        vec![
            (
                "Content-Type".to_string(),
                "text/plain; charset=utf-8".to_string()
            ),
            (
                "Date".to_string(),
                "Fri, 04 Dec 2026 18:40:00 GMT".to_string()
            ),
            ("Content-Length".to_string(), "35".to_string()),
        ]
    );
    // State persists between requests, as in one running process.
    assert!(String::from_utf8_lossy(&get(&app, "/").body).ends_with("visit=2\n"));
    let r = get(&app, "/api/items?name=gopher");
    assert_eq!(r.status, 201);
    assert_eq!(header(&r, "Content-Type"), Some("application/json"));
    assert_eq!(
        String::from_utf8_lossy(&r.body),
        "{\"method\":\"GET\",\"name\":\"gopher\"}\n"
    );
    // `/api` redirects to the registered subtree `/api/`.
    let r = get(&app, "/api");
    assert_eq!((r.status, header(&r, "Location")), (301, Some("/api/")));
    let r = get(&app, "/exact");
    assert_eq!(header(&r, "Content-Type"), Some("text/html; charset=utf-8"));
    // /exact/more falls back to "/".
    assert!(String::from_utf8_lossy(&get(&app, "/exact/more").body).starts_with("Hello"));
}

#[test]
fn without_a_root_handler_unknown_paths_get_go_s_404() {
    let mut lab = lab();
    let src = SERVER.replace("http.HandleFunc(\"/\",", "http.HandleFunc(\"/home\",");
    assert_eq!(lab.build(&src).status, 0);
    let app = start_app("/out/app", view_of(lab.shell.fs())).unwrap();
    let r = get(&app, "/nope");
    assert_eq!(r.status, 404);
    assert_eq!(String::from_utf8_lossy(&r.body), "404 page not found\n");
    assert_eq!(
        header(&r, "Content-Type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(header(&r, "X-Content-Type-Options"), Some("nosniff"));
    assert_eq!(header(&r, "Date"), Some("Fri, 04 Dec 2026 18:40:00 GMT"));
}

#[test]
fn a_payload_roundtrips_and_foreign_bytes_are_no_program() {
    let p = Payload {
        package: "example.com/app".into(),
        dir: "/src".into(),
        files: vec![("main.go".into(), HELLO.into())],
    };
    let bytes =
        crate::engine::program::executable_with_payload("go-binary", &p.encode(), 2_000_000);
    let (back, files) = load_binary(&bytes).unwrap();
    assert_eq!(back, p);
    assert_eq!(files.len(), 1);
    assert!(load_binary(&crate::engine::program::executable("go-binary", 1000)).is_none());
    assert!(load_binary(b"\x7fELF garbage").is_none());
}
