//! The lab's network: published ports and the services behind them.
//!
//! Every published TCP port of a running container is a real listener on the loopback
//! interface, served on a small tokio runtime that starts with the first one. A headless
//! lab binds ephemeral ports (`127.0.0.1:0`), so any number of labs run side by side; the
//! interactive lab first tries the port the user asked for, so a browser or another
//! terminal reaches it too. Inside the lab, `localhost:PORT` goes through this table:
//! the lab's `curl` and `docker push` reach the container whichever port really carries it.
//!
//! What answers depends on what the container's process listens on: nginx serves the
//! container's files, the registry serves the distribution API; a port with nothing
//! behind it resets connections, as Docker's proxy does.

pub mod app;
pub mod live;
pub mod networks;
pub mod nginx;
pub mod peers;

use super::runtime::LogChunk;
use std::collections::BTreeMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener};
use std::sync::{Arc, Mutex};

/// Where a container sees connections from the host come from: the default bridge's
/// gateway, as its logs name the client.
pub const HOST_GATEWAY: &str = "172.17.0.1";
/// The address Docker gives the first container on the default bridge, which servers
/// print among their addresses.
pub const DEFAULT_BRIDGE_ADDRESS: &str = "172.17.0.2";

/// Where services append what a container's process writes while it serves: drained into
/// the container's log by the engine.
#[derive(Clone, Default)]
pub struct LogSink(Arc<Mutex<Vec<(String, LogChunk)>>>);

impl LogSink {
    /// `time`: when it was written, RFC 3339 with nanoseconds.
    pub fn push(&self, container_id: &str, stream: u8, text: String, time: String) {
        if let Ok(mut pending) = self.0.lock() {
            pending.push((container_id.to_string(), LogChunk { stream, text, time }));
        }
    }

    pub fn drain(&self) -> Vec<(String, LogChunk)> {
        self.0
            .lock()
            .map(|mut pending| std::mem::take(&mut *pending))
            .unwrap_or_default()
    }
}

/// What answers on a published port.
pub enum Service {
    /// Nothing listens on that port inside the container.
    Closed,
    Nginx(Arc<nginx::Site>),
    /// An HTTP service of the engine's own, started on the bound listener.
    Spawn(Box<dyn FnOnce(tokio::net::TcpListener) -> Task + Send>),
}

/// A service's accept loop, run on the network's runtime.
pub type Task = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

struct Listener {
    container_id: String,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

pub struct Network {
    runtime: Option<tokio::runtime::Runtime>,
    /// By published host port (TCP).
    listeners: BTreeMap<u16, Listener>,
    /// What other containers reach on a container's own address, by (container ID,
    /// container port): served on a loopback port of its own.
    internal: BTreeMap<(String, u16), Listener>,
    /// Bind the requested host port itself when it is free (the interactive lab).
    on_host: bool,
    logs: LogSink,
}

impl Network {
    pub fn new(on_host: bool) -> Network {
        Network {
            runtime: None,
            listeners: BTreeMap::new(),
            internal: BTreeMap::new(),
            on_host,
            logs: LogSink::default(),
        }
    }

    pub fn logs(&self) -> &LogSink {
        &self.logs
    }

    fn runtime(&mut self) -> io::Result<&tokio::runtime::Runtime> {
        if self.runtime.is_none() {
            self.runtime = Some(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .thread_name("docklab-net")
                    .enable_io()
                    .enable_time()
                    .build()?,
            );
        }
        Ok(self.runtime.as_ref().expect("just built"))
    }

    /// Opens `host_port` for `container_id` and starts `service` behind it; returns
    /// the address that really carries it.
    pub fn publish(
        &mut self,
        container_id: &str,
        host_port: u16,
        service: Service,
    ) -> io::Result<SocketAddr> {
        self.unpublish_port(host_port);
        let listener = self.bind(host_port)?;
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let runtime = self.runtime()?;
        let _entered = runtime.enter();
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let task = match service {
            Service::Closed => runtime.spawn(reset_all(listener)),
            Service::Nginx(site) => runtime.spawn(nginx::serve(listener, site)),
            Service::Spawn(start) => runtime.spawn(start(listener)),
        };
        self.listeners.insert(
            host_port,
            Listener {
                container_id: container_id.to_string(),
                addr,
                task,
            },
        );
        Ok(addr)
    }

    /// Serves `service` behind container port `port` of `container_id`, for the other
    /// containers on its networks.
    pub fn serve_internal(
        &mut self,
        container_id: &str,
        port: u16,
        service: Service,
    ) -> io::Result<SocketAddr> {
        let key = (container_id.to_string(), port);
        if let Some(old) = self.internal.remove(&key) {
            old.task.abort();
        }
        let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let runtime = self.runtime()?;
        let _entered = runtime.enter();
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let task = match service {
            Service::Closed => runtime.spawn(reset_all(listener)),
            Service::Nginx(site) => runtime.spawn(nginx::serve(listener, site)),
            Service::Spawn(start) => runtime.spawn(start(listener)),
        };
        self.internal.insert(
            key,
            Listener {
                container_id: container_id.to_string(),
                addr,
                task,
            },
        );
        Ok(addr)
    }

    /// Where container port `port` of `container_id` is served for other containers.
    pub fn internal_address(&self, container_id: &str, port: u16) -> Option<SocketAddr> {
        self.internal
            .get(&(container_id.to_string(), port))
            .map(|l| l.addr)
    }

    fn bind(&self, host_port: u16) -> io::Result<TcpListener> {
        if self.on_host
            && let Ok(l) = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, host_port))
        {
            return Ok(l);
        }
        TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0))
    }

    fn unpublish_port(&mut self, host_port: u16) {
        if let Some(l) = self.listeners.remove(&host_port) {
            l.task.abort();
        }
    }

    /// Closes every port of `container_id`.
    pub fn unpublish(&mut self, container_id: &str) {
        let ports: Vec<u16> = self
            .listeners
            .iter()
            .filter(|(_, l)| l.container_id == container_id)
            .map(|(p, _)| *p)
            .collect();
        for port in ports {
            self.unpublish_port(port);
        }
        let internal: Vec<(String, u16)> = self
            .internal
            .iter()
            .filter(|(_, l)| l.container_id == container_id)
            .map(|(k, _)| k.clone())
            .collect();
        for key in internal {
            if let Some(l) = self.internal.remove(&key) {
                l.task.abort();
            }
        }
    }

    /// Where a connection to published host port `port` really goes.
    pub fn address(&self, port: u16) -> Option<SocketAddr> {
        self.listeners.get(&port).map(|l| l.addr)
    }

    /// Whether `container_id` has its ports open.
    pub fn is_published(&self, container_id: &str) -> bool {
        self.listeners
            .values()
            .any(|l| l.container_id == container_id)
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A port nobody in the container listens on: every connection is reset.
async fn reset_all(listener: tokio::net::TcpListener) {
    loop {
        if let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_zero_linger();
            drop(stream);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn a_port_with_nothing_behind_it_resets_the_connection() {
        let mut net = Network::new(false);
        let addr = net.publish("c1", 8080, Service::Closed).unwrap();
        assert_eq!(net.address(8080), Some(addr));
        assert_ne!(addr.port(), 0);
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        let _ = s.write_all(b"GET / HTTP/1.1\r\n\r\n");
        let mut buf = Vec::new();
        let read = s.read_to_end(&mut buf);
        assert!(read.is_err() || buf.is_empty(), "got {buf:?}");
        net.unpublish("c1");
        assert_eq!(net.address(8080), None);
        assert!(!net.is_published("c1"));
    }

    #[test]
    fn headless_labs_never_take_the_requested_port() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let mut net = Network::new(false);
        let addr = net.publish("c1", port, Service::Closed).unwrap();
        assert_ne!(addr.port(), port);
        // On the host, a taken port falls back to an ephemeral one too.
        let mut host = Network::new(true);
        let addr = host.publish("c1", port, Service::Closed).unwrap();
        assert_ne!(addr.port(), port);
    }

    #[test]
    fn log_sink_hands_each_line_over_once() {
        let sink = LogSink::default();
        sink.push("c1", 1, "a\n".into(), String::new());
        let drained = sink.drain();
        assert_eq!(drained.len(), 1);
        assert_eq!(drained[0].0, "c1");
        assert!(sink.drain().is_empty());
    }
}
