//! Language runtimes as their official images ship them: python, node and golang, on
//! Debian bookworm (over buildpack-deps) and on Alpine.
//!
//! Owns what each image's Dockerfile steps add (interpreters and compilers as simulated
//! programs, their standard libraries and package managers as files of the real names,
//! sizes reached with a few large fillers) and the steps' history text, taken from the
//! official Dockerfiles. The catalog decides tags and bases.

use super::rootfs;
use super::spec::{HistoryRow, ImageSpec, LayerSpec, Recipe, RunConfig, epoch, strings};
use super::tree::Tree;
use std::sync::Arc;

/// A layer recipe from a closure.
pub(super) fn recipe(f: impl Fn(&mut Tree) + Send + Sync + 'static) -> Recipe {
    Arc::new(f)
}

/// `base` rebuilt as an image `created` at that time with `config` (the base's working
/// directory kept unless `config` sets one).
pub(super) fn from(base: &ImageSpec, created: &str, config: RunConfig) -> ImageSpec {
    let mut image = base.clone();
    image.created = created.to_string();
    let mut config = config;
    if config.working_dir.is_empty() {
        config.working_dir = base.config.working_dir.clone();
    }
    image.config = config;
    image
}

/// Dates every history row no later than `limit`, as BuildKit does for an image built
/// with SOURCE_DATE_EPOCH set (the base's rows too).
pub(super) fn clamp_history(image: &mut ImageSpec, limit: &str) {
    let at = epoch(limit);
    for row in &mut image.history {
        if epoch(&row.created) > at {
            row.created = limit.to_string();
        }
    }
}

/// Appends a Dockerfile's steps, all stamped `created`: each row that makes a layer
/// takes the next recipe (a row without one is a step that changed no file, such as
/// `WORKDIR` of a directory that exists).
pub(super) fn dockerfile(
    image: &mut ImageSpec,
    created: &str,
    rows: &[(bool, &str)],
    recipes: Vec<Recipe>,
) {
    let layers = rows.iter().filter(|(layer, _)| *layer).count();
    assert_eq!(layers, recipes.len(), "{}: one recipe per layer", rows[0].1);
    let built = epoch(created);
    let mut recipes = recipes.into_iter();
    for (layer, created_by) in rows {
        if *layer {
            let recipe = recipes.next().expect("counted above");
            image.layer(
                HistoryRow::buildkit(created, *created_by, false),
                LayerSpec { built, recipe },
            );
        } else {
            image.meta(HistoryRow::buildkit(created, *created_by, true));
        }
    }
}

/// A layer that adds nothing (BuildKit's `WORKDIR` of an existing directory).
pub(super) fn empty() -> Recipe {
    recipe(|_| {})
}

/// The image's environment: PATH and the `ENV` rows of `rows`, in order, as Docker
/// accumulates them (a later `ENV` of the same name replaces the earlier value).
pub(super) fn env_of(base_path: &str, rows: &[(bool, &str)]) -> Vec<String> {
    let mut env = vec![base_path.to_string()];
    for (_, row) in rows {
        let Some(pair) = row.strip_prefix("ENV ") else {
            continue;
        };
        let name = pair.split('=').next().unwrap_or(pair);
        match env.iter_mut().find(|e| e.split('=').next() == Some(name)) {
            Some(old) => *old = pair.to_string(),
            None => env.push(pair.to_string()),
        }
    }
    env
}

const DEB_LIB: &str = "usr/lib/x86_64-linux-gnu";

// --- buildpack-deps -------------------------------------------------------------

/// When buildpack-deps:bookworm was rebuilt over the catalog's debian:bookworm (the
/// three variants build one after another the night the Debian snapshot lands).
const BUILDPACK_CURL_CREATED: &str = "2025-06-10T01:43:17Z";
const BUILDPACK_SCM_CREATED: &str = "2025-06-10T02:29:39Z";
const BUILDPACK_FULL_CREATED: &str = "2025-06-10T03:20:44Z";

/// Unpacked sizes of the three buildpack-deps layers.
const CURL_SIZE: u64 = 55_100_000;
const SCM_SIZE: u64 = 185_300_000;
const FULL_SIZE: u64 = 568_700_000;

/// buildpack-deps:bookworm-curl over debian:bookworm.
pub fn buildpack_curl(debian: &ImageSpec) -> ImageSpec {
    let created = BUILDPACK_CURL_CREATED;
    let config = RunConfig {
        env: env_of(super::spec::DEFAULT_PATH, BUILDPACK_CURL),
        cmd: Some(strings(&["bash"])),
        ..RunConfig::default()
    };
    let mut image = from(debian, created, config);
    dockerfile(
        &mut image,
        created,
        BUILDPACK_CURL,
        vec![recipe(|t| {
            t.program("usr/bin/curl", "curl", 281_040)
                .program("usr/bin/wget", "wget", 515_424)
                .program("usr/bin/gpg", "gpg", 1_138_072)
                .program("usr/bin/sq", "sq", 12_651_984)
                .data("etc/ssl/certs/ca-certificates.crt", 0o644, 219_342)
                .text("etc/protocols", 0o644, "ip\t0\tIP\t\t# internet protocol, pseudo protocol number\nicmp\t1\tICMP\t\t# internet control message protocol\ntcp\t6\tTCP\t\t# transmission control protocol\nudp\t17\tUDP\t\t# user datagram protocol\n")
                .text("etc/services", 0o644, "ftp\t\t21/tcp\nssh\t\t22/tcp\nsmtp\t\t25/tcp\nhttp\t\t80/tcp\t\twww\nhttps\t\t443/tcp\nredis\t\t6379/tcp\npostgresql\t5432/tcp\n");
            t.fill_to(
                CURL_SIZE,
                &[
                    (&format!("{DEB_LIB}/libcrypto.so.3"), 5),
                    (&format!("{DEB_LIB}/libcurl.so.4.8.0"), 1),
                    (&format!("{DEB_LIB}/libgnutls.so.30.34.3"), 2),
                    ("usr/share/doc/gnupg/NEWS", 1),
                    (&format!("{DEB_LIB}/libsequoia_octopus_librnp.so"), 6),
                ],
            );
        })],
    );
    image
}

/// buildpack-deps:bookworm-scm over buildpack-deps:bookworm-curl.
pub fn buildpack_scm(curl: &ImageSpec) -> ImageSpec {
    let created = BUILDPACK_SCM_CREATED;
    let mut image = from(curl, created, curl.config.clone());
    dockerfile(
        &mut image,
        created,
        BUILDPACK_SCM,
        vec![recipe(|t| {
            t.program("usr/bin/git", "git", 4_088_496)
                .program("usr/bin/ssh", "ssh", 1_031_608)
                .program("usr/bin/svn", "svn", 305_408)
                .program("usr/bin/hg", "hg", 4_096)
                .program("usr/bin/ps", "ps", 137_752)
                .program("usr/bin/python3.11", "python3.11", 6_831_736)
                .symlink("usr/bin/python3", "python3.11")
                .dir("usr/share/git-core/templates/hooks", 0o755);
            t.fill_to(
                SCM_SIZE,
                &[
                    ("usr/lib/git-core/git-remote-http", 3),
                    ("usr/lib/python3.11/pydoc_data/topics.py", 4),
                    ("usr/lib/python3/dist-packages/mercurial/__init__.py", 8),
                    (&format!("{DEB_LIB}/libpython3.11.so.1.0"), 3),
                    (&format!("{DEB_LIB}/libsvn_subr-1.so.1.0.0"), 1),
                    ("usr/share/perl/5.36.0/unicore/Name.pl", 2),
                    (&format!("{DEB_LIB}/perl/5.36.0/auto/POSIX/POSIX.so"), 1),
                ],
            );
        })],
    );
    image
}

/// buildpack-deps:bookworm over buildpack-deps:bookworm-scm: compilers and -dev headers.
pub fn buildpack_full(scm: &ImageSpec) -> ImageSpec {
    let created = BUILDPACK_FULL_CREATED;
    let mut image = from(scm, created, scm.config.clone());
    dockerfile(
        &mut image,
        created,
        BUILDPACK_FULL,
        vec![recipe(|t| {
            gcc_toolchain(t);
            t.program("usr/bin/make", "make", 252_880)
                .program("usr/bin/file", "file", 31_312)
                .program("usr/bin/unzip", "unzip", 178_840)
                .program("usr/bin/autoconf", "autoconf", 15_240)
                .program("usr/bin/convert-im6.q16", "convert", 14_568)
                .symlink("usr/bin/convert", "/etc/alternatives/convert")
                .symlink("etc/alternatives/convert", "/usr/bin/convert-im6.q16")
                .text("usr/include/zlib.h", 0o644, "/* zlib.h -- interface of the 'zlib' general purpose compression library\n  version 1.2.13, October 13th, 2022\n*/\n");
            t.fill_to(
                FULL_SIZE,
                &[
                    ("usr/lib/gcc/x86_64-linux-gnu/12/cc1", 30),
                    ("usr/lib/gcc/x86_64-linux-gnu/12/cc1plus", 32),
                    ("usr/lib/gcc/x86_64-linux-gnu/12/lto1", 29),
                    (&format!("{DEB_LIB}/libMagickCore-6.Q16.so.6.0.0"), 4),
                    (&format!("{DEB_LIB}/libicudata.so.72.1"), 30),
                    (&format!("{DEB_LIB}/libLLVM-14.so.1"), 110),
                    (&format!("{DEB_LIB}/libgtk-3.so.0.2406.32"), 8),
                    (&format!("{DEB_LIB}/libmysqlclient.a"), 12),
                    ("usr/include/c++/12/bits/stl_algo.h", 40),
                    ("usr/share/doc/libmagickcore-6.q16-dev/changelog.gz", 6),
                    (&format!("{DEB_LIB}/libx265.so.199"), 12),
                    (&format!("{DEB_LIB}/libglib-2.0.a"), 9),
                    ("usr/share/icons/Adwaita/icon-theme.cache", 10),
                    (&format!("{DEB_LIB}/libpq.a"), 3),
                ],
            );
        })],
    );
    image
}

/// gcc, g++ and binutils as programs (what `apt-get install gcc g++` puts in /usr/bin).
fn gcc_toolchain(t: &mut Tree) {
    t.program("usr/bin/x86_64-linux-gnu-gcc-12", "gcc", 1_284_232)
        .program("usr/bin/x86_64-linux-gnu-g++-12", "g++", 1_288_328)
        .program("usr/bin/x86_64-linux-gnu-cpp-12", "cpp", 1_284_232)
        .program("usr/bin/x86_64-linux-gnu-ld.bfd", "ld", 1_791_840)
        .program("usr/bin/x86_64-linux-gnu-as", "as", 842_432)
        .symlink("usr/bin/gcc-12", "x86_64-linux-gnu-gcc-12")
        .symlink("usr/bin/g++-12", "x86_64-linux-gnu-g++-12")
        .symlink("usr/bin/cpp-12", "x86_64-linux-gnu-cpp-12")
        .symlink("usr/bin/gcc", "gcc-12")
        .symlink("usr/bin/g++", "g++-12")
        .symlink("usr/bin/cc", "/etc/alternatives/cc")
        .symlink("etc/alternatives/cc", "/usr/bin/gcc")
        .symlink("usr/bin/c++", "/etc/alternatives/c++")
        .symlink("etc/alternatives/c++", "/usr/bin/g++")
        .symlink("usr/bin/ld", "x86_64-linux-gnu-ld")
        .symlink("usr/bin/x86_64-linux-gnu-ld", "x86_64-linux-gnu-ld.bfd")
        .symlink("usr/bin/as", "x86_64-linux-gnu-as")
        .text("usr/include/stdio.h", 0o644, "/* Define ISO C stdio on top of C++ iostreams.\n   Copyright (C) 1991-2022 Free Software Foundation, Inc.\n   This file is part of the GNU C Library.  */\n\n#ifndef _STDIO_H\n#define _STDIO_H\t1\n");
}

// --- python -----------------------------------------------------------------------

/// The pip that 3.12.11's ensurepip bundles.
pub const PIP_VERSION: &str = "25.0.1";
/// When each python:3.12.11 variant was built: Alpine the day after the release, the
/// Debian ones again over the debian:bookworm of 2025-06-10.
fn python_created(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Bookworm => "2025-06-10T19:32:06Z",
        Flavour::Slim => "2025-06-10T18:56:41Z",
        Flavour::Alpine => "2025-06-04T01:42:55Z",
    }
}

/// Which build of python an image carries.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Over buildpack-deps:bookworm.
    Bookworm,
    /// Over debian:bookworm-slim (build dependencies purged).
    Slim,
    /// Over alpine (musl).
    Alpine,
}

fn python_config(rows: &[(bool, &str)]) -> RunConfig {
    RunConfig {
        env: env_of(super::spec::DEFAULT_PATH, rows),
        cmd: Some(strings(&["python3"])),
        ..RunConfig::default()
    }
}

/// python:3.12.11 over `base` (buildpack-deps:bookworm, debian:bookworm-slim or alpine).
pub fn python_image(base: &ImageSpec, flavour: Flavour) -> ImageSpec {
    let created = python_created(flavour);
    let rows = match flavour {
        Flavour::Bookworm => PYTHON_BOOKWORM,
        Flavour::Slim => PYTHON_SLIM,
        Flavour::Alpine => PYTHON_ALPINE,
    };
    let mut image = from(base, created, python_config(rows));
    let (deps_size, install_size) = match flavour {
        Flavour::Bookworm => (19_100_000, 75_200_000),
        Flavour::Slim => (4_170_000, 45_100_000),
        Flavour::Alpine => (3_900_000, 43_000_000),
    };
    let runtime_deps = recipe(move |t| match flavour {
        Flavour::Bookworm => {
            t.fill_to(
                deps_size,
                &[
                    (&format!("{DEB_LIB}/libtk8.6.so"), 1),
                    ("usr/include/tk/tk.h", 1),
                    (&format!("{DEB_LIB}/libbluetooth.so.3.19.8"), 1),
                    ("usr/share/tcltk/tk8.6/ttk/ttk.tcl", 1),
                ],
            );
        }
        Flavour::Slim => {
            t.data("etc/ssl/certs/ca-certificates.crt", 0o644, 219_342);
            t.fill_to(
                deps_size,
                &[
                    ("usr/share/zoneinfo/America/New_York", 1),
                    ("usr/share/zoneinfo/Europe/London", 1),
                    ("usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt", 1),
                ],
            );
        }
        Flavour::Alpine => {
            t.data("etc/ssl/certs/ca-certificates.crt", 0o644, 219_342);
            t.fill_to(
                deps_size,
                &[
                    ("usr/share/zoneinfo/America/New_York", 1),
                    ("usr/share/zoneinfo/Europe/London", 1),
                ],
            );
        }
    });
    let install = recipe(move |t| python_install(t, flavour, install_size));
    let links = recipe(|t| {
        for (link, target) in [
            ("idle", "idle3"),
            ("pip", "pip3"),
            ("pydoc", "pydoc3"),
            ("python", "python3"),
            ("python-config", "python3-config"),
        ] {
            t.symlink(&format!("usr/local/bin/{link}"), target);
        }
    });
    dockerfile(
        &mut image,
        created,
        rows,
        vec![runtime_deps, install, links],
    );
    image
}

/// `make install` of CPython 3.12 into /usr/local, tests and static library removed.
fn python_install(t: &mut Tree, flavour: Flavour, size: u64) {
    let lib = "usr/local/lib/python3.12";
    t.program("usr/local/bin/python3.12", "python3", 17_536)
        .symlink("usr/local/bin/python3", "python3.12")
        .text(
            "usr/local/bin/python3.12-config",
            0o755,
            "#!/bin/sh\n\n# Keep this script in sync with python-config.in\n\nexit_with_usage ()\n{\n    local USAGE=\"Usage: $0 --prefix|--exec-prefix|--includes|--libs|--cflags|--ldflags|--extension-suffix|--help|--abiflags|--configdir|--embed\"\n    if [[ \"$1\" -eq 0 ]]; then\n        echo \"$USAGE\"\n    else\n        echo \"$USAGE\" >&2\n    fi\n    exit $1\n}\n\nprefix_real=/usr/local\nexec_prefix_real=${prefix_real}\nVERSION=\"3.12\"\n",
        )
        .symlink("usr/local/bin/python3-config", "python3.12-config")
        .program("usr/local/bin/pip3", "pip", 229)
        .program("usr/local/bin/pip3.12", "pip", 229)
        .text("usr/local/bin/pydoc3.12", 0o755, "#!/usr/local/bin/python3.12\n\nimport pydoc\nif __name__ == '__main__':\n    pydoc.cli()\n")
        .symlink("usr/local/bin/pydoc3", "pydoc3.12")
        .text("usr/local/bin/idle3.12", 0o755, "#!/usr/local/bin/python3.12\n\nfrom idlelib.pyshell import main\nif __name__ == '__main__':\n    main()\n")
        .symlink("usr/local/bin/idle3", "idle3.12")
        .text("usr/local/bin/2to3-3.12", 0o755, "#!/usr/local/bin/python3.12\nimport sys\nfrom lib2to3.main import main\n\nsys.exit(main(\"lib2to3.fixes\"))\n")
        .symlink("usr/local/bin/2to3", "2to3-3.12")
        .library("usr/local/lib/libpython3.12.so.1.0", 28_373_040)
        .symlink("usr/local/lib/libpython3.12.so", "libpython3.12.so.1.0")
        .library("usr/local/lib/libpython3.so", 15_736)
        .data("usr/local/lib/pkgconfig/python-3.12.pc", 0o644, 321)
        .text("usr/local/include/python3.12/patchlevel.h", 0o644, "#define PY_MAJOR_VERSION        3\n#define PY_MINOR_VERSION        12\n#define PY_MICRO_VERSION        11\n#define PY_RELEASE_LEVEL        PY_RELEASE_LEVEL_FINAL\n#define PY_RELEASE_SERIAL       0\n\n/* Version as a string */\n#define PY_VERSION              \"3.12.11\"\n")
        .data("usr/local/include/python3.12/Python.h", 0o644, 2_994);
    if flavour == Flavour::Bookworm {
        t.text(
            "usr/share/gdb/auto-load/usr/local/bin/python3.12-gdb.py",
            0o644,
            "#!/usr/bin/python\n'''\nFrom gdb 7 onwards, gdb's build can be configured --with-python, allowing gdb\nto be extended with Python code e.g. for library-specific data visualizations,\nsuch as for the C++ STL types.  Documentation on this API can be seen at:\nhttp://sourceware.org/gdb/current/onlinedocs/gdb/Python-API.html\n'''\n",
        );
    }
    for (name, size) in [
        ("os.py", 39_786),
        ("abc.py", 6_538),
        ("argparse.py", 101_661),
        ("base64.py", 20_847),
        ("collections/__init__.py", 52_378),
        ("collections/abc.py", 119),
        ("datetime.py", 268),
        ("_pydatetime.py", 91_939),
        ("functools.py", 38_097),
        ("json/__init__.py", 14_020),
        ("json/decoder.py", 12_473),
        ("json/encoder.py", 16_073),
        ("json/scanner.py", 2_425),
        ("json/tool.py", 3_339),
        ("pathlib.py", 52_536),
        ("random.py", 34_683),
        ("re/__init__.py", 16_315),
        ("shutil.py", 57_944),
        ("site.py", 22_906),
        ("socket.py", 37_006),
        ("subprocess.py", 88_696),
        ("sysconfig.py", 31_136),
        ("threading.py", 58_901),
        ("typing.py", 122_634),
        ("http/__init__.py", 8_436),
        ("http/server.py", 48_492),
        ("http/client.py", 57_313),
        ("urllib/__init__.py", 0),
        ("urllib/request.py", 102_503),
        ("urllib/parse.py", 45_002),
        ("sqlite3/__init__.py", 2_501),
        ("asyncio/__init__.py", 1_220),
        ("unittest/__init__.py", 3_487),
        ("venv/__init__.py", 28_437),
        ("ensurepip/__init__.py", 9_734),
        ("LICENSE.txt", 13_809),
    ] {
        t.data(&format!("{lib}/{name}"), 0o644, size);
    }
    let platform = if flavour == Flavour::Alpine {
        "x86_64-linux-musl"
    } else {
        "x86_64-linux-gnu"
    };
    for module in [
        "_json", "_socket", "_ssl", "_sqlite3", "math", "select", "zlib",
    ] {
        t.library(
            &format!("{lib}/lib-dynload/{module}.cpython-312-{platform}.so"),
            60_000 + 9_000 * module.len(),
        );
    }
    pip_install(t, lib);
    t.fill_to(
        size,
        &[
            (&format!("{lib}/pydoc_data/topics.py"), 5),
            (&format!("{lib}/config-3.12-{platform}/Makefile"), 1),
            (
                &format!("{lib}/lib-dynload/_decimal.cpython-312-{platform}.so"),
                4,
            ),
            (
                &format!("{lib}/ensurepip/_bundled/pip-{PIP_VERSION}-py3-none-any.whl"),
                9,
            ),
            (
                &format!("{lib}/site-packages/pip/_vendor/rich/_emoji_codes.py"),
                6,
            ),
            (
                &format!("{lib}/lib-dynload/_codecs_jp.cpython-312-{platform}.so"),
                2,
            ),
            (&format!("{lib}/idlelib/idle.html"), 3),
            (&format!("{lib}/tkinter/__init__.py"), 3),
            (&format!("{lib}/email/_header_value_parser.py"), 2),
            (&format!("{lib}/_pydecimal.py"), 3),
        ],
    );
}

/// pip as ensurepip installs it into site-packages.
fn pip_install(t: &mut Tree, lib: &str) {
    let site = format!("{lib}/site-packages");
    t.text(
        &format!("{site}/pip/__init__.py"),
        0o644,
        format!("from typing import List, Optional\n\n__version__ = \"{PIP_VERSION}\"\n\n\ndef main(args: Optional[List[str]] = None) -> int:\n    \"\"\"This is an internal API only meant for use by pip's own console scripts.\n\n    For additional details, see https://github.com/pypa/pip/issues/7498.\n    \"\"\"\n    from pip._internal.utils.entrypoints import _wrapper\n\n    return _wrapper(args)\n"),
    )
    .text(
        &format!("{site}/pip/__main__.py"),
        0o644,
        "import os\nimport sys\n\n# Remove '' and current working directory from the first entry\n# of sys.path, if present to avoid using current directory\n# in pip commands check, freeze, install, list and show,\n# when invoked as python -m pip <command>\nif sys.path[0] in (\"\", os.getcwd()):\n    sys.path.pop(0)\n\n# If we are running from a wheel, add the wheel to sys.path\n# This allows the usage python pip-*.whl/pip install pip-*.whl\nif __package__ == \"\":\n    # __file__ is pip-*.whl/pip/__main__.py\n    # first dirname call strips of '/__main__.py', second strips off '/pip'\n    # Resulting path is the name of the wheel itself\n    # Add that to sys.path so we can import pip\n    path = os.path.dirname(os.path.dirname(__file__))\n    sys.path.insert(0, path)\n\nif __name__ == \"__main__\":\n    from pip._internal.cli.main import main as _main\n\n    sys.exit(_main())\n",
    )
    .data(&format!("{site}/pip/_internal/cli/main.py"), 0o644, 2_817)
    .data(&format!("{site}/pip/_internal/commands/install.py"), 0o644, 29_757)
    .text(&format!("{site}/README.txt"), 0o644, "This directory exists so that 3rd party packages can be installed\nhere.  Read the source for site.py for more details.\n");
    let info = format!("{site}/pip-{PIP_VERSION}.dist-info");
    t.text(
        &format!("{info}/METADATA"),
        0o644,
        format!("Metadata-Version: 2.2\nName: pip\nVersion: {PIP_VERSION}\nSummary: The PyPA recommended tool for installing Python packages.\nAuthor-email: The pip developers <distutils-sig@python.org>\nLicense: MIT\nProject-URL: Homepage, https://pip.pypa.io/\nProject-URL: Documentation, https://pip.pypa.io\nProject-URL: Source, https://github.com/pypa/pip\nProject-URL: Changelog, https://pip.pypa.io/en/stable/news/\nClassifier: Development Status :: 5 - Production/Stable\nClassifier: Intended Audience :: Developers\nClassifier: License :: OSI Approved :: MIT License\nClassifier: Topic :: Software Development :: Build Tools\nClassifier: Programming Language :: Python\nClassifier: Programming Language :: Python :: 3\nClassifier: Programming Language :: Python :: 3 :: Only\nClassifier: Programming Language :: Python :: 3.8\nClassifier: Programming Language :: Python :: 3.9\nClassifier: Programming Language :: Python :: 3.10\nClassifier: Programming Language :: Python :: 3.11\nClassifier: Programming Language :: Python :: 3.12\nClassifier: Programming Language :: Python :: 3.13\nClassifier: Programming Language :: Python :: Implementation :: CPython\nClassifier: Programming Language :: Python :: Implementation :: PyPy\nRequires-Python: >=3.8\nDescription-Content-Type: text/x-rst\nLicense-File: LICENSE.txt\nLicense-File: AUTHORS.txt\n\npip - The Python Package Installer\n==================================\n"),
    )
    .text(&format!("{info}/INSTALLER"), 0o644, "pip\n")
    .text(&format!("{info}/WHEEL"), 0o644, "Wheel-Version: 1.0\nGenerator: setuptools (75.8.0)\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n")
    .text(&format!("{info}/entry_points.txt"), 0o644, "[console_scripts]\npip = pip._internal.cli.main:main\npip3 = pip._internal.cli.main:main\n")
    .text(&format!("{info}/top_level.txt"), 0o644, "pip\n")
    .data(&format!("{info}/RECORD"), 0o644, 66_382);
}

// --- node -------------------------------------------------------------------------

/// The npm that node 22.17.0 bundles.
pub const NPM_VERSION: &str = "10.9.2";
pub const YARN_VERSION: &str = "1.22.22";
/// When node:22.17.0 was built, the day after the release.
const NODE_CREATED: &str = "2025-06-25T03:03:32Z";
const NODE_ALPINE_CREATED: &str = "2025-06-25T02:53:10Z";

/// docker-entrypoint.sh of the node images.
pub const NODE_ENTRYPOINT: &str = r#"#!/bin/sh
set -e

# Run command with node if the first argument contains a "-" or is not a system command. The last
# part inside the "{}" is a workaround for the following bug in ash/dash:
# https://bugs.debian.org/cgi-bin/bugreport.cgi?bug=874264
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi

exec "$@"
"#;

const YARN_SCRIPT: &str = r#"#!/bin/sh
argv0=$(echo "$0" | sed -e 's,\\,/,g')
basedir=$(dirname "$(readlink "$0" || echo "$argv0")")

case "$(uname -s)" in
  Darwin) basedir="$( cd "$( dirname "$argv0" )" && pwd )";;
  Linux) basedir=$(dirname "$(readlink -f "$0" || echo "$argv0")");;
  *CYGWIN*) basedir=`cygpath -w "$basedir"`;;
  *MSYS*) basedir=`cygpath -w "$basedir"`;;
esac

command_exists() {
  command -v "$1" >/dev/null 2>&1;
}

if command_exists node; then
  if [ "$YARN_FORCE_WINPTY" = 1 ] || command_exists winpty && test -t 1; then
    winpty node "$basedir/yarn.js" "$@"
  else
    exec node "$basedir/yarn.js" "$@"
  fi
  ret=$?
# Debian and Ubuntu use "nodejs" as the name of the binary, not "node", so we
# search for that too. See:
# https://lists.debian.org/debian-devel-announce/2012/07/msg00002.html
# https://github.com/nodejs/node-v0.x-archive/issues/3911
elif command_exists nodejs; then
  exec nodejs "$basedir/yarn.js" "$@"
  ret=$?
else
  >&2 echo 'Yarn requires Node.js 4.0 or higher to be installed.'
  ret=1
fi

exit $ret
"#;

/// The files of debian:bookworm's /etc/skel, as `useradd --create-home` copies them.
const SKEL_BASH_LOGOUT: &str = "# ~/.bash_logout: executed by bash(1) when login shell exits.\n";
const SKEL_PROFILE: &str = "# ~/.profile: executed by the command interpreter for login shells.\n\nif [ -n \"$BASH_VERSION\" ]; then\n    if [ -f \"$HOME/.bashrc\" ]; then\n\t. \"$HOME/.bashrc\"\n    fi\nfi\n";
const SKEL_BASHRC: &str = r#"# ~/.bashrc: executed by bash(1) for non-login shells.

# If not running interactively, don't do anything
[ -z "$PS1" ] && return

# don't put duplicate lines in the history. See bash(1) for more options
HISTCONTROL=ignoredups:ignorespace

# append to the history file, don't overwrite it
shopt -s histappend

# for setting history length see HISTSIZE and HISTFILESIZE in bash(1)
HISTSIZE=1000
HISTFILESIZE=2000

# check the window size after each command and, if necessary,
# update the values of LINES and COLUMNS.
shopt -s checkwinsize

PS1='${debian_chroot:+($debian_chroot)}\u@\h:\w\$ '

# enable color support of ls and also add handy aliases
if [ -x /usr/bin/dircolors ]; then
    test -r ~/.dircolors && eval "$(dircolors -b ~/.dircolors)" || eval "$(dircolors -b)"
    alias ls='ls --color=auto'
    alias grep='grep --color=auto'
fi

# some more ls aliases
alias ll='ls -alF'
alias la='ls -A'
alias l='ls -CF'
"#;

fn node_config(rows: &[(bool, &str)]) -> RunConfig {
    RunConfig {
        env: env_of(super::spec::DEFAULT_PATH, rows),
        entrypoint: Some(strings(&["docker-entrypoint.sh"])),
        cmd: Some(strings(&["node"])),
        ..RunConfig::default()
    }
}

/// node:22.17.0 over buildpack-deps:bookworm, or over alpine when `alpine`.
pub fn node_image(base: &ImageSpec, alpine: bool) -> ImageSpec {
    let created = if alpine {
        NODE_ALPINE_CREATED
    } else {
        NODE_CREATED
    };
    let rows = if alpine { NODE_ALPINE } else { NODE_BOOKWORM };
    let mut image = from(base, created, node_config(rows));
    let user = recipe(|t| {
        rootfs::add_user(
            t,
            false,
            "node:x:1000:1000::/home/node:/bin/bash",
            "node:x:1000:",
        );
        // `useradd --create-home` copies the base's /etc/skel.
        t.dir("home/node", 0o755)
            .text("home/node/.bash_logout", 0o644, SKEL_BASH_LOGOUT)
            .text("home/node/.bashrc", 0o644, SKEL_BASHRC)
            .text("home/node/.profile", 0o644, SKEL_PROFILE);
    });
    let install = recipe(move |t| {
        if alpine {
            rootfs::add_user(
                t,
                true,
                "node:x:1000:1000:Linux User,,,:/home/node:/bin/sh",
                "node:x:1000:node",
            );
            t.dir("home/node", 0o2755)
                .library("usr/lib/libstdc++.so.6.0.33", 2_577_128)
                .symlink("usr/lib/libstdc++.so.6", "libstdc++.so.6.0.33")
                .library("usr/lib/libgcc_s.so.1", 92_632);
        }
        node_install(t, alpine);
    });
    let yarn = recipe(yarn_install);
    let entrypoint = recipe(|t| {
        t.text("usr/local/bin/docker-entrypoint.sh", 0o755, NODE_ENTRYPOINT);
    });
    let recipes = if alpine {
        vec![install, yarn, entrypoint]
    } else {
        vec![user, install, yarn, entrypoint]
    };
    dockerfile(&mut image, created, rows, recipes);
    image
}

/// The node release tarball unpacked into /usr/local.
fn node_install(t: &mut Tree, alpine: bool) {
    let npm = "usr/local/lib/node_modules/npm";
    let (node_size, layer_size) = if alpine {
        (101_446_744, 146_200_000)
    } else {
        (118_093_496, 188_300_000)
    };
    t.program("usr/local/bin/node", "node", node_size)
        .symlink("usr/local/bin/nodejs", "/usr/local/bin/node")
        .symlink("usr/local/bin/npm", "../lib/node_modules/npm/bin/npm-cli.js")
        .symlink("usr/local/bin/npx", "../lib/node_modules/npm/bin/npx-cli.js")
        .symlink(
            "usr/local/bin/corepack",
            "../lib/node_modules/corepack/dist/corepack.js",
        )
        .program(&format!("{npm}/bin/npm-cli.js"), "npm", 128)
        .program(&format!("{npm}/bin/npx-cli.js"), "npx", 4_116)
        .text(&format!("{npm}/bin/npm"), 0o755, "#!/usr/bin/env bash\n\n# This is used by the Node.js installer, which expects the cygwin/mingw\n# shell script to already be present in the npm dependency folder.\n\n(set -o igncr) 2>/dev/null && set -o igncr; # cygwin encoding fix\n\nbasedir=`dirname \"$0\"`\n")
        .text(&format!("{npm}/package.json"), 0o644, format!("{{\n  \"version\": \"{NPM_VERSION}\",\n  \"name\": \"npm\",\n  \"description\": \"a package manager for JavaScript\",\n  \"workspaces\": [\n    \"docs\",\n    \"smoke-tests\",\n    \"mock-globals\",\n    \"mock-registry\",\n    \"workspaces/*\"\n  ],\n  \"files\": [\n    \"bin/\",\n    \"lib/\",\n    \"index.js\",\n    \"docs/content/\",\n    \"docs/output/\",\n    \"man/\"\n  ],\n  \"keywords\": [\n    \"install\",\n    \"modules\",\n    \"package manager\",\n    \"package.json\"\n  ],\n  \"homepage\": \"https://docs.npmjs.com/\",\n  \"author\": \"GitHub Inc.\",\n  \"repository\": {{\n    \"type\": \"git\",\n    \"url\": \"git+https://github.com/npm/cli.git\"\n  }},\n  \"bugs\": {{\n    \"url\": \"https://github.com/npm/cli/issues\"\n  }},\n  \"directories\": {{\n    \"doc\": \"./doc\",\n    \"man\": \"./man\"\n  }},\n  \"main\": \"./index.js\",\n  \"bin\": {{\n    \"npm\": \"bin/npm-cli.js\",\n    \"npx\": \"bin/npx-cli.js\"\n  }},\n  \"license\": \"Artistic-2.0\",\n  \"engines\": {{\n    \"node\": \"^18.17.0 || >=20.5.0\"\n  }}\n}}\n"))
        .text(&format!("{npm}/index.js"), 0o644, "if (require.main === module) {\n  require('./lib/cli.js')(process)\n} else {\n  throw new Error('The programmatic API was removed in npm v8.0.0')\n}\n")
        .data(&format!("{npm}/lib/cli.js"), 0o644, 407)
        .data(&format!("{npm}/lib/npm.js"), 0o644, 14_279)
        .data(&format!("{npm}/README.md"), 0o644, 3_951)
        .text(
            "usr/local/lib/node_modules/corepack/dist/corepack.js",
            0o755,
            "#!/usr/bin/env node\nprocess.env.COREPACK_ENABLE_DOWNLOAD_PROMPT??='1'\nrequire('./lib/corepack.cjs').runMain(process.argv.slice(2));",
        )
        .text("usr/local/lib/node_modules/corepack/package.json", 0o644, "{\n  \"name\": \"corepack\",\n  \"version\": \"0.33.0\",\n  \"homepage\": \"https://github.com/nodejs/corepack#readme\",\n  \"license\": \"MIT\"\n}\n")
        .text("usr/local/include/node/node_version.h", 0o644, "#ifndef SRC_NODE_VERSION_H_\n#define SRC_NODE_VERSION_H_\n\n#define NODE_MAJOR_VERSION 22\n#define NODE_MINOR_VERSION 17\n#define NODE_PATCH_VERSION 0\n\n#define NODE_VERSION_IS_LTS 1\n#define NODE_VERSION_LTS_CODENAME \"Jod\"\n\n#define NODE_VERSION_IS_RELEASE 1\n")
        .data("usr/local/include/node/node.h", 0o644, 66_946)
        .data("usr/local/include/node/v8.h", 0o644, 3_812)
        .data("usr/local/share/man/man1/node.1", 0o644, 20_403)
        .data("usr/local/share/doc/node/gdbinit", 0o644, 9_154)
        .data("usr/local/LICENSE", 0o644, 131_711)
        .data("usr/local/README.md", 0o644, 40_837)
        .data("usr/local/CHANGELOG.md", 0o644, 432_012);
    t.fill_to(
        layer_size,
        &[
            ("usr/local/include/node/openssl/archs/linux-x86_64/asm/include/openssl/opensslconf.h", 14),
            ("usr/local/include/node/v8-internal.h", 6),
            (&format!("{npm}/node_modules/@npmcli/arborist/lib/arborist/reify.js"), 8),
            (&format!("{npm}/docs/output/commands/npm-install.html"), 3),
            ("usr/local/lib/node_modules/corepack/dist/lib/corepack.cjs", 3),
            (&format!("{npm}/man/man1/npm-install.1"), 1),
        ],
    );
}

/// Yarn classic unpacked into /opt, linked from /usr/local/bin.
fn yarn_install(t: &mut Tree) {
    let dir = format!("opt/yarn-v{YARN_VERSION}");
    t.text(&format!("{dir}/bin/yarn"), 0o755, YARN_SCRIPT)
        .text(&format!("{dir}/bin/yarnpkg"), 0o755, "#!/usr/bin/env node\n/* eslint-disable no-var */\n/* eslint-disable flowtype/require-valid-file-annotation */\n'use strict';\n\nrequire('./yarn.js');\n")
        .text(&format!("{dir}/bin/yarn.js"), 0o755, "#!/usr/bin/env node\n\n/* eslint-disable no-var */\n/* eslint-disable flowtype/require-valid-file-annotation */\n'use strict';\n\nvar ver = process.versions.node;\nvar majorVer = parseInt(ver.split('.')[0], 10);\n\nif (majorVer < 4) {\n  console.error('Node version ' + ver + ' is not supported, please use Node.js 4.0 or higher.');\n  process.exit(1); // eslint-disable-line no-process-exit\n} else {\n  try {\n    require(__dirname + '/../lib/v8-compile-cache.js');\n  } catch (err) {\n\n  }\n  var cli = require(__dirname + '/../lib/cli.js');\n\n  cli.autoRun = false;\n\n  if (!cli.autoRun) {\n    cli.default().catch(function(error) {\n      console.error(error.stack || error.message || error);\n      process.exitCode = 1;\n    });\n  }\n}\n")
        .text(&format!("{dir}/package.json"), 0o644, format!("{{\n  \"name\": \"yarn\",\n  \"installationMethod\": \"tar\",\n  \"version\": \"{YARN_VERSION}\",\n  \"packageManager\": \"yarn@1.22.17\",\n  \"license\": \"BSD-2-Clause\",\n  \"preferGlobal\": true,\n  \"description\": \"📦🐈 Fast, reliable, and secure dependency management.\"\n}}\n"))
        .data(&format!("{dir}/LICENSE"), 0o644, 1_300)
        .data(&format!("{dir}/lib/v8-compile-cache.js"), 0o644, 10_521)
        .symlink("usr/local/bin/yarn", &format!("/{dir}/bin/yarn"))
        .symlink("usr/local/bin/yarnpkg", &format!("/{dir}/bin/yarnpkg"));
    t.fill_to(5_350_000, &[(&format!("{dir}/lib/cli.js"), 1)]);
}

// --- golang -----------------------------------------------------------------------

/// When golang:1.22.12 was last built: 1.22 left the official images a week later,
/// with Go 1.24. Its bases were those of February 2025; the catalog's later bookworm
/// and Alpine stand in for them, their history dated no later than the image.
const GOLANG_CREATED: &str = "2025-02-04T19:09:51Z";
/// /usr/local/go/VERSION as the release tarball ships it.
pub const GO_VERSION_FILE: &str = "go1.22.12\ntime 2025-01-28T19:46:48Z\n";

fn golang_config(rows: &[(bool, &str)]) -> RunConfig {
    RunConfig {
        env: env_of(super::spec::DEFAULT_PATH, rows),
        working_dir: "/go".to_string(),
        ..RunConfig::default()
    }
}

/// golang:1.22.12 over buildpack-deps:bookworm-scm, or over alpine when `alpine`.
pub fn golang_image(base: &ImageSpec, alpine: bool) -> ImageSpec {
    let created = GOLANG_CREATED;
    let rows = if alpine {
        GOLANG_ALPINE
    } else {
        GOLANG_BOOKWORM
    };
    let mut config = golang_config(rows);
    // The base's CMD stays: golang sets none of its own.
    config.cmd = base.config.cmd.clone();
    let mut image = from(base, created, config);
    clamp_history(&mut image, created);
    let first = if alpine {
        recipe(|t| super::apps::ca_certificates(t, 683_000))
    } else {
        recipe(|t| {
            gcc_toolchain(t);
            t.program("usr/bin/make", "make", 252_880)
                .program("usr/bin/pkgconf", "pkg-config", 34_896)
                .symlink("usr/bin/pkg-config", "pkgconf")
                .dir("usr/include/x86_64-linux-gnu/sys", 0o755);
            t.fill_to(
                243_800_000,
                &[
                    ("usr/lib/gcc/x86_64-linux-gnu/12/cc1", 30),
                    ("usr/lib/gcc/x86_64-linux-gnu/12/cc1plus", 32),
                    ("usr/lib/gcc/x86_64-linux-gnu/12/lto1", 29),
                    ("usr/lib/x86_64-linux-gnu/libc.a", 6),
                    ("usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30", 2),
                    ("usr/lib/gcc/x86_64-linux-gnu/12/libstdc++.a", 7),
                    ("usr/lib/x86_64-linux-gnu/libbfd-2.40-system.so", 2),
                    ("usr/lib/gcc/x86_64-linux-gnu/12/libasan.so", 2),
                ],
            );
        })
    };
    let gopath = recipe(|t| {
        t.dir("go", 0o1777)
            .dir("go/src", 0o1777)
            .dir("go/bin", 0o1777);
    });
    dockerfile(
        &mut image,
        created,
        rows,
        vec![first, recipe(go_install), gopath, empty()],
    );
    image
}

/// The Go release tarball at /usr/local/go.
fn go_install(t: &mut Tree) {
    let go = "usr/local/go";
    t.program(&format!("{go}/bin/go"), "go", 12_986_552)
        .program(&format!("{go}/bin/gofmt"), "gofmt", 2_916_608)
        .text(&format!("{go}/VERSION"), 0o644, GO_VERSION_FILE)
        .text(&format!("{go}/go.env"), 0o644, "# This file contains the initial defaults for go command configuration.\n# Values set by 'go env -w' and written to the user's go/env file override these.\n# The environment overrides everything else.\n\n# Use the Go module mirror and checksum database by default.\n# See https://proxy.golang.org for details.\nGOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\n\n# Automatically download newer toolchains as directed by go.mod files.\n# See https://go.dev/doc/toolchain for details.\nGOTOOLCHAIN=auto\n")
        .data(&format!("{go}/LICENSE"), 0o644, 1_479)
        .data(&format!("{go}/PATENTS"), 0o644, 1_303)
        .data(&format!("{go}/README.md"), 0o644, 1_455)
        .data(&format!("{go}/SECURITY.md"), 0o644, 397)
        .data(&format!("{go}/CONTRIBUTING.md"), 0o644, 1_339)
        .data(&format!("{go}/codereview.cfg"), 0o644, 26)
        .data(&format!("{go}/src/fmt/print.go"), 0o644, 31_990)
        .data(&format!("{go}/src/fmt/format.go"), 0o644, 15_164)
        .data(&format!("{go}/src/net/http/server.go"), 0o644, 122_954)
        .data(&format!("{go}/src/os/file.go"), 0o644, 25_313)
        .data(&format!("{go}/src/runtime/proc.go"), 0o644, 210_153)
        .data(&format!("{go}/src/go.mod"), 0o644, 332)
        .data(&format!("{go}/misc/wasm/wasm_exec.js"), 0o644, 16_873)
        .program(&format!("{go}/pkg/tool/linux_amd64/compile"), "compile", 26_281_832)
        .program(&format!("{go}/pkg/tool/linux_amd64/link"), "link", 7_063_848)
        .program(&format!("{go}/pkg/tool/linux_amd64/asm"), "asm", 4_069_872)
        .program(&format!("{go}/pkg/tool/linux_amd64/vet"), "vet", 8_669_808)
        .program(&format!("{go}/pkg/tool/linux_amd64/cgo"), "cgo", 4_431_480);
    t.fill_to(
        211_000_000,
        &[
            (
                &format!(
                    "{go}/src/cmd/vendor/golang.org/x/tools/go/analysis/passes/inspect/inspect.go"
                ),
                4,
            ),
            (&format!("{go}/src/runtime/mgc.go"), 2),
            (
                &format!("{go}/src/crypto/internal/nistec/p256_asm_table.bin"),
                1,
            ),
            (&format!("{go}/src/unicode/tables.go"), 1),
            (&format!("{go}/pkg/tool/linux_amd64/trace"), 3),
            (&format!("{go}/pkg/tool/linux_amd64/pprof"), 4),
            (&format!("{go}/pkg/tool/linux_amd64/cover"), 2),
            (&format!("{go}/test/fixedbugs/issue9355.go"), 3),
            (&format!("{go}/lib/time/zoneinfo.zip"), 1),
            (
                &format!("{go}/src/cmd/compile/internal/ssa/rewriteAMD64.go"),
                4,
            ),
            (
                &format!("{go}/src/vendor/golang.org/x/net/idna/tables15.0.0.go"),
                2,
            ),
            (&format!("{go}/api/go1.22.txt"), 1),
            (&format!("{go}/doc/go_spec.html"), 1),
        ],
    );
}

// --- history ----------------------------------------------------------------------

/// `buildpack-deps:bookworm-curl`, as `docker history` shows its steps: (makes a layer, created_by).
pub(super) const BUILDPACK_CURL: &[(bool, &str)] = &[(
    true,
    "RUN /bin/sh -c set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tca-certificates \t\tcurl \t\tgnupg \t\tnetbase \t\tsq \t\twget \t; \trm -rf /var/lib/apt/lists/* # buildkit",
)];

/// `buildpack-deps:bookworm-scm`, as `docker history` shows its steps: (makes a layer, created_by).
pub(super) const BUILDPACK_SCM: &[(bool, &str)] = &[(
    true,
    "RUN /bin/sh -c set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tgit \t\tmercurial \t\topenssh-client \t\tsubversion \t\t\t\tprocps \t; \trm -rf /var/lib/apt/lists/* # buildkit",
)];

/// `buildpack-deps:bookworm`, as `docker history` shows its steps: (makes a layer, created_by).
pub(super) const BUILDPACK_FULL: &[(bool, &str)] = &[(
    true,
    "RUN /bin/sh -c set -ex; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tautoconf \t\tautomake \t\tbzip2 \t\tdefault-libmysqlclient-dev \t\tdpkg-dev \t\tfile \t\tg++ \t\tgcc \t\timagemagick \t\tlibbz2-dev \t\tlibc6-dev \t\tlibcurl4-openssl-dev \t\tlibdb-dev \t\tlibevent-dev \t\tlibffi-dev \t\tlibgdbm-dev \t\tlibglib2.0-dev \t\tlibgmp-dev \t\tlibjpeg-dev \t\tlibkrb5-dev \t\tliblzma-dev \t\tlibmagickcore-dev \t\tlibmagickwand-dev \t\tlibmaxminddb-dev \t\tlibncurses5-dev \t\tlibncursesw5-dev \t\tlibpng-dev \t\tlibpq-dev \t\tlibreadline-dev \t\tlibsqlite3-dev \t\tlibssl-dev \t\tlibtool \t\tlibwebp-dev \t\tlibxml2-dev \t\tlibxslt-dev \t\tlibyaml-dev \t\tmake \t\tpatch \t\tunzip \t\txz-utils \t\tzlib1g-dev \t; \trm -rf /var/lib/apt/lists/* # buildkit",
)];

/// `python:3.12.11-bookworm`, as `docker history` shows its steps: (makes a layer, created_by).
pub(super) const PYTHON_BOOKWORM: &[(bool, &str)] = &[
    (
        false,
        "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ),
    (false, "ENV LANG=C.UTF-8"),
    (
        true,
        "RUN /bin/sh -c set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tlibbluetooth-dev \t\ttk-dev \t\tuuid-dev \t; \trm -rf /var/lib/apt/lists/* # buildkit",
    ),
    (
        false,
        "ENV GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305",
    ),
    (false, "ENV PYTHON_VERSION=3.12.11"),
    (
        false,
        "ENV PYTHON_SHA256=c30bb24b7f1e9a19b11b55a546434f74e739bb4c271a3e3a80ff4380d49f7adb",
    ),
    (
        true,
        "RUN /bin/sh -c set -eux; \t\twget -O python.tar.xz \"https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz\"; \techo \"$PYTHON_SHA256 *python.tar.xz\" | sha256sum -c -; \twget -O python.tar.xz.asc \"https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz.asc\"; \tGNUPGHOME=\"$(mktemp -d)\"; export GNUPGHOME; \tgpg --batch --keyserver hkps://keys.openpgp.org --recv-keys \"$GPG_KEY\"; \tgpg --batch --verify python.tar.xz.asc python.tar.xz; \tgpgconf --kill all; \trm -rf \"$GNUPGHOME\" python.tar.xz.asc; \tmkdir -p /usr/src/python; \ttar --extract --directory /usr/src/python --strip-components=1 --file python.tar.xz; \trm python.tar.xz; \t\tcd /usr/src/python; \tgnuArch=\"$(dpkg-architecture --query DEB_BUILD_GNU_TYPE)\"; \t./configure \t\t--build=\"$gnuArch\" \t\t--enable-loadable-sqlite-extensions \t\t--enable-optimizations \t\t--enable-option-checking=fatal \t\t--enable-shared \t\t$(test \"$gnuArch\" != 'riscv64-linux-musl' && echo '--with-lto') \t\t--with-ensurepip \t; \tnproc=\"$(nproc)\"; \tEXTRA_CFLAGS=\"$(dpkg-buildflags --get CFLAGS)\"; \tLDFLAGS=\"$(dpkg-buildflags --get LDFLAGS)\"; \t\tarch=\"$(dpkg --print-architecture)\"; arch=\"${arch##*-}\"; \t\tcase \"$arch\" in \t\t\tamd64|arm64) \t\t\t\tEXTRA_CFLAGS=\"${EXTRA_CFLAGS:-} -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer\"; \t\t\t\t;; \t\t\ti386) \t\t\t\t;; \t\t\t*) \t\t\t\tEXTRA_CFLAGS=\"${EXTRA_CFLAGS:-} -fno-omit-frame-pointer\"; \t\t\t\t;; \t\tesac; \tmake -j \"$nproc\" \t\t\"EXTRA_CFLAGS=${EXTRA_CFLAGS:-}\" \t\t\"LDFLAGS=${LDFLAGS:-}\" \t; \trm python; \tmake -j \"$nproc\" \t\t\"EXTRA_CFLAGS=${EXTRA_CFLAGS:-}\" \t\t\"LDFLAGS=${LDFLAGS:--Wl},-rpath='\\$\\$ORIGIN/../lib'\" \t\tpython \t; \tmake install; \t\tbin=\"$(readlink -ve /usr/local/bin/python3)\"; \tdir=\"$(dirname \"$bin\")\"; \tmkdir -p \"/usr/share/gdb/auto-load/$dir\"; \tcp -vL Tools/gdb/libpython.py \"/usr/share/gdb/auto-load/$bin-gdb.py\"; \t\tcd /; \trm -rf /usr/src/python; \t\tfind /usr/local -depth \t\t\\( \t\t\t\\( -type d -a \\( -name test -o -name tests -o -name idle_test \\) \\) \t\t\t-o \\( -type f -a \\( -name '*.pyc' -o -name '*.pyo' -o -name 'libpython*.a' \\) \\) \t\t\\) -exec rm -rf '{}' + \t; \t\tldconfig; \t\texport PYTHONDONTWRITEBYTECODE=1; \tpython3 --version; \tpip3 --version # buildkit",
    ),
    (
        true,
        "RUN /bin/sh -c set -eux; \tfor src in idle3 pip3 pydoc3 python3 python3-config; do \t\tdst=\"$(echo \"$src\" | tr -d 3)\"; \t\t[ -s \"/usr/local/bin/$src\" ]; \t\t[ ! -e \"/usr/local/bin/$dst\" ]; \t\tln -svT \"$src\" \"/usr/local/bin/$dst\"; \tdone # buildkit",
    ),
    (false, "CMD [\"python3\"]"),
];

/// `python:3.12.11-slim-bookworm`, as `docker history` shows its steps: (makes a layer, created_by).
pub(super) const PYTHON_SLIM: &[(bool, &str)] = &[
    (
        false,
        "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ),
    (false, "ENV LANG=C.UTF-8"),
    (
        true,
        "RUN /bin/sh -c set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tca-certificates \t\tnetbase \t\ttzdata \t; \trm -rf /var/lib/apt/lists/* # buildkit",
    ),
    (
        false,
        "ENV GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305",
    ),
    (false, "ENV PYTHON_VERSION=3.12.11"),
    (
        false,
        "ENV PYTHON_SHA256=c30bb24b7f1e9a19b11b55a546434f74e739bb4c271a3e3a80ff4380d49f7adb",
    ),
    (
        true,
        "RUN /bin/sh -c set -eux; \t\tsavedAptMark=\"$(apt-mark showmanual)\"; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tdpkg-dev \t\tgcc \t\tgnupg \t\tlibbluetooth-dev \t\tlibbz2-dev \t\tlibc6-dev \t\tlibdb-dev \t\tlibffi-dev \t\tlibgdbm-dev \t\tliblzma-dev \t\tlibncursesw5-dev \t\tlibreadline-dev \t\tlibsqlite3-dev \t\tlibssl-dev \t\tmake \t\ttk-dev \t\tuuid-dev \t\twget \t\txz-utils \t\tzlib1g-dev \t; \t\twget -O python.tar.xz \"https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz\"; \techo \"$PYTHON_SHA256 *python.tar.xz\" | sha256sum -c -; \twget -O python.tar.xz.asc \"https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz.asc\"; \tGNUPGHOME=\"$(mktemp -d)\"; export GNUPGHOME; \tgpg --batch --keyserver hkps://keys.openpgp.org --recv-keys \"$GPG_KEY\"; \tgpg --batch --verify python.tar.xz.asc python.tar.xz; \tgpgconf --kill all; \trm -rf \"$GNUPGHOME\" python.tar.xz.asc; \tmkdir -p /usr/src/python; \ttar --extract --directory /usr/src/python --strip-components=1 --file python.tar.xz; \trm python.tar.xz; \t\tcd /usr/src/python; \tgnuArch=\"$(dpkg-architecture --query DEB_BUILD_GNU_TYPE)\"; \t./configure \t\t--build=\"$gnuArch\" \t\t--enable-loadable-sqlite-extensions \t\t--enable-optimizations \t\t--enable-option-checking=fatal \t\t--enable-shared \t\t$(test \"$gnuArch\" != 'riscv64-linux-musl' && echo '--with-lto') \t\t--with-ensurepip \t; \tnproc=\"$(nproc)\"; \tEXTRA_CFLAGS=\"$(dpkg-buildflags --get CFLAGS)\"; \tLDFLAGS=\"$(dpkg-buildflags --get LDFLAGS)\"; \tLDFLAGS=\"${LDFLAGS:--Wl},--strip-all\"; \t\tarch=\"$(dpkg --print-architecture)\"; arch=\"${arch##*-}\"; \t\tcase \"$arch\" in \t\t\tamd64|arm64) \t\t\t\tEXTRA_CFLAGS=\"${EXTRA_CFLAGS:-} -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer\"; \t\t\t\t;; \t\t\ti386) \t\t\t\t;; \t\t\t*) \t\t\t\tEXTRA_CFLAGS=\"${EXTRA_CFLAGS:-} -fno-omit-frame-pointer\"; \t\t\t\t;; \t\tesac; \tmake -j \"$nproc\" \t\t\"EXTRA_CFLAGS=${EXTRA_CFLAGS:-}\" \t\t\"LDFLAGS=${LDFLAGS:-}\" \t; \trm python; \tmake -j \"$nproc\" \t\t\"EXTRA_CFLAGS=${EXTRA_CFLAGS:-}\" \t\t\"LDFLAGS=${LDFLAGS:--Wl},-rpath='\\$\\$ORIGIN/../lib'\" \t\tpython \t; \tmake install; \t\tcd /; \trm -rf /usr/src/python; \t\tfind /usr/local -depth \t\t\\( \t\t\t\\( -type d -a \\( -name test -o -name tests -o -name idle_test \\) \\) \t\t\t-o \\( -type f -a \\( -name '*.pyc' -o -name '*.pyo' -o -name 'libpython*.a' \\) \\) \t\t\\) -exec rm -rf '{}' + \t; \t\tldconfig; \t\tapt-mark auto '.*' > /dev/null; \tapt-mark manual $savedAptMark; \tfind /usr/local -type f -executable -not \\( -name '*tkinter*' \\) -exec ldd '{}' ';' \t\t| awk '/=>/ { so = $(NF-1); if (index(so, \"/usr/local/\") == 1) { next }; gsub(\"^/(usr/)?\", \"\", so); printf \"*%s\\n\", so }' \t\t| sort -u \t\t| xargs -r dpkg-query --search \t\t| cut -d: -f1 \t\t| sort -u \t\t| xargs -r apt-mark manual \t; \tapt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \trm -rf /var/lib/apt/lists/*; \t\texport PYTHONDONTWRITEBYTECODE=1; \tpython3 --version; \tpip3 --version # buildkit",
    ),
    (
        true,
        "RUN /bin/sh -c set -eux; \tfor src in idle3 pip3 pydoc3 python3 python3-config; do \t\tdst=\"$(echo \"$src\" | tr -d 3)\"; \t\t[ -s \"/usr/local/bin/$src\" ]; \t\t[ ! -e \"/usr/local/bin/$dst\" ]; \t\tln -svT \"$src\" \"/usr/local/bin/$dst\"; \tdone # buildkit",
    ),
    (false, "CMD [\"python3\"]"),
];

/// `python:3.12.11-alpine3.22`, as `docker history` shows its steps: (makes a layer, created_by).
pub(super) const PYTHON_ALPINE: &[(bool, &str)] = &[
    (
        false,
        "ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ),
    (false, "ENV LANG=C.UTF-8"),
    (
        true,
        "RUN /bin/sh -c set -eux; \tapk add --no-cache \t\tca-certificates \t\ttzdata \t; # buildkit",
    ),
    (
        false,
        "ENV GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305",
    ),
    (false, "ENV PYTHON_VERSION=3.12.11"),
    (
        false,
        "ENV PYTHON_SHA256=c30bb24b7f1e9a19b11b55a546434f74e739bb4c271a3e3a80ff4380d49f7adb",
    ),
    (
        true,
        "RUN /bin/sh -c set -eux; \t\tapk add --no-cache --virtual .build-deps \t\tgnupg \t\ttar \t\txz \t\t\t\tbluez-dev \t\tbzip2-dev \t\tdpkg-dev dpkg \t\tfindutils \t\tgcc \t\tgdbm-dev \t\tlibc-dev \t\tlibffi-dev \t\tlibnsl-dev \t\tlibtirpc-dev \t\tlinux-headers \t\tmake \t\tncurses-dev \t\topenssl-dev \t\tpax-utils \t\treadline-dev \t\tsqlite-dev \t\ttcl-dev \t\ttk \t\ttk-dev \t\tutil-linux-dev \t\txz-dev \t\tzlib-dev \t; \t\twget -O python.tar.xz \"https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz\"; \techo \"$PYTHON_SHA256 *python.tar.xz\" | sha256sum -c -; \twget -O python.tar.xz.asc \"https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz.asc\"; \tGNUPGHOME=\"$(mktemp -d)\"; export GNUPGHOME; \tgpg --batch --keyserver hkps://keys.openpgp.org --recv-keys \"$GPG_KEY\"; \tgpg --batch --verify python.tar.xz.asc python.tar.xz; \tgpgconf --kill all; \trm -rf \"$GNUPGHOME\" python.tar.xz.asc; \tmkdir -p /usr/src/python; \ttar --extract --directory /usr/src/python --strip-components=1 --file python.tar.xz; \trm python.tar.xz; \t\tcd /usr/src/python; \tgnuArch=\"$(dpkg-architecture --query DEB_BUILD_GNU_TYPE)\"; \t./configure \t\t--build=\"$gnuArch\" \t\t--enable-loadable-sqlite-extensions \t\t--enable-option-checking=fatal \t\t--enable-shared \t\t$(test \"$gnuArch\" != 'riscv64-linux-musl' && echo '--with-lto') \t\t--with-ensurepip \t; \tnproc=\"$(nproc)\"; \tEXTRA_CFLAGS=\"-DTHREAD_STACK_SIZE=0x100000\"; \tLDFLAGS=\"${LDFLAGS:--Wl},--strip-all\"; \t\tarch=\"$(apk --print-arch)\"; \t\tcase \"$arch\" in \t\t\tx86_64|aarch64) \t\t\t\tEXTRA_CFLAGS=\"${EXTRA_CFLAGS:-} -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer\"; \t\t\t\t;; \t\t\tx86) \t\t\t\t;; \t\t\t*) \t\t\t\tEXTRA_CFLAGS=\"${EXTRA_CFLAGS:-} -fno-omit-frame-pointer\"; \t\t\t\t;; \t\tesac; \tmake -j \"$nproc\" \t\t\"EXTRA_CFLAGS=${EXTRA_CFLAGS:-}\" \t\t\"LDFLAGS=${LDFLAGS:-}\" \t; \trm python; \tmake -j \"$nproc\" \t\t\"EXTRA_CFLAGS=${EXTRA_CFLAGS:-}\" \t\t\"LDFLAGS=${LDFLAGS:--Wl},-rpath='\\$\\$ORIGIN/../lib'\" \t\tpython \t; \tmake install; \t\tcd /; \trm -rf /usr/src/python; \t\tfind /usr/local -depth \t\t\\( \t\t\t\\( -type d -a \\( -name test -o -name tests -o -name idle_test \\) \\) \t\t\t-o \\( -type f -a \\( -name '*.pyc' -o -name '*.pyo' -o -name 'libpython*.a' \\) \\) \t\t\\) -exec rm -rf '{}' + \t; \t\tfind /usr/local -type f -executable -not \\( -name '*tkinter*' \\) -exec scanelf --needed --nobanner --format '%n#p' '{}' ';' \t\t| tr ',' '\\n' \t\t| sort -u \t\t| awk 'system(\"[ -e /usr/local/lib/\" $1 \" ]\") == 0 { next } { print \"so:\" $1 }' \t\t| xargs -rt apk add --no-network --virtual .python-rundeps \t; \tapk del --no-network .build-deps; \t\texport PYTHONDONTWRITEBYTECODE=1; \tpython3 --version; \tpip3 --version # buildkit",
    ),
    (
        true,
        "RUN /bin/sh -c set -eux; \tfor src in idle3 pip3 pydoc3 python3 python3-config; do \t\tdst=\"$(echo \"$src\" | tr -d 3)\"; \t\t[ -s \"/usr/local/bin/$src\" ]; \t\t[ ! -e \"/usr/local/bin/$dst\" ]; \t\tln -svT \"$src\" \"/usr/local/bin/$dst\"; \tdone # buildkit",
    ),
    (false, "CMD [\"python3\"]"),
];

/// `node:22.17.0-bookworm`, as `docker history` shows its steps: (makes a layer, created_by).
pub(super) const NODE_BOOKWORM: &[(bool, &str)] = &[
    (
        true,
        "RUN /bin/sh -c groupadd --gid 1000 node   && useradd --uid 1000 --gid node --shell /bin/bash --create-home node # buildkit",
    ),
    (false, "ENV NODE_VERSION=22.17.0"),
    (
        true,
        "RUN /bin/sh -c ARCH= && dpkgArch=\"$(dpkg --print-architecture)\"   && case \"${dpkgArch##*-}\" in     amd64) ARCH='x64';;     ppc64el) ARCH='ppc64le';;     s390x) ARCH='s390x';;     arm64) ARCH='arm64';;     armhf) ARCH='armv7l';;     i386) ARCH='x86';;     *) echo \"unsupported architecture\"; exit 1 ;;   esac   && export GNUPGHOME=\"$(mktemp -d)\"   && set -ex   && for key in     C0D6248439F1D5604AAFFB4021D900FFDB233756     DD792F5973C6DE52C432CBDAC77ABFA00DDBF2B7     CC68F5A3106FF448322E48ED27F5E38D5B0A215F     8FCCA13FEF1D0C2E91008E09770F7A9A5AE15600     890C08DB8579162FEE0DF9DB8BEAB4DFCF555EF4     C82FA3AE1CBEDC6BE46B9360C43CEC45C17AB93C     108F52B48DB57BB0CC439B2997B01419BD92F80A     A363A499291CBBC940DD62E41F10027AF002F8B0   ; do       gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys \"$key\" ||       gpg --batch --keyserver keyserver.ubuntu.com --recv-keys \"$key\" ;   done   && curl -fsSLO --compressed \"https://nodejs.org/dist/v$NODE_VERSION/node-v$NODE_VERSION-linux-$ARCH.tar.xz\"   && curl -fsSLO --compressed \"https://nodejs.org/dist/v$NODE_VERSION/SHASUMS256.txt.asc\"   && gpg --batch --decrypt --output SHASUMS256.txt SHASUMS256.txt.asc   && gpgconf --kill all   && rm -rf \"$GNUPGHOME\"   && grep \" node-v$NODE_VERSION-linux-$ARCH.tar.xz\\$\" SHASUMS256.txt | sha256sum -c -   && tar -xJf \"node-v$NODE_VERSION-linux-$ARCH.tar.xz\" -C /usr/local --strip-components=1 --no-same-owner   && rm \"node-v$NODE_VERSION-linux-$ARCH.tar.xz\" SHASUMS256.txt.asc SHASUMS256.txt   && ln -s /usr/local/bin/node /usr/local/bin/nodejs   && node --version   && npm --version   && rm -rf /tmp/* # buildkit",
    ),
    (false, "ENV YARN_VERSION=1.22.22"),
    (
        true,
        "RUN /bin/sh -c set -ex   && export GNUPGHOME=\"$(mktemp -d)\"   && for key in     6A010C5166006599AA17F08146C2130DFD2497F5   ; do     gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys \"$key\" ||     gpg --batch --keyserver keyserver.ubuntu.com --recv-keys \"$key\" ;   done   && curl -fsSLO --compressed \"https://yarnpkg.com/downloads/$YARN_VERSION/yarn-v$YARN_VERSION.tar.gz\"   && curl -fsSLO --compressed \"https://yarnpkg.com/downloads/$YARN_VERSION/yarn-v$YARN_VERSION.tar.gz.asc\"   && gpg --batch --verify yarn-v$YARN_VERSION.tar.gz.asc yarn-v$YARN_VERSION.tar.gz   && gpgconf --kill all   && rm -rf \"$GNUPGHOME\"   && mkdir -p /opt   && tar -xzf yarn-v$YARN_VERSION.tar.gz -C /opt/   && ln -s /opt/yarn-v$YARN_VERSION/bin/yarn /usr/local/bin/yarn   && ln -s /opt/yarn-v$YARN_VERSION/bin/yarnpkg /usr/local/bin/yarnpkg   && rm yarn-v$YARN_VERSION.tar.gz.asc yarn-v$YARN_VERSION.tar.gz   && yarn --version   && rm -rf /tmp/* # buildkit",
    ),
    (true, "COPY docker-entrypoint.sh /usr/local/bin/ # buildkit"),
    (false, "ENTRYPOINT [\"docker-entrypoint.sh\"]"),
    (false, "CMD [\"node\"]"),
];

/// `node:22.17.0-alpine3.22`, as `docker history` shows its steps: (makes a layer, created_by).
pub(super) const NODE_ALPINE: &[(bool, &str)] = &[
    (false, "ENV NODE_VERSION=22.17.0"),
    (
        true,
        "RUN /bin/sh -c addgroup -g 1000 node     && adduser -u 1000 -G node -s /bin/sh -D node     && apk add --no-cache         libstdc++     && apk add --no-cache --virtual .build-deps         curl     && ARCH= OPENSSL_ARCH='linux*' && alpineArch=\"$(apk --print-arch)\"       && case \"${alpineArch##*-}\" in         x86_64) ARCH='x64' CHECKSUM=\"830808c21d263bae5d0718ed61f7b6404693315d4b28e2ae6c5dc1b1f89fb2cb\" OPENSSL_ARCH=linux-x86_64;;         x86) OPENSSL_ARCH=linux-elf;;         aarch64) OPENSSL_ARCH=linux-aarch64;;         arm*) OPENSSL_ARCH=linux-armv4;;         ppc64le) OPENSSL_ARCH=linux-ppc64le;;         s390x) OPENSSL_ARCH=linux-s390x;;         *) ;;       esac   && if [ -n \"${CHECKSUM}\" ]; then     set -eu;     curl -fsSLO --compressed \"https://unofficial-builds.nodejs.org/download/release/v$NODE_VERSION/node-v$NODE_VERSION-linux-$ARCH-musl.tar.xz\";     echo \"$CHECKSUM  node-v$NODE_VERSION-linux-$ARCH-musl.tar.xz\" | sha256sum -c -       && tar -xJf \"node-v$NODE_VERSION-linux-$ARCH-musl.tar.xz\" -C /usr/local --strip-components=1 --no-same-owner       && ln -s /usr/local/bin/node /usr/local/bin/nodejs;   else     echo \"Building from source\"     && apk add --no-cache --virtual .build-deps-full         binutils-gold         g++         gcc         gnupg         libgcc         linux-headers         make         python3         py-setuptools     && export GNUPGHOME=\"$(mktemp -d)\"     && for key in       C0D6248439F1D5604AAFFB4021D900FFDB233756       DD792F5973C6DE52C432CBDAC77ABFA00DDBF2B7       CC68F5A3106FF448322E48ED27F5E38D5B0A215F       8FCCA13FEF1D0C2E91008E09770F7A9A5AE15600       890C08DB8579162FEE0DF9DB8BEAB4DFCF555EF4       C82FA3AE1CBEDC6BE46B9360C43CEC45C17AB93C       108F52B48DB57BB0CC439B2997B01419BD92F80A       A363A499291CBBC940DD62E41F10027AF002F8B0     ; do       gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys \"$key\" ||       gpg --batch --keyserver keyserver.ubuntu.com --recv-keys \"$key\" ;     done     && curl -fsSLO --compressed \"https://nodejs.org/dist/v$NODE_VERSION/node-v$NODE_VERSION.tar.xz\"     && curl -fsSLO --compressed \"https://nodejs.org/dist/v$NODE_VERSION/SHASUMS256.txt.asc\"     && gpg --batch --decrypt --output SHASUMS256.txt SHASUMS256.txt.asc     && gpgconf --kill all     && rm -rf \"$GNUPGHOME\"     && grep \" node-v$NODE_VERSION.tar.xz\\$\" SHASUMS256.txt | sha256sum -c -     && tar -xf \"node-v$NODE_VERSION.tar.xz\"     && cd \"node-v$NODE_VERSION\"     && ./configure     && make -j$(getconf _NPROCESSORS_ONLN) V=     && make install     && apk del .build-deps-full     && cd ..     && rm -Rf \"node-v$NODE_VERSION\"     && rm \"node-v$NODE_VERSION.tar.xz\" SHASUMS256.txt.asc SHASUMS256.txt;   fi   && rm -f \"node-v$NODE_VERSION-linux-$ARCH-musl.tar.xz\"   && find /usr/local/include/node/openssl/archs -mindepth 1 -maxdepth 1 ! -name \"$OPENSSL_ARCH\" -exec rm -rf {} \\;   && apk del .build-deps   && node --version   && npm --version   && rm -rf /tmp/* # buildkit",
    ),
    (false, "ENV YARN_VERSION=1.22.22"),
    (
        true,
        "RUN /bin/sh -c apk add --no-cache --virtual .build-deps-yarn curl gnupg tar   && export GNUPGHOME=\"$(mktemp -d)\"   && for key in     6A010C5166006599AA17F08146C2130DFD2497F5   ; do     gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys \"$key\" ||     gpg --batch --keyserver keyserver.ubuntu.com --recv-keys \"$key\" ;   done   && curl -fsSLO --compressed \"https://yarnpkg.com/downloads/$YARN_VERSION/yarn-v$YARN_VERSION.tar.gz\"   && curl -fsSLO --compressed \"https://yarnpkg.com/downloads/$YARN_VERSION/yarn-v$YARN_VERSION.tar.gz.asc\"   && gpg --batch --verify yarn-v$YARN_VERSION.tar.gz.asc yarn-v$YARN_VERSION.tar.gz   && gpgconf --kill all   && rm -rf \"$GNUPGHOME\"   && mkdir -p /opt   && tar -xzf yarn-v$YARN_VERSION.tar.gz -C /opt/   && ln -s /opt/yarn-v$YARN_VERSION/bin/yarn /usr/local/bin/yarn   && ln -s /opt/yarn-v$YARN_VERSION/bin/yarnpkg /usr/local/bin/yarnpkg   && rm yarn-v$YARN_VERSION.tar.gz.asc yarn-v$YARN_VERSION.tar.gz   && apk del .build-deps-yarn   && yarn --version   && rm -rf /tmp/* # buildkit",
    ),
    (true, "COPY docker-entrypoint.sh /usr/local/bin/ # buildkit"),
    (false, "ENTRYPOINT [\"docker-entrypoint.sh\"]"),
    (false, "CMD [\"node\"]"),
];

/// `golang:1.22.12-bookworm`, as `docker history` shows its steps: (makes a layer, created_by).
pub(super) const GOLANG_BOOKWORM: &[(bool, &str)] = &[
    (
        true,
        "RUN /bin/sh -c set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tg++ \t\tgcc \t\tlibc6-dev \t\tmake \t\tpkg-config \t; \trm -rf /var/lib/apt/lists/* # buildkit",
    ),
    (false, "ENV GOLANG_VERSION=1.22.12"),
    (false, "ENV GOTOOLCHAIN=local"),
    (false, "ENV GOPATH=/go"),
    (
        false,
        "ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ),
    (true, "COPY /target/ / # buildkit"),
    (
        true,
        "RUN /bin/sh -c mkdir -p \"$GOPATH/src\" \"$GOPATH/bin\" && chmod -R 1777 \"$GOPATH\" # buildkit",
    ),
    (true, "WORKDIR /go"),
];

/// `golang:1.22.12-alpine3.21`, as `docker history` shows its steps: (makes a layer, created_by).
pub(super) const GOLANG_ALPINE: &[(bool, &str)] = &[
    (
        true,
        "RUN /bin/sh -c apk add --no-cache ca-certificates # buildkit",
    ),
    (false, "ENV GOLANG_VERSION=1.22.12"),
    (false, "ENV GOTOOLCHAIN=local"),
    (false, "ENV GOPATH=/go"),
    (
        false,
        "ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ),
    (true, "COPY /target/ / # buildkit"),
    (
        true,
        "RUN /bin/sh -c mkdir -p \"$GOPATH/src\" \"$GOPATH/bin\" && chmod -R 1777 \"$GOPATH\" # buildkit",
    ),
    (true, "WORKDIR /go"),
];
