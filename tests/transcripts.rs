//! Golden transcripts: the commands of the lessons, run through script mode with a fixed
//! seed and clock, pinned as insta snapshots.

use crate::support::{Fixture, capture};

#[test]
fn usage_errors_match_the_docker_cli_word_for_word() {
    let lab = Fixture::new();
    for name in [
        "run-single-dash-restart",
        "run-unknown-flag-restartt",
        "unknown-command-imagess",
        "tag-one-arg",
        "search-no-args",
        "pull-no-args",
        "rmi-no-args",
        "run-no-args",
        "images-unknown-shorthand-z",
        "pull-uppercase",
        "pull-bad-tag",
        "rmi-nosuch",
        "rm-nosuch",
        "tag-nosuch",
        "history-nosuch",
        "images-empty",
        "ps-empty",
        "ps-a-empty",
        "images-format-table-empty",
        "ps-format-foo",
        "images-help",
        "run-help",
        "help",
    ] {
        let want = capture(name);
        let got = &lab.records(&format!("{}\n", want.command))[0];
        assert_eq!(got.stdout, want.stdout, "stdout of `{}`", want.command);
        assert_eq!(got.stderr, want.stderr, "stderr of `{}`", want.command);
        assert_eq!(got.exit_code, want.exit, "exit code of `{}`", want.command);
    }
}
