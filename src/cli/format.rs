//! Docker CLI formatting: tables, sizes, durations, truncation, Go templates. To be written.
