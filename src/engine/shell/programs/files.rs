//! File utilities: cat, ls, cp, mv, rm, mkdir, rmdir, touch, ln, chmod, tee, find, du.

use std::io::Write;

use super::{Ctx, Streams, for_each_input, parse_flags};
use crate::engine::shell::exec::io_message;
use crate::engine::shell::vfs::{self, FileType, Metadata};
use crate::engine::shell::write_err;

pub fn cat(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    let Some((flags, ops)) = parse_flags("cat", &argv[1..], "nu", io.stderr) else {
        return 1;
    };
    let number = flags.contains(&'n');
    let mut line_no = 1;
    for_each_input(ctx, "cat", &ops, &mut io, |_, data, io| {
        if number {
            for line in data.split_inclusive(|&b| b == b'\n') {
                let _ = write!(io.stdout, "{line_no:6}\t");
                let _ = io.stdout.write_all(line);
                line_no += 1;
            }
        } else {
            let _ = io.stdout.write_all(data);
        }
    })
}

fn mode_string(m: &Metadata) -> String {
    let mut s = String::with_capacity(10);
    s.push(match m.file_type {
        FileType::Dir => 'd',
        FileType::Symlink => 'l',
        FileType::File => '-',
    });
    for shift in [6, 3, 0] {
        let bits = (m.mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    s
}

/// Busybox's human-readable size: bytes as is, larger units with one decimal
/// ("4.0K", "13.6K", "150.0M").
pub(crate) fn human(n: u64) -> String {
    if n < 1024 {
        return n.to_string();
    }
    let units = ["K", "M", "G", "T"];
    let mut v = n as f64 / 1024.0;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < units.len() {
        v /= 1024.0;
        i += 1;
    }
    format!("{:.1}{}", v, units[i])
}

/// Disk usage in 1K blocks as an ext4 or overlay filesystem allocates it, which is
/// what busybox's `ls -l` total and `du` add up (st_blocks / 2): whole 4K blocks for
/// file data, one block for a directory, none for a short symlink (stored in the
/// inode). Computed rather than taken from the host so output is the same everywhere.
pub(crate) fn blocks_1k(m: &Metadata) -> u64 {
    match m.file_type {
        FileType::File => m.len.div_ceil(4096) * 4,
        FileType::Dir => m.len.max(1).div_ceil(4096) * 4,
        FileType::Symlink => 0,
    }
}

/// A user name from the filesystem's own /etc/passwd (a container's), as busybox
/// looks it up. Without an entry busybox prints the number; the lab's workspace has
/// no /etc/passwd but stands for root's files, so uid 0 is still `root` there.
pub(crate) fn id_name(ctx: &Ctx<'_>, file: &str, id: u32) -> String {
    if let Ok(data) = ctx.fs.read(file) {
        for line in String::from_utf8_lossy(&data).lines() {
            let mut f = line.split(':');
            let name = f.next().unwrap_or("");
            if f.nth(1).and_then(|n| n.parse::<u32>().ok()) == Some(id) {
                return name.to_string();
            }
        }
        return id.to_string();
    }
    if id == 0 {
        "root".into()
    } else {
        id.to_string()
    }
}

struct LsOpts {
    long: bool,
    all: bool,
    almost_all: bool,
    dir_itself: bool,
    recursive: bool,
    human: bool,
    one: bool,
}

pub fn ls(ctx: &mut Ctx<'_>, argv: &[String], mut io: Streams<'_>) -> i32 {
    let Some((flags, mut ops)) = parse_flags("ls", &argv[1..], "laA1dRhF", io.stderr) else {
        return 1;
    };
    let o = LsOpts {
        long: flags.contains(&'l'),
        all: flags.contains(&'a'),
        almost_all: flags.contains(&'A'),
        dir_itself: flags.contains(&'d'),
        recursive: flags.contains(&'R'),
        human: flags.contains(&'h'),
        one: flags.contains(&'1'),
    };
    if ops.is_empty() {
        ops.push(".".into());
    }
    let mut status = 0;
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for op in &ops {
        let path = ctx.abs(op);
        let meta = if o.long || o.dir_itself {
            ctx.fs.symlink_metadata(&path)
        } else {
            ctx.fs.metadata(&path)
        };
        match meta {
            Ok(m) if m.is_dir() && !o.dir_itself => dirs.push((op.clone(), path)),
            Ok(m)
                if m.is_symlink()
                    && !o.dir_itself
                    && ctx.fs.metadata(&path).is_ok_and(|m| m.is_dir())
                    && !op.ends_with('/')
                    && o.long =>
            {
                files.push((op.clone(), path, m))
            }
            Ok(m) => files.push((op.clone(), path, m)),
            Err(e) => {
                write_err(io.stderr, format_args!("ls: {op}: {}", io_message(&e)));
                status = 2;
            }
        }
    }
    let show_headers = ops.len() > 1 || o.recursive;
    print_entries(ctx, &o, &files, &mut io);
    let mut first = files.is_empty();
    let mut queue: Vec<(String, String)> = dirs;
    while !queue.is_empty() {
        let (label, path) = queue.remove(0);
        if !first {
            let _ = writeln!(io.stdout);
        }
        first = false;
        if show_headers {
            let _ = writeln!(io.stdout, "{label}:");
        }
        let entries = match ctx.fs.read_dir(&path) {
            Ok(e) => e,
            Err(e) => {
                write_err(io.stderr, format_args!("ls: {label}: {}", io_message(&e)));
                status = 2;
                continue;
            }
        };
        let mut items = Vec::new();
        if o.all {
            for dot in [".", ".."] {
                if let Ok(m) = ctx.fs.metadata(&vfs::normalize(&path, dot)) {
                    items.push((dot.to_string(), vfs::normalize(&path, dot), m));
                }
            }
        }
        let mut subdirs = Vec::new();
        for e in entries {
            if e.name.starts_with('.') && !(o.all || o.almost_all) {
                continue;
            }
            let full = vfs::normalize(&path, &e.name);
            if let Ok(m) = ctx.fs.symlink_metadata(&full) {
                if o.recursive && m.is_dir() {
                    let sub_label = if label.ends_with('/') {
                        format!("{label}{}", e.name)
                    } else {
                        format!("{label}/{}", e.name)
                    };
                    subdirs.push((sub_label, full.clone()));
                }
                items.push((e.name, full, m));
            }
        }
        if o.long {
            let blocks: u64 = items.iter().map(|(_, _, m)| blocks_1k(m)).sum();
            if o.human {
                // The total has no decimal: "28K", rounded to the nearest unit.
                let total = match human(blocks * 1024).split_once('.') {
                    Some((whole, rest)) => {
                        let up = u64::from(rest.as_bytes()[0] >= b'5');
                        let n = whole.parse::<u64>().unwrap_or(0) + up;
                        format!("{n}{}", &rest[1..])
                    }
                    None => blocks.to_string(),
                };
                let _ = writeln!(io.stdout, "total {total:<7}");
            } else {
                let _ = writeln!(io.stdout, "total {blocks}");
            }
        }
        print_entries(ctx, &o, &items, &mut io);
        for (i, d) in subdirs.into_iter().enumerate() {
            queue.insert(i, d);
        }
    }
    status
}

fn print_entries(
    ctx: &mut Ctx<'_>,
    o: &LsOpts,
    items: &[(String, String, Metadata)],
    io: &mut Streams<'_>,
) {
    if items.is_empty() {
        return;
    }
    if o.long {
        let now = ctx.host.now().timestamp();
        let size_w = if o.human { 7 } else { 9 };
        for (name, path, m) in items {
            let mtime = chrono::DateTime::from_timestamp(m.mtime, 0).unwrap_or_default();
            let date = if (now - m.mtime).abs() > 182 * 24 * 3600 {
                mtime.format("%b %e  %Y").to_string()
            } else {
                mtime.format("%b %e %H:%M").to_string()
            };
            let user = id_name(ctx, "/etc/passwd", m.uid);
            let group = id_name(ctx, "/etc/group", m.gid);
            let mut line = format!(
                "{} {:>4} {user:<8.8} {group:<8.8} {:>size_w$} {date} {name}",
                mode_string(m),
                m.nlink.max(1),
                size_text(m, o.human)
            );
            if m.is_symlink()
                && let Ok(t) = ctx.fs.read_link(path)
            {
                line.push_str(&format!(" -> {t}"));
            }
            let _ = writeln!(io.stdout, "{line}");
        }
        return;
    }
    match ctx.columns {
        Some(width) if !o.one => {
            let names: Vec<&str> = items.iter().map(|(n, _, _)| n.as_str()).collect();
            let col_w = names.iter().map(|n| n.chars().count()).max().unwrap_or(0) + 2;
            let cols = (width / col_w).max(1);
            let rows = names.len().div_ceil(cols);
            for r in 0..rows {
                let mut line = String::new();
                for c in 0..cols {
                    if let Some(n) = names.get(c * rows + r) {
                        if (c + 1) * rows + r < names.len() {
                            line.push_str(&format!("{n:<col_w$}"));
                        } else {
                            line.push_str(n);
                        }
                    }
                }
                let _ = writeln!(io.stdout, "{}", line.trim_end());
            }
        }
        _ => {
            for (name, _, _) in items {
                let _ = writeln!(io.stdout, "{name}");
            }
        }
    }
}

fn size_text(m: &Metadata, human_sizes: bool) -> String {
    if human_sizes {
        human(m.len)
    } else {
        m.len.to_string()
    }
}

pub fn mkdir(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some((flags, ops)) = parse_flags("mkdir", &argv[1..], "pm", io.stderr) else {
        return 1;
    };
    let parents = flags.contains(&'p');
    if ops.is_empty() {
        write_err(
            io.stderr,
            format_args!(
                "BusyBox v1.36.1 multi-call binary.\n\nUsage: mkdir [-m MODE] [-p] DIRECTORY..."
            ),
        );
        return 1;
    }
    let mut status = 0;
    for op in &ops {
        let path = ctx.abs(op);
        if parents {
            if let Err(e) = vfs::create_dir_all(ctx.fs, &path) {
                write_err(
                    io.stderr,
                    format_args!("mkdir: can't create directory '{op}': {}", io_message(&e)),
                );
                status = 1;
            }
        } else if let Err(e) = ctx.fs.create_dir(&path) {
            write_err(
                io.stderr,
                format_args!("mkdir: can't create directory '{op}': {}", io_message(&e)),
            );
            status = 1;
        }
    }
    status
}

pub fn rmdir(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let mut status = 0;
    for op in argv[1..].iter().filter(|a| !a.starts_with('-')) {
        if let Err(e) = ctx.fs.remove_dir(&ctx.abs(op)) {
            write_err(io.stderr, format_args!("rmdir: '{op}': {}", io_message(&e)));
            status = 1;
        }
    }
    status
}

pub fn rm(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some((flags, ops)) = parse_flags("rm", &argv[1..], "rRfiv", io.stderr) else {
        return 1;
    };
    let recursive = flags.contains(&'r') || flags.contains(&'R');
    let force = flags.contains(&'f');
    let mut status = 0;
    for op in &ops {
        let path = ctx.abs(op);
        match ctx.fs.symlink_metadata(&path) {
            Err(e) => {
                if !force {
                    write_err(
                        io.stderr,
                        format_args!("rm: can't remove '{op}': {}", io_message(&e)),
                    );
                    status = 1;
                }
            }
            Ok(m) if m.is_dir() && !recursive => {
                write_err(io.stderr, format_args!("rm: '{op}' is a directory"));
                status = 1;
            }
            Ok(_) => {
                if path == "/" {
                    write_err(
                        io.stderr,
                        format_args!("rm: can't remove '{op}': Device or resource busy"),
                    );
                    status = 1;
                    continue;
                }
                if let Err(e) = vfs::remove_tree(ctx.fs, &path) {
                    write_err(
                        io.stderr,
                        format_args!("rm: can't remove '{op}': {}", io_message(&e)),
                    );
                    status = 1;
                }
            }
        }
    }
    status
}

pub fn touch(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some((flags, ops)) = parse_flags("touch", &argv[1..], "c", io.stderr) else {
        return 1;
    };
    let now = ctx.host.now().timestamp();
    let mut status = 0;
    for op in &ops {
        let path = ctx.abs(op);
        if !ctx.fs.exists(&path) {
            if flags.contains(&'c') {
                continue;
            }
            if let Err(e) = ctx.fs.write(&path, b"", true) {
                write_err(io.stderr, format_args!("touch: {op}: {}", io_message(&e)));
                status = 1;
                continue;
            }
        }
        let _ = ctx.fs.set_mtime(&path, now);
    }
    status
}

fn copy_tree(
    ctx: &mut Ctx<'_>,
    from: &str,
    to: &str,
    recursive: bool,
    preserve: bool,
    label: &str,
    err: &mut dyn Write,
) -> bool {
    let m = match ctx.fs.symlink_metadata(from) {
        Ok(m) => m,
        Err(e) => {
            write_err(
                err,
                format_args!("cp: can't stat '{label}': {}", io_message(&e)),
            );
            return false;
        }
    };
    if m.is_symlink()
        && recursive
        && let Ok(t) = ctx.fs.read_link(from)
    {
        let _ = ctx.fs.remove_file(to);
        return ctx.fs.symlink(&t, to).is_ok();
    }
    let m = ctx.fs.metadata(from).unwrap_or(m);
    if m.is_dir() {
        if !recursive {
            write_err(err, format_args!("cp: omitting directory '{label}'"));
            return false;
        }
        if !ctx.fs.exists(to)
            && let Err(e) = ctx.fs.create_dir(to)
        {
            write_err(
                err,
                format_args!("cp: can't create directory '{to}': {}", io_message(&e)),
            );
            return false;
        }
        let mut ok = true;
        for e in ctx.fs.read_dir(from).unwrap_or_default() {
            ok &= copy_tree(
                ctx,
                &vfs::normalize(from, &e.name),
                &vfs::normalize(to, &e.name),
                recursive,
                preserve,
                label,
                err,
            );
        }
        if preserve {
            let _ = ctx.fs.set_mode(to, m.mode);
            let _ = ctx.fs.set_mtime(to, m.mtime);
        }
        return ok;
    }
    let data = match ctx.fs.read(from) {
        Ok(d) => d,
        Err(e) => {
            write_err(
                err,
                format_args!("cp: can't open '{label}': {}", io_message(&e)),
            );
            return false;
        }
    };
    let existed = ctx.fs.exists(to);
    if let Err(e) = ctx.fs.write(to, &data, false) {
        write_err(
            err,
            format_args!("cp: can't create '{to}': {}", io_message(&e)),
        );
        return false;
    }
    if preserve || !existed {
        let _ = ctx.fs.set_mode(to, m.mode);
    }
    if preserve {
        let _ = ctx.fs.set_mtime(to, m.mtime);
    }
    true
}

/// Where `src` lands when copied or moved to `dest` (into it if it is a directory).
fn destination(ctx: &Ctx<'_>, src: &str, dest: &str, many: bool) -> Result<String, String> {
    let dest_abs = ctx.abs(dest);
    if ctx.fs.metadata(&dest_abs).is_ok_and(|m| m.is_dir()) {
        Ok(vfs::normalize(&dest_abs, vfs::file_name(&ctx.abs(src))))
    } else if many {
        Err(format!("'{dest}' is not a directory"))
    } else {
        Ok(dest_abs)
    }
}

pub fn cp(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some((flags, ops)) = parse_flags("cp", &argv[1..], "rRapfdPv", io.stderr) else {
        return 1;
    };
    let recursive = flags.iter().any(|c| matches!(c, 'r' | 'R' | 'a'));
    let preserve = flags.iter().any(|c| matches!(c, 'a' | 'p'));
    if ops.len() < 2 {
        write_err(
            io.stderr,
            format_args!(
                "BusyBox v1.36.1 multi-call binary.\n\nUsage: cp [-arPLHpfinlsTu] SOURCE DEST"
            ),
        );
        return 1;
    }
    let (dest, srcs) = ops.split_last().expect("two operands");
    let mut status = 0;
    for src in srcs {
        let to = match destination(ctx, src, dest, srcs.len() > 1) {
            Ok(t) => t,
            Err(msg) => {
                write_err(io.stderr, format_args!("cp: {msg}"));
                return 1;
            }
        };
        let from = ctx.abs(src);
        if recursive && (to == from || to.starts_with(&format!("{from}/"))) {
            write_err(
                io.stderr,
                format_args!("cp: recursion detected, omitting directory '{src}'"),
            );
            status = 1;
            continue;
        }
        if !copy_tree(ctx, &from, &to, recursive, preserve, src, io.stderr) {
            status = 1;
        }
    }
    status
}

pub fn mv(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some((_, ops)) = parse_flags("mv", &argv[1..], "finv", io.stderr) else {
        return 1;
    };
    if ops.len() < 2 {
        write_err(
            io.stderr,
            format_args!("BusyBox v1.36.1 multi-call binary.\n\nUsage: mv [-finT] SOURCE DEST"),
        );
        return 1;
    }
    let (dest, srcs) = ops.split_last().expect("two operands");
    let mut status = 0;
    for src in srcs {
        let to = match destination(ctx, src, dest, srcs.len() > 1) {
            Ok(t) => t,
            Err(msg) => {
                write_err(io.stderr, format_args!("mv: {msg}"));
                return 1;
            }
        };
        let from = ctx.abs(src);
        if let Err(e) = ctx.fs.symlink_metadata(&from) {
            write_err(
                io.stderr,
                format_args!("mv: can't rename '{src}': {}", io_message(&e)),
            );
            status = 1;
            continue;
        }
        if let Err(e) = ctx.fs.rename(&from, &to) {
            write_err(
                io.stderr,
                format_args!("mv: can't rename '{src}': {}", io_message(&e)),
            );
            status = 1;
        }
    }
    status
}

pub fn ln(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some((flags, ops)) = parse_flags("ln", &argv[1..], "sfnv", io.stderr) else {
        return 1;
    };
    if ops.is_empty() {
        write_err(
            io.stderr,
            format_args!(
                "BusyBox v1.36.1 multi-call binary.\n\nUsage: ln [-sfnbtv] [-S SUF] TARGET... LINK|DIR"
            ),
        );
        return 1;
    }
    let (target, link) = if ops.len() == 1 {
        (ops[0].clone(), vfs::file_name(&ops[0]).to_string())
    } else {
        (ops[0].clone(), ops[1].clone())
    };
    let mut link_abs = ctx.abs(&link);
    if ctx.fs.metadata(&link_abs).is_ok_and(|m| m.is_dir()) && !flags.contains(&'n') {
        link_abs = vfs::normalize(&link_abs, vfs::file_name(&target));
    }
    if flags.contains(&'f') {
        let _ = ctx.fs.remove_file(&link_abs);
    }
    if flags.contains(&'s') {
        return match ctx.fs.symlink(&target, &link_abs) {
            Ok(()) => 0,
            Err(e) => {
                write_err(io.stderr, format_args!("ln: {link}: {}", io_message(&e)));
                1
            }
        };
    }
    let target_abs = ctx.abs(&target);
    if let Err(e) = ctx.fs.symlink_metadata(&target_abs) {
        // busybox names the missing source here, and the link for every other failure.
        write_err(io.stderr, format_args!("ln: {target}: {}", io_message(&e)));
        return 1;
    }
    match ctx.fs.hard_link(&target_abs, &link_abs) {
        Ok(()) => 0,
        Err(e) => {
            write_err(io.stderr, format_args!("ln: {link}: {}", io_message(&e)));
            1
        }
    }
}

/// Applies a symbolic (`u+x`, `a-w`, `go=r`) or octal mode to `old`.
fn apply_mode(spec: &str, old: u32, is_dir: bool) -> Option<u32> {
    if spec.chars().all(|c| c.is_digit(8)) && !spec.is_empty() {
        return u32::from_str_radix(spec, 8).ok();
    }
    let mut mode = old;
    for clause in spec.split(',') {
        let who_end = clause.find(['+', '-', '=']).unwrap_or(clause.len());
        let (who, rest) = clause.split_at(who_end);
        if rest.is_empty() {
            return None;
        }
        let mut mask = 0;
        for c in who.chars() {
            mask |= match c {
                'u' => 0o4700,
                'g' => 0o2070,
                'o' => 0o1007,
                'a' => 0o7777,
                _ => return None,
            };
        }
        let umask_applies = who.is_empty();
        if who.is_empty() {
            mask = 0o7777;
        }
        let op = rest.chars().next()?;
        let mut bits = 0;
        for c in rest[1..].chars() {
            bits |= match c {
                'r' => 0o444,
                'w' => 0o222,
                'x' => 0o111,
                'X' => {
                    if is_dir || old & 0o111 != 0 {
                        0o111
                    } else {
                        0
                    }
                }
                's' => 0o6000,
                't' => 0o1000,
                _ => return None,
            };
        }
        let mut bits = bits & mask;
        if umask_applies && op != '-' {
            bits &= !0o022;
        }
        mode = match op {
            '+' => mode | bits,
            '-' => mode & !bits,
            _ => (mode & !mask) | bits,
        };
    }
    Some(mode)
}

pub fn chmod(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let args: Vec<&String> = argv[1..].iter().filter(|a| *a != "-R").collect();
    let recursive = argv[1..].iter().any(|a| a == "-R");
    let Some((spec, files)) = args.split_first() else {
        write_err(
            io.stderr,
            format_args!(
                "BusyBox v1.36.1 multi-call binary.\n\nUsage: chmod [-Rcvf] MODE[,MODE]... FILE..."
            ),
        );
        return 1;
    };
    let mut status = 0;
    for f in files {
        let path = ctx.abs(f);
        let mut todo = vec![path];
        while let Some(p) = todo.pop() {
            let m = match ctx.fs.metadata(&p) {
                Ok(m) => m,
                Err(e) => {
                    write_err(io.stderr, format_args!("chmod: {f}: {}", io_message(&e)));
                    status = 1;
                    continue;
                }
            };
            let Some(mode) = apply_mode(spec, m.mode, m.is_dir()) else {
                write_err(io.stderr, format_args!("chmod: invalid mode '{spec}'"));
                return 1;
            };
            let _ = ctx.fs.set_mode(&p, mode);
            if recursive && m.is_dir() {
                for e in ctx.fs.read_dir(&p).unwrap_or_default() {
                    todo.push(vfs::normalize(&p, &e.name));
                }
            }
        }
    }
    status
}

pub fn tee(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some((flags, ops)) = parse_flags("tee", &argv[1..], "ai", io.stderr) else {
        return 1;
    };
    let _ = io.stdout.write_all(io.stdin);
    let mut status = 0;
    for op in &ops {
        if let Err(e) = ctx.fs.write(&ctx.abs(op), io.stdin, flags.contains(&'a')) {
            write_err(io.stderr, format_args!("tee: {op}: {}", io_message(&e)));
            status = 1;
        }
    }
    status
}

pub fn find(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let mut roots = Vec::new();
    let mut i = 1;
    while i < argv.len() && !argv[i].starts_with('-') {
        roots.push(argv[i].clone());
        i += 1;
    }
    if roots.is_empty() {
        roots.push(".".into());
    }
    let mut name: Option<(String, bool)> = None;
    let mut kind: Option<char> = None;
    let mut maxdepth = usize::MAX;
    let mut mindepth = 0;
    let mut quit = false;
    let mut follow = false;
    while i < argv.len() {
        let val = argv.get(i + 1).cloned();
        match (argv[i].as_str(), val) {
            ("-name", Some(v)) => name = Some((v, false)),
            ("-iname", Some(v)) => name = Some((v.to_lowercase(), true)),
            ("-type", Some(v)) => kind = v.chars().next(),
            ("-maxdepth", Some(v)) => maxdepth = v.parse().unwrap_or(usize::MAX),
            ("-mindepth", Some(v)) => mindepth = v.parse().unwrap_or(0),
            ("-print", _) => {
                i += 1;
                continue;
            }
            ("-quit", _) => {
                quit = true;
                i += 1;
                continue;
            }
            ("-follow" | "-L", _) => {
                follow = true;
                i += 1;
                continue;
            }
            (other, _) => {
                write_err(io.stderr, format_args!("find: unrecognized: {other}"));
                return 1;
            }
        }
        i += 2;
    }
    let mut status = 0;
    for root in roots {
        let abs = ctx.abs(&root);
        if let Err(e) = ctx.fs.symlink_metadata(&abs) {
            write_err(io.stderr, format_args!("find: {root}: {}", io_message(&e)));
            status = 1;
            continue;
        }
        let mut stack = vec![(root.clone(), abs, 0usize)];
        while let Some((label, path, depth)) = stack.pop() {
            let m = if follow {
                ctx.fs.metadata(&path)
            } else {
                ctx.fs.symlink_metadata(&path)
            };
            let Ok(m) = m else {
                continue;
            };
            let base = vfs::file_name(&label).to_string();
            let name_ok = match &name {
                Some((p, true)) => crate::engine::shell::expand::fnmatch(p, &base.to_lowercase()),
                Some((p, false)) => crate::engine::shell::expand::fnmatch(p, &base),
                None => true,
            };
            let type_ok = match kind {
                Some('f') => m.is_file(),
                Some('d') => m.is_dir(),
                Some('l') => m.is_symlink(),
                _ => true,
            };
            if name_ok && type_ok && depth >= mindepth {
                let _ = writeln!(io.stdout, "{label}");
                if quit {
                    return status;
                }
            }
            if m.is_dir() && depth < maxdepth {
                let entries = ctx.fs.read_dir(&path).unwrap_or_default();
                for e in entries.into_iter().rev() {
                    let sub = if label.ends_with('/') {
                        format!("{label}{}", e.name)
                    } else {
                        format!("{label}/{}", e.name)
                    };
                    stack.push((sub, vfs::normalize(&path, &e.name), depth + 1));
                }
            }
        }
    }
    status
}

fn disk_usage(
    ctx: &Ctx<'_>,
    path: &str,
    label: &str,
    print_all: bool,
    human_sizes: bool,
    out: &mut dyn Write,
) -> u64 {
    let Ok(m) = ctx.fs.symlink_metadata(path) else {
        return 0;
    };
    let mut kb = blocks_1k(&m);
    if m.is_dir() {
        for e in ctx.fs.read_dir(path).unwrap_or_default() {
            kb += disk_usage(
                ctx,
                &vfs::normalize(path, &e.name),
                &format!("{label}/{}", e.name),
                print_all,
                human_sizes,
                out,
            );
        }
        if print_all {
            let size = if human_sizes {
                human(kb * 1024)
            } else {
                kb.to_string()
            };
            let _ = writeln!(out, "{size}\t{label}");
        }
    }
    kb
}

pub fn du(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let Some((flags, mut ops)) = parse_flags("du", &argv[1..], "shak", io.stderr) else {
        return 1;
    };
    if ops.is_empty() {
        ops.push(".".into());
    }
    let summary = flags.contains(&'s');
    let human_sizes = flags.contains(&'h');
    let mut status = 0;
    for op in &ops {
        let path = ctx.abs(op);
        if let Err(e) = ctx.fs.symlink_metadata(&path) {
            write_err(io.stderr, format_args!("du: {op}: {}", io_message(&e)));
            status = 1;
            continue;
        }
        let label = op.trim_end_matches('/');
        let label = if label.is_empty() { "/" } else { label };
        let kb = disk_usage(ctx, &path, label, !summary, human_sizes, io.stdout);
        if summary || !ctx.fs.metadata(&path).is_ok_and(|m| m.is_dir()) {
            let size = if human_sizes {
                human(kb * 1024)
            } else {
                kb.to_string()
            };
            let _ = writeln!(io.stdout, "{size}\t{label}");
        }
    }
    status
}

/// The device every file of a Vfs reports (stat needs one; the Vfs has no devices).
const STAT_DEVICE: u64 = 0xfe00;

fn stat_type(m: &Metadata) -> &'static str {
    match m.file_type {
        FileType::File if m.len == 0 => "regular empty file",
        FileType::File => "regular file",
        FileType::Dir => "directory",
        FileType::Symlink => "symbolic link",
    }
}

fn stat_time(secs: i64) -> String {
    let t = chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default();
    t.format("%Y-%m-%d %H:%M:%S.000000000 +0000").to_string()
}

/// One `%x` sequence of `stat -c`, or None for an unknown letter.
fn stat_field(ctx: &Ctx<'_>, c: char, name: &str, path: &str, m: &Metadata) -> Option<String> {
    Some(match c {
        'a' => format!("{:o}", m.mode),
        'A' => mode_string(m),
        'b' => (blocks_1k(m) * 2).to_string(),
        'B' => "512".into(),
        'd' => STAT_DEVICE.to_string(),
        'D' => format!("{STAT_DEVICE:x}"),
        'f' => {
            let kind = match m.file_type {
                FileType::File => 0o100000,
                FileType::Dir => 0o040000,
                FileType::Symlink => 0o120000,
            };
            format!("{:x}", kind | m.mode)
        }
        'F' => stat_type(m).into(),
        'g' => m.gid.to_string(),
        'G' => id_name(ctx, "/etc/group", m.gid),
        'h' => m.nlink.max(1).to_string(),
        'i' => m.ino.to_string(),
        'n' => name.into(),
        'N' => match (m.is_symlink(), ctx.fs.read_link(path)) {
            (true, Ok(t)) => format!("'{name}' -> '{t}'"),
            _ => name.into(),
        },
        'o' => "4096".into(),
        's' => m.len.to_string(),
        't' | 'T' => "0".into(),
        'u' => m.uid.to_string(),
        'U' => id_name(ctx, "/etc/passwd", m.uid),
        'x' | 'y' | 'z' => stat_time(m.mtime),
        'X' | 'Y' | 'Z' => m.mtime.to_string(),
        _ => return None,
    })
}

fn stat_format(ctx: &Ctx<'_>, fmt: &str, name: &str, path: &str, m: &Metadata) -> String {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // Flags and width, as in printf: "%-10s".
        let mut spec = String::new();
        while let Some(&d) = chars.peek() {
            if d == '-' || d == '.' || d.is_ascii_digit() {
                spec.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let Some(conv) = chars.next() else {
            out.push('%');
            break;
        };
        if conv == '%' {
            out.push('%');
            continue;
        }
        let Some(value) = stat_field(ctx, conv, name, path, m) else {
            out.push(conv);
            continue;
        };
        let left = spec.starts_with('-');
        let spec = spec.trim_start_matches('-');
        let (width, precision) = match spec.split_once('.') {
            Some((w, p)) => (w.parse().unwrap_or(0), p.parse().ok()),
            None => (spec.parse().unwrap_or(0), None),
        };
        let mut value = value;
        if let Some(p) = precision {
            value = value.chars().take(p).collect();
        }
        // `%04a`: zero padding for the octal mode of the default format.
        if spec.starts_with('0') && !left {
            out.push_str(&format!("{value:0>width$}"));
        } else if left {
            out.push_str(&format!("{value:<width$}"));
        } else {
            out.push_str(&format!("{value:>width$}"));
        }
    }
    out
}

const STAT_DEFAULT: &str = "  File: %N\n  Size: %-10s\tBlocks: %-10b IO Block: %-6o %F\n\
Device: %Dh/%dd\tInode: %-10i  Links: %h\n\
Access: (%04a/%10.10A)  Uid: (%5u/%8U)   Gid: (%5g/%8G)\n\
Access: %x\nModify: %y\nChange: %z\n";

pub fn stat(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let mut format = None;
    let mut follow = false;
    let mut files = Vec::new();
    let mut it = argv[1..].iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-c" => match it.next() {
                Some(f) => format = Some(format!("{f}\n")),
                None => {
                    write_err(
                        io.stderr,
                        format_args!("stat: option requires an argument -- c"),
                    );
                    return 1;
                }
            },
            "-L" => follow = true,
            s if s.starts_with("-c") => format = Some(format!("{}\n", &s[2..])),
            s if s.starts_with('-') && s.len() > 1 => {
                for c in s[1..].chars() {
                    if c == 'L' {
                        follow = true;
                    } else {
                        write_err(io.stderr, format_args!("stat: unrecognized option: {c}"));
                        return 1;
                    }
                }
            }
            _ => files.push(a.clone()),
        }
    }
    if files.is_empty() {
        write_err(
            io.stderr,
            format_args!(
                "BusyBox v1.36.1 multi-call binary.\n\nUsage: stat [-ltf] [-c FMT] FILE..."
            ),
        );
        return 1;
    }
    let fmt = format.unwrap_or_else(|| STAT_DEFAULT.to_string());
    let mut status = 0;
    for f in &files {
        let path = ctx.abs(f);
        let meta = if follow {
            ctx.fs.metadata(&path)
        } else {
            ctx.fs.symlink_metadata(&path)
        };
        match meta {
            Ok(m) => {
                let text = stat_format(ctx, &fmt, f, &path, &m);
                let _ = io.stdout.write_all(text.as_bytes());
            }
            Err(e) => {
                write_err(
                    io.stderr,
                    format_args!("stat: can't stat '{f}': {}", io_message(&e)),
                );
                status = 1;
            }
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbolic_modes() {
        assert_eq!(apply_mode("u+x", 0o644, false), Some(0o744));
        assert_eq!(apply_mode("+x", 0o644, false), Some(0o755));
        assert_eq!(apply_mode("a-w", 0o644, false), Some(0o444));
        assert_eq!(apply_mode("go=r", 0o600, false), Some(0o644));
        assert_eq!(apply_mode("755", 0o600, false), Some(0o755));
        assert_eq!(apply_mode("q+x", 0o600, false), None);
        assert_eq!(human(2048), "2.0K");
        assert_eq!(human(13893), "13.6K");
        assert_eq!(human(150 * 1024 * 1024), "150.0M");
    }

    use crate::engine::shell::Vfs;
    use crate::engine::shell::testutil::{lab, run};

    /// The columns before the date, which comes from the host clock.
    fn long_heads(out: &str) -> Vec<String> {
        out.lines()
            .map(|l| {
                if l.starts_with("total") {
                    return l.to_string();
                }
                let cols: Vec<&str> = l.split_whitespace().collect();
                let name = cols[8..].join(" ");
                format!(
                    "{} {} {} {} {} {name}",
                    cols[0], cols[1], cols[2], cols[3], cols[4]
                )
            })
            .collect()
    }

    #[test]
    fn ls_long_owner_links_and_total_as_busybox() {
        let (_d, mut sh) = lab();
        let r = run(
            &mut sh,
            "printf hello > f; seq 1 3000 > big; mkdir d; ln -s f s; ln f hl; : > empty; ls -l",
        );
        assert_eq!(
            long_heads(&r.out),
            [
                "total 28",
                "-rw-r--r-- 1 root root 13893 big",
                "drwxr-xr-x 2 root root 4096 d",
                "-rw-r--r-- 1 root root 0 empty",
                "-rw-r--r-- 2 root root 5 f",
                "-rw-r--r-- 2 root root 5 hl",
                "lrwxrwxrwx 1 root root 1 s -> f",
            ]
        );
        // Fixed columns: nlink in 4, names in 8, size in 9 (7 with -h).
        let line = r.out.lines().nth(1).unwrap();
        assert!(
            line.starts_with("-rw-r--r--    1 root     root         13893 "),
            "{line}"
        );
        let r = run(&mut sh, "ls -lh");
        assert_eq!(r.out.lines().next(), Some("total 28K    "));
        assert!(r.out.contains(" root     root       13.6K "), "{}", r.out);

        // Inside a container the names come from its own /etc/passwd and /etc/group.
        let r = run(
            &mut sh,
            "mkdir etc; echo 'admin:x:0:0:root:/root:/bin/sh' > etc/passwd; \
             echo 'wheel:x:0:' > etc/group; ls -l f",
        );
        assert!(
            r.out
                .starts_with("-rw-r--r--    2 admin    wheel            5 "),
            "{}",
            r.out
        );
    }

    #[test]
    fn ln_without_s_makes_hard_links() {
        let (_d, mut sh) = lab();
        let r = run(
            &mut sh,
            "echo one > a; ln a b; echo two >> b; cat a; mkdir d; ln a d; cat d/a",
        );
        assert_eq!((r.out.as_str(), r.status), ("one\ntwo\none\ntwo\n", 0));
        let r = run(
            &mut sh,
            "ln nonexist x; ln a b; ln d dd; ln -f a b; echo $?",
        );
        assert_eq!(
            r.err,
            "ln: nonexist: No such file or directory\nln: b: File exists\n\
             ln: dd: Operation not permitted\n"
        );
        assert_eq!(r.out, "0\n");
        let r = run(&mut sh, "ls -l a | cut -c1-15");
        assert_eq!(r.out, "-rw-r--r--    3\n");
    }

    #[test]
    fn stat_default_and_custom_formats() {
        let (_d, mut sh) = lab();
        let r = run(&mut sh, "printf hello > f; ln -s f s; : > e");
        assert_eq!(r.err, "");
        sh.fs_mut().set_mtime("/f", 1_700_000_000).unwrap();
        let r = run(
            &mut sh,
            "stat -c '%s %n %a %U' f; stat -c '%F|%N|%A|%G|%b' e s f",
        );
        assert_eq!(
            r.out,
            "5 f 644 root\nregular empty file|e|-rw-r--r--|root|0\n\
             symbolic link|'s' -> 'f'|lrwxrwxrwx|root|0\nregular file|f|-rw-r--r--|root|8\n"
        );
        let r = run(&mut sh, "stat f");
        let lines: Vec<&str> = r.out.lines().collect();
        assert_eq!(lines[0], "  File: f");
        assert_eq!(
            lines[1],
            "  Size: 5         \tBlocks: 8          IO Block: 4096   regular file"
        );
        assert!(
            lines[2].starts_with("Device: fe00h/65024d\tInode: "),
            "{}",
            lines[2]
        );
        assert!(lines[2].ends_with("  Links: 1"), "{}", lines[2]);
        assert_eq!(
            lines[3],
            "Access: (0644/-rw-r--r--)  Uid: (    0/    root)   Gid: (    0/    root)"
        );
        assert_eq!(lines[5], "Modify: 2023-11-14 22:13:20.000000000 +0000");
        let r = run(&mut sh, "stat -L s | head -1; stat nope");
        assert_eq!(r.out, "  File: s\n");
        assert_eq!(
            r.err,
            "stat: can't stat 'nope': No such file or directory\n"
        );
        assert_eq!(r.status, 1);
    }
}
