//! What a container's process sees of the networks it is on: the embedded DNS's answers
//! and where a connection to another container's address goes.
//!
//! The engine builds a `Peers` when it starts a process, from the networks and the
//! running containers of that moment, so programs in the container (`ping`, `wget`,
//! `curl`, `nslookup`, `getent`) ask it without reaching back into the engine.

use crate::engine::shell::Route;
use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, SocketAddr};

#[derive(Debug, Clone, Default)]
pub struct Peers {
    /// Lower-cased names (container names, aliases, short IDs) → their addresses, in
    /// the order the networks were joined.
    names: BTreeMap<String, Vec<Ipv4Addr>>,
    /// Address → the name a reverse lookup gives (`db.net1`).
    reverse: BTreeMap<Ipv4Addr, String>,
    /// Addresses of running containers this one can reach.
    up: BTreeSet<Ipv4Addr>,
    /// Open ports behind those addresses, and where they are really served.
    open: BTreeMap<(Ipv4Addr, u16), SocketAddr>,
    /// The container's own addresses and prefix lengths, `eth0` first.
    own: Vec<(Ipv4Addr, u8)>,
}

impl Peers {
    pub fn add_name(&mut self, name: &str, addr: Ipv4Addr) {
        let list = self.names.entry(name.to_ascii_lowercase()).or_default();
        if !list.contains(&addr) {
            list.push(addr);
        }
    }

    pub fn add_reverse(&mut self, addr: Ipv4Addr, name: String) {
        self.reverse.entry(addr).or_insert(name);
    }

    pub fn add_up(&mut self, addr: Ipv4Addr) {
        self.up.insert(addr);
    }

    pub fn add_open(&mut self, addr: Ipv4Addr, port: u16, to: SocketAddr) {
        self.open.insert((addr, port), to);
    }

    pub fn add_own(&mut self, addr: Ipv4Addr, prefix: u8) {
        self.own.push((addr, prefix));
    }

    /// A name as the embedded DNS answers it; a trailing dot is the same name.
    pub fn lookup(&self, name: &str) -> Vec<Ipv4Addr> {
        let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
        self.names.get(&name).cloned().unwrap_or_default()
    }

    pub fn reverse_lookup(&self, addr: Ipv4Addr) -> Option<String> {
        self.reverse.get(&addr).cloned()
    }

    pub fn route(&self, addr: Ipv4Addr, port: u16) -> Route {
        if let Some(to) = self.open.get(&(addr, port)) {
            return Route::Open(*to);
        }
        if self.up.contains(&addr) || self.own.iter().any(|(a, _)| *a == addr) {
            return Route::Refused;
        }
        Route::Unreachable
    }

    pub fn addresses(&self) -> Vec<(Ipv4Addr, u8)> {
        self.own.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_case_blind_and_routes_say_why_they_fail() {
        let mut p = Peers::default();
        let db: Ipv4Addr = "172.18.0.3".parse().unwrap();
        p.add_name("DB", db);
        p.add_up(db);
        let to: SocketAddr = "127.0.0.1:40000".parse().unwrap();
        p.add_open(db, 6379, to);
        assert_eq!(p.lookup("db."), vec![db]);
        assert!(p.lookup("web").is_empty());
        assert_eq!(p.route(db, 6379), Route::Open(to));
        assert_eq!(p.route(db, 80), Route::Refused);
        assert_eq!(
            p.route("172.18.0.9".parse().unwrap(), 80),
            Route::Unreachable
        );
    }
}
