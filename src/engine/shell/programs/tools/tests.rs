use super::super::packages::fixture::{self, Container};

/// An Alpine container whose network applets are links to a BusyBox binary.
fn alpine_with_busybox() -> Container {
    let c = fixture::alpine("3.21.3");
    let root = c.dir.path();
    std::fs::write(
        root.join("bin/busybox"),
        crate::engine::program::executable("busybox", 4096),
    )
    .unwrap();
    for applet in [
        "ping", "ifconfig", "route", "arp", "netstat", "xxd", "vi", "wget", "nslookup", "hostname",
        "nc", "ip",
    ] {
        std::os::unix::fs::symlink("/bin/busybox", root.join("bin").join(applet)).unwrap();
    }
    c
}

/// The bytes the reference outputs were taken of.
const SAMPLE: &[u8] = b"Hello, docklab!\n\x00\x01\xff";

/// Writes `data` at `path` of the container, as `docker cp` would.
fn put(c: &Container, path: &str, data: &[u8]) {
    let p = c.dir.path().join(path.trim_start_matches('/'));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

fn ubuntu_with(packages: &str) -> Container {
    let mut c = fixture::ubuntu();
    assert_eq!(c.run("apt-get update").status, 0);
    let r = c.run(&format!("apt-get install -y {packages}"));
    assert_eq!(r.status, 0, "{}", r.err);
    c
}

#[test]
fn xxd_dumps_reverses_and_reports_like_vim_xxd() {
    let mut c = fixture::alpine("3.21.3");
    assert_eq!(c.run("apk add xxd").status, 0);
    put(&c, "s.bin", SAMPLE);
    let r = c.run("xxd s.bin");
    assert_eq!(
        r.out,
        "00000000: 4865 6c6c 6f2c 2064 6f63 6b6c 6162 210a  Hello, docklab!.\n00000010: 0001 ff                                  ...\n"
    );
    assert_eq!(
        c.run("xxd -p s.bin").out,
        "48656c6c6f2c20646f636b6c6162210a0001ff\n"
    );
    assert_eq!(
        c.run("xxd -u -g 1 -c 8 s.bin").out,
        "00000000: 48 65 6C 6C 6F 2C 20 64  Hello, d\n00000008: 6F 63 6B 6C 61 62 21 0A  ocklab!.\n00000010: 00 01 FF                 ...\n"
    );
    assert_eq!(
        c.run("xxd -l 4 s.bin").out,
        "00000000: 4865 6c6c                                Hell\n"
    );
    assert_eq!(
        c.run("xxd -i s.bin").out,
        "unsigned char s_bin[] = {\n  0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x2c, 0x20, 0x64, 0x6f, 0x63, 0x6b, 0x6c,\n  0x61, 0x62, 0x21, 0x0a, 0x00, 0x01, 0xff\n};\nunsigned int s_bin_len = 19;\n"
    );
    let r = c.run("xxd -p s.bin | xxd -r -p > back");
    assert_eq!(r.status, 0, "{}", r.err);
    assert_eq!(std::fs::read(c.dir.path().join("back")).unwrap(), SAMPLE);
    let r = c.run("xxd s.bin | xxd -r > back2; xxd -p back2");
    assert_eq!(r.out, "48656c6c6f2c20646f636b6c6162210a0001ff\n");
    let r = c.run("xxd -v");
    assert_eq!(
        (r.status, r.err.as_str()),
        (0, "xxd 2023-10-25 by Juergen Weigert et al.\n")
    );
    let r = c.run("xxd -h");
    assert_eq!(r.status, 1);
    assert!(
        r.err
            .starts_with("Usage:\n       xxd [options] [infile [outfile]]\n"),
        "{}",
        r.err
    );
    let r = c.run("xxd nope");
    assert_eq!(
        (r.status, r.err.as_str()),
        (2, "xxd: nope: No such file or directory\n")
    );
}

#[test]
fn busybox_xxd_is_the_applet() {
    let mut c = alpine_with_busybox();
    let r = c.run("echo hi | xxd");
    assert_eq!(
        r.out,
        "00000000: 6869 0a                                  hi.\n"
    );
    let r = c.run("xxd --help");
    assert_eq!(r.status, 0);
    assert!(
        r.out
            .starts_with("BusyBox v1.37.0 multi-call binary.\n\nUsage: xxd [-pri]"),
        "{}",
        r.out
    );
    let r = c.run("xxd -v");
    assert_eq!(r.status, 1);
    assert!(
        r.err
            .starts_with("xxd: invalid option -- 'v'\nBusyBox v1.37.0"),
        "{}",
        r.err
    );
}

#[test]
fn openssl_version_digests_and_random_bytes() {
    let mut c = fixture::alpine("3.21.3");
    assert_eq!(c.run("apk add openssl").status, 0);
    assert_eq!(
        c.run("openssl version").out,
        "OpenSSL 3.3.3 11 Feb 2025 (Library: OpenSSL 3.3.3 11 Feb 2025)\n"
    );
    put(&c, "s.bin", SAMPLE);
    assert_eq!(
        c.run("openssl dgst -sha256 s.bin").out,
        "SHA2-256(s.bin)= aba5ab6a538dec364f0fb997e792248e50cbcf8f5b48099816c895f5c93ffdf1\n"
    );
    assert_eq!(
        c.run("openssl dgst s.bin").out,
        "SHA256(s.bin)= aba5ab6a538dec364f0fb997e792248e50cbcf8f5b48099816c895f5c93ffdf1\n"
    );
    assert_eq!(
        c.run("openssl md5 s.bin").out,
        "MD5(s.bin)= 8419498caaea4ef6802c81ef83476f24\n"
    );
    assert_eq!(
        c.run("echo hi | openssl dgst -sha256").out,
        "SHA2-256(stdin)= 98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4\n"
    );
    let r = c.run("openssl dgst -sha256 nope");
    assert_eq!(
        (r.status, r.err.as_str()),
        (1, "nope: No such file or directory\n")
    );
    let hex = c.run("openssl rand -hex 8").out;
    assert_eq!(hex.len(), 17);
    assert!(hex.trim_end().chars().all(|c| c.is_ascii_hexdigit()));
    let b64 = c.run("openssl rand -base64 64").out;
    let lines: Vec<&str> = b64.lines().collect();
    assert_eq!(lines.iter().map(|l| l.len()).collect::<Vec<_>>(), [64, 24]);
    let r = c.run("openssl frobnicate");
    assert_eq!(
        (r.status, r.err.as_str()),
        (
            1,
            "Invalid command 'frobnicate'; type \"help\" for a list.\n"
        )
    );
    let r = c.run("openssl help");
    assert!(
        r.err.starts_with("help:\n\nStandard commands\nasn1parse"),
        "{}",
        r.err
    );
    let r = c.run("openssl s_client -connect example.com:443");
    assert_eq!(r.status, 1);
    assert!(r.err.contains("example.com:443"), "{}", r.err);
}

#[test]
fn openssl_reports_the_version_its_package_installed() {
    let mut c = fixture::ubuntu();
    c.run("apt-get update");
    assert_eq!(c.run("apt-get install -y openssl").status, 0);
    assert_eq!(
        c.run("openssl version").out,
        "OpenSSL 3.0.13 30 Jan 2024 (Library: OpenSSL 3.0.13 30 Jan 2024)\n"
    );
}

#[test]
fn vim_prints_its_banner_and_will_not_pretend_to_edit() {
    let mut c = ubuntu_with("vim");
    // Ubuntu's /usr/bin/vim is an alternatives link; the binary is vim.basic.
    let r = c.run("vim.basic --version");
    assert_eq!(r.status, 0);
    assert!(
        r.out
            .starts_with("VIM - Vi IMproved 9.1 (2024 Jan 02, compiled "),
        "{}",
        r.out
    );
    assert!(r.out.contains("\nIncluded patches: 1-16\n"), "{}", r.out);
    assert!(r.out.contains("Huge version without GUI."));
    let r = c.run("vim.basic app.py");
    assert_eq!(r.status, 1);
    assert!(r.err.contains("`edit app.py`"), "{}", r.err);
    assert!(r.err.contains("docker cp"), "{}", r.err);
    // Debian bookworm's vim prints itself as its build does.
    assert!(super::VIM_VERSION.starts_with("VIM - Vi IMproved 9.0 (2022 Jun 28, compiled "));
}

#[test]
fn zdump_shows_the_time_in_each_zone() {
    let mut c = fixture::alpine("3.21.3");
    let r = c.run("zdump UTC");
    assert_eq!(r.status, 127, "zdump comes with tzdata");
    assert_eq!(c.run("apk add tzdata").status, 0);
    // The test host's clock: 2023-11-14 22:13:20 UTC.
    let r = c.run("zdump UTC Europe/Paris America/New_York Nowhere/Land");
    assert_eq!(
        r.out,
        "UTC               Tue Nov 14 22:13:20 2023 UTC\nEurope/Paris      Tue Nov 14 23:13:20 2023 CET\nAmerica/New_York  Tue Nov 14 17:13:20 2023 EST\nNowhere/Land      Tue Nov 14 22:13:20 2023 Nowhere\n"
    );
    assert_eq!(c.run("zdump --version").out, "zdump (tzcode) 2025b\n");
    assert!(
        c.run("zdump --help")
            .out
            .ends_with("Report bugs to tz@iana.org.\n")
    );
}

#[test]
fn update_ca_certificates_adds_local_certificates_once() {
    let mut c = ubuntu_with("ca-certificates");
    put(
        &c,
        "/usr/local/share/ca-certificates/lab.crt",
        b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    );
    let r = c.run("update-ca-certificates");
    assert_eq!(
        r.out,
        "Updating certificates in /etc/ssl/certs...\n1 added, 0 removed; done.\nRunning hooks in /etc/ca-certificates/update.d...\ndone.\n"
    );
    let bundle = std::fs::read(c.dir.path().join("etc/ssl/certs/ca-certificates.crt")).unwrap();
    assert!(bundle.windows(4).any(|w| w == b"MIIB"));
    assert!(
        c.run("update-ca-certificates")
            .out
            .contains("\n0 added, 0 removed; done.\n")
    );
    std::fs::remove_file(c.dir.path().join("usr/local/share/ca-certificates/lab.crt")).unwrap();
    assert!(
        c.run("update-ca-certificates")
            .out
            .contains("\n0 added, 1 removed; done.\n")
    );
    let r = c.run("update-ca-certificates --help");
    assert_eq!(r.out, "update-ca-certificates: [--verbose] [--fresh]\n");
}

#[test]
fn setcap_records_capabilities_that_getcap_reads() {
    let mut c = ubuntu_with("libcap2-bin");
    put(&c, "/usr/local/bin/app", b"x\n");
    assert_eq!(c.run("getcap /usr/local/bin/app").out, "");
    let r = c.run("setcap 'cap_net_bind_service=+ep' /usr/local/bin/app");
    assert_eq!(r.status, 0, "{}", r.err);
    assert_eq!(
        c.run("getcap /usr/local/bin/app").out,
        "/usr/local/bin/app cap_net_bind_service=ep\n"
    );
    c.run("setcap cap_net_raw,cap_net_bind_service+ep /usr/local/bin/app");
    assert_eq!(
        c.run("getcap -r /usr/local").out,
        "/usr/local/bin/app cap_net_bind_service,cap_net_raw=ep\n"
    );
    assert!(c.read(super::CAPS_FILE).contains("/usr/local/bin/app "));
    c.run("setcap -r /usr/local/bin/app");
    assert_eq!(c.run("getcap /usr/local/bin/app").out, "");
    let r = c.run("setcap cap_bogus=ep /usr/local/bin/app");
    assert_eq!(r.status, 1);
    assert!(
        r.err
            .starts_with("fatal error: Invalid argument\nusage: setcap")
    );
    let r = c.run("setcap cap_net_raw=ep /nope");
    assert_eq!(
        (r.status, r.err.as_str()),
        (
            1,
            "Failed to set capabilities on file '/nope': No such file or directory\n"
        )
    );
    let r = c.run("getcap");
    assert_eq!(r.status, 1);
    assert!(r.err.starts_with("usage: getcap [-h] [-l] [-n] [-r] [-v]"));
}

#[test]
fn net_tools_show_the_container_network() {
    let mut c = ubuntu_with("net-tools");
    let r = c.run("ifconfig");
    assert_eq!(
        r.out,
        "eth0: flags=4163<UP,BROADCAST,RUNNING,MULTICAST>  mtu 1500\n        inet 172.17.0.2  netmask 255.255.0.0  broadcast 172.17.255.255\n        ether 02:42:ac:11:00:02  txqueuelen 0  (Ethernet)\n        RX packets 0  bytes 0 (0.0 B)\n        RX errors 0  dropped 0  overruns 0  frame 0\n        TX packets 0  bytes 0 (0.0 B)\n        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n\nlo: flags=73<UP,LOOPBACK,RUNNING>  mtu 65536\n        inet 127.0.0.1  netmask 255.0.0.0\n        inet6 ::1  prefixlen 128  scopeid 0x10<host>\n        loop  txqueuelen 1000  (Local Loopback)\n        RX packets 0  bytes 0 (0.0 B)\n        RX errors 0  dropped 0  overruns 0  frame 0\n        TX packets 0  bytes 0 (0.0 B)\n        TX errors 0  dropped 0 overruns 0  carrier 0  collisions 0\n\n"
    );
    let r = c.run("ifconfig eth1");
    assert_eq!(
        (r.status, r.err.as_str()),
        (
            1,
            "eth1: error fetching interface information: Device not found\n"
        )
    );
    let r = c.run("ifconfig eth0 down");
    assert_eq!(
        (r.status, r.err.as_str()),
        (255, "SIOCSIFFLAGS: Operation not permitted\n")
    );
    assert_eq!(
        c.run("route -n").out,
        "Kernel IP routing table\nDestination     Gateway         Genmask         Flags Metric Ref    Use Iface\n0.0.0.0         172.17.0.1      0.0.0.0         UG    0      0        0 eth0\n172.17.0.0      0.0.0.0         255.255.0.0     U     0      0        0 eth0\n"
    );
    assert!(c.run("route").out.contains(
        "\ndefault         172.17.0.1      0.0.0.0         UG    0      0        0 eth0\n"
    ));
    let r = c.run("route add default gw 10.0.0.1");
    assert_eq!(
        (r.status, r.err.as_str()),
        (7, "SIOCADDRT: Operation not permitted\n")
    );
    assert_eq!(c.run("arp -n").out, "");
    assert_eq!(c.run("ifconfig -V").out, "net-tools 2.10\n");
    let r = c.run("netstat -tlnp");
    assert_eq!(
        r.out,
        "Active Internet connections (only servers)\nProto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name    \n"
    );
    put(
        &c,
        "/proc/net/tcp",
        b"  sl  local_address rem_address   st\n   0: 00000000:0050 00000000:0000 0A\n   1: 0100007F:1F90 00000000:0000 0A\n",
    );
    assert_eq!(
        c.run("netstat -tln").out,
        "Active Internet connections (only servers)\nProto Recv-Q Send-Q Local Address           Foreign Address         State      \ntcp        0      0 0.0.0.0:80              0.0.0.0:*               LISTEN     \ntcp        0      0 127.0.0.1:8080          0.0.0.0:*               LISTEN     \n"
    );
    assert_eq!(
        c.run("netstat -an")
            .out
            .lines()
            .filter(|l| l.starts_with("Active"))
            .count(),
        2
    );
}

#[test]
fn iputils_ping_answers_for_the_container_itself_only() {
    let mut c = ubuntu_with("iputils-ping");
    let r = c.run("ping -c 3 localhost");
    assert_eq!(r.status, 0);
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines[0], "PING localhost (127.0.0.1) 56(84) bytes of data.");
    assert!(
        lines[1].starts_with("64 bytes from localhost (127.0.0.1): icmp_seq=1 ttl=64 time=0.0"),
        "{}",
        lines[1]
    );
    assert!(lines[3].contains("icmp_seq=3 "));
    assert_eq!(lines[4], "");
    assert_eq!(lines[5], "--- localhost ping statistics ---");
    assert_eq!(
        lines[6],
        "3 packets transmitted, 3 received, 0% packet loss, time 2002ms"
    );
    assert!(lines[7].starts_with("rtt min/avg/max/mdev = 0.0"));
    // The same run prints the same times.
    assert_eq!(c.run("ping -c 3 localhost").out, r.out);
    let r = c.run("ping -c 1 172.17.0.2");
    assert!(
        r.out
            .contains("\n64 bytes from 172.17.0.2: icmp_seq=1 ttl=64 time="),
        "{}",
        r.out
    );
    let r = c.run("ping -c 1 db");
    assert_eq!(
        (r.status, r.err.as_str()),
        (2, "ping: db: Name or service not known\n")
    );
    let r = c.run("ping -c 2 10.1.2.3");
    assert_eq!(r.status, 1);
    assert!(r.out.ends_with("\n--- 10.1.2.3 ping statistics ---\n2 packets transmitted, 0 received, 100% packet loss, time 1001ms\n"), "{}", r.out);
    let r = c.run("ping");
    assert_eq!(
        (r.status, r.err.as_str()),
        (1, "ping: usage error: Destination address required\n")
    );
    assert!(
        c.run("ping -V")
            .out
            .starts_with("ping from iputils 20240117\n")
    );
}

#[test]
fn busybox_applets_print_their_own_formats() {
    let mut c = alpine_with_busybox();
    let r = c.run("ping -c 2 127.0.0.1");
    assert_eq!(r.status, 0);
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines[0], "PING 127.0.0.1 (127.0.0.1): 56 data bytes");
    assert!(
        lines[1].starts_with("64 bytes from 127.0.0.1: seq=0 ttl=64 time=0.0"),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with("64 bytes from 127.0.0.1: seq=1 ttl=64 time="));
    assert_eq!(lines[4], "--- 127.0.0.1 ping statistics ---");
    assert_eq!(
        lines[5],
        "2 packets transmitted, 2 packets received, 0% packet loss"
    );
    assert!(lines[6].starts_with("round-trip min/avg/max = 0.0"));
    let r = c.run("ping -c 1 db");
    assert_eq!((r.status, r.err.as_str()), (1, "ping: bad address 'db'\n"));
    let r = c.run("ifconfig eth0");
    assert_eq!(
        r.out,
        "eth0      Link encap:Ethernet  HWaddr 02:42:AC:11:00:02  \n          inet addr:172.17.0.2  Bcast:172.17.255.255  Mask:255.255.0.0\n          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1\n          RX packets:0 errors:0 dropped:0 overruns:0 frame:0\n          TX packets:0 errors:0 dropped:0 overruns:0 carrier:0\n          collisions:0 txqueuelen:0 \n          RX bytes:0 (0.0 B)  TX bytes:0 (0.0 B)\n\n"
    );
    assert!(c.run("route").out.contains(
        "\n172.17.0.0      *               255.255.0.0     U     0      0        0 eth0\n"
    ));
    let r = c.run("netstat -tln");
    assert_eq!(
        r.out,
        "Active Internet connections (only servers)\nProto Recv-Q Send-Q Local Address           Foreign Address         State       \n"
    );
    let r = c.run("route --help");
    assert!(
        r.out
            .starts_with("BusyBox v1.37.0 multi-call binary.\n\nUsage: route"),
        "{}",
        r.out
    );
    let r = c.run("vi notes.txt");
    assert_eq!(r.status, 1);
    assert!(r.err.contains("`edit notes.txt`"));
}

#[test]
fn an_image_hosts_file_without_the_container_name_still_gives_the_bridge_address() {
    let mut c = alpine_with_busybox();
    put(
        &c,
        "/etc/hosts",
        b"127.0.0.1\tlocalhost localhost.localdomain\n::1\t\tlocalhost localhost.localdomain\n",
    );
    assert!(
        c.run("ifconfig eth0")
            .out
            .contains("inet addr:172.17.0.2  Bcast:172.17.255.255")
    );
    let r = c.run("ping -c 1 c0ffee123456");
    assert!(
        r.out.starts_with(
            "PING c0ffee123456 (172.17.0.2): 56 data bytes\n64 bytes from 172.17.0.2: seq=0"
        ),
        "{}",
        r.out
    );
}

#[test]
fn nping_reports_its_version_and_usage_and_sends_nothing() {
    let mut c = ubuntu_with("nmap");
    assert_eq!(
        c.run("nping --version").out,
        "\nNping version 0.7.94SVN ( https://nmap.org/nping )\n"
    );
    let r = c.run("nping -h");
    assert!(r.out.starts_with("Nping 0.7.94SVN ( https://nmap.org/nping )\nUsage: nping [Probe mode] [Options] {target specification}\n"), "{}", r.out);
    assert!(
        r.out
            .ends_with("SEE THE MAN PAGE FOR MANY MORE OPTIONS, DESCRIPTIONS, AND EXAMPLES\n\n")
    );
    let r = c.run("nping --tcp -p 80 localhost");
    assert_eq!(r.status, 1);
    assert!(r.err.starts_with("docklab: nping cannot send"));
}

mod on_a_network {
    use super::*;
    use crate::engine::shell::programs::netdb::fake::{self, Net};

    /// The /etc/hosts the runtime writes for a container on a user-defined network.
    fn on_net1(c: &Container) {
        put(
            c,
            "/etc/hosts",
            b"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n172.18.0.2\tc0ffee123456\n",
        );
        put(
            c,
            "/etc/resolv.conf",
            b"nameserver 127.0.0.11\noptions ndots:0\n",
        );
    }

    #[test]
    fn busybox_ping_reaches_containers_by_name_and_loses_packets_to_nobody() {
        let mut c = alpine_with_busybox();
        on_net1(&c);
        let mut net = Net::new(None);
        let r = fake::run(&mut c.sh, &mut net, "ping -c 2 db");
        assert_eq!(r.status, 0, "{}", r.err);
        let lines: Vec<&str> = r.out.lines().collect();
        assert_eq!(lines[0], "PING db (172.18.0.3): 56 data bytes");
        assert!(lines[1].starts_with("64 bytes from 172.18.0.3: seq=0 ttl=64 time=0."));
        assert!(lines[2].starts_with("64 bytes from 172.18.0.3: seq=1 ttl=64 time=0."));
        assert_eq!(lines[4], "--- db ping statistics ---");
        assert_eq!(
            lines[5],
            "2 packets transmitted, 2 packets received, 0% packet loss"
        );
        assert!(lines[6].starts_with("round-trip min/avg/max = 0."));

        let r = fake::run(&mut c.sh, &mut net, "ping -c 1 nope");
        assert_eq!(
            (r.out.as_str(), r.err.as_str(), r.status),
            ("", "ping: bad address 'nope'\n", 1)
        );

        let r = fake::run(&mut c.sh, &mut net, "ping -c 2 172.18.0.9");
        assert_eq!(
            r.out,
            "PING 172.18.0.9 (172.18.0.9): 56 data bytes\n\n--- 172.18.0.9 ping statistics ---\n2 packets transmitted, 0 packets received, 100% packet loss\n"
        );
        assert_eq!(r.status, 1);

        // Its own name and address answer, from /etc/hosts.
        let r = fake::run(&mut c.sh, &mut net, "ping -c 1 c0ffee123456");
        assert!(
            r.out.contains("64 bytes from 172.18.0.2: seq=0"),
            "{}",
            r.out
        );
    }

    #[test]
    fn iputils_ping_names_the_peer_by_its_reverse_lookup() {
        let mut c = ubuntu_with("iputils-ping");
        on_net1(&c);
        let mut net = Net::new(None);
        let r = fake::run(&mut c.sh, &mut net, "ping -c 1 web");
        assert_eq!(r.status, 0, "{}", r.err);
        assert!(
            r.out.starts_with("PING web (172.18.0.4) 56(84) bytes of data.\n64 bytes from web.net1 (172.18.0.4): icmp_seq=1 ttl=64 time="),
            "{}",
            r.out
        );
        let r = fake::run(&mut c.sh, &mut net, "ping -c 1 nope");
        assert_eq!(r.err, "ping: nope: Name or service not known\n");
        assert_eq!(r.status, 2);
    }

    #[test]
    fn ifconfig_and_route_show_every_network_the_engine_gives() {
        let mut c = alpine_with_busybox();
        on_net1(&c);
        let mut net = Net::new(None);
        net.peers.add_own("172.19.0.5".parse().unwrap(), 16);
        let r = fake::run(&mut c.sh, &mut net, "ifconfig");
        assert!(r.out.starts_with("eth0      Link encap:Ethernet  HWaddr 02:42:AC:12:00:02  \n          inet addr:172.18.0.2  Bcast:172.18.255.255  Mask:255.255.0.0\n"), "{}", r.out);
        assert!(r.out.contains("\neth1      Link encap:Ethernet  HWaddr 02:42:AC:13:00:05  \n          inet addr:172.19.0.5  Bcast:172.19.255.255  Mask:255.255.0.0\n"), "{}", r.out);
        let r = fake::run(&mut c.sh, &mut net, "route -n");
        assert_eq!(
            r.out,
            "Kernel IP routing table\nDestination     Gateway         Genmask         Flags Metric Ref    Use Iface\n\
             0.0.0.0         172.18.0.1      0.0.0.0         UG    0      0        0 eth0\n\
             172.18.0.0      0.0.0.0         255.255.0.0     U     0      0        0 eth0\n\
             172.19.0.0      0.0.0.0         255.255.0.0     U     0      0        0 eth1\n"
        );
    }

    /// Serves `n` connections on a free loopback port with a 200 answering `body`,
    /// sending each request it read back.
    fn serve(
        n: usize,
        body: &'static str,
    ) -> (std::net::SocketAddr, std::sync::mpsc::Receiver<String>) {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for _ in 0..n {
                let Ok((mut s, _)) = listener.accept() else {
                    return;
                };
                s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
                    .unwrap();
                let mut req = Vec::new();
                let mut buf = [0u8; 1024];
                while !req.ends_with(b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(k) => req.extend_from_slice(&buf[..k]),
                    }
                }
                let _ = tx.send(String::from_utf8_lossy(&req).into_owned());
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        (addr, rx)
    }

    #[test]
    fn busybox_wget_fetches_from_containers_by_name() {
        let mut c = alpine_with_busybox();
        on_net1(&c);
        let (to, rx) = serve(3, "hello\n");
        let mut net = Net::new(Some(to));
        let r = fake::run(&mut c.sh, &mut net, "wget -qO- http://web/");
        assert_eq!(
            (r.out.as_str(), r.err.as_str(), r.status),
            ("hello\n", "", 0)
        );
        assert_eq!(
            rx.recv().unwrap(),
            "GET / HTTP/1.1\r\nHost: web\r\nUser-Agent: Wget\r\nConnection: close\r\n\r\n"
        );
        let r = fake::run(&mut c.sh, &mut net, "wget -O /page http://api:5000/x");
        assert_eq!(c.read("/page"), "hello\n", "{}", r.err);
        assert_eq!(
            r.err,
            "Connecting to api:5000 (172.18.0.4:5000)\nsaving to '/page'\n\
             page                 100% |********************************|     6  0:00:00 ETA\n'/page' saved\n"
        );
        assert!(rx.recv().unwrap().contains("\r\nHost: api:5000\r\n"));
        let r = fake::run(&mut c.sh, &mut net, "wget --spider http://web/");
        assert_eq!(
            (r.err.as_str(), r.status),
            ("Connecting to web (172.18.0.4:80)\nremote file exists\n", 0)
        );
    }

    #[test]
    fn busybox_wget_fails_in_its_own_words() {
        let mut c = alpine_with_busybox();
        on_net1(&c);
        let mut net = Net::new(None);
        let r = fake::run(&mut c.sh, &mut net, "wget -q http://nope/");
        assert_eq!(
            (r.err.as_str(), r.status),
            ("wget: bad address 'nope'\n", 1)
        );
        let r = fake::run(&mut c.sh, &mut net, "wget http://db/");
        assert_eq!(
            (r.err.as_str(), r.status),
            (
                "Connecting to db (172.18.0.3:80)\nwget: can't connect to remote host (172.18.0.3): Connection refused\n",
                1
            )
        );
        let r = fake::run(&mut c.sh, &mut net, "wget -q http://172.18.0.9/");
        assert_eq!(
            r.err,
            "wget: can't connect to remote host (172.18.0.9): No route to host\n"
        );
        let r = fake::run(&mut c.sh, &mut net, "wget -q http://10.9.0.1/");
        assert_eq!(
            r.err,
            "wget: can't connect to remote host (10.9.0.1): Connection timed out\n"
        );
        let r = fake::run(&mut c.sh, &mut net, "wget -q -T 2 http://10.9.0.1/");
        assert_eq!(
            (r.err.as_str(), r.status),
            ("wget: download timed out\n", 1)
        );
    }

    #[test]
    fn busybox_nslookup_asks_the_embedded_dns_only() {
        let mut c = alpine_with_busybox();
        on_net1(&c);
        let mut net = Net::new(None);
        let r = fake::run(&mut c.sh, &mut net, "nslookup db");
        assert_eq!(
            (r.out.as_str(), r.status),
            (
                "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\nNon-authoritative answer:\n\n\
                 Non-authoritative answer:\nName:\tdb\nAddress: 172.18.0.3\n\n",
                0
            )
        );
        let r = fake::run(&mut c.sh, &mut net, "nslookup nope");
        assert_eq!(
            (r.out.as_str(), r.status),
            (
                "Server:\t\t127.0.0.11\nAddress:\t127.0.0.11:53\n\n** server can't find nope: NXDOMAIN\n\n\
                 ** server can't find nope: NXDOMAIN\n\n",
                1
            )
        );
        // No resolv.conf written: the embedded DNS is there if it knows this container.
        std::fs::remove_file(c.dir.path().join("etc/resolv.conf")).unwrap();
        net.peers.add_name("c0ffee123456", fake::ME);
        let r = fake::run(&mut c.sh, &mut net, "nslookup web");
        assert!(
            r.out.starts_with("Server:\t\t127.0.0.11\n") && r.out.contains("Address: 172.18.0.4\n"),
            "{}",
            r.out
        );
        // The default bridge: the host's resolver, which knows no container.
        put(&c, "/etc/resolv.conf", b"nameserver 10.0.2.3\n");
        let r = fake::run(&mut c.sh, &mut net, "nslookup db");
        assert_eq!(r.status, 1);
        assert!(
            r.out.starts_with(
                "Server:\t\t10.0.2.3\nAddress:\t10.0.2.3:53\n\n** server can't find db: NXDOMAIN\n"
            ),
            "{}",
            r.out
        );
    }

    #[test]
    fn getent_hosts_prints_as_musl_and_glibc_do() {
        let mut c = alpine_with_busybox();
        on_net1(&c);
        put(&c, "/usr/bin/getent", b"\x7fELF");
        let mut net = Net::new(None);
        let r = fake::run(&mut c.sh, &mut net, "getent hosts db");
        assert_eq!(
            (r.out.as_str(), r.status),
            ("172.18.0.3        db  db\n", 0)
        );
        let r = fake::run(&mut c.sh, &mut net, "getent hosts nope");
        assert_eq!((r.out.as_str(), r.status), ("", 2));

        let mut d = fixture::ubuntu();
        on_net1(&d);
        put(&d, "/usr/bin/getent", b"\x7fELF");
        let r = fake::run(
            &mut d.sh,
            &mut net,
            "getent hosts web; getent hosts localhost",
        );
        assert_eq!(r.out, "172.18.0.4      web\n127.0.0.1       localhost\n");
    }

    #[test]
    fn hostname_i_gives_the_address_of_the_containers_own_name() {
        let mut c = alpine_with_busybox();
        on_net1(&c);
        let mut net = Net::new(None);
        let r = fake::run(&mut c.sh, &mut net, "hostname -i; hostname -I");
        assert_eq!(r.out, "172.18.0.2\n172.18.0.2 \n");
        let mut none = Net::none();
        put(&c, "/etc/hosts", b"127.0.0.1\tlocalhost\n");
        let r = fake::run(&mut c.sh, &mut none, "hostname -I");
        assert_eq!(r.out, "172.17.0.2 \n");
    }

    #[test]
    fn busybox_nc_scans_and_talks_to_containers_by_name() {
        let mut c = alpine_with_busybox();
        on_net1(&c);
        let (to, rx) = serve(2, "hi");
        let mut net = Net::new(Some(to));
        let r = fake::run(&mut c.sh, &mut net, "nc -zv web 80");
        assert_eq!(
            (r.err.as_str(), r.status),
            ("web (172.18.0.4:80) open\n", 0)
        );
        rx.recv().unwrap();
        let r = fake::run_stdin(&mut c.sh, &mut net, "nc web 80", b"GET / HTTP/1.0\r\n\r\n");
        assert_eq!(r.out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        assert_eq!(rx.recv().unwrap(), "GET / HTTP/1.0\r\n\r\n");

        let r = fake::run(&mut c.sh, &mut net, "nc -z db 80");
        assert_eq!((r.err.as_str(), r.status), ("", 1));
        let r = fake::run(&mut c.sh, &mut net, "nc -zvv db 80");
        assert_eq!(r.err, "nc: db (172.18.0.3:80): Connection refused\n");
        let r = fake::run(&mut c.sh, &mut net, "nc -zv 172.18.0.9 80");
        assert_eq!(
            (r.err.as_str(), r.status),
            ("nc: 172.18.0.9 (172.18.0.9:80): No route to host\n", 1)
        );
        let r = fake::run(&mut c.sh, &mut net, "nc -z nope 80");
        assert_eq!((r.err.as_str(), r.status), ("nc: bad address 'nope'\n", 1));
    }

    #[test]
    fn busybox_ip_shows_one_veth_per_network() {
        let mut c = alpine_with_busybox();
        on_net1(&c);
        let mut net = Net::new(None);
        net.peers.add_own("192.168.0.2".parse().unwrap(), 20);
        let r = fake::run(&mut c.sh, &mut net, "ip -4 addr show eth1");
        assert_eq!(
            (r.out.as_str(), r.status),
            (
                "10: eth1@if11: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue \n    inet 192.168.0.2/20 brd 192.168.15.255 scope global eth1\n       valid_lft forever preferred_lft forever\n",
                0
            )
        );
        let r = fake::run(&mut c.sh, &mut net, "ip route");
        assert_eq!(
            r.out,
            "default via 172.18.0.1 dev eth0 \n172.18.0.0/16 dev eth0 scope link  src 172.18.0.2 \n192.168.0.0/20 dev eth1 scope link  src 192.168.0.2 \n"
        );
        let r = fake::run(&mut c.sh, &mut net, "ip a");
        assert!(r.out.starts_with("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n"), "{}", r.out);
        assert!(r.out.contains("\n    link/ether 02:42:ac:12:00:02 brd ff:ff:ff:ff:ff:ff\n    inet 172.18.0.2/16 brd 172.18.255.255 scope global eth0\n"), "{}", r.out);
        let r = fake::run(&mut c.sh, &mut net, "ip addr show nope");
        assert_eq!(
            (r.err.as_str(), r.status),
            ("ip: can't find device 'nope'\n", 1)
        );
    }
}
