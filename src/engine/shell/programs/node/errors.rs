//! What node prints when a script dies: the source line with carets, the error's stack
//! with node 22's own frames below the script's, and the version line. Also the lab's
//! honest message for valid JavaScript this interpreter does not run.

/// A parse failure: V8's message and where it points, or a construct the lab's node
/// does not run.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub offset: usize,
    pub len: usize,
    /// Set when the source is valid JavaScript outside the supported subset.
    pub unsupported: Option<String>,
}

impl SyntaxError {
    pub fn new(message: &str, offset: usize, len: usize) -> SyntaxError {
        SyntaxError {
            message: message.to_string(),
            offset,
            len: len.max(1),
            unsupported: None,
        }
    }

    pub fn unsupported(what: &str, offset: usize) -> SyntaxError {
        SyntaxError {
            message: String::new(),
            offset,
            len: 1,
            unsupported: Some(what.to_string()),
        }
    }
}

/// Node's frames under a CommonJS main module's top level.
pub const MAIN_FRAMES: &[&str] = &[
    "Module._compile (node:internal/modules/cjs/loader:1730:14)",
    "Object..js (node:internal/modules/cjs/loader:1895:10)",
    "Module.load (node:internal/modules/cjs/loader:1465:32)",
    "Function._load (node:internal/modules/cjs/loader:1282:12)",
    "TracingChannel.traceSync (node:diagnostics_channel:322:14)",
    "wrapModuleLoad (node:internal/modules/cjs/loader:235:24)",
    "Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:171:5)",
    "node:internal/main/run_main_module:36:49",
];

/// Node's frames under a module loaded by `require` (then the requiring module's).
pub const REQUIRE_FRAMES: &[&str] = &[
    "Module._compile (node:internal/modules/cjs/loader:1730:14)",
    "Object..js (node:internal/modules/cjs/loader:1895:10)",
    "Module.load (node:internal/modules/cjs/loader:1465:32)",
    "Function._load (node:internal/modules/cjs/loader:1282:12)",
    "TracingChannel.traceSync (node:diagnostics_channel:322:14)",
    "wrapModuleLoad (node:internal/modules/cjs/loader:235:24)",
    "Module.require (node:internal/modules/cjs/loader:1487:12)",
    "require (node:internal/modules/helpers:135:16)",
];

/// Node's frames under `node -e` / `node -p` code.
pub const EVAL_FRAMES: &[&str] = &[
    "runScriptInThisContext (node:internal/vm:209:10)",
    "node:internal/process/execution:118:14",
    "[eval]-wrapper:6:24",
    "runScript (node:internal/process/execution:101:62)",
    "evalScript (node:internal/process/execution:136:3)",
    "node:internal/main/eval_string:55:3",
];

/// The frames of a failed module resolution, above the caller's.
pub const RESOLVE_FRAMES: &[&str] = &[
    "Function._resolveFilename (node:internal/modules/cjs/loader:1401:15)",
    "defaultResolveImpl (node:internal/modules/cjs/loader:1057:19)",
    "resolveForCJSWithHooks (node:internal/modules/cjs/loader:1062:22)",
    "Function._load (node:internal/modules/cjs/loader:1211:37)",
    "TracingChannel.traceSync (node:diagnostics_channel:322:14)",
    "wrapModuleLoad (node:internal/modules/cjs/loader:235:24)",
];

/// Where `throw err` of a failed resolution is, as node shows it.
pub const RESOLVE_THROW: &str = "node:internal/modules/cjs/loader:1404\n  throw err;\n  ^\n";

/// The frames of a SyntaxError in a main module (V8 reports it from the loader).
pub const SYNTAX_FRAMES: &[&str] = &[
    "wrapSafe (node:internal/modules/cjs/loader:1691:18)",
    "Module._compile (node:internal/modules/cjs/loader:1734:20)",
    "Object..js (node:internal/modules/cjs/loader:1895:10)",
    "Module.load (node:internal/modules/cjs/loader:1465:32)",
    "Function._load (node:internal/modules/cjs/loader:1282:12)",
    "TracingChannel.traceSync (node:diagnostics_channel:322:14)",
    "wrapModuleLoad (node:internal/modules/cjs/loader:235:24)",
    "Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:171:5)",
    "node:internal/main/run_main_module:36:49",
];

/// 1-based line and column of byte `offset` in `src`, and the text of that line.
pub fn locate(src: &str, offset: usize) -> (usize, usize, &str) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let line_end = src[line_start..]
        .find('\n')
        .map_or(src.len(), |n| line_start + n);
    let col = src[line_start..offset].chars().count() + 1;
    (line, col, src[line_start..line_end].trim_end_matches('\r'))
}

/// `FILE:LINE\nSOURCE\n   ^^^\n`: the head node prints above an uncaught error.
pub fn source_head(file: &str, src: &str, offset: usize, len: usize) -> String {
    let (line, col, text) = locate(src, offset);
    let carets = len.clamp(1, text.chars().count().saturating_sub(col - 1).max(1));
    format!(
        "{file}:{line}\n{text}\n{}{}\n",
        " ".repeat(col - 1),
        "^".repeat(carets)
    )
}

/// A SyntaxError as node prints it for a file, then the version line.
pub fn syntax_report(file: &str, src: &str, e: &SyntaxError, version: &str, eval: bool) -> String {
    if let Some(what) = &e.unsupported {
        let (line, _, _) = locate(src, e.offset);
        return format!("docklab: this lab's node does not support {what} ({file}:{line})\n");
    }
    let mut out = source_head(file, src, e.offset, e.len);
    out.push_str(&format!("\nSyntaxError: {}\n", e.message));
    let frames: &[&str] = if eval { EVAL_FRAMES } else { SYNTAX_FRAMES };
    for f in frames {
        out.push_str(&format!("    at {f}\n"));
    }
    out.push_str(&format!("\nNode.js {version}\n"));
    out
}
