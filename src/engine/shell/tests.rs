//! End-to-end behaviour of the shell and its utilities, with busybox's wording.

use super::Flavour;
use super::testutil::{lab, run, run_stdin, sh, shell};

#[test]
fn expansion_and_quoting() {
    assert_eq!(sh("X=a; echo \"$X\"b '$X' ${X}c ${#X}").0, "ab $X ac 1\n");
    assert_eq!(
        sh("echo ${U:-def} ${U:=set} $U ${U:+alt}").0,
        "def set set alt\n"
    );
    assert_eq!(
        sh("P=a/b/c.txt; echo ${P##*/} ${P%.*} ${P#*/} ${P%%/*}").0,
        "c.txt a/b/c b/c.txt a\n"
    );
    assert_eq!(sh("echo $((1 + 2 * 3)) $(( (2+3) % 3 ))").0, "7 2\n");
    assert_eq!(
        sh("echo $(echo hi $(echo there)) `echo back`").0,
        "hi there back\n"
    );
    assert_eq!(
        sh("set -- a 'b c'; for x in \"$@\"; do echo \"[$x]\"; done; echo $#").0,
        "[a]\n[b c]\n2\n"
    );
    assert_eq!(sh("V='1  2'; for x in $V; do echo $x; done").0, "1\n2\n");
}

#[test]
fn control_flow_and_functions() {
    assert_eq!(
        sh("if false; then echo a; elif true; then echo b; else echo c; fi").0,
        "b\n"
    );
    assert_eq!(
        sh("i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i").0,
        "3\n"
    );
    assert_eq!(
        sh("for i in 1 2 3 4; do [ $i = 3 ] && break; echo $i; done").0,
        "1\n2\n"
    );
    assert_eq!(
        sh("case abc in a*) echo yes;; *) echo no;; esac").0,
        "yes\n"
    );
    assert_eq!(
        sh("f() { echo \"$1-$#\"; return 3; }; f x y; echo $?").0,
        "x-2\n3\n"
    );
    assert_eq!(sh("X=1; (X=2; cd /tmp 2>/dev/null); echo $X").0, "1\n");
    assert_eq!(
        sh("true && echo a || echo b; false || echo c; ! true; echo $?").0,
        "a\nc\n1\n"
    );
    assert_eq!(sh("exit 4; echo no"), (String::new(), String::new(), 4));
    assert_eq!(sh("set -e; false; echo no").2, 1);
}

#[test]
fn redirections_and_heredocs() {
    let (_d, mut s) = lab();
    let r = run(
        &mut s,
        "echo one > f; echo two >> f; cat f; cat < f | wc -l",
    );
    assert_eq!(r.out, "one\ntwo\n2\n");
    let r = run(
        &mut s,
        "X=v; cat <<EOF\n$X here\nEOF\ncat <<'E'\n$X\nE\ncat <<-T\n\tTabbed\n\tT\n",
    );
    assert_eq!(r.out, "v here\n$X\nTabbed\n");
    let r = run(&mut s, "ls nope 2>&1 | cat; echo err >&2 2>/dev/null");
    assert_eq!(r.out, "ls: nope: No such file or directory\n");
    assert_eq!(r.err, "err\n");
    let r = run(&mut s, "echo x > nodir/f");
    assert_eq!(r.err, "sh: can't create nodir/f: nonexistent directory\n");
    assert_eq!(r.status, 1);
}

#[test]
fn not_found_per_flavour() {
    for (f, msg) in [
        (Flavour::Ash, "sh: nmap: not found\n"),
        (Flavour::Dash, "sh: 1: nmap: not found\n"),
        (Flavour::Bash, "bash: nmap: command not found\n"),
    ] {
        let (_d, mut s) = shell(f);
        let r = run(&mut s, "nmap");
        assert_eq!((r.err.as_str(), r.status), (msg, 127));
    }
    let (_, err, st) = sh("vim notes.txt");
    assert!(err.contains("edit FILE"), "{err}");
    assert_eq!(st, 127);
}

#[test]
fn syntax_errors() {
    let (_d, mut s) = shell(Flavour::Ash);
    let r = run(&mut s, "fi");
    assert_eq!(
        (r.err.as_str(), r.status),
        ("sh: syntax error: unexpected \"fi\"\n", 2)
    );
    let (_d, mut s) = shell(Flavour::Dash);
    assert_eq!(
        run(&mut s, "fi").err,
        "sh: 1: Syntax error: \"fi\" unexpected\n"
    );
}

#[test]
fn scripts_and_paths() {
    let (_d, mut s) = lab();
    let r = run(
        &mut s,
        "printf '#!/bin/sh\\necho \"$0 $1\"\\nexit 5\\n' > s.sh; ./s.sh; echo $?; chmod +x s.sh; ./s.sh arg; echo $?; ./missing",
    );
    assert_eq!(r.out, "126\n./s.sh arg\n5\n");
    assert_eq!(
        r.err,
        "sh: ./s.sh: Permission denied\nsh: ./missing: not found\n"
    );
    assert_eq!(r.status, 127);
}

#[test]
fn cd_and_messages() {
    let (_d, mut s) = lab();
    let r = run(
        &mut s,
        "mkdir -p a/b; cd a/b; pwd; cd ..; pwd; cd -; cd; pwd; cd x",
    );
    assert_eq!(r.out, "/a/b\n/a\n/a/b\n/\n");
    assert_eq!(r.err, "sh: cd: can't cd to x: No such file or directory\n");
    let r = run(&mut s, "cat x; rm x; mkdir q/r");
    assert_eq!(
        r.err,
        "cat: can't open 'x': No such file or directory\nrm: can't remove 'x': No such file or directory\nmkdir: can't create directory 'q/r': No such file or directory\n"
    );
}

#[test]
fn file_utilities() {
    let (_d, mut s) = lab();
    let r = run(
        &mut s,
        "mkdir d; touch d/b d/a .h; ls; ls -a d; cp -r d e; mv e/a e/z; ls e; rm -rf d; ls",
    );
    assert_eq!(r.out, "d\n.\n..\na\nb\nb\nz\ne\n");
    let r = run(
        &mut s,
        "ln -s e link; ls -l | grep -c link; find . -name '*z'; du -s e | cut -f2",
    );
    assert_eq!(r.out, "1\n./e/z\ne\n");
}

#[test]
fn text_utilities() {
    let (_d, mut s) = lab();
    let r = run(
        &mut s,
        "printf 'b\\na\\nc\\na\\n' > t; sort t | uniq -c; sort -r -u t | head -n 1; tail -1 t; wc -l t; wc -w < t",
    );
    assert_eq!(r.out, "      2 a\n      1 b\n      1 c\nc\na\n4 t\n4\n");
    let r = run(
        &mut s,
        "echo hello world | sed 's/o/0/g'; echo abc | sed -n 's/\\(a\\)b/\\1X&/p'; grep -n a t; grep -v -c a t",
    );
    assert_eq!(r.out, "hell0 w0rld\naXabc\n2:a\n4:a\n2\n");
    let r = run(
        &mut s,
        "echo Hello | tr a-z A-Z; echo a:b:c | cut -d: -f2,3; printf '%5s|%-3d|%x|%%\\n' hi 7 255; printf '%s\\n' a b",
    );
    assert_eq!(r.out, "HELLO\nb:c\n   hi|7  |ff|%\na\nb\n");
    let r = run(
        &mut s,
        "echo -e 'a\\tb'; echo -n x; basename /a/b.txt .txt; dirname /a/b; seq 3 | xargs echo; date +%Y",
    );
    assert_eq!(r.out, "a\tb\nxb\n/a\n1 2 3\n2023\n");
    let r = run(
        &mut s,
        "[ -f t ] && [ ! -d t ] && test 3 -gt 2 -a abc = abc && echo ok; [ 1 -lt",
    );
    assert_eq!(r.out, "ok\n");
}

#[test]
fn read_and_builtins() {
    let (_d, mut s) = lab();
    let r = run_stdin(
        &mut s,
        "read a b; echo \"$b|$a\"; while read l; do echo \"<$l>\"; done",
        b"x y z\n1\n2\n",
    );
    assert_eq!(r.out, "y z|x\n<1>\n<2>\n");
    let r = run(
        &mut s,
        "command -v ls; type cd; eval 'echo $((2*21))'; export E=1; env | grep ^E=",
    );
    assert_eq!(r.out, "/bin/ls\ncd is a shell builtin\n42\nE=1\n");
}

#[test]
fn deep_recursion_is_stopped() {
    let (out, err, st) = sh("f() { f; }; f; echo after");
    assert!(err.contains("nesting too deep"), "{err}");
    assert_eq!((out.as_str(), st), ("", 2));
}

#[test]
fn interrupt_stops_loops() {
    let (_d, mut s) = lab();
    s.interrupt_flag()
        .store(true, std::sync::atomic::Ordering::Relaxed);
    let r = run(&mut s, "while true; do :; done");
    assert_eq!(r.status, 130);
    assert_eq!(run(&mut s, "echo again").out, "again\n");
}

/// Each case was run through `busybox sh -c` with f4 holding the lines a, b, c, d.
#[test]
fn stdin_is_one_stream_shared_by_read_and_utilities() {
    let cases = [
        (
            "while read l; do echo \"[$l]\"; cat; done < f4",
            "[a]\nb\nc\nd\n",
        ),
        (
            "while read l; do echo \"[$l]\"; head -n1; done < f4",
            "[a]\nb\n[c]\nd\n",
        ),
        (
            "while read l; do echo \"[$l]\"; read x < f4; done < f4",
            "[a]\n[b]\n[c]\n[d]\n",
        ),
        (
            "while read l; do echo \"[$l]\"; sed -n 1p; done < f4",
            "[a]\nb\n",
        ),
        (
            "cat f4 | while read l; do echo \"[$l]\"; head -n1; done",
            "[a]\nb\n",
        ),
        (
            "while read l; do echo \"[$l]\"; echo hi | cat; done < f4",
            "[a]\nhi\n[b]\nhi\n[c]\nhi\n[d]\nhi\n",
        ),
        (
            "{ (read a; echo \"a=$a\"); read b; echo \"b=$b\"; } < f4",
            "a=a\nb=b\n",
        ),
        ("{ read a | true; read b; echo \"b=$b\"; } < f4", "b=b\n"),
        (
            "{ read a; echo \"$a\"; f() { read b; echo \"f:$b\"; }; f; grep c; read z; \
             echo \"z=$z\"; } < f4",
            "a\nf:b\nc\nz=\n",
        ),
        (
            "while read l; do echo \"[$l]\"; grep -c . f4 >/dev/null; done < f4",
            "[a]\n[b]\n[c]\n[d]\n",
        ),
    ];
    for (src, want) in cases {
        let (_d, mut s) = lab();
        run(&mut s, "printf 'a\\nb\\nc\\nd\\n' > f4");
        let r = run(&mut s, src);
        assert_eq!(r.out, want, "{src}");
    }
    // The shell's own stdin is shared the same way.
    let (_d, mut s) = lab();
    let r = run_stdin(
        &mut s,
        "read a; cat; read b; echo \"[$a][$b]\"",
        b"1\n2\n3\n",
    );
    assert_eq!(r.out, "2\n3\n[1][]\n");
}

#[test]
fn random_draws_numbers_in_ashs_range_except_in_dash() {
    let (out, _, _) = sh("echo $RANDOM $RANDOM; [ $RANDOM -le 32767 ] && echo in-range");
    let words: Vec<&str> = out.split_whitespace().collect();
    assert_eq!(words.len(), 3, "{out}");
    assert_ne!(words[0], words[1]);
    assert!(words[0].parse::<u32>().unwrap() <= 32767);
    assert_eq!(words[2], "in-range");
    // The same start every time: transcripts repeat.
    assert_eq!(sh("echo $RANDOM").0, sh("echo $RANDOM").0);
    let (_dir, mut dash) = shell(Flavour::Dash);
    assert_eq!(run(&mut dash, "echo \"[$RANDOM]\"").out, "[]\n");
}

fn bash(src: &str) -> super::testutil::Run {
    let (_d, mut s) = shell(Flavour::Bash);
    run(&mut s, src)
}

#[test]
fn bash_indirect_expansion() {
    let r = bash(
        "x=HOME; y=x; echo \"${!x}\" \"[${!y}]\" \"${!x:-d}\"; n=nope; echo \"[${!n}] [${!n:-d}]\"; set -- a b; i=2; echo ${!i}",
    );
    assert_eq!(r.out, "/ [HOME] /\n[] [d]\nb\n");
    let r = bash("unset x; echo \"${!x:-d}\"; echo after");
    assert_eq!(
        (r.out.as_str(), r.err.as_str(), r.status),
        ("", "bash: x: invalid indirect expansion\n", 1)
    );
    let r = bash("x=; echo \"${!x}\"");
    assert_eq!(
        (r.err.as_str(), r.status),
        ("bash: : invalid variable name\n", 1)
    );
}

#[test]
fn bash_substring_expansion() {
    let r = bash(
        "s=hello; echo ${s:1:3} ${s: -2} ${s:1:-1} \"[${s:10}]\" \"${s:0:1}\" ${s:i+1:2}; set -- -a b c d; echo \"${1:0:1}\" ${@:2} ${@:1:2}",
    );
    assert_eq!(r.out, "ell lo ell [] h el\n- b c d -a b\n");
    let r = bash("s=abc; echo ${s:2:-2}");
    assert_eq!(
        (r.err.as_str(), r.status),
        ("bash: -2: substring expression < 0\n", 1)
    );
}

#[test]
fn bash_funcname_and_subscripts() {
    let (_d, mut s) = shell(Flavour::Bash);
    let r = run(
        &mut s,
        "printf 'f() { echo \"${#FUNCNAME[@]} ${FUNCNAME[0]} ${FUNCNAME[1]} ${FUNCNAME[*]}\"; }\\nf\\necho \"top ${#FUNCNAME[@]}\"\\n' > a.sh; source ./a.sh; g() { f; }; g; s=hi; echo ${#s[@]} ${s[0]} \"[${s[1]}]\" ${#u[@]} ${#s[0]}",
    );
    assert_eq!(
        r.out,
        "3 f source f source main\ntop 0\n3 f g f g main\n1 hi [] 0 2\n"
    );
}

#[test]
fn posix_shells_reject_bash_substitutions() {
    for flavour in [Flavour::Dash, Flavour::Ash] {
        let (_d, mut s) = shell(flavour);
        let r = run(&mut s, "x=a; echo ${!x}");
        assert!(r.err.contains("ad substitution"), "{flavour:?}: {}", r.err);
        assert_eq!(r.status, 2);
    }
}

#[test]
fn pipefail_and_combined_set_options() {
    let r = bash(
        "false | true; echo $?; set -Eeo pipefail; echo \"[$1]\"; true | false | true || echo st=$?; (exit 3) | (exit 4) | true || echo st=$?; set +o pipefail; false | true; echo $?",
    );
    assert_eq!(r.out, "0\n[]\nst=1\nst=4\n0\n");
    let r = bash("set -eo pipefail; false | true; echo no");
    assert_eq!((r.out.as_str(), r.status), ("", 1));
}

#[test]
fn env_bash_scripts_run_as_bash() {
    let (_d, mut s) = lab();
    let r = run(
        &mut s,
        "printf '#!/usr/bin/env bash\\nset -- -x\\necho \"${1:0:1}\"\\n' > s.sh; chmod +x s.sh; ./s.sh; printf '#!/bin/sh\\necho ${x:0:1}\\n' > d.sh; chmod +x d.sh; ./d.sh",
    );
    assert_eq!(r.out, "-\n", "{}", r.err);
    assert!(r.err.contains("bad substitution"), "{}", r.err);
}

#[test]
fn umask_reports_and_sets_the_mask() {
    let r = bash("umask; um=\"$(umask)\"; umask 0077; umask; echo $um; umask 9");
    assert_eq!(r.out, "0022\n0077\n0022\n");
    assert_eq!(
        (r.err.as_str(), r.status),
        ("bash: umask: 9: octal number out of range\n", 1)
    );
}
