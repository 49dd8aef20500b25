//! Base root filesystems: Alpine, Debian/Ubuntu and BusyBox, built from release tables.
//!
//! Owns what a distribution's root layer contains (paths, modes, text files, package
//! databases). Sizes are reached by `Tree::fill_to` over believable library and data
//! paths. Knows nothing of configs, manifests or the hub.

use super::tree::Tree;
use crate::engine::digest::Digest;

/// One Alpine release as the `alpine:<branch>` tag ships it.
pub struct AlpineRelease {
    pub version: &'static str,
    /// Unpacked size of the root layer, in bytes.
    pub size: u64,
    pub busybox: &'static str,
    pub musl: &'static str,
    pub apk_tools: &'static str,
    /// `libcrypto1.1` before 3.17, `libcrypto3` since.
    pub openssl: &'static str,
    pub zlib: &'static str,
}

impl AlpineRelease {
    pub fn branch(&self) -> &'static str {
        let mut parts = self.version.splitn(3, '.');
        let major = parts.next().unwrap_or("3");
        let minor = parts.next().unwrap_or("0");
        let len = major.len() + 1 + minor.len();
        &self.version[..len]
    }

    fn openssl3(&self) -> bool {
        self.openssl.starts_with('3')
    }
}

const BIN_APPLETS: &str = "arch ash base64 bbconfig cat chattr chgrp chmod chown cp date dd df dmesg \
dnsdomainname dumpkmap echo egrep false fatattr fdflush fgrep fsync getopt grep gunzip gzip hostname \
ionice iostat ipcalc kbd_mode kill link linux32 linux64 ln login ls lsattr lzop makemime mkdir mknod \
mktemp more mount mountpoint mpstat mv netstat nice pidof ping ping6 pipe_progress printenv ps pwd \
reformime rev rm rmdir run-parts sed setpriv setserial sh sleep stat stty su sync tar touch true \
umount uname usleep watch zcat";
const SBIN_APPLETS: &str = "acpid adjtimex arp blkid blockdev depmod fbsplash fdisk findfs fsck fstrim \
getty halt hwclock ifconfig ifdown ifenslave ifup init inotifyd insmod ip ipaddr iplink ipneigh \
iproute iprule iptunnel klogd loadkmap logread losetup lsmod mdev mkdosfs mkfs.vfat mkswap modinfo \
modprobe nameif nologin pivot_root poweroff raidautorun reboot rmmod route setconsole slattach \
swapoff swapon switch_root sysctl syslogd tunctl udhcpc vconfig watchdog";
const USR_BIN_APPLETS: &str = "[ [[ awk basename bc beep blkdiscard bunzip2 bzcat bzip2 cal chvt cksum \
clear cmp comm cpio crontab cryptpw cut dc deallocvt diff dirname dos2unix du eject env expand expr \
factor fallocate find flock fold free fuser getent groups hd head hexdump hostid iconv id install \
ipcrm ipcs killall last less logger lsof lsusb lzcat lzma lzopcat md5sum mesg microcom mkfifo \
mkpasswd nc nl nmeter nohup nproc nsenter nslookup od openvt passwd paste pgrep pkill pmap printf \
pscan pstree pwdx readlink realpath renice reset resize seq setkeycodes setsid sha1sum sha256sum \
sha3sum sha512sum showkey shred shuf sort split strings sum tac tail tee test time timeout top tr \
traceroute traceroute6 tree truncate tty ttysize udhcpc6 unexpand uniq unix2dos unlink unlzma \
unlzop unshare unxz unzip uptime uudecode uuencode vi vlock volname wc wget which whoami whois \
xargs xxd xzcat yes";
const USR_SBIN_APPLETS: &str = "add-shell addgroup adduser arping brctl chpasswd chroot crond delgroup \
deluser ether-wake fbset killall5 loadfont nanddump nandwrite nbd-client ntpd partprobe rdate \
readahead remove-shell rfkill sendmail setfont setlogcons";

/// Every busybox applet with the directory Alpine links it from.
pub fn busybox_applets() -> impl Iterator<Item = (&'static str, &'static str)> {
    [
        ("bin", BIN_APPLETS),
        ("sbin", SBIN_APPLETS),
        ("usr/bin", USR_BIN_APPLETS),
        ("usr/sbin", USR_SBIN_APPLETS),
    ]
    .into_iter()
    .flat_map(|(dir, names)| names.split_whitespace().map(move |name| (dir, name)))
}

const ALPINE_PASSWD: &str = "root:x:0:0:root:/root:/bin/sh
bin:x:1:1:bin:/bin:/sbin/nologin
daemon:x:2:2:daemon:/sbin:/sbin/nologin
lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin
sync:x:5:0:sync:/sbin:/bin/sync
shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown
halt:x:7:0:halt:/sbin:/sbin/halt
mail:x:8:12:mail:/var/mail:/sbin/nologin
news:x:9:13:news:/usr/lib/news:/sbin/nologin
uucp:x:10:14:uucp:/var/spool/uucppublic:/sbin/nologin
cron:x:16:16:cron:/var/spool/cron:/sbin/nologin
ftp:x:21:21::/var/lib/ftp:/sbin/nologin
sshd:x:22:22:sshd:/dev/null:/sbin/nologin
games:x:35:35:games:/usr/games:/sbin/nologin
ntp:x:123:123:NTP:/var/empty:/sbin/nologin
guest:x:405:100:guest:/dev/null:/sbin/nologin
nobody:x:65534:65534:nobody:/:/sbin/nologin
";
const ALPINE_GROUP: &str = "root:x:0:root
bin:x:1:root,bin,daemon
daemon:x:2:root,bin,daemon
sys:x:3:root,bin
adm:x:4:root,daemon
tty:x:5:
disk:x:6:root
lp:x:7:lp
kmem:x:9:
wheel:x:10:root
floppy:x:11:root
mail:x:12:mail
news:x:13:news
uucp:x:14:uucp
cron:x:16:cron
audio:x:18:
cdrom:x:19:
dialout:x:20:root
ftp:x:21:
sshd:x:22:
input:x:23:
tape:x:26:root
video:x:27:root
netdev:x:28:
kvm:x:34:kvm
games:x:35:
shadow:x:42:
www-data:x:82:
users:x:100:games
ntp:x:123:
abuild:x:300:
utmp:x:406:
ping:x:999:
nogroup:x:65533:
nobody:x:65534:
";
const ALPINE_PROFILE: &str = r#"# Append "$1" to $PATH when not already in.
# Copied from Arch Linux, see #4918
append_path () {
	case ":$PATH:" in
		*:"$1":*)
			;;
		*)
			PATH="${PATH:+$PATH:}$1"
			;;
	esac
}

# Append our default paths
append_path '/usr/local/sbin'
append_path '/usr/local/bin'
append_path '/usr/sbin'
append_path '/usr/bin'
append_path '/sbin'
append_path '/bin'
unset -f append_path

export PATH
export PAGER=less
umask 022

# set up fallback default PS1
: "${HOSTNAME:=$(hostname)}"
PS1='${HOSTNAME%%.*}:$PWD'
[ "$(id -u)" -eq 0 ] && PS1="${PS1}# " || PS1="${PS1}\$ "

for script in /etc/profile.d/*.sh ; do
	if [ -r "$script" ] ; then
		. "$script"
	fi
done
unset script
"#;

/// The root layer of `alpine:<version>`.
pub fn alpine(tree: &mut Tree, r: &AlpineRelease) {
    let branch = r.branch();
    tree.dirs(&[
        "bin",
        "dev",
        "etc",
        "home",
        "lib",
        "media/cdrom",
        "media/floppy",
        "media/usb",
        "mnt",
        "opt",
        "proc",
        "run",
        "sbin",
        "srv",
        "sys",
        "usr/bin",
        "usr/lib",
        "usr/local/bin",
        "usr/local/lib",
        "usr/local/share",
        "usr/sbin",
        "usr/share",
        "var/cache",
        "var/empty",
        "var/lib/misc",
        "var/local",
        "var/log",
        "var/mail",
        "var/opt",
        "var/spool/cron",
        "etc/apk/keys",
        "etc/apk/protected_paths.d",
        "etc/crontabs",
        "etc/modprobe.d",
        "etc/modules-load.d",
        "etc/network/if-down.d",
        "etc/network/if-post-down.d",
        "etc/network/if-pre-up.d",
        "etc/network/if-up.d",
        "etc/opt",
        "etc/periodic/15min",
        "etc/periodic/daily",
        "etc/periodic/hourly",
        "etc/periodic/monthly",
        "etc/periodic/weekly",
        "etc/sysctl.d",
        "etc/udhcpc",
        "lib/firmware",
        "lib/modules-load.d",
        "lib/sysctl.d",
        "usr/share/apk/keys",
        "usr/share/udhcpc",
        "etc/ssl/certs",
        "etc/ssl/private",
        "lib/apk/db",
        "lib/apk/exec",
    ]);
    tree.dir("root", 0o700)
        .dir("tmp", 0o1777)
        .dir("var/tmp", 0o1777);
    tree.symlink("var/run", "/run")
        .symlink("var/lock", "/run/lock")
        .symlink("var/spool/mail", "/var/mail");

    tree.program("bin/busybox", "busybox", 808_712);
    for (dir, applet) in busybox_applets() {
        tree.symlink(&format!("{dir}/{applet}"), "/bin/busybox");
    }
    tree.program("sbin/apk", "apk", 67_848)
        .program("sbin/ldconfig", "ldconfig", 393)
        .program("usr/bin/getconf", "getconf", 34_104)
        .program("usr/bin/getent", "getent", 49_640)
        .program("usr/bin/iconv", "iconv", 22_952)
        .text(
            "usr/bin/ldd",
            0o755,
            "#!/bin/sh\nexec /lib/ld-musl-x86_64.so.1 --list -- \"$@\"\n",
        )
        .program("usr/bin/scanelf", "scanelf", 83_888)
        .program("usr/bin/ssl_client", "ssl_client", 14_184);
    tree.library("lib/ld-musl-x86_64.so.1", 654_392)
        .symlink("lib/libc.musl-x86_64.so.1", "ld-musl-x86_64.so.1");
    let zlib_so = format!("lib/libz.so.{}", r.zlib.split('-').next().unwrap_or("1"));
    tree.library(&zlib_so, 100_416)
        .symlink("lib/libz.so.1", zlib_so.trim_start_matches("lib/"));

    tree.text("etc/alpine-release", 0o644, format!("{}\n", r.version))
        .text(
            "etc/os-release",
            0o644,
            format!(
                "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID={v}\nPRETTY_NAME=\"Alpine Linux v{b}\"\n\
                 HOME_URL=\"https://alpinelinux.org/\"\nBUG_REPORT_URL=\"https://gitlab.alpinelinux.org/alpine/aports/-/issues\"\n",
                v = r.version,
                b = branch
            ),
        )
        .text(
            "etc/apk/repositories",
            0o644,
            format!(
                "https://dl-cdn.alpinelinux.org/alpine/v{branch}/main\nhttps://dl-cdn.alpinelinux.org/alpine/v{branch}/community\n"
            ),
        )
        .text("etc/apk/arch", 0o644, "x86_64\n")
        .text("etc/apk/world", 0o644, "alpine-baselayout\nalpine-keys\napk-tools\nbusybox\nlibc-utils\n")
        .text("etc/passwd", 0o644, ALPINE_PASSWD)
        .text("etc/group", 0o644, ALPINE_GROUP)
        .text("etc/shadow", 0o640, shadow(ALPINE_PASSWD))
        .text("etc/profile", 0o644, ALPINE_PROFILE)
        .text(
            "etc/profile.d/color_prompt.sh.disabled",
            0o644,
            "# Setup a red prompt for root and a green one for users.\n# Symlink this file to color_prompt.sh to actually enable it.\nNORMAL=\"\\[\\e[0m\\]\"\nRED=\"\\[\\e[1;31m\\]\"\nGREEN=\"\\[\\e[1;32m\\]\"\nif [ \"$USER\" = root ]; then\n\tPS1=\"$RED\\h [$NORMAL\\w$RED]# $NORMAL\"\nelse\n\tPS1=\"$GREEN\\h [$NORMAL\\w$GREEN]\\$ $NORMAL\"\nfi\n",
        )
        .text(
            "etc/profile.d/locale.sh",
            0o644,
            "export CHARSET=${CHARSET:-UTF-8}\nexport LANG=${LANG:-C.UTF-8}\nexport LC_COLLATE=${LC_COLLATE:-C}\n",
        )
        .text("etc/hosts", 0o644, "127.0.0.1\tlocalhost localhost.localdomain\n::1\t\tlocalhost localhost.localdomain\n")
        .text("etc/hostname", 0o644, "localhost\n")
        .text("etc/shells", 0o644, "# valid login shells\n/bin/sh\n/bin/ash\n")
        .text(
            "etc/motd",
            0o644,
            "Welcome to Alpine!\n\nThe Alpine Wiki contains a large amount of how-to guides and general\ninformation about administrating Alpine systems.\nSee <https://wiki.alpinelinux.org/>.\n\nYou can setup the system with the command: setup-alpine\n\nYou may change this message by editing /etc/motd.\n\n",
        )
        .text("etc/issue", 0o644, "Welcome to Alpine Linux {branch}\nKernel \\r on an \\m (\\l)\n\n".replace("{branch}", branch))
        .text(
            "etc/inittab",
            0o644,
            "# /etc/inittab\n\n::sysinit:/sbin/openrc sysinit\n::sysinit:/sbin/openrc boot\n::wait:/sbin/openrc default\n\n# Set up a couple of getty's\ntty1::respawn:/sbin/getty 38400 tty1\ntty2::respawn:/sbin/getty 38400 tty2\n\n# Stuff to do for the 3-finger salute\n::ctrlaltdel:/sbin/reboot\n\n# Stuff to do before rebooting\n::shutdown:/sbin/openrc shutdown\n",
        )
        .text("etc/fstab", 0o644, "/dev/cdrom\t/media/cdrom\tiso9660\tnoauto,ro 0 0\n/dev/usbdisk\t/media/usb\tvfat\tnoauto,ro 0 0\n")
        .text("etc/securetty", 0o644, "console\ntty1\ntty2\ntty3\ntty4\ntty5\ntty6\nttyS0\nttyS1\n")
        .text("etc/nsswitch.conf", 0o644, "# musl itself does not support NSS, however some third-party DNS\n# implementations use the nsswitch.conf file to determine what\n# policy to follow.\n\nhosts: files dns\n")
        .text("etc/sysctl.conf", 0o644, "# content of this file will override /etc/sysctl.d/*\n")
        .text("etc/modules", 0o644, "af_packet\nipv6\n")
        .text("etc/crontabs/root", 0o600, "# do daily/weekly/monthly maintenance\n# min\thour\tday\tmonth\tweekday\tcommand\n*/15\t*\t*\t*\t*\trun-parts /etc/periodic/15min\n0\t*\t*\t*\t*\trun-parts /etc/periodic/hourly\n0\t2\t*\t*\t*\trun-parts /etc/periodic/daily\n0\t3\t*\t*\t6\trun-parts /etc/periodic/weekly\n0\t5\t1\t*\t*\trun-parts /etc/periodic/monthly\n")
        .text("etc/udhcpc/udhcpc.conf", 0o644, "# udhcpc configuration\n#RESOLV_CONF=\"no\"\n")
        .text("etc/network/if-up.d/dad", 0o775, "#!/bin/sh\n\n# Block ifup until DAD completion\n# Copyright (c) 2016-2018 Kaarle Ritvanen\n\n[ \"$IFACE\" = lo ] && exit\n")
        .text("etc/services", 0o644, services())
        .text("etc/protocols", 0o644, "ip\t0\tIP\nicmp\t1\tICMP\nigmp\t2\tIGMP\ntcp\t6\tTCP\nudp\t17\tUDP\nipv6\t41\tIPv6\nipv6-icmp\t58\tIPv6-ICMP\n");
    let openssl_dir = if r.openssl3() {
        "etc/ssl"
    } else {
        "etc/ssl1.1"
    };
    tree.data(&format!("{openssl_dir}/openssl.cnf"), 0o644, 12_292)
        .data("etc/ssl/certs/ca-certificates.crt", 0o644, 222_148)
        .symlink("etc/ssl/cert.pem", "certs/ca-certificates.crt");
    for key in [
        "alpine-devel@lists.alpinelinux.org-4a6a0840.rsa.pub",
        "alpine-devel@lists.alpinelinux.org-5261cecb.rsa.pub",
    ] {
        tree.data(&format!("usr/share/apk/keys/x86_64/{key}"), 0o644, 451)
            .data(&format!("etc/apk/keys/{key}"), 0o644, 451);
    }
    tree.text(
        "etc/busybox-paths.d/busybox",
        0o644,
        busybox_applets()
            .map(|(d, a)| format!("/{d}/{a}\n"))
            .collect::<String>(),
    );
    tree.text("lib/apk/db/installed", 0o644, apk_installed(r))
        .text("lib/apk/db/lock", 0o600, "")
        .data("lib/apk/db/scripts.tar", 0o644, 10_240)
        .text("lib/apk/db/triggers", 0o644, "");
    tree.text("usr/share/udhcpc/default.script", 0o755, "#!/bin/sh\n\n# script for udhcpc\n# Copyright (c) 2008 Natanael Copa <natanael.copa@gmail.com>\n\nUDHCPC=\"/etc/udhcpc\"\nUDHCPC_CONF=\"$UDHCPC/udhcpc.conf\"\n\nRESOLV_CONF=\"/etc/resolv.conf\"\n[ -f $UDHCPC_CONF ] && . $UDHCPC_CONF\n");
    tree.text(
        "etc/secfixes.d/alpine",
        0o644,
        "secfixes:\n  3.12.3-r0:\n    - CVE-2021-3156\n",
    );
    let (crypto, ssl) = if r.openssl3() {
        ("lib/libcrypto.so.3", "lib/libssl.so.3")
    } else {
        ("lib/libcrypto.so.1.1", "lib/libssl.so.1.1")
    };
    let apk_so = format!(
        "lib/libapk.so.{}",
        r.apk_tools.split('-').next().unwrap_or("2")
    );
    tree.fill_to(
        r.size,
        &[
            (crypto, 70),
            (ssl, 12),
            (&apk_so, 4),
            ("usr/lib/engines-3/afalg.so", 1),
            ("usr/lib/ossl-modules/legacy.so", 3),
        ],
    );
}

/// Writes the base image's passwd, group and shadow with one system user added, as a
/// layer that ran `useradd` / `adduser` leaves them.
pub fn add_user(tree: &mut Tree, alpine: bool, passwd_line: &str, group_line: &str) {
    let (passwd, group) = if alpine {
        (ALPINE_PASSWD, ALPINE_GROUP)
    } else {
        (DEB_PASSWD, DEB_GROUP)
    };
    let passwd = format!("{passwd}{passwd_line}\n");
    let shadow = if alpine {
        shadow(&passwd)
    } else {
        deb_shadow(&passwd)
    };
    tree.text("etc/passwd", 0o644, passwd.as_str())
        .text("etc/group", 0o644, format!("{group}{group_line}\n"))
        .text("etc/shadow", 0o640, shadow);
}

fn deb_shadow(passwd: &str) -> String {
    passwd
        .lines()
        .filter_map(|l| l.split(':').next())
        .map(|u| format!("{u}:*:19000:0:99999:7:::\n"))
        .collect()
}

fn apk_installed(r: &AlpineRelease) -> String {
    let (crypto, ssl) = if r.openssl3() {
        ("libcrypto3", "libssl3")
    } else {
        ("libcrypto1.1", "libssl1.1")
    };
    let alpine_release = format!("{}-r0", r.version);
    let packages: [(&str, &str, &str, &str, &str, &str); 14] = [
        (
            "alpine-baselayout",
            "3.4.3-r2",
            "Alpine base dir structure and init scripts",
            "https://git.alpinelinux.org/cgit/aports/tree/main/alpine-baselayout",
            "GPL-2.0-only",
            "alpine-baselayout",
        ),
        (
            "alpine-baselayout-data",
            "3.4.3-r2",
            "Alpine base dir structure and init scripts",
            "https://git.alpinelinux.org/cgit/aports/tree/main/alpine-baselayout",
            "GPL-2.0-only",
            "alpine-baselayout",
        ),
        (
            "alpine-keys",
            "2.4-r1",
            "Public keys for Alpine Linux packages",
            "https://alpinelinux.org",
            "MIT",
            "alpine-keys",
        ),
        (
            "alpine-release",
            &alpine_release,
            "Alpine release data",
            "https://alpinelinux.org",
            "MIT",
            "alpine-base",
        ),
        (
            "apk-tools",
            r.apk_tools,
            "Alpine Package Keeper - package manager for alpine",
            "https://gitlab.alpinelinux.org/alpine/apk-tools",
            "GPL-2.0-only",
            "apk-tools",
        ),
        (
            "busybox",
            r.busybox,
            "Size optimized toolbox of many common UNIX utilities",
            "https://busybox.net/",
            "GPL-2.0-only",
            "busybox",
        ),
        (
            "busybox-binsh",
            r.busybox,
            "busybox ash /bin/sh",
            "https://busybox.net/",
            "GPL-2.0-only",
            "busybox",
        ),
        (
            "ca-certificates-bundle",
            "20241121-r1",
            "Pre generated bundle of Mozilla certificates",
            "https://www.mozilla.org/en-US/about/governance/policies/security-group/certs/",
            "MPL-2.0 AND MIT",
            "ca-certificates",
        ),
        (
            crypto,
            r.openssl,
            "Crypto library from openssl",
            "https://www.openssl.org/",
            "Apache-2.0",
            "openssl",
        ),
        (
            ssl,
            r.openssl,
            "SSL shared libraries",
            "https://www.openssl.org/",
            "Apache-2.0",
            "openssl",
        ),
        (
            "musl",
            r.musl,
            "the musl c library (libc) implementation",
            "https://musl.libc.org/",
            "MIT",
            "musl",
        ),
        (
            "musl-utils",
            r.musl,
            "the musl c library (libc) implementation",
            "https://musl.libc.org/",
            "MIT AND BSD-2-Clause AND GPL-2.0-or-later",
            "musl",
        ),
        (
            "scanelf",
            "1.3.8-r1",
            "Scan ELF binaries for stuff",
            "https://wiki.gentoo.org/wiki/Hardened/PaX_Utilities",
            "GPL-2.0-only",
            "pax-utils",
        ),
        (
            "zlib",
            r.zlib,
            "A compression/decompression Library",
            "https://zlib.net/",
            "Zlib",
            "zlib",
        ),
    ];
    let mut out = String::new();
    for (name, version, description, url, license, origin) in packages {
        out.push_str(&format!(
            "C:Q1{hash}=\nP:{name}\nV:{version}\nA:x86_64\nT:{description}\nU:{url}\nL:{license}\no:{origin}\nm:Natanael Copa <ncopa@alpinelinux.org>\n\n",
            hash = &Digest::sha256(format!("{name}-{version}").as_bytes()).hex()[..26],
        ));
    }
    out
}

fn shadow(passwd: &str) -> String {
    passwd
        .lines()
        .filter_map(|line| line.split(':').next())
        .map(|user| {
            if user == "root" {
                "root:*::0:::::\n".to_string()
            } else {
                format!("{user}:!::0:::::\n")
            }
        })
        .collect()
}

fn services() -> String {
    let mut out = String::from(
        "# Network services, Internet style\n#\n# Updated from https://www.iana.org/assignments/service-names-port-numbers/\n\n",
    );
    for (name, port) in [
        ("tcpmux", 1),
        ("echo", 7),
        ("discard", 9),
        ("systat", 11),
        ("daytime", 13),
        ("netstat", 15),
        ("qotd", 17),
        ("chargen", 19),
        ("ftp-data", 20),
        ("ftp", 21),
        ("ssh", 22),
        ("telnet", 23),
        ("smtp", 25),
        ("time", 37),
        ("whois", 43),
        ("tacacs", 49),
        ("domain", 53),
        ("gopher", 70),
        ("finger", 79),
        ("http", 80),
        ("kerberos", 88),
        ("pop3", 110),
        ("sunrpc", 111),
        ("auth", 113),
        ("nntp", 119),
        ("ntp", 123),
        ("epmap", 135),
        ("netbios-ns", 137),
        ("imap2", 143),
        ("snmp", 161),
        ("ldap", 389),
        ("https", 443),
        ("microsoft-ds", 445),
        ("submission", 587),
        ("ldaps", 636),
        ("imaps", 993),
        ("pop3s", 995),
        ("mysql", 3306),
        ("postgresql", 5432),
        ("redis", 6379),
        ("http-alt", 8080),
    ] {
        out.push_str(&format!("{name:<16}{port}/tcp\n"));
    }
    out
}

/// One Debian or Ubuntu release as its official image ships it.
pub struct DebianRelease {
    pub ubuntu: bool,
    /// `24.04` or `12`.
    pub version_id: &'static str,
    /// `24.04.2 LTS (Noble Numbat)` or `12 (bookworm)`.
    pub version: &'static str,
    pub codename: &'static str,
    /// The contents of /etc/debian_version (without newline).
    pub debian_version: &'static str,
    /// `/bin` → `usr/bin` and friends.
    pub merged_usr: bool,
    /// Unpacked size of the root layer, in bytes.
    pub size: u64,
    /// `package version` lines for /var/lib/dpkg/status.
    pub packages: &'static str,
}

const COREUTILS: &str = "cat chgrp chmod chown cp date dd df dir echo false ln ls mkdir mknod mktemp mv pwd \
readlink rm rmdir sleep stty sync touch true uname vdir";
const USR_COREUTILS: &str = "[ arch b2sum base32 base64 basename chcon cksum comm csplit cut dircolors dirname \
du env expand expr factor fmt fold groups head hostid id install join link logname md5sum mkfifo nice nl \
nohup nproc numfmt od paste pathchk pinky pr printenv printf ptx realpath runcon seq sha1sum sha224sum \
sha256sum sha384sum sha512sum shred shuf sort split stat stdbuf sum tac tail tee test timeout tr truncate \
tsort tty unexpand uniq unlink users wc who whoami yes";

const DEB_PASSWD: &str = "root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
games:x:5:60:games:/usr/games:/usr/sbin/nologin
man:x:6:12:man:/var/cache/man:/usr/sbin/nologin
lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin
mail:x:8:8:mail:/var/mail:/usr/sbin/nologin
news:x:9:9:news:/var/spool/news:/usr/sbin/nologin
uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin
proxy:x:13:13:proxy:/bin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
backup:x:34:34:backup:/var/backups:/usr/sbin/nologin
list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin
_apt:x:42:65534::/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
";
const DEB_GROUP: &str = "root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
news:x:9:
uucp:x:10:
man:x:12:
proxy:x:13:
kmem:x:15:
dialout:x:20:
fax:x:21:
voice:x:22:
cdrom:x:24:
floppy:x:25:
tape:x:26:
sudo:x:27:
audio:x:29:
dip:x:30:
www-data:x:33:
backup:x:34:
operator:x:37:
list:x:38:
irc:x:39:
src:x:40:
shadow:x:42:
utmp:x:43:
video:x:44:
sasl:x:45:
plugdev:x:46:
staff:x:50:
games:x:60:
users:x:100:
nogroup:x:65534:
";
const BASHRC: &str = r#"# ~/.bashrc: executed by bash(1) for non-login shells.

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
const PROFILE: &str = r#"# /etc/profile: system-wide .profile file for the Bourne shell (sh(1))
# and Bourne compatible shells (bash(1), ksh(1), ash(1), ...).

if [ "$(id -u)" -eq 0 ]; then
  PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
else
  PATH="/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games"
fi
export PATH

if [ "${PS1-}" ]; then
  if [ "${BASH-}" ] && [ "$BASH" != "/bin/sh" ]; then
    # The file bash.bashrc already sets the default PS1.
    # PS1='\h:\w\$ '
    if [ -f /etc/bash.bashrc ]; then
      . /etc/bash.bashrc
    fi
  else
    if [ "$(id -u)" -eq 0 ]; then
      PS1='# '
    else
      PS1='$ '
    fi
  fi
fi

if [ -d /etc/profile.d ]; then
  for i in /etc/profile.d/*.sh; do
    if [ -r $i ]; then
      . $i
    fi
  done
  unset i
fi
"#;

/// The root layer of a Debian or Ubuntu image (`slim` leaves out docs and man pages).
pub fn debian(tree: &mut Tree, r: &DebianRelease, slim: bool) {
    let (usr_bin, usr_sbin, usr_lib) = ("usr/bin", "usr/sbin", "usr/lib");
    let (bin, sbin, lib) = if r.merged_usr {
        tree.symlink("bin", "usr/bin")
            .symlink("sbin", "usr/sbin")
            .symlink("lib", "usr/lib")
            .symlink("lib64", "usr/lib64");
        (usr_bin, usr_sbin, usr_lib)
    } else {
        tree.dirs(&["bin", "sbin", "lib", "lib64"]);
        ("bin", "sbin", "lib")
    };
    tree.dirs(&[
        "boot",
        "dev",
        "etc",
        "home",
        "media",
        "mnt",
        "opt",
        "proc",
        "run",
        "run/lock",
        "srv",
        "sys",
        usr_bin,
        usr_sbin,
        usr_lib,
        "usr/lib64",
        "usr/games",
        "usr/include",
        "usr/local/bin",
        "usr/local/etc",
        "usr/local/games",
        "usr/local/include",
        "usr/local/lib",
        "usr/local/sbin",
        "usr/local/share",
        "usr/local/src",
        "usr/share",
        "usr/src",
        "var/backups",
        "var/cache/apt/archives/partial",
        "var/cache/debconf",
        "var/lib/apt/lists/partial",
        "var/lib/dpkg/info",
        "var/lib/dpkg/updates",
        "var/lib/misc",
        "var/local",
        "var/log/apt",
        "var/mail",
        "var/opt",
        "var/spool",
        "etc/apt/apt.conf.d",
        "etc/apt/preferences.d",
        "etc/apt/sources.list.d",
        "etc/apt/trusted.gpg.d",
        "etc/profile.d",
        "etc/skel",
        "etc/ld.so.conf.d",
        "etc/default",
        "etc/dpkg/dpkg.cfg.d",
        "etc/pam.d",
        "etc/security",
        "etc/update-motd.d",
        "etc/alternatives",
        "etc/cron.daily",
        "etc/logrotate.d",
        "etc/systemd/system",
    ]);
    tree.dir("root", 0o700)
        .dir("tmp", 0o1777)
        .dir("var/tmp", 0o1777);
    tree.symlink("var/run", "/run")
        .symlink("var/lock", "/run/lock");

    tree.program(
        &format!("{bin}/bash"),
        "bash",
        if r.ubuntu { 1_446_024 } else { 1_265_648 },
    )
    .program(&format!("{bin}/dash"), "dash", 125_640)
    .symlink(&format!("{bin}/sh"), "dash")
    .symlink(&format!("{bin}/rbash"), "bash");
    for name in COREUTILS.split_whitespace() {
        tree.program(&format!("{bin}/{name}"), name, 35_000 + 1_000 * name.len());
    }
    for name in USR_COREUTILS.split_whitespace() {
        tree.program(
            &format!("usr/bin/{name}"),
            name,
            31_000 + 1_000 * name.len(),
        );
    }
    for (dir, name, size) in [
        (bin, "grep", 186_096),
        (bin, "sed", 116_632),
        (bin, "tar", 449_648),
        (bin, "gzip", 92_472),
        (bin, "gunzip", 2_346),
        (bin, "zcat", 1_984),
        (bin, "hostname", 22_680),
        (bin, "login", 56_264),
        (bin, "mount", 59_704),
        (bin, "umount", 39_296),
        (bin, "su", 72_072),
        (bin, "ps", 137_688),
        (bin, "kill", 30_952),
        (bin, "more", 39_624),
        (bin, "run-parts", 22_824),
        (bin, "which", 1_073),
        ("usr/bin", "find", 224_848),
        ("usr/bin", "xargs", 68_280),
        ("usr/bin", "diff", 187_608),
        ("usr/bin", "perl", 3_963_576),
        ("usr/bin", "apt", 18_824),
        ("usr/bin", "apt-get", 51_496),
        ("usr/bin", "apt-cache", 80_168),
        ("usr/bin", "apt-config", 27_072),
        ("usr/bin", "apt-mark", 59_848),
        ("usr/bin", "dpkg", 309_784),
        ("usr/bin", "dpkg-query", 153_944),
        ("usr/bin", "dpkg-deb", 162_296),
        ("usr/bin", "passwd", 64_152),
        ("usr/bin", "chsh", 44_808),
        ("usr/bin", "clear", 14_488),
        ("usr/bin", "tput", 26_776),
        ("usr/bin", "getent", 35_048),
        ("usr/bin", "ldd", 5_416),
        ("usr/bin", "gpgv", 284_520),
        ("usr/bin", "mawk", 162_784),
        ("usr/bin", "top", 137_736),
        ("usr/bin", "free", 27_464),
        (sbin, "ldconfig", 925_456),
        (sbin, "start-stop-daemon", 47_184),
        (usr_sbin, "useradd", 147_160),
        (usr_sbin, "groupadd", 84_552),
        (usr_sbin, "usermod", 130_328),
        (usr_sbin, "chroot", 39_296),
        (usr_sbin, "nologin", 14_480),
    ] {
        tree.program(&format!("{dir}/{name}"), name, size);
    }
    tree.symlink("etc/alternatives/awk", "/usr/bin/mawk")
        .symlink("usr/bin/awk", "/etc/alternatives/awk");
    // perl-base installs the same interpreter under its versioned name.
    let perl_version = r
        .packages
        .lines()
        .find_map(|l| l.strip_prefix("perl-base "))
        .and_then(|v| v.split('-').next())
        .unwrap_or("5");
    tree.hard_link(&format!("usr/bin/perl{perl_version}"), "usr/bin/perl");

    let arch_lib = format!("{lib}/x86_64-linux-gnu");
    for (name, size) in [
        ("ld-linux-x86-64.so.2", 236_616),
        ("libc.so.6", 2_125_328),
        ("libm.so.6", 952_616),
        ("libresolv.so.2", 68_104),
        ("libselinux.so.1", 174_472),
        ("libpcre2-8.so.0", 629_400),
        ("libtinfo.so.6", 204_760),
        ("libacl.so.1", 35_224),
        ("libattr.so.1", 26_928),
        ("libcrypt.so.1", 202_904),
        ("libz.so.1", 121_280),
        ("libgcc_s.so.1", 125_312),
        ("libstdc++.so.6", 2_260_296),
        ("libsystemd.so.0", 916_528),
        ("libzstd.so.1", 792_000),
        ("liblzma.so.5", 162_304),
    ] {
        tree.library(&format!("{arch_lib}/{name}"), size);
    }
    let lib64 = if r.merged_usr { "usr/lib64" } else { "lib64" };
    tree.symlink(
        &format!("{lib64}/ld-linux-x86-64.so.2"),
        "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
    );

    let (name, pretty) = if r.ubuntu {
        (
            "Ubuntu".to_string(),
            format!(
                "Ubuntu {}",
                r.version.split(" (").next().unwrap_or(r.version)
            ),
        )
    } else {
        (
            "Debian GNU/Linux".to_string(),
            format!("Debian GNU/Linux {}", r.version),
        )
    };
    let os_release = if r.ubuntu {
        format!(
            "PRETTY_NAME=\"{pretty}\"\nNAME=\"{name}\"\nVERSION_ID=\"{id}\"\nVERSION=\"{v}\"\nVERSION_CODENAME={c}\nID=ubuntu\nID_LIKE=debian\n\
             HOME_URL=\"https://www.ubuntu.com/\"\nSUPPORT_URL=\"https://help.ubuntu.com/\"\nBUG_REPORT_URL=\"https://bugs.launchpad.net/ubuntu/\"\n\
             PRIVACY_POLICY_URL=\"https://www.ubuntu.com/legal/terms-and-policies/privacy-policy\"\nUBUNTU_CODENAME={c}\nLOGO=ubuntu-logo\n",
            id = r.version_id,
            v = r.version,
            c = r.codename
        )
    } else {
        format!(
            "PRETTY_NAME=\"{pretty}\"\nNAME=\"{name}\"\nVERSION_ID=\"{id}\"\nVERSION=\"{v}\"\nVERSION_CODENAME={c}\nID=debian\n\
             HOME_URL=\"https://www.debian.org/\"\nSUPPORT_URL=\"https://www.debian.org/support\"\nBUG_REPORT_URL=\"https://bugs.debian.org/\"\n",
            id = r.version_id,
            v = r.version,
            c = r.codename
        )
    };
    tree.text("usr/lib/os-release", 0o644, os_release)
        .symlink("etc/os-release", "../usr/lib/os-release")
        .text("etc/debian_version", 0o644, format!("{}\n", r.debian_version))
        .text("etc/issue", 0o644, format!("{pretty} \\n \\l\n\n"))
        .text("etc/issue.net", 0o644, format!("{pretty}\n"))
        .text("etc/passwd", 0o644, DEB_PASSWD)
        .text("etc/group", 0o644, DEB_GROUP)
        .text("etc/shadow", 0o640, DEB_PASSWD.lines().filter_map(|l| l.split(':').next()).map(|u| format!("{u}:*:19000:0:99999:7:::\n")).collect::<String>())
        .text("etc/gshadow", 0o640, DEB_GROUP.lines().filter_map(|l| l.split(':').next()).map(|g| format!("{g}:*::\n")).collect::<String>())
        .text("etc/shells", 0o644, "# /etc/shells: valid login shells\n/bin/sh\n/usr/bin/sh\n/bin/bash\n/usr/bin/bash\n/bin/rbash\n/usr/bin/rbash\n/bin/dash\n/usr/bin/dash\n")
        .text("etc/profile", 0o644, PROFILE)
        .text("etc/bash.bashrc", 0o644, BASHRC)
        .text("etc/skel/.bashrc", 0o644, BASHRC)
        .text("etc/skel/.profile", 0o644, "# ~/.profile: executed by the command interpreter for login shells.\n\nif [ -n \"$BASH_VERSION\" ]; then\n    if [ -f \"$HOME/.bashrc\" ]; then\n\t. \"$HOME/.bashrc\"\n    fi\nfi\n")
        .text("etc/skel/.bash_logout", 0o644, "# ~/.bash_logout: executed by bash(1) when login shell exits.\n")
        .text("root/.bashrc", 0o644, BASHRC)
        .text("root/.profile", 0o644, "# ~/.profile: executed by Bourne-compatible login shells.\n\nif [ \"$BASH\" ]; then\n  if [ -f ~/.bashrc ]; then\n    . ~/.bashrc\n  fi\nfi\n\nmesg n 2> /dev/null || true\n")
        .text("etc/host.conf", 0o644, "multi on\n")
        .text("etc/nsswitch.conf", 0o644, "passwd:         files\ngroup:          files\nshadow:         files\ngshadow:        files\n\nhosts:          files dns\nnetworks:       files\n\nprotocols:      db files\nservices:       db files\nethers:         db files\nrpc:            db files\n\nnetgroup:       nis\n")
        .text("etc/ld.so.conf", 0o644, "include /etc/ld.so.conf.d/*.conf\n\n")
        .text("etc/ld.so.conf.d/x86_64-linux-gnu.conf", 0o644, "# Multiarch support\n/usr/local/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n")
        .data("etc/ld.so.cache", 0o644, 8_642)
        .text("etc/environment", 0o644, "")
        .text("etc/hostname", 0o644, "")
        .text("etc/login.defs", 0o644, "MAIL_DIR        /var/mail\nFAILLOG_ENAB\t\tyes\nLOG_UNKFAIL_ENAB\tno\nLOG_OK_LOGINS\t\tno\nSYSLOG_SU_ENAB\t\tyes\nSYSLOG_SG_ENAB\t\tyes\nFTMP_FILE\t/var/log/btmp\nSU_NAME\t\tsu\nHUSHLOGIN_FILE\t.hushlogin\nENV_SUPATH\tPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nENV_PATH\tPATH=/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games\nTTYGROUP\ttty\nTTYPERM\t\t0600\nERASECHAR\t0177\nKILLCHAR\t025\nUMASK\t\t022\nPASS_MAX_DAYS\t99999\nPASS_MIN_DAYS\t0\nPASS_WARN_AGE\t7\nUID_MIN\t\t\t 1000\nUID_MAX\t\t\t60000\nGID_MIN\t\t\t 1000\nGID_MAX\t\t\t60000\nLOGIN_RETRIES\t\t5\nLOGIN_TIMEOUT\t\t60\nCHFN_RESTRICT\t\trwh\nDEFAULT_HOME\tyes\nUSERGROUPS_ENAB yes\nENCRYPT_METHOD SHA512\n")
        .text("etc/apt/apt.conf.d/docker-clean", 0o644, "DPkg::Post-Invoke { \"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true\"; };\nAPT::Update::Post-Invoke { \"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true\"; };\n\nDir::Cache::pkgcache \"\";\nDir::Cache::srcpkgcache \"\";\n")
        .text("etc/apt/apt.conf.d/docker-no-languages", 0o644, "Acquire::Languages \"none\";\n")
        .text("etc/apt/apt.conf.d/docker-gzip-indexes", 0o644, "Acquire::GzipIndexes \"true\";\n")
        .text("etc/dpkg/dpkg.cfg.d/excludes", 0o644, "# Drop all man pages\npath-exclude=/usr/share/man/*\n\n# Drop all documentation ...\npath-exclude=/usr/share/doc/*\n\n# Drop all translations\npath-exclude=/usr/share/locale/*/LC_MESSAGES/*.mo\n");
    if r.ubuntu {
        let components = "main restricted universe multiverse";
        let sources = if r.version_id == "24.04" {
            tree.text(
                "etc/apt/sources.list",
                0o644,
                "# Ubuntu sources have moved to /etc/apt/sources.list.d/ubuntu.sources\n",
            );
            (
                "etc/apt/sources.list.d/ubuntu.sources",
                format!(
                    "Types: deb\nURIs: http://archive.ubuntu.com/ubuntu/\nSuites: {c} {c}-updates {c}-backports\nComponents: {components}\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n\nTypes: deb\nURIs: http://security.ubuntu.com/ubuntu/\nSuites: {c}-security\nComponents: {components}\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n",
                    c = r.codename
                ),
            )
        } else {
            (
                "etc/apt/sources.list",
                format!(
                    "# See http://help.ubuntu.com/community/UpgradeNotes for how to upgrade to\n# newer versions of the distribution.\ndeb http://archive.ubuntu.com/ubuntu/ {c} {components}\ndeb http://archive.ubuntu.com/ubuntu/ {c}-updates {components}\ndeb http://archive.ubuntu.com/ubuntu/ {c}-backports {components}\ndeb http://security.ubuntu.com/ubuntu/ {c}-security {components}\n",
                    c = r.codename
                ),
            )
        };
        tree.text(sources.0, 0o644, sources.1);
        tree.text(
            "etc/lsb-release",
            0o644,
            format!(
                "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE={}\nDISTRIB_CODENAME={}\nDISTRIB_DESCRIPTION=\"{pretty}\"\n",
                r.version_id, r.codename
            ),
        );
        tree.data(
            "usr/share/keyrings/ubuntu-archive-keyring.gpg",
            0o644,
            3_610,
        );
    } else {
        tree.text(
            "etc/apt/sources.list.d/debian.sources",
            0o644,
            format!(
                "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: {c} {c}-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb\nURIs: http://deb.debian.org/debian-security\nSuites: {c}-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
                c = r.codename
            ),
        );
        tree.data(
            "usr/share/keyrings/debian-archive-keyring.gpg",
            0o644,
            8_700,
        );
    }
    tree.text("var/lib/dpkg/status", 0o644, dpkg_status(r));
    for line in r.packages.lines() {
        if let Some((package, _)) = line.split_once(' ') {
            tree.text(
                &format!("var/lib/dpkg/info/{package}.list"),
                0o644,
                format!("/.\n/usr\n/usr/share\n/usr/share/doc\n/usr/share/doc/{package}\n"),
            );
        }
    }
    tree.text("var/lib/dpkg/available", 0o644, "")
        .text("var/lib/dpkg/arch", 0o644, "amd64\n");

    let mut fill: Vec<(String, u32)> = vec![
        (format!("{arch_lib}/libcrypto.so.3"), 45),
        (format!("{arch_lib}/libssl.so.3"), 7),
        (format!("{arch_lib}/libgnutls.so.30"), 20),
        (format!("{arch_lib}/libapt-pkg.so.6.0"), 20),
        (format!("{arch_lib}/libp11-kit.so.0"), 12),
        (format!("{arch_lib}/libunistring.so.5"), 17),
        (format!("{arch_lib}/libdb-5.3.so"), 17),
        (format!("{arch_lib}/libgcrypt.so.20"), 13),
        (format!("{arch_lib}/libsqlite3.so.0"), 14),
        (
            "usr/lib/x86_64-linux-gnu/perl-base/auto/POSIX/POSIX.so".to_string(),
            1,
        ),
        ("usr/lib/locale/C.utf8/LC_CTYPE".to_string(), 34),
        ("usr/share/zoneinfo/posixrules".to_string(), 4),
        ("usr/share/perl5/Debconf/Template.pm".to_string(), 1),
        ("var/cache/debconf/templates.dat".to_string(), 6),
        ("usr/share/i18n/charmaps/UTF-8.gz".to_string(), 3),
        ("usr/share/common-licenses/GPL-3".to_string(), 1),
        (
            "usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache".to_string(),
            3,
        ),
        ("usr/share/misc/magic.mgc".to_string(), 7),
        ("usr/lib/systemd/libsystemd-shared.so".to_string(), 28),
        ("usr/share/mime/packages/freedesktop.org.xml".to_string(), 3),
    ];
    if !slim {
        fill.extend([
            ("usr/share/doc/README".to_string(), 1),
            ("usr/share/man/man1/bash.1.gz".to_string(), 3),
            ("usr/share/locale/locale.alias".to_string(), 1),
            ("usr/lib/x86_64-linux-gnu/libicudata.so.72".to_string(), 80),
            ("usr/lib/x86_64-linux-gnu/libperl.so.5".to_string(), 30),
            ("usr/share/perl/lib.tar".to_string(), 40),
            ("usr/share/info/coreutils.info.gz".to_string(), 2),
        ]);
    }
    let fill: Vec<(&str, u32)> = fill.iter().map(|(p, w)| (p.as_str(), *w)).collect();
    tree.fill_to(r.size, &fill);
}

fn dpkg_status(r: &DebianRelease) -> String {
    let maintainer = if r.ubuntu {
        "Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>"
    } else {
        "Debian QA Group <packages@qa.debian.org>"
    };
    let mut out = String::new();
    for line in r.packages.lines() {
        let Some((package, version)) = line.split_once(' ') else {
            continue;
        };
        let essential = matches!(
            package,
            "base-files"
                | "bash"
                | "coreutils"
                | "dash"
                | "dpkg"
                | "grep"
                | "gzip"
                | "login"
                | "perl-base"
                | "sed"
                | "tar"
                | "util-linux"
                | "findutils"
                | "debianutils"
                | "diffutils"
                | "hostname"
                | "ncurses-base"
                | "bsdutils"
                | "sysvinit-utils"
        );
        let description = match package {
            "base-files" => "Debian base system miscellaneous files",
            "bash" => "GNU Bourne Again SHell",
            "coreutils" => "GNU core utilities",
            "dash" => "POSIX-compliant shell",
            "libc6" => "GNU C Library: Shared libraries",
            "dpkg" => "Debian package management system",
            "apt" => "commandline package manager",
            "perl-base" => "minimal Perl system",
            "tar" => "GNU version of the tar archiving utility",
            "grep" => "GNU grep, egrep and fgrep",
            "sed" => "GNU stream editor for filtering/transforming text",
            "util-linux" => "miscellaneous system utilities",
            "gzip" => "GNU compression utilities",
            "findutils" => "utilities for finding files--find, xargs",
            "login" => "system login tools",
            "passwd" => "change and administer password and group data",
            "mawk" => "Pattern scanning and text processing language",
            "ncurses-base" => "basic terminal type definitions",
            "debianutils" => "Miscellaneous utilities specific to Debian",
            _ => "base system package",
        };
        out.push_str(&format!(
            "Package: {package}\n{essential}Status: install ok installed\nPriority: required\nSection: {section}\nInstalled-Size: {size}\nMaintainer: {maintainer}\nArchitecture: amd64\nVersion: {version}\nDescription: {description}\n\n",
            essential = if essential { "Essential: yes\n" } else { "" },
            section = if package.starts_with("lib") { "libs" } else { "utils" },
            size = 100 + (Digest::sha256(package.as_bytes()).hex().as_bytes()[0] as u32) * 37,
        ));
    }
    out
}

/// One busybox release as the default (glibc) `busybox:<version>` tag ships it.
pub struct BusyboxRelease {
    pub size: u64,
}

/// The single layer of `busybox`: the binary and every applet as a hard link to it,
/// plus the glibc it needs.
pub fn busybox(tree: &mut Tree, r: &BusyboxRelease) {
    tree.dirs(&[
        "bin",
        "dev",
        "etc",
        "home",
        "lib",
        "lib64",
        "usr/sbin",
        "var/spool/mail",
        "var/www",
    ]);
    tree.dir("root", 0o700).dir("tmp", 0o1777);
    tree.program("bin/busybox", "busybox", 1_131_168);
    let mut applets: Vec<&str> = busybox_applets()
        .map(|(_, name)| name)
        .filter(|n| *n != "busybox")
        .collect();
    applets.sort_unstable();
    applets.dedup();
    for applet in applets {
        tree.hard_link(&format!("bin/{applet}"), "bin/busybox");
    }
    tree.text("etc/passwd", 0o644, "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nbin:x:2:2:bin:/bin:/bin/false\nsys:x:3:3:sys:/dev:/bin/false\nsync:x:4:100:sync:/bin:/bin/sync\nmail:x:8:8:mail:/var/spool/mail:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\noperator:x:37:37:Operator:/var:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n")
        .text("etc/group", 0o644, "root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\ndisk:x:6:\nlp:x:7:\nmail:x:8:\nkmem:x:9:\nwheel:x:10:root\ncdrom:x:11:\ndialout:x:18:\nfloppy:x:19:\nvideo:x:28:\naudio:x:29:\ntape:x:32:\nwww-data:x:33:\noperator:x:37:\nutmp:x:43:\nplugdev:x:46:\nstaff:x:50:\nlock:x:54:\nnetdev:x:82:\nusers:x:100:\nnogroup:x:65534:\n")
        .text("etc/shadow", 0o600, "root:*:10933:0:99999:7:::\ndaemon:*:10933:0:99999:7:::\nbin:*:10933:0:99999:7:::\nsys:*:10933:0:99999:7:::\nsync:*:10933:0:99999:7:::\nmail:*:10933:0:99999:7:::\nwww-data:*:10933:0:99999:7:::\noperator:*:10933:0:99999:7:::\nnobody:*:10933:0:99999:7:::\n")
        .text("etc/localtime", 0o644, "TZif2\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\nUTC0\n")
        .text("etc/network/if-up.d/.keep", 0o644, "")
        .text("etc/nsswitch.conf", 0o644, "hosts:\t\tfiles dns\nnetworks:\tfiles\n")
        .symlink("lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-x86-64.so.2");
    tree.library("lib/ld-linux-x86-64.so.2", 236_616);
    tree.fill_to(
        r.size,
        &[
            ("lib/libc.so.6", 75),
            ("lib/libm.so.6", 32),
            ("lib/libresolv.so.2", 3),
            ("lib/libnss_files.so.2", 1),
            ("lib/libnss_dns.so.2", 1),
            ("lib/libpthread.so.0", 1),
        ],
    );
}
