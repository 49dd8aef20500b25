//! Docker CLI formatting: tables (Go tabwriter semantics), sizes, durations, truncation,
//! and the Go `text/template` subset behind `--format`.
//!
//! Owns pure text functions only: no I/O, no `Backend`, no engine types. Uses nothing
//! outside `crate::cli`, std and serde/serde_json; the command modules feed it plain
//! values (`serde_json::Value` rows or a [`TemplateContext`]).

mod tabwriter;
mod template;
mod timestamps;
mod units;

pub use tabwriter::{TableWriter, tabwrite};
pub use template::{
    Format, MapContext, Template, TemplateContext, TemplateError, render, render_with,
    sorted_object,
};
pub use timestamps::timestamp_flag;
pub use units::{
    bytes_size, command_column, ellipsis, go_quote, human_duration, human_size,
    human_size_precision, quote_command, time_ago, truncate_id,
};
