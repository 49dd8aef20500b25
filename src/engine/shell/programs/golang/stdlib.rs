//! What the lab's Go knows of the standard library: the packages it provides, the
//! signature of every member and method it implements (written in Go syntax, read by
//! the parser), and strconv's quoting. The members' behaviour lives in `interp`.

use super::types::Type;

/// The packages a program may import; `size` is what linking each adds to a binary.
pub const PACKAGES: &[(&str, usize)] = &[
    ("fmt", 780_000),
    ("os", 160_000),
    ("strings", 60_000),
    ("strconv", 90_000),
    ("time", 240_000),
    ("log", 40_000),
    ("net/http", 4_600_000),
    ("encoding/json", 420_000),
    ("math", 30_000),
    ("errors", 8_000),
    ("sort", 20_000),
];

/// Packages of the real standard library the lab does not provide.
const UNSUPPORTED: &[&str] = &[
    "bufio",
    "bytes",
    "context",
    "crypto/rand",
    "crypto/sha256",
    "database/sql",
    "embed",
    "flag",
    "html/template",
    "io",
    "io/ioutil",
    "math/rand",
    "net",
    "net/url",
    "os/exec",
    "os/signal",
    "path",
    "path/filepath",
    "reflect",
    "regexp",
    "runtime",
    "slices",
    "maps",
    "sync",
    "sync/atomic",
    "syscall",
    "testing",
    "text/template",
    "unicode",
    "unicode/utf8",
    "log/slog",
    "encoding/base64",
    "encoding/csv",
    "encoding/xml",
    "net/http/httptest",
    "io/fs",
    "container/list",
    "hash/fnv",
    "crypto/md5",
    "math/big",
];

pub enum PackageKind {
    Provided,
    /// In Go's standard library, not in the lab's.
    Unsupported,
    /// Not a standard package: a module from the network.
    External,
    /// Looks standard (no dot in its first element) but Go has no such package.
    NotInStd,
}

pub fn package_kind(path: &str) -> PackageKind {
    if PACKAGES.iter().any(|(p, _)| *p == path) {
        PackageKind::Provided
    } else if UNSUPPORTED.contains(&path) {
        PackageKind::Unsupported
    } else if path
        .split('/')
        .next()
        .is_some_and(|first| first.contains('.'))
    {
        PackageKind::External
    } else {
        PackageKind::NotInStd
    }
}

/// Package members: (package, name, type in Go syntax). Values are written as `var T`.
const MEMBERS: &[(&str, &str, &str)] = &[
    ("fmt", "Println", "func(...any) (int, error)"),
    ("fmt", "Printf", "func(string, ...any) (int, error)"),
    ("fmt", "Print", "func(...any) (int, error)"),
    ("fmt", "Sprintf", "func(string, ...any) string"),
    ("fmt", "Sprint", "func(...any) string"),
    ("fmt", "Sprintln", "func(...any) string"),
    ("fmt", "Errorf", "func(string, ...any) error"),
    ("fmt", "Fprintf", "func(any, string, ...any) (int, error)"),
    ("fmt", "Fprintln", "func(any, ...any) (int, error)"),
    ("fmt", "Fprint", "func(any, ...any) (int, error)"),
    ("os", "Getenv", "func(string) string"),
    ("os", "LookupEnv", "func(string) (string, bool)"),
    ("os", "Exit", "func(int)"),
    ("os", "Args", "var []string"),
    ("os", "Stdout", "var *os.File"),
    ("os", "Stderr", "var *os.File"),
    ("os", "Hostname", "func() (string, error)"),
    ("os", "ReadFile", "func(string) ([]byte, error)"),
    ("os", "Getpid", "func() int"),
    ("strings", "ToUpper", "func(string) string"),
    ("strings", "ToLower", "func(string) string"),
    ("strings", "TrimSpace", "func(string) string"),
    ("strings", "Title", "func(string) string"),
    ("strings", "Contains", "func(string, string) bool"),
    ("strings", "ContainsRune", "func(string, rune) bool"),
    ("strings", "HasPrefix", "func(string, string) bool"),
    ("strings", "HasSuffix", "func(string, string) bool"),
    ("strings", "Index", "func(string, string) int"),
    ("strings", "LastIndex", "func(string, string) int"),
    ("strings", "Count", "func(string, string) int"),
    ("strings", "Split", "func(string, string) []string"),
    ("strings", "SplitN", "func(string, string, int) []string"),
    ("strings", "Fields", "func(string) []string"),
    ("strings", "Join", "func([]string, string) string"),
    ("strings", "Repeat", "func(string, int) string"),
    (
        "strings",
        "Replace",
        "func(string, string, string, int) string",
    ),
    (
        "strings",
        "ReplaceAll",
        "func(string, string, string) string",
    ),
    ("strings", "Trim", "func(string, string) string"),
    ("strings", "TrimLeft", "func(string, string) string"),
    ("strings", "TrimRight", "func(string, string) string"),
    ("strings", "TrimPrefix", "func(string, string) string"),
    ("strings", "TrimSuffix", "func(string, string) string"),
    ("strings", "EqualFold", "func(string, string) bool"),
    ("strings", "Builder", "type strings.Builder"),
    ("strconv", "Itoa", "func(int) string"),
    ("strconv", "Atoi", "func(string) (int, error)"),
    (
        "strconv",
        "ParseFloat",
        "func(string, int) (float64, error)",
    ),
    (
        "strconv",
        "ParseInt",
        "func(string, int, int) (int64, error)",
    ),
    ("strconv", "ParseBool", "func(string) (bool, error)"),
    ("strconv", "FormatInt", "func(int64, int) string"),
    (
        "strconv",
        "FormatFloat",
        "func(float64, byte, int, int) string",
    ),
    ("strconv", "FormatBool", "func(bool) string"),
    ("strconv", "Quote", "func(string) string"),
    ("time", "Now", "func() time.Time"),
    ("time", "Sleep", "func(time.Duration)"),
    ("time", "Since", "func(time.Time) time.Duration"),
    ("time", "Unix", "func(int64, int64) time.Time"),
    ("time", "Nanosecond", "var time.Duration"),
    ("time", "Microsecond", "var time.Duration"),
    ("time", "Millisecond", "var time.Duration"),
    ("time", "Second", "var time.Duration"),
    ("time", "Minute", "var time.Duration"),
    ("time", "Hour", "var time.Duration"),
    ("time", "RFC3339", "var string"),
    ("time", "Kitchen", "var string"),
    ("time", "DateTime", "var string"),
    ("time", "DateOnly", "var string"),
    ("time", "Duration", "type time.Duration"),
    ("time", "Time", "type time.Time"),
    ("log", "Println", "func(...any)"),
    ("log", "Printf", "func(string, ...any)"),
    ("log", "Print", "func(...any)"),
    ("log", "Fatal", "func(...any)"),
    ("log", "Fatalf", "func(string, ...any)"),
    ("log", "Fatalln", "func(...any)"),
    ("log", "Panic", "func(...any)"),
    ("log", "Panicf", "func(string, ...any)"),
    ("log", "SetFlags", "func(int)"),
    ("log", "SetPrefix", "func(string)"),
    ("log", "LstdFlags", "var int"),
    ("log", "Lshortfile", "var int"),
    (
        "net/http",
        "HandleFunc",
        "func(string, func(http.ResponseWriter, *http.Request))",
    ),
    ("net/http", "ListenAndServe", "func(string, any) error"),
    (
        "net/http",
        "Error",
        "func(http.ResponseWriter, string, int)",
    ),
    (
        "net/http",
        "NotFound",
        "func(http.ResponseWriter, *http.Request)",
    ),
    ("net/http", "StatusText", "func(int) string"),
    ("net/http", "ResponseWriter", "type http.ResponseWriter"),
    ("net/http", "Request", "type http.Request"),
    ("net/http", "MethodGet", "var string"),
    ("net/http", "MethodPost", "var string"),
    ("net/http", "MethodPut", "var string"),
    ("net/http", "MethodDelete", "var string"),
    ("net/http", "StatusOK", "var int"),
    ("net/http", "StatusCreated", "var int"),
    ("net/http", "StatusNoContent", "var int"),
    ("net/http", "StatusMovedPermanently", "var int"),
    ("net/http", "StatusFound", "var int"),
    ("net/http", "StatusBadRequest", "var int"),
    ("net/http", "StatusUnauthorized", "var int"),
    ("net/http", "StatusForbidden", "var int"),
    ("net/http", "StatusNotFound", "var int"),
    ("net/http", "StatusMethodNotAllowed", "var int"),
    ("net/http", "StatusInternalServerError", "var int"),
    ("net/http", "StatusServiceUnavailable", "var int"),
    ("encoding/json", "Marshal", "func(any) ([]byte, error)"),
    (
        "encoding/json",
        "MarshalIndent",
        "func(any, string, string) ([]byte, error)",
    ),
    ("encoding/json", "NewEncoder", "func(any) *json.Encoder"),
    ("math", "Sqrt", "func(float64) float64"),
    ("math", "Pow", "func(float64, float64) float64"),
    ("math", "Abs", "func(float64) float64"),
    ("math", "Floor", "func(float64) float64"),
    ("math", "Ceil", "func(float64) float64"),
    ("math", "Round", "func(float64) float64"),
    ("math", "Max", "func(float64, float64) float64"),
    ("math", "Min", "func(float64, float64) float64"),
    ("math", "Mod", "func(float64, float64) float64"),
    ("math", "Pi", "var untyped float"),
    ("math", "E", "var untyped float"),
    ("math", "MaxInt", "var untyped int"),
    ("math", "MinInt", "var untyped int"),
    ("math", "MaxInt64", "var untyped int"),
    ("math", "Inf", "func(int) float64"),
    ("errors", "New", "func(string) error"),
    ("errors", "Is", "func(error, error) bool"),
    ("sort", "Ints", "func([]int)"),
    ("sort", "Strings", "func([]string)"),
    ("sort", "Float64s", "func([]float64)"),
];

/// Methods of the standard types: (receiver, name, type).
const METHODS: &[(&str, &str, &str)] = &[
    ("http.ResponseWriter", "Header", "func() http.Header"),
    ("http.ResponseWriter", "Write", "func([]byte) (int, error)"),
    ("http.ResponseWriter", "WriteHeader", "func(int)"),
    ("http.Header", "Set", "func(string, string)"),
    ("http.Header", "Add", "func(string, string)"),
    ("http.Header", "Get", "func(string) string"),
    ("http.Header", "Del", "func(string)"),
    ("url.Values", "Get", "func(string) string"),
    ("url.Values", "Has", "func(string) bool"),
    ("*url.URL", "Query", "func() url.Values"),
    ("*url.URL", "String", "func() string"),
    ("*http.Request", "FormValue", "func(string) string"),
    ("*http.Request", "UserAgent", "func() string"),
    ("time.Time", "Format", "func(string) string"),
    ("time.Time", "Unix", "func() int64"),
    ("time.Time", "UnixNano", "func() int64"),
    ("time.Time", "Year", "func() int"),
    ("time.Time", "Hour", "func() int"),
    ("time.Time", "Minute", "func() int"),
    ("time.Time", "Second", "func() int"),
    ("time.Time", "Sub", "func(time.Time) time.Duration"),
    ("time.Time", "String", "func() string"),
    ("time.Time", "UTC", "func() time.Time"),
    ("time.Duration", "Seconds", "func() float64"),
    ("time.Duration", "Milliseconds", "func() int64"),
    ("time.Duration", "String", "func() string"),
    ("error", "Error", "func() string"),
    ("*json.Encoder", "Encode", "func(any) error"),
    ("*json.Encoder", "SetIndent", "func(string, string)"),
    (
        "*strings.Builder",
        "WriteString",
        "func(string) (int, error)",
    ),
    ("*strings.Builder", "WriteByte", "func(byte) error"),
    ("*strings.Builder", "WriteRune", "func(rune) (int, error)"),
    ("*strings.Builder", "String", "func() string"),
    ("*strings.Builder", "Len", "func() int"),
    (
        "strings.Builder",
        "WriteString",
        "func(string) (int, error)",
    ),
    ("strings.Builder", "String", "func() string"),
    ("*os.File", "WriteString", "func(string) (int, error)"),
    ("*os.File", "Write", "func([]byte) (int, error)"),
];

/// Fields of the standard types: (type, field, type).
const FIELDS: &[(&str, &str, &str)] = &[
    ("*http.Request", "Method", "string"),
    ("*http.Request", "URL", "*url.URL"),
    ("*http.Request", "Header", "http.Header"),
    ("*http.Request", "Host", "string"),
    ("*http.Request", "RemoteAddr", "string"),
    ("*http.Request", "RequestURI", "string"),
    ("*http.Request", "Proto", "string"),
    ("*url.URL", "Path", "string"),
    ("*url.URL", "RawQuery", "string"),
];

/// The standard types, by the names the signatures use.
pub const STD_TYPES: &[&str] = &[
    "http.ResponseWriter",
    "http.Request",
    "http.Header",
    "url.Values",
    "url.URL",
    "time.Time",
    "time.Duration",
    "json.Encoder",
    "os.File",
    "strings.Builder",
];

pub enum Member {
    Value(Type),
    Func(Type),
    Type(Type),
}

/// A package member's type, converted by `convert` (the checker's type resolver).
pub fn member(pkg: &str, name: &str, convert: &dyn Fn(&str) -> Type) -> Option<Member> {
    let (_, _, sig) = MEMBERS.iter().find(|(p, n, _)| *p == pkg && *n == name)?;
    Some(if let Some(t) = sig.strip_prefix("var ") {
        Member::Value(match t {
            "untyped float" => Type::UntypedFloat,
            "untyped int" => Type::UntypedInt,
            _ => convert(t),
        })
    } else if let Some(t) = sig.strip_prefix("type ") {
        Member::Type(convert(t))
    } else {
        Member::Func(convert(sig))
    })
}

/// The names a package provides, for "did you mean" decisions.
pub fn member_names(pkg: &str) -> impl Iterator<Item = &'static str> + '_ {
    MEMBERS
        .iter()
        .filter(move |(p, _, _)| *p == pkg)
        .map(|(_, n, _)| *n)
}

/// The field or method `name` of standard type `recv` (as written: `*http.Request`).
pub fn selector(recv: &str, name: &str, convert: &dyn Fn(&str) -> Type) -> Option<Type> {
    let bare = recv.trim_start_matches('*');
    let find = |table: &[(&str, &str, &str)]| {
        table
            .iter()
            .find(|(r, n, _)| (*r == recv || r.trim_start_matches('*') == bare) && *n == name)
            .map(|(_, _, t)| convert(t))
    };
    find(FIELDS).or_else(|| find(METHODS))
}

/// strconv.Quote.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// strconv.QuoteRune.
pub fn quote_rune(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '"' => "'\"'".into(),
        c => {
            let q = quote(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

/// Edit distance, for telling a typo of a provided name from a name the lab lacks.
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(!a[i - 1].eq_ignore_ascii_case(&b[j - 1]));
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}
