//! pip 25.0.1 over the lab's package index (`index.txt`: real releases, their
//! requirements, wheel names and sizes): install (names, specifiers, `-r` files),
//! list, freeze, show and uninstall, with pip's words, the root-user warning and the
//! upgrade notice a python image prints. Installing writes each package's directory
//! (an `__init__.py` and filler of the wheel's size), its `.dist-info`, and its
//! console scripts; a distribution's python refuses as PEP 668 has it.

use super::super::{Ctx, Streams};
use crate::engine::shell::vfs;

const INDEX: &str = include_str!("index.txt");
pub const PIP_VERSION: &str = "25.0.1";

struct Release {
    name: &'static str,
    display: &'static str,
    version: &'static str,
    wheel: &'static str,
    size: u64,
    meta: u64,
    requires: Vec<&'static str>,
    packages: Vec<&'static str>,
    scripts: Vec<(&'static str, &'static str)>,
}

fn index() -> Vec<Release> {
    INDEX
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            let list = |s: &'static str, sep| -> Vec<&'static str> {
                s.split(sep).filter(|x| !x.is_empty()).collect()
            };
            Some(Release {
                name: f.first()?,
                display: f.get(1)?,
                version: f.get(2)?,
                wheel: f.get(3)?,
                size: f.get(4)?.parse().ok()?,
                meta: f.get(5)?.parse().ok()?,
                requires: list(f.get(6)?, ';'),
                packages: list(f.get(7)?, ','),
                scripts: list(f.get(8).copied().unwrap_or(""), ',')
                    .into_iter()
                    .filter_map(|s| s.split_once('='))
                    .collect(),
            })
        })
        .collect()
}

/// PEP 503's normal form: `Charset_Normalizer` → `charset-normalizer`.
fn normalize(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c == '_' || c == '.' || c == '-' {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// pip's `format_size`.
fn size(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes > 1_000_000 {
        format!("{:.1} MB", b / 1e6)
    } else if bytes > 10_000 {
        format!("{} kB", bytes / 1000)
    } else if bytes > 1000 {
        format!("{:.1} kB", b / 1000.0)
    } else {
        format!("{bytes} bytes")
    }
}

/// A requirement: the name and its version specifiers (`flask>=3,<4`).
fn split_req(req: &str) -> (String, Vec<(String, String)>) {
    let req = req.split(';').next().unwrap_or(req).trim();
    let end = req
        .find(|c: char| "<>=!~ [".contains(c))
        .unwrap_or(req.len());
    let name = req[..end].trim().to_string();
    let mut rest = req[end..].trim();
    if rest.starts_with('[') {
        rest = rest.split_once(']').map(|(_, r)| r.trim()).unwrap_or("");
    }
    let specs = rest
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            let s = s.trim();
            let op_end = s.find(|c: char| !"<>=!~".contains(c)).unwrap_or(s.len());
            (s[..op_end].to_string(), s[op_end..].trim().to_string())
        })
        .collect();
    (name, specs)
}

fn version_key(v: &str) -> Vec<u64> {
    v.split('.')
        .map(|p| {
            p.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(0)
        })
        .collect()
}

fn satisfies(version: &str, specs: &[(String, String)]) -> bool {
    let v = version_key(version);
    specs.iter().all(|(op, want)| {
        let w = version_key(want.trim_end_matches(".*"));
        let n = w.len().max(v.len());
        let pad = |x: &Vec<u64>| {
            let mut x = x.clone();
            x.resize(n, 0);
            x
        };
        let (a, b) = (pad(&v), pad(&w));
        match op.as_str() {
            "==" | "===" => {
                if want.ends_with(".*") {
                    v.starts_with(&w)
                } else {
                    a == b
                }
            }
            "!=" => a != b,
            ">=" => a >= b,
            "<=" => a <= b,
            ">" => a > b,
            "<" => a < b,
            "~=" => {
                let prefix = &w[..w.len().saturating_sub(1).max(1)];
                a >= b && v.starts_with(prefix)
            }
            _ => true,
        }
    })
}

struct Env {
    site: String,
    bin: String,
    prefix: String,
    python: String,
}

fn env_of(ctx: &Ctx<'_>) -> Env {
    if ctx.fs.exists("/usr/local/bin/python3.12") {
        Env {
            site: "/usr/local/lib/python3.12/site-packages".into(),
            bin: "/usr/local/bin".into(),
            prefix: "/usr/local".into(),
            python: "/usr/local/bin/python3".into(),
        }
    } else if ctx.fs.exists("/etc/alpine-release") {
        Env {
            site: "/usr/lib/python3.12/site-packages".into(),
            bin: "/usr/bin".into(),
            prefix: "/usr".into(),
            python: "/usr/bin/python3".into(),
        }
    } else {
        Env {
            site: "/usr/local/lib/python3.12/dist-packages".into(),
            bin: "/usr/local/bin".into(),
            prefix: "/usr".into(),
            python: "/usr/bin/python3".into(),
        }
    }
}

/// What is installed: (normalized name, metadata name, version, dist-info dir).
fn installed(ctx: &Ctx<'_>, site: &str) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for e in ctx.fs.read_dir(site).unwrap_or_default() {
        if !e.name.ends_with(".dist-info") {
            continue;
        }
        let dir = format!("{site}/{}", e.name);
        let meta = ctx
            .fs
            .read(&format!("{dir}/METADATA"))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let field = |k: &str| {
            meta.lines()
                .find_map(|l| l.strip_prefix(k).map(|v| v.trim().to_string()))
        };
        if let (Some(n), Some(v)) = (field("Name:"), field("Version:")) {
            out.push((normalize(&n), n, v, dir));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

const ROOT_WARNING: &str = "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with the system package manager, possibly rendering your system unusable. It is recommended to use a virtual environment instead: https://pip.pypa.io/warnings/venv. Use the --root-user-action option if you know what you are doing and want to suppress this warning.";
const NOTICE: &str = "\n[notice] A new release of pip is available: 25.0.1 -> 25.1.1\n[notice] To update, run: pip install --upgrade pip";

fn externally_managed(ctx: &Ctx<'_>) -> Option<String> {
    let marker = "/usr/lib/python3.12/EXTERNALLY-MANAGED";
    let system = !ctx.fs.exists("/usr/local/bin/python3.12");
    if !system && !ctx.fs.exists(marker) {
        return None;
    }
    let body = if ctx.fs.exists("/etc/alpine-release") {
        "\n    The system-wide python installation should be maintained using the system\n    package manager (apk) only.\n    \n    If the package in question is not packaged already (and hence installable via\n    \"apk add py3-somepackage\"), please consider installing it inside a virtual\n    environment, e.g.:\n    \n    python3 -m venv /path/to/venv\n    . /path/to/venv/bin/activate\n    pip install mypackage\n    \n    To exit the virtual environment, run:\n    \n    deactivate\n    \n    The virtual environment is not deleted, and can be re-entered by re-sourcing\n    the activate file.\n    \n    To automatically manage virtual environments, consider using pipx (from the\n    pipx package)."
    } else {
        " To install Python packages system-wide, try apt install\n    python3-xyz, where xyz is the package you are trying to\n    install.\n    \n    If you wish to install a non-Debian-packaged Python package,\n    create a virtual environment using python3 -m venv path/to/venv.\n    Then use path/to/venv/bin/python for the path to the virtual environment.\n    Make sure you have python3-full installed.\n    \n    If you wish to install a non-Debian packaged Python application,\n    it may be easiest to use pipx install xyz, which will manage a\n    virtual environment for you. Make sure you have pipx installed.\n    \n    See /usr/share/doc/python3.12/README.venv for more information."
    };
    Some(format!(
        "error: externally-managed-environment\n\n× This environment is externally managed\n╰─>{body}\n\nnote: If you believe this is a mistake, please contact your Python installation or OS distribution provider. You can override this, at the risk of breaking your Python installation or OS, by passing --break-system-packages.\nhint: See PEP 668 for the detailed specification.\n"
    ))
}

pub fn pip(ctx: &mut Ctx<'_>, argv: &[String], io: Streams<'_>) -> i32 {
    let env = env_of(ctx);
    let args: Vec<&str> = argv[1..].iter().map(String::as_str).collect();
    let Some(cmd) = args.iter().position(|a| !a.starts_with('-')) else {
        if args.contains(&"--version") || args.contains(&"-V") {
            let _ = writeln!(
                io.stdout,
                "pip {PIP_VERSION} from {}/pip (python 3.12)",
                env.site.replace("dist-packages", "site-packages")
            );
            return 0;
        }
        let _ = writeln!(
            io.stdout,
            "\nUsage:   \n  pip <command> [options]\n\nCommands:\n  install                     Install packages.\n  uninstall                   Uninstall packages.\n  freeze                      Output installed packages in requirements format.\n  list                        List installed packages.\n  show                        Show information about installed packages."
        );
        return 0;
    };
    let rest: Vec<&str> = args[cmd + 1..].to_vec();
    match args[cmd] {
        "install" => install(ctx, &env, &rest, io),
        "list" => {
            let mut rows = vec![("pip".to_string(), PIP_VERSION.to_string())];
            for (_, n, v, _) in installed(ctx, &env.site) {
                if normalize(&n) != "pip" {
                    rows.push((n, v));
                }
            }
            rows.sort_by_key(|r| r.0.to_lowercase());
            if rest.contains(&"--format=freeze") {
                for (n, v) in rows {
                    let _ = writeln!(io.stdout, "{n}=={v}");
                }
                return 0;
            }
            let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(7);
            let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0).max(7);
            let _ = writeln!(io.stdout, "{:w0$} Version", "Package");
            let _ = writeln!(io.stdout, "{} {}", "-".repeat(w0), "-".repeat(w1));
            for (n, v) in rows {
                let _ = writeln!(io.stdout, "{n:w0$} {v}");
            }
            0
        }
        "freeze" => {
            for (_, n, v, _) in installed(ctx, &env.site) {
                if !matches!(
                    normalize(&n).as_str(),
                    "pip" | "setuptools" | "wheel" | "distribute"
                ) {
                    let _ = writeln!(io.stdout, "{n}=={v}");
                }
            }
            0
        }
        "show" => {
            let names: Vec<&str> = rest
                .iter()
                .copied()
                .filter(|a| !a.starts_with('-'))
                .collect();
            if names.is_empty() {
                let _ = writeln!(io.stderr, "ERROR: Please provide a package name or names.");
                return 1;
            }
            let all = installed(ctx, &env.site);
            let idx = index();
            let mut first = true;
            let mut missing = Vec::new();
            for n in names {
                let Some((norm, name, version, _)) = all.iter().find(|d| d.0 == normalize(n))
                else {
                    missing.push(n);
                    continue;
                };
                let rel = idx.iter().find(|r| r.name == norm);
                let requires: Vec<String> = rel
                    .map(|r| {
                        r.requires
                            .iter()
                            .map(|q| canonical(&idx, &split_req(q).0))
                            .collect()
                    })
                    .unwrap_or_default();
                let required_by: Vec<String> = all
                    .iter()
                    .filter(|d| {
                        idx.iter().any(|r| {
                            r.name == d.0
                                && r.requires
                                    .iter()
                                    .any(|q| normalize(&split_req(q).0) == *norm)
                        })
                    })
                    .map(|d| d.1.clone())
                    .collect();
                if !first {
                    let _ = writeln!(io.stdout, "---");
                }
                first = false;
                let _ = writeln!(
                    io.stdout,
                    "Name: {name}\nVersion: {version}\nSummary: \nHome-page: \nAuthor: \nAuthor-email: \nLicense: \nLocation: {}\nRequires: {}\nRequired-by: {}",
                    env.site,
                    requires.join(", "),
                    required_by.join(", ")
                );
            }
            if !missing.is_empty() {
                let _ = writeln!(
                    io.stderr,
                    "WARNING: Package(s) not found: {}",
                    missing.join(", ")
                );
                return 1;
            }
            0
        }
        "uninstall" => {
            let yes = rest.iter().any(|a| *a == "-y" || *a == "--yes");
            let all = installed(ctx, &env.site);
            let idx = index();
            let mut status = 0;
            for n in rest.iter().filter(|a| !a.starts_with('-')) {
                let Some((norm, name, version, dir)) = all.iter().find(|d| d.0 == normalize(n))
                else {
                    let _ = writeln!(io.stderr, "WARNING: Skipping {n} as it is not installed.");
                    continue;
                };
                if !yes {
                    let _ = writeln!(
                        io.stdout,
                        "Found existing installation: {name} {version}\nUninstalling {name}-{version}:\n  Would remove:\n    {}/*\nProceed (Y/n)? ",
                        dir
                    );
                    let _ = writeln!(
                        io.stderr,
                        "ERROR: Exception:\nEOFError: EOF when reading a line"
                    );
                    status = 2;
                    continue;
                }
                let _ = writeln!(
                    io.stdout,
                    "Found existing installation: {name} {version}\nUninstalling {name}-{version}:\n  Successfully uninstalled {name}-{version}"
                );
                let _ = vfs::remove_tree(ctx.fs, dir);
                if let Some(r) = idx.iter().find(|r| r.name == norm) {
                    for p in &r.packages {
                        let _ = vfs::remove_tree(ctx.fs, &format!("{}/{p}", env.site));
                    }
                    for (s, _) in &r.scripts {
                        let _ = ctx.fs.remove_file(&format!("{}/{s}", env.bin));
                    }
                }
            }
            if status == 0 && yes {
                let _ = writeln!(io.stderr, "{ROOT_WARNING}");
            }
            status
        }
        other => {
            let _ = writeln!(io.stderr, "ERROR: unknown command \"{other}\"");
            1
        }
    }
}

fn canonical(idx: &[Release], name: &str) -> String {
    idx.iter()
        .find(|r| r.name == normalize(name))
        .map(|r| r.display.to_string())
        .unwrap_or_else(|| name.to_string())
}

/// One requirement to satisfy and where it came from, for pip's "(from ...)".
struct Want {
    text: String,
    name: String,
    specs: Vec<(String, String)>,
    from: Option<String>,
}

fn install(ctx: &mut Ctx<'_>, env: &Env, args: &[&str], io: Streams<'_>) -> i32 {
    let mut wants: Vec<Want> = Vec::new();
    let mut upgrade = false;
    let mut it = args.iter();
    let mut break_system = false;
    while let Some(a) = it.next() {
        match *a {
            "-r" | "--requirement" => {
                let Some(file) = it.next() else {
                    let _ = writeln!(
                        io.stderr,
                        "\nUsage:   \n  pip install [options] <requirement specifier> [package-index-options] ...\n\n-r option requires 1 argument"
                    );
                    return 2;
                };
                let path = ctx.abs(file);
                let Ok(bytes) = ctx.fs.read(&path) else {
                    let _ = writeln!(
                        io.stderr,
                        "ERROR: Could not open requirements file: [Errno 2] No such file or directory: '{file}'"
                    );
                    return 1;
                };
                let text = String::from_utf8_lossy(&bytes).into_owned();
                for (n, line) in text.lines().enumerate() {
                    let line = line.split(" #").next().unwrap_or("").trim();
                    if line.is_empty() || line.starts_with('#') || line.starts_with('-') {
                        continue;
                    }
                    let (name, specs) = split_req(line);
                    wants.push(Want {
                        text: line.to_string(),
                        name,
                        specs,
                        from: Some(format!("-r {file} (line {})", n + 1)),
                    });
                }
            }
            "-U" | "--upgrade" => upgrade = true,
            "--break-system-packages" => break_system = true,
            "--no-cache-dir"
            | "--user"
            | "-q"
            | "--quiet"
            | "--no-deps"
            | "--force-reinstall"
            | "--disable-pip-version-check"
            | "--prefer-binary"
            | "--no-warn-script-location"
            | "-v" => {}
            s if s.starts_with("--root-user-action")
                || s.starts_with("--index-url")
                || s.starts_with("-i") =>
            {
                if !s.contains('=') && (s == "--index-url" || s == "-i") {
                    it.next();
                }
            }
            s if s.starts_with('-') => {}
            spec => {
                let (name, specs) = split_req(spec);
                wants.push(Want {
                    text: spec.to_string(),
                    name,
                    specs,
                    from: None,
                });
            }
        }
    }
    let _ = upgrade;
    if !break_system && let Some(text) = externally_managed(ctx) {
        let _ = io.stderr.write_all(text.as_bytes());
        return 1;
    }
    if wants.is_empty() {
        let _ = writeln!(
            io.stderr,
            "ERROR: You must give at least one requirement to install (see \"pip help install\")"
        );
        return 1;
    }
    let quiet = args.iter().any(|a| *a == "-q" || *a == "--quiet");
    let idx = index();
    let have = installed(ctx, &env.site);
    let mut out = String::new();
    let mut chosen: Vec<usize> = Vec::new();
    let mut queue: std::collections::VecDeque<Want> = wants.into();
    while let Some(w) = queue.pop_front() {
        let norm = normalize(&w.name);
        if chosen.iter().any(|c| idx[*c].name == norm) {
            continue;
        }
        let from = w
            .from
            .as_ref()
            .map(|f| format!(" (from {f})"))
            .unwrap_or_default();
        if let Some((_, _, v, _)) = have.iter().find(|h| h.0 == norm)
            && satisfies(v, &w.specs)
        {
            out.push_str(&format!(
                "Requirement already satisfied: {} in {}{from} ({v})\n",
                w.text, env.site
            ));
            continue;
        }
        let Some(k) = idx
            .iter()
            .position(|r| r.name == norm && satisfies(r.version, &w.specs))
        else {
            let versions: Vec<&str> = idx
                .iter()
                .filter(|r| r.name == norm)
                .map(|r| r.version)
                .collect();
            let versions = if versions.is_empty() {
                "none".to_string()
            } else {
                versions.join(", ")
            };
            let _ = io.stdout.write_all(out.as_bytes());
            let _ = writeln!(
                io.stderr,
                "ERROR: Could not find a version that satisfies the requirement {}{from} (from versions: {versions})\nERROR: No matching distribution found for {}",
                w.text, w.text
            );
            return 1;
        };
        let r = &idx[k];
        out.push_str(&format!(
            "Collecting {}{from}\n  Downloading {}.metadata ({})\n",
            w.text,
            r.wheel,
            size(r.meta)
        ));
        chosen.push(k);
        let parent = match &w.from {
            Some(f) => format!("{}->{f}", r.name),
            None => r.name.to_string(),
        };
        for q in &r.requires {
            let (name, specs) = split_req(q);
            queue.push_back(Want {
                text: q.to_string(),
                name,
                specs,
                from: Some(parent.clone()),
            });
        }
    }
    for k in &chosen {
        out.push_str(&format!(
            "Downloading {} ({})\n",
            idx[*k].wheel,
            size(idx[*k].size)
        ));
    }
    if !chosen.is_empty() {
        // Dependencies first, as pip installs them.
        let mut order: Vec<usize> = Vec::new();
        fn visit(
            k: usize,
            idx: &[Release],
            chosen: &[usize],
            order: &mut Vec<usize>,
            depth: usize,
        ) {
            if order.contains(&k) || depth > 20 {
                return;
            }
            for q in &idx[k].requires {
                let n = normalize(&split_req(q).0);
                if let Some(d) = chosen.iter().find(|c| idx[**c].name == n) {
                    visit(*d, idx, chosen, order, depth + 1);
                }
            }
            order.push(k);
        }
        for k in &chosen {
            visit(*k, &idx, &chosen, &mut order, 0);
        }
        let names: Vec<&str> = order.iter().map(|k| idx[*k].display).collect();
        out.push_str(&format!(
            "Installing collected packages: {}\n",
            names.join(", ")
        ));
        for k in &order {
            if let Err(e) = write_release(ctx, env, &idx[*k]) {
                let _ = io.stdout.write_all(out.as_bytes());
                let _ = writeln!(
                    io.stderr,
                    "ERROR: Could not install packages due to an OSError: {e}"
                );
                return 1;
            }
        }
        let mut done: Vec<String> = order
            .iter()
            .map(|k| format!("{}-{}", idx[*k].display, idx[*k].version))
            .collect();
        done.sort();
        out.push_str(&format!("Successfully installed {}\n", done.join(" ")));
    }
    if !quiet {
        let _ = io.stdout.write_all(out.as_bytes());
    }
    let _ = writeln!(io.stderr, "{ROOT_WARNING}{NOTICE}");
    0
}

fn write_release(ctx: &mut Ctx<'_>, env: &Env, r: &Release) -> std::io::Result<()> {
    vfs::create_dir_all(ctx.fs, &env.site)?;
    let mut record = Vec::new();
    // The wheel's bytes, spread over its packages: what `du` and `docker history` see.
    let each = (r.size as usize * 2 / r.packages.len().max(1)).max(64);
    for p in &r.packages {
        let dir = format!("{}/{p}", env.site);
        vfs::create_dir_all(ctx.fs, &dir)?;
        let init = format!(
            "# {} {} (files installed by pip; docklab simulates what the lab needs of it)\n",
            r.display, r.version
        );
        ctx.fs
            .write(&format!("{dir}/__init__.py"), init.as_bytes(), false)?;
        let mut filler = Vec::new();
        crate::engine::program::write_filler(&mut filler, r.wheel, each);
        ctx.fs.write(&format!("{dir}/_core.py"), &filler, false)?;
        record.push(format!("{p}/__init__.py,,"));
        record.push(format!("{p}/_core.py,,{each}"));
    }
    let info = format!(
        "{}/{}-{}.dist-info",
        env.site,
        r.display.replace('-', "_"),
        r.version
    );
    vfs::create_dir_all(ctx.fs, &info)?;
    let requires: String = r
        .requires
        .iter()
        .map(|q| format!("Requires-Dist: {q}\n"))
        .collect();
    let meta = format!(
        "Metadata-Version: 2.1\nName: {}\nVersion: {}\n{requires}\n",
        r.display, r.version
    );
    ctx.fs
        .write(&format!("{info}/METADATA"), meta.as_bytes(), false)?;
    ctx.fs
        .write(&format!("{info}/INSTALLER"), b"pip\n", false)?;
    ctx.fs.write(
        &format!("{info}/WHEEL"),
        b"Wheel-Version: 1.0\nGenerator: docklab\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        false,
    )?;
    let top: String = r.packages.iter().map(|p| format!("{p}\n")).collect();
    ctx.fs
        .write(&format!("{info}/top_level.txt"), top.as_bytes(), false)?;
    let base = vfs::file_name(&info).to_string();
    for f in ["METADATA", "INSTALLER", "WHEEL", "top_level.txt", "RECORD"] {
        record.push(format!("{base}/{f},,"));
    }
    if !r.scripts.is_empty() {
        vfs::create_dir_all(ctx.fs, &env.bin)?;
    }
    for (script, module) in &r.scripts {
        let text = format!(
            "#!{}\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom {module} import main\nif __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(main())\n",
            env.python
        );
        let path = format!("{}/{script}", env.bin);
        ctx.fs.write(&path, text.as_bytes(), false)?;
        ctx.fs.set_mode(&path, 0o755)?;
        record.push(format!("../../../bin/{script},,"));
    }
    record.push(String::new());
    ctx.fs.write(
        &format!("{info}/RECORD"),
        record.join("\n").as_bytes(),
        false,
    )?;
    let _ = &env.prefix;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::shell::Vfs;
    use crate::engine::shell::programs::python::tests::Box_;

    #[test]
    fn specifiers_and_sizes_read_as_pip_reads_them() {
        assert_eq!(
            split_req("flask>=3.0,<4"),
            (
                "flask".into(),
                vec![(">=".into(), "3.0".into()), ("<".into(), "4".into())]
            )
        );
        assert!(satisfies("3.1.1", &split_req("flask~=3.1").1));
        assert!(!satisfies("3.1.1", &split_req("flask==3.0.0").1));
        assert_eq!(
            (size(103305), size(8458), size(16631542), size(900)),
            (
                "103 kB".into(),
                "8.5 kB".into(),
                "16.6 MB".into(),
                "900 bytes".into()
            )
        );
        assert_eq!(normalize("Charset_Normalizer"), "charset-normalizer");
    }

    #[test]
    fn installing_requirements_resolves_dependencies_and_writes_site_packages() {
        let mut b = Box_::new();
        b.write(
            "/app/requirements.txt",
            "# web\nflask==3.1.1\n\nrequests>=2.0\n",
        );
        let (o, e, s) = b.run(
            super::super::pip,
            &["pip", "install", "--no-cache-dir", "-r", "requirements.txt"],
            b"",
        );
        assert_eq!(s, 0, "{e}");
        assert!(o.starts_with("Collecting flask==3.1.1 (from -r requirements.txt (line 2))\n  Downloading flask-3.1.1-py3-none-any.whl.metadata (3.0 kB)\nCollecting requests>=2.0 (from -r requirements.txt (line 4))\n"), "{o}");
        assert!(
            o.contains(
                "Collecting blinker>=1.9.0 (from flask==3.1.1->-r requirements.txt (line 2))\n"
                    .replace("flask==3.1.1->", "flask->")
                    .as_str()
            ),
            "{o}"
        );
        assert!(
            o.contains("Downloading flask-3.1.1-py3-none-any.whl (103 kB)\n"),
            "{o}"
        );
        assert!(o.contains("Successfully installed Flask-3.1.1 Jinja2-3.1.6 MarkupSafe-3.0.2 Werkzeug-3.1.3 blinker-1.9.0 certifi-2025.6.15 charset-normalizer-3.4.2 click-8.2.1 idna-3.10 itsdangerous-2.2.0 requests-2.32.4 urllib3-2.5.0\n"), "{o}");
        assert!(
            e.starts_with("WARNING: Running pip as the 'root' user"),
            "{e}"
        );
        let site = "/usr/local/lib/python3.12/site-packages";
        assert!(b.fs.exists(&format!("{site}/flask/__init__.py")));
        assert!(b.fs.exists(&format!("{site}/Flask-3.1.1.dist-info/RECORD")));
        assert!(
            String::from_utf8_lossy(&b.fs.read("/usr/local/bin/flask").unwrap())
                .starts_with("#!/usr/local/bin/python3\n")
        );
        let (o, _, _) = b.run(super::super::pip, &["pip", "install", "flask"], b"");
        assert_eq!(
            o,
            format!("Requirement already satisfied: flask in {site} (3.1.1)\n")
        );
        let (o, _, _) = b.run(super::super::pip, &["pip", "freeze"], b"");
        assert!(o.starts_with("blinker==1.9.0\ncertifi==2025.6.15\n"), "{o}");
        let (o, _, _) = b.run(
            crate::engine::shell::programs::python::python,
            &[
                "python",
                "-c",
                "import flask, requests; print(flask.__name__)",
            ],
            b"",
        );
        assert_eq!(o, "flask\n");
        let (o, _, _) = b.run(super::super::pip, &["pip", "list"], b"");
        assert!(o.starts_with("Package            Version\n------------------ ---------\nblinker            1.9.0\n"), "{o}");
    }

    #[test]
    fn an_unknown_package_installs_nothing() {
        let mut b = Box_::new();
        let (o, e, s) = b.run(
            super::super::pip,
            &["pip", "install", "flask", "nosuchpkg"],
            b"",
        );
        assert_eq!(s, 1);
        assert!(o.starts_with("Collecting flask\n"), "{o}");
        assert_eq!(
            e,
            "ERROR: Could not find a version that satisfies the requirement nosuchpkg (from versions: none)\nERROR: No matching distribution found for nosuchpkg\n"
        );
        assert!(!b.fs.exists("/usr/local/lib/python3.12/site-packages/flask"));
    }

    #[test]
    fn a_distributions_python_refuses_system_wide_installs() {
        let mut b = Box_::new();
        b.fs.remove_file("/usr/local/bin/python3.12").unwrap();
        let _ = b.fs.create_dir("/etc");
        b.write("/etc/debian_version", "12.0\n");
        let (_, e, s) = b.run(super::super::pip, &["pip", "install", "flask"], b"");
        assert_eq!(s, 1);
        assert!(e.starts_with("error: externally-managed-environment\n\n× This environment is externally managed\n╰─> To install Python packages system-wide, try apt install\n"), "{e}");
    }
}
